/* IP protocol names: the one table of the names iotflow writes (summary tables, the telemetry
 * table's `protocol`) and reads (label rules' `proto tcp`). */
#ifndef IOF_COMMON_IPPROTO_H
#define IOF_COMMON_IPPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The name of protocol p ("tcp", "icmpv6", ...), or "" when it has none here. */
const char *iof__proto_name(unsigned p);
/* The number of a protocol name of n bytes (names, and aliases such as "ipv6-icmp"), exact and
 * lower-case; false when unknown. */
bool iof__proto_number(const char *name, size_t n, uint8_t *num);

#endif
