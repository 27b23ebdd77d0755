/* Decode outcomes and anomaly notes: one enum, one stable counter name each (Suricata
 * decode-events.c idea). Names appear in the run summary and the stats JSON: never rename one.
 *
 * DROP reasons: the packet is not turned into a flow record (exactly one reason per packet).
 * NOTE flags:   the packet is kept, but something about it is worth counting (several may apply).
 */
#ifndef IOF_DECODE_REASONS_H
#define IOF_DECODE_REASONS_H

/* X(ENUM, "counter.name", "what it means") */
#define IOF_DROP_REASONS(X)                                                                  \
    X(OK, "ok", "decoded")                                                                   \
    X(CAPLEN_ZERO, "pkt.caplen_zero", "record with no captured bytes")                       \
    X(LINKTYPE_UNSUPPORTED, "link.unsupported", "link type iotflow does not decode")         \
    X(ETH_TRUNCATED, "eth.truncated", "Ethernet header not fully captured")                  \
    X(VLAN_TRUNCATED, "vlan.truncated", "802.1Q/802.1ad tag not fully captured")             \
    X(VLAN_TOO_DEEP, "vlan.too_deep", "more stacked VLAN tags than IOF_MAX_VLAN_DEPTH")      \
    X(MPLS_TRUNCATED, "mpls.truncated", "MPLS label stack (or the byte after it) not fully captured") \
    X(MPLS_TOO_DEEP, "mpls.too_deep", "more MPLS labels than IOF_MAX_MPLS_DEPTH")            \
    X(MPLS_NOT_IP, "mpls.not_ip", "no IPv4/IPv6 after the MPLS label stack (pseudowire, Ethernet over MPLS, ...)") \
    X(SLL_TRUNCATED, "sll.truncated", "Linux cooked (SLL/SLL2) header not fully captured")   \
    X(NULL_TRUNCATED, "null.truncated", "BSD loopback header not fully captured")            \
    X(NULL_UNKNOWN_FAMILY, "null.unknown_family", "BSD loopback family is not IPv4/IPv6")    \
    X(NFLOG_TRUNCATED, "nflog.truncated", "NFLOG header, or a TLV header before the payload, not captured") \
    X(NFLOG_NOT_IP, "nflog.not_ip", "NFLOG address family other than AF_INET (2) / AF_INET6 (10)") \
    X(NFLOG_TLV_INVALID, "nflog.tlv_invalid", "NFLOG TLV length < 4 or past the end of the frame (in either byte order)") \
    X(NFLOG_NO_PAYLOAD, "nflog.no_payload", "NFLOG message without a packet payload (NFULA_PAYLOAD) TLV") \
    X(PPPOE_TRUNCATED, "pppoe.truncated", "PPPoE/PPP header not fully captured")             \
    X(PPPOE_NOT_SESSION, "pppoe.discovery", "PPPoE discovery stage (no IP inside)")          \
    X(PPP_NOT_IP, "ppp.not_ip", "PPP frame carrying a non-IP protocol (LCP, IPCP, ...)")     \
    X(ARP, "l2.arp", "ARP/RARP frame (no IP flow)")                                          \
    X(NOT_IP, "l2.not_ip", "other non-IP frame (EAPOL, LLC, LLDP, ...)")                     \
    X(IP_BAD_VERSION, "ip.bad_version", "IP version nibble does not match the link's claim") \
    X(IPV4_TRUNCATED, "ipv4.truncated", "IPv4 header not fully captured")                    \
    X(IPV4_HLEN_TOO_SMALL, "ipv4.hlen_too_small", "IPv4 IHL < 5")                            \
    X(IPV4_TOTLEN_TOO_SMALL, "ipv4.totlen_too_small", "IPv4 total length < header length")   \
    X(IPV6_TRUNCATED, "ipv6.truncated", "IPv6 header not fully captured")                    \
    X(IPV6_EXT_TRUNCATED, "ipv6.ext_truncated", "IPv6 extension header not fully captured")  \
    X(IPV6_EXT_TOO_MANY, "ipv6.ext_too_many", "more extension headers than IOF_MAX_IP6_EXT") \
    X(IPV6_EXT_INVALID, "ipv6.ext_invalid", "extension header longer than the datagram")     \
    X(FRAG_ORPHAN, "frag.orphan", "non-first fragment whose first fragment was never seen")  \
    X(FRAG_INVALID, "frag.invalid", "fragment offset/length impossible")                     \
    X(L4_NOT_CAPTURED, "l4.not_captured", "ports not captured (snaplen too small)")          \
    X(TCP_HLEN_TOO_SMALL, "tcp.hlen_too_small", "TCP data offset < 5")                       \
    X(UDP_LEN_INVALID, "udp.len_invalid", "UDP length < 8 or beyond the IP datagram")        \
    X(L4_BEYOND_DATAGRAM, "l4.beyond_datagram", "L4 header extends past the IP datagram")

#define IOF_NOTES(X)                                                                         \
    X(CAPLEN_GT_LEN, "pkt.caplen_gt_len", "captured length > wire length (clamped)")         \
    X(IP_TRUNCATED, "ip.datagram_truncated", "IP datagram cut by snaplen (kept, wire length used)") \
    X(IP_LEN_GT_WIRE, "ip.len_gt_wire", "IP length field larger than the frame (clamped)")   \
    X(TCP_HDR_TRUNCATED, "tcp.header_truncated", "TCP header cut after the ports (kept)")    \
    X(IPV4_OPTIONS, "ipv4.options", "IPv4 header with options")                              \
    X(IPV6_EXT, "ipv6.ext_headers", "IPv6 packet with extension headers")                    \
    X(FRAGMENT, "ip.fragment", "IPv4/IPv6 fragment")                                         \
    X(VLAN, "vlan.tagged", "frame with at least one VLAN tag")                                \
    X(IP_LEN_FROM_WIRE, "ip.len_from_wire", "IPv4 total length / IPv6 payload length 0 (TSO/GRO capture): wire length used") \
    X(IPV6_JUMBO, "ipv6.jumbo", "IPv6 jumbogram: length from the hop-by-hop Jumbo Payload option") \
    X(UDP_HDR_TRUNCATED, "udp.header_truncated", "UDP header cut after the ports (kept, length unchecked)") \
    X(MPLS, "mpls.labelled", "frame with an MPLS label stack")

typedef enum iof__drop {
#define IOF_DROP_ENUM_(e, name, doc) IOF_DROP_##e,
    IOF_DROP_REASONS(IOF_DROP_ENUM_)
#undef IOF_DROP_ENUM_
    IOF_DROP__COUNT
} iof__drop;

typedef enum iof__note_bit {
#define IOF_NOTE_ENUM_(e, name, doc) IOF_NOTEB_##e,
    IOF_NOTES(IOF_NOTE_ENUM_)
#undef IOF_NOTE_ENUM_
    IOF_NOTE__COUNT
} iof__note_bit;

#define IOF_NOTE(e) (1u << IOF_NOTEB_##e)

const char *iof__drop_name(iof__drop d);
const char *iof__drop_doc(iof__drop d);
const char *iof__note_name(unsigned bit);
const char *iof__note_doc(unsigned bit);

#endif
