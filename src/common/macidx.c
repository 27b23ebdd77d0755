#include "common/macidx.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mix.h"

static const uint8_t *mac_of(iof__macrows v, size_t row)
{
    return (const uint8_t *)v.rows + row * v.stride + v.mac_off;
}

static size_t home(const iof__macidx *x, const uint8_t m[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | m[i];
    v ^= x->seed; /* all 64 bits of the seed (shifting it in would keep 16) */
    return (size_t)iof__mix64(v) & x->mask;
}

void iof__macidx_init(iof__macidx *x, uint64_t seed)
{
    memset(x, 0, sizeof *x);
    x->seed = seed;
}

void iof__macidx_free(iof__macidx *x)
{
    free(x->slot);
    x->slot = NULL;
    x->mask = 0;
}

long iof__macidx_find(const iof__macidx *x, iof__macrows v, const uint8_t mac[6])
{
    if (!x->slot)
        return -1;
    for (size_t h = home(x, mac);; h = (h + 1) & x->mask) {
        int32_t i = x->slot[h];
        if (i < 0)
            return -1;
        if (memcmp(mac_of(v, (size_t)i), mac, 6) == 0)
            return i;
    }
}

static void place(iof__macidx *x, iof__macrows v, size_t row)
{
    size_t h = home(x, mac_of(v, row));
    while (x->slot[h] >= 0)
        h = (h + 1) & x->mask;
    x->slot[h] = (int32_t)row;
}

int iof__macidx_add(iof__macidx *x, iof__macrows v, size_t row)
{
    if (row >= IOF_MACIDX_MAX_ROWS)
        return IOF_E_LIMIT;
    size_t size = x->slot ? x->mask + 1 : 0;
    if ((row + 1) * 2 > size) { /* rebuild twice as large (at least 16 slots) */
        size_t nsize = size ? size * 2 : 16;
        while ((row + 1) * 2 > nsize)
            nsize *= 2;
        int32_t *s = malloc(nsize * sizeof *s);
        if (!s)
            return IOF_E_NOMEM;
        free(x->slot);
        x->slot = s;
        x->mask = nsize - 1;
        memset(s, 0xff, nsize * sizeof *s); /* -1 */
        for (size_t i = 0; i < row; i++)
            place(x, v, i);
    }
    place(x, v, row);
    return IOF_OK;
}
