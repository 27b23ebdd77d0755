/* Reader for the Parquet files iotflow writes (iotflow stats, fuse, relabelling, tests).
 *
 * Supports what pq_writer.c produces, and the same shapes from other writers: flat
 * REQUIRED/OPTIONAL columns and 3-level LIST columns (optional or required group, repeated
 * group, REQUIRED element), at the top level or as members of a top-level REQUIRED group (a
 * struct, one level: the schema's column is then "struct.member", iof__column.member_at); physical types BOOLEAN, INT32, INT64, DOUBLE, BYTE_ARRAY; v1 data pages in
 * PLAIN, RLE_DICTIONARY or PLAIN_DICTIONARY with a PLAIN dictionary page; codecs
 * UNCOMPRESSED, SNAPPY, ZSTD. Anything else is refused with IOF_E_UNSUPPORTED at open (schema)
 * or at the row group that uses it (pages). All input is treated as untrusted: offsets, sizes
 * and counts are bounds-checked; a damaged file yields IOF_E_FORMAT, never a crash.
 *
 * Memory: the file is mapped (or borrowed, open_mem); one row group is decoded at a time, so
 * memory is bounded by the largest row group, not by the file. A reader that needs a few
 * columns of a wide file selects them (iof__pq_reader_select): the others are never decoded.
 *
 * Usage:
 *   iof__pq_reader *r;
 *   if (iof__pq_reader_open(&r, path, err, sizeof err) < 0) ...;
 *   const iof__schema *s = iof__pq_reader_schema(r);   // names, iof__vtype, nullable, list
 *   while ((rc = iof__pq_reader_next(r)) > 0)
 *       for (size_t c = 0; c < s->n; c++) { uint32_t n = iof__pq_reader_count(r, c); ...
 *           iof__pq_reader_get(r, c, k, &v); }       // or iof__schema_get(s, r, c, k, &v)
 *   if (rc < 0) ... iof__pq_reader_errmsg(r);
 *   iof__pq_reader_close(r);
 * The schema's row accessor reads the current row: pass the reader itself as `row`
 * (e.g. to re-write rows with another writer: writer->write(w, r)).
 * Values (iof__value.p) are borrowed until the next call to next() or close().
 */
#ifndef IOF_OUTPUT_PARQUET_PQ_READER_H
#define IOF_OUTPUT_PARQUET_PQ_READER_H

#include <stddef.h>
#include <stdint.h>

#include "iotflow/iotflow.h"
#include "output/schema.h"

typedef struct iof__pq_reader iof__pq_reader;

/* Opens a file (mapped read-only). Returns 0, IOF_E_IO (cannot open/read), IOF_E_FORMAT (not
 * Parquet or a damaged footer), IOF_E_UNSUPPORTED (schema shape), IOF_E_NOMEM; msg in err. */
int iof__pq_reader_open(iof__pq_reader **out, const char *path, char *err, size_t errlen);
/* Same over a buffer the caller keeps alive until close. */
int iof__pq_reader_open_mem(iof__pq_reader **out, const void *buf, size_t len, char *err, size_t errlen);
void iof__pq_reader_close(iof__pq_reader *r); /* NULL is a no-op */

/* The columns (leaves and lists; struct members by their full names); ops read the current row with row = the reader. Valid until close. */
const iof__schema *iof__pq_reader_schema(const iof__pq_reader *r);
uint64_t iof__pq_reader_nrows(const iof__pq_reader *r);
size_t iof__pq_reader_nrowgroups(const iof__pq_reader *r);
/* Key-value metadata value for key, or NULL. created_by or "" when absent. */
const char *iof__pq_reader_kv(const iof__pq_reader *r, const char *key);
const char *iof__pq_reader_created_by(const iof__pq_reader *r);
/* All key-value pairs, in file order (a rewrite keeps them): i < iof__pq_reader_nkv(r). */
size_t iof__pq_reader_nkv(const iof__pq_reader *r);
void iof__pq_reader_kv_at(const iof__pq_reader *r, size_t i, const char **key, const char **value);

/* Decodes only columns cols[0..n) (before the first next()); the others read as null (count
 * UINT32_MAX for lists). Returns 0 or IOF_E_INVAL. */
int iof__pq_reader_select(iof__pq_reader *r, const size_t *cols, size_t n);

/* Advances to the next row: 1 = a row is current, 0 = end, < 0 = error (errmsg). */
int iof__pq_reader_next(iof__pq_reader *r);
/* Scalar: value (k ignored). List: element k < count. */
void iof__pq_reader_get(const iof__pq_reader *r, size_t col, uint32_t k, iof__value *v);
/* List: element count, UINT32_MAX for a null list. Scalar: 1. */
uint32_t iof__pq_reader_count(const iof__pq_reader *r, size_t col);
const char *iof__pq_reader_errmsg(const iof__pq_reader *r);

#endif
