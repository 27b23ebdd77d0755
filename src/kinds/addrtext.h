/* Addresses as the datasets write them, through the anonymisation rule (flow/attrib.h,
 * iof__ip_anon): a private or link-local address is written 0.0.0.0 / :: when anonymising (the
 * default; --keep-private-ips turns it off). */
#ifndef IOF_KINDS_ADDRTEXT_H
#define IOF_KINDS_ADDRTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/inventory.h"

uint32_t iof__fmt_ip_anon(uint8_t ipver, const uint8_t ip[16], bool anonymise, char out[48]);

/* Bytes of an inventory name a device_id keeps at most (the rest is cut, between two UTF-8
 * characters; readers of written tables that map device_ids back to devices must know it:
 * dataset/fuse.c). */
#define IOF_DEVICE_ID_MAX_NAME 63

/* A device as the telemetry and timeline tables name it (device_id): its inventory name, else
 * its MAC (the inventory's, else mac when not NULL), else its address, never anonymised (it is
 * the device's identity; anonymise is not applied, or all MAC-less devices would be one). */
uint32_t iof__device_id_text(const iof__device *dev, const uint8_t *mac, uint8_t ipver, const uint8_t ip[16],
                             bool anonymise, char out[64]);

/* Whether two of the inventory's devices would have one device_id (two names the same as
 * iof__device_id_text keeps them): then a telemetry or timeline table, and what reads it back,
 * cannot tell their rows apart. buf: "" when each name is its own, else a message naming the
 * name. Returns IOF_OK or IOF_E_NOMEM. */
int iof__device_ids_clash(const iof__inventory *inv, char *buf, size_t len);
/* The refusal of such an inventory by something that names devices by their device_id: IOF_OK
 * when none clash; else IOF_E_INVAL with "FILE: <the clash>: <why>: give each device a name of
 * its own" in err, or IOF_E_NOMEM. */
int iof__device_ids_refuse(const iof__inventory *inv, const char *file, const char *why, char *err, size_t errlen);

#endif
