/* fuzz_json: one JSON Lines row through the bounded JSON reader (common/json.c), as the
 * dataset reader uses it on untrusted files. Checks the contract: members' spans lie inside
 * the input, string values unescape into a bounded buffer (or report that they do not fit),
 * integer conversion never reads outside its span, and an error names an offset inside the
 * input. Without libFuzzer it links with replay_main.c (ctest fuzz-replay.fuzz_json).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define MAXM 64

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exactly-sized copy: ASan sees any read past the row */
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    iof__json_member m[MAXM];
    const char *why = NULL;
    size_t at = 0;
    int n = iof__json_object(p, size, m, MAXM, &why, &at);
    if (n < 0) {
        CHECK(why && why[0] && at <= size);
    } else {
        CHECK(n <= MAXM);
        for (int i = 0; i < n; i++) {
            CHECK(m[i].key >= p && m[i].key + m[i].key_len <= p + size);
            CHECK(m[i].val >= p && m[i].val + m[i].val_len <= p + size);
            char out[64];
            if (m[i].type == IOF_JSON_STRING) {
                long k = iof__json_unescape(m[i].val, m[i].val_len, out, sizeof out);
                CHECK(k < (long)sizeof out);
                if (k >= 0)
                    CHECK(out[k] == '\0');
                sink += (uint64_t)k;
            }
            int64_t v;
            if (m[i].type == IOF_JSON_NUMBER && iof__json_int64(m[i].val, m[i].val_len, &v))
                sink += (uint64_t)v;
        }
    }
    free(p);
    return 0;
}
