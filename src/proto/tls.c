/* TLS record header and hello parser: see tls.h. Every byte through rd.h. */
#include <string.h>

#include "proto/tls.h"

#define TLS_RANDOM_LEN 32
#define TLS_MAX_SID 32

iof__proto_status iof__tls_record_hdr(const uint8_t *p, size_t n, iof__tls_record *r)
{
    memset(r, 0, sizeof(*r));
    iof__rd rd = rd_init(p, n);
    r->type = rd_u8(&rd);
    r->version = rd_be16(&rd);
    r->len = rd_be16(&rd);
    if (rd.err)
        return IOF_PROTO_TRUNCATED;
    if (r->type < IOF_TLS_CCS || r->type > IOF_TLS_APPDATA || (r->version >> 8) != 3 ||
        r->len > IOF_TLS_MAX_RECORD)
        return IOF_PROTO_OTHER;
    return IOF_PROTO_OK;
}

int iof__tls_next_ext(iof__rd *r, uint16_t *type, iof__span *val)
{
    if (rd_left(r) == 0)
        return IOF_TLS_EXT_NONE;
    *type = rd_be16(r);
    uint16_t len = rd_be16(r);
    const uint8_t *v = rd_bytes(r, len);
    if (r->err)
        return IOF_TLS_EXT_CUT;
    *val = (iof__span){ v, len };
    return IOF_TLS_EXT_ONE;
}

/* A 1- or 2-byte length-prefixed vector of r: its span; r->err when it runs past r. */
static iof__span vec(iof__rd *r, unsigned prefix)
{
    size_t len = prefix == 1 ? rd_u8(r) : rd_be16(r);
    const uint8_t *v = rd_bytes(r, len);
    return (iof__span){ v, v ? len : 0 };
}

/* The first host_name of a server_name extension's value (RFC 6066 §3); empty if none. */
static iof__span first_host_name(iof__span val)
{
    iof__rd r = rd_init(val.p, val.len);
    iof__rd list = rd_sub(&r, rd_be16(&r));
    while (!r.err && rd_left(&list) > 0) {
        uint8_t name_type = rd_u8(&list);
        iof__span name = vec(&list, 2);
        if (list.err)
            break;
        if (name_type == 0)
            return name;
    }
    return (iof__span){ NULL, 0 };
}

/* cut: the message goes on past the captured bytes (an extension cut short is then TRUNCATED) */
static iof__proto_status walk_ext(iof__tls_hello *h, bool cut)
{
    iof__rd r = rd_init(h->extensions.p, h->extensions.len);
    uint16_t type;
    iof__span val;
    for (int got; (got = iof__tls_next_ext(&r, &type, &val)) != IOF_TLS_EXT_NONE;) {
        if (got == IOF_TLS_EXT_CUT)
            return cut ? IOF_PROTO_TRUNCATED : IOF_PROTO_MALFORMED;
        if (h->n_ext >= IOF_TLS_MAX_EXTENSIONS)
            return IOF_PROTO_MALFORMED;
        h->n_ext++;
        if (type == IOF_TLS_EXT_SERVER_NAME && !h->sni.p && h->type == IOF_TLS_CLIENT_HELLO)
            h->sni = first_host_name(val);
    }
    return IOF_PROTO_OK;
}

iof__proto_status iof__tls_hello_parse(const uint8_t *p, size_t n, iof__tls_hello *h)
{
    memset(h, 0, sizeof(*h));
    iof__rd all = rd_init(p, n);
    h->type = rd_u8(&all);
    uint32_t hi = rd_u8(&all);
    h->len = hi << 16 | rd_be16(&all);
    if (all.err)
        return IOF_PROTO_TRUNCATED;
    if (h->type != IOF_TLS_CLIENT_HELLO && h->type != IOF_TLS_SERVER_HELLO)
        return IOF_PROTO_OTHER;
    /* the message's own bytes: what was captured of them (a cut hello keeps its first fields) */
    bool cut = rd_left(&all) < h->len;
    iof__rd r = rd_sub(&all, cut ? rd_left(&all) : h->len);
    h->version = rd_be16(&r);
    const uint8_t *rnd = rd_bytes(&r, TLS_RANDOM_LEN);
    h->random = (iof__span){ rnd, rnd ? TLS_RANDOM_LEN : 0 };
    uint8_t sid_len = rd_u8(&r);
    if (!r.err && sid_len > TLS_MAX_SID)
        return IOF_PROTO_MALFORMED;
    const uint8_t *sid = rd_bytes(&r, sid_len);
    h->sid = (iof__span){ sid, sid ? sid_len : 0 };
    if (h->type == IOF_TLS_CLIENT_HELLO) {
        h->suites = vec(&r, 2);
        if (!r.err && h->suites.len % 2)
            return IOF_PROTO_MALFORMED;
        h->compression = vec(&r, 1);
    } else {
        h->suite = rd_be16(&r);
        const uint8_t *c = rd_bytes(&r, 1);
        h->compression = (iof__span){ c, c ? 1 : 0 };
    }
    if (r.err)
        return cut ? IOF_PROTO_TRUNCATED : IOF_PROTO_MALFORMED;
    if (rd_left(&r) == 0)
        return cut ? IOF_PROTO_TRUNCATED : IOF_PROTO_OK;   /* no extensions (TLS 1.0 style) */
    uint16_t ext_len = rd_be16(&r);
    if (!r.err && cut && ext_len > rd_left(&r)) {
        /* the block runs past the captured bytes (a snaplen, a full buffer): its server name
         * when it is whole in them; the block itself stays unknown (extensions empty, n_ext 0) */
        size_t have = rd_left(&r);
        h->extensions = (iof__span){ rd_bytes(&r, have), have };
        (void)walk_ext(h, true);
        h->ext_cut = h->extensions;
        h->extensions = (iof__span){ NULL, 0 };
        h->n_ext = 0;
        return IOF_PROTO_TRUNCATED;
    }
    const uint8_t *ext = rd_bytes(&r, ext_len);
    if (!ext || r.err)   /* r.err: the length itself was cut (a 0-byte read still "succeeds") */
        return cut ? IOF_PROTO_TRUNCATED : IOF_PROTO_MALFORMED;
    h->extensions = (iof__span){ ext, ext_len };
    iof__proto_status st = walk_ext(h, cut);
    if (st == IOF_PROTO_OK && rd_left(&r) != 0)
        return IOF_PROTO_MALFORMED;   /* bytes after the extensions inside the message */
    return st == IOF_PROTO_OK && cut ? IOF_PROTO_TRUNCATED : st;
}
