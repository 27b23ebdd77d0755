/* iotflow audit PATH...: the leakage audit (analysis/audit.h) over labelled iotflow outputs
 * (Parquet, CSV, JSON Lines; read through the dataset module), one variant at a time. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/audit.h"
#include "common/err.h"
#include "dataset/dataset.h"
#include "iotflow/iotflow.h"
#include "kinds/customflow.h"
#include "kinds/labelcols.h"
#include "output/textbuf.h"

/* The columns audited: the custom-flow record's identifiers and base measures. */
enum { C_DEVICE, C_DEVNAME, C_DEVTYPE, C_DEVIP, C_REMIP, C_PROTO, C_DEVPORT, C_REMPORT, C_TIME,
       C_BYTES, C_PACKETS, NCOLS };
static const struct {
    iof__cf_col cf;
    iof__audit_kind kind;
    const char *cls;      /* what the column is, for the reader of the table */
    bool artefact;        /* an identifier of the environment or the capture: a leak if it
                             separates the labels; else a property of the traffic itself */
} cols[NCOLS] = {
    [C_DEVICE] = { IOF__CF_DEVICE, IOF_AUDIT_CATEGORICAL, "device", true },
    [C_DEVNAME] = { IOF__CF_DEVNAME, IOF_AUDIT_CATEGORICAL, "device", true },
    [C_DEVTYPE] = { IOF__CF_DEVTYPE, IOF_AUDIT_CATEGORICAL, "device", true },
    [C_DEVIP] = { IOF__CF_DEVIP, IOF_AUDIT_CATEGORICAL, "address", true },
    [C_REMIP] = { IOF__CF_REMIP, IOF_AUDIT_CATEGORICAL, "address", true },
    [C_PROTO] = { IOF__CF_PROTO, IOF_AUDIT_CATEGORICAL, "protocol", true },
    [C_DEVPORT] = { IOF__CF_DEVPORT, IOF_AUDIT_CATEGORICAL, "port", true },
    [C_REMPORT] = { IOF__CF_REMPORT, IOF_AUDIT_CATEGORICAL, "port", true },
    [C_TIME] = { IOF__CF_FIRST_SEEN, IOF_AUDIT_ORDERED, "time", true },
    [C_BYTES] = { IOF__CF_BYTES, IOF_AUDIT_ORDERED, "traffic", false },
    [C_PACKETS] = { IOF__CF_PACKETS, IOF_AUDIT_ORDERED, "traffic", false },
};
/* reader order: the label, then the columns; device name/type and device_ip are optional */
static const int optional_col[] = { C_DEVNAME, C_DEVTYPE, C_DEVIP };

static iof__colnames col_names(int c)
{
    return iof__cf_col_names(cols[c].cf);
}

static bool is_optional(int c)
{
    for (size_t i = 0; i < sizeof(optional_col) / sizeof(optional_col[0]); i++)
        if (optional_col[i] == c)
            return true;
    return false;
}

typedef struct audit_run {
    const iof_audit_options *o;
    iof__audit *a;
    int order[NCOLS];      /* reader index k-1 -> column (required first) */
    bool present[NCOLS];   /* some file had the column (optional ones) */
    uint64_t files, files_other_variant;
} audit_run;

static int audit_file(void *ctx, const char *path, char *err, size_t errlen)
{
    audit_run *ar = ctx;
    iof__colnames names[1 + NCOLS];
    names[0] = (iof__colnames){ .wide = ar->o->label, .nested = ar->o->label, .type = IOF_VT_STRING };
    size_t nreq = 1;
    for (int c = 0; c < NCOLS; c++)
        if (!is_optional(c))
            ar->order[nreq - 1] = c, names[nreq++] = col_names(c);
    size_t k = nreq;
    for (int c = 0; c < NCOLS; c++)
        if (is_optional(c))
            ar->order[k - 1] = c, names[k++] = col_names(c);
    iof__ds_reader *r;
    int rc = iof__ds_open(&r, path, err, errlen);
    if (rc != IOF_OK)
        return rc;
    if (iof__ds_variant(r) != ar->o->variant) {
        ar->files_other_variant++;
        iof__ds_close(r);
        return IOF_OK;
    }
    if ((rc = iof__ds_want(r, names, 1 + NCOLS, nreq)) != IOF_OK) {
        iof__fail(err, errlen, rc, "%s%s", iof__ds_errmsg(r),
                  strstr(iof__ds_errmsg(r), ar->o->label) && !iof__ds_kv(r, "iotflow.table")
                      ? " (give the label key with --label)" : "");
        iof__ds_close(r);
        return rc;
    }
    ar->files++;
    while ((rc = iof__ds_next(r)) > 0) {
        iof__value lv, v;
        iof__audit_val vals[NCOLS];
        iof__ds_get(r, 0, &lv);
        for (size_t i = 1; i <= NCOLS; i++) {
            int c = ar->order[i - 1];
            iof__ds_get(r, i, &v);
            iof__audit_val *x = &vals[c];
            memset(x, 0, sizeof *x);
            x->null = v.null;
            if (!v.null) {
                ar->present[c] = true;
                x->i = v.i;
                x->is_bytes = cols[c].kind == IOF_AUDIT_CATEGORICAL && v.p != NULL;
                x->p = v.p;
                x->len = v.len;
            }
        }
        rc = iof__audit_add(ar->a, lv.null ? NULL : lv.p ? lv.p : (const uint8_t *)"", lv.null ? 0 : lv.len, vals);
        if (rc != IOF_OK) {
            iof__fail(err, errlen, rc, "%s: %s", path,
                      rc == IOF_E_LIMIT ? "more than 65,536 distinct labels" : "out of memory");
            break;
        }
    }
    if (rc < 0 && !err[0])
        iof__fail(err, errlen, rc, "%s", iof__ds_errmsg(r));
    iof__ds_close(r);
    return rc < 0 ? rc : IOF_OK;
}

typedef struct ranked {
    int col;
    iof__audit_col_result res;
} ranked;

/* The column's strength: its overall score or, when larger, the one label it gives away. */
static double strength(const ranked *q)
{
    if (isnan(q->res.score))
        return NAN;
    return q->res.best_j > q->res.score ? q->res.best_j : q->res.score;
}

static int rank_cmp(const void *x, const void *y)
{
    const ranked *a = x, *b = y;
    double sa = isnan(strength(a)) ? -INFINITY : strength(a), sb = isnan(strength(b)) ? -INFINITY : strength(b);
    if (sa != sb)
        return sa > sb ? -1 : 1;
    return a->col - b->col;
}

static const char *flag_of(const audit_run *ar, const ranked *q)
{
    if (isnan(strength(q)) || strength(q) < ar->o->threshold)
        return "";
    return cols[q->col].artefact ? "LEAK" : "strong";
}

static void print_table(const audit_run *ar, const ranked *rk, size_t n, FILE *out)
{
    fprintf(out, "\n  %-12s %-9s %7s %9s %9s %9s  %-26s %s\n", "column", "class", "score", "bal.acc", "rows",
            "distinct", "gives away (informedness)", "flag");
    for (size_t i = 0; i < n; i++) {
        const ranked *q = &rk[i];
        char score[16] = "-", ba[16] = "-", away[64] = "-";
        if (!isnan(q->res.score)) {
            snprintf(score, sizeof score, "%.3f", q->res.score);
            snprintf(ba, sizeof ba, "%.3f", q->res.balanced_accuracy);
            snprintf(away, sizeof away, "%.18s %.3f", iof__audit_label(ar->a, q->res.best_label, NULL), q->res.best_j);
        }
        fprintf(out, "  %-12s %-9s %7s %9s %9" PRIu64 " %9" PRIu64 "  %-26s %s\n", col_names(q->col).nested,
                cols[q->col].cls, score, ba, q->res.rows, q->res.distinct, away, flag_of(ar, q));
    }
}

static void put_double(iof__tbuf *b, const char *k, double v)
{
    iof__tb_putc(b, ',');
    iof__tb_json_str(b, (const uint8_t *)k, strlen(k));
    iof__tb_putc(b, ':');
    if (isnan(v))
        iof__tb_puts(b, "null");
    else
        iof__tb_fixed(b, v, 6);
}

/* Labels for printing: most records first, then by text (not in the order rows were read). */
static const iof__audit *sort_ctx;
static int label_cmp(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    uint64_t ra, rb;
    const char *ta = iof__audit_label(sort_ctx, a, &ra), *tb = iof__audit_label(sort_ctx, b, &rb);
    if (ra != rb)
        return ra > rb ? -1 : 1;
    return strcmp(ta, tb);
}

static size_t *sorted_labels(const iof__audit *a)
{
    size_t n = iof__audit_nlabels(a);
    size_t *ix = malloc((n ? n : 1) * sizeof *ix);
    if (!ix)
        return NULL;
    for (size_t i = 0; i < n; i++)
        ix[i] = i;
    sort_ctx = a;
    qsort(ix, n, sizeof *ix, label_cmp);
    return ix;
}

static int print_json(const audit_run *ar, const ranked *rk, size_t n, uint64_t kept, uint64_t over,
                      uint64_t unl, FILE *out)
{
    iof__tbuf b = { 0 };
    iof__tb_puts(&b, "{");
    iof__tb_kv_str(&b, "label", ar->o->label, false);
    iof__tb_kv_str(&b, "variant", ar->o->variant ? "unidirectional" : "bidirectional", true);
    iof__tb_kv_u64(&b, "files", ar->files, true);
    iof__tb_kv_u64(&b, "files_other_variant", ar->files_other_variant, true);
    iof__tb_kv_u64(&b, "records", kept, true);
    iof__tb_kv_u64(&b, "records_over_max_rows", over, true);
    iof__tb_kv_u64(&b, "records_unlabelled", unl, true);
    iof__tb_kv_u64(&b, "shuffle_seed", ar->o->shuffle_seed, true);
    put_double(&b, "threshold", ar->o->threshold);
    iof__tb_puts(&b, ",\"labels\":[");
    size_t *ix = sorted_labels(ar->a);
    for (size_t i = 0; ix && i < iof__audit_nlabels(ar->a); i++) {
        uint64_t rows;
        const char *l = iof__audit_label(ar->a, ix[i], &rows);
        iof__tb_puts(&b, i ? ",{" : "{");
        iof__tb_kv_str(&b, "value", l, false);
        iof__tb_kv_u64(&b, "records", rows, true);
        iof__tb_putc(&b, '}');
    }
    iof__tb_puts(&b, "],\"columns\":[");
    for (size_t i = 0; i < n; i++) {
        const ranked *q = &rk[i];
        iof__tb_puts(&b, i ? ",{" : "{");
        iof__tb_kv_str(&b, "column", col_names(q->col).nested, false);
        iof__tb_kv_str(&b, "class", cols[q->col].cls, true);
        put_double(&b, "score", q->res.score);
        put_double(&b, "balanced_accuracy", q->res.balanced_accuracy);
        iof__tb_kv_str(&b, "gives_away", isnan(q->res.score) ? NULL : iof__audit_label(ar->a, q->res.best_label, NULL), true);
        put_double(&b, "informedness", q->res.best_j);
        iof__tb_kv_u64(&b, "rows", q->res.rows, true);
        iof__tb_kv_u64(&b, "distinct", q->res.distinct, true);
        const char *f = flag_of(ar, q);
        iof__tb_kv_str(&b, "flag", f[0] ? f : NULL, true);
        iof__tb_putc(&b, '}');
    }
    iof__tb_puts(&b, "]}\n");
    int rc = b.oom || !ix ? IOF_E_NOMEM : IOF_OK;
    free(ix);
    if (rc == IOF_OK)
        fwrite(b.p, 1, b.len, out);
    iof__tb_free(&b);
    return rc;
}

iof_err iof_audit_paths(const char *const *paths, size_t n, const iof_audit_options *o, FILE *out,
                        iof_message_fn on_message, void *message_ctx, size_t *leaks, char *err, size_t errlen)
{
    audit_run ar;
    memset(&ar, 0, sizeof ar);
    ar.o = o;
    *leaks = 0;
    iof__audit_kind kinds[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        kinds[c] = cols[c].kind;
    iof__ds_list l;
    memset(&l, 0, sizeof l);
    int rc = iof__audit_create(&ar.a, NCOLS, kinds, o->max_rows);
    if (rc == IOF_OK)
        rc = iof__ds_list_paths(&l, paths, n, on_message, message_ctx, err, errlen);
    if (rc != IOF_OK)
        goto done;
    if (l.n_captures) {
        rc = iof__fail(err, errlen, IOF_E_INVAL,
                       "%s is a capture: audit reads labelled iotflow outputs (extract --rules first)", l.captures[0]);
        goto done;
    }
    int first = iof__ds_each_file(&l, audit_file, &ar, on_message, message_ctx, err, errlen);
    uint64_t kept, over, unl;
    iof__audit_counts(ar.a, &kept, &over, &unl);
    if (kept == 0) {
        rc = first != IOF_OK ? first
                             : iof__fail(err, errlen, IOF_E_INVAL, "no labelled %s record in %zu file(s)",
                                         o->variant ? "unidirectional" : "bidirectional", l.n_files);
        goto done;
    }
    iof__audit_col_result res[NCOLS];
    if ((rc = iof__audit_score(ar.a, o->shuffle_seed, res)) != IOF_OK) {
        iof__fail(err, errlen, rc, "out of memory while scoring");
        goto done;
    }
    ranked rk[NCOLS];
    size_t nr = 0;
    for (int c = 0; c < NCOLS; c++)
        if (!is_optional(c) || ar.present[c])
            rk[nr++] = (ranked){ c, res[c] };
    qsort(rk, nr, sizeof rk[0], rank_cmp);
    for (size_t i = 0; i < nr; i++)
        *leaks += strcmp(flag_of(&ar, &rk[i]), "LEAK") == 0;
    if (o->json) {
        rc = print_json(&ar, rk, nr, kept, over, unl, out);
    } else {
        fprintf(out, "iotflow audit: %" PRIu64 " %s record(s) from %" PRIu64 " file(s), label \"%s\"%s\n", kept,
                o->variant ? "unidirectional" : "bidirectional", ar.files, o->label,
                o->shuffle_seed ? " (labels shuffled: the control)" : "");
        fprintf(out, "  labels:");
        size_t *ix = sorted_labels(ar.a);
        for (size_t i = 0; ix && i < iof__audit_nlabels(ar.a) && i < 20; i++) {
            uint64_t rows;
            const char *lab = iof__audit_label(ar.a, ix[i], &rows);
            fprintf(out, "%s %s %" PRIu64, i ? "," : "", lab, rows);
        }
        free(ix);
        fprintf(out, "%s\n", iof__audit_nlabels(ar.a) > 20 ? ", ..." : "");
        if (ar.files_other_variant)
            fprintf(out, "  %" PRIu64 " file(s) of the other variant skipped (--variant)\n", ar.files_other_variant);
        if (over)
            fprintf(out, "  %" PRIu64 " record(s) beyond --max-rows %" PRIu64 " not scored\n", over, o->max_rows);
        if (unl)
            fprintf(out, "  %" PRIu64 " record(s) without a label (null) not scored\n", unl);
        print_table(&ar, rk, nr, out);
        fprintf(out, "\nscore: chance-corrected balanced accuracy of the column alone, leave-one-out (0 chance,\n"
                     "1 perfect); gives away: the label it finds best, informedness TPR - FPR. Flagged at %.2f.\n",
                ar.o->threshold);
        fprintf(out, "verdict: %s\n",
                *leaks ? "LEAK: the columns flagged LEAK separate the labels on their own (>= threshold): "
                         "an artefact of how the data was made; drop them or check the labelling"
                       : "OK: no identifier column separates the labels on its own");
    }
    if (rc == IOF_OK)
        rc = first;
done:
    iof__ds_list_free(&l);
    iof__audit_free(ar.a);
    return (iof_err)rc;
}
