/* A bounded single-producer / single-consumer ring of variable-size messages (C11 atomics,
 * no lock): the sharded pipeline's packet rings (reader -> flow worker) and record rings (flow
 * worker -> merge). One thread writes, one thread reads; neither ever blocks inside the ring:
 * reserve() says "full" and peek() says "empty", and the caller decides how to wait.
 *
 * Messages are 16-byte aligned and never wrap: a message that does not fit before the end of
 * the buffer is placed at its start, the bytes left before the end skipped (a filler frame).
 * So a message of at most cap - 16 bytes always fits once the consumer has caught up.
 *
 * Producer:  p = iof__ring_reserve(r, n) (NULL: full now) ... fill p ... iof__ring_commit(r);
 *            messages become visible to the consumer in order, at commit (one release store).
 * Consumer:  p = iof__ring_peek(r, &n) (NULL: empty now) ... use p ... iof__ring_pop(r);
 *            the bytes are given back to the producer at pop (one release store).
 * A message read through peek() stays valid until pop(); a reserved one is the producer's
 * until commit().
 *
 * Batched: commit_quiet() / pop_quiet() do the same but publish nothing (no store the other
 * thread reads); publish() / give_back() then make everything so far visible in one release
 * store. Why: one store per message made the other side's cached line move on every message
 * (a worker that keeps up polls the tail the dispatcher writes); batches of 16-32 cut that. */
#ifndef IOF_COMMON_RING_H
#define IOF_COMMON_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOF_RING_ALIGN 16u      /* message alignment: records carry 16-byte aligned feature state */
#define IOF_RING_MIN (4u << 10) /* smallest buffer (a power of two >= this) */
#define IOF_RING_MAX (1u << 30) /* largest buffer: far beyond any ring the pipeline makes */

typedef struct iof__ring {
    unsigned char *buf;
    size_t cap;                      /* bytes, a power of two */
    /* the producer's side (its own cache line) */
    alignas(64) _Atomic uint64_t tail; /* bytes committed */
    uint64_t wpos;                   /* bytes written, fillers included (>= committed) */
    uint64_t committed;              /* bytes committed, quietly or not (>= tail) */
    uint64_t head_seen;              /* the consumer's head when last looked at */
    size_t pending;                  /* frame bytes of the reserved message (0: none) */
    /* the consumer's side */
    alignas(64) _Atomic uint64_t head; /* bytes given back */
    uint64_t rpos;                   /* bytes read (>= head: popped quietly, not given back) */
    uint64_t tail_seen;              /* the producer's tail when last looked at */
    size_t cur;                      /* frame bytes of the message peek() returned (0: none) */
} iof__ring;

/* A ring of `cap` bytes (rounded up to a power of two, IOF_RING_MIN..IOF_RING_MAX).
 * IOF_OK, IOF_E_INVAL or IOF_E_NOMEM. */
int iof__ring_init(iof__ring *r, size_t cap);
void iof__ring_fini(iof__ring *r);
/* Largest message the ring takes. */
size_t iof__ring_max_msg(const iof__ring *r);

/* Producer: room for a message of n bytes (n <= iof__ring_max_msg), or NULL when the consumer
 * has not given enough back yet (try again later). */
void *iof__ring_reserve(iof__ring *r, size_t n);
/* Producer: the reserved message becomes visible to the consumer. */
void iof__ring_commit(iof__ring *r);
/* Producer: the reserved message joins the batch, visible at the next publish() or commit(). */
void iof__ring_commit_quiet(iof__ring *r);
/* Producer: every message committed so far becomes visible to the consumer. */
void iof__ring_publish(iof__ring *r);
/* Producer: true when the consumer has given back every message committed so far (quiet ones
 * are published first). */
bool iof__ring_drained(iof__ring *r);
/* Producer: bytes published and not given back yet (what the consumer has still to read, or
 * has read and not given back). */
size_t iof__ring_queued(iof__ring *r);

/* Consumer: the oldest committed message not yet popped (its size, rounded up to the
 * alignment, in *n), or NULL when there is none now. */
void *iof__ring_peek(iof__ring *r, size_t *n);
/* Consumer: gives the message peek() returned back to the producer (with any popped quietly). */
void iof__ring_pop(iof__ring *r);
/* Consumer: done with the message peek() returned; its bytes go back at the next give_back()
 * or pop(). */
void iof__ring_pop_quiet(iof__ring *r);
/* Consumer: the bytes of every message popped so far go back to the producer. */
void iof__ring_give_back(iof__ring *r);
/* Consumer: bytes popped quietly and not given back yet. */
size_t iof__ring_unreturned(iof__ring *r);

#endif
