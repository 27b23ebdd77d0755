/* iotflow synth: option parsing only; the generator lives in src/synth/ (iof_synth_run). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "iotflow/iotflow.h"

static void usage(FILE *fp)
{
    fputs("usage: iotflow synth -o DIR [OPTIONS]\n"
          "Writes a synthetic smart-home dataset into DIR: capture.pcap, devices.csv,\n"
          "sensors.csv, events.csv, truth.csv (ground truth of the records that\n"
          "`iotflow extract --devices DIR/devices.csv DIR/capture.pcap` produces) and\n"
          "labels.rules (the same labels as rules for extract --rules DIR/labels.rules).\n"
          "\n"
          "  -o, --output DIR        output directory (created if missing)\n"
          "  -s, --seed N            PRNG seed (default 1); same seed -> same bytes\n"
          "      --start TIME        capture start, UTC (default 2024-06-23T18:00:00Z)\n"
          "  -d, --duration D        capture length: 90, 90s, 15m, 2h, 1d (default 10m)\n"
          "  -n, --devices N         IoT devices, 1..100 (default 8; 60 with --profile small\n"
          "                          or dense); a NAS is added\n"
          "  -a, --attack-ratio R    share of malicious records, 0..0.5 (default 0.1)\n"
          "      --profile P         home (default): smart home with camera video to a NAS;\n"
          "                          small: packet-rate benchmark, many devices' control\n"
          "                          traffic only (small packets, many short flows);\n"
          "                          dense: record-rate benchmark, small's traffic plus\n"
          "                          encrypted bulk (TLS downloads, camera video)\n"
          "      --scale X, --rate X traffic-rate multiplier for benchmarks (default 1)\n"
          "      --stats FILE        also write the run's statistics as JSON to FILE\n"
          "                          (counts per device and label, configuration echo)\n"
          "  -q, --quiet             no summary line\n"
          "  -h, --help              this text\n"
          "See docs/SYNTH.md for the devices, couplings, attacks and truth rules.\n",
          fp);
}

static int parse_double(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end)
        return -1;
    *out = v;
    return 0;
}

int iof_cli_synth(int argc, char **argv)
{
    enum { OPT_START = 256, OPT_SCALE, OPT_PROFILE, OPT_STATS };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},   {"seed", required_argument, NULL, 's'},
        {"start", required_argument, NULL, OPT_START},
        {"duration", required_argument, NULL, 'd'}, {"devices", required_argument, NULL, 'n'},
        {"attack-ratio", required_argument, NULL, 'a'},
        {"scale", required_argument, NULL, OPT_SCALE},
        {"rate", required_argument, NULL, OPT_SCALE}, {"quiet", no_argument, NULL, 'q'},
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"stats", required_argument, NULL, OPT_STATS},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    iof_synth_config cfg;
    iof_synth_stats st;
    int quiet = 0, c;
    iof_synth_config_init(&cfg);
    memset(&st, 0, sizeof st);
    cfg.stats = &st;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:d:n:a:qh", opts, NULL)) != -1) {
        double v;
        char *end;
        switch (c) {
        case 'o': cfg.output_dir = optarg; break;
        case 's':
            cfg.seed = strtoull(optarg, &end, 0);
            if (end == optarg || *end || optarg[0] == '-') {
                fprintf(stderr, "iotflow synth: bad --seed '%s'\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case OPT_START:
            if (iof_synth_parse_time(optarg, &cfg.start_us) != IOF_OK) {
                fprintf(stderr, "iotflow synth: bad --start '%s' (want 2024-06-23T18:00:00Z)\n",
                        optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case 'd':
            cfg.duration_s = iof_cli_parse_duration(optarg);
            if (cfg.duration_s < 0) {
                fprintf(stderr, "iotflow synth: bad --duration '%s'\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case 'n':
            if (parse_double(optarg, &v) < 0 || v < 1 || v > 100 || v != (unsigned)v) {
                fprintf(stderr, "iotflow synth: --devices must be an integer 1..100\n");
                return IOF_EXIT_USAGE;
            }
            cfg.devices = (unsigned)v;
            break;
        case 'a':
            if (parse_double(optarg, &cfg.attack_ratio) < 0) {
                fprintf(stderr, "iotflow synth: bad --attack-ratio '%s'\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case OPT_SCALE:
            if (parse_double(optarg, &cfg.scale) < 0) {
                fprintf(stderr, "iotflow synth: bad --scale '%s'\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case OPT_PROFILE:
            if (iof_synth_profile_parse(optarg, &cfg.profile) != IOF_OK) {
                fprintf(stderr, "iotflow synth: bad --profile '%s' (home, small or dense)\n",
                        optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case OPT_STATS: cfg.stats_json = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return IOF_EXIT_OK;
        default: usage(stderr); return IOF_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "iotflow synth: unexpected argument '%s'\n", argv[optind]);
        return IOF_EXIT_USAGE;
    }
    if (!cfg.output_dir) {
        fprintf(stderr, "iotflow synth: -o DIR is required\n");
        usage(stderr);
        return IOF_EXIT_USAGE;
    }
    char err[512] = "";
    iof_err rc = iof_synth_run(&cfg, err, sizeof err);
    if (rc != IOF_OK) {
        fprintf(stderr, "iotflow %s\n", err[0] ? err : iof_strerror(rc));
        return rc == IOF_E_INVAL ? IOF_EXIT_USAGE : IOF_EXIT_OUTPUT;
    }
    if (!quiet)
        fprintf(stderr,
                "iotflow synth: %s: %llu packets, %.1f MB capture, %u devices, %llu records "
                "(%llu malicious, %.1f%%), %llu sensor rows, %llu events in %.2f s (%.0f MB/s)\n",
                cfg.output_dir, (unsigned long long)st.packets, (double)st.bytes / 1e6,
                st.devices, (unsigned long long)st.records, (unsigned long long)st.attack_records,
                st.records ? 100.0 * (double)st.attack_records / (double)st.records : 0.0,
                (unsigned long long)st.sensor_rows, (unsigned long long)st.events, st.seconds,
                st.seconds > 0 ? (double)st.bytes / 1e6 / st.seconds : 0.0);
    return IOF_EXIT_OK;
}
