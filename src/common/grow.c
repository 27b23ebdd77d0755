#include <stdint.h>
#include <stdlib.h>

#include "common/err.h"
#include "common/grow.h"

size_t iof__grow_cap(size_t cap, size_t need, size_t max)
{
    if (need <= cap)
        return cap;
    size_t c = cap ? cap : 16;
    while (c < need)
        c = c > SIZE_MAX / 2 ? need : c * 2;
    return c > max ? max : c;
}

int iof__grow(void **p, size_t *cap, size_t need, size_t esz, size_t max)
{
    if (need <= *cap)
        return IOF_OK;
    if (need > max)
        return IOF_E_LIMIT;
    size_t c = iof__grow_cap(*cap, need, max);
    if (esz && c > SIZE_MAX / esz)
        return IOF_E_NOMEM;
    void *q = realloc(*p, c * esz);
    if (!q)
        return IOF_E_NOMEM;
    *p = q;
    *cap = c;
    return IOF_OK;
}
