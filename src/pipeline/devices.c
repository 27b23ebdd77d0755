/* iotflow devices: captures -> the run's packet observer (no flow table, no outputs) -> device
 * table -> inventory CSV (one file, written atomically through the outfile). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "devices/devcsv.h"
#include "devices/devtab.h"
#include "devices/oui.h"
#include "output/outfile.h"
#include "pipeline/run_int.h"

/* Default vendor databases, the first present set wins: Wireshark's (one file, newest, with
 * the /28 and /36 blocks), else Debian's ieee-data registries. IOF_TEST_OUI_PATHS=a:b:...
 * replaces the list (one file per candidate; empty: none), for tests. */
static const char *const default_sets[][3] = {
    { "/usr/share/wireshark/manuf", NULL, NULL },
    { "/usr/share/ieee-data/oui.txt", "/usr/share/ieee-data/mam.txt", "/usr/share/ieee-data/oui36.txt" },
};

void iof_devices_config_init(iof_devices_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->output = "-";
}

static void note_source(iof_devices_stats *st, const char *path)
{
    size_t o = strlen(st->oui_source);
    snprintf(st->oui_source + o, sizeof(st->oui_source) - o, "%s%s", o ? ", " : "", path);
}

/* Loads the set of files; on error *db is freed and NULL. */
static int load_set(iof__oui **db, const char *const *paths, size_t n, iof_devices_stats *st, char *err,
                    size_t errlen)
{
    *db = iof__oui_create();
    if (!*db)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!paths[i])
            continue;
        int rc = iof__oui_add_file(*db, paths[i], err, errlen);
        if (rc != IOF_OK) {
            iof__oui_free(*db);
            *db = NULL;
            st->oui_source[0] = '\0';
            return rc;
        }
        note_source(st, paths[i]);
    }
    return IOF_OK;
}

static int load_oui(const iof_devices_config *cfg, iof__oui **db, iof_devices_stats *st, char *err, size_t errlen)
{
    *db = NULL;
    if (cfg->n_oui_files) {
        int rc = load_set(db, cfg->oui_files, cfg->n_oui_files, st, err, errlen);
        if (rc == IOF_E_IO || rc == IOF_E_INVAL)
            rc = IOF_E_INVAL; /* a database the user named: a configuration error */
        return rc;
    }
    /* defaults: a missing or unusable one leaves the vendor column empty, with a note */
    const char *cand[16][3];
    size_t nc = 0;
    char envbuf[4096];
    const char *env = getenv("IOF_TEST_OUI_PATHS");
    if (env) {
        snprintf(envbuf, sizeof envbuf, "%s", env);
        for (char *save = NULL, *p = strtok_r(envbuf, ":", &save); p && nc < 16; p = strtok_r(NULL, ":", &save)) {
            cand[nc][0] = p;
            cand[nc][1] = cand[nc][2] = NULL;
            nc++;
        }
    } else {
        for (size_t i = 0; i < sizeof(default_sets) / sizeof(default_sets[0]); i++, nc++)
            memcpy(cand[nc], default_sets[i], sizeof(cand[nc]));
    }
    for (size_t i = 0; i < nc; i++) {
        if (access(cand[i][0], R_OK) != 0)
            continue;
        const char *present[3];
        for (int k = 0; k < 3; k++)
            present[k] = cand[i][k] && access(cand[i][k], R_OK) == 0 ? cand[i][k] : NULL;
        char why[512];
        int rc = load_set(db, present, 3, st, why, sizeof why);
        if (rc == IOF_E_NOMEM)
            return iof__fail(err, errlen, rc, "out of memory");
        if (rc != IOF_OK)
            snprintf(st->oui_note, sizeof st->oui_note, "vendor database unusable, vendor column empty: %s", why);
        return IOF_OK;
    }
    snprintf(st->oui_note, sizeof st->oui_note,
             "no vendor database found (%s; install tshark or ieee-data, or give --oui FILE): vendor column empty",
             env ? "IOF_TEST_OUI_PATHS" : "/usr/share/wireshark/manuf, /usr/share/ieee-data/oui.txt");
    return IOF_OK;
}

static void observe(void *ctx, const iof__frame *f, const iof__pkt *pkt)
{
    (void)f;
    iof__devtab_packet(ctx, pkt);
}

static int write_inventory(const char *path, const iof__devtab *tab, iof__oui *oui, iof__devcsv_stats *cs, char *err,
                           size_t errlen)
{
    iof__outfile *f;
    int rc = iof__outfile_open(&f, path, err, errlen);
    if (rc != IOF_OK)
        return rc;
    rc = iof__devcsv_write(tab, oui, f, cs, err, errlen);
    if (rc != IOF_OK) {
        iof__outfile_abort(f);
        return rc;
    }
    return iof__outfile_commit(f, err, errlen);
}

iof_err iof_devices_run(const iof_devices_config *cfg, char *err, size_t errlen)
{
    iof_devices_stats local;
    iof_devices_stats *st = cfg->stats ? cfg->stats : &local;
    memset(st, 0, sizeof(*st));
    if (cfg->n_inputs == 0)
        return iof__fail(err, errlen, IOF_E_INVAL, "no input: give capture files, directories or -");
    if (cfg->n_oui_files > IOF_DEVICES_MAX_OUI_FILES)
        return iof__fail(err, errlen, IOF_E_INVAL, "at most %d vendor databases (--oui)", IOF_DEVICES_MAX_OUI_FILES);
    const char *out = cfg->output ? cfg->output : "-";
    if (!out[0])
        return iof__fail(err, errlen, IOF_E_INVAL, "empty output path");
    iof__oui *oui = NULL;
    int rc = load_oui(cfg, &oui, st, err, errlen);
    if (rc != IOF_OK)
        return (iof_err)rc;
    iof_config rcfg;
    iof_config_init(&rcfg);
    rcfg.inputs = cfg->inputs;
    rcfg.n_inputs = cfg->n_inputs;
    rcfg.filter = cfg->filter;
    rcfg.formats = 0; /* no sink */
    rcfg.on_message = cfg->on_message;
    rcfg.message_ctx = cfg->message_ctx;
    iof_run *run = NULL;
    iof__devtab *tab = NULL;
    rc = iof_run_create(&run, &rcfg, err, errlen);
    if (rc != IOF_OK)
        goto done;
    tab = iof__devtab_create();
    if (!tab) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        goto done;
    }
    run->observer = observe;
    run->observer_ctx = tab;
    run->no_flows = true;
    if (cfg->run_hook)
        cfg->run_hook(cfg->hook_ctx, run);
    int xrc = iof_run_execute(run);
    if (cfg->run_hook)
        cfg->run_hook(cfg->hook_ctx, NULL); /* before anything can free the run */
    st->frames = run->st.frames;
    iof__devtab_stats ts;
    iof__devtab_get_stats(tab, &ts);
    st->packets = ts.packets;
    st->without_mac = ts.without_mac;
    st->macs_dropped = ts.rows_dropped;
    st->dhcp = ts.dhcp;
    st->mdns = ts.mdns;
    st->ssdp = ts.ssdp;
    st->malformed = ts.malformed;
    bool input_problem = xrc == IOF_E_TRUNCATED_INPUT || xrc == IOF_E_FORMAT || xrc == IOF_E_IO;
    if (xrc != IOF_OK && xrc != IOF_E_INTERRUPTED && !(input_problem && st->frames > 0)) {
        rc = xrc; /* bad filter, memory, or nothing could be read: nothing written */
        snprintf(err, errlen, "%s", iof_run_errmsg(run)[0] ? iof_run_errmsg(run) : iof_strerror(xrc));
        goto done;
    }
    if (iof__devtab_nomem(tab)) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        goto done;
    }
    iof__devcsv_stats cs;
    rc = write_inventory(out, tab, oui, &cs, err, errlen);
    if (rc != IOF_OK)
        goto done;
    st->devices = cs.rows;
    st->values_dropped = cs.values_dropped + ts.values_dropped + ts.facts_dropped;
    st->ips_shared = cs.ips_shared;
    rc = xrc;
    if (rc != IOF_OK)
        snprintf(err, errlen, "%s", iof_run_errmsg(run)[0] ? iof_run_errmsg(run) : iof_strerror(rc));
done:
    iof__devtab_free(tab);
    iof_run_destroy(run);
    iof__oui_free(oui);
    return (iof_err)rc;
}
