#include <string.h>

#include "common/rd.h"
#include "devices/text.h"
#include "common/utf8.h"

size_t iof__dev_text(char *dst, size_t cap, const uint8_t *src, size_t n)
{
    uint8_t in[IOF_DEV_TEXT_IN];
    if (n > sizeof in)
        n = sizeof in;
    iof__rd r = rd_init(src, n);
    rd_copy(&r, in, n);
    size_t o = 0;
    for (size_t i = 0; i < n && in[i] != 0;) {
        size_t l = iof__utf8_len(in + i, n - i);
        uint8_t one = 0; /* a replacement byte, or 0: the sequence is copied */
        if (l == 0) {
            one = '?';
            l = 1;
        } else if (l == 1 && (in[i] < 0x20 || in[i] == 0x7f || in[i] == ' ')) {
            one = ' ';
        }
        if (o + (one ? 1 : l) >= cap)
            break;
        if (one == ' ') {
            if (o > 0) /* leading blanks dropped */
                dst[o++] = ' ';
        } else if (one) {
            dst[o++] = (char)one;
        } else {
            memcpy(dst + o, in + i, l);
            o += l;
        }
        i += l;
    }
    while (o > 0 && dst[o - 1] == ' ')
        o--;
    if (cap)
        dst[o] = '\0';
    return o;
}
