/* flow/snimap: the run's SNI map with exact answers — a ClientHello in one segment or gathered
 * from in-order segments (retransmissions ignored, a gap or a snaplen cut counted), the name
 * lowercase with control bytes escaped, seen from either side, from the hello on (at or before
 * a record's last packet) and below a horizon; a reused five-tuple gives the newest name its
 * time allows; what is not read (no name, damaged, too long, slots taken) and the connection
 * cap, each counted; and the `sni` attribute the label rules read through a custom-flow record. */
#include <string.h>

#include "common/err.h"
#include "flow/snimap.h"
#include "kinds/customflow.h"
#include "labels/rules.h"
#include "test.h"

#define S 1000000000LL

static uint8_t hello[20000];

/* A ClientHello record with server name `name` (NULL: no server_name extension) and `pad` bytes
 * of padding extension; returns its length. */
static size_t mk_hello(const char *name, size_t pad)
{
    uint8_t *p = hello;
    size_t n = 0, ext = 0;
    uint8_t e[18000];
    if (name) {
        size_t l = strlen(name);
        uint8_t sn[] = { 0, 0, (uint8_t)((l + 5) >> 8), (uint8_t)(l + 5), (uint8_t)((l + 3) >> 8), (uint8_t)(l + 3), 0,
                         (uint8_t)(l >> 8), (uint8_t)l };
        memcpy(e + ext, sn, sizeof sn);
        ext += sizeof sn;
        memcpy(e + ext, name, l);
        ext += l;
    }
    if (pad) {
        uint8_t ph[] = { 0, 21, (uint8_t)(pad >> 8), (uint8_t)pad };
        memcpy(e + ext, ph, 4);
        memset(e + ext + 4, 0, pad);
        ext += 4 + pad;
    }
    size_t body = 2 + 32 + 1 + 2 + 2 + 2 + 2 + ext; /* version random sid suites comp extlen ext */
    size_t rec = 4 + body;
    p[n++] = 22;
    p[n++] = 3;
    p[n++] = 1;
    p[n++] = (uint8_t)(rec >> 8);
    p[n++] = (uint8_t)rec;
    p[n++] = 1;
    p[n++] = (uint8_t)(body >> 16);
    p[n++] = (uint8_t)(body >> 8);
    p[n++] = (uint8_t)body;
    p[n++] = 3;
    p[n++] = 3;
    memset(p + n, 0xab, 32);
    n += 32;
    p[n++] = 0;        /* session id */
    p[n++] = 0;
    p[n++] = 2;        /* suites */
    p[n++] = 0x13;
    p[n++] = 0x01;
    p[n++] = 1;        /* compression */
    p[n++] = 0;
    p[n++] = (uint8_t)(ext >> 8);
    p[n++] = (uint8_t)ext;
    memcpy(p + n, e, ext);
    return n + ext;
}

static const uint8_t CLI[16] = { 192, 168, 1, 20 }, SRV[16] = { 52, 1, 2, 3 };
static uint64_t fed;

/* A TCP segment client:port -> server:443 with sequence number seq carrying caplen of its len
 * bytes from data. */
static iof__pkt mkseg(uint16_t port, uint32_t seq, const uint8_t *data, size_t caplen, size_t len, int64_t ts)
{
    iof__pkt p;
    memset(&p, 0, sizeof p);
    p.ts_ns = ts;
    p.flags = IOF_PKT_HAS_PORTS;
    p.ipver = 4;
    p.proto = 6;
    memcpy(p.src_ip, CLI, 16);
    memcpy(p.dst_ip, SRV, 16);
    p.sport = port;
    p.dport = 443;
    p.tcp_seq = seq;
    p.data = data;
    p.payload_caplen = (uint32_t)caplen;
    p.payload_len = (uint32_t)len;
    return p;
}

/* Bytes [off, off+len) of hello as a segment with seq 1000+off, fed to m. */
static int seg(iof__snimap *m, uint16_t port, size_t off, size_t len, int64_t ts)
{
    iof__pkt p = mkseg(port, (uint32_t)(1000 + off), hello + off, len, len, ts);
    return iof__snimap_packet(m, &p, ++fed);
}

static const char *look(const iof__snimap *m, uint16_t port, int64_t at, uint64_t hz)
{
    return iof__snimap_lookup(m, 4, CLI, port, SRV, 443, at, hz);
}

static iof__snimap_stats stats(const iof__snimap *m)
{
    iof__snimap_stats st;
    iof__snimap_get_stats(m, &st);
    return st;
}

/* One segment; the name lowercase; either side; from the hello on; below the horizon. */
static void test_one_segment(void)
{
    iof__snimap *m;
    ASSERT_EQ_INT(iof__snimap_create(&m, 0), IOF_OK);
    size_t n = mk_hello("API.Example.COM", 0);
    uint64_t before = fed;
    ASSERT_EQ_INT(seg(m, 40000, 0, n, 5 * S), IOF_OK);
    ASSERT_EQ_STR(look(m, 40000, 5 * S, fed), "api.example.com");
    ASSERT_EQ_STR(iof__snimap_lookup(m, 4, SRV, 443, CLI, 40000, 6 * S, fed), "api.example.com");
    ASSERT_TRUE(look(m, 40000, 5 * S - 1, fed) == NULL); /* a record that ended before it */
    ASSERT_TRUE(look(m, 40000, 6 * S, before) == NULL);   /* emitted before it */
    ASSERT_TRUE(look(m, 40001, 6 * S, fed) == NULL);      /* another connection */
    ASSERT_TRUE(iof__snimap_lookup(m, 6, CLI, 40000, SRV, 443, 6 * S, fed) == NULL);
    ASSERT_EQ_INT(seg(m, 40000, 0, n, 7 * S), IOF_OK);    /* a retransmission: known */
    iof__snimap_stats st = stats(m);
    ASSERT_EQ_U64(st.hellos, 2);
    ASSERT_EQ_U64(st.named, 2);
    ASSERT_EQ_U64(st.known, 1);
    ASSERT_EQ_U64(st.conns, 1);
    ASSERT_EQ_U64(st.max_conns, IOF_SNIMAP_MAX_CONNS);
    /* control bytes and '\' escaped, so a NUL cannot cut the name */
    n = mk_hello("a\001b\\c", 0);
    hello[n - 4] = 0; /* "a\0b\c" */
    ASSERT_EQ_INT(seg(m, 40002, 0, n, 8 * S), IOF_OK);
    ASSERT_EQ_STR(look(m, 40002, 8 * S, fed), "a\\000b\\\\c");
    /* ASCII lowercased; bytes outside well-formed UTF-8 as \DDD (not U+FFFD: no collisions) */
    n = mk_hello("Ab\xff\xc3(\xc3\xa9", 0);
    ASSERT_EQ_INT(seg(m, 40003, 0, n, 9 * S), IOF_OK);
    ASSERT_EQ_STR(look(m, 40003, 9 * S, fed), "ab\\255\\195(\xc3\xa9");
    iof__snimap_destroy(m);
}

/* A hello over three segments: learnt at the last one; a retransmitted first segment in between
 * is ignored; a gap, a reordering or a snaplen cut ends the gathering (counted). */
static void test_gathered(void)
{
    iof__snimap *m;
    ASSERT_EQ_INT(iof__snimap_create(&m, 0), IOF_OK);
    size_t n = mk_hello("cloud.example.org", 3000);
    ASSERT_EQ_INT(seg(m, 41000, 0, 1400, 1 * S), IOF_OK);
    ASSERT_TRUE(look(m, 41000, 9 * S, fed) == NULL);
    ASSERT_EQ_INT(seg(m, 41000, 0, 1400, 1 * S + 10), IOF_OK); /* retransmitted */
    ASSERT_EQ_INT(seg(m, 41000, 1400, 1400, 1 * S + 20), IOF_OK);
    ASSERT_TRUE(look(m, 41000, 9 * S, fed) == NULL);
    ASSERT_EQ_INT(seg(m, 41000, 2800, n - 2800, 1 * S + 30), IOF_OK);
    ASSERT_EQ_STR(look(m, 41000, 1 * S + 30, fed), "cloud.example.org");
    ASSERT_TRUE(look(m, 41000, 1 * S + 29, fed) == NULL); /* learnt when it was whole */
    iof__snimap_stats st = stats(m);
    ASSERT_EQ_U64(st.hellos, 1); /* the retransmitted start belongs to the gathering */
    ASSERT_EQ_U64(st.gathered, 1);
    ASSERT_EQ_U64(st.named, 1);
    ASSERT_EQ_U64(st.pending_dropped, 0);
    /* a gap */
    ASSERT_EQ_INT(seg(m, 41001, 0, 1400, 2 * S), IOF_OK);
    ASSERT_EQ_INT(seg(m, 41001, 2800, n - 2800, 2 * S), IOF_OK);
    /* a snaplen cut of the first segment: nothing to gather from */
    iof__pkt p = mkseg(41002, 1000, hello, 96, 1400, 3 * S);
    ASSERT_EQ_INT(iof__snimap_packet(m, &p, ++fed), IOF_OK);
    /* still gathering at the end */
    ASSERT_EQ_INT(seg(m, 41003, 0, 1400, 4 * S), IOF_OK);
    st = stats(m);
    ASSERT_EQ_U64(st.cut, 2);
    ASSERT_EQ_U64(st.pending_dropped, 1);
    ASSERT_TRUE(look(m, 41001, 9 * S, fed) == NULL);
    iof__snimap_destroy(m);
}

/* Not read, each counted: no server_name, a damaged hello, one longer than IOF_SNIMAP_MAX_HELLO,
 * one whose handshake goes on past its record, a name over 255 bytes; not TLS: nothing. */
static void test_not_read(void)
{
    iof__snimap *m;
    ASSERT_EQ_INT(iof__snimap_create(&m, 0), IOF_OK);
    size_t n = mk_hello(NULL, 0);
    ASSERT_EQ_INT(seg(m, 42000, 0, n, S), IOF_OK);
    n = mk_hello("x.example", 0);
    hello[43] = 40; /* session id length 40 > 32 */
    ASSERT_EQ_INT(seg(m, 42001, 0, n, S), IOF_OK);
    n = mk_hello("x.example", 17000);
    ASSERT_EQ_INT(seg(m, 42002, 0, 1400, S), IOF_OK);
    n = mk_hello("x.example", 0);
    hello[3] = 0; /* record of 20 bytes: the handshake is longer */
    hello[4] = 20;
    ASSERT_EQ_INT(seg(m, 42003, 0, n, S), IOF_OK);
    char longname[300];
    memset(longname, 'a', 299);
    longname[299] = 0;
    n = mk_hello(longname, 0);
    ASSERT_EQ_INT(seg(m, 42004, 0, n, S), IOF_OK);
    memcpy(hello, "GET / HTTP/1.1\r\n", 16);
    ASSERT_EQ_INT(seg(m, 42005, 0, 16, S), IOF_OK);
    iof__snimap_stats st = stats(m);
    ASSERT_EQ_U64(st.hellos, 5);
    ASSERT_EQ_U64(st.no_name, 1);
    ASSERT_EQ_U64(st.damaged, 2);
    ASSERT_EQ_U64(st.too_long, 2);
    ASSERT_EQ_U64(st.conns, 0);
    iof__snimap_destroy(m);
}

/* A five-tuple used again: the newest name whose hello came by the time asked. */
static void test_reused_port(void)
{
    iof__snimap *m;
    ASSERT_EQ_INT(iof__snimap_create(&m, 0), IOF_OK);
    size_t n = mk_hello("first.example", 0);
    ASSERT_EQ_INT(seg(m, 43000, 0, n, 10 * S), IOF_OK);
    n = mk_hello("second.example", 0);
    ASSERT_EQ_INT(seg(m, 43000, 0, n, 100 * S), IOF_OK);
    ASSERT_EQ_STR(look(m, 43000, 50 * S, fed), "first.example");
    ASSERT_EQ_STR(look(m, 43000, 100 * S, fed), "second.example");
    ASSERT_EQ_STR(look(m, 43000, 200 * S, fed - 1), "first.example");
    /* a third connection whose hello has no name: it does not take the second's */
    n = mk_hello(NULL, 0);
    ASSERT_EQ_INT(seg(m, 43000, 0, n, 300 * S), IOF_OK);
    ASSERT_TRUE(look(m, 43000, 300 * S, fed) == NULL);
    ASSERT_EQ_STR(look(m, 43000, 299 * S, fed), "second.example");
    ASSERT_EQ_U64(stats(m).masks, 1);
    /* a new hello while the tuple's gathering is open (its sequence numbers elsewhere): the
     * gathering ends (cut, masked), the new hello is read */
    n = mk_hello("big.example", 3000);
    ASSERT_EQ_INT(seg(m, 43001, 0, 1400, 400 * S), IOF_OK);
    n = mk_hello("new.example", 0);
    iof__pkt p = mkseg(43001, 1000u + 0x80000000u, hello, n, n, 401 * S); /* 2^31 away: no overflow */
    ASSERT_EQ_INT(iof__snimap_packet(m, &p, ++fed), IOF_OK);
    ASSERT_EQ_STR(look(m, 43001, 401 * S, fed), "new.example");
    iof__snimap_stats st = stats(m);
    ASSERT_EQ_U64(st.cut, 1);
    ASSERT_EQ_U64(st.hellos, 5);
    ASSERT_EQ_U64(st.named, 3);
    iof__snimap_destroy(m);
}

/* Caps: connections (the smallest cap with a small --max-memory) and gathering slots (a stale
 * one gives its slot up). */
static void test_caps(void)
{
    iof__snimap *m;
    ASSERT_EQ_INT(iof__snimap_create(&m, 1), IOF_OK);
    ASSERT_EQ_U64(stats(m).max_conns, IOF_SNIMAP_MIN_CONNS);
    size_t n = mk_hello("c.example", 0);
    for (unsigned i = 0; i <= IOF_SNIMAP_MIN_CONNS; i++)
        ASSERT_EQ_INT(seg(m, (uint16_t)(1024 + i), 0, n, S), IOF_OK);
    iof__snimap_stats st = stats(m);
    ASSERT_EQ_U64(st.conns, IOF_SNIMAP_MIN_CONNS);
    ASSERT_EQ_U64(st.dropped_cap, 1);
    ASSERT_EQ_STR(look(m, 1024, S, fed), "c.example");
    iof__snimap_destroy(m);
    ASSERT_EQ_INT(iof__snimap_create(&m, 0), IOF_OK);
    n = mk_hello("g.example", 3000);
    for (unsigned i = 0; i < 3 * IOF_SNIMAP_PENDING; i++)
        ASSERT_EQ_INT(seg(m, (uint16_t)(20000 + i), 0, 1400, S), IOF_OK);
    st = stats(m);
    ASSERT_TRUE(st.pending_full >= 2 * IOF_SNIMAP_PENDING);
    ASSERT_EQ_U64(st.pending_dropped, 3 * IOF_SNIMAP_PENDING - st.pending_full);
    uint64_t full = st.pending_full;
    /* 11 s later every slot is stale: a new hello takes one, the old gathering is dropped */
    ASSERT_EQ_INT(seg(m, 30000, 0, 1400, 12 * S), IOF_OK);
    ASSERT_EQ_INT(seg(m, 30000, 1400, 1400, 12 * S), IOF_OK);
    ASSERT_EQ_INT(seg(m, 30000, 2800, n - 2800, 12 * S), IOF_OK);
    ASSERT_EQ_STR(look(m, 30000, 12 * S, fed), "g.example");
    st = stats(m);
    ASSERT_EQ_U64(st.pending_full, full);
    iof__snimap_destroy(m);
}

/* The rules' `sni` through a custom-flow record: the key's connection, at its last packet. */
static void test_rule(void)
{
    static const char text[] = "key t default \"other\" on-missing \"unnamed\"\n"
                               "t = \"ikea\" if sni \"*.IKEA.com\"\n";
    iof__ruleset *rs;
    char err[IOF_RULES_ERR_LEN];
    ASSERT_EQ_INT(iof__rules_load_mem("t.rules", text, sizeof text - 1, IOF_RULES_NO_INCLUDE, &rs, err, sizeof err),
                  0);
    iof__snimap *m;
    ASSERT_EQ_INT(iof__snimap_create(&m, 0), IOF_OK);
    size_t n = mk_hello("hub.ikea.com", 0);
    ASSERT_EQ_INT(seg(m, 44000, 0, n, 10 * S), IOF_OK);
    iof__namemaps maps = { .sni = m };
    iof__cfrec r;
    memset(&r, 0, sizeof r);
    r.ipver = 4;
    r.proto = 6;
    r.first_dir = 1;
    memcpy(r.dev_ip, CLI, 16);
    memcpy(r.rem_ip, SRV, 16);
    r.dev_port = 44000;
    r.rem_port = 443;
    r.first_ns = 9 * S; /* the SYN before the hello */
    r.last_ns = 11 * S;
    r.names_horizon = fed;
    iof__lbl_attrs a;
    iof__lbl_result res[1];
    iof__cf_lbl_attrs(&r, NULL, &maps, &a);
    ASSERT_TRUE(a.has & IOF_LBL_HAS_SNI);
    iof__rules_eval(rs, &a, res);
    ASSERT_EQ_STR(res[0].value, "ikea");
    r.last_ns = 9 * S + 1; /* a record that ended before the hello */
    iof__cf_lbl_attrs(&r, NULL, &maps, &a);
    iof__rules_eval(rs, &a, res);
    ASSERT_EQ_STR(res[0].value, "unnamed");
    r.last_ns = 11 * S;
    r.proto = 17; /* UDP: no TCP connection */
    iof__cf_lbl_attrs(&r, NULL, &maps, &a);
    ASSERT_TRUE(!(a.has & IOF_LBL_HAS_SNI));
    iof__snimap_destroy(m);
    iof__rules_free(rs);
}

int main(void)
{
    static const iof_test tests[] = { TEST(test_one_segment), TEST(test_gathered), TEST(test_not_read),
                                      TEST(test_reused_port), TEST(test_caps), TEST(test_rule), { 0, 0 } };
    return iof_test_run(tests);
}
