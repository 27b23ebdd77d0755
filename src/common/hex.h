/* Bytes as lowercase hex text: the one encoder the writers and feature modules share. */
#ifndef IOF_COMMON_HEX_H
#define IOF_COMMON_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes 2 * n hex digits of p[0..n) to out (no NUL); returns 2 * n. */
static inline size_t iof__hex_encode(char *out, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[p[i] >> 4];
        out[2 * i + 1] = hx[p[i] & 15];
    }
    return 2 * n;
}

#endif
