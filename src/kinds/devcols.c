/* The device-inventory column group (see devcols.h). */
#include <string.h>

#include "common/err.h"
#include "flow/inventory.h"
#include "kinds/devcols.h"

static const struct {
    const char *name;
    const char *doc;
} cols[] = {
    [IOF__DEV_NAME] = { "device_name", "device name from the inventory (null without one)" },
    [IOF__DEV_TYPE] = { "device_type", "device type from the inventory (null without one)" },
};

iof__colnames iof__dev_col_names(iof__dev_col c)
{
    if ((unsigned)c >= sizeof(cols) / sizeof(cols[0]))
        return (iof__colnames){ .wide = "", .nested = "" };
    return (iof__colnames){ .wide = cols[c].name, .nested = cols[c].name, .type = IOF_VT_STRING };
}

int iof__dev_declare(iof__schema *s, const void *cfg, bool wide)
{
    (void)cfg;
    (void)wide;
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
        IOF_TRY(iof__schema_add(s, cols[i].name, IOF_VT_STRING, true, false, (uint16_t)i, 0, cols[i].doc));
    return IOF_OK;
}

void iof__dev_get(const void *devp, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    const iof__device *dev = *(const iof__device *const *)devp;
    v->null = true;
    if (!dev)
        return;
    const char *t = c->field == IOF__DEV_NAME ? dev->name : dev->type;
    v->null = false;
    v->p = (const uint8_t *)t;
    v->len = (uint32_t)strlen(t);
}
