/* Per-second flow telemetry (extract --table telemetry, docs/OUTPUT.md "The telemetry
 * table"): a device-view flow policy that writes one row per flow and second in which the flow
 * has packets, for the smart-home cyber-physical dataset's packet-level telemetry.
 *
 * - Flow: a device's conversation (device, IP version, protocol, device address and port,
 *   remote address and port), from its first packet until it has been idle for idle_ns; its
 *   next packet then starts a new flow (flow_duration from 0 again). A packet between two
 *   devices (two views) is counted once: under the flow either device already has for it, else
 *   under a new flow of the device that sent it. So the rows' packets sum to the attributed
 *   packets.
 * - Seconds: UTC whole seconds (floor of the packet time). The rows of a second are emitted
 *   when the packet clock enters a later second (or at the end), in the ascending seq of their
 *   flows. A packet older than the second being filled (timestamps going back) is counted in
 *   that second and in late_packets: never dropped.
 * - Memory: at most max_flows live flows (fewer when max_bytes, divided by a flow's size, is
 *   smaller); beyond it the least recently active flow ends early
 *   (its row of the current second, if any, is written first; counted). Idle flows leave as the
 *   clock passes. No allocation per packet.
 * - Order: a flow's seq is the ordinal of the packet that created it (shard-reproducible, as
 *   the other policies).
 */
#ifndef IOF_FLOW_TELEM_H
#define IOF_FLOW_TELEM_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/attrib.h"
#include "flow/table.h"

#define IOF_TELEM_DEFAULT_IDLE_NS (60LL * 1000000000LL) /* a flow idle this long has ended */
#define IOF_NS_PER_S 1000000000LL

/* The UTC second of ns (floor); times within a second of INT64_MIN (pcapng's clamp of a
 * negative overflow) all fall into the lowest representable one. */
static inline int64_t iof__sec_of(int64_t ns)
{
    int64_t r = ns % IOF_NS_PER_S;
    if (r < 0) {
        if (ns < INT64_MIN + IOF_NS_PER_S)
            return ns - r; /* the floor would not be representable: towards zero */
        r += IOF_NS_PER_S;
    }
    return ns - r;
}

/* A flow's identity: the device view that created it (the custom-flow key) and its first
 * packet's direction. */
typedef struct iof__telkey {
    int32_t device;          /* inventory index or -1 */
    uint8_t ipver, proto;
    uint8_t first_dir;       /* the flow's first packet: 1 device -> remote, 0 remote -> device */
    uint16_t dev_port, rem_port;
    uint8_t dev_ip[16], rem_ip[16];
} iof__telkey;

/* One row: a flow's packets in one second. */
typedef struct iof__telrow {
    iof__telkey k;
    uint8_t ttl_seen;        /* bit 0: ttl_out valid, bit 1: ttl_in valid (this second); the
                                three beside k, in its padding: the row keeps 160 bytes with app */
    uint8_t ttl_out, ttl_in; /* smallest TTL each way in this second */
    int64_t sec_ns;          /* the second (UTC, whole seconds, ns) */
    int64_t flow_first_ns;   /* the flow's first packet */
    int64_t first_ns;        /* first and last packet of the flow in this second */
    int64_t last_ns;
    uint64_t seq;            /* the flow's seq */
    uint8_t mac[6];          /* the device's MAC (has_mac) */
    bool has_mac;
    bool evicted;            /* written early: the flow left for max_flows */
    uint64_t packets, bytes; /* in this second; bytes = sum of IP lengths */
    uint64_t packets_out, packets_in; /* of which device -> remote / remote -> device */
    uint64_t bytes_out, bytes_in;
    uint64_t names_horizon;  /* packets fed to the run's name maps when the row was emitted
                                (flow/dnsmap.h; set by the emitter) */
    const char *app;         /* nDPI's application of the row's flow (NULL: none), taken from
                                the application map by the emitter (kinds/labelcols.h
                                iof__lbl_attrs_stored) */
} iof__telrow;

typedef struct iof__tel_config {
    int64_t idle_ns;         /* > 0 */
    uint64_t max_flows;      /* > 0 */
    uint64_t max_bytes;      /* bound on the flow table's memory (0: none): flows are fixed-size,
                                so it is a cap on live flows; the smaller cap applies */
    uint64_t hash_seed;
} iof__tel_config;

typedef struct iof__tel_stats {
    uint64_t packets;        /* packets counted (= the rows' packets) */
    uint64_t late_packets;   /* of which older than the second being filled */
    uint64_t rows;
    uint64_t flows;          /* flows started */
    uint64_t flows_evicted;  /* ended early for max_flows */
    uint64_t peak_live;
    uint64_t max_live;       /* the cap in force */
} iof__tel_stats;

/* The row is the table's own, reused after the call: the callback may stamp it (names_horizon). */
typedef int (*iof__tel_emit_fn)(void *ctx, iof__telrow *row);
typedef struct iof__telem iof__telem;

int iof__telem_create(iof__telem **out, const iof__tel_config *cfg, iof__tel_emit_fn emit, void *ctx);
void iof__telem_destroy(iof__telem *t);
/* An attributed packet with its 1 or 2 views. 0 or the emitter's / a memory error. */
int iof__telem_packet(iof__telem *t, const iof__pkt *p, const iof__view *views, int nviews);
/* The packet clock moved to clock_ns: completes the seconds before it, ends idle flows. */
int iof__telem_advance(iof__telem *t, int64_t clock_ns);
/* End of input: every pending row. */
int iof__telem_flush(iof__telem *t);
void iof__telem_get_stats(const iof__telem *t, iof__tel_stats *st);

#endif
