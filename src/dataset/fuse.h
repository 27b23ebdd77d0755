/* iotflow fuse on written outputs (fuse.c; docs/OUTPUT.md "Sensor context"): a custom-flow
 * file written with --last-seen, or a timeline table, copied with the sensor columns extract
 * --sensors gives the same rows: the custom-flow context (C_at_start, C_mean, C_min, C_max,
 * N_any) of each record's FirstSeen..LastSeen, a timeline's reading of each second. */
#ifndef IOF_DATASET_FUSE_H
#define IOF_DATASET_FUSE_H

#include <stdint.h>

#include "flow/inventory.h"
#include "kinds/sensorcols.h"
#include "sensors/sensors.h"

typedef struct iof__fuse_cfg {
    const iof__sensors *sensors;
    const iof__inventory *inv;   /* the --devices the sensor file was resolved with (may be NULL) */
    int64_t tol_ns;              /* --tolerance */
    const char *sensors_name;    /* for the Parquet metadata (a base name: no local paths) */
    unsigned threads;            /* the Parquet writer's: 1 none, 0 by cores */
    const char *tl_ambiguous;    /* why the inventory's names cannot map timeline rows back: refused */
} iof__fuse_cfg;

/* rows written; of which with a sensor device; of which with a reading (kinds/sensorcols.h) */
typedef iof__sens_joined iof__fuse_counts;

/* Checks that `in` can be fused (its kind, LastSeen, no column named like an added one): 0, or
 * IOF_E_INVAL / IOF_E_FORMAT / IOF_E_IO with err naming the file. */
int iof__fuse_check(const char *in, const iof__fuse_cfg *cfg, char *err, size_t errlen);
/* Writes the fused copy of `in` to `out` (atomically); rows are added to *counts. 0, or an
 * iof_err with err naming the file and the line or row. */
int iof__fuse_file(const char *in, const char *out, const iof__fuse_cfg *cfg, iof__fuse_counts *counts, char *err,
                   size_t errlen);

#endif
