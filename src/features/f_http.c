/* http (Joy's http=1; docs/JOY.md "http"): the HTTP message heads of a flow, as Joy 3.0.3 prints
 * them.
 *
 * Joy's http_filter: a TCP record whose key has port 80 on either side, or whose application
 * was identified as HTTP (its keywords "GET ", "POST ", ..., "HTTP/1.1 ": app 80). Every data
 * packet of such a record is one message attempt (no reassembly): Joy looks at its first
 * JOY_HTTP_WINDOW bytes (HTTP_MAX_LEN less MAGIC), and keeps a message when its head ends
 * inside them, while fewer than IOF_JOY_HTTP_MSGS were kept. The head is read by proto/http.h;
 * Joy's own lexer takes the same messages for well-formed heads, and a message Joy's lexer
 * refuses is not kept here either (a line ended by "\n" alone, a header line without ':' or with
 * an empty value before the last one, a status line without a reason phrase, more than 3
 * tokens... see docs/JOY.md "Differences from Joy" for what still differs).
 *
 * Kept messages are rendered at once into a fixed arena of the record's state (the rendering
 * depends on the message alone; no allocation): a message whose text does not fit ends the
 * list (counted in `dropped`, the cut hook). One message, as Joy's http_print_message writes it:
 *   [{"method":"GET"},{"uri":"/x"},{"version":"HTTP/1.1"},{"Host":"a.b"},...,{"body":"<hex>"}]
 * a response starts {"version":...},{"code":"200"},{"reason":"OK"}; the head's text with every
 * byte outside 0x20..0x7e, '"' and '\' as '.' (Joy's rule); "body" the first JOY_HTTP_BODY
 * bytes after the head as hex, zero-filled past the packet (Joy copies into a zeroed buffer),
 * absent when more than IOF_HTTP_MAX_HEADERS header lines came before the end. A head without
 * header lines is printed by Joy as its body alone, taken from the head's last byte ('.').
 * http[] pairs the two sides' messages by index: {"out":[...],"in":[...]}.
 *
 * Custom-flow columns (--features http; docs/OUTPUT.md "Feature columns"): with cols_only the
 * state keeps no arena but, in its place, a fixed summary per direction (http_sum): every TCP
 * data packet of the record, whatever its ports, through iof__http_parse; a packet whose first
 * line is a request or status line counts as a request or response head (cut heads included:
 * the fields before the cut are kept), unless its sequence number is the side's previous head's
 * (a retransmission); a start line split over two segments is not seen. The first request's method, target, Host and
 * User-Agent, the first response's status code, Server and Content-Type, as escaped text
 * (common/nametext.h, cut at a character boundary). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/hex.h"
#include "common/nametext.h"
#include "common/rd.h"
#include "features/feature.h"
#include "flow/attrib.h"
#include "proto/http.h"

#define HTTP_PORT 80
#define JOY_HTTP_WINDOW 2032       /* Joy's HTTP_MAX_LEN (2048) less MAGIC (16): bytes of a
                                      packet its lexer sees */
#define JOY_HTTP_BODY 16           /* Joy's MAGIC: body bytes printed */

#define HTTP_COL_METHOD 32         /* text bytes kept of a method (longer: cut) */
#define HTTP_COL_URI 512           /* ... of a request target */
#define HTTP_COL_TEXT 256          /* ... of a Host, User-Agent, Server or Content-Type value */

/* One direction's first request and response, for the custom-flow columns. */
typedef struct http_sum {
    int64_t req_us, resp_us;       /* times of the first request / response head */
    uint32_t requests, responses;  /* heads seen (saturating) */
    uint32_t last_seq;             /* the TCP sequence number of the last head's segment ... */
    bool any;                      /* ... once there was one */
    uint16_t status;               /* the first response's code */
    uint16_t method_len, uri_len, host_len, ua_len, server_len, ctype_len;
    bool has_host, has_ua, has_server, has_ctype;
    bool req_cut, resp_cut;        /* a text of the first request / response was cut */
    char method[HTTP_COL_METHOD], uri[HTTP_COL_URI];
    char host[HTTP_COL_TEXT], ua[HTTP_COL_TEXT], server[HTTP_COL_TEXT], ctype[HTTP_COL_TEXT];
} http_sum;

typedef struct http_state {
    uint8_t nmsg;                  /* messages kept */
    uint8_t dropped;               /* a message did not fit the arena: the list ends there */
    uint16_t end[IOF_JOY_HTTP_MSGS];   /* message i's text: arena[i ? end[i-1] : 0 .. end[i]) */
    union {
        http_sum sum;              /* cols_only: the columns' summary */
        char arena[IOF_JOY_HTTP_ARENA];   /* Joy: the kept messages, as printed */
    };
} http_state;

_Static_assert(IOF_JOY_HTTP_ARENA <= UINT16_MAX, "end[] holds arena offsets");

static bool http_enabled(const iof__feat_opts *o) { return o->http; }

static size_t http_size(const iof__feat_opts *o)
{
    return o->cols_only ? offsetof(http_state, sum) + sizeof(http_sum) : sizeof(http_state);
}

/* Left out of the clean part (not zeroed: most records never use them): Joy's arena, written
 * in order and read only up to what was written (end[]), and the columns' summary's fixed
 * buffers, the texts, read below their lengths */
static size_t http_clean(const iof__feat_opts *o)
{
    return o->cols_only ? offsetof(http_state, sum.method) : offsetof(http_state, arena);
}

/* the columns' summary: each text below its length (Joy's arena is not in custom-flow records) */
static uint32_t http_used(const void *st, const iof__feat_opts *o, iof__feat_span sp[IOF_FEAT_MAX_SPANS])
{
    (void)o;
    const http_sum *u = &((const http_state *)st)->sum;
    sp[0] = IOF_FEAT_SPAN(http_state, sum.method, u->method_len);
    sp[1] = IOF_FEAT_SPAN(http_state, sum.uri, u->uri_len);
    sp[2] = IOF_FEAT_SPAN(http_state, sum.host, u->host_len);
    sp[3] = IOF_FEAT_SPAN(http_state, sum.ua, u->ua_len);
    sp[4] = IOF_FEAT_SPAN(http_state, sum.server, u->server_len);
    sp[5] = IOF_FEAT_SPAN(http_state, sum.ctype, u->ctype_len);
    return 6;
}

/* A bounded writer into the arena: `full` once something did not fit. */
typedef struct aw {
    char *a;
    size_t w;
    bool full;
} aw;

static void aw_put(aw *w, const void *p, size_t n)
{
    if (w->full || n > IOF_JOY_HTTP_ARENA - w->w) {
        w->full = true;
        return;
    }
    memcpy(w->a + w->w, p, n);
    w->w += n;
}

static void aw_puts(aw *w, const char *s) { aw_put(w, s, strlen(s)); }

/* Joy's printable text of the head's bytes s: outside 0x20..0x7e, '"' and '\' as '.' */
static void aw_text(aw *w, iof__span s)
{
    iof__rd r = rd_init(s.p, s.len);
    while (rd_left(&r) && !w->full) {
        uint8_t c = rd_u8(&r);
        char t = c < 0x20 || c > 0x7e || c == '"' || c == '\\' ? '.' : (char)c;
        aw_put(w, &t, 1);
    }
}

/* {"key":"text"} preceded by a comma unless first */
static void aw_pair(aw *w, bool first, iof__span key, iof__span val)
{
    aw_puts(w, first ? "{\"" : ",{\"");
    aw_text(w, key);
    aw_puts(w, "\":\"");
    aw_text(w, val);
    aw_puts(w, "\"}");
}

static iof__span lit(const char *s) { return (iof__span){ (const uint8_t *)s, strlen(s) }; }

/* Joy's body: JOY_HTTP_BODY bytes from `from` (a '.' first when dot), zero past `n` */
static void aw_body(aw *w, bool first, const uint8_t *p, size_t n, size_t from, bool dot)
{
    uint8_t b[JOY_HTTP_BODY] = { 0 };
    size_t k = 0;
    if (dot)
        b[k++] = '.';
    iof__rd r = rd_init(p, n);
    rd_skip(&r, from);
    while (k < JOY_HTTP_BODY && !r.err && rd_left(&r))
        b[k++] = rd_u8(&r);
    aw_puts(w, first ? "{\"body\":\"" : ",{\"body\":\"");
    char x[2 * JOY_HTTP_BODY];
    aw_put(w, x, iof__hex_encode(x, b, JOY_HTTP_BODY));
    aw_puts(w, "\"}");
}

/* Whether Joy's lexer keeps the parsed head m (see the header comment) */
static bool joy_takes(const iof__http_msg *m)
{
    if (m->bare_lf || (m->kind == IOF_HTTP_RESPONSE && m->reason.len == 0))
        return false;
    /* a header line with an empty value ends Joy's message as malformed, unless it is the last
     * one (then it is left out) */
    for (uint16_t i = 0; i + 1 < m->n_fields; i++)
        if (m->field[i].value.len == 0)
            return false;
    return true;
}

/* Renders the head m of the n bytes at p into the arena at *w: Joy's message array. */
static void render(aw *w, const iof__http_msg *m, const uint8_t *p, size_t n)
{
    aw_puts(w, "[");
    if (m->n_lines == 0) {   /* Joy's start-line lexer reached the empty line: the body alone */
        aw_body(w, true, p, n, m->body_off, true);
        aw_puts(w, "]");
        return;
    }
    if (m->kind == IOF_HTTP_REQUEST) {
        aw_pair(w, true, lit("method"), m->method);
        aw_pair(w, false, lit("uri"), m->target);
        aw_pair(w, false, lit("version"), m->version);
    } else {
        char code[4];
        snprintf(code, sizeof code, "%03u", (unsigned)m->status % 1000u);
        aw_pair(w, true, lit("version"), m->version);
        aw_pair(w, false, lit("code"), lit(code));
        aw_pair(w, false, lit("reason"), m->reason);
    }
    for (uint16_t i = 0; i < m->n_fields; i++)
        if (m->field[i].value.len)
            aw_pair(w, false, m->field[i].name, m->field[i].value);
    if (!m->more_fields)
        aw_body(w, false, p, n, m->body_off, false);
    aw_puts(w, "]");
}

/* Escaped text of s into dst (cap bytes at most, cut between two characters); its length.
 * *cut set when it did not fit. */
static uint16_t col_text(char *dst, size_t cap, iof__span s, bool *cut)
{
    char t[4 * HTTP_COL_URI + 1];
    size_t o = 0;
    size_t in = s.len < HTTP_COL_URI ? s.len : HTTP_COL_URI;   /* more cannot fit once escaped */
    (void)iof__name_escape(s.p, in, 0, t, sizeof t, &o);
    size_t n = iof__name_cut(t, o, cap);
    memcpy(dst, t, n);
    if (n < o || in < s.len)
        *cut = true;
    return (uint16_t)n;
}

/* field `name` of m as column text: *has, dst, *len (*cut as col_text) */
static void col_field(const iof__http_msg *m, const char *name, bool *has, char *dst, uint16_t *len, bool *cut)
{
    iof__span v = iof__http_field_get(m, name);
    *has = v.p != NULL;
    *len = *has ? col_text(dst, HTTP_COL_TEXT, v, cut) : 0;
}

static void summarise(http_sum *u, const uint8_t *p, size_t len, int64_t ts_us, uint32_t seq, bool anonymise)
{
    iof__http_msg m;
    if (iof__http_parse(p, len, &m) == IOF_PROTO_OTHER || (u->any && seq == u->last_seq))
        return;   /* not a head, or the last one's segment again (a retransmission) */
    u->any = true;
    u->last_seq = seq;
    bool req = m.kind == IOF_HTTP_REQUEST;
    uint32_t *count = req ? &u->requests : &u->responses;
    bool first = *count == 0;
    if (*count < UINT32_MAX)
        (*count)++;
    if (first && req) {
        u->req_us = ts_us;
        u->method_len = col_text(u->method, HTTP_COL_METHOD, m.method, &u->req_cut);
        u->uri_len = col_text(u->uri, HTTP_COL_URI, m.target, &u->req_cut);
        col_field(&m, "host", &u->has_host, u->host, &u->host_len, &u->req_cut);
        if (anonymise) {   /* a local device named by its address: the dataset's rule (attrib.h) */
            u->uri_len = (uint16_t)iof__uri_anon(u->uri, u->uri_len);
            u->host_len = (uint16_t)iof__authority_anon(u->host, u->host_len);
        }
        col_field(&m, "user-agent", &u->has_ua, u->ua, &u->ua_len, &u->req_cut);
    } else if (first) {
        u->resp_us = ts_us;
        u->status = m.status;
        col_field(&m, "server", &u->has_server, u->server, &u->server_len, &u->resp_cut);
        col_field(&m, "content-type", &u->has_ctype, u->ctype, &u->ctype_len, &u->resp_cut);
    }
}

/* not TCP data (no data bytes: the slice is NULL); for Joy's messages, off HTTP's port without
 * its keywords */
static bool http_idle(const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    if (fp->key_proto != 6 || !fp->data || !fp->len)
        return true;
    return !o->cols_only && fp->key_sp != HTTP_PORT && fp->key_dp != HTTP_PORT && !fp->app_http;
}

static void http_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    http_state *s = st;
    if (http_idle(fp, o))
        return;
    if (o->cols_only) {
        summarise(&s->sum, fp->data, fp->len, fp->ts_us, fp->pkt->tcp_seq, o->anonymise);
        return;
    }
    if (s->nmsg >= IOF_JOY_HTTP_MSGS || s->dropped)
        return;
    size_t n = fp->len < JOY_HTTP_WINDOW ? fp->len : JOY_HTTP_WINDOW;
    iof__http_msg m;
    if (iof__http_parse(fp->data, n, &m) != IOF_PROTO_OK || !joy_takes(&m))
        return;   /* Joy: a head that does not end in its window is malformed, not kept */
    aw w = { s->arena, s->nmsg ? s->end[s->nmsg - 1] : 0u, false };
    render(&w, &m, fp->data, n);
    if (w.full) {
        s->dropped = 1;   /* the list ends here: it stays a prefix of Joy's */
        return;
    }
    s->end[s->nmsg++] = (uint16_t)w.w;
}

/* a side's list was ended by a message that did not fit the arena (Joy prints both sides) */
static bool http_cut(const void *out, const void *in)
{
    return ((const http_state *)out)->dropped || (in && ((const http_state *)in)->dropped);
}

static void put_msg(iof__tbuf *b, const http_state *s, uint8_t i)
{
    size_t from = i ? s->end[i - 1] : 0u;
    iof__tb_put(b, s->arena + from, s->end[i] - from);
}

static void http_json(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o)
{
    (void)o;
    const http_state *a = out, *t = in;
    uint8_t n = a->nmsg, nt = t ? t->nmsg : 0;
    uint8_t total = n > nt ? n : nt;
    if (!total)
        return;
    iof__tb_puts(b, ",\"http\":[");
    for (uint8_t i = 0; i < total; i++) {
        iof__tb_puts(b, i ? ",{" : "{");
        if (i < n) {
            iof__tb_puts(b, "\"out\":");
            put_msg(b, a, i);
        }
        if (i < nt) {
            iof__tb_puts(b, i < n ? ",\"in\":" : "\"in\":");
            put_msg(b, t, i);
        }
        iof__tb_putc(b, '}');
    }
    iof__tb_putc(b, ']');
}

/* Custom-flow columns: the counts add both directions; the request columns come from the
 * earlier direction's first request (a tie: out), the response columns likewise. */
enum { HTTP_COL_REQUESTS = 0, HTTP_COL_RESPONSES, HTTP_COL_METHOD_ID, HTTP_COL_URI_ID, HTTP_COL_HOST,
       HTTP_COL_UA, HTTP_COL_STATUS, HTTP_COL_SERVER, HTTP_COL_CTYPE };

static int http_declare(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base)
{
    (void)o;
    (void)wide;   /* no list columns: the same in both layouts */
    static const struct { uint32_t id; const char *name; iof__vtype t; const char *doc; } c[] = {
        { HTTP_COL_REQUESTS, "http_requests", IOF_VT_INT64, "HTTP/1.x request heads (TCP, any port) in the record (null: none)" },
        { HTTP_COL_RESPONSES, "http_responses", IOF_VT_INT64, "HTTP/1.x response heads in the record (null: none)" },
        { HTTP_COL_METHOD_ID, "http_method", IOF_VT_STRING, "the first request's method (null: no request)" },
        { HTTP_COL_URI_ID, "http_uri", IOF_VT_STRING, "the first request's target, escaped, at most 512 bytes (null: no request)" },
        { HTTP_COL_HOST, "http_host", IOF_VT_STRING, "the first request's Host value (null: none)" },
        { HTTP_COL_UA, "http_user_agent", IOF_VT_STRING, "the first request's User-Agent value (null: none)" },
        { HTTP_COL_STATUS, "http_status", IOF_VT_INT32, "the first response's status code (null: no response)" },
        { HTTP_COL_SERVER, "http_server", IOF_VT_STRING, "the first response's Server value (null: none)" },
        { HTTP_COL_CTYPE, "http_content_type", IOF_VT_STRING, "the first response's Content-Type value (null: none)" },
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        IOF_TRY(iof__schema_add(s, c[i].name, c[i].t, true, false, field, base + c[i].id, c[i].doc));
    return IOF_OK;
}

/* The direction whose first request (resp: response) came first; NULL: none has one. */
static const http_sum *first_of(const http_state *a, const http_state *t, bool resp)
{
    const http_sum *x = &a->sum, *y = t ? &t->sum : NULL;
    uint32_t nx = resp ? x->responses : x->requests, ny = !y ? 0 : resp ? y->responses : y->requests;
    if (!ny)
        return nx ? x : NULL;
    if (!nx)
        return y;
    return (resp ? x->resp_us <= y->resp_us : x->req_us <= y->req_us) ? x : y;
}

static void set_text(iof__value *v, bool has, const char *p, uint16_t n)
{
    v->null = !has;
    v->p = (const uint8_t *)p;
    v->len = n;
}

static void http_get(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v)
{
    (void)k;
    const http_state *a = out, *t = in;
    const http_sum *q = first_of(a, t, false), *r = first_of(a, t, true);
    uint64_t n;
    v->null = true;
    switch (id) {
    case HTTP_COL_REQUESTS:
    case HTTP_COL_RESPONSES:
        n = id == HTTP_COL_REQUESTS ? (uint64_t)a->sum.requests + (t ? t->sum.requests : 0u)
                                    : (uint64_t)a->sum.responses + (t ? t->sum.responses : 0u);
        v->null = n == 0;
        v->i = (int64_t)n;
        break;
    case HTTP_COL_METHOD_ID: if (q) set_text(v, true, q->method, q->method_len); break;
    case HTTP_COL_URI_ID: if (q) set_text(v, true, q->uri, q->uri_len); break;
    case HTTP_COL_HOST: if (q) set_text(v, q->has_host, q->host, q->host_len); break;
    case HTTP_COL_UA: if (q) set_text(v, q->has_ua, q->ua, q->ua_len); break;
    case HTTP_COL_STATUS:
        v->null = !r;
        v->i = r ? r->status : 0;
        break;
    case HTTP_COL_SERVER: if (r) set_text(v, r->has_server, r->server, r->server_len); break;
    case HTTP_COL_CTYPE: if (r) set_text(v, r->has_ctype, r->ctype, r->ctype_len); break;
    default: break;
    }
}

/* the first request's or response's text (the one the columns show) was cut */
static bool http_cols_cut(const void *out, const void *in)
{
    const http_sum *q = first_of(out, in, false), *r = first_of(out, in, true);
    return (q && q->req_cut) || (r && r->resp_cut);
}

static const iof__feat_cols http_cols = {
    .declare = http_declare,
    .get = http_get,
    .count = iof__feat_no_lists,
    .cut = http_cols_cut,
};

const iof__feature iof__feat_http = {
    .name = "http",
    .joy_slot = IOF_FEAT_JOY_MODULES,
    .enabled = http_enabled,
    .state_size = http_size,
    .clean_size = http_clean,
    .used = http_used,
    .update = http_update,
    .idle = http_idle,
    .joy_json = http_json,
    .cols = &http_cols,
    .cut = http_cut,
};
