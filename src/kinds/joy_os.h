/* Joy's probable_os (-f joy; docs/JOY.md "probable_os"): a guess at each side's operating system
 * from two base fields Joy keeps per record anyway, its smallest TTL (ip.*.ttl) and the window of
 * its first SYN or SYN/ACK (tcp.*.first_window_size): both live in the Joy record
 * (flow/joyflow.h), so this is no feature module with a state of its own. */
#ifndef IOF_KINDS_JOY_OS_H
#define IOF_KINDS_JOY_OS_H

#include <stdint.h>

#include "flow/joyflow.h"
#include "output/textbuf.h"

/* The name Joy 3.0.3 gives to (ttl, window), or NULL when its table has none (a window of 0: no
 * SYN or SYN/ACK seen, so every flow that starts mid-connection and every UDP flow). */
const char *iof__joy_os_name(uint8_t ttl, uint16_t window);
/* ,"probable_os":{"out":"...","in":"..."} for the flow whose printed sides are out and in (in
 * NULL: one-way), with the sides that have a name; nothing when neither has. */
void iof__joy_os_json(iof__tbuf *b, const iof__joyrec *out, const iof__joyrec *in);

#endif
