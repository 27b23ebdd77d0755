/* Schema builder: the single place columns are declared (see schema.h). */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/schema.h"

int iof__schema_init(iof__schema *s, const char *name, iof__row_ops ops)
{
    memset(s, 0, sizeof(*s));
    s->name = name;
    s->ops = ops;
    return IOF_OK;
}

int iof__schema_add_column(iof__schema *s, const iof__column *col)
{
    if (s->n >= IOF_MAX_COLUMNS || memchr(col->name, '\0', IOF_MAX_COLNAME) == NULL)
        return IOF_E_LIMIT;
    if (col->decimals > IOF_MAX_DECIMALS || col->time_text > IOF_TT_ISO_US)
        return IOF_E_INVAL;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        iof__column *c = realloc(s->cols, cap * sizeof(*c));
        if (!c)
            return IOF_E_NOMEM;
        s->cols = c;
        s->cap = cap;
    }
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
