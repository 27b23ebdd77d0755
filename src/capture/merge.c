/* capture: k-way merge of inputs by timestamp (see merge.h for the contract). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/merge.h"
#include "common/err.h"

typedef struct merge_in {
    iof__source *volatile src; /* open, or NULL */
    iof__frame cur;             /* current frame (when in the heap) */
    int64_t first_ts;          /* time order: the first frame's timestamp */
    bool done;
} merge_in;

struct iof__merge {
    iof__merge_cfg cfg;
    merge_in *in;
    size_t *order;             /* inputs in the order they join: (first_ts, idx) or idx */
    size_t next_pending;       /* next entry of order[] to join */
    size_t *heap;              /* open inputs with a current frame, by (ts, idx) */
    size_t nheap;
    size_t nopen;
    long last;                 /* input of the frame returned last: advanced at the next call */
    volatile sig_atomic_t stop;
    uint64_t done_bytes;       /* progress of the inputs already closed */
    char errmsg[1024];
};

static bool before(const iof__merge *m, size_t a, size_t b)
{
    int64_t ta = m->in[a].cur.ts_ns, tb = m->in[b].cur.ts_ns;
    return ta < tb || (ta == tb && a < b);
}

static void heap_push(iof__merge *m, size_t i)
{
    size_t k = m->nheap++;
    while (k > 0) {
        size_t p = (k - 1) / 2;
        if (!before(m, i, m->heap[p]))
            break;
        m->heap[k] = m->heap[p];
        k = p;
    }
    m->heap[k] = i;
}

static size_t heap_pop(iof__merge *m)
{
    size_t top = m->heap[0], last = m->heap[--m->nheap], k = 0;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= m->nheap)
            break;
        if (c + 1 < m->nheap && before(m, m->heap[c + 1], m->heap[c]))
            c++;
        if (!before(m, m->heap[c], last))
            break;
        m->heap[k] = m->heap[c];
        k = c;
    }
    if (m->nheap)
        m->heap[k] = last;
    return top;
}

/* Input i is finished (rc 0) or failed: tells the caller, closes it. */
static void end_input(iof__merge *m, size_t i, int rc, const char *msg)
{
    merge_in *in = &m->in[i];
    iof__source *s = in->src;
    in->done = true;
    m->cfg.ended(m->cfg.ctx, i, s, rc, msg);
    if (s) {
        m->done_bytes += iof__source_progress(s);
        in->src = NULL;
        m->nopen--;
        iof__source_close(s);
    }
}

/* Reads input i's next frame into cur. Returns 1 (it has one), 0 (ended), or a fatal error. */
static int advance(iof__merge *m, size_t i)
{
    merge_in *in = &m->in[i];
    int rc = iof__source_next(in->src, &in->cur);
    if (rc == 1)
        return 1;
    if (rc == IOF_E_INTERRUPTED || m->stop)
        return IOF_E_INTERRUPTED;
    end_input(m, i, rc, rc < 0 ? iof__source_errmsg(in->src) : "");
    return 0;
}

/* Opens input i and reads its first frame. Returns 1 (frame in cur), 0 (the input ended or
 * could not be opened: reported), or a fatal error (IOF_E_INVAL, IOF_E_INTERRUPTED). */
static int open_input(iof__merge *m, size_t i)
{
    char err[1024];
    iof__source *s = NULL;
    err[0] = '\0';
    int rc = m->cfg.open(m->cfg.ctx, i, &s, err, sizeof(err));
    if (rc == IOF_E_INVAL)
        return iof__fail(m->errmsg, sizeof(m->errmsg), rc, "%s", err);
    if (rc != IOF_OK) {
        end_input(m, i, rc, err);
        return 0;
    }
    m->in[i].src = s;
    m->nopen++;
    if (m->stop)
        iof__source_stop(s);
    return advance(m, i);
}

/* Closes input i after the first pass (it is reopened when its turn comes), unless it can be
 * read only once (stdin). */
static void close_reopenable(iof__merge *m, size_t i)
{
    if (m->cfg.once && m->cfg.once(m->cfg.ctx, i))
        return;
    iof__source_close(m->in[i].src);
    m->in[i].src = NULL;
    m->nopen--;
}

static int cmp_first(const void *a, const void *b, void *ctx)
{
    const iof__merge *m = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int64_t tx = m->in[x].first_ts, ty = m->in[y].first_ts;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return x < y ? -1 : x > y;
}

int iof__merge_create(iof__merge **out, const iof__merge_cfg *cfg, char *err, size_t errlen)
{
    *out = NULL;
    iof__merge *m = calloc(1, sizeof(*m));
    if (!m)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    m->cfg = *cfg;
    if (!m->cfg.max_open)
        m->cfg.max_open = IOF_MERGE_MAX_OPEN;
    if (!m->cfg.time_order || m->cfg.n_inputs < 2)
        m->cfg.max_open = 1;
    m->last = -1;
    size_t n = cfg->n_inputs;
    m->in = calloc(n ? n : 1, sizeof(*m->in));
    m->order = malloc((n ? n : 1) * sizeof(*m->order));
    m->heap = malloc((n ? n : 1) * sizeof(*m->heap));
    if (!m->in || !m->order || !m->heap) {
        iof__merge_destroy(m);
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        m->order[i] = i;
    if (m->cfg.max_open > 1) {
        /* First pass: every input's first timestamp. The first max_open inputs that have a
         * frame stay open (their first frame is kept); the others are reopened later. */
        for (size_t i = 0; i < n; i++) {
            int rc = open_input(m, i);
            if (rc < 0) {
                iof__fail(err, errlen, rc, "%s", m->errmsg[0] ? m->errmsg : iof_strerror(rc));
                iof__merge_destroy(m);
                return rc;
            }
            if (rc == 0)
                continue;
            m->in[i].first_ts = m->in[i].cur.ts_ns;
            if (m->nopen > m->cfg.max_open)
                close_reopenable(m, i);
        }
        qsort_r(m->order, n, sizeof(*m->order), cmp_first, m);
        /* the inputs kept open are the first ones in time order: the join below takes inputs
         * in that order, and an open one further back would hold a slot the next one needs */
        size_t kept = 0;
        for (size_t k = 0; k < n; k++) {
            size_t i = m->order[k];
            if (!m->in[i].src)
                continue;
            if (kept < m->cfg.max_open)
                kept++;
            else
                close_reopenable(m, i);
        }
    }
    *out = m;
    return IOF_OK;
}

int iof__merge_next(iof__merge *m, iof__frame *f, size_t *idx)
{
    if (m->stop)
        return IOF_E_INTERRUPTED;
    if (m->last >= 0) {
        size_t i = (size_t)m->last;
        m->last = -1;
        int rc = advance(m, i);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            /* fast path: the only input with a frame, and no other due to join before it (one
             * capture, or captures that do not overlap in time): no heap work per frame */
            if (m->nheap == 0 && (m->next_pending >= m->cfg.n_inputs || m->cfg.max_open == 1 ||
                                  m->in[m->order[m->next_pending]].first_ts > m->in[i].cur.ts_ns)) {
                *f = m->in[i].cur;
                *idx = i;
                m->last = (long)i;
                return 1;
            }
            heap_push(m, i);
        }
    }
    /* inputs join when the merged stream reaches their first timestamp (time order) or when
     * the previous one is done (name order), while a slot is free */
    while (m->next_pending < m->cfg.n_inputs) {
        size_t i = m->order[m->next_pending];
        merge_in *in = &m->in[i];
        if (in->done) {
            m->next_pending++;
            continue;
        }
        if (m->nheap > 0) {
            if (m->cfg.max_open == 1)
                break;
            if (in->first_ts > m->in[m->heap[0]].cur.ts_ns)
                break;
        }
        if (in->src) { /* kept open by the first pass: its first frame is in cur */
            m->next_pending++;
            heap_push(m, i);
            continue;
        }
        /* at the cap, wait for a slot; never when nothing else is in the heap (only inputs
         * that cannot be reopened hold the slots then): go over the cap rather than stop */
        if (m->nopen >= m->cfg.max_open && m->nheap > 0)
            break;
        m->next_pending++;
        int rc = open_input(m, i);
        if (rc < 0)
            return rc;
        if (rc == 1)
            heap_push(m, i);
    }
    if (m->nheap == 0)
        return 0;
    size_t i = heap_pop(m);
    *f = m->in[i].cur;
    *idx = i;
    m->last = (long)i;
    return 1;
}

void iof__merge_stop(iof__merge *m)
{
    if (!m)
        return;
    m->stop = 1;
    for (size_t i = 0; i < m->cfg.n_inputs; i++) {
        iof__source *s = m->in[i].src;
        if (s)
            iof__source_stop(s);
    }
}

uint64_t iof__merge_progress(const iof__merge *m)
{
    uint64_t n = m->done_bytes;
    for (size_t i = 0; i < m->cfg.n_inputs; i++)
        if (m->in[i].src)
            n += iof__source_progress(m->in[i].src);
    return n;
}

const char *iof__merge_errmsg(const iof__merge *m) { return m->errmsg; }

void iof__merge_destroy(iof__merge *m)
{
    if (!m)
        return;
    for (size_t i = 0; m->in && i < m->cfg.n_inputs; i++)
        if (m->in[i].src)
            end_input(m, i, IOF_E_INTERRUPTED, "");
    free(m->in);
    free(m->order);
    free(m->heap);
    free(m);
}
