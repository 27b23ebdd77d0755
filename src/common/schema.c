/* Schema builder: the single place columns are declared (see schema.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/schema.h"

int iof__schema_init(iof__schema *s, const char *name, iof__row_ops ops)
{
    memset(s, 0, sizeof(*s));
    s->name = name;
    s->ops = ops;
    return IOF_OK;
}

/* The ops of a schema made of groups: each column is read by its group's accessor. */
static void group_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    const iof__colgroup *g = c->group;
    g->ops.get((const char *)row + g->row_off, c, k, v);
}

static uint32_t group_count(const void *row, const iof__column *c)
{
    const iof__colgroup *g = c->group;
    return g->ops.count ? g->ops.count((const char *)row + g->row_off, c) : 0;
}

static const int16_t *group_i16_span(const void *row, const iof__column *c, uint32_t *n, uint32_t *tail,
                                     int16_t *tail_val)
{
    const iof__colgroup *g = c->group;
    return g->ops.i16_span ? g->ops.i16_span((const char *)row + g->row_off, c, n, tail, tail_val) : NULL;
}

/* (a group's i64_span reads only its own columns among c[0 .. n): it stops where they do) */
static uint32_t group_i64_span(const void *row, const iof__column *c, uint32_t n, int64_t *v, uint8_t *has)
{
    const iof__colgroup *g = c->group;
    return g->ops.i64_span ? g->ops.i64_span((const char *)row + g->row_off, c, n, v, has) : 0;
}

int iof__schema_build(iof__schema *s, const char *name, const iof__colgroup *const *groups,
                      size_t ngroups, const void *cfg, bool wide)
{
    iof__schema_init(s, name, (iof__row_ops){ .get = group_get, .count = group_count, .i16_span = group_i16_span,
                                              .i64_span = group_i64_span });
    for (size_t i = 0; i < ngroups; i++) {
        size_t first = s->n;
        int rc = groups[i]->declare(s, cfg, wide);
        if (rc != IOF_OK) {
            iof__schema_free(s);
            return rc;
        }
        for (size_t c = first; c < s->n; c++)
            s->cols[c].group = groups[i];
    }
    return IOF_OK;
}

bool iof__col_same_struct(const iof__column *a, const iof__column *b)
{
    return b && a->member_at && a->member_at == b->member_at && memcmp(a->name, b->name, a->member_at) == 0;
}

int iof__col_set_member(iof__column *c, const char *strct, const char *member)
{
    size_t sl = strlen(strct), ml = strlen(member);
    if (!sl || !ml || memchr(strct, '.', sl) || memchr(member, '.', ml))
        return IOF_E_INVAL;
    if (sl + 1 + ml >= IOF_MAX_COLNAME)
        return IOF_E_LIMIT;
    memcpy(c->name, strct, sl);
    c->name[sl] = '.';
    memcpy(c->name + sl + 1, member, ml + 1);
    c->member_at = (uint8_t)(sl + 1);
    return IOF_OK;
}

/* A member of a struct is well-formed and comes right after its struct's other members (only
 * members are checked: a nested schema has a few dozen, a wide one none). */
static bool member_fits(const iof__schema *s, const iof__column *col)
{
    size_t sl = iof__col_struct_len(col);
    if (sl == 0 || sl >= IOF_MAX_COLNAME - 1 || col->name[sl] != '.' || !col->name[sl + 1])
        return false;
    if (s->n && iof__col_same_struct(col, &s->cols[s->n - 1]))
        return true;
    for (size_t i = 0; i < s->n; i++) {
        const iof__column *o = &s->cols[i];
        if (iof__col_same_struct(col, o) || (!o->member_at && strncmp(o->name, col->name, sl) == 0 && !o->name[sl]))
            return false;
    }
    return true;
}

int iof__schema_add_column(iof__schema *s, const iof__column *col)
{
    if (s->n >= IOF_MAX_COLUMNS || memchr(col->name, '\0', IOF_MAX_COLNAME) == NULL)
        return IOF_E_LIMIT;
    if ((col->decimals > IOF_MAX_DECIMALS && col->decimals != IOF_DECIMALS_ROUNDTRIP) || col->time_text > IOF_TT_ISO_US)
        return IOF_E_INVAL;
    if (col->member_at && !member_fits(s, col))
        return IOF_E_INVAL;
    IOF_TRY(iof__grow((void **)&s->cols, &s->cap, s->n + 1, sizeof *s->cols, IOF_MAX_COLUMNS));
    iof__column *c = &s->cols[s->n++];
    *c = *col;
    c->dict = col->dict || col->type == IOF_VT_STRING;
    return IOF_OK;
}

int iof__schema_add(iof__schema *s, const char *name, iof__vtype type, bool nullable, bool list,
                    uint16_t field, uint32_t index, const char *doc)
{
    if (strlen(name) >= IOF_MAX_COLNAME)
        return IOF_E_LIMIT;
    iof__column c;
    memset(&c, 0, sizeof(c));
    strcpy(c.name, name);
    c.type = type;
    c.nullable = nullable;
    c.list = list;
    c.field = field;
    c.index = index;
    c.doc = doc;
    return iof__schema_add_column(s, &c);
}

void iof__schema_free(iof__schema *s)
{
    if (!s)
        return;
    free(s->cols);
    s->cols = NULL;
    s->n = s->cap = 0;
}

long iof__schema_find(const iof__schema *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

long iof__schema_find_any_case(const iof__schema *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcasecmp(s->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

const char *iof__vtype_name(iof__vtype t)
{
    switch (t) {
    case IOF_VT_BOOL: return "bool";
    case IOF_VT_INT8: return "int8";
    case IOF_VT_INT16: return "int16";
    case IOF_VT_INT32: return "int32";
    case IOF_VT_INT64: return "int64";
    case IOF_VT_TIMESTAMP_US: return "timestamp_us";
    case IOF_VT_STRING: return "string";
    case IOF_VT_BINARY: return "binary";
    case IOF_VT_FLOAT64: return "float64";
    }
    return "?";
}
