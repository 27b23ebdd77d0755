/* HTTP/1.x message heads (src/proto/http.c) and the http feature module (src/features/f_http.c):
 * requests, responses, HEAD and 100-continue, header case and blanks, bare LF, split lines
 * (every prefix of a message, exactly-sized heap copies), missing line ends, oversized lines,
 * the header cap, non-HTTP bytes; Joy's http[] text, its filter and caps, the arena's cut; the
 * custom-flow columns (first request / response of a record, escaped text, nulls). */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "features/feature.h"
#include "proto/http.h"
#include "test.h"

static iof__proto_status parse(const char *s, iof__http_msg *m)
{
    return iof__http_parse((const uint8_t *)s, strlen(s), m);
}

static bool span_is(iof__span s, const char *v) { return s.p && s.len == strlen(v) && memcmp(s.p, v, s.len) == 0; }

static const char get_req[] =
    "GET /index.html?a=1 HTTP/1.1\r\n"
    "Host: camera.local:8080\r\n"
    "user-agent:  curl/7.88 \r\n"
    "Accept: */*\r\n"
    "\r\n"
    "BODY";

static void test_request(void)
{
    iof__http_msg m;
    ASSERT_EQ_INT(parse(get_req, &m), IOF_PROTO_OK);
    ASSERT_EQ_INT(m.kind, IOF_HTTP_REQUEST);
    ASSERT_TRUE(span_is(m.method, "GET"));
    ASSERT_TRUE(span_is(m.target, "/index.html?a=1"));
    ASSERT_TRUE(span_is(m.version, "HTTP/1.1"));
    ASSERT_EQ_INT(m.n_fields, 3);
    ASSERT_EQ_INT(m.n_lines, 3);
    ASSERT_TRUE(!m.bare_lf && !m.more_fields);
    ASSERT_TRUE(span_is(iof__http_field_get(&m, "HOST"), "camera.local:8080"));
    ASSERT_TRUE(span_is(iof__http_field_get(&m, "User-Agent"), "curl/7.88")); /* blanks trimmed */
    ASSERT_TRUE(iof__http_field_get(&m, "Server").p == NULL);
    ASSERT_EQ_INT(m.body_off, strlen(get_req) - 4);
    /* HEAD, an extension method, a target with a space between the first and last SP */
    ASSERT_EQ_INT(parse("HEAD / HTTP/1.0\r\n\r\n", &m), IOF_PROTO_OK);
    ASSERT_TRUE(span_is(m.method, "HEAD") && span_is(m.version, "HTTP/1.0") && m.n_lines == 0);
    ASSERT_EQ_INT(parse("M-SEARCH * HTTP/1.1\r\n\r\n", &m), IOF_PROTO_OK);
    ASSERT_TRUE(span_is(m.method, "M-SEARCH") && span_is(m.target, "*"));
    ASSERT_EQ_INT(parse("GET /a b HTTP/1.1\r\n\r\n", &m), IOF_PROTO_OK);
    ASSERT_TRUE(span_is(m.target, "/a b"));
}

static void test_response(void)
{
    iof__http_msg m;
    ASSERT_EQ_INT(parse("HTTP/1.1 100 Continue\r\n\r\n", &m), IOF_PROTO_OK);
    ASSERT_EQ_INT(m.kind, IOF_HTTP_RESPONSE);
    ASSERT_EQ_INT(m.status, 100);
    ASSERT_TRUE(span_is(m.reason, "Continue"));
    ASSERT_EQ_INT(parse("HTTP/1.0 404 Not Found\nServer: lighttpd\nContent-Type: text/html\n\n<html>", &m),
                  IOF_PROTO_OK);
    ASSERT_TRUE(m.bare_lf);
    ASSERT_EQ_INT(m.status, 404);
    ASSERT_TRUE(span_is(m.reason, "Not Found"));
    ASSERT_TRUE(span_is(iof__http_field_get(&m, "content-type"), "text/html"));
    /* an empty reason phrase, with or without its SP */
    ASSERT_EQ_INT(parse("HTTP/1.1 204 \r\n\r\n", &m), IOF_PROTO_OK);
    ASSERT_TRUE(m.reason.len == 0 && m.status == 204);
    ASSERT_EQ_INT(parse("HTTP/1.1 204\r\n\r\n", &m), IOF_PROTO_OK);
    ASSERT_TRUE(m.reason.len == 0);
}

static void test_not_http(void)
{
    iof__http_msg m;
    ASSERT_EQ_INT(parse("", &m), IOF_PROTO_OTHER);
    ASSERT_EQ_INT(parse("hello world\r\n\r\n", &m), IOF_PROTO_OTHER);
    ASSERT_EQ_INT(parse("GET / HTTP/2\r\n\r\n", &m), IOF_PROTO_OTHER);
    ASSERT_EQ_INT(parse("GET  HTTP/1.1\r\n\r\n", &m), IOF_PROTO_OTHER);    /* no target */
    ASSERT_EQ_INT(parse("G(T / HTTP/1.1\r\n\r\n", &m), IOF_PROTO_OTHER);   /* not a token */
    ASSERT_EQ_INT(parse("HTTP/1.1 2x0 OK\r\n\r\n", &m), IOF_PROTO_OTHER);
    ASSERT_EQ_INT(parse("HTTP/1.1 2000 OK\r\n\r\n", &m), IOF_PROTO_OTHER);
    ASSERT_EQ_INT(parse("GET /\x01 HTTP/1.1\r\n\r\n", &m), IOF_PROTO_OTHER);  /* a control byte */
    ASSERT_EQ_INT(m.kind, IOF_HTTP_NONE);
    const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x0a, 0x0d, 0x0a };
    ASSERT_EQ_INT(iof__http_parse(tls, sizeof tls, &m), IOF_PROTO_OTHER);
    /* a body's continuation: text whose first line is no start line */
    ASSERT_EQ_INT(parse("<html><body>x y z</body>\r\nfoo: bar\r\n\r\n", &m), IOF_PROTO_OTHER);
}

static void test_bad_heads(void)
{
    iof__http_msg m;
    ASSERT_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\nno colon\r\nX: y\r\n\r\n", &m), IOF_PROTO_MALFORMED);
    ASSERT_EQ_INT(m.kind, IOF_HTTP_REQUEST);
    ASSERT_TRUE(span_is(iof__http_field_get(&m, "host"), "a"));   /* kept from before the problem */
    ASSERT_EQ_INT(parse("GET / HTTP/1.1\r\n: v\r\n\r\n", &m), IOF_PROTO_MALFORMED);
    /* missing CRLF: a start line cut by the data's end is still one; a head without its end */
    ASSERT_EQ_INT(parse("GET /x HTTP/1.1", &m), IOF_PROTO_TRUNCATED);
    ASSERT_TRUE(span_is(m.target, "/x"));
    ASSERT_EQ_INT(parse("GET /x HTTP/1.1\r\nHost: h\r\n", &m), IOF_PROTO_TRUNCATED);
    ASSERT_TRUE(span_is(iof__http_field_get(&m, "host"), "h"));
    ASSERT_EQ_INT(parse("GET /x HTTP/1.1\r\nHost: h", &m), IOF_PROTO_TRUNCATED);
    ASSERT_EQ_INT(m.n_fields, 0);
    /* empty values are fields */
    ASSERT_EQ_INT(parse("GET / HTTP/1.1\r\nA:\r\nB:   \r\n\r\n", &m), IOF_PROTO_OK);
    ASSERT_TRUE(m.n_fields == 2 && m.field[0].value.len == 0 && m.field[1].value.len == 0);
}

static void test_long_lines(void)
{
    size_t n = IOF_HTTP_MAX_LINE + 64;
    char *s = malloc(n + 64);
    iof__http_msg m;
    /* a target of exactly the cap is taken; one byte more is not */
    size_t fixed = strlen("GET / HTTP/1.1") - 1;   /* the target's '/' apart */
    for (size_t extra = 0; extra < 2; extra++) {
        size_t t = IOF_HTTP_MAX_LINE - fixed + extra;
        memcpy(s, "GET ", 4);
        memset(s + 4, 'a', t);
        s[4] = '/';
        strcpy(s + 4 + t, " HTTP/1.1\r\n\r\n");
        ASSERT_EQ_INT(parse(s, &m), extra ? IOF_PROTO_OTHER : IOF_PROTO_OK);
    }
    /* an oversized header line */
    size_t k = (size_t)snprintf(s, n, "GET / HTTP/1.1\r\nX: ");
    memset(s + k, 'v', IOF_HTTP_MAX_LINE);
    strcpy(s + k + IOF_HTTP_MAX_LINE, "\r\n\r\n");
    ASSERT_EQ_INT(parse(s, &m), IOF_PROTO_MALFORMED);
    ASSERT_EQ_INT(m.kind, IOF_HTTP_REQUEST);
    /* ... and one without a break at all: the reader stops at the cap */
    s[k + IOF_HTTP_MAX_LINE] = 'v';
    s[k + IOF_HTTP_MAX_LINE + 1] = 'v';
    ASSERT_EQ_INT(parse(s, &m), IOF_PROTO_MALFORMED);
    free(s);
}

static void test_header_cap(void)
{
    char buf[4096];
    size_t o = (size_t)snprintf(buf, sizeof buf, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < IOF_HTTP_MAX_HEADERS + 3; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "X-%d: v\r\n", i);
    o += (size_t)snprintf(buf + o, sizeof buf - o, "Server: late\r\n\r\nxyz");
    iof__http_msg m;
    ASSERT_EQ_INT(parse(buf, &m), IOF_PROTO_OK);
    ASSERT_TRUE(m.more_fields);
    ASSERT_EQ_INT(m.n_fields, IOF_HTTP_MAX_HEADERS);
    ASSERT_EQ_INT(m.n_lines, IOF_HTTP_MAX_HEADERS + 4);
    ASSERT_TRUE(iof__http_field_get(&m, "server").p == NULL);
    ASSERT_EQ_INT(m.body_off, o - 3);
}

/* Every prefix of a message (split lines: the data ends anywhere): OTHER until the start line is
 * whole enough, TRUNCATED until the empty line, OK at the end; spans inside the copy. */
static void test_every_prefix(void)
{
    size_t n = strlen(get_req) - 4;   /* the head */
    for (size_t k = 0; k <= n; k++) {
        uint8_t *p = malloc(k ? k : 1);
        memcpy(p, get_req, k);
        iof__http_msg m;
        iof__proto_status st = iof__http_parse(p, k, &m);
        if (k < strlen("GET /index.html?a=1 HTTP/1.1"))
            ASSERT_EQ_INT(st, IOF_PROTO_OTHER);
        else
            ASSERT_EQ_INT(st, k == n ? IOF_PROTO_OK : IOF_PROTO_TRUNCATED);
        for (uint16_t i = 0; i < m.n_fields; i++) {
            ASSERT_TRUE(m.field[i].name.p >= p && m.field[i].name.p + m.field[i].name.len <= p + k);
            ASSERT_TRUE(m.field[i].value.p >= p && m.field[i].value.p + m.field[i].value.len <= p + k);
        }
        free(p);
    }
}

/* ---- the feature module ---- */

static alignas(16) unsigned char ext_out[32768], ext_in[32768];
/* Each side's seen bits (the modules its packets reached), as a record keeps them: the
 * modules' joy_json and cut are skipped for a module neither side's packets reached */
static uint32_t seen_out_bits, seen_in_bits;
static uint32_t *seen_of(const unsigned char *ext) { return ext == ext_out ? &seen_out_bits : &seen_in_bits; }
static uint32_t seen_pair(const unsigned char *a, const unsigned char *b) { return *seen_of(a) | (b ? *seen_of(b) : 0); }
static iof__featset fs;
static iof__tbuf tb;

static void setup(bool cols_only)
{
    iof__feat_opts o = { .http = true, .cols_only = cols_only };
    ASSERT_EQ_INT(iof__featset_init(&fs, &o), IOF_OK);
    ASSERT_TRUE(fs.ext_size <= sizeof(ext_out));
    memset(ext_out, 0, sizeof(ext_out));
    memset(ext_in, 0, sizeof(ext_in));
    seen_out_bits = seen_in_bits = 0;
}

static void feed(unsigned char *ext, const char *s, uint16_t sp, uint16_t dp, int64_t ts_us)
{
    size_t n = strlen(s);
    uint8_t *d = malloc(n ? n : 1);   /* exactly sized */
    memcpy(d, s, n);
    iof__pkt pkt = { .tcp_seq = (uint32_t)ts_us * 1000u };
    iof__feat_pkt fp = { .pkt = &pkt, .data = d, .len = (uint32_t)n, .key_proto = 6, .key_sp = sp, .key_dp = dp,
                         .ts_us = ts_us, .tcp = true };
    *seen_of(ext) = iof__featset_update(&fs, ext, &fp, *seen_of(ext));
    free(d);
}

static const char *json(bool bidir)
{
    tb.len = 0;
    iof__featset_joy_json(&fs, IOF_FEAT_JOY_MODULES, &tb, ext_out, bidir ? ext_in : NULL,
                          seen_pair(ext_out, bidir ? ext_in : NULL));
    iof__tb_putc(&tb, '\0');
    ASSERT_TRUE(!tb.oom);
    return tb.p;
}

static const char resp_200[] = "HTTP/1.1 200 OK\r\nServer: \"x\\y\"\xc3\xa9\r\nContent-Length: 3\r\n\r\nabc";

static void test_joy_text(void)
{
    setup(false);
    feed(ext_out, get_req, 40000, 80, 1);
    feed(ext_in, resp_200, 80, 40000, 2);
    feed(ext_in, "body bytes only", 80, 40000, 3);   /* no start line: not a message */
    ASSERT_EQ_STR(json(true),
                  ",\"http\":[{\"out\":[{\"method\":\"GET\"},{\"uri\":\"/index.html?a=1\"},{\"version\":\"HTTP/1.1\"},"
                  "{\"Host\":\"camera.local:8080\"},{\"user-agent\":\"curl/7.88\"},{\"Accept\":\"*/*\"},"
                  "{\"body\":\"424f4459000000000000000000000000\"}],"
                  "\"in\":[{\"version\":\"HTTP/1.1\"},{\"code\":\"200\"},{\"reason\":\"OK\"},"
                  "{\"Server\":\".x.y...\"},{\"Content-Length\":\"3\"},{\"body\":\"61626300000000000000000000000000\"}]}]");
    /* one way: out only; a second request pairs with nothing */
    feed(ext_out, "HEAD / HTTP/1.0\r\n\r\n", 40000, 80, 4);
    const char *j = json(false);
    ASSERT_TRUE(strstr(j, "\"in\"") == NULL);
    /* Joy prints a head without header lines as its body alone, from the head's last byte */
    ASSERT_TRUE(strstr(j, "},{\"out\":[{\"body\":\"2e000000000000000000000000000000\"}]}]") != NULL);
    j = json(true);
    ASSERT_TRUE(strstr(j, "{\"out\":[{\"body\":\"2e") != NULL);
}

static void test_joy_filter_and_refusals(void)
{
    setup(false);
    feed(ext_out, get_req, 40000, 8080, 1);            /* not port 80, no app 80 */
    ASSERT_EQ_STR(json(false), "");
    iof__feat_pkt fp = { .data = (const uint8_t *)get_req, .len = (uint32_t)strlen(get_req), .key_proto = 6,
                         .key_sp = 40000, .key_dp = 8080, .app_http = true };
    *seen_of(ext_out) = iof__featset_update(&fs, ext_out, &fp, *seen_of(ext_out));            /* app 80: taken */
    ASSERT_TRUE(strstr(json(false), "camera.local") != NULL);
    setup(false);
    feed(ext_out, "GET / HTTP/1.1\nHost: a\n\n", 40000, 80, 1);               /* bare LF */
    feed(ext_out, "HTTP/1.1 204 \r\nServer: a\r\n\r\n", 80, 40000, 2);          /* no reason */
    feed(ext_out, "GET / HTTP/1.1\r\nA:\r\nHost: a\r\n\r\n", 40000, 80, 3);    /* empty value */
    feed(ext_out, "GET / HTTP/1.1\r\nHost: a\r\n", 40000, 80, 4);             /* cut head */
    ASSERT_EQ_STR(json(false), "");
    /* an empty value on the last line is left out */
    feed(ext_out, "GET / HTTP/1.1\r\nHost: a\r\nA:\r\n\r\n", 40000, 80, 5);
    ASSERT_TRUE(strstr(json(false), "{\"Host\":\"a\"},{\"body\"") != NULL);
    /* a UDP record is not HTTP */
    setup(false);
    iof__feat_pkt u = { .data = (const uint8_t *)get_req, .len = (uint32_t)strlen(get_req), .key_proto = 17,
                        .key_sp = 80, .key_dp = 80 };
    *seen_of(ext_out) = iof__featset_update(&fs, ext_out, &u, *seen_of(ext_out));
    ASSERT_EQ_STR(json(false), "");
}

static size_t count(const char *s, const char *w)
{
    size_t k = 0;
    for (const char *p = s; (p = strstr(p, w)); p++)
        k++;
    return k;
}

static void test_joy_caps(void)
{
    /* 15 messages per side (Joy's HTTP_MAX_MESSAGES - 1) */
    setup(false);
    for (int i = 0; i < 20; i++)
        feed(ext_out, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 40000, 80, i);
    ASSERT_EQ_INT(count(json(false), "\"method\""), IOF_JOY_HTTP_MSGS);
    uint64_t cuts[IOF_FEAT_MAX_MODULES] = { 0 };
    iof__featset_count_cuts(&fs, ext_out, NULL, seen_pair(ext_out, NULL), cuts);
    ASSERT_EQ_U64(cuts[5], 0);   /* Joy's own cap: nothing lost against Joy */
    /* the arena: big heads end the list, counted (the registry's http, either side) */
    setup(false);
    char *big = malloc(2100);
    size_t o = (size_t)snprintf(big, 2100, "GET / HTTP/1.1\r\n");
    while (o < 1300)
        o += (size_t)snprintf(big + o, 2100 - o, "X-Long-Header-Name: %040d\r\n", 7);
    snprintf(big + o, 2100 - o, "\r\n");
    for (int i = 0; i < 7; i++)   /* about 1,480 bytes each as printed: 5 fit */
        feed(ext_in, big, 80, 40000, i);
    ASSERT_EQ_INT(count(json(true), "\"method\""), 5);
    iof__featset_count_cuts(&fs, ext_out, ext_in, seen_pair(ext_out, ext_in), cuts);
    ASSERT_EQ_U64(cuts[5], 1);
    /* Joy's window: a head ending past 2,032 bytes is not kept */
    setup(false);
    o = (size_t)snprintf(big, 2100, "GET / HTTP/1.1\r\nX: ");
    memset(big + o, 'v', 2030 - o);
    snprintf(big + 2030, 2100 - 2030, "\r\n\r\n");
    feed(ext_out, big, 40000, 80, 1);
    ASSERT_EQ_STR(json(false), "");
    big[2028] = '\r', big[2029] = '\n', big[2030] = '\r', big[2031] = '\n', big[2032] = 'B', big[2033] = 0;
    feed(ext_out, big, 40000, 80, 2);   /* the head fills the window: a body of zeros */
    ASSERT_TRUE(strstr(json(false), "{\"body\":\"00000000000000000000000000000000\"}]") != NULL);
    free(big);
}

static void cell(uint32_t col, bool bidir, iof__value *v)
{
    const iof__feature *m = fs.mod[0];
    *v = (iof__value){ .null = true };
    m->cols->get(ext_out + fs.off[0], bidir ? ext_in + fs.off[0] : NULL, col, 0, v);
}

static bool text_is(const iof__value *v, const char *s)
{
    return !v->null && v->len == strlen(s) && memcmp(v->p, s, v->len) == 0;
}

static void test_columns(void)
{
    setup(true);
    ASSERT_EQ_STR(fs.mod[0]->name, "http");
    iof__schema s;
    ASSERT_EQ_INT(iof__schema_init(&s, "t", (iof__row_ops){ 0 }), 0);
    ASSERT_EQ_INT(fs.mod[0]->cols->declare(&s, &fs.opts, true, 0, 0), 0);
    ASSERT_EQ_INT(s.n, 9);
    const char *names[] = { "http_requests", "http_responses", "http_method", "http_uri", "http_host",
                            "http_user_agent", "http_status", "http_server", "http_content_type" };
    for (size_t i = 0; i < s.n; i++)
        ASSERT_EQ_STR(s.cols[i].name, names[i]);
    iof__value v;
    cell(s.cols[0].index, true, &v);
    ASSERT_TRUE(v.null);   /* nothing seen: every cell null */
    cell(s.cols[6].index, true, &v);
    ASSERT_TRUE(v.null);
    /* any TCP port; the response came on the in side first, the request later on out */
    feed(ext_in, "HTTP/1.1 100 Continue\r\n\r\n", 8080, 40000, 5);
    feed(ext_in, resp_200, 8080, 40000, 6);
    feed(ext_out, "POST /up\x01load?q=\xff HTTP/1.1\r\nhost: h\r\n\r\n", 40000, 8080, 4);
    feed(ext_out, get_req, 40000, 8080, 7);
    feed(ext_out, "no http here\r\n", 40000, 8080, 8);
    feed(ext_out, get_req, 40000, 8080, 7);   /* the same sequence number: a retransmission */
    cell(s.cols[0].index, true, &v);
    ASSERT_TRUE(!v.null && v.i == 1);   /* a control byte in POST's target: not a request line */
    cell(s.cols[1].index, true, &v);
    ASSERT_TRUE(!v.null && v.i == 2);
    cell(s.cols[2].index, true, &v);
    ASSERT_TRUE(text_is(&v, "GET"));
    cell(s.cols[3].index, true, &v);
    ASSERT_TRUE(text_is(&v, "/index.html?a=1"));
    cell(s.cols[5].index, true, &v);
    ASSERT_TRUE(text_is(&v, "curl/7.88"));
    cell(s.cols[6].index, true, &v);
    ASSERT_TRUE(!v.null && v.i == 100);
    cell(s.cols[8].index, true, &v);
    ASSERT_TRUE(v.null);   /* 100 Continue had no Content-Type */
    iof__schema_free(&s);
    setup(true);
    ASSERT_EQ_INT(iof__schema_init(&s, "t", (iof__row_ops){ 0 }), 0);
    ASSERT_EQ_INT(fs.mod[0]->cols->declare(&s, &fs.opts, false, 0, 0), 0);
    ASSERT_EQ_INT(s.n, 9);   /* the nested layout: the same columns */
    feed(ext_in, "HTTP/1.1 100 Continue\r\n\r\n", 8080, 40000, 5);
    feed(ext_in, resp_200, 8080, 40000, 6);
    feed(ext_out, "GET /a\xc3\xa9\xff\\ HTTP/1.1\r\nhost: h\r\n\r\n", 40000, 8080, 4);
    cell(s.cols[3].index, true, &v);
    ASSERT_TRUE(text_is(&v, "/a\xc3\xa9\\255\\\\"));   /* escaped: valid UTF-8 always */
    cell(s.cols[4].index, true, &v);
    ASSERT_TRUE(text_is(&v, "h"));
    cell(s.cols[5].index, true, &v);
    ASSERT_TRUE(v.null);   /* no User-Agent */
    cell(s.cols[6].index, true, &v);
    ASSERT_TRUE(!v.null && v.i == 100);   /* the first response */
    cell(s.cols[7].index, true, &v);
    ASSERT_TRUE(v.null);   /* 100 Continue had no Server */
    cell(s.cols[6].index, false, &v);
    ASSERT_TRUE(v.null);   /* one way: out has no response */
    cell(s.cols[2].index, false, &v);
    ASSERT_TRUE(text_is(&v, "GET"));
    iof__schema_free(&s);
}

static const iof_test tests[] = {
    TEST(test_request), TEST(test_response), TEST(test_not_http), TEST(test_bad_heads), TEST(test_long_lines),
    TEST(test_header_cap), TEST(test_every_prefix), TEST(test_joy_text), TEST(test_joy_filter_and_refusals),
    TEST(test_joy_caps), TEST(test_columns), { 0, 0 },
};

int main(void)
{
    int rc = iof_test_run(tests);
    iof__tb_free(&tb);
    return rc;
}
