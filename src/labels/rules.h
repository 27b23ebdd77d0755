/* Label rules (--rules FILE, docs/LABELS.md): a rule file is parsed once into a compiled rule
 * set; each finished record is described by a plain attribute struct (iof__lbl_attrs, filled by
 * the caller from whatever record kind it has) and evaluated against every output key: first
 * matching rule wins, else the key's default.
 *
 * Conditions are three-valued (Kleene): a test on an attribute the record does not have
 * (TTL in a direction without packets, no inventory name, no DNS/SNI/app) is UNKNOWN; `and` is
 * the minimum, `or` the maximum, `not` swaps TRUE and FALSE. A rule whose condition is UNKNOWN
 * yields the key's `on-missing` value when the key has one (seed 001's "Flow Error"), else it is
 * skipped. Ports are never unknown: a flow without ports (not TCP/UDP) has none, and every port
 * comparison on it is false (`!=` true), as Joy's null sp/dp compare in the seed scripts.
 *
 * Untrusted text: every cap below is checked; a load either yields a complete rule set or an
 * error naming file:line:col (nothing partially loaded). No allocation per evaluation. */
#ifndef IOF_LABELS_RULES_H
#define IOF_LABELS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits (docs/LABELS.md "Limits") */
#define IOF_RULES_MAX_FILE_BYTES (1u << 20) /* one rule file (a hand-written file is a few KB) */
#define IOF_RULES_MAX_LINE 8192             /* bytes in a line (long address sets fit) */
#define IOF_RULES_MAX_STRING 256            /* bytes in a string or word (values, names, globs) */
#define IOF_RULES_MAX_RULES 4096            /* rules over all files (shadow check is pairwise) */
#define IOF_RULES_MAX_KEYS 64               /* output keys (each becomes 2 columns) */
#define IOF_RULES_MAX_DEPTH 32              /* nesting of parentheses and `not` in a condition */
#define IOF_RULES_MAX_NODES 1024            /* tests and operators in one rule's condition */
#define IOF_RULES_MAX_SET 1024              /* values in one `{...}` set */
#define IOF_RULES_MAX_INCLUDE_DEPTH 8       /* nested includes */
#define IOF_RULES_MAX_FILES 64              /* files read by one load (includes of includes) */
#define IOF_RULES_MAX_WARNINGS 64           /* warnings kept (the rest are counted) */
#define IOF_RULES_MAX_DNS 64                /* DNS names the evaluator looks at per record */
#define IOF_RULES_ERR_LEN 512               /* a good size for the caller's error buffer */

/* ---- what the evaluator reads ------------------------------------------------------------ */

enum iof__lbl_has {
    IOF_LBL_HAS_PORTS = 1u << 0,       /* dev_port/rem_port valid (TCP, UDP) */
    IOF_LBL_HAS_TTL_OUT = 1u << 1,     /* ttl_out valid (a packet device -> remote was seen) */
    IOF_LBL_HAS_TTL_IN = 1u << 2,      /* ttl_in valid (a packet remote -> device was seen) */
    IOF_LBL_HAS_DEVICE_NAME = 1u << 3, /* device_name valid (inventory) */
    IOF_LBL_HAS_DEVICE_TYPE = 1u << 4, /* device_type valid (inventory) */
    IOF_LBL_HAS_DNS = 1u << 5,         /* dns/n_dns valid (resolution of the remote known) */
    IOF_LBL_HAS_SNI = 1u << 6,         /* sni valid */
    IOF_LBL_HAS_APP = 1u << 7,         /* app valid (nDPI application name) */
};

enum iof__lbl_dir { IOF_LBL_OUTBOUND = 0, IOF_LBL_INBOUND = 1 };

/* One record as the rules see it. The caller fills it per record (memset 0, then the fields);
 * strings are NUL-terminated and borrowed for the duration of iof__rules_eval. */
typedef struct iof__lbl_attrs {
    uint32_t has;             /* IOF_LBL_HAS_* bits: which optional attributes are present */
    uint8_t proto;            /* IP protocol number (6 TCP, 17 UDP, 1 ICMP, ...) */
    uint8_t ipver;            /* 4 or 6 */
    uint8_t first_dir;        /* iof__lbl_dir of the first packet: OUTBOUND = device sent it,
                                 so src = device side; INBOUND: src = remote side */
    uint8_t ttl_out;          /* IP TTL / hop limit of device -> remote packets (HAS_TTL_OUT) */
    uint8_t ttl_in;           /* same, remote -> device (HAS_TTL_IN) */
    uint16_t dev_port;        /* device-side port (HAS_PORTS) */
    uint16_t rem_port;        /* remote-side port (HAS_PORTS) */
    uint8_t dev_ip[16];       /* device-side address; IPv4 in the first 4 bytes */
    uint8_t rem_ip[16];       /* remote-side address; IPv4 in the first 4 bytes */
    int64_t first_ns;         /* first packet, ns since the epoch (UTC) */
    int64_t last_ns;          /* last packet, ns since the epoch (UTC) */
    const char *device_name;  /* inventory name (HAS_DEVICE_NAME) */
    const char *device_type;  /* inventory type (HAS_DEVICE_TYPE) */
    const char *const *dns;   /* names the device resolved to rem_ip (HAS_DNS); the first
                                 IOF_RULES_MAX_DNS are looked at */
    size_t n_dns;
    const char *sni;          /* TLS server name (HAS_SNI) */
    const char *app;          /* nDPI application name (HAS_APP) */
    const char *dns_store[IOF_RULES_MAX_DNS]; /* room a filler may point dns at */
} iof__lbl_attrs;

/* ---- rule sets ---------------------------------------------------------------------------- */

typedef struct iof__ruleset iof__ruleset;

enum iof__rules_flags {
    IOF_RULES_NO_INCLUDE = 1u << 0, /* an `include` is an error (fuzzing, rules from a string) */
};

/* Loads a rule file; includes are read relative to the including file's folder.
 * Returns 0 and *out, or IOF_E_IO (a file cannot be read), IOF_E_INVAL (bad content: err says
 * file:line:col: what was expected and what was found), IOF_E_LIMIT (a cap: err says which),
 * IOF_E_NOMEM. On error *out is NULL. */
int iof__rules_load(const char *path, iof__ruleset **out, char *err, size_t errlen);
/* Same from memory; `name` is the file name used in messages, provenance and to resolve
 * includes (relative to its folder). */
int iof__rules_load_mem(const char *name, const char *text, size_t len, unsigned flags,
                        iof__ruleset **out, char *err, size_t errlen);
void iof__rules_free(iof__ruleset *rs);

/* Keys, in order of first appearance (key declaration or rule). */
size_t iof__rules_nkeys(const iof__ruleset *rs);
const char *iof__rules_key_name(const iof__ruleset *rs, size_t k);
long iof__rules_key_index(const iof__ruleset *rs, const char *name); /* -1 if none */
/* Where key k is declared ("file:line:col" of its name; without a declaration, of its first
 * rule's), for messages about its name */
const char *iof__rules_key_where(const iof__ruleset *rs, size_t k);
size_t iof__rules_nrules(const iof__ruleset *rs);
/* Rule i's name as label_rule columns write it (its name, or "file:line" when it has none) and
 * where it is ("file:line") */
const char *iof__rules_rule_name(const iof__ruleset *rs, size_t i);
const char *iof__rules_rule_where(const iof__ruleset *rs, size_t i);

/* Warnings found at load ("file:line: never matches: shadowed by rule at file:line",
 * "file:line: key "x" has no default"), at most IOF_RULES_MAX_WARNINGS kept;
 * iof__rules_nwarnings counts all of them. */
size_t iof__rules_nwarnings(const iof__ruleset *rs);
const char *iof__rules_warning(const iof__ruleset *rs, size_t i); /* NULL past the kept ones */

/* ---- evaluation --------------------------------------------------------------------------- */

typedef enum iof__lbl_how {
    IOF_LBL_NONE = 0, /* nothing matched and the key has no default: value NULL, rule NULL */
    IOF_LBL_DEFAULT,  /* the key's default: rule "default" */
    IOF_LBL_MATCH,    /* a rule's condition was true */
    IOF_LBL_MISSING,  /* a rule's condition was unknown: the key's on-missing value */
} iof__lbl_how;

typedef struct iof__lbl_result {
    const char *value; /* owned by the rule set */
    const char *rule;  /* provenance: the rule's name, or "file:line"; "default"; NULL */
    iof__lbl_how how;
} iof__lbl_result;

/* out[k] for every key k < iof__rules_nkeys(rs). No allocation, no error. */
void iof__rules_eval(const iof__ruleset *rs, const iof__lbl_attrs *a, iof__lbl_result *out);

/* ---- what a rule set reads ---------------------------------------------------------------- */

/* The attributes a condition can read (`iotflow label` checks that a written dataset carries
 * every one its rules read: docs/LABELS.md "Relabelling written outputs"). A `src`/`dst` test
 * reads both addresses (or both ports) and the first packet's direction; `has X` reads X. */
typedef enum iof__lbl_need {
    IOF_LBL_NEED_PROTO, IOF_LBL_NEED_IPVER, IOF_LBL_NEED_FIRST_DIR, IOF_LBL_NEED_PORTS,
    IOF_LBL_NEED_DEV_ADDR, IOF_LBL_NEED_REM_ADDR, IOF_LBL_NEED_TTL_OUT, IOF_LBL_NEED_TTL_IN,
    IOF_LBL_NEED_TIME_FIRST, IOF_LBL_NEED_TIME_LAST, IOF_LBL_NEED_DEVICE_NAME,
    IOF_LBL_NEED_DEVICE_TYPE, IOF_LBL_NEED_DNS, IOF_LBL_NEED_SNI, IOF_LBL_NEED_APP,
    IOF_LBL_NEED__COUNT
} iof__lbl_need;

/* The attribute's name as the rule grammar writes it ("ttl.in", "device.addr", ...). */
const char *iof__lbl_need_name(iof__lbl_need n);
/* where[n] = "file:line" of the first rule (in key order) that reads attribute n, or NULL when
 * no rule does. Strings owned by the rule set. */
void iof__rules_needs(const iof__ruleset *rs, const char *where[IOF_LBL_NEED__COUNT]);

#endif
