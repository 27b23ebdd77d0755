/* byte_dist and entropy (Joy's dist=1 and entropy=1; docs/JOY.md "byte_dist, entropy"): one
 * state for both, since both are made of the counts of each byte value in the data bytes.
 *
 * Per direction: count[256] (32-bit, as Joy's), the number of bytes n, their sum and the sum of
 * their squares (64-bit integers: exact). For a flow Joy:
 * - sums the two directions' counts and writes them right-shifted by the smallest shift that
 *   brings the largest below 256 ("byte_dist", 256 integers);
 * - writes as mean the two means weighted by their byte counts, and as "std" the square root
 *   of (the two sums of squared deviations weighted the same way) / (n - 1): not the pooled
 *   standard deviation (that would add the two sums and the spread of the means), but what Joy
 *   prints, so what we print; with one byte, 0. Both with %f, and only when n > 0;
 * - writes the Shannon entropy in bits per byte, computed in single precision as Joy does (the
 *   last printed digit depends on it), and entropy * n. With byte_dist on, Joy computes it
 *   from the right-shifted counts it printed, still divided by n (its byte_dist reduction
 *   works in place on the array the entropy then reads): the probabilities then sum to less
 *   than 1 and the entropy is lower. We reproduce that; with dist off it is the plain
 *   entropy.
 *
 * Joy keeps each direction's mean and sum of squared deviations with Welford's update, byte by
 * byte in double; we compute them from the exact sums when the flow is written (mean = s1 / n,
 * M2 = (n s2 - s1^2) / n, in 128-bit integers), then combine them as Joy does. Why: Welford's
 * update divides by n for every byte, a chain of dependent divisions (~20 cycles per byte) that
 * made 44 % of `-f joy`'s time on the dense capture; the sums cost an add per byte. The printed
 * values (%f, 6 decimals) are the same unless Joy's running rounding error moves a value across
 * a rounding boundary: on the 15 golden pairs none (219 flows), on every capture of the corpus
 * one flow in 3,899 (a mean of exactly 77.9140625, a tie: Joy's error printed ...063, the exact
 * value rounds to even, ...062; docs/JOY.md "Differences"). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "features/feature.h"

typedef struct bd_state {
    uint32_t count[256];      /* Joy's unsigned int: 1 KiB per direction, and Joy's wrap */
    uint64_t n;
    uint64_t s1, s2;          /* the bytes' sum and the sum of their squares (exact up to 2^48
                                 bytes per direction) */
} bd_state;

static bool bd_enabled(const iof__feat_opts *o) { return o->dist || o->entropy; }

/* Bytes whose sum of squares fits 32 bits (255^2 each): the sums' chunk. */
#define BD_CHUNK 65535u

/* Data of at least BD_SPLIT bytes is counted in four tables, byte i in table i mod 4, then
 * added to the counts. Why: one table's increments of a repeated byte value (runs of zeros)
 * wait for each other's stores; four tables overlap them. Measured per byte on this VM (one
 * table / four): zeros 1.22 / 0.69 ns at 768 bytes, 1.23 / 0.70 at 1,400; random or text bytes
 * 0.36 / 0.36 at 768, 0.34 / 0.30 at 1,400, but 0.37 / 0.51 at 256 (the tables' zeroing and
 * sum), hence the threshold. The tables are 16-bit: a pass takes BD_SPLIT_PASS bytes, at most
 * 65,532 four-byte blocks plus a tail of 3 in table 0. */
#define BD_SPLIT 768u
#define BD_SPLIT_PASS (4u * 65532u)

static void bd_count_split(uint32_t *count, const uint8_t *d, uint32_t len)
{
    uint16_t h[4][256];
    for (uint32_t at = 0; at < len; at += BD_SPLIT_PASS) {
        uint32_t end = len - at < BD_SPLIT_PASS ? len : at + BD_SPLIT_PASS, i = at;
        memset(h, 0, sizeof(h));
        for (; end - i >= 4; i += 4) {
            h[0][d[i]]++;
            h[1][d[i + 1]]++;
            h[2][d[i + 2]]++;
            h[3][d[i + 3]]++;
        }
        for (; i < end; i++)
            h[0][d[i]]++;
        for (int v = 0; v < 256; v++)   /* 32-bit sums: Joy's unsigned wrap */
            count[v] += (uint32_t)h[0][v] + h[1][v] + h[2][v] + h[3][v];
    }
}

static void bd_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    (void)o;
    bd_state *s = st;
    const uint8_t *d = fp->data;
    if (!fp->len) /* nothing to count: the state, cold on most packets, is not read (feature.h) */
        return;
    if (fp->len >= BD_SPLIT)
        bd_count_split(s->count, d, fp->len);
    else
        for (uint32_t i = 0; i < fp->len; i++)
            s->count[d[i]]++;
    /* the sums in their own loop, on 32-bit accumulators: one the compiler vectorises (with
     * the counts in the same loop, every byte waited for its count's store) */
    for (uint32_t at = 0; at < fp->len; at += BD_CHUNK) {
        uint32_t end = fp->len - at < BD_CHUNK ? fp->len : at + BD_CHUNK, s1 = 0, s2 = 0;
        for (uint32_t i = at; i < end; i++) {
            uint32_t x = d[i];
            s1 += x;
            s2 += x * x;
        }
        s->s1 += s1;
        s->s2 += s2;
    }
    s->n += fp->len;
}

/* A direction's mean and sum of squared deviations from its exact sums. */
static double bd_mean(const bd_state *s) { return s->n ? (double)s->s1 / (double)s->n : 0.0; }

static double bd_m2(const bd_state *s)
{
    if (!s->n)
        return 0.0;
    unsigned __int128 d = (unsigned __int128)s->n * s->s2 - (unsigned __int128)s->s1 * s->s1; /* >= 0 */
    return (double)d / (double)s->n;
}

/* The right shift that brings max(v) below 256 (Joy's reduce_bd_bits on the OR of all). */
static unsigned bd_shift(const uint32_t *v, size_t n)
{
    uint32_t all = 0;
    for (size_t i = 0; i < n; i++)
        all |= v[i];
    unsigned shift = 0;
    for (all >>= 8; all; all >>= 1)
        shift++;
    return shift;
}

/* Shannon entropy in bits per byte, single precision as Joy computes it. */
static float bd_entropy(const uint32_t *count, uint64_t n)
{
    float sum = 0.0f;
    for (int i = 0; i < 256; i++) {
        if (!count[i])
            continue;   /* p = 0: not summed (saves the division of most values of a flow) */
        float p = (float)count[i] / (float)n;
        if (p > FLT_EPSILON)
            sum -= p * logf(p);
    }
    return sum / logf(2.0f);
}

static void bd_json(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o)
{
    const bd_state *a = out, *t = in;
    uint32_t count[256];
    uint64_t n = a->n + (t ? t->n : 0);
    double mean = 0.0, sd = 0.0;
    for (int i = 0; i < 256; i++)
        count[i] = a->count[i] + (t ? t->count[i] : 0u);   /* 32-bit, as Joy sums them */
    if (!t && n) {
        mean = bd_mean(a);
        sd = n == 1 ? 0.0 : sqrt(bd_m2(a) / (double)(n - 1));
    } else if (n) {
        double wa = (double)a->n / (double)n, wt = (double)t->n / (double)n;
        mean = wa * bd_mean(a) + wt * bd_mean(t);
        sd = n == 1 ? 0.0 : sqrt((wa * bd_m2(a) + wt * bd_m2(t)) / (double)(n - 1));
    }
    if (o->dist) {
        unsigned shift = bd_shift(count, 256);
        for (int i = 0; i < 256; i++)
            count[i] >>= shift;   /* the entropy below reads these, as Joy's does */
        iof__tb_puts(b, ",\"byte_dist\":[");
        iof__tb_u32_list(b, count, 256);
        iof__tb_putc(b, ']');
        if (n) {
            iof__tb_puts(b, ",\"byte_dist_mean\":");
            iof__tb_fixed(b, mean, 6);
            iof__tb_puts(b, ",\"byte_dist_std\":");
            iof__tb_fixed(b, sd, 6);
        }
    }
    if (o->entropy && n) {
        double e = bd_entropy(count, n);
        iof__tb_puts(b, ",\"entropy\":");
        iof__tb_fixed(b, e, 6);
        iof__tb_puts(b, ",\"total_entropy\":");
        iof__tb_fixed(b, e * (double)n, 6);
    }
}

/* Custom-flow columns (--features byte_dist, entropy; docs/OUTPUT.md "Feature columns"): exact
 * values of the record's bytes, not Joy's. The two directions' counts and sums are added (both
 * exact integers), then: counts as they are (no shift), mean = s1 / n, the sample standard
 * deviation sqrt((n s2 - s1^2) / (n (n - 1))) with its numerator in 128-bit integers, and the
 * Shannon entropy in bits per byte in double precision from the exact counts. Null when nothing
 * defines them: no byte (mean, std, entropy, total_entropy), one byte (std). */
enum {
    BD_COL_COUNT = 0,          /* wide: ids 0..255, one column per byte value */
    BD_COL_LIST = 256,         /* nested: the 256 counts as one list */
    BD_COL_MEAN, BD_COL_STD, BD_COL_ENTROPY, BD_COL_TOTAL_ENTROPY,
};
#define BD_DECIMALS 6          /* as Joy prints them (%f) */

static int bd_declare(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base)
{
    if (o->dist) {
        if (wide) {
            char name[IOF_MAX_COLNAME];
            for (uint32_t v = 0; v < 256; v++) {
                snprintf(name, sizeof(name), "byte_dist_%03u", v);
                IOF_TRY(iof__schema_add(s, name, IOF_VT_INT64, false, false, field, base + BD_COL_COUNT + v,
                                        "payload bytes of this value in the record (both directions of a "
                                        "bidirectional record)"));
            }
        } else
            IOF_TRY(iof__schema_add(s, "byte_dist", IOF_VT_INT64, false, true, field, base + BD_COL_LIST,
                                    "payload bytes of each value 0..255 in the record: 256 counts"));
    }
    static const struct { uint32_t id; bool on_dist; const char *name, *doc; } f[] = {
        { BD_COL_MEAN, true, "byte_dist_mean", "mean payload byte value (null: no payload byte)" },
        { BD_COL_STD, true, "byte_dist_std",
          "sample standard deviation (n - 1) of the payload byte values (null: fewer than 2 bytes)" },
        { BD_COL_ENTROPY, false, "entropy", "Shannon entropy of the payload bytes, bits per byte (null: no byte)" },
        { BD_COL_TOTAL_ENTROPY, false, "total_entropy", "entropy x payload bytes, bits (null: no byte)" },
    };
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        if (f[i].on_dist ? !o->dist : !o->entropy)
            continue;
        iof__column c = { .type = IOF_VT_FLOAT64, .nullable = true, .field = field, .index = base + f[i].id,
                          .doc = f[i].doc, .decimals = BD_DECIMALS };
        snprintf(c.name, sizeof(c.name), "%s", f[i].name);
        IOF_TRY(iof__schema_add_column(s, &c));
    }
    return IOF_OK;
}

/* The record's combined state: out plus in (in NULL: a one-way record). */
static void bd_sum(const bd_state *a, const bd_state *t, uint64_t *n, uint64_t *s1, uint64_t *s2)
{
    *n = a->n + (t ? t->n : 0);
    *s1 = a->s1 + (t ? t->s1 : 0);
    *s2 = a->s2 + (t ? t->s2 : 0);
}

static void set_f(iof__value *v, double x)
{
    v->null = false;
    v->f = x;
}

static double bd_exact_entropy(const bd_state *a, const bd_state *t, uint64_t n)
{
    double h = 0.0;
    for (int i = 0; i < 256; i++) {
        uint64_t c = (uint64_t)a->count[i] + (t ? t->count[i] : 0u);
        if (c) {
            double p = (double)c / (double)n;
            h -= p * log2(p);
        }
    }
    return h;
}

/* The record's count of byte value b: both directions' */
static int64_t bd_total(const bd_state *a, const bd_state *t, uint32_t b)
{
    return (int64_t)a->count[b] + (t ? (int64_t)t->count[b] : 0);
}

static void bd_get(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v)
{
    const bd_state *a = out, *t = in;
    uint64_t n, s1, s2;
    v->null = true;
    if (id < BD_COL_LIST || id == BD_COL_LIST) {
        uint32_t b = id == BD_COL_LIST ? k : id;
        v->null = false;
        v->i = bd_total(a, t, b);
        return;
    }
    bd_sum(a, t, &n, &s1, &s2);
    switch (id) {
    case BD_COL_MEAN:
        if (n)
            set_f(v, (double)s1 / (double)n);
        break;
    case BD_COL_STD:
        if (n >= 2) {
            unsigned __int128 d = (unsigned __int128)n * s2 - (unsigned __int128)s1 * s1; /* >= 0 */
            set_f(v, sqrt((double)d / ((double)n * (double)(n - 1))));
        }
        break;
    case BD_COL_ENTROPY:
        if (n)
            set_f(v, bd_exact_entropy(a, t, n));
        break;
    case BD_COL_TOTAL_ENTROPY:
        if (n)
            set_f(v, bd_exact_entropy(a, t, n) * (double)n);
        break;
    default: break;
    }
}

static uint32_t bd_count(const void *out, const void *in, uint32_t id)
{
    (void)out;
    (void)in;
    return id == BD_COL_LIST ? 256 : 0;
}

/* The wide layout's counts byte_dist_<id> ... in one call (bd_get's, without a call a cell) */
static uint32_t bd_span(const void *out, const void *in, uint32_t id, uint32_t n, int64_t *v, uint8_t *has)
{
    const bd_state *a = out, *t = in;
    if (id >= BD_COL_LIST)
        return 0;
    uint32_t m = n < BD_COL_LIST - id ? n : BD_COL_LIST - id;
    for (uint32_t k = 0; k < m; k++) {
        v[k] = bd_total(a, t, id + k);
        has[k] = 1;
    }
    return m;
}

static const iof__feat_cols bd_cols = {
    .declare = bd_declare,
    .get = bd_get,
    .count = bd_count,
    .span = bd_span,
};

const iof__feature iof__feat_byte_dist = {
    .name = "byte_dist",
    .joy_slot = IOF_FEAT_JOY_AFTER_PACKETS,
    .enabled = bd_enabled,
    .state_bytes = sizeof(bd_state),
    .update = bd_update,
    .joy_json = bd_json,
    .cols = &bd_cols,
};
