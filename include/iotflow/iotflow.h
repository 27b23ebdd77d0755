/* iotflow — packet captures to IoT flow datasets. The ONLY public header of libiotflow.
 *
 * Conventions (docs/ARCHITECTURE.md):
 *  - functions return iof_err (0 = OK, negative = error); iof_strerror()/iof_errname() name it;
 *    human detail text (file, offset, errno text) is kept in the handle (…_errmsg()).
 *  - configuration is a struct initialised by …_init() with documented defaults;
 *  - create/destroy pairs; destroy(NULL) is a no-op; the caller owns what it passes in.
 */
#ifndef IOTFLOW_IOTFLOW_H
#define IOTFLOW_IOTFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IOF_VERSION_MAJOR 0
#define IOF_VERSION_MINOR 1
#define IOF_VERSION_PATCH 0
const char *iof_version_string(void);
/* The nDPI version this build uses for the label rules' `app` condition, or NULL when it was
 * built without nDPI (then rules on `app` are refused). */
const char *iof_ndpi_version(void);

/* ---- errors ------------------------------------------------------------------------- */
#define IOF_ERRNO_MAP(X)                                                          \
    X(OK, 0, "success")                                                           \
    X(E_NOMEM, -1, "out of memory")                                               \
    X(E_IO, -2, "input/output error")                                             \
    X(E_FORMAT, -3, "not a supported capture or data file")                       \
    X(E_TRUNCATED_INPUT, -4, "input is damaged or truncated")                     \
    X(E_LIMIT, -5, "a configured limit was reached")                              \
    X(E_INVAL, -6, "invalid argument or configuration")                           \
    X(E_INTERRUPTED, -7, "interrupted")                                           \
    X(E_OUTPUT, -8, "output could not be written")                                \
    X(E_UNSUPPORTED, -9, "unsupported")                                         \
    X(E_EXISTS, -10, "output of an earlier run is in the way")                  \
    X(E_CLOSED, -11, "the reader of standard output went away (broken pipe)")

typedef enum iof_err {
#define IOF_ERR_ENUM_(name, code, text) IOF_##name = code,
    IOF_ERRNO_MAP(IOF_ERR_ENUM_)
#undef IOF_ERR_ENUM_
} iof_err;

const char *iof_strerror(int err);
const char *iof_errname(int err);

/* ---- extraction configuration ------------------------------------------------------- */
typedef enum iof_layout { IOF_LAYOUT_DEFAULT = 0, IOF_LAYOUT_WIDE, IOF_LAYOUT_NESTED } iof_layout;
/* What -f parquet/csv/jsonl write: custom-flow records (default), the per-second flow
 * telemetry table or the per-device timeline (docs/OUTPUT.md); -f joy always writes Joy flows. */
typedef enum iof_table { IOF_TABLE_CUSTOMFLOW = 0, IOF_TABLE_TELEMETRY, IOF_TABLE_TIMELINE } iof_table;

enum iof_format_bits {
    IOF_FMT_PARQUET = 1u << 0,
    IOF_FMT_CSV = 1u << 1,
    IOF_FMT_JSONL = 1u << 2,
    IOF_FMT_JOY = 1u << 3,    /* Joy 3.0.3 flows, gzip NDJSON (docs/JOY.md) */
};
/* --features: per-flow feature groups (docs/OUTPUT.md "Feature columns"). Which table takes
 * which names: the timeline table takes dns and tls (the names contacted each second); custom-flow
 * records take byte_dist, entropy, splt, wht, dns, tls, dhcp, payload, http, idp, hd and ppi
 * (Joy-style per-record features)
 * and l7 (nDPI's application: a build with nDPI only); the telemetry table none.
 * Any other pairing is refused by iof_run_create. */
enum iof_feature_bits {
    IOF_FEATURE_DNS = 1u << 0,       /* timeline: DNS names (the capture's answers); custom-flow:
                                        dns_* (the record's DNS messages) */
    IOF_FEATURE_TLS = 1u << 1,       /* timeline: TLS server names (ClientHello SNI) */
    IOF_FEATURE_BYTE_DIST = 1u << 2, /* custom-flow: byte_dist counts, byte_dist_mean, _std */
    IOF_FEATURE_ENTROPY = 1u << 3,   /* custom-flow: entropy, total_entropy */
    IOF_FEATURE_SPLT = 1u << 4,      /* custom-flow: splt_* (first data packets' lengths, times) */
    IOF_FEATURE_WHT = 1u << 5,       /* custom-flow: wht_0..wht_3 (Walsh-Hadamard sums) */
    IOF_FEATURE_DHCP = 1u << 6,      /* custom-flow: dhcp_* (a client's DHCP options) */
    IOF_FEATURE_PAYLOAD = 1u << 7,   /* custom-flow: payload_out, payload_in (first 32 bytes) */
    IOF_FEATURE_L7 = 1u << 8,        /* custom-flow: l7_app, nDPI's application of the record's
                                        connection (a build with nDPI only) */
    IOF_FEATURE_HTTP = 1u << 9,      /* custom-flow: http_* (the first HTTP/1.x request and
                                        response heads) */
    IOF_FEATURE_IDP = 1u << 10,      /* custom-flow: idp_* (each direction's initial data packet) */
    IOF_FEATURE_HD = 1u << 11,       /* custom-flow: hd_* (each direction's header description) */
    IOF_FEATURE_PPI = 1u << 12,      /* custom-flow: ppi_* (the first TCP segments' per-packet
                                        information) */
    IOF_FEATURE_ALL = 1u << 30,      /* "all": every feature the run's table (and output) takes,
                                        resolved by iof_run_create (none for telemetry or -f joy
                                        alone: not an error) */
};
/* Parses a --features list ("dns,tls", "byte_dist,entropy", "all"; names separated by commas)
 * into IOF_FEATURE_* bits ("all": IOF_FEATURE_ALL). IOF_E_INVAL with a message naming the
 * unknown name and the known ones. */
iof_err iof_features_parse(const char *list, unsigned *out, char *errbuf, size_t errlen);
/* The names of the bits in `features`, comma-separated, into buf (as --features takes them). */
const char *iof_features_text(unsigned features, char *buf, size_t len);
enum iof_variant_bits { IOF_VARIANT_BI = 1u << 0, IOF_VARIANT_UNI = 1u << 1 };
typedef enum iof_partition { IOF_PARTITION_DAY = 0, IOF_PARTITION_HIVE } iof_partition;
typedef enum iof_codec { IOF_CODEC_ZSTD = 0, IOF_CODEC_SNAPPY, IOF_CODEC_NONE } iof_codec;
/* Several inputs: merged by packet time (default) or read one after the other. */
typedef enum iof_input_order { IOF_INPUT_ORDER_TIME = 0, IOF_INPUT_ORDER_NAME } iof_input_order;
/* An output path that already holds a file of an earlier run. */
typedef enum iof_existing {
    IOF_EXISTING_REFUSE = 0,  /* stop with IOF_E_EXISTS; this run's files are removed */
    IOF_EXISTING_OVERWRITE,   /* replace it (and that day's later part files) */
    IOF_EXISTING_APPEND,      /* write a new part file beside it */
} iof_existing;
/* zstd levels of Parquet pages: -1 (zstd --fast=1) by default. On record-rate traffic the
 * dictionary-index pages of the payload columns are nearly random bits, and level 1's Huffman
 * coding of their literals costs ~40% of the writer's compression time for ~2.7% of the file
 * (docs/ARCHITECTURE.md). */
#define IOF_ZSTD_LEVEL_DEFAULT (-1)
#define IOF_ZSTD_LEVEL_MIN (-7)
#define IOF_ZSTD_LEVEL_MAX 22

#define IOF_MAX_INPUTS 4096
#define IOF_MAX_THREADS 64   /* iof_config.threads: flow workers of one run, at most (more are refused) */

/* What the library has to tell the user while it runs, besides the result (an input skipped
 * or damaged, a file of a directory that is not a capture): one line of text each, without a
 * line break, naming the file. The caller decides where it goes (the CLI: stderr, prefixed
 * "iotflow: "); NULL: nowhere. The library itself never writes to stderr or stdout. */
typedef void (*iof_message_fn)(void *ctx, const char *text);

typedef struct iof_config {
    /* inputs: files, directories or "-" (stdin); or a live interface */
    const char *const *inputs;
    size_t n_inputs;
    iof_input_order input_order; /* several inputs: TIME (default, k-way merge) or NAME */
    unsigned shard, shards;  /* --shard K/N (1 <= K <= N): read only this run's share of the
                                expanded inputs (split by size, the same on every machine), and
                                name the files it writes apart from other shards' (0/0: all) */
    const char *interface;   /* live capture when non-NULL */
    const char *filter;      /* BPF expression applied before decoding, or NULL */
    int live_snaplen;        /* default 65535 */
    int live_buffer_kib;     /* 0: libpcap default */
    double duration_s;       /* live: stop after this many seconds (0 = until signalled) */

    const char *output_dir;  /* default "./iotflow-out"; "-" streams one format to stdout */
    iof_existing existing;   /* files of an earlier run in the way: REFUSE (default) */
    unsigned formats;        /* IOF_FMT_* bits; default parquet */
    iof_layout layout;       /* DEFAULT: wide for parquet/csv, nested for jsonl */
    iof_table table;         /* CUSTOMFLOW (default), TELEMETRY or TIMELINE */
    double telemetry_idle_s; /* --table telemetry/timeline: a flow idle this long has ended
                                (default 60) */
    unsigned variants;       /* IOF_VARIANT_* bits; default both */
    iof_partition partition;
    iof_codec compression;
    int compression_level;   /* zstd level, IOF_ZSTD_LEVEL_MIN..MAX (negative: zstd's fast
                                levels); 0 = IOF_ZSTD_LEVEL_DEFAULT */

    const char *devices_file; /* inventory CSV (docs/DEVICES.md: a header naming mac, name,
                               * type, ip, or mac,name,type[,ip...] rows; `iotflow devices`
                               * output as it is); NULL = local ranges */
    const char *const *rules_files; /* --rules: label rule files (docs/LABELS.md), one per set
                                       of keys; each key K adds columns K and K_rule */
    size_t n_rules_files;
    const char *sensors_file; /* --sensors: sensor readings CSV (docs/SENSORS.md: timestamp,
                               * device_id and numeric value columns; device_id an inventory
                               * name or a MAC, resolved through devices_file). --table timeline
                               * only for now: each value column becomes a timeline column.
                               * NULL = none */
    double sensor_tolerance_s; /* --tolerance: a reading stands for at most this long after its
                                  time (as-of lookup), 0..3600; default 2 */
    double window_s;          /* record lifetime, default 60 */
    unsigned packets;         /* i: packet slots per record, default 10 (max 1000) */
    unsigned payload;         /* j: payload bytes per packet, default 1000 (max 65535) */
    unsigned payload_total;   /* B: wide-layout payload stream slots, default 3000 */
    uint64_t max_flows;       /* cap on live records, default 1000000; oldest evicted early */
    uint64_t max_memory;      /* bound in bytes on the flow table (live records, their payload
                                 buffers, buckets); the oldest evicted early, like max_flows.
                                 0 = default: a quarter of the memory the process may use (RAM,
                                 or a lower cgroup limit), at least 64 MiB; UINT64_MAX: none */
    bool anonymise;           /* write private remote IPs as 0.0.0.0 / :: (default true) */
    bool device_ip;           /* add a device_ip column (default false: an identifier of the
                                 local network, left out of the dataset-compatible layout) */
    unsigned features;        /* --features: IOF_FEATURE_* bits (default 0: none): dns, tls on
                                 the timeline; byte_dist, entropy, splt, wht, dns, tls, dhcp,
                                 payload, http, idp, hd, ppi, l7 on custom-flow records */
    bool last_seen;           /* add a LastSeen / last_seen column to custom-flow records: the
                                 record's last packet time, so a later reader knows its lifetime
                                 (default false: not in the dataset-compatible layout). Custom-flow
                                 table only: refused with --table telemetry/timeline or -f joy alone */
    bool end_reason;          /* add an end_reason column to custom-flow records and an
                                 "end_reason" member to Joy flows (-f joy): why each ended
                                 (window, idle, active, evicted, end_of_input, stopped; default
                                 false: not in the dataset-compatible layout nor in Joy's).
                                 Refused with --table telemetry/timeline */
    unsigned threads;         /* 1: everything on the caller's thread (the same output); N > 1:
                                 N custom-flow workers beside the reading thread where the run
                                 can be sharded (else one, and the summary says why), plus the
                                 output's helper threads; 0 (default): one flow worker and the
                                 output's helpers, one per core. The output is the same for
                                 every value. At most IOF_MAX_THREADS */
    uint64_t hash_seed;       /* 0 = random at start; fixed in tests */
    unsigned joy_idp;         /* -f joy: Joy's idp=N, bytes kept of each direction's initial
                                 data packet (idp_out/idp_in); 0 = off (Joy's default), max 1500 */
    bool progress;            /* progress bar on stderr (caller decides: terminal + large) */
    iof_message_fn on_message; /* see iof_message_fn; NULL: messages are dropped (they are
                                  also in the statistics: inputs[].error) */
    void *message_ctx;
} iof_config;

/* Fills every field with its default. */
void iof_config_init(iof_config *cfg);

/* ---- a run: inputs -> records -> outputs ------------------------------------------- */
typedef struct iof_run iof_run;

/* Validates cfg (copies what it needs) and loads the device inventory.
 * Returns IOF_E_INVAL with a message in errbuf (size errlen) on a bad configuration. */
iof_err iof_run_create(iof_run **out, const iof_config *cfg, char *errbuf, size_t errlen);
void iof_run_destroy(iof_run *run);

/* Reads every input, writes every output. Returns OK, IOF_E_TRUNCATED_INPUT (a capture was
 * damaged: everything before the damage is written), IOF_E_FORMAT/IOF_E_IO (an input could not
 * be read), IOF_E_OUTPUT (an output could not be written: no partial file is left under a final
 * name), IOF_E_INTERRUPTED (iof_run_stop() was called: outputs are complete for what was read). */
iof_err iof_run_execute(iof_run *run);

/* Async-signal-safe: asks a running iof_run_execute() to stop at the next packet. */
void iof_run_stop(iof_run *run);

/* Async-signal-safe: removes every temporary output file this process has open (for a hard
 * exit on a second signal; final names are never touched). Returns how many it removed. */
size_t iof_remove_temp_files(void);

/* Human-readable detail of the last error (file name, offset, errno text), or "". */
const char *iof_run_errmsg(const iof_run *run);

/* The run's verdict, worst first: FAILED (an output could not be written, or an earlier run's
 * files were in the way, or the statistics file could not be written), INPUT ERROR (an input
 * was damaged or unreadable), INTERRUPTED, WARN (the run worked but its result is probably not
 * what was wanted: no packets, most packets dropped, no records, no inventory device seen,
 * packets going back in time across inputs, kernel drops), OK. */
typedef enum iof_verdict {
    IOF_VERDICT_OK = 0, IOF_VERDICT_WARN, IOF_VERDICT_INTERRUPTED, IOF_VERDICT_INPUT_ERROR,
    IOF_VERDICT_FAILED
} iof_verdict;
/* The verdict and its one-line explanation (the text after "verdict: NAME: "). */
iof_verdict iof_run_verdict(const iof_run *run, char *text, size_t len);
const char *iof_verdict_name(iof_verdict v);   /* "OK", "WARN", "FAILED", ... */

/* Writes the run summary (tables + one-line verdict) as text, or the statistics as JSON
 * (atomically; the verdict is part of it). A failed statistics write makes the verdict FAILED
 * (call it before printing the summary). */
void iof_run_print_summary(const iof_run *run, FILE *fp);
iof_err iof_run_write_stats_json(iof_run *run, const char *path);

/* ---- leakage audit of labelled outputs (iotflow audit, docs/LABELS.md) ------------------- */
typedef struct iof_audit_options {
    const char *label;      /* the label column (a --rules key), e.g. "label" */
    int variant;            /* 0 bidirectional, 1 unidirectional records */
    double threshold;       /* score from which a column is flagged (default 0.9) */
    uint64_t max_rows;      /* records kept for scoring; later ones are counted only */
    uint64_t shuffle_seed;  /* != 0: labels permuted first (the control) */
    bool json;              /* print JSON instead of the table */
} iof_audit_options;
/* Scores every identifier and base column of the labelled outputs under PATHs (.parquet,
 * .jsonl, .csv, or directories) by how well it predicts the label on its own, prints the
 * ranked table (or JSON) to out, and sets *leaks to the identifier columns flagged.
 * Returns OK or the first error (an unreadable file is reported through on_message and the
 * rest are still read); message in errbuf. */
iof_err iof_audit_paths(const char *const *paths, size_t n, const iof_audit_options *opts, FILE *out,
                        iof_message_fn on_message, void *message_ctx, size_t *leaks, char *errbuf,
                        size_t errlen);

/* ---- relabelling written outputs (iotflow label, docs/LABELS.md) -------------------------- */
typedef struct iof_label_options {
    const char *const *rules;  /* the --rules files, one per set of keys (at most 16) */
    size_t n_rules;
    const char *out_dir;       /* where the relabelled copies go (required) */
    bool overwrite;            /* replace files already at the output paths */
    unsigned threads;          /* Parquet writer: 1 = no helper thread, 0 = by cores */
    iof_message_fn on_message; /* rule warnings; a file that could not be relabelled */
    void *message_ctx;
} iof_label_options;
/* Relabels the custom-flow outputs (.parquet, .csv, .jsonl) and Joy files (.json.gz) under PATHs
 * (or directories: every such file, each format; captures in them are skipped with a message)
 * with the rule files: each is copied to out_dir (its path below a
 * directory argument kept; a file argument by its name) with its label columns replaced by the
 * rules' keys, where extract --rules puts them, under a temporary name renamed when complete.
 * Prints a line per file and the rows per label to out. Every file is checked first: a rule
 * reading an attribute a file does not carry, a key colliding with a column, an output path
 * taken (without overwrite) or a capture among the inputs writes nothing (IOF_E_INVAL). A file
 * that turns out damaged is reported (on_message) and the others are still written
 * (IOF_E_FORMAT / IOF_E_IO). Message in errbuf. */
iof_err iof_label_paths(const char *const *paths, size_t n, const iof_label_options *o, FILE *out, char *errbuf,
                        size_t errlen);

/* ---- sensor context of written outputs (iotflow fuse OUTPUT..., docs/OUTPUT.md) ------------ */
typedef struct iof_fuse_options {
    const char *sensors_file;  /* the readings CSV (docs/SENSORS.md; required) */
    const char *devices_file;  /* the inventory the outputs were written with (may be NULL) */
    double tolerance_s;        /* how much older than an instant its reading may be (default 2) */
    const char *out_dir;       /* where the fused copies go (required) */
    bool overwrite;            /* replace files already at the output paths */
    unsigned threads;          /* Parquet writer: 1 = no helper thread, 0 = by cores */
    iof_message_fn on_message; /* skipped sensor rows; a file that could not be fused; warnings */
    void *message_ctx;
    unsigned *warnings;        /* optional: set to the warnings said (sensor rows skipped or bad,
                                * no row with a reading): the CLI's --strict exits 4 on them */
} iof_fuse_options;
/* Fuses the custom-flow outputs written with --last-seen and the timeline tables (.parquet,
 * .csv, .jsonl) under PATHs (or directories of them) with the sensor file: each is copied to
 * out_dir as iof_label_paths copies (paths, checks, atomic files, exit codes) with the sensor
 * columns extract --sensors gives the same rows, after every other column. Prints the sensor
 * file's counts, a line per file and the rows with and without a sensor device to out. */
iof_err iof_fuse_paths(const char *const *paths, size_t n, const iof_fuse_options *o, FILE *out, char *errbuf,
                       size_t errlen);
/* What iotflow fuse's PATHs are: IOF_FUSE_CAPTURES (captures, possibly with other files beside
 * them in a directory, or paths that cannot be listed: the run reports them), IOF_FUSE_OUTPUTS
 * (written outputs and no capture: iof_fuse_paths), IOF_FUSE_MIXED (an output file named beside
 * captures). */
typedef enum iof_fuse_kind { IOF_FUSE_CAPTURES, IOF_FUSE_OUTPUTS, IOF_FUSE_MIXED } iof_fuse_kind;
iof_fuse_kind iof_fuse_paths_kind(const char *const *paths, size_t n);

/* ---- traffic against sensor readings (iotflow correlate, docs/SENSORS.md) ---------------- */
typedef struct iof_correlate_options {
    const char *sensors_file;  /* required: the readings CSV (docs/SENSORS.md) */
    const char *devices_file;  /* inventory: device names of traffic and sensors; may be NULL */
    int max_lag;               /* L, seconds either way (default 60, at most 3600) */
    double tolerance_s;        /* a reading stands this long after its time (default 2) */
    double threshold;          /* z from which a pair is significant (default 6) */
    double alpha;              /* family-wise error rate over a run's pairs (Holm; default 0.05) */
    int shifts, confirm_shifts;/* null copies of the screen and of the confirmation (19, 99) */
    uint64_t seed;             /* where the copies fall (default 1) */
    unsigned top;              /* rows of the table (default 20; 0 = every pair) */
    bool csv;                  /* every pair as CSV instead of the table */
    const char *plot_path;     /* SVG of the top pairs, or NULL */
    unsigned threads;          /* 1: the caller's thread only; else one helper too */
    iof_message_fn on_message; /* inputs skipped or damaged, sensor rows skipped */
    void *message_ctx;
} iof_correlate_options;
void iof_correlate_options_init(iof_correlate_options *o);
/* PATHs are captures (read into the per-device timeline, as extract --table timeline) or
 * timeline tables written by extract (.parquet/.csv/.jsonl, or directories of them), not both.
 * Prints the ranked pairs (or CSV) to out, writes the plot, sets *significant. Returns OK,
 * IOF_E_INVAL (bad options or inputs), IOF_E_FORMAT/IOF_E_IO (an input or the sensor file could
 * not be read), IOF_E_LIMIT, IOF_E_OUTPUT (the plot); message in errbuf. */
iof_err iof_correlate_paths(const char *const *paths, size_t n, const iof_correlate_options *o, FILE *out,
                            size_t *significant, char *errbuf, size_t errlen);

/* ---- stats over captures or our outputs (iotflow stats) ---------------------------- */
/* Prints per-device and per-protocol tables for each PATH (capture, .jsonl, .csv, .parquet,
 * or a directory of them; one dataset present in several formats is counted once) and, when
 * json_path is not NULL, writes the same tables as JSON there (atomically). threads: the
 * captures' flow workers, as iof_config.threads (1: one thread; 0: one worker, helpers by cores).
 * Returns OK or the first error; message in errbuf. */
iof_err iof_stats_paths(const char *const *paths, size_t n, const char *devices_file, unsigned threads, FILE *out,
                        const char *json_path, iof_message_fn on_message, void *message_ctx,
                        char *errbuf, size_t errlen);

/* ---- device discovery (iotflow devices) -------------------------------------------- */
/* (section owned by src/devices/ + src/pipeline/devices.c; the CSV is documented in
 * docs/DEVICES.md)
 * Reads captures and writes a device inventory CSV, one row per unicast source MAC, that
 * `--devices` (iof_config.devices_file) accepts as it is: MAC, a name and a role guess
 * (router, phone/pc, device) with the evidence for it, own IPs, vendor, traffic, DHCP, mDNS
 * and SSDP details. */
#define IOF_DEVICES_MAX_OUI_FILES 8

typedef struct iof_devices_stats {
    uint64_t frames;          /* frames read */
    uint64_t packets;         /* decoded IP packets looked at */
    uint64_t without_mac;     /* ... without a source MAC (raw IP, loopback): no device */
    uint64_t devices;         /* rows written */
    uint64_t macs_dropped;    /* packets of MACs not tracked: the table was full (65,536) */
    uint64_t values_dropped;  /* IPs / mDNS names devices had beyond what a row lists, and
                                 facts not counted because the fact set was full */
    uint64_t ips_shared;      /* own IPs two or more devices sent: left out of their rows' ip
                                 (extract --devices refuses an IP listed for two devices); each address once */
    uint64_t dhcp, mdns, ssdp;/* messages used */
    uint64_t malformed;       /* DHCP / mDNS / SSDP payloads that did not parse to the end */
    char oui_source[1024];    /* vendor database file(s) used, "" if none */
    char oui_note[1024];      /* when no vendor is known: why (no database found, or the default
                                 one was unusable: file:line); "" otherwise */
} iof_devices_stats;

typedef struct iof_devices_config {
    const char *const *inputs; /* capture files, directories or "-" (stdin) */
    size_t n_inputs;
    const char *filter;        /* BPF expression, or NULL */
    const char *output;        /* file (written atomically: temp name + rename) or "-"
                                * (stdout); default "-" */
    const char *const *oui_files; /* vendor databases (Wireshark manuf, or IEEE oui.txt / mam.txt
                                   * / oui36.txt format), up to IOF_DEVICES_MAX_OUI_FILES; none:
                                   * /usr/share/wireshark/manuf if present, else
                                   * /usr/share/ieee-data/{oui,mam,oui36}.txt if present */
    size_t n_oui_files;
    void (*run_hook)(void *ctx, iof_run *run); /* optional: called with the run before reading
                                  * (hand it to a signal handler: iof_run_stop() ends the reading,
                                  * the inventory of what was read is written, the result is
                                  * IOF_E_INTERRUPTED), and with NULL before the run is destroyed */
    void *hook_ctx;
    iof_devices_stats *stats;  /* optional out: filled also when inputs were damaged */
    iof_message_fn on_message; /* inputs skipped or damaged (see iof_message_fn) */
    void *message_ctx;
} iof_devices_config;

/* Fills every field with its default. */
void iof_devices_config_init(iof_devices_config *cfg);

/* Returns IOF_OK; IOF_E_INVAL (bad configuration: no input, bad filter, a given vendor
 * database unreadable or malformed (file:line); nothing written); IOF_E_TRUNCATED_INPUT /
 * IOF_E_FORMAT / IOF_E_IO (an input was damaged or unreadable: the inventory of what was read
 * is written, unless no frame at all could be read; the message names the file and offset);
 * IOF_E_INTERRUPTED (see run_hook); IOF_E_OUTPUT (no partial file is left under the output name);
 * IOF_E_NOMEM. The message goes to errbuf (size errlen). The library prints nothing itself:
 * damaged inputs and the files of a directory it skips go to on_message. */
iof_err iof_devices_run(const iof_devices_config *cfg, char *errbuf, size_t errlen);

/* The inventory's columns in order, each with a one-line description (for --help and docs). */
typedef struct iof_column_doc {
    const char *name;
    const char *doc;
} iof_column_doc;
const iof_column_doc *iof_devices_columns(size_t *n);

/* ---- synthetic smart-home generator (iotflow synth) -------------------------------- */
/* (section owned by src/synth/; behaviour documented in docs/SYNTH.md)
 * Writes into output_dir (created if missing; files written under a temporary name and renamed
 * together when the run has succeeded): capture.pcap, devices.csv, sensors.csv, events.csv,
 * truth.csv. Output is a pure function of the configuration: same config (seed) -> same bytes.
 * Runs share no state: several may go on at once, in several threads. */
typedef struct iof_synth_stats {
    uint64_t packets;        /* frames written to capture.pcap */
    uint64_t bytes;          /* bytes of capture.pcap */
    uint64_t records;        /* truth.csv rows */
    uint64_t attack_records; /* truth.csv rows whose label is not benign */
    uint64_t sensor_rows;    /* sensors.csv rows */
    uint64_t events;         /* events.csv rows */
    unsigned devices;        /* devices.csv rows (devices + NAS) */
    double seconds;          /* wall-clock time of the run (not part of any output) */
} iof_synth_stats;

/* Traffic profiles (docs/SYNTH.md "Profiles"). */
typedef enum iof_synth_profile {
    IOF_SYNTH_HOME = 0,  /* smart home: camera video to a NAS, cloud TLS, large average packets */
    IOF_SYNTH_SMALL = 1, /* packet-rate benchmark: many devices' control traffic, small packets */
    IOF_SYNTH_DENSE = 2  /* record-rate benchmark: small's control traffic plus encrypted bulk
                          * (TLS downloads, camera video): a record every 5-10 packets */
} iof_synth_profile;

typedef struct iof_synth_config {
    const char *output_dir;  /* required */
    uint64_t seed;           /* default 1 */
    int64_t start_us;        /* capture start, µs since epoch; default 2024-06-23T18:00:00Z */
    double duration_s;       /* default 600 (10 min); 10 s .. 30 days */
    unsigned devices;        /* IoT devices (NAS and router come on top), 1..100; 0 = the
                              * profile's default (home 8, small and dense 60); default 0 */
    double attack_ratio;     /* share of non-benign truth records, default 0.1, 0 .. 0.5 */
    double scale;            /* traffic-rate multiplier for benchmarks, default 1, 0.1 .. 10000 */
    iof_synth_profile profile; /* default IOF_SYNTH_HOME */
    const char *stats_json;  /* optional: the run's statistics as JSON are written there
                              * (atomically, published with the other files) */
    iof_synth_stats *stats;  /* optional out: filled on success */
} iof_synth_config;

/* Fills every field with its default (output_dir NULL). */
void iof_synth_config_init(iof_synth_config *cfg);

/* "home" / "small" / "dense" -> profile; IOF_E_INVAL for another name. */
iof_err iof_synth_profile_parse(const char *name, iof_synth_profile *out);

/* Generates the dataset. Returns IOF_OK, IOF_E_INVAL (bad configuration, nothing written),
 * IOF_E_OUTPUT (a file could not be written: no partial file is left under a final name) or
 * IOF_E_NOMEM; a message goes to errbuf (size errlen). */
iof_err iof_synth_run(const iof_synth_config *cfg, char *errbuf, size_t errlen);

/* Parses "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (UTC) into µs since the epoch; IOF_E_INVAL if bad. */
iof_err iof_synth_parse_time(const char *text, int64_t *us);

#ifdef __cplusplus
}
#endif
#endif
