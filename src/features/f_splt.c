/* splt (custom-flow --features splt; docs/OUTPUT.md "Feature columns"): the sequence of packet
 * lengths and times of a record's first data packets, in Joy's packets[] convention
 * (docs/JOY.md "packets[]"): only packets with data count (a zero-length packet — a bare ACK,
 * a SYN — is left out, Joy's zeros=0), each with its data bytes (the transport payload's length
 * on the wire, Joy's `b`), its direction and the floored milliseconds since the previous entry
 * (Joy's `ipt`; the first: since the record's first packet, data or not).
 *
 * Per direction: the time of its first packet and its first IOF_FEAT_SPLT_PKTS data packets
 * (length, µs), in arrival order. The record's list is the two merged by time as Joy merges
 * them (the heads compared, a tie takes the in side first), cut at IOF_FEAT_SPLT_PKTS: each
 * side holds its first N, so the merge's first N are the record's. The record's start is the
 * earlier of the two sides' first packets (its FirstSeen unless timestamps went backwards); a
 * packet timed before the previous entry has a negative ipt (Joy's wraps). Joy writes its own packets[] (kinds/joy_json.c): no Joy output here. */
#include <stddef.h>
#include <stdio.h>

#include "common/err.h"
#include "features/feature.h"

typedef struct splt_state {
    int64_t first_us;                    /* the direction's first packet (any) */
    uint8_t n;                           /* data packets kept */
    bool seen;                           /* first_us is set */
    uint16_t len[IOF_FEAT_SPLT_PKTS];    /* each kept data packet's data bytes on the wire (an IP
                                            datagram's payload fits; a larger IPv6 jumbogram
                                            saturates) */
    int64_t ts[IOF_FEAT_SPLT_PKTS];      /* its time, µs */
} splt_state;

static bool splt_enabled(const iof__feat_opts *o) { return o->splt; }

/* the kept packets are read only below n: left out of the clean part (not zeroed) */
static size_t splt_clean(const iof__feat_opts *o)
{
    (void)o;
    return offsetof(splt_state, len);
}

/* the columns read the kept packets below n */
static uint32_t splt_used(const void *st, const iof__feat_opts *o, iof__feat_span sp[IOF_FEAT_MAX_SPANS])
{
    (void)o;
    const splt_state *s = st;
    sp[0] = IOF_FEAT_SPAN(splt_state, len, s->n * sizeof(s->len[0]));
    sp[1] = IOF_FEAT_SPAN(splt_state, ts, s->n * sizeof(s->ts[0]));
    return 2;
}

static void splt_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    (void)o;
    splt_state *s = st;
    if (!s->seen)
        s->first_us = fp->ts_us;
    s->seen = true;
    if (fp->wire_len == 0 || s->n >= IOF_FEAT_SPLT_PKTS)
        return;
    s->ts[s->n] = fp->ts_us;
    s->len[s->n] = (uint16_t)(fp->wire_len > UINT16_MAX ? UINT16_MAX : fp->wire_len);
    s->n++;
}

/* The record's start: the earlier of the two sides' first packets */
static int64_t splt_start(const splt_state *a, const splt_state *t)
{
    return t && t->seen && (!a->seen || t->first_us < a->first_us) ? t->first_us : a->first_us;
}

/* Columns: splt_count; wide splt_len_00.. and splt_ipt_00.. (one per entry, null past the
 * record's count), nested the lists splt_len and splt_ipt. */
enum { SPLT_COL_COUNT = 0, SPLT_COL_LEN_LIST, SPLT_COL_IPT_LIST, SPLT_COL_LEN = 16, SPLT_COL_IPT = 16 + 64 };
_Static_assert(IOF_FEAT_SPLT_PKTS <= 64, "the wide column ids of one list fit 64");

static int splt_declare(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base)
{
    (void)o;
    static const char *const doc_len = "data bytes (transport payload on the wire) of the record's data packet, "
                                       "signed: + device to remote, - remote to device";
    static const char *const doc_ipt = "ms since the previous data packet of the record (the first: since the "
                                       "record's earliest packet), floored";
    IOF_TRY(iof__schema_add(s, "splt_count", IOF_VT_INT32, false, false, field, base + SPLT_COL_COUNT,
                            "data packets in the splt columns: min(data packets of the record, 50)"));
    if (!wide) {
        IOF_TRY(iof__schema_add(s, "splt_len", IOF_VT_INT32, false, true, field, base + SPLT_COL_LEN_LIST, doc_len));
        return iof__schema_add(s, "splt_ipt", IOF_VT_INT64, false, true, field, base + SPLT_COL_IPT_LIST, doc_ipt);
    }
    char name[IOF_MAX_COLNAME];
    for (uint32_t k = 0; k < IOF_FEAT_SPLT_PKTS; k++) {
        snprintf(name, sizeof(name), "splt_len_%02u", k);
        IOF_TRY(iof__schema_add(s, name, IOF_VT_INT32, true, false, field, base + SPLT_COL_LEN + k, doc_len));
    }
    for (uint32_t k = 0; k < IOF_FEAT_SPLT_PKTS; k++) {
        snprintf(name, sizeof(name), "splt_ipt_%02u", k);
        IOF_TRY(iof__schema_add(s, name, IOF_VT_INT64, true, false, field, base + SPLT_COL_IPT + k, doc_ipt));
    }
    return IOF_OK;
}

static uint32_t splt_n(const splt_state *a, const splt_state *t)
{
    uint32_t n = a->n + (t ? t->n : 0u);
    return n < IOF_FEAT_SPLT_PKTS ? n : IOF_FEAT_SPLT_PKTS;
}

/* The record's merged data packets k0 .. k0 + m - 1 into v (has: 1, or 0 past the merge's end):
 * their lengths (an in packet's negative) or, ipt, the ms since the previous one (the first:
 * since the record's start); one walk of the merge, for a wide block (splt_span) or one cell
 * (splt_get). */
static void splt_fill(const splt_state *a, const splt_state *t, bool ipt, uint32_t k0, uint32_t m, int64_t *v,
                      uint8_t *has)
{
    const uint32_t total = splt_n(a, t), na = a->n, nt = t ? t->n : 0;
    int64_t prev = splt_start(a, t);
    for (uint32_t e = 0, i = 0, j = 0; e < k0 + m; e++) {
        if (e >= total) { /* the rest are null */
            for (uint32_t q = e > k0 ? e - k0 : 0; q < m; q++)
                v[q] = 0, has[q] = 0;
            break;
        }
        bool from_in = iof__feat_in_next(i < na, i < na ? a->ts[i] : 0, j < nt, j < nt ? t->ts[j] : 0);
        int64_t ts = from_in ? t->ts[j] : a->ts[i];
        if (e >= k0) {
            v[e - k0] = ipt ? iof__floor_ms(ts - prev) : from_in ? -(int32_t)t->len[j] : (int32_t)a->len[i];
            has[e - k0] = 1;
        }
        prev = ts;
        if (from_in)
            j++;
        else
            i++;
    }
}

static void splt_get(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v)
{
    const splt_state *a = out, *t = in;
    v->null = true;
    if (id == SPLT_COL_COUNT) {
        v->null = false;
        v->i = splt_n(a, t);
        return;
    }
    bool ipt = id == SPLT_COL_IPT_LIST || id >= SPLT_COL_IPT;
    if (id >= SPLT_COL_IPT)
        k = id - SPLT_COL_IPT;
    else if (id >= SPLT_COL_LEN)
        k = id - SPLT_COL_LEN;
    if (k >= IOF_FEAT_SPLT_PKTS)
        return;
    int64_t x;
    uint8_t has;
    splt_fill(a, t, ipt, k, 1, &x, &has);
    v->null = !has;
    v->i = x;
}

static uint32_t splt_count(const void *out, const void *in, uint32_t id)
{
    return id == SPLT_COL_LEN_LIST || id == SPLT_COL_IPT_LIST ? splt_n(out, in) : 0;
}

/* The wide columns splt_len_<k> ... or splt_ipt_<k> ... in one call: one merge of the two sides
 * for the row's cells (splt_get walks it again for each) */
static uint32_t splt_span(const void *out, const void *in, uint32_t id, uint32_t n, int64_t *v, uint8_t *has)
{
    const bool ipt = id >= SPLT_COL_IPT;
    const uint32_t k0 = id - (ipt ? SPLT_COL_IPT : SPLT_COL_LEN);
    if (id < SPLT_COL_LEN || k0 >= IOF_FEAT_SPLT_PKTS)
        return 0;
    const uint32_t m = n < IOF_FEAT_SPLT_PKTS - k0 ? n : IOF_FEAT_SPLT_PKTS - k0;
    splt_fill(out, in, ipt, k0, m, v, has);
    return m;
}

static const iof__feat_cols splt_cols = {
    .declare = splt_declare,
    .get = splt_get,
    .count = splt_count,
    .span = splt_span,
};

const iof__feature iof__feat_splt = {
    .name = "splt",
    .joy_slot = IOF_FEAT_JOY_IDP,   /* last in the registry; nothing written there */
    .enabled = splt_enabled,
    .state_bytes = sizeof(splt_state),
    .clean_size = splt_clean,
    .used = splt_used,
    .update = splt_update,
    .cols = &splt_cols,
};
