/* iotflow label --rules FILE -o DIR PATH...: relabel written outputs (docs/LABELS.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "iotflow/iotflow.h"
#include "signals.h"

#define MAX_RULES 16 /* IOF_MAX_RULE_FILES */

static void on_message(void *ctx, const char *text)
{
    (void)ctx;
    iof_cli_message("iotflow label", text);
}

static void usage(FILE *fp)
{
    fputs("usage: iotflow label --rules FILE [--rules FILE...] -o DIR [--overwrite] [--threads N] PATH...\n\n"
          "Relabels custom-flow outputs written by extract (.parquet, .csv, .jsonl) and Joy files\n"
          "(.json.gz: -f joy, or Joy 3.0.3's own output), or directories of them (every such file,\n"
          "each format), without the captures: each file is copied to DIR (its\n"
          "path below a directory PATH kept, a file PATH by its name) with its label columns (K,\n"
          "K_rule) replaced by the rule files' keys, where extract --rules puts them; every other\n"
          "column as it is. The labels equal those of extract --rules on the same records.\n"
          "The rules see what the file carries: proto, ports, first dir, time (first packet),\n"
          "remote.addr, device.addr (only with a device_ip column: extract --device-ip),\n"
          "device.name/type. Rules reading ttl.in, ttl.out or time.last are refused on custom-flow\n"
          "files, rules reading dns, sni or app on every file (label at extraction); a row whose\n"
          "remote is 0.0.0.0 stops its file when the rules read remote addresses (anonymised:\n"
          "extract with --keep-private-ips). Joy files give the rules what a Joy flow gives them\n"
          "at extraction, TTLs included. See docs/LABELS.md.\n\n"
          "  -r, --rules FILE   rule file (docs/LABELS.md); repeat for other keys (at most 16)\n"
          "  -o, --output DIR   where the relabelled files go (required; never the input's place)\n"
          "      --overwrite    replace files already at the output paths\n"
          "      --threads N    Parquet writer: 1 = no helper thread (default: by cores)\n"
          "  -h, --help         this text\n"
          "Every file is checked before any is written. Exit status: 0 success; 1 usage, rules,\n"
          "paths (a PATH missing, -o inside an input directory, an output taken), or a file the\n"
          "rules cannot label (nothing written); 2 a file damaged or unreadable, or a row the rules\n"
          "cannot label (0.0.0.0 remote, see above): that file not written, the others are;\n"
          "3 output error; 130 interrupted (the file being written is removed).\n",
          fp);
}

int iof_cli_label(int argc, char **argv)
{
    static const struct option opts[] = {
        { "rules", required_argument, 0, 'r' }, { "output", required_argument, 0, 'o' },
        { "overwrite", no_argument, 0, 'W' },   { "threads", required_argument, 0, 't' },
        { "help", no_argument, 0, 'h' },        { 0, 0, 0, 0 },
    };
    const char *rules[MAX_RULES];
    iof_label_options o = { .rules = rules };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "r:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o.n_rules >= MAX_RULES) {
                fprintf(stderr, "iotflow label: at most %d --rules files\n", MAX_RULES);
                return IOF_EXIT_USAGE;
            }
            rules[o.n_rules++] = optarg;
            break;
        case 'o': o.out_dir = optarg; break;
        case 'W': o.overwrite = true; break;
        case 't': {
            char *end;
            long t = strtol(optarg, &end, 10);
            if (!optarg[0] || *end || t < 1 || t > 256) {
                fprintf(stderr, "iotflow label: --threads is 1..256, not %s\n", optarg);
                return IOF_EXIT_USAGE;
            }
            o.threads = (unsigned)t;
            break;
        }
        case 'h': usage(stdout); return IOF_EXIT_OK;
        default:
            fprintf(stderr, "iotflow label: unknown option or missing value: %s (see --help)\n", argv[optind - 1]);
            return IOF_EXIT_USAGE;
        }
    }
    if (!o.n_rules || !o.out_dir || optind >= argc) {
        fprintf(stderr, "iotflow label: give --rules FILE, -o DIR and at least one PATH (see --help)\n");
        return IOF_EXIT_USAGE;
    }
    char err[1024] = "";
    o.on_message = on_message;
    iof_cli_signals_install(NULL); /* a signal removes the files not yet complete and exits (130) */
    iof_err rc = iof_label_paths((const char *const *)(argv + optind), (size_t)(argc - optind), &o, stdout, err,
                                 sizeof(err));
    iof_cli_signals_clear();
    return iof_cli_rewrite_status("iotflow label", rc, err, stdout);
}

int iof_cli_rewrite_status(const char *prefix, iof_err rc, const char *err, FILE *out)
{
    if (fflush(out) != 0 && rc == IOF_OK)
        return IOF_EXIT_OUTPUT;
    if (rc == IOF_OK)
        return IOF_EXIT_OK;
    fprintf(stderr, "%s: %s\n", prefix, err[0] ? err : iof_strerror(rc));
    if (rc == IOF_E_INVAL || rc == IOF_E_LIMIT)
        return IOF_EXIT_USAGE;
    return rc == IOF_E_OUTPUT ? IOF_EXIT_OUTPUT : IOF_EXIT_INPUT;
}
