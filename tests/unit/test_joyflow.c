/* Exact-answer tests of the Joy flow policy (flow/joyflow.c, docs/JOY.md) and its JSON
 * (kinds/joy_json.c): timeouts and their boundaries, the 5-frame expiry cadence, bidirectional
 * merging and orientation, packets[] rules, ttl / ip ids, ports of non-TCP/UDP, TCP
 * retransmissions, later fragments, the cap, emission order, the data the feature hooks hand
 * the modules. Packets are real frames
 * (Ethernet + IPv4 + TCP/UDP/ICMP) through iof__decode, as the policy sees them in a run. */
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "features/joyfeat.h"
#include "flow/joyflow.h"
#include "kinds/joy_json.h"
#include "kinds/joy_os.h"
#include "test.h"

#define MAXF 256
#define S 1000000000LL   /* ns per second */
static iof__joyrec got[MAXF], got_twin[MAXF];
static bool got_has_twin[MAXF];
static char got_json[MAXF][4096];
static int ngot;
static const iof__featset *feats;   /* the feature modules of the policy under test, or NULL */
static bool with_end_reason;        /* the JSON with --end-reason's member */

static int collect(void *ctx, const iof__joyrec *r)
{
    (void)ctx;
    ASSERT_TRUE(ngot < MAXF);
    got[ngot] = *r;
    got_has_twin[ngot] = r->twin != NULL;
    if (r->twin)
        got_twin[ngot] = *r->twin;
    iof__tbuf b = { 0 };
    iof__joyfeat_finish(feats, r);
    iof__joy_json_flow(&b, r, feats, NULL, with_end_reason);
    ASSERT_TRUE(!b.oom && b.len < sizeof(got_json[0]));
    memcpy(got_json[ngot], b.p, b.len);
    got_json[ngot][b.len] = '\0';
    iof__tb_free(&b);
    ngot++;
    return 0;
}

static iof__joyflow *policy(uint32_t packets, uint64_t max_flows)
{
    iof__jf_config c = { .packets = packets, .max_flows = max_flows, .hash_seed = 7 };
    iof__joyflow *t;
    ngot = 0;
    iof__joyfeat_hooks(feats, &c);
    ASSERT_EQ_INT(iof__joyflow_create(&t, &c, collect, NULL), 0);
    return t;
}

typedef struct pk {
    int64_t ts_ns;
    uint8_t src, dst;          /* 10.0.0.src -> 10.0.0.dst */
    uint8_t proto;
    uint16_t sp, dp;
    uint32_t len;              /* payload bytes */
    uint8_t flags;             /* TCP flags (default ACK|PSH with data, ACK without) */
    uint32_t seq;
    uint8_t ttl;               /* default 64 */
    uint16_t id;
    uint16_t frag;             /* fragment offset in 8-byte units */
    const uint8_t *payload;    /* default zeros */
    uint8_t tcp_opt;           /* TCP option bytes (multiple of 4) */
    uint16_t win;              /* TCP window (default 29200) */
} pk;

static uint8_t frame[2048];

/* Feeds one frame (and counts it for the expiry cadence when count). */
static void feed_c(iof__joyflow *t, pk k, bool count)
{
    memset(frame, 0, sizeof frame);
    uint8_t *e = frame;
    e[12] = 0x08;
    uint8_t *ip = e + 14;
    uint32_t l4 = k.frag ? 0 : k.proto == 6 ? 20u + k.tcp_opt : k.proto == 17 || k.proto == 1 ? 8 : 0;
    uint32_t iplen = 20 + l4 + k.len;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(iplen >> 8);
    ip[3] = (uint8_t)iplen;
    ip[4] = (uint8_t)(k.id >> 8);
    ip[5] = (uint8_t)k.id;
    ip[6] = (uint8_t)(k.frag >> 8);
    ip[7] = (uint8_t)k.frag;
    ip[8] = k.ttl ? k.ttl : 64;
    ip[9] = k.proto;
    ip[12] = ip[16] = 10;
    ip[15] = k.src;
    ip[19] = k.dst;
    uint8_t *th = ip + 20;
    if (!k.frag && (k.proto == 6 || k.proto == 17)) {
        th[0] = (uint8_t)(k.sp >> 8); th[1] = (uint8_t)k.sp;
        th[2] = (uint8_t)(k.dp >> 8); th[3] = (uint8_t)k.dp;
    }
    if (!k.frag && k.proto == 6) {
        th[4] = (uint8_t)(k.seq >> 24); th[5] = (uint8_t)(k.seq >> 16);
        th[6] = (uint8_t)(k.seq >> 8); th[7] = (uint8_t)k.seq;
        th[12] = (uint8_t)((5 + k.tcp_opt / 4) << 4);
        th[13] = k.flags ? k.flags : k.len ? 0x18 : 0x10;
        uint16_t win = k.win ? k.win : 29200;
        th[14] = (uint8_t)(win >> 8); th[15] = (uint8_t)win;
        for (uint32_t i = 0; i < k.tcp_opt; i++)
            th[20 + i] = 1;             /* NOPs */
    } else if (!k.frag && k.proto == 17) {
        th[4] = (uint8_t)((8 + k.len) >> 8); th[5] = (uint8_t)(8 + k.len);
    } else if (!k.frag && k.proto == 1) {
        th[0] = 8;
    }
    if (k.payload)
        memcpy(th + l4, k.payload, k.len);
    uint32_t n = 14 + iplen;
    iof__pkt p;
    bool ok = iof__decode(&p, IOF_LINKTYPE_ETHERNET, frame, n, n, k.ts_ns) == IOF_DROP_OK;
    ASSERT_TRUE(ok);
    ASSERT_EQ_INT(iof__joyflow_packet(t, &p), 0);
    if (count) {
        ASSERT_TRUE(iof__joyflow_filter(IOF_LINKTYPE_ETHERNET, frame, n, ok, &p));
        ASSERT_EQ_INT(iof__joyflow_frame(t), 0);
    }
}

static void feed(iof__joyflow *t, pk k) { feed_c(t, k, false); }

static void test_inactive_boundary(void)
{
    iof__joyflow *t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 17, .sp = 1000, .dp = 53, .len = 10 });
    /* another flow moves the clock to exactly 10 s after the last packet: not yet (strict) */
    feed(t, (pk){ .ts_ns = 10 * S, .src = 3, .dst = 4, .proto = 17, .sp = 1, .dp = 2, .len = 1 });
    ASSERT_EQ_INT(iof__joyflow_expire(t), 0);
    ASSERT_EQ_INT(ngot, 0);
    feed(t, (pk){ .ts_ns = 10 * S + 1000, .src = 3, .dst = 4, .proto = 17, .sp = 1, .dp = 2, .len = 1 });
    ASSERT_EQ_INT(iof__joyflow_expire(t), 0);
    ASSERT_EQ_INT(ngot, 1);
    ASSERT_EQ_INT(got[0].end, IOF_JF_END_INACTIVE);
    ASSERT_TRUE(strstr(got_json[0], ",\"expire_type\":\"i\"}") != NULL);
    ASSERT_EQ_INT(iof__jf_end_reason(&got[0]), IOF_END_IDLE);
    /* a packet of the same key now starts a new flow */
    feed(t, (pk){ .ts_ns = 11 * S, .src = 1, .dst = 2, .proto = 17, .sp = 1000, .dp = 53, .len = 10 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_EQ_INT(ngot, 3);
    ASSERT_EQ_INT(got[2].start_us, 11000000);
    ASSERT_EQ_INT(got[2].end, IOF_JF_END_NONE);  /* end of input: no expire type */
    ASSERT_TRUE(strstr(got_json[2], "expire_type") == NULL);
    ASSERT_EQ_INT(iof__jf_end_reason(&got[2]), IOF_END_INPUT);
    iof__joyflow_destroy(t);
}

static void test_active_boundary(void)
{
    /* a packet every 5 s never lets the flow idle: it ends when its start is more than 30 s
     * before the clock, and the packets after that form the next flow */
    iof__joyflow *t = policy(50, 1000);
    for (int i = 0; i <= 6; i++) {
        feed(t, (pk){ .ts_ns = i * 5 * S, .src = 1, .dst = 2, .proto = 17, .sp = 5, .dp = 6, .len = 3 });
        ASSERT_EQ_INT(iof__joyflow_expire(t), 0);
    }
    ASSERT_EQ_INT(ngot, 0);   /* clock 30 s: start 0 is not before 30 - 30 */
    feed(t, (pk){ .ts_ns = 30 * S + 1000, .src = 1, .dst = 2, .proto = 17, .sp = 5, .dp = 6, .len = 3 });
    ASSERT_EQ_INT(iof__joyflow_expire(t), 0);
    ASSERT_EQ_INT(ngot, 1);
    ASSERT_EQ_INT(got[0].end, IOF_JF_END_ACTIVE);
    ASSERT_EQ_U64(got[0].np, 8);
    ASSERT_TRUE(strstr(got_json[0], "\"expire_type\":\"a\"") != NULL);
    iof__joyflow_destroy(t);
}

static void test_active_needs_both_starts(void)
{
    /* a twin that started late keeps the pair from the active timeout */
    iof__joyflow *t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 17, .sp = 5, .dp = 6, .len = 3 });
    feed(t, (pk){ .ts_ns = 8 * S, .src = 1, .dst = 2, .proto = 17, .sp = 5, .dp = 6, .len = 3 });
    feed(t, (pk){ .ts_ns = 15 * S, .src = 2, .dst = 1, .proto = 17, .sp = 6, .dp = 5, .len = 3 });
    feed(t, (pk){ .ts_ns = 24 * S, .src = 2, .dst = 1, .proto = 17, .sp = 6, .dp = 5, .len = 3 });
    feed(t, (pk){ .ts_ns = 31 * S, .src = 1, .dst = 2, .proto = 17, .sp = 5, .dp = 6, .len = 3 });
    ASSERT_EQ_INT(iof__joyflow_expire(t), 0);
    ASSERT_EQ_INT(ngot, 0);
    feed(t, (pk){ .ts_ns = 46 * S, .src = 9, .dst = 8, .proto = 17, .sp = 1, .dp = 1, .len = 1 });
    ASSERT_EQ_INT(iof__joyflow_expire(t), 0);  /* twin start 15 < 46 - 30: active */
    ASSERT_EQ_INT(ngot, 1);
    ASSERT_EQ_INT(got[0].end, IOF_JF_END_ACTIVE);
    ASSERT_TRUE(got_has_twin[0]);
    ASSERT_EQ_U64(got_twin[0].np, 2);
    iof__joyflow_destroy(t);
}

static void test_check_every_fifth_frame_head_of_line(void)
{
    iof__joyflow *t = policy(50, 1000);
    /* flow A at 0; flow B at 1 s and kept busy; frames counted: checks after frames 5, 10 */
    feed_c(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 17, .sp = 5, .dp = 6, .len = 3 }, true);
    for (int i = 1; i <= 3; i++)
        feed_c(t, (pk){ .ts_ns = i * S, .src = 3, .dst = 4, .proto = 17, .sp = 7, .dp = 8, .len = 3 }, true);
    /* frame 5 at 20 s: A is idle > 10 s and expires at this check; B (last 3 s) too */
    feed_c(t, (pk){ .ts_ns = 20 * S, .src = 5, .dst = 6, .proto = 17, .sp = 9, .dp = 9, .len = 3 }, true);
    ASSERT_EQ_INT(ngot, 2);
    ASSERT_EQ_INT(got[0].sa[3], 1);
    ASSERT_EQ_INT(got[1].sa[3], 3);
    /* frames 6..9 never run a check, whatever the clock does */
    feed_c(t, (pk){ .ts_ns = 100 * S, .src = 1, .dst = 2, .proto = 17, .sp = 5, .dp = 6, .len = 3 }, true);
    feed_c(t, (pk){ .ts_ns = 101 * S, .src = 1, .dst = 2, .proto = 17, .sp = 5, .dp = 6, .len = 3 }, true);
    ASSERT_EQ_INT(ngot, 2);
    /* head of line: the flow of 5.0.0.x (20 s) is first, idle: it goes, then the flow at 100 s
     * is young and stops the walk */
    feed_c(t, (pk){ .ts_ns = 102 * S, .src = 1, .dst = 2, .proto = 17, .sp = 5, .dp = 6, .len = 3 }, true);
    feed_c(t, (pk){ .ts_ns = 103 * S, .src = 1, .dst = 2, .proto = 17, .sp = 5, .dp = 6, .len = 3 }, true);
    ASSERT_EQ_INT(ngot, 2);
    feed_c(t, (pk){ .ts_ns = 104 * S, .src = 1, .dst = 2, .proto = 17, .sp = 5, .dp = 6, .len = 3 }, true);
    ASSERT_EQ_INT(ngot, 3);
    ASSERT_EQ_INT(got[2].sa[3], 5);
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_EQ_INT(ngot, 4);
    ASSERT_EQ_U64(got[3].np, 5);
    iof__joyflow_destroy(t);
}

static void test_filter(void)
{
    uint8_t f[64] = { 0 };
    iof__pkt p;
    memset(&p, 0, sizeof p);
    f[12] = 0x08;
    ASSERT_TRUE(iof__joyflow_filter(IOF_LINKTYPE_ETHERNET, f, 60, false, &p));
    f[12] = 0x86; f[13] = 0xdd;
    ASSERT_TRUE(!iof__joyflow_filter(IOF_LINKTYPE_ETHERNET, f, 60, true, &p));
    f[12] = 0x81; f[13] = 0x00;
    ASSERT_TRUE(iof__joyflow_filter(IOF_LINKTYPE_ETHERNET, f, 60, false, &p));
    ASSERT_TRUE(!iof__joyflow_filter(IOF_LINKTYPE_ETHERNET, f, 13, false, &p));
    p.ipver = 4;
    ASSERT_TRUE(iof__joyflow_filter(IOF_LINKTYPE_RAW, f, 60, true, &p));
    ASSERT_TRUE(!iof__joyflow_filter(IOF_LINKTYPE_RAW, f, 60, false, &p));
}

static void test_bidir_merge_and_orientation(void)
{
    iof__joyflow *t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 17, .sp = 4000, .dp = 5684, .len = 10, .ttl = 64, .id = 7 });
    feed(t, (pk){ .ts_ns = 2000000, .src = 2, .dst = 1, .proto = 17, .sp = 5684, .dp = 4000, .len = 20, .ttl = 255, .id = 9 });
    feed(t, (pk){ .ts_ns = 2000000, .src = 1, .dst = 2, .proto = 17, .sp = 4000, .dp = 5684, .len = 30, .ttl = 63, .id = 8 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_EQ_INT(ngot, 1);
    /* out = the earlier start (the primary); a tie in packets[] takes the "in" side first;
     * out's packets are printed ">", in's "<" (Joy's markers) */
    ASSERT_EQ_STR(got_json[0],
        "{\"sa\":\"10.0.0.1\",\"da\":\"10.0.0.2\",\"pr\":17,\"sp\":4000,\"dp\":5684,"
        "\"bytes_out\":40,\"num_pkts_out\":2,\"bytes_in\":20,\"num_pkts_in\":1,"
        "\"time_start\":0.000000,\"time_end\":0.002000,\"packets\":["
        "{\"b\":10,\"dir\":\">\",\"ipt\":0},{\"b\":20,\"dir\":\"<\",\"ipt\":2},{\"b\":30,\"dir\":\">\",\"ipt\":0}],"
        "\"ip\":{\"out\":{\"ttl\":63,\"id\":[7,8]},\"in\":{\"ttl\":255,\"id\":[9]}}}\n");
    iof__joyflow_destroy(t);

    /* a reverse packet after the pair has gone starts a flow of its own; a packet whose
     * reverse key is its own key (sa = da, sp = dp) never gets a twin */
    t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 17, .sp = 1, .dp = 2, .len = 1 });
    feed(t, (pk){ .ts_ns = 20 * S, .src = 3, .dst = 3, .proto = 17, .sp = 9, .dp = 9, .len = 1 });
    ASSERT_EQ_INT(iof__joyflow_expire(t), 0);
    ASSERT_EQ_INT(ngot, 1);
    feed(t, (pk){ .ts_ns = 21 * S, .src = 2, .dst = 1, .proto = 17, .sp = 2, .dp = 1, .len = 1 });
    feed(t, (pk){ .ts_ns = 22 * S, .src = 3, .dst = 3, .proto = 17, .sp = 9, .dp = 9, .len = 1 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_EQ_INT(ngot, 3);
    ASSERT_TRUE(!got_has_twin[1] && !got_has_twin[2]);
    ASSERT_EQ_INT(got[1].sa[3], 3);
    ASSERT_EQ_U64(got[1].np, 2);
    ASSERT_EQ_INT(got[2].sa[3], 2);
    iof__joyflow_destroy(t);
}

static void test_client_rules(void)
{
    /* DNS: Joy marks the side that sends a standard query as "server", so the responder's
     * record is "out" (the annotation rules' "sp 53"); time_end is then the primary's */
    static const uint8_t query[12] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0 };
    iof__joyflow *t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 17, .sp = 3333, .dp = 53, .len = 12, .payload = query });
    feed(t, (pk){ .ts_ns = 5000000, .src = 2, .dst = 1, .proto = 17, .sp = 53, .dp = 3333, .len = 40 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_EQ_INT(ngot, 1);
    ASSERT_TRUE(strstr(got_json[0], "{\"sa\":\"10.0.0.2\",\"da\":\"10.0.0.1\",\"pr\":17,\"sp\":53,\"dp\":3333,"
                       "\"bytes_out\":40,\"num_pkts_out\":1,\"bytes_in\":12,\"num_pkts_in\":1,"
                       "\"time_start\":0.005000,\"time_end\":0.000000,\"packets\":["
                       "{\"b\":12,\"dir\":\"<\",\"ipt\":4294967291},{\"b\":40,\"dir\":\">\",\"ipt\":5}]") == got_json[0]);
    iof__joyflow_destroy(t);

    /* TCP: the primary answered with SYN/ACK, so the twin is the client */
    t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 2, .dst = 1, .proto = 6, .sp = 80, .dp = 4444, .flags = 0x12, .seq = 900, .tcp_opt = 4 });
    feed(t, (pk){ .ts_ns = 1000000, .src = 1, .dst = 2, .proto = 6, .sp = 4444, .dp = 80, .flags = 0x10, .seq = 77 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_TRUE(strstr(got_json[0], "{\"sa\":\"10.0.0.1\",\"da\":\"10.0.0.2\",\"pr\":6,\"sp\":4444,\"dp\":80,") == got_json[0]);
    ASSERT_TRUE(strstr(got_json[0], "\"packets\":[]") != NULL);
    ASSERT_TRUE(strstr(got_json[0], ",\"tcp\":{\"in\":{\"flags\":\"SA\",\"first_window_size\":29200,\"opt_len\":4,"
                       "\"opts\":[{\"noop\":null},{\"noop\":null},{\"noop\":null},{\"noop\":null}]}}") != NULL);
    /* the out side is the twin: Joy prints no expire type then (only the primary has one) */
    iof__joyflow_destroy(t);

    /* both sides sent a SYN: undecided, so the earlier start; equal starts: the twin; times in
     * µs, the ns part truncated */
    t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 1234567890, .src = 1, .dst = 2, .proto = 6, .sp = 7, .dp = 8, .flags = 0x02, .seq = 5 });
    feed(t, (pk){ .ts_ns = 1234567999, .src = 2, .dst = 1, .proto = 6, .sp = 8, .dp = 7, .flags = 0x02, .seq = 9 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_TRUE(strstr(got_json[0], "{\"sa\":\"10.0.0.2\",") == got_json[0]);
    ASSERT_TRUE(strstr(got_json[0], "\"time_start\":1.234567,\"time_end\":1.234567,") != NULL);
    ASSERT_TRUE(strstr(got_json[0], "\"tcp\":{\"first_seq\":9,\"out\":{\"flags\":\"S\"") != NULL);
    iof__joyflow_destroy(t);
}

static void test_packets_rules(void)
{
    iof__joyflow *t = policy(50, 1000);
    /* zero-length TCP segments count as packets but not in packets[] */
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .flags = 0x02, .seq = 100 });
    feed(t, (pk){ .ts_ns = 1000000, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 101 });
    feed(t, (pk){ .ts_ns = 3000000, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 101, .len = 5 });
    /* 60 UDP datagrams with data: packets[] and ip.id[] stop at 50, the counts do not */
    for (int i = 0; i < 60; i++)
        feed(t, (pk){ .ts_ns = i * 1000000LL, .src = 5, .dst = 6, .proto = 17, .sp = 1, .dp = 2, .len = 4, .id = (uint16_t)i,
                      .ttl = (uint8_t)(100 - i) });
    /* UDP with no data: counted, not in packets[] (Joy's zeros=0 applies to every protocol) */
    feed(t, (pk){ .ts_ns = 61000000, .src = 5, .dst = 6, .proto = 17, .sp = 1, .dp = 2, .len = 0 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_EQ_INT(ngot, 2);
    ASSERT_EQ_U64(got[0].np, 3);
    ASSERT_EQ_INT(got[0].op, 1);
    ASSERT_EQ_U64(got[0].ob, 5);
    ASSERT_EQ_INT(got[0].first_seq, 100);
    ASSERT_TRUE(strstr(got_json[0], "\"packets\":[{\"b\":5,\"dir\":\"<\",\"ipt\":0}]") != NULL);
    ASSERT_TRUE(strstr(got_json[0], "\"tcp\":{\"first_seq\":100,\"out\":{\"flags\":\"S\",\"first_window_size\":29200}}") != NULL);
    ASSERT_EQ_U64(got[1].np, 61);
    ASSERT_EQ_U64(got[1].ob, 240);
    ASSERT_EQ_INT(got[1].op, 50);
    ASSERT_EQ_INT(got[1].num_id, 50);
    ASSERT_EQ_INT(got[1].ip_id[49], 49);
    ASSERT_EQ_INT(got[1].ttl, 41);
    iof__joyflow_destroy(t);

    /* --packets 3 */
    t = policy(3, 1000);
    for (int i = 0; i < 5; i++)
        feed(t, (pk){ .ts_ns = i * 1500000LL, .src = 5, .dst = 6, .proto = 17, .sp = 1, .dp = 2, .len = 4 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_TRUE(strstr(got_json[0], "\"packets\":[{\"b\":4,\"dir\":\"<\",\"ipt\":0},{\"b\":4,\"dir\":\"<\",\"ipt\":1},"
                                     "{\"b\":4,\"dir\":\"<\",\"ipt\":1}]") != NULL);
    iof__joyflow_destroy(t);
}

static void test_non_tcp_udp_and_fragments(void)
{
    iof__joyflow *t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 1, .len = 20 });
    feed(t, (pk){ .ts_ns = 1000, .src = 1, .dst = 2, .proto = 2, .len = 8 });
    /* a later fragment of a UDP datagram: Joy keys it as protocol 0, ports 0, all its bytes */
    feed(t, (pk){ .ts_ns = 2000, .src = 1, .dst = 2, .proto = 17, .len = 24, .frag = 185 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_EQ_INT(ngot, 3);
    ASSERT_TRUE(strstr(got_json[0], "\"pr\":1,\"sp\":null,\"dp\":null,\"bytes_out\":20,") != NULL);
    ASSERT_TRUE(strstr(got_json[1], "\"pr\":2,\"sp\":null,\"dp\":null,\"bytes_out\":8,") != NULL);
    ASSERT_TRUE(strstr(got_json[2], "\"pr\":0,\"sp\":null,\"dp\":null,\"bytes_out\":24,") != NULL);
    iof__joyflow_destroy(t);
}

static void test_tcp_retransmission(void)
{
    iof__joyflow *t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 1000, .len = 100 });
    feed(t, (pk){ .ts_ns = 1000000, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 900, .len = 100 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    /* the retransmission goes Joy's "IP" way: its whole TCP segment (header + data) */
    ASSERT_EQ_U64(got[0].ob, 220);
    ASSERT_TRUE(strstr(got_json[0], "{\"b\":100,\"dir\":\"<\",\"ipt\":0},{\"b\":120,\"dir\":\"<\",\"ipt\":1}") != NULL);
    ASSERT_TRUE(strstr(got_json[0], ",\"debug\":{\"tcp_retrans\":1,\"invalid\":1}}") != NULL);
    iof__joyflow_destroy(t);

    /* the rule follows Joy's own 50 entries, not the packets[] cap printed */
    t = policy(1, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 100, .len = 10 });
    feed(t, (pk){ .ts_ns = 1000, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 200, .len = 10 });
    feed(t, (pk){ .ts_ns = 2000, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 150, .len = 10 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_EQ_INT(got[0].retrans, 1);
    ASSERT_EQ_INT(got[0].op, 1);
    iof__joyflow_destroy(t);
}

static void test_cap_eviction(void)
{
    iof__joyflow *t = policy(50, 3);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 17, .sp = 1, .dp = 2, .len = 1 });
    feed(t, (pk){ .ts_ns = 1, .src = 2, .dst = 1, .proto = 17, .sp = 2, .dp = 1, .len = 1 });
    feed(t, (pk){ .ts_ns = 2, .src = 3, .dst = 4, .proto = 17, .sp = 1, .dp = 2, .len = 1 });
    ASSERT_EQ_INT(ngot, 0);
    /* a 4th record: the oldest pair (two records) leaves early */
    feed(t, (pk){ .ts_ns = 3, .src = 5, .dst = 6, .proto = 17, .sp = 1, .dp = 2, .len = 1 });
    ASSERT_EQ_INT(ngot, 1);
    ASSERT_EQ_INT(got[0].end, IOF_JF_END_EVICTED);
    ASSERT_TRUE(got_has_twin[0]);
    ASSERT_TRUE(strstr(got_json[0], "expire_type") == NULL);
    ASSERT_EQ_INT(iof__jf_end_reason(&got[0]), IOF_END_EVICTED);
    iof__jf_stats st;
    iof__joyflow_get_stats(t, &st);
    ASSERT_EQ_U64(st.flows_evicted, 1);
    ASSERT_EQ_U64(st.live_records, 2);
    ASSERT_TRUE(st.peak_live_records <= 3);
    iof__joyflow_destroy(t);
}

static void test_emission_in_seq_order(void)
{
    /* a generated workload: many keys, both directions, time going back now and then, checks
     * every 5 frames, a small cap: every emission's seq is above the previous one */
    iof__joyflow *t = policy(50, 40);
    uint64_t x = 12345;
    int64_t ts = 0;
    for (int i = 0; i < 3000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        ts += (int64_t)(x >> 50) * 1000 - ((x >> 20) % 7 == 0 ? 3 * S : 0);
        uint8_t a = (uint8_t)(1 + (x >> 33) % 30), b = (uint8_t)(1 + (x >> 40) % 3);
        bool rev = (x >> 45) & 1;
        feed_c(t, (pk){ .ts_ns = ts, .src = rev ? b : a, .dst = rev ? a : b, .proto = 17,
                        .sp = rev ? 53 : 1000, .dp = rev ? 1000 : 53, .len = 4 }, true);
        if (ngot > 200) {
            for (int k = 1; k < ngot; k++)
                ASSERT_TRUE(got[k].seq > got[k - 1].seq);
            got[0] = got[ngot - 1];
            ngot = 1;
        }
    }
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    for (int k = 1; k < ngot; k++)
        ASSERT_TRUE(got[k].seq > got[k - 1].seq);
    iof__jf_stats st;
    iof__joyflow_get_stats(t, &st);
    ASSERT_EQ_U64(st.live_records, 0);
    ASSERT_TRUE(st.flows_evicted > 0 && st.expired_inactive > 0);
    iof__joyflow_destroy(t);
}

/* The hooks hand the modules Joy's data: the TCP payload on its TCP path, the whole segment on
 * its "IP" path (a retransmission), the bytes after a UDP header, a later fragment's bytes;
 * and the IP packet for idp. */
static void test_feature_hooks(void)
{
    static iof__featset fs;
    ASSERT_EQ_INT(iof__featset_init(&fs, &(iof__feat_opts){ .payload = true, .hd = 1, .idp = 64 }), 0);
    feats = &fs;
    static const uint8_t a[4] = { 0x41, 0x41, 0x41, 0x41 }, b[4] = { 0x42, 0x42, 0x42, 0x42 };
    iof__joyflow *t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 1000, .len = 4, .payload = a });
    feed(t, (pk){ .ts_ns = 1000, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 1004, .len = 4, .payload = b });
    /* a retransmission: not a TCP-path segment, so hd does not see it (its first byte, the
     * source port's high byte 0x00, would clear more of the mask) */
    feed(t, (pk){ .ts_ns = 2000, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 900, .len = 4, .payload = a });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_TRUE(strstr(got_json[0], ",\"payload\":{\"out\":\"41414141\"}") != NULL);
    ASSERT_TRUE(strstr(got_json[0], ",\"hd\":{\"n\":2,\"cm\":\"fc\",\"cv\":\"40\",\"sm\":\"00\",\"i\":\"41\"}") != NULL);
    /* idp: the first data packet's IP packet, 44 bytes (under 64) */
    ASSERT_TRUE(strstr(got_json[0], ",\"idp_out\":\"4500002c") != NULL);
    ASSERT_TRUE(strstr(got_json[0], "41414141\",\"idp_len_out\":44,\"debug\":") != NULL);
    iof__joyflow_destroy(t);

    /* a packet without data takes no payload; each direction keeps its own */
    t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 6, .sp = 0x1234, .dp = 2, .seq = 1000 });
    feed(t, (pk){ .ts_ns = 1000, .src = 1, .dst = 2, .proto = 6, .sp = 0x1234, .dp = 2, .seq = 1000, .len = 4, .payload = a });
    feed(t, (pk){ .ts_ns = 2000, .src = 2, .dst = 1, .proto = 6, .sp = 2, .dp = 0x1234, .seq = 5, .len = 4, .payload = b });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_TRUE(strstr(got_json[0], "\"payload\":{\"out\":\"41414141\",\"in\":\"42424242\"}") != NULL);
    iof__joyflow_destroy(t);

    /* a retransmission's data is its whole segment: 4 x 0x41, then the 20-byte TCP header
     * (00 01 00 02 00 00 03 84, 4 zero bytes, 50 18 72 10, 4 zero bytes) and 4 x 0x41:
     * 28 bytes summing to 892, mean 31.857143 */
    static iof__featset bd;
    ASSERT_EQ_INT(iof__featset_init(&bd, &(iof__feat_opts){ .dist = true }), 0);
    feats = &bd;
    t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 1000, .len = 4, .payload = a });
    feed(t, (pk){ .ts_ns = 1000, .src = 1, .dst = 2, .proto = 6, .sp = 1, .dp = 2, .seq = 900, .len = 4, .payload = a });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_TRUE(strstr(got_json[0], ",\"byte_dist_mean\":31.857143,") != NULL);
    iof__joyflow_destroy(t);
    feats = &fs;

    /* UDP: after the 8-byte header; a later fragment: its bytes from the IP payload's start;
     * the IP packet past N is cut to N */
    static uint8_t big[100];
    memset(big, 0x5a, sizeof(big));
    t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 17, .sp = 7, .dp = 8, .len = 4, .payload = b });
    feed(t, (pk){ .ts_ns = 1000, .src = 3, .dst = 4, .proto = 17, .frag = 2, .len = 100, .payload = big });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_EQ_INT(ngot, 2);
    ASSERT_TRUE(strstr(got_json[0], ",\"payload\":{\"out\":\"42424242\"}") != NULL);
    ASSERT_TRUE(strstr(got_json[1], ",\"payload\":{\"out\":\"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
                                    "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\"}") != NULL);
    ASSERT_TRUE(strstr(got_json[1], ",\"idp_len_out\":64") != NULL);
    ASSERT_TRUE(strstr(got_json[0], ",\"hd\":") == NULL);   /* hd: TCP only */
    iof__joyflow_destroy(t);
    feats = NULL;
}

static void test_config_refused(void)
{
    iof__joyflow *t;
    iof__jf_config c = { .packets = 0, .max_flows = 1 };
    ASSERT_TRUE(iof__joyflow_create(&t, &c, collect, NULL) != 0);
    c.packets = IOF_JOY_MAX_PACKETS + 1;
    ASSERT_TRUE(iof__joyflow_create(&t, &c, collect, NULL) != 0);
    c.packets = 50;
    c.max_flows = 0;
    ASSERT_TRUE(iof__joyflow_create(&t, &c, collect, NULL) != 0);
}

/* --end-reason: the active expiry, a stopped run, the member after expire_type, the words */
static void test_end_reason(void)
{
    with_end_reason = true;
    iof__joyflow *t = policy(50, 100);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 17, .sp = 1, .dp = 2, .len = 1 });
    for (int i = 1; i <= 31; i++) /* a packet a second: never idle, active-expired past 30 s */
        feed(t, (pk){ .ts_ns = (int64_t)i * S, .src = 1, .dst = 2, .proto = 17, .sp = 1, .dp = 2, .len = 1 });
    feed(t, (pk){ .ts_ns = 31 * S, .src = 3, .dst = 4, .proto = 17, .sp = 1, .dp = 2, .len = 1 });
    ASSERT_EQ_INT(iof__joyflow_expire(t), 0);
    ASSERT_EQ_INT(ngot, 1);
    ASSERT_EQ_INT(iof__jf_end_reason(&got[0]), IOF_END_ACTIVE);
    ASSERT_TRUE(strstr(got_json[0], ",\"expire_type\":\"a\",\"end_reason\":\"active\"}\n") != NULL);
    ASSERT_EQ_INT(iof__joyflow_stop(t), 0); /* a signal: the open flow is stopped, no expire type */
    ASSERT_EQ_INT(ngot, 2);
    ASSERT_EQ_INT(got[1].end, IOF_JF_END_STOPPED);
    ASSERT_EQ_INT(iof__jf_end_reason(&got[1]), IOF_END_STOPPED);
    ASSERT_TRUE(strstr(got_json[1], "expire_type") == NULL);
    ASSERT_TRUE(strstr(got_json[1], ",\"end_reason\":\"stopped\"}\n") != NULL);
    iof__joyflow_destroy(t);
    with_end_reason = false;
    /* one word each, distinct; none for a value out of range */
    for (int e = 0; e < IOF_END__COUNT; e++) {
        ASSERT_TRUE(iof__end_reason_name((iof__end_reason)e)[0] != '\0');
        for (int f = 0; f < e; f++)
            ASSERT_TRUE(strcmp(iof__end_reason_name((iof__end_reason)e), iof__end_reason_name((iof__end_reason)f)) != 0);
    }
    ASSERT_EQ_STR(iof__end_reason_name(IOF_END_INPUT), "end_of_input");
    ASSERT_EQ_STR(iof__end_reason_name(IOF_END__COUNT), "");
}

/* probable_os (kinds/joy_os.c, Joy's osdetect.c): each side's smallest TTL and first SYN or
 * SYN/ACK window against Joy's table, after tcp (and hd), before idp; nothing without a match */
static void test_probable_os(void)
{
    ASSERT_EQ_STR(iof__joy_os_name(64, 65535), "FreeBSD / OS X");
    ASSERT_EQ_STR(iof__joy_os_name(33, 5840), "Linux 2.4 and 2.6");
    ASSERT_EQ_STR(iof__joy_os_name(128, 16384), "Windows 2000");
    ASSERT_EQ_STR(iof__joy_os_name(255, 8760), "Solaris 7");
    ASSERT_TRUE(iof__joy_os_name(32, 5840) == NULL && iof__joy_os_name(65, 5840) == NULL);
    ASSERT_TRUE(iof__joy_os_name(64, 0) == NULL && iof__joy_os_name(64, 29200) == NULL);
    iof__joyflow *t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 6, .sp = 4444, .dp = 80, .flags = 0x02, .seq = 5, .win = 65535 });
    feed(t, (pk){ .ts_ns = 1000000, .src = 2, .dst = 1, .proto = 6, .sp = 80, .dp = 4444, .flags = 0x12, .seq = 9,
                  .ttl = 120, .win = 8192 });
    /* a later, lower TTL on the twin's side: its smallest, 60, leaves Windows' range */
    feed(t, (pk){ .ts_ns = 2000000, .src = 2, .dst = 1, .proto = 6, .sp = 80, .dp = 4444, .seq = 10, .ttl = 60 });
    /* a one-way flow whose SYN/ACK window and TTL match: "out" only */
    feed(t, (pk){ .ts_ns = 0, .src = 3, .dst = 4, .proto = 6, .sp = 80, .dp = 5555, .flags = 0x12, .seq = 1, .ttl = 200,
                  .win = 4128 });
    /* UDP: no window, nothing */
    feed(t, (pk){ .ts_ns = 0, .src = 5, .dst = 6, .proto = 17, .sp = 1, .dp = 2, .len = 4 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_EQ_INT(ngot, 3);
    for (int i = 0; i < 3; i++) {
        const char *j = got_json[i];
        if (strstr(j, "\"sp\":4444"))
            ASSERT_TRUE(strstr(j, "}},\"probable_os\":{\"out\":\"FreeBSD / OS X\"}}") != NULL);
        else if (strstr(j, "\"sp\":80"))
            ASSERT_TRUE(strstr(j, ",\"probable_os\":{\"out\":\"Cisco Router IOS 12.4\"}}") != NULL);
        else
            ASSERT_TRUE(strstr(j, "probable_os") == NULL);
    }
    iof__joyflow_destroy(t);
    /* the twin's side alone: {"in":...} */
    t = policy(50, 1000);
    feed(t, (pk){ .ts_ns = 0, .src = 1, .dst = 2, .proto = 6, .sp = 4444, .dp = 80, .flags = 0x02, .seq = 5 });
    feed(t, (pk){ .ts_ns = 1000000, .src = 2, .dst = 1, .proto = 6, .sp = 80, .dp = 4444, .flags = 0x12, .seq = 9,
                  .ttl = 128, .win = 65535 });
    ASSERT_EQ_INT(iof__joyflow_flush(t), 0);
    ASSERT_TRUE(strstr(got_json[0], ",\"probable_os\":{\"in\":\"Windows XP\"}") != NULL);
    iof__joyflow_destroy(t);
}

static const iof_test tests[] = {
    TEST(test_inactive_boundary), TEST(test_active_boundary), TEST(test_active_needs_both_starts),
    TEST(test_check_every_fifth_frame_head_of_line), TEST(test_filter),
    TEST(test_bidir_merge_and_orientation), TEST(test_client_rules), TEST(test_packets_rules),
    TEST(test_non_tcp_udp_and_fragments), TEST(test_tcp_retransmission), TEST(test_cap_eviction),
    TEST(test_emission_in_seq_order), TEST(test_feature_hooks), TEST(test_config_refused), TEST(test_end_reason),
    TEST(test_probable_os), { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
