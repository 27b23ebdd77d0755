/* The feature-module registry and feature sets: see feature.h. */
#include <string.h>

#include "common/err.h"
#include "common/rd.h"
#include "features/feature.h"

/* Joy's print order: byte_dist/entropy after packets[], then its feature list (wht, dns,
 * tls, dhcp, http, payload), then hd, then idp. A module's slot says where; within a slot this order holds. */
static const iof__feature *const registry[] = {
    &iof__feat_byte_dist,
    &iof__feat_wht,
    &iof__feat_dns,
    &iof__feat_tls,
    &iof__feat_dhcp,   /* Joy's list: wht, dns, tls, dhcp, http, payload */
    &iof__feat_http,
    &iof__feat_payload,
    &iof__feat_ppi,
    &iof__feat_hd,
    &iof__feat_idp,
    &iof__feat_splt,   /* custom-flow columns only (Joy writes its packets[] itself) */
};

_Static_assert(sizeof(registry) / sizeof(registry[0]) <= IOF_FEAT_MAX_MODULES,
               "IOF_FEAT_MAX_MODULES bounds the registry");

const iof__feature *const *iof__feat_registry(size_t *n)
{
    *n = sizeof(registry) / sizeof(registry[0]);
    return registry;
}

size_t iof__feat_index(const iof__feature *m)
{
    for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
        if (registry[i] == m)
            return i;
    return 0;
}

/* extension areas are aligned for any scalar (table.h): keep each state so too */
#define FEAT_ALIGN 16u

int iof__featset_init(iof__featset *s, const iof__feat_opts *o)
{
    *s = (iof__featset){ .opts = *o };
    if (o->idp > IOF_FEAT_MAX_IDP || o->hd > IOF_FEAT_MAX_HD)
        return IOF_E_INVAL;
    /* the modules in registry order (what the writers walk) */
    for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
        const iof__feature *m = registry[i];
        if (!m->enabled(o))
            continue;
        s->size[s->n] = m->state_size ? m->state_size(o) : m->state_bytes;
        s->clean[s->n] = m->clean_size ? m->clean_size(o) : s->size[s->n];
        s->mod[s->n++] = m;
    }
    /* Their places, each state aligned: the states that are all clean first, then the others
     * by the size of their tails (the bytes past the clean part), smallest first, so that the
     * clean parts, which every new record writes, lie as close together as a state's clean part
     * and tail can (the tail follows it). Why: a record's first touches are of the pages its
     * clean parts are on: 4 of a Joy direction's 8 pages instead of 5, 2 of a custom-flow
     * direction's 4 instead of 3 (bench/README.md, "Fresh slab entries"). */
    uint32_t order[IOF_FEAT_MAX_MODULES];
    for (uint32_t i = 0; i < s->n; i++) {
        uint32_t k = i;
        for (; k > 0 && s->size[order[k - 1]] - s->clean[order[k - 1]] > s->size[i] - s->clean[i]; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    size_t off = 0;
    for (uint32_t k = 0; k < s->n; k++) {
        s->off[order[k]] = off;
        off += (s->size[order[k]] + FEAT_ALIGN - 1) / FEAT_ALIGN * FEAT_ALIGN;
    }
    s->ext_size = off;
    return IOF_OK;
}

/* Whether module i has something of the record's (seen: its seen bits) */
static bool reached(const iof__featset *s, uint32_t i, uint32_t seen)
{
    return !s->mod[i]->idle || (seen >> i & 1u);
}

/* Module i's state in a new record (feature.h iof__featset_init_state) */
static void init_one(const iof__featset *s, unsigned char *base, uint32_t i, bool zeroed)
{
    if (!zeroed)
        memset(base + s->off[i], 0, s->clean[i]);
#ifndef NDEBUG
    memset(base + s->off[i] + s->clean[i], IOF_FEAT_POISON, s->size[i] - s->clean[i]);
#endif
    if (s->mod[i]->init)
        s->mod[i]->init(base + s->off[i], &s->opts);
}

void iof__featset_init_state(const iof__featset *s, void *ext, bool zeroed, bool lazy)
{
    unsigned char *base = ext;
    for (uint32_t i = 0; i < s->n; i++)
        if (!lazy || !s->mod[i]->idle)
            init_one(s, base, i, zeroed);
}

uint32_t iof__featset_hot(const iof__featset *s, size_t base, bool lazy, iof__ftab_span sp[IOF_FEAT_MAX_MODULES])
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->n; i++)
        if (!lazy || !s->mod[i]->idle)
            sp[n++] = (iof__ftab_span){ (uint32_t)(base + s->off[i]), (uint32_t)s->clean[i] };
    return n;
}

uint32_t iof__featset_update(const iof__featset *s, void *ext, const iof__feat_pkt *fp, uint32_t seen)
{
    unsigned char *base = ext;
    for (uint32_t i = 0; i < s->n; i++) {
        const iof__feature *m = s->mod[i];
        if (m->idle) {
            if (m->idle(fp, &s->opts))
                continue;
            if (!(seen >> i & 1u)) { /* the first packet that reaches it: its state begins */
                init_one(s, base, i, (seen & IOF_FEAT_SEEN_ZEROED) != 0);
                seen |= 1u << i;
            }
        }
        m->update(base + s->off[i], fp, &s->opts);
    }
    return seen;
}

void iof__featset_begin(const iof__featset *s, void *ext, uint32_t seen, uint32_t want)
{
    unsigned char *base = ext;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->mod[i]->idle && (want >> i & 1u) && !(seen >> i & 1u))
            init_one(s, base, i, (seen & IOF_FEAT_SEEN_ZEROED) != 0);
}

void iof__featset_finish(const iof__featset *s, void *ext, uint32_t seen)
{
    unsigned char *base = ext;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->mod[i]->finish && reached(s, i, seen))
            s->mod[i]->finish(base + s->off[i], &s->opts);
}

void iof__featset_joy_json(const iof__featset *s, iof__feat_joy_slot slot, iof__tbuf *b,
                           const void *out, const void *in, uint32_t seen)
{
    const unsigned char *o = out, *n = in;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->mod[i]->joy_slot == slot && s->mod[i]->joy_json && reached(s, i, seen))
            s->mod[i]->joy_json(b, o + s->off[i], n ? n + s->off[i] : NULL, &s->opts);
}

uint32_t iof__feat_no_lists(const void *out, const void *in, uint32_t id)
{
    (void)out;
    (void)in;
    (void)id;
    return 0;
}

_Static_assert(IOF_FEAT_MAX_MODULES <= 32, "a module's registry index is a bit of a uint32_t");

/* The one walk of both counts: each module's Joy `cut` hook, or its custom-flow columns', as
 * bits of registry indexes (seen: the record's seen bits) */
static uint32_t cut_bits(const iof__featset *s, const void *out, const void *in, bool cols, uint32_t seen)
{
    const unsigned char *o = out, *n = in;
    uint32_t bits = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        const iof__feature *m = s->mod[i];
        bool (*cut)(const void *, const void *) = cols ? (m->cols ? m->cols->cut : NULL) : m->cut;
        if (cut && reached(s, i, seen) && cut(o + s->off[i], n ? n + s->off[i] : NULL))
            bits |= 1u << iof__feat_index(m);
    }
    return bits;
}

static void count_cuts(const iof__featset *s, const void *out, const void *in, uint64_t cuts[IOF_FEAT_MAX_MODULES],
                       bool cols, uint32_t seen)
{
    for (uint32_t bits = cut_bits(s, out, in, cols, seen), i = 0; bits; bits >>= 1, i++)
        cuts[i] += bits & 1u;
}

uint32_t iof__featset_col_cut_bits(const iof__featset *s, const void *out, const void *in)
{
    return cut_bits(s, out, in, true, IOF_FEAT_SEEN_ALL);
}

void iof__featset_count_cuts(const iof__featset *s, const void *out, const void *in, uint32_t seen,
                             uint64_t cuts[IOF_FEAT_MAX_MODULES])
{
    count_cuts(s, out, in, cuts, false, seen);
}

void iof__featset_count_col_cuts(const iof__featset *s, const void *out, const void *in,
                                 uint64_t cuts[IOF_FEAT_MAX_MODULES])
{
    count_cuts(s, out, in, cuts, true, IOF_FEAT_SEEN_ALL);
}

/* Module i's stretches past its clean part (none without a `used` hook), each clamped to the
 * state: the unpacking reads them from bytes a copy carried. */
static uint32_t used_spans(const iof__featset *s, uint32_t i, const unsigned char *st, iof__feat_span sp[IOF_FEAT_MAX_SPANS])
{
    const iof__feature *m = s->mod[i];
    uint32_t n = m->used ? m->used(st, &s->opts, sp) : 0;
    for (uint32_t k = 0; k < n; k++) {
        if (sp[k].off > s->size[i])
            sp[k].off = (uint32_t)s->size[i];
        if (sp[k].len > s->size[i] - sp[k].off)
            sp[k].len = (uint32_t)(s->size[i] - sp[k].off);
    }
    return n;
}

size_t iof__featset_pack_size(const iof__featset *s, const void *ext)
{
    const unsigned char *base = ext;
    size_t n = 0;
    iof__feat_span sp[IOF_FEAT_MAX_SPANS];
    for (uint32_t i = 0; i < s->n; i++) {
        n += s->clean[i];
        for (uint32_t k = 0, ns = used_spans(s, i, base + s->off[i], sp); k < ns; k++)
            n += sp[k].len;
    }
    return n;
}

unsigned char *iof__featset_pack(const iof__featset *s, unsigned char *dst, const void *ext)
{
    const unsigned char *base = ext;
    iof__feat_span sp[IOF_FEAT_MAX_SPANS];
    for (uint32_t i = 0; i < s->n; i++) {
        const unsigned char *st = base + s->off[i];
        memcpy(dst, st, s->clean[i]);
        dst += s->clean[i];
        for (uint32_t k = 0, ns = used_spans(s, i, st, sp); k < ns; k++) {
            memcpy(dst, st + sp[k].off, sp[k].len);
            dst += sp[k].len;
        }
    }
    return dst;
}

const unsigned char *iof__featset_unpack(const iof__featset *s, void *ext, const unsigned char *src)
{
    unsigned char *base = ext;
    iof__feat_span sp[IOF_FEAT_MAX_SPANS];
#ifndef NDEBUG
    memset(base, IOF_FEAT_POISON, s->ext_size);
#endif
    for (uint32_t i = 0; i < s->n; i++) {
        unsigned char *st = base + s->off[i];
        memcpy(st, src, s->clean[i]);
        src += s->clean[i];
        for (uint32_t k = 0, ns = used_spans(s, i, st, sp); k < ns; k++) {
            memcpy(st + sp[k].off, src, sp[k].len);
            src += sp[k].len;
        }
    }
    return src;
}

void iof__feat_put_hex(iof__tbuf *b, const char *key, const uint8_t *p, size_t n)
{
    if (key) {
        iof__tb_puts(b, ",\"");
        iof__tb_puts(b, key);
        iof__tb_puts(b, "\":");
    }
    iof__tb_putc(b, '"');
    iof__tb_hex(b, p, n);
    iof__tb_putc(b, '"');
}

const uint8_t *iof__feat_slice(const iof__pkt *p, uint32_t off, uint32_t len, uint32_t *n)
{
    iof__rd rd = rd_init(p->data, p->caplen);
    rd_skip(&rd, off);
    if (rd.err) {
        *n = 0;
        return NULL;
    }
    size_t left = rd_left(&rd);
    *n = len < left ? len : (uint32_t)left;
    const uint8_t *q = rd_bytes(&rd, *n);
    if (!q)
        *n = 0;
    return q;
}
