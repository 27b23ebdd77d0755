/* Linux cooked capture: SLL (113, 16-byte header) and SLL2 (276, 20-byte header).
 *
 * MACs: the header has one link-layer address, the *sender's* (for incoming and outgoing
 * packets alike), so src_mac is set when the address length is 6. There is no destination
 * address: for packet type 0 (PACKET_HOST, "to us") the destination is the capturing host,
 * whose MAC the capture does not hold, so HAS_DST_MAC stays clear. Only for packet type 1
 * (PACKET_BROADCAST) is the destination known: ff:ff:ff:ff:ff:ff.
 * The protocol field is an ethertype for Ethernet-like devices; 1 (802.3) and 4 (802.2 LLC)
 * and anything else non-IP end as NOT_IP. Netlink captures (ARPHRD_NETLINK) are not IP.
 */
#include "decode/decode_int.h"

enum {
    SLL_HOST = 0,
    SLL_BROADCAST = 1,
    ARPHRD_NETLINK = 824,
};

static iof__drop sll_common(iof__pkt *pkt, uint32_t hdr_len, uint16_t pkttype, uint16_t hatype,
                           uint32_t halen, const uint8_t *addr, uint16_t proto)
{
    if (halen == 6) {
        iof__rd a = rd_init(addr, 6);
        rd_copy(&a, pkt->src_mac, 6);
        pkt->flags |= IOF_PKT_HAS_SRC_MAC;
    }
    if (pkttype == SLL_BROADCAST) {
        for (int i = 0; i < 6; i++)
            pkt->dst_mac[i] = 0xff;
        pkt->flags |= IOF_PKT_HAS_DST_MAC;
    }
    if (hatype == ARPHRD_NETLINK)
        return IOF_DROP_NOT_IP;
    return iof__l2_ethertype(pkt, hdr_len, proto);
}

/* SLL: pkttype(2) hatype(2) halen(2) addr(8) protocol(2) */
iof__drop iof__l2_sll(iof__pkt *pkt)
{
    iof__rd r = iof__rd_at(pkt, 0);
    uint16_t pkttype = rd_be16(&r);
    uint16_t hatype = rd_be16(&r);
    uint16_t halen = rd_be16(&r);
    const uint8_t *addr = rd_bytes(&r, 8);
    uint16_t proto = rd_be16(&r);
    if (r.err)
        return IOF_DROP_SLL_TRUNCATED;
    return sll_common(pkt, 16, pkttype, hatype, halen, addr, proto);
}

/* SLL2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8) */
iof__drop iof__l2_sll2(iof__pkt *pkt)
{
    iof__rd r = iof__rd_at(pkt, 0);
    uint16_t proto = rd_be16(&r);
    rd_skip(&r, 6);
    uint16_t hatype = rd_be16(&r);
    uint8_t pkttype = rd_u8(&r);
    uint8_t halen = rd_u8(&r);
    const uint8_t *addr = rd_bytes(&r, 8);
    if (r.err)
        return IOF_DROP_SLL_TRUNCATED;
    return sll_common(pkt, 20, pkttype, hatype, halen, addr, proto);
}
