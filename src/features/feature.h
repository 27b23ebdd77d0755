/* Feature modules (docs/JOY.md "Feature modules", docs/ARCHITECTURE.md "src/features"): small
 * per-direction units that a flow policy feeds with each packet's data bytes and that write
 * their result into a flow's output.
 *
 * - A module's state is one fixed-size block per record (one direction of a flow) in the flow
 *   table's extension area (flow/table.h): its size is known when the table is created, and
 *   nothing is allocated per packet or per flow. Its leading `clean` bytes are zeroed when a
 *   record is created (zero is every module's initial state: iof__featset_init_state); a
 *   module may end its state with buffers it only reads where it wrote (texts, lists, Joy's
 *   kept messages, the TLS handshake bytes), left out of that zeroing.
 *   Why: every record's whole state (~30 KB for Joy, ~11 KB a direction for --features all)
 *   used to be zeroed for records that mostly never use those buffers (bench/README.md,
 *   "--features all on dense").
 * - A custom-flow record's copy (the sort batch's, the shard rings': kinds/cf_kind.c) carries
 *   each direction's state packed: per module its clean part, then the stretches past it that
 *   its `used` hook names from the clean part's counts and lengths (texts by length, lists by
 *   count) — ~2 KB a direction on dense instead of 7.3 KB (bench/README.md, "Packed feature
 *   state"). The module is the one owner of that description: iof__featset_pack/_unpack are
 *   generic.
 * - A module sees a packet through iof__feat_pkt: the bytes its policy calls "data" (for Joy:
 *   what its parsers call the payload, or the whole transport segment on its "IP" path) as a
 *   slice already bounded by the captured frame (common/rd.h made it), and the IP packet.
 * - Writers: joy_json writes the module's keys of a Joy flow object in Joy's order, from the
 *   "out" and "in" states (in is NULL for a one-way flow); Joy writes them at fixed places of
 *   its object (iof__feat_joy_slot).
 * - Custom-flow columns: `cols` (NULL: none) declares the module's columns of the --features
 *   column group of custom-flow records and reads a cell from the record's two states
 *   (features/cffeat.h glues them to the custom-flow policy and row).
 *
 * The registry (registry.c) lists the modules in Joy's print order; a feature set is the
 * modules an output enables (iof__feat_opts), in that order, each with its offset in the
 * extension area. The layout is registry.c's alone: the states that are all clean first, then
 * the others by the size of their tails (smallest first), so a new record's clean parts are on
 * few pages; the flow table maps those pages when it allocates a slab (iof__featset_hot ->
 * flow/table.h cfg.hot) and a fresh slab entry is not zeroed again (flow/table.h
 * iof__ftab_fresh). A state's tail still follows its clean part: a split into a clean block and a
 * tail block per direction (one page of clean parts) would need every module's tail reached
 * through an offset (bench/README.md, "Fresh slab entries").
 */
#ifndef IOF_FEATURES_FEATURE_H
#define IOF_FEATURES_FEATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/schema.h"
#include "decode/decode.h"
#include "flow/table.h"
#include "output/textbuf.h"

#define IOF_FEAT_MAX_IDP 1500     /* Joy's MAX_IDP: idp=N accepts 0..1500 */
#define IOF_FEAT_MAX_HD 32        /* Joy's HDR_DSC_LEN: hd=N accepts 0..32 */
#define IOF_FEAT_PAYLOAD_LEN 32   /* Joy's JOY_PAYLOAD_LEN: payload keeps 32 bytes, whatever N */
#define IOF_FEAT_MAX_MODULES 16   /* registry entries: a bound for the feature set's arrays */
#define IOF_FEAT_TCP_OPT_LEN 24   /* Joy's TCP_OPT_LEN: option bytes kept per SYN / ppi entry */
#define IOF_JOY_DNS_PKTS 50        /* Joy's NUM_PKT_LEN: DNS messages kept per record (its
                                      MAX_NUM_DNS_PKT, 200, only bounds its arrays) */
#define IOF_JOY_DNS_ARENA 4096     /* bytes of kept DNS messages (as printed) per record (ours:
                                      Joy allocates; a query takes about 50, a response with a
                                      CNAME and 4 addresses about 250) */
#define IOF_JOY_DHCP_MSGS 16       /* Joy's MAX_DHCP_LEN: DHCP messages kept per record */
#define IOF_JOY_DHCP_OPTS 16       /* Joy's MAX_DHCP_OPTIONS: options kept per message */
#define IOF_JOY_DHCP_OPT_BYTES 512 /* Joy's MAX_DHCP_OPTIONS_LEN: no option starts past it */
#define IOF_JOY_DHCP_ARENA 2048    /* bytes of kept DHCP messages per record (ours: Joy
                                      allocates; 16 typical messages take about 1.6 KB) */
#define IOF_JOY_HTTP_MSGS 15       /* Joy's HTTP_MAX_MESSAGES - 1: HTTP messages kept per record
                                      (its test is num_messages >= 16 - 1) */
#define IOF_JOY_HTTP_ARENA 8192    /* bytes of kept HTTP messages (as printed) per record (ours:
                                      Joy allocates; a printed head takes about 1.1 times its
                                      bytes plus 60, and one of Joy's 2,032-byte window always
                                      fits) */
#define IOF_FEAT_SPLT_PKTS 50      /* splt: data packets kept per record (Joy's NUM_PKT_LEN) */
#define IOF_CF_IDP_BYTES 256       /* custom-flow idp: bytes kept of each direction's initial data
                                      packet (Joy's idp=N, fixed: an IPv4/TCP header with options
                                      and ~200 bytes of data, 8 times payload's 32; --idp stays
                                      -f joy's) */
#define IOF_CF_HD_BYTES 16         /* custom-flow hd: data bytes described (Joy's hd=N, fixed: a
                                      TLS record + handshake header, an MQTT fixed header, an HTTP
                                      method and the start of its target; a segment shorter than
                                      this is not described, so not Joy's maximum, 32) */

/* Which modules are on, and their options (Joy's config keys of the same names). */
typedef struct iof__feat_opts {
    bool dist;        /* byte_dist[], byte_dist_mean, byte_dist_std */
    bool entropy;     /* entropy, total_entropy */
    bool wht;         /* wht[4] */
    bool payload;     /* payload{out,in} */
    bool ppi;         /* ppi[]: per-packet TCP information */
    bool dns;         /* dns[]: DNS messages (the in side's in a pair) */
    bool tls;         /* tls{}: TLS hellos and record lengths/times */
    bool dhcp;        /* dhcp[]: DHCP messages (the out side's) */
    bool http;        /* http[]: HTTP/1.x message heads, both sides paired by index */
    uint32_t hd;      /* hd{}: header description of the first hd data bytes (0: off) */
    uint32_t idp;     /* idp_*: the first idp bytes of the initial data packet (0: off) */
    bool splt;        /* custom-flow splt_*: the first data packets' lengths and times (Joy
                         writes its packets[] itself: no Joy output) */
    bool anonymise;   /* cols_only: the anonymisation rule (flow/attrib.h) on the addresses the
                         columns write: dns_addrs, dns_qname, http_host, http_uri, tls_sni */
    bool cols_only;   /* custom-flow columns only (features/cffeat.c): dns, dhcp and http keep
                         their column summaries, not Joy's rendered messages (no arena) */
} iof__feat_opts;

/* One packet of one direction, as a module sees it. */
typedef struct iof__feat_pkt {
    const iof__pkt *pkt;
    const uint8_t *data;   /* the data bytes: a bounded slice of the captured frame */
    uint32_t len;          /* their number */
    uint32_t wire_len;     /* the data's length from the IP length (len: the captured part) */
    const uint8_t *ip;     /* the IP packet from its header: a bounded slice ... */
    uint32_t ip_len;       /* ... of min(IP length, captured bytes from the IP header) */
    uint32_t data_pkts;    /* the direction's packets with data so far, this one included
                              (saturating at 255): 0 until its first data packet */
    bool tcp;              /* the packet went through Joy's TCP parser (not its "IP" path: a
                              retransmission or a malformed header) */
    int64_t ts_us;         /* the packet's time, µs */
    uint8_t key_proto;     /* the record's key as Joy has it (a later fragment: protocol 0, */
    uint16_t key_sp, key_dp; /* ports 0): Joy's modules filter on it */
    bool app_tls;          /* Joy identified the record's application as TLS (app 443: its
                              ClientHello / ServerHello keyword) */
    bool app_dns;          /* Joy identified the record's application as DNS (app 53: its
                              UDP keyword, a standard query with one question) */
    bool app_http;         /* Joy identified the record's application as HTTP (app 80: its
                              TCP keywords "GET ", ..., "HTTP/1.1 ") */
    const uint8_t *tcp_opts;  /* tcp: the option bytes, a bounded slice (captured part) ... */
    uint32_t tcp_opts_len;    /* ... of this many; pkt->l4_hlen - 20 is what the header says */
} iof__feat_pkt;

/* Where Joy writes a module's keys (p2f.c flow_record_print_json). */
typedef enum iof__feat_joy_slot {
    IOF_FEAT_JOY_AFTER_PACKETS = 0,  /* after packets[], before ip: byte_dist, entropy */
    IOF_FEAT_JOY_MODULES,            /* after ip and tcp: Joy's feature list (wht ... payload) */
    IOF_FEAT_JOY_HD,                 /* after the modules (and exe): hd */
    IOF_FEAT_JOY_IDP,                /* after hd (and probable_os), before debug: idp_* */
    IOF_FEAT_JOY_SLOTS
} iof__feat_joy_slot;

/* A module's columns in custom-flow records (--features). Each column carries the module's own
 * column id (< IOF_FEAT_COL_IDS) in the low bits of its index; the caller adds base (its
 * encoding of where the module's state is) and gives field. Cells are made from the states of
 * both directions when the row is read (in NULL: a one-way record). */
#define IOF_FEAT_COL_IDS 4096u
typedef struct iof__feat_cols {
    int (*declare)(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base);
    void (*get)(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v);
    uint32_t (*count)(const void *out, const void *in, uint32_t id);   /* list columns' length */
    /* Whether the record's cells lost something to one of the columns' caps (a list or a text
     * cut, a buffer full): counted per group in the run's statistics (features_cut), so nothing
     * is left out silently. NULL: the group's cells never lose anything (a cap that is the
     * column's definition, as splt's first 50 packets, is no loss). */
    bool (*cut)(const void *out, const void *in);
    /* Optional (NULL: get alone): the cells of scalar integer columns id, id + 1, ... id + n - 1
     * (ids that follow each other) at once, as get gives them: v[k] (0 for a null) and has[k] (0:
     * null); returns how many from id it filled (0: none), so a module merges its two directions'
     * lists once for a row's 50 cells, not once a cell (iof__schema's i64_span) */
    uint32_t (*span)(const void *out, const void *in, uint32_t id, uint32_t n, int64_t *v, uint8_t *has);
} iof__feat_cols;
/* `count` of a module without list columns (0) */
uint32_t iof__feat_no_lists(const void *out, const void *in, uint32_t id);

/* A stretch of a module's state: offset and bytes (the `used` hook). */
typedef struct iof__feat_span {
    uint32_t off, len;
} iof__feat_span;
#define IOF_FEAT_MAX_SPANS 8
/* member `field` of state type `type`, its first n bytes */
#define IOF_FEAT_SPAN(type, field, n) ((iof__feat_span){ (uint32_t)offsetof(type, field), (uint32_t)(n) })

typedef struct iof__feature {
    const char *name;
    uint8_t joy_slot;                                  /* iof__feat_joy_slot */
    bool (*enabled)(const iof__feat_opts *o);
    size_t state_bytes;                                /* per-record state size ... */
    size_t (*state_size)(const iof__feat_opts *o);     /* ... or, when it depends on the
                                                          options, this (fixed for a run) */
    /* The state's leading bytes that start zeroed; the rest holds buffers (texts, lists, kept
     * messages) the module reads only where it wrote them (or zeroes itself before their first
     * use), never zeroed by the set (NULL: the whole state). Debug builds fill that rest with
     * IOF_FEAT_POISON at creation, so a read of bytes never written shows up in the tests'
     * outputs. */
    size_t (*clean_size)(const iof__feat_opts *o);
    /* Custom-flow records (cols_only): the stretches of the state past its clean part that the
     * columns read (sp[0 .. return value), each inside the state), computed from the clean part
     * alone (its counts and lengths), so that a packed copy (the clean part, then these bytes)
     * can be unpacked from its clean part (NULL: the columns read the clean part only). */
    uint32_t (*used)(const void *st, const iof__feat_opts *o, iof__feat_span sp[IOF_FEAT_MAX_SPANS]);
    /* state starts zeroed (its clean part); init may set more (NULL: nothing to do) */
    void (*init)(void *st, const iof__feat_opts *o);
    /* one packet of the direction. A packet that changes nothing should be told from fp alone,
     * before st is read: a record's states are cold when its packet comes (dense: ~14 k live
     * records), and each module's first read of its own waits for memory (tls_update's first
     * load was ~60 % of its samples; bench/README.md, "No-data packets") */
    void (*update)(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o);
    /* Whether update leaves the state as it is for this packet, told from fp alone (update
     * itself begins with this test). A module with the hook promises that a state no packet
     * reached (idle for all of them) writes no Joy keys and loses nothing: the set then skips
     * its joy_json and its cut without reading the state, cold by the time a record is written
     * (dense `-f joy`: the first loads of tls_cut, http_cut and dns_cut were 8.6 % of the run's
     * samples, and moved to the *_json functions when the count was left out). NULL: every
     * packet may change the state. */
    bool (*idle)(const iof__feat_pkt *fp, const iof__feat_opts *o);
    /* before the flow is written (NULL: nothing to do) */
    void (*finish)(void *st, const iof__feat_opts *o);
    void (*joy_json)(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o); /* NULL: none */
    const iof__feat_cols *cols;                        /* NULL: no custom-flow columns */
    /* Whether what joy_json writes for the flow (out, in: as there) lost something to a bound (a
     * message its arena could not keep, a packet its buffer refused): counted per flow and module
     * in the run's statistics, so nothing is left out silently (NULL: the module never loses
     * anything) */
    bool (*cut)(const void *out, const void *in);
} iof__feature;

/* The registry, in Joy's print order. */
extern const iof__feature iof__feat_byte_dist, iof__feat_wht, iof__feat_dns, iof__feat_tls, iof__feat_dhcp,
    iof__feat_http, iof__feat_payload, iof__feat_ppi, iof__feat_hd, iof__feat_idp, iof__feat_splt;
const iof__feature *const *iof__feat_registry(size_t *n);
/* m's index in the registry (where per-module counters keep it); m must be registered */
size_t iof__feat_index(const iof__feature *m);

/* The modules an output enables, with their places in the extension area. */
typedef struct iof__featset {
    iof__feat_opts opts;
    uint32_t n;
    const iof__feature *mod[IOF_FEAT_MAX_MODULES];
    size_t off[IOF_FEAT_MAX_MODULES];
    size_t clean[IOF_FEAT_MAX_MODULES];   /* each state's clean bytes (clean_size) */
    size_t size[IOF_FEAT_MAX_MODULES];    /* each state's bytes */
    size_t ext_size;      /* extension bytes per record (0: no module on) */
} iof__featset;

/* Fills s from o (IOF_E_INVAL when an option is out of range). */
int iof__featset_init(iof__featset *s, const iof__feat_opts *o);
#define IOF_FEAT_POISON 0xa5   /* debug builds: the unzeroed buffers' bytes at creation */

/* A new record's state: each module's clean part zeroed (zeroed: ext is all zero bytes already,
 * a fresh slab entry, so only debug builds write, their poison), then its init. lazy: the
 * modules with an idle hook are left as they are; iof__featset_update begins each one's state
 * at the first packet that reaches it (a record that keeps seen bits: a module no packet
 * reached is never read, see iof__featset_update). */
void iof__featset_init_state(const iof__featset *s, void *ext, bool zeroed, bool lazy);
/* The clean parts, as stretches of a record's extension area at base (what every new record
 * writes: the flow table maps their pages when it allocates a slab, flow/table.h cfg.hot);
 * returns their number (at most s->n). lazy (states begun lazily, as init_state's): the
 * modules with an idle hook are left out, their pages mapped by the first record that reaches
 * them. Why: dense `-f joy` mapped 265 MB for 287 MB of peak RSS, most of it the four lazy
 * states' pages (their 8-104 clean bytes each on a page of its own); without them peak RSS
 * 217 MB and wall 0.96x (bench/README.md "The application map's lock"). */
uint32_t iof__featset_hot(const iof__featset *s, size_t base, bool lazy, iof__ftab_span sp[IOF_FEAT_MAX_MODULES]);
/* One packet into a direction's states. seen: the modules with an idle hook that earlier
 * packets reached (bit i: s->mod[i]); returns them with the ones this packet reached (the
 * modules without the hook have no bit: they are never skipped). A module with an idle hook whose bit is clear has not begun: its
 * state is begun (as iof__featset_init_state) before its first update, so a record whose
 * states were created lazy never touches a module no packet reached. The record keeps its
 * direction's bits where it is hot (Joy: iof__joyrec.feat_seen) for finish, joy_json and
 * count_cuts, which skip such a module. IOF_FEAT_SEEN_ALL: every state begun (init_state
 * without lazy), nothing skipped. */
uint32_t iof__featset_update(const iof__featset *s, void *ext, const iof__feat_pkt *fp, uint32_t seen);
#define IOF_FEAT_SEEN_ALL UINT32_MAX
/* A flag in seen bits, no module's: the area was all zero bytes at creation (init_state's
 * zeroed), so a state that begins need not be zeroed. Dense `-f joy`: zeroing the states of a
 * fresh slab entry at their first packet took memset from 2.8 % to 6.4 % of the run. */
#define IOF_FEAT_SEEN_ZEROED (1u << 31)
_Static_assert(IOF_FEAT_MAX_MODULES < 32, "a module's seen bit is below IOF_FEAT_SEEN_ZEROED");
/* Begins the states of the modules in want that seen has not (a pair's direction whose twin's
 * packets reached a module its own did not: the pair's modules read both states). */
void iof__featset_begin(const iof__featset *s, void *ext, uint32_t seen, uint32_t want);
/* The modules' finish hooks (seen: as iof__featset_joy_json's) */
void iof__featset_finish(const iof__featset *s, void *ext, uint32_t seen);
/* The keys of every enabled module of a slot, out/in being the two directions' extension
 * areas (in NULL for a one-way flow); seen: the seen bits of both directions (a module with an
 * idle hook whose bit is clear is skipped: it has nothing to write). */
void iof__featset_joy_json(const iof__featset *s, iof__feat_joy_slot slot, iof__tbuf *b,
                           const void *out, const void *in, uint32_t seen);
/* For each enabled module whose `cut` says the flow's output lost something, adds 1 to
 * cuts[its registry index] (out/in, seen as above). */
void iof__featset_count_cuts(const iof__featset *s, const void *out, const void *in, uint32_t seen,
                             uint64_t cuts[IOF_FEAT_MAX_MODULES]);
/* The same with the custom-flow columns' `cut` hooks (cols->cut): iof__cffeat_count_cuts */
void iof__featset_count_col_cuts(const iof__featset *s, const void *out, const void *in,
                                 uint64_t cuts[IOF_FEAT_MAX_MODULES]);
/* Those modules' registry indexes as bits (bit i: registry index i), for a packed copy to carry */
uint32_t iof__featset_col_cut_bits(const iof__featset *s, const void *out, const void *in);

/* One direction's state (ext, custom-flow columns: cols_only) packed: each module's clean part,
 * then the stretches its `used` hook names. The bytes it takes; and the packing into dst
 * (returns the byte after it). */
size_t iof__featset_pack_size(const iof__featset *s, const void *ext);
unsigned char *iof__featset_pack(const iof__featset *s, unsigned char *dst, const void *ext);
/* The packed state at src back into ext (ext_size bytes) as the columns read it: the bytes no
 * stretch names are left as they were (debug builds: IOF_FEAT_POISON). Returns the byte after
 * the packed state. */
const unsigned char *iof__featset_unpack(const iof__featset *s, void *ext, const unsigned char *src);

/* The merge by time of a record's two directions' kept entries (splt, ppi's columns): whether
 * the next entry is the in side's, given whether each side has one left and their times — a tie
 * takes the in side first, as Joy's merge. */
static inline bool iof__feat_in_next(bool out_left, int64_t t_out, bool in_left, int64_t t_in)
{
    return in_left && (!out_left || t_in <= t_out);
}

/* The captured part of [off, off + len) of p's frame, as a slice the modules may index (*n its
 * length; NULL and 0 when off is past the captured bytes). */
const uint8_t *iof__feat_slice(const iof__pkt *p, uint32_t off, uint32_t len, uint32_t *n);

/* Shared writer helper: ",\"key\":\"<hex>\"" (Joy's zprintf_raw_as_hex after a key); key
 * NULL writes the quoted hex alone. */
void iof__feat_put_hex(iof__tbuf *b, const char *key, const uint8_t *p, size_t n);
/* Whole milliseconds of a µs difference, floored (negative stays negative); Joy's
 * milliseconds (iof__joy_ms: joy_timeval_to_milliseconds of a normalised timeval) are the
 * same as a 32-bit unsigned (a negative difference wraps, as in Joy's output). */
static inline int64_t iof__floor_ms(int64_t diff_us)
{
    int64_t q = diff_us / 1000;
    return diff_us % 1000 < 0 ? q - 1 : q;
}
static inline uint32_t iof__joy_ms(int64_t diff_us) { return (uint32_t)iof__floor_ms(diff_us); }
/* Joy's ",\"opts\":[...]" of TCP option bytes (the first min(len, 24)): f_ppi.c. */
void iof__feat_tcp_opts_json(iof__tbuf *b, const uint8_t *opts, uint32_t len);
/* Joy's letters of TCP flags ("FSRPAUEC", bit 0 first, set bits only): f_ppi.c. */
void iof__feat_tcp_flags(iof__tbuf *b, uint8_t flags);

#endif
