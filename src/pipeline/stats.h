/* Run statistics: every packet is accounted for (read = decoded + dropped by reason;
 * decoded = attributed + unattributed), per input, per device, per protocol, per output file.
 * Printed as the run summary and written as JSON (--stats FILE). */
#ifndef IOF_PIPELINE_STATS_H
#define IOF_PIPELINE_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode/reasons.h"
#include "flow/cflow.h"
#include "kinds/sensorcols.h"
#include "labels/labeller.h"

#define IOF_MAX_STAT_DEVICES 100000   /* rows of the per-device table; the rest -> "(other)" */
#define IOF_STAT_OTHER "(other)"      /* the row of the devices past the cap */

typedef struct iof__input_stat {
    char *path;
    const char *format;          /* "pcap", "pcapng", "live" */
    uint64_t frames;
    uint64_t wire_bytes;
    uint64_t ts_invalid;         /* frames whose timestamp was impossible (iof__src_stats) */
    bool gz_check_failed;        /* the damage is not located: a gzip member failed its check */
    int rc;                      /* 0 or the iof_err that ended this input */
    char *error;                 /* message (file + offset) or NULL */
} iof__input_stat;

typedef struct iof__dev_stat {
    char key[48];                /* MAC, or IP when the record has no MAC */
    char name[64], type[64];
    uint64_t records[IOF_VAR__COUNT];
    uint64_t packets, bytes;     /* over bidirectional records (all records if bi is off) */
} iof__dev_stat;

/* Records per label value (--rules): one row per (key, distinct value) met; value NULL = no
 * rule matched and the key has no default. Bounded by the rules: the distinct values of every
 * rule of every file, plus the defaults, on-missing values and "none" of every key. */
#define IOF_MAX_STAT_LABELS (IOF_MAX_RULE_FILES * IOF_RULES_MAX_RULES + 3 * IOF_RULES_MAX_KEYS)
enum { IOF_LBL_STAT_JOY = IOF_VAR__COUNT, IOF_LBL_STAT_TEL, IOF_LBL_STAT__COUNT }; /* after the variants: Joy flows, telemetry rows */
typedef struct iof__label_stat {
    size_t key;                  /* index among the run's keys */
    const char *value;           /* owned by the run's rule set (compared by pointer) */
    uint64_t records[IOF_LBL_STAT__COUNT]; /* custom-flow records per variant; Joy flows; telemetry rows */
} iof__label_stat;

typedef struct iof__proto_stat {
    uint64_t records, packets, bytes;
} iof__proto_stat;

typedef struct iof__stats {
    /* packets */
    uint64_t frames, wire_bytes, captured_bytes;
    uint64_t filtered;              /* skipped by --filter (not counted in frames) */
    uint64_t decoded;               /* turned into an IP packet summary */
    uint64_t drops[IOF_DROP__COUNT];
    uint64_t notes[IOF_NOTE__COUNT];
    uint64_t unattributed;          /* decoded, but no endpoint is a device */
    uint64_t attributed;            /* decoded and given to at least one device */
    uint64_t views;                 /* device views (mirrored packets count twice) */
    uint64_t ts_out_of_order;       /* timestamp older than the packet-time clock */
    uint64_t ts_backwards_across_inputs; /* of those: the clock was set by another input */
    uint64_t ts_invalid;            /* impossible timestamps, kept normalised or clamped (inputs') */
    int64_t first_ts_ns, last_ts_ns;
    bool have_ts;
    /* live capture (raw libpcap counters) */
    bool live, live_stats_ok;
    uint64_t ps_recv, ps_drop, ps_ifdrop;
    /* records */
    iof__cf_stats cf;
    uint64_t frag_orphans, frag_resolved;
    /* flow workers (--threads; pipeline/shard.h): how many built the records, why one when
     * more were asked for (NULL: not asked or sharded), the merge's counters */
    unsigned flow_workers;
    const char *flow_workers_why;
    uint64_t merge_held_peak, merge_evictions;
    uint64_t flow_workers_dropped;  /* live: packets left out, their worker was behind */
    /* tables */
    iof__input_stat *inputs;
    size_t n_inputs, cap_inputs;
    iof__dev_stat *devs;
    size_t n_devs, cap_devs;
    int32_t *dev_idx;               /* open addressing over key */
    size_t dev_mask;
    iof__proto_stat proto[256];
    iof__label_stat *labels;
    size_t n_labels, cap_labels;
    /* --sensors: the written records (per variant) or telemetry / timeline rows (IOF_VAR__COUNT)
     * that got sensor context, of them with a sensor device and with a reading */
    iof__sens_joined sensors_joined[IOF_VAR__COUNT + 1];
    /* run */
    double elapsed_s;
    bool interrupted, input_damaged;
} iof__stats;

void iof__stats_free(iof__stats *st);
iof__input_stat *iof__stats_add_input(iof__stats *st, const char *path);
/* Accounts one emitted record under its device key. */
void iof__stats_record(iof__stats *st, const char *key, const char *name, const char *type,
                       int variant, uint8_t proto, uint64_t packets, uint64_t bytes, bool count_traffic);
/* Counts one record under (key, value). 0 or IOF_E_NOMEM / IOF_E_LIMIT. */
/* counter: a variant (IOF_VAR_*), IOF_LBL_STAT_JOY or IOF_LBL_STAT_TEL */
int iof__stats_label(iof__stats *st, size_t key, const char *value, int counter);
/* Adds src's device and protocol tables to dst. */
void iof__stats_merge(iof__stats *dst, const iof__stats *src);
/* Sorted device table (by key); valid until the next stats call. */
void iof__stats_sort_devices(iof__stats *st);

#endif
