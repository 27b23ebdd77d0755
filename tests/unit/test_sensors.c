/* sensors/: the sensor readings reader (docs/SENSORS.md) — time zones, as-of and interval
 * lookups at their boundaries, out-of-order and duplicate rows, missing and bad values, device
 * resolution through the inventory, hostile lines with file:line:column messages, caps, and a
 * real `iotflow synth` sensors.csv end to end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/timefmt.h"
#include "flow/inventory.h"
#include "sensors/sensors.h"
#include "test.h"

#define S 1000000000LL
#define T0 1719165600LL /* 2024-06-23T18:00:00Z */

static char err[512];
static iof__sensors_stats st;
static int nwarn;
static char lastwarn[512];

static void on_warn(void *ctx, const char *msg)
{
    (void)ctx;
    nwarn++;
    snprintf(lastwarn, sizeof lastwarn, "%s", msg);
}

/* Reads text (len bytes) as "s.csv"; returns the code, the reader in *out. */
static int read_len(const char *text, size_t len, const iof__inventory *inv, iof__sensors **out)
{
    FILE *fp = fmemopen((void *)text, len, "r");
    if (!fp)
        abort();
    iof__sensors_config cfg = { .inv = inv, .warn = on_warn };
    nwarn = 0;
    lastwarn[0] = '\0';
    int rc = iof__sensors_read(fp, "s.csv", &cfg, out, &st, err, sizeof err);
    fclose(fp);
    return rc;
}

static iof__sensors *rd(const char *text)
{
    iof__sensors *s = NULL;
    int rc = read_len(text, strlen(text), NULL, &s);
    if (rc != 0)
        fprintf(stderr, "  read failed: %s\n", err);
    return s;
}

static int rd_err(const char *text)
{
    iof__sensors *s = NULL;
    int rc = read_len(text, strlen(text), NULL, &s);
    if (rc == 0)
        iof__sensors_free(s);
    return rc;
}

/* every row read is kept, skipped under one reason or replaced by a duplicate */
static void conserved(void)
{
    ASSERT_EQ_U64(st.rows, st.rows_kept + st.skipped_csv + st.skipped_fields + st.skipped_time + st.skipped_device +
                               st.duplicates);
}

static double asof(const iof__sensors *s, long d, const char *col, int64_t t, int64_t tol)
{
    double v;
    long c = iof__sensors_col_find(s, col);
    if (d < 0 || c < 0 || !iof__sensors_asof(s, (size_t)d, (size_t)c, t, tol, &v, NULL))
        return -999;
    return v;
}

static void test_time_parsers(void)
{
    int64_t ns = 0;
    ASSERT_EQ_INT(iof__time_parse_iso("2024-06-23T18:00:00Z", 20, &ns), IOF_TIME_OK);
    ASSERT_EQ_INT(ns, T0 * S);
    ASSERT_EQ_INT(iof__time_parse_iso("2024-06-23T23:30:00+05:30", 25, &ns), IOF_TIME_OK);
    ASSERT_EQ_INT(ns, T0 * S);
    ASSERT_EQ_INT(iof__time_parse_iso("2024-06-23T10:00:00.5-08:00", 27, &ns), IOF_TIME_OK);
    ASSERT_EQ_INT(ns, T0 * S + S / 2);
    ASSERT_EQ_INT(iof__time_parse_iso("2024-06-23T18:00:00", 19, &ns), IOF_TIME_NO_ZONE);
    ASSERT_EQ_INT(iof__time_parse_iso("2024-06-23T18:00:00 PST", 23, &ns), IOF_TIME_BAD_ZONE);
    ASSERT_EQ_INT(iof__time_parse_iso("2024-06-23T18:00:00+25:00", 25, &ns), IOF_TIME_BAD_ZONE);
    ASSERT_EQ_INT(iof__time_parse_iso("2024-13-23T18:00:00Z", 20, &ns), IOF_TIME_RANGE);
    ASSERT_EQ_INT(iof__time_parse_iso("2024-06-23X18:00:00Z", 20, &ns), IOF_TIME_SYNTAX);
    ASSERT_EQ_INT(iof__time_parse_iso("1970-01-01T00:30:00+01:00", 25, &ns), IOF_TIME_RANGE);
    ASSERT_EQ_INT(iof__time_parse_epoch("1719165600", 10, &ns), IOF_TIME_OK);
    ASSERT_EQ_INT(ns, T0 * S);
    ASSERT_EQ_INT(iof__time_parse_epoch("1719165600.000000001", 20, &ns), IOF_TIME_OK);
    ASSERT_EQ_INT(ns, T0 * S + 1);
    ASSERT_EQ_INT(iof__time_parse_epoch("1719165600000", 13, &ns), IOF_TIME_RANGE); /* ms */
    ASSERT_EQ_INT(iof__time_parse_epoch("99999999999999999999999", 23, &ns), IOF_TIME_RANGE);
    ASSERT_EQ_INT(iof__time_parse_epoch("-1", 2, &ns), IOF_TIME_SYNTAX);
    ASSERT_EQ_INT(iof__time_parse_epoch("1.", 2, &ns), IOF_TIME_SYNTAX);
    ASSERT_EQ_INT(iof__time_parse_epoch("1.0000000001", 12, &ns), IOF_TIME_SYNTAX); /* > ns */
}

/* One instant written five ways is one time: the later rows are duplicates of the first. */
static void test_zones(void)
{
    iof__sensors *s = rd("timestamp,device_id,temperature\n"
                         "2024-06-23T18:00:00Z,a,1\n"
                         "2024-06-23T23:30:00+05:30,a,2\n"
                         "2024-06-23T10:00:00-08:00,a,3\n"
                         "1719165600,a,4\n"
                         "1719165600.0,a,5\n"
                         "2024-06-23 18:00:01.250z,a,6\n"
                         "2024-06-23T18:00:02+0000,a,7\n");
    ASSERT_TRUE(s);
    ASSERT_EQ_U64(st.rows, 7);
    ASSERT_EQ_U64(st.rows_kept, 3);
    ASSERT_EQ_U64(st.duplicates, 4);
    conserved();
    iof__sensor_series z = iof__sensors_series(s, 0, 0);
    ASSERT_EQ_INT(z.n, 3);
    ASSERT_EQ_INT(z.t[0], T0 * S);
    ASSERT_TRUE(z.v[0] == 5); /* the last row of that instant */
    ASSERT_EQ_INT(z.t[1], T0 * S + S + S / 4);
    ASSERT_EQ_INT(z.t[2], (T0 + 2) * S);
    ASSERT_EQ_INT(st.t_min, T0 * S);
    ASSERT_EQ_INT(st.t_max, (T0 + 2) * S);
    iof__sensors_free(s);
}

static void test_zone_errors(void)
{
    ASSERT_EQ_INT(rd_err("timestamp,device_id,t\n2024-06-23T18:00:00Z,a,1\n2024-06-23T18:00:01,a,1\n"),
                  IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "s.csv:3: column 1 (timestamp): '2024-06-23T18:00:01' has no zone"));
    ASSERT_EQ_INT(rd_err("device_id,timestamp\na,2024-06-23T18:00:00 CEST\n"), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "s.csv:2: column 2 (timestamp)") && strstr(err, "unknown zone"));
    ASSERT_EQ_INT(rd_err("timestamp,device_id\n1719165600000,a\n"), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "s.csv:2: column 1 (timestamp)") && strstr(err, "milliseconds?"));
    /* a garbled time is one skipped row, not the end */
    iof__sensors *s = rd("timestamp,device_id,t\nyesterday,a,1\n2024-02-30T00:00:00Z,a,1\n,a,1\n1,a,2\n");
    ASSERT_TRUE(s);
    ASSERT_EQ_U64(st.skipped_time, 3);
    ASSERT_EQ_U64(st.rows_kept, 1);
    ASSERT_EQ_STR(st.first_problem,
                  "s.csv:2: column 1 (timestamp): expected an ISO 8601 time with a zone (2024-06-23T18:00:00Z) or epoch "
                  "seconds, got 'yesterday'");
    ASSERT_EQ_INT(nwarn, 3);
    conserved();
    iof__sensors_free(s);
}

/* readings at 10 s (1) and 20 s (2); tolerance 2 s */
static void test_asof_boundaries(void)
{
    iof__sensors *s = rd("timestamp,device_id,v\n20,a,2\n10,a,1\n");
    ASSERT_TRUE(s);
    ASSERT_EQ_U64(st.out_of_order, 1);
    long a = iof__sensors_find_id(s, "a");
    ASSERT_EQ_INT(a, 0);
    ASSERT_TRUE(asof(s, a, "v", 20 * S, 2 * S) == 2);          /* exactly at t */
    ASSERT_TRUE(asof(s, a, "v", 20 * S - 1, 2 * S) == -999);   /* 1 ns before: 10 s is too old */
    ASSERT_TRUE(asof(s, a, "v", 20 * S - 1, 10 * S) == 1);     /* within a 10 s tolerance */
    ASSERT_TRUE(asof(s, a, "v", 22 * S, 2 * S) == 2);          /* exactly at the tolerance */
    ASSERT_TRUE(asof(s, a, "v", 22 * S - 1, 2 * S) == 2);      /* just before it */
    ASSERT_TRUE(asof(s, a, "v", 22 * S + 1, 2 * S) == -999);   /* just past it */
    ASSERT_TRUE(asof(s, a, "v", 10 * S - 1, 100 * S) == -999); /* before the first reading */
    ASSERT_TRUE(asof(s, a, "v", 10 * S, 0) == 1);              /* zero tolerance: only exactly at */
    ASSERT_TRUE(asof(s, a, "v", 10 * S, -1) == -999);          /* negative tolerance: nothing */
    int64_t at = 0;
    double v;
    ASSERT_TRUE(iof__sensors_asof(s, 0, 0, 21 * S, 2 * S, &v, &at));
    ASSERT_EQ_INT(at, 20 * S);
    ASSERT_TRUE(!iof__sensors_asof(s, 1, 0, 21 * S, 2 * S, &v, &at)); /* no such device */
    ASSERT_TRUE(!iof__sensors_asof(s, 0, 1, 21 * S, 2 * S, &v, &at)); /* no such column */
    iof__sensors_free(s);
}

/* 300 readings at 1..300 s, value (i * 37) % 101 - 50: intervals against a plain scan */
static void test_intervals(void)
{
    char *text = malloc(300 * 32 + 64);
    ASSERT_TRUE(text);
    size_t n = (size_t)sprintf(text, "timestamp,device_id,v\n");
    for (int i = 300; i >= 1; i--) /* reversed: sorted on reading */
        n += (size_t)sprintf(text + n, "%d,d,%d\n", i, (i * 37) % 101 - 50);
    iof__sensors *s = rd(text);
    free(text);
    ASSERT_TRUE(s);
    ASSERT_EQ_U64(st.out_of_order, 299);
    iof__sensor_agg g;
    for (int a = 0; a <= 302; a += 1)
        for (int b = a - 1; b <= 302; b += 7) {
            iof__sensors_agg(s, 0, 0, a * S, b * S, &g);
            size_t cnt = 0;
            double sum = 0, mn = INFINITY, mx = -INFINITY;
            bool nz = false;
            for (int i = a; i <= b; i++)
                if (i >= 1 && i <= 300) {
                    double v = (i * 37) % 101 - 50;
                    cnt++, sum += v, nz |= v != 0;
                    mn = v < mn ? v : mn;
                    mx = v > mx ? v : mx;
                }
            ASSERT_EQ_INT(g.n, cnt);
            if (cnt) {
                ASSERT_TRUE(g.mean == sum / (double)cnt);
                ASSERT_TRUE(g.min == mn && g.max == mx && g.any_nonzero == nz);
            }
        }
    /* inclusive ends, in ns */
    iof__sensors_agg(s, 0, 0, 5 * S, 5 * S, &g);
    ASSERT_EQ_INT(g.n, 1);
    iof__sensors_agg(s, 0, 0, 5 * S + 1, 6 * S - 1, &g); /* between two readings */
    ASSERT_EQ_INT(g.n, 0);
    ASSERT_TRUE(g.mean == 0 && !g.any_nonzero);
    iof__sensors_agg(s, 0, 0, 6 * S, 5 * S, &g); /* t1 < t0 */
    ASSERT_EQ_INT(g.n, 0);
    iof__sensors_free(s);
}

/* A huge reading early on must not disturb the mean of later ones (block sums, not prefix
 * differences: 640 x 1e15 then 640 x 1.5 gave a mean of 1.9966 with prefix sums). */
static void test_interval_no_cancellation(void)
{
    char *text = malloc(1280 * 40 + 64);
    ASSERT_TRUE(text);
    size_t n = (size_t)sprintf(text, "timestamp,device_id,v\n");
    for (int i = 1; i <= 1280; i++)
        n += (size_t)sprintf(text + n, "%d,d,%s\n", i, i <= 640 ? "1e15" : "1.5");
    iof__sensors *s = rd(text);
    free(text);
    ASSERT_TRUE(s);
    iof__sensor_agg g;
    iof__sensors_agg(s, 0, 0, 641 * S, 1280 * S, &g);
    ASSERT_EQ_INT(g.n, 640);
    ASSERT_TRUE(g.mean == 1.5 && g.min == 1.5 && g.max == 1.5);
    iof__sensors_agg(s, 0, 0, 1 * S, 1280 * S, &g);
    ASSERT_TRUE(fabs(g.mean - (640 * 1e15 + 640 * 1.5) / 1280) <= 1.0);
    ASSERT_TRUE(iof__sensors_col(s, 99) == NULL && iof__sensors_dev(s, 99) == NULL);
    iof__sensors_free(s);
}

/* means that a plain sum / n gets wrong: an overflowing sum, and a constant's rounding */
static void test_mean_extremes(void)
{
    iof__sensors *s = rd("timestamp,device_id,big,tiny\n1,d,1e308,1.5e-12\n2,d,1e308,1.5e-12\n3,d,9e307,1.5e-12\n");
    ASSERT_TRUE(s);
    iof__sensor_agg g;
    iof__sensors_agg(s, 0, 0, 1 * S, 3 * S, &g);
    ASSERT_TRUE(isfinite(g.mean) && g.mean >= g.min && g.mean <= g.max);
    ASSERT_TRUE(fabs(g.mean - (1e308 / 3 * 2 + 3e307)) < 1e293);
    iof__sensors_agg(s, 0, 1, 1 * S, 3 * S, &g);
    ASSERT_TRUE(g.mean == 1.5e-12); /* exactly, not 1.4999999999999989e-12 */
    iof__sensors_free(s);
}

static void test_flags_any(void)
{
    iof__sensors *s = rd("timestamp,device_id,motion,alert_flag,t\n"
                         "1,m,0,0,20.5\n2,m,0,0,20.5\n3,m,1,0,20.5\n4,m,0,0,21\n");
    ASSERT_TRUE(s);
    iof__sensor_agg g;
    iof__sensors_agg(s, 0, 0, 1 * S, 2 * S, &g);
    ASSERT_TRUE(g.n == 2 && !g.any_nonzero);
    iof__sensors_agg(s, 0, 0, 2 * S, 3 * S, &g);
    ASSERT_TRUE(g.n == 2 && g.any_nonzero && g.max == 1 && g.mean == 0.5);
    iof__sensors_agg(s, 0, 1, 0, 10 * S, &g);
    ASSERT_TRUE(g.n == 4 && !g.any_nonzero);
    ASSERT_TRUE(iof__sensors_col(s, 0)->binary && iof__sensors_col(s, 1)->binary);
    ASSERT_TRUE(!iof__sensors_col(s, 2)->binary);
    iof__sensors_free(s);
}

/* the last row of a (device, time) wins whole, its empty cells included */
static void test_duplicates_order(void)
{
    iof__sensors *s = rd("timestamp,device_id,t,p\n"
                         "3,a,30,300\n"
                         "1,a,10,100\n"
                         "1,b,11,\n"
                         "3,a,31,\n"  /* replaces 3,a: p is missing at 3 s now */
                         "2,a,20,200\n"
                         "3,a,32,\n"); /* and again */
    ASSERT_TRUE(s);
    ASSERT_EQ_U64(st.rows, 6);
    ASSERT_EQ_U64(st.duplicates, 2);
    ASSERT_EQ_U64(st.out_of_order, 2); /* 1,a and 2,a came after 3,a */
    ASSERT_EQ_U64(st.rows_kept, 4);
    conserved();
    long a = iof__sensors_find_id(s, "a"), b = iof__sensors_find_id(s, "b");
    ASSERT_TRUE(a >= 0 && b >= 0 && a != b);
    ASSERT_EQ_U64(iof__sensors_dev(s, (size_t)a)->rows, 3);
    iof__sensor_series z = iof__sensors_series(s, (size_t)a, 0);
    ASSERT_EQ_INT(z.n, 3);
    ASSERT_TRUE(z.v[0] == 10 && z.v[1] == 20 && z.v[2] == 32);
    z = iof__sensors_series(s, (size_t)a, 1);
    ASSERT_EQ_INT(z.n, 2); /* 100, 200; the winner of 3 s has no p */
    ASSERT_TRUE(asof(s, a, "p", 3 * S, 2 * S) == 200);
    ASSERT_EQ_INT(iof__sensors_series(s, (size_t)b, 1).n, 0);
    ASSERT_EQ_U64(iof__sensors_col(s, 1)->missing, 2); /* a@3 and b@1 */
    ASSERT_EQ_U64(iof__sensors_col(s, 1)->values, 2);
    iof__sensors_free(s);
}

static void test_missing_and_bad(void)
{
    iof__sensors *s = rd("timestamp,device_id,v\n"
                         "1,a,\n2,a,NA\n3,a,nan\n4,a,NULL\n5,a,n/a\n6,a, none \n"
                         "7,a,abc\n8,a,inf\n9,a,0x10\n10,a,1e\n11,a,1e999\n12,a,\"1,5\"\n"
                         "13,a,-1.5e2\n14,a,+.5\n15,a,\" 7 \"\n");
    ASSERT_TRUE(s);
    const iof__sensor_col *c = iof__sensors_col(s, 0);
    ASSERT_EQ_U64(c->values, 3);
    ASSERT_EQ_U64(c->missing, 12);
    ASSERT_EQ_U64(c->bad_values, 6);
    ASSERT_EQ_U64(st.bad_values, 6);
    ASSERT_EQ_U64(st.rows_kept, 15);
    ASSERT_EQ_STR(st.first_problem, "s.csv:8: column 3 (v): expected a number, got 'abc' (read as missing)");
    ASSERT_EQ_INT(nwarn, 6);
    iof__sensor_series z = iof__sensors_series(s, 0, 0);
    ASSERT_TRUE(z.n == 3 && z.v[0] == -150 && z.v[1] == 0.5 && z.v[2] == 7);
    /* as-of skips missing cells: the last number is what holds */
    ASSERT_TRUE(asof(s, 0, "v", 13 * S + S / 2, S) == -150);
    ASSERT_TRUE(asof(s, 0, "v", 12 * S, 100 * S) == -999);
    iof__sensors_free(s);
}

static void test_hostile_rows(void)
{
    static const char text[] = "timestamp,device_id,v\n"
                               "1,a\n"              /* 2: too few fields */
                               "2,a,1,2\n"          /* 3: too many */
                               "3,\"a,1\n"          /* 4: unbalanced quote */
                               "4,a,1\x00zz\n"      /* 5: NUL byte */
                               "5,,1\n"             /* 6: empty device */
                               "6,a\x01x,1\n"       /* 7: control character */
                               "\n  \r\n# note\n"   /* 8-10: blank, blank, comment */
                               "7,a,7\r\n"          /* 11: kept (CRLF) */
                               ",,,,,,,,,,,,\n";    /* 12: too many */
    iof__sensors *s = NULL;
    ASSERT_EQ_INT(read_len(text, sizeof text - 1, NULL, &s), IOF_OK);
    ASSERT_EQ_U64(st.lines, 12);
    ASSERT_EQ_U64(st.blank_lines, 2);
    ASSERT_EQ_U64(st.comment_lines, 1);
    ASSERT_EQ_U64(st.rows, 8);
    ASSERT_EQ_U64(st.skipped_fields, 3);
    ASSERT_EQ_U64(st.skipped_csv, 2);
    ASSERT_EQ_U64(st.skipped_device, 2);
    ASSERT_EQ_U64(st.rows_kept, 1);
    conserved();
    ASSERT_EQ_STR(st.first_problem, "s.csv:2: column 3: 2 fields, the header has 3");
    ASSERT_EQ_INT(nwarn, 7);
    ASSERT_EQ_STR(lastwarn, "s.csv:12: column 4: 13 fields, the header has 3");
    iof__sensors_free(s);
    /* where the NUL is */
    static const char nul[] = "timestamp,device_id,v\n1,a,\x00\n";
    ASSERT_EQ_INT(read_len(nul, sizeof nul - 1, NULL, &s), IOF_OK);
    ASSERT_EQ_STR(st.first_problem, "s.csv:2: column 3: NUL byte (not a text line)");
    iof__sensors_free(s);
}

static void test_fatal_and_caps(void)
{
    ASSERT_EQ_INT(rd_err(""), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "s.csv: empty file"));
    ASSERT_EQ_INT(rd_err("time,device_id,v\n1,a,1\n"), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "s.csv:1: the header names no 'timestamp' column"));
    ASSERT_EQ_INT(rd_err("timestamp,v\n"), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "no 'device_id' column"));
    ASSERT_EQ_INT(rd_err("timestamp,device_id,v,V\n"), IOF_E_INVAL);
    ASSERT_EQ_STR(err, "s.csv:1: column 4: 'V' named twice");
    /* a column name becomes an output column's: not UTF-8 (cp1252's degree sign) is refused */
    ASSERT_EQ_INT(rd_err("timestamp,device_id,temp (\xb0""C)\n"), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "s.csv:1: column 3: the name is not UTF-8 (byte 7 is 0xb0"));
    iof__sensors *ok = rd("timestamp,device_id,temp (\xc2\xb0""C)\n");   /* the same in UTF-8 */
    ASSERT_TRUE(ok != NULL);
    iof__sensors_free(ok);
    ASSERT_EQ_INT(rd_err("timestamp,Timestamp,device_id\n"), IOF_E_INVAL);
    ASSERT_EQ_STR(err, "s.csv:1: column 2: 'Timestamp' named twice (columns 1 and 2)");
    ASSERT_EQ_INT(rd_err("timestamp,device_id,,v\n"), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "s.csv:1: column 3: a column name must be"));
    ASSERT_EQ_INT(rd_err("timestamp,device_id,\"v\n"), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "s.csv:1: header: malformed CSV"));
    /* no value columns: devices and rows, no series */
    iof__sensors *s0 = rd("timestamp,device_id\n1,a\n2,b\n");
    ASSERT_TRUE(s0 && st.rows_kept == 2 && iof__sensors_ndevices(s0) == 2 && iof__sensors_ncols(s0) == 0);
    ASSERT_EQ_INT(iof__sensors_series(s0, 0, 0).n, 0);
    iof__sensors_free(s0);
    /* a BOM is not part of the first name */
    iof__sensors *s = rd("\xEF\xBB\xBFtimestamp,device_id,v\n1,a,1\n");
    ASSERT_TRUE(s && st.rows_kept == 1);
    iof__sensors_free(s);
    /* 64 value columns are fine, 65 are not */
    char hdr[1024];
    size_t n = (size_t)sprintf(hdr, "timestamp,device_id");
    for (int i = 0; i < IOF_MAX_SENSOR_COLS; i++)
        n += (size_t)sprintf(hdr + n, ",c%d", i);
    strcpy(hdr + n, "\n");
    s = rd(hdr);
    ASSERT_TRUE(s && iof__sensors_ncols(s) == IOF_MAX_SENSOR_COLS);
    iof__sensors_free(s);
    strcpy(hdr + n, ",c64\n");
    ASSERT_EQ_INT(rd_err(hdr), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "more than 66 columns"));
    /* a huge line: the cap, with its line number; memory stays bounded */
    size_t big = IOF_MAX_SENSOR_LINE * 3;
    char *t = malloc(big + 64);
    ASSERT_TRUE(t);
    n = (size_t)sprintf(t, "timestamp,device_id,v\n1,a,1\n2,a,");
    memset(t + n, '9', big - n);
    t[big] = '\n';
    ASSERT_EQ_INT(read_len(t, big + 1, NULL, &s), IOF_E_LIMIT);
    ASSERT_EQ_STR(err, "s.csv:3: line longer than 8192 bytes (IOF_MAX_SENSOR_LINE)");
    /* exactly the cap is fine, with or without the last line break */
    n = (size_t)sprintf(t, "timestamp,device_id,v\n");
    size_t row = n;
    n += (size_t)sprintf(t + n, "1,a,");
    memset(t + n, '0', IOF_MAX_SENSOR_LINE - (n - row));
    n = row + IOF_MAX_SENSOR_LINE;
    ASSERT_EQ_INT(read_len(t, n, NULL, &s), IOF_OK);
    ASSERT_EQ_U64(st.rows_kept, 1);
    iof__sensors_free(s);
    t[n] = '\n';
    ASSERT_EQ_INT(read_len(t, n + 1, NULL, &s), IOF_OK);
    ASSERT_EQ_U64(st.rows_kept, 1);
    iof__sensors_free(s);
    free(t);
    /* distinct devices: the cap, with the line */
    size_t cap = 64 + (size_t)(IOF_MAX_SENSOR_DEVICES + 1) * 16;
    t = malloc(cap);
    ASSERT_TRUE(t);
    n = (size_t)sprintf(t, "timestamp,device_id\n");
    for (int i = 0; i <= IOF_MAX_SENSOR_DEVICES; i++)
        n += (size_t)sprintf(t + n, "1,dev%d\n", i);
    ASSERT_EQ_INT(read_len(t, n, NULL, &s), IOF_E_LIMIT);
    ASSERT_EQ_STR(err, "s.csv:65538: column 2 (device_id): more than 65536 distinct device ids "
                       "(IOF_MAX_SENSOR_DEVICES)");
    free(t);
    /* a header with a NUL byte is not a sensor file */
    static const char nulhdr[] = "timestamp,device\x00_id\n";
    ASSERT_EQ_INT(read_len(nulhdr, sizeof nulhdr - 1, NULL, &s), IOF_E_INVAL);
    ASSERT_EQ_STR(err, "s.csv:1: header: NUL byte (not a text file)");
    ASSERT_EQ_INT(iof__sensors_load("/nonexistent/s.csv", NULL, &s, NULL, err, sizeof err), IOF_E_IO);
    ASSERT_TRUE(strstr(err, "/nonexistent/s.csv: cannot open sensor readings"));
}

static iof__inventory *inventory(const char *text)
{
    char path[] = "/tmp/iof-test-sensors-inv-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    iof__inventory *inv = NULL;
    if (!ok || iof__inventory_load(&inv, path, err, sizeof err) != 0)
        inv = NULL;
    unlink(path);
    return inv;
}

static void test_inventory_ids(void)
{
    iof__inventory *inv = inventory("mac,name,type\n"
                                    "02:00:00:00:00:01,cam-1,camera\n"
                                    "02:00:00:00:00:02,plug-1,plug\n"
                                    "02:00:00:00:00:03,twin,plug\n"
                                    "02:00:00:00:00:04,twin,plug\n"
                                    "02:00:00:00:00:05,,plug\n"
                                    "02:00:00:00:00:06,nosensor,plug\n");
    ASSERT_TRUE(inv);
    iof__sensors *s = NULL;
    const char *text = "timestamp,device_id,v\n"
                       "1,cam-1,1\n"
                       "2,02:00:00:00:00:01,2\n"   /* the same device by MAC */
                       "3,02-00-00-00-00-01,3\n"
                       "4,020000000001,4\n"
                       "5,CAM-1,5\n"               /* names are exact: another device */
                       "6,02:00:00:00:00:05,6\n"   /* in the inventory without a name */
                       "7,0A:00:00:00:00:09,7\n"   /* a MAC not in the inventory */
                       "8,0a-00-00-00-00-09,8\n"
                       "9,02:00:00:00:00:03,9\n";  /* twin by MAC is fine */
    ASSERT_EQ_INT(read_len(text, strlen(text), inv, &s), IOF_OK);
    ASSERT_EQ_U64(st.devices, 5);
    ASSERT_EQ_U64(st.unresolved_devices, 2);
    ASSERT_EQ_U64(st.unresolved_rows, 3);
    long cam = iof__sensors_find_inv(s, 0);
    ASSERT_TRUE(cam >= 0);
    ASSERT_EQ_STR(iof__sensors_dev(s, (size_t)cam)->id, "cam-1");
    ASSERT_EQ_INT(iof__sensors_dev(s, (size_t)cam)->inv, 0);
    ASSERT_EQ_U64(iof__sensors_dev(s, (size_t)cam)->rows, 4);
    ASSERT_EQ_INT(iof__sensors_find_id(s, "02:00:00:00:00:01"), cam);
    ASSERT_EQ_INT(iof__sensors_find_id(s, "020000000001"), cam);
    uint8_t m1[6] = { 2, 0, 0, 0, 0, 1 }, m9[6] = { 0x0a, 0, 0, 0, 0, 9 }, m6[6] = { 2, 0, 0, 0, 0, 6 };
    ASSERT_EQ_INT(iof__sensors_find_mac(s, m1), cam);
    long u = iof__sensors_find_mac(s, m9);
    ASSERT_TRUE(u >= 0 && u != cam);
    ASSERT_EQ_STR(iof__sensors_dev(s, (size_t)u)->id, "0a:00:00:00:00:09");
    ASSERT_EQ_INT(iof__sensors_dev(s, (size_t)u)->inv, -1);
    ASSERT_EQ_U64(iof__sensors_dev(s, (size_t)u)->rows, 2);
    long upper = iof__sensors_find_id(s, "CAM-1");
    ASSERT_TRUE(upper >= 0 && upper != cam && iof__sensors_dev(s, (size_t)upper)->inv == -1);
    long noname = iof__sensors_find_inv(s, 4);
    ASSERT_TRUE(noname >= 0);
    ASSERT_EQ_STR(iof__sensors_dev(s, (size_t)noname)->id, "02:00:00:00:00:05");
    /* devices without sensors */
    ASSERT_EQ_INT(iof__sensors_find_inv(s, 5), -1);
    ASSERT_EQ_INT(iof__sensors_find_mac(s, m6), -1);
    ASSERT_EQ_INT(iof__sensors_find_id(s, "nosensor"), -1);
    ASSERT_EQ_INT(iof__sensors_find_id(s, "plug-1"), -1);
    ASSERT_EQ_INT(iof__sensors_find_id(s, "twin"), -1);
    ASSERT_EQ_INT(iof__sensors_find_inv(s, 99), -1);
    long twin = iof__sensors_find_inv(s, 2); /* a shared name is no id: the MAC is */
    ASSERT_TRUE(twin >= 0);
    ASSERT_EQ_STR(iof__sensors_dev(s, (size_t)twin)->id, "02:00:00:00:00:03");
    ASSERT_EQ_INT(iof__sensors_find_id(s, "02:00:00:00:00:03"), twin);
    ASSERT_TRUE(asof(s, cam, "v", 4 * S, 0) == 4);
    ASSERT_TRUE(asof(s, iof__sensors_find_inv(s, 5), "v", 60 * S, 2 * S) == -999);
    iof__sensors_free(s);
    /* a name two inventory devices share is fatal */
    text = "timestamp,device_id,v\n1,twin,1\n";
    ASSERT_EQ_INT(read_len(text, strlen(text), inv, &s), IOF_E_INVAL);
    ASSERT_EQ_STR(err, "s.csv:2: column 2 (device_id): 'twin' is the name of more than one inventory device; "
                       "write its MAC");
    iof__inventory_free(inv);
}

static void test_level(void)
{
    iof__sensors *s = rd("timestamp,device_id,v\n10,a,1\n11.5,a,2\n15,a,3\n");
    ASSERT_TRUE(s);
    double out[8];
    iof__sensors_level(s, 0, 0, 9 * S, 8, 2 * S, out); /* seconds 9..16 */
    ASSERT_TRUE(isnan(out[0]));          /* 9 */
    ASSERT_TRUE(out[1] == 1);            /* 10 */
    ASSERT_TRUE(out[2] == 2);            /* 11: 11.5 is in it */
    ASSERT_TRUE(out[3] == 2);            /* 12: held */
    ASSERT_TRUE(isnan(out[4]));          /* 13: at 13.999999999 the 11.5 s reading is 2.499999999 s old */
    ASSERT_TRUE(isnan(out[5]));          /* 14 */
    ASSERT_TRUE(out[6] == 3 && out[7] == 3);
    iof__sensors_level(s, 5, 0, 9 * S, 2, 2 * S, out); /* no such device */
    ASSERT_TRUE(isnan(out[0]) && isnan(out[1]));
    iof__sensors_free(s);
}

/* iotflow synth's sensors.csv through its devices.csv: every row kept, names resolved */
static void test_synth_file(void)
{
    char dir[] = "/tmp/iof-test-sensors-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir));
    iof_synth_config c;
    iof_synth_config_init(&c);
    c.output_dir = dir;
    c.seed = 7;
    c.duration_s = 120;
    ASSERT_EQ_INT(iof_synth_run(&c, err, sizeof err), IOF_OK);
    char path[256], inv_path[256];
    snprintf(path, sizeof path, "%s/sensors.csv", dir);
    snprintf(inv_path, sizeof inv_path, "%s/devices.csv", dir);
    iof__inventory *inv = NULL;
    ASSERT_EQ_INT(iof__inventory_load(&inv, inv_path, err, sizeof err), 0);
    iof__sensors_config cfg = { .inv = inv };
    iof__sensors *s = NULL;
    ASSERT_EQ_INT(iof__sensors_load(path, &cfg, &s, &st, err, sizeof err), IOF_OK);
    ASSERT_EQ_U64(st.rows, st.rows_kept);
    ASSERT_EQ_U64(st.first_problem[0], 0);
    ASSERT_EQ_U64(st.unresolved_rows, 0);
    ASSERT_EQ_U64(st.out_of_order + st.duplicates, 0);
    ASSERT_EQ_INT(iof__sensors_ncols(s), 5);
    ASSERT_EQ_U64(st.rows_kept, st.devices * 120);
    ASSERT_EQ_INT(st.t_max - st.t_min, 119 * S);
    long motion = iof__sensors_col_find(s, "motion"), temp = iof__sensors_col_find(s, "temperature");
    ASSERT_TRUE(motion >= 0 && temp >= 0 && iof__sensors_col(s, (size_t)motion)->binary);
    long m1 = iof__sensors_find_id(s, "motion-1");
    ASSERT_TRUE(m1 >= 0);
    ASSERT_EQ_INT(iof__sensors_series(s, (size_t)m1, (size_t)motion).n, 120);
    ASSERT_TRUE(iof__sensors_dev(s, (size_t)m1)->inv >= 0);
    ASSERT_EQ_INT(iof__sensors_find_mac(s, iof__sensors_dev(s, (size_t)m1)->mac), m1);
    long p1 = iof__sensors_find_id(s, "plug-1");
    ASSERT_TRUE(p1 >= 0);
    ASSERT_EQ_INT(iof__sensors_series(s, (size_t)p1, (size_t)temp).n, 0); /* a plug has no thermometer */
    iof__sensors_free(s);
    iof__inventory_free(inv);
    const char *names[] = { "capture.pcap", "devices.csv", "sensors.csv", "events.csv", "truth.csv",
                            "labels.rules" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static const iof_test tests[] = {
    TEST(test_time_parsers),  TEST(test_zones),        TEST(test_zone_errors),     TEST(test_asof_boundaries),
    TEST(test_intervals), TEST(test_interval_no_cancellation), TEST(test_mean_extremes),     TEST(test_flags_any),    TEST(test_duplicates_order), TEST(test_missing_and_bad),
    TEST(test_hostile_rows),  TEST(test_fatal_and_caps), TEST(test_inventory_ids), TEST(test_level),
    TEST(test_synth_file),    { 0 }
};

int main(void) { return iof_test_run(tests); }
