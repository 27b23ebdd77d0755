/* Feature modules (src/features): each module's arithmetic on hand-made packets, exact texts
 * as Joy writes them (docs/JOY.md "Feature modules"), and the registry / feature set. */
#include <stdalign.h>
#include <sys/mman.h>

#include "features/cffeat.h"
#include "features/feature.h"
#include "features/joyfeat.h"
#include "iotflow/iotflow.h"
#include "test.h"

/* two records' extension areas (out, in), big enough for every module at once */
static alignas(16) unsigned char ext_out[32768], ext_in[32768];
/* Each side's seen bits (the modules its packets reached), as a record keeps them: the
 * modules' joy_json and cut are skipped for a module neither side's packets reached */
static uint32_t seen_out_bits, seen_in_bits;
static uint32_t *seen_of(const unsigned char *ext) { return ext == ext_out ? &seen_out_bits : &seen_in_bits; }
static uint32_t seen_pair(const unsigned char *a, const unsigned char *b) { return *seen_of(a) | (b ? *seen_of(b) : 0); }
static iof__featset fs;
static iof__tbuf tb;

static void setup(iof__feat_opts o)
{
    ASSERT_EQ_INT(iof__featset_init(&fs, &o), IOF_OK);
    ASSERT_TRUE(fs.ext_size <= sizeof(ext_out));
    memset(ext_out, 0, sizeof(ext_out));
    memset(ext_in, 0, sizeof(ext_in));
    seen_out_bits = seen_in_bits = 0;
    iof__featset_init_state(&fs, ext_out, false, false);
    iof__featset_init_state(&fs, ext_in, false, false);
}

/* One packet of data d[0..n) into a side; the IP packet is the same bytes. */
static void feed(unsigned char *ext, const uint8_t *d, uint32_t n, bool tcp)
{
    static uint32_t data_pkts;
    data_pkts += n != 0;
    iof__feat_pkt fp = { .data = d, .len = n, .ip = d, .ip_len = n, .data_pkts = n ? data_pkts : 0,
                         .tcp = tcp };
    *seen_of(ext) = iof__featset_update(&fs, ext, &fp, *seen_of(ext));
}

/* The text the modules of slot write for the flow (in: NULL for a one-way flow). */
static const char *json(iof__feat_joy_slot slot, bool bidir)
{
    tb.len = 0;
    iof__featset_finish(&fs, ext_out, IOF_FEAT_SEEN_ALL);
    iof__featset_joy_json(&fs, slot, &tb, ext_out, bidir ? ext_in : NULL, seen_pair(ext_out, bidir ? ext_in : NULL));
    iof__tb_putc(&tb, '\0');
    ASSERT_TRUE(!tb.oom);
    return tb.p;
}

/* ",\"byte_dist\":[" + the 256 counts, with c[v] at v */
static const char *dist_text(char *buf, size_t len, const unsigned *c)
{
    size_t k = (size_t)snprintf(buf, len, ",\"byte_dist\":[");
    for (int v = 0; v < 256; v++)
        k += (size_t)snprintf(buf + k, len - k, v ? ",%u" : "%u", c[v]);
    snprintf(buf + k, len - k, "]");
    return buf;
}

static void test_byte_dist_one_way(void)
{
    setup((iof__feat_opts){ .dist = true, .entropy = true });
    const uint8_t a[] = { 0, 1 }, b[] = { 2, 3 };
    feed(ext_out, a, 2, true);
    feed(ext_out, b, 2, false);
    unsigned c[256] = { 1, 1, 1, 1 };
    char want[2048], d[1600];
    /* mean 1.5; std = sqrt((2.25 + 0.25 + 0.25 + 2.25) / 3) = 1.2909944; 4 equal values: 2 bits */
    snprintf(want, sizeof(want), "%s,\"byte_dist_mean\":1.500000,\"byte_dist_std\":1.290994"
             ",\"entropy\":2.000000,\"total_entropy\":8.000000", dist_text(d, sizeof(d), c));
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_AFTER_PACKETS, false), want);
    /* other slots: nothing */
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false), "");
}

static void test_byte_dist_pair_joy_formula(void)
{
    setup((iof__feat_opts){ .dist = true, .entropy = true });
    const uint8_t a[] = { 0, 2 }, b[] = { 4, 6 };
    feed(ext_out, a, 2, true);
    feed(ext_in, b, 2, true);
    unsigned c[256] = { 0 };
    c[0] = c[2] = c[4] = c[6] = 1;
    char want[2048], d[1600];
    /* mean = 2/4 * 1 + 2/4 * 5 = 3; Joy's "std" = sqrt((2/4 * 2 + 2/4 * 2) / 3) = 0.8164966
     * (the two sums of squared deviations weighted, not pooled: the pooled one is 2.5819889) */
    snprintf(want, sizeof(want), "%s,\"byte_dist_mean\":3.000000,\"byte_dist_std\":0.816497"
             ",\"entropy\":2.000000,\"total_entropy\":8.000000", dist_text(d, sizeof(d), c));
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_AFTER_PACKETS, true), want);
}

static void test_byte_dist_edges(void)
{
    /* no data: the array of zeros, no mean, std or entropy */
    setup((iof__feat_opts){ .dist = true, .entropy = true });
    feed(ext_out, NULL, 0, true);
    unsigned c[256] = { 0 };
    char d[1600];
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_AFTER_PACKETS, true), dist_text(d, sizeof(d), c));
    /* one byte: std 0; entropy 0 */
    const uint8_t one[] = { 200 };
    feed(ext_out, one, 1, true);
    c[200] = 1;
    char want[2048];
    snprintf(want, sizeof(want), "%s,\"byte_dist_mean\":200.000000,\"byte_dist_std\":0.000000"
             ",\"entropy\":0.000000,\"total_entropy\":0.000000", dist_text(d, sizeof(d), c));
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_AFTER_PACKETS, false), want);
    /* entropy alone: no byte_dist keys */
    setup((iof__feat_opts){ .entropy = true });
    feed(ext_out, one, 1, true);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_AFTER_PACKETS, false), ",\"entropy\":0.000000,\"total_entropy\":0.000000");
}

static void test_byte_dist_reduction(void)
{
    /* 300 x 7 and 1 x 8: the largest count needs 9 bits, so every count is shifted right by 1 */
    static uint8_t d[301];
    memset(d, 7, 300);
    d[300] = 8;
    setup((iof__feat_opts){ .dist = true, .entropy = true });
    feed(ext_out, d, 301, true);
    unsigned c[256] = { 0 };
    c[7] = 150;
    char want[2048], t[1600];
    dist_text(t, sizeof(t), c);
    /* Joy's entropy reads the shifted counts, over the 301 bytes: -(150/301) log2(150/301) =
     * 0.5007314 in double; Joy's single precision gives 0.50073135.., times 301 = 150.720154
     * (double: 150.720148). The plain entropy of these bytes is 0.0321393 (double; 9.673916 in
     * all), in single precision 0.032139 and 9.673910. */
    snprintf(want, sizeof(want), "%s,\"byte_dist_mean\":7.003322,\"byte_dist_std\":0.057639"
             ",\"entropy\":0.500731,\"total_entropy\":150.720154", t);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_AFTER_PACKETS, false), want);
    setup((iof__feat_opts){ .entropy = true });
    feed(ext_out, d, 301, true);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_AFTER_PACKETS, false), ",\"entropy\":0.032139,\"total_entropy\":9.673910");
}

static void test_wht(void)
{
    setup((iof__feat_opts){ .wht = true });
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), "");   /* no data: nothing */
    const uint8_t a[] = { 1, 2, 3, 4, 5 };
    feed(ext_out, a, 5, true);
    /* (1,2,3,4): 10,-2,-4,0; (5,0,0,0) padded: 5,5,5,5; sums 15,3,1,5 over 5 bytes */
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false), ",\"wht\":[3,0.6,0.2,1]");
    const uint8_t b[] = { 255, 0, 0, 0 };
    feed(ext_in, b, 4, false);
    /* 270,258,256,260 over 9 bytes, float quotients, %.5g */
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), ",\"wht\":[30,28.667,28.444,28.889]");
}

/* The state of module m in a side's extension area. */
static const void *state_of(const unsigned char *ext, const iof__feature *m)
{
    for (uint32_t i = 0; i < fs.n; i++)
        if (fs.mod[i] == m)
            return ext + fs.off[i];
    ASSERT_TRUE(false);
    return NULL;
}

/* Long data: byte_dist counts data of 768 bytes and more in four 16-bit tables (passes of
 * 262,128 bytes) and wht sums 16 lanes at a time; both must give what a plain loop over the
 * bytes gives, at every length around their steps (lengths 0..300,000; runs of equal bytes and
 * pseudo-random ones). */
static void test_long_data_counts(void)
{
    static uint8_t d[300000];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(d); i++) {
        x = x * 1103515245u + 12345u;
        d[i] = i / 700 % 3 == 0 ? (uint8_t)(i / 2100) : (uint8_t)(x >> 24); /* runs, then noise */
    }
    static const uint32_t lens[] = { 0, 1, 3, 4, 15, 16, 17, 31, 33, 255, 767, 768, 769, 771, 1023, 1500,
                                     262127, 262128, 262129, 262131, 262132, 262135, 300000 };
    setup((iof__feat_opts){ .dist = true, .wht = true });
    uint64_t count[256] = { 0 }, n = 0;
    int64_t lane[4], sum[4] = { 0 };
    for (size_t t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
        const uint8_t *p = d + (t * 7) % 64;   /* unaligned starts too */
        uint32_t len = lens[t] > sizeof(d) - 64 ? (uint32_t)sizeof(d) - 64 : lens[t];
        feed(ext_out, p, len, true);
        memset(lane, 0, sizeof(lane));
        for (uint32_t i = 0; i < len; i++) {
            count[p[i]]++;
            lane[i % 4] += p[i];
        }
        n += len;
        sum[0] += lane[0] + lane[1] + lane[2] + lane[3];
        sum[1] += lane[0] - lane[1] + lane[2] - lane[3];
        sum[2] += lane[0] + lane[1] - lane[2] - lane[3];
        sum[3] += lane[0] - lane[1] - lane[2] + lane[3];
        iof__value v;
        for (uint32_t b = 0; b < 256; b++) {
            iof__feat_byte_dist.cols->get(state_of(ext_out, &iof__feat_byte_dist), NULL, b, 0, &v);
            ASSERT_EQ_INT(v.i, (int64_t)count[b]);
        }
        for (uint32_t k = 0; k < 4 && n; k++) {
            iof__feat_wht.cols->get(state_of(ext_out, &iof__feat_wht), NULL, k, 0, &v);
            ASSERT_TRUE(!v.null && v.f == (double)sum[k] / (double)n);
        }
    }
}

static void test_payload(void)
{
    setup((iof__feat_opts){ .payload = true });
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), "");
    uint8_t a[40];
    for (int i = 0; i < 40; i++)
        a[i] = (uint8_t)i;
    feed(ext_in, NULL, 0, true);     /* no data: nothing kept */
    const uint8_t b[] = { 0xaa, 0xbb, 0xcc };
    feed(ext_in, b, 3, true);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), ",\"payload\":{\"in\":\"aabbcc\"}");
    feed(ext_out, a, 40, false);     /* 32 bytes kept */
    feed(ext_out, b, 3, false);      /* later packets change nothing */
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true),
                  ",\"payload\":{\"out\":\"000102030405060708090a0b0c0d0e0f"
                  "101112131415161718191a1b1c1d1e1f\",\"in\":\"aabbcc\"}");
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false),
                  ",\"payload\":{\"out\":\"000102030405060708090a0b0c0d0e0f"
                  "101112131415161718191a1b1c1d1e1f\"}");
}

static void test_hd(void)
{
    setup((iof__feat_opts){ .hd = 2 });
    const uint8_t p1[] = { 0x10, 0x01 }, p3[] = { 0x11, 0x01 }, short1[] = { 0x10 };
    feed(ext_out, p1, 2, true);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_HD, false), "");          /* one seen: nothing */
    feed(ext_out, short1, 1, true);                           /* < 2 bytes: not counted */
    feed(ext_out, p3, 2, false);                              /* Joy's "IP" path: not counted */
    feed(ext_out, p1, 2, true);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_HD, false),
                  ",\"hd\":{\"n\":2,\"cm\":\"ffff\",\"cv\":\"1001\",\"sm\":\"0000\",\"i\":\"1001\"}");
    feed(ext_out, p3, 2, true);   /* bit 0 of byte 0 varies */
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_HD, false),
                  ",\"hd\":{\"n\":3,\"cm\":\"feff\",\"cv\":\"1001\",\"sm\":\"0000\",\"i\":\"1001\"}");
    /* the in side is never written (Joy writes the out side's) */
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_HD, true),
                  ",\"hd\":{\"n\":3,\"cm\":\"feff\",\"cv\":\"1001\",\"sm\":\"0000\",\"i\":\"1001\"}");

    /* Joy's sequence mask: a byte with mask 0 whose value is cv + 1 = 1 */
    setup((iof__feat_opts){ .hd = 2 });
    const uint8_t q1[] = { 0, 0xff }, q2[] = { 0, 0 }, q3[] = { 0, 1 };
    feed(ext_out, q1, 2, true);
    feed(ext_out, q2, 2, true);
    feed(ext_out, q3, 2, true);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_HD, false),
                  ",\"hd\":{\"n\":3,\"cm\":\"ff00\",\"cv\":\"0000\",\"sm\":\"00ff\",\"i\":\"00ff\"}");
    /* at most 10 looked at */
    for (int i = 0; i < 20; i++)
        feed(ext_out, q2, 2, true);
    ASSERT_TRUE(strstr(json(IOF_FEAT_JOY_HD, false), "\"n\":10,") != NULL);
}

static void test_idp(void)
{
    setup((iof__feat_opts){ .idp = 4 });
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_IDP, true), "");
    iof__feat_pkt none = { .ip = (const uint8_t *)"\x45\x00", .ip_len = 2, .data_pkts = 0 };
    *seen_of(ext_out) = iof__featset_update(&fs, ext_out, &none, *seen_of(ext_out));   /* no data packet yet: nothing kept */
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_IDP, true), "");
    const uint8_t ip[] = { 1, 2, 3, 4, 5, 6 };
    iof__feat_pkt first = { .ip = ip, .ip_len = 6, .data_pkts = 1 };
    *seen_of(ext_out) = iof__featset_update(&fs, ext_out, &first, *seen_of(ext_out));      /* the first 4 bytes */
    iof__feat_pkt later = { .ip = ip + 1, .ip_len = 5, .data_pkts = 2 };
    *seen_of(ext_out) = iof__featset_update(&fs, ext_out, &later, *seen_of(ext_out));      /* kept already */
    iof__feat_pkt small = { .ip = ip, .ip_len = 3, .data_pkts = 1 };
    *seen_of(ext_in) = iof__featset_update(&fs, ext_in, &small, *seen_of(ext_in));       /* shorter than N: all of it */
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_IDP, true),
                  ",\"idp_out\":\"01020304\",\"idp_len_out\":4,\"idp_in\":\"010203\",\"idp_len_in\":3");
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_IDP, false), ",\"idp_out\":\"01020304\",\"idp_len_out\":4");
}

/* One TCP segment into a side's ppi. */
static void ppi_feed(unsigned char *ext, int64_t t_us, uint32_t seq, uint32_t ack, uint8_t flags,
                     uint32_t len, const uint8_t *opts, uint32_t olen)
{
    iof__pkt p = { .tcp_seq = seq, .tcp_ack = ack, .tcp_flags = flags, .l4_hlen = 20 + olen };
    iof__feat_pkt fp = { .pkt = &p, .len = len, .tcp = true, .ts_us = t_us, .tcp_opts = opts,
                         .tcp_opts_len = olen };
    *seen_of(ext) = iof__featset_update(&fs, ext, &fp, *seen_of(ext));
}

static void test_ppi(void)
{
    setup((iof__feat_opts){ .ppi = true });
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), "");   /* no TCP segment: nothing */
    static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
    ppi_feed(ext_out, 1000, 100, 0, 0x02, 0, mss, 4);        /* SYN */
    ppi_feed(ext_in, 2000, 500, 101, 0x12, 0, NULL, 0);      /* SYN/ACK */
    ppi_feed(ext_out, 3000, 101, 501, 0x10, 10, NULL, 0);    /* a tie with the next: in first */
    ppi_feed(ext_in, 3000, 501, 111, 0x18, 5, NULL, 0);
    ppi_feed(ext_out, 4000, 50, 501, 0x10, 0, NULL, 0);      /* below the highest seq */
    /* a retransmission (Joy's "IP" path) is not an entry */
    iof__feat_pkt ip = { .pkt = &(iof__pkt){ 0 }, .tcp = false, .ts_us = 5000 };
    *seen_of(ext_out) = iof__featset_update(&fs, ext_out, &ip, *seen_of(ext_out));
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), ",\"ppi\":["
        "{\"seq\":100,\"ack\":0,\"rseq\":0,\"rack\":0,\"b\":0,\"olen\":4,\"dir\":\">\",\"t\":0,\"flags\":\"S\",\"opts\":[{\"mss\":1460}]},"
        "{\"seq\":500,\"ack\":101,\"rseq\":0,\"rack\":1,\"b\":0,\"olen\":0,\"dir\":\"<\",\"t\":1,\"flags\":\"SA\",\"opts\":[]},"
        "{\"seq\":501,\"ack\":111,\"rseq\":1,\"rack\":11,\"b\":5,\"olen\":0,\"dir\":\"<\",\"t\":2,\"flags\":\"PA\",\"opts\":[]},"
        "{\"seq\":101,\"ack\":501,\"rseq\":1,\"rack\":0,\"b\":10,\"olen\":0,\"dir\":\">\",\"t\":2,\"flags\":\"A\",\"opts\":[]},"
        "{\"seq\":50,\"ack\":501,\"rseq\":-51,\"rack\":0,\"b\":0,\"olen\":0,\"dir\":\">\",\"t\":3,\"flags\":\"A\",\"opts\":[]}]");

    /* mid-connection, the in side speaks first: it is the client (">"), its first entry 0/0 */
    setup((iof__feat_opts){ .ppi = true });
    ppi_feed(ext_in, 0, 7000, 9000, 0x18, 3, NULL, 0);
    ppi_feed(ext_out, 1500, 9000, 7003, 0x10, 0, NULL, 0);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), ",\"ppi\":["
        "{\"seq\":7000,\"ack\":9000,\"rseq\":0,\"rack\":0,\"b\":3,\"olen\":0,\"dir\":\">\",\"t\":0,\"flags\":\"PA\",\"opts\":[]},"
        "{\"seq\":9000,\"ack\":7003,\"rseq\":0,\"rack\":3,\"b\":0,\"olen\":0,\"dir\":\"<\",\"t\":1,\"flags\":\"A\",\"opts\":[]}]");
    /* an in side without entries: the out side's alone; at most 50 per side */
    setup((iof__feat_opts){ .ppi = true });
    for (int i = 0; i < 60; i++)
        ppi_feed(ext_out, i * 1000, 1, 0, 0x10, 0, NULL, 0);
    const char *j = json(IOF_FEAT_JOY_MODULES, true);
    size_t n = 0;
    for (const char *q = j; (q = strstr(q, "{\"seq\"")); q++)
        n++;
    ASSERT_EQ_INT(n, 50);
}

static const char *opts_json(const uint8_t *o, uint32_t n)
{
    tb.len = 0;
    iof__feat_tcp_opts_json(&tb, o, n);
    iof__tb_putc(&tb, '\0');
    return tb.p;
}

static void test_tcp_opts(void)
{
    static const uint8_t all[24] = { 1, 2, 4, 0x05, 0xb4, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
                                     30, 3, 0xab, 0 };
    ASSERT_EQ_STR(opts_json(all, 24), ",\"opts\":[{\"noop\":null},{\"mss\":1460},{\"ws\":7},"
                  "{\"sackp\":null},{\"ts\":{\"val\":1,\"ecr\":2}},{\"kind\":30,\"data\":\"ab\"}]");
    static const uint8_t bad_mss[4] = { 2, 3, 0, 0 };      /* 1 data byte, then end of list */
    ASSERT_EQ_STR(opts_json(bad_mss, 4), ",\"opts\":[{\"malformed\":{\"kind\":2,\"data\":\"00\",\"len\":1}}]");
    static const uint8_t too_long[4] = { 1, 5, 10, 0 };    /* a length beyond the list: stop */
    ASSERT_EQ_STR(opts_json(too_long, 4), ",\"opts\":[{\"noop\":null},{\"malformed\":{\"kind\":5,\"len\":10}}]");
    static const uint8_t no_len[4] = { 1, 1, 1, 9 };       /* a kind without its length: stop */
    ASSERT_EQ_STR(opts_json(no_len, 4), ",\"opts\":[{\"noop\":null},{\"noop\":null},{\"noop\":null}]");
    static const uint8_t zero_len[4] = { 9, 0, 1, 1 };
    ASSERT_EQ_STR(opts_json(zero_len, 4), ",\"opts\":[{\"malformed\":{\"kind\":9,\"len\":0}}]");
    uint8_t nops[40];
    memset(nops, 1, sizeof(nops));                        /* 40 option bytes: the first 24 */
    const char *j = opts_json(nops, 40);
    size_t n = 0;
    for (const char *q = j; (q = strstr(q, "noop")); q++)
        n++;
    ASSERT_EQ_INT(n, 24);
    ASSERT_EQ_STR(opts_json(nops, 0), ",\"opts\":[]");
}


/* A DHCP message in d: the fixed part (op 1, htype 1, hlen 6, xid 0x01020304, secs 3, flags
 * 0x8000, ciaddr 10.0.0.1, chaddr 02:00:00:00:00:01, sname as given), the cookie, then opts;
 * returns its length. */
static uint32_t dhcp_msg(uint8_t *d, const char *sname, const uint8_t *opts, uint32_t nopts)
{
    memset(d, 0, 240);
    d[0] = 1, d[1] = 1, d[2] = 6;
    d[4] = 1, d[5] = 2, d[6] = 3, d[7] = 4, d[9] = 3, d[10] = 0x80;
    d[12] = 10, d[15] = 1;
    d[28] = 2, d[33] = 1;
    memcpy(d + 44, sname, strlen(sname));
    d[236] = 0x63, d[237] = 0x82, d[238] = 0x53, d[239] = 0x63;
    memcpy(d + 240, opts, nopts);
    return 240 + nopts;
}

static void feed_key(unsigned char *ext, const uint8_t *d, uint32_t n, uint16_t sp, uint16_t dp)
{
    iof__feat_pkt fp = { .data = d, .len = n, .ip = d, .ip_len = n, .data_pkts = 1,
                         .key_proto = 17, .key_sp = sp, .key_dp = dp };
    *seen_of(ext) = iof__featset_update(&fs, ext, &fp, *seen_of(ext));
}

#define DHCP_FIXED "\"op\":\"1\",\"htype\":\"1\",\"hlen\":\"6\",\"hops\":\"0\",\"xid\":\"16909060\"," \
    "\"secs\":\"3\",\"flags\":\"32768\",\"ciaddr\":\"10.0.0.1\",\"yiaddr\":\"0.0.0.0\"," \
    "\"siaddr\":\"0.0.0.0\",\"giaddr\":\"0.0.0.0\",\"chaddr\":\"02000000000100000000000000000000\""

static void test_dhcp(void)
{
    setup((iof__feat_opts){ .dhcp = true });
    static uint8_t d[1024];
    /* msg_type REQUEST; hostname; msg_type 99 (Joy: broken JSON); an unnamed option 84; a
     * named option of length 0 (Joy: broken JSON); an unnamed one of length 0; PAD; END */
    const uint8_t o[] = { 53, 1, 3, 12, 3, 'a', 'b', 'c', 53, 1, 99, 84, 2, 0xab, 0xcd, 1, 0,
                          115, 0, 0, 255, 7, 7 };
    uint32_t n = dhcp_msg(d, "srv\"/x\x01", o, sizeof(o));
    feed_key(ext_out, d, n, 68, 67);
    feed_key(ext_in, d, n, 67, 68);    /* the in side's messages are not written (as Joy) */
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true),
                  ",\"dhcp\":[{" DHCP_FIXED ",\"sname\":\"srv..x.\",\"options\":["
                  "{\"msg_type\":\"DHCPREQUEST\"},{\"hostname\":\"616263\"},{\"msg_type\":\"63\"},"
                  "{\"kind\":84,\"data\":\"abcd\"},{\"subnet_mask\":\"\"},{\"kind\":115}]}]");
    /* not kept: other ports, UDP only, cut before the cookie's end, a wrong cookie */
    setup((iof__feat_opts){ .dhcp = true });
    n = dhcp_msg(d, "", o, 0);
    feed_key(ext_out, d, n, 68, 68);
    feed(ext_out, d, n, false);    /* key protocol 0: a later fragment */
    feed_key(ext_out, d, 239, 68, 67);
    d[239] = 0x64;
    feed_key(ext_out, d, n, 68, 67);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false), "");
    /* a message without options, no END (the bytes end): no "options" key; two messages */
    d[239] = 0x63;
    feed_key(ext_out, d, n, 67, 68);
    feed_key(ext_out, d, n, 67, 68);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false),
                  ",\"dhcp\":[{" DHCP_FIXED "},{" DHCP_FIXED "}]");
}

static void test_dhcp_caps(void)
{
    setup((iof__feat_opts){ .dhcp = true });
    static uint8_t d[2048];
    /* 20 options: Joy keeps 16 */
    uint8_t o[60];
    for (int i = 0; i < 20; i++)
        o[3 * i] = 1, o[3 * i + 1] = 1, o[3 * i + 2] = (uint8_t)i;
    uint32_t n = dhcp_msg(d, "", o, sizeof(o));
    feed_key(ext_out, d, n, 68, 67);
    const char *j = json(IOF_FEAT_JOY_MODULES, false);
    ASSERT_TRUE(strstr(j, "{\"subnet_mask\":\"0f\"}]") != NULL);
    ASSERT_TRUE(strstr(j, "\"10\"") == NULL);
    /* option bytes: no option starts at 512 or beyond (two of 255 + 2 bytes, then a third) */
    setup((iof__feat_opts){ .dhcp = true });
    static uint8_t big[3 * 257];
    for (int i = 0; i < 3; i++)
        big[257 * i] = 43, big[257 * i + 1] = 255;
    n = dhcp_msg(d, "", big, sizeof(big));
    for (int i = 0; i < 4; i++)   /* 561 bytes kept of each (two options): the 4th does not
                                     fit the arena and the list ends there */
        feed_key(ext_out, d, n, 68, 67);
    n = dhcp_msg(d, "", o, 3);
    feed_key(ext_out, d, n, 68, 67);
    j = json(IOF_FEAT_JOY_MODULES, false);
    size_t k = 0;
    for (const char *p = j; (p = strstr(p, "vendor_specific")); p++)
        k++;
    ASSERT_EQ_INT(k, 6);
    ASSERT_TRUE(strstr(j, "subnet_mask") == NULL);
    uint64_t cuts[IOF_FEAT_MAX_MODULES] = { 0 };   /* counted: joy.features_cut.dhcp */
    iof__featset_count_cuts(&fs, ext_out, NULL, seen_pair(ext_out, NULL), cuts);
    ASSERT_EQ_U64(cuts[4], 1);                      /* the registry's dhcp */
    /* messages: 16 kept */
    setup((iof__feat_opts){ .dhcp = true });
    n = dhcp_msg(d, "", o, 3);
    for (int i = 0; i < 20; i++)
        feed_key(ext_out, d, n, 68, 67);
    j = json(IOF_FEAT_JOY_MODULES, false);
    k = 0;
    for (const char *p = j; (p = strstr(p, "\"op\"")); p++)
        k++;
    ASSERT_EQ_INT(k, IOF_JOY_DHCP_MSGS);
}

/* --- dns: hand-made messages (docs/JOY.md "dns") --- */

typedef struct { uint8_t b[2048]; uint32_t n; } dmsg;
static void d8(dmsg *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void d16(dmsg *m, unsigned v) { d8(m, v >> 8); d8(m, v & 255); }
static void d32(dmsg *m, uint32_t v) { d16(m, v >> 16); d16(m, v & 0xffff); }
static void dhdr(dmsg *m, unsigned flags, unsigned qd, unsigned an)
{
    m->n = 0;
    d16(m, 0xbeef); d16(m, flags); d16(m, qd); d16(m, an); d16(m, 0); d16(m, 0);
}
/* "a.b.c" as labels and the root; bytes as they are */
static void dname(dmsg *m, const char *dotted)
{
    while (*dotted) {
        const char *e = strchr(dotted, '.');
        size_t l = e ? (size_t)(e - dotted) : strlen(dotted);
        d8(m, (unsigned)l);
        memcpy(m->b + m->n, dotted, l);
        m->n += (uint32_t)l;
        dotted += l + (e ? 1 : 0);
    }
    d8(m, 0);
}
static void dquestion(dmsg *m, const char *qn) { dname(m, qn); d16(m, 1); d16(m, 1); }
/* an answer whose owner is a pointer to the question (offset 12) */
static void danswer(dmsg *m, unsigned type, uint32_t ttl, const void *rdata, unsigned rdlen)
{
    d16(m, 0xc00c); d16(m, type); d16(m, 1); d32(m, ttl); d16(m, rdlen);
    memcpy(m->b + m->n, rdata, rdlen);
    m->n += rdlen;
}

/* A UDP packet of a record keyed sp -> dp (app: Joy identified DNS on the record). */
static void dfeed(unsigned char *ext, const dmsg *m, uint16_t sp, uint16_t dp, bool app)
{
    iof__feat_pkt fp = { .data = m->b, .len = m->n, .wire_len = m->n, .ip = m->b,
                         .ip_len = m->n, .key_proto = 17, .key_sp = sp, .key_dp = dp,
                         .app_dns = app };
    *seen_of(ext) = iof__featset_update(&fs, ext, &fp, *seen_of(ext));
}

static void dns_query(dmsg *m, const char *qn)
{
    dhdr(m, 0x0100, 1, 0);
    dquestion(m, qn);
}

static void test_dns(void)
{
    dmsg q, r;
    /* a query, one way */
    setup((iof__feat_opts){ .dns = true });
    dns_query(&q, "www.example.com");
    dfeed(ext_out, &q, 40000, 53, true);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false),
                  ",\"dns\":[{\"qn\":\"www.example.com\",\"rc\":0,\"rr\":[]}]");
    /* a response with CNAME (a pointer inside RDATA), A and AAAA: "rn", Joy's other-type text
     * for AAAA (rdlength byte-swapped) */
    dhdr(&r, 0x8180, 1, 3);
    dquestion(&r, "www.example.com");
    const uint8_t cname[] = { 3, 'c', 'd', 'n', 0xc0, 16 };   /* cdn.example.com */
    const uint8_t a[] = { 93, 184, 216, 34 };
    uint8_t aaaa[16] = { 0x26, 0x06, 0x28, 0x00 };
    danswer(&r, 5, 60, cname, sizeof cname);
    danswer(&r, 1, 300, a, sizeof a);
    danswer(&r, 28, 301, aaaa, sizeof aaaa);
    const char *resp = "{\"rn\":\"www.example.com\",\"rc\":0,\"rr\":[{\"cname\":\"cdn.example.com\","
                       "\"ttl\":60},{\"a\":\"93.184.216.34\",\"ttl\":300},{\"type\":\"1c\","
                       "\"class\":\"1\",\"rdlength\":4096,\"ttl\":301}]}";
    char want[1024];
    setup((iof__feat_opts){ .dns = true });
    dfeed(ext_out, &r, 53, 40000, false);
    snprintf(want, sizeof want, ",\"dns\":[%s]", resp);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false), want);
    /* a pair (out: the server side, as Joy orients DNS): Joy prints the in side's messages */
    dfeed(ext_in, &q, 40000, 53, true);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true),
                  ",\"dns\":[{\"qn\":\"www.example.com\",\"rc\":0,\"rr\":[]}]");
    /* ... and "dns":[] when only the out side kept messages */
    setup((iof__feat_opts){ .dns = true });
    dfeed(ext_out, &r, 53, 40000, false);
    q.n = 12;   /* 12 bytes: not kept (Joy keeps >= 13), but the state exists */
    dfeed(ext_in, &q, 40000, 53, false);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), ",\"dns\":[]");
    /* nothing at all when no message was kept */
    setup((iof__feat_opts){ .dns = true });
    dfeed(ext_out, &q, 53, 40000, false);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), "");
    /* NXDOMAIN: rc 3 */
    setup((iof__feat_opts){ .dns = true });
    dhdr(&r, 0x8183, 1, 0);
    dquestion(&r, "nope.example");
    dfeed(ext_out, &r, 53, 40000, false);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false),
                  ",\"dns\":[{\"rn\":\"nope.example\",\"rc\":3,\"rr\":[]}]");
    /* the filter: mDNS, TCP 53 and other ports are not DNS for Joy; an identified app is */
    setup((iof__feat_opts){ .dns = true });
    dns_query(&q, "x.local");
    dfeed(ext_out, &q, 5353, 5353, false);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false), "");
    iof__feat_pkt fp = { .data = q.b, .len = q.n, .wire_len = q.n, .key_proto = 6,
                         .key_sp = 40000, .key_dp = 53 };
    *seen_of(ext_out) = iof__featset_update(&fs, ext_out, &fp, *seen_of(ext_out));
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false), "");
    dfeed(ext_out, &q, 40000, 5300, true);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false),
                  ",\"dns\":[{\"qn\":\"x.local\",\"rc\":0,\"rr\":[]}]");
}

static void test_dns_malformed(void)
{
    dmsg m;
    /* an answer cut inside its fixed part: Joy's count after the header (27 - 12), the
     * question (5 + 4) and the answer's name (2) = 4 */
    setup((iof__feat_opts){ .dns = true });
    dhdr(&m, 0x8180, 1, 1);
    dquestion(&m, "a.b");
    const uint8_t a[] = { 1, 2, 3, 4 };
    danswer(&m, 1, 5, a, 4);
    m.n = 12 + 5 + 4 + 2 + 4;
    dfeed(ext_out, &m, 53, 1234, false);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false),
                  ",\"dns\":[{\"rn\":\"a.b\",\"rc\":0,\"rr\":[{\"malformed\":4}]}]");
    /* an A record with 5 bytes of RDATA: malformed after its name and fixed part; Joy's count
     * does not go down by the A record's RDATA it read: 54 - 12 - 9 - 12 - 12 = 9 */
    setup((iof__feat_opts){ .dns = true });
    dhdr(&m, 0x8180, 1, 2);
    dquestion(&m, "a.b");
    const uint8_t a5[] = { 1, 2, 3, 4, 5 };
    danswer(&m, 1, 5, a, 4);
    danswer(&m, 1, 5, a5, 5);
    dfeed(ext_out, &m, 53, 1234, false);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false),
                  ",\"dns\":[{\"rn\":\"a.b\",\"rc\":0,\"rr\":[{\"a\":\"1.2.3.4\",\"ttl\":5},"
                  "{\"malformed\":9}]}]");
    /* a compression loop in the question (a pointer to itself), then one in an answer's
     * owner name: Joy recurses until its stack ends; here both are malformed */
    setup((iof__feat_opts){ .dns = true });
    dhdr(&m, 0x0100, 1, 0);
    d16(&m, 0xc00c); d16(&m, 1); d16(&m, 1);
    dfeed(ext_out, &m, 1234, 53, false);
    dhdr(&m, 0x8180, 1, 1);
    dquestion(&m, "a.b");
    d16(&m, 0xc000 | 21); d16(&m, 1); d16(&m, 1); d32(&m, 1); d16(&m, 4); d32(&m, 0);
    dfeed(ext_out, &m, 1234, 53, false);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false),
                  ",\"dns\":[{\"malformed\":6},{\"rn\":\"a.b\",\"rc\":0,\"rr\":[{\"malformed\":"
                  "16}]}]");
    /* two questions: Joy's text, its DEBUG key included */
    setup((iof__feat_opts){ .dns = true });
    dhdr(&m, 0x0100, 2, 0);
    dquestion(&m, "a.b");
    dquestion(&m, "c.d");
    dfeed(ext_out, &m, 1234, 53, false);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false),
                  ",\"dns\":[{\"malformed\":18,\"DEBUG\": \"qdcount=2; err=8\"}]");
    /* a name with odd bytes: non-printable as '*', '"' and '\\' escaped for JSON; no
     * question: no name key */
    setup((iof__feat_opts){ .dns = true });
    dhdr(&m, 0x0100, 1, 0);
    dquestion(&m, "a\"b\\c\x01\xff.d e");
    dfeed(ext_out, &m, 1234, 53, false);
    dhdr(&m, 0x8000, 0, 0);
    d8(&m, 0);
    dfeed(ext_out, &m, 1234, 53, false);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false),
                  ",\"dns\":[{\"qn\":\"a\\\"b\\\\c**.d e\",\"rc\":0,\"rr\":[]},"
                  "{\"rc\":0,\"rr\":[]}]");
}

static void test_dns_caps(void)
{
    dmsg m;
    /* more messages than Joy keeps: the first IOF_JOY_DNS_PKTS (50) */
    setup((iof__feat_opts){ .dns = true });
    char qn[32];
    for (int i = 0; i < IOF_JOY_DNS_PKTS + 10; i++) {
        snprintf(qn, sizeof qn, "h%d.example", i);
        dns_query(&m, qn);
        dfeed(ext_out, &m, 1234, 53, false);
    }
    const char *j = json(IOF_FEAT_JOY_MODULES, false);
    int k = 0;
    for (const char *p = j; (p = strstr(p, "\"qn\"")); p++)
        k++;
    ASSERT_EQ_INT(k, IOF_JOY_DNS_PKTS);
    ASSERT_TRUE(strstr(j, "\"h49.example\"") && !strstr(j, "\"h50.example\""));
    /* messages whose text does not fit the arena end the list (a prefix of Joy's) */
    setup((iof__feat_opts){ .dns = true });
    dhdr(&m, 0x8180, 1, 40);
    dquestion(&m, "big.example");
    const uint8_t a[] = { 10, 0, 0, 1 };
    for (int i = 0; i < 40; i++)
        danswer(&m, 1, 3600, a, 4);
    for (int i = 0; i < 10; i++)
        dfeed(ext_out, &m, 53, 1234, false);
    dns_query(&m, "small.example");
    dfeed(ext_out, &m, 53, 1234, false);
    j = json(IOF_FEAT_JOY_MODULES, false);
    k = 0;
    for (const char *p = j; (p = strstr(p, "\"rn\"")); p++)
        k++;
    ASSERT_TRUE(k >= 1 && k < 10);
    ASSERT_TRUE(strlen(j) < IOF_JOY_DNS_ARENA + 16);
    ASSERT_TRUE(!strstr(j, "small.example"));
    /* ... and the flow is counted as cut (the run's joy.features_cut.dns) where that list is the
     * one printed: one-way; a pair prints the in side's (here the cut one) unless the out side
     * never passed the filter (then Joy prints nothing) */
    uint64_t cuts[IOF_FEAT_MAX_MODULES] = { 0 };
    iof__featset_count_cuts(&fs, ext_out, NULL, seen_pair(ext_out, NULL), cuts);   /* +1 */
    iof__featset_count_cuts(&fs, ext_in, ext_out, seen_pair(ext_in, ext_out), cuts);  /* out side unseen: nothing printed */
    iof__featset_count_cuts(&fs, ext_in, NULL, seen_pair(ext_in, NULL), cuts);
    size_t nreg;
    const iof__feature *const *reg = iof__feat_registry(&nreg);
    for (size_t i = 0; i < nreg; i++)
        ASSERT_EQ_U64(cuts[i], reg[i] == &iof__feat_dns ? 1 : 0);
}

/* --- tls: hand-made records (docs/JOY.md "tls") --- */
typedef struct { uint8_t b[12000]; uint32_t n; } tmsg;
static void t8(tmsg *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void t16(tmsg *m, unsigned v) { t8(m, v >> 8); t8(m, v & 255); }
static void t24(tmsg *m, unsigned v) { t8(m, v >> 16); t16(m, v & 0xffff); }
/* a record header of content type ct and length len (0x0303) */
static void trec(tmsg *m, unsigned ct, unsigned len) { t8(m, ct); t16(m, 0x0303); t16(m, len); }
/* a hello (handshake header included): type 1 with two suites and server_name host, or type 2
 * selecting suite 0xc02f; random bytes all r, a 2-byte session id 0xabcd */
static void thello(tmsg *m, unsigned type, uint8_t r, const char *host)
{
    unsigned hl = (unsigned)strlen(host), ext = 4 + 5 + hl + 4 + 2;
    unsigned body = 2 + 32 + 3 + (type == 1 ? 2 + 4 + 2 : 2 + 1) + 2 + ext;
    t8(m, type);
    t24(m, body);
    t16(m, 0x0303);
    for (int i = 0; i < 32; i++)
        t8(m, r);
    t8(m, 2);
    t16(m, 0xabcd);
    if (type == 1) {
        t16(m, 4);
        t16(m, 0xc02b);
        t16(m, 0xc02f);
        t8(m, 1);
    } else {
        t16(m, 0xc02f);
    }
    t8(m, 0);
    t16(m, ext);
    t16(m, 0);             /* server_name: list, host_name entry */
    t16(m, 5 + hl);
    t16(m, 3 + hl);
    t8(m, 0);
    t16(m, hl);
    memcpy(m->b + m->n, host, hl);
    m->n += hl;
    t16(m, 0x3412);        /* an unnamed type: {"kind":13330,"data":...} */
    t16(m, 2);
    t16(m, 0x0100);
}
/* bytes [from, to) of m as one TCP segment of a port-443 flow at time us */
static void tfeed(unsigned char *ext, const tmsg *m, uint32_t from, uint32_t to, int64_t us)
{
    iof__feat_pkt fp = { .data = m->b + from, .len = to - from, .wire_len = to - from,
                         .tcp = true, .ts_us = us, .key_proto = 6, .key_sp = 50000,
                         .key_dp = 443 };
    *seen_of(ext) = iof__featset_update(&fs, ext, &fp, *seen_of(ext));
}

static void test_tls_pair(void)
{
    static tmsg c, s, c2, s2;
    c.n = s.n = c2.n = s2.n = 0;
    setup((iof__feat_opts){ .tls = true });
    /* client: a ClientHello record split over two segments */
    trec(&c, 22, 0);
    uint32_t at = c.n;
    thello(&c, 1, 0x11, "a.example");
    c.b[3] = (uint8_t)((c.n - at) >> 8);
    c.b[4] = (uint8_t)((c.n - at) & 255);
    tfeed(ext_out, &c, 0, 20, 1000000);
    tfeed(ext_out, &c, 20, c.n, 1001000);
    /* server: ServerHello and ServerHelloDone in one record, then CCS + Finished (16 bytes).
     * The ServerHelloDone (empty) ends the buffer: Joy's "data_len <= 0" check after its
     * header stops the parse before it is noted, so hs_types is [2] */
    trec(&s, 22, 0);
    at = s.n;
    thello(&s, 2, 0x22, "x");
    t8(&s, 14);
    t24(&s, 0);
    s.b[3] = (uint8_t)((s.n - at) >> 8);
    s.b[4] = (uint8_t)((s.n - at) & 255);
    tfeed(ext_in, &s, 0, s.n, 1003000);
    trec(&s2, 20, 1);
    t8(&s2, 1);
    trec(&s2, 22, 16);
    s2.n += 16;
    tfeed(ext_in, &s2, 0, s2.n, 1004500);
    /* client: ClientKeyExchange (4 bytes), CCS, Finished in one segment, then app data */
    trec(&c2, 22, 8);
    t8(&c2, 16);
    t24(&c2, 4);
    t16(&c2, 0x0102);
    t16(&c2, 0x0304);
    trec(&c2, 20, 1);
    t8(&c2, 1);
    trec(&c2, 22, 16);   /* encrypted Finished: Joy parses it too (0x99: not a handshake type) */
    memset(c2.b + c2.n, 0x99, 16);
    c2.n += 16;
    tfeed(ext_out, &c2, 0, c2.n, 1006000);
    const char *ext = "{\"kind\":13330,\"data\":\"0100\"}";
    char want[4096];
    snprintf(want, sizeof want,
             ",\"tls\":{\"c_version\":5,\"s_version\":5,\"c_key_length\":32,"
             "\"c_key_exchange\":\"01020304\",\"c_random\":\"%s\",\"s_random\":\"%s\","
             "\"c_sid\":\"abcd\",\"s_sid\":\"abcd\",\"sni\":[\"a.example\"],\"scs\":\"c02f\","
             "\"cs\":[\"c02b\",\"c02f\"],\"c_extensions\":[{\"server_name\":\"000c00000961"
             "2e6578616d706c65\"},%s],\"s_extensions\":[{\"server_name\":\"000400000178\"},%s],"
             "\"srlt\":[{\"b\":%u,\"dir\":\">\",\"ipt\":0,\"tp\":22,\"hs_types\":[1],"
             "\"hs_lens\":[%u]},"
             "{\"b\":%u,\"dir\":\"<\",\"ipt\":3,\"tp\":22,\"hs_types\":[2],\"hs_lens\":[%u]},"
             "{\"b\":1,\"dir\":\"<\",\"ipt\":1,\"tp\":20},{\"b\":16,\"dir\":\"<\",\"ipt\":0,\"tp\":22},"
             "{\"b\":8,\"dir\":\">\",\"ipt\":1,\"tp\":22,\"hs_types\":[16],\"hs_lens\":[4]},"
             "{\"b\":1,\"dir\":\">\",\"ipt\":0,\"tp\":20},{\"b\":16,\"dir\":\">\",\"ipt\":0,\"tp\":22}]}",
             "1111111111111111111111111111111111111111111111111111111111111111",
             "2222222222222222222222222222222222222222222222222222222222222222", ext, ext,
             (unsigned)(c.n - 5), (unsigned)(c.n - 9), (unsigned)(s.n - 5), (unsigned)(s.n - 13));
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), want);
    /* one-way: the out side alone, "<" entries, ipt from the previous entry */
    const char *j = json(IOF_FEAT_JOY_MODULES, false);
    ASSERT_TRUE(strstr(j, ",\"tls\":{\"c_version\":5,\"c_key_length\":32,") == j);
    ASSERT_TRUE(strstr(j, "\"srlt\":[{\"b\":") && !strstr(j, "\"dir\":\">\"") && !strstr(j, "s_random"));
}

/* bytes of a handshake packet that were not captured are zeros in the buffer (Joy's buffer is
 * zeroed whole; ours as far as it is used: debug builds fill the rest with IOF_FEAT_POISON) */
static void test_tls_uncaptured_zeros(void)
{
    static tmsg c, c2, c3;
    c.n = c2.n = c3.n = 0;
    setup((iof__feat_opts){ .tls = true });
    trec(&c, 22, 0);
    thello(&c, 1, 0x11, "a.example");
    c.b[3] = (uint8_t)((c.n - 5) >> 8);
    c.b[4] = (uint8_t)((c.n - 5) & 255);
    tfeed(ext_out, &c, 0, c.n, 1000000);
    /* a ClientKeyExchange of 4 bytes, the last 2 not captured */
    trec(&c2, 22, 8);
    t8(&c2, 16);
    t24(&c2, 4);
    t16(&c2, 0x0102);
    t16(&c2, 0x0304);
    iof__feat_pkt fp = { .data = c2.b, .len = c2.n - 2, .wire_len = c2.n, .tcp = true, .ts_us = 1001000,
                         .key_proto = 6, .key_sp = 50000, .key_dp = 443 };
    *seen_of(ext_out) = iof__featset_update(&fs, ext_out, &fp, *seen_of(ext_out));
    trec(&c3, 20, 1);
    t8(&c3, 1);
    tfeed(ext_out, &c3, 0, c3.n, 1002000);
    const char *j = json(IOF_FEAT_JOY_MODULES, false);
    ASSERT_TRUE(strstr(j, "\"c_key_length\":32,\"c_key_exchange\":\"01020000\"") != NULL);
}

/* a hello of type (1 or 2) naming host in its record, then CCS */
static const tmsg *hello_ccs_host(unsigned type, const char *host)
{
    static tmsg m;
    m.n = 0;
    trec(&m, 22, 0);
    thello(&m, type, 0x33, host);
    m.b[3] = (uint8_t)((m.n - 5) >> 8);
    m.b[4] = (uint8_t)((m.n - 5) & 255);
    trec(&m, 20, 1);
    t8(&m, 1);
    return &m;
}

static const tmsg *hello_ccs(unsigned type) { return hello_ccs_host(type, "b"); }

/* a side that sends hello_ccs(type) */
static void tls_side(unsigned char *ext, unsigned type, int64_t us)
{
    const tmsg *m = hello_ccs(type);
    tfeed(ext, m, 0, m->n, us);
}

static void test_tls_errors(void)
{
    static tmsg m;
    setup((iof__feat_opts){ .tls = true });
    tls_side(ext_out, 1, 0);
    tls_side(ext_in, 1, 1000);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true),
                  ",\"tls\":{\"c_version\":5,\"error\":\"twin clients\"}");
    setup((iof__feat_opts){ .tls = true });
    tls_side(ext_out, 2, 0);
    tls_side(ext_in, 2, 1000);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true),
                  ",\"tls\":{\"s_version\":5,\"error\":\"twin servers\"}");
    /* no hello: the version from the CCS record's header, no role (the golden homekit flow) */
    setup((iof__feat_opts){ .tls = true });
    m.n = 0;
    trec(&m, 22, 6);
    t8(&m, 16);
    t24(&m, 2);
    t16(&m, 0);
    trec(&m, 20, 1);
    t8(&m, 1);
    tfeed(ext_out, &m, 0, m.n, 0);
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false), ",\"tls\":{\"error\":\"no role\"}");
    /* a twin without a version: nothing; neither side through the filter: nothing */
    tls_side(ext_in, 2, 0);
    ASSERT_TRUE(strstr(json(IOF_FEAT_JOY_MODULES, true), "no role") != NULL);
    setup((iof__feat_opts){ .tls = true });
    tls_side(ext_out, 1, 0);
    m.n = 0;
    trec(&m, 22, 4);
    m.n += 4;
    tfeed(ext_in, &m, 0, m.n, 10);   /* a record, no CCS: no version */
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), "");
    iof__feat_pkt fp = { .data = m.b, .len = m.n, .wire_len = m.n, .key_proto = 6, .key_sp = 1,
                         .key_dp = 2 };
    setup((iof__feat_opts){ .tls = true });
    *seen_of(ext_out) = iof__featset_update(&fs, ext_out, &fp, *seen_of(ext_out));
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false), "");
    const tmsg *h = hello_ccs(1);   /* not port 443, but identified as TLS: the filter passes */
    fp = (iof__feat_pkt){ .data = h->b, .len = h->n, .wire_len = h->n, .key_proto = 6,
                          .key_sp = 1, .key_dp = 2, .app_tls = true };
    *seen_of(ext_out) = iof__featset_update(&fs, ext_out, &fp, *seen_of(ext_out));
    ASSERT_TRUE(strstr(json(IOF_FEAT_JOY_MODULES, false), "\"c_version\":5") != NULL);
}

static void test_tls_caps(void)
{
    static tmsg m;
    setup((iof__feat_opts){ .tls = true });
    /* a packet that does not fit the 11000-byte handshake buffer is refused whole: no entry */
    m.n = 0;
    trec(&m, 22, 11000 - 5);
    m.n = 11000;
    tfeed(ext_out, &m, 0, m.n, 0);
    uint64_t cuts[IOF_FEAT_MAX_MODULES] = { 0 };
    iof__featset_count_cuts(&fs, ext_out, NULL, seen_pair(ext_out, NULL), cuts);
    ASSERT_EQ_U64(cuts[3], 0);   /* no version yet: no tls object, nothing of it lost */
    tls_side(ext_out, 1, 1000);
    iof__featset_count_cuts(&fs, ext_out, NULL, seen_pair(ext_out, NULL), cuts);
    ASSERT_EQ_U64(cuts[3], 1);   /* the registry's tls: its object lacks the refused packet */
    /* a record split over three segments: one entry; then 60 application data records */
    m.n = 0;
    trec(&m, 23, 300);
    m.n += 300;
    tfeed(ext_out, &m, 0, 100, 2000);
    tfeed(ext_out, &m, 100, 200, 3000);
    tfeed(ext_out, &m, 200, m.n, 4000);
    m.n = 0;
    for (int i = 0; i < 60; i++) {
        trec(&m, 23, 2);
        t16(&m, 0);
    }
    tfeed(ext_out, &m, 0, m.n, 5000);
    const char *j = json(IOF_FEAT_JOY_MODULES, false);
    ASSERT_TRUE(strstr(j, "{\"b\":300,\"dir\":\"<\",\"ipt\":1,\"tp\":23},{\"b\":2,\"dir\":\"<\","
                          "\"ipt\":3,\"tp\":23}") != NULL);
    ASSERT_TRUE(strstr(j, "\"b\":10995") == NULL);
    size_t k = 0;
    for (const char *p = j; (p = strstr(p, "{\"b\":")); p++)
        k++;
    ASSERT_EQ_INT(k, 50);   /* Joy's NUM_PKT_LEN_TLS */
}

/* --- tls certificates: a 200-byte one (v1, serial 5, ecdsa-with-SHA256, issuer CN=ca, UTCTime /
 * GeneralizedTime validity, subject CN=dev, a P-256 key, an 8-byte signature) --- */
static const uint8_t tcert[] = {
    0x30, 0x81, 0xc5, 0x30, 0x81, 0xab, 0x02, 0x01, 0x05, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x04, 0x03, 0x02, 0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03,
    0x0c, 0x02, 0x63, 0x61, 0x30, 0x20, 0x17, 0x0d, 0x32, 0x34, 0x30, 0x31, 0x30, 0x31, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x5a, 0x18, 0x0f, 0x32, 0x30, 0x33, 0x34, 0x30, 0x31, 0x30, 0x31, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x5a, 0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x04,
    0x03, 0x0c, 0x03, 0x64, 0x65, 0x76, 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x03, 0x09, 0x00,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08
};

/* a ServerHello and a Certificate message of `ncert` copies of the n-byte certificate der in one
 * record, then CCS */
static void cert_side(unsigned char *ext, unsigned ncert, const uint8_t *der, unsigned n)
{
    static tmsg m;
    m.n = 0;
    trec(&m, 22, 0);
    thello(&m, 2, 0x44, "x");
    unsigned list = ncert * (3 + n);
    t8(&m, 11);
    t24(&m, list + 3);
    t24(&m, list);
    for (unsigned i = 0; i < ncert; i++) {
        t24(&m, n);
        memcpy(m.b + m.n, der, n);
        m.n += n;
    }
    unsigned rl = m.n - 5;
    m.b[3] = (uint8_t)(rl >> 8);
    m.b[4] = (uint8_t)(rl & 255);
    tfeed(ext, &m, 0, m.n, 1000);
    m.n = 0;
    trec(&m, 20, 1);
    t8(&m, 1);
    tfeed(ext, &m, 0, m.n, 2000);
}

/* a DER header with a 2-byte length */
static void der2(tmsg *m, unsigned tag, unsigned len) { t8(m, tag); t8(m, 0x82); t16(m, len); }

/* tcert with a subject alternative name of `names` 10-letter DNS names (its text: 16 bytes each) */
static uint32_t big_san_cert(tmsg *m, unsigned names)
{
    const unsigned tbs_in = 171, gn = names * 12, octet = 4 + gn, ext = 4 + 5 + 4 + octet, exts = 4 + ext,
                   a3 = 4 + exts, tbs = 4 + tbs_in + a3, cert = tbs + 12 + 11;
    m->n = 0;
    der2(m, 0x30, cert);
    der2(m, 0x30, tbs_in + a3);
    memcpy(m->b + m->n, tcert + 6, tbs_in);   /* tcert's TBSCertificate content */
    m->n += tbs_in;
    der2(m, 0xa3, exts);
    der2(m, 0x30, ext);
    der2(m, 0x30, 5 + 4 + octet);
    static const uint8_t san[] = { 0x06, 0x03, 0x55, 0x1d, 0x11 };
    memcpy(m->b + m->n, san, sizeof(san));
    m->n += (uint32_t)sizeof(san);
    der2(m, 0x04, octet);
    der2(m, 0x30, gn);
    for (unsigned i = 0; i < names; i++) {
        t8(m, 0x82);
        t8(m, 10);
        memcpy(m->b + m->n, "abcdefghij", 10);
        m->n += 10;
    }
    memcpy(m->b + m->n, tcert + 6 + tbs_in, 23);   /* its signature algorithm and signature */
    m->n += 23;
    return m->n;
}

static void test_tls_certs(void)
{
    static const char one[] =
        "{\"length\":200,\"serial_number\":\"05\",\"signature\":\"0102030405060708\","
        "\"signature_algo\":\"ecdsa-with-SHA256\",\"signature_key_size\":64,"
        "\"issuer\":[{\"commonName\":\"ca\"}],\"subject\":[{\"commonName\":\"dev\"}],"
        "\"validity_not_before\":\"Jan  1 00:00:00 2024 GMT\","
        "\"validity_not_after\":\"Jan  1 00:00:00 2034 GMT\","
        "\"subject_public_key_algo\":\"id-ecPublicKey\",\"subject_public_key_size\":256}";
    char want[2048];
    /* the server's side (in): s_cert after the extensions, before srlt */
    setup((iof__feat_opts){ .tls = true });
    tls_side(ext_out, 1, 0);
    cert_side(ext_in, 2, tcert, (unsigned)sizeof(tcert));
    const char *j = json(IOF_FEAT_JOY_MODULES, true);
    snprintf(want, sizeof want, "\"s_cert\":[%s,%s],\"srlt\":", one, one);
    ASSERT_TRUE(strstr(j, want) != NULL);
    uint64_t cuts[IOF_FEAT_MAX_MODULES] = { 0 };
    iof__featset_count_cuts(&fs, ext_out, ext_in, seen_pair(ext_out, ext_in), cuts);
    ASSERT_EQ_U64(cuts[3], 0);
    /* Joy's cap: 4 certificates of 5 (the flow counted as cut) */
    setup((iof__feat_opts){ .tls = true });
    cert_side(ext_out, 5, tcert, (unsigned)sizeof(tcert));
    j = json(IOF_FEAT_JOY_MODULES, false);
    ASSERT_TRUE(strstr(j, "\"s_cert\":[{") != NULL);
    size_t k = 0;
    for (const char *p = j; (p = strstr(p, "{\"length\":200")); p++)
        k++;
    ASSERT_EQ_INT(k, 4);
    iof__featset_count_cuts(&fs, ext_out, NULL, seen_pair(ext_out, NULL), cuts);
    ASSERT_EQ_U64(cuts[3], 1);
    /* a record the buffer cannot hold whole (its last packet refused): Joy parses none of it
     * ("corrupt buffer data": no role), the flow counted. One 11,000-byte record: its first
     * 10,990 bytes fit, the last 10 are refused; then a packet whose first 10 bytes end that
     * record (0x14: not appended) and a CCS. The columns' 4 KB buffer keeps its start: the
     * ServerHello and the first certificate are read, the second is cut (counted). */
    static tmsg m;
    for (int cols = 0; cols < 2; cols++) {
    m.n = 0;
    setup((iof__feat_opts){ .tls = true, .cols_only = cols == 1 });
    trec(&m, 22, 11000 - 5);
    thello(&m, 2, 0x44, "x");
    unsigned left = 11000 - m.n - 4;   /* the Certificate message's body */
    unsigned second = left - 3 - 3 - (unsigned)sizeof(tcert) - 3;
    t8(&m, 11);
    t24(&m, left);
    t24(&m, left - 3);
    t24(&m, (unsigned)sizeof(tcert));
    memcpy(m.b + m.n, tcert, sizeof(tcert));
    m.n += (uint32_t)sizeof(tcert);
    t24(&m, second);
    t8(&m, 0x30);   /* a SEQUENCE as long as the rest */
    t8(&m, 0x82);
    t16(&m, second - 4);
    memset(m.b + m.n, 0, 11000 - m.n);
    m.n = 11000;
    tfeed(ext_out, &m, 0, 10990, 1000);
    tfeed(ext_out, &m, 10990, 11000, 1500);
    m.n = 0;
    for (int i = 0; i < 10; i++)
        t8(&m, 0x14);
    trec(&m, 20, 1);
    t8(&m, 1);
    tfeed(ext_out, &m, 0, m.n, 2000);
    iof__featset_count_cuts(&fs, ext_out, NULL, seen_pair(ext_out, NULL), cuts);
    ASSERT_EQ_U64(cuts[3], 2 + (uint64_t)cols);
    if (!cols) {
        ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, false), ",\"tls\":{\"error\":\"no role\"}");
        continue;
    }
    iof__value v;
    iof__feat_tls.cols->get(ext_out, NULL, 9, 0, &v);   /* tls_certs */
    ASSERT_EQ_INT(v.i, 2);
    iof__feat_tls.cols->get(ext_out, NULL, 10, 0, &v);   /* tls_cert_subject */
    ASSERT_TRUE(!v.null && v.len == 6 && memcmp(v.p, "CN=dev", 6) == 0);
    }
}

/* an extension text past its 8 KB: written cut, the flow counted */
static void test_tls_cert_text_cut(void)
{
    static tmsg der;
    uint32_t n = big_san_cert(&der, 600);   /* 9,600 bytes of text */
    setup((iof__feat_opts){ .tls = true });
    tls_side(ext_out, 1, 0);
    cert_side(ext_in, 1, der.b, n);
    const char *j = json(IOF_FEAT_JOY_MODULES, true);
    const char *p = strstr(j, "{\"X509v3 Subject Alternative Name\":\"DNS:abcdefghij, DNS:abcdefghij");
    ASSERT_TRUE(p != NULL);
    const char *q = strchr(p + 37, '"');
    ASSERT_TRUE(q != NULL);
    ASSERT_EQ_INT(q - (p + 36), 8191);   /* TLS_EXT_TEXT - 1 bytes */
    uint64_t cuts[IOF_FEAT_MAX_MODULES] = { 0 };
    iof__featset_count_cuts(&fs, ext_out, ext_in, seen_pair(ext_out, ext_in), cuts);
    ASSERT_EQ_U64(cuts[3], 1);
    /* 500 names (8,000 bytes): whole, not counted */
    n = big_san_cert(&der, 500);
    setup((iof__feat_opts){ .tls = true });
    tls_side(ext_out, 1, 0);
    cert_side(ext_in, 1, der.b, n);
    iof__featset_count_cuts(&fs, ext_out, ext_in, seen_pair(ext_out, ext_in), cuts);
    ASSERT_EQ_U64(cuts[3], 1);
    ASSERT_TRUE(strstr(json(IOF_FEAT_JOY_MODULES, true), "\"subject_public_key_size\":256}]") != NULL);
}

/* tls_sni under the anonymisation rule: a server name that is a local address literal is the
 * zero address's text (flow/attrib.h iof__name_anon); a global one, a name, or the rule off: as sent */
static void test_tls_sni_anon(void)
{
    static const struct { const char *host; bool anon; const char *want; } c[] = {
        { "192.168.1.70", true, "0.0.0.0" }, { "192.168.1.70", false, "192.168.1.70" },
        { "fe80::1", true, "::" }, { "8.8.8.8", true, "8.8.8.8" }, { "nas.local", true, "nas.local" },
    };
    for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
        setup((iof__feat_opts){ .tls = true, .cols_only = true, .anonymise = c[k].anon });
        const tmsg *m = hello_ccs_host(1, c[k].host);
        tfeed(ext_out, m, 0, m->n, 0);
        iof__value v;
        iof__feat_tls.cols->get(ext_out, NULL, 2, 0, &v);   /* tls_sni */
        ASSERT_TRUE(!v.null && v.len == strlen(c[k].want) && memcmp(v.p, c[k].want, v.len) == 0);
    }
}

/* a ClientHello longer than the columns' 4 KB buffer: its version and suites (before the cut)
 * are kept, its extension lists and JA3 are null (unknown), not empty or made of what fitted,
 * and the record counts as cut */
/* the record of side ext (one-way) counts as cut in the tls group alone */
static void assert_only_tls_cut(const unsigned char *ext)
{
    uint64_t cuts[IOF_FEAT_MAX_MODULES] = { 0 };
    iof__featset_count_cuts(&fs, ext, NULL, seen_pair(ext, NULL), cuts);
    size_t nreg;
    const iof__feature *const *reg = iof__feat_registry(&nreg);
    for (size_t i = 0; i < nreg; i++)
        ASSERT_EQ_U64(cuts[i], reg[i] == &iof__feat_tls ? 1 : 0);
}

static void test_tls_columns_hello_cut(void)
{
    static char host[4500];
    memset(host, 'h', sizeof(host) - 1);
    setup((iof__feat_opts){ .tls = true, .cols_only = true });
    const tmsg *m = hello_ccs_host(1, host);
    ASSERT_TRUE(m->n > 4096);
    tfeed(ext_out, m, 0, m->n, 0);
    const iof__feat_cols *c = iof__feat_tls.cols;
    iof__value v;
    c->get(ext_out, NULL, 0, 0, &v);   /* tls_c_version */
    ASSERT_TRUE(!v.null && v.i == 0x0303);
    ASSERT_EQ_INT(c->count(ext_out, NULL, 64 + 3), 2);   /* tls_cs, nested: before the cut */
    c->get(ext_out, NULL, 3, 0, &v);
    ASSERT_TRUE(!v.null && v.len == 11 && memcmp(v.p, "49195,49199", 11) == 0);
    for (uint32_t col = 5; col <= 8; col++) {   /* tls_ext, tls_groups, tls_ec_formats, tls_ja3 */
        c->get(ext_out, NULL, col, 0, &v);
        ASSERT_TRUE(v.null);
    }
    for (uint32_t col = 5; col <= 7; col++)     /* nested lists: null, not [] */
        ASSERT_EQ_U64(c->count(ext_out, NULL, 64 + col), UINT32_MAX);
    assert_only_tls_cut(ext_out);
}

/* a ServerHello past the buffer (here a 4.5 KB extension before any supported_versions): the
 * version it chose is unknown, not its legacy_version 771 (TLS 1.3 servers send that too) */
static void test_tls_columns_server_hello_cut(void)
{
    static char host[4500];
    memset(host, 'h', sizeof(host) - 1);
    setup((iof__feat_opts){ .tls = true, .cols_only = true });
    const tmsg *m = hello_ccs_host(2, host);
    ASSERT_TRUE(m->n > 4096);
    tfeed(ext_in, m, 0, m->n, 0);
    const iof__feat_cols *c = iof__feat_tls.cols;
    iof__value v;
    c->get(ext_in, NULL, 1, 0, &v);   /* tls_s_version */
    ASSERT_TRUE(v.null);
    c->get(ext_in, NULL, 4, 0, &v);   /* tls_scs: before the cut */
    ASSERT_TRUE(!v.null && v.i == 0xc02f);
    assert_only_tls_cut(ext_in);
    /* the same hello whole: its legacy_version */
    setup((iof__feat_opts){ .tls = true, .cols_only = true });
    tls_side(ext_in, 2, 0);
    c->get(ext_in, NULL, 1, 0, &v);
    ASSERT_TRUE(!v.null && v.i == 0x0303);
}

/* a ClientHello whose side never sends a ChangeCipherSpec (the capture or the record ended
 * first): the columns read it when the record ends (finish); Joy's flows do not */
static void test_tls_columns_at_record_end(void)
{
    static tmsg m;
    m.n = 0;
    trec(&m, 22, 0);
    thello(&m, 1, 0x33, "no-ccs.example");
    m.b[3] = (uint8_t)((m.n - 5) >> 8);
    m.b[4] = (uint8_t)((m.n - 5) & 255);
    const iof__feat_cols *c = iof__feat_tls.cols;
    iof__value v;
    setup((iof__feat_opts){ .tls = true, .cols_only = true });
    tfeed(ext_out, &m, 0, m.n, 0);
    c->get(ext_out, NULL, 2, 0, &v);   /* tls_sni: not read yet */
    ASSERT_TRUE(v.null);
    iof__featset_finish(&fs, ext_out, IOF_FEAT_SEEN_ALL);
    c->get(ext_out, NULL, 2, 0, &v);
    ASSERT_TRUE(!v.null && v.len == 14 && memcmp(v.p, "no-ccs.example", 14) == 0);
    c->get(ext_out, NULL, 8, 0, &v);   /* tls_ja3 */
    ASSERT_TRUE(!v.null && v.len == 25 && memcmp(v.p, "771,49195-49199,0-13330,,", 25) == 0);
    /* Joy: nothing at the end (its handshake is read at the CCS only) */
    setup((iof__feat_opts){ .tls = true });
    tfeed(ext_out, &m, 0, m.n, 0);
    iof__featset_finish(&fs, ext_out, seen_pair(ext_out, NULL));
    ASSERT_EQ_STR(json(IOF_FEAT_JOY_MODULES, true), "");
}

/* a ClientHello cut by the capture's snaplen (its bytes past the cut were not captured): the
 * extensions are unknown (null, no JA3, the record counts as cut), not zeros; the server name,
 * whole before the cut, is kept */
static void test_tls_columns_snaplen(void)
{
    const tmsg *m = hello_ccs_host(1, "snap.example");
    uint32_t hello_end = (uint32_t)(5 + (m->b[3] << 8 | m->b[4]));
    uint32_t cut = hello_end - 4;   /* the last extension (0x3412, 2 bytes) not captured */
    setup((iof__feat_opts){ .tls = true, .cols_only = true });
    iof__feat_pkt fp = { .data = m->b, .len = cut, .wire_len = hello_end, .tcp = true, .key_proto = 6,
                         .key_sp = 50000, .key_dp = 443 };
    *seen_of(ext_out) = iof__featset_update(&fs, ext_out, &fp, *seen_of(ext_out));
    tfeed(ext_out, m, hello_end, m->n, 1000);   /* the CCS */
    const iof__feat_cols *c = iof__feat_tls.cols;
    iof__value v;
    c->get(ext_out, NULL, 2, 0, &v);
    ASSERT_TRUE(!v.null && v.len == 12 && memcmp(v.p, "snap.example", 12) == 0);
    for (uint32_t col = 5; col <= 8; col++) {   /* tls_ext, tls_groups, tls_ec_formats, tls_ja3 */
        c->get(ext_out, NULL, col, 0, &v);
        ASSERT_TRUE(v.null);
    }
    assert_only_tls_cut(ext_out);
}

/* bytes [from, to) of m as a TCP segment with sequence number seq (the columns follow them);
 * wire: its length on the wire (to - from when 0) */
static void tfeed_seq(unsigned char *ext, const tmsg *m, uint32_t from, uint32_t to, uint32_t seq, uint32_t wire)
{
    static iof__pkt pk;
    pk.tcp_seq = seq;
    iof__feat_pkt fp = { .pkt = &pk, .data = m->b + from, .len = to - from, .wire_len = wire ? wire : to - from,
                         .tcp = true, .key_proto = 6, .key_sp = 50000, .key_dp = 443 };
    *seen_of(ext) = iof__featset_update(&fs, ext, &fp, *seen_of(ext));
}

/* segments of a ClientHello: a retransmission is not appended again; a missing one ends what the
 * columns read (the hello is cut there), instead of the next bytes read as its continuation */
static void test_tls_columns_segments(void)
{
    const tmsg *m = hello_ccs_host(1, "segments.example");
    uint32_t hello_end = (uint32_t)(5 + (m->b[3] << 8 | m->b[4]));
    const iof__feat_cols *c = iof__feat_tls.cols;
    iof__value v;
    /* [0, 20), [0, 20) again, [20, end), the CCS: the whole hello */
    setup((iof__feat_opts){ .tls = true, .cols_only = true });
    tfeed_seq(ext_out, m, 0, 20, 1000, 0);
    tfeed_seq(ext_out, m, 0, 20, 1000, 0);
    tfeed_seq(ext_out, m, 20, hello_end, 1020, 0);
    tfeed_seq(ext_out, m, hello_end, m->n, 1000 + hello_end, 0);
    c->get(ext_out, NULL, 2, 0, &v);
    ASSERT_TRUE(!v.null && v.len == 16 && memcmp(v.p, "segments.example", 16) == 0);
    c->get(ext_out, NULL, 8, 0, &v);
    ASSERT_TRUE(!v.null && v.len == 25 && memcmp(v.p, "771,49195-49199,0-13330,,", 25) == 0);
    /* [20, 40) never captured: the hello is cut at 20 (its start kept), nothing read past it */
    setup((iof__feat_opts){ .tls = true, .cols_only = true });
    tfeed_seq(ext_out, m, 0, 20, 1000, 0);
    tfeed_seq(ext_out, m, 40, hello_end, 1040, 0);
    tfeed_seq(ext_out, m, hello_end, m->n, 1000 + hello_end, 0);
    iof__featset_finish(&fs, ext_out, IOF_FEAT_SEEN_ALL);   /* the record walk lost the CCS: its end */
    c->get(ext_out, NULL, 0, 0, &v);   /* tls_c_version: before the gap */
    ASSERT_TRUE(!v.null && v.i == 0x0303);
    for (uint32_t col = 5; col <= 8; col++) {
        c->get(ext_out, NULL, col, 0, &v);
        ASSERT_TRUE(v.null);
    }
    c->get(ext_out, NULL, 2, 0, &v);
    ASSERT_TRUE(v.null);
    assert_only_tls_cut(ext_out);
}

/* a ServerHello cut by the snaplen after its supported_versions extension: the version it chose
 * is known (772), not null */
static void test_tls_columns_server_hello_cut_after_version(void)
{
    static tmsg m;
    m.n = 0;
    trec(&m, 22, 0);
    t8(&m, 2);
    t24(&m, 2 + 32 + 1 + 2 + 1 + 2 + 6 + 4 + 100);
    t16(&m, 0x0303);
    for (int i = 0; i < 32; i++)
        t8(&m, 0x44);
    t8(&m, 0);             /* no session id */
    t16(&m, 0x1301);
    t8(&m, 0);
    t16(&m, 6 + 4 + 100);
    t16(&m, 43);           /* supported_versions: TLS 1.3 */
    t16(&m, 2);
    t16(&m, 0x0304);
    t16(&m, 0x3412);       /* then 100 bytes past the snaplen */
    t16(&m, 100);
    memset(m.b + m.n, 0x55, 100);
    m.n += 100;
    m.b[3] = (uint8_t)((m.n - 5) >> 8);
    m.b[4] = (uint8_t)((m.n - 5) & 255);
    uint32_t hello_end = m.n;
    trec(&m, 20, 1);
    t8(&m, 1);
    setup((iof__feat_opts){ .tls = true, .cols_only = true });
    tfeed_seq(ext_in, &m, 0, hello_end - 60, 5000, hello_end);
    tfeed_seq(ext_in, &m, hello_end, m.n, 5000 + hello_end, 0);
    const iof__feat_cols *c = iof__feat_tls.cols;
    iof__value v;
    c->get(ext_in, NULL, 1, 0, &v);   /* tls_s_version */
    ASSERT_TRUE(!v.null && v.i == 0x0304);
    c->get(ext_in, NULL, 4, 0, &v);   /* tls_scs */
    ASSERT_TRUE(!v.null && v.i == 0x1301);
}

/* the custom-flow columns' summary (cols_only): client and server sides */
static void test_tls_columns(void)
{
    setup((iof__feat_opts){ .tls = true, .cols_only = true });
    ASSERT_TRUE(fs.ext_size < 16384);   /* not Joy's 11,000-byte buffer and srlt */
    tls_side(ext_out, 1, 0);
    cert_side(ext_in, 1, tcert, (unsigned)sizeof(tcert));
    const iof__feat_cols *c = iof__feat_tls.cols;
    iof__value v;
    c->get(ext_out, ext_in, 0, 0, &v);   /* tls_c_version */
    ASSERT_TRUE(!v.null && v.i == 0x0303);
    c->get(ext_out, ext_in, 2, 0, &v);   /* tls_sni */
    ASSERT_TRUE(!v.null && v.len == 1 && v.p[0] == 'b');
    c->get(ext_out, ext_in, 4, 0, &v);   /* tls_scs */
    ASSERT_TRUE(!v.null && v.i == 0xc02f);
    ASSERT_EQ_INT(c->count(ext_out, ext_in, 64 + 3), 2);   /* tls_cs, nested */
    c->get(ext_out, ext_in, 64 + 3, 1, &v);
    ASSERT_EQ_INT(v.i, 0xc02f);
    c->get(ext_out, ext_in, 3, 0, &v);   /* tls_cs, wide */
    ASSERT_TRUE(!v.null && v.len == 11 && memcmp(v.p, "49195,49199", 11) == 0);
    c->get(ext_out, ext_in, 8, 0, &v);   /* tls_ja3 */
    ASSERT_TRUE(!v.null && v.len == 25 && memcmp(v.p, "771,49195-49199,0-13330,,", 25) == 0);
    const char *texts[][2] = { { "10", "CN=dev" }, { "11", "CN=ca" }, { "12", "05" },
                               { "13", "2024-01-01T00:00:00Z" }, { "14", "2034-01-01T00:00:00Z" },
                               { "15", "id-ecPublicKey" }, { "17", "ecdsa-with-SHA256" } };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        c->get(ext_out, ext_in, (uint32_t)atoi(texts[i][0]), 0, &v);
        ASSERT_TRUE(!v.null && v.len == strlen(texts[i][1]) && memcmp(v.p, texts[i][1], v.len) == 0);
    }
    c->get(ext_out, ext_in, 9, 0, &v);   /* tls_certs */
    ASSERT_EQ_INT(v.i, 1);
    c->get(ext_out, ext_in, 16, 0, &v);   /* tls_cert_key_bits */
    ASSERT_EQ_INT(v.i, 256);
    /* one-way (the client alone): no server columns */
    c->get(ext_out, NULL, 4, 0, &v);
    ASSERT_TRUE(v.null);
    ASSERT_EQ_U64(c->count(ext_out, NULL, 64 + 3), 2);
    c->get(ext_in, NULL, 0, 0, &v);
    ASSERT_TRUE(v.null);
}

static void test_registry_and_set(void)
{
    size_t n;
    const iof__feature *const *reg = iof__feat_registry(&n);
    ASSERT_EQ_INT(n, 11);
    ASSERT_EQ_STR(reg[0]->name, "byte_dist");
    ASSERT_EQ_STR(reg[2]->name, "dns");     /* Joy: wht, dns, tls, dhcp, http, payload */
    ASSERT_EQ_STR(reg[3]->name, "tls");
    ASSERT_EQ_STR(reg[4]->name, "dhcp");
    ASSERT_EQ_STR(reg[5]->name, "http");
    ASSERT_EQ_STR(reg[6]->name, "payload");
    ASSERT_EQ_STR(reg[7]->name, "ppi");
    ASSERT_EQ_STR(reg[9]->name, "idp");
    ASSERT_EQ_STR(reg[10]->name, "splt");   /* custom-flow columns only: no Joy output */
    ASSERT_TRUE(reg[10]->joy_json == NULL);
    for (size_t i = 0; i < n; i++) {
        /* custom-flow columns (--features): every module (test_cffeat.c, test_http.c) */
        ASSERT_TRUE(reg[i]->cols != NULL);
        if (i)   /* Joy's print order: slots never go back */
            ASSERT_TRUE(reg[i]->joy_slot >= reg[i - 1]->joy_slot);
    }
    iof__featset s;
    ASSERT_EQ_INT(iof__featset_init(&s, &(iof__feat_opts){ 0 }), IOF_OK);
    ASSERT_EQ_INT(s.n, 0);
    ASSERT_EQ_INT(s.ext_size, 0);
    iof__feat_opts all = { .dist = true, .entropy = true, .wht = true, .payload = true, .ppi = true,
                           .hd = 32, .idp = 1500, .dns = true, .tls = true, .dhcp = true,
                           .http = true };
    ASSERT_EQ_INT(iof__featset_init(&s, &all), IOF_OK);
    ASSERT_EQ_INT(s.n, 10);
    for (uint32_t i = 0; i < s.n; i++)
        ASSERT_EQ_INT(s.off[i] % 16, 0);
    ASSERT_TRUE(s.ext_size >= 1500 + 256 * 8);
    /* the layout puts the largest tail (tls's) last and every clean part before it, and the
     * flow table is told to map the clean parts' pages (iof__featset_hot) */
    size_t tail = 0, clean_end = 0;
    iof__ftab_span hot[IOF_FEAT_MAX_MODULES];
    ASSERT_EQ_INT(iof__featset_hot(&s, 100, false, hot), s.n);
    for (uint32_t i = 0; i < s.n; i++) {
        tail = s.size[i] - s.clean[i] > tail ? s.size[i] - s.clean[i] : tail;
        clean_end = s.off[i] + s.clean[i] > clean_end ? s.off[i] + s.clean[i] : clean_end;
        ASSERT_TRUE(hot[i].off == 100 + s.off[i] && hot[i].len == s.clean[i]);
    }
    ASSERT_TRUE(clean_end + tail <= s.ext_size);
    /* states begun lazily (Joy records): only the modules without an idle hook, in order */
    uint32_t nhot = iof__featset_hot(&s, 100, true, hot), k = 0, lazy = 0;
    for (uint32_t i = 0; i < s.n; i++) {
        if (s.mod[i]->idle) {
            lazy++;
            continue;
        }
        ASSERT_TRUE(k < nhot && hot[k].off == 100 + s.off[i] && hot[k].len == s.clean[i]);
        k++;
    }
    ASSERT_EQ_INT(nhot, k);
    ASSERT_EQ_INT(lazy, 4); /* dns, tls, dhcp, http */
    /* what each policy tells its flow table: Joy records begin those four lazily, custom-flow
     * records every state at creation */
    iof__jf_config jc = { 0 };
    iof__joyfeat_hooks(&s, &jc);
    ASSERT_EQ_INT(jc.hooks.nhot, s.n - lazy);
    iof__cf_config cc = { 0 };
    iof__cffeat_hooks(&s, &cc);
    ASSERT_EQ_INT(cc.hooks.nhot, s.n);
    /* custom-flow columns only: dns, dhcp and http keep their summaries (2.9 KB) in place of
     * Joy's arenas (10 KB) */
    size_t joy = s.ext_size;
    all.cols_only = true;
    ASSERT_EQ_INT(iof__featset_init(&s, &all), IOF_OK);
    ASSERT_TRUE(s.ext_size + 6144 <= joy);
    all.cols_only = false;
    all.idp = 1501;
    ASSERT_EQ_INT(iof__featset_init(&s, &all), IOF_E_INVAL);
    all.idp = 1;
    all.hd = 33;
    ASSERT_EQ_INT(iof__featset_init(&s, &all), IOF_E_INVAL);
    iof__tb_free(&tb);
}

/* A packet without data off every module's ports (a pure ACK's view, not TCP-decoded) is told
 * apart from fp alone: every module but splt (which notes each packet's time) returns before
 * reading its state, which is cold on most packets (feature.h, update). The state here is an
 * unreadable page: a module that reads it fails the test. */
static void test_no_data_reads_no_state(void)
{
    const size_t span = 1u << 16;
    void *page = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_TRUE(page != MAP_FAILED);
    size_t n;
    const iof__feature *const *reg = iof__feat_registry(&n);
    iof__feat_pkt fp = { .pkt = &(iof__pkt){ 0 }, .ip = (const uint8_t *)"\x45\x00", .ip_len = 2,
                         .data_pkts = 0, .key_proto = 6, .key_sp = 50000, .key_dp = 8080, .ts_us = 1 };
    for (int cols = 0; cols < 2; cols++) {
        iof__feat_opts o = { .dist = true, .entropy = true, .wht = true, .payload = true, .ppi = true,
                             .hd = 32, .idp = 1500, .dns = true, .tls = true, .dhcp = true,
                             .http = true, .cols_only = cols != 0 };
        for (size_t i = 0; i < n; i++) {
            if (!strcmp(reg[i]->name, "splt"))
                continue;
            ASSERT_TRUE(reg[i]->state_size ? reg[i]->state_size(&o) <= span : reg[i]->state_bytes <= span);
            reg[i]->update(page, &fp, &o);
        }
    }
    munmap(page, span);
}

/* Lazy states (Joy's records): a module no packet reached is neither begun nor read; one only
 * the other direction's packets reached begins when the pair is written. The text and the
 * counts are those of states created eager. Fails when a module's bit is not set (its keys
 * left out), when a state is read before it began (the 0xee bytes), or when it is begun
 * without a packet (the untouched bytes). */
static void test_lazy_states(void)
{
    iof__feat_opts o = { .dist = true, .dns = true, .tls = true, .dhcp = true, .http = true };
    dmsg q, r;
    dns_query(&q, "lazy.example.com");
    dhdr(&r, 0x8180, 1, 1);
    dquestion(&r, "lazy.example.com");
    const uint8_t a[] = { 192, 0, 2, 7 };
    danswer(&r, 1, 60, a, sizeof a);
    char eager[4096];
    uint64_t cuts_eager[IOF_FEAT_MAX_MODULES] = { 0 }, cuts_lazy[IOF_FEAT_MAX_MODULES] = { 0 };
    for (int lazy = 0; lazy < 3; lazy++) {   /* eager; lazy; lazy over a zeroed area */
        setup(o);
        if (lazy) {
            memset(ext_out, lazy == 1 ? 0xee : 0, sizeof(ext_out));
            memset(ext_in, lazy == 1 ? 0xee : 0, sizeof(ext_in));
            iof__featset_init_state(&fs, ext_out, lazy == 2, true);
            iof__featset_init_state(&fs, ext_in, lazy == 2, true);
            seen_out_bits = seen_in_bits = lazy == 2 ? IOF_FEAT_SEEN_ZEROED : 0;
        }
        dfeed(ext_out, &q, 40000, 53, true);   /* the query out, the response back */
        dfeed(ext_in, &r, 53, 40000, true);
        uint32_t dns_bit = 0, tls_bit = 0, dist_bit = 0;
        for (uint32_t i = 0; i < fs.n; i++) {
            dns_bit |= fs.mod[i] == &iof__feat_dns ? 1u << i : 0;
            tls_bit |= fs.mod[i] == &iof__feat_tls ? 1u << i : 0;
            dist_bit |= fs.mod[i] == &iof__feat_byte_dist ? 1u << i : 0;
        }
        ASSERT_TRUE(seen_out_bits & dns_bit);
        ASSERT_TRUE(!(seen_out_bits & tls_bit));
        ASSERT_TRUE(!(seen_out_bits & dist_bit));   /* no idle hook: never skipped, no bit */
        if (lazy) {
            if (lazy == 1)
                ASSERT_EQ_INT(*(const uint8_t *)state_of(ext_out, &iof__feat_tls), 0xee);   /* never touched */
            /* an HTTP packet on the in side only: out's http state begins with the pair */
            const char *get = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
            iof__feat_pkt fp = { .pkt = &(iof__pkt){ 0 }, .data = (const uint8_t *)get, .len = (uint32_t)strlen(get),
                                 .key_proto = 6, .key_sp = 40000, .key_dp = 80, .tcp = true };
            seen_in_bits = iof__featset_update(&fs, ext_in, &fp, seen_in_bits);
            uint32_t both = seen_out_bits | seen_in_bits;
            iof__featset_begin(&fs, ext_out, seen_out_bits, both);
            iof__featset_begin(&fs, ext_in, seen_in_bits, both);
            if (lazy == 1)
                ASSERT_EQ_INT(*(const uint8_t *)state_of(ext_out, &iof__feat_tls), 0xee);
        } else {
            const char *get = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
            iof__feat_pkt fp = { .pkt = &(iof__pkt){ 0 }, .data = (const uint8_t *)get, .len = (uint32_t)strlen(get),
                                 .key_proto = 6, .key_sp = 40000, .key_dp = 80, .tcp = true };
            iof__featset_update(&fs, ext_in, &fp, IOF_FEAT_SEEN_ALL);
        }
        uint32_t seen = lazy ? seen_out_bits | seen_in_bits : IOF_FEAT_SEEN_ALL;
        tb.len = 0;
        for (int slot = 0; slot < IOF_FEAT_JOY_SLOTS; slot++)
            iof__featset_joy_json(&fs, (iof__feat_joy_slot)slot, &tb, ext_out, ext_in, seen);
        iof__tb_putc(&tb, '\0');
        ASSERT_TRUE(!tb.oom);
        if (lazy)
            memset(cuts_lazy, 0, sizeof(cuts_lazy));
        iof__featset_count_cuts(&fs, ext_out, ext_in, seen, lazy ? cuts_lazy : cuts_eager);
        if (!lazy) {
            ASSERT_TRUE(strstr(tb.p, "\"dns\":[") && strstr(tb.p, "\"http\":[") && !strstr(tb.p, "\"tls\""));
            ASSERT_TRUE(strlen(tb.p) < sizeof(eager));
            strcpy(eager, tb.p);
        } else {
            ASSERT_EQ_STR(tb.p, eager);
            ASSERT_TRUE(memcmp(cuts_eager, cuts_lazy, sizeof(cuts_eager)) == 0);
        }
    }
}

static const iof_test tests[] = {
    TEST(test_byte_dist_one_way), TEST(test_byte_dist_pair_joy_formula), TEST(test_byte_dist_edges),
    TEST(test_byte_dist_reduction), TEST(test_wht), TEST(test_long_data_counts), TEST(test_payload), TEST(test_hd),
    TEST(test_idp), TEST(test_ppi), TEST(test_tcp_opts), TEST(test_registry_and_set),
    TEST(test_dhcp), TEST(test_dhcp_caps), TEST(test_dns), TEST(test_dns_malformed),
    TEST(test_dns_caps), TEST(test_tls_pair), TEST(test_tls_uncaptured_zeros),
    TEST(test_tls_errors), TEST(test_tls_caps), TEST(test_tls_certs), TEST(test_tls_cert_text_cut), TEST(test_tls_columns), TEST(test_tls_columns_hello_cut), TEST(test_tls_columns_server_hello_cut), TEST(test_tls_columns_at_record_end), TEST(test_tls_columns_snaplen), TEST(test_tls_columns_segments), TEST(test_tls_columns_server_hello_cut_after_version), TEST(test_tls_sni_anon),
    TEST(test_no_data_reads_no_state), TEST(test_lazy_states),
    { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
