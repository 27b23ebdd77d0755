/* Linux netfilter NFLOG (LINKTYPE_NFLOG 239): what `tcpdump -i nflog:N` writes for the packets
 * that iptables (-j NFLOG --nflog-group N) or nftables (log group N) rules log.
 *
 * Layout (tcpdump.org/linktypes/LINKTYPE_NFLOG.html, libpcap pcap/nflog.h):
 *   header  family(1) version(1) resource id(2, network order)
 *   TLVs    length(2) type(2) value; the length counts the 4-byte TLV header and the value,
 *           not the padding that brings each TLV to a multiple of 4 bytes. Length and type are
 *           netlink attribute fields, in the byte order of the host that captured; the values
 *           are in network order (or raw bytes). The type's top two bits are netlink flags
 *           (NLA_F_NESTED, NLA_F_NET_BYTEORDER) and are masked off.
 *   NFULA_PAYLOAD (9) holds the packet from its network header on (no link-layer header).
 *
 * Byte order. A frame does not say which host captured it: live capture gives the host's order,
 * libpcap swaps the TLV headers of a file written on a host of the other byte order when it
 * reads it, our own reader passes the bytes as written. So the order is detected per frame from
 * the first TLV: in the right order its length is >= 4 and fits in the frame, and its type
 * (flags masked) is below 0x100. The kernel's types are 1..21, which read in the other order
 * are multiples of 0x100, so the two readings cannot both pass unless the type is 0 (never
 * sent). Little-endian (x86, ARM and most MIPS home routers) is tried first. A first TLV that
 * passes in neither order is NFLOG_TLV_INVALID. (Wireshark's "Auto" preference guesses from the
 * TLV types the same way.)
 *
 * Walk. TLVs are followed within the wire length up to the first NFULA_PAYLOAD (the kernel
 * writes it last); each step advances >= 4 bytes, so the walk is bounded by the frame. A TLV
 * header not captured before the payload was found is NFLOG_TRUNCATED, a length < 4 or past the
 * end of the frame NFLOG_TLV_INVALID, no payload TLV NFLOG_NO_PAYLOAD (rules logging without
 * a copy of the packet).
 *
 * Payload. The IP decoders see the payload TLV's value as the frame: pkt->caplen is clipped to
 * its end, so padding and later TLVs are never payload. The kernel copies at most its copy range
 * of the packet (libpcap asks for the snaplen), so a value shorter than the IP header's own
 * length is a capture cut, not damage: pkt->wirelen becomes the end of the IP packet by its
 * length field (kept, noted ip.datagram_truncated, as for a snaplen cut), else the end of the
 * value. Family AF_INET (2) -> IPv4, AF_INET6 (10) -> IPv6 (a version nibble that disagrees is
 * ip.bad_version); other families (ARP 3, bridge 7, netdev 5) are NFLOG_NOT_IP.
 *
 * MACs. NFULA_HWADDR (8) {address length(2, network order), pad(2), address(8)} is the source
 * address of the frame the packet arrived in; the kernel adds it only for packets that came in
 * on an interface (PREROUTING, INPUT, FORWARD). When its length is 6 it becomes src_mac: the
 * sender's MAC, as for Linux cooked captures, so an inventory attributes a device's upstream
 * packets by MAC. No destination MAC is taken: NFULA_HWHEADER (16) holds the whole received MAC
 * header, but on the router that logs, a routed packet's frame is addressed to the router
 * itself, never to the destination device; attribution uses the inventory's IPs for the
 * receiving side instead (as for SLL).
 */
#include "decode/decode_int.h"

enum {
    NFLOG_HDR_LEN = 4,
    TLV_HDR_LEN = 4,
    TLV_TYPE_MASK = 0x3fff, /* without NLA_F_NESTED / NLA_F_NET_BYTEORDER */
    NFULA_HWADDR = 8,
    NFULA_PAYLOAD = 9,
    NFLOG_AF_INET = 2,
    NFLOG_AF_INET6 = 10,
};

static inline uint16_t tlv16(iof__rd *r, bool be) { return be ? rd_be16(r) : rd_le16(r); }

/* The first TLV header at `off` is plausible in this byte order (see the file comment). */
static bool order_fits(const iof__pkt *pkt, uint32_t off, bool be)
{
    iof__rd r = iof__rd_at(pkt, off);
    uint32_t len = tlv16(&r, be);
    uint32_t type = tlv16(&r, be) & TLV_TYPE_MASK;
    return !r.err && len >= TLV_HDR_LEN && len <= pkt->wirelen - off && type < 0x100;
}

/* src_mac from an NFULA_HWADDR value [off, end) when it holds a 6-byte address. */
static void take_hwaddr(iof__pkt *pkt, uint32_t off, uint32_t end)
{
    iof__rd r = iof__rd_span(pkt, off, end);
    uint16_t alen = rd_be16(&r);
    rd_skip(&r, 2);
    const uint8_t *mac = rd_bytes(&r, 6);
    if (r.err || alen != 6)
        return;
    iof__rd m = rd_init(mac, 6);
    rd_copy(&m, pkt->src_mac, 6);
    pkt->flags |= IOF_PKT_HAS_SRC_MAC;
}

/* End of the IP packet in the value [off, end), by its own length field when that is longer
 * than the value (the kernel's copy range cut it), else `end`. */
static uint64_t ip_wire_end(const iof__pkt *pkt, uint32_t off, uint32_t end, uint8_t family)
{
    iof__rd r = iof__rd_span(pkt, off, end);
    uint64_t claimed;
    if (family == NFLOG_AF_INET) {
        rd_skip(&r, 2);
        claimed = rd_be16(&r); /* total length */
    } else {
        rd_skip(&r, 4);
        claimed = 40u + (uint64_t)rd_be16(&r); /* header + payload length */
    }
    if (r.err || claimed <= end - off)
        return end;
    return (uint64_t)off + claimed;
}

/* The IP packet is the value [off, end), end <= wirelen. */
static iof__drop nflog_payload(iof__pkt *pkt, uint32_t off, uint32_t end, uint8_t family)
{
    uint64_t wire_end = ip_wire_end(pkt, off, end, family);
    if (pkt->caplen > end)
        pkt->caplen = end;
    pkt->wirelen = wire_end > UINT32_MAX ? UINT32_MAX : (uint32_t)wire_end; /* >= end >= caplen */
    return family == NFLOG_AF_INET ? iof__l3_ipv4(pkt, off) : iof__l3_ipv6(pkt, off);
}

iof__drop iof__l2_nflog(iof__pkt *pkt)
{
    iof__rd r = iof__rd_at(pkt, 0);
    uint8_t family = rd_u8(&r);
    rd_skip(&r, 3); /* version, resource id */
    if (r.err)
        return IOF_DROP_NFLOG_TRUNCATED;
    if (family != NFLOG_AF_INET && family != NFLOG_AF_INET6)
        return IOF_DROP_NFLOG_NOT_IP;

    uint32_t off = NFLOG_HDR_LEN;
    if (pkt->wirelen - off < TLV_HDR_LEN)
        return IOF_DROP_NFLOG_NO_PAYLOAD;
    if (pkt->caplen - off < TLV_HDR_LEN)
        return IOF_DROP_NFLOG_TRUNCATED;
    bool be;
    if (order_fits(pkt, off, false))
        be = false;
    else if (order_fits(pkt, off, true))
        be = true;
    else
        return IOF_DROP_NFLOG_TLV_INVALID;

    /* off <= wirelen throughout: checked before every step. */
    while (pkt->wirelen - off >= TLV_HDR_LEN) {
        iof__rd t = iof__rd_at(pkt, off);
        uint32_t len = tlv16(&t, be);
        uint32_t type = tlv16(&t, be) & TLV_TYPE_MASK;
        if (t.err)
            return IOF_DROP_NFLOG_TRUNCATED;
        if (len < TLV_HDR_LEN || len > pkt->wirelen - off)
            return IOF_DROP_NFLOG_TLV_INVALID;
        if (type == NFULA_PAYLOAD)
            return nflog_payload(pkt, off + TLV_HDR_LEN, off + len, family);
        if (type == NFULA_HWADDR)
            take_hwaddr(pkt, off + TLV_HDR_LEN, off + len);
        uint32_t step = (len + 3) & ~3u;
        if (step > pkt->wirelen - off)
            break; /* last TLV without its padding */
        off += step;
    }
    return IOF_DROP_NFLOG_NO_PAYLOAD;
}
