/* Native Parquet writer: buffers a row group per column, then encodes and streams it (on a
 * flush thread while the next row group fills). See pq_writer.h for the model and the type
 * mapping, pq_writer_int.h for its files, docs/ARCHITECTURE.md for the shape. This file: open,
 * declare, abort and the footer. */
#include "output/parquet/pq_writer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "common/err.h"
#include "output/parquet/pq_writer_int.h"

#ifndef IOF_VERSION_STRING
#define IOF_VERSION_STRING "0.1.0"
#endif
#ifndef IOF_BUILD_ID
#define IOF_BUILD_ID "unknown"
#endif

/* True on a writer's flush thread: its errors go to ffailed, not to the caller's failed. */
_Thread_local bool iof__pqw_on_flush_thread;

int iof__pqw_fail(iof__pq_writer *w, int code, const char *fmt, ...)
{
    int *failed = iof__pqw_on_flush_thread ? &w->ffailed : &w->failed;
    if (*failed)
        return *failed;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(iof__pqw_on_flush_thread ? w->fmsg : w->msg, sizeof w->msg, fmt, ap);
    va_end(ap);
    *failed = code;
    return code;
}

int iof__pqw_emit(iof__pq_writer *w, const void *p, size_t n)
{
    if (!n)
        return 0;
    int rc = w->cfg.sink(w->cfg.sink_ctx, p, n);
    if (rc < 0)
        return iof__pqw_fail(w, rc, "parquet: write failed at offset %llu", (unsigned long long)w->offset);
    w->offset += n;
    return 0;
}

/* An unlinked temporary file in $TMPDIR when it is set (a user whose /tmp is small points it
 * elsewhere, as sort(1) and most tools read it), else tmpfile()'s /tmp. NULL: none. */
static FILE *spill_file(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        return tmpfile();
    char path[4096];
    if (snprintf(path, sizeof path, "%s/iotflow-footer-XXXXXX", dir) >= (int)sizeof path)
        return NULL;
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    unlink(path);
    FILE *f = fdopen(fd, "w+b");
    if (!f)
        close(fd);
    return f;
}

void iof__pqw_rgs_spill(iof__pq_writer *w)
{
    if (w->rgs.len < PQ_RGS_SPILL_BYTES || w->rgs_spill_off)
        return;
    if (!w->rgs_spill && !(w->rgs_spill = spill_file())) {
        w->rgs_spill_off = true; /* kept in memory */
        return;
    }
    /* a write that fails (a full disk) keeps these and the next ones in memory; the bytes
     * counted as spilled were flushed, and only they are read back */
    if (fwrite(w->rgs.p, 1, w->rgs.len, w->rgs_spill) != w->rgs.len || fflush(w->rgs_spill) != 0) {
        w->rgs_spill_off = true;
        return;
    }
    w->rgs_spilled += w->rgs.len;
    w->rgs.len = 0;
}

/* Emits the spilled RowGroup structs (iof__pqw_rgs_spill), then the ones in memory. */
static int emit_rgs(iof__pq_writer *w, pq_buf *scratch)
{
    if (w->rgs_spilled) {
        scratch->len = 0;
        if (!pq_buf_reserve(scratch, PQ_RGS_SPILL_BYTES))
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
        /* pread: the stream's state after a failed write does not matter, only the flushed
         * bytes [0, rgs_spilled) are read */
        const int fd = fileno(w->rgs_spill);
        for (uint64_t at = 0; at < w->rgs_spilled;) {
            size_t n = w->rgs_spilled - at < PQ_RGS_SPILL_BYTES ? (size_t)(w->rgs_spilled - at) : PQ_RGS_SPILL_BYTES;
            ssize_t got = pread(fd, scratch->p, n, (off_t)at);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) /* an output's failure (exit 3): the file cannot be completed */
                return iof__pqw_fail(w, IOF_E_OUTPUT, "parquet: cannot read back the footer's temporary file ($TMPDIR, else /tmp): %s",
                                     got < 0 ? strerror(errno) : "it is shorter than written");
            int rc = iof__pqw_emit(w, scratch->p, (size_t)got);
            if (rc < 0)
                return rc;
            at += (uint64_t)got;
        }
    }
    return iof__pqw_emit(w, w->rgs.p, w->rgs.len);
}

/* ---- open / declare ----------------------------------------------------------------- */

static int setup_col(pq_col *c, const iof__column *src)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", src->name);
    c->member_at = src->member_at;
    if (c->member_at && (c->member_at >= strlen(c->name) || c->name[c->member_at - 1] != '.'))
        return -1; /* not made by iof__col_set_member */
    c->type = src->type;
    c->nullable = src->nullable;
    c->list = src->list;
    c->dict_hint = src->dict;
    switch (src->type) {
    case IOF_VT_BOOL: c->ptype = PQ_T_BOOLEAN; c->width = 1; break;
    case IOF_VT_INT8: c->ptype = PQ_T_INT32; c->width = 1; c->psize = 4; break;
    case IOF_VT_INT16: c->ptype = PQ_T_INT32; c->width = 2; c->psize = 4; break;
    case IOF_VT_INT32: c->ptype = PQ_T_INT32; c->width = 4; c->psize = 4; break;
    case IOF_VT_INT64:
    case IOF_VT_TIMESTAMP_US: c->ptype = PQ_T_INT64; c->width = 8; c->psize = 8; break;
    /* a double is buffered, dictionary-encoded and written as its 8-byte pattern */
    case IOF_VT_FLOAT64: c->ptype = PQ_T_DOUBLE; c->width = 8; c->psize = 8; break;
    case IOF_VT_STRING:
    case IOF_VT_BINARY: c->ptype = PQ_T_BYTE_ARRAY; c->bytes = true; break;
    default: return -1;
    }
    if (c->list) {
        c->max_rep = 1;
        c->max_def = (uint8_t)(c->nullable ? 2 : 1);
    } else {
        c->max_def = c->nullable ? 1 : 0;
    }
    return 0;
}

int iof__pq_writer_open(iof__pq_writer **out, const iof__column *cols, size_t ncols,
                        const iof__pq_writer_cfg *cfg, char *err, size_t errlen)
{
    *out = NULL;
    if (!cols || ncols == 0 || ncols > IOF_MAX_COLUMNS || !cfg || !cfg->sink) {
        if (err && errlen)
            snprintf(err, errlen, "parquet: invalid schema or configuration");
        return IOF_E_INVAL;
    }
    if (cfg->codec != IOF_CODEC_ZSTD && cfg->codec != IOF_CODEC_SNAPPY && cfg->codec != IOF_CODEC_NONE) {
        if (err && errlen)
            snprintf(err, errlen, "parquet: unknown codec %d", (int)cfg->codec);
        return IOF_E_INVAL;
    }
    if (cfg->zstd_level < IOF_ZSTD_LEVEL_MIN || cfg->zstd_level > IOF_ZSTD_LEVEL_MAX) {
        if (err && errlen)
            snprintf(err, errlen, "parquet: zstd level %d outside %d..%d", cfg->zstd_level, IOF_ZSTD_LEVEL_MIN,
                     IOF_ZSTD_LEVEL_MAX);
        return IOF_E_INVAL;
    }
    iof__pq_writer *w = calloc(1, sizeof *w);
    if (!w)
        goto nomem;
    w->cfg = *cfg;
    if (!(w->regions = cfg->regions)) {
        if (!(w->regions = iof__pq_regions_new(0)))
            goto nomem;
        w->own_regions = true;
    }
    iof__pqw_writers_add(w->regions, 1);
    w->bg = cfg->threads != 1 && (cfg->threads > 1 || sysconf(_SC_NPROCESSORS_ONLN) >= 2);
    w->cfg.row_group_bytes = iof__pq_rg_bytes(w->cfg.row_group_bytes);
    if (!w->cfg.page_bytes)
        w->cfg.page_bytes = IOF_PQ_DEFAULT_PAGE_BYTES;
    if (!w->cfg.page_entries)
        w->cfg.page_entries = IOF_PQ_DEFAULT_PAGE_ENTRIES;
    if (!w->cfg.dict_max_bytes)
        w->cfg.dict_max_bytes = IOF_PQ_DEFAULT_DICT_BYTES;
    if (!w->cfg.zstd_level)
        w->cfg.zstd_level = IOF_ZSTD_LEVEL_DEFAULT;
    snprintf(w->created_by, sizeof w->created_by, "%s",
             cfg->created_by ? cfg->created_by : "iotflow version " IOF_VERSION_STRING " (build " IOF_BUILD_ID ")");
    w->cfg.created_by = NULL;
    w->cfg.kv = NULL;
    if (cfg->n_kv) {
        w->kv = calloc(2 * cfg->n_kv, sizeof *w->kv);
        if (!w->kv)
            goto nomem;
        w->n_kv = cfg->n_kv;
        for (size_t i = 0; i < cfg->n_kv; i++) {
            const char *k = cfg->kv[i].key ? cfg->kv[i].key : "";
            const char *v = cfg->kv[i].value ? cfg->kv[i].value : "";
            w->kv[2 * i] = strdup(k);
            w->kv[2 * i + 1] = strdup(v);
            if (!w->kv[2 * i] || !w->kv[2 * i + 1])
                goto nomem;
        }
    }
    w->cols = calloc(ncols, sizeof *w->cols);
    if (!w->cols)
        goto nomem;
    w->ncols = ncols;
    for (size_t i = 0; i < ncols; i++) {
        if (setup_col(&w->cols[i], &cols[i]) < 0 || !cols[i].name[0]) {
            if (err && errlen)
                snprintf(err, errlen, "parquet: column %zu: unsupported type, empty name or bad struct member", i);
            iof__pq_writer_abort(w);
            return IOF_E_INVAL;
        }
    }
    /* structs: a REQUIRED group before its (consecutive) members, which adds no level */
    for (size_t i = 0; i < ncols; i++) {
        if (!iof__col_is_member(&cols[i]) || (i && iof__col_same_struct(&cols[i], &cols[i - 1])))
            continue;
        size_t m = 1;
        while (i + m < ncols && iof__col_same_struct(&cols[i], &cols[i + m]))
            m++;
        w->cols[i].opens_struct = (uint16_t)m; /* m <= IOF_MAX_COLUMNS */
    }
    if (!(w->fcols = malloc(ncols * sizeof *w->fcols)))
        goto nomem;
    memcpy(w->fcols, w->cols, ncols * sizeof *w->fcols); /* no buffers yet: nothing shared */
    w->simple = calloc(ncols, 1);
    w->simple_idx = calloc(ncols, sizeof *w->simple_idx);
    w->narrow_of = calloc(ncols, sizeof *w->narrow_of);
    if (!w->simple || !w->simple_idx || !w->narrow_of)
        goto nomem;
    for (int pass = 1; pass <= 2; pass++)
        for (size_t i = 0; i < ncols; i++) {
            const pq_col *c = &w->cols[i];
            /* narrow REQUIRED ones in the blocks; wider or nullable flat ones in stage64 */
            if (c->list || c->bytes || (c->width <= 2 && !c->nullable ? 1 : 2) != pass)
                continue;
            w->simple[i] = (uint8_t)pass;
            w->narrow_of[i] = (uint32_t)w->nsimple;
            w->simple_idx[w->nsimple++] = (uint32_t)i;
            if (pass == 1) {
                w->n16++;
            } else {
                w->n64++;
                w->row64_bytes += c->width + c->max_def;
            }
        }
    if (!(w->run16 = calloc(ncols, sizeof *w->run16)) || !(w->run64 = calloc(ncols, sizeof *w->run64)))
        goto nomem;
    w->nblk = (w->n16 + T_BLOCK - 1) / T_BLOCK;
    if (w->nblk && (!(w->sblk = calloc(w->nblk, sizeof *w->sblk)) || !(w->f_sblk = calloc(w->nblk, sizeof *w->f_sblk))))
        goto nomem;
    for (size_t i = ncols; i-- > 0;)
        w->run16[i] = w->simple[i] == 1 && w->cols[i].width == 2 ? 1 + (i + 1 < ncols ? w->run16[i + 1] : 0) : 0;
    for (size_t i = ncols; i-- > 0;)
        w->run64[i] = w->simple[i] == 2 && w->cols[i].type != IOF_VT_FLOAT64
                          ? 1 + (i + 1 < ncols ? w->run64[i + 1] : 0) : 0;
    if (w->n64 && (!(w->stage64 = malloc(STAGE_ROWS * w->n64 * sizeof *w->stage64)) ||
                   !(w->stage64n = malloc(STAGE_ROWS * w->n64)) || !(w->null64 = malloc(w->n64))))
        goto nomem;
    for (size_t j = 0; j < w->n64; j++) {
        const pq_col *c = &w->cols[w->simple_idx[w->n16 + j]];
        w->null64[j] = c->nullable ? (uint8_t)(c->width + c->max_def - 2u) : NULL64_REFUSED;
    }
    if (w->cfg.codec == IOF_CODEC_ZSTD && !(w->zc = ZSTD_createCCtx()))
        goto nomem;
    if (w->cfg.codec == IOF_CODEC_ZSTD) /* optional: NULL keeps dictionary pages */
        /* our LZ parse needs libzstd's entropy coding of literals: off at negative levels */
        w->lzpool = iof__pq_lz_pool_new(w->cfg.zstd_level < 1 ? 1 : w->cfg.zstd_level, w->cfg.threads);
    iof__tc_w_init(&w->rgw, &w->rgs);
    if (iof__pqw_emit(w, "PAR1", 4) < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s", w->msg);
        int rc = w->failed;
        iof__pq_writer_abort(w);
        return rc;
    }
    *out = w;
    return 0;
nomem:
    if (err && errlen)
        snprintf(err, errlen, "parquet: out of memory");
    iof__pq_writer_abort(w);
    return IOF_E_NOMEM;
}

void iof__pq_writer_abort(iof__pq_writer *w)
{
    if (!w)
        return;
    iof__worker_stop(w->bg_wk); /* a flush in flight ends first */
    iof__pqw_budget_release(w);
    for (size_t i = 0; i < w->ncols; i++) {
        iof__pq_buf_free(&w->cols[i].def);
        iof__pq_buf_free(&w->cols[i].rep);
        iof__pq_buf_free(&w->cols[i].vals);
        if (w->fcols) {
            iof__pq_buf_free(&w->fcols[i].def);
            iof__pq_buf_free(&w->fcols[i].rep);
            iof__pq_buf_free(&w->fcols[i].vals);
        }
    }
    free(w->cols);
    free(w->fcols);
    for (size_t b = 0; b < w->nblk; b++) { /* their chunks back to the run (its other writers) */
        if (w->sblk)
            iof__pqw_chunks_give(w->regions, &w->sblk[b]), free(w->sblk[b].ch), iof__pq_buf_free(&w->sblk[b].wide);
        if (w->f_sblk)
            iof__pqw_chunks_give(w->regions, &w->f_sblk[b]), free(w->f_sblk[b].ch), iof__pq_buf_free(&w->f_sblk[b].wide);
    }
    free(w->sblk);
    free(w->f_sblk);
    if (w->regions)
        iof__pqw_writers_add(w->regions, -1);
    if (w->own_regions)
        iof__pq_regions_free(w->regions);
    iof__pq_buf_free(&w->rowcells);
    iof__pq_buf_free(&w->f_srows);
    iof__pq_buf_free(&w->f_spans);
    if (w->kv)
        for (size_t i = 0; i < 2 * w->n_kv; i++)
            free(w->kv[i]);
    free(w->kv);
    iof__pq_buf_free(&w->rgs);
    if (w->rgs_spill)
        fclose(w->rgs_spill);
    iof__pqw_scratch_free(w);
    free(w->simple);
    free(w->run16);
    free(w->run64);
    free(w->simple_idx);
    free(w->narrow_of);
    iof__pq_buf_free(&w->srows);
    iof__pq_buf_free(&w->spans);
    free(w->stage64);
    free(w->stage64n);
    free(w->null64);
    iof__pq_lz_pool_free(w->lzpool);
    free(w);
}

const char *iof__pq_writer_errmsg(const iof__pq_writer *w) { return w ? w->msg : ""; }
uint64_t iof__pq_writer_footer_held(const iof__pq_writer *w) { return w->rgs.cap; }
uint64_t iof__pq_writer_rows(const iof__pq_writer *w) { return w->rows_total; }
uint64_t iof__pq_writer_offset(const iof__pq_writer *w) { return w->offset; }

/* ---- footer ------------------------------------------------------------------------- */

static void leaf_annotations(tc_w *t, iof__vtype type)
{
    switch (type) {
    case IOF_VT_INT8:
    case IOF_VT_INT16:
        iof__tc_i32(t, 6, type == IOF_VT_INT8 ? PQ_CT_INT_8 : PQ_CT_INT_16);
        iof__tc_struct_begin(t, 10);
        iof__tc_struct_begin(t, PQ_LT_INTEGER);
        iof__tc_i8(t, 1, type == IOF_VT_INT8 ? 8 : 16);
        iof__tc_bool(t, 2, true);
        iof__tc_struct_end(t);
        iof__tc_struct_end(t);
        break;
    case IOF_VT_TIMESTAMP_US:
        iof__tc_i32(t, 6, PQ_CT_TIMESTAMP_MICROS);
        iof__tc_struct_begin(t, 10);
        iof__tc_struct_begin(t, PQ_LT_TIMESTAMP);
        iof__tc_bool(t, 1, true); /* isAdjustedToUTC */
        iof__tc_struct_begin(t, 2); /* unit: TimeUnit union */
        iof__tc_struct_begin(t, 2); /* MICROS */
        iof__tc_struct_end(t);
        iof__tc_struct_end(t);
        iof__tc_struct_end(t);
        iof__tc_struct_end(t);
        break;
    case IOF_VT_STRING:
        iof__tc_i32(t, 6, PQ_CT_UTF8);
        iof__tc_struct_begin(t, 10);
        iof__tc_struct_begin(t, PQ_LT_STRING);
        iof__tc_struct_end(t);
        iof__tc_struct_end(t);
        break;
    default:
        break;
    }
}

int iof__pq_writer_finish(iof__pq_writer *w, char *err, size_t errlen)
{
    int rc = iof__pqw_flush_rg(w, true);
    if (rc < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s", w->msg);
        iof__pq_writer_abort(w);
        return rc;
    }
    pq_buf f = {0};
    tc_w t;
    iof__tc_w_init(&t, &f);
    iof__tc_i32(&t, 1, 1);
    size_t nel = 1, ntop = 0;
    for (size_t i = 0; i < w->ncols; i++) {
        const pq_col *c = &w->cols[i];
        nel += (c->list ? 3 : 1) + (c->opens_struct ? 1 : 0);
        ntop += !c->member_at || c->opens_struct;
    }
    iof__tc_list_begin(&t, 2, TC_STRUCT, nel);
    iof__tc_elem_struct_begin(&t);
    iof__tc_string(&t, 4, "schema");
    iof__tc_i32(&t, 5, (int32_t)ntop);
    iof__tc_struct_end(&t);
    for (size_t i = 0; i < w->ncols; i++) {
        const pq_col *c = &w->cols[i];
        char sname[IOF_MAX_COLNAME];
        const char *name = c->name + c->member_at; /* a member's name in its group */
        if (c->opens_struct) {
            snprintf(sname, sizeof sname, "%.*s", (int)(c->member_at - 1), c->name);
            iof__tc_elem_struct_begin(&t);
            iof__tc_i32(&t, 3, PQ_REP_REQUIRED);
            iof__tc_string(&t, 4, sname);
            iof__tc_i32(&t, 5, c->opens_struct);
            iof__tc_struct_end(&t);
        }
        iof__tc_elem_struct_begin(&t);
        if (c->list) {
            iof__tc_i32(&t, 3, c->nullable ? PQ_REP_OPTIONAL : PQ_REP_REQUIRED);
            iof__tc_string(&t, 4, name);
            iof__tc_i32(&t, 5, 1);
            iof__tc_i32(&t, 6, PQ_CT_LIST);
            iof__tc_struct_begin(&t, 10);
            iof__tc_struct_begin(&t, PQ_LT_LIST);
            iof__tc_struct_end(&t);
            iof__tc_struct_end(&t);
            iof__tc_struct_end(&t);
            iof__tc_elem_struct_begin(&t);
            iof__tc_i32(&t, 3, PQ_REP_REPEATED);
            iof__tc_string(&t, 4, "list");
            iof__tc_i32(&t, 5, 1);
            iof__tc_struct_end(&t);
            iof__tc_elem_struct_begin(&t);
            iof__tc_i32(&t, 1, c->ptype);
            iof__tc_i32(&t, 3, PQ_REP_REQUIRED);
            iof__tc_string(&t, 4, "element");
        } else {
            iof__tc_i32(&t, 1, c->ptype);
            iof__tc_i32(&t, 3, c->nullable ? PQ_REP_OPTIONAL : PQ_REP_REQUIRED);
            iof__tc_string(&t, 4, name);
        }
        leaf_annotations(&t, c->type);
        iof__tc_struct_end(&t);
    }
    iof__tc_i64(&t, 3, (int64_t)w->rows_total);
    iof__tc_list_begin(&t, 4, TC_STRUCT, w->rg_count);
    const size_t rgs_at = f.len; /* the RowGroup structs go here: emit_rgs() */
    if (w->n_kv) {
        iof__tc_list_begin(&t, 5, TC_STRUCT, w->n_kv);
        for (size_t i = 0; i < w->n_kv; i++) {
            iof__tc_elem_struct_begin(&t);
            iof__tc_string(&t, 1, w->kv[2 * i]);
            iof__tc_string(&t, 2, w->kv[2 * i + 1]);
            iof__tc_struct_end(&t);
        }
    }
    iof__tc_string(&t, 6, w->created_by);
    iof__tc_list_begin(&t, 7, TC_STRUCT, w->ncols);
    for (size_t i = 0; i < w->ncols; i++) {
        iof__tc_elem_struct_begin(&t);
        iof__tc_struct_begin(&t, 1); /* TYPE_ORDER */
        iof__tc_struct_end(&t);
        iof__tc_struct_end(&t);
    }
    iof__tc_struct_end(&t);
    const uint64_t flen = f.len + w->rgs_spilled + w->rgs.len;
    if (f.oom || flen > UINT32_MAX) {
        rc = iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory building the footer");
    } else {
        uint8_t tail[8];
        uint32_t n = (uint32_t)flen;
        tail[0] = (uint8_t)n; tail[1] = (uint8_t)(n >> 8); tail[2] = (uint8_t)(n >> 16); tail[3] = (uint8_t)(n >> 24);
        memcpy(tail + 4, "PAR1", 4);
        rc = iof__pqw_emit(w, f.p, rgs_at);
        if (rc == 0)
            rc = emit_rgs(w, &w->tmp);
        if (rc == 0)
            rc = iof__pqw_emit(w, f.p + rgs_at, f.len - rgs_at);
        if (rc == 0)
            rc = iof__pqw_emit(w, tail, 8);
    }
    iof__pq_buf_free(&f);
    if (rc < 0 && err && errlen)
        snprintf(err, errlen, "%s", w->msg);
    iof__pq_writer_abort(w);
    return rc;
}
