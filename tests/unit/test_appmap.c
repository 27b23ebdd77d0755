/* flow/appmap: the run's application map with exact answers — real IP packets built here go
 * through the decoder and nDPI: a DNS query and its response are named (settled "done"), a TLS ClientHello
 * with a server name is TLS.Google, settled when a record is written (nDPI would read on for
 * the certificate), UDP nDPI cannot name ends at the packet limit without an answer; lookups
 * from either side, below a horizon, at or after the connection's first packet; a TCP SYN with
 * a new sequence number starts a new connection, a retransmitted one does not, a UDP one after
 * IOF_APPMAP_IDLE_NS; the inspection slots and the connection cap, counted; and the `app`
 * attribute the rules read through a custom-flow record or telemetry row: the one its emitter
 * took from the map, never the map itself. Without nDPI in the build: create
 * refuses (IOF_E_UNSUPPORTED). */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "common/err.h"
#include "flow/appmap.h"
#include "kinds/customflow.h"
#include "kinds/telemetry.h"
#include "labels/rules.h"
#include "test.h"

#define S 1000000000LL

static const uint8_t CLI[16] = { 192, 168, 1, 20 }, SRV[16] = { 198, 51, 100, 7 };
static uint8_t frame[2048];
static uint64_t fed;

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* An IPv4 packet src:sp -> dst:dp of protocol proto (17 UDP, 6 TCP with flags and seq) with
 * payload, decoded as a raw-IP frame into *p (frame[] holds its bytes until the next call). */
static void mkpkt(iof__pkt *p, const uint8_t src[16], uint16_t sp, const uint8_t dst[16], uint16_t dp, uint8_t proto,
                  uint8_t flags, uint32_t seq, const uint8_t *payload, size_t n, int64_t ts)
{
    size_t l4 = proto == 6 ? 20 : 8, len = 20 + l4 + n;
    memset(frame, 0, 20 + l4);
    frame[0] = 0x45;
    put16(frame + 2, (unsigned)len);
    frame[8] = 64;
    frame[9] = proto;
    memcpy(frame + 12, src, 4);
    memcpy(frame + 16, dst, 4);
    uint8_t *t = frame + 20;
    put16(t, sp);
    put16(t + 2, dp);
    if (proto == 6) {
        t[4] = (uint8_t)(seq >> 24), t[5] = (uint8_t)(seq >> 16), t[6] = (uint8_t)(seq >> 8), t[7] = (uint8_t)seq;
        t[12] = 5 << 4;
        t[13] = flags;
        put16(t + 14, 65535);
    } else {
        put16(t + 4, (unsigned)(8 + n));
    }
    if (n)
        memcpy(frame + 20 + l4, payload, n);
    ASSERT_EQ_INT(iof__decode(p, IOF_LINKTYPE_RAW, frame, (uint32_t)len, (uint32_t)len, ts), IOF_DROP_OK);
}

static int feed(iof__appmap *m, const uint8_t src[16], uint16_t sp, const uint8_t dst[16], uint16_t dp, uint8_t proto,
                uint8_t flags, uint32_t seq, const uint8_t *payload, size_t n, int64_t ts)
{
    iof__pkt p;
    mkpkt(&p, src, sp, dst, dp, proto, flags, seq, payload, n, ts);
    return iof__appmap_packet(m, &p, ++fed);
}

static iof__appmap_stats stats(const iof__appmap *m)
{
    iof__appmap_stats st;
    iof__appmap_get_stats(m, &st);
    return st;
}

/* A DNS query for www.example.com (standard, RD, one question, type A). */
static size_t dns_query(uint8_t *q)
{
    static const uint8_t h[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
    static const uint8_t name[] = "\003www\007example\003com";
    size_t n = 0;
    memcpy(q, h, sizeof h);
    n += sizeof h;
    memcpy(q + n, name, sizeof name); /* the root label: the string's NUL */
    n += sizeof name;
    q[n++] = 0, q[n++] = 1, q[n++] = 0, q[n++] = 1;
    return n;
}

/* The query q of n bytes made its response: one A answer (93.184.216.34). */
static size_t dns_response(uint8_t *q, size_t n)
{
    static const uint8_t an[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34 };
    q[2] = 0x81, q[3] = 0x80, q[7] = 1;
    memcpy(q + n, an, sizeof an);
    return n + sizeof an;
}

/* A TLS 1.2 ClientHello record with server name `name`. */
static size_t client_hello(uint8_t *p, const char *name)
{
    size_t l = strlen(name), ext = 9 + l, body = 2 + 32 + 1 + 4 + 2 + 2 + ext, n = 0;
    p[n++] = 22, p[n++] = 3, p[n++] = 1;
    put16(p + n, (unsigned)(4 + body));
    n += 2;
    p[n++] = 1, p[n++] = 0;
    put16(p + n, (unsigned)body);
    n += 2;
    p[n++] = 3, p[n++] = 3;
    memset(p + n, 0x5a, 32);
    n += 32;
    p[n++] = 0;                                   /* session id */
    put16(p + n, 2), n += 2, put16(p + n, 0xc02f), n += 2;
    p[n++] = 1, p[n++] = 0;                       /* compression */
    put16(p + n, (unsigned)ext), n += 2;
    put16(p + n, 0), n += 2;                      /* server_name */
    put16(p + n, (unsigned)(l + 5)), n += 2;
    put16(p + n, (unsigned)(l + 3)), n += 2;
    p[n++] = 0;
    put16(p + n, (unsigned)l), n += 2;
    memcpy(p + n, name, l);
    return n + l;
}

static const char *look(const iof__appmap *m, uint8_t proto, uint16_t cport, uint16_t sport, int64_t at, uint64_t hz)
{
    return iof__appmap_lookup(m, 4, proto, CLI, cport, SRV, sport, at, hz);
}

static void test_without_ndpi(void)
{
    if (iof__appmap_available())
        return;
    iof__appmap *m = (iof__appmap *)1;
    ASSERT_EQ_INT(iof__appmap_create(&m, 0), IOF_E_UNSUPPORTED);
    ASSERT_TRUE(m == NULL);
    ASSERT_TRUE(iof_ndpi_version() == NULL);
}

/* DNS: named by the query (shown while nDPI waits for the response), settled by the response;
 * either side; horizon and time. */
static void test_dns(void)
{
    if (!iof__appmap_available())
        return;
    iof__appmap *m;
    ASSERT_EQ_INT(iof__appmap_create(&m, 0), IOF_OK);
    uint8_t q[64];
    size_t n = dns_query(q);
    uint64_t before = fed;
    ASSERT_EQ_INT(feed(m, CLI, 40000, SRV, 53, 17, 0, 0, q, n, 5 * S), IOF_OK);
    /* named, and shown, while nDPI reads on for the response */
    ASSERT_EQ_STR(look(m, 17, 40000, 53, 5 * S, fed), "DNS");
    ASSERT_EQ_U64(stats(m).inspecting, 1);
    ASSERT_EQ_U64(stats(m).shown, 1);
    n = dns_response(q, n); /* nDPI reads on until a response with an answer */
    ASSERT_EQ_INT(feed(m, SRV, 53, CLI, 40000, 17, 0, 0, q, n, 5 * S + 1000), IOF_OK);
    ASSERT_EQ_STR(look(m, 17, 40000, 53, 5 * S, fed), "DNS");
    ASSERT_EQ_STR(iof__appmap_lookup(m, 4, 17, SRV, 53, CLI, 40000, 6 * S, fed), "DNS");
    ASSERT_TRUE(look(m, 17, 40000, 53, 5 * S, before) == NULL); /* a record written before it */
    ASSERT_TRUE(look(m, 17, 40000, 53, 5 * S - 1, fed) == NULL); /* ended before the connection */
    ASSERT_TRUE(look(m, 6, 40000, 53, 5 * S, fed) == NULL);      /* TCP: another connection */
    ASSERT_TRUE(look(m, 17, 40001, 53, 5 * S, fed) == NULL);
    /* a packet after the answer: nothing more inspected */
    ASSERT_EQ_INT(feed(m, SRV, 53, CLI, 40000, 17, 0, 0, q, n, 5 * S + 2000), IOF_OK);
    iof__appmap_stats st = stats(m);
    ASSERT_EQ_U64(st.conns, 1);
    ASSERT_EQ_U64(st.packets, 3);
    ASSERT_EQ_U64(st.inspected, 2);
    ASSERT_EQ_U64(st.settled[IOF_APPMAP_BY_DONE], 1);
    ASSERT_EQ_U64(st.named, 1);
    ASSERT_EQ_U64(st.inspecting, 0);
    ASSERT_EQ_U64(st.shown, 1);
    ASSERT_EQ_U64(st.max_conns, IOF_APPMAP_MAX_CONNS);
    /* a UDP connection idle past IOF_APPMAP_IDLE_NS has ended: the next packet starts another */
    ASSERT_EQ_INT(feed(m, CLI, 40000, SRV, 53, 17, 0, 0, (const uint8_t *)"\x01\x02\x03", 3,
                       5 * S + IOF_APPMAP_IDLE_NS + 3000), IOF_OK);
    st = stats(m);
    ASSERT_EQ_U64(st.conns, 2);
    ASSERT_EQ_U64(st.reused, 1);
    ASSERT_EQ_U64(st.inspecting, 1);
    /* not settled: a record of the new connection has no app yet, an older record keeps DNS */
    ASSERT_TRUE(look(m, 17, 40000, 53, 5 * S + IOF_APPMAP_IDLE_NS + 3000, fed) == NULL);
    ASSERT_EQ_STR(look(m, 17, 40000, 53, 6 * S, fed), "DNS");
    iof__appmap_destroy(m);
}

/* TLS: TLS.Google from the server name, settled when a record is written; a new SYN is a new
 * connection, a retransmitted SYN is not. */
static void test_tls_and_reuse(void)
{
    if (!iof__appmap_available())
        return;
    iof__appmap *m;
    ASSERT_EQ_INT(iof__appmap_create(&m, 0), IOF_OK);
    uint8_t ch[512];
    size_t n = client_hello(ch, "www.google.com");
    ASSERT_EQ_INT(feed(m, CLI, 44000, SRV, 443, 6, 0x02, 1000, NULL, 0, 10 * S), IOF_OK);
    ASSERT_EQ_INT(feed(m, CLI, 44000, SRV, 443, 6, 0x02, 1000, NULL, 0, 10 * S + 1), IOF_OK); /* again */
    ASSERT_EQ_INT(feed(m, SRV, 443, CLI, 44000, 6, 0x12, 5000, NULL, 0, 10 * S + 2), IOF_OK);
    ASSERT_EQ_INT(feed(m, CLI, 44000, SRV, 443, 6, 0x10, 1001, NULL, 0, 10 * S + 3), IOF_OK);
    ASSERT_EQ_INT(feed(m, CLI, 44000, SRV, 443, 6, 0x18, 1001, ch, n, 10 * S + 4), IOF_OK);
    iof__appmap_stats st = stats(m);
    ASSERT_EQ_U64(st.conns, 1);
    ASSERT_EQ_U64(st.inspecting, 1); /* nDPI reads on for the server's certificate */
    ASSERT_EQ_STR(look(m, 6, 44000, 443, 11 * S, fed), "TLS.Google"); /* shown meanwhile */
    ASSERT_TRUE(look(m, 6, 44000, 443, 11 * S, fed - 1) == NULL);    /* not before the hello */
    uint64_t written = fed;
    ASSERT_EQ_INT(iof__appmap_settle(m, 4, 6, SRV, 443, CLI, 44000, 10 * S + 4, fed), IOF_OK);
    ASSERT_EQ_STR(look(m, 6, 44000, 443, 11 * S, written), "TLS.Google");
    st = stats(m);
    ASSERT_EQ_U64(st.settled[IOF_APPMAP_BY_RECORD], 1);
    ASSERT_EQ_U64(st.named, 1);
    ASSERT_EQ_U64(st.inspecting, 0);
    /* settling again, or a packet after the answer: nothing changes */
    ASSERT_EQ_INT(iof__appmap_settle(m, 4, 6, CLI, 44000, SRV, 443, 12 * S, fed), IOF_OK);
    ASSERT_EQ_INT(feed(m, SRV, 443, CLI, 44000, 6, 0x10, 5001, NULL, 0, 12 * S), IOF_OK);
    ASSERT_EQ_U64(stats(m).settled[IOF_APPMAP_BY_RECORD], 1);
    ASSERT_EQ_U64(stats(m).inspected, 5);
    /* the port reused: a SYN with another sequence number; a DNS-looking payload is not DNS
     * over TCP port 443, nDPI's answer comes from its guess when the record is written */
    uint64_t before_new = fed;
    ASSERT_EQ_INT(feed(m, CLI, 44000, SRV, 443, 6, 0x02, 9000, NULL, 0, 20 * S), IOF_OK);
    st = stats(m);
    ASSERT_EQ_U64(st.conns, 2);
    ASSERT_EQ_U64(st.reused, 1);
    /* a record that ended before the new connection: the old answer; one emitted before the
     * new connection was seen: the old answer; the new one, unsettled: none */
    ASSERT_EQ_STR(look(m, 6, 44000, 443, 19 * S, fed), "TLS.Google");
    ASSERT_EQ_STR(look(m, 6, 44000, 443, 21 * S, before_new), "TLS.Google");
    ASSERT_TRUE(look(m, 6, 44000, 443, 21 * S, fed) == NULL);
    ASSERT_EQ_INT(iof__appmap_settle(m, 4, 6, CLI, 44000, SRV, 443, 21 * S, fed), IOF_OK);
    ASSERT_EQ_STR(look(m, 6, 44000, 443, 21 * S, fed), "TLS"); /* guessed from port 443 */
    st = stats(m);
    ASSERT_EQ_U64(st.guessed, 1);
    ASSERT_EQ_U64(st.settled[IOF_APPMAP_BY_RECORD], 2);
    /* a record's settle reaches the connection of its time only */
    ASSERT_EQ_INT(iof__appmap_settle(m, 4, 6, CLI, 44001, SRV, 443, 21 * S, fed), IOF_OK);
    iof__appmap_destroy(m);
}

/* UDP nDPI cannot name: the packet limit, then no answer (`app` missing). */
static void test_limit_unknown(void)
{
    if (!iof__appmap_available())
        return;
    iof__appmap *m;
    ASSERT_EQ_INT(iof__appmap_create(&m, 0), IOF_OK);
    uint8_t junk[40];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    /* a packet cut by the snaplen is not read (as ndpiReader) */
    iof__pkt cut;
    mkpkt(&cut, CLI, 47001, SRV, 47002, 17, 0, 0, junk, sizeof junk, 30 * S - 1);
    cut.caplen -= 10;
    ASSERT_EQ_INT(iof__appmap_packet(m, &cut, ++fed), IOF_OK);
    ASSERT_EQ_U64(stats(m).cut, 1);
    ASSERT_EQ_U64(stats(m).inspected, 0);
    for (unsigned i = 0; i < IOF_APPMAP_UDP_PACKETS + 3; i++) {
        junk[0] = (uint8_t)i;
        ASSERT_EQ_INT(feed(m, CLI, 47001, SRV, 47002, 17, 0, 0, junk, sizeof junk, 30 * S + i), IOF_OK);
    }
    iof__appmap_stats st = stats(m);
    ASSERT_EQ_U64(st.settled[IOF_APPMAP_BY_LIMIT], 1);
    ASSERT_EQ_U64(st.inspected, IOF_APPMAP_UDP_PACKETS + 1);
    ASSERT_EQ_U64(st.packets, IOF_APPMAP_UDP_PACKETS + 4);
    ASSERT_EQ_U64(st.unknown, 1);
    ASSERT_TRUE(look(m, 17, 47001, 47002, 31 * S, fed) == NULL);
    iof__appmap_destroy(m);
}

/* IOF_APPMAP_INSPECT connections at once: the longest idle gives its slot; the connection cap
 * from --max-memory: packets of connections not kept are counted. */
static void test_caps(void)
{
    if (!iof__appmap_available())
        return;
    iof__appmap *m;
    ASSERT_EQ_INT(iof__appmap_create(&m, 1), IOF_OK); /* the smallest cap */
    ASSERT_EQ_U64(stats(m).max_conns, IOF_APPMAP_MIN_CONNS);
    uint8_t a[16] = { 10, 0, 0, 0 };
    for (unsigned i = 0; i <= IOF_APPMAP_MIN_CONNS; i++) { /* SYNs: nothing to name yet */
        a[2] = (uint8_t)(i >> 8), a[3] = (uint8_t)i;
        ASSERT_EQ_INT(feed(m, a, 50000, SRV, 23, 6, 0x02, i, NULL, 0, 40 * S + i), IOF_OK);
    }
    iof__appmap_stats st = stats(m);
    ASSERT_EQ_U64(st.conns, IOF_APPMAP_MIN_CONNS);
    ASSERT_EQ_U64(st.dropped_cap, 1);
    ASSERT_EQ_U64(st.inspecting, IOF_APPMAP_MIN_CONNS);
    /* the first connection's record: nDPI's guess (port 23: Telnet); then its five-tuple used
     * again (a new SYN) while the map is full: the new connection is not kept, and its records
     * must not take the old one's answer */
    a[2] = a[3] = 0;
    ASSERT_EQ_INT(iof__appmap_settle(m, 4, 6, a, 50000, SRV, 23, 41 * S, fed), IOF_OK);
    ASSERT_EQ_STR(iof__appmap_lookup(m, 4, 6, a, 50000, SRV, 23, 41 * S, fed), "Telnet");
    uint64_t before_new = fed;
    ASSERT_EQ_INT(feed(m, a, 50000, SRV, 23, 6, 0x02, 777777, NULL, 0, 60 * S), IOF_OK);
    ASSERT_EQ_INT(feed(m, SRV, 23, a, 50000, 6, 0x12, 5, NULL, 0, 60 * S + 1), IOF_OK);
    ASSERT_EQ_U64(stats(m).dropped_cap, 3);
    ASSERT_TRUE(iof__appmap_lookup(m, 4, 6, a, 50000, SRV, 23, 61 * S, fed) == NULL);
    ASSERT_EQ_STR(iof__appmap_lookup(m, 4, 6, a, 50000, SRV, 23, 41 * S, fed), "Telnet");
    ASSERT_EQ_STR(iof__appmap_lookup(m, 4, 6, a, 50000, SRV, 23, 61 * S, before_new), "Telnet");
    ASSERT_EQ_INT(iof__appmap_settle(m, 4, 6, a, 50000, SRV, 23, 61 * S, fed), IOF_OK);
    ASSERT_EQ_U64(stats(m).settled[IOF_APPMAP_BY_RECORD], 1);
    iof__appmap_destroy(m);

    ASSERT_EQ_INT(iof__appmap_create(&m, 0), IOF_OK);
    for (unsigned i = 0; i <= IOF_APPMAP_INSPECT; i++) {
        a[2] = (uint8_t)(i >> 8), a[3] = (uint8_t)i;
        ASSERT_EQ_INT(feed(m, a, 50000, SRV, 23, 6, 0x02, i, NULL, 0, 50 * S + i), IOF_OK);
    }
    st = stats(m);
    ASSERT_EQ_U64(st.conns, IOF_APPMAP_INSPECT + 1);
    ASSERT_EQ_U64(st.settled[IOF_APPMAP_BY_FULL], 1);
    ASSERT_EQ_U64(st.inspecting, IOF_APPMAP_INSPECT);
    /* the first one (the longest idle) gave way: it has nDPI's guess (port 23: Telnet) */
    a[2] = a[3] = 0;
    ASSERT_EQ_STR(iof__appmap_lookup(m, 4, 6, a, 50000, SRV, 23, 51 * S, fed), "Telnet");
    iof__appmap_destroy(m);
}

/* Lookups from another thread while the feeding thread adds connections and answers and the
 * tables grow (ThreadSanitizer's case; elsewhere a smoke test): every name seen is a name
 * given. */
typedef struct reader_arg {
    const iof__appmap *m;
    atomic_int stop;
    unsigned found, bad;
} reader_arg;

static void *reader(void *p)
{
    reader_arg *r = p;
    uint8_t a[16] = { 10, 1, 0, 0 };
    for (unsigned i = 0; !atomic_load(&r->stop); i = (i + 1) % 3000) {
        a[2] = (uint8_t)(i >> 8), a[3] = (uint8_t)i;
        const char *n = iof__appmap_lookup(r->m, 4, 17, a, 40000, SRV, 53, 100 * S, UINT64_MAX);
        if (n)
            r->found++, r->bad += strcmp(n, "DNS") != 0;
    }
    return NULL;
}

static void test_concurrent_lookups(void)
{
    if (!iof__appmap_available())
        return;
    iof__appmap *m;
    ASSERT_EQ_INT(iof__appmap_create(&m, 0), IOF_OK);
    reader_arg r = { .m = m };
    atomic_init(&r.stop, 0);
    pthread_t t;
    ASSERT_EQ_INT(pthread_create(&t, NULL, reader, &r), 0);
    uint8_t q[64], a[16] = { 10, 1, 0, 0 };
    for (unsigned i = 0; i < 3000; i++) {
        a[2] = (uint8_t)(i >> 8), a[3] = (uint8_t)i;
        size_t n = dns_query(q);
        ASSERT_EQ_INT(feed(m, a, 40000, SRV, 53, 17, 0, 0, q, n, 5 * S + i), IOF_OK);
        n = dns_response(q, n);
        ASSERT_EQ_INT(feed(m, SRV, 53, a, 40000, 17, 0, 0, q, n, 5 * S + i), IOF_OK);
    }
    atomic_store(&r.stop, 1);
    pthread_join(t, NULL);
    ASSERT_EQ_U64(r.bad, 0);
    ASSERT_EQ_U64(stats(m).conns, 3000);
    ASSERT_EQ_U64(stats(m).settled[IOF_APPMAP_BY_DONE], 3000);
    iof__appmap_destroy(m);
}

/* The attribute through a custom-flow record, and a rule on it. */
static void test_rule(void)
{
    if (!iof__appmap_available())
        return;
    iof__ruleset *rs;
    char err[256];
    static const char text[] = "key app_label default \"none\" on-missing \"unknown\"\n"
                               "app_label = \"google\" if app \"TLS.Goo*\"\n"
                               "app_label = \"dns\" if app \"dns\"\n";
    ASSERT_EQ_INT(iof__rules_load_mem("app.rules", text, sizeof text - 1, IOF_RULES_NO_INCLUDE, &rs, err, sizeof err),
                  IOF_OK);
    iof__appmap *m;
    ASSERT_EQ_INT(iof__appmap_create(&m, 0), IOF_OK);
    uint8_t q[64];
    size_t n = dns_query(q);
    ASSERT_EQ_INT(feed(m, CLI, 40000, SRV, 53, 17, 0, 0, q, n, 5 * S), IOF_OK);
    n = dns_response(q, n);
    ASSERT_EQ_INT(feed(m, SRV, 53, CLI, 40000, 17, 0, 0, q, n, 5 * S), IOF_OK);
    iof__namemaps maps = { .app = m };
    iof__cfrec r;
    memset(&r, 0, sizeof r);
    r.ipver = 4;
    r.proto = 17;
    memcpy(r.dev_ip, CLI, 16);
    memcpy(r.rem_ip, SRV, 16);
    r.dev_port = 40000;
    r.rem_port = 53;
    r.first_ns = r.last_ns = 5 * S;
    r.names_horizon = fed;
    iof__lbl_attrs a;
    iof__lbl_result res[1];
    /* the emitter takes the record's app from the map; its attributes read that, not the map
     * (rows are built on the sink's thread: kinds/labelcols.h iof__lbl_attrs_stored) */
    iof__cf_lbl_attrs(&r, NULL, &maps, &a);
    ASSERT_TRUE(!(a.has & IOF_LBL_HAS_APP));
    r.app = iof__cf_app(&r, m);
    ASSERT_EQ_STR(r.app, "DNS");
    iof__cf_lbl_attrs(&r, NULL, &maps, &a);
    ASSERT_TRUE(a.has & IOF_LBL_HAS_APP);
    iof__rules_eval(rs, &a, res);
    ASSERT_EQ_STR(res[0].value, "dns"); /* globs match in any case */
    r.app = "TLS.Google";               /* what the record carries, whatever the map says now */
    iof__cf_lbl_attrs(&r, NULL, NULL, &a);
    iof__rules_eval(rs, &a, res);
    ASSERT_EQ_STR(res[0].value, "google");
    r.rem_port = 54; /* no such connection: unknown */
    r.app = iof__cf_app(&r, m);
    ASSERT_TRUE(r.app == NULL);
    iof__cf_lbl_attrs(&r, NULL, &maps, &a);
    iof__rules_eval(rs, &a, res);
    ASSERT_EQ_STR(res[0].value, "unknown");
    /* a telemetry row likewise */
    iof__telrow t;
    memset(&t, 0, sizeof t);
    t.k.ipver = 4;
    t.k.proto = 17;
    memcpy(t.k.dev_ip, CLI, 16);
    memcpy(t.k.rem_ip, SRV, 16);
    t.k.dev_port = 40000;
    t.k.rem_port = 53;
    t.first_ns = t.last_ns = 5 * S;
    t.names_horizon = fed;
    iof__tel_lbl_attrs(&t, NULL, &maps, &a);
    ASSERT_TRUE(!(a.has & IOF_LBL_HAS_APP));
    t.app = iof__tel_app(&t, m);
    ASSERT_EQ_STR(t.app, "DNS");
    iof__tel_lbl_attrs(&t, NULL, &maps, &a);
    iof__rules_eval(rs, &a, res);
    ASSERT_EQ_STR(res[0].value, "dns");
    iof__appmap_destroy(m);
    iof__rules_free(rs);
}

int main(void)
{
    static const iof_test tests[] = { TEST(test_without_ndpi), TEST(test_dns), TEST(test_tls_and_reuse),
                                      TEST(test_limit_unknown), TEST(test_caps), TEST(test_concurrent_lookups),
                                      TEST(test_rule), { 0, 0 } };
    return iof_test_run(tests);
}
