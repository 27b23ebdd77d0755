/* A string table: distinct NUL-terminated strings, each stored once and known by a dense id,
 * with texts that never move once stored (callers keep pointers to them), and a named cap on
 * the bytes stored. Used by the run's maps (flow/dnsmap.h, flow/snimap.h, flow/appmap.h). Not
 * thread-safe: its owner locks. */
#ifndef IOF_COMMON_STRTAB_H
#define IOF_COMMON_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "common/idx.h"

#define IOF_STRTAB_NONE UINT32_MAX

typedef struct iof__strtab {
    uint64_t seed;           /* spreads the index (set before the first add; any value works) */
    size_t max_bytes;        /* text bytes stored at most, NULs included */
    const char **str;        /* id -> text */
    size_t n, cap;
    iof__idx idx;            /* id by text */
    char **blocks;           /* texts, in blocks that never move */
    size_t nblocks, blocks_cap, block_used;
    size_t bytes;            /* stored */
} iof__strtab;

/* The id of s (n bytes, no NUL inside), or IOF_STRTAB_NONE when it is not stored. */
uint32_t iof__strtab_find(const iof__strtab *t, const char *s, size_t n);
/* The id of s, stored if new. IOF_STRTAB_NONE with *rc = IOF_OK when max_bytes would be
 * passed, or with *rc = IOF_E_NOMEM. */
uint32_t iof__strtab_add(iof__strtab *t, const char *s, size_t n, int *rc);
static inline const char *iof__strtab_get(const iof__strtab *t, uint32_t id) { return t->str[id]; }
void iof__strtab_free(iof__strtab *t);

#endif
