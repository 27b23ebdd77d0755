/* RLE/bit-packed hybrid, buffers and UTF-8 checks for the Parquet writer and reader. */
#include "output/parquet/pq_encode.h"

#include <stdlib.h>
#include <string.h>

bool iof__pq_buf_grow(pq_buf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->oom = true;
        return false;
    }
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void iof__pq_buf_free(pq_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

/* ---- hybrid encoder ----------------------------------------------------------------- */

static void emit_rle(pq_buf *out, uint32_t value, size_t run, unsigned width)
{
    pq_buf_uvarint(out, (uint64_t)run << 1);
    unsigned nbytes = (width + 7) / 8;
    for (unsigned k = 0; k < nbytes; k++)
        pq_buf_u8(out, (uint8_t)(value >> (8 * k)));
}

/* The encoder body is the same for both element types; a macro keeps the inner loops typed. */
#define PQ_HYBRID_ENCODER(NAME, T)                                                              \
    void NAME(pq_buf *out, const T *v, size_t n, unsigned width)                                \
    {                                                                                           \
        size_t i = 0;                                                                           \
        while (i < n) {                                                                         \
            size_t r = 1;                                                                       \
            while (i + r < n && v[i + r] == v[i])                                               \
                r++;                                                                            \
            if (r >= 8) {                                                                       \
                emit_rle(out, (uint32_t)v[i], r, width);                                        \
                i += r;                                                                         \
                continue;                                                                       \
            }                                                                                   \
            /* bit-packed groups of 8 until a run of >= 8 starts on a group boundary */         \
            size_t j = i;                                                                       \
            for (;;) {                                                                          \
                j += 8;                                                                         \
                if (j >= n)                                                                     \
                    break;                                                                      \
                if (j + 8 <= n) {                                                               \
                    size_t k = 1;                                                               \
                    while (k < 8 && v[j + k] == v[j])                                           \
                        k++;                                                                    \
                    if (k == 8)                                                                 \
                        break;                                                                  \
                }                                                                               \
            }                                                                                   \
            size_t groups = (j - i) / 8, end = j < n ? j : n;                                   \
            pq_buf_uvarint(out, (uint64_t)groups << 1 | 1);                                     \
            size_t nbytes = groups * width;                                                     \
            if (!pq_buf_reserve(out, nbytes + 8))                                               \
                return;                                                                         \
            uint8_t *q = out->p + out->len;                                                     \
            uint64_t acc = 0;                                                                   \
            unsigned bits = 0;                                                                  \
            for (size_t k = i; k < i + groups * 8; k++) {                                       \
                uint64_t x = k < end ? (uint64_t)v[k] : 0;                                      \
                acc |= x << bits;                                                               \
                bits += width;                                                                  \
                while (bits >= 8) {                                                             \
                    *q++ = (uint8_t)acc;                                                        \
                    acc >>= 8;                                                                  \
                    bits -= 8;                                                                  \
                }                                                                               \
            }                                                                                   \
            out->len += nbytes;                                                                 \
            i = end;                                                                            \
        }                                                                                       \
    }

PQ_HYBRID_ENCODER(iof__pq_hybrid_encode_u8, uint8_t)
PQ_HYBRID_ENCODER(iof__pq_hybrid_encode_u32, uint32_t)

/* ---- masked hybrid encoder ------------------------------------------------------------ */

/* Rows whose activity flags act[k..k+8) are all 0 (1): one unaligned load. */
#define ACT8_NONE 0ull
#define ACT8_ALL 0x0101010101010101ull
static inline uint64_t act8_load(const uint8_t *act)
{
    uint64_t m;
    memcpy(&m, act, 8);
    return m;
}

/* Bit-packs one group of 8 values of `width` bits (<= 16) at o: width bytes (16 written). */
static inline uint8_t *pack8(uint8_t *o, const uint32_t *q, unsigned width)
{
    uint64_t lo = 0, hi = 0;
    unsigned bit = 0;
    for (unsigned k = 0; k < 8; k++, bit += width) {
        const uint64_t v = q[k];
        if (bit < 64) {
            lo |= v << bit;
            if (bit + width > 64)
                hi |= v >> (64 - bit);
        } else {
            hi |= v << (bit - 64);
        }
    }
    memcpy(o, &lo, 8);
    memcpy(o + 8, &hi, 8);
    return o + width;
}

static inline uint8_t *put_rle(uint8_t *o, uint32_t value, uint64_t run, unsigned width)
{
    for (uint64_t h = run << 1; ; h >>= 7) {
        if (h < 0x80) {
            *o++ = (uint8_t)h;
            break;
        }
        *o++ = (uint8_t)(h | 0x80);
    }
    for (unsigned b = 0; b < (width + 7) / 8; b++)
        *o++ = (uint8_t)(value >> (8 * b));
    return o;
}

#define SECTION_GROUPS 63 /* groups per bit-packed section: its header is one byte */

/* The encoder for one width: inlined per width by the dispatch below, so that pack8() is
 * straight-line code. Writes straight into out (room reserved for the worst case: every group
 * its own section or run); a section's one-byte header is filled in when it closes. */
static inline __attribute__((always_inline)) size_t masked_body(pq_buf *out, const unsigned width,
                                                                const uint8_t *act, size_t nr,
                                                                const int16_t *vals, const int32_t *map,
                                                                uint16_t kmask, uint32_t fill,
                                                                const uint32_t *skip8)
{
#define IDX(x) ((uint32_t)map[(uint16_t)((uint16_t)(x) & kmask)])
    if (!pq_buf_reserve(out, (nr / 8 + 2) * (width + 12) + 16))
        return 0;
    uint8_t *o = out->p + out->len, *hdr = NULL;
    unsigned ng = 0;
    size_t vi = 0, r = 0;
    while (r < nr) {
        const size_t g = nr - r < 8 ? nr - r : 8;
        const uint64_t m = g == 8 ? act8_load(act + r) : ~ACT8_NONE;
        if (m == ACT8_NONE) { /* inactive groups: one RLE run of the fill (with an inactive tail) */
            size_t e = r + 8;
            if (skip8) {
                e = r + 8 * (size_t)skip8[r / 8];
                if (e > nr - nr % 8)
                    e = nr - nr % 8;
            } else {
                while (nr - e >= 8 && act8_load(act + e) == ACT8_NONE)
                    e += 8;
            }
            size_t t = e;
            while (t < nr && !act[t])
                t++;
            if (t == nr)
                e = nr;
            if (hdr) {
                *hdr = (uint8_t)(ng << 1 | 1);
                hdr = NULL;
            }
            o = put_rle(o, fill, e - r, width);
            r = e;
            continue;
        }
        uint32_t q[8];
        if (m == ACT8_ALL) {
            for (size_t b = 0; b < 8; b++)
                q[b] = IDX(vals[vi + b]);
            vi += 8;
        } else {
            for (size_t b = 0; b < 8; b++) { /* no branch per row: vals[vi] is readable */
                uint32_t a = b < g ? act[r + b] : 0, x = IDX(vals[vi]);
                q[b] = a ? x : b < g ? fill : 0;
                vi += a;
            }
        }
        if (!hdr) {
            hdr = o++;
            ng = 0;
        }
        o = pack8(o, q, width);
        r += g;
        if (++ng == SECTION_GROUPS) {
            *hdr = (uint8_t)(ng << 1 | 1);
            hdr = NULL;
        }
    }
    if (hdr)
        *hdr = (uint8_t)(ng << 1 | 1);
    out->len = (size_t)(o - out->p);
    return vi;
#undef IDX
}

void iof__pq_act_skip8(const uint8_t *act, size_t nr, uint32_t *skip8)
{
    size_t g = nr / 8;
    skip8[g] = 0;
    while (g-- > 0)
        skip8[g] = act8_load(act + 8 * g) == ACT8_NONE ? skip8[g + 1] + 1 : 0;
}

size_t iof__pq_hybrid_encode_masked16(pq_buf *out, unsigned width, const uint8_t *act, size_t nr,
                                      const int16_t *vals, const int32_t *map, uint16_t kmask, uint32_t fill,
                                      const uint32_t *skip8)
{
    switch (width) {
#define W(n) case n: return masked_body(out, n, act, nr, vals, map, kmask, fill, skip8);
    W(0) W(1) W(2) W(3) W(4) W(5) W(6) W(7) W(8) W(9) W(10) W(11) W(12) W(13) W(14) W(15) W(16)
#undef W
    default:
        out->oom = true; /* indices of a 16-bit column never need more */
        return 0;
    }
}

/* ---- hybrid decoder ----------------------------------------------------------------- */

long iof__pq_hybrid_decode(const uint8_t *p, size_t len, unsigned width, uint32_t *out, size_t n)
{
    if (width > 32)
        return -1;
    size_t pos = 0, got = 0;
    uint32_t mask = width == 32 ? UINT32_MAX : ((uint32_t)1 << width) - 1;
    while (got < n) {
        uint64_t h = 0;
        unsigned shift = 0;
        for (;;) {
            if (pos >= len || shift > 63)
                return -1;
            uint8_t c = p[pos++];
            h |= (uint64_t)(c & 0x7f) << shift;
            shift += 7;
            if (!(c & 0x80))
                break;
        }
        if (h & 1) {
            uint64_t groups = h >> 1;
            if (groups > (uint64_t)1 << 40)
                return -1;
            uint64_t count = groups * 8;
            size_t take = count < n - got ? (size_t)count : n - got;
            uint64_t need = (uint64_t)((take * width + 7) / 8);
            if (need > len - pos)
                return -1;
            uint64_t acc = 0;
            unsigned bits = 0;
            const uint8_t *q = p + pos;
            for (size_t k = 0; k < take; k++) {
                while (bits < width) {
                    acc |= (uint64_t)*q++ << bits;
                    bits += 8;
                }
                out[got++] = (uint32_t)acc & mask;
                acc = width == 32 ? acc >> 32 : acc >> width;
                bits -= width;
            }
            uint64_t full = groups * width;
            pos += full < len - pos ? (size_t)full : len - pos;
        } else {
            uint64_t run = h >> 1;
            unsigned nbytes = (width + 7) / 8;
            if (nbytes > len - pos)
                return -1;
            uint32_t val = 0;
            for (unsigned k = 0; k < nbytes; k++)
                val |= (uint32_t)p[pos + k] << (8 * k);
            pos += nbytes;
            if (val & ~mask)
                return -1;
            size_t take = run < n - got ? (size_t)run : n - got;
            for (size_t k = 0; k < take; k++)
                out[got++] = val;
        }
    }
    return (long)pos;
}

/* ---- UTF-8 -------------------------------------------------------------------------- */

/* Length of the well-formed sequence at p (1..4), or 0 if ill-formed (Unicode Table 3-7). */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (p[2] & 0xC0) != 0x80)
            return 0;
        uint8_t lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return p[1] >= lo && p[1] <= hi ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        uint8_t lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return p[1] >= lo && p[1] <= hi ? 4 : 0;
    }
    return 0;
}

bool iof__pq_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(p + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

void iof__pq_utf8_sanitize(pq_buf *out, const uint8_t *p, size_t n)
{
    static const uint8_t repl[3] = {0xEF, 0xBF, 0xBD};
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_seq(p + i, n - i);
        if (k) {
            pq_buf_put(out, p + i, k);
            i += k;
        } else {
            pq_buf_put(out, repl, 3);
            i++;
        }
    }
}
