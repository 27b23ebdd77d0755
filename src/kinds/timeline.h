/* The per-device timeline table (extract --table timeline, docs/OUTPUT.md "The timeline
 * table"): rows of flow/timeline.h as a row kind, OUT/timeline/yy-mm-dd.EXT, one layout. */
#ifndef IOF_KINDS_TIMELINE_H
#define IOF_KINDS_TIMELINE_H

#include <stdbool.h>

#include "flow/inventory.h"
#include "flow/timeline.h"
#include "output/rowkind.h"

typedef struct iof__tl_rowcfg {
    bool anonymise;            /* a device known only by its address: 0.0.0.0 when private */
    const iof__inventory *inv; /* may be NULL */
} iof__tl_rowcfg;

extern const iof__row_kind iof__tl_kind;

#endif
