/* The sensor column groups (see sensorcols.h): the level (timeline) and the fusion (custom-flow
 * records, telemetry rows). One name rule and one collision check for both. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/timefmt.h"
#include "kinds/sensorcols.h"

/* What a fusion column holds (its `index`; `field` is the sensor column). */
enum { FS_AT, FS_MEAN, FS_MIN, FS_MAX, FS_ANY, FS__N };
static const char *const fs_suffix[FS__N] = { "_at_start", "_mean", "_min", "_max", "_any" };

/* The columns value column sc adds: the level's one (its own name), or the fusion's (C_at_start,
 * C_mean, C_min, C_max, and for a flag <name>_any). Returns how many; 0 when a name would not fit
 * a column name (names[0] then holds the longest, cut). */
static size_t col_names(const iof__sensor_col *sc, bool fused, char names[FS__N][IOF_MAX_COLNAME],
                        unsigned stat[FS__N])
{
    size_t len = strlen(sc->name), n = 0;
    if (!fused) {
        if (len >= IOF_MAX_COLNAME)
            return 0;
        memcpy(names[0], sc->name, len + 1);
        stat[0] = 0;
        return 1;
    }
    for (unsigned st = 0; st < FS__N; st++) {
        if (st == FS_ANY && !sc->binary)
            break;
        size_t base = len, fl = sizeof(IOF_SENS_FLAG_SUFFIX) - 1;
        if (st == FS_ANY && len > fl && strcmp(sc->name + len - fl, IOF_SENS_FLAG_SUFFIX) == 0)
            base -= fl; /* alert_flag -> alert_any */
        int w = snprintf(names[n], IOF_MAX_COLNAME, "%.*s%s", (int)base, sc->name, fs_suffix[st]);
        if (w < 0 || w >= IOF_MAX_COLNAME) {
            snprintf(names[0], IOF_MAX_COLNAME, "%.*s%s", (int)base, sc->name, fs_suffix[st]);
            return 0;
        }
        stat[n++] = st;
    }
    return n;
}

static int check(const iof__schema *s, const iof__sensors *sens, bool fused, char *err, size_t errlen)
{
    size_t ncols = iof__sensors_ncols(sens);
    for (size_t k = 0; k < ncols; k++) {
        const iof__sensor_col *sc = iof__sensors_col(sens, k);
        char names[FS__N][IOF_MAX_COLNAME];
        unsigned stat[FS__N];
        size_t n = col_names(sc, fused, names, stat);
        if (n == 0 && !fused)
            return iof__fail(err, errlen, IOF_E_INVAL,
                             "--sensors: column \"%s\" is longer than %d characters (an output column name)",
                             sc->name, IOF_MAX_COLNAME - 1);
        if (n == 0)
            return iof__fail(err, errlen, IOF_E_INVAL,
                             "--sensors: column \"%s\" is too long: its column \"%s...\" would be longer than %d "
                             "characters (an output column name)",
                             sc->name, names[0], IOF_MAX_COLNAME - 1);
        for (size_t i = 0; i < n; i++) {
            long c = iof__schema_find_any_case(s, names[i]);
            if (c >= 0)
                return iof__fail(err, errlen, IOF_E_INVAL,
                                 "--sensors: column \"%s\" would be a column \"%s\", which the %s table already "
                                 "has: rename it in the sensor file's header",
                                 sc->name, s->cols[c].name, s->name ? s->name : "output");
            /* two sensor columns naming the same output column (motion and motion_flag: motion_any) */
            for (size_t j = 0; j < k; j++) {
                char other[FS__N][IOF_MAX_COLNAME];
                unsigned ost[FS__N];
                size_t on = col_names(iof__sensors_col(sens, j), fused, other, ost);
                for (size_t o = 0; o < on; o++)
                    if (strcasecmp(other[o], names[i]) == 0)
                        return iof__fail(err, errlen, IOF_E_INVAL,
                                         "--sensors: columns \"%s\" and \"%s\" would both be a column \"%s\": "
                                         "rename one in the sensor file's header",
                                         iof__sensors_col(sens, j)->name, sc->name, names[i]);
            }
        }
    }
    return IOF_OK;
}

int iof__sens_check(const iof__schema *s, const iof__sensors *sens, char *err, size_t errlen)
{
    return check(s, sens, false, err, errlen);
}

int iof__sens_fuse_check(const iof__schema *s, const iof__sensors *sens, char *err, size_t errlen)
{
    return check(s, sens, true, err, errlen);
}

static int declare(iof__schema *s, const iof__sensors *sens, bool fused)
{
    char err[200];
    if (check(s, sens, fused, err, sizeof(err)) != IOF_OK)
        return IOF_E_INVAL;
    static const char *const doc[FS__N] = {
        "sensor reading from --sensors (unit as in that file): the device's last reading at or before the "
        "record's first packet, at most --tolerance older; null: none, or no sensors",
        "mean of the device's readings from the record's first to its last packet (--sensors; unit as in "
        "that file); null: none",
        "smallest of those readings; null: none",
        "largest of those readings; null: none",
        "a flag column of --sensors: true if any of those readings is non-zero; null: none",
    };
    for (size_t k = 0; k < iof__sensors_ncols(sens); k++) {
        const iof__sensor_col *sc = iof__sensors_col(sens, k);
        char names[FS__N][IOF_MAX_COLNAME];
        unsigned stat[FS__N];
        size_t n = col_names(sc, fused, names, stat);
        /* the file's own precision: CSV and JSON Lines write the values as it had them; a
         * column with exponents or more digits than fixed decimals hold: round-trip text */
        uint8_t dec = sc->decimals < IOF_SENSOR_MAX_DECIMALS ? sc->decimals : IOF_DECIMALS_ROUNDTRIP;
        for (size_t i = 0; i < n; i++) {
            iof__column c = {
                .type = stat[i] == FS_ANY ? IOF_VT_BOOL : IOF_VT_FLOAT64,
                .nullable = true,
                .field = (uint16_t)k,
                .index = stat[i],
                /* a mean has three digits more than its readings */
                .decimals = stat[i] == FS_ANY    ? 0
                            : stat[i] == FS_MEAN ? (uint8_t)(dec + 3 <= IOF_MAX_DECIMALS ? dec + 3 : IOF_DECIMALS_ROUNDTRIP)
                                                 : dec,
                .doc = fused ? doc[stat[i]]
                             : "sensor reading from --sensors (unit as in that file): the device's last reading "
                               "at or before the row's time, at most --tolerance older; null: none, or no sensors",
            };
            memcpy(c.name, names[i], strlen(names[i]) + 1); /* fits: checked above */
            IOF_TRY(iof__schema_add_column(s, &c));
        }
    }
    return IOF_OK;
}

int iof__sens_declare(iof__schema *s, const iof__sensors *sens)
{
    return declare(s, sens, false);
}

int iof__sens_fuse_declare(iof__schema *s, const iof__sensors *sens)
{
    return declare(s, sens, true);
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

void iof__sens_fuse_fill(iof__sens_fuse_row *row, long dev, int64_t t_start, int64_t t0, int64_t t1, int64_t tol)
{
    size_t n = iof__sensors_ncols(row->s);
    for (size_t k = 0; k < n; k++) {
        row->have_at[k] = dev >= 0 && iof__sensors_asof(row->s, (size_t)dev, k, t_start, tol, &row->at[k], NULL);
        if (dev >= 0)
            iof__sensors_agg(row->s, (size_t)dev, k, t0, t1, &row->agg[k]);
        else
            row->agg[k] = (iof__sensor_agg){ 0 };
    }
}

void iof__sens_fuse_get(const void *fuserow, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    const iof__sens_fuse_row *row = fuserow;
    const iof__sensor_agg *a = &row->agg[c->field];
    v->null = a->n == 0;
    v->f = 0;
    v->i = 0;
    switch (c->index) {
    case FS_AT:
        v->null = !row->have_at[c->field];
        v->f = v->null ? 0 : row->at[c->field];
        break;
    case FS_MEAN: v->f = a->mean; break;
    case FS_MIN: v->f = a->min; break;
    case FS_MAX: v->f = a->max; break;
    default: v->i = a->any_nonzero; break;
    }
}

bool iof__sens_row_any(const iof__sens_row *row)
{
    size_t n = iof__sensors_ncols(row->s);
    for (size_t k = 0; k < n; k++)
        if (row->have[k])
            return true;
    return false;
}

bool iof__sens_fuse_any(const iof__sens_fuse_row *row)
{
    size_t n = iof__sensors_ncols(row->s);
    for (size_t k = 0; k < n; k++)
        if (row->have_at[k] || row->agg[k].n > 0)
            return true;
    return false;
}

bool iof__sens_none_joined(const iof__sens_joined *j, const iof__sensors_stats *st, const char *what,
                           const char *no_device, char *t, size_t len)
{
    t[0] = '\0';
    if (!j->rows || j->with_reading)
        return false;
    /* nothing wrong with the files, and yet nothing was joined: say why it may be */
    char a[IOF_UTC_TEXT] = "-", b[IOF_UTC_TEXT] = "-";
    if (st->rows_kept) {
        iof__utc_text(a, sizeof(a), st->t_min / 1000, false);
        iof__utc_text(b, sizeof(b), st->t_max / 1000, false);
    }
    snprintf(t, len, "no %s got a sensor reading (every sensor column null): %s; the readings span %s .. %s", what,
             j->with_sensors ? "their times are outside the readings (another day or time zone?)" : no_device, a,
             b);
    return true;
}

void iof__sens_joined_report(FILE *fp, const char *indent, const char *what, const iof__sens_joined *j)
{
    fprintf(fp, "%s%s with a sensor device: %" PRIu64 " of %" PRIu64 " (the others: sensor columns null); with a "
                "reading: %" PRIu64 "\n",
            indent, what, j->with_sensors, j->rows, j->with_reading);
}
