/* iotflow stats PATH...: per-device / per-protocol tables of captures or of our outputs. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "iotflow/iotflow.h"

int iof_cli_stats(int argc, char **argv)
{
    static const struct option opts[] = {
        { "devices", required_argument, 0, 'd' }, { "json", required_argument, 0, 'j' },
        { "threads", required_argument, 0, 't' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    const char *devices = NULL, *json = NULL;
    unsigned threads = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': devices = optarg; break;
        case 'j': json = optarg; break;
        case 't': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (!*optarg || *end || v > IOF_MAX_THREADS || !isdigit((unsigned char)optarg[0])) {
                fprintf(stderr, "iotflow stats: --threads is 0..%d, not %s\n", IOF_MAX_THREADS, optarg);
                return IOF_EXIT_USAGE;
            }
            threads = (unsigned)v;
            break;
        }
        case 'h':
            puts("usage: iotflow stats [--devices FILE] [--json FILE] [--threads N] PATH...\n\n"
                 "Prints the per-device and per-protocol tables of the run summary for each PATH:\n"
                 "captures (pcap/pcapng/gzip; extracted in memory with default options, nothing is\n"
                 "written) and iotflow outputs (.jsonl, .csv, .parquet). Directories are searched\n"
                 "recursively. Each record is counted once: a file given twice, and a dataset's\n"
                 "other formats beside it, are left out and named (Parquet kept, then JSON Lines,\n"
                 "then CSV). A Parquet file says in its metadata which variant\n"
                 "it holds; a CSV or JSON Lines file whose resolved path's nearest variant\n"
                 "folder is unidirectional/ holds unidirectional records. At most 50 device rows are printed; --json FILE writes\n"
                 "every row as JSON. --threads N: flow workers for captures (1: one thread;\n"
                 "default: one; the same tables either way).\n"
                 "Exit status: 0 success, 1 usage error, 2 an input could not be read.");
            return IOF_EXIT_OK;
        default:
            fprintf(stderr, "iotflow stats: unknown option %s (see --help)\n", argv[optind - 1]);
            return IOF_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "iotflow stats: give at least one PATH (see --help)\n");
        return IOF_EXIT_USAGE;
    }
    char err[1024] = "";
    iof_cli_said said = { .prefix = "iotflow stats" };
    iof_err rc = iof_stats_paths((const char *const *)(argv + optind), (size_t)(argc - optind), devices, threads,
                                 stdout, json, iof_cli_say, &said, err, sizeof(err));
    if (rc == IOF_OK)
        return IOF_EXIT_OK;
    if (err[0] ? !iof_cli_was_said(&said, err) : !said.n) /* an input's problem was said already, naming the file */
        fprintf(stderr, "iotflow stats: %s\n", err[0] ? err : iof_strerror(rc));
    return rc == IOF_E_INVAL ? IOF_EXIT_USAGE : IOF_EXIT_INPUT;
}
