/* The device inventory CSV: see devcsv.h. Columns are declared once, in `columns` below; the
 * CLI's --help prints them from there (iof_devices_columns). */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/timefmt.h"
#include "devices/devcsv.h"
#include "flow/inventory.h"
#include "output/textbuf.h"

enum {
    C_MAC, C_NAME, C_TYPE, C_IP, C_IP_COUNT, C_VENDOR, C_FIRST, C_LAST, C_PKTS_SENT, C_PKTS_RECV,
    C_BYTES_SENT, C_BYTES_RECV, C_DHCP_HOST, C_DHCP_VC, C_MDNS, C_SSDP_SERVER, C_SSDP_LOCATION,
    C_EVIDENCE, C__COUNT
};

static const iof_column_doc columns[C__COUNT] = {
    [C_MAC] = { "mac", "the device's MAC address (a unicast source MAC of the capture)" },
    [C_NAME] = { "name", "DHCP host name, else mDNS host name, else mDNS service instance, else "
                         "vendor (or \"unknown\") plus a counter: espressif-1; edit freely" },
    [C_TYPE] = { "type", "role guess: router, phone/pc or device (see evidence); edit freely" },
    [C_IP] = { "ip", "the device's own source IPs, ';'-separated, at most 8: private/link-local/ULA "
                     "ones first, then public ones (none for a router: those are the hosts it "
                     "forwards for)" },
    [C_IP_COUNT] = { "ip_count", "how many own source IPs were seen (more than listed when > 8)" },
    [C_VENDOR] = { "vendor", "organisation the MAC's IEEE block is assigned to (longest of /24, "
                             "/28, /36); empty when unknown, locally administered, or without a "
                             "vendor database" },
    [C_FIRST] = { "first_seen", "first frame sent or received, UTC, ISO 8601" },
    [C_LAST] = { "last_seen", "last frame sent or received, UTC, ISO 8601" },
    [C_PKTS_SENT] = { "packets_sent", "IP packets with this source MAC" },
    [C_PKTS_RECV] = { "packets_received", "IP packets with this destination MAC" },
    [C_BYTES_SENT] = { "bytes_sent", "their frame bytes on the wire" },
    [C_BYTES_RECV] = { "bytes_received", "their frame bytes on the wire" },
    [C_DHCP_HOST] = { "dhcp_hostname", "DHCP option 12 the device sent (the latest)" },
    [C_DHCP_VC] = { "dhcp_vendor_class", "DHCP option 60 the device sent (the latest)" },
    [C_MDNS] = { "mdns_names", "names the device announced in mDNS responses (A/AAAA owners, "
                               "service instances, reverse-PTR targets in .local), ';'-separated, "
                               "at most 4" },
    [C_SSDP_SERVER] = { "ssdp_server", "SERVER header of its first SSDP NOTIFY or search response" },
    [C_SSDP_LOCATION] = { "ssdp_location", "LOCATION header of the same (its UPnP description)" },
    [C_EVIDENCE] = { "evidence", "why type says what it says, in words" },
};

const iof_column_doc *iof_devices_columns(size_t *n)
{
    *n = C__COUNT;
    return columns;
}

/* ---- role ----------------------------------------------------------------------------- */

const char *iof__dev_role_name(iof__dev_role role)
{
    switch (role) {
    case IOF_ROLE_ROUTER: return "router";
    case IOF_ROLE_PHONE_PC: return "phone/pc";
    default: return "device";
    }
}

/* bounded "; "-joined list */
typedef struct evbuf {
    char *p;
    size_t len, cap;
} evbuf;

static void ev_add(evbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ev_add(evbuf *e, const char *fmt, ...)
{
    if (e->len + 3 >= e->cap)
        return;
    if (e->len) {
        memcpy(e->p + e->len, "; ", 2);
        e->len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->p + e->len, e->cap - e->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        e->len += (size_t)n < e->cap - e->len ? (size_t)n : e->cap - e->len - 1;
    e->p[e->len] = '\0';
}

static bool contains_ci(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return true;
    return false;
}

/* Host names of phones and computers (case-insensitive substrings), and "-pc" at the end. */
static const char *const phone_pc_names[] = {
    "iphone", "ipad", "ipod", "macbook", "imac", "mac-mini", "android", "galaxy", "pixel",
    "oneplus", "xiaomi-", "redmi", "huawei-", "desktop-", "laptop-", "thinkpad", "lifebook",
    "surface", "windows", "ubuntu",
};

static const char *phone_pc_name(const char *name)
{
    for (size_t i = 0; i < sizeof(phone_pc_names) / sizeof(phone_pc_names[0]); i++)
        if (contains_ci(name, phone_pc_names[i]))
            return phone_pc_names[i];
    size_t n = strlen(name);
    if (n > 3 && strcasecmp(name + n - 3, "-pc") == 0)
        return "-pc";
    return NULL;
}

static bool starts_ci(const char *s, const char *prefix) { return strncasecmp(s, prefix, strlen(prefix)) == 0; }

static void addr_text(const iof__dev_addr *a, char *buf, size_t n)
{
    if (!inet_ntop(a->ver == 4 ? AF_INET : AF_INET6, a->a, buf, (socklen_t)n))
        snprintf(buf, n, "?");
}

iof__dev_role iof__dev_guess_role(const iof__devtab *t, const iof__devrow *r, char *ev, size_t evlen)
{
    evbuf e = { ev, 0, evlen };
    ev[0] = '\0';
    /* router: serves DHCP, forwards for the Internet, or is the gateway DHCP announces */
    if (r->dhcp_replies) {
        if (r->dhcp_clients)
            ev_add(&e, "DHCP server (offers to %u client%s)", r->dhcp_clients, r->dhcp_clients == 1 ? "" : "s");
        else
            ev_add(&e, "DHCP server (%u replies)", r->dhcp_replies);
    }
    if (iof__devrow_is_next_hop(r)) {
        iof__devtab_stats st;
        iof__devtab_get_stats(t, &st);
        uint32_t n = r->side_v4 + r->side_v6;
        ev_add(&e, "L2 next hop for %s%u public address%s%s", st.facts_dropped ? "at least " : "", n,
               n == 1 ? "" : "es",
               r->forwarded && r->side_v4 < IOF_DEV_NEXTHOP_V4 && r->side_v6 < IOF_DEV_NEXTHOP_V6
                   ? " (their packets arrive with a decremented TTL)" : "");
    }
    const iof__dev_addr *gw;
    size_t ngw = iof__devtab_router_ips(t, &gw);
    for (size_t i = 0; i < ngw; i++)
        for (unsigned k = 0; k < r->n_local; k++)
            if (memcmp(&r->local[k], &gw[i], sizeof(gw[i])) == 0) {
                char a[64];
                addr_text(&gw[i], a, sizeof a);
                ev_add(&e, "gateway %s in DHCP offers (option 3)", a);
            }
    if (e.len)
        return IOF_ROLE_ROUTER;
    /* phone/pc: what its DHCP client or names say */
    if (starts_ci(r->dhcp_vc, "android-dhcp") || starts_ci(r->dhcp_vc, "MSFT"))
        ev_add(&e, "DHCP vendor class %s", r->dhcp_vc);
    if (r->dhcp_host[0] && phone_pc_name(r->dhcp_host))
        ev_add(&e, "DHCP host name %s", r->dhcp_host);
    for (unsigned i = 0; i < r->n_mdns; i++)
        if (phone_pc_name(r->mdns[i])) {
            ev_add(&e, "mDNS name %s", r->mdns[i]);
            break;
        }
    if (e.len)
        return IOF_ROLE_PHONE_PC;
    /* a device: say what points that way, if anything */
    if (starts_ci(r->dhcp_vc, "udhcp"))
        ev_add(&e, "DHCP client %s (BusyBox: embedded Linux)", r->dhcp_vc);
    if (r->ssdp_server[0] || r->ssdp_location[0])
        ev_add(&e, "announces UPnP services (SSDP)");
    if (r->mdns_foreign)
        ev_add(&e, "answers mDNS for other hosts (proxy or reflector)");
    if (!e.len)
        ev_add(&e, "no router or phone/pc evidence");
    if (r->mac[0] & 2)
        ev_add(&e, "locally administered MAC");
    return IOF_ROLE_DEVICE;
}

/* ---- names ---------------------------------------------------------------------------- */

typedef struct outrow {
    const iof__devrow *r;
    const char *vendor;
    char name[IOF_MAX_DEVICE_FIELD];
    char slug[24];      /* vendor slug when the name is a counter */
} outrow;

static int cmp_mac(const void *a, const void *b)
{
    return memcmp(((const outrow *)a)->r->mac, ((const outrow *)b)->r->mac, 6);
}

static int cmp_slug(const void *a, const void *b)
{
    const outrow *x = *(const outrow *const *)a, *y = *(const outrow *const *)b;
    int c = strcmp(x->slug, y->slug);
    return c ? c : memcmp(x->r->mac, y->r->mac, 6);
}

/* Place names many vendors' registered names start with ("Shenzhen Bilian Electronic"): the
 * word after them names the vendor better. */
static const char *const place_words[] = {
    "beijing", "shanghai", "shenzhen", "guangzhou", "guangdong", "hangzhou", "zhejiang", "jiangsu",
    "fujian", "dongguan", "xiamen", "qingdao", "tianjin", "chongqing", "wuhan", "suzhou", "ningbo",
    "nanjing", "hefei", "chengdu", "sichuan", "anhui", "shandong", "hunan", "hubei", "zhuhai",
};

static bool is_place(const char *w, size_t n)
{
    for (size_t i = 0; i < sizeof(place_words) / sizeof(place_words[0]); i++)
        if (strlen(place_words[i]) == n && strncasecmp(w, place_words[i], n) == 0)
            return true;
    return false;
}

/* "Espressif Inc." -> "espressif", "D-Link International" -> "d-link", "Hon Hai ..." ->
 * "hon-hai", "Shenzhen Bilian ..." -> "bilian": the first word (after a place name; and the
 * second when the first is 3 bytes or less), lower case, letters, digits and '-' only. */
static void vendor_slug(const char *vendor, char *out, size_t n)
{
    size_t o = 0;
    int words = 0;
    const char *s = vendor ? vendor : "";
    while (*s && words < 2 && o + 1 < n) {
        while (*s == ' ' || *s == ',')
            s++;
        if (!*s)
            break;
        size_t wl = strcspn(s, " ,");
        if (words == 0 && is_place(s, wl) && s[wl]) {
            s += wl;
            continue;
        }
        size_t start = o;
        if (words && o + 1 < n)
            out[o++] = '-';
        for (size_t i = 0; i < wl && o + 1 < n; i++) {
            char c = s[i];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c + 32);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
                out[o++] = c;
        }
        s += wl;
        if (o == start + (words ? 1u : 0u))
            o = start; /* nothing usable in that word */
        else
            words++;
        if (words == 1 && o > 3)
            break;
    }
    while (o && out[o - 1] == '-')
        o--;
    out[o] = '\0';
    if (o == 0)
        snprintf(out, n, "unknown");
}

/* The first name in mdns[] of the wanted kind, without ".local". */
static bool mdns_label(const iof__devrow *r, bool host, char *out, size_t n)
{
    for (unsigned i = 0; i < r->n_mdns; i++) {
        if (((r->mdns_host >> i) & 1) != host)
            continue;
        const char *s = r->mdns[i];
        size_t len = strlen(s);
        if (len > 6 && strcasecmp(s + len - 6, ".local") == 0)
            len -= 6; /* (a name cut to IOF_DEV_STR may have lost it) */
        if (!host) { /* service instance: its first label */
            const char *dot = s;
            while (dot < s + len && !(*dot == '.' && (dot == s || dot[-1] != '\\')))
                dot++;
            len = (size_t)(dot - s);
        }
        if (len == 0)
            continue;
        snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), s);
        return true;
    }
    return false;
}

static void name_row(outrow *o)
{
    const iof__devrow *r = o->r;
    if (r->dhcp_host[0])
        snprintf(o->name, sizeof o->name, "%s", r->dhcp_host);
    else if (!mdns_label(r, true, o->name, sizeof o->name) && !mdns_label(r, false, o->name, sizeof o->name))
        vendor_slug(o->vendor, o->slug, sizeof o->slug);
}

static int cmp_name_then_mac(const void *a, const void *b)
{
    const outrow *x = *(const outrow *const *)a, *y = *(const outrow *const *)b;
    int c = strcasecmp(x->name, y->name);
    return c ? c : memcmp(x->r->mac, y->r->mac, 6);
}

static int cmp_key_name(const void *key, const void *elem)
{
    return strcasecmp(key, (*(const outrow *const *)elem)->name);
}

/* Two devices that announce one host name (two Macs both "Lucas-iMac"): the later ones in MAC
 * order get "-2", "-3", ... (the first not taken), so each name is one device's — the telemetry
 * and timeline tables and correlate name devices by it, and refuse an inventory where two share
 * one. Compared without case: two names that differ in case only are easily taken for one.
 * A pass sorts the names (sorted: scratch of n pointers), finds each run of equal ones, and gives
 * the run's later rows free names (looked up in the sorted snapshot); the renames are applied
 * after the pass, and a pass that renamed is followed by one that checks (a new name can meet
 * another run's only when cut to the field's size). O(n log n) a pass: 65,536 rows at most. */
static int unique_names(outrow *rows, size_t n, outrow **sorted)
{
    struct rename { outrow *o; unsigned k; } *ren = malloc((n ? n : 1) * sizeof(*ren));
    if (!ren)
        return IOF_E_NOMEM;
    for (int pass = 0; pass < 8; pass++) {
        for (size_t i = 0; i < n; i++)
            sorted[i] = &rows[i];
        qsort(sorted, n, sizeof(*sorted), cmp_name_then_mac);
        size_t nren = 0;
        for (size_t g = 0, e; g < n; g = e) {
            for (e = g + 1; e < n && strcasecmp(sorted[e]->name, sorted[g]->name) == 0; e++)
                ;
            unsigned k = 2;
            for (size_t i = g + 1; i < e; i++) {
                char alt[IOF_MAX_DEVICE_FIELD];
                for (;; k++) {
                    snprintf(alt, sizeof alt, "%.*s-%u", IOF_MAX_DEVICE_FIELD - 12, sorted[g]->name, k);
                    if (!bsearch(alt, sorted, n, sizeof(*sorted), cmp_key_name))
                        break;
                }
                ren[nren++] = (struct rename){ sorted[i], k++ };
            }
        }
        if (!nren)
            break;
        for (size_t i = 0; i < nren; i++) {
            char alt[IOF_MAX_DEVICE_FIELD];
            snprintf(alt, sizeof alt, "%.*s-%u", IOF_MAX_DEVICE_FIELD - 12, ren[i].o->name, ren[i].k);
            memcpy(ren[i].o->name, alt, sizeof alt);
        }
    }
    free(ren);
    return IOF_OK;
}

/* ---- writing -------------------------------------------------------------------------- */

/* A text field: RFC 4180 quoting; a leading = + - @ gets a ' so spreadsheets show it as text. */
static void text_field(iof__tbuf *b, const char *s)
{
    iof__tb_putc(b, ',');
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@') {
        char tmp[IOF_DEV_EVIDENCE + 2];
        snprintf(tmp, sizeof tmp, "'%s", s);
        iof__tb_csv_str(b, (const uint8_t *)tmp, strlen(tmp));
    } else {
        iof__tb_csv_str(b, (const uint8_t *)s, strlen(s));
    }
}

static void int_field(iof__tbuf *b, uint64_t v)
{
    iof__tb_putc(b, ',');
    iof__tb_int(b, (int64_t)v);
}

static void time_field(iof__tbuf *b, int64_t ns)
{
    char t[IOF_UTC_TEXT];
    iof__utc_text(t, sizeof t, ns / 1000 - (ns % 1000 < 0), false);
    text_field(b, t);
}

/* ---- addresses of two devices --------------------------------------------------------- */

/* An own address a row would list, and whether another row would list it too */
typedef struct listed_ip {
    iof__dev_addr a;
    size_t row;
    bool shared;
} listed_ip;

static int cmp_addr(const iof__dev_addr *x, const iof__dev_addr *y)
{
    return x->ver != y->ver ? (x->ver > y->ver) - (x->ver < y->ver) : memcmp(x->a, y->a, 16);
}

static int cmp_listed(const void *x, const void *y)
{
    const listed_ip *p = x, *q = y;
    int c = cmp_addr(&p->a, &q->a);
    return c ? c : (p->row > q->row) - (p->row < q->row);
}

static int cmp_key_addr(const void *key, const void *elem)
{
    return cmp_addr(key, &((const listed_ip *)elem)->a);
}

/* The row's own addresses the ip column can list: local ones, then public ones unless the MAC
 * is a next hop (those are the hosts it forwards for). */
static unsigned own_addrs(const iof__devrow *r, const iof__dev_addr **a, unsigned pass)
{
    *a = pass ? r->public_ : r->local;
    return pass ? (iof__devrow_is_next_hop(r) ? 0 : r->n_public) : r->n_local;
}

/* Every address the rows could list, sorted, each marked when two rows have it (a DHCP lease
 * handed on, a spoofer): the ip column lists it for neither, since extract --devices refuses an
 * address listed for two devices (flow/inventory.c) — its traffic without MACs could belong to
 * either. *out NULL when nothing is listed. */
static int shared_addrs(const outrow *rows, size_t n, listed_ip **out, size_t *nout, uint64_t *naddrs)
{
    size_t k = 0;
    *out = NULL;
    *nout = 0;
    *naddrs = 0;
    for (size_t i = 0; i < n; i++)
        for (unsigned pass = 0; pass < 2; pass++) {
            const iof__dev_addr *a;
            k += own_addrs(rows[i].r, &a, pass);
        }
    if (!k)
        return IOF_OK;
    listed_ip *v = malloc(k * sizeof(*v));
    if (!v)
        return IOF_E_NOMEM;
    k = 0;
    for (size_t i = 0; i < n; i++)
        for (unsigned pass = 0; pass < 2; pass++) {
            const iof__dev_addr *a;
            unsigned m = own_addrs(rows[i].r, &a, pass);
            for (unsigned j = 0; j < m; j++)
                v[k++] = (listed_ip){ a[j], i, false };
        }
    qsort(v, k, sizeof(*v), cmp_listed);
    for (size_t g = 0, e; g < k; g = e) {
        bool two = false;
        for (e = g + 1; e < k && cmp_addr(&v[e].a, &v[g].a) == 0; e++)
            two |= v[e].row != v[g].row;
        for (size_t i = g; i < e; i++)
            v[i].shared = two;
        *naddrs += two;
    }
    *out = v;
    *nout = k;
    return IOF_OK;
}

static const listed_ip *find_listed(const listed_ip *v, size_t n, const iof__dev_addr *a)
{
    return v ? bsearch(a, v, n, sizeof(*v), cmp_key_addr) : NULL;
}

/* own IPs: local ones, then public ones unless the MAC is a next hop; at most 8, none that
 * another row has (said in the evidence, ev: a note each while they fit with SHARED_COUNT_ROOM
 * bytes left, then "N more address(es) ...") */
#define SHARED_COUNT_ROOM 72
static uint32_t ip_field(iof__tbuf *b, const iof__devrow *r, const listed_ip *sh, size_t nsh, size_t row,
                         const outrow *rows, char *ev, size_t evlen, uint64_t *shared)
{
    char list[IOF_MAX_DEVICE_IPS * 48] = "";
    size_t o = 0;
    unsigned listed = 0, unsaid = 0;
    for (unsigned pass = 0; pass < 2; pass++) {
        const iof__dev_addr *a;
        unsigned n = own_addrs(r, &a, pass);
        for (unsigned i = 0; i < n && listed < IOF_MAX_DEVICE_IPS; i++) {
            char t[64];
            addr_text(&a[i], t, sizeof t);
            const listed_ip *f = find_listed(sh, nsh, &a[i]);
            if (f && f->shared) {
                while (f > sh && cmp_addr(&f[-1].a, &a[i]) == 0)
                    f--; /* the first row that has it, or the next after this one */
                if (f->row == row)
                    f++;
                char mac[18];
                iof__format_mac(rows[f->row].r->mac, mac);
                size_t el = strlen(ev);
                int k = snprintf(ev + el, evlen - el, "%s%s also sent by %s (left out of ip: traffic without MACs "
                                 "could be either's)", el ? "; " : "", t, mac);
                if (k < 0 || el + (size_t)k + SHARED_COUNT_ROOM >= evlen) {
                    ev[el] = '\0'; /* no note cut short, and room kept for the count below */
                    unsaid++;
                }
                (*shared)++;
                continue;
            }
            o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", listed ? ";" : "", t);
            listed++;
        }
    }
    if (unsaid) { /* the evidence is full: the count, where it fits (the summary counts them all) */
        size_t el = strlen(ev);
        int k = snprintf(ev + el, evlen - el, "%s%u more address(es) also sent by other MACs, left out of ip",
                         el ? "; " : "", unsaid);
        if (k < 0 || (size_t)k >= evlen - el)
            ev[el] = '\0';
    }
    text_field(b, list);
    bool hop = iof__devrow_is_next_hop(r);
    uint32_t total = r->local_total + (hop ? 0 : r->public_total);
    int_field(b, total);
    return total - listed;
}

static uint32_t mdns_field(iof__tbuf *b, const iof__devrow *r)
{
    char list[IOF_DEV_MAX_MDNS * IOF_DEV_STR] = "";
    size_t o = 0;
    for (unsigned i = 0; i < r->n_mdns; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ";" : "", r->mdns[i]);
    text_field(b, list);
    return r->mdns_total > r->n_mdns ? r->mdns_total - r->n_mdns : 0;
}

int iof__devcsv_write(const iof__devtab *t, iof__oui *oui, iof__outfile *f, iof__devcsv_stats *st,
                      char *err, size_t errlen)
{
    memset(st, 0, sizeof(*st));
    size_t n = 0, total = iof__devtab_count(t);
    outrow *rows = calloc(total ? total : 1, sizeof(*rows));
    outrow **by_slug = calloc(total ? total : 1, sizeof(*by_slug));
    iof__tbuf b = { 0 };
    listed_ip *sh = NULL; /* the addresses more than one row has */
    size_t nsh = 0;
    int rc = IOF_OK;
    if (!rows || !by_slug) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < total; i++) {
        const iof__devrow *r = iof__devtab_row(t, i);
        if (r->sent && iof__mac_is_device(r->mac))
            rows[n++].r = r;
    }
    qsort(rows, n, sizeof(*rows), cmp_mac);
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        /* a locally administered MAC (randomised by phones, or virtual) has no vendor, even where
         * an old registry line lists its prefix */
        rows[i].vendor = oui && !(rows[i].r->mac[0] & 2) ? iof__oui_lookup(oui, rows[i].r->mac) : NULL;
        name_row(&rows[i]);
        if (rows[i].slug[0])
            by_slug[ns++] = &rows[i];
    }
    /* counters per vendor, in MAC order */
    qsort(by_slug, ns, sizeof(*by_slug), cmp_slug);
    for (size_t i = 0, k = 0; i < ns; i++) {
        k = i && strcmp(by_slug[i]->slug, by_slug[i - 1]->slug) == 0 ? k + 1 : 1;
        snprintf(by_slug[i]->name, sizeof by_slug[i]->name, "%s-%zu", by_slug[i]->slug, k);
    }
    if ((rc = unique_names(rows, n, by_slug)) != IOF_OK) { /* by_slug: scratch now */
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        goto done;
    }
    if (shared_addrs(rows, n, &sh, &nsh, &st->ips_shared) != IOF_OK) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t c = 0; c < C__COUNT; c++) {
        if (c)
            iof__tb_putc(&b, ',');
        iof__tb_puts(&b, columns[c].name);
    }
    iof__tb_putc(&b, '\n');
    for (size_t i = 0; i < n && rc == IOF_OK; i++) {
        const iof__devrow *r = rows[i].r;
        char mac[18], ev[IOF_DEV_EVIDENCE];
        iof__format_mac(r->mac, mac);
        iof__dev_role role = iof__dev_guess_role(t, r, ev, sizeof ev);
        iof__tb_puts(&b, mac);
        text_field(&b, rows[i].name);
        text_field(&b, iof__dev_role_name(role));
        uint64_t shared = 0;
        uint32_t left = ip_field(&b, r, sh, nsh, i, rows, ev, sizeof ev, &shared);
        st->values_dropped += left - shared;
        text_field(&b, rows[i].vendor ? rows[i].vendor : "");
        time_field(&b, r->first_ns);
        time_field(&b, r->last_ns);
        int_field(&b, r->pkts_sent);
        int_field(&b, r->pkts_recv);
        int_field(&b, r->bytes_sent);
        int_field(&b, r->bytes_recv);
        text_field(&b, r->dhcp_host);
        text_field(&b, r->dhcp_vc);
        st->values_dropped += mdns_field(&b, r);
        text_field(&b, r->ssdp_server);
        text_field(&b, r->ssdp_location);
        text_field(&b, ev);
        iof__tb_putc(&b, '\n');
        if (b.oom) {
            rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
            break;
        }
        if (b.len >= 64 * 1024 || i + 1 == n) {
            rc = iof__outfile_write(f, b.p, b.len);
            b.len = 0;
        }
        st->rows++;
    }
    if (rc == IOF_OK && b.len)
        rc = iof__outfile_write(f, b.p, b.len); /* the header alone */
    if (rc == IOF_E_OUTPUT)
        snprintf(err, errlen, "%s", iof__outfile_errmsg(f));
done:
    free(sh);
    iof__tb_free(&b);
    free(rows);
    free(by_slug);
    return rc;
}
