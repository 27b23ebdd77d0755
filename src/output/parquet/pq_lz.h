/* zstd frames for PLAIN pages of byte-sized integers, from an LZ parse of our own.
 *
 * A wide custom-flow column (C_k: INT16 stored as PLAIN INT32) holds -1 fill and payload bytes
 * 0..255: four bytes per value, one of them information, three of them 00 00 00 / ff ff ff.
 * zstd's fast levels only take matches of 4+ bytes, so they code such a page at ~1.5 bytes per
 * value; a dictionary costs a ~400-byte page of ~256 values per column, the fixed cost that makes
 * a file of a few thousand rows in 3,041 columns larger than its gzip'ed CSV. zstd's optimal
 * parser finds the 3-byte matches (one literal + one repeat-offset match per value, close to
 * the entropy of the bytes) but needs ~400 us per 10 KB page. We know the page's shape, so the
 * parse is done here, greedily and a value at a time (runs of equal values, periodic runs at an
 * older repeat offset, else a literal low byte and its upper bytes matched at the value before,
 * at the low byte itself for 0 / -1, or at the last value with the same upper bytes), and
 * libzstd entropy-codes our sequences (ZSTD_compressSequences): the result is an ordinary zstd
 * frame that every Parquet reader decodes.
 *
 * ZSTD_compressSequences and ZSTD_c_searchForExternalRepcodes are libzstd's experimental API
 * (stable in practice since 1.5.4, Debian 12's version, but not promised): iof__pq_lz_new()
 * returns NULL unless the library at run time has the major.minor version this file was
 * compiled against, and the writer then keeps to dictionary pages (docs/ARCHITECTURE.md).
 * Internal to src/output/parquet/.
 */
#ifndef IOF_OUTPUT_PARQUET_PQ_LZ_H
#define IOF_OUTPUT_PARQUET_PQ_LZ_H

#include <stddef.h>
#include <stdint.h>

#include "output/parquet/pq_encode.h"

/* Largest page handled: one zstd block (128 KiB) of INT32 values. */
#define IOF_PQ_LZ_MAX_VALUES 32768u

typedef struct iof__pq_lz iof__pq_lz;
typedef struct iof__pq_lz_pool iof__pq_lz_pool;

/* One page for iof__pq_lz_pool_run(): n values at plain (n == 0: nothing to do); clen is set
 * to the size of the frame left in out, 0 when declined. */
typedef struct iof__pq_lz_page {
    const uint8_t *plain;
    size_t n, clen;
    pq_buf out;
} iof__pq_lz_page;

/* NULL when the run-time libzstd lacks the API (or out of memory): no LZ pages then. */
iof__pq_lz *iof__pq_lz_new(int level);
void iof__pq_lz_free(iof__pq_lz *lz);

/* Compresses n (1..IOF_PQ_LZ_MAX_VALUES) little-endian INT32 values at plain into out
 * (replacing its contents) as one zstd frame. Returns the frame's size, or 0 when libzstd
 * refused the sequences or memory ran out: the caller then encodes the page another way. */
size_t iof__pq_lz_compress(iof__pq_lz *lz, const uint8_t *plain, size_t n, pq_buf *out);

/* Compresses many pages, spread over `threads` threads (the caller's and threads - 1 helpers,
 * started on first use; 0 means up to 2, as CPUs allow; 1 keeps to the caller's thread). The
 * result does not depend on the number of threads. NULL as iof__pq_lz_new(). */
iof__pq_lz_pool *iof__pq_lz_pool_new(int level, unsigned threads);
void iof__pq_lz_pool_free(iof__pq_lz_pool *pool);
void iof__pq_lz_pool_run(iof__pq_lz_pool *pool, iof__pq_lz_page *pages, size_t n);

#endif
