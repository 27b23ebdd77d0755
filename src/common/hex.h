/* Hex text: the one encoder the writers and feature modules share, and the one digit parser
 * (MACs, OUIs, sensor ids, JSON escapes, reverse DNS names). */
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

/* Value of a hex digit (either case), or -1. */
static inline int iof__hex_digit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

#endif
