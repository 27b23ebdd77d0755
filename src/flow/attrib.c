#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "flow/attrib.h"

#include "common/hex.h"

bool iof__ip_is_local(uint8_t ipver, const uint8_t a[16])
{
    if (ipver == 4)
        return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
               (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254);
    return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

bool iof__ip_is_group(uint8_t ipver, const uint8_t a[16])
{
    if (ipver == 4)
        return (a[0] & 0xf0) == 224 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
    return a[0] == 0xff;
}

const uint8_t *iof__ip_anon(uint8_t ipver, const uint8_t ip[16], bool anonymise)
{
    static const uint8_t zero[16];
    return anonymise && iof__ip_is_local(ipver, ip) ? zero : ip;
}

/* Whether s[0..n) is an address literal of the given family in a local range (inet_pton: the
 * strict dotted quad, no octal or short forms; the text is copied to end it). An IPv6 zone ID
 * (`fe80::1%eth0`; `%25eth0` in a URI, RFC 6874) names the link, not the address: the address
 * before it decides. An IPv4-mapped address (`::ffff:192.168.1.2`) is its IPv4 address. */
static bool literal_is_local(const char *s, size_t n, int af)
{
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    char t[INET6_ADDRSTRLEN + 8];
    uint8_t a[16] = { 0 };
    const char *zone = af == AF_INET6 ? memchr(s, '%', n) : NULL;
    if (zone)
        n = (size_t)(zone - s);
    if (n == 0 || n >= sizeof t)
        return false;
    memcpy(t, s, n);
    t[n] = '\0';
    if (inet_pton(af, t, a) != 1)
        return false;
    if (af == AF_INET6 && memcmp(a, mapped, sizeof mapped) == 0) {
        uint8_t v4[16] = { a[12], a[13], a[14], a[15] };
        return iof__ip_is_local(4, v4);
    }
    return iof__ip_is_local(af == AF_INET ? 4 : 6, a);
}

/* the zero address as text, for a literal of family af */
static const char *zero_text(int af) { return af == AF_INET ? "0.0.0.0" : "::"; }

/* s[off .. off + n) replaced by rep (never longer: n is at least its length); the new length */
static size_t splice(char *s, size_t len, size_t off, size_t n, const char *rep)
{
    size_t r = strlen(rep);
    memcpy(s + off, rep, r);
    memmove(s + off + r, s + off + n, len - off - n);
    return len - n + r;
}

size_t iof__authority_anon(char *s, size_t len)
{
    const char *at = NULL;
    for (size_t i = len; i-- > 0;)   /* the host follows the last '@' (RFC 3986 §3.2.1) */
        if (s[i] == '@') {
            at = s + i;
            break;
        }
    size_t h = at ? (size_t)(at - s) + 1 : 0;
    if (h < len && s[h] == '[') {   /* [v6]: the literal between the brackets */
        const char *e = memchr(s + h, ']', len - h);
        bool port_or_end = e && ((size_t)(e + 1 - s) == len || e[1] == ':');   /* else not a literal */
        if (port_or_end && literal_is_local(s + h + 1, (size_t)(e - s) - h - 1, AF_INET6))
            return splice(s, len, h + 1, (size_t)(e - s) - h - 1, zero_text(AF_INET6));
        return len;
    }
    const char *colon = memchr(s + h, ':', len - h);
    if (colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)))   /* two colons: bare v6 */
        return literal_is_local(s + h, len - h, AF_INET6) ? splice(s, len, h, len - h, zero_text(AF_INET6)) : len;
    size_t hl = colon ? (size_t)(colon - s) - h : len - h;
    return literal_is_local(s + h, hl, AF_INET) ? splice(s, len, h, hl, zero_text(AF_INET)) : len;
}

size_t iof__uri_anon(char *s, size_t len)
{
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://" (RFC 3986 §3.1) */
    size_t i = 0;
    while (i < len && (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
                       (i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.'))))
        i++;
    if (i == 0 || len - i < 3 || memcmp(s + i, "://", 3) != 0)   /* not absolute: ... */
        return len && s[0] != '/' && s[0] != '*' ? iof__authority_anon(s, len)   /* CONNECT's */
                                                 : len;   /* origin-form, asterisk-form */
    size_t a = i + 3, e = a;
    while (e < len && s[e] != '/' && s[e] != '?' && s[e] != '#')
        e++;
    size_t n = iof__authority_anon(s + a, e - a);
    memmove(s + a + n, s + e, len - e);
    return len - (e - a - n);
}

/* the family of s[0..n) when it is a local address literal, else 0 */
static int local_literal_af(const char *s, size_t n)
{
    return literal_is_local(s, n, AF_INET) ? AF_INET : literal_is_local(s, n, AF_INET6) ? AF_INET6 : 0;
}

const char *iof__name_anon(const char *name, bool anonymise)
{
    int af = anonymise ? local_literal_af(name, strlen(name)) : 0;
    return af ? zero_text(af) : name;
}

static bool suffix_is(const char *s, size_t len, const char *sfx, size_t *at)
{
    size_t n = strlen(sfx);
    if (len < n || strncasecmp(s + len - n, sfx, n) != 0)
        return false;
    *at = len - n;
    return true;
}

/* A whole reverse-lookup name of a local address (any, when all) as the zero address's: the
 * name's new length (iof__dnsname_anon's first form) */
static size_t revname_anon(char *name, size_t len, bool all)
{
    uint8_t a[16] = { 0 };
    size_t at;
    if (suffix_is(name, len, ".ip6.arpa", &at)) {
        if (at != 63)   /* 32 nibbles and 31 dots */
            return len;
        for (size_t i = 0; i < 32; i++) {
            int v = iof__hex_digit((unsigned char)name[2 * i]);
            if (v < 0 || (i < 31 && name[2 * i + 1] != '.'))
                return len;
            a[15 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);   /* the lowest nibble first */
        }
        if (all || iof__ip_is_local(6, a))
            for (size_t i = 0; i < 32; i++)
                name[2 * i] = '0';
        return len;
    }
    if (!suffix_is(name, len, ".in-addr.arpa", &at))
        return len;
    size_t p = 0;
    for (int k = 3; k >= 0; k--) {   /* d.c.b.a: the last byte first */
        unsigned v = 0, digits = 0;
        while (p < at && name[p] >= '0' && name[p] <= '9' && digits < 4)
            v = v * 10 + (unsigned)(name[p++] - '0'), digits++;
        if (!digits || v > 255 || (digits > 1 && name[p - digits] == '0') || (k ? p >= at || name[p] != '.' : p != at))
            return len;
        a[k] = (uint8_t)v;
        p += k ? 1 : 0;
    }
    if (!(all || iof__ip_is_local(4, a)))
        return len;
    return splice(name, len, 0, at, zero_text(AF_INET));
}

size_t iof__dnsname_anon(char *name, size_t len, bool all)
{
    size_t n = revname_anon(name, len, all);
    int af = n == len ? local_literal_af(name, len) : 0;
    return af ? splice(name, len, 0, len, zero_text(af)) : n;
}

static bool mac_is_group(const uint8_t m[6]) { return (m[0] & 1) != 0; }

static void set_view(iof__view *v, int32_t dev, uint8_t dir, const iof__pkt *p)
{
    v->device = dev;
    v->dir = dir;
    v->ipver = p->ipver;
    v->proto = p->proto;
    if (dir) {
        v->dev_ip = p->src_ip;
        v->rem_ip = p->dst_ip;
        v->dev_port = p->sport;
        v->rem_port = p->dport;
    } else {
        v->dev_ip = p->dst_ip;
        v->rem_ip = p->src_ip;
        v->dev_port = p->dport;
        v->rem_port = p->sport;
    }
}

int iof__attribute(const iof__pkt *p, const iof__inventory *inv, iof__view views[2])
{
    long src = -1, dst = -1;
    bool src_dev, dst_dev;
    bool dst_group = iof__ip_is_group(p->ipver, p->dst_ip);
    if (inv) {
        /* MACs decide; the inventory's IPs stand in only where the link has no MAC (raw IP,
         * loopback, the missing destination of Linux cooked captures) */
        if (p->flags & IOF_PKT_HAS_SRC_MAC)
            src = iof__inventory_find_mac(inv, p->src_mac);
        else if (iof__inventory_has_ips(inv))
            src = iof__inventory_find_ip(inv, p->ipver, p->src_ip);
        if (!dst_group) {
            if (p->flags & IOF_PKT_HAS_DST_MAC) {
                if (!mac_is_group(p->dst_mac))
                    dst = iof__inventory_find_mac(inv, p->dst_mac);
            } else if (iof__inventory_has_ips(inv)) {
                dst = iof__inventory_find_ip(inv, p->ipver, p->dst_ip);
            }
        }
        src_dev = src >= 0;
        dst_dev = dst >= 0;
    } else {
        /* A frame sent to a group MAC (broadcast, multicast) is not for one device, whatever
         * its IP says (a subnet-directed broadcast 192.168.1.255 goes to ff:ff:ff:ff:ff:ff); a
         * group source MAC is not a station at all. */
        bool src_group_mac = (p->flags & IOF_PKT_HAS_SRC_MAC) && mac_is_group(p->src_mac);
        bool dst_group_mac = (p->flags & IOF_PKT_HAS_DST_MAC) && mac_is_group(p->dst_mac);
        src_dev = !src_group_mac && iof__ip_is_local(p->ipver, p->src_ip);
        dst_dev = !dst_group && !dst_group_mac && iof__ip_is_local(p->ipver, p->dst_ip);
    }
    int n = 0;
    if (src_dev)
        set_view(&views[n++], (int32_t)src, 1, p);
    if (dst_dev) {
        /* A packet from an endpoint to itself (same address and port) is one view, not two
         * mirrored views of the same key. */
        bool same = src_dev && p->sport == p->dport && src == dst &&
                    memcmp(p->src_ip, p->dst_ip, 16) == 0;
        if (!same)
            set_view(&views[n++], (int32_t)dst, 0, p);
    }
    return n;
}
