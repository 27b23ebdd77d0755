/* iotflow demo: the built-in sample. synth (a 10-minute smart home with attacks) -> extract
 * (with its device inventory) -> stats, then says where everything is. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "iotflow/iotflow.h"

int iof_cli_demo(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, 0, 'o' }, { "seed", required_argument, 0, 's' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    const char *dir = "./iotflow-demo";
    uint64_t seed = 1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': dir = optarg; break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'h':
            puts("usage: iotflow demo [-o DIR] [--seed N]\n\n"
                 "Generates a 10-minute synthetic smart home (iotflow synth) into DIR/sample,\n"
                 "extracts custom flows from it with its device inventory into DIR/flows\n"
                 "(Parquet, and CSV for a quick look), and prints the per-device table.\n"
                 "DIR defaults to ./iotflow-demo.");
            return IOF_EXIT_OK;
        default:
            fprintf(stderr, "iotflow demo: unknown option %s (see --help)\n", argv[optind - 1]);
            return IOF_EXIT_USAGE;
        }
    }
    char sample[4096], flows[4096], capture[4200], devices[4200], stats[4200];
    snprintf(sample, sizeof(sample), "%s/sample", dir);
    snprintf(flows, sizeof(flows), "%s/flows", dir);
    snprintf(capture, sizeof(capture), "%s/capture.pcap", sample);
    snprintf(devices, sizeof(devices), "%s/devices.csv", sample);
    snprintf(stats, sizeof(stats), "%s/stats.json", flows);

    char err[1024];
    iof_synth_stats ss;
    iof_synth_config sc;
    iof_synth_config_init(&sc);
    sc.output_dir = sample;
    sc.seed = seed;
    sc.stats = &ss;
    fprintf(stderr, "== 1/3 iotflow synth -o %s --seed %llu\n", sample, (unsigned long long)seed);
    iof_err rc = iof_synth_run(&sc, err, sizeof(err));
    if (rc != IOF_OK) {
        fprintf(stderr, "iotflow demo: synth: %s\n", err);
        return rc == IOF_E_INVAL ? IOF_EXIT_USAGE : IOF_EXIT_OUTPUT;
    }
    fprintf(stderr, "   %llu packets, %u devices, %llu ground-truth records (%llu attack)\n",
            (unsigned long long)ss.packets, ss.devices, (unsigned long long)ss.records,
            (unsigned long long)ss.attack_records);

    fprintf(stderr, "== 2/3 iotflow extract --devices %s -f parquet -f csv --overwrite -o %s %s\n", devices, flows, capture);
    iof_config cfg;
    iof_config_init(&cfg);
    const char *in[1] = { capture };
    cfg.inputs = in;
    cfg.n_inputs = 1;
    cfg.output_dir = flows;
    cfg.devices_file = devices;
    cfg.formats = IOF_FMT_PARQUET | IOF_FMT_CSV;
    cfg.existing = IOF_EXISTING_OVERWRITE; /* the demo directory is its own: a second demo replaces it */
    cfg.progress = isatty(STDERR_FILENO);
    cfg.on_message = iof_cli_message;
    cfg.message_ctx = "iotflow demo";
    iof_run *run;
    rc = iof_run_create(&run, &cfg, err, sizeof(err));
    if (rc != IOF_OK) {
        fprintf(stderr, "iotflow demo: extract: %s\n", err);
        return IOF_EXIT_USAGE;
    }
    rc = iof_run_execute(run);
    iof_run_print_summary(run, stderr);
    iof_run_write_stats_json(run, stats);
    iof_run_destroy(run);
    if (rc != IOF_OK)
        return rc == IOF_E_OUTPUT ? IOF_EXIT_OUTPUT : IOF_EXIT_INPUT;

    fprintf(stderr, "== 3/3 iotflow stats %s\n", flows);
    const char *paths[1] = { flows };
    rc = iof_stats_paths(paths, 1, NULL, 0, stdout, NULL, iof_cli_message, "iotflow demo", err, sizeof(err));
    if (rc != IOF_OK)
        fprintf(stderr, "iotflow demo: stats: %s\n", err);
    printf("\nOutputs:\n"
           "  %s/           capture.pcap, devices.csv, sensors.csv, events.csv, truth.csv,\n"
           "                   labels.rules\n"
           "  %s/bidirectional/   one Parquet + CSV file per UTC day\n"
           "  %s/unidirectional/\n"
           "  %s    run statistics\n"
           "Try: iotflow stats %s\n"
           "     head -c 600 %s/bidirectional/*.csv\n"
           "     iotflow extract -f jsonl --variant bi -o - %s | head -3\n",
           sample, flows, flows, stats, flows, flows, capture);
    return rc == IOF_OK ? IOF_EXIT_OK : IOF_EXIT_INPUT;
}
