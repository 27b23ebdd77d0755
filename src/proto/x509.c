/* X.509 certificate parser and OpenSSL's texts of its fields: see x509.h. Every byte through
 * rd.h. */
#include <stdio.h>
#include <string.h>

#include "proto/x509.h"

#define TAG_CTX0 0xa0             /* [0] EXPLICIT: version; [3]: extensions */
#define TAG_CTX3 0xa3
#define TAG_IMPLICIT1 0x81        /* issuerUniqueID, subjectUniqueID */
#define TAG_IMPLICIT2 0x82
#define DER_LONG_FORM 0x80
#define DER_HIGH_TAG 0x1f         /* tag number >= 31: a multi-byte tag */

/* A reader over a span (an absent one: empty) */
static iof__rd span_rd(iof__span v) { return rd_init_opt(v.p, v.len); }

iof__proto_status iof__der_next(iof__rd *r, uint8_t *tag, iof__span *v)
{
    *v = (iof__span){ NULL, 0 };
    *tag = rd_u8(r);
    uint8_t b = rd_u8(r);
    if (r->err)
        return IOF_PROTO_TRUNCATED;
    if ((*tag & DER_HIGH_TAG) == DER_HIGH_TAG)
        return IOF_PROTO_MALFORMED;   /* no certificate field has a multi-byte tag */
    size_t len = b;
    if (b & DER_LONG_FORM) {
        unsigned nb = b & 0x7f;
        if (nb == 0 || nb > IOF_X509_MAX_LEN_BYTES)
            return IOF_PROTO_MALFORMED;   /* indefinite (BER only) or past 4 GB */
        len = 0;
        for (unsigned i = 0; i < nb; i++)
            len = len << 8 | rd_u8(r);
        if (r->err)
            return IOF_PROTO_TRUNCATED;
    }
    if (!rd_has(r, len)) {
        *v = (iof__span){ r->p, rd_left(r) };
        r->p = r->end;
        r->err = true;
        return IOF_PROTO_TRUNCATED;
    }
    *v = (iof__span){ r->p, len };
    r->p += len;
    return IOF_PROTO_OK;
}

/* The next element, required to have tag `want`: OK, TRUNCATED, or MALFORMED (another tag). */
static iof__proto_status expect(iof__rd *r, uint8_t want, iof__span *v)
{
    uint8_t tag;
    iof__proto_status st = iof__der_next(r, &tag, v);
    if (st == IOF_PROTO_OK && tag != want)
        return IOF_PROTO_MALFORMED;
    if (st == IOF_PROTO_TRUNCATED && tag != want)
        *v = (iof__span){ NULL, 0 };
    return st;
}

/* A BIT STRING's bits without the unused-bits byte (empty when there is no byte). */
static iof__span bits_of(iof__span bs)
{
    return bs.len ? (iof__span){ bs.p + 1, bs.len - 1 } : (iof__span){ NULL, 0 };
}

/* AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } */
static iof__proto_status alg_id(iof__rd *r, iof__span *oid, iof__span *param)
{
    iof__span seq;
    iof__proto_status st = expect(r, IOF_ASN1_SEQUENCE, &seq);
    if (st != IOF_PROTO_OK)
        return st;
    iof__rd s = span_rd(seq);
    st = expect(&s, IOF_ASN1_OID, oid);
    if (st != IOF_PROTO_OK)
        return st == IOF_PROTO_TRUNCATED ? IOF_PROTO_MALFORMED : st;
    if (param) {
        const uint8_t *at = s.p;
        uint8_t tag;
        iof__span v;
        *param = (iof__span){ NULL, 0 };
        if (rd_left(&s) && iof__der_next(&s, &tag, &v) == IOF_PROTO_OK)
            *param = (iof__span){ at, (size_t)(s.p - at) };
    }
    return IOF_PROTO_OK;
}

static iof__proto_status tbs_fields(iof__rd *t, iof__x509 *c)
{
    iof__span v;
    uint8_t tag;
    iof__proto_status st;
    if (rd_left(t) && rd_peek_u8(t, 0) == TAG_CTX0) {
        st = iof__der_next(t, &tag, &v);
        if (st != IOF_PROTO_OK)
            return st;
        iof__rd vr = span_rd(v);
        iof__span ver;
        if (expect(&vr, IOF_ASN1_INTEGER, &ver) != IOF_PROTO_OK || ver.len != 1)
            return IOF_PROTO_MALFORMED;
        c->version = ver.p[0];
    }
    if ((st = expect(t, IOF_ASN1_INTEGER, &c->serial)) != IOF_PROTO_OK)
        return st;
    iof__span inner;
    if ((st = alg_id(t, &inner, NULL)) != IOF_PROTO_OK)
        return st;
    if ((st = expect(t, IOF_ASN1_SEQUENCE, &c->issuer)) != IOF_PROTO_OK)
        return st;
    iof__span val;
    if ((st = expect(t, IOF_ASN1_SEQUENCE, &val)) != IOF_PROTO_OK)
        return st;
    iof__rd vr = span_rd(val);
    if (iof__der_next(&vr, &c->nb_tag, &c->not_before) != IOF_PROTO_OK ||
        iof__der_next(&vr, &c->na_tag, &c->not_after) != IOF_PROTO_OK)
        return IOF_PROTO_MALFORMED;
    if ((st = expect(t, IOF_ASN1_SEQUENCE, &c->subject)) != IOF_PROTO_OK)
        return st;
    iof__span spki;
    if ((st = expect(t, IOF_ASN1_SEQUENCE, &spki)) != IOF_PROTO_OK)
        return st;
    iof__rd sr = span_rd(spki);
    iof__span key;
    if (alg_id(&sr, &c->key_alg, &c->key_param) != IOF_PROTO_OK ||
        expect(&sr, IOF_ASN1_BIT_STRING, &key) != IOF_PROTO_OK)
        return IOF_PROTO_MALFORMED;
    c->key = bits_of(key);
    while (rd_left(t)) {   /* [1] and [2] unique ids, [3] extensions: each at most once */
        if ((st = iof__der_next(t, &tag, &v)) != IOF_PROTO_OK)
            return st;
        if (tag == TAG_CTX3) {
            iof__rd er = span_rd(v);
            if (expect(&er, IOF_ASN1_SEQUENCE, &c->extensions) != IOF_PROTO_OK)
                return IOF_PROTO_MALFORMED;
            c->has_extensions = true;
        } else if (tag != TAG_IMPLICIT1 && tag != TAG_IMPLICIT2) {
            return IOF_PROTO_MALFORMED;
        }
    }
    return IOF_PROTO_OK;
}

iof__proto_status iof__x509_parse(const uint8_t *p, size_t n, iof__x509 *c)
{
    memset(c, 0, sizeof(*c));
    iof__rd r = span_rd((iof__span){ p, n });
    iof__span cert, tbs, bs;
    uint8_t tag;
    iof__proto_status st = iof__der_next(&r, &tag, &cert);
    if (tag != IOF_ASN1_SEQUENCE)
        return st == IOF_PROTO_TRUNCATED && !cert.p ? st : IOF_PROTO_OTHER;
    if (st == IOF_PROTO_MALFORMED)
        return st;
    bool cut = st == IOF_PROTO_TRUNCATED;
    iof__rd cr = span_rd(cert);
    st = expect(&cr, IOF_ASN1_SEQUENCE, &tbs);
    if (st == IOF_PROTO_MALFORMED)
        return st;
    iof__rd t = span_rd(tbs);
    iof__proto_status ts = tbs_fields(&t, c);
    if (ts == IOF_PROTO_OK && st == IOF_PROTO_OK) {
        if ((st = alg_id(&cr, &c->sig_alg, NULL)) == IOF_PROTO_OK &&
            (st = expect(&cr, IOF_ASN1_BIT_STRING, &bs)) == IOF_PROTO_OK)
            c->signature = bits_of(bs);
        ts = st;
    }
    /* running out of bytes is a cut only where the certificate is cut; inside a whole one it
     * is a length beyond its container */
    if (ts == IOF_PROTO_TRUNCATED || st == IOF_PROTO_TRUNCATED)
        return cut ? IOF_PROTO_TRUNCATED : IOF_PROTO_MALFORMED;
    return ts != IOF_PROTO_OK ? ts : cut ? IOF_PROTO_TRUNCATED : IOF_PROTO_OK;
}

iof__x509_names iof__x509_names_open(iof__span name)
{
    iof__x509_names w = { span_rd(name), span_rd((iof__span){ NULL, 0 }), 0 };
    return w;
}

int iof__x509_next_attr(iof__x509_names *w, iof__x509_attr *a)
{
    while (w->n < IOF_X509_MAX_ATTRS) {
        if (!rd_left(&w->set)) {   /* the next RDN's set */
            iof__span set;
            if (!rd_left(&w->name) || expect(&w->name, IOF_ASN1_SET, &set) != IOF_PROTO_OK)
                return 0;
            w->set = span_rd(set);
            continue;   /* an empty set: none of its own */
        }
        iof__span atv;
        w->n++;
        if (expect(&w->set, IOF_ASN1_SEQUENCE, &atv) != IOF_PROTO_OK)
            return 0;
        iof__rd e = span_rd(atv);
        if (expect(&e, IOF_ASN1_OID, &a->oid) != IOF_PROTO_OK || iof__der_next(&e, &a->tag, &a->val) != IOF_PROTO_OK)
            return 0;
        return 1;
    }
    return 0;
}

int iof__x509_next_ext(iof__rd *r, iof__x509_ext *e)
{
    iof__span seq, oct;
    if (!rd_left(r) || expect(r, IOF_ASN1_SEQUENCE, &seq) != IOF_PROTO_OK)
        return 0;
    iof__rd s = span_rd(seq);
    e->critical = false;
    if (expect(&s, IOF_ASN1_OID, &e->oid) != IOF_PROTO_OK)
        return 0;
    if (rd_left(&s) && rd_peek_u8(&s, 0) == IOF_ASN1_BOOLEAN) {
        iof__span b;
        if (expect(&s, IOF_ASN1_BOOLEAN, &b) != IOF_PROTO_OK || b.len != 1)
            return 0;
        e->critical = b.p[0] != 0;
    }
    if (expect(&s, IOF_ASN1_OCTET_STRING, &oct) != IOF_PROTO_OK)
        return 0;
    e->val = oct;
    return 1;
}

/* ---- OIDs: OpenSSL's long names (obj_dat.h), by their DER content bytes ---- */

typedef struct oid_ent {
    uint8_t len;
    uint8_t b[11];
    const char *name;
} oid_ent;

#define PKCS1(x) 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, x }
#define X500(x) 3, { 0x55, 0x04, x }
#define X509V3(x) 3, { 0x55, 0x1d, x }
#define PKIX(a, x) 8, { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, a, x }
#define ANSI_EC(a, x) 7, { 0x2a, 0x86, 0x48, 0xce, 0x3d, a, x }

static const oid_ent oids[] = {
    { PKCS1(1), "rsaEncryption" }, { PKCS1(2), "md2WithRSAEncryption" },
    { PKCS1(4), "md5WithRSAEncryption" }, { PKCS1(5), "sha1WithRSAEncryption" },
    { PKCS1(10), "rsassaPss" }, { PKCS1(11), "sha256WithRSAEncryption" },
    { PKCS1(12), "sha384WithRSAEncryption" }, { PKCS1(13), "sha512WithRSAEncryption" },
    { PKCS1(14), "sha224WithRSAEncryption" },
    { ANSI_EC(2, 1), "id-ecPublicKey" }, { ANSI_EC(4, 1), "ecdsa-with-SHA1" },
    { 8, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x01 }, "ecdsa-with-SHA224" },
    { 8, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 }, "ecdsa-with-SHA256" },
    { 8, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03 }, "ecdsa-with-SHA384" },
    { 8, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04 }, "ecdsa-with-SHA512" },
    { 7, { 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01 }, "dsaEncryption" },
    { 7, { 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03 }, "dsaWithSHA1" },
    { 9, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02 }, "dsa_with_SHA256" },
    { 3, { 0x2b, 0x65, 0x70 }, "ED25519" }, { 3, { 0x2b, 0x65, 0x71 }, "ED448" },
    { 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 }, "emailAddress" },
    { X500(3), "commonName" }, { X500(4), "surname" }, { X500(5), "serialNumber" },
    { X500(6), "countryName" }, { X500(7), "localityName" }, { X500(8), "stateOrProvinceName" },
    { X500(9), "streetAddress" }, { X500(10), "organizationName" },
    { X500(11), "organizationalUnitName" }, { X500(12), "title" }, { X500(13), "description" },
    { X500(15), "businessCategory" }, { X500(17), "postalCode" }, { X500(41), "name" },
    { X500(42), "givenName" }, { X500(43), "initials" }, { X500(46), "dnQualifier" },
    { X500(65), "pseudonym" }, { X500(97), "organizationIdentifier" },
    { 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19 }, "domainComponent" },
    { 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01 }, "userId" },
    { 11, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x01 }, "jurisdictionLocalityName" },
    { 11, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x02 },
      "jurisdictionStateOrProvinceName" },
    { 11, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x03 }, "jurisdictionCountryName" },
    { X509V3(14), "X509v3 Subject Key Identifier" }, { X509V3(15), "X509v3 Key Usage" },
    { X509V3(16), "X509v3 Private Key Usage Period" },
    { X509V3(17), "X509v3 Subject Alternative Name" }, { X509V3(18), "X509v3 Issuer Alternative Name" },
    { X509V3(19), "X509v3 Basic Constraints" }, { X509V3(30), "X509v3 Name Constraints" },
    { X509V3(31), "X509v3 CRL Distribution Points" }, { X509V3(32), "X509v3 Certificate Policies" },
    { X509V3(35), "X509v3 Authority Key Identifier" }, { X509V3(36), "X509v3 Policy Constraints" },
    { X509V3(37), "X509v3 Extended Key Usage" }, { X509V3(46), "X509v3 Freshest CRL" },
    { 4, { 0x55, 0x1d, 0x25, 0x00 }, "Any Extended Key Usage" },
    { PKIX(1, 1), "Authority Information Access" }, { PKIX(1, 24), "TLS Feature" },
    { PKIX(3, 1), "TLS Web Server Authentication" }, { PKIX(3, 2), "TLS Web Client Authentication" },
    { PKIX(3, 3), "Code Signing" }, { PKIX(3, 4), "E-mail Protection" }, { PKIX(3, 8), "Time Stamping" },
    { PKIX(3, 9), "OCSP Signing" }, { PKIX(48, 1), "OCSP" }, { PKIX(2, 1), "Policy Qualifier CPS" },
    { PKIX(2, 2), "Policy Qualifier User Notice" }, { 4, { 0x55, 0x1d, 0x20, 0x00 }, "X509v3 Any Policy" },
    { PKIX(48, 2), "CA Issuers" },
    { 10, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02 }, "CT Precertificate SCTs" },
    { 9, { 0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x01 }, "Netscape Cert Type" },
    { 9, { 0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x0d }, "Netscape Comment" },
};

const char *iof__x509_oid_name(iof__span oid)
{
    for (size_t i = 0; i < sizeof(oids) / sizeof(oids[0]); i++)
        if (oids[i].len == oid.len && memcmp(oids[i].b, oid.p, oid.len) == 0)
            return oids[i].name;
    return NULL;
}

size_t iof__x509_oid_text(iof__span oid, char *out, size_t outlen)
{
    size_t o = 0;
    uint64_t v = 0;
    bool first = true;
    iof__rd r = span_rd(oid);
    if (outlen)
        out[0] = '\0';
    while (rd_left(&r) && o + 1 < outlen) {
        uint8_t b = rd_u8(&r);
        if (v >> 56)
            return o;   /* an arc past 2^63: not a certificate's */
        v = v << 7 | (b & 0x7f);
        if (b & 0x80)
            continue;
        int w;
        if (first) {   /* X.690 §8.19.4: the first two arcs share the first subidentifier */
            unsigned a = v < 40 ? 0 : v < 80 ? 1 : 2;
            w = snprintf(out + o, outlen - o, "%u.%llu", a, (unsigned long long)(v - 40u * a));
            first = false;
        } else {
            w = snprintf(out + o, outlen - o, ".%llu", (unsigned long long)v);
        }
        if (w < 0 || (size_t)w >= outlen - o) {
            out[o] = '\0';
            return o;
        }
        o += (size_t)w;
        v = 0;
    }
    return o;
}

size_t iof__x509_oid_label(iof__span oid, char *out, size_t cap)
{
    const char *name = iof__x509_oid_name(oid);
    if (!name)
        return iof__x509_oid_text(oid, out, cap);
    size_t n = strlen(name);
    n = n < cap ? n : cap - 1;
    memcpy(out, name, n);
    out[n] = '\0';
    return n;
}

/* ---- times ---- */

/* n decimal digits at t[*i]: their value, or -1 */
static int digits(iof__rd *r, int n)
{
    int v = 0;
    for (int k = 0; k < n; k++) {
        uint8_t d = rd_u8(r);
        if (r->err || d < '0' || d > '9')
            return -1;
        v = v * 10 + (d - '0');
    }
    return v;
}

typedef struct x509_tm {
    int y, mo, d, h, mi, s;
    const uint8_t *frac;      /* a GeneralizedTime's ".123" */
    size_t nfrac;
    bool z;                   /* ends with 'Z' */
} x509_tm;

/* Reads a UTCTime / GeneralizedTime's digits (seconds required, as OpenSSL 1.1 does in a
 * certificate); false when it is not one. */
static bool read_time(uint8_t tag, iof__span t, x509_tm *m)
{
    iof__rd r = span_rd(t);
    bool gen = tag == IOF_ASN1_GENTIME;
    m->y = -1;
    if (gen)
        m->y = digits(&r, 4);
    else if (tag == IOF_ASN1_UTCTIME && (m->y = digits(&r, 2)) >= 0)
        m->y += m->y < 50 ? 2000 : 1900;   /* RFC 5280 §4.1.2.5.1 */
    m->mo = digits(&r, 2);
    m->d = digits(&r, 2);
    m->h = digits(&r, 2);
    m->mi = digits(&r, 2);
    m->s = digits(&r, 2);
    m->frac = NULL;
    m->nfrac = 0;
    if (gen && rd_left(&r) && rd_peek_u8(&r, 0) == '.') {
        m->frac = r.p;
        rd_skip(&r, 1);
        while (rd_left(&r) && rd_peek_u8(&r, 0) >= '0' && rd_peek_u8(&r, 0) <= '9' && m->nfrac < 20) {
            rd_skip(&r, 1);
            m->nfrac++;
        }
        m->nfrac++;   /* the dot */
    }
    m->z = rd_left(&r) == 1 && rd_peek_u8(&r, 0) == 'Z';
    return m->y >= 0 && m->mo >= 1 && m->mo <= 12 && m->d >= 1 && m->d <= 31 && m->h >= 0 && m->h <= 23 &&
           m->mi >= 0 && m->mi <= 59 && m->s >= 0 && m->s <= 60 && (!rd_left(&r) || m->z);
}

size_t iof__x509_time_text(uint8_t tag, iof__span t, char *out)
{
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    static const char bad[] = "Bad time value";
    x509_tm m;
    if (!read_time(tag, t, &m)) {
        memcpy(out, bad, sizeof(bad));
        return sizeof(bad) - 1;
    }
    int n = snprintf(out, IOF_X509_TIME_TEXT, "%s %2d %02d:%02d:%02d%.*s %d%s", mon[m.mo - 1], m.d, m.h, m.mi, m.s,
                     (int)m.nfrac, m.frac ? (const char *)m.frac : "", m.y, m.z ? " GMT" : "");
    return n < 0 ? 0 : (size_t)n < IOF_X509_TIME_TEXT ? (size_t)n : IOF_X509_TIME_TEXT - 1;
}

size_t iof__x509_time_iso(uint8_t tag, iof__span t, char *out)
{
    x509_tm m;
    if (!read_time(tag, t, &m)) {
        out[0] = '\0';
        return 0;
    }
    int n = snprintf(out, IOF_X509_TIME_TEXT, "%04d-%02d-%02dT%02d:%02d:%02d%s", m.y, m.mo, m.d, m.h, m.mi, m.s,
                     m.z ? "Z" : "");
    return n < 0 ? 0 : (size_t)n < IOF_X509_TIME_TEXT ? (size_t)n : IOF_X509_TIME_TEXT - 1;
}

/* ---- key sizes ---- */

/* Bits of an unsigned big-endian integer's content (leading zero bytes skipped). */
static uint32_t int_bits(iof__span v)
{
    size_t i = 0;
    while (i < v.len && v.p[i] == 0)
        i++;
    if (i == v.len)
        return 0;
    uint32_t bits = (uint32_t)(v.len - i - 1) * 8;
    for (uint8_t b = v.p[i]; b; b >>= 1)
        bits++;
    return bits;
}

static bool oid_is(iof__span oid, const char *name)
{
    const char *n = iof__x509_oid_name(oid);
    return n && strcmp(n, name) == 0;
}

uint32_t iof__x509_key_bits(const iof__x509 *c)
{
    static const struct { uint8_t len; uint8_t b[8]; uint16_t bits; } curves[] = {
        { 8, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }, 256 },   /* prime256v1 */
        { 8, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01 }, 192 },   /* prime192v1 */
        { 5, { 0x2b, 0x81, 0x04, 0x00, 0x22 }, 384 },                     /* secp384r1 */
        { 5, { 0x2b, 0x81, 0x04, 0x00, 0x23 }, 521 },                     /* secp521r1 */
        { 5, { 0x2b, 0x81, 0x04, 0x00, 0x21 }, 224 },                     /* secp224r1 */
        { 5, { 0x2b, 0x81, 0x04, 0x00, 0x0a }, 256 },                     /* secp256k1 */
    };
    iof__span v;
    if (oid_is(c->key_alg, "rsaEncryption")) {   /* RSAPublicKey ::= SEQUENCE { n, e } */
        iof__rd r = span_rd(c->key);
        iof__span seq;
        if (expect(&r, IOF_ASN1_SEQUENCE, &seq) != IOF_PROTO_OK)
            return 0;
        iof__rd s = span_rd(seq);
        return expect(&s, IOF_ASN1_INTEGER, &v) == IOF_PROTO_OK ? int_bits(v) : 0;
    }
    if (oid_is(c->key_alg, "id-ecPublicKey")) {
        iof__rd r = span_rd(c->key_param);
        if (expect(&r, IOF_ASN1_OID, &v) != IOF_PROTO_OK)
            return 0;   /* explicit curve parameters: not read */
        for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
            if (curves[i].len == v.len && memcmp(curves[i].b, v.p, v.len) == 0)
                return curves[i].bits;
        return 0;
    }
    if (oid_is(c->key_alg, "dsaEncryption")) {   /* Dss-Parms ::= SEQUENCE { p, q, g } */
        iof__rd r = span_rd(c->key_param);
        iof__span seq;
        if (expect(&r, IOF_ASN1_SEQUENCE, &seq) != IOF_PROTO_OK)
            return 0;
        iof__rd s = span_rd(seq);
        return expect(&s, IOF_ASN1_INTEGER, &v) == IOF_PROTO_OK ? int_bits(v) : 0;
    }
    if (oid_is(c->key_alg, "ED25519"))
        return 253;   /* OpenSSL's ED25519_BITS */
    if (oid_is(c->key_alg, "ED448"))
        return 456;   /* ED448_BITS */
    return 0;
}

/* ---- extension texts ---- */

typedef struct sink {
    char *out;
    size_t cap, len;   /* len: what the whole text needs */
} sink;

static void put(sink *s, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++, s->len++)
        if (s->len + 1 < s->cap)
            s->out[s->len] = ((const char *)p)[i];
}

static void puts_(sink *s, const char *t) { put(s, t, strlen(t)); }

/* OpenSSL's hex_to_string: "AB:CD:EF" */
static void hex_colons(sink *s, iof__span v)
{
    static const char hx[] = "0123456789ABCDEF";
    for (size_t i = 0; i < v.len; i++) {
        char t[3] = { hx[v.p[i] >> 4], hx[v.p[i] & 15], ':' };
        put(s, t, i + 1 < v.len ? 3 : 2);
    }
}

/* GENERAL_NAME_print / i2v_GENERAL_NAME (they agree on these forms); false: a form we do not
 * render (a directory name, an IPv6 address of an odd size...) */
static bool general_name(sink *s, uint8_t tag, iof__span v)
{
    char tmp[IOF_X509_OID_TEXT];
    switch (tag) {
    case 0xa0: puts_(s, "othername:<unsupported>"); return true;
    case 0x81: puts_(s, "email:"); put(s, v.p, v.len); return true;
    case 0x82: puts_(s, "DNS:"); put(s, v.p, v.len); return true;
    case 0x86: puts_(s, "URI:"); put(s, v.p, v.len); return true;
    case 0xa3: puts_(s, "X400Name:<unsupported>"); return true;
    case 0xa5: puts_(s, "EdiPartyName:<unsupported>"); return true;
    case 0x88:
        iof__x509_oid_text(v, tmp, sizeof(tmp));
        puts_(s, "Registered ID:");
        puts_(s, tmp);
        return true;
    case 0x87:
        puts_(s, "IP Address:");
        if (v.len == 4) {
            snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", v.p[0], v.p[1], v.p[2], v.p[3]);
            puts_(s, tmp);
            return true;
        }
        if (v.len == 16) {
            for (int i = 0; i < 16; i += 2) {
                snprintf(tmp, sizeof(tmp), "%s%X", i ? ":" : "", (unsigned)(v.p[i] << 8 | v.p[i + 1]));
                puts_(s, tmp);
            }
            return true;
        }
        puts_(s, "<invalid>");
        return true;
    default: return false;
    }
}

/* GeneralNames: each name, after `sep` between them (and `pre` before each, `post` after) */
static bool general_names(sink *s, iof__span names, const char *pre, const char *sep, const char *post)
{
    iof__rd r = span_rd(names);
    for (int i = 0; rd_left(&r) && i < IOF_X509_MAX_NAMES; i++) {
        uint8_t tag;
        iof__span v;
        if (iof__der_next(&r, &tag, &v) != IOF_PROTO_OK)
            return false;
        if (i)
            puts_(s, sep);
        puts_(s, pre);
        if (!general_name(s, tag, v))
            return false;
        puts_(s, post);
    }
    return true;
}

static bool ext_basic_constraints(sink *s, iof__rd *r)
{
    bool ca = false;
    iof__span v;
    if (rd_left(r) && rd_peek_u8(r, 0) == IOF_ASN1_BOOLEAN) {
        if (expect(r, IOF_ASN1_BOOLEAN, &v) != IOF_PROTO_OK || v.len != 1)
            return false;
        ca = v.p[0] != 0;
    }
    puts_(s, ca ? "CA:TRUE" : "CA:FALSE");
    if (rd_left(r)) {
        if (expect(r, IOF_ASN1_INTEGER, &v) != IOF_PROTO_OK || v.len > 4 || !v.len)
            return false;
        long n = (int8_t)v.p[0];
        for (size_t i = 1; i < v.len; i++)
            n = n * 256 + v.p[i];
        char t[24];
        snprintf(t, sizeof(t), ", pathlen:%ld", n);
        puts_(s, t);
    }
    return true;
}

static bool ext_key_usage(sink *s, iof__span bs)
{
    static const char *const names[] = { "Digital Signature", "Non Repudiation", "Key Encipherment",
                                         "Data Encipherment", "Key Agreement", "Certificate Sign",
                                         "CRL Sign", "Encipher Only", "Decipher Only" };
    iof__span b = bits_of(bs);
    bool any = false;
    for (unsigned i = 0; i < 9; i++) {
        if (i / 8 >= b.len || !(b.p[i / 8] & (0x80 >> (i % 8))))
            continue;
        if (any)
            puts_(s, ", ");
        puts_(s, names[i]);
        any = true;
    }
    return true;
}

static bool ext_eku(sink *s, iof__rd *r)
{
    char t[IOF_X509_OID_TEXT];
    for (int i = 0; rd_left(r) && i < IOF_X509_MAX_NAMES; i++) {
        iof__span oid;
        if (expect(r, IOF_ASN1_OID, &oid) != IOF_PROTO_OK)
            return false;
        const char *name = iof__x509_oid_name(oid);
        if (!name) {
            iof__x509_oid_text(oid, t, sizeof(t));
            name = t;
        }
        if (i)
            puts_(s, ", ");
        puts_(s, name);
    }
    return true;
}

/* AuthorityKeyIdentifier ::= SEQUENCE { [0] keyid, [1] issuer GeneralNames, [2] serial }:
 * OpenSSL 1.1 writes one line each ("keyid:..", the names, "serial:..") */
static bool ext_akid(sink *s, iof__rd *r)
{
    while (rd_left(r)) {
        uint8_t tag;
        iof__span v;
        if (iof__der_next(r, &tag, &v) != IOF_PROTO_OK)
            return false;
        if (tag == 0x80 || tag == 0x82) {
            puts_(s, tag == 0x80 ? "keyid:" : "serial:");
            hex_colons(s, v);
            puts_(s, "\n");
        } else if (tag != 0xa1 || !general_names(s, v, "", "", "\n")) {
            return false;
        }
    }
    return true;
}

/* AuthorityInfoAccessSyntax: one line per AccessDescription, "OCSP - URI:http://..." */
static bool ext_aia(sink *s, iof__rd *r)
{
    char t[IOF_X509_OID_TEXT];
    for (int i = 0; rd_left(r) && i < IOF_X509_MAX_NAMES; i++) {
        iof__span ad, oid;
        uint8_t tag;
        iof__span v;
        if (expect(r, IOF_ASN1_SEQUENCE, &ad) != IOF_PROTO_OK)
            return false;
        iof__rd a = span_rd(ad);
        if (expect(&a, IOF_ASN1_OID, &oid) != IOF_PROTO_OK || iof__der_next(&a, &tag, &v) != IOF_PROTO_OK)
            return false;
        const char *name = iof__x509_oid_name(oid);
        if (!name) {
            iof__x509_oid_text(oid, t, sizeof(t));
            name = t;
        }
        puts_(s, name);
        puts_(s, " - ");
        if (!general_name(s, tag, v))
            return false;
        puts_(s, "\n");
    }
    return true;
}

/* CRLDistributionPoints: "\nFull Name:\n  URI:...\n" per point (OpenSSL's i2r_crldp, indent 0);
 * a point with reasons, a CRL issuer or a relative name: not rendered */
static bool ext_crldp(sink *s, iof__rd *r)
{
    for (int i = 0; rd_left(r) && i < IOF_X509_MAX_NAMES; i++) {
        iof__span dp, dpn, full;
        if (expect(r, IOF_ASN1_SEQUENCE, &dp) != IOF_PROTO_OK)
            return false;
        iof__rd d = span_rd(dp);
        puts_(s, "\n");
        if (!rd_left(&d))
            continue;
        if (expect(&d, TAG_CTX0, &dpn) != IOF_PROTO_OK || rd_left(&d))
            return false;
        iof__rd n = span_rd(dpn);
        if (expect(&n, TAG_CTX0, &full) != IOF_PROTO_OK)
            return false;
        puts_(s, "Full Name:\n");
        if (!general_names(s, full, "  ", "", "\n"))
            return false;
    }
    return true;
}

/* CertificatePolicies: "Policy: <oid>\n" and each CPS qualifier "  CPS: <uri>\n" (OpenSSL's
 * i2r_certpol, indent 0); a user notice or another qualifier: not rendered */
static bool ext_policies(sink *s, iof__rd *r)
{
    char t[IOF_X509_OID_TEXT];
    for (int i = 0; rd_left(r) && i < IOF_X509_MAX_NAMES; i++) {
        iof__span pi, oid, quals;
        if (expect(r, IOF_ASN1_SEQUENCE, &pi) != IOF_PROTO_OK)
            return false;
        iof__rd p = span_rd(pi);
        if (expect(&p, IOF_ASN1_OID, &oid) != IOF_PROTO_OK)
            return false;
        iof__x509_oid_label(oid, t, sizeof(t));
        puts_(s, "Policy: ");
        puts_(s, t);
        puts_(s, "\n");
        if (!rd_left(&p))
            continue;
        if (expect(&p, IOF_ASN1_SEQUENCE, &quals) != IOF_PROTO_OK)
            return false;
        iof__rd q = span_rd(quals);
        for (int k = 0; rd_left(&q) && k < IOF_X509_MAX_NAMES; k++) {
            iof__span pq, qid, uri;
            if (expect(&q, IOF_ASN1_SEQUENCE, &pq) != IOF_PROTO_OK)
                return false;
            iof__rd e = span_rd(pq);
            const char *name = expect(&e, IOF_ASN1_OID, &qid) == IOF_PROTO_OK ? iof__x509_oid_name(qid) : NULL;
            if (!name || strcmp(name, "Policy Qualifier CPS") != 0 || expect(&e, IOF_ASN1_IA5, &uri) != IOF_PROTO_OK)
                return false;
            puts_(s, "  CPS: ");
            put(s, uri.p, uri.len);
            puts_(s, "\n");
        }
    }
    return true;
}

/* The structured text of a known extension; false when it is not one we render or it does
 * not read as it should (the caller then writes the raw value) */
static bool ext_structured(sink *s, const iof__x509_ext *e)
{
    const char *name = iof__x509_oid_name(e->oid);
    if (!name)
        return false;
    iof__rd r = span_rd(e->val);
    iof__span v;
    uint8_t tag;
    if (strcmp(name, "X509v3 Subject Key Identifier") == 0) {
        if (expect(&r, IOF_ASN1_OCTET_STRING, &v) != IOF_PROTO_OK)
            return false;
        hex_colons(s, v);
        return !rd_left(&r);
    }
    if (strcmp(name, "X509v3 Key Usage") == 0)
        return expect(&r, IOF_ASN1_BIT_STRING, &v) == IOF_PROTO_OK && ext_key_usage(s, v);
    if (iof__der_next(&r, &tag, &v) != IOF_PROTO_OK || tag != IOF_ASN1_SEQUENCE || rd_left(&r))
        return false;
    iof__rd in = span_rd(v);
    if (strcmp(name, "X509v3 Basic Constraints") == 0)
        return ext_basic_constraints(s, &in);
    if (strcmp(name, "X509v3 Subject Alternative Name") == 0 || strcmp(name, "X509v3 Issuer Alternative Name") == 0)
        return general_names(s, v, "", ", ", "");
    if (strcmp(name, "X509v3 Extended Key Usage") == 0)
        return ext_eku(s, &in);
    if (strcmp(name, "X509v3 Authority Key Identifier") == 0)
        return ext_akid(s, &in);
    if (strcmp(name, "Authority Information Access") == 0)
        return ext_aia(s, &in);
    if (strcmp(name, "X509v3 CRL Distribution Points") == 0)
        return ext_crldp(s, &in);
    if (strcmp(name, "X509v3 Certificate Policies") == 0)
        return ext_policies(s, &in);
    return false;
}

size_t iof__x509_ext_text(const iof__x509_ext *e, char *out, size_t outlen)
{
    sink s = { out, outlen, 0 };
    if (!ext_structured(&s, e)) {
        s.len = 0;
        for (size_t i = 0; i < e->val.len; i++) {   /* ASN1_STRING_print */
            uint8_t c = e->val.p[i];
            char ch = (c > '~' || (c < ' ' && c != '\n' && c != '\r')) ? '.' : (char)c;
            put(&s, &ch, 1);
        }
    }
    if (outlen)
        out[s.len < outlen ? s.len : outlen - 1] = '\0';
    return s.len;
}
