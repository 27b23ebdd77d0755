/* gzip stream over an atomic output file: see gzout.h. */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "common/err.h"
#include "output/gzout.h"

#define IOF_GZ_CHUNK 65536

struct iof__gzout {
    iof__outfile *f;
    bool plain;
    bool zinit;
    z_stream zs;
    char err[512];
    unsigned char buf[IOF_GZ_CHUNK];
};

int iof__gzout_open(iof__gzout **out, const char *final_path, bool plain, char *err, size_t errlen)
{
    *out = NULL;
    iof__gzout *g = calloc(1, sizeof(*g));
    if (!g)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    g->plain = plain;
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

int iof__gzout_write(iof__gzout *g, const void *buf, size_t n)
{
    if (g->plain) {
        int rc = iof__outfile_write(g->f, buf, n);
        return rc == IOF_OK ? rc : out_err(g, rc);
    }
    const unsigned char *p = buf;
    while (n) {
        uInt take = n > (1u << 30) ? (1u << 30) : (uInt)n;
        g->zs.next_in = (unsigned char *)(uintptr_t)p;
        g->zs.avail_in = take;
        IOF_TRY(pump(g, Z_NO_FLUSH));
        p += take;
        n -= take;
    }
    return IOF_OK;
}

int iof__gzout_finish(iof__gzout *g)
{
    if (!g->plain) {
        g->zs.next_in = NULL;
        g->zs.avail_in = 0;
        IOF_TRY(pump(g, Z_FINISH));
    }
    int rc = iof__outfile_finish(g->f);
    return rc == IOF_OK ? rc : out_err(g, rc);
}

static void release(iof__gzout *g)
{
    if (g->zinit)
        deflateEnd(&g->zs);
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
    iof__outfile_abort(g->f);
    release(g);
}

const char *iof__gzout_errmsg(const iof__gzout *g) { return g->err[0] ? g->err : iof__outfile_errmsg(g->f); }
const char *iof__gzout_path(const iof__gzout *g) { return iof__outfile_path(g->f); }
