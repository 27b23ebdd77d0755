/* SIGINT/SIGTERM: the first asks the run to stop (outputs are completed); a second one exits
 * at once (130). Installed without SA_RESTART so blocking reads return. SIGPIPE is ignored so a
 * closed stdout is seen as EPIPE (an output error) instead of killing the process. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"

static iof_run *volatile g_run;
static volatile sig_atomic_t g_count;

static void on_signal(int sig)
{
    (void)sig;
    if (++g_count > 1) {
        iof_remove_temp_files();
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
}

void iof_cli_signals_clear(void) { g_run = NULL; }
