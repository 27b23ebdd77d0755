/* Schema: columns are declared ONCE here; CSV headers, JSON keys and the Parquet schema all
 * derive from an iof__schema, and readers of our outputs get one back. A schema also carries
 * the row accessor, so writers never know what a row is (a custom-flow record today; Joy
 * flows or fused telemetry later).
 *
 * Column groups: a record kind builds its schema from groups (iof__schema_build), each of
 * which declares its columns and reads them with its own accessor (custom-flow: metadata,
 * packet slots, payload stream, device inventory, ...; kinds/). A label or feature block is
 * one more group, declared once and reusable by every kind whose row holds what it reads.
 * Schemas made column by column (synth's tables, the Parquet reader's) keep one accessor.
 */
#ifndef IOF_COMMON_SCHEMA_H
#define IOF_COMMON_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOF_MAX_COLUMNS 8192   /* wide layout: ~40 metadata + 3*i packet slots + B payload slots */
#define IOF_MAX_COLNAME 48
#define IOF_MAX_DECIMALS 9     /* FLOAT64 text: digits after the point (printf "%.9f") */
#define IOF_DECIMALS_ROUNDTRIP 255 /* FLOAT64 text: the shorter of %.15g and %.17g that reads back
                                    * as the same double (values fixed decimals would round away:
                                    * 1.5e-12 is not 0.000000000) */

typedef enum iof__vtype {
    IOF_VT_BOOL = 1,
    IOF_VT_INT8,
    IOF_VT_INT16,
    IOF_VT_INT32,
    IOF_VT_INT64,
    IOF_VT_TIMESTAMP_US, /* int64 µs since the Unix epoch, UTC instant */
    IOF_VT_STRING,       /* UTF-8 text */
    IOF_VT_BINARY,       /* raw bytes (JSON: lowercase hex string) */
    IOF_VT_FLOAT64,      /* IEEE 754 double (Parquet DOUBLE); text: fixed decimals (column's) */
} iof__vtype;

/* How the text writers (CSV, JSON Lines) write a TIMESTAMP_US column; Parquet always stores
 * the µs integer (TIMESTAMP(MICROS, UTC)). */
typedef enum iof__time_text {
    IOF_TT_MICROS = 0,   /* integer µs since the Unix epoch (default) */
    IOF_TT_ISO_S,        /* ISO 8601 UTC, whole seconds: "2024-06-23T18:00:00Z" (JSON: a string) */
    IOF_TT_ISO_US,       /* ISO 8601 UTC with µs: "2024-06-23T18:00:00.000000Z" (JSON: a string) */
} iof__time_text;

typedef struct iof__colgroup iof__colgroup;
typedef struct iof__schema iof__schema;

typedef struct iof__column {
    char name[IOF_MAX_COLNAME];
    iof__vtype type;     /* scalar type, or element type of a list */
    bool nullable;      /* scalar: may be null. list: the list itself may be null */
    bool list;          /* a list of `type`; elements are never null; a list may be empty */
    bool dict;          /* hint: low-cardinality text, worth dictionary encoding */
    uint16_t field;     /* accessor's field id (meaning private to the row accessor) */
    uint32_t index;     /* accessor's slot index (e.g. 3 for P03_PS, 12 for C_012) */
    const char *doc;    /* one-line meaning + unit, for docs and `iotflow help` */
    uint8_t decimals;   /* FLOAT64 in text: digits after the point, 0..IOF_MAX_DECIMALS
                         * (exactly printf's "%.*f"), or IOF_DECIMALS_ROUNDTRIP; JSON: null
                         * for NaN and infinities */
    uint8_t time_text;  /* TIMESTAMP_US in text: iof__time_text */
    const iof__colgroup *group; /* the group whose accessor reads it (iof__schema_build), or
                                 * NULL: the schema's own ops read it */
    uint8_t member_at;  /* 0: a top-level column. Else a member of a struct (one level, the
                         * nested layouts' feature groups): name is the full name "struct.member"
                         * (what readers look it up by, a CSV header), the struct's name is
                         * name[0 .. member_at - 1), the member's name + member_at. A struct's
                         * members are consecutive columns; the struct is always present (Parquet:
                         * a REQUIRED group, JSON: an object), only its members may be null. Set
                         * with iof__col_set_member, read with the helpers below. */
} iof__column;

/* Struct members (member_at above): the struct-free parts of writers and readers read them
 * only through these. */
static inline bool iof__col_is_member(const iof__column *c) { return c->member_at != 0; }
/* The member's name (the whole name of a top-level column). */
static inline const char *iof__col_member(const iof__column *c) { return c->name + c->member_at; }
/* The length of the struct's name (its first bytes of c->name); 0 for a top-level column. */
static inline size_t iof__col_struct_len(const iof__column *c) { return c->member_at ? c->member_at - 1u : 0; }
/* a and b are members of one struct (b == NULL: false). */
bool iof__col_same_struct(const iof__column *a, const iof__column *b);
/* Makes c member `member` of struct `strct`: c->name becomes "strct.member". IOF_E_LIMIT when
 * the full name does not fit IOF_MAX_COLNAME, IOF_E_INVAL for an empty part or a dot in one. */
int iof__col_set_member(iof__column *c, const char *strct, const char *member);

/* A column's name in the wide and in the nested layout of a record kind (the same name twice
 * for columns both layouts share): what readers of our outputs look columns up by. */
typedef struct iof__colnames {
    const char *wide, *nested;
    iof__vtype type;  /* the values' type (the kind's schema), so that a reader gives a value the
                       * same way whatever the file's format: integer types as integers (CSV text
                       * parsed), STRING and BINARY as bytes. 0: as the file has it */
} iof__colnames;

typedef struct iof__value {
    bool null;
    int64_t i;          /* BOOL (0/1), INT8..INT64, TIMESTAMP_US */
    double f;           /* FLOAT64 */
    const uint8_t *p;   /* STRING / BINARY bytes (borrowed from the row) */
    uint32_t len;
} iof__value;

/* How writers read a row. `row` is opaque to them. Initialised by member name everywhere
 * (`{ .get = g, .count = c }`, the ops a reader lacks left out: NULL), as are the column groups
 * below: a new op is then added here and by the readers that have it, with no edit of the
 * others (each op used to touch ~20 positional initialisers). */
typedef struct iof__row_ops {
    /* Scalar column: fills v (k is 0). List column: element k (0 <= k < count). */
    void (*get)(const void *row, const iof__column *c, uint32_t k, iof__value *v);
    /* List column: number of elements; returns UINT32_MAX for a null list. */
    uint32_t (*count)(const void *row, const iof__column *c);
    /* Optional (may be NULL) bulk access for wide rows: when scalar INT16 column c and the
     * columns after it are stored contiguously in the row, returns a pointer to their values
     * and sets *n to how many consecutive columns it covers (>= 1); else returns NULL. Lets a
     * writer copy thousands of payload-stream cells at once instead of calling get() per cell. */
    /* *tail (may stay 0) = how many of those n values, at the end, all equal *tail_val (the
     * stream's -1 fill): the writer need not copy or re-read them. */
    const int16_t *(*i16_span)(const void *row, const iof__column *c, uint32_t *n, uint32_t *tail,
                               int16_t *tail_val);
    /* Optional (may be NULL) bulk access to a block of scalar integer cells (BOOL, INT8..INT64,
     * TIMESTAMP_US; not FLOAT64): the cells of columns c[0], c[1], ... c[n - 1] (consecutive
     * columns of the schema) as get() would give them, v[k] the value (0 when null) and has[k]
     * 1, or 0 for a null, for the first m of them that it reads at once; returns m (0: none, the
     * caller asks get(); a group's span reads only its own columns: m stops where they do).
     * Lets a writer take a feature module's 256 byte counts or 50 packet lengths in one call
     * instead of a call per cell (bench/README.md, "Feature cells in blocks"). */
    uint32_t (*i64_span)(const void *row, const iof__column *c, uint32_t n, int64_t *v, uint8_t *has);
} iof__row_ops;

/* A column group: columns declared together for a record kind, read by one accessor. */
struct iof__colgroup {
    const char *name;   /* e.g. "customflow.slots", "device" (for docs and messages) */
    /* Reads the group's columns: get, and count for list columns (NULL: the group has none);
     * `field` and `index` of its columns mean what the group says. */
    iof__row_ops ops;
    /* The accessor is handed (const char *)row + row_off: a group that reads one part of a
     * kind's row (the device inventory entry, say) is reused by another kind with its own
     * offset. */
    size_t row_off;
    /* Adds the group's columns to s for the kind's settings `cfg` (opaque here) in the wide
     * or nested layout; an opt-in group adds none when not asked for. 0 or an iof_err. */
    int (*declare)(iof__schema *s, const void *cfg, bool wide);
};

struct iof__schema {
    iof__column *cols;
    size_t n;
    size_t cap;
    const char *name;        /* e.g. "customflow.wide" (recorded in file metadata) */
    iof__row_ops ops;
};

/* A record kind's schema: the columns of `groups`, in order, each read by its group's accessor
 * (the schema's ops dispatch to them). 0 or an iof_err; on failure s is freed. */
int iof__schema_build(iof__schema *s, const char *name, const iof__colgroup *const *groups,
                      size_t ngroups, const void *cfg, bool wide);

/* Builder. All return 0 or IOF_E_NOMEM / IOF_E_LIMIT. */
int iof__schema_init(iof__schema *s, const char *name, iof__row_ops ops);
int iof__schema_add(iof__schema *s, const char *name, iof__vtype type, bool nullable, bool list,
                    uint16_t field, uint32_t index, const char *doc);
/* Adds a copy of c (a column declared with designated initialisers, e.g. in a static table);
 * as iof__schema_add, STRING columns get the dictionary hint. IOF_E_INVAL for decimals above
 * IOF_MAX_DECIMALS or an unknown time_text, and for a struct member whose struct is not the
 * previous column's but appeared earlier (or is an earlier top-level column's name): a struct's
 * members are consecutive. */
int iof__schema_add_column(iof__schema *s, const iof__column *c);
void iof__schema_free(iof__schema *s);
/* Index of the column with this name, or -1. */
long iof__schema_find(const iof__schema *s, const char *name);
/* The column that a reader matching names without case (DuckDB, Spark by default) would take for
 * name, -1 if none: a new column must not be named so (labels' keys, sensor columns) */
long iof__schema_find_any_case(const iof__schema *s, const char *name);
const char *iof__vtype_name(iof__vtype t);

/* A group's column is read by its group's accessor straight away (one indirect call per
 * cell, as without groups); s->ops dispatches the same way for callers that use it. */
static inline void iof__schema_get(const iof__schema *s, const void *row, size_t c, uint32_t k,
                                   iof__value *v)
{
    const iof__column *col = &s->cols[c];
    const iof__colgroup *g = col->group;
    if (g)
        g->ops.get((const char *)row + g->row_off, col, k, v);
    else
        s->ops.get(row, col, k, v);
}

static inline uint32_t iof__schema_count(const iof__schema *s, const void *row, size_t c)
{
    const iof__column *col = &s->cols[c];
    const iof__colgroup *g = col->group;
    if (g)
        return g->ops.count ? g->ops.count((const char *)row + g->row_off, col) : 0;
    return s->ops.count(row, col);
}

#endif
