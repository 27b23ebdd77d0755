/* Lagged cross-correlation of two per-second series on one clock, with a significance-aware
 * score (docs/SENSORS.md, "How correlate scores").
 *
 * r(lag) = Pearson correlation of the pairs (y[t], x[t + lag]) over the overlap, lag in -L..+L:
 * lag > 0 means x (traffic) follows y (the sensor). Missing values (NaN) drop their pair.
 *
 * Score: the statistic is S = max over lags of |r(lag)|. Its null distribution comes from K
 * copies of the sensor series circularly shifted by large offsets (>= D = max(10 L, 600 s) from
 * either end, deterministic from a seed): each copy gives its own max over the same lags.
 * z = (S - mean) / sd of those maxima; p = (1 + #{null >= S}) / (K + 1). A pair is significant
 * when z >= threshold and S is above every null maximum; then C more copies confirm it (all of
 * them below S too, z over all K + C), because a peak of a few coincident events has a lumpy
 * null that K copies describe badly. Over a run's many pairs, iof__xcorr_holm keeps a pair
 * significant only when its Gumbel tail p survives Holm's correction (p_adj <= alpha). A series with fewer than min_events events (values other
 * than its most common one) is never scored: two or three coincidences are not evidence; nor is
 * a pair with fewer than 2D + K values present in a series (no room for the copies).
 *
 * Why a shift null and not the textbook 1/sqrt(n) bound: traffic and sensor series are strongly
 * autocorrelated (a stream lasts minutes, a temperature drifts over hours), which inflates the
 * spread of chance correlations far beyond 1/sqrt(n), and taking the best of 2L+1 lags inflates
 * it again. A shifted copy keeps each series' own autocorrelation, event rate and missing-value
 * pattern and breaks only their alignment, and its maximum is taken over the same 2L+1 lags, so
 * the null answers exactly "how large does the best lag get by chance for these two series".
 * Prewhitening would need a model per series (AR order, fit) and misbehaves on 0/1 event series.
 *
 * Cost: (K + 1) x (2L + 1) x n multiply-adds per pair (L = 60, K = 19, one day: 2.1e8, 0.4 s),
 * C x (2L + 1) x n more for the few pairs the screen passes; no allocation: series are prepared
 * once (iof__xcorr_prepare) and paired many times. */
#ifndef IOF_ANALYSIS_XCORR_H
#define IOF_ANALYSIS_XCORR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOF_XCORR_MAX_N (86400u * 31)  /* a month of seconds: 2.7e6 bins, 43 MB per prepared series */
#define IOF_XCORR_MAX_LAG 3600         /* an hour either way */
#define IOF_XCORR_MAX_SHIFTS 999       /* null copies, of the screen and of the confirmation */

typedef struct iof__xcorr_config {
    int max_lag;       /* L, default 60 */
    int shifts;        /* K, default 19: the screen (p resolution 0.05; the z carries the rest) */
    int confirm_shifts;/* C, default 99: more copies for a pair the screen finds significant;
                        * all K + C must stay below S (p = 1/119); 0 = no confirmation */
    long min_shift;    /* D in bins; 0 = max(10 L, 600) */
    uint64_t seed;     /* where in [D, n - D) the copies fall; default 1 */
    double threshold;  /* z at or above which a peak is significant; default 6 */
    size_t min_pairs;  /* fewer pairs at a lag: r undefined there; default 30 */
    double alpha;      /* family-wise error rate over the pairs of a run (iof__xcorr_holm);
                        * default 0.05 */
    size_t min_events; /* less evidence (iof__xcorr_evidence) in either series: r is reported,
                        * never scored; default 10 */
} iof__xcorr_config;

void iof__xcorr_config_init(iof__xcorr_config *c);

/* A series ready to pair: centred on its mean, NaN -> 0 with a 0/1 weight. Its events are the
 * present values other than its most common one (the nonzero seconds of a sparse count or
 * change series; nearly every second of a continuous level). */
typedef struct iof__xcorr_series {
    double *v, *w;
    size_t n, present, events;
    double mode_c;     /* the most common value, centred as v holds it (not an event) */
} iof__xcorr_series;

/* Returns 0, IOF_E_INVAL (n > IOF_XCORR_MAX_N), IOF_E_NOMEM. Infinite values count as missing. */
int iof__xcorr_prepare(iof__xcorr_series *s, const double *x, size_t n);
void iof__xcorr_series_free(iof__xcorr_series *s);

/* The events a series gives as evidence: its events when they fill half its present seconds or
 * more (a continuous reading, a busy count); for a sparse series its bursts: events at most
 * IOF_XCORR_BURST_GAP seconds apart count once. Why: on synth seed 3 a plug's alert flag blinks
 * 14 times in 26 s after its infection (20 events, 4 bursts in 3 h); shifted by 4,012-4,321 s
 * that one burst lands in a flood of the plug's own traffic and scored z 9.8-15.2 against
 * copies that mostly land in quiet hours. Four coincidences are not evidence, however many
 * seconds they fill. The gap is short on purpose: merging events up to the lag range (60 s)
 * apart made a camera's 30-second heartbeat one endless episode and left it unpaired. */
#define IOF_XCORR_BURST_GAP 5
size_t iof__xcorr_evidence(const iof__xcorr_series *s);

typedef struct iof__xcorr_result {
    bool defined;       /* r was defined at some lag (else everything below is 0, p = 1) */
    int best_lag;       /* lag of the largest |r|; ties: the smaller |lag|, then the positive */
    double best_r;      /* signed r there */
    size_t lags_defined;
    int null_n;         /* shifted copies with a defined maximum (0: no null: fewer than 2D + K
                         * values present in a series, or few_events);
                         * K + C when the screen passed */
    double null_mean, null_sd, null_max;
    double z;           /* (|best_r| - null_mean) / null_sd; 0 without a null or when sd is 0 */
    double p;           /* empirical, (1 + #{null max >= |best_r|}) / (null_n + 1) */
    double p_tail;      /* the chance of z or more if the copies' maxima are Gumbel (extreme
                         * values of many correlations) with their mean and sd; 1 without a
                         * null. Finer than p, which stops at 1 / (null_n + 1): the family-wise
                         * correction over a run's pairs compares it (correlate.c) */
    double p_adj;       /* p_tail after Holm's correction over the run's scored pairs
                         * (iof__xcorr_holm; p_tail until then) */
    bool significant;
    bool few_events;    /* a series had fewer than min_events events: no null, no z */
} iof__xcorr_result;

/* x: traffic, y: sensor, same length. r (optional): 2L + 1 values, r[L + lag], 0 where undefined
 * (never NaN). Returns 0, or IOF_E_INVAL (lengths differ, L or K out of range). */
int iof__xcorr_run(const iof__xcorr_series *x, const iof__xcorr_series *y, const iof__xcorr_config *cfg,
                   double *r, iof__xcorr_result *res);

/* Holm's step-down correction over the n results of one run: the scored ones (null_n > 0), m of
 * them, sorted by p_tail, get p_adj = the running maximum of min(1, (m - i) p_tail); a result
 * stays significant only when p_adj <= alpha. So the chance that a run with no coupling at all
 * shows any significant pair is about alpha, however many pairs it scores, where the per-pair
 * rule alone (z >= 6, about 3e-4 per pair) let 4 of 32 shifted controls of 984 pairs through
 * (docs/SENSORS.md). Unscored results get p_adj = 1. Returns 0 or IOF_E_NOMEM. */
int iof__xcorr_holm(iof__xcorr_result *const *res, size_t n, double alpha);

/* The values a series needs present for a pair to have a null (2 D + K): fewer, and the pair
 * is reported but never significant. */
size_t iof__xcorr_min_present(const iof__xcorr_config *cfg);

/* The absolute change of a continuous sensor: out[0] = NaN, out[t] = |y[t] - y[t-1]|, NaN when
 * either is missing. out may be y. */
void iof__xcorr_abs_change(const double *y, size_t n, double *out);

/* Compresses a count series: out[t] = log1p(x[t]) (sign-symmetric for negatives, NaN stays
 * NaN). Why: an attack flood gives a device hundreds of flows a second, and raw counts let those
 * seconds dominate Pearson's sums; on synth's attacked plug the power-step coupling scored
 * z = 1.8 on raw flows-started counts and z = 13.1 after log1p (docs/SENSORS.md). out may be x. */
void iof__xcorr_log1p(const double *x, size_t n, double *out);

#endif
