/* IPv6 (RFC 8200) and its extension-header chain.
 *
 * ip_len = 40 + payload length, clamped to the wire bytes after L2 (note IP_LEN_GT_WIRE).
 * Payload length 0 is impossible for a real packet unless the next header is No Next Header
 * (59), so: with a hop-by-hop Jumbo Payload option (RFC 2675) the jumbo length is used (note
 * IPV6_JUMBO); otherwise, if the wire has more than the 40-byte header, it is a TSO/GRO capture
 * and the wire bytes are used (note IP_LEN_FROM_WIRE).
 *
 * Extension headers followed (at most IOF_MAX_IP6_EXT, each advances >= 8 bytes): hop-by-hop
 * (0), routing (43), fragment (44), destination options (60), mobility (135), HIP (139), shim6
 * (140), AH (51; length (len+2)*4). ESP (50), No Next Header (59) and everything else end the
 * chain; proto is that value. A header extending past the datagram is IPV6_EXT_INVALID, one
 * past the capture IPV6_EXT_TRUNCATED.
 *
 * Fragment header: offset != 0 -> later fragment (no L4). An "atomic fragment" (offset 0,
 * M = 0, RFC 6946) is a whole datagram: ip_id is recorded but it is not flagged a fragment
 * (several atomic fragment headers in one chain are tolerated, as tshark does). A second
 * real fragment header in one chain is FRAG_INVALID. For a later fragment, proto is the
 * fragment header's next header (normally the transport protocol; an extension header placed
 * after the fragment header, which is rare, cannot be seen in later fragments).
 */
#include "decode/decode_int.h"

/* Jumbo Payload option value inside the hop-by-hop header at `off`, 0 if absent. */
static uint32_t find_jumbo(const iof__pkt *pkt, uint32_t off)
{
    iof__rd r = iof__rd_at(pkt, off);
    rd_skip(&r, 1);
    uint32_t hbh_len = ((uint32_t)rd_u8(&r) + 1) * 8;
    if (r.err || !rd_has(&r, hbh_len - 2))
        return 0;
    iof__rd o = rd_sub(&r, hbh_len - 2);
    while (rd_left(&o) > 0) {
        uint8_t type = rd_u8(&o);
        if (type == 0) /* Pad1 */
            continue;
        uint8_t len = rd_u8(&o);
        if (o.err)
            return 0;
        if (type == 0xc2 && len == 4) {
            uint32_t v = rd_be32(&o);
            return o.err ? 0 : v;
        }
        rd_skip(&o, len);
        if (o.err)
            return 0;
    }
    return 0;
}

static inline bool is_ext(uint8_t nh)
{
    switch (nh) {
    case IOF_IPPROTO_HOPOPTS:
    case IOF_IPPROTO_ROUTING:
    case IOF_IPPROTO_FRAGMENT:
    case IOF_IPPROTO_DSTOPTS:
    case IOF_IPPROTO_MH:
    case IOF_IPPROTO_HIP:
    case IOF_IPPROTO_SHIM6:
    case IOF_IPPROTO_AH:
        return true;
    default:
        return false;
    }
}

iof__drop iof__l3_ipv6(iof__pkt *pkt, uint32_t off)
{
    pkt->l3_off = off;
    iof__rd r = iof__rd_at(pkt, off);
    uint8_t b0 = rd_u8(&r);
    if (r.err)
        return IOF_DROP_IPV6_TRUNCATED;
    if ((b0 >> 4) != 6)
        return IOF_DROP_IP_BAD_VERSION;
    pkt->ipver = 6;
    rd_skip(&r, 3); /* traffic class, flow label */
    uint16_t plen = rd_be16(&r);
    uint8_t nh = rd_u8(&r);
    uint8_t hlim = rd_u8(&r);
    rd_copy(&r, pkt->src_ip, 16);
    rd_copy(&r, pkt->dst_ip, 16);
    if (r.err)
        return IOF_DROP_IPV6_TRUNCATED;
    pkt->ttl = hlim;
    pkt->proto = nh;

    uint32_t wire = pkt->wirelen - off; /* >= 40: the header is captured */
    uint64_t ip_len64 = 40u + (uint64_t)plen;
    bool from_wire = false;
    if (plen == 0 && nh != IOF_IPPROTO_NONE) {
        uint32_t jumbo = nh == IOF_IPPROTO_HOPOPTS ? find_jumbo(pkt, off + 40) : 0;
        if (jumbo != 0) {
            ip_len64 = 40u + (uint64_t)jumbo;
            from_wire = true;
            pkt->notes |= IOF_NOTE(IPV6_JUMBO);
        } else if (wire > 40) {
            ip_len64 = wire;
            from_wire = true;
            pkt->notes |= IOF_NOTE(IP_LEN_FROM_WIRE);
        }
    }
    if (ip_len64 > wire) {
        ip_len64 = wire;
        pkt->notes |= IOF_NOTE(IP_LEN_GT_WIRE);
    }
    uint32_t ip_len = (uint32_t)ip_len64;
    pkt->ip_len = ip_len;
    uint32_t ip_end = off + ip_len; /* <= wirelen */
    if (ip_end > pkt->caplen)
        pkt->notes |= IOF_NOTE(IP_TRUNCATED);

    uint32_t cur = off + 40;
    bool saw_frag = false, have_id = false;
    for (unsigned n = 0; is_ext(nh); n++) {
        if (n >= IOF_MAX_IP6_EXT)
            return IOF_DROP_IPV6_EXT_TOO_MANY;
        pkt->notes |= IOF_NOTE(IPV6_EXT);
        if (ip_end - cur < 2) /* cur <= ip_end holds: every step is checked below */
            return IOF_DROP_IPV6_EXT_INVALID;
        iof__rd e = iof__rd_at(pkt, cur);
        uint8_t next = rd_u8(&e);
        uint8_t hl = rd_u8(&e);
        if (e.err)
            return IOF_DROP_IPV6_EXT_TRUNCATED;
        uint32_t elen = nh == IOF_IPPROTO_FRAGMENT ? 8u
                        : nh == IOF_IPPROTO_AH     ? ((uint32_t)hl + 2) * 4
                                                   : ((uint32_t)hl + 1) * 8;
        if (elen > ip_end - cur)
            return IOF_DROP_IPV6_EXT_INVALID;
        if (elen > pkt->caplen - cur)
            return IOF_DROP_IPV6_EXT_TRUNCATED;
        if (nh == IOF_IPPROTO_FRAGMENT) {
            uint16_t offflags = rd_be16(&e);
            uint32_t id = rd_be32(&e);
            if (e.err) /* cannot happen: 8 bytes are captured */
                return IOF_DROP_IPV6_EXT_TRUNCATED;
            uint32_t foff = offflags & 0xfff8u;
            bool more = (offflags & 1) != 0;
            if (foff != 0 || more) {
                if (saw_frag)
                    return IOF_DROP_FRAG_INVALID;
                saw_frag = have_id = true;
                pkt->ip_id = id;
                uint32_t data_len = ip_end - (cur + 8);
                pkt->flags |= IOF_PKT_FRAGMENT;
                pkt->notes |= IOF_NOTE(FRAGMENT);
                pkt->frag_offset = foff;
                if (more)
                    pkt->flags |= IOF_PKT_MORE_FRAGS;
                if ((uint64_t)foff + data_len > 65535 || (more && data_len == 0))
                    return IOF_DROP_FRAG_INVALID;
                if (foff != 0) {
                    pkt->proto = next;
                    iof__l4_fragment_data(pkt, cur + 8, ip_end);
                    return IOF_DROP_OK;
                }
                pkt->flags |= IOF_PKT_FIRST_FRAG;
            } else if (!have_id) {
                have_id = true;
                pkt->ip_id = id; /* atomic fragment: whole datagram, id kept for reference */
            }
        }
        cur += elen;
        nh = next;
    }
    pkt->proto = nh;
    return iof__l4(pkt, cur, ip_end, from_wire);
}
