/* iotflow audit PATH...: the leakage audit of labelled outputs (docs/LABELS.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "iotflow/iotflow.h"

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!s[0] || s[0] == '-')
        return false;
    unsigned long long x = strtoull(s, &end, 10);
    *v = x;
    return *end == '\0';
}

int iof_cli_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        { "label", required_argument, 0, 'l' }, { "variant", required_argument, 0, 'v' },
        { "threshold", required_argument, 0, 't' }, { "max-rows", required_argument, 0, 'm' },
        { "shuffle", required_argument, 0, 's' }, { "json", no_argument, 0, 'j' },
        { "strict", no_argument, 0, 'S' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    iof_audit_options o = { .label = "label", .variant = 0, .threshold = 0.9, .max_rows = 2000000 };
    bool strict = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'l': o.label = optarg; break;
        case 'v':
            if (strcmp(optarg, "bi") && strcmp(optarg, "uni")) {
                fprintf(stderr, "iotflow audit: --variant is bi or uni, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            o.variant = strcmp(optarg, "uni") == 0;
            break;
        case 't':
            o.threshold = strtod(optarg, &end);
            if (*end || !(o.threshold > 0 && o.threshold <= 1)) {
                fprintf(stderr, "iotflow audit: --threshold is a number in (0, 1], not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case 'm':
            if (!parse_u64(optarg, &o.max_rows) || o.max_rows == 0 || o.max_rows > (1ull << 31)) {
                fprintf(stderr, "iotflow audit: --max-rows is 1..2147483648, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case 's':
            if (!parse_u64(optarg, &o.shuffle_seed) || o.shuffle_seed == 0) {
                fprintf(stderr, "iotflow audit: --shuffle takes a seed >= 1, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            break;
        case 'j': o.json = true; break;
        case 'S': strict = true; break;
        case 'h':
            puts("usage: iotflow audit [--label KEY] [--variant bi|uni] [--threshold X] [--max-rows N]\n"
                 "                     [--shuffle SEED] [--json] [--strict] PATH...\n\n"
                 "Leakage audit of labelled iotflow outputs (.parquet, .jsonl, .csv, or directories;\n"
                 "written by extract --rules): for each identifier column (device, device name and\n"
                 "type, device_ip, remote_ip, protocol, ports, first_seen) and the base measures\n"
                 "(bytes, packets), how well the column ALONE predicts the label KEY (default\n"
                 "\"label\"). Score: chance-corrected balanced accuracy, leave-one-out (a row is\n"
                 "predicted from the other rows with its value, or from its nearest neighbour in\n"
                 "time or size): 0 = chance, 1 = perfect. An identifier column at or above the\n"
                 "threshold (default 0.9) is flagged LEAK: it separates the labels because of how\n"
                 "the data was made (fixed attacker addresses, attack time windows, one device),\n"
                 "and a model trained on it will not generalise; bytes/packets are flagged\n"
                 "\"strong\" (a property of the traffic, maybe legitimate).\n"
                 "Records of one variant are scored (--variant, default bi); at most --max-rows\n"
                 "(default 2,000,000) are kept, in path order. --shuffle SEED permutes the labels\n"
                 "first: the control, under which nothing should be flagged. --json prints JSON.\n"
                 "Exit status: 0 success (leaks or not), 1 usage error, 2 an input could not be\n"
                 "read, 4 a column was flagged LEAK under --strict.");
            return IOF_EXIT_OK;
        default:
            fprintf(stderr, "iotflow audit: unknown option %s (see --help)\n", argv[optind - 1]);
            return IOF_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "iotflow audit: give at least one PATH (see --help)\n");
        return IOF_EXIT_USAGE;
    }
    char err[1024] = "";
    iof_cli_said said = { .prefix = "iotflow audit" };
    size_t leaks = 0;
    iof_err rc = iof_audit_paths((const char *const *)(argv + optind), (size_t)(argc - optind), &o, stdout,
                                 iof_cli_say, &said, &leaks, err, sizeof(err));
    if (rc != IOF_OK) {
        if (err[0] ? !iof_cli_was_said(&said, err) : !said.n)
            fprintf(stderr, "iotflow audit: %s\n", err[0] ? err : iof_strerror(rc));
        return rc == IOF_E_INVAL ? IOF_EXIT_USAGE : IOF_EXIT_INPUT;
    }
    return strict && leaks ? IOF_EXIT_WARN : IOF_EXIT_OK;
}
