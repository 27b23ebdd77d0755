/* Value helpers of the label rules: ISO 8601 timestamps, globs, address classes. */
#include <string.h>

#include "common/timefmt.h"
#include "labels/rules_int.h"

bool iof__rules_parse_time(const char *s, size_t n, int64_t *ns)
{
    return iof__time_parse_iso(s, n, ns) == IOF_TIME_OK;
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
