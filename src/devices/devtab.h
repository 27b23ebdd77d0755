/* Device discovery: a table of devices keyed by MAC address, fed one decoded packet at a time
 * (the pipeline's packet observer), and what it learns about each: traffic, own addresses, the
 * public addresses behind it, DHCP hostname and vendor class, DHCP server activity, mDNS names,
 * SSDP SERVER/LOCATION. Memory is bounded by named caps whatever the capture holds; what a cap
 * drops is counted. No allocation per packet (rows and the fact set grow by doubling).
 *
 * Rows exist for unicast, non-zero MACs only (group and all-zero MACs are never devices).
 * "Own" addresses are source IPs of frames the MAC sends; a MAC behind which many public
 * addresses appear (IOF_DEV_NEXTHOP_V4/_V6) is a next hop, and its public sources are then
 * the hosts it forwards for, not its own.
 */
#ifndef IOF_DEVICES_DEVTAB_H
#define IOF_DEVICES_DEVTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/inventory.h"

#define IOF_DEVTAB_MAX_DEVICES IOF_MAX_DEVICES /* rows: what one inventory may hold (65,536) */
#define IOF_DEV_MAX_IPS IOF_MAX_DEVICE_IPS      /* own addresses kept per device and family of
                                                   address (local / public): the inventory's cap */
#define IOF_DEV_MAX_MDNS 4                      /* mDNS names kept per device */
#define IOF_DEV_STR 64                          /* bytes kept of a DHCP or mDNS string */
#define IOF_DEV_SSDP_STR 128                    /* bytes kept of SSDP SERVER / LOCATION */
#define IOF_DEV_MAX_FACTS 262144                /* distinct (device, address/name) facts counted
                                                   over all devices (~7 MB) */
#define IOF_DEV_MAX_ROUTER_IPS 8                /* gateway addresses announced by DHCP servers */
#define IOF_DEV_MAX_MDNS_RRS 256                /* records looked at per mDNS message */
#define IOF_DEV_NEXTHOP_V4 3 /* distinct public IPv4 addresses behind a MAC that make it an L2 next
                                hop (a host owns one; a router forwards for every remote) */
#define IOF_DEV_NEXTHOP_V6 8 /* the same for IPv6, where a host owns a few (stable, temporary) */
/* A MAC also is a next hop when packets from a public source reach the capture through it with
 * a TTL / hop limit that is not an initial value (32, 64, 128, 255): they crossed a router. A
 * host that owns a public address sends with its initial value. This catches the gateway of a
 * short capture that shows one or two remote hosts. */

typedef struct iof__dev_addr {
    uint8_t ver; /* 4 or 6 */
    uint8_t a[16];
} iof__dev_addr;

typedef struct iof__devrow {
    uint8_t mac[6];
    bool sent;                      /* sent at least one frame (only those are listed) */
    int64_t first_ns, last_ns;      /* sent or received */
    uint64_t pkts_sent, pkts_recv, bytes_sent, bytes_recv; /* frames, wire bytes */
    uint8_t n_local, n_public;      /* addresses kept below */
    iof__dev_addr local[IOF_DEV_MAX_IPS];  /* own private/link-local/ULA sources, first seen first */
    iof__dev_addr public_[IOF_DEV_MAX_IPS];/* own (or forwarded) public sources */
    uint32_t local_total, public_total;   /* distinct such sources seen */
    uint32_t side_v4, side_v6;      /* distinct public addresses on this MAC's side of frames */
    uint32_t forwarded;             /* distinct public sources whose packets it sent with a
                                       decremented TTL / hop limit */
    char dhcp_host[IOF_DEV_STR];    /* DHCP option 12, the latest non-empty */
    char dhcp_vc[IOF_DEV_STR];      /* DHCP option 60, the latest non-empty */
    uint32_t dhcp_replies;          /* OFFER/ACK/NAK sent (a DHCP server) */
    uint32_t dhcp_clients;          /* distinct client MACs those went to */
    uint8_t n_mdns;
    uint8_t mdns_host;              /* bit i: mdns[i] is a host name (A/AAAA, reverse PTR) */
    char mdns[IOF_DEV_MAX_MDNS][IOF_DEV_STR];
    uint32_t mdns_total;            /* distinct names seen */
    uint32_t mdns_foreign;          /* responses about another host's address (mDNS proxy or
                                       reflector): their names are not taken */
    char ssdp_server[IOF_DEV_SSDP_STR], ssdp_location[IOF_DEV_SSDP_STR];
} iof__devrow;

typedef struct iof__devtab_stats {
    uint64_t packets;        /* packets seen */
    uint64_t without_mac;    /* ... without a source MAC (raw IP, loopback: no device) */
    uint64_t rows_dropped;   /* packets whose new MAC found the table full */
    uint64_t facts_dropped;  /* address/name facts not counted: the fact set was full */
    uint64_t values_dropped; /* distinct addresses/names beyond a per-device cap, and gateway
                                addresses beyond IOF_DEV_MAX_ROUTER_IPS */
    uint64_t dhcp, mdns, ssdp;  /* messages used */
    uint64_t malformed;      /* DHCP/mDNS/SSDP payloads that did not parse to the end */
} iof__devtab_stats;

typedef struct iof__devtab iof__devtab;

/* NULL when out of memory. */
iof__devtab *iof__devtab_create(void);
void iof__devtab_free(iof__devtab *t);

/* One decoded packet (frame bytes borrowed). Never fails: a full cap is counted; an allocation
 * failure is counted as a drop and remembered (iof__devtab_nomem). */
void iof__devtab_packet(iof__devtab *t, const iof__pkt *p);

bool iof__devtab_nomem(const iof__devtab *t);
void iof__devtab_get_stats(const iof__devtab *t, iof__devtab_stats *st);

/* Rows (every MAC met, also receive-only ones), in no particular order. */
size_t iof__devtab_count(const iof__devtab *t);
const iof__devrow *iof__devtab_row(const iof__devtab *t, size_t i);

/* Gateway addresses DHCP servers announced (option 3). */
size_t iof__devtab_router_ips(const iof__devtab *t, const iof__dev_addr **ips);

/* The row is an L2 next hop: public addresses of a family behind it reach the threshold, or it
 * sent forwarded packets (see IOF_DEV_NEXTHOP_V6). */
bool iof__devrow_is_next_hop(const iof__devrow *r);

/* MACs that can be devices: not a group address (I/G bit), not all zero. */
bool iof__mac_is_device(const uint8_t mac[6]);

#endif
