/* Exact-answer tests of the custom-flow policy (shared/spec/customflow.md §1, §2, §4):
 * attribution, windows, mirroring, variants, eviction, out-of-order time, payload stream. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "iotflow/iotflow.h"
#include "flow/attrib.h"
#include "flow/cflow.h"
#include "flow/key.h"
#include "kinds/customflow.h"
#include "output/outfile.h"
#include "output/parquet/pq_reader.h"
#include "output/writer.h"
#include "test.h"

#define MAXREC 64
static iof__cfrec got[MAXREC];
static int64_t got_off[MAXREC][16];
static int32_t got_size[MAXREC][16];
static int8_t got_dir[MAXREC][16];
static int16_t got_stream[MAXREC][64];
static int ngot;

static int collect(void *ctx, iof__cfrec *r)
{
    (void)ctx;
    ASSERT_TRUE(ngot < MAXREC);
    got[ngot] = *r;
    for (uint32_t k = 0; k < r->nslots && k < 16; k++) {
        got_off[ngot][k] = iof__cfrec_off_us(r)[k];
        got_size[ngot][k] = iof__cfrec_size(r)[k];
        got_dir[ngot][k] = iof__cfrec_dir(r)[k];
    }
    iof__cf_payload_stream(r, got_stream[ngot], 64);
    ngot++;
    return 0;
}

static int collect_count(void *ctx, iof__cfrec *r)
{
    (void)ctx;
    (void)r;
    ngot++;
    return 0;
}

static iof__pkt mk(int64_t ts_s_ms, const char *src, const char *dst, uint8_t proto, uint16_t sp, uint16_t dp,
                  uint32_t iplen, const uint8_t *payload, uint32_t plen)
{
    iof__pkt p;
    memset(&p, 0, sizeof(p));
    p.ts_ns = ts_s_ms * 1000000LL; /* argument in ms */
    p.ipver = 4;
    p.proto = proto;
    unsigned a, b, c, d;
    sscanf(src, "%u.%u.%u.%u", &a, &b, &c, &d);
    p.src_ip[0] = (uint8_t)a; p.src_ip[1] = (uint8_t)b; p.src_ip[2] = (uint8_t)c; p.src_ip[3] = (uint8_t)d;
    sscanf(dst, "%u.%u.%u.%u", &a, &b, &c, &d);
    p.dst_ip[0] = (uint8_t)a; p.dst_ip[1] = (uint8_t)b; p.dst_ip[2] = (uint8_t)c; p.dst_ip[3] = (uint8_t)d;
    p.sport = sp;
    p.dport = dp;
    p.ip_len = iplen;
    p.flags = IOF_PKT_HAS_PORTS | IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC;
    p.src_mac[5] = p.src_ip[3];
    p.dst_mac[5] = p.dst_ip[3];
    p.data = payload;
    p.payload_off = 0;
    p.payload_caplen = plen;
    p.payload_len = plen;
    return p;
}

static iof__cflow *table(unsigned variants, uint32_t packets, uint32_t payload, uint64_t max_flows)
{
    iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = packets, .payload = payload,
                         .max_flows = max_flows, .variants = variants, .hash_seed = 42 };
    iof__cflow *t;
    ngot = 0;
    ASSERT_EQ_INT(iof__cflow_create(&t, &c, collect, NULL), 0);
    return t;
}

static void feed(iof__cflow *t, const iof__pkt *p)
{
    iof__view v[2];
    int n = iof__attribute(p, NULL, v);
    if (n)
        ASSERT_EQ_INT(iof__cflow_packet(t, p, v, n), 0);
    else
        ASSERT_EQ_INT(iof__cflow_advance(t, p->ts_ns), 0);
}

/* --features: the policy's `finished` hook runs for both directions' states of every record,
 * before the record is emitted, whatever ends it (window, eviction, end of input) */
static int fin_calls, fin_seen_at_emit[MAXREC], fin_end[MAXREC];
static void hook_created(void *ctx, void *ext, bool zeroed) { (void)ctx, (void)ext, (void)zeroed; }
static void hook_packet(void *ctx, void *ext, const iof__pkt *p) { (void)ctx, (void)ext, (void)p; }
static void hook_finished(void *ctx, void *ext) { (void)ctx, (void)ext; fin_calls++; }
static int collect_fin(void *ctx, iof__cfrec *r)
{
    (void)ctx;
    ASSERT_TRUE(ngot < MAXREC);
    fin_seen_at_emit[ngot] = fin_calls;
    fin_end[ngot] = r->end;
    ngot++;
    return 0;
}

static void test_finished_hook(void)
{
    iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = 10, .payload = 100, .max_flows = 1,
                         .variants = IOF_VARIANT_BI, .hash_seed = 42,
                         .hooks = { .ext_size = 64, .created = hook_created, .packet = hook_packet,
                                    .finished = hook_finished } };
    iof__cflow *t;
    ngot = fin_calls = 0;
    ASSERT_EQ_INT(iof__cflow_create(&t, &c, collect_fin, NULL), 0);
    iof__pkt p = mk(0, "192.168.1.10", "8.8.8.8", 17, 5000, 53, 60, NULL, 0);
    feed(t, &p);
    p = mk(1000, "192.168.1.11", "8.8.8.8", 17, 5000, 53, 60, NULL, 0); /* the cap of 1: the first evicted */
    feed(t, &p);
    p = mk(61000, "192.168.1.11", "8.8.8.8", 17, 5000, 53, 60, NULL, 0); /* its window ended */
    feed(t, &p);
    ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), 0);
    ASSERT_EQ_INT(ngot, 3);
    int want_end[3] = { IOF_CF_END_EVICTED, IOF_CF_END_WINDOW, IOF_CF_END_EOF };
    for (int k = 0; k < 3; k++) {
        ASSERT_EQ_INT(fin_end[k], want_end[k]);
        ASSERT_EQ_INT(fin_seen_at_emit[k], 2 * (k + 1)); /* both halves, before the emit */
    }
    iof__cflow_destroy(t);
}

static void test_window_boundary(void)
{
    iof__cflow *t = table(IOF_VARIANT_BI, 10, 100, 1000);
    iof__pkt p;
    p = mk(1000, "192.168.1.10", "8.8.8.8", 17, 5000, 53, 60, NULL, 0); feed(t, &p);
    p = mk(60999, "8.8.8.8", "192.168.1.10", 17, 53, 5000, 100, NULL, 0); feed(t, &p); /* 59.999 s later: same record */
    ASSERT_EQ_INT(ngot, 0);
    p = mk(61000, "192.168.1.10", "8.8.8.8", 17, 5000, 53, 70, NULL, 0); feed(t, &p); /* exactly +60 s: new record */
    ASSERT_EQ_INT(ngot, 1);
    ASSERT_EQ_U64(got[0].packets, 2);
    ASSERT_EQ_U64(got[0].bytes, 160);
    ASSERT_EQ_INT(got[0].first_ns, 1000000000LL);
    ASSERT_EQ_INT(got_off[0][1], 59999000);
    ASSERT_EQ_INT(got_dir[0][0], 1);
    ASSERT_EQ_INT(got_dir[0][1], 0);
    ASSERT_EQ_INT(got[0].end, IOF_CF_END_WINDOW);
    ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), 0);
    ASSERT_EQ_INT(ngot, 2);
    ASSERT_EQ_INT(got[1].first_ns, 61000000000LL);
    ASSERT_EQ_INT(got[1].end, IOF_CF_END_EOF);
    ASSERT_EQ_INT(iof__cf_end_reason(&got[0]), IOF_END_WINDOW); /* --end-reason's words */
    ASSERT_EQ_INT(iof__cf_end_reason(&got[1]), IOF_END_INPUT);
    got[1].end = IOF_CF_END_SHUTDOWN;
    ASSERT_EQ_INT(iof__cf_end_reason(&got[1]), IOF_END_STOPPED);
    iof__cflow_destroy(t);
}

static void test_clock_closes_windows(void)
{
    /* another key's packet moves the clock: the first record closes by capture time */
    iof__cflow *t = table(IOF_VARIANT_BI, 10, 100, 1000);
    iof__pkt p = mk(0, "10.0.0.2", "1.1.1.1", 6, 1234, 443, 40, NULL, 0);
    feed(t, &p);
    p = mk(59000, "10.0.0.3", "1.1.1.1", 6, 1234, 443, 40, NULL, 0);
    feed(t, &p);
    ASSERT_EQ_INT(ngot, 0);
    p = mk(60000, "2.2.2.2", "3.3.3.3", 6, 1, 2, 40, NULL, 0); /* unattributed, still a clock tick */
    feed(t, &p);
    ASSERT_EQ_INT(ngot, 1);
    ASSERT_EQ_INT(got[0].dev_ip[3], 2);
    iof__cflow_destroy(t);
}

/* --end-reason: a record the clock closed while it waited behind an older open one ended by its
 * window, even when the input ends before it is written; the open one by the end of input */
static void test_flush_keeps_window_end(void)
{
    iof__cflow *t = table(IOF_VARIANT_BI, 10, 100, 1000);
    iof__pkt p = mk(100000, "10.0.0.2", "1.1.1.1", 6, 1, 443, 40, NULL, 0);
    feed(t, &p);
    p = mk(10000, "10.0.0.3", "1.1.1.1", 6, 1, 443, 40, NULL, 0); /* back in time: waits behind */
    feed(t, &p);
    ASSERT_EQ_INT(ngot, 0);
    ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), 0);
    ASSERT_EQ_INT(ngot, 2);
    ASSERT_EQ_INT(got[0].dev_ip[3], 2);
    ASSERT_EQ_INT(iof__cf_end_reason(&got[0]), IOF_END_INPUT);
    ASSERT_EQ_INT(got[1].dev_ip[3], 3);
    ASSERT_EQ_INT(iof__cf_end_reason(&got[1]), IOF_END_WINDOW);
    iof__cflow_destroy(t);
}

static void test_mirrored_device_to_device(void)
{
    iof__cflow *t = table(IOF_VARIANT_BI | IOF_VARIANT_UNI, 10, 100, 1000);
    iof__pkt p = mk(0, "192.168.1.2", "192.168.1.3", 6, 40000, 445, 52, NULL, 0);
    feed(t, &p);
    p = mk(5, "192.168.1.3", "192.168.1.2", 6, 445, 40000, 52, NULL, 0);
    feed(t, &p);
    iof__cflow_flush(t, IOF_CF_END_EOF);
    /* bi: one record per device; uni: one per device (each sent one packet) */
    ASSERT_EQ_INT(ngot, 4);
    int bi = 0, uni = 0;
    for (int i = 0; i < ngot; i++) {
        if (got[i].variant == IOF_VAR_BI) {
            bi++;
            ASSERT_EQ_U64(got[i].packets, 2);
            /* the packet a device sends is direction 1 in its own record */
            if (got[i].dev_ip[3] == 2) {
                ASSERT_EQ_INT(got_dir[i][0], 1);
                ASSERT_EQ_INT(got_dir[i][1], 0);
                ASSERT_EQ_INT(got[i].dev_port, 40000);
                ASSERT_EQ_INT(got[i].rem_port, 445);
            } else {
                ASSERT_EQ_INT(got_dir[i][0], 0);
                ASSERT_EQ_INT(got_dir[i][1], 1);
                ASSERT_EQ_INT(got[i].dev_port, 445);
            }
        } else {
            uni++;
            ASSERT_EQ_U64(got[i].packets, 1);
            ASSERT_EQ_INT(got_dir[i][0], 1);
        }
    }
    ASSERT_EQ_INT(bi, 2);
    ASSERT_EQ_INT(uni, 2);
    iof__cflow_destroy(t);
}

static void test_unidirectional_window_starts_at_first_upstream(void)
{
    iof__cflow *t = table(IOF_VARIANT_UNI, 10, 100, 1000);
    iof__pkt p = mk(0, "8.8.8.8", "10.1.1.1", 17, 53, 999, 80, NULL, 0); /* downstream only */
    feed(t, &p);
    p = mk(2000, "10.1.1.1", "8.8.8.8", 17, 999, 53, 60, NULL, 0);
    feed(t, &p);
    iof__cflow_flush(t, IOF_CF_END_EOF);
    ASSERT_EQ_INT(ngot, 1);
    ASSERT_EQ_INT(got[0].first_ns, 2000000000LL);
    ASSERT_EQ_U64(got[0].packets, 1);
    iof__cflow_destroy(t);
}

static void test_broadcast_is_remote(void)
{
    iof__pkt p = mk(0, "192.168.1.5", "255.255.255.255", 17, 68, 67, 300, NULL, 0);
    iof__view v[2];
    ASSERT_EQ_INT(iof__attribute(&p, NULL, v), 1);
    ASSERT_EQ_INT(v[0].dir, 1);
    p = mk(0, "192.168.1.5", "224.0.0.251", 17, 5353, 5353, 300, NULL, 0);
    ASSERT_EQ_INT(iof__attribute(&p, NULL, v), 1);
    p = mk(0, "8.8.8.8", "1.1.1.1", 17, 1, 2, 300, NULL, 0);
    ASSERT_EQ_INT(iof__attribute(&p, NULL, v), 0);
    p = mk(0, "169.254.1.1", "172.31.0.1", 17, 1, 2, 300, NULL, 0);
    ASSERT_EQ_INT(iof__attribute(&p, NULL, v), 2);
    p = mk(0, "172.32.0.1", "8.8.8.8", 17, 1, 2, 300, NULL, 0); /* outside 172.16/12 */
    ASSERT_EQ_INT(iof__attribute(&p, NULL, v), 0);
}

/* the anonymisation rule on hosts written as text (attrib.h): local literals only, in place */
enum { ANON_AUTHORITY, ANON_URI, ANON_DNS, ANON_DNS_ALL };
static size_t anon_text(char *buf, size_t cap, const char *in, int form)
{
    size_t n = strlen(in);
    ASSERT_TRUE(n < cap);
    memcpy(buf, in, n + 1);
    n = form == ANON_URI ? iof__uri_anon(buf, n)
      : form == ANON_AUTHORITY ? iof__authority_anon(buf, n)
                               : iof__dnsname_anon(buf, n, form == ANON_DNS_ALL);
    buf[n] = '\0';
    return n;
}

static void test_host_anon(void)
{
    static const struct { const char *in, *want; bool uri; } c[] = {
        { "192.168.1.10", "0.0.0.0", false },
        { "192.168.1.10:8080", "0.0.0.0:8080", false },
        { "10.0.0.1:80", "0.0.0.0:80", false },
        { "169.254.3.4", "0.0.0.0", false },
        { "user:pw@172.20.1.1:443", "user:pw@0.0.0.0:443", false },
        { "[fe80::1]:80", "[::]:80", false },
        { "[fd00:1:2::7]", "[::]", false },
        { "fe80::1", "::", false },                 /* unbracketed, taken whole */
        { "8.8.8.8:53", "8.8.8.8:53", false },      /* global: kept */
        { "172.32.0.1", "172.32.0.1", false },      /* outside 172.16/12 */
        { "[2001:db8::1]:80", "[2001:db8::1]:80", false },
        { "nas.local:8080", "nas.local:8080", false },
        { "192.168.1.010", "192.168.1.010", false },  /* not a strict literal */
        { "192.168.1", "192.168.1", false },
        { "", "", false },
        { "[fe80::1", "[fe80::1", false },           /* no closing bracket */
        { "[fe80::1]junk", "[fe80::1]junk", false },  /* not host[:port] */
        { "[fe80::1a2b:3cff:fe4d:5e6f%25wlan0]:8080", "[::]:8080", false },   /* RFC 6874 zone */
        { "fe80::1%eth0", "::", false },
        { "[%25eth0]", "[%25eth0]", false },
        { "[::ffff:192.168.1.20]:80", "[::]:80", false },   /* IPv4-mapped: its IPv4 address */
        { "[::ffff:8.8.8.8]:80", "[::ffff:8.8.8.8]:80", false },
        { "http://192.168.1.2:8080/api?x=1", "http://0.0.0.0:8080/api?x=1", true },
        { "HTTP://10.1.2.3", "HTTP://0.0.0.0", true },
        { "coap+tcp://[fe80::2]/x", "coap+tcp://[::]/x", true },
        { "http://example.com/192.168.1.2", "http://example.com/192.168.1.2", true },
        { "/192.168.1.2:80/", "/192.168.1.2:80/", true },   /* origin-form: no host */
        { "192.168.1.2:80", "0.0.0.0:80", true },           /* authority-form (CONNECT) */
        { "example.com:443", "example.com:443", true },
        { "*", "*", true },
    };
    char buf[128];
    for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
        size_t n = anon_text(buf, sizeof buf, c[k].in, c[k].uri ? ANON_URI : ANON_AUTHORITY);
        if (strcmp(buf, c[k].want) != 0)
            fprintf(stderr, "  %s -> %s (want %s)\n", c[k].in, buf, c[k].want);
        ASSERT_TRUE(strcmp(buf, c[k].want) == 0);
        ASSERT_EQ_U64(n, strlen(c[k].want));
    }
}

static void test_name_anon(void)
{
    ASSERT_TRUE(strcmp(iof__name_anon("192.168.1.70", true), "0.0.0.0") == 0);
    ASSERT_TRUE(strcmp(iof__name_anon("fe80::1", true), "::") == 0);
    ASSERT_TRUE(strcmp(iof__name_anon("192.168.1.70", false), "192.168.1.70") == 0);
    ASSERT_TRUE(strcmp(iof__name_anon("8.8.8.8", true), "8.8.8.8") == 0);
    ASSERT_TRUE(strcmp(iof__name_anon("nas.local", true), "nas.local") == 0);
    ASSERT_TRUE(strcmp(iof__name_anon("192.168.1.70:443", true), "192.168.1.70:443") == 0);   /* a name has no port */
    ASSERT_TRUE(strcmp(iof__name_anon("", true), "") == 0);
    ASSERT_TRUE(strcmp(iof__name_anon("fe80::1%en0", true), "::") == 0);
    ASSERT_TRUE(strcmp(iof__name_anon("::ffff:10.1.2.3", true), "::") == 0);
}

static void test_dnsname_anon(void)
{
    static const char *const v6loc = "f.6.d.3.9.a.e.f.f.f.8.7.d.8.2.9.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa";
    static const char *const v6glob = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
    static const char *const v6zero = "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa";
    static const struct { const char *in, *want; bool all; } c[] = {
        { "5.1.168.192.in-addr.arpa", "0.0.0.0.in-addr.arpa", false },
        { "255.1.168.192.IN-ADDR.ARPA", "0.0.0.0.IN-ADDR.ARPA", false },
        { "1.0.0.10.in-addr.arpa", "0.0.0.0.in-addr.arpa", false },
        { "238.219.58.216.in-addr.arpa", "238.219.58.216.in-addr.arpa", false },   /* global */
        { "238.219.58.216.in-addr.arpa", "0.0.0.0.in-addr.arpa", true },            /* mDNS: all */
        { "1.168.192.in-addr.arpa", "1.168.192.in-addr.arpa", true },               /* a zone */
        { "05.1.168.192.in-addr.arpa", "05.1.168.192.in-addr.arpa", false },        /* not strict */
        { "256.1.168.192.in-addr.arpa", "256.1.168.192.in-addr.arpa", false },
        { "x.5.1.168.192.in-addr.arpa", "x.5.1.168.192.in-addr.arpa", false },
        { "in-addr.arpa", "in-addr.arpa", true },
        { "nas.local", "nas.local", true },
        { v6loc, v6zero, false },
        { v6glob, v6glob, false },
        { v6glob, v6zero, true },
        { "8.e.f.ip6.arpa", "8.e.f.ip6.arpa", true },
        { "192.168.1.70", "0.0.0.0", false },   /* a literal as a name: iof__name_anon's rule */
        { "8.8.8.8", "8.8.8.8", true },
    };
    char buf[128];
    for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
        anon_text(buf, sizeof buf, c[k].in, c[k].all ? ANON_DNS_ALL : ANON_DNS);
        if (strcmp(buf, c[k].want) != 0)
            fprintf(stderr, "  %s -> %s (want %s)\n", c[k].in, buf, c[k].want);
        ASSERT_TRUE(strcmp(buf, c[k].want) == 0);
    }
}

/* docs/OUTPUT.md: group MACs are never devices, whatever the IP says (a camera capture made
 * ff:ff:ff:ff:ff:ff a device through a subnet broadcast to 192.168.1.255). */
static void test_group_mac_is_never_a_device(void)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
    static const uint8_t cam[6] = { 0x74, 0xda, 0x38, 0x01, 0x02, 0x03 };
    static const uint8_t nas[6] = { 0x00, 0x11, 0x32, 0x0a, 0x0b, 0x0c };
    iof__view v[2];
    /* camera -> subnet broadcast: one view, the camera's (upstream) */
    iof__pkt p = mk(0, "192.168.1.20", "192.168.1.255", 17, 5000, 5000, 60, NULL, 0);
    memcpy(p.src_mac, cam, 6);
    memcpy(p.dst_mac, bcast, 6);
    p.flags |= IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC;
    ASSERT_EQ_INT(iof__attribute(&p, NULL, v), 1);
    ASSERT_EQ_INT(v[0].dir, 1);
    ASSERT_EQ_MEM(v[0].dev_ip, p.src_ip, 4);
    /* to a multicast MAC with a private unicast IP (misconfigured sender): not a device either */
    memcpy(p.dst_mac, mcast, 6);
    ASSERT_EQ_INT(iof__attribute(&p, NULL, v), 1);
    ASSERT_EQ_INT(v[0].dir, 1);
    /* the same pair with unicast MACs: two mirrored views */
    memcpy(p.dst_mac, nas, 6);
    ASSERT_EQ_INT(iof__attribute(&p, NULL, v), 2);
    /* a group source MAC is not a station: only the receiver is a device */
    memcpy(p.src_mac, bcast, 6);
    ASSERT_EQ_INT(iof__attribute(&p, NULL, v), 1);
    ASSERT_EQ_INT(v[0].dir, 0);
    /* without MACs (raw IP links) the addresses decide, as before */
    p.flags &= ~(uint32_t)(IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC);
    ASSERT_EQ_INT(iof__attribute(&p, NULL, v), 2);
}

/* flow/key.c: the symmetric hash is the same for both directions and both mirrored views of a
 * five-tuple (so one worker builds all its records); the view hash keeps views apart. */
static void test_key_symmetric_hash(void)
{
    iof__view a[2], b[2];
    iof__pkt p = mk(0, "192.168.1.5", "192.168.1.9", 6, 40000, 443, 60, NULL, 0);
    iof__pkt q = mk(0, "192.168.1.9", "192.168.1.5", 6, 443, 40000, 60, NULL, 0);
    ASSERT_EQ_INT(iof__attribute(&p, NULL, a), 2);
    ASSERT_EQ_INT(iof__attribute(&q, NULL, b), 2);
    uint64_t s = 0x1234;
    uint64_t h = iof__key_sym_hash(s, &a[0]);
    ASSERT_EQ_U64(iof__key_sym_hash(s, &a[1]), h);
    ASSERT_EQ_U64(iof__key_sym_hash(s, &b[0]), h);
    ASSERT_EQ_U64(iof__key_sym_hash(s, &b[1]), h);
    ASSERT_TRUE(iof__key_view_hash(s, &a[0]) != iof__key_view_hash(s, &a[1]));
    ASSERT_EQ_U64(iof__key_view_hash(s, &a[0]), iof__key_view_hash(s, &b[1])); /* same view */
    /* another port, protocol or seed: another hash */
    iof__pkt r = mk(0, "192.168.1.5", "192.168.1.9", 6, 40001, 443, 60, NULL, 0);
    ASSERT_EQ_INT(iof__attribute(&r, NULL, b), 2);
    ASSERT_TRUE(iof__key_sym_hash(s, &b[0]) != h);
    r = mk(0, "192.168.1.5", "192.168.1.9", 17, 40000, 443, 60, NULL, 0);
    ASSERT_EQ_INT(iof__attribute(&r, NULL, b), 2);
    ASSERT_TRUE(iof__key_sym_hash(s, &b[0]) != h);
    ASSERT_TRUE(iof__key_sym_hash(s + 1, &a[0]) != h);
}

static void test_out_of_order_timestamps(void)
{
    iof__cflow *t = table(IOF_VARIANT_BI, 10, 100, 1000);
    iof__pkt p = mk(10000, "10.0.0.1", "9.9.9.9", 6, 1, 2, 40, NULL, 0);
    feed(t, &p);
    p = mk(9000, "9.9.9.9", "10.0.0.1", 6, 2, 1, 50, NULL, 0); /* 1 s before first_seen */
    feed(t, &p);
    iof__cflow_flush(t, IOF_CF_END_EOF);
    ASSERT_EQ_INT(ngot, 1);
    ASSERT_EQ_U64(got[0].packets, 2);
    ASSERT_EQ_INT(got_off[0][1], 0);
    iof__cf_stats st;
    iof__cflow_get_stats(t, &st);
    ASSERT_EQ_U64(st.pkt_before_first, 1);
    iof__cflow_destroy(t);
}

static void test_slots_and_payload_stream(void)
{
    iof__cflow *t = table(IOF_VARIANT_BI, 3, 4, 1000);
    static const uint8_t pl[] = { 1, 2, 3, 4, 5, 6 };
    iof__pkt p = mk(0, "10.0.0.1", "9.9.9.9", 17, 1, 2, 34, pl, 6);  /* cut to j=4 bytes */
    feed(t, &p);
    p = mk(1, "9.9.9.9", "10.0.0.1", 17, 2, 1, 28, NULL, 0);        /* no payload */
    feed(t, &p);
    p = mk(2, "10.0.0.1", "9.9.9.9", 17, 1, 2, 30, pl, 2);
    feed(t, &p);
    p = mk(3, "10.0.0.1", "9.9.9.9", 17, 1, 2, 30, pl, 2);          /* 4th packet: counted, no slot */
    feed(t, &p);
    iof__cflow_flush(t, IOF_CF_END_EOF);
    ASSERT_EQ_INT(ngot, 1);
    ASSERT_EQ_U64(got[0].packets, 4);
    ASSERT_EQ_U64(got[0].bytes, 34 + 28 + 30 + 30);
    ASSERT_EQ_INT(got[0].nslots, 3);
    static const int16_t want[] = { -4, 1, 2, 3, 4, -8, -4, -8, -4, 1, 2, -8, -1, -1 };
    for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
        ASSERT_EQ_INT(got_stream[0][k], want[k]);
    ASSERT_EQ_INT(got_off[0][2], 2000);
    iof__cflow_destroy(t);
}

/* Two slots' payload: (offset, length) each, in r's bound slot arrays. */
static void set_pay_slots(iof__cfrec *r, uint32_t off0, uint16_t len0, uint32_t off1, uint16_t len1)
{
    iof__cfrec_pay_off(r)[0] = off0, iof__cfrec_pay_len(r)[0] = len0;
    iof__cfrec_pay_off(r)[1] = off1, iof__cfrec_pay_len(r)[1] = len1;
}

static void test_stream_cut_mid_packet(void)
{
    iof__cfrec r;
    memset(&r, 0, sizeof(r));
    uint8_t pay[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };
    _Alignas(8) unsigned char slots[64];
    iof__cfrec_bind_slots(&r, slots, 2);
    r.pay = pay;
    set_pay_slots(&r, 0, 4, 4, 4);
    r.nslots = 2;
    int16_t s[9];
    iof__cf_payload_stream(&r, s, 9); /* -4 9 8 7 6 -8 -4 5 4 : cut, no -8 */
    static const int16_t want[] = { -4, 9, 8, 7, 6, -8, -4, 5, 4 };
    for (int k = 0; k < 9; k++)
        ASSERT_EQ_INT(s[k], want[k]);
}

/* A reused stream buffer: a long row then a short one; the short row's tail must read -1
 * although the buffer still held the long row's cells, and the used count is the same as a
 * fresh buffer's. */
/* The remote address as text: our IPv4 formatter writes what inet_ntop writes. */
static void test_format_remip(void)
{
    iof__cfrec r;
    memset(&r, 0, sizeof r);
    r.ipver = 4;
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (unsigned i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        for (unsigned b = 0; b < 4; b++) /* every octet value in every position, then random */
            r.rem_ip[b] = (uint8_t)(i < 1024 && b == i / 256 ? i % 256 : x >> (8 * b));
        char txt[48], want[48];
        uint32_t n = iof__cf_format_remip(&r, false, txt);
        ASSERT_TRUE(inet_ntop(AF_INET, r.rem_ip, want, sizeof want) != NULL);
        ASSERT_EQ_STR(txt, want);
        ASSERT_EQ_U64(n, strlen(want));
    }
    r.ipver = 6;
    memset(r.rem_ip, 0, sizeof r.rem_ip);
    r.rem_ip[0] = 0xfe, r.rem_ip[1] = 0x80, r.rem_ip[15] = 1;
    char txt[48];
    iof__cf_format_remip(&r, false, txt);
    ASSERT_EQ_STR(txt, "fe80::1");
}

static void test_stream_reuse(void)
{
    iof__cfrec r;
    memset(&r, 0, sizeof(r));
    uint8_t pay[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
    _Alignas(8) unsigned char slots[64];
    iof__cfrec_bind_slots(&r, slots, 2);
    r.pay = pay;
    set_pay_slots(&r, 0, 6, 6, 6);
    r.nslots = 2;
    int16_t buf[20], fresh[20];
    uint32_t dirty = 20;
    ASSERT_EQ_INT(iof__cf_payload_stream_reuse(&r, buf, 20, &dirty), 16);
    ASSERT_EQ_INT(dirty, 16);
    r.nslots = 1;
    iof__cfrec_pay_len(&r)[0] = 2;
    ASSERT_EQ_INT(iof__cf_payload_stream_reuse(&r, buf, 20, &dirty), 4);
    ASSERT_EQ_INT(iof__cf_payload_stream(&r, fresh, 20), 4);
    for (int k = 0; k < 20; k++)
        ASSERT_EQ_INT(buf[k], fresh[k]);
    ASSERT_EQ_INT(buf[4], -1);
    ASSERT_EQ_INT(buf[15], -1);
    ASSERT_EQ_INT(dirty, 4);
}

static void test_eviction_cap(void)
{
    iof__cflow *t = table(IOF_VARIANT_BI, 2, 0, 3);
    for (int i = 0; i < 5; i++) {
        char ip[32];
        snprintf(ip, sizeof(ip), "10.0.0.%d", i + 1);
        iof__pkt p = mk(i, ip, "8.8.8.8", 17, 1, 53, 40, NULL, 0);
        feed(t, &p);
    }
    /* 5 keys, cap 3: the two oldest were emitted early, flagged evicted, in creation order */
    ASSERT_EQ_INT(ngot, 2);
    ASSERT_EQ_INT(got[0].end, IOF_CF_END_EVICTED);
    ASSERT_EQ_INT(iof__cf_end_reason(&got[0]), IOF_END_EVICTED);
    ASSERT_EQ_INT(got[0].dev_ip[3], 1);
    ASSERT_EQ_INT(got[1].dev_ip[3], 2);
    iof__cf_stats st;
    iof__cflow_get_stats(t, &st);
    ASSERT_EQ_U64(st.records_evicted[0], 2);
    ASSERT_EQ_U64(st.live_records, 3);
    iof__cflow_flush(t, IOF_CF_END_EOF);
    ASSERT_EQ_INT(ngot, 5);
    iof__cflow_destroy(t);
}

/* Defined output order (docs/ARCHITECTURE.md): seq = the creating packet's ordinal among the
 * packets fed * 4 + view * 2 + variant, and records are emitted in strictly ascending seq. A
 * record is closed for packets once the clock passes its window's end, even while it waits
 * behind an older open record (it began with an out-of-order timestamp): a later packet of its
 * key starts a new record. A generated workload with backward timestamps (beyond a window),
 * device-to-device traffic (two views), both variants and a small cap checks every emission. */
#define ORD_PKTS 30000
#define ORD_CAP 64
static struct {
    int64_t ts[ORD_PKTS];
    int nv[ORD_PKTS];
    uint64_t fed;                /* packets fed so far */
    uint64_t max_seq, emitted, evicted;
    int have_max;
} ord;

static int ord_emit(void *ctx, iof__cfrec *r)
{
    (void)ctx;
    uint64_t o = r->seq / 4;
    ASSERT_TRUE(o < ord.fed);
    ASSERT_EQ_INT(r->first_ns, ord.ts[o]);          /* created by packet o */
    ASSERT_EQ_U64(r->seq % 2, r->variant);
    ASSERT_TRUE((int)(r->seq / 2 % 2) < ord.nv[o]); /* by one of its views */
    ord.emitted++;
    ord.evicted += r->end == IOF_CF_END_EVICTED;
    /* every emission: strictly ascending seq */
    ASSERT_TRUE(!ord.have_max || r->seq > ord.max_seq);
    ord.have_max = 1;
    ord.max_seq = r->seq;
    return 0;
}

/* Feeds p to t, remembering its time and view count for ord_emit; returns the view count. */
static int ord_feed(iof__cflow *t, const iof__pkt *p)
{
    iof__view v[2];
    int n = iof__attribute(p, NULL, v);
    ord.ts[ord.fed] = p->ts_ns;
    ord.nv[ord.fed] = n;
    ord.fed++;
    ASSERT_EQ_INT(iof__cflow_packet(t, p, v, n), 0);
    return n;
}

/* Packet i of a fixed workload (xorshift state *x, clock *ts_ms): mostly forward by up to 2 s,
 * 1 in 64 back by up to 100 s (beyond a window); a few regular keys (records live long enough
 * for a packet to come back after their window); with scans, every 5,000 packets 300 new keys
 * (they overflow a small cap); every 1,000 packets a new key 90 s in the past (its window closed
 * at once) and its next packet 25 s in the past (inside that window, after the clock passed
 * it); 1 key in 5 talks to another device (two views). *key: the conversation's number. */
static iof__pkt ord_packet(int i, uint64_t *x, int64_t *ts_ms, bool scans, unsigned *key)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    if (*x % 64 == 0)
        *ts_ms -= (int64_t)(*x >> 20) % 100000;
    else
        *ts_ms += (int64_t)(*x >> 24) % 2000;
    bool scan = scans && i % 5000 < 300;
    unsigned k = scan ? 100 + (unsigned)i % 5000 : (unsigned)(*x >> 40) % 6;
    int64_t at = *ts_ms;
    if (i % 1000 == 500 || i % 1000 == 501) {
        k = 1000 + (unsigned)i / 1000;
        at = *ts_ms - (i % 1000 == 500 ? 90000 : 25000);
    }
    char a[32], b[32];
    snprintf(a, sizeof(a), "10.0.0.%u", 1 + k % 8);
    if (k % 5 == 0)
        snprintf(b, sizeof(b), "10.0.1.%u", 1 + k % 3);
    else
        snprintf(b, sizeof(b), "8.8.%u.%u", k % 3, k % 4);
    *key = k;
    return (*x >> 8) & 1 ? mk(at, a, b, 17, (uint16_t)(1000 + k), 53, 60, NULL, 0)
                         : mk(at, b, a, 17, 53, (uint16_t)(1000 + k), 60, NULL, 0);
}

static void test_emission_in_seq_order(void)
{
    iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = 2, .payload = 0,
                         .max_flows = ORD_CAP, .variants = IOF_VARIANT_BI | IOF_VARIANT_UNI,
                         .hash_seed = 9 };
    memset(&ord, 0, sizeof(ord));
    iof__cflow *t;
    ASSERT_EQ_INT(iof__cflow_create(&t, &c, ord_emit, NULL), 0);
    uint64_t x = 0x243f6a8885a308d3ULL;
    int64_t ts_ms = 1700000000000LL, prev = ts_ms;
    uint64_t views = 0, backwards = 0;
    for (int i = 0; i < ORD_PKTS; i++) {
        unsigned k;
        iof__pkt p = ord_packet(i, &x, &ts_ms, true, &k);
        backwards += ts_ms < prev;
        prev = ts_ms;
        int n = ord_feed(t, &p);
        ASSERT_TRUE(n >= 1);
        views += (uint64_t)n;
    }
    ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), 0);
    iof__cf_stats st;
    iof__cflow_get_stats(t, &st);
    ASSERT_EQ_U64(ord.emitted, st.records_created[0] + st.records_created[1]);
    ASSERT_EQ_U64(st.live_records, 0);
    /* the workload reached every case it is meant to check */
    ASSERT_TRUE(backwards > 100);
    ASSERT_TRUE(views > ORD_PKTS);
    ASSERT_TRUE(ord.evicted > 100);
    ASSERT_TRUE(st.records_closed_waiting > 0);
    ASSERT_TRUE(st.pkt_before_first > 0);
    iof__cflow_destroy(t);
}

/* Out-of-order timestamps, eviction and flush keep strict seq order. */
static void test_emission_order_backward_within_window(void)
{
    iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = 2, .payload = 0,
                         .max_flows = 3, .variants = IOF_VARIANT_BI, .hash_seed = 9 };
    memset(&ord, 0, sizeof(ord));
    iof__cflow *t;
    ASSERT_EQ_INT(iof__cflow_create(&t, &c, ord_emit, NULL), 0);
    /* ms: a, then b 30 s in the past: b's window ends first but b waits behind a; c, d
     * (cap 3: a evicted), e (the clock has passed b's window: b leaves as the oldest), f
     * (closes c, d and e by window), g (flushed) */
    static const int64_t when[] = { 100000, 70000, 131000, 132000, 133000, 200000, 201000 };
    static const char *const dev[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4",
                                       "10.0.0.5", "10.0.0.6", "10.0.0.7" };
    for (int i = 0; i < 7; i++) {
        iof__pkt p = mk(1700000000000LL + when[i], dev[i], "8.8.8.8", 17, 1000, 53, 60, NULL, 0);
        ord_feed(t, &p);
    }
    ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), 0);
    ASSERT_EQ_U64(ord.emitted, 7);
    ASSERT_EQ_U64(ord.evicted, 1);
    iof__cflow_destroy(t);
}

/* A record waiting behind an older open one is closed for packets once the clock has moved to
 * or past its window's end since it was created: a later packet of its key inside that window
 * starts a new record. While the clock stands still (a late input), late records keep their
 * windows by packet time. Records still leave in creation order. */
static void test_closed_by_clock_while_waiting(void)
{
    iof__cflow *t = table(IOF_VARIANT_BI, 4, 0, 100);
    static const struct { int64_t ms; int dev; } pk[] = {
        { 100000, 1 }, /* a: open until 160 s; everything below waits behind it */
        { 30000, 2 },  /* b: window ends at 90 s, made at clock 100 */
        { 120000, 3 }, /* c: the clock moves to 120: b closed */
        { 50000, 2 },  /* inside b's window, too late: b2 (made at clock 120, ends 110) */
        { 95000, 2 },  /* the clock has not moved since b2 was made: joins b2 */
        { 130000, 4 }, /* e: the clock moves to 130: b2 closed */
        { 100000, 2 }, /* inside b2's window: b3 */
        { 10000, 5 },  /* d: a late conversation while the clock stands at 130 */
        { 20000, 5 },  /* joins d */
        { 75000, 5 },  /* past d's end (70 s): d2 (not a late packet into a closed record) */
    };
    for (int i = 0; i < 10; i++) {
        char dev[32];
        snprintf(dev, sizeof(dev), "10.0.0.%d", pk[i].dev);
        iof__pkt p = mk(1700000000000LL + pk[i].ms, dev, "8.8.8.8", 17, 1000, 53, (uint32_t)(60 + i), NULL, 0);
        feed(t, &p);
    }
    ASSERT_EQ_INT(ngot, 0); /* all wait behind a */
    iof__cf_stats st;
    iof__cflow_get_stats(t, &st);
    ASSERT_EQ_U64(st.records_closed_waiting, 2);
    ASSERT_EQ_U64(st.live_records, 8);
    iof__cflow_flush(t, IOF_CF_END_EOF);
    ASSERT_EQ_INT(ngot, 8);
    /* a, b, c, b2, e, b3, d, d2: first packet (its size) and packet count */
    static const int first[] = { 0, 1, 2, 3, 5, 6, 7, 9 }, count[] = { 1, 1, 1, 2, 1, 1, 2, 1 };
    for (int i = 0; i < 8; i++) {
        ASSERT_EQ_U64(got[i].packets, (uint64_t)count[i]);
        ASSERT_EQ_INT(got_size[i][0], 60 + first[i]);
        ASSERT_EQ_U64(got[i].seq, (uint64_t)first[i] * 4);
    }
    iof__cflow_destroy(t);
}

/* What a sharded run promises (docs/ARCHITECTURE.md, "Defined output order"): tables that each
 * see only some conversations (plus every packet's time and ordinal) emit records that, merged
 * by seq, are exactly the single table's records, backward timestamps included (no cap hit). */
#define SH_MAX 40000
typedef struct { uint64_t seq, packets, bytes; int64_t first_ns; uint32_t nslots; uint8_t end; } sh_rec;
static struct { sh_rec r[3][SH_MAX]; int n[3]; } sh;

static int sh_emit(void *ctx, iof__cfrec *r)
{
    int w = (int)(intptr_t)ctx;
    ASSERT_TRUE(sh.n[w] < SH_MAX);
    /* each table emits in ascending seq (what the run's k-way merge relies on) */
    ASSERT_TRUE(sh.n[w] == 0 || r->seq > sh.r[w][sh.n[w] - 1].seq);
    sh.r[w][sh.n[w]++] = (sh_rec){ r->seq, r->packets, r->bytes, r->first_ns, r->nslots, r->end };
    return 0;
}

static void test_sharded_equals_single(void)
{
    iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = 2, .payload = 0,
                         .max_flows = 1000000, .variants = IOF_VARIANT_BI | IOF_VARIANT_UNI,
                         .hash_seed = 9 };
    memset(&sh, 0, sizeof(sh));
    iof__cflow *one, *part[2];
    ASSERT_EQ_INT(iof__cflow_create(&one, &c, sh_emit, (void *)(intptr_t)2), 0);
    ASSERT_EQ_INT(iof__cflow_create(&part[0], &c, sh_emit, (void *)(intptr_t)0), 0);
    ASSERT_EQ_INT(iof__cflow_create(&part[1], &c, sh_emit, (void *)(intptr_t)1), 0);
    uint64_t x = 0x13198a2e03707344ULL;
    int64_t ts_ms = 1700000000000LL;
    for (int i = 0; i < ORD_PKTS; i++) {
        unsigned k;
        iof__pkt p = ord_packet(i, &x, &ts_ms, false, &k);
        iof__view v[2];
        int n = iof__attribute(&p, NULL, v);
        ASSERT_EQ_INT(iof__cflow_packet(one, &p, v, n), 0);
        /* routed by conversation (both directions, both views to one table); the other table
         * gets the packet's time only */
        int w = (int)(k % 2);
        ASSERT_EQ_INT(iof__cflow_set_ordinal(part[w], (uint64_t)i), 0);
        ASSERT_EQ_INT(iof__cflow_packet(part[w], &p, v, n), 0);
        ASSERT_EQ_INT(iof__cflow_advance(part[!w], p.ts_ns), 0);
    }
    ASSERT_EQ_INT(iof__cflow_set_ordinal(part[0], 0), IOF_E_INVAL); /* never back */
    iof__cf_stats st;
    iof__cflow_get_stats(one, &st);
    ASSERT_TRUE(st.records_closed_waiting > 0); /* the case that used to differ */
    ASSERT_EQ_INT(iof__cflow_flush(one, IOF_CF_END_EOF), 0);
    ASSERT_EQ_INT(iof__cflow_flush(part[0], IOF_CF_END_EOF), 0);
    ASSERT_EQ_INT(iof__cflow_flush(part[1], IOF_CF_END_EOF), 0);
    ASSERT_TRUE(sh.n[0] > 100 && sh.n[1] > 100);
    ASSERT_EQ_INT(sh.n[0] + sh.n[1], sh.n[2]);
    /* merge the two tables' emissions by seq and compare with the single table's */
    for (int i = 0, a = 0, b = 0; i < sh.n[2]; i++) {
        bool from_a = b >= sh.n[1] || (a < sh.n[0] && sh.r[0][a].seq < sh.r[1][b].seq);
        const sh_rec *m = from_a ? &sh.r[0][a++] : &sh.r[1][b++];
        const sh_rec *o = &sh.r[2][i];
        ASSERT_EQ_U64(m->seq, o->seq);
        ASSERT_EQ_U64(m->packets, o->packets);
        ASSERT_EQ_U64(m->bytes, o->bytes);
        ASSERT_EQ_INT(m->first_ns, o->first_ns);
        ASSERT_EQ_INT(m->nslots, o->nslots);
        ASSERT_EQ_INT(m->end, o->end);
    }
    iof__cflow_destroy(one);
    iof__cflow_destroy(part[0]);
    iof__cflow_destroy(part[1]);
}

/* A record of a count_payload_only table: its payload counted, not held. */
static int no_pay_emit(void *ctx, iof__cfrec *r)
{
    ASSERT_TRUE(r->pay == NULL && r->pay_used > 0);
    return ord_emit(ctx, r);
}

/* 3,000 conversations x 5 packets of 1,000 payload bytes, interleaved (~30 MB unbounded), fed
 * to a fresh table with max_bytes; with a bound, it holds after every packet. */
static iof__cflow *payload_heavy(uint64_t max_bytes, bool count_only)
{
    iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = 10, .payload = 1000,
                         .max_flows = 1000000, .max_bytes = max_bytes,
                         .variants = IOF_VARIANT_BI | IOF_VARIANT_UNI, .hash_seed = 9,
                         .count_payload_only = count_only };
    memset(&ord, 0, sizeof(ord));
    iof__cflow *t;
    ASSERT_EQ_INT(iof__cflow_create(&t, &c, count_only ? no_pay_emit : ord_emit, NULL), 0);
    static uint8_t pay[1000];
    for (size_t i = 0; i < sizeof(pay); i++)
        pay[i] = (uint8_t)(i * 7);
    const int convs = 3000;
    for (int i = 0; i < convs * 5; i++) {
        int k = (i * 7) % convs;
        char a[32];
        snprintf(a, sizeof(a), "10.0.%d.%d", k / 250, 1 + k % 250);
        iof__pkt p = mk(1700000000000LL + i, a, "8.8.8.8", 6, (uint16_t)(1000 + k), 443, 1040, pay, 1000);
        ord_feed(t, &p);
        ASSERT_TRUE(!max_bytes || iof__cflow_live_bytes(t) <= max_bytes);
    }
    return t;
}

/* max_bytes bounds the bytes live records hold (slab entries, payload buffers, buckets): the
 * oldest leave early, flagged evicted and counted apart from max_flows, still in seq order;
 * every packet is kept in some record. */
static void test_max_bytes_bounds_memory(void)
{
    const uint64_t max = 2u << 20;
    iof__cflow *t = payload_heavy(max, false);
    iof__cf_stats st;
    iof__cflow_get_stats(t, &st);
    ASSERT_TRUE(st.peak_live_bytes <= max);
    ASSERT_TRUE(st.peak_live_bytes > max / 2); /* the budget was used */
    ASSERT_TRUE(st.records_evicted_memory > 1000);
    ASSERT_EQ_U64(st.records_evicted_memory, st.records_evicted[0] + st.records_evicted[1]);
    /* memory held: the live bound plus one slab and the recycled records' small buffers */
    ASSERT_TRUE(iof__cflow_memory(t) < 2 * max);
    ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), 0);
    iof__cflow_get_stats(t, &st);
    ASSERT_EQ_U64(ord.emitted, st.records_created[0] + st.records_created[1]);
    ASSERT_EQ_U64(ord.evicted, st.records_evicted[0] + st.records_evicted[1]);
    iof__cflow_destroy(t);
    /* unbounded, the same workload holds far more: the test exercises the bound */
    t = payload_heavy(0, false);
    iof__cflow_get_stats(t, &st);
    ASSERT_TRUE(st.peak_live_bytes > 10 * max);
    ASSERT_EQ_U64(st.records_evicted_memory, 0);
    ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), 0);
    iof__cflow_destroy(t);
}

/* count_payload_only (a run whose records reach the statistics only): the same statistics,
 * live bytes and evictions, bounded or not, with no payload byte held (r->pay NULL: checked at
 * each emission). */
static void test_count_payload_only(void)
{
    for (int bounded = 0; bounded < 2; bounded++) {
        iof__cf_stats a, b;
        uint64_t max = bounded ? 2u << 20 : 0, emitted, evicted;
        iof__cflow *t = payload_heavy(max, false);
        iof__cflow_get_stats(t, &a);
        uint64_t live = iof__cflow_live_bytes(t);
        ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), 0);
        emitted = ord.emitted;
        evicted = ord.evicted;
        iof__cflow_destroy(t);
        t = payload_heavy(max, true);
        iof__cflow_get_stats(t, &b);
        ASSERT_EQ_U64(iof__cflow_live_bytes(t), live);
        ASSERT_EQ_U64(b.payload_bytes_kept, a.payload_bytes_kept);
        ASSERT_TRUE(b.payload_bytes_kept >= 5000000); /* every packet's 1,000 bytes, counted */
        ASSERT_EQ_U64(b.peak_live_bytes, a.peak_live_bytes);
        ASSERT_EQ_U64(b.records_evicted_memory, a.records_evicted_memory);
        ASSERT_TRUE(!bounded || b.records_evicted_memory > 1000);
        ASSERT_EQ_U64(b.records_created[0] + b.records_created[1], a.records_created[0] + a.records_created[1]);
        ASSERT_EQ_INT(iof__cflow_flush(t, IOF_CF_END_EOF), 0);
        ASSERT_EQ_U64(ord.emitted, emitted);
        ASSERT_EQ_U64(ord.evicted, evicted);
        iof__cflow_destroy(t);
    }
}

/* Small payload buffers that recycled records keep must not hold the max_bytes budget: rounds
 * of short conversations, one window apart, a quarter of them with payload (buffers of 1 KiB
 * that end up spread over every slab entry). What each round needs fits the bound with room to
 * spare; kept buffers beyond an eighth of the bound are freed, so no round evicts. */
static void test_max_bytes_kept_buffers(void)
{
    const uint64_t max = 2u << 20;
    iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = 10, .payload = 600,
                         .max_flows = 1000000, .max_bytes = max, .variants = IOF_VARIANT_BI,
                         .hash_seed = 9 };
    iof__cflow *t;
    ngot = 0;
    ASSERT_EQ_INT(iof__cflow_create(&t, &c, collect_count, NULL), 0);
    static uint8_t pay[600];
    for (int round = 0; round < 40; round++)
        for (int i = 0; i < 2000; i++) {
            char a[32];
            snprintf(a, sizeof(a), "10.0.%d.%d", i / 250, 1 + i % 250);
            bool with = (i + round) % 4 == 0;
            iof__pkt p = mk(1700000000000LL + round * 61000LL + i, a, "8.8.8.8", 17, (uint16_t)(1000 + i), 53, 640,
                            with ? pay : NULL, with ? 600 : 0);
            iof__view v[2];
            int n = iof__attribute(&p, NULL, v);
            ASSERT_EQ_INT(iof__cflow_packet(t, &p, v, n), 0);
        }
    iof__cf_stats st;
    iof__cflow_get_stats(t, &st);
    ASSERT_EQ_U64(st.records_created[0], 80000);
    ASSERT_EQ_U64(st.records_evicted_memory, 0);
    ASSERT_TRUE(st.peak_live_bytes <= max);
    iof__cflow_destroy(t);
}

/* Recycled records keep small payload buffers only (<= 64 bytes, cflow.c CF_PAYLOAD_FIRST):
 * 2,000 records of 200 payload bytes each, all ended by the clock, leave the table holding no
 * more than the same records without payload plus 64 bytes a record (a 256-byte buffer each
 * before; on smallpkt those kept buffers were ~40 MB of the no-output run's 154 MB). */
static void test_recycled_payload_buffers_small(void)
{
    static uint8_t pay[200];
    uint64_t mem[2];
    for (int with = 0; with < 2; with++) {
        iof__cf_config c = { .window_ns = 60LL * 1000000000LL, .packets = 10, .payload = 1000,
                             .max_flows = 1000000, .variants = IOF_VARIANT_BI, .hash_seed = 9 };
        iof__cflow *t;
        ngot = 0;
        ASSERT_EQ_INT(iof__cflow_create(&t, &c, collect_count, NULL), 0);
        for (int i = 0; i < 2000; i++) {
            char a[32];
            snprintf(a, sizeof(a), "10.0.%d.%d", i / 250, 1 + i % 250);
            iof__pkt p = mk(1700000000000LL + i, a, "8.8.8.8", 17, (uint16_t)(1000 + i), 53, 240,
                            with ? pay : NULL, with ? 200 : 0);
            iof__view v[2];
            int n = iof__attribute(&p, NULL, v);
            ASSERT_EQ_INT(iof__cflow_packet(t, &p, v, n), 0);
        }
        ASSERT_EQ_INT(iof__cflow_advance(t, 1700000000000LL * 1000000LL + 120LL * 1000000000LL), 0);
        iof__cf_stats st;
        iof__cflow_get_stats(t, &st);
        ASSERT_EQ_U64(st.live_records, 0);
        ASSERT_EQ_U64(st.records_emitted[0], 2000);
        mem[with] = iof__cflow_memory(t);
        iof__cflow_destroy(t);
    }
    ASSERT_TRUE(mem[1] <= mem[0] + 2000 * 64);
}

/* What the label rules see of a record (iof__cf_lbl_attrs): the first packet's direction, the
 * smallest TTL per direction (Joy's rule), the last packet's time, ports only for TCP/UDP. */
static void test_label_attrs(void)
{
    iof__cflow *t = table(IOF_VARIANT_BI, 2, 0, 100);
    iof__pkt p;
    p = mk(1000, "8.8.8.8", "192.168.1.10", 17, 53, 5000, 60, NULL, 0); p.ttl = 120; feed(t, &p);
    p = mk(1500, "192.168.1.10", "8.8.8.8", 17, 5000, 53, 60, NULL, 0); p.ttl = 64; feed(t, &p);
    p = mk(1200, "8.8.8.8", "192.168.1.10", 17, 53, 5000, 60, NULL, 0); p.ttl = 110; feed(t, &p);
    p = mk(1300, "8.8.8.8", "192.168.1.10", 17, 53, 5000, 60, NULL, 0); p.ttl = 115; feed(t, &p);
    p = mk(2000, "192.168.1.10", "8.8.8.8", 1, 0, 0, 60, NULL, 0); p.ttl = 64; feed(t, &p);
    iof__cflow_flush(t, IOF_CF_END_EOF);
    ASSERT_EQ_INT(ngot, 2);
    iof__lbl_attrs a;
    iof__cf_lbl_attrs(&got[0], NULL, NULL, &a);
    ASSERT_EQ_INT(a.first_dir, IOF_LBL_INBOUND);
    ASSERT_EQ_U64(a.has, IOF_LBL_HAS_PORTS | IOF_LBL_HAS_TTL_OUT | IOF_LBL_HAS_TTL_IN);
    ASSERT_EQ_INT(a.ttl_in, 110);
    ASSERT_EQ_INT(a.ttl_out, 64);
    ASSERT_EQ_INT(a.dev_port, 5000);
    ASSERT_EQ_INT(a.rem_port, 53);
    ASSERT_EQ_INT(a.first_ns, 1000 * 1000000LL);
    ASSERT_EQ_INT(a.last_ns, 1500 * 1000000LL);
    iof__cf_lbl_attrs(&got[1], NULL, NULL, &a); /* ICMP, one packet out: no ports, no inbound TTL */
    ASSERT_EQ_INT(a.first_dir, IOF_LBL_OUTBOUND);
    ASSERT_EQ_U64(a.has, IOF_LBL_HAS_TTL_OUT);
    ASSERT_EQ_INT(a.proto, 1);
    iof__device dev;
    memset(&dev, 0, sizeof(dev));
    strcpy(dev.name, "plug");
    iof__cf_lbl_attrs(&got[1], &dev, NULL, &a); /* an inventory name without a type */
    ASSERT_EQ_U64(a.has, IOF_LBL_HAS_TTL_OUT | IOF_LBL_HAS_DEVICE_NAME);
    ASSERT_TRUE(strcmp(a.device_name, "plug") == 0);
    iof__cflow_destroy(t);
}

static void test_many_keys_hash_growth(void)
{
    iof__cflow *t = table(IOF_VARIANT_BI, 1, 0, 1000000);
    for (int i = 0; i < 20000; i++) {
        iof__pkt p = mk(0, "10.0.0.1", "8.8.8.8", 17, (uint16_t)(i + 1), 53, 40, NULL, 0);
        iof__view v[2];
        int n = iof__attribute(&p, NULL, v);
        ASSERT_EQ_INT(iof__cflow_packet(t, &p, v, n), 0);
        ASSERT_EQ_INT(iof__cflow_packet(t, &p, v, n), 0); /* second packet finds the same record */
    }
    iof__cf_stats st;
    iof__cflow_get_stats(t, &st);
    ASSERT_EQ_U64(st.records_created[0], 20000);
    ngot = 0;
    iof__cflow_destroy(t);
}

static void test_remote_anonymised(void)
{
    iof__cfrec r;
    memset(&r, 0, sizeof(r));
    r.ipver = 4;
    uint8_t priv[16] = { 192, 168, 3, 7 }, pub[16] = { 52, 1, 2, 3 };
    char out[48];
    memcpy(r.rem_ip, priv, 16);
    iof__cf_format_remip(&r, true, out);
    ASSERT_EQ_STR(out, "0.0.0.0");
    iof__cf_format_remip(&r, false, out);
    ASSERT_EQ_STR(out, "192.168.3.7");
    memcpy(r.rem_ip, pub, 16);
    iof__cf_format_remip(&r, true, out);
    ASSERT_EQ_STR(out, "52.1.2.3");
    r.ipver = 6;
    uint8_t ula[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    memcpy(r.rem_ip, ula, 16);
    iof__cf_format_remip(&r, true, out);
    ASSERT_EQ_STR(out, "::");
}

static void test_wide_schema_names(void)
{
    iof__cf_rowcfg c = { .wide = true, .packets = 10, .payload_total = 3000, .anonymise = true };
    iof__schema s;
    ASSERT_EQ_INT(iof__cf_schema(&s, &c), 0);
    ASSERT_EQ_STR(s.cols[0].name, "Device");
    ASSERT_EQ_STR(s.cols[7].name, "PacketCount");
    ASSERT_EQ_STR(s.cols[8].name, "P00_TO");
    ASSERT_EQ_STR(s.cols[17].name, "P09_TO");
    ASSERT_EQ_STR(s.cols[18].name, "P00_PS");
    ASSERT_EQ_STR(s.cols[28].name, "P00_D");
    ASSERT_EQ_STR(s.cols[38].name, "C_000");
    ASSERT_EQ_STR(s.cols[38 + 2999].name, "C_2999");
    ASSERT_EQ_INT(s.cols[38].type, IOF_VT_INT16);
    ASSERT_EQ_INT(iof__schema_find(&s, "device_type") > 0, 1);
    iof__schema_free(&s);
    c.packets = 101; /* three digits once i > 100 */
    ASSERT_EQ_INT(iof__cf_schema(&s, &c), 0);
    ASSERT_EQ_STR(s.cols[8].name, "P000_TO");
    iof__schema_free(&s);
    c.wide = false;
    c.packets = 10;
    ASSERT_EQ_INT(iof__cf_schema(&s, &c), 0);
    static const char *nested[] = { "device", "first_seen", "remote_ip", "proto", "device_port", "remote_port",
                                    "bytes", "packets", "pkt_offset_us", "pkt_size", "pkt_dir", "payload",
                                    "device_name", "device_type", "evicted" };
    ASSERT_EQ_INT(s.n, 15);
    for (size_t i = 0; i < s.n; i++)
        ASSERT_EQ_STR(s.cols[i].name, nested[i]);
    iof__schema_free(&s);
}

static void test_clamped_timestamps_saturate(void)
{
    /* readers clamp absurd timestamps to INT64_MAX ns: no overflow, one record per key */
    iof__cflow *t = table(IOF_VARIANT_BI, 10, 0, 1000);
    iof__pkt p = mk(0, "10.0.0.1", "9.9.9.9", 6, 1, 2, 40, NULL, 0);
    feed(t, &p);
    for (int i = 0; i < 3; i++) {
        p = mk(0, "10.0.0.2", "9.9.9.9", 6, 1, 2, 40, NULL, 0);
        p.ts_ns = INT64_MAX;
        feed(t, &p);
    }
    ASSERT_EQ_INT(ngot, 1); /* the clock jump closed the first record */
    iof__cflow_flush(t, IOF_CF_END_EOF);
    ASSERT_EQ_INT(ngot, 2);
    ASSERT_EQ_U64(got[1].packets, 3);
    iof__cflow_destroy(t);
}

static void test_wide_parquet_span_roundtrip(void)
{
    /* the wide payload stream goes through the writer's bulk path (i16_span, -1 tail left out
     * of staging); the columns after it (device_name, device_type, evicted) must be intact */
    iof__cflow *t = table(IOF_VARIANT_BI, 2, 4, 1);
    static const uint8_t pl[] = { 7, 8, 9 };
    iof__pkt p = mk(0, "10.0.0.1", "9.9.9.9", 17, 1, 2, 31, pl, 3);
    feed(t, &p);
    p = mk(1, "10.0.0.2", "9.9.9.9", 17, 1, 2, 28, NULL, 0); /* evicts the first: evicted=true */
    feed(t, &p);
    iof__cflow_flush(t, IOF_CF_END_EOF);
    iof__cflow_destroy(t);
    ASSERT_EQ_INT(ngot, 2);
    iof__cf_rowcfg rc = { .wide = true, .packets = 2, .payload_total = 20, .anonymise = true };
    iof__schema s;
    ASSERT_EQ_INT(iof__cf_schema(&s, &rc), 0);
    char path[] = "/tmp/iof-test-span-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    close(fd);
    char err[256];
    iof__outfile *f;
    ASSERT_EQ_INT(iof__outfile_open(&f, path, err, sizeof(err)), 0);
    iof__writer *w;
    iof__writer_opts o = { .codec = IOF_CODEC_ZSTD };
    ASSERT_EQ_INT(iof__writer_parquet.open(&w, f, &s, &o, err, sizeof(err)), 0);
    int16_t stream[20];
    for (int i = 0; i < ngot; i++) {
        /* rebuild the record's arrays from what collect() saved */
        iof__cfrec r = got[i];
        uint8_t pay[3] = { 7, 8, 9 };
        _Alignas(8) unsigned char slots[16 * 19];
        iof__cfrec_bind_slots(&r, slots, 16);
        memset(slots, 0, sizeof slots);
        memcpy(iof__cfrec_off_us(&r), got_off[i], sizeof got_off[i]);
        memcpy(iof__cfrec_size(&r), got_size[i], sizeof got_size[i]);
        memcpy(iof__cfrec_dir(&r), got_dir[i], sizeof got_dir[i]);
        iof__cfrec_pay_len(&r)[0] = i == 0 ? 3u : 0u;
        r.pay = pay; r.pay_used = iof__cfrec_pay_len(&r)[0];
        iof__cf_row row;
        iof__cf_row_init(&row, &rc, &r, stream, NULL);
        ASSERT_EQ_INT(iof__writer_parquet.write(w, &row), 0);
    }
    ASSERT_EQ_INT(iof__writer_parquet.finish(w, NULL, 0), 0);
    ASSERT_EQ_INT(iof__outfile_commit(f, err, sizeof(err)), 0);
    iof__pq_reader *rd;
    ASSERT_EQ_INT(iof__pq_reader_open(&rd, path, err, sizeof(err)), 0);
    const iof__schema *rs = iof__pq_reader_schema(rd);
    long cev = iof__schema_find(rs, "evicted"), c0 = iof__schema_find(rs, "C_000"), c5 = iof__schema_find(rs, "C_005"),
         c19 = iof__schema_find(rs, "C_019"), cdt = iof__schema_find(rs, "device_type");
    ASSERT_TRUE(cev > 0 && c0 > 0 && c5 > 0 && c19 > 0 && cdt > 0);
    static const int16_t want0[6] = { -4, 7, 8, 9, -8, -1 };
    for (int i = 0; i < ngot; i++) {
        ASSERT_EQ_INT(iof__pq_reader_next(rd), 1);
        iof__value v;
        iof__pq_reader_get(rd, (size_t)cev, 0, &v);
        ASSERT_EQ_INT(v.i, i == 0);
        iof__pq_reader_get(rd, (size_t)cdt, 0, &v);
        ASSERT_TRUE(v.null);
        for (long c = c0; c <= c5; c++) {
            iof__pq_reader_get(rd, (size_t)c, 0, &v);
            ASSERT_EQ_INT(v.i, i == 0 ? want0[c - c0] : (c - c0 == 0 ? -4 : c - c0 == 1 ? -8 : -1));
        }
        iof__pq_reader_get(rd, (size_t)c19, 0, &v);
        ASSERT_EQ_INT(v.i, -1);
    }
    ASSERT_EQ_INT(iof__pq_reader_next(rd), 0);
    iof__pq_reader_close(rd);
    unlink(path);
    iof__schema_free(&s);
}

static const iof_test tests[] = {
    TEST(test_wide_parquet_span_roundtrip), TEST(test_finished_hook),
    TEST(test_stream_reuse),
    TEST(test_format_remip),
    TEST(test_clamped_timestamps_saturate),
    TEST(test_window_boundary), TEST(test_clock_closes_windows), TEST(test_flush_keeps_window_end), TEST(test_mirrored_device_to_device),
    TEST(test_unidirectional_window_starts_at_first_upstream), TEST(test_broadcast_is_remote), TEST(test_host_anon), TEST(test_name_anon), TEST(test_dnsname_anon), TEST(test_group_mac_is_never_a_device), TEST(test_key_symmetric_hash),
    TEST(test_out_of_order_timestamps), TEST(test_slots_and_payload_stream), TEST(test_stream_cut_mid_packet),
    TEST(test_eviction_cap), TEST(test_many_keys_hash_growth), TEST(test_remote_anonymised),
    TEST(test_wide_schema_names), TEST(test_emission_in_seq_order),
    TEST(test_emission_order_backward_within_window), TEST(test_closed_by_clock_while_waiting),
    TEST(test_sharded_equals_single), TEST(test_max_bytes_bounds_memory),
    TEST(test_label_attrs), TEST(test_max_bytes_kept_buffers), TEST(test_count_payload_only),
    TEST(test_recycled_payload_buffers_small), { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
