/* The open-addressing index of the run's append-only tables (the string table, the DNS, SNI and
 * application maps, the timeline's names): each slot holds an entry's id + 1 (0: empty) and the
 * high half of its key's hash (a tag), linear probing, at most half full. The owner keeps the
 * entries and their keys, hashes them and compares them; the index places ids and, through the
 * tag, compares a key with an entry only when their hashes agree. Why the tag: on the dense
 * capture the application map's lookup (one per packet, three for a new connection) compared
 * 1.39 keys per lookup, 0.85 of them another entry's: each a cache miss into the 6 MB
 * connection table (slot_of 3.1 % of `--features all`). Not thread-safe: the owner's lock
 * covers it. */
#ifndef IOF_COMMON_IDX_H
#define IOF_COMMON_IDX_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

typedef struct iof__idx {
    uint64_t *slot;          /* the hash's high 32 bits << 32 | id + 1; 0: empty (NULL until
                                the first room) */
    size_t mask;             /* slots - 1 */
} iof__idx;

/* The hash of entry id, as the owner computes it for its key. */
typedef uint64_t (*iof__idx_hash_fn)(const void *owner, uint32_t id);

/* Room for one more slot when n are used: doubles the index (from 1024 slots) and places every
 * id it holds again. IOF_OK, or IOF_E_NOMEM with the index unchanged. */
int iof__idx_room(iof__idx *x, size_t n, iof__idx_hash_fn hash, const void *owner);
/* Puts id in the first empty slot from hash h (after iof__idx_room). */
void iof__idx_put(iof__idx *x, uint64_t h, uint32_t id);
/* Puts id of hash h in slot s, which iof__idx_find gave for h (empty, or the entry id replaces
 * there: the newest of a key). */
static inline void iof__idx_set(iof__idx *x, size_t s, uint64_t h, uint32_t id)
{
    x->slot[s] = (h >> 32) << 32 | ((uint64_t)id + 1);
}
void iof__idx_free(iof__idx *x);

/* A seed that spreads an index so hostile keys cannot aim at one slot: the time and the owner's
 * address. No output may depend on it. */
uint64_t iof__idx_seed(const void *owner);
/* The entry cap of a table whose entries cost `cost` bytes: bound / cost clamped to [lo, hi],
 * or hi without a bound (0: the run's maps then have a fixed cap, so labels do not depend on
 * the machine's memory). */
size_t iof__idx_cap(uint64_t bound, size_t cost, size_t lo, size_t hi);

static inline size_t iof__idx_first(const iof__idx *x, uint64_t h) { return (size_t)h & x->mask; }
static inline size_t iof__idx_next(const iof__idx *x, size_t s) { return (s + 1) & x->mask; }
/* Slot s's id + 1 (0: empty). */
static inline uint32_t iof__idx_get(const iof__idx *x, size_t s) { return (uint32_t)x->slot[s]; }

/* Whether entry id holds key (the owner's comparison). */
typedef bool (*iof__idx_eq_fn)(const void *owner, uint32_t id, const void *key);

/* The one probe: the slot of the entry of hash h that eq says holds key, or the empty slot
 * where it would go (the index must have slots: after a first iof__idx_room). eq runs only on
 * entries whose tag is h's; inlined, a constant eq is inlined too. */
static inline size_t iof__idx_find(const iof__idx *x, uint64_t h, iof__idx_eq_fn eq, const void *owner,
                                   const void *key)
{
    uint64_t tag = h >> 32;
    size_t s = iof__idx_first(x, h);
    for (uint64_t v; (v = x->slot[s]) != 0; s = iof__idx_next(x, s))
        if (v >> 32 == tag && eq(owner, (uint32_t)v - 1, key))
            break;
    return s;
}

/* The id + 1 of the entry of hash h that eq says holds key (0: none; an index without slots
 * yet has none). */
static inline uint32_t iof__idx_lookup(const iof__idx *x, uint64_t h, iof__idx_eq_fn eq, const void *owner,
                                       const void *key)
{
    return x->slot ? iof__idx_get(x, iof__idx_find(x, h, eq, owner, key)) : 0;
}

/* Makes id the entry of key (hash h) in the index and returns the id + 1 it replaces there (0:
 * none): an owner that keeps every entry of a key chains the new one to that older one (after
 * iof__idx_room; eq never reads id itself). */
static inline uint32_t iof__idx_replace(iof__idx *x, uint64_t h, iof__idx_eq_fn eq, const void *owner,
                                        const void *key, uint32_t id)
{
    size_t s = iof__idx_find(x, h, eq, owner, key);
    uint32_t older = iof__idx_get(x, s);
    iof__idx_set(x, s, h, id);
    return older;
}

#endif
