/* The run's SNI map: the TLS server name (RFC 6066 server_name, first host_name) each TCP
 * connection's client asked for in its ClientHello, learnt from the capture, for the label
 * rules' `sni` condition (docs/LABELS.md "TLS server names"). A ClientHello is recognised at
 * the start of a segment (a handshake record, then handshake type 1), read whole from that
 * segment or gathered from the next in-order segments of the same direction, and parsed with
 * proto/tls.h. A record of the connection (either side the client) then has its name, when the
 * hello came at or before the record's last packet.
 *
 * Deterministic as the DNS map (flow/dnsmap.h): connections are only added, in packet order,
 * each stamped with its packet's feed number; a lookup sees those up to the record's horizon.
 * A later connection on the same five-tuple (a port reused) is added too, also when its hello
 * gives no name (a nameless entry): a lookup takes the newest one its time and horizon allow.
 * A read-write lock guards lookups from other threads.
 *
 * Bounded: connections by --max-memory (IOF_SNIMAP_*_CONNS), name text, and the hellos being
 * gathered at once (IOF_SNIMAP_PENDING, IOF_SNIMAP_MAX_HELLO bytes each); what does not fit is
 * counted. */
#ifndef IOF_FLOW_SNIMAP_H
#define IOF_FLOW_SNIMAP_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

#define IOF_SNIMAP_MAX_CONNS (1u << 18)      /* connections with a name at most (~40 MB) */
#define IOF_SNIMAP_MIN_CONNS 4096u           /* the smallest cap a small --max-memory gives */
#define IOF_SNIMAP_CONN_COST 160u            /* bytes a connection may cost, all told: the cap
                                                is --max-memory / this, clamped to the two above */
#define IOF_SNIMAP_MAX_NAME_BYTES (16u << 20) /* distinct name text kept */
#define IOF_SNIMAP_MAX_NAME 255u             /* a host_name longer than a DNS name is damaged */
#define IOF_SNIMAP_PENDING 256u              /* hellos gathered over segments at once */
#define IOF_SNIMAP_MAX_HELLO 16389u          /* bytes gathered for one hello: a full record
                                                (2^14) and its header; a bigger one is not read */
#define IOF_SNIMAP_STALE_NS (10LL * 1000000000LL) /* a gathering idle this long gives its slot
                                                     to a new hello when all are taken */

typedef struct iof__snimap iof__snimap;

typedef struct iof__snimap_stats {
    uint64_t hellos;         /* ClientHello starts seen (a retransmitted one again, unless its
                                hello is being gathered) */
    uint64_t named;          /* hellos read whole with a host_name */
    uint64_t no_name;        /* hellos read whole without one (a connection to an address) */
    uint64_t gathered;       /* of the hellos read whole, those over more than one segment */
    uint64_t damaged;        /* malformed hellos, or a host_name empty or over IOF_SNIMAP_MAX_NAME */
    uint64_t too_long;       /* over IOF_SNIMAP_MAX_HELLO bytes, or over more than one record */
    uint64_t cut;            /* bytes missing: snaplen, a gap or a reordering in the segments */
    uint64_t pending_full;   /* not gathered: IOF_SNIMAP_PENDING hellos were being gathered */
    uint64_t pending_dropped;/* gatherings given up: stale (their slot taken), or at the end */
    uint64_t stale;          /* of which stale: a new hello took the slot */
    uint64_t conns;          /* connections with a name kept */
    uint64_t known;          /* a connection's hello seen again (kept once) */
    uint64_t dropped_cap;    /* names not kept: the map is full */
    uint64_t dropped_text;   /* not kept: IOF_SNIMAP_MAX_NAME_BYTES of names are stored */
    uint64_t masks;          /* nameless entries: a hello that gave no name on a five-tuple
                                whose older connection had one (that name is not the new one's) */
    uint64_t masks_dropped;  /* masks not kept: the map is full (the older name shows through) */
    uint64_t max_conns;      /* the cap in force */
} iof__snimap_stats;

/* max_memory: the run's --max-memory in bytes (0: none). */
int iof__snimap_create(iof__snimap **out, uint64_t max_memory);
void iof__snimap_destroy(iof__snimap *m);

/* Learns from a decoded packet, the run's fed-th (anything but TCP data is ignored). IOF_OK
 * or IOF_E_NOMEM. One feeding thread, fed increasing. */
int iof__snimap_packet(iof__snimap *m, const iof__pkt *p, uint64_t fed);

/* The server name of the TCP connection between (a_ip, a_port) and (b_ip, b_port) of IP
 * version ipver, either side the client, from a hello at or before at_ns fed up to horizon:
 * the newest such; NULL if none. Valid until the map is destroyed. Any thread. */
const char *iof__snimap_lookup(const iof__snimap *m, uint8_t ipver, const uint8_t a_ip[16], uint16_t a_port,
                               const uint8_t b_ip[16], uint16_t b_port, int64_t at_ns, uint64_t horizon);

/* Counters (the feeding thread only); the gatherings still open are counted as
 * pending_dropped (at the end of the run). */
void iof__snimap_get_stats(const iof__snimap *m, iof__snimap_stats *st);

#endif
