/* `iotflow correlate --plot FILE.svg` (docs/SENSORS.md "The plot"): a picture a person can read
 * of the top-ranked sensor/traffic pairs. One row per pair:
 *  - left: r against lag (-L..+L), the best lag marked, the null's mean and the level a peak
 *    needs to be significant (null_mean + threshold * null_sd) drawn as reference lines;
 *  - right: the two series aligned on one time axis around the pair's strongest events (the
 *    seconds where the sensor series deviates most from its most common value), each scaled to
 *    its own range, with the event and event + best lag marked.
 * Our own small SVG writer: text is escaped, every number is finite, nothing is read back. */
#ifndef IOF_ANALYSIS_CORRPLOT_H
#define IOF_ANALYSIS_CORRPLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/xcorr.h"

#define IOF_CORRPLOT_MAX_PAIRS 12  /* rows drawn at most */
#define IOF_CORRPLOT_EVENTS 3      /* event windows per pair */

typedef struct iof__corrplot_pair {
    const char *sensor_device;  /* e.g. "motion-1" */
    const char *sensor;         /* column, e.g. "motion" */
    const char *sensor_series;  /* "level" or "change" */
    const char *traffic_device; /* e.g. "nas-1" */
    const char *traffic;        /* e.g. "packets_out" */
    iof__xcorr_result res;
    const double *r;            /* 2L + 1 values, r[L + lag] (0 where undefined) */
    const double *y;            /* the sensor series as correlated: nsec values, NaN = missing */
    const double *x;            /* the traffic series, raw counts per second: nsec values, NaN = missing */
} iof__corrplot_pair;

typedef struct iof__corrplot {
    const iof__corrplot_pair *pairs; /* ranked, best first */
    size_t n;                        /* drawn: min(n, IOF_CORRPLOT_MAX_PAIRS) */
    int max_lag;                     /* L */
    double threshold;                /* z threshold of significance */
    int64_t t0_ns;                   /* the first second (UTC, ns) of the series */
    size_t nsec;                     /* length of x and y */
    const char *title;               /* e.g. the inputs; may be NULL */
} iof__corrplot;

/* Writes the SVG document to out. Returns 0, IOF_E_IO (a write failed), IOF_E_NOMEM. n == 0
 * writes a valid document saying there is nothing to plot. */
int iof__corrplot_svg(FILE *out, const iof__corrplot *p);

#endif
