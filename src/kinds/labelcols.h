/* The label column group (--rules, docs/LABELS.md): for each output key K of the run's
 * labeller, a column K (the value; null when no rule matched and K has no default) and K_rule
 * (its provenance: the rule's name or file:line, "default"; null with the value). One group any
 * record kind adds to its schema; its accessor reads an iof__lbl_row at the group's row_off in
 * the kind's row, which the kind's row builder fills with iof__lbl_row_fill.
 *
 * Labels are computed when a row is built, from the record, the inventory, the rules and the
 * run's name maps up to the record's horizon (append-only: flow/dnsmap.h): a pure function of
 * what the record carries, so the copies a Parquet batch holds need no room for them, every
 * output format and thread count of a run gets the same labels, and relabelling a written
 * dataset gives them again (rules on the name maps are refused there). */
#ifndef IOF_KINDS_LABELCOLS_H
#define IOF_KINDS_LABELCOLS_H

#include <stdbool.h>

#include "common/schema.h"
#include "flow/dnsmap.h"
#include "flow/appmap.h"
#include "flow/snimap.h"
#include "flow/inventory.h"
#include "labels/labeller.h"

#define IOF_LBL_RULE_SUFFIX "_rule"
/* Longest key: K and K_rule must fit a column name (IOF_MAX_COLNAME - 1 bytes). */
#define IOF_LBL_MAX_KEY_LEN (IOF_MAX_COLNAME - 1 - (int)(sizeof(IOF_LBL_RULE_SUFFIX) - 1))

/* The column of key `key`: K itself, or (rule) K_rule, its provenance. */
void iof__lbl_col_name(char out[IOF_MAX_COLNAME], const char *key, bool rule);
/* Whether column r (rn bytes) is the provenance column of column k (kn bytes): r = k + "_rule"
 * (readers of written rows find an older run's labels by it). */
bool iof__lbl_is_rule_of(const char *k, size_t kn, const char *r, size_t rn);

typedef struct iof__lbl_row {
    const iof__labeller *lb; /* NULL: no labels (the group declares no columns) */
    iof__lbl_result res[IOF_RULES_MAX_KEYS];
} iof__lbl_row;

/* Adds 2 columns per key of lb (none when lb is NULL). IOF_E_INVAL with err set when a column
 * would have the name of a column already in s or a key is longer than IOF_LBL_MAX_KEY_LEN. */
int iof__lbl_declare(iof__schema *s, const iof__labeller *lb);
/* Says why iof__lbl_declare would refuse lb for schema s (0: it would not). */
int iof__lbl_check(const iof__schema *s, const iof__labeller *lb, char *err, size_t errlen);
/* Evaluates the rules for one record's attributes into row (nothing when row->lb is NULL). */
static inline void iof__lbl_row_fill(iof__lbl_row *row, const iof__lbl_attrs *a)
{
    if (row->lb)
        iof__labeller_eval(row->lb, a, row->res);
}
/* What every device-view record (custom flow, telemetry row) tells the rules: its key, the
 * direction of its first packet, its smallest TTL each way, its first and last packet and its
 * inventory entry. */
typedef struct iof__lbl_src {
    uint8_t ipver, proto;
    bool first_out;            /* the first packet went device -> remote */
    uint8_t ttl_seen;          /* bit 0: ttl_out valid, bit 1: ttl_in valid */
    uint8_t ttl_out, ttl_in;
    uint16_t dev_port, rem_port;
    const uint8_t *dev_ip, *rem_ip;
    int64_t first_ns, last_ns;
    const iof__device *dev;    /* may be NULL */
} iof__lbl_src;
/* Fills a (all of it) from s: ports for TCP and UDP only, TTLs where seen, device name and
 * type where the inventory has them. */
void iof__lbl_attrs_from(iof__lbl_attrs *a, const iof__lbl_src *s);
/* How a record kind's attributes meet the name maps (iof__lbl_attrs_names). */
enum iof__lbl_names_how {
    IOF_LBL_NAMES_US = 1u << 0,     /* first_ns / last_ns are µs truncated (Joy flows): a map's
                                       ns times inside that µs count as at or before */
    IOF_LBL_NAMES_EITHER = 1u << 1, /* no device side (Joy flows): `dns` = what either side
                                       resolved the other to, the device side's first */
};
/* The run's name maps, learnt from the capture (NULL: not kept, no rule reads them). */
typedef struct iof__namemaps {
    const iof__dnsmap *dns;
    const iof__snimap *sni;
    const iof__appmap *app;
} iof__namemaps;
/* The `dns` and `sni` attributes (docs/LABELS.md "DNS names", "TLS server names"), from a
 * record's horizon (flow/dnsmap.h): `dns` = the names the DNS map gives (device, remote) at or
 * before the first packet; `sni` = the server name of the TCP connection of the record's key
 * from a hello at or before its last packet; `app` = nDPI's answer for the connection of the
 * record's key (flow/appmap.h). A map that is kept but has nothing for the record
 * leaves the attribute missing (rules on it are unknown). Call after iof__lbl_attrs_from;
 * names may be NULL. */
void iof__lbl_attrs_names(iof__lbl_attrs *a, const iof__namemaps *names, uint64_t horizon, unsigned how);
/* The attributes of a record kind whose rows are built on the sink's helper thread
 * (custom-flow records, telemetry rows): iof__lbl_attrs_from(s), the names' dns and sni
 * (iof__lbl_attrs_names), and `app` as the record stores it (NULL: none) — names->app is not
 * read. The record's emitter, on the thread that feeds the maps, stores what
 * iof__lbl_app_of gives (the record's answer is final then: iof__appmap_settle). Why: the map's
 * writer adds a connection under its write lock every few packets, and the helper's lookups of
 * a whole sort batch made the two threads hand the lock back and forth: dense `--features l7`
 * took 2.7x the wall time of `--threads 1` (bench/README.md "The application map's lock"). */
void iof__lbl_attrs_stored(iof__lbl_attrs *a, const iof__lbl_src *s, const iof__namemaps *names, uint64_t horizon,
                           const char *app);
/* The `app` attribute of s from the map (NULL: none), as iof__lbl_attrs_names finds it. */
const char *iof__lbl_app_of(const iof__lbl_src *s, const iof__appmap *m, uint64_t horizon);
/* iof__colgroup.ops.get of the group. */
void iof__lbl_get(const void *lblrow, const iof__column *c, uint32_t k, iof__value *v);

#endif
