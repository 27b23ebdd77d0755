/* The Parquet writer's private parts, shared by its files (pq_writer.h is the API):
 *   pq_writer.c  open, declare, abort, the footer (finish), the error and emit helpers
 *   pq_stage.c   appending rows and cells: row-major staging of narrow and wide integers
 *   pq_dict.c    dictionaries and statistics of a column chunk
 *   pq_chunk.c   pages, codecs and column chunks; the staged narrow columns' sparse encoding
 *   pq_flush.c   closing a row group and writing it (on the flush thread or the caller's; a large
 *                one at close with its columns on two threads)
 * Nothing outside src/output/parquet/pq_*.c includes this header. */
#ifndef IOF_OUTPUT_PARQUET_PQ_WRITER_INT_H
#define IOF_OUTPUT_PARQUET_PQ_WRITER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "common/thread.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#define IOF_PQ_SSE2 1
#else
#define IOF_PQ_SSE2 0
#endif
#include "output/parquet/pq_encode.h"
#include "output/parquet/pq_lz.h"
#include "output/parquet/pq_writer.h"
#include "output/parquet/thrift_compact.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet writer stores values in host order and assumes a little-endian host"
#endif

#define MAX_VALUE_BYTES (1u << 30) /* one value must fit a page (i32 sizes) */
#define DICT_SAMPLE 4096           /* values looked at before giving up on a dictionary */
#define STAGE_ROWS 64              /* INT32/INT64 rows staged before appending to the columns */
#define NULL64_REFUSED 0xffu      /* null64 of a REQUIRED column */
#define CHUNK_HOLD (256u << 10)    /* a chunk's pages are held back up to this many raw bytes */
#define CHUNK_TINY 64              /* held chunks this small are stored without compression */
#define COMP_RETRY 8               /* row groups between compression tries of a near-random column */
#define T_BLOCK 32                /* narrow columns staged and gathered together: 64 bytes of a row */
#define LZ_MIN_DISTINCT 32        /* narrow chunks with more values: PLAIN through pq_lz */

/* The staged narrow blocks (below) are stored in chunks of SCHUNK bytes, each whole rows of
 * one block, carved from regions of SREGION bytes that the run's writers share (pq_regions.c:
 * the run's first region in small pages, so a small file touches only what it stores, the
 * others backed by huge pages, iof__mem_hugepages). A chunk goes back to the run's free chunks
 * as soon as its rows are read: when its block has been gathered for writing (or its stage is
 * emptied otherwise), so the row group being written gives its staging back block by block to
 * the row groups being filled. Why chunks shared by all blocks: each block used to be its own
 * buffer growing by realloc doubling from 64 bytes, so its pages were fresh ones, 4 KiB at a
 * time, and those first touches were most of the writer's page faults on dense
 * (bench/README.md); a 2 MiB page shared by all blocks' chunks cannot be given to 94 separate
 * buffers without rounding each one up to 2 MiB. Why given back block by block, not per
 * region and row group: the staging of the row groups being filled and written were most of
 * smallpkt's peak RSS (bench/README.md, 2026-12-07). Bound: a stage holds at most its row
 * group's held bytes (row_group_bytes, 64 MiB by default, plus one row: counted as 2 bytes a
 * cell, so at most 36/64 of that is stored, below) plus one partly filled chunk per block (94
 * x 64 KiB for the wide layout); the run holds the most its stages held at once, kept for
 * reuse. */
#define SCHUNK ((size_t)64 << 10)
#define SREGION ((size_t)8 << 20)
#define SREGIONS_MAX ((size_t)1 << 16) /* regions of a run: 512 GiB, beyond any row group */
#define SCHUNKS_MAX (SREGIONS_MAX * (SREGION / SCHUNK))

/* A staged block row of nb <= T_BLOCK cells is stored in SROW_BYTES(nb) bytes: a 4-byte mask
 * (bit k: cell k is negative) then each cell's low byte, so a cell in [SROW_MIN, 255] is
 * value = low byte, minus 256 when its bit is set. Why: the wide layout's narrow cells are the
 * payload stream (bytes 0..255 and the markers -1, -4, -8), and staging them in two bytes each
 * made the staging regions the largest part of a dense run's peak RSS (136 of 391 MB: two
 * writers, two sides each; bench/README.md): 36 bytes a row instead of 64. A row with any
 * cell outside that range (no stream has one; other INT16 columns may) is stored whole in the
 * block's `wide` list and marked in the chunk by a full mask (srow_all) with zero bytes, a
 * pattern no in-range row makes (cells of -256). Decoding is sblock_decode(). */
#define SROW_MIN (-255)
static inline size_t srow_bytes(size_t nb) { return 4 + nb; }
static inline uint32_t srow_all(size_t nb) { return nb >= 32 ? 0xffffffffu : (1u << nb) - 1; } /* wide mark */

typedef struct sblock {  /* a staged block: rows of srow_bytes(nb) in chunks of sblock_rpc(nb) rows */
    unsigned char **ch;  /* its chunks, in row order */
    size_t nch, chcap;   /* chunks used, room in ch */
    uint64_t rows;       /* rows stored */
    pq_buf wide;         /* rows with a cell outside [SROW_MIN, 255]: uint64 row, int16[nb] each */
} sblock;

/* Rows of a block of nb columns in one chunk. */
static inline size_t sblock_rpc(size_t nb) { return SCHUNK / srow_bytes(nb); }

/* Encodes nb cells into a staged row; false when one is out of range: the row is then marked
 * wide, and the caller stores its cells in the block's wide list. A block's cells go through
 * SSE2 8 at a time where the host has it (x86-64 always): the scalar loop's variable
 * shift a cell kept it from vectorising, and it was ~60 % of iof__pq_write_row, the sink's
 * per-row staging, on dense (bench/README.md 2026-12-07 "Staged rows in SSE2"); the bytes are
 * the same. */
static inline bool srow_encode(unsigned char *dst, const int16_t *v, size_t nb)
{
    uint32_t neg = 0;
    bool ok = true;
    size_t k = 0;
#if IOF_PQ_SSE2
    /* nb <= T_BLOCK: 16 cells a step (two vectors of 8), then maybe 8, then the scalar loop */
    const __m128i hi = _mm_set1_epi16(255), lo = _mm_set1_epi16(SROW_MIN), low8 = _mm_set1_epi16(0xff);
    __m128i bad = _mm_setzero_si128();
    for (; k + 8 <= nb; k += 16) {
        const bool two = k + 16 <= nb;
        const __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(v + k));
        const __m128i b = two ? _mm_loadu_si128((const __m128i *)(const void *)(v + k + 8)) : _mm_setzero_si128();
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpgt_epi16(a, hi), _mm_cmplt_epi16(a, lo)));
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpgt_epi16(b, hi), _mm_cmplt_epi16(b, lo)));
        /* packs keeps each cell's sign, movemask takes it: bit k of the 16 */
        neg |= (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(a, b)) << k;
        const __m128i bytes = _mm_packus_epi16(_mm_and_si128(a, low8), _mm_and_si128(b, low8));
        if (two) {
            _mm_storeu_si128((__m128i *)(void *)(dst + 4 + k), bytes);
        } else { /* 8 cells: the next bytes are the row's last cells, or the next row */
            _mm_storel_epi64((__m128i *)(void *)(dst + 4 + k), bytes);
            k += 8;
            break;
        }
    }
    ok = _mm_movemask_epi8(bad) == 0;
#endif
    for (; k < nb; k++) {
        ok &= v[k] >= SROW_MIN && v[k] <= 255;
        neg |= (uint32_t)(v[k] < 0) << k;
        dst[4 + k] = (unsigned char)v[k];
    }
    if (!ok) { /* the wide mark */
        neg = srow_all(nb);
        memset(dst + 4, 0, nb);
    }
    memcpy(dst, &neg, 4);
    return ok;
}

/* The cells of staged row i. The caller asks rows in increasing order and keeps *wi, the next
 * entry of the block's wide list (0 at the first row). */
static inline void sblock_decode(const sblock *s, size_t nb, uint64_t i, int16_t *out, size_t *wi)
{
    const size_t rpc = sblock_rpc(nb);
    const unsigned char *src = s->ch[i / rpc] + (size_t)(i % rpc) * srow_bytes(nb);
    uint32_t neg;
    memcpy(&neg, src, 4);
    if (neg == srow_all(nb)) { /* a wide row, or one whose cells are all negative */
        const size_t ent = 8 + nb * sizeof(int16_t);
        uint64_t r;
        if (*wi < s->wide.len / ent && (memcpy(&r, s->wide.p + *wi * ent, 8), r == i)) {
            memcpy(out, s->wide.p + *wi * ent + 8, nb * sizeof(int16_t));
            ++*wi;
            return;
        }
    }
    size_t k = 0;
#if IOF_PQ_SSE2
    { /* cell k: its byte, minus 256 when bit k is set; 8 cells a step, then the scalar loop */
        const __m128i bits = _mm_setr_epi16(1, 2, 4, 8, 16, 32, 64, 128), k256 = _mm_set1_epi16(256);
        const __m128i zero = _mm_setzero_si128();
        for (; k + 8 <= nb; k += 8) {
            const __m128i c = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(const void *)(src + 4 + k)), zero);
            const __m128i m = _mm_set1_epi16((short)((neg >> k) & 0xffu));
            const __m128i set = _mm_cmpeq_epi16(_mm_and_si128(m, bits), bits);
            _mm_storeu_si128((__m128i *)(void *)(out + k), _mm_sub_epi16(c, _mm_and_si128(set, k256)));
        }
    }
#endif
    for (; k < nb; k++)
        out[k] = (int16_t)(src[4 + k] - (int)(((neg >> k) & 1u) << 8));
}

typedef struct pq_col {
    char name[IOF_MAX_COLNAME]; /* full name; a struct member's: "struct.member" */
    uint8_t member_at;          /* iof__column's: 0 top-level, else where the member's name starts */
    uint16_t opens_struct;      /* the first member of a struct: the struct's members (its group
                                   element's num_children); else 0 */
    iof__vtype type;
    bool nullable, list, dict_hint, bytes, elem_first;
    uint8_t ptype;   /* parquet physical type */
    uint8_t width;   /* bytes per buffered integer (0: byte array) */
    uint8_t psize;   /* bytes per PLAIN integer on disk (4 or 8; 0: bool/byte array) */
    uint8_t max_def, max_rep;
    bool comp_skip;  /* compression saved < 1/4 of this column's last chunk that tried it */
    uint32_t elems_left;
    pq_buf def, rep, vals; /* level bytes; values (ints: width bytes; byte arrays: PLAIN) */
    uint64_t nentries, nvals, nrows;
} pq_col;

typedef struct dent { /* dictionary entry of a byte-array column: a value inside col->vals */
    uint64_t off;
    uint32_t len, hash;
} dent;

/* A page held back while its column chunk is small (see write_page). */
typedef struct held_page {
    size_t off;          /* body in chunk_state.raw */
    uint32_t len, num_values, clen;
    uint8_t type, enc;
} held_page;

typedef struct chunk_state {
    pq_col *col;
    bool hold;            /* pages are held, the codec is not decided yet */
    int codec;            /* PQ_CODEC_* of the chunk once decided */
    int64_t first_off, data_off;
    uint64_t unc, comp;   /* totals with page headers (ColumnMetaData sizes) */
    pq_buf raw, pages, cheld;
} chunk_state;

/* A compressed dictionary page kept for reuse: the stream columns of one row group (and of
 * the next) mostly have the same sorted dictionary (-8, -4, -1, 0..255), and zstd spends more
 * on a 1 KiB page than on everything else of such a column. */
#define DICT_CACHE 8
#define DICT_CACHE_MAX (64u << 10)
typedef struct dict_cache {
    uint32_t hash;
    pq_buf raw, comp;
} dict_cache;

typedef struct stats {
    bool has;
    bool min_exact, max_exact, has_max;
    uint8_t min[IOF_PQ_STAT_MAX_BYTES], max[IOF_PQ_STAT_MAX_BYTES];
    uint32_t min_len, max_len;
} stats;

/* What writing a handed-over row group (pq_flush.c's write_cols and the functions it calls)
 * reads from its writer, apart from the writing's scratch and caches: the configuration, the
 * columns' layout and the row group handed over. A helper that writes some of the columns on
 * another thread (pq_flush.c, split_writer) copies all of it at once (`rd`) and keeps its own
 * scratch, caches, codec context, offset and errors. Why one group: the helper used to copy
 * these fields one by one, and a field added later that the writing reads but that copy missed
 * would have crashed (or written other bytes) only on the split path, which only large row
 * groups at close take. A new field the writing reads goes here. The fields are listed once
 * (PQ_WRITING_READS), for the named struct and for the anonymous one that the code reads them
 * through (w->ncols), two members of one union. */
#define PQ_WRITING_READS                                                                          \
    iof__pq_writer_cfg cfg;                                                                      \
    size_t ncols;                                                                                \
    uint32_t rg_count;    /* row groups written so far (the one being written: its ordinal) */   \
    uint8_t *simple;      /* per column: 0 not staged, 1 in the blocks (sblk), 2 in stage64 */  \
    uint32_t *simple_idx; /* staged column numbers: the n16 narrow ones, then the n64 wide ones */ \
    uint32_t *narrow_of;  /* column -> index among the narrow staged columns */                  \
    size_t nsimple, n16;                                                                         \
    size_t nblk;          /* ceil(n16 / T_BLOCK) */                                              \
    iof__pq_regions *regions; /* where the staging chunks come from (cfg's, or own) */           \
    /* the row group handed over to be written ("Background flush" below) */                    \
    pq_col *fcols;                                                                               \
    sblock *f_sblk;                                                                              \
    pq_buf f_srows, f_spans;                                                                     \
    uint64_t f_st16_rows, f_rg_rows;                                                             \
    uint32_t split_fail;  /* iof__pq_writer_test_split_fail: a split helper's failing chunk */
typedef struct pq_reads {
    PQ_WRITING_READS
} pq_reads;

struct iof__pq_writer {
    union {
        pq_reads rd;                 /* copied whole by split_writer() */
        struct { PQ_WRITING_READS }; /* the same fields, read as w->cfg, w->ncols, ... */
    };
    char **kv; /* 2*n_kv strings: key, value */
    size_t n_kv;
    char created_by[160];
    pq_col *cols;
    uint64_t offset, rows_total, rg_rows, buffered;
    int failed;
    char msg[256];
    pq_buf rgs; /* serialized RowGroup structs not spilled yet */
    tc_w rgw;
    FILE *rgs_spill;      /* the RowGroup structs spilled so far (iof__pqw_rgs_spill), or NULL */
    uint64_t rgs_spilled; /* their bytes */
    bool rgs_spill_off;   /* no temporary file, or a write to it failed: the rest stay in memory */
    pq_buf page, cbuf, hdr, dict, idx, dvals, tmp;
    chunk_state ck;       /* the column chunk being written */
    dict_cache dc[DICT_CACHE]; /* recently compressed dictionary pages */
    unsigned dc_next;
    int32_t *dtab;  /* 65536-entry direct index for 8/16-bit dictionaries, kept all -1 */
    uint8_t *seen;  /* 65536 flags: values present in a narrow column (write_chunk16), kept 0 */
    uint32_t *ht;   /* open addressing: dictionary index + 1, 0 = empty */
    size_t ht_cap;
    ZSTD_CCtx *zc;
    /* PLAIN pages of the narrow columns of a small row group, compressed by pq_lz in blocks of
     * T_BLOCK columns (lz_prepare); NULL: not zstd, or the run-time libzstd lacks the API */
    iof__pq_lz_pool *lzpool;
    iof__pq_lz_page lzpg[T_BLOCK];
    pq_buf lzplain[T_BLOCK];
    int16_t lzmn[T_BLOCK], lzmx[T_BLOCK]; /* their columns' range (statistics) */
    uint32_t *lzstamp; /* 65536 stamps: values seen in the column being prepared */
    uint32_t lzgen;
    /* Row-major staging of REQUIRED flat integer columns (the wide layout's 3000 C_ columns).
     * Appending one value per row to 3000 separate column buffers touches 3000 cache lines per
     * row (which also alias in the cache); instead write_row() stores
     *  - BOOL/INT8/INT16 REQUIRED values in blocks of T_BLOCK columns (64 bytes of a row): a
     *    row stores its cells in every block that it has cells in, none in the blocks that its
     *    constant run covers (the payload stream's -1 fill, described by the row's span), so
     *    each block is a dense [rows with cells][T_BLOCK] array appended in row order;
     *    flush_body() reads a block front to back (no random access into the row group),
     *    transposes it and encodes each column from those cells plus the runs of the rows it
     *    skipped (sparse: the work is proportional to the cells a row really has, not to the
     *    3000 columns);
     *  - INT32/INT64 values, and nullable integers, in stage64, appended to their column
     *    buffers every STAGE_ROWS rows.
     * The cell API (put_*) first drains both stages into the column buffers (dense), so mixing
     * the two APIs keeps row order. */
    uint32_t *run16;      /* per column: consecutive INT16 block columns starting here (bulk copy) */
    uint32_t *run64;      /* per column: consecutive stage64 integer (not FLOAT64) columns
                             starting here (a row's block of them read at once: i64_span) */
    uint8_t *null64;      /* per stage64 column: the bytes a null holds less than a value
                             (width + max_def - 2, as put_null counts it), NULL64_REFUSED when
                             it is REQUIRED: a block's nulls read from one byte array, not from
                             a 192-byte pq_col each (ppi's ~350 null cells a row) */
    size_t n64;           /* stage64's columns (the wide staged ones, after the n16 narrow) */
    sblock *sblk;         /* nblk blocks: int16 [rows with cells there][T_BLOCK] each */
    bool own_regions;
    uint64_t b_fill;      /* bytes of the row group being filled counted in the run's budget
                             (as of its last ended row) */
    pq_buf rowcells;      /* int16 scratch: one row's explicit narrow cells (write_row) */
    pq_buf srows;         /* per staged row: srow */
    pq_buf spans;         /* per staged row: uint32 ts | te << 16, its left-out run */
    uint64_t st16_rows;
    int64_t *stage64;     /* [STAGE_ROWS][n64] */
    uint8_t *stage64n;    /* [STAGE_ROWS][n64]: 1 value present, 0 null */
    uint32_t st64_rows;
    uint64_t row64_bytes; /* bytes a row holds in stage64's columns */
    /* the block of T_BLOCK narrow columns being written (gather16) */
    pq_buf sdec;          /* int16 [rows of a chunk][T_BLOCK]: a staged chunk's cells, decoded */
    pq_buf act;           /* uint8 per row: 1 if the row has cells in the block */
    pq_buf skip8;         /* uint32 per 8 rows: iof__pq_act_skip8() of act */
    pq_buf blk;           /* int16 [T_BLOCK][rows with cells]: the block's cells, column-major */
    size_t blk_n;         /* rows with cells in the block */
    /* per block column, the values seen: seen16[k][x + SEEN_OFF] for x in [-SEEN_OFF,
     * SEEN_OFF), seen16[k][SEEN_N] for any other value */
    uint8_t *seen16;
    /* Background flush. flush_rg() hands the full row group over (its column buffers to
     * fcols, its staged blocks' chunk lists and rows to f_*) and takes the run's written side's
     * emptied column buffers and the writing's scratch above (iof__pqw_side_take), and the
     * flush thread encodes and writes it (pq_flush.c's flush_body and pq_chunk.c's
     * narrow-column functions touch only the f_ side and the scratch) while the caller fills
     * cols / stage with the next row group; the side goes back when it is written. One row group
     * of the run is written at a time: the run's writers hold their row groups being filled
     * and one being written. Its errors land in ffailed/fmsg and become the writer's at the
     * next flush_rg() or at finish. */
    bool f_own; /* the row group being written is in the writer's own buffers, not the side's */
    /* A row group's columns written by two threads (pq_flush.c, split_at): the helper writes
     * the columns [cut, ncols) with a writer of its own (its scratch; what the writing reads,
     * rd, copied from this one) into memory, noting there its ColumnChunks' file offsets
     * (offs, pq_off), shifted when its bytes are placed after the first range's. */
    pq_buf *offs;             /* NULL: not a range written apart */
    size_t split_test;        /* iof__pq_writer_test_split: the column every row group is cut at */
    uint32_t splits;          /* row groups split so far */
    bool bg;                  /* a flush thread is wanted (started on first use) */
    iof__worker *bg_wk;       /* the flush thread, NULL until then */
    int ffailed;
    char fmsg[256];
};
/* the anonymous struct lays its fields out as pq_reads does (the same declarations) */
_Static_assert(offsetof(struct iof__pq_writer, cfg) == offsetof(struct iof__pq_writer, rd) &&
                   offsetof(struct iof__pq_writer, split_fail) - offsetof(struct iof__pq_writer, rd) ==
                       offsetof(pq_reads, split_fail),
               "pq_reads and the writer's anonymous struct agree");

/* A staged row: narrow columns [ts, te) hold tv in that row and are not stored (ts = te = n16
 * when there is no such run); it has cells in block b (columns [b * T_BLOCK, ...)) unless the
 * run covers the whole block (ROW_IN_BLOCK). ts and te live apart, packed in the row's 4-byte
 * span (SPAN_TS / SPAN_TE), which is all that gather16 reads for rows it skips. */
_Static_assert(IOF_MAX_COLUMNS <= 0xffff, "spans pack two column indices in 32 bits");
#define SPAN_TS(sp) ((size_t)((sp) & 0xffff))
#define SPAN_TE(sp) ((size_t)((sp) >> 16))
/* A row whose left-out run is [ts, te) has cells in the block of columns [j0, j1). */
static inline bool in_block(size_t ts, size_t te, size_t j0, size_t j1) { return ts > j0 || te < j1; }
#define ROW_IN_BLOCK(sp, j0, j1) in_block(SPAN_TS(sp), SPAN_TE(sp), j0, j1)

/* A file offset in a range's ColumnChunk structs: the i64 field at [at, end), value v. */
typedef struct pq_off {
    size_t at, end;
    int64_t v;
} pq_off;

typedef struct srow {
    int16_t tv;
} srow;

static inline int64_t double_bits(double f)
{
    int64_t x;
    memcpy(&x, &f, 8);
    return x;
}

static inline bool col_oom(const pq_col *c) { return c->vals.oom || c->def.oom || c->rep.oom; }

/* The end of the block of narrow columns that starts at j0. */
static inline size_t block_end(const iof__pq_writer *w, size_t j0)
{
    return j0 + T_BLOCK < w->n16 ? j0 + T_BLOCK : w->n16;
}

/* pq_regions.c: a free staging chunk of SCHUNK bytes, NULL: out of memory; a block's chunks
 * back to the run's free ones (the block then has none). */
unsigned char *iof__pqw_chunk_take(iof__pq_regions *p);
void iof__pqw_chunks_give(iof__pq_regions *p, sblock *s);

/* pq_regions.c, the run's written side: takes it (waiting while another writer's row group is
 * written with it): the row group being filled goes to fcols, the side's emptied buffers
 * become cols; gives it back when that row group is written (or its writing failed). For the
 * writer's `last` row group it is taken only by the run's only open writer, and only if free
 * (the others write their last row group with their own buffers, side by side: pq_flush.c).
 * 1: taken, 0: not (nothing changed), < 0: error. Writers count themselves in and out
 * (iof__pqw_writers_add, at open and free). */
int iof__pqw_side_take(iof__pq_writer *w, bool last);
void iof__pqw_writers_add(iof__pq_regions *p, int d);
void iof__pqw_side_give(iof__pq_writer *w);

/* pq_regions.c: the sink is completing its files (iof__pq_regions_closing): a row group
 * written then may be split over two threads (pq_flush.c). */
bool iof__pqw_closing(const iof__pq_writer *w);

/* pq_regions.c, the run's budget of held bytes (pq_writer.h): counts the row being ended and
 * says whether the row group should be closed early; takes the writer's row group out of the
 * count (handed over to be written, or the writer's end). */
bool iof__pqw_budget_cut(iof__pq_writer *w);
void iof__pqw_budget_release(iof__pq_writer *w);

/* Empties a narrow stage (the one being filled, or the flush side); its chunks go back to the
 * run's free ones. */
static inline void stage16_clear(const iof__pq_writer *w, sblock *blk, pq_buf *rows, pq_buf *spans)
{
    for (size_t b = 0; b < w->nblk; b++) {
        iof__pqw_chunks_give(w->regions, &blk[b]);
        blk[b].rows = 0, blk[b].wide.len = 0;
    }
    rows->len = 0;
    spans->len = 0;
}

static inline void store_narrow(pq_col *c, int16_t x, uint8_t *q, uint64_t r)
{
    if (c->width == 2)
        memcpy(q + 2 * r, &x, 2);
    else
        q[r] = (uint8_t)x;
}

static inline int64_t load_int(const pq_col *c, const uint8_t *vals, uint64_t k)
{
    switch (c->width) {
    case 1: return (int8_t)vals[k];
    case 2: { int16_t x; memcpy(&x, vals + 2 * k, 2); return x; }
    case 4: { int32_t x; memcpy(&x, vals + 4 * k, 4); return x; }
    default: { int64_t x; memcpy(&x, vals + 8 * k, 8); return x; }
    }
}

/* True on a writer's flush thread: its errors go to ffailed, not to the caller's failed. */
extern _Thread_local bool iof__pqw_on_flush_thread;

/* pq_writer.c: fails the writer (the first error stays; on the flush thread into ffailed/fmsg)
 * and returns code; writes n bytes to the sink at w->offset. */
int iof__pqw_fail(iof__pq_writer *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int iof__pqw_emit(iof__pq_writer *w, const void *p, size_t n);
/* The footer's RowGroup structs are the one part of a writer that grows with its file: ~3,000
 * column chunks of ~45-65 bytes a row group of the wide layout (smallpkt's 2-hour capture:
 * 11.6 MB in the bidirectional footer, 7 MB in the unidirectional; one more copy when the
 * footer was assembled). Past PQ_RGS_SPILL_BYTES they go to an unlinked temporary file
 * ($TMPDIR, else /tmp) and are streamed back into the footer at finish, so a
 * writer's memory no longer depends on its row group count. No temporary file, or one that
 * cannot be written: the rest stay in memory (as before). Called after each row group's struct
 * is complete. */
#define PQ_RGS_SPILL_BYTES (1u << 20)
void iof__pqw_rgs_spill(iof__pq_writer *w);

/* pq_stage.c: move the staged rows (wide integers / narrow blocks) into the column buffers. */
int iof__pqw_drain64(iof__pq_writer *w);
int iof__pqw_drain16(iof__pq_writer *w);

/* pq_dict.c */
uint32_t iof__pqw_hash_bytes(const uint8_t *p, uint32_t n);
void iof__pqw_int_stats(stats *st, const pq_col *c, int64_t mn, int64_t mx);
uint32_t iof__pqw_dict_ints(iof__pq_writer *w, pq_col *c, stats *st, bool *stats_done);
uint32_t iof__pqw_dict_bytes(iof__pq_writer *w, pq_col *c, stats *st, bool *stats_done);
void iof__pqw_plain_stats(const pq_col *c, stats *st);

/* pq_chunk.c */
int iof__pqw_gather16(iof__pq_writer *w, size_t j0, size_t j1);
/* Frees the writing's scratch (a writer's, or a split range's writer's): the buffers
 * iof__pqw_scratch_of lists, and the writer's own. */
void iof__pqw_scratch_free(iof__pq_writer *w);
/* pq_regions.c: the SCRATCH_N scratch buffers a side lends (one list for lending and freeing) */
#define SCRATCH_N (13 + T_BLOCK)
void iof__pqw_scratch_of(iof__pq_writer *w, pq_buf **b);
int iof__pqw_write_chunk(iof__pq_writer *w, pq_col *c, tc_w *t, uint64_t *rg_unc, uint64_t *rg_comp);
int iof__pqw_lz_prepare(iof__pq_writer *w, size_t j0, size_t j1, bool tv_same, int16_t tv);
int iof__pqw_write_chunk16(iof__pq_writer *w, pq_col *c, tc_w *t, size_t j, bool tv_same, int16_t tv,
                           const iof__pq_lz_page *lzpg, uint64_t *rg_unc, uint64_t *rg_comp);

/* pq_flush.c: closes the row group being filled and writes it (sync: on this thread, now). */
int iof__pqw_flush_rg(iof__pq_writer *w, bool sync);

#endif
