/* DHCP/BOOTP parser: see dhcp.h. Every byte through rd.h. */
#include <string.h>

#include "common/rd.h"
#include "proto/dhcp.h"

#define DHCP_COOKIE 0x63825363u
#define SNAME_OFF 44  /* server host name, 64 bytes */
#define FILE_OFF 108  /* boot file name, 128 bytes */

static bool fixed(iof__rd *v, size_t want, uint8_t *dst)
{
    if (rd_left(v) != want)
        return false;
    rd_copy(v, dst, want);
    return true;
}

int iof__dhcp_next_option(iof__rd *r, iof__dhcp_opt *o)
{
    while (rd_left(r) > 0) {
        o->code = rd_u8(r);
        if (o->code == 0)
            continue; /* PAD */
        if (o->code == 255)
            return IOF_DHCP_OPT_END;
        uint8_t len = rd_u8(r);
        iof__rd v = rd_sub(r, len);
        if (r->err)
            return IOF_DHCP_OPT_CUT; /* the option (or its length byte) runs past the data */
        o->val = (iof__span){ v.p, len };
        return IOF_DHCP_OPT_ONE;
    }
    return IOF_DHCP_OPT_NONE;
}

void iof__dhcp_header(iof__rd *r, iof__dhcp_msg *m)
{
    m->op = rd_u8(r);
    m->htype = rd_u8(r);
    m->hlen = rd_u8(r);
    m->hops = rd_u8(r);
    m->xid = rd_be32(r);
    m->secs = rd_be16(r);
    m->flags = rd_be16(r);
    rd_copy(r, m->ciaddr, 4);
    rd_copy(r, m->yiaddr, 4);
    rd_copy(r, m->siaddr, 4);
    rd_copy(r, m->giaddr, 4);
    rd_copy(r, m->chaddr, 16);
}

/* Walks the options in r; returns OK at END or at the end of the bytes. */
static iof__proto_status walk(iof__rd r, iof__dhcp_msg *m, unsigned *budget)
{
    iof__dhcp_opt o;
    for (;;) {
        int got = iof__dhcp_next_option(&r, &o);
        if (got == IOF_DHCP_OPT_END) {
            m->end_seen = true;
            return IOF_PROTO_OK;
        }
        if (got == IOF_DHCP_OPT_NONE)
            return IOF_PROTO_OK;
        if (*budget == 0)
            return IOF_PROTO_MALFORMED;
        (*budget)--;
        if (got == IOF_DHCP_OPT_CUT)
            return IOF_PROTO_TRUNCATED;
        uint8_t code = o.code, len = (uint8_t)o.val.len;
        iof__rd v = rd_init(o.val.p, o.val.len);
        m->n_options++;
        iof__span s = o.val;
        bool ok = true;
        switch (code) {
        case 3:
            if (!m->has_router) {
                ok = len >= 4 && len % 4 == 0;
                if (ok) {
                    rd_copy(&v, m->router, 4);
                    m->has_router = true;
                }
            }
            break;
        case 12: if (!m->hostname.p) m->hostname = s; break;
        case 15: if (!m->domain.p) m->domain = s; break;
        case 50:
            if (!m->has_requested_ip)
                ok = m->has_requested_ip = fixed(&v, 4, m->requested_ip);
            break;
        case 51:
            if (!m->has_lease) {
                ok = m->has_lease = len == 4;
                m->lease_s = ok ? rd_be32(&v) : 0;
            }
            break;
        case 52:
            ok = len == 1;
            if (ok && !m->overload)
                m->overload = rd_u8(&v) & 3;
            break;
        case 53:
            ok = len == 1;
            if (ok && !m->msg_type)
                m->msg_type = rd_u8(&v);
            break;
        case 54:
            if (!m->has_server_id)
                ok = m->has_server_id = fixed(&v, 4, m->server_id);
            break;
        case 55: if (!m->param_list.p) m->param_list = s; break;
        case 60: if (!m->vendor_class.p) m->vendor_class = s; break;
        case 61: if (!m->client_id.p) m->client_id = s; break;
        default: break;
        }
        if (!ok)
            return IOF_PROTO_MALFORMED;
    }
    return IOF_PROTO_OK;
}

iof__proto_status iof__dhcp_parse(const uint8_t *p, size_t n, iof__dhcp_msg *m)
{
    memset(m, 0, sizeof(*m));
    iof__rd r = rd_init(p, n);
    iof__dhcp_header(&r, m);
    if (m->hlen > 16)
        return IOF_PROTO_MALFORMED; /* a property of the message: before any truncation */
    if (r.err)
        return IOF_PROTO_TRUNCATED;
    rd_skip(&r, IOF_DHCP_FIXED_LEN - 44); /* sname + file */
    if (r.err)
        return IOF_PROTO_TRUNCATED;
    if (rd_left(&r) < 4)
        return rd_left(&r) == 0 ? IOF_PROTO_OTHER : IOF_PROTO_TRUNCATED;
    if (rd_be32(&r) != DHCP_COOKIE)
        return IOF_PROTO_OTHER;
    m->cookie = true;
    unsigned budget = IOF_DHCP_MAX_OPTIONS;
    iof__proto_status st = walk(r, m, &budget);
    /* RFC 2131 §4.1: overloaded fields are read after the options field, file first */
    if (st == IOF_PROTO_OK && (m->overload & 1)) {
        iof__rd f = rd_init(p, n);
        rd_skip(&f, FILE_OFF);
        st = walk(rd_sub(&f, 128), m, &budget);
    }
    if (st == IOF_PROTO_OK && (m->overload & 2)) {
        iof__rd f = rd_init(p, n);
        rd_skip(&f, SNAME_OFF);
        st = walk(rd_sub(&f, 64), m, &budget);
    }
    return st;
}
