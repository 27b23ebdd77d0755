/* flow/telem: the per-second telemetry policy with exact answers — rows per flow and second in
 * flow order, a row completed when the clock enters a later second, the idle end (a new flow,
 * flow_duration from 0), a packet between two devices counted once under the sender's flow,
 * late packets counted in the open second, eviction at max_flows (the row written first). */
#include <string.h>

#include "common/err.h"
#include "flow/telem.h"
#include "test.h"

#define S 1000000000LL
static iof__telrow rows[64];
static int nrows;

static int collect(void *ctx, iof__telrow *r)
{
    (void)ctx;
    ASSERT_TRUE(nrows < 64);
    rows[nrows++] = *r;
    return 0;
}

static iof__telem *mk(int64_t idle_s, uint64_t max_flows)
{
    iof__tel_config c = { .idle_ns = idle_s * S, .max_flows = max_flows, .hash_seed = 3 };
    iof__telem *t;
    nrows = 0;
    ASSERT_EQ_INT(iof__telem_create(&t, &c, collect, NULL), 0);
    return t;
}

static iof__pkt pkt;
static uint8_t devip[2][16], remip[16];

/* A packet of device d's flow to port dport at time ns, len bytes, dir 1 = sent by d. With
 * both = true the remote is device 1-d (two views). */
static void feed(iof__telem *t, int64_t ns, int d, uint16_t dport, uint32_t len, int dir, bool both)
{
    memset(&pkt, 0, sizeof pkt);
    pkt.ts_ns = ns;
    pkt.ip_len = len;
    pkt.ttl = 64;
    iof__view v[2];
    memset(v, 0, sizeof v);
    v[0] = (iof__view){ .device = d, .dir = (uint8_t)dir, .ipver = 4, .proto = 6, .dev_port = 40000,
                        .rem_port = dport, .dev_ip = devip[d], .rem_ip = both ? devip[1 - d] : remip };
    int n = 1;
    if (both) { /* the other device's view of the same packet */
        v[1] = (iof__view){ .device = 1 - d, .dir = (uint8_t)!dir, .ipver = 4, .proto = 6, .dev_port = dport,
                            .rem_port = 40000, .dev_ip = devip[1 - d], .rem_ip = devip[d] };
        n = 2;
    }
    ASSERT_EQ_INT(iof__telem_packet(t, &pkt, v, n), 0);
}

static void setup_ips(void)
{
    memset(devip, 0, sizeof devip);
    devip[0][0] = 192, devip[0][1] = 168, devip[0][3] = 10;
    devip[1][0] = 192, devip[1][1] = 168, devip[1][3] = 11;
    memset(remip, 0, sizeof remip);
    remip[0] = 8, remip[3] = 8;
}

static void test_rows_per_second(void)
{
    setup_ips();
    iof__telem *t = mk(60, 100);
    int64_t t0 = 1700000000 * S;
    feed(t, t0 + S / 10, 0, 443, 100, 1, false);     /* flow A (seq 0) */
    feed(t, t0 + S / 5, 0, 80, 60, 1, false);        /* flow B (seq 1) */
    feed(t, t0 + S / 2, 0, 443, 1500, 0, false);     /* A, inbound packet */
    ASSERT_EQ_INT(nrows, 0);                          /* second not complete yet */
    feed(t, t0 + S + 1, 0, 80, 40, 1, false);         /* B in the next second: completes t0 */
    ASSERT_EQ_INT(nrows, 2);
    ASSERT_TRUE(rows[0].seq < rows[1].seq);
    ASSERT_EQ_INT(rows[0].k.rem_port, 443);
    ASSERT_EQ_INT(rows[0].packets, 2);
    ASSERT_EQ_INT(rows[0].bytes, 1600);
    ASSERT_EQ_INT(rows[0].packets_out, 1);
    ASSERT_EQ_INT(rows[0].packets_in, 1);
    ASSERT_TRUE(rows[0].sec_ns == t0);
    ASSERT_TRUE(rows[0].last_ns - rows[0].flow_first_ns == S / 2 - S / 10);
    ASSERT_EQ_INT(rows[0].ttl_seen, 3);
    ASSERT_EQ_INT(rows[1].packets, 1);
    /* the clock alone completes a second (an unattributed packet, or advance) */
    ASSERT_EQ_INT(iof__telem_advance(t, t0 + 2 * S), 0);
    ASSERT_EQ_INT(nrows, 3);
    ASSERT_TRUE(rows[2].sec_ns == t0 + S);
    ASSERT_TRUE(rows[2].flow_first_ns == t0 + S / 5); /* B's duration counts from its start */
    ASSERT_EQ_INT(iof__telem_flush(t), 0);
    iof__tel_stats st;
    iof__telem_get_stats(t, &st);
    ASSERT_EQ_INT(st.packets, 4);
    ASSERT_EQ_INT(st.rows, 3);
    ASSERT_EQ_INT(st.flows, 2);
    iof__telem_destroy(t);
}

static void test_idle_end_and_late(void)
{
    setup_ips();
    iof__telem *t = mk(10, 100);
    int64_t t0 = 1700000000 * S;
    feed(t, t0, 0, 443, 100, 1, false);
    feed(t, t0 + 9 * S, 0, 443, 100, 1, false);       /* 9 s later: the same flow */
    feed(t, t0 + 9 * S + S / 2, 0, 443, 100, 1, false);
    feed(t, t0 + 9 * S + S / 4, 0, 443, 100, 1, false); /* back in time, within the open second */
    feed(t, t0 + 8 * S, 0, 443, 100, 1, false);       /* an older second: counted in the open one */
    feed(t, t0 + 20 * S, 0, 443, 100, 1, false);      /* idle 10.5 s >= 10: a new flow */
    ASSERT_EQ_INT(iof__telem_flush(t), 0);
    ASSERT_EQ_INT(nrows, 3);
    ASSERT_EQ_INT(rows[1].packets, 4);
    ASSERT_TRUE(rows[1].sec_ns == t0 + 9 * S);
    ASSERT_TRUE(rows[1].flow_first_ns == t0);
    ASSERT_TRUE(rows[2].flow_first_ns == t0 + 20 * S); /* duration from 0 again */
    ASSERT_TRUE(rows[2].seq > rows[1].seq);
    iof__tel_stats st;
    iof__telem_get_stats(t, &st);
    ASSERT_EQ_INT(st.late_packets, 1);
    ASSERT_EQ_INT(st.flows, 2);
    ASSERT_EQ_INT(st.packets, 6);
    iof__telem_destroy(t);
}

static void test_two_devices_once(void)
{
    setup_ips();
    iof__telem *t = mk(60, 100);
    int64_t t0 = 1700000000 * S;
    feed(t, t0, 0, 8080, 100, 1, true);       /* device 0 :40000 -> device 1 :8080: device 0's flow */
    /* the reply, sent by device 1 (its view first): the same flow, not a second one */
    memset(&pkt, 0, sizeof pkt);
    pkt.ts_ns = t0 + 1000;
    pkt.ip_len = 200;
    pkt.ttl = 64;
    iof__view v[2] = {
        { .device = 1, .dir = 1, .ipver = 4, .proto = 6, .dev_port = 8080, .rem_port = 40000,
          .dev_ip = devip[1], .rem_ip = devip[0] },
        { .device = 0, .dir = 0, .ipver = 4, .proto = 6, .dev_port = 40000, .rem_port = 8080,
          .dev_ip = devip[0], .rem_ip = devip[1] },
    };
    ASSERT_EQ_INT(iof__telem_packet(t, &pkt, v, 2), 0);
    ASSERT_EQ_INT(iof__telem_flush(t), 0);
    ASSERT_EQ_INT(nrows, 1);
    ASSERT_EQ_INT(rows[0].k.device, 0);
    ASSERT_EQ_INT(rows[0].k.first_dir, 1);
    ASSERT_EQ_INT(rows[0].packets, 2);
    ASSERT_EQ_INT(rows[0].packets_out, 1);
    ASSERT_EQ_INT(rows[0].packets_in, 1);
    iof__telem_destroy(t);
}

static void test_eviction(void)
{
    setup_ips();
    iof__telem *t = mk(60, 2);
    int64_t t0 = 1700000000 * S;
    feed(t, t0, 0, 1, 100, 1, false);
    feed(t, t0 + 1, 0, 2, 100, 1, false);
    feed(t, t0 + 2, 0, 3, 100, 1, false);   /* a third flow: the least recently active leaves */
    ASSERT_EQ_INT(nrows, 1);
    ASSERT_EQ_INT(rows[0].k.rem_port, 1);
    ASSERT_TRUE(rows[0].evicted);
    feed(t, t0 + 3, 0, 1, 100, 1, false);   /* port 1 again: a new flow (evicts port 2) */
    ASSERT_EQ_INT(iof__telem_flush(t), 0);
    ASSERT_EQ_INT(nrows, 4);
    iof__tel_stats st;
    iof__telem_get_stats(t, &st);
    ASSERT_EQ_INT(st.flows_evicted, 2);
    ASSERT_EQ_INT(st.packets, 4);
    ASSERT_EQ_INT(st.peak_live, 2);
    uint64_t sum = 0;
    for (int i = 0; i < nrows; i++)
        sum += rows[i].packets;
    ASSERT_EQ_INT(sum, 4);
    iof__telem_destroy(t);
    iof__telem *bad;
    iof__tel_config c = { .idle_ns = 0, .max_flows = 1 };
    ASSERT_EQ_INT(iof__telem_create(&bad, &c, collect, NULL), IOF_E_INVAL);
}

int main(void)
{
    static const iof_test tests[] = { TEST(test_rows_per_second), TEST(test_idle_end_and_late),
                                      TEST(test_two_devices_once), TEST(test_eviction), { 0, 0 } };
    return iof_test_run(tests);
}
