/* flow/timeline: exact answers — one row per device and second, zeros for silent seconds,
 * devices found later start then, inventory devices from the first second, flows started and
 * distinct remotes per direction, a clock jump beyond a day not filled (counted).
 * kinds/timeline with --sensors: the sensor columns after the traffic ones (FLOAT64, nullable,
 * the file's decimals), each the as-of reading at the second's last instant within the
 * tolerance, null for a device without sensors; a sensor column named like a timeline column is
 * refused by name.
 * Names (--features dns / tls): each second's distinct names per device and kind, sorted
 * bytewise, equal texts from two store entries merged, at most 16 listed and the rest counted,
 * empty again the next second; the columns only for the kinds asked for, before the sensors. */
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

/* a name source: by the remote's last octet. Remote 1: b, a (TLS: a); remote 2: another "a"
 * text (a second store entry) and c; remote 3: 20 names n00..n19 (TLS: none). */
static char many[20][4];
static char pool[20 * IOF_TL_ROW_NAMES][8];
static const char a2[] = "a.example";
static void fake_names(void *ctx, const iof__telrow *r, const char *out[][IOF_TL_ROW_NAMES], size_t n[IOF_TL_NAME_KINDS])
{
    (*(int *)ctx)++;
    n[0] = n[1] = 0;
    switch (r->k.rem_ip[3]) {
    case 1:
        out[IOF_TL_NAMES_DNS][n[0]++] = "b.example";
        out[IOF_TL_NAMES_DNS][n[0]++] = "a.example";
        out[IOF_TL_NAMES_TLS][n[1]++] = "a.example";
        break;
    case 2:
        out[IOF_TL_NAMES_DNS][n[0]++] = a2;
        out[IOF_TL_NAMES_DNS][n[0]++] = "c.example";
        break;
    case 3:
        for (int i = 19; i >= 0; i--) {
            snprintf(many[i], sizeof many[i], "n%02d", i);
            out[IOF_TL_NAMES_DNS][n[0]++] = many[i];
        }
        break;
    case 4: /* 64 names of a pool by the remote port: 20 ports grow the second's index past 1024 */
        for (int i = 0; i < IOF_TL_ROW_NAMES; i++)
            out[IOF_TL_NAMES_DNS][n[0]++] = pool[r->k.rem_port * IOF_TL_ROW_NAMES + i];
        break;
    }
}

static void test_names(void)
{
    iof__timeline *t;
    nrows = 0;
    int calls = 0;
    ASSERT_EQ_INT(iof__timeline_create(&t, NULL, collect, NULL), 0);
    iof__timeline_set_names(t, fake_names, &calls);
    int64_t t0 = 1700000000 * S;
    iof__telrow r1 = tr(t0, 1, 1, 1, 1, t0), r2 = tr(t0, 1, 2, 1, 0, t0), r1b = tr(t0, 1, 1, 0, 2, t0);
    iof__telrow r3 = tr(t0, 2, 3, 1, 0, t0), again = tr(t0, 2, 3, 1, 0, t0);
    again.k.rem_port = 9; /* another flow to the same remote: the same names, once */
    ASSERT_EQ_INT(iof__timeline_row(t, &r1), 0);
    ASSERT_EQ_INT(iof__timeline_row(t, &r2), 0);
    ASSERT_EQ_INT(iof__timeline_row(t, &r1b), 0);
    ASSERT_EQ_INT(iof__timeline_row(t, &r3), 0);
    ASSERT_EQ_INT(iof__timeline_row(t, &again), 0);
    ASSERT_EQ_INT(calls, 5);
    ASSERT_EQ_INT(iof__timeline_clock(t, t0 + S + 1), 0);
    ASSERT_EQ_INT(nrows, 2);
    const iof__tlrow *d1 = &rows[0], *d2 = &rows[1];
    ASSERT_EQ_INT(d1->n_names[IOF_TL_NAMES_DNS], 3);
    ASSERT_EQ_STR(d1->names[IOF_TL_NAMES_DNS][0], "a.example");
    ASSERT_EQ_STR(d1->names[IOF_TL_NAMES_DNS][1], "b.example");
    ASSERT_EQ_STR(d1->names[IOF_TL_NAMES_DNS][2], "c.example");
    ASSERT_EQ_INT(d1->n_names[IOF_TL_NAMES_TLS], 1);
    ASSERT_EQ_STR(d1->names[IOF_TL_NAMES_TLS][0], "a.example");
    ASSERT_EQ_INT(d1->names_dropped, 0);
    ASSERT_EQ_INT(d2->n_names[IOF_TL_NAMES_DNS], IOF_TL_MAX_NAMES);
    ASSERT_EQ_STR(d2->names[IOF_TL_NAMES_DNS][0], "n00");
    ASSERT_EQ_STR(d2->names[IOF_TL_NAMES_DNS][15], "n15");
    ASSERT_EQ_INT(d2->n_names[IOF_TL_NAMES_TLS], 0);
    ASSERT_EQ_INT(d2->names_dropped, 4);
    /* the next second, silent: empty lists */
    ASSERT_EQ_INT(iof__timeline_clock(t, t0 + 2 * S + 1), 0);
    ASSERT_EQ_INT(nrows, 4);
    ASSERT_EQ_INT(rows[2].n_names[0] + rows[2].n_names[1] + rows[3].n_names[0], 0);
    ASSERT_EQ_INT(rows[3].names_dropped, 0);
    /* a third: the same names again (the cleared index finds them anew) and 1,280 more for
     * device 1, in reverse order of their texts: the index grows within the second */
    for (int i = 0; i < 20 * IOF_TL_ROW_NAMES; i++)
        snprintf(pool[i], sizeof pool[i], "p%04d", 20 * IOF_TL_ROW_NAMES - 1 - i);
    ASSERT_EQ_INT(iof__timeline_row(t, &(iof__telrow){ .k = r3.k, .sec_ns = t0 + 2 * S, .packets_out = 1 }), 0);
    ASSERT_EQ_INT(iof__timeline_row(t, &(iof__telrow){ .k = r1.k, .sec_ns = t0 + 2 * S, .packets_out = 1 }), 0);
    for (uint16_t port = 0; port < 20; port++) {
        iof__telrow p = tr(t0 + 2 * S, 1, 4, 1, 0, t0);
        p.k.rem_port = port;
        ASSERT_EQ_INT(iof__timeline_row(t, &p), 0);
        ASSERT_EQ_INT(iof__timeline_row(t, &p), 0); /* twice: once each */
    }
    ASSERT_EQ_INT(iof__timeline_flush(t), 0);
    ASSERT_EQ_INT(nrows, 6);
    ASSERT_EQ_INT(rows[4].n_names[IOF_TL_NAMES_DNS], 16); /* device 1: a, b and the pool's first 14 */
    ASSERT_EQ_STR(rows[4].names[IOF_TL_NAMES_DNS][0], "a.example");
    ASSERT_EQ_STR(rows[4].names[IOF_TL_NAMES_DNS][1], "b.example");
    ASSERT_EQ_STR(rows[4].names[IOF_TL_NAMES_DNS][2], "p0000");
    ASSERT_EQ_STR(rows[4].names[IOF_TL_NAMES_DNS][15], "p0013");
    ASSERT_EQ_INT(rows[4].names_dropped, 2 + 20 * IOF_TL_ROW_NAMES - 16);
    ASSERT_EQ_INT(rows[4].n_names[IOF_TL_NAMES_TLS], 1);
    ASSERT_EQ_INT(rows[5].n_names[IOF_TL_NAMES_DNS], 16); /* device 2: n00..n15 again */
    ASSERT_EQ_STR(rows[5].names[IOF_TL_NAMES_DNS][0], "n00");
    ASSERT_EQ_INT(rows[5].names_dropped, 4);
    iof__tl_stats st;
    iof__timeline_get_stats(t, &st);
    ASSERT_EQ_INT(st.names_listed, 4 + 16 + 17 + 16);
    ASSERT_EQ_INT(st.names_dropped, 4 + (2 + 20 * IOF_TL_ROW_NAMES - 16) + 4);
    iof__timeline_destroy(t);

    /* the columns: dns only, then both, the sensors after them; the row's lists through the schema */
    iof__tl_rowcfg cfg = { .names = 1u << IOF_TL_NAMES_DNS };
    iof__schema sch;
    ASSERT_EQ_INT(iof__tl_kind.schema(&sch, &cfg, false), 0);
    ASSERT_EQ_INT(sch.n, 12);
    ASSERT_EQ_STR(sch.cols[10].name, "dns_names");
    ASSERT_TRUE(sch.cols[10].list && sch.cols[10].type == IOF_VT_STRING);
    ASSERT_EQ_STR(sch.cols[11].name, "names_dropped");
    iof__schema_free(&sch);
    char err[256];
    iof__sensors *s = sensors_of("timestamp,device_id,temp\n1700000000,aa:bb:cc:dd:ee:01,20\n", err, sizeof err);
    cfg = (iof__tl_rowcfg){ .names = 1u << IOF_TL_NAMES_DNS | 1u << IOF_TL_NAMES_TLS, .sensors = s };
    ASSERT_EQ_INT(iof__tl_kind.schema(&sch, &cfg, false), 0);
    ASSERT_EQ_INT(sch.n, 14);
    ASSERT_EQ_STR(sch.cols[11].name, "tls_names");
    ASSERT_EQ_STR(sch.cols[12].name, "names_dropped");
    ASSERT_EQ_STR(sch.cols[13].name, "temp");
    void *b = iof__tl_kind.builder_new(&cfg, false);
    ASSERT_TRUE(b != NULL);
    const void *row = iof__tl_kind.build(b, d1);
    ASSERT_EQ_INT(iof__schema_count(&sch, row, 10), 3);
    ASSERT_EQ_INT(iof__schema_count(&sch, row, 11), 1);
    iof__value v;
    iof__schema_get(&sch, row, 10, 2, &v);
    ASSERT_TRUE(!v.null && v.len == 9 && memcmp(v.p, "c.example", 9) == 0);
    row = iof__tl_kind.build(b, d2);
    iof__schema_get(&sch, row, 12, 0, &v);
    ASSERT_TRUE(!v.null && v.i == 4);
    iof__tl_kind.builder_free(b);
    iof__schema_free(&sch);
    iof__sensors_free(s);
}

int main(void)
{
    static const iof_test tests[] = { TEST(test_fill_and_counts), TEST(test_sensor_columns), TEST(test_names),
                                      { 0, 0 } };
    return iof_test_run(tests);
}
