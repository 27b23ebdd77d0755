/* proto: application-protocol parsers (DHCP, DNS/mDNS, SSDP), shared definitions.
 *
 * Contract of every parser in this folder (docs/ARCHITECTURE.md "proto/"):
 *  - input is a byte range (a transport payload as captured); every byte is read through
 *    src/common/rd.h, nothing is written to it;
 *  - output goes into a caller-provided struct; byte ranges in it (iof__span) point into the
 *    input and are valid as long as the input is (a packet: until the next one);
 *  - no allocation, no global state, no logging; loops over attacker-controlled counts are
 *    bounded by named caps and always advance;
 *  - the result is one iof__proto_status; fields filled before a problem stay valid, so a
 *    snaplen-cut message still yields what was captured.
 */
#ifndef IOF_PROTO_PROTO_H
#define IOF_PROTO_PROTO_H

#include <stddef.h>
#include <stdint.h>

typedef enum iof__proto_status {
    IOF_PROTO_OK = 0,    /* the message parsed to its end */
    IOF_PROTO_TRUNCATED, /* ran out of bytes (snaplen, or a count/length beyond the data) */
    IOF_PROTO_MALFORMED, /* a field is impossible (bad label type, pointer loop, bad length) */
    IOF_PROTO_OTHER,     /* not this protocol (no DHCP magic cookie, no SSDP start line) */
} iof__proto_status;

/* A byte range inside the parsed input; p == NULL (len 0) when absent. */
typedef struct iof__span {
    const uint8_t *p;
    size_t len;
} iof__span;

#endif
