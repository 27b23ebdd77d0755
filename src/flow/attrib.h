/* Attribution (docs/CUSTOMFLOW.md §1): which endpoints of a packet are devices.
 * A packet yields 0 views (unattributed), 1 (device <-> remote) or 2 (device <-> device:
 * mirrored records). A view is the packet seen from one device. */
#ifndef IOF_FLOW_ATTRIB_H
#define IOF_FLOW_ATTRIB_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/inventory.h"

typedef struct iof__view {
    int32_t device;      /* inventory index or -1 (local-range mode) */
    uint8_t dir;         /* 1 = device -> remote (upstream), 0 = remote -> device */
    uint8_t ipver;
    uint8_t proto;
    uint16_t dev_port, rem_port;
    const uint8_t *dev_ip, *rem_ip; /* point into the packet summary */
} iof__view;

/* Fills views[0..1]; returns how many. inv may be NULL (local address ranges). */
int iof__attribute(const iof__pkt *pkt, const iof__inventory *inv, iof__view views[2]);

/* Address classes (§1): private/local ranges, and broadcast/multicast destinations. */
bool iof__ip_is_local(uint8_t ipver, const uint8_t ip[16]);
bool iof__ip_is_group(uint8_t ipver, const uint8_t ip[16]);

/* The datasets' anonymisation rule (the default; --keep-private-ips turns it off): a local
 * address is written as the zero address (0.0.0.0 / ::), so models trained on one home network
 * do not learn its addressing. Returns the address to write: ip, or 16 zero bytes. Every address
 * a table writes goes through here (kinds/addrtext.h's iof__fmt_ip_anon; dns_addrs). */
const uint8_t *iof__ip_anon(uint8_t ipver, const uint8_t ip[16], bool anonymise);

/* The same rule on a host written as text, where an address literal names a local device (an
 * HTTP request's Host value, a target in absolute form: http_host, http_uri). The text is
 * rewritten in place; the function returns its new length, never more than len.
 * - iof__authority_anon: s is an authority, `[userinfo@]host[:port]`, host an IPv4 literal or a
 *   bracketed IPv6 one (`[fe80::1]:80`; an unbracketed IPv6 literal, seen in Host values sent by
 *   hand-written clients, is taken whole): a local one becomes `0.0.0.0` / `[::]`, the rest kept.
 *   An IPv6 literal's zone ID (`[fe80::1%25wlan0]`) goes with it; an IPv4-mapped one
 *   (`::ffff:192.168.1.2`) is judged by its IPv4 address.
 * - iof__uri_anon: s is a request target (RFC 9112 §3.2): the authority of an absolute one
 *   (`scheme://authority/...`) or the whole of an authority-form one (CONNECT's `host:port`) is
 *   rewritten so; origin-form (`/path`) and asterisk-form (`*`) have no host.
 * Names are left as they are (`nas.local`), as is anything that is not exactly a literal. */
size_t iof__authority_anon(char *s, size_t len);
size_t iof__uri_anon(char *s, size_t len);
/* - iof__name_anon: a host name that is a local address literal as a whole (a TLS server name
 *   some devices send for a local server, against RFC 6066: `192.168.1.70`) gives the zero
 *   address's text to write instead (`0.0.0.0` / `::`); any other name, or anonymise false,
 *   gives name itself. */
const char *iof__name_anon(const char *name, bool anonymise);
/* - iof__dnsname_anon: a DNS name (presentation form, len bytes; dns_qname) that is a whole
 *   reverse-lookup name, `d.c.b.a.in-addr.arpa` (four decimal labels) or `n.n.….ip6.arpa` (32 hex
 *   nibbles), of a local address — or of any address when all (mDNS / LLMNR: the network's own
 *   devices, as dns_addrs) — becomes the zero address's reverse name (`0.0.0.0.in-addr.arpa`,
 *   32 `0.` and `ip6.arpa`); a link-local IPv6 reverse name spells its EUI-64 interface ID, the
 *   MAC. A name that is a local address literal (a query for `192.168.1.70`) becomes the zero
 *   address, as iof__name_anon. Zone names (`1.168.192.in-addr.arpa`) and other names are left
 *   as they are. */
size_t iof__dnsname_anon(char *name, size_t len, bool all);

#endif
