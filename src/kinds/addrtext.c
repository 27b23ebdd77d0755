/* Addresses as the datasets write them: see addrtext.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "flow/attrib.h"
#include "kinds/addrtext.h"
#include "output/textbuf.h"

uint32_t iof__fmt_ip_anon(uint8_t ipver, const uint8_t ip[16], bool anonymise, char out[48])
{
    return iof__fmt_ip(ipver, iof__ip_anon(ipver, ip, anonymise), out);
}

/* Bytes of an inventory name a device_id keeps: at most IOF_DEVICE_ID_MAX_NAME, cut between two
 * UTF-8 characters (the inventory's names are UTF-8: flow/inventory.c) */
static size_t name_id_len(const char *name)
{
    size_t n = strlen(name);
    if (n > IOF_DEVICE_ID_MAX_NAME) {
        n = IOF_DEVICE_ID_MAX_NAME;
        while (n && ((unsigned char)name[n] & 0xc0) == 0x80)
            n--;
    }
    return n;
}

uint32_t iof__device_id_text(const iof__device *dev, const uint8_t *mac, uint8_t ipver, const uint8_t ip[16],
                             bool anonymise, char out[64])
{
    if (dev && dev->name[0]) {
        size_t n = name_id_len(dev->name);
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
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t nx = name_id_len(x), ny = name_id_len(y);
    int c = memcmp(x, y, nx < ny ? nx : ny);
    return c ? c : (nx > ny) - (nx < ny);
}

int iof__device_ids_refuse(const iof__inventory *inv, const char *file, const char *why, char *err, size_t errlen)
{
    char clash[160];
    if (iof__device_ids_clash(inv, clash, sizeof(clash)) != IOF_OK)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    if (clash[0])
        return iof__fail(err, errlen, IOF_E_INVAL, "%s: %s: %s: give each device a name of its own", file, clash,
                         why);
    return IOF_OK;
}

int iof__device_ids_clash(const iof__inventory *inv, char *buf, size_t len)
{
    size_t n = inv ? iof__inventory_count(inv) : 0;
    buf[0] = '\0';
    if (n < 2)
        return IOF_OK;
    const char **v = malloc(n * sizeof(*v));
    if (!v)
        return IOF_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] = iof__inventory_get(inv, i)->name;
    qsort(v, n, sizeof(*v), cmp_id);
    for (size_t i = 1; i < n && !buf[0]; i++)
        if (v[i][0] && cmp_id(&v[i], &v[i - 1]) == 0)
            snprintf(buf, len, "the inventory gives two devices the name \"%.*s\"%s", (int)name_id_len(v[i]), v[i],
                     strlen(v[i]) > name_id_len(v[i]) ? "... (a device_id keeps its first 63 bytes)" : "");
    free(v);
    return IOF_OK;
}
