/* iotflow fuse: flow records with their devices' sensor context. For captures it is exactly
 * `iotflow extract --sensors FILE` (the same options, parser and run: cmd_extract.c); outputs an
 * earlier run wrote are copied with the sensor columns (iof_fuse_paths, dataset/fuse.c). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "iotflow/iotflow.h"
#include "signals.h"

static void fuse_usage(FILE *fp)
{
    fputs("usage: iotflow fuse --sensors FILE [--devices FILE] [--tolerance D] [OPTIONS] INPUT... -o DIR\n"
          "\n"
          "Flow records with their device's sensor context (docs/OUTPUT.md \"Sensor context\"): for\n"
          "each value column C of the sensor file, C_at_start (the last reading at or before the\n"
          "record's first packet, at most --tolerance older), C_mean, C_min and C_max (the readings\n"
          "from its first to its last packet); for 0/1 flag columns also NAME_any (alert_flag ->\n"
          "alert_any). Records of devices without sensors get nulls.\n"
          "\n"
          "  INPUT                 pcap/pcapng files, directories or - (as for extract), or outputs\n"
          "                        of an earlier run (.parquet, .csv, .jsonl, or directories of\n"
          "                        them; not both): custom-flow files written with --last-seen\n"
          "                        (their records' lifetimes) and timeline tables, each copied to\n"
          "                        DIR (its path below a directory INPUT kept) with the columns\n"
          "                        extract --sensors gives the same rows, in its own format;\n"
          "                        --overwrite, --threads and --strict (exit 4 after a warning:\n"
          "                        sensor rows skipped, no row with a reading) apply, extract's\n"
          "                        other options not\n"
          "      --sensors FILE    sensor readings CSV (docs/SENSORS.md); required\n"
          "      --devices FILE    device inventory: sensor device_ids may be its names\n"
          "      --tolerance D     how much older than the first packet C_at_start's reading may\n"
          "                        be (default 2s; 0..1h)\n"
          "  -o, --output DIR      output directory\n"
          "\n"
          "Every option of iotflow extract applies (-f parquet|csv|jsonl, --layout, --variant,\n"
          "--partition, --table customflow|telemetry|timeline, ...; 'iotflow extract --help'):\n"
          "iotflow fuse ARGS writes the same files as iotflow extract --sensors FILE ARGS.\n"
          "\n"
          "Exit status: as extract's (0 success; 1 usage/configuration error, nothing written,\n"
          "also without --sensors; 2 input error; 3 output error; 4 WARN verdict with --strict; 130\n"
          "interrupted; 141 standard output closed). Written outputs: as iotflow label's (1 also a\n"
          "file fuse cannot take: a telemetry table, a custom-flow file without LastSeen, a sensor\n"
          "column named like one of its columns; nothing written).\n",
          fp);
}

static void on_message(void *ctx, const char *text)
{
    (void)ctx;
    iof_cli_message("iotflow fuse", text);
}

/* Written outputs: each file copied with the sensor columns (iof_fuse_paths); captures: -1, the
 * extract run with --sensors. */
static int fuse_outputs(const iof_config *cfg, const char *run_only_opt, bool quiet, bool strict)
{
    iof_fuse_kind kind = iof_fuse_paths_kind(cfg->inputs, cfg->n_inputs);
    if (kind == IOF_FUSE_MIXED) {
        fputs("iotflow fuse: give captures or written outputs, not both (run fuse once for each)\n", stderr);
        return IOF_EXIT_USAGE;
    }
    if (kind == IOF_FUSE_CAPTURES)
        return -1;
    if (run_only_opt) {
        fprintf(stderr,
                "iotflow fuse: --%s applies to captures: written outputs are fused as they are (each file keeps its "
                "format, layout, variant and place)\n",
                run_only_opt);
        return IOF_EXIT_USAGE;
    }
    iof_fuse_options o = {
        .sensors_file = cfg->sensors_file, .devices_file = cfg->devices_file,
        .tolerance_s = cfg->sensor_tolerance_s, .out_dir = cfg->output_dir,
        .overwrite = cfg->existing == IOF_EXISTING_OVERWRITE, .threads = cfg->threads,
        .on_message = on_message,
    };
    unsigned warnings = 0;
    o.warnings = &warnings;
    char err[1024] = "";
    FILE *devnull = quiet ? fopen("/dev/null", "w") : NULL;
    FILE *out = devnull ? devnull : stdout;
    iof_cli_signals_install(NULL); /* a signal removes the files not yet complete and exits (130) */
    iof_err rc = iof_fuse_paths(cfg->inputs, cfg->n_inputs, &o, out, err, sizeof(err));
    iof_cli_signals_clear();
    int st = iof_cli_rewrite_status("iotflow fuse", rc, err, out);
    if (st == IOF_EXIT_OK && strict && warnings) {
        fprintf(stderr, "iotflow fuse: --strict: %u warning(s) above\n", warnings);
        st = IOF_EXIT_WARN;
    }
    if (devnull)
        fclose(devnull);
    return st;
}

int iof_cli_fuse(int argc, char **argv)
{
    static const iof_cli_extract_mode fuse = { "fuse", true, fuse_usage, fuse_outputs };
    return iof_cli_extract_with(argc, argv, &fuse);
}
