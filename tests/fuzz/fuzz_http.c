/* fuzz_http: one TCP segment's data through iof__http_parse, then the same bytes through the bare
 * line reader. Invariants: the status is one of the four; every span lies inside the input; the
 * field count within IOF_HTTP_MAX_HEADERS and n_lines at least it (more_fields exactly when
 * more lines were read); OTHER leaves no kind, the others a request or a response (a request's
 * method and target not empty, the version 8 bytes); OK's body offset within the input; every
 * line the reader returns is at most IOF_HTTP_MAX_LINE bytes and each call advances or stops.
 * Exactly-sized heap copy; span bytes consumed. */
#include <stdint.h>
#include <string.h>

#include "proto/http.h"
#include "proto_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = proto_fuzz_copy(data, size);
    if (!p)
        return 0;
    iof__http_msg m;
    iof__proto_status st = iof__http_parse(p, size, &m);
    CHECK(st <= IOF_PROTO_OTHER);
    CHECK(m.n_fields <= IOF_HTTP_MAX_HEADERS && m.n_lines >= m.n_fields);
    CHECK(m.more_fields == (m.n_lines > IOF_HTTP_MAX_HEADERS));
    CHECK((st == IOF_PROTO_OTHER) == (m.kind == IOF_HTTP_NONE));
    if (m.kind == IOF_HTTP_REQUEST)
        CHECK(m.method.len > 0 && m.target.len > 0 && m.version.len == 8);
    if (m.kind == IOF_HTTP_RESPONSE)
        CHECK(m.status <= 999 && m.version.len == 8);
    if (st == IOF_PROTO_OK)
        CHECK(m.body_off <= size);
    uint32_t acc = st + m.kind + m.status + (uint32_t)m.body_off;
    const iof__span *all[] = { &m.method, &m.target, &m.version, &m.reason };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        acc += proto_fuzz_span(all[i], p, size);
    for (uint16_t i = 0; i < m.n_fields; i++) {
        CHECK(m.field[i].name.len > 0);
        acc += proto_fuzz_span(&m.field[i].name, p, size) + proto_fuzz_span(&m.field[i].value, p, size);
    }
    /* the line reader on its own, from the first byte, until it stops */
    iof__rd r = rd_init(p, size);
    for (;;) {
        size_t before = rd_left(&r);
        iof__span line;
        bool lf = false;
        if (iof__http_line(&r, &line, &lf) != IOF_PROTO_OK) {
            CHECK(rd_left(&r) == before);
            break;
        }
        CHECK(rd_left(&r) < before && line.len <= IOF_HTTP_MAX_LINE);
        acc += proto_fuzz_span(&line, p, size) + lf;
    }
    sink += acc;
    free(p);
    return 0;
}
