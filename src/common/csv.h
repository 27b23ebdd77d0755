/* RFC 4180 field splitting of one CSV line, in place (inventory files, `iotflow stats` over
 * our CSV outputs). Untrusted text: bounded by `max`, malformed lines are rejected. */
#ifndef IOF_COMMON_CSV_H
#define IOF_COMMON_CSV_H

#include <stddef.h>

/* Splits `line` (NUL-terminated, no line break) into at most `max` fields: f[i] points into
 * line and is NUL-terminated; flen[i] (if flen is not NULL) is its length. Quoted fields may
 * hold commas and doubled quotes; blanks outside quotes are trimmed. Returns the number of
 * fields, or -1 for an unterminated quote, text after a closing quote, or more than max. */
int iof__csv_split(char *line, char **f, size_t *flen, int max);

#endif
