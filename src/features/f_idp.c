/* idp (Joy's idp=N; docs/JOY.md "idp"): the initial data packet of each direction.
 *
 * Per direction, at the end of its first packet with data (Joy: once its packets[] count is
 * non-zero and nothing is kept yet), the first min(IP length, N) bytes of that IP packet,
 * IP header included, are kept (N = 1..1500, Joy's MAX_IDP). A flow writes "idp_out" (hex)
 * and "idp_len_out" (the bytes kept) for the out side, then "idp_in"/"idp_len_in". The state
 * is N bytes per record, fixed for the run. Joy can copy past the captured IP bytes when the
 * IP length reaches into what the link header took; we keep the captured bytes only. */
#include <string.h>

#include "features/feature.h"

typedef struct idp_state {
    uint32_t len;        /* 0: not taken yet */
    uint8_t data[];      /* N bytes */
} idp_state;

static bool idp_enabled(const iof__feat_opts *o) { return o->idp != 0; }

static size_t idp_size(const iof__feat_opts *o) { return sizeof(idp_state) + o->idp; }

static void idp_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    idp_state *s = st;
    if (s->len || !fp->data_pkts || !fp->ip_len)
        return;
    s->len = fp->ip_len < o->idp ? fp->ip_len : o->idp;
    memcpy(s->data, fp->ip, s->len);
}

static void idp_side(iof__tbuf *b, const idp_state *s, const char *hex_key, const char *len_key)
{
    if (!s || !s->len)
        return;
    iof__feat_put_hex(b, hex_key, s->data, s->len);
    iof__tb_puts(b, len_key);
    iof__tb_int(b, s->len);
}

static void idp_json(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o)
{
    (void)o;
    idp_side(b, out, "idp_out", ",\"idp_len_out\":");
    idp_side(b, in, "idp_in", ",\"idp_len_in\":");
}

const iof__feature iof__feat_idp = {
    .name = "idp",
    .joy_slot = IOF_FEAT_JOY_IDP,
    .enabled = idp_enabled,
    .state_size = idp_size,
    .update = idp_update,
    .joy_json = idp_json,
};
