/* iotflow correlate PATH...: traffic of captures (their timeline, pipeline/tlrun.h) or of
 * written timeline tables (the dataset readers) against a sensor readings file; the ranked
 * table, the CSV and the plot. The scoring is analysis/correlate.h. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/correlate.h"
#include "analysis/corrplot.h"
#include "common/err.h"
#include "common/timefmt.h"
#include "dataset/dataset.h"
#include "flow/inventory.h"
#include "iotflow/iotflow.h"
#include "kinds/addrtext.h"
#include "kinds/timeline.h"
#include "output/outfile.h"
#include "pipeline/tlrun.h"
#include "sensors/sensors.h"

#define NS 1000000000LL

void iof_correlate_options_init(iof_correlate_options *o)
{
    memset(o, 0, sizeof(*o));
    iof__xcorr_config xc; /* the scoring defaults have one owner */
    iof__xcorr_config_init(&xc);
    o->max_lag = xc.max_lag;
    o->threshold = xc.threshold;
    o->alpha = xc.alpha;
    o->shifts = xc.shifts;
    o->confirm_shifts = xc.confirm_shifts;
    o->seed = xc.seed;
    o->tolerance_s = 2;
    o->top = 20;
}

typedef struct cctx {
    iof__corr *c;
    const iof_correlate_options *o;
    char *err;
    size_t errlen;
    uint64_t rows;
    bool said;                 /* the error was already passed to on_message */
    int input_rc;              /* a capture was damaged after some frames: the run's error */
    char input_err[1024];
} cctx;

static int add_row(void *ctx, int64_t sec_ns, const char *device, size_t len, const uint64_t counts[6])
{
    cctx *x = ctx;
    x->rows++;
    return iof__corr_add(x->c, sec_ns, device, len, counts, x->err, x->errlen);
}

/* A count of a timeline file: an integer >= 0 (text formats: digits only). */
static bool count_of(const iof__value *v, uint64_t *out)
{
    if (v->null)
        return false;
    if (v->p) {
        if (v->len == 0 || v->len > 19)
            return false;
        uint64_t n = 0;
        for (uint32_t i = 0; i < v->len; i++) {
            if (v->p[i] < '0' || v->p[i] > '9')
                return false;
            n = n * 10 + (uint64_t)(v->p[i] - '0');
        }
        *out = n;
        return true;
    }
    if (v->i < 0)
        return false;
    *out = (uint64_t)v->i;
    return true;
}

/* One timeline table file (any format): its rows into the counts. */
static int read_file(void *ctx, const char *path, char *err, size_t errlen)
{
    cctx *x = ctx;
    iof__colnames names[IOF_TL_COL_COUNTS + IOF_CORR_METRICS];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        names[i] = (iof__colnames){ .wide = iof__tl_column(i), .nested = iof__tl_column(i) };
    iof__ds_reader *r;
    int rc = iof__ds_open(&r, path, err, errlen);
    if (rc != IOF_OK)
        return rc;
    if ((rc = iof__ds_want(r, names, sizeof(names) / sizeof(names[0]), sizeof(names) / sizeof(names[0]))) != IOF_OK) {
        iof__fail(err, errlen, rc, "%s (correlate reads timeline tables: extract --table timeline)",
                  iof__ds_errmsg(r));
        iof__ds_close(r);
        return rc;
    }
    uint64_t row = 0;
    while ((rc = iof__ds_next(r)) > 0) {
        row++;
        iof__value t, d, v;
        iof__ds_get(r, 0, &t);
        iof__ds_get(r, 1, &d);
        int64_t ns = 0;
        bool ok = !t.null && !d.null && d.p;
        if (ok && t.p) {
            ok = iof__time_parse_iso((const char *)t.p, t.len, &ns) == IOF_TIME_OK;
        } else if (ok) { /* Parquet: µs; checked before it is scaled */
            ok = t.i >= 0 && t.i <= IOF_CORR_MAX_TIME_NS / 1000;
            if (ok)
                ns = t.i * 1000;
        }
        uint64_t counts[IOF_CORR_METRICS];
        for (int m = 0; ok && m < IOF_CORR_METRICS; m++) {
            iof__ds_get(r, IOF_TL_COL_COUNTS + (size_t)m, &v);
            ok = count_of(&v, &counts[m]);
        }
        if (!ok) {
            rc = iof__fail(err, errlen, IOF_E_FORMAT, "%s: row %" PRIu64 ": a timestamp (1970-2261), device_id or count is missing or not valid",
                           path, row);
            break;
        }
        x->rows++;
        char why[256] = "";
        if ((rc = iof__corr_add(x->c, ns, (const char *)d.p, d.len, counts, why, sizeof(why))) != IOF_OK) {
            iof__fail(err, errlen, rc, "%s: row %" PRIu64 ": %s", path, row, why);
            break;
        }
    }
    if (rc < 0 && !err[0])
        iof__fail(err, errlen, rc, "%s", iof__ds_errmsg(r));
    iof__ds_close(r);
    return rc < 0 ? rc : IOF_OK;
}

#define say(o, ...) iof__say((o)->on_message, (o)->message_ctx, __VA_ARGS__)

static void sensor_warn(void *ctx, const char *msg)
{
    say((const iof_correlate_options *)ctx, "%s", msg);
}

static int load_inputs(cctx *x, const char *const *paths, size_t n, char *err, size_t errlen)
{
    iof__ds_list l;
    memset(&l, 0, sizeof(l));
    int rc = iof__ds_list_paths(&l, paths, n, x->o->on_message, x->o->message_ctx, err, errlen);
    if (rc != IOF_OK)
        goto done;
    if (l.n_captures && l.n_files) {
        /* a directory of captures often holds CSV files too (synth's sensors.csv, devices.csv):
         * the captures are the traffic; tables are read only when no capture is given */
        say(x->o, "%zu table file(s) beside the captures ignored (first: %s): reading the captures", l.n_files,
            l.files[0]);
    }
    if (!l.n_captures && !l.n_files) {
        rc = iof__fail(err, errlen, IOF_E_INVAL, "no capture or timeline table under the given paths");
        goto done;
    }
    if (!l.n_captures) {
        rc = iof__ds_each_file(&l, read_file, x, x->o->on_message, x->o->message_ctx, err, errlen);
        x->said = rc != IOF_OK; /* each file's error went to on_message */
        if ((rc == IOF_E_FORMAT || rc == IOF_E_IO) && x->rows) { /* as for captures: the rest is used */
            x->input_rc = rc;
            snprintf(x->input_err, sizeof(x->input_err), "a table could not be read (above)");
            x->said = false;
            err[0] = '\0';
            rc = IOF_OK;
        }
        goto done;
    }
    iof_config cfg;
    iof_config_init(&cfg);
    cfg.inputs = (const char *const *)l.captures;
    cfg.n_inputs = l.n_captures;
    cfg.devices_file = x->o->devices_file;
    cfg.on_message = x->o->on_message;
    cfg.message_ctx = x->o->message_ctx;
    cfg.threads = 1;
    iof__tlrun_stats st;
    rc = iof__tlrun_captures(&cfg, add_row, x, &st, err, errlen);
    if (rc == IOF_OK && st.input_damaged) /* the result is printed, then the run exits 2 */
        x->input_rc = st.input_rc, snprintf(x->input_err, sizeof(x->input_err), "%s", err), err[0] = '\0';
done:
    iof__ds_list_free(&l);
    return rc;
}

static void fmt_p(char *b, size_t n, double p, const iof__xcorr_result *r)
{
    if (r->null_n)
        snprintf(b, n, p >= 1e-4 ? "%.4f" : "%.1e", p);
    else
        snprintf(b, n, "-");
}

static void print_table(const iof__corr *c, const iof_correlate_options *o, const iof__xcorr_config *xc, FILE *out)
{
    iof__corr_summary s;
    iof__corr_get_summary(c, &s);
    char from[40];
    iof__utc_text(from, sizeof(from), s.t0_ns / 1000, false);
    fprintf(out, "iotflow correlate: %zu s of traffic from %s (%zu s with rows), %zu traffic device(s), %zu sensor device(s)\n",
            s.nsec, from, s.covered, s.traffic_devices, s.sensor_devices);
    fprintf(out, "  series paired: traffic %zu of %zu, sensors %zu of %zu (fewer than %zu events, or bursts for a sparse series: not paired)\n",
            s.traffic_paired, s.traffic_series, s.sensor_paired, s.sensor_series, xc->min_events);
    fprintf(out, "  pairs: %zu, significant: %zu (z >= %g over a shifted-copy null, |r| above every copy, and "
            "p_adj <= %g: Holm over the run's pairs; lags -%d..+%d s; lag > 0: traffic follows the sensor)\n",
            s.pairs, s.significant, o->threshold, o->alpha, o->max_lag, o->max_lag);
    size_t n = s.pairs;
    if (o->top && n > o->top)
        n = o->top;
    if (!n)
        return;
    fprintf(out, "\n  %4s  %-16s %-12s %-6s  %-16s %-11s %6s %7s %7s %7s %7s  %s\n", "rank", "sensor_device", "sensor",
            "series", "traffic_device", "traffic", "lag_s", "r", "z", "p", "p_adj", "significant");
    for (size_t i = 0; i < n; i++) {
        const iof__corr_pair *p = iof__corr_pair_at(c, i);
        const iof__corr_series *y = iof__corr_sensor(c, p->sensor), *x = iof__corr_traffic(c, p->traffic);
        char pb[16], pa[16];
        fmt_p(pb, sizeof(pb), p->res.p, &p->res);
        fmt_p(pa, sizeof(pa), p->res.p_adj, &p->res);
        char lag[16] = "-", r[16] = "-";
        if (p->res.defined) {
            snprintf(lag, sizeof(lag), "%d", p->res.best_lag);
            snprintf(r, sizeof(r), "%.3f", p->res.best_r);
        }
        fprintf(out, "  %4zu  %-16s %-12s %-6s  %-16s %-11s %6s %7s %7.1f %7s %7s  %s\n", i + 1, y->device, y->name,
                y->kind, x->device, x->name, lag, r, p->res.z, pb, pa,
                p->res.significant ? "yes" : p->res.null_n ? "no" : "no (no null)");
    }
    if (n < s.pairs)
        fprintf(out, "  ... %zu more pair(s) (--top 0 or --csv lists them all)\n", s.pairs - n);
}

static void csv_text(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void print_csv(const iof__corr *c, FILE *out)
{
    fputs("sensor_device,sensor,traffic_device,traffic,lag_s,score,r,p,significant,sensor_series,null_n,"
          "null_mean,null_sd,sensor_events,traffic_events,p_tail,p_adj\n", out);
    for (size_t i = 0; i < iof__corr_npairs(c); i++) {
        const iof__corr_pair *p = iof__corr_pair_at(c, i);
        const iof__corr_series *y = iof__corr_sensor(c, p->sensor), *x = iof__corr_traffic(c, p->traffic);
        csv_text(out, y->device);
        fputc(',', out);
        csv_text(out, y->name);
        fputc(',', out);
        csv_text(out, x->device);
        fprintf(out, ",%s,", x->name);
        if (p->res.defined) /* r undefined at every lag (too few pairs, a flat side): empty, not 0 */
            fprintf(out, "%d,%.3f,%.4f,", p->res.best_lag, p->res.z, p->res.best_r);
        else
            fprintf(out, ",%.3f,,", p->res.z);
        fprintf(out, "%.4f,%s,%s,%d,%.4f,%.4f,%zu,%zu,%.3g,%.3g\n", p->res.p, p->res.significant ? "true" : "false",
                y->kind, p->res.null_n, p->res.null_mean, p->res.null_sd, y->events, x->events, p->res.p_tail,
                p->res.p_adj);
    }
}

/* Values the plot's series hold at most (8 B each: 256 MiB): twelve pairs of a 16-day span; a
 * longer span draws fewer pairs (each pair needs its two whole series to find its events). */
#define PLOT_MAX_VALUES (1u << 25)

/* The SVG of the top pairs, written whole to a temporary file and published under its name. */
static int write_plot(const iof__corr *c, const iof__sensors *s, const iof_correlate_options *o, int64_t tol,
                      const char *title, char *err, size_t errlen)
{
    struct stat sb;
    /* a rename over a device, a pipe or a symlink's target would replace it (as root, /dev/full) */
    if (strcmp(o->plot_path, "-") == 0 || (lstat(o->plot_path, &sb) == 0 && !S_ISREG(sb.st_mode)))
        return iof__fail(err, errlen, IOF_E_OUTPUT, "--plot %s: give the path of a regular file to write", o->plot_path);
    iof__corr_summary sum;
    iof__corr_get_summary(c, &sum);
    size_t nsec = sum.nsec ? sum.nsec : 1, n = iof__corr_npairs(c), L2 = 2 * (size_t)o->max_lag + 1;
    if (n > IOF_CORRPLOT_MAX_PAIRS)
        n = IOF_CORRPLOT_MAX_PAIRS;
    if (n > PLOT_MAX_VALUES / (2 * nsec))
        n = PLOT_MAX_VALUES / (2 * nsec);
    iof__corrplot_pair pp[IOF_CORRPLOT_MAX_PAIRS];
    double *vals = malloc((2 * n * nsec + n * L2 + 1) * sizeof(double));
    char *doc = NULL;
    size_t doclen = 0;
    int rc = IOF_OK;
    FILE *mem = NULL;
    if (!vals) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory for the plot");
        goto done;
    }
    for (size_t i = 0; i < n && rc == IOF_OK; i++) {
        const iof__corr_pair *p = iof__corr_pair_at(c, i);
        const iof__corr_series *y = iof__corr_sensor(c, p->sensor), *x = iof__corr_traffic(c, p->traffic);
        double *yv = vals + 2 * i * nsec, *xv = yv + nsec, *r = vals + 2 * n * nsec + i * L2;
        iof__corr_sensor_values(c, s, tol, p->sensor, yv);
        iof__corr_traffic_values(c, p->traffic, xv);
        rc = iof__corr_r_curve(c, i, r);
        pp[i] = (iof__corrplot_pair){ .sensor_device = y->device, .sensor = y->name, .sensor_series = y->kind,
                                      .traffic_device = x->device, .traffic = x->name, .res = p->res, .r = r,
                                      .y = yv, .x = xv };
    }
    if (rc != IOF_OK) {
        iof__fail(err, errlen, rc, "out of memory for the plot");
        goto done;
    }
    iof__corrplot plot = { .pairs = pp, .n = n, .max_lag = o->max_lag, .threshold = o->threshold,
                           .t0_ns = sum.t0_ns, .nsec = sum.nsec, .title = title };
    if (!(mem = open_memstream(&doc, &doclen))) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory for the plot");
        goto done;
    }
    rc = iof__corrplot_svg(mem, &plot);
    if (fclose(mem) != 0 && rc == IOF_OK)
        rc = IOF_E_NOMEM;
    if (rc != IOF_OK) {
        iof__fail(err, errlen, rc, "cannot draw the plot: %s", iof_strerror(rc));
        goto done;
    }
    iof__outfile *f;
    if ((rc = iof__outfile_open(&f, o->plot_path, err, errlen)) != IOF_OK)
        goto done;
    if ((rc = iof__outfile_write(f, doc, doclen)) != IOF_OK) {
        snprintf(err, errlen, "%s", iof__outfile_errmsg(f));
        iof__outfile_abort(f);
        rc = IOF_E_OUTPUT;
    } else if ((rc = iof__outfile_commit(f, err, errlen)) != IOF_OK) { /* commit frees f */
        rc = IOF_E_OUTPUT;
    }
done:
    free(doc);
    free(vals);
    return rc;
}

iof_err iof_correlate_paths(const char *const *paths, size_t n, const iof_correlate_options *o, FILE *out,
                            size_t *significant, char *err, size_t errlen)
{
    *significant = 0;
    err[0] = '\0';
    if (!o->sensors_file)
        return (iof_err)iof__fail(err, errlen, IOF_E_INVAL, "--sensors FILE is required");
    if (o->max_lag < 1 || o->max_lag > IOF_XCORR_MAX_LAG)
        return (iof_err)iof__fail(err, errlen, IOF_E_INVAL, "--max-lag must be 1..%d seconds", IOF_XCORR_MAX_LAG);
    if (iof__sensors_tolerance_ns(o->tolerance_s) < 0)
        return (iof_err)iof__fail(err, errlen, IOF_E_INVAL, "--tolerance must be 0..%g seconds",
                                  IOF_SENSORS_MAX_TOLERANCE_S);
    if (!(o->threshold > 0 && o->threshold < 1000))
        return (iof_err)iof__fail(err, errlen, IOF_E_INVAL, "--threshold must be a z above 0");
    if (!(o->alpha > 0 && o->alpha <= 1))
        return (iof_err)iof__fail(err, errlen, IOF_E_INVAL, "--alpha must be above 0 and at most 1");
    iof__xcorr_config xc;
    iof__xcorr_config_init(&xc);
    xc.max_lag = o->max_lag;
    xc.threshold = o->threshold;
    xc.alpha = o->alpha;
    xc.shifts = o->shifts;
    xc.confirm_shifts = o->confirm_shifts;
    xc.seed = o->seed;
    if (xc.shifts < 2 || xc.shifts > IOF_XCORR_MAX_SHIFTS || xc.confirm_shifts < 0 ||
        xc.confirm_shifts > IOF_XCORR_MAX_SHIFTS)
        return (iof_err)iof__fail(err, errlen, IOF_E_INVAL, "--shifts must be 2..%d (confirmation 0..%d)",
                                  IOF_XCORR_MAX_SHIFTS, IOF_XCORR_MAX_SHIFTS);
    iof__inventory *inv = NULL;
    iof__sensors *s = NULL;
    iof__corr *c = NULL;
    int rc = IOF_OK;
    cctx x = { .o = o, .err = err, .errlen = errlen };
    /* the inventory and the sensor file are configuration (docs/SENSORS.md, exit codes): any
     * problem reading them is a usage error, not an input error */
    iof__sensors_config sc = { .warn = sensor_warn, .warn_ctx = (void *)o };
    iof__sensors_stats ss;
    if ((o->devices_file && (rc = iof__inventory_load(&inv, o->devices_file, err, errlen)) != IOF_OK) ||
        (sc.inv = inv, rc = iof__sensors_load(o->sensors_file, &sc, &s, &ss, err, errlen)) != IOF_OK) {
        if (rc == IOF_E_IO || rc == IOF_E_FORMAT)
            rc = IOF_E_INVAL;
        goto done;
    }
    if ((rc = iof__device_ids_refuse(inv, o->devices_file,
                                     "correlate keeps a series per device name, so the two would be one", err,
                                     errlen)) != IOF_OK) /* the series are per device_id */
        goto done;
    uint64_t skipped = iof__sensors_skipped(&ss);
    if (skipped || ss.bad_values)
        say(o, "%s: %" PRIu64 " row(s) skipped, %" PRIu64 " value(s) not a number (first: %s)", o->sensors_file, skipped,
            ss.bad_values, ss.first_problem);
    if ((rc = iof__corr_create(&c, &xc)) != IOF_OK)
        goto done;
    x.c = c;
    if ((rc = load_inputs(&x, paths, n, err, errlen)) != IOF_OK)
        goto done;
    iof__corr_summary sum;
    iof__corr_get_summary(c, &sum);
    if (sum.nsec == 0) {
        rc = iof__fail(err, errlen, IOF_E_INVAL, "no traffic of any device in the inputs");
        goto done;
    }
    int64_t tol = iof__sensors_tolerance_ns(o->tolerance_s);
    if ((rc = iof__corr_run(c, s, tol, o->threads, err, errlen)) != IOF_OK)
        goto done;
    iof__corr_get_summary(c, &sum);
    if (sum.sensor_series && !sum.sensor_overlap) {
        char a[40], b[40], sa[40], sb[40];
        iof__utc_text(a, sizeof(a), sum.t0_ns / 1000, false);
        iof__utc_text(b, sizeof(b), (sum.t0_ns + (int64_t)sum.nsec * NS) / 1000, false);
        iof__utc_text(sa, sizeof(sa), ss.t_min / 1000, false);
        iof__utc_text(sb, sizeof(sb), ss.t_max / 1000, false);
        rc = iof__fail(err, errlen, IOF_E_INVAL,
                       "%s: no reading falls inside the traffic's time span (traffic %s .. %s, readings %s .. %s)",
                       o->sensors_file, a, b, sa, sb);
        goto done;
    }
    if (sum.covered < iof__xcorr_min_present(&xc))
        say(o, "the traffic covers %zu s: at --max-lag %d a pair needs %zu s of values for its null "
               "(2 x max(10 x lag, 600) + shifts), so no pair can be significant: give at least that "
               "much traffic", sum.covered, o->max_lag, iof__xcorr_min_present(&xc));
    *significant = sum.significant;
    if (o->csv)
        print_csv(c, out);
    else
        print_table(c, o, &xc, out);
    if (o->plot_path) {
        char title[512];
        snprintf(title, sizeof(title), "iotflow correlate: %s against %s%s", n ? paths[0] : "", o->sensors_file,
                 n > 1 ? " and more inputs" : "");
        rc = write_plot(c, s, o, tol, title, err, errlen);
    }
    if (rc == IOF_OK && (fflush(out) != 0 || ferror(out)))
        rc = iof__fail(err, errlen, IOF_E_OUTPUT, "cannot write the result");
    if (rc == IOF_OK && x.input_rc) /* as extract: the result of what was read, then exit 2 */
        rc = iof__fail(err, errlen, x.input_rc, "%s (the pairs above come from the traffic read before it)",
                       x.input_err);
done:
    if (rc != IOF_OK && x.said)
        err[0] = '\0'; /* already passed to on_message */
    iof__corr_free(c);
    iof__sensors_free(s);
    iof__inventory_free(inv);
    return (iof_err)rc;
}
