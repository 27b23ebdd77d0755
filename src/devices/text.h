/* Untrusted bytes (packet strings, vendor-database names) -> printable UTF-8 text for the
 * device inventory. */
#ifndef IOF_DEVICES_TEXT_H
#define IOF_DEVICES_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define IOF_DEV_TEXT_IN 512 /* input bytes looked at (longer input is cut first) */

/* Copies src (n bytes, read through rd.h) into dst (cap >= 1 bytes, always NUL-terminated):
 * stops at the first NUL byte (DHCP clients often send C strings), control bytes become ' ',
 * invalid UTF-8 becomes '?', blanks at both ends are trimmed, and the text is cut at a
 * character boundary to fit. Returns the length written. */
size_t iof__dev_text(char *dst, size_t cap, const uint8_t *src, size_t n);

#endif
