/* Packet builder: Ethernet (+802.1Q / QinQ) + IPv4/IPv6 + TCP/UDP/ICMP/ICMPv6/IGMP/other,
 * with correct IP and transport checksums; plus ARP frames.
 *
 * Used by the synthetic generator (src/synth/) and by tests and tools that need exact frames.
 * No allocation, no global state: every call writes into the caller's buffer.
 *
 * Conventions
 *  - Multi-byte spec fields (ports, seq, ack, ids, VLAN TCIs) are host-order numbers; the
 *    builder writes them big-endian. Addresses are byte arrays in network order.
 *  - vlan[i] is the whole TCI (PCP/DEI/VID). vlan[0] is the outer tag. With n_vlan == 1 the
 *    tag uses TPID 0x8100; with n_vlan == 2 the outer uses 0x88a8 and the inner 0x8100.
 *  - ipver 4: 20-byte header, no options, DF set for TCP, ttl and ip_id as given.
 *    ipver 6: 40-byte header, flow label 0, hop limit = ttl, next header = proto.
 *  - proto 6 (TCP): 20-byte header (no options), flags/seq/ack/win as given, urgent 0.
 *  - proto 17 (UDP): 8-byte header.
 *  - proto 1 (ICMP) and 58 (ICMPv6): 8-byte header; type/code from icmp_type/icmp_code and
 *    the 4 "rest of header" bytes = sport (identifier) then dport (sequence); use 0/0 for
 *    error messages, whose payload is the offending datagram's start.
 *  - proto 2 (IGMP): the payload IS the IGMP message (>= 4 bytes); the builder fills its
 *    checksum at payload offset 2 (whatever the caller put there is ignored).
 *  - any other proto: payload follows the IP header unchanged.
 *  - Frames shorter than 60 bytes (the Ethernet minimum without FCS) are zero-padded to 60;
 *    the IP total length excludes the padding.
 */
#ifndef IOF_SYNTH_PKT_H
#define IOF_SYNTH_PKT_H

#include <stddef.h>
#include <stdint.h>

typedef struct iof__pktspec {
    const uint8_t *src_mac, *dst_mac;
    uint16_t vlan[2];
    int n_vlan; /* 0..2; outer first; outer of two uses TPID 0x88a8 */
    int ipver;  /* 4 or 6 */
    const uint8_t *src_ip, *dst_ip; /* 4 or 16 bytes */
    uint8_t ttl;
    uint16_t ip_id;
    uint8_t proto;
    uint16_t sport, dport;
    uint8_t tcp_flags;
    uint32_t seq, ack;
    uint16_t win;
    uint8_t icmp_type, icmp_code;
    const uint8_t *payload;
    size_t payload_len;
} iof__pktspec;

/* TCP flag bits for iof__pktspec.tcp_flags. */
enum {
    IOF_TCP_FIN = 0x01, IOF_TCP_SYN = 0x02, IOF_TCP_RST = 0x04, IOF_TCP_PSH = 0x08,
    IOF_TCP_ACK = 0x10, IOF_TCP_URG = 0x20
};

/* Largest frame the builder will produce: 14 + 2*4 + 40 + 20 + 65535 payload, rounded. */
#define IOF_PKT_MAX_FRAME 65635u

/* Builds one frame into buf (capacity cap). Returns the frame length (>= 60), or 0 when cap is
 * too small, ipver/n_vlan are invalid, or the IP datagram would exceed 65535 bytes. */
size_t iof__pkt_build(uint8_t *buf, size_t cap, const iof__pktspec *s);

/* Same, with the transport payload's checksum contribution precomputed by the caller
 * (payload_sum = iof__csum_partial(payload, payload_len, 0), or any value congruent to it
 * modulo 0xffff); lets a generator reuse sums of pooled payload bytes. */
size_t iof__pkt_build_sum(uint8_t *buf, size_t cap, const iof__pktspec *s, uint64_t payload_sum);

/* ARP request (op 1) or reply (op 2) over Ethernet/IPv4, padded to 60 bytes.
 * sha/tha: sender/target hardware address; spa/tpa: sender/target IPv4. The Ethernet source is
 * sha; the Ethernet destination is eth_dst (ff:ff:ff:ff:ff:ff for a broadcast request).
 * Returns 60, or 0 when cap < 60. */
size_t iof__pkt_build_arp(uint8_t *buf, size_t cap, const uint8_t *eth_dst, uint16_t op,
                          const uint8_t sha[6], const uint8_t spa[4], const uint8_t tha[6],
                          const uint8_t tpa[4]);

/* Internet checksum helpers (RFC 1071). iof__csum_partial adds the 16-bit big-endian words of
 * p[0..n) (an odd last byte is the high half of a word) to sum and returns the unfolded sum;
 * data must start at an even offset of the checksummed region. iof__csum_fold folds and
 * complements into the value to store. */
uint64_t iof__csum_partial(const uint8_t *p, size_t n, uint64_t sum);
uint16_t iof__csum_fold(uint64_t sum);

#endif
