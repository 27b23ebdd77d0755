/* capture: several inputs read as one stream of frames, in time order (a k-way merge by
 * timestamp, as mergecap does) or in the order given.
 *
 * Time order: every input is opened once at the start to read its first frame's timestamp
 * (inputs are then taken in that order, ties by position in the list); an input joins the merge
 * when the merged stream reaches its first timestamp, and frames come from the open input
 * whose current frame is the oldest (ties: the earlier input). At most `max_open` inputs are
 * open at a time (memory: each holds a 1 MiB read buffer, gzip ~2 MiB more); when more than
 * that overlap in time, the next one waits for a free slot, and its packets may then be older
 * than the merged clock — the pipeline counts those as going backwards across inputs.
 * Inputs kept open from the first pass are not reopened (stdin "-" can only be read once and
 * is always kept open).
 *
 * Name order: one input at a time, in the order of the list (the pre-1.0 behaviour, and what
 * `--input-order name` asks for).
 *
 * The merge never stops for a damaged or unreadable input: it reports it through `ended` and
 * goes on with the others. Frame bytes are borrowed until the next iof__merge_next() call.
 */
#ifndef IOF_CAPTURE_MERGE_H
#define IOF_CAPTURE_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/source.h"

#define IOF_MERGE_MAX_OPEN 32   /* inputs open at once in a time-order merge */

typedef struct iof__merge_cfg {
    size_t n_inputs;
    bool time_order;            /* false: one input after another, in list order */
    size_t max_open;            /* 0 -> IOF_MERGE_MAX_OPEN */
    /* Opens input idx (a file, stdin, a live interface; the filter set). Returns 0, a negative
     * iof_err for this input only (message in err), or IOF_E_INVAL for a configuration problem
     * that stops the whole merge (e.g. a filter that does not compile). */
    int (*open)(void *ctx, size_t idx, iof__source **out, char *err, size_t errlen);
    /* Called once per input when it is done with: rc 0 (read to the end), or the negative
     * iof_err that ended it (open failure, damage, read error); src is NULL when it could not
     * be opened (msg then holds why). The source is closed after the call. */
    void (*ended)(void *ctx, size_t idx, iof__source *src, int rc, const char *msg);
    /* Optional: true when input idx can be read only once (stdin): it is never reopened. */
    bool (*once)(void *ctx, size_t idx);
    void *ctx;
} iof__merge_cfg;

typedef struct iof__merge iof__merge;

/* Opens the inputs needed to order them (time order). Returns 0, IOF_E_NOMEM, or the
 * configuration error an open() reported (IOF_E_INVAL: message in err). */
int iof__merge_create(iof__merge **out, const iof__merge_cfg *cfg, char *err, size_t errlen);
/* Next frame in order: 1 (f filled, *idx = its input), 0 (every input done), or a negative
 * iof_err that stops the run: IOF_E_INTERRUPTED (iof__merge_stop), IOF_E_NOMEM, IOF_E_INVAL
 * (message via iof__merge_errmsg). */
int iof__merge_next(iof__merge *m, iof__frame *f, size_t *idx);
/* Async-signal-safe: makes every open input's next read return IOF_E_INTERRUPTED. */
void iof__merge_stop(iof__merge *m);
/* Bytes of input consumed so far (compressed bytes for gzip), for progress. */
uint64_t iof__merge_progress(const iof__merge *m);
const char *iof__merge_errmsg(const iof__merge *m);
/* Ends the inputs still open (`ended` with IOF_E_INTERRUPTED: stopped before their end) and
 * frees m. */
void iof__merge_destroy(iof__merge *m);

#endif
