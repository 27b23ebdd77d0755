/* iotflow correlate (docs/SENSORS.md "iotflow correlate"): every device's per-second traffic
 * series against every sensor series, each pair scored by analysis/xcorr.h, ranked.
 *
 * - Traffic: per device and second, packets, bytes and flows started, out and in (the six
 *   counts of the timeline table, flow/timeline.h), added row by row in any order; seconds no
 *   row covers (a silence the timeline did not fill) are missing, a device without a row in a
 *   covered second had no traffic (0). Correlated through log1p (xcorr.h: floods must not own
 *   the sums).
 * - Sensors: per sensor device and value column, the level (the reading standing at the end of
 *   each second, held for the tolerance) and its absolute change (steps, onsets and ends: a
 *   flag's level blurs its timing over the whole plateau, docs/SENSORS.md).
 * - A series with fewer than min_events events is not paired (counted): two or three
 *   coincidences are no evidence, and skipping them keeps the pair count near what can matter.
 * Memory: the counts, 24 bytes per device and second (capped below), plus the prepared sensor
 * series (16 bytes per series and second) and one prepared traffic series at a time. */
#ifndef IOF_ANALYSIS_CORRELATE_H
#define IOF_ANALYSIS_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/xcorr.h"
#include "sensors/sensors.h"

#define IOF_CORR_METRICS 6                    /* packets, bytes, flows x out, in */
#define IOF_CORR_MAX_DEVICES 65536            /* traffic devices (= the timeline's cap) */
#define IOF_CORR_MAX_CELLS (1ull << 28)       /* devices x seconds x 6 counts held (4 B each:
                                               * 1 GiB; 60 devices x 8.6 days) */
#define IOF_CORR_NAME IOF_MAX_SENSOR_ID       /* bytes of a device name, NUL included (longer: refused) */
#define IOF_CORR_MAX_PAIRS (1u << 20)         /* pairs scored (~150 B each; a home has ~1,000) */
#define IOF_CORR_MAX_SENSOR_CELLS (1ull << 26) /* paired sensor series x seconds held prepared
                                               * (16 B each: 1 GiB; 25 series x 31 days) */
#define IOF_CORR_MAX_TIME_NS (INT64_MAX - 2 * 86400 * 1000000000LL) /* 2262: times past it refused */

typedef struct iof__corr iof__corr;

/* metric m: 0 packets_out, 1 packets_in, 2 bytes_out, 3 bytes_in, 4 flows_out, 5 flows_in */
const char *iof__corr_metric_name(int m);

int iof__corr_create(iof__corr **out, const iof__xcorr_config *xc);
void iof__corr_free(iof__corr *c);

/* One device's counts of one second (added to what the second already has). Returns 0,
 * IOF_E_FORMAT (a time outside [0, IOF_CORR_MAX_TIME_NS]; a device name empty, of
 * IOF_CORR_NAME bytes or more, or holding a NUL), IOF_E_LIMIT (span beyond IOF_XCORR_MAX_N
 * seconds, more devices or cells than the caps), IOF_E_NOMEM; the message in err. */
int iof__corr_add(iof__corr *c, int64_t sec_ns, const char *device, size_t device_len,
                  const uint64_t counts[IOF_CORR_METRICS], char *err, size_t errlen);
/* A covered second with no device in it (the timeline's seconds that had no traffic at all are
 * still rows with zeros, so this is rarely needed). */
int iof__corr_cover(iof__corr *c, int64_t sec_ns, char *err, size_t errlen);

typedef struct iof__corr_pair {
    uint32_t sensor, traffic;  /* series indices */
    iof__xcorr_result res;
} iof__corr_pair;

typedef struct iof__corr_series {
    char device[IOF_CORR_NAME];
    char name[IOF_MAX_SENSOR_NAME]; /* sensor column or traffic metric */
    const char *kind;               /* sensors: "level" / "change"; traffic: "log1p" */
    size_t present, events;
    bool paired;                    /* enough events (else not paired) */
} iof__corr_series;

typedef struct iof__corr_summary {
    int64_t t0_ns;             /* the first second; 0 when there is no traffic */
    size_t nsec, covered;      /* seconds spanned, seconds with traffic rows */
    size_t traffic_devices, sensor_devices;
    size_t traffic_series, traffic_paired, sensor_series, sensor_paired;
    size_t sensor_overlap;     /* sensor series with a value inside the traffic's span */
    size_t pairs, significant;
} iof__corr_summary;

/* Builds the sensor series over the traffic's span (tolerance: how long a reading stands, ns)
 * and scores every paired (sensor, traffic) series; then ranks: significant first, then by z,
 * |r|, and names (s may be NULL: no sensor series). threads: 1 = the caller's thread only, else one helper too. */
int iof__corr_run(iof__corr *c, const iof__sensors *s, int64_t tolerance_ns, unsigned threads, char *err,
                  size_t errlen);

void iof__corr_get_summary(const iof__corr *c, iof__corr_summary *out);
size_t iof__corr_npairs(const iof__corr *c);
const iof__corr_pair *iof__corr_pair_at(const iof__corr *c, size_t rank);
const iof__corr_series *iof__corr_sensor(const iof__corr *c, size_t i);
const iof__corr_series *iof__corr_traffic(const iof__corr *c, size_t i);
/* The r curve of the pair at rank (2L + 1 values, r[L + lag]; kept for no pair, recomputed: a
 * few pairs are drawn, and r curves of every pair would be pairs x (2L + 1) doubles). Call
 * after iof__corr_run. Returns 0 or IOF_E_NOMEM. */
int iof__corr_r_curve(const iof__corr *c, size_t rank, double *r);
/* The values of series i for plotting (nsec values, NaN missing): a sensor series as
 * correlated (level or change), a traffic series as raw counts. out has nsec values. */
void iof__corr_sensor_values(const iof__corr *c, const iof__sensors *s, int64_t tolerance_ns, size_t i, double *out);
void iof__corr_traffic_values(const iof__corr *c, size_t i, double *out);

#endif
