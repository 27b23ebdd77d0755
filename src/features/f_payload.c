/* payload (Joy's payload=N; docs/JOY.md "payload"): the first data bytes of each direction.
 *
 * Per direction, the first packet with data keeps its first 32 data bytes (Joy's
 * JOY_PAYLOAD_LEN, whatever N is); later packets change nothing. A flow writes
 * "payload":{"out":hex,"in":hex} with the sides that have one, nothing when neither has. */
#include <string.h>

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
    if (s->len || !fp->len)
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

const iof__feature iof__feat_payload = {
    .name = "payload",
    .joy_slot = IOF_FEAT_JOY_MODULES,
    .enabled = pl_enabled,
    .state_bytes = sizeof(pl_state),
    .update = pl_update,
    .joy_json = pl_json,
};
