#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/schema.h"
#include "output/textbuf.h"

void iof__tb_free(iof__tbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

void iof__tb_reserve(iof__tbuf *b, size_t n)
{
    if (b->oom || b->len + n <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n)
        cap *= 2;
    if (cap > IOF_MAX_TEXT_ROW) {
        b->oom = true;
        return;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return;
    }
    b->p = p;
    b->cap = cap;
}

void iof__tb_put_slow(iof__tbuf *b, const void *s, size_t n)
{
    if (n == 0)
        return; /* an empty field of a fresh buffer: b->p is still NULL (NULL + 0 is undefined) */
    if (b->oom || n > b->cap - b->len) {
        iof__tb_reserve(b, n);
        if (b->oom)
            return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}


static const char digits2[201] = "0001020304050607080910111213141516171819"
                                  "2021222324252627282930313233343536373839"
                                  "4041424344454647484950515253545556575859"
                                  "6061626364656667686970717273747576777879"
                                  "8081828384858687888990919293949596979899";

/* u's decimal digits, written backwards so that they end at end; returns where they start. */
static char *dec_back(char *end, uint64_t u)
{
    while (u >= 100) {
        end -= 2;
        memcpy(end, digits2 + 2 * (u % 100), 2);
        u /= 100;
    }
    if (u >= 10) {
        end -= 2;
        memcpy(end, digits2 + 2 * u, 2);
    } else {
        *--end = (char)('0' + u);
    }
    return end;
}

void iof__tb_int(iof__tbuf *b, int64_t v)
{
    if (v >= -9 && v <= 999 && b->len + 4 <= b->cap) { /* payload bytes and markers: the common case */
        char *p = b->p + b->len;
        if (v < 0) {
            p[0] = '-';
            p[1] = (char)('0' - v);
            b->len += 2;
        } else if (v < 10) {
            p[0] = (char)('0' + v);
            b->len += 1;
        } else if (v < 100) {
            p[0] = (char)('0' + v / 10);
            p[1] = (char)('0' + v % 10);
            b->len += 2;
        } else {
            p[0] = (char)('0' + v / 100);
            p[1] = (char)('0' + v / 10 % 10);
            p[2] = (char)('0' + v % 10);
            b->len += 3;
        }
        return;
    }
    if (b->oom || b->cap - b->len < 20) {
        iof__tb_reserve(b, 20);
        if (b->oom)
            return;
    }
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    /* digits: from the bit length (log10(2) ~ 1233 / 4096), one less below that power of 10 */
    static const uint64_t pow10[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull,
        1000000ull, 10000000ull, 100000000ull, 1000000000ull, 10000000000ull, 100000000000ull,
        1000000000000ull, 10000000000000ull, 100000000000000ull, 1000000000000000ull,
        10000000000000000ull, 100000000000000000ull, 1000000000000000000ull,
        10000000000000000000ull};
    unsigned d = (unsigned)(64 - __builtin_clzll(u | 1)) * 1233u >> 12;
    size_t n = d + ((u | 1) >= pow10[d]) + (v < 0); /* (0 has one digit) */
    dec_back(b->p + b->len + n, u);
    if (v < 0)
        b->p[b->len] = '-';
    b->len += n;
}

void iof__tb_u32_list(iof__tbuf *b, const uint32_t *v, size_t n)
{
    iof__tb_reserve(b, n * 11); /* 10 digits and a comma each */
    if (b->oom || !n)
        return;
    char *p = b->p + b->len;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        uint32_t u = v[i];
        if (u < 10) {
            *p++ = (char)('0' + u);
        } else if (u < 100) {
            memcpy(p, digits2 + 2 * u, 2);
            p += 2;
        } else {
            char tmp[10], *end = tmp + sizeof(tmp), *q = dec_back(end, u);
            memcpy(p, q, (size_t)(end - q));
            p += end - q;
        }
    }
    b->len = (size_t)(p - b->p);
}

/* A value whose scaled fraction is within 1e-6 of a rounding tie (where the double product
 * might round differently from printf's exact decimal expansion), a large one, NaN or an
 * infinity goes through snprintf. */
char *iof__fmt_fixed(char *p, double v, int decimals)
{
    static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (decimals == IOF_DECIMALS_ROUNDTRIP) {
        int n = snprintf(p, IOF_FIXED_TEXT, "%.15g", v);
        if (strtod(p, NULL) != v)
            n = snprintf(p, IOF_FIXED_TEXT, "%.17g", v);
        return p + n;
    }
    if (decimals < 0 || decimals > 9)
        decimals = decimals < 0 ? 0 : 9;
    double a = fabs(v) * pow10[decimals], fl = floor(a);
    if (!(a < 1e9) || fabs(a - fl - 0.5) < 1e-6)
        return p + snprintf(p, IOF_FIXED_TEXT, "%.*f", decimals, v);
    uint64_t u = (uint64_t)fl + (a - fl > 0.5), div = (uint64_t)pow10[decimals];
    if (signbit(v))
        *p++ = '-';
    char tmp[20], *end = tmp + sizeof(tmp), *q = dec_back(end, u / div);
    memcpy(p, q, (size_t)(end - q));
    p += end - q;
    if (decimals)
        *p++ = '.';
    for (uint64_t m = div / 10; m; m /= 10)
        *p++ = (char)('0' + u % div / m % 10);
    return p;
}

void iof__tb_fixed(iof__tbuf *b, double v, int decimals)
{
    iof__tb_reserve(b, IOF_FIXED_TEXT);
    if (!b->oom)
        b->len += (size_t)(iof__fmt_fixed(b->p + b->len, v, decimals) - (b->p + b->len));
}

/* Why: wht's four "%.5g" a flow were snprintf's, __printf_fp 0.6 % of `-f joy`'s CPU (dense).
 * x is v's decimal exponent guessed from comparisons; the guess is kept only when the fixed text
 * with prec - 1 - x decimals has exactly prec significant digits, which is the case where %g
 * writes that text (then drops trailing zeros): any other case (a carry to the next power of
 * 10, a guess off at a power of 10 that a double cannot hold exactly) goes to snprintf. */
char *iof__fmt_g(char *p, double v, int prec)
{
    static const double p10[] = { 1e-4, 1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
    double a = fabs(v);
    if (prec >= 1 && prec <= 9 && a >= p10[0] && a < p10[4 + prec]) {
        int x = -4;
        while (x + 1 < prec && a >= p10[x + 5])
            x++;
        char t[IOF_FIXED_TEXT], *e = prec - 1 - x <= 9 ? iof__fmt_fixed(t, v, prec - 1 - x) : t;
        int sig = 0; /* (more than 9 decimals: none, so snprintf) */
        bool lead = true;
        for (const char *q = t; q < e; q++) {
            if (*q < '0' || *q > '9')
                continue;
            lead = lead && *q == '0';
            sig += !lead;
        }
        if (sig == prec) {
            if (memchr(t, '.', (size_t)(e - t))) {
                while (e[-1] == '0')
                    e--;
                if (e[-1] == '.')
                    e--;
            }
            memcpy(p, t, (size_t)(e - t));
            return p + (e - t);
        }
    }
    return p + snprintf(p, IOF_FIXED_TEXT, "%.*g", prec, v);
}

void iof__tb_g(iof__tbuf *b, double v, int prec)
{
    iof__tb_reserve(b, IOF_FIXED_TEXT);
    if (!b->oom)
        b->len += (size_t)(iof__fmt_g(b->p + b->len, v, prec) - (b->p + b->len));
}

void iof__tb_hex(iof__tbuf *b, const uint8_t *p, size_t n)
{
    iof__tb_reserve(b, n * 2);
    if (b->oom)
        return;
    b->len += iof__hex_encode(b->p + b->len, p, n);
}

void iof__tb_json_str(iof__tbuf *b, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    iof__tb_putc(b, '"');
    for (size_t i = 0; i < n;) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\') {
            iof__tb_putc(b, '\\');
            iof__tb_putc(b, (char)c);
            i++;
        } else if (c < 0x20) {
            char e[6] = { '\\', 'u', '0', '0', hx[c >> 4], hx[c & 15] };
            iof__tb_put(b, e, 6);
            i++;
        } else if (c < 0x80) {
            iof__tb_putc(b, (char)c);
            i++;
        } else {
            size_t l = iof__utf8_len(p + i, n - i);
            if (l) {
                iof__tb_put(b, p + i, l);
                i += l;
            } else {
                iof__tb_puts(b, "\\ufffd");
                i++;
            }
        }
    }
    iof__tb_putc(b, '"');
}

void iof__tb_csv_str(iof__tbuf *b, const uint8_t *p, size_t n)
{
    static const bool special[256] = {[','] = true, ['"'] = true, ['\n'] = true, ['\r'] = true};
    size_t k = 0; /* the first byte that needs quotes */
    while (k < n && !special[p[k]])
        k++;
    /* blanks at either end are quoted: a reader trims unquoted ones (common/csv.c: spaces, tabs) */
    bool quote = k < n || (n && (p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t'));
    if (!quote) {
        iof__tb_put(b, p, n);
        return;
    }
    iof__tb_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            iof__tb_putc(b, '"');
        iof__tb_putc(b, (char)p[i]);
    }
    iof__tb_putc(b, '"');
}

/* Dotted quad, as inet_ntop(AF_INET) writes it (which formats through sprintf: a record each). */
static uint32_t fmt_ipv4(const uint8_t ip[4], char *out)
{
    char *q = out;
    for (int i = 0; i < 4; i++) {
        unsigned v = ip[i];
        if (v >= 100)
            *q++ = (char)('0' + v / 100);
        if (v >= 10)
            *q++ = (char)('0' + v / 10 % 10);
        *q++ = (char)('0' + v % 10);
        *q++ = i < 3 ? '.' : '\0';
    }
    return (uint32_t)(q - out - 1);
}

/* An address as text, as inet_ntop writes it. Returns its length. */
uint32_t iof__fmt_ip(uint8_t ipver, const uint8_t ip[16], char out[48])
{
    if (ipver == 4)
        return fmt_ipv4(ip, out);
    if (!inet_ntop(AF_INET6, ip, out, 48))
        out[0] = '\0';
    return (uint32_t)strlen(out);
}

static void kv_key(iof__tbuf *b, const char *k, bool comma)
{
    if (comma)
        iof__tb_putc(b, ',');
    iof__tb_json_str(b, (const uint8_t *)k, strlen(k));
    iof__tb_putc(b, ':');
}

void iof__tb_kv_str(iof__tbuf *b, const char *k, const char *v, bool comma)
{
    kv_key(b, k, comma);
    if (v)
        iof__tb_json_str(b, (const uint8_t *)v, strlen(v));
    else
        iof__tb_puts(b, "null");
}

void iof__tb_kv_u64(iof__tbuf *b, const char *k, uint64_t v, bool comma)
{
    kv_key(b, k, comma);
    iof__tb_int(b, (int64_t)v);
}

void iof__tb_kv_bool(iof__tbuf *b, const char *k, bool v, bool comma)
{
    kv_key(b, k, comma);
    iof__tb_puts(b, v ? "true" : "false");
}
