/* Device inventory (--devices FILE), CSV (docs/DEVICES.md):
 *  - with a header row (the first row, when none of its fields is a MAC and one is "mac"):
 *    columns named mac (required), name, type, ip, in any order and any case; other columns
 *    are ignored, so `iotflow devices` output is read as it is;
 *  - without one: positional rows mac[,name[,type[,ip...]]] (a MAC-only list is fine);
 *  - an ip field holds addresses separated by ';' or ' '; when ip is the last column, further
 *    fields are more addresses; at most IOF_MAX_DEVICE_IPS per device;
 *  - '#' comment lines and blank lines are ignored.
 * Untrusted text: every row is validated; errors name file:line and the column. */
#ifndef IOF_FLOW_INVENTORY_H
#define IOF_FLOW_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOF_MAX_DEVICES 65536      /* inventory rows */
#define IOF_MAX_DEVICE_IPS 8       /* IPs per device row */
#define IOF_MAX_DEVICE_FIELD 128   /* bytes in a name or type */

typedef struct iof__device {
    uint8_t mac[6];
    char name[IOF_MAX_DEVICE_FIELD];
    char type[IOF_MAX_DEVICE_FIELD];
    uint8_t n_ips;
    uint8_t ip_ver[IOF_MAX_DEVICE_IPS];
    uint8_t ips[IOF_MAX_DEVICE_IPS][16];
} iof__device;

typedef struct iof__inventory iof__inventory;

/* Returns 0, IOF_E_IO (cannot read), IOF_E_INVAL (bad content: the message names file:line and
 * the column; also more than IOF_MAX_DEVICES rows), IOF_E_NOMEM. */
int iof__inventory_load(iof__inventory **out, const char *path, char *err, size_t errlen);
void iof__inventory_free(iof__inventory *inv);
size_t iof__inventory_count(const iof__inventory *inv);
const iof__device *iof__inventory_get(const iof__inventory *inv, size_t idx);
/* Index of the device with this MAC / IP, or -1. */
long iof__inventory_find_mac(const iof__inventory *inv, const uint8_t mac[6]);
long iof__inventory_find_ip(const iof__inventory *inv, uint8_t ipver, const uint8_t ip[16]);
bool iof__inventory_has_ips(const iof__inventory *inv);

/* "aa:bb:cc:dd:ee:ff" (also '-' separators, any case) -> 6 bytes. */
bool iof__parse_mac(const char *s, size_t n, uint8_t mac[6]);
void iof__format_mac(const uint8_t mac[6], char out[18]);

#endif
