/* fuzz_oui: a vendor database file (Wireshark manuf or IEEE registry text, both untrusted)
 * through the loader, then lookups. Invariants: a rejection always says why (file:line); every
 * name found is NUL-terminated text of at most IOF_OUI_MAX_NAME - 1 bytes; lookups of MACs made
 * from the input's own bytes never fail. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_fuzz.h"

#include "devices/oui.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static volatile uint32_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/iof-fuzz-oui-XXXXXX";
    if (!file_fuzz_write(path, data, size))
        return 0;
    iof__oui *db = iof__oui_create();
    char err[512] = "";
    if (db && iof__oui_add_file(db, path, err, sizeof err) != 0 && strstr(err, path) == NULL)
        abort(); /* a rejection names the file */
    uint32_t acc = 0;
    for (size_t i = 0; db && i + 6 <= size && i < 64 * 6; i += 6) {
        const char *v = iof__oui_lookup(db, data + i);
        if (v) {
            size_t n = strlen(v);
            if (n == 0 || n >= IOF_OUI_MAX_NAME)
                abort();
            acc += (uint8_t)v[0] + (uint32_t)n;
        }
    }
    sink += acc + (uint32_t)iof__oui_count(db);
    iof__oui_free(db);
    unlink(path);
    return 0;
}
