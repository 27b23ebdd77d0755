/* The escaping rule of names as text: see nametext.h. */
#include <string.h>

#include "common/nametext.h"
#include "common/utf8.h"

bool iof__name_escape(const uint8_t *p, size_t n, unsigned flags, char *out, size_t outlen, size_t *o)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = p[i];
        char tmp[4];
        size_t k, used = 1;
        const uint8_t *src = NULL;
        if (c == '\\' || (c == '.' && (flags & IOF_NAME_ESC_DOT))) {
            tmp[0] = '\\';
            tmp[1] = (char)c;
            k = 2;
        } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && (used = iof__utf8_len(p + i, n - i)) == 0)) {
            tmp[0] = '\\';
            tmp[1] = (char)('0' + c / 100);
            tmp[2] = (char)('0' + c / 10 % 10);
            tmp[3] = (char)('0' + c % 10);
            k = 4;
            used = 1;
        } else if (c < 0x80) {
            tmp[0] = (char)((flags & IOF_NAME_LOWER) && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            k = 1;
        } else {
            src = p + i; /* a whole UTF-8 sequence, as it is */
            k = used;
        }
        if (*o + k >= outlen)
            return false;
        memcpy(out + *o, src ? (const void *)src : (const void *)tmp, k);
        *o += k;
        i += used;
    }
    return true;
}

size_t iof__name_cut(const char *t, size_t n, size_t max)
{
    size_t at = 0;
    while (at < n) {
        size_t unit = 1;
        if (t[at] == '\\' && at + 1 < n)
            unit = t[at + 1] >= '0' && t[at + 1] <= '9' ? 4 : 2;
        else if ((unsigned char)t[at] >= 0x80)
            unit = iof__utf8_len((const uint8_t *)t + at, n - at);
        if (unit == 0)
            unit = 1; /* not escaped text: cut anywhere */
        if (at + unit > max || at + unit > n)
            break;
        at += unit;
    }
    return at;
}
