/* The DHCP parser (src/proto/dhcp.c) on hand-built messages: a client's DISCOVER and a
 * server's OFFER, BOOTP without cookie, options past the end, wrong fixed lengths, hlen,
 * overloaded file/sname fields, the option budget, and every prefix of a message (each from an
 * exactly-sized heap copy so ASan sees any over-read). */
#include <stdlib.h>
#include <string.h>

#include "proto/dhcp.h"
#include "test.h"

typedef struct { uint8_t b[4096]; size_t n; } msgbuf;

static void put(msgbuf *m, const void *p, size_t n) { memcpy(m->b + m->n, p, n); m->n += n; }
static void u8(msgbuf *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void opt(msgbuf *m, unsigned code, const void *v, size_t n) { u8(m, code); u8(m, (unsigned)n); put(m, v, n); }

static const uint8_t client_mac[6] = { 0xb0, 0xc5, 0x54, 0x25, 0x5b, 0x0e };

static void bootp(msgbuf *m, unsigned op, bool cookie)
{
    memset(m->b, 0, sizeof(m->b));
    m->b[0] = (uint8_t)op;
    m->b[1] = 1;
    m->b[2] = 6;
    m->b[4] = 0xde; m->b[5] = 0xad; m->b[6] = 0xbe; m->b[7] = 0xef;
    memcpy(m->b + 28, client_mac, 6);
    m->n = IOF_DHCP_FIXED_LEN;
    if (cookie) {
        static const uint8_t c[4] = { 0x63, 0x82, 0x53, 0x63 };
        put(m, c, 4);
    }
}

static void discover(msgbuf *m)
{
    bootp(m, IOF_DHCP_BOOTREQUEST, true);
    opt(m, 53, "\x01", 1);
    u8(m, 0); /* a PAD between options */
    opt(m, 61, "\x01\xb0\xc5\x54\x25\x5b\x0e", 7);
    opt(m, 50, "\xc0\xa8\x01\x25", 4);
    opt(m, 12, "DCS-935L", 8);
    opt(m, 60, "udhcp 1.22.1", 12);
    opt(m, 55, "\x01\x03\x06\x0c\x0f\x1c\x2a", 7);
    u8(m, 255);
    memset(m->b + m->n, 0, 20); /* padding after END is ignored */
    m->n += 20;
}

static void test_discover(void)
{
    msgbuf m;
    discover(&m);
    iof__dhcp_msg d;
    ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_OK);
    ASSERT_EQ_INT(d.op, IOF_DHCP_BOOTREQUEST);
    ASSERT_EQ_INT(d.hlen, 6);
    ASSERT_EQ_U64(d.xid, 0xdeadbeef);
    ASSERT_EQ_MEM(d.chaddr, client_mac, 6);
    ASSERT_TRUE(d.cookie && d.end_seen);
    ASSERT_EQ_INT(d.msg_type, IOF_DHCP_DISCOVER);
    ASSERT_EQ_INT(d.n_options, 6);
    ASSERT_EQ_INT(d.hostname.len, 8);
    ASSERT_EQ_MEM(d.hostname.p, "DCS-935L", 8);
    ASSERT_EQ_INT(d.vendor_class.len, 12);
    ASSERT_EQ_MEM(d.vendor_class.p, "udhcp 1.22.1", 12);
    ASSERT_EQ_INT(d.param_list.len, 7);
    ASSERT_EQ_INT(d.client_id.len, 7);
    ASSERT_TRUE(d.has_requested_ip);
    ASSERT_EQ_INT(d.requested_ip[3], 0x25);
    ASSERT_TRUE(!d.has_router && !d.has_server_id);
}

static void test_offer(void)
{
    msgbuf m;
    bootp(&m, IOF_DHCP_BOOTREPLY, true);
    m.b[16] = 192; m.b[17] = 168; m.b[18] = 1; m.b[19] = 37; /* yiaddr */
    opt(&m, 53, "\x02", 1);
    opt(&m, 54, "\xc0\xa8\x01\x01", 4);
    opt(&m, 51, "\x00\x01\x51\x80", 4);
    opt(&m, 3, "\xc0\xa8\x01\x01\xc0\xa8\x01\x02", 8);
    opt(&m, 12, "second-instance-ignored", 23);
    opt(&m, 12, "x", 1);
    u8(&m, 255);
    iof__dhcp_msg d;
    ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_OK);
    ASSERT_EQ_INT(d.msg_type, IOF_DHCP_OFFER);
    ASSERT_EQ_INT(d.yiaddr[3], 37);
    ASSERT_TRUE(d.has_server_id && d.has_router && d.has_lease);
    ASSERT_EQ_INT(d.server_id[3], 1);
    ASSERT_EQ_INT(d.router[3], 1);
    ASSERT_EQ_U64(d.lease_s, 86400);
    ASSERT_EQ_INT(d.hostname.len, 23); /* the first instance wins */
}

static void test_bootp_and_bad_header(void)
{
    msgbuf m;
    iof__dhcp_msg d;
    bootp(&m, IOF_DHCP_BOOTREQUEST, false);
    ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_OTHER);
    ASSERT_EQ_MEM(d.chaddr, client_mac, 6); /* the header is still there */
    m.b[IOF_DHCP_FIXED_LEN] = 1; m.n += 4;   /* wrong cookie */
    ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_OTHER);
    discover(&m);
    m.b[2] = 17; /* hlen > 16 */
    ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_MALFORMED);
}

static void test_bad_options(void)
{
    msgbuf m;
    iof__dhcp_msg d;
    /* an option running past the end: fields before it stay valid */
    bootp(&m, IOF_DHCP_BOOTREQUEST, true);
    opt(&m, 53, "\x03", 1);
    u8(&m, 12); u8(&m, 50); put(&m, "short", 5);
    ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_TRUNCATED);
    ASSERT_EQ_INT(d.msg_type, IOF_DHCP_REQUEST);
    ASSERT_TRUE(d.hostname.p == NULL);
    /* a code with no length byte */
    bootp(&m, IOF_DHCP_BOOTREQUEST, true);
    u8(&m, 12);
    ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_TRUNCATED);
    /* fixed-size options with the wrong length */
    static const struct { unsigned code; size_t len; } bad[] = { { 53, 2 }, { 54, 3 }, { 50, 5 }, { 51, 2 }, { 3, 6 }, { 52, 0 } };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        bootp(&m, IOF_DHCP_BOOTREQUEST, true);
        opt(&m, bad[i].code, "\x01\x02\x03\x04\x05\x06", bad[i].len);
        u8(&m, 255);
        ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_MALFORMED);
    }
    /* no END: the options end with the data */
    bootp(&m, IOF_DHCP_BOOTREQUEST, true);
    opt(&m, 53, "\x01", 1);
    ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_OK);
    ASSERT_TRUE(!d.end_seen);
    /* the option budget */
    bootp(&m, IOF_DHCP_BOOTREQUEST, true);
    for (int i = 0; i <= IOF_DHCP_MAX_OPTIONS; i++)
        opt(&m, 200, "", 0);
    u8(&m, 255);
    ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_MALFORMED);
    ASSERT_EQ_INT(d.n_options, IOF_DHCP_MAX_OPTIONS);
}

static void test_overload(void)
{
    msgbuf m;
    iof__dhcp_msg d;
    bootp(&m, IOF_DHCP_BOOTREPLY, true);
    opt(&m, 53, "\x05", 1);
    opt(&m, 52, "\x03", 1);
    u8(&m, 255);
    /* file field (offset 108): the hostname; sname field (offset 44): the vendor class */
    memcpy(m.b + 108, "\x0c\x04" "cam1" "\xff", 7);
    memcpy(m.b + 44, "\x00\x3c\x03" "abc" "\xff", 7);
    ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_OK);
    ASSERT_EQ_INT(d.overload, 3);
    ASSERT_EQ_INT(d.hostname.len, 4);
    ASSERT_EQ_MEM(d.hostname.p, "cam1", 4);
    ASSERT_EQ_INT(d.vendor_class.len, 3);
    /* an option in the file field that claims more than the field holds */
    memcpy(m.b + 108 + 120, "\x0c\x20", 2);
    memset(m.b + 108, 0, 120);
    ASSERT_EQ_INT(iof__dhcp_parse(m.b, m.n, &d), IOF_PROTO_TRUNCATED);
}

static void test_every_prefix(void)
{
    msgbuf m;
    discover(&m);
    size_t end_opt = m.n - 21; /* offset of the END option */
    for (size_t k = 0; k <= m.n; k++) {
        uint8_t *p = malloc(k ? k : 1);
        memcpy(p, m.b, k);
        iof__dhcp_msg d;
        iof__proto_status st = iof__dhcp_parse(p, k, &d);
        if (k < IOF_DHCP_FIXED_LEN)
            ASSERT_EQ_INT(st, IOF_PROTO_TRUNCATED);
        else if (k == IOF_DHCP_FIXED_LEN)
            ASSERT_EQ_INT(st, IOF_PROTO_OTHER);
        else if (k < IOF_DHCP_FIXED_LEN + 4)
            ASSERT_EQ_INT(st, IOF_PROTO_TRUNCATED);
        else if (k > end_opt)
            ASSERT_TRUE(st == IOF_PROTO_OK && d.end_seen && d.hostname.len == 8);
        else
            ASSERT_TRUE((st == IOF_PROTO_OK || st == IOF_PROTO_TRUNCATED) && !d.end_seen);
        if (d.hostname.p)
            ASSERT_TRUE(d.hostname.p + d.hostname.len <= p + k);
        if (d.vendor_class.p)
            ASSERT_TRUE(d.vendor_class.p + d.vendor_class.len <= p + k);
        free(p);
    }
}

/* The option walk on its own (Joy's dhcp[] keeps every option through it): PAD skipped, each
 * option's span, END, the end of the bytes, an option cut short. */
static void test_next_option(void)
{
    const uint8_t o[] = { 53, 1, 3, 0, 0, 12, 2, 'a', 'b', 1, 0, 255, 9 };
    iof__rd r = rd_init(o, sizeof(o));
    iof__dhcp_opt op;
    ASSERT_EQ_INT(iof__dhcp_next_option(&r, &op), IOF_DHCP_OPT_ONE);
    ASSERT_EQ_INT(op.code, 53);
    ASSERT_EQ_INT(op.val.len, 1);
    ASSERT_TRUE(op.val.p == o + 2);
    ASSERT_EQ_INT(iof__dhcp_next_option(&r, &op), IOF_DHCP_OPT_ONE);
    ASSERT_EQ_INT(op.code, 12);
    ASSERT_TRUE(op.val.p == o + 7 && op.val.len == 2);
    ASSERT_EQ_INT(iof__dhcp_next_option(&r, &op), IOF_DHCP_OPT_ONE);
    ASSERT_EQ_INT(op.code, 1);
    ASSERT_EQ_INT(op.val.len, 0);
    ASSERT_EQ_INT(iof__dhcp_next_option(&r, &op), IOF_DHCP_OPT_END);
    r = rd_init(o, 5);    /* ends after two PADs */
    ASSERT_EQ_INT(iof__dhcp_next_option(&r, &op), IOF_DHCP_OPT_ONE);
    ASSERT_EQ_INT(iof__dhcp_next_option(&r, &op), IOF_DHCP_OPT_NONE);
    r = rd_init(o, 8);    /* hostname's value cut */
    ASSERT_EQ_INT(iof__dhcp_next_option(&r, &op), IOF_DHCP_OPT_ONE);
    ASSERT_EQ_INT(iof__dhcp_next_option(&r, &op), IOF_DHCP_OPT_CUT);
    r = rd_init(o + 5, 1); /* a code without its length byte */
    ASSERT_EQ_INT(iof__dhcp_next_option(&r, &op), IOF_DHCP_OPT_CUT);
}

static const iof_test tests[] = {
    TEST(test_discover), TEST(test_offer), TEST(test_bootp_and_bad_header), TEST(test_bad_options),
    TEST(test_overload), TEST(test_every_prefix), TEST(test_next_option),
    { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
