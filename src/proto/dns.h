/* DNS message parser (RFC 1035 §4; also mDNS, RFC 6762): the header, then every question and
 * resource record in wire order through an iterator, and names with compression pointers
 * decoded to text. Used for mDNS names by device discovery; meant for DNS features and labels.
 *
 *   iof__dns_msg m;
 *   if (iof__dns_open(&m, payload, len) == IOF_PROTO_OK)
 *       for (iof__dns_rr rr; iof__dns_next(&m, &rr);)
 *           ... iof__dns_name(&m, rr.name_off, text, sizeof text, NULL) ...
 *   m.status: OK after the last record, else why the walk stopped.
 *
 * Names: labels of 1..63 bytes, compression pointers (RFC 1035 §4.1.4) must point strictly
 * backwards, past the 12-byte header, and at most IOF_DNS_MAX_HOPS are followed per name, so
 * every walk ends; a name longer than 255 wire bytes, or with a 0x40/0x80 label type, is
 * MALFORMED. Every owner name is validated by the iterator, rdata names by iof__dns_rr_target.
 */
#ifndef IOF_PROTO_DNS_H
#define IOF_PROTO_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

#define IOF_DNS_HDR_LEN 12
#define IOF_DNS_MAX_HOPS 32    /* compression pointers followed in one name (real names: 1-3) */
#define IOF_DNS_MAX_NAME 255   /* wire bytes of a name, length octets included (RFC 1035 §3.1) */
#define IOF_DNS_NAME_TEXT 1024 /* text buffer that holds any name: 255 bytes as \DDD + NUL */

enum { IOF_DNS_QD = 0, IOF_DNS_AN = 1, IOF_DNS_NS = 2, IOF_DNS_AR = 3 };
enum {
    IOF_DNS_T_A = 1, IOF_DNS_T_NS = 2, IOF_DNS_T_CNAME = 5, IOF_DNS_T_PTR = 12,
    IOF_DNS_T_MX = 15, IOF_DNS_T_TXT = 16, IOF_DNS_T_AAAA = 28, IOF_DNS_T_SRV = 33,
    IOF_DNS_T_DNAME = 39, IOF_DNS_T_OPT = 41, IOF_DNS_T_ANY = 255,
};
#define IOF_DNS_FLAG_QR 0x8000u /* response */
#define IOF_DNS_OPCODE(flags) (((flags) >> 11) & 15u)
#define IOF_DNS_RCODE(flags) ((flags) & 15u)

typedef struct iof__dns_msg {
    const uint8_t *base;  /* the message (borrowed) */
    size_t len;
    uint16_t id, flags;
    uint16_t count[4];    /* QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT as sent */
    iof__proto_status status; /* sticky: why iof__dns_next stopped (OK at the clean end) */
    /* iteration state */
    size_t off;           /* offset of the next entry */
    uint8_t section;
    uint16_t left;        /* entries left in `section` */
} iof__dns_msg;

typedef struct iof__dns_rr {
    uint8_t section;      /* IOF_DNS_QD / AN / NS / AR */
    uint16_t type;
    uint16_t rclass;      /* class without the top bit */
    bool top_bit;         /* mDNS: cache-flush (records) / unicast-response (questions) */
    uint32_t ttl;         /* 0 for questions */
    size_t name_off;      /* offset of the owner name in the message */
    size_t rdata_off;     /* offset of RDATA (questions: 0) */
    uint16_t rdlen;       /* RDATA bytes, all inside the message (questions: 0) */
} iof__dns_rr;

/* Reads the header. OK, or TRUNCATED when fewer than 12 bytes. The iterator then starts at
 * the first question. */
iof__proto_status iof__dns_open(iof__dns_msg *m, const uint8_t *p, size_t n);

/* Next question or record: true with *rr filled; false at the end (m->status OK) or on a
 * problem (m->status TRUNCATED / MALFORMED; entries returned before stay valid). */
bool iof__dns_next(iof__dns_msg *m, iof__dns_rr *rr);

/* The name at `off` as text: labels joined by '.', '.' and '\' inside a label escaped with
 * '\', bytes < 0x20, 0x7f and bytes outside well-formed UTF-8 as \DDD, others as they are (mDNS
 * names are UTF-8; common/nametext.h, the rule every name shares); the root is
 * ".". out (size outlen >= IOF_DNS_NAME_TEXT, or NULL to only validate) is always
 * NUL-terminated. *wire (if not NULL) = bytes the name occupies at off (up to its first
 * pointer or root label). Returns OK, TRUNCATED or MALFORMED. */
iof__proto_status iof__dns_name(const iof__dns_msg *m, size_t off, char *out, size_t outlen,
                               size_t *wire);

/* How a name becomes text: ESCAPED is iof__dns_name's; JOY is Cisco Joy 3.0.3's (dns.c
 * dns_header_parse_name, printed without its leading '.'): labels joined by '.', every byte
 * outside 0x20..0x7e (C-locale isprint) as '*', nothing escaped ('.', '\\' and '"' inside a
 * label stay as they are: a JSON writer must escape them), the root as "". The walk and its
 * checks are the same for both. */
typedef enum iof__dns_text { IOF_DNS_TEXT_ESCAPED = 0, IOF_DNS_TEXT_JOY = 1 } iof__dns_text;
iof__proto_status iof__dns_name_text(const iof__dns_msg *m, size_t off, iof__dns_text style,
                                    char *out, size_t outlen, size_t *wire);

/* The domain name inside a record's RDATA: PTR, CNAME, NS, DNAME (at the start), MX (after
 * the preference), SRV (after priority, weight, port). The name's own bytes must lie inside
 * RDATA. Returns OK, TRUNCATED/MALFORMED, or OTHER for a type without a name. */
iof__proto_status iof__dns_rr_target(const iof__dns_msg *m, const iof__dns_rr *rr, char *out,
                                    size_t outlen);

#endif
