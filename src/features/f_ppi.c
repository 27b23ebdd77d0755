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
 * the earliest first entry of the two sides. */
#include <stddef.h>
#include <string.h>

#include "features/feature.h"

#define PPI_ENTRIES 50       /* Joy prints at most NUM_PKT_LEN entries per side */
#define PPI_SYN 0x02
#define PPI_ACK 0x10

typedef struct ppi_entry {
    int64_t t_us;
    uint32_t seq, ack;
    uint16_t len;            /* Joy's unsigned short */
    uint16_t olen;           /* the header's option bytes (all of them) */
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

static void ppi_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    (void)o;
    ppi_state *s = st;
    if (!fp->tcp || s->n >= PPI_ENTRIES)
        return;
    const iof__pkt *p = fp->pkt;
    ppi_entry *e = &s->e[s->n++];
    e->t_us = fp->ts_us;
    e->seq = p->tcp_seq;
    e->ack = p->tcp_ack;
    e->flags = p->tcp_flags;
    e->len = (uint16_t)fp->len;
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
        if (j >= jmax || (i < a->n && a->e[i].t_us < t->e[j].t_us))
            put_entry(b, &a->e[i++], &sa, &st, t0);
        else
            put_entry(b, &t->e[j++], &st, &sa, t0);
    }
    iof__tb_putc(b, ']');
}

const iof__feature iof__feat_ppi = {
    .name = "ppi",
    .joy_slot = IOF_FEAT_JOY_MODULES,
    .enabled = ppi_enabled,
    .state_bytes = sizeof(ppi_state),
    .clean_size = ppi_clean,
    .update = ppi_update,
    .joy_json = ppi_json,
};
