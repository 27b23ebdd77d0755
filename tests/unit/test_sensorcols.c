/* kinds/sensorcols, the fusion group (extract --sensors with the custom-flow and telemetry
 * tables, iotflow fuse): per value column C_at_start, C_mean, C_min, C_max (FLOAT64, nullable;
 * the mean with three more decimals), per flag column NAME_any (BOOL; a trailing _flag dropped),
 * after every other column and the same in both layouts; none without a sensor file. Values: the
 * as-of reading at the first packet within the tolerance (both ends inclusive), the readings of
 * the lifetime (a telemetry row: its second), null without readings or sensors. Name
 * collisions (two flags giving one _any column) and names too long for _at_start are refused. */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "kinds/customflow.h"
#include "kinds/sensorcols.h"
#include "kinds/telemetry.h"
#include "test.h"
#include "sensor_text.h"

#define S 1000000000LL
static const uint8_t MAC1[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01 };

/* readings of MAC1 at t0, t0+1, t0+2, t0+4 */
static const char *const FILE1 = "timestamp,device_id,temp,alert_flag,motion\n"
                                 "1700000000,aa:bb:cc:dd:ee:01,20,0,0\n"
                                 "1700000001,aa:bb:cc:dd:ee:01,22.5,1,0\n"
                                 "1700000002,aa:bb:cc:dd:ee:01,24,0,1\n"
                                 "1700000004,aa:bb:cc:dd:ee:01,30,0,0\n";
static const int64_t T0 = 1700000000 * S;

static iof__value cell(const iof__schema *sch, const void *row, const char *name)
{
    long c = iof__schema_find(sch, name);
    ASSERT_TRUE(c >= 0);
    iof__value v;
    memset(&v, 0, sizeof v);
    iof__schema_get(sch, row, (size_t)c, 0, &v);
    return v;
}

static void test_columns(void)
{
    char err[256];
    iof__sensors *s = sensors_of(FILE1, err, sizeof err);
    iof__tel_rowcfg plain = { 0 }, cfg = { .sensors = s, .sensor_tol_ns = 2 * S };
    iof__schema a, b;
    ASSERT_EQ_INT(iof__tel_schema(&a, &plain), 0);
    ASSERT_EQ_INT(iof__tel_schema(&b, &cfg), 0);
    static const char *const want[] = { "temp_at_start", "temp_mean", "temp_min", "temp_max",
                                        "alert_flag_at_start", "alert_flag_mean", "alert_flag_min",
                                        "alert_flag_max", "alert_any", "motion_at_start", "motion_mean",
                                        "motion_min", "motion_max", "motion_any" };
    size_t nw = sizeof(want) / sizeof(want[0]);
    ASSERT_EQ_INT(b.n, a.n + nw);
    for (size_t i = 0; i < nw; i++) {
        const iof__column *c = &b.cols[a.n + i];
        ASSERT_EQ_STR(c->name, want[i]);
        ASSERT_TRUE(c->nullable);
        bool any = strstr(want[i], "_any") != NULL;
        ASSERT_EQ_INT(c->type, any ? IOF_VT_BOOL : IOF_VT_FLOAT64);
    }
    ASSERT_EQ_INT(b.cols[a.n].decimals, 1);     /* temp as written: 22.5 */
    ASSERT_EQ_INT(b.cols[a.n + 1].decimals, 4); /* its mean: three more */
    iof__schema_free(&a);
    iof__schema_free(&b);

    /* custom-flow: the same names last in both layouts, nothing without a file */
    for (int wide = 0; wide < 2; wide++) {
        iof__cf_rowcfg p = { .wide = wide, .packets = 2, .payload_total = 4 }, q = p;
        q.sensors = s;
        ASSERT_EQ_INT(iof__cf_schema(&a, &p), 0);
        ASSERT_EQ_INT(iof__cf_schema(&b, &q), 0);
        ASSERT_EQ_INT(b.n, a.n + nw);
        for (size_t i = 0; i < a.n; i++)
            ASSERT_EQ_STR(b.cols[i].name, a.cols[i].name);
        for (size_t i = 0; i < nw; i++)
            ASSERT_EQ_STR(b.cols[a.n + i].name, want[i]);
        iof__schema_free(&a);
        iof__schema_free(&b);
    }
    iof__sensors_free(s);
}

static void test_telemetry_values(void)
{
    char err[256];
    iof__sensors *s = sensors_of(FILE1, err, sizeof err);
    iof__tel_rowcfg cfg = { .sensors = s, .sensor_tol_ns = 3 * S / 2 };
    iof__schema sch;
    ASSERT_EQ_INT(iof__tel_schema(&sch, &cfg), 0);
    void *b = iof__tel_kind.builder_new(&cfg, false);
    ASSERT_TRUE(b != NULL);
    iof__telrow r;
    memset(&r, 0, sizeof r);
    r.k.device = -1;
    r.k.ipver = 4;
    r.has_mac = true;
    memcpy(r.mac, MAC1, 6);
    r.sec_ns = T0 + S;
    r.flow_first_ns = T0 + S / 2;
    const void *row = iof__tel_kind.build(b, &r);
    iof__value v = cell(&sch, row, "temp_at_start");
    ASSERT_TRUE(!v.null && v.f == 20); /* as of the flow's first packet */
    v = cell(&sch, row, "temp_mean");   /* the second's reading */
    ASSERT_TRUE(!v.null && v.f == 22.5);
    v = cell(&sch, row, "alert_any");
    ASSERT_TRUE(!v.null && v.i == 1);
    v = cell(&sch, row, "motion_any");
    ASSERT_TRUE(!v.null && v.i == 0);
    /* second t0+3: no reading in it (all interval columns null); first packet exactly 1.5 s
     * after the reading at t0+2 (kept), then 1 ns more (beyond the tolerance) */
    r.sec_ns = T0 + 3 * S;
    r.flow_first_ns = T0 + 7 * S / 2;
    row = iof__tel_kind.build(b, &r);
    v = cell(&sch, row, "temp_at_start");
    ASSERT_TRUE(!v.null && v.f == 24);
    ASSERT_TRUE(cell(&sch, row, "temp_mean").null && cell(&sch, row, "temp_max").null);
    ASSERT_TRUE(cell(&sch, row, "motion_any").null);
    r.flow_first_ns++;
    row = iof__tel_kind.build(b, &r);
    ASSERT_TRUE(cell(&sch, row, "temp_at_start").null);
    /* a device without sensors */
    r.mac[5] = 2;
    r.sec_ns = T0 + S;
    r.flow_first_ns = T0 + S;
    row = iof__tel_kind.build(b, &r);
    for (size_t c = 12; c < sch.n; c++) {
        iof__value w;
        iof__schema_get(&sch, row, c, 0, &w);
        ASSERT_TRUE(w.null);
    }
    iof__tel_kind.builder_free(b);
    iof__schema_free(&sch);
    iof__sensors_free(s);
}

static void test_customflow_values(void)
{
    char err[256];
    iof__sensors *s = sensors_of(FILE1, err, sizeof err);
    iof__cf_rowcfg cfg = { .wide = false, .sensors = s, .sensor_tol_ns = 2 * S };
    iof__schema sch;
    ASSERT_EQ_INT(iof__cf_schema(&sch, &cfg), 0);
    iof__cfrec rec;
    memset(&rec, 0, sizeof rec);
    rec.device = -1;
    rec.ipver = 4;
    rec.mac_state = 1;
    memcpy(rec.mac, MAC1, 6);
    rec.first_ns = T0 + S / 2; /* lifetime t0+0.5 .. t0+2: the readings at t0+1 and t0+2 */
    rec.last_ns = T0 + 2 * S;
    iof__cf_row row;
    iof__cf_row_init(&row, &cfg, &rec, NULL, NULL);
    iof__value v = cell(&sch, &row, "temp_at_start");
    ASSERT_TRUE(!v.null && v.f == 20);
    v = cell(&sch, &row, "temp_mean");
    ASSERT_TRUE(!v.null && v.f == 23.25);
    v = cell(&sch, &row, "temp_min");
    ASSERT_TRUE(!v.null && v.f == 22.5);
    v = cell(&sch, &row, "temp_max"); /* the reading at the last packet is in */
    ASSERT_TRUE(!v.null && v.f == 24);
    ASSERT_TRUE(cell(&sch, &row, "alert_any").i == 1 && cell(&sch, &row, "motion_any").i == 1);
    rec.last_ns = T0 + 2 * S - 1; /* 1 ns earlier: t0+2 is out */
    iof__cf_row_init(&row, &cfg, &rec, NULL, NULL);
    ASSERT_TRUE(cell(&sch, &row, "temp_max").f == 22.5 && cell(&sch, &row, "motion_any").i == 0);
    rec.first_ns = rec.last_ns = T0 + 3 * S; /* one instant between two readings */
    iof__cf_row_init(&row, &cfg, &rec, NULL, NULL);
    ASSERT_TRUE(cell(&sch, &row, "temp_at_start").f == 24 && cell(&sch, &row, "temp_mean").null &&
                cell(&sch, &row, "alert_any").null);
    iof__schema_free(&sch);
    iof__sensors_free(s);
}

static void test_refused(void)
{
    char err[256];
    iof__tel_rowcfg plain = { 0 };
    iof__schema sch;
    ASSERT_EQ_INT(iof__tel_schema(&sch, &plain), 0);
    /* two flags giving one column */
    iof__sensors *s = sensors_of("timestamp,device_id,motion,Motion_flag\n1700000000,x,0,1\n", err, sizeof err);
    ASSERT_EQ_INT(iof__sens_fuse_check(&sch, s, err, sizeof err), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "\"motion\" and \"Motion_flag\"") && strstr(err, "\"Motion_any\""));
    ASSERT_EQ_INT(iof__sens_check(&sch, s, err, sizeof err), IOF_OK); /* the level has no _any */
    iof__sensors_free(s);
    /* 38 bytes fit C_at_start (47), 39 do not */
    char text[256];
    snprintf(text, sizeof text, "timestamp,device_id,%.*s\n1700000000,x,1.5\n", 38, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    s = sensors_of(text, err, sizeof err);
    ASSERT_EQ_INT(iof__sens_fuse_check(&sch, s, err, sizeof err), IOF_OK);
    iof__sensors_free(s);
    snprintf(text, sizeof text, "timestamp,device_id,%.*s\n1700000000,x,1.5\n", 39, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    s = sensors_of(text, err, sizeof err);
    ASSERT_EQ_INT(iof__sens_fuse_check(&sch, s, err, sizeof err), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "too long") != NULL);
    ASSERT_EQ_INT(iof__sens_check(&sch, s, err, sizeof err), IOF_OK); /* a timeline column fits */
    iof__sensors_free(s);
    /* a context column named like a column of the table (any case) */
    iof__schema_free(&sch);
    iof__cf_rowcfg lp = { .wide = true };
    ASSERT_EQ_INT(iof__cf_schema(&sch, &lp), 0);
    ASSERT_EQ_INT(iof__schema_add(&sch, "Temp_MEAN", IOF_VT_INT32, false, false, 0, 0, "x"), 0);
    s = sensors_of("timestamp,device_id,temp\n1700000000,x,1\n", err, sizeof err);
    ASSERT_EQ_INT(iof__sens_fuse_check(&sch, s, err, sizeof err), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "\"Temp_MEAN\"") != NULL);
    iof__sensors_free(s);
    iof__schema_free(&sch);
}

int main(void)
{
    static const iof_test tests[] = { TEST(test_columns), TEST(test_telemetry_values), TEST(test_customflow_values),
                                      TEST(test_refused), { 0, 0 } };
    return iof_test_run(tests);
}
