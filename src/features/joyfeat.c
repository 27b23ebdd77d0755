/* The feature modules on the Joy flow policy (flow/joyflow.h): the policy's per-record hooks
 * feed a feature set, see joyfeat.h. */
#include "features/joyfeat.h"

static void on_created(void *ctx, iof__joyrec *r, bool zeroed)
{
    const iof__featset *s = ctx;
    iof__featset_init_state(s, r->ext, zeroed, true);
    r->feat_seen = zeroed ? IOF_FEAT_SEEN_ZEROED : 0;
}

static void on_packet(void *ctx, iof__joyrec *r, const iof__jf_data *d)
{
    const iof__featset *s = ctx;
    const iof__pkt *p = d->pkt;
    iof__feat_pkt fp = { .pkt = p, .data_pkts = r->ndata, .tcp = d->tcp, .ts_us = d->ts_us,
                         .key_proto = r->proto, .key_sp = r->sp, .key_dp = r->dp };
    fp.data = iof__feat_slice(p, d->off, d->len, &fp.len);
    fp.wire_len = d->len;
    fp.app_dns = r->proto == 17 && r->app;   /* Joy's only UDP keyword is DNS's */
    fp.app_tls = r->app_tls;
    fp.app_http = r->proto == 6 && r->app && !r->app_tls;   /* Joy's other TCP keywords are HTTP's */
    fp.ip = iof__feat_slice(p, p->l3_off, p->ip_len, &fp.ip_len);
    if (d->tcp)   /* Joy's TCP parser checked 20 <= header <= segment */
        fp.tcp_opts = iof__feat_slice(p, p->l4_off + 20, p->l4_hlen - 20, &fp.tcp_opts_len);
    r->feat_seen = iof__featset_update(s, r->ext, &fp, r->feat_seen);
}

void iof__joyfeat_hooks(const iof__featset *s, iof__jf_config *cfg)
{
    cfg->hooks = (iof__jf_hooks){ 0 };
    if (!s || s->ext_size == 0)
        return;
    cfg->hooks = (iof__jf_hooks){
        .ext_size = s->ext_size,
        .created = on_created,
        .packet = on_packet,
        .ctx = (void *)(uintptr_t)s,   /* the hooks only read it */
    };
    _Static_assert(IOF_FEAT_MAX_MODULES <= sizeof(cfg->hooks.hot) / sizeof(cfg->hooks.hot[0]), "one stretch a module");
    cfg->hooks.nhot = iof__featset_hot(s, 0, true, cfg->hooks.hot);
}

void iof__joyfeat_joy_defaults(iof__feat_opts *o, uint32_t idp)
{
    /* the modules Joy's golden configuration had on that are implemented (docs/JOY.md) */
    *o = (iof__feat_opts){
        .dist = true, .entropy = true, .wht = true, .payload = true, .ppi = true, .hd = 1,
        .dns = true, .tls = true, .dhcp = true, .http = true,
        .idp = idp,
    };
}

uint32_t iof__joyfeat_seen(const iof__joyrec *primary)
{
    return primary->feat_seen | (primary->twin ? primary->twin->feat_seen : 0);
}

void iof__joyfeat_count_cuts(const iof__featset *s, const iof__joyrec *primary,
                             uint64_t cuts[IOF_FEAT_MAX_MODULES])
{
    if (!s || !s->ext_size)
        return;
    /* in the JSON's orientation: a module's cut may look at one side only (dns: the side it
     * prints), and Joy's "out" side is the client, which can be the twin */
    const iof__joyrec *out, *in;
    int64_t start_us, end_us;
    iof__joyflow_orient(primary, &out, &in, &start_us, &end_us);
    iof__featset_count_cuts(s, out->ext, in ? in->ext : NULL, iof__joyfeat_seen(primary), cuts);
}

void iof__joyfeat_finish(const iof__featset *s, const iof__joyrec *primary)
{
    if (!s || s->ext_size == 0)
        return;
    /* the pair's modules read both directions' states: one its own packets never reached
     * begins now */
    uint32_t both = iof__joyfeat_seen(primary);
    iof__featset_begin(s, primary->ext, primary->feat_seen, both);
    iof__featset_finish(s, primary->ext, both);
    if (primary->twin) {
        iof__featset_begin(s, primary->twin->ext, primary->twin->feat_seen, both);
        iof__featset_finish(s, primary->twin->ext, both);
    }
}
