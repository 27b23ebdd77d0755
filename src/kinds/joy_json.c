/* Joy JSON writer for the base fields: see joy_json.h. Field by field as Joy's
 * flow_record_print_json writes them (p2f.c), so its outputs compare byte for byte. */
#include <stdio.h>
#include <string.h>

#include "features/joyfeat.h"
#include "kinds/joy_json.h"
#include "kinds/joy_os.h"

#define JOY_OUT "<"    /* Joy's OUT marker ... */
#define JOY_IN ">"     /* ... and IN: its "out" record's packets are printed with IN */
#define JOY_REP_FROM 32768u /* lengths from here print as {"rep":65536-b}: Joy's RLE marker */

static inline int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* "%zd.%06zd" of a µs time as a normalised timeval */
static void put_time(iof__tbuf *b, int64_t us)
{
    int64_t s = floor_div(us, 1000000), frac = us - s * 1000000;
    char d[7];
    iof__tb_int(b, s);
    iof__tb_putc(b, '.');
    for (int i = 5; i >= 0; i--, frac /= 10)
        d[i] = (char)('0' + frac % 10);
    iof__tb_put(b, d, 6);
}

static void put_key_u(iof__tbuf *b, const char *key, uint64_t v)
{
    iof__tb_puts(b, key);
    iof__tb_int(b, (int64_t)v);
}

/* One packets[] entry: ipt is Joy's joy_timeval_to_milliseconds of the difference, an
 * unsigned int (a negative difference wraps, as in Joy's output). */
static void put_pkt(iof__tbuf *b, uint16_t len, const char *dir, int64_t diff_us)
{
    uint32_t ipt = iof__joy_ms(diff_us);
    if (len < JOY_REP_FROM) {
        put_key_u(b, "{\"b\":", len);
    } else {
        put_key_u(b, "{\"rep\":", 65536u - len);
    }
    iof__tb_puts(b, ",\"dir\":\"");
    iof__tb_puts(b, dir);
    put_key_u(b, "\",\"ipt\":", ipt);
    iof__tb_putc(b, '}');
}

static void put_packets(iof__tbuf *b, const iof__joyrec *out, const iof__joyrec *in,
                        int64_t start_us)
{
    iof__tb_puts(b, ",\"packets\":[");
    if (!in) {
        for (uint32_t i = 0; i < out->op; i++) {
            if (i)
                iof__tb_putc(b, ',');
            put_pkt(b, out->pkt_len[i], JOY_OUT, i ? out->pkt_us[i] - out->pkt_us[i - 1] : 0);
        }
    } else {
        /* merged by time from the flow's start; a tie takes the "in" side first */
        uint32_t i = 0, j = 0;
        int64_t last = start_us;
        while (i < out->op || j < in->op) {
            bool take_out = j >= in->op || (i < out->op && out->pkt_us[i] < in->pkt_us[j]);
            int64_t ts = take_out ? out->pkt_us[i] : in->pkt_us[j];
            uint16_t len = take_out ? out->pkt_len[i++] : in->pkt_len[j++];
            if (i + j > 1)
                iof__tb_putc(b, ',');
            put_pkt(b, len, take_out ? JOY_IN : JOY_OUT, ts - last);
            last = ts;
        }
    }
    iof__tb_putc(b, ']');
}

static void put_ip_side(iof__tbuf *b, const iof__joyrec *r)
{
    put_key_u(b, "{\"ttl\":", r->ttl);
    if (r->num_id) {
        iof__tb_puts(b, ",\"id\":[");
        for (uint32_t k = 0; k < r->num_id; k++) {
            if (k)
                iof__tb_putc(b, ',');
            iof__tb_int(b, r->ip_id[k]);
        }
        iof__tb_putc(b, ']');
    }
    iof__tb_putc(b, '}');
}

static void put_flags(iof__tbuf *b, uint8_t flags)
{
    iof__tb_puts(b, "\"flags\":\"");
    iof__feat_tcp_flags(b, flags);
    iof__tb_putc(b, '"');
}

static inline bool tcp_side_set(const iof__joyrec *r)
{
    return r && (r->tcp_flags || r->first_win || r->opt_len);
}

static void put_tcp_side(iof__tbuf *b, const iof__joyrec *r)
{
    bool com = false;
    iof__tb_putc(b, '{');
    if (r->tcp_flags) {
        put_flags(b, r->tcp_flags);
        com = true;
    }
    if (r->first_win) {
        put_key_u(b, com ? ",\"first_window_size\":" : "\"first_window_size\":", r->first_win);
        com = true;
    }
    if (r->opt_len) {
        put_key_u(b, com ? ",\"opt_len\":" : "\"opt_len\":", r->opt_len);
        iof__feat_tcp_opts_json(b, r->opts, r->opt_len);   /* the decoded options */
    }
    iof__tb_putc(b, '}');
}

static void put_tcp(iof__tbuf *b, const iof__joyrec *out, const iof__joyrec *in)
{
    uint32_t first_seq = out->first_seq ? out->first_seq : in ? in->first_seq : 0;
    bool o = tcp_side_set(out), i = tcp_side_set(in);
    if (!first_seq && !o && !i)
        return;
    bool com = false;
    iof__tb_puts(b, ",\"tcp\":{");
    if (first_seq) {
        put_key_u(b, "\"first_seq\":", first_seq);
        com = true;
    }
    if (o) {
        iof__tb_puts(b, com ? ",\"out\":" : "\"out\":");
        put_tcp_side(b, out);
        com = true;
    }
    if (i) {
        iof__tb_puts(b, com ? ",\"in\":" : "\"in\":");
        put_tcp_side(b, in);
    }
    iof__tb_putc(b, '}');
}

/* Joy 3.0.3's top-level members of a flow object (p2f.c and its feature modules) */
static const char *const joy_members[] = {
    "sa", "da", "pr", "sp", "dp", "bytes_out", "num_pkts_out", "bytes_in", "num_pkts_in",
    "time_start", "time_end", "packets", "byte_dist", "byte_dist_mean", "byte_dist_std",
    "entropy", "total_entropy", "p_malware", "wht", "payload", "idp_out", "idp_len_out", "idp_in",
    "idp_len_in", "ip", "tcp", "ppi", "probable_os", "hd", "dns", "http", "tls", "dhcp", "ssh",
    "ike", "salt", "exe", "debug", "expire_type",
    IOF__END_REASON_KEY, /* ours (--end-reason), not Joy's: a label key must not repeat it either */
};

bool iof__joy_json_key_taken(const char *key)
{
    for (size_t i = 0; i < sizeof(joy_members) / sizeof(joy_members[0]); i++)
        if (strcmp(key, joy_members[i]) == 0)
            return true;
    return false;
}

/* ,"K":"value","K_rule":"rule" per key (null for both when nothing matched: no default) */
static void put_labels(iof__tbuf *b, const iof__lbl_row *labels)
{
    char name[IOF_MAX_COLNAME];
    for (size_t k = 0; k < iof__labeller_nkeys(labels->lb); k++) {
        const iof__lbl_result *res = &labels->res[k];
        const char *key = iof__labeller_key(labels->lb, k);
        snprintf(name, sizeof(name), "%s" IOF_LBL_RULE_SUFFIX, key);
        iof__tb_kv_str(b, key, res->value, true); /* NULL: null */
        iof__tb_kv_str(b, name, res->value ? res->rule : NULL, true);
    }
}

/* seen: the pair's seen bits (iof__joyfeat_seen: either direction's order gives the same) */
static void put_feats(iof__tbuf *b, const iof__featset *fs, iof__feat_joy_slot slot,
                      const iof__joyrec *out, const iof__joyrec *in, uint32_t seen)
{
    if (fs && fs->ext_size)
        iof__featset_joy_json(fs, slot, b, out->ext, in ? in->ext : NULL, seen);
}

void iof__joy_json_flow(iof__tbuf *b, const iof__joyrec *r, const iof__featset *fs,
                        const iof__lbl_row *labels, bool end_reason)
{
    const iof__joyrec *out, *in;
    int64_t start_us, end_us;
    iof__joyflow_orient(r, &out, &in, &start_us, &end_us);
    const uint32_t seen = iof__joyfeat_seen(r);
    char ip[48];

    iof__tb_puts(b, "{\"sa\":\"");
    iof__tb_put(b, ip, iof__fmt_ip(out->ipver, out->sa, ip));
    iof__tb_puts(b, "\",\"da\":\"");
    iof__tb_put(b, ip, iof__fmt_ip(out->ipver, out->da, ip));
    put_key_u(b, "\",\"pr\":", out->proto);
    if (out->proto == 6 || out->proto == 17) {
        put_key_u(b, ",\"sp\":", out->sp);
        put_key_u(b, ",\"dp\":", out->dp);
    } else {
        iof__tb_puts(b, ",\"sp\":null,\"dp\":null");
    }
    put_key_u(b, ",\"bytes_out\":", out->ob);
    put_key_u(b, ",\"num_pkts_out\":", out->np);
    if (in) {
        put_key_u(b, ",\"bytes_in\":", in->ob);
        put_key_u(b, ",\"num_pkts_in\":", in->np);
    }
    iof__tb_puts(b, ",\"time_start\":");
    put_time(b, start_us);
    iof__tb_puts(b, ",\"time_end\":");
    put_time(b, end_us);
    put_packets(b, out, in, start_us);
    put_feats(b, fs, IOF_FEAT_JOY_AFTER_PACKETS, out, in, seen);

    iof__tb_puts(b, ",\"ip\":{\"out\":");
    put_ip_side(b, out);
    if (in) {
        iof__tb_puts(b, ",\"in\":");
        put_ip_side(b, in);
    }
    iof__tb_putc(b, '}');
    if (out->proto == 6)
        put_tcp(b, out, in);
    /* Joy's order: its feature list, exe, hd, probable_os, idp, then debug */
    put_feats(b, fs, IOF_FEAT_JOY_MODULES, out, in, seen);
    put_feats(b, fs, IOF_FEAT_JOY_HD, out, in, seen);
    iof__joy_os_json(b, out, in);
    put_feats(b, fs, IOF_FEAT_JOY_IDP, out, in, seen);

    uint64_t retrans = out->retrans + (in ? in->retrans : 0);
    uint64_t invalid = out->invalid + (in ? in->invalid : 0);
    if (retrans || invalid) {
        iof__tb_puts(b, ",\"debug\":{");
        if (retrans)
            put_key_u(b, "\"tcp_retrans\":", retrans);
        if (invalid)
            put_key_u(b, retrans ? ",\"invalid\":" : "\"invalid\":", invalid);
        iof__tb_putc(b, '}');
    }
    static const char *const expire[] = { [IOF_JF_END_INACTIVE] = "i", [IOF_JF_END_ACTIVE] = "a" };
    /* Joy sets the expire type on the primary and prints the "out" record's: a flow whose
     * out side is the twin shows none */
    if (out == r && (r->end == IOF_JF_END_INACTIVE || r->end == IOF_JF_END_ACTIVE)) {
        iof__tb_puts(b, ",\"expire_type\":\"");
        iof__tb_puts(b, expire[r->end]);
        iof__tb_putc(b, '"');
    }
    if (end_reason)
        iof__tb_kv_str(b, IOF__END_REASON_KEY, iof__end_reason_name(iof__jf_end_reason(r)), true);
    if (labels && labels->lb)
        put_labels(b, labels);
    iof__tb_puts(b, "}\n");
}
