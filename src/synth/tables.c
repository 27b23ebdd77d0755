/* The four CSV tables as record kinds: each table's columns are declared once, with the row
 * accessor the writers read through (output/schema.h), so that devices.csv, sensors.csv,
 * events.csv and truth.csv are written by the library's CSV writer (and could be written as
 * JSON Lines or Parquet, or joined with flow records, unchanged). The text forms the files have
 * always had are column properties: fixed decimals, ISO 8601 timestamps, LF line ends. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "flow/inventory.h"
#include "synth/synth_int.h"

/* ---- devices.csv: the inventory in `--devices` format ---------------------------------- */
enum { D_MAC, D_NAME, D_TYPE, D_IP };
static const iof__column device_cols[] = {
    {.name = "mac", .type = IOF_VT_STRING, .field = D_MAC, .doc = "device MAC, lower-case"},
    {.name = "name", .type = IOF_VT_STRING, .field = D_NAME, .doc = "<type>-<k>, e.g. plug-2"},
    {.name = "type", .type = IOF_VT_STRING, .field = D_TYPE, .doc = "device type"},
    {.name = "ip", .type = IOF_VT_STRING, .field = D_IP, .doc = "the device's IPv4 address"},
};

typedef struct device_view {
    const host *h;
    char mac[18], ip[INET_ADDRSTRLEN];
} device_view;

static void set_text(iof__value *v, const char *s)
{
    v->p = (const uint8_t *)s;
    v->len = (uint32_t)strlen(s);
}

static void device_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    const device_view *d = row;
    (void)k;
    v->null = false;
    switch (c->field) {
    case D_MAC: set_text(v, d->mac); break;
    case D_NAME: set_text(v, d->h->name); break;
    case D_TYPE: set_text(v, type_name[d->h->type]); break;
    case D_IP: set_text(v, d->ip); break;
    }
}

/* ---- sensors.csv: one row per second per sensor device --------------------------------- */
enum { S_TS, S_DEVICE, S_TEMP, S_HUM, S_POWER, S_MOTION, S_ALERT };
static const iof__column sensor_cols[] = {
    {.name = "timestamp", .type = IOF_VT_TIMESTAMP_US, .field = S_TS, .time_text = IOF_TT_ISO_S,
     .doc = "reading time, whole seconds (UTC)"},
    {.name = "device_id", .type = IOF_VT_STRING, .field = S_DEVICE,
     .doc = "the inventory name (join through devices.csv for the MAC)"},
    {.name = "temperature", .type = IOF_VT_FLOAT64, .nullable = true, .field = S_TEMP,
     .decimals = 2, .doc = "°C (thermostat, motion sensor)"},
    {.name = "humidity", .type = IOF_VT_FLOAT64, .nullable = true, .field = S_HUM, .decimals = 1,
     .doc = "% relative (thermostat)"},
    {.name = "power", .type = IOF_VT_FLOAT64, .nullable = true, .field = S_POWER, .decimals = 1,
     .doc = "W (thermostat, smart plug)"},
    {.name = "motion", .type = IOF_VT_INT8, .nullable = true, .field = S_MOTION,
     .doc = "0/1 (motion sensor)"},
    {.name = "alert_flag", .type = IOF_VT_INT8, .field = S_ALERT, .doc = "0/1"},
};

static void sensor_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    const sy_sensor_row *r = row;
    const host *d = r->d;
    (void)k;
    v->null = false;
    switch (c->field) {
    case S_TS: v->i = r->ts; break;
    case S_DEVICE: set_text(v, d->name); break;
    case S_TEMP: v->f = d->temp; v->null = !(r->has & SY_HAS_TEMP); break;
    case S_HUM: v->f = d->hum; v->null = !(r->has & SY_HAS_HUM); break;
    case S_POWER: v->f = d->power; v->null = !(r->has & SY_HAS_POWER); break;
    case S_MOTION: v->i = d->motion; v->null = !(r->has & SY_HAS_MOTION); break;
    case S_ALERT: v->i = d->alert; break;
    }
}

/* ---- events.csv: attack windows and planted couplings ---------------------------------- */
enum { E_START, E_END, E_KIND, E_DEVICES, E_DETAILS };
static const iof__column event_cols[] = {
    {.name = "start", .type = IOF_VT_TIMESTAMP_US, .field = E_START, .time_text = IOF_TT_ISO_US,
     .doc = "trigger time / first attack unit (UTC)"},
    {.name = "end", .type = IOF_VT_TIMESTAMP_US, .field = E_END, .time_text = IOF_TT_ISO_US,
     .doc = "traffic start (motion: stream end) / last attack unit (UTC)"},
    {.name = "kind", .type = IOF_VT_STRING, .field = E_KIND, .doc = "coupling_* or attack kind"},
    {.name = "devices", .type = IOF_VT_STRING, .field = E_DEVICES, .doc = "names, ';'-separated"},
    {.name = "details", .type = IOF_VT_STRING, .field = E_DETAILS, .doc = "free text"},
};

static void event_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    const evrow *e = row;
    (void)k;
    v->null = false;
    switch (c->field) {
    case E_START: v->i = e->start; break;
    case E_END: v->i = e->end; break;
    case E_KIND: set_text(v, e->kind); break;
    case E_DEVICES: set_text(v, e->devices); break;
    case E_DETAILS: set_text(v, e->details); break;
    }
}

/* ---- truth.csv: the records extract produces, labelled --------------------------------- */
enum { T_DEVICE, T_FIRST, T_REMIP, T_PROTO, T_DPORT, T_RPORT, T_LABEL };
static const iof__column truth_cols[] = {
    {.name = "device", .type = IOF_VT_STRING, .field = T_DEVICE,
     .doc = "MAC of the device whose packet opened the record"},
    {.name = "first_seen", .type = IOF_VT_TIMESTAMP_US, .field = T_FIRST,
     .doc = "the record's first packet, µs since the Unix epoch"},
    {.name = "remote_ip", .type = IOF_VT_STRING, .field = T_REMIP,
     .doc = "remote IP as extract writes it (private remotes 0.0.0.0 / ::)"},
    {.name = "proto", .type = IOF_VT_INT32, .field = T_PROTO, .doc = "IP protocol number"},
    {.name = "device_port", .type = IOF_VT_INT32, .field = T_DPORT, .doc = "0 without ports"},
    {.name = "remote_port", .type = IOF_VT_INT32, .field = T_RPORT, .doc = "0 without ports"},
    {.name = "label", .type = IOF_VT_STRING, .field = T_LABEL,
     .doc = "benign, mirai, ddos or recon: the traffic that opened the record"},
};

static void truth_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    const trow *r = row;
    (void)k;
    v->null = false;
    switch (c->field) {
    case T_DEVICE: v->p = (const uint8_t *)r->device; v->len = 17; break;
    case T_FIRST: v->i = r->first; break;
    case T_REMIP: set_text(v, r->rem); break;
    case T_PROTO: v->i = r->proto; break;
    case T_DPORT: v->i = r->dport; break;
    case T_RPORT: v->i = r->rport; break;
    case T_LABEL: set_text(v, lbl_name[r->label]); break;
    }
}

/* ---- declaration and writing ------------------------------------------------------------ */
static uint32_t scalar_count(const void *row, const iof__column *c)
{
    (void)row;
    (void)c;
    return 1;
}

static const struct {
    const char *file, *schema;
    const iof__column *cols;
    size_t n;
    void (*get)(const void *row, const iof__column *c, uint32_t k, iof__value *v);
} tables[SY_NTABLES] = {
    [SY_T_DEVICES] = {"devices.csv", "synth.devices", device_cols,
                      sizeof device_cols / sizeof device_cols[0], device_get},
    [SY_T_SENSORS] = {"sensors.csv", "synth.sensors", sensor_cols,
                      sizeof sensor_cols / sizeof sensor_cols[0], sensor_get},
    [SY_T_EVENTS] = {"events.csv", "synth.events", event_cols,
                     sizeof event_cols / sizeof event_cols[0], event_get},
    [SY_T_TRUTH] = {"truth.csv", "synth.truth", truth_cols,
                    sizeof truth_cols / sizeof truth_cols[0], truth_get},
};

int iof__sy_tables_declare(gen *g)
{
    for (int t = 0; t < SY_NTABLES; t++) {
        sy_table *tb = &g->tables[t];
        tb->file = tables[t].file;
        IOF_TRY(iof__schema_init(&tb->schema, tables[t].schema,
                                 (iof__row_ops){ .get = tables[t].get, .count = scalar_count }));
        for (size_t c = 0; c < tables[t].n; c++)
            IOF_TRY(iof__schema_add_column(&tb->schema, &tables[t].cols[c]));
    }
    return IOF_OK;
}

void iof__sy_tables_free(gen *g)
{
    for (int t = 0; t < SY_NTABLES; t++)
        iof__schema_free(&g->tables[t].schema);
}

/* One row through its table's writer; an output error stops the run (g->err). */
static void put_row(gen *g, int t, const void *row)
{
    sy_table *tb = &g->tables[t];
    int rc = tb->w ? iof__writer_csv.write(tb->w, row) : IOF_E_INVAL;
    if (rc < 0 && !g->err)
        iof__sy_output_failed(g, tb->f, rc);
}

void iof__sy_write_devices(gen *g)
{
    for (int i = 0; i <= g->ndev; i++) {
        device_view d = {.h = &g->dev[i]};
        iof__format_mac(d.h->mac, d.mac);
        inet_ntop(AF_INET, d.h->ip, d.ip, sizeof d.ip);
        put_row(g, SY_T_DEVICES, &d);
    }
}

void iof__sy_write_sensor(gen *g, const sy_sensor_row *r) { put_row(g, SY_T_SENSORS, r); }

int iof__sy_add_event(gen *g, int64_t start, int64_t end, const char *kind, const char *devs,
                      const char *details)
{
    int rc = iof__grow((void **)&g->evs, &g->capevs, g->nevs + 1, sizeof *g->evs, SY_MAX_EVENTS);
    if (rc != IOF_OK) {
        g->err = rc;
        return -1;
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

void iof__sy_write_events(gen *g)
{
    if (g->nevs) /* qsort wants an array, even of nothing */
        qsort(g->evs, g->nevs, sizeof *g->evs, ev_cmp);
    for (size_t i = 0; i < g->nevs; i++) {
        evrow *e = &g->evs[i];
        if (e->end > g->tend)
            e->end = g->tend;
        put_row(g, SY_T_EVENTS, e);
    }
}

void iof__sy_write_truth(gen *g, const trow *r) { put_row(g, SY_T_TRUTH, r); }
