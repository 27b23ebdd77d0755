/* The per-device timeline of captures without writing it (iotflow correlate): a run whose
 * telemetry policy and timeline are wired to a callback instead of a sink (run.c, tl_tap). */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "kinds/timeline.h"
#include "pipeline/run_int.h"
#include "pipeline/tlrun.h"

typedef struct tap {
    iof_run *run;
    iof__tlrun_fn fn;
    void *ctx;
    uint64_t rows;
} tap;

static int on_row(void *ctx, const iof__tlrow *r)
{
    tap *t = ctx;
    char name[64];
    /* the table's device_id, as extract --table timeline writes it (by default) */
    uint32_t len = iof__tl_device_text(r, t->run->inv, true, name);
    const uint64_t counts[6] = { r->packets[0], r->packets[1], r->bytes[0], r->bytes[1], r->flows[0], r->flows[1] };
    t->rows++;
    return t->fn(t->ctx, r->sec_ns, name, len, counts);
}

int iof__tlrun_captures(const iof_config *cfg, iof__tlrun_fn fn, void *ctx, iof__tlrun_stats *st, char *err,
                        size_t errlen)
{
    memset(st, 0, sizeof(*st));
    iof_config rc_cfg = *cfg;
    rc_cfg.formats = 0; /* no sink: the rows go to fn */
    rc_cfg.table = IOF_TABLE_CUSTOMFLOW;
    iof_run *run = NULL;
    int rc = iof_run_create(&run, &rc_cfg, err, errlen);
    if (rc != IOF_OK)
        return rc;
    tap t = { run, fn, ctx, 0 };
    run->tl_tap = on_row;
    run->tl_tap_ctx = &t;
    int xrc = iof_run_execute(run);
    st->frames = run->st.frames;
    st->attributed = run->st.attributed;
    st->rows = t.rows;
    bool input_problem = xrc == IOF_E_TRUNCATED_INPUT || xrc == IOF_E_FORMAT || xrc == IOF_E_IO;
    rc = xrc;
    if (xrc != IOF_OK)
        snprintf(err, errlen, "%s", iof_run_errmsg(run)[0] ? iof_run_errmsg(run) : iof_strerror(xrc));
    if (input_problem && st->frames > 0)
        st->input_damaged = true, st->input_rc = xrc, rc = IOF_OK; /* what was read is used */
    iof_run_destroy(run);
    return rc;
}
