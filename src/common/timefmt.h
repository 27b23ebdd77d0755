/* Timestamps as text. */
#ifndef IOF_COMMON_TIMEFMT_H
#define IOF_COMMON_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOF_UTC_TEXT 32 /* buffer for iof__utc_text */

/* µs since the epoch -> "YYYY-MM-DDTHH:MM:SSZ", or with frac "YYYY-MM-DDTHH:MM:SS.ffffffZ"
 * (ISO 8601, UTC). Times before the epoch round down; every field is bounded, so the text
 * always fits IOF_UTC_TEXT bytes. */
void iof__utc_text(char *buf, size_t n, int64_t us, bool frac);

#endif
