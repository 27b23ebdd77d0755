/* common/: the growable-array helper and the MAC index. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/idx.h"
#include "common/macidx.h"
#include "common/strtab.h"
#include "common/sysmem.h"
#include "test.h"

static void test_grow_caps(void)
{
    int *v = NULL;
    size_t cap = 0;
    ASSERT_EQ_INT(iof__grow((void **)&v, &cap, 1, sizeof *v, 100), IOF_OK);
    ASSERT_EQ_U64(cap, 16);
    ASSERT_EQ_INT(iof__grow((void **)&v, &cap, 17, sizeof *v, 100), IOF_OK);
    ASSERT_EQ_U64(cap, 32);
    ASSERT_EQ_INT(iof__grow((void **)&v, &cap, 90, sizeof *v, 100), IOF_OK);
    ASSERT_EQ_U64(cap, 100); /* doubling stops at the cap */
    int *before = v;
    ASSERT_EQ_INT(iof__grow((void **)&v, &cap, 101, sizeof *v, 100), IOF_E_LIMIT);
    ASSERT_TRUE(v == before && cap == 100); /* unchanged */
    ASSERT_EQ_INT(iof__grow((void **)&v, &cap, 100, sizeof *v, 100), IOF_OK);
    v[99] = 7;
    free(v);
    char *c = NULL;
    size_t cc = 0; /* an element count whose byte size overflows */
    ASSERT_EQ_INT(iof__grow((void **)&c, &cc, (size_t)1 << 62, 8, SIZE_MAX), IOF_E_NOMEM);
    ASSERT_TRUE(c == NULL && cc == 0);
}

typedef struct row {
    int tag;
    uint8_t mac[6];
} row;

static void mac_n(uint8_t m[6], unsigned i)
{
    /* MACs that differ only in their upper bytes (a weak hash would chain them together) */
    m[0] = (uint8_t)(i >> 8);
    m[1] = (uint8_t)i;
    m[2] = 0x42;
    m[3] = m[4] = m[5] = 0;
}

static void test_macidx(void)
{
    for (uint64_t seed = 0; seed < 3; seed++) {
        iof__macidx x;
        iof__macidx_init(&x, seed * 0x9e3779b97f4a7c15ULL);
        row *rows = NULL;
        size_t n = 0, cap = 0;
        uint8_t m[6];
        mac_n(m, 1);
        ASSERT_EQ_INT(iof__macidx_find(&x, (iof__macrows){ rows, sizeof *rows, offsetof(row, mac) }, m), -1);
        for (unsigned i = 0; i < 5000; i++) {
            /* the array moves as it grows: the index reads it through the view it is given */
            ASSERT_EQ_INT(iof__grow((void **)&rows, &cap, n + 1, sizeof *rows, 5000), IOF_OK);
            rows[n].tag = (int)i;
            mac_n(rows[n].mac, i);
            iof__macrows v = { rows, sizeof *rows, offsetof(row, mac) };
            ASSERT_EQ_INT(iof__macidx_add(&x, v, n), IOF_OK);
            n++;
            ASSERT_TRUE((x.mask + 1) >= 2 * n); /* at most half full */
        }
        iof__macrows v = { rows, sizeof *rows, offsetof(row, mac) };
        for (unsigned i = 0; i < 5000; i++) {
            mac_n(m, i);
            long k = iof__macidx_find(&x, v, m);
            ASSERT_TRUE(k >= 0);
            ASSERT_EQ_INT(rows[k].tag, (int)i);
        }
        for (unsigned i = 5000; i < 6000; i++) {
            mac_n(m, i);
            ASSERT_EQ_INT(iof__macidx_find(&x, v, m), -1);
        }
        mac_n(m, 0); /* row 0's upper bytes, another third byte */
        m[2] = 0x43;
        ASSERT_EQ_INT(iof__macidx_find(&x, v, m), -1);
        iof__macidx_free(&x);
        ASSERT_EQ_INT(iof__macidx_find(&x, v, rows[0].mac), -1); /* freed: empty */
        free(rows);
    }
}

/* The whole seed reaches the slots: seeds that differ only in their upper 48 bits place the
 * same MACs differently (a hash that shifted the seed out would not). */
static void test_macidx_seed(void)
{
    row rows[64];
    for (unsigned i = 0; i < 64; i++)
        mac_n(rows[i].mac, i);
    iof__macrows v = { rows, sizeof *rows, offsetof(row, mac) };
    iof__macidx a, b;
    iof__macidx_init(&a, 0x1111000000000000ULL);
    iof__macidx_init(&b, 0x2222000000000000ULL);
    for (size_t i = 0; i < 64; i++) {
        ASSERT_EQ_INT(iof__macidx_add(&a, v, i), IOF_OK);
        ASSERT_EQ_INT(iof__macidx_add(&b, v, i), IOF_OK);
    }
    ASSERT_EQ_U64(a.mask, b.mask);
    ASSERT_TRUE(memcmp(a.slot, b.slot, (a.mask + 1) * sizeof *a.slot) != 0);
    iof__macidx_free(&a);
    iof__macidx_free(&b);
}

/* cgroup memory limits as the kernel writes them; the machine's memory is positive here */
static void test_sysmem(void)
{
    ASSERT_EQ_U64(iof__cgroup_limit_parse("max\n"), 0);
    ASSERT_EQ_U64(iof__cgroup_limit_parse("1073741824\n"), 1073741824ULL);
    ASSERT_EQ_U64(iof__cgroup_limit_parse("536870912"), 536870912ULL);
    ASSERT_EQ_U64(iof__cgroup_limit_parse("9223372036854771712\n"), 0); /* v1 "no limit" */
    ASSERT_EQ_U64(iof__cgroup_limit_parse(""), 0);
    ASSERT_EQ_U64(iof__cgroup_limit_parse("12x\n"), 0);
    ASSERT_EQ_U64(iof__cgroup_limit_parse(NULL), 0);
    ASSERT_TRUE(iof__sys_memory() > (16u << 20));
    /* a cgroup tree of our own: the process's cgroup and its parents, v1 and v2 */
    char root[] = "/tmp/iof-cg-XXXXXX";
    ASSERT_TRUE(mkdtemp(root) != NULL);
    static const struct { const char *dir, *file, *text; } f[] = {
        { "memory", "memory.limit_in_bytes", "9223372036854771712\n" }, /* v1 root: none */
        { "memory/job", "memory.limit_in_bytes", "1000000000\n" },
        { "memory/job/step", "memory.limit_in_bytes", "9223372036854771712\n" },
        { "svc", "memory.max", "max\n" },
        { "svc/unit", "memory.max", "700000000\n" },
    };
    char path[256];
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        snprintf(path, sizeof(path), "mkdir -p %s/%s", root, f[i].dir);
        ASSERT_EQ_INT(system(path), 0);
        snprintf(path, sizeof(path), "%s/%s/%s", root, f[i].dir, f[i].file);
        FILE *fp = fopen(path, "w");
        ASSERT_TRUE(fp != NULL);
        fputs(f[i].text, fp);
        fclose(fp);
    }
    ASSERT_EQ_U64(iof__cgroup_limit_at(root, "4:memory:/job/step\n0::/\n"), 1000000000ULL); /* parent's */
    ASSERT_EQ_U64(iof__cgroup_limit_at(root, "0::/svc/unit\n"), 700000000ULL);
    ASSERT_EQ_U64(iof__cgroup_limit_at(root, "4:cpu,memory:/job\n0::/svc/unit/\n"), 700000000ULL);
    ASSERT_EQ_U64(iof__cgroup_limit_at(root, "4:memory:/\n0::/svc\n"), 0);
    ASSERT_EQ_U64(iof__cgroup_limit_at(root, "4:memoryx:/job\n"), 0); /* not the memory controller */
    ASSERT_EQ_U64(iof__cgroup_limit_at(root, "garbage\n::\n"), 0);
    snprintf(path, sizeof(path), "rm -rf %s", root);
    ASSERT_EQ_INT(system(path), 0);
}

/* The string table: one id per distinct text (found by its first n bytes), texts that stay put
 * while thousands more are added (the index grows, blocks are added; a text longer than a
 * block gets its own), and the byte cap: NONE with rc OK, nothing stored. */
static void test_strtab(void)
{
    iof__strtab t = { .seed = 7, .max_bytes = 150000 };
    int rc;
    uint32_t a = iof__strtab_add(&t, "example.com", 11, &rc);
    ASSERT_EQ_INT(rc, IOF_OK);
    ASSERT_EQ_INT(a, 0);
    const char *pa = iof__strtab_get(&t, a);
    ASSERT_EQ_INT(iof__strtab_add(&t, "example.com.x", 11, &rc), a); /* only n bytes count */
    ASSERT_EQ_INT(iof__strtab_find(&t, "example.co", 10), IOF_STRTAB_NONE);
    char buf[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(buf, sizeof buf, "name-%d", i);
        ASSERT_EQ_INT(iof__strtab_add(&t, buf, (size_t)n, &rc), i + 1);
    }
    ASSERT_TRUE(pa == iof__strtab_get(&t, a));
    ASSERT_EQ_STR(iof__strtab_get(&t, 4001), "name-4000");
    ASSERT_EQ_INT(iof__strtab_find(&t, "name-4999", 9), 5000);
    static char big[70000];
    memset(big, 'b', sizeof big - 1);
    uint32_t b = iof__strtab_add(&t, big, sizeof big - 1, &rc);
    ASSERT_EQ_INT(rc, IOF_OK);
    ASSERT_EQ_INT(strlen(iof__strtab_get(&t, b)), sizeof big - 1);
    size_t bytes = t.bytes;
    ASSERT_EQ_INT(iof__strtab_add(&t, big, 60000, &rc), IOF_STRTAB_NONE); /* past max_bytes */
    ASSERT_EQ_INT(rc, IOF_OK);
    ASSERT_EQ_INT(t.bytes, bytes);
    ASSERT_EQ_INT(iof__strtab_add(&t, "after", 5, &rc), b + 1); /* small ones still fit */
    iof__strtab_free(&t);
}

/* The open-addressing index: ids placed by their hash, found by probing; growth keeps it at most
 * half full and places every id again, colliding hashes included. */
static uint64_t idx_keys[5002];
static uint64_t idx_hash(const void *owner, uint32_t id) { return ((const uint64_t *)owner)[id]; }

static size_t idx_eq_calls;
static bool idx_eq(const void *owner, uint32_t id, const void *key)
{
    (void)owner;
    idx_eq_calls++;
    return id == *(const uint32_t *)key;
}

/* id's slot through the one probe: its id + 1 there (0: not found) */
static uint32_t idx_find(const iof__idx *x, uint32_t id)
{
    return iof__idx_get(x, iof__idx_find(x, idx_keys[id], idx_eq, NULL, &id));
}

static void test_idx(void)
{
    iof__idx x = { 0 };
    for (uint32_t i = 0; i < 5000; i++) {
        idx_keys[i] = i % 7 == 0 ? 12345 : (uint64_t)i * 0x9e3779b97f4a7c15ULL; /* 715 collide */
        ASSERT_EQ_INT(iof__idx_room(&x, i, idx_hash, idx_keys), IOF_OK);
        iof__idx_put(&x, idx_keys[i], i);
    }
    ASSERT_EQ_U64(x.mask + 1, 16384); /* 1024 doubled until 5000 fit at most half full */
    size_t used = 0;
    for (size_t s = 0; s <= x.mask; s++)
        used += x.slot[s] != 0;
    ASSERT_EQ_U64(used, 5000);
    for (uint32_t i = 0; i < 5000; i++)
        ASSERT_EQ_U64(idx_find(&x, i), i + 1);
    uint32_t absent = 5000;
    idx_keys[absent] = 12345; /* not placed: its probe ends at an empty slot */
    ASSERT_EQ_U64(idx_find(&x, absent), 0);
    iof__idx_free(&x);
    ASSERT_TRUE(x.slot == NULL);
}

/* The tag: the probe compares a key only with entries whose hash has the same high half. 1000
 * ids share their hash's low half (one probe chain), each with its own high half: finding one
 * compares once (the entry itself), an absent key with a new high half never; without the tag
 * the k-th id would be compared k times. Ids of one full hash are all compared (equal tags). */
static void test_idx_tag(void)
{
    iof__idx x = { 0 };
    for (uint32_t i = 0; i < 1000; i++) {
        idx_keys[i] = (uint64_t)(i + 1) << 32 | 0x2a;
        ASSERT_EQ_INT(iof__idx_room(&x, i, idx_hash, idx_keys), IOF_OK);
        iof__idx_put(&x, idx_keys[i], i);
    }
    for (uint32_t i = 0; i < 1000; i++) {
        idx_eq_calls = 0;
        ASSERT_EQ_U64(idx_find(&x, i), i + 1);
        ASSERT_EQ_U64(idx_eq_calls, 1);
    }
    uint32_t absent = 1000;
    idx_keys[absent] = (uint64_t)5000 << 32 | 0x2a;
    idx_eq_calls = 0;
    ASSERT_EQ_U64(idx_find(&x, absent), 0);
    ASSERT_EQ_U64(idx_eq_calls, 0);
    /* the newest of a key replaces its slot (the maps' append): found, its tag kept */
    size_t s = iof__idx_find(&x, idx_keys[7], idx_eq, NULL, &(uint32_t){ 7 });
    idx_keys[1001] = idx_keys[7];
    iof__idx_set(&x, s, idx_keys[1001], 1001);
    idx_eq_calls = 0;
    ASSERT_EQ_U64(idx_find(&x, 1001), 1002);
    ASSERT_EQ_U64(idx_eq_calls, 1);
    iof__idx_free(&x);
    /* equal full hashes: one compare per entry before the match */
    for (uint32_t i = 0; i < 10; i++) {
        idx_keys[i] = 99;
        ASSERT_EQ_INT(iof__idx_room(&x, i, idx_hash, idx_keys), IOF_OK);
        iof__idx_put(&x, idx_keys[i], i);
    }
    idx_eq_calls = 0;
    ASSERT_EQ_U64(idx_find(&x, 9), 10);
    ASSERT_EQ_U64(idx_eq_calls, 10);
    iof__idx_free(&x);
}

static const iof_test tests[] = { TEST(test_grow_caps), TEST(test_macidx), TEST(test_macidx_seed),
                                  TEST(test_sysmem), TEST(test_strtab), TEST(test_idx),
                                  TEST(test_idx_tag), { 0, 0 } };

int main(void) { return iof_test_run(tests); }
