/* The X.509 parser (src/proto/x509.c) on hand-built DER: a v3 certificate with every field
 * (a serial with DER's leading zero, a multi-valued RDN, an unknown attribute OID, UTCTime and
 * GeneralizedTime with a fraction, an RSA key, basic constraints / key usage / SAN / EKU / AKI /
 * an unknown extension), its OpenSSL texts; every prefix (cut: TRUNCATED, the fields before the
 * cut kept) from an exactly-sized heap copy; a length beyond its container; long-form lengths
 * (non-minimal ones too); an indefinite length and a multi-byte tag; unknown OIDs; the time
 * texts of both types, their century rule and bad values; key sizes of EC and Ed25519 keys; an
 * extension text cut by its buffer. */
#include <stdlib.h>
#include <string.h>

#include "proto/x509.h"
#include "test.h"

/* ---- a tiny DER writer ---- */
typedef struct der {
    uint8_t b[4096];
    size_t n;
} der;

static size_t hdr(uint8_t *o, uint8_t tag, size_t len)
{
    size_t k = 0;
    o[k++] = tag;
    if (len < 128) {
        o[k++] = (uint8_t)len;
    } else if (len < 256) {
        o[k++] = 0x81, o[k++] = (uint8_t)len;
    } else {
        o[k++] = 0x82, o[k++] = (uint8_t)(len >> 8), o[k++] = (uint8_t)len;
    }
    return k;
}

/* appends tag + the content of c (or n raw bytes) */
static void tlv(der *d, uint8_t tag, const void *p, size_t n)
{
    d->n += hdr(d->b + d->n, tag, n);
    memcpy(d->b + d->n, p, n);
    d->n += n;
}
static void wrap(der *d, uint8_t tag, const der *c) { tlv(d, tag, c->b, c->n); }

static const uint8_t OID_CN[] = { 0x55, 0x04, 0x03 }, OID_C[] = { 0x55, 0x04, 0x06 },
                     OID_O[] = { 0x55, 0x04, 0x0a }, OID_UNK[] = { 0x2a, 0x03, 0x04 },   /* 1.2.3.4 */
    OID_SHA256RSA[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b },
                     OID_RSA[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 },
                     OID_EC[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 },
                     OID_P256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 },
                     OID_ED25519[] = { 0x2b, 0x65, 0x70 }, OID_BC[] = { 0x55, 0x1d, 0x13 },
                     OID_KU[] = { 0x55, 0x1d, 0x0f }, OID_SAN[] = { 0x55, 0x1d, 0x11 },
                     OID_EKU[] = { 0x55, 0x1d, 0x25 }, OID_AKI[] = { 0x55, 0x1d, 0x23 },
                     OID_SERVER_AUTH[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01 };

static void alg(der *d, const uint8_t *oid, size_t n, bool null_param)
{
    der a = { .n = 0 };
    tlv(&a, IOF_ASN1_OID, oid, n);
    if (null_param)
        tlv(&a, IOF_ASN1_NULL, "", 0);
    wrap(d, IOF_ASN1_SEQUENCE, &a);
}

static void rdn(der *name, const uint8_t *oid, size_t n, uint8_t tag, const char *v)
{
    der atv = { .n = 0 }, set = { .n = 0 };
    tlv(&atv, IOF_ASN1_OID, oid, n);
    tlv(&atv, tag, v, strlen(v));
    wrap(&set, IOF_ASN1_SEQUENCE, &atv);
    wrap(name, IOF_ASN1_SET, &set);
}

static void ext(der *exts, const uint8_t *oid, size_t n, bool critical, const der *val)
{
    der e = { .n = 0 };
    tlv(&e, IOF_ASN1_OID, oid, n);
    if (critical)
        tlv(&e, IOF_ASN1_BOOLEAN, "\xff", 1);
    tlv(&e, IOF_ASN1_OCTET_STRING, val->b, val->n);
    wrap(exts, IOF_ASN1_SEQUENCE, &e);
}

/* The test certificate; *subject_end: bytes up to the end of the subject name */
static size_t build_cert(uint8_t *out, size_t *subject_end)
{
    der tbs = { .n = 0 }, t = { .n = 0 };
    tlv(&t, IOF_ASN1_INTEGER, "\x02", 1);
    wrap(&tbs, 0xa0, &t);                                        /* v3 */
    tlv(&tbs, IOF_ASN1_INTEGER, "\x00\x81\x02", 3);              /* serial 0x8102 */
    alg(&tbs, OID_SHA256RSA, sizeof(OID_SHA256RSA), true);
    der issuer = { .n = 0 };
    rdn(&issuer, OID_C, sizeof(OID_C), IOF_ASN1_PRINTABLE, "US");
    {   /* a multi-valued RDN: O and 1.2.3.4 in one set */
        der set = { .n = 0 }, a1 = { .n = 0 }, a2 = { .n = 0 };
        tlv(&a1, IOF_ASN1_OID, OID_O, sizeof(OID_O));
        tlv(&a1, IOF_ASN1_UTF8, "Org/\"x\"", 7);
        tlv(&a2, IOF_ASN1_OID, OID_UNK, sizeof(OID_UNK));
        tlv(&a2, IOF_ASN1_UTF8, "z", 1);
        wrap(&set, IOF_ASN1_SEQUENCE, &a1);
        wrap(&set, IOF_ASN1_SEQUENCE, &a2);
        wrap(&issuer, IOF_ASN1_SET, &set);
    }
    wrap(&tbs, IOF_ASN1_SEQUENCE, &issuer);
    der val = { .n = 0 };
    tlv(&val, IOF_ASN1_UTCTIME, "200102030405Z", 13);
    tlv(&val, IOF_ASN1_GENTIME, "20510607080910.25Z", 18);
    wrap(&tbs, IOF_ASN1_SEQUENCE, &val);
    der subject = { .n = 0 };
    rdn(&subject, OID_CN, sizeof(OID_CN), IOF_ASN1_UTF8, "d\xc3\xa9v.example");
    wrap(&tbs, IOF_ASN1_SEQUENCE, &subject);
    *subject_end = tbs.n;
    der spki = { .n = 0 }, rsa = { .n = 0 }, rsaseq = { .n = 0 }, key = { .n = 0 };
    alg(&spki, OID_RSA, sizeof(OID_RSA), true);
    uint8_t mod[129] = { 0x00, 0x80 };   /* 1024 bits */
    tlv(&rsa, IOF_ASN1_INTEGER, mod, sizeof(mod));
    tlv(&rsa, IOF_ASN1_INTEGER, "\x01\x00\x01", 3);
    wrap(&rsaseq, IOF_ASN1_SEQUENCE, &rsa);
    key.b[0] = 0;
    memcpy(key.b + 1, rsaseq.b, rsaseq.n);
    key.n = rsaseq.n + 1;
    wrap(&spki, IOF_ASN1_BIT_STRING, &key);
    wrap(&tbs, IOF_ASN1_SEQUENCE, &spki);
    der exts = { .n = 0 }, v = { .n = 0 }, in = { .n = 0 };
    tlv(&in, IOF_ASN1_BOOLEAN, "\xff", 1);
    tlv(&in, IOF_ASN1_INTEGER, "\x00", 1);
    wrap(&v, IOF_ASN1_SEQUENCE, &in);
    ext(&exts, OID_BC, sizeof(OID_BC), true, &v);
    v.n = 0;
    tlv(&v, IOF_ASN1_BIT_STRING, "\x05\xa0", 2);                 /* Digital Signature, Key Encipherment */
    ext(&exts, OID_KU, sizeof(OID_KU), false, &v);
    v.n = 0, in.n = 0;
    tlv(&in, 0x82, "a.example", 9);
    tlv(&in, 0x87, "\x0a\x00\x00\x01", 4);
    wrap(&v, IOF_ASN1_SEQUENCE, &in);
    ext(&exts, OID_SAN, sizeof(OID_SAN), false, &v);
    v.n = 0, in.n = 0;
    tlv(&in, IOF_ASN1_OID, OID_SERVER_AUTH, sizeof(OID_SERVER_AUTH));
    tlv(&in, IOF_ASN1_OID, OID_UNK, sizeof(OID_UNK));
    wrap(&v, IOF_ASN1_SEQUENCE, &in);
    ext(&exts, OID_EKU, sizeof(OID_EKU), false, &v);
    v.n = 0, in.n = 0;
    tlv(&in, 0x80, "\xab\x01", 2);
    wrap(&v, IOF_ASN1_SEQUENCE, &in);
    ext(&exts, OID_AKI, sizeof(OID_AKI), false, &v);
    v.n = 0;
    memcpy(v.b, "a\x00\n\x7f~", 5), v.n = 5;
    ext(&exts, OID_UNK, sizeof(OID_UNK), false, &v);
    der e3 = { .n = 0 };
    wrap(&e3, IOF_ASN1_SEQUENCE, &exts);
    wrap(&tbs, 0xa3, &e3);
    der cert = { .n = 0 }, sig = { .n = 0 };
    wrap(&cert, IOF_ASN1_SEQUENCE, &tbs);
    alg(&cert, OID_SHA256RSA, sizeof(OID_SHA256RSA), true);
    memcpy(sig.b, "\x00\x11\x22\x33", 4), sig.n = 4;
    wrap(&cert, IOF_ASN1_BIT_STRING, &sig);
    der top = { .n = 0 };
    wrap(&top, IOF_ASN1_SEQUENCE, &cert);
    memcpy(out, top.b, top.n);
    uint8_t h[8];
    *subject_end += hdr(h, IOF_ASN1_SEQUENCE, cert.n) + hdr(h, IOF_ASN1_SEQUENCE, tbs.n);
    return top.n;
}

static uint8_t certbuf[4096];

static void test_fields(void)
{
    size_t se;
    size_t n = build_cert(certbuf, &se);
    iof__x509 c;
    ASSERT_EQ_INT(iof__x509_parse(certbuf, n, &c), IOF_PROTO_OK);
    ASSERT_EQ_INT(c.version, 2);
    ASSERT_EQ_INT(c.serial.len, 3);
    ASSERT_EQ_INT(c.signature.len, 3);
    ASSERT_EQ_INT(c.signature.p[0], 0x11);
    char t[128];
    iof__x509_oid_label(c.sig_alg, t, 32);
    ASSERT_EQ_STR(t, "sha256WithRSAEncryption");
    iof__x509_oid_label(c.key_alg, t, 32);
    ASSERT_EQ_STR(t, "rsaEncryption");
    ASSERT_EQ_INT(iof__x509_key_bits(&c), 1024);
    /* the issuer's entries, the multi-valued set's two in order */
    const char *want[][2] = { { "countryName", "US" }, { "organizationName", "Org/\"x\"" }, { "1.2.3.4", "z" } };
    iof__x509_names w = iof__x509_names_open(c.issuer);
    iof__x509_attr a;
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ_INT(iof__x509_next_attr(&w, &a), 1);
        iof__x509_oid_label(a.oid, t, 32);
        ASSERT_EQ_STR(t, want[i][0]);
        ASSERT_EQ_INT(a.val.len, strlen(want[i][1]));
        ASSERT_EQ_MEM(a.val.p, want[i][1], a.val.len);
    }
    ASSERT_EQ_INT(iof__x509_next_attr(&w, &a), 0);
    char tm[IOF_X509_TIME_TEXT];
    iof__x509_time_text(c.nb_tag, c.not_before, tm);
    ASSERT_EQ_STR(tm, "Jan  2 03:04:05 2020 GMT");
    iof__x509_time_text(c.na_tag, c.not_after, tm);
    ASSERT_EQ_STR(tm, "Jun  7 08:09:10.25 2051 GMT");
    iof__x509_time_iso(c.na_tag, c.not_after, tm);
    ASSERT_EQ_STR(tm, "2051-06-07T08:09:10Z");
    /* the extensions' texts */
    const char *texts[] = { "CA:TRUE, pathlen:0", "Digital Signature, Key Encipherment",
                            "DNS:a.example, IP Address:10.0.0.1", "TLS Web Server Authentication, 1.2.3.4",
                            "keyid:AB:01\n", "a.\n.~" };
    const char *names[] = { "X509v3 Basic Constraints", "X509v3 Key Usage", "X509v3 Subject Alternative Name",
                            "X509v3 Extended Key Usage", "X509v3 Authority Key Identifier", "1.2.3.4" };
    ASSERT_TRUE(c.has_extensions);
    iof__rd r = rd_init(c.extensions.p, c.extensions.len);
    iof__x509_ext e;
    for (int i = 0; i < 6; i++) {
        ASSERT_EQ_INT(iof__x509_next_ext(&r, &e), 1);
        ASSERT_EQ_INT(e.critical, i == 0);
        iof__x509_oid_label(e.oid, t, 32);
        ASSERT_EQ_STR(t, names[i]);
        ASSERT_EQ_INT(iof__x509_ext_text(&e, t, sizeof(t)), strlen(texts[i]));
        ASSERT_EQ_STR(t, texts[i]);
    }
    ASSERT_EQ_INT(iof__x509_next_ext(&r, &e), 0);
    /* a text cut by its buffer: the length it needs, a NUL-terminated prefix */
    r = rd_init(c.extensions.p, c.extensions.len);
    iof__x509_next_ext(&r, &e);
    iof__x509_next_ext(&r, &e);
    char small[8];
    ASSERT_EQ_INT(iof__x509_ext_text(&e, small, sizeof(small)), strlen(texts[1]));
    ASSERT_EQ_STR(small, "Digital");
}

/* every prefix: TRUNCATED, never a read past the copy; from the subject's end on, the subject
 * is there */
static void test_every_prefix(void)
{
    size_t se;
    size_t n = build_cert(certbuf, &se);
    for (size_t k = 0; k < n; k++) {
        uint8_t *p = malloc(k ? k : 1);
        memcpy(p, certbuf, k);
        iof__x509 c;
        iof__proto_status st = iof__x509_parse(p, k, &c);
        ASSERT_EQ_INT(st, IOF_PROTO_TRUNCATED);
        if (k >= se)
            ASSERT_TRUE(c.subject.p != NULL);
        iof__x509_key_bits(&c);
        free(p);
    }
}

static void test_bad_lengths(void)
{
    size_t se;
    size_t n = build_cert(certbuf, &se);
    iof__x509 c;
    /* the TBS claims one byte more than the certificate holds: a length beyond its container */
    uint8_t b[4096];
    memcpy(b, certbuf, n);
    ASSERT_EQ_INT(b[4], 0x30);   /* 30 82 LL LL 30 82 LL LL */
    b[7]++;
    ASSERT_EQ_INT(iof__x509_parse(b, n, &c), IOF_PROTO_MALFORMED);
    /* indefinite length, a 5-byte length, a multi-byte tag */
    const uint8_t indef[] = { 0x30, 0x80, 0x00, 0x00 }, five[] = { 0x30, 0x85, 1, 0, 0, 0, 0 },
                  hightag[] = { 0x30, 0x03, 0x1f, 0x81, 0x00 };
    ASSERT_EQ_INT(iof__x509_parse(indef, sizeof(indef), &c), IOF_PROTO_MALFORMED);
    ASSERT_EQ_INT(iof__x509_parse(five, sizeof(five), &c), IOF_PROTO_MALFORMED);
    ASSERT_EQ_INT(iof__x509_parse(hightag, sizeof(hightag), &c), IOF_PROTO_MALFORMED);
    /* not a certificate */
    const uint8_t other[] = { 0x02, 0x01, 0x00 };
    ASSERT_EQ_INT(iof__x509_parse(other, sizeof(other), &c), IOF_PROTO_OTHER);
    ASSERT_EQ_INT(iof__x509_parse(other, 0, &c), IOF_PROTO_TRUNCATED);
}

static void test_long_form(void)
{
    /* a non-minimal long form (0x81 0x03) is read as its value says */
    const uint8_t d[] = { 0x04, 0x81, 0x03, 'a', 'b', 'c', 0x02, 0x82, 0x00, 0x01, 0x07 };
    iof__rd r = rd_init(d, sizeof(d));
    uint8_t tag;
    iof__span v;
    ASSERT_EQ_INT(iof__der_next(&r, &tag, &v), IOF_PROTO_OK);
    ASSERT_EQ_INT(v.len, 3);
    ASSERT_EQ_INT(iof__der_next(&r, &tag, &v), IOF_PROTO_OK);
    ASSERT_EQ_INT(tag, IOF_ASN1_INTEGER);
    ASSERT_EQ_INT(v.len, 1);
    ASSERT_EQ_INT(v.p[0], 7);
    /* a value past the data: TRUNCATED with what is there */
    const uint8_t cut[] = { 0x04, 0x82, 0x01, 0x00, 'x' };
    r = rd_init(cut, sizeof(cut));
    ASSERT_EQ_INT(iof__der_next(&r, &tag, &v), IOF_PROTO_TRUNCATED);
    ASSERT_EQ_INT(v.len, 1);
}

static void test_oids(void)
{
    char t[IOF_X509_OID_TEXT];
    const uint8_t big[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x14 };   /* 1.3.6.1.4.1.311.21.20 */
    ASSERT_TRUE(iof__x509_oid_name((iof__span){ big, sizeof(big) }) == NULL);
    iof__x509_oid_text((iof__span){ big, sizeof(big) }, t, sizeof(t));
    ASSERT_EQ_STR(t, "1.3.6.1.4.1.311.21.20");
    const uint8_t two[] = { 0x88, 0x37, 0x01 };   /* 2.999.1 */
    iof__x509_oid_text((iof__span){ two, sizeof(two) }, t, sizeof(t));
    ASSERT_EQ_STR(t, "2.999.1");
    /* Joy's 31-byte cut of a label */
    ASSERT_EQ_INT(iof__x509_oid_label((iof__span){ big, sizeof(big) }, t, 8), 7);
    ASSERT_EQ_STR(t, "1.3.6.1");
}

static void time_is(uint8_t tag, const char *v, const char *want, const char *iso)
{
    char t[IOF_X509_TIME_TEXT];
    iof__span s = { (const uint8_t *)v, strlen(v) };
    iof__x509_time_text(tag, s, t);
    ASSERT_EQ_STR(t, want);
    iof__x509_time_iso(tag, s, t);
    ASSERT_EQ_STR(t, iso);
}

static void test_times(void)
{
    time_is(IOF_ASN1_UTCTIME, "491231235959Z", "Dec 31 23:59:59 2049 GMT", "2049-12-31T23:59:59Z");
    time_is(IOF_ASN1_UTCTIME, "500101000000Z", "Jan  1 00:00:00 1950 GMT", "1950-01-01T00:00:00Z");
    time_is(IOF_ASN1_GENTIME, "20500101000000Z", "Jan  1 00:00:00 2050 GMT", "2050-01-01T00:00:00Z");
    time_is(IOF_ASN1_GENTIME, "20500101000000", "Jan  1 00:00:00 2050", "2050-01-01T00:00:00");
    time_is(IOF_ASN1_GENTIME, "20501301000000Z", "Bad time value", "");
    time_is(IOF_ASN1_UTCTIME, "5001010000Z", "Bad time value", "");
    time_is(IOF_ASN1_UTCTIME, "500101000000Zx", "Bad time value", "");
    time_is(IOF_ASN1_OCTET_STRING, "500101000000Z", "Bad time value", "");
}

static void test_key_bits(void)
{
    iof__x509 c = { 0 };
    uint8_t param[2 + sizeof(OID_P256)] = { IOF_ASN1_OID, sizeof(OID_P256) };
    memcpy(param + 2, OID_P256, sizeof(OID_P256));
    c.key_alg = (iof__span){ OID_EC, sizeof(OID_EC) };
    c.key_param = (iof__span){ param, sizeof(param) };
    ASSERT_EQ_INT(iof__x509_key_bits(&c), 256);
    param[sizeof(param) - 1] = 0x55;   /* an unknown curve: not read */
    ASSERT_EQ_INT(iof__x509_key_bits(&c), 0);
    c.key_alg = (iof__span){ OID_ED25519, sizeof(OID_ED25519) };
    ASSERT_EQ_INT(iof__x509_key_bits(&c), 253);
    c.key_alg = (iof__span){ OID_UNK, sizeof(OID_UNK) };
    ASSERT_EQ_INT(iof__x509_key_bits(&c), 0);
}

static const iof_test tests[] = {
    TEST(test_fields), TEST(test_every_prefix), TEST(test_bad_lengths), TEST(test_long_form),
    TEST(test_oids), TEST(test_times), TEST(test_key_bits), { 0 },
};

int main(void) { return iof_test_run(tests); }
