/* flow/dnsmap: the run's DNS map with exact answers — the names of a response (question, CNAME
 * chain, A owner; lowercase) for each A / AAAA address, seen by the client only, from the
 * response's time on and below a horizon; repeated, refused (rcode, query, opcode), cut, TCP
 * and fragment cases counted by name; the per-pair and total caps; and the `dns` attribute the
 * label rules read (kinds/labelcols.h) from a record's horizon. */
#include <string.h>

#include "common/err.h"
#include "flow/dnsmap.h"
#include "kinds/customflow.h"
#include "labels/rules.h"
#include "test.h"

#define S 1000000000LL

/* ---- a tiny DNS message builder ---------------------------------------------------------- */

typedef struct msgb {
    uint8_t b[2048];
    size_t n;
} msgb;

static void put8(msgb *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void put16(msgb *m, unsigned v)
{
    put8(m, v >> 8);
    put8(m, v & 0xff);
}
static void put32(msgb *m, uint32_t v)
{
    put16(m, v >> 16);
    put16(m, v & 0xffff);
}
static void put_name(msgb *m, const char *name)
{
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t l = dot ? (size_t)(dot - name) : strlen(name);
        put8(m, (unsigned)l);
        memcpy(m->b + m->n, name, l);
        m->n += l;
        name += l + (dot ? 1 : 0);
    }
    put8(m, 0);
}
/* header with flags, qd = 1, an answers */
static void hdr(msgb *m, unsigned flags, unsigned an, const char *qname, unsigned qtype)
{
    m->n = 0;
    put16(m, 0x1234);
    put16(m, flags);
    put16(m, 1);
    put16(m, an);
    put16(m, 0);
    put16(m, 0);
    put_name(m, qname);
    put16(m, qtype);
    put16(m, 1);
}
static void rr_cname(msgb *m, const char *owner, const char *target)
{
    put_name(m, owner);
    put16(m, 5);
    put16(m, 1);
    put32(m, 300);
    size_t at = m->n;
    put16(m, 0);
    size_t start = m->n;
    put_name(m, target);
    m->b[at] = (uint8_t)((m->n - start) >> 8);
    m->b[at + 1] = (uint8_t)((m->n - start) & 0xff);
}
static void rr_a(msgb *m, const char *owner, const uint8_t *addr, bool v6)
{
    put_name(m, owner);
    put16(m, v6 ? 28 : 1);
    put16(m, 1);
    put32(m, 60);
    put16(m, v6 ? 16 : 4);
    memcpy(m->b + m->n, addr, v6 ? 16 : 4);
    m->n += v6 ? 16 : 4;
}

/* A decoded packet carrying payload p (n bytes) from port 53 to `client`. */
static iof__pkt mkpkt(const msgb *m, size_t n, uint8_t proto, uint8_t ipver, const uint8_t *client, int64_t ts)
{
    iof__pkt p;
    memset(&p, 0, sizeof p);
    p.ts_ns = ts;
    p.flags = IOF_PKT_HAS_PORTS;
    p.ipver = ipver;
    p.proto = proto;
    p.sport = 53;
    p.dport = 40000;
    memcpy(p.dst_ip, client, ipver == 4 ? 4 : 16);
    p.data = m->b;
    p.payload_off = 0;
    p.payload_caplen = (uint32_t)n;
    p.payload_len = (uint32_t)n;
    return p;
}

static const uint8_t CLIENT[16] = { 192, 168, 1, 10 }, OTHER[16] = { 192, 168, 1, 11 };
static const uint8_t X1[16] = { 93, 184, 216, 34 }, X2[16] = { 93, 184, 216, 35 };

/* Feeds a packet as the run does: its feed number is the next one; the count so far is the
 * horizon of a record emitted now. */
static uint64_t fed;
static int feed(iof__dnsmap *m, const iof__pkt *p) { return iof__dnsmap_packet(m, p, ++fed); }
static uint64_t assoc(const iof__dnsmap *m)
{
    iof__dnsmap_stats st;
    iof__dnsmap_get_stats(m, &st);
    return st.assoc;
}

static size_t names(const iof__dnsmap *m, const uint8_t *client, const uint8_t *addr, int64_t at, uint64_t hz,
                    const char **out)
{
    return iof__dnsmap_lookup(m, 4, client, addr, at, hz, out, IOF_DNSMAP_MAX_PER_PAIR);
}

/* A response with a CNAME chain: every address gets the question, the chain and the A owner,
 * lowercase, in message order; another client, an earlier time or a lower horizon see none. */
static void test_chain(void)
{
    iof__dnsmap *m;
    ASSERT_EQ_INT(iof__dnsmap_create(&m, 0), IOF_OK);
    msgb b;
    hdr(&b, 0x8180, 3, "API.Example.com", 1);
    rr_cname(&b, "api.example.com", "edge.CDN.net");
    rr_a(&b, "edge.cdn.net", X1, false);
    rr_a(&b, "edge.cdn.net", X2, false);
    iof__pkt p = mkpkt(&b, b.n, 17, 4, CLIENT, 10 * S);
    uint64_t before = fed;
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    uint64_t hz = fed;
    ASSERT_EQ_U64(assoc(m), 4); /* 2 addresses x 2 names */
    const char *out[IOF_DNSMAP_MAX_PER_PAIR];
    ASSERT_EQ_INT(names(m, CLIENT, X1, 10 * S, hz, out), 2);
    ASSERT_EQ_STR(out[0], "api.example.com");
    ASSERT_EQ_STR(out[1], "edge.cdn.net");
    ASSERT_EQ_INT(names(m, CLIENT, X2, 11 * S, hz, out), 2);
    ASSERT_EQ_INT(names(m, CLIENT, X1, 10 * S - 1, hz, out), 0); /* before the response */
    ASSERT_EQ_INT(names(m, OTHER, X1, 11 * S, hz, out), 0);      /* another client */
    ASSERT_EQ_INT(names(m, CLIENT, X1, 11 * S, before, out), 0); /* a record emitted before */
    ASSERT_EQ_INT(names(m, CLIENT, X1, 11 * S, hz + 100, out), 2); /* or any time after */
    ASSERT_EQ_INT(iof__dnsmap_lookup(m, 6, CLIENT, X1, 11 * S, hz, out, 8), 0); /* other version */
    /* the same answer again: nothing new; the first time stays */
    p.ts_ns = 20 * S;
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    ASSERT_EQ_U64(assoc(m), 4);
    iof__dnsmap_stats st;
    iof__dnsmap_get_stats(m, &st);
    ASSERT_EQ_U64(st.responses, 2);
    ASSERT_EQ_U64(st.answers, 4);
    ASSERT_EQ_U64(st.assoc, 4);
    ASSERT_EQ_U64(st.known, 4);
    ASSERT_EQ_U64(st.max_assoc, IOF_DNSMAP_MAX_ASSOC);
    /* a later name for X1 comes after the first ones */
    hdr(&b, 0x8180, 1, "www.example.org", 1);
    rr_a(&b, "www.example.org", X1, false);
    p = mkpkt(&b, b.n, 17, 4, CLIENT, 30 * S);
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    ASSERT_EQ_INT(names(m, CLIENT, X1, 29 * S, fed, out), 2);
    ASSERT_EQ_INT(names(m, CLIENT, X1, 30 * S, fed, out), 3);
    ASSERT_EQ_INT(names(m, CLIENT, X1, 30 * S, fed - 1, out), 2); /* emitted before that packet */
    ASSERT_EQ_STR(out[2], "www.example.org");
    iof__dnsmap_destroy(m);
}

/* What is not learnt, each counted: a query, NXDOMAIN, another opcode, no A record, an AAAA for
 * an IPv4 client, a message cut inside its second answer (the first is kept), not DNS at all, a
 * later fragment (ignored), TCP with the length prefix (learnt) and a TCP segment that does
 * not hold one whole message. */
static void test_not_learnt(void)
{
    iof__dnsmap *m;
    ASSERT_EQ_INT(iof__dnsmap_create(&m, 0), IOF_OK);
    msgb b;
    iof__pkt p;
    hdr(&b, 0x0100, 0, "q.example.com", 1); /* a query */
    p = mkpkt(&b, b.n, 17, 4, CLIENT, S);
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    hdr(&b, 0x8183, 1, "nx.example.com", 1); /* NXDOMAIN, with an answer anyway */
    rr_a(&b, "nx.example.com", X1, false);
    p = mkpkt(&b, b.n, 17, 4, CLIENT, S);
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    hdr(&b, 0x8980, 1, "op.example.com", 1); /* opcode 1 */
    rr_a(&b, "op.example.com", X1, false);
    p = mkpkt(&b, b.n, 17, 4, CLIENT, S);
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    hdr(&b, 0x8180, 1, "c.example.com", 5); /* a CNAME only */
    rr_cname(&b, "c.example.com", "d.example.com");
    p = mkpkt(&b, b.n, 17, 4, CLIENT, S);
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    hdr(&b, 0x8180, 1, "six.example.com", 28); /* AAAA to an IPv4 client */
    rr_a(&b, "six.example.com", v6, true);
    p = mkpkt(&b, b.n, 17, 4, CLIENT, S);
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    ASSERT_EQ_U64(assoc(m), 0);
    hdr(&b, 0x8180, 2, "cut.example.com", 1); /* cut inside the second answer */
    rr_a(&b, "cut.example.com", X1, false);
    size_t keep = b.n + 5;
    rr_a(&b, "cut.example.com", X2, false);
    p = mkpkt(&b, keep, 17, 4, CLIENT, S);
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    ASSERT_EQ_U64(assoc(m), 1);
    const char *out[8];
    ASSERT_EQ_INT(names(m, CLIENT, X1, S, fed, out), 1);
    ASSERT_EQ_STR(out[0], "cut.example.com");
    msgb junk = { .n = 7 };
    p = mkpkt(&junk, junk.n, 17, 4, CLIENT, S); /* shorter than a header */
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    hdr(&b, 0x8180, 1, "frag.example.com", 1); /* a later fragment's bytes: not read */
    rr_a(&b, "frag.example.com", X2, false);
    p = mkpkt(&b, b.n, 17, 4, CLIENT, S);
    p.flags |= IOF_PKT_FRAGMENT;
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    ASSERT_EQ_U64(assoc(m), 1);
    /* DNS over TCP: length prefix, one whole message */
    msgb t;
    hdr(&b, 0x8180, 1, "tcp.example.com", 1);
    rr_a(&b, "tcp.example.com", X2, false);
    t.n = 0;
    put16(&t, (unsigned)b.n);
    memcpy(t.b + 2, b.b, b.n);
    t.n = b.n + 2;
    p = mkpkt(&t, t.n, 6, 4, CLIENT, 2 * S);
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    ASSERT_EQ_U64(assoc(m), 2);
    ASSERT_EQ_INT(names(m, CLIENT, X2, 2 * S, fed, out), 1);
    ASSERT_EQ_STR(out[0], "tcp.example.com");
    p = mkpkt(&t, t.n - 3, 6, 4, CLIENT, 2 * S); /* the segment ends before the message */
    p.payload_len = (uint32_t)(t.n - 3);
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    iof__dnsmap_stats st;
    iof__dnsmap_get_stats(m, &st);
    ASSERT_EQ_U64(st.responses, 6); /* not the query, the junk, the fragment, the cut TCP */
    ASSERT_EQ_U64(st.no_answer, 4); /* NXDOMAIN, opcode, CNAME only, the AAAA only */
    ASSERT_EQ_U64(st.other_family, 1);
    ASSERT_EQ_U64(st.damaged, 1);
    ASSERT_EQ_U64(st.not_dns, 2); /* the junk, the cut TCP segment */
    ASSERT_EQ_U64(st.assoc, 2);
    iof__dnsmap_destroy(m);
}

/* Caps: a pair keeps IOF_DNSMAP_MAX_PER_PAIR names, the map max_assoc associations (the
 * smallest cap with a small --max-memory); the rest is counted and what is kept stays. */
static void test_caps(void)
{
    iof__dnsmap *m;
    ASSERT_EQ_INT(iof__dnsmap_create(&m, 1), IOF_OK);
    iof__dnsmap_stats st;
    iof__dnsmap_get_stats(m, &st);
    ASSERT_EQ_U64(st.max_assoc, IOF_DNSMAP_MIN_ASSOC);
    msgb b;
    char name[64];
    for (unsigned i = 0; i < IOF_DNSMAP_MAX_PER_PAIR + 6; i++) {
        snprintf(name, sizeof name, "n%u.example.com", i);
        hdr(&b, 0x8180, 1, name, 1);
        rr_a(&b, name, X1, false);
        iof__pkt p = mkpkt(&b, b.n, 17, 4, CLIENT, S);
        ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    }
    iof__dnsmap_get_stats(m, &st);
    ASSERT_EQ_U64(st.assoc, IOF_DNSMAP_MAX_PER_PAIR);
    ASSERT_EQ_U64(st.dropped_pair, 6);
    const char *out[IOF_DNSMAP_MAX_PER_PAIR];
    ASSERT_EQ_INT(names(m, CLIENT, X1, S, fed, out), IOF_DNSMAP_MAX_PER_PAIR);
    ASSERT_EQ_STR(out[0], "n0.example.com");
    /* fill the map: one name per address */
    uint8_t a[16] = { 10, 0, 0, 0 };
    for (unsigned i = 0; i < IOF_DNSMAP_MIN_ASSOC; i++) {
        a[2] = (uint8_t)(i >> 8);
        a[3] = (uint8_t)i;
        hdr(&b, 0x8180, 1, "fill.example.com", 1);
        rr_a(&b, "fill.example.com", a, false);
        iof__pkt p = mkpkt(&b, b.n, 17, 4, OTHER, S);
        ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    }
    iof__dnsmap_get_stats(m, &st);
    ASSERT_EQ_U64(st.assoc, IOF_DNSMAP_MIN_ASSOC);
    ASSERT_EQ_U64(st.dropped_cap, IOF_DNSMAP_MAX_PER_PAIR);
    a[2] = 0;
    a[3] = 5;
    ASSERT_EQ_INT(names(m, OTHER, a, S, fed, out), 1);
    iof__dnsmap_destroy(m);
}

/* The rules' `dns` through a custom-flow record: its device and remote, its first packet and
 * its horizon; no name is unknown (on-missing), a name that does not match is false. */
static void test_rule(void)
{
    static const char text[] = "key svc default \"other\" on-missing \"unnamed\"\n"
                               "svc = \"example\" if dns \"*.EXAMPLE.com\"\n";
    iof__ruleset *rs;
    char err[IOF_RULES_ERR_LEN];
    ASSERT_EQ_INT(iof__rules_load_mem("t.rules", text, sizeof text - 1, IOF_RULES_NO_INCLUDE, &rs, err, sizeof err),
                  0);
    iof__dnsmap *m;
    ASSERT_EQ_INT(iof__dnsmap_create(&m, 0), IOF_OK);
    msgb b;
    hdr(&b, 0x8180, 2, "api.example.com", 1);
    rr_a(&b, "api.example.com", X1, false);
    rr_a(&b, "api.example.com", X2, false);
    iof__pkt p = mkpkt(&b, b.n, 17, 4, CLIENT, 10 * S);
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    hdr(&b, 0x8180, 1, "api.other.org", 1);
    rr_a(&b, "api.other.org", X2, false);
    p = mkpkt(&b, b.n, 17, 4, OTHER, 10 * S);
    ASSERT_EQ_INT(feed(m, &p), IOF_OK);
    iof__namemaps maps = { .dns = m };
    iof__cfrec r;
    memset(&r, 0, sizeof r);
    r.ipver = 4;
    r.proto = 6;
    r.first_dir = 1;
    memcpy(r.dev_ip, CLIENT, 16);
    memcpy(r.rem_ip, X1, 16);
    r.first_ns = r.last_ns = 11 * S;
    r.names_horizon = fed;
    iof__lbl_attrs a;
    iof__lbl_result res[1];
    iof__cf_lbl_attrs(&r, NULL, &maps, &a);
    ASSERT_TRUE(a.has & IOF_LBL_HAS_DNS);
    ASSERT_EQ_INT(a.n_dns, 1);
    iof__rules_eval(rs, &a, res);
    ASSERT_EQ_STR(res[0].value, "example");
    ASSERT_EQ_STR(res[0].rule, "t.rules:2");
    r.first_ns = 9 * S; /* before the response */
    iof__cf_lbl_attrs(&r, NULL, &maps, &a);
    ASSERT_TRUE(!(a.has & IOF_LBL_HAS_DNS));
    iof__rules_eval(rs, &a, res);
    ASSERT_EQ_STR(res[0].value, "unnamed");
    memcpy(r.dev_ip, OTHER, 16); /* OTHER resolved X2 to another name */
    memcpy(r.rem_ip, X2, 16);
    r.first_ns = 11 * S;
    iof__cf_lbl_attrs(&r, NULL, &maps, &a);
    iof__rules_eval(rs, &a, res);
    ASSERT_EQ_STR(res[0].value, "other");
    iof__cf_lbl_attrs(&r, NULL, NULL, &a); /* no map: no dns */
    ASSERT_TRUE(!(a.has & IOF_LBL_HAS_DNS));
    iof__dnsmap_destroy(m);
    iof__rules_free(rs);
}

int main(void)
{
    static const iof_test tests[] = { TEST(test_chain), TEST(test_not_learnt), TEST(test_caps), TEST(test_rule),
                                      { 0, 0 } };
    return iof_test_run(tests);
}
