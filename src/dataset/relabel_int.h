/* Internal to the relabelling (relabel.c: the custom-flow formats; relabel_joy.c: Joy files):
 * one file's job, and the helpers both use. */
#ifndef IOF_DATASET_RELABEL_INT_H
#define IOF_DATASET_RELABEL_INT_H

#include <stdio.h>
#include <zlib.h>

#include "common/json.h"
#include "dataset/relabel.h"
#include "flow/inventory.h"
#include "output/gzout.h"
#include "output/outfile.h"
#include "output/parquet/pq_reader.h"
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

typedef struct job {
    const char *in, *out;
    const iof__labeller *lb;
    unsigned threads;
    iof__relabel_counts *counts;
    plan pl;
    src s;
    iof__lbl_result res[IOF_RULES_MAX_KEYS];
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
/* The label cells of one row (CSV: or the header's names) after the cells already in j->tb;
 * *first: no cell yet (no comma before the first). */
void iof__rl_put_labels(job *j, bool csv, bool header, bool *first);
/* One JSON member as it was read ("key":value), after a comma unless *first. */
void iof__rl_put_member(job *j, const iof__json_member *m, bool *first);
/* Evaluates the rules on a (into j->res) and counts the labels. */
int iof__rl_eval(job *j, const iof__lbl_attrs *a);
/* Next non-empty line of a text input (no line break) into j->line: 1, 0 at the end, or an error. */
int iof__rl_next_line(job *j, size_t *len, bool *crlf);

/* relabel_joy.c: a Joy file (-f joy: gzip NDJSON, Joy's config line first). */
bool iof__rl_is_joy(const char *path);
int iof__rl_do_joy(job *j);

#endif
