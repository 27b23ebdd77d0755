/* The flow telemetry table as a row kind: see telemetry.h. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/ipproto.h"
#include "flow/attrib.h"
#include "kinds/addrtext.h"
#include "kinds/telemetry.h"

enum tel_field {
    T_TIME = 1, T_DEVICE, T_SRC_IP, T_DST_IP, T_SRC_PORT, T_DST_PORT, T_PROTO, T_SIZE, T_PACKETS,
    T_BYTES, T_DURATION, T_DIRECTION,
};

static const iof__column cols[] = {
    { .name = "timestamp", .type = IOF_VT_TIMESTAMP_US, .field = T_TIME, .time_text = IOF_TT_ISO_S,
      .doc = "the second (UTC, whole seconds; text formats: ISO 8601)" },
    { .name = "device_id", .type = IOF_VT_STRING, .field = T_DEVICE,
      .doc = "inventory name, else the device MAC, else its address" },
    { .name = "src_ip", .type = IOF_VT_STRING, .field = T_SRC_IP,
      .doc = "the flow's source: the side that sent its first packet (private: 0.0.0.0 unless --keep-private-ips)" },
    { .name = "dst_ip", .type = IOF_VT_STRING, .field = T_DST_IP, .doc = "the flow's destination" },
    { .name = "src_port", .type = IOF_VT_INT32, .nullable = true, .field = T_SRC_PORT,
      .doc = "source port (null: not TCP/UDP)" },
    { .name = "dst_port", .type = IOF_VT_INT32, .nullable = true, .field = T_DST_PORT,
      .doc = "destination port (null: not TCP/UDP)" },
    { .name = "protocol", .type = IOF_VT_STRING, .field = T_PROTO, .doc = "IP protocol name (tcp, udp, icmp, ...; else its number)" },
    { .name = "packet_size", .type = IOF_VT_FLOAT64, .field = T_SIZE, .decimals = 3,
      .doc = "mean IP length of the flow's packets in this second, bytes" },
    { .name = "packets", .type = IOF_VT_INT64, .field = T_PACKETS, .doc = "the flow's packets in this second" },
    { .name = "bytes", .type = IOF_VT_INT64, .field = T_BYTES, .doc = "sum of their IP lengths, bytes" },
    { .name = "flow_duration", .type = IOF_VT_FLOAT64, .field = T_DURATION, .decimals = 6,
      .doc = "seconds from the flow's first packet to its last packet in this second" },
    { .name = "direction", .type = IOF_VT_STRING, .field = T_DIRECTION,
      .doc = "outbound (the device started it), inbound (a remote did) or local (the remote is a local address)" },
};

typedef struct tel_row {
    const iof__telrow *rec;
    const iof__device *dev;
    char device[64];
    uint32_t device_len;
    char src[48], dst[48], proto[16];
    uint32_t src_len, dst_len, proto_len;
    const char *direction;
    iof__lbl_row lbl;
    iof__sens_fuse_row sens;   /* --sensors: the device's context */
} tel_row;

static void set_str(iof__value *v, const char *s, uint32_t n)
{
    v->null = false;
    v->p = (const uint8_t *)s;
    v->len = n;
}

static void set_int(iof__value *v, int64_t x)
{
    v->null = false;
    v->i = x;
}

static void set_f(iof__value *v, double x)
{
    v->null = false;
    v->f = x;
}

static void meta_get(const void *rowp, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)k;
    const tel_row *row = rowp;
    const iof__telrow *r = row->rec;
    bool ports = r->k.proto == 6 || r->k.proto == 17, dev_src = r->k.first_dir == 1;
    v->null = true;
    switch ((enum tel_field)c->field) {
    case T_TIME: set_int(v, r->sec_ns / 1000); break;
    case T_DEVICE: set_str(v, row->device, row->device_len); break;
    case T_SRC_IP: set_str(v, row->src, row->src_len); break;
    case T_DST_IP: set_str(v, row->dst, row->dst_len); break;
    case T_SRC_PORT: if (ports) set_int(v, dev_src ? r->k.dev_port : r->k.rem_port); break;
    case T_DST_PORT: if (ports) set_int(v, dev_src ? r->k.rem_port : r->k.dev_port); break;
    case T_PROTO: set_str(v, row->proto, row->proto_len); break;
    case T_SIZE: set_f(v, r->packets ? (double)r->bytes / (double)r->packets : 0); break;
    case T_PACKETS: set_int(v, (int64_t)r->packets); break;
    case T_BYTES: set_int(v, (int64_t)r->bytes); break;
    case T_DURATION: set_f(v, (double)(r->last_ns - r->flow_first_ns) / 1e9); break;
    case T_DIRECTION: set_str(v, row->direction, (uint32_t)strlen(row->direction)); break;
    }
}

static int meta_declare(iof__schema *s, const void *cfg, bool wide)
{
    (void)cfg;
    (void)wide;
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
        IOF_TRY(iof__schema_add_column(s, &cols[i]));
    return IOF_OK;
}

static int labels_declare(iof__schema *s, const void *cfg, bool wide)
{
    (void)wide;
    return iof__lbl_declare(s, ((const iof__tel_rowcfg *)cfg)->labels);
}

static const iof__colgroup g_meta = { .name = "telemetry", .ops = { .get = meta_get }, .declare = meta_declare };
static const iof__colgroup g_labels = { .name = "labels", .ops = { .get = iof__lbl_get },
                                        .row_off = offsetof(tel_row, lbl), .declare = labels_declare };
static int sensors_declare(iof__schema *s, const void *cfg, bool wide)
{
    (void)wide;
    return iof__sens_fuse_declare(s, ((const iof__tel_rowcfg *)cfg)->sensors);
}
static const iof__colgroup g_sensors = { .name = "sensors", .ops = { .get = iof__sens_fuse_get },
                                         .row_off = offsetof(tel_row, sens), .declare = sensors_declare };
static const iof__colgroup *const groups[] = { &g_meta, &g_labels, &g_sensors };

int iof__tel_schema(iof__schema *s, const iof__tel_rowcfg *cfg)
{
    return iof__schema_build(s, "telemetry", groups, sizeof(groups) / sizeof(groups[0]), cfg, false);
}

static int tel_kind_schema(iof__schema *s, const void *cfg, bool wide)
{
    (void)wide; /* one layout */
    return iof__tel_schema(s, cfg);
}

/* The row as the rules see it: this second's TTLs and packets (an attack's time window labels
 * exactly its seconds) */
static iof__lbl_src tel_src(const iof__telrow *r, const iof__device *dev)
{
    const iof__telkey *k = &r->k;
    return (iof__lbl_src){ .ipver = k->ipver, .proto = k->proto, .first_out = k->first_dir != 0,
                           .ttl_seen = r->ttl_seen, .ttl_out = r->ttl_out, .ttl_in = r->ttl_in,
                           .dev_port = k->dev_port, .rem_port = k->rem_port, .dev_ip = k->dev_ip,
                           .rem_ip = k->rem_ip, .first_ns = r->first_ns, .last_ns = r->last_ns, .dev = dev };
}

void iof__tel_lbl_attrs(const iof__telrow *r, const iof__device *dev, const iof__namemaps *names, iof__lbl_attrs *a)
{
    const iof__lbl_src s = tel_src(r, dev);
    iof__lbl_attrs_stored(a, &s, names, r->names_horizon, r->app);
}

const char *iof__tel_app(const iof__telrow *r, const iof__appmap *app)
{
    const iof__lbl_src s = tel_src(r, NULL);
    return iof__lbl_app_of(&s, app, r->names_horizon);
}

typedef struct tel_builder {
    iof__tel_rowcfg cfg;
    tel_row row;
} tel_builder;

long iof__tel_sens_fill(iof__sens_fuse_row *row, const iof__tel_rowcfg *cfg, const iof__telrow *r)
{
    long d = iof__sens_device(cfg->sensors, r->k.device, r->has_mac ? r->mac : NULL);
    iof__sens_fuse_fill(row, d, r->flow_first_ns, r->sec_ns, iof__sensors_second_end(r->sec_ns), cfg->sensor_tol_ns);
    return d;
}

static void *tel_builder_new(const void *cfg, bool wide)
{
    (void)wide;
    tel_builder *b = calloc(1, sizeof(*b));
    if (b) {
        b->cfg = *(const iof__tel_rowcfg *)cfg;
        b->row.sens.s = b->cfg.sensors;
    }
    return b;
}

static const void *tel_build(void *builder, const void *rec)
{
    tel_builder *b = builder;
    tel_row *row = &b->row;
    const iof__telrow *r = rec;
    row->rec = r;
    const iof__telkey *k = &r->k;
    row->dev = (k->device >= 0 && b->cfg.inv) ? iof__inventory_get(b->cfg.inv, (size_t)k->device) : NULL;
    row->device_len = iof__device_id_text(row->dev, r->has_mac ? r->mac : NULL, k->ipver, k->dev_ip,
                                          b->cfg.anonymise, row->device);
    char dev_ip[48], rem_ip[48];
    uint32_t dl = iof__fmt_ip_anon(k->ipver, k->dev_ip, b->cfg.anonymise, dev_ip);
    uint32_t rl = iof__fmt_ip_anon(k->ipver, k->rem_ip, b->cfg.anonymise, rem_ip);
    bool dev_src = k->first_dir == 1;
    memcpy(row->src, dev_src ? dev_ip : rem_ip, 48);
    row->src_len = dev_src ? dl : rl;
    memcpy(row->dst, dev_src ? rem_ip : dev_ip, 48);
    row->dst_len = dev_src ? rl : dl;
    const char *pn = iof__proto_name(k->proto);
    int pl = pn[0] ? snprintf(row->proto, sizeof(row->proto), "%s", pn)
                   : snprintf(row->proto, sizeof(row->proto), "%u", k->proto);
    row->proto_len = pl < 0 ? 0 : (uint32_t)pl >= sizeof(row->proto) ? (uint32_t)sizeof(row->proto) - 1 : (uint32_t)pl;
    row->direction = iof__ip_is_local(k->ipver, k->rem_ip) || iof__ip_is_group(k->ipver, k->rem_ip)
                         ? "local"
                         : dev_src ? "outbound" : "inbound";
    row->lbl.lb = b->cfg.labels;
    if (b->cfg.labels) {
        iof__lbl_attrs a;
        iof__tel_lbl_attrs(r, row->dev, b->cfg.names, &a);
        iof__lbl_row_fill(&row->lbl, &a);
    }
    if (b->cfg.sensors)
        iof__tel_sens_fill(&row->sens, &b->cfg, r);
    return row;
}

static void tel_builder_free(void *builder)
{
    free(builder);
}

static const char *const sub_names[] = { "telemetry" };

static void tel_partition(const void *rec, iof__row_part *out)
{
    out->day = iof__day_of_ns(((const iof__telrow *)rec)->sec_ns);
    out->sub = 0;
}

static size_t tel_copy_size(const void *rec)
{
    (void)rec;
    return sizeof(iof__telrow);
}

static void tel_rebase(void *copy)
{
    (void)copy; /* flat: nothing points into it */
}

/* time, then the flow's seq: the order the rows were made in */
static void tel_copy(void *dst, const void *rec, uint64_t key[2])
{
    const iof__telrow *r = rec;
    memcpy(dst, r, sizeof(*r));
    key[0] = (uint64_t)r->sec_ns ^ (1ull << 63);
    key[1] = r->seq;
}

static int tel_compare(const void *pa, const void *pb)
{
    const iof__telrow *a = pa, *b = pb;
    if (a->sec_ns != b->sec_ns)
        return a->sec_ns < b->sec_ns ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}

const iof__row_kind iof__tel_kind = {
    .name = "telemetry",
    .sub_key = "table",
    .sub_kv = "iotflow.table",
    .sub_names = sub_names,
    .n_sub = 1,
    .partition = tel_partition,
    .schema = tel_kind_schema,
    .builder_new = tel_builder_new,
    .build = tel_build,
    .builder_free = tel_builder_free,
    .copy_size = tel_copy_size,
    .copy = tel_copy,
    .rebase = tel_rebase,
    .compare = tel_compare,
};
