/* fuzz_tls: TLS record headers and hellos through proto/tls.h. The input is parsed as a record
 * header, as a hello from byte 0 (a handshake message) and as a hello after a 5-byte record
 * header (a record's fragment); its extension block (or a cut hello's captured part of it) is
 * walked again with iof__tls_next_ext.
 * Invariants: every span lies inside the input, the random is 32 bytes or absent, the session
 * id at most 32, the extensions count under the cap, a suite list of a parsed hello even, the
 * status a documented one, a server name only in a ClientHello with a block or a cut one. The input is an exactly-sized heap copy. */
#include <stdint.h>
#include <string.h>

#include "proto/tls.h"
#include "proto_fuzz.h"

static uint32_t hello(const uint8_t *p, size_t n, const uint8_t *base, size_t size)
{
    iof__tls_hello h;
    iof__proto_status st = iof__tls_hello_parse(p, n, &h);
    CHECK(st <= IOF_PROTO_OTHER);
    CHECK(h.random.len == 0 || h.random.len == 32);
    CHECK(h.sid.len <= 32);
    CHECK(h.n_ext <= IOF_TLS_MAX_EXTENSIONS);
    if (st == IOF_PROTO_OK && h.type == IOF_TLS_CLIENT_HELLO)
        CHECK(h.suites.len % 2 == 0);
    /* a cut hello's block as far as captured: only when the block itself is unknown */
    if (h.ext_cut.p)
        CHECK(st == IOF_PROTO_TRUNCATED && !h.extensions.p && h.n_ext == 0);
    if (h.sni.p)
        CHECK(h.type == IOF_TLS_CLIENT_HELLO && (h.extensions.p || h.ext_cut.p));
    uint32_t acc = st + h.version + h.suite + h.n_ext;
    const iof__span *all[] = { &h.random, &h.sid, &h.suites, &h.compression, &h.extensions,
                               &h.ext_cut, &h.sni };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        acc += proto_fuzz_span(all[i], base, size);
    const iof__span *blk = h.extensions.p ? &h.extensions : &h.ext_cut;
    if (!blk->p)
        return acc;
    iof__rd r = rd_init(blk->p, blk->len);
    uint16_t type;
    iof__span val;
    unsigned k = 0;
    while (k < IOF_TLS_MAX_EXTENSIONS && iof__tls_next_ext(&r, &type, &val) == IOF_TLS_EXT_ONE) {
        acc += type + proto_fuzz_span(&val, base, size);
        k++;
    }
    return acc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = proto_fuzz_copy(data, size);
    if (!p)
        return 0;
    iof__tls_record rec;
    iof__proto_status st = iof__tls_record_hdr(p, size, &rec);
    CHECK(st == IOF_PROTO_OK || st == IOF_PROTO_TRUNCATED || st == IOF_PROTO_OTHER);
    uint32_t acc = st + rec.len + hello(p, size, p, size);
    if (size >= IOF_TLS_RECORD_HDR)
        acc += hello(p + IOF_TLS_RECORD_HDR, size - IOF_TLS_RECORD_HDR, p, size);
    sink += acc;
    free(p);
    return 0;
}
