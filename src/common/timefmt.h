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

/* What iof__time_parse_iso / iof__time_parse_epoch found. The kinds are apart because callers
 * treat them differently: a reader of many timestamps may skip a garbled one, but a missing or
 * unknown zone is a property of the whole file (every time would be off by hours). */
typedef enum iof__time_parse_rc {
    IOF_TIME_OK = 0,
    IOF_TIME_SYNTAX,   /* not a timestamp of that form */
    IOF_TIME_NO_ZONE,  /* a date and time without Z or +hh:mm */
    IOF_TIME_BAD_ZONE, /* something after the time that is not Z, +hh:mm, +hhmm or -… */
    IOF_TIME_RANGE,    /* a field out of range (month 13, Feb 30), or before 1970 / after 2261 */
} iof__time_parse_rc;

/* "YYYY-MM-DD(T|t| )HH:MM[:SS[.f{1,9}]](Z|z|±hh[:]mm)" (ISO 8601 / RFC 3339, n bytes, need not be
 * NUL-terminated) -> ns since the epoch. The zone is required; 1970..2261 (int64 ns). */
iof__time_parse_rc iof__time_parse_iso(const char *s, size_t n, int64_t *ns);

/* Epoch seconds "D+[.f{1,9}]" (n bytes) -> ns. IOF_TIME_RANGE beyond 2261 (e.g. a time in ms). */
iof__time_parse_rc iof__time_parse_epoch(const char *s, size_t n, int64_t *ns);

#endif
