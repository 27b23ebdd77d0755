/* Fragment table: gives non-first IP fragments the ports of their datagram's first fragment,
 * so later fragments belong to their datagram's flow (spec/customflow.md §6).
 *
 * Decisions:
 * - Key: (ipver, src, dst, proto, ip_id); IPv4 id is 16 bits, IPv6 the 32-bit fragment id.
 *   Value: (sport, dport). Only TCP and UDP datagrams are tracked; fragments of other
 *   protocols (ICMP, ESP, ...) have port 0/0 by definition and pass through untouched.
 * - No reassembly and no payload kept: a decoder never allocates and packet bytes are
 *   borrowed, so only the ports are remembered.
 * - Out of order: a later fragment arriving BEFORE its first fragment cannot be attributed
 *   when it is processed (the packet cannot be held back: its bytes are borrowed), so it is
 *   returned as IOF_DROP_FRAG_ORPHAN and counted in `orphans`. No "pending" record is kept;
 *   the first fragment, when it arrives, is handled normally (its own ports are known).
 * - Time: the table clock is the largest packet timestamp seen (never moves back). An entry
 *   expires when clock - last_use > timeout_ns (last_use is refreshed by every fragment of the
 *   datagram). Expired entries are removed lazily: a few from the LRU tail per call, and any
 *   entry found expired on lookup (that later fragment is then an orphan).
 * - Bounded memory: `capacity` entries allocated once at create (one calloc: entry pool +
 *   bucket array, chained hashing by index). When the pool is full the least recently used
 *   entry is replaced (counted in `evicted`, or `expired` if it had timed out anyway).
 * - Completion: each entry tracks the data bytes seen contiguously from offset 0; once the last
 *   fragment (MF=0) has given the datagram's length and every byte up to it was seen, the
 *   entry is marked done: it no longer counts as live and is the cheapest to reuse, but it
 *   stays findable so late duplicates of its fragments still get their ports (the corpus has
 *   captures with duplicated fragments). Done entries that are reused or time out are not
 *   counted as evicted/expired. A first fragment that hits a done entry (IPv4 id reuse)
 *   starts a new datagram.
 * - Call iof__fragtab_resolve() for packets iof__decode() returned IOF_DROP_OK for; a first
 *   fragment whose ports were not decoded (no IOF_PKT_HAS_PORTS) is not remembered.
 * - Hashing uses a per-table seed; results never depend on the hash (eviction is LRU).
 * - Not thread-safe: one table per pipeline thread (or a lock around it).
 */
#ifndef IOF_DECODE_FRAG_H
#define IOF_DECODE_FRAG_H

#include <stdint.h>

#include "decode/decode.h"

/* 16M entries (~1 GiB) is far beyond any real need; larger requests are refused. */
#define IOF_FRAGTAB_MAX_CAPACITY (1u << 24)

typedef struct iof__fragtab iof__fragtab;

/* Allocates the whole table once. capacity 0 is treated as 1. Returns NULL when out of memory
 * or capacity > IOF_FRAGTAB_MAX_CAPACITY. */
iof__fragtab *iof__fragtab_create(uint32_t capacity, int64_t timeout_ns);
void iof__fragtab_destroy(iof__fragtab *t); /* NULL is a no-op */

/* First fragment (IOF_PKT_FIRST_FRAG with ports): remembers the ports, returns OK.
 * Later fragment: fills sport/dport and sets IOF_PKT_HAS_PORTS, or returns
 * IOF_DROP_FRAG_ORPHAN when there is no live entry. Non-fragments and non-TCP/UDP
 * fragments: OK, untouched. */
iof__drop iof__fragtab_resolve(iof__fragtab *t, iof__pkt *pkt);

typedef struct {
    uint64_t inserted; /* first fragments remembered */
    uint64_t resolved; /* later fragments given ports */
    uint64_t orphans;  /* later fragments with no (live) entry */
    uint64_t evicted;  /* live entries replaced because the table was full */
    uint64_t expired;  /* entries dropped after timeout_ns without use */
} iof__fragtab_stats;

void iof__fragtab_get_stats(const iof__fragtab *t, iof__fragtab_stats *st);

/* Datagrams still waiting for fragments (done entries excluded). */
uint32_t iof__fragtab_live(const iof__fragtab *t);

#endif
