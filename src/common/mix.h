/* The one 64-bit mixer of the seeded hash tables (MAC index, device facts): murmur3's
 * finaliser, so every input bit reaches the low bits a table masks its slot from. */
#ifndef IOF_COMMON_MIX_H
#define IOF_COMMON_MIX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t iof__mix64(uint64_t v)
{
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    v *= 0xc4ceb9fe1a85ec53ULL;
    v ^= v >> 33;
    return v;
}

/* Seeded hash of n bytes for the tables keyed by text or addresses: FNV-1a from the seed, then
 * the mixer (FNV alone leaves the low bits, the ones a table masks, poorly spread). */
static inline uint64_t iof__hash_bytes(uint64_t seed, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = seed;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return iof__mix64(h);
}

/* Seeded hash of a key made of two 16-byte addresses (IPv4 in the first 4 bytes) and up to 64
 * bits of the rest (version, protocol, ports): the run's maps keyed by address pairs. */
static inline uint64_t iof__hash_addr_pair(uint64_t seed, uint64_t rest, const uint8_t a[16], const uint8_t b[16])
{
    uint64_t h = seed ^ rest;
    for (int i = 0; i < 16; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        h = iof__mix64(h ^ x) + y;
    }
    return iof__mix64(h);
}

#endif
