/* The output files: every one is an atomic iof__outfile (`.NAME.tmp.PID.RAND` in its directory,
 * checked writes, fsync), created at the start (missing directories too) and published
 * together when the run has succeeded: finish all, then rename all; on an error before that,
 * none is left under a final name. capture.pcap goes through the capture module's pcap writer,
 * the four tables through the CSV writer (tables.c), labels.rules is attacks.c's text, the
 * --stats JSON is formatted here. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/timefmt.h"
#include "flow/inventory.h"
#include "output/textbuf.h"
#include "synth/synth_int.h"

#define PATH_CAP 4096 /* an output path: directory + '/' + file name */

void iof__sy_output_failed(gen *g, const iof__outfile *f, int rc)
{
    g->err = rc;
    g->err_told = true;
    iof__fail(g->errbuf, g->errlen, rc, "synth: %s",
              f && iof__outfile_errmsg(f)[0] ? iof__outfile_errmsg(f) : iof_strerror(rc));
}

/* The pcap writer's sink: its records go into capture.pcap's outfile. */
static int capture_sink(void *ctx, const void *p, size_t n)
{
    gen *g = ctx;
    int rc = iof__outfile_write(g->fcap, p, n);
    if (rc < 0 && !g->err)
        iof__sy_output_failed(g, g->fcap, rc);
    return rc;
}

static int open_file(gen *g, iof__outfile **f, const char *dir, const char *name)
{
    char path[PATH_CAP];
    if (snprintf(path, sizeof path, "%s%s%s", dir ? dir : "", dir ? "/" : "", name) >=
        (int)sizeof path)
        return iof__fail(g->errbuf, g->errlen, IOF_E_OUTPUT, "synth: %s%s%s: path too long",
                         dir ? dir : "", dir ? "/" : "", name);
    char err[1024];
    int rc = iof__outfile_open(f, path, err, sizeof err);
    if (rc < 0)
        iof__fail(g->errbuf, g->errlen, rc, "synth: %s", err);
    return rc;
}

int iof__sy_files_open(gen *g)
{
    const iof_synth_config *cfg = g->cfg;
    IOF_TRY(open_file(g, &g->fcap, cfg->output_dir, "capture.pcap"));
    for (int t = 0; t < SY_NTABLES; t++)
        IOF_TRY(open_file(g, &g->tables[t].f, cfg->output_dir, g->tables[t].file));
    IOF_TRY(open_file(g, &g->frules, cfg->output_dir, "labels.rules"));
    if (cfg->stats_json)
        IOF_TRY(open_file(g, &g->fstats, NULL, cfg->stats_json));
    iof__pcapw_opts po = {.pcapng = false, .nanosecond = false, .big_endian = false,
                          .linktype = 1, .snaplen = 262144};
    int rc = iof__pcapw_open_sink(&g->pw, capture_sink, g, &po);
    if (rc < 0) {
        if (!g->err)
            iof__sy_output_failed(g, g->fcap, rc);
        return rc;
    }
    g->bytes = 24;
    const iof__writer_opts wo = {.csv_lf = true}; /* the files have always had LF line ends */
    for (int t = 0; t < SY_NTABLES; t++) {
        sy_table *tb = &g->tables[t];
        char err[1024];
        rc = iof__writer_csv.open(&tb->w, tb->f, &tb->schema, &wo, err, sizeof err);
        if (rc < 0)
            return iof__fail(g->errbuf, g->errlen, rc, "synth: %s", err);
    }
    return IOF_OK;
}

const char *iof__sy_devices_complete(gen *g)
{
    sy_table *tb = &g->tables[SY_T_DEVICES];
    int rc = g->err;
    if (rc == IOF_OK && tb->w) {
        rc = iof__writer_csv.finish(tb->w, NULL, 0);
        tb->w = NULL;
    }
    if (rc == IOF_OK)
        rc = iof__outfile_finish(tb->f); /* finishing again at the end changes nothing */
    if (rc < 0) {
        if (!g->err)
            iof__sy_output_failed(g, tb->f, rc);
        return NULL;
    }
    return iof__outfile_temp_path(tb->f);
}

void iof__sy_tb_printf(iof__tbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    iof__tb_reserve(b, (size_t)n + 1);
    if (b->oom)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void iof__sy_fill_stats(const gen *g, iof_synth_stats *s, double seconds)
{
    s->packets = g->packets;
    s->bytes = g->bytes;
    s->records = g->rows;
    s->attack_records = g->rows_atk;
    s->sensor_rows = g->sensor_rows;
    s->events = g->nevs;
    s->devices = (unsigned)g->ndev + 1;
    s->seconds = seconds;
}

/* --stats: the run's statistics, the configuration and per-device / per-label counts. */
static void stats_json(const gen *g, const iof_synth_stats *st, iof__tbuf *b)
{
    const iof_synth_config *cfg = g->cfg;
    char start[40];
    iof__utc_text(start, sizeof start, g->t0, false);
    iof__sy_tb_printf(b, "{\"command\":\"synth\",\"config\":{\"output_dir\":");
    iof__tb_json_str(b, (const uint8_t *)cfg->output_dir, strlen(cfg->output_dir));
    iof__sy_tb_printf(
        b,
        ",\"profile\":\"%s\",\"seed\":%llu,\"start\":\"%s\",\"duration_s\":%.15g,"
        "\"devices\":%d,\"attack_ratio\":%.15g,\"scale\":%.15g},\n",
        g->prof->name, (unsigned long long)cfg->seed, start, cfg->duration_s, g->ndev,
        cfg->attack_ratio, g->scale);
    uint64_t frames = st->bytes - 24 - 16 * st->packets; /* without pcap headers */
    iof__sy_tb_printf(
        b,
        "\"packets\":%llu,\"bytes\":%llu,\"avg_frame_bytes\":%.1f,\"records\":%llu,"
        "\"attack_records\":%llu,\"sensor_rows\":%llu,\"events\":%llu,\"devices\":%u,"
        "\"seconds\":%.3f,\"mb_per_s\":%.1f,\n\"records_by_label\":{",
        (unsigned long long)st->packets, (unsigned long long)st->bytes,
        st->packets ? (double)frames / (double)st->packets : 0.0,
        (unsigned long long)st->records, (unsigned long long)st->attack_records,
        (unsigned long long)st->sensor_rows, (unsigned long long)st->events, st->devices,
        st->seconds, st->seconds > 0 ? (double)st->bytes / 1e6 / st->seconds : 0.0);
    for (int l = 0; l < 4; l++)
        iof__sy_tb_printf(b, "%s\"%s\":%llu", l ? "," : "", lbl_name[l],
                          (unsigned long long)g->rows_lbl[l]);
    iof__sy_tb_printf(b, "},\n\"per_device\":[");
    for (int i = 0; i <= g->ndev; i++) {
        const host *h = &g->dev[i];
        char mac[18], ip[INET_ADDRSTRLEN];
        iof__format_mac(h->mac, mac);
        inet_ntop(AF_INET, h->ip, ip, sizeof ip);
        iof__sy_tb_printf(b,
                          "%s\n{\"name\":\"%s\",\"mac\":\"%s\",\"type\":\"%s\",\"ip\":\"%s\","
                          "\"packets\":%llu,\"records\":%llu}",
                          i ? "," : "", h->name, mac, type_name[h->type], ip,
                          (unsigned long long)h->pkts, (unsigned long long)h->recs);
    }
    iof__sy_tb_printf(b, "]}\n");
}

/* Writes b's text into f and frees b; an error is recorded (g->err, message). */
static int write_text(gen *g, iof__outfile *f, iof__tbuf *b)
{
    int rc = b->oom ? IOF_E_NOMEM : iof__outfile_write(f, b->p, b->len);
    iof__tb_free(b);
    if (rc < 0)
        iof__sy_output_failed(g, f, rc);
    return rc;
}

/* Completes every file (writers, then flush + fsync + close) and publishes them together. */
int iof__sy_files_close(gen *g, const iof_synth_stats *st)
{
    int rc = IOF_OK;
    for (int t = 0; t < SY_NTABLES && rc == IOF_OK; t++) {
        sy_table *tb = &g->tables[t];
        if (!tb->w)
            continue; /* devices.csv: completed before the traffic */
        rc = iof__writer_csv.finish(tb->w, NULL, 0);
        tb->w = NULL;
        if (rc < 0)
            iof__sy_output_failed(g, tb->f, rc);
    }
    if (rc == IOF_OK) {
        rc = iof__pcapw_close(g->pw);
        g->pw = NULL;
        if (rc < 0)
            iof__sy_output_failed(g, g->fcap, rc);
    }
    if (rc == IOF_OK) {
        iof__tbuf b = {0};
        iof__sy_attack_rules(g, &b);
        rc = write_text(g, g->frules, &b);
    }
    if (rc == IOF_OK && g->fstats) {
        iof__tbuf b = {0};
        stats_json(g, st, &b);
        rc = write_text(g, g->fstats, &b);
    }
    iof__outfile *all[SY_NTABLES + 3];
    size_t n = 0;
    all[n++] = g->fcap;
    for (int t = 0; t < SY_NTABLES; t++)
        all[n++] = g->tables[t].f;
    all[n++] = g->frules;
    if (g->fstats)
        all[n++] = g->fstats;
    for (size_t i = 0; i < n && rc == IOF_OK; i++)
        if ((rc = iof__outfile_finish(all[i])) < 0)
            iof__sy_output_failed(g, all[i], rc);
    if (rc < 0)
        return rc; /* iof__sy_files_abort() removes them */
    /* publish: a rename that fails leaves the ones renamed before it published */
    g->fcap = g->frules = g->fstats = NULL;
    for (int t = 0; t < SY_NTABLES; t++)
        g->tables[t].f = NULL;
    for (size_t i = 0; i < n; i++) {
        if (rc < 0) {
            iof__outfile_abort(all[i]);
            continue;
        }
        char err[1024];
        if ((rc = iof__outfile_publish(all[i], err, sizeof err)) < 0) {
            iof__fail(g->errbuf, g->errlen, rc, "synth: %s", err);
            g->err_told = true;
        }
    }
    return rc;
}

/* Removes every temporary file (a failed run). */
void iof__sy_files_abort(gen *g)
{
    iof__pcapw_close(g->pw);
    g->pw = NULL;
    for (int t = 0; t < SY_NTABLES; t++) {
        if (g->tables[t].w)
            iof__writer_csv.abort(g->tables[t].w);
        g->tables[t].w = NULL;
        iof__outfile_abort(g->tables[t].f);
        g->tables[t].f = NULL;
    }
    iof__outfile_abort(g->fcap);
    iof__outfile_abort(g->frules);
    iof__outfile_abort(g->fstats);
    g->fcap = g->frules = g->fstats = NULL;
}
