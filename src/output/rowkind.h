/* A row kind: what the sink and the cluster need to know about the records they carry, and
 * nothing more. A record kind (src/kinds/: custom-flow records today; Joy flows, telemetry
 * rows later) fills one iof__row_kind; output/ sees its records only as `const void *`, so
 * output/ includes no flow/ header and a new kind needs no edit here.
 *
 * Per record the sink calls partition() once and, for each file, build() (plus copy_size()
 * and copy() for clustered files); the cluster calls compare() only on ties of the 128-bit
 * sort key. An indirect call per record costs nothing next to the row's columns. */
#ifndef IOF_OUTPUT_ROWKIND_H
#define IOF_OUTPUT_ROWKIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/schema.h"

/* Where a record goes: its UTC day (days since the epoch; files are per day and completed as
 * the clock passes it) and the kind's sub-partition (custom-flow: the variant), an index
 * into iof__row_kind.sub_names. */
typedef struct iof__row_part {
    int64_t day;
    unsigned sub;
} iof__row_part;

typedef struct iof__row_kind {
    /* Parquet kv "iotflow.record" (the run puts it among its pairs) */
    const char *name;
    /* Sub-partitions: the folder of each (day layout: DIR/NAME/yy-mm-dd.EXT), the hive key
     * (DIR/KEY=NAME/day=...) and the per-file Parquet kv key naming it ("iotflow.variant"). */
    const char *sub_key;
    const char *sub_kv;
    const char *const *sub_names;
    unsigned n_sub;
    void (*partition)(const void *rec, iof__row_part *out);

    /* Schema of one layout (wide: one column per slot; else nested lists) for the kind's
     * configuration `cfg` (opaque here; passed through from iof__sink_cfg.kind_cfg). */
    int (*schema)(iof__schema *s, const void *cfg, bool wide);
    /* Row assembly: a builder turns a record into the row the schema's accessors read, with
     * whatever scratch that needs (text fields, the wide payload stream). One builder per
     * layout and thread; build()'s row is valid until the next build() on that builder.
     * builder_new returns NULL when out of memory; builder_free(NULL) does nothing. */
    void *(*builder_new)(const void *cfg, bool wide);
    const void *(*build)(void *builder, const void *rec);
    void (*builder_free)(void *builder);

    /* Batch copies (output/cluster.c): bytes a copy of rec takes (the cluster rounds it up to
     * 8), the copy itself into dst (8-byte aligned) with its sort key, and rebase(), which
     * re-points a copy's internal pointers at its own bytes once the batch arena has moved. */
    size_t (*copy_size)(const void *rec);
    void (*copy)(void *dst, const void *rec, uint64_t key[2]);
    void (*rebase)(void *copy);
    /* Clustering order: key[0], then key[1] (unsigned), then compare() on ties, which must
     * order as the keys do; records compare() finds equal keep their arrival order. */
    int (*compare)(const void *a, const void *b);
} iof__row_kind;

/* UTC day of a timestamp in ns since the epoch (floor, also before 1970). */
static inline int64_t iof__day_of_ns(int64_t ns)
{
    int64_t us = ns / 1000;
    int64_t d = us / 86400000000LL;
    if (us < 0 && us % 86400000000LL)
        d--;
    return d;
}

#endif
