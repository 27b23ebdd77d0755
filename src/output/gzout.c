/* gzip stream over an atomic output file: see gzout.h.
 * With a helper thread the bytes written are gathered in one of two batches of IOF_GZ_BATCH
 * bytes; a full batch is deflated and written on the helper while the other one fills (deflate
 * without flushes gives the same bytes however its input is split, so the file is the same with
 * or without the helper). Why: deflate at zlib's default level was 57 % of `-f joy`'s time on
 * the dense capture; on the helper it overlaps with making the flows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/err.h"
#include "common/thread.h"
#include "output/gzout.h"

#define IOF_GZ_CHUNK 65536
#define IOF_GZ_BATCH (1u << 20)

struct iof__gzout {
    iof__outfile *f;
    bool plain;
    bool zinit;
    z_stream zs;
    char err[512];
    unsigned char buf[IOF_GZ_CHUNK];
    /* the helper (NULL: deflate inline) and its batches */
    iof__worker *wk;
    unsigned char *batch[2];
    size_t fill;             /* bytes in batch[cur] */
    int cur;
    const unsigned char *job_p; /* the job in flight: its bytes, flush and result */
    size_t job_n;
    int job_flush, job_rc;
};

int iof__gzout_open(iof__gzout **out, const char *final_path, bool plain, bool helper, char *err, size_t errlen)
{
    *out = NULL;
    iof__gzout *g = calloc(1, sizeof(*g));
    if (!g)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    g->plain = plain;
    if (!plain && helper && (g->batch[0] = malloc(IOF_GZ_BATCH)) && (g->batch[1] = malloc(IOF_GZ_BATCH)))
        g->wk = iof__worker_start(); /* NULL: inline */
    if (!g->wk) {
        free(g->batch[0]);
        free(g->batch[1]);
        g->batch[0] = g->batch[1] = NULL;
    }
    if (!plain) {
        /* windowBits 15 + 16: a gzip wrapper, as Joy's gzwrite */
        if (deflateInit2(&g->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            free(g);
            return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory (zlib)");
        }
        g->zinit = true;
    }
    int rc = iof__outfile_open(&g->f, final_path, err, errlen);
    if (rc != IOF_OK) {
        if (g->zinit)
            deflateEnd(&g->zs);
        iof__worker_stop(g->wk);
        free(g->batch[0]);
        free(g->batch[1]);
        free(g);
        return rc;
    }
    *out = g;
    return IOF_OK;
}

static int out_err(iof__gzout *g, int rc)
{
    if (!g->err[0])
        snprintf(g->err, sizeof(g->err), "%s", iof__outfile_errmsg(g->f));
    return rc;
}

/* Deflates the pending input with `flush` and writes what zlib produced. */
static int pump(iof__gzout *g, int flush)
{
    int zr;
    do {
        g->zs.next_out = g->buf;
        g->zs.avail_out = sizeof(g->buf);
        zr = deflate(&g->zs, flush);
        if (zr == Z_STREAM_ERROR) {
            snprintf(g->err, sizeof(g->err), "%s: zlib deflate failed", iof__outfile_path(g->f));
            return IOF_E_OUTPUT;
        }
        size_t have = sizeof(g->buf) - g->zs.avail_out;
        int rc = have ? iof__outfile_write(g->f, g->buf, have) : IOF_OK;
        if (rc != IOF_OK)
            return out_err(g, rc);
    } while (g->zs.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    return IOF_OK;
}

/* Deflates n bytes with `flush` (Z_NO_FLUSH or Z_FINISH) and writes the output. */
static int deflate_bytes(iof__gzout *g, const unsigned char *p, size_t n, int flush)
{
    for (;;) {
        uInt take = n > (1u << 30) ? (1u << 30) : (uInt)n;
        g->zs.next_in = (unsigned char *)(uintptr_t)p;
        g->zs.avail_in = take;
        IOF_TRY(pump(g, take == n ? flush : Z_NO_FLUSH));
        if (take == n)
            return IOF_OK; /* p may be NULL with n 0 (the finish): no arithmetic on it */
        p += take;
        n -= take;
    }
}

static void deflate_job(void *arg)
{
    iof__gzout *g = arg;
    g->job_rc = deflate_bytes(g, g->job_p, g->job_n, g->job_flush);
}

/* Hands the current batch to the helper with `flush` (after the previous one is done: its
 * result first) and starts filling the other one. */
static int hand_over(iof__gzout *g, int flush)
{
    iof__worker_wait(g->wk);
    IOF_TRY(g->job_rc);
    g->job_p = g->batch[g->cur];
    g->job_n = g->fill;
    g->job_flush = flush;
    iof__worker_submit(g->wk, deflate_job, g);
    g->cur ^= 1;
    g->fill = 0;
    return IOF_OK;
}

int iof__gzout_write(iof__gzout *g, const void *buf, size_t n)
{
    if (g->plain) {
        int rc = iof__outfile_write(g->f, buf, n);
        return rc == IOF_OK ? rc : out_err(g, rc);
    }
    if (!g->wk)
        return n ? deflate_bytes(g, buf, n, Z_NO_FLUSH) : IOF_OK;
    const unsigned char *p = buf;
    while (n) {
        size_t take = IOF_GZ_BATCH - g->fill < n ? IOF_GZ_BATCH - g->fill : n;
        memcpy(g->batch[g->cur] + g->fill, p, take);
        g->fill += take;
        p += take;
        n -= take;
        if (g->fill == IOF_GZ_BATCH)
            IOF_TRY(hand_over(g, Z_NO_FLUSH));
    }
    return IOF_OK;
}

int iof__gzout_finish(iof__gzout *g)
{
    if (!g->plain) {
        if (g->wk) {
            IOF_TRY(hand_over(g, Z_FINISH));
            iof__worker_wait(g->wk);
            IOF_TRY(g->job_rc);
        } else {
            IOF_TRY(deflate_bytes(g, NULL, 0, Z_FINISH));
        }
    }
    int rc = iof__outfile_finish(g->f);
    return rc == IOF_OK ? rc : out_err(g, rc);
}

static void release(iof__gzout *g)
{
    iof__worker_stop(g->wk); /* waits for a job in flight: it uses the file and the stream */
    if (g->zinit)
        deflateEnd(&g->zs);
    free(g->batch[0]);
    free(g->batch[1]);
    free(g);
}

int iof__gzout_publish(iof__gzout *g, char *err, size_t errlen)
{
    int rc = iof__outfile_publish(g->f, err, errlen);
    release(g);
    return rc;
}

void iof__gzout_abort(iof__gzout *g)
{
    if (!g)
        return;
    if (g->wk)
        iof__worker_wait(g->wk); /* the file is the job's until it returns */
    iof__outfile_abort(g->f);
    release(g);
}

const char *iof__gzout_errmsg(const iof__gzout *g) { return g->err[0] ? g->err : iof__outfile_errmsg(g->f); }
const char *iof__gzout_path(const iof__gzout *g) { return iof__outfile_path(g->f); }
