/* Leakage audit scoring: see audit.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/audit.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/mix.h"

#define MAX_ROWS_HARD (1ull << 31) /* row ids are 32-bit */

/* Interned byte strings of one column (or the labels): open addressing on a 64-bit hash, ids
 * from 1 (0 = null). The text is kept for labels only (values are compared by hash + bytes). */
typedef struct intern {
    uint64_t *hash;   /* per id */
    uint32_t *off, *len;
    char *pool;
    size_t n, cap_ids, pool_len, pool_cap;
    uint32_t *slot;   /* id per slot, 0 = empty */
    size_t mask;      /* slots - 1 */
} intern;

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a, then the shared mixer */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return iof__mix64(h ^ n);
}

static int intern_rehash(intern *t, size_t slots)
{
    uint32_t *s = calloc(slots, sizeof *s);
    if (!s)
        return IOF_E_NOMEM;
    for (size_t id = 1; id <= t->n; id++) {
        size_t i = t->hash[id] & (slots - 1);
        while (s[i])
            i = (i + 1) & (slots - 1);
        s[i] = (uint32_t)id;
    }
    free(t->slot);
    t->slot = s;
    t->mask = slots - 1;
    return IOF_OK;
}

/* The id of p[0..n) (adding it); max: ids allowed. */
static int intern_id(intern *t, const uint8_t *p, size_t n, size_t max, uint32_t *id)
{
    uint64_t h = hash_bytes(p, n);
    if (t->slot) {
        for (size_t i = h & t->mask; t->slot[i]; i = (i + 1) & t->mask) {
            uint32_t c = t->slot[i];
            if (t->hash[c] == h && t->len[c] == n && memcmp(t->pool + t->off[c], p, n) == 0) {
                *id = c;
                return IOF_OK;
            }
        }
    }
    if ((t->n + 1) * 2 > t->mask + 1 || !t->slot)
        IOF_TRY(intern_rehash(t, t->slot ? (t->mask + 1) * 2 : 64));
    size_t nid = t->n + 1;
    IOF_TRY(iof__grow((void **)&t->hash, &t->cap_ids, nid + 1, sizeof *t->hash, max + 1));
    size_t cap = t->cap_ids;
    uint32_t *o = realloc(t->off, cap * sizeof *o), *l;
    if (!o)
        return IOF_E_NOMEM;
    t->off = o;
    if (!(l = realloc(t->len, cap * sizeof *l)))
        return IOF_E_NOMEM;
    t->len = l;
    IOF_TRY(iof__grow((void **)&t->pool, &t->pool_cap, t->pool_len + n + 1, 1, UINT32_MAX));
    memcpy(t->pool + t->pool_len, p, n);
    t->pool[t->pool_len + n] = '\0';
    t->hash[nid] = h;
    t->off[nid] = (uint32_t)t->pool_len;
    t->len[nid] = (uint32_t)n;
    t->pool_len += n + 1;
    t->n = nid;
    size_t i = h & t->mask;
    while (t->slot[i])
        i = (i + 1) & t->mask;
    t->slot[i] = (uint32_t)nid;
    *id = (uint32_t)nid;
    return IOF_OK;
}

static void intern_free(intern *t)
{
    free(t->hash);
    free(t->off);
    free(t->len);
    free(t->pool);
    free(t->slot);
}

struct iof__audit {
    size_t ncols;
    iof__audit_kind kind[IOF_AUDIT_MAX_COLS];
    uint64_t max_rows;
    intern labels;
    uint64_t *label_rows;     /* per label id */
    size_t cap_label_rows;
    intern values[IOF_AUDIT_MAX_COLS]; /* categorical columns */
    uint32_t *label;          /* per row: label id (1..) */
    uint64_t *val[IOF_AUDIT_MAX_COLS]; /* per row: interned id (categorical) or value (ordered) */
    uint8_t *isnull[IOF_AUDIT_MAX_COLS]; /* ordered columns: 1 = null */
    size_t n, cap;
    uint64_t over_cap, unlabelled;
};

int iof__audit_create(iof__audit **out, size_t ncols, const iof__audit_kind *kinds, uint64_t max_rows)
{
    *out = NULL;
    if (ncols == 0 || ncols > IOF_AUDIT_MAX_COLS || max_rows == 0)
        return IOF_E_INVAL;
    iof__audit *a = calloc(1, sizeof *a);
    if (!a)
        return IOF_E_NOMEM;
    a->ncols = ncols;
    memcpy(a->kind, kinds, ncols * sizeof *kinds);
    a->max_rows = max_rows < MAX_ROWS_HARD ? max_rows : MAX_ROWS_HARD;
    *out = a;
    return IOF_OK;
}

void iof__audit_free(iof__audit *a)
{
    if (!a)
        return;
    intern_free(&a->labels);
    free(a->label_rows);
    free(a->label);
    for (size_t c = 0; c < a->ncols; c++) {
        intern_free(&a->values[c]);
        free(a->val[c]);
        free(a->isnull[c]);
    }
    free(a);
}

static int grow_rows(iof__audit *a)
{
    size_t cap = a->cap;
    IOF_TRY(iof__grow((void **)&a->label, &cap, a->n + 1, sizeof *a->label, a->max_rows));
    for (size_t c = 0; c < a->ncols; c++) {
        uint64_t *v = realloc(a->val[c], cap * sizeof *v);
        if (!v)
            return IOF_E_NOMEM;
        a->val[c] = v;
        uint8_t *z = realloc(a->isnull[c], cap);
        if (!z)
            return IOF_E_NOMEM;
        a->isnull[c] = z;
    }
    a->cap = cap;
    return IOF_OK;
}

int iof__audit_add(iof__audit *a, const uint8_t *label, size_t label_len, const iof__audit_val *vals)
{
    if (!label) {
        a->unlabelled++;
        return IOF_OK;
    }
    if (a->n >= a->max_rows) {
        a->over_cap++;
        return IOF_OK;
    }
    if (a->n + 1 > a->cap)
        IOF_TRY(grow_rows(a));
    uint32_t lid;
    size_t known = a->labels.n;
    if (label_len > IOF_AUDIT_MAX_VALUE)
        label_len = IOF_AUDIT_MAX_VALUE;
    IOF_TRY(intern_id(&a->labels, label, label_len, IOF_AUDIT_MAX_LABELS, &lid));
    IOF_TRY(iof__grow((void **)&a->label_rows, &a->cap_label_rows, lid + 1, sizeof *a->label_rows,
                      IOF_AUDIT_MAX_LABELS + 1));
    if (lid > known) /* a new label: its counter starts at 0 */
        a->label_rows[lid] = 0;
    for (size_t c = 0; c < a->ncols; c++) {
        const iof__audit_val *v = &vals[c];
        uint64_t x = 0;
        a->isnull[c][a->n] = v->null;
        if (a->kind[c] == IOF_AUDIT_ORDERED) {
            x = v->null ? 0 : (uint64_t)v->i;
        } else if (!v->null) {
            /* one namespace per column: bytes as they are, integers as a tagged 9-byte key */
            uint8_t key[9];
            const uint8_t *p = v->p;
            size_t len = v->len > IOF_AUDIT_MAX_VALUE ? IOF_AUDIT_MAX_VALUE : v->len;
            if (!v->is_bytes) {
                key[0] = 0xff;
                memcpy(key + 1, &v->i, 8);
                p = key;
                len = 9;
            }
            uint32_t id;
            IOF_TRY(intern_id(&a->values[c], p, len, a->max_rows, &id));
            x = id;
        }
        a->val[c][a->n] = x;
    }
    a->label[a->n++] = lid;
    a->label_rows[lid]++;
    return IOF_OK;
}

void iof__audit_counts(const iof__audit *a, uint64_t *kept, uint64_t *over_cap, uint64_t *unlabelled)
{
    *kept = a->n;
    *over_cap = a->over_cap;
    *unlabelled = a->unlabelled;
}

size_t iof__audit_nlabels(const iof__audit *a)
{
    return a->labels.n;
}

const char *iof__audit_label(const iof__audit *a, size_t i, uint64_t *rows)
{
    if (rows)
        *rows = a->label_rows[i + 1];
    return a->labels.pool + a->labels.off[i + 1];
}

/* Row order for one column: (value, row) ascending; ordered values compare as signed. */
typedef struct ent {
    uint64_t key;  /* categorical id, or ordered value biased to sort unsigned */
    uint32_t row;
} ent;

static int ent_cmp(const void *x, const void *y)
{
    const ent *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* The label order every tie follows: more rows overall first, then the text (never the id:
 * ids follow the order rows were read in, and one dataset in another format must score the
 * same). */
static bool label_before(const iof__audit *a, uint32_t m, uint32_t p)
{
    if (a->label_rows[m] != a->label_rows[p])
        return a->label_rows[m] > a->label_rows[p];
    /* by bytes, then length (labels may hold any byte) */
    uint32_t lm = a->labels.len[m], lp = a->labels.len[p];
    int d = memcmp(a->labels.pool + a->labels.off[m], a->labels.pool + a->labels.off[p], lm < lp ? lm : lp);
    return d != 0 ? d < 0 : lm < lp;
}

/* The label with the most rows: the fallback prediction. */
static uint32_t majority(const iof__audit *a)
{
    uint32_t best = 1;
    for (uint32_t l = 2; l <= a->labels.n; l++)
        if (label_before(a, l, best))
            best = l;
    return best;
}

/* Whether label m with count c beats the current choice pred (count best); ties follow
 * label_before. */
static bool better(const iof__audit *a, uint32_t m, uint32_t c, uint32_t pred, uint32_t best)
{
    return !pred || c > best || (c == best && label_before(a, m, pred));
}

/* Counts the labels of e[i..j) into cnt (zeroed scratch) and lists them in seen; returns how
 * many, and the run's majority label in *maj. */
static size_t count_run(const iof__audit *a, const uint32_t *lab, const ent *e, size_t i, size_t j,
                        uint32_t *cnt, uint32_t *seen, uint32_t *maj)
{
    size_t ns = 0;
    for (size_t r = i; r < j; r++) {
        uint32_t l = lab[e[r].row];
        if (cnt[l]++ == 0)
            seen[ns++] = l;
    }
    uint32_t pred = 0, best = 0;
    for (size_t t = 0; t < ns; t++)
        if (better(a, seen[t], cnt[seen[t]], pred, best))
            pred = seen[t], best = cnt[seen[t]];
    *maj = pred;
    return ns;
}

/* Leave-one-out majority within a run of two or more equal values: each row is predicted by
 * the counts of the run without itself. Only the run's two best labels can win (removing one
 * row lowers one count by one), so this is linear in the labels of the run. */
static void score_run_loo(const iof__audit *a, const uint32_t *cnt, const uint32_t *seen, size_t ns,
                          uint64_t *correct, uint64_t *predicted)
{
    uint32_t top = 0, topc = 0, sec = 0, secc = 0;
    for (size_t t = 0; t < ns; t++) {
        uint32_t m = seen[t], c = cnt[m];
        if (better(a, m, c, top, topc)) {
            sec = top, secc = topc;
            top = m, topc = c;
        } else if (better(a, m, c, sec, secc)) {
            sec = m, secc = c;
        }
    }
    for (size_t s = 0; s < ns; s++) {
        uint32_t l = seen[s], pred = top;
        /* a row of the top label: top with one row less against the second */
        if (l == top && sec && !better(a, top, topc - 1, sec, secc))
            pred = sec;
        predicted[pred] += cnt[l];
        if (pred == l)
            correct[l] += cnt[l];
    }
}

/* Categorical: runs of equal values; a value held by one row predicts the overall majority. */
static void score_categorical(const iof__audit *a, const uint32_t *lab, const ent *e, size_t n,
                              uint32_t *cnt, uint32_t *seen, uint64_t *correct, uint64_t *predicted,
                              uint64_t *distinct)
{
    uint32_t fallback = majority(a);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && e[j].key == e[i].key; j++)
            ;
        (*distinct)++;
        uint32_t maj;
        size_t ns = count_run(a, lab, e, i, j, cnt, seen, &maj);
        if (j - i == 1) {
            uint32_t l = lab[e[i].row];
            predicted[fallback]++;
            correct[l] += fallback == l;
        } else {
            score_run_loo(a, cnt, seen, ns, correct, predicted);
        }
        for (size_t s = 0; s < ns; s++)
            cnt[seen[s]] = 0;
    }
}

/* Ordered: a value held by several rows is scored as a category (leave-one-out within it); a
 * value held by one row is predicted by the majority of the nearest other value (equal
 * distance: the smaller value). Every step depends on values and labels only, never on the
 * order rows were read in (CSV, JSON Lines and Parquet of one dataset score the same).
 * runs/maj: scratch of n entries (run start, run majority). */
static void score_ordered(const iof__audit *a, const uint32_t *lab, const ent *e, size_t n, uint32_t *cnt,
                          uint32_t *seen, size_t *runs, uint32_t *maj, uint64_t *correct, uint64_t *predicted,
                          uint64_t *distinct)
{
    size_t nr = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && e[j].key == e[i].key; j++)
            ;
        size_t ns = count_run(a, lab, e, i, j, cnt, seen, &maj[nr]);
        runs[nr++] = i;
        if (j - i > 1)
            score_run_loo(a, cnt, seen, ns, correct, predicted);
        for (size_t s = 0; s < ns; s++)
            cnt[seen[s]] = 0;
    }
    *distinct = nr;
    if (nr < 2)
        return; /* a single value held by one row predicts nothing */
    for (size_t g = 0; g < nr; g++) {
        size_t end = g + 1 < nr ? runs[g + 1] : n;
        if (end - runs[g] != 1)
            continue;
        size_t nb;
        if (g == 0)
            nb = 1;
        else if (g == nr - 1)
            nb = g - 1;
        else
            nb = e[runs[g]].key - e[runs[g - 1]].key <= e[runs[g + 1]].key - e[runs[g]].key ? g - 1 : g + 1;
        uint32_t l = lab[e[runs[g]].row];
        predicted[maj[nb]]++;
        correct[l] += maj[nb] == l;
    }
}

int iof__audit_score(iof__audit *a, uint64_t shuffle_seed, iof__audit_col_result *res)
{
    size_t n = a->n, k = a->labels.n;
    uint32_t *lab = malloc((n ? n : 1) * sizeof *lab);
    ent *e = malloc((n ? n : 1) * sizeof *e);
    uint32_t *cnt = calloc(k + 1, sizeof *cnt), *seen = malloc((k + 1) * sizeof *seen);
    uint64_t *correct = malloc((k + 1) * sizeof *correct), *rows = malloc((k + 1) * sizeof *rows);
    uint64_t *predicted = malloc((k + 1) * sizeof *predicted);
    size_t *runs = malloc((n ? n : 1) * sizeof *runs);
    uint32_t *maj = malloc((n ? n : 1) * sizeof *maj);
    int rc = IOF_OK;
    if (!lab || !e || !cnt || !seen || !correct || !rows || !predicted || !runs || !maj) {
        rc = IOF_E_NOMEM;
        goto out;
    }
    memcpy(lab, a->label, n * sizeof *lab);
    if (shuffle_seed) { /* Fisher-Yates with a counter-based generator: the same seed, the same control */
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(iof__mix64(shuffle_seed + i) % i);
            uint32_t t = lab[i - 1];
            lab[i - 1] = lab[j];
            lab[j] = t;
        }
    }
    for (size_t c = 0; c < a->ncols; c++) {
        size_t m = 0;
        for (size_t r = 0; r < n; r++) {
            if (a->kind[c] == IOF_AUDIT_ORDERED && a->isnull[c][r])
                continue;
            uint64_t key = a->val[c][r];
            if (a->kind[c] == IOF_AUDIT_ORDERED)
                key ^= 1ull << 63; /* signed order as unsigned */
            e[m++] = (ent){ key, (uint32_t)r };
        }
        qsort(e, m, sizeof *e, ent_cmp);
        memset(correct, 0, (k + 1) * sizeof *correct);
        memset(rows, 0, (k + 1) * sizeof *rows);
        memset(predicted, 0, (k + 1) * sizeof *predicted);
        for (size_t i = 0; i < m; i++)
            rows[lab[e[i].row]]++;
        iof__audit_col_result *out = &res[c];
        memset(out, 0, sizeof *out);
        out->rows = m;
        if (a->kind[c] == IOF_AUDIT_ORDERED)
            score_ordered(a, lab, e, m, cnt, seen, runs, maj, correct, predicted, &out->distinct);
        else
            score_categorical(a, lab, e, m, cnt, seen, correct, predicted, &out->distinct);
        double sum = 0;
        size_t present = 0;
        out->best_j = -INFINITY;
        for (size_t l = 1; l <= k; l++) {
            if (!rows[l])
                continue;
            double tpr = (double)correct[l] / (double)rows[l];
            sum += tpr;
            present++;
            if (rows[l] < m) {
                double j = tpr - (double)(predicted[l] - correct[l]) / (double)(m - rows[l]);
                if (j > out->best_j || (j == out->best_j && label_before(a, (uint32_t)l, (uint32_t)out->best_label + 1))) {
                    out->best_j = j;
                    out->best_label = l - 1;
                }
            }
        }
        if (present < 2) { /* one label: nothing to separate */
            out->score = out->balanced_accuracy = out->best_j = NAN;
            continue;
        }
        out->balanced_accuracy = sum / (double)present;
        double chance = 1.0 / (double)present;
        out->score = (out->balanced_accuracy - chance) / (1.0 - chance);
    }
out:
    free(lab);
    free(e);
    free(cnt);
    free(seen);
    free(correct);
    free(rows);
    free(predicted);
    free(runs);
    free(maj);
    return rc;
}
