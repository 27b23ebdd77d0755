/* The one growable-array helper (curl's dynbuf idea: every growable thing has a named cap).
 *
 *   IOF_TRY(iof__grow((void **)&v, &cap, n + 1, sizeof *v, IOF_MAX_THINGS));
 *
 * makes room for at least `need` elements of `esz` bytes in *p (capacity *cap, in elements):
 * doubles from 16, never beyond `max` elements. Returns 0, IOF_E_LIMIT (need > max: the array
 * is unchanged) or IOF_E_NOMEM (unchanged). */
#ifndef IOF_COMMON_GROW_H
#define IOF_COMMON_GROW_H

#include <stddef.h>

int iof__grow(void **p, size_t *cap, size_t need, size_t esz, size_t max);
/* The capacity iof__grow gives an array of capacity `cap` for `need` elements (need <= max),
 * without the array: for a caller that counts a buffer it does not hold. */
size_t iof__grow_cap(size_t cap, size_t need, size_t max);

#endif
