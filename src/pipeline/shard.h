/* Sharded custom-flow workers (--threads N; docs/ARCHITECTURE.md "Sharded flow workers").
 *
 * A view consumer on the pipeline's thread (the dispatcher) numbers the packets it is fed (the
 * ordinal the single table would give), routes each packet by the symmetric hash of its
 * five-tuple (flow/key.h: both directions and both mirrored views reach one worker) to one of
 * N flow workers through a bounded single-producer / single-consumer packet ring
 * (common/ring.h), each message carrying the packet summary, its views, the payload bytes the
 * policy may keep, its ordinal and the packet clock before it. Each worker owns a custom-flow
 * table (cflow.h: --max-flows and --max-memory split evenly) and copies the records it emits
 * into its record ring. The dispatcher's thread merges the record rings by seq: a record
 * leaves once no worker can still emit a lower seq (each publishes a low-water mark: the seq
 * of its oldest live record, or its next packet's ordinal x 4), and goes to the run's emitter,
 * so the hub sees exactly the single table's records in the single table's order.
 *
 * The clock: every packet message carries the clock the single table would have before that
 * packet, and a worker that has not been sent anything for IOF_SHARD_ADV_EVERY packets (or
 * before the dispatcher waits) gets the clock alone, so idle workers' windows close too.
 * The dispatcher never drops a packet of a file: it waits (merging meanwhile) when a ring is
 * full. In live capture it never waits for a packet: the packet is dropped and counted (the
 * barriers of a completed day and of the end still wait for the workers). Records that wait behind an older live record of another worker (only with timestamps
 * that go backwards) are moved out of a full record ring into the merge's own list; beyond
 * --max-flows of them, the worker holding the oldest live record evicts it (what the single
 * table's cap would evict). */
#ifndef IOF_PIPELINE_SHARD_H
#define IOF_PIPELINE_SHARD_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/cflow.h"

#define IOF_SHARD_MAX_WORKERS IOF_MAX_THREADS /* flow workers of one run (64): beyond the cores of
                                           any host iotflow targets; the merge looks at each per record */
#define IOF_SHARD_PKT_RING (2u << 20)   /* packet ring per worker: ~1,400 full-size packets with
                                           their payload, thousands of small ones */
#define IOF_SHARD_REC_RING (2u << 20)   /* record ring per worker: ~180 records at the defaults'
                                           full payload (10 x 1000 bytes) */
#define IOF_SHARD_BATCH 32              /* messages a worker handles before it publishes its
                                           mark and gives their bytes back (ring.h, "Batched") */
/* The seed of the symmetric hash that routes a conversation to its worker: fixed, not the
 * run's random table seed (--hash-seed), so which records a table evicts at its share of
 * --max-flows / --max-memory, and so the output, is the same from run to run for a given N.
 * The tables' buckets keep the random seed (hash flooding); one who steers every flow to one
 * worker only makes the run as slow as one worker (live: its drops are counted). */
#define IOF_SHARD_ROUTE_SEED 0x9e3779b97f4a7c15ull
#define IOF_SHARD_ADV_EVERY 64          /* packets after which a worker not sent one learns the
                                           clock alone (idle workers' windows close) */

typedef struct iof__shard iof__shard;

typedef struct iof__shard_config {
    unsigned workers;        /* 2..IOF_SHARD_MAX_WORKERS */
    iof__cf_config cf;       /* the run's table: max_flows and max_bytes are the run's, split here */
    bool whole_payload;      /* the policy's hooks read a packet's whole captured payload and
                                its IP and transport headers (--features: idp reads the IP
                                packet); else at most cf.payload bytes of payload travel */
    bool live;               /* live capture: the reader never waits for a worker; a packet whose
                                worker's ring is full is dropped and counted (`dropped`) */
    unsigned test_slow_us;   /* tests (IOF_TEST_SLOW_WORKER_US): a worker sleeps this long per
                                packet, so that it falls behind a live capture */
    iof__cf_emit_fn emit;    /* the merged records, in ascending seq, on the dispatcher's thread */
    void *ctx;
} iof__shard_config;

/* Bytes the rings of n workers hold (counted in --max-memory). */
uint64_t iof__shard_ring_bytes(unsigned n);
/* NULL when a run with this table can be sharded, else why not (a record could not travel
 * through a record ring). */
const char *iof__shard_refuses(const iof__cf_config *cf);

/* Starts the workers. IOF_OK, IOF_E_NOMEM, IOF_E_INVAL or IOF_E_LIMIT (a thread did not start). */
int iof__shard_create(iof__shard **out, const iof__shard_config *cfg);
/* Stops the workers (wherever they are) and frees everything. NULL: nothing. */
void iof__shard_destroy(iof__shard *s);

/* The view consumer (pipeline/hub.h); ctx is the iof__shard. sync: every record the clock so
 * far has closed reaches the emitter (a barrier: before a day's files are completed). flush:
 * end of input in every worker, all records merged; the workers stop. */
int iof__shard_packet(void *ctx, const iof__pkt *pkt, const iof__view *views, int nviews);
int iof__shard_advance(void *ctx, int64_t clock_ns);
int iof__shard_sync(void *ctx);
int iof__shard_flush(void *ctx, bool interrupted);

typedef struct iof__shard_stats {
    unsigned workers;
    uint64_t held_peak;       /* records the merge held at once in its own list (behind an older one) */
    uint64_t held_evictions;  /* records evicted because the merge held more than --max-flows */
    uint64_t clock_messages;  /* clock-only messages sent to idle workers */
    uint64_t dropped;         /* live: packets not fed, their worker's ring was full */
} iof__shard_stats;

/* The workers' tables' counters summed (peaks: sums of each table's peak), and the shard's own.
 * Stops the workers first (safe after any error). */
void iof__shard_get_stats(iof__shard *s, iof__cf_stats *cf, iof__shard_stats *st);

#endif
