/* SSDP parser: see ssdp.h. Every byte through rd.h; lines through proto/http.h. */
#include <string.h>

#include "proto/ssdp.h"

/* Start line: "NOTIFY * HTTP/1.1", "M-SEARCH * HTTP/1.1" or "HTTP/1.x NNN reason". */
static bool start_line(iof__span line, iof__ssdp_msg *m)
{
    static const char *const req[] = { "NOTIFY * HTTP/1.", "M-SEARCH * HTTP/1." };
    iof__rd r = rd_init(line.p, line.len);
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(req[k]);
        if (line.len == n + 1 && iof__span_ieq((iof__span){ line.p, n }, req[k])) {
            m->kind = k == 0 ? IOF_SSDP_NOTIFY : IOF_SSDP_MSEARCH;
            return true;
        }
    }
    if (line.len < 12 || !iof__span_ieq((iof__span){ line.p, 7 }, "HTTP/1."))
        return false;
    rd_skip(&r, 8); /* "HTTP/1.x" */
    if (rd_u8(&r) != ' ')
        return false;
    unsigned code = 0;
    for (int i = 0; i < 3; i++) {
        uint8_t c = rd_u8(&r);
        if (c < '0' || c > '9')
            return false;
        code = code * 10 + (unsigned)(c - '0');
    }
    m->kind = IOF_SSDP_RESPONSE;
    m->status = (uint16_t)code;
    return !r.err;
}

iof__proto_status iof__ssdp_parse(const uint8_t *p, size_t n, iof__ssdp_msg *m)
{
    memset(m, 0, sizeof(*m));
    iof__rd r = rd_init(p, n);
    iof__span line;
    if (iof__http_line(&r, &line, NULL) != IOF_PROTO_OK || !start_line(line, m))
        return IOF_PROTO_OTHER;
    static const char *const names[] = { "server", "location", "usn", "nt", "nts", "st",
                                         "user-agent", "cache-control", "man" };
    iof__span *const slots[] = { &m->server, &m->location, &m->usn, &m->nt, &m->nts, &m->st,
                                &m->user_agent, &m->cache_control, &m->man };
    for (;;) {
        if (m->n_headers == IOF_SSDP_MAX_HEADERS) {
            m->more_headers = true;
            return IOF_PROTO_OK;
        }
        iof__span name, value;
        bool end;
        iof__proto_status st = iof__http_header_next(&r, &name, &value, &end);
        if (st != IOF_PROTO_OK)
            return st;
        if (end)
            return IOF_PROTO_OK;
        m->n_headers++;
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            if (iof__span_ieq(name, names[k])) {
                if (!slots[k]->p)
                    *slots[k] = value;
                break;
            }
        }
    }
}
