/* joyflows: a capture's flows under the Joy policy (flow/joyflow.h), printed as Joy NDJSON
 * (kinds/joy_json.h), one flow per line, without Joy's config line. No pipeline: frames come
 * straight from the capture reader and the decoder, as Joy reads a file. The feature modules
 * are those of -f joy (features/joyfeat.h): byte_dist, entropy, wht, payload, ppi, hd=1, dns,
 * tls, dhcp, http, and idp with --idp N (default 0: off, as Joy); --hd N changes hd's byte count,
 * --off NAME turns one of dist, entropy, wht, payload, ppi, dns, tls, dhcp, http off, --no-features all of them (base fields only). A
 * later option wins.
 *
 *   joyflows [--packets N] [--max-flows N] [--ipv6] [--idp N] [--hd N] [--off NAME]
 *            [--no-features] CAPTURE
 *
 * Used by tests/integration/joy_golden.py. Exit 0, 1 on a read error, 2 on usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/source.h"
#include "common/err.h"
#include "decode/decode.h"
#include "features/joyfeat.h"
#include "flow/joyflow.h"
#include "kinds/joy_json.h"
#include "iotflow/iotflow.h"

static iof__featset feats;

/* --off NAME: one module off (the golden test's negative controls) */
static bool module_off(iof__feat_opts *o, const char *name)
{
    bool *flag = !strcmp(name, "dist") ? &o->dist : !strcmp(name, "entropy") ? &o->entropy
               : !strcmp(name, "wht") ? &o->wht : !strcmp(name, "payload") ? &o->payload
               : !strcmp(name, "ppi") ? &o->ppi : !strcmp(name, "dhcp") ? &o->dhcp
               : !strcmp(name, "dns") ? &o->dns : !strcmp(name, "tls") ? &o->tls
               : !strcmp(name, "http") ? &o->http : NULL;
    if (flag)
        *flag = false;
    return flag != NULL;
}

static int print_flow(void *ctx, const iof__joyrec *r)
{
    iof__tbuf *b = ctx;
    b->len = 0;
    iof__joyfeat_finish(&feats, r);
    iof__joy_json_flow(b, r, &feats, NULL, false);
    if (b->oom || fwrite(b->p, 1, b->len, stdout) != b->len)
        return IOF_E_IO;
    return IOF_OK;
}

static const char usage[] = "usage: joyflows [--packets N] [--max-flows N] [--ipv6] [--idp N] "
                            "[--hd N] [--off NAME] [--no-features] CAPTURE\n";

int main(int argc, char **argv)
{
    iof__jf_config cfg = { .packets = IOF_JOY_DEFAULT_PACKETS, .max_flows = 1u << 20 };
    const char *path = NULL;
    iof__feat_opts fo;
    iof__joyfeat_joy_defaults(&fo, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--packets") && i + 1 < argc)
            cfg.packets = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--max-flows") && i + 1 < argc)
            cfg.max_flows = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--ipv6"))
            cfg.ipv6 = true;
        else if (!strcmp(argv[i], "--idp") && i + 1 < argc)
            fo.idp = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--hd") && i + 1 < argc)
            fo.hd = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--no-features"))
            fo = (iof__feat_opts){ 0 };
        else if (!strcmp(argv[i], "--off") && i + 1 < argc && module_off(&fo, argv[i + 1]))
            i++;
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (!path) {
        fputs(usage, stderr);
        return 2;
    }
    char err[256];
    iof__source *src;
    if (iof__source_open_file(&src, path, err, sizeof err) != IOF_OK) {
        fprintf(stderr, "joyflows: %s\n", err);
        return 1;
    }
    iof__tbuf buf = { 0 };
    iof__joyflow *jf;
    int rc = iof__featset_init(&feats, &fo);
    if (rc == IOF_OK) {
        iof__joyfeat_hooks(&feats, &cfg);
        rc = iof__joyflow_create(&jf, &cfg, print_flow, &buf);
    }
    if (rc != IOF_OK) {
        fprintf(stderr, "joyflows: %s\n", iof_strerror(rc));
        iof__source_close(src);
        return 2;
    }
    iof__frame f;
    int nr;
    while (rc == IOF_OK && (nr = iof__source_next(src, &f)) > 0) {
        iof__pkt p;
        bool ok = iof__decode(&p, f.linktype, f.data, f.caplen, f.wirelen, f.ts_ns) == IOF_DROP_OK;
        if (ok)
            rc = iof__joyflow_packet(jf, &p);
        if (rc == IOF_OK && iof__joyflow_filter(f.linktype, f.data, f.caplen, ok, &p))
            rc = iof__joyflow_frame(jf);
    }
    if (rc == IOF_OK)
        rc = iof__joyflow_flush(jf);
    int read_err = nr < 0;
    if (read_err)
        fprintf(stderr, "joyflows: %s\n", iof__source_errmsg(src));
    iof__jf_stats st;
    iof__joyflow_get_stats(jf, &st);
    fprintf(stderr, "joyflows: %llu packets, %llu skipped, %llu flows (%llu bidir, %llu evicted)\n",
            (unsigned long long)st.packets, (unsigned long long)st.skipped,
            (unsigned long long)st.flows_emitted, (unsigned long long)st.flows_bidir,
            (unsigned long long)st.flows_evicted);
    iof__joyflow_destroy(jf);
    iof__tb_free(&buf);
    iof__source_close(src);
    if (rc != IOF_OK)
        fprintf(stderr, "joyflows: %s\n", iof_strerror(rc));
    return rc != IOF_OK || read_err;
}
