/* Relabelling written outputs (`iotflow label`, docs/LABELS.md "Relabelling written outputs"):
 * a custom-flow file (Parquet, CSV or JSON Lines, either layout) or a Joy file (relabel_joy.c)
 * is copied with its label columns replaced by the rules' keys, without the captures.
 *
 * The rules see what the file carries, through the same evaluator as at extraction:
 *   proto, ports, first dir (slot 0's direction), time (FirstSeen), remote.addr (RemIP),
 *   device.addr (device_ip, only when the file has it), device.name / device.type;
 * dns, sni and app are missing, as they are at extraction. A rule file that reads an attribute
 * the file does not carry (ttl.*, time.last, device.addr without device_ip) is refused before
 * anything is written; a row whose remote address was anonymised (0.0.0.0 / ::) stops that
 * file when a rule reads remote addresses. So a label written here is the label extract --rules
 * gives the same record, or no file is written.
 *
 * Every other column is copied as it is: text formats byte for byte (fields re-quoted by the
 * writers' own encoders, which reproduce them), Parquet through the schema the reader gives
 * back, value for value, with the file's key-value metadata. */
#ifndef IOF_DATASET_RELABEL_H
#define IOF_DATASET_RELABEL_H

#include <stdint.h>

#include "dataset/dataset.h"
#include "labels/labeller.h"

typedef struct iof__relabel_counts {
    uint64_t rows;
    /* per key: its values and how many rows got each (labels of one key are the values of its
     * rules, default and on-missing: bounded by IOF_RULES_MAX_RULES + 2) */
    struct iof__relabel_value {
        const char *value; /* NULL: no label */
        uint64_t n;
    } *vals[IOF_RULES_MAX_KEYS];
    size_t nvals[IOF_RULES_MAX_KEYS], capvals[IOF_RULES_MAX_KEYS];
} iof__relabel_counts;

void iof__relabel_counts_free(iof__relabel_counts *c);
/* dst += src (IOF_E_NOMEM / IOF_E_LIMIT). */
int iof__relabel_counts_add(iof__relabel_counts *dst, const iof__relabel_counts *from);

/* Checks that `in` can be relabelled with lb (a custom-flow output, every attribute the rules
 * read present, no key colliding with one of its other columns). 0, or IOF_E_INVAL /
 * IOF_E_FORMAT / IOF_E_IO with err naming the file (and the rule). */
int iof__relabel_check(const char *in, const iof__labeller *lb, char *err, size_t errlen);

/* Writes the relabelled copy of `in` to `out` (atomically: nothing at `out` unless it is
 * complete); rows and labels are added to *counts. threads: the Parquet writer's (1 none,
 * 0 by cores). 0, or an iof_err with err naming the file and the line or row. */
int iof__relabel_file(const char *in, const char *out, const iof__labeller *lb, unsigned threads,
                      iof__relabel_counts *counts, char *err, size_t errlen);

#endif
