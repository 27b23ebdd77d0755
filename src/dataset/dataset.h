/* Datasets: the one module that reads back what iotflow writes (Parquet, CSV, JSON Lines), for
 * `iotflow stats` today and for relabelling and fusion next. It also finds them: paths and
 * directories are expanded with the shared walk (common/walk.h) and the capture test of
 * capture/ (a capture inside a dataset directory is reported as a capture, not skipped).
 *
 * Reading is by column name: the caller asks for the columns it needs (each by its names in
 * the two layouts, which the record kind's schema owns: e.g. iof__cf_col_names()), then walks
 * the rows. Values come as iof__value
 * (integers, strings; null when the field is empty, null or absent). Untrusted input: every
 * file is validated as it is read, and an error names the file and the line (CSV, JSON
 * Lines) or what the Parquet reader found. */
#ifndef IOF_DATASET_DATASET_H
#define IOF_DATASET_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/walk.h"
#include "common/schema.h"
#include "iotflow/iotflow.h"

#define IOF_DS_MAX_LINE (64u << 20)   /* longest CSV / JSON Lines row accepted (wide: ~20 KB) */
#define IOF_DS_MAX_WANT 32            /* columns one reader is asked for */
#define IOF_DS_MAX_FILES (1u << 20)   /* dataset files one listing may hold */
#define IOF_DS_MAX_NAMED 10           /* files left out of a listing named one by one (then counted) */

typedef enum iof__ds_format {
    IOF__DS_NONE = 0, IOF__DS_PARQUET, IOF__DS_JSONL, IOF__DS_CSV
} iof__ds_format;

/* By file name: .parquet, .jsonl, .csv; else IOF__DS_NONE (Joy's .json files are not ours). */
iof__ds_format iof__ds_format_of(const char *path);

/* What a set of paths holds: dataset files and captures, a directory's in byte-wise path order,
 * the paths' in the order given. A directory is walked (other files are skipped); a file named
 * explicitly is a dataset file by its name, else a capture. Each dataset file's records are
 * listed once, whichever way the files were given (walked or named, one by one or both): a file
 * listed before (the same device and inode: given twice, through a symbolic link, as ./x, or
 * below a directory given too) is left out, and so are a dataset's other formats (the same
 * directory, by device and inode, and the same name without its suffix: x.parquet, x.jsonl,
 * x.csv), keeping Parquet, then JSON Lines, then CSV. Each file left out is named through
 * on_message (NULL: not said), the first IOF_DS_MAX_NAMED of them, then how many more. */
typedef struct iof__ds_list {
    char **files;
    size_t n_files, cap_files;
    char **captures;
    size_t n_captures, cap_captures;
    bool with_joy;  /* internal: Joy files (.json.gz) are listed too (iof__ds_list_paths_all) */
} iof__ds_list;

int iof__ds_list_paths(iof__ds_list *l, const char *const *paths, size_t n, iof_message_fn on_message,
                       void *message_ctx, char *err, size_t errlen);
/* The same, leaving nothing out (nothing said): keeping every format of a dataset written side by side (a rewrite writes each), and
 * listing Joy files (-f joy, .json.gz) among the files. */
int iof__ds_list_paths_all(iof__ds_list *l, const char *const *paths, size_t n, char *err,
                           size_t errlen);
void iof__ds_list_free(iof__ds_list *l);
/* Calls fn(ctx, path, err, errlen) for each dataset file of l, in order. A file's error goes to
 * on_message (when not NULL) and the walk goes on with the next file; the first error is kept
 * in err and returned (IOF_OK when none). IOF_E_NOMEM stops the walk. */
typedef int (*iof__ds_file_fn)(void *ctx, const char *path, char *err, size_t errlen);
int iof__ds_each_file(const iof__ds_list *l, iof__ds_file_fn fn, void *ctx,
                      void (*on_message)(void *mctx, const char *text), void *mctx, char *err,
                      size_t errlen);

typedef struct iof__ds_reader iof__ds_reader;

int iof__ds_open(iof__ds_reader **out, const char *path, char *err, size_t errlen);
void iof__ds_close(iof__ds_reader *r);

/* Asks for the columns cols[0..n) (each by its names in the two layouts); value k of a row is then column cols[k]. Returns 0, or
 * IOF_E_FORMAT naming the first required column (k < n_required) the file does not have. A
 * column not in the file reads as null. */
int iof__ds_want(iof__ds_reader *r, const iof__colnames *cols, size_t n, size_t n_required);
/* Next row: 1, 0 at the end, or a negative iof_err (message: iof__ds_errmsg). */
int iof__ds_next(iof__ds_reader *r);
/* Value k of the current row (valid until the next iof__ds_next). */
void iof__ds_get(const iof__ds_reader *r, size_t k, iof__value *v);

/* The file's column names in order (Parquet: its schema; CSV: its header; JSON Lines: the keys
 * of its first row, unescaped): fn(ctx, i, name, len) for each; *n = how many (0
 * for an empty JSON Lines file). 0, or an error naming the file (unreadable, malformed). */
typedef void (*iof__ds_column_fn)(void *ctx, size_t i, const char *name, size_t len);
int iof__ds_columns(const char *path, iof__ds_column_fn fn, void *ctx, size_t *n, char *err, size_t errlen);

/* The variant the file holds: its metadata (Parquet `iotflow.variant`, or `iotflow.variants`
 * when the run wrote one), else its folders: the nearest folder of its resolved path (realpath:
 * the same answer however the path was typed) named after a variant (`unidirectional`,
 * `variant=unidirectional`); bidirectional when none is. 0 bi, 1 uni. */
int iof__ds_variant(const iof__ds_reader *r);
/* Key-value metadata (Parquet), NULL when absent or for text formats. */
const char *iof__ds_kv(const iof__ds_reader *r, const char *key);
iof__ds_format iof__ds_reader_format(const iof__ds_reader *r);
const char *iof__ds_errmsg(const iof__ds_reader *r);

#endif
