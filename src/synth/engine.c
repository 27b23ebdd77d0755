/* The event engine: a binary heap of events ordered by (time µs, creation order), and the
 * random distributions the behaviours draw from. An event is a behaviour timer (a device's
 * periodic activity, a sensor tick, an attack tick) or a conversation (conv.c). */
#include <math.h>
#include <stdlib.h>

#include "common/err.h"
#include "common/grow.h"
#include "synth/synth_int.h"

int64_t iof__sy_jitter(iof__rng *r, int64_t base, double frac)
{
    double j = (iof__rng_unit(r) * 2 - 1) * frac;
    int64_t v = (int64_t)((double)base * (1 + j));
    return v < 1 ? 1 : v;
}

int64_t iof__sy_expo(iof__rng *r, double mean_us)
{
    double u = iof__rng_unit(r);
    double v = -log(1 - u) * mean_us;
    return v < 1 ? 1 : (int64_t)v;
}

/* Box-Muller: two uniform draws, one normal value. */
double iof__sy_gauss(iof__rng *r)
{
    double u1 = iof__rng_unit(r) + 1e-12, u2 = iof__rng_unit(r);
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Lognormal-ish heavy tail: most values small, a few large. */
uint32_t iof__sy_heavy(iof__rng *r, double median, double sigma, uint32_t cap)
{
    double v = median * exp(sigma * iof__sy_gauss(r));
    if (v < 1)
        v = 1;
    return v > cap ? cap : (uint32_t)v;
}

static int ev_less(const hslot *a, const hslot *b)
{
    return a->t < b->t || (a->t == b->t && a->order < b->order);
}

/* Moves x down from the root over the first n slots (a pop, or the root's new key). */
static void sift_down(gen *g, hslot x, size_t n)
{
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = l;
        if (l >= n)
            break;
        if (l + 1 < n && ev_less(&g->heap[l + 1], &g->heap[l]))
            m = l + 1;
        if (!ev_less(&g->heap[m], &x))
            break;
        g->heap[i] = g->heap[m];
        i = m;
    }
    g->heap[i] = x;
}

/* Schedules e at t (not before now). The firing event rescheduling itself only records its
 * new key: iof__sy_run_events() then sifts it down from the root instead of a pop and a push (most
 * events are conversation steps a few µs ahead, which stay near the root). Every key is
 * (t, creation order), unique, so the firing sequence is the same either way. */
void iof__sy_push(gen *g, ev *e, int64_t t)
{
    if (t < g->now)
        t = g->now;
    e->t = t;
    e->order = g->order++;
    hslot x = {t, e->order, e};
    if (e == g->firing && !g->refired) {
        g->refired = 1;
        g->refire_at = x;
        return;
    }
    int rc = iof__grow((void **)&g->heap, &g->capheap, g->nheap + 1, sizeof *g->heap, SY_MAX_PENDING);
    if (rc != IOF_OK) {
        g->err = rc;
        return;
    }
    size_t i = g->nheap++;
    while (i) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&x, &g->heap[p]))
            break;
        g->heap[i] = g->heap[p];
        i = p;
    }
    g->heap[i] = x;
}

/* Fires the events in (time, order) until the end of the capture or an error. */
void iof__sy_run_events(gen *g)
{
    while (g->nheap && !g->err && g->heap[0].t < g->tend) {
        ev *e = g->heap[0].e;
        g->now = g->heap[0].t;
        g->firing = e;
        g->refired = 0;
        e->fire(g, e);
        g->firing = NULL;
        if (g->refired) {
            sift_down(g, g->refire_at, g->nheap);
        } else {
            g->nheap--;
            if (g->nheap)
                sift_down(g, g->heap[g->nheap], g->nheap);
        }
    }
}
