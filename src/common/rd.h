/* Bounded reader: THE way to read untrusted bytes (packet data, capture file records).
 *
 * A cursor {p, end, err}. Every read checks availability against `end`; reading past the end
 * returns 0 (or NULL for byte ranges), leaves the cursor unchanged and sets the sticky `err`
 * flag, so a header parse is a straight run of reads followed by one `if (r.err)` check.
 * Lengths are compared as `n > (size_t)(end - p)`, never `p + n > end` (pointer overflow is UB).
 * Multi-byte values are assembled byte-wise: no alignment or aliasing assumptions.
 * (Idea from tcpdump extract.h GET_* / ND_TTEST_LEN, with a sticky flag instead of longjmp.)
 */
#ifndef IOF_COMMON_RD_H
#define IOF_COMMON_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct iof__rd {
    const uint8_t *p;   /* next byte to read */
    const uint8_t *end; /* one past the last readable byte */
    bool err;           /* sticky: set by the first read that ran past `end` */
} iof__rd;

static inline iof__rd rd_init(const uint8_t *p, size_t n)
{
    iof__rd r = { p, p + n, false };
    return r;
}

/* rd_init of a range that may be absent (p NULL, n 0: an empty reader; rd_init(NULL, 0) would
 * compute NULL + 0, undefined) */
static inline iof__rd rd_init_opt(const uint8_t *p, size_t n)
{
    static const uint8_t none[1];
    return p ? rd_init(p, n) : rd_init(none, 0);
}

static inline size_t rd_left(const iof__rd *r) { return (size_t)(r->end - r->p); }

static inline bool rd_has(const iof__rd *r, size_t n) { return n <= (size_t)(r->end - r->p); }

/* Offset of the cursor from `base` (the start of the buffer the reader was made from). */
static inline size_t rd_pos(const iof__rd *r, const uint8_t *base) { return (size_t)(r->p - base); }

static inline uint8_t rd_u8(iof__rd *r)
{
    if (!rd_has(r, 1)) { r->err = true; return 0; }
    return *r->p++;
}

static inline uint16_t rd_be16(iof__rd *r)
{
    if (!rd_has(r, 2)) { r->err = true; return 0; }
    uint16_t v = (uint16_t)((uint16_t)r->p[0] << 8 | r->p[1]);
    r->p += 2;
    return v;
}

static inline uint16_t rd_le16(iof__rd *r)
{
    if (!rd_has(r, 2)) { r->err = true; return 0; }
    uint16_t v = (uint16_t)((uint16_t)r->p[1] << 8 | r->p[0]);
    r->p += 2;
    return v;
}

static inline uint32_t rd_be32(iof__rd *r)
{
    if (!rd_has(r, 4)) { r->err = true; return 0; }
    uint32_t v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
    r->p += 4;
    return v;
}

static inline uint32_t rd_le32(iof__rd *r)
{
    if (!rd_has(r, 4)) { r->err = true; return 0; }
    uint32_t v = (uint32_t)r->p[3] << 24 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[1] << 8 | r->p[0];
    r->p += 4;
    return v;
}

static inline uint64_t rd_be64(iof__rd *r)
{
    uint64_t hi = rd_be32(r);
    uint64_t lo = rd_be32(r);
    return r->err ? 0 : (hi << 32 | lo);
}

static inline uint64_t rd_le64(iof__rd *r)
{
    uint64_t lo = rd_le32(r);
    uint64_t hi = rd_le32(r);
    return r->err ? 0 : (hi << 32 | lo);
}

/* Returns a pointer to the next n bytes and advances, or NULL (err set) if fewer remain. */
static inline const uint8_t *rd_bytes(iof__rd *r, size_t n)
{
    if (!rd_has(r, n)) { r->err = true; return NULL; }
    const uint8_t *q = r->p;
    r->p += n;
    return q;
}

static inline void rd_skip(iof__rd *r, size_t n)
{
    if (!rd_has(r, n)) { r->err = true; return; }
    r->p += n;
}

/* Copies n bytes into dst (dst zero-filled on failure). */
static inline void rd_copy(iof__rd *r, void *dst, size_t n)
{
    const uint8_t *q = rd_bytes(r, n);
    uint8_t *d = (uint8_t *)dst;
    for (size_t i = 0; i < n; i++)
        d[i] = q ? q[i] : 0;
}

/* A sub-reader over the next n bytes; the parent advances past them. If fewer than n bytes
 * remain, the parent's err is set and the sub-reader covers what is left (its err is set
 * too, so a caller that ignores the parent still sees the shortfall). */
static inline iof__rd rd_sub(iof__rd *r, size_t n)
{
    iof__rd s;
    if (!rd_has(r, n)) {
        s = rd_init(r->p, rd_left(r));
        s.err = true;
        r->err = true;
        r->p = r->end;
        return s;
    }
    s = rd_init(r->p, n);
    r->p += n;
    return s;
}

/* Byte at offset `off` from the cursor without advancing; 0 and err if out of range. */
static inline uint8_t rd_peek_u8(iof__rd *r, size_t off)
{
    if (!rd_has(r, off + 1) || off + 1 == 0) { r->err = true; return 0; }
    return r->p[off];
}

#endif
