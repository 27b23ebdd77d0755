/* iotflow extract (and iotflow fuse, the same run with --sensors required): options ->
 * iof_config -> iof_run. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "signals.h"
#include "iotflow/iotflow.h"

static void extract_usage(FILE *fp)
{
    fputs("usage: iotflow extract [OPTIONS] INPUT...\n"
          "       iotflow extract [OPTIONS] -i IF\n"
          "\n"
          "Turns packet captures into custom-flow records (docs/CUSTOMFLOW.md): per device,\n"
          "fixed-window records with flow metadata and the first packets' offsets, sizes,\n"
          "directions and payload bytes, one file per UTC day and variant.\n"
          "\n"
          "  INPUT                 pcap/pcapng files (format from the magic number; gzip allowed),\n"
          "                        directories (every capture inside, in name order), or - (stdin)\n"
          "  -i, --interface IF    live capture (stop with Ctrl-C/SIGTERM or --duration)\n"
          "      --duration D      live: stop after D (e.g. 30s, 5m, 1h)\n"
          "      --snaplen N       live: bytes captured per packet (default 65535)\n"
          "      --buffer-size KIB live: kernel buffer size in KiB\n"
          "      --filter BPF      capture filter applied before decoding (files and live)\n"
          "  -o, --output DIR      output directory (default ./iotflow-out); - = stdout (one\n"
          "                        format, one variant; -f joy alone: plain NDJSON)\n"
          "  -f, --format F        parquet (default) | csv | jsonl | joy; repeatable or\n"
          "                        comma-separated; joy = Cisco Joy 3.0.3 flows, one gzip NDJSON\n"
          "                        file per run in DIR/joy/ (docs/JOY.md)\n"
          "      --idp N           -f joy: keep the first N bytes (at most 1500) of each\n"
          "                        direction's initial data packet, Joy's idp=N (default 0: off)\n"
          "      --table T         what parquet/csv/jsonl hold: customflow (default: the records\n"
          "                        above, both layouts) | telemetry (one row per flow and second)\n"
          "                        | timeline (one row per device and second, zeros included);\n"
          "                        one layout, DIR/T/yy-mm-dd.EXT (docs/OUTPUT.md); joy files\n"
          "                        always hold Joy flows\n"
          "      --telemetry-idle D  telemetry/timeline: a flow idle for D has ended (default 60s)\n"
          "      --features F,...  customflow (default table): byte_dist (byte_dist_000..255 or\n"
          "                        the byte_dist list, byte_dist_mean, byte_dist_std), entropy\n"
          "                        (entropy, total_entropy): exact, over the payload of every\n"
          "                        packet of the record; splt (the first 50 data packets' signed\n"
          "                        lengths and ms gaps), wht (wht_0..3), dns (dns_qname, _qtype,\n"
          "                        _rcode, _answers, _addrs, _messages), dhcp (dhcp_hostname,\n"
          "                        _vendor_class, _params, _msg_type, _messages), http\n"
          "                        (http_method, _uri, _host, _user_agent, _status, _server,\n"
          "                        _content_type, _requests, _responses: HTTP/1.x, any TCP\n"
          "                        port), payload (payload_out, payload_in: each direction's\n"
          "                        first 32 bytes), tls (tls_sni, tls_cs, tls_ja3,\n"
          "                        tls_cert_subject...: the hellos and the server's first\n"
          "                        certificate), l7 (l7_app: nDPI's application; builds with\n"
          "                        nDPI);\n"
          "                        timeline: dns (dns_names: the names the\n"
          "                        device had resolved the remotes it exchanged packets with to),\n"
          "                        tls (tls_names: its TCP connections' TLS server names),\n"
          "                        learnt from DNS answers and ClientHellos; all: what the table\n"
          "                        takes; other pairings refused (docs/OUTPUT.md)\n"
          "      --sensors FILE    sensor readings CSV (timestamp, device_id = inventory name or\n"
          "                        MAC, numeric columns; docs/SENSORS.md). customflow, telemetry:\n"
          "                        each row gets its device's sensor context, per column C:\n"
          "                        C_at_start, C_mean, C_min, C_max (and NAME_any for 0/1 flags;\n"
          "                        same as iotflow fuse); timeline: each column, the device's\n"
          "                        reading in that second (null: none, or no sensors); not with\n"
          "                        -f joy\n"
          "      --tolerance D     --sensors: a reading stands for at most D after its time:\n"
          "                        C_at_start takes the last within D before the first packet, a\n"
          "                        timeline second without one the last within D (default 2s; 0..1h)\n"
          "      --layout L        wide | nested (default: wide for parquet/csv, nested for jsonl)\n"
          "      --variant V       bi | uni | both (default both)\n"
          "      --devices FILE    device inventory CSV (iotflow devices writes one): a header\n"
          "                        naming mac, name, type, ip in any order, or headerless\n"
          "                        mac,name,type[,ip...] rows, or MACs only (default: devices\n"
          "                        are endpoints with private/link-local addresses)\n"
          "      --shard K/N       read only this run's share of the input files (K of N; the\n"
          "                        split is by size and the same on every machine) and tag the\n"
          "                        file names (part-sKofN-0.parquet): N machines, one dataset\n"
          "      --rules FILE      label records by a rule file (docs/LABELS.md): each key K\n"
          "                        adds columns K and K_rule (which rule set it); repeatable,\n"
          "                        one file per set of keys (at most 16); rules on dns, sni\n"
          "                        and app read the capture's DNS answers, TLS server names and\n"
          "                        nDPI's applications (app: refused by a build without nDPI)\n"
          "      --window SEC      record lifetime in seconds (default 60)\n"
          "      --packets N       packet slots per record, i (default 10)\n"
          "      --payload N       payload bytes kept per packet, j (default 1000)\n"
          "      --payload-total N payload stream slots in the wide layout, B (default 3000; at\n"
          "                        most 8181 - 3 x --packets: the wide layout has 8192 columns)\n"
          "      --max-flows N     cap on live records; the oldest is emitted early and flagged\n"
          "                        evicted (default 1000000)\n"
          "      --max-memory SIZE bound on the flow table's memory (records and their payload\n"
          "                        bytes), e.g. 512M, 4G; the oldest records are emitted early\n"
          "                        and flagged evicted (default: a quarter of the RAM or cgroup\n"
          "                        limit, at least 64M; 'none': no bound)\n"
          "      --keep-private-ips  write private remote IPs as they are (default: 0.0.0.0 / ::;\n"
          "                          also the local addresses in --features columns:\n"
          "                          docs/OUTPUT.md)\n"
          "      --device-ip       add a device_ip column (the device-side address of the key;\n"
          "                        off by default: a local identifier the dataset leaves out)\n"
          "      --last-seen       add a LastSeen / last_seen column (the record's last packet\n"
          "                        time, µs, like FirstSeen; custom-flow table only)\n"
          "      --end-reason      add an end_reason column (custom-flow records) and member\n"
          "                        (-f joy flows): window, idle, active, evicted, end_of_input,\n"
          "                        stopped\n"
          "      --partition P     day (VARIANT/yy-mm-dd.EXT, default) | hive\n"
          "                        (variant=.../day=YYYY-MM-DD/part-N.EXT)\n"
          "      --compression C   parquet codec: zstd (default, level -1) | zstd:LEVEL (-7..22) |\n"
          "                        snappy | none\n"
          "      --threads N       threads (the same output for every N): 1 runs everything on\n"
          "                        one thread; N > 1: N custom-flow workers fed by the reading\n"
          "                        thread, plus the Parquet output's helpers (sort-batch writer,\n"
          "                        row-group flush); 0 or default: one flow worker and the output's\n"
          "                        helpers (workers do not pay yet: bench/README.md); at most 64. Runs that cannot be\n"
          "                        sharded yet (telemetry/timeline, -f joy, rules or features on\n"
          "                        dns/sni/app/l7) keep one worker and say so; live capture\n"
          "                        drops (and counts) packets of workers that fall behind\n"
          "      --hash-seed N     fixed flow-table hash seed (tests; default random)\n"
          "      --input-order O   several inputs: time (default: merged by packet time, as\n"
          "                        mergecap does; at most 32 open at once) | name (one after\n"
          "                        the other, in the order given and directories in name order)\n"
          "      --overwrite       replace an earlier run's files of the same day, variant and\n"
          "                        format (and that day's later part files)\n"
          "      --append          add part files (yy-mm-dd.partN.EXT) beside an earlier run's\n"
          "                        files\n"
          "      --strict          a WARN verdict (no records, most packets dropped, no inventory\n"
          "                        device seen, packets back in time across inputs) exits 4\n"
          "      --stats FILE      write run statistics as JSON\n"
          "      --progress        force the progress bar (default: when stderr is a terminal)\n"
          "  -q, --quiet           no progress bar and no summary\n"
          "  -h, --help            this text\n"
          "\n"
          "By default a run refuses to write where an earlier run's file of the same day, variant\n"
          "and format is (exit 1; the files it had completed are removed again). Files are\n"
          "published (renamed from a temporary name) as soon as they are complete: a day's file\n"
          "once the packet clock has passed that day, the rest together at the end.\n"
          "\n"
          "Exit status: 0 success; 1 usage/configuration error (nothing written); 2 input error\n"
          "(a capture unreadable or damaged: everything before the damage is written, the message\n"
          "names the file and byte offset); 3 output error (files published before it are complete\n"
          "and listed; no partial file under a final name); 4 WARN verdict with --strict; 130\n"
          "interrupted while reading files (outputs complete for what was read); 141 standard\n"
          "output closed by its reader (-o - | head): the run stops quietly.\n",
          fp);
}

/* the command the options were given to ("extract", "fuse"): messages name it */
static const char *g_cmd = "extract";

IOF_CLI_PRINTF(1, 2) static void cli_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "iotflow %s: ", g_cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

static int parse_uint(const char *opt, const char *s, unsigned long long min, unsigned long long max,
                      unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max || s[0] == '-' || s[0] == '+' || isspace((unsigned char)s[0])) {
        cli_err("%s: expected an integer %llu..%llu, got '%s'\n", opt, min, max, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* N[K|M|G|T] (binary units: K = 1024) | none (UINT64_MAX); at least 1 MiB */
static int parse_size(const char *opt, const char *s, uint64_t *out)
{
    if (strcasecmp(s, "none") == 0) { /* as the units: any case */
        *out = UINT64_MAX;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    const char *units = "KMGT";
    if (*end && end[1] == '\0' && strchr(units, toupper((unsigned char)*end)))
        shift = 10u * (unsigned)(strchr(units, toupper((unsigned char)*end)) - units + 1), end++;
    if (!*s || *end || errno || s[0] == '-' || s[0] == '+' || isspace((unsigned char)s[0]) || end == s ||
        v > (UINT64_MAX >> 1) >> shift ||
        (v << shift) < (1ULL << 20)) {
        cli_err("%s: expected a size of at least 1M (N, NK, NM, NG or NT) or 'none', got '%s'\n", opt, s);
        return -1;
    }
    *out = (uint64_t)v << shift;
    return 0;
}

/* zstd | zstd:LEVEL | snappy | none */
static int parse_compression(const char *s, iof_config *cfg)
{
    cfg->compression_level = 0;
    if (strcmp(s, "zstd") == 0) {
        cfg->compression = IOF_CODEC_ZSTD;
    } else if (strncmp(s, "zstd:", 5) == 0) {
        char *end;
        long lv = strtol(s + 5, &end, 10);
        if (end == s + 5 || *end || lv < IOF_ZSTD_LEVEL_MIN || lv > IOF_ZSTD_LEVEL_MAX) {
            cli_err("--compression zstd:LEVEL takes a level in %d..%d\n", IOF_ZSTD_LEVEL_MIN, IOF_ZSTD_LEVEL_MAX);
            return -1;
        }
        cfg->compression = IOF_CODEC_ZSTD;
        cfg->compression_level = (int)lv;
    } else if (strcmp(s, "snappy") == 0) {
        cfg->compression = IOF_CODEC_SNAPPY;
    } else if (strcmp(s, "none") == 0) {
        cfg->compression = IOF_CODEC_NONE;
    } else {
        cli_err("--compression zstd[:LEVEL]|snappy|none\n");
        return -1;
    }
    return 0;
}

static int parse_formats(const char *s, unsigned *bits)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "parquet") == 0) *bits |= IOF_FMT_PARQUET;
        else if (strcmp(t, "csv") == 0) *bits |= IOF_FMT_CSV;
        else if (strcmp(t, "jsonl") == 0 || strcmp(t, "json") == 0) *bits |= IOF_FMT_JSONL;
        else if (strcmp(t, "joy") == 0) *bits |= IOF_FMT_JOY;
        else {
            cli_err("unknown format '%s' (parquet, csv, jsonl, joy)\n", t);
            return -1;
        }
    }
    return 0;
}

enum {
    O_LAYOUT = 256, O_VARIANT, O_DEVICES, O_WINDOW, O_PACKETS, O_PAYLOAD, O_PAYLOAD_TOTAL,
    O_PARTITION, O_FILTER, O_COMPRESSION, O_THREADS, O_STATS, O_MAXFLOWS, O_MAXMEM, O_SHARD, O_KEEPIPS, O_SEED,
    O_DURATION, O_SNAPLEN, O_BUFSIZE, O_PROGRESS, O_RULES, O_INPUT_ORDER, O_OVERWRITE, O_APPEND,
    O_STRICT, O_DEVICE_IP, O_LAST_SEEN, O_END_REASON, O_IDP, O_TABLE, O_TEL_IDLE, O_SENSORS, O_TOLERANCE,
    O_FEATURES,
};

int iof_cli_extract(int argc, char **argv)
{
    static const iof_cli_extract_mode extract = { "extract", false, extract_usage, NULL };
    return iof_cli_extract_with(argc, argv, &extract);
}

int iof_cli_extract_with(int argc, char **argv, const iof_cli_extract_mode *mode)
{
    g_cmd = mode->cmd;
    static const struct option opts[] = {
        { "interface", required_argument, 0, 'i' }, { "output", required_argument, 0, 'o' },
        { "format", required_argument, 0, 'f' }, { "layout", required_argument, 0, O_LAYOUT },
        { "variant", required_argument, 0, O_VARIANT }, { "devices", required_argument, 0, O_DEVICES },
        { "window", required_argument, 0, O_WINDOW }, { "packets", required_argument, 0, O_PACKETS },
        { "payload", required_argument, 0, O_PAYLOAD },
        { "payload-total", required_argument, 0, O_PAYLOAD_TOTAL },
        { "partition", required_argument, 0, O_PARTITION }, { "filter", required_argument, 0, O_FILTER },
        { "compression", required_argument, 0, O_COMPRESSION },
        { "threads", required_argument, 0, O_THREADS }, { "stats", required_argument, 0, O_STATS },
        { "max-flows", required_argument, 0, O_MAXFLOWS }, { "max-memory", required_argument, 0, O_MAXMEM },
        { "shard", required_argument, 0, O_SHARD }, { "keep-private-ips", no_argument, 0, O_KEEPIPS },
        { "hash-seed", required_argument, 0, O_SEED }, { "duration", required_argument, 0, O_DURATION },
        { "snaplen", required_argument, 0, O_SNAPLEN }, { "buffer-size", required_argument, 0, O_BUFSIZE },
        { "progress", no_argument, 0, O_PROGRESS }, { "rules", required_argument, 0, O_RULES },
        { "input-order", required_argument, 0, O_INPUT_ORDER },
        { "overwrite", no_argument, 0, O_OVERWRITE }, { "append", no_argument, 0, O_APPEND },
        { "strict", no_argument, 0, O_STRICT }, { "device-ip", no_argument, 0, O_DEVICE_IP },
        { "last-seen", no_argument, 0, O_LAST_SEEN },
        { "end-reason", no_argument, 0, O_END_REASON },
        { "idp", required_argument, 0, O_IDP },
        { "table", required_argument, 0, O_TABLE }, { "telemetry-idle", required_argument, 0, O_TEL_IDLE },
        { "sensors", required_argument, 0, O_SENSORS }, { "tolerance", required_argument, 0, O_TOLERANCE },
        { "features", required_argument, 0, O_FEATURES },
        { "quiet", no_argument, 0, 'q' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    iof_config cfg;
    iof_config_init(&cfg);
    unsigned formats = 0;
    const char *stats_path = NULL;
    bool quiet = false, force_progress = false, strict = false;
    enum { IOF_CLI_MAX_RULES = 16 }; /* = IOF_MAX_RULE_FILES (the library says so too) */
    const char *rules[IOF_CLI_MAX_RULES];
    size_t n_rules = 0;
    unsigned long long v;
    optind = 1;
    opterr = 0;
    int c;
    bool tel_idle_given = false, tolerance_given = false;
    const char *run_only_opt = NULL; /* the first option a rewrite of written outputs does not take */
    while ((c = getopt_long(argc, argv, ":i:o:f:qh", opts, NULL)) != -1) {
        static const int rewrite_opts[] = { 'o', 'q', 'h', ':', '?', O_DEVICES, O_SENSORS, O_TOLERANCE, O_OVERWRITE,
                                            O_THREADS, O_STRICT };
        bool rewrite_opt = false;
        for (size_t k = 0; k < sizeof(rewrite_opts) / sizeof(rewrite_opts[0]); k++)
            rewrite_opt |= c == rewrite_opts[k];
        for (size_t k = 0; !rewrite_opt && !run_only_opt && opts[k].name; k++)
            if (opts[k].val == c)
                run_only_opt = opts[k].name;
        switch (c) {
        case 'i': cfg.interface = optarg; break;
        case 'o': cfg.output_dir = optarg; break;
        case 'f': if (parse_formats(optarg, &formats)) return IOF_EXIT_USAGE; break;
        case O_LAYOUT:
            if (strcmp(optarg, "wide") == 0) cfg.layout = IOF_LAYOUT_WIDE;
            else if (strcmp(optarg, "nested") == 0) cfg.layout = IOF_LAYOUT_NESTED;
            else { cli_err("--layout wide|nested\n"); return IOF_EXIT_USAGE; }
            break;
        case O_VARIANT:
            if (strcmp(optarg, "bi") == 0) cfg.variants = IOF_VARIANT_BI;
            else if (strcmp(optarg, "uni") == 0) cfg.variants = IOF_VARIANT_UNI;
            else if (strcmp(optarg, "both") == 0) cfg.variants = IOF_VARIANT_BI | IOF_VARIANT_UNI;
            else { cli_err("--variant bi|uni|both\n"); return IOF_EXIT_USAGE; }
            break;
        case O_DEVICES: cfg.devices_file = optarg; break;
        case O_WINDOW: {
            double w = iof_cli_parse_duration(optarg);
            if (w <= 0) { cli_err("--window: expected seconds > 0, got '%s'\n", optarg); return IOF_EXIT_USAGE; }
            cfg.window_s = w;
            break;
        }
        case O_PACKETS: if (parse_uint("--packets", optarg, 0, 1000, &v)) return IOF_EXIT_USAGE; cfg.packets = (unsigned)v; break;
        case O_PAYLOAD: if (parse_uint("--payload", optarg, 0, 65535, &v)) return IOF_EXIT_USAGE; cfg.payload = (unsigned)v; break;
        case O_PAYLOAD_TOTAL: if (parse_uint("--payload-total", optarg, 0, 65536, &v)) return IOF_EXIT_USAGE; cfg.payload_total = (unsigned)v; break;
        case O_MAXFLOWS:
            if (parse_uint("--max-flows", optarg, 1, 1ULL << 32, &v))
                return IOF_EXIT_USAGE;
            cfg.max_flows = v;
            break;
        case O_SHARD: {
            unsigned k, n;
            char tail;
            /* digits only, 5 at most each (N <= 65536): sscanf's %u takes blanks and signs, and
             * overflows silently */
            size_t dk = strspn(optarg, "0123456789"), dn = strlen(optarg + dk + (optarg[dk] != 0));
            if (!dk || dk > 5 || optarg[dk] != '/' || !dn || dn > 5 ||
                strspn(optarg + dk + 1, "0123456789") != dn ||
                sscanf(optarg, "%u/%u%c", &k, &n, &tail) != 2 || k < 1 || k > n || n > 65536) {
                cli_err("--shard K/N: 1 <= K <= N <= 65536, got '%s'\n", optarg);
                return IOF_EXIT_USAGE;
            }
            cfg.shard = k;
            cfg.shards = n;
            break;
        }
        case O_MAXMEM:
            if (parse_size("--max-memory", optarg, &cfg.max_memory))
                return IOF_EXIT_USAGE;
            break;
        case O_SEED: if (parse_uint("--hash-seed", optarg, 0, UINT64_MAX, &v)) return IOF_EXIT_USAGE; cfg.hash_seed = v; break;
        case O_TABLE:
            if (strcmp(optarg, "customflow") == 0) cfg.table = IOF_TABLE_CUSTOMFLOW;
            else if (strcmp(optarg, "telemetry") == 0) cfg.table = IOF_TABLE_TELEMETRY;
            else if (strcmp(optarg, "timeline") == 0) cfg.table = IOF_TABLE_TIMELINE;
            else { cli_err("--table customflow|telemetry|timeline\n"); return IOF_EXIT_USAGE; }
            break;
        case O_TEL_IDLE:
            tel_idle_given = true;
            cfg.telemetry_idle_s = iof_cli_parse_duration(optarg);
            if (!(cfg.telemetry_idle_s >= 1)) {
                cli_err("--telemetry-idle takes a duration of at least 1s, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case O_SENSORS: cfg.sensors_file = optarg; break;
        case O_FEATURES: {
            char ferr[256];
            unsigned more;
            if (iof_features_parse(optarg, &more, ferr, sizeof(ferr)) != IOF_OK) {
                cli_err("%s\n", ferr);
                return IOF_EXIT_USAGE;
            }
            cfg.features |= more; /* repeatable: the lists add up */
            break;
        }
        case O_TOLERANCE:
            tolerance_given = true;
            cfg.sensor_tolerance_s = iof_cli_parse_duration(optarg);
            if (!(cfg.sensor_tolerance_s >= 0 && cfg.sensor_tolerance_s <= 3600)) {
                cli_err("--tolerance takes a duration of 0 to 1h (3600s), not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case O_IDP: if (parse_uint("--idp", optarg, 0, 1500, &v)) return IOF_EXIT_USAGE; cfg.joy_idp = (unsigned)v; break;
        case O_THREADS: if (parse_uint("--threads", optarg, 0, IOF_MAX_THREADS, &v)) return IOF_EXIT_USAGE; cfg.threads = (unsigned)v; break;
        case O_SNAPLEN: if (parse_uint("--snaplen", optarg, 0, 262144, &v)) return IOF_EXIT_USAGE; cfg.live_snaplen = (int)v; break;
        case O_BUFSIZE: if (parse_uint("--buffer-size", optarg, 0, 4u << 20, &v)) return IOF_EXIT_USAGE; cfg.live_buffer_kib = (int)v; break;
        case O_DURATION:
            cfg.duration_s = iof_cli_parse_duration(optarg);
            if (cfg.duration_s <= 0) { cli_err("--duration: bad value '%s'\n", optarg); return IOF_EXIT_USAGE; }
            break;
        case O_PARTITION:
            if (strcmp(optarg, "day") == 0) cfg.partition = IOF_PARTITION_DAY;
            else if (strcmp(optarg, "hive") == 0) cfg.partition = IOF_PARTITION_HIVE;
            else { cli_err("--partition day|hive\n"); return IOF_EXIT_USAGE; }
            break;
        case O_COMPRESSION:
            if (parse_compression(optarg, &cfg)) return IOF_EXIT_USAGE;
            break;
        case O_FILTER: cfg.filter = optarg; break;
        case O_INPUT_ORDER:
            if (strcmp(optarg, "time") == 0) cfg.input_order = IOF_INPUT_ORDER_TIME;
            else if (strcmp(optarg, "name") == 0) cfg.input_order = IOF_INPUT_ORDER_NAME;
            else { cli_err("--input-order time|name\n"); return IOF_EXIT_USAGE; }
            break;
        case O_OVERWRITE:
        case O_APPEND:
            if (cfg.existing != IOF_EXISTING_REFUSE &&
                cfg.existing != (c == O_OVERWRITE ? IOF_EXISTING_OVERWRITE : IOF_EXISTING_APPEND)) {
                cli_err("--overwrite and --append exclude each other\n");
                return IOF_EXIT_USAGE;
            }
            cfg.existing = c == O_OVERWRITE ? IOF_EXISTING_OVERWRITE : IOF_EXISTING_APPEND;
            break;
        case O_STRICT: strict = true; break;
        case O_STATS: stats_path = optarg; break;
        case O_KEEPIPS: cfg.anonymise = false; break;
        case O_DEVICE_IP: cfg.device_ip = true; break;
        case O_LAST_SEEN: cfg.last_seen = true; break;
        case O_END_REASON: cfg.end_reason = true; break;
        case O_PROGRESS: force_progress = true; break;
        case O_RULES:
            if (n_rules == IOF_CLI_MAX_RULES) {
                cli_err("--rules: at most %d files\n", IOF_CLI_MAX_RULES);
                return IOF_EXIT_USAGE;
            }
            rules[n_rules++] = optarg;
            break;
        case 'q': quiet = true; break;
        case 'h': mode->usage(stdout); return IOF_EXIT_OK;
        case ':': cli_err("option %s needs a value\n", argv[optind - 1]); return IOF_EXIT_USAGE;
        default: cli_err("unknown option %s (see --help)\n", argv[optind - 1]); return IOF_EXIT_USAGE;
        }
    }
    if (tel_idle_given && cfg.table == IOF_TABLE_CUSTOMFLOW) {
        cli_err("--telemetry-idle applies to --table telemetry or timeline\n");
        return IOF_EXIT_USAGE;
    }

    if (mode->need_sensors && !cfg.sensors_file) {
        cli_err("--sensors FILE is required (see --help)\n");
        return IOF_EXIT_USAGE;
    }
    if (tolerance_given && !cfg.sensors_file) {
        cli_err("--tolerance applies to --sensors\n");
        return IOF_EXIT_USAGE;
    }

    if (formats)
        cfg.formats = formats;
    cfg.rules_files = rules;
    cfg.n_rules_files = n_rules;
    cfg.inputs = (const char *const *)(argv + optind);
    cfg.n_inputs = (size_t)(argc - optind);
    int st;
    if (mode->take_over && (st = mode->take_over(&cfg, run_only_opt, quiet, strict)) >= 0)
        return st;
    if (cfg.duration_s > 0 && !cfg.interface) {
        cli_err("--duration applies to live capture (-i)\n");
        return IOF_EXIT_USAGE;
    }
    cfg.progress = !quiet && (force_progress || isatty(STDERR_FILENO));
    cfg.on_message = iof_cli_message;
    cfg.message_ctx = "iotflow";
    char err[1024];
    iof_run *run;
    iof_err rc = iof_run_create(&run, &cfg, err, sizeof(err));
    if (rc != IOF_OK) {
        cli_err("%s\n", err);
        return rc == IOF_E_IO || rc == IOF_E_FORMAT ? IOF_EXIT_INPUT : IOF_EXIT_USAGE;
    }
    iof_cli_signals_install(run);
    if (cfg.interface && cfg.duration_s > 0)
        alarm((unsigned)(cfg.duration_s + 0.999));
    rc = iof_run_execute(run);
    iof_cli_signals_clear();
    /* the statistics first: a failed write is part of the verdict the summary ends with */
    if (stats_path && rc != IOF_E_INVAL)
        iof_run_write_stats_json(run, stats_path);
    if (rc == IOF_E_CLOSED) {
        /* `| head`: the reader of stdout went away. Stop quietly, as Unix tools do when SIGPIPE
         * ends them (the shell then sees 128 + SIGPIPE). */
        iof_run_destroy(run);
        return IOF_EXIT_PIPE;
    }
    char vt[1536];
    iof_verdict verdict = iof_run_verdict(run, vt, sizeof(vt));
    if (!quiet)
        iof_run_print_summary(run, stderr);
    else if (verdict == IOF_VERDICT_FAILED || verdict == IOF_VERDICT_INPUT_ERROR ||
             (verdict == IOF_VERDICT_WARN && strict))
        cli_err("%s: %s\n", iof_verdict_name(verdict), vt);
    int status;
    switch (rc) {
    case IOF_OK: status = IOF_EXIT_OK; break;
    case IOF_E_INTERRUPTED: status = cfg.interface ? IOF_EXIT_OK : IOF_EXIT_INTERRUPTED; break;
    case IOF_E_OUTPUT: status = IOF_EXIT_OUTPUT; break;
    case IOF_E_NOMEM: status = IOF_EXIT_OUTPUT; break;
    case IOF_E_INVAL: status = IOF_EXIT_USAGE; break;
    case IOF_E_EXISTS: status = IOF_EXIT_USAGE; break; /* nothing written: configuration */
    default: status = IOF_EXIT_INPUT; break;
    }
    if (status == IOF_EXIT_OK && verdict == IOF_VERDICT_FAILED) /* statistics not written */
        status = IOF_EXIT_OUTPUT;
    if (status == IOF_EXIT_OK && verdict == IOF_VERDICT_WARN && strict)
        status = IOF_EXIT_WARN;
    iof_run_destroy(run);
    return status;
}
