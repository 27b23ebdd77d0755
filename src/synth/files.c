/* The output files: events.csv rows, devices.csv, and the --stats JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/timefmt.h"
#include "output/textbuf.h"
#include "synth/synth_int.h"

int iof__sy_add_event(gen *g, int64_t start, int64_t end, const char *kind, const char *devs,
                      const char *details)
{
    if (g->nevs == g->capevs) {
        size_t nc = g->capevs ? g->capevs * 2 : 64;
        evrow *n = realloc(g->evs, nc * sizeof *n);
        if (!n) {
            g->err = IOF_E_NOMEM;
            return -1;
        }
        g->evs = n;
        g->capevs = nc;
    }
    evrow *e = &g->evs[g->nevs];
    e->start = start;
    e->end = end;
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    snprintf(e->devices, sizeof e->devices, "%s", devs);
    snprintf(e->details, sizeof e->details, "%s", details);
    return (int)g->nevs++;
}

static int ev_cmp(const void *a, const void *b)
{
    const evrow *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return strcmp(x->kind, y->kind);
}

static void csv_field(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', fp);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', fp);
            fputc(*s, fp);
        }
        fputc('"', fp);
    } else {
        fputs(s, fp);
    }
}

void iof__sy_write_events(gen *g)
{
    qsort(g->evs, g->nevs, sizeof *g->evs, ev_cmp);
    fprintf(g->fev, "start,end,kind,devices,details\n");
    for (size_t i = 0; i < g->nevs; i++) {
        char a[40], b[40];
        evrow *e = &g->evs[i];
        if (e->end > g->tend)
            e->end = g->tend;
        iof__utc_text(a, sizeof a, e->start, true);
        iof__utc_text(b, sizeof b, e->end, true);
        fprintf(g->fev, "%s,%s,%s,", a, b, e->kind);
        csv_field(g->fev, e->devices);
        fputc(',', g->fev);
        csv_field(g->fev, e->details);
        fputc('\n', g->fev);
    }
}

/* A JSON string through the library's one escaper (output/textbuf.h). */
static void json_str(FILE *fp, const char *s)
{
    iof_tbuf b = { 0 };
    iof__tb_json_str(&b, (const uint8_t *)s, strlen(s));
    if (!b.oom)
        fwrite(b.p, 1, b.len, fp);
    iof__tb_free(&b);
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
void iof__sy_write_stats_json(const gen *g, const iof_synth_stats *st, FILE *fp)
{
    const iof_synth_config *cfg = g->cfg;
    char start[40];
    iof__utc_text(start, sizeof start, g->t0, false);
    fprintf(fp, "{\"command\":\"synth\",\"config\":{\"output_dir\":");
    json_str(fp, cfg->output_dir);
    fprintf(fp, ",\"profile\":\"%s\",\"seed\":%llu,\"start\":\"%s\",\"duration_s\":%.15g,"
            "\"devices\":%d,\"attack_ratio\":%.15g,\"scale\":%.15g},\n", g->prof->name,
            (unsigned long long)cfg->seed, start, cfg->duration_s, g->ndev, cfg->attack_ratio,
            g->scale);
    uint64_t frames = st->bytes - 24 - 16 * st->packets; /* without pcap headers */
    fprintf(fp, "\"packets\":%llu,\"bytes\":%llu,\"avg_frame_bytes\":%.1f,\"records\":%llu,"
            "\"attack_records\":%llu,\"sensor_rows\":%llu,\"events\":%llu,\"devices\":%u,"
            "\"seconds\":%.3f,\"mb_per_s\":%.1f,\n\"records_by_label\":{",
            (unsigned long long)st->packets, (unsigned long long)st->bytes,
            st->packets ? (double)frames / (double)st->packets : 0.0,
            (unsigned long long)st->records, (unsigned long long)st->attack_records,
            (unsigned long long)st->sensor_rows, (unsigned long long)st->events, st->devices,
            st->seconds, st->seconds > 0 ? (double)st->bytes / 1e6 / st->seconds : 0.0);
    for (int l = 0; l < 4; l++)
        fprintf(fp, "%s\"%s\":%llu", l ? "," : "", lbl_name[l], (unsigned long long)g->rows_lbl[l]);
    fprintf(fp, "},\n\"per_device\":[");
    for (int i = 0; i <= g->ndev; i++) {
        const host *h = &g->dev[i];
        fprintf(fp,
                "%s\n{\"name\":\"%s\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\",\"type\":\"%s\","
                "\"ip\":\"%u.%u.%u.%u\",\"packets\":%llu,\"records\":%llu}",
                i ? "," : "", h->name, h->mac[0], h->mac[1], h->mac[2], h->mac[3], h->mac[4],
                h->mac[5], type_name[h->type], h->ip[0], h->ip[1], h->ip[2], h->ip[3],
                (unsigned long long)h->pkts, (unsigned long long)h->recs);
    }
    fprintf(fp, "]}\n");
}


int iof__sy_write_devices(gen *g, FILE *fp)
{
    fprintf(fp, "mac,name,type,ip\n");
    for (int i = 0; i <= g->ndev; i++) {
        host *h = &g->dev[i];
        fprintf(fp, "%02x:%02x:%02x:%02x:%02x:%02x,%s,%s,%u.%u.%u.%u\n", h->mac[0], h->mac[1],
                h->mac[2], h->mac[3], h->mac[4], h->mac[5], h->name, type_name[h->type], h->ip[0],
                h->ip[1], h->ip[2], h->ip[3]);
    }
    return 0;
}
