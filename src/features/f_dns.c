/* dns (Joy's dns=1; docs/JOY.md "dns"): the DNS messages of a flow, as Joy 3.0.3 prints them.
 *
 * Joy's dns_filter: a UDP record whose key has port 53 on either side, or whose application
 * was identified as DNS (Joy's UDP keyword: a standard query with RD and one question, app
 * 53). mDNS (5353) is not in it (the custom-flow columns below take it). Each such packet of a
 * record, while fewer than IOF_JOY_DNS_PKTS (Joy's NUM_PKT_LEN, 50) were kept, is kept when its
 * data has at least 13 bytes (Joy: "not long enough to be a proper DNS packet").
 *
 * Joy keeps the raw messages and renders them when it prints the flow; the rendering depends
 * on the message alone, so here each kept message is rendered at once, through proto/dns.h,
 * into a fixed arena of the record's state (no allocation): a message whose text does not fit
 * ends the list (counted in `dropped`; docs/JOY.md "Differences from Joy").
 *
 * One message, as Joy's dns_print_packet writes it:
 *   {"qn":"<name>","rc":R,"rr":[{<rdata>,"ttl":T},...]}
 * "qn" for a query, "rn" for a response (QR), the question's name in Joy's text (proto/dns.h
 * IOF_DNS_TEXT_JOY), absent when QDCOUNT is 0; R the RCODE; then the ANCOUNT answers (the
 * authority and additional sections are not read). <rdata> for class IN: "a":"<dotted quad>"
 * (RDLENGTH must be 4), "cname" / "ptr" / "soa" (its MNAME) :"<name>", "txt":"NYI"; any other
 * type (AAAA included: Joy 3.0.3 has no aaaa) and any other class:
 * "type":"<hex>","class":"<hex>","rdlength":N, N being the RDLENGTH field's two bytes read in
 * the host order of Joy's x86 build (byte-swapped: 16 is 4096). A problem ends the message
 * with "malformed":N, N Joy's count of bytes left (see render).
 *
 * Custom-flow columns (--features dns; docs/OUTPUT.md "Feature columns"): with cols_only the
 * state keeps no arena but, in its place, a fixed summary per direction (dns_sum), made from each message
 * through proto/dns.h as it passes (Joy's filter widened to the DNS wire format's two link-local
 * protocols, mDNS on port 5353 and LLMNR on 5355 — an IoT network's names are mostly announced
 * there, and Joy's JSON keeps port 53 only; a message needs its 12-byte header): its count, the first question's name and type, the first response's RCODE, the
 * responses' answer count and their first DNS_COL_ADDRS A / AAAA addresses as text. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/nametext.h"
#include "common/rd.h"
#include "flow/attrib.h"
#include "features/feature.h"
#include "output/textbuf.h"
#include "proto/dns.h"

#define DNS_PORT 53
#define MDNS_PORT 5353            /* RFC 6762 (columns only) */
#define LLMNR_PORT 5355           /* RFC 4795 (columns only) */
#define DNS_MIN_LEN 13            /* Joy keeps a message of at least 13 bytes */
#define DNS_CLASS_IN 1
#define DNS_T_SOA 6
#define DNS_ERR_TOO_MANY 8        /* Joy's dns_err_too_many, in its qdcount "DEBUG" text */

#define DNS_COL_NAME 256          /* text bytes of the question name kept (a longer one is cut) */
#define DNS_COL_ADDRS 8           /* answer addresses kept per direction */
#define DNS_COL_ADDR_TEXT 46      /* room for one address's text and its separator */

/* One direction's messages, for the custom-flow columns. */
typedef struct dns_sum {
    int64_t q_us, r_us;           /* times of the first question / first response */
    uint32_t msgs;                /* messages (whole header) that passed the filter */
    uint32_t answers;             /* ANCOUNT of the responses, summed (saturating) */
    uint16_t qtype;               /* the first question's */
    uint16_t qname_len;
    uint8_t rcode;                /* the first response's */
    bool has_q, has_r;
    bool qname_cut;               /* the first question's name did not fit DNS_COL_NAME */
    bool addrs_cut;               /* an address past the first DNS_COL_ADDRS was left out */
    uint8_t naddr;
    uint16_t addr_end[DNS_COL_ADDRS];   /* address k: addrs[k ? addr_end[k-1] + 1 : 0 .. addr_end[k]) */
    char qname[DNS_COL_NAME];
    char addrs[DNS_COL_ADDRS * DNS_COL_ADDR_TEXT];  /* space-separated */
} dns_sum;

typedef struct dns_state {
    bool seen;                    /* a packet passed the filter (Joy: record->dns allocated) */
    uint8_t n;                    /* messages kept */
    uint8_t dropped;              /* messages whose text did not fit (saturating) */
    uint16_t used;                /* arena bytes used */
    union {
        dns_sum sum;              /* cols_only: the columns' summary */
        /* Joy: per message its text length (2 bytes, little-endian) and its text */
        uint8_t arena[IOF_JOY_DNS_ARENA];
    };
} dns_state;

static bool dns_enabled(const iof__feat_opts *o) { return o->dns; }

static size_t dns_size(const iof__feat_opts *o)
{
    return o->cols_only ? offsetof(dns_state, sum) + sizeof(dns_sum) : sizeof(dns_state);
}

/* Left out of the clean part (not zeroed: most records never use them): Joy's arena, written
 * in order and read only up to what was written (used), and the columns' summary's fixed
 * buffers, the question name and the addresses, read below qname_len and addr_end[] */
static size_t dns_clean(const iof__feat_opts *o)
{
    return o->cols_only ? offsetof(dns_state, sum.qname) : offsetof(dns_state, arena);
}

/* the columns' summary: the question name below qname_len, the addresses below the last one's
 * end (Joy's arena is not in custom-flow records) */
static uint32_t dns_used(const void *st, const iof__feat_opts *o, iof__feat_span sp[IOF_FEAT_MAX_SPANS])
{
    (void)o;
    const dns_sum *u = &((const dns_state *)st)->sum;
    sp[0] = IOF_FEAT_SPAN(dns_state, sum.qname, u->qname_len);
    sp[1] = IOF_FEAT_SPAN(dns_state, sum.addrs, u->naddr ? u->addr_end[u->naddr - 1] : 0);
    return 2;
}

/* A bounded writer on the arena: once full it writes nothing more. */
typedef struct aw {
    uint8_t *p;
    size_t cap, n;
    bool full;
} aw;

static void aw_put(aw *w, const void *s, size_t n)
{
    if (w->full || n > w->cap - w->n) {
        w->full = true;
        return;
    }
    memcpy(w->p + w->n, s, n);
    w->n += n;
}

static void aw_puts(aw *w, const char *s) { aw_put(w, s, strlen(s)); }

static void aw_u32(aw *w, uint32_t v)
{
    char t[16];
    int k = snprintf(t, sizeof t, "%u", (unsigned)v);
    aw_put(w, t, (size_t)k);
}

/* A name in Joy's text, as a JSON string's contents: Joy prints '"' and '\\' as they are
 * (its line is then not JSON); we escape them. */
static void aw_text(aw *w, const char *t)
{
    for (; *t; t++) {
        if (*t == '"' || *t == '\\')
            aw_put(w, "\\", 1);
        aw_put(w, t, 1);
    }
}

static void aw_malformed(aw *w, long left)
{
    char t[32];
    int k = snprintf(t, sizeof t, "\"malformed\":%ld", left);
    aw_put(w, t, (size_t)k);
}

/* The name at off in Joy's text; false when it is malformed or cut short. */
static bool joy_name(const iof__dns_msg *m, size_t off, char *t, size_t *wire)
{
    return iof__dns_name_text(m, off, IOF_DNS_TEXT_JOY, t, IOF_DNS_NAME_TEXT, wire) ==
           IOF_PROTO_OK;
}

/* One answer's RDATA as Joy prints it; false (nothing written) when Joy finds it malformed.
 * *left_rdata = the RDATA bytes Joy has not consumed (it subtracts them from its count). */
static bool put_rdata(aw *w, const iof__dns_msg *m, const iof__dns_rr *rr, long *left_rdata)
{
    char t[IOF_DNS_NAME_TEXT];
    *left_rdata = 0;
    if (rr->rclass == DNS_CLASS_IN && !rr->top_bit) {
        if (rr->type == IOF_DNS_T_A) {
            if (rr->rdlen != 4)
                return false;
            const uint8_t *a = m->base + rr->rdata_off;
            char q[20];
            int k = snprintf(q, sizeof q, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
            aw_puts(w, "\"a\":\"");
            aw_put(w, q, (size_t)k);
            aw_puts(w, "\"");
            return true;
        }
        if (rr->type == DNS_T_SOA || rr->type == IOF_DNS_T_PTR || rr->type == IOF_DNS_T_CNAME) {
            /* the name at the start of RDATA, its own bytes inside RDATA (Joy bounds the walk
             * by RDLENGTH; a pointer may lead anywhere before) */
            size_t wire = 0;
            if (!rr->rdlen || !joy_name(m, rr->rdata_off, t, &wire) || wire > rr->rdlen)
                return false;
            aw_puts(w, rr->type == DNS_T_SOA ? "\"soa\":\"" :
                       rr->type == IOF_DNS_T_PTR ? "\"ptr\":\"" : "\"cname\":\"");
            aw_text(w, t);
            aw_puts(w, "\"");
            *left_rdata = (long)(rr->rdlen - wire);
            return true;
        }
        if (rr->type == IOF_DNS_T_TXT) {
            aw_puts(w, "\"txt\":\"NYI\"");
            *left_rdata = rr->rdlen;   /* Joy leaves the TXT data unread */
            return true;
        }
    }
    char q[64];
    uint16_t swapped = (uint16_t)(rr->rdlen >> 8 | (rr->rdlen & 0xffu) << 8);
    int k = snprintf(q, sizeof q, "\"type\":\"%x\",\"class\":\"%x\",\"rdlength\":%u",
                     (unsigned)rr->type,
                     (unsigned)(rr->rclass | (rr->top_bit ? 0x8000u : 0u)), (unsigned)swapped);
    aw_put(w, q, (size_t)k);
    return true;
}

/* One message rendered as Joy's dns_print_packet does (len >= 13). Joy's count of bytes left
 * (`left`, printed with "malformed") starts after the header and goes down by each name's
 * wire bytes, the question's 4, each answer's 10 and the RDATA bytes a name or TXT left
 * unread (not by the A / other RDATA it reads). */
static void render(aw *w, const uint8_t *p, size_t len, uint32_t wire_len)
{
    iof__dns_msg m;
    iof__dns_rr rr;
    char t[IOF_DNS_NAME_TEXT];
    long left = (long)wire_len - IOF_DNS_HDR_LEN;
    aw_puts(w, "{");
    (void)iof__dns_open(&m, p, len);   /* len >= 13: OK */
    uint16_t qd = m.count[IOF_DNS_QD];
    if (qd > 1) {   /* Joy's text, DEBUG key included (it prints it in every build) */
        char q[64];
        int k = snprintf(q, sizeof q, ",\"DEBUG\": \"qdcount=%u; err=%u\"}", (unsigned)qd,
                         (unsigned)DNS_ERR_TOO_MANY);
        aw_malformed(w, left);
        aw_put(w, q, (size_t)k);
        return;
    }
    if (qd == 1) {
        size_t wire = 0;
        if (!iof__dns_next(&m, &rr) || !joy_name(&m, rr.name_off, t, &wire)) {
            /* Joy writes "malformed" and a DEBUG text that ends its line's JSON; we close the
             * message (docs/JOY.md) */
            aw_malformed(w, left);
            aw_puts(w, "}");
            return;
        }
        left -= (long)wire + 4;
        aw_puts(w, m.flags & IOF_DNS_FLAG_QR ? "\"rn\":\"" : "\"qn\":\"");
        aw_text(w, t);
        aw_puts(w, "\",");
    }
    aw_puts(w, "\"rc\":");
    aw_u32(w, IOF_DNS_RCODE(m.flags));
    aw_puts(w, ",\"rr\":[");
    for (uint16_t i = 0; i < m.count[IOF_DNS_AN]; i++) {
        aw_puts(w, i ? ",{" : "{");
        size_t at = m.off, wire = 0;
        if (!iof__dns_next(&m, &rr)) {
            /* the owner name or the record's fixed part is bad or cut short: Joy's count is
             * the one after the name when the name is good */
            if (iof__dns_name(&m, at, NULL, 0, &wire) == IOF_PROTO_OK)
                left -= (long)wire;
            aw_malformed(w, left);
            aw_puts(w, "}]}");
            return;
        }
        (void)iof__dns_name(&m, rr.name_off, NULL, 0, &wire);
        left -= (long)wire + 10;
        long unread = 0;
        if (!put_rdata(w, &m, &rr, &unread)) {
            aw_malformed(w, left);
            aw_puts(w, "}]}");
            return;
        }
        left -= unread;
        aw_puts(w, ",\"ttl\":");
        aw_u32(w, rr.ttl);
        aw_puts(w, "}");
    }
    aw_puts(w, "]}");
}

/* An answer's address (A, AAAA of class IN) appended to the summary's text. When anonymising, a
 * local one is written as the zero address (flow/attrib.h), and so is every address of a
 * link-scope message (mDNS, LLMNR: `link`), whose answers are the network's own devices, a
 * global IPv6 one included (its /64 and, with an EUI-64 interface ID, the device's MAC). */
static void sum_addr(dns_sum *u, const iof__dns_msg *m, const iof__dns_rr *rr, bool anonymise, bool link)
{
    uint8_t ip[16] = { 0 };
    if (rr->rclass != DNS_CLASS_IN ||
        !((rr->type == IOF_DNS_T_A && rr->rdlen == 4) || (rr->type == IOF_DNS_T_AAAA && rr->rdlen == 16)))
        return;
    if (u->naddr >= DNS_COL_ADDRS) {
        u->addrs_cut = true;
        return;
    }
    iof__rd r = rd_init(m->base, m->len);   /* inside the message: the iterator checked */
    rd_skip(&r, rr->rdata_off);
    const uint8_t *a = rd_bytes(&r, rr->rdlen);
    if (!a)
        return;
    if (!(anonymise && link))
        memcpy(ip, a, rr->rdlen);
    size_t at = u->naddr ? u->addr_end[u->naddr - 1] + 1u : 0;
    char t[48];
    uint8_t v = rr->rdlen == 4 ? 4 : 6;
    uint32_t n = iof__fmt_ip(v, iof__ip_anon(v, ip, anonymise), t);
    if (at)
        u->addrs[at - 1] = ' ';
    memcpy(u->addrs + at, t, n);   /* n <= 45 < DNS_COL_ADDR_TEXT */
    u->addr_end[u->naddr++] = (uint16_t)(at + n);
}

/* One message into the direction's summary. */
static void summarise(dns_sum *u, const uint8_t *p, size_t len, int64_t ts_us, bool anonymise, bool link)
{
    iof__dns_msg m;
    iof__dns_rr rr;
    if (iof__dns_open(&m, p, len) != IOF_PROTO_OK)
        return;
    if (u->msgs < UINT32_MAX)
        u->msgs++;
    bool resp = (m.flags & IOF_DNS_FLAG_QR) != 0;
    if (resp) {
        if (!u->has_r) {
            u->has_r = true;
            u->r_us = ts_us;
            u->rcode = (uint8_t)IOF_DNS_RCODE(m.flags);
        }
        uint32_t an = m.count[IOF_DNS_AN];
        u->answers = an > UINT32_MAX - u->answers ? UINT32_MAX : u->answers + an;
    }
    while (iof__dns_next(&m, &rr) && rr.section <= IOF_DNS_AN) {
        if (rr.section == IOF_DNS_QD && !u->has_q) {
            char t[IOF_DNS_NAME_TEXT];
            if (iof__dns_name(&m, rr.name_off, t, sizeof t, NULL) != IOF_PROTO_OK)
                continue;
            size_t full = strlen(t);
            if (anonymise)   /* a local address's reverse-lookup name, or the address as a
                                name: the address rule's (attrib.h) */
                full = iof__dnsname_anon(t, full, link);
            size_t n = iof__name_cut(t, full, DNS_COL_NAME); /* never half an escape */
            u->qname_cut = n < full;
            u->qname_len = (uint16_t)n;
            memcpy(u->qname, t, u->qname_len);
            u->qtype = rr.type;
            u->q_us = ts_us;
            u->has_q = true;
        } else if (rr.section == IOF_DNS_AN && resp)
            sum_addr(u, &m, &rr, anonymise, link);
    }
}

static bool dns_port(const iof__feat_pkt *fp)
{
    return fp->key_sp == DNS_PORT || fp->key_dp == DNS_PORT || fp->app_dns;
}

static bool dns_link(const iof__feat_pkt *fp)
{
    return fp->key_sp == MDNS_PORT || fp->key_dp == MDNS_PORT || fp->key_sp == LLMNR_PORT || fp->key_dp == LLMNR_PORT;
}

/* not UDP, or off DNS's port (and, for the columns, mDNS's and LLMNR's) */
static bool dns_idle(const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    return fp->key_proto != 17 || !(dns_port(fp) || (o->cols_only && dns_link(fp)));
}

static void dns_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    dns_state *s = st;
    if (dns_idle(fp, o))
        return;
    if (o->cols_only) {
        bool link = dns_link(fp);
        s->seen = true;
        summarise(&s->sum, fp->data, fp->data ? fp->len : 0, fp->ts_us, o->anonymise, link);
        return;
    }
    s->seen = true;
    if (s->n >= IOF_JOY_DNS_PKTS || s->dropped || fp->wire_len < DNS_MIN_LEN || !fp->data ||
        fp->len < IOF_DNS_HDR_LEN)
        return;   /* Joy: no more room / too short; a header cut by the capture: not kept */
    if (IOF_JOY_DNS_ARENA - s->used < 2) {
        s->dropped = 1;
        return;
    }
    aw w = { .p = s->arena + s->used + 2, .cap = IOF_JOY_DNS_ARENA - s->used - 2u };
    render(&w, fp->data, fp->len, fp->wire_len);
    if (w.full) {
        s->dropped = 1;   /* the list ends here: it stays a prefix of Joy's */
        return;
    }
    s->arena[s->used] = (uint8_t)(w.n & 0xffu);
    s->arena[s->used + 1] = (uint8_t)(w.n >> 8);
    s->used = (uint16_t)(s->used + 2 + w.n);
    s->n++;
}

static void put_list(iof__tbuf *b, const dns_state *s)
{
    size_t at = 0;
    for (uint8_t i = 0; i < s->n; i++) {
        size_t n = (size_t)s->arena[at] | (size_t)s->arena[at + 1] << 8;
        if (i)
            iof__tb_putc(b, ',');
        iof__tb_put(b, s->arena + at + 2, n);
        at += 2 + n;
    }
}

/* Joy's dns_print_json: nothing unless the out side has a DNS state; a one-way flow prints its
 * messages; a pair prints the **in** side's (its twin's) messages only — none when the in
 * side kept none but the out side did: "dns":[] — and nothing when neither kept one. */
/* The side whose messages Joy prints: the in side's in a pair (si: a twin that passed the
 * filter), else the out side's. */
static const dns_state *dns_printed(const dns_state *so, const dns_state *si) { return si ? si : so; }

/* the printed side's list was ended by a message whose text did not fit the arena (Joy keeps
 * 50 whatever their size) */
static bool dns_cut(const void *out, const void *in)
{
    const dns_state *so = out;
    return so->seen && dns_printed(so, in && ((const dns_state *)in)->seen ? in : NULL)->dropped != 0;
}

static void dns_json(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o)
{
    (void)o;
    const dns_state *so = out, *si = in;
    if (!so->seen)
        return;
    if (si && !si->seen) /* Joy passes twin->dns: NULL when the twin never passed the filter */
        si = NULL;
    if (si ? !so->n && !si->n : !so->n)
        return;
    iof__tb_puts(b, ",\"dns\":[");
    put_list(b, dns_printed(so, si));
    iof__tb_putc(b, ']');
}

/* Custom-flow columns. A question's columns come from the direction whose first question is
 * the earlier (a tie: out), the response's from the direction whose first response is (a tie:
 * in, where a device's answers arrive); dns_messages adds both. */
enum { DNS_COL_MESSAGES = 0, DNS_COL_QNAME, DNS_COL_QTYPE, DNS_COL_RCODE, DNS_COL_ANSWERS, DNS_COL_ADDRS_TEXT,
       DNS_COL_ADDRS_LIST };

static int dns_declare(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base)
{
    (void)o;
    static const struct { uint32_t id; const char *name; iof__vtype t; const char *doc; } c[] = {
        { DNS_COL_MESSAGES, "dns_messages", IOF_VT_INT64, "DNS messages (UDP port 53, mDNS 5353, LLMNR 5355) in the record (null: none)" },
        { DNS_COL_QNAME, "dns_qname", IOF_VT_STRING, "the first question's name (null: no question)" },
        { DNS_COL_QTYPE, "dns_qtype", IOF_VT_INT32, "the first question's type, e.g. 1 A, 28 AAAA (null: no question)" },
        { DNS_COL_RCODE, "dns_rcode", IOF_VT_INT32, "the first response's RCODE, 0 NOERROR, 3 NXDOMAIN (null: no response)" },
        { DNS_COL_ANSWERS, "dns_answers", IOF_VT_INT64, "answer records (ANCOUNT) of the responses, summed (null: no response)" },
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        IOF_TRY(iof__schema_add(s, c[i].name, c[i].t, true, false, field, base + c[i].id, c[i].doc));
    return iof__schema_add(s, "dns_addrs", IOF_VT_STRING, true, !wide, field,
                           base + (wide ? DNS_COL_ADDRS_TEXT : DNS_COL_ADDRS_LIST),
                           wide ? "the responses' first 8 A/AAAA answer addresses, space-separated (null: no response)"
                                : "the responses' first 8 A/AAAA answer addresses (null: no response)");
}

/* The direction (out or in) whose first question (resp false) / response (true) is the earlier. */
static const dns_sum *dns_side(const dns_state *a, const dns_state *t, bool resp)
{
    const dns_sum *x = &a->sum, *y = t ? &t->sum : NULL;
    bool hx = resp ? x->has_r : x->has_q, hy = y && (resp ? y->has_r : y->has_q);
    if (!hx || !hy)
        return hx ? x : hy ? y : NULL;
    int64_t tx = resp ? x->r_us : x->q_us, ty = resp ? y->r_us : y->q_us;
    return tx < ty || (tx == ty && !resp) ? x : y;
}

static void set_text(iof__value *v, const char *p, size_t n)
{
    v->null = false;
    v->p = (const uint8_t *)p;
    v->len = (uint32_t)n;
}

static void dns_get(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v)
{
    const dns_state *a = out, *t = in;
    v->null = true;
    const dns_sum *q = dns_side(a, t, false), *r = dns_side(a, t, true);
    uint64_t msgs = (uint64_t)a->sum.msgs + (t ? t->sum.msgs : 0u);
    switch (id) {
    case DNS_COL_MESSAGES:
        v->null = msgs == 0;
        v->i = (int64_t)msgs;
        break;
    case DNS_COL_QNAME:
        if (q)
            set_text(v, q->qname, q->qname_len);
        break;
    case DNS_COL_QTYPE:
        v->null = !q;
        v->i = q ? q->qtype : 0;
        break;
    case DNS_COL_RCODE:
        v->null = !r;
        v->i = r ? r->rcode : 0;
        break;
    case DNS_COL_ANSWERS:
        v->null = !r;
        v->i = (int64_t)a->sum.answers + (t ? t->sum.answers : 0u);
        break;
    case DNS_COL_ADDRS_TEXT:
        if (r)
            set_text(v, r->addrs, r->naddr ? r->addr_end[r->naddr - 1] : 0);
        break;
    case DNS_COL_ADDRS_LIST:
        if (r && k < r->naddr) {
            size_t at = k ? r->addr_end[k - 1] + 1u : 0;
            set_text(v, r->addrs + at, r->addr_end[k] - at);
        }
        break;
    default: break;
    }
}

static uint32_t dns_count(const void *out, const void *in, uint32_t id)
{
    const dns_sum *r = dns_side(out, in, true);
    return id != DNS_COL_ADDRS_LIST ? 0 : r ? r->naddr : UINT32_MAX;
}

/* the question name or the address list the columns show was cut */
static bool dns_cols_cut(const void *out, const void *in)
{
    const dns_sum *q = dns_side(out, in, false), *r = dns_side(out, in, true);
    return (q && q->qname_cut) || (r && r->addrs_cut);
}

static const iof__feat_cols dns_cols = {
    .declare = dns_declare,
    .get = dns_get,
    .count = dns_count,
    .cut = dns_cols_cut,
};

const iof__feature iof__feat_dns = {
    .name = "dns",
    .joy_slot = IOF_FEAT_JOY_MODULES,
    .enabled = dns_enabled,
    .state_size = dns_size,
    .clean_size = dns_clean,
    .used = dns_used,
    .update = dns_update,
    .idle = dns_idle,
    .joy_json = dns_json,
    .cols = &dns_cols,
    .cut = dns_cut,
};
