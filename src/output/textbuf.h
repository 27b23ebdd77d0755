/* Small append buffer shared by the text writers (CSV, JSON Lines): fast integer and hex
 * formatting, JSON string escaping, RFC 4180 quoting. Capped (curl dynbuf idea). */
#ifndef IOF_OUTPUT_TEXTBUF_H
#define IOF_OUTPUT_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/utf8.h" /* iof__utf8_len, for the text writers */

#define IOF_MAX_TEXT_ROW (64u << 20) /* one CSV/JSON row; a wide row is ~20 KB */
#define IOF_FIXED_TEXT 352           /* longest iof__fmt_fixed text (-DBL_MAX, 9 decimals) */

typedef struct iof__tbuf {
    char *p;
    size_t len, cap;
    bool oom;                 /* sticky: an append failed (cap or malloc) */
} iof__tbuf;

/* The text of printf("%.*f", decimals, v) for 0 <= decimals <= 9, byte for byte, without
 * printf's cost (payloads and CSV cells are formatted per row): written at p (room for
 * IOF_FIXED_TEXT bytes), no NUL; returns the new end. */
char *iof__fmt_fixed(char *p, double v, int decimals);

/* The text of printf("%.*g", prec, v) for 1 <= prec <= 9, byte for byte: values whose %g is
 * fixed-point go through iof__fmt_fixed, the rest (exponents, carries, NaN) through snprintf.
 * Room for IOF_FIXED_TEXT bytes at p, no NUL; returns the new end. */
char *iof__fmt_g(char *p, double v, int prec);

/* An IP address (ipver 4: the first 4 bytes) as inet_ntop writes it, NUL-terminated; returns
 * its length. */
uint32_t iof__fmt_ip(uint8_t ipver, const uint8_t ip[16], char out[48]);

void iof__tb_free(iof__tbuf *b);
void iof__tb_reserve(iof__tbuf *b, size_t n);
static inline void iof__tb_putc(iof__tbuf *b, char c)
{
    if (b->len + 1 > b->cap)
        iof__tb_reserve(b, 1);
    if (!b->oom)
        b->p[b->len++] = c;
}
void iof__tb_put_slow(iof__tbuf *b, const void *s, size_t n);
/* inline when the bytes fit: a constant n becomes a few stores (Joy's JSON is ~40 keys and
 * ~50 packets[] entries a flow, each a few appends) */
static inline void iof__tb_put(iof__tbuf *b, const void *s, size_t n)
{
    if (n && !b->oom && n <= b->cap - b->len) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
        return;
    }
    iof__tb_put_slow(b, s, n);
}
/* inline: a literal's strlen is folded (Joy's keys, ~40 a flow: strlen 0.5 % of `-f joy`) */
static inline void iof__tb_puts(iof__tbuf *b, const char *s) { iof__tb_put(b, s, strlen(s)); }
void iof__tb_int(iof__tbuf *b, int64_t v);
/* v[0],v[1],...,v[n-1]: the values as iof__tb_int writes them, comma-separated, in one reserve
 * (Joy's byte_dist: 256 values a flow, through iof__tb_int 2 % of `-f joy`'s CPU). */
void iof__tb_u32_list(iof__tbuf *b, const uint32_t *v, size_t n);
/* v with `decimals` digits after the point, exactly as printf("%.*f", decimals, v) writes it
 * (0 <= decimals <= 9). */
void iof__tb_fixed(iof__tbuf *b, double v, int decimals);
/* v as printf("%.*g", prec, v) writes it (1 <= prec <= 9; iof__fmt_g). */
void iof__tb_g(iof__tbuf *b, double v, int prec);
void iof__tb_hex(iof__tbuf *b, const uint8_t *p, size_t n);
/* JSON string with quotes; invalid UTF-8 bytes become \ufffd. */
void iof__tb_json_str(iof__tbuf *b, const uint8_t *p, size_t n);
/* JSON object members ("key":value), preceded by a comma when `comma`: the stats JSON and Joy's
 * config line. A NULL string is null. */
void iof__tb_kv_str(iof__tbuf *b, const char *k, const char *v, bool comma);
void iof__tb_kv_u64(iof__tbuf *b, const char *k, uint64_t v, bool comma);
void iof__tb_kv_bool(iof__tbuf *b, const char *k, bool v, bool comma);
/* CSV field, quoted only when it holds , " CR LF or leading/trailing space. */
void iof__tb_csv_str(iof__tbuf *b, const uint8_t *p, size_t n);

#endif
