/* decode internals shared by the src/decode/ *.c files (not for other modules).
 *
 * Every decoder works on the iof__pkt being filled: pkt->data / pkt->caplen (already clamped to
 * wirelen) / pkt->wirelen are set by iof__decode() before any of these run. Offsets are
 * uint32_t counted from pkt->data and are always <= pkt->caplen when passed around.
 * Packet bytes are only read through readers made by iof__rd_at()/iof__rd_span().
 */
#ifndef IOF_DECODE_DECODE_INT_H
#define IOF_DECODE_DECODE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/rd.h"
#include "decode/decode.h"

/* Ethertypes / PPP protocols / IP protocols the decoders care about. */
enum {
    IOF_ETH_IPV4 = 0x0800,
    IOF_ETH_ARP = 0x0806,
    IOF_ETH_RARP = 0x8035,
    IOF_ETH_VLAN = 0x8100,       /* 802.1Q C-tag */
    IOF_ETH_QINQ = 0x88a8,       /* 802.1ad S-tag */
    IOF_ETH_QINQ_OLD = 0x9100,   /* pre-standard QinQ */
    IOF_ETH_IPV6 = 0x86dd,
    IOF_ETH_PPPOE_DISC = 0x8863,
    IOF_ETH_PPPOE_SESS = 0x8864,
    IOF_ETH_MPLS = 0x8847,       /* MPLS unicast */
    IOF_ETH_MPLS_MC = 0x8848,    /* MPLS multicast (upstream-assigned labels) */
    IOF_ETH_MIN_TYPE = 0x0600,   /* smaller values are 802.3 lengths (LLC follows) */

    IOF_PPP_IPV4 = 0x0021,
    IOF_PPP_IPV6 = 0x0057,
    IOF_PPP_MPLS = 0x0281,
    IOF_PPP_MPLS_MC = 0x0283,

    IOF_IPPROTO_HOPOPTS = 0,
    IOF_IPPROTO_ICMP = 1,
    IOF_IPPROTO_TCP = 6,
    IOF_IPPROTO_UDP = 17,
    IOF_IPPROTO_ROUTING = 43,
    IOF_IPPROTO_FRAGMENT = 44,
    IOF_IPPROTO_ESP = 50,
    IOF_IPPROTO_AH = 51,
    IOF_IPPROTO_ICMPV6 = 58,
    IOF_IPPROTO_NONE = 59,
    IOF_IPPROTO_DSTOPTS = 60,
    IOF_IPPROTO_MH = 135,
    IOF_IPPROTO_HIP = 139,
    IOF_IPPROTO_SHIM6 = 140,
};

/* Reader over the captured bytes [off, caplen). off > caplen gives an empty reader. */
static inline iof__rd iof__rd_at(const iof__pkt *pkt, uint32_t off)
{
    if (off > pkt->caplen)
        off = pkt->caplen;
    return rd_init(pkt->data + off, (size_t)(pkt->caplen - off));
}

/* Reader over [off, end) clipped to the captured bytes. */
static inline iof__rd iof__rd_span(const iof__pkt *pkt, uint32_t off, uint32_t end)
{
    if (end > pkt->caplen)
        end = pkt->caplen;
    if (off > end)
        off = end;
    return rd_init(pkt->data + off, (size_t)(end - off));
}

/* Link decoders (l2_*.c). Each starts at offset 0. */
iof__drop iof__l2_eth(iof__pkt *pkt);
iof__drop iof__l2_sll(iof__pkt *pkt);
iof__drop iof__l2_sll2(iof__pkt *pkt);
iof__drop iof__l2_null(iof__pkt *pkt);
iof__drop iof__l2_loop(iof__pkt *pkt);
iof__drop iof__l2_raw(iof__pkt *pkt);
iof__drop iof__l2_ipv4(iof__pkt *pkt);
iof__drop iof__l2_ipv6(iof__pkt *pkt);
iof__drop iof__l2_ppp(iof__pkt *pkt);
iof__drop iof__l2_nflog(iof__pkt *pkt);

/* Ethertype dispatch for the bytes at `off` whose type is `type`: follows a VLAN stack (up to
 * IOF_MAX_VLAN_DEPTH), PPPoE session -> PPP, an MPLS label stack (up to IOF_MAX_MPLS_DEPTH)
 * -> IPv4/IPv6 by the version nibble, and hands IPv4/IPv6 to l3. ARP/RARP, PPPoE discovery,
 * 802.3 lengths and other types end here with their drop reason. */
iof__drop iof__l2_ethertype(iof__pkt *pkt, uint32_t off, uint16_t type);

/* PPP protocol dispatch (IPv4 / IPv6 / MPLS / PPP_NOT_IP) for the header at `off`. */
iof__drop iof__l2_ppp_proto(iof__pkt *pkt, uint32_t off, uint16_t proto);

/* IP decoders (l3_*.c). `off` is the IP header; the version nibble must already match or is
 * checked here (IP_BAD_VERSION). */
iof__drop iof__l3_ipv4(iof__pkt *pkt, uint32_t off);
iof__drop iof__l3_ipv6(iof__pkt *pkt, uint32_t off);

/* Transport decoder (l4.c).
 *   l4_off  : first byte after the IP header (and IPv6 extension headers)
 *   ip_end  : end of the IP datagram on the wire (l3_off + ip_len), <= wirelen
 * pkt->proto, pkt->flags (FIRST_FRAG / FRAGMENT) are set by the caller.
 * `len_zero_ok`: the IP length came from the wire/jumbo option (UDP length 0 accepted). */
iof__drop iof__l4(iof__pkt *pkt, uint32_t l4_off, uint32_t ip_end, bool len_zero_ok);

/* Non-first fragment: no L4 header, payload = the fragment's data [l4_off, ip_end). */
void iof__l4_fragment_data(iof__pkt *pkt, uint32_t l4_off, uint32_t ip_end);

#endif
