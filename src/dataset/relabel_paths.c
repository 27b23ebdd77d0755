/* Rewriting written outputs over files and directories (iof__rw_paths: every file is checked
 * before any is written): iotflow label PATH... -o DIR (dataset/relabel.h), and iotflow fuse on
 * outputs (dataset/fuse.c). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "capture/source.h"
#include "common/grow.h"
#include "dataset/relabel_int.h"
#include "kinds/labelcols.h"
#include "output/outfile.h"
#include "iotflow/iotflow.h"

typedef struct lbl_file {
    char *in, *out;
} lbl_file;

/* what list_files and iof__rw_paths need of the caller's options */
typedef struct rw_opts {
    const char *out_dir;
    bool overwrite;
    iof_message_fn on_message;
    void *message_ctx;
} rw_opts;

#define say(o, ...) iof__say((o)->on_message, (o)->message_ctx, __VA_ARGS__)

/* out_dir/rel, rel = the file's path below its directory argument, or its name. */
static char *out_path(const char *out_dir, const char *arg, bool arg_is_dir, const char *file)
{
    const char *rel;
    if (arg_is_dir) {
        rel = file + strlen(arg);
        while (*rel == '/')
            rel++;
    } else {
        const char *slash = strrchr(file, '/');
        rel = slash ? slash + 1 : file;
    }
    size_t n = strlen(out_dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", out_dir, rel);
    return p;
}

static int cmp_out(const void *a, const void *b)
{
    return strcmp(((const lbl_file *)a)->out, ((const lbl_file *)b)->out);
}

/* Whether dir `out` is (or would be, once made) `in` or inside it: its longest existing prefix
 * resolved (symbolic links, ..), the rest appended. */
static bool under(const char *out, const char *in)
{
    char rin[PATH_MAX], rout[PATH_MAX], tmp[PATH_MAX];
    size_t k = strlen(out);
    if (!realpath(in, rin) || k >= sizeof(tmp))
        return false;
    for (;;) {
        if (k == 0) {
            if (!realpath(".", rout))
                return false;
            break;
        }
        memcpy(tmp, out, k);
        tmp[k] = '\0';
        if (realpath(tmp, rout))
            break;
        while (k > 0 && out[k - 1] != '/') /* one component up */
            k--;
        while (k > 1 && out[k - 1] == '/')
            k--;
    }
    const char *rest = out + k;
    while (*rest == '/')
        rest++;
    char full[2 * PATH_MAX + 2];
    size_t rl = strlen(rout);
    snprintf(full, sizeof(full), "%s%s%s", rout, rl && rout[rl - 1] == '/' ? "" : "/", rest);
    size_t n = strlen(rin);
    if (n == 1) /* the input is / */
        return true;
    return strncmp(full, rin, n) == 0 && (full[n] == '/' || full[n] == '\0');
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The files to relabel with their output paths: a capture (or another file) named as a PATH, a
 * PATH that does not exist, or -o inside an input directory is an error; captures inside a
 * directory are skipped with a message. */
static int list_files(const char *const *paths, size_t n, const rw_opts *o, const iof__rw_paths_ops *ops,
                      lbl_file **out, size_t *nout, char *err, size_t errlen)
{
    lbl_file *v = NULL;
    size_t nv = 0, cap = 0;
    int rc = IOF_OK;
    for (size_t i = 0; i < n && rc == IOF_OK; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0) {
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s: %s", paths[i], strerror(errno));
            break;
        }
        char why[128];
        if (!S_ISDIR(sb.st_mode) && !iof__rl_is_joy(paths[i]) && iof__ds_format_of(paths[i]) == IOF__DS_NONE &&
            iof__capture_sniff(paths[i], why, sizeof(why)) != 0) {
            rc = iof__fail(err, errlen, IOF_E_INVAL,
                           "%s: not an iotflow output (.parquet, .csv, .jsonl; Joy files: .json.gz, gzip or not)",
                           paths[i]);
            break;
        }
        if (S_ISDIR(sb.st_mode) && under(o->out_dir, paths[i])) {
            rc = iof__fail(err, errlen, IOF_E_INVAL,
                           "-o %s is inside the input directory %s: the copies would join the dataset they were "
                           "made from (give a folder outside it)",
                           o->out_dir, paths[i]);
            break;
        }
        iof__ds_list l;
        if ((rc = iof__ds_list_paths_all(&l, &paths[i], 1, err, errlen)) != IOF_OK)
            break;
        if (l.n_captures && !S_ISDIR(sb.st_mode))
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s is a capture: %s", l.captures[0], ops->captures_hint);
        else if (l.n_captures)
            say(o, "%s: %zu capture(s) skipped (%s)", paths[i], l.n_captures, ops->captures_hint);
        if (rc == IOF_OK && l.n_files == 0)
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s: no iotflow output (.parquet, .csv, .jsonl, .json.gz) in it",
                           paths[i]);
        for (size_t k = 0; k < l.n_files && rc == IOF_OK; k++) {
            if ((rc = iof__grow((void **)&v, &cap, nv + 1, sizeof(*v), IOF_DS_MAX_FILES)) != IOF_OK) {
                iof__fail(err, errlen, rc, "%s", rc == IOF_E_NOMEM ? "out of memory" : "too many files");
                break;
            }
            v[nv].in = strdup(l.files[k]);
            v[nv].out = out_path(o->out_dir, paths[i], S_ISDIR(sb.st_mode), l.files[k]);
            nv++;
            if (!v[nv - 1].in || !v[nv - 1].out)
                rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        }
        iof__ds_list_free(&l);
    }
    *out = v;
    *nout = nv;
    return rc;
}

static void free_files(lbl_file *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].in);
        free(v[i].out);
    }
    free(v);
}

static void lbl_summary(void *ctx, FILE *out);

static void print_counts(FILE *out, const iof__labeller *lb, const iof__relabel_counts *cn)
{
    for (size_t k = 0; k < iof__labeller_nkeys(lb); k++) {
        fprintf(out, "  %s:", iof__labeller_key(lb, k));
        for (size_t i = 0; i < cn->nvals[k]; i++)
            fprintf(out, "%s %s %" PRIu64, i ? "," : "", cn->vals[k][i].value ? cn->vals[k][i].value : "(none)",
                    cn->vals[k][i].n);
        fputc('\n', out);
    }
}

int iof__rw_paths(const char *const *paths, size_t n, const char *out_dir, bool overwrite,
                  iof_message_fn on_message, void *message_ctx, const iof__rw_paths_ops *ops, void *ctx, FILE *out,
                  char *errbuf, size_t errlen)
{
    rw_opts ro = { out_dir, overwrite, on_message, message_ctx };
    const rw_opts *o = &ro;
    lbl_file *files = NULL;
    size_t nf = 0;
    int rc = list_files(paths, n, o, ops, &files, &nf, errbuf, errlen);
    /* check every file before writing any */
    if (rc == IOF_OK && nf > 1) {
        lbl_file *sorted = malloc(nf * sizeof(*sorted));
        if (!sorted) {
            rc = iof__fail(errbuf, errlen, IOF_E_NOMEM, "out of memory");
        } else {
            memcpy(sorted, files, nf * sizeof(*sorted));
            qsort(sorted, nf, sizeof(*sorted), cmp_out);
            for (size_t i = 1; i < nf && rc == IOF_OK; i++)
                if (strcmp(sorted[i].out, sorted[i - 1].out) == 0)
                    rc = iof__fail(errbuf, errlen, IOF_E_INVAL, "%s and %s would both be written to %s",
                                   sorted[i - 1].in, sorted[i].in, sorted[i].out);
            free(sorted);
        }
    }
    /* a file the rules cannot label, or a path problem: nothing is written (exit 1); a file
     * found damaged or unreadable: reported and skipped, the others are written (exit 2) */
    int first = IOF_OK;
    uint64_t written = 0, failed = 0;
    bool *skip = nf ? calloc(nf, sizeof(*skip)) : NULL;
    if (nf && !skip && rc == IOF_OK)
        rc = iof__fail(errbuf, errlen, IOF_E_NOMEM, "out of memory");
    for (size_t i = 0; i < nf && rc == IOF_OK; i++) {
        char e[1024] = "";
        if (same_file(files[i].in, files[i].out))
            rc = iof__fail(errbuf, errlen, IOF_E_INVAL, "%s: the output would replace its input (give another -o)",
                           files[i].in);
        else if (!o->overwrite && iof__outfile_path_taken(files[i].out))
            rc = iof__fail(errbuf, errlen, IOF_E_INVAL, "%s exists (--overwrite replaces it)", files[i].out);
        else if ((rc = ops->check(ctx, files[i].in, e, sizeof(e))) == IOF_E_FORMAT || rc == IOF_E_IO) {
            say(o, "%s", e);
            skip[i] = true;
            failed++;
            if (first == IOF_OK)
                first = rc;
            rc = IOF_OK;
        } else if (rc != IOF_OK) {
            snprintf(errbuf, errlen, "%s", e);
        }
    }
    uint64_t rows = 0;
    if (rc == IOF_OK) {
        for (size_t i = 0; i < nf; i++) {
            if (skip[i])
                continue;
            char e[1024] = "";
            uint64_t fc_rows = 0; /* a file not written does not count */
            int frc = ops->write(ctx, files[i].in, files[i].out, &fc_rows, e, sizeof(e));
            if (frc != IOF_OK) {
                say(o, "%s", e);
                if (first == IOF_OK)
                    first = frc;
                failed++;
                if (frc == IOF_E_NOMEM)
                    break;
                continue;
            }
            written++;
            rows += fc_rows;
            fprintf(out, "%s -> %s (%" PRIu64 " rows)\n", files[i].in, files[i].out, fc_rows);
            fflush(out); /* a run stopped by a signal has said which files it completed */
        }
        fprintf(out, "%s %" PRIu64 " of %zu files, %" PRIu64 " rows\n", ops->verb, written, nf, rows);
        if (ops->summary)
            ops->summary(ctx, out);
        rc = first;
        if (failed)
            snprintf(errbuf, errlen, "%" PRIu64 " of %zu files could not be %s (said above)%s", failed, nf, ops->verb,
                     written ? "; the others were written" : "");
    }
    free(skip);
    free_files(files, nf);
    return rc;
}

bool iof__rw_out_dir_ok(const char *out_dir, const char *cmd, char *errbuf, size_t errlen)
{
    struct stat ob;
    if (strcmp(out_dir, "-") == 0 || (stat(out_dir, &ob) == 0 && !S_ISDIR(ob.st_mode))) {
        iof__fail(errbuf, errlen, IOF_E_INVAL, "-o %s: not a directory (%s writes files into one)", out_dir, cmd);
        return false;
    }
    return true;
}

/* ---- iotflow label ------------------------------------------------------------------------ */

typedef struct lbl_ctx {
    const iof__labeller *lb;
    unsigned threads;
    iof__relabel_counts counts;
} lbl_ctx;

static int lbl_check(void *ctx, const char *in, char *err, size_t errlen)
{
    return iof__relabel_check(in, ((lbl_ctx *)ctx)->lb, err, errlen);
}

static int lbl_write(void *ctx, const char *in, const char *out, uint64_t *rows, char *err, size_t errlen)
{
    lbl_ctx *c = ctx;
    iof__relabel_counts fc = { 0 };
    int rc = iof__relabel_file(in, out, c->lb, c->threads, &fc, err, errlen);
    if (rc == IOF_OK && (rc = iof__relabel_counts_add(&c->counts, &fc)) != IOF_OK)
        snprintf(err, errlen, "out of memory");
    *rows = fc.rows;
    iof__relabel_counts_free(&fc);
    return rc;
}

static void lbl_summary(void *ctx, FILE *out)
{
    const lbl_ctx *c = ctx;
    print_counts(out, c->lb, &c->counts);
}

iof_err iof_label_paths(const char *const *paths, size_t n, const iof_label_options *o, FILE *out, char *errbuf,
                        size_t errlen)
{
    if (!o->out_dir || !o->out_dir[0] || o->n_rules == 0 || n == 0)
        return (iof_err)iof__fail(errbuf, errlen, IOF_E_INVAL, "give --rules FILE, -o DIR and at least one PATH");
    if (!iof__rw_out_dir_ok(o->out_dir, "label", errbuf, errlen))
        return IOF_E_INVAL;
    iof__labeller *lb = NULL;
    int rc = iof__labeller_load(&lb, o->rules, o->n_rules, errbuf, errlen);
    if (rc != IOF_OK)
        return (iof_err)(rc == IOF_E_IO ? IOF_E_INVAL : rc);
    for (size_t i = 0; i < iof__labeller_nwarnings(lb) && iof__labeller_warning(lb, i); i++)
        say(o, "warning: %s", iof__labeller_warning(lb, i));
    /* the keys' own rules, as extract checks them (length, K_rule of one key the name of another) */
    iof__schema none = { 0 };
    if ((rc = iof__lbl_check(&none, lb, errbuf, errlen)) != IOF_OK) {
        iof__labeller_free(lb);
        return (iof_err)rc;
    }
    /* `dns`, `sni` and `app` are what the capture's DNS responses, TLS hellos and packets say
     * (flow/dnsmap.h, flow/snimap.h, flow/appmap.h): no written output keeps that, so relabelling could not give the labels
     * extraction gives */
    const char *where[IOF_LBL_NEED__COUNT];
    iof__labeller_needs(lb, where);
    static const struct { iof__lbl_need need; const char *what; } from_capture[] = {
        { IOF_LBL_NEED_DNS, "the names the capture's DNS responses gave" },
        { IOF_LBL_NEED_SNI, "the server names of the capture's TLS ClientHellos" },
        { IOF_LBL_NEED_APP, "the application nDPI finds in the capture's packets" },
    };
    for (size_t k = 0; k < sizeof(from_capture) / sizeof(from_capture[0]); k++)
        if (where[from_capture[k].need]) {
            rc = iof__fail(errbuf, errlen, IOF_E_INVAL,
                           "%s reads %s, %s, which written outputs do not carry: label at extraction "
                           "(extract --rules) to use it",
                           where[from_capture[k].need], iof__lbl_need_name(from_capture[k].need), from_capture[k].what);
            iof__labeller_free(lb);
            return (iof_err)rc;
        }
    lbl_ctx lc = { lb, o->threads, { 0 } };
    static const iof__rw_paths_ops ops = { "relabelled", "label captures with extract --rules", lbl_check, lbl_write,
                                           lbl_summary };
    rc = iof__rw_paths(paths, n, o->out_dir, o->overwrite, o->on_message, o->message_ctx, &ops, &lc, out, errbuf,
                       errlen);
    iof__relabel_counts_free(&lc.counts);
    iof__labeller_free(lb);
    return (iof_err)rc;
}
