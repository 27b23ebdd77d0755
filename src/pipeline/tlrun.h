/* The per-device timeline of captures, row by row to a callback (tlrun.c). */
#ifndef IOF_PIPELINE_TLRUN_H
#define IOF_PIPELINE_TLRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iotflow/iotflow.h"

/* One device and second: the timeline table's device_id and its six counts (packets, bytes,
 * flows started; out then in). A non-zero return stops the run with that error. */
typedef int (*iof__tlrun_fn)(void *ctx, int64_t sec_ns, const char *device, size_t len, const uint64_t counts[6]);

typedef struct iof__tlrun_stats {
    uint64_t frames, attributed, rows;
    bool input_damaged;        /* an input was damaged or unreadable after frames were read:
                                * what was read is used, the message is in err */
    int input_rc;              /* then: the run's error (IOF_E_TRUNCATED_INPUT, _FORMAT, _IO) */
} iof__tlrun_stats;

/* Runs cfg's inputs (captures; cfg.devices_file, filter, telemetry_idle_s, on_message apply;
 * output settings are ignored). Returns OK (also when an input was damaged after some frames:
 * st->input_damaged, message in err) or the run's error. */
int iof__tlrun_captures(const iof_config *cfg, iof__tlrun_fn fn, void *ctx, iof__tlrun_stats *st, char *err,
                        size_t errlen);

#endif
