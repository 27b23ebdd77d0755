/* Addresses as the datasets write them: see addrtext.h. */
#include <stdio.h>
#include <stdlib.h>
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

static int cmp_id(const void *a, const void *b)
{
    return strncmp(*(const char *const *)a, *(const char *const *)b, IOF_DEVICE_ID_MAX_NAME);
}

const char *iof__device_ids_clash(const iof__inventory *inv, char *buf, size_t len)
{
    size_t n = inv ? iof__inventory_count(inv) : 0;
    if (n < 2)
        return NULL;
    const char **v = malloc(n * sizeof(*v));
    if (!v) {
        snprintf(buf, len, "out of memory checking the inventory's names");
        return buf;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = iof__inventory_get(inv, i)->name;
    qsort(v, n, sizeof(*v), cmp_id);
    const char *why = NULL;
    for (size_t i = 1; i < n && !why; i++)
        if (v[i][0] && cmp_id(&v[i], &v[i - 1]) == 0) {
            snprintf(buf, len, "the inventory gives two devices the name \"%.*s\"%s", IOF_DEVICE_ID_MAX_NAME, v[i],
                     strlen(v[i]) > IOF_DEVICE_ID_MAX_NAME ? "... (a device_id keeps its first 63 bytes)" : "");
            why = buf;
        }
    free(v);
    return why;
}
