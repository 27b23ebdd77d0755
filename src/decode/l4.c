/* Transport headers: TCP, UDP, ICMP/ICMPv6; anything else is "other" (ports 0, the whole IP
 * payload is payload).
 *
 * Two lengths for the same bytes:
 *   ip_pl = L4 bytes on the wire (ip_end - l4_off), from the IP length fields;
 *   cap   = L4 bytes captured AND inside the datagram (min(ip_end, caplen) - l4_off).
 * payload_len is derived from ip_pl (and the UDP length), payload_caplen from cap, so Ethernet
 * padding and bytes past the snaplen are never payload.
 *
 * Order of checks for TCP/UDP: minimum header beyond the datagram -> L4_BEYOND_DATAGRAM (a
 * property of the packet, not of the snaplen); fewer than 4 bytes captured -> L4_NOT_CAPTURED;
 * then the ports are known and snaplen truncation inside the rest of the header is only noted
 * (TCP_HDR_TRUNCATED / UDP_HDR_TRUNCATED). HAS_PORTS is set only on IOF_DROP_OK.
 */
#include "decode/decode_int.h"

static inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* Payload [l4_off + hlen, ...) of `pl_len` wire bytes; `cap` L4 bytes are captured. */
static inline void set_payload(iof__pkt *pkt, uint32_t l4_off, uint32_t hlen, uint32_t cap,
                               uint32_t pl_len)
{
    pkt->l4_hlen = hlen;
    pkt->payload_len = pl_len;
    if (cap >= hlen) {
        pkt->payload_off = l4_off + hlen;
        pkt->payload_caplen = min_u32(cap - hlen, pl_len);
    } else {
        pkt->payload_off = l4_off + cap; /* end of what was captured: stays <= caplen */
        pkt->payload_caplen = 0;
    }
}

static iof__drop tcp(iof__pkt *pkt, iof__rd r, uint32_t l4_off, uint32_t ip_pl, uint32_t cap)
{
    if (ip_pl < 20)
        return IOF_DROP_L4_BEYOND_DATAGRAM;
    if (cap < 4)
        return IOF_DROP_L4_NOT_CAPTURED;
    pkt->sport = rd_be16(&r);
    pkt->dport = rd_be16(&r);
    if (cap >= 8)
        pkt->tcp_seq = rd_be32(&r);
    if (cap >= 12)
        pkt->tcp_ack = rd_be32(&r);
    if (cap < 13) {
        /* data offset not captured: assume the minimal 20-byte header for the wire length */
        pkt->notes |= IOF_NOTE(TCP_HDR_TRUNCATED);
        set_payload(pkt, l4_off, 20, cap, ip_pl - 20);
        pkt->flags |= IOF_PKT_HAS_PORTS;
        return IOF_DROP_OK;
    }
    uint32_t hlen = (uint32_t)(rd_u8(&r) >> 4) * 4;
    if (hlen < 20)
        return IOF_DROP_TCP_HLEN_TOO_SMALL;
    if (hlen > ip_pl)
        return IOF_DROP_L4_BEYOND_DATAGRAM;
    if (cap >= 14)
        pkt->tcp_flags = rd_u8(&r);
    if (cap >= 16)
        pkt->tcp_win = rd_be16(&r);
    if (cap < hlen)
        pkt->notes |= IOF_NOTE(TCP_HDR_TRUNCATED);
    set_payload(pkt, l4_off, hlen, cap, ip_pl - hlen);
    pkt->flags |= IOF_PKT_HAS_PORTS;
    return IOF_DROP_OK;
}

static iof__drop udp(iof__pkt *pkt, iof__rd r, uint32_t l4_off, uint32_t ip_pl, uint32_t cap,
                    bool len_zero_ok)
{
    if (ip_pl < 8)
        return IOF_DROP_L4_BEYOND_DATAGRAM;
    if (cap < 4)
        return IOF_DROP_L4_NOT_CAPTURED;
    pkt->sport = rd_be16(&r);
    pkt->dport = rd_be16(&r);
    if (cap < 8) {
        /* length (or checksum) not captured: trust the IP length */
        pkt->notes |= IOF_NOTE(UDP_HDR_TRUNCATED);
        set_payload(pkt, l4_off, 8, cap, ip_pl - 8);
        pkt->flags |= IOF_PKT_HAS_PORTS;
        return IOF_DROP_OK;
    }
    uint32_t ulen = rd_be16(&r);
    if (ulen == 0 && len_zero_ok) {
        ulen = ip_pl; /* RFC 2675 jumbogram / GSO capture: length from IP */
    } else if (ulen < 8) {
        return IOF_DROP_UDP_LEN_INVALID;
    } else if (ulen > ip_pl) {
        /* A first fragment carries only part of the datagram the UDP length describes; an IP
         * length clamped to a short frame (IP_LEN_GT_WIRE) already says the frame is damaged. */
        bool partial = (pkt->flags & IOF_PKT_FIRST_FRAG) || (pkt->notes & IOF_NOTE(IP_LEN_GT_WIRE));
        if (!partial)
            return IOF_DROP_UDP_LEN_INVALID;
        ulen = ip_pl;
    }
    set_payload(pkt, l4_off, 8, cap, ulen - 8);
    pkt->flags |= IOF_PKT_HAS_PORTS;
    return IOF_DROP_OK;
}

static iof__drop icmp(iof__pkt *pkt, iof__rd r, uint32_t l4_off, uint32_t ip_pl, uint32_t cap)
{
    /* No ports (flow key uses 0/0). Type/code when captured; an ICMP message shorter than its
     * 8-byte header is kept with no payload. */
    if (cap >= 1)
        pkt->icmp_type = rd_u8(&r);
    if (cap >= 2)
        pkt->icmp_code = rd_u8(&r);
    uint32_t hlen = min_u32(8, ip_pl);
    set_payload(pkt, l4_off, hlen, cap, ip_pl - hlen);
    return IOF_DROP_OK;
}

iof__drop iof__l4(iof__pkt *pkt, uint32_t l4_off, uint32_t ip_end, bool len_zero_ok)
{
    /* Callers guarantee l4_off <= ip_end <= wirelen and l4_off <= caplen. */
    uint32_t cap_end = min_u32(ip_end, pkt->caplen);
    uint32_t ip_pl = ip_end - l4_off;
    uint32_t cap = cap_end - l4_off;
    iof__rd r = iof__rd_span(pkt, l4_off, cap_end);
    pkt->l4_off = l4_off;

    switch (pkt->proto) {
    case IOF_IPPROTO_TCP:
        return tcp(pkt, r, l4_off, ip_pl, cap);
    case IOF_IPPROTO_UDP:
        return udp(pkt, r, l4_off, ip_pl, cap, len_zero_ok);
    case IOF_IPPROTO_ICMP:
        if (pkt->ipver == 4)
            return icmp(pkt, r, l4_off, ip_pl, cap);
        break;
    case IOF_IPPROTO_ICMPV6:
        if (pkt->ipver == 6)
            return icmp(pkt, r, l4_off, ip_pl, cap);
        break;
    default:
        break;
    }
    set_payload(pkt, l4_off, 0, cap, ip_pl);
    return IOF_DROP_OK;
}

void iof__l4_fragment_data(iof__pkt *pkt, uint32_t l4_off, uint32_t ip_end)
{
    uint32_t cap_end = min_u32(ip_end, pkt->caplen);
    pkt->l4_off = l4_off;
    set_payload(pkt, l4_off, 0, cap_end - l4_off, ip_end - l4_off);
}
