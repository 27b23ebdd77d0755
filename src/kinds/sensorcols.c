/* The sensor column group (see sensorcols.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "kinds/sensorcols.h"

int iof__sens_check(const iof__schema *s, const iof__sensors *sens, char *err, size_t errlen)
{
    for (size_t k = 0; k < iof__sensors_ncols(sens); k++) {
        const char *name = iof__sensors_col(sens, k)->name;
        if (strlen(name) >= IOF_MAX_COLNAME)
            return iof__fail(err, errlen, IOF_E_INVAL,
                             "--sensors: column \"%s\" is longer than %d characters (an output column name)",
                             name, IOF_MAX_COLNAME - 1);
        for (size_t c = 0; c < s->n; c++)
            if (strcasecmp(s->cols[c].name, name) == 0)
                return iof__fail(err, errlen, IOF_E_INVAL,
                                 "--sensors: column \"%s\" would be a column \"%s\", which the %s table already "
                                 "has: rename it in the sensor file's header",
                                 name, s->cols[c].name, s->name ? s->name : "output");
    }
    return IOF_OK;
}

int iof__sens_declare(iof__schema *s, const iof__sensors *sens)
{
    char err[200];
    if (iof__sens_check(s, sens, err, sizeof(err)) != IOF_OK)
        return IOF_E_INVAL;
    for (size_t k = 0; k < iof__sensors_ncols(sens); k++) {
        const iof__sensor_col *sc = iof__sensors_col(sens, k);
        iof__column c = {
            .type = IOF_VT_FLOAT64,
            .nullable = true,
            .field = (uint16_t)k,
            /* the file's own precision: CSV and JSON Lines write the values as it had them; a
             * column with exponents or more digits than fixed decimals hold: round-trip text */
            .decimals = sc->decimals < IOF_SENSOR_MAX_DECIMALS ? sc->decimals : IOF_DECIMALS_ROUNDTRIP,
            .doc = "sensor reading from --sensors (unit as in that file): the device's last reading "
                   "at or before the row's time, at most --tolerance older; null: none, or no sensors",
        };
        memcpy(c.name, sc->name, strlen(sc->name) + 1); /* fits: checked above */
        IOF_TRY(iof__schema_add_column(s, &c));
    }
    return IOF_OK;
}

long iof__sens_device(const iof__sensors *s, long inv, const uint8_t *mac)
{
    if (inv >= 0)
        return iof__sensors_find_inv(s, inv);
    return mac ? iof__sensors_find_mac(s, mac) : -1;
}

void iof__sens_row_fill(iof__sens_row *row, long dev, int64_t t, int64_t tol)
{
    size_t n = iof__sensors_ncols(row->s);
    for (size_t k = 0; k < n; k++)
        row->have[k] = dev >= 0 && iof__sensors_asof(row->s, (size_t)dev, k, t, tol, &row->v[k], NULL);
}

void iof__sens_get(const void *sensrow, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    const iof__sens_row *row = sensrow;
    v->null = !row->have[c->field];
    v->f = v->null ? 0 : row->v[c->field];
}
