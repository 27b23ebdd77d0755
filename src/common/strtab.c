/* The string table (see strtab.h). */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/mix.h"
#include "common/strtab.h"

#define STRTAB_BLOCK (64u << 10) /* a text longer than a block gets a block of its own size */

static uint64_t hash(const iof__strtab *t, const char *s, size_t n) { return iof__hash_bytes(t->seed, s, n); }

typedef struct st_text {
    const char *s;
    size_t n;
} st_text;

/* Whether string id is text key (iof__idx_eq_fn). */
static bool text_eq(const void *owner, uint32_t id, const void *key)
{
    const char *c = ((const iof__strtab *)owner)->str[id];
    const st_text *k = key;
    return strncmp(c, k->s, k->n) == 0 && c[k->n] == '\0';
}

uint32_t iof__strtab_find(const iof__strtab *t, const char *s, size_t n)
{
    uint32_t i = iof__idx_lookup(&t->idx, hash(t, s, n), text_eq, t, &(st_text){ s, n });
    return i ? i - 1 : IOF_STRTAB_NONE;
}

static uint64_t id_hash(const void *owner, uint32_t id)
{
    const iof__strtab *t = owner;
    return hash(t, t->str[id], strlen(t->str[id]));
}

uint32_t iof__strtab_add(iof__strtab *t, const char *s, size_t n, int *rc)
{
    *rc = IOF_OK;
    uint32_t id = iof__strtab_find(t, s, n);
    if (id != IOF_STRTAB_NONE)
        return id;
    if (t->bytes + n + 1 > t->max_bytes || t->n >= UINT32_MAX - 1)
        return IOF_STRTAB_NONE;
    if (!t->nblocks || t->block_used + n + 1 > STRTAB_BLOCK) {
        size_t size = n + 1 > STRTAB_BLOCK ? n + 1 : STRTAB_BLOCK;
        char *b;
        if ((*rc = iof__grow((void **)&t->blocks, &t->blocks_cap, t->nblocks + 1, sizeof(*t->blocks),
                             SIZE_MAX / sizeof(char *))) != IOF_OK)
            return IOF_STRTAB_NONE;
        if (!(b = malloc(size))) {
            *rc = IOF_E_NOMEM;
            return IOF_STRTAB_NONE;
        }
        t->blocks[t->nblocks++] = b;
        t->block_used = 0;
    }
    if ((*rc = iof__idx_room(&t->idx, t->n, id_hash, t)) != IOF_OK ||
        (*rc = iof__grow((void **)&t->str, &t->cap, t->n + 1, sizeof(*t->str), UINT32_MAX - 1)) != IOF_OK)
        return IOF_STRTAB_NONE;
    char *c = t->blocks[t->nblocks - 1] + t->block_used;
    memcpy(c, s, n);
    c[n] = '\0';
    t->block_used += n + 1;
    t->bytes += n + 1;
    t->str[t->n] = c;
    iof__idx_put(&t->idx, hash(t, s, n), (uint32_t)t->n);
    return (uint32_t)t->n++;
}

void iof__strtab_free(iof__strtab *t)
{
    for (size_t i = 0; i < t->nblocks; i++)
        free(t->blocks[i]);
    free(t->blocks);
    free(t->str);
    iof__idx_free(&t->idx);
    memset(t, 0, sizeof(*t));
}
