/* Label rules: evaluation (three-valued, no allocation), the checks run once a rule set is
 * loaded (rules grouped per key, shadowed rules, keys without a default), accessors. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "labels/rules_int.h"

enum { F = 0, U = 1, T = 2 }; /* Kleene: and = min, or = max, not = T - v */

typedef struct evctx {
    const iof__ruleset *rs;
    const iof__lbl_attrs *a;
    char text[2][48]; /* address text forms (device, remote), made on first use */
    bool have_text[2];
} evctx;

static bool outbound(const iof__lbl_attrs *a) { return a->first_dir != IOF_LBL_INBOUND; }

/* The side (0 device, 1 remote) an attribute reads; -1 = both (either-side attributes). */
static int side_of(const iof__lbl_attrs *a, uint8_t attr)
{
    switch (attr) {
    case RA_DEVPORT: case RA_DEVADDR: return 0;
    case RA_REMPORT: case RA_REMADDR: return 1;
    case RA_SPORT: case RA_SRC: return outbound(a) ? 0 : 1;
    case RA_DPORT: case RA_DST: return outbound(a) ? 1 : 0;
    default: return -1;
    }
}

static bool in_ranges(const rl_val *v, uint32_t n, int64_t x)
{
    for (uint32_t i = 0; i < n; i++)
        if (x >= v[i].lo && x <= v[i].hi)
            return true;
    return false;
}

static int ev_range(const evctx *c, const rl_node *nd)
{
    const iof__lbl_attrs *a = c->a;
    const rl_val *v = c->rs->vals + nd->off;
    int64_t x;
    switch (nd->attr) {
    case RA_PROTO: x = a->proto; break;
    case RA_IPVER: x = a->ipver; break;
    case RA_FIRST_DIR: x = a->first_dir; break;
    case RA_TIME_FIRST: x = a->first_ns; break;
    case RA_TIME_LAST: x = a->last_ns; break;
    case RA_TTL_OUT:
        if (!(a->has & IOF_LBL_HAS_TTL_OUT))
            return U;
        x = a->ttl_out;
        break;
    case RA_TTL_IN:
        if (!(a->has & IOF_LBL_HAS_TTL_IN))
            return U;
        x = a->ttl_in;
        break;
    default: { /* ports: none on a flow without ports (a known value that equals nothing) */
        bool m = false;
        if (a->has & IOF_LBL_HAS_PORTS) {
            int s = side_of(a, nd->attr);
            m = (s != 1 && in_ranges(v, nd->n, a->dev_port)) ||
                (s != 0 && in_ranges(v, nd->n, a->rem_port));
        }
        return m ? T : F;
    }
    }
    return in_ranges(v, nd->n, x) ? T : F;
}

static const char *addr_text(evctx *c, int side)
{
    if (!c->have_text[side]) {
        const uint8_t *ip = side ? c->a->rem_ip : c->a->dev_ip;
        if (!inet_ntop(c->a->ipver == 6 ? AF_INET6 : AF_INET, ip, c->text[side], sizeof c->text[side]))
            c->text[side][0] = '\0';
        c->have_text[side] = true;
    }
    return c->text[side];
}

static bool prefix_ci(const char *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = p[i];
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
        if (a != b || a == '\0')
            return false;
    }
    return true;
}

static bool addr_match(evctx *c, const rl_node *nd, int side)
{
    const iof__lbl_attrs *a = c->a;
    const uint8_t *ip = side ? a->rem_ip : a->dev_ip;
    uint8_t ver = a->ipver == 6 ? 6 : 4;
    for (uint32_t i = 0; i < nd->n; i++) {
        const rl_val *v = &c->rs->vals[nd->off + i];
        switch (v->kind) {
        case RV_NET:
            if (v->ver == ver && iof__rules_addr_in(ip, v->ip, v->plen))
                return true;
            break;
        case RV_CLASS:
            if (iof__rules_addr_class(v->cls, ver, ip))
                return true;
            break;
        case RV_PREFIX:
            if (prefix_ci(addr_text(c, side), c->rs->pool + v->s_off, v->s_len))
                return true;
            break;
        }
    }
    return false;
}

static bool str_match(const evctx *c, const rl_node *nd, const char *s)
{
    for (uint32_t i = 0; i < nd->n; i++) {
        const rl_val *v = &c->rs->vals[nd->off + i];
        const char *p = c->rs->pool + v->s_off;
        if (v->kind == RV_PREFIX ? prefix_ci(s, p, v->s_len) : iof__rules_glob(p, v->s_len, s))
            return true;
    }
    return false;
}

static const char *str_attr(const iof__lbl_attrs *a, uint8_t attr)
{
    switch (attr) {
    case RA_DEVNAME: return a->has & IOF_LBL_HAS_DEVICE_NAME ? a->device_name : NULL;
    case RA_DEVTYPE: return a->has & IOF_LBL_HAS_DEVICE_TYPE ? a->device_type : NULL;
    case RA_SNI: return a->has & IOF_LBL_HAS_SNI ? a->sni : NULL;
    case RA_APP: return a->has & IOF_LBL_HAS_APP ? a->app : NULL;
    }
    return NULL;
}

static bool has(const iof__lbl_attrs *a, uint8_t attr)
{
    switch (attr) {
    case RA_PORT: return a->has & IOF_LBL_HAS_PORTS;
    case RA_TTL_OUT: return a->has & IOF_LBL_HAS_TTL_OUT;
    case RA_TTL_IN: return a->has & IOF_LBL_HAS_TTL_IN;
    case RA_DNS: return (a->has & IOF_LBL_HAS_DNS) && (a->dns || a->n_dns == 0);
    default: return str_attr(a, attr) != NULL;
    }
}

static uint16_t port_of(const iof__lbl_attrs *a, uint8_t attr)
{
    return side_of(a, attr) == 0 ? a->dev_port : a->rem_port;
}

static int ev(evctx *c, uint32_t i)
{
    const rl_node *nd = &c->rs->nodes[i];
    const iof__lbl_attrs *a = c->a;
    int r;
    switch (nd->kind) {
    case RN_AND:
    case RN_OR: {
        int acc = nd->kind == RN_AND ? T : F;
        for (uint32_t k = 0; k < nd->n; k++) {
            int v = ev(c, c->rs->kids[nd->off + k]);
            acc = nd->kind == RN_AND ? (v < acc ? v : acc) : (v > acc ? v : acc);
            if ((nd->kind == RN_AND && acc == F) || (nd->kind == RN_OR && acc == T))
                break;
        }
        return acc;
    }
    case RN_NOT: return T - ev(c, nd->off);
    case RN_HAS: return has(a, nd->attr) ? T : F;
    case RN_RANGE: r = ev_range(c, nd); break;
    case RN_PORTEQ:
        r = (a->has & IOF_LBL_HAS_PORTS) && port_of(a, nd->attr) == port_of(a, nd->attr2) ? T : F;
        break;
    case RN_ADDR: {
        int s = side_of(a, nd->attr);
        r = (s != 1 && addr_match(c, nd, 0)) || (s != 0 && addr_match(c, nd, 1)) ? T : F;
        break;
    }
    case RN_STR:
        if (nd->attr == RA_DNS) {
            if (!has(a, RA_DNS))
                return U;
            bool m = false;
            size_t n = a->n_dns < IOF_RULES_MAX_DNS ? a->n_dns : IOF_RULES_MAX_DNS;
            for (size_t k = 0; k < n && !m; k++)
                m = a->dns[k] && str_match(c, nd, a->dns[k]);
            r = m ? T : F;
        } else {
            const char *s = str_attr(a, nd->attr);
            if (!s)
                return U;
            r = str_match(c, nd, s) ? T : F;
        }
        break;
    default: return U;
    }
    if (r != U && nd->neg)
        r = T - r;
    return r;
}

void iof__rules_eval(const iof__ruleset *rs, const iof__lbl_attrs *a, iof__lbl_result *out)
{
    evctx c = { .rs = rs, .a = a };
    for (size_t k = 0; k < rs->n_keys; k++) {
        const rl_key *key = &rs->keys[k];
        iof__lbl_result res = { NULL, NULL, IOF_LBL_NONE };
        if (key->def != IOF_RULES_NONE)
            res = (iof__lbl_result){ rs->pool + key->def, "default", IOF_LBL_DEFAULT };
        for (uint32_t i = 0; i < key->n; i++) {
            const rl_rule *r = &rs->rules[rs->order[key->first + i]];
            int v = r->cond == IOF_RULES_NONE ? T : ev(&c, r->cond);
            if (v == T) {
                res = (iof__lbl_result){ rs->pool + r->value, rs->pool + r->prov, IOF_LBL_MATCH };
                break;
            }
            if (v == U && key->missing != IOF_RULES_NONE) {
                res = (iof__lbl_result){ rs->pool + key->missing, rs->pool + r->prov, IOF_LBL_MISSING };
                break;
            }
        }
        out[k] = res;
    }
}

/* ---- after the load ------------------------------------------------------------------------ */

int iof__rules_warn(iof__ruleset *rs, const char *fmt, ...)
{
    rs->n_warn_all++;
    if (rs->n_warn >= IOF_RULES_MAX_WARNINGS)
        return 0;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return iof__rules_pool_add(rs, buf, strlen(buf), &rs->warn[rs->n_warn++]);
}

static bool val_equal(const iof__ruleset *rs, const rl_val *a, const rl_val *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case RV_RANGE: return a->lo == b->lo && a->hi == b->hi;
    case RV_NET: return a->ver == b->ver && a->plen == b->plen && memcmp(a->ip, b->ip, 16) == 0;
    case RV_CLASS: return a->cls == b->cls;
    default:
        return a->s_len == b->s_len && memcmp(rs->pool + a->s_off, rs->pool + b->s_off, a->s_len) == 0;
    }
}

/* Structural equality (same tests with the same values in the same order). */
static bool node_equal(const iof__ruleset *rs, uint32_t x, uint32_t y, uint64_t *budget)
{
    const rl_node *a = &rs->nodes[x], *b = &rs->nodes[y];
    if (*budget == 0)
        return false;
    --*budget;
    if (a->kind != b->kind || a->n != b->n)
        return false;
    switch (a->kind) {
    case RN_AND:
    case RN_OR:
        for (uint32_t i = 0; i < a->n; i++)
            if (!node_equal(rs, rs->kids[a->off + i], rs->kids[b->off + i], budget))
                return false;
        return true;
    case RN_NOT: return node_equal(rs, a->off, b->off, budget);
    case RN_HAS: return a->attr == b->attr;
    case RN_PORTEQ: return a->attr == b->attr && a->attr2 == b->attr2 && a->neg == b->neg;
    default:
        if (a->attr != b->attr || a->neg != b->neg)
            return false;
        for (uint32_t i = 0; i < a->n; i++)
            if (!val_equal(rs, &rs->vals[a->off + i], &rs->vals[b->off + i]))
                return false;
        return true;
    }
}

/* A hash that equal nodes share (node_equal implies equal hashes). */
static uint64_t node_hash(const iof__ruleset *rs, uint32_t x)
{
    const rl_node *a = &rs->nodes[x];
    uint64_t h = 1469598103934665603ull;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ull)
    MIX(a->kind);
    MIX(a->attr);
    MIX(a->n);
    switch (a->kind) {
    case RN_AND:
    case RN_OR:
        for (uint32_t i = 0; i < a->n; i++)
            MIX(node_hash(rs, rs->kids[a->off + i]));
        break;
    case RN_NOT: MIX(node_hash(rs, a->off)); break;
    case RN_HAS: break;
    default:
        MIX(a->neg);
        MIX(a->attr2);
        for (uint32_t i = 0; i < a->n && a->kind != RN_PORTEQ; i++) {
            const rl_val *v = &rs->vals[a->off + i];
            MIX(v->kind);
            MIX(v->lo);
            MIX(v->hi);
            MIX(v->cls);
            MIX(v->plen);
            for (int k = 0; k < 16; k++)
                MIX(v->ip[k]);
            for (uint32_t k = 0; k < v->s_len && v->kind >= RV_PREFIX; k++)
                MIX((unsigned char)rs->pool[v->s_off + k]);
        }
    }
#undef MIX
    return h;
}

/* The terms of a rule's condition as a conjunction: an `and` node's children, else the node. */
static const uint32_t *terms(const iof__ruleset *rs, const rl_rule *r, uint32_t *n)
{
    if (r->cond == IOF_RULES_NONE) {
        *n = 0;
        return NULL;
    }
    const rl_node *nd = &rs->nodes[r->cond];
    if (nd->kind == RN_AND) {
        *n = nd->n;
        return rs->kids + nd->off;
    }
    *n = 1;
    return &r->cond;
}

/* Every term of a is a term of b: whenever b is true, a is true (and when a is unknown b is
 * unknown or false), so b can never be what an evaluation yields after a. */
static bool implied_by(const iof__ruleset *rs, const rl_rule *a, const rl_rule *b, uint64_t *budget)
{
    if ((a->mask & ~b->mask) != 0)
        return false;
    uint32_t na, nb;
    const uint32_t *ta = terms(rs, a, &na), *tb = terms(rs, b, &nb);
    for (uint32_t i = 0; i < na; i++) {
        bool found = false;
        for (uint32_t j = 0; j < nb && !found; j++)
            found = node_equal(rs, ta[i], tb[j], budget);
        if (!found)
            return false;
    }
    return true;
}

/* Node comparisons the shadow check may spend on one load (hostile files with thousands of
 * large conditions that differ deep inside; a hand-written file needs a few thousand). */
#define SHADOW_BUDGET 20000000u

int iof__rules_finish(iof__ruleset *rs)
{
    if (rs->n_rules) {
        rs->order = malloc(rs->n_rules * sizeof *rs->order);
        if (!rs->order)
            return IOF_E_NOMEM;
    }
    for (size_t i = 0; i < rs->n_rules; i++) {
        rl_rule *r = &rs->rules[i];
        uint32_t n;
        const uint32_t *t = terms(rs, r, &n);
        r->mask = 0;
        for (uint32_t k = 0; k < n; k++)
            r->mask |= 1ull << (node_hash(rs, t[k]) % 64);
        rs->keys[r->key].n++;
    }
    uint32_t at = 0;
    for (size_t k = 0; k < rs->n_keys; k++) {
        rs->keys[k].first = at;
        at += rs->keys[k].n;
        rs->keys[k].n = 0;
    }
    for (size_t i = 0; i < rs->n_rules; i++) {
        rl_key *key = &rs->keys[rs->rules[i].key];
        rs->order[key->first + key->n++] = (uint32_t)i;
    }
    uint64_t budget = SHADOW_BUDGET;
    for (size_t k = 0; k < rs->n_keys; k++) {
        const rl_key *key = &rs->keys[k];
        if (key->def == IOF_RULES_NONE)
            IOF_TRY(iof__rules_warn(rs, "%s: key \"%s\" has no default: records no rule matches get "
                                    "no value", rs->pool + key->where, rs->pool + key->name));
        for (uint32_t j = 1; j < key->n; j++) {
            const rl_rule *b = &rs->rules[rs->order[key->first + j]];
            for (uint32_t i = 0; i < j; i++) {
                const rl_rule *a = &rs->rules[rs->order[key->first + i]];
                if (implied_by(rs, a, b, &budget)) {
                    IOF_TRY(iof__rules_warn(rs, "%s: never matches: shadowed by rule at %s",
                                            rs->pool + b->where, rs->pool + a->where));
                    break;
                }
            }
        }
    }
    if (budget == 0)
        IOF_TRY(iof__rules_warn(rs, "the shadowed-rule check stopped early (more than %llu node "
                                "comparisons): some rules that never match may not be reported",
                                (unsigned long long)SHADOW_BUDGET));
    return 0;
}

/* ---- accessors ------------------------------------------------------------------------------ */

void iof__rules_free(iof__ruleset *rs)
{
    if (!rs)
        return;
    free(rs->pool);
    free(rs->nodes);
    free(rs->kids);
    free(rs->vals);
    free(rs->rules);
    free(rs->order);
    free(rs);
}

size_t iof__rules_nkeys(const iof__ruleset *rs) { return rs ? rs->n_keys : 0; }
size_t iof__rules_nrules(const iof__ruleset *rs) { return rs ? rs->n_rules : 0; }
const char *iof__rules_rule_name(const iof__ruleset *rs, size_t i) { return rs->pool + rs->rules[i].prov; }
const char *iof__rules_rule_where(const iof__ruleset *rs, size_t i) { return rs->pool + rs->rules[i].where; }
size_t iof__rules_nwarnings(const iof__ruleset *rs) { return rs ? rs->n_warn_all : 0; }

const char *iof__rules_key_name(const iof__ruleset *rs, size_t k)
{
    return rs && k < rs->n_keys ? rs->pool + rs->keys[k].name : NULL;
}

const char *iof__rules_key_where(const iof__ruleset *rs, size_t k)
{
    return rs && k < rs->n_keys ? rs->pool + rs->keys[k].at : NULL;
}

long iof__rules_key_index(const iof__ruleset *rs, const char *name)
{
    for (size_t k = 0; rs && k < rs->n_keys; k++)
        if (strcmp(rs->pool + rs->keys[k].name, name) == 0)
            return (long)k;
    return -1;
}

const char *iof__rules_warning(const iof__ruleset *rs, size_t i)
{
    return rs && i < rs->n_warn ? rs->pool + rs->warn[i] : NULL;
}

/* ---- what a rule set reads ------------------------------------------------------------------ */

const char *iof__lbl_need_name(iof__lbl_need n)
{
    static const char *const names[IOF_LBL_NEED__COUNT] = {
        [IOF_LBL_NEED_PROTO] = "proto", [IOF_LBL_NEED_IPVER] = "ipver",
        [IOF_LBL_NEED_FIRST_DIR] = "first dir", [IOF_LBL_NEED_PORTS] = "port",
        [IOF_LBL_NEED_DEV_ADDR] = "device.addr", [IOF_LBL_NEED_REM_ADDR] = "remote.addr",
        [IOF_LBL_NEED_TTL_OUT] = "ttl.out", [IOF_LBL_NEED_TTL_IN] = "ttl.in",
        [IOF_LBL_NEED_TIME_FIRST] = "time", [IOF_LBL_NEED_TIME_LAST] = "time.last",
        [IOF_LBL_NEED_DEVICE_NAME] = "device.name", [IOF_LBL_NEED_DEVICE_TYPE] = "device.type",
        [IOF_LBL_NEED_DNS] = "dns", [IOF_LBL_NEED_SNI] = "sni", [IOF_LBL_NEED_APP] = "app",
    };
    return (unsigned)n < IOF_LBL_NEED__COUNT ? names[n] : "?";
}

/* The attributes one test attribute reads, as a bit set over iof__lbl_need. */
static uint32_t attr_needs(uint8_t attr)
{
    const uint32_t dir = 1u << IOF_LBL_NEED_FIRST_DIR, ports = 1u << IOF_LBL_NEED_PORTS,
                   addrs = 1u << IOF_LBL_NEED_DEV_ADDR | 1u << IOF_LBL_NEED_REM_ADDR;
    switch (attr) {
    case RA_PROTO: return 1u << IOF_LBL_NEED_PROTO;
    case RA_IPVER: return 1u << IOF_LBL_NEED_IPVER;
    case RA_FIRST_DIR: return dir;
    case RA_TTL_OUT: return 1u << IOF_LBL_NEED_TTL_OUT;
    case RA_TTL_IN: return 1u << IOF_LBL_NEED_TTL_IN;
    case RA_TIME_FIRST: return 1u << IOF_LBL_NEED_TIME_FIRST;
    case RA_TIME_LAST: return 1u << IOF_LBL_NEED_TIME_LAST;
    case RA_SPORT: case RA_DPORT: return ports | dir;
    case RA_DEVPORT: case RA_REMPORT: case RA_PORT: return ports;
    case RA_SRC: case RA_DST: return addrs | dir;
    case RA_DEVADDR: return 1u << IOF_LBL_NEED_DEV_ADDR;
    case RA_REMADDR: return 1u << IOF_LBL_NEED_REM_ADDR;
    case RA_ADDR: return addrs;
    case RA_DEVNAME: return 1u << IOF_LBL_NEED_DEVICE_NAME;
    case RA_DEVTYPE: return 1u << IOF_LBL_NEED_DEVICE_TYPE;
    case RA_SNI: return 1u << IOF_LBL_NEED_SNI;
    case RA_APP: return 1u << IOF_LBL_NEED_APP;
    case RA_DNS: return 1u << IOF_LBL_NEED_DNS;
    }
    return 0;
}

/* Bits of every test under node i (recursive, as ev(): the parser bounds the nesting). */
static uint32_t node_needs(const iof__ruleset *rs, uint32_t i)
{
    const rl_node *nd = &rs->nodes[i];
    switch (nd->kind) {
    case RN_AND:
    case RN_OR: {
        uint32_t m = 0;
        for (uint32_t k = 0; k < nd->n; k++)
            m |= node_needs(rs, rs->kids[nd->off + k]);
        return m;
    }
    case RN_NOT: return node_needs(rs, nd->off);
    case RN_PORTEQ: return attr_needs(nd->attr) | attr_needs(nd->attr2);
    default: return attr_needs(nd->attr);
    }
}

void iof__rules_needs(const iof__ruleset *rs, const char *where[IOF_LBL_NEED__COUNT])
{
    for (size_t n = 0; n < IOF_LBL_NEED__COUNT; n++)
        where[n] = NULL;
    for (size_t k = 0; k < rs->n_keys; k++)
        for (uint32_t i = 0; i < rs->keys[k].n; i++) {
            const rl_rule *r = &rs->rules[rs->order[rs->keys[k].first + i]];
            uint32_t m = r->cond == IOF_RULES_NONE ? 0 : node_needs(rs, r->cond);
            for (size_t n = 0; n < IOF_LBL_NEED__COUNT; n++)
                if ((m >> n & 1) && !where[n])
                    where[n] = rs->pool + r->where;
        }
}
