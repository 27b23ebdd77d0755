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

static bool digits(const char *s, size_t n, size_t at, size_t k, int *v)
{
    if (at > n || k > n - at)
        return false;
    int x = 0;
    for (size_t i = 0; i < k; i++) {
        char c = s[at + i];
        if (c < '0' || c > '9')
            return false;
        x = x * 10 + (c - '0');
    }
    *v = x;
    return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; the civil-from-days inverse). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : md[m - 1];
}

/* ".f{1,9}" at *at: nanoseconds; false for a dot without digits or more than 9 digits */
static bool frac_ns(const char *s, size_t n, size_t *at, int64_t *frac)
{
    *frac = 0;
    if (*at >= n || s[*at] != '.')
        return true;
    size_t k = 0;
    int64_t scale = 100000000;
    for ((*at)++; *at < n && s[*at] >= '0' && s[*at] <= '9'; (*at)++) {
        if (++k > 9)
            return false;
        *frac += (s[*at] - '0') * scale;
        scale /= 10;
    }
    return k > 0;
}

iof__time_parse_rc iof__time_parse_iso(const char *s, size_t n, int64_t *ns)
{
    int y, mo, d, h, mi, se = 0;
    if (!digits(s, n, 0, 4, &y) || n < 16 || s[4] != '-' || !digits(s, n, 5, 2, &mo) || s[7] != '-' ||
        !digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, n, 11, 2, &h) ||
        s[13] != ':' || !digits(s, n, 14, 2, &mi))
        return IOF_TIME_SYNTAX;
    size_t at = 16;
    int64_t frac = 0;
    if (at < n && s[at] == ':') {
        if (!digits(s, n, at + 1, 2, &se))
            return IOF_TIME_SYNTAX;
        at += 3;
        if (!frac_ns(s, n, &at, &frac))
            return IOF_TIME_SYNTAX;
    }
    int64_t off = 0; /* zone offset in seconds */
    if (at == n) {
        return IOF_TIME_NO_ZONE;
    } else if (s[at] == 'Z' || s[at] == 'z') {
        at++;
    } else if (s[at] == '+' || s[at] == '-') {
        int zh, zm;
        int sign = s[at] == '-' ? -1 : 1;
        if (!digits(s, n, at + 1, 2, &zh))
            return IOF_TIME_BAD_ZONE;
        at += 3;
        if (at < n && s[at] == ':')
            at++;
        if (!digits(s, n, at, 2, &zm) || zh > 23 || zm > 59)
            return IOF_TIME_BAD_ZONE;
        at += 2;
        off = sign * (zh * 3600 + zm * 60);
    } else {
        return IOF_TIME_BAD_ZONE;
    }
    if (at != n)
        return IOF_TIME_BAD_ZONE;
    if (y < 1970 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || se > 59)
        return IOF_TIME_RANGE;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    if (secs < 0)
        return IOF_TIME_RANGE; /* 1970-01-01T00:30+01:00 */
    *ns = secs * 1000000000 + frac;
    return IOF_TIME_OK;
}

iof__time_parse_rc iof__time_parse_epoch(const char *s, size_t n, int64_t *ns)
{
    /* 9,214,646,400 s is 2262-01-01: the int64 ns limit, as for ISO times */
    const int64_t max_s = 9214646399;
    size_t at = 0;
    int64_t secs = 0;
    for (; at < n && s[at] >= '0' && s[at] <= '9'; at++) {
        if (secs > max_s)
            return IOF_TIME_RANGE;
        secs = secs * 10 + (s[at] - '0');
    }
    if (at == 0)
        return IOF_TIME_SYNTAX;
    int64_t frac;
    if (!frac_ns(s, n, &at, &frac) || at != n)
        return IOF_TIME_SYNTAX;
    if (secs > max_s)
        return IOF_TIME_RANGE;
    *ns = secs * 1000000000 + frac;
    return IOF_TIME_OK;
}
