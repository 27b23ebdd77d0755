/* The one 64-bit mixer of the seeded hash tables (MAC index, device facts): murmur3's
 * finaliser, so every input bit reaches the low bits a table masks its slot from. */
#ifndef IOF_COMMON_MIX_H
#define IOF_COMMON_MIX_H

#include <stdint.h>

static inline uint64_t iof__mix64(uint64_t v)
{
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    v *= 0xc4ceb9fe1a85ec53ULL;
    v ^= v >> 33;
    return v;
}

#endif
