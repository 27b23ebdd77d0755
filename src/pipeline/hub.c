#include "pipeline/hub.h"

#include "common/err.h"

int iof__pipe_add_consumer(iof__pipe *p, const iof__view_consumer *c)
{
    if (p->n_vc >= IOF_MAX_VIEW_CONSUMERS)
        return IOF_E_LIMIT;
    p->vc[p->n_vc++] = *c;
    return IOF_OK;
}

int iof__pipe_on_record(iof__pipe *p, iof__hub_stage stage, iof__hub_fn fn, void *ctx)
{
    if ((unsigned)stage >= IOF_HUB__COUNT || p->n_stage[stage] >= IOF_HUB_MAX_PER_STAGE)
        return IOF_E_LIMIT;
    size_t k = p->n_stage[stage]++;
    p->stage[stage][k].fn = fn;
    p->stage[stage][k].ctx = ctx;
    return IOF_OK;
}

/* Remembers the first error: a consumer that failed once is not fed again. */
static int keep(iof__pipe *p, int rc)
{
    if (rc != IOF_OK && p->rc == IOF_OK)
        p->rc = rc;
    return p->rc;
}

int iof__pipe_packet(iof__pipe *p, const iof__pkt *pkt, const iof__view *views, int nviews)
{
    for (size_t i = 0; i < p->n_vc && p->rc == IOF_OK; i++)
        keep(p, p->vc[i].packet(p->vc[i].ctx, pkt, views, nviews));
    return p->rc;
}

int iof__pipe_advance(iof__pipe *p, int64_t clock_ns)
{
    for (size_t i = 0; i < p->n_vc && p->rc == IOF_OK; i++)
        keep(p, p->vc[i].advance(p->vc[i].ctx, clock_ns));
    return p->rc;
}

int iof__pipe_flush(iof__pipe *p, bool interrupted)
{
    for (size_t i = 0; i < p->n_vc && p->rc == IOF_OK; i++)
        keep(p, p->vc[i].flush(p->vc[i].ctx, interrupted));
    return p->rc;
}

int iof__pipe_sync(iof__pipe *p)
{
    for (size_t i = 0; i < p->n_vc && p->rc == IOF_OK; i++)
        if (p->vc[i].sync)
            keep(p, p->vc[i].sync(p->vc[i].ctx));
    return p->rc;
}

int iof__pipe_record(iof__pipe *p, const iof__row_kind *kind, const void *rec)
{
    if (p->rc != IOF_OK)
        return p->rc;
    for (int s = 0; s < IOF_HUB__COUNT; s++)
        for (size_t k = 0; k < p->n_stage[s]; k++) {
            int rc = p->stage[s][k].fn(p->stage[s][k].ctx, kind, rec);
            if (rc != IOF_OK)
                return keep(p, rc);
        }
    return IOF_OK;
}
