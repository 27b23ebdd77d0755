/* The per-device timeline table (extract --table timeline, docs/OUTPUT.md "The timeline
 * table"): rows of flow/timeline.h as a row kind, OUT/timeline/yy-mm-dd.EXT, one layout. */
#ifndef IOF_KINDS_TIMELINE_H
#define IOF_KINDS_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "flow/inventory.h"
#include "flow/timeline.h"
#include "kinds/labelcols.h"
#include "output/rowkind.h"
#include "kinds/sensorcols.h"
#include "sensors/sensors.h"

typedef struct iof__tl_rowcfg {
    bool anonymise;            /* a device known only by its address: 0.0.0.0 when private */
    const iof__inventory *inv; /* may be NULL */
    /* --sensors (may be NULL): after the traffic columns, one column per value column of the
     * file (kinds/sensorcols.h), the device's as-of reading at the last instant of the row's
     * second, at most sensor_tol_ns older (iof__sensors_level's rule) */
    const iof__sensors *sensors;
    int64_t sensor_tol_ns;
    /* --features dns / tls: bits 1u << IOF_TL_NAMES_DNS / _TLS add dns_names / tls_names (and
     * names_dropped) after the traffic columns, before the sensor ones */
    unsigned names;
} iof__tl_rowcfg;

/* The row's sensor device (-1: none) and its level (cfg->sensors set): the as-of reading at the
 * last instant of its second. The row builder's (which caches the device per slot) and the run's
 * count of rows that got a reading. */
long iof__tl_sens_device(const iof__tl_rowcfg *cfg, const iof__tlrow *r);
void iof__tl_sens_fill(iof__sens_row *row, const iof__tl_rowcfg *cfg, long dev, const iof__tlrow *r);

/* The names source of the timeline (flow/timeline.h iof__tl_names_fn) for --features dns / tls:
 * a telemetry row's names are those its label attributes read (kinds/labelcols.h
 * iof__lbl_attrs_names: `dns` = what the device resolved the remote to at or before the row's
 * first packet of that second, `sni` = the TCP connection's server name from a hello at or
 * before its last packet of that second), of the kinds in `kinds` (1u << IOF_TL_NAMES_*). */
typedef struct iof__tl_names_src {
    const iof__namemaps *maps;
    unsigned kinds;
    bool anonymise;   /* a server name that is a local address literal as the zero address */
} iof__tl_names_src;
void iof__tl_row_names(void *src, const iof__telrow *r, const char *out[][IOF_TL_ROW_NAMES],
                       size_t n[IOF_TL_NAME_KINDS]);

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
