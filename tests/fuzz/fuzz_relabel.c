/* fuzz_relabel: `iotflow label` over an untrusted CSV, JSON Lines or Joy file (byte 0 picks the
 * format: bit 0 JSON Lines, bit 1 a Joy file, read uncompressed; the rest is the file) with a fixed rule set that reads every attribute a written
 * custom-flow row carries (proto, ports, direction, time, both addresses, device name and
 * type). Any input is accepted or rejected cleanly: no crash, no leak, a rejection says why and
 * leaves nothing at the output path. An accepted file keeps its promise: relabelling the copy
 * again gives the copy back byte for byte (the labels are the same, every other cell is written
 * as the writers write it), with the same counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_fuzz.h"

#include "dataset/relabel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static const char rules_text[] =
    "key label default \"benign\" on-missing \"unknown\"\n"
    "rule \"a\": label = \"scan\" if proto tcp and sport 1-1024 and remote.addr 10.0.0.0/8\n"
    "rule \"b\": label = \"dns\" if (port 53 or dport = sport) and first dir outbound\n"
    "rule \"c\": label = \"cam\" if device.name \"cam*\" or device.type \"camera\"\n"
    "rule \"d\": label = \"late\" if time > 2024-01-01T00:00:00Z and device.addr private\n"
    "key kind\n"
    "kind = \"v6\" if ipver 6\n";
/* Joy files carry TTLs and the last packet's time too */
static const char joy_rules_text[] =
    "key flow_type default \"x\" on-missing \"Flow Error\"\n"
    "flow_type = \"dns\" if sport 53 and ttl.in 64\n"
    "flow_type = \"oneway\" if not has ttl.in or ttl.out < 10 or time.last < 2000-01-01T00:00:00Z\n"
    "flow_type = \"v6\" if ipver 6 and dst ff00::/8\n";

static iof__labeller *load_rules(const char *text, size_t n)
{
    iof__labeller *lb = NULL;
    char path[] = "/tmp/iof-fuzz-relabel-rules-XXXXXX";
    char err[512];
    if (file_fuzz_write(path, (const uint8_t *)text, n)) {
        const char *p = path;
        if (iof__labeller_load(&lb, &p, 1, err, sizeof err) != 0)
            lb = NULL;
        unlink(path);
    }
    return lb;
}

static iof__labeller *fixed_rules(bool joy)
{
    static iof__labeller *lb[2];
    static bool tried;
    if (!tried) {
        tried = true;
        lb[0] = load_rules(rules_text, sizeof rules_text - 1);
        lb[1] = load_rules(joy_rules_text, sizeof joy_rules_text - 1);
    }
    return lb[joy];
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 4096;
            uint8_t *nb = realloc(buf, cap);
            if (!nb)
                break;
            buf = nb;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0)
            break;
    }
    fclose(f);
    *n = len;
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    iof__labeller *lb = fixed_rules(data[0] & 2);
    if (!lb)
        return 0;
    const char *ext = data[0] & 2 ? "json.gz" : data[0] & 1 ? "jsonl" : "csv";
    file_fuzz_job j;
    if (!file_fuzz_job_open(&j, "relabel", ext, data + 1, size - 1))
        return 0;
    const char *in = j.in, *out = j.out, *again = j.again;
    char err[1024] = "";
    iof__relabel_counts c1 = { 0 }, c2 = { 0 };
    int rc = iof__relabel_file(in, out, lb, 1, &c1, err, sizeof err);
    struct stat sb;
    if (rc != 0) {
        CHECK(err[0] != '\0');
        CHECK(stat(out, &sb) != 0); /* nothing at the output path */
    } else {
        CHECK(iof__relabel_file(out, again, lb, 1, &c2, err, sizeof err) == 0);
        CHECK(c1.rows == c2.rows);
        for (size_t k = 0; k < 2; k++) {
            CHECK(c1.nvals[k] == c2.nvals[k]);
            for (size_t i = 0; i < c1.nvals[k]; i++)
                CHECK(c1.vals[k][i].n == c2.vals[k][i].n);
        }
        size_t n1 = 0, n2 = 0;
        uint8_t *a = slurp(out, &n1), *b = slurp(again, &n2);
        CHECK(a && b && n1 == n2 && memcmp(a, b, n1) == 0);
        free(a);
        free(b);
    }
    iof__relabel_counts_free(&c1);
    iof__relabel_counts_free(&c2);
    file_fuzz_job_close(&j);
    return 0;
}
