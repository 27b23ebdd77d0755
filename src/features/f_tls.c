/* tls (Joy's tls=1; docs/JOY.md "tls"): the TLS handshake summary and record lengths/times of a
 * flow, as Joy 3.0.3 (tls.c tls_update, tls_handshake_buffer_parse, tls_print_json) prints them.
 *
 * Joy's tls_filter: the record's application was identified as TLS (app 443: its ClientHello /
 * ServerHello keyword) or its key has port 443 on either side, any protocol.
 *
 * Per record (one direction), fed each packet's data (Joy's size_payload from the IP length):
 * - until the handshake is "done", every packet whose first byte is not a ChangeCipherSpec,
 *   Alert or ApplicationData content type is appended whole to a handshake buffer (Joy's
 *   MAX_HANDSHAKE_LENGTH: a packet that does not fit is refused and the packet is not looked at
 *   further, as Joy returns there);
 * - the packet's records are walked from its start (or past the rest of a record split over
 *   segments: Joy's seg_offset), each one an srlt entry (content type, length, time);
 * - at the first CCS / Alert / ApplicationData record with something in the buffer, the buffer
 *   is parsed (hellos, ClientKeyExchange; the handshake types and lengths of each buffered
 *   record go to the srlt entry of the same index) and the handshake is done; without a version
 *   from a hello, the record header's version is taken (an unknown one ends the packet).
 *
 * The buffer is kept (never written after the handshake is done): the parse keeps offsets into
 * it (session id, suites, extension blocks, server name, ClientKeyExchange), read again through
 * proto/tls.h when the flow is written. Every read of the buffer and of the packet goes
 * through rd.h; bytes Joy would read past the data (a record header cut by the packet's end)
 * read as 0 here (docs/JOY.md "Differences from Joy"). Certificates are not parsed (s_cert /
 * c_cert are not written: docs/JOY.md). */
#include <string.h>

#include "common/rd.h"
#include "features/feature.h"
#include "proto/tls.h"

#define TLS_PORT 443
#define TLS_HS_BUF 11000      /* Joy's MAX_HANDSHAKE_LENGTH: handshake bytes kept per record */
#define TLS_SRLT 50           /* Joy's NUM_PKT_LEN_TLS: srlt entries printed (Joy stores
                                 MAX_NUM_RCD_LEN 100 and prints the first 50: 50 are kept) */
#define TLS_HS_PER_REC 5      /* Joy's MAX_TLS_HANDSHAKES: handshake types kept per record */
#define TLS_MAX_CS 256        /* Joy's MAX_CS: offered suites kept */
#define TLS_MAX_SRV_EXT_LEN 256  /* Joy stops the ServerHello's extensions at a longer one */
#define TLS_MAX_HEX 1024      /* Joy prints "" for a value longer than this */
#define TLS_MAX_CKE_BITS 8192 /* Joy's MAX_CKE_LEN (1024 bytes) in bits: a longer
                                 ClientKeyExchange is "possibly corrupted", not kept */
#define TLS_RANDOM 32
#define TLS_REC_HDR 5
#define TLS_HS_HDR 4

enum { ROLE_NONE = 0, ROLE_CLIENT, ROLE_SERVER };

typedef struct srlt_ent {
    int64_t us;                   /* the packet's time */
    uint16_t len;                 /* the record's length field */
    uint8_t tp;                   /* its content type */
    uint8_t nhs;                  /* handshake messages noted (<= TLS_HS_PER_REC) */
    uint8_t hs_t[TLS_HS_PER_REC];
    uint16_t hs_l[TLS_HS_PER_REC];   /* Joy's uint16_t: a body length modulo 2^16 */
} srlt_ent;

typedef struct span16 {
    uint16_t off, len;            /* into the handshake buffer */
} span16;

typedef struct tls_state {
    bool seen;                    /* a packet passed the filter (Joy: record->tls allocated) */
    bool done;                    /* Joy's done_handshake */
    uint8_t role;                 /* ROLE_* of the last hello parsed */
    uint8_t version;              /* Joy's internal version: 2 SSLv3 .. 6 TLS 1.3, 0 none */
    uint8_t sid_len;
    bool has_sni;
    uint8_t hs_refused;           /* packets the full buffer refused (saturating; Joy's too) */
    uint16_t op;                  /* records seen: Joy's uint16_t op (wraps as Joy's) */
    uint16_t hs_len;              /* buffer bytes (Joy's handshake_length) */
    uint16_t seg_offset;          /* bytes of a split record still to skip */
    uint16_t ncs;                 /* suites kept (a ServerHello's selected one: 1) */
    uint16_t next_c, next_s;      /* ClientHello / ServerHello extensions kept */
    uint16_t cke_bits;            /* ClientKeyExchange length in bits (0: none) */
    uint16_t sid_off, cs_off;
    span16 ext_c, ext_s, sni, cke;
    uint8_t random[TLS_RANDOM];
    srlt_ent srlt[TLS_SRLT];
    uint8_t hs[TLS_HS_BUF];
} tls_state;

static bool tls_enabled(const iof__feat_opts *o) { return o->tls; }

static bool end_of_handshake(uint8_t type)
{
    return type == IOF_TLS_CCS || type == IOF_TLS_ALERT || type == IOF_TLS_APPDATA;
}

/* Joy's tls_version_to_internal: 3.0 .. 3.4 -> 2 .. 6, the TLS 1.3 draft 0x7f12 -> 6, else 0. */
static uint8_t joy_version(uint8_t major, uint8_t minor)
{
    if (major == 3 && minor <= 4)
        return (uint8_t)(2 + minor);
    return major == 0x7f && minor == 0x12 ? 6 : 0;
}

/* Joy's check of a handshake type: 0..4, 11..16 and 20..23 are known; another ends the parse. */
static bool hs_type_known(uint8_t t)
{
    return !((t > 4 && t < 11) || (t > 16 && t < 20) || t > 23);
}

static uint16_t buf_off(const tls_state *s, const uint8_t *p) { return (uint16_t)(p - s->hs); }

/* An extension block's count, Joy's way: every extension (ClientHello), or those before the
 * first longer than TLS_MAX_SRV_EXT_LEN (ServerHello). *len becomes the bytes they take. */
static uint16_t count_ext(iof__span blk, bool server, uint16_t *len)
{
    iof__rd r = rd_init(blk.p, blk.len);
    uint16_t type, n = 0;
    iof__span val;
    *len = 0;
    while (n < IOF_TLS_MAX_EXTENSIONS && iof__tls_next_ext(&r, &type, &val) == IOF_TLS_EXT_ONE) {
        if (server && val.len > TLS_MAX_SRV_EXT_LEN)
            break;
        n++;
        *len = (uint16_t)rd_pos(&r, blk.p);
    }
    return n;
}

/* A hello whose handshake header is at off - 4, its body at off (avail buffer bytes from off).
 * Joy keeps the first random / session id / suites of either hello (while none are kept), the
 * first non-empty extension list of each kind and the server name of the ClientHello whose
 * extensions it keeps. */
static void take_hello(tls_state *s, uint32_t off, uint32_t body, uint32_t avail)
{
    iof__tls_hello h;
    uint32_t n = body < avail ? body : avail;
    (void)iof__tls_hello_parse(s->hs + off - TLS_HS_HDR, TLS_HS_HDR + n, &h);
    bool server = h.type == IOF_TLS_SERVER_HELLO;
    s->role = server ? ROLE_SERVER : ROLE_CLIENT;
    if (!s->ncs) {
        if (h.random.p)
            memcpy(s->random, h.random.p, TLS_RANDOM);
        if (h.sid.p && h.sid.len) {   /* Joy keeps an earlier one over an empty one */
            s->sid_len = (uint8_t)h.sid.len;
            s->sid_off = buf_off(s, h.sid.p);
        }
        if (server && h.sid.p && (size_t)(h.sid.p + h.sid.len + 2 - (s->hs + off)) <= n) {
            s->cs_off = (uint16_t)(buf_off(s, h.sid.p) + h.sid.len);
            s->ncs = 1;
        } else if (!server && h.suites.p) {
            size_t k = h.suites.len / 2;
            s->cs_off = buf_off(s, h.suites.p);
            s->ncs = (uint16_t)(k > TLS_MAX_CS ? TLS_MAX_CS : k);
        }
    }
    uint16_t *next = server ? &s->next_s : &s->next_c;
    if (*next || !h.extensions.p)
        return;
    span16 *e = server ? &s->ext_s : &s->ext_c;
    *next = count_ext(h.extensions, server, &e->len);
    e->off = buf_off(s, h.extensions.p);
    if (!server && *next && h.sni.p) {
        s->has_sni = true;
        s->sni = (span16){ buf_off(s, h.sni.p), (uint16_t)h.sni.len };
    }
}

/* One handshake message of the buffer; false ends the parse (Joy returns). */
static bool take_message(tls_state *s, uint8_t type, uint32_t off, uint32_t body, uint32_t avail)
{
    if (type == IOF_TLS_CLIENT_HELLO || type == IOF_TLS_SERVER_HELLO) {
        if (!s->version) {
            iof__rd r = rd_init(s->hs + off, avail);
            uint8_t major = rd_u8(&r), minor = rd_u8(&r);
            uint8_t v = r.err ? 0 : joy_version(major, minor);
            if (!v)
                return false;
            s->version = v;
        }
        take_hello(s, off, body, avail);
    } else if (type == 16 && !s->cke_bits) {   /* ClientKeyExchange: its whole body, once */
        if (body * 8u <= TLS_MAX_CKE_BITS && body) {
            s->cke_bits = (uint16_t)(body * 8u);
            s->cke = (span16){ (uint16_t)off, (uint16_t)body };
        }
    }
    return true;
}

/* Joy's tls_handshake_buffer_parse, on the bytes kept (pos + left == hs_len throughout). */
static void hs_parse(tls_state *s)
{
    int32_t left = s->hs_len;
    uint32_t pos = 0, msg = 0;
    while (left > 0) {
        iof__rd r = rd_init(s->hs + pos, (size_t)left);
        uint8_t ctype = rd_u8(&r);
        rd_skip(&r, 2);
        int32_t rlen = rd_be16(&r);
        if (r.err || rlen > left)
            return;   /* Joy: no room for a header / "corrupt buffer data" */
        if (end_of_handshake(ctype)) {
            pos += (uint32_t)rlen + TLS_REC_HDR;
            left -= rlen + TLS_REC_HDR;
            msg++;
            continue;
        }
        pos += TLS_REC_HDR;
        left -= TLS_REC_HDR;
        if (left <= 0)
            return;
        for (int32_t rem = rlen; rem > 0;) {
            iof__rd m = rd_init(s->hs + pos, left > 0 ? (size_t)left : 0);
            uint8_t type = rd_u8(&m);
            uint32_t hi = rd_u8(&m);
            uint32_t body = hi << 16 | rd_be16(&m);
            if (m.err || !hs_type_known(type) || body > (uint32_t)rem)
                return;
            pos += TLS_HS_HDR;
            left -= TLS_HS_HDR;
            if (left <= 0 || !take_message(s, type, pos, body, (uint32_t)left))
                return;
            if (msg < TLS_SRLT && s->srlt[msg].nhs < TLS_HS_PER_REC) {
                srlt_ent *e = &s->srlt[msg];
                e->hs_t[e->nhs] = type;
                e->hs_l[e->nhs] = (uint16_t)body;
                e->nhs++;
            }
            pos += body;
            left -= (int32_t)body;
            rem -= (int32_t)body + TLS_HS_HDR;
        }
        msg++;
    }
}

/* The data byte at i (0 past the captured data: Joy reads whatever follows). */
static uint8_t byte_at(const iof__feat_pkt *fp, uint32_t i)
{
    iof__rd r = rd_init(fp->data, fp->data ? fp->len : 0);
    rd_skip(&r, i);
    uint8_t v = rd_u8(&r);
    return r.err ? 0 : v;
}

static void tls_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    (void)o;
    tls_state *s = st;
    if (!(fp->app_tls || fp->key_sp == TLS_PORT || fp->key_dp == TLS_PORT))
        return;
    s->seen = true;
    uint32_t len = fp->wire_len;
    if (len == 0)
        return;
    if (!s->done && !end_of_handshake(byte_at(fp, 0))) {
        if (len >= (uint32_t)TLS_HS_BUF - s->hs_len) {
            if (s->hs_refused < UINT8_MAX)
                s->hs_refused++;
            return;   /* Joy: "not enough space for handshake data" ends the packet */
        }
        /* the captured bytes; the rest of the buffer is still zero */
        uint32_t have = fp->data ? fp->len : 0;   /* fp->len <= len */
        iof__rd r = rd_init(fp->data, have);
        rd_copy(&r, s->hs + s->hs_len, have);
        s->hs_len = (uint16_t)(s->hs_len + len);
    }
    int64_t rem = len;
    uint32_t pos = 0;
    if (s->seg_offset) {
        if (s->seg_offset > len) {
            s->seg_offset = (uint16_t)(s->seg_offset - len);
            return;
        }
        pos = s->seg_offset;
        rem -= s->seg_offset;
        s->seg_offset = 0;
    }
    while (rem > 0) {
        uint8_t type = byte_at(fp, pos);
        uint32_t mlen = (uint32_t)byte_at(fp, pos + 3) << 8 | byte_at(fp, pos + 4);
        if (mlen > (uint64_t)rem)   /* Joy's test (not mlen + 5): a record split over segments */
            s->seg_offset = (uint16_t)(mlen - ((uint32_t)rem - TLS_REC_HDR));
        if (!s->done && s->hs_len && end_of_handshake(type)) {
            hs_parse(s);
            s->done = true;
            if (!s->version) {
                s->version = joy_version(byte_at(fp, pos + 1), byte_at(fp, pos + 2));
                if (!s->version)
                    return;
            }
        }
        if (s->op < TLS_SRLT) {
            srlt_ent *e = &s->srlt[s->op];
            e->tp = type;
            e->len = (uint16_t)mlen;
            e->us = fp->ts_us;
        }
        s->op = (uint16_t)(s->op + 1);   /* Joy's uint16_t: wraps */
        rem -= (int64_t)mlen + TLS_REC_HDR;
        pos += mlen + TLS_REC_HDR;
    }
}

/* Joy's zprintf_raw_as_hex_tls: "" for more than TLS_MAX_HEX bytes. Bytes past the buffer
 * (a ClientKeyExchange Joy copied from past its buffer) are written as 00. */
static void put_hex(iof__tbuf *b, const char *key, const tls_state *s, span16 sp)
{
    iof__tb_puts(b, ",\"");
    iof__tb_puts(b, key);
    iof__tb_puts(b, "\":\"");
    if (sp.len <= TLS_MAX_HEX) {
        size_t have = sp.off < TLS_HS_BUF ? TLS_HS_BUF - sp.off : 0;
        size_t n = sp.len < have ? sp.len : have;
        iof__tb_hex(b, s->hs + sp.off, n);
        for (size_t i = n; i < sp.len; i++)
            iof__tb_puts(b, "00");
    }
    iof__tb_putc(b, '"');
}

static void put_random(iof__tbuf *b, const char *key, const tls_state *s)
{
    iof__feat_put_hex(b, key, s->random, TLS_RANDOM);
}

static void put_cs(iof__tbuf *b, const tls_state *s, bool list)
{
    iof__rd r = rd_init(s->hs + s->cs_off, (size_t)s->ncs * 2);
    iof__tb_puts(b, list ? ",\"cs\":[" : ",\"scs\":");
    for (uint16_t i = 0; i < s->ncs; i++) {
        static const char hx[] = "0123456789abcdef";
        uint16_t v = rd_be16(&r);
        char t[7] = { '"', hx[v >> 12], hx[v >> 8 & 15], hx[v >> 4 & 15], hx[v & 15], '"', ',' };
        iof__tb_put(b, t, i + 1u < s->ncs ? 7 : 6);
    }
    if (list)
        iof__tb_putc(b, ']');
}

/* Joy's names of extension types 0..25, 35 and 65281 (IANA's, without spaces). */
static const char *ext_name(uint16_t t)
{
    static const char *const low[] = {
        "server_name", "max_fragment_length", "client_certificate_url", "trusted_ca_keys",
        "truncated_hmac", "status_request", "user_mapping", "client_authz", "server_authz",
        "cert_type", "supported_groups", "ec_point_formats", "srp", "signature_algorithms",
        "use_srtp", "heartbeat", "application_layer_protocol_negotiation", "status_request_v2",
        "signed_certificate_timestamp", "client_certificate_type", "server_certificate_type",
        "padding", "encrypt_then_mac", "extended_master_secret", "token_binding", "cached_info",
    };
    if (t < sizeof(low) / sizeof(low[0]))
        return low[t];
    return t == 35 ? "session_ticket" : t == 65281 ? "renegotiation_info" : NULL;
}

static void put_ext(iof__tbuf *b, const tls_state *s, bool server)
{
    span16 e = server ? s->ext_s : s->ext_c;
    uint16_t n = server ? s->next_s : s->next_c;
    iof__rd r = rd_init(s->hs + e.off, e.len);
    iof__tb_puts(b, server ? ",\"s_extensions\":[" : ",\"c_extensions\":[");
    for (uint16_t i = 0; i < n; i++) {
        uint16_t type;
        iof__span val = { NULL, 0 };
        (void)iof__tls_next_ext(&r, &type, &val);
        const char *name = ext_name(type);
        if (i)
            iof__tb_putc(b, ',');
        iof__tb_puts(b, "{\"");
        if (name) {
            iof__tb_puts(b, name);
            iof__tb_puts(b, "\":");
        } else {
            iof__tb_puts(b, "kind\":");
            iof__tb_int(b, type);
            iof__tb_puts(b, ",\"data\":");
        }
        iof__tb_putc(b, '"');
        if (val.len <= TLS_MAX_HEX)
            iof__tb_hex(b, val.p, val.len);
        iof__tb_puts(b, "\"}");
    }
    iof__tb_putc(b, ']');
}

/* Joy prints the name with %s (up to a zero byte, unescaped); here as a JSON string. */
static void put_sni(iof__tbuf *b, const tls_state *s)
{
    const uint8_t *p = s->hs + s->sni.off;
    const uint8_t *z = memchr(p, 0, s->sni.len);
    iof__tb_puts(b, ",\"sni\":[");
    iof__tb_json_str(b, p, z ? (size_t)(z - p) : s->sni.len);
    iof__tb_putc(b, ']');
}

/* key (its opening bracket included), then n values and ']' */
static void put_list(iof__tbuf *b, const char *key, const uint16_t *v, uint8_t n)
{
    iof__tb_puts(b, key);
    for (uint8_t i = 0; i < n; i++) {
        if (i)
            iof__tb_putc(b, ',');
        iof__tb_int(b, v[i]);
    }
    iof__tb_putc(b, ']');
}

static void put_srlt_ent(iof__tbuf *b, const srlt_ent *e, const char *dir, uint32_t ipt)
{
    iof__tb_puts(b, "{\"b\":");
    iof__tb_int(b, e->len);
    iof__tb_puts(b, ",\"dir\":\"");
    iof__tb_puts(b, dir);
    iof__tb_puts(b, "\",\"ipt\":");
    iof__tb_int(b, ipt);
    iof__tb_puts(b, ",\"tp\":");
    iof__tb_int(b, e->tp);
    if (e->nhs) {
        uint16_t types[TLS_HS_PER_REC];
        for (uint8_t i = 0; i < e->nhs; i++)
            types[i] = e->hs_t[i];
        put_list(b, ",\"hs_types\":[", types, e->nhs);
        put_list(b, ",\"hs_lens\":[", e->hs_l, e->nhs);
    }
    iof__tb_putc(b, '}');
}

/* Joy's len_time_print_interleaved_tls. Its markers: the record's (out) entries are ">" in a
 * pair and "<" alone, the twin's "<". A pair starts from the earlier first time, a twin with
 * no record counting as time 0 (Joy's zeroed array: ipt is then the epoch in ms, wrapped). */
static void put_srlt(iof__tbuf *b, const tls_state *so, const tls_state *si)
{
    uint32_t imax = so->op < TLS_SRLT ? so->op : TLS_SRLT;
    uint32_t jmax = si ? (si->op < TLS_SRLT ? si->op : TLS_SRLT) : 0;
    iof__tb_puts(b, ",\"srlt\":[");
    if (!si) {
        for (uint32_t i = 0; i < imax; i++) {
            if (i)
                iof__tb_putc(b, ',');
            put_srlt_ent(b, &so->srlt[i], "<",
                         i ? iof__joy_ms(so->srlt[i].us - so->srlt[i - 1].us) : 0);
        }
        iof__tb_putc(b, ']');
        return;
    }
    int64_t t2 = si->op ? si->srlt[0].us : 0;   /* Joy's times2[0] (zero when never set) */
    int64_t last = so->srlt[0].us < t2 ? so->srlt[0].us : t2;
    uint32_t i = 0, j = 0;
    while (i < imax || j < jmax) {
        bool mine = j >= jmax || (i < imax && so->srlt[i].us < si->srlt[j].us);
        const srlt_ent *e = mine ? &so->srlt[i++] : &si->srlt[j++];
        put_srlt_ent(b, e, mine ? ">" : "<", iof__joy_ms(e->us - last));
        last = e->us;
        if (i < imax || j < jmax)
            iof__tb_putc(b, ',');
    }
    iof__tb_putc(b, ']');
}

static void put_version(iof__tbuf *b, const char *key, uint8_t v)
{
    iof__tb_puts(b, key);
    iof__tb_int(b, v);
}

/* The two sides tls_print_json(out, twin) looks at (*si NULL: a one-way flow, or a twin that never
 * passed the filter, for which Joy passes NULL), and whether it writes a tls object at all. */
static bool tls_sides(const void *out, const void *in, const tls_state **so, const tls_state **si)
{
    *so = out;
    *si = in && ((const tls_state *)in)->seen ? in : NULL;
    return (*so)->seen && (*so)->version && (!*si || (*si)->version);
}

/* Joy's tls_print_json(out, twin). */
static void tls_json(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o)
{
    (void)o;
    const tls_state *so, *si;
    if (!tls_sides(out, in, &so, &si))
        return;
    iof__tb_puts(b, ",\"tls\":{");
    if (so->role == ROLE_NONE) {
        iof__tb_puts(b, "\"error\":\"no role\"}");
        return;
    }
    bool client = so->role == ROLE_CLIENT;
    /* both versions are the out side's: Joy prints data->version for its twin too */
    put_version(b, client ? "\"c_version\":" : "\"s_version\":", so->version);
    if (si) {
        if (si->role == so->role) {
            iof__tb_puts(b, client ? ",\"error\":\"twin clients\"}" : ",\"error\":\"twin servers\"}");
            return;
        }
        put_version(b, client ? ",\"s_version\":" : ",\"c_version\":", so->version);
    }
    const tls_state *k = so->cke_bits ? so : si && si->cke_bits ? si : NULL;
    if (k) {
        iof__tb_puts(b, ",\"c_key_length\":");
        iof__tb_int(b, k->cke_bits);
        put_hex(b, "c_key_exchange", k, k->cke);
    }
    put_random(b, client ? "c_random" : "s_random", so);
    if (si)
        put_random(b, client ? "s_random" : "c_random", si);
    if (so->sid_len) {
        put_hex(b, client ? "c_sid" : "s_sid", so, (span16){ so->sid_off, so->sid_len });
        if (si && si->sid_len)
            put_hex(b, client ? "s_sid" : "c_sid", si, (span16){ si->sid_off, si->sid_len });
    }
    if (so->has_sni)
        put_sni(b, so);
    else if (si && si->has_sni)
        put_sni(b, si);
    const tls_state *srv = client ? si : so, *cli = client ? so : si;
    if (srv && srv->ncs == 1)
        put_cs(b, srv, false);
    if (cli && cli->ncs)
        put_cs(b, cli, true);
    if (so->next_c && client)
        put_ext(b, so, false);
    else if (si && si->next_c && si->role == ROLE_CLIENT)
        put_ext(b, si, false);
    if (so->next_s && !client)
        put_ext(b, so, true);
    else if (si && si->next_s && si->role == ROLE_SERVER)
        put_ext(b, si, true);
    if (so->op)
        put_srlt(b, so, si);
    iof__tb_putc(b, '}');
}

/* a flow whose tls object is written (tls_json's test) lacks a handshake packet the full buffer
 * refused (Joy refuses it too, silently); a flow without the object (QUIC on UDP 443: no
 * version ever) is not counted */
static bool tls_cut(const void *out, const void *in)
{
    const tls_state *so, *si;
    return tls_sides(out, in, &so, &si) && (so->hs_refused || (si && si->hs_refused));
}

const iof__feature iof__feat_tls = {
    .name = "tls",
    .joy_slot = IOF_FEAT_JOY_MODULES,
    .enabled = tls_enabled,
    .state_bytes = sizeof(tls_state),
    .update = tls_update,
    .joy_json = tls_json,
    .cut = tls_cut,
};
