/* The open-addressing index of the run's append-only tables (the string table, the DNS, SNI and
 * application maps): each slot holds an entry's id + 1 (0: empty), linear probing, at most half
 * full. The owner keeps the entries and their keys, hashes them and compares them while probing;
 * the index only places ids. Not thread-safe: the owner's lock covers it. */
#ifndef IOF_COMMON_IDX_H
#define IOF_COMMON_IDX_H

#include <stddef.h>
#include <stdint.h>

typedef struct iof__idx {
    uint32_t *slot;          /* id + 1, 0: empty (NULL until the first room) */
    size_t mask;             /* slots - 1 */
} iof__idx;

/* The hash of entry id, as the owner computes it for its key. */
typedef uint64_t (*iof__idx_hash_fn)(const void *owner, uint32_t id);

/* Room for one more slot when n are used: doubles the index (from 1024 slots) and places every
 * id it holds again. IOF_OK, or IOF_E_NOMEM with the index unchanged. */
int iof__idx_room(iof__idx *x, size_t n, iof__idx_hash_fn hash, const void *owner);
/* Puts id in the first empty slot from hash h (after iof__idx_room). */
void iof__idx_put(iof__idx *x, uint64_t h, uint32_t id);
void iof__idx_free(iof__idx *x);

/* A seed that spreads an index so hostile keys cannot aim at one slot: the time and the owner's
 * address. No output may depend on it. */
uint64_t iof__idx_seed(const void *owner);
/* The entry cap of a table whose entries cost `cost` bytes: bound / cost clamped to [lo, hi],
 * or hi without a bound (0: the run's maps then have a fixed cap, so labels do not depend on
 * the machine's memory). */
size_t iof__idx_cap(uint64_t bound, size_t cost, size_t lo, size_t hi);

/* Probing: s = iof__idx_first(x, h); while (x->slot[s]) { ... s = iof__idx_next(x, s); } */
static inline size_t iof__idx_first(const iof__idx *x, uint64_t h) { return (size_t)h & x->mask; }
static inline size_t iof__idx_next(const iof__idx *x, size_t s) { return (s + 1) & x->mask; }

#endif
