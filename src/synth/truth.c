/* truth.csv: the records `iotflow extract --devices devices.csv` produces from the frames
 * actually written, labelled with the traffic that opened each.
 *
 * Nothing of the extraction is copied here: the inventory is devices.csv itself, loaded by the
 * extraction's loader from the file this run publishes; each frame is decoded (iof__decode),
 * attributed (iof__attribute) and fed to a custom-flow table (iof__cflow) configured as
 * extract's defaults (iof_config_init: window, anonymised remotes, bidirectional records);
 * its emit callback writes the truth row, with the remote IP as extract formats it
 * (iof__cf_format_remip). What the generator adds is the label bookkeeping on the side: every
 * record a frame creates gets its conversation's label, and the table emits records in
 * creation order (cflow.h), so the labels are a FIFO.
 *
 * Not every frame needs the table: a conversation's frames in one direction have the same
 * addresses and ports, hence the same views, and iof__cflow_packet_until() says until when
 * their records cannot change; a frame before that is only counted (--stats). One decode,
 * attribution and lookup per conversation side and 60 s window. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "decode/decode.h"
#include "flow/attrib.h"
#include "flow/cflow.h"
#include "flow/inventory.h"
#include "kinds/customflow.h"
#include "synth/synth_int.h"

/* Records live in the table at once (one 60 s window's): ~240 k at --scale 1000 of `small`,
 * ~2.4 M at the largest --scale. Beyond it the table would have to evict early, which
 * truth.csv does not model: the run fails with IOF_E_LIMIT. */
#define SY_MAX_LIVE_RECORDS (1u << 24)

struct sy_truth {
    iof__inventory *inv;   /* devices.csv as extract --devices reads it */
    char (*mac_text)[18];  /* each inventory device's MAC, formatted once */
    iof__cflow *cf;
    uint64_t created;      /* records the table has created (its stats, after the last feed) */
    bool anonymise;        /* extract's default for remote IPs */
    /* labels of the records alive in the table, in creation order (a ring) */
    struct live_label {
        uint32_t first;    /* low bits of the record's first_seen µs: checks the order */
        uint8_t label;
    } *labels;
    size_t lcap, lhead, ln;
    /* rows of one first_seen instant, written sorted when the instant changes */
    trow *grp;
    size_t ngrp, capgrp;
};

static int row_cmp(const void *a, const void *b)
{
    const trow *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    int c = memcmp(x->device, y->device, 17);
    if (c)
        return c;
    c = strcmp(x->rem, y->rem);
    if (c)
        return c;
    if (x->proto != y->proto)
        return x->proto < y->proto ? -1 : 1;
    if (x->dport != y->dport)
        return x->dport < y->dport ? -1 : 1;
    if (x->rport != y->rport)
        return x->rport < y->rport ? -1 : 1;
    return strcmp(lbl_name[x->label], lbl_name[y->label]);
}

/* Writes the rows of one first_seen instant, sorted. */
static void flush_rows(gen *g)
{
    sy_truth *t = g->truth;
    if (!t->ngrp)
        return;
    qsort(t->grp, t->ngrp, sizeof *t->grp, row_cmp);
    for (size_t i = 0; i < t->ngrp; i++)
        iof__sy_write_truth(g, &t->grp[i]);
    t->ngrp = 0;
}

static int push_label(sy_truth *t, int64_t first_us, uint8_t label)
{
    if (t->ln == t->lcap) {
        if (t->lcap >= SY_MAX_LIVE_RECORDS)
            return IOF_E_LIMIT;
        size_t nc = t->lcap ? 2 * t->lcap : 4096;
        struct live_label *n = malloc(nc * sizeof *n);
        if (!n)
            return IOF_E_NOMEM;
        for (size_t i = 0; i < t->ln; i++) /* unwrap */
            n[i] = t->labels[(t->lhead + i) % t->lcap];
        free(t->labels);
        t->labels = n;
        t->lcap = nc;
        t->lhead = 0;
    }
    t->labels[(t->lhead + t->ln++) % t->lcap] = (struct live_label){(uint32_t)first_us, label};
    return IOF_OK;
}

/* The table's emit callback: a finished record becomes a truth row. */
static int on_record(void *ctx, iof__cfrec *r)
{
    gen *g = ctx;
    sy_truth *t = g->truth;
    if (r->end == IOF_CF_END_EVICTED)
        return IOF_E_LIMIT; /* more than SY_MAX_LIVE_RECORDS at once */
    trow row;
    row.first = r->first_ns / 1000;
    /* every record has a device, and its label is the oldest: records leave in creation order */
    if (!t->ln || r->device < 0 || t->labels[t->lhead].first != (uint32_t)row.first)
        return IOF_E_INVAL;
    uint8_t label = t->labels[t->lhead].label;
    t->lhead = (t->lhead + 1) % t->lcap;
    t->ln--;
    row.device = t->mac_text[r->device];
    row.proto = r->proto;
    row.label = label;
    row.dport = r->dev_port;
    row.rport = r->rem_port;
    iof__cf_format_remip(r, t->anonymise, row.rem);
    g->dev[r->device].recs++;
    if (t->ngrp && t->grp[0].first != row.first)
        flush_rows(g);
    /* a group holds the records created at one instant: at most the live ones */
    IOF_TRY(iof__grow((void **)&t->grp, &t->capgrp, t->ngrp + 1, sizeof *t->grp, SY_MAX_LIVE_RECORDS));
    t->grp[t->ngrp++] = row;
    return g->err;
}

/* What feeding a frame told: sides are "sender" (0) and "receiver" (1) of the frame. */
typedef struct fed {
    unsigned sides;        /* bit x: side x is a device of the frame (it has a view) */
    int64_t until[2];      /* until when the records of side x's view stay as they are */
    unsigned reply_sides;  /* the same bits for a frame going the other way (asked for) */
    int32_t dev[2];        /* side x's device (inventory index) or -1: the device of a source
                            * view is its MAC's (asked for) */
} fed;

/* p the other way round: the reply's header fields, as attribution reads them. */
static void mirror(const iof__pkt *p, iof__pkt *back)
{
    *back = *p;
    memcpy(back->src_mac, p->dst_mac, 6);
    memcpy(back->dst_mac, p->src_mac, 6);
    memcpy(back->src_ip, p->dst_ip, 16);
    memcpy(back->dst_ip, p->src_ip, 16);
    back->sport = p->dport;
    back->dport = p->sport;
    back->flags &= ~(uint32_t)(IOF_PKT_HAS_SRC_MAC | IOF_PKT_HAS_DST_MAC);
    back->flags |= (p->flags & IOF_PKT_HAS_SRC_MAC ? IOF_PKT_HAS_DST_MAC : 0) |
                   (p->flags & IOF_PKT_HAS_DST_MAC ? IOF_PKT_HAS_SRC_MAC : 0);
}

/* Feeds the frame in g->frame (n bytes, at g->now) to the table; the records it creates get
 * `label`. With `ask`, also attributes the frame the other way (a reply need not be fed to
 * learn its views: they are the same keys, a view being oriented from its device) and fills
 * f->reply_sides and f->dev. Returns false when the frame is not decoded (ARP: no record, as in
 * extract). */
static bool feed(gen *g, size_t n, int label, bool ask, fed *f)
{
    sy_truth *t = g->truth;
    f->sides = f->reply_sides = 0;
    f->dev[0] = f->dev[1] = -1;
    iof__pkt p;
    if (iof__decode(&p, IOF_LINKTYPE_ETHERNET, g->frame, (uint32_t)n, (uint32_t)n, g->now * 1000) !=
        IOF_DROP_OK)
        return false;
    iof__view v[2];
    if (ask) {
        iof__pkt back;
        mirror(&p, &back);
        for (int i = 0, nv = iof__attribute(&back, t->inv, v); i < nv; i++) {
            f->reply_sides |= v[i].dir ? 1u : 2u; /* the reply's own sender / receiver */
            if (v[i].dir)
                f->dev[1] = v[i].device;
        }
    }
    int nv = iof__attribute(&p, t->inv, v);
    for (int i = 0; i < nv; i++)
        if (v[i].dir)
            f->dev[0] = v[i].device;
    if (!nv)
        return true;
    int64_t end[2];
    int rc = iof__cflow_packet_until(t->cf, &p, v, nv, end);
    if (rc < 0) {
        g->err = rc;
        return true;
    }
    iof__cf_stats st;
    iof__cflow_get_stats(t->cf, &st);
    for (int i = 0; i < nv; i++) {
        int x = v[i].dir ? 0 : 1;
        f->sides |= 1u << x;
        f->until[x] = end[i] == INT64_MAX ? INT64_MAX : end[i] / 1000;
    }
    /* the records this frame opened; counted now: the ratio control reads the counts */
    for (; t->created < st.records_created[IOF_VAR_BI]; t->created++) {
        if ((rc = push_label(t, g->now, (uint8_t)label)) < 0) {
            g->err = rc;
            return true;
        }
        g->rows++;
        g->rows_lbl[label]++;
        if (label != LBL_BENIGN)
            g->rows_atk++;
    }
    return true;
}

/* The inventoried device with MAC m (devices.csv's rows are g->dev in order), or NULL. */
static host *device_of(gen *g, const uint8_t *m)
{
    long i = iof__inventory_find_mac(g->truth->inv, m);
    return i < 0 ? NULL : &g->dev[i];
}

void iof__sy_truth_frame(gen *g, conv *c, int dir, size_t n)
{
    /* the sides this direction's frames have views for (known since a frame of the
     * conversation was fed): the frame can open no record before the earliest of their
     * records' window ends (0 for a side not fed yet) */
    uint8_t m = c->view_sides[dir];
    bool feed_it = true;
    if (m & 4) {
        int64_t next = INT64_MAX;
        for (int x = 0; x < 2; x++)
            if (m & (1u << x) && c->rec_until[x ? !dir : dir] < next)
                next = c->rec_until[x ? !dir : dir];
        feed_it = g->now >= next;
    }
    if (feed_it) {
        fed f;
        bool ask = !(c->view_sides[!dir] & 4); /* the other direction not known yet */
        if (feed(g, n, c->label, ask, &f)) {
            c->view_sides[dir] = (uint8_t)(4 | f.sides);
            if (ask)
                c->view_sides[!dir] = (uint8_t)(4 | f.reply_sides);
            for (int x = 0; x < 2; x++)
                if (f.sides & (1u << x))
                    c->rec_until[x ? !dir : dir] = f.until[x];
            if (!c->inv_done && ask) { /* a source view's device is its MAC's: no lookup */
                c->inv[dir] = f.dev[0] < 0 ? NULL : &g->dev[f.dev[0]];
                c->inv[!dir] = f.dev[1] < 0 ? NULL : &g->dev[f.dev[1]];
                c->inv_done = 1;
            }
        }
    }
    if (!c->inv_done) {
        c->inv[0] = device_of(g, c->side[0].mac);
        c->inv[1] = device_of(g, c->side[1].mac);
        c->inv_done = 1;
    }
    if (c->inv[dir]) /* frames from or to each device (--stats) */
        c->inv[dir]->pkts++;
    if (c->inv[!dir])
        c->inv[!dir]->pkts++;
}

void iof__sy_truth_arp(gen *g, int label, size_t n, const uint8_t *eth_dst, const uint8_t *sha)
{
    host *a = device_of(g, sha), *b = device_of(g, eth_dst); /* counted (--stats) */
    if (a)
        a->pkts++;
    if (b)
        b->pkts++;
    fed f;
    feed(g, n, label, false, &f);
}

int iof__sy_truth_init(gen *g, const char *devices_csv)
{
    sy_truth *t = calloc(1, sizeof *t);
    if (!t)
        return IOF_E_NOMEM;
    g->truth = t;
    char err[512];
    int rc = iof__inventory_load(&t->inv, devices_csv, err, sizeof err);
    if (rc < 0)
        return iof__fail(g->errbuf, g->errlen, rc, "synth: devices.csv: %s", err);
    if (iof__inventory_count(t->inv) != (size_t)g->ndev + 1)
        return iof__fail(g->errbuf, g->errlen, IOF_E_INVAL, "synth: devices.csv has %zu rows",
                         iof__inventory_count(t->inv));
    if (!(t->mac_text = calloc((size_t)g->ndev + 1, sizeof *t->mac_text)))
        return IOF_E_NOMEM;
    for (int i = 0; i <= g->ndev; i++) {
        const uint8_t *mac = iof__inventory_get(t->inv, (size_t)i)->mac;
        if (memcmp(mac, g->dev[i].mac, 6) != 0)
            return iof__fail(g->errbuf, g->errlen, IOF_E_INVAL,
                             "synth: devices.csv row %d is not %s", i + 1, g->dev[i].name);
        iof__format_mac(mac, t->mac_text[i]);
    }
    iof_config ext; /* extract's defaults */
    iof_config_init(&ext);
    t->anonymise = ext.anonymise;
    iof__cf_config fc = {
        .window_ns = (int64_t)(ext.window_s * 1e9),
        .max_flows = SY_MAX_LIVE_RECORDS,
        .variants = IOF_VARIANT_BI,
        .hash_seed = g->cfg->seed, /* records leave in creation order whatever the hash */
    };
    if ((rc = iof__cflow_create(&t->cf, &fc, on_record, g)) < 0)
        return iof__fail(g->errbuf, g->errlen, rc, "synth: %s", iof_strerror(rc));
    return IOF_OK;
}

void iof__sy_truth_finish(gen *g)
{
    sy_truth *t = g->truth;
    int rc = iof__cflow_flush(t->cf, IOF_CF_END_EOF);
    if (rc < 0 && !g->err)
        g->err = rc;
    flush_rows(g);
}

void iof__sy_truth_free(gen *g)
{
    sy_truth *t = g->truth;
    if (!t)
        return;
    iof__cflow_destroy(t->cf);
    iof__inventory_free(t->inv);
    free(t->mac_text);
    free(t->labels);
    free(t->grp);
    free(t);
    g->truth = NULL;
}
