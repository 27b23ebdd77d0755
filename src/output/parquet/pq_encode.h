/* Parquet value/level encodings shared by the writer and the reader (Encodings.md):
 *  - pq_buf: growable byte buffer with a sticky out-of-memory flag;
 *  - RLE/bit-packed hybrid (levels, dictionary indices) encoder and decoder;
 *  - constants of parquet.thrift (physical types, encodings, codecs, converted types);
 *  - UTF-8 validation (STRING columns must hold valid UTF-8 or DuckDB/arrow-rs reject the file).
 * Internal to src/output/parquet/.
 */
#ifndef IOF_OUTPUT_PARQUET_PQ_ENCODE_H
#define IOF_OUTPUT_PARQUET_PQ_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* parquet.thrift enums (values are wire values). */
enum { PQ_T_BOOLEAN = 0, PQ_T_INT32 = 1, PQ_T_INT64 = 2, PQ_T_INT96 = 3, PQ_T_FLOAT = 4,
       PQ_T_DOUBLE = 5, PQ_T_BYTE_ARRAY = 6, PQ_T_FLBA = 7 };
enum { PQ_REP_REQUIRED = 0, PQ_REP_OPTIONAL = 1, PQ_REP_REPEATED = 2 };
enum { PQ_ENC_PLAIN = 0, PQ_ENC_PLAIN_DICTIONARY = 2, PQ_ENC_RLE = 3, PQ_ENC_BIT_PACKED = 4,
       PQ_ENC_RLE_DICTIONARY = 8 };
enum { PQ_CODEC_UNCOMPRESSED = 0, PQ_CODEC_SNAPPY = 1, PQ_CODEC_GZIP = 2, PQ_CODEC_ZSTD = 6 };
enum { PQ_PAGE_DATA = 0, PQ_PAGE_INDEX = 1, PQ_PAGE_DICTIONARY = 2, PQ_PAGE_DATA_V2 = 3 };
enum { PQ_CT_UTF8 = 0, PQ_CT_LIST = 3, PQ_CT_TIMESTAMP_MILLIS = 9, PQ_CT_TIMESTAMP_MICROS = 10,
       PQ_CT_INT_8 = 15, PQ_CT_INT_16 = 16, PQ_CT_INT_32 = 17, PQ_CT_INT_64 = 18 };
/* LogicalType union field ids. */
enum { PQ_LT_STRING = 1, PQ_LT_MAP = 2, PQ_LT_LIST = 3, PQ_LT_TIMESTAMP = 8, PQ_LT_INTEGER = 10 };

/* ---- growable buffer ---------------------------------------------------------------- */
typedef struct pq_buf {
    uint8_t *p;
    size_t len, cap;
    bool oom; /* sticky: an allocation failed, contents are incomplete */
} pq_buf;

bool iof__pq_buf_grow(pq_buf *b, size_t extra); /* false (and oom set) on failure */
void iof__pq_buf_free(pq_buf *b);

static inline bool pq_buf_reserve(pq_buf *b, size_t extra)
{
    return (b->cap - b->len >= extra) ? true : iof__pq_buf_grow(b, extra);
}
static inline void pq_buf_put(pq_buf *b, const void *p, size_t n)
{
    if (n && pq_buf_reserve(b, n)) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
    }
}
static inline void pq_buf_u8(pq_buf *b, uint8_t v)
{
    if (pq_buf_reserve(b, 1))
        b->p[b->len++] = v;
}
static inline void pq_buf_le32(pq_buf *b, uint32_t v)
{
    if (pq_buf_reserve(b, 4)) {
        uint8_t *q = b->p + b->len;
        q[0] = (uint8_t)v; q[1] = (uint8_t)(v >> 8); q[2] = (uint8_t)(v >> 16); q[3] = (uint8_t)(v >> 24);
        b->len += 4;
    }
}
static inline void pq_buf_le64(pq_buf *b, uint64_t v)
{
    pq_buf_le32(b, (uint32_t)v);
    pq_buf_le32(b, (uint32_t)(v >> 32));
}
static inline void pq_buf_uvarint(pq_buf *b, uint64_t v)
{
    if (!pq_buf_reserve(b, 10))
        return;
    while (v >= 0x80) {
        b->p[b->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b->p[b->len++] = (uint8_t)v;
}
static inline uint32_t pq_rd_le32(const uint8_t *q)
{
    return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}
static inline uint64_t pq_rd_le64(const uint8_t *q)
{
    return (uint64_t)pq_rd_le32(q) | (uint64_t)pq_rd_le32(q + 4) << 32;
}

/* Bits needed to store values 0..maxv (0 for maxv == 0). */
static inline unsigned pq_bit_width(uint64_t maxv)
{
    unsigned w = 0;
    while (maxv) {
        w++;
        maxv >>= 1;
    }
    return w;
}

/* ---- RLE / bit-packed hybrid -------------------------------------------------------- */
/* Appends the hybrid encoding of n values (each < 2^width, width 0..32) to out, WITHOUT the
 * 4-byte length prefix of v1 level sections and without the bit-width byte of dictionary
 * indices (callers add those). Long runs (>= 8 equal values) become RLE runs; the rest is
 * bit-packed in groups of 8 (the final group zero-padded). */
void iof__pq_hybrid_encode_u8(pq_buf *out, const uint8_t *v, size_t n, unsigned width);
void iof__pq_hybrid_encode_u32(pq_buf *out, const uint32_t *v, size_t n, unsigned width);

/* The hybrid encoding (dictionary indices) of nr rows of a column: row r is stored when act[r]
 * is 1 (0 otherwise), the stored rows hold vals[0], vals[1], ... in order with index
 * map[vals[k] & kmask], every other row the index `fill`. Groups of 8 rows without a stored
 * one become RLE runs of the fill; the rest is bit-packed (one branch per group, not per row:
 * the payload-stream columns are long stretches of stored cells and of fill). width <= 16;
 * vals[n] (one past the last stored value) must be readable. skip8 (NULL: act is scanned) is
 * iof__pq_act_skip8() of act, made once for every column that shares act. Returns the number
 * of stored values read. */
size_t iof__pq_hybrid_encode_masked16(pq_buf *out, unsigned width, const uint8_t *act, size_t nr,
                                      const int16_t *vals, const int32_t *map, uint16_t kmask, uint32_t fill,
                                      const uint32_t *skip8);
/* skip8[g] for g <= nr / 8: how many whole groups of 8 rows, from rows [8g, 8g + 8) on, have
 * act all 0 (skip8[nr / 8] = 0). */
void iof__pq_act_skip8(const uint8_t *act, size_t nr, uint32_t *skip8);

/* Decodes exactly n values of `width` bits from [p, p+len) into out (uint32). Returns the number
 * of input bytes consumed, or -1 if the input is malformed/truncated or width > 32. */
long iof__pq_hybrid_decode(const uint8_t *p, size_t len, unsigned width, uint32_t *out, size_t n);

/* ---- misc --------------------------------------------------------------------------- */
/* True if [p, p+n) is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF). */
bool iof__pq_utf8_valid(const uint8_t *p, size_t n);
/* Appends p with every byte of an ill-formed sequence replaced by U+FFFD. */
void iof__pq_utf8_sanitize(pq_buf *out, const uint8_t *p, size_t n);

#endif
