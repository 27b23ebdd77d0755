/* Bounded SPSC ring of variable-size messages: see ring.h.
 *
 * Positions are byte counts that only grow (64 bits: never wrap in practice); a position's
 * place in the buffer is pos & (cap - 1). Every frame starts with a 16-byte header holding its
 * size (header included) and whether it is a filler. The producer publishes with a release
 * store of `tail` and the consumer gives bytes back with a release store of `head`; each reads
 * the other's counter with an acquire load only when its cached copy says full / empty. Each
 * side keeps its own position (committed, rpos) ahead of the shared one by what it has
 * committed or popped quietly. */
#include "common/ring.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/sysmem.h"

typedef struct frame {
    uint32_t size;   /* frame bytes, header included, a multiple of IOF_RING_ALIGN */
    uint32_t filler; /* 1: skip to the buffer's start */
    uint32_t unused[2];
} frame;

_Static_assert(sizeof(frame) == IOF_RING_ALIGN, "a frame header is one alignment unit");

static size_t round_up(size_t n) { return (n + IOF_RING_ALIGN - 1) & ~(size_t)(IOF_RING_ALIGN - 1); }

int iof__ring_init(iof__ring *r, size_t cap)
{
    memset(r, 0, sizeof(*r));
    if (cap > IOF_RING_MAX)
        return IOF_E_INVAL;
    size_t c = IOF_RING_MIN;
    while (c < cap)
        c <<= 1;
    /* huge pages when the buffer is one or more: the rings are written front to back, and on
     * the bench VM a fresh 4 KiB page costs 10-25 us at its first touch (common/sysmem.h), so
     * the first lap through 2 workers' 1 + 2 MiB rings cost ~1,500 faults, ~10% of the CPU
     * `iotflow stats --threads 2` added to `--threads 1` on dense (2026-12-06) */
    const size_t huge = (size_t)2 << 20;
    r->buf = aligned_alloc(c >= huge ? huge : 64, c);
    if (!r->buf)
        return IOF_E_NOMEM;
    iof__mem_hugepages(r->buf, c, 0);
    r->cap = c;
    atomic_init(&r->tail, 0);
    atomic_init(&r->head, 0);
    return IOF_OK;
}

void iof__ring_fini(iof__ring *r)
{
    free(r->buf);
    r->buf = NULL;
}

size_t iof__ring_max_msg(const iof__ring *r) { return r->cap - sizeof(frame); }

/* free bytes for the producer, looking at the consumer's head again when the cached one says
 * there are fewer than `need` */
static size_t room(iof__ring *r, size_t need)
{
    size_t free_now = r->cap - (size_t)(r->wpos - r->head_seen);
    if (free_now < need) {
        r->head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
        free_now = r->cap - (size_t)(r->wpos - r->head_seen);
    }
    return free_now;
}

void *iof__ring_reserve(iof__ring *r, size_t n)
{
    if (n > iof__ring_max_msg(r))
        return NULL;
    size_t need = sizeof(frame) + round_up(n);
    size_t off = (size_t)(r->wpos & (r->cap - 1)), to_end = r->cap - off;
    if (need > to_end) {
        /* a filler to the end first (its bytes must be free), then the message at the start */
        if (room(r, to_end) < to_end)
            return NULL;
        frame *fl = (frame *)(void *)(r->buf + off);
        fl->size = (uint32_t)to_end;
        fl->filler = 1;
        r->wpos += to_end; /* committed with the next message */
        off = 0;
    }
    if (room(r, need) < need)
        return NULL;
    frame *f = (frame *)(void *)(r->buf + off);
    f->size = (uint32_t)need;
    f->filler = 0;
    r->pending = need;
    return f + 1;
}

void iof__ring_commit_quiet(iof__ring *r)
{
    r->wpos += r->pending;
    r->pending = 0;
    r->committed = r->wpos; /* a filler written before the message goes with it */
}

void iof__ring_publish(iof__ring *r)
{
    if (atomic_load_explicit(&r->tail, memory_order_relaxed) != r->committed)
        atomic_store_explicit(&r->tail, r->committed, memory_order_release);
}

void iof__ring_commit(iof__ring *r)
{
    iof__ring_commit_quiet(r);
    iof__ring_publish(r);
}

bool iof__ring_drained(iof__ring *r)
{
    iof__ring_publish(r);
    return atomic_load_explicit(&r->head, memory_order_acquire) == atomic_load_explicit(&r->tail, memory_order_relaxed);
}

size_t iof__ring_queued(iof__ring *r)
{
    return (size_t)(atomic_load_explicit(&r->tail, memory_order_relaxed) -
                    atomic_load_explicit(&r->head, memory_order_relaxed));
}

void *iof__ring_peek(iof__ring *r, size_t *n)
{
    for (;;) {
        if (r->rpos == r->tail_seen) {
            r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
            if (r->rpos == r->tail_seen)
                return NULL;
        }
        frame *f = (frame *)(void *)(r->buf + (r->rpos & (r->cap - 1)));
        if (!f->filler) {
            r->cur = f->size;
            *n = f->size - sizeof(frame);
            return f + 1;
        }
        /* a filler: read on at the start; its bytes go back now, or with the messages popped
         * quietly before it when there are some (their consumer gives them back in its order) */
        bool none_waiting = atomic_load_explicit(&r->head, memory_order_relaxed) == r->rpos;
        r->rpos += f->size;
        if (none_waiting)
            atomic_store_explicit(&r->head, r->rpos, memory_order_release);
    }
}

void iof__ring_pop_quiet(iof__ring *r)
{
    r->rpos += r->cur;
    r->cur = 0;
}

void iof__ring_give_back(iof__ring *r)
{
    if (atomic_load_explicit(&r->head, memory_order_relaxed) != r->rpos) /* only this thread writes it */
        atomic_store_explicit(&r->head, r->rpos, memory_order_release);
}

size_t iof__ring_unreturned(iof__ring *r)
{
    return (size_t)(r->rpos - atomic_load_explicit(&r->head, memory_order_relaxed)); /* only this thread writes it */
}

void iof__ring_pop(iof__ring *r)
{
    iof__ring_pop_quiet(r);
    iof__ring_give_back(r);
}
