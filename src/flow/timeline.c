/* The per-device timeline: see timeline.h. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/idx.h"
#include "common/mix.h"
#include "flow/timeline.h"

#define NS_PER_S IOF_NS_PER_S
#define MAX_REMOTES (1ull << 32)

typedef struct remote_ent {
    uint32_t slot;
    uint8_t dir;
    uint8_t ip[16];
} remote_ent;

/* A name of this second: (slot, kind, text), once (nm_idx finds it by the text's pointer). */
typedef struct name_ent {
    const char *name;
    uint32_t slot;
    uint8_t kind;
    size_t cell;                /* its index slot, found when the second is cleared */
} name_ent;

struct iof__timeline {
    iof__tl_emit_fn emit;
    void *ctx;
    int err;
    iof__tlrow *slots;          /* per device: identity + this second's counters */
    size_t n_slots, cap_slots;
    uint32_t *index;            /* open addressing: slot + 1 per cell, 0 empty */
    size_t index_mask;
    int64_t cur;                /* the second being accumulated (have_cur) */
    bool have_cur;
    remote_ent *rem;            /* (slot, direction, remote) of this second's rows */
    size_t n_rem, cap_rem;
    iof__tl_names_fn names_fn;  /* names on: each telemetry row's names (NULL: off) */
    void *names_ctx;
    name_ent *nm;               /* this second's distinct (slot, kind, name) */
    size_t n_nm, cap_nm;
    iof__idx nm_idx;
    uint64_t nm_seed;
    iof__tl_stats st;
};

static uint64_t slot_hash(const iof__telrow *r)
{
    uint64_t h;
    if (r->k.device >= 0)
        h = (uint64_t)r->k.device;
    else if (r->has_mac) {
        h = 1ull << 62;
        for (int i = 0; i < 6; i++)
            h = h << 8 | r->mac[i];
    } else {
        uint64_t a, b;
        memcpy(&a, r->k.dev_ip, 8);
        memcpy(&b, r->k.dev_ip + 8, 8);
        h = iof__mix64(a ^ iof__mix64(b ^ r->k.ipver)) | 1ull << 63;
    }
    return iof__mix64(h);
}

static bool slot_is(const iof__tlrow *s, const iof__telrow *r)
{
    if (r->k.device >= 0 || s->device >= 0)
        return s->device == r->k.device;
    if (r->has_mac || s->has_mac)
        return s->has_mac && r->has_mac && memcmp(s->mac, r->mac, 6) == 0;
    return s->ipver == r->k.ipver && memcmp(s->dev_ip, r->k.dev_ip, 16) == 0;
}

static int index_put(iof__timeline *t, uint64_t h, uint32_t slot)
{
    if (!t->index || (t->n_slots + 1) * 2 > t->index_mask + 1) {
        size_t cells = t->index ? (t->index_mask + 1) * 2 : 256;
        uint32_t *ix = calloc(cells, sizeof(*ix));
        if (!ix)
            return IOF_E_NOMEM;
        free(t->index);
        t->index = ix;
        t->index_mask = cells - 1;
        for (uint32_t s = 0; s < slot; s++) { /* re-index the earlier slots */
            const iof__tlrow *o = &t->slots[s];
            iof__telrow probe;
            memset(&probe, 0, sizeof(probe));
            probe.k.device = o->device;
            probe.has_mac = o->has_mac;
            memcpy(probe.mac, o->mac, 6);
            probe.k.ipver = o->ipver;
            memcpy(probe.k.dev_ip, o->dev_ip, 16);
            size_t i = slot_hash(&probe) & t->index_mask;
            while (ix[i])
                i = (i + 1) & t->index_mask;
            ix[i] = s + 1;
        }
    }
    size_t i = h & t->index_mask;
    while (t->index[i])
        i = (i + 1) & t->index_mask;
    t->index[i] = slot + 1;
    return IOF_OK;
}

/* The slot of a row's device (a new one when first seen). */
static int slot_of(iof__timeline *t, const iof__telrow *r, uint32_t *out)
{
    uint64_t h = slot_hash(r);
    if (t->index)
        for (size_t i = h & t->index_mask; t->index[i]; i = (i + 1) & t->index_mask)
            if (slot_is(&t->slots[t->index[i] - 1], r)) {
                *out = t->index[i] - 1;
                return IOF_OK;
            }
    IOF_TRY(iof__grow((void **)&t->slots, &t->cap_slots, t->n_slots + 1, sizeof(*t->slots), IOF_TL_MAX_DEVICES));
    uint32_t s = (uint32_t)t->n_slots;
    iof__tlrow *d = &t->slots[s];
    memset(d, 0, sizeof(*d));
    d->slot = s;
    d->device = r->k.device;
    d->has_mac = r->has_mac && r->k.device < 0;
    memcpy(d->mac, r->mac, 6);
    d->ipver = r->k.ipver;
    memcpy(d->dev_ip, r->k.dev_ip, 16);
    t->n_slots++;
    t->st.devices++;
    IOF_TRY(index_put(t, h, s));
    *out = s;
    return IOF_OK;
}

int iof__timeline_create(iof__timeline **out, const iof__inventory *inv, iof__tl_emit_fn emit, void *ctx)
{
    *out = NULL;
    iof__timeline *t = calloc(1, sizeof(*t));
    if (!t)
        return IOF_E_NOMEM;
    t->emit = emit;
    t->ctx = ctx;
    size_t n = inv ? iof__inventory_count(inv) : 0;
    for (size_t i = 0; i < n; i++) { /* the inventory's devices: slots 0..n-1, rows from the start */
        iof__telrow probe;
        memset(&probe, 0, sizeof(probe));
        probe.k.device = (int32_t)i;
        uint32_t s;
        int rc = slot_of(t, &probe, &s);
        if (rc != IOF_OK) {
            iof__timeline_destroy(t);
            return rc;
        }
    }
    *out = t;
    return IOF_OK;
}

void iof__timeline_destroy(iof__timeline *t)
{
    if (!t)
        return;
    free(t->slots);
    free(t->index);
    free(t->rem);
    free(t->nm);
    iof__idx_free(&t->nm_idx);
    free(t);
}

void iof__timeline_set_names(iof__timeline *t, iof__tl_names_fn fn, void *ctx)
{
    t->names_fn = fn;
    t->names_ctx = ctx;
    t->nm_seed = iof__idx_seed(t);
}

static uint64_t nm_key(const iof__timeline *t, uint32_t slot, unsigned kind, const char *name)
{
    return iof__mix64((uint64_t)(uintptr_t)name ^ t->nm_seed ^ iof__mix64((uint64_t)slot << 8 | kind));
}

static uint64_t nm_hash(const void *owner, uint32_t id)
{
    const iof__timeline *t = owner;
    const name_ent *e = &t->nm[id];
    return nm_key(t, e->slot, e->kind, e->name);
}

/* Whether entry id is key's (slot, kind, name) (iof__idx_eq_fn). */
static bool nm_eq(const void *owner, uint32_t id, const void *key)
{
    const name_ent *e = &((const iof__timeline *)owner)->nm[id], *k = key;
    return e->name == k->name && e->slot == k->slot && e->kind == k->kind;
}

/* Notes a name of slot's row this second (once). */
static int add_name(iof__timeline *t, uint32_t slot, unsigned kind, const char *name)
{
    uint64_t h = nm_key(t, slot, kind, name);
    if (iof__idx_lookup(&t->nm_idx, h, nm_eq, t, &(name_ent){ .name = name, .slot = slot, .kind = (uint8_t)kind }))
        return IOF_OK;
    if (t->n_nm >= IOF_TL_MAX_NAME_ENTS) { /* the second's cap: counted, not compared */
        t->slots[slot].names_dropped++;
        return IOF_OK;
    }
    IOF_TRY(iof__grow((void **)&t->nm, &t->cap_nm, t->n_nm + 1, sizeof(*t->nm), IOF_TL_MAX_NAME_ENTS));
    IOF_TRY(iof__idx_room(&t->nm_idx, t->n_nm, nm_hash, t));
    t->nm[t->n_nm] = (name_ent){ .name = name, .slot = slot, .kind = (uint8_t)kind };
    iof__idx_put(&t->nm_idx, h, (uint32_t)t->n_nm);
    t->n_nm++;
    return IOF_OK;
}

static int nm_cmp(const void *a, const void *b)
{
    const name_ent *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->name == y->name ? 0 : strcmp(x->name, y->name);
}

/* The second's names into its rows' lists (sorted, distinct, at most IOF_TL_MAX_NAMES per kind;
 * the rest counted), and an empty index for the next second. */
static void place_names(iof__timeline *t)
{
    if (!t->n_nm)
        return;
    /* every entry's cell first, then empty them: emptying one while probing for the next would
     * cut that one's probe chain */
    for (size_t k = 0; k < t->n_nm; k++) {
        size_t i = iof__idx_first(&t->nm_idx, nm_hash(t, (uint32_t)k));
        while (iof__idx_get(&t->nm_idx, i) != k + 1)
            i = iof__idx_next(&t->nm_idx, i);
        t->nm[k].cell = i;
    }
    for (size_t k = 0; k < t->n_nm; k++)
        t->nm_idx.slot[t->nm[k].cell] = 0;
    qsort(t->nm, t->n_nm, sizeof(*t->nm), nm_cmp);
    for (size_t k = 0; k < t->n_nm; k++) {
        const name_ent *e = &t->nm[k];
        if (k && nm_cmp(e, e - 1) == 0) /* the same text from another store entry */
            continue;
        iof__tlrow *d = &t->slots[e->slot];
        if (d->n_names[e->kind] < IOF_TL_MAX_NAMES)
            d->names[e->kind][d->n_names[e->kind]++] = e->name;
        else
            d->names_dropped++;
    }
    t->n_nm = 0;
}

static int rem_cmp(const void *a, const void *b)
{
    const remote_ent *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->dir != y->dir)
        return x->dir < y->dir ? -1 : 1;
    return memcmp(x->ip, y->ip, 16);
}

/* Writes second `sec` for every device, then clears the counters. */
static void emit_second(iof__timeline *t, int64_t sec)
{
    if (t->n_rem)
        qsort(t->rem, t->n_rem, sizeof(*t->rem), rem_cmp);
    for (size_t i = 0; i < t->n_rem; i++)
        if (i == 0 || rem_cmp(&t->rem[i], &t->rem[i - 1]) != 0)
            t->slots[t->rem[i].slot].remotes[t->rem[i].dir]++;
    t->n_rem = 0;
    place_names(t);
    for (size_t s = 0; s < t->n_slots; s++) {
        iof__tlrow *d = &t->slots[s];
        d->sec_ns = sec;
        if (!t->err)
            t->err = t->emit(t->ctx, d);
        t->st.rows++;
        t->st.names_listed += (uint64_t)d->n_names[0] + d->n_names[1];
        t->st.names_dropped += d->names_dropped;
        memset(d->packets, 0, sizeof(d->packets));
        memset(d->bytes, 0, sizeof(d->bytes));
        memset(d->flows, 0, sizeof(d->flows));
        memset(d->remotes, 0, sizeof(d->remotes));
        memset(d->n_names, 0, sizeof(d->n_names));
        d->names_dropped = 0;
    }
    t->st.seconds++;
}

/* Writes the seconds from cur through `last`: cur (which may hold traffic), then the silent
 * ones, unless there are more than IOF_TL_MAX_GAP_S of them (counted, not written). */
static void emit_through(iof__timeline *t, int64_t last)
{
    if (!t->have_cur || last < t->cur)
        return;
    emit_second(t, t->cur);
    int64_t span;
    if (__builtin_sub_overflow(last, t->cur, &span) || span / NS_PER_S > IOF_TL_MAX_GAP_S) {
        t->st.gap_seconds += __builtin_sub_overflow(last, t->cur, &span) ? UINT64_MAX / 2 : (uint64_t)(span / NS_PER_S);
    } else {
        for (int64_t n = 1; n <= span / NS_PER_S && !t->err; n++)
            emit_second(t, t->cur + n * NS_PER_S);
    }
    if (__builtin_add_overflow(last, NS_PER_S, &t->cur))
        t->cur = INT64_MAX;
}


int iof__timeline_row(iof__timeline *t, const iof__telrow *r)
{
    if (t->err)
        return t->err;
    if (!t->have_cur) {
        t->cur = r->sec_ns;
        t->have_cur = true;
    } else if (r->sec_ns > t->cur)
        emit_through(t, r->sec_ns - NS_PER_S);
    uint32_t s;
    int rc = slot_of(t, r, &s);
    if (rc != IOF_OK)
        return t->err = rc;
    iof__tlrow *d = &t->slots[s];
    d->packets[0] += r->packets_out;
    d->packets[1] += r->packets_in;
    d->bytes[0] += r->bytes_out;
    d->bytes[1] += r->bytes_in;
    if (r->flow_first_ns >= r->sec_ns) /* the flow started in this second */
        d->flows[r->k.first_dir ? 0 : 1]++;
    for (int dir = 0; dir < 2; dir++) {
        if (!(dir ? r->packets_in : r->packets_out))
            continue;
        rc = iof__grow((void **)&t->rem, &t->cap_rem, t->n_rem + 1, sizeof(*t->rem), MAX_REMOTES);
        if (rc != IOF_OK)
            return t->err = rc;
        remote_ent *e = &t->rem[t->n_rem++];
        e->slot = s;
        e->dir = (uint8_t)dir;
        memcpy(e->ip, r->k.rem_ip, 16);
    }
    if (t->names_fn) {
        const char *got[IOF_TL_NAME_KINDS][IOF_TL_ROW_NAMES];
        size_t n[IOF_TL_NAME_KINDS] = { 0 };
        t->names_fn(t->names_ctx, r, got, n);
        for (unsigned kind = 0; kind < IOF_TL_NAME_KINDS; kind++)
            for (size_t i = 0; i < n[kind] && i < IOF_TL_ROW_NAMES; i++)
                if ((rc = add_name(t, s, kind, got[kind][i])) != IOF_OK)
                    return t->err = rc;
    }
    return t->err;
}

int iof__timeline_clock(iof__timeline *t, int64_t clock_ns)
{
    if (t->err)
        return t->err;
    int64_t s = iof__sec_of(clock_ns);
    if (!t->have_cur) {
        t->cur = s;
        t->have_cur = true;
    } else if (s > t->cur)
        emit_through(t, s - NS_PER_S);
    return t->err;
}

int iof__timeline_flush(iof__timeline *t)
{
    if (!t->err && t->have_cur)
        emit_through(t, t->cur);
    return t->err;
}

void iof__timeline_get_stats(const iof__timeline *t, iof__tl_stats *st)
{
    *st = t->st;
}
