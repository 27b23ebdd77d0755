/* The sharded pipeline's parts: the SPSC ring (common/ring.h) alone and across two threads,
 * the helper thread's queue of jobs (common/thread.h, the sink's batches in flight),
 * and the dispatcher + workers + merge (pipeline/shard.h) against one custom-flow table on a
 * generated workload with mirrored views, both variants, payloads, time going back beyond a
 * window, clock-only advances and a barrier in the middle: the same records, in the same order. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/ring.h"
#include "common/thread.h"
#include "flow/attrib.h"
#include "flow/cflow.h"
#include "flow/key.h"
#include "pipeline/shard.h"
#include "test.h"

/* ---- the ring ---------------------------------------------------------------------------- */

static void test_ring_order_wrap_full(void)
{
    iof__ring r;
    ASSERT_EQ_INT(iof__ring_init(&r, 100), IOF_OK); /* rounded up to the minimum */
    ASSERT_EQ_U64(r.cap, IOF_RING_MIN);
    size_t n;
    ASSERT_TRUE(iof__ring_peek(&r, &n) == NULL);
    ASSERT_TRUE(iof__ring_drained(&r));
    ASSERT_TRUE(iof__ring_reserve(&r, iof__ring_max_msg(&r) + 1) == NULL); /* never fits */
    /* messages of 1..700 bytes, many rounds through the buffer: each read back intact, in
     * order, 16-byte aligned; the producer sees "full" exactly when the bytes are not free */
    unsigned wrote = 0, read = 0;
    for (int round = 0; round < 2000; round++) {
        size_t len = 1 + (size_t)(round * 37) % 700;
        unsigned char *p = iof__ring_reserve(&r, len);
        if (!p) { /* full: read two back, then it must fit */
            for (int k = 0; k < 2; k++) {
                unsigned char *q = iof__ring_peek(&r, &n);
                ASSERT_TRUE(q != NULL);
                ASSERT_EQ_INT(q[0], (uint8_t)read);
                iof__ring_pop(&r);
                read++;
            }
            p = iof__ring_reserve(&r, len);
            if (!p) { /* a big one after a filler: drain it all */
                while (iof__ring_peek(&r, &n)) {
                    iof__ring_pop(&r);
                    read++;
                }
                p = iof__ring_reserve(&r, len);
            }
            ASSERT_TRUE(p != NULL);
        }
        ASSERT_EQ_U64((uintptr_t)p % IOF_RING_ALIGN, 0);
        memset(p, (uint8_t)wrote, len);
        iof__ring_commit(&r);
        wrote++;
        if (round % 3 == 0) {
            unsigned char *q = iof__ring_peek(&r, &n);
            ASSERT_TRUE(q != NULL);
            ASSERT_TRUE(n >= 1 && n % IOF_RING_ALIGN == 0); /* the size rounded up */
            ASSERT_EQ_INT(q[0], (uint8_t)read);
            iof__ring_pop(&r);
            read++;
        }
        ASSERT_TRUE(!iof__ring_drained(&r) || wrote == read);
    }
    while (iof__ring_peek(&r, &n)) {
        iof__ring_pop(&r);
        read++;
    }
    ASSERT_EQ_INT(read, wrote);
    ASSERT_TRUE(iof__ring_drained(&r));
    iof__ring_fini(&r);
}

/* Batched: a message committed quietly is invisible until publish() (drained() publishes);
 * bytes popped quietly stay the consumer's until give_back() (pop() gives them back too), also
 * across a filler. */
static void test_ring_batched(void)
{
    iof__ring r;
    ASSERT_EQ_INT(iof__ring_init(&r, IOF_RING_MIN), IOF_OK);
    size_t n;
    const size_t big = (IOF_RING_MIN - 64) / 3; /* three fit, a fourth does not */
    for (int k = 0; k < 3; k++) {
        unsigned char *p = iof__ring_reserve(&r, big);
        ASSERT_TRUE(p != NULL);
        p[0] = (unsigned char)k;
        iof__ring_commit_quiet(&r);
    }
    ASSERT_TRUE(iof__ring_peek(&r, &n) == NULL); /* nothing published yet */
    iof__ring_publish(&r);
    for (int k = 0; k < 3; k++) {
        unsigned char *q = iof__ring_peek(&r, &n);
        ASSERT_TRUE(q != NULL);
        ASSERT_EQ_INT(q[0], k);
        iof__ring_pop_quiet(&r);
    }
    ASSERT_TRUE(iof__ring_peek(&r, &n) == NULL);
    ASSERT_TRUE(iof__ring_unreturned(&r) >= 3 * big);   /* what a worker's give-back rule reads */
    ASSERT_TRUE(!iof__ring_drained(&r));          /* read, but not given back */
    ASSERT_TRUE(iof__ring_reserve(&r, big) == NULL); /* a filler, then no room at the start */
    iof__ring_give_back(&r);
    ASSERT_TRUE(iof__ring_drained(&r));
    ASSERT_EQ_INT(iof__ring_unreturned(&r), 0);
    unsigned char *p = iof__ring_reserve(&r, big); /* behind the filler written above */
    ASSERT_TRUE(p != NULL);
    p[0] = 7;
    iof__ring_commit_quiet(&r);
    ASSERT_TRUE(!iof__ring_drained(&r)); /* drained() published it: the consumer has it now */
    unsigned char *q = iof__ring_peek(&r, &n);
    ASSERT_TRUE(q != NULL);
    ASSERT_EQ_INT(q[0], 7);
    iof__ring_pop(&r);
    ASSERT_TRUE(iof__ring_drained(&r));
    iof__ring_fini(&r);
}

#define XMSGS 100000
typedef struct xring {
    iof__ring r;
    bool batched; /* quiet commits published every 5 messages (and when full), quiet pops
                     given back every 7 (and when empty) */
} xring;

static void *producer(void *arg)
{
    xring *x = arg;
    iof__ring *r = &x->r;
    for (uint32_t i = 0; i < XMSGS; i++) {
        size_t len = 8 + (i * 2654435761u >> 20) % 300;
        uint32_t *p;
        while (!(p = iof__ring_reserve(r, len)))
            iof__ring_publish(r);
        p[0] = i;
        p[1] = (uint32_t)len;
        memset(p + 2, (int)(i & 0xff), len - 8);
        if (!x->batched)
            iof__ring_commit(r);
        else if (iof__ring_commit_quiet(r), i % 5 == 4)
            iof__ring_publish(r);
    }
    iof__ring_publish(r);
    return NULL;
}

/* One producer thread, this thread consuming: every message arrives once, in order, whole
 * (what ThreadSanitizer checks too: scripts/test.sh); one message at a time, then batched. */
static void test_ring_two_threads(void)
{
    for (int batched = 0; batched < 2; batched++) {
        xring x = { .batched = batched };
        iof__ring *r = &x.r;
        ASSERT_EQ_INT(iof__ring_init(r, 8192), IOF_OK);
        pthread_t th;
        ASSERT_EQ_INT(pthread_create(&th, NULL, producer, &x), 0);
        for (uint32_t want = 0; want < XMSGS;) {
            size_t n;
            const uint32_t *p = iof__ring_peek(r, &n);
            if (!p) {
                iof__ring_give_back(r);
                continue;
            }
            ASSERT_EQ_U64(p[0], want);
            ASSERT_TRUE(n >= p[1]);
            const uint8_t *b = (const uint8_t *)(p + 2);
            for (size_t k = 0; k < p[1] - 8; k += 41)
                ASSERT_EQ_INT(b[k], want & 0xff);
            if (!batched)
                iof__ring_pop(r);
            else if (iof__ring_pop_quiet(r), want % 7 == 6)
                iof__ring_give_back(r);
            want++;
        }
        iof__ring_give_back(r);
        pthread_join(th, NULL);
        ASSERT_TRUE(iof__ring_drained(r));
        iof__ring_fini(r);
    }
}

/* ---- dispatcher, workers and merge vs one table ------------------------------------------ */

typedef struct { uint64_t seq, packets, bytes, pay_sum; int64_t first_ns; uint32_t nslots; uint8_t end, variant; } srec;
typedef struct { srec *r; size_t n, cap; } srecs;

static int collect(void *ctx, iof__cfrec *r)
{
    srecs *s = ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4096;
        s->r = realloc(s->r, s->cap * sizeof(srec));
        ASSERT_TRUE(s->r != NULL);
    }
    uint64_t sum = 0;
    for (uint32_t k = 0; k < r->pay_used; k++)
        sum = sum * 31 + r->pay[k];
    for (uint32_t k = 0; k < r->nslots; k++)
        sum = sum * 31 + (uint64_t)iof__cfrec_off_us(r)[k] + (uint64_t)iof__cfrec_size(r)[k] + (uint64_t)iof__cfrec_dir(r)[k];
    s->r[s->n++] = (srec){ r->seq, r->packets, r->bytes, sum, r->first_ns, r->nslots, r->end, r->variant };
    return IOF_OK;
}

/* a shard of `workers` on table c, its merged records collected into out */
static iof__shard *start(unsigned workers, const iof__cf_config *c, srecs *out)
{
    iof__shard *s = NULL;
    iof__shard_config sc = { .workers = workers, .cf = *c, .emit = collect, .ctx = out };
    if (iof__shard_create(&s, &sc) != IOF_OK)
        IOF_TEST_FAIL_("iof__shard_create failed");
    return s;
}

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* packet i: one of 400 conversations (some between two local hosts: two views), time mostly
 * forward, sometimes back by up to 90 s (beyond the 60 s window), now and then a long gap */
static iof__pkt gen(uint64_t *x, int64_t *ts, uint8_t *pay)
{
    iof__pkt p;
    memset(&p, 0, sizeof(p));
    uint64_t v = rnd(x);
    unsigned conv = (unsigned)(v % 400), up = (unsigned)(v >> 20 & 1);
    *ts += (int64_t)(v >> 24 & 0xffff) * 10000; /* up to ~0.65 s */
    if ((v >> 40) % 500 == 0)
        *ts += 200LL * 1000000000LL;
    p.ts_ns = (v >> 48) % 97 == 0 ? *ts - (int64_t)((v >> 32) % 90) * 1000000000LL : *ts;
    p.ipver = 4;
    p.proto = conv % 3 ? 6 : 17;
    uint8_t a[4] = { 10, 0, (uint8_t)(conv / 50), (uint8_t)(1 + conv % 50) };
    uint8_t b[4] = { 8, 8, (uint8_t)(conv % 7), 8 };
    if (conv % 5 == 0) /* device to device */
        b[0] = 192, b[1] = 168, b[2] = 1, b[3] = (uint8_t)(1 + conv % 9);
    memcpy(up ? p.src_ip : p.dst_ip, a, 4);
    memcpy(up ? p.dst_ip : p.src_ip, b, 4);
    p.sport = up ? (uint16_t)(1000 + conv) : 443;
    p.dport = up ? 443 : (uint16_t)(1000 + conv);
    p.flags = IOF_PKT_HAS_PORTS;
    p.ttl = (uint8_t)(v >> 8);
    p.payload_caplen = p.payload_len = (uint32_t)(v >> 12) % 40;
    p.ip_len = 40 + p.payload_len;
    for (uint32_t k = 0; k < p.payload_caplen; k++)
        pay[k] = (uint8_t)(v >> (k % 56));
    p.caplen = p.payload_caplen;
    p.data = pay;
    return p;
}

static void run_sharded(unsigned workers, uint64_t max_flows)
{
    iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = 3, .payload = 16, .max_flows = max_flows,
                         .variants = IOF_VARIANT_BI | IOF_VARIANT_UNI, .hash_seed = 5 };
    srecs one = { 0 }, many = { 0 };
    iof__cflow *t;
    ASSERT_EQ_INT(iof__cflow_create(&t, &c, collect, &one), IOF_OK);
    iof__shard *s = start(workers, &c, &many);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    int64_t ts = 1700000000LL * 1000000000LL;
    static uint8_t pay[64];
    for (int i = 0; i < 40000; i++) {
        iof__pkt p = gen(&x, &ts, pay);
        iof__view v[2];
        int n = iof__attribute(&p, NULL, v);
        if (n == 0 || i % 50 == 0) { /* unattributed: the clock alone */
            ASSERT_EQ_INT(iof__cflow_advance(t, p.ts_ns), IOF_OK);
            ASSERT_EQ_INT(iof__shard_advance(s, p.ts_ns), IOF_OK);
            continue;
        }
        ASSERT_EQ_INT(iof__cflow_packet(t, &p, v, n), IOF_OK);
        ASSERT_EQ_INT(iof__shard_packet(s, &p, v, n), IOF_OK);
        if (i == 20000) { /* a day completed: every record the clock closed is out */
            ASSERT_EQ_INT(iof__shard_sync(s), IOF_OK);
            ASSERT_EQ_U64(many.n, one.n);
        }
    }
    ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), IOF_OK);
    ASSERT_EQ_INT(iof__shard_flush(s, false), IOF_OK);
    iof__cf_stats a, b;
    iof__shard_stats ss;
    iof__cflow_get_stats(t, &a);
    iof__shard_get_stats(s, &b, &ss);
    ASSERT_EQ_U64(ss.workers, workers);
    ASSERT_TRUE(a.records_closed_waiting > 0); /* the backward-time case was exercised */
    ASSERT_EQ_U64(b.records_closed_waiting, a.records_closed_waiting);
    ASSERT_EQ_U64(b.records_created[0] + b.records_created[1], a.records_created[0] + a.records_created[1]);
    ASSERT_EQ_U64(a.records_evicted[0] + a.records_evicted[1], 0);
    ASSERT_EQ_U64(many.n, one.n);
    ASSERT_TRUE(one.n > 5000);
    for (size_t i = 0; i < one.n; i++) {
        ASSERT_EQ_U64(many.r[i].seq, one.r[i].seq);
        ASSERT_EQ_U64(many.r[i].packets, one.r[i].packets);
        ASSERT_EQ_U64(many.r[i].bytes, one.r[i].bytes);
        ASSERT_EQ_U64(many.r[i].pay_sum, one.r[i].pay_sum);
        ASSERT_EQ_INT(many.r[i].first_ns, one.r[i].first_ns);
        ASSERT_EQ_INT(many.r[i].nslots, one.r[i].nslots);
        ASSERT_EQ_INT(many.r[i].end, one.r[i].end);
        ASSERT_EQ_INT(many.r[i].variant, one.r[i].variant);
    }
    iof__shard_destroy(s);
    iof__cflow_destroy(t);
    free(one.r);
    free(many.r);
}

static void test_shard_equals_single_2(void) { run_sharded(2, 1000000); }
static void test_shard_equals_single_3(void) { run_sharded(3, 1000000); }

/* Tables that evict (--max-flows 60 for the run: 30 a table) and a merge that holds records
 * behind older ones (time going back by up to 90 s): no record lost, none out of seq order,
 * every view's packet in exactly one bidirectional record. */
static void test_shard_evicting(void)
{
    iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = 3, .payload = 16, .max_flows = 60,
                         .variants = IOF_VARIANT_BI | IOF_VARIANT_UNI, .hash_seed = 5 };
    srecs got = { 0 };
    iof__shard *s = start(2, &c, &got);
    uint64_t x = 0x2545f4914f6cdd1dULL, views = 0;
    int64_t ts = 1700000000LL * 1000000000LL;
    static uint8_t pay[64];
    for (int i = 0; i < 20000; i++) {
        iof__pkt p = gen(&x, &ts, pay);
        iof__view v[2];
        int n = iof__attribute(&p, NULL, v);
        if (n) {
            ASSERT_EQ_INT(iof__shard_packet(s, &p, v, n), IOF_OK);
            views += (uint64_t)n;
        }
    }
    ASSERT_EQ_INT(iof__shard_flush(s, true), IOF_OK);
    iof__cf_stats st;
    iof__shard_stats ss;
    iof__shard_get_stats(s, &st, &ss);
    ASSERT_TRUE(st.records_evicted[0] > 0);
    ASSERT_EQ_U64(got.n, st.records_emitted[0] + st.records_emitted[1]);
    uint64_t in_bi = 0;
    for (size_t i = 0; i < got.n; i++) {
        ASSERT_TRUE(i == 0 || got.r[i].seq > got.r[i - 1].seq);
        if (got.r[i].variant == IOF_VAR_BI)
            in_bi += got.r[i].packets;
    }
    ASSERT_EQ_U64(in_bi, views);
    iof__shard_destroy(s);
    free(got.r);
}

/* conversation k's upstream UDP packet at ts_s seconds */
static iof__pkt conv_pkt(unsigned k, int64_t ts_ns)
{
    iof__pkt p;
    memset(&p, 0, sizeof(p));
    p.ts_ns = ts_ns;
    p.ipver = 4;
    p.proto = 17;
    p.src_ip[0] = 10, p.src_ip[1] = (uint8_t)(k >> 16), p.src_ip[2] = (uint8_t)(k >> 8), p.src_ip[3] = (uint8_t)k;
    p.dst_ip[0] = 8, p.dst_ip[1] = p.dst_ip[2] = p.dst_ip[3] = 8;
    p.sport = 5000;
    p.dport = 53;
    p.flags = IOF_PKT_HAS_PORTS;
    p.ip_len = 60;
    return p;
}

/* 20,000 records whose windows end while an older record of the other worker stays open (the
 * first packet's time is 100 s ahead, the others come after it with earlier times, and the
 * clock then moves on for 48 s): the worker that made them fills its record ring and the merge
 * must hold them. Without a cap the output
 * is the single table's; with --max-flows 2,000 (the worker with the old record far below its
 * share) the held records make that worker evict it, and nothing is lost or reordered. */
/* the worker of 2 that conversation k goes to (the routing seed, not the tables' hash_seed) */
static unsigned worker_of(unsigned k)
{
    iof__pkt p = conv_pkt(k, 0);
    iof__view v[2];
    ASSERT_EQ_INT(iof__attribute(&p, NULL, v), 1);
    return (unsigned)(iof__key_sym_hash(IOF_SHARD_ROUTE_SEED, &v[0]) % 2);
}

static void holds(uint64_t max_flows, bool compare)
{
    /* the late conversations all go to the worker without the old record (whose table then
     * never fills), numbered 1.. */
    static unsigned late[20000];
    for (unsigned k = 1, n = 0; n < 20000; k++)
        if (worker_of(k) != worker_of(0))
            late[n++] = k;
    const int64_t s1 = 1000000000LL, t0 = 1700000000LL * s1;
    iof__cf_config c = { .window_ns = 60 * s1, .packets = 2, .payload = 0, .max_flows = max_flows,
                         .variants = IOF_VARIANT_BI, .hash_seed = 5 };
    srecs one = { 0 }, many = { 0 };
    iof__cflow *t = NULL;
    if (compare)
        ASSERT_EQ_INT(iof__cflow_create(&t, &c, collect, &one), IOF_OK);
    iof__shard *s = start(2, &c, &many);
    uint64_t views = 0;
    for (int i = -1; i < 20000 + 12000; i++) {
        /* the old open record, then the late ones, then 12,000 packets over the next 48 s (the
         * old record stays open): the worker without it is stopped by its full record ring,
         * its packet ring fills, the dispatcher waits */
        iof__pkt p = i < 0 ? conv_pkt(0, t0 + 100 * s1)
                     : i < 20000 ? conv_pkt(late[i], t0 + i * 1000LL)
                                 : conv_pkt(late[i % 5000], t0 + 101 * s1 + (i - 20000) * 4000000LL);
        iof__view v[2];
        int n = iof__attribute(&p, NULL, v);
        ASSERT_EQ_INT(n, 1);
        views++;
        if (t)
            ASSERT_EQ_INT(iof__cflow_packet(t, &p, v, n), IOF_OK);
        ASSERT_EQ_INT(iof__shard_packet(s, &p, v, n), IOF_OK);
    }
    if (t)
        ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), IOF_OK);
    ASSERT_EQ_INT(iof__shard_flush(s, false), IOF_OK);
    iof__cf_stats st;
    iof__shard_stats ss;
    iof__shard_get_stats(s, &st, &ss);
    ASSERT_TRUE(ss.held_peak > 0);
    uint64_t in_recs = 0;
    for (size_t i = 0; i < many.n; i++) {
        ASSERT_TRUE(i == 0 || many.r[i].seq > many.r[i - 1].seq);
        in_recs += many.r[i].packets;
    }
    ASSERT_EQ_U64(in_recs, views);
    if (compare) {
        ASSERT_EQ_U64(ss.held_evictions, 0);
        ASSERT_EQ_U64(many.n, one.n);
        for (size_t i = 0; i < one.n; i++) {
            ASSERT_EQ_U64(many.r[i].seq, one.r[i].seq);
            ASSERT_EQ_U64(many.r[i].packets, one.r[i].packets);
            ASSERT_EQ_INT(many.r[i].end, one.r[i].end);
        }
    } else {
        ASSERT_TRUE(ss.held_evictions > 0);
    }
    iof__shard_destroy(s);
    iof__cflow_destroy(t);
    free(one.r);
    free(many.r);
}

static void test_shard_holds(void) { holds(1000000, true); }
static void test_shard_holds_evicts(void) { holds(2000, false); }

/* A run stopped with records in flight: destroy() stops the workers wherever they are. */
static void test_shard_destroy_midway(void)
{
    iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = 3, .payload = 16, .max_flows = 1000,
                         .variants = IOF_VARIANT_BI, .hash_seed = 5 };
    srecs got = { 0 };
    iof__shard *s = start(2, &c, &got);
    uint64_t x = 7;
    int64_t ts = 0;
    static uint8_t pay[64];
    for (int i = 0; i < 5000; i++) {
        iof__pkt p = gen(&x, &ts, pay);
        iof__view v[2];
        int n = iof__attribute(&p, NULL, v);
        if (n)
            ASSERT_EQ_INT(iof__shard_packet(s, &p, v, n), IOF_OK);
    }
    iof__shard_destroy(s);
    free(got.r);
    ASSERT_TRUE(iof__shard_refuses(&c) == NULL);
    c.packets = 1000, c.payload = 65535; /* a record of up to 65 MB cannot travel */
    ASSERT_TRUE(iof__shard_refuses(&c) != NULL);
}

/* ---- the helper's queue ---------------------------------------------------------------- */

typedef struct qjob {
    _Atomic int *gate;  /* the job waits until it is set */
    int id;
    int *log;           /* ids in the order the jobs ran */
    _Atomic int *nlog;
} qjob;

static void qjob_run(void *arg)
{
    qjob *j = arg;
    while (j->gate && !atomic_load(j->gate)) {
        struct timespec ts = { 0, 100000 };
        nanosleep(&ts, NULL);
    }
    j->log[atomic_fetch_add(j->nlog, 1)] = j->id;
}

/* Two jobs handed over at once (the second while the first runs): both run, in that order;
 * wait_below(1) returns once the first has, wait() once both have. */
static void test_worker_queue(void)
{
    iof__worker *wk = iof__worker_start();
    ASSERT_TRUE(wk != NULL);
    _Atomic int gate = 0, nlog = 0;
    int log[4] = { 0 };
    qjob a = { &gate, 1, log, &nlog }, b = { NULL, 2, log, &nlog };
    iof__worker_submit(wk, qjob_run, &a);
    iof__worker_submit(wk, qjob_run, &b); /* queued behind a, which waits for the gate */
    iof__worker_wait_below(wk, 2);        /* at most two pending: returns at once */
    ASSERT_EQ_INT(atomic_load(&nlog), 0);
    atomic_store(&gate, 1);
    iof__worker_wait_below(wk, 1);
    ASSERT_TRUE(atomic_load(&nlog) >= 1);
    ASSERT_EQ_INT(log[0], 1);
    iof__worker_wait(wk);
    ASSERT_EQ_INT(atomic_load(&nlog), 2);
    ASSERT_EQ_INT(log[1], 2);
    iof__worker_submit(wk, qjob_run, &b); /* and again once idle */
    iof__worker_stop(wk);                 /* runs what was handed over first */
    ASSERT_EQ_INT(atomic_load(&nlog), 3);
    ASSERT_EQ_INT(log[2], 2);
}

static const iof_test tests[] = {
    TEST(test_ring_order_wrap_full), TEST(test_ring_batched), TEST(test_ring_two_threads),  TEST(test_shard_equals_single_2),
    TEST(test_shard_equals_single_3), TEST(test_shard_evicting), TEST(test_shard_holds),
    TEST(test_shard_holds_evicts),    TEST(test_shard_destroy_midway),   TEST(test_worker_queue), { 0 },
};

int main(void) { return iof_test_run(tests); }
