/* fuzz_capture: a whole capture file image (pcap, pcapng, gzip of either) through our
 * streaming reader, from memory (iof__source_open_mem: no temp file, no fmemopen).
 *
 * The plain image is parsed in place, so the fuzzer's exactly-sized input buffer is what the
 * reader walks: ASan sees any over-read. Every byte of every frame is read into a volatile sink
 * (unused results let the optimiser delete a bad read), and the contract is checked:
 * next() returns 1 / 0 / a negative iof_err, errors are sticky, caplen is within the limits,
 * error messages are non-empty. When the input size is a multiple of 5 a BPF filter is set, so
 * the per-link-type filter path (pcap_open_dead + pcap_offline_filter) is fuzzed too.
 * Every input is then read a second time through a file descriptor (a memfd): the file path
 * (read(2) into the stream buffer; gzip input taken over from the first read) is fuzzed as
 * well, and both paths must return the same frames and the same final status.
 *
 * Build with libFuzzer:
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc -Iinclude \
 *       src/capture/ *.c src/common/err.c tests/fuzz/fuzz_capture.c -lpcap -lz -o fuzz_capture
 * Without libFuzzer it links with tests/fuzz/replay_main.c (ctest fuzz-replay.fuzz_capture).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/source.h"
#include "iotflow/iotflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define FUZZ_MAX_FRAMES 100000 /* bounded work per input */

static volatile uint32_t sink;

/* Reads every frame of one source; returns the final rc, the frame count and a hash of what
 * the frames hold. */
typedef struct pass {
    int open_rc, rc, n;
    uint64_t hash;
} pass;

static void mix(uint64_t *h, uint64_t v) { *h = (*h ^ v) * 0x100000001b3ULL; }

static pass read_all(iof__source *s, int open_rc, const char *eb, size_t size)
{
    pass p = { open_rc, 0, 0, 0xcbf29ce484222325ULL };
    if (open_rc != 0) {
        CHECK(open_rc < 0 && s == NULL && eb[0] != '\0');
        return p;
    }
    if (size % 5 == 0) {
        /* IOF_E_INVAL when the pcap link type has no such protocols (e.g. 802.15.4) */
        int rc = iof__source_set_filter(s, "udp or (tcp port 80) or icmp6");
        CHECK(rc == 0 || (rc == IOF_E_INVAL && iof__source_errmsg(s)[0] != '\0'));
    }
    iof__frame f;
    uint32_t acc = 0;
    int rc;
    while (p.n < FUZZ_MAX_FRAMES && (rc = iof__source_next(s, &f)) == 1) {
        p.n++;
        CHECK(f.caplen <= IOF_MAX_PCAPNG_BLOCK);
        for (uint32_t i = 0; i < f.caplen; i++)
            acc += f.data[i];
        mix(&p.hash, acc);
        mix(&p.hash, (uint64_t)f.ts_ns);
        mix(&p.hash, (uint64_t)f.caplen << 32 | f.wirelen);
        mix(&p.hash, (uint64_t)f.linktype << 32 | f.ifindex);
    }
    if (p.n < FUZZ_MAX_FRAMES) {
        CHECK(rc == 0 || rc == IOF_E_TRUNCATED_INPUT || rc == IOF_E_NOMEM);
        if (rc < 0) {
            CHECK(iof__source_errmsg(s)[0] != '\0');
            CHECK(iof__source_next(s, &f) == rc); /* sticky */
        }
        p.rc = rc;
    }
    iof__src_stats st;
    uint64_t filtered;
    iof__source_stats(s, &st, &filtered);
    CHECK(st.frames == (uint64_t)p.n);
    acc += (uint32_t)iof__source_progress(s);
    sink = acc;
    iof__source_close(s);
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char eb[256];
    iof__source *s = NULL;
    int rc = iof__source_open_mem(&s, data, size, "fuzz", eb, sizeof eb);
    pass mem = read_all(s, rc, eb, size);
    /* The same bytes through a file descriptor: the file path (read(2) into the stream
     * buffer, the gzip input taken over from the first read) must give the same frames. */
    int fd = memfd_create("fuzz_capture", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        CHECK(w > 0);
        off += (size_t)w;
    }
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    s = NULL;
    rc = iof__source_open_fd(&s, fd, true, "fuzz-fd", eb, sizeof eb);
    pass file = read_all(s, rc, eb, size);
    CHECK(mem.open_rc == file.open_rc);
    if (mem.rc != IOF_E_NOMEM && file.rc != IOF_E_NOMEM) {
        CHECK(mem.rc == file.rc);
        CHECK(mem.n == file.n);
        CHECK(mem.hash == file.hash);
    }
    return 0;
}
