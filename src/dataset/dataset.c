/* Datasets: finding and reading back iotflow outputs (see dataset.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/source.h"
#include "common/csv.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/json.h"
#include "dataset/dataset.h"
#include "kinds/customflow.h"
#include "output/parquet/pq_reader.h"

#define DS_ERRLEN 1024
#define DS_MAX_MEMBERS IOF_MAX_COLUMNS  /* members of one JSON Lines row / fields of a CSV row */
#define DS_STR_SCRATCH 4096             /* decoded JSON strings of one row's wanted columns */

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

iof__ds_format iof__ds_format_of(const char *path)
{
    if (ends_with(path, ".parquet"))
        return IOF__DS_PARQUET;
    if (ends_with(path, ".jsonl"))
        return IOF__DS_JSONL;
    if (ends_with(path, ".csv"))
        return IOF__DS_CSV;
    return IOF__DS_NONE;
}

/* ---- listing ----------------------------------------------------------------------- */

static int add(char ***v, size_t *n, size_t *cap, const char *path)
{
    IOF_TRY(iof__grow((void **)v, cap, *n + 1, sizeof **v, IOF_DS_MAX_FILES));
    if (!((*v)[*n] = strdup(path)))
        return IOF_E_NOMEM;
    (*n)++;
    return IOF_OK;
}

/* Joy files (-f joy): listed for rewriting only (iof__ds_list_paths_all); no reader here. */
static bool is_joy(const char *path) { return ends_with(path, ".json.gz"); }

static int found(void *ctx, const char *path)
{
    iof__ds_list *l = ctx;
    if (iof__ds_format_of(path) != IOF__DS_NONE || (l->with_joy && is_joy(path)))
        return add(&l->files, &l->n_files, &l->cap_files, path);
    char why[128];
    if (!iof__capture_sniff(path, why, sizeof why))
        return add(&l->captures, &l->n_captures, &l->cap_captures, path);
    return IOF_OK; /* something else in the directory (stats JSON, README, ...) */
}

static int cmp_path(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int fmt_rank(const char *p) { return (int)iof__ds_format_of(p); } /* parquet < jsonl < csv */

/* One listed file, for finding the files that hold records listed already: the file itself
 * (device and inode: a path given twice, through a symbolic link, as ./x or below a directory
 * also given) and its dataset (its directory's device and inode and its name without the
 * format's suffix: x.parquet, x.jsonl and x.csv side by side). */
typedef struct ds_ent {
    dev_t dev, ddev;
    ino_t ino, dino;
    bool known;           /* both stat() calls answered (else the file is never left out) */
    const char *stem;     /* its name, stem_len bytes without the format's suffix */
    size_t stem_len, idx;
    int rank;
    size_t keep;          /* left out for files[keep]; idx when kept */
    bool same_file;       /* left out as the same file, not as another format */
} ds_ent;

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

static int cmp_file(const void *x, const void *y)
{
    const ds_ent *a = x, *b = y;
    int c = cmp_u64((uint64_t)a->dev, (uint64_t)b->dev);
    if (!c)
        c = cmp_u64((uint64_t)a->ino, (uint64_t)b->ino);
    return c ? c : cmp_u64(a->idx, b->idx);
}

static int cmp_dataset(const void *x, const void *y)
{
    const ds_ent *a = x, *b = y;
    int c = cmp_u64((uint64_t)a->ddev, (uint64_t)b->ddev);
    if (!c)
        c = cmp_u64((uint64_t)a->dino, (uint64_t)b->dino);
    if (!c)
        c = cmp_u64(a->stem_len, b->stem_len);
    if (!c)
        c = memcmp(a->stem, b->stem, a->stem_len);
    if (!c)
        c = a->rank - b->rank;
    return c ? c : cmp_u64(a->idx, b->idx);
}

static bool same_file(const ds_ent *a, const ds_ent *b) { return a->dev == b->dev && a->ino == b->ino; }

static bool same_dataset(const ds_ent *a, const ds_ent *b)
{
    return a->ddev == b->ddev && a->dino == b->dino && a->stem_len == b->stem_len &&
           memcmp(a->stem, b->stem, a->stem_len) == 0;
}

static int ent_of(ds_ent *e, const char *path, size_t idx)
{
    memset(e, 0, sizeof(*e));
    e->idx = e->keep = idx;
    e->rank = fmt_rank(path);
    e->stem = iof__base_name(path);
    e->stem_len = (size_t)(strrchr(e->stem, '.') - e->stem);
    size_t dl = (size_t)(e->stem - path);
    char *dir = malloc(dl + 2);
    if (!dir)
        return IOF_E_NOMEM;
    if (dl == 0)
        strcpy(dir, ".");
    else
        snprintf(dir, dl + 1, "%s", path); /* with its trailing '/': "/" stays the root */
    struct stat f, d;
    e->known = stat(path, &f) == 0 && stat(dir, &d) == 0;
    free(dir);
    if (e->known)
        e->dev = f.st_dev, e->ino = f.st_ino, e->ddev = d.st_dev, e->dino = d.st_ino;
    return IOF_OK;
}

/* Leaves out every file whose records are listed already, and says which: a file listed
 * before (the same file by device and inode), then a dataset's other formats (the same
 * directory and name: Parquet, then JSON Lines, then CSV kept). The files kept stay in their
 * order. */
static int drop_repeats(iof__ds_list *l, iof_message_fn on_message, void *mctx)
{
    size_t n = l->n_files;
    if (n < 2)
        return IOF_OK;
    ds_ent *e = malloc(n * sizeof(*e));
    size_t *keep = malloc(n * sizeof(*keep));
    bool *same = calloc(n, sizeof(*same));
    int rc = e && keep && same ? IOF_OK : IOF_E_NOMEM;
    size_t m = 0; /* e[0..m): the files that can be compared */
    for (size_t i = 0; i < n && rc == IOF_OK; i++) {
        keep[i] = i;
        if ((rc = ent_of(&e[m], l->files[i], i)) == IOF_OK && e[m].known)
            m++;
    }
    if (rc == IOF_OK) {
        qsort(e, m, sizeof(*e), cmp_file);
        size_t w = 0;
        for (size_t i = 0; i < m; i++) {
            if (w && same_file(&e[i], &e[w - 1])) {
                keep[e[i].idx] = e[w - 1].idx, same[e[i].idx] = true;
                continue;
            }
            e[w++] = e[i]; /* the first listed of each file (sorted by idx within it) */
        }
        qsort(e, w, sizeof(*e), cmp_dataset);
        for (size_t i = 1, first = 0; i < w; i++) {
            if (same_dataset(&e[i], &e[first]))
                keep[e[i].idx] = e[first].idx;
            else
                first = i;
        }
        size_t named = 0, kept = 0;
        for (size_t i = 0; i < n; i++) {
            if (keep[i] != i && named++ < IOF_DS_MAX_NAMED)
                iof__say(on_message, mctx, same[i] ? "%s left out: the same file as %s (given twice)"
                                                   : "%s left out: the same records as %s in another format "
                                                     "(a dataset is read once: Parquet, then JSON Lines, then CSV)",
                         l->files[i], l->files[keep[i]]);
        }
        if (named > IOF_DS_MAX_NAMED)
            iof__say(on_message, mctx, "%zu more file(s) left out: the same file given twice, or the same "
                     "records in another format", named - IOF_DS_MAX_NAMED);
        for (size_t i = 0; i < n; i++) {
            if (keep[i] == i)
                l->files[kept++] = l->files[i];
            else
                free(l->files[i]);
        }
        l->n_files = kept;
    }
    free(e);
    free(keep);
    free(same);
    return rc;
}

static void sort_paths(char **v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_path);
}

static int list_paths(iof__ds_list *l, const char *const *paths, size_t n, bool all_formats,
                      iof_message_fn on_message, void *mctx, char *err, size_t errlen)
{
    memset(l, 0, sizeof(*l));
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        int rc;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &sb) != 0)
            return iof__fail(err, errlen, IOF_E_IO, "%s: %s", paths[i], strerror(errno));
        if (strcmp(paths[i], "-") != 0 && S_ISDIR(sb.st_mode)) {
            iof__ds_list sub = { .with_joy = all_formats };
            rc = iof__walk(paths[i], found, NULL, &sub, err, errlen);
            if (rc == IOF_OK) {
                sort_paths(sub.files, sub.n_files);
                sort_paths(sub.captures, sub.n_captures);
                for (size_t k = 0; k < sub.n_files && rc == IOF_OK; k++)
                    rc = add(&l->files, &l->n_files, &l->cap_files, sub.files[k]);
                for (size_t k = 0; k < sub.n_captures && rc == IOF_OK; k++)
                    rc = add(&l->captures, &l->n_captures, &l->cap_captures, sub.captures[k]);
            }
            iof__ds_list_free(&sub);
        } else if (iof__ds_format_of(paths[i]) != IOF__DS_NONE || (all_formats && is_joy(paths[i]))) {
            rc = add(&l->files, &l->n_files, &l->cap_files, paths[i]);
        } else {
            rc = add(&l->captures, &l->n_captures, &l->cap_captures, paths[i]);
        }
        if (rc == IOF_E_NOMEM || rc == IOF_E_LIMIT)
            return iof__fail(err, errlen, rc, "%s", rc == IOF_E_NOMEM ? "out of memory"
                                                                      : "too many files");
        if (rc != IOF_OK)
            return rc;
    }
    if (!all_formats && drop_repeats(l, on_message, mctx) != IOF_OK)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    return IOF_OK;
}

int iof__ds_list_paths(iof__ds_list *l, const char *const *paths, size_t n, iof_message_fn on_message,
                       void *message_ctx, char *err, size_t errlen)
{
    return list_paths(l, paths, n, false, on_message, message_ctx, err, errlen);
}

int iof__ds_list_paths_all(iof__ds_list *l, const char *const *paths, size_t n, char *err, size_t errlen)
{
    return list_paths(l, paths, n, true, NULL, NULL, err, errlen);
}

void iof__ds_list_free(iof__ds_list *l)
{
    for (size_t i = 0; i < l->n_files; i++)
        free(l->files[i]);
    for (size_t i = 0; i < l->n_captures; i++)
        free(l->captures[i]);
    free(l->files);
    free(l->captures);
    memset(l, 0, sizeof(*l));
}

/* ---- reading ----------------------------------------------------------------------- */

typedef struct want {
    char alt[2][IOF_MAX_COLNAME];  /* the wide and the nested name */
    long col;                      /* Parquet column / CSV field index; -1 if absent */
    int shape;                     /* SHAPE_*: how its values are given, whatever the format */
} want;

/* A value's shape by the column's type (iof__colnames.type), one rule for the three formats: an
 * integer (i; CSV text parsed, strictly) or bytes (p, len); SHAPE_ANY: as the file has it (CSV:
 * the text, and i as strtoll reads it). */
enum { SHAPE_ANY, SHAPE_INT, SHAPE_BYTES };

static int shape_of(iof__vtype t)
{
    if (t >= IOF_VT_BOOL && t <= IOF_VT_TIMESTAMP_US)
        return SHAPE_INT;
    return t == IOF_VT_STRING || t == IOF_VT_BINARY ? SHAPE_BYTES : SHAPE_ANY;
}

static const char *shape_name(int shape) { return shape == SHAPE_INT ? "an integer" : "text"; }

struct iof__ds_reader {
    iof__ds_format fmt;
    char *path;
    char errmsg[DS_ERRLEN];
    want w[IOF_DS_MAX_WANT];
    size_t nw;
    iof__value v[IOF_DS_MAX_WANT];  /* the current row's wanted values */
    /* Parquet */
    iof__pq_reader *pq;
    /* text */
    FILE *fp;
    char *line;
    size_t line_cap;
    long lineno;
    char **f;                      /* CSV fields / JSON members */
    iof__json_member *m;
    char scratch[DS_STR_SCRATCH];
    size_t scratch_used;
    int ncsv;                      /* fields of the CSV header */
};

int iof__ds_open(iof__ds_reader **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    iof__ds_reader *r = calloc(1, sizeof(*r));
    if (!r || !(r->path = strdup(path))) {
        free(r);
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    }
    r->fmt = iof__ds_format_of(path);
    int rc = IOF_OK;
    if (r->fmt == IOF__DS_PARQUET) {
        rc = iof__pq_reader_open(&r->pq, path, err, errlen);
    } else if (r->fmt == IOF__DS_NONE) {
        rc = iof__fail(err, errlen, IOF_E_FORMAT, "%s: not an iotflow output (.parquet, .jsonl, .csv)", path);
    } else {
        r->fp = fopen(path, "r");
        if (!r->fp)
            rc = iof__fail(err, errlen, IOF_E_IO, "%s: %s", path, strerror(errno));
        else if (r->fmt == IOF__DS_CSV ? !(r->f = malloc(DS_MAX_MEMBERS * sizeof(*r->f)))
                                       : !(r->m = malloc(DS_MAX_MEMBERS * sizeof(*r->m))))
            rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    }
    if (rc != IOF_OK) {
        iof__ds_close(r);
        return rc;
    }
    *out = r;
    return IOF_OK;
}

void iof__ds_close(iof__ds_reader *r)
{
    if (!r)
        return;
    iof__pq_reader_close(r->pq);
    if (r->fp)
        fclose(r->fp);
    free(r->line);
    free(r->f);
    free(r->m);
    free(r->path);
    free(r);
}

static int read_line(iof__ds_reader *r, size_t *len);

int iof__ds_columns(const char *path, iof__ds_column_fn fn, void *ctx, size_t *n, char *err, size_t errlen)
{
    *n = 0;
    iof__ds_reader *r;
    IOF_TRY(iof__ds_open(&r, path, err, errlen));
    int rc = IOF_OK;
    if (r->fmt == IOF__DS_PARQUET) {
        const iof__schema *s = iof__pq_reader_schema(r->pq);
        for (size_t c = 0; c < s->n; c++)
            fn(ctx, c, s->cols[c].name, strlen(s->cols[c].name));
        *n = s->n;
    } else {
        size_t len;
        rc = read_line(r, &len);
        if (rc < 0) {
            rc = iof__fail(err, errlen, rc, "%s", r->errmsg);
        } else if (rc == 0) {
            rc = r->fmt == IOF__DS_CSV ? iof__fail(err, errlen, IOF_E_FORMAT, "%s: empty file (no CSV header)", path)
                                       : IOF_OK;
        } else if (r->fmt == IOF__DS_CSV) {
            int nf = iof__csv_split(r->line, r->f, NULL, DS_MAX_MEMBERS);
            rc = nf < 0 ? iof__fail(err, errlen, IOF_E_FORMAT, "%s:1: malformed CSV header", path) : IOF_OK;
            for (int c = 0; c < nf; c++)
                fn(ctx, (size_t)c, r->f[c], strlen(r->f[c]));
            *n = nf < 0 ? 0 : (size_t)nf;
        } else {
            const char *why = NULL;
            size_t at = 0;
            int nm = iof__json_object(r->line, len, r->m, DS_MAX_MEMBERS, &why, &at);
            rc = nm < 0 ? iof__fail(err, errlen, IOF_E_FORMAT, "%s:1:%zu: %s", path, at + 1, why) : IOF_OK;
            for (int c = 0; c < nm; c++) { /* the key as written, unescaped when it fits */
                char key[4 * IOF_MAX_COLNAME];
                long kl = iof__json_unescape(r->m[c].key, r->m[c].key_len, key, sizeof(key));
                if (kl >= 0)
                    fn(ctx, (size_t)c, key, (size_t)kl);
                else
                    fn(ctx, (size_t)c, r->m[c].key, r->m[c].key_len);
            }
            *n = nm < 0 ? 0 : (size_t)nm;
        }
    }
    iof__ds_close(r);
    return rc;
}

static bool name_is(const want *w, const char *s, size_t n)
{
    for (int a = 0; a < 2; a++)
        if (strlen(w->alt[a]) == n && memcmp(w->alt[a], s, n) == 0)
            return true;
    return false;
}

/* Reads one line into r->line (without its line break). 1, 0 at the end, or an error. */
static int read_line(iof__ds_reader *r, size_t *len)
{
    ssize_t n = getline(&r->line, &r->line_cap, r->fp);
    if (n < 0) {
        if (ferror(r->fp))
            return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_IO, "%s: read error", r->path);
        return 0;
    }
    r->lineno++;
    if ((size_t)n > IOF_DS_MAX_LINE)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT, "%s:%ld: line longer than %u bytes",
                         r->path, r->lineno, IOF_DS_MAX_LINE);
    while (n && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
        r->line[--n] = '\0';
    *len = (size_t)n;
    return 1;
}

int iof__ds_want(iof__ds_reader *r, const iof__colnames *cols, size_t n, size_t n_required)
{
    if (n > IOF_DS_MAX_WANT)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_INVAL, "too many columns asked for");
    r->nw = n;
    for (size_t k = 0; k < n; k++) {
        snprintf(r->w[k].alt[0], IOF_MAX_COLNAME, "%s", cols[k].wide);
        snprintf(r->w[k].alt[1], IOF_MAX_COLNAME, "%s", cols[k].nested ? cols[k].nested : cols[k].wide);
        r->w[k].col = -1;
        r->w[k].shape = shape_of(cols[k].type);
    }
    if (r->fmt == IOF__DS_PARQUET) {
        const iof__schema *s = iof__pq_reader_schema(r->pq);
        size_t sel[IOF_DS_MAX_WANT], ns = 0;
        for (size_t k = 0; k < n; k++) {
            for (size_t c = 0; c < s->n && r->w[k].col < 0; c++)
                if (name_is(&r->w[k], s->cols[c].name, strlen(s->cols[c].name)))
                    r->w[k].col = (long)c;
            if (r->w[k].col < 0)
                continue;
            sel[ns++] = (size_t)r->w[k].col;
            int file_shape = shape_of(s->cols[r->w[k].col].type);
            if (r->w[k].shape != SHAPE_ANY && file_shape != r->w[k].shape)
                return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT, "%s: column %s is not %s",
                                 r->path, s->cols[r->w[k].col].name, shape_name(r->w[k].shape));
        }
        /* only these are decoded (a wide file has 3,000 columns nobody asked for) */
        if (iof__pq_reader_select(r->pq, sel, ns) < 0)
            return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT, "%s: %s", r->path,
                             iof__pq_reader_errmsg(r->pq));
    } else if (r->fmt == IOF__DS_CSV) {
        size_t len;
        int rc = read_line(r, &len);
        if (rc <= 0)
            return rc < 0 ? rc : iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT,
                                           "%s: empty file (no CSV header)", r->path);
        r->ncsv = iof__csv_split(r->line, r->f, NULL, DS_MAX_MEMBERS);
        if (r->ncsv < 0)
            return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT, "%s:1: malformed CSV header",
                             r->path);
        for (size_t k = 0; k < n; k++)
            for (int c = 0; c < r->ncsv && r->w[k].col < 0; c++)
                if (name_is(&r->w[k], r->f[c], strlen(r->f[c])))
                    r->w[k].col = c;
    } else {
        return IOF_OK; /* JSON Lines: looked up in each row */
    }
    for (size_t k = 0; k < n_required; k++) {
        if (r->w[k].col >= 0)
            continue;
        /* an iotflow table of another kind (--table telemetry / timeline) says so in its metadata */
        const char *table = iof__ds_kv(r, "iotflow.table");
        if (table)
            return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT,
                             "%s: an iotflow %s table (iotflow.table), not the records this command "
                             "reads (no column %s)", r->path, table, r->w[k].alt[0]);
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT,
                         "%s: not an iotflow dataset of this kind (no column %s)", r->path,
                         r->w[k].alt[0]);
    }
    return IOF_OK;
}

static void set_text(iof__value *v, const char *s, size_t n, bool csv_int)
{
    v->null = n == 0;
    v->p = (const uint8_t *)s;
    v->len = (uint32_t)n;
    v->i = 0;
    if (!v->null && csv_int)
        v->i = strtoll(s, NULL, 10);
}

static int not_shape(iof__ds_reader *r, size_t k)
{
    return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT, "%s:%ld: %s is not %s", r->path, r->lineno,
                     r->w[k].alt[r->fmt == IOF__DS_JSONL], shape_name(r->w[k].shape));
}

static int next_csv(iof__ds_reader *r)
{
    size_t len;
    int rc;
    do
        if ((rc = read_line(r, &len)) <= 0)
            return rc;
    while (len == 0);
    int nf = iof__csv_split(r->line, r->f, NULL, DS_MAX_MEMBERS);
    if (nf < 0)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT, "%s:%ld: malformed CSV row",
                         r->path, r->lineno);
    if (nf != r->ncsv)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT, "%s:%ld: %d fields, the header has %d",
                         r->path, r->lineno, nf, r->ncsv);
    for (size_t k = 0; k < r->nw; k++) {
        if (r->w[k].col < 0) {
            r->v[k] = (iof__value){ .null = true };
            continue;
        }
        const char *s = r->f[r->w[k].col];
        size_t n = strlen(s);
        if (r->w[k].shape != SHAPE_INT || n == 0) {
            set_text(&r->v[k], s, n, r->w[k].shape == SHAPE_ANY);
            continue;
        }
        int64_t x;
        if (!iof__json_int64(s, n, &x)) /* the integers the text writers write (JSON's grammar) */
            return not_shape(r, k);
        r->v[k] = (iof__value){ .i = x };
    }
    return 1;
}

static int next_jsonl(iof__ds_reader *r)
{
    size_t len;
    int rc;
    do
        if ((rc = read_line(r, &len)) <= 0)
            return rc;
    while (len == 0);
    const char *why;
    size_t at;
    int nm = iof__json_object(r->line, len, r->m, DS_MAX_MEMBERS, &why, &at);
    if (nm < 0)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT, "%s:%ld: column %zu: %s",
                         r->path, r->lineno, at + 1, why);
    r->scratch_used = 0;
    for (size_t k = 0; k < r->nw; k++) {
        iof__value *v = &r->v[k];
        *v = (iof__value){ .null = true };
        for (int i = 0; i < nm; i++) {
            const iof__json_member *m = &r->m[i];
            if (!name_is(&r->w[k], m->key, m->key_len))
                continue;
            if (m->type != IOF_JSON_NULL && r->w[k].shape != SHAPE_ANY &&
                (m->type == IOF_JSON_STRING) != (r->w[k].shape == SHAPE_BYTES))
                return not_shape(r, k);
            if (m->type == IOF_JSON_NUMBER) {
                int64_t x;
                if (!iof__json_int64(m->val, m->val_len, &x))
                    return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT,
                                     "%s:%ld: %s is not an integer", r->path, r->lineno, r->w[k].alt[1]);
                *v = (iof__value){ .i = x };
            } else if (m->type == IOF_JSON_TRUE || m->type == IOF_JSON_FALSE) {
                *v = (iof__value){ .i = m->type == IOF_JSON_TRUE };
            } else if (m->type == IOF_JSON_STRING) {
                char *o = r->scratch + r->scratch_used;
                long n = iof__json_unescape(m->val, m->val_len, o, sizeof(r->scratch) - r->scratch_used);
                if (n < 0)
                    return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_FORMAT,
                                     "%s:%ld: %s longer than %d bytes", r->path, r->lineno,
                                     r->w[k].alt[1], DS_STR_SCRATCH);
                r->scratch_used += (size_t)n + 1;
                *v = (iof__value){ .p = (const uint8_t *)o, .len = (uint32_t)n };
            }
            break;
        }
    }
    return 1;
}

int iof__ds_next(iof__ds_reader *r)
{
    if (r->fmt == IOF__DS_CSV)
        return next_csv(r);
    if (r->fmt == IOF__DS_JSONL)
        return next_jsonl(r);
    int rc = iof__pq_reader_next(r->pq);
    if (rc < 0)
        return iof__fail(r->errmsg, sizeof(r->errmsg), rc, "%s: %s", r->path, iof__pq_reader_errmsg(r->pq));
    if (rc == 0)
        return 0;
    for (size_t k = 0; k < r->nw; k++) {
        if (r->w[k].col < 0)
            r->v[k] = (iof__value){ .null = true };
        else
            iof__pq_reader_get(r->pq, (size_t)r->w[k].col, 0, &r->v[k]);
    }
    return 1;
}

void iof__ds_get(const iof__ds_reader *r, size_t k, iof__value *v)
{
    *v = k < r->nw ? r->v[k] : (iof__value){ .null = true };
}

const char *iof__ds_kv(const iof__ds_reader *r, const char *key)
{
    return r->pq ? iof__pq_reader_kv(r->pq, key) : NULL;
}

/* A folder named after a variant (the custom-flow kind's folder names, or hive's variant=NAME)? */
static int variant_folder(const char *name, size_t n)
{
    const iof__row_kind *k = &iof__cf_kind;
    size_t kl = strlen(k->sub_key);
    for (size_t v = 0; v < k->n_sub; v++) {
        const char *s = k->sub_names[v];
        size_t sl = strlen(s);
        if ((n == sl && memcmp(name, s, n) == 0) ||
            (n == kl + 1 + sl && memcmp(name, k->sub_key, kl) == 0 && name[kl] == '=' && memcmp(name + kl + 1, s, sl) == 0))
            return (int)v;
    }
    return -1;
}

/* The variant the folders of a text file say: the nearest folder named after one, on the
 * resolved path (as typed, "x.csv" inside unidirectional/ names no folder); bidirectional when
 * none does. */
static int variant_of_folders(const char *path)
{
    char *real = realpath(path, NULL);
    const char *p = real ? real : path;
    const char *end = strrchr(p, '/');
    int v = -1;
    while (end && end > p && v < 0) {
        const char *start = end;
        while (start > p && start[-1] != '/')
            start--;
        v = variant_folder(start, (size_t)(end - start));
        end = start > p ? start - 1 : NULL;
    }
    free(real);
    return v == IOF_VAR_UNI;
}

int iof__ds_variant(const iof__ds_reader *r)
{
    const char *v = iof__ds_kv(r, "iotflow.variant"), *run = iof__ds_kv(r, "iotflow.variants");
    if (v)
        return strcmp(v, "unidirectional") == 0;
    if (run && strcmp(run, "uni") == 0)
        return 1;
    if (run && strcmp(run, "bi") == 0)
        return 0;
    return variant_of_folders(r->path);
}

iof__ds_format iof__ds_reader_format(const iof__ds_reader *r) { return r->fmt; }
const char *iof__ds_errmsg(const iof__ds_reader *r) { return r->errmsg; }

int iof__ds_each_file(const iof__ds_list *l, iof__ds_file_fn fn, void *ctx,
                      void (*on_message)(void *mctx, const char *text), void *mctx, char *err,
                      size_t errlen)
{
    int first = IOF_OK;
    for (size_t i = 0; i < l->n_files; i++) {
        char e[1024] = "";
        int rc = fn(ctx, l->files[i], e, sizeof(e));
        if (rc == IOF_OK)
            continue;
        if (on_message)
            on_message(mctx, e);
        if (first == IOF_OK) {
            first = rc;
            snprintf(err, errlen, "%s", e);
        }
        if (rc == IOF_E_NOMEM)
            break;
    }
    return first;
}
