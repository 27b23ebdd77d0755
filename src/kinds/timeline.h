/* The per-device timeline table (extract --table timeline, docs/OUTPUT.md "The timeline
 * table"): rows of flow/timeline.h as a row kind, OUT/timeline/yy-mm-dd.EXT, one layout. */
#ifndef IOF_KINDS_TIMELINE_H
#define IOF_KINDS_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "flow/inventory.h"
#include "flow/timeline.h"
#include "output/rowkind.h"
#include "sensors/sensors.h"

typedef struct iof__tl_rowcfg {
    bool anonymise;            /* a device known only by its address: 0.0.0.0 when private */
    const iof__inventory *inv; /* may be NULL */
    /* --sensors (may be NULL): after the traffic columns, one column per value column of the
     * file (kinds/sensorcols.h), the device's as-of reading at the last instant of the row's
     * second, at most sensor_tol_ns older (iof__sensors_level's rule) */
    const iof__sensors *sensors;
    int64_t sensor_tol_ns;
} iof__tl_rowcfg;

extern const iof__row_kind iof__tl_kind;

/* The table's own columns by position, NULL past the last: timestamp, device_id, then
 * packets_out, packets_in, bytes_out, bytes_in, flows_out, flows_in (the readers of the table,
 * e.g. correlate, take the names from here). */
#define IOF_TL_COL_COUNTS 2    /* position of packets_out; the six counts follow in that order */
const char *iof__tl_column(size_t i);

/* A row's device_id text (inventory name, else MAC, else address): the column's value, also
 * for readers of rows that never become a file (pipeline/tlrun.c). */
uint32_t iof__tl_device_text(const iof__tlrow *r, const iof__inventory *inv, bool anonymise, char out[64]);

#endif
