/* byte_dist and entropy (Joy's dist=1 and entropy=1; docs/JOY.md "byte_dist, entropy"): one
 * state for both, since both are made of the counts of each byte value in the data bytes.
 *
 * Per direction: count[256] (32-bit, as Joy's), the number of bytes n (64-bit), and their running mean and sum of squared
 * deviations (Welford's update, in double, byte by byte, as Joy does). For a flow Joy:
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
 *   entropy. */
#include <float.h>
#include <math.h>

#include "features/feature.h"

typedef struct bd_state {
    uint32_t count[256];      /* Joy's unsigned int: 1 KiB per direction, and Joy's wrap */
    uint64_t n;
    double mean;
    double m2;        /* sum of squared deviations from the running mean */
} bd_state;

static bool bd_enabled(const iof__feat_opts *o) { return o->dist || o->entropy; }

static void bd_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    (void)o;
    bd_state *s = st;
    for (uint32_t i = 0; i < fp->len; i++) {
        uint8_t x = fp->data[i];
        s->count[x]++;
        /* Welford, in Joy's order of operations (bit-equal means and deviations) */
        s->n++;
        double delta = (double)x - s->mean;
        s->mean += delta / (double)s->n;
        s->m2 += delta * ((double)x - s->mean);
    }
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
        mean = a->mean;
        sd = n == 1 ? 0.0 : sqrt(a->m2 / (double)(n - 1));
    } else if (n) {
        double wa = (double)a->n / (double)n, wt = (double)t->n / (double)n;
        mean = wa * a->mean + wt * t->mean;
        sd = n == 1 ? 0.0 : sqrt((wa * a->m2 + wt * t->m2) / (double)(n - 1));
    }
    if (o->dist) {
        unsigned shift = bd_shift(count, 256);
        iof__tb_puts(b, ",\"byte_dist\":[");
        for (int i = 0; i < 256; i++) {
            count[i] >>= shift;   /* the entropy below reads these, as Joy's does */
            if (i)
                iof__tb_putc(b, ',');
            iof__tb_int(b, (int64_t)count[i]);
        }
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

const iof__feature iof__feat_byte_dist = {
    .name = "byte_dist",
    .joy_slot = IOF_FEAT_JOY_AFTER_PACKETS,
    .enabled = bd_enabled,
    .state_bytes = sizeof(bd_state),
    .update = bd_update,
    .joy_json = bd_json,
};
