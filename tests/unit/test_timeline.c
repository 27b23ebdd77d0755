/* flow/timeline: exact answers — one row per device and second, zeros for silent seconds,
 * devices found later start then, inventory devices from the first second, flows started and
 * distinct remotes per direction, a clock jump beyond a day not filled (counted). */
#include <string.h>

#include "common/err.h"
#include "flow/timeline.h"
#include "test.h"

#define S 1000000000LL
static iof__tlrow rows[256];
static int nrows;

static int collect(void *ctx, const iof__tlrow *r)
{
    (void)ctx;
    ASSERT_TRUE(nrows < 256);
    rows[nrows++] = *r;
    return 0;
}

static iof__telrow tr(int64_t sec, int dev_last_octet, int rem, uint64_t out, uint64_t in, int64_t flow_first)
{
    iof__telrow r;
    memset(&r, 0, sizeof r);
    r.sec_ns = sec;
    r.k.device = -1;
    r.k.ipver = 4;
    r.k.dev_ip[0] = 10, r.k.dev_ip[3] = (uint8_t)dev_last_octet;
    r.k.rem_ip[0] = 8, r.k.rem_ip[3] = (uint8_t)rem;
    r.k.first_dir = 1;
    r.packets_out = out, r.packets_in = in;
    r.bytes_out = out * 100, r.bytes_in = in * 10;
    r.packets = out + in;
    r.flow_first_ns = flow_first;
    return r;
}

static void test_fill_and_counts(void)
{
    iof__timeline *t;
    nrows = 0;
    ASSERT_EQ_INT(iof__timeline_create(&t, NULL, collect, NULL), 0);
    int64_t t0 = 1700000000 * S;
    ASSERT_EQ_INT(iof__timeline_clock(t, t0), 0);
    iof__telrow a = tr(t0, 1, 1, 2, 1, t0), b = tr(t0, 1, 2, 1, 0, t0 - 5 * S), c = tr(t0, 1, 1, 0, 3, t0 - S);
    ASSERT_EQ_INT(iof__timeline_row(t, &a), 0);
    ASSERT_EQ_INT(iof__timeline_row(t, &b), 0);
    ASSERT_EQ_INT(iof__timeline_row(t, &c), 0);
    ASSERT_EQ_INT(nrows, 0);
    iof__telrow d = tr(t0 + 3 * S, 2, 9, 1, 0, t0 + 3 * S); /* a second device, 3 s later */
    ASSERT_EQ_INT(iof__timeline_row(t, &d), 0);
    /* seconds t0 .. t0+2 written for device 1 (the only one then): t0 with traffic, 2 silent */
    ASSERT_EQ_INT(nrows, 3);
    ASSERT_EQ_INT(rows[0].packets[0], 3);
    ASSERT_EQ_INT(rows[0].packets[1], 4);
    ASSERT_EQ_INT(rows[0].bytes[0], 300);
    ASSERT_EQ_INT(rows[0].flows[0], 1);     /* only a started in t0 */
    ASSERT_EQ_INT(rows[0].remotes[0], 2);   /* 8.0.0.1 and 8.0.0.2 */
    ASSERT_EQ_INT(rows[0].remotes[1], 1);   /* 8.0.0.1 twice */
    ASSERT_EQ_INT(rows[1].packets[0] + rows[1].packets[1], 0);
    ASSERT_TRUE(rows[2].sec_ns == t0 + 2 * S);
    ASSERT_EQ_INT(iof__timeline_flush(t), 0);
    ASSERT_EQ_INT(nrows, 5);                /* t0+3 for both devices, slot order */
    ASSERT_EQ_INT(rows[3].slot, 0);
    ASSERT_EQ_INT(rows[4].slot, 1);
    ASSERT_EQ_INT(rows[4].packets[0], 1);
    /* a jump beyond a day: the silence is counted, not written */
    iof__tl_stats st;
    iof__timeline_get_stats(t, &st);
    ASSERT_EQ_INT(st.devices, 2);
    ASSERT_EQ_INT(st.seconds, 4);
    iof__timeline_destroy(t);

    nrows = 0;
    ASSERT_EQ_INT(iof__timeline_create(&t, NULL, collect, NULL), 0);
    ASSERT_EQ_INT(iof__timeline_row(t, &a), 0);
    iof__telrow far = tr(t0 + (IOF_TL_MAX_GAP_S + 10) * S, 1, 1, 1, 0, t0);
    ASSERT_EQ_INT(iof__timeline_row(t, &far), 0);
    ASSERT_EQ_INT(iof__timeline_flush(t), 0);
    ASSERT_EQ_INT(nrows, 2);
    iof__timeline_get_stats(t, &st);
    ASSERT_EQ_INT(st.gap_seconds, IOF_TL_MAX_GAP_S + 9);
    iof__timeline_destroy(t);
}

int main(void)
{
    static const iof_test tests[] = { TEST(test_fill_and_counts), { 0, 0 } };
    return iof_test_run(tests);
}
