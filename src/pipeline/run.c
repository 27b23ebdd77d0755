/* The extraction pipeline: capture -> decode -> fragments -> attribution -> flow policy ->
 * sink. One loop, no allocation per packet, one flow-table lookup per device view. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/sysmem.h"
#include "common/walk.h"
#include "capture/merge.h"
#include "dataset/dataset.h"
#include "flow/attrib.h"
#include "kinds/addrtext.h"
#include "kinds/joy_json.h"
#include "kinds/sensorcols.h"
#include "kinds/telemetry.h"
#include "kinds/timeline.h"
#include "pipeline/run_int.h"
#include "pipeline/shard.h"

void iof_config_init(iof_config *c)
{
    memset(c, 0, sizeof(*c));
    c->live_snaplen = 65535;
    c->output_dir = "./iotflow-out";
    c->formats = IOF_FMT_PARQUET;
    c->layout = IOF_LAYOUT_DEFAULT;
    c->variants = IOF_VARIANT_BI | IOF_VARIANT_UNI;
    c->partition = IOF_PARTITION_DAY;
    c->compression = IOF_CODEC_ZSTD;
    c->window_s = 60;
    c->packets = 10;
    c->payload = 1000;
    c->payload_total = 3000;
    c->max_flows = 1000000;
    c->anonymise = true;
    c->telemetry_idle_s = 60;
    c->sensor_tolerance_s = 2;
}

/* A line for the caller's on_message (the library never prints). */
#define say(c, ...) iof__say((c)->on_message, (c)->message_ctx, __VA_ARGS__)

static void on_skip(void *ctx, const char *path, const char *why)
{
    say((const iof_config *)ctx, "skipping %s: %s", path, why);
}

/* The run writes custom-flow records in the wide layout (asked for, or Parquet / CSV's default). */
static bool writes_wide(const iof_config *c)
{
    return c->layout == IOF_LAYOUT_WIDE ||
           (c->layout == IOF_LAYOUT_DEFAULT && (c->formats & (IOF_FMT_PARQUET | IOF_FMT_CSV)));
}

/* The run writes custom-flow records in the nested layout (asked for, or JSON Lines' default). */
static bool writes_nested(const iof_config *c)
{
    return c->layout == IOF_LAYOUT_NESTED || (c->layout == IOF_LAYOUT_DEFAULT && (c->formats & IOF_FMT_JSONL));
}

/* --features on custom-flow records (resolved by iof_run_create: "all" is gone by then) */
static unsigned cf_features(const iof_config *c)
{
    return c->table == IOF_TABLE_CUSTOMFLOW ? c->features & iof__cffeat_bits() : 0;
}

/* The custom-flow row settings the options decide (the columns' probes and the run's rows start
 * here, so an opt-in column is added in one place); c->features resolved ("all" gone) */
static iof__cf_rowcfg cf_rowcfg(const iof_config *c, bool wide)
{
    return (iof__cf_rowcfg){ .wide = wide, .packets = c->packets, .payload_total = c->payload_total,
                             .anonymise = c->anonymise, .device_ip = c->device_ip, .last_seen = c->last_seen,
                             .end_reason = c->end_reason, .features = cf_features(c),
                             .l7 = c->table == IOF_TABLE_CUSTOMFLOW && (c->features & IOF_FEATURE_L7) };
}

/* Which --features names a run takes (docs/OUTPUT.md "Feature columns"): the timeline dns and
 * tls; custom-flow records byte_dist, entropy, splt, wht, dns, tls, dhcp, http, payload, idp,
 * hd and ppi, and l7 in a build with nDPI, when a parquet / csv / jsonl file holds them (Joy flows have
 * their own fixed features); telemetry rows none yet. What "all" means. */
static unsigned features_taken(const iof_config *c)
{
    if (c->table == IOF_TABLE_TIMELINE)
        return IOF_FEATURE_DNS | IOF_FEATURE_TLS;
    if (c->table == IOF_TABLE_CUSTOMFLOW && (c->formats & ~(unsigned)IOF_FMT_JOY))
        return iof__cffeat_bits() | (iof__appmap_available() ? (unsigned)IOF_FEATURE_L7 : 0u);
    return 0;
}

/* --features: "all" resolved to what the run takes, every other name checked against it (a
 * feature never silently missing). IOF_OK with *out the bits the run uses. */
static int resolve_features(const iof_config *c, unsigned *out, char *err, size_t errlen)
{
    const unsigned known = IOF_FEATURE_DNS | IOF_FEATURE_TLS | iof__cffeat_bits() | IOF_FEATURE_L7;
    unsigned f = c->features;
    *out = 0;
    if (f & ~(known | (unsigned)IOF_FEATURE_ALL))
        return iof__fail(err, errlen, IOF_E_INVAL, "unknown --features bits 0x%x", f);
    unsigned taken = features_taken(c), asked = f & known;
    if (f & IOF_FEATURE_ALL)
        f = asked | taken;
    unsigned refused = f & ~taken;
    /* the names each table takes, from the same bits as the checks (never a hand list) */
    const unsigned tl_bits = IOF_FEATURE_DNS | IOF_FEATURE_TLS, cf_bits = iof__cffeat_bits() | IOF_FEATURE_L7;
    char names[128], cf_names[160], tl_names[32], cf_only[160];
    iof_features_text(refused, names, sizeof(names));
    iof_features_text(cf_bits, cf_names, sizeof(cf_names));
    iof_features_text(tl_bits, tl_names, sizeof(tl_names));
    iof_features_text(cf_bits & ~tl_bits, cf_only, sizeof(cf_only));
    if ((refused & IOF_FEATURE_L7) && c->table == IOF_TABLE_CUSTOMFLOW && !iof__appmap_available())
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--features l7 is nDPI's application of each record: this iotflow was built without "
                         "nDPI (install libndpi-dev and rebuild: docs/LABELS.md \"Applications\")");
    if (refused && c->table == IOF_TABLE_TELEMETRY)
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--features %s: telemetry rows have no feature columns yet (not built yet): leave it "
                         "out (%s: --table customflow; %s: --table timeline)", names, cf_names, tl_names);
    if (refused && c->table == IOF_TABLE_TIMELINE)
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--features %s: the timeline takes dns and tls only; %s are columns of custom-flow "
                         "records (--table customflow)", names, cf_only);
    if (refused && !(c->formats & ~(unsigned)IOF_FMT_JOY))
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--features %s: Joy flows (-f joy) have their own fixed features (byte_dist and entropy "
                         "included); --features adds columns to parquet, csv and jsonl: add -f parquet or leave "
                         "it out", names);
    if (refused)
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--features %s on custom-flow records: not built yet (they take %s)", names, cf_names);
    *out = f;
    return IOF_OK;
}

/* --rules: every file loads (a bad one names file:line:col; exit 1 before any input is read),
 * its keys fit both layouts' column names, and its warnings reach the caller. */
static int load_rules(iof_run *r, char *err, size_t errlen)
{
    const iof_config *c = &r->cfg;
    int rc = iof__labeller_load(&r->labels, c->rules_files, c->n_rules_files, err, errlen);
    if (rc != IOF_OK)
        return rc == IOF_E_NOMEM ? rc : IOF_E_INVAL;
    /* key names first (the payload_total of the run was checked against the layout without
     * labels already), then the label columns' room in the wide layout. Both layouts' names:
     * a rule file fits every layout of a dataset (iotflow label relabels either); the layout
     * this run writes is checked first, so a clash in it names it */
    bool wide_first = writes_wide(c);
    for (int i = 0; i < 2; i++) {
        bool wide = wide_first ? i == 0 : i == 1;
        iof__cf_rowcfg probe = cf_rowcfg(c, wide);
        uint32_t room = iof__cf_wide_max_payload_total(&probe); /* a nested run may ask for more */
        if (wide && probe.payload_total > room)
            probe.payload_total = room;
        iof__schema s;
        IOF_TRY(iof__cf_schema(&s, &probe));
        rc = iof__lbl_check(&s, r->labels, err, errlen);
        iof__schema_free(&s);
        if (rc != IOF_OK && !(wide ? writes_wide(c) : writes_nested(c))) {
            size_t n = strlen(err);
            snprintf(err + n, errlen - n, "; this run writes %s, but a rule file must fit both layouts "
                     "(iotflow label relabels either)",
                     writes_wide(c) || writes_nested(c) ? (wide ? "the nested layout" : "the wide layout")
                                                        : "no custom-flow records");
        }
        if (rc != IOF_OK)
            return rc;
    }
    if (c->table == IOF_TABLE_TELEMETRY) {
        iof__tel_rowcfg tc = { 0 };
        iof__schema s;
        IOF_TRY(iof__tel_schema(&s, &tc));
        rc = iof__lbl_check(&s, r->labels, err, errlen);
        iof__schema_free(&s);
        if (rc != IOF_OK)
            return rc;
    }
    for (size_t k = 0; (c->formats & IOF_FMT_JOY) && k < iof__labeller_nkeys(r->labels); k++) {
        const char *key = iof__labeller_key(r->labels, k);
        if (iof__joy_json_key_taken(key))
            return iof__fail(err, errlen, IOF_E_INVAL,
                             "%s: label key \"%s\" is a member of Joy's flow objects (-f joy; end_reason: "
                             "--end-reason's): name the key otherwise", iof__labeller_key_where(r->labels, k), key);
    }
    /* `app` is nDPI's (flow/appmap.h): a build without it cannot give the labels */
    const char *need[IOF_LBL_NEED__COUNT];
    iof__labeller_needs(r->labels, need);
    if (need[IOF_LBL_NEED_APP] && !iof__appmap_available())
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "%s reads app, the application nDPI finds, but this iotflow was built without nDPI "
                         "(install libndpi-dev and rebuild: docs/LABELS.md \"Applications\")",
                         need[IOF_LBL_NEED_APP]);
    bool wide_used = writes_wide(c);
    iof__cf_rowcfg lp = cf_rowcfg(c, true);
    lp.labels = r->labels;
    uint32_t max_b = iof__cf_wide_max_payload_total(&lp);
    if (wide_used && c->payload_total > max_b)
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--rules adds %zu label columns: with --packets %u the wide layout's %d columns "
                         "leave room for --payload-total %u at most (got %u); --layout nested has no such limit",
                         2 * iof__labeller_nkeys(r->labels), c->packets, IOF_MAX_COLUMNS, max_b, c->payload_total);
    size_t nw = iof__labeller_nwarnings(r->labels);
    for (size_t i = 0; i < nw; i++) {
        const char *w = iof__labeller_warning(r->labels, i);
        if (w)
            say(c, "warning: %s", w);
        else {
            say(c, "warning: %zu more rule warning(s) not shown", nw - i);
            break;
        }
    }
    return IOF_OK;
}

/* --tolerance in ns (checked: 0..3600 s) */
static int64_t sensor_tol_ns(const iof_config *c)
{
    return iof__sensors_tolerance_ns(c->sensor_tolerance_s);
}

static void sensors_warn(void *ctx, const char *msg)
{
    say((const iof_config *)ctx, "warning: %s", msg);
}

/* --sensors: the file is configuration, like --devices (a fatal problem names file:line and
 * exits 1 before any input is read); its value columns must not take a timeline column's name;
 * its first problems reach the caller, the rest are counted (summary, stats JSON). */
static int load_sensors(iof_run *r, char *err, size_t errlen)
{
    const iof_config *c = &r->cfg;
    iof__sensors_config sc = { .inv = r->inv, .warn = sensors_warn, .warn_ctx = (void *)c };
    int rc = iof__sensors_load(c->sensors_file, &sc, &r->sensors, &r->sensors_st, err, errlen);
    if (rc != IOF_OK)
        return rc == IOF_E_NOMEM ? rc : IOF_E_INVAL;
    iof__schema s;
    if (c->table == IOF_TABLE_TIMELINE) {
        iof__tl_rowcfg probe = { 0 }; /* the timeline's own columns */
        IOF_TRY(iof__tl_kind.schema(&s, &probe, false));
        rc = iof__sens_check(&s, r->sensors, err, errlen);
        iof__schema_free(&s);
    } else if (c->table == IOF_TABLE_TELEMETRY) {
        iof__tel_rowcfg probe = { .labels = r->labels }; /* its columns and the labels' */
        IOF_TRY(iof__tel_schema(&s, &probe));
        rc = iof__sens_fuse_check(&s, r->sensors, err, errlen);
        iof__schema_free(&s);
    } else {
        /* the record's columns in both layouts (with the labels'), then the context columns' room in the wide one */
        for (int wide = 0; wide < 2 && rc == IOF_OK; wide++) {
            iof__cf_rowcfg probe = cf_rowcfg(c, wide);
            probe.labels = r->labels;
            uint32_t room = iof__cf_wide_max_payload_total(&probe);
            probe.payload_total = wide && c->payload_total > room ? room : c->payload_total;
            IOF_TRY(iof__cf_schema(&s, &probe));
            rc = iof__sens_fuse_check(&s, r->sensors, err, errlen);
            iof__schema_free(&s);
        }
        bool wide_used = writes_wide(c);
        iof__cf_rowcfg lp = cf_rowcfg(c, true);
        lp.labels = r->labels;
        lp.sensors = r->sensors;
        uint32_t max_b = iof__cf_wide_max_payload_total(&lp);
        if (rc == IOF_OK && wide_used && c->payload_total > max_b)
            rc = iof__fail(err, errlen, IOF_E_INVAL,
                           "--sensors adds sensor context columns: with --packets %u the wide layout's %d columns "
                           "leave room for --payload-total %u at most (got %u); --layout nested has no such limit",
                           c->packets, IOF_MAX_COLUMNS, max_b, c->payload_total);
    }
    if (rc != IOF_OK)
        return rc;
    const iof__sensors_stats *st = &r->sensors_st;
    uint64_t problems = iof__sensors_skipped(st) + st->bad_values; /* the reader's warnings: one each */
    if (problems > IOF_SENSORS_WARNINGS)
        say(c, "warning: %s: %" PRIu64 " more problem(s) not shown (counted in the summary and the statistics)",
            c->sensors_file, problems - IOF_SENSORS_WARNINGS);
    return IOF_OK;
}

/* --table's name for messages (a valid table: iof_run_create checks it first) */
static const char *table_name(iof_table t)
{
    return t == IOF_TABLE_TELEMETRY ? "telemetry" : t == IOF_TABLE_TIMELINE ? "timeline" : "customflow";
}

iof_err iof_run_create(iof_run **out, const iof_config *cfg, char *err, size_t errlen)
{
    *out = NULL;
    if (!(cfg->window_s >= 1e-6) || cfg->window_s > 86400.0 * 366)
        return iof__fail(err, errlen, IOF_E_INVAL, "--window must be between 1 µs and one year (366 d); got %g s",
                         cfg->window_s);
    if (cfg->packets > IOF_MAX_PACKET_SLOTS)
        return iof__fail(err, errlen, IOF_E_INVAL, "--packets must be 0..%d", IOF_MAX_PACKET_SLOTS);
    if (cfg->payload > IOF_MAX_PAYLOAD_BYTES)
        return iof__fail(err, errlen, IOF_E_INVAL, "--payload must be 0..%d", IOF_MAX_PAYLOAD_BYTES);
    if (cfg->payload_total > IOF_MAX_PAYLOAD_TOTAL)
        return iof__fail(err, errlen, IOF_E_INVAL, "--payload-total must be 0..%d", IOF_MAX_PAYLOAD_TOTAL);
    if (cfg->table != IOF_TABLE_CUSTOMFLOW && cfg->table != IOF_TABLE_TELEMETRY && cfg->table != IOF_TABLE_TIMELINE)
        return iof__fail(err, errlen, IOF_E_INVAL, "--table must be customflow, telemetry or timeline");
    unsigned features;
    if (resolve_features(cfg, &features, err, errlen) != IOF_OK)
        return IOF_E_INVAL;
    bool wide = writes_wide(cfg);
    iof_config resolved = *cfg;
    resolved.features = features;
    iof__cf_rowcfg probe = cf_rowcfg(&resolved, false);
    uint32_t max_b = iof__cf_wide_max_payload_total(&probe);
    if (wide && cfg->payload_total > max_b)
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--payload-total %u: the wide layout holds at most %d columns, so with "
                         "--packets %u the payload stream can have at most %u slots (11 + 3 x "
                         "packets + payload-total columns, +1 each with --device-ip, --last-seen, "
                         "--end-reason; --features: +258 byte_dist, +2 entropy, +101 splt, +4 wht, +6 dns, "
                         "+5 dhcp, +2 payload, +9 http, +1 l7); "
                         "--layout nested has no such limit",
                         cfg->payload_total, IOF_MAX_COLUMNS, cfg->packets, max_b);
    if (cfg->max_flows == 0)
        return iof__fail(err, errlen, IOF_E_INVAL, "--max-flows must be at least 1");
    if (cfg->threads > IOF_MAX_THREADS)
        return iof__fail(err, errlen, IOF_E_INVAL, "--threads must be 0..%d (0: the default, one flow worker)",
                         IOF_MAX_THREADS);
    if (cfg->max_memory && cfg->max_memory < IOF_MAX_MEMORY_MIN)
        return iof__fail(err, errlen, IOF_E_INVAL, "--max-memory must be at least 1 MiB");
    if (!cfg->variants || (cfg->variants & ~3u))
        return iof__fail(err, errlen, IOF_E_INVAL, "--variant must be bi, uni or both");
    if (cfg->compression_level && (cfg->compression != IOF_CODEC_ZSTD || cfg->compression_level < IOF_ZSTD_LEVEL_MIN ||
                                   cfg->compression_level > IOF_ZSTD_LEVEL_MAX))
        return iof__fail(err, errlen, IOF_E_INVAL, "--compression zstd:LEVEL takes a level in %d..%d (0: default %d)",
                         IOF_ZSTD_LEVEL_MIN, IOF_ZSTD_LEVEL_MAX, IOF_ZSTD_LEVEL_DEFAULT);
    if (cfg->formats & ~15u)
        return iof__fail(err, errlen, IOF_E_INVAL, "unknown output format");
    if (cfg->table != IOF_TABLE_CUSTOMFLOW && (!(cfg->telemetry_idle_s >= 1) || cfg->telemetry_idle_s > 86400.0 * 366))
        return iof__fail(err, errlen, IOF_E_INVAL, "--telemetry-idle must be between 1 s and one year (366 d)");
    if (cfg->table != IOF_TABLE_CUSTOMFLOW && !(cfg->formats & ~(unsigned)IOF_FMT_JOY))
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--table %s is written as parquet, csv or jsonl: add -f parquet (-f joy writes Joy flows)",
                         table_name(cfg->table));
    /* a column of the custom-flow record only: elsewhere it would be silently missing (Joy flows
     * carry their own time_end) */
    if (cfg->last_seen && cfg->table != IOF_TABLE_CUSTOMFLOW)
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--last-seen adds a column to custom-flow records; --table %s has none: leave it out "
                         "(or use --table customflow)",
                         table_name(cfg->table));
    if (cfg->last_seen && !(cfg->formats & ~(unsigned)IOF_FMT_JOY))
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--last-seen adds a column to custom-flow records (parquet, csv, jsonl); Joy flows "
                         "(-f joy) have time_end instead: add -f parquet or leave it out");
    /* a telemetry or timeline row is written when its second ends, before its flow has ended */
    if (cfg->end_reason && cfg->table != IOF_TABLE_CUSTOMFLOW)
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--end-reason tells why a custom-flow record or a Joy flow ended; --table %s writes a "
                         "row per second before its flow has ended: leave it out (or use --table customflow)",
                         table_name(cfg->table));
    if (cfg->table == IOF_TABLE_TIMELINE && cfg->n_rules_files && !(cfg->formats & IOF_FMT_JOY))
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--rules labels records, telemetry rows and Joy flows: the timeline has no labels");
    if (cfg->sensors_file && (cfg->formats & IOF_FMT_JOY))
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "--sensors adds columns to parquet, csv and jsonl outputs; Joy flows (-f joy) have no "
                         "sensor context: write them in a run without --sensors");
    if (iof__sensors_tolerance_ns(cfg->sensor_tolerance_s) < 0)
        return iof__fail(err, errlen, IOF_E_INVAL, "--tolerance must be between 0 and 3600 s; got %g s",
                         cfg->sensor_tolerance_s);
    if (cfg->joy_idp && !(cfg->formats & IOF_FMT_JOY))
        return iof__fail(err, errlen, IOF_E_INVAL, "--idp applies to Joy flows: add -f joy");
    if (!cfg->interface && cfg->n_inputs == 0)
        return iof__fail(err, errlen, IOF_E_INVAL, "no input: give capture files, directories, - or -i IF");
    if (cfg->interface && cfg->n_inputs)
        return iof__fail(err, errlen, IOF_E_INVAL, "give either -i IF or input files, not both");
    const char *outdir = cfg->output_dir ? cfg->output_dir : "./iotflow-out";
    if (strcmp(outdir, "-") == 0) {
        unsigned f = cfg->formats;
        /* the telemetry and timeline tables have no variants */
        if ((f & (f - 1)) != 0 || (cfg->variants == 3 && f != IOF_FMT_JOY && cfg->table == IOF_TABLE_CUSTOMFLOW))
            return iof__fail(err, errlen, IOF_E_INVAL,
                             cfg->table == IOF_TABLE_CUSTOMFLOW
                                 ? "-o - streams one format and one variant: add --variant bi|uni and a single -f"
                                 : "-o - streams one format: give a single -f");
    }
    iof_run *r = calloc(1, sizeof(*r));
    if (!r)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    r->cfg = *cfg;
    r->cfg.features = features; /* "all" resolved */
    if ((cfg->features & IOF_FEATURE_ALL) && !features) /* accepted, but say it adds nothing */
        say(cfg, "note: --features all adds no column here: %s",
            cfg->table == IOF_TABLE_TELEMETRY ? "telemetry rows have no feature columns yet"
                                              : "Joy flows (-f joy) carry Joy's own fixed features");
    r->output_dir = strdup(outdir);
    int rc = IOF_OK;
    if (!r->output_dir) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        goto fail;
    }
    r->cfg.output_dir = r->output_dir;
    r->cfg.inputs = NULL;
    r->max_memory_given = cfg->max_memory != 0;
    if (!r->cfg.max_memory) {
        /* a quarter of what the process may use: the Parquet writers, the sort batches and the
         * page cache need the rest (docs/CLI.md, --max-memory) */
        uint64_t quarter = iof__sys_memory() / 4;
        r->cfg.max_memory = quarter > IOF_MAX_MEMORY_FLOOR ? quarter : IOF_MAX_MEMORY_FLOOR;
    }
    /* a missing or malformed inventory is a configuration error alike (exit 1) */
    if (cfg->devices_file &&
        (rc = iof__inventory_load(&r->inv, cfg->devices_file, err, errlen)) != IOF_OK) {
        if (rc != IOF_E_NOMEM)
            rc = IOF_E_INVAL;
        goto fail;
    }
    /* the telemetry and timeline tables name a device by its inventory name (device_id): two
     * devices of one name would share rows that nothing could tell apart */
    if (r->inv && cfg->table != IOF_TABLE_CUSTOMFLOW &&
        (rc = iof__device_ids_refuse(r->inv, cfg->devices_file,
                                     cfg->table == IOF_TABLE_TELEMETRY
                                         ? "--table telemetry names each device by its name (device_id), so "
                                           "their rows could not be told apart"
                                         : "--table timeline names each device by its name (device_id), so "
                                           "their rows could not be told apart",
                                     err, errlen)) != IOF_OK)
        goto fail;
    if (cfg->n_rules_files && (rc = load_rules(r, err, errlen)) != IOF_OK)
        goto fail;
    if (cfg->sensors_file && (rc = load_sensors(r, err, errlen)) != IOF_OK)
        goto fail;
    if (cfg->n_inputs &&
        (rc = iof__input_list_expand(cfg->inputs, cfg->n_inputs, &r->inputs, &r->n_inputs, on_skip,
                                     (void *)cfg, err, errlen)) != IOF_OK)
        goto fail;
    if (cfg->n_inputs && r->n_inputs == 0) {
        rc = iof__fail(err, errlen, IOF_E_INVAL, "no capture files found in the given inputs");
        goto fail;
    }
    if (cfg->shards || cfg->shard) {
        size_t all = r->n_inputs;
        if (cfg->interface) {
            rc = iof__fail(err, errlen, IOF_E_INVAL, "--shard splits input files: not live capture (-i)");
            goto fail;
        }
        if ((rc = iof__input_list_shard(r->inputs, &r->n_inputs, cfg->shard, cfg->shards, err, errlen)) != IOF_OK)
            goto fail;
        /* more shards than files: this one has nothing to do, which is not an error */
        r->n_inputs_unsharded = all;
    }
    *out = r;
    return IOF_OK;
fail:
    iof_run_destroy(r);
    return rc;
}

void iof_run_destroy(iof_run *r)
{
    if (!r)
        return;
    iof__shard_destroy(r->shard); /* first: its threads stop */
    iof__sink_destroy(r->sink);
    iof__joyrun_destroy(r);
    iof__cflow_destroy(r->flows);
    iof__telem_destroy(r->telem);
    iof__timeline_destroy(r->timeline);
    iof__fragtab_destroy(r->frag);
    iof__inventory_free(r->inv);
    iof__labeller_free(r->labels);
    iof__dnsmap_destroy(r->dnsmap);
    iof__snimap_destroy(r->snimap);
    iof__appmap_destroy(r->appmap);
    iof__sensors_free(r->sensors);
    iof__input_list_free(r->inputs, r->n_inputs);
    iof__stats_free(&r->st);
    free(r->inv_seen);
    free(r->output_dir);
    free(r);
}

void iof_run_stop(iof_run *r)
{
    r->stop = 1;
    iof__merge_stop(r->merge);
}

const char *iof_run_errmsg(const iof_run *r) { return r->errmsg; }

/* ---- the custom-flow policy as a view consumer, and the record stages -------------------- */

static int cf_packet(void *ctx, const iof__pkt *pkt, const iof__view *views, int nviews)
{
    return iof__cflow_packet(ctx, pkt, views, nviews);
}

static int cf_advance(void *ctx, int64_t clock_ns) { return iof__cflow_advance(ctx, clock_ns); }

static int cf_flush(void *ctx, bool interrupted)
{
    return iof__cflow_flush(ctx, interrupted ? IOF_CF_END_SHUTDOWN : IOF_CF_END_EOF);
}

/* The policy's emitter: a finished record enters the hub. */
static int cf_emit(void *ctx, iof__cfrec *rec)
{
    iof_run *r = ctx;
    rec->names_horizon = r->names_fed;
    /* a connection nDPI still reads gets its answer now, which the record then sees; only where
     * custom-flow records are the run's table (in a telemetry run they are not written, and
     * the rows' labels must not depend on --window) */
    if (r->appmap && r->cfg.table == IOF_TABLE_CUSTOMFLOW && iof__appmap_settle(r->appmap, rec->ipver, rec->proto, rec->dev_ip, rec->dev_port, rec->rem_ip,
                                        rec->rem_port, rec->last_ns, r->names_fed) != IOF_OK)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_NOMEM, "out of memory (the application map)");
    /* its application now, on the map's thread: rows are built on the sink's (labelcols.h) */
    rec->app = r->appmap ? iof__cf_app(rec, r->appmap) : NULL;
    return iof__pipe_record(&r->pipe, &iof__cf_kind, rec);
}

/* Records per label value (the summary and the stats JSON): the same evaluation the label
 * column group makes when the row is built (kinds/labelcols.h). */
static int count_labels(iof_run *r, const iof__lbl_attrs *a, int counter)
{
    iof__lbl_result res[IOF_RULES_MAX_KEYS];
    iof__labeller_eval(r->labels, a, res);
    for (size_t k = 0; k < iof__labeller_nkeys(r->labels); k++)
        IOF_TRY(iof__stats_label(&r->st, k, res[k].value, counter));
    return IOF_OK;
}

static const iof__device *device_of(const iof_run *r, int32_t device)
{
    return device >= 0 && r->inv ? iof__inventory_get(r->inv, (size_t)device) : NULL;
}

static int cf_label_stats(void *ctx, const iof__row_kind *kind, const void *record)
{
    if (kind != &iof__cf_kind)
        return IOF_OK;
    iof_run *r = ctx;
    const iof__cfrec *rec = record;
    iof__lbl_attrs a;
    iof__cf_lbl_attrs(rec, device_of(r, rec->device), &r->names, &a);
    return count_labels(r, &a, rec->variant);
}

/* Stats stage, --sensors: the written records (rows) that got sensor context, as the row builders
 * fill it (one rule: the kinds' *_sens_fill); counted per record, so any --threads gives the
 * same counts */
static int sens_stats(void *ctx, const iof__row_kind *kind, const void *record)
{
    iof_run *r = ctx;
    if (kind != r->sens_kind)
        return IOF_OK;
    long dev;
    bool reading;
    int slot = IOF_VAR__COUNT;
    if (kind == &iof__cf_kind) {
        const iof__cfrec *rec = record;
        iof__sens_fuse_row row = { .s = r->sensors };
        dev = iof__cf_sens_fill(&row, &r->rowcfg, rec);
        reading = iof__sens_fuse_any(&row);
        slot = rec->variant;
    } else if (kind == &iof__tel_kind) {
        iof__sens_fuse_row row = { .s = r->sensors };
        dev = iof__tel_sens_fill(&row, &r->telcfg, record);
        reading = iof__sens_fuse_any(&row);
    } else {
        iof__sens_row row = { .s = r->sensors };
        dev = iof__tl_sens_device(&r->tlcfg, record);
        iof__tl_sens_fill(&row, &r->tlcfg, dev, record);
        reading = iof__sens_row_any(&row);
    }
    iof__sens_joined_count(&r->st.sensors_joined[slot], dev, reading);
    return IOF_OK;
}

/* Stats stage: a custom-flow record's device row (inventory name, else MAC, else IP) and
 * protocol row. */
static int cf_stats(void *ctx, const iof__row_kind *kind, const void *record)
{
    if (kind != &iof__cf_kind)
        return IOF_OK;
    iof_run *r = ctx;
    const iof__cfrec *rec = record;
    char key[48];
    const char *name = NULL, *type = NULL;
    if (rec->device >= 0 && r->inv) {
        const iof__device *d = iof__inventory_get(r->inv, (size_t)rec->device);
        if (r->inv_seen)
            r->inv_seen[rec->device] = 1;
        iof__format_mac(d->mac, key);
        name = d->name;
        type = d->type;
    } else if (rec->mac_state) {
        iof__format_mac(rec->mac, key);
    } else if (!inet_ntop(rec->ipver == 4 ? AF_INET : AF_INET6, rec->dev_ip, key, sizeof(key))) {
        strcpy(key, "?");
    }
    /* traffic totals come from one variant only, so packets are not counted twice */
    bool traffic = rec->variant == IOF_VAR_BI || !(r->cfg.variants & IOF_VARIANT_BI);
    iof__stats_record(&r->st, key, name, type, rec->variant, rec->proto, rec->packets, rec->bytes,
                      traffic);
    iof__cffeat_count_cuts(&r->cffeats, rec, r->cf_cuts);
    return IOF_OK;
}

/* --table telemetry: the per-second policy beside the custom-flow one; its rows enter the hub.
 * --table timeline: the same policy's rows summed per device and second (flow/timeline.h); it
 * learns from the clock which seconds are complete. */
static int tel_packet(void *ctx, const iof__pkt *pkt, const iof__view *views, int nviews)
{
    iof_run *r = ctx;
    int rc = iof__telem_packet(r->telem, pkt, views, nviews);
    return rc == IOF_OK && r->timeline ? iof__timeline_clock(r->timeline, pkt->ts_ns) : rc;
}

static int tel_advance(void *ctx, int64_t clock_ns)
{
    iof_run *r = ctx;
    int rc = iof__telem_advance(r->telem, clock_ns);
    return rc == IOF_OK && r->timeline ? iof__timeline_clock(r->timeline, clock_ns) : rc;
}

static int tel_flush(void *ctx, bool interrupted)
{
    (void)interrupted; /* rows are complete per second: everything counted is written */
    iof_run *r = ctx;
    int rc = iof__telem_flush(r->telem);
    return rc == IOF_OK && r->timeline ? iof__timeline_flush(r->timeline) : rc;
}

static int tel_emit(void *ctx, iof__telrow *row)
{
    iof_run *r = ctx;
    row->names_horizon = r->names_fed;
    row->app = r->appmap ? iof__tel_app(row, r->appmap) : NULL; /* as cf_emit's */
    if (r->timeline)
        return iof__timeline_row(r->timeline, row);
    return iof__pipe_record(&r->pipe, &iof__tel_kind, row);
}

static int tl_emit(void *ctx, const iof__tlrow *row)
{
    iof_run *r = ctx;
    return iof__pipe_record(&r->pipe, &iof__tl_kind, row);
}

/* Rows per label value (the summary and the stats JSON), as the label columns compute them. */
static int tel_label_stats(void *ctx, const iof__row_kind *kind, const void *record)
{
    if (kind != &iof__tel_kind)
        return IOF_OK;
    iof_run *r = ctx;
    const iof__telrow *row = record;
    iof__lbl_attrs a;
    iof__tel_lbl_attrs(row, device_of(r, row->k.device), &r->names, &a);
    return count_labels(r, &a, IOF_LBL_STAT_TEL);
}

/* --features dns / tls on the timeline written by this run (the timeline tap of correlate has
 * no names): which name lists its rows carry */
static unsigned tl_name_kinds(const iof_run *r)
{
    unsigned f = r->tl_tap || r->cfg.table != IOF_TABLE_TIMELINE ? 0 : r->cfg.features;
    return (f & IOF_FEATURE_DNS ? 1u << IOF_TL_NAMES_DNS : 0) | (f & IOF_FEATURE_TLS ? 1u << IOF_TL_NAMES_TLS : 0);
}

static int setup_telemetry(iof_run *r, uint64_t seed)
{
    const iof_config *c = &r->cfg;
    iof__tel_config tc = { .idle_ns = (int64_t)(c->telemetry_idle_s * 1e9), .max_flows = c->max_flows,
                           .max_bytes = c->max_memory == UINT64_MAX ? 0 : c->max_memory, .hash_seed = seed };
    int rc = iof__telem_create(&r->telem, &tc, tel_emit, r);
    if (rc != IOF_OK)
        return iof__fail(r->errmsg, sizeof(r->errmsg), rc, "cannot create the telemetry table");
    if (c->table == IOF_TABLE_TIMELINE || r->tl_tap) {
        rc = r->tl_tap ? iof__timeline_create(&r->timeline, r->inv, r->tl_tap, r->tl_tap_ctx)
                       : iof__timeline_create(&r->timeline, r->inv, tl_emit, r);
        if (rc != IOF_OK)
            return iof__fail(r->errmsg, sizeof(r->errmsg), rc, "cannot create the timeline");
        r->tlcfg = (iof__tl_rowcfg){ .anonymise = c->anonymise, .inv = r->inv, .sensors = r->sensors,
                                     .sensor_tol_ns = sensor_tol_ns(c), .names = tl_name_kinds(r) };
        if (r->tlcfg.names) {
            r->tl_names = (iof__tl_names_src){ .maps = &r->names, .kinds = r->tlcfg.names, .anonymise = c->anonymise };
            iof__timeline_set_names(r->timeline, iof__tl_row_names, &r->tl_names);
        }
    }
    const iof__view_consumer tv = { "telemetry", r, tel_packet, tel_advance, tel_flush, NULL };
    IOF_TRY(iof__pipe_add_consumer(&r->pipe, &tv));
    if (r->labels && !r->timeline)
        IOF_TRY(iof__pipe_on_record(&r->pipe, IOF_HUB_STATS, tel_label_stats, r));
    r->telcfg = (iof__tel_rowcfg){ .anonymise = c->anonymise, .inv = r->inv, .labels = r->labels,
                                   .sensors = r->sensors, .sensor_tol_ns = sensor_tol_ns(c), .names = &r->names };
    return IOF_OK;
}

/* --append: the earlier file holds the columns this run writes (the sink asks once per file it
 * adds parts beside), so a day's files never disagree on them (a reader taking the first
 * file's schema would drop what only later parts have). */
typedef struct cols_cmp {
    const iof__schema *s;
    bool differs;
    size_t at;
    char there[IOF_MAX_COLNAME];
} cols_cmp;

static void col_seen(void *ctx, size_t i, const char *name, size_t len)
{
    cols_cmp *c = ctx;
    if (c->differs)
        return;
    if (i >= c->s->n || strlen(c->s->cols[i].name) != len || memcmp(c->s->cols[i].name, name, len) != 0) {
        c->differs = true;
        c->at = i;
        snprintf(c->there, sizeof(c->there), "\"%.*s\"", (int)(len < 40 ? len : 40), name);
    }
}

static int check_append(void *ctx, const char *path, const iof__schema *schema, char *err, size_t errlen)
{
    (void)ctx;
    cols_cmp c = { .s = schema };
    size_t n;
    char why[512];
    int rc = iof__ds_columns(path, col_seen, &c, &n, why, sizeof(why));
    if (rc == IOF_E_NOMEM)
        return iof__fail(err, errlen, rc, "out of memory");
    if (rc != IOF_OK)
        return iof__fail(err, errlen, IOF_E_EXISTS,
                         "--append: cannot read the columns of the earlier file beside which parts would go (%s); "
                         "nothing was written",
                         why);
    if (n == 0) /* an empty JSON Lines file: no columns to disagree with */
        return IOF_OK;
    if (!c.differs && n != schema->n) {
        c.differs = true;
        c.at = n < schema->n ? n : schema->n;
        snprintf(c.there, sizeof(c.there), "none");
    }
    if (!c.differs)
        return IOF_OK;
    char here[IOF_MAX_COLNAME + 2];
    if (c.at < schema->n)
        snprintf(here, sizeof(here), "\"%s\"", schema->cols[c.at].name);
    else
        snprintf(here, sizeof(here), "none");
    return iof__fail(err, errlen, IOF_E_EXISTS,
                     "--append: %s has other columns than this run writes (%zu there, %zu here; column %zu is %s "
                     "there, %s here): parts of a day must share their columns, so append with the options that "
                     "wrote it (--features, --sensors, --rules, --device-ip, --last-seen, --end-reason, --layout, "
                     "...) or write elsewhere; nothing was written",
                     path, n, schema->n, c.at + 1, c.there, here);
}

/* Sink stage: the record's rows in the output files (a sink takes the kind it was made for). */
static int to_sink(void *ctx, const iof__row_kind *kind, const void *rec)
{
    iof_run *r = ctx;
    if (kind != iof__sink_kind(r->sink))
        return IOF_OK;
    int rc = iof__sink_write(r->sink, rec);
    if (rc != IOF_OK && !r->errmsg[0])
        snprintf(r->errmsg, sizeof(r->errmsg), "%s", iof__sink_errmsg(r->sink));
    return rc;
}

/* Flow workers --threads asks for, at most IOF_SHARD_MAX_WORKERS. 0 (the default) is one:
 * decision (stop 30) — on 2 cores two workers were not faster than one (dense, default command:
 * 0.93-0.96x the wall time, ~1.3x the CPU; bench/README.md "Sharded flow workers"), and with one
 * worker which records --max-flows evicts does not depend on the machine's core count. Again
 * 2026-12-07: two workers 1.007x the default's wall for 1.17x its CPU (bench/README.md
 * "--threads 2: where the wall goes"). The default becomes the cores once sharding pays. */
static unsigned flow_workers(const iof_config *c)
{
    long n = c->threads ? (long)c->threads : 1;
    return n < 1 ? 1u : n > IOF_SHARD_MAX_WORKERS ? IOF_SHARD_MAX_WORKERS : (unsigned)n;
}

/* Why this run keeps one flow worker although more were asked for (the run summary and the
 * statistics say it), or NULL: it is sharded. Each of these would give another output, or
 * is not built yet (docs/ARCHITECTURE.md, "Sharded flow workers"). */
static const char *unsharded_why(const iof_run *r, const iof__cf_config *fc, unsigned workers)
{
    const iof_config *c = &r->cfg;
    if (r->no_flows || r->tl_tap)
        return "no custom-flow records";
    if (c->table != IOF_TABLE_CUSTOMFLOW)
        return "--table telemetry / timeline";
    if (c->formats & IOF_FMT_JOY)
        return "-f joy";
    /* a record's names are those the maps had when it was emitted (names_horizon): that moment
     * is the single table's, which the workers do not share */
    if (r->dnsmap || r->snimap || r->appmap)
        return "rules or --features reading the DNS, SNI or application map";
    const char *why = iof__shard_refuses(fc);
    if (why)
        return why;
    if (fc->max_bytes && iof__shard_ring_bytes(workers) > fc->max_bytes / 4)
        return "--max-memory too small for the workers' rings";
    return NULL;
}

static int setup(iof_run *r)
{
    iof_config *c = &r->cfg;
    r->frag = iof__fragtab_create(IOF_FRAGTAB_ENTRIES, IOF_FRAG_TIMEOUT_NS);
    if (!r->frag)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_NOMEM, "out of memory");
    uint64_t seed = c->hash_seed;
    if (!seed) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid() << 32 ^ (uint64_t)ts.tv_sec;
    }
    iof__cf_config fc = {
        .window_ns = (int64_t)(c->window_s * 1e9),
        .packets = c->packets,
        .payload = c->payload,
        .max_flows = c->max_flows,
        .max_bytes = c->max_memory == UINT64_MAX ? 0 : c->max_memory, /* resolved at create */
        .variants = c->variants,
        .hash_seed = seed,
        .helpers = c->threads != 1,
    };
    /* --features on custom-flow records: they carry the modules' state (features/cffeat.h) */
    if (cf_features(c)) {
        if (iof__cffeat_set(&r->cffeats, cf_features(c), c->anonymise) != IOF_OK)
            return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_INVAL, "--features: bad feature set");
        iof__cffeat_hooks(&r->cffeats, &fc);
    }
    /* rules on `dns` / `sni`: the names learnt from the capture's DNS responses and TLS
     * ClientHellos (flow/dnsmap.h, flow/snimap.h) */
    const char *need[IOF_LBL_NEED__COUNT] = { 0 };
    /* their caps follow --max-memory when it is given, else they are fixed (the machine's own
     * default bound would make the labels of a huge capture depend on the machine) */
    uint64_t maps_mem = !r->max_memory_given || c->max_memory == UINT64_MAX ? 0 : c->max_memory;
    if (r->labels)
        iof__labeller_needs(r->labels, need);
    r->dns_for_rules = need[IOF_LBL_NEED_DNS] != NULL;
    r->sni_for_rules = need[IOF_LBL_NEED_SNI] != NULL;
    /* --features dns / tls: the timeline's names come from the same maps */
    if (tl_name_kinds(r) >> IOF_TL_NAMES_DNS & 1)
        need[IOF_LBL_NEED_DNS] = "--features dns";
    if (tl_name_kinds(r) >> IOF_TL_NAMES_TLS & 1)
        need[IOF_LBL_NEED_SNI] = "--features tls";
    /* --features l7: the records' column reads the same application map as the rules' `app` */
    r->app_for_rules = need[IOF_LBL_NEED_APP] != NULL;
    if (cf_rowcfg(c, false).l7)
        need[IOF_LBL_NEED_APP] = "--features l7";
    if ((need[IOF_LBL_NEED_DNS] && iof__dnsmap_create(&r->dnsmap, maps_mem) != IOF_OK) ||
        (need[IOF_LBL_NEED_SNI] && iof__snimap_create(&r->snimap, maps_mem) != IOF_OK))
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_NOMEM, "out of memory");
    /* rules on `app`: nDPI's answer per connection (flow/appmap.h; a build without nDPI refused
     * them at load_rules) */
    if (need[IOF_LBL_NEED_APP] && iof__appmap_create(&r->appmap, maps_mem) != IOF_OK)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_NOMEM, "out of memory (nDPI)");
    r->names = (iof__namemaps){ .dns = r->dnsmap, .sni = r->snimap, .app = r->appmap };
    if (r->inv && !(r->inv_seen = calloc(iof__inventory_count(r->inv) + 1, 1)))
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_NOMEM, "out of memory");
    unsigned workers = flow_workers(c);
    r->st.flow_workers_why = workers > 1 ? unsharded_why(r, &fc, workers) : NULL;
    int rc;
    if (workers > 1 && !r->st.flow_workers_why) {
        /* the rings come out of --max-memory's bytes; each table gets its share of the rest */
        fc.max_bytes = fc.max_bytes ? fc.max_bytes - iof__shard_ring_bytes(workers) : 0;
        iof__shard_config sc = { .workers = workers, .cf = fc, .whole_payload = fc.hooks.ext_size != 0,
                                 .live = c->interface != NULL, .emit = cf_emit, .ctx = r };
        const char *slow = getenv("IOF_TEST_SLOW_WORKER_US");
        sc.test_slow_us = slow ? (unsigned)strtoul(slow, NULL, 10) % 1000000 : 0;
        if ((rc = iof__shard_create(&r->shard, &sc)) != IOF_OK)
            return iof__fail(r->errmsg, sizeof(r->errmsg), rc, "cannot start %u flow workers", workers);
        r->st.flow_workers = workers;
    } else {
        /* no sink (-f joy alone, or no output): the records reach the statistics only, which
         * read no payload byte; the buffers' realloc and copy were 4 % of `-f joy`'s CPU on
         * dense (bench/README.md "-f joy's own path") */
        fc.count_payload_only = !(c->formats & ~(unsigned)IOF_FMT_JOY) && !r->tl_tap;
        if ((rc = iof__cflow_create(&r->flows, &fc, cf_emit, r)) != IOF_OK)
            return iof__fail(r->errmsg, sizeof(r->errmsg), rc, "cannot create the flow table");
        r->st.flow_workers = 1;
    }
    if (r->tl_tap)
        return setup_telemetry(r, seed); /* the timeline alone, to the tap */
    const iof__view_consumer cf = r->shard ? (iof__view_consumer){ "customflow", r->shard, iof__shard_packet,
                                                                   iof__shard_advance, iof__shard_flush,
                                                                   iof__shard_sync }
                                           : (iof__view_consumer){ "customflow", r->flows, cf_packet, cf_advance,
                                                                   cf_flush, NULL };
    IOF_TRY(iof__pipe_add_consumer(&r->pipe, &cf));
    IOF_TRY(iof__pipe_on_record(&r->pipe, IOF_HUB_STATS, cf_stats, r));
    if (r->labels)
        IOF_TRY(iof__pipe_on_record(&r->pipe, IOF_HUB_STATS, cf_label_stats, r));
    r->rowcfg = cf_rowcfg(c, false); /* wide: set per layout */
    r->rowcfg.inv = r->inv;
    r->rowcfg.labels = r->labels;
    r->rowcfg.sensors = r->sensors;
    r->rowcfg.sensor_tol_ns = sensor_tol_ns(c);
    r->rowcfg.names = &r->names;
    if (c->formats & IOF_FMT_JOY)
        IOF_TRY(iof__joyrun_setup(r, seed));
    if (!(c->formats & ~(unsigned)IOF_FMT_JOY))
        return IOF_OK;
    bool tel = c->table != IOF_TABLE_CUSTOMFLOW;
    if (tel)
        IOF_TRY(setup_telemetry(r, seed));
    const iof__row_kind *kind = r->timeline ? &iof__tl_kind : tel ? &iof__tel_kind : &iof__cf_kind;
    const void *kind_cfg = r->timeline ? (const void *)&r->tlcfg : tel ? (const void *)&r->telcfg : (const void *)&r->rowcfg;
    if (r->sensors) {
        r->sens_kind = kind;
        IOF_TRY(iof__pipe_on_record(&r->pipe, IOF_HUB_STATS, sens_stats, r));
    }
    /* provenance and extraction parameters, recorded in Parquet key-value metadata */
    static const char *const var_names[] = { "", "bi", "uni", "both" };
    snprintf(r->kvbuf[0], sizeof(r->kvbuf[0]), "%g", c->window_s);
    snprintf(r->kvbuf[1], sizeof(r->kvbuf[1]), "%u", c->packets);
    snprintf(r->kvbuf[2], sizeof(r->kvbuf[2]), "%u", c->payload);
    snprintf(r->kvbuf[3], sizeof(r->kvbuf[3]), "%u", c->payload_total);
    snprintf(r->kvbuf[4], sizeof(r->kvbuf[4]), "%s", c->anonymise ? "true" : "false");
    /* base names only: a dataset shared with others must not carry the local paths */
    snprintf(r->kvbuf[5], sizeof(r->kvbuf[5]), "%s", c->devices_file ? iof__base_name(c->devices_file) : "");
    size_t off = 0;
    r->kvinputs[0] = '\0';
    for (size_t i = 0; i < r->n_inputs && off + 2 < sizeof(r->kvinputs); i++)
        off += (size_t)snprintf(r->kvinputs + off, sizeof(r->kvinputs) - off, "%s%s", i ? "\n" : "",
                                iof__base_name(r->inputs[i]));
    if (c->interface)
        snprintf(r->kvinputs, sizeof(r->kvinputs), "live:%s", c->interface);
    size_t nk = 0;
    r->kv[nk++] = (iof__kv){ "iotflow.version", iof_version_string() };
    r->kv[nk++] = (iof__kv){ "iotflow.record", kind->name };
    r->kv[nk++] = (iof__kv){ "iotflow.window_s", r->kvbuf[0] };
    r->kv[nk++] = (iof__kv){ "iotflow.packets", r->kvbuf[1] };
    r->kv[nk++] = (iof__kv){ "iotflow.payload", r->kvbuf[2] };
    r->kv[nk++] = (iof__kv){ "iotflow.payload_total", r->kvbuf[3] };
    r->kv[nk++] = (iof__kv){ "iotflow.variants", var_names[c->variants & 3] };
    r->kv[nk++] = (iof__kv){ "iotflow.anonymise", r->kvbuf[4] };
    r->kv[nk++] = (iof__kv){ "iotflow.devices", r->kvbuf[5] };
    r->kv[nk++] = (iof__kv){ "iotflow.inputs", r->kvinputs };
    if (r->sensors) {
        snprintf(r->kvbuf[8], sizeof(r->kvbuf[8]), "%s", iof__base_name(c->sensors_file));
        snprintf(r->kvbuf[9], sizeof(r->kvbuf[9]), "%g", c->sensor_tolerance_s);
        r->kv[nk++] = (iof__kv){ "iotflow.sensors", r->kvbuf[8] };
        r->kv[nk++] = (iof__kv){ "iotflow.sensor_tolerance_s", r->kvbuf[9] };
    }
    if (r->tlcfg.names || (!tel && r->rowcfg.features))
        r->kv[nk++] = (iof__kv){ "iotflow.features", iof_features_text(c->features, r->kvbuf[10], sizeof(r->kvbuf[10])) };
    const char *tag = NULL;
    if (c->shards) {
        snprintf(r->kvbuf[6], sizeof(r->kvbuf[6]), "s%uof%u", c->shard, c->shards);
        snprintf(r->kvbuf[7], sizeof(r->kvbuf[7]), "%u/%u", c->shard, c->shards);
        r->kv[nk++] = (iof__kv){ "iotflow.shard", r->kvbuf[7] };
        tag = r->kvbuf[6];
    }
    const unsigned helpers = c->threads == 1 ? 1 : 0; /* 1: no helper threads anywhere */
    iof__sink_cfg sc = {
        .dir = r->output_dir,
        .formats = c->formats & ~(unsigned)IOF_FMT_JOY,
        .layout = c->layout,
        .partition = c->partition,
        .wopts = { .codec = c->compression, .zstd_level = c->compression_level, .row_group_bytes = 0, .kv = r->kv, .n_kv = nk,
                   .threads = helpers },
        .threads = helpers,
        .two_in_flight = r->shard != NULL, /* sharded: one more batch's memory (sink.c) */
        .kind = kind,
        .kind_cfg = kind_cfg,
        .existing = c->existing,
        .check_append = c->existing == IOF_EXISTING_APPEND ? check_append : NULL,
        .name_tag = tag,
    };
    IOF_TRY(iof__sink_create(&r->sink, &sc, r->errmsg, sizeof(r->errmsg)));
    return iof__pipe_on_record(&r->pipe, IOF_HUB_SINK, to_sink, r);
}

/* Timestamps: the clock is the largest timestamp seen; a frame older than it is out of order,
 * and "across inputs" when the clock was set by another input (merged captures that overlap
 * beyond what the merge could order, or inputs read in name order). */
static inline void account_frame(iof_run *r, const iof__frame *f, size_t idx)
{
    iof__input_stat *in = &r->st.inputs[idx];
    r->st.frames++;
    r->st.wire_bytes += f->wirelen;
    r->st.captured_bytes += f->caplen;
    in->frames++;
    in->wire_bytes += f->wirelen;
    if (!r->st.have_ts) {
        r->st.have_ts = true;
        r->st.first_ts_ns = r->st.last_ts_ns = f->ts_ns;
        r->clock_input = idx;
    } else if (f->ts_ns < r->st.last_ts_ns) {
        r->st.ts_out_of_order++;
        if (idx != r->clock_input)
            r->st.ts_backwards_across_inputs++;
    } else {
        r->st.last_ts_ns = f->ts_ns;
        r->clock_input = idx;
    }
}

/* One frame through decode, fragments, attribution and the flow policy. */
static int process_frame(iof_run *r, const iof__frame *f)
{
    iof__pkt pkt;
    iof__drop d = iof__decode(&pkt, f->linktype, f->data, f->caplen, f->wirelen, f->ts_ns);
    if (pkt.notes) {
        for (unsigned b = 0; b < IOF_NOTE__COUNT; b++)
            if (pkt.notes & (1u << b))
                r->st.notes[b]++;
    }
    /* Joy sees the decoder's packet as it is (later fragments are bare "IP" to it) */
    if (r->joy) {
        int jrc = iof__joyrun_frame(r, f, d == IOF_DROP_OK, &pkt);
        if (jrc != IOF_OK)
            return jrc;
    }
    if (d == IOF_DROP_OK && (pkt.flags & IOF_PKT_FRAGMENT))
        d = iof__fragtab_resolve(r->frag, &pkt);
    if (d != IOF_DROP_OK) {
        r->st.drops[d]++;
        return IOF_OK;
    }
    r->st.decoded++;
    r->names_fed++; /* the packet's feed number: what records emitted from now on may see */
    if (r->dnsmap && iof__dnsmap_packet(r->dnsmap, &pkt, r->names_fed) != IOF_OK)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_NOMEM, "out of memory (the DNS map)");
    if (r->snimap && iof__snimap_packet(r->snimap, &pkt, r->names_fed) != IOF_OK)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_NOMEM, "out of memory (the SNI map)");
    if (r->appmap && iof__appmap_packet(r->appmap, &pkt, r->names_fed) != IOF_OK)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_NOMEM, "out of memory (the application map)");
    if (r->observer)
        r->observer(r->observer_ctx, f, &pkt);
    if (r->no_flows)
        return IOF_OK;
    iof__view views[2];
    int n = iof__attribute(&pkt, r->inv, views);
    if (n == 0) {
        r->st.unattributed++;
        /* the clock still advances: windows close by capture time */
        return iof__pipe_advance(&r->pipe, pkt.ts_ns);
    }
    r->st.attributed++;
    r->st.views += (uint64_t)n;
    return iof__pipe_packet(&r->pipe, &pkt, views, n);
}

/* Days whose records are all out: once the clock is a window (plus a grace period for
 * slightly late packets) past a day's end, no record of that day is still in the flow table
 * (records leave when the clock passes their window's end), so its files are completed and
 * published. Checked once per day boundary, not per packet. */
static int complete_days(iof_run *r)
{
    const int64_t day_ns = 86400LL * 1000000000LL;
    int64_t lag = (int64_t)(r->cfg.window_s * 1e9) + IOF_DAY_GRACE_NS;
    int64_t clock = r->st.last_ts_ns;
    if (clock < INT64_MIN + lag)
        return IOF_OK;
    int64_t before = clock - lag;
    /* every consumer's records and rows before the clock first (a dropped frame, e.g. EAPOL
     * after a night's gap, moves this clock but reaches no consumer): else a day's last records
     * would still be in the flow table and open a new part of a completed day */
    int rc = iof__pipe_advance(&r->pipe, clock);
    if (rc == IOF_OK)
        rc = iof__pipe_sync(&r->pipe); /* flow workers' records of that clock merged */
    if (rc != IOF_OK)
        return rc;
    rc = iof__sink_complete_before(r->sink, before);
    if (rc != IOF_OK && !r->errmsg[0])
        snprintf(r->errmsg, sizeof(r->errmsg), "%s", iof__sink_errmsg(r->sink));
    /* next check: when `before` crosses the next day boundary */
    int64_t d = iof__day_of_ns(before); /* the day rule records are partitioned by */
    int64_t next = d + 1 >= INT64_MAX / day_ns ? INT64_MAX : (d + 1) * day_ns;
    r->complete_at = next > INT64_MAX - lag ? INT64_MAX : next + lag;
    return rc;
}

/* ---- inputs: opened, merged and finished through capture/merge.c ---- */

static int open_input(void *ctx, size_t idx, iof__source **src, char *err, size_t errlen)
{
    iof_run *r = ctx;
    const char *path = r->cfg.interface ? NULL : r->inputs[idx];
    int rc = path ? iof__source_open_file(src, path, err, errlen)
                  : iof__source_open_live(src, r->cfg.interface, r->cfg.live_snaplen,
                                          r->cfg.live_buffer_kib, err, errlen);
    if (rc == IOF_OK && r->cfg.filter && (rc = iof__source_set_filter(*src, r->cfg.filter)) != IOF_OK) {
        snprintf(err, errlen, "%s", iof__source_errmsg(*src));
        iof__source_close(*src);
        *src = NULL;
        return IOF_E_INVAL; /* a filter that does not compile: configuration */
    }
    if (rc != IOF_OK)
        return rc;
    iof__input_stat *in = &r->st.inputs[idx];
    in->format = iof__source_format(*src) == IOF_SRC_PCAPNG ? "pcapng"
                 : iof__source_format(*src) == IOF_SRC_LIVE ? "live" : "pcap";
    return IOF_OK;
}

static bool input_once(void *ctx, size_t idx)
{
    iof_run *r = ctx;
    return r->cfg.interface || strcmp(r->inputs[idx], "-") == 0;
}

static void input_ended(void *ctx, size_t idx, iof__source *src, int rc, const char *msg)
{
    iof_run *r = ctx;
    iof__input_stat *in = &r->st.inputs[idx];
    if (src) {
        iof__src_stats ss;
        uint64_t filtered = 0;
        iof__source_stats(src, &ss, &filtered);
        r->st.filtered += filtered;
        in->ts_invalid = ss.ts_invalid;
        /* only with the error that says so: a run stopped before it was read has no damage */
        in->gz_check_failed = ss.gz_check_failed && rc < 0 && rc != IOF_E_INTERRUPTED;
        r->st.ts_invalid += ss.ts_invalid;
        if (iof__source_format(src) == IOF_SRC_LIVE) {
            r->st.live = true;
            r->st.live_stats_ok = ss.live_stats_ok;
            r->st.ps_recv = ss.ps_recv;
            r->st.ps_drop = ss.ps_drop;
            r->st.ps_ifdrop = ss.ps_ifdrop;
        }
    }
    if (rc >= 0 || rc == IOF_E_INTERRUPTED)
        return;
    in->rc = rc;
    in->error = strdup(msg && msg[0] ? msg : iof_strerror(rc));
    if (msg && msg[0])
        say(&r->cfg, "%s", msg);
    r->st.input_damaged = true;
    if (r->input_rc == IOF_OK) {
        r->input_rc = rc;
        snprintf(r->errmsg, sizeof(r->errmsg), "%s", in->error ? in->error : "");
    }
}

/* Reads every input through the merge. Returns the error that stopped the run (output,
 * memory, configuration), IOF_E_INTERRUPTED, or OK; input errors are in r->input_rc. */
static int read_inputs(iof_run *r)
{
    size_t n = r->cfg.interface ? 1 : r->n_inputs;
    for (size_t i = 0; i < n; i++)
        if (!iof__stats_add_input(&r->st, r->cfg.interface ? r->cfg.interface : r->inputs[i]))
            return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_NOMEM, "out of memory");
    iof__merge_cfg mc = {
        .n_inputs = n,
        .time_order = r->cfg.input_order == IOF_INPUT_ORDER_TIME,
        .open = open_input,
        .ended = input_ended,
        .once = input_once,
        .ctx = r,
    };
    char err[1024];
    iof__merge *m = NULL;
    int rc = iof__merge_create(&m, &mc, err, sizeof(err));
    if (rc != IOF_OK) {
        snprintf(r->errmsg, sizeof(r->errmsg), "%s", err);
        return rc;
    }
    r->merge = m;
    if (r->stop)
        iof__merge_stop(m);
    iof__frame f;
    size_t idx;
    uint64_t tick = 0;
    int flow_rc = IOF_OK;
    while ((rc = iof__merge_next(m, &f, &idx)) == 1) {
        account_frame(r, &f, idx);
        if (r->test_slow_us)
            usleep(r->test_slow_us);
        if ((flow_rc = process_frame(r, &f)) != IOF_OK)
            break;
        if (r->sink && f.ts_ns >= r->complete_at && (flow_rc = complete_days(r)) != IOF_OK)
            break;
        if (r->progress.on && (++tick & 0xffff) == 0)
            iof__progress_update(&r->progress, iof__merge_progress(m), r->st.frames);
    }
    if (rc < 0 && rc != IOF_E_INTERRUPTED && flow_rc == IOF_OK) {
        flow_rc = rc;
        snprintf(r->errmsg, sizeof(r->errmsg), "%s", iof__merge_errmsg(m));
    }
    r->merge = NULL;
    iof__merge_destroy(m); /* inputs still open end as interrupted (their counters are kept) */
    if (flow_rc != IOF_OK)
        return flow_rc;
    return r->stop || rc == IOF_E_INTERRUPTED ? IOF_E_INTERRUPTED : IOF_OK;
}

iof_err iof_run_execute(iof_run *r)
{
    int64_t t0 = iof__now_ns();
    const char *slow = getenv("IOF_TEST_SLOW_US");
    r->test_slow_us = slow ? (unsigned)strtoul(slow, NULL, 10) : 0;
    int rc = setup(r);
    if (rc != IOF_OK) {
        r->output_rc = rc;
        return (iof_err)rc;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < r->n_inputs; i++) {
        struct stat sb;
        if (strcmp(r->inputs[i], "-") != 0 && stat(r->inputs[i], &sb) == 0)
            total += (uint64_t)sb.st_size;
    }
    r->complete_at = INT64_MIN;
    iof__progress_start(&r->progress, r->cfg.progress, total);
    int flow_rc = read_inputs(r); /* output/memory/configuration problem: stops the run */
    bool interrupted = flow_rc == IOF_E_INTERRUPTED;
    if (interrupted)
        flow_rc = IOF_OK;
    iof__progress_end(&r->progress);
    r->st.interrupted = r->stop != 0 || interrupted;
    if (flow_rc == IOF_OK)
        flow_rc = iof__pipe_flush(&r->pipe, r->st.interrupted);
    if (flow_rc == IOF_OK && r->joy)
        flow_rc = iof__joyrun_finish(r); /* completed, published with the sink's files below */
    if (r->shard) {
        iof__shard_stats ss;
        iof__shard_get_stats(r->shard, &r->st.cf, &ss);
        r->st.merge_held_peak = ss.held_peak;
        r->st.merge_evictions = ss.held_evictions;
        r->st.flow_workers_dropped = ss.dropped;
    } else if (r->flows) {
        iof__cflow_get_stats(r->flows, &r->st.cf);
    }
    iof__fragtab_stats fs;
    iof__fragtab_get_stats(r->frag, &fs);
    r->st.frag_orphans = fs.orphans;
    r->st.frag_resolved = fs.resolved;
    if (r->sink) {
        int src2 = iof__sink_close(r->sink, flow_rc == IOF_OK);
        if (flow_rc == IOF_OK && src2 != IOF_OK) {
            flow_rc = src2;
            snprintf(r->errmsg, sizeof(r->errmsg), "%s", iof__sink_errmsg(r->sink));
        }
        if (flow_rc != IOF_OK && !r->errmsg[0])
            snprintf(r->errmsg, sizeof(r->errmsg), "%s", iof__sink_errmsg(r->sink));
        /* refused to replace an earlier run's file: leave the directory as it was */
        if (flow_rc == IOF_E_EXISTS)
            r->unpublished = iof__sink_unpublish(r->sink);
    }
    int jrc = iof__joyrun_close(r, flow_rc == IOF_OK);
    if (flow_rc == IOF_OK)
        flow_rc = jrc;
    r->st.elapsed_s = (double)(iof__now_ns() - t0) / 1e9;
    r->output_rc = flow_rc;
    if (flow_rc != IOF_OK)
        return (iof_err)flow_rc;
    if (r->input_rc != IOF_OK)
        return (iof_err)r->input_rc;
    if (r->st.interrupted)
        return IOF_E_INTERRUPTED;
    return IOF_OK;
}
