/* fuzz_fuse: `iotflow fuse` over an untrusted written output (byte 0 picks the format: bit 0 JSON
 * Lines, else CSV; the rest is the file) with a fixed sensor file and inventory: devices by name
 * and by MAC, a flag column, a reading with a fraction of a second. Any input is accepted or
 * rejected cleanly: no crash, no leak, a rejection says why and leaves nothing at the output
 * path. An accepted file keeps its promises: rows with a sensor device are among the rows
 * counted, and a copy with rows cannot be fused again (its sensor columns are there: refused as
 * a configuration problem, nothing written). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_fuzz.h"

#include "common/err.h"
#include "dataset/fuse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* synth's devices (the seeds are synth outputs), one by name, one by MAC, one not inventoried */
static const char inventory_text[] = "mac,name,type\n"
                                     "50:c7:bf:ea:e7:05,plug-1,smart_plug\n"
                                     "74:da:38:a1:6f:02,camera-1,camera\n";
static const char sensors_text[] = "timestamp,device_id,temperature,motion,alert_flag\n"
                                   "2024-06-23T18:00:00Z,plug-1,21.5,0,0\n"
                                   "2024-06-23T18:00:01Z,plug-1,21.75,1,0\n"
                                   "2024-06-23T18:00:02.5Z,74:da:38:a1:6f:02,19,1,1\n"
                                   "1719165603,camera-1,,0,0\n"
                                   "2024-06-23T18:00:04Z,00:17:88:20:da:07,5,0,1\n";

static bool setup(iof__fuse_cfg *cfg)
{
    static bool tried, ok;
    static iof__inventory *inv;
    static iof__sensors *s;
    if (!tried) {
        tried = true;
        char ip[] = "/tmp/iof-fuzz-fuse-inv-XXXXXX", sp[] = "/tmp/iof-fuzz-fuse-sens-XXXXXX";
        char err[512];
        if (file_fuzz_write(ip, (const uint8_t *)inventory_text, sizeof inventory_text - 1)) {
            if (iof__inventory_load(&inv, ip, err, sizeof err) != IOF_OK)
                inv = NULL;
            unlink(ip);
        }
        if (inv && file_fuzz_write(sp, (const uint8_t *)sensors_text, sizeof sensors_text - 1)) {
            iof__sensors_config sc = { .inv = inv };
            ok = iof__sensors_load(sp, &sc, &s, NULL, err, sizeof err) == IOF_OK;
            unlink(sp);
        }
    }
    *cfg = (iof__fuse_cfg){ .sensors = s, .inv = inv, .tol_ns = 2000000000, .sensors_name = "sensors.csv",
                            .threads = 1 };
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    iof__fuse_cfg cfg;
    if (size < 1 || !setup(&cfg))
        return 0;
    const char *ext = data[0] & 1 ? "jsonl" : "csv";
    file_fuzz_job j;
    if (!file_fuzz_job_open(&j, "fuse", ext, data + 1, size - 1))
        return 0;
    const char *in = j.in, *out = j.out, *again = j.again;
    char err[1024] = "";
    iof__fuse_counts c = { 0 };
    int rc = iof__fuse_file(in, out, &cfg, &c, err, sizeof err);
    struct stat sb;
    if (rc != IOF_OK) {
        CHECK(err[0] != '\0');
        CHECK(stat(out, &sb) != 0); /* nothing at the output path */
    } else {
        CHECK(stat(out, &sb) == 0);
        CHECK(c.with_sensors <= c.rows);
        if (c.rows) { /* (a JSON Lines file without rows names no column: copied empty) */
            err[0] = '\0';
            CHECK(iof__fuse_check(out, &cfg, err, sizeof err) == IOF_E_INVAL && err[0]);
            /* writing, a JSON Lines row planned again reports a damaged file (the check above is
             * what sees a configuration problem first, as iof__rw_paths runs it) */
            CHECK(iof__fuse_file(out, again, &cfg, NULL, err, sizeof err) != IOF_OK);
            CHECK(stat(again, &sb) != 0);
        }
    }
    file_fuzz_job_close(&j);
    return 0;
}
