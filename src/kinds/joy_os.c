/* Joy's probable_os: see joy_os.h. Joy 3.0.3 prints it for every flow (p2f.c
 * flow_record_print_json: its include_os is a constant 1, not a configuration key), after hd
 * and before idp, through osdetect.c os_printf / detect_os: a table of TTL ranges and initial
 * windows (from Tyagi et al., "Packet Inspection for Unauthorized OS Detection in
 * Enterprises", IEEE S&P magazine, table 1), the first matching row giving the name. */
#include <stddef.h>

#include "kinds/joy_os.h"

/* Joy's rows, in its order: the smallest TTL in [lo, hi] and exactly this window */
static const struct {
    uint8_t lo, hi;
    uint16_t window;
    const char *name;
} os_rows[] = {
    { 33, 64, 5840, "Linux 2.4 and 2.6" },
    { 33, 64, 5720, "Google Customized Linux" },
    { 33, 64, 16384, "OpenBSD, AIX 4.3" },
    { 33, 64, 32120, "Linux Kernel 2.2" },
    { 33, 64, 65535, "FreeBSD / OS X" },
    { 65, 128, 8192, "Windows 7, Vista, and Server 8" },
    { 65, 128, 16384, "Windows 2000" },
    { 65, 128, 65535, "Windows XP" },
    { 129, 255, 4128, "Cisco Router IOS 12.4" },
    { 129, 255, 8760, "Solaris 7" },
};

const char *iof__joy_os_name(uint8_t ttl, uint16_t window)
{
    for (size_t i = 0; i < sizeof(os_rows) / sizeof(os_rows[0]); i++)
        if (ttl >= os_rows[i].lo && ttl <= os_rows[i].hi && window == os_rows[i].window)
            return os_rows[i].name;
    return NULL;
}

void iof__joy_os_json(iof__tbuf *b, const iof__joyrec *out, const iof__joyrec *in)
{
    const char *o = iof__joy_os_name(out->ttl, out->first_win);
    /* Joy looks at the twin only when its TTL is not 0 (its "no twin" is a TTL of 0) */
    const char *i = in && in->ttl ? iof__joy_os_name(in->ttl, in->first_win) : NULL;
    if (!o && !i)
        return;
    iof__tb_puts(b, ",\"probable_os\":{");
    if (o) {
        iof__tb_puts(b, "\"out\":\"");
        iof__tb_puts(b, o);
        iof__tb_putc(b, '"');
    }
    if (i) {
        iof__tb_puts(b, o ? ",\"in\":\"" : "\"in\":\"");
        iof__tb_puts(b, i);
        iof__tb_putc(b, '"');
    }
    iof__tb_putc(b, '}');
}
