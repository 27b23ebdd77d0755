/* The run's application map: the application protocol nDPI (libndpi, optional at build time)
 * finds for each connection of the capture, for the label rules' `app` condition
 * (docs/LABELS.md "Applications"). A connection is a five-tuple (either way round: the key is
 * canonical) from its first packet until, for TCP, a SYN with another sequence number starts a
 * new one on the five-tuple (a TCP connection idle for minutes goes on), for other protocols
 * until it idles IOF_APPMAP_IDLE_NS. Each connection's whole IP packets (one cut by the snaplen
 * is skipped) go through nDPI's detection, as nDPI's own ndpiReader feeds it:
 *  - once nDPI names a protocol while it still reads (a TLS certificate, a DNS response), the
 *    name is published at once (SHOWN: a record written meanwhile has it);
 *  - the answer is settled (IOF_APPMAP_BY_*) when nDPI names a protocol and wants no further
 *    packet (DONE), after IOF_APPMAP_TCP_PACKETS / IOF_APPMAP_UDP_PACKETS packets (LIMIT), when
 *    a custom-flow record (in a run whose table is custom flows) or a Joy flow of the
 *    connection is written while it is still read (RECORD: iof__appmap_settle), when the connection ends (ENDED), or when its inspection slot is
 *    needed (FULL: IOF_APPMAP_INSPECT connections are read at once, the longest idle gives way).
 * The settled answer is what nDPI named, else its give-up guess (from the ports and addresses it
 * knows), as ndpiReader; nDPI's Unknown leaves `app` missing. Names are nDPI's
 * (ndpi_protocol2name: "DNS", "TLS.Amazon", "HTTP.Google"...).
 *
 * Deterministic as the DNS map (flow/dnsmap.h): connections and answers are only added, in
 * packet order, each stamped with a feed number (a connection's: its first packet's; an
 * answer's: the packet it was given at); a lookup with a record's horizon takes the newest
 * connection of the key added by then whose first packet is at or before the record's last
 * packet, and its newest answer given by then. A read-write lock guards lookups from other
 * threads.
 *
 * Bounded: connections per run by --max-memory (IOF_APPMAP_*_CONNS; without it a fixed cap, so
 * labels do not depend on the machine), answers by connections, inspections by
 * IOF_APPMAP_INSPECT; what does not fit is counted, and a connection not kept never shows an
 * older connection's answer. */
#ifndef IOF_FLOW_APPMAP_H
#define IOF_FLOW_APPMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

#define IOF_APPMAP_MAX_CONNS (1u << 19)  /* connections kept at most per run (~80 MB with their
                                            answers and the index) */
#define IOF_APPMAP_MIN_CONNS 4096u       /* the smallest cap a small --max-memory gives */
#define IOF_APPMAP_CONN_COST 160u        /* bytes a connection may cost, all told (104 + answers
                                            + index slots): the cap is
                                            --max-memory / this, clamped to the two above */
#define IOF_APPMAP_INSPECT 16384u        /* connections inspected at once: nDPI's flow state is
                                            688 bytes in 4.2, plus what it allocates (a TLS
                                            flow's names); ~16 MB at most */
#define IOF_APPMAP_TCP_PACKETS 80u       /* packets inspected at most: ndpiReader's defaults */
#define IOF_APPMAP_UDP_PACKETS 24u
#define IOF_APPMAP_IDLE_NS (120LL * 1000000000LL) /* a UDP (ICMP, ...) connection idle this long
                                                     has ended: the next packet of its five-tuple
                                                     starts another */
#define IOF_APPMAP_MAX_NAME 64u          /* "master.app" names are under 40 bytes */
#define IOF_APPMAP_MAX_SHOWN 4u          /* names published while a connection is read (nDPI
                                            refines one at most once or twice) */

typedef struct iof__appmap iof__appmap;

/* Why an answer was settled. */
enum iof__appmap_by {
    IOF_APPMAP_BY_DONE,    /* nDPI named a protocol and wanted no further packet */
    IOF_APPMAP_BY_LIMIT,   /* the packet limit */
    IOF_APPMAP_BY_RECORD,  /* a custom-flow record or Joy flow of it was written first */
    IOF_APPMAP_BY_ENDED,   /* it idled out, or a SYN started another connection on its key */
    IOF_APPMAP_BY_FULL,    /* its inspection slot was given to a new connection */
    IOF_APPMAP_BY__COUNT
};

typedef struct iof__appmap_stats {
    uint64_t packets;       /* packets of kept connections (each counted once) */
    uint64_t inspected;     /* of which given to nDPI (the rest came after the answer) */
    uint64_t cut;           /* of which not given: cut by the snaplen (as ndpiReader) */
    uint64_t shown;         /* names published while nDPI still read */
    uint64_t conns;         /* connections kept */
    uint64_t reused;        /* of which on a five-tuple an older connection had (port reuse,
                               or after IOF_APPMAP_IDLE_NS) */
    uint64_t settled[IOF_APPMAP_BY__COUNT];
    uint64_t named;         /* settled with a protocol nDPI detected */
    uint64_t guessed;       /* settled with nDPI's guess (detection gave up) */
    uint64_t unknown;       /* settled without an answer: `app` missing */
    uint64_t inspecting;    /* still inspected at the end of the run (no answer is kept) */
    uint64_t dropped_cap;   /* packets whose connection was not kept: the map was full (the
                               cap counts every connection of the run) */
    uint64_t dropped_name;  /* answers not kept: the name table is full (never seen) */
    uint64_t max_conns;     /* the cap in force */
} iof__appmap_stats;

/* True when this build has nDPI (IOF_HAVE_NDPI); else create fails with IOF_E_UNSUPPORTED. */
bool iof__appmap_available(void);

/* max_memory: the run's --max-memory in bytes (0: none). IOF_OK, IOF_E_NOMEM, or
 * IOF_E_UNSUPPORTED (no nDPI in this build). */
int iof__appmap_create(iof__appmap **out, uint64_t max_memory);
void iof__appmap_destroy(iof__appmap *m);

/* Learns from a decoded packet, the run's fed-th (IPv4 and IPv6; ports for TCP and UDP, 0 for
 * the others). IOF_OK or IOF_E_NOMEM. One feeding thread, fed increasing. */
int iof__appmap_packet(iof__appmap *m, const iof__pkt *p, uint64_t fed);

/* A custom-flow record or Joy flow of the connection (ipver, proto, a, b; ports 0 without),
 * whose last packet is at at_ns, is being written at feed number fed: the newest connection of the key that
 * began at or before at_ns, if still read, is settled now (IOF_APPMAP_BY_RECORD). The feeding
 * thread. IOF_OK or IOF_E_NOMEM. */
int iof__appmap_settle(iof__appmap *m, uint8_t ipver, uint8_t proto, const uint8_t a_ip[16], uint16_t a_port,
                       const uint8_t b_ip[16], uint16_t b_port, int64_t at_ns, uint64_t fed);

/* The application of the connection (ipver, proto, a, b) for a record whose last packet is at
 * at_ns and whose horizon is horizon (see above): NULL if none (no connection kept, no answer
 * by then, or nDPI's Unknown). Valid until the map is destroyed. Any thread. */
const char *iof__appmap_lookup(const iof__appmap *m, uint8_t ipver, uint8_t proto, const uint8_t a_ip[16],
                               uint16_t a_port, const uint8_t b_ip[16], uint16_t b_port, int64_t at_ns,
                               uint64_t horizon);

/* Counters (the feeding thread only). */
void iof__appmap_get_stats(const iof__appmap *m, iof__appmap_stats *st);

#endif
