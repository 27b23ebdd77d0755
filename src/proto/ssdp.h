/* SSDP (UPnP discovery, HTTP-over-UDP on port 1900) message parser: the start line (NOTIFY,
 * M-SEARCH, or an HTTP/1.x response) and the header lines up to the empty line. Header lines
 * are read by proto/http.h's iof__http_header_next(), the reader HTTP message heads use too.
 */
#ifndef IOF_PROTO_SSDP_H
#define IOF_PROTO_SSDP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/rd.h"
#include "proto/http.h"
#include "proto/proto.h"

#define IOF_SSDP_MAX_HEADERS 64 /* header lines read per message (real ones: 6-12) */

typedef enum iof__ssdp_kind {
    IOF_SSDP_NOTIFY = 1,   /* NOTIFY * HTTP/1.1: announcement (ssdp:alive / byebye) */
    IOF_SSDP_MSEARCH = 2,  /* M-SEARCH * HTTP/1.1: search request */
    IOF_SSDP_RESPONSE = 3, /* HTTP/1.x NNN ...: answer to a search */
} iof__ssdp_kind;

typedef struct iof__ssdp_msg {
    iof__ssdp_kind kind;
    uint16_t status;       /* response status code (0 for requests) */
    uint16_t n_headers;    /* header lines read */
    bool more_headers;     /* stopped at IOF_SSDP_MAX_HEADERS */
    /* values with blanks trimmed; the first instance of each header wins */
    iof__span server, location, usn, nt, nts, st, user_agent, cache_control, man;
} iof__ssdp_msg;

/* Parses a UDP payload. OK (the empty line after the headers was reached, or the cap);
 * TRUNCATED (the data ends inside the headers); MALFORMED (a header line without ':');
 * OTHER (the start line is not SSDP). Headers read before a problem stay valid. */
iof__proto_status iof__ssdp_parse(const uint8_t *p, size_t n, iof__ssdp_msg *m);

#endif
