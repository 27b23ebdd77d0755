/* iotflow correlate --sensors FILE PATH...: traffic against sensor readings (docs/SENSORS.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "iotflow/iotflow.h"

static void on_message(void *ctx, const char *text)
{
    (*(unsigned *)ctx)++;
    iof_cli_message("iotflow correlate", text);
}

static bool parse_long(const char *s, long lo, long hi, long *v)
{
    char *end;
    long x = strtol(s, &end, 10);
    if (!s[0] || *end || x < lo || x > hi)
        return false;
    *v = x;
    return true;
}

static const char usage[] =
    "usage: iotflow correlate --sensors FILE [--devices FILE] [--max-lag 60] [--tolerance 2]\n"
    "                         [--threshold 6] [--alpha 0.05] [--shifts 19] [--confirm 99] [--seed 1]\n"
    "                         [--top 20]\n"
    "                         [--csv] [--plot FILE.svg] [--threads N] PATH...\n\n"
    "Lagged cross-correlation between each device's per-second traffic and each sensor series.\n"
    "PATHs are captures (read into the per-device timeline, as extract --table timeline) or\n"
    "timeline tables written by extract (.parquet, .csv, .jsonl, or directories), not both.\n"
    "Traffic series: packets, bytes and flows started, out and in (log1p of the counts).\n"
    "Sensor series: each column's level (a reading stands --tolerance seconds, default 2) and\n"
    "its absolute change (steps, onsets). Lags -L..+L (--max-lag); lag > 0: traffic follows\n"
    "the sensor. Score: z of the best |r| against copies of the sensor series shifted by at\n"
    "least max(10 L, 600) s (--shifts, then --confirm more for pairs that pass); significant\n"
    "when z >= --threshold, above every copy, and its tail p (Gumbel fit to the copies' maxima)\n"
    "passes Holm's correction over the run's pairs at --alpha (the chance of any pair passing in\n"
    "a run without couplings). Give it 20 minutes or more of traffic. Series with fewer than 10\n"
    "events are not paired (a sparse series: 10 bursts, events at most 5 s apart counting once).\n"
    "Output: the top pairs (--top, 0 = all), or every pair as CSV (--csv): sensor_device,sensor,\n"
    "traffic_device,traffic,lag_s,score,r,p,significant,sensor_series,null_n,null_mean,null_sd,\n"
    "sensor_events,traffic_events,p_tail,p_adj.\n"
    "--plot FILE.svg draws the top pairs: r against lag, and the aligned series around the\n"
    "strongest events. --threads 1: no helper thread (any other N: one helper; same output).\n"
    "--tolerance takes a duration (2, 500ms, 1m). Captures beside tables: the tables are ignored.\n"
    "Exit status: 0 success (significant pairs or not), 1 usage error or a sensor / device file\n"
    "that cannot be read, or no attributed traffic, 2 an input could not be read (damaged after\n"
    "some packets: the pairs of what was read are printed first) or a cap was reached, 3 the plot\n"
    "could not be written.";

int iof_cli_correlate(int argc, char **argv)
{
    static const struct option opts[] = {
        { "sensors", required_argument, 0, 's' }, { "devices", required_argument, 0, 'd' },
        { "max-lag", required_argument, 0, 'L' }, { "tolerance", required_argument, 0, 'T' },
        { "threshold", required_argument, 0, 'z' }, { "shifts", required_argument, 0, 'K' },
        { "alpha", required_argument, 0, 'a' },
        { "confirm", required_argument, 0, 'C' }, { "seed", required_argument, 0, 'S' },
        { "top", required_argument, 0, 'n' }, { "csv", no_argument, 0, 'c' },
        { "plot", required_argument, 0, 'p' }, { "threads", required_argument, 0, 'j' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    iof_correlate_options o;
    iof_correlate_options_init(&o);
    unsigned said = 0;
    o.on_message = on_message;
    o.message_ctx = &said;
    optind = 1;
    opterr = 0;
    int c;
    long v;
    char *end;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': o.sensors_file = optarg; break;
        case 'd': o.devices_file = optarg; break;
        case 'L':
            if (!parse_long(optarg, 1, 3600, &v)) {
                fprintf(stderr, "iotflow correlate: --max-lag is 1..3600 seconds, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            o.max_lag = (int)v;
            break;
        case 'T':
            o.tolerance_s = iof_cli_parse_duration(optarg);
            if (!(o.tolerance_s >= 0 && o.tolerance_s <= 3600)) {
                fprintf(stderr, "iotflow correlate: --tolerance takes a duration of 0 to 1h (3600s), not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case 'z':
            o.threshold = strtod(optarg, &end);
            if (!optarg[0] || *end || !(o.threshold > 0 && o.threshold < 1000)) {
                fprintf(stderr, "iotflow correlate: --threshold is a z above 0, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case 'a':
            o.alpha = strtod(optarg, &end);
            if (!optarg[0] || *end || !(o.alpha > 0 && o.alpha <= 1)) {
                fprintf(stderr, "iotflow correlate: --alpha is above 0 and at most 1, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case 'K':
            if (!parse_long(optarg, 2, 999, &v)) {
                fprintf(stderr, "iotflow correlate: --shifts is 2..999, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            o.shifts = (int)v;
            break;
        case 'C':
            if (!parse_long(optarg, 0, 999, &v)) {
                fprintf(stderr, "iotflow correlate: --confirm is 0..999, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            o.confirm_shifts = (int)v;
            break;
        case 'S':
            if (!parse_long(optarg, 1, 0x7fffffffL, &v)) {
                fprintf(stderr, "iotflow correlate: --seed is a number >= 1, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            o.seed = (uint64_t)v;
            break;
        case 'n':
            if (!parse_long(optarg, 0, 1000000, &v)) {
                fprintf(stderr, "iotflow correlate: --top is 0..1000000, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            o.top = (unsigned)v;
            break;
        case 'c': o.csv = true; break;
        case 'p': o.plot_path = optarg; break;
        case 'j':
            if (!parse_long(optarg, 0, 1024, &v)) {
                fprintf(stderr, "iotflow correlate: --threads is 0..1024, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            o.threads = (unsigned)v;
            break;
        case 'h': puts(usage); return IOF_EXIT_OK;
        default:
            fprintf(stderr, "iotflow correlate: unknown option or missing value: %s (see --help)\n", argv[optind - 1]);
            return IOF_EXIT_USAGE;
        }
    }
    if (!o.sensors_file) {
        fprintf(stderr, "iotflow correlate: --sensors FILE is required (see --help)\n");
        return IOF_EXIT_USAGE;
    }
    if (optind >= argc) {
        fprintf(stderr, "iotflow correlate: give at least one capture or timeline table (see --help)\n");
        return IOF_EXIT_USAGE;
    }
    char err[1024] = "";
    size_t sig = 0;
    iof_err rc = iof_correlate_paths((const char *const *)(argv + optind), (size_t)(argc - optind), &o, stdout, &sig,
                                     err, sizeof(err));
    if (rc != IOF_OK) {
        if (err[0]) /* else already said (an input's message) */
            fprintf(stderr, "iotflow correlate: %s\n", err);
        return rc == IOF_E_INVAL ? IOF_EXIT_USAGE
             : rc == IOF_E_OUTPUT ? IOF_EXIT_OUTPUT
             : rc == IOF_E_INTERRUPTED ? IOF_EXIT_INTERRUPTED
                                       : IOF_EXIT_INPUT;
    }
    return IOF_EXIT_OK;
}
