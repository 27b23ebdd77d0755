/* fuzz_decode: one frame through iof__decode (+ the fragment table), invariants checked.
 *
 * Input: byte 0 selects a link type from our table (plus one unsupported value, 147; NFLOG 239
 * is index 13), bytes 1-4 say how wirelen relates to caplen (equal / larger / smaller /
 * arbitrary), the rest is the frame. The frame is copied into an exactly-sized heap block so
 * ASan sees any over-read, and every payload byte the decoder points at is read into a
 * volatile sink (a result nobody uses lets the optimiser delete the bad read).
 *
 * Build with libFuzzer:  clang-14 -fsanitize=fuzzer,address,undefined -Isrc \
 *     src/decode/ *.c tests/fuzz/fuzz_decode.c -o fuzz_decode
 * Without libFuzzer it links with tests/fuzz/replay_main.c (ctest fuzz-replay.fuzz_decode).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/rd.h"
#include "decode/decode.h"
#include "decode/frag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Append only: the seeds in corpus/ and regress/ select by index (byte 0 modulo the count). */
static const uint32_t linktypes[] = { 0, 1, 9, 12, 14, 50, 101, 108, 113, 228, 229, 276, 147, 239 };
#define NLT (sizeof linktypes / sizeof linktypes[0])

static volatile uint32_t sink;
static iof__fragtab *fragtab; /* kept across inputs: exercises expiry/eviction/orphans */

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check(const iof__pkt *p, iof__drop d, uint32_t caplen_in)
{
    CHECK((unsigned)d < IOF_DROP__COUNT);
    CHECK(p->caplen <= p->wirelen);
    CHECK(p->caplen <= caplen_in);
    CHECK((uint64_t)p->payload_off + p->payload_caplen <= p->caplen);
    CHECK(p->l3_off <= p->caplen);
    CHECK(p->l4_off <= p->caplen);
    CHECK(p->vlan_depth <= IOF_MAX_VLAN_DEPTH);
    CHECK((p->notes >> IOF_NOTE__COUNT) == 0);
    if (p->flags & IOF_PKT_HAS_PORTS)
        CHECK(d == IOF_DROP_OK);
    if (d == IOF_DROP_CAPLEN_ZERO)
        CHECK(p->caplen == 0);
    if (d != IOF_DROP_OK)
        return;
    CHECK(p->ipver == 4 || p->ipver == 6);
    CHECK((uint64_t)p->l3_off + p->ip_len <= p->wirelen);
    CHECK(p->ip_len >= (p->ipver == 4 ? 20u : 40u));
    CHECK(p->payload_caplen <= p->payload_len);
    CHECK(p->l4_off >= p->l3_off);
    CHECK((uint64_t)p->payload_len + p->l4_hlen + (p->l4_off - p->l3_off) <= p->ip_len);
    int later = (p->flags & IOF_PKT_FRAGMENT) && !(p->flags & IOF_PKT_FIRST_FRAG);
    if (later)
        CHECK(!(p->flags & IOF_PKT_HAS_PORTS));
    else if (p->proto == 6 || p->proto == 17)
        CHECK(p->flags & IOF_PKT_HAS_PORTS);
    if (!(p->flags & IOF_PKT_FRAGMENT))
        CHECK(!(p->flags & (IOF_PKT_FIRST_FRAG | IOF_PKT_MORE_FRAGS)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5 || size - 5 > (1u << 20))
        return 0;
    iof__rd r = rd_init(data, size);
    uint32_t lt = linktypes[rd_u8(&r) % NLT];
    uint32_t adj = rd_be32(&r);
    uint32_t caplen = (uint32_t)(size - 5);
    uint32_t wirelen;
    switch (adj >> 30) {
    case 0: wirelen = caplen; break;
    case 1: wirelen = caplen + (adj & 0xfffff); break;
    case 2: wirelen = caplen - ((adj & 0xffff) < caplen ? (adj & 0xffff) : caplen); break;
    default: wirelen = adj & 0x3fffffffu; break;
    }

    uint8_t *frame = malloc(caplen ? caplen : 1);
    if (!frame)
        return 0;
    rd_copy(&r, frame, caplen);

    iof__pkt p;
    iof__drop d = iof__decode(&p, lt, frame, caplen, wirelen, (int64_t)(adj & 0xffff) * 1000000);
    check(&p, d, caplen);

    uint32_t acc = d + p.flags + p.notes + p.sport + p.dport + p.ip_len + p.tcp_seq + p.icmp_type;
    for (uint32_t i = 0; i < p.payload_caplen; i++)
        acc += p.data[p.payload_off + i];
    for (int i = 0; i < 16; i++)
        acc += p.src_ip[i] ^ p.dst_ip[i];
    for (int i = 0; i < 6; i++)
        acc += p.src_mac[i] ^ p.dst_mac[i];

    if (d == IOF_DROP_OK) {
        if (!fragtab)
            fragtab = iof__fragtab_create(8, 2000000000);
        if (fragtab) {
            iof__drop fd = iof__fragtab_resolve(fragtab, &p);
            CHECK(fd == IOF_DROP_OK || fd == IOF_DROP_FRAG_ORPHAN);
            CHECK(iof__fragtab_live(fragtab) <= 8);
            if (fd == IOF_DROP_OK && (p.flags & IOF_PKT_FRAGMENT) && (p.proto == 6 || p.proto == 17))
                CHECK(p.flags & IOF_PKT_HAS_PORTS);
            acc += fd + p.sport;
        }
    }
    sink += acc;
    free(frame);
    return 0;
}
