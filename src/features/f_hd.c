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
 * "hd":{"n":seen,"cm":hex,"cv":hex,"sm":hex,"i":hex}, N bytes each. */
#include <string.h>

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

const iof__feature iof__feat_hd = {
    .name = "hd",
    .joy_slot = IOF_FEAT_JOY_HD,
    .enabled = hd_enabled,
    .state_bytes = sizeof(hd_state),
    .update = hd_update,
    .joy_json = hd_json,
};
