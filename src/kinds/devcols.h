/* The device-inventory column group (device_name, device_type from --devices): one group any
 * record kind can add to its schema. Its accessor reads a `const iof__device *` (NULL: no
 * inventory entry, both columns null) at the group's row_off in the kind's row:
 *
 *   static const iof__colgroup g = { .name = "device", .ops = { .get = iof__dev_get },
 *                                    .row_off = offsetof(my_row, dev), .declare = iof__dev_declare };
 */
#ifndef IOF_KINDS_DEVCOLS_H
#define IOF_KINDS_DEVCOLS_H

#include <stdbool.h>

#include "common/schema.h"

typedef enum iof__dev_col { IOF__DEV_NAME, IOF__DEV_TYPE } iof__dev_col;

/* Their names: one name in both layouts. */
iof__colnames iof__dev_col_names(iof__dev_col c);
/* iof__colgroup.declare and .ops.get of the group (cfg and the layout do not matter). */
int iof__dev_declare(iof__schema *s, const void *cfg, bool wide);
void iof__dev_get(const void *devp, const iof__column *c, uint32_t k, iof__value *v);

#endif
