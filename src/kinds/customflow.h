/* The custom-flow record kind: its rows (schema in wide and nested layouts, declared once,
 * and the accessors every writer reads through; cf_row.c) and what the sink and cluster need
 * to carry its records (iof__cf_kind: partition by day and variant, batch copies, clustering
 * order; cf_kind.c). docs/CUSTOMFLOW.md §3, §4, §7; docs/ARCHITECTURE.md "kinds/". */
#ifndef IOF_KINDS_CUSTOMFLOW_H
#define IOF_KINDS_CUSTOMFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/cflow.h"
#include "flow/inventory.h"
#include "common/schema.h"
#include "kinds/labelcols.h"
#include "kinds/sensorcols.h"
#include "output/rowkind.h"

typedef struct iof__cf_rowcfg {
    bool wide;                 /* wide layout (dataset column names) vs nested */
    uint32_t packets;          /* i */
    uint32_t payload_total;    /* B */
    bool anonymise;            /* private remotes as 0.0.0.0 / :: */
    bool device_ip;            /* opt-in device_ip column (--device-ip) */
    bool last_seen;            /* opt-in LastSeen / last_seen column (--last-seen) */
    bool end_reason;           /* opt-in end_reason column, after evicted (--end-reason) */
    bool l7;                   /* --features l7: l7_app, after the feature columns (the record's
                                  app, from the application map: flow/cflow.h) */
    unsigned features;         /* --features: IOF_FEATURE_BYTE_DIST / _ENTROPY columns (the
                                  records must carry the state: flow/cflow.h hooks) */
    const iof__inventory *inv; /* may be NULL */
    const iof__labeller *labels; /* --rules: label columns (NULL: none) */
    const iof__sensors *sensors; /* --sensors: sensor context columns (NULL: none) */
    int64_t sensor_tol_ns;       /* --tolerance */
    const iof__namemaps *names;  /* the run's name maps for the labels' dns / sni (NULL: none) */
} iof__cf_rowcfg;

/* One row = one record, with its text fields formatted once. */
typedef struct iof__cf_row {
    const iof__cfrec *rec;
    const iof__cf_rowcfg *cfg;
    char device[18];
    uint32_t device_len;
    char remip[48];
    uint32_t remip_len;
    char devip[48];            /* when cfg->device_ip */
    uint32_t devip_len;
    int16_t *stream;           /* wide payload stream, payload_total entries (owned by caller) */
    uint32_t stream_used;      /* entries before the -1 fill */
    const iof__device *dev;     /* inventory entry, or NULL */
    iof__lbl_row lbl;           /* labels (lbl.lb = cfg->labels) */
    const char *app;            /* nDPI's application (the labels' `app`), with cfg->l7; or NULL */
    iof__sens_fuse_row sens;    /* sensor context (sens.s = cfg->sensors) */
} iof__cf_row;

/* The columns of the custom-flow record that readers of our outputs look up. */
typedef enum iof__cf_col {
    IOF__CF_DEVICE, IOF__CF_FIRST_SEEN, IOF__CF_REMIP, IOF__CF_PROTO, IOF__CF_DEVPORT,
    IOF__CF_REMPORT, IOF__CF_BYTES, IOF__CF_PACKETS, IOF__CF_DEVNAME, IOF__CF_DEVTYPE,
    IOF__CF_DEVIP,  /* only with --device-ip */
    IOF__CF_LASTSEEN, /* only with --last-seen */
} iof__cf_col;
#define IOF__CF_DEVIP_NAME "device_ip" /* the same in both layouts */
/* Their names in the wide and nested layouts (the schema's own table). */
iof__colnames iof__cf_col_names(iof__cf_col c);

/* For readers of written rows (iotflow label): whether `name` is the column of the first packet's
 * direction: P00_D (P000_D, ... with more than 100 packet slots) in the wide layout, or the
 * nested layout's list pkt_dir (its element 0). *list tells which. */
bool iof__cf_is_first_dir_col(const char *name, bool *list);
/* The label group's place in a written row: right after the last column that the row has of
 * these (cf_groups: ..., end (evicted, end_reason), device_ip, last_seen, labels, sensors;
 * NULL-terminated) or of the feature groups, by their exact names in either layout (a sensor
 * column named like a group, "hd_cam_mean", is not one). iof__cf_label_follows tells whether a
 * column (n bytes) is one, from the record's schemas with every option on (iof__cf_follow). */
extern const char *const iof__cf_labels_follow[];
typedef struct iof__cf_follow {
    iof__schema s[2];   /* wide, nested */
} iof__cf_follow;
int iof__cf_follow_init(iof__cf_follow *f);
void iof__cf_follow_free(iof__cf_follow *f);
bool iof__cf_label_follows(const iof__cf_follow *f, const char *name, size_t n);

/* Builds the schema of the custom-flow record for this configuration. */
int iof__cf_schema(iof__schema *s, const iof__cf_rowcfg *cfg);

/* The largest payload_total whose wide layout stays within IOF_MAX_COLUMNS columns, given the
 * other settings of cfg (11 + 3 x packets columns besides the stream: 8151 for 10 packets). */
uint32_t iof__cf_wide_max_payload_total(const iof__cf_rowcfg *cfg);

/* Prepares a row for rec (formats MAC and IP; builds the wide payload stream into
 * `stream`, which must hold cfg->payload_total entries when cfg->wide). A caller that reuses
 * `stream` for row after row passes stream_dirty (start: payload_total): only the cells the
 * previous row used are reset to -1. NULL: the whole buffer is written. */
void iof__cf_row_init(iof__cf_row *row, const iof__cf_rowcfg *cfg, const iof__cfrec *rec,
                      int16_t *stream, uint32_t *stream_dirty);

/* The record's sensor context (cfg->sensors set): its device's readings over its lifetime, first
 * to last packet, and as of its first. Returns the sensor device (-1: none). The row builder's
 * and the run's count of records that got a reading (one rule for both). */
long iof__cf_sens_fill(iof__sens_fuse_row *row, const iof__cf_rowcfg *cfg, const iof__cfrec *rec);

/* The wide payload stream (§4): for each slot `-4`, its payload bytes, `-8`; cut at B slots;
 * unused slots -1. Returns the number of entries before the -1 fill. Exposed for tests. */
uint32_t iof__cf_payload_stream(const iof__cfrec *rec, int16_t *out, uint32_t B);
/* Same into a buffer whose cells from *dirty on already hold -1; sets *dirty to the result. */
uint32_t iof__cf_payload_stream_reuse(const iof__cfrec *rec, int16_t *out, uint32_t B, uint32_t *dirty);

/* The custom-flow row kind (iotflow.record "customflow"). Its kind_cfg is an iof__cf_rowcfg
 * (`wide` ignored: set per layout). */
extern const iof__row_kind iof__cf_kind;

/* The record's attributes for the label rules (dev: its inventory entry, or NULL; names:
 * dns and sni are looked up, app is the record's own, r->app: kinds/labelcols.h
 * iof__lbl_attrs_stored). */
void iof__cf_lbl_attrs(const iof__cfrec *r, const iof__device *dev, const iof__namemaps *names, iof__lbl_attrs *a);
/* The record's application from the map (what the emitter stores in r->app; NULL: none).
 * The map's feeding thread only. */
const char *iof__cf_app(const iof__cfrec *r, const iof__appmap *app);

/* Remote IP text as written (anonymised when configured). Returns length. */
uint32_t iof__cf_format_remip(const iof__cfrec *rec, bool anonymise, char out[48]);

#endif
