/* Leakage audit (iotflow audit, docs/LABELS.md "Leakage audit"): how well each column of a
 * labelled dataset, ON ITS OWN, predicts the label. A column that separates the labels almost
 * perfectly (an attacker's fixed address, the attack's time window, a TTL, a device) is an
 * artefact of how the data was made: a model trained on it looks good and fails in the field.
 *
 * The score of a column is the chance-corrected balanced accuracy of a one-column predictor
 * evaluated leave-one-out, so that a column cannot score by memorising rows:
 *  - categorical columns (addresses, ports, devices): a row is predicted by the majority label
 *    of the OTHER rows with the same value (no other row: the overall majority label);
 *  - ordered columns (times, sizes): a value several rows share is a category as above; a row
 *    with a value of its own is predicted by the majority label of the nearest other value
 *    (equal distance: the smaller). No result depends on the order the rows were read in.
 * balanced accuracy = mean over the labels present of the share of their rows predicted right;
 * score = (BA - 1/k) / (1 - 1/k) for k labels: 0 = no better than chance (shuffled labels score
 * about 0), 1 = every row predicted. Unique values (a timestamp read as a category) predict
 * nothing; a column that only tells the majority class scores about 0.
 * A column can also give ONE label away (an attack's fixed victim address) while the others
 * stay mixed, which the average hides: per label l, the informedness J_l = TPR_l - FPR_l of
 * the same predictions (1 = the column finds exactly the rows of l; 0 = chance, also for
 * "always predict the majority"), and the label with the largest J is reported.
 *
 * Memory: rows are kept (label id + one 64-bit value per column: ~8 B x columns per row) up to
 * max_rows; later rows are counted, not scored. Distinct strings are interned per column. */
#ifndef IOF_ANALYSIS_AUDIT_H
#define IOF_ANALYSIS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOF_AUDIT_MAX_COLS 32       /* columns audited at once */
#define IOF_AUDIT_MAX_LABELS 65536  /* distinct label values */
#define IOF_AUDIT_MAX_VALUE 1024    /* bytes of a categorical value kept (longer: cut) */

typedef enum iof__audit_kind { IOF_AUDIT_CATEGORICAL = 0, IOF_AUDIT_ORDERED = 1 } iof__audit_kind;

/* One cell: null, or an integer, or bytes (categorical strings). */
typedef struct iof__audit_val {
    bool null;
    bool is_bytes;
    int64_t i;
    const uint8_t *p;
    size_t len;
} iof__audit_val;

typedef struct iof__audit_col_result {
    double score;             /* chance-corrected balanced accuracy, <= 1 (NaN: not scored) */
    double balanced_accuracy;
    uint64_t rows;            /* rows with a value in this column (nulls are a category of
                                 their own for categorical columns, skipped for ordered ones) */
    uint64_t distinct;        /* distinct values among them */
    double best_j;            /* the largest informedness over the labels (NaN: not scored) */
    size_t best_label;        /* its label (index for iof__audit_label) */
} iof__audit_col_result;

typedef struct iof__audit iof__audit;

int iof__audit_create(iof__audit **out, size_t ncols, const iof__audit_kind *kinds, uint64_t max_rows);
void iof__audit_free(iof__audit *a);
/* Adds a row: its label (bytes; NULL = no label: counted, not kept) and ncols values.
 * Beyond max_rows the row is counted only. IOF_E_NOMEM / IOF_E_LIMIT (too many labels). */
int iof__audit_add(iof__audit *a, const uint8_t *label, size_t label_len, const iof__audit_val *vals);
/* Rows kept, rows beyond max_rows, rows without a label. */
void iof__audit_counts(const iof__audit *a, uint64_t *kept, uint64_t *over_cap, uint64_t *unlabelled);
/* Distinct labels kept, and label i's text and row count (i < iof__audit_nlabels). */
size_t iof__audit_nlabels(const iof__audit *a);
const char *iof__audit_label(const iof__audit *a, size_t i, uint64_t *rows);
/* Scores every column into res[ncols]. shuffle_seed != 0: the labels are first permuted
 * (Fisher-Yates with that seed), the control under which nothing should score high.
 * IOF_E_NOMEM. */
int iof__audit_score(iof__audit *a, uint64_t shuffle_seed, iof__audit_col_result *res);

#endif
