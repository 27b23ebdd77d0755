/* HTTP/1.x message heads and the header-line reader: see http.h. Every byte through rd.h. */
#include <string.h>

#include "proto/http.h"

static uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }
static bool blank(uint8_t c) { return c == ' ' || c == '\t'; }
static bool digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* RFC 9110 §5.6.2 tchar: what a method (and a field name) is made of */
static bool tchar(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit(c) ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

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

iof__proto_status iof__http_line(iof__rd *r, iof__span *line, bool *bare_lf)
{
    size_t n = rd_left(r);
    if (n > IOF_HTTP_MAX_LINE + 2)   /* the line, "\r\n" */
        n = IOF_HTTP_MAX_LINE + 2;
    iof__rd s = *r;
    for (size_t i = 0; i < n; i++) {
        if (rd_u8(&s) != '\n')
            continue;
        size_t len = i;
        iof__rd t = *r;
        bool cr = len > 0 && rd_peek_u8(&t, len - 1) == '\r';
        if (cr)
            len--;
        if (len > IOF_HTTP_MAX_LINE)
            return IOF_PROTO_MALFORMED;
        if (bare_lf && !cr)
            *bare_lf = true;
        line->p = rd_bytes(r, i + 1);
        line->len = len;
        return IOF_PROTO_OK;
    }
    return rd_left(r) > n ? IOF_PROTO_MALFORMED : IOF_PROTO_TRUNCATED;
}

/* s without the blanks at both ends */
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

iof__proto_status iof__http_header_line(iof__rd *r, iof__span *name, iof__span *value, bool *end,
                                        bool *bare_lf)
{
    iof__span line;
    *end = false;
    name->p = value->p = NULL;
    name->len = value->len = 0;
    iof__proto_status st = iof__http_line(r, &line, bare_lf);
    if (st != IOF_PROTO_OK)
        return st;
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

iof__proto_status iof__http_header_next(iof__rd *r, iof__span *name, iof__span *value, bool *end)
{
    return iof__http_header_line(r, name, value, end, NULL);
}

/* "HTTP/d.d" at r (advanced past it) */
static bool version(iof__rd *r, iof__span *v)
{
    const uint8_t *at = r->p;
    static const char lit[] = "HTTP/";
    for (size_t i = 0; i < sizeof(lit) - 1; i++)
        if (rd_u8(r) != (uint8_t)lit[i])
            return false;
    bool ok = digit(rd_u8(r)) && rd_u8(r) == '.' && digit(rd_u8(r)) && !r->err;
    *v = (iof__span){ at, 8 };
    return ok;
}

/* A status line: HTTP-version SP 3DIGIT [SP reason-phrase] (the SP before an empty reason is
 * optional: RFC 9112 §4 asks recipients to accept its absence). */
static bool status_line(iof__span line, iof__http_msg *m)
{
    iof__rd r = rd_init(line.p, line.len);
    if (!version(&r, &m->version) || rd_u8(&r) != ' ')
        return false;
    unsigned code = 0;
    for (int i = 0; i < 3; i++) {
        uint8_t c = rd_u8(&r);
        if (!digit(c))
            return false;
        code = code * 10 + (unsigned)(c - '0');
    }
    if (r.err || (rd_left(&r) && rd_u8(&r) != ' '))
        return false;
    m->kind = IOF_HTTP_RESPONSE;
    m->status = (uint16_t)code;
    m->reason = (iof__span){ r.p, rd_left(&r) };
    return true;
}

/* A request line: method SP request-target SP HTTP-version; the target is what lies between the
 * first and the last space (no control bytes, not empty). */
static bool request_line(iof__span line, iof__http_msg *m)
{
    iof__rd r = rd_init(line.p, line.len);
    size_t meth = 0;
    while (meth < line.len && tchar(rd_peek_u8(&r, meth)))
        meth++;
    if (meth == 0 || line.len < meth + 1 + 1 + 1 + 8 || rd_peek_u8(&r, meth) != ' ')
        return false;
    size_t vat = line.len - 8;   /* "HTTP/d.d" ends the line */
    if (rd_peek_u8(&r, vat - 1) != ' ')
        return false;
    for (size_t i = meth + 1; i < vat - 1; i++) {
        uint8_t c = rd_peek_u8(&r, i);
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    iof__rd v = r;
    rd_skip(&v, vat);
    if (r.err || !version(&v, &m->version))
        return false;
    m->kind = IOF_HTTP_REQUEST;
    m->method = (iof__span){ line.p, meth };
    rd_skip(&r, meth + 1);
    m->target = (iof__span){ r.p, vat - 1 - (meth + 1) };
    return !r.err;
}

static bool start_line(iof__span line, iof__http_msg *m)
{
    return status_line(line, m) || request_line(line, m);
}

iof__proto_status iof__http_parse(const uint8_t *p, size_t n, iof__http_msg *m)
{
    memset(m, 0, sizeof(*m));
    iof__rd r = rd_init(p, n);
    iof__span line;
    iof__proto_status got = iof__http_line(&r, &line, &m->bare_lf);
    if (got != IOF_PROTO_OK) {
        /* no line break: a start line cut by the data's end (maybe after its '\r') is still one */
        iof__span all = { p, n };
        if (n && rd_peek_u8(&r, n - 1) == '\r')
            all.len--;
        if (got == IOF_PROTO_MALFORMED || !start_line(all, m)) {
            memset(m, 0, sizeof(*m));
            return IOF_PROTO_OTHER;
        }
        return IOF_PROTO_TRUNCATED;
    }
    if (!start_line(line, m)) {
        memset(m, 0, sizeof(*m));
        return IOF_PROTO_OTHER;
    }
    for (;;) {
        iof__span name, value;
        bool end;
        iof__proto_status st = iof__http_header_line(&r, &name, &value, &end, &m->bare_lf);
        if (st != IOF_PROTO_OK)
            return st;
        if (end) {
            m->body_off = rd_pos(&r, p);
            return IOF_PROTO_OK;
        }
        if (m->n_lines < UINT32_MAX)
            m->n_lines++;
        if (m->n_fields < IOF_HTTP_MAX_HEADERS)
            m->field[m->n_fields++] = (iof__http_field){ name, value };
        else
            m->more_fields = true;
    }
}

iof__span iof__http_field_get(const iof__http_msg *m, const char *name)
{
    for (uint16_t i = 0; i < m->n_fields; i++)
        if (iof__span_ieq(m->field[i].name, name))
            return m->field[i].value;
    return (iof__span){ NULL, 0 };
}
