/* The label column group (see labelcols.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "kinds/labelcols.h"

void iof__lbl_col_name(char out[IOF_MAX_COLNAME], const char *key, bool rule)
{
    snprintf(out, IOF_MAX_COLNAME, "%s%s", key, rule ? IOF_LBL_RULE_SUFFIX : "");
}

bool iof__lbl_is_rule_of(const char *k, size_t kn, const char *r, size_t rn)
{
    size_t suf = sizeof(IOF_LBL_RULE_SUFFIX) - 1;
    return rn == kn + suf && memcmp(r, k, kn) == 0 && memcmp(r + kn, IOF_LBL_RULE_SUFFIX, suf) == 0;
}

int iof__lbl_check(const iof__schema *s, const iof__labeller *lb, char *err, size_t errlen)
{
    for (size_t k = 0; k < iof__labeller_nkeys(lb); k++) {
        const char *key = iof__labeller_key(lb, k), *at = iof__labeller_key_where(lb, k);
        if (strlen(key) > (size_t)IOF_LBL_MAX_KEY_LEN)
            return iof__fail(err, errlen, IOF_E_INVAL, "%s: key \"%.60s\" is longer than %d characters", at, key,
                             IOF_LBL_MAX_KEY_LEN);
        /* names are compared without case: readers such as DuckDB match columns so, and would
         * rename the later one (label_1) or read the wrong one */
        for (int rule = 0; rule < 2; rule++) {
            char name[IOF_MAX_COLNAME];
            iof__lbl_col_name(name, key, rule);
            long c = iof__schema_find_any_case(s, name);
            if (c >= 0)
                return iof__fail(err, errlen, IOF_E_INVAL,
                                 "%s: key \"%s\" would add a column \"%s\", which the %s layout already has "
                                 "as \"%s\" (column names are matched without case)",
                                 at, key, name, s->name ? s->name : "output", s->cols[c].name);
            /* another key's columns: K_rule of one key is another key's name, or the same in another case */
            for (size_t j = 0; j < k; j++)
                for (int r2 = 0; r2 < 2; r2++) {
                    char other[IOF_MAX_COLNAME];
                    iof__lbl_col_name(other, iof__labeller_key(lb, j), r2);
                    if (strcasecmp(other, name) == 0)
                        return iof__fail(err, errlen, IOF_E_INVAL,
                                         "%s: keys \"%s\" and \"%s\" would both add a column \"%s\" (\"%s\" is "
                                         "at %s; column names are matched without case)",
                                         at, iof__labeller_key(lb, j), key, name, iof__labeller_key(lb, j),
                                         iof__labeller_key_where(lb, j));
                }
        }
    }
    return IOF_OK;
}

int iof__lbl_declare(iof__schema *s, const iof__labeller *lb)
{
    char err[160];
    if (iof__lbl_check(s, lb, err, sizeof(err)) != IOF_OK)
        return IOF_E_INVAL;
    for (size_t k = 0; k < iof__labeller_nkeys(lb); k++)
        for (int rule = 0; rule < 2; rule++) {
            char name[IOF_MAX_COLNAME];
            iof__lbl_col_name(name, iof__labeller_key(lb, k), rule);
            IOF_TRY(iof__schema_add(s, name, IOF_VT_STRING, true, false, (uint16_t)(2 * k + (size_t)rule), 0,
                                    rule ? "the rule that set the label before it: its name, or file:line; "
                                           "\"default\" (--rules, docs/LABELS.md)"
                                         : "label from --rules (docs/LABELS.md); null: no rule matched "
                                           "and the key has no default"));
        }
    return IOF_OK;
}

void iof__lbl_get(const void *lblrow, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    const iof__lbl_row *row = lblrow;
    const iof__lbl_result *r = &row->res[c->field / 2];
    const char *t = c->field % 2 ? r->rule : r->value;
    v->null = t == NULL;
    if (t) {
        v->p = (const uint8_t *)t;
        v->len = (uint32_t)strlen(t);
    }
}
