/* Ethernet II / 802.3, 802.1Q + 802.1ad (+ pre-standard 0x9100) VLAN stacks, PPPoE, MPLS.
 *
 * Ethernet always yields both MACs (once the 14-byte header is captured). The ethertype
 * dispatch is shared with the Linux cooked decoders (l2_sll.c), whose payload may also start
 * with a VLAN tag when the kernel did not strip it.
 */
#include "decode/decode_int.h"

iof__drop iof__l2_eth(iof__pkt *pkt)
{
    iof__rd r = iof__rd_at(pkt, 0);
    rd_copy(&r, pkt->dst_mac, 6);
    rd_copy(&r, pkt->src_mac, 6);
    uint16_t type = rd_be16(&r);
    if (r.err) {
        /* rd_copy zero-fills on failure: do not leave half a MAC behind. */
        for (int i = 0; i < 6; i++)
            pkt->dst_mac[i] = pkt->src_mac[i] = 0;
        return IOF_DROP_ETH_TRUNCATED;
    }
    pkt->flags |= IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC;
    return iof__l2_ethertype(pkt, 14, type);
}

/* PPPoE session header (RFC 2516): ver/type(1) code(1) session(2) length(2), then the PPP
 * protocol field (2 bytes; PPPoE forbids protocol-field compression). */
static iof__drop pppoe_session(iof__pkt *pkt, uint32_t off)
{
    iof__rd r = iof__rd_at(pkt, off);
    rd_skip(&r, 6);
    uint16_t proto = rd_be16(&r);
    if (r.err)
        return IOF_DROP_PPPOE_TRUNCATED;
    return iof__l2_ppp_proto(pkt, off + 8, proto);
}

/* MPLS label stack (RFC 3032) at `off`: 4-byte entries label(20) TC(3) S(1) TTL(8), up to the
 * one with the bottom-of-stack bit S, at most IOF_MAX_MPLS_DEPTH. Nothing in the stack says
 * what follows, so the first nibble after it is taken as the IP version (as tcpdump and
 * Wireshark do): 4 or 6 go to the IP decoders, which check the rest. Anything else is
 * MPLS_NOT_IP, not a guess: 0 is a pseudowire control word (RFC 4385) and Ethernet over MPLS
 * without one starts with a destination MAC. (Such a MAC whose first nibble is 4 or 6 would be
 * read as IP, as the two tools do; the IPv4/IPv6 header checks then usually drop it.) Reached
 * from the ethertype dispatch (Ethernet, VLAN/QinQ, SLL/SLL2) and from PPP/PPPoE. */
static iof__drop mpls(iof__pkt *pkt, uint32_t off)
{
    iof__rd r = iof__rd_at(pkt, off);
    for (unsigned depth = 1;; depth++) {
        if (depth > IOF_MAX_MPLS_DEPTH)
            return IOF_DROP_MPLS_TOO_DEEP;
        uint32_t entry = rd_be32(&r);
        if (r.err)
            return IOF_DROP_MPLS_TRUNCATED;
        pkt->notes |= IOF_NOTE(MPLS);
        if (entry & 0x100)
            break; /* bottom of stack */
    }
    uint32_t l3 = off + (uint32_t)rd_pos(&r, pkt->data + off);
    uint8_t ver = rd_u8(&r) >> 4;
    if (r.err)
        return IOF_DROP_MPLS_TRUNCATED;
    if (ver != 4 && ver != 6)
        return IOF_DROP_MPLS_NOT_IP;
    return iof__decode_ip(pkt, l3);
}

iof__drop iof__l2_ethertype(iof__pkt *pkt, uint32_t off, uint16_t type)
{
    iof__rd r = iof__rd_at(pkt, off);
    for (;;) {
        switch (type) {
        case IOF_ETH_IPV4:
            return iof__l3_ipv4(pkt, off + (uint32_t)rd_pos(&r, pkt->data + off));
        case IOF_ETH_IPV6:
            return iof__l3_ipv6(pkt, off + (uint32_t)rd_pos(&r, pkt->data + off));
        case IOF_ETH_VLAN:
        case IOF_ETH_QINQ:
        case IOF_ETH_QINQ_OLD: {
            if (pkt->vlan_depth >= IOF_MAX_VLAN_DEPTH)
                return IOF_DROP_VLAN_TOO_DEEP;
            uint16_t tci = rd_be16(&r);
            type = rd_be16(&r);
            if (r.err)
                return IOF_DROP_VLAN_TRUNCATED;
            if (pkt->vlan_depth == 0)
                pkt->vlan_outer = (uint16_t)(tci & 0x0fff);
            pkt->vlan_depth++;
            pkt->notes |= IOF_NOTE(VLAN);
            continue; /* each tag advances 4 bytes; depth bounded above */
        }
        case IOF_ETH_ARP:
        case IOF_ETH_RARP:
            return IOF_DROP_ARP;
        case IOF_ETH_PPPOE_SESS:
            return pppoe_session(pkt, off + (uint32_t)rd_pos(&r, pkt->data + off));
        case IOF_ETH_PPPOE_DISC:
            return IOF_DROP_PPPOE_NOT_SESSION;
        case IOF_ETH_MPLS:
        case IOF_ETH_MPLS_MC:
            return mpls(pkt, off + (uint32_t)rd_pos(&r, pkt->data + off));
        default:
            /* < 0x0600: 802.3 length field (LLC/SNAP follows); others: EAPOL, LLDP, ... */
            return IOF_DROP_NOT_IP;
        }
    }
}

/* PPP protocol numbers carrying IP (directly or under MPLS labels); anything else (LCP 0xc021,
 * IPCP 0x8021, ...) is not IP. */
iof__drop iof__l2_ppp_proto(iof__pkt *pkt, uint32_t off, uint16_t proto)
{
    switch (proto) {
    case IOF_PPP_IPV4: return iof__l3_ipv4(pkt, off);
    case IOF_PPP_IPV6: return iof__l3_ipv6(pkt, off);
    case IOF_PPP_MPLS:
    case IOF_PPP_MPLS_MC: return mpls(pkt, off);
    default: return IOF_DROP_PPP_NOT_IP;
    }
}

/* LINKTYPE_PPP (9) and PPP_HDLC (50): optional HDLC address/control ff 03, then a 1- or
 * 2-byte protocol field (RFC 1661 protocol-field compression: an odd first byte is a
 * complete 1-byte protocol). */
iof__drop iof__l2_ppp(iof__pkt *pkt)
{
    iof__rd r = iof__rd_at(pkt, 0);
    uint8_t b0 = rd_u8(&r);
    if (!r.err && b0 == 0xff) {
        uint8_t ctl = rd_u8(&r);
        if (!r.err && ctl != 0x03)
            return IOF_DROP_PPP_NOT_IP;
        b0 = rd_u8(&r);
    }
    uint16_t proto = b0;
    if (!r.err && (b0 & 1) == 0)
        proto = (uint16_t)(proto << 8 | rd_u8(&r));
    if (r.err)
        return IOF_DROP_PPPOE_TRUNCATED;
    return iof__l2_ppp_proto(pkt, (uint32_t)rd_pos(&r, pkt->data), proto);
}
