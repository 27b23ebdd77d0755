/* flow/timeline: exact answers — one row per device and second, zeros for silent seconds,
 * devices found later start then, inventory devices from the first second, flows started and
 * distinct remotes per direction, a clock jump beyond a day not filled (counted).
 * kinds/timeline with --sensors: the sensor columns after the traffic ones (FLOAT64, nullable,
 * the file's decimals), each the as-of reading at the second's last instant within the
 * tolerance, null for a device without sensors; a sensor column named like a timeline column is
 * refused by name. */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "flow/timeline.h"
#include "kinds/sensorcols.h"
#include "kinds/timeline.h"
#include "test.h"
#include "sensor_text.h"

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

/* the value of column c of the row the kind builds for r */
static bool cell(const iof__schema *sch, void *b, const iof__tlrow *r, size_t c, double *v)
{
    const void *row = iof__tl_kind.build(b, r);
    iof__value val;
    memset(&val, 0, sizeof(val));
    iof__schema_get(sch, row, c, 0, &val);
    *v = val.f;
    return !val.null;
}

static void test_sensor_columns(void)
{
    char err[256];
    /* readings of one MAC at t0 and t0 + 3.5 s (Flag missing in the second) */
    iof__sensors *s = sensors_of("timestamp,device_id,temp,Flag\n"
                                 "1700000000,aa:bb:cc:dd:ee:01,20.5,1\n"
                                 "1700000003.5,AA-BB-CC-DD-EE-01,21,\n",
                                 err, sizeof err);
    iof__tl_rowcfg cfg = { .sensors = s, .sensor_tol_ns = 2 * S };
    iof__schema sch;
    ASSERT_EQ_INT(iof__tl_kind.schema(&sch, &cfg, false), 0);
    ASSERT_EQ_INT(sch.n, 12);
    ASSERT_EQ_STR(sch.cols[9].name, "remotes_in");
    ASSERT_EQ_STR(sch.cols[10].name, "temp");
    ASSERT_EQ_STR(sch.cols[11].name, "Flag");
    for (size_t c = 10; c < 12; c++) {
        ASSERT_EQ_INT(sch.cols[c].type, IOF_VT_FLOAT64);
        ASSERT_TRUE(sch.cols[c].nullable);
    }
    ASSERT_EQ_INT(sch.cols[10].decimals, 1); /* as the file wrote them: 20.5, 21 */
    ASSERT_EQ_INT(sch.cols[11].decimals, 0);
    void *b = iof__tl_kind.builder_new(&cfg, false);
    ASSERT_TRUE(b != NULL);
    int64_t t0 = 1700000000 * S;
    iof__tlrow r;
    memset(&r, 0, sizeof r);
    r.device = -1;
    r.has_mac = true;
    memcpy(r.mac, "\xaa\xbb\xcc\xdd\xee\x01", 6);
    double v;
    r.sec_ns = t0 - S; /* before the first reading */
    ASSERT_TRUE(!cell(&sch, b, &r, 10, &v));
    r.sec_ns = t0;
    ASSERT_TRUE(cell(&sch, b, &r, 10, &v) && v == 20.5);
    ASSERT_TRUE(cell(&sch, b, &r, 11, &v) && v == 1);
    r.sec_ns = t0 + S; /* 1.999999999 s old at the second's end */
    ASSERT_TRUE(cell(&sch, b, &r, 10, &v) && v == 20.5);
    r.sec_ns = t0 + 2 * S; /* 2.999999999 s: beyond the tolerance */
    ASSERT_TRUE(!cell(&sch, b, &r, 10, &v));
    r.sec_ns = t0 + 3 * S; /* the reading at 3.5 s is this second's; its Flag is missing */
    ASSERT_TRUE(cell(&sch, b, &r, 10, &v) && v == 21);
    ASSERT_TRUE(!cell(&sch, b, &r, 11, &v));
    iof__tlrow other = r; /* another MAC, and a device known by its address only: no sensors */
    other.slot = 1;
    other.mac[5] = 2;
    ASSERT_TRUE(!cell(&sch, b, &other, 10, &v));
    other.slot = 2;
    other.has_mac = false;
    ASSERT_TRUE(!cell(&sch, b, &other, 10, &v));
    ASSERT_TRUE(cell(&sch, b, &r, 10, &v) && v == 21); /* slot 0 still its own device */
    iof__tl_kind.builder_free(b);
    iof__schema_free(&sch);
    iof__sensors_free(s);

    /* a column named like a timeline column (any case) is refused, by name */
    s = sensors_of("timestamp,device_id,Bytes_Out\n", err, sizeof err);
    iof__tl_rowcfg plain = { 0 };
    ASSERT_EQ_INT(iof__tl_kind.schema(&sch, &plain, false), 0);
    ASSERT_EQ_INT(iof__sens_check(&sch, s, err, sizeof err), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "\"Bytes_Out\"") && strstr(err, "\"bytes_out\""));
    iof__schema_free(&sch);
    cfg.sensors = s;
    ASSERT_EQ_INT(iof__tl_kind.schema(&sch, &cfg, false), IOF_E_INVAL);
    iof__sensors_free(s);
}

int main(void)
{
    static const iof_test tests[] = { TEST(test_fill_and_counts), TEST(test_sensor_columns), { 0, 0 } };
    return iof_test_run(tests);
}
