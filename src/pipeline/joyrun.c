/* -f joy (docs/JOY.md "Running it"): the Joy flow policy (flow/joyflow.h) beside the run's
 * other consumers, fed with every decoded packet (Joy knows no devices) and the frames Joy's
 * capture filter passes, and its flows written as Joy's gzip NDJSON (kinds/joy_json.h): one
 * file per run, OUT/joy/<first input's base name>.json.gz, line 1 Joy's config object. The file
 * is completed with the run's other files and published only if they all could be. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/walk.h"
#include "features/joyfeat.h"
#include "kinds/joy_json.h"
#include "pipeline/run_int.h"

static int joy_emit(void *ctx, const iof__joyrec *rec)
{
    iof_run *r = ctx;
    iof__tbuf *b = &r->joybuf;
    b->len = 0;
    iof__lbl_row *lab = NULL;
    if (r->labels) { /* --rules: the keys end each object; their counts go to the summary */
        iof__lbl_attrs a;
        iof__joy_lbl_attrs(rec, &a);
        /* a connection nDPI still reads gets its answer now, with the packets read so far (Joy
         * expires flows before the frame that triggers it reaches the maps): µs times */
        if (r->appmap && iof__appmap_settle(r->appmap, a.ipver, a.proto, a.dev_ip, a.dev_port, a.rem_ip, a.rem_port,
                                            a.last_ns + 999, r->names_fed) != IOF_OK)
            return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_NOMEM, "out of memory (the application map)");
        iof__lbl_attrs_names(&a, &r->names, r->names_fed, IOF_LBL_NAMES_US | IOF_LBL_NAMES_EITHER);
        lab = &r->joylabels;
        lab->lb = r->labels;
        iof__lbl_row_fill(lab, &a);
        for (size_t k = 0; k < iof__labeller_nkeys(r->labels); k++)
            IOF_TRY(iof__stats_label(&r->st, k, lab->res[k].value, IOF_LBL_STAT_JOY));
    }
    iof__joyfeat_finish(&r->joyfeats, rec);
    iof__joyfeat_count_cuts(&r->joyfeats, rec, r->joy_cuts);
    iof__joy_json_flow(b, rec, &r->joyfeats, lab, r->cfg.end_reason);
    if (b->oom)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_NOMEM, "out of memory");
    int rc = iof__gzout_write(r->joyout, b->p, b->len);
    if (rc != IOF_OK) {
        if (!r->errmsg[0])
            snprintf(r->errmsg, sizeof(r->errmsg), "%s", iof__gzout_errmsg(r->joyout));
        return rc;
    }
    r->joy_rows++;
    return IOF_OK;
}

/* Joy's config object (joy.c config_print_json): its keys in its order, with the values iotflow
 * runs with (the feature modules it has: their options; the others 0), then "iotflow" (our
 * version). */
static void config_line(iof_run *r, iof__tbuf *b, const char *output)
{
    const iof_config *c = &r->cfg;
    const iof__feat_opts *fo = &r->joyfeats.opts;
    iof__tb_puts(b, "{\"version\":\"3.0.3\"");
    iof__tb_kv_str(b, "interface", c->interface ? c->interface : "none", true);
    iof__tb_kv_u64(b, "promisc", 0, true);
    iof__tb_kv_str(b, "output", output, true);
    iof__tb_kv_str(b, "outputdir", "none", true);
    iof__tb_kv_str(b, "username", "none", true);
    iof__tb_kv_str(b, "info", "none", true);
    iof__tb_kv_u64(b, "count", 0, true);
    iof__tb_kv_str(b, "upload", "none", true);
    iof__tb_kv_str(b, "keyfile", "none", true);
    iof__tb_kv_u64(b, "retain", 0, true);
    iof__tb_kv_u64(b, "bidir", 1, true);
    iof__tb_kv_u64(b, "num_pkts", IOF_JOY_DEFAULT_PACKETS, true);
    iof__tb_kv_u64(b, "type", 1, true);
    iof__tb_kv_u64(b, "zeros", 0, true);
    iof__tb_kv_u64(b, "retrans", 0, true);
    iof__tb_kv_u64(b, "dist", fo->dist, true);
    iof__tb_kv_str(b, "cdist", "none", true);
    iof__tb_kv_u64(b, "entropy", fo->entropy, true);
    iof__tb_kv_u64(b, "hd", fo->hd, true);
    iof__tb_kv_u64(b, "classify", 0, true);
    iof__tb_kv_u64(b, "idp", fo->idp, true);
    iof__tb_kv_u64(b, "exe", 0, true);
    iof__tb_kv_str(b, "anon", "none", true);
    iof__tb_kv_str(b, "useranon", "none", true);
    iof__tb_kv_str(b, "bpf", c->filter ? c->filter : "none", true);
    iof__tb_kv_u64(b, "verbosity", 0, true);
    iof__tb_kv_u64(b, "wht", fo->wht, true);
    iof__tb_kv_u64(b, "example", 0, true);
    iof__tb_kv_u64(b, "dns", fo->dns, true);
    iof__tb_kv_u64(b, "ssh", 0, true);
    iof__tb_kv_u64(b, "tls", fo->tls, true);
    iof__tb_kv_u64(b, "dhcp", fo->dhcp, true);
    iof__tb_kv_u64(b, "http", fo->http, true);
    iof__tb_kv_u64(b, "ike", 0, true);
    iof__tb_kv_u64(b, "payload", fo->payload, true);
    iof__tb_kv_u64(b, "salt", 0, true);
    iof__tb_kv_u64(b, "ppi", fo->ppi, true);
    iof__tb_kv_str(b, "iotflow", iof_version_string(), true);
    iof__tb_puts(b, ",\"end-config\":1}\n");
}

/* OUT/joy/<stem>[.N].json.gz: the stem is the first input's base name without its capture
 * extension (live: the interface name); --append takes the first free .N. */
static int joy_path(iof_run *r)
{
    const iof_config *c = &r->cfg;
    const char *in = c->interface ? c->interface : r->n_inputs ? r->inputs[0] : "joy";
    char stem[256];
    snprintf(stem, sizeof(stem), "%s", iof__base_name(in));
    if (strcmp(stem, "-") == 0)
        snprintf(stem, sizeof(stem), "stdin");
    static const char *const exts[] = { ".pcapng.gz", ".pcap.gz", ".pcapng", ".pcap", ".cap" };
    size_t n = strlen(stem);
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcmp(stem + n - e, exts[i]) == 0) {
            stem[n - e] = '\0';
            break;
        }
    }
    char tag[32] = ""; /* --shard: runs writing one directory never share a path */
    if (c->shards)
        snprintf(tag, sizeof(tag), ".s%uof%u", c->shard, c->shards);
    for (unsigned part = 0; part < IOF_MAX_PARTS; part++) {
        char num[16] = "";
        if (part)
            snprintf(num, sizeof(num), ".%u", part);
        int len = snprintf(r->joy_path, sizeof(r->joy_path), "%s/joy/%s%s%s.json.gz", r->output_dir, stem,
                           tag, num);
        if (len < 0 || (size_t)len >= sizeof(r->joy_path))
            return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_INVAL, "the Joy output path is too long");
        if (!iof__outfile_path_taken(r->joy_path))
            return IOF_OK;
        if (c->existing == IOF_EXISTING_OVERWRITE) {
            r->joy_replaced = true;
            return IOF_OK;
        }
        if (c->existing == IOF_EXISTING_REFUSE)
            return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_EXISTS,
                             "%s exists (an earlier run's output): give --overwrite or --append",
                             r->joy_path);
    }
    return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_EXISTS, "%s: too many parts", r->joy_path);
}

int iof__joyrun_setup(iof_run *r, uint64_t hash_seed)
{
    const iof_config *c = &r->cfg;
    bool to_stdout = strcmp(r->output_dir, "-") == 0;
    if (to_stdout)
        snprintf(r->joy_path, sizeof(r->joy_path), "-");
    else
        IOF_TRY(joy_path(r));
    iof__jf_config jc = {
        .packets = IOF_JOY_DEFAULT_PACKETS,
        .max_flows = c->max_flows,
        .max_bytes = c->max_memory == UINT64_MAX ? 0 : c->max_memory, /* resolved by run create */
        .hash_seed = hash_seed, /* the run's seed: random unless --hash-seed */
        .helpers = c->threads != 1,
    };
    iof__feat_opts fo;
    iof__joyfeat_joy_defaults(&fo, c->joy_idp);
    if (iof__featset_init(&r->joyfeats, &fo) != IOF_OK)
        return iof__fail(r->errmsg, sizeof(r->errmsg), IOF_E_INVAL, "--idp %u: at most %u",
                         c->joy_idp, IOF_FEAT_MAX_IDP);
    iof__joyfeat_hooks(&r->joyfeats, &jc);
    int rc = iof__joyflow_create(&r->joy, &jc, joy_emit, r);
    if (rc != IOF_OK)
        return iof__fail(r->errmsg, sizeof(r->errmsg), rc, "cannot create the Joy flow table");
    /* standard output: plain NDJSON (pipe it to jq, or to gzip for Joy's file) */
    /* compress on helper threads unless --threads 1 (the same bytes either way) */
    IOF_TRY(iof__gzout_open(&r->joyout, r->joy_path, to_stdout, c->threads == 1 ? 0 : IOF_GZ_HELPERS, r->errmsg,
                            sizeof(r->errmsg)));
    const char *out = to_stdout ? "-" : r->joy_path + strlen(r->output_dir) + 1; /* "joy/..." */
    iof__tbuf b = { 0 };
    config_line(r, &b, out);
    rc = b.oom ? IOF_E_NOMEM : iof__gzout_write(r->joyout, b.p, b.len);
    iof__tb_free(&b);
    if (rc != IOF_OK)
        return iof__fail(r->errmsg, sizeof(r->errmsg), rc, "%s",
                         rc == IOF_E_NOMEM ? "out of memory" : iof__gzout_errmsg(r->joyout));
    return IOF_OK;
}

int iof__joyrun_frame(iof_run *r, const iof__frame *f, bool decoded, const iof__pkt *pkt)
{
    int rc = decoded ? iof__joyflow_packet(r->joy, pkt) : IOF_OK;
    if (rc == IOF_OK && iof__joyflow_filter(f->linktype, f->data, f->caplen, decoded, pkt))
        rc = iof__joyflow_frame(r->joy);
    return rc;
}

int iof__joyrun_finish(iof_run *r)
{
    /* flows still open: the end of the input, or of a run stopped (a signal, --duration) */
    int rc = r->st.interrupted ? iof__joyflow_stop(r->joy) : iof__joyflow_flush(r->joy);
    if (rc == IOF_OK && (rc = iof__gzout_finish(r->joyout)) != IOF_OK && !r->errmsg[0])
        snprintf(r->errmsg, sizeof(r->errmsg), "%s", iof__gzout_errmsg(r->joyout));
    return rc;
}

int iof__joyrun_close(iof_run *r, bool ok)
{
    iof__gzout *g = r->joyout;
    r->joyout = NULL;
    if (!g)
        return IOF_OK;
    if (!ok) {
        iof__gzout_abort(g);
        return IOF_OK;
    }
    char err[512];
    int rc = iof__gzout_publish(g, err, sizeof(err));
    if (rc != IOF_OK)
        snprintf(r->errmsg, sizeof(r->errmsg), "%s", err);
    else
        r->joy_published = strcmp(r->joy_path, "-") != 0;
    return rc;
}

void iof__joyrun_destroy(iof_run *r)
{
    iof__gzout_abort(r->joyout);
    r->joyout = NULL;
    iof__joyflow_destroy(r->joy);
    r->joy = NULL;
    iof__tb_free(&r->joybuf);
}
