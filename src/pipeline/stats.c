#include <stdlib.h>
#include <string.h>

#include "labels/rules.h"
#include "pipeline/stats.h"

#include "capture/source.h"
#include "common/err.h"
#include "common/grow.h"

void iof__stats_free(iof__stats *st)
{
    for (size_t i = 0; i < st->n_inputs; i++) {
        free(st->inputs[i].path);
        free(st->inputs[i].error);
    }
    free(st->inputs);
    free(st->devs);
    free(st->dev_idx);
    free(st->labels);
    memset(st, 0, sizeof(*st));
}

iof__input_stat *iof__stats_add_input(iof__stats *st, const char *path)
{
    /* one row per input the run opens: the input list's cap bounds them */
    if (iof__grow((void **)&st->inputs, &st->cap_inputs, st->n_inputs + 1, sizeof *st->inputs,
                  IOF_MAX_LISTED_FILES) != IOF_OK)
        return NULL;
    iof__input_stat *in = &st->inputs[st->n_inputs];
    memset(in, 0, sizeof(*in));
    in->path = strdup(path);
    if (!in->path)
        return NULL;
    st->n_inputs++;
    return in;
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int rebuild_index(iof__stats *st, size_t size)
{
    int32_t *idx = malloc(size * sizeof(*idx));
    if (!idx)
        return -1;
    for (size_t i = 0; i < size; i++)
        idx[i] = -1;
    for (size_t i = 0; i < st->n_devs; i++) {
        size_t h = str_hash(st->devs[i].key) & (size - 1);
        while (idx[h] >= 0)
            h = (h + 1) & (size - 1);
        idx[h] = (int32_t)i;
    }
    free(st->dev_idx);
    st->dev_idx = idx;
    st->dev_mask = size - 1;
    return 0;
}

static iof__dev_stat *find_dev(iof__stats *st, const char *key, const char *name, const char *type)
{
    if (st->dev_idx) {
        for (size_t h = str_hash(key) & st->dev_mask;; h = (h + 1) & st->dev_mask) {
            int32_t i = st->dev_idx[h];
            if (i < 0)
                break;
            if (strcmp(st->devs[i].key, key) == 0)
                return &st->devs[i];
        }
    }
    /* past the cap every new key is counted under one "(other)" row, which has a slot of its
     * own beyond the cap: no real device ever absorbs another's counts */
    bool other = strcmp(key, IOF_STAT_OTHER) == 0;
    if (st->n_devs >= IOF_MAX_STAT_DEVICES && !other)
        return find_dev(st, IOF_STAT_OTHER, "", "");
    if (st->n_devs > IOF_MAX_STAT_DEVICES)
        return NULL; /* cannot happen: "(other)" was found above */
    if (iof__grow((void **)&st->devs, &st->cap_devs, st->n_devs + 1, sizeof *st->devs,
                  IOF_MAX_STAT_DEVICES + 1) != IOF_OK) /* + the "(other)" row */
        return NULL;
    iof__dev_stat *d = &st->devs[st->n_devs++];
    memset(d, 0, sizeof(*d));
    snprintf(d->key, sizeof(d->key), "%s", key);
    snprintf(d->name, sizeof(d->name), "%s", name ? name : "");
    snprintf(d->type, sizeof(d->type), "%s", type ? type : "");
    if (st->n_devs * 2 > st->dev_mask) {
        size_t size = 64;
        while (size < st->n_devs * 4)
            size *= 2;
        if (rebuild_index(st, size) != 0)
            return d;
    } else {
        size_t h = str_hash(d->key) & st->dev_mask;
        while (st->dev_idx[h] >= 0)
            h = (h + 1) & st->dev_mask;
        st->dev_idx[h] = (int32_t)(st->n_devs - 1);
    }
    return d;
}

void iof__stats_record(iof__stats *st, const char *key, const char *name, const char *type,
                       int variant, uint8_t proto, uint64_t packets, uint64_t bytes, bool count_traffic)
{
    iof__dev_stat *d = find_dev(st, key, name, type);
    if (d) {
        d->records[variant]++;
        if (count_traffic) {
            d->packets += packets;
            d->bytes += bytes;
        }
    }
    if (count_traffic) {
        st->proto[proto].records++;
        st->proto[proto].packets += packets;
        st->proto[proto].bytes += bytes;
    }
}

static int dev_cmp(const void *a, const void *b)
{
    return strcmp(((const iof__dev_stat *)a)->key, ((const iof__dev_stat *)b)->key);
}

void iof__stats_sort_devices(iof__stats *st)
{
    if (st->n_devs < 2)
        return;
    qsort(st->devs, st->n_devs, sizeof(*st->devs), dev_cmp);
    if (st->dev_idx) {
        size_t size = st->dev_mask + 1;
        rebuild_index(st, size);
    }
}

int iof__stats_label(iof__stats *st, size_t key, const char *value, int counter)
{
    /* a few rows per key: a linear walk, newest first (runs of one label are common); values
     * are compared as text (two rules may give the same value) */
    for (size_t i = st->n_labels; i-- > 0;) {
        const char *v = st->labels[i].value;
        if (st->labels[i].key == key && (v == value || (v && value && strcmp(v, value) == 0))) {
            st->labels[i].records[counter]++;
            return IOF_OK;
        }
    }
    IOF_TRY(iof__grow((void **)&st->labels, &st->cap_labels, st->n_labels + 1, sizeof *st->labels,
                      IOF_MAX_STAT_LABELS));
    iof__label_stat *l = &st->labels[st->n_labels++];
    memset(l, 0, sizeof(*l));
    l->key = key;
    l->value = value;
    l->records[counter] = 1;
    return IOF_OK;
}

void iof__stats_merge(iof__stats *dst, const iof__stats *src)
{
    for (size_t i = 0; i < src->n_devs; i++) {
        const iof__dev_stat *d = &src->devs[i];
        iof__dev_stat *t = find_dev(dst, d->key, d->name, d->type);
        if (!t)
            continue;
        for (int v = 0; v < IOF_VAR__COUNT; v++)
            t->records[v] += d->records[v];
        t->packets += d->packets;
        t->bytes += d->bytes;
    }
    for (int p = 0; p < 256; p++) {
        dst->proto[p].records += src->proto[p].records;
        dst->proto[p].packets += src->proto[p].packets;
        dst->proto[p].bytes += src->proto[p].bytes;
    }
}
