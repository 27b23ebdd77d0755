/* hd (Joy's hd=N; docs/JOY.md "hd"): a description of the first N data bytes of a direction's
 * TCP segments (N = 1..32), "header description".
 *
 * Only TCP segments Joy's TCP parser takes (not its "IP" path) with at least N data bytes
 * count, and only the first 10 of them (Joy's MAX_NUM_HDRS). The first sets the initial bytes
 * `i`, the constant values `cv` (= i) and the constant mask `cm` (all ones); each later one
 * clears in `cm` the bits that differ from `cv` and sets `cv` = cm & bytes. Then, from the last
 * byte towards the first, Joy marks in the sequence mask `sm` a run of bytes whose mask is 0
 * and whose value is cv + 1 (cv being 0 there: the byte is 1), and skips one byte after each
 * run or non-matching byte. We do the same, stopping at the first byte (Joy's loop may read
 * one byte before its arrays there). A flow writes the **out** side's description only (Joy
 * says it should be bidirectional, but is not) and only once it has seen 2 or more:
 * "hd":{"n":seen,"cm":hex,"cv":hex,"sm":hex,"i":hex}, N bytes each.
 *
 * Custom-flow columns (--features hd; docs/OUTPUT.md "Feature columns"): N is fixed
 * (IOF_CF_HD_BYTES) and both directions are described, each with the same five values:
 * hd_n_out (segments described, 0..10), hd_i_out (the first one's N bytes; null without one),
 * hd_cm_out, hd_cv_out, hd_sm_out (null with fewer than 2, where Joy writes nothing), then the
 * same for _in (null in a one-way record). */
#include <string.h>

#include "common/err.h"
#include "features/feature.h"

#define HD_MAX_SEEN 10   /* Joy's MAX_NUM_HDRS: later segments are not looked at */

typedef struct hd_state {
    uint8_t initial[IOF_FEAT_MAX_HD];
    uint8_t cmask[IOF_FEAT_MAX_HD];
    uint8_t cval[IOF_FEAT_MAX_HD];
    uint8_t smask[IOF_FEAT_MAX_HD];
    uint32_t seen;
} hd_state;

static bool hd_enabled(const iof__feat_opts *o) { return o->hd != 0; }

static void hd_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    hd_state *s = st;
    uint32_t n = o->hd;
    if (!fp->tcp || fp->len < n || s->seen >= HD_MAX_SEEN)
        return;
    const uint8_t *p = fp->data;
    if (s->seen++ == 0) {
        memcpy(s->initial, p, n);
        memcpy(s->cval, p, n);
        memset(s->cmask, 0xff, sizeof(s->cmask));
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        s->cmask[i] &= (uint8_t)~(s->cval[i] ^ p[i]);
        s->cval[i] = s->cmask[i] & p[i];
    }
    for (int64_t i = (int64_t)n - 1; i >= 0; i--) {
        while (i >= 0 && s->cmask[i] == 0 && s->cval[i] + 1 == p[i]) {
            s->smask[i] = 0xff;
            i--;
        }
    }
}

static void hd_json(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o)
{
    (void)in;   /* Joy writes the out side's only */
    const hd_state *s = out;
    if (s->seen < 2)
        return;
    iof__tb_puts(b, ",\"hd\":{\"n\":");
    iof__tb_int(b, s->seen);
    iof__tb_puts(b, ",\"cm\":");
    iof__feat_put_hex(b, NULL, s->cmask, o->hd);
    iof__tb_puts(b, ",\"cv\":");
    iof__feat_put_hex(b, NULL, s->cval, o->hd);
    iof__tb_puts(b, ",\"sm\":");
    iof__feat_put_hex(b, NULL, s->smask, o->hd);
    iof__tb_puts(b, ",\"i\":");
    iof__feat_put_hex(b, NULL, s->initial, o->hd);
    iof__tb_putc(b, '}');
}

_Static_assert(IOF_CF_HD_BYTES == 16 && IOF_CF_HD_BYTES <= IOF_FEAT_MAX_HD, "the columns' descriptions say 16 bytes");

/* column ids: a value's id + HD_COL_IN for the in side */
enum { HD_COL_N = 0, HD_COL_I, HD_COL_CM, HD_COL_CV, HD_COL_SM, HD_COL_IN = 8 };

static int hd_declare(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base)
{
    (void)o;
    (void)wide;   /* ten cells in both layouts */
    static const struct { uint32_t id; const char *name; iof__vtype t; const char *doc; } c[] = {
        { HD_COL_N, "hd_n_out", IOF_VT_INT32,
          "device-to-remote TCP segments with 16 or more captured data bytes described, the first 10" },
        { HD_COL_I, "hd_i_out", IOF_VT_BINARY, "the first described segment's first 16 data bytes (null: none)" },
        { HD_COL_CM, "hd_cm_out", IOF_VT_BINARY,
          "per bit of the 16 bytes, 1 where every described segment had the same value (null: fewer than 2)" },
        { HD_COL_CV, "hd_cv_out", IOF_VT_BINARY, "those constant bits' values (null: fewer than 2)" },
        { HD_COL_SM, "hd_sm_out", IOF_VT_BINARY,
          "0xff for bytes Joy's hd sees as a counter (0, then 1), else 0x00 (null: fewer than 2)" },
        { HD_COL_IN + HD_COL_N, "hd_n_in", IOF_VT_INT32,
          "remote-to-device TCP segments with 16 or more captured data bytes described, the first 10 (null: one-way)" },
        { HD_COL_IN + HD_COL_I, "hd_i_in", IOF_VT_BINARY, "as hd_i_out, remote-to-device" },
        { HD_COL_IN + HD_COL_CM, "hd_cm_in", IOF_VT_BINARY, "as hd_cm_out, remote-to-device" },
        { HD_COL_IN + HD_COL_CV, "hd_cv_in", IOF_VT_BINARY, "as hd_cv_out, remote-to-device" },
        { HD_COL_IN + HD_COL_SM, "hd_sm_in", IOF_VT_BINARY, "as hd_sm_out, remote-to-device" },
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        IOF_TRY(iof__schema_add(s, c[i].name, c[i].t, true, false, field, base + c[i].id, c[i].doc));
    return IOF_OK;
}

static void hd_get(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v)
{
    (void)k;
    const hd_state *s = id >= HD_COL_IN ? in : out;
    uint32_t what = id % HD_COL_IN;
    v->null = !s;
    if (v->null)
        return;
    if (what == HD_COL_N) {
        v->i = s->seen;
        return;
    }
    const uint8_t *p = what == HD_COL_I ? s->initial : what == HD_COL_CM ? s->cmask : what == HD_COL_CV ? s->cval
                                                                                                       : s->smask;
    v->null = s->seen < (what == HD_COL_I ? 1u : 2u);
    v->p = p;
    v->len = IOF_CF_HD_BYTES;
}

static const iof__feat_cols hd_cols = { .declare = hd_declare, .get = hd_get, .count = iof__feat_no_lists };

const iof__feature iof__feat_hd = {
    .name = "hd",
    .joy_slot = IOF_FEAT_JOY_HD,
    .enabled = hd_enabled,
    .state_bytes = sizeof(hd_state),
    .update = hd_update,
    .joy_json = hd_json,
    .cols = &hd_cols,
};
