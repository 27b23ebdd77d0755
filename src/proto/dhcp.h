/* DHCP (RFC 2131/2132) and BOOTP message parser: the fixed BOOTP header, the magic cookie and
 * the options a device inventory or Joy-style DHCP features use. Options are walked up to the
 * END option or the end of the data (and through the `file`/`sname` fields when option 52 says
 * they are overloaded); the first instance of an option wins (RFC 3396 concatenation of split
 * long options is not done). Values are spans into the input.
 */
#ifndef IOF_PROTO_DHCP_H
#define IOF_PROTO_DHCP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/rd.h"
#include "proto/proto.h"

#define IOF_DHCP_FIXED_LEN 236   /* BOOTP header before the options (RFC 2131 figure 1) */
#define IOF_DHCP_MAX_OPTIONS 512 /* options (PAD aside) walked per message; real ones hold < 40.
                                    The walk ends with the bytes anyway: this bounds the work */

enum { IOF_DHCP_BOOTREQUEST = 1, IOF_DHCP_BOOTREPLY = 2 };
/* option 53 values */
enum {
    IOF_DHCP_DISCOVER = 1, IOF_DHCP_OFFER = 2, IOF_DHCP_REQUEST = 3, IOF_DHCP_DECLINE = 4,
    IOF_DHCP_ACK = 5, IOF_DHCP_NAK = 6, IOF_DHCP_RELEASE = 7, IOF_DHCP_INFORM = 8,
};

typedef struct iof__dhcp_msg {
    uint8_t op, htype, hlen, hops;
    uint32_t xid;
    uint16_t secs, flags;
    uint8_t ciaddr[4], yiaddr[4], siaddr[4], giaddr[4];
    uint8_t chaddr[16];      /* client hardware address; the first hlen (<= 16) bytes count */
    bool cookie;             /* DHCP magic cookie present (else BOOTP: no options parsed) */
    bool end_seen;           /* the END option was reached */
    uint16_t n_options;      /* options seen (PAD and END not counted) */
    uint8_t msg_type;        /* option 53, 0 when absent */
    uint8_t overload;        /* option 52: 1 file, 2 sname, 3 both hold options */
    bool has_router, has_server_id, has_requested_ip, has_lease;
    uint8_t router[4];       /* option 3, the first router */
    uint8_t server_id[4];    /* option 54 */
    uint8_t requested_ip[4]; /* option 50 */
    uint32_t lease_s;        /* option 51 */
    iof__span hostname;       /* option 12 (often NUL-terminated by clients) */
    iof__span domain;         /* option 15 */
    iof__span vendor_class;   /* option 60 */
    iof__span client_id;      /* option 61 */
    iof__span param_list;     /* option 55: the requested options, in order (fingerprints) */
} iof__dhcp_msg;

/* Parses a UDP payload. Returns OK; TRUNCATED (the header or an option runs past the data);
 * MALFORMED (hlen > 16, a fixed-size option with the wrong length); OTHER (no magic cookie:
 * a plain BOOTP message, header fields valid). Fields filled before a problem stay valid. */
iof__proto_status iof__dhcp_parse(const uint8_t *p, size_t n, iof__dhcp_msg *m);

/* The pieces iof__dhcp_parse is made of, for readers that keep more than iof__dhcp_msg (Joy's
 * dhcp[] keeps every option in order: features/f_dhcp.c). */
#define IOF_DHCP_SNAME_LEN 64    /* sname: server host name field */
#define IOF_DHCP_FILE_LEN 128    /* file: boot file name field */
/* Reads the fixed fields op .. chaddr (44 bytes; r->err set when they are cut short, the
 * missing fields 0). No check of their values. */
void iof__dhcp_header(iof__rd *r, iof__dhcp_msg *m);

typedef struct iof__dhcp_opt {
    uint8_t code;
    iof__span val;       /* the option's value: len bytes inside the input */
} iof__dhcp_opt;
enum {
    IOF_DHCP_OPT_NONE = 0, /* the bytes ended (no END option) */
    IOF_DHCP_OPT_ONE,      /* *o is the next option */
    IOF_DHCP_OPT_END,      /* the END option (255) */
    IOF_DHCP_OPT_CUT,      /* an option whose length byte or value runs past the bytes */
};
/* The next option of an options area (PAD options skipped): one of IOF_DHCP_OPT_*. */
int iof__dhcp_next_option(iof__rd *r, iof__dhcp_opt *o);

#endif
