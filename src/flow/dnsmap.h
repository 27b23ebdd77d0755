/* The run's DNS map: which names each client resolved to each address, learnt from the DNS
 * responses the capture holds, for the label rules' `dns` condition (docs/LABELS.md "DNS
 * names"). A response from port 53 (UDP, or a TCP segment holding one whole message) to client
 * C with NOERROR and A / AAAA answers associates every answer address X with the names of the
 * message: the question's name, the answers' owner names and the CNAME targets (lowercase).
 * A record of device D and remote R then has the names of (D, R) learnt at or before its first
 * packet.
 *
 * Deterministic whatever thread builds the row and whenever: associations are only added, in
 * packet order, each stamped with its packet's feed number (the run counts the packets it feeds
 * its name maps: 1, 2, ...); a record is stamped with the count when it is emitted (its
 * horizon: IOF_NAMES_HORIZON), and a lookup sees only associations of packets up to it. Lookups may run on other threads than the one feeding the map (the Parquet helper):
 * a read-write lock guards the tables; name texts never move once stored.
 *
 * Bounded: at most max_assoc associations (a cap set at create), IOF_DNSMAP_MAX_PER_PAIR
 * names per (client, address) and IOF_DNSMAP_MAX_NAME_BYTES of name text; what does not fit
 * is counted, never silently lost. */
#ifndef IOF_FLOW_DNSMAP_H
#define IOF_FLOW_DNSMAP_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

#define IOF_DNSMAP_MAX_ASSOC (1u << 19)        /* associations at most (~60 MB with their names) */
#define IOF_DNSMAP_MIN_ASSOC 4096u             /* the smallest cap a small --max-memory gives */
#define IOF_DNSMAP_ASSOC_COST 256u             /* bytes an association may cost, all told: the cap
                                                  is --max-memory / this, clamped to the two above */
#define IOF_DNSMAP_MAX_PER_PAIR 64u            /* names per (client, address): IOF_RULES_MAX_DNS */
#define IOF_DNSMAP_MAX_NAME_BYTES (32u << 20)  /* distinct name text kept */
#define IOF_DNSMAP_MSG_NAMES 16u               /* names taken from one response */
#define IOF_DNSMAP_MSG_ADDRS 32u               /* addresses taken from one response */

typedef struct iof__dnsmap iof__dnsmap;

typedef struct iof__dnsmap_stats {
    uint64_t responses;      /* DNS responses read (port 53, QR set) */
    uint64_t not_dns;        /* port-53 payloads that are no DNS message, or a TCP segment that
                                does not hold exactly one message */
    uint64_t damaged;        /* responses that end inside a record (what came before is kept) */
    uint64_t no_answer;      /* responses with another opcode, an error rcode, or no A / AAAA
                                answer of the client's IP version */
    uint64_t answers;        /* A / AAAA answers read */
    uint64_t other_family;   /* answers of another IP version than the client's: no record can
                                have both as its addresses */
    uint64_t beyond_message; /* names or addresses of a response beyond IOF_DNSMAP_MSG_* */
    uint64_t assoc;          /* associations (client, address, name) kept */
    uint64_t known;          /* associations seen again (kept once, at their first time) */
    uint64_t dropped_cap;    /* associations not kept: the map is full */
    uint64_t dropped_pair;   /* not kept: the pair has IOF_DNSMAP_MAX_PER_PAIR names */
    uint64_t dropped_text;   /* not kept: IOF_DNSMAP_MAX_NAME_BYTES of names are stored */
    uint64_t max_assoc;      /* the cap in force */
} iof__dnsmap_stats;

/* max_memory: the run's --max-memory in bytes (0: none): the cap on associations follows it. */
int iof__dnsmap_create(iof__dnsmap **out, uint64_t max_memory);
void iof__dnsmap_destroy(iof__dnsmap *m);

/* Learns from a decoded packet, the run's fed-th (anything else than a DNS response is
 * ignored). IOF_OK or IOF_E_NOMEM. One feeding thread, fed increasing. */
int iof__dnsmap_packet(iof__dnsmap *m, const iof__pkt *p, uint64_t fed);

/* Names of (client, addr) of IP version ipver learnt at or before `at_ns` from packets fed up
 * to `horizon`, in the order they were learnt: up to max into out (pointers valid until the
 * map is destroyed). Returns how many. Any thread. */
size_t iof__dnsmap_lookup(const iof__dnsmap *m, uint8_t ipver, const uint8_t client[16],
                          const uint8_t addr[16], int64_t at_ns, uint64_t horizon, const char **out,
                          size_t max);

/* Counters (the feeding thread only). */
void iof__dnsmap_get_stats(const iof__dnsmap *m, iof__dnsmap_stats *st);

#endif
