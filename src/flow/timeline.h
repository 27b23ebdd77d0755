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
 * - Names (--features dns / tls, iof__timeline_set_names): the distinct DNS and TLS server
 *   names the device's telemetry rows of that second contacted (what the callback gives each
 *   row), sorted bytewise; at most IOF_TL_MAX_NAMES per kind, the rest counted (names_dropped).
 *   A second holds at most IOF_TL_MAX_NAME_ENTS distinct (device, kind, name) at once; names
 *   beyond that are counted as dropped without being compared (a second with over a million
 *   distinct names: not met in practice).
 */
#ifndef IOF_FLOW_TIMELINE_H
#define IOF_FLOW_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/inventory.h"
#include "flow/telem.h"

#define IOF_TL_MAX_DEVICES 65536
#define IOF_TL_MAX_GAP_S 86400   /* silent seconds filled at most (one day) */
#define IOF_TL_MAX_NAMES 16      /* names listed per row and kind: a device that contacts more
                                    in one second is scanning or crawling; the count says so */
#define IOF_TL_ROW_NAMES 64      /* names one telemetry row may give per kind (the DNS map's
                                    IOF_DNSMAP_MAX_PER_PAIR) */
#define IOF_TL_MAX_NAME_ENTS (1u << 20) /* distinct (device, kind, name) per second (~32 MB
                                           with the index); more than the maps hold together */

enum { IOF_TL_NAMES_DNS = 0, IOF_TL_NAMES_TLS, IOF_TL_NAME_KINDS };

typedef struct iof__tlrow {
    int64_t sec_ns;
    uint32_t slot;              /* the device's slot: its order in every second */
    int32_t device;             /* inventory index or -1 */
    uint8_t mac[6];
    bool has_mac;
    uint8_t ipver;
    uint8_t dev_ip[16];         /* the device's address when it has no MAC */
    uint64_t packets[2], bytes[2], flows[2], remotes[2]; /* [0] out, [1] in */
    /* names (iof__timeline_set_names): [IOF_TL_NAMES_DNS] / [IOF_TL_NAMES_TLS], sorted bytewise;
     * texts owned by the name source (valid until the run ends) */
    uint8_t n_names[IOF_TL_NAME_KINDS];
    uint32_t names_dropped;     /* distinct names of this second beyond IOF_TL_MAX_NAMES */
    const char *names[IOF_TL_NAME_KINDS][IOF_TL_MAX_NAMES];
} iof__tlrow;

/* The names a telemetry row contacted: per kind IOF_TL_NAMES_*, up to IOF_TL_ROW_NAMES into
 * out[kind], their number into n[kind]. Texts must stay valid until the timeline's rows are
 * written; one pointer per distinct text and kind is expected (a name store), equal texts are
 * merged anyway. */
typedef void (*iof__tl_names_fn)(void *ctx, const iof__telrow *r, const char *out[][IOF_TL_ROW_NAMES],
                                 size_t n[IOF_TL_NAME_KINDS]);

typedef int (*iof__tl_emit_fn)(void *ctx, const iof__tlrow *row);
typedef struct iof__timeline iof__timeline;

typedef struct iof__tl_stats {
    uint64_t rows, devices, seconds, gap_seconds;
    uint64_t names_listed;      /* names written in the rows' lists (names on) */
    uint64_t names_dropped;     /* names not listed: a row's list was full (or the second's cap) */
} iof__tl_stats;

/* inv may be NULL; its devices get slots 0..n-1 up front. */
int iof__timeline_create(iof__timeline **out, const iof__inventory *inv, iof__tl_emit_fn emit, void *ctx);
void iof__timeline_destroy(iof__timeline *t);
/* Turns the names on (before the first row): fn gives each telemetry row's names. */
void iof__timeline_set_names(iof__timeline *t, iof__tl_names_fn fn, void *ctx);
/* A telemetry row (all rows of a second arrive before any row of a later second). */
int iof__timeline_row(iof__timeline *t, const iof__telrow *r);
/* Every second before clock_ns's second is complete: their rows are written. */
int iof__timeline_clock(iof__timeline *t, int64_t clock_ns);
/* End of input: the last second. */
int iof__timeline_flush(iof__timeline *t);
void iof__timeline_get_stats(const iof__timeline *t, iof__tl_stats *st);

#endif
