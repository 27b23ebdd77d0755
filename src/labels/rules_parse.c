/* The label rule language (docs/LABELS.md): lexer, recursive-descent parser and compiler into
 * the flat arrays of rules_int.h. Untrusted text: every byte is looked at once, every size is
 * capped, and the first error stops the load with file:line:col and what was expected. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/ipproto.h"
#include "common/grow.h"
#include "labels/rules_int.h"

/* ---- tokens --------------------------------------------------------------------------------- */

enum { TK_EOF, TK_NL, TK_WORD, TK_STR, TK_PUNCT };
/* two-byte punctuation as one char */
#define P_NE 'N' /* != */
#define P_LE 'L' /* <= */
#define P_GE 'G' /* >= */

typedef struct tok {
    int t;
    char c;                             /* TK_PUNCT */
    uint32_t line, col;
    char s[IOF_RULES_MAX_STRING + 1];   /* word text or decoded string */
    size_t n;
} tok;

typedef struct lexer {
    const char *file;                   /* as shown in messages and provenance */
    const unsigned char *p, *end, *ls;  /* cursor, end, start of the current line */
    uint32_t line;
    int brackets;                       /* open ( { [ : newlines inside do not end a statement */
} lexer;

typedef struct parser {
    iof__ruleset *rs;
    char *err;
    size_t errlen;
    unsigned flags;
    lexer *lx;
    tok cur;
    int depth;                          /* condition nesting */
    uint32_t rule_nodes;                /* nodes of the rule being parsed */
    const char *attr_text;              /* the attribute being parsed, for messages */
    char *stack[IOF_RULES_MAX_INCLUDE_DEPTH + 1]; /* canonical paths of the files being read */
    int n_stack;
    int n_files;
    uint32_t *scratch;                  /* children being collected (and / or lists) */
    size_t n_scratch, scratch_cap;
} parser;

static void describe(const tok *t, char *buf, size_t n)
{
    switch (t->t) {
    case TK_EOF: snprintf(buf, n, "end of file"); return;
    case TK_NL: snprintf(buf, n, "end of line"); return;
    case TK_PUNCT:
        snprintf(buf, n, "'%s'", t->c == P_NE ? "!=" : t->c == P_LE ? "<=" : t->c == P_GE ? ">=" :
                                 (char[2]){ t->c, 0 });
        return;
    default:
        snprintf(buf, n, "\"%.40s%s\"", t->s, t->n > 40 ? "..." : "");
    }
}

static int fail_at(parser *P, uint32_t line, uint32_t col, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail_at(parser *P, uint32_t line, uint32_t col, int code, const char *fmt, ...)
{
    if (P->err && P->errlen) {
        int k = snprintf(P->err, P->errlen, "%s:%u:%u: ", P->lx->file, line, col);
        if (k >= 0 && (size_t)k < P->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(P->err + k, P->errlen - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

/* "expected WHAT, got TOKEN" at the current token */
static int expected(parser *P, const char *what)
{
    char got[64];
    describe(&P->cur, got, sizeof got);
    return fail_at(P, P->cur.line, P->cur.col, IOF_E_INVAL, "expected %s, got %s", what, got);
}

static bool is_word(const tok *t, const char *w) { return t->t == TK_WORD && strcmp(t->s, w) == 0; }
static bool is_punct(const tok *t, char c) { return t->t == TK_PUNCT && t->c == c; }

static bool alnum(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
static bool word_byte(int c) { return alnum(c) || c == '.' || c == '-' || c == ':' || c == '/' || c == '+'; }

/* Length of the valid UTF-8 sequence at p (1..4), 0 if invalid (overlong, surrogate, > U+10FFFF,
 * cut). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t need;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { need = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 4; min = 0x10000; }
    else return 0;
    if ((size_t)(end - p) < need)
        return 0;
    unsigned v = c & (0x7F >> need);
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    return need;
}

static uint32_t col_of(const lexer *L, const unsigned char *at) { return (uint32_t)(at - L->ls) + 1; }

static int lex_string(parser *P, tok *t)
{
    lexer *L = P->lx;
    const unsigned char *q = L->p + 1;
    t->n = 0;
    for (;;) {
        if (q >= L->end || *q == '\n')
            return fail_at(P, t->line, t->col, IOF_E_INVAL, "unterminated string");
        unsigned char c = *q;
        if (c == '"')
            break;
        size_t k = 1;
        if (c == '\\') {
            if (q + 1 >= L->end || (q[1] != '"' && q[1] != '\\'))
                return fail_at(P, L->line, col_of(L, q), IOF_E_INVAL,
                               "unknown escape in a string (only \\\" and \\\\)");
            q++;
            c = *q;
        } else if (c < 0x20 || c == 0x7F) {
            return fail_at(P, L->line, col_of(L, q), IOF_E_INVAL, "control byte 0x%02x in a string", c);
        } else if (c >= 0x80 && (k = utf8_len(q, L->end)) == 0) {
            return fail_at(P, L->line, col_of(L, q), IOF_E_INVAL, "invalid UTF-8 in a string");
        }
        if (t->n + k > IOF_RULES_MAX_STRING)
            return fail_at(P, t->line, t->col, IOF_E_LIMIT, "string longer than %d bytes",
                           IOF_RULES_MAX_STRING);
        memcpy(t->s + t->n, q, k);
        t->n += k;
        q += k;
    }
    t->s[t->n] = '\0';
    t->t = TK_STR;
    L->p = q + 1;
    return 0;
}

static int new_line(parser *P)
{
    lexer *L = P->lx;
    if ((size_t)(L->p - L->ls) > IOF_RULES_MAX_LINE)
        return fail_at(P, L->line, IOF_RULES_MAX_LINE + 1, IOF_E_LIMIT, "line longer than %d bytes",
                       IOF_RULES_MAX_LINE);
    L->p++;
    L->ls = L->p;
    L->line++;
    return 0;
}

/* Reads the next token into P->cur. */
static int next(parser *P)
{
    lexer *L = P->lx;
    tok *t = &P->cur;
    for (;;) {
        if ((size_t)(L->p - L->ls) > IOF_RULES_MAX_LINE)
            return fail_at(P, L->line, IOF_RULES_MAX_LINE + 1, IOF_E_LIMIT,
                           "line longer than %d bytes", IOF_RULES_MAX_LINE);
        if (L->p >= L->end)
            break;
        unsigned char c = *L->p;
        if (c == ' ' || c == '\t' || c == '\r') {
            L->p++;
        } else if (c == '#') {
            while (L->p < L->end && *L->p != '\n') {
                if (*L->p == '\0')
                    return fail_at(P, L->line, col_of(L, L->p), IOF_E_INVAL, "NUL byte");
                if ((size_t)(L->p - L->ls) > IOF_RULES_MAX_LINE)
                    return fail_at(P, L->line, IOF_RULES_MAX_LINE + 1, IOF_E_LIMIT,
                                   "line longer than %d bytes", IOF_RULES_MAX_LINE);
                L->p++;
            }
        } else if (c == '\n' && L->brackets > 0) {
            IOF_TRY(new_line(P));
        } else {
            break;
        }
    }
    t->line = L->line;
    t->col = col_of(L, L->p);
    t->n = 0;
    t->s[0] = '\0';
    if (L->p >= L->end) {
        t->t = TK_EOF;
        return 0;
    }
    unsigned char c = *L->p;
    if (c == '\n') {
        t->t = TK_NL;
        return new_line(P);
    }
    if (c == '"')
        return lex_string(P, t);
    if (alnum(c) || (c == ':' && L->p + 1 < L->end && L->p[1] == ':')) {
        const unsigned char *q = L->p;
        while (q < L->end && word_byte(*q)) {
            if ((size_t)(q - L->p) >= IOF_RULES_MAX_STRING)
                return fail_at(P, t->line, t->col, IOF_E_LIMIT, "word longer than %d bytes",
                               IOF_RULES_MAX_STRING);
            q++;
        }
        t->n = (size_t)(q - L->p);
        memcpy(t->s, L->p, t->n);
        t->s[t->n] = '\0';
        t->t = TK_WORD;
        L->p = q;
        return 0;
    }
    t->t = TK_PUNCT;
    t->c = (char)c;
    bool eq2 = L->p + 1 < L->end && L->p[1] == '=';
    switch (c) {
    case '(': case '{': case '[': L->brackets++; break;
    case ')': case '}': case ']': if (L->brackets > 0) L->brackets--; break;
    case ',': case '=': case '^': case ':': break;
    case '<': if (eq2) { t->c = P_LE; L->p++; } break;
    case '>': if (eq2) { t->c = P_GE; L->p++; } break;
    case '!':
        if (eq2) { t->c = P_NE; L->p++; break; }
        return fail_at(P, t->line, t->col, IOF_E_INVAL, "'!' must be followed by '=' (use 'not')");
    case '\0':
        return fail_at(P, t->line, t->col, IOF_E_INVAL, "NUL byte");
    default:
        if (c < 0x20 || c >= 0x7F)
            return fail_at(P, t->line, t->col, IOF_E_INVAL, "unexpected byte 0x%02x", c);
        return fail_at(P, t->line, t->col, IOF_E_INVAL, "unexpected character '%c'", c);
    }
    L->p++;
    return 0;
}

/* ---- building the compiled form ------------------------------------------------------------ */

int iof__rules_pool_add(iof__ruleset *rs, const char *s, size_t n, uint32_t *off)
{
    IOF_TRY(iof__grow((void **)&rs->pool, &rs->pool_cap, rs->pool_n + n + 1, 1, IOF_RULES_MAX_POOL));
    memcpy(rs->pool + rs->pool_n, s, n);
    rs->pool[rs->pool_n + n] = '\0';
    *off = (uint32_t)rs->pool_n;
    rs->pool_n += n + 1;
    return 0;
}

static int limit(parser *P, int rc, const char *what)
{
    if (rc == IOF_E_LIMIT)
        return fail_at(P, P->cur.line, P->cur.col, IOF_E_LIMIT, "too many %s", what);
    return rc;
}

static int add_node(parser *P, rl_node nd, uint32_t *idx)
{
    iof__ruleset *rs = P->rs;
    if (++P->rule_nodes > IOF_RULES_MAX_NODES)
        return fail_at(P, P->cur.line, P->cur.col, IOF_E_LIMIT,
                       "condition has more than %d tests and operators", IOF_RULES_MAX_NODES);
    IOF_TRY(limit(P, iof__grow((void **)&rs->nodes, &rs->nodes_cap, rs->n_nodes + 1, sizeof *rs->nodes,
                               IOF_RULES_MAX_ITEMS), "condition nodes"));
    rs->nodes[rs->n_nodes] = nd;
    *idx = (uint32_t)rs->n_nodes++;
    return 0;
}

static int add_val(parser *P, const rl_val *v)
{
    iof__ruleset *rs = P->rs;
    IOF_TRY(limit(P, iof__grow((void **)&rs->vals, &rs->vals_cap, rs->n_vals + 1, sizeof *rs->vals,
                               IOF_RULES_MAX_ITEMS), "values"));
    rs->vals[rs->n_vals++] = *v;
    return 0;
}

/* ---- attributes ------------------------------------------------------------------------------ */

typedef enum { TY_NUM, TY_PORT, TY_TIME, TY_ADDR, TY_STR } attr_type;

static const struct attr_def {
    const char *name;
    uint8_t attr;
    uint8_t type;
    int64_t min, max;   /* TY_NUM / TY_PORT / TY_TIME domain */
} attrs[] = {
    { "proto", RA_PROTO, TY_NUM, 0, 255 },
    { "ipver", RA_IPVER, TY_NUM, 4, 6 },
    { "first.dir", RA_FIRST_DIR, TY_NUM, 0, 1 },
    { "ttl.out", RA_TTL_OUT, TY_NUM, 0, 255 },
    { "ttl.in", RA_TTL_IN, TY_NUM, 0, 255 },
    { "time", RA_TIME_FIRST, TY_TIME, INT64_MIN, INT64_MAX },
    { "time.first", RA_TIME_FIRST, TY_TIME, INT64_MIN, INT64_MAX },
    { "time.last", RA_TIME_LAST, TY_TIME, INT64_MIN, INT64_MAX },
    { "sport", RA_SPORT, TY_PORT, 0, 65535 },
    { "src.port", RA_SPORT, TY_PORT, 0, 65535 },
    { "dport", RA_DPORT, TY_PORT, 0, 65535 },
    { "dst.port", RA_DPORT, TY_PORT, 0, 65535 },
    { "device.port", RA_DEVPORT, TY_PORT, 0, 65535 },
    { "remote.port", RA_REMPORT, TY_PORT, 0, 65535 },
    { "port", RA_PORT, TY_PORT, 0, 65535 },
    { "src", RA_SRC, TY_ADDR, 0, 0 },
    { "src.addr", RA_SRC, TY_ADDR, 0, 0 },
    { "dst", RA_DST, TY_ADDR, 0, 0 },
    { "dst.addr", RA_DST, TY_ADDR, 0, 0 },
    { "device.addr", RA_DEVADDR, TY_ADDR, 0, 0 },
    { "remote.addr", RA_REMADDR, TY_ADDR, 0, 0 },
    { "addr", RA_ADDR, TY_ADDR, 0, 0 },
    { "device.name", RA_DEVNAME, TY_STR, 0, 0 },
    { "device.type", RA_DEVTYPE, TY_STR, 0, 0 },
    { "sni", RA_SNI, TY_STR, 0, 0 },
    { "app", RA_APP, TY_STR, 0, 0 },
    { "dns", RA_DNS, TY_STR, 0, 0 },
};

static const struct attr_def *find_attr(const char *name)
{
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        if (strcmp(attrs[i].name, name) == 0)
            return &attrs[i];
    return NULL;
}

static const struct { const char *name; uint8_t cls; } classes[] = {
    { "multicast", RC_MULTICAST }, { "broadcast", RC_BROADCAST }, { "private", RC_PRIVATE },
    { "loopback", RC_LOOPBACK }, { "link-local", RC_LINKLOCAL },
};

/* ---- values ------------------------------------------------------------------------------- */

static bool parse_uint(const char *s, size_t n, int64_t max, int64_t *v)
{
    if (n == 0 || n > 10)
        return false;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    if (x > max)
        return false;
    *v = x;
    return true;
}

static const char *num_what(uint8_t attr)
{
    switch (attr) {
    case RA_PROTO: return "a protocol number or name (tcp, udp, icmp, icmpv6, igmp, ...)";
    case RA_IPVER: return "4 or 6";
    case RA_FIRST_DIR: return "outbound or inbound";
    case RA_TTL_OUT: case RA_TTL_IN: return "a TTL (0-255) or range";
    case RA_TIME_FIRST: case RA_TIME_LAST:
        return "a timestamp with zone (2024-05-01T00:00:00Z) or an interval [from, to)";
    default: return "a port number or range";
    }
}

static int expected_after(parser *P, const char *what)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%s after '%s'", what, P->attr_text);
    return expected(P, buf);
}

static int parse_time_tok(parser *P, int64_t *ns)
{
    if ((P->cur.t == TK_WORD || P->cur.t == TK_STR) && iof__rules_parse_time(P->cur.s, P->cur.n, ns))
        return next(P);
    return expected_after(P, num_what(RA_TIME_FIRST));
}

/* One item of a numeric attribute: a number, a range a-b, a name (protocol, direction), or
 * for time a timestamp or an interval. */
static int parse_range_item(parser *P, const struct attr_def *ad, rl_val *v)
{
    memset(v, 0, sizeof *v);
    v->kind = RV_RANGE;
    tok *t = &P->cur;
    if (ad->type == TY_TIME) {
        if (is_punct(t, '[') || is_punct(t, '(')) {
            bool lo_open = t->c == '(';
            IOF_TRY(next(P));
            IOF_TRY(parse_time_tok(P, &v->lo));
            if (!is_punct(t, ','))
                return expected(P, "',' between the ends of a time interval");
            IOF_TRY(next(P));
            IOF_TRY(parse_time_tok(P, &v->hi));
            if (!is_punct(t, ']') && !is_punct(t, ')'))
                return expected(P, "']' (inclusive) or ')' (exclusive) closing the time interval");
            bool hi_open = t->c == ')';
            if (lo_open) v->lo = v->lo == INT64_MAX ? v->lo : v->lo + 1;
            if (hi_open) v->hi = v->hi == INT64_MIN ? v->hi : v->hi - 1;
            if (v->lo > v->hi)
                return fail_at(P, t->line, t->col, IOF_E_INVAL, "the time interval is empty");
            return next(P);
        }
        IOF_TRY(parse_time_tok(P, &v->lo));
        v->hi = v->lo;
        return 0;
    }
    if (t->t != TK_WORD)
        return expected_after(P, num_what(ad->attr));
    uint8_t num;
    if (ad->attr == RA_PROTO && iof__proto_number(t->s, strlen(t->s), &num)) {
        v->lo = v->hi = num;
        return next(P);
    }
    if (ad->attr == RA_FIRST_DIR) {
        if (strcmp(t->s, "outbound") && strcmp(t->s, "inbound"))
            return expected_after(P, num_what(ad->attr));
        v->lo = v->hi = strcmp(t->s, "inbound") == 0 ? IOF_LBL_INBOUND : IOF_LBL_OUTBOUND;
        return next(P);
    }
    const char *dash = ad->attr == RA_IPVER ? NULL : strchr(t->s, '-');
    size_t n1 = dash ? (size_t)(dash - t->s) : t->n;
    if (!parse_uint(t->s, n1, ad->max, &v->lo) ||
        (dash && !parse_uint(dash + 1, t->n - n1 - 1, ad->max, &v->hi)) ||
        (ad->attr == RA_IPVER && v->lo != 4 && v->lo != 6))
        return expected_after(P, num_what(ad->attr));
    if (!dash)
        v->hi = v->lo;
    if (v->lo > v->hi)
        return fail_at(P, t->line, t->col, IOF_E_INVAL, "range %s is empty", t->s);
    return next(P);
}

static const char addr_what[] = "an address, a network (10.0.0.0/8), a class (multicast, broadcast, "
                                "private, loopback, link-local) or ^\"prefix\"";

static int parse_addr_item(parser *P, rl_val *v)
{
    memset(v, 0, sizeof *v);
    tok *t = &P->cur;
    if (is_punct(t, '^')) {
        IOF_TRY(next(P));
        if (t->t != TK_STR)
            return expected(P, "a string after '^'");
        v->kind = RV_PREFIX;
        IOF_TRY(iof__rules_pool_add(P->rs, t->s, t->n, &v->s_off));
        v->s_len = (uint32_t)t->n;
        return next(P);
    }
    if (t->t != TK_WORD)
        return expected_after(P, addr_what);
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strcmp(t->s, classes[i].name) == 0) {
            v->kind = RV_CLASS;
            v->cls = classes[i].cls;
            return next(P);
        }
    char host[IOF_RULES_MAX_STRING + 1];
    memcpy(host, t->s, t->n + 1);
    char *slash = strchr(host, '/');
    if (slash)
        *slash = '\0';
    v->kind = RV_NET;
    if (inet_pton(AF_INET, host, v->ip) == 1)
        v->ver = 4;
    else if (inet_pton(AF_INET6, host, v->ip) == 1)
        v->ver = 6;
    else
        return expected_after(P, addr_what);
    int64_t plen = v->ver == 4 ? 32 : 128;
    if (slash && !parse_uint(slash + 1, strlen(slash + 1), plen, &plen))
        return fail_at(P, t->line, t->col, IOF_E_INVAL, "bad prefix length in %s (0-%d)", t->s,
                       v->ver == 4 ? 32 : 128);
    v->plen = (uint8_t)plen;
    return next(P);
}

static int parse_str_item(parser *P, rl_val *v)
{
    memset(v, 0, sizeof *v);
    tok *t = &P->cur;
    v->kind = RV_GLOB;
    if (is_punct(t, '^')) {
        v->kind = RV_PREFIX;
        IOF_TRY(next(P));
    }
    if (t->t != TK_STR)
        return expected_after(P, v->kind == RV_PREFIX ? "a string after '^'" : "a string (\"*\" and \"?\" match any text / one byte) or ^\"prefix\"");
    IOF_TRY(iof__rules_pool_add(P->rs, t->s, t->n, &v->s_off));
    v->s_len = (uint32_t)t->n;
    return next(P);
}

static int parse_item(parser *P, const struct attr_def *ad, rl_val *v)
{
    switch (ad->type) {
    case TY_ADDR: return parse_addr_item(P, v);
    case TY_STR: return parse_str_item(P, v);
    default: return parse_range_item(P, ad, v);
    }
}

static bool is_port_attr(const tok *t, const struct attr_def **out)
{
    if (t->t != TK_WORD)
        return false;
    const struct attr_def *ad = find_attr(t->s);
    if (!ad || ad->type != TY_PORT)
        return false;
    *out = ad;
    return true;
}

/* ---- conditions ---------------------------------------------------------------------------- */

static const struct { const char *name; uint8_t attr; } has_names[] = {
    { "port", RA_PORT }, { "ports", RA_PORT }, { "ttl.out", RA_TTL_OUT }, { "ttl.in", RA_TTL_IN },
    { "device.name", RA_DEVNAME }, { "device.type", RA_DEVTYPE }, { "dns", RA_DNS },
    { "sni", RA_SNI }, { "app", RA_APP },
};

static int parse_test(parser *P, uint32_t *idx)
{
    tok *t = &P->cur;
    rl_node nd = { 0 };
    if (is_word(t, "has")) {
        IOF_TRY(next(P));
        for (size_t i = 0; i < sizeof has_names / sizeof has_names[0]; i++)
            if (is_word(t, has_names[i].name)) {
                nd.kind = RN_HAS;
                nd.attr = has_names[i].attr;
                IOF_TRY(next(P));
                return add_node(P, nd, idx);
            }
        return expected(P, "an optional attribute after 'has' (port, ttl.out, ttl.in, device.name, "
                           "device.type, dns, sni, app)");
    }
    const struct attr_def *ad = NULL;
    const char *name;
    if (is_word(t, "first")) {
        IOF_TRY(next(P));
        if (!is_word(t, "dir"))
            return expected(P, "'dir' after 'first'");
        ad = find_attr("first.dir");
        name = "first dir";
    } else if (t->t == TK_WORD && (ad = find_attr(t->s)) != NULL) {
        name = ad->name;
    } else {
        return expected(P, "a condition (an attribute such as proto, dport, dst, ttl.in, "
                           "device.name, time; 'has', 'not' or '(')");
    }
    P->attr_text = name;
    IOF_TRY(next(P));
    uint32_t op_line = t->line, op_col = t->col;
    /* operator: none or '=' (equals / one of), '!=', 'in', 'not in', '<' '<=' '>' '>=' */
    char op = '=';
    nd.attr = ad->attr;
    if (is_punct(t, '=') || is_punct(t, P_NE)) {
        nd.neg = t->c == P_NE;
        op = 'e';
        IOF_TRY(next(P));
    } else if (is_word(t, "in")) {
        IOF_TRY(next(P));
        if (!is_punct(t, '{') && !(ad->type == TY_TIME && (is_punct(t, '[') || is_punct(t, '('))))
            return expected(P, ad->type == TY_TIME ? "'{', '[' or '(' after 'in'" : "'{' after 'in'");
    } else if (is_word(t, "not")) {
        IOF_TRY(next(P));
        if (!is_word(t, "in"))
            return expected(P, "'in' after 'not' (to negate a test write 'not' before it)");
        nd.neg = 1;
        IOF_TRY(next(P));
        if (!is_punct(t, '{') && !(ad->type == TY_TIME && (is_punct(t, '[') || is_punct(t, '('))))
            return expected(P, "'{' after 'not in'");
    } else if (is_punct(t, '<') || is_punct(t, '>') || is_punct(t, P_LE) || is_punct(t, P_GE)) {
        op = t->c;
        if (ad->type == TY_ADDR || ad->type == TY_STR || ad->attr == RA_PROTO ||
            ad->attr == RA_FIRST_DIR)
            return fail_at(P, t->line, t->col, IOF_E_INVAL, "'%s' does not order values; use '=', "
                           "'!=' or 'in'", name);
        IOF_TRY(next(P));
    }
    /* port = port */
    const struct attr_def *other;
    if (op == 'e' && ad->type == TY_PORT && is_port_attr(t, &other)) {
        if (ad->attr == RA_PORT || other->attr == RA_PORT)
            return fail_at(P, t->line, t->col, IOF_E_INVAL,
                           "'port' (either side) cannot be compared with another port");
        nd.kind = RN_PORTEQ;
        nd.attr2 = other->attr;
        IOF_TRY(next(P));
        return add_node(P, nd, idx);
    }
    nd.kind = ad->type == TY_ADDR ? RN_ADDR : ad->type == TY_STR ? RN_STR : RN_RANGE;
    nd.off = (uint32_t)P->rs->n_vals;
    rl_val v;
    if (is_punct(t, '{')) {
        if (op != '=' && op != 'e')
            return expected(P, "a single value after an order comparison");
        IOF_TRY(next(P));
        for (;;) {
            if (nd.n >= IOF_RULES_MAX_SET)
                return fail_at(P, t->line, t->col, IOF_E_LIMIT, "set has more than %d values",
                               IOF_RULES_MAX_SET);
            IOF_TRY(parse_item(P, ad, &v));
            IOF_TRY(add_val(P, &v));
            nd.n++;
            if (is_punct(t, '}'))
                break;
            if (!is_punct(t, ','))
                return expected(P, "',' or '}' in a set");
            IOF_TRY(next(P));
        }
        IOF_TRY(next(P));
    } else {
        uint32_t vl = t->line, vc = t->col;
        IOF_TRY(parse_item(P, ad, &v));
        if (op != '=' && op != 'e') {
            if (v.lo != v.hi)
                return fail_at(P, vl, vc, IOF_E_INVAL, "an order comparison takes one value, not a "
                               "range or interval");
            int64_t x = v.lo;
            bool empty = (op == '<' && x == ad->min) || (op == '>' && x == ad->max);
            if (empty)
                return fail_at(P, op_line, op_col, IOF_E_INVAL, "this comparison is never true");
            v.lo = op == '<' || op == P_LE ? ad->min : op == '>' ? x + 1 : x;
            v.hi = op == '>' || op == P_GE ? ad->max : op == '<' ? x - 1 : x;
        }
        IOF_TRY(add_val(P, &v));
        nd.n = 1;
    }
    return add_node(P, nd, idx);
}

static int parse_or(parser *P, uint32_t *idx);

static int parse_unary(parser *P, uint32_t *idx)
{
    tok *t = &P->cur;
    bool isnot = is_word(t, "not"), paren = is_punct(t, '(');
    if (!isnot && !paren)
        return parse_test(P, idx);
    if (++P->depth > IOF_RULES_MAX_DEPTH)
        return fail_at(P, t->line, t->col, IOF_E_LIMIT, "condition nested deeper than %d",
                       IOF_RULES_MAX_DEPTH);
    IOF_TRY(next(P));
    if (isnot) {
        uint32_t c;
        IOF_TRY(parse_unary(P, &c));
        IOF_TRY(add_node(P, (rl_node){ .kind = RN_NOT, .off = c }, idx));
    } else {
        IOF_TRY(parse_or(P, idx));
        if (!is_punct(t, ')'))
            return expected(P, "')' or 'and' / 'or'");
        IOF_TRY(next(P));
    }
    P->depth--;
    return 0;
}

static int push_scratch(parser *P, uint32_t v)
{
    IOF_TRY(iof__grow((void **)&P->scratch, &P->scratch_cap, P->n_scratch + 1, sizeof *P->scratch,
                      IOF_RULES_MAX_ITEMS));
    P->scratch[P->n_scratch++] = v;
    return 0;
}

/* A list of operands joined by `word` ("and" / "or") into one n-ary node of `kind`; an operand
 * that is itself such a node (from parentheses) is spliced in: (a and b) and c = a and b and c. */
static int parse_list(parser *P, uint32_t *idx, const char *word, uint8_t kind,
                      int (*operand)(parser *, uint32_t *))
{
    size_t base = P->n_scratch;
    uint32_t c;
    IOF_TRY(operand(P, &c));
    if (!is_word(&P->cur, word)) {
        *idx = c;
        return 0;
    }
    for (;;) {
        const rl_node *cn = &P->rs->nodes[c];
        if (cn->kind == kind) {
            for (uint32_t i = 0; i < cn->n; i++)
                IOF_TRY(push_scratch(P, P->rs->kids[cn->off + i]));
        } else {
            IOF_TRY(push_scratch(P, c));
        }
        if (!is_word(&P->cur, word))
            break;
        IOF_TRY(next(P));
        IOF_TRY(operand(P, &c));
    }
    iof__ruleset *rs = P->rs;
    size_t k = P->n_scratch - base;
    IOF_TRY(limit(P, iof__grow((void **)&rs->kids, &rs->kids_cap, rs->n_kids + k, sizeof *rs->kids,
                               IOF_RULES_MAX_ITEMS), "condition nodes"));
    memcpy(rs->kids + rs->n_kids, P->scratch + base, k * sizeof *rs->kids);
    rl_node nd = { .kind = kind, .off = (uint32_t)rs->n_kids, .n = (uint32_t)k };
    rs->n_kids += k;
    P->n_scratch = base;
    return add_node(P, nd, idx);
}

static int parse_and(parser *P, uint32_t *idx) { return parse_list(P, idx, "and", RN_AND, parse_unary); }
static int parse_or(parser *P, uint32_t *idx) { return parse_list(P, idx, "or", RN_OR, parse_and); }

/* ---- statements ---------------------------------------------------------------------------- */

static int where_text(parser *P, uint32_t line, uint32_t *off)
{
    char buf[PATH_MAX + 32];
    int k = snprintf(buf, sizeof buf, "%s:%u", P->lx->file, line);
    return iof__rules_pool_add(P->rs, buf, k > 0 ? strlen(buf) : 0, off);
}

/* A key's place: where (file:line) and at (file:line:col) of the token t naming it */
static int key_place(parser *P, rl_key *key, const tok *t)
{
    char buf[PATH_MAX + 48];
    int k = snprintf(buf, sizeof buf, "%s:%u:%u", P->lx->file, t->line, t->col);
    IOF_TRY(iof__rules_pool_add(P->rs, buf, k > 0 ? strlen(buf) : 0, &key->at));
    return where_text(P, t->line, &key->where);
}

static bool key_ident(const char *s)
{
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return false;
    for (const char *q = s; *q; q++)
        if (!alnum((unsigned char)*q))
            return false;
    return strcmp(s, "include") && strcmp(s, "key") && strcmp(s, "rule");
}

/* The key named by the current token, created if new. */
static int get_key(parser *P, uint32_t *k)
{
    iof__ruleset *rs = P->rs;
    for (size_t i = 0; i < rs->n_keys; i++)
        if (strcmp(rs->pool + rs->keys[i].name, P->cur.s) == 0) {
            *k = (uint32_t)i;
            return 0;
        }
    if (rs->n_keys >= IOF_RULES_MAX_KEYS)
        return fail_at(P, P->cur.line, P->cur.col, IOF_E_LIMIT, "more than %d keys",
                       IOF_RULES_MAX_KEYS);
    rl_key *key = &rs->keys[rs->n_keys];
    memset(key, 0, sizeof *key);
    key->def = key->missing = IOF_RULES_NONE;
    IOF_TRY(iof__rules_pool_add(rs, P->cur.s, P->cur.n, &key->name));
    IOF_TRY(key_place(P, key, &P->cur));
    *k = (uint32_t)rs->n_keys++;
    return 0;
}

static int parse_keydecl(parser *P)
{
    tok *t = &P->cur;
    IOF_TRY(next(P));
    if (t->t != TK_WORD || !key_ident(t->s))
        return expected(P, "a key name (letters, digits, '_') after 'key'");
    uint32_t k;
    IOF_TRY(get_key(P, &k));
    rl_key *key = &P->rs->keys[k];
    if (key->declared)
        return fail_at(P, t->line, t->col, IOF_E_INVAL, "key \"%s\" is already declared at %s",
                       t->s, P->rs->pool + key->where);
    key->declared = true;
    IOF_TRY(key_place(P, key, t));
    IOF_TRY(next(P));
    while (is_word(t, "default") || is_word(t, "on-missing")) {
        bool def = is_word(t, "default");
        uint32_t *slot = def ? &key->def : &key->missing;
        if (*slot != IOF_RULES_NONE)
            return fail_at(P, t->line, t->col, IOF_E_INVAL, "'%s' given twice", t->s);
        IOF_TRY(next(P));
        if (t->t != TK_STR)
            return expected(P, def ? "a string after 'default'" : "a string after 'on-missing'");
        IOF_TRY(iof__rules_pool_add(P->rs, t->s, t->n, slot));
        IOF_TRY(next(P));
    }
    return 0;
}

static int parse_rule(parser *P)
{
    tok *t = &P->cur;
    iof__ruleset *rs = P->rs;
    rl_rule r = { .cond = IOF_RULES_NONE };
    uint32_t line = t->line;
    char name[IOF_RULES_MAX_STRING + 1] = "";
    size_t name_n = 0;
    if (is_word(t, "rule")) {
        IOF_TRY(next(P));
        if (t->t != TK_STR || t->n == 0)
            return expected(P, "a rule name (a non-empty string) after 'rule'");
        for (size_t i = 0; i < rs->n_rules; i++)
            if (strcmp(rs->pool + rs->rules[i].prov, t->s) == 0)
                return fail_at(P, t->line, t->col, IOF_E_INVAL, "rule name \"%s\" is already used "
                               "at %s", t->s, rs->pool + rs->rules[i].where);
        memcpy(name, t->s, t->n + 1);
        name_n = t->n;
        IOF_TRY(next(P));
        if (!is_punct(t, ':'))
            return expected(P, "':' after the rule name");
        IOF_TRY(next(P));
    }
    if (t->t != TK_WORD || !key_ident(t->s))
        return expected(P, "a rule (key = \"value\" if condition), 'key' or 'include'");
    if (rs->n_rules >= IOF_RULES_MAX_RULES)
        return fail_at(P, t->line, t->col, IOF_E_LIMIT, "more than %d rules", IOF_RULES_MAX_RULES);
    IOF_TRY(get_key(P, &r.key));
    IOF_TRY(next(P));
    if (!is_punct(t, '='))
        return expected(P, "'=' after the key name");
    IOF_TRY(next(P));
    if (t->t != TK_STR)
        return expected(P, "the value (a string) after '='");
    IOF_TRY(iof__rules_pool_add(rs, t->s, t->n, &r.value));
    IOF_TRY(next(P));
    if (is_word(t, "if")) {
        IOF_TRY(next(P));
        P->depth = 0;
        P->rule_nodes = 0;
        IOF_TRY(parse_or(P, &r.cond));
    }
    IOF_TRY(where_text(P, line, &r.where));
    if (name_n)
        IOF_TRY(iof__rules_pool_add(rs, name, name_n, &r.prov));
    else
        r.prov = r.where;
    IOF_TRY(iof__grow((void **)&rs->rules, &rs->rules_cap, rs->n_rules + 1, sizeof *rs->rules,
                      IOF_RULES_MAX_RULES));
    rs->rules[rs->n_rules++] = r;
    return 0;
}

/* ---- files ------------------------------------------------------------------------------------ */

/* Reads a whole regular file of at most IOF_RULES_MAX_FILE_BYTES. *why says what went wrong. */
static int read_file(const char *path, char **text, size_t *len, const char **why, int *code)
{
    *text = NULL;
    *code = IOF_E_IO;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        close(fd);
        return -1;
    }
    char *buf = malloc(IOF_RULES_MAX_FILE_BYTES + 1);
    if (!buf) {
        close(fd);
        *why = "out of memory";
        *code = IOF_E_NOMEM;
        return -1;
    }
    size_t n = 0;
    for (;;) {
        ssize_t k = read(fd, buf + n, IOF_RULES_MAX_FILE_BYTES + 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            *why = strerror(errno);
            break;
        }
        if (k == 0) {
            close(fd);
            *text = buf;
            *len = n;
            return 0;
        }
        n += (size_t)k;
        if (n > IOF_RULES_MAX_FILE_BYTES) {
            *why = "larger than the cap (IOF_RULES_MAX_FILE_BYTES, 1 MiB)";
            *code = IOF_E_LIMIT;
            break;
        }
    }
    close(fd);
    free(buf);
    return -1;
}

static int parse_text(parser *P, const char *file, const char *text, size_t len);

static int parse_include(parser *P)
{
    tok *t = &P->cur;
    uint32_t line = t->line, col = t->col;
    if (P->flags & IOF_RULES_NO_INCLUDE)
        return fail_at(P, line, col, IOF_E_INVAL, "'include' is not allowed here");
    IOF_TRY(next(P));
    if (t->t != TK_STR || t->n == 0)
        return expected(P, "a file name (a string) after 'include'");
    char path[PATH_MAX];
    const char *slash = strrchr(P->lx->file, '/');
    int k = t->s[0] == '/' || !slash
                ? snprintf(path, sizeof path, "%s", t->s)
                : snprintf(path, sizeof path, "%.*s/%s", (int)(slash - P->lx->file), P->lx->file, t->s);
    if (k < 0 || (size_t)k >= sizeof path)
        return fail_at(P, t->line, t->col, IOF_E_LIMIT, "include path too long");
    if (P->n_stack > IOF_RULES_MAX_INCLUDE_DEPTH)
        return fail_at(P, line, col, IOF_E_LIMIT, "includes nested deeper than %d",
                       IOF_RULES_MAX_INCLUDE_DEPTH);
    if (P->n_files >= IOF_RULES_MAX_FILES)
        return fail_at(P, line, col, IOF_E_LIMIT, "more than %d rule files", IOF_RULES_MAX_FILES);
    char *canon = realpath(path, NULL);
    if (canon) {
        for (int i = 0; i < P->n_stack; i++)
            if (strcmp(P->stack[i], canon) == 0) {
                free(canon);
                return fail_at(P, t->line, t->col, IOF_E_INVAL, "include cycle: \"%s\" is already "
                               "being read", path);
            }
    }
    char *text;
    size_t len;
    const char *why = NULL;
    int code;
    if (!canon || read_file(path, &text, &len, &why, &code) != 0) {
        free(canon);
        return fail_at(P, t->line, t->col, canon ? code : IOF_E_IO, "cannot read \"%s\": %s", path,
                       canon ? why : strerror(errno));
    }
    int nrc = next(P); /* past the name: errors below are the included file's */
    if (nrc != IOF_OK) {
        free(canon);
        free(text);
        return nrc;
    }
    P->stack[P->n_stack++] = canon;
    tok saved = P->cur;
    int rc = parse_text(P, path, text, len);
    free(P->stack[--P->n_stack]);
    if (rc == 0)
        P->cur = saved; /* on error the message is written; the token no longer matters */
    free(text);
    return rc;
}

static int parse_statements(parser *P)
{
    IOF_TRY(next(P));
    tok *t = &P->cur;
    for (;;) {
        if (t->t == TK_EOF)
            return 0; /* next() checked the last line's length */
        if (t->t == TK_NL) {
            IOF_TRY(next(P));
            continue;
        }
        IOF_TRY(is_word(t, "include") ? parse_include(P) : is_word(t, "key") ? parse_keydecl(P)
                                                                              : parse_rule(P));
        if (t->t != TK_NL && t->t != TK_EOF)
            return expected(P, "end of line (one statement per line; 'and' / 'or' join tests)");
    }
}

/* One file's text; the lexer lives here and P->lx points at it only meanwhile. */
static int parse_text(parser *P, const char *file, const char *text, size_t len)
{
    P->n_files++;
    lexer L = { .file = file, .p = (const unsigned char *)text,
                .end = (const unsigned char *)text + len, .ls = (const unsigned char *)text,
                .line = 1 };
    lexer *outer = P->lx;
    P->lx = &L;
    int rc = parse_statements(P);
    P->lx = outer;
    return rc;
}

/* A file (with its includes) that has no rule and no key default gives no record a label: a
 * typo'd or emptied file would give an unlabelled dataset without a word, so it is refused. */
static int nothing_to_give(const iof__ruleset *rs, const char *name, size_t len, char *err, size_t errlen)
{
    if (rs->n_rules)
        return 0;
    for (size_t k = 0; k < rs->n_keys; k++)
        if (rs->keys[k].def != IOF_RULES_NONE)
            return 0;
    return iof__fail(err, errlen, IOF_E_INVAL, "%s: has no rules (%s)", name,
                     len == 0        ? "the file is empty"
                     : rs->n_keys    ? "key declarations without a default only: no record could get a label"
                                     : "nothing but comments, blank lines and includes without rules");
}

int iof__rules_load_mem(const char *name, const char *text, size_t len, unsigned flags,
                        iof__ruleset **out, char *err, size_t errlen)
{
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    if (!name || (!text && len))
        return iof__fail(err, errlen, IOF_E_INVAL, "no rule text");
    if (len > IOF_RULES_MAX_FILE_BYTES)
        return iof__fail(err, errlen, IOF_E_LIMIT, "%s: larger than %u bytes", name,
                         IOF_RULES_MAX_FILE_BYTES);
    iof__ruleset *rs = calloc(1, sizeof *rs);
    if (!rs)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    parser P = { .rs = rs, .err = err, .errlen = errlen, .flags = flags };
    int rc = 0;
    char *canon = realpath(name, NULL);
    if (!canon)
        canon = strdup(name);
    if (!canon)
        rc = IOF_E_NOMEM;
    else
        P.stack[P.n_stack++] = canon;
    if (rc == 0)
        rc = parse_text(&P, name, text ? text : "", len);
    if (rc == 0)
        rc = nothing_to_give(rs, name, len, err, errlen);
    if (rc == 0)
        rc = iof__rules_finish(rs);
    for (int i = 0; i < P.n_stack; i++)
        free(P.stack[i]);
    free(P.scratch);
    if (rc != 0) {
        if (rc == IOF_E_NOMEM)
            iof__fail(err, errlen, rc, "%s: out of memory", name);
        else if (err && errlen && !err[0])
            iof__fail(err, errlen, rc, "%s: %s", name, iof_strerror(rc));
        iof__rules_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}

int iof__rules_load(const char *path, iof__ruleset **out, char *err, size_t errlen)
{
    *out = NULL;
    char *text;
    size_t len;
    const char *why;
    int code;
    if (read_file(path, &text, &len, &why, &code) != 0)
        return iof__fail(err, errlen, code, "cannot read rules \"%s\": %s", path, why);
    int rc = iof__rules_load_mem(path, text, len, 0, out, err, errlen);
    free(text);
    return rc;
}
