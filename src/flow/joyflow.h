/* Joy flow policy (docs/JOY.md): Cisco Joy 3.0.3's bidirectional flow model on the generic flow
 * table (flow/table.h), for Joy-compatible extended flows (-f joy).
 *
 * - Key: the five-tuple (sa, da, sp, dp, pr) of every IPv4 packet, as Joy keys it: no devices,
 *   no views. ICMP and other protocols have ports 0; a fragment with a non-zero offset is keyed
 *   with protocol 0 and ports 0 (Joy treats it as "IP").
 * - Bidirectional merging: a record created while a record of the reverse key is in the table
 *   (and has no twin yet) becomes that record's twin; the pair is one flow. The record created
 *   first (the primary, Joy's chronological list) holds the pair's place in output order.
 * - Expiry: every IOF_JOY_CHECK_FRAMES frames its capture filter passes (Joy reads a capture 5
 *   frames at a time through the filter "ip or vlan" and prints expired flows after each batch) the primaries are checked from the oldest: a pair
 *   whose both starts lie before clock - 30 s is active-expired ("a"), else one whose both last
 *   packets lie before clock - 10 s is inactive-expired ("i"); the walk stops at the first
 *   primary that has not expired (Joy's head-of-line rule). Until then a record takes every
 *   packet of its key, however long it was idle. At end of input the rest are emitted without
 *   an expire type. clock = the largest packet timestamp seen.
 * - Memory: at most max_flows live records (each direction counts); beyond it the oldest pair
 *   is emitted early (end IOF_JF_END_EVICTED, counted). Records live in the table's slabs, their
 *   packets[] arrays bound once per slab entry: no allocation per packet.
 * - Order: a record's seq is the creating packet's ordinal among the packets fed here; pairs
 *   are emitted in ascending seq of their primaries (docs/ARCHITECTURE.md, "Defined output
 *   order"), which is Joy's output order.
 */
#ifndef IOF_FLOW_JOYFLOW_H
#define IOF_FLOW_JOYFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/endreason.h"
#include "flow/table.h"

#define IOF_JOY_DEFAULT_PACKETS 50  /* packets[] entries per direction (Joy NUM_PKT_LEN) */
#define IOF_JOY_MAX_PACKETS 200     /* Joy's num_pkts maximum (MAX_NUM_PKT_LEN) */
#define IOF_JOY_MAX_IP_ID 50        /* ip.id[] entries per direction (Joy MAX_NUM_IP_ID) */
#define IOF_JOY_TCP_OPT_LEN 24      /* TCP option bytes kept from the SYN / SYN-ACK (TCP_OPT_LEN) */
#define IOF_JOY_CHECK_FRAMES 5      /* frames between expiry checks (joy.c NUM_PACKETS_IN_LOOP) */
#define IOF_JOY_INACTIVE_US 10000000 /* T_WINDOW: 10 s */
#define IOF_JOY_ACTIVE_US 30000000   /* active_max = T_WINDOW + T_ACTIVE: 30 s */

typedef enum iof__jf_end {
    IOF_JF_END_NONE = 0,     /* end of input: Joy prints no expire_type */
    IOF_JF_END_INACTIVE,     /* "i" */
    IOF_JF_END_ACTIVE,       /* "a" */
    IOF_JF_END_EVICTED,      /* max_flows reached: emitted early, no expire_type */
    IOF_JF_END_STOPPED,      /* still open when the run was stopped (a signal, --duration): no expire_type */
} iof__jf_end;

/* Application direction Joy infers from a direction's first data packets (proto_identify). */
enum { IOF_JF_APP_UNKNOWN = 0, IOF_JF_APP_CLIENT = 1, IOF_JF_APP_SERVER = 2 };

typedef struct iof__joyrec {
    /* the flow table's links (flow/table.h), as one iof__flow and as named members */
    union {
        iof__flow flow;
        struct { IOF__FLOW_FIELDS };
    };
    /* key: one direction */
    uint8_t ipver;
    uint8_t proto;
    uint16_t sp, dp;
    uint8_t sa[16], da[16];

    struct iof__joyrec *twin; /* the reverse direction, or NULL */
    bool primary;             /* created without a twin: holds the pair's place in order */
    uint8_t end;              /* iof__jf_end, set on the primary when emitted */
    uint8_t app;              /* app identified (Joy record->app != 0) */
    uint8_t app_dir;          /* IOF_JF_APP_* */
    bool app_tls;             /* the app is TLS (Joy's app 443: a hello keyword) */
    uint8_t ndata;            /* packets with data so far (saturating): the application is
                                 identified on the first two, whatever cfg.packets is */

    uint8_t ttl;              /* smallest TTL (255 until a packet is seen, as Joy) */
    uint8_t tcp_flags;        /* flags of the first SYN or SYN/ACK (0: none seen) */
    uint8_t opt_len;          /* option bytes of that SYN / SYN-ACK kept (<= 24) */
    uint16_t first_win;       /* window of the first SYN or SYN/ACK */
    uint32_t first_seq;       /* sequence number of the first SYN (0: none) */
    uint32_t last_seq;        /* seq of the last data segment recorded (retransmission test) */
    uint8_t opts[IOF_JOY_TCP_OPT_LEN];

    int64_t start_us, end_us; /* first packet; last packet (Joy: the last one read, not max) */
    uint64_t np;              /* packets */
    uint64_t ob;              /* data bytes (Joy: application data; see docs/JOY.md) */
    uint32_t retrans;         /* TCP retransmissions (counted as "IP" packets, as Joy) */
    uint32_t invalid;         /* packets Joy's TCP/UDP/ICMP parsers refused */
    uint32_t op;              /* entries in packets[] (<= cfg.packets) */
    uint32_t num_id;          /* entries in ip_id[] */
    uint16_t ip_id[IOF_JOY_MAX_IP_ID];
    /* packets[] arrays, cfg.packets entries each, bound once per slab entry */
    uint16_t *pkt_len;        /* data bytes */
    int64_t *pkt_us;          /* timestamp, µs */
    void *ext;                /* the record's extension area (cfg.hooks.ext_size bytes, prepared
                                 at creation: hooks; NULL without one): feature modules' state */
    uint32_t feat_seen;       /* the feature modules its packets reached (features/joyfeat.c:
                                 iof__featset_update's seen bits, with IOF_FEAT_SEEN_ZEROED),
                                 kept here, where the record is hot when it is written */
} iof__joyrec;

/* What Joy calls a packet's data (docs/JOY.md, base fields): the transport payload after the
 * TCP header or the 8 bytes of a UDP / ICMP header, or the whole transport segment on Joy's
 * "IP" path (other protocols, later fragments, TCP retransmissions, malformed headers). Its
 * length follows the IP length; the bytes themselves must still be bounded by the capture. */
typedef struct iof__jf_data {
    const iof__pkt *pkt;
    uint32_t off;             /* the data's offset in pkt->data */
    uint32_t len;             /* its length (from the IP length) */
    bool tcp;                 /* taken by Joy's TCP parser (not its "IP" path) */
    int64_t ts_us;            /* the packet's time, µs (as the policy keeps it) */
} iof__jf_data;

/* Per-record extensions (the feature modules, features/feature.h): the flow table gives each
 * record ext_size bytes, zeroed when the record is created unless created() is set (it then
 * prepares them: the feature set zeroes only the states' clean parts; zeroed: the area is all
 * zero bytes already, a fresh slab entry, flow/table.h); created() is called, and
 * packet() after each packet the record took (its counters, times and packets[] updated). */
typedef struct iof__jf_hooks {
    size_t ext_size;
    uint32_t nhot;   /* stretches of ext that every record writes (flow/table.h cfg.hot) */
    iof__ftab_span hot[IOF_FTAB_MAX_HOT];
    void (*created)(void *ctx, iof__joyrec *r, bool zeroed);
    void (*packet)(void *ctx, iof__joyrec *r, const iof__jf_data *d);
    void *ctx;
} iof__jf_hooks;

typedef struct iof__jf_config {
    uint32_t packets;        /* packets[] entries per direction, 1..IOF_JOY_MAX_PACKETS */
    uint64_t max_flows;      /* cap on live records (each direction counts) */
    uint64_t max_bytes;      /* bound on the table's memory (0: none): records are fixed-size
                                (record, packets[] arrays, feature states), so it becomes a
                                cap on live records, the smaller of the two applies */
    bool ipv6;               /* also key IPv6 packets (Joy 3.0.3 ignores them) */
    uint64_t hash_seed;
    iof__jf_hooks hooks;     /* all zero: none */
    bool helpers;            /* helper threads allowed (not --threads 1): the table makes its
                                slabs ahead on one (flow/table.h slab_ahead) */
} iof__jf_config;

typedef struct iof__jf_stats {
    uint64_t packets;         /* packets taken */
    uint64_t skipped;         /* packets not taken: not IPv4 (unless ipv6), or cut (IP length
                                 beyond the captured frame, as Joy) */
    uint64_t records_created;
    uint64_t flows_emitted;   /* pairs and single directions */
    uint64_t flows_bidir;     /* of those, with a twin */
    uint64_t flows_evicted;   /* emitted early for max_flows */
    uint64_t expired_inactive, expired_active;
    uint64_t live_records, peak_live_records;
    uint64_t max_live;        /* the cap in force: max_flows, or less for max_bytes */
    uint64_t record_bytes;    /* table memory per live record (entry + bucket share) */
    bool capped_by_memory;    /* max_bytes set the cap */
} iof__jf_stats;

/* Called for each finished flow with its primary record (the twin is r->twin); both are
 * recycled when the callback returns. A non-zero return is remembered and returned later. */
typedef int (*iof__jf_emit_fn)(void *ctx, const iof__joyrec *r);

typedef struct iof__joyflow iof__joyflow;

int iof__joyflow_create(iof__joyflow **out, const iof__jf_config *cfg, iof__jf_emit_fn emit,
                        void *ctx);
void iof__joyflow_destroy(iof__joyflow *t);
/* Adds one decoded packet. Returns 0 or the emitter's error. */
int iof__joyflow_packet(iof__joyflow *t, const iof__pkt *p);
/* One frame that Joy's capture filter passes was read (iof__joyflow_filter, decoded or not):
 * every IOF_JOY_CHECK_FRAMES-th call runs the expiry check. */
int iof__joyflow_frame(iof__joyflow *t);
/* Joy's default capture filter "ip or vlan": an Ethernet frame with ethertype IPv4 or an
 * 802.1Q/802.1ad tag; on other link types, a decoded IPv4 packet (decoded: iof__decode's
 * result was OK and p is filled). Only passing frames count towards the expiry cadence. */
bool iof__joyflow_filter(uint32_t linktype, const uint8_t *data, uint32_t caplen, bool decoded,
                         const iof__pkt *p);
/* Runs the expiry check now (Joy: after each batch and once at end of input). */
int iof__joyflow_expire(iof__joyflow *t);
/* Sets the ordinal of the next packet fed (>= the number counted so far, else IOF_E_INVAL). */
int iof__joyflow_set_ordinal(iof__joyflow *t, uint64_t next_ordinal);
/* End of input: the expiry check, then every remaining flow in ascending seq, no expire type. */
int iof__joyflow_flush(iof__joyflow *t);
/* The same when the run was stopped (a signal, --duration): end IOF_JF_END_STOPPED, not NONE. */
int iof__joyflow_stop(iof__joyflow *t);
/* Why the flow of primary r ended (its end, set when emitted), in the words every output shares. */
iof__end_reason iof__jf_end_reason(const iof__joyrec *r);
void iof__joyflow_get_stats(const iof__joyflow *t, iof__jf_stats *st);
uint64_t iof__joyflow_memory(const iof__joyflow *t);

/* How Joy presents a flow (p2f.c flow_record_print_json): which direction is "out" (the
 * client by application or TCP handshake, else the earlier start, the twin on a tie), the
 * flow's time_start (out's start) and time_end (with a client found: the primary's last packet;
 * else the later of the two). *in is NULL for a one-way flow. */
void iof__joyflow_orient(const iof__joyrec *primary, const iof__joyrec **out,
                         const iof__joyrec **in, int64_t *start_us, int64_t *end_us);

#endif
