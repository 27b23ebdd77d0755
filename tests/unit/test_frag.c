/* Unit tests for the fragment table (src/decode/frag.c): first/later fragments, out-of-order,
 * expiry, capacity eviction, completion, IPv6, key separation. Frames are raw IP
 * (LINKTYPE_RAW) decoded with iof__decode, so the table sees exactly what the pipeline will. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/frag.h"
#include "test.h"

#define SEC 1000000000LL

typedef struct {
    uint8_t b[2048];
    uint32_t n;
} fb_t;

static void u8(fb_t *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static void be16(fb_t *f, unsigned v) { u8(f, v >> 8 & 0xff); u8(f, v & 0xff); }
static void be32(fb_t *f, uint32_t v) { be16(f, v >> 16); be16(f, v & 0xffff); }
static void fill(fb_t *f, uint32_t n) { for (uint32_t i = 0; i < n; i++) u8(f, 'd'); }

/* IPv4 fragment: `first` carries a UDP/TCP header with the ports; data_len bytes of fragment
 * data in total (including that header). */
static void v4frag(fb_t *f, unsigned proto, uint32_t src, unsigned id, uint32_t off, int mf,
                   uint32_t data_len, unsigned sport, unsigned dport)
{
    f->n = 0;
    u8(f, 0x45);
    u8(f, 0);
    be16(f, 20 + data_len);
    be16(f, id);
    be16(f, (mf ? 0x2000u : 0) | off / 8);
    u8(f, 64);
    u8(f, proto);
    be16(f, 0);
    be32(f, src);
    be32(f, 0x0a000001);
    if (off == 0 && proto == 17) {
        be16(f, sport);
        be16(f, dport);
        be16(f, 2000); /* whole datagram's UDP length */
        be16(f, 0);
        fill(f, data_len - 8);
    } else if (off == 0 && proto == 6) {
        be16(f, sport);
        be16(f, dport);
        be32(f, 1);
        be32(f, 0);
        u8(f, 0x50);
        u8(f, 0x10);
        be16(f, 1000);
        be32(f, 0);
        fill(f, data_len - 20);
    } else {
        fill(f, data_len);
    }
}

static void v6frag(fb_t *f, uint32_t id, uint32_t off, int more, uint32_t data_len, unsigned sport,
                   unsigned dport)
{
    f->n = 0;
    be32(f, 0x60000000);
    be16(f, 8 + data_len);
    u8(f, 44);
    u8(f, 64);
    for (int i = 0; i < 16; i++)
        u8(f, i == 0 ? 0xfd : i);
    for (int i = 0; i < 16; i++)
        u8(f, i == 0 ? 0xfd : 0x10 + i);
    u8(f, 17);
    u8(f, 0);
    be16(f, off | (more ? 1u : 0));
    be32(f, id);
    if (off == 0) {
        be16(f, sport);
        be16(f, dport);
        be16(f, 3000);
        be16(f, 0);
        fill(f, data_len - 8);
    } else {
        fill(f, data_len);
    }
}

static iof__drop run(iof__fragtab *t, const fb_t *f, int64_t ts, iof__pkt *p)
{
    iof__drop d = iof__decode(p, IOF_LINKTYPE_RAW, f->b, f->n, f->n, ts);
    ASSERT_EQ_INT(d, IOF_DROP_OK);
    return iof__fragtab_resolve(t, p);
}

static iof__fragtab_stats stats(const iof__fragtab *t)
{
    iof__fragtab_stats st;
    iof__fragtab_get_stats(t, &st);
    return st;
}

static void test_in_order_v4(void)
{
    iof__fragtab *t = iof__fragtab_create(16, 30 * SEC);
    ASSERT_TRUE(t != NULL);
    fb_t f;
    iof__pkt p;
    v4frag(&f, 17, 0xc0a80001, 77, 0, 1, 1480, 5000, 53);
    ASSERT_EQ_INT(run(t, &f, 1 * SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 5000);
    ASSERT_EQ_INT(iof__fragtab_live(t), 1);

    v4frag(&f, 17, 0xc0a80001, 77, 1480, 1, 1480, 0, 0);
    ASSERT_TRUE(!(p.flags & IOF_PKT_HAS_PORTS) || 1);
    ASSERT_EQ_INT(run(t, &f, 1 * SEC, &p), IOF_DROP_OK);
    ASSERT_TRUE(p.flags & IOF_PKT_HAS_PORTS);
    ASSERT_EQ_INT(p.sport, 5000);
    ASSERT_EQ_INT(p.dport, 53);
    ASSERT_EQ_INT(iof__fragtab_live(t), 1);

    v4frag(&f, 17, 0xc0a80001, 77, 2960, 0, 100, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 2 * SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.dport, 53);
    /* all 3060 bytes seen: the entry is freed */
    ASSERT_EQ_INT(iof__fragtab_live(t), 0);
    iof__fragtab_stats st = stats(t);
    ASSERT_EQ_U64(st.inserted, 1);
    ASSERT_EQ_U64(st.resolved, 2);
    ASSERT_EQ_U64(st.orphans, 0);
    ASSERT_EQ_U64(st.evicted, 0);
    ASSERT_EQ_U64(st.expired, 0);

    /* a late duplicate of a fragment after completion still gets its ports */
    ASSERT_EQ_INT(run(t, &f, 3 * SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 5000);
    v4frag(&f, 17, 0xc0a80001, 77, 1480, 1, 1480, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 3 * SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(iof__fragtab_live(t), 0);
    /* ... until it times out (not counted as expired: nothing was lost) */
    ASSERT_EQ_INT(run(t, &f, 40 * SEC, &p), IOF_DROP_FRAG_ORPHAN);
    ASSERT_TRUE(!(p.flags & IOF_PKT_HAS_PORTS));
    ASSERT_EQ_U64(stats(t).expired, 0);
    /* the id reused for a new datagram */
    v4frag(&f, 17, 0xc0a80001, 77, 0, 1, 1480, 6000, 53);
    ASSERT_EQ_INT(run(t, &f, 41 * SEC, &p), IOF_DROP_OK);
    v4frag(&f, 17, 0xc0a80001, 77, 1480, 0, 8, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 41 * SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 6000);
    ASSERT_EQ_U64(stats(t).inserted, 2);
    /* id reuse right after completion (done entry hit by a first fragment) */
    v4frag(&f, 17, 0xc0a80001, 77, 0, 1, 1480, 7000, 53);
    ASSERT_EQ_INT(run(t, &f, 42 * SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(iof__fragtab_live(t), 1);
    v4frag(&f, 17, 0xc0a80001, 77, 1480, 1, 8, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 42 * SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 7000);
    ASSERT_EQ_U64(stats(t).inserted, 3);
    iof__fragtab_destroy(t);
}

static void test_out_of_order(void)
{
    iof__fragtab *t = iof__fragtab_create(16, 30 * SEC);
    fb_t f;
    iof__pkt p;
    /* last fragment first: orphan (documented decision) */
    v4frag(&f, 6, 1, 9, 1480, 0, 40, 0, 0);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_FRAG_ORPHAN);
    ASSERT_EQ_U64(stats(t).orphans, 1);
    /* then the first (TCP) */
    v4frag(&f, 6, 1, 9, 0, 1, 1480, 443, 50000);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 443);
    /* a middle one arriving late still resolves */
    v4frag(&f, 6, 1, 9, 800, 1, 680, 0, 0);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.dport, 50000);
    ASSERT_EQ_U64(stats(t).resolved, 1);
    iof__fragtab_destroy(t);
}

static void test_expiry(void)
{
    iof__fragtab *t = iof__fragtab_create(16, 10 * SEC);
    fb_t f;
    iof__pkt p;
    v4frag(&f, 17, 1, 1, 0, 1, 1480, 1, 2);
    ASSERT_EQ_INT(run(t, &f, 100 * SEC, &p), IOF_DROP_OK);
    /* refreshed by use: 8 s + 8 s later still alive */
    v4frag(&f, 17, 1, 1, 1480, 1, 1480, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 108 * SEC, &p), IOF_DROP_OK);
    v4frag(&f, 17, 1, 1, 2960, 1, 1480, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 116 * SEC, &p), IOF_DROP_OK);
    /* exactly timeout after last use: still alive; one ns more: expired */
    v4frag(&f, 17, 1, 1, 4440, 1, 1480, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 126 * SEC, &p), IOF_DROP_OK);
    v4frag(&f, 17, 1, 1, 5920, 0, 100, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 136 * SEC + 1, &p), IOF_DROP_FRAG_ORPHAN);
    iof__fragtab_stats st = stats(t);
    ASSERT_EQ_U64(st.expired, 1);
    ASSERT_EQ_U64(st.orphans, 1);
    ASSERT_EQ_INT(iof__fragtab_live(t), 0);

    /* lazy sweep: an unrelated fragment removes timed-out entries */
    v4frag(&f, 17, 2, 2, 0, 1, 1480, 1, 2);
    ASSERT_EQ_INT(run(t, &f, 200 * SEC, &p), IOF_DROP_OK);
    v4frag(&f, 17, 3, 3, 0, 1, 1480, 1, 2);
    ASSERT_EQ_INT(run(t, &f, 300 * SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(iof__fragtab_live(t), 1);
    ASSERT_EQ_U64(stats(t).expired, 2);

    /* timestamps going backwards never move the clock back */
    v4frag(&f, 17, 3, 3, 1480, 1, 1480, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 5 * SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 1);
    /* extreme timestamps (damaged files) do not overflow the age computation */
    v4frag(&f, 17, 4, 4, 0, 1, 1480, 9, 9);
    ASSERT_EQ_INT(run(t, &f, INT64_MIN, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(run(t, &f, INT64_MAX, &p), IOF_DROP_OK);
    v4frag(&f, 17, 4, 4, 1480, 0, 8, 0, 0);
    ASSERT_EQ_INT(run(t, &f, INT64_MAX, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 9);
    iof__fragtab_destroy(t);
}

static void test_capacity_eviction(void)
{
    iof__fragtab *t = iof__fragtab_create(2, 30 * SEC);
    fb_t f;
    iof__pkt p;
    for (unsigned id = 1; id <= 3; id++) {
        v4frag(&f, 17, 1, id, 0, 1, 1480, 1000 + id, 53);
        ASSERT_EQ_INT(run(t, &f, SEC + id, &p), IOF_DROP_OK);
    }
    ASSERT_EQ_INT(iof__fragtab_live(t), 2);
    iof__fragtab_stats st = stats(t);
    ASSERT_EQ_U64(st.inserted, 3);
    ASSERT_EQ_U64(st.evicted, 1);
    /* id 1 was the oldest: gone */
    v4frag(&f, 17, 1, 1, 1480, 1, 8, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 2 * SEC, &p), IOF_DROP_FRAG_ORPHAN);
    v4frag(&f, 17, 1, 2, 1480, 1, 8, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 2 * SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 1002);
    /* id 2 was just used, so id 3 is now the oldest */
    v4frag(&f, 17, 1, 4, 0, 1, 1480, 1004, 53);
    ASSERT_EQ_INT(run(t, &f, 2 * SEC, &p), IOF_DROP_OK);
    v4frag(&f, 17, 1, 3, 1480, 1, 8, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 2 * SEC, &p), IOF_DROP_FRAG_ORPHAN);
    v4frag(&f, 17, 1, 2, 1488, 1, 8, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 2 * SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_U64(stats(t).evicted, 2);
    iof__fragtab_destroy(t);

    /* capacity 0 behaves as 1 */
    t = iof__fragtab_create(0, SEC);
    ASSERT_TRUE(t != NULL);
    v4frag(&f, 17, 1, 1, 0, 1, 1480, 7, 8);
    ASSERT_EQ_INT(run(t, &f, 0, &p), IOF_DROP_OK);
    v4frag(&f, 17, 1, 1, 1480, 0, 8, 0, 0);
    ASSERT_EQ_INT(run(t, &f, 0, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 7);
    iof__fragtab_destroy(t);
    ASSERT_TRUE(iof__fragtab_create(IOF_FRAGTAB_MAX_CAPACITY + 1, SEC) == NULL);
    iof__fragtab_destroy(NULL);
}

static void test_ipv6(void)
{
    iof__fragtab *t = iof__fragtab_create(8, 60 * SEC);
    fb_t f;
    iof__pkt p;
    v6frag(&f, 0x01020304, 0, 1, 1232, 5683, 40000);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.ipver, 6);
    ASSERT_EQ_INT(p.sport, 5683);
    v6frag(&f, 0x01020304, 1232, 0, 300, 0, 0);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 5683);
    ASSERT_EQ_INT(p.dport, 40000);
    ASSERT_EQ_INT(iof__fragtab_live(t), 0);
    /* the 32-bit id is part of the key */
    v6frag(&f, 0x01020305, 1232, 0, 300, 0, 0);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_FRAG_ORPHAN);
    iof__fragtab_destroy(t);
}

static void test_key_separation(void)
{
    iof__fragtab *t = iof__fragtab_create(8, 60 * SEC);
    fb_t f;
    iof__pkt p;
    v4frag(&f, 17, 0x01010101, 5, 0, 1, 1480, 11, 12);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_OK);
    v4frag(&f, 6, 0x01010101, 5, 0, 1, 1480, 21, 22);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_OK);
    /* other source, same id: orphan */
    v4frag(&f, 17, 0x02020202, 5, 1480, 0, 8, 0, 0);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_FRAG_ORPHAN);
    /* same source and id, proto decides */
    v4frag(&f, 6, 0x01010101, 5, 1480, 0, 8, 0, 0);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 21);
    v4frag(&f, 17, 0x01010101, 5, 1480, 0, 8, 0, 0);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 11);

    /* non-fragments and fragments of port-less protocols pass through */
    v4frag(&f, 1, 0x01010101, 6, 1480, 0, 64, 0, 0);
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_OK);
    ASSERT_TRUE(!(p.flags & IOF_PKT_HAS_PORTS));
    v4frag(&f, 17, 0x01010101, 6, 0, 0, 100, 1, 2);
    f.b[20 + 4] = 0;
    f.b[20 + 5] = 100; /* fix the UDP length for a whole datagram */
    ASSERT_EQ_INT(run(t, &f, SEC, &p), IOF_DROP_OK);
    ASSERT_EQ_INT(p.sport, 1);
    ASSERT_EQ_U64(stats(t).inserted, 2);
    iof__fragtab_destroy(t);
}

/* Resident pages of this process (/proc/self/statm's second field). */
static long resident_pages(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = -1;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &res) != 2)
            res = -1;
        fclose(f);
    }
    return res;
}

/* A run's table (65,536 entries, ~5 MB) costs no memory until datagrams use it: creating it
 * touches its header only (it built a free list through every entry, all of it resident). */
static void test_create_untouched(void)
{
    /* calloc's large blocks come from mmap, already zero and untouched, unless the allocator is
     * told to fill them (glibc's MALLOC_PERTURB_) or replaced (valgrind, LD_PRELOAD): then the
     * allocation itself makes them resident, whatever the table does */
    if (getenv("MALLOC_PERTURB_") || getenv("LD_PRELOAD") || getenv("VALGRIND_LAUNCHER"))
        return;
    long before = resident_pages();
    ASSERT_TRUE(before > 0);
    iof__fragtab *t = iof__fragtab_create(65536, 30000000000LL);
    ASSERT_TRUE(t != NULL);
    long grown = resident_pages() - before;
    ASSERT_TRUE(grown < 64); /* pages of 4 KiB: < 256 KiB of the table's ~5 MB */
    iof__fragtab_destroy(t);
}

/* Many interleaved datagrams through a small table: counters stay consistent. */
static void test_churn(void)
{
    iof__fragtab *t = iof__fragtab_create(64, 5 * SEC);
    fb_t f;
    iof__pkt p;
    uint64_t ok = 0, orphan = 0;
    /* blocks of 80 datagrams (more than the 64 entries): all first fragments, then all
     * middle ones, then all last ones; the oldest 16 of each block are evicted */
    int64_t ts = 0;
    for (unsigned b = 0; b < 100; b++) {
        for (unsigned j = 0; j < 3; j++) {
            for (unsigned k = 0; k < 80; k++) {
                unsigned id = (b * 80 + k) & 0xffff;
                uint32_t off = j * 1480;
                ts += SEC / 1000;
                v4frag(&f, 17, 0x0a000000 + (id & 15), id, off, j < 2, j == 2 ? 8 : 1480, 100 + k, 53);
                iof__drop d = run(t, &f, ts, &p);
                ASSERT_TRUE(d == IOF_DROP_OK || d == IOF_DROP_FRAG_ORPHAN);
                if (d == IOF_DROP_OK && off)
                    ASSERT_EQ_INT(p.sport, 100 + k);
                ok += d == IOF_DROP_OK && off;
                orphan += d == IOF_DROP_FRAG_ORPHAN;
                ASSERT_TRUE(iof__fragtab_live(t) <= 64);
            }
        }
    }
    iof__fragtab_stats st = stats(t);
    ASSERT_EQ_U64(st.resolved, ok);
    ASSERT_EQ_U64(st.orphans, orphan);
    ASSERT_EQ_U64(st.inserted, 8000);
    ASSERT_EQ_U64(st.resolved, 100 * 64 * 2);
    ASSERT_EQ_U64(st.orphans, 100 * 16 * 2);
    ASSERT_EQ_U64(st.evicted, 100 * 16);
    printf("  churn: inserted=%llu resolved=%llu orphans=%llu evicted=%llu expired=%llu live=%u\n",
           (unsigned long long)st.inserted, (unsigned long long)st.resolved,
           (unsigned long long)st.orphans, (unsigned long long)st.evicted,
           (unsigned long long)st.expired, iof__fragtab_live(t));
    iof__fragtab_destroy(t);
}

static const iof_test tests[] = {
    TEST(test_in_order_v4),
    TEST(test_out_of_order),
    TEST(test_expiry),
    TEST(test_capacity_eviction),
    TEST(test_ipv6),
    TEST(test_key_separation),
    TEST(test_churn),
    TEST(test_create_untouched),
    { 0 },
};

int main(void) { return iof_test_run(tests); }
