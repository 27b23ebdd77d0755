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
    c->seed = 1;
    c->threshold = 6;
    c->min_pairs = 30;
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
    return IOF_OK;
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

int iof__xcorr_run(const iof__xcorr_series *x, const iof__xcorr_series *y, const iof__xcorr_config *cfg,
                   double *r, iof__xcorr_result *res)
{
    memset(res, 0, sizeof *res);
    res->p = 1;
    int L = cfg->max_lag, K = cfg->shifts;
    if (x->n != y->n || L < 0 || L > IOF_XCORR_MAX_LAG || K < 0 || K > IOF_XCORR_MAX_SHIFTS ||
        !(cfg->threshold >= 0))
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
    size_t D = cfg->min_shift > 0 ? (size_t)cfg->min_shift : (size_t)(10 * L > 600 ? 10 * L : 600);
    if (n < 2 * D || n - 2 * D < (size_t)K || K == 0)
        return IOF_OK; /* too short for copies that far apart: no null, never significant */
    double span = (double)(n - 2 * D), sum = 0, sum2 = 0;
    int above = 0;
    for (int k = 0; k < K; k++) {
        /* copy k at D + (k + u) / K of the span, u in [0, 1) from the seed: spread, repeatable */
        double u = (double)(iof__mix64(cfg->seed * 0x9E3779B97F4A7C15ULL + (uint64_t)k + 1) >> 11) * 0x1p-53;
        size_t shift = D + (size_t)(((double)k + u) / K * span);
        if (shift >= n - D)
            shift = n - D - 1;
        int nl;
        double nr = 0;
        size_t nd;
        if (!best_over_lags(x, y, L, shift, cfg->min_pairs, NULL, &nl, &nr, &nd))
            continue;
        double m = fabs(nr);
        res->null_n++;
        sum += m;
        sum2 += m * m;
        above += m >= S;
        if (m > res->null_max)
            res->null_max = m;
    }
    if (!res->null_n)
        return IOF_OK;
    double N = res->null_n;
    res->null_mean = sum / N;
    double var = res->null_n > 1 ? (sum2 - sum * sum / N) / (N - 1) : 0;
    res->null_sd = var > 0 ? sqrt(var) : 0;
    res->p = (1.0 + above) / (N + 1);
    if (res->null_sd > 1e-12) /* a null without spread gives no z (never NaN or inf) */
        res->z = (S - res->null_mean) / res->null_sd;
    res->significant = res->null_sd > 1e-12 && res->z >= cfg->threshold && above == 0;
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
