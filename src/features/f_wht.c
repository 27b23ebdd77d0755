/* wht (Joy's wht=1; docs/JOY.md "wht"): a 4-point Walsh-Hadamard transform of the data bytes.
 *
 * Per direction the data bytes are cut into blocks of 4 (a packet's last partial block padded
 * with zeros; blocks never span packets), each block (d0, d1, d2, d3) adds
 *     d0+d1+d2+d3,  d0-d1+d2-d3,  d0+d1-d2-d3,  d0-d1-d2+d3
 * to four sums, and the data bytes are counted. A flow writes the two directions' sums divided
 * by their byte count, each as Joy does: a float quotient printed "%.5g". Nothing when there
 * were no data bytes. Joy's sums are 32-bit (they wrap after ~8 MB of 0xff bytes): ours are
 * exact 64-bit sums, whose low 32 bits are Joy's (the wrap done on unsigned integers, where
 * Joy's signed overflow is undefined); its byte count the same.
 *
 * Custom-flow columns (--features wht): wht_0..wht_3, the record's exact sums (both directions
 * of a bidirectional record) divided by its data bytes, in double; null without data. */
#include <stdio.h>

#include "common/err.h"
#include "features/feature.h"

typedef struct wht_state {
    int64_t sum[4];    /* exact; Joy's int32_t spectrum[4] is the low 32 bits */
    uint64_t n;        /* data bytes (Joy's uint32_t: the low 32 bits) */
} wht_state;

static bool wht_enabled(const iof__feat_opts *o) { return o->wht; }

/* Bytes per pass of the lane sums: 32-bit sums of bytes (255 each) cannot wrap. */
#define WHT_CHUNK (1u << 24)

/* The four sums are linear in the blocks: each is a signed combination of the sums of the
 * bytes at each position of a block (the packet's bytes 0, 4, 8, ...; 1, 5, 9, ...; and so
 * on, a last partial block's missing bytes being zeros). Those four lane sums are what the
 * loop adds (vectorised by the compiler), the same integers as block by block. */
static void wht_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    (void)o;
    wht_state *s = st;
    const uint8_t *d = fp->data;
    uint32_t len = fp->len;
    if (!len) /* nothing to add: the state is not read (feature.h) */
        return;
    s->n += len;
    for (uint32_t at = 0; at < len; at += WHT_CHUNK) {
        uint32_t end = len - at < WHT_CHUNK ? len : at + WHT_CHUNK, l[4] = { 0, 0, 0, 0 }, i = at;
        /* 16 lanes, a block of 16 bytes at a time (lane j: positions j mod 4 of the block):
         * a loop the compiler vectorises, where four lanes of stride 4 stayed scalar (wht_update
         * 1.2 % of `-f joy`'s CPU on dense) */
        uint32_t acc[16] = { 0 };
        const uint8_t *q = d + i; /* a pointer: a 32-bit index could wrap, which stops it */
        for (const uint8_t *e = q + (end - i) / 16 * 16; q < e; q += 16)
            for (int j = 0; j < 16; j++)
                acc[j] += q[j];
        i = (uint32_t)(q - d);
        for (int j = 0; j < 16; j++)
            l[j & 3] += acc[j];
        for (; end - i >= 4; i += 4) {
            l[0] += d[i];
            l[1] += d[i + 1];
            l[2] += d[i + 2];
            l[3] += d[i + 3];
        }
        for (uint32_t k = 0; i < end; i++, k++)
            l[k] += d[i];
        int64_t a = (int64_t)l[0] + l[2], c = (int64_t)l[1] + l[3], e = (int64_t)l[0] - l[2],
                g = (int64_t)l[1] - l[3];
        s->sum[0] += a + c;
        s->sum[1] += a - c;
        s->sum[2] += e + g;
        s->sum[3] += e - g;
    }
}

static void wht_json(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o)
{
    (void)o;
    const wht_state *a = out, *t = in;
    /* Joy: one way, int32 / uint32 in float; a pair, the int64 sum / uint64 count in float */
    uint64_t n = (uint64_t)(uint32_t)a->n + (t ? (uint32_t)t->n : 0u);
    if (n == 0)
        return;
    iof__tb_puts(b, ",\"wht\":[");
    for (int k = 0; k < 4; k++) {
        int64_t v = (int32_t)(uint32_t)a->sum[k] + (t ? (int64_t)(int32_t)(uint32_t)t->sum[k] : 0);
        float q = (float)v / (float)n;
        if (k)
            iof__tb_putc(b, ',');
        iof__tb_g(b, (double)q, 5); /* Joy's "%.5g" */
    }
    iof__tb_putc(b, ']');
}

enum { WHT_COLS = 4 };

static int wht_declare(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base)
{
    (void)o;
    (void)wide;   /* four scalars in both layouts */
    static const char *const doc[WHT_COLS] = {
        "Walsh-Hadamard sum d0+d1+d2+d3 of the payload's 4-byte blocks / payload bytes (null: no payload)",
        "Walsh-Hadamard sum d0-d1+d2-d3 / payload bytes (null: no payload)",
        "Walsh-Hadamard sum d0+d1-d2-d3 / payload bytes (null: no payload)",
        "Walsh-Hadamard sum d0-d1-d2+d3 / payload bytes (null: no payload)",
    };
    for (uint32_t k = 0; k < WHT_COLS; k++) {
        iof__column c = { .type = IOF_VT_FLOAT64, .nullable = true, .field = field, .index = base + k,
                          .doc = doc[k], .decimals = 6 };
        snprintf(c.name, sizeof(c.name), "wht_%u", k);
        IOF_TRY(iof__schema_add_column(s, &c));
    }
    return IOF_OK;
}

static void wht_get(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v)
{
    (void)k;
    const wht_state *a = out, *t = in;
    uint64_t n = a->n + (t ? t->n : 0);
    v->null = n == 0 || id >= WHT_COLS;
    if (!v->null)
        v->f = (double)(a->sum[id] + (t ? t->sum[id] : 0)) / (double)n;
}

static const iof__feat_cols wht_cols = {
    .declare = wht_declare,
    .get = wht_get,
    .count = iof__feat_no_lists,
};

const iof__feature iof__feat_wht = {
    .name = "wht",
    .joy_slot = IOF_FEAT_JOY_MODULES,
    .enabled = wht_enabled,
    .state_bytes = sizeof(wht_state),
    .update = wht_update,
    .joy_json = wht_json,
    .cols = &wht_cols,
};
