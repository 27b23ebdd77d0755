/* payload (Joy's payload=N; docs/JOY.md "payload"): the first data bytes of each direction.
 *
 * Per direction, the first packet with data keeps its first 32 data bytes (Joy's
 * JOY_PAYLOAD_LEN, whatever N is); later packets change nothing. A flow writes
 * "payload":{"out":hex,"in":hex} with the sides that have one, nothing when neither has.
 *
 * Custom-flow columns (--features payload): payload_out and payload_in, the same bytes of each
 * direction as binary cells (null: the direction had no packet with captured data; payload_in
 * null in a one-way record). */
#include <string.h>

#include "common/err.h"
#include "features/feature.h"

typedef struct pl_state {
    uint8_t len;                          /* 0: no data packet yet */
    uint8_t data[IOF_FEAT_PAYLOAD_LEN];
} pl_state;

static bool pl_enabled(const iof__feat_opts *o) { return o->payload; }

static void pl_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    (void)o;
    pl_state *s = st;
    if (!fp->len || s->len) /* the packet first: the state is read only if it may change (feature.h) */
        return;
    s->len = (uint8_t)(fp->len < IOF_FEAT_PAYLOAD_LEN ? fp->len : IOF_FEAT_PAYLOAD_LEN);
    memcpy(s->data, fp->data, s->len);
}

static void pl_json(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o)
{
    (void)o;
    const pl_state *a = out, *t = in;
    bool ti = t && t->len;
    if (!a->len && !ti)
        return;
    iof__tb_puts(b, ",\"payload\":{");
    if (a->len) {
        iof__tb_puts(b, "\"out\":");
        iof__feat_put_hex(b, NULL, a->data, a->len);
    }
    if (ti) {
        iof__tb_puts(b, a->len ? ",\"in\":" : "\"in\":");
        iof__feat_put_hex(b, NULL, t->data, t->len);
    }
    iof__tb_putc(b, '}');
}

enum { PL_COL_OUT = 0, PL_COL_IN };

static int pl_declare(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base)
{
    (void)o;
    (void)wide;   /* two cells in both layouts */
    IOF_TRY(iof__schema_add(s, "payload_out", IOF_VT_BINARY, true, false, field, base + PL_COL_OUT,
                            "the first 32 payload bytes of the first device-to-remote packet with payload "
                            "(null: none)"));
    return iof__schema_add(s, "payload_in", IOF_VT_BINARY, true, false, field, base + PL_COL_IN,
                           "the first 32 payload bytes of the first remote-to-device packet with payload "
                           "(null: none)");
}

static void pl_get(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v)
{
    (void)k;
    const pl_state *s = id == PL_COL_OUT ? out : in;
    v->null = !s || !s->len;
    if (!v->null) {
        v->p = s->data;
        v->len = s->len;
    }
}

static const iof__feat_cols pl_cols = { .declare = pl_declare, .get = pl_get, .count = iof__feat_no_lists };

const iof__feature iof__feat_payload = {
    .name = "payload",
    .joy_slot = IOF_FEAT_JOY_MODULES,
    .enabled = pl_enabled,
    .state_bytes = sizeof(pl_state),
    .update = pl_update,
    .joy_json = pl_json,
    .cols = &pl_cols,
};
