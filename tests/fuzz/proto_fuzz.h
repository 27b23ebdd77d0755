/* Shared by the protocol-parser fuzz targets (fuzz_dhcp, fuzz_dns, fuzz_ssdp): an exactly-sized
 * heap copy of the input (so ASan sees a read one byte past it), and the check-and-consume of a
 * span the parser returned (inside the input; its bytes summed so the reads cannot be optimised
 * away). */
#ifndef IOF_TESTS_PROTO_FUZZ_H
#define IOF_TESTS_PROTO_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static volatile uint32_t sink; /* what the target computed goes here */

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define PROTO_FUZZ_MAX_INPUT 65535 /* a UDP payload */

static inline uint8_t *proto_fuzz_copy(const uint8_t *data, size_t size)
{
    if (size > PROTO_FUZZ_MAX_INPUT)
        return NULL;
    uint8_t *p = malloc(size ? size : 1);
    if (p && size)
        memcpy(p, data, size);
    return p;
}

/* The next record of an input made of records [length: 2 bytes BE][control: 1 byte][length
 * bytes] (the last one cut to what is left) from *off: an exactly-sized heap copy with its
 * length and control byte, or NULL at the end (fuzz_snimap, fuzz_appmap). */
static inline uint8_t *proto_fuzz_next(const uint8_t *data, size_t size, size_t *off, size_t *len, uint8_t *ctl)
{
    if (*off + 3 > size)
        return NULL;
    *len = (size_t)data[*off] << 8 | data[*off + 1];
    *ctl = data[*off + 2];
    *off += 3;
    if (*len > size - *off)
        *len = size - *off;
    uint8_t *p = proto_fuzz_copy(data + *off, *len);
    *off += *len;
    return p;
}

static inline uint32_t proto_fuzz_span(const iof__span *s, const uint8_t *p, size_t n)
{
    if (!s->p)
        return 0;
    CHECK(s->p >= p && s->len <= n && (size_t)(s->p - p) <= n - s->len);
    uint32_t acc = 0;
    for (size_t i = 0; i < s->len; i++)
        acc += s->p[i];
    return acc;
}

#endif
