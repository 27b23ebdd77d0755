/* Parquet writer: pages, their codec and the column chunk they form; the staged narrow
 * columns' sparse gathering and encoding (pq_writer_int.h). */
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/err.h"
#include "output/parquet/pq_writer_int.h"

/* ---- pages and the column chunk they belong to ----------------------------------- */

/* Compresses n bytes with the file's codec into out (replacing its contents). */
static int compress_into(iof__pq_writer *w, const uint8_t *body, size_t n, pq_buf *out)
{
    out->len = 0;
    if (w->cfg.codec == IOF_CODEC_ZSTD) {
        size_t bound = ZSTD_compressBound(n);
        if (!pq_buf_reserve(out, bound))
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
        size_t r = ZSTD_compressCCtx(w->zc, out->p, bound, body, n, w->cfg.zstd_level);
        if (ZSTD_isError(r))
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: zstd: %s", ZSTD_getErrorName(r));
        out->len = r;
        return 0;
    }
    size_t bound = snappy_max_compressed_length(n);
    if (!pq_buf_reserve(out, bound))
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    size_t outlen = bound;
    if (snappy_compress((const char *)body, n, (char *)out->p, &outlen) != SNAPPY_OK)
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: snappy compression failed");
    out->len = outlen;
    return 0;
}

/* compress_into() for a page; dictionary pages go through the cache of recent ones. */
static int compress_page(iof__pq_writer *w, int type, const uint8_t *body, size_t n, pq_buf *out)
{
    if (type != PQ_PAGE_DICTIONARY || n > DICT_CACHE_MAX)
        return compress_into(w, body, n, out);
    uint32_t h = iof__pqw_hash_bytes(body, (uint32_t)n);
    for (unsigned k = 0; k < DICT_CACHE; k++) {
        dict_cache *e = &w->dc[k];
        if (e->raw.len == n && e->hash == h && e->comp.len && memcmp(e->raw.p, body, n) == 0) {
            out->len = 0;
            pq_buf_put(out, e->comp.p, e->comp.len);
            return out->oom ? iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory") : 0;
        }
    }
    IOF_TRY(compress_into(w, body, n, out));
    dict_cache *e = &w->dc[w->dc_next++ % DICT_CACHE];
    e->raw.len = e->comp.len = 0;
    e->hash = h;
    pq_buf_put(&e->raw, body, n);
    pq_buf_put(&e->comp, out->p, out->len);
    if (e->raw.oom || e->comp.oom) { /* the cache is optional: forget the entry */
        iof__pq_buf_free(&e->raw);
        iof__pq_buf_free(&e->comp);
    }
    return 0;
}

/* Writes PageHeader + the page's on-disk bytes (cp, cn: compressed, or the raw body when the
 * chunk is stored uncompressed); n is the uncompressed size. */
static int emit_page(iof__pq_writer *w, int type, size_t n, const uint8_t *cp, size_t cn, uint32_t num_values,
                     int encoding)
{
    if (cn > INT32_MAX)
        return iof__pqw_fail(w, IOF_E_LIMIT, "parquet: compressed page too large");
    w->hdr.len = 0;
    tc_w t;
    iof__tc_w_init(&t, &w->hdr);
    iof__tc_i32(&t, 1, type);
    iof__tc_i32(&t, 2, (int32_t)n);
    iof__tc_i32(&t, 3, (int32_t)cn);
    if (type == PQ_PAGE_DATA) {
        iof__tc_struct_begin(&t, 5);
        iof__tc_i32(&t, 1, (int32_t)num_values);
        iof__tc_i32(&t, 2, encoding);
        iof__tc_i32(&t, 3, PQ_ENC_RLE);
        iof__tc_i32(&t, 4, PQ_ENC_RLE);
        iof__tc_struct_end(&t);
    } else {
        iof__tc_struct_begin(&t, 7);
        iof__tc_i32(&t, 1, (int32_t)num_values);
        iof__tc_i32(&t, 2, PQ_ENC_PLAIN);
        iof__tc_struct_end(&t);
    }
    iof__tc_struct_end(&t);
    if (w->hdr.oom)
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    chunk_state *ck = &w->ck;
    if (ck->first_off < 0)
        ck->first_off = (int64_t)w->offset;
    if (type == PQ_PAGE_DATA && ck->data_off < 0)
        ck->data_off = (int64_t)w->offset;
    IOF_TRY(iof__pqw_emit(w, w->hdr.p, w->hdr.len));
    IOF_TRY(iof__pqw_emit(w, cp, cn));
    ck->unc += w->hdr.len + n;
    ck->comp += w->hdr.len + cn;
    return 0;
}

static int emit_page_codec(iof__pq_writer *w, int type, const uint8_t *body, size_t n, uint32_t num_values,
                           int encoding)
{
    if (w->ck.codec == PQ_CODEC_UNCOMPRESSED)
        return emit_page(w, type, n, body, n, num_values, encoding);
    IOF_TRY(compress_page(w, type, body, n, &w->cbuf));
    return emit_page(w, type, n, w->cbuf.p, w->cbuf.len, num_values, encoding);
}

static int file_codec(const iof__pq_writer *w)
{
    return w->cfg.codec == IOF_CODEC_ZSTD ? PQ_CODEC_ZSTD
           : w->cfg.codec == IOF_CODEC_SNAPPY ? PQ_CODEC_SNAPPY : PQ_CODEC_UNCOMPRESSED;
}

static void chunk_begin(iof__pq_writer *w, pq_col *c)
{
    chunk_state *ck = &w->ck;
    ck->col = c;
    ck->hold = w->cfg.codec != IOF_CODEC_NONE;
    ck->codec = ck->hold ? -1 : PQ_CODEC_UNCOMPRESSED;
    if (ck->hold && c->comp_skip && w->rg_count % COMP_RETRY != 0) {
        /* near-random columns (encrypted payload bytes) are not worth compressing again every
         * row group: store them as they are and try again every COMP_RETRY row groups */
        ck->hold = false;
        ck->codec = PQ_CODEC_UNCOMPRESSED;
    }
    ck->first_off = ck->data_off = -1;
    ck->unc = ck->comp = 0;
    ck->raw.len = 0;
    ck->pages.len = 0;
}

/* Writes the held pages with the file's codec and streams the rest of the chunk. */
static int chunk_release(iof__pq_writer *w)
{
    chunk_state *ck = &w->ck;
    ck->hold = false;
    ck->codec = file_codec(w);
    const held_page *hp = (const held_page *)(const void *)ck->pages.p;
    for (size_t k = 0; k < ck->pages.len / sizeof *hp; k++)
        IOF_TRY(emit_page_codec(w, hp[k].type, ck->raw.p + hp[k].off, hp[k].len, hp[k].num_values, hp[k].enc));
    return 0;
}

/* Adds a page to the current chunk. While the chunk is small its pages are held back, so
 * that chunk_end() can store it UNCOMPRESSED when compression does not pay (the codec is a
 * property of each column chunk); a chunk that outgrows CHUNK_HOLD is compressed as usual. */
static int write_page(iof__pq_writer *w, int type, const uint8_t *body, size_t n, uint32_t num_values, int encoding)
{
    if (n > INT32_MAX)
        return iof__pqw_fail(w, IOF_E_LIMIT, "parquet: page of %zu bytes is too large", n);
    chunk_state *ck = &w->ck;
    if (!ck->hold)
        return emit_page_codec(w, type, body, n, num_values, encoding);
    held_page hp = { ck->raw.len, (uint32_t)n, num_values, 0, (uint8_t)type, (uint8_t)encoding };
    pq_buf_put(&ck->raw, body, n);
    pq_buf_put(&ck->pages, &hp, sizeof hp);
    if (ck->raw.oom || ck->pages.oom)
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    return ck->raw.len > CHUNK_HOLD ? chunk_release(w) : 0;
}

/* Decides the codec of a chunk whose pages are all held, and writes them. */
static int chunk_end(iof__pq_writer *w)
{
    chunk_state *ck = &w->ck;
    if (!ck->hold)
        return 0;
    held_page *hp = (held_page *)(void *)ck->pages.p;
    const size_t np = ck->pages.len / sizeof *hp;
    ck->hold = false;
    if (ck->raw.len > CHUNK_TINY) {
        /* compress every page into cheld, keep the result only if it saves >= 1/32 */
        ck->cheld.len = 0;
        size_t total = 0;
        for (size_t k = 0; k < np; k++) {
            IOF_TRY(compress_page(w, hp[k].type, ck->raw.p + hp[k].off, hp[k].len, &w->cbuf));
            pq_buf_put(&ck->cheld, w->cbuf.p, w->cbuf.len);
            hp[k].clen = (uint32_t)w->cbuf.len;
            total += w->cbuf.len;
        }
        if (ck->cheld.oom)
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
        ck->col->comp_skip = total + ck->raw.len / 4 >= ck->raw.len;
        if (total + ck->raw.len / 32 < ck->raw.len) {
            ck->codec = file_codec(w);
            size_t at = 0;
            for (size_t k = 0; k < np; k++) {
                size_t cn = hp[k].clen;
                IOF_TRY(emit_page(w, hp[k].type, hp[k].len, ck->cheld.p + at, cn, hp[k].num_values, hp[k].enc));
                at += cn;
            }
            return 0;
        }
    }
    ck->codec = PQ_CODEC_UNCOMPRESSED;
    for (size_t k = 0; k < np; k++)
        IOF_TRY(emit_page(w, hp[k].type, hp[k].len, ck->raw.p + hp[k].off, hp[k].len, hp[k].num_values, hp[k].enc));
    return 0;
}

static void put_levels(pq_buf *page, const uint8_t *lv, size_t n, unsigned width)
{
    size_t at = page->len;
    pq_buf_le32(page, 0);
    iof__pq_hybrid_encode_u8(page, lv, n, width);
    if (!page->oom) {
        uint32_t len = (uint32_t)(page->len - at - 4);
        page->p[at] = (uint8_t)len;
        page->p[at + 1] = (uint8_t)(len >> 8);
        page->p[at + 2] = (uint8_t)(len >> 16);
        page->p[at + 3] = (uint8_t)(len >> 24);
    }
}

static void put_plain(pq_buf *page, const pq_col *c, uint64_t v0, uint64_t v1, uint64_t b0, uint64_t b1)
{
    uint64_t n = v1 - v0;
    const uint8_t *vals = c->vals.p;
    if (n == 0) /* e.g. a page of nulls only: vals may still be NULL */
        return;
    if (c->bytes) {
        pq_buf_put(page, vals + b0, b1 - b0);
        return;
    }
    if (c->type == IOF_VT_BOOL) {
        size_t nb = (n + 7) / 8;
        if (!pq_buf_reserve(page, nb))
            return;
        uint8_t *q = page->p + page->len;
        memset(q, 0, nb);
        for (uint64_t k = 0; k < n; k++)
            q[k >> 3] |= (uint8_t)((vals[v0 + k] & 1) << (k & 7));
        page->len += nb;
        return;
    }
    if (c->width == c->psize) { /* INT32 / INT64: buffered exactly as PLAIN */
        pq_buf_put(page, vals + v0 * c->width, n * c->width);
        return;
    }
    if (!pq_buf_reserve(page, n * 4))
        return;
    uint8_t *q = page->p + page->len;
    for (uint64_t k = 0; k < n; k++) {
        int32_t x = (int32_t)load_int(c, vals, v0 + k);
        memcpy(q + 4 * k, &x, 4);
    }
    page->len += n * 4;
}

/* A file offset field of a ColumnChunk; in a range written apart (w->offs, pq_flush.c) also
 * noted, to be shifted when the range's bytes are placed in the file. */
static void tc_offset(iof__pq_writer *w, tc_w *t, int16_t id, int64_t v)
{
    const size_t at = t->b->len;
    iof__tc_i64(t, id, v);
    if (w->offs) {
        const pq_off o = { at, t->b->len, v };
        pq_buf_put(w->offs, &o, sizeof o);
    }
}

/* Appends c's ColumnChunk (with its ColumnMetaData) to the row group being described. */
static int chunk_meta(iof__pq_writer *w, const pq_col *c, tc_w *t, bool dict, uint64_t nentries, uint64_t nnull,
                      const stats *st, uint64_t *rg_unc, uint64_t *rg_comp)
{
    IOF_TRY(chunk_end(w));
    const chunk_state *ck = &w->ck;
    if (ck->data_off < 0)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: column %s: chunk without a data page", c->name);
    *rg_unc += ck->unc;
    *rg_comp += ck->comp;
    iof__tc_elem_struct_begin(t);
    iof__tc_i64(t, 2, 0); /* file_offset: 0, metadata lives in the footer only */
    iof__tc_struct_begin(t, 3);
    iof__tc_i32(t, 1, c->ptype);
    int encs[3], ne = 0;
    encs[ne++] = PQ_ENC_PLAIN;
    if (c->max_def || c->max_rep)
        encs[ne++] = PQ_ENC_RLE;
    if (dict)
        encs[ne++] = PQ_ENC_RLE_DICTIONARY;
    iof__tc_list_begin(t, 2, TC_I32, (size_t)ne);
    for (int i = 0; i < ne; i++)
        iof__tc_elem_i32(t, encs[i]);
    /* path_in_schema: [struct,] name [, "list", "element"] */
    iof__tc_list_begin(t, 3, TC_BINARY, (c->list ? 3u : 1u) + (c->member_at ? 1u : 0u));
    if (c->member_at)
        iof__tc_elem_binary(t, c->name, c->member_at - 1u);
    iof__tc_elem_binary(t, c->name + c->member_at, strlen(c->name + c->member_at));
    if (c->list) {
        iof__tc_elem_binary(t, "list", 4);
        iof__tc_elem_binary(t, "element", 7);
    }
    iof__tc_i32(t, 4, ck->codec);
    iof__tc_i64(t, 5, (int64_t)nentries);
    iof__tc_i64(t, 6, (int64_t)ck->unc);
    iof__tc_i64(t, 7, (int64_t)ck->comp);
    tc_offset(w, t, 9, ck->data_off);
    if (dict)
        tc_offset(w, t, 11, ck->first_off);
    iof__tc_struct_begin(t, 12);
    iof__tc_i64(t, 3, (int64_t)nnull);
    if (st->has) {
        if (st->has_max)
            iof__tc_binary(t, 5, st->max, st->max_len);
        iof__tc_binary(t, 6, st->min, st->min_len);
        if (st->has_max)
            iof__tc_bool(t, 7, st->max_exact);
        iof__tc_bool(t, 8, st->min_exact);
    }
    iof__tc_struct_end(t);
    iof__tc_struct_end(t);
    iof__tc_struct_end(t);
    return 0;
}

int iof__pqw_write_chunk(iof__pq_writer *w, pq_col *c, tc_w *t, uint64_t *rg_unc, uint64_t *rg_comp)
{
    stats st;
    memset(&st, 0, sizeof st);
    bool stats_done = false;
    uint32_t nd = 0;
    if (c->nvals && c->type != IOF_VT_BOOL)
        nd = c->bytes ? iof__pqw_dict_bytes(w, c, &st, &stats_done) : iof__pqw_dict_ints(w, c, &st, &stats_done);
    if (!stats_done) {
        memset(&st, 0, sizeof st);
        iof__pqw_plain_stats(c, &st);
    }
    chunk_begin(w, c);
    if (nd)
        IOF_TRY(write_page(w, PQ_PAGE_DICTIONARY, w->dict.p, w->dict.len, nd, PQ_ENC_PLAIN));
    unsigned bw = nd ? pq_bit_width(nd - 1) : 0;
    const unsigned dbw = pq_bit_width(c->max_def), rbw = pq_bit_width(c->max_rep);
    const uint32_t *idx = (const uint32_t *)(const void *)w->idx.p;
    const uint8_t *def = c->def.p, *rep = c->rep.p, *vals = c->vals.p;
    uint64_t e = 0, v = 0, b = 0;
    while (e < c->nentries) {
        uint64_t e2 = e, v2 = v, b2 = b;
        if (!c->max_def && !c->bytes) {
            e2 = e + w->cfg.page_entries < c->nentries ? e + w->cfg.page_entries : c->nentries;
            v2 = e2;
        } else {
            uint64_t bytes = 0;
            for (;;) {
                if (!c->max_def || def[e2] == c->max_def) {
                    if (c->bytes) {
                        uint32_t len = pq_rd_le32(vals + b2);
                        b2 += 4 + (uint64_t)len;
                        bytes += nd ? 4 : 4 + (uint64_t)len;
                    } else {
                        bytes += c->psize ? c->psize : 1;
                    }
                    v2++;
                }
                e2++;
                if (e2 >= c->nentries)
                    break;
                if ((e2 - e >= w->cfg.page_entries || bytes >= w->cfg.page_bytes) && (!c->max_rep || rep[e2] == 0))
                    break;
            }
        }
        w->page.len = 0;
        if (c->max_rep)
            put_levels(&w->page, rep + e, e2 - e, rbw);
        if (c->max_def)
            put_levels(&w->page, def + e, e2 - e, dbw);
        if (nd) {
            pq_buf_u8(&w->page, (uint8_t)bw);
            iof__pq_hybrid_encode_u32(&w->page, idx + v, v2 - v, bw);
        } else {
            put_plain(&w->page, c, v, v2, b, b2);
        }
        if (w->page.oom)
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
        if (e2 - e > INT32_MAX)
            return iof__pqw_fail(w, IOF_E_LIMIT, "parquet: too many values in a page");
        IOF_TRY(write_page(w, PQ_PAGE_DATA, w->page.p, w->page.len, (uint32_t)(e2 - e),
                           nd ? PQ_ENC_RLE_DICTIONARY : PQ_ENC_PLAIN));
        e = e2;
        v = v2;
        b = b2;
    }

    return chunk_meta(w, c, t, nd != 0, c->nentries, c->nentries - c->nvals, &st, rg_unc, rg_comp);
}

void iof__pqw_scratch_free(iof__pq_writer *w)
{
    pq_buf *b[SCRATCH_N]; /* the ones a side lends, then the writer's own */
    iof__pqw_scratch_of(w, b);
    for (size_t k = 0; k < SCRATCH_N; k++)
        iof__pq_buf_free(b[k]);
    iof__pq_buf_free(&w->tmp);
    for (int k = 0; k < DICT_CACHE; k++) {
        iof__pq_buf_free(&w->dc[k].raw);
        iof__pq_buf_free(&w->dc[k].comp);
    }
    for (size_t k = 0; k < T_BLOCK; k++)
        iof__pq_buf_free(&w->lzpg[k].out);
    free(w->dtab);
    free(w->seen);
    free(w->ht);
    free(w->seen16);
    free(w->lzstamp);
    ZSTD_freeCCtx(w->zc);
    w->dtab = NULL, w->seen = NULL, w->ht = NULL, w->seen16 = NULL, w->lzstamp = NULL, w->zc = NULL;
}

/* ---- staged narrow columns: sparse gathering and encoding -------------------------- */

#define SEEN_OFF 256 /* values a block's presence tables cover directly: [-256, 256) */
_Static_assert(SROW_MIN >= -SEEN_OFF, "a staged row's cells are all inside the presence tables");
#define SEEN_N (2 * SEEN_OFF)

/* dst[k * stride + i] = src[i * nb + k] for i < n, k < nb: row-major cells to columns. 8 x 8
 * tiles through SSE2 registers (one 16-byte store per column and 8 rows instead of 8 2-byte
 * ones). */
static void transpose16(int16_t *restrict dst, const int16_t *restrict src, size_t n, size_t nb, size_t stride)
{
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 8 <= n; i += 8) {
        const int16_t *s0 = src + i * nb;
        size_t k = 0;
        for (; k + 8 <= nb; k += 8) {
            __m128i r[8], t[8], u[8];
            for (int q = 0; q < 8; q++)
                r[q] = _mm_loadu_si128((const __m128i *)(const void *)(s0 + q * nb + k));
            for (int q = 0; q < 4; q++) {
                t[2 * q] = _mm_unpacklo_epi16(r[2 * q], r[2 * q + 1]);     /* columns 0-3 of rows 2q, 2q+1 */
                t[2 * q + 1] = _mm_unpackhi_epi16(r[2 * q], r[2 * q + 1]); /* columns 4-7 */
            }
            for (int h = 0; h < 2; h++) { /* rows 0-3 (h 0) and 4-7 (h 1) */
                u[4 * h + 0] = _mm_unpacklo_epi32(t[4 * h + 0], t[4 * h + 2]); /* columns 0, 1 */
                u[4 * h + 1] = _mm_unpackhi_epi32(t[4 * h + 0], t[4 * h + 2]); /* columns 2, 3 */
                u[4 * h + 2] = _mm_unpacklo_epi32(t[4 * h + 1], t[4 * h + 3]); /* columns 4, 5 */
                u[4 * h + 3] = _mm_unpackhi_epi32(t[4 * h + 1], t[4 * h + 3]); /* columns 6, 7 */
            }
            for (int c = 0; c < 4; c++) {
                _mm_storeu_si128((__m128i *)(void *)(dst + (k + 2 * c) * stride + i), _mm_unpacklo_epi64(u[c], u[4 + c]));
                _mm_storeu_si128((__m128i *)(void *)(dst + (k + 2 * c + 1) * stride + i), _mm_unpackhi_epi64(u[c], u[4 + c]));
            }
        }
        for (; k < nb; k++)
            for (size_t q = 0; q < 8; q++)
                dst[k * stride + i + q] = s0[q * nb + k];
    }
#endif
    for (; i < n; i++)
        for (size_t k = 0; k < nb; k++)
            dst[k * stride + i] = src[i * nb + k];
}

/* Gathers narrow columns [j0, j1) (block j0 / T_BLOCK) of the staged rows: act[r] = 1 for the
 * rows that have cells there, blk = their values in row order, column j0 + k at blk + k *
 * blk_n (cells of a row's left-out run hold its run value). Rows left out hold their run value
 * in every column of the block. The block is read front to back. On the way, which values
 * each column holds (seen16). */
int iof__pqw_gather16(iof__pq_writer *w, size_t j0, size_t j1)
{
    const uint64_t nr = w->f_st16_rows;
    const size_t nb = j1 - j0;
    const sblock *bk = &w->f_sblk[j0 / T_BLOCK];
    const uint32_t *spans = (const uint32_t *)(const void *)w->f_spans.p; /* 4 bytes a row: stays in cache */
    w->act.len = w->blk.len = 0;
    if (!pq_buf_reserve(&w->act, nr + 8) || !pq_buf_reserve(&w->blk, (nr + 1) * nb * sizeof(int16_t)) ||
        !pq_buf_reserve(&w->skip8, (nr / 8 + 1) * sizeof(uint32_t)) ||
        (!w->seen16 && !(w->seen16 = calloc(T_BLOCK, SEEN_N + 1))))
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    uint8_t *act = w->act.p;
    size_t n = 0;
    for (uint64_t r = 0; r < nr; r++) {
        uint8_t a = (uint8_t)ROW_IN_BLOCK(spans[r], j0, j1);
        act[r] = a;
        n += a;
    }
    iof__pq_act_skip8(act, nr, (uint32_t *)(void *)w->skip8.p);
    if (n != bk->rows)
        return iof__pqw_fail(w, IOF_E_INVAL, "parquet: staged block does not match its rows");
    w->blk_n = n;
    uint8_t *seen = w->seen16;
    memset(seen, 0, T_BLOCK * (SEEN_N + 1));
    const size_t rpc = sblock_rpc(nb);
    if (!pq_buf_reserve(&w->sdec, rpc * nb * sizeof(int16_t)))
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    int16_t *cells = (int16_t *)(void *)w->sdec.p;
    size_t wi = 0;
    for (size_t i0 = 0; i0 < n; i0 += rpc) { /* chunk by chunk, in row order */
        const size_t m = n - i0 < rpc ? n - i0 : rpc;
        const size_t wi0 = wi;
        for (size_t i = 0; i < m; i++)
            sblock_decode(bk, nb, i0 + i, cells + i * nb, &wi);
        if (wi == wi0) { /* no wide row: every cell in [SROW_MIN, 255], inside the table */
            for (size_t i = 0; i < m; i++) {
                const int16_t *src = cells + i * nb;
                for (size_t k = 0; k < nb; k++)
                    seen[k * (SEEN_N + 1) + SEEN_OFF + src[k]] = 1;
            }
        } else {
            for (size_t i = 0; i < m; i++) {
                const int16_t *src = cells + i * nb;
                for (size_t k = 0; k < nb; k++) {
                    const uint16_t o = (uint16_t)(src[k] + SEEN_OFF);
                    seen[k * (SEEN_N + 1) + (o < SEEN_N ? o : SEEN_N)] = 1;
                }
            }
        }
        transpose16((int16_t *)(void *)w->blk.p + i0, cells, m, nb, n);
    }
    return 0;
}

/* Completes block column k's presence table (gather16) with the run value of the rows left out
 * of the block; true when the table then holds every value of the column: none outside
 * [-SEEN_OFF, SEEN_OFF), and the rows left out share one run value. */
static bool seen16_complete(iof__pq_writer *w, size_t k, size_t n, bool tv_same, int16_t tv)
{
    uint8_t *s16 = w->seen16 + k * (SEEN_N + 1);
    const bool tv_ok = tv_same && tv >= -SEEN_OFF && tv < SEEN_OFF;
    if (n < w->f_st16_rows && tv_ok)
        s16[tv + SEEN_OFF] = 1;
    return !s16[SEEN_N] && (n == w->f_st16_rows || tv_ok);
}

/* A gathered narrow column: its rows' values (rows with cells in the block) and, per row,
 * whether it has one there. */
typedef struct col16 {
    const int16_t *v; /* v[n] is readable (blk has spare room) */
    size_t n;
    const uint8_t *act;
} col16;

static void col16_get(const iof__pq_writer *w, size_t k, col16 *cv)
{
    cv->n = w->blk_n;
    cv->v = (const int16_t *)(const void *)w->blk.p + k * w->blk_n;
    cv->act = w->act.p;
}

/* Row r's value in a transposed column: the next stored cell, or the row's run value. */
#define COL16_AT(cv, rows, r, i) ((cv)->act[r] ? (cv)->v[(i)++] : (rows)[r].tv)

/* All staged rows' values of one narrow column, dense, into c->vals. */
static int expand16(iof__pq_writer *w, pq_col *c, const col16 *cv)
{
    const uint64_t nr = w->f_st16_rows;
    const srow *rows = (const srow *)(const void *)w->f_srows.p;
    c->vals.len = 0;
    if (!pq_buf_reserve(&c->vals, nr * c->width))
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    uint8_t *q = c->vals.p;
    size_t i = 0;
    for (uint64_t r = 0; r < nr; r++)
        store_narrow(c, COL16_AT(cv, rows, r, i), q, r);
    c->vals.len = nr * c->width;
    c->nentries = c->nvals = c->nrows = nr;
    return 0;
}


/* A narrow column through the dense path (BOOL, or no dictionary). */
static int write_chunk16_dense(iof__pq_writer *w, pq_col *c, tc_w *t, const col16 *cv, uint64_t *rg_unc,
                               uint64_t *rg_comp)
{
    IOF_TRY(expand16(w, c, cv));
    int rc = iof__pqw_write_chunk(w, c, t, rg_unc, rg_comp);
    iof__pq_buf_free(&c->vals); /* not kept for every narrow column: the next row group stages again */
    c->nentries = c->nvals = c->nrows = 0;
    return rc;
}

/* For the narrow columns [j0, j1) just gathered: the PLAIN values of all staged rows, and for
 * the columns with more than LZ_MIN_DISTINCT distinct values (payload bytes, where a
 * dictionary page is a large part of a small chunk) their pq_lz frames, made by the pool's
 * threads. iof__pqw_write_chunk16() takes a frame instead of a dictionary. */
int iof__pqw_lz_prepare(iof__pq_writer *w, size_t j0, size_t j1, bool tv_same, int16_t tv)
{
    const uint64_t nr = w->f_st16_rows;
    const srow *rows = (const srow *)(const void *)w->f_srows.p;
    if (!w->lzstamp && !(w->lzstamp = calloc(65536, sizeof *w->lzstamp)))
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    for (size_t k = 0; k < j1 - j0; k++) {
        iof__pq_lz_page *pg = &w->lzpg[k];
        pg->n = pg->clen = 0;
        const pq_col *c = &w->fcols[w->simple_idx[j0 + k]];
        if (c->type == IOF_VT_BOOL || c->dict_hint)
            continue;
        pq_buf *pb = &w->lzplain[k];
        pb->len = 0;
        if (!pq_buf_reserve(pb, nr * 4))
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
        if (++w->lzgen == 0) { /* stamps wrapped: start over */
            memset(w->lzstamp, 0, 65536 * sizeof *w->lzstamp);
            w->lzgen = 1;
        }
        const uint32_t g = w->lzgen;
        col16 cv;
        col16_get(w, k, &cv);
        uint8_t *q = pb->p;
        uint32_t nd = 0;
        int mn = INT16_MAX, mx = INT16_MIN;
        /* distinct values and range from iof__pqw_gather16()'s presence table when it saw them all
         * (payload bytes and markers; the rows left out all hold tv); else counted here */
        const uint8_t *s16 = w->seen16 + k * (SEEN_N + 1);
        if (seen16_complete(w, k, cv.n, tv_same, tv)) {
            for (int o = 0; o < SEEN_N; o++) {
                if (s16[o]) {
                    nd++;
                    mn = o - SEEN_OFF < mn ? o - SEEN_OFF : mn;
                    mx = o - SEEN_OFF;
                }
            }
            for (uint64_t r = 0, i = 0; r < nr; r++) {
                int32_t x = COL16_AT(&cv, rows, r, i);
                memcpy(q + 4 * r, &x, 4);
            }
        } else {
            uint32_t *stamp = w->lzstamp;
            for (uint64_t r = 0, i = 0; r < nr; r++) {
                int32_t x = COL16_AT(&cv, rows, r, i);
                memcpy(q + 4 * r, &x, 4);
                uint32_t *st = &stamp[(uint16_t)x];
                nd += *st != g;
                *st = g;
                mn = x < mn ? x : mn;
                mx = x > mx ? x : mx;
            }
        }
        pb->len = nr * 4;
        w->lzmn[k] = (int16_t)mn;
        w->lzmx[k] = (int16_t)mx;
        if (nd > LZ_MIN_DISTINCT) {
            pg->plain = pb->p;
            pg->n = nr;
        }
    }
    iof__pq_lz_pool_run(w->lzpool, w->lzpg, j1 - j0);
    return 0;
}

/* A narrow column of a small row group as its one pq_lz page (no dictionary page, see
 * pq_lz.h). Returns 1 when written, 0 when the frame does not pay (nothing written: the caller
 * takes the dictionary), <0 on error. */
static int write_chunk16_lz(iof__pq_writer *w, pq_col *c, tc_w *t, const iof__pq_lz_page *pg, const stats *st,
                            uint64_t *rg_unc, uint64_t *rg_comp)
{
    const size_t raw = pg->n * 4;
    if (!pg->clen || pg->clen + raw / 32 >= raw)
        return 0;
    chunk_begin(w, c);
    w->ck.hold = false; /* the page is compressed already */
    w->ck.codec = PQ_CODEC_ZSTD;
    IOF_TRY(emit_page(w, PQ_PAGE_DATA, raw, pg->out.p, pg->clen, (uint32_t)pg->n, PQ_ENC_PLAIN));
    IOF_TRY(chunk_meta(w, c, t, false, pg->n, 0, st, rg_unc, rg_comp));
    return 1;
}

/* Encodes the transposed INT8/INT16 narrow column j: a sorted dictionary of the stored cells
 * and of the run values of the rows left out (sorted, so columns with the same value set share
 * a byte-identical dictionary page, compressed once: see compress_page), then the indices, with
 * stretches of left-out rows as RLE runs when the rows share their run value. Falls back to the
 * dense path when a dictionary does not pay. */
int iof__pqw_write_chunk16(iof__pq_writer *w, pq_col *c, tc_w *t, size_t j, bool tv_same, int16_t tv,
                         const iof__pq_lz_page *lzpg, uint64_t *rg_unc, uint64_t *rg_comp)
{
    const uint64_t nr = w->f_st16_rows;
    const srow *rows = (const srow *)(const void *)w->f_srows.p;
    col16 cv;
    col16_get(w, j % T_BLOCK, &cv);
    const int16_t *vals = cv.v;
    const size_t n = cv.n;
    if (c->type == IOF_VT_BOOL)
        return write_chunk16_dense(w, c, t, &cv, rg_unc, rg_comp);
    if (lzpg && lzpg->n == nr) { /* iof__pqw_lz_prepare() made its page (and knows its range) */
        stats st;
        memset(&st, 0, sizeof st);
        const size_t k = (size_t)(lzpg - w->lzpg);
        iof__pqw_int_stats(&st, c, w->lzmn[k], w->lzmx[k]);
        int rc = write_chunk16_lz(w, c, t, lzpg, &st, rg_unc, rg_comp);
        if (rc != 0)
            return rc < 0 ? rc : 0;
    }
    if (!w->dtab) {
        w->dtab = malloc(65536 * sizeof *w->dtab);
        if (!w->dtab)
            return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
        memset(w->dtab, 0xff, 65536 * sizeof *w->dtab);
    }
    w->dvals.len = 0;
    if (!pq_buf_reserve(&w->dvals, 8 * 65536))
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    int32_t *tab = w->dtab; /* key -> dictionary index; -1 absent, -2 present (not yet placed) */
    int64_t *dv = (int64_t *)(void *)w->dvals.p;
    const uint16_t kmask = c->width == 1 ? 0xff : 0xffff;
#define KEY(x) ((uint16_t)((uint16_t)(x) & kmask))
    /* 1. which values occur: iof__pqw_gather16() noted them when they are in [-SEEN_OFF, SEEN_OFF)
     * (payload bytes and markers); otherwise a byte per possible value and the range */
    const uint8_t *s16 = w->seen16 + (j % T_BLOCK) * (SEEN_N + 1);
    uint32_t nd = 0;
    int mn16 = INT16_MAX, mx16 = INT16_MIN;
    if (c->width == 2 && seen16_complete(w, j % T_BLOCK, n, tv_same, tv)) {
        for (int o = 0; o < SEEN_N; o++) {
            if (s16[o]) {
                tab[(uint16_t)(o - SEEN_OFF)] = (int32_t)nd;
                dv[nd++] = o - SEEN_OFF;
            }
        }
        mn16 = (int)dv[0];
        mx16 = (int)dv[nd - 1];
        goto have_dict;
    }
    if (!w->seen && !(w->seen = calloc(65536, 1)))
        return iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    uint8_t *seen = w->seen;
    if (n < nr) { /* rows left out: their run values */
        if (tv_same) {
            seen[KEY(tv)] = 1;
            mn16 = mx16 = tv;
        } else {
            for (uint64_t r = 0; r < nr; r++) {
                if (cv.act[r])
                    continue;
                int x = rows[r].tv;
                seen[KEY(x)] = 1;
                mn16 = x < mn16 ? x : mn16;
                mx16 = x > mx16 ? x : mx16;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        int x = vals[i];
        seen[KEY(x)] = 1;
        mn16 = x < mn16 ? x : mn16;
        mx16 = x > mx16 ? x : mx16;
    }
    /* 2. indices in value order (so equal value sets give equal dictionary pages) */
    for (int64_t x = mn16; x <= mx16; x++) {
        if (seen[KEY(x)]) {
            seen[KEY(x)] = 0;
            tab[KEY(x)] = (int32_t)nd;
            dv[nd++] = x;
        }
    }
have_dict:;
    const int64_t mn = mn16, mx = mx16;
    unsigned bw = pq_bit_width(nd - 1);
    uint64_t cost = (uint64_t)nd * c->psize + (nr * bw + 7) / 8 + 16;
    bool use_dict = (c->dict_hint || cost < nr * c->psize) && (uint64_t)nd * c->psize <= w->cfg.dict_max_bytes;
    stats st;
    memset(&st, 0, sizeof st);
    iof__pqw_int_stats(&st, c, mn, mx);
    int rc = 0;
    if (use_dict) {
        w->dict.len = 0;
        for (uint32_t d = 0; d < nd; d++)
            pq_buf_le32(&w->dict, (uint32_t)(int32_t)dv[d]);
        if (w->dict.oom)
            rc = iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
    }
    if (use_dict && rc == 0) {
        chunk_begin(w, c);
        rc = write_page(w, PQ_PAGE_DICTIONARY, w->dict.p, w->dict.len, nd, PQ_ENC_PLAIN);
        if (!tv_same && n < nr) {
            /* rows left out with different run values: index every row (rare, never for
             * custom-flow rows, whose runs are all -1) */
            if (rc == 0 && !pq_buf_reserve(&w->idx, nr * sizeof(uint32_t)))
                rc = iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory");
            uint32_t *all = (uint32_t *)(void *)w->idx.p;
            for (uint64_t r = 0, i = 0; rc == 0 && r < nr; r++)
                all[r] = (uint32_t)tab[KEY(COL16_AT(&cv, rows, r, i))];
            for (uint64_t p0 = 0; rc == 0 && p0 < nr; p0 += w->cfg.page_entries) {
                uint64_t p1 = nr - p0 > w->cfg.page_entries ? p0 + w->cfg.page_entries : nr;
                w->page.len = 0;
                pq_buf_u8(&w->page, (uint8_t)bw);
                iof__pq_hybrid_encode_u32(&w->page, all + p0, (size_t)(p1 - p0), bw);
                rc = w->page.oom ? iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory")
                                 : write_page(w, PQ_PAGE_DATA, w->page.p, w->page.len, (uint32_t)(p1 - p0),
                                              PQ_ENC_RLE_DICTIONARY);
            }
        } else {
            uint32_t fill = n < nr ? (uint32_t)tab[KEY(tv)] : 0;
            size_t i0 = 0;
            for (uint64_t p0 = 0; rc == 0 && p0 < nr; p0 += w->cfg.page_entries) {
                uint64_t p1 = nr - p0 > w->cfg.page_entries ? p0 + w->cfg.page_entries : nr;
                w->page.len = 0;
                pq_buf_u8(&w->page, (uint8_t)bw);
                const uint32_t *skip8 = p0 % 8 == 0 ? (const uint32_t *)(const void *)w->skip8.p + p0 / 8 : NULL;
                i0 += iof__pq_hybrid_encode_masked16(&w->page, bw, cv.act + p0, (size_t)(p1 - p0), vals + i0, tab,
                                                     kmask, fill, skip8);
                rc = w->page.oom ? iof__pqw_fail(w, IOF_E_NOMEM, "parquet: out of memory")
                                 : write_page(w, PQ_PAGE_DATA, w->page.p, w->page.len, (uint32_t)(p1 - p0),
                                              PQ_ENC_RLE_DICTIONARY);
            }
        }
    }
    for (uint32_t d = 0; d < nd; d++)
        tab[KEY(dv[d])] = -1;
#undef KEY
    if (rc < 0)
        return rc;
    if (use_dict)
        return chunk_meta(w, c, t, true, nr, 0, &st, rg_unc, rg_comp);
    return write_chunk16_dense(w, c, t, &cv, rg_unc, rg_comp);
}
