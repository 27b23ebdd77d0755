/* iotflow stats PATH...: the per-device and per-protocol tables of the run summary, for
 * captures (extracted in memory, nothing written) and for our own outputs (JSON Lines, CSV,
 * Parquet), so a dataset can be summarised without re-reading its captures. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "dataset/dataset.h"
#include "kinds/customflow.h"
#include "output/outfile.h"
#include "pipeline/report.h"
#include "pipeline/run_int.h"

/* One output file's records into the tables (read through the dataset module). */
static int stats_file(void *ctx, const char *path, char *err, size_t errlen)
{
    iof__stats *st = ctx;
    enum { DEVICE, PROTO, PACKETS, BYTES, NAME, TYPE, NCOLS };
    static const iof__cf_col want[NCOLS] = { IOF__CF_DEVICE, IOF__CF_PROTO, IOF__CF_PACKETS,
                                             IOF__CF_BYTES, IOF__CF_DEVNAME, IOF__CF_DEVTYPE };
    iof__colnames cols[NCOLS];
    for (int k = 0; k < NCOLS; k++)
        cols[k] = iof__cf_col_names(want[k]);
    iof__ds_reader *r;
    int rc = iof__ds_open(&r, path, err, errlen);
    if (rc != IOF_OK)
        return rc;
    if ((rc = iof__ds_want(r, cols, NCOLS, NAME)) != IOF_OK) {
        iof__fail(err, errlen, rc, "%s", iof__ds_errmsg(r));
        iof__ds_close(r);
        return rc;
    }
    int variant = iof__ds_variant(r);
    while ((rc = iof__ds_next(r)) > 0) {
        iof__value v[NCOLS];
        char dev[48], name[64], type[64];
        for (int k = 0; k < NCOLS; k++)
            iof__ds_get(r, (size_t)k, &v[k]);
        if (v[PROTO].null || v[PROTO].i < 0 || v[PROTO].i > 255) {
            rc = iof__fail(err, errlen, IOF_E_FORMAT, "%s: a record with protocol %s", path,
                           v[PROTO].null ? "missing" : "out of 0..255");
            break;
        }
        snprintf(dev, sizeof(dev), "%.*s", (int)v[DEVICE].len, v[DEVICE].null ? "" : (const char *)v[DEVICE].p);
        snprintf(name, sizeof(name), "%.*s", (int)v[NAME].len, v[NAME].null ? "" : (const char *)v[NAME].p);
        snprintf(type, sizeof(type), "%.*s", (int)v[TYPE].len, v[TYPE].null ? "" : (const char *)v[TYPE].p);
        iof__stats_record(st, dev[0] ? dev : "(no mac)", name, type, variant, (uint8_t)v[PROTO].i,
                          (uint64_t)v[PACKETS].i, (uint64_t)v[BYTES].i, variant == 0);
    }
    if (rc < 0 && rc != IOF_E_FORMAT)
        iof__fail(err, errlen, rc, "%s", iof__ds_errmsg(r));
    else if (rc < 0 && !err[0])
        iof__fail(err, errlen, rc, "%s", iof__ds_errmsg(r));
    iof__ds_close(r);
    return rc < 0 ? rc : IOF_OK;
}

static int write_json(const iof__stats *st, const iof__ds_list *l, uint64_t frames,
                      const char *path, char *err, size_t errlen)
{
    iof__tbuf b = { 0 };
    iof__tb_puts(&b, "{\"iotflow_version\":");
    iof__tb_json_str(&b, (const uint8_t *)iof_version_string(), strlen(iof_version_string()));
    iof__tb_puts(&b, ",\"command\":\"stats\",\"inputs\":[");
    for (int k = 0; k < 2; k++) {
        char *const *v = k ? l->captures : l->files;
        size_t n = k ? l->n_captures : l->n_files;
        for (size_t i = 0; i < n; i++) {
            if (b.len && b.p[b.len - 1] != '[')
                iof__tb_putc(&b, ',');
            iof__tb_puts(&b, k ? "{\"kind\":\"capture\",\"path\":" : "{\"kind\":\"output\",\"path\":");
            iof__tb_json_str(&b, (const uint8_t *)v[i], strlen(v[i]));
            iof__tb_putc(&b, '}');
        }
    }
    iof__tb_puts(&b, "],\"capture_packets\":");
    iof__tb_int(&b, (int64_t)frames);
    iof__stats_json_tables(st, &b);
    iof__tb_puts(&b, "}\n");
    if (b.oom) {
        iof__tb_free(&b);
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    }
    iof__outfile *f;
    int rc = iof__outfile_open(&f, path, err, errlen);
    if (rc == IOF_OK) {
        if ((rc = iof__outfile_write(f, b.p, b.len)) == IOF_OK)
            rc = iof__outfile_commit(f, err, errlen);
        else {
            snprintf(err, errlen, "%s", iof__outfile_errmsg(f));
            iof__outfile_abort(f);
        }
    }
    iof__tb_free(&b);
    return rc;
}

iof_err iof_stats_paths(const char *const *paths, size_t n, const char *devices_file, unsigned threads, FILE *out,
                        const char *json_path, iof_message_fn on_message, void *message_ctx,
                        char *err, size_t errlen)
{
    iof__stats st;
    memset(&st, 0, sizeof(st));
    iof__ds_list l;
    int rc = iof__ds_list_paths(&l, paths, n, on_message, message_ctx, err, errlen), first = IOF_OK;
    if (rc != IOF_OK)
        goto done;
    first = iof__ds_each_file(&l, stats_file, &st, on_message, message_ctx, err, errlen);
    uint64_t frames = 0;
    if (l.n_captures) {
        iof_config cfg;
        iof_config_init(&cfg);
        cfg.inputs = (const char *const *)l.captures;
        cfg.n_inputs = l.n_captures;
        cfg.formats = 0;
        cfg.devices_file = devices_file;
        cfg.hash_seed = 1;
        cfg.threads = threads;
        cfg.on_message = on_message;
        cfg.message_ctx = message_ctx;
        iof_run *run;
        char e[1024];
        int crc = iof_run_create(&run, &cfg, e, sizeof(e));
        if (crc == IOF_E_INVAL) { /* refused before reading (a capture given twice): no tables */
            rc = crc;
            snprintf(err, errlen, "%s", e);
            goto done;
        }
        if (crc == IOF_OK) {
            crc = iof_run_execute(run);
            if (crc != IOF_OK)
                snprintf(e, sizeof(e), "%s", iof_run_errmsg(run));
            iof__stats_merge(&st, &run->st);
            frames = run->st.frames;
            iof_run_destroy(run);
        }
        if (crc != IOF_OK && first == IOF_OK) {
            first = crc;
            snprintf(err, errlen, "%s", e);
        }
    }
    fprintf(out, "iotflow stats: %zu output file(s), %zu capture(s) (%" PRIu64 " packets)\n",
            l.n_files, l.n_captures, frames);
    iof__print_tables(&st, out, true);
    uint64_t recs = 0;
    for (size_t i = 0; i < st.n_devs; i++)
        recs += st.devs[i].records[0] + st.devs[i].records[1];
    if (json_path) {
        char e[1024];
        int jrc = write_json(&st, &l, frames, json_path, e, sizeof(e));
        if (jrc != IOF_OK && first == IOF_OK) {
            first = jrc;
            snprintf(err, errlen, "%s", e);
        }
    }
    fprintf(out, "\nverdict: %s: %zu device(s), %" PRIu64 " records\n",
            first == IOF_OK ? "OK" : "INCOMPLETE (see errors above)", st.n_devs, recs);
done:
    iof__ds_list_free(&l);
    iof__stats_free(&st);
    return (iof_err)(rc != IOF_OK ? rc : first);
}
