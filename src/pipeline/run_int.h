/* The run object shared by the pipeline files (run.c: the packet loop; report.c: summary and
 * stats JSON; progress.c: the stderr progress bar). */
#ifndef IOF_PIPELINE_RUN_INT_H
#define IOF_PIPELINE_RUN_INT_H

#include <signal.h>
#include <stdint.h>

#include "capture/source.h"
#include "decode/frag.h"
#include "flow/cflow.h"
#include "features/cffeat.h"
#include "features/feature.h"
#include "flow/joyflow.h"
#include "flow/inventory.h"
#include "iotflow/iotflow.h"
#include "kinds/customflow.h"
#include "kinds/labelcols.h"
#include "kinds/telemetry.h"
#include "kinds/timeline.h"
#include "output/gzout.h"
#include "output/sink.h"
#include "output/textbuf.h"
#include "labels/labeller.h"
#include "pipeline/hub.h"
#include "sensors/sensors.h"
#include "pipeline/stats.h"

#define IOF_FRAGTAB_ENTRIES 65536        /* datagrams in reassembly-key table */
#define IOF_MAX_MEMORY_MIN (1ULL << 20)  /* smallest --max-memory: below, every record of a
                                            payload-heavy flow would leave after one packet */
#define IOF_MAX_MEMORY_FLOOR (64ULL << 20) /* default --max-memory never below this: 64 MiB
                                              hold ~6,000 records at the defaults' full payload */
#define IOF_FRAG_TIMEOUT_NS (30LL * 1000000000LL) /* RFC 791 suggests 15 s; Linux uses 30 s */
#define IOF_DAY_GRACE_NS (60LL * 1000000000LL) /* a day's files are completed once the clock is
                                                  this much past the day's end + the window:
                                                  late packets within it still join their day */

typedef struct iof__progress {
    bool on;
    uint64_t total_bytes;      /* sum of input sizes, 0 if unknown */
    uint64_t done_bytes;       /* bytes of finished inputs */
    int64_t last_ns, start_ns;
    bool drawn;
} iof__progress;

/* Sees every decoded packet (after fragment resolution, before attribution): the hook of
 * packet consumers other than the flow policy (device discovery). Frame bytes are borrowed. */
typedef void (*iof__pkt_observer)(void *ctx, const iof__frame *f, const iof__pkt *pkt);

struct iof_run {
    iof_config cfg;
    char **inputs;             /* expanded input list */
    size_t n_inputs;
    char *output_dir;
    iof__inventory *inv;
    iof__labeller *labels;         /* --rules, or NULL */
    iof__dnsmap *dnsmap;           /* rules on `dns`: the names the capture resolved, or NULL */
    iof__snimap *snimap;           /* rules on `sni`: the TLS server names, or NULL */
    iof__appmap *appmap;           /* rules on `app`: nDPI's applications, or NULL */
    iof__namemaps names;           /* both, as the label attributes read them */
    bool dns_for_rules, sni_for_rules, app_for_rules; /* the label rules read the map (else only
                                                         --features) */
    uint64_t names_fed;            /* decoded packets fed to the name maps (their feed numbers) */
    bool max_memory_given;         /* --max-memory was given (not the machine's default) */
    iof__sensors *sensors;         /* --sensors, or NULL */
    iof__sensors_stats sensors_st; /* its reader's counts (summary, stats JSON) */
    const iof__row_kind *sens_kind; /* the written kind whose rows get sensor context (counted) */
    size_t n_inputs_unsharded;     /* --shard: input files before the split */
    iof__fragtab *frag;
    iof__cflow *flows;             /* the custom-flow table, or NULL when sharded: */
    struct iof__shard *shard;      /* --threads N: N flow workers (pipeline/shard.h) */
    iof__sink *sink;
    iof__pipe pipe;            /* view consumers (the flow policies) and the record hub */
    iof__stats st;
    iof__progress progress;
    struct iof__merge *volatile merge; /* while reading: for iof_run_stop() */
    int input_rc;              /* first input problem (the run goes on with the others) */
    size_t clock_input;        /* input whose frame set the clock (last_ts_ns) */
    int64_t complete_at;       /* clock at which the next day's files can be completed */
    size_t unpublished;        /* files removed after IOF_E_EXISTS */
    uint8_t *inv_seen;         /* per inventory device: 1 once it has a record */
    int stats_rc;              /* the statistics JSON could not be written */
    char stats_err[512];
    volatile sig_atomic_t stop;
    iof__pkt_observer observer; /* optional, see above */
    void *observer_ctx;
    bool no_flows;             /* observer only: no flow table, no records, no outputs */
    unsigned test_slow_us;     /* IOF_TEST_SLOW_US: sleep per packet (R8 drop-accounting test) */
    int output_rc;
    char errmsg[1024];
    iof__cf_rowcfg rowcfg;
    iof__featset cffeats;      /* --features byte_dist / entropy: the records' modules */
    uint64_t cf_cuts[IOF_FEAT_MAX_MODULES]; /* custom-flow records whose group (registry index) lost
                                               something to a column's cap (iof__cffeat_count_cuts) */
    iof__kv kv[16];             /* Parquet key-value metadata (values below) */
    char kvbuf[11][256];
    char kvinputs[8192];
    /* -f joy (joyrun.c): the Joy flow policy and its gzip NDJSON file */
    iof__joyflow *joy;
    iof__featset joyfeats;     /* its feature modules (features/joyfeat.h) */
    iof__gzout *joyout;        /* open until published or aborted */
    iof__tbuf joybuf;          /* one flow's line */
    iof__lbl_row joylabels;    /* --rules: one flow's labels */
    /* --table telemetry: the per-second policy and its rows' settings */
    iof__telem *telem;
    iof__tel_rowcfg telcfg;
    iof__timeline *timeline;   /* --table timeline: the telemetry rows summed per device */
    /* optional, set between create and execute (iotflow correlate): the timeline's rows go to
     * this function instead of a sink; no custom-flow records and no output files are made */
    iof__tl_emit_fn tl_tap;
    void *tl_tap_ctx;
    iof__tl_rowcfg tlcfg;
    iof__tl_names_src tl_names;    /* --features dns / tls: the timeline's names source */
    char joy_path[4096];       /* final path, or "-" */
    uint64_t joy_rows;         /* flows written (the config line not counted) */
    uint64_t joy_cuts[IOF_FEAT_MAX_MODULES]; /* flows whose module (registry index) lost something
                                                to a bound (iof__featset_count_cuts) */
    bool joy_replaced;         /* --overwrite replaced an earlier run's file */
    bool joy_published;
};

int iof__joyrun_setup(iof_run *r, uint64_t hash_seed);
/* One frame: its decoded packet (when decoded) to the policy, and the frame to Joy's filter. */
int iof__joyrun_frame(iof_run *r, const iof__frame *f, bool decoded, const iof__pkt *pkt);
/* End of input: the remaining flows written, the gzip stream ended, the file completed. */
int iof__joyrun_finish(iof_run *r);
/* Publishes the completed file (ok) or removes it. */
int iof__joyrun_close(iof_run *r, bool ok);
void iof__joyrun_destroy(iof_run *r);

void iof__progress_start(iof__progress *p, bool on, uint64_t total);
void iof__progress_update(iof__progress *p, uint64_t cur_bytes, uint64_t frames);
void iof__progress_end(iof__progress *p);
int64_t iof__now_ns(void);

#endif
