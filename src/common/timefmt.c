#include <stdio.h>
#include <time.h>

#include "common/timefmt.h"

void iof__utc_text(char *buf, size_t n, int64_t us, bool frac)
{
    int64_t s = us / 1000000, f = us % 1000000;
    if (f < 0) {
        s--;
        f += 1000000;
    }
    time_t t = (time_t)s;
    struct tm tm = { 0 };
    if (!gmtime_r(&t, &tm))
        tm.tm_year = -1900; /* out of range: year 0 rather than garbage */
    /* the moduli bound every field, so the text length is fixed */
    unsigned y = (unsigned)(tm.tm_year + 1900) % 10000u, mo = (unsigned)(tm.tm_mon + 1) % 100u,
             d = (unsigned)tm.tm_mday % 100u, h = (unsigned)tm.tm_hour % 100u,
             mi = (unsigned)tm.tm_min % 100u, se = (unsigned)tm.tm_sec % 100u;
    if (frac)
        snprintf(buf, n, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ", y, mo, d, h, mi, se, (unsigned)f);
    else
        snprintf(buf, n, "%04u-%02u-%02uT%02u:%02u:%02uZ", y, mo, d, h, mi, se);
}
