/* iotflow fuse on written outputs (docs/OUTPUT.md "Sensor context", docs/CLI.md): a custom-flow
 * file or a timeline table copied with the sensor columns extract --sensors gives its rows,
 * computed from what the file carries, through relabel.c's engine of the three formats (the
 * sensor columns take the labels' place as the adder: relabel_int.h).
 *
 * - Custom-flow rows: the context of the record's lifetime, FirstSeen to LastSeen. Only a file
 *   written with --last-seen says when a record's last packet was (PacketCount may exceed the
 *   packet slots), so a file without that column is refused before anything is written.
 *   The times are µs (the file's), the capture's may have been ns: a reading in the same µs as
 *   the first or last packet (or as first - tolerance) may then fall on the other side; µs
 *   captures give extraction's values exactly.
 * - Timeline rows: each sensor column's reading at the end of the row's second, as extract.
 * - Telemetry rows do not say when their flow's first packet was (C_at_start's instant): the
 *   table is refused (fuse the capture); Joy flows carry no device (refused in relabel.c).
 *
 * The sensor device of a row: its device's MAC (Device) or device_id (a timeline's inventory
 * name or MAC) as iof__sensors_find_id resolves it through the --devices inventory, the same
 * device extract --sensors takes (sensorcols.h); a device_id that is an address has none. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/timefmt.h"
#include "common/walk.h"
#include "dataset/fuse.h"
#include "dataset/relabel_int.h"
#include "kinds/addrtext.h"
#include "kinds/customflow.h"
#include "kinds/timeline.h"

typedef struct fuse_job {
    const iof__sensors *s;
    const iof__inventory *inv;
    int64_t tol_ns;
    bool timeline;             /* else custom flow */
    long c_time, c_last, c_dev, c_name; /* FirstSeen / timestamp, LastSeen, Device / device_id, device_name */
    const char *tl_ambiguous;  /* why the inventory's names do not name one device each (NULL: they do) */
    iof__schema add;           /* the added columns (names, types, decimals) */
    bool add_ready;
    iof__fuse_counts *counts;
} fuse_job;

static bool has_col(const name_span *names, size_t n, const char *name, long *at)
{
    for (size_t i = 0; i < n; i++)
        if (iof__rw_span_is(names[i], name)) {
            if (at)
                *at = (long)i;
            return true;
        }
    return false;
}

static void no_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    (void)row, (void)c, (void)k;
    v->null = true;
}

static int fz_plan(job *j, const name_span *names, size_t n, char *err, size_t errlen)
{
    fuse_job *f = j->fz;
    f->c_time = f->c_last = f->c_dev = f->c_name = -1;
    long first = iof__rw_find_cf(names, n, IOF__CF_FIRST_SEEN);
    bool tl = has_col(names, n, iof__tl_column(0), NULL) && has_col(names, n, iof__tl_column(1), NULL) &&
              has_col(names, n, iof__tl_column(IOF_TL_COL_COUNTS), NULL);
    if (first >= 0) {
        f->timeline = false;
        f->c_time = first;
        f->c_dev = iof__rw_find_cf(names, n, IOF__CF_DEVICE);
        f->c_name = iof__rw_find_cf(names, n, IOF__CF_DEVNAME);
        f->c_last = iof__rw_find_cf(names, n, IOF__CF_LASTSEEN);
        if (f->c_dev < 0)
            return iof__fail(err, errlen, IOF_E_INVAL, "%s: not a custom-flow output of iotflow (no column %s)", j->in,
                             iof__cf_col_names(IOF__CF_DEVICE).wide);
        if (f->c_last < 0)
            return iof__fail(err, errlen, IOF_E_INVAL,
                             "%s: no %s column: a record's sensor context covers its first to its last packet, "
                             "which only extract --last-seen writes (a record may have more packets than slots): "
                             "extract with --last-seen, or fuse the capture",
                             j->in, iof__cf_col_names(IOF__CF_LASTSEEN).wide);
    } else if (tl) {
        if (f->tl_ambiguous)
            return iof__fail(err, errlen, IOF_E_INVAL,
                             "%s: a timeline table, and %s: its device_id cannot say which device a row is (fuse "
                             "the capture: iotflow fuse --table timeline CAPTURE)",
                             j->in, f->tl_ambiguous);
        f->timeline = true;
        has_col(names, n, iof__tl_column(0), &f->c_time);
        has_col(names, n, iof__tl_column(1), &f->c_dev);
    } else if (has_col(names, n, iof__tl_column(0), NULL)) {
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "%s: a telemetry table: its rows do not say when their flow's first packet was (the "
                         "instant of C_at_start): fuse the capture (iotflow fuse --table telemetry CAPTURE)",
                         j->in);
    } else {
        return iof__fail(err, errlen, IOF_E_INVAL, "%s: not a custom-flow or timeline output of iotflow", j->in);
    }
    /* the added columns, refused where one would repeat a column of the file (any case) */
    iof__schema have = { 0 };
    int rc = iof__schema_init(&have, "input", (iof__row_ops){ .get = no_get });
    for (size_t i = 0; i < n && rc == IOF_OK; i++) {
        char name[IOF_MAX_COLNAME];
        if (names[i].n >= sizeof(name)) /* longer than any column we add: no clash */
            continue;
        memcpy(name, names[i].p, names[i].n);
        name[names[i].n] = '\0';
        if (iof__schema_find(&have, name) < 0) /* a repeated text column name: once is enough */
            rc = iof__schema_add(&have, name, IOF_VT_STRING, true, false, 0, 0, NULL);
    }
    if (rc == IOF_OK) {
        char cerr[512];
        rc = f->timeline ? iof__sens_check(&have, f->s, cerr, sizeof(cerr))
                         : iof__sens_fuse_check(&have, f->s, cerr, sizeof(cerr));
        if (rc != IOF_OK)
            rc = iof__fail(err, errlen, IOF_E_INVAL,
                           "%s: fused already? It has a column the sensor columns would repeat (fuse the original "
                           "output): %s",
                           j->in, cerr);
    } else {
        rc = iof__fail(err, errlen, rc, "%s: %s", j->in, rc == IOF_E_NOMEM ? "out of memory" : "too many columns");
    }
    iof__schema_free(&have);
    if (rc != IOF_OK)
        return rc;
    if (!f->add_ready) {
        IOF_TRY(iof__schema_init(&f->add, "sensors", (iof__row_ops){ .get = no_get }));
        f->add_ready = true;
    }
    f->add.n = 0;
    rc = f->timeline ? iof__sens_declare(&f->add, f->s) : iof__sens_fuse_declare(&f->add, f->s);
    if (rc != IOF_OK)
        return iof__fail(err, errlen, rc, "%s: the sensor columns: %s", j->in,
                         rc == IOF_E_NOMEM ? "out of memory" : "cannot be added");
    if (n + f->add.n > IOF_MAX_COLUMNS)
        return iof__fail(err, errlen, IOF_E_LIMIT, "%s: more than %d columns with the sensor columns", j->in,
                         IOF_MAX_COLUMNS);
    j->pl.ncols = n;
    memset(j->pl.drop, 0, n * sizeof(*j->pl.drop));
    j->pl.insert_at = n; /* after every other column, as extract --sensors puts them */
    return IOF_OK;
}

static int fz_pq_record(job *j, const char *rec)
{
    if (rec && strcmp(rec, "customflow") != 0 && strcmp(rec, "timeline") != 0)
        return iof__fail(j->err, j->errlen, IOF_E_INVAL,
                         "%s: a %s table: fuse reads custom-flow and timeline outputs (telemetry rows do not say "
                         "when their flow's first packet was: fuse the capture)",
                         j->in, rec);
    return IOF_OK;
}

/* A timestamp cell: µs (Parquet, the custom-flow text columns) or ISO 8601 text (a timeline's
 * CSV and JSON Lines) -> ns. */
static bool cell_time_ns(const cell *c, int64_t *ns)
{
    int64_t us;
    if (iof__rw_cell_int(c, false, -INT64_MAX / 1000, INT64_MAX / 1000, &us)) {
        *ns = us * 1000;
        return true;
    }
    return !c->null && !c->is_int && iof__time_parse_iso(c->p, c->n, ns) == IOF_TIME_OK;
}

/* The sensor device of a device text (a MAC, an inventory name; an address has none). */
static long sensor_device(const fuse_job *f, const char *id)
{
    uint8_t ip[16];
    if (!id[0] || inet_pton(AF_INET, id, ip) == 1 || inet_pton(AF_INET6, id, ip) == 1)
        return -1;
    return iof__sensors_find_id(f->s, id);
}

static int fz_row(job *j)
{
    fuse_job *f = j->fz;
    src *s = &j->s;
    s->scratch_used = 0;
    cell ct, cd;
    IOF_TRY(iof__rw_cell(s, f->c_time, false, &ct, j->err, j->errlen));
    IOF_TRY(iof__rw_cell(s, f->c_dev, false, &cd, j->err, j->errlen));
    int64_t t0;
    const char *tname = f->timeline ? iof__tl_column(0) : iof__cf_col_names(IOF__CF_FIRST_SEEN).nested;
    if (!cell_time_ns(&ct, &t0))
        return iof__rw_where_fail(s, j->err, j->errlen, IOF_E_FORMAT, "not a timestamp", tname);
    char id[IOF_MAX_SENSOR_ID] = "";
    if (!cd.null && cd.n && !iof__rw_cell_text(&cd, id, sizeof(id)))
        return iof__rw_where_fail(s, j->err, j->errlen, IOF_E_FORMAT, "not a device name or MAC",
                                  f->timeline ? iof__tl_column(1) : "device");
    long dev = sensor_device(f, id);
    if (dev < 0 && !f->inv && f->c_name >= 0) {
        /* written with --devices, fused without: the sensor file may name the device */
        cell cn;
        IOF_TRY(iof__rw_cell(s, f->c_name, false, &cn, j->err, j->errlen));
        if (iof__rw_cell_text(&cn, id, sizeof(id)))
            dev = iof__sensors_find_id(f->s, id);
    }
    if (f->timeline) {
        iof__sens_row_fill(&j->pq_row.level, dev, iof__sensors_second_end(t0), f->tol_ns);
        iof__sens_joined_count(f->counts, dev, iof__sens_row_any(&j->pq_row.level));
        return IOF_OK;
    }
    cell cl;
    IOF_TRY(iof__rw_cell(s, f->c_last, false, &cl, j->err, j->errlen));
    int64_t t1;
    if (!cell_time_ns(&cl, &t1) || t1 < t0)
        return iof__rw_where_fail(s, j->err, j->errlen, IOF_E_FORMAT,
                                  cl.null ? "null" : "not a timestamp at or after the first packet's",
                                  iof__cf_col_names(IOF__CF_LASTSEEN).nested);
    iof__sens_fuse_fill(&j->pq_row.fuse, dev, t0, t0, t1, f->tol_ns);
    iof__sens_joined_count(f->counts, dev, iof__sens_fuse_any(&j->pq_row.fuse));
    return IOF_OK;
}

static const iof__colgroup g_fuse = { .name = "sensors", .ops = { .get = iof__sens_fuse_get },
                                      .row_off = offsetof(rw_pq_row, fuse) };
static const iof__colgroup g_level = { .name = "sensors", .ops = { .get = iof__sens_get },
                                       .row_off = offsetof(rw_pq_row, level) };

static void fz_put_text(job *j, bool csv, bool header, bool *first)
{
    const fuse_job *f = j->fz;
    for (size_t k = 0; k < f->add.n; k++) {
        const iof__column *c = &f->add.cols[k];
        if (!*first)
            iof__tb_putc(&j->tb, ',');
        *first = false;
        if (csv && header) {
            iof__tb_csv_str(&j->tb, (const uint8_t *)c->name, strlen(c->name));
            continue;
        }
        if (!csv) {
            iof__tb_json_str(&j->tb, (const uint8_t *)c->name, strlen(c->name));
            iof__tb_putc(&j->tb, ':');
        }
        iof__value v;
        if (f->timeline)
            iof__sens_get(&j->pq_row.level, c, 0, &v);
        else
            iof__sens_fuse_get(&j->pq_row.fuse, c, 0, &v);
        iof__text_scalar(&j->tb, c, &v, csv);
    }
}

static int fz_declare(job *j, iof__schema *out)
{
    const fuse_job *f = j->fz;
    for (size_t k = 0; k < f->add.n; k++) {
        iof__column c = f->add.cols[k];
        c.group = f->timeline ? &g_level : &g_fuse;
        IOF_TRY(iof__schema_add_column(out, &c));
    }
    return IOF_OK;
}

/* Why a timeline table's device_ids cannot be mapped back to the inventory's devices (NULL: they
 * can): a name the device_id cuts, or two devices of one device_id (kinds/addrtext.h) */
static const char *names_ambiguous(const iof__inventory *inv, char *buf, size_t len)
{
    size_t n = inv ? iof__inventory_count(inv) : 0;
    for (size_t i = 0; i < n; i++)
        if (strlen(iof__inventory_get(inv, i)->name) > IOF_DEVICE_ID_MAX_NAME)
            return "the inventory has a name longer than the timeline's device_id keeps, which cuts it";
    if (iof__device_ids_clash(inv, buf, len) != IOF_OK)
        return "out of memory checking the inventory's names";
    return buf[0] ? buf : NULL;
}

static const rw_ops fz_ops = { fz_plan, fz_pq_record, fz_row, fz_put_text, fz_declare };

static int fuse_run(const char *in, const char *out, const iof__fuse_cfg *cfg, iof__fuse_counts *counts, char *err,
                    size_t errlen)
{
    iof__fuse_counts scratch = { 0 };
    fuse_job f = { .s = cfg->sensors, .inv = cfg->inv, .tol_ns = cfg->tol_ns, .counts = counts ? counts : &scratch,
                   .tl_ambiguous = cfg->tl_ambiguous };
    char tol[32];
    snprintf(tol, sizeof(tol), "%g", (double)cfg->tol_ns / 1e9);
    /* the provenance extract --sensors writes (pipeline/run.c), after the file's own */
    const iof__kv kv[] = { { "iotflow.sensors", cfg->sensors_name ? cfg->sensors_name : "" },
                           { "iotflow.sensor_tolerance_s", tol } };
    job j = { .ops = &fz_ops, .in = in, .out = out, .threads = cfg->threads, .fz = &f, .add_kv = kv,
              .n_add_kv = sizeof(kv) / sizeof(kv[0]), .err = err, .errlen = errlen };
    j.pq_row.fuse.s = j.pq_row.level.s = cfg->sensors;
    int rc = iof__rw_end(&j, iof__rw_run(&j));
    if (f.add_ready)
        iof__schema_free(&f.add);
    return rc;
}

int iof__fuse_check(const char *in, const iof__fuse_cfg *cfg, char *err, size_t errlen)
{
    return fuse_run(in, NULL, cfg, NULL, err, errlen);
}

int iof__fuse_file(const char *in, const char *out, const iof__fuse_cfg *cfg, iof__fuse_counts *counts, char *err,
                   size_t errlen)
{
    return fuse_run(in, out, cfg, counts, err, errlen);
}

/* ---- iotflow fuse OUTPUT... -o DIR ------------------------------------------------------- */

typedef struct fz_paths {
    iof__fuse_cfg cfg;
    iof__fuse_counts counts;
    const char *sensors_file;
    const iof__sensors_stats *st;
} fz_paths;

static int fp_check(void *ctx, const char *in, char *err, size_t errlen)
{
    return iof__fuse_check(in, &((fz_paths *)ctx)->cfg, err, errlen);
}

static int fp_write(void *ctx, const char *in, const char *out, uint64_t *rows, char *err, size_t errlen)
{
    fz_paths *p = ctx;
    iof__fuse_counts fc = { 0 };
    int rc = iof__fuse_file(in, out, &p->cfg, &fc, err, errlen);
    if (rc == IOF_OK) { /* a file not written does not count */
        p->counts.rows += fc.rows;
        p->counts.with_sensors += fc.with_sensors;
        p->counts.with_reading += fc.with_reading;
    }
    *rows = fc.rows;
    return rc;
}

static void fp_summary(void *ctx, FILE *out)
{
    const fz_paths *p = ctx;
    iof__sensors_report(out, p->sensors_file, p->cfg.sensors, p->st);
    iof__sens_joined_report(out, "  ", "rows", &p->counts);
}

static void fp_warn(void *ctx, const char *msg)
{
    const iof_fuse_options *o = ctx;
    iof__say(o->on_message, o->message_ctx, "warning: %s", msg);
}

iof_err iof_fuse_paths(const char *const *paths, size_t n, const iof_fuse_options *o, FILE *out, char *errbuf,
                       size_t errlen)
{
    if (!o->out_dir || !o->out_dir[0] || !o->sensors_file || n == 0)
        return (iof_err)iof__fail(errbuf, errlen, IOF_E_INVAL, "give --sensors FILE, -o DIR and at least one PATH");
    if (!iof__rw_out_dir_ok(o->out_dir, "fuse", errbuf, errlen))
        return IOF_E_INVAL;
    int64_t tol = iof__sensors_tolerance_ns(o->tolerance_s);
    if (tol < 0)
        return (iof_err)iof__fail(errbuf, errlen, IOF_E_INVAL, "--tolerance must be 0..%g seconds",
                                  IOF_SENSORS_MAX_TOLERANCE_S);
    iof__inventory *inv = NULL;
    iof__sensors *s = NULL;
    int rc = IOF_OK;
    char clash[160];
    if (o->devices_file && (rc = iof__inventory_load(&inv, o->devices_file, errbuf, errlen)) != IOF_OK)
        return (iof_err)(rc == IOF_E_NOMEM ? rc : IOF_E_INVAL);
    iof__sensors_config sc = { .inv = inv, .warn = fp_warn, .warn_ctx = (void *)o };
    iof__sensors_stats st;
    if ((rc = iof__sensors_load(o->sensors_file, &sc, &s, &st, errbuf, errlen)) != IOF_OK) {
        iof__inventory_free(inv);
        return (iof_err)(rc == IOF_E_NOMEM ? rc : IOF_E_INVAL);
    }
    uint64_t problems = iof__sensors_skipped(&st) + st.bad_values;
    if (problems > IOF_SENSORS_WARNINGS)
        iof__say(o->on_message, o->message_ctx,
                 "warning: %s: %" PRIu64 " more problem(s) not shown (counted in the summary)", o->sensors_file,
                 problems - IOF_SENSORS_WARNINGS);
    fz_paths p = { .cfg = { .sensors = s, .inv = inv, .tol_ns = tol, .sensors_name = iof__base_name(o->sensors_file),
                            .tl_ambiguous = names_ambiguous(inv, clash, sizeof(clash)),
                            .threads = o->threads },
                   .sensors_file = o->sensors_file, .st = &st };
    static const iof__rw_paths_ops ops = { "fused", "fuse captures in a run of their own", fp_check, fp_write,
                                           fp_summary };
    rc = iof__rw_paths(paths, n, o->out_dir, o->overwrite, o->on_message, o->message_ctx, &ops, &p, out, errbuf,
                       errlen);
    unsigned warnings = problems > 0;
    char why[320];
    if (iof__sens_none_joined(&p.counts, &st, "row",
                              o->devices_file ? "no row's device is one of the sensor file's"
                                              : "no row's device is one of the sensor file's (give the --devices "
                                                "the outputs were written with)",
                              why, sizeof(why))) {
        iof__say(o->on_message, o->message_ctx, "warning: %s", why);
        warnings++;
    }
    if (o->warnings)
        *o->warnings = warnings;
    iof__sensors_free(s);
    iof__inventory_free(inv);
    return (iof_err)rc;
}

iof_fuse_kind iof_fuse_paths_kind(const char *const *paths, size_t n)
{
    /* each PATH on its own: one holding outputs and no capture beside one holding captures is
     * a mix (a directory of captures with CSV files beside them is captures) */
    bool outputs = false, captures = false;
    for (size_t i = 0; i < n; i++) {
        iof__ds_list l;
        memset(&l, 0, sizeof(l));
        char err[256];
        if (iof__ds_list_paths_all(&l, &paths[i], 1, err, sizeof(err)) != IOF_OK) {
            iof__ds_list_free(&l);
            return IOF_FUSE_CAPTURES; /* the run says what is wrong with it */
        }
        outputs |= l.n_files && !l.n_captures;
        captures |= l.n_captures > 0;
        iof__ds_list_free(&l);
    }
    return outputs && captures ? IOF_FUSE_MIXED : outputs ? IOF_FUSE_OUTPUTS : IOF_FUSE_CAPTURES;
}
