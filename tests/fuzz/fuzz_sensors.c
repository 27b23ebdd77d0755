/* fuzz_sensors: the --sensors CSV reader (untrusted text) accepts or rejects any input cleanly:
 * no crash, no leak, a rejection says why, and an accepted file keeps its promises: every row
 * is accounted for, series are strictly time-sorted with finite values, each reading is found
 * again by as-of at its own time, an interval over a whole series counts all of it with
 * min <= mean <= max, and every device is found again by its id. Device ids go through a small
 * fixed inventory (names, MACs, a name two devices share). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_fuzz.h"

#include "sensors/sensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static const char inv_text[] = "mac,name,type\n"
                               "02:00:00:00:00:01,cam-1,camera\n"
                               "02:00:00:00:00:02,motion-1,motion\n"
                               "02:00:00:00:00:03,twin,plug\n"
                               "02:00:00:00:00:04,twin,plug\n"
                               "02:00:00:00:00:05,,plug\n";

static iof__inventory *fixed_inventory(void)
{
    static iof__inventory *inv;
    static bool tried;
    if (!tried) {
        tried = true;
        char path[] = "/tmp/iof-fuzz-sensors-inv-XXXXXX";
        char err[256];
        if (file_fuzz_write(path, (const uint8_t *)inv_text, sizeof inv_text - 1)) {
            if (iof__inventory_load(&inv, path, err, sizeof err) != 0)
                inv = NULL;
            unlink(path);
        }
    }
    return inv;
}

static void check(const iof__sensors *s, const iof__sensors_stats *st)
{
    CHECK(st->rows == st->rows_kept + st->skipped_csv + st->skipped_fields + st->skipped_time +
                          st->skipped_device + st->duplicates);
    CHECK(st->devices == iof__sensors_ndevices(s));
    uint64_t rows = 0, values = 0;
    for (size_t d = 0; d < iof__sensors_ndevices(s); d++) {
        const iof__sensor_dev *dv = iof__sensors_dev(s, d);
        CHECK(dv->rows > 0 && strnlen(dv->id, sizeof dv->id) < sizeof dv->id);
        CHECK(iof__sensors_find_id(s, dv->id) == (long)d);
        if (dv->inv >= 0)
            CHECK(iof__sensors_find_inv(s, dv->inv) == (long)d);
        rows += dv->rows;
        for (size_t c = 0; c < iof__sensors_ncols(s); c++) {
            iof__sensor_series z = iof__sensors_series(s, d, c);
            CHECK(z.n <= dv->rows);
            values += z.n;
            for (size_t i = 0; i < z.n; i++) {
                CHECK(isfinite(z.v[i]) && (i == 0 || z.t[i] > z.t[i - 1]));
                CHECK(z.t[i] >= st->t_min && z.t[i] <= st->t_max);
                double v;
                int64_t at;
                CHECK(iof__sensors_asof(s, d, c, z.t[i], 0, &v, &at) && at == z.t[i] && v == z.v[i]);
            }
            iof__sensor_agg g;
            iof__sensors_agg(s, d, c, INT64_MIN, INT64_MAX, &g);
            CHECK(g.n == z.n);
            if (g.n && isfinite(g.mean)) { /* a sum of huge values may overflow to inf */
                double tol = 1e-9 * (fabs(g.min) > fabs(g.max) ? fabs(g.min) : fabs(g.max));
                CHECK(g.min <= g.max && g.min <= g.mean + tol && g.mean <= g.max + tol);
            }
        }
    }
    CHECK(rows == st->rows_kept && values == st->values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/iof-fuzz-sensors-XXXXXX";
    if (!file_fuzz_write(path, data, size))
        return 0;
    iof__sensors_config cfg = { .inv = size & 1 ? fixed_inventory() : NULL }; /* odd sizes: with an inventory */
    iof__sensors *s = NULL;
    iof__sensors_stats st;
    char err[512];
    if (iof__sensors_load(path, &cfg, &s, &st, err, sizeof err) == 0)
        check(s, &st);
    else
        CHECK(err[0] != '\0'); /* a rejection always says why */
    iof__sensors_free(s);
    unlink(path);
    return 0;
}
