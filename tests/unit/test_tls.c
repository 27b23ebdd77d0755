/* The TLS parser (src/proto/tls.c) on hand-built messages: a record header, a ClientHello with
 * suites, compression and extensions (server_name with a non-host entry first), a ServerHello,
 * hellos without extensions, malformed lengths, and every prefix of a hello from an
 * exactly-sized heap copy (ASan sees any over-read). */
#include <stdlib.h>
#include <string.h>

#include "proto/tls.h"
#include "test.h"

/* ClientHello, handshake header first: version 0x0303, random 0x11.., sid 2 bytes, suites
 * c02f 1301, compression {0}, extensions: server_name (a type-1 entry, then host "ab.io"),
 * ec_point_formats (11) */
static const uint8_t ch_tail[] = {
    0x00, 0x04, 0xc0, 0x2f, 0x13, 0x01,       /* suites */
    0x01, 0x00,                               /* compression */
    0x00, 0x18,                               /* extensions: 24 bytes */
    0x00, 0x00, 0x00, 0x0e,                   /* server_name, 14 bytes */
    0x00, 0x0c,                               /* list: 12 */
    0x01, 0x00, 0x01, 'x',                    /* name type 1 (not a host name) */
    0x00, 0x00, 0x05, 'a', 'b', '.', 'i', 'o', /* host_name "ab.io" */
    0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,       /* ec_point_formats */
};

static size_t client_hello(uint8_t *b)
{
    size_t n = 4;
    b[n++] = 3, b[n++] = 3;
    memset(b + n, 0x11, 32), n += 32;
    b[n++] = 2, b[n++] = 0xaa, b[n++] = 0xbb;
    memcpy(b + n, ch_tail, sizeof(ch_tail)), n += sizeof(ch_tail);
    b[0] = 1, b[1] = 0, b[2] = (uint8_t)((n - 4) >> 8), b[3] = (uint8_t)(n - 4);
    return n;
}

static void test_record(void)
{
    const uint8_t r[] = { 22, 3, 1, 0x02, 0x00 };
    iof__tls_record rec;
    ASSERT_EQ_INT(iof__tls_record_hdr(r, 5, &rec), IOF_PROTO_OK);
    ASSERT_EQ_INT(rec.type, 22);
    ASSERT_EQ_INT(rec.version, 0x0301);
    ASSERT_EQ_INT(rec.len, 512);
    ASSERT_EQ_INT(iof__tls_record_hdr(r, 4, &rec), IOF_PROTO_TRUNCATED);
    const uint8_t http[] = { 'G', 'E', 'T', ' ', '/' }, big[] = { 23, 3, 3, 0x48, 0x01 };
    ASSERT_EQ_INT(iof__tls_record_hdr(http, 5, &rec), IOF_PROTO_OTHER);
    ASSERT_EQ_INT(iof__tls_record_hdr(big, 5, &rec), IOF_PROTO_OTHER);   /* 18433 > 2^14+2048 */
}

static void test_client_hello(void)
{
    uint8_t b[256];
    size_t n = client_hello(b);
    iof__tls_hello h;
    ASSERT_EQ_INT(iof__tls_hello_parse(b, n, &h), IOF_PROTO_OK);
    ASSERT_EQ_INT(h.type, IOF_TLS_CLIENT_HELLO);
    ASSERT_EQ_INT(h.len, n - 4);
    ASSERT_EQ_INT(h.version, 0x0303);
    ASSERT_TRUE(h.random.p == b + 6 && h.random.len == 32);
    ASSERT_TRUE(h.sid.p == b + 39 && h.sid.len == 2);
    ASSERT_EQ_INT(h.suites.len, 4);
    ASSERT_EQ_MEM(h.suites.p, "\xc0\x2f\x13\x01", 4);
    ASSERT_EQ_INT(h.compression.len, 1);
    ASSERT_EQ_INT(h.extensions.len, 24);
    ASSERT_EQ_INT(h.n_ext, 2);
    ASSERT_EQ_INT(h.sni.len, 5);
    ASSERT_EQ_MEM(h.sni.p, "ab.io", 5);
    /* the extension walk on its own */
    iof__rd r = rd_init(h.extensions.p, h.extensions.len);
    uint16_t type;
    iof__span v;
    ASSERT_EQ_INT(iof__tls_next_ext(&r, &type, &v), IOF_TLS_EXT_ONE);
    ASSERT_EQ_INT(type, 0);
    ASSERT_EQ_INT(v.len, 14);
    ASSERT_EQ_INT(iof__tls_next_ext(&r, &type, &v), IOF_TLS_EXT_ONE);
    ASSERT_EQ_INT(type, 11);
    ASSERT_EQ_INT(iof__tls_next_ext(&r, &type, &v), IOF_TLS_EXT_NONE);
    r = rd_init(h.extensions.p, 7);
    ASSERT_EQ_INT(iof__tls_next_ext(&r, &type, &v), IOF_TLS_EXT_CUT);
}

static void test_server_hello_and_bad(void)
{
    /* ServerHello, no extensions: version, random, empty sid, suite 1301, compression 0 */
    uint8_t b[64] = { 2, 0, 0, 38, 3, 3 };
    memset(b + 6, 0x22, 32);
    b[38] = 0, b[39] = 0x13, b[40] = 0x01, b[41] = 0;
    iof__tls_hello h;
    ASSERT_EQ_INT(iof__tls_hello_parse(b, 42, &h), IOF_PROTO_OK);
    ASSERT_EQ_INT(h.type, IOF_TLS_SERVER_HELLO);
    ASSERT_EQ_INT(h.suite, 0x1301);
    ASSERT_EQ_INT(h.sid.len, 0);
    ASSERT_TRUE(h.extensions.p == NULL && h.sni.p == NULL);
    /* more bytes than the handshake length: the rest is not the hello's */
    ASSERT_EQ_INT(iof__tls_hello_parse(b, 50, &h), IOF_PROTO_OK);
    /* another handshake type; a session id over 32 */
    b[0] = 11;
    ASSERT_EQ_INT(iof__tls_hello_parse(b, 42, &h), IOF_PROTO_OTHER);
    b[0] = 2, b[38] = 33;
    ASSERT_EQ_INT(iof__tls_hello_parse(b, 42, &h), IOF_PROTO_MALFORMED);
    /* ClientHello: an odd suite list; an extension block longer than the message */
    uint8_t c[256];
    size_t n = client_hello(c);
    c[42] = 3;
    ASSERT_EQ_INT(iof__tls_hello_parse(c, n, &h), IOF_PROTO_MALFORMED);
    n = client_hello(c);
    c[50] = 0x19;
    ASSERT_EQ_INT(iof__tls_hello_parse(c, n, &h), IOF_PROTO_MALFORMED);
}

static void test_every_prefix(void)
{
    uint8_t b[256];
    size_t n = client_hello(b);
    for (size_t k = 0; k < n; k++) {
        uint8_t *p = malloc(k ? k : 1);
        ASSERT_TRUE(p != NULL);
        memcpy(p, b, k);
        iof__tls_hello h;
        iof__proto_status st = iof__tls_hello_parse(p, k, &h);
        bool has_random = h.random.len == 32;
        /* the extension block starts 24 bytes before the end, server_name (18 bytes) first: a
         * hello cut after it still names its server; the block itself is unknown */
        bool sni_whole = k >= n - 24 + 18;
        bool sni_ok = sni_whole ? h.sni.len == 5 && memcmp(h.sni.p, "ab.io", 5) == 0 : h.sni.p == NULL;
        bool no_block = h.extensions.p == NULL && h.n_ext == 0;
        free(p);
        ASSERT_EQ_INT(st, IOF_PROTO_TRUNCATED);
        if (k >= 38)
            ASSERT_TRUE(has_random);
        ASSERT_TRUE(sni_ok);
        ASSERT_TRUE(no_block);
    }
}

static const iof_test tests[] = {
    TEST(test_record), TEST(test_client_hello), TEST(test_server_hello_and_bad),
    TEST(test_every_prefix), { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
