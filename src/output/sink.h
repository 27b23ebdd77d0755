/* Output sink: routes finished custom-flow records to one file per (format, variant, UTC day)
 * (shared/spec/customflow.md §5), opening writers on demand and committing them atomically at
 * the end. `-` as output directory streams a single format and variant to stdout. */
#ifndef IOF_OUTPUT_SINK_H
#define IOF_OUTPUT_SINK_H

#include <stdint.h>

#include "flow/cflow.h"
#include "output/cf_row.h"
#include "output/writer.h"

#define IOF_MAX_OPEN_FILES 16   /* open writers per run; the least recently used is completed
                                   (a later record of its day goes to a new part) */

typedef struct iof__sink_cfg {
    const char *dir;          /* output directory or "-" */
    unsigned formats;         /* IOF_FMT_* */
    iof_layout layout;
    iof_partition partition;
    iof__writer_opts wopts;
    iof__cf_rowcfg row;       /* wide flag ignored: set per format from layout */
    unsigned threads;         /* 1: everything on the caller's thread; 0: a helper thread writes
                                 the sorted batches of columnar files when there are >= 2 cores
                                 (the output is the same) */
} iof__sink_cfg;

typedef struct iof__sink_file_info {
    char *path;
    const char *format;
    int variant;
    uint64_t rows;
} iof__sink_file_info;

typedef struct iof__sink iof__sink;

int iof__sink_create(iof__sink **out, const iof__sink_cfg *cfg, char *err, size_t errlen);
/* Writes one record. Returns 0 or IOF_E_OUTPUT/IOF_E_NOMEM (message via errmsg). */
int iof__sink_write(iof__sink *s, const iof_cfrec *rec);
/* Completes every open file (atomic rename). With `ok` false, removes them instead. */
int iof__sink_close(iof__sink *s, bool ok);
void iof__sink_destroy(iof__sink *s);
const char *iof__sink_errmsg(const iof__sink *s);
/* Completed files (valid until destroy). */
const iof__sink_file_info *iof__sink_files(const iof__sink *s, size_t *n);

#endif
