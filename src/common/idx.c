/* The open-addressing index (see idx.h). */
#include <stdlib.h>
#include <time.h>

#include "common/err.h"
#include "common/idx.h"
#include "common/mix.h"

int iof__idx_room(iof__idx *x, size_t n, iof__idx_hash_fn hash, const void *owner)
{
    size_t size = x->slot ? x->mask + 1 : 0;
    if (x->slot && (n + 1) * 2 <= size)
        return IOF_OK;
    size_t nsize = size ? size * 2 : 1024;
    iof__idx nx = { .slot = calloc(nsize, sizeof(*nx.slot)), .mask = nsize - 1 };
    if (!nx.slot)
        return IOF_E_NOMEM;
    for (size_t i = 0; i < size; i++)
        if (x->slot[i])
            iof__idx_put(&nx, hash(owner, iof__idx_get(x, i) - 1), iof__idx_get(x, i) - 1);
    free(x->slot);
    *x = nx;
    return IOF_OK;
}

void iof__idx_put(iof__idx *x, uint64_t h, uint32_t id)
{
    size_t s = iof__idx_first(x, h);
    while (x->slot[s])
        s = iof__idx_next(x, s);
    iof__idx_set(x, s, h, id);
}

void iof__idx_free(iof__idx *x)
{
    free(x->slot);
    x->slot = NULL;
    x->mask = 0;
}

uint64_t iof__idx_seed(const void *owner)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return iof__mix64((uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 32 ^ (uint64_t)(uintptr_t)owner);
}

size_t iof__idx_cap(uint64_t bound, size_t cost, size_t lo, size_t hi)
{
    if (!bound)
        return hi;
    uint64_t cap = bound / cost;
    return cap > hi ? hi : cap < lo ? lo : (size_t)cap;
}
