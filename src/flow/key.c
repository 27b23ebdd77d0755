/* Flow keys (see key.h). Not cryptographic: keyed multiply-xor mixing. */
#include <string.h>

#include "flow/key.h"

static inline uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t mix(uint64_t a, uint64_t b)
{
    __uint128_t m = (__uint128_t)a * b;
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}

uint64_t iof__key_view_hash(uint64_t s, const iof__view *v)
{
    uint64_t h = mix(rd64(v->dev_ip) ^ s ^ 0xa0761d6478bd642fULL, rd64(v->dev_ip + 8) ^ 0xe7037ed1a0b428dbULL);
    h ^= mix(rd64(v->rem_ip) ^ 0x8ebc6af09c88c6e3ULL, rd64(v->rem_ip + 8) ^ s);
    uint64_t k = (uint64_t)v->dev_port << 48 | (uint64_t)v->rem_port << 32 |
                 (uint64_t)v->proto << 24 | (uint64_t)v->ipver << 16;
    h = mix(h ^ k, 0x589965cc75374cc3ULL ^ (uint64_t)(uint32_t)v->device);
    return h;
}

/* One endpoint's hash; the two are combined with a commutative operation (sum), so their
 * order does not matter. */
static inline uint64_t endpoint(uint64_t s, const uint8_t ip[16], uint16_t port)
{
    return mix(rd64(ip) ^ s ^ 0x2d358dccaa6c78a5ULL, rd64(ip + 8) ^ ((uint64_t)port << 17) ^ 0x8bb84b93962eacc9ULL);
}

uint64_t iof__key_sym_hash(uint64_t s, const iof__view *v)
{
    uint64_t h = endpoint(s, v->dev_ip, v->dev_port) + endpoint(s, v->rem_ip, v->rem_port);
    return mix(h ^ ((uint64_t)v->proto << 8 | v->ipver), 0x4b33a62ed433d4a3ULL ^ s);
}

uint64_t iof__key_tuple_hash(uint64_t s, uint8_t ipver, uint8_t proto, const uint8_t sa[16],
                             const uint8_t da[16], uint16_t sp, uint16_t dp)
{
    uint64_t h = mix(rd64(sa) ^ s ^ 0xa0761d6478bd642fULL, rd64(sa + 8) ^ 0xe7037ed1a0b428dbULL);
    h ^= mix(rd64(da) ^ 0x8ebc6af09c88c6e3ULL, rd64(da + 8) ^ s);
    uint64_t k = (uint64_t)sp << 48 | (uint64_t)dp << 32 | (uint64_t)proto << 24 | (uint64_t)ipver << 16;
    return mix(h ^ k, 0x589965cc75374cc3ULL ^ s);
}
