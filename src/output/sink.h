/* Output sink: routes finished records of one row kind (output/rowkind.h; custom-flow records
 * today) to one file per (format, sub-partition, UTC day) as the kind partitions them
 * (docs/CUSTOMFLOW.md §5: variant and day of FirstSeen), opening writers on demand and
 * committing them atomically. `-` as output directory streams a single format and
 * sub-partition to stdout. Records are opaque here: the kind builds their rows. */
#ifndef IOF_OUTPUT_SINK_H
#define IOF_OUTPUT_SINK_H

#include <stdint.h>

#include "output/rowkind.h"
#include "output/writer.h"

#define IOF_MAX_OPEN_FILES 16   /* open writers per run; the least recently used is completed
                                   and published (a later record of its day goes to a new part) */
#define IOF_MAX_OUTPUT_FILES (1u << 24) /* files one run publishes (their list is kept) */
#define IOF_MAX_PARTS 100000    /* part files of one (format, sub-partition, day) */

typedef struct iof__sink_cfg {
    const char *dir;          /* output directory or "-" */
    unsigned formats;         /* IOF_FMT_* */
    iof_layout layout;
    iof_partition partition;
    iof__writer_opts wopts;   /* kv: the run's pairs; each file adds the kind's sub_kv pair */
    const iof__row_kind *kind;
    const void *kind_cfg;     /* the kind's settings (custom-flow: iof__cf_rowcfg); must live
                                 as long as the sink */
    iof_existing existing;    /* a final path that holds a file this run did not write */
    const char *name_tag;     /* NULL, or a tag in every file name (--shard: "s2of8"), so runs
                                 writing one directory never share a path */
    /* --append: asked once per earlier file the run adds a part beside (a day, variant and
     * format), with the schema this run writes there; non-zero (a message in err) refuses the
     * run as an existing file does (IOF_E_EXISTS). NULL: not checked. */
    int (*check_append)(void *ctx, const char *path, const iof__schema *schema, char *err, size_t errlen);
    void *check_ctx;
    unsigned threads;         /* 1: everything on the caller's thread; 0: a helper thread writes
                                 the sorted batches of columnar files when there are >= 2 cores
                                 (the output is the same) */
    bool two_in_flight;       /* with the helper: two sorted batches handed to it at once, not
                                 one (sink.c, SINK_IN_FLIGHT; one more batch's memory) */
} iof__sink_cfg;

typedef struct iof__sink_file_info {
    char *path;
    const char *format;
    unsigned sub;             /* the kind's sub-partition (custom-flow: IOF_VAR_*) */
    const char *sub_name;     /* its folder name (custom-flow: "bidirectional", ...) */
    uint64_t rows;
    bool replaced;            /* an earlier file at this path was replaced (--overwrite) */
    int64_t day;              /* days since the epoch (UTC) */
    int part;
} iof__sink_file_info;

typedef struct iof__sink iof__sink;

/* Publishing rule (docs/OUTPUT.md "Files"): a file is published (renamed to its final name)
 * as soon as it is complete: when the packet clock has passed its day (iof__sink_complete_before)
 * or when the open-file cap closes it. The files still open at the end are completed together
 * and published only if all of them could be completed. A file once published stays published
 * when a later file fails; iof__sink_files() lists exactly the published files. */
int iof__sink_create(iof__sink **out, const iof__sink_cfg *cfg, char *err, size_t errlen);
/* Writes one record. Returns 0 or IOF_E_OUTPUT/IOF_E_NOMEM/IOF_E_EXISTS (message via errmsg). */
int iof__sink_write(iof__sink *s, const void *rec);
/* No record with a first packet before `ns` will come (except out-of-order ones, which go to a
 * new part): completes and publishes the open files of the days that end at or before ns. */
int iof__sink_complete_before(iof__sink *s, int64_t ns);
/* Completes every open file (atomic rename, all or none of them). With `ok` false, removes
 * them instead. */
int iof__sink_close(iof__sink *s, bool ok);
/* After IOF_E_EXISTS: removes the files this run published (none of them replaced anything),
 * so the output directory is as it was before the run. Returns how many were removed. */
size_t iof__sink_unpublish(iof__sink *s);
void iof__sink_destroy(iof__sink *s);
const char *iof__sink_errmsg(const iof__sink *s);
/* The row kind the sink was made for (it takes records of that kind only). */
const iof__row_kind *iof__sink_kind(const iof__sink *s);
/* Published files (valid until destroy). */
const iof__sink_file_info *iof__sink_files(const iof__sink *s, size_t *n);

#endif
