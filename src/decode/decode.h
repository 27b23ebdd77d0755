/* decode: one captured frame -> a fixed packet summary (iof__pkt). No allocation, no logging,
 * never fails the run: returns IOF_DROP_OK or the one drop reason, and sets note bits.
 * Every byte is read through src/common/rd.h. (YAF yfDecodeToPBuf idea.)
 */
#ifndef IOF_DECODE_DECODE_H
#define IOF_DECODE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/reasons.h"

#define IOF_MAX_VLAN_DEPTH 8   /* QinQ stacks seen in practice are 2 deep; 8 is generous */
#define IOF_MAX_IP6_EXT 16     /* extension headers followed before giving up */
#define IOF_MAX_MPLS_DEPTH 16  /* MPLS labels followed; VPN stacks are 2-3, SR-MPLS ~10 */

/* LINKTYPE_* values (tcpdump.org/linktypes.html) iotflow decodes. */
enum {
    IOF_LINKTYPE_NULL = 0,        /* BSD loopback, host-endian 4-byte family */
    IOF_LINKTYPE_ETHERNET = 1,
    IOF_LINKTYPE_PPP = 9,
    IOF_LINKTYPE_RAW = 101,       /* raw IPv4/IPv6 (also DLT_RAW 12 and 14 on some systems) */
    IOF_LINKTYPE_LOOP = 108,      /* OpenBSD loopback, network-order family */
    IOF_LINKTYPE_LINUX_SLL = 113,
    IOF_LINKTYPE_IPV4 = 228,
    IOF_LINKTYPE_IPV6 = 229,
    IOF_LINKTYPE_NFLOG = 239,     /* Linux netfilter log: header + TLVs, the IP packet in one */
    IOF_LINKTYPE_LINUX_SLL2 = 276,
};

enum iof_pkt_flags {
    IOF_PKT_HAS_SRC_MAC = 1u << 0, /* src_mac valid */
    IOF_PKT_HAS_DST_MAC = 1u << 1, /* dst_mac valid */
    IOF_PKT_HAS_PORTS = 1u << 2,   /* sport/dport come from a captured L4 header (or frag table) */
    IOF_PKT_FRAGMENT = 1u << 3,    /* IPv4/IPv6 fragment */
    IOF_PKT_FIRST_FRAG = 1u << 4,  /* fragment with offset 0 (carries the L4 header) */
    IOF_PKT_MORE_FRAGS = 1u << 5,  /* MF bit set */
};

typedef struct iof__pkt {
    /* record */
    int64_t ts_ns;          /* timestamp, ns since the Unix epoch */
    uint32_t caplen;        /* captured bytes (after clamping to wirelen) */
    uint32_t wirelen;       /* original length on the wire */
                            /* NFLOG: both describe the IP packet in the payload TLV, counted
                             * from data (l2_nflog.c): its captured end and its wire end */
    uint32_t linktype;
    const uint8_t *data;    /* captured frame: borrowed, valid until the next packet */

    uint32_t flags;         /* IOF_PKT_* */
    uint32_t notes;         /* IOF_NOTE(...) bits */

    /* L2 */
    uint8_t src_mac[6];
    uint8_t dst_mac[6];
    uint8_t vlan_depth;
    uint16_t vlan_outer;    /* outermost VLAN id (0 if untagged) */

    /* L3 */
    uint8_t ipver;          /* 4 or 6 */
    uint8_t proto;          /* transport protocol (after IPv6 extension headers) */
    uint8_t ttl;            /* IPv4 TTL / IPv6 hop limit */
    uint8_t src_ip[16];     /* IPv4 in the first 4 bytes, rest zero */
    uint8_t dst_ip[16];
    uint32_t ip_len;        /* IP packet length: IPv4 total length; IPv6 40 + payload length */
    uint32_t ip_id;         /* IPv4 identification / IPv6 fragment identification */
    uint32_t frag_offset;   /* fragment offset in bytes */
    uint32_t l3_off;        /* offset of the IP header in data */

    /* L4 (valid when IOF_PKT_HAS_PORTS, except ports come from the frag table for later
     * fragments, which have no L4 header: then l4_off = payload_off = start of the fragment
     * data and payload_caplen covers the fragment's data) */
    uint16_t sport, dport;  /* ICMP/ICMPv6/other: 0 */
    uint8_t tcp_flags;
    uint8_t icmp_type, icmp_code;
    uint16_t tcp_win;
    uint32_t tcp_seq, tcp_ack;
    uint32_t l4_off;        /* offset of the L4 header in data */
    uint32_t l4_hlen;       /* L4 header length (TCP data offset*4, UDP 8, ICMP 8) */
    uint32_t payload_off;   /* offset of the transport payload in data */
    uint32_t payload_caplen;/* payload bytes captured AND inside the IP datagram */
    uint32_t payload_len;   /* payload bytes on the wire (from IP/L4 lengths) */
} iof__pkt;

/* Decodes one frame. data/caplen/wirelen straight from the capture (caplen > wirelen is
 * clamped and noted). Fills *pkt (always fully initialised) and returns OK or a drop reason.
 * For non-first fragments ports are left 0 and IOF_PKT_HAS_PORTS clear: resolve them with
 * the fragment table (decode/frag.h). */
iof__drop iof__decode(iof__pkt *pkt, uint32_t linktype, const uint8_t *data, uint32_t caplen,
                     uint32_t wirelen, int64_t ts_ns);

/* Decodes starting at an IP header (used by link decoders and tests). */
iof__drop iof__decode_ip(iof__pkt *pkt, uint32_t l3_off);

/* True if iotflow has a decoder for this link type. */
bool iof__linktype_supported(uint32_t linktype);
const char *iof__linktype_name(uint32_t linktype);

#endif
