/* Device-side sensor readings (--sensors FILE; docs/SENSORS.md): a CSV with a header naming
 * `timestamp`, `device_id` and numeric value columns, read into one time-sorted series per
 * device and column, with the two lookups the fusion needs:
 *  - as-of: the last reading at or before t, no older than t - tol;
 *  - interval: count, mean, min, max and "any non-zero" of the readings with t0 <= time <= t1.
 * Both are O(log n) (binary search; the interval's whole 64-reading blocks come from prefix
 * sums and a sparse table, at most 2 x 63 readings are scanned one by one).
 * Untrusted text: every cap is named below, bad rows are counted under a reason, and a message
 * names file:line and the 1-based column. */
#ifndef IOF_SENSORS_SENSORS_H
#define IOF_SENSORS_SENSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flow/inventory.h"

#define IOF_MAX_SENSOR_LINE 8192         /* bytes in a line: 66 columns of 120 bytes */
#define IOF_MAX_SENSOR_COLS 64           /* value columns (the seed has 5) */
#define IOF_MAX_SENSOR_DEVICES 65536     /* distinct devices, and distinct device_id texts: as
                                          * many as the inventory may hold (IOF_MAX_DEVICES) */
#define IOF_MAX_SENSOR_ROWS (1u << 24)   /* 16,777,216 data rows: 20 devices x 1 Hz x 9.7 days */
#define IOF_MAX_SENSOR_CELLS (1u << 26)  /* rows x value columns held while reading (8 B each:
                                          * 512 MiB), so a wide file gets fewer rows */
#define IOF_MAX_SENSOR_NAME 64           /* bytes in a column name, NUL included */
#define IOF_MAX_SENSOR_ID IOF_MAX_DEVICE_FIELD /* bytes in a device_id, NUL included */
#define IOF_SENSOR_MAX_DECIMALS 9        /* = the text writers' IOF_MAX_DECIMALS */
#define IOF_SENSORS_WARNINGS 10          /* problems passed to the warn callback one by one */

typedef struct iof__sensors iof__sensors;

typedef struct iof__sensors_config {
    const iof__inventory *inv; /* device_id -> device (name or MAC); NULL: ids stay as written */
    /* optional: called with "file:line: column N (name): ..." for the first
     * IOF_SENSORS_WARNINGS skipped rows and bad values (the stats count all of them) */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
} iof__sensors_config;

/* Nothing is dropped or changed silently: each row read is kept, skipped under one reason or
 * replaced by a later duplicate, so rows == rows_kept + skipped_* + duplicates. */
typedef struct iof__sensors_stats {
    uint64_t lines;           /* lines read, the header included */
    uint64_t blank_lines;     /* empty or blank lines (no data) */
    uint64_t comment_lines;   /* lines starting with '#' */
    uint64_t rows;            /* data rows (every other line after the header) */
    uint64_t rows_kept;       /* rows in the series */
    uint64_t skipped_csv;     /* unbalanced quote, text after a closing quote, NUL byte */
    uint64_t skipped_fields;  /* a field count other than the header's */
    uint64_t skipped_time;    /* timestamp empty or garbled */
    uint64_t skipped_device;  /* device_id empty, too long, or with control characters */
    uint64_t duplicates;      /* rows replaced by a later row of the same device and time */
    uint64_t out_of_order;    /* rows older than their device's previous row: kept, sorted */
    uint64_t unresolved_rows; /* kept rows whose device_id is not in the inventory */
    uint64_t values;          /* numbers kept (all columns) */
    uint64_t missing;         /* empty / NA / nan cells of kept rows (all columns) */
    uint64_t bad_values;      /* cells that are not a finite number: read as missing */
    uint64_t devices;         /* devices with at least one kept row */
    uint64_t unresolved_devices; /* of which not in the inventory */
    int64_t t_min, t_max;     /* ns, over kept rows (0 when none) */
    char first_problem[384];  /* the first skipped row or bad value, "" if none */
} iof__sensors_stats;

#define IOF_SENSORS_MAX_TOLERANCE_S 3600.0 /* --tolerance: a reading stands at most an hour */
/* A tolerance in seconds as ns, rounded to the nearest ns (one rule for every command), or -1
 * when it is not within 0..IOF_SENSORS_MAX_TOLERANCE_S (NaN included). */
int64_t iof__sensors_tolerance_ns(double seconds);

/* Rows skipped, all reasons: rows == rows_kept + iof__sensors_skipped() + duplicates. */
static inline uint64_t iof__sensors_skipped(const iof__sensors_stats *st)
{
    return st->skipped_csv + st->skipped_fields + st->skipped_time + st->skipped_device;
}

typedef struct iof__sensor_col {
    char name[IOF_MAX_SENSOR_NAME];
    uint64_t values, missing, bad_values; /* over kept rows (bad_values: over rows read) */
    bool binary;              /* every value is 0 or 1 (motion, alert_flag): a flag */
    uint8_t decimals;         /* most digits after the point among its numbers as written
                               * (IOF_SENSOR_MAX_DECIMALS with an exponent): text outputs write
                               * them back as the file had them */
} iof__sensor_col;

typedef struct iof__sensor_dev {
    char id[IOF_MAX_SENSOR_ID]; /* inventory name (if no other device has it), else
                                 * "aa:bb:cc:dd:ee:ff", else the id as written; finds it again */
    long inv;                   /* inventory index, -1 if unresolved */
    bool has_mac;               /* from the inventory, or the id was a MAC */
    uint8_t mac[6];
    uint64_t rows;              /* kept rows */
} iof__sensor_dev;

/* A device's readings of one column: strictly increasing times (ns), finite values; missing
 * cells are not in it. n == 0 when the device never reported that column. */
typedef struct iof__sensor_series {
    const int64_t *t;
    const double *v;
    size_t n;
} iof__sensor_series;

typedef struct iof__sensor_agg {
    size_t n;                 /* readings in [t0, t1]; the rest is 0/false when n == 0 */
    double mean, min, max;
    bool any_nonzero;
} iof__sensor_agg;

/* Reads the CSV at path (name used in messages: "path:line: ..."). Returns 0, IOF_E_IO (cannot
 * open or read), IOF_E_INVAL (a fatal problem: header, missing timestamp/device_id column, a
 * timestamp without zone or with an unknown one, an epoch time past 2261, an ambiguous inventory
 * name), IOF_E_LIMIT (a cap above), IOF_E_NOMEM; the message goes to err. st may be NULL. */
int iof__sensors_load(const char *path, const iof__sensors_config *cfg, iof__sensors **out,
                      iof__sensors_stats *st, char *err, size_t errlen);
/* The same from an open stream (not closed), named `name` in messages. */
int iof__sensors_read(FILE *fp, const char *name, const iof__sensors_config *cfg, iof__sensors **out,
                      iof__sensors_stats *st, char *err, size_t errlen);
void iof__sensors_free(iof__sensors *s);

size_t iof__sensors_ncols(const iof__sensors *s);
const iof__sensor_col *iof__sensors_col(const iof__sensors *s, size_t c);
long iof__sensors_col_find(const iof__sensors *s, const char *name); /* any case; -1 if none */
size_t iof__sensors_ndevices(const iof__sensors *s);
const iof__sensor_dev *iof__sensors_dev(const iof__sensors *s, size_t d);
/* The sensor device of an inventory device / a MAC / an id text (as the file may write it:
 * name or MAC), or -1: a device without sensors. */
long iof__sensors_find_inv(const iof__sensors *s, long inv_idx);
long iof__sensors_find_mac(const iof__sensors *s, const uint8_t mac[6]);
long iof__sensors_find_id(const iof__sensors *s, const char *id);

/* The summary lines of a sensor file (extract's and fuse's): rows kept, skipped by reason,
 * duplicates, out of order; columns, values, devices; the first problem. */
void iof__sensors_report(FILE *fp, const char *path, const iof__sensors *s, const iof__sensors_stats *st);

iof__sensor_series iof__sensors_series(const iof__sensors *s, size_t dev, size_t col);

/* The last reading at or before t and at or after t - tol (both ends inclusive): true and
 * *v (and *at if not NULL); false when there is none. */
bool iof__sensors_asof(const iof__sensors *s, size_t dev, size_t col, int64_t t, int64_t tol, double *v,
                       int64_t *at);
/* The readings with t0 <= time <= t1 (inclusive; none if t1 < t0). Sums of whole blocks come
 * from per-block sums added with compensation (no cancellation against earlier readings). */
void iof__sensors_agg(const iof__sensors *s, size_t dev, size_t col, int64_t t0, int64_t t1,
                      iof__sensor_agg *out);
/* The instant a second's as-of value is taken at (the level below, the timeline's sensor
 * columns): its last nanosecond, so a reading anywhere in the second is that second's. */
static inline int64_t iof__sensors_second_end(int64_t sec_ns)
{
    return sec_ns + 1000000000LL - 1;
}
/* Per-second level for correlation: out[k] = the as-of value at the last instant of second k,
 * iof__sensors_asof(t0 + (k+1) s - 1 ns, hold), so a reading anywhere in [t0 + k s, t0 + (k+1) s)
 * is bin k's; NaN when there is none. O(n + nsec). */
void iof__sensors_level(const iof__sensors *s, size_t dev, size_t col, int64_t t0, size_t nsec, int64_t hold,
                        double *out);

#endif
