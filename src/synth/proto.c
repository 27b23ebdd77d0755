/* Application payload builders (see proto.h). Field-by-field writers; no allocation. */
#include "synth/proto.h"

#include <stdio.h>
#include <string.h>

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---------------------------------- */
static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t iof__rng_next(iof__rng *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

void iof__rng_seed(iof__rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        r->s[i] = z ^ (z >> 31);
    }
}

uint64_t iof__rng_below(iof__rng *r, uint64_t n)
{
    return n ? (uint64_t)(((unsigned __int128)iof__rng_next(r) * n) >> 64) : 0;
}

double iof__rng_unit(iof__rng *r) { return (double)(iof__rng_next(r) >> 11) * 0x1.0p-53; }

void iof__rng_fill(iof__rng *r, uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t v = iof__rng_next(r);
        memcpy(p, &v, 8);
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t v = iof__rng_next(r);
        memcpy(p, &v, n);
    }
}

/* ---- text without printf ------------------------------------------------------------- */
char *iof__put_dec(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        *p++ = tmp[--n];
    return p;
}

char *iof__put_int(char *p, int64_t v)
{
    if (v < 0)
        *p++ = '-';
    return iof__put_dec(p, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

char *iof__put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* ---- helpers ------------------------------------------------------------------------- */
static inline uint8_t *w8(uint8_t *p, unsigned v) { *p = (uint8_t)v; return p + 1; }
static inline uint8_t *w16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}
static inline uint8_t *w24(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 16);
    return w16(p + 1, v);
}
static inline uint8_t *w32(uint8_t *p, uint32_t v) { return w16(w16(p, v >> 16), v & 0xffff); }
static inline uint8_t *wmem(uint8_t *p, const void *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}
static inline void p16(uint8_t *p, unsigned v) { w16(p, v); }
static inline void p24(uint8_t *p, unsigned v) { w24(p, v); }
static inline void put_le16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, v & 0xffff);
    put_le16(p + 2, v >> 16);
}
static inline void put_le64(uint8_t *p, uint64_t v)
{
    put_le32(p, (uint32_t)v);
    put_le32(p + 4, (uint32_t)(v >> 32));
}

/* DNS name in label form (no compression); names are short literals of ours. */
static uint8_t *wname(uint8_t *p, const char *name)
{
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t n = dot ? (size_t)(dot - name) : strlen(name);
        if (n > 63)
            n = 63;
        *p++ = (uint8_t)n;
        p = wmem(p, name, n);
        name += n;
        if (*name == '.')
            name++;
    }
    *p++ = 0;
    return p;
}

/* ---- DNS / mDNS ---------------------------------------------------------------------- */
size_t iof__dns_query(uint8_t *buf, uint16_t id, const char *name, uint16_t qtype, int mdns)
{
    uint8_t *p = buf;
    p = w16(p, mdns ? 0 : id);
    p = w16(p, mdns ? 0 : 0x0100); /* RD */
    p = w16(p, 1);
    p = w16(p, 0);
    p = w16(p, 0);
    p = w16(p, 0);
    p = wname(p, name);
    p = w16(p, qtype);
    p = w16(p, 1);
    return (size_t)(p - buf);
}

size_t iof__dns_answer(uint8_t *buf, uint16_t id, const char *name, uint16_t qtype,
                       const uint8_t *addrs, int n, uint32_t ttl)
{
    uint8_t *p = buf;
    size_t alen = qtype == 28 ? 16 : 4;
    p = w16(p, id);
    p = w16(p, 0x8180); /* QR RD RA, NOERROR */
    p = w16(p, 1);
    p = w16(p, (unsigned)n);
    p = w16(p, 0);
    p = w16(p, 0);
    p = wname(p, name);
    p = w16(p, qtype);
    p = w16(p, 1);
    for (int i = 0; i < n; i++) {
        p = w16(p, 0xc00c);
        p = w16(p, qtype);
        p = w16(p, 1);
        p = w32(p, ttl);
        p = w16(p, (unsigned)alen);
        p = wmem(p, addrs + (size_t)i * alen, alen);
    }
    return (size_t)(p - buf);
}

size_t iof__mdns_announce(uint8_t *buf, const char *service, const char *instance,
                          const char *host, const uint8_t ip4[4])
{
    char inst[160];
    snprintf(inst, sizeof inst, "%s.%s", instance, service);
    uint8_t *p = buf;
    p = w16(p, 0);
    p = w16(p, 0x8400); /* response, authoritative */
    p = w16(p, 0);
    p = w16(p, 3);
    p = w16(p, 0);
    p = w16(p, 0);
    /* PTR service -> instance */
    p = wname(p, service);
    p = w16(p, 12);
    p = w16(p, 1);
    p = w32(p, 4500);
    uint8_t *rdl = p;
    p = wname(p + 2, inst);
    p16(rdl, (unsigned)(p - rdl - 2));
    /* TXT instance */
    p = wname(p, inst);
    p = w16(p, 16);
    p = w16(p, 0x8001);
    p = w32(p, 4500);
    static const char txt[] = "txtvers=1";
    p = w16(p, (unsigned)sizeof txt);
    p = w8(p, (unsigned)sizeof txt - 1);
    p = wmem(p, txt, sizeof txt - 1);
    /* A host */
    p = wname(p, host);
    p = w16(p, 1);
    p = w16(p, 0x8001);
    p = w32(p, 120);
    p = w16(p, 4);
    p = wmem(p, ip4, 4);
    return (size_t)(p - buf);
}

/* ---- TLS ----------------------------------------------------------------------------- */
size_t iof__tls_client_hello(uint8_t *buf, const char *sni, iof__rng *r)
{
    static const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c,
                                      0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
                                      0x009d, 0x002f, 0x0035};
    size_t sl = strlen(sni);
    if (sl > 200)
        sl = 200;
    uint8_t *p = buf;
    p = w8(p, 0x16);
    p = w16(p, 0x0301);
    uint8_t *reclen = p;
    p += 2;
    uint8_t *hs = p;
    p = w8(p, 1);
    uint8_t *hslen = p;
    p += 3;
    p = w16(p, 0x0303);
    iof__rng_fill(r, p, 32);
    p += 32;
    p = w8(p, 32);
    iof__rng_fill(r, p, 32);
    p += 32;
    p = w16(p, (unsigned)(2 * (sizeof suites / sizeof suites[0])));
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        p = w16(p, suites[i]);
    p = w8(p, 1);
    p = w8(p, 0);
    uint8_t *extlen = p;
    p += 2;
    uint8_t *ext = p;
    /* server_name */
    p = w16(p, 0);
    p = w16(p, (unsigned)(sl + 5));
    p = w16(p, (unsigned)(sl + 3));
    p = w8(p, 0);
    p = w16(p, (unsigned)sl);
    p = wmem(p, sni, sl);
    /* supported_groups: x25519, secp256r1, secp384r1 */
    p = w16(p, 10);
    p = w16(p, 8);
    p = w16(p, 6);
    p = w16(p, 0x001d);
    p = w16(p, 0x0017);
    p = w16(p, 0x0018);
    /* ec_point_formats */
    p = w16(p, 11);
    p = w16(p, 2);
    p = w8(p, 1);
    p = w8(p, 0);
    /* signature_algorithms */
    p = w16(p, 13);
    p = w16(p, 10);
    p = w16(p, 8);
    p = w16(p, 0x0403);
    p = w16(p, 0x0804);
    p = w16(p, 0x0401);
    p = w16(p, 0x0503);
    /* ALPN http/1.1 */
    p = w16(p, 16);
    p = w16(p, 11);
    p = w16(p, 9);
    p = w8(p, 8);
    p = wmem(p, "http/1.1", 8);
    /* supported_versions: 1.3, 1.2 */
    p = w16(p, 43);
    p = w16(p, 5);
    p = w8(p, 4);
    p = w16(p, 0x0304);
    p = w16(p, 0x0303);
    /* psk_key_exchange_modes */
    p = w16(p, 45);
    p = w16(p, 2);
    p = w8(p, 1);
    p = w8(p, 1);
    /* key_share x25519 */
    p = w16(p, 51);
    p = w16(p, 38);
    p = w16(p, 36);
    p = w16(p, 0x001d);
    p = w16(p, 32);
    iof__rng_fill(r, p, 32);
    p += 32;
    p16(extlen, (unsigned)(p - ext));
    p24(hslen, (unsigned)(p - hs - 4));
    p16(reclen, (unsigned)(p - hs));
    return (size_t)(p - buf);
}

size_t iof__tls_server_hello(uint8_t *buf, iof__rng *r)
{
    uint8_t *p = buf;
    p = w8(p, 0x16);
    p = w16(p, 0x0303);
    uint8_t *reclen = p;
    p += 2;
    uint8_t *hs = p;
    p = w8(p, 2);
    uint8_t *hslen = p;
    p += 3;
    p = w16(p, 0x0303);
    iof__rng_fill(r, p, 32);
    p += 32;
    p = w8(p, 32);
    iof__rng_fill(r, p, 32);
    p += 32;
    p = w16(p, 0x1301);
    p = w8(p, 0);
    uint8_t *extlen = p;
    p += 2;
    uint8_t *ext = p;
    p = w16(p, 43);
    p = w16(p, 2);
    p = w16(p, 0x0304);
    p = w16(p, 51);
    p = w16(p, 36);
    p = w16(p, 0x001d);
    p = w16(p, 32);
    iof__rng_fill(r, p, 32);
    p += 32;
    p16(extlen, (unsigned)(p - ext));
    p24(hslen, (unsigned)(p - hs - 4));
    p16(reclen, (unsigned)(p - hs));
    /* change_cipher_spec (middlebox compatibility) */
    p = w8(p, 0x14);
    p = w16(p, 0x0303);
    p = w16(p, 1);
    p = w8(p, 1);
    return (size_t)(p - buf);
}

/* ---- HTTP ---------------------------------------------------------------------------- */
/* HTTP heads are built without printf (they are written per session). The callers' strings
 * are short literals and names; a head that would not fit gives 0. */
#define HTTP_ARG_MAX 512
static uint8_t *wstr(uint8_t *p, const char *s) { return wmem(p, s, strlen(s)); }
static uint8_t *wdec(uint8_t *p, uint64_t v) { return (uint8_t *)iof__put_dec((char *)p, v); }

size_t iof__http_get(uint8_t *buf, const char *host, const char *path, const char *ua)
{
    if (strlen(host) + strlen(path) + strlen(ua) > HTTP_ARG_MAX)
        return 0;
    uint8_t *p = wstr(wstr(buf, "GET "), path);
    p = wstr(wstr(wstr(p, " HTTP/1.1\r\nHost: "), host), "\r\nUser-Agent: ");
    p = wstr(wstr(p, ua), "\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    *p = 0;
    return (size_t)(p - buf);
}

size_t iof__http_response_head(uint8_t *buf, int code, const char *reason, size_t body_len,
                               const char *ctype)
{
    if (strlen(reason) + strlen(ctype) > HTTP_ARG_MAX)
        return 0;
    uint8_t *p = wdec(wstr(buf, "HTTP/1.1 "), (uint64_t)(unsigned)code);
    p = wstr(wstr(wstr(p, " "), reason), "\r\nContent-Type: ");
    p = wdec(wstr(wstr(p, ctype), "\r\nContent-Length: "), body_len);
    p = wstr(p, "\r\nConnection: close\r\nServer: nginx\r\n\r\n");
    *p = 0;
    return (size_t)(p - buf);
}

/* ---- CoAP / DTLS --------------------------------------------------------------------- */
size_t iof__coap(uint8_t *buf, int type, int code, uint16_t msgid, uint32_t token,
                 const char *uri_path, const char *payload)
{
    uint8_t *p = buf;
    p = w8(p, (unsigned)(0x40 | (type & 3) << 4 | 4));
    p = w8(p, (unsigned)code);
    p = w16(p, msgid);
    p = w32(p, token);
    if (uri_path && *uri_path) {
        size_t n = strlen(uri_path);
        if (n > 12)
            n = 12;
        p = w8(p, (unsigned)(11 << 4 | n)); /* Uri-Path, delta 11 */
        p = wmem(p, uri_path, n);
        p = w8(p, (12 - 11) << 4 | 1); /* Content-Format: 50 (application/json) */
        p = w8(p, 50);
    }
    if (payload && *payload) {
        p = w8(p, 0xff);
        p = wmem(p, payload, strlen(payload));
    }
    return (size_t)(p - buf);
}

size_t iof__dtls_appdata(uint8_t *buf, uint16_t epoch, uint64_t seq, size_t len, iof__rng *r)
{
    uint8_t *p = buf;
    if (len > IOF_PROTO_MAX - 13)
        len = IOF_PROTO_MAX - 13;
    p = w8(p, 23);
    p = w16(p, 0xfefd);
    p = w16(p, epoch);
    p = w16(p, (unsigned)(seq >> 32) & 0xffff);
    p = w32(p, (uint32_t)seq);
    p = w16(p, (unsigned)len);
    iof__rng_fill(r, p, len);
    return 13 + len;
}

/* ---- MQTT ---------------------------------------------------------------------------- */
static uint8_t *mqtt_len(uint8_t *p, size_t n)
{
    do {
        uint8_t b = n & 0x7f;
        n >>= 7;
        *p++ = (uint8_t)(b | (n ? 0x80 : 0));
    } while (n);
    return p;
}

size_t iof__mqtt_connect(uint8_t *buf, const char *client_id, uint16_t keepalive)
{
    size_t cl = strlen(client_id);
    size_t rem = 10 + 2 + cl;
    uint8_t *p = buf;
    p = w8(p, 0x10);
    p = mqtt_len(p, rem);
    p = w16(p, 4);
    p = wmem(p, "MQTT", 4);
    p = w8(p, 4);
    p = w8(p, 0x02); /* clean session */
    p = w16(p, keepalive);
    p = w16(p, (unsigned)cl);
    p = wmem(p, client_id, cl);
    return (size_t)(p - buf);
}

size_t iof__mqtt_connack(uint8_t *buf)
{
    static const uint8_t m[4] = {0x20, 2, 0, 0};
    memcpy(buf, m, 4);
    return 4;
}

size_t iof__mqtt_publish(uint8_t *buf, const char *topic, const char *payload)
{
    size_t tl = strlen(topic), pl = strlen(payload);
    uint8_t *p = buf;
    p = w8(p, 0x30);
    p = mqtt_len(p, 2 + tl + pl);
    p = w16(p, (unsigned)tl);
    p = wmem(p, topic, tl);
    p = wmem(p, payload, pl);
    return (size_t)(p - buf);
}

size_t iof__mqtt_ping(uint8_t *buf, int resp)
{
    buf[0] = resp ? 0xd0 : 0xc0;
    buf[1] = 0;
    return 2;
}

/* ---- NTP ----------------------------------------------------------------------------- */
static uint8_t *ntp_ts(uint8_t *p, int64_t us)
{
    if (us <= 0)
        return w32(w32(p, 0), 0);
    uint64_t sec = (uint64_t)(us / 1000000) + 2208988800ull;
    uint64_t frac = ((uint64_t)(us % 1000000) << 32) / 1000000;
    return w32(w32(p, (uint32_t)sec), (uint32_t)frac);
}

size_t iof__ntp(uint8_t *buf, int server, int64_t ts_us, int64_t orig_us)
{
    uint8_t *p = buf;
    p = w8(p, server ? 0x24 : 0x23);
    p = w8(p, server ? 2 : 0);
    p = w8(p, server ? 3 : 6);
    p = w8(p, server ? 0xe9 : 0xec);
    p = w32(p, server ? 0x00000210 : 0);
    p = w32(p, server ? 0x00000330 : 0);
    if (server)
        p = wmem(p, "\xd8\xef\x23\x04", 4); /* reference id: an upstream server address */
    else
        p = w32(p, 0);
    p = ntp_ts(p, server ? ts_us - 16000000 : 0); /* reference */
    p = ntp_ts(p, server ? orig_us : 0);          /* origin */
    p = ntp_ts(p, server ? ts_us - 150 : 0);      /* receive */
    p = ntp_ts(p, ts_us);                         /* transmit */
    return (size_t)(p - buf);
}

/* ---- SSDP ---------------------------------------------------------------------------- */
size_t iof__ssdp_notify(uint8_t *buf, const char *uuid, const uint8_t ip[4])
{
    int n = snprintf((char *)buf, IOF_PROTO_MAX,
                     "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                     "CACHE-CONTROL: max-age=1800\r\nLOCATION: http://%u.%u.%u.%u:80/upnp.xml\r\n"
                     "NT: upnp:rootdevice\r\nNTS: ssdp:alive\r\nSERVER: Linux/2.6 UPnP/1.0 "
                     "IPCam/1.0\r\nUSN: uuid:%s::upnp:rootdevice\r\n\r\n",
                     ip[0], ip[1], ip[2], ip[3], uuid);
    return n > 0 && n < IOF_PROTO_MAX ? (size_t)n : 0;
}

size_t iof__ssdp_msearch(uint8_t *buf)
{
    static const char m[] = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                            "MAN: \"ssdp:discover\"\r\nMX: 2\r\nST: ssdp:all\r\n\r\n";
    memcpy(buf, m, sizeof m - 1);
    return sizeof m - 1;
}

/* ---- DHCP ---------------------------------------------------------------------------- */
size_t iof__dhcp(uint8_t *buf, int msgtype, uint32_t xid, const uint8_t mac[6],
                 const uint8_t ciaddr[4], const uint8_t yiaddr[4], const uint8_t server[4],
                 const char *hostname)
{
    static const uint8_t zero[16] = {0};
    int reply = msgtype == 2 || msgtype == 5;
    uint8_t *p = buf;
    p = w8(p, reply ? 2 : 1);
    p = w8(p, 1);
    p = w8(p, 6);
    p = w8(p, 0);
    p = w32(p, xid);
    p = w16(p, 0);
    p = w16(p, 0);
    p = wmem(p, ciaddr ? ciaddr : zero, 4);
    p = wmem(p, yiaddr && reply ? yiaddr : zero, 4);
    p = wmem(p, reply && server ? server : zero, 4);
    p = wmem(p, zero, 4);
    p = wmem(p, mac, 6);
    p = wmem(p, zero, 10);
    memset(p, 0, 192); /* sname + file */
    p += 192;
    p = w32(p, 0x63825363);
    p = w8(p, 53);
    p = w8(p, 1);
    p = w8(p, (unsigned)msgtype);
    if (reply) {
        p = w8(p, 54);
        p = w8(p, 4);
        p = wmem(p, server, 4);
        p = w8(p, 51);
        p = w8(p, 4);
        p = w32(p, 86400);
        p = w8(p, 1);
        p = w8(p, 4);
        p = wmem(p, "\xff\xff\xff\x00", 4);
        p = w8(p, 3);
        p = w8(p, 4);
        p = wmem(p, server, 4);
        p = w8(p, 6);
        p = w8(p, 4);
        p = wmem(p, server, 4);
    } else {
        p = w8(p, 61);
        p = w8(p, 7);
        p = w8(p, 1);
        p = wmem(p, mac, 6);
        if (msgtype == 3 && !ciaddr && yiaddr) {
            p = w8(p, 50);
            p = w8(p, 4);
            p = wmem(p, yiaddr, 4);
            p = w8(p, 54);
            p = w8(p, 4);
            p = wmem(p, server, 4);
        }
        if (hostname) {
            size_t hl = strlen(hostname);
            if (hl > 32)
                hl = 32;
            p = w8(p, 12);
            p = w8(p, (unsigned)hl);
            p = wmem(p, hostname, hl);
        }
        p = w8(p, 55);
        p = w8(p, 4);
        p = w8(p, 1);
        p = w8(p, 3);
        p = w8(p, 6);
        p = w8(p, 15);
    }
    p = w8(p, 255);
    return (size_t)(p - buf);
}

size_t iof__igmp_report(uint8_t *buf, const uint8_t group[4])
{
    buf[0] = 0x16;
    buf[1] = 0;
    buf[2] = buf[3] = 0;
    memcpy(buf + 4, group, 4);
    return 8;
}

/* ---- NetBIOS / SMB2 ------------------------------------------------------------------ */
static uint8_t *nb_name(uint8_t *p, const char *name)
{
    char n[16];
    memset(n, ' ', 15);
    n[15] = 0x20;
    size_t l = strlen(name);
    if (l > 15)
        l = 15;
    for (size_t i = 0; i < l; i++)
        n[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
    *p++ = 32;
    for (int i = 0; i < 16; i++) {
        *p++ = (uint8_t)('A' + (((uint8_t)n[i]) >> 4));
        *p++ = (uint8_t)('A' + (((uint8_t)n[i]) & 15));
    }
    *p++ = 0;
    return p;
}

size_t iof__nbss_request(uint8_t *buf, const char *called, const char *calling)
{
    uint8_t *p = buf + 4;
    p = nb_name(p, called);
    p = nb_name(p, calling);
    buf[0] = 0x81;
    buf[1] = 0;
    p16(buf + 2, (unsigned)(p - buf - 4));
    return (size_t)(p - buf);
}

size_t iof__nbss_positive(uint8_t *buf)
{
    buf[0] = 0x82;
    buf[1] = buf[2] = buf[3] = 0;
    return 4;
}

static uint8_t *smb2_hdr(uint8_t *p, int response, uint64_t msgid, uint64_t sessid,
                         uint32_t treeid)
{
    memset(p, 0, 64);
    p[0] = 0xfe;
    p[1] = 'S';
    p[2] = 'M';
    p[3] = 'B';
    put_le16(p + 4, 64);
    put_le16(p + 6, 1);    /* credit charge */
    put_le16(p + 12, 9);   /* WRITE */
    put_le16(p + 14, 1);   /* credits */
    put_le32(p + 16, response ? 1 : 0);
    put_le64(p + 24, msgid);
    put_le32(p + 32, 0xfeff); /* process id */
    put_le32(p + 36, treeid);
    put_le64(p + 40, sessid);
    return p + 64;
}

size_t iof__smb2_write_req_head(uint8_t *buf, uint64_t msgid, uint64_t sessid, uint32_t treeid,
                                uint32_t data_len, uint64_t offset)
{
    uint8_t *p = smb2_hdr(buf + 4, 0, msgid, sessid, treeid);
    memset(p, 0, 48);
    put_le16(p, 49);
    put_le16(p + 2, 64 + 48);
    put_le32(p + 4, data_len);
    put_le64(p + 8, offset);
    put_le64(p + 16, 0x0000000100000005ull ^ treeid); /* file id (persistent) */
    put_le64(p + 24, 0xffffffff00000001ull);          /* file id (volatile) */
    p += 48;
    uint32_t nb = (uint32_t)(p - buf - 4) + data_len;
    buf[0] = 0;
    p24(buf + 1, nb);
    return (size_t)(p - buf);
}

size_t iof__smb2_write_resp(uint8_t *buf, uint64_t msgid, uint64_t sessid, uint32_t treeid,
                            uint32_t count)
{
    uint8_t *p = smb2_hdr(buf + 4, 1, msgid, sessid, treeid);
    memset(p, 0, 17);
    put_le16(p, 17);
    put_le32(p + 4, count);
    p += 17;
    buf[0] = 0;
    p24(buf + 1, (unsigned)(p - buf - 4));
    return (size_t)(p - buf);
}

/* ---- telnet -------------------------------------------------------------------------- */
size_t iof__telnet_text(uint8_t *buf, const char *text)
{
    size_t n = strlen(text);
    if (n > IOF_PROTO_MAX)
        n = IOF_PROTO_MAX;
    memcpy(buf, text, n);
    return n;
}

size_t iof__telnet_negotiate(uint8_t *buf)
{
    static const uint8_t m[] = {0xff, 0xfd, 0x18, 0xff, 0xfd, 0x20, 0xff, 0xfd, 0x23,
                                0xff, 0xfd, 0x27, 0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03};
    memcpy(buf, m, sizeof m);
    return sizeof m;
}
