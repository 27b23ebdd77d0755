/* analysis/corrplot: the SVG of `correlate --plot` on an hour of hand-made series (sparse sensor
 * events, traffic reacting one second later, a gap of missing traffic) scored by the real
 * xcorr: a well-formed document that ends with </svg>, never prints nan/inf, escapes names,
 * draws min(n, 12) rows, says so when there is nothing to plot, and reports a failed write.
 * With IOF_CORRPLOT_OUT set, the plot of the planted pairs is also written there (to look at
 * or render). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/corrplot.h"
#include "common/err.h"
#include "common/mix.h"
#include "test.h"

#define NSEC 3600
#define LAG 60

static uint64_t rng;
static double unif(void) { return (double)(iof__mix64(++rng * 0x9E3779B97F4A7C15ULL) >> 11) * 0x1p-53; }

/* the series and results shared by the tests: built once */
static double y_ev[NSEC], x_ev[NSEC], y_flat[NSEC], y_few[NSEC], r_ev[2 * LAG + 1], r_flat[2 * LAG + 1],
    r_few[2 * LAG + 1];
static iof__xcorr_result res_ev, res_flat, res_few;

static iof__xcorr_result score(const double *x, const double *y, double *r)
{
    iof__xcorr_config c;
    iof__xcorr_config_init(&c);
    c.max_lag = LAG;
    iof__xcorr_series xs, ys;
    iof__xcorr_result res;
    if (iof__xcorr_prepare(&xs, x, NSEC) || iof__xcorr_prepare(&ys, y, NSEC) || iof__xcorr_run(&xs, &ys, &c, r, &res))
        abort();
    iof__xcorr_series_free(&xs);
    iof__xcorr_series_free(&ys);
    return res;
}

static void build(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    rng = 7;
    /* motion-like change series: ~1 event a minute; traffic = a few background packets a
     * second, 40 more the second after an event, and ten minutes of capture lost (NaN) */
    for (size_t t = 0; t < NSEC; t++)
        y_ev[t] = unif() < 1.0 / 60;
    for (size_t t = 0; t < NSEC; t++) {
        x_ev[t] = floor(unif() * 6) + (t > 0 && y_ev[t - 1] ? 40 : 0);
        y_flat[t] = 21.5;
        y_few[t] = t == 1000 || t == 2500 ? 3 : 0;
        if (t >= 1800 && t < 2400)
            x_ev[t] = NAN;
    }
    y_ev[100] = NAN; /* a missing sensor second */
    res_ev = score(x_ev, y_ev, r_ev);
    res_flat = score(x_ev, y_flat, r_flat);
    res_few = score(x_ev, y_few, r_few);
}

static iof__corrplot_pair pair(const char *sdev, const double *y, const double *r, iof__xcorr_result res)
{
    return (iof__corrplot_pair){ .sensor_device = sdev, .sensor = "motion", .sensor_series = "change",
                                 .traffic_device = "nas-1", .traffic = "packets_out", .res = res, .r = r,
                                 .y = y, .x = x_ev };
}

static iof__corrplot plot(const iof__corrplot_pair *pairs, size_t n)
{
    return (iof__corrplot){ .pairs = pairs, .n = n, .max_lag = LAG, .threshold = 6,
                            .t0_ns = 1764979200000000000, /* 2025-12-06T00:00:00Z */
                            .nsec = NSEC, .title = "synth --seed 11 --duration 1h & <friends>" };
}

/* the document as a string (caller frees) */
/* noinline: gcc 12 -O2 sees buf's address handed to open_memstream and warns that the returned
 * pointer may dangle (-Wdangling-pointer false positive) */
__attribute__((noinline)) static char *render(const iof__corrplot *p, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    *rc = iof__corrplot_svg(f, p);
    fclose(f);
    return buf;
}

static size_t count(const char *s, const char *what)
{
    size_t k = 0;
    for (const char *q = s; (q = strstr(q, what)); q += strlen(what))
        k++;
    return k;
}

static void check_document(const char *s)
{
    size_t n = strlen(s);
    ASSERT_TRUE(strncmp(s, "<?xml", 5) == 0 || strncmp(s, "<svg", 4) == 0);
    ASSERT_TRUE(strstr(s, "<svg") && strstr(s, "viewBox=\""));
    ASSERT_TRUE(n > 7 && strcmp(s + n - 7, "</svg>\n") == 0);
    ASSERT_EQ_INT(count(s, "nan") + count(s, "NAN") + count(s, "inf") + count(s, "INF"), 0);
    /* the title's & and < arrive escaped */
    ASSERT_TRUE(strstr(s, "&amp; &lt;friends&gt;") != NULL);
    ASSERT_EQ_INT(count(s, "<friends>"), 0);
}

static void test_planted(void)
{
    build();
    /* the planted coupling is found where it was put, so the plot shows a real result */
    ASSERT_TRUE(res_ev.significant);
    ASSERT_EQ_INT(res_ev.best_lag, 1);
    ASSERT_TRUE(!res_flat.defined);
    ASSERT_TRUE(res_few.few_events && res_few.null_n == 0);
    iof__corrplot_pair pairs[] = {
        pair("motion-1", y_ev, r_ev, res_ev),
        pair("thermostat-1", y_flat, r_flat, res_flat),
        pair("door-1", y_few, r_few, res_few),
    };
    iof__corrplot p = plot(pairs, 3);
    int rc;
    char *s = render(&p, &rc);
    ASSERT_EQ_INT(rc, IOF_OK);
    check_document(s);
    ASSERT_EQ_INT(count(s, "<g class=\"pair\">"), 3);
    ASSERT_TRUE(strstr(s, "best lag +1 s") && strstr(s, ">significant<"));
    ASSERT_TRUE(strstr(s, "no null (few events)") && strstr(s, "r undefined"));
    ASSERT_TRUE(strstr(s, "no events in the sensor series")); /* the flat thermostat */
    ASSERT_TRUE(strstr(s, "2025-12-06T00:")); /* event times in ISO 8601 UTC */
    /* a missing traffic gap starts a new path segment: more M than paths somewhere */
    ASSERT_TRUE(count(s, "<path") < count(s, "\"M") + count(s, " M"));
    const char *out = getenv("IOF_CORRPLOT_OUT");
    if (out) {
        FILE *f = fopen(out, "w");
        ASSERT_TRUE(f && fputs(s, f) >= 0 && fclose(f) == 0);
    }
    free(s);
}

static void test_rows_and_escaping(void)
{
    build();
    iof__corrplot_pair pairs[IOF_CORRPLOT_MAX_PAIRS + 2];
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
        pairs[i] = pair("cam<&>\"'1", y_ev, r_ev, res_ev);
    pairs[1].sensor_device = "bad\xff\x01utf8-\xe2\x82"; /* invalid UTF-8 and a control byte */
    size_t ns[] = { 1, 5, IOF_CORRPLOT_MAX_PAIRS, IOF_CORRPLOT_MAX_PAIRS + 2 };
    for (size_t k = 0; k < sizeof ns / sizeof *ns; k++) {
        iof__corrplot p = plot(pairs, ns[k]);
        int rc;
        char *s = render(&p, &rc);
        ASSERT_EQ_INT(rc, IOF_OK);
        check_document(s);
        size_t want = ns[k] < IOF_CORRPLOT_MAX_PAIRS ? ns[k] : IOF_CORRPLOT_MAX_PAIRS;
        ASSERT_EQ_INT(count(s, "<g class=\"pair\">"), want);
        ASSERT_EQ_INT(count(s, "cam&lt;&amp;&gt;&quot;&apos;1"), want - (want > 1));
        ASSERT_EQ_INT(count(s, "cam<"), 0);
        ASSERT_TRUE(!strchr(s, '\xff') && !strchr(s, '\x01'));
        free(s);
    }
}

static void test_nothing_to_plot(void)
{
    iof__corrplot p = plot(NULL, 0);
    int rc;
    char *s = render(&p, &rc);
    ASSERT_EQ_INT(rc, IOF_OK);
    check_document(s);
    ASSERT_TRUE(strstr(s, "no pairs to plot") != NULL);
    ASSERT_EQ_INT(count(s, "<g class=\"pair\">"), 0);
    free(s);
}

/* odd inputs: L = 0, a NULL title, a series shorter than the window, all traffic missing */
static void test_edges(void)
{
    double y[5] = { 0, 1, 0, NAN, 0 }, x[5] = { NAN, NAN, NAN, NAN, NAN }, r[1] = { 0.25 };
    iof__xcorr_result res = { .defined = true, .best_lag = 0, .best_r = 0.25, .lags_defined = 1,
                              .null_n = 19, .null_mean = 0.1, .null_sd = 0.02, .z = 7.5, .p = 0.05 };
    iof__corrplot_pair q = { "a", "b", "level", "c", "d", res, r, y, x };
    iof__corrplot p = { &q, 1, 0, 6, 0, 5, NULL };
    int rc;
    char *s = render(&p, &rc);
    ASSERT_EQ_INT(rc, IOF_OK);
    ASSERT_EQ_INT(count(s, "<g class=\"pair\">"), 1);
    ASSERT_EQ_INT(count(s, "nan") + count(s, "inf"), 0);
    ASSERT_TRUE(strstr(s, "1970-01-01T00:00:01Z") != NULL); /* the event at second 1 */
    free(s);
}

/* the events: the largest |y - mode|, strongest first, windows apart, ties by the earlier */
static void test_event_choice(void)
{
    static double y[600], x[600], r[21];
    for (size_t t = 0; t < 600; t++)
        y[t] = 7, x[t] = (double)(t % 3); /* mode 7: a level, not 0 */
    y[100] = 9, y[105] = 2, y[300] = 9, y[500] = 5, y[550] = NAN;
    iof__xcorr_result res = { .defined = false };
    iof__corrplot_pair q = { "a", "b", "level", "c", "d", res, r, y, x };
    iof__corrplot p = { &q, 1, 10, 6, 0, 600, "events" };
    int rc;
    char *s = render(&p, &rc);
    ASSERT_EQ_INT(rc, IOF_OK);
    /* 105 (|2 - 7| = 5) first; 100 is within its window (W = 10, windows apart: > 20 s); of
     * the ties at 2, 300 before 500 */
    const char *e1 = strstr(s, "1970-01-01T00:01:45Z"), *e2 = strstr(s, "1970-01-01T00:05:00Z"),
               *e3 = strstr(s, "1970-01-01T00:08:20Z");
    ASSERT_TRUE(e1 && e2 && e3 && e1 < e2 && e2 < e3);
    ASSERT_TRUE(!strstr(s, "1970-01-01T00:01:40Z"));
    free(s);
}

static void test_write_error(void)
{
    build();
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        return; /* no /dev/full here: nothing to test */
    setvbuf(f, NULL, _IONBF, 0);
    iof__corrplot_pair q = pair("motion-1", y_ev, r_ev, res_ev);
    iof__corrplot p = plot(&q, 1);
    ASSERT_EQ_INT(iof__corrplot_svg(f, &p), IOF_E_IO);
    fclose(f);
    /* buffered too: the error shows at the flush */
    f = fopen("/dev/full", "w");
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ_INT(iof__corrplot_svg(f, &p), IOF_E_IO);
    fclose(f);
}

static const iof_test tests[] = {
    TEST(test_planted), TEST(test_rows_and_escaping), TEST(test_nothing_to_plot), TEST(test_edges),
    TEST(test_event_choice), TEST(test_write_error), { 0 },
};

int main(void) { return iof_test_run(tests); }
