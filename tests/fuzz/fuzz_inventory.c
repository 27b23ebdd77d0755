/* fuzz_inventory: the --devices CSV parser (untrusted text) must accept or reject any input
 * cleanly: no crash, no leak, and every accepted device can be found again by its MAC. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_fuzz.h"

#include "flow/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/iof-fuzz-inv-XXXXXX";
    if (!file_fuzz_write(path, data, size))
        return 0;
    iof__inventory *inv = NULL;
    char err[256];
    if (iof__inventory_load(&inv, path, err, sizeof(err)) == 0) {
        for (size_t i = 0; i < iof__inventory_count(inv); i++) {
            const iof__device *d = iof__inventory_get(inv, i);
            if (iof__inventory_find_mac(inv, d->mac) != (long)i)
                abort();
            if (d->n_ips && iof__inventory_find_ip(inv, d->ip_ver[0], d->ips[0]) < 0)
                abort();
        }
    } else if (err[0] == '\0') {
        abort(); /* a rejection always says why */
    }
    iof__inventory_free(inv);
    unlink(path);
    return 0;
}
