/* analysis/correlate: the per-second traffic counts (rows in any order, seconds no row covered
 * are missing, a covered second without the device's row is 0, sums), the span cap, many device
 * names, and the pairing on hand-made series: a planted power-step -> flows coupling ranked first
 * at lag 1, an unrelated device not significant, series with too few events not paired. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/correlate.h"
#include "common/err.h"
#include "common/mix.h"
#include "test.h"

#define NS 1000000000LL

static iof__corr *make(void)
{
    iof__xcorr_config xc;
    iof__xcorr_config_init(&xc);
    iof__corr *c = NULL;
    if (iof__corr_create(&c, &xc) != IOF_OK)
        abort();
    return c;
}

static int add(iof__corr *c, int64_t sec, const char *dev, uint64_t pk_out, uint64_t flows_out)
{
    char err[256] = "";
    const uint64_t counts[IOF_CORR_METRICS] = { pk_out, 0, pk_out * 100, 0, flows_out, 0 };
    return iof__corr_add(c, sec * NS + 123, dev, strlen(dev), counts, err, sizeof(err));
}

/* the traffic series of device index d, metric m */
static void values(iof__corr *c, size_t d, int m, double *out)
{
    iof__corr_traffic_values(c, d * IOF_CORR_METRICS + (size_t)m, out);
}

static void test_counts_any_order(void)
{
    iof__corr *c = make();
    ASSERT_EQ_INT(add(c, 100, "a", 5, 1), IOF_OK);
    ASSERT_EQ_INT(add(c, 98, "b", 3, 0), IOF_OK);   /* before the first second: the span moves */
    ASSERT_EQ_INT(add(c, 103, "a", 7, 0), IOF_OK);  /* 101, 102: no row at all */
    ASSERT_EQ_INT(add(c, 103, "a", 1, 2), IOF_OK);  /* the same second again: summed */
    iof__corr_summary s;
    char err[64] = "";
    ASSERT_EQ_INT(iof__corr_run(c, NULL, 0, 1, err, sizeof(err)), IOF_OK); /* no sensors: no pairs */
    iof__corr_get_summary(c, &s);
    ASSERT_EQ_INT(s.nsec, 6);
    ASSERT_EQ_INT(s.covered, 3);
    ASSERT_EQ_INT(s.t0_ns, 98 * NS);
    ASSERT_EQ_INT(s.traffic_devices, 2);
    double v[6];
    values(c, 0, 0, v); /* a packets_out */
    ASSERT_TRUE(v[0] == 0 && isnan(v[1]) && v[2] == 5 && isnan(v[3]) && isnan(v[4]) && v[5] == 8);
    values(c, 0, 2, v); /* a bytes_out */
    ASSERT_TRUE(v[2] == 500 && v[5] == 800);
    values(c, 0, 4, v); /* a flows_out */
    ASSERT_TRUE(v[0] == 0 && v[2] == 1 && v[5] == 2);
    values(c, 1, 0, v); /* b packets_out */
    ASSERT_TRUE(v[0] == 3 && isnan(v[1]) && v[2] == 0 && v[5] == 0);
    /* nothing has 10 events: no pairs */
    ASSERT_EQ_INT(iof__corr_npairs(c), 0);
    ASSERT_EQ_INT(s.traffic_paired, 0);
    iof__corr_free(c);
}

static void test_span_cap(void)
{
    iof__corr *c = make();
    char err[256] = "";
    const uint64_t z[IOF_CORR_METRICS] = { 1 };
    ASSERT_EQ_INT(iof__corr_add(c, 10 * NS, "a", 1, z, err, sizeof(err)), IOF_OK);
    ASSERT_EQ_INT(iof__corr_add(c, (10 + (int64_t)IOF_XCORR_MAX_N) * NS, "a", 1, z, err, sizeof(err)), IOF_E_LIMIT);
    ASSERT_TRUE(strstr(err, "31 days") != NULL);
    err[0] = '\0';
    ASSERT_EQ_INT(iof__corr_add(c, 9 * NS, "a", 1, z, err, sizeof(err)), IOF_OK); /* 2 s span */
    ASSERT_EQ_INT(iof__corr_add(c, (9 + (int64_t)IOF_XCORR_MAX_N) * NS, "a", 1, z, err, sizeof(err)), IOF_E_LIMIT);
    iof__corr_summary s;
    ASSERT_EQ_INT(iof__corr_run(c, NULL, 0, 1, err, sizeof(err)), IOF_OK);
    iof__corr_get_summary(c, &s);
    ASSERT_EQ_INT(s.nsec, 2);
    ASSERT_EQ_INT(s.t0_ns, 9 * NS);
    iof__corr_free(c);
}

static void test_many_devices(void)
{
    iof__corr *c = make();
    char name[32];
    for (int round = 0; round < 2; round++)
        for (int d = 0; d < 300; d++) {
            snprintf(name, sizeof(name), "dev-%d", d);
            ASSERT_EQ_INT(add(c, 10 + round, name, (uint64_t)d, 0), IOF_OK);
        }
    iof__corr_summary s;
    iof__corr_get_summary(c, &s);
    ASSERT_EQ_INT(s.traffic_devices, 300);
    double v[2];
    values(c, 257, 0, v);
    ASSERT_TRUE(v[0] == 257 && v[1] == 257);
    iof__corr_free(c);
}

static void test_bad_rows_refused(void)
{
    iof__corr *c = make();
    char err[256] = "";
    const uint64_t z[IOF_CORR_METRICS] = { 1 };
    char longname[200];
    memset(longname, 'a', sizeof(longname));
    ASSERT_EQ_INT(iof__corr_add(c, 5 * NS, longname, IOF_CORR_NAME, z, err, sizeof(err)), IOF_E_FORMAT);
    ASSERT_EQ_INT(iof__corr_add(c, 5 * NS, longname, IOF_CORR_NAME - 1, z, err, sizeof(err)), IOF_OK);
    ASSERT_EQ_INT(iof__corr_add(c, 5 * NS, "a\0b", 3, z, err, sizeof(err)), IOF_E_FORMAT);
    ASSERT_EQ_INT(iof__corr_add(c, 5 * NS, "", 0, z, err, sizeof(err)), IOF_E_FORMAT);
    /* times that would wrap the span arithmetic */
    ASSERT_EQ_INT(iof__corr_add(c, -1, "a", 1, z, err, sizeof(err)), IOF_E_FORMAT);
    ASSERT_EQ_INT(iof__corr_add(c, INT64_MAX, "a", 1, z, err, sizeof(err)), IOF_E_FORMAT);
    ASSERT_TRUE(strstr(err, "2261") != NULL);
    ASSERT_EQ_INT(iof__corr_add(c, IOF_CORR_MAX_TIME_NS, "a", 1, z, err, sizeof(err)), IOF_E_LIMIT); /* 292 years */
    iof__corr_summary s;
    iof__corr_get_summary(c, &s);
    ASSERT_EQ_INT(s.traffic_devices, 1);
    ASSERT_EQ_INT(s.nsec, 1);
    iof__corr_free(c);
}

/* sensor readings from CSV text */
static iof__sensors *load(char *csv, size_t len)
{
    FILE *fp = fmemopen(csv, len, "r");
    iof__sensors *s = NULL;
    char err[512] = "";
    iof__sensors_config sc = { 0 };
    if (!fp || iof__sensors_read(fp, "mem.csv", &sc, &s, NULL, err, sizeof(err)) != IOF_OK) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    fclose(fp);
    return s;
}

static uint64_t rng = 7;
static double unif(void) { return (double)(iof__mix64(++rng * 0x9E3779B97F4A7C15ULL) >> 11) * 0x1p-53; }

/* One hour: plug s1's power steps (about every 3 minutes); d1 starts a flow one second after
 * each step; d2 starts flows at random. */
static void test_planted(void)
{
    enum { N = 3600 };
    char *csv = malloc(N * 64 + 64);
    size_t off = (size_t)sprintf(csv, "timestamp,device_id,power\n");
    static unsigned char d1[N], d2[N];
    double power = 0.3;
    memset(d1, 0, sizeof(d1));
    for (int t = 0; t < N; t++) {
        if (t > 5 && t < N - 5 && unif() < 1.0 / 180) {
            power = power > 1 ? 0.3 : 100 + 1000 * unif();
            d1[t + 1] = 1;
        }
        d2[t] = unif() < 0.02;
        off += (size_t)sprintf(csv + off, "%d,s1,%.1f\n", 1700000000 + t, power);
    }
    iof__sensors *s = load(csv, off);
    char err[512] = "";
    iof__corr *c = make();
    for (int t = 0; t < N; t++) {
        ASSERT_EQ_INT(add(c, 1700000000 + t, "d1", d1[t] * 3, d1[t]), IOF_OK);
        ASSERT_EQ_INT(add(c, 1700000000 + t, "d2", d2[t] * 2, d2[t]), IOF_OK);
    }
    ASSERT_EQ_INT(iof__corr_run(c, s, 2 * NS, 0, err, sizeof(err)), IOF_OK);
    iof__corr_summary sum;
    iof__corr_get_summary(c, &sum);
    ASSERT_EQ_INT(sum.sensor_series, 2);       /* power: level and change */
    /* the change only: the level is a sparse series (at 0.3 W most of the time) whose events,
     * the seconds at a high power, are 9 plateaus: 9 bursts, fewer than 10 */
    ASSERT_EQ_INT(sum.sensor_paired, 1);
    ASSERT_EQ_INT(sum.traffic_series, 12);
    ASSERT_EQ_INT(sum.traffic_paired, 6);      /* packets, bytes, flows out of d1 and d2 */
    ASSERT_EQ_INT(sum.pairs, 6);
    const iof__corr_pair *p = iof__corr_pair_at(c, 0);
    const iof__corr_series *y = iof__corr_sensor(c, p->sensor), *x = iof__corr_traffic(c, p->traffic);
    ASSERT_EQ_STR(y->device, "s1");
    ASSERT_EQ_STR(y->name, "power");
    ASSERT_EQ_STR(y->kind, "change");
    ASSERT_EQ_STR(x->device, "d1");
    ASSERT_EQ_INT(p->res.best_lag, 1);
    ASSERT_TRUE(p->res.significant && p->res.z > 10);
    /* the r curve of the pair, recomputed, peaks where the result says */
    double rc[121];
    ASSERT_EQ_INT(iof__corr_r_curve(c, 0, rc), IOF_OK);
    ASSERT_TRUE(fabs(rc[60 + 1] - p->res.best_r) < 1e-12);
    for (int k = 0; k < 121; k++)
        ASSERT_TRUE(fabs(rc[k]) <= fabs(p->res.best_r) + 1e-12);
    size_t sig = 0;
    for (size_t i = 0; i < iof__corr_npairs(c); i++) {
        const iof__corr_pair *q = iof__corr_pair_at(c, i);
        if (strcmp(iof__corr_traffic(c, q->traffic)->device, "d2") == 0)
            ASSERT_TRUE(!q->res.significant);
        sig += q->res.significant;
        if (i) { /* ranked: significant first, then by z */
            const iof__corr_pair *prev = iof__corr_pair_at(c, i - 1);
            ASSERT_TRUE(q->res.significant <= prev->res.significant);
            if (q->res.significant == prev->res.significant)
                ASSERT_TRUE(q->res.z <= prev->res.z);
        }
    }
    ASSERT_EQ_INT(sig, sum.significant);
    ASSERT_TRUE(sig >= 3);
    /* the values the plot draws: the change series at a step */
    double *yv = malloc(N * sizeof(double));
    iof__corr_sensor_values(c, s, 2 * NS, p->sensor, yv);
    ASSERT_TRUE(isnan(yv[0]));
    size_t steps = 0;
    for (int t = 1; t < N; t++)
        steps += yv[t] > 1;
    size_t onsets = 0;
    for (int t = 0; t < N; t++)
        onsets += d1[t];
    ASSERT_EQ_INT(steps, onsets);
    free(yv);
    iof__corr_free(c);
    iof__sensors_free(s);
    free(csv);
}

/* The caller/helper split: an odd number of paired sensor series among unpaired ones gives the
 * same ranked pairs with and without the helper thread. */
static void test_threads_same(void)
{
    enum { N = 4500 }; /* rows: 1500 s of three devices */
    char *csv = malloc(N * 128 + 128);
    size_t off = (size_t)sprintf(csv, "timestamp,device_id,a,b,c,e\n");
    rng = 11;
    /* per device: a (steps every 97 s) and c (noise): c's level and change and a's change (15
     * steps) paired, a's level not (a square wave: its events, the upper plateaus, are 8
     * bursts); b flat: never paired; e on s0 only, one 12-second bump: 12 events but one burst,
     * its change 2 events: 9 paired */
    for (int t = 0; t < N; t++) {
        int d = t % 3;
        off += (size_t)sprintf(csv + off, "%d,s%d,%d,1,%.2f,", 1700000000 + t / 3, d, (t / 291) % 2, unif());
        off += (size_t)sprintf(csv + off, d == 0 ? "%d\n" : "\n", t / 3 >= 200 && t / 3 < 212);
    }
    iof__sensors *s = load(csv, off);
    char err[512] = "";
    iof__corr *c[2];
    for (int k = 0; k < 2; k++) {
        c[k] = make();
        rng = 5;
        for (int t = 0; t < N / 3; t++)
            for (int d = 0; d < 3; d++) {
                char name[8];
                snprintf(name, sizeof(name), "d%d", d);
                ASSERT_EQ_INT(add(c[k], 1700000000 + t, name, unif() < 0.1 ? 2 : 0, unif() < 0.05), IOF_OK);
            }
        ASSERT_EQ_INT(iof__corr_run(c[k], s, 2 * NS, k ? 1 : 0, err, sizeof(err)), IOF_OK);
    }
    iof__corr_summary a, b;
    iof__corr_get_summary(c[0], &a);
    iof__corr_get_summary(c[1], &b);
    ASSERT_EQ_INT(a.sensor_paired, 9);
    ASSERT_EQ_INT(a.sensor_series, 20);
    ASSERT_EQ_INT(a.pairs, b.pairs);
    for (size_t i = 0; i < a.pairs; i++) {
        const iof__corr_pair *p = iof__corr_pair_at(c[0], i), *q = iof__corr_pair_at(c[1], i);
        ASSERT_TRUE(p->sensor == q->sensor && p->traffic == q->traffic);
        ASSERT_EQ_MEM(&p->res, &q->res, sizeof(p->res));
    }
    iof__corr_free(c[0]);
    iof__corr_free(c[1]);
    iof__sensors_free(s);
    free(csv);
}

static const iof_test tests[] = {
    TEST(test_counts_any_order), TEST(test_span_cap), TEST(test_many_devices), TEST(test_bad_rows_refused),
    TEST(test_planted), TEST(test_threads_same), { 0 },
};

int main(void) { return iof_test_run(tests); }
