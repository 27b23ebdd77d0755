/* RLE/bit-packed hybrid, buffers and UTF-8 checks for the Parquet writer and reader. */
#include "output/parquet/pq_encode.h"

#include <stdlib.h>

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

/* ---- sparse hybrid encoder ------------------------------------------------------------ */

/* Bit-packs pend[0, np) (np a multiple of 8, or the final group padded here) as one section. */
static void hyb_section(pq_buf *out, unsigned width, uint32_t *pend, size_t np)
{
    size_t groups = (np + 7) / 8;
    if (!groups)
        return;
    while (np < groups * 8)
        pend[np++] = 0;
    pq_buf_uvarint(out, (uint64_t)groups << 1 | 1);
    size_t nbytes = groups * width;
    if (!pq_buf_reserve(out, nbytes + 8))
        return;
    uint8_t *q = out->p + out->len;
    if (width == 8) {
        for (size_t k = 0; k < np; k++)
            q[k] = (uint8_t)pend[k];
    } else {
        uint64_t acc = 0;
        unsigned bits = 0;
        for (size_t k = 0; k < np; k++) {
            acc |= (uint64_t)pend[k] << bits;
            bits += width;
            if (bits >= 32) { /* width <= 32: at most 63 bits pending */
                memcpy(q, &acc, 4);
                q += 4;
                acc >>= 32;
                bits -= 32;
            }
        }
        while (bits > 0) {
            *q++ = (uint8_t)acc;
            acc >>= 8;
            bits = bits > 8 ? bits - 8 : 0;
        }
    }
    out->len += nbytes;
}

/* Encodes the run (v, n) after np pending values; returns the new np. */
static size_t sparse_commit(pq_buf *out, unsigned width, uint32_t *pend, size_t np, uint32_t v, uint64_t n)
{
    while (np % 8 && n) { /* complete the open group */
        pend[np++] = v;
        n--;
    }
    if (np == PQ_HYB_PEND) {
        hyb_section(out, width, pend, np);
        np = 0;
    }
    if (n >= 8) {
        hyb_section(out, width, pend, np);
        np = 0;
        while (n) {
            uint64_t run = n > INT32_MAX ? INT32_MAX : n;
            emit_rle(out, v, (size_t)run, width);
            n -= run;
        }
        return 0;
    }
    while (n--) {
        pend[np++] = v;
        if (np == PQ_HYB_PEND) {
            hyb_section(out, width, pend, np);
            np = 0;
        }
    }
    return np;
}

/* Flushes the whole groups of pend when it is nearly full, keeping the open group. */
static size_t pend_spill(pq_buf *out, unsigned width, uint32_t *pend, size_t np)
{
    size_t whole = np & ~(size_t)7;
    hyb_section(out, width, pend, whole);
    for (size_t k = whole; k < np; k++)
        pend[k - whole] = pend[k];
    return np - whole;
}

/* The sparse encoder's body, for stored values given as indices or as int16 values mapped
 * through a dictionary table. */
#define PQ_SPARSE_ENCODER_BODY(VALUE)                                                           \
    uint32_t pend[PQ_HYB_PEND + 16];                                                            \
    size_t np = 0;                                                                              \
    uint32_t rv = fill;                                                                         \
    uint64_t rn = 0, next = r0;                                                                 \
    for (size_t i = 0;; i++) {                                                                  \
        uint64_t r = i < n ? rows[i] : r1; /* r1: the rows after the last stored one */         \
        if (r != next) { /* rows [next, r) hold the fill */                                     \
            if (rv != fill) {                                                                   \
                np = run_end(out, width, pend, np, rv, rn);                                     \
                rv = fill;                                                                      \
                rn = 0;                                                                         \
            }                                                                                   \
            rn += r - next;                                                                     \
        }                                                                                       \
        if (i == n)                                                                             \
            break;                                                                              \
        uint32_t v = (VALUE);                                                                   \
        if (v != rv) {                                                                          \
            np = run_end(out, width, pend, np, rv, rn);                                         \
            rv = v;                                                                             \
            rn = 0;                                                                             \
        }                                                                                       \
        rn++;                                                                                   \
        next = r + 1;                                                                           \
    }                                                                                           \
    np = run_end(out, width, pend, np, rv, rn);                                                 \
    hyb_section(out, width, pend, np);

/* Ends the run (v, n): a short one is stored as is (one store, or 8 for 2..7 copies: no
 * data-dependent loop; pend has spare slots), a long one through sparse_commit(). Returns the
 * new number of pending values. */
static inline size_t run_end(pq_buf *out, unsigned width, uint32_t *pend, size_t np, uint32_t v, uint64_t n)
{
    if (n >= 8)
        return sparse_commit(out, width, pend, np, v, n);
    uint32_t *q = pend + np;
    q[0] = v;
    if (n > 1)
        q[1] = q[2] = q[3] = q[4] = q[5] = q[6] = q[7] = v;
    np += (size_t)n;
    return np >= PQ_HYB_PEND - 8 ? pend_spill(out, width, pend, np) : np;
}

void iof__pq_hybrid_encode_sparse(pq_buf *out, unsigned width, const uint32_t *rows, const uint32_t *vals,
                                  size_t n, uint64_t r0, uint64_t r1, uint32_t fill)
{
    PQ_SPARSE_ENCODER_BODY(vals[i])
}

void iof__pq_hybrid_encode_sparse16(pq_buf *out, unsigned width, const uint32_t *rows, const int16_t *vals,
                                    const int32_t *map, uint16_t kmask, size_t n, uint64_t r0, uint64_t r1,
                                    uint32_t fill)
{
    PQ_SPARSE_ENCODER_BODY((uint32_t)map[(uint16_t)((uint16_t)vals[i] & kmask)])
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
