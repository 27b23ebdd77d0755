/* UTF-8 well-formedness (RFC 3629): the one test every writer and name escaper uses. */
#ifndef IOF_COMMON_UTF8_H
#define IOF_COMMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at p (1..4; n >= 1 bytes available), 0 if invalid
 * (overlong forms, surrogates, past U+10FFFF, a cut or broken sequence). */
size_t iof__utf8_len(const uint8_t *p, size_t n);
/* Offset of the first byte of p[0..n) that starts no valid UTF-8 sequence; n when all is valid.
 * For texts a user gives that become output text (names, column names): Parquet's strings
 * are UTF-8, and a writer that escapes or replaces bytes would make formats disagree. */
size_t iof__utf8_first_bad(const uint8_t *p, size_t n);

#endif
