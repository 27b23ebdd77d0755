/* Lagged cross-correlation with a circular-shift null (see xcorr.h for the why). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/xcorr.h"
#include "common/err.h"
#include "common/mix.h"

/* Sxx below this share of sum(x^2) over the pairs is rounding, not variation: a series that is
 * constant where it is paired has no correlation (instead of a garbage one) */
#define FLAT_REL 1e-9

void iof__xcorr_config_init(iof__xcorr_config *c)
{
    memset(c, 0, sizeof *c);
    c->max_lag = 60;
    c->shifts = 19;
    c->confirm_shifts = 99;
    c->seed = 1;
    c->threshold = 6;
    c->min_pairs = 30;
    c->min_events = 10;
    c->alpha = 0.05;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* events = present values other than the most common one (sorted copy: O(n log n), once) */
static int count_events(iof__xcorr_series *s, const double *x, double mean)
{
    if (!s->present)
        return IOF_OK;
    double *c = malloc(s->present * sizeof *c);
    if (!c) {
        iof__xcorr_series_free(s);
        return IOF_E_NOMEM;
    }
    size_t m = 0, mode = 0;
    double mode_v = 0;
    for (size_t i = 0; i < s->n; i++)
        if (isfinite(x[i]))
            c[m++] = x[i];
    qsort(c, m, sizeof *c, cmp_double);
    for (size_t i = 0, j; i < m; i = j) {
        for (j = i; j < m && c[j] == c[i]; j++)
            ;
        if (j - i > mode) {
            mode = j - i;
            mode_v = c[i];
        }
    }
    s->events = m - mode;
    s->mode_c = mode_v - mean; /* as v[] holds it: equal readings centre to equal values */
    free(c);
    return IOF_OK;
}

int iof__xcorr_prepare(iof__xcorr_series *s, const double *x, size_t n)
{
    memset(s, 0, sizeof *s);
    if (n > IOF_XCORR_MAX_N)
        return IOF_E_INVAL;
    s->v = malloc((n ? n : 1) * sizeof *s->v);
    s->w = malloc((n ? n : 1) * sizeof *s->w);
    if (!s->v || !s->w) {
        iof__xcorr_series_free(s);
        return IOF_E_NOMEM;
    }
    s->n = n;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            sum += x[i];
            s->present++;
        }
    /* centring keeps the one-pass sums below well conditioned (a 1450 W level with 1 % noise) */
    double mean = s->present ? sum / (double)s->present : 0;
    for (size_t i = 0; i < n; i++) {
        bool ok = isfinite(x[i]);
        s->v[i] = ok ? x[i] - mean : 0;
        s->w[i] = ok;
    }
    return count_events(s, x, mean);
}

size_t iof__xcorr_evidence(const iof__xcorr_series *s)
{
    if (2 * s->events >= s->present) /* a continuous series: its events are its values */
        return s->events;
    size_t bursts = 0, last = 0;
    for (size_t t = 0; t < s->n; t++) {
        if (!s->w[t] || s->v[t] == s->mode_c)
            continue;
        if (!bursts || t - last > IOF_XCORR_BURST_GAP)
            bursts++;
        last = t;
    }
    return bursts;
}

void iof__xcorr_series_free(iof__xcorr_series *s)
{
    free(s->v);
    free(s->w);
    memset(s, 0, sizeof *s);
}

typedef struct sums {
    double m, sx, sy, sxx, syy, sxy;
} sums;

/* pairs (y[j0 + i], x[i0 + i]) for i < len: branch-free, missing values weigh 0 */
static void acc(sums *a, const iof__xcorr_series *x, size_t i0, const iof__xcorr_series *y, size_t j0, size_t len)
{
    const double *xv = x->v + i0, *xw = x->w + i0, *yv = y->v + j0, *yw = y->w + j0;
    double m = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < len; i++) {
        double a1 = xv[i] * yw[i], b1 = yv[i] * xw[i];
        m += xw[i] * yw[i];
        sx += a1;
        sy += b1;
        sxx += xv[i] * a1;
        syy += yv[i] * b1;
        sxy += xv[i] * yv[i];
    }
    a->m += m, a->sx += sx, a->sy += sy, a->sxx += sxx, a->syy += syy, a->sxy += sxy;
}

/* r at `lag` with y rotated left by `shift` (0 for the real alignment): false if undefined */
static bool corr_at(const iof__xcorr_series *x, const iof__xcorr_series *y, long lag, size_t shift,
                    size_t min_pairs, double *r)
{
    size_t n = x->n, lo = lag < 0 ? (size_t)-lag : 0, hi = lag > 0 ? n - (size_t)lag : n;
    sums a = { 0 };
    /* t in [lo, hi): y index t + shift (mod n), x index t + lag; split where y wraps */
    size_t wrap = n - shift; /* first t whose y index wraps */
    if (lo < hi) {
        size_t mid = wrap < lo ? lo : wrap > hi ? hi : wrap;
        if (mid > lo)
            acc(&a, x, (size_t)((long)lo + lag), y, lo + shift, mid - lo);
        if (hi > mid)
            acc(&a, x, (size_t)((long)mid + lag), y, mid + shift - n, hi - mid);
    }
    if (a.m < (double)min_pairs || a.m < 2)
        return false;
    double Sxx = a.sxx - a.sx * a.sx / a.m, Syy = a.syy - a.sy * a.sy / a.m, Sxy = a.sxy - a.sx * a.sy / a.m;
    if (!(Sxx > FLAT_REL * a.sxx) || !(Syy > FLAT_REL * a.syy))
        return false;
    double v = Sxy / sqrt(Sxx * Syy);
    *r = v > 1 ? 1 : v < -1 ? -1 : v;
    return true;
}

/* max |r| over lags -L..L for one shift; lag order 0, 1, -1, 2, -2 ... so that ties keep the
 * smaller |lag| (then the positive one). False if no lag is defined. */
static bool best_over_lags(const iof__xcorr_series *x, const iof__xcorr_series *y, int L, size_t shift,
                           size_t min_pairs, double *rs, int *best_lag, double *best_r, size_t *ndef)
{
    bool any = false;
    *ndef = 0;
    for (int k = 0; k <= 2 * L; k++) {
        int lag = (k + 1) / 2 * (k % 2 ? 1 : -1);
        double r = 0;
        bool ok = corr_at(x, y, lag, shift, min_pairs, &r);
        if (rs)
            rs[L + lag] = ok ? r : 0;
        if (!ok)
            continue;
        (*ndef)++;
        if (!any || fabs(r) > fabs(*best_r)) {
            *best_r = r;
            *best_lag = lag;
            any = true;
        }
    }
    return any;
}

typedef struct nullacc {
    int n, above;
    double sum, sum2, max;
} nullacc;

/* K shifted copies of y, at D + (k + u) / K of the span [D, n - D), u in [0, 1) from the seed:
 * spread over the span and repeatable; each gives its max |r| over the same lags */
static void null_copies(const iof__xcorr_series *x, const iof__xcorr_series *y, int L, size_t min_pairs, size_t D,
                        int K, uint64_t seed, double S, nullacc *a)
{
    size_t n = x->n;
    double span = (double)(n - 2 * D);
    for (int k = 0; k < K; k++) {
        double u = (double)(iof__mix64(seed * 0x9E3779B97F4A7C15ULL + (uint64_t)k + 1) >> 11) * 0x1p-53;
        size_t shift = D + (size_t)(((double)k + u) / K * span);
        if (shift >= n - D)
            shift = n - D - 1;
        int nl;
        double nr = 0;
        size_t nd;
        if (!best_over_lags(x, y, L, shift, min_pairs, NULL, &nl, &nr, &nd))
            continue;
        double m = fabs(nr);
        a->n++;
        a->sum += m;
        a->sum2 += m * m;
        a->above += m >= S;
        a->max = m > a->max ? m : a->max;
    }
}

/* P(M >= mean + z sd) for M Gumbel-distributed (the maximum of many correlations) with that
 * mean and sd: the scale is sd sqrt(6) / pi, the location mean - gamma scale. Written with
 * expm1 so that the small tails correlate's family-wise correction compares keep their digits
 * (z = 6: 2.6e-4; z = 8: 1.6e-5; z = 13: 3.3e-8). */
static double gumbel_tail(double z)
{
    const double k = 1.2825498301618641;       /* pi / sqrt(6) */
    const double gamma = 0.57721566490153286;  /* Euler-Mascheroni */
    double p = -expm1(-exp(-(z * k + gamma)));
    return p < 1 ? p : 1;
}

/* z, p and the verdict from the copies so far */
static void judge(const nullacc *a, double S, double threshold, iof__xcorr_result *res)
{
    res->null_n = a->n;
    res->null_max = a->max;
    res->z = 0;
    res->p_tail = 1;
    res->significant = false;
    if (!a->n)
        return;
    double N = a->n;
    res->null_mean = a->sum / N;
    double var = a->n > 1 ? (a->sum2 - a->sum * a->sum / N) / (N - 1) : 0;
    res->null_sd = var > 0 ? sqrt(var) : 0;
    res->p = (1.0 + a->above) / (N + 1);
    if (res->null_sd > 1e-12) { /* a null without spread gives no z (never NaN or inf) */
        res->z = (S - res->null_mean) / res->null_sd;
        res->p_tail = gumbel_tail(res->z);
    }
    res->p_adj = res->p_tail;
    res->significant = res->null_sd > 1e-12 && res->z >= threshold && a->above == 0;
}

/* D: how far from zero the copies' shifts stay */
static size_t min_shift(const iof__xcorr_config *cfg)
{
    if (cfg->min_shift > 0)
        return (size_t)cfg->min_shift;
    return (size_t)(10 * cfg->max_lag > 600 ? 10 * cfg->max_lag : 600);
}

size_t iof__xcorr_min_present(const iof__xcorr_config *cfg)
{
    return 2 * min_shift(cfg) + (size_t)(cfg->shifts > 0 ? cfg->shifts : 0);
}

int iof__xcorr_run(const iof__xcorr_series *x, const iof__xcorr_series *y, const iof__xcorr_config *cfg,
                   double *r, iof__xcorr_result *res)
{
    memset(res, 0, sizeof *res);
    res->p = res->p_tail = res->p_adj = 1;
    int L = cfg->max_lag, K = cfg->shifts, C = cfg->confirm_shifts;
    if (x->n != y->n || L < 0 || L > IOF_XCORR_MAX_LAG || K < 0 || K > IOF_XCORR_MAX_SHIFTS || C < 0 ||
        C > IOF_XCORR_MAX_SHIFTS || !(cfg->threshold >= 0))
        return IOF_E_INVAL;
    size_t n = x->n;
    if (r)
        memset(r, 0, (size_t)(2 * L + 1) * sizeof *r);
    if ((size_t)L >= n) { /* every lag needs an overlap */
        L = n ? (int)n - 1 : 0;
        if (!n)
            return IOF_OK;
    }
    int lag = 0;
    double best = 0;
    if (!best_over_lags(x, y, L, 0, cfg->min_pairs, r ? r + (cfg->max_lag - L) : NULL, &lag, &best,
                        &res->lags_defined))
        return IOF_OK;
    res->defined = true;
    res->best_lag = lag;
    res->best_r = best;
    double S = fabs(best);
    if (iof__xcorr_evidence(x) < cfg->min_events || iof__xcorr_evidence(y) < cfg->min_events) {
        res->few_events = true;
        return IOF_OK;
    }
    size_t D = min_shift(cfg);
    /* Too short for copies that far apart, or too little of a series present (a sensor file that
     * covers a few minutes of the capture): no null, never significant. Counting present values,
     * not bins, matters: with 270 s of readings in an hour, chance coincidences of the few events
     * there scored z > 6 on synth's shifted controls. */
    size_t present = x->present < y->present ? x->present : y->present;
    if (present < 2 * D || present - 2 * D < (size_t)K || K == 0)
        return IOF_OK;
    nullacc a = { 0 };
    null_copies(x, y, L, cfg->min_pairs, D, K, cfg->seed, S, &a);
    judge(&a, S, cfg->threshold, res);
    if (!res->significant || !C)
        return IOF_OK;
    /* Confirmation: a peak made of two or three coincident events has a lumpy, heavy-tailed null
     * that K copies describe badly (z looks huge because most copies had no coincidence at all).
     * More copies, placed by another seed, must all stay below S too, so p = 1 / (K + C + 1). */
    if ((size_t)C > n - 2 * D)
        C = (int)(n - 2 * D);
    null_copies(x, y, L, cfg->min_pairs, D, C, cfg->seed ^ 0x5EED5EED5EED5EEDULL, S, &a);
    judge(&a, S, cfg->threshold, res);
    return IOF_OK;
}

static int cmp_tail(const void *a, const void *b)
{
    const iof__xcorr_result *x = *(const iof__xcorr_result *const *)a, *y = *(const iof__xcorr_result *const *)b;
    return (x->p_tail > y->p_tail) - (x->p_tail < y->p_tail);
}

int iof__xcorr_holm(iof__xcorr_result *const *res, size_t n, double alpha)
{
    iof__xcorr_result **v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return IOF_E_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (res[i]->null_n > 0)
            v[m++] = res[i];
        else
            res[i]->p_adj = 1;
    }
    /* ties keep their input order only up to qsort; p_adj of tied p_tail is equal anyway (the
     * running maximum) */
    qsort(v, m, sizeof *v, cmp_tail);
    double run = 0;
    for (size_t i = 0; i < m; i++) {
        double a = (double)(m - i) * v[i]->p_tail;
        run = a > run ? a : run;
        v[i]->p_adj = run < 1 ? run : 1;
        v[i]->significant = v[i]->significant && v[i]->p_adj <= alpha;
    }
    free(v);
    return IOF_OK;
}

void iof__xcorr_abs_change(const double *y, size_t n, double *out)
{
    /* backwards, so that out may be y */
    for (size_t t = n; t-- > 1;)
        out[t] = isfinite(y[t]) && isfinite(y[t - 1]) ? fabs(y[t] - y[t - 1]) : NAN;
    if (n)
        out[0] = NAN;
}

void iof__xcorr_log1p(const double *x, size_t n, double *out)
{
    for (size_t t = 0; t < n; t++)
        out[t] = x[t] >= 0 ? log1p(x[t]) : x[t] < 0 ? -log1p(-x[t]) : NAN;
}
