/* HTTP/1.x message heads (RFC 9112): the start line (a request line or a status line), the
 * header fields up to the empty line, and where the body starts. Also the header-line reader
 * the SSDP parser shares (proto/ssdp.h: HTTP over UDP). Nothing past the head is read: bodies,
 * chunked coding and message framing belong to the callers (one packet's bytes each).
 *
 * Lines end with "\r\n" or a bare "\n" (RFC 9112 §2.2 lets a recipient accept the latter; the
 * message says so in bare_lf). A line is at most IOF_HTTP_MAX_LINE bytes; IOF_HTTP_MAX_HEADERS
 * fields are kept, the others are read through (counted) so the body offset is still found.
 */
#ifndef IOF_PROTO_HTTP_H
#define IOF_PROTO_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rd.h"
#include "proto/proto.h"

#define IOF_HTTP_MAX_LINE 8192  /* bytes of one start or header line, its break aside: the
                                   common servers' default limit (nginx, Apache: 8 KiB); a
                                   longer line is MALFORMED, so a line's scan is bounded */
#define IOF_HTTP_MAX_HEADERS 32 /* fields kept per message (Joy's HTTP_MAX_HEADER_ELEMENTS;
                                   real heads hold 5-20); later ones are only counted */

typedef enum iof__http_kind {
    IOF_HTTP_NONE = 0,
    IOF_HTTP_REQUEST = 1,  /* method SP request-target SP HTTP-version */
    IOF_HTTP_RESPONSE = 2, /* HTTP-version SP status-code SP [reason-phrase] */
} iof__http_kind;

typedef struct iof__http_field {
    iof__span name;        /* as written (not empty) */
    iof__span value;       /* blanks (SP, HTAB) at both ends trimmed; may be empty */
} iof__http_field;

typedef struct iof__http_msg {
    iof__http_kind kind;
    iof__span method;      /* request: a token ("GET", "M-SEARCH") */
    iof__span target;      /* request: the request-target (no control bytes, not empty) */
    iof__span version;     /* both: "HTTP/d.d" */
    uint16_t status;       /* response: the three-digit status code */
    iof__span reason;      /* response: the reason phrase, maybe empty (p set, len 0) */
    uint16_t n_fields;     /* fields kept in field[] */
    uint32_t n_lines;      /* header lines read, kept or not (the empty line aside) */
    bool more_fields;      /* n_lines > IOF_HTTP_MAX_HEADERS: later fields not kept */
    bool bare_lf;          /* some line of the head ended with "\n" alone */
    size_t body_off;       /* OK: the body's first byte (the head's length, empty line included) */
    iof__http_field field[IOF_HTTP_MAX_HEADERS];
} iof__http_msg;

/* Parses a message head at the start of p (n bytes: one TCP segment's data as captured).
 * OK: the head ended (body_off set); TRUNCATED: the data ends inside the head (the start line
 * and the fields before are valid); MALFORMED: a header line without ':' or with an empty
 * name, or a line longer than IOF_HTTP_MAX_LINE; OTHER: the first line is not an HTTP/1.x
 * start line (not HTTP, or a body's continuation). kind is set for all but OTHER. */
iof__proto_status iof__http_parse(const uint8_t *p, size_t n, iof__http_msg *m);

/* The value of m's first kept field named `name` (ASCII case ignored); p NULL when absent. */
iof__span iof__http_field_get(const iof__http_msg *m, const char *name);

/* One header line from r ("\r\n" or "\n" ended): an empty line sets *end and returns OK;
 * "Name: value" fills name and value (blanks around both trimmed) and returns OK; a line
 * without ':' or with an empty name is MALFORMED (r past the line), and so is a line longer
 * than IOF_HTTP_MAX_LINE (r unchanged); data ending before a line break is TRUNCATED (r
 * unchanged). name and value hold nothing unless OK. *bare_lf (may be NULL) is set when the line ended with "\n" alone. */
iof__proto_status iof__http_header_next(iof__rd *r, iof__span *name, iof__span *value, bool *end);
iof__proto_status iof__http_header_line(iof__rd *r, iof__span *name, iof__span *value, bool *end,
                                        bool *bare_lf);

/* The next line of r without its line break ("\r\n" or "\n"; *bare_lf, may be NULL, set for the
 * latter): OK, r past the break; TRUNCATED when the data ends first, MALFORMED when no break
 * comes within IOF_HTTP_MAX_LINE bytes (r unchanged both). */
iof__proto_status iof__http_line(iof__rd *r, iof__span *line, bool *bare_lf);

/* True when a span equals `lit` ignoring ASCII case. */
bool iof__span_ieq(iof__span s, const char *lit);

#endif
