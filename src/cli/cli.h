/* The thin CLI: each subcommand is one file cmd_<name>.c exporting one entry point.
 * Subcommands parse their own options (getopt_long), call the library through iotflow.h only,
 * and return the process exit status documented in docs/CLI.md:
 *   0 success; 1 usage/configuration error (nothing written); 2 input error; 3 output error;
 *   4 a WARN verdict under --strict; 130 interrupted; 141 stdout closed by its reader. */
#ifndef IOF_CLI_CLI_H
#define IOF_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "iotflow/iotflow.h"

enum { IOF_EXIT_OK = 0, IOF_EXIT_USAGE = 1, IOF_EXIT_INPUT = 2, IOF_EXIT_OUTPUT = 3,
       IOF_EXIT_WARN = 4, IOF_EXIT_INTERRUPTED = 130, IOF_EXIT_PIPE = 141 };

int iof_cli_extract(int argc, char **argv);
int iof_cli_fuse(int argc, char **argv);

#if defined(__GNUC__)
#define IOF_CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define IOF_CLI_PRINTF(f, a)
#endif

/* extract's options and run, for a command that is extract with a difference (fuse). */
typedef struct iof_cli_extract_mode {
    const char *cmd;          /* "extract", "fuse": messages say "iotflow CMD: ..." */
    bool need_sensors;        /* --sensors FILE is required */
    void (*usage)(FILE *fp);  /* --help */
    /* NULL, or looks at the parsed options before the run: -1 to run extract, else the exit
     * status of what it did instead (fuse: written outputs; messages written). run_only_opt: the
     * long name of the first option given that only a run over captures takes (NULL: none). */
    int (*take_over)(const iof_config *cfg, const char *run_only_opt, bool quiet, bool strict);
} iof_cli_extract_mode;
int iof_cli_extract_with(int argc, char **argv, const iof_cli_extract_mode *mode);
/* The exit status of a rewrite of written outputs (label, fuse on outputs): its error said on
 * stderr after prefix; 0, 1 (paths, rules, checks), 2 (a file damaged), 3 (output). */
int iof_cli_rewrite_status(const char *prefix, iof_err rc, const char *err, FILE *out);
int iof_cli_stats(int argc, char **argv);
int iof_cli_audit(int argc, char **argv);
int iof_cli_label(int argc, char **argv);
int iof_cli_correlate(int argc, char **argv);
int iof_cli_devices(int argc, char **argv);
int iof_cli_synth(int argc, char **argv);
int iof_cli_demo(int argc, char **argv);

/* The library's messages (iof_message_fn) on stderr: "PREFIX: text" (ctx is the prefix, e.g.
 * "iotflow"). */
void iof_cli_message(void *ctx, const char *text);

/* The same, remembering what was said, so that a command prints its final error only when it was
 * not said already: a file's error goes to on_message and comes back as the error, while notes
 * (files left out of a listing) do not stand for it. ctx: an iof_cli_said with its prefix set. */
#define IOF_CLI_SAID_MAX 64
typedef struct iof_cli_said {
    const char *prefix;
    unsigned n;                      /* messages said */
    uint64_t h[IOF_CLI_SAID_MAX];    /* hashes of the first IOF_CLI_SAID_MAX of them */
} iof_cli_said;
void iof_cli_say(void *ctx, const char *text);
/* text was said (among the first IOF_CLI_SAID_MAX messages). */
bool iof_cli_was_said(const iof_cli_said *s, const char *text);

/* Parses "90", "90s", "15m", "2h", "1d" into seconds; returns -1 on error. */
double iof_cli_parse_duration(const char *s);

#endif
