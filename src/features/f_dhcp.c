/* dhcp (Joy's dhcp=1; docs/JOY.md "dhcp"): the DHCP messages of a flow, as Joy 3.0.3 prints them.
 *
 * Only a UDP record whose key is 68 -> 67 or 67 -> 68 takes messages (Joy's dhcp_filter; its
 * other case, app 68, is never identified). Each of its UDP packets is parsed with
 * proto/dhcp.h: the fixed header, sname/file when their first byte is not 0, the magic
 * cookie, then the options in order until END, Joy's caps (16 options, or 512 option bytes
 * counting code and length bytes, checked before each option) or the end of the bytes. A
 * message without the cookie, or shorter than the fixed part and the cookie, is not kept.
 *
 * Per record: up to IOF_JOY_DHCP_MSGS (Joy's MAX_DHCP_LEN) messages, encoded compactly in a
 * fixed arena (the raw 44 header bytes, sname and file as Joy's printable strings, the kept
 * options as code/len/value): a message that does not fit ends the list (counted in
 * `dropped`; docs/JOY.md "Differences from Joy"). Joy prints the out side's messages only.
 *
 * Custom-flow columns (--features dhcp; docs/OUTPUT.md "Feature columns"): with cols_only the
 * state keeps no arena but, in its place, a fixed summary per direction (dhcp_sum), each message (the same
 * filter; the magic cookie required) parsed with iof__dhcp_parse: the count, the first
 * message's type and time, and from the first client message (BOOTREQUEST) carrying each:
 * the host name (12), vendor class (60) and parameter request list (55). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/rd.h"
#include "devices/text.h"
#include "features/feature.h"
#include "proto/dhcp.h"

#define DHCP_PORT_SERVER 67
#define DHCP_PORT_CLIENT 68
#define DHCP_HDR_BYTES 44          /* op .. chaddr: kept raw, printed through iof__dhcp_header */
#define DHCP_OPTS_OFF 240          /* fixed fields, sname, file and the magic cookie */
#define DHCP_COOKIE 0x63825363u
#define DHCP_MSG_TYPES 18          /* Joy names option 53's values 1..18 */

#define DHCP_COL_TEXT 128          /* bytes kept of a host name / vendor class (longer: cut) */
#define DHCP_COL_PARAMS 64         /* parameter request list codes kept */

/* One direction's DHCP messages, for the custom-flow columns. */
typedef struct dhcp_sum {
    int64_t first_us;              /* the first message's time */
    uint32_t msgs;                 /* messages with the cookie */
    uint8_t first_type;            /* the first message's option 53 (0: none) */
    uint8_t host_len, vendor_len, nparams;
    uint16_t params_text_len;
    bool has_host, has_vendor, has_params;
    bool host_cut, vendor_cut, params_cut;   /* the text / list did not fit its cap */
    char host[DHCP_COL_TEXT], vendor[DHCP_COL_TEXT];   /* UTF-8 text (sum_text) */
    uint8_t params[DHCP_COL_PARAMS];
    char params_text[DHCP_COL_PARAMS * 4];             /* "1,3,6" */
} dhcp_sum;

typedef struct dhcp_state {
    uint8_t nmsg;                  /* messages kept */
    uint8_t dropped;               /* messages that did not fit (saturating) */
    uint16_t used;                 /* arena bytes used */
    union {
        dhcp_sum sum;              /* cols_only: the columns' summary */
        uint8_t arena[IOF_JOY_DHCP_ARENA];   /* Joy: the kept messages */
    };
} dhcp_state;

static bool dhcp_enabled(const iof__feat_opts *o) { return o->dhcp; }

static size_t dhcp_size(const iof__feat_opts *o)
{
    return o->cols_only ? offsetof(dhcp_state, sum) + sizeof(dhcp_sum) : sizeof(dhcp_state);
}

/* Left out of the clean part (not zeroed: most records never use them): Joy's arena, written
 * in order and read only up to what was written (used), and the columns' summary's fixed
 * buffers, the host, vendor and parameter texts and list, read below their lengths and nparams */
static size_t dhcp_clean(const iof__feat_opts *o)
{
    return o->cols_only ? offsetof(dhcp_state, sum.host) : offsetof(dhcp_state, arena);
}

/* the columns' summary: the texts below their lengths, the parameter list below nparams (Joy's
 * arena is not in custom-flow records) */
static uint32_t dhcp_used(const void *st, const iof__feat_opts *o, iof__feat_span sp[IOF_FEAT_MAX_SPANS])
{
    (void)o;
    const dhcp_sum *u = &((const dhcp_state *)st)->sum;
    sp[0] = IOF_FEAT_SPAN(dhcp_state, sum.host, u->host_len);
    sp[1] = IOF_FEAT_SPAN(dhcp_state, sum.vendor, u->vendor_len);
    sp[2] = IOF_FEAT_SPAN(dhcp_state, sum.params, u->nparams);
    sp[3] = IOF_FEAT_SPAN(dhcp_state, sum.params_text, u->params_text_len);
    return 4;
}

/* Joy's option names (IANA's, its spelling): NULL where it has none (printed as "kind"). */
static const char *opt_name(uint8_t code)
{
    static const char *const low[] = {
        NULL, "subnet_mask", "time_offset", "router", "time_server", "name_server",
        "domain_server", "log_server", "quotes_server", "lpr_server", "impress_server",
        "rlp_server", "hostname", "boot_file_size", "merit_dump_file", "domain_name",
        "swap_server", "root_path", "extension_file", "forward_on_off", "src_rte_on_off",
        "policy_filter", "max_dg_assembly", "default_ipttl", "mtu_timeout", "mtu_plateau",
        "mtu_interface", "mtu_subnet", "broadcast_address", "mask_discovery", "mask_supplier",
        "router_discovery", "router_request", "static_route", "trailers", "arp_timeout",
        "ethernet", "default_tcpttl", "keepalive_time", "keepalive_data", "nis_domain",
        "nis_servers", "ntp_servers", "vendor_specific", "netbios_name_srv",
        "netbios_dist_srv", "netbios_node_type", "netbios_scope", "xwindow_font",
        "xwindow_manager", "address_request", "address_time", "overload", "msg_type",
        "server_id", "parameter_list", "message", "max_msg_size", "renewal_time",
        "rebinding_time", "class_id", "client_id", "netWare_ip_domain", "netware_ip_option",
        "nis_domain_name", "nis_server_addr", "server_name", "bootfile_name",
        "home_agent_addrs", "smtp_server", "pop3_server", "nntp_server", "www_server",
        "finger_server", "irc_server", "street_talk_server", "stda_server", "user_class",
        "directory_agent", "service_scope", "rapid_commit", "client_fqdn",
        "relay_agent_information", "isns", NULL, "nds_servers", "nds_tree_name",
        "nds_context", "bcmcs_controller_domain_name_list", "bcmcs_controller_ipv4_address",
        "authentication", "client_last_transaction_time", "associated_ip", "client_system",
        "client_ndi", "ldap", NULL, "uuid_guid", "user_auth", "geoconf_civic", "pcode",
        "tcode",
    };
    static const struct { uint8_t code; const char *name; } high[] = {
        { 112, "netinfo_address" }, { 113, "netinfo_tag" }, { 114, "url" },
        { 116, "auto_config" }, { 117, "name_service_search" }, { 118, "subnet_selection" },
        { 119, "domain_search" }, { 120, "sip_servers" }, { 121, "classless_static_route" },
        { 122, "ccc" }, { 123, "geo_conf" }, { 124, "vendor_class" },
        { 125, "vendor_specific_information" }, { 136, "option_pana_agent" },
        { 137, "option_v4_lost" }, { 138, "option_capwap_ac_v4" },
        { 139, "option_ipv4_address_mos" }, { 140, "option_ipv4_fqdn_mos" },
        { 141, "sip_ua_configuration_service_domains" }, { 142, "option_ipv4_address_andsf" },
        { 144, "geo_loc" }, { 145, "forcerenew_nonce_capable" }, { 146, "rdnss_selection" },
        { 150, "tftp_server_address|etherboot|grub_configuration_path_name" },
        { 151, "status_code" }, { 152, "base_time" }, { 153, "start_time_of_state" },
        { 154, "query_start_time" }, { 155, "query_end_time" }, { 156, "dhcp_state" },
        { 157, "data_source" }, { 158, "option_v4_pcp_server" },
        { 159, "option_v4_portparams" }, { 160, "captive_portal" },
        { 161, "option_mud_url_v4" }, { 175, "etherboot" }, { 176, "ip_telephone" },
        { 177, "etherboot|packetcable_cablehome" }, { 208, "pxelinux_magic" },
        { 209, "configuration_file" }, { 210, "path_prefix" }, { 211, "reboot_time" },
        { 212, "option_6rd" }, { 213, "option_v4_access_domain" },
        { 220, "subnet_allocation" }, { 221, "virtual_subnet_selection" },
    };
    if (code < sizeof(low) / sizeof(low[0]))
        return low[code];
    for (size_t i = 0; i < sizeof(high) / sizeof(high[0]); i++)
        if (high[i].code == code)
            return high[i].name;
    return NULL;
}

static const char *msg_type_name(uint8_t v)
{
    static const char *const names[DHCP_MSG_TYPES + 1] = {
        NULL, "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE", "DHCPACK", "DHCPNAK",
        "DHCPRELEASE", "DHCPINFORM", "DHCPFORCERENEW", "DHCPLEASEQUERY", "DHCPLEASEUNASSIGNED",
        "DHCPLEASEUNKNOWN", "DHCPLEASEACTIVE", "DHCPBULKLEASEQUERY", "DHCPLEASEQUERYDONE",
        "DHCPACTIVELEASEQUERY", "DHCPLEASEQUERYSTATUS", "DHCPTLS",
    };
    return v >= 1 && v <= DHCP_MSG_TYPES ? names[v] : NULL;
}

/* Appends n bytes to a message being built at w (false: the arena is full). */
static bool put(uint8_t *arena, size_t *w, const void *p, size_t n)
{
    if (n > IOF_JOY_DHCP_ARENA - *w)
        return false;
    memcpy(arena + *w, p, n);
    *w += n;
    return true;
}

/* sname / file as Joy prints them: absent when the field's first byte is 0, else its bytes up
 * to the first NUL within len - 1, each non-printable byte, '\\', '/' and '"' made '.'. */
static bool put_name(uint8_t *arena, size_t *w, const uint8_t *f, size_t len)
{
    uint8_t n = 0, txt[IOF_DHCP_FILE_LEN];
    while (n < len - 1 && f[n]) {
        uint8_t c = f[n];
        txt[n++] = (c < 0x20 || c > 0x7e || c == '\\' || c == '/' || c == '"') ? '.' : c;
    }
    return put(arena, w, &n, 1) && put(arena, w, txt, n);
}

/* An option's text as `iotflow devices` writes it (devices/text.h: up to a NUL, control bytes as
 * spaces, invalid UTF-8 as '?', trimmed, cut at a character boundary to DHCP_COL_TEXT bytes), so
 * dhcp_hostname is the same text in both. */
static uint8_t sum_text(char *dst, iof__span v, bool *cut)
{
    char t[DHCP_COL_TEXT + 1], whole[IOF_DEV_TEXT_IN + 1];   /* a text is never longer than its input */
    size_t n = iof__dev_text(t, sizeof t, v.p, v.len);
    memcpy(dst, t, n);
    *cut = iof__dev_text(whole, sizeof whole, v.p, v.len) > n;
    return (uint8_t)n;
}

static void summarise(dhcp_sum *u, const uint8_t *p, size_t len, int64_t ts_us)
{
    iof__dhcp_msg m;
    (void)iof__dhcp_parse(p, len, &m);   /* what it filled before a problem is valid */
    if (!m.cookie)
        return;
    if (!u->msgs) {
        u->first_us = ts_us;
        u->first_type = m.msg_type;
    }
    if (u->msgs < UINT32_MAX)
        u->msgs++;
    if (m.op != IOF_DHCP_BOOTREQUEST)
        return;
    if (!u->has_host && m.hostname.p) {
        u->has_host = true;
        u->host_len = sum_text(u->host, m.hostname, &u->host_cut);
    }
    if (!u->has_vendor && m.vendor_class.p) {
        u->has_vendor = true;
        u->vendor_len = sum_text(u->vendor, m.vendor_class, &u->vendor_cut);
    }
    if (!u->has_params && m.param_list.p) {
        u->has_params = true;
        size_t at = 0;
        iof__rd r = rd_init(m.param_list.p, m.param_list.len);
        while (u->nparams < DHCP_COL_PARAMS && rd_left(&r)) {
            uint8_t code = rd_u8(&r);
            at += (size_t)snprintf(u->params_text + at, sizeof(u->params_text) - at, "%s%u", u->nparams ? "," : "",
                                   (unsigned)code);   /* <= 4 bytes each: fits */
            u->params[u->nparams++] = code;
        }
        u->params_text_len = (uint16_t)at;
        u->params_cut = rd_left(&r) != 0;
    }
}

/* not UDP between DHCP's ports, or no data bytes (the slice is NULL) */
static bool dhcp_idle(const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    (void)o;
    bool ports = (fp->key_sp == DHCP_PORT_CLIENT && fp->key_dp == DHCP_PORT_SERVER) ||
                 (fp->key_sp == DHCP_PORT_SERVER && fp->key_dp == DHCP_PORT_CLIENT);
    return fp->key_proto != 17 || !ports || !fp->data;
}

static void dhcp_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    dhcp_state *s = st;
    if (dhcp_idle(fp, o))
        return;
    if (o->cols_only) {
        summarise(&s->sum, fp->data, fp->len, fp->ts_us);
        return;
    }
    if (s->nmsg >= IOF_JOY_DHCP_MSGS || s->dropped)
        return;
    iof__rd r = rd_init(fp->data, fp->len);
    const uint8_t *hdr = rd_bytes(&r, DHCP_HDR_BYTES);
    const uint8_t *sname = rd_bytes(&r, IOF_DHCP_SNAME_LEN);
    const uint8_t *file = rd_bytes(&r, IOF_DHCP_FILE_LEN);
    if (r.err || rd_be32(&r) != DHCP_COOKIE)
        return;   /* Joy: "bad magic cookie" (or, cut short, it reads past the data) */
    size_t w = s->used;
    uint8_t *a = s->arena;
    uint8_t none = 0, nopt = 0;
    bool ok = put(a, &w, hdr, DHCP_HDR_BYTES) &&
              (sname[0] ? put_name(a, &w, sname, IOF_DHCP_SNAME_LEN) : put(a, &w, &none, 1)) &&
              (file[0] ? put_name(a, &w, file, IOF_DHCP_FILE_LEN) : put(a, &w, &none, 1));
    size_t nopt_at = w;
    ok = ok && put(a, &w, &nopt, 1);
    unsigned opt_bytes = 0;
    iof__dhcp_opt op;
    while (ok && nopt < IOF_JOY_DHCP_OPTS && opt_bytes < IOF_JOY_DHCP_OPT_BYTES &&
           iof__dhcp_next_option(&r, &op) == IOF_DHCP_OPT_ONE) {
        uint8_t tl[2] = { op.code, (uint8_t)op.val.len };
        ok = put(a, &w, tl, 2) && put(a, &w, op.val.p, op.val.len);
        nopt++;
        opt_bytes += 2 + (unsigned)op.val.len;
    }
    if (!ok) {
        s->dropped = 1;   /* the list ends here: it stays a prefix of Joy's */
        return;
    }
    a[nopt_at] = nopt;
    s->used = (uint16_t)w;
    s->nmsg++;
}

/* One kept option: Joy's {"name":"hex"}, {"msg_type":"NAME"} or {"kind":K,"data":"hex"}.
 * Where Joy writes broken JSON ({"name"} for a named option without value or an unnamed
 * message type), we write the value's hex (maybe ""). */
static void put_option(iof__tbuf *b, uint8_t code, const uint8_t *v, uint8_t len)
{
    const char *name = opt_name(code);
    if (!name) {
        iof__tb_puts(b, "{\"kind\":");
        iof__tb_int(b, code);
        if (len)
            iof__feat_put_hex(b, "data", v, len);
        iof__tb_putc(b, '}');
        return;
    }
    iof__tb_puts(b, "{\"");
    iof__tb_puts(b, name);
    iof__tb_puts(b, "\":");
    const char *type = code == 53 && len ? msg_type_name(v[0]) : NULL;
    if (type) {
        iof__tb_putc(b, '"');
        iof__tb_puts(b, type);
        iof__tb_putc(b, '"');
    } else {
        iof__feat_put_hex(b, NULL, v, len);
    }
    iof__tb_putc(b, '}');
}

static void put_u32(iof__tbuf *b, const char *key, uint32_t v, bool first)
{
    iof__tb_puts(b, first ? "\"" : ",\"");
    iof__tb_puts(b, key);
    iof__tb_puts(b, "\":\"");
    iof__tb_int(b, v);
    iof__tb_putc(b, '"');
}

static void put_ip(iof__tbuf *b, const char *key, const uint8_t a[4])
{
    iof__tb_puts(b, ",\"");
    iof__tb_puts(b, key);
    iof__tb_puts(b, "\":\"");
    for (int i = 0; i < 4; i++) {
        if (i)
            iof__tb_putc(b, '.');
        iof__tb_int(b, a[i]);
    }
    iof__tb_putc(b, '"');
}

static void put_text(iof__tbuf *b, const char *key, iof__rd *r)
{
    uint8_t n = rd_u8(r);
    const uint8_t *t = rd_bytes(r, n);
    if (!n || !t)
        return;
    iof__tb_puts(b, ",\"");
    iof__tb_puts(b, key);
    iof__tb_puts(b, "\":\"");
    iof__tb_put(b, t, n);   /* printable, no '"' or '\\': see put_name */
    iof__tb_putc(b, '"');
}

/* One message from the arena at r (as dhcp_update wrote it). */
static void put_msg(iof__tbuf *b, iof__rd *r)
{
    iof__dhcp_msg m = { 0 };
    iof__dhcp_header(r, &m);
    iof__tb_putc(b, '{');
    put_u32(b, "op", m.op, true);
    put_u32(b, "htype", m.htype, false);
    put_u32(b, "hlen", m.hlen, false);
    put_u32(b, "hops", m.hops, false);
    put_u32(b, "xid", m.xid, false);
    put_u32(b, "secs", m.secs, false);
    put_u32(b, "flags", m.flags, false);
    put_ip(b, "ciaddr", m.ciaddr);
    put_ip(b, "yiaddr", m.yiaddr);
    put_ip(b, "siaddr", m.siaddr);
    put_ip(b, "giaddr", m.giaddr);
    iof__feat_put_hex(b, "chaddr", m.chaddr, sizeof(m.chaddr));
    put_text(b, "sname", r);
    put_text(b, "file", r);
    uint8_t nopt = rd_u8(r);
    for (uint8_t i = 0; i < nopt && !r->err; i++) {
        uint8_t code = rd_u8(r), len = rd_u8(r);
        const uint8_t *v = rd_bytes(r, len);
        iof__tb_puts(b, i ? "," : ",\"options\":[");
        put_option(b, code, v, v ? len : 0);
    }
    if (nopt)
        iof__tb_putc(b, ']');
    iof__tb_putc(b, '}');
}

/* the printed (out) side's list was ended by a message that did not fit the arena (Joy keeps 16
 * whatever their size) */
static bool dhcp_cut(const void *out, const void *in)
{
    (void)in;
    return ((const dhcp_state *)out)->dropped != 0;
}

static void dhcp_json(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o)
{
    (void)in;   /* Joy prints the out side's messages only (dhcp_print_json ignores d2) */
    (void)o;
    const dhcp_state *s = out;
    if (!s->nmsg)
        return;
    iof__rd r = rd_init(s->arena, s->used);
    iof__tb_puts(b, ",\"dhcp\":[");
    for (uint8_t i = 0; i < s->nmsg; i++) {
        if (i)
            iof__tb_putc(b, ',');
        put_msg(b, &r);
    }
    iof__tb_putc(b, ']');
}

/* Custom-flow columns: dhcp_messages adds both directions; dhcp_msg_type is the earlier
 * direction's first message's (a tie: out); the client's options come from the out side (the
 * device's requests) when it carried them, else the in side. */
enum { DHCP_COL_MESSAGES = 0, DHCP_COL_MSG_TYPE, DHCP_COL_HOST, DHCP_COL_VENDOR, DHCP_COL_PARAMS_TEXT,
       DHCP_COL_PARAMS_LIST };

static int dhcp_declare(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base)
{
    (void)o;
    static const struct { uint32_t id; const char *name; iof__vtype t; const char *doc; } c[] = {
        { DHCP_COL_MESSAGES, "dhcp_messages", IOF_VT_INT64, "DHCP messages (UDP 68 <-> 67) in the record (null: none)" },
        { DHCP_COL_MSG_TYPE, "dhcp_msg_type", IOF_VT_INT32,
          "option 53 of the record's first DHCP message, 1 DISCOVER .. 8 INFORM (null: none)" },
        { DHCP_COL_HOST, "dhcp_hostname", IOF_VT_STRING, "option 12 of a client message, as iotflow devices writes it (null: none)" },
        { DHCP_COL_VENDOR, "dhcp_vendor_class", IOF_VT_STRING, "option 60 of a client message, as iotflow devices writes it (null: none)" },
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        IOF_TRY(iof__schema_add(s, c[i].name, c[i].t, true, false, field, base + c[i].id, c[i].doc));
    if (wide)
        return iof__schema_add(s, "dhcp_params", IOF_VT_STRING, true, false, field, base + DHCP_COL_PARAMS_TEXT,
                               "option 55 of a client message: the requested option codes, comma-separated "
                               "(null: none)");
    return iof__schema_add(s, "dhcp_params", IOF_VT_INT32, true, true, field, base + DHCP_COL_PARAMS_LIST,
                           "option 55 of a client message: the requested option codes (null: none)");
}

/* Whether u's client messages carried column id's option. */
static bool client_has(const dhcp_sum *u, uint32_t id)
{
    return id == DHCP_COL_HOST ? u->has_host : id == DHCP_COL_VENDOR ? u->has_vendor : u->has_params;
}

/* The side whose client messages carried column id's option (NULL: neither). */
static const dhcp_sum *dhcp_client(const dhcp_state *a, const dhcp_state *t, uint32_t id)
{
    return client_has(&a->sum, id) ? &a->sum : t && client_has(&t->sum, id) ? &t->sum : NULL;
}

/* Column id's text (host name, vendor class, parameter list) from the side that carried it. */
static void dhcp_text(iof__value *v, const dhcp_state *a, const dhcp_state *t, uint32_t id)
{
    const dhcp_sum *u = dhcp_client(a, t, id);
    v->null = !u;
    if (!u)
        return;
    v->p = (const uint8_t *)(id == DHCP_COL_HOST ? u->host : id == DHCP_COL_VENDOR ? u->vendor : u->params_text);
    v->len = id == DHCP_COL_HOST ? u->host_len : id == DHCP_COL_VENDOR ? u->vendor_len : u->params_text_len;
}

static void dhcp_get(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v)
{
    const dhcp_state *a = out, *t = in;
    const dhcp_sum *u;
    uint64_t msgs = (uint64_t)a->sum.msgs + (t ? t->sum.msgs : 0u);
    v->null = true;
    switch (id) {
    case DHCP_COL_MESSAGES:
        v->null = msgs == 0;
        v->i = (int64_t)msgs;
        break;
    case DHCP_COL_MSG_TYPE:
        u = !t || !t->sum.msgs || (a->sum.msgs && a->sum.first_us <= t->sum.first_us) ? &a->sum : &t->sum;
        v->null = !u->msgs || !u->first_type;
        v->i = u->first_type;
        break;
    case DHCP_COL_HOST:
    case DHCP_COL_VENDOR:
    case DHCP_COL_PARAMS_TEXT:
        dhcp_text(v, a, t, id);
        break;
    case DHCP_COL_PARAMS_LIST:
        u = dhcp_client(a, t, id);
        v->null = !u || k >= u->nparams;
        v->i = v->null ? 0 : u->params[k];
        break;
    default: break;
    }
}

static uint32_t dhcp_count(const void *out, const void *in, uint32_t id)
{
    const dhcp_sum *u = dhcp_client(out, in, id);
    return id != DHCP_COL_PARAMS_LIST ? 0 : u ? u->nparams : UINT32_MAX;
}

/* a text or the parameter list the columns show was cut */
static bool dhcp_cols_cut(const void *out, const void *in)
{
    const dhcp_sum *h = dhcp_client(out, in, DHCP_COL_HOST), *v = dhcp_client(out, in, DHCP_COL_VENDOR),
                   *p = dhcp_client(out, in, DHCP_COL_PARAMS_TEXT);
    return (h && h->host_cut) || (v && v->vendor_cut) || (p && p->params_cut);
}

static const iof__feat_cols dhcp_cols = {
    .declare = dhcp_declare,
    .get = dhcp_get,
    .count = dhcp_count,
    .cut = dhcp_cols_cut,
};

const iof__feature iof__feat_dhcp = {
    .name = "dhcp",
    .joy_slot = IOF_FEAT_JOY_MODULES,
    .enabled = dhcp_enabled,
    .state_size = dhcp_size,
    .clean_size = dhcp_clean,
    .used = dhcp_used,
    .update = dhcp_update,
    .idle = dhcp_idle,
    .joy_json = dhcp_json,
    .cols = &dhcp_cols,
    .cut = dhcp_cut,
};
