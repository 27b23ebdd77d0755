/* The SSDP parser and the HTTP-style header-line reader (src/proto/ssdp.c): NOTIFY, search
 * responses and M-SEARCH, header case and blanks, bare LF, not-SSDP inputs, header lines
 * without ':', the header cap, and every prefix of a message (exactly-sized heap copies). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ssdp.h"
#include "test.h"

static iof__proto_status parse(const char *s, iof__ssdp_msg *m)
{
    return iof__ssdp_parse((const uint8_t *)s, strlen(s), m);
}

static bool span_is(iof__span s, const char *v) { return s.len == strlen(v) && memcmp(s.p, v, s.len) == 0; }

static const char notify[] =
    "NOTIFY * HTTP/1.1\r\n"
    "HOST: 239.255.255.250:1900\r\n"
    "cache-control:   max-age=1800 \r\n"
    "Location: http://10.10.10.37:55430/\r\n"
    "NT: upnp:rootdevice\r\n"
    "NTS: ssdp:alive\r\n"
    "SERVER: Linux,    UPnP/1.0 DCS-935L/1.0\r\n"
    "X-User-Agent: redsonic\r\n"
    "USN: uuid:abc::upnp:rootdevice\r\n"
    "\r\n";

static void test_notify(void)
{
    iof__ssdp_msg m;
    ASSERT_EQ_INT(parse(notify, &m), IOF_PROTO_OK);
    ASSERT_EQ_INT(m.kind, IOF_SSDP_NOTIFY);
    ASSERT_EQ_INT(m.n_headers, 8);
    ASSERT_TRUE(span_is(m.server, "Linux,    UPnP/1.0 DCS-935L/1.0"));
    ASSERT_TRUE(span_is(m.location, "http://10.10.10.37:55430/"));
    ASSERT_TRUE(span_is(m.cache_control, "max-age=1800"));
    ASSERT_TRUE(span_is(m.nts, "ssdp:alive"));
    ASSERT_TRUE(span_is(m.nt, "upnp:rootdevice"));
    ASSERT_TRUE(span_is(m.usn, "uuid:abc::upnp:rootdevice"));
    ASSERT_TRUE(m.user_agent.p == NULL); /* X-User-Agent is another header */
}

static void test_response_and_search(void)
{
    iof__ssdp_msg m;
    ASSERT_EQ_INT(parse("HTTP/1.1 200 OK\nST: upnp:rootdevice\nserver: Embedded UPnP/1.0\n"
                        "LOCATION: http://10.10.10.51:80/IPCamDesc.xml\nEXT:\n\n", &m), IOF_PROTO_OK);
    ASSERT_EQ_INT(m.kind, IOF_SSDP_RESPONSE);
    ASSERT_EQ_INT(m.status, 200);
    ASSERT_TRUE(span_is(m.server, "Embedded UPnP/1.0"));
    ASSERT_TRUE(span_is(m.st, "upnp:rootdevice"));
    ASSERT_EQ_INT(m.n_headers, 4);
    ASSERT_EQ_INT(parse("M-SEARCH * HTTP/1.1\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
                        "USER-AGENT: Android/9 UPnP/1.1\r\n\r\n", &m), IOF_PROTO_OK);
    ASSERT_EQ_INT(m.kind, IOF_SSDP_MSEARCH);
    ASSERT_TRUE(span_is(m.user_agent, "Android/9 UPnP/1.1"));
    ASSERT_TRUE(span_is(m.man, "\"ssdp:discover\""));
}

static void test_not_ssdp(void)
{
    iof__ssdp_msg m;
    ASSERT_EQ_INT(parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &m), IOF_PROTO_OTHER);
    ASSERT_EQ_INT(parse("NOTIFY * HTTP/1.1", &m), IOF_PROTO_OTHER); /* no line end */
    ASSERT_EQ_INT(parse("HTTP/1.1 2x0 OK\r\n\r\n", &m), IOF_PROTO_OTHER);
    ASSERT_EQ_INT(parse("HTTP/2.0 200 OK\r\n\r\n", &m), IOF_PROTO_OTHER);
    ASSERT_EQ_INT(parse("", &m), IOF_PROTO_OTHER);
    uint8_t bin[4] = { 0, 0x0a, 0xff, 0 };
    ASSERT_EQ_INT(iof__ssdp_parse(bin, sizeof bin, &m), IOF_PROTO_OTHER);
}

static void test_bad_lines(void)
{
    iof__ssdp_msg m;
    ASSERT_EQ_INT(parse("NOTIFY * HTTP/1.1\r\nSERVER: a\r\nno colon here\r\nLOCATION: b\r\n\r\n", &m),
                  IOF_PROTO_MALFORMED);
    ASSERT_TRUE(span_is(m.server, "a")); /* kept from before the problem */
    ASSERT_TRUE(m.location.p == NULL);
    ASSERT_EQ_INT(parse("NOTIFY * HTTP/1.1\r\n : empty name\r\n\r\n", &m), IOF_PROTO_MALFORMED);
    ASSERT_EQ_INT(parse("NOTIFY * HTTP/1.1\r\nSERVER: a\r\n", &m), IOF_PROTO_TRUNCATED);
    ASSERT_TRUE(span_is(m.server, "a"));
    /* empty values and a value that is only blanks */
    ASSERT_EQ_INT(parse("NOTIFY * HTTP/1.1\r\nSERVER:\r\nLOCATION:   \r\n\r\n", &m), IOF_PROTO_OK);
    ASSERT_TRUE(m.server.len == 0 && m.location.len == 0);
}

static void test_header_cap(void)
{
    char buf[8192];
    size_t o = (size_t)snprintf(buf, sizeof buf, "NOTIFY * HTTP/1.1\r\n");
    for (int i = 0; i < IOF_SSDP_MAX_HEADERS + 5; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "X-%d: v\r\n", i);
    snprintf(buf + o, sizeof buf - o, "SERVER: late\r\n\r\n");
    iof__ssdp_msg m;
    ASSERT_EQ_INT(parse(buf, &m), IOF_PROTO_OK);
    ASSERT_TRUE(m.more_headers);
    ASSERT_EQ_INT(m.n_headers, IOF_SSDP_MAX_HEADERS);
    ASSERT_TRUE(m.server.p == NULL);
}

static void test_every_prefix(void)
{
    size_t n = strlen(notify);
    size_t first_lf = (size_t)(strchr(notify, '\n') - notify);
    for (size_t k = 0; k <= n; k++) {
        uint8_t *p = malloc(k ? k : 1);
        memcpy(p, notify, k);
        iof__ssdp_msg m;
        iof__proto_status st = iof__ssdp_parse(p, k, &m);
        if (k <= first_lf)
            ASSERT_EQ_INT(st, IOF_PROTO_OTHER);
        else
            ASSERT_EQ_INT(st, k == n ? IOF_PROTO_OK : IOF_PROTO_TRUNCATED);
        iof__span *all[] = { &m.server, &m.location, &m.usn, &m.nt, &m.nts, &m.cache_control };
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
            if (all[i]->p)
                ASSERT_TRUE(all[i]->p >= p && all[i]->p + all[i]->len <= p + k);
        free(p);
    }
}

static void test_span_ieq(void)
{
    iof__span s = { (const uint8_t *)"LoCaTiOn", 8 };
    ASSERT_TRUE(iof__span_ieq(s, "location"));
    ASSERT_TRUE(!iof__span_ieq(s, "locatio"));
    iof__span e = { NULL, 0 };
    ASSERT_TRUE(iof__span_ieq(e, ""));
}

static const iof_test tests[] = {
    TEST(test_notify), TEST(test_response_and_search), TEST(test_not_ssdp), TEST(test_bad_lines),
    TEST(test_header_cap), TEST(test_every_prefix), TEST(test_span_ieq), { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
