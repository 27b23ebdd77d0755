/* Addresses as the datasets write them: see addrtext.h. */
#include <string.h>

#include "flow/attrib.h"
#include "kinds/addrtext.h"
#include "output/textbuf.h"

uint32_t iof__fmt_ip_anon(uint8_t ipver, const uint8_t ip[16], bool anonymise, char out[48])
{
    if (anonymise && iof__ip_is_local(ipver, ip)) {
        strcpy(out, ipver == 4 ? "0.0.0.0" : "::");
        return (uint32_t)strlen(out);
    }
    return iof__fmt_ip(ipver, ip, out);
}
