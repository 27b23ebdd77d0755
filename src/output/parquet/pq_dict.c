/* Parquet writer: a column chunk's dictionary and statistics (pq_writer_int.h). */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "output/parquet/pq_writer_int.h"

/* ---- encoding a column chunk -------------------------------------------------------- */


static inline uint32_t hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (uint32_t)x;
}

uint32_t iof__pqw_hash_bytes(const uint8_t *p, uint32_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    while (n >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        h = (h ^ x) * 0x100000001b3ULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    uint64_t x = 0;
    memcpy(&x, p, n);
    h = (h ^ x) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

static bool ht_init(iof__pq_writer *w, size_t cap)
{
    if (w->ht_cap < cap) {
        uint32_t *n = realloc(w->ht, cap * sizeof *n);
        if (!n)
            return false;
        w->ht = n;
        w->ht_cap = cap;
    }
    memset(w->ht, 0, cap * sizeof *w->ht);
    return true;
}

void iof__pqw_int_stats(stats *st, const pq_col *c, int64_t mn, int64_t mx)
{
    st->has = st->has_max = st->min_exact = st->max_exact = true;
    unsigned n = c->ptype == PQ_T_BOOLEAN ? 1 : c->psize;
    for (unsigned k = 0; k < n; k++) { /* little-endian PLAIN encoding, no length prefix */
        st->min[k] = (uint8_t)((uint64_t)mn >> (8 * k));
        st->max[k] = (uint8_t)((uint64_t)mx >> (8 * k));
    }
    st->min_len = st->max_len = n;
}

/* Statistics of n FLOAT64 values (8-byte patterns at vals) by Parquet's rules for floating
 * point: NaN takes no part, a zero min is written -0.0 and a zero max +0.0, and there is no
 * min/max when every value is NaN. */
static void set_double_stats(stats *st, const pq_col *c, const uint8_t *vals, uint64_t n)
{
    bool any = false;
    double mn = 0, mx = 0;
    for (uint64_t k = 0; k < n; k++) {
        double x;
        memcpy(&x, vals + 8 * k, 8);
        if (x != x)
            continue;
        if (!any || x < mn)
            mn = x;
        if (!any || x > mx)
            mx = x;
        any = true;
    }
    if (!any)
        return;
    if (mn == 0)
        mn = -0.0;
    if (mx == 0)
        mx = 0.0;
    iof__pqw_int_stats(st, c, double_bits(mn), double_bits(mx));
}

static inline int cmp_bytes(const uint8_t *a, uint32_t an, const uint8_t *b, uint32_t bn)
{
    int r = memcmp(a, b, an < bn ? an : bn); /* memcmp compares as unsigned char */
    return r ? r : (an < bn ? -1 : an > bn);
}

static void set_bytes_stats(stats *st, const uint8_t *mn, uint32_t mnl, const uint8_t *mx, uint32_t mxl)
{
    st->has = true;
    st->min_exact = mnl <= IOF_PQ_STAT_MAX_BYTES;
    st->min_len = st->min_exact ? mnl : IOF_PQ_STAT_MAX_BYTES; /* a prefix is <= the value */
    memcpy(st->min, mn, st->min_len);
    if (mxl <= IOF_PQ_STAT_MAX_BYTES) {
        st->has_max = st->max_exact = true;
        st->max_len = mxl;
        memcpy(st->max, mx, mxl);
        return;
    }
    /* prefix with its last non-0xFF byte incremented is > every value with that prefix */
    uint32_t n = IOF_PQ_STAT_MAX_BYTES;
    while (n > 0 && mx[n - 1] == 0xFF)
        n--;
    if (n == 0) { /* no finite upper bound of that length: write no min/max at all */
        st->has = false;
        return;
    }
    memcpy(st->max, mx, n);
    st->max[n - 1]++;
    st->max_len = n;
    st->has_max = true;
    st->max_exact = false;
}

/* Builds the dictionary of c's values into w->idx (indices), w->dict (PLAIN dictionary page
 * body) and computes statistics. Returns the number of entries if the dictionary should be
 * used, 0 otherwise (statistics are then computed by the caller). */
uint32_t iof__pqw_dict_ints(iof__pq_writer *w, pq_col *c, stats *st, bool *stats_done)
{
    const uint64_t nv = c->nvals;
    const uint8_t *vals = c->vals.p;
    w->idx.len = 0;
    w->dvals.len = 0;
    if (!pq_buf_reserve(&w->idx, nv * 4) || !pq_buf_reserve(&w->dvals, 8 * 4096))
        return 0;
    uint32_t *idx = (uint32_t *)(void *)w->idx.p;
    uint32_t nd = 0;
    if (c->width <= 2) {
        if (!w->dtab) {
            w->dtab = malloc(65536 * sizeof *w->dtab);
            if (!w->dtab)
                return 0;
            memset(w->dtab, 0xff, 65536 * sizeof *w->dtab);
        }
        if (!pq_buf_reserve(&w->dvals, 8 * 65536))
            return 0;
        int64_t *dv = (int64_t *)(void *)w->dvals.p;
        int32_t *tab = w->dtab;
        if (c->width == 1) {
            for (uint64_t k = 0; k < nv; k++) {
                uint8_t key = vals[k];
                int32_t d = tab[key];
                if (d < 0) {
                    d = (int32_t)nd++;
                    tab[key] = d;
                    dv[d] = (int8_t)key;
                }
                idx[k] = (uint32_t)d;
            }
        } else {
            for (uint64_t k = 0; k < nv; k++) {
                uint16_t key;
                memcpy(&key, vals + 2 * k, 2);
                int32_t d = tab[key];
                if (d < 0) {
                    d = (int32_t)nd++;
                    tab[key] = d;
                    dv[d] = (int16_t)key;
                }
                idx[k] = (uint32_t)d;
            }
        }
        int64_t mn = dv[0], mx = dv[0];
        for (uint32_t d = 0; d < nd; d++) {
            tab[(uint16_t)(c->width == 1 ? (uint8_t)dv[d] : (uint16_t)dv[d])] = -1;
            if (dv[d] < mn) mn = dv[d];
            if (dv[d] > mx) mx = dv[d];
        }
        iof__pqw_int_stats(st, c, mn, mx);
        *stats_done = true;
    } else {
        uint32_t maxd = w->cfg.dict_max_bytes / c->psize;
        size_t cap = 1024;
        while (cap < 2 * (nv < 4096 ? nv : 4096))
            cap *= 2;
        if (!ht_init(w, cap))
            return 0;
        size_t mask = cap - 1;
        for (uint64_t k = 0; k < nv; k++) {
            int64_t x = load_int(c, vals, k);
            size_t h = hash64((uint64_t)x) & mask;
            uint32_t e;
            const int64_t *dv = (const int64_t *)(const void *)w->dvals.p;
            while ((e = w->ht[h]) && dv[e - 1] != x)
                h = (h + 1) & mask;
            if (!e) {
                if (nd >= maxd || (!c->dict_hint && k + 1 == DICT_SAMPLE && nd > DICT_SAMPLE / 2))
                    return 0;
                if (!pq_buf_reserve(&w->dvals, 8))
                    return 0;
                memcpy(w->dvals.p + 8 * (size_t)nd, &x, 8);
                w->dvals.len += 8;
                e = ++nd;
                w->ht[h] = e;
                if (2 * (size_t)nd > cap) { /* grow and rehash */
                    cap *= 2;
                    mask = cap - 1;
                    if (!ht_init(w, cap))
                        return 0;
                    const int64_t *d2 = (const int64_t *)(const void *)w->dvals.p;
                    for (uint32_t d = 0; d < nd; d++) {
                        size_t g = hash64((uint64_t)d2[d]) & mask;
                        while (w->ht[g])
                            g = (g + 1) & mask;
                        w->ht[g] = d + 1;
                    }
                }
            }
            idx[k] = e - 1;
        }
        const int64_t *dv = (const int64_t *)(const void *)w->dvals.p;
        if (c->type == IOF_VT_FLOAT64) {
            set_double_stats(st, c, w->dvals.p, nd);
        } else {
            int64_t mn = dv[0], mx = dv[0];
            for (uint32_t d = 1; d < nd; d++) {
                if (dv[d] < mn) mn = dv[d];
                if (dv[d] > mx) mx = dv[d];
            }
            iof__pqw_int_stats(st, c, mn, mx);
        }
        *stats_done = true;
    }
    /* does it pay? PLAIN costs psize per value */
    unsigned bw = pq_bit_width(nd - 1);
    uint64_t plain = nv * c->psize;
    uint64_t cost = (uint64_t)nd * c->psize + (nv * bw + 7) / 8 + 16;
    if (!c->dict_hint && cost >= plain)
        return 0;
    if ((uint64_t)nd * c->psize > w->cfg.dict_max_bytes)
        return 0;
    w->dict.len = 0;
    const int64_t *dv = (const int64_t *)(const void *)w->dvals.p;
    for (uint32_t d = 0; d < nd; d++) {
        if (c->psize == 4)
            pq_buf_le32(&w->dict, (uint32_t)(int32_t)dv[d]);
        else
            pq_buf_le64(&w->dict, (uint64_t)dv[d]);
    }
    return w->dict.oom ? 0 : nd;
}

uint32_t iof__pqw_dict_bytes(iof__pq_writer *w, pq_col *c, stats *st, bool *stats_done)
{
    const uint64_t nv = c->nvals;
    const uint8_t *vals = c->vals.p;
    w->idx.len = 0;
    w->dvals.len = 0;
    if (!pq_buf_reserve(&w->idx, nv * 4))
        return 0;
    uint32_t *idx = (uint32_t *)(void *)w->idx.p;
    size_t cap = 1024;
    while (cap < 2 * (nv < 4096 ? nv : 4096))
        cap *= 2;
    if (!ht_init(w, cap))
        return 0;
    size_t mask = cap - 1;
    uint32_t nd = 0;
    uint64_t dict_bytes = 0, off = 0;
    for (uint64_t k = 0; k < nv; k++) {
        uint32_t len = pq_rd_le32(vals + off);
        const uint8_t *p = vals + off + 4;
        uint32_t hv = iof__pqw_hash_bytes(p, len);
        size_t h = hv & mask;
        uint32_t e;
        const dent *de = (const dent *)(const void *)w->dvals.p;
        while ((e = w->ht[h])) {
            const dent *x = &de[e - 1];
            if (x->hash == hv && x->len == len && memcmp(vals + x->off + 4, p, len) == 0)
                break;
            h = (h + 1) & mask;
        }
        if (!e) {
            dict_bytes += 4 + (uint64_t)len;
            if (dict_bytes > w->cfg.dict_max_bytes ||
                (!c->dict_hint && k + 1 >= DICT_SAMPLE && nd > k / 2))
                return 0;
            dent nde = {off, len, hv};
            pq_buf_put(&w->dvals, &nde, sizeof nde);
            if (w->dvals.oom)
                return 0;
            e = ++nd;
            w->ht[h] = e;
            if (2 * (size_t)nd > cap) {
                cap *= 2;
                mask = cap - 1;
                if (!ht_init(w, cap))
                    return 0;
                const dent *d2 = (const dent *)(const void *)w->dvals.p;
                for (uint32_t d = 0; d < nd; d++) {
                    size_t g = d2[d].hash & mask;
                    while (w->ht[g])
                        g = (g + 1) & mask;
                    w->ht[g] = d + 1;
                }
            }
        }
        idx[k] = e - 1;
        off += 4 + (uint64_t)len;
    }
    const dent *de = (const dent *)(const void *)w->dvals.p;
    uint32_t imin = 0, imax = 0;
    for (uint32_t d = 1; d < nd; d++) {
        if (cmp_bytes(vals + de[d].off + 4, de[d].len, vals + de[imin].off + 4, de[imin].len) < 0)
            imin = d;
        if (cmp_bytes(vals + de[d].off + 4, de[d].len, vals + de[imax].off + 4, de[imax].len) > 0)
            imax = d;
    }
    set_bytes_stats(st, vals + de[imin].off + 4, de[imin].len, vals + de[imax].off + 4, de[imax].len);
    *stats_done = true;
    unsigned bw = pq_bit_width(nd - 1);
    uint64_t cost = dict_bytes + (nv * bw + 7) / 8 + 16;
    if (!c->dict_hint && cost >= c->vals.len)
        return 0;
    w->dict.len = 0;
    for (uint32_t d = 0; d < nd; d++)
        pq_buf_put(&w->dict, vals + de[d].off, 4 + (size_t)de[d].len);
    return w->dict.oom ? 0 : nd;
}

void iof__pqw_plain_stats(const pq_col *c, stats *st)
{
    const uint8_t *vals = c->vals.p;
    if (!c->nvals)
        return;
    if (c->type == IOF_VT_FLOAT64) {
        set_double_stats(st, c, vals, c->nvals);
        return;
    }
    if (!c->bytes) {
        int64_t mn = load_int(c, vals, 0), mx = mn;
        for (uint64_t k = 1; k < c->nvals; k++) {
            int64_t x = load_int(c, vals, k);
            if (x < mn) mn = x;
            if (x > mx) mx = x;
        }
        iof__pqw_int_stats(st, c, mn, mx);
        return;
    }
    uint64_t off = 0;
    const uint8_t *mn = NULL, *mx = NULL;
    uint32_t mnl = 0, mxl = 0;
    for (uint64_t k = 0; k < c->nvals; k++) {
        uint32_t len = pq_rd_le32(vals + off);
        const uint8_t *p = vals + off + 4;
        if (!mn || cmp_bytes(p, len, mn, mnl) < 0) { mn = p; mnl = len; }
        if (!mx || cmp_bytes(p, len, mx, mxl) > 0) { mx = p; mxl = len; }
        off += 4 + (uint64_t)len;
    }
    set_bytes_stats(st, mn, mnl, mx, mxl);
}
