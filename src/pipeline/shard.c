/* Sharded custom-flow workers: see shard.h (and docs/ARCHITECTURE.md, "Defined output order"
 * for why the merge by seq gives the single table's records in its order).
 *
 * Threads: the dispatcher (the run's thread) writes every worker's packet ring and reads every
 * record ring; worker k reads its packet ring, owns its table and writes its record ring and
 * its low-water mark. A worker publishes its mark (release) after the records it emitted while
 * handling a message, and gives the message back after that; the merge reads a mark (acquire)
 * before it looks at that worker's ring, so a record emitted before the mark was set is seen.
 *
 * Both sides batch what the other reads (ring.h, "Batched"): the dispatcher publishes its packet
 * messages every 16 packets and before it waits for anything; a worker publishes its mark and
 * gives its handled messages back every IOF_SHARD_BATCH messages, when its ring is empty and
 * before it waits for room in its record ring. A mark published late is only lower than it
 * could be (marks never go down), so the merge waits a little longer, never wrongly. */
#include "pipeline/shard.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/ring.h"
#include "common/thread.h"
#include "flow/key.h"
#include "kinds/customflow.h"

enum { M_PKT = 0, M_ADV, M_FLUSH, M_EVICT };

/* A message of a packet ring. ADV, FLUSH and EVICT are the header alone. */
typedef struct msg_hdr {
    uint32_t type;
    uint8_t have_clock;
    uint8_t end;            /* FLUSH: iof__cf_end */
    uint8_t nviews;
    uint8_t view_src[2];    /* PKT: view v's device address is the packet's source (1) or dest (0) */
    int64_t clock_ns;       /* the clock the single table has before this message */
    uint64_t ordinal;       /* PKT: the packet's; ADV / FLUSH: the dispatcher's next */
    uint32_t pay_len;       /* PKT: bytes after the message: the IP and transport headers (head
                               of them, with whole_payload), then the payload */
    uint32_t head;          /* PKT: header bytes before the payload among them */
} msg_hdr;

typedef struct msg_pkt {
    msg_hdr h;
    iof__pkt pkt;
    iof__view views[2];
} msg_pkt;

/* a record the merge took out of a full record ring (it waits behind an older one) */
typedef struct held {
    struct held *next;
    size_t size;
    alignas(16) unsigned char rec[];
} held;

/* Who writes what, each on its own cache lines: a line one thread writes often and another
 * reads (the dispatcher's next ordinal against the workers' `quit` polls, the dispatcher's
 * sent_* against a worker's mark) moved back and forth on every packet — on longflow most of
 * `iof__shard_packet`'s and `iof__merge_next`'s time with two workers (bench/README.md
 * 2026-12-07 "Workers that sleep"). */
typedef struct worker {
    iof__ring in, out;
    /* written by the worker, read by the dispatcher */
    alignas(64) _Atomic uint64_t lwm; /* no seq below this is still to come (queued ones aside) */
    _Atomic int err;
    /* a worker whose ring is empty sleeps on cv (idle()) until the dispatcher wakes it (wake()) */
    alignas(64) _Atomic int sleeping;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool sync_ok;           /* mu and cv made */
    /* the worker thread's */
    alignas(64) iof__cflow *t;
    uint64_t next_ord;
    uint64_t mark;          /* low_water() after the last message handled, not yet published */
    unsigned quiet;         /* messages handled since the mark was published */
    unsigned slow_us;       /* cfg.test_slow_us */
    struct iof__shard *s;
    pthread_t th;
    bool started;
    /* the dispatcher's */
    alignas(64) bool sent_have;
    int64_t sent_clock;     /* clock the worker has been told */
    uint64_t sent_ord;      /* dispatcher's next ordinal when it was last sent a message */
    held *hhead, *htail;    /* records held by the merge, before those still in `out` */
} worker;

struct iof__shard {
    iof__shard_config cfg;
    unsigned n;
    worker *w;
    alignas(64) _Atomic bool quit; /* polled by every worker: a line of its own */
    /* dispatcher state: the clock the single table would have, and the next packet's ordinal */
    alignas(64) bool stopped;
    bool have_clock;
    int64_t clock_ns;
    uint64_t next_ord;
    uint64_t held, max_held; /* records held by the merge now, and its bound (--max-flows) */
    unsigned drop_run;       /* live: packets dropped since a record was last merged */
    int err;
    iof__shard_stats st;
};

uint64_t iof__shard_ring_bytes(unsigned n) { return (uint64_t)n * (IOF_SHARD_PKT_RING + IOF_SHARD_REC_RING); }

/* The largest record copy: the record, its feature state, its slot arrays and its payload. */
static uint64_t max_record(const iof__cf_config *cf)
{
    return sizeof(iof__cfrec) + 2 * (uint64_t)cf->hooks.ext_size + iof__cfrec_slot_bytes(cf->packets) +
           (uint64_t)cf->packets * cf->payload;
}

const char *iof__shard_refuses(const iof__cf_config *cf)
{
    /* half a ring, so two such records can be in flight */
    return max_record(cf) > IOF_SHARD_REC_RING / 2 ? "records up to --packets x --payload bytes too large for the "
                                                     "record rings"
                                                   : NULL;
}

/* Waiting without a lock: yield first (the other side is usually about to act), then sleep
 * a little longer each round, at most 200 µs. */
static void backoff(unsigned *round)
{
    if (*round < 8) {
        sched_yield();
    } else {
        unsigned us = *round < 28 ? (*round - 7) * 10 : 200;
        struct timespec ts = { 0, (long)us * 1000L };
        nanosleep(&ts, NULL);
    }
    (*round)++;
}

/* ---- a worker's sleep ----------------------------------------------------------------- */

/* Why a worker sleeps, and is woken only when its ring holds a batch worth it (WAKE_BYTES) or
 * the dispatcher waits for it: it used to poll its empty ring with sched_yield (backoff()), and
 * on longflow (few flows, 10 M small packets: the reader is the critical path, the workers are
 * idle most of the time) two polling workers on two cores with the reader made 352,000 context
 * switches and `--threads 2` 1.4-1.5x slower than `--threads 1` (bench/README.md 2026-12-07
 * "Workers that sleep"). */
#define IDLE_SPINS 4                     /* empty polls before a worker sleeps */
#define IDLE_SLEEP_NS 1000000L           /* longest sleep without a wake: 1 ms */
#define WAKE_BYTES (IOF_SHARD_PKT_RING / 16) /* queued bytes that wake a sleeping worker as the
                                            dispatcher goes (128 KiB: ~280 dense packets) */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* The worker's ring is empty: a few polls, then sleep until wake() or IDLE_SLEEP_NS. The
 * order that loses no wake: `sleeping` is set, then the ring looked at again (a fence between);
 * the dispatcher publishes, then reads `sleeping` (a fence between): one of the two sees the
 * other's store. */
static void idle(worker *w, unsigned *round)
{
    if ((*round)++ < IDLE_SPINS) {
        for (int k = 0; k < 16; k++)
            cpu_relax();
        return;
    }
    pthread_mutex_lock(&w->mu);
    atomic_store_explicit(&w->sleeping, 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
    size_t n;
    if (!iof__ring_peek(&w->in, &n) && !atomic_load_explicit(&w->s->quit, memory_order_relaxed)) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += IDLE_SLEEP_NS;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (atomic_load_explicit(&w->sleeping, memory_order_relaxed) &&
               pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
            ;
    }
    atomic_store_explicit(&w->sleeping, 0, memory_order_relaxed);
    pthread_mutex_unlock(&w->mu);
}

/* Wakes worker w when it sleeps with at least min_queued bytes in its ring (0: whatever it
 * holds). The dispatcher's, after it published. */
static void wake(worker *w, size_t min_queued)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (!atomic_load_explicit(&w->sleeping, memory_order_relaxed) ||
        (min_queued && iof__ring_queued(&w->in) < min_queued))
        return;
    pthread_mutex_lock(&w->mu);
    atomic_store_explicit(&w->sleeping, 0, memory_order_relaxed);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* ---- the worker's side ---------------------------------------------------------------- */

/* The mark of the messages handled so far, then those messages' bytes back (in that order: a
 * dispatcher that sees its ring drained reads the mark after them). */
static void worker_publish(worker *w)
{
    atomic_store_explicit(&w->lwm, w->mark, memory_order_release);
    iof__ring_give_back(&w->in);
    w->quiet = 0;
}

/* The table's emitter: the record copied into the record ring (waits while it is full). */
static int worker_emit(void *ctx, iof__cfrec *rec)
{
    worker *w = ctx;
    size_t n = iof__cf_kind.copy_size(rec);
    void *p = iof__ring_reserve(&w->out, n);
    if (!p)
        worker_publish(w); /* the merge may be waiting for the mark to let records go */
    for (unsigned round = 0; !p && !(p = iof__ring_reserve(&w->out, n));) {
        if (atomic_load_explicit(&w->s->quit, memory_order_relaxed))
            return IOF_E_INTERRUPTED;
        backoff(&round);
    }
    uint64_t key[2];
    iof__cf_kind.copy(p, rec, key);
    iof__ring_commit(&w->out);
    return IOF_OK;
}

static int handle(worker *w, msg_hdr *h)
{
    if (h->have_clock)
        IOF_TRY(iof__cflow_advance(w->t, h->clock_ns));
    switch (h->type) {
    case M_PKT: {
        msg_pkt *m = (msg_pkt *)(void *)h;
        m->pkt.data = (const uint8_t *)(m + 1); /* the bytes travelled right after the message */
        m->pkt.caplen = h->pay_len;
        /* with the headers (idp reads the IP packet): the frame's offsets from its IP header on */
        m->pkt.l4_off = h->head ? m->pkt.l4_off - m->pkt.l3_off : 0;
        m->pkt.l3_off = 0;
        m->pkt.payload_off = h->head;
        if (m->pkt.payload_caplen > h->pay_len - h->head) /* never read past what travelled (review) */
            m->pkt.payload_caplen = h->pay_len - h->head;
        for (unsigned v = 0; v < h->nviews; v++) {
            m->views[v].dev_ip = h->view_src[v] ? m->pkt.src_ip : m->pkt.dst_ip;
            m->views[v].rem_ip = h->view_src[v] ? m->pkt.dst_ip : m->pkt.src_ip;
        }
        IOF_TRY(iof__cflow_set_ordinal(w->t, h->ordinal));
        w->next_ord = h->ordinal + 1;
        if (w->slow_us) {
            struct timespec ts = { 0, (long)w->slow_us * 1000L };
            nanosleep(&ts, NULL);
        }
        return iof__cflow_packet(w->t, &m->pkt, m->views, h->nviews);
    }
    case M_ADV:
        if (h->ordinal > w->next_ord)
            w->next_ord = h->ordinal;
        return IOF_OK;
    case M_EVICT:
        return iof__cflow_evict_oldest(w->t);
    default: /* M_FLUSH: nothing more will come */
        w->next_ord = UINT64_MAX;
        return iof__cflow_flush(w->t, (iof__cf_end)h->end);
    }
}

static uint64_t low_water(const worker *w)
{
    uint64_t live = iof__cflow_oldest_seq(w->t);
    uint64_t next = w->next_ord >= UINT64_MAX / 4 ? UINT64_MAX : w->next_ord * 4;
    return live < next ? live : next;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    unsigned round = 0;
    while (!atomic_load_explicit(&w->s->quit, memory_order_relaxed)) {
        size_t n;
        msg_hdr *h = iof__ring_peek(&w->in, &n);
        if (!h) {
            if (w->quiet)
                worker_publish(w);
            idle(w, &round);
            continue;
        }
        round = 0;
        if (atomic_load_explicit(&w->err, memory_order_relaxed) == IOF_OK) {
            int rc = handle(w, h);
            if (rc != IOF_OK)
                atomic_store_explicit(&w->err, rc, memory_order_release);
        }
        w->mark = low_water(w);
        iof__ring_pop_quiet(&w->in);
        /* a batch, or an eighth of the ring (large packets: live capture of whole payloads,
         * where a producer that finds the ring full drops the packet) */
        if (++w->quiet >= IOF_SHARD_BATCH || iof__ring_unreturned(&w->in) > w->in.cap / 8)
            worker_publish(w);
    }
    return NULL;
}

/* ---- the dispatcher's side -------------------------------------------------------------- */

static void stop_workers(iof__shard *s)
{
    if (s->stopped)
        return;
    s->stopped = true;
    atomic_store(&s->quit, true);
    for (unsigned k = 0; k < s->n; k++)
        if (s->w[k].started) {
            wake(&s->w[k], 0);
            pthread_join(s->w[k].th, NULL);
        }
}

void iof__shard_destroy(iof__shard *s)
{
    if (!s)
        return;
    stop_workers(s);
    for (unsigned k = 0; s->w && k < s->n; k++) {
        worker *w = &s->w[k];
        iof__cflow_destroy(w->t);
        iof__ring_fini(&w->in);
        iof__ring_fini(&w->out);
        if (w->sync_ok) {
            pthread_mutex_destroy(&w->mu);
            pthread_cond_destroy(&w->cv);
        }
        for (held *x = w->hhead, *nx; x; x = nx) {
            nx = x->next;
            free(x);
        }
    }
    free(s->w);
    free(s);
}

/* The worker's sleep: its mutex, and its condition on the monotonic clock. */
static int sync_init(worker *w)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return IOF_E_NOMEM;
    int ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 && pthread_cond_init(&w->cv, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok)
        return IOF_E_NOMEM;
    if (pthread_mutex_init(&w->mu, NULL) != 0) {
        pthread_cond_destroy(&w->cv);
        return IOF_E_NOMEM;
    }
    w->sync_ok = true;
    return IOF_OK;
}

int iof__shard_create(iof__shard **out, const iof__shard_config *cfg)
{
    *out = NULL;
    if (cfg->workers < 2 || cfg->workers > IOF_SHARD_MAX_WORKERS || iof__shard_refuses(&cfg->cf))
        return IOF_E_INVAL;
    /* aligned_alloc: alignas(64) members (quit, the dispatcher's state), as the workers' below */
    iof__shard *s = aligned_alloc(64, (sizeof(*s) + 63) & ~(size_t)63);
    if (!s)
        return IOF_E_NOMEM;
    memset(s, 0, sizeof(*s));
    s->cfg = *cfg;
    s->n = cfg->workers;
    s->max_held = cfg->cf.max_flows;
    s->st.workers = s->n;
    atomic_init(&s->quit, false);
    /* aligned_alloc: worker holds alignas(64) members (the rings' ends, lwm), which calloc's
     * 16-byte alignment would not honour */
    const size_t wbytes = (s->n * sizeof(worker) + 63) & ~(size_t)63;
    s->w = aligned_alloc(64, wbytes);
    if (s->w)
        memset(s->w, 0, wbytes);
    if (!s->w) {
        free(s);
        return IOF_E_NOMEM;
    }
    /* each table holds ceil(max-flows / N) records and an even share of the bytes */
    iof__cf_config wc = cfg->cf;
    wc.max_flows = cfg->cf.max_flows / s->n + (cfg->cf.max_flows % s->n != 0);
    if (cfg->cf.max_bytes)
        wc.max_bytes = cfg->cf.max_bytes / s->n ? cfg->cf.max_bytes / s->n : 1;
    int rc = IOF_OK;
    for (unsigned k = 0; k < s->n && rc == IOF_OK; k++) {
        worker *w = &s->w[k];
        w->s = s;
        w->slow_us = cfg->test_slow_us;
        atomic_init(&w->lwm, 0);
        atomic_init(&w->err, IOF_OK);
        atomic_init(&w->sleeping, 0);
        if ((rc = sync_init(w)) != IOF_OK ||
            (rc = iof__ring_init(&w->in, IOF_SHARD_PKT_RING)) != IOF_OK ||
            (rc = iof__ring_init(&w->out, IOF_SHARD_REC_RING)) != IOF_OK ||
            (rc = iof__cflow_create(&w->t, &wc, worker_emit, w)) != IOF_OK)
            break;
    }
    for (unsigned k = 0; k < s->n && rc == IOF_OK; k++) {
        if (iof__thread_spawn(&s->w[k].th, worker_main, &s->w[k]) != 0)
            rc = IOF_E_LIMIT;
        else
            s->w[k].started = true;
    }
    if (rc != IOF_OK) {
        iof__shard_destroy(s);
        return rc;
    }
    *out = s;
    return IOF_OK;
}

/* The head of worker w's records (held ones first), or NULL. */
static iof__cfrec *head_of(worker *w)
{
    if (w->hhead)
        return (iof__cfrec *)(void *)w->hhead->rec;
    size_t n;
    return iof__ring_peek(&w->out, &n);
}

static void pop_head(iof__shard *s, worker *w)
{
    if (w->hhead) {
        held *x = w->hhead;
        w->hhead = x->next;
        if (!w->hhead)
            w->htail = NULL;
        free(x);
        s->held--;
    } else {
        iof__ring_pop(&w->out);
    }
}

/* A worker's error (its table ran out of memory) becomes the run's. */
static int worker_error(iof__shard *s)
{
    for (unsigned k = 0; k < s->n && s->err == IOF_OK; k++)
        s->err = atomic_load_explicit(&s->w[k].err, memory_order_acquire);
    return s->err;
}

/* Hands every record no worker can still precede to the emitter; *moved says whether any went. */
static int merge(iof__shard *s, bool *moved)
{
    *moved = false;
    while (s->err == IOF_OK) {
        uint64_t best = UINT64_MAX, bound = UINT64_MAX;
        worker *bw = NULL;
        iof__cfrec *br = NULL;
        for (unsigned k = 0; k < s->n; k++) {
            worker *w = &s->w[k];
            uint64_t lwm = atomic_load_explicit(&w->lwm, memory_order_acquire); /* before the ring */
            iof__cfrec *r = head_of(w);
            if (r && r->seq < best) {
                best = r->seq;
                bw = w;
                br = r;
            } else if (!r && lwm < bound) {
                bound = lwm;
            }
        }
        if (!bw || best > bound)
            break;
        iof__cf_kind.rebase(br);
        int rc = s->cfg.emit(s->cfg.ctx, br);
        pop_head(s, bw);
        *moved = true;
        if (rc != IOF_OK)
            s->err = rc;
    }
    return s->err;
}

/* A message to worker w, or NULL when its ring is full. */
static void *try_msg(worker *w, const msg_hdr *h, size_t n)
{
    void *p = iof__ring_reserve(&w->in, n);
    if (p)
        memcpy(p, h, sizeof(*h));
    return p;
}

static void sent(iof__shard *s, worker *w)
{
    w->sent_have = s->have_clock;
    w->sent_clock = s->clock_ns;
    w->sent_ord = s->next_ord;
}

/* The clock and the next ordinal alone to worker w when it has not heard the current ones (no
 * wait: a full ring means the worker has work, and messages that carry both). */
static void tell_clock(iof__shard *s, worker *w)
{
    if (w->sent_have == s->have_clock && w->sent_clock == s->clock_ns && w->sent_ord == s->next_ord)
        return;
    msg_hdr h = { .type = M_ADV, .have_clock = s->have_clock, .clock_ns = s->clock_ns, .ordinal = s->next_ord };
    if (try_msg(w, &h, sizeof(h))) {
        iof__ring_commit(&w->in);
        sent(s, w);
        s->st.clock_messages++;
    }
}

/* Moves w's queued records into the merge's own list (they wait behind an older live record
 * of another worker and would block w); beyond --max-flows held records, the worker with the
 * oldest live record evicts it, as the single table's cap would. */
static int hold(iof__shard *s)
{
    for (unsigned k = 0; k < s->n; k++) {
        worker *w = &s->w[k];
        size_t n;
        for (void *p; (p = iof__ring_peek(&w->out, &n));) {
            held *x = malloc(sizeof(held) + n);
            if (!x)
                return s->err = IOF_E_NOMEM;
            x->next = NULL;
            x->size = n;
            memcpy(x->rec, p, n);
            iof__ring_pop(&w->out);
            if (w->htail)
                w->htail->next = x;
            else
                w->hhead = x;
            w->htail = x;
            if (++s->held > s->st.held_peak)
                s->st.held_peak = s->held;
        }
    }
    if (s->held <= s->max_held)
        return IOF_OK;
    /* the lowest mark among workers with nothing queued, below every queued record: the
     * oldest live record, which every held one waits for; its worker idle (it has handled all
     * it was sent, the current clock included), so the record is not about to leave anyway */
    worker *oldest = NULL;
    uint64_t low = UINT64_MAX, first = UINT64_MAX;
    for (unsigned k = 0; k < s->n; k++) {
        worker *w = &s->w[k];
        uint64_t lwm = atomic_load_explicit(&w->lwm, memory_order_acquire);
        const iof__cfrec *r = head_of(w);
        if (r && r->seq < first)
            first = r->seq;
        if (!r && lwm < low) {
            low = lwm;
            oldest = w;
        }
    }
    msg_hdr h = { .type = M_EVICT };
    /* drained first, then its mark again: a worker gives its messages back after it publishes
     * the mark of their batch (worker_publish), so a mark read before it drained may be up to
     * IOF_SHARD_BATCH messages old */
    if (oldest && iof__ring_drained(&oldest->in) &&
        atomic_load_explicit(&oldest->lwm, memory_order_acquire) < first && try_msg(oldest, &h, sizeof(h))) {
        iof__ring_commit(&oldest->in);
        s->st.held_evictions++;
    }
    return IOF_OK;
}

#define HOLD_AFTER_ROUNDS 40 /* ~5 ms of waiting without a record merged: the merge waits on an
                                older record, not on a busy worker */

/* Every packet message committed quietly becomes visible to its worker, and a sleeping worker
 * with at least wake_at bytes queued is woken (1: any). */
static void publish_all(iof__shard *s, size_t wake_at)
{
    for (unsigned k = 0; k < s->n; k++) {
        iof__ring_publish(&s->w[k].in);
        wake(&s->w[k], wake_at);
    }
}

/* One round of waiting for the workers: merge what can go, tell idle workers the clock, and
 * when nothing has moved for a while, take the waiting records out of the rings. */
static int wait_round(iof__shard *s, unsigned *round, unsigned *still)
{
    publish_all(s, 1); /* what a worker has not seen yet is what it should be working on */
    bool moved;
    IOF_TRY(worker_error(s));
    IOF_TRY(merge(s, &moved));
    if (moved) {
        *still = 0;
        return IOF_OK;
    }
    for (unsigned k = 0; k < s->n; k++)
        tell_clock(s, &s->w[k]);
    if (++*still >= HOLD_AFTER_ROUNDS) {
        IOF_TRY(hold(s));
        *still = 0;
    }
    backoff(round);
    return IOF_OK;
}

/* A message to worker w: waits (merging) while its ring is full. */
static void *msg_to(iof__shard *s, worker *w, const msg_hdr *h, size_t n)
{
    unsigned round = 0, still = 0;
    void *p;
    while (!(p = try_msg(w, h, n)))
        if (wait_round(s, &round, &still) != IOF_OK)
            return NULL;
    return p;
}

/* The clock the single table would have: the largest time it was fed (packets, advances). */
static void move_clock(iof__shard *s, int64_t ts_ns)
{
    if (!s->have_clock || ts_ns > s->clock_ns) {
        s->clock_ns = ts_ns;
        s->have_clock = true;
    }
}

/* Live capture, the packet's worker is behind: the packet is counted and left out (its time
 * still moves the clock); what can be merged is, and while packets keep being dropped without a
 * record merged, the records waiting in full rings are taken out (hold), as a waiting
 * dispatcher does. */
static int drop(iof__shard *s, const iof__pkt *pkt)
{
    s->st.dropped++;
    move_clock(s, pkt->ts_ns);
    bool moved;
    IOF_TRY(worker_error(s));
    IOF_TRY(merge(s, &moved));
    for (unsigned k = 0; k < s->n; k++) /* the full ring's worker is awake; the others may wait on it */
        wake(&s->w[k], 1);
    if (moved)
        s->drop_run = 0;
    else if (++s->drop_run >= HOLD_AFTER_ROUNDS) {
        s->drop_run = 0;
        for (unsigned k = 0; k < s->n; k++)
            tell_clock(s, &s->w[k]);
        return hold(s);
    }
    return IOF_OK;
}

int iof__shard_packet(void *ctx, const iof__pkt *pkt, const iof__view *views, int nviews)
{
    iof__shard *s = ctx;
    if (s->err != IOF_OK)
        return s->err;
    if (nviews < 1 || nviews > 2)
        return IOF_E_INVAL;
    worker *w = &s->w[iof__key_sym_hash(IOF_SHARD_ROUTE_SEED, &views[0]) % s->n];
    uint32_t pay = pkt->payload_caplen;
    if (!s->cfg.whole_payload && pay > s->cfg.cf.payload)
        pay = s->cfg.cf.payload;
    if (pkt->payload_off > pkt->caplen || pay > pkt->caplen - pkt->payload_off)
        pay = pkt->payload_off > pkt->caplen ? 0 : pkt->caplen - pkt->payload_off;
    /* the features' hooks also read the IP and transport headers (idp: the IP packet): they
     * travel too, from the IP header on, when the payload starts inside the captured frame */
    uint32_t head = s->cfg.whole_payload && pkt->l3_off <= pkt->l4_off && pkt->l4_off <= pkt->payload_off &&
                            pkt->payload_off <= pkt->caplen
                        ? pkt->payload_off - pkt->l3_off
                        : 0;
    msg_hdr h = { .type = M_PKT, .have_clock = s->have_clock, .nviews = (uint8_t)nviews, .clock_ns = s->clock_ns,
                  .ordinal = s->next_ord, .pay_len = head + pay, .head = head };
    for (int v = 0; v < nviews; v++)
        h.view_src[v] = views[v].dev_ip == pkt->src_ip;
    msg_pkt *m = s->cfg.live ? try_msg(w, &h, sizeof(msg_pkt) + head + pay) : msg_to(s, w, &h, sizeof(msg_pkt) + head + pay);
    if (!m && s->cfg.live)
        return drop(s, pkt);
    if (!m)
        return s->err;
    m->pkt = *pkt;
    m->views[0] = views[0];
    if (nviews > 1)
        m->views[1] = views[1];
    if (head + pay)
        memcpy(m + 1, pkt->data + pkt->payload_off - head, head + pay);
    if (s->cfg.live)
        iof__ring_commit(&w->in); /* the next packet may be long in coming */
    else
        iof__ring_commit_quiet(&w->in); /* published below, every 16 packets */
    s->next_ord++;
    move_clock(s, pkt->ts_ns);
    sent(s, w);
    /* every few packets: the clock to workers that have not heard from us for a while, and
     * the records that can go */
    if ((s->next_ord & 15) == 0) {
        publish_all(s, WAKE_BYTES);
        for (unsigned k = 0; k < s->n; k++)
            if (s->next_ord - s->w[k].sent_ord >= IOF_SHARD_ADV_EVERY)
                tell_clock(s, &s->w[k]);
        bool moved;
        IOF_TRY(worker_error(s));
        IOF_TRY(merge(s, &moved));
    }
    return IOF_OK;
}

int iof__shard_advance(void *ctx, int64_t clock_ns)
{
    iof__shard *s = ctx;
    move_clock(s, clock_ns);
    return s->err;
}

/* Every worker gets message h (its clock and ordinal filled in), and every worker has handled
 * it; then every record that can go has gone. */
static int barrier(iof__shard *s, msg_hdr h)
{
    h.have_clock = s->have_clock;
    h.clock_ns = s->clock_ns;
    h.ordinal = s->next_ord;
    for (unsigned k = 0; k < s->n; k++) {
        if (!msg_to(s, &s->w[k], &h, sizeof(h)))
            return s->err;
        iof__ring_commit(&s->w[k].in);
        sent(s, &s->w[k]);
    }
    unsigned round = 0, still = 0;
    for (unsigned k = 0; k < s->n; k++)
        while (!iof__ring_drained(&s->w[k].in))
            IOF_TRY(wait_round(s, &round, &still));
    bool moved;
    IOF_TRY(worker_error(s));
    return merge(s, &moved);
}

int iof__shard_sync(void *ctx)
{
    iof__shard *s = ctx;
    if (s->err != IOF_OK)
        return s->err;
    return barrier(s, (msg_hdr){ .type = M_ADV });
}

int iof__shard_flush(void *ctx, bool interrupted)
{
    iof__shard *s = ctx;
    if (s->err != IOF_OK)
        return s->err;
    IOF_TRY(barrier(s, (msg_hdr){ .type = M_FLUSH, .end = interrupted ? IOF_CF_END_SHUTDOWN : IOF_CF_END_EOF }));
    /* every mark is now past every seq: whatever is queued goes */
    for (unsigned k = 0; k < s->n; k++)
        if (head_of(&s->w[k]))
            return s->err = IOF_E_INVAL; /* a record the merge could not place: a bug */
    stop_workers(s);
    return IOF_OK;
}

void iof__shard_get_stats(iof__shard *s, iof__cf_stats *cf, iof__shard_stats *st)
{
    stop_workers(s);
    memset(cf, 0, sizeof(*cf));
    for (unsigned k = 0; k < s->n; k++) {
        iof__cf_stats ws;
        iof__cflow_get_stats(s->w[k].t, &ws);
        for (int v = 0; v < IOF_VAR__COUNT; v++) {
            cf->records_created[v] += ws.records_created[v];
            cf->records_emitted[v] += ws.records_emitted[v];
            cf->records_evicted[v] += ws.records_evicted[v];
        }
        cf->records_evicted_memory += ws.records_evicted_memory;
        cf->live_records += ws.live_records;
        cf->peak_live_records += ws.peak_live_records;
        cf->pkt_before_first += ws.pkt_before_first;
        cf->records_closed_waiting += ws.records_closed_waiting;
        cf->payload_bytes_kept += ws.payload_bytes_kept;
        cf->peak_live_bytes += ws.peak_live_bytes;
    }
    *st = s->st;
}
