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

#endif
