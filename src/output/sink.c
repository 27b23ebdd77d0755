#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/thread.h"
#include "output/cluster.h"
#include "output/parquet/pq_writer.h"
#include "output/sink.h"

#define SINK_ERRLEN 1024
/* Sort batches handed to the helper at once (IOF_WORKER_QUEUE at most), with
 * cfg.two_in_flight; else one. Two: a run's two files (both variants) fill their batches side by
 * side, so the second file's batch is full right after the first's was handed over; with one in
 * flight the pipeline's thread then waited for the whole of the first (dense --threads 2: three
 * stops of 25-50 ms with the flow workers idle behind them: bench/README.md 2026-12-07
 * "--threads 2: where the wall goes"). The price is one more batch arena (dense +4 MB, smallpkt
 * GB 0.2 +5 MB of peak RSS), so the run asks for it only with sharded flow workers, whose rings
 * cost more already: the default command keeps smallpkt under issue 15's 300 MB. */
#define SINK_IN_FLIGHT 2
_Static_assert(SINK_IN_FLIGHT <= IOF_WORKER_QUEUE, "the helper queues every batch in flight");
#define SINK_MAX_KV 32           /* key-value metadata pairs of the run passed to each file */

typedef struct sink_file {
    bool open;
    int fmt;                 /* index into fmts[] */
    unsigned sub;            /* the kind's sub-partition */
    int64_t day;             /* days since epoch */
    int part;
    iof__outfile *f;
    iof__writer *w;
    uint64_t rows;
    uint64_t last_use;
    bool replaces;           /* an earlier run's file is at the final path (--overwrite) */
    iof__cluster *cl;        /* columnar formats: rows are clustered in sorted batches */
    bool completed;          /* complete() ran ahead of close_file (iof__sink_close), with crc */
    int crc;
} sink_file;

typedef struct sink_fmt {
    const iof__writer_ops *ops;
    int layout;              /* 0 wide, 1 nested */
    bool cluster;            /* sort rows in batches before writing (Parquet) */
} sink_fmt;

struct iof__sink {
    iof__sink_cfg cfg;
    char *dir;
    bool to_stdout;
    sink_fmt fmts[3];
    int nfmts;
    const iof__row_kind *kind;
    iof__schema schema[2];    /* wide, nested */
    bool use_layout[2];
    iof__pq_regions *regions; /* the Parquet writers' shared staging regions */
    size_t cl_rows, cl_bytes; /* a sort batch's bounds (IOF_CLUSTER_*, or IOF_TEST_PQ_CAP's) */
    void *build[2];           /* the kind's row builders of this thread, per layout */
    sink_file files[IOF_MAX_OPEN_FILES];
    uint64_t tick;
    /* Columnar files: a full batch is sorted and written on the helper thread (drain()) while
     * the next one fills; up to SINK_IN_FLIGHT batches handed over, written one after the other
     * in the order they were handed over; `spare` holds empty ones to swap in. */
    iof__worker *wk;          /* NULL: batches are written here */
    iof__cluster *spare[SINK_IN_FLIGHT];
    struct drain_job {
        iof__sink *s;
        sink_file *sf;
        iof__cluster *cl;
        bool skipped;         /* emptied unwritten after an earlier job failed: no message */
        int rc;
        char errmsg[SINK_ERRLEN];
    } job[SINK_IN_FLIGHT];    /* handed over and not yet collected: jn of them from job[j0] on */
    unsigned j0, jn;
    void *hbuild[2];          /* the helper's own row builders (their scratch is per thread) */
    bool hfailed;             /* the helper's: a job failed, the ones after it do nothing */
    sink_file *fin_sf;        /* iof__sink_close: the file the helper completed, its message */
    char fin_msg[SINK_ERRLEN];
    /* parts already used per (fmt, sub, day): completed files */
    iof__sink_file_info *done;
    size_t ndone, capdone;
    /* completed at close under temp names, renamed together; what each is (day, part, ...) */
    iof__outfile *pending[IOF_MAX_OPEN_FILES];
    sink_file pending_sf[IOF_MAX_OPEN_FILES];
    size_t npending;
    char errmsg[SINK_ERRLEN];
};

int iof__sink_create(iof__sink **out, const iof__sink_cfg *cfg, char *err, size_t errlen)
{
    *out = NULL;
    iof__sink *s = calloc(1, sizeof(*s));
    if (!s)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    s->cfg = *cfg;
    s->kind = cfg->kind;
    s->dir = strdup(cfg->dir);
    s->to_stdout = strcmp(cfg->dir, "-") == 0;
    static const struct { unsigned bit; const iof__writer_ops *ops; int deflayout; } all[] = {
        { IOF_FMT_PARQUET, &iof__writer_parquet, 0 },
        { IOF_FMT_CSV, &iof__writer_csv, 0 },
        { IOF_FMT_JSONL, &iof__writer_jsonl, 1 },
    };
    for (size_t i = 0; i < 3; i++) {
        if (!(cfg->formats & all[i].bit))
            continue;
        int layout = cfg->layout == IOF_LAYOUT_WIDE ? 0 : cfg->layout == IOF_LAYOUT_NESTED ? 1
                                                                                          : all[i].deflayout;
        s->fmts[s->nfmts].ops = all[i].ops;
        s->fmts[s->nfmts].layout = layout;
        s->fmts[s->nfmts].cluster = all[i].bit == IOF_FMT_PARQUET;
        s->nfmts++;
        s->use_layout[layout] = true;
    }
    int rc = IOF_OK;
    /* Test hook: IOF_TEST_PQ_CAP=BYTES[,BUDGET] (BYTES up to 4 MiB) scales the Parquet side
     * down as if the row-group cap (64 MiB) were BYTES: the cap BYTES, the run's budget
     * 2 x BYTES (their ratio; BUDGET when given, 0: none, to show what the budget cuts), sort
     * batches of 16 x BYTES of copies and 16384 x 16 x BYTES / 64 MiB records. Batches of 16 row
     * groups, not the default's one: the last batches, which the close writes side by side,
     * then cross their caps often enough for a timing-dependent cut to show. Read once, here;
     * used by tests/integration/parquet_budget.sh on a 2 MB capture. */
    uint64_t budget = IOF_PQ_RUN_BUDGET_BYTES;
    s->cl_rows = IOF_CLUSTER_ROWS, s->cl_bytes = IOF_CLUSTER_BYTES;
    const char *pqcap = getenv("IOF_TEST_PQ_CAP");
    char *end = NULL;
    const uint64_t cap = pqcap ? strtoull(pqcap, &end, 10) : 0;
    if (cap > 0 && cap <= IOF_PQ_DEFAULT_ROW_GROUP_BYTES / 16) {
        s->cfg.wopts.row_group_bytes = cap;
        budget = *end == ',' ? strtoull(end + 1, NULL, 10) : 2 * cap;
        s->cl_bytes = (size_t)(16 * cap);
        s->cl_rows = (size_t)(IOF_CLUSTER_ROWS * 16 * cap / IOF_PQ_DEFAULT_ROW_GROUP_BYTES);
        if (s->cl_rows < 16)
            s->cl_rows = 16;
    }
    if ((cfg->formats & IOF_FMT_PARQUET) && !(s->cfg.wopts.regions = s->regions = iof__pq_regions_new(budget))) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        goto fail;
    }
    if (!s->dir) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        goto fail;
    }
    for (int l = 0; l < 2; l++) {
        if (!s->use_layout[l])
            continue;
        if ((rc = s->kind->schema(&s->schema[l], cfg->kind_cfg, l == 0)) != IOF_OK) {
            iof__schema_free(&s->schema[l]);
            s->use_layout[l] = false;
            iof__fail(err, errlen, rc, "cannot build the output schema");
            goto fail;
        }
        if (!(s->build[l] = s->kind->builder_new(cfg->kind_cfg, l == 0))) {
            rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
            goto fail;
        }
    }
    bool columnar = false;
    for (int i = 0; i < s->nfmts; i++)
        columnar |= s->fmts[i].cluster;
    if (columnar && cfg->threads != 1 && sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
        for (int k = 0; k < SINK_IN_FLIGHT; k++)
            s->job[k].s = s;
        for (int l = 0; l < 2; l++)
            if (s->use_layout[l] && !(s->hbuild[l] = s->kind->builder_new(cfg->kind_cfg, l == 0))) {
                rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
                goto fail;
            }
        s->wk = iof__worker_start(); /* NULL: no thread, the batches are written here */
    }
    *out = s;
    return IOF_OK;
fail:
    iof__sink_destroy(s);
    return rc;
}

static int make_path(const iof__sink *s, const sink_file *sf, char *buf, size_t len)
{
    time_t t = (time_t)(sf->day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    const char *ext = s->fmts[sf->fmt].ops->ext;
    int n;
    /* --shard: the tag after "part-" (hive) or the date (day layout) */
    const char *tag = s->cfg.name_tag ? s->cfg.name_tag : "", *dash = *tag ? "-" : "", *dot = *tag ? "." : "";
    if (s->cfg.partition == IOF_PARTITION_HIVE)
        n = snprintf(buf, len, "%s/%s=%s/day=%04d-%02d-%02d/part-%s%s%d.%s", s->dir,
                     s->kind->sub_key, s->kind->sub_names[sf->sub], tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tag, dash, sf->part, ext);
    else if (sf->part == 0)
        n = snprintf(buf, len, "%s/%s/%02d-%02d-%02d%s%s.%s", s->dir, s->kind->sub_names[sf->sub],
                     tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, dot, tag, ext);
    else
        n = snprintf(buf, len, "%s/%s/%02d-%02d-%02d%s%s.part%d.%s", s->dir, s->kind->sub_names[sf->sub],
                     tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, dot, tag, sf->part, ext);
    return (n < 0 || (size_t)n >= len) ? IOF_E_OUTPUT : IOF_OK;
}

/* Room in the list of published files for one more, with the message if there is none. Made
 * before a file is published, so a published file is always listed (and --overwrite's refusal
 * path can remove it). */
static int reserve_done(iof__sink *s, const char *path)
{
    int rc = iof__grow((void **)&s->done, &s->capdone, s->ndone + 1, sizeof *s->done,
                       IOF_MAX_OUTPUT_FILES);
    if (rc == IOF_E_LIMIT)
        return iof__fail(s->errmsg, sizeof(s->errmsg), rc, "%s: more than %u output files in one run",
                         path, IOF_MAX_OUTPUT_FILES);
    if (rc != IOF_OK)
        return iof__fail(s->errmsg, sizeof(s->errmsg), rc, "out of memory");
    return IOF_OK;
}

/* Lists a file (reserve_done() first; path text copied). */
static int record_done(iof__sink *s, const sink_file *sf, const char *path, bool replaced)
{
    IOF_TRY(reserve_done(s, path));
    iof__sink_file_info *i = &s->done[s->ndone];
    i->path = strdup(path);
    if (!i->path)
        return iof__fail(s->errmsg, sizeof(s->errmsg), IOF_E_NOMEM, "out of memory");
    i->format = s->fmts[sf->fmt].ops->name;
    i->sub = sf->sub;
    i->sub_name = s->kind->sub_names[sf->sub];
    i->rows = sf->rows;
    i->replaced = replaced;
    i->day = sf->day;
    i->part = sf->part;
    s->ndone++;
    return IOF_OK;
}

/* Who writes a file's rows: the caller's thread, or the helper (its own row builders and
 * error message). */
typedef struct drain_ctx {
    const iof__sink *s;
    sink_file *sf;
    void *const *build;
    char *errmsg;
} drain_ctx;

/* One record through one file's writer. */
static int write_rec(const drain_ctx *d, const void *rec)
{
    sink_file *sf = d->sf;
    const void *row = d->s->kind->build(d->build[d->s->fmts[sf->fmt].layout], rec);
    int rc = d->s->fmts[sf->fmt].ops->write(sf->w, row);
    if (rc != IOF_OK) {
        /* the outfile's message names the path already; other errors (memory) do not */
        if (iof__outfile_errmsg(sf->f)[0])
            iof__fail(d->errmsg, SINK_ERRLEN, rc, "%s", iof__outfile_errmsg(sf->f));
        else
            iof__fail(d->errmsg, SINK_ERRLEN, rc, "%s: %s", iof__outfile_path(sf->f), iof_strerror(rc));
        return rc;
    }
    sf->rows++;
    return IOF_OK;
}

static drain_ctx here(iof__sink *s, sink_file *sf)
{
    return (drain_ctx){ s, sf, s->build, s->errmsg };
}

static int drain_one(void *ctx, const void *rec) { return write_rec(ctx, rec); }

static int skip_one(void *ctx, const void *rec)
{
    (void)ctx;
    (void)rec;
    return IOF_E_INTERRUPTED;
}

/* The oldest job handed over, which has returned: its batch (drained, empty even on failure)
 * becomes a spare, its failure the sink's when it is the first. A job skipped after an earlier
 * one failed returns IOF_E_INTERRUPTED but leaves the sink's message alone: the earlier job's
 * message (which file, which errno) is the one the run reports, whether it was collected in this
 * call or before (a two-in-flight drain() collects the failed job, the close's drain_wait() the
 * skipped one after it). */
static int collect(iof__sink *s, char *msg)
{
    struct drain_job *j = &s->job[s->j0];
    s->j0 = (s->j0 + 1) % SINK_IN_FLIGHT;
    s->jn--;
    if (j->cl)
        for (int k = 0; k < SINK_IN_FLIGHT; k++)
            if (!s->spare[k]) {
                s->spare[k] = j->cl;
                break;
            }
    j->sf = NULL;
    j->cl = NULL;
    int rc = j->rc;
    j->rc = IOF_OK;
    if (rc != IOF_OK && !j->skipped)
        memcpy(msg, j->errmsg, SINK_ERRLEN);
    j->skipped = false;
    return rc;
}

/* Waits for every batch in flight; the first failure among them is returned, its message in
 * msg. */
/* Waits for the oldest `need` batches in flight and collects them; the first failure among
 * them is returned, its message in msg. */
static int collect_oldest(iof__sink *s, unsigned need, char *msg)
{
    if (!need)
        return IOF_OK;
    iof__worker_wait_below(s->wk, s->jn - need);
    int first = IOF_OK;
    while (need--) {
        int rc = collect(s, msg);
        if (first == IOF_OK)
            first = rc;
    }
    return first;
}

static int drain_wait_to(iof__sink *s, char *msg)
{
    int first = collect_oldest(s, s->jn, msg);
    s->hfailed = false; /* the helper is idle: its jobs from now on run */
    return first;
}

/* drain_wait_to(), the failure becoming the sink's. */
static int drain_wait(iof__sink *s) { return drain_wait_to(s, s->errmsg); }

/* On the helper thread: sorts and writes one batch (nothing after a job that failed: the
 * run stops at that failure, which drain_wait() returns first). */
static void drain_job_run(void *arg)
{
    struct drain_job *j = arg;
    if (j->s->hfailed) { /* emptied, not written; not reported: the earlier job's failure is */
        j->rc = iof__cluster_drain(j->cl, skip_one, NULL);
        j->skipped = true;
        return;
    }
    drain_ctx d = { j->s, j->sf, j->s->hbuild, j->errmsg };
    j->rc = iof__cluster_drain(j->cl, drain_one, &d);
    j->s->hfailed = j->rc != IOF_OK;
}

/* Completes a file but for publishing: writes its last batch, finishes its writer and its
 * outfile. On failure the writer is gone (aborted or finished), d's message says why and the
 * caller aborts the outfile. */
static int complete(drain_ctx *d)
{
    sink_file *sf = d->sf;
    const iof__writer_ops *ops = d->s->fmts[sf->fmt].ops;
    int rc = sf->cl ? iof__cluster_drain(sf->cl, drain_one, d) : IOF_OK;
    if (rc != IOF_OK) {
        ops->abort(sf->w);
        return rc;
    }
    char werr[512] = "";
    rc = ops->finish(sf->w, werr, sizeof werr);
    if (rc == IOF_OK)
        rc = iof__outfile_finish(sf->f);
    if (rc != IOF_OK && iof__outfile_errmsg(sf->f)[0])
        iof__fail(d->errmsg, SINK_ERRLEN, rc, "%s", iof__outfile_errmsg(sf->f));
    else if (rc != IOF_OK)
        iof__fail(d->errmsg, SINK_ERRLEN, rc, "%s: %s", iof__outfile_path(sf->f), werr[0] ? werr : iof_strerror(rc));
    return rc;
}

/* On the helper thread: complete() of the file that iof__sink_close hands it (after a batch
 * of it that failed: its writer aborted, as a skipped batch, the batch's failure reported). */
static void complete_job_run(void *arg)
{
    struct drain_job *j = arg;
    if (j->s->hfailed) {
        j->s->fmts[j->sf->fmt].ops->abort(j->sf->w);
        j->rc = IOF_E_INTERRUPTED;
        j->skipped = true;
        return;
    }
    drain_ctx d = { j->s, j->sf, j->s->hbuild, j->errmsg };
    j->rc = complete(&d);
}

/* The next job slot, handed over in order after the ones in flight (jn < SINK_IN_FLIGHT) */
static struct drain_job *job_push(iof__sink *s, sink_file *sf)
{
    struct drain_job *j = &s->job[(s->j0 + s->jn++) % SINK_IN_FLIGHT];
    j->sf = sf;
    return j;
}

/* Writes a file's batch: here (close, or no helper), or handed to the helper (async) once the
 * previous batch is written: the file gets an empty batch to fill meanwhile. The rows reach
 * the writer in the same order either way, so the files are the same. */
static int drain(iof__sink *s, sink_file *sf, bool async)
{
    if (!async || !s->wk) {
        IOF_TRY(drain_wait(s));
        if (!sf->cl)
            return IOF_OK;
        drain_ctx d = here(s, sf);
        return iof__cluster_drain(sf->cl, drain_one, &d);
    }
    const unsigned most = s->cfg.two_in_flight ? SINK_IN_FLIGHT : 1;
    if (s->jn == most) { /* the oldest written first */
        iof__worker_wait_below(s->wk, most - 1);
        IOF_TRY(collect(s, s->errmsg));
    }
    iof__cluster *cl = NULL;
    for (int k = 0; k < SINK_IN_FLIGHT && !cl; k++) {
        cl = s->spare[k];
        s->spare[k] = NULL;
    }
    if (!cl && iof__cluster_create(&cl, s->kind, s->cl_rows, s->cl_bytes) != IOF_OK)
        return iof__fail(s->errmsg, sizeof(s->errmsg), IOF_E_NOMEM, "out of memory");
    struct drain_job *j = job_push(s, sf);
    j->cl = sf->cl;
    sf->cl = cl;
    iof__worker_submit(s->wk, drain_job_run, j);
    return IOF_OK;
}

/* --overwrite: once part 0 of a day replaced an earlier run's file, that run's later parts of
 * the same day are stale (this run writes its own part 1.. after part 0 is published). */
static void remove_stale_parts(iof__sink *s, const sink_file *sf)
{
    for (int part = 1; part < IOF_MAX_PARTS; part++) {
        sink_file probe = *sf;
        probe.part = part;
        char p[4096];
        if (make_path(s, &probe, p, sizeof(p)) != IOF_OK || unlink(p) != 0)
            break;
    }
}

/* Completes (ok) or removes (!ok) an open file. A completed file is published at once, or
 * with `defer` kept under its temporary name for iof__sink_close to publish with the others. */
static int close_file(iof__sink *s, sink_file *sf, bool ok, bool defer)
{
    if (!sf->open)
        return IOF_OK;
    sf->open = false;
    /* completed ahead (iof__sink_close): here (crc), or on the helper, whose result the
     * drain_wait() of this file's close or an earlier one returns (crc then IOF_OK) */
    const bool early = sf->completed;
    int rc = drain_wait(s); /* the helper may be writing this file */
    if (sf->completed && rc == IOF_OK && (rc = sf->crc) != IOF_OK && sf == s->fin_sf && ok && s->fin_msg[0])
        memcpy(s->errmsg, s->fin_msg, sizeof(s->errmsg)); /* the helper completed it: the run's failure */
    sf->completed = false;
    if (!early && rc == IOF_OK && ok) {
        drain_ctx d = here(s, sf);
        rc = complete(&d);
    } else if (!early) {
        s->fmts[sf->fmt].ops->abort(sf->w);
    }
    iof__cluster_destroy(sf->cl);
    sf->cl = NULL;
    if (rc != IOF_OK || !ok) {
        iof__outfile_abort(sf->f);
        return rc;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s", iof__outfile_path(sf->f));
    if ((rc = reserve_done(s, path)) != IOF_OK) {
        iof__outfile_abort(sf->f);
        return rc;
    }
    if (!defer) {
        char err[1024];
        if ((rc = iof__outfile_publish(sf->f, err, sizeof(err))) != IOF_OK) {
            snprintf(s->errmsg, sizeof(s->errmsg), "%s", err);
            return rc;
        }
        if (sf->replaces && sf->part == 0)
            remove_stale_parts(s, sf);
        return record_done(s, sf, path, sf->replaces);
    }
    /* deferred files are the ones open at iof__sink_close: at most IOF_MAX_OPEN_FILES */
    /* listed first: pending[i] is always done[ndone - npending + i] */
    if ((rc = record_done(s, sf, path, sf->replaces)) != IOF_OK) {
        iof__outfile_abort(sf->f);
        return rc;
    }
    s->pending_sf[s->npending] = *sf;
    s->pending[s->npending++] = sf->f;
    return IOF_OK;
}

static int open_file(iof__sink *s, sink_file *sf, int fmt, unsigned sub, int64_t day, int part)
{
    memset(sf, 0, sizeof(*sf));
    sf->fmt = fmt;
    sf->sub = sub;
    sf->day = day;
    sf->part = part;
    char path[4096];
    bool checked = false;
    if (s->to_stdout) {
        strcpy(path, "-");
    } else {
        for (;;) {
            if (make_path(s, sf, path, sizeof(path)) != IOF_OK)
                return iof__fail(s->errmsg, sizeof(s->errmsg), IOF_E_OUTPUT, "output path too long");
            if (!iof__outfile_path_taken(path))
                break;
            if (s->cfg.existing == IOF_EXISTING_OVERWRITE) {
                sf->replaces = true;
                break;
            }
            if (s->cfg.existing == IOF_EXISTING_REFUSE)
                return iof__fail(s->errmsg, sizeof(s->errmsg), IOF_E_EXISTS,
                                 "%s already exists (an earlier run's output for the same day, "
                                 "variant and format): nothing was written; --overwrite replaces "
                                 "it, --append adds part files beside it", path);
            /* --append: the file beside which the parts go (the first taken path) holds this
             * run's columns, else the day's files would disagree on them */
            if (s->cfg.check_append && !checked) {
                checked = true;
                if (s->cfg.check_append(s->cfg.check_ctx, path, &s->schema[s->fmts[fmt].layout], s->errmsg,
                                        sizeof(s->errmsg)) != IOF_OK)
                    return IOF_E_EXISTS;
            }
            if (++sf->part >= IOF_MAX_PARTS) /* --append: the next free part */
                return iof__fail(s->errmsg, sizeof(s->errmsg), IOF_E_OUTPUT,
                                 "%s: more than %d part files", path, IOF_MAX_PARTS);
        }
    }
    IOF_TRY(iof__outfile_open(&sf->f, path, s->errmsg, sizeof(s->errmsg)));
    int layout = s->fmts[fmt].layout;
    /* the run's key-value metadata (the kind's name among them), plus what this file holds:
     * a file moved out of its variant folder still says which variant it is (the writer
     * copies the pairs) */
    iof__writer_opts wo = s->cfg.wopts;
    iof__kv kv[SINK_MAX_KV + 1];
    size_t nkv = wo.n_kv < SINK_MAX_KV ? wo.n_kv : SINK_MAX_KV;
    if (nkv) /* a sink without run pairs (tests) passes no array */
        memcpy(kv, wo.kv, nkv * sizeof(*kv));
    kv[nkv++] = (iof__kv){ s->kind->sub_kv, s->kind->sub_names[sub] };
    wo.kv = kv;
    wo.n_kv = nkv;
    int rc = s->fmts[fmt].ops->open(&sf->w, sf->f, &s->schema[layout], &wo, s->errmsg,
                                    sizeof(s->errmsg));
    if (rc != IOF_OK) {
        iof__outfile_abort(sf->f);
        return rc;
    }
    if (s->fmts[fmt].cluster &&
        iof__cluster_create(&sf->cl, s->kind, s->cl_rows, s->cl_bytes) != IOF_OK) {
        s->fmts[fmt].ops->abort(sf->w);
        iof__outfile_abort(sf->f);
        return iof__fail(s->errmsg, sizeof(s->errmsg), IOF_E_NOMEM, "out of memory");
    }
    sf->open = true;
    return IOF_OK;
}

/* Parts: a (format, sub-partition, day) file opened again gets the part after the last one this
 * run wrote (with --append, after the last one on disk too: open_file). */
static int parts_used(const iof__sink *s, int fmt, unsigned sub, int64_t day)
{
    int n = 0;
    for (size_t i = 0; i < s->ndone; i++) {
        const iof__sink_file_info *d = &s->done[i];
        if (d->sub == sub && d->day == day && d->part >= n &&
            strcmp(d->format, s->fmts[fmt].ops->name) == 0)
            n = d->part + 1;
    }
    return n;
}

static sink_file *get_file(iof__sink *s, int fmt, unsigned sub, int64_t day, int *rc)
{
    sink_file *lru = NULL, *empty = NULL;
    for (int i = 0; i < IOF_MAX_OPEN_FILES; i++) {
        sink_file *sf = &s->files[i];
        if (!sf->open) {
            if (!empty)
                empty = sf;
            continue;
        }
        if (sf->fmt == fmt && sf->sub == sub && (s->to_stdout || sf->day == day))
            return sf;
        if (!lru || sf->last_use < lru->last_use)
            lru = sf;
    }
    if (!empty) {
        if ((*rc = close_file(s, lru, true, false)) != IOF_OK)
            return NULL;
        empty = lru;
    }
    int part = s->to_stdout ? 0 : parts_used(s, fmt, sub, day);
    if ((*rc = open_file(s, empty, fmt, sub, day, part)) != IOF_OK)
        return NULL;
    return empty;
}

int iof__sink_write(iof__sink *s, const void *rec)
{
    iof__row_part part;
    s->kind->partition(rec, &part);
    if (part.sub >= s->kind->n_sub)
        return iof__fail(s->errmsg, sizeof(s->errmsg), IOF_E_INVAL, "%s record: sub-partition %u of %u",
                         s->kind->name, part.sub, s->kind->n_sub);
    for (int fi = 0; fi < s->nfmts; fi++) {
        int rc = IOF_OK;
        sink_file *sf = get_file(s, fi, part.sub, part.day, &rc);
        if (!sf)
            return rc;
        sf->last_use = ++s->tick;
        if (!sf->cl) {
            drain_ctx d = here(s, sf);
            IOF_TRY(write_rec(&d, rec));
            continue;
        }
        if (iof__cluster_full(sf->cl))
            IOF_TRY(drain(s, sf, true));
        if (iof__cluster_add(sf->cl, rec) != IOF_OK)
            return iof__fail(s->errmsg, sizeof(s->errmsg), IOF_E_NOMEM, "out of memory");
    }
    return IOF_OK;
}

/* The order files are completed in: by (format, sub-partition, day). */
static bool comes_before(const sink_file *a, const sink_file *b)
{
    return a->fmt < b->fmt || (a->fmt == b->fmt && (a->sub < b->sub || (a->sub == b->sub && a->day < b->day)));
}

/* The open file that comes first among those of days < before_day. */
static sink_file *first_open(iof__sink *s, int64_t before_day)
{
    sink_file *best = NULL;
    for (int i = 0; i < IOF_MAX_OPEN_FILES; i++) {
        sink_file *sf = &s->files[i];
        if (sf->open && sf->day < before_day && (!best || comes_before(sf, best)))
            best = sf;
    }
    return best;
}

int iof__sink_complete_before(iof__sink *s, int64_t ns)
{
    if (s->to_stdout)
        return IOF_OK;
    int64_t day = iof__day_of_ns(ns);
    for (sink_file *sf; (sf = first_open(s, day)) != NULL;)
        IOF_TRY(close_file(s, sf, true, false));
    return IOF_OK;
}

/* Forgets done[from..]: files that were not published after all. */
static void unlist_from(iof__sink *s, size_t from)
{
    for (size_t k = from; k < s->ndone; k++)
        free(s->done[k].path);
    s->ndone = from;
}

/* The file whose last batch and finish iof__sink_close hands to the helper: the one whose batch
 * was handed over last, when there is one (the helper writes it after the others, so this
 * thread need not wait for it: wait_others), else the first open file. */
static sink_file *helper_file(iof__sink *s)
{
    if (s->jn) {
        sink_file *sf = s->job[(s->j0 + s->jn - 1) % SINK_IN_FLIGHT].sf;
        if (sf && sf->open)
            return sf;
    }
    return first_open(s, INT64_MAX);
}

/* Collects the batches in flight up to the last one of a file other than sf0 (the helper
 * writes them in the order they were handed over), and the oldest one when every slot is
 * sf0's: then this thread may write the other files, and sf0's last job has a slot. The first
 * failure among the collected jobs is returned. */
static int wait_others(iof__sink *s, const sink_file *sf0)
{
    unsigned need = 0;
    for (unsigned k = 0; k < s->jn; k++)
        if (s->job[(s->j0 + k) % SINK_IN_FLIGHT].sf != sf0)
            need = k + 1;
    if (need == 0 && s->jn == SINK_IN_FLIGHT)
        need = 1;
    return collect_oldest(s, need, s->errmsg);
}

/* Before the helper completes sf0 beside this thread: waits for what this thread's files need
 * (wait_others) when turning side_by_side on while the helper still writes sf0's batches
 * changes no cut (the run's budget cannot cut two writers: !iof__pq_regions_cuts_two, as with
 * the default budget), else for every batch. */
static int wait_for(iof__sink *s, const sink_file *sf0)
{
    if (s->regions && iof__pq_regions_cuts_two(s->regions, s->cfg.wopts.row_group_bytes))
        return drain_wait(s);
    return wait_others(s, sf0);
}

int iof__sink_close(iof__sink *s, bool ok)
{
    int first = IOF_OK;
    /* One file's last batch and finish go to the helper while this thread completes the
     * others (their files' bytes do not depend on the thread; the writers' last row groups are
     * then written side by side, pq_flush.c): on dense, the default command's two files were
     * completed one after the other after the input ended (bench/README.md 2026-12-07 "The
     * tail"). The helper's is the file of the batch it was handed last, so this thread starts
     * on the others as soon as their batches are written, not after every batch in flight:
     * with two in flight (a sharded run's two files) it waited for both, 3-49 ms on dense
     * (bench/README.md 2026-12-07 "The close"). */
    sink_file *sf0 = s->wk ? helper_file(s) : first_open(s, INT64_MAX);
    sink_file *rest[IOF_MAX_OPEN_FILES]; /* the others, in that order */
    size_t nrest = 0;
    for (int i = 0; i < IOF_MAX_OPEN_FILES && sf0; i++) {
        sink_file *sf = &s->files[i];
        if (!sf->open || sf == sf0)
            continue;
        size_t k = nrest++;
        for (; k > 0 && comes_before(sf, rest[k - 1]); k--)
            rest[k] = rest[k - 1];
        rest[k] = sf;
    }
    /* At most two Parquet files side by side, and then the run's budget cuts nothing (its cap
     * alone bounds each: pq_regions.c, iof__pqw_budget_cut), so the files stay the same whatever
     * the threads' timing; with more (a capture ending after midnight: 2 days x 2 variants) they
     * are completed one after the other, as the budget's sum expects. */
    size_t npq = 0;
    for (size_t k = 0; k < nrest; k++)
        npq += rest[k]->cl != NULL;
    /* One Parquet file left: its row groups written from now on may take the second core
     * (pq_flush.c). Not with two or more: their last row groups are written at once and keep
     * both cores busy, and splitting them did not shorten dense's tail (bench/README.md
     * 2026-12-07 "One row group on two threads"). */
    if (ok && s->regions && sf0 && npq + (sf0->cl != NULL) == 1)
        iof__pq_regions_closing(s->regions, true);
    if (ok && s->wk && sf0 && sf0->cl && nrest && npq <= 1 && (first = wait_for(s, sf0)) == IOF_OK) {
        if (npq && s->regions)
            iof__pq_regions_side_by_side(s->regions, true);
        struct drain_job *j = job_push(s, sf0);
        sf0->completed = true; /* its crc: below, once the helper is done */
        iof__worker_submit(s->wk, complete_job_run, j);
        for (size_t k = 0; k < nrest; k++) { /* until one fails: close_file() aborts the rest */
            drain_ctx d = here(s, rest[k]);
            rest[k]->completed = true;
            if ((rest[k]->crc = complete(&d)) != IOF_OK)
                break;
        }
        /* the helper's file, with its own result and message: a failure is the run's in the
         * completion order below, whichever thread completed which file (sf0 may come after a
         * file that failed here: then that one's message is the run's, as with --threads 1) */
        s->fin_sf = sf0;
        s->fin_msg[0] = '\0';
        sf0->crc = drain_wait_to(s, s->fin_msg);
    }
    /* complete in a stable order: by format, sub-partition, day */
    for (sink_file *sf; (sf = first_open(s, INT64_MAX)) != NULL;) {
        int rc = close_file(s, sf, ok && first == IOF_OK, true);
        if (rc != IOF_OK && first == IOF_OK)
            first = rc;
    }
    /* The files completed here (listed last in done[]): publish all of them, or none. A
     * rename that fails leaves the ones renamed before it published. */
    size_t base = s->ndone - s->npending, published = 0;
    for (size_t i = 0; i < s->npending; i++) {
        if (ok && first == IOF_OK) {
            char err[1024];
            int rc = iof__outfile_publish(s->pending[i], err, sizeof(err));
            if (rc != IOF_OK) {
                first = rc;
                snprintf(s->errmsg, sizeof(s->errmsg), "%s", err);
            } else {
                published++;
                if (s->pending_sf[i].replaces && s->pending_sf[i].part == 0)
                    remove_stale_parts(s, &s->pending_sf[i]);
            }
        } else {
            iof__outfile_abort(s->pending[i]);
        }
    }
    unlist_from(s, base + published);
    s->npending = 0;
    s->fin_sf = NULL;
    return first;
}

size_t iof__sink_unpublish(iof__sink *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->ndone; i++) {
        if (!s->done[i].replaced && unlink(s->done[i].path) == 0)
            n++;
        free(s->done[i].path);
    }
    s->ndone = 0;
    return n;
}

void iof__sink_destroy(iof__sink *s)
{
    if (!s)
        return;
    iof__sink_close(s, false);
    iof__worker_stop(s->wk);
    for (int k = 0; k < SINK_IN_FLIGHT; k++)
        iof__cluster_destroy(s->spare[k]);
    for (int l = 0; l < 2; l++) {
        if (s->use_layout[l])
            iof__schema_free(&s->schema[l]);
        if (s->kind) {
            s->kind->builder_free(s->build[l]);
            s->kind->builder_free(s->hbuild[l]);
        }
    }
    for (size_t i = 0; i < s->ndone; i++)
        free(s->done[i].path);
    free(s->done);
    free(s->dir);
    iof__pq_regions_free(s->regions); /* after every writer (closed above) */
    free(s);
}

const char *iof__sink_errmsg(const iof__sink *s) { return s->errmsg; }
const iof__row_kind *iof__sink_kind(const iof__sink *s) { return s->kind; }

const iof__sink_file_info *iof__sink_files(const iof__sink *s, size_t *n)
{
    *n = s->ndone;
    return s->done;
}
