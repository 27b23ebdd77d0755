/* Run summary (text, ends with a one-line verdict) and statistics JSON (--stats FILE). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "output/outfile.h"
#include "output/textbuf.h"
#include "common/ipproto.h"
#include "pipeline/report.h"
#include "pipeline/run_int.h"


static uint64_t total_drops(const iof__stats *st)
{
    uint64_t n = 0;
    for (int d = 1; d < IOF_DROP__COUNT; d++)
        n += st->drops[d];
    return n;
}

/* Custom-flow records per variant that reached the statistics stage and the output (the
 * device table's sum): all of them made, unless the output failed and the hub stopped. */
static void reached_output(const iof__stats *st, uint64_t out[IOF_VAR__COUNT])
{
    for (int v = 0; v < IOF_VAR__COUNT; v++)
        out[v] = 0;
    for (size_t i = 0; i < st->n_devs; i++)
        for (int v = 0; v < IOF_VAR__COUNT; v++)
            out[v] += st->devs[i].records[v];
}

void iof__print_tables(const iof__stats *stc, FILE *fp, bool show_uni)
{
    iof__stats *st = (iof__stats *)stc;
    iof__stats_sort_devices(st);
    size_t shown = st->n_devs > IOF_PRINT_MAX_DEVICES ? IOF_PRINT_MAX_DEVICES : st->n_devs;
    if (st->n_devs) {
        fprintf(fp, "\n  %-18s %-20s %-16s %10s", "device", "name", "type", "bi-records");
        if (show_uni)
            fprintf(fp, " %11s", "uni-records");
        fprintf(fp, " %12s %14s\n", "packets", "bytes");
        for (size_t i = 0; i < shown; i++) {
            const iof__dev_stat *d = &st->devs[i];
            fprintf(fp, "  %-18s %-20.20s %-16.16s %10" PRIu64, d->key, d->name, d->type, d->records[0]);
            if (show_uni)
                fprintf(fp, " %11" PRIu64, d->records[1]);
            fprintf(fp, " %12" PRIu64 " %14" PRIu64 "\n", d->packets, d->bytes);
        }
        if (shown < st->n_devs)
            fprintf(fp, "  ... %zu more device(s) not shown (every row is in the statistics JSON)\n",
                    st->n_devs - shown);
    }
    bool any = false;
    for (int p = 0; p < 256; p++)
        if (st->proto[p].records) {
            if (!any)
                fprintf(fp, "\n  %-6s %-8s %10s %12s %14s\n", "proto", "", "records", "packets", "bytes");
            any = true;
            fprintf(fp, "  %-6d %-8s %10" PRIu64 " %12" PRIu64 " %14" PRIu64 "\n", p, iof__proto_name((unsigned)p),
                    st->proto[p].records, st->proto[p].packets, st->proto[p].bytes);
        }
}

/* --rules: records per label value, per key, in the order values were first met: the custom-flow
 * records' (the bidirectional variant's counts, else the unidirectional one's) when they are
 * written, and the Joy flows' with -f joy */
static void print_label_counts(const iof_run *r, FILE *fp, int counter, const char *what)
{
    const iof__stats *st = &r->st;
    for (size_t k = 0; k < iof__labeller_nkeys(r->labels); k++) {
        fprintf(fp, "  %s (%s):", iof__labeller_key(r->labels, k), what);
        size_t shown = 0;
        for (size_t i = 0; i < st->n_labels; i++) {
            const iof__label_stat *l = &st->labels[i];
            if (l->key != k || !l->records[counter])
                continue;
            if (shown++ == IOF_PRINT_MAX_LABELS) {
                fprintf(fp, " ...");
                break;
            }
            fprintf(fp, "%s %s %" PRIu64, shown > 1 ? "," : "", l->value ? l->value : "(none)", l->records[counter]);
        }
        fputc('\n', fp);
    }
}

static void print_labels(const iof_run *r, FILE *fp)
{
    if (r->telem)
        print_label_counts(r, fp, IOF_LBL_STAT_TEL, "telemetry rows");
    else if (r->sink || !r->joy) { /* -f joy alone: the custom-flow records are not written */
        bool bi = (r->cfg.variants & IOF_VARIANT_BI) != 0;
        print_label_counts(r, fp, bi ? IOF_VAR_BI : IOF_VAR_UNI,
                           bi ? "bidirectional records" : "unidirectional records");
    }
    if (r->joy)
        print_label_counts(r, fp, IOF_LBL_STAT_JOY, "Joy flows");
}

/* --table telemetry: its rows and flows */
static void print_telemetry(const iof_run *r, FILE *fp)
{
    if (!r->telem)
        return;
    iof__tel_stats ts;
    iof__telem_get_stats(r->telem, &ts);
    fprintf(fp, "  telemetry: %" PRIu64 " rows of %" PRIu64 " flows, %" PRIu64 " packets (%" PRIu64
                " older than their second, counted in the open one), flows ended early %" PRIu64 " (peak live %" PRIu64
                " of at most %" PRIu64 ")\n",
            ts.rows, ts.flows, ts.packets, ts.late_packets, ts.flows_evicted, ts.peak_live, ts.max_live);
    if (r->timeline) {
        iof__tl_stats ls;
        iof__timeline_get_stats(r->timeline, &ls);
        fprintf(fp, "  timeline: %" PRIu64 " rows: %" PRIu64 " device(s) over %" PRIu64 " second(s)", ls.rows,
                ls.devices, ls.seconds);
        if (ls.gap_seconds)
            fprintf(fp, "; %" PRIu64 " silent second(s) not filled (clock jumps of more than a day)", ls.gap_seconds);
        if (r->tlcfg.names)
            fprintf(fp, "; names: %" PRIu64 " listed, %" PRIu64 " not listed (beyond %d in a row's list)",
                    ls.names_listed, ls.names_dropped, IOF_TL_MAX_NAMES);
        fputc('\n', fp);
    }
}

/* The written kind's sensor counts: what each slot of st->sensors_joined holds, NULL for none */
static const char *joined_what(const iof_run *r, int slot)
{
    if (!r->sens_kind)
        return NULL;
    if (r->sens_kind != &iof__cf_kind)
        return slot == IOF_VAR__COUNT ? (r->timeline ? "timeline rows" : "telemetry rows") : NULL;
    if (slot == IOF_VAR__COUNT)
        return NULL;
    unsigned bit = slot == IOF_VAR_BI ? IOF_VARIANT_BI : IOF_VARIANT_UNI;
    return r->cfg.variants & bit ? (slot == IOF_VAR_BI ? "bidirectional records" : "unidirectional records") : NULL;
}

static void print_sensors(const iof_run *r, FILE *fp)
{
    if (r->sensors)
        iof__sensors_report(fp, r->cfg.sensors_file, r->sensors, &r->sensors_st);
    for (int slot = 0; r->sensors && slot <= IOF_VAR__COUNT; slot++)
        if (joined_what(r, slot))
            iof__sens_joined_report(fp, "    ", joined_what(r, slot), &r->st.sensors_joined[slot]);
}

/* Why the run keeps a name map: label rules on `rule` and/or --features `feature` (the timeline's
 * names, kind IOF_TL_NAMES_*). */
static const char *map_why(const iof_run *r, const char *rule, const char *feature, unsigned kind, char buf[64])
{
    bool feat = r->tlcfg.names >> kind & 1;
    bool rules = kind == IOF_TL_NAMES_DNS ? r->dns_for_rules : r->sni_for_rules;
    snprintf(buf, 64, "%s%s%s%s%s", rules ? "rules on " : "", rules ? rule : "", rules && feat ? ", " : "",
             feat ? "--features " : "", feat ? feature : "");
    return buf;
}

/* rules on `dns` (or --features dns): what the DNS map learnt and every association it did not keep, by reason */
static void print_dns(const iof_run *r, FILE *fp)
{
    if (!r->dnsmap)
        return;
    iof__dnsmap_stats d;
    iof__dnsmap_get_stats(r->dnsmap, &d);
    char why[64];
    fprintf(fp, "  dns names (%s): %" PRIu64 " response(s), %" PRIu64 " A/AAAA answer(s), %" PRIu64
                " (client, address, name) kept of at most %" PRIu64 ", %" PRIu64 " seen again; not kept: %" PRIu64
                " map full, %" PRIu64 " pair full, %" PRIu64 " name text full\n",
            map_why(r, "dns", "dns", IOF_TL_NAMES_DNS, why), d.responses, d.answers, d.assoc, d.max_assoc, d.known, d.dropped_cap, d.dropped_pair, d.dropped_text);
    fprintf(fp, "    %" PRIu64 " without an answer, %" PRIu64 " cut (names before the cut kept), %" PRIu64
                " answer(s) of the other IP version, %" PRIu64 " beyond a message's caps, %" PRIu64
                " port-53 payload(s) not read as DNS\n",
            d.no_answer, d.damaged, d.other_family, d.beyond_message, d.not_dns);
}

/* rules on `sni`: the hellos read and every one not read, by reason */
static void print_sni(const iof_run *r, FILE *fp)
{
    if (!r->snimap)
        return;
    iof__snimap_stats s;
    iof__snimap_get_stats(r->snimap, &s);
    char why[64];
    fprintf(fp, "  tls server names (%s): %" PRIu64 " ClientHello(s): %" PRIu64 " with a name (%" PRIu64
                " connection(s) kept of at most %" PRIu64 ", %" PRIu64 " seen again), %" PRIu64 " without; %" PRIu64
                " read over segments\n",
            map_why(r, "sni", "tls", IOF_TL_NAMES_TLS, why), s.hellos, s.named, s.conns, s.max_conns, s.known, s.no_name, s.gathered);
    fprintf(fp, "    not read: %" PRIu64 " damaged, %" PRIu64 " too long, %" PRIu64 " cut, %" PRIu64
                " while all gathering slots were taken, %" PRIu64 " left unfinished (%" PRIu64 " of them for a new "
                "hello); not kept: %" PRIu64 " map full, %" PRIu64 " name text full, %" PRIu64 " masks map full\n",
            s.damaged, s.too_long, s.cut, s.pending_full, s.pending_dropped, s.stale, s.dropped_cap, s.dropped_text,
            s.masks_dropped);
}

/* rules on `app`: the connections nDPI inspected, how their answers were settled, what was lost */
static void print_app(const iof_run *r, FILE *fp)
{
    if (!r->appmap)
        return;
    iof__appmap_stats a;
    iof__appmap_get_stats(r->appmap, &a);
    bool l7 = (r->cfg.features & IOF_FEATURE_L7) && r->cfg.table == IOF_TABLE_CUSTOMFLOW;
    fprintf(fp, "  applications (%s%s%s, nDPI %s): %" PRIu64 " connection(s) kept of at most %" PRIu64
                " per run (%" PRIu64 " on a reused five-tuple), %" PRIu64 " packet(s), %" PRIu64 " read by nDPI (%" PRIu64
                " cut by the snaplen not read); answers: %" PRIu64 " detected, %" PRIu64 " guessed, %" PRIu64
                " unknown, %" PRIu64 " name(s) shown while nDPI read on\n",
            r->app_for_rules ? "rules on app" : "", r->app_for_rules && l7 ? ", " : "", l7 ? "--features l7" : "",
            iof_ndpi_version(), a.conns, a.max_conns, a.reused, a.packets, a.inspected, a.cut, a.named, a.guessed,
            a.unknown, a.shown);
    fprintf(fp, "    settled: %" PRIu64 " done, %" PRIu64 " at the packet limit, %" PRIu64 " when a record or Joy flow was written, %"
                PRIu64 " at the connection's end, %" PRIu64 " for a slot (%u read at once), %" PRIu64
                " still read at the end; not kept: %" PRIu64 " packet(s) map full, %" PRIu64 " name(s)\n",
            a.settled[IOF_APPMAP_BY_DONE], a.settled[IOF_APPMAP_BY_LIMIT], a.settled[IOF_APPMAP_BY_RECORD],
            a.settled[IOF_APPMAP_BY_ENDED], a.settled[IOF_APPMAP_BY_FULL], IOF_APPMAP_INSPECT, a.inspecting,
            a.dropped_cap, a.dropped_name);
}

/* -f joy: the Joy table's flows, how they ended, and its cap */
static void print_joy(const iof_run *r, FILE *fp)
{
    if (!r->joy)
        return;
    iof__jf_stats js;
    iof__joyflow_get_stats(r->joy, &js);
    fprintf(fp, "  Joy flows: %" PRIu64 " (%" PRIu64 " two-way), expired inactive %" PRIu64 ", active %" PRIu64
                ", evicted early %" PRIu64 " (peak live %" PRIu64 " of at most %" PRIu64 "%s)\n",
            js.flows_emitted, js.flows_bidir, js.expired_inactive, js.expired_active, js.flows_evicted,
            js.peak_live_records, js.max_live, js.capped_by_memory ? ", set by --max-memory" : "");
    fprintf(fp, "  Joy packets: %" PRIu64 " taken, %" PRIu64 " left out (not IPv4: Joy 3.0.3 reads IPv4 only; or an IP "
                "length beyond the captured frame)\n", js.packets, js.skipped);
    size_t nreg;
    const iof__feature *const *reg = iof__feat_registry(&nreg);
    for (size_t k = 0; k < nreg; k++)
        if (r->joy_cuts[k])
            fprintf(fp, "  Joy %s: %" PRIu64 " flow(s) lost part of it to a bound (docs/JOY.md, \"Differences "
                        "from Joy\")\n", reg[k]->name, r->joy_cuts[k]);
}

/* --features: custom-flow records whose group's cells lost something to a column's cap */
static void print_cf_cuts(const iof_run *r, FILE *fp)
{
    const iof__featset *s = &r->cffeats;
    bool any = false;
    for (uint32_t i = 0; i < s->n; i++) {
        uint64_t n = r->cf_cuts[iof__feat_index(s->mod[i])];
        if (!n)
            continue;
        fprintf(fp, "%s %s %" PRIu64, any ? "," : "  feature columns cut (records; docs/OUTPUT.md \"All groups\"):",
                s->mod[i]->name, n);
        any = true;
    }
    if (any)
        fputc('\n', fp);
}

void iof_run_print_summary(const iof_run *r, FILE *fp)
{
    const iof__stats *st = &r->st;
    fprintf(fp, "iotflow extract: %zu input(s), %" PRIu64 " packets, %.1f MB on the wire, %.2f s",
            st->n_inputs, st->frames, (double)st->wire_bytes / 1e6, st->elapsed_s);
    if (st->elapsed_s > 0)
        fprintf(fp, " (%.2f Mpkt/s)", (double)st->frames / st->elapsed_s / 1e6);
    fputc('\n', fp);
    uint64_t drops = total_drops(st);
    fprintf(fp, "  decoded %" PRIu64 ", attributed %" PRIu64 ", unattributed %" PRIu64
                ", dropped %" PRIu64, st->decoded, st->attributed, st->unattributed, drops);
    if (st->filtered)
        fprintf(fp, ", filtered out %" PRIu64, st->filtered);
    fputc('\n', fp);
    if (drops) {
        fprintf(fp, "  drops:");
        for (int d = 1; d < IOF_DROP__COUNT; d++)
            if (st->drops[d])
                fprintf(fp, " %s=%" PRIu64, iof__drop_name((iof__drop)d), st->drops[d]);
        fputc('\n', fp);
    }
    bool notes = false;
    for (int b = 0; b < IOF_NOTE__COUNT; b++)
        if (st->notes[b]) {
            if (!notes)
                fprintf(fp, "  notes:");
            notes = true;
            fprintf(fp, " %s=%" PRIu64, iof__note_name((unsigned)b), st->notes[b]);
        }
    if (st->ts_out_of_order)
        fprintf(fp, "%s ts.out_of_order=%" PRIu64, notes ? "" : "  notes:", st->ts_out_of_order), notes = true;
    if (st->ts_invalid)
        fprintf(fp, "%s ts.invalid=%" PRIu64, notes ? "" : "  notes:", st->ts_invalid), notes = true;
    if (st->cf.pkt_before_first)
        fprintf(fp, "%s ts.before_first_seen=%" PRIu64, notes ? "" : "  notes:", st->cf.pkt_before_first), notes = true;
    if (st->cf.records_closed_waiting)
        fprintf(fp, "%s ts.record_closed_by_clock=%" PRIu64, notes ? "" : "  notes:", st->cf.records_closed_waiting), notes = true;
    if (notes)
        fputc('\n', fp);
    if (st->drops[IOF_DROP_L4_NOT_CAPTURED] || st->notes[IOF_NOTEB_TCP_HDR_TRUNCATED])
        fprintf(fp, "  hint: some transport headers were not captured; raise the capture snaplen\n");
    if (st->live) {
        if (st->live_stats_ok)
            fprintf(fp, "  libpcap: received %" PRIu64 ", dropped by kernel %" PRIu64
                        ", dropped by interface %" PRIu64 " (platform-specific counters)\n",
                    st->ps_recv, st->ps_drop, st->ps_ifdrop);
        else
            fprintf(fp, "  libpcap: drop counters unavailable\n");
    }
    bool uni = (r->cfg.variants & IOF_VARIANT_UNI) != 0;
    fprintf(fp, "  records: bidirectional %" PRIu64 ", unidirectional %" PRIu64 ", evicted early %" PRIu64,
            st->cf.records_emitted[0], st->cf.records_emitted[1],
            st->cf.records_evicted[0] + st->cf.records_evicted[1]);
    if (st->cf.records_evicted_memory)
        fprintf(fp, " (%" PRIu64 " for --max-memory)", st->cf.records_evicted_memory);
    fprintf(fp, " (peak live %" PRIu64 ")\n", st->cf.peak_live_records);
    uint64_t reached[IOF_VAR__COUNT];
    reached_output(st, reached);
    if (reached[0] != st->cf.records_emitted[0] || reached[1] != st->cf.records_emitted[1])
        fprintf(fp, "  the output stopped after bidirectional %" PRIu64 ", unidirectional %" PRIu64
                    " of them: the tables below count those (the verdict says what was published)\n",
                reached[0], reached[1]);
    print_cf_cuts(r, fp);
    if (st->flow_workers > 1 || st->flow_workers_why) {
        fprintf(fp, "  flow workers: %u", st->flow_workers);
        if (st->flow_workers_why)
            fprintf(fp, " (not sharded: %s)", st->flow_workers_why);
        if (st->merge_held_peak)
            fprintf(fp, "; the merge held up to %" PRIu64 " record(s) behind an older one", st->merge_held_peak);
        if (st->merge_evictions)
            fprintf(fp, ", %" PRIu64 " evicted for --max-flows", st->merge_evictions);
        if (st->flow_workers_dropped)
            fprintf(fp, "; %" PRIu64 " packet(s) dropped: the workers fell behind the capture",
                    st->flow_workers_dropped);
        fputc('\n', fp);
    }
    if (r->cfg.features) {
        char names[128];
        fprintf(fp, "  features: %s (%s)\n", iof_features_text(r->cfg.features, names, sizeof(names)),
                r->cfg.table == IOF_TABLE_TIMELINE ? "timeline name lists" : "custom-flow feature columns");
    }
    if (r->cfg.shards)
        fprintf(fp, "  shard %u/%u: %zu of %zu input file(s)\n", r->cfg.shard, r->cfg.shards, r->n_inputs,
                r->n_inputs_unsharded);
    print_joy(r, fp);
    print_telemetry(r, fp);
    print_sensors(r, fp);
    print_labels(r, fp);
    print_dns(r, fp);
    print_sni(r, fp);
    print_app(r, fp);
    iof__print_tables(st, fp, uni);
    size_t nf = 0;
    const iof__sink_file_info *files = r->sink ? iof__sink_files(r->sink, &nf) : NULL;
    if (nf || r->joy_published) {
        fprintf(fp, "\n  outputs (published):\n");
        if (r->joy_published)
            fprintf(fp, "    %-60s %10" PRIu64 " flows (Joy)%s\n", r->joy_path, r->joy_rows,
                    r->joy_replaced ? " (replaced an earlier file)" : "");
        for (size_t i = 0; i < nf && i < IOF_PRINT_MAX_FILES; i++)
            fprintf(fp, "    %-60s %10" PRIu64 " rows%s\n", files[i].path, files[i].rows,
                    files[i].replaced ? " (replaced an earlier file)" : "");
        if (nf > IOF_PRINT_MAX_FILES)
            fprintf(fp, "    ... %zu more file(s) (every one is in the statistics JSON)\n",
                    nf - IOF_PRINT_MAX_FILES);
    }
    if (r->inv && r->inv_seen) {
        size_t n = iof__inventory_count(r->inv), seen = 0;
        for (size_t i = 0; i < n; i++)
            seen += r->inv_seen[i] != 0;
        if (seen < n)
            fprintf(fp, "\n  inventory: %zu of %zu device(s) have records; %zu never seen\n", seen,
                    n, n - seen);
    }
    fputc('\n', fp);
    char v[1536];
    iof_verdict vd = iof_run_verdict(r, v, sizeof(v));
    fprintf(fp, "verdict: %s: %s\n", iof_verdict_name(vd), v);
}

const char *iof_verdict_name(iof_verdict v)
{
    switch (v) {
    case IOF_VERDICT_OK: return "OK";
    case IOF_VERDICT_WARN: return "WARN";
    case IOF_VERDICT_INTERRUPTED: return "INTERRUPTED";
    case IOF_VERDICT_INPUT_ERROR: return "INPUT ERROR";
    case IOF_VERDICT_FAILED: return "FAILED";
    }
    return "?";
}

/* Appends one WARN reason ("; " between them). */
static void reason(char *t, size_t len, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reason(char *t, size_t len, size_t *n, const char *fmt, ...)
{
    if (*n + 3 >= len)
        return;
    if (*n) {
        memcpy(t + *n, "; ", 3);
        *n += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t + *n, len - *n, fmt, ap);
    va_end(ap);
    if (k > 0)
        *n = *n + (size_t)k < len ? *n + (size_t)k : len - 1;
}

/* Results that are probably not what the user wanted, in words ("" if none). */
static size_t warn_reasons(const iof_run *r, char *t, size_t len)
{
    const iof__stats *st = &r->st;
    size_t n = 0;
    t[0] = '\0';
    uint64_t drops = total_drops(st), records = st->cf.records_emitted[0] + st->cf.records_emitted[1];
    if (st->frames == 0) {
        reason(t, len, &n, "no packets were read");
    } else if (drops * 2 > st->frames) {
        int top = 1;
        for (int d = 1; d < IOF_DROP__COUNT; d++)
            if (st->drops[d] > st->drops[top])
                top = d;
        reason(t, len, &n, "most packets were dropped: %" PRIu64 " of %" PRIu64 " (mostly %s=%" PRIu64
               ")%s", drops, st->frames, iof__drop_name((iof__drop)top), st->drops[top],
               top == IOF_DROP_LINKTYPE_UNSUPPORTED ? "; the README lists the supported link types" : "");
    }
    bool joy_alone = r->joy && !r->sink; /* -f joy alone: no custom-flow record is written */
    if (!r->no_flows && !joy_alone && st->decoded && records == 0)
        reason(t, len, &n, "no records were made: none of the %" PRIu64 " decoded packets has an "
               "endpoint that is a device%s", st->decoded,
               r->inv ? " of the inventory" : " (a private or link-local address)");
    if (r->joy && st->decoded) {
        iof__jf_stats js;
        iof__joyflow_get_stats(r->joy, &js);
        if (js.flows_emitted == 0)
            reason(t, len, &n, "no Joy flows were made: none of the %" PRIu64 " decoded packets is IPv4 with its IP "
                   "length captured (Joy 3.0.3 reads IPv4 only; %" PRIu64 " left out)", st->decoded, js.skipped);
    }
    if (r->inv && r->inv_seen) {
        size_t ninv = iof__inventory_count(r->inv), seen = 0;
        for (size_t i = 0; i < ninv; i++)
            seen += r->inv_seen[i] != 0;
        if (ninv && seen == 0)
            reason(t, len, &n, "none of the %zu inventory device(s) was seen (check the MACs in %s)",
                   ninv, r->cfg.devices_file ? r->cfg.devices_file : "the inventory");
    }
    if (st->ts_invalid) {
        const char *first = "";
        for (size_t i = 0; i < st->n_inputs && !first[0]; i++)
            if (st->inputs[i].ts_invalid)
                first = st->inputs[i].path;
        reason(t, len, &n, "%" PRIu64 " packet(s) had an impossible timestamp (a fraction of a second of 1 s or more, "
               "or a time outside the years 1677-2262 that nanoseconds since 1970 hold in 64 bits), kept with the "
               "fraction carried into the seconds or the time clamped, so their records' times are not the "
               "capture's (first in %s)", st->ts_invalid, first);
    }
    if (st->flow_workers_dropped)
        reason(t, len, &n, "%" PRIu64 " captured packet(s) were dropped because the flow workers fell behind "
               "(--threads; their records lack them)", st->flow_workers_dropped);
    if (st->ts_backwards_across_inputs)
        reason(t, len, &n, "%" PRIu64 " packet(s) went back in time across inputs, so records may mix "
               "packets of different minutes (%s)", st->ts_backwards_across_inputs,
               r->cfg.input_order == IOF_INPUT_ORDER_NAME ? "--input-order name"
                                                         : "more inputs overlap in time than can be merged at once");
    if (r->sensors && (iof__sensors_skipped(&r->sensors_st) || r->sensors_st.bad_values))
        reason(t, len, &n, "%s: %" PRIu64 " row(s) skipped and %" PRIu64 " bad value(s) read as missing (first: %s)",
               r->cfg.sensors_file, iof__sensors_skipped(&r->sensors_st), r->sensors_st.bad_values,
               r->sensors_st.first_problem);
    if (r->sensors) { /* sensors given, records made, and not one of them joined */
        iof__sens_joined all = { 0 };
        for (int slot = 0; slot <= IOF_VAR__COUNT; slot++)
            if (joined_what(r, slot)) {
                all.rows += r->st.sensors_joined[slot].rows;
                all.with_sensors += r->st.sensors_joined[slot].with_sensors;
                all.with_reading += r->st.sensors_joined[slot].with_reading;
            }
        bool cf = r->sens_kind == &iof__cf_kind;
        char why[400];
        if (iof__sens_none_joined(&all, &r->sensors_st, cf ? "record" : "row",
                                  r->inv ? (cf ? "no record's device is one of the sensor file's"
                                               : "no row's device is one of the sensor file's")
                                         : (cf ? "no record's device is one of the sensor file's (without --devices "
                                                 "a device_id reaches a device only when it is a MAC)"
                                               : "no row's device is one of the sensor file's (without --devices a "
                                                 "device_id reaches a device only when it is a MAC)"),
                                  why, sizeof(why)))
            reason(t, len, &n, "%s: %s", r->cfg.sensors_file, why);
    }
    if (r->dnsmap) {
        iof__dnsmap_stats d;
        iof__dnsmap_get_stats(r->dnsmap, &d);
        uint64_t lost = d.dropped_cap + d.dropped_pair + d.dropped_text + d.beyond_message;
        if (lost)
            reason(t, len, &n, "the DNS map did not keep %" PRIu64 " name(s) (a cap: see \"dns names\"), so rules "
                   "on dns may find fewer names than the capture gave", lost);
    }
    if (r->snimap) {
        iof__snimap_stats s;
        iof__snimap_get_stats(r->snimap, &s);
        uint64_t lost = s.dropped_cap + s.dropped_text + s.pending_full + s.stale + s.masks_dropped;
        if (lost)
            reason(t, len, &n, "the SNI map did not read or keep %" PRIu64 " ClientHello(s) (a cap: see \"tls server "
                   "names\"), so rules on sni may miss or mistake them", lost);
    }
    if (r->appmap) {
        iof__appmap_stats a;
        iof__appmap_get_stats(r->appmap, &a);
        if (a.dropped_cap || a.dropped_name || a.settled[IOF_APPMAP_BY_FULL])
            reason(t, len, &n, "the application map did not keep %" PRIu64 " packet(s) and settled %" PRIu64
                   " connection(s) early for a slot (a cap: see \"applications\"), so rules on app may miss or "
                   "mistake them", a.dropped_cap + a.dropped_name, a.settled[IOF_APPMAP_BY_FULL]);
    }
    if (st->live && st->live_stats_ok && st->ps_drop)
        reason(t, len, &n, "the kernel dropped %" PRIu64 " packet(s) (libpcap ps_drop)", st->ps_drop);
    return n;
}

iof_verdict iof_run_verdict(const iof_run *r, char *t, size_t len)
{
    const iof__stats *st = &r->st;
    size_t nf = 0;
    const iof__sink_file_info *files = r->sink ? iof__sink_files(r->sink, &nf) : NULL;
    uint64_t rows = 0;
    for (size_t i = 0; i < nf; i++)
        rows += files[i].rows;
    nf += r->joy_published; /* -f joy: its file counts among the outputs, its flows among the rows */
    rows += r->joy_published ? r->joy_rows : 0;
    size_t damaged = 0, unlocated = 0;
    for (size_t i = 0; i < st->n_inputs; i++) {
        damaged += st->inputs[i].rc != 0;
        unlocated += st->inputs[i].rc != 0 && st->inputs[i].gz_check_failed;
    }
    if (r->output_rc == IOF_E_EXISTS) {
        snprintf(t, len, "%s%s", r->errmsg,
                 r->unpublished ? " (the files this run had completed were removed)" : "");
        return IOF_VERDICT_FAILED;
    }
    if (r->output_rc != IOF_OK) {
        if (nf)
            snprintf(t, len, "%s; the %zu file(s) published before the failure are complete (%" PRIu64
                     " rows), the rest of the output was not written", r->errmsg, nf, rows);
        else
            snprintf(t, len, "%s; nothing was published", r->errmsg);
        return IOF_VERDICT_FAILED;
    }
    if (r->stats_rc != IOF_OK) {
        snprintf(t, len, "statistics not written: %s (the %zu output file(s) are complete)",
                 r->stats_err, nf);
        return IOF_VERDICT_FAILED;
    }
    if (damaged && unlocated) {
        snprintf(t, len, "%zu of %zu input(s) damaged or unreadable; in %zu of them a gzip member failed its "
                 "integrity check at its end, so the damage could not be located: the records of that "
                 "member's packets may hold wrong values (the input's message gives the offsets); "
                 "everything read was written (%zu file(s), %" PRIu64 " rows)",
                 damaged, st->n_inputs, unlocated, nf, rows);
        return IOF_VERDICT_INPUT_ERROR;
    }
    if (damaged) {
        snprintf(t, len, "%zu of %zu input(s) damaged or unreadable; everything before the damage "
                 "was written (%zu file(s), %" PRIu64 " rows)", damaged, st->n_inputs, nf, rows);
        return IOF_VERDICT_INPUT_ERROR;
    }
    if (st->interrupted) {
        snprintf(t, len, "outputs complete for the %" PRIu64 " packets read (%zu file(s), %" PRIu64
                 " rows)", st->frames, nf, rows);
        return IOF_VERDICT_INTERRUPTED;
    }
    if (warn_reasons(r, t, len))
        return IOF_VERDICT_WARN;
    if (!r->sink && r->joy_published) { /* -f joy alone */
        iof__jf_stats js;
        iof__joyflow_get_stats(r->joy, &js);
        snprintf(t, len, "%" PRIu64 " packets -> %" PRIu64 " Joy flows in 1 file; %" PRIu64
                 " dropped and %" PRIu64 " left out by Joy (not IPv4, or cut), all counted above", st->frames,
                 r->joy_rows, total_drops(st), js.skipped);
        return IOF_VERDICT_OK;
    }
    if (r->telem) { /* --table telemetry / timeline */
        iof__tel_stats ts;
        iof__tl_stats ls = { 0 };
        iof__telem_get_stats(r->telem, &ts);
        if (r->timeline)
            iof__timeline_get_stats(r->timeline, &ls);
        snprintf(t, len, "%" PRIu64 " packets -> %" PRIu64 " %s rows in %zu file(s); %" PRIu64
                 " dropped and %" PRIu64 " unattributed, all counted above", st->frames,
                 r->timeline ? ls.rows : ts.rows, r->timeline ? "timeline" : "telemetry", nf, total_drops(st),
                 st->unattributed);
        return IOF_VERDICT_OK;
    }
    snprintf(t, len, "%" PRIu64 " packets -> %" PRIu64 " records in %zu file(s); %" PRIu64
             " dropped and %" PRIu64 " unattributed, all counted above", st->frames,
             st->cf.records_emitted[0] + st->cf.records_emitted[1], nf, total_drops(st),
             st->unattributed);
    return IOF_VERDICT_OK;
}

void iof__stats_json_tables(const iof__stats *stc, iof__tbuf *b)
{
    iof__stats *st = (iof__stats *)stc;
    iof__stats_sort_devices(st);
    iof__tb_puts(b, ",\"devices\":[");
    for (size_t i = 0; i < st->n_devs; i++) {
        const iof__dev_stat *d = &st->devs[i];
        iof__tb_puts(b, i ? ",{" : "{");
        iof__tb_kv_str(b, "device", d->key, false);
        iof__tb_kv_str(b, "name", d->name[0] ? d->name : NULL, true);
        iof__tb_kv_str(b, "type", d->type[0] ? d->type : NULL, true);
        iof__tb_kv_u64(b, "records_bidirectional", d->records[0], true);
        iof__tb_kv_u64(b, "records_unidirectional", d->records[1], true);
        iof__tb_kv_u64(b, "packets", d->packets, true);
        iof__tb_kv_u64(b, "bytes", d->bytes, true);
        iof__tb_putc(b, '}');
    }
    iof__tb_puts(b, "],\"protocols\":[");
    bool first = true;
    for (int p = 0; p < 256; p++) {
        if (!st->proto[p].records)
            continue;
        iof__tb_puts(b, first ? "{" : ",{");
        first = false;
        iof__tb_kv_u64(b, "proto", (uint64_t)p, false);
        iof__tb_kv_u64(b, "records", st->proto[p].records, true);
        iof__tb_kv_u64(b, "packets", st->proto[p].packets, true);
        iof__tb_kv_u64(b, "bytes", st->proto[p].bytes, true);
        iof__tb_putc(b, '}');
    }
    iof__tb_putc(b, ']');
}

iof_err iof_run_write_stats_json(iof_run *r, const char *path)
{
    const iof__stats *st = &r->st;
    iof__tbuf b = { 0 };
    iof__tb_putc(&b, '{');
    iof__tb_kv_str(&b, "iotflow_version", iof_version_string(), false);
    iof__tb_kv_str(&b, "command", "extract", true);
    if (r->cfg.shards) {
        char sh[32];
        snprintf(sh, sizeof(sh), "%u/%u", r->cfg.shard, r->cfg.shards);
        iof__tb_kv_str(&b, "shard", sh, true);
    }
    char vt[1536];
    iof_verdict vd = iof_run_verdict(r, vt, sizeof(vt));
    iof__tb_puts(&b, ",\"verdict\":{");
    iof__tb_kv_str(&b, "status", iof_verdict_name(vd), false);
    iof__tb_kv_str(&b, "text", vt, true);
    iof__tb_putc(&b, '}');
    iof__tb_puts(&b, ",\"elapsed_s\":");
    char num[64];
    snprintf(num, sizeof(num), "%.6f", st->elapsed_s);
    iof__tb_puts(&b, num);
    iof__tb_kv_bool(&b, "interrupted", st->interrupted, true);
    iof__tb_kv_bool(&b, "input_truncated", st->input_damaged, true);
    iof__tb_puts(&b, ",\"packets\":{");
    iof__tb_kv_u64(&b, "read", st->frames, false);
    iof__tb_kv_u64(&b, "wire_bytes", st->wire_bytes, true);
    iof__tb_kv_u64(&b, "captured_bytes", st->captured_bytes, true);
    iof__tb_kv_u64(&b, "filtered", st->filtered, true);
    iof__tb_kv_u64(&b, "decoded", st->decoded, true);
    iof__tb_kv_u64(&b, "dropped", total_drops(st), true);
    iof__tb_kv_u64(&b, "attributed", st->attributed, true);
    iof__tb_kv_u64(&b, "unattributed", st->unattributed, true);
    iof__tb_kv_u64(&b, "device_views", st->views, true);
    iof__tb_kv_u64(&b, "ts_out_of_order", st->ts_out_of_order, true);
    iof__tb_kv_u64(&b, "ts_backwards_across_inputs", st->ts_backwards_across_inputs, true);
    iof__tb_kv_u64(&b, "ts_invalid", st->ts_invalid, true);
    iof__tb_kv_u64(&b, "ts_before_first_seen", st->cf.pkt_before_first, true);
    if (st->have_ts) {
        iof__tb_kv_u64(&b, "first_ts_us", (uint64_t)(st->first_ts_ns / 1000), true);
        iof__tb_kv_u64(&b, "last_ts_us", (uint64_t)(st->last_ts_ns / 1000), true);
    }
    iof__tb_puts(&b, "},\"drops\":{");
    for (int d = 1; d < IOF_DROP__COUNT; d++)
        iof__tb_kv_u64(&b, iof__drop_name((iof__drop)d), st->drops[d], d > 1);
    iof__tb_puts(&b, "},\"notes\":{");
    for (int n = 0; n < IOF_NOTE__COUNT; n++)
        iof__tb_kv_u64(&b, iof__note_name((unsigned)n), st->notes[n], n > 0);
    iof__tb_puts(&b, "},\"fragments\":{");
    iof__tb_kv_u64(&b, "resolved", st->frag_resolved, false);
    iof__tb_kv_u64(&b, "orphans", st->frag_orphans, true);
    iof__tb_putc(&b, '}');
    if (st->live) {
        iof__tb_puts(&b, st->live_stats_ok ? ",\"libpcap\":{\"available\":true"
                                           : ",\"libpcap\":{\"available\":false");
        if (st->live_stats_ok) {
            iof__tb_kv_u64(&b, "ps_recv", st->ps_recv, true);
            iof__tb_kv_u64(&b, "ps_drop", st->ps_drop, true);
            iof__tb_kv_u64(&b, "ps_ifdrop", st->ps_ifdrop, true);
        }
        iof__tb_putc(&b, '}');
    }
    iof__tb_puts(&b, ",\"records\":{");
    iof__tb_kv_u64(&b, "bidirectional", st->cf.records_emitted[0], false);
    iof__tb_kv_u64(&b, "unidirectional", st->cf.records_emitted[1], true);
    uint64_t reached[IOF_VAR__COUNT];
    reached_output(st, reached);
    iof__tb_kv_u64(&b, "reached_output_bidirectional", reached[0], true);
    iof__tb_kv_u64(&b, "reached_output_unidirectional", reached[1], true);
    iof__tb_kv_u64(&b, "evicted_bidirectional", st->cf.records_evicted[0], true);
    iof__tb_kv_u64(&b, "evicted_unidirectional", st->cf.records_evicted[1], true);
    iof__tb_kv_u64(&b, "evicted_for_memory", st->cf.records_evicted_memory, true);
    iof__tb_kv_u64(&b, "max_memory", r->cfg.max_memory == UINT64_MAX ? 0 : r->cfg.max_memory, true);
    iof__tb_kv_u64(&b, "peak_live_bytes", st->cf.peak_live_bytes, true);
    iof__tb_kv_u64(&b, "closed_by_clock", st->cf.records_closed_waiting, true);
    iof__tb_kv_u64(&b, "peak_live", st->cf.peak_live_records, true);
    iof__tb_kv_u64(&b, "payload_bytes_kept", st->cf.payload_bytes_kept, true);
    /* --features: records per group that lost something to a column's cap, every group of the
     * run that can, 0 included (absent without one) */
    bool cut_any = false;
    for (uint32_t i = 0; i < r->cffeats.n; i++) {
        const iof__feature *m = r->cffeats.mod[i];
        if (!m->cols || !m->cols->cut)
            continue;
        iof__tb_puts(&b, cut_any ? "" : ",\"features_cut\":{");
        iof__tb_kv_u64(&b, m->name, r->cf_cuts[iof__feat_index(m)], cut_any);
        cut_any = true;
    }
    if (cut_any)
        iof__tb_putc(&b, '}');
    iof__tb_puts(&b, "},\"flow_workers\":{");
    iof__tb_kv_u64(&b, "workers", st->flow_workers, false);
    if (st->flow_workers_why)
        iof__tb_kv_str(&b, "not_sharded", st->flow_workers_why, true);
    iof__tb_kv_u64(&b, "merge_held_peak", st->merge_held_peak, true);
    iof__tb_kv_u64(&b, "merge_evictions", st->merge_evictions, true);
    iof__tb_kv_u64(&b, "dropped", st->flow_workers_dropped, true);
    iof__tb_puts(&b, "},\"labels\":[");
    for (size_t i = 0; i < st->n_labels; i++) {
        const iof__label_stat *l = &st->labels[i];
        iof__tb_puts(&b, i ? ",{" : "{");
        iof__tb_kv_str(&b, "key", iof__labeller_key(r->labels, l->key), false);
        iof__tb_kv_str(&b, "value", l->value, true);
        iof__tb_kv_u64(&b, "bidirectional", l->records[IOF_VAR_BI], true);
        iof__tb_kv_u64(&b, "unidirectional", l->records[IOF_VAR_UNI], true);
        iof__tb_kv_u64(&b, "joy", l->records[IOF_LBL_STAT_JOY], true);
        iof__tb_kv_u64(&b, "telemetry", l->records[IOF_LBL_STAT_TEL], true);
        iof__tb_putc(&b, '}');
    }
    iof__tb_putc(&b, ']');
    if (r->joy) { /* -f joy: the Joy table's flows and cap */
        iof__jf_stats js;
        iof__joyflow_get_stats(r->joy, &js);
        iof__tb_puts(&b, ",\"joy\":{");
        iof__tb_kv_u64(&b, "packets", js.packets, false);
        iof__tb_kv_u64(&b, "packets_skipped", js.skipped, true);
        iof__tb_kv_u64(&b, "records_created", js.records_created, true);
        iof__tb_kv_u64(&b, "flows", js.flows_emitted, true);
        iof__tb_kv_u64(&b, "flows_two_way", js.flows_bidir, true);
        iof__tb_kv_u64(&b, "expired_inactive", js.expired_inactive, true);
        iof__tb_kv_u64(&b, "expired_active", js.expired_active, true);
        iof__tb_kv_u64(&b, "evicted", js.flows_evicted, true);
        iof__tb_kv_u64(&b, "peak_live", js.peak_live_records, true);
        iof__tb_kv_u64(&b, "max_live", js.max_live, true);
        iof__tb_kv_u64(&b, "record_bytes", js.record_bytes, true);
        iof__tb_kv_bool(&b, "capped_by_memory", js.capped_by_memory, true);
        /* flows per module that lost something to a bound: every module that can, 0 included */
        iof__tb_puts(&b, ",\"features_cut\":{");
        size_t nreg;
        const iof__feature *const *reg = iof__feat_registry(&nreg);
        bool comma = false;
        for (size_t k = 0; k < nreg; k++)
            if (reg[k]->cut) {
                iof__tb_kv_u64(&b, reg[k]->name, r->joy_cuts[k], comma);
                comma = true;
            }
        iof__tb_putc(&b, '}');
        iof__tb_putc(&b, '}');
    }
    if (r->telem) {
        iof__tel_stats ts;
        iof__telem_get_stats(r->telem, &ts);
        iof__tb_puts(&b, ",\"telemetry\":{");
        iof__tb_kv_u64(&b, "rows", ts.rows, false);
        iof__tb_kv_u64(&b, "flows", ts.flows, true);
        iof__tb_kv_u64(&b, "packets", ts.packets, true);
        iof__tb_kv_u64(&b, "late_packets", ts.late_packets, true);
        iof__tb_kv_u64(&b, "flows_evicted", ts.flows_evicted, true);
        iof__tb_kv_u64(&b, "peak_live", ts.peak_live, true);
        iof__tb_kv_u64(&b, "max_live", ts.max_live, true);
        iof__tb_putc(&b, '}');
    }
    if (r->timeline) {
        iof__tl_stats ls;
        iof__timeline_get_stats(r->timeline, &ls);
        iof__tb_puts(&b, ",\"timeline\":{");
        iof__tb_kv_u64(&b, "rows", ls.rows, false);
        iof__tb_kv_u64(&b, "devices", ls.devices, true);
        iof__tb_kv_u64(&b, "seconds", ls.seconds, true);
        iof__tb_kv_u64(&b, "gap_seconds", ls.gap_seconds, true);
        if (r->tlcfg.names) {
            iof__tb_kv_u64(&b, "names_listed", ls.names_listed, true);
            iof__tb_kv_u64(&b, "names_dropped", ls.names_dropped, true);
        }
        iof__tb_putc(&b, '}');
    }
    if (r->dnsmap) {
        iof__dnsmap_stats d;
        iof__dnsmap_get_stats(r->dnsmap, &d);
        iof__tb_puts(&b, ",\"dns_names\":{");
        iof__tb_kv_u64(&b, "responses", d.responses, false);
        iof__tb_kv_u64(&b, "answers", d.answers, true);
        iof__tb_kv_u64(&b, "associations", d.assoc, true);
        iof__tb_kv_u64(&b, "max_associations", d.max_assoc, true);
        iof__tb_kv_u64(&b, "known_again", d.known, true);
        iof__tb_kv_u64(&b, "dropped_map_full", d.dropped_cap, true);
        iof__tb_kv_u64(&b, "dropped_pair_full", d.dropped_pair, true);
        iof__tb_kv_u64(&b, "dropped_text_full", d.dropped_text, true);
        iof__tb_kv_u64(&b, "no_answer", d.no_answer, true);
        iof__tb_kv_u64(&b, "damaged", d.damaged, true);
        iof__tb_kv_u64(&b, "other_family", d.other_family, true);
        iof__tb_kv_u64(&b, "beyond_message", d.beyond_message, true);
        iof__tb_kv_u64(&b, "not_dns", d.not_dns, true);
        iof__tb_putc(&b, '}');
    }
    if (r->snimap) {
        iof__snimap_stats s;
        iof__snimap_get_stats(r->snimap, &s);
        iof__tb_puts(&b, ",\"tls_sni\":{");
        iof__tb_kv_u64(&b, "hellos", s.hellos, false);
        iof__tb_kv_u64(&b, "named", s.named, true);
        iof__tb_kv_u64(&b, "no_name", s.no_name, true);
        iof__tb_kv_u64(&b, "gathered", s.gathered, true);
        iof__tb_kv_u64(&b, "connections", s.conns, true);
        iof__tb_kv_u64(&b, "max_connections", s.max_conns, true);
        iof__tb_kv_u64(&b, "known_again", s.known, true);
        iof__tb_kv_u64(&b, "damaged", s.damaged, true);
        iof__tb_kv_u64(&b, "too_long", s.too_long, true);
        iof__tb_kv_u64(&b, "cut", s.cut, true);
        iof__tb_kv_u64(&b, "pending_full", s.pending_full, true);
        iof__tb_kv_u64(&b, "pending_dropped", s.pending_dropped, true);
        iof__tb_kv_u64(&b, "stale", s.stale, true);
        iof__tb_kv_u64(&b, "masks", s.masks, true);
        iof__tb_kv_u64(&b, "masks_dropped", s.masks_dropped, true);
        iof__tb_kv_u64(&b, "dropped_map_full", s.dropped_cap, true);
        iof__tb_kv_u64(&b, "dropped_text_full", s.dropped_text, true);
        iof__tb_putc(&b, '}');
    }
    if (r->appmap) {
        iof__appmap_stats a;
        iof__appmap_get_stats(r->appmap, &a);
        static const char *const by[IOF_APPMAP_BY__COUNT] = { "done", "packet_limit", "record_written",
                                                              "connection_ended", "slot_needed" };
        iof__tb_puts(&b, ",\"applications\":{");
        iof__tb_kv_str(&b, "ndpi", iof_ndpi_version(), false);
        iof__tb_kv_u64(&b, "connections", a.conns, true);
        iof__tb_kv_u64(&b, "max_connections", a.max_conns, true);
        iof__tb_kv_u64(&b, "reused", a.reused, true);
        iof__tb_kv_u64(&b, "packets", a.packets, true);
        iof__tb_kv_u64(&b, "inspected", a.inspected, true);
        iof__tb_kv_u64(&b, "cut", a.cut, true);
        iof__tb_kv_u64(&b, "shown", a.shown, true);
        iof__tb_kv_u64(&b, "detected", a.named, true);
        iof__tb_kv_u64(&b, "guessed", a.guessed, true);
        iof__tb_kv_u64(&b, "unknown", a.unknown, true);
        iof__tb_puts(&b, ",\"settled\":{");
        for (int k = 0; k < IOF_APPMAP_BY__COUNT; k++)
            iof__tb_kv_u64(&b, by[k], a.settled[k], k > 0);
        iof__tb_putc(&b, '}');
        iof__tb_kv_u64(&b, "inspecting_at_end", a.inspecting, true);
        iof__tb_kv_u64(&b, "dropped_map_full", a.dropped_cap, true);
        iof__tb_kv_u64(&b, "dropped_name", a.dropped_name, true);
        iof__tb_putc(&b, '}');
    }
    if (r->sensors) {
        const iof__sensors_stats *ss = &r->sensors_st;
        iof__tb_puts(&b, ",\"sensors\":{");
        iof__tb_kv_str(&b, "file", r->cfg.sensors_file, false);
        iof__tb_puts(&b, ",\"tolerance_s\":");
        snprintf(num, sizeof(num), "%.9g", r->cfg.sensor_tolerance_s);
        iof__tb_puts(&b, num);
        iof__tb_kv_u64(&b, "lines", ss->lines, true);
        iof__tb_kv_u64(&b, "blank_lines", ss->blank_lines, true);
        iof__tb_kv_u64(&b, "comment_lines", ss->comment_lines, true);
        iof__tb_kv_u64(&b, "rows", ss->rows, true);
        iof__tb_kv_u64(&b, "rows_kept", ss->rows_kept, true);
        iof__tb_kv_u64(&b, "skipped_csv", ss->skipped_csv, true);
        iof__tb_kv_u64(&b, "skipped_fields", ss->skipped_fields, true);
        iof__tb_kv_u64(&b, "skipped_time", ss->skipped_time, true);
        iof__tb_kv_u64(&b, "skipped_device", ss->skipped_device, true);
        iof__tb_kv_u64(&b, "duplicates", ss->duplicates, true);
        iof__tb_kv_u64(&b, "out_of_order", ss->out_of_order, true);
        iof__tb_kv_u64(&b, "unresolved_rows", ss->unresolved_rows, true);
        iof__tb_kv_u64(&b, "values", ss->values, true);
        iof__tb_kv_u64(&b, "missing", ss->missing, true);
        iof__tb_kv_u64(&b, "bad_values", ss->bad_values, true);
        iof__tb_kv_u64(&b, "devices", ss->devices, true);
        iof__tb_kv_u64(&b, "unresolved_devices", ss->unresolved_devices, true);
        iof__tb_kv_str(&b, "first_problem", ss->first_problem[0] ? ss->first_problem : NULL, true);
        /* the written records (rows) that got sensor context: per variant, or the table's rows */
        iof__tb_puts(&b, ",\"joined\":{");
        bool comma = false;
        for (int slot = 0; slot <= IOF_VAR__COUNT; slot++) {
            const char *what = joined_what(r, slot);
            if (!what)
                continue;
            const iof__sens_joined *j = &r->st.sensors_joined[slot];
            static const char *const key[] = { "bidirectional", "unidirectional" };
            iof__tb_puts(&b, comma ? ",\"" : "\"");
            iof__tb_puts(&b, slot < IOF_VAR__COUNT ? key[slot] : r->timeline ? "timeline" : "telemetry");
            iof__tb_puts(&b, "\":{");
            iof__tb_kv_u64(&b, "rows", j->rows, false);
            iof__tb_kv_u64(&b, "with_sensor_device", j->with_sensors, true);
            iof__tb_kv_u64(&b, "with_reading", j->with_reading, true);
            iof__tb_putc(&b, '}');
            comma = true;
        }
        iof__tb_putc(&b, '}');
        iof__tb_puts(&b, ",\"columns\":[");
        for (size_t k = 0; k < iof__sensors_ncols(r->sensors); k++) {
            const iof__sensor_col *sc = iof__sensors_col(r->sensors, k);
            iof__tb_puts(&b, k ? ",{" : "{");
            iof__tb_kv_str(&b, "name", sc->name, false);
            iof__tb_kv_u64(&b, "values", sc->values, true);
            iof__tb_kv_u64(&b, "missing", sc->missing, true);
            iof__tb_kv_u64(&b, "bad_values", sc->bad_values, true);
            iof__tb_kv_bool(&b, "flag", sc->binary, true);
            iof__tb_putc(&b, '}');
        }
        iof__tb_puts(&b, "]}");
    }
    iof__tb_puts(&b, ",\"inputs\":[");
    for (size_t i = 0; i < st->n_inputs; i++) {
        const iof__input_stat *in = &st->inputs[i];
        iof__tb_puts(&b, i ? ",{" : "{");
        iof__tb_kv_str(&b, "path", in->path, false);
        iof__tb_kv_str(&b, "format", in->format, true);
        iof__tb_kv_u64(&b, "packets", in->frames, true);
        iof__tb_kv_u64(&b, "wire_bytes", in->wire_bytes, true);
        iof__tb_kv_u64(&b, "ts_invalid", in->ts_invalid, true);
        iof__tb_kv_bool(&b, "damage_unlocated", in->gz_check_failed, true);
        iof__tb_kv_str(&b, "error", in->error, true);
        iof__tb_putc(&b, '}');
    }
    iof__tb_putc(&b, ']');
    iof__stats_json_tables(st, &b);
    iof__tb_puts(&b, ",\"outputs\":[");
    size_t nf = 0;
    const iof__sink_file_info *files = r->sink ? iof__sink_files(r->sink, &nf) : NULL;
    for (size_t i = 0; i < nf; i++) {
        iof__tb_puts(&b, i ? ",{" : "{");
        iof__tb_kv_str(&b, "path", files[i].path, false);
        iof__tb_kv_str(&b, "format", files[i].format, true);
        iof__tb_kv_str(&b, "variant", files[i].sub_name, true);
        iof__tb_kv_u64(&b, "rows", files[i].rows, true);
        iof__tb_kv_bool(&b, "replaced", files[i].replaced, true);
        iof__tb_putc(&b, '}');
    }
    if (r->joy_published) { /* -f joy: one file, one flow per row */
        iof__tb_puts(&b, nf ? ",{" : "{");
        iof__tb_kv_str(&b, "path", r->joy_path, false);
        iof__tb_kv_str(&b, "format", "joy", true);
        iof__tb_kv_str(&b, "variant", "bidirectional", true);
        iof__tb_kv_u64(&b, "rows", r->joy_rows, true);
        iof__tb_kv_bool(&b, "replaced", r->joy_replaced, true);
        iof__tb_putc(&b, '}');
    }
    iof__tb_puts(&b, "]}\n");
    if (b.oom) {
        iof__tb_free(&b);
        r->stats_rc = IOF_E_NOMEM;
        snprintf(r->stats_err, sizeof(r->stats_err), "%s: out of memory", path);
        return IOF_E_NOMEM;
    }
    iof__outfile *f;
    char err[512];
    int rc = iof__outfile_open(&f, path, err, sizeof(err));
    if (rc == IOF_OK) {
        rc = iof__outfile_write(f, b.p, b.len);
        if (rc == IOF_OK)
            rc = iof__outfile_commit(f, err, sizeof(err));
        else {
            snprintf(err, sizeof(err), "%s", iof__outfile_errmsg(f));
            iof__outfile_abort(f);
        }
    }
    if (rc != IOF_OK) {
        r->stats_rc = rc;
        snprintf(r->stats_err, sizeof(r->stats_err), "%s", err);
    }
    iof__tb_free(&b);
    return (iof_err)rc;
}
