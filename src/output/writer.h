/* Output writers: one format = one module behind this vtable (w_text.c: CSV and JSON Lines;
 * w_parquet.c). A writer encodes rows of an iof__schema into an iof__outfile; it never opens,
 * renames or deletes files itself (outfile.h does, atomically).
 *
 * Life cycle: open -> write* -> finish (success; caller then commits the outfile)
 *                              -> abort  (failure; caller then aborts the outfile)
 */
#ifndef IOF_OUTPUT_WRITER_H
#define IOF_OUTPUT_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "iotflow/iotflow.h"
#include "output/outfile.h"
#include "common/schema.h"

typedef struct iof__kv {
    const char *key;
    const char *value;
} iof__kv;

typedef struct iof__writer_opts {
    iof_codec codec;              /* parquet: page compression */
    int zstd_level;               /* parquet: 0 = IOF_ZSTD_LEVEL_DEFAULT */
    uint64_t row_group_bytes;     /* parquet: flush a row group at this many buffered bytes */
    const iof__kv *kv;             /* parquet: key-value metadata (provenance, parameters) */
    size_t n_kv;
    unsigned threads;             /* parquet: 1 = no helper threads (same bytes), 0 = by cores */
    struct iof__pq_regions *regions; /* parquet: staging regions shared by a run's writers, or NULL */
    bool csv_lf;                  /* csv: lines end in "\n" (default: RFC 4180's "\r\n") */
} iof__writer_opts;

typedef struct iof__writer iof__writer; /* each format defines its own struct */

typedef struct iof__writer_ops {
    const char *name;  /* "csv", "jsonl", "parquet" */
    const char *ext;   /* file extension without dot */
    /* Creates the writer; may write a header. Returns 0 or a negative iof_err (msg in err). */
    int (*open)(iof__writer **w, iof__outfile *f, const iof__schema *s, const iof__writer_opts *o,
                char *err, size_t errlen);
    /* Appends one row. Returns 0 or IOF_E_OUTPUT / IOF_E_NOMEM. */
    int (*write)(iof__writer *w, const void *row);
    /* Writes everything still buffered (footer...) and frees the writer. Returns 0 or a
     * negative iof_err, with a message in err when the writer has one of its own (else err is
     * left empty and the outfile's message, or the code's, says why). */
    int (*finish)(iof__writer *w, char *err, size_t errlen);
    /* Frees the writer without writing anything more. */
    void (*abort)(iof__writer *w);
} iof__writer_ops;

/* One scalar value of column col as the CSV (csv) or JSON Lines writer writes it: a null is
 * nothing in CSV and null in JSON; a FLOAT64 with the column's decimals; a TIMESTAMP_US in its
 * column's text form. For a row's cells outside a writer (iotflow fuse on written outputs). */
struct iof__tbuf;
void iof__text_scalar(struct iof__tbuf *b, const iof__column *col, const iof__value *v, bool csv);

extern const iof__writer_ops iof__writer_csv;
extern const iof__writer_ops iof__writer_jsonl;
extern const iof__writer_ops iof__writer_parquet;

#endif
