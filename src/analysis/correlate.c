/* Traffic series against sensor series: see correlate.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/correlate.h"
#include "common/err.h"
#include "common/thread.h"
#include "kinds/timeline.h"

#define NS 1000000000LL

/* the timeline table's count columns, in its order */
const char *iof__corr_metric_name(int m)
{
    const char *n = m >= 0 && m < IOF_CORR_METRICS ? iof__tl_column(IOF_TL_COL_COUNTS + (size_t)m) : NULL;
    return n ? n : "?";
}

typedef struct tdev {
    char name[IOF_CORR_NAME];
    uint32_t *v[IOF_CORR_METRICS]; /* cap seconds each, from t0 */
} tdev;

typedef struct sref {
    uint32_t dev, col;
    bool change;
} sref;

struct iof__corr {
    iof__xcorr_config xc;
    int64_t t0s;               /* second 0, in seconds since the epoch (valid when nsec > 0) */
    size_t nsec, cap;          /* seconds spanned / allocated per array */
    uint8_t *covered;          /* per second: a row covered it */
    tdev *dev;
    size_t ndev, capdev;
    uint32_t *slot;            /* open addressing on the name: device index + 1, 0 = free */
    size_t nslot;
    iof__corr_series *tser, *sser;
    size_t nt, ns;
    sref *sref;
    iof__xcorr_series *sprep;  /* prepared sensor series (paired ones) */
    iof__corr_pair *pairs;
    size_t npairs;
};

int iof__corr_create(iof__corr **out, const iof__xcorr_config *xc)
{
    iof__corr *c = calloc(1, sizeof(*c));
    if (!c)
        return IOF_E_NOMEM;
    c->xc = *xc;
    *out = c;
    return IOF_OK;
}

void iof__corr_free(iof__corr *c)
{
    if (!c)
        return;
    for (size_t d = 0; d < c->ndev; d++)
        for (int m = 0; m < IOF_CORR_METRICS; m++)
            free(c->dev[d].v[m]);
    for (size_t i = 0; c->sprep && i < c->ns; i++)
        iof__xcorr_series_free(&c->sprep[i]);
    free(c->sprep);
    free(c->dev);
    free(c->slot);
    free(c->covered);
    free(c->tser);
    free(c->sser);
    free(c->sref);
    free(c->pairs);
    free(c);
}

static uint64_t name_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ULL;
    return h;
}

static int grow_slots(iof__corr *c)
{
    size_t n = c->nslot ? c->nslot * 2 : 64;
    uint32_t *s = calloc(n, sizeof(*s));
    if (!s)
        return IOF_E_NOMEM;
    for (size_t d = 0; d < c->ndev; d++) {
        size_t i = name_hash(c->dev[d].name, strlen(c->dev[d].name)) & (n - 1);
        while (s[i])
            i = (i + 1) & (n - 1);
        s[i] = (uint32_t)d + 1;
    }
    free(c->slot);
    c->slot = s;
    c->nslot = n;
    return IOF_OK;
}

/* The device's index, added when new (its arrays zero over the span so far). */
static long find_dev(iof__corr *c, const char *name, size_t len, char *err, size_t errlen)
{
    /* a name is the device's identity: cutting it or stopping at a NUL would merge or split
     * devices without a word */
    if (len == 0 || len >= IOF_CORR_NAME || memchr(name, 0, len))
        return iof__fail(err, errlen, IOF_E_FORMAT, "a device name that is empty, longer than %d bytes or holds a NUL byte",
                         IOF_CORR_NAME - 1);
    if (c->nslot) {
        size_t i = name_hash(name, len) & (c->nslot - 1);
        for (; c->slot[i]; i = (i + 1) & (c->nslot - 1)) {
            const tdev *d = &c->dev[c->slot[i] - 1];
            if (strlen(d->name) == len && memcmp(d->name, name, len) == 0)
                return (long)c->slot[i] - 1;
        }
    }
    if (c->ndev >= IOF_CORR_MAX_DEVICES)
        return iof__fail(err, errlen, IOF_E_LIMIT, "more than %d traffic devices", IOF_CORR_MAX_DEVICES);
    if ((uint64_t)(c->ndev + 1) * c->cap * IOF_CORR_METRICS > IOF_CORR_MAX_CELLS)
        return iof__fail(err, errlen, IOF_E_LIMIT,
                         "%zu devices over %zu s of traffic: more than %llu counts to hold (give fewer "
                         "days or devices)", c->ndev + 1, c->nsec, (unsigned long long)IOF_CORR_MAX_CELLS);
    if ((c->ndev + 1) * 2 > c->nslot && grow_slots(c) != IOF_OK)
        return IOF_E_NOMEM;
    if (c->ndev == c->capdev) {
        size_t n = c->capdev ? c->capdev * 2 : 16;
        tdev *nd = realloc(c->dev, n * sizeof(*nd));
        if (!nd)
            return IOF_E_NOMEM;
        c->dev = nd;
        c->capdev = n;
    }
    tdev *d = &c->dev[c->ndev];
    memset(d, 0, sizeof(*d));
    memcpy(d->name, name, len);
    for (int m = 0; m < IOF_CORR_METRICS; m++)
        if (c->cap && !(d->v[m] = calloc(c->cap, sizeof(uint32_t)))) {
            for (int k = 0; k < m; k++)
                free(d->v[k]);
            return IOF_E_NOMEM;
        }
    size_t i = name_hash(d->name, len) & (c->nslot - 1);
    while (c->slot[i])
        i = (i + 1) & (c->nslot - 1);
    c->slot[i] = (uint32_t)c->ndev + 1;
    return (long)c->ndev++;
}

/* Makes second sec_ns part of the span (moving the arrays when it lies before the first
 * second); returns its index or a negative error. All span arithmetic is in whole seconds of a
 * time already checked to lie in [0, IOF_CORR_MAX_TIME_NS], so nothing can wrap. */
static long second_index(iof__corr *c, int64_t sec_ns, char *err, size_t errlen)
{
    if (sec_ns < 0 || sec_ns > IOF_CORR_MAX_TIME_NS)
        return iof__fail(err, errlen, IOF_E_FORMAT, "a time before 1970 or after 2261 (%lld ns)", (long long)sec_ns);
    int64_t s = sec_ns / NS;
    if (c->nsec == 0)
        c->t0s = s;
    int64_t lo = s < c->t0s ? s : c->t0s, hi = c->t0s + (int64_t)c->nsec;
    if (s + 1 > hi)
        hi = s + 1;
    if (hi - lo > (int64_t)IOF_XCORR_MAX_N)
        return iof__fail(err, errlen, IOF_E_LIMIT, "the traffic spans more than %u days (%u s)",
                         IOF_XCORR_MAX_N / 86400, IOF_XCORR_MAX_N);
    size_t shift = (size_t)(c->t0s - lo), n = (size_t)(hi - lo);
    if (n > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < n) /* n <= IOF_XCORR_MAX_N: ends */
            cap *= 2;
        if (cap > IOF_XCORR_MAX_N)
            cap = IOF_XCORR_MAX_N;
        if ((uint64_t)c->ndev * cap * IOF_CORR_METRICS > IOF_CORR_MAX_CELLS)
            return iof__fail(err, errlen, IOF_E_LIMIT,
                             "%zu devices over %zu s of traffic: more than %llu counts to hold (give "
                             "fewer days or devices)", c->ndev, n, (unsigned long long)IOF_CORR_MAX_CELLS);
        uint8_t *cv = realloc(c->covered, cap);
        if (!cv)
            return IOF_E_NOMEM;
        c->covered = cv;
        memset(cv + c->cap, 0, cap - c->cap);
        for (size_t d = 0; d < c->ndev; d++)
            for (int m = 0; m < IOF_CORR_METRICS; m++) {
                uint32_t *v = realloc(c->dev[d].v[m], cap * sizeof(uint32_t));
                if (!v)
                    return IOF_E_NOMEM;
                memset(v + c->cap, 0, (cap - c->cap) * sizeof(uint32_t));
                c->dev[d].v[m] = v;
            }
        c->cap = cap;
    }
    if (shift) { /* a second before the first one seen (inputs in another order) */
        memmove(c->covered + shift, c->covered, c->nsec);
        memset(c->covered, 0, shift);
        for (size_t d = 0; d < c->ndev; d++)
            for (int m = 0; m < IOF_CORR_METRICS; m++) {
                memmove(c->dev[d].v[m] + shift, c->dev[d].v[m], c->nsec * sizeof(uint32_t));
                memset(c->dev[d].v[m], 0, shift * sizeof(uint32_t));
            }
        c->t0s = lo;
    }
    c->nsec = n;
    return (long)(s - c->t0s);
}

int iof__corr_cover(iof__corr *c, int64_t sec_ns, char *err, size_t errlen)
{
    long k = second_index(c, sec_ns, err, errlen);
    if (k < 0)
        return (int)k;
    c->covered[k] = 1;
    return IOF_OK;
}

int iof__corr_add(iof__corr *c, int64_t sec_ns, const char *device, size_t device_len,
                  const uint64_t counts[IOF_CORR_METRICS], char *err, size_t errlen)
{
    long k = second_index(c, sec_ns, err, errlen); /* first: a refused time adds no device */
    if (k < 0)
        return (int)k;
    long d = find_dev(c, device, device_len, err, errlen);
    if (d < 0)
        return (int)d;
    c->covered[k] = 1;
    for (int m = 0; m < IOF_CORR_METRICS; m++) {
        uint64_t s = (uint64_t)c->dev[d].v[m][k] + counts[m];
        c->dev[d].v[m][k] = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
    }
    return IOF_OK;
}

void iof__corr_traffic_values(const iof__corr *c, size_t i, double *out)
{
    const uint32_t *v = c->dev[i / IOF_CORR_METRICS].v[i % IOF_CORR_METRICS];
    for (size_t k = 0; k < c->nsec; k++)
        out[k] = c->covered[k] ? (double)v[k] : NAN;
}

static void sensor_level(const iof__corr *c, const iof__sensors *s, int64_t tol, const sref *r, double *out)
{
    iof__sensors_level(s, r->dev, r->col, c->t0s * NS, c->nsec, tol, out);
    if (r->change)
        iof__xcorr_abs_change(out, c->nsec, out);
}

void iof__corr_sensor_values(const iof__corr *c, const iof__sensors *s, int64_t tolerance_ns, size_t i, double *out)
{
    sensor_level(c, s, tolerance_ns, &c->sref[i], out);
}

/* The sensor series: level and change of every (device, column) the file has readings of. */
static int build_sensors(iof__corr *c, const iof__sensors *s, int64_t tol, double *buf, char *err, size_t errlen)
{
    size_t held = 0;
    size_t nd = s ? iof__sensors_ndevices(s) : 0, nc = s ? iof__sensors_ncols(s) : 0, n = 0;
    for (size_t d = 0; d < nd; d++)
        for (size_t col = 0; col < nc; col++)
            n += iof__sensors_series(s, d, col).n ? 2 : 0;
    c->sser = calloc(n ? n : 1, sizeof(*c->sser));
    c->sref = calloc(n ? n : 1, sizeof(*c->sref));
    c->sprep = calloc(n ? n : 1, sizeof(*c->sprep));
    if (!c->sser || !c->sref || !c->sprep)
        return IOF_E_NOMEM;
    for (size_t d = 0; d < nd; d++)
        for (size_t col = 0; col < nc; col++) {
            if (!iof__sensors_series(s, d, col).n)
                continue;
            for (int ch = 0; ch < 2; ch++) {
                iof__corr_series *q = &c->sser[c->ns];
                sref *r = &c->sref[c->ns];
                *r = (sref){ (uint32_t)d, (uint32_t)col, ch == 1 };
                snprintf(q->device, sizeof(q->device), "%s", iof__sensors_dev(s, d)->id);
                snprintf(q->name, sizeof(q->name), "%s", iof__sensors_col(s, col)->name);
                q->kind = ch ? "change" : "level";
                sensor_level(c, s, tol, r, buf);
                int rc = iof__xcorr_prepare(&c->sprep[c->ns], buf, c->nsec);
                c->ns++;
                if (rc != IOF_OK)
                    return rc;
                q->present = c->sprep[c->ns - 1].present;
                q->events = c->sprep[c->ns - 1].events;
                q->paired = iof__xcorr_evidence(&c->sprep[c->ns - 1]) >= c->xc.min_events;
                if (!q->paired)
                    iof__xcorr_series_free(&c->sprep[c->ns - 1]);
                else if ((uint64_t)++held * c->nsec > IOF_CORR_MAX_SENSOR_CELLS)
                    return iof__fail(err, errlen, IOF_E_LIMIT,
                                     "%zu sensor series over %zu s: more than %llu values to hold (give fewer "
                                     "columns or days)", held, c->nsec, (unsigned long long)IOF_CORR_MAX_SENSOR_CELLS);
            }
        }
    return IOF_OK;
}

/* One traffic series against a range of sensor series (a job: the helper takes one half). */
typedef struct job {
    const iof__corr *c;
    const iof__xcorr_series *x;
    iof__corr_pair *pairs;     /* one per sensor series in [lo, hi) that is paired */
    size_t lo, hi;
    int rc;
} job;

static void run_job(void *arg)
{
    job *j = arg;
    size_t k = 0;
    for (size_t i = j->lo; i < j->hi && j->rc == IOF_OK; i++) {
        if (!j->c->sser[i].paired)
            continue;
        iof__corr_pair *p = &j->pairs[k++];
        j->rc = iof__xcorr_run(j->x, &j->c->sprep[i], &j->c->xc, NULL, &p->res);
    }
}

static int cmp_pair_ctx(const iof__corr *c, const iof__corr_pair *a, const iof__corr_pair *b)
{
    if (a->res.significant != b->res.significant)
        return a->res.significant ? -1 : 1;
    if (a->res.z != b->res.z)
        return a->res.z > b->res.z ? -1 : 1;
    double ra = fabs(a->res.best_r), rb = fabs(b->res.best_r);
    if (ra != rb)
        return ra > rb ? -1 : 1;
    const iof__corr_series *sa = &c->sser[a->sensor], *sb = &c->sser[b->sensor];
    const iof__corr_series *ta = &c->tser[a->traffic], *tb = &c->tser[b->traffic];
    int x = strcmp(sa->device, sb->device);
    if (!x)
        x = strcmp(sa->name, sb->name);
    if (!x)
        x = strcmp(sa->kind, sb->kind);
    if (!x)
        x = strcmp(ta->device, tb->device);
    if (!x)
        x = strcmp(ta->name, tb->name);
    return x;
}

/* qsort has no context: a merge sort of the pairs with the corr as context */
static void sort_pairs(const iof__corr *c, iof__corr_pair *v, iof__corr_pair *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_pairs(c, v, tmp, h);
    sort_pairs(c, v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_pair_ctx(c, &v[j], &v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

int iof__corr_run(iof__corr *c, const iof__sensors *s, int64_t tolerance_ns, unsigned threads, char *err,
                  size_t errlen)
{
    int rc = IOF_OK;
    iof__worker *wk = NULL;
    iof__xcorr_series x = { 0 };
    double *buf = malloc((c->nsec ? c->nsec : 1) * sizeof(double));
    if (!buf)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    if ((rc = build_sensors(c, s, tolerance_ns, buf, err, errlen)) != IOF_OK)
        goto out;
    size_t sp = 0;
    for (size_t i = 0; i < c->ns; i++)
        sp += c->sser[i].paired;
    c->nt = c->ndev * IOF_CORR_METRICS;
    if (!(c->tser = calloc(c->nt ? c->nt : 1, sizeof(*c->tser)))) {
        rc = IOF_E_NOMEM;
        goto out;
    }
    size_t tp = 0;
    for (size_t t = 0; t < c->nt; t++) {
        iof__corr_series *q = &c->tser[t];
        snprintf(q->device, sizeof(q->device), "%s", c->dev[t / IOF_CORR_METRICS].name);
        snprintf(q->name, sizeof(q->name), "%s", iof__corr_metric_name((int)(t % IOF_CORR_METRICS)));
        q->kind = "log1p";
        /* events as xcorr counts them (values other than the most common one): a device that
         * sends one packet every second has none, and its r would be undefined */
        iof__corr_traffic_values(c, t, buf);
        iof__xcorr_log1p(buf, c->nsec, buf);
        if ((rc = iof__xcorr_prepare(&x, buf, c->nsec)) != IOF_OK)
            goto out;
        q->present = x.present;
        q->events = x.events;
        q->paired = iof__xcorr_evidence(&x) >= c->xc.min_events;
        iof__xcorr_series_free(&x);
        tp += q->paired;
    }
    size_t np = sp * tp;
    if (np > IOF_CORR_MAX_PAIRS) {
        rc = iof__fail(err, errlen, IOF_E_LIMIT, "%zu sensor series x %zu traffic series: more than %u pairs",
                       sp, tp, IOF_CORR_MAX_PAIRS);
        goto out;
    }
    if (!(c->pairs = calloc(np ? np : 1, sizeof(*c->pairs)))) {
        rc = IOF_E_NOMEM;
        goto out;
    }
    if (threads != 1 && sp > 1)
        wk = iof__worker_start();
    size_t half = 0; /* sensor index splitting the paired ones in two */
    for (size_t i = 0, seen = 0; i < c->ns; i++)
        if (c->sser[i].paired && ++seen == sp / 2 + 1) {
            half = i;
            break;
        }
    for (size_t t = 0; t < c->nt && rc == IOF_OK; t++) {
        if (!c->tser[t].paired)
            continue;
        iof__corr_traffic_values(c, t, buf);
        iof__xcorr_log1p(buf, c->nsec, buf);
        if ((rc = iof__xcorr_prepare(&x, buf, c->nsec)) != IOF_OK)
            break;
        iof__corr_pair *base = &c->pairs[c->npairs];
        for (size_t i = 0, k = 0; i < c->ns; i++)
            if (c->sser[i].paired) {
                base[k] = (iof__corr_pair){ .sensor = (uint32_t)i, .traffic = (uint32_t)t };
                k++;
            }
        size_t first_half = 0;
        for (size_t i = 0; i < half; i++)
            first_half += c->sser[i].paired;
        job a = { c, &x, base, 0, wk ? half : c->ns, IOF_OK };
        job b = { c, &x, base + first_half, half, c->ns, IOF_OK };
        if (wk)
            iof__worker_submit(wk, run_job, &b);
        run_job(&a);
        if (wk)
            iof__worker_wait(wk);
        rc = a.rc != IOF_OK ? a.rc : b.rc;
        c->npairs += sp;
        iof__xcorr_series_free(&x);
    }
    if (rc == IOF_OK) { /* the family-wise correction over every pair of the run */
        iof__xcorr_result **res = malloc((c->npairs ? c->npairs : 1) * sizeof(*res));
        if (!res) {
            rc = IOF_E_NOMEM;
        } else {
            for (size_t p = 0; p < c->npairs; p++)
                res[p] = &c->pairs[p].res;
            rc = iof__xcorr_holm(res, c->npairs, c->xc.alpha);
            free(res);
        }
    }
    if (rc == IOF_OK && c->npairs > 1) {
        iof__corr_pair *tmp = malloc(c->npairs * sizeof(*tmp));
        if (!tmp)
            rc = IOF_E_NOMEM;
        else
            sort_pairs(c, c->pairs, tmp, c->npairs);
        free(tmp);
    }
out:
    iof__worker_stop(wk);
    iof__xcorr_series_free(&x);
    free(buf);
    if (rc != IOF_OK && !err[0])
        iof__fail(err, errlen, rc, rc == IOF_E_NOMEM ? "out of memory" : "correlation failed");
    return rc;
}

void iof__corr_get_summary(const iof__corr *c, iof__corr_summary *o)
{
    memset(o, 0, sizeof(*o));
    o->t0_ns = c->nsec ? c->t0s * NS : 0;
    o->nsec = c->nsec;
    for (size_t k = 0; k < c->nsec; k++)
        o->covered += c->covered[k];
    o->traffic_devices = c->ndev;
    o->traffic_series = c->nt;
    for (size_t t = 0; t < c->nt; t++)
        o->traffic_paired += c->tser[t].paired;
    o->sensor_series = c->ns;
    for (size_t i = 0; i < c->ns; i++) {
        o->sensor_paired += c->sser[i].paired;
        o->sensor_overlap += c->sser[i].present > 0;
        if (i == 0 || strcmp(c->sser[i].device, c->sser[i - 1].device) != 0)
            o->sensor_devices++;
    }
    o->pairs = c->npairs;
    for (size_t p = 0; p < c->npairs; p++)
        o->significant += c->pairs[p].res.significant;
}

int iof__corr_r_curve(const iof__corr *c, size_t rank, double *r)
{
    const iof__corr_pair *p = &c->pairs[rank];
    double *buf = malloc((c->nsec ? c->nsec : 1) * sizeof(double));
    if (!buf)
        return IOF_E_NOMEM;
    iof__corr_traffic_values(c, p->traffic, buf);
    iof__xcorr_log1p(buf, c->nsec, buf);
    iof__xcorr_series x;
    int rc = iof__xcorr_prepare(&x, buf, c->nsec);
    free(buf);
    if (rc != IOF_OK)
        return rc;
    iof__xcorr_config rc_only = c->xc; /* r at every lag, no null: the same r the score used */
    rc_only.shifts = rc_only.confirm_shifts = 0;
    iof__xcorr_result res;
    rc = iof__xcorr_run(&x, &c->sprep[p->sensor], &rc_only, r, &res);
    iof__xcorr_series_free(&x);
    return rc;
}

size_t iof__corr_npairs(const iof__corr *c) { return c->npairs; }
const iof__corr_pair *iof__corr_pair_at(const iof__corr *c, size_t rank) { return &c->pairs[rank]; }
const iof__corr_series *iof__corr_sensor(const iof__corr *c, size_t i) { return &c->sser[i]; }
const iof__corr_series *iof__corr_traffic(const iof__corr *c, size_t i) { return &c->tser[i]; }
