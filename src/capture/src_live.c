/* capture: live interfaces through libpcap (pcap_create / pcap_activate / pcap_next_ex).
 *
 * The read timeout is 100 ms so a stop request is seen even on a quiet interface;
 * iof__source_stop() calls pcap_breakloop(), after which pcap_next_ex() returns
 * PCAP_ERROR_BREAK and next() returns IOF_E_INTERRUPTED. Activation warnings (e.g. promiscuous
 * mode not supported) are left in iof__source_errmsg() after a successful open.
 */
#include <stdlib.h>
#include <string.h>

#include "capture/src_int.h"
#include "common/err.h"

#define LIVE_TIMEOUT_MS 100
#define LIVE_DEFAULT_SNAPLEN 65535

/* DLT_ value reported by libpcap -> LINKTYPE_ value carried by frames (pcap-common.c). */
static uint32_t dlt_to_linktype(int dlt)
{
    if (dlt == DLT_RAW)
        return 101;
    if (dlt == DLT_ATM_RFC1483)
        return 100;
    return (uint32_t)dlt;
}

static const char *activate_hint(int rc)
{
    switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        return " (run as root, or give the program CAP_NET_RAW and CAP_NET_ADMIN, e.g. "
               "setcap cap_net_raw,cap_net_admin=eip)";
    case PCAP_ERROR_NO_SUCH_DEVICE:
        return " (list interfaces with 'ip link')";
    case PCAP_ERROR_IFACE_NOT_UP:
        return " (bring the interface up first)";
    default:
        return "";
    }
}

int iof__source_open_live(iof__source **out, const char *ifname, int snaplen, int buffer_kib,
                          char *eb, size_t el)
{
    *out = NULL;
    if (!ifname || !*ifname)
        return iof__fail(eb, el, IOF_E_INVAL, "no interface name");
    if (buffer_kib < 0 || buffer_kib > INT32_MAX / 1024)
        return iof__fail(eb, el, IOF_E_INVAL, "%s: invalid buffer size %d KiB", ifname, buffer_kib);
    int rc;
    char pe[PCAP_ERRBUF_SIZE] = "";
    iof__source *s = iof__source_alloc(IOF__SRC_LIVE, ifname);
    if (!s)
        return iof__fail(eb, el, IOF_E_NOMEM, "out of memory");
    s->format = IOF_SRC_LIVE;
    s->pcap = pcap_create(ifname, pe);
    if (!s->pcap) {
        rc = iof__fail(eb, el, IOF_E_IO, "%s: cannot open interface: %s", ifname, pe);
        goto cleanup;
    }
    pcap_set_snaplen(s->pcap, snaplen > 0 ? snaplen : LIVE_DEFAULT_SNAPLEN);
    pcap_set_promisc(s->pcap, 1);
    pcap_set_timeout(s->pcap, LIVE_TIMEOUT_MS);
    if (buffer_kib > 0)
        pcap_set_buffer_size(s->pcap, buffer_kib * 1024);
    /* nanosecond stamps where the platform has them; fall back silently */
    (void)pcap_set_tstamp_precision(s->pcap, PCAP_TSTAMP_PRECISION_NANO);
    int ar = pcap_activate(s->pcap);
    if (ar < 0) {
        const char *detail = pcap_geterr(s->pcap);
        if (detail && strcmp(detail, pcap_statustostr(ar)) == 0)
            detail = NULL;
        rc = iof__fail(eb, el, ar == PCAP_ERROR_NO_SUCH_DEVICE ? IOF_E_INVAL : IOF_E_IO,
                       "%s: cannot start capture: %s%s%s%s", ifname, pcap_statustostr(ar),
                       detail && *detail ? ": " : "", detail ? detail : "", activate_hint(ar));
        goto cleanup;
    }
    if (ar > 0) {
        const char *detail = pcap_geterr(s->pcap);
        snprintf(s->errmsg, sizeof s->errmsg, "%s: warning: %s%s%s", ifname, pcap_statustostr(ar),
                 detail && *detail ? ": " : "", detail ? detail : "");
    }
    s->pcap_ns = pcap_get_tstamp_precision(s->pcap) == PCAP_TSTAMP_PRECISION_NANO;
    s->ifs = calloc(1, sizeof *s->ifs);
    if (!s->ifs) {
        rc = iof__fail(eb, el, IOF_E_NOMEM, "out of memory");
        goto cleanup;
    }
    s->n_if = 1;
    s->ifs[0].linktype = dlt_to_linktype(pcap_datalink(s->pcap));
    s->ifs[0].snaplen = (uint32_t)pcap_snapshot(s->pcap);
    *out = s;
    return 0;
cleanup:
    iof__source_close(s);
    return rc;
}

int iof__live_set_filter(iof__source *s, const char *expr)
{
    struct bpf_program prog;
    bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
    char pe[PCAP_ERRBUF_SIZE];
    if (pcap_lookupnet(s->path, &net, &mask, pe) != 0)
        mask = PCAP_NETMASK_UNKNOWN;
    if (pcap_compile(s->pcap, &prog, expr, 1, mask) != 0)
        return iof__fail(s->errmsg, sizeof s->errmsg, IOF_E_INVAL, "bad filter '%s': %s", expr,
                         pcap_geterr(s->pcap));
    int rc = 0;
    if (pcap_setfilter(s->pcap, &prog) != 0)
        rc = iof__fail(s->errmsg, sizeof s->errmsg, IOF_E_INVAL, "%s: cannot set filter '%s': %s",
                       s->path, expr, pcap_geterr(s->pcap));
    pcap_freecode(&prog);
    return rc;
}

int iof__live_next(iof__source *s, iof__frame *f)
{
    if (s->err)
        return s->err;
    for (;;) {
        if (s->stop)
            return iof__source_fail(s, IOF_E_INTERRUPTED, "%s: capture stopped", s->path);
        struct pcap_pkthdr *h;
        const u_char *d;
        int rc = pcap_next_ex(s->pcap, &h, &d);
        if (rc == 1) {
            int64_t frac = (int64_t)h->ts.tv_usec * (s->pcap_ns ? 1 : 1000);
            f->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + frac;
            f->caplen = h->caplen;
            f->wirelen = h->len;
            f->linktype = s->ifs[0].linktype;
            f->ifindex = 0;
            f->data = d;
            s->st.frames++;
            s->st.bytes_read += h->caplen;
            return 1;
        }
        if (rc == 0)
            continue; /* read timeout: look at the stop flag again */
        if (rc == PCAP_ERROR_BREAK)
            return iof__source_fail(s, IOF_E_INTERRUPTED, "%s: capture stopped", s->path);
        return iof__source_fail(s, IOF_E_IO, "%s: capture error: %s", s->path,
                                pcap_geterr(s->pcap));
    }
}

void iof__live_stats(iof__source *s)
{
    struct pcap_stat ps;
    memset(&ps, 0, sizeof ps);
    if (s->pcap && pcap_stats(s->pcap, &ps) == 0) {
        s->st.live_stats_ok = true;
        s->st.ps_recv = ps.ps_recv;
        s->st.ps_drop = ps.ps_drop;
        s->st.ps_ifdrop = ps.ps_ifdrop;
    } else {
        /* never report "0 dropped" when the counters are unknown */
        s->st.live_stats_ok = false;
    }
}

void iof__live_close(iof__source *s)
{
    if (s->pcap)
        pcap_close(s->pcap);
    s->pcap = NULL;
    free(s->ifs);
}
