/* The run's labeller (see labeller.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "labels/labeller.h"

struct iof__labeller {
    iof__ruleset *set[IOF_MAX_RULE_FILES];
    size_t first_key[IOF_MAX_RULE_FILES]; /* index of each file's first key in the whole list */
    size_t nset;
    size_t nkeys;
};

void iof__labeller_free(iof__labeller *lb)
{
    if (!lb)
        return;
    for (size_t i = 0; i < lb->nset; i++)
        iof__rules_free(lb->set[i]);
    free(lb);
}

/* A rule of the labeller's files, for the check that names are unique over all of them */
typedef struct rule_at {
    const char *name, *where;
    size_t file, idx;
} rule_at;

static int cmp_rule_at(const void *a, const void *b)
{
    const rule_at *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : x->file != y->file ? (x->file > y->file) - (x->file < y->file) : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Rule names are unique over all files (label_rule says which rule set a label; within a file the
 * parser checks): sorted, neighbours compared — up to IOF_MAX_RULE_FILES files of many rules */
static int names_unique(const iof__labeller *lb, char *err, size_t errlen)
{
    size_t n = 0;
    for (size_t i = 0; i < lb->nset; i++)
        n += iof__rules_nrules(lb->set[i]);
    if (lb->nset < 2 || n < 2)
        return IOF_OK;
    rule_at *v = malloc(n * sizeof(*v));
    if (!v)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < lb->nset; i++)
        for (size_t r = 0; r < iof__rules_nrules(lb->set[i]); r++)
            v[k++] = (rule_at){ iof__rules_rule_name(lb->set[i], r), iof__rules_rule_where(lb->set[i], r), i, r };
    qsort(v, n, sizeof(*v), cmp_rule_at);
    int rc = IOF_OK;
    for (size_t i = 1; i < n && rc == IOF_OK; i++)
        if (strcmp(v[i].name, v[i - 1].name) == 0) /* the later one named where, the earlier as used */
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s: rule name \"%s\" is already used at %s", v[i].where,
                           v[i].name, v[i - 1].where);
    free(v);
    return rc;
}

int iof__labeller_load(iof__labeller **out, const char *const *paths, size_t n, char *err, size_t errlen)
{
    *out = NULL;
    if (n > IOF_MAX_RULE_FILES)
        return iof__fail(err, errlen, IOF_E_LIMIT, "--rules: at most %d files", IOF_MAX_RULE_FILES);
    iof__labeller *lb = calloc(1, sizeof(*lb));
    if (!lb)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int rc = iof__rules_load(paths[i], &lb->set[i], err, errlen);
        if (rc != IOF_OK) {
            iof__labeller_free(lb);
            return rc;
        }
        lb->nset = i + 1;
        lb->first_key[i] = lb->nkeys;
        size_t nk = iof__rules_nkeys(lb->set[i]);
        for (size_t k = 0; k < nk; k++) {
            const char *name = iof__rules_key_name(lb->set[i], k);
            for (size_t j = 0; j < i; j++)
                if (iof__rules_key_index(lb->set[j], name) >= 0) {
                    iof__fail(err, errlen, IOF_E_INVAL, "%s: key \"%s\" is already set by %s (one file per key)",
                              paths[i], name, paths[j]);
                    iof__labeller_free(lb);
                    return IOF_E_INVAL;
                }
        }
        if (lb->nkeys + nk > IOF_RULES_MAX_KEYS) {
            iof__fail(err, errlen, IOF_E_LIMIT, "--rules: more than %d keys over all files", IOF_RULES_MAX_KEYS);
            iof__labeller_free(lb);
            return IOF_E_LIMIT;
        }
        lb->nkeys += nk;
    }
    int rc = names_unique(lb, err, errlen);
    if (rc != IOF_OK) {
        iof__labeller_free(lb);
        return rc;
    }
    *out = lb;
    return IOF_OK;
}

size_t iof__labeller_nkeys(const iof__labeller *lb) { return lb ? lb->nkeys : 0; }

/* The file of key k over all files, and k's index in it (NULL: none) */
static const iof__ruleset *key_file(const iof__labeller *lb, size_t k, size_t *in_file)
{
    for (size_t i = lb->nset; i-- > 0;)
        if (k >= lb->first_key[i]) {
            *in_file = k - lb->first_key[i];
            return lb->set[i];
        }
    return NULL;
}

const char *iof__labeller_key(const iof__labeller *lb, size_t k)
{
    size_t j;
    const iof__ruleset *rs = key_file(lb, k, &j);
    return rs ? iof__rules_key_name(rs, j) : NULL;
}

const char *iof__labeller_key_where(const iof__labeller *lb, size_t k)
{
    size_t j;
    const iof__ruleset *rs = key_file(lb, k, &j);
    return rs ? iof__rules_key_where(rs, j) : NULL;
}

size_t iof__labeller_nwarnings(const iof__labeller *lb)
{
    size_t n = 0;
    for (size_t i = 0; i < lb->nset; i++)
        n += iof__rules_nwarnings(lb->set[i]);
    return n;
}

const char *iof__labeller_warning(const iof__labeller *lb, size_t w)
{
    for (size_t i = 0; i < lb->nset; i++) {
        size_t n = iof__rules_nwarnings(lb->set[i]);
        if (w < n)
            return iof__rules_warning(lb->set[i], w);
        w -= n;
    }
    return NULL;
}

void iof__labeller_eval(const iof__labeller *lb, const iof__lbl_attrs *a, iof__lbl_result *out)
{
    for (size_t i = 0; i < lb->nset; i++)
        iof__rules_eval(lb->set[i], a, out + lb->first_key[i]);
}

void iof__labeller_needs(const iof__labeller *lb, const char *where[IOF_LBL_NEED__COUNT])
{
    for (size_t n = 0; n < IOF_LBL_NEED__COUNT; n++)
        where[n] = NULL;
    for (size_t i = 0; i < lb->nset; i++) {
        const char *w[IOF_LBL_NEED__COUNT];
        iof__rules_needs(lb->set[i], w);
        for (size_t n = 0; n < IOF_LBL_NEED__COUNT; n++)
            if (!where[n])
                where[n] = w[n];
    }
}
