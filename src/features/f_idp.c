/* idp (Joy's idp=N; docs/JOY.md "idp"): the initial data packet of each direction.
 *
 * Per direction, at the end of its first packet with data (Joy: once its packets[] count is
 * non-zero and nothing is kept yet), the first min(IP length, N) bytes of that IP packet,
 * IP header included, are kept (N = 1..1500, Joy's MAX_IDP). A flow writes "idp_out" (hex)
 * and "idp_len_out" (the bytes kept) for the out side, then "idp_in"/"idp_len_in". The state
 * is N bytes per record, fixed for the run. Joy can copy past the captured IP bytes when the
 * IP length reaches into what the link header took; we keep the captured bytes only.
 *
 * Custom-flow columns (--features idp; docs/OUTPUT.md "Feature columns"): N is fixed
 * (IOF_CF_IDP_BYTES); idp_out / idp_in the kept bytes as binary cells and idp_len_out /
 * idp_len_in their number (Joy's idp_len), null for a direction without a data packet. Kept on
 * custom flows (cols_only), the IP source and destination addresses are zeroed, with the IP
 * options / IPv6 extension headers and the checksums computed over the addresses (IPv4 header,
 * TCP / UDP / ICMPv6): a record's addresses are columns of their own, under --anonymise and
 * --device-ip, and must not come back through these bytes. (An ICMP error's quoted header is
 * data, kept as payload_* and the slot payload keep it.) */
#include <string.h>

#include "common/err.h"
#include "features/feature.h"

#define IDP_V4_ADDRS 12     /* IPv4: source and destination at 12..19 */
#define IDP_V4_ADDR_LEN 8
#define IDP_V6_ADDRS 8      /* IPv6: source and destination at 8..39 */
#define IDP_V6_ADDR_LEN 32
#define IDP_V4_CSUM 10      /* IPv4 header checksum */
#define IDP_TCP_CSUM 16     /* checksum's place in a TCP / UDP header */
#define IDP_UDP_CSUM 6
#define IDP_ICMP6_CSUM 2    /* ICMPv6's (over a pseudo-header as TCP's) */
#define IDP_V4_HDR 20       /* the fixed headers, before options / extension headers */
#define IDP_V6_HDR 40

typedef struct idp_state {
    uint32_t len;        /* 0: not taken yet */
    uint8_t data[];      /* N bytes */
} idp_state;

static bool idp_enabled(const iof__feat_opts *o) { return o->idp != 0; }

static size_t idp_size(const iof__feat_opts *o) { return sizeof(idp_state) + o->idp; }

/* Zeroes n bytes at `at` of the kept copy, as far as it holds them */
static void zero_kept(idp_state *s, uint32_t at, uint32_t n)
{
    if (s->len > at)
        memset(s->data + at, 0, s->len - at < n ? s->len - at : n);
}

/* Zeroes the kept part of the IP addresses, of the IP options / IPv6 extension headers (record
 * route, source routes, RPL's routing header and the home address option carry addresses too),
 * and of the checksums computed over the addresses (the IPv4 header's; TCP's, UDP's and ICMPv6's
 * over the pseudo-header): the version from the copy's first byte, the transport header's place
 * from the decoded packet (IPv4 without it: the IHL) */
static void hide_addrs(idp_state *s, const iof__feat_pkt *fp)
{
    bool v6 = s->data[0] >> 4 == 6;
    uint32_t fixed = v6 ? IDP_V6_HDR : IDP_V4_HDR;
    zero_kept(s, v6 ? IDP_V6_ADDRS : IDP_V4_ADDRS, v6 ? IDP_V6_ADDR_LEN : IDP_V4_ADDR_LEN);
    if (!v6)
        zero_kept(s, IDP_V4_CSUM, 2);
    const iof__pkt *p = fp->pkt;
    bool l4 = p && p->l4_off >= p->l3_off;
    uint32_t hdr_end = l4 ? p->l4_off - p->l3_off : v6 ? fixed : (uint32_t)(s->data[0] & 0x0f) * 4u;
    if (hdr_end > fixed)
        zero_kept(s, fixed, hdr_end - fixed);
    if (!l4 || (p->proto != 6 && p->proto != 17 && p->proto != 58) || p->l4_hlen == 0)
        return;   /* a later fragment has no transport header */
    zero_kept(s, hdr_end + (p->proto == 6 ? IDP_TCP_CSUM : p->proto == 17 ? IDP_UDP_CSUM : IDP_ICMP6_CSUM), 2);
}

static void idp_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    idp_state *s = st;
    if (!fp->data_pkts || !fp->ip_len || s->len) /* the packet first (feature.h) */
        return;
    s->len = fp->ip_len < o->idp ? fp->ip_len : o->idp;
    memcpy(s->data, fp->ip, s->len);
    if (o->cols_only)
        hide_addrs(s, fp);
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

_Static_assert(IOF_CF_IDP_BYTES == 256, "the columns' descriptions say 256 bytes");

enum { IDP_COL_OUT = 0, IDP_COL_LEN_OUT, IDP_COL_IN, IDP_COL_LEN_IN };

static int idp_declare(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base)
{
    (void)o;
    (void)wide;   /* four cells in both layouts */
    static const struct { uint32_t id; const char *name; iof__vtype t; const char *doc; } c[] = {
        { IDP_COL_OUT, "idp_out", IOF_VT_BINARY,
          "the first 256 bytes of the first device-to-remote packet with data, from its IP header, addresses "
          "zeroed (null: none)" },
        { IDP_COL_LEN_OUT, "idp_len_out", IOF_VT_INT32, "bytes in idp_out (null: none)" },
        { IDP_COL_IN, "idp_in", IOF_VT_BINARY,
          "the first 256 bytes of the first remote-to-device packet with data, from its IP header, addresses "
          "zeroed (null: none)" },
        { IDP_COL_LEN_IN, "idp_len_in", IOF_VT_INT32, "bytes in idp_in (null: none)" },
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        IOF_TRY(iof__schema_add(s, c[i].name, c[i].t, true, false, field, base + c[i].id, c[i].doc));
    return IOF_OK;
}

static void idp_get(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v)
{
    (void)k;
    const idp_state *s = id == IDP_COL_OUT || id == IDP_COL_LEN_OUT ? out : in;
    v->null = !s || !s->len;
    if (v->null)
        return;
    if (id == IDP_COL_LEN_OUT || id == IDP_COL_LEN_IN) {
        v->i = s->len;
        return;
    }
    v->p = s->data;
    v->len = s->len;
}

static const iof__feat_cols idp_cols = {
    .declare = idp_declare,
    .get = idp_get,
    .count = iof__feat_no_lists,
};

const iof__feature iof__feat_idp = {
    .name = "idp",
    .joy_slot = IOF_FEAT_JOY_IDP,
    .enabled = idp_enabled,
    .state_size = idp_size,
    .update = idp_update,
    .joy_json = idp_json,
    .cols = &idp_cols,
};
