/* Internal to the rewriting of written outputs: one file copied with columns added (and old ones
 * dropped) by an adder — the labels (relabel.c: `iotflow label`; relabel_joy.c: Joy files) or
 * the sensor context (fuse.c: `iotflow fuse` on outputs). relabel.c reads and writes the three
 * formats for both: one file's job, the adder's operations, and the helpers they share. */
#ifndef IOF_DATASET_RELABEL_INT_H
#define IOF_DATASET_RELABEL_INT_H

#include <stdio.h>
#include <zlib.h>

#include "common/json.h"
#include "dataset/relabel.h"
#include "flow/inventory.h"
#include "kinds/customflow.h"
#include "kinds/labelcols.h"
#include "kinds/sensorcols.h"
#include "output/gzout.h"
#include "output/outfile.h"
#include "output/parquet/pq_reader.h"
#include "output/writer.h"
#include "output/textbuf.h"

#define RL_MAX_MEMBERS IOF_MAX_COLUMNS /* fields of a CSV row / members of a JSON Lines row */
#define RL_STR_SCRATCH (2 * IOF_MAX_DEVICE_FIELD + 64) /* decoded JSON strings a row's rules read */

typedef struct name_span {
    const char *p;
    size_t n;
} name_span;

enum { A_PROTO, A_REMIP, A_DEVPORT, A_REMPORT, A_FIRST, A_DEVIP, A_DEVNAME, A_DEVTYPE, A_DIR0, A__N };

typedef struct plan {
    long col[A__N];        /* input column of each attribute source, -1 when absent */
    bool dir0_list;        /* A_DIR0 is the nested pkt_dir list (its element 0) */
    bool wide;
    bool need_rem;         /* a rule reads remote addresses */
    bool anon_off;         /* the file says its addresses were not anonymised (Parquet kv) */
    bool need_names;       /* a rule reads device.name or device.type */
    bool need_dir;         /* a rule reads the first packet's direction */
    size_t ncols;
    bool *drop;            /* [ncols]: an old label column (K, K_rule pairs) */
    size_t insert_at;      /* new labels go before input column insert_at (ncols: at the end) */
} plan;

typedef struct cell {
    bool null, is_int;
    int64_t i;
    const char *p; /* text (not NUL-terminated) */
    size_t n;
} cell;

typedef struct src {
    iof__ds_format fmt;
    const char *path;
    long line;                     /* text: line number; Parquet: row number (1-based) */
    iof__pq_reader *pq;
    char **f;                      /* CSV fields */
    size_t *flen;
    iof__json_member *m;           /* JSON Lines members */
    char scratch[RL_STR_SCRATCH];
    size_t scratch_used;
} src;

/* A Parquet output row: the input's cells from the reader, the added ones from the adder's
 * group (row_off into this struct). */
typedef struct rw_pq_row {
    const iof__pq_reader *r;
    iof__lbl_row lbl;            /* labels */
    iof__sens_fuse_row fuse;     /* sensor context of a flow record */
    iof__sens_row level;         /* sensor readings of a timeline second */
} rw_pq_row;

struct job;
struct fuse_job;

/* What one kind of rewrite adds to each row. */
typedef struct rw_ops {
    /* Plans the file from its column names (j->s.fmt says the format): which columns the adder
     * reads, j->pl.drop[] (columns replaced), j->pl.insert_at; an error names the file. */
    int (*plan)(struct job *j, const name_span *names, size_t n, char *err, size_t errlen);
    /* Parquet only, before plan: the file's "iotflow.record" metadata (NULL when absent). */
    int (*pq_record)(struct job *j, const char *record);
    /* This row's added values (into j->res / j->pq_row), from j->s's cells. */
    int (*row)(struct job *j);
    /* The added cells of a row (or the header's names) after the cells in j->tb. */
    void (*put_text)(struct job *j, bool csv, bool header, bool *first);
    /* The added columns of the Parquet schema (group row_off into rw_pq_row). */
    int (*declare)(struct job *j, iof__schema *out);
} rw_ops;

typedef struct job {
    const rw_ops *ops;
    const char *in, *out;
    const iof__labeller *lb;
    unsigned threads;
    iof__relabel_counts *counts;
    plan pl;
    src s;
    iof__lbl_result res[IOF_RULES_MAX_KEYS];
    struct fuse_job *fz;           /* fuse.c's state (NULL when relabelling) */
    const iof__kv *add_kv;         /* Parquet metadata the adder adds to the file's */
    size_t n_add_kv;
    rw_pq_row pq_row;
    FILE *fp;
    char *line;
    size_t line_cap;
    iof__tbuf tb;
    iof__outfile *of;
    iof__gzout *gz;                /* Joy files: the gzip stream instead of of */
    gzFile gzin;                   /* Joy files: the input (gzip or plain) */
    char *err;
    size_t errlen;
} job;


/* Writes j->tb to the output and empties it. */
int iof__rl_flush(job *j);
/* Reads in (its format by its name; Joy files only when j->ops is the labels') and writes the
 * rewritten copy to j->out (none: only planned, the check before writing). */
int iof__rw_run(job *j);
/* Ends a job: publishes the output when rc is 0 (else removes it), frees; returns the result. */
int iof__rw_end(job *j, int rc);
/* The cell of input column col of the row read (list0: element 0 of a list column), a message
 * naming file and line or row when it cannot be read. */
int iof__rw_cell(src *s, long col, bool list0, cell *c, char *err, size_t errlen);
/* An integer cell within [lo, hi] (list0: the first element of a JSON array text). */
bool iof__rw_cell_int(const cell *c, bool list0, int64_t lo, int64_t hi, int64_t *out);
/* A string cell copied NUL-terminated into out (cap bytes); false when null, empty or too long. */
bool iof__rw_cell_text(const cell *c, char *out, size_t cap);
/* "file:line: col: what" (text) or "file: row N: col: what" (Parquet), code returned. */
int iof__rw_where_fail(const src *s, char *err, size_t errlen, int code, const char *what, const char *col);
bool iof__rw_span_is(name_span s, const char *lit);
/* The input column of a custom-flow column by either layout's name (iof__cf_col_names), or -1. */
long iof__rw_find_cf(const name_span *names, size_t n, iof__cf_col c);
/* The label cells of one row (CSV: or the header's names) after the cells already in j->tb;
 * *first: no cell yet (no comma before the first). */
void iof__rl_put_labels(job *j, bool csv, bool header, bool *first);
/* One JSON member as it was read ("key":value), after a comma unless *first. */
void iof__rl_put_member(job *j, const iof__json_member *m, bool *first);
/* Evaluates the rules on a (into j->res) and counts the labels. */
int iof__rl_eval(job *j, const iof__lbl_attrs *a);
/* Next non-empty line of a text input (no line break) into j->line: 1, 0 at the end, or an error. */
int iof__rl_next_line(job *j, size_t *len, bool *crlf);

/* The files under PATHs rewritten into out_dir (relabel_paths.c): each file's output path (its
 * path below a directory PATH, or a file PATH's name), every file checked (ops->check) before any
 * is written (ops->write), a line per file and "<verb> N of M files, R rows" to out. 0; a path
 * or check problem: nothing written (IOF_E_INVAL...); a file damaged or unwritable: the others
 * are written and the first such error is returned. */
typedef struct iof__rw_paths_ops {
    const char *verb;          /* "relabelled", "fused" */
    const char *captures_hint; /* said of a capture among the PATHs */
    int (*check)(void *ctx, const char *in, char *err, size_t errlen);
    int (*write)(void *ctx, const char *in, const char *out, uint64_t *rows, char *err, size_t errlen);
    void (*summary)(void *ctx, FILE *out); /* after the totals line (may be NULL) */
} iof__rw_paths_ops;
int iof__rw_paths(const char *const *paths, size_t n, const char *out_dir, bool overwrite,
                  iof_message_fn on_message, void *message_ctx, const iof__rw_paths_ops *ops, void *ctx, FILE *out,
                  char *errbuf, size_t errlen);
/* -o DIR names a directory or one to make (not "-", not a file); else false and a message. */
bool iof__rw_out_dir_ok(const char *out_dir, const char *cmd, char *errbuf, size_t errlen);

/* relabel_joy.c: a Joy file (-f joy: gzip NDJSON, Joy's config line first). */
bool iof__rl_is_joy(const char *path);
int iof__rl_do_joy(job *j);

#endif
