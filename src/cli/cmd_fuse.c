/* iotflow fuse: flow records with their devices' sensor context. For captures it is exactly
 * `iotflow extract --sensors FILE` (the same options, parser and run: cmd_extract.c); fusing
 * outputs an earlier run wrote is not built yet (docs/CLI.md). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

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
          "  INPUT                 pcap/pcapng files, directories or - (as for extract); outputs of\n"
          "                        an earlier run (.parquet, .csv, .jsonl) are not read yet\n"
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
          "also without --sensors or with an iotflow output as INPUT; 2 input error; 3 output\n"
          "error; 4 WARN verdict with --strict; 130 interrupted; 141 standard output closed).\n",
          fp);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* captures only: an output of ours (what extract writes) is refused by its name */
static int check_inputs(const char *const *inputs, size_t n)
{
    static const char *const written[] = { ".parquet", ".csv", ".jsonl", ".json", ".csv.gz", ".jsonl.gz", ".json.gz" };
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof(written) / sizeof(written[0]); k++)
            if (ends_with(inputs[i], written[k])) {
                fprintf(stderr,
                        "iotflow fuse: %s: fuse reads captures; fusing written outputs is not built yet "
                        "(run iotflow fuse on the capture the output came from)\n",
                        inputs[i]);
                return IOF_EXIT_USAGE;
            }
    return IOF_EXIT_OK;
}

int iof_cli_fuse(int argc, char **argv)
{
    static const iof_cli_extract_mode fuse = { "fuse", true, fuse_usage, check_inputs };
    return iof_cli_extract_with(argc, argv, &fuse);
}
