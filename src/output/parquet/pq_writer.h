/* Native Parquet writer (no Arrow): the low-level API behind w_parquet.c.
 *
 * Model: declare the columns once (an array of iof__column: name, type, nullable, list, dict
 * hint), then append one row at a time, either
 *   - cell by cell: for every column, in any column order, exactly one of
 *       iof__pq_put_null()            null scalar / null list (nullable columns only)
 *       iof__pq_put_int()             BOOL, INT8..INT64, TIMESTAMP_US scalar
 *       iof__pq_put_double()          FLOAT64 scalar
 *       iof__pq_put_bytes()           STRING / BINARY scalar
 *       iof__pq_put_list(n) + n x iof__pq_put_elem_int() / _elem_double() / _elem_bytes()
 *     then iof__pq_end_row();
 *   - or a whole row through a schema's row accessor: iof__pq_write_row();
 *   - or column batches: iof__pq_put_column() for every column with the same n values, then
 *     iof__pq_end_rows(n).
 * Rows are buffered in compact typed buffers (REQUIRED narrow integers row-major, without a
 * row's left-out run reported by i16_span; the rest per column). When the bytes held reach
 * row_group_bytes (or IOF_PQ_MAX_RG_ROWS rows) the row group is encoded and streamed to the
 * sink: memory is bounded by the row-group size, not by the number of rows. finish() writes
 * the footer; abort() just frees.
 *
 * File layout written: "PAR1", column chunks (optional dictionary page + v1 data pages, each
 * compressed independently: ZSTD frame with content size, raw SNAPPY block, or none; a chunk
 * that the codec does not shrink is stored UNCOMPRESSED), the FileMetaData (thrift compact), its
 * length, "PAR1". See docs/ARCHITECTURE.md and shared/spec/parquet-writer-notes.md.
 *
 * Mapping: nullable scalar -> OPTIONAL, else REQUIRED. BOOL -> BOOLEAN; INT8/INT16 -> INT32 +
 * INTEGER(8|16, signed) + INT_8|INT_16; INT32 -> INT32; INT64 -> INT64; TIMESTAMP_US -> INT64 +
 * TIMESTAMP(UTC, MICROS) + TIMESTAMP_MICROS; FLOAT64 -> DOUBLE (statistics by the floating-point
 * rules: NaN left out, zero min -0.0, zero max +0.0); STRING -> BYTE_ARRAY + STRING + UTF8 (invalid UTF-8
 * is replaced by U+FFFD, otherwise DuckDB and arrow-rs refuse the whole file); BINARY -> plain
 * BYTE_ARRAY. A list is the 3-level form
 *   <optional|required> group NAME (LIST) { repeated group list { required T element; } }
 * (optional when the column is nullable). Struct members (iof__column.member_at; consecutive,
 * as a schema keeps them) go inside one
 *   required group STRUCT { <each member as above, named without "STRUCT."> }
 * which adds no definition or repetition level (path_in_schema ["STRUCT", NAME, ...]).
 *
 * Errors: functions return 0 or a negative iof_err (IOF_E_NOMEM, IOF_E_OUTPUT from the sink,
 * IOF_E_INVAL for API misuse such as a null in a REQUIRED column); after an error the writer is
 * failed (every later call returns the same error) and must be aborted. Message: errmsg().
 */
#ifndef IOF_OUTPUT_PARQUET_PQ_WRITER_H
#define IOF_OUTPUT_PARQUET_PQ_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iotflow/iotflow.h"
#include "output/schema.h"
#include "output/writer.h"

#define IOF_PQ_DEFAULT_ROW_GROUP_BYTES (64u << 20) /* bounded memory; ~10k wide rows per group */
/* A writer's row-group cap: row_group_bytes as configured, 0 meaning the default. */
static inline uint64_t iof__pq_rg_bytes(uint64_t row_group_bytes)
{
    return row_group_bytes ? row_group_bytes : IOF_PQ_DEFAULT_ROW_GROUP_BYTES;
}
#define IOF_PQ_DEFAULT_PAGE_BYTES (1u << 20)       /* parquet-mr / arrow-rs page size */
#define IOF_PQ_DEFAULT_PAGE_ENTRIES 20000u         /* parquet-mr / arrow-rs row limit per page */
#define IOF_PQ_DEFAULT_DICT_BYTES (1u << 20)       /* dictionary page cap, then PLAIN */
#define IOF_PQ_MAX_RG_ROWS (1u << 20)              /* arrow's default max row-group length */
#define IOF_PQ_STAT_MAX_BYTES 64                   /* longer byte-array min/max are truncated */

/* Writes n bytes; returns 0 or a negative iof_err. */
typedef int (*iof__pq_sink_fn)(void *ctx, const void *p, size_t n);

/* What the writers of one run share:
 *  - the staging chunks (64 KiB, carved from 8 MiB regions): a block gives its chunks back as
 *    soon as they are read (its block of the row group being written has been gathered) and
 *    any writer's next rows take them, so a run holds the chunks its writers use at once, not
 *    the sum of what each ever used (pq_writer_int.h);
 *  - the written side: one row group of the run is written at a time, with the side's column
 *    buffers and scratch, which a writer takes when its row group is full (waiting while
 *    another writer's is written) and which are kept for the next (two writers: two row
 *    groups being filled and one written, not two and two; smallpkt's default run 424 -> 316
 *    MB peak RSS with the chunks above, bench/README.md 2026-12-07);
 *  - the budget of held bytes (0: none): the sum over the writers of the bytes their row
 *    groups being filled hold (counted as for row_group_bytes). A writer whose row ends with
 *    the sum over the budget closes its row group early, once that holds at least
 *    IOF_PQ_BUDGET_MIN_RG of it. The sum moves only with the rows written and the row groups
 *    closed, never with the flush threads' progress, so where a row group ends is the same
 *    from run to run. Why this rule and this default (bench/README.md, 2026-12-06 "run-wide
 *    budget"): the two writers of a default run (both variants) never reach 2 x 64 MiB
 *    together, so their files are unchanged; more writers filling at once (a day's files
 *    still open after midnight, wide and nested, sub-partitions: up to IOF_MAX_OPEN_FILES)
 *    share 128 MiB instead of holding 64 MiB each. A smaller default was measured and left
 *    out: 96 MiB took smallpkt's peak RSS from 428 to 412 MB for files 0.8 % larger, and the
 *    20-minute dense capture's from 277 to 259 MB for a bidirectional file 2.4 % larger (each
 *    row group cut costs dictionaries and ~3,000 footer entries). The budget bounds what is
 *    being filled; the sides being written and the buffers kept for reuse come on top.
 * Thread-safe. Free it after every writer that uses it is finished or aborted. */
#define IOF_PQ_RUN_BUDGET_BYTES ((uint64_t)128 << 20) /* a run's (the sink's) */
#define IOF_PQ_BUDGET_MIN_RG(budget) ((budget) / 8)    /* smallest row group the budget cuts */
typedef struct iof__pq_regions iof__pq_regions;
iof__pq_regions *iof__pq_regions_new(uint64_t budget); /* NULL: out of memory */
void iof__pq_regions_free(iof__pq_regions *p);
/* Staging chunks (64 KiB) carved from the run's regions so far, the most its writers' stages
 * held at once, and of those the ones free now (all of them once every writer is done). */
void iof__pq_regions_chunks(iof__pq_regions *p, size_t *carved, size_t *free_now);
/* The sink says its writers are finishing at once (iof__sink_close: two Parquet files completed
 * on two threads): a writer's last row group is then written with its own buffers while the
 * run's written side is taken or another writer is open, so the two finish side by side. Off
 * (the default): a last row group waits for the side like any other, as at a day's rollover or
 * an LRU close, where nothing runs beside it and a second writing scratch (some MB) would cost
 * memory for nothing. */
void iof__pq_regions_side_by_side(iof__pq_regions *p, bool on);
/* Whether the run's budget can cut a row group of two writers fed one after the other whose
 * row groups are cut at row_group_bytes (0: the default): not when there is none or it is at
 * least twice that (the default's). When it cannot, side_by_side may turn on while a writer is
 * being fed (the sink's close, before the helper's batches in flight are written): no cut
 * changes, so neither do the files. */
bool iof__pq_regions_cuts_two(const iof__pq_regions *p, uint64_t row_group_bytes);
/* The sink is completing its files, one Parquet file among them (iof__sink_close): that writer's
 * row groups written from then on are split over two threads when large (pq_flush.c); the
 * bytes do not change. */
void iof__pq_regions_closing(iof__pq_regions *p, bool on);
/* For tests: holds the run's written side as a row group being written holds it (waiting until
 * it is free), or gives it back. */
void iof__pq_regions_hold_side(iof__pq_regions *p, bool hold);

typedef struct iof__pq_writer_cfg {
    iof_codec codec;           /* IOF_CODEC_ZSTD (default 0), _SNAPPY, _NONE */
    int zstd_level;            /* 0 -> IOF_ZSTD_LEVEL_DEFAULT; IOF_ZSTD_LEVEL_MIN..MAX */
    uint64_t row_group_bytes;  /* 0 -> IOF_PQ_DEFAULT_ROW_GROUP_BYTES */
    uint32_t page_bytes;       /* 0 -> IOF_PQ_DEFAULT_PAGE_BYTES */
    uint32_t page_entries;     /* 0 -> IOF_PQ_DEFAULT_PAGE_ENTRIES */
    uint32_t dict_max_bytes;   /* 0 -> IOF_PQ_DEFAULT_DICT_BYTES */
    unsigned threads;          /* compressing threads (pq_lz pages): 0 -> up to 2, 1 -> the caller's */
    const iof__kv *kv;          /* key-value metadata, copied at open */
    size_t n_kv;
    const char *created_by;    /* NULL -> "iotflow version X.Y.Z (build <id|unknown>)" */
    iof__pq_regions *regions;  /* shared staging regions; NULL: the writer's own */
    iof__pq_sink_fn sink;      /* required */
    void *sink_ctx;
} iof__pq_writer_cfg;

typedef struct iof__pq_writer iof__pq_writer;

/* Declares the schema (cols is copied) and writes the leading "PAR1". */
int iof__pq_writer_open(iof__pq_writer **out, const iof__column *cols, size_t ncols,
                        const iof__pq_writer_cfg *cfg, char *err, size_t errlen);

int iof__pq_put_null(iof__pq_writer *w, size_t col);
int iof__pq_put_int(iof__pq_writer *w, size_t col, int64_t v);
int iof__pq_put_bytes(iof__pq_writer *w, size_t col, const void *p, uint32_t n);
int iof__pq_put_double(iof__pq_writer *w, size_t col, double v);
int iof__pq_put_list(iof__pq_writer *w, size_t col, uint32_t n);
int iof__pq_put_elem_int(iof__pq_writer *w, size_t col, int64_t v);
int iof__pq_put_elem_double(iof__pq_writer *w, size_t col, double v);
int iof__pq_put_elem_bytes(iof__pq_writer *w, size_t col, const void *p, uint32_t n);
/* Closes the row; may encode and write a row group. */
int iof__pq_end_row(iof__pq_writer *w);

/* Appends one row read through s->ops (s must describe the same columns as at open). */
int iof__pq_write_row(iof__pq_writer *w, const iof__schema *s, const void *row);

/* Column batch for a scalar column: n values (v[k].null marks nulls). Then end_rows(n). */
int iof__pq_put_column(iof__pq_writer *w, size_t col, const iof__value *v, size_t n);
int iof__pq_end_rows(iof__pq_writer *w, size_t n);

/* Flushes the last row group, writes the footer and frees w (also on error; the message is
 * then copied to err when err is not NULL). */
int iof__pq_writer_finish(iof__pq_writer *w, char *err, size_t errlen);
/* Frees w without writing anything more. NULL is a no-op. */
void iof__pq_writer_abort(iof__pq_writer *w);

const char *iof__pq_writer_errmsg(const iof__pq_writer *w);
uint64_t iof__pq_writer_rows(const iof__pq_writer *w);
/* Bytes handed to the sink so far. */
uint64_t iof__pq_writer_offset(const iof__pq_writer *w);
/* For tests: every row group is written in two ranges, the columns [col, ...) by a helper
 * thread (pq_flush.c), whenever col is a column where a split may start; 0: by the rule.
 * Returns how many row groups were split so far. */
uint32_t iof__pq_writer_test_split(iof__pq_writer *w, size_t col);
/* Test hook: the helper of a split row group fails (out of memory) when it takes its n-th chunk
 * (0: never). */
void iof__pq_writer_test_split_fail(iof__pq_writer *w, uint32_t n);
/* Bytes of memory holding the footer's RowGroup entries (the rest are in a temporary file:
 * pq_writer_int.h PQ_RGS_SPILL_BYTES); a writer with a flush thread: call once it is idle. */
uint64_t iof__pq_writer_footer_held(const iof__pq_writer *w);

#endif
