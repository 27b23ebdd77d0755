/* Names as text (DNS names, TLS server names): the one escaping rule of the names the label
 * rules match (`dns`, `sni`), the timeline's name lists and `iotflow devices`' mDNS names, so a
 * name is written the same wherever it appears and two different names never print as the same
 * text. (Joy's `dns` member keeps Joy's own rule, '*' for every byte outside 0x20..0x7e:
 * proto/dns.h IOF_DNS_TEXT_JOY.)
 *
 * '\' is written "\\", bytes < 0x20 and 0x7f as \DDD (three decimal digits: RFC 1035 §5.1's
 * presentation form), and so is every byte that is not part of a well-formed UTF-8 sequence
 * (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), so the text is always valid
 * UTF-8: a Parquet writer would otherwise replace such bytes by U+FFFD, and names that differ only
 * there would collide. Everything else, UTF-8 included (mDNS names), is written as it is. */
#ifndef IOF_COMMON_NAMETEXT_H
#define IOF_COMMON_NAMETEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOF_NAME_ESC_DOT 1u /* '.' as "\." (inside a DNS label, where it is not a separator) */
#define IOF_NAME_LOWER 2u   /* ASCII A-Z as a-z (server names compare case-insensitively) */

/* Appends the n bytes at p to out at *o, escaped (at most 4 * n bytes). False, with *o at the
 * end of the last whole byte written, when a byte does not fit before out's last byte (kept for
 * the caller's NUL); out is not terminated here. */
bool iof__name_escape(const uint8_t *p, size_t n, unsigned flags, char *out, size_t outlen, size_t *o);

/* The longest prefix of the escaped text t (n bytes) of at most max bytes that ends between two
 * of its units (an escape "\\x" or "\\DDD", a UTF-8 sequence, a byte): where a column cuts a long
 * name without leaving half an escape or an invalid UTF-8 sequence. */
size_t iof__name_cut(const char *t, size_t n, size_t max);

#endif
