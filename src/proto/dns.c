/* DNS message parser: see dns.h. Every byte through rd.h; names walked with bounded hops. */
#include <string.h>

#include "common/nametext.h"
#include "common/rd.h"
#include "proto/dns.h"

iof__proto_status iof__dns_open(iof__dns_msg *m, const uint8_t *p, size_t n)
{
    memset(m, 0, sizeof(*m));
    m->base = p;
    m->len = n;
    iof__rd r = rd_init(p, n);
    m->id = rd_be16(&r);
    m->flags = rd_be16(&r);
    for (int i = 0; i < 4; i++)
        m->count[i] = rd_be16(&r);
    if (r.err) {
        memset(m->count, 0, sizeof(m->count));
        m->status = IOF_PROTO_TRUNCATED;
        return m->status;
    }
    m->off = IOF_DNS_HDR_LEN;
    m->section = IOF_DNS_QD;
    m->left = m->count[IOF_DNS_QD];
    return IOF_PROTO_OK;
}

/* Appends a label to the text in the given style; false when out is full. */
static bool put_label(char *out, size_t outlen, size_t *o, const uint8_t *label, size_t len, iof__dns_text style)
{
    if (style != IOF_DNS_TEXT_JOY) /* the shared rule of names as text; '.' is a separator here */
        return iof__name_escape(label, len, IOF_NAME_ESC_DOT, out, outlen, o);
    if (*o + len >= outlen)
        return false;
    for (size_t i = 0; i < len; i++) /* Joy: C-locale isprint, else '*' */
        out[(*o)++] = label[i] >= 0x20 && label[i] <= 0x7e ? (char)label[i] : '*';
    return true;
}

iof__proto_status iof__dns_name(const iof__dns_msg *m, size_t off, char *out, size_t outlen,
                               size_t *wire)
{
    return iof__dns_name_text(m, off, IOF_DNS_TEXT_ESCAPED, out, outlen, wire);
}

iof__proto_status iof__dns_name_text(const iof__dns_msg *m, size_t off, iof__dns_text style,
                                    char *out, size_t outlen, size_t *wire)
{
    size_t o = 0, total = 1, hops = 0;
    size_t seg = off;       /* start of the stretch being read: a pointer must jump before it */
    size_t wire_len = 0;
    bool jumped = false;
    iof__proto_status st = IOF_PROTO_OK;
    if (out && outlen)
        out[0] = '\0';
    if (off > m->len)
        return IOF_PROTO_TRUNCATED;
    iof__rd r = rd_init(m->base + off, m->len - off);
    for (;;) {
        uint8_t len = rd_u8(&r);
        if (r.err) {
            st = IOF_PROTO_TRUNCATED;
            break;
        }
        if ((len & 0xc0) == 0xc0) {
            uint8_t lo = rd_u8(&r);
            if (r.err) {
                st = IOF_PROTO_TRUNCATED;
                break;
            }
            size_t target = (size_t)(len & 0x3f) << 8 | lo;
            if (!jumped)
                wire_len = (size_t)(r.p - m->base) - off;
            jumped = true;
            /* Strictly before the stretch that holds the pointer (a target inside it would
             * reach this pointer again) and past the header: stretches move backwards, so
             * every walk ends; the hop cap bounds the work on top. */
            if (target >= seg || target < IOF_DNS_HDR_LEN || ++hops > IOF_DNS_MAX_HOPS) {
                st = IOF_PROTO_MALFORMED;
                break;
            }
            seg = target;
            r = rd_init(m->base + target, m->len - target);
            continue;
        }
        if (len & 0xc0) { /* 0x40 extended / 0x80 reserved label types */
            st = IOF_PROTO_MALFORMED;
            break;
        }
        if (len == 0) {
            if (!jumped)
                wire_len = (size_t)(r.p - m->base) - off;
            break;
        }
        total += (size_t)len + 1;
        if (total > IOF_DNS_MAX_NAME) {
            st = IOF_PROTO_MALFORMED;
            break;
        }
        const uint8_t *label = rd_bytes(&r, len);
        if (!label) {
            st = IOF_PROTO_TRUNCATED;
            break;
        }
        if (!out)
            continue;
        bool fits = true;
        if (o > 0) {
            fits = o + 1 < outlen;
            if (fits)
                out[o++] = '.';
        }
        fits = fits && put_label(out, outlen, &o, label, len, style);
        if (!fits) { /* only with a buffer smaller than IOF_DNS_NAME_TEXT */
            st = IOF_PROTO_MALFORMED;
            break;
        }
    }
    if (out && outlen) {
        if (st == IOF_PROTO_OK && o == 0 && outlen > 1 && style == IOF_DNS_TEXT_ESCAPED)
            out[o++] = '.';
        out[o < outlen ? o : outlen - 1] = '\0';
    }
    if (wire)
        *wire = st == IOF_PROTO_OK ? wire_len : 0;
    return st;
}

bool iof__dns_next(iof__dns_msg *m, iof__dns_rr *rr)
{
    if (m->status != IOF_PROTO_OK)
        return false;
    while (m->left == 0) {
        if (m->section == IOF_DNS_AR)
            return false;
        m->section++;
        m->left = m->count[m->section];
    }
    memset(rr, 0, sizeof(*rr));
    size_t used;
    iof__proto_status st = iof__dns_name(m, m->off, NULL, 0, &used);
    if (st != IOF_PROTO_OK) {
        m->status = st;
        return false;
    }
    rr->section = m->section;
    rr->name_off = m->off;
    iof__rd r = rd_init(m->base + m->off, m->len - m->off);
    rd_skip(&r, used);
    rr->type = rd_be16(&r);
    uint16_t cls = rd_be16(&r);
    rr->rclass = cls & 0x7fffu;
    rr->top_bit = (cls & 0x8000u) != 0;
    if (m->section != IOF_DNS_QD) {
        rr->ttl = rd_be32(&r);
        rr->rdlen = rd_be16(&r);
        rr->rdata_off = (size_t)(r.p - m->base);
        rd_skip(&r, rr->rdlen);
    }
    if (r.err) {
        m->status = IOF_PROTO_TRUNCATED;
        return false;
    }
    m->off = (size_t)(r.p - m->base);
    m->left--;
    return true;
}

iof__proto_status iof__dns_rr_target(const iof__dns_msg *m, const iof__dns_rr *rr, char *out,
                                    size_t outlen)
{
    size_t skip;
    switch (rr->type) {
    case IOF_DNS_T_PTR: case IOF_DNS_T_CNAME: case IOF_DNS_T_NS: case IOF_DNS_T_DNAME:
        skip = 0;
        break;
    case IOF_DNS_T_MX:
        skip = 2;
        break;
    case IOF_DNS_T_SRV:
        skip = 6;
        break;
    default:
        if (out && outlen)
            out[0] = '\0';
        return IOF_PROTO_OTHER;
    }
    if (rr->section == IOF_DNS_QD || rr->rdlen < skip + 1) {
        if (out && outlen)
            out[0] = '\0';
        return IOF_PROTO_MALFORMED;
    }
    size_t wire;
    iof__proto_status st = iof__dns_name(m, rr->rdata_off + skip, out, outlen, &wire);
    if (st == IOF_PROTO_OK && wire > (size_t)rr->rdlen - skip) {
        if (out && outlen)
            out[0] = '\0';
        return IOF_PROTO_MALFORMED; /* the name runs past its record */
    }
    return st;
}
