/* IPv4 (RFC 791). Checks in order, one reason each (Suricata DecodeIPV4Packet idea, minus its
 * "captured < total length is invalid" rule: snaplen truncation is only noted).
 *
 * ip_len (what flow byte counts use):
 *   - total length, when hlen <= total length <= wire bytes after L2 (Ethernet padding after
 *     the datagram is never counted);
 *   - total length 0 with more than a header's worth of wire bytes: a TSO/GRO capture (the
 *     NIC fills the length in later), so the wire bytes are used (note IP_LEN_FROM_WIRE);
 *   - total length > wire bytes: clamped to the wire bytes (note IP_LEN_GT_WIRE).
 */
#include "decode/decode_int.h"

iof__drop iof__l3_ipv4(iof__pkt *pkt, uint32_t off)
{
    pkt->l3_off = off;
    iof__rd r = iof__rd_at(pkt, off);
    uint8_t vihl = rd_u8(&r);
    if (r.err)
        return IOF_DROP_IPV4_TRUNCATED;
    if ((vihl >> 4) != 4)
        return IOF_DROP_IP_BAD_VERSION;
    pkt->ipver = 4;
    uint32_t hlen = (uint32_t)(vihl & 0x0f) * 4;
    if (hlen < 20)
        return IOF_DROP_IPV4_HLEN_TOO_SMALL;

    rd_skip(&r, 1); /* TOS */
    uint16_t totlen = rd_be16(&r);
    uint16_t id = rd_be16(&r);
    uint16_t fragw = rd_be16(&r);
    uint8_t ttl = rd_u8(&r);
    uint8_t proto = rd_u8(&r);
    rd_skip(&r, 2); /* checksum */
    const uint8_t *src = rd_bytes(&r, 4);
    const uint8_t *dst = rd_bytes(&r, 4);
    rd_skip(&r, hlen - 20); /* options */
    if (r.err)
        return IOF_DROP_IPV4_TRUNCATED;

    iof__rd a = rd_init(src, 4), b = rd_init(dst, 4);
    rd_copy(&a, pkt->src_ip, 4);
    rd_copy(&b, pkt->dst_ip, 4);
    pkt->ttl = ttl;
    pkt->proto = proto;
    pkt->ip_id = id;
    if (hlen > 20)
        pkt->notes |= IOF_NOTE(IPV4_OPTIONS);

    /* off <= caplen <= wirelen, and the header is captured, so wire >= hlen. */
    uint32_t wire = pkt->wirelen - off;
    uint32_t ip_len;
    bool from_wire = false;
    if (totlen == 0 && wire > hlen) {
        ip_len = wire;
        from_wire = true;
        pkt->notes |= IOF_NOTE(IP_LEN_FROM_WIRE);
    } else if (totlen < hlen) {
        return IOF_DROP_IPV4_TOTLEN_TOO_SMALL;
    } else if (totlen > wire) {
        ip_len = wire;
        pkt->notes |= IOF_NOTE(IP_LEN_GT_WIRE);
    } else {
        ip_len = totlen;
    }
    pkt->ip_len = ip_len;
    uint32_t ip_end = off + ip_len; /* <= wirelen: no overflow */
    if (ip_end > pkt->caplen)
        pkt->notes |= IOF_NOTE(IP_TRUNCATED);

    uint32_t foff = (uint32_t)(fragw & 0x1fff) * 8;
    bool mf = (fragw & 0x2000) != 0;
    if (mf || foff != 0) {
        uint32_t data_len = ip_len - hlen;
        pkt->flags |= IOF_PKT_FRAGMENT;
        pkt->notes |= IOF_NOTE(FRAGMENT);
        pkt->frag_offset = foff;
        if (mf)
            pkt->flags |= IOF_PKT_MORE_FRAGS;
        /* A datagram ends at 65535 bytes; a non-last fragment must carry data. */
        if (foff + data_len > 65535 || (mf && data_len == 0))
            return IOF_DROP_FRAG_INVALID;
        if (foff != 0) {
            iof__l4_fragment_data(pkt, off + hlen, ip_end);
            return IOF_DROP_OK;
        }
        pkt->flags |= IOF_PKT_FIRST_FRAG;
    }
    return iof__l4(pkt, off + hlen, ip_end, from_wire);
}
