/* Custom-flow policy (docs/CUSTOMFLOW.md §2): records keyed by the five-tuple seen from
 * a device, fixed lifetime [first_seen, first_seen + window), the first i packets' offset /
 * size / direction and up to j payload bytes each; bidirectional and unidirectional variants.
 *
 * Memory: one record per (key, variant) active inside a window. Records leave the table when
 * their window closes (packet-time clock), at end of input, or — when the number of live
 * records exceeds max_flows, or the bytes they hold exceed max_bytes — the oldest is emitted
 * early with `evicted` set (YAF "resource" end, Suricata memcap recycling). Records live in the
 * generic flow table (flow/table.h): slabs and a free list, no allocation per packet.
 *
 * One hash lookup per packet and view: the bucket of a five-tuple holds both variants.
 *
 * Order (docs/ARCHITECTURE.md, "Defined output order"): a record's seq is the creating packet's
 * ordinal among the packets fed here * 4 + view * 2 + variant; records are emitted in strictly
 * ascending seq. A record is closed for packets once the clock has moved forward to or past
 * its window's end since it was created, even while it waits behind an older open record
 * (timestamps that went backwards), and for packets at or past its end.
 */
#ifndef IOF_FLOW_CFLOW_H
#define IOF_FLOW_CFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "flow/attrib.h"
#include "flow/endreason.h"
#include "flow/table.h"

#define IOF_MAX_PACKET_SLOTS 1000      /* --packets upper bound (wide layout: 3 columns each) */
#define IOF_MAX_PAYLOAD_BYTES 65535    /* --payload upper bound (an IP datagram's maximum; a
                                          slot's pay_len is 16 bits) */
_Static_assert(IOF_MAX_PAYLOAD_BYTES <= UINT16_MAX, "a slot's pay_len is 16 bits");
_Static_assert(IOF_MAX_PACKET_SLOTS <= UINT16_MAX, "a record's slot_cap is 16 bits");
#define IOF_MAX_PAYLOAD_TOTAL 65536    /* --payload-total upper bound (int16 wide columns) */

enum { IOF_VAR_BI = 0, IOF_VAR_UNI = 1, IOF_VAR__COUNT = 2 };

typedef enum iof__cf_end {
    IOF_CF_END_WINDOW = 0,  /* its window closed (normal) */
    IOF_CF_END_EOF,         /* end of input */
    IOF_CF_END_EVICTED,     /* live-record cap reached: emitted before its window closed */
    IOF_CF_END_SHUTDOWN,    /* run stopped (a signal, --duration) */
} iof__cf_end;

typedef struct iof__cfrec {
    /* the flow table's links (flow/table.h), as one iof__flow and as named members: hash (the
     * view hash, key.h) and seq (creation sequence number, below) are read by consumers. The
     * chain link and the hash come right before the key: a bucket walk reads one stretch. */
    union {
        iof__flow flow;
        struct { IOF__FLOW_FIELDS };
    };
    /* identity (device point of view) */
    uint8_t variant;        /* IOF_VAR_* */
    uint8_t ipver;
    uint8_t proto;
    uint8_t mac_state;      /* 0 none, 1 from a downstream packet's dst MAC, 2 from upstream src */
    uint16_t dev_port, rem_port;
    uint8_t dev_ip[16], rem_ip[16];
    int32_t device;         /* inventory index, or -1 */
    uint8_t mac[6];
    uint8_t end;            /* iof__cf_end, set when emitted */
    uint8_t first_dir;      /* direction of the first packet: 1 device -> remote, 0 back */
    uint8_t ttl_seen;       /* bit 0: ttl_out set, bit 1: ttl_in set */
    uint8_t ttl_out, ttl_in; /* smallest IP TTL / hop limit seen per direction (Joy's rule):
                                out = device -> remote packets, in = remote -> device */
    uint64_t names_horizon; /* packets the run had fed its name maps when the record was
                               emitted (flow/dnsmap.h): set by the emitter */

    int64_t first_ns;       /* timestamp of the first packet */
    int64_t last_ns;        /* largest packet timestamp */
    /* One field's bytes for two lives, so the record (a slab entry: --max-memory's stride, the
     * sort batches' cuts) keeps its size: */
    union {
        int64_t opened_clock_ns; /* while the record is live (the table's, set by new_rec): the
                                    packet clock when it was created (> first_ns when it began
                                    with an out-of-order timestamp) */
        const char *app;         /* from its emission on (NULL when the table hands it to the
                                    emitter, which may set it): nDPI's application of the record
                                    (the rules' `app`, the l7_app column; NULL: none), taken
                                    from the application map by the run's emitter:
                                    kinds/labelcols.h iof__lbl_attrs_stored */
    };
    uint64_t bytes;         /* sum of IP lengths */
    uint64_t packets;
    uint32_t nslots;        /* packets recorded in the slots (<= i) */
    uint32_t pay_used;      /* bytes used in pay */
    uint32_t pay_cap;
    uint32_t feat_bytes;    /* bytes of feat (0: no feature state) */
    bool feat_packed;       /* a copy's feat: packed (features/cffeat.h iof__cffeat_pack) */
    uint16_t slot_cap;      /* entries of each slot array (<= IOF_MAX_PACKET_SLOTS) */
    uint32_t feat_cuts;     /* a copy's: the groups whose cells lost something (bit: registry
                               index; iof__cffeat_count_cuts) */
    unsigned char *feat;    /* the record's feature state (--features; NULL: none): the device ->
                               remote direction's, then the other's, feat_bytes / 2 each, in the
                               flow table's extension area (a copy carries its own, packed:
                               cf_kind.c) */
    const void *feat_set;   /* what lays feat out (hooks.ctx: the run's feature set) */
    uint8_t *pay;           /* payload bytes of the slots, back to back (capacity grows to i*j) */
    /* The slot arrays, slot_cap entries each, allocated with the record
     * (iof__cfrec_bind_slots): off_us int64, size int32, pay_off uint32, pay_len uint16, dir
     * int8, back to back, read through the accessors below. One pointer, not one per array: the
     * slab entries are most of the flow table's bytes, and four more pointers were 32 of a
     * default entry's 448 (bench/README.md 2026-12-07, branch rss5). A struct copy (a view)
     * keeps pointing at the original's arrays. */
    unsigned char *slots;
} iof__cfrec;

/* The slot arrays of a record with n slots live in one area: bytes it needs, and binding r's
 * array pointers to an area at p (returns the first byte after it). The one place that knows
 * the layout (used by the flow table's slabs and by copies of records). */
size_t iof__cfrec_slot_bytes(size_t n);
unsigned char *iof__cfrec_bind_slots(iof__cfrec *r, unsigned char *p, size_t n);

/* The slot arrays' layout, written once: each array holds slot_cap entries and starts at
 * slot_cap x the bytes one slot has in the arrays before it (iof__cfrec_slot_bytes is slot_cap x
 * IOF_CFSLOT_BYTES); every array's start is aligned for its type, the larger types coming first. */
enum {
    IOF_CFSLOT_SIZE_AT = sizeof(int64_t),                      /* after off_us */
    IOF_CFSLOT_PAY_OFF_AT = IOF_CFSLOT_SIZE_AT + sizeof(int32_t),
    IOF_CFSLOT_PAY_LEN_AT = IOF_CFSLOT_PAY_OFF_AT + sizeof(uint32_t),
    IOF_CFSLOT_DIR_AT = IOF_CFSLOT_PAY_LEN_AT + sizeof(uint16_t),
    IOF_CFSLOT_BYTES = IOF_CFSLOT_DIR_AT + sizeof(int8_t),
};
static inline unsigned char *iof__cfrec_slot_array(const iof__cfrec *r, size_t at)
{
    return r->slots + (size_t)r->slot_cap * at;
}

/* Slot k's packet: time offset from the first packet (µs), IP length, direction (1 device ->
 * remote), and where its kept payload bytes are in r->pay (pay_len 0: none kept). */
static inline int64_t *iof__cfrec_off_us(const iof__cfrec *r) { return (int64_t *)(void *)r->slots; }
static inline int32_t *iof__cfrec_size(const iof__cfrec *r)
{
    return (int32_t *)(void *)iof__cfrec_slot_array(r, IOF_CFSLOT_SIZE_AT);
}
static inline uint32_t *iof__cfrec_pay_off(const iof__cfrec *r)
{
    return (uint32_t *)(void *)iof__cfrec_slot_array(r, IOF_CFSLOT_PAY_OFF_AT);
}
static inline uint16_t *iof__cfrec_pay_len(const iof__cfrec *r)
{
    return (uint16_t *)(void *)iof__cfrec_slot_array(r, IOF_CFSLOT_PAY_LEN_AT);
}
static inline int8_t *iof__cfrec_dir(const iof__cfrec *r)
{
    return (int8_t *)(void *)iof__cfrec_slot_array(r, IOF_CFSLOT_DIR_AT);
}

/* Per-record feature state (features/cffeat.h): the flow table gives each record 2 x ext_size
 * bytes after it (counted by max_bytes), one half per direction; created() prepares each half
 * when the record is created (zeroed: the half is all zero bytes already, a fresh slab entry,
 * flow/table.h), packet() sees every packet a record takes, slots or not, with its
 * direction's half. ctx is what lays the halves out (records carry it to their copies, which
 * pack the state: kinds/cf_kind.c). All zero: none (the packet path pays one test). */
typedef struct iof__cf_hooks {
    size_t ext_size;
    uint32_t nhot;   /* stretches of each half that every record writes (flow/table.h cfg.hot) */
    iof__ftab_span hot[IOF_FTAB_MAX_HOT / 2];
    void (*created)(void *ctx, void *ext, bool zeroed);
    void (*packet)(void *ctx, void *ext, const iof__pkt *p);
    /* once per direction when the record ends, before it is emitted (NULL: nothing to do):
     * what a module reads only at a later packet (tls: the handshake at its ChangeCipherSpec) is
     * read from what the record holds */
    void (*finished)(void *ctx, void *ext);
    void *ctx;
} iof__cf_hooks;

typedef struct iof__cf_config {
    int64_t window_ns;
    uint32_t packets;       /* i */
    uint32_t payload;       /* j */
    uint64_t max_flows;
    uint64_t max_bytes;     /* bound on iof__cflow_live_bytes (0: none) */
    unsigned variants;      /* IOF_VARIANT_* bits */
    uint64_t hash_seed;
    iof__cf_hooks hooks;    /* --features: all zero for none */
    bool helpers;           /* helper threads allowed (not --threads 1): the table makes its
                               slabs ahead on one when the hooks have hot stretches
                               (flow/table.h slab_ahead) */
    bool count_payload_only; /* nothing reads the records' payload bytes (a run that writes no
                                records: -f joy alone, only its statistics read them): each
                                record's buffer is counted as if held (the same live bytes,
                                evictions and payload_bytes_kept) but neither allocated nor
                                filled, r->pay stays NULL */
} iof__cf_config;

typedef struct iof__cf_stats {
    uint64_t records_created[IOF_VAR__COUNT];
    uint64_t records_emitted[IOF_VAR__COUNT];
    uint64_t records_evicted[IOF_VAR__COUNT];
    uint64_t records_evicted_memory; /* of those: for max_bytes (the rest for max_flows) */
    uint64_t live_records;      /* now */
    uint64_t peak_live_records;
    uint64_t pkt_before_first;  /* packets older than their record's first_seen (offset 0) */
    uint64_t records_closed_waiting; /* records a packet of their key, inside their window,
                                        found closed by the clock while they waited behind an
                                        older open record (only with backward timestamps): the
                                        packet started a new record */
    uint64_t payload_bytes_kept;
    uint64_t peak_live_bytes;   /* largest iof__cflow_live_bytes after a packet */
} iof__cf_stats;

/* Called for each finished record; the record is recycled when the callback returns, so the
 * callback may stamp it (names_horizon) before passing it on. A non-zero return (an output
 * error) is remembered and returned by later calls. */
typedef int (*iof__cf_emit_fn)(void *ctx, iof__cfrec *rec);

typedef struct iof__cflow iof__cflow;

/* Why r ended (r->end, set when it was emitted), in the words every output shares. */
iof__end_reason iof__cf_end_reason(const iof__cfrec *r);

int iof__cflow_create(iof__cflow **out, const iof__cf_config *cfg, iof__cf_emit_fn emit, void *ctx);
void iof__cflow_destroy(iof__cflow *t);
/* Adds one packet seen through its views (1 or 2). Returns 0 or the emitter's error. */
int iof__cflow_packet(iof__cflow *t, const iof__pkt *pkt, const iof__view *views, int nviews);
/* Same, and until_ns[v] = the time before which no packet with the same view can start a
 * record (the end of the window of the record view v went into; the earliest over the variants
 * it feeds). A caller that knows its next packets repeat a view may leave them out until then:
 * every record is created exactly as with all packets (only its counts and slots miss them),
 * unless --max-flows evicts records. */
int iof__cflow_packet_until(iof__cflow *t, const iof__pkt *pkt, const iof__view *views, int nviews,
                            int64_t *until_ns);
/* A sharded run's worker sees only its share of the packets; seq is made of the packet's ordinal
 * among all packets fed to the run (docs/ARCHITECTURE.md, "Defined output order"). This sets the
 * ordinal of the next packet fed (>= the number counted so far, else IOF_E_INVAL). */
int iof__cflow_set_ordinal(iof__cflow *t, uint64_t next_ordinal);
/* seq of the oldest live record (UINT64_MAX: none): a sharded run's low-water mark. */
uint64_t iof__cflow_oldest_seq(const iof__cflow *t);
/* Emits the oldest live record early, flagged evicted (a sharded run whose merge holds too
 * many records behind it: the single table's --max-flows eviction of the same record). */
int iof__cflow_evict_oldest(iof__cflow *t);
/* Moves the packet-time clock forward: emits every record whose window has closed. */
int iof__cflow_advance(iof__cflow *t, int64_t clock_ns);
/* Emits every live record (end of input or shutdown) in creation order (ascending seq). */
int iof__cflow_flush(iof__cflow *t, iof__cf_end reason);
void iof__cflow_get_stats(const iof__cflow *t, iof__cf_stats *st);
/* Bytes of memory held (records, slot arrays, payload buffers, buckets). */
uint64_t iof__cflow_memory(const iof__cflow *t);
/* Bytes the live records need: their slab entries, the buckets, and the payload buffers (those
 * of live records and the small ones recycled records keep for reuse, <= 64 bytes each).
 * What max_bytes bounds: slabs are never given back, so the memory held stays below the
 * largest value this took plus one slab and the records' free list. */
uint64_t iof__cflow_live_bytes(const iof__cflow *t);

#endif
