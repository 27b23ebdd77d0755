/* The compiled form of a rule set, shared by the parser (rules_parse.c), the value helpers
 * (rules_value.c) and the evaluator (rules_eval.c). Everything lives in a few flat arrays
 * addressed by index, so a rule set is a handful of allocations and evaluation allocates
 * nothing. */
#ifndef IOF_LABELS_RULES_INT_H
#define IOF_LABELS_RULES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "labels/rules.h"

#define IOF_RULES_NONE UINT32_MAX /* no string / no condition */
/* Caps of the compiled arrays (the inputs bound them already: at most IOF_RULES_MAX_FILES files
 * of IOF_RULES_MAX_FILE_BYTES; these keep every iof__grow call named). */
#define IOF_RULES_MAX_POOL (256u << 20)  /* string bytes */
#define IOF_RULES_MAX_ITEMS (16u << 20)  /* nodes, children, values */

/* Attributes a test reads. */
typedef enum rl_attr {
    RA_PROTO, RA_IPVER, RA_FIRST_DIR, RA_TTL_OUT, RA_TTL_IN, RA_TIME_FIRST, RA_TIME_LAST,
    RA_SPORT, RA_DPORT, RA_DEVPORT, RA_REMPORT, RA_PORT,     /* ports (RA_PORT: either side) */
    RA_SRC, RA_DST, RA_DEVADDR, RA_REMADDR, RA_ADDR,         /* addresses (RA_ADDR: either) */
    RA_DEVNAME, RA_DEVTYPE, RA_SNI, RA_APP, RA_DNS,          /* strings (RA_DNS: a list) */
    RA__COUNT
} rl_attr;

typedef enum rl_nkind {
    RN_AND, RN_OR,  /* children kids[off .. off+n) */
    RN_NOT,         /* child off */
    RN_RANGE,       /* attr in one of vals[off .. off+n) (lo..hi) */
    RN_ADDR,        /* address attr matches one of vals[off .. off+n) */
    RN_STR,         /* string attr matches one of vals[off .. off+n) */
    RN_PORTEQ,      /* port attr == port attr2 */
    RN_HAS,         /* attribute present (never unknown) */
} rl_nkind;

typedef struct rl_node {
    uint8_t kind;   /* rl_nkind */
    uint8_t attr;   /* rl_attr (tests) */
    uint8_t attr2;  /* RN_PORTEQ: the other port */
    uint8_t neg;    /* tests: != / not in */
    uint32_t off, n;
} rl_node;

typedef enum rl_vkind {
    RV_RANGE,   /* lo..hi inclusive */
    RV_NET,     /* ver, ip/plen */
    RV_CLASS,   /* cls */
    RV_PREFIX,  /* text prefix (s_off, s_len), address text form or string */
    RV_GLOB,    /* glob pattern (s_off, s_len), `*` and `?` */
} rl_vkind;

typedef enum rl_class { RC_MULTICAST, RC_BROADCAST, RC_PRIVATE, RC_LOOPBACK, RC_LINKLOCAL } rl_class;

typedef struct rl_val {
    uint8_t kind; /* rl_vkind */
    uint8_t ver;  /* RV_NET: 4 or 6 */
    uint8_t plen; /* RV_NET */
    uint8_t cls;  /* RV_CLASS */
    uint32_t s_off, s_len;
    int64_t lo, hi;
    uint8_t ip[16];
} rl_val;

typedef struct rl_rule {
    uint32_t key;
    uint32_t value;   /* pool offset */
    uint32_t prov;    /* pool offset: name, or "file:line" */
    uint32_t where;   /* pool offset: "file:line" (warnings) */
    uint32_t cond;    /* root node, or IOF_RULES_NONE (unconditional) */
    uint64_t mask;    /* bloom mask of the top-level conjunction's terms (shadow check) */
} rl_rule;

typedef struct rl_key {
    uint32_t name;    /* pool offset */
    uint32_t def;     /* pool offset or IOF_RULES_NONE */
    uint32_t missing; /* pool offset or IOF_RULES_NONE */
    uint32_t where;   /* pool offset: where it first appeared, "file:line" (warnings) */
    uint32_t at;      /* pool offset: the same with the column, "file:line:col" (messages about
                         the key's name: iof__rules_key_where) */
    bool declared;
    uint32_t first, n; /* its rules: order[first .. first+n) (after the load) */
} rl_key;

struct iof__ruleset {
    char *pool;   /* every string, NUL-terminated */
    size_t pool_n, pool_cap;
    rl_node *nodes;
    size_t n_nodes, nodes_cap;
    uint32_t *kids;
    size_t n_kids, kids_cap;
    rl_val *vals;
    size_t n_vals, vals_cap;
    rl_rule *rules;
    size_t n_rules, rules_cap;
    uint32_t *order; /* rule indices grouped by key, file order within a key */
    rl_key keys[IOF_RULES_MAX_KEYS];
    size_t n_keys;
    uint32_t warn[IOF_RULES_MAX_WARNINGS]; /* pool offsets */
    size_t n_warn, n_warn_all;
};

/* rules_value.c */
/* "YYYY-MM-DDTHH:MM[:SS[.fraction]]" + "Z" | "+HH:MM" | "-HH:MM" | "+HHMM" (a space may stand
 * for T) -> ns since the epoch. False if malformed or out of range (years 1970..2261: int64 ns). */
bool iof__rules_parse_time(const char *s, size_t n, int64_t *ns);
/* Glob match, ASCII case-insensitive: `*` any run, `?` one byte. */
bool iof__rules_glob(const char *pat, size_t pn, const char *s);
/* Address class membership (rl_class). */
bool iof__rules_addr_class(int cls, uint8_t ver, const uint8_t ip[16]);
/* ip/plen prefix match */
bool iof__rules_addr_in(const uint8_t ip[16], const uint8_t net[16], unsigned plen);

/* rules_eval.c: post-load checks (grouping by key, shadow and default warnings). */
int iof__rules_finish(iof__ruleset *rs);
int iof__rules_warn(iof__ruleset *rs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int iof__rules_pool_add(iof__ruleset *rs, const char *s, size_t n, uint32_t *off);

#endif
