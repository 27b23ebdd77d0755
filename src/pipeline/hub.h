/* The pipeline's two fan-out points, so a new packet consumer or record stage is one
 * registration in run.c's setup() and nothing else changes:
 *
 *  - View consumers: every attributed packet goes, with its 1 or 2 device views, to each
 *    consumer in registration order; an unattributed packet only moves their clock; end of
 *    input flushes them. A device-view flow policy is a consumer (the custom-flow window today;
 *    per-second telemetry next; a dispatcher to sharded flow workers later, which is why
 *    consumers see views and not records). Joy's flows know no devices: pipeline/joyrun.c is
 *    fed every decoded frame before attribution instead.
 *  - The record hub: every finished record of every kind passes the same stages in a fixed
 *    order, finish -> label -> stats -> sink, whichever order they were registered in. A
 *    record kind (kinds/) describes its records to the sink; the hub only carries them.
 *
 * A non-zero return stops the fan-out and is the run's error (output or memory problems);
 * the first one is returned by later calls too, like the flow table's emitter. */
#ifndef IOF_PIPELINE_HUB_H
#define IOF_PIPELINE_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/attrib.h"
#include "output/rowkind.h"

#define IOF_MAX_VIEW_CONSUMERS 8  /* flow policies fed by one run */
#define IOF_HUB_MAX_PER_STAGE 8   /* handlers of one record stage (the stats stage holds 4 with
                                     --table telemetry --rules --sensors: room for more) */

typedef struct iof__view_consumer {
    const char *name;
    void *ctx;
    int (*packet)(void *ctx, const iof__pkt *pkt, const iof__view *views, int nviews);
    int (*advance)(void *ctx, int64_t clock_ns);  /* the packet clock moved (no views) */
    int (*flush)(void *ctx, bool interrupted);    /* end of input: emit everything left */
    int (*sync)(void *ctx); /* optional: every record the clock so far has ended reaches the hub
                               now (a consumer whose records are made on other threads) */
} iof__view_consumer;

typedef enum iof__hub_stage {
    IOF_HUB_FINISH = 0,  /* derived fields a kind completes once a record is final */
    IOF_HUB_LABEL,       /* labels from rules or ground truth */
    IOF_HUB_STATS,       /* per-device / per-protocol tables of the run's statistics */
    IOF_HUB_SINK,        /* the output files */
    IOF_HUB__COUNT
} iof__hub_stage;

typedef int (*iof__hub_fn)(void *ctx, const iof__row_kind *kind, const void *rec);

typedef struct iof__pipe {
    iof__view_consumer vc[IOF_MAX_VIEW_CONSUMERS];
    size_t n_vc;
    struct {
        iof__hub_fn fn;
        void *ctx;
    } stage[IOF_HUB__COUNT][IOF_HUB_MAX_PER_STAGE];
    size_t n_stage[IOF_HUB__COUNT];
    int rc; /* first error of a consumer or a stage */
} iof__pipe;

/* Registration: 0, or IOF_E_LIMIT past the named caps. */
int iof__pipe_add_consumer(iof__pipe *p, const iof__view_consumer *c);
int iof__pipe_on_record(iof__pipe *p, iof__hub_stage stage, iof__hub_fn fn, void *ctx);

/* Feeding. */
int iof__pipe_packet(iof__pipe *p, const iof__pkt *pkt, const iof__view *views, int nviews);
int iof__pipe_advance(iof__pipe *p, int64_t clock_ns);
int iof__pipe_flush(iof__pipe *p, bool interrupted);
/* Before the run acts on "no record of the clock so far is still held" (a day completed). */
int iof__pipe_sync(iof__pipe *p);
/* A finished record through every stage (a flow policy's emitter calls it). */
int iof__pipe_record(iof__pipe *p, const iof__row_kind *kind, const void *rec);

#endif
