/* The run's labeller: the rule files of --rules (one or more; each file's keys are its own) as
 * one list of output keys, evaluated together. A key set by two files is an error: every key
 * has exactly one file, so its provenance is never ambiguous. */
#ifndef IOF_LABELS_LABELLER_H
#define IOF_LABELS_LABELLER_H

#include <stddef.h>

#include "labels/rules.h"

#define IOF_MAX_RULE_FILES 16 /* --rules given this many times at most (one file per key) */

typedef struct iof__labeller iof__labeller;

/* Loads the files. 0, or an iof_err with err = the first file's error (file:line:col: ...),
 * a cap, or "key "K" is set by A and by B". On error *out is NULL. */
int iof__labeller_load(iof__labeller **out, const char *const *paths, size_t n, char *err, size_t errlen);
void iof__labeller_free(iof__labeller *lb);

/* Keys over all files, in file order then each file's key order; at most IOF_RULES_MAX_KEYS. */
size_t iof__labeller_nkeys(const iof__labeller *lb);
const char *iof__labeller_key(const iof__labeller *lb, size_t k);
/* Where key k is declared: "file:line:col" (iof__rules_key_where) */
const char *iof__labeller_key_where(const iof__labeller *lb, size_t k);

/* Warnings of every file, in order (i < n; NULL past the kept ones). */
size_t iof__labeller_nwarnings(const iof__labeller *lb);
const char *iof__labeller_warning(const iof__labeller *lb, size_t i);

/* out[k] for every key k < iof__labeller_nkeys(lb). No allocation. */
void iof__labeller_eval(const iof__labeller *lb, const iof__lbl_attrs *a, iof__lbl_result *out);

/* What the files' rules read: iof__rules_needs over every file (the first file's rule first). */
void iof__labeller_needs(const iof__labeller *lb, const char *where[IOF_LBL_NEED__COUNT]);

#endif
