/* The DNS message parser (src/proto/dns.c) on hand-built messages: questions and records in
 * order, compression pointers, loops and forward pointers, label types, long names, escaping,
 * RDATA names, and every prefix of a message (each parsed from an exactly-sized heap copy so
 * ASan sees any over-read). */
#include <stdlib.h>
#include <string.h>

#include "common/nametext.h"
#include "proto/dns.h"
#include "test.h"

typedef struct { uint8_t b[2048]; size_t n; } msgbuf;

static void put(msgbuf *m, const void *p, size_t n) { memcpy(m->b + m->n, p, n); m->n += n; }
static void u8(msgbuf *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void u16(msgbuf *m, unsigned v) { u8(m, v >> 8); u8(m, v & 255); }
static void u32(msgbuf *m, uint32_t v) { u16(m, v >> 16); u16(m, v & 0xffff); }
static void hdr(msgbuf *m, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
    m->n = 0;
    u16(m, 0x1234); u16(m, flags); u16(m, qd); u16(m, an); u16(m, ns); u16(m, ar);
}
/* "a.b.c" as labels + root */
static void name(msgbuf *m, const char *dotted)
{
    while (*dotted) {
        const char *e = strchr(dotted, '.');
        size_t l = e ? (size_t)(e - dotted) : strlen(dotted);
        u8(m, (unsigned)l);
        put(m, dotted, l);
        dotted += l + (e ? 1 : 0);
    }
    u8(m, 0);
}
static void ptr(msgbuf *m, unsigned off) { u16(m, 0xc000 | off); }

/* An mDNS response: question foo.local, then A, SRV, PTR records using pointers. */
static void mdns_response(msgbuf *m)
{
    hdr(m, 0x8400, 1, 3, 0, 1);
    name(m, "foo.local");                     /* at 12 */
    u16(m, IOF_DNS_T_A); u16(m, 0x8001);      /* QU bit */
    ptr(m, 12); u16(m, IOF_DNS_T_A); u16(m, 0x8001); u32(m, 120); u16(m, 4); u8(m, 192); u8(m, 168); u8(m, 1); u8(m, 7);
    /* "My Cam._http._tcp" + a pointer to "local" */
    u8(m, 6); put(m, "My Cam", 6); u8(m, 5); put(m, "_http", 5); u8(m, 4); put(m, "_tcp", 4); ptr(m, 16);
    u16(m, IOF_DNS_T_SRV); u16(m, 1); u32(m, 120); u16(m, 8);
    u16(m, 0); u16(m, 0); u16(m, 80); ptr(m, 12);
    u8(m, 1); put(m, "7", 1); u8(m, 1); put(m, "1", 1); u8(m, 3); put(m, "168", 3); u8(m, 3); put(m, "192", 3);
    u8(m, 7); put(m, "in-addr", 7); u8(m, 4); put(m, "arpa", 4); u8(m, 0);
    u16(m, IOF_DNS_T_PTR); u16(m, 1); u32(m, 120); u16(m, 2); ptr(m, 12);
    /* additional: OPT pseudo-record with the root name */
    u8(m, 0); u16(m, IOF_DNS_T_OPT); u16(m, 1440); u32(m, 0); u16(m, 0);
}

static uint8_t *copy(const msgbuf *m, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    memcpy(p, m->b, n);
    return p;
}

static void test_query(void)
{
    msgbuf m;
    hdr(&m, 0x0100, 1, 0, 0, 0);
    name(&m, "www.example.com");
    u16(&m, IOF_DNS_T_AAAA); u16(&m, 1);
    iof__dns_msg d;
    ASSERT_EQ_INT(iof__dns_open(&d, m.b, m.n), IOF_PROTO_OK);
    ASSERT_EQ_INT(d.id, 0x1234);
    ASSERT_EQ_INT(d.flags & IOF_DNS_FLAG_QR, 0);
    iof__dns_rr rr;
    ASSERT_TRUE(iof__dns_next(&d, &rr));
    ASSERT_EQ_INT(rr.section, IOF_DNS_QD);
    ASSERT_EQ_INT(rr.type, IOF_DNS_T_AAAA);
    ASSERT_EQ_INT(rr.rclass, 1);
    char t[IOF_DNS_NAME_TEXT];
    size_t wire;
    ASSERT_EQ_INT(iof__dns_name(&d, rr.name_off, t, sizeof t, &wire), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "www.example.com");
    ASSERT_EQ_INT(wire, 17);
    ASSERT_TRUE(!iof__dns_next(&d, &rr));
    ASSERT_EQ_INT(d.status, IOF_PROTO_OK);
}

static void test_compression(void)
{
    msgbuf m;
    mdns_response(&m);
    iof__dns_msg d;
    ASSERT_EQ_INT(iof__dns_open(&d, m.b, m.n), IOF_PROTO_OK);
    ASSERT_TRUE(d.flags & IOF_DNS_FLAG_QR);
    iof__dns_rr rr;
    char t[IOF_DNS_NAME_TEXT];
    ASSERT_TRUE(iof__dns_next(&d, &rr));
    ASSERT_TRUE(rr.top_bit);
    ASSERT_EQ_INT(rr.rclass, 1);
    ASSERT_TRUE(iof__dns_next(&d, &rr)); /* A, owner = pointer to the question */
    ASSERT_EQ_INT(rr.section, IOF_DNS_AN);
    ASSERT_EQ_INT(rr.type, IOF_DNS_T_A);
    ASSERT_EQ_INT(rr.ttl, 120);
    ASSERT_EQ_INT(rr.rdlen, 4);
    ASSERT_EQ_INT(m.b[rr.rdata_off + 3], 7);
    size_t wire;
    ASSERT_EQ_INT(iof__dns_name(&d, rr.name_off, t, sizeof t, &wire), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "foo.local");
    ASSERT_EQ_INT(wire, 2);
    ASSERT_TRUE(iof__dns_next(&d, &rr)); /* SRV: labels then a pointer into the question */
    ASSERT_EQ_INT(iof__dns_name(&d, rr.name_off, t, sizeof t, &wire), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "My Cam._http._tcp.local");
    ASSERT_EQ_INT(wire, 7 + 6 + 5 + 2);
    ASSERT_EQ_INT(iof__dns_rr_target(&d, &rr, t, sizeof t), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "foo.local");
    ASSERT_TRUE(iof__dns_next(&d, &rr)); /* reverse PTR */
    ASSERT_EQ_INT(iof__dns_name(&d, rr.name_off, t, sizeof t, NULL), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "7.1.168.192.in-addr.arpa");
    ASSERT_EQ_INT(iof__dns_rr_target(&d, &rr, t, sizeof t), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "foo.local");
    ASSERT_TRUE(iof__dns_next(&d, &rr)); /* OPT, root owner */
    ASSERT_EQ_INT(rr.section, IOF_DNS_AR);
    ASSERT_EQ_INT(rr.type, IOF_DNS_T_OPT);
    ASSERT_EQ_INT(iof__dns_name(&d, rr.name_off, t, sizeof t, &wire), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, ".");
    ASSERT_EQ_INT(wire, 1);
    ASSERT_EQ_INT(iof__dns_rr_target(&d, &rr, t, sizeof t), IOF_PROTO_OTHER);
    ASSERT_TRUE(!iof__dns_next(&d, &rr));
    ASSERT_EQ_INT(d.status, IOF_PROTO_OK);
}

static iof__proto_status first_name(msgbuf *m, char *t)
{
    iof__dns_msg d;
    iof__dns_rr rr;
    iof__dns_open(&d, m->b, m->n);
    if (!iof__dns_next(&d, &rr))
        return d.status;
    return iof__dns_name(&d, rr.name_off, t, IOF_DNS_NAME_TEXT, NULL);
}

static void test_pointer_loops(void)
{
    msgbuf m;
    char t[IOF_DNS_NAME_TEXT];
    /* a pointer to itself */
    hdr(&m, 0, 1, 0, 0, 0);
    ptr(&m, 12); u16(&m, 1); u16(&m, 1);
    ASSERT_EQ_INT(first_name(&m, t), IOF_PROTO_MALFORMED);
    /* a label, then a pointer back to that label: would loop */
    hdr(&m, 0, 1, 0, 0, 0);
    u8(&m, 1); u8(&m, 'a'); ptr(&m, 12); u16(&m, 1); u16(&m, 1);
    ASSERT_EQ_INT(first_name(&m, t), IOF_PROTO_MALFORMED);
    /* two names pointing at each other: the second name's target is backwards, the first's
     * forwards (refused) */
    hdr(&m, 0, 2, 0, 0, 0);
    u8(&m, 1); u8(&m, 'a'); ptr(&m, 20); u16(&m, 1); u16(&m, 1); /* name at 12, ptr fwd */
    u8(&m, 1); u8(&m, 'b'); ptr(&m, 12); u16(&m, 1); u16(&m, 1); /* name at 20 */
    ASSERT_EQ_INT(first_name(&m, t), IOF_PROTO_MALFORMED);
    /* a pointer into the header */
    hdr(&m, 0, 1, 0, 0, 0);
    ptr(&m, 4); u16(&m, 1); u16(&m, 1);
    ASSERT_EQ_INT(first_name(&m, t), IOF_PROTO_MALFORMED);
    /* a pointer past the end */
    hdr(&m, 0, 1, 0, 0, 0);
    u8(&m, 0xc0);
    ASSERT_EQ_INT(first_name(&m, t), IOF_PROTO_TRUNCATED);
}

/* A chain of n pointers, each to the one before, ending at "x". */
static void chain(msgbuf *m, int n)
{
    hdr(m, 0, 2, 0, 0, 0);
    name(m, "x");
    u16(m, 1); u16(m, 1);
    size_t prev = 12;
    for (int i = 0; i < n - 1; i++) {
        size_t here = m->n;
        ptr(m, (unsigned)prev);
        prev = here;
    }
    ptr(m, (unsigned)prev); u16(m, 1); u16(m, 1); /* the name under test: n hops */
}

static void test_hop_cap(void)
{
    msgbuf m;
    char t[IOF_DNS_NAME_TEXT];
    iof__dns_msg d;
    /* the chain is not a record: read the last name directly */
    chain(&m, IOF_DNS_MAX_HOPS);
    iof__dns_open(&d, m.b, m.n);
    ASSERT_EQ_INT(iof__dns_name(&d, m.n - 6, t, sizeof t, NULL), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "x");
    chain(&m, IOF_DNS_MAX_HOPS + 1);
    iof__dns_open(&d, m.b, m.n);
    ASSERT_EQ_INT(iof__dns_name(&d, m.n - 6, t, sizeof t, NULL), IOF_PROTO_MALFORMED);
}

static void test_labels_and_length(void)
{
    msgbuf m;
    char t[IOF_DNS_NAME_TEXT];
    /* 0x40 and 0x80 label types */
    hdr(&m, 0, 1, 0, 0, 0);
    u8(&m, 0x41); u8(&m, 'a'); u8(&m, 0); u16(&m, 1); u16(&m, 1);
    ASSERT_EQ_INT(first_name(&m, t), IOF_PROTO_MALFORMED);
    m.b[12] = 0x81;
    ASSERT_EQ_INT(first_name(&m, t), IOF_PROTO_MALFORMED);
    /* 4 labels of 63 = 256 wire bytes with the root: one too many; 3x63 + 61 = 255: fine */
    for (int lastlen = 61; lastlen <= 62; lastlen++) {
        hdr(&m, 0, 1, 0, 0, 0);
        for (int k = 0; k < 4; k++) {
            int l = k < 3 ? 63 : lastlen;
            u8(&m, (unsigned)l);
            memset(m.b + m.n, 'a' + k, (size_t)l);
            m.n += (size_t)l;
        }
        u8(&m, 0); u16(&m, 1); u16(&m, 1);
        ASSERT_EQ_INT(first_name(&m, t), lastlen == 61 ? IOF_PROTO_OK : IOF_PROTO_MALFORMED);
    }
    /* escaping: a dot, a backslash, a control byte; UTF-8 kept */
    hdr(&m, 0, 1, 0, 0, 0);
    u8(&m, 5); put(&m, "a.b\\\x01", 5); u8(&m, 4); put(&m, "\xe2\x80\x99x", 4); u8(&m, 0);
    u16(&m, 1); u16(&m, 1);
    ASSERT_EQ_INT(first_name(&m, t), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "a\\.b\\\\\\001.\xe2\x80\x99x");
    /* bytes outside well-formed UTF-8 as \DDD (a stray byte, a cut sequence, an overlong form, a
     * surrogate), so the text is valid UTF-8 and never collides; a 4-byte sequence kept */
    hdr(&m, 0, 1, 0, 0, 0);
    u8(&m, 12); put(&m, "\xff\xc3(\xc0\xaf\xed\xa0\x80\xf0\x9f\x98\x80", 12); u8(&m, 0);
    u16(&m, 1); u16(&m, 1);
    ASSERT_EQ_INT(first_name(&m, t), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "\\255\\195(\\192\\175\\237\\160\\128\xf0\x9f\x98\x80");
    {   /* the escaper stops before a byte that does not fit (room kept for the NUL) */
        char small[6];
        size_t o = 0;
        ASSERT_TRUE(!iof__name_escape((const uint8_t *)"ab\xff", 3, 0, small, sizeof small, &o));
        ASSERT_EQ_INT(o, 2);
        o = 0;
        ASSERT_TRUE(iof__name_escape((const uint8_t *)"A\xff", 2, IOF_NAME_LOWER, small, sizeof small, &o));
        small[o] = '\0';
        ASSERT_EQ_STR(small, "a\\255");
        /* a cut never leaves half an escape or half a UTF-8 sequence */
        const char *e = "ab\\255\\.\xc3\xa9z";
        ASSERT_EQ_INT(iof__name_cut(e, strlen(e), 3), 2);
        ASSERT_EQ_INT(iof__name_cut(e, strlen(e), 6), 6);
        ASSERT_EQ_INT(iof__name_cut(e, strlen(e), 7), 6);
        ASSERT_EQ_INT(iof__name_cut(e, strlen(e), 9), 8);
        ASSERT_EQ_INT(iof__name_cut(e, strlen(e), 10), 10);
        ASSERT_EQ_INT(iof__name_cut(e, strlen(e), 99), strlen(e));
    }
    /* worst-case text (every byte escaped) fits IOF_DNS_NAME_TEXT */
    hdr(&m, 0, 1, 0, 0, 0);
    for (int k = 0; k < 4; k++) {
        int l = k < 3 ? 63 : 61;
        u8(&m, (unsigned)l);
        memset(m.b + m.n, 1, (size_t)l);
        m.n += (size_t)l;
    }
    u8(&m, 0); u16(&m, 1); u16(&m, 1);
    ASSERT_EQ_INT(first_name(&m, t), IOF_PROTO_OK);
    ASSERT_EQ_INT(strlen(t), 250 * 4 + 3);
}

/* Joy 3.0.3's text (IOF_DNS_TEXT_JOY): bytes outside 0x20..0x7e as '*', nothing escaped, the
 * root as "", across a pointer; the same checks as the escaped text. */
static void test_joy_text(void)
{
    msgbuf m;
    char t[IOF_DNS_NAME_TEXT];
    size_t wire = 0;
    hdr(&m, 0, 1, 0, 0, 0);
    u8(&m, 6); put(&m, "a.b\\\x01\"", 6); u8(&m, 4); put(&m, "\xe2\x80\x7fx", 4); u8(&m, 0);
    u16(&m, 1); u16(&m, 1);
    iof__dns_msg d;
    ASSERT_EQ_INT(iof__dns_open(&d, m.b, m.n), IOF_PROTO_OK);
    ASSERT_EQ_INT(iof__dns_name_text(&d, 12, IOF_DNS_TEXT_JOY, t, sizeof t, &wire), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "a.b\\*\".***x");
    ASSERT_EQ_INT(wire, 13);
    /* a name through a pointer: "x" + pointer to the first name's second label */
    size_t at = m.n;
    u8(&m, 1); put(&m, "x", 1); ptr(&m, 19);
    ASSERT_EQ_INT(iof__dns_open(&d, m.b, m.n), IOF_PROTO_OK);
    ASSERT_EQ_INT(iof__dns_name_text(&d, at, IOF_DNS_TEXT_JOY, t, sizeof t, &wire), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "x.***x");
    ASSERT_EQ_INT(wire, 4);
    /* the root: "" (escaped: ".") */
    hdr(&m, 0, 1, 0, 0, 0);
    u8(&m, 0); u16(&m, 1); u16(&m, 1);
    ASSERT_EQ_INT(iof__dns_open(&d, m.b, m.n), IOF_PROTO_OK);
    ASSERT_EQ_INT(iof__dns_name_text(&d, 12, IOF_DNS_TEXT_JOY, t, sizeof t, &wire), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, "");
    ASSERT_EQ_INT(iof__dns_name(&d, 12, t, sizeof t, NULL), IOF_PROTO_OK);
    ASSERT_EQ_STR(t, ".");
    /* a self-pointer: MALFORMED in both styles, text "" */
    hdr(&m, 0, 1, 0, 0, 0);
    ptr(&m, 12); u16(&m, 1); u16(&m, 1);
    ASSERT_EQ_INT(iof__dns_open(&d, m.b, m.n), IOF_PROTO_OK);
    ASSERT_EQ_INT(iof__dns_name_text(&d, 12, IOF_DNS_TEXT_JOY, t, sizeof t, &wire),
                  IOF_PROTO_MALFORMED);
    ASSERT_EQ_STR(t, "");
}

static void test_rdata_bounds(void)
{
    msgbuf m;
    iof__dns_msg d;
    iof__dns_rr rr;
    char t[IOF_DNS_NAME_TEXT];
    /* SRV whose RDATA is too short for the fixed fields */
    hdr(&m, 0x8000, 0, 1, 0, 0);
    name(&m, "s.local"); u16(&m, IOF_DNS_T_SRV); u16(&m, 1); u32(&m, 1); u16(&m, 5);
    u16(&m, 0); u16(&m, 0); u8(&m, 0);
    iof__dns_open(&d, m.b, m.n);
    ASSERT_TRUE(iof__dns_next(&d, &rr));
    ASSERT_EQ_INT(iof__dns_rr_target(&d, &rr, t, sizeof t), IOF_PROTO_MALFORMED);
    /* PTR whose name runs past RDATA (rdlen 2, name of 5 bytes) */
    hdr(&m, 0x8000, 0, 1, 0, 0);
    name(&m, "p.local"); u16(&m, IOF_DNS_T_PTR); u16(&m, 1); u32(&m, 1); u16(&m, 2);
    name(&m, "abc");
    iof__dns_open(&d, m.b, m.n);
    ASSERT_TRUE(iof__dns_next(&d, &rr)); /* rdlen 2 fits in the message */
    ASSERT_EQ_INT(iof__dns_rr_target(&d, &rr, t, sizeof t), IOF_PROTO_MALFORMED);
    ASSERT_EQ_STR(t, "");
    /* RDATA length past the end of the message */
    hdr(&m, 0x8000, 0, 1, 0, 0);
    name(&m, "p.local"); u16(&m, IOF_DNS_T_A); u16(&m, 1); u32(&m, 1); u16(&m, 40);
    u32(&m, 0);
    iof__dns_open(&d, m.b, m.n);
    ASSERT_TRUE(!iof__dns_next(&d, &rr));
    ASSERT_EQ_INT(d.status, IOF_PROTO_TRUNCATED);
    /* counts claiming more records than there are */
    hdr(&m, 0x8000, 3, 0, 0, 0);
    name(&m, "q"); u16(&m, 1); u16(&m, 1);
    iof__dns_open(&d, m.b, m.n);
    ASSERT_TRUE(iof__dns_next(&d, &rr));
    ASSERT_TRUE(!iof__dns_next(&d, &rr));
    ASSERT_EQ_INT(d.status, IOF_PROTO_TRUNCATED);
}

/* Every prefix of a full response: no over-read, never more entries than the whole message,
 * entries seen are monotonic in the prefix length, and only the full message ends OK. */
static void test_every_prefix(void)
{
    msgbuf m;
    mdns_response(&m);
    unsigned prev = 0;
    for (size_t k = 0; k <= m.n; k++) {
        uint8_t *p = copy(&m, k);
        iof__dns_msg d;
        iof__dns_rr rr;
        unsigned seen = 0;
        char t[IOF_DNS_NAME_TEXT];
        if (iof__dns_open(&d, p, k) == IOF_PROTO_OK) {
            while (iof__dns_next(&d, &rr)) {
                seen++;
                ASSERT_EQ_INT(iof__dns_name(&d, rr.name_off, t, sizeof t, NULL), IOF_PROTO_OK);
                iof__proto_status ts = iof__dns_rr_target(&d, &rr, t, sizeof t);
                ASSERT_TRUE(ts == IOF_PROTO_OK || ts == IOF_PROTO_OTHER);
                ASSERT_TRUE(rr.rdata_off + rr.rdlen <= k);
            }
            ASSERT_EQ_INT(d.status, k == m.n ? IOF_PROTO_OK : IOF_PROTO_TRUNCATED);
        } else {
            ASSERT_TRUE(k < IOF_DNS_HDR_LEN);
        }
        ASSERT_TRUE(seen >= prev && seen <= 5);
        prev = seen;
        free(p);
    }
    ASSERT_EQ_INT(prev, 5);
}

static const iof_test tests[] = {
    TEST(test_query), TEST(test_compression), TEST(test_pointer_loops), TEST(test_hop_cap),
    TEST(test_labels_and_length), TEST(test_joy_text), TEST(test_rdata_bounds), TEST(test_every_prefix), { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
