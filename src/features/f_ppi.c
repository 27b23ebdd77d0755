/* ppi (Joy's ppi=1; docs/JOY.md "ppi"): per-packet information of a TCP flow, and Joy's writer
 * of TCP option lists (also used for tcp.out/in.opts[]).
 *
 * Per direction, every segment Joy's TCP parser takes (with or without data; not a
 * retransmission, which goes to its "IP" path) up to 50 (Joy keeps 200, prints 50: NUM_PKT_LEN)
 * is kept: time, seq, ack, flags, data bytes, option length and the first 24 option bytes.
 * A flow writes "ppi":[...] with both sides' entries merged by time (a tie takes the in side),
 * nothing when the out side has no entry, the out side's alone when the in side has none.
 * Each entry is
 *   {"seq","ack","rseq","rack","b","olen","dir","t","flags","opts":[...]}
 * where, in Joy's order of printing, each side tracks a highest sequence number and a role:
 * rseq = seq - that side's highest seq so far (0 on a SYN, which resets it), rack = ack - the
 * other side's (0 without ACK); the first side printed becomes the client (its first entry
 * rseq = rack = 0), the other the server on its first entry (rseq = 0); "dir" is ">" for the
 * client and "<" for the server, so it follows who spoke first, not out/in; "t" is ms since
 * the earliest first entry of the two sides.
 *
 * Custom-flow columns (--features ppi; docs/OUTPUT.md "Feature columns"): the same entries of
 * each direction's TCP segments (a segment whose header was decoded; retransmissions too), plus
 * each one's window, merged by time as Joy does (a tie: the remote-to-device one first) and cut
 * at 50: ppi_count, then per entry its time (ms since the record's first entry), direction
 * (1 device to remote, as pkt_dir), flags, data bytes, window, and sequence and acknowledgement
 * numbers relative to each direction's first entry — lists in the nested layout, columns
 * ppi_<value>_NN in the wide one. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "features/feature.h"

#define PPI_ENTRIES 50       /* Joy prints at most NUM_PKT_LEN entries per side */
#define PPI_SYN 0x02
#define PPI_ACK 0x10

typedef struct ppi_entry {
    int64_t t_us;
    uint32_t seq, ack;
    uint16_t len;            /* Joy's unsigned short */
    uint16_t olen;           /* the header's option bytes (all of them) */
    uint16_t win;            /* the window field (custom-flow columns) */
    uint8_t flags;
    uint8_t opts[IOF_FEAT_TCP_OPT_LEN];   /* the first 24, zero-filled past the capture */
} ppi_entry;

typedef struct ppi_state {
    uint32_t n;
    ppi_entry e[PPI_ENTRIES];
} ppi_state;

static bool ppi_enabled(const iof__feat_opts *o) { return o->ppi; }

/* an entry is written whole (opts zero-filled) before n counts it, and read only below n: the
 * entries (2.4 KB) are left out of the clean part */
static size_t ppi_clean(const iof__feat_opts *o)
{
    (void)o;
    return offsetof(ppi_state, e);
}

/* the columns read the entries below n */
static uint32_t ppi_used(const void *st, const iof__feat_opts *o, iof__feat_span sp[IOF_FEAT_MAX_SPANS])
{
    (void)o;
    const ppi_state *s = st;
    sp[0] = IOF_FEAT_SPAN(ppi_state, e, s->n * sizeof(s->e[0]));
    return 1;
}

static void ppi_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    ppi_state *s = st;
    if (!fp->tcp || s->n >= PPI_ENTRIES)
        return;
    const iof__pkt *p = fp->pkt;
    ppi_entry *e = &s->e[s->n++];
    e->t_us = fp->ts_us;
    e->seq = p->tcp_seq;
    e->ack = p->tcp_ack;
    e->flags = p->tcp_flags;
    e->win = p->tcp_win;
    e->len = (uint16_t)(o->cols_only ? (fp->wire_len > UINT16_MAX ? UINT16_MAX : fp->wire_len) : fp->len);
    e->olen = (uint16_t)(p->l4_hlen - 20);
    memset(e->opts, 0, sizeof(e->opts));
    uint32_t k = fp->tcp_opts_len < IOF_FEAT_TCP_OPT_LEN ? fp->tcp_opts_len : IOF_FEAT_TCP_OPT_LEN;
    if (k)
        memcpy(e->opts, fp->tcp_opts, k);
}

/* One option as Joy writes it ("kind" 0 ends the list). opts[0..len) holds it, len >= 2 or a
 * no-operation. */
static void put_malformed(iof__tbuf *b, uint8_t kind, const uint8_t *d, uint32_t n)
{
    iof__tb_puts(b, "{\"malformed\":{\"kind\":");
    iof__tb_int(b, kind);
    iof__feat_put_hex(b, "data", d, n);
    iof__tb_puts(b, ",\"len\":");
    iof__tb_int(b, n);
    iof__tb_puts(b, "}}");
}

void iof__feat_tcp_opts_json(iof__tbuf *b, const uint8_t *opts, uint32_t len)
{
    uint32_t left = len < IOF_FEAT_TCP_OPT_LEN ? len : IOF_FEAT_TCP_OPT_LEN;
    const uint8_t *o = opts;
    bool first = true;
    iof__tb_puts(b, ",\"opts\":[");
    while (left > 0 && o[0] != 0) {     /* kind 0: end of the option list */
        uint32_t olen = o[0] == 1 ? 1 : left > 1 ? o[1] : 0;
        if (o[0] != 1 && left < 2)
            break;                       /* a kind without its length: Joy stops */
        if (!first)
            iof__tb_putc(b, ',');
        first = false;
        /* a length beyond the list, or 0 / 1 for an option that has a length byte (Joy
         * stops at 0; at 1 it would read far past the option, we stop too) */
        if (olen > left || olen == 0 || (o[0] != 1 && olen < 2)) {
            iof__tb_puts(b, "{\"malformed\":{\"kind\":");
            iof__tb_int(b, o[0]);
            iof__tb_puts(b, ",\"len\":");
            iof__tb_int(b, olen);
            iof__tb_puts(b, "}}");
            break;
        }
        const uint8_t *d = o + 2;
        uint32_t dl = olen - (o[0] == 1 ? 1 : 2);
        switch (o[0]) {
        case 1:
            iof__tb_puts(b, "{\"noop\":null}");
            break;
        case 2:   /* maximum segment size */
            if (dl != 2) {
                put_malformed(b, o[0], d, dl);
            } else {
                iof__tb_puts(b, "{\"mss\":");
                iof__tb_int(b, (int64_t)((uint32_t)d[0] << 8 | d[1]));
                iof__tb_putc(b, '}');
            }
            break;
        case 3:   /* window scale */
            if (dl != 1) {
                put_malformed(b, o[0], d, dl);
            } else {
                iof__tb_puts(b, "{\"ws\":");
                iof__tb_int(b, d[0]);
                iof__tb_putc(b, '}');
            }
            break;
        case 4:
            iof__tb_puts(b, "{\"sackp\":null}");
            break;
        case 8:   /* timestamps */
            if (dl != 8) {
                put_malformed(b, o[0], d, dl);
            } else {
                iof__tb_puts(b, "{\"ts\":{\"val\":");
                iof__tb_int(b, (int64_t)((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
                                         (uint32_t)d[2] << 8 | d[3]));
                iof__tb_puts(b, ",\"ecr\":");
                iof__tb_int(b, (int64_t)((uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 |
                                         (uint32_t)d[6] << 8 | d[7]));
                iof__tb_puts(b, "}}");
            }
            break;
        default:
            iof__tb_puts(b, "{\"kind\":");
            iof__tb_int(b, o[0]);
            iof__feat_put_hex(b, "data", d, dl);
            iof__tb_putc(b, '}');
        }
        left -= olen;
        o += olen;
    }
    iof__tb_putc(b, ']');
}

void iof__feat_tcp_flags(iof__tbuf *b, uint8_t flags)
{
    static const char names[] = "FSRPAUEC";   /* Joy's tcp_flags_to_string, bit 0 first */
    for (int i = 0; i < 8; i++)
        if (flags & (1u << i))
            iof__tb_putc(b, names[i]);
}

typedef struct ppi_side {
    uint32_t seq;
    uint8_t role;     /* 0 unknown, 1 client, 2 server (Joy's joy_role_e) */
} ppi_side;

static void put_entry(iof__tbuf *b, const ppi_entry *e, ppi_side *me, const ppi_side *peer,
                      int64_t t0)
{
    int64_t rseq, rack;
    if (e->flags & PPI_SYN) {
        me->seq = e->seq;
        rseq = 0;
    } else {
        rseq = (int64_t)e->seq - (int64_t)me->seq;
        if ((int32_t)(e->seq - me->seq) > 0)   /* sequence-space "greater" */
            me->seq = e->seq;
    }
    rack = (e->flags & PPI_ACK) ? (int64_t)e->ack - (int64_t)peer->seq : 0;
    /* the SYN and SYN/ACK may be missing: the first side seen is the client */
    if (me->role == 0) {
        if (peer->role == 0) {
            me->role = 1;
            me->seq = e->seq;
            rseq = rack = 0;
        } else if (peer->role == 1) {
            me->role = 2;
            me->seq = e->seq;
            rseq = 0;
        } else {
            me->role = 1;
        }
    }
    iof__tb_puts(b, "{\"seq\":");
    iof__tb_int(b, e->seq);
    iof__tb_puts(b, ",\"ack\":");
    iof__tb_int(b, e->ack);
    iof__tb_puts(b, ",\"rseq\":");
    iof__tb_int(b, rseq);
    iof__tb_puts(b, ",\"rack\":");
    iof__tb_int(b, rack);
    iof__tb_puts(b, ",\"b\":");
    iof__tb_int(b, e->len);
    iof__tb_puts(b, ",\"olen\":");
    iof__tb_int(b, e->olen);
    iof__tb_puts(b, me->role == 2 ? ",\"dir\":\"<\",\"t\":" : ",\"dir\":\">\",\"t\":");
    iof__tb_int(b, iof__joy_ms(e->t_us - t0));
    iof__tb_puts(b, ",\"flags\":\"");
    iof__feat_tcp_flags(b, e->flags);
    iof__tb_putc(b, '"');
    iof__feat_tcp_opts_json(b, e->opts, e->olen);
    iof__tb_putc(b, '}');
}

static void ppi_json(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o)
{
    (void)o;
    const ppi_state *a = out, *t = in;
    /* Joy writes ppi when the out side saw a TCP segment its parser took; an in side that saw
     * none has no ppi state in Joy, so the flow is written as one way */
    if (!a->n)
        return;
    if (t && !t->n)
        t = NULL;
    ppi_side sa = { 0 }, st = { 0 };
    int64_t t0 = a->e[0].t_us;
    if (t && !(a->e[0].t_us < t->e[0].t_us))
        t0 = t->e[0].t_us;
    uint32_t i = 0, j = 0, jmax = t ? t->n : 0;
    iof__tb_puts(b, ",\"ppi\":[");
    while (i < a->n || j < jmax) {
        if (i + j)
            iof__tb_putc(b, ',');
        if (!iof__feat_in_next(i < a->n, i < a->n ? a->e[i].t_us : 0, j < jmax, j < jmax ? t->e[j].t_us : 0))
            put_entry(b, &a->e[i++], &sa, &st, t0);
        else
            put_entry(b, &t->e[j++], &st, &sa, t0);
    }
    iof__tb_putc(b, ']');
}

/* ---- custom-flow columns ---- */

/* The values of an entry, in column order; a list's id is 1 + its value, a wide column's
 * PPI_COL_WIDE + value * 64 + entry */
enum { PPI_T = 0, PPI_DIR, PPI_FLAGS, PPI_B, PPI_WIN, PPI_RSEQ, PPI_RACK, PPI_VALUES };
enum { PPI_COL_COUNT = 0, PPI_COL_LIST = 1, PPI_COL_WIDE = 64 };
_Static_assert(PPI_ENTRIES <= 64 && PPI_COL_WIDE + PPI_VALUES * 64 <= IOF_FEAT_COL_IDS,
               "the wide column ids of one value fit 64");

static const struct {
    const char *name;
    iof__vtype t;
    const char *doc;
} ppi_vals[PPI_VALUES] = {
    { "t", IOF_VT_INT64, "ms since the record's first TCP segment, floored" },
    { "dir", IOF_VT_INT32, "1: device to remote, 0: remote to device" },
    { "flags", IOF_VT_INT32, "TCP flags byte (1 FIN, 2 SYN, 4 RST, 8 PSH, 16 ACK, 32 URG, 64 ECE, 128 CWR)" },
    { "b", IOF_VT_INT32, "TCP data bytes on the wire" },
    { "win", IOF_VT_INT32, "window field, as sent (not scaled)" },
    { "rseq", IOF_VT_INT64, "sequence number - the direction's first segment's, modulo 2^32" },
    { "rack", IOF_VT_INT64,
      "acknowledgement number - the other direction's first segment's sequence number, modulo 2^32 (0: no ACK "
      "flag, or no segment of the other direction in the record)" },
};

static int ppi_declare(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base)
{
    (void)o;
    IOF_TRY(iof__schema_add(s, "ppi_count", IOF_VT_INT32, false, false, field, base + PPI_COL_COUNT,
                            "TCP segments in the ppi columns: min(segments of the record, 50)"));
    char name[IOF_MAX_COLNAME];
    for (uint32_t v = 0; v < PPI_VALUES; v++) {
        if (!wide) {
            snprintf(name, sizeof(name), "ppi_%s", ppi_vals[v].name);
            IOF_TRY(iof__schema_add(s, name, ppi_vals[v].t, false, true, field, base + PPI_COL_LIST + v,
                                    ppi_vals[v].doc));
            continue;
        }
        for (uint32_t k = 0; k < PPI_ENTRIES; k++) {
            snprintf(name, sizeof(name), "ppi_%s_%02u", ppi_vals[v].name, k);
            IOF_TRY(iof__schema_add(s, name, ppi_vals[v].t, true, false, field, base + PPI_COL_WIDE + v * 64 + k,
                                    ppi_vals[v].doc));
        }
    }
    return IOF_OK;
}

static uint32_t ppi_n(const ppi_state *a, const ppi_state *t)
{
    uint32_t n = a->n + (t ? t->n : 0u);
    return n < PPI_ENTRIES ? n : PPI_ENTRIES;
}

/* The record's first TCP segment's time (one side has an entry) */
static int64_t ppi_t0(const ppi_state *a, const ppi_state *t)
{
    return a->n && (!t || !t->n || a->e[0].t_us < t->e[0].t_us) ? a->e[0].t_us : t->e[0].t_us;
}

/* Value `what` of entry e of the record (is_out: device to remote), t0 as ppi_t0 */
static int64_t ppi_value(const ppi_state *a, const ppi_state *t, const ppi_entry *e, bool is_out, uint32_t what,
                         int64_t t0)
{
    const ppi_state *me = is_out ? a : t, *peer = is_out ? t : a;
    switch (what) {
    case PPI_T: return iof__floor_ms(e->t_us - t0);
    case PPI_DIR: return is_out;
    case PPI_FLAGS: return e->flags;
    case PPI_B: return e->len;
    case PPI_WIN: return e->win;
    case PPI_RSEQ: return (uint32_t)(e->seq - me->e[0].seq);
    default:   /* PPI_RACK */
        return (e->flags & PPI_ACK) && peer && peer->n ? (uint32_t)(e->ack - peer->e[0].seq) : 0;
    }
}

/* Value `what` of the record's merged entries k0 .. k0 + m - 1 into v (has: 1, or 0 past the
 * merge's end): one walk of the merge, for a wide block (ppi_span) or one cell (ppi_get). */
static void ppi_fill(const ppi_state *a, const ppi_state *t, uint32_t what, uint32_t k0, uint32_t m, int64_t *v,
                     uint8_t *has)
{
    const uint32_t total = ppi_n(a, t), nt = t ? t->n : 0;
    const int64_t t0 = total ? ppi_t0(a, t) : 0;
    for (uint32_t e = 0, i = 0, j = 0; e < k0 + m; e++) {
        if (e >= total) { /* the rest are null */
            for (uint32_t q = e > k0 ? e - k0 : 0; q < m; q++)
                v[q] = 0, has[q] = 0;
            break;
        }
        bool from_in = iof__feat_in_next(i < a->n, i < a->n ? a->e[i].t_us : 0, j < nt, j < nt ? t->e[j].t_us : 0);
        if (e >= k0) {
            v[e - k0] = ppi_value(a, t, from_in ? &t->e[j] : &a->e[i], !from_in, what, t0);
            has[e - k0] = 1;
        }
        if (from_in)
            j++;
        else
            i++;
    }
}

static void ppi_get(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v)
{
    const ppi_state *a = out, *t = in;
    v->null = true;
    if (id == PPI_COL_COUNT) {
        v->null = false;
        v->i = ppi_n(a, t);
        return;
    }
    uint32_t what = id - PPI_COL_LIST;
    if (id >= PPI_COL_WIDE) {
        what = (id - PPI_COL_WIDE) / 64;
        k = (id - PPI_COL_WIDE) % 64;
    }
    if (what >= PPI_VALUES || k >= PPI_ENTRIES)
        return;
    int64_t x;
    uint8_t has;
    ppi_fill(a, t, what, k, 1, &x, &has);
    v->null = !has;
    v->i = x;
}

/* The wide columns ppi_<value>_<k> ... of one value in one call: one merge of the two sides for
 * the row's cells (ppi_get walks it again for each) */
static uint32_t ppi_span(const void *out, const void *in, uint32_t id, uint32_t n, int64_t *v, uint8_t *has)
{
    const uint32_t what = (id - PPI_COL_WIDE) / 64, k0 = (id - PPI_COL_WIDE) % 64;
    if (id < PPI_COL_WIDE || what >= PPI_VALUES || k0 >= PPI_ENTRIES)
        return 0;
    const uint32_t m = n < PPI_ENTRIES - k0 ? n : PPI_ENTRIES - k0;
    ppi_fill(out, in, what, k0, m, v, has);
    return m;
}

static uint32_t ppi_count(const void *out, const void *in, uint32_t id)
{
    return id >= PPI_COL_LIST && id < PPI_COL_LIST + PPI_VALUES ? ppi_n(out, in) : 0;
}

static const iof__feat_cols ppi_cols = {
    .declare = ppi_declare,
    .get = ppi_get,
    .count = ppi_count,
    .span = ppi_span,
};

const iof__feature iof__feat_ppi = {
    .name = "ppi",
    .joy_slot = IOF_FEAT_JOY_MODULES,
    .enabled = ppi_enabled,
    .state_bytes = sizeof(ppi_state),
    .clean_size = ppi_clean,
    .used = ppi_used,
    .update = ppi_update,
    .joy_json = ppi_json,
    .cols = &ppi_cols,
};
