/* BSD loopback: NULL (0) carries the address family as a 4-byte integer in the byte order of
 * the host that wrote the file, so both orders are accepted (the family values are small, so
 * the two readings cannot be confused). LOOP (108) is the same in network byte order.
 * AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD) or 30 (macOS).
 * Some old captures carry an Ethernet type in the last two bytes instead of a family (seen in
 * the corpus; Wireshark's null dissector accepts it too): 0x0800 / 0x86dd there are accepted
 * when neither byte order gives a known family.
 */
#include "decode/decode_int.h"

static inline int family_ipver(uint32_t fam)
{
    switch (fam) {
    case 2: return 4;
    case 24:
    case 28:
    case 30: return 6;
    default: return 0;
    }
}

static iof__drop loop_ip(iof__pkt *pkt, int ver)
{
    if (ver == 4)
        return iof__l3_ipv4(pkt, 4);
    if (ver == 6)
        return iof__l3_ipv6(pkt, 4);
    return IOF_DROP_NULL_UNKNOWN_FAMILY;
}

iof__drop iof__l2_null(iof__pkt *pkt)
{
    iof__rd r = iof__rd_at(pkt, 0);
    const uint8_t *f = rd_bytes(&r, 4);
    if (r.err)
        return IOF_DROP_NULL_TRUNCATED;
    iof__rd le = rd_init(f, 4), be = rd_init(f, 4);
    int ver = family_ipver(rd_le32(&le));
    if (ver == 0) {
        uint32_t fam = rd_be32(&be);
        ver = family_ipver(fam);
        if (ver == 0 && (fam & 0xffff) == IOF_ETH_IPV4)
            ver = 4;
        else if (ver == 0 && (fam & 0xffff) == IOF_ETH_IPV6)
            ver = 6;
    }
    return loop_ip(pkt, ver);
}

iof__drop iof__l2_loop(iof__pkt *pkt)
{
    iof__rd r = iof__rd_at(pkt, 0);
    uint32_t fam = rd_be32(&r);
    if (r.err)
        return IOF_DROP_NULL_TRUNCATED;
    return loop_ip(pkt, family_ipver(fam));
}
