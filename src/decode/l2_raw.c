/* Raw IP link types: RAW (101) and DLT_RAW 12/14 (the version nibble decides), IPV4 (228) and
 * IPV6 (229), where a wrong version nibble is IP_BAD_VERSION (checked by the l3 decoders). */
#include "decode/decode_int.h"

iof__drop iof__l2_raw(iof__pkt *pkt) { return iof__decode_ip(pkt, 0); }

iof__drop iof__l2_ipv4(iof__pkt *pkt) { return iof__l3_ipv4(pkt, 0); }

iof__drop iof__l2_ipv6(iof__pkt *pkt) { return iof__l3_ipv6(pkt, 0); }
