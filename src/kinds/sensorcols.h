/* The sensor column group (--sensors, docs/SENSORS.md): one nullable FLOAT64 column per value
 * column of the sensor file, named as in the file, holding a device's as-of reading at an instant
 * the record kind chooses (the timeline: the last instant of its second). One group any device-view
 * kind can add to its schema, as the label group is; its accessor reads an iof__sens_row at the
 * group's row_off in the kind's row, which the kind's builder fills with iof__sens_row_fill.
 *
 * Values are looked up when a row is built, from the record's time and device only: a pure
 * function of (record, sensor file, tolerance), so the copies a Parquet batch holds need no room
 * for them and every output format of a run gets the same values. */
#ifndef IOF_KINDS_SENSORCOLS_H
#define IOF_KINDS_SENSORCOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/schema.h"
#include "sensors/sensors.h"

typedef struct iof__sens_row {
    const iof__sensors *s;     /* NULL: no sensor file (the group declares no columns) */
    bool have[IOF_MAX_SENSOR_COLS];
    double v[IOF_MAX_SENSOR_COLS];
} iof__sens_row;

/* Says why iof__sens_declare would refuse sens for schema s (0: it would not): a value column
 * named like a column s already has (ignoring case: Parquet readers such as DuckDB match names
 * without case), or longer than a column name may be. */
int iof__sens_check(const iof__schema *s, const iof__sensors *sens, char *err, size_t errlen);
/* Adds one column per value column of sens (none when sens is NULL); IOF_E_INVAL where
 * iof__sens_check would say why. */
int iof__sens_declare(iof__schema *s, const iof__sensors *sens);
/* The sensor device of a record's device: its inventory entry's (inv >= 0), else its MAC's
 * (mac not NULL), else -1 (no sensors: every sensor column null). */
long iof__sens_device(const iof__sensors *s, long inv, const uint8_t *mac);
/* Every column's as-of reading of sensor device dev at t (the last reading with
 * t - tol <= time <= t); null where there is none, and all null for dev < 0. */
void iof__sens_row_fill(iof__sens_row *row, long dev, int64_t t, int64_t tol);
/* iof__colgroup.ops.get of the group. */
void iof__sens_get(const void *sensrow, const iof__column *c, uint32_t k, iof__value *v);

/* The fusion group (extract --sensors with the custom-flow or telemetry table, iotflow fuse;
 * docs/OUTPUT.md "Sensor context"): per value column C of the file, C_at_start (as-of reading at
 * the record's first packet), C_mean, C_min and C_max (the readings with t0 <= time <= t1, the
 * record's lifetime), all nullable FLOAT64; per flag column (iof__sensor_col.binary) also
 * <name>_any, a nullable BOOL (true: a reading in the lifetime is non-zero), where <name> is the
 * column's name without a trailing "_flag" (alert_flag -> alert_any, motion -> motion_any). The
 * same flat columns in both layouts. Its accessor reads an iof__sens_fuse_row at the group's
 * row_off, which the kind's builder fills with iof__sens_fuse_fill: a pure function of (record,
 * sensor file, tolerance), as the level group's. */
#define IOF_SENS_FLAG_SUFFIX "_flag"

typedef struct iof__sens_fuse_row {
    const iof__sensors *s;     /* NULL: no sensor file (the group declares no columns) */
    bool have_at[IOF_MAX_SENSOR_COLS];
    double at[IOF_MAX_SENSOR_COLS];
    iof__sensor_agg agg[IOF_MAX_SENSOR_COLS];
} iof__sens_fuse_row;

/* iof__sens_check and iof__sens_declare for the fusion's columns: refused when one would be
 * named like a column of s or like another of them (any case), or longer than a column name. */
int iof__sens_fuse_check(const iof__schema *s, const iof__sensors *sens, char *err, size_t errlen);
int iof__sens_fuse_declare(iof__schema *s, const iof__sensors *sens);
/* Sensor device dev's context of a record (all null for dev < 0): the as-of reading at
 * t_start (within tol) and the readings with t0 <= time <= t1. */
void iof__sens_fuse_fill(iof__sens_fuse_row *row, long dev, int64_t t_start, int64_t t0, int64_t t1, int64_t tol);
/* iof__colgroup.ops.get of the fusion group. */
void iof__sens_fuse_get(const void *fuserow, const iof__column *c, uint32_t k, iof__value *v);

/* Whether a filled row got a reading: at least one of its sensor columns is not null (what
 * "joined" means wherever rows are counted) */
bool iof__sens_row_any(const iof__sens_row *row);
bool iof__sens_fuse_any(const iof__sens_fuse_row *row);

/* How many rows got sensor context (extract --sensors: per record kind and variant; iotflow
 * fuse on written outputs): counted as the rows are built, so a run's counts are the same
 * whatever its --threads. */
typedef struct iof__sens_joined {
    uint64_t rows;          /* rows given sensor columns */
    uint64_t with_sensors;  /* of which with a sensor device (a device of the sensor file) */
    uint64_t with_reading;  /* of which with at least one reading (not every sensor column null) */
} iof__sens_joined;
static inline void iof__sens_joined_count(iof__sens_joined *j, long dev, bool reading)
{
    j->rows++;
    j->with_sensors += dev >= 0;
    j->with_reading += reading;
}
/* One summary line: "<indent><what> with a sensor device: X of N (the others: sensor columns
 * null); with a reading: Y" */
void iof__sens_joined_report(FILE *fp, const char *indent, const char *what, const iof__sens_joined *j);
/* When rows were made and none got a reading: true, and t = why that may be ("no <what> got a
 * sensor reading (every sensor column null): <reason>; the readings span A .. B"), no_device the
 * reason when no row had a sensor device. False (t = "") otherwise. */
bool iof__sens_none_joined(const iof__sens_joined *j, const iof__sensors_stats *st, const char *what,
                           const char *no_device, char *t, size_t len);

#endif
