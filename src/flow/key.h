/* Flow keys: the hashes every flow table and a sharded pipeline agree on.
 *
 * - The view hash keys a flow table's buckets: a view's (device, device IP, remote IP,
 *   protocol, ports), seeded per run so that crafted collisions are not predictable (the seed
 *   is random unless --hash-seed fixes it; output never depends on it).
 * - The symmetric hash routes packets to flow workers: the same for both directions of a
 *   five-tuple and for both mirrored views of a packet between two devices, so every record a
 *   five-tuple makes is built by one worker. */
#ifndef IOF_FLOW_KEY_H
#define IOF_FLOW_KEY_H

#include <stdint.h>

#include "flow/attrib.h"

uint64_t iof__key_view_hash(uint64_t seed, const iof__view *v);
/* Depends only on the unordered pair {(device IP, device port), (remote IP, remote port)},
 * the protocol and the IP version: not on the device, the direction or which side is which. */
uint64_t iof__key_sym_hash(uint64_t seed, const iof__view *v);
/* One direction of a five-tuple, no device (the Joy policy's key): seeded like the view hash;
 * the reverse direction hashes differently. */
uint64_t iof__key_tuple_hash(uint64_t seed, uint8_t ipver, uint8_t proto, const uint8_t sa[16],
                             const uint8_t da[16], uint16_t sp, uint16_t dp);

#endif
