/* Parquet output writer: adapts the writer vtable (writer.h) to the native Parquet writer
 * (parquet/pq_writer.h). Adds the provenance key-value metadata iotflow.version and
 * iotflow.schema unless the caller's pairs (extraction parameters) already carry them. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/parquet/pq_writer.h"
#include "output/writer.h"

struct iof__writer {
    iof__pq_writer *pq;
    iof__outfile *f;
    const iof__schema *s;
};

static int sink_outfile(void *ctx, const void *p, size_t n)
{
    int rc = iof__outfile_write(ctx, p, n);
    return rc == IOF_E_CLOSED ? rc : rc < 0 ? IOF_E_OUTPUT : 0;
}

static int pq_open(iof__writer **out, iof__outfile *f, const iof__schema *s, const iof__writer_opts *o,
                   char *err, size_t errlen)
{
    *out = NULL;
    iof__writer *w = calloc(1, sizeof *w);
    size_t n_kv = 2 + (o ? o->n_kv : 0);
    iof__kv *kv = calloc(n_kv, sizeof *kv);
    if (!w || !kv) {
        free(w);
        free(kv);
        if (err && errlen)
            snprintf(err, errlen, "parquet: out of memory");
        return IOF_E_NOMEM;
    }
    bool have_version = false, have_schema = false;
    for (size_t i = 0; o && i < o->n_kv; i++) {
        have_version |= o->kv[i].key && strcmp(o->kv[i].key, "iotflow.version") == 0;
        have_schema |= o->kv[i].key && strcmp(o->kv[i].key, "iotflow.schema") == 0;
    }
    n_kv = 0;
    if (!have_version)
        kv[n_kv++] = (iof__kv){ "iotflow.version", iof_version_string() };
    if (!have_schema)
        kv[n_kv++] = (iof__kv){ "iotflow.schema", s->name ? s->name : "" };
    for (size_t i = 0; o && i < o->n_kv; i++)
        kv[n_kv++] = o->kv[i];
    iof__pq_writer_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.codec = o ? o->codec : IOF_CODEC_ZSTD;
    cfg.zstd_level = o ? o->zstd_level : 0;
    cfg.row_group_bytes = o ? o->row_group_bytes : 0;
    cfg.threads = o ? o->threads : 0;
    cfg.regions = o ? o->regions : NULL;
    cfg.kv = kv;
    cfg.n_kv = n_kv;
    cfg.sink = sink_outfile;
    cfg.sink_ctx = f;
    int rc = iof__pq_writer_open(&w->pq, s->cols, s->n, &cfg, err, errlen);
    free(kv); /* copied by the writer */
    if (rc < 0) {
        if (rc == IOF_E_OUTPUT && err && errlen)
            snprintf(err, errlen, "%s", iof__outfile_errmsg(f));
        free(w);
        return rc;
    }
    w->f = f;
    w->s = s;
    *out = w;
    return 0;
}

static int pq_write(iof__writer *w, const void *row)
{
    int rc = iof__pq_write_row(w->pq, w->s, row);
    return rc == IOF_E_INVAL || rc == IOF_E_LIMIT ? IOF_E_OUTPUT : rc;
}

static int pq_finish(iof__writer *w, char *err, size_t errlen)
{
    int rc = iof__pq_writer_finish(w->pq, err, errlen);
    free(w);
    return rc == IOF_E_INVAL || rc == IOF_E_LIMIT ? IOF_E_OUTPUT : rc;
}

static void pq_abort(iof__writer *w)
{
    if (!w)
        return;
    iof__pq_writer_abort(w->pq);
    free(w);
}

const iof__writer_ops iof__writer_parquet = {
    .name = "parquet",
    .ext = "parquet",
    .open = pq_open,
    .write = pq_write,
    .finish = pq_finish,
    .abort = pq_abort,
};
