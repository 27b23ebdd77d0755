/* Progress bar on stderr (only when the caller asked: stderr is a terminal and the input is
 * large). Updated at most 5 times a second; checked every 64 Ki packets by the loop. */
#include <stdio.h>
#include <time.h>

#include "pipeline/run_int.h"

int64_t iof__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void iof__progress_start(iof__progress *p, bool on, uint64_t total)
{
    p->on = on;
    p->total_bytes = total;
    p->done_bytes = 0;
    p->start_ns = p->last_ns = iof__now_ns();
    p->drawn = false;
}

void iof__progress_update(iof__progress *p, uint64_t cur, uint64_t frames)
{
    int64_t now = iof__now_ns();
    if (now - p->last_ns < 200000000LL)
        return;
    p->last_ns = now;
    double el = (double)(now - p->start_ns) / 1e9;
    double mpps = el > 0 ? (double)frames / el / 1e6 : 0;
    if (p->total_bytes) {
        double frac = (double)cur / (double)p->total_bytes;
        if (frac > 1)
            frac = 1;
        int w = 30, fill = (int)(frac * w);
        char bar[31];
        for (int i = 0; i < w; i++)
            bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
        bar[w] = '\0';
        double eta = frac > 0.001 ? el / frac - el : 0;
        fprintf(stderr, "\r[%s] %3.0f%% %.1f/%.1f MB  %.2f Mpkt/s  ETA %.0fs ", bar, frac * 100,
                (double)cur / 1e6, (double)p->total_bytes / 1e6, mpps, eta);
    } else {
        fprintf(stderr, "\r%.1f MB read, %llu packets, %.2f Mpkt/s ", (double)cur / 1e6,
                (unsigned long long)frames, mpps);
    }
    p->drawn = true;
}

void iof__progress_end(iof__progress *p)
{
    if (p->on && p->drawn)
        fputs("\r\033[K", stderr);
}
