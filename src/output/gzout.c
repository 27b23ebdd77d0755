/* gzip stream over an atomic output file: see gzout.h.
 * What is written is cut into members of IOF_GZ_MEMBER input bytes, each a complete gzip member
 * compressed by libdeflate; a concatenation of members is one gzip file to zcat, Python's gzip
 * and zlib's gz reader (ours: dataset/relabel_joy.c). The cuts depend on the byte count only, so
 * the file is the same with any number of helpers. With helpers, member k is compressed on
 * helper k mod n while the next one fills; the owner writes the members in order.
 * Why: zlib's deflate at its default level was 43 % of `-f joy`'s CPU on the dense capture (bench/
 * README.md 2026-12-06); libdeflate compresses the same JSON 3x faster (table in bench/README.md
 * "libdeflate members"), and independent members let two helpers share it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>

#include "common/err.h"
#include "common/thread.h"
#include "output/gzout.h"

/* 1 MiB of JSON a member: 4 MiB members are 0.4 % smaller, 256 KiB ones 1.8 % larger (dense). */
#define IOF_GZ_MEMBER (1u << 20)
/* libdeflate's level 5 on the dense capture's JSON (117 MB): 3.0x faster than zlib's level 6
 * in a file 1.1 % larger; level 4 is 3.5x faster but 7.7 % larger, level 6 2.4x and 2.2 %
 * smaller (bench/README.md "libdeflate members"). */
#define IOF_GZ_LEVEL 5

/* A compressor and the member it compresses. With a worker, `in` is its own buffer (swapped
 * with the owner's filling one at the hand-over); without, it points at the owner's. */
typedef struct {
    struct libdeflate_compressor *c;
    iof__worker *wk;           /* NULL: the owner compresses inline */
    unsigned char *own;        /* the worker's input buffer */
    const unsigned char *in;
    size_t n_in;
    unsigned char *out;
    size_t out_cap, n_out;     /* n_out 0: libdeflate failed (out_cap is its bound: cannot) */
    bool pending;              /* a job in flight on wk, its member not written yet */
} gz_slot;

struct iof__gzout {
    iof__outfile *f;
    bool plain;
    char err[512];
    gz_slot slot[IOF_GZ_MAX_HELPERS + 1]; /* helpers, or one inline */
    unsigned nslots, next;     /* next: the slot the next member goes to (round robin) */
    unsigned char *cur;        /* the member being filled */
    size_t fill;
    bool handed;               /* a member was cut (an empty stream still gets one) */
};

static void free_slot(gz_slot *s)
{
    iof__worker_stop(s->wk); /* waits for a job in flight: it uses the slot's buffers */
    if (s->c)
        libdeflate_free_compressor(s->c);
    free(s->own);
    free(s->out);
    memset(s, 0, sizeof(*s));
}

static void release(iof__gzout *g)
{
    for (unsigned i = 0; i < g->nslots; i++)
        free_slot(&g->slot[i]);
    free(g->cur);
    free(g);
}

/* Sets up slot s: a compressor and its output buffer, with a worker and its input buffer if
 * `helper`. False when out of memory or the worker cannot start. */
static bool slot_init(gz_slot *s, bool helper)
{
    if (!(s->c = libdeflate_alloc_compressor(IOF_GZ_LEVEL)))
        return false;
    s->out_cap = libdeflate_gzip_compress_bound(s->c, IOF_GZ_MEMBER);
    if (!(s->out = malloc(s->out_cap)))
        return false;
    if (helper && (!(s->own = malloc(IOF_GZ_MEMBER)) || !(s->wk = iof__worker_start())))
        return false;
    return true;
}

int iof__gzout_open(iof__gzout **out, const char *final_path, bool plain, unsigned helpers, char *err,
                    size_t errlen)
{
    *out = NULL;
    iof__gzout *g = calloc(1, sizeof(*g));
    if (!g)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    g->plain = plain;
    if (!plain) {
        if (helpers > IOF_GZ_MAX_HELPERS)
            helpers = IOF_GZ_MAX_HELPERS;
        /* helpers that cannot start (no memory, no thread): fewer of them, or inline */
        while (g->nslots < helpers && slot_init(&g->slot[g->nslots], true))
            g->nslots++;
        if (g->nslots < helpers)
            free_slot(&g->slot[g->nslots]);
        if (!g->nslots && slot_init(&g->slot[0], false))
            g->nslots = 1;
        if (!g->nslots || !(g->cur = malloc(IOF_GZ_MEMBER))) {
            free_slot(&g->slot[g->nslots]);
            release(g);
            return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory (gzip)");
        }
    }
    int rc = iof__outfile_open(&g->f, final_path, err, errlen);
    if (rc != IOF_OK) {
        release(g);
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

static void compress_job(void *arg)
{
    gz_slot *s = arg;
    s->n_out = libdeflate_gzip_compress(s->c, s->in, s->n_in, s->out, s->out_cap);
}

/* Writes slot s's compressed member. */
static int write_member(iof__gzout *g, gz_slot *s)
{
    if (!s->n_out) {
        snprintf(g->err, sizeof(g->err), "%s: gzip compression failed", iof__outfile_path(g->f));
        return IOF_E_OUTPUT;
    }
    int rc = iof__outfile_write(g->f, s->out, s->n_out);
    return rc == IOF_OK ? rc : out_err(g, rc);
}

/* Waits for slot s's member in flight, if any, and writes it. */
static int drain(iof__gzout *g, gz_slot *s)
{
    if (!s->pending)
        return IOF_OK;
    iof__worker_wait(s->wk);
    s->pending = false;
    return write_member(g, s);
}

/* Makes the filled bytes a member: compressed inline and written, or handed to the next helper
 * once the member it had (the oldest in flight: the members before it are written) is written. */
static int hand_over(iof__gzout *g)
{
    gz_slot *s = &g->slot[g->next];
    g->next = (g->next + 1) % g->nslots;
    IOF_TRY(drain(g, s)); /* before the slot changes: its job may not have started yet */
    g->handed = true;
    s->n_in = g->fill;
    g->fill = 0;
    if (!s->wk) {
        s->in = g->cur;
        compress_job(s);
        return write_member(g, s);
    }
    unsigned char *t = s->own; /* the helper's buffer is free: it becomes the filling one */
    s->in = s->own = g->cur;
    g->cur = t;
    iof__worker_submit(s->wk, compress_job, s);
    s->pending = true;
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
        size_t take = IOF_GZ_MEMBER - g->fill < n ? IOF_GZ_MEMBER - g->fill : n;
        memcpy(g->cur + g->fill, p, take);
        g->fill += take;
        p += take;
        n -= take;
        if (g->fill == IOF_GZ_MEMBER)
            IOF_TRY(hand_over(g));
    }
    return IOF_OK;
}

int iof__gzout_finish(iof__gzout *g)
{
    if (!g->plain) {
        if (g->fill || !g->handed)
            IOF_TRY(hand_over(g)); /* the last member (nothing written at all: an empty one) */
        for (unsigned i = 0; i < g->nslots; i++) /* in order: the oldest in flight first */
            IOF_TRY(drain(g, &g->slot[(g->next + i) % g->nslots]));
    }
    int rc = iof__outfile_finish(g->f);
    return rc == IOF_OK ? rc : out_err(g, rc);
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
