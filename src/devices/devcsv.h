/* The device inventory CSV (docs/DEVICES.md): the rows of a device table, with vendor, name and
 * role guess, written so that the inventory loader (flow/inventory.c) reads them as they are. */
#ifndef IOF_DEVICES_DEVCSV_H
#define IOF_DEVICES_DEVCSV_H

#include <stddef.h>
#include <stdint.h>

#include "devices/devtab.h"
#include "devices/oui.h"
#include "iotflow/iotflow.h"
#include "output/outfile.h"

#define IOF_DEV_EVIDENCE 400 /* bytes of the evidence column */

typedef enum iof__dev_role { IOF_ROLE_DEVICE = 0, IOF_ROLE_ROUTER, IOF_ROLE_PHONE_PC } iof__dev_role;

typedef struct iof__devcsv_stats {
    uint64_t rows;           /* devices written */
    uint64_t values_dropped; /* own IPs and mDNS names seen beyond what the rows list */
    uint64_t ips_shared;     /* own IPs left out of the rows' ip because more than one row has
                                them (each address once; each row's evidence names another MAC) */
} iof__devcsv_stats;

/* Role guess for one row, and the evidence in words (ev, IOF_DEV_EVIDENCE bytes). */
iof__dev_role iof__dev_guess_role(const iof__devtab *t, const iof__devrow *r, char *ev, size_t evlen);
const char *iof__dev_role_name(iof__dev_role role);

/* Writes the header and one row per MAC that sent a frame, in MAC order. oui may be NULL.
 * Returns 0, IOF_E_OUTPUT (message from the outfile) or IOF_E_NOMEM. */
int iof__devcsv_write(const iof__devtab *t, iof__oui *oui, iof__outfile *f, iof__devcsv_stats *st,
                      char *err, size_t errlen);

#endif
