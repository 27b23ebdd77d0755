/* Addresses as the datasets write them: the anonymisation rule in one place. A private,
 * link-local or loopback address (flow/attrib.h, iof__ip_is_local) is written 0.0.0.0 / ::
 * when anonymising (the default; --keep-private-ips turns it off), so models trained on one
 * home network do not learn its addressing. */
#ifndef IOF_KINDS_ADDRTEXT_H
#define IOF_KINDS_ADDRTEXT_H

#include <stdbool.h>
#include <stdint.h>

uint32_t iof__fmt_ip_anon(uint8_t ipver, const uint8_t ip[16], bool anonymise, char out[48]);

#endif
