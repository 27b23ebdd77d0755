/* iotflow: git-style subcommands. Thin: option parsing lives in cmd_*.c, logic in the library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli.h"
#include "iotflow/iotflow.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    { "extract", iof_cli_extract, "captures (files, directories, stdin, live) -> custom-flow datasets" },
    { "fuse", iof_cli_fuse, "captures + sensor CSV -> flow records with their devices' sensor context" },
    { "stats", iof_cli_stats, "per-device / per-protocol summary of captures or of our outputs" },
    { "label", iof_cli_label, "relabel written outputs with rule files, without the captures" },
    { "audit", iof_cli_audit, "leakage audit: columns of labelled outputs that alone predict the label" },
    { "correlate", iof_cli_correlate, "traffic against sensor readings: lagged cross-correlation, ranked" },
    { "devices", iof_cli_devices, "devices seen in captures -> an inventory CSV for --devices" },
    { "synth", iof_cli_synth, "synthetic smart-home traffic, sensors, attacks and ground truth" },
    { "demo", iof_cli_demo, "synth -> extract -> stats on the built-in sample" },
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: iotflow <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\n'iotflow <command> --help' describes each command; 'iotflow --version' prints the version.\n"
                "Exit status: 0 success; 1 usage or configuration error (nothing written); 2 input\n"
                "error (a capture damaged or unreadable: what was read before is written); 3 output\n"
                "error; 4 a WARN verdict under --strict; 130 interrupted (SIGINT/SIGTERM); 141 standard\n"
                "output closed by its reader (e.g. | head), as for other Unix tools.\n");
}

void iof_cli_message(void *ctx, const char *text)
{
    fprintf(stderr, "%s: %s\n", ctx ? (const char *)ctx : "iotflow", text);
}

static uint64_t text_hash(const char *t) /* FNV-1a */
{
    uint64_t h = 1469598103934665603u;
    for (; *t; t++)
        h = (h ^ (unsigned char)*t) * 1099511628211u;
    return h;
}

void iof_cli_say(void *ctx, const char *text)
{
    iof_cli_said *s = ctx;
    if (s->n < IOF_CLI_SAID_MAX)
        s->h[s->n] = text_hash(text);
    s->n++;
    iof_cli_message((void *)s->prefix, text);
}

bool iof_cli_was_said(const iof_cli_said *s, const char *text)
{
    uint64_t h = text_hash(text);
    for (unsigned i = 0; i < s->n && i < IOF_CLI_SAID_MAX; i++)
        if (s->h[i] == h)
            return true;
    return false;
}

double iof_cli_parse_duration(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0)
        return -1;
    if (*end == '\0' || strcmp(end, "s") == 0)
        return v;
    if (strcmp(end, "ms") == 0)
        return v / 1000;
    if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        return v * 60;
    if (strcmp(end, "h") == 0)
        return v * 3600;
    if (strcmp(end, "d") == 0)
        return v * 86400;
    return -1;
}

/* glibc's mmap threshold fixed at 256 KiB instead of its sliding one (128 KiB, raised to the size
 * of each mapped block freed, up to 32 MiB): the Parquet writers' buffers of some MiB, freed and
 * grown again row group after row group, then go back to the system when freed instead of
 * staying in the heaps as free memory. smallpkt's default run: 304 -> 296 MB peak RSS; CPU of
 * `-f joy`, `--features all` and the plain run on dense the same (5 alternating pairs), where a
 * 128 KiB threshold cost `-f joy` ~20 % (bench/README.md 2026-12-07, branch rss5). A threshold
 * the user sets (glibc.malloc.mmap_threshold in GLIBC_TUNABLES, MALLOC_MMAP_THRESHOLD_) is left
 * alone. */
static void malloc_policy(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
    const char *tun = getenv("GLIBC_TUNABLES");
    if ((!tun || !strstr(tun, "glibc.malloc.mmap_threshold")) && !getenv("MALLOC_MMAP_THRESHOLD_"))
        mallopt(M_MMAP_THRESHOLD, 256 << 10);
#endif
}

int main(int argc, char **argv)
{
    malloc_policy();
    if (argc < 2) {
        usage(stderr);
        return IOF_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        const char *ndpi = iof_ndpi_version();
        printf("iotflow %s (%s%s)\n", iof_version_string(), ndpi ? "nDPI " : "without nDPI: rules on app are refused",
               ndpi ? ndpi : "");
        return IOF_EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        if (argc > 2) {
            for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(argv[2], commands[i].name) == 0) {
                    char *args[] = { argv[2], "--help", NULL };
                    return commands[i].fn(2, args);
                }
        }
        usage(stdout);
        return IOF_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "iotflow: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return IOF_EXIT_USAGE;
}
