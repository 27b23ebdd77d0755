/* fuzz_capture: a whole capture file image (pcap, pcapng, gzip of either) through our
 * streaming reader, from memory (iof__source_open_mem: no temp file, no fmemopen).
 *
 * The plain image is parsed in place, so the fuzzer's exactly-sized input buffer is what the
 * reader walks: ASan sees any over-read. Every byte of every frame is read into a volatile sink
 * (unused results let the optimiser delete a bad read), and the contract is checked:
 * next() returns 1 / 0 / a negative iof_err, errors are sticky, caplen is within the limits,
 * error messages are non-empty. When the input size is a multiple of 5 a BPF filter is set, so
 * the per-link-type filter path (pcap_open_dead + pcap_offline_filter) is fuzzed too.
 *
 * Build with libFuzzer:
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc -Iinclude \
 *       src/capture/ *.c src/common/err.c tests/fuzz/fuzz_capture.c -lpcap -lz -o fuzz_capture
 * Without libFuzzer it links with tests/fuzz/replay_main.c (ctest fuzz-replay.fuzz_capture).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/source.h"
#include "iotflow/iotflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define FUZZ_MAX_FRAMES 100000 /* bounded work per input */

static volatile uint32_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char eb[256];
    iof__source *s = NULL;
    int rc = iof__source_open_mem(&s, data, size, "fuzz", eb, sizeof eb);
    if (rc != 0) {
        CHECK(rc < 0 && s == NULL && eb[0] != '\0');
        return 0;
    }
    if (size % 5 == 0) {
        /* IOF_E_INVAL when the pcap link type has no such protocols (e.g. 802.15.4) */
        rc = iof__source_set_filter(s, "udp or (tcp port 80) or icmp6");
        CHECK(rc == 0 || (rc == IOF_E_INVAL && iof__source_errmsg(s)[0] != '\0'));
    }
    iof_frame f;
    uint32_t acc = 0;
    int n = 0;
    while (n < FUZZ_MAX_FRAMES && (rc = iof__source_next(s, &f)) == 1) {
        n++;
        CHECK(f.caplen <= IOF_MAX_PCAPNG_BLOCK);
        for (uint32_t i = 0; i < f.caplen; i++)
            acc += f.data[i];
        acc += (uint32_t)f.ts_ns ^ f.wirelen ^ f.linktype ^ f.ifindex;
    }
    if (n < FUZZ_MAX_FRAMES) {
        CHECK(rc == 0 || rc == IOF_E_TRUNCATED_INPUT || rc == IOF_E_NOMEM);
        if (rc < 0) {
            CHECK(iof__source_errmsg(s)[0] != '\0');
            CHECK(iof__source_next(s, &f) == rc); /* sticky */
        }
    }
    iof_src_stats st;
    uint64_t filtered;
    iof__source_stats(s, &st, &filtered);
    CHECK(st.frames == (uint64_t)n);
    acc += (uint32_t)iof__source_progress(s);
    sink = acc;
    iof__source_close(s);
    return 0;
}
