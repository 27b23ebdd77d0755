/* The per-device timeline (extract --table timeline, docs/OUTPUT.md "The timeline table"): one
 * row per device and second, seconds without traffic included (zeros), built from the
 * per-second telemetry rows (flow/telem.h) of every flow.
 *
 * - Devices: with an inventory every device of it has a row every second from the capture's
 *   first second; a device found without one (MAC, else address) has rows from the second of
 *   its first packet (earlier seconds are already written: documented). At most
 *   IOF_TL_MAX_DEVICES devices.
 * - Seconds: from the first second of the packet clock to its last; a second is written once
 *   the telemetry rows of it are complete (the clock entered a later second). A silence longer
 *   than IOF_TL_MAX_GAP_S seconds (a capture paused for days, or a timestamp jump) is not
 *   filled: its seconds are counted (gap_seconds), so output stays bounded by the traffic.
 * - Per direction (out = device -> remote, in = remote -> device): packets, bytes, flows
 *   started (a telemetry flow's first second; its direction is its first packet's) and distinct
 *   remote addresses the device exchanged packets with that way.
 */
#ifndef IOF_FLOW_TIMELINE_H
#define IOF_FLOW_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/inventory.h"
#include "flow/telem.h"

#define IOF_TL_MAX_DEVICES 65536
#define IOF_TL_MAX_GAP_S 86400   /* silent seconds filled at most (one day) */

typedef struct iof__tlrow {
    int64_t sec_ns;
    uint32_t slot;              /* the device's slot: its order in every second */
    int32_t device;             /* inventory index or -1 */
    uint8_t mac[6];
    bool has_mac;
    uint8_t ipver;
    uint8_t dev_ip[16];         /* the device's address when it has no MAC */
    uint64_t packets[2], bytes[2], flows[2], remotes[2]; /* [0] out, [1] in */
} iof__tlrow;

typedef int (*iof__tl_emit_fn)(void *ctx, const iof__tlrow *row);
typedef struct iof__timeline iof__timeline;

typedef struct iof__tl_stats {
    uint64_t rows, devices, seconds, gap_seconds;
} iof__tl_stats;

/* inv may be NULL; its devices get slots 0..n-1 up front. */
int iof__timeline_create(iof__timeline **out, const iof__inventory *inv, iof__tl_emit_fn emit, void *ctx);
void iof__timeline_destroy(iof__timeline *t);
/* A telemetry row (all rows of a second arrive before any row of a later second). */
int iof__timeline_row(iof__timeline *t, const iof__telrow *r);
/* Every second before clock_ns's second is complete: their rows are written. */
int iof__timeline_clock(iof__timeline *t, int64_t clock_ns);
/* End of input: the last second. */
int iof__timeline_flush(iof__timeline *t);
void iof__timeline_get_stats(const iof__timeline *t, iof__tl_stats *st);

#endif
