/* Relabelling a Joy file (-f joy of ours, or Joy 3.0.3's own output): gzip (or plain) NDJSON,
 * Joy's configuration object on line 1, then one flow per line. Line 1 is copied as it is; in
 * each flow, the old labels (members named like a new key K or K_rule, and every X, X_rule pair)
 * are dropped and the new keys end the object as "K":value,"K_rule":provenance, where -f joy
 * --rules writes them; the other members are copied as their JSON text. The rules see the flow
 * as kinds/joy_attrs.c describes a Joy flow (the same function as at extraction). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "dataset/relabel_int.h"
#include "kinds/joy_json.h"
#include "kinds/labelcols.h"

#define JOY_MAX_SUB 64 /* members of the ip object and of its sides */

bool iof__rl_is_joy(const char *path)
{
    size_t n = strlen(path), m = strlen(".json.gz");
    return n > m && strcmp(path + n - m, ".json.gz") == 0;
}

/* Next non-empty line of the gzip input into j->line (no line break): 1, 0 at the end, or an
 * error. A NUL byte in a line is an error (gzgets cannot tell where such a line ends). */
static int gz_line(job *j, size_t *len)
{
    for (;;) {
        size_t n = 0;
        for (;;) {
            if (j->line_cap - n < 2) {
                size_t cap = j->line_cap ? 2 * j->line_cap : 65536;
                if (cap > (size_t)IOF_DS_MAX_LINE + 2)
                    return iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s:%ld: line longer than %u bytes", j->in,
                                     j->s.line + 1, IOF_DS_MAX_LINE);
                char *p = realloc(j->line, cap);
                if (!p)
                    return iof__fail(j->err, j->errlen, IOF_E_NOMEM, "out of memory");
                j->line = p;
                j->line_cap = cap;
            }
            if (!gzgets(j->gzin, j->line + n, (int)(j->line_cap - n > INT32_MAX ? INT32_MAX : j->line_cap - n))) {
                int zerr;
                const char *msg = gzerror(j->gzin, &zerr);
                if (zerr != Z_OK && zerr != Z_STREAM_END)
                    return iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s:%ld: %s", j->in, j->s.line + 1,
                                     zerr == Z_ERRNO ? strerror(errno) : msg);
                if (n == 0)
                    return 0;
                break;
            }
            size_t got = strlen(j->line + n);
            n += got;
            if (n && j->line[n - 1] == '\n')
                break;
            if (got == 0 || (j->line_cap - n > 1 && !gzeof(j->gzin)))
                return iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s:%ld: NUL byte in a line", j->in, j->s.line + 1);
        }
        j->s.line++;
        while (n && (j->line[n - 1] == '\n' || j->line[n - 1] == '\r'))
            j->line[--n] = '\0';
        if (n) {
            *len = n;
            return 1;
        }
    }
}

static const iof__json_member *member(const iof__json_member *m, int n, const char *key)
{
    size_t kl = strlen(key);
    for (int i = 0; i < n; i++)
        if (m[i].key_len == kl && memcmp(m[i].key, key, kl) == 0)
            return &m[i];
    return NULL;
}

static bool num_int(const iof__json_member *m, int64_t lo, int64_t hi, int64_t *out)
{
    return m && m->type == IOF_JSON_NUMBER && iof__json_int64(m->val, m->val_len, out) && *out >= lo && *out <= hi;
}

/* Joy's seconds with a fraction ("1536819903.902347") in µs, exactly (digits past the sixth
 * decimal are cut, as the µs clock Joy's 6 decimals come from); false past what ns can hold. */
static bool num_us(const iof__json_member *m, int64_t *us)
{
    if (!m || m->type != IOF_JSON_NUMBER)
        return false;
    const char *p = m->val, *e = m->val + m->val_len;
    int64_t s = 0, f = 0;
    int fd = 0;
    if (p == e || *p == '-')
        return false;
    for (; p < e && *p >= '0' && *p <= '9'; p++) {
        if (s > (INT64_MAX / 1000000 - 9) / 10)
            return false;
        s = s * 10 + (*p - '0');
    }
    if (p < e && *p == '.')
        for (p++; p < e && *p >= '0' && *p <= '9'; p++)
            if (fd < 6)
                f = f * 10 + (*p - '0'), fd++;
    if (p != e)
        return false; /* an exponent: not how Joy writes times */
    for (; fd < 6; fd++)
        f *= 10;
    *us = s * 1000000 + f;
    return *us <= INT64_MAX / 1000; /* the rules read ns (up to the year 2262) */
}

static bool str_ip(const iof__json_member *m, uint8_t *ver, uint8_t ip[16])
{
    char t[64];
    if (!m || m->type != IOF_JSON_STRING || m->val_len >= sizeof(t))
        return false;
    memcpy(t, m->val, m->val_len);
    t[m->val_len] = '\0';
    memset(ip, 0, 16);
    if (inet_pton(AF_INET, t, ip) == 1)
        return *ver = 4, true;
    if (inet_pton(AF_INET6, t, ip) == 1)
        return *ver = 6, true;
    return false;
}

/* ip.<side>.ttl: 1 found, 0 no such side, -1 malformed. */
static int side_ttl(const iof__json_member *ip, const char *side, uint8_t *ttl)
{
    iof__json_member sub[JOY_MAX_SUB], sub2[JOY_MAX_SUB];
    const char *why;
    size_t at;
    int n = iof__json_object(ip->val, ip->val_len, sub, JOY_MAX_SUB, &why, &at);
    if (n < 0)
        return -1;
    const iof__json_member *s = member(sub, n, side);
    if (!s)
        return 0;
    if (s->type != IOF_JSON_OBJECT)
        return -1;
    int n2 = iof__json_object(s->val, s->val_len, sub2, JOY_MAX_SUB, &why, &at);
    int64_t t;
    if (n2 < 0 || !num_int(member(sub2, n2, "ttl"), 0, 255, &t))
        return -1;
    *ttl = (uint8_t)t;
    return 1;
}

static int bad(job *j, const char *what)
{
    return iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s:%ld: %s", j->in, j->s.line, what);
}

/* The flow's attributes (kinds/joy_attrs.c's view). need_ttl: the rules read a TTL, so a flow
 * without Joy's ip member is an error, not a missing TTL. */
static int flow_attrs(job *j, const iof__json_member *m, int n, bool need_ttl, iof__lbl_attrs *a)
{
    uint8_t sa[16], da[16], va, vd;
    int64_t pr, sp = 0, dp = 0;
    iof__joy_lbl_src s = { .sa = sa, .da = da };
    if (!str_ip(member(m, n, "sa"), &va, sa) || !str_ip(member(m, n, "da"), &vd, da) || va != vd)
        return bad(j, "sa / da: not two IP addresses of one version");
    s.ipver = va;
    if (!num_int(member(m, n, "pr"), 0, 255, &pr))
        return bad(j, "pr: not a protocol number 0-255");
    s.proto = (uint8_t)pr;
    if ((pr == 6 || pr == 17) &&
        (!num_int(member(m, n, "sp"), 0, 65535, &sp) || !num_int(member(m, n, "dp"), 0, 65535, &dp)))
        return bad(j, "sp / dp: not ports 0-65535 on a TCP or UDP flow");
    s.sp = (uint16_t)sp;
    s.dp = (uint16_t)dp;
    if (!num_us(member(m, n, "time_start"), &s.start_us) || !num_us(member(m, n, "time_end"), &s.end_us))
        return bad(j, "time_start / time_end: not Joy's seconds");
    const iof__json_member *ip = member(m, n, "ip");
    if (ip && ip->type == IOF_JSON_OBJECT) {
        int o = side_ttl(ip, "out", &s.ttl_out), i = side_ttl(ip, "in", &s.ttl_in);
        if (o < 0 || i < 0 || (o == 0 && need_ttl))
            return bad(j, "ip: not Joy's {\"out\":{\"ttl\":N,...},\"in\":{...}}");
        s.has_in = i == 1;
    } else if (need_ttl) {
        return bad(j, "no ip member (Joy's TTLs), and the rules read ttl.out / ttl.in");
    }
    iof__joy_lbl_attrs_from(&s, a);
    if (!ip && !need_ttl) /* no TTL to give: the rules do not read it */
        a->has &= ~(uint32_t)(IOF_LBL_HAS_TTL_OUT | IOF_LBL_HAS_TTL_IN);
    return IOF_OK;
}

/* Members to drop: a new key's K or K_rule, and every X, X_rule pair (an older run's labels). */
static void mark_labels(job *j, const iof__json_member *m, int n, bool *drop)
{
    for (int i = 0; i < n; i++)
        drop[i] = false;
    for (int i = 0; i + 1 < n; i++)
        if (iof__lbl_is_rule_of(m[i].key, m[i].key_len, m[i + 1].key, m[i + 1].key_len))
            drop[i] = drop[i + 1] = true;
    for (size_t k = 0; k < iof__labeller_nkeys(j->lb); k++)
        for (int rule = 0; rule < 2; rule++) {
            char name[IOF_MAX_COLNAME];
            iof__lbl_col_name(name, iof__labeller_key(j->lb, k), rule);
            for (int i = 0; i < n; i++)
                if (m[i].key_len == strlen(name) && memcmp(m[i].key, name, m[i].key_len) == 0)
                    drop[i] = true;
        }
}

int iof__rl_do_joy(job *j)
{
    /* a key that is one of Joy's member names would replace that member */
    for (size_t k = 0; k < iof__labeller_nkeys(j->lb); k++)
        for (int rule = 0; rule < 2; rule++) {
            char name[IOF_MAX_COLNAME];
            iof__lbl_col_name(name, iof__labeller_key(j->lb, k), rule);
            if (iof__joy_json_key_taken(name))
                return iof__fail(j->err, j->errlen, IOF_E_INVAL,
                                 "%s: key \"%s\" would write a member \"%s\", which Joy flows have (%s)",
                                 iof__labeller_key_where(j->lb, k), iof__labeller_key(j->lb, k), name, j->in);
        }
    const char *where[IOF_LBL_NEED__COUNT];
    iof__labeller_needs(j->lb, where);
    bool need_ttl = where[IOF_LBL_NEED_TTL_OUT] || where[IOF_LBL_NEED_TTL_IN];
    if (!(j->gzin = gzopen(j->in, "rb")))
        return iof__fail(j->err, j->errlen, IOF_E_IO, "%s: %s", j->in, errno ? strerror(errno) : "out of memory");
    size_t len;
    int rc = gz_line(j, &len);
    if (rc <= 0)
        return rc < 0 ? rc : iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s: empty (no Joy configuration line)", j->in);
    const char *why;
    size_t at;
    int n = iof__json_object(j->line, len, j->s.m, RL_MAX_MEMBERS, &why, &at);
    if (n < 0 || !member(j->s.m, n, "end-config"))
        return iof__fail(j->err, j->errlen, IOF_E_FORMAT,
                         "%s:1: not a Joy file (line 1 is not Joy's configuration object with \"end-config\")", j->in);
    if (!j->out)
        return IOF_OK;
    iof__tb_put(&j->tb, j->line, len);
    iof__tb_putc(&j->tb, '\n');
    IOF_TRY(iof__rl_flush(j));
    while ((rc = gz_line(j, &len)) > 0) {
        n = iof__json_object(j->line, len, j->s.m, RL_MAX_MEMBERS, &why, &at);
        if (n < 0)
            return iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s:%ld: column %zu: %s", j->in, j->s.line, at + 1, why);
        iof__lbl_attrs a;
        IOF_TRY(flow_attrs(j, j->s.m, n, need_ttl, &a));
        IOF_TRY(iof__rl_eval(j, &a));
        mark_labels(j, j->s.m, n, j->pl.drop);
        iof__tb_putc(&j->tb, '{');
        bool first = true;
        for (int i = 0; i < n; i++) {
            if (j->pl.drop[i])
                continue;
            iof__rl_put_member(j, &j->s.m[i], &first);
        }
        iof__rl_put_labels(j, false, false, &first);
        iof__tb_put(&j->tb, "}\n", 2);
        IOF_TRY(iof__rl_flush(j));
    }
    return rc;
}
