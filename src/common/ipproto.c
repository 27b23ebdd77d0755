/* IP protocol names: see ipproto.h. IANA's keywords, lower-case; the first entry of a number
 * is its name, later ones are aliases accepted on input. */
#include <string.h>

#include "common/ipproto.h"

static const struct {
    const char *name;
    uint8_t num;
} protos[] = {
    { "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 }, { "esp", 50 },
    { "ah", 51 }, { "icmpv6", 58 }, { "ipv6-icmp", 58 }, { "ospf", 89 }, { "pim", 103 },
    { "vrrp", 112 }, { "l2tp", 115 }, { "sctp", 132 },
};

const char *iof__proto_name(unsigned p)
{
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
        if (protos[i].num == p)
            return protos[i].name;
    return "";
}

bool iof__proto_number(const char *name, size_t n, uint8_t *num)
{
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
        if (strlen(protos[i].name) == n && memcmp(protos[i].name, name, n) == 0) {
            *num = protos[i].num;
            return true;
        }
    return false;
}
