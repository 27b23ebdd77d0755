/* pcap / pcapng writer (see pcap_write.h). Records are built in one scratch buffer and
 * handed to stdio with a single fwrite_unlocked per record. */
#include "capture/pcap_write.h"

#include <stdlib.h>
#include <string.h>

#include "capture/source.h"
#include "common/err.h"
#include "common/grow.h"

#define PCAPW_DEFAULT_SNAPLEN 262144u
#define PCAPW_SCRATCH_MIN 4096u

typedef struct pcapw_if {
    uint8_t tsresol;   /* if_tsresol byte */
    int64_t tsoffset;  /* if_tsoffset, seconds */
    uint32_t snaplen;
} pcapw_if;

struct iof__pcapw {
    FILE *fp;
    iof__pcapw_sink_fn sink;  /* instead of fp (open_sink) */
    void *sink_ctx;
    bool pcapng;
    bool be;
    bool ns;
    bool failed;
    uint32_t snaplen;
    uint32_t n_if;
    pcapw_if ifs[IOF_MAX_INTERFACES];
    uint8_t *buf;   /* scratch for one record */
    size_t cap;
    size_t len;
};

static int reserve(iof__pcapw *w, size_t n)
{
    /* a record holds at most IOF_PCAPW_MAX_CAPLEN data bytes (checked by every writer) and
     * its header and padding: 64 bytes cover the largest (an EPB's 32) */
    return iof__grow((void **)&w->buf, &w->cap, n, 1, (size_t)IOF_PCAPW_MAX_CAPLEN + 64);
}

/* The put helpers write into the scratch buffer; callers reserve() the total size first. */
static void put8(iof__pcapw *w, uint8_t v) { w->buf[w->len++] = v; }

static void put16(iof__pcapw *w, uint16_t v)
{
    uint8_t *p = w->buf + w->len;
    if (w->be) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
    else { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
    w->len += 2;
}

static void put32(iof__pcapw *w, uint32_t v)
{
    uint8_t *p = w->buf + w->len;
    if (w->be) {
        p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
    } else {
        p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
    }
    w->len += 4;
}

static void put64(iof__pcapw *w, uint64_t v)
{
    if (w->be) { put32(w, (uint32_t)(v >> 32)); put32(w, (uint32_t)v); }
    else { put32(w, (uint32_t)v); put32(w, (uint32_t)(v >> 32)); }
}

static void putbytes(iof__pcapw *w, const uint8_t *p, size_t n)
{
    if (n)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void putpad(iof__pcapw *w)
{
    while (w->len % 4)
        put8(w, 0);
}

static uint32_t pad4(uint32_t n) { return (n + 3u) & ~3u; }

/* Writes the scratch buffer as one record. */
static int flush_rec(iof__pcapw *w)
{
    size_t n = w->len;
    w->len = 0;
    if (w->sink) {
        int rc = w->sink(w->sink_ctx, w->buf, n);
        if (rc < 0)
            w->failed = true;
        return rc < 0 ? rc : 0;
    }
    if (fwrite_unlocked(w->buf, 1, n, w->fp) != n) {
        w->failed = true;
        return IOF_E_OUTPUT;
    }
    return 0;
}

/* Patches the block total length at the start and appends it at the end. */
static void finish_block(iof__pcapw *w, size_t start)
{
    uint32_t total = (uint32_t)(w->len - start + 4);
    size_t save = w->len;
    w->len = start + 4;
    put32(w, total);
    w->len = save;
    put32(w, total);
}

static int write_shb(iof__pcapw *w)
{
    IOF_TRY(reserve(w, 32));
    w->len = 0;
    put32(w, 0x0A0D0D0Au);
    put32(w, 0);
    put32(w, 0x1A2B3C4Du);
    put16(w, 1);
    put16(w, 0);
    put64(w, UINT64_MAX); /* section length unknown */
    finish_block(w, 0);
    return flush_rec(w);
}

static int write_idb(iof__pcapw *w, uint32_t linktype, uint32_t snaplen, uint8_t tsresol,
                     int64_t tsoffset)
{
    if (w->n_if >= IOF_MAX_INTERFACES)
        return IOF_E_INVAL;
    if (linktype > 0xFFFFu)
        return IOF_E_INVAL;
    if ((tsresol & 0x80) ? (tsresol & 0x7F) > 32 : tsresol > 19)
        return IOF_E_INVAL; /* we could not convert timestamps to it */
    IOF_TRY(reserve(w, 64));
    w->len = 0;
    put32(w, 1);
    put32(w, 0);
    put16(w, (uint16_t)linktype);
    put16(w, 0);
    put32(w, snaplen);
    if (tsresol != 6) {
        put16(w, 9);
        put16(w, 1);
        put8(w, tsresol);
        putpad(w);
    }
    if (tsoffset != 0) {
        put16(w, 14);
        put16(w, 8);
        put64(w, (uint64_t)tsoffset);
    }
    if (tsresol != 6 || tsoffset != 0) {
        put16(w, 0);
        put16(w, 0);
    }
    finish_block(w, 0);
    pcapw_if *i = &w->ifs[w->n_if];
    i->tsresol = tsresol;
    i->tsoffset = tsoffset;
    i->snaplen = snaplen;
    IOF_TRY(flush_rec(w));
    return (int)w->n_if++;
}

static int pcapw_open(iof__pcapw **out, FILE *fp, iof__pcapw_sink_fn sink, void *ctx,
                      const iof__pcapw_opts *o)
{
    int rc;
    *out = NULL;
    if ((!fp && !sink) || !o)
        return IOF_E_INVAL;
    if (!o->pcapng && o->linktype > 0xFFFFu)
        return IOF_E_INVAL;
    iof__pcapw *w = calloc(1, sizeof *w);
    if (!w)
        return IOF_E_NOMEM;
    w->fp = fp;
    w->sink = sink;
    w->sink_ctx = ctx;
    w->pcapng = o->pcapng;
    w->be = o->big_endian;
    w->ns = o->nanosecond;
    w->snaplen = o->snaplen ? o->snaplen : PCAPW_DEFAULT_SNAPLEN;
    rc = reserve(w, PCAPW_SCRATCH_MIN);
    if (rc < 0)
        goto cleanup;
    if (w->pcapng) {
        rc = write_shb(w);
        if (rc < 0)
            goto cleanup;
        rc = write_idb(w, o->linktype, w->snaplen, o->nanosecond ? 9 : 6, 0);
        if (rc < 0)
            goto cleanup;
    } else {
        w->len = 0;
        put32(w, o->nanosecond ? 0xA1B23C4Du : 0xA1B2C3D4u);
        put16(w, 2);
        put16(w, 4);
        put32(w, 0);
        put32(w, 0);
        put32(w, w->snaplen);
        put32(w, o->linktype);
        rc = flush_rec(w);
        if (rc < 0)
            goto cleanup;
    }
    *out = w;
    return 0;
cleanup:
    free(w->buf);
    free(w);
    return rc;
}

int iof__pcapw_open(iof__pcapw **out, FILE *fp, const iof__pcapw_opts *o)
{
    return pcapw_open(out, fp, NULL, NULL, o);
}

int iof__pcapw_open_sink(iof__pcapw **out, iof__pcapw_sink_fn sink, void *ctx,
                         const iof__pcapw_opts *o)
{
    return pcapw_open(out, NULL, sink, ctx, o);
}

int iof__pcapw_add_interface(iof__pcapw *w, uint32_t linktype, bool nanosecond)
{
    return iof__pcapw_add_interface_ex(w, linktype, 0, nanosecond ? 9 : 6, 0);
}

int iof__pcapw_add_interface_ex(iof__pcapw *w, uint32_t linktype, uint32_t snaplen,
                                uint8_t tsresol, int64_t tsoffset_s)
{
    if (!w || !w->pcapng)
        return IOF_E_INVAL;
    if (w->failed)
        return IOF_E_OUTPUT;
    return write_idb(w, linktype, snaplen ? snaplen : w->snaplen, tsresol, tsoffset_s);
}

/* Converts ns since epoch to pcapng timestamp units of interface i. */
static int ts_units(const pcapw_if *i, int64_t ts_ns, uint64_t *units)
{
    const int64_t ns_per_s = 1000000000;
    if (i->tsoffset > INT64_MAX / ns_per_s || i->tsoffset < INT64_MIN / ns_per_s)
        return IOF_E_INVAL;
    int64_t off_ns = i->tsoffset * ns_per_s;
    if ((off_ns > 0 && ts_ns < INT64_MIN + off_ns) || (off_ns < 0 && ts_ns > INT64_MAX + off_ns))
        return IOF_E_INVAL;
    int64_t t = ts_ns - off_ns;
    if (t < 0)
        return IOF_E_INVAL;
    uint64_t sec = (uint64_t)t / 1000000000u, frac = (uint64_t)t % 1000000000u;
    unsigned n = i->tsresol & 0x7Fu;
    if (i->tsresol & 0x80) {
        if (n > 32 || sec > (UINT64_MAX >> n))
            return IOF_E_INVAL;
        *units = (sec << n) + ((frac << n) / 1000000000u);
        return 0;
    }
    uint64_t p10 = 1;
    for (unsigned k = 0; k < n; k++)
        p10 *= 10;
    if (sec > UINT64_MAX / p10)
        return IOF_E_INVAL;
    uint64_t u = sec * p10;
    uint64_t f;
    if (n <= 9) {
        uint64_t d = 1;
        for (unsigned k = n; k < 9; k++)
            d *= 10;
        f = frac / d;
    } else {
        uint64_t m = 1;
        for (unsigned k = 9; k < n; k++)
            m *= 10;
        f = frac * m; /* frac < 1e9, m <= 1e10: fits */
    }
    if (u > UINT64_MAX - f)
        return IOF_E_INVAL;
    *units = u + f;
    return 0;
}

int iof__pcapw_write(iof__pcapw *w, uint32_t ifindex, int64_t ts_ns, const uint8_t *data,
                     uint32_t caplen, uint32_t wirelen)
{
    if (!w || (caplen && !data) || caplen > IOF_PCAPW_MAX_CAPLEN)
        return IOF_E_INVAL;
    if (w->failed)
        return IOF_E_OUTPUT;
    if (!w->pcapng) {
        if (ifindex != 0 || ts_ns < 0 || ts_ns / 1000000000 > (int64_t)UINT32_MAX)
            return IOF_E_INVAL;
        IOF_TRY(reserve(w, 16 + (size_t)caplen));
        uint32_t sec = (uint32_t)(ts_ns / 1000000000);
        uint32_t frac = (uint32_t)(ts_ns % 1000000000);
        if (!w->ns)
            frac /= 1000;
        w->len = 0;
        put32(w, sec);
        put32(w, frac);
        put32(w, caplen);
        put32(w, wirelen);
        putbytes(w, data, caplen);
        return flush_rec(w);
    }
    if (ifindex >= w->n_if)
        return IOF_E_INVAL;
    uint64_t units;
    IOF_TRY(ts_units(&w->ifs[ifindex], ts_ns, &units));
    IOF_TRY(reserve(w, 32 + (size_t)pad4(caplen)));
    w->len = 0;
    put32(w, 6);
    put32(w, 0);
    put32(w, ifindex);
    put32(w, (uint32_t)(units >> 32));
    put32(w, (uint32_t)units);
    put32(w, caplen);
    put32(w, wirelen);
    putbytes(w, data, caplen);
    putpad(w);
    finish_block(w, 0);
    return flush_rec(w);
}

int iof__pcapw_write_spb(iof__pcapw *w, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
    if (!w || !w->pcapng || w->n_if == 0 || (caplen && !data) || caplen > IOF_PCAPW_MAX_CAPLEN)
        return IOF_E_INVAL;
    if (w->failed)
        return IOF_E_OUTPUT;
    uint32_t snap = w->ifs[0].snaplen;
    if (snap && caplen > snap)
        caplen = snap;
    IOF_TRY(reserve(w, 16 + (size_t)pad4(caplen)));
    w->len = 0;
    put32(w, 3);
    put32(w, 0);
    put32(w, wirelen);
    putbytes(w, data, caplen);
    putpad(w);
    finish_block(w, 0);
    return flush_rec(w);
}

int iof__pcapw_write_block(iof__pcapw *w, uint32_t type, const uint8_t *body, uint32_t len)
{
    if (!w || !w->pcapng || (len && !body) || len > IOF_PCAPW_MAX_CAPLEN)
        return IOF_E_INVAL;
    if (w->failed)
        return IOF_E_OUTPUT;
    IOF_TRY(reserve(w, 12 + (size_t)pad4(len)));
    w->len = 0;
    put32(w, type);
    put32(w, 0);
    putbytes(w, body, len);
    putpad(w);
    finish_block(w, 0);
    return flush_rec(w);
}

int iof__pcapw_new_section(iof__pcapw *w, bool big_endian, uint32_t linktype, bool nanosecond)
{
    if (!w || !w->pcapng)
        return IOF_E_INVAL;
    if (w->failed)
        return IOF_E_OUTPUT;
    w->be = big_endian;
    w->n_if = 0;
    IOF_TRY(write_shb(w));
    int rc = write_idb(w, linktype, w->snaplen, nanosecond ? 9 : 6, 0);
    return rc < 0 ? rc : 0;
}

int iof__pcapw_close(iof__pcapw *w)
{
    if (!w)
        return 0;
    int rc = w->failed ? IOF_E_OUTPUT : 0;
    if (w->fp && (fflush(w->fp) != 0 || ferror(w->fp)))
        rc = IOF_E_OUTPUT;
    free(w->buf);
    free(w);
    return rc;
}
