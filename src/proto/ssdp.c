/* SSDP parser and the HTTP-style header-line reader: see ssdp.h. Every byte through rd.h. */
#include <string.h>

#include "proto/ssdp.h"

static uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

bool iof__span_ieq(iof__span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.len != n)
        return false;
    if (n == 0)
        return true;
    iof__rd r = rd_init(s.p, s.len);
    for (size_t i = 0; i < n; i++)
        if (lower(rd_u8(&r)) != lower((uint8_t)lit[i]))
            return false;
    return !r.err;
}

static bool blank(uint8_t c) { return c == ' ' || c == '\t'; }

/* The next line of r without its line break; false (r unchanged) when no line break is left. */
static bool next_line(iof__rd *r, iof__span *line)
{
    size_t n = rd_left(r);
    iof__rd s = *r;
    for (size_t i = 0; i < n; i++) {
        if (rd_u8(&s) != '\n')
            continue;
        size_t len = i;
        iof__rd t = *r;
        if (len > 0 && rd_peek_u8(&t, len - 1) == '\r')
            len--;
        line->p = rd_bytes(r, i + 1);
        line->len = len;
        return true;
    }
    return false;
}

/* Trims blanks at both ends of [p, p+len) read through a reader over it. */
static iof__span trim(iof__span s)
{
    iof__rd r = rd_init(s.p, s.len);
    size_t a = 0, b = s.len;
    while (a < b && blank(rd_peek_u8(&r, a)))
        a++;
    while (b > a && blank(rd_peek_u8(&r, b - 1)))
        b--;
    rd_skip(&r, a);
    iof__span t = { r.p, b - a };
    return t;
}

iof__proto_status iof__http_header_next(iof__rd *r, iof__span *name, iof__span *value, bool *end)
{
    iof__span line;
    *end = false;
    name->p = value->p = NULL;
    name->len = value->len = 0;
    if (!next_line(r, &line))
        return IOF_PROTO_TRUNCATED;
    if (line.len == 0) {
        *end = true;
        return IOF_PROTO_OK;
    }
    iof__rd l = rd_init(line.p, line.len);
    size_t colon = 0;
    while (colon < line.len && rd_peek_u8(&l, colon) != ':')
        colon++;
    if (colon == line.len)
        return IOF_PROTO_MALFORMED;
    iof__span nm = trim((iof__span){ line.p, colon });
    if (nm.len == 0)
        return IOF_PROTO_MALFORMED;
    rd_skip(&l, colon + 1);
    *name = nm;
    *value = trim((iof__span){ l.p, rd_left(&l) });
    return IOF_PROTO_OK;
}

/* Start line: "NOTIFY * HTTP/1.1", "M-SEARCH * HTTP/1.1" or "HTTP/1.x NNN reason". */
static bool start_line(iof__span line, iof__ssdp_msg *m)
{
    static const char *const req[] = { "NOTIFY * HTTP/1.", "M-SEARCH * HTTP/1." };
    iof__rd r = rd_init(line.p, line.len);
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(req[k]);
        if (line.len == n + 1 && iof__span_ieq((iof__span){ line.p, n }, req[k])) {
            m->kind = k == 0 ? IOF_SSDP_NOTIFY : IOF_SSDP_MSEARCH;
            return true;
        }
    }
    if (line.len < 12 || !iof__span_ieq((iof__span){ line.p, 7 }, "HTTP/1."))
        return false;
    rd_skip(&r, 8); /* "HTTP/1.x" */
    if (rd_u8(&r) != ' ')
        return false;
    unsigned code = 0;
    for (int i = 0; i < 3; i++) {
        uint8_t c = rd_u8(&r);
        if (c < '0' || c > '9')
            return false;
        code = code * 10 + (unsigned)(c - '0');
    }
    m->kind = IOF_SSDP_RESPONSE;
    m->status = (uint16_t)code;
    return !r.err;
}

iof__proto_status iof__ssdp_parse(const uint8_t *p, size_t n, iof__ssdp_msg *m)
{
    memset(m, 0, sizeof(*m));
    iof__rd r = rd_init(p, n);
    iof__span line;
    if (!next_line(&r, &line))
        return IOF_PROTO_OTHER;
    if (!start_line(line, m))
        return IOF_PROTO_OTHER;
    static const char *const names[] = { "server", "location", "usn", "nt", "nts", "st",
                                         "user-agent", "cache-control", "man" };
    iof__span *const slots[] = { &m->server, &m->location, &m->usn, &m->nt, &m->nts, &m->st,
                                &m->user_agent, &m->cache_control, &m->man };
    for (;;) {
        if (m->n_headers == IOF_SSDP_MAX_HEADERS) {
            m->more_headers = true;
            return IOF_PROTO_OK;
        }
        iof__span name, value;
        bool end;
        iof__proto_status st = iof__http_header_next(&r, &name, &value, &end);
        if (st != IOF_PROTO_OK)
            return st;
        if (end)
            return IOF_PROTO_OK;
        m->n_headers++;
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            if (iof__span_ieq(name, names[k])) {
                if (!slots[k]->p)
                    *slots[k] = value;
                break;
            }
        }
    }
}
