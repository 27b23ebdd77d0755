/* capture: what file and live sources share (dispatch, BPF filter, accessors). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "capture/src_int.h"
#include "common/err.h"

iof__source *iof__source_alloc(iof__src_kind kind, const char *path)
{
    iof__source *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->path = strdup(path ? path : "<memory>");
    if (!s->path) {
        free(s);
        return NULL;
    }
    s->kind = kind;
    s->fd = -1;
    s->file_size = -1;
    return s;
}

int iof__source_fail(iof__source *s, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
    va_end(ap);
    s->err = code;
    return code;
}

int iof__linktype_to_dlt(uint32_t linktype)
{
    /* libpcap maps a few LINKTYPE_ values that differ from the platform's DLT_ values
     * (pcap-common.c); only those matter for pcap_compile. */
    switch (linktype) {
    case 100: return DLT_ATM_RFC1483;
    case 101: return DLT_RAW;
    case 102: return DLT_SLIP_BSDOS;
    case 103: return DLT_PPP_BSDOS;
#ifdef DLT_ATM_CLIP
    case 106: return DLT_ATM_CLIP;
#endif
    default: return (int)linktype;
    }
}

/* Compiles expr for a link type. Returns 0, or IOF_E_INVAL with libpcap's message in msg. */
static int compile_for(uint32_t linktype, const char *expr, struct bpf_program *prog,
                       char *msg, size_t msglen)
{
    pcap_t *p = pcap_open_dead(iof__linktype_to_dlt(linktype), (int)IOF_MAX_CAPLEN);
    if (!p)
        return iof__fail(msg, msglen, IOF_E_NOMEM, "pcap_open_dead failed");
    int rc = 0;
    if (pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0)
        rc = iof__fail(msg, msglen, IOF_E_INVAL, "%s", pcap_geterr(p));
    pcap_close(p);
    return rc;
}

static void free_filters(iof__source *s)
{
    for (size_t i = 0; i < s->n_filters; i++)
        if (s->filters[i].usable)
            pcap_freecode(&s->filters[i].prog);
    free(s->filters);
    free(s->filter_expr);
    s->filters = NULL;
    s->filter_expr = NULL;
    s->n_filters = 0;
    s->last_filter = 0;
}

/* Returns the filter entry for a link type, compiling it on first use (NULL: table full). */
static iof__src_filter *filter_for(iof__source *s, uint32_t linktype)
{
    if (s->last_filter < s->n_filters && s->filters[s->last_filter].linktype == linktype)
        return &s->filters[s->last_filter];
    for (size_t i = 0; i < s->n_filters; i++) {
        if (s->filters[i].linktype == linktype) {
            s->last_filter = i;
            return &s->filters[i];
        }
    }
    if (s->n_filters >= IOF_SRC_MAX_FILTERS)
        return NULL;
    iof__src_filter *e = &s->filters[s->n_filters];
    char msg[PCAP_ERRBUF_SIZE];
    memset(e, 0, sizeof *e);
    e->linktype = linktype;
    e->usable = compile_for(linktype, s->filter_expr, &e->prog, msg, sizeof msg) == 0;
    s->last_filter = s->n_filters++;
    return e;
}

bool iof__file_filter_match(iof__source *s, const iof__frame *f)
{
    iof__src_filter *e = filter_for(s, f->linktype);
    if (!e || !e->usable) {
        s->st.filter_unsupported++;
        return false;
    }
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.caplen = f->caplen;
    h.len = f->wirelen;
    return pcap_offline_filter(&e->prog, &h, f->data) != 0;
}

int iof__source_set_filter(iof__source *s, const char *expr)
{
    if (!s || !expr)
        return IOF_E_INVAL;
    if (s->kind == IOF__SRC_LIVE)
        return iof__live_set_filter(s, expr);
    /* Check the expression now, so a typo fails before any frame is read. */
    uint32_t check_lt = (s->format == IOF_SRC_PCAP && s->ifs) ? s->ifs[0].linktype : 1u;
    struct bpf_program prog;
    char msg[PCAP_ERRBUF_SIZE];
    int rc = compile_for(check_lt, expr, &prog, msg, sizeof msg);
    if (rc < 0) {
        snprintf(s->errmsg, sizeof s->errmsg, "bad filter '%s': %s", expr, msg);
        return rc;
    }
    pcap_freecode(&prog);
    free_filters(s);
    s->filter_expr = strdup(expr);
    s->filters = calloc(IOF_SRC_MAX_FILTERS, sizeof *s->filters);
    if (!s->filter_expr || !s->filters) {
        free_filters(s);
        return IOF_E_NOMEM;
    }
    return 0;
}

int iof__source_next(iof__source *s, iof__frame *f)
{
    if (s->kind == IOF__SRC_LIVE)
        return iof__live_next(s, f);
    return iof__file_next(s, f);
}

void iof__source_stop(iof__source *s)
{
    if (!s)
        return;
    s->stop = 1;
    if (s->kind == IOF__SRC_LIVE && s->pcap)
        pcap_breakloop(s->pcap);
}

const char *iof__source_errmsg(const iof__source *s) { return s ? s->errmsg : ""; }
const char *iof__source_path(const iof__source *s) { return s ? s->path : ""; }
iof__src_format iof__source_format(const iof__source *s) { return s->format; }
int64_t iof__source_size(const iof__source *s) { return s->file_size; }

uint64_t iof__source_progress(const iof__source *s)
{
    if (s->kind != IOF__SRC_FILE)
        return 0;
    if (s->gz)
        return s->raw_consumed - s->zs.avail_in;
    return s->base_off + s->pos;
}

void iof__source_stats(iof__source *s, iof__src_stats *st, uint64_t *filtered)
{
    if (s->kind == IOF__SRC_LIVE)
        iof__live_stats(s);
    else
        s->st.bytes_read = s->base_off + s->pos;
    if (st)
        *st = s->st;
    if (filtered)
        *filtered = s->filtered;
}

void iof__source_close(iof__source *s)
{
    if (!s)
        return;
    if (s->kind == IOF__SRC_LIVE)
        iof__live_close(s);
    else
        iof__file_close(s);
    free_filters(s);
    free(s->path);
    free(s);
}
