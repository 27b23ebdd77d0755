/* Reader for iotflow's own Parquet files: footer parse, page decode, row iteration.
 * See pq_reader.h for what is supported. Every offset/size/count from the file is checked. */
#include "output/parquet/pq_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "common/err.h"
#include "common/grow.h"
#include "output/parquet/pq_encode.h"
#include "output/parquet/thrift_compact.h"

#define MAX_PAGE_BYTES (1u << 30)      /* i32 page sizes; refuse more before allocating */
#define MAX_PAGE_ENTRIES (1u << 24)    /* level entries per page (writers use <= 20000..1M) */
#define MAX_CHUNK_ENTRIES (1u << 27)   /* level entries per column chunk */

typedef struct slice {
    const uint8_t *p;
    uint32_t len;
} slice;

typedef struct selem {
    int type, rep, num_children, converted, lt, lt_bits, lt_unit;
    bool has_type, has_rep, has_conv;
    const uint8_t *name;
    uint32_t name_len;
} selem;

typedef struct cmeta {
    int type, codec;
    int64_t num_values, data_off, dict_off, total_comp;
    bool has_dict, has_meta;
} cmeta;

typedef struct rgroup {
    cmeta *cols;
    size_t ncols;
    int64_t num_rows;
} rgroup;

typedef struct rcol {
    int ptype;
    uint8_t max_def, max_rep, def_list;
    bool bytes;
    /* decoded chunk of the current row group */
    uint8_t *def, *rep;
    size_t nent, cap_ent;
    int64_t *iv;
    slice *bv;
    size_t nval, cap_val;
    int64_t *div; /* dictionary */
    slice *dbv;
    size_t ndict, cap_dict;
    bool skip;    /* not selected (iof__pq_reader_select): never loaded, reads as null */
    /* cursor and current row */
    size_t ecur, vcur, cur_v;
    uint32_t cur_count;
    bool cur_null;
} rcol;

struct iof__pq_reader {
    const uint8_t *data;
    size_t size;
    void *map; /* mmap'ed region (size) or NULL */
    void *owned; /* malloc'ed copy when mmap is impossible */
    size_t data_end; /* start of the footer */
    iof__schema schema;
    rcol *cols;
    size_t ncols;
    rgroup *rgs;
    size_t nrg;
    int64_t num_rows;
    char **kv; /* key, value pairs */
    size_t n_kv;
    char *created_by;
    size_t rg_next;  /* next row group to load */
    int64_t rg_left; /* rows left in the loaded row group */
    void **bufs;     /* decompressed pages of the loaded row group */
    size_t nbufs, capbufs;
    uint32_t *u32;
    size_t cap_u32;
    int failed;
    char msg[256];
};

static int rfail(iof__pq_reader *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int rfail(iof__pq_reader *r, int code, const char *fmt, ...)
{
    if (r->failed)
        return r->failed;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
    r->failed = code;
    return code;
}

/* iof__grow without a cap of its own: what the reader grows is bounded by its named caps
 * (MAX_PAGE_ENTRIES, MAX_CHUNK_ENTRIES, checked before) or by the pages of one row group,
 * which the file's size bounds. */
static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    return iof__grow(p, cap, need, elem, SIZE_MAX / elem) == IOF_OK;
}

/* ---- footer ------------------------------------------------------------------------- */

static void parse_logical(tc_r *t, selem *e)
{
    int16_t id;
    uint8_t ty;
    iof__tc_enter_struct(t);
    while (iof__tc_next_field(t, &id, &ty)) {
        if (ty != TC_STRUCT) {
            iof__tc_skip(t, ty);
            continue;
        }
        e->lt = id;
        iof__tc_enter_struct(t);
        int16_t id2;
        uint8_t ty2;
        while (iof__tc_next_field(t, &id2, &ty2)) {
            if (id == PQ_LT_INTEGER && id2 == 1 && ty2 == TC_I8) {
                e->lt_bits = (int)iof__tc_read_int(t, ty2);
            } else if (id == PQ_LT_TIMESTAMP && id2 == 2 && ty2 == TC_STRUCT) {
                iof__tc_enter_struct(t);
                int16_t id3;
                uint8_t ty3;
                while (iof__tc_next_field(t, &id3, &ty3)) {
                    e->lt_unit = id3;
                    iof__tc_skip(t, ty3);
                }
                iof__tc_leave_struct(t);
            } else {
                iof__tc_skip(t, ty2);
            }
        }
        iof__tc_leave_struct(t);
    }
    iof__tc_leave_struct(t);
}

static void parse_selem(tc_r *t, selem *e)
{
    int16_t id;
    uint8_t ty;
    memset(e, 0, sizeof *e);
    e->converted = -1;
    iof__tc_enter_struct(t);
    while (iof__tc_next_field(t, &id, &ty)) {
        switch (id) {
        case 1: e->type = (int)iof__tc_read_int(t, ty); e->has_type = true; break;
        case 3: e->rep = (int)iof__tc_read_int(t, ty); e->has_rep = true; break;
        case 4:
            if (ty != TC_BINARY) { t->err = true; break; }
            e->name = iof__tc_read_binary(t, &e->name_len);
            break;
        case 5: e->num_children = (int)iof__tc_read_int(t, ty); break;
        case 6: e->converted = (int)iof__tc_read_int(t, ty); e->has_conv = true; break;
        case 10:
            if (ty == TC_STRUCT) parse_logical(t, e);
            else iof__tc_skip(t, ty);
            break;
        default: iof__tc_skip(t, ty);
        }
    }
    iof__tc_leave_struct(t);
}

static void parse_colmeta(tc_r *t, cmeta *m)
{
    int16_t id;
    uint8_t ty;
    m->has_meta = true;
    iof__tc_enter_struct(t);
    while (iof__tc_next_field(t, &id, &ty)) {
        switch (id) {
        case 1: m->type = (int)iof__tc_read_int(t, ty); break;
        case 4: m->codec = (int)iof__tc_read_int(t, ty); break;
        case 5: m->num_values = iof__tc_read_int(t, ty); break;
        case 7: m->total_comp = iof__tc_read_int(t, ty); break;
        case 9: m->data_off = iof__tc_read_int(t, ty); break;
        case 11: m->dict_off = iof__tc_read_int(t, ty); m->has_dict = true; break;
        default: iof__tc_skip(t, ty);
        }
    }
    iof__tc_leave_struct(t);
}

static void parse_chunk(tc_r *t, cmeta *m)
{
    int16_t id;
    uint8_t ty;
    memset(m, 0, sizeof *m);
    iof__tc_enter_struct(t);
    while (iof__tc_next_field(t, &id, &ty)) {
        if (id == 3 && ty == TC_STRUCT)
            parse_colmeta(t, m);
        else
            iof__tc_skip(t, ty);
    }
    iof__tc_leave_struct(t);
}

static int parse_rowgroup(iof__pq_reader *r, tc_r *t, rgroup *g)
{
    int16_t id;
    uint8_t ty;
    iof__tc_enter_struct(t);
    while (iof__tc_next_field(t, &id, &ty)) {
        if (id == 1 && ty == TC_LIST && !g->cols) {
            uint8_t et;
            uint32_t n = iof__tc_read_list(t, &et);
            if (t->err || et != TC_STRUCT) {
                t->err = true;
                break;
            }
            g->cols = calloc(n ? n : 1, sizeof *g->cols);
            if (!g->cols)
                return rfail(r, IOF_E_NOMEM, "parquet: out of memory");
            g->ncols = n;
            for (uint32_t i = 0; i < n && !t->err; i++)
                parse_chunk(t, &g->cols[i]);
        } else if (id == 3) {
            g->num_rows = iof__tc_read_int(t, ty);
        } else {
            iof__tc_skip(t, ty);
        }
    }
    iof__tc_leave_struct(t);
    return 0;
}

static char *dupn(const uint8_t *p, uint32_t n)
{
    char *s = malloc((size_t)n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/* A group element that is a 3-level list (annotated LIST, or its one child repeated), not a
 * struct. */
static bool is_list(const selem *el, size_t nel, size_t at)
{
    const selem *e = &el[at];
    return e->converted == PQ_CT_LIST || e->lt == PQ_LT_LIST ||
           (at + 1 < nel && el[at + 1].has_rep && el[at + 1].rep == PQ_REP_REPEATED);
}

/* Column *n (a leaf, or a 3-level list) from el[*at], a member of struct `st` when not NULL. */
static int read_column(iof__pq_reader *r, const selem *el, size_t nel, size_t *at, const selem *st, size_t *n,
                       size_t cap)
{
    if (*at >= nel)
        return rfail(r, IOF_E_FORMAT, "parquet: schema has fewer elements than declared");
    if (*n >= cap)
        return rfail(r, IOF_E_UNSUPPORTED, "parquet: more than %d columns", IOF_MAX_COLUMNS);
    size_t i = (*n)++;
    const selem *top = &el[(*at)++];
    iof__column *col = &r->schema.cols[i];
    rcol *c = &r->cols[i];
    if (top->name_len == 0 || top->name_len >= IOF_MAX_COLNAME)
        return rfail(r, IOF_E_UNSUPPORTED, "parquet: column %zu: name empty or too long", i);
    memcpy(col->name, top->name, top->name_len);
    if (st) { /* "struct.member" (the struct's name was checked: 1..IOF_MAX_COLNAME - 2 bytes) */
        char sname[IOF_MAX_COLNAME], mname[IOF_MAX_COLNAME];
        memcpy(sname, st->name, st->name_len);
        sname[st->name_len] = '\0';
        memcpy(mname, col->name, sizeof mname);
        if (iof__col_set_member(col, sname, mname) != IOF_OK)
            return rfail(r, IOF_E_UNSUPPORTED, "parquet: column %s.%s: name too long or with a dot", sname, mname);
    }
    col->index = (uint32_t)i;
    if (!top->has_rep || (top->rep != PQ_REP_REQUIRED && top->rep != PQ_REP_OPTIONAL))
        return rfail(r, IOF_E_UNSUPPORTED, "parquet: column %s: repetition not supported", col->name);
    col->nullable = top->rep == PQ_REP_OPTIONAL;
    const selem *leaf = top;
    if (top->num_children > 0) {
        if (top->num_children != 1 || *at + 1 >= nel || !is_list(el, nel, *at - 1))
            return rfail(r, IOF_E_UNSUPPORTED, "parquet: column %s: only 3-level lists (and structs of them and of "
                         "leaves, at the top level) are supported", col->name);
        const selem *mid = &el[(*at)++];
        leaf = &el[(*at)++];
        if (!mid->has_rep || mid->rep != PQ_REP_REPEATED || mid->num_children != 1 || leaf->num_children > 0 ||
            !leaf->has_rep || leaf->rep != PQ_REP_REQUIRED)
            return rfail(r, IOF_E_UNSUPPORTED, "parquet: column %s: only 3-level lists with required elements are supported",
                         col->name);
        col->list = true;
        c->max_rep = 1;
        c->def_list = col->nullable ? 1 : 0;
        c->max_def = (uint8_t)(c->def_list + 1);
    } else {
        c->max_def = col->nullable ? 1 : 0;
    }
    if (!leaf->has_type)
        return rfail(r, IOF_E_FORMAT, "parquet: column %s: leaf without a type", col->name);
    c->ptype = leaf->type;
    switch (leaf->type) {
    case PQ_T_BOOLEAN: col->type = IOF_VT_BOOL; break;
    case PQ_T_INT32:
        if (leaf->converted == PQ_CT_INT_8 || (leaf->lt == PQ_LT_INTEGER && leaf->lt_bits == 8))
            col->type = IOF_VT_INT8;
        else if (leaf->converted == PQ_CT_INT_16 || (leaf->lt == PQ_LT_INTEGER && leaf->lt_bits == 16))
            col->type = IOF_VT_INT16;
        else
            col->type = IOF_VT_INT32;
        break;
    case PQ_T_INT64:
        if (leaf->converted == PQ_CT_TIMESTAMP_MICROS || (leaf->lt == PQ_LT_TIMESTAMP && leaf->lt_unit == 2))
            col->type = IOF_VT_TIMESTAMP_US;
        else
            col->type = IOF_VT_INT64;
        break;
    case PQ_T_DOUBLE: col->type = IOF_VT_FLOAT64; break;
    case PQ_T_BYTE_ARRAY:
        c->bytes = true;
        col->type = (leaf->converted == PQ_CT_UTF8 || leaf->lt == PQ_LT_STRING) ? IOF_VT_STRING : IOF_VT_BINARY;
        break;
    default:
        return rfail(r, IOF_E_UNSUPPORTED, "parquet: column %s: physical type %d not supported", col->name,
                     leaf->type);
    }
    return 0;
}

/* Maps the schema tree onto columns: top-level leaves and lists, and the members of top-level
 * REQUIRED structs (one level: what pq_writer.c writes; a required group adds no level, so a
 * member's levels are those of the same column at the top), named "struct.member". */
static int build_schema(iof__pq_reader *r, const selem *el, size_t nel)
{
    if (nel < 1 || el[0].num_children < 0 || (size_t)el[0].num_children > IOF_MAX_COLUMNS)
        return rfail(r, IOF_E_FORMAT, "parquet: bad schema root");
    size_t cap = nel - 1 < IOF_MAX_COLUMNS ? nel - 1 : IOF_MAX_COLUMNS; /* a column takes an element */
    r->schema.cols = calloc(cap ? cap : 1, sizeof *r->schema.cols);
    r->cols = calloc(cap ? cap : 1, sizeof *r->cols);
    if (!r->schema.cols || !r->cols)
        return rfail(r, IOF_E_NOMEM, "parquet: out of memory");
    size_t n = 0, at = 1;
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < (size_t)el[0].num_children; k++) {
        if (at >= nel) {
            rc = rfail(r, IOF_E_FORMAT, "parquet: schema has fewer elements than declared");
        } else if (el[at].num_children > 0 && !is_list(el, nel, at)) {
            const selem *st = &el[at++];
            if (st->name_len == 0 || st->name_len >= IOF_MAX_COLNAME - 1 || !st->has_rep || st->rep != PQ_REP_REQUIRED)
                rc = rfail(r, IOF_E_UNSUPPORTED, "parquet: struct %zu: not a required group with a name of 1 to %d bytes",
                           k, IOF_MAX_COLNAME - 2);
            for (int m = 0; rc == 0 && m < st->num_children; m++)
                rc = read_column(r, el, nel, &at, st, &n, cap);
        } else {
            rc = read_column(r, el, nel, &at, NULL, &n, cap);
        }
    }
    r->schema.n = r->schema.cap = n;
    r->ncols = n;
    if (rc == 0 && at != nel)
        return rfail(r, IOF_E_UNSUPPORTED, "parquet: schema has nested fields that are not supported");
    return rc;
}

static void rd_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    iof__pq_reader_get(row, c->index, k, v);
}

static uint32_t rd_count(const void *row, const iof__column *c) { return iof__pq_reader_count(row, c->index); }

static int parse_footer(iof__pq_reader *r)
{
    if (r->size < 12 || memcmp(r->data, "PAR1", 4) != 0 || memcmp(r->data + r->size - 4, "PAR1", 4) != 0)
        return rfail(r, IOF_E_FORMAT, "not a Parquet file (no PAR1 magic)");
    uint32_t flen = pq_rd_le32(r->data + r->size - 8);
    if (flen > r->size - 12)
        return rfail(r, IOF_E_FORMAT, "parquet: footer length %u exceeds the file", flen);
    r->data_end = r->size - 8 - flen;
    tc_r t;
    iof__tc_r_init(&t, r->data + r->data_end, flen);
    selem *el = NULL;
    size_t nel = 0;
    bool have_schema = false;
    int16_t id;
    uint8_t ty;
    int rc = 0;
    while (rc == 0 && iof__tc_next_field(&t, &id, &ty)) {
        if (id == 2 && ty == TC_LIST && !have_schema) {
            uint8_t et;
            uint32_t n = iof__tc_read_list(&t, &et);
            if (t.err || et != TC_STRUCT)
                break;
            el = calloc(n ? n : 1, sizeof *el);
            if (!el) {
                rc = rfail(r, IOF_E_NOMEM, "parquet: out of memory");
                break;
            }
            nel = n;
            for (uint32_t i = 0; i < n && !t.err; i++)
                parse_selem(&t, &el[i]);
            have_schema = true;
        } else if (id == 3) {
            r->num_rows = iof__tc_read_int(&t, ty);
        } else if (id == 4 && ty == TC_LIST && !r->rgs) {
            uint8_t et;
            uint32_t n = iof__tc_read_list(&t, &et);
            if (t.err || et != TC_STRUCT) {
                t.err = true;
                break;
            }
            r->rgs = calloc(n ? n : 1, sizeof *r->rgs);
            if (!r->rgs) {
                rc = rfail(r, IOF_E_NOMEM, "parquet: out of memory");
                break;
            }
            r->nrg = n;
            for (uint32_t i = 0; i < n && !t.err && rc == 0; i++)
                rc = parse_rowgroup(r, &t, &r->rgs[i]);
        } else if (id == 5 && ty == TC_LIST && !r->kv) {
            uint8_t et;
            uint32_t n = iof__tc_read_list(&t, &et);
            if (t.err || et != TC_STRUCT) {
                t.err = true;
                break;
            }
            r->kv = calloc(2 * (size_t)(n ? n : 1), sizeof *r->kv);
            if (!r->kv) {
                rc = rfail(r, IOF_E_NOMEM, "parquet: out of memory");
                break;
            }
            for (uint32_t i = 0; i < n && !t.err; i++) {
                const uint8_t *k = (const uint8_t *)"", *v = (const uint8_t *)"";
                uint32_t kl = 0, vl = 0;
                int16_t id2;
                uint8_t ty2;
                iof__tc_enter_struct(&t);
                while (iof__tc_next_field(&t, &id2, &ty2)) {
                    if (id2 == 1 && ty2 == TC_BINARY)
                        k = iof__tc_read_binary(&t, &kl);
                    else if (id2 == 2 && ty2 == TC_BINARY)
                        v = iof__tc_read_binary(&t, &vl);
                    else
                        iof__tc_skip(&t, ty2);
                }
                iof__tc_leave_struct(&t);
                if (t.err)
                    break;
                r->kv[2 * i] = dupn(k, kl);
                r->kv[2 * i + 1] = dupn(v, vl);
                r->n_kv = i + 1;
                if (!r->kv[2 * i] || !r->kv[2 * i + 1]) {
                    rc = rfail(r, IOF_E_NOMEM, "parquet: out of memory");
                    break;
                }
            }
        } else if (id == 6 && ty == TC_BINARY) {
            uint32_t n;
            const uint8_t *s = iof__tc_read_binary(&t, &n);
            if (!t.err) {
                free(r->created_by);
                r->created_by = dupn(s, n);
            }
        } else {
            iof__tc_skip(&t, ty);
        }
    }
    if (rc == 0 && t.err)
        rc = rfail(r, IOF_E_FORMAT, "parquet: damaged footer");
    if (rc == 0 && !have_schema)
        rc = rfail(r, IOF_E_FORMAT, "parquet: footer has no schema");
    if (rc == 0)
        rc = build_schema(r, el, nel);
    free(el);
    if (rc < 0)
        return rc;
    int64_t sum = 0;
    for (size_t i = 0; i < r->nrg; i++) {
        if (r->rgs[i].ncols != r->ncols || r->rgs[i].num_rows < 0 || r->rgs[i].num_rows > INT64_MAX - sum)
            return rfail(r, IOF_E_FORMAT, "parquet: row group %zu does not match the schema", i);
        sum += r->rgs[i].num_rows;
    }
    if (sum != r->num_rows)
        return rfail(r, IOF_E_FORMAT, "parquet: num_rows %lld != sum of row groups %lld", (long long)r->num_rows,
                     (long long)sum);
    r->schema.name = "parquet";
    r->schema.ops.get = rd_get;
    r->schema.ops.count = rd_count;
    return 0;
}

/* ---- open / close ------------------------------------------------------------------- */

static int finish_open(iof__pq_reader *r, iof__pq_reader **out, char *err, size_t errlen)
{
    int rc = parse_footer(r);
    if (rc < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s", r->msg);
        iof__pq_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

int iof__pq_reader_open_mem(iof__pq_reader **out, const void *buf, size_t len, char *err, size_t errlen)
{
    *out = NULL;
    iof__pq_reader *r = calloc(1, sizeof *r);
    if (!r) {
        if (err && errlen)
            snprintf(err, errlen, "parquet: out of memory");
        return IOF_E_NOMEM;
    }
    r->data = buf;
    r->size = len;
    return finish_open(r, out, err, errlen);
}

int iof__pq_reader_open(iof__pq_reader **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return IOF_E_IO;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (err && errlen)
            snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return IOF_E_IO;
    }
    iof__pq_reader *r = calloc(1, sizeof *r);
    if (!r) {
        close(fd);
        if (err && errlen)
            snprintf(err, errlen, "parquet: out of memory");
        return IOF_E_NOMEM;
    }
    r->size = (size_t)st.st_size;
    if (r->size > 0) {
        void *m = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            r->map = m;
            r->data = m;
        } else {
            r->owned = malloc(r->size);
            size_t got = 0;
            while (r->owned && got < r->size) {
                ssize_t k = read(fd, (uint8_t *)r->owned + got, r->size - got);
                if (k <= 0)
                    break;
                got += (size_t)k;
            }
            if (!r->owned || got != r->size) {
                close(fd);
                if (err && errlen)
                    snprintf(err, errlen, "%s: cannot read", path);
                iof__pq_reader_close(r);
                return IOF_E_IO;
            }
            r->data = r->owned;
        }
    }
    close(fd);
    int rc = finish_open(r, out, err, errlen);
    if (rc < 0 && err && errlen) {
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", err);
        snprintf(err, errlen, "%s: %s", path, tmp);
    }
    return rc;
}

static void free_bufs(iof__pq_reader *r)
{
    for (size_t i = 0; i < r->nbufs; i++)
        free(r->bufs[i]);
    r->nbufs = 0;
}

void iof__pq_reader_close(iof__pq_reader *r)
{
    if (!r)
        return;
    free_bufs(r);
    free(r->bufs);
    free(r->u32);
    for (size_t i = 0; i < r->ncols; i++) {
        rcol *c = &r->cols[i];
        free(c->def);
        free(c->rep);
        free(c->iv);
        free(c->bv);
        free(c->div);
        free(c->dbv);
    }
    free(r->cols);
    free(r->schema.cols);
    for (size_t i = 0; i < r->nrg; i++)
        free(r->rgs[i].cols);
    free(r->rgs);
    for (size_t i = 0; r->kv && i < 2 * r->n_kv; i++)
        free(r->kv[i]);
    free(r->kv);
    free(r->created_by);
    if (r->map)
        munmap(r->map, r->size);
    free(r->owned);
    free(r);
}

const iof__schema *iof__pq_reader_schema(const iof__pq_reader *r) { return &r->schema; }
uint64_t iof__pq_reader_nrows(const iof__pq_reader *r) { return (uint64_t)r->num_rows; }
size_t iof__pq_reader_nrowgroups(const iof__pq_reader *r) { return r->nrg; }
const char *iof__pq_reader_errmsg(const iof__pq_reader *r) { return r ? r->msg : ""; }
const char *iof__pq_reader_created_by(const iof__pq_reader *r) { return r->created_by ? r->created_by : ""; }

size_t iof__pq_reader_nkv(const iof__pq_reader *r) { return r->n_kv; }

void iof__pq_reader_kv_at(const iof__pq_reader *r, size_t i, const char **key, const char **value)
{
    *key = i < r->n_kv ? r->kv[2 * i] : NULL;
    *value = i < r->n_kv ? r->kv[2 * i + 1] : NULL;
}

const char *iof__pq_reader_kv(const iof__pq_reader *r, const char *key)
{
    for (size_t i = 0; i < r->n_kv; i++)
        if (strcmp(r->kv[2 * i], key) == 0)
            return r->kv[2 * i + 1];
    return NULL;
}

/* ---- pages -------------------------------------------------------------------------- */

typedef struct pheader {
    int type;
    int64_t usize, csize;
    int64_t num_values;
    int encoding;
    bool has_data, has_dict;
} pheader;

static void parse_pheader(tc_r *t, pheader *h)
{
    int16_t id;
    uint8_t ty;
    memset(h, 0, sizeof *h);
    h->type = -1;
    while (iof__tc_next_field(t, &id, &ty)) {
        switch (id) {
        case 1: h->type = (int)iof__tc_read_int(t, ty); break;
        case 2: h->usize = iof__tc_read_int(t, ty); break;
        case 3: h->csize = iof__tc_read_int(t, ty); break;
        case 5:
        case 7:
            if (ty != TC_STRUCT) {
                t->err = true;
                break;
            }
            if (id == 5)
                h->has_data = true;
            else
                h->has_dict = true;
            {
                int16_t id2;
                uint8_t ty2;
                iof__tc_enter_struct(t);
                while (iof__tc_next_field(t, &id2, &ty2)) {
                    if (id2 == 1)
                        h->num_values = iof__tc_read_int(t, ty2);
                    else if (id2 == 2)
                        h->encoding = (int)iof__tc_read_int(t, ty2);
                    else
                        iof__tc_skip(t, ty2);
                }
                iof__tc_leave_struct(t);
            }
            break;
        default: iof__tc_skip(t, ty);
        }
    }
}

static const uint8_t *decompress(iof__pq_reader *r, int codec, const uint8_t *src, size_t clen, size_t ulen)
{
    if (codec == PQ_CODEC_UNCOMPRESSED) {
        if (clen != ulen) {
            rfail(r, IOF_E_FORMAT, "parquet: uncompressed page with different sizes");
            return NULL;
        }
        return src;
    }
    if (!grow((void **)&r->bufs, &r->capbufs, r->nbufs + 1, sizeof *r->bufs)) {
        rfail(r, IOF_E_NOMEM, "parquet: out of memory");
        return NULL;
    }
    uint8_t *dst = malloc(ulen ? ulen : 1);
    if (!dst) {
        rfail(r, IOF_E_NOMEM, "parquet: out of memory");
        return NULL;
    }
    r->bufs[r->nbufs++] = dst;
    if (codec == PQ_CODEC_ZSTD) {
        size_t k = ZSTD_decompress(dst, ulen, src, clen);
        if (ZSTD_isError(k) || k != ulen) {
            rfail(r, IOF_E_FORMAT, "parquet: zstd page does not decompress to %zu bytes", ulen);
            return NULL;
        }
    } else if (codec == PQ_CODEC_SNAPPY) {
        size_t k = 0;
        if (snappy_uncompressed_length((const char *)src, clen, &k) != SNAPPY_OK || k != ulen ||
            snappy_uncompress((const char *)src, clen, (char *)dst, &k) != SNAPPY_OK || k != ulen) {
            rfail(r, IOF_E_FORMAT, "parquet: snappy page does not decompress to %zu bytes", ulen);
            return NULL;
        }
    } else {
        rfail(r, IOF_E_UNSUPPORTED, "parquet: compression codec %d not supported", codec);
        return NULL;
    }
    return dst;
}

/* PLAIN-decodes n values of physical type ptype; returns bytes consumed or -1. */
static long plain_decode(int ptype, const uint8_t *q, size_t len, size_t n, int64_t *iv, slice *bv)
{
    size_t pos = 0;
    switch (ptype) {
    case PQ_T_BOOLEAN:
        if ((n + 7) / 8 > len)
            return -1;
        for (size_t k = 0; k < n; k++)
            iv[k] = (q[k >> 3] >> (k & 7)) & 1;
        return (long)((n + 7) / 8);
    case PQ_T_INT32:
        if (n > len / 4)
            return -1;
        for (size_t k = 0; k < n; k++)
            iv[k] = (int32_t)pq_rd_le32(q + 4 * k);
        return (long)(4 * n);
    case PQ_T_INT64:
    case PQ_T_DOUBLE: /* kept as the 8-byte pattern; get() gives the double */
        if (n > len / 8)
            return -1;
        for (size_t k = 0; k < n; k++)
            iv[k] = (int64_t)pq_rd_le64(q + 8 * k);
        return (long)(8 * n);
    case PQ_T_BYTE_ARRAY:
        for (size_t k = 0; k < n; k++) {
            if (len - pos < 4)
                return -1;
            uint32_t l = pq_rd_le32(q + pos);
            pos += 4;
            if (l > len - pos)
                return -1;
            bv[k].p = q + pos;
            bv[k].len = l;
            pos += l;
        }
        return (long)pos;
    default:
        return -1;
    }
}

static int decode_levels(iof__pq_reader *r, const uint8_t **q, size_t *len, size_t n, uint8_t maxl, uint8_t *out)
{
    if (*len < 4)
        return rfail(r, IOF_E_FORMAT, "parquet: truncated level section");
    uint32_t l = pq_rd_le32(*q);
    if (l > *len - 4)
        return rfail(r, IOF_E_FORMAT, "parquet: level section longer than the page");
    if (!grow((void **)&r->u32, &r->cap_u32, n + 1, sizeof *r->u32))
        return rfail(r, IOF_E_NOMEM, "parquet: out of memory");
    if (iof__pq_hybrid_decode(*q + 4, l, pq_bit_width(maxl), r->u32, n) < 0)
        return rfail(r, IOF_E_FORMAT, "parquet: damaged level section");
    for (size_t k = 0; k < n; k++) {
        if (r->u32[k] > maxl)
            return rfail(r, IOF_E_FORMAT, "parquet: level %u above the maximum %u", r->u32[k], maxl);
        out[k] = (uint8_t)r->u32[k];
    }
    *q += 4 + (size_t)l;
    *len -= 4 + (size_t)l;
    return 0;
}

static int data_page(iof__pq_reader *r, rcol *c, const pheader *h, const uint8_t *q, size_t len)
{
    if (h->num_values < 0 || h->num_values > MAX_PAGE_ENTRIES || c->nent + (size_t)h->num_values > MAX_CHUNK_ENTRIES)
        return rfail(r, IOF_E_FORMAT, "parquet: page with %lld values", (long long)h->num_values);
    size_t n = (size_t)h->num_values;
    if (!grow((void **)&c->def, &c->cap_ent, c->nent + n + 1, 1))
        return rfail(r, IOF_E_NOMEM, "parquet: out of memory");
    size_t cap2 = c->cap_ent;
    /* rep shares the capacity bookkeeping of def: keep them the same size */
    uint8_t *rep = realloc(c->rep, cap2 ? cap2 : 1);
    if (!rep)
        return rfail(r, IOF_E_NOMEM, "parquet: out of memory");
    c->rep = rep;
    uint8_t *rp = c->rep + c->nent, *dp = c->def + c->nent;
    if (c->max_rep) {
        if (decode_levels(r, &q, &len, n, c->max_rep, rp) < 0)
            return r->failed;
    } else {
        memset(rp, 0, n);
    }
    size_t nv = n;
    if (c->max_def) {
        if (decode_levels(r, &q, &len, n, c->max_def, dp) < 0)
            return r->failed;
        nv = 0;
        for (size_t k = 0; k < n; k++)
            nv += dp[k] == c->max_def;
    } else {
        memset(dp, c->max_def, n);
    }
    if (c->bytes) {
        if (!grow((void **)&c->bv, &c->cap_val, c->nval + nv + 1, sizeof *c->bv))
            return rfail(r, IOF_E_NOMEM, "parquet: out of memory");
    } else if (!grow((void **)&c->iv, &c->cap_val, c->nval + nv + 1, sizeof *c->iv)) {
        return rfail(r, IOF_E_NOMEM, "parquet: out of memory");
    }
    if (h->encoding == PQ_ENC_PLAIN) {
        if (plain_decode(c->ptype, q, len, nv, c->bytes ? NULL : c->iv + c->nval, c->bytes ? c->bv + c->nval : NULL) < 0)
            return rfail(r, IOF_E_FORMAT, "parquet: damaged PLAIN values");
    } else if (h->encoding == PQ_ENC_RLE_DICTIONARY || h->encoding == PQ_ENC_PLAIN_DICTIONARY) {
        if (nv && len < 1)
            return rfail(r, IOF_E_FORMAT, "parquet: missing dictionary index width");
        if (nv) {
            unsigned bw = q[0];
            if (!grow((void **)&r->u32, &r->cap_u32, nv + 1, sizeof *r->u32))
                return rfail(r, IOF_E_NOMEM, "parquet: out of memory");
            if (iof__pq_hybrid_decode(q + 1, len - 1, bw, r->u32, nv) < 0)
                return rfail(r, IOF_E_FORMAT, "parquet: damaged dictionary indices");
            for (size_t k = 0; k < nv; k++) {
                uint32_t d = r->u32[k];
                if (d >= c->ndict)
                    return rfail(r, IOF_E_FORMAT, "parquet: dictionary index %u out of range", d);
                if (c->bytes)
                    c->bv[c->nval + k] = c->dbv[d];
                else
                    c->iv[c->nval + k] = c->div[d];
            }
        }
    } else {
        return rfail(r, IOF_E_UNSUPPORTED, "parquet: encoding %d not supported", h->encoding);
    }
    c->nent += n;
    c->nval += nv;
    return 0;
}

static int load_chunk(iof__pq_reader *r, rcol *c, const cmeta *m, int64_t rows, size_t ci)
{
    c->nent = c->nval = c->ndict = 0;
    c->ecur = c->vcur = 0;
    if (!m->has_meta || m->type != c->ptype)
        return rfail(r, IOF_E_FORMAT, "parquet: column %zu: chunk metadata missing or of another type", ci);
    if (m->num_values < 0 || m->num_values > MAX_CHUNK_ENTRIES)
        return rfail(r, IOF_E_FORMAT, "parquet: column %zu: %lld values", ci, (long long)m->num_values);
    int64_t start = (m->has_dict && m->dict_off > 0) ? m->dict_off : m->data_off;
    if (start < 4 || m->total_comp < 0 || (uint64_t)start > r->data_end ||
        (uint64_t)m->total_comp > r->data_end - (uint64_t)start)
        return rfail(r, IOF_E_FORMAT, "parquet: column %zu: chunk outside the data region", ci);
    size_t pos = (size_t)start, end = (size_t)start + (size_t)m->total_comp;
    while (c->nent < (size_t)m->num_values) {
        if (pos >= end)
            return rfail(r, IOF_E_FORMAT, "parquet: column %zu: chunk ends after %zu of %lld values", ci, c->nent,
                         (long long)m->num_values);
        tc_r t;
        iof__tc_r_init(&t, r->data + pos, end - pos);
        pheader h;
        parse_pheader(&t, &h);
        if (t.err || h.csize < 0 || h.usize < 0 || h.usize > MAX_PAGE_BYTES)
            return rfail(r, IOF_E_FORMAT, "parquet: column %zu: damaged page header", ci);
        pos = (size_t)(t.p - r->data);
        if ((uint64_t)h.csize > end - pos)
            return rfail(r, IOF_E_FORMAT, "parquet: column %zu: page runs past its chunk", ci);
        const uint8_t *body = r->data + pos;
        pos += (size_t)h.csize;
        if (h.type == PQ_PAGE_INDEX)
            continue;
        if (h.type != PQ_PAGE_DATA && h.type != PQ_PAGE_DICTIONARY)
            return rfail(r, IOF_E_UNSUPPORTED, "parquet: column %zu: page type %d not supported", ci, h.type);
        const uint8_t *q = decompress(r, m->codec, body, (size_t)h.csize, (size_t)h.usize);
        if (!q)
            return r->failed;
        if (h.type == PQ_PAGE_DICTIONARY) {
            if (!h.has_dict || h.num_values < 0 || h.num_values > MAX_PAGE_ENTRIES || c->ndict)
                return rfail(r, IOF_E_FORMAT, "parquet: column %zu: bad dictionary page", ci);
            size_t nd = (size_t)h.num_values;
            bool ok = c->bytes ? grow((void **)&c->dbv, &c->cap_dict, nd + 1, sizeof *c->dbv)
                               : grow((void **)&c->div, &c->cap_dict, nd + 1, sizeof *c->div);
            if (!ok)
                return rfail(r, IOF_E_NOMEM, "parquet: out of memory");
            if (plain_decode(c->ptype, q, (size_t)h.usize, nd, c->bytes ? NULL : c->div, c->bytes ? c->dbv : NULL) < 0)
                return rfail(r, IOF_E_FORMAT, "parquet: column %zu: damaged dictionary", ci);
            c->ndict = nd;
        } else {
            if (!h.has_data)
                return rfail(r, IOF_E_FORMAT, "parquet: column %zu: data page without its header", ci);
            if (data_page(r, c, &h, q, (size_t)h.usize) < 0)
                return r->failed;
        }
    }
    if (c->nent != (size_t)m->num_values)
        return rfail(r, IOF_E_FORMAT, "parquet: column %zu: pages hold more values than the chunk", ci);
    size_t nrows = 0;
    for (size_t k = 0; k < c->nent; k++)
        nrows += c->rep[k] == 0;
    if ((int64_t)nrows != rows)
        return rfail(r, IOF_E_FORMAT, "parquet: column %zu: %zu rows, row group has %lld", ci, nrows, (long long)rows);
    return 0;
}

/* ---- rows --------------------------------------------------------------------------- */

int iof__pq_reader_next(iof__pq_reader *r)
{
    if (r->failed)
        return r->failed;
    while (r->rg_left == 0) {
        if (r->rg_next >= r->nrg)
            return 0;
        const rgroup *g = &r->rgs[r->rg_next++];
        free_bufs(r);
        for (size_t i = 0; i < r->ncols; i++)
            if (!r->cols[i].skip && load_chunk(r, &r->cols[i], &g->cols[i], g->num_rows, i) < 0)
                return r->failed;
        r->rg_left = g->num_rows;
    }
    for (size_t i = 0; i < r->ncols; i++) {
        rcol *c = &r->cols[i];
        if (c->skip) {
            c->cur_null = true;
            c->cur_count = UINT32_MAX;
            continue;
        }
        if (c->ecur >= c->nent)
            return rfail(r, IOF_E_FORMAT, "parquet: column %zu ran out of values", i);
        uint8_t d = c->def[c->ecur];
        if (!c->max_rep) {
            c->cur_null = d < c->max_def;
            c->cur_count = 1;
            c->cur_v = c->vcur;
            if (!c->cur_null)
                c->vcur++;
            c->ecur++;
            continue;
        }
        c->cur_null = false;
        c->cur_v = c->vcur;
        if (d < c->def_list) {
            c->cur_null = true;
            c->cur_count = UINT32_MAX;
            c->ecur++;
        } else if (d < c->max_def) {
            c->cur_count = 0;
            c->ecur++;
        } else {
            uint32_t n = 0;
            do {
                if (c->def[c->ecur] != c->max_def)
                    return rfail(r, IOF_E_FORMAT, "parquet: column %zu: null list element", i);
                n++;
                c->vcur++;
                c->ecur++;
            } while (c->ecur < c->nent && c->rep[c->ecur] != 0);
            c->cur_count = n;
        }
    }
    r->rg_left--;
    return 1;
}

void iof__pq_reader_get(const iof__pq_reader *r, size_t col, uint32_t k, iof__value *v)
{
    memset(v, 0, sizeof *v);
    if (col >= r->ncols) {
        v->null = true;
        return;
    }
    const rcol *c = &r->cols[col];
    if (c->cur_null || (c->max_rep && k >= c->cur_count) || c->cur_v + (c->max_rep ? k : 0) >= c->nval) {
        v->null = true;
        return;
    }
    size_t at = c->cur_v + (c->max_rep ? k : 0);
    if (c->bytes) {
        v->p = c->bv[at].p;
        v->len = c->bv[at].len;
    } else if (c->ptype == PQ_T_DOUBLE) {
        memcpy(&v->f, &c->iv[at], 8);
    } else {
        v->i = c->iv[at];
    }
}

int iof__pq_reader_select(iof__pq_reader *r, const size_t *cols, size_t n)
{
    if (r->rg_next != 0)
        return rfail(r, IOF_E_INVAL, "parquet: columns are selected before the first row");
    for (size_t i = 0; i < r->ncols; i++)
        r->cols[i].skip = true;
    for (size_t k = 0; k < n; k++) {
        if (cols[k] >= r->ncols)
            return rfail(r, IOF_E_INVAL, "parquet: column %zu out of range", cols[k]);
        r->cols[cols[k]].skip = false;
    }
    return 0;
}

uint32_t iof__pq_reader_count(const iof__pq_reader *r, size_t col)
{
    if (col >= r->ncols)
        return UINT32_MAX;
    const rcol *c = &r->cols[col];
    if (!c->max_rep)
        return 1;
    return c->cur_null ? UINT32_MAX : c->cur_count;
}
