/* The correlate plot: see corrplot.h. One pass of fprintf; coordinates are computed from
 * finite values with guarded denominators and still pass through px() before printing. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/corrplot.h"
#include "common/err.h"
#include "common/timefmt.h"

/* Geometry (px). 1200 wide fits a laptop screen at 100 %; a row of 220 holds a heading, a
 * 140-px panel and two lines of axis text below it. */
#define WIDTH 1200
#define HEAD_H 78                 /* title, explanation, legend */
#define ROW_H 220
#define PANEL_TOP 42              /* from the row's top */
#define PANEL_H 140
#define PAD 6                     /* keeps extreme values off the panel's border */
#define LP_X0 62                  /* left panel: r against lag; room for "-0.50" on its left */
#define LP_X1 392
#define EV_X0 470                 /* event panels; 392..470 holds the reference lines' labels */
#define EV_X1 1185
#define EV_GAP 34                 /* room for "+60" and "-60" of two neighbours */
#define EV_W ((EV_X1 - EV_X0 - (IOF_CORRPLOT_EVENTS - 1) * EV_GAP) / IOF_CORRPLOT_EVENTS)
/* Names longer than this are cut (with "..."): 4 names of 20 bytes and the statistics still
 * fit one 1200-px heading at 13 px. */
#define NAME_MAX_BYTES 20
#define TITLE_MAX_BYTES 150

#define C_SENSOR "#1f77b4"   /* blue */
#define C_TRAFFIC "#ff7f0e"  /* orange: apart from blue for the colour-blind too */
#define C_LEVEL "#d62728"    /* the significance level */
#define C_NULL "#888888"

typedef struct wr {
    FILE *f;
    bool err;
} wr;

static void pr(wr *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pr(wr *w, const char *fmt, ...)
{
    if (w->err)
        return; /* a full disk: the rest would fail too */
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(w->f, fmt, ap) < 0)
        w->err = true;
    va_end(ap);
}

/* Every number printed goes through one of these: NaN/inf would make the document unreadable,
 * and a coordinate of 1e6 px is already far outside any viewBox we write. */
static double num(double v) { return isfinite(v) ? v : 0; }
static double px(double v) { return fmax(-1e6, fmin(1e6, num(v))); }

/* Length of a valid UTF-8 sequence at p (1..4), 0 if invalid: an invalid byte in a device name
 * would make the whole document ill-formed XML, which a viewer refuses to show at all. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t k = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0) || (c == 0xF0 && p[1] < 0x90) ||
        (c == 0xF4 && p[1] >= 0x90))
        return 0; /* overlong, surrogate, beyond U+10FFFF */
    return k;
}

/* Text content or attribute value: & < > " ' escaped, control bytes and invalid UTF-8 as '?',
 * cut after max bytes. */
static void esc(wr *w, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    for (size_t used = 0; *p;) {
        size_t k = utf8_len(p);
        if (used + (k ? k : 1) > max) {
            pr(w, "...");
            return;
        }
        used += k ? k : 1;
        int c = k ? *p : '?';
        const char *e = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;"
                      : c == '\'' ? "&apos;" : NULL;
        if (k > 1)
            pr(w, "%.*s", (int)k, (const char *)p);
        else if (e)
            pr(w, "%s", e);
        else
            pr(w, "%c", c < 0x20 ? '?' : c);
        p += k ? k : 1;
    }
}

static void line(wr *w, double x0, double y0, double x1, double y1, const char *style)
{
    pr(w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" %s/>\n", px(x0), px(y0), px(x1), px(y1), style);
}

/* Opens a <text>; the caller writes the content and "</text>\n". */
static void text_at(wr *w, double x, double y, const char *attrs)
{
    pr(w, "<text x=\"%.1f\" y=\"%.1f\" %s>", px(x), px(y), attrs);
}

static void panel_box(wr *w, double x0, double y0, double x1)
{
    pr(w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n", px(x0),
       px(y0), px(x1 - x0), PANEL_H);
}

/* Ticks and labels of a symmetric axis -half..+half (lags or seconds from an event) under a
 * panel: both ends, 0, and multiples of a round step giving at most 8 intervals; a multiple
 * closer than half a step to an end is left out so that labels do not collide. */
static void xticks(wr *w, double x0, double x1, double ybot, int half)
{
    static const int steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600 };
    int step = 3600;
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (2 * half <= 8 * steps[i]) {
            step = steps[i];
            break;
        }
    for (int v = -half; v <= half; v++) {
        bool end = v == -half || v == half;
        if (!end && (v % step != 0 || half - abs(v) < (step + 1) / 2))
            continue;
        double x = half ? x0 + (double)(v + half) / (2.0 * half) * (x1 - x0) : (x0 + x1) / 2;
        line(w, x, ybot, x, ybot + 4, "stroke=\"#666\"");
        text_at(w, x, ybot + 14, "font-size=\"10\" text-anchor=\"middle\"");
        pr(w, v ? "%+d</text>\n" : "%d</text>\n", v);
    }
}

/* y of value v on a panel whose range lo..hi maps to [top + PAD, top + PANEL_H - PAD] */
static double ypos(double top, double v, double lo, double hi)
{
    double span = hi - lo;
    double f = span > 0 ? (v - lo) / span : 0.5;
    return top + PAD + (1 - f) * (PANEL_H - 2 * PAD);
}

/* Writes a path of v[a..b] at x = x0 + (t - a) * dx; NaN starts a new segment. */
static void series_path(wr *w, const double *v, size_t a, size_t b, double x0, double dx, double top,
                        double lo, double hi, const char *colour)
{
    pr(w, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.3\" d=\"", colour);
    bool pen = false;
    for (size_t t = a; t <= b; t++) {
        if (!isfinite(v[t])) {
            pen = false;
            continue;
        }
        pr(w, "%c%.1f %.1f ", pen ? 'L' : 'M', px(x0 + (double)(t - a) * dx), px(ypos(top, v[t], lo, hi)));
        pen = true;
    }
    pr(w, "\"/>\n");
}

/* Heading: rank, names, best lag, r, z, p, significance. */
static void heading(wr *w, const iof__corrplot_pair *q, size_t rank, double y)
{
    text_at(w, 10, y, "font-size=\"13\"");
    pr(w, "<tspan font-weight=\"bold\">%zu. ", rank);
    const char *name[] = { q->sensor_device, q->sensor, q->sensor_series, q->traffic_device, q->traffic };
    const char *after[] = { " ", " (", ") -&gt; ", " ", "</tspan>" };
    for (size_t i = 0; i < 5; i++) {
        esc(w, name[i], NAME_MAX_BYTES);
        pr(w, "%s", after[i]);
    }
    const iof__xcorr_result *r = &q->res;
    if (!r->defined) {
        pr(w, "<tspan dx=\"14\">r undefined at every lag &#183; no null</tspan></text>\n");
        return;
    }
    /* SVG collapses runs of spaces: a dx after the names, a middle dot between the numbers */
    pr(w, "<tspan dx=\"14\">best lag %s%d s &#183; r %.3f", r->best_lag > 0 ? "+" : "", r->best_lag, num(r->best_r));
    if (r->null_n > 0)
        pr(w, " &#183; z %.2f &#183; p %.4f (%d shifts), p_adj %.2g", num(r->z), num(r->p), r->null_n, num(r->p_adj));
    else
        pr(w, " &#183; no null%s", r->few_events ? " (few events)" : "");
    pr(w, r->significant ? "</tspan> &#183; <tspan font-weight=\"bold\" fill=\"#2ca02c\">significant</tspan></text>\n"
                         : "</tspan> &#183; <tspan fill=\"#777\">not significant</tspan></text>\n");
}

/* Left panel: r(lag), zero line, the null's mean and the significance level at +-, best lag. */
static void lag_panel(wr *w, const iof__corrplot *p, const iof__corrplot_pair *q, double top)
{
    const iof__xcorr_result *res = &q->res;
    int L = p->max_lag;
    bool has_null = res->defined && res->null_n > 0 && isfinite(res->null_mean) && isfinite(res->null_sd);
    double mean = has_null ? res->null_mean : 0, level = has_null ? mean + p->threshold * res->null_sd : 0;
    /* symmetric r axis to the next 0.1 above everything drawn: the sign of r matters to a
     * reader, and the level is a bound on |r| */
    double m = has_null ? fmax(fabs(mean), fabs(level)) : 0;
    for (int i = 0; q->r && i <= 2 * L; i++)
        m = isfinite(q->r[i]) ? fmax(m, fabs(q->r[i])) : m;
    double ymax = fmin(1, fmax(0.1, ceil(m * 10 - 1e-9) / 10));
    if (!isfinite(ymax))
        ymax = 1;
    text_at(w, LP_X0, top - 6, "font-size=\"10\" fill=\"#444\"");
    pr(w, "r against lag (s)</text>\n");
    panel_box(w, LP_X0, top, LP_X1);
    for (int k = -2; k <= 2; k++) {
        double v = ymax * k / 2, y = ypos(top, v, -ymax, ymax);
        line(w, LP_X0 - 4, y, LP_X0, y, "stroke=\"#666\"");
        text_at(w, LP_X0 - 6, y + 3.5, "font-size=\"10\" text-anchor=\"end\"");
        pr(w, "%.2f</text>\n", num(v));
    }
    line(w, LP_X0, ypos(top, 0, -ymax, ymax), LP_X1, ypos(top, 0, -ymax, ymax), "stroke=\"#bbb\"");
    double xz = (LP_X0 + LP_X1) / 2.0;
    line(w, xz, top, xz, top + PANEL_H, "stroke=\"#ddd\"");
    xticks(w, LP_X0, LP_X1, top + PANEL_H, L);
    text_at(w, (LP_X0 + LP_X1) / 2.0, top + PANEL_H + 28, "font-size=\"10\" text-anchor=\"middle\" fill=\"#444\"");
    pr(w, "lag (s); &gt; 0: traffic follows</text>\n");
    if (has_null) {
        for (int s = -1; s <= 1; s += 2) {
            if (fabs(level) <= ymax)
                line(w, LP_X0, ypos(top, s * level, -ymax, ymax), LP_X1, ypos(top, s * level, -ymax, ymax),
                     "stroke=\"" C_LEVEL "\" stroke-dasharray=\"6 3\"");
            if (fabs(mean) <= ymax)
                line(w, LP_X0, ypos(top, s * mean, -ymax, ymax), LP_X1, ypos(top, s * mean, -ymax, ymax),
                     "stroke=\"" C_NULL "\" stroke-dasharray=\"2 3\"");
        }
        /* labels right of the panel, the level's above its line and the mean's below its own:
         * the mean is below the level whenever sd > 0, so the two never overlap; a level beyond
         * the axis (a wide null) is named at the bottom rather than dropped */
        bool on = fabs(level) <= ymax;
        text_at(w, LP_X1 + 4, on ? ypos(top, level, -ymax, ymax) - 2 : top + PANEL_H - 14,
                "font-size=\"10\" fill=\"" C_LEVEL "\"");
        pr(w, "z %.1f level", num(p->threshold));
        if (!on)
            pr(w, "<tspan x=\"%d\" dy=\"11\">off scale</tspan>", LP_X1 + 4);
        pr(w, "</text>\n");
        if (fabs(mean) <= ymax) {
            text_at(w, LP_X1 + 4, ypos(top, mean, -ymax, ymax) + 9, "font-size=\"10\" fill=\"" C_NULL "\"");
            pr(w, "null mean</text>\n");
        }
    }
    if (!res->defined || !q->r) {
        text_at(w, xz, top + PANEL_H / 2.0 - 8, "font-size=\"11\" text-anchor=\"middle\" fill=\"#777\"");
        pr(w, "r undefined</text>\n");
        return;
    }
    double dx = L ? (double)(LP_X1 - LP_X0) / (2.0 * L) : 0;
    series_path(w, q->r, 0, (size_t)(2 * L), L ? LP_X0 : xz, dx, top, -ymax, ymax, "#222");
    int b = res->best_lag < -L ? -L : res->best_lag > L ? L : res->best_lag;
    pr(w, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"none\" stroke=\"" C_LEVEL "\" stroke-width=\"2\"/>\n",
       px(L ? LP_X0 + (b + L) * dx : xz), px(ypos(top, num(q->r[L + b]), -ymax, ymax)));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The most common present value of y (the smallest of equally common ones); false if none. */
static bool mode_of(const double *y, size_t n, double *buf, double *mode)
{
    size_t m = 0, best = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(y[i]))
            buf[m++] = y[i];
    if (!m)
        return false;
    qsort(buf, m, sizeof *buf, cmp_double);
    for (size_t i = 0, j; i < m; i = j) {
        for (j = i; j < m && buf[j] == buf[i]; j++)
            ;
        if (j - i > best) {
            best = j - i;
            *mode = buf[i];
        }
    }
    return true;
}

/* Up to IOF_CORRPLOT_EVENTS seconds where |y - mode| is largest, strongest first, ties by the
 * earlier second, windows [t - W, t + W] not overlapping (a panel never repeats another's
 * event). IOF_CORRPLOT_EVENTS passes over y: no sort, no allocation. */
static size_t pick_events(const double *y, size_t n, double mode, long W, size_t *ev)
{
    size_t k = 0;
    while (k < IOF_CORRPLOT_EVENTS) {
        size_t best = n;
        double bd = 0;
        for (size_t t = 0; t < n; t++) {
            double d = fabs(y[t] - mode);
            if (!isfinite(d) || d <= bd)
                continue;
            bool near = false;
            for (size_t i = 0; i < k && !near; i++)
                near = (t > ev[i] ? t - ev[i] : ev[i] - t) <= (size_t)(2 * W);
            if (!near) {
                best = t;
                bd = d;
            }
        }
        if (best == n)
            break;
        ev[k++] = best;
    }
    return k;
}

/* min..max of the finite v[a..b]; false if none */
static bool range_of(const double *v, size_t a, size_t b, double *lo, double *hi)
{
    bool any = false;
    for (size_t t = a; t <= b; t++)
        if (isfinite(v[t])) {
            *lo = any ? fmin(*lo, v[t]) : v[t];
            *hi = any ? fmax(*hi, v[t]) : v[t];
            any = true;
        }
    return any;
}

/* v with 3 significant digits and k/M/G/T above 1e4: a byte count of 1.05e7 a second reads
 * "10.5M", and two ranges fit above a 215-px panel (a scale hint, not a measurement) */
static void compact(wr *w, double v)
{
    int i = -1;
    for (v = num(v); fabs(v) >= 1e4 && i < 3; i++)
        v /= 1000;
    pr(w, "%.3g", v);
    if (i >= 0)
        pr(w, "%c", "kMGT"[i]);
}

/* "sensor lo..hi" above a panel's left or right corner; attrs ends the fill and starts the text */
static void range_text(wr *w, double x, const char *anchor, const char *attrs, double lo, double hi, double top)
{
    pr(w, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"%s\" fill=\"%s", px(x), px(top - 6), anchor,
       attrs);
    compact(w, lo);
    pr(w, "..");
    compact(w, hi);
    pr(w, "</text>\n");
}

/* One event panel: y and x over [t - W, t + W] (clipped to the series; the event stays at
 * the centre), each on its own scale, the event and event + best lag marked. */
static void event_panel(wr *w, const iof__corrplot *p, const iof__corrplot_pair *q, double x0, double top,
                        int W, size_t t)
{
    double x1 = x0 + EV_W, dx = (x1 - x0) / (2.0 * W), xc = (x0 + x1) / 2;
    size_t a = t > (size_t)W ? t - (size_t)W : 0, b = t + (size_t)W < p->nsec ? t + (size_t)W : p->nsec - 1;
    double ylo = 0, yhi = 0, xlo = 0, xhi = 0;
    bool hy = range_of(q->y, a, b, &ylo, &yhi), hx = q->x && range_of(q->x, a, b, &xlo, &xhi);
    if (hy)
        range_text(w, x0, "start", C_SENSOR "\">sensor ", ylo, yhi, top);
    if (hx)
        range_text(w, x1, "end", C_TRAFFIC "\">traffic ", xlo, xhi, top);
    panel_box(w, x0, top, x1);
    line(w, xc, top, xc, top + PANEL_H, "stroke=\"#444\"");
    if (q->res.defined && q->res.best_lag >= -W && q->res.best_lag <= W && q->res.best_lag != 0)
        line(w, xc + q->res.best_lag * dx, top, xc + q->res.best_lag * dx, top + PANEL_H,
             "stroke=\"#444\" stroke-dasharray=\"4 3\"");
    double xa = xc - (double)(t - a) * dx;
    /* the sensor on top: its events are what the panel is about */
    if (hx)
        series_path(w, q->x, a, b, xa, dx, top, xlo, xhi, C_TRAFFIC);
    if (hy)
        series_path(w, q->y, a, b, xa, dx, top, ylo, yhi, C_SENSOR);
    xticks(w, x0, x1, top + PANEL_H, W);
    char when[IOF_UTC_TEXT];
    iof__utc_text(when, sizeof when, p->t0_ns / 1000 + (int64_t)t * 1000000, false);
    text_at(w, xc, top + PANEL_H + 28, "font-size=\"10\" text-anchor=\"middle\" fill=\"#444\"");
    pr(w, "s from %s</text>\n", when);
}

static void empty_panel(wr *w, double x0, double top, const char *why)
{
    panel_box(w, x0, top, x0 + EV_W);
    text_at(w, x0 + EV_W / 2.0, top + PANEL_H / 2.0, "font-size=\"11\" text-anchor=\"middle\" fill=\"#777\"");
    pr(w, "%s</text>\n", why);
}

static void row(wr *w, const iof__corrplot *p, const iof__corrplot_pair *q, size_t rank, double *buf)
{
    double y0 = HEAD_H + (double)(rank - 1) * ROW_H, top = y0 + PANEL_TOP;
    pr(w, "<g class=\"pair\">\n");
    if (rank > 1)
        line(w, 10, y0, WIDTH - 10, y0, "stroke=\"#e0e0e0\"");
    heading(w, q, rank, y0 + 20);
    lag_panel(w, p, q, top);
    /* W >= 10 s so that a short max lag still shows the event's surroundings */
    int W = p->max_lag > 10 ? p->max_lag : 10;
    size_t ev[IOF_CORRPLOT_EVENTS], k = 0;
    double mode = 0;
    if (q->y && p->nsec && mode_of(q->y, p->nsec, buf, &mode))
        k = pick_events(q->y, p->nsec, mode, W, ev);
    for (size_t i = 0; i < IOF_CORRPLOT_EVENTS; i++) {
        double x0 = EV_X0 + (double)i * (EV_W + EV_GAP);
        if (i < k)
            event_panel(w, p, q, x0, top, W, ev[i]);
        else
            empty_panel(w, x0, top, i ? "no further event" : "no events in the sensor series");
    }
    pr(w, "</g>\n");
}

/* Title, the reading hint and the legend. */
static void header(wr *w, const iof__corrplot *p)
{
    text_at(w, 10, 22, "font-size=\"16\" font-weight=\"bold\"");
    esc(w, p->title ? p->title : "iotflow correlate", TITLE_MAX_BYTES);
    pr(w, "</text>\n");
    text_at(w, 10, 42, "font-size=\"12\" fill=\"#333\"");
    pr(w, "r(lag) = correlation of sensor y[t] with traffic x[t + lag]; lag &gt; 0: traffic follows the "
          "sensor. Ranked best first. Right: the sensor's strongest events, each series on its own scale.</text>\n");
    static const struct { int x; bool vert; const char *style, *label; } key[] = {
        { 10, false, "stroke=\"" C_SENSOR "\" stroke-width=\"2\"", "sensor" },
        { 100, false, "stroke=\"" C_TRAFFIC "\" stroke-width=\"2\"", "traffic" },
        { 190, true, "stroke=\"#444\"", "event" },
        { 250, true, "stroke=\"#444\" stroke-dasharray=\"4 3\"", "event + best lag" },
        { 380, false, "stroke=\"" C_LEVEL "\" stroke-dasharray=\"6 3\"", "level |r| must pass" },
        { 670, false, "stroke=\"" C_NULL "\" stroke-dasharray=\"2 3\"", "null mean (shifted copies)" },
    };
    for (size_t i = 0; i < sizeof key / sizeof *key; i++) {
        if (key[i].vert)
            line(w, key[i].x + 12, 55, key[i].x + 12, 69, key[i].style);
        else
            line(w, key[i].x, 62, key[i].x + 24, 62, key[i].style);
        text_at(w, key[i].x + (key[i].vert ? 20 : 30), 66, "font-size=\"11\"");
        pr(w, "%s", key[i].label);
        if (i == 4)
            pr(w, " (null mean + %.1f sd)", num(p->threshold));
        pr(w, "</text>\n");
    }
    pr(w, "<circle cx=\"882\" cy=\"62\" r=\"4\" fill=\"none\" stroke=\"" C_LEVEL "\" stroke-width=\"2\"/>\n");
    text_at(w, 892, 66, "font-size=\"11\"");
    pr(w, "best lag</text>\n");
}

int iof__corrplot_svg(FILE *out, const iof__corrplot *p)
{
    wr w = { out, false };
    size_t n = p->n < IOF_CORRPLOT_MAX_PAIRS ? p->n : IOF_CORRPLOT_MAX_PAIRS;
    bool bad = p->max_lag < 0 || p->max_lag > IOF_XCORR_MAX_LAG;
    if (bad)
        n = 0; /* an L we cannot index r with: say so instead of reading out of bounds */
    double *buf = NULL;
    if (n && p->nsec && !(buf = malloc(p->nsec * sizeof *buf)))
        return IOF_E_NOMEM;
    int h = HEAD_H + (n ? (int)n * ROW_H : 40) + 10;
    pr(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
           "font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
       WIDTH, h, WIDTH, h);
    header(&w, p);
    if (!n) {
        text_at(&w, 10, HEAD_H + 24, "font-size=\"14\" fill=\"#555\"");
        pr(&w, "%s</text>\n", bad ? "max lag out of range: nothing plotted" : "no pairs to plot");
    }
    for (size_t i = 0; i < n; i++)
        row(&w, p, &p->pairs[i], i + 1, buf);
    pr(&w, "</svg>\n");
    free(buf);
    if (fflush(out) != 0 || ferror(out))
        w.err = true;
    return w.err ? IOF_E_IO : IOF_OK;
}
