/* Internal error helpers (zstd error_private.h idea): one-line error paths. */
#ifndef IOF_COMMON_ERR_H
#define IOF_COMMON_ERR_H

#include <stdarg.h>
#include <stdio.h>

#include "iotflow/iotflow.h"

/* Propagates a negative result. */
#define IOF_TRY(expr) do { int iof_try_rc_ = (expr); if (iof_try_rc_ < 0) return iof_try_rc_; } while (0)

/* Formats a message into buf (may be NULL) and returns code. */
int iof__fail(char *buf, size_t len, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats one line for a caller's iof_message_fn (the library never prints); nothing when fn
 * is NULL. */
void iof__say(iof_message_fn fn, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
