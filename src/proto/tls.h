/* TLS record and hello parser (RFC 5246 §6.2.1, §7.4.1.2-3; RFC 8446 §4.1.2-3; RFC 6066 §3):
 * the 5-byte record header, and a ClientHello / ServerHello handshake message with its
 * version, random, session id, cipher suites, extensions and the first server_name host name.
 * A hello is parsed from its handshake header on (type, 24-bit length); the caller gathers it
 * from the records first (a hello may span records and segments). Values are spans into the
 * input. Reused by Joy's tls module (next step) and for SNI on custom flows and labels.
 */
#ifndef IOF_PROTO_TLS_H
#define IOF_PROTO_TLS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/rd.h"
#include "proto/proto.h"

#define IOF_TLS_RECORD_HDR 5          /* content type, version, length */
#define IOF_TLS_MAX_RECORD 18432      /* 2^14 + 2048: the largest TLSCiphertext length */
#define IOF_TLS_MAX_EXTENSIONS 128    /* extensions walked per hello (real ones hold < 30):
                                         the walk ends with the bytes anyway, this bounds it */

enum { IOF_TLS_CCS = 20, IOF_TLS_ALERT = 21, IOF_TLS_HANDSHAKE = 22, IOF_TLS_APPDATA = 23 };
enum { IOF_TLS_CLIENT_HELLO = 1, IOF_TLS_SERVER_HELLO = 2 };
enum { IOF_TLS_EXT_SERVER_NAME = 0 };

typedef struct iof__tls_record {
    uint8_t type;        /* content type (20..23 known) */
    uint16_t version;    /* record-layer version, e.g. 0x0303 */
    uint16_t len;        /* fragment length */
} iof__tls_record;

/* Reads a record header. OK; TRUNCATED (fewer than 5 bytes); OTHER (not a known content type,
 * a major version other than 3, or a length beyond IOF_TLS_MAX_RECORD): not TLS. */
iof__proto_status iof__tls_record_hdr(const uint8_t *p, size_t n, iof__tls_record *r);

typedef struct iof__tls_hello {
    uint8_t type;             /* IOF_TLS_CLIENT_HELLO or IOF_TLS_SERVER_HELLO */
    uint32_t len;             /* the handshake length field */
    uint16_t version;         /* legacy_version */
    iof__span random;         /* 32 bytes */
    iof__span sid;            /* session id (<= 32 bytes) */
    iof__span suites;         /* ClientHello: the offered suites, 2 bytes each */
    uint16_t suite;           /* ServerHello: the selected suite */
    iof__span compression;    /* ClientHello: the methods; ServerHello: the one chosen */
    iof__span extensions;     /* the extension block (walk it with iof__tls_next_ext) */
    uint16_t n_ext;           /* extensions seen */
    iof__span sni;            /* the first host_name of server_name (ClientHello); also of a
                                 TRUNCATED hello whose extension block runs past the data, when
                                 that name is whole in it (the block itself is then empty) */
    iof__span ext_cut;        /* that block's captured part (walk it with iof__tls_next_ext: the
                                 extensions whole in it), else empty */
} iof__tls_hello;

/* Parses a hello from its handshake header. OK; TRUNCATED (the data ends inside it);
 * MALFORMED (a length that does not fit its container, a session id over 32 bytes, an odd
 * suite list, too many extensions); OTHER (another handshake type). */
iof__proto_status iof__tls_hello_parse(const uint8_t *p, size_t n, iof__tls_hello *h);

enum { IOF_TLS_EXT_NONE = 0, IOF_TLS_EXT_ONE, IOF_TLS_EXT_CUT };
/* The next extension of an extension block: IOF_TLS_EXT_ONE with *type and *val, NONE at the
 * end of the block, CUT when one runs past it. */
int iof__tls_next_ext(iof__rd *r, uint16_t *type, iof__span *val);

#endif
