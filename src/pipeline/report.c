/* Run summary (text, ends with a one-line verdict) and statistics JSON (--stats FILE). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "output/outfile.h"
#include "output/textbuf.h"
#include "pipeline/report.h"
#include "pipeline/run_int.h"

static const char *proto_name(unsigned p)
{
    switch (p) {
    case 1: return "icmp";
    case 2: return "igmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 47: return "gre";
    case 50: return "esp";
    case 58: return "icmpv6";
    case 132: return "sctp";
    default: return "";
    }
}

static uint64_t total_drops(const iof__stats *st)
{
    uint64_t n = 0;
    for (int d = 1; d < IOF_DROP__COUNT; d++)
        n += st->drops[d];
    return n;
}

void iof__print_tables(const iof__stats *stc, FILE *fp, bool show_uni)
{
    iof__stats *st = (iof__stats *)stc;
    iof__stats_sort_devices(st);
    if (st->n_devs) {
        fprintf(fp, "\n  %-18s %-20s %-16s %10s", "device", "name", "type", "bi-records");
        if (show_uni)
            fprintf(fp, " %11s", "uni-records");
        fprintf(fp, " %12s %14s\n", "packets", "bytes");
        for (size_t i = 0; i < st->n_devs; i++) {
            const iof__dev_stat *d = &st->devs[i];
            fprintf(fp, "  %-18s %-20.20s %-16.16s %10" PRIu64, d->key, d->name, d->type, d->records[0]);
            if (show_uni)
                fprintf(fp, " %11" PRIu64, d->records[1]);
            fprintf(fp, " %12" PRIu64 " %14" PRIu64 "\n", d->packets, d->bytes);
        }
    }
    bool any = false;
    for (int p = 0; p < 256; p++)
        if (st->proto[p].records) {
            if (!any)
                fprintf(fp, "\n  %-6s %-8s %10s %12s %14s\n", "proto", "", "records", "packets", "bytes");
            any = true;
            fprintf(fp, "  %-6d %-8s %10" PRIu64 " %12" PRIu64 " %14" PRIu64 "\n", p, proto_name((unsigned)p),
                    st->proto[p].records, st->proto[p].packets, st->proto[p].bytes);
        }
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
                fprintf(fp, " %s=%" PRIu64, iof__drop_name((iof_drop)d), st->drops[d]);
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
    if (st->cf.pkt_before_first)
        fprintf(fp, "%s ts.before_first_seen=%" PRIu64, notes ? "" : "  notes:", st->cf.pkt_before_first), notes = true;
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
    fprintf(fp, "  records: bidirectional %" PRIu64 ", unidirectional %" PRIu64 ", evicted early %" PRIu64
                " (peak live %" PRIu64 ")\n",
            st->cf.records_emitted[0], st->cf.records_emitted[1],
            st->cf.records_evicted[0] + st->cf.records_evicted[1], st->cf.peak_live_records);
    iof__print_tables(st, fp, uni);
    size_t nf = 0;
    const iof__sink_file_info *files = r->sink ? iof__sink_files(r->sink, &nf) : NULL;
    uint64_t rows = 0;
    if (nf) {
        fprintf(fp, "\n  outputs:\n");
        for (size_t i = 0; i < nf; i++) {
            fprintf(fp, "    %-60s %10" PRIu64 " rows\n", files[i].path, files[i].rows);
            rows += files[i].rows;
        }
    }
    fputc('\n', fp);
    /* the verdict: one line */
    size_t damaged = 0;
    for (size_t i = 0; i < st->n_inputs; i++)
        damaged += st->inputs[i].rc != 0;
    if (r->output_rc != IOF_OK)
        fprintf(fp, "verdict: FAILED: output not written: %s\n", r->errmsg);
    else if (damaged)
        fprintf(fp, "verdict: INPUT ERROR: %zu of %zu input(s) damaged or unreadable; everything before "
                    "the damage was written (%zu file(s), %" PRIu64 " rows)\n",
                damaged, st->n_inputs, nf, rows);
    else if (st->interrupted)
        fprintf(fp, "verdict: INTERRUPTED: outputs complete for the %" PRIu64 " packets read (%zu file(s), %"
                    PRIu64 " rows)\n", st->frames, nf, rows);
    else
        fprintf(fp, "verdict: OK: %" PRIu64 " packets -> %" PRIu64 " records in %zu file(s); %" PRIu64
                    " dropped and %" PRIu64 " unattributed, all counted above\n",
                st->frames, st->cf.records_emitted[0] + st->cf.records_emitted[1], nf, drops,
                st->unattributed);
}

static void kv_u64(iof_tbuf *b, const char *k, uint64_t v, bool comma)
{
    if (comma)
        iof__tb_putc(b, ',');
    iof__tb_json_str(b, (const uint8_t *)k, strlen(k));
    iof__tb_putc(b, ':');
    iof__tb_int(b, (int64_t)v);
}

static void kv_str(iof_tbuf *b, const char *k, const char *v, bool comma)
{
    if (comma)
        iof__tb_putc(b, ',');
    iof__tb_json_str(b, (const uint8_t *)k, strlen(k));
    iof__tb_putc(b, ':');
    if (v)
        iof__tb_json_str(b, (const uint8_t *)v, strlen(v));
    else
        iof__tb_puts(b, "null");
}

static void kv_bool(iof_tbuf *b, const char *k, bool v)
{
    iof__tb_putc(b, ',');
    iof__tb_json_str(b, (const uint8_t *)k, strlen(k));
    iof__tb_puts(b, v ? ":true" : ":false");
}

void iof__stats_json_tables(const iof__stats *stc, iof_tbuf *b)
{
    iof__stats *st = (iof__stats *)stc;
    iof__stats_sort_devices(st);
    iof__tb_puts(b, ",\"devices\":[");
    for (size_t i = 0; i < st->n_devs; i++) {
        const iof__dev_stat *d = &st->devs[i];
        iof__tb_puts(b, i ? ",{" : "{");
        kv_str(b, "device", d->key, false);
        kv_str(b, "name", d->name[0] ? d->name : NULL, true);
        kv_str(b, "type", d->type[0] ? d->type : NULL, true);
        kv_u64(b, "records_bidirectional", d->records[0], true);
        kv_u64(b, "records_unidirectional", d->records[1], true);
        kv_u64(b, "packets", d->packets, true);
        kv_u64(b, "bytes", d->bytes, true);
        iof__tb_putc(b, '}');
    }
    iof__tb_puts(b, "],\"protocols\":[");
    bool first = true;
    for (int p = 0; p < 256; p++) {
        if (!st->proto[p].records)
            continue;
        iof__tb_puts(b, first ? "{" : ",{");
        first = false;
        kv_u64(b, "proto", (uint64_t)p, false);
        kv_u64(b, "records", st->proto[p].records, true);
        kv_u64(b, "packets", st->proto[p].packets, true);
        kv_u64(b, "bytes", st->proto[p].bytes, true);
        iof__tb_putc(b, '}');
    }
    iof__tb_putc(b, ']');
}

iof_err iof_run_write_stats_json(const iof_run *r, const char *path)
{
    const iof__stats *st = &r->st;
    iof_tbuf b = { 0 };
    iof__tb_putc(&b, '{');
    kv_str(&b, "iotflow_version", iof_version_string(), false);
    kv_str(&b, "command", "extract", true);
    iof__tb_puts(&b, ",\"elapsed_s\":");
    char num[64];
    snprintf(num, sizeof(num), "%.6f", st->elapsed_s);
    iof__tb_puts(&b, num);
    kv_bool(&b, "interrupted", st->interrupted);
    kv_bool(&b, "input_truncated", st->input_damaged);
    iof__tb_puts(&b, ",\"packets\":{");
    kv_u64(&b, "read", st->frames, false);
    kv_u64(&b, "wire_bytes", st->wire_bytes, true);
    kv_u64(&b, "captured_bytes", st->captured_bytes, true);
    kv_u64(&b, "filtered", st->filtered, true);
    kv_u64(&b, "decoded", st->decoded, true);
    kv_u64(&b, "dropped", total_drops(st), true);
    kv_u64(&b, "attributed", st->attributed, true);
    kv_u64(&b, "unattributed", st->unattributed, true);
    kv_u64(&b, "device_views", st->views, true);
    kv_u64(&b, "ts_out_of_order", st->ts_out_of_order, true);
    kv_u64(&b, "ts_before_first_seen", st->cf.pkt_before_first, true);
    if (st->have_ts) {
        kv_u64(&b, "first_ts_us", (uint64_t)(st->first_ts_ns / 1000), true);
        kv_u64(&b, "last_ts_us", (uint64_t)(st->last_ts_ns / 1000), true);
    }
    iof__tb_puts(&b, "},\"drops\":{");
    for (int d = 1; d < IOF_DROP__COUNT; d++)
        kv_u64(&b, iof__drop_name((iof_drop)d), st->drops[d], d > 1);
    iof__tb_puts(&b, "},\"notes\":{");
    for (int n = 0; n < IOF_NOTE__COUNT; n++)
        kv_u64(&b, iof__note_name((unsigned)n), st->notes[n], n > 0);
    iof__tb_puts(&b, "},\"fragments\":{");
    kv_u64(&b, "resolved", st->frag_resolved, false);
    kv_u64(&b, "orphans", st->frag_orphans, true);
    iof__tb_putc(&b, '}');
    if (st->live) {
        iof__tb_puts(&b, st->live_stats_ok ? ",\"libpcap\":{\"available\":true"
                                           : ",\"libpcap\":{\"available\":false");
        if (st->live_stats_ok) {
            kv_u64(&b, "ps_recv", st->ps_recv, true);
            kv_u64(&b, "ps_drop", st->ps_drop, true);
            kv_u64(&b, "ps_ifdrop", st->ps_ifdrop, true);
        }
        iof__tb_putc(&b, '}');
    }
    iof__tb_puts(&b, ",\"records\":{");
    kv_u64(&b, "bidirectional", st->cf.records_emitted[0], false);
    kv_u64(&b, "unidirectional", st->cf.records_emitted[1], true);
    kv_u64(&b, "evicted_bidirectional", st->cf.records_evicted[0], true);
    kv_u64(&b, "evicted_unidirectional", st->cf.records_evicted[1], true);
    kv_u64(&b, "peak_live", st->cf.peak_live_records, true);
    kv_u64(&b, "payload_bytes_kept", st->cf.payload_bytes_kept, true);
    iof__tb_puts(&b, "},\"inputs\":[");
    for (size_t i = 0; i < st->n_inputs; i++) {
        const iof__input_stat *in = &st->inputs[i];
        iof__tb_puts(&b, i ? ",{" : "{");
        kv_str(&b, "path", in->path, false);
        kv_str(&b, "format", in->format, true);
        kv_u64(&b, "packets", in->frames, true);
        kv_u64(&b, "wire_bytes", in->wire_bytes, true);
        kv_str(&b, "error", in->error, true);
        iof__tb_putc(&b, '}');
    }
    iof__tb_putc(&b, ']');
    iof__stats_json_tables(st, &b);
    iof__tb_puts(&b, ",\"outputs\":[");
    size_t nf = 0;
    const iof__sink_file_info *files = r->sink ? iof__sink_files(r->sink, &nf) : NULL;
    for (size_t i = 0; i < nf; i++) {
        iof__tb_puts(&b, i ? ",{" : "{");
        kv_str(&b, "path", files[i].path, false);
        kv_str(&b, "format", files[i].format, true);
        kv_str(&b, "variant", files[i].variant ? "unidirectional" : "bidirectional", true);
        kv_u64(&b, "rows", files[i].rows, true);
        iof__tb_putc(&b, '}');
    }
    iof__tb_puts(&b, "]}\n");
    if (b.oom) {
        iof__tb_free(&b);
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
    if (rc != IOF_OK)
        fprintf(stderr, "iotflow: %s\n", err);
    iof__tb_free(&b);
    return (iof_err)rc;
}
