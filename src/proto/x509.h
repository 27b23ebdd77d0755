/* X.509 certificate parser (RFC 5280 §4.1, DER: X.690 §8, §10): a Certificate's TBSCertificate
 * fields as spans into the input — serial, issuer and subject names, validity times, the
 * subject public key's algorithm and key, the extensions — and the outer signature algorithm and
 * signature. Plus the texts Joy 3.0.3 (through OpenSSL) writes for them: an OID's OpenSSL long
 * name or dotted form, a time as ASN1_TIME_print writes it, a key's size in bits as EVP_PKEY_bits
 * gives it, an extension's value as X509V3_EXT_print writes it (OpenSSL 1.1) for the common
 * extensions, its raw bytes (ASN1_STRING_print) for the others.
 *
 * Contract (proto/proto.h): every byte through rd.h, no allocation, spans into the input. A
 * certificate cut short (a handshake buffer's end) still yields the fields before the cut
 * (IOF_PROTO_TRUNCATED); only DER's definite lengths up to 4 length bytes and one-byte tags are
 * read (anything else: MALFORMED, as no certificate uses them). */
#ifndef IOF_PROTO_X509_H
#define IOF_PROTO_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rd.h"
#include "proto/proto.h"

#define IOF_X509_MAX_LEN_BYTES 4  /* long-form length bytes read (a length past 4 GB: none) */
#define IOF_X509_MAX_ATTRS 64     /* name entries walked per name (real names hold < 15; the
                                     walk ends with the bytes anyway, this bounds it) */
#define IOF_X509_MAX_EXTS 64      /* extensions walked per certificate (real ones: < 15) */
#define IOF_X509_MAX_NAMES 8192   /* entries walked per extension (general names, purposes,
                                     policies...: a SAN of a CDN holds ~100): 8192 render to
                                     more than 40 KB, past any text buffer a caller keeps, so
                                     the walk's end never hides a cut text */
#define IOF_X509_OID_TEXT 96      /* a dotted OID's text, cut beyond (Joy cuts at 31 anyway) */
#define IOF_X509_TIME_TEXT 48     /* "Jan  1 00:00:00.123456 2020 GMT"; 20 fraction digits (read_time's most) fit */

/* ASN.1 tags (one byte, X.690 §8.1.2) */
enum {
    IOF_ASN1_BOOLEAN = 0x01, IOF_ASN1_INTEGER = 0x02, IOF_ASN1_BIT_STRING = 0x03,
    IOF_ASN1_OCTET_STRING = 0x04, IOF_ASN1_NULL = 0x05, IOF_ASN1_OID = 0x06,
    IOF_ASN1_UTF8 = 0x0c, IOF_ASN1_PRINTABLE = 0x13, IOF_ASN1_IA5 = 0x16,
    IOF_ASN1_UTCTIME = 0x17, IOF_ASN1_GENTIME = 0x18, IOF_ASN1_BMP = 0x1e,
    IOF_ASN1_SEQUENCE = 0x30, IOF_ASN1_SET = 0x31,
};

/* One DER element: its tag and value; r advances past it. OK; TRUNCATED (the value runs past
 * r's end: *v is what is there); MALFORMED (a multi-byte tag, an indefinite or over-long
 * length). */
iof__proto_status iof__der_next(iof__rd *r, uint8_t *tag, iof__span *v);

typedef struct iof__x509 {
    uint8_t version;          /* the [0] version field (0 when absent: v1) */
    iof__span serial;         /* the INTEGER's content bytes */
    iof__span sig_alg;        /* the outer signatureAlgorithm's OID (content bytes) */
    iof__span signature;      /* the signature BIT STRING, without its unused-bits byte */
    iof__span issuer;         /* the Name SEQUENCE's content (walk: iof__x509_next_attr) */
    iof__span subject;
    iof__span not_before, not_after;   /* the times' content bytes ... */
    uint8_t nb_tag, na_tag;            /* ... and tags (UTCTime or GeneralizedTime) */
    iof__span key_alg;        /* subjectPublicKeyInfo's algorithm OID */
    iof__span key_param;      /* its parameters, whole element (tag included; empty: none) */
    iof__span key;            /* subjectPublicKey, without its unused-bits byte */
    iof__span extensions;     /* the Extensions SEQUENCE's content (iof__x509_next_ext) */
    bool has_extensions;
} iof__x509;

/* Parses a Certificate from its outer SEQUENCE. OK (every field read and the signature
 * present); TRUNCATED (cut: the fields before the cut are set); MALFORMED (a field of the wrong
 * type or a length beyond its container); OTHER (not a SEQUENCE). */
iof__proto_status iof__x509_parse(const uint8_t *p, size_t n, iof__x509 *c);

/* A name entry (an AttributeTypeAndValue of one of the name's RDN sets, in order). */
typedef struct iof__x509_attr {
    iof__span oid;
    uint8_t tag;              /* the value's string type */
    iof__span val;
} iof__x509_attr;
/* A walk over a Name's entries, every RDN set's in order (OpenSSL's X509_NAME_get_entry order). */
typedef struct iof__x509_names {
    iof__rd name, set;
    unsigned n;               /* entries handed out (<= IOF_X509_MAX_ATTRS) */
} iof__x509_names;
iof__x509_names iof__x509_names_open(iof__span name);
/* The next entry: 1 and *a, 0 at the end (or at a malformed one). */
int iof__x509_next_attr(iof__x509_names *w, iof__x509_attr *a);

typedef struct iof__x509_ext {
    iof__span oid;
    bool critical;
    iof__span val;            /* the extnValue OCTET STRING's content */
} iof__x509_ext;
/* The next extension of the Extensions' content: 1 and *e, 0 at the end (or a malformed one). */
int iof__x509_next_ext(iof__rd *r, iof__x509_ext *e);

/* OpenSSL's long name of an OID (its content bytes), NULL when not in our table. */
const char *iof__x509_oid_name(iof__span oid);
/* The dotted text of an OID (OBJ_obj2txt(.., 1)), NUL-terminated, cut to fit out. Its length. */
size_t iof__x509_oid_text(iof__span oid, char *out, size_t outlen);
/* The long name, else the dotted text, cut to cap - 1 bytes (Joy's MAX_OPENSSL_STRING - 1). */
size_t iof__x509_oid_label(iof__span oid, char *out, size_t cap);

/* A time as OpenSSL 1.1's ASN1_TIME_print writes it ("Jan  2 03:04:05 2020 GMT"; a
 * GeneralizedTime's fraction after the seconds), or "Bad time value" when it cannot be read.
 * out holds IOF_X509_TIME_TEXT bytes; the length is returned. */
size_t iof__x509_time_text(uint8_t tag, iof__span t, char *out);
/* The same time as ISO 8601 ("2020-01-02T03:04:05Z", the fraction left out; no 'Z' for a local
 * time), or "" (0) when it cannot be read. out holds IOF_X509_TIME_TEXT bytes. */
size_t iof__x509_time_iso(uint8_t tag, iof__span t, char *out);

/* The public key's size in bits as OpenSSL's EVP_PKEY_bits gives it (RSA: the modulus; EC: the
 * named curve's order; DSA: p; Ed25519 253, Ed448 456); 0 when the key or its algorithm is one
 * we do not read (OpenSSL would then not decode it: Joy writes neither the algorithm nor the
 * size). */
uint32_t iof__x509_key_bits(const iof__x509 *c);

/* An extension's value as OpenSSL 1.1's X509V3_EXT_print (flags 0, indent 0) writes it for
 * basic constraints, key usage, extended key usage, subject / authority key identifiers,
 * subject / issuer alternative names, authority information access, CRL distribution points
 * (their full names) and certificate policies (with CPS qualifiers); for any other extension,
 * or one of those we cannot read, its raw value as ASN1_STRING_print writes it (a byte outside
 * 0x20..0x7e, other than \n and \r, as '.'). Writes at most outlen - 1 bytes and a NUL;
 * returns the length the whole text needs (> outlen - 1: cut). */
size_t iof__x509_ext_text(const iof__x509_ext *e, char *out, size_t outlen);

#endif
