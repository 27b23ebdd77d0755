/* The flow telemetry table (extract --table telemetry, docs/OUTPUT.md "The telemetry table"):
 * the rows of the per-second telemetry policy (flow/telem.h) as a row kind: one file per UTC
 * day, OUT/telemetry/yy-mm-dd.EXT; the same columns in both layouts. */
#ifndef IOF_KINDS_TELEMETRY_H
#define IOF_KINDS_TELEMETRY_H

#include <stdbool.h>

#include "flow/inventory.h"
#include "flow/telem.h"
#include "kinds/labelcols.h"
#include "kinds/sensorcols.h"
#include "labels/rules.h"
#include "output/rowkind.h"

typedef struct iof__tel_rowcfg {
    bool anonymise;              /* private addresses as 0.0.0.0 / :: (kinds/addrtext.h) */
    const iof__inventory *inv;   /* device names (may be NULL) */
    const iof__labeller *labels; /* --rules (NULL: none) */
    const iof__sensors *sensors; /* --sensors: sensor context columns (NULL: none) */
    int64_t sensor_tol_ns;       /* --tolerance */
    const iof__namemaps *names;  /* the run's name maps for the labels' dns / sni (NULL: none) */
} iof__tel_rowcfg;

extern const iof__row_kind iof__tel_kind;

/* A row as the label rules see it: its flow's key and first direction, this second's TTLs and
 * first/last packet (so time windows label each second). */
void iof__tel_lbl_attrs(const iof__telrow *r, const iof__device *dev, const iof__namemaps *names, iof__lbl_attrs *a);
/* The row's application from the map (what the emitter stores in r->app; NULL: none), as for
 * custom-flow records (kinds/customflow.h iof__cf_app). The map's feeding thread only. */
const char *iof__tel_app(const iof__telrow *r, const iof__appmap *app);
/* The row's sensor context (cfg->sensors set): its second's readings, and the reading as of its
 * flow's first packet. Returns the sensor device (-1: none). The row builder's and the run's
 * count of rows that got a reading. */
long iof__tel_sens_fill(iof__sens_fuse_row *row, const iof__tel_rowcfg *cfg, const iof__telrow *r);
/* Its schema (also for documentation and column checks: --rules keys must not collide). */
int iof__tel_schema(iof__schema *s, const iof__tel_rowcfg *cfg);

#endif
