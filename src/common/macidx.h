/* MAC address -> row number: the one index both device tables use (the inventory in flow/,
 * the discovered devices in devices/). Open addressing over int32 row numbers, a power-of-two
 * size kept at most half full, a seeded hash (the devices table seeds it per run, so MACs a
 * capture chooses cannot aim at one chain). The rows stay with the caller, in one array; the
 * index reads a row's MAC through an iof__macrows view of it (the array moves when it grows).
 *
 *   iof__macrows v = { rows, sizeof *rows, offsetof(row_type, mac) };
 *   long i = iof__macidx_find(&x, v, mac);          // -1: absent
 *   IOF_TRY(iof__macidx_add(&x, v, n - 1));         // after appending row n - 1
 */
#ifndef IOF_COMMON_MACIDX_H
#define IOF_COMMON_MACIDX_H

#include <stddef.h>
#include <stdint.h>

#define IOF_MACIDX_MAX_ROWS (1u << 30) /* int32 row numbers; the tables cap far below */

typedef struct iof__macidx {
    int32_t *slot;  /* row number, -1 = empty */
    size_t mask;    /* slots - 1 (0: no slots yet) */
    uint64_t seed;
} iof__macidx;

typedef struct iof__macrows {
    const void *rows;
    size_t stride;  /* bytes per row */
    size_t mac_off; /* offset of the row's 6-byte MAC */
} iof__macrows;

void iof__macidx_init(iof__macidx *x, uint64_t seed);
void iof__macidx_free(iof__macidx *x);
/* The row holding mac, or -1. */
long iof__macidx_find(const iof__macidx *x, iof__macrows v, const uint8_t mac[6]);
/* Indexes row `row` (rows [0, row) are indexed already; the array holds row + 1 rows),
 * rebuilding the index twice as large when it would be more than half full.
 * Returns 0, IOF_E_NOMEM or IOF_E_LIMIT (the index is unchanged then). */
int iof__macidx_add(iof__macidx *x, iof__macrows v, size_t row);

#endif
