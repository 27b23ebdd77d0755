/* Addresses as the datasets write them: see addrtext.h. */
#include <string.h>

#include "flow/attrib.h"
#include "kinds/addrtext.h"
#include "output/textbuf.h"

uint32_t iof__fmt_ip_anon(uint8_t ipver, const uint8_t ip[16], bool anonymise, char out[48])
{
    return iof__fmt_ip(ipver, iof__ip_anon(ipver, ip, anonymise), out);
}

uint32_t iof__device_id_text(const iof__device *dev, const uint8_t *mac, uint8_t ipver, const uint8_t ip[16],
                             bool anonymise, char out[64])
{
    if (dev && dev->name[0]) {
        size_t n = strlen(dev->name);
        if (n > IOF_DEVICE_ID_MAX_NAME)
            n = IOF_DEVICE_ID_MAX_NAME;
        memcpy(out, dev->name, n);
        out[n] = '\0';
        return (uint32_t)n;
    }
    if (dev || mac) {
        iof__format_mac(dev ? dev->mac : mac, out);
        return 17;
    }
    (void)anonymise; /* the device's own address is its identity here: never 0.0.0.0, or every
                        MAC-less device (raw IP captures) would be one */
    return iof__fmt_ip(ipver, ip, out);
}
