/* SIGINT/SIGTERM: the first asks the run to stop (outputs are completed); a second one removes
 * every temporary file, says so on stderr and exits at once (130). Without a run (installed
 * with NULL: iotflow label) the first signal does that. Installed without
 * SA_RESTART so blocking reads return. SIGPIPE is ignored so a closed stdout is seen as EPIPE
 * (the run then stops quietly, see cmd_extract.c); SIGXFSZ (a file-size limit, `ulimit -f`) is
 * ignored so the write fails with EFBIG and is reported as an output error like a full disk,
 * instead of killing the process with its temporary files in place. */
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"

static iof_run *volatile g_run;
static volatile sig_atomic_t g_count;

/* Only async-signal-safe calls: unlink(2) inside iof_remove_temp_files, write(2). */
static void say_removed(size_t n, bool second)
{
    static const char a2[] = "iotflow: second signal: stopped at once; ", a1[] = "iotflow: interrupted: stopped at once; ";
    const char *a = second ? a2 : a1;
    size_t alen = second ? sizeof(a2) - 1 : sizeof(a1) - 1;
    static const char b[] = " temporary file(s) removed; files already published are complete\n";
    char num[24];
    size_t k = sizeof(num);
    do {
        num[--k] = (char)('0' + n % 10);
        n /= 10;
    } while (n && k);
    ssize_t w = write(STDERR_FILENO, a, alen);
    w = write(STDERR_FILENO, num + k, sizeof(num) - k);
    w = write(STDERR_FILENO, b, sizeof(b) - 1);
    (void)w;
}

static void on_signal(int sig)
{
    (void)sig;
    if (++g_count > 1 || !g_run) {
        say_removed(iof_remove_temp_files(), g_run != NULL);
        _exit(130);
    }
    iof_run *r = g_run;
    if (r)
        iof_run_stop(r);
}

static void on_alarm(int sig)
{
    (void)sig;
    iof_run *r = g_run;
    if (r)
        iof_run_stop(r); /* --duration elapsed: a clean stop, not an interruption */
}

void iof_cli_signals_install(iof_run *run)
{
    g_run = run;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
}

void iof_cli_signals_clear(void) { g_run = NULL; }
