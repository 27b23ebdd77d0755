/* Value helpers of the label rules: ISO 8601 timestamps, globs, address classes. */
#include <string.h>

#include "labels/rules_int.h"

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

bool iof__rules_parse_time(const char *s, size_t n, int64_t *ns)
{
    int y, mo, d, h, mi, se = 0;
    if (!digits(s, n, 0, 4, &y) || n < 16 || s[4] != '-' || !digits(s, n, 5, 2, &mo) ||
        s[7] != '-' || !digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s, n, 11, 2, &h) || s[13] != ':' || !digits(s, n, 14, 2, &mi))
        return false;
    size_t at = 16;
    int64_t frac = 0;
    if (at < n && s[at] == ':') {
        if (!digits(s, n, at + 1, 2, &se))
            return false;
        at += 3;
        if (at < n && s[at] == '.') {
            at++;
            size_t k = 0;
            int64_t scale = 100000000;
            while (at < n && s[at] >= '0' && s[at] <= '9') {
                if (++k > 9)
                    return false;
                frac += (s[at] - '0') * scale;
                scale /= 10;
                at++;
            }
            if (k == 0)
                return false;
        }
    }
    if (y < 1970 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 ||
        se > 59)
        return false;
    int64_t off = 0; /* zone offset in seconds */
    if (at < n && (s[at] == 'Z' || s[at] == 'z')) {
        at++;
    } else if (at < n && (s[at] == '+' || s[at] == '-')) {
        int zh, zm;
        int sign = s[at] == '-' ? -1 : 1;
        if (!digits(s, n, at + 1, 2, &zh))
            return false;
        at += 3;
        if (at < n && s[at] == ':')
            at++;
        if (!digits(s, n, at, 2, &zm) || zh > 23 || zm > 59)
            return false;
        at += 2;
        off = sign * (zh * 3600 + zm * 60);
    } else {
        return false; /* a zone is required */
    }
    if (at != n)
        return false;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    *ns = secs * 1000000000 + frac;
    return true;
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

bool iof__rules_glob(const char *pat, size_t pn, const char *s)
{
    /* iterative: remember the last `*` and where the text stood; backtrack one byte further */
    size_t p = 0, star = SIZE_MAX;
    const char *mark = NULL;
    while (*s) {
        if (p < pn && (pat[p] == '?' || lower(pat[p]) == lower(*s))) {
            p++;
            s++;
        } else if (p < pn && pat[p] == '*') {
            star = p++;
            mark = s;
        } else if (star != SIZE_MAX) {
            p = star + 1;
            s = ++mark;
        } else {
            return false;
        }
    }
    while (p < pn && pat[p] == '*')
        p++;
    return p == pn;
}

bool iof__rules_addr_in(const uint8_t ip[16], const uint8_t net[16], unsigned plen)
{
    unsigned full = plen / 8, rest = plen % 8;
    if (memcmp(ip, net, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t m = (uint8_t)(0xFFu << (8 - rest));
    return (ip[full] & m) == (net[full] & m);
}

bool iof__rules_addr_class(int cls, uint8_t ver, const uint8_t ip[16])
{
    if (ver == 4) {
        switch (cls) {
        case RC_MULTICAST: return (ip[0] & 0xF0) == 224;
        case RC_BROADCAST: return ip[0] == 255 && ip[1] == 255 && ip[2] == 255 && ip[3] == 255;
        case RC_PRIVATE:
            return ip[0] == 10 || (ip[0] == 172 && (ip[1] & 0xF0) == 16) ||
                   (ip[0] == 192 && ip[1] == 168);
        case RC_LOOPBACK: return ip[0] == 127;
        case RC_LINKLOCAL: return ip[0] == 169 && ip[1] == 254;
        }
        return false;
    }
    static const uint8_t lo6[16] = { [15] = 1 };
    switch (cls) {
    case RC_MULTICAST: return ip[0] == 0xFF;
    case RC_BROADCAST: return false; /* IPv6 has none */
    case RC_PRIVATE: return (ip[0] & 0xFE) == 0xFC;
    case RC_LOOPBACK: return memcmp(ip, lo6, 16) == 0;
    case RC_LINKLOCAL: return ip[0] == 0xFE && (ip[1] & 0xC0) == 0x80;
    }
    return false;
}
