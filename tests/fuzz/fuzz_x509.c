/* fuzz_x509: X.509 certificates through proto/x509.h. The input is parsed as a certificate; its
 * names, extensions and times are walked and rendered as the tls module renders them (Joy's
 * texts and the custom-flow columns'): every extension text into a small and a large buffer,
 * the times both ways, the key size, the OIDs' labels. Invariants: every span lies inside the
 * input, the status a documented one, the walks under their caps, each text NUL-terminated
 * within its buffer and the same text whatever the buffer (a prefix when cut), a time text
 * shorter than IOF_X509_TIME_TEXT. The input is an exactly-sized heap copy. Seeds: the
 * certificates of the corpus's TLS captures (tshark's tls.handshake.certificate). */
#include <stdint.h>
#include <string.h>

#include "proto/x509.h"
#include "proto_fuzz.h"

#define SMALL_TEXT 16
#define LARGE_TEXT 16384

static uint32_t label(iof__span oid, const uint8_t *base, size_t size)
{
    char t[32];
    uint32_t acc = proto_fuzz_span(&oid, base, size);
    size_t n = iof__x509_oid_label(oid, t, sizeof(t));
    CHECK(n < sizeof(t) && t[n] == '\0');
    return acc + (uint32_t)n;
}

static uint32_t names(iof__span name, const uint8_t *base, size_t size)
{
    iof__x509_names w = iof__x509_names_open(name);
    iof__x509_attr a;
    uint32_t acc = 0, n = 0;
    while (iof__x509_next_attr(&w, &a)) {
        CHECK(++n <= IOF_X509_MAX_ATTRS);
        acc += label(a.oid, base, size) + a.tag + proto_fuzz_span(&a.val, base, size);
    }
    return acc;
}

static uint32_t exts(iof__span blk, const uint8_t *base, size_t size)
{
    static char small[SMALL_TEXT], large[LARGE_TEXT];
    iof__rd r = rd_init_opt(blk.p, blk.len);
    iof__x509_ext e;
    uint32_t acc = 0;
    for (unsigned n = 0; n < IOF_X509_MAX_EXTS && iof__x509_next_ext(&r, &e); n++) {
        acc += label(e.oid, base, size) + e.critical + proto_fuzz_span(&e.val, base, size);
        size_t ns = iof__x509_ext_text(&e, small, sizeof(small));
        size_t nl = iof__x509_ext_text(&e, large, sizeof(large));
        CHECK(ns == nl);
        size_t ks = ns < sizeof(small) ? ns : sizeof(small) - 1;
        CHECK(small[ks] == '\0');
        if (nl < sizeof(large)) {
            CHECK(large[nl] == '\0');
            CHECK(memcmp(small, large, ks) == 0);
        }
        acc += (uint32_t)nl;
    }
    return acc;
}

static uint32_t times(uint8_t tag, iof__span t, const uint8_t *base, size_t size)
{
    char a[IOF_X509_TIME_TEXT], b[IOF_X509_TIME_TEXT];
    size_t na = iof__x509_time_text(tag, t, a), nb = iof__x509_time_iso(tag, t, b);
    CHECK(na < sizeof(a) && a[na] == '\0' && nb < sizeof(b) && b[nb] == '\0');
    return proto_fuzz_span(&t, base, size) + (uint32_t)(na + nb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = proto_fuzz_copy(data, size);
    if (!p)
        return 0;
    iof__x509 c;
    iof__proto_status st = iof__x509_parse(p, size, &c);
    CHECK(st <= IOF_PROTO_OTHER);
    uint32_t acc = st + c.version + iof__x509_key_bits(&c);
    const iof__span *all[] = { &c.serial, &c.sig_alg, &c.signature, &c.issuer, &c.subject, &c.not_before,
                               &c.not_after, &c.key_alg, &c.key_param, &c.key, &c.extensions };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        acc += proto_fuzz_span(all[i], p, size);
    acc += label(c.sig_alg, p, size) + label(c.key_alg, p, size);
    acc += names(c.issuer, p, size) + names(c.subject, p, size) + exts(c.extensions, p, size);
    acc += times(c.nb_tag, c.not_before, p, size) + times(c.na_tag, c.not_after, p, size);
    /* the DER walker alone, from the input's start */
    iof__rd r = rd_init(p, size);
    uint8_t tag;
    iof__span v;
    for (unsigned n = 0; n < 64 && size && rd_left(&r) && iof__der_next(&r, &tag, &v) == IOF_PROTO_OK; n++)
        acc += tag + proto_fuzz_span(&v, p, size);
    sink += acc;
    free(p);
    return 0;
}
