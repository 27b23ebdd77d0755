/* Relabelling written custom-flow outputs (see relabel.h), and the rewriting engine of the three
 * formats that the labels and fuse.c's sensor context share (relabel_int.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/csv.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/json.h"
#include "dataset/relabel_int.h"
#include "kinds/customflow.h"
#include "output/outfile.h"
#include "output/parquet/pq_reader.h"
#include "output/textbuf.h"
#include "output/writer.h"


/* ---- the plan: which columns the rules read, which are the old labels, where labels go ---- */

bool iof__rw_span_is(name_span s, const char *lit)
{
    return strlen(lit) == s.n && memcmp(s.p, lit, s.n) == 0;
}

/* The source column of each attribute, by the kind's own names (iof__cf_col_names). */
long iof__rw_find_cf(const name_span *names, size_t n, iof__cf_col c)
{
    iof__colnames cn = iof__cf_col_names(c);
    for (size_t i = 0; i < n; i++)
        if (iof__rw_span_is(names[i], cn.wide) || iof__rw_span_is(names[i], cn.nested))
            return (long)i;
    return -1;
}

static void find_cols(plan *pl, const name_span *names, size_t n)
{
    static const struct { int a; iof__cf_col c; } map[] = {
        { A_PROTO, IOF__CF_PROTO }, { A_REMIP, IOF__CF_REMIP }, { A_DEVPORT, IOF__CF_DEVPORT },
        { A_REMPORT, IOF__CF_REMPORT }, { A_FIRST, IOF__CF_FIRST_SEEN }, { A_DEVIP, IOF__CF_DEVIP },
        { A_DEVNAME, IOF__CF_DEVNAME }, { A_DEVTYPE, IOF__CF_DEVTYPE },
    };
    for (int a = 0; a < A__N; a++)
        pl->col[a] = -1;
    pl->wide = false;
    for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++)
        pl->col[map[m].a] = iof__rw_find_cf(names, n, map[m].c);
    if (pl->col[A_FIRST] >= 0)
        pl->wide = iof__rw_span_is(names[pl->col[A_FIRST]], iof__cf_col_names(IOF__CF_FIRST_SEEN).wide);
    for (size_t i = 0; i < n && pl->col[A_DIR0] < 0; i++) {
        char name[IOF_MAX_COLNAME];
        if (names[i].n >= sizeof(name))
            continue;
        memcpy(name, names[i].p, names[i].n);
        name[names[i].n] = '\0';
        if (iof__cf_is_first_dir_col(name, &pl->dir0_list))
            pl->col[A_DIR0] = (long)i;
    }
}

static int make_plan(plan *pl, const name_span *names, size_t n, const iof__labeller *lb, const char *path,
                     char *err, size_t errlen)
{
    find_cols(pl, names, n);
    /* the columns every custom-flow file has (the first packet's direction: with --packets 0
     * there is none, checked below against what the rules read) */
    static const struct { int a; iof__cf_col c; } required[] = {
        { A_PROTO, IOF__CF_PROTO }, { A_REMIP, IOF__CF_REMIP }, { A_DEVPORT, IOF__CF_DEVPORT },
        { A_REMPORT, IOF__CF_REMPORT }, { A_FIRST, IOF__CF_FIRST_SEEN },
    };
    for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++)
        if (pl->col[required[k].a] < 0) {
            iof__colnames cn = iof__cf_col_names(IOF__CF_FIRST_SEEN);
            bool has_ts = false;
            for (size_t i = 0; i < n; i++)
                has_ts |= iof__rw_span_is(names[i], "timestamp") && !iof__rw_span_is(names[i], cn.wide);
            if (has_ts)
                return iof__fail(err, errlen, IOF_E_INVAL,
                                 "%s: a telemetry or timeline table: only custom-flow outputs are relabelled "
                                 "(label telemetry rows at extraction: extract --table telemetry --rules)", path);
            return iof__fail(err, errlen, IOF_E_INVAL, "%s: not a custom-flow output of iotflow (no column %s)", path,
                             iof__cf_col_names(required[k].c).wide);
        }
    if (n + 2 * iof__labeller_nkeys(lb) > IOF_MAX_COLUMNS)
        return iof__fail(err, errlen, IOF_E_LIMIT, "%s: more than %d columns with the labels", path, IOF_MAX_COLUMNS);
    pl->ncols = n;
    memset(pl->drop, 0, n * sizeof(*pl->drop));
    /* the old labels: K followed by K_rule (no other column of the kind ends in "_rule") */
    long first_drop = -1;
    for (size_t i = 0; i + 1 < n; i++)
        if (iof__lbl_is_rule_of(names[i].p, names[i].n, names[i + 1].p, names[i + 1].n)) {
            pl->drop[i] = pl->drop[i + 1] = true;
            if (first_drop < 0)
                first_drop = (long)i;
            i++;
        }
    if (first_drop >= 0) {
        pl->insert_at = (size_t)first_drop;
    } else {
        long after = -1;
        iof__cf_follow fw;
        if (iof__cf_follow_init(&fw) != IOF_OK)
            return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            if (iof__cf_label_follows(&fw, names[i].p, names[i].n))
                after = (long)i;
        iof__cf_follow_free(&fw);
        if (after < 0)
            return iof__fail(err, errlen, IOF_E_INVAL, "%s: not a custom-flow output of iotflow (no column %s)",
                             path, iof__cf_labels_follow[0]);
        pl->insert_at = (size_t)after + 1;
    }
    /* a key whose columns would repeat a column the file keeps */
    for (size_t k = 0; k < iof__labeller_nkeys(lb); k++)
        for (int rule = 0; rule < 2; rule++) {
            char name[IOF_MAX_COLNAME];
            iof__lbl_col_name(name, iof__labeller_key(lb, k), rule);
            /* in any case, as extract's check (kinds/labelcols.c): readers such as DuckDB
             * match column names so */
            for (size_t i = 0; i < n; i++)
                if (!pl->drop[i] && names[i].n == strlen(name) && strncasecmp(names[i].p, name, names[i].n) == 0)
                    return iof__fail(err, errlen, IOF_E_INVAL,
                                     "%s: key \"%s\" would add a column \"%s\", which %s already has as "
                                     "\"%.*s\" (column names are matched without case)",
                                     iof__labeller_key_where(lb, k), iof__labeller_key(lb, k), name, path,
                                     (int)names[i].n, names[i].p);
        }
    /* what the rules read and the file does not carry */
    const char *where[IOF_LBL_NEED__COUNT];
    iof__labeller_needs(lb, where);
    static const iof__lbl_need never[] = { IOF_LBL_NEED_TTL_OUT, IOF_LBL_NEED_TTL_IN, IOF_LBL_NEED_TIME_LAST };
    for (size_t k = 0; k < sizeof(never) / sizeof(never[0]); k++)
        if (where[never[k]])
            return iof__fail(err, errlen, IOF_E_INVAL,
                             "%s reads %s, which custom-flow outputs do not carry: label at extraction "
                             "(extract --rules) to use it",
                             where[never[k]], iof__lbl_need_name(never[k]));
    if (where[IOF_LBL_NEED_DEV_ADDR] && pl->col[A_DEVIP] < 0)
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "%s reads the device address, which %s does not carry: extract with --device-ip "
                         "to relabel with it",
                         where[IOF_LBL_NEED_DEV_ADDR], path);
    pl->need_dir = where[IOF_LBL_NEED_FIRST_DIR] != NULL;
    if (pl->need_dir && pl->col[A_DIR0] < 0)
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "%s reads the first packet's direction (first dir, src, dst, sport, dport), which %s "
                         "does not carry (written with --packets 0)",
                         where[IOF_LBL_NEED_FIRST_DIR], path);
    pl->need_rem = where[IOF_LBL_NEED_REM_ADDR] != NULL;
    pl->need_names = where[IOF_LBL_NEED_DEVICE_NAME] || where[IOF_LBL_NEED_DEVICE_TYPE];
    return IOF_OK;
}

/* ---- one row's cells and attributes ------------------------------------------------------ */

int iof__rw_where_fail(const src *s, char *err, size_t errlen, int code, const char *what, const char *col)
{
    if (s->fmt == IOF__DS_PARQUET)
        return iof__fail(err, errlen, code, "%s: row %ld: %s: %s", s->path, s->line, col, what);
    return iof__fail(err, errlen, code, "%s:%ld: %s: %s", s->path, s->line, col, what);
}

int iof__rw_cell(src *s, long col, bool list0, cell *c, char *err, size_t errlen)
{
    *c = (cell){ .null = true };
    if (s->fmt == IOF__DS_PARQUET) {
        uint32_t cnt = list0 ? iof__pq_reader_count(s->pq, (size_t)col) : 1;
        if (cnt == 0 || cnt == UINT32_MAX)
            return IOF_OK; /* an empty or a null list */
        iof__value v;
        iof__pq_reader_get(s->pq, (size_t)col, 0, &v);
        if (v.null)
            return IOF_OK;
        const iof__column *sc = &iof__pq_reader_schema(s->pq)->cols[col];
        if (sc->type == IOF_VT_STRING || sc->type == IOF_VT_BINARY)
            *c = (cell){ .p = (const char *)v.p, .n = v.len };
        else
            *c = (cell){ .is_int = true, .i = v.i };
        return IOF_OK;
    }
    if (s->fmt == IOF__DS_CSV) {
        if (s->flen[col])
            *c = (cell){ .p = s->f[col], .n = s->flen[col] };
        return IOF_OK;
    }
    const iof__json_member *m = &s->m[col];
    if (m->type == IOF_JSON_NULL)
        return IOF_OK;
    if (m->type != IOF_JSON_STRING || !memchr(m->val, '\\', m->val_len)) {
        *c = (cell){ .p = m->val, .n = m->val_len };
        return IOF_OK;
    }
    long n = iof__json_unescape(m->val, m->val_len, s->scratch + s->scratch_used,
                                sizeof(s->scratch) - s->scratch_used);
    if (n < 0)
        return iof__rw_where_fail(s, err, errlen, IOF_E_FORMAT, "string too long", "a column read");
    *c = (cell){ .p = s->scratch + s->scratch_used, .n = (size_t)n };
    s->scratch_used += (size_t)n;
    return IOF_OK;
}

/* An integer cell within [lo, hi]; `list0`: the first element of a JSON array text. */
bool iof__rw_cell_int(const cell *c, bool list0, int64_t lo, int64_t hi, int64_t *out)
{
    if (c->null)
        return false;
    if (c->is_int) {
        *out = c->i;
        return c->i >= lo && c->i <= hi;
    }
    const char *p = c->p, *e = c->p + c->n;
    if (list0) {
        while (p < e && (*p == '[' || *p == ' '))
            p++;
        const char *q = p;
        while (q < e && *q != ',' && *q != ']' && *q != ' ')
            q++;
        e = q;
    }
    bool neg = p < e && *p == '-';
    p += neg;
    if (p == e || e - p > 19)
        return false;
    uint64_t x = 0;
    for (; p < e; p++) {
        if (*p < '0' || *p > '9')
            return false;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (x > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? -(int64_t)x : (int64_t)x;
    return *out >= lo && *out <= hi;
}

static bool cell_ip(const cell *c, uint8_t *ver, uint8_t ip[16])
{
    char t[64];
    if (c->null || c->is_int || c->n >= sizeof(t))
        return false;
    memcpy(t, c->p, c->n);
    t[c->n] = '\0';
    memset(ip, 0, 16);
    if (inet_pton(AF_INET, t, ip) == 1) {
        *ver = 4;
        return true;
    }
    if (inet_pton(AF_INET6, t, ip) == 1) {
        *ver = 6;
        return true;
    }
    return false;
}

/* A string cell copied NUL-terminated into out (cap bytes); false when null, empty or longer
 * than any inventory field (then no inventory gave it). */
bool iof__rw_cell_text(const cell *c, char *out, size_t cap)
{
    if (c->null || c->is_int || c->n == 0 || c->n >= cap || memchr(c->p, '\0', c->n))
        return false;
    memcpy(out, c->p, c->n);
    out[c->n] = '\0';
    return true;
}

typedef struct row_text {
    char name[IOF_MAX_DEVICE_FIELD], type[IOF_MAX_DEVICE_FIELD];
} row_text;

static int row_attrs(src *s, const plan *pl, iof__lbl_attrs *a, row_text *t, char *err, size_t errlen)
{
    memset(a, 0, sizeof(*a));
    s->scratch_used = 0;
    cell c[A__N];
    for (int k = 0; k < A__N; k++)
        if (pl->col[k] >= 0)
            IOF_TRY(iof__rw_cell(s, pl->col[k], k == A_DIR0 && pl->dir0_list, &c[k], err, errlen));
        else
            c[k] = (cell){ .null = true };
    int64_t x;
    if (!iof__rw_cell_int(&c[A_PROTO], false, 0, 255, &x))
        return iof__rw_where_fail(s, err, errlen, IOF_E_FORMAT, "not a protocol number 0-255", "protocol");
    a->proto = (uint8_t)x;
    if (!cell_ip(&c[A_REMIP], &a->ipver, a->rem_ip))
        return iof__rw_where_fail(s, err, errlen, IOF_E_FORMAT, "not an IP address", "remote address");
    if (pl->need_rem && !pl->anon_off) {
        static const uint8_t zero[16];
        if (memcmp(a->rem_ip, zero, 16) == 0)
            return iof__rw_where_fail(s, err, errlen, IOF_E_FORMAT,
                              "0.0.0.0 or ::, and the rules read remote addresses: a private remote anonymised "
                              "at extraction (--keep-private-ips keeps it), or a real one, which only Parquet "
                              "files tell apart (their metadata says whether addresses were anonymised)",
                              "remote address");
    }
    if (pl->col[A_DEVIP] >= 0) {
        uint8_t ver;
        if (!cell_ip(&c[A_DEVIP], &ver, a->dev_ip) || ver != a->ipver)
            return iof__rw_where_fail(s, err, errlen, IOF_E_FORMAT, "not an IP address of the remote's version",
                              IOF__CF_DEVIP_NAME);
    }
    if (a->proto == 6 || a->proto == 17) {
        int64_t dp, rp;
        if (!iof__rw_cell_int(&c[A_DEVPORT], false, 0, 65535, &dp) || !iof__rw_cell_int(&c[A_REMPORT], false, 0, 65535, &rp))
            return iof__rw_where_fail(s, err, errlen, IOF_E_FORMAT, "not a port 0-65535", "ports");
        a->has |= IOF_LBL_HAS_PORTS;
        a->dev_port = (uint16_t)dp;
        a->rem_port = (uint16_t)rp;
    }
    /* with --packets 0 the slots are absent (or empty lists): the rules do not read it then */
    if (pl->need_dir && !iof__rw_cell_int(&c[A_DIR0], pl->dir0_list, 0, 1, &x))
        return iof__rw_where_fail(s, err, errlen, IOF_E_FORMAT,
                          c[A_DIR0].null || (pl->dir0_list && c[A_DIR0].n <= 2)
                              ? "absent (the file was written with --packets 0), and the rules read it"
                              : "not a direction 0 or 1",
                          "first packet's direction");
    a->first_dir = pl->need_dir && !x ? IOF_LBL_INBOUND : IOF_LBL_OUTBOUND;
    /* µs since the epoch; the rules read ns (years 1970..2261 fit) */
    if (!iof__rw_cell_int(&c[A_FIRST], false, -INT64_MAX / 1000, INT64_MAX / 1000, &x))
        return iof__rw_where_fail(s, err, errlen, IOF_E_FORMAT, "not a µs timestamp", "first_seen");
    a->first_ns = a->last_ns = x * 1000;
    /* JSON Lines writes bytes that are not UTF-8 as U+FFFD: such a name is not the one the
     * rules saw at extraction */
    static const char fffd[] = "\xef\xbf\xbd";
    for (int k = A_DEVNAME; k <= A_DEVTYPE && pl->need_names && s->fmt == IOF__DS_JSONL; k++)
        if (!c[k].null && !c[k].is_int && memmem(c[k].p, c[k].n, fffd, 3))
            return iof__rw_where_fail(s, err, errlen, IOF_E_FORMAT,
                              "holds U+FFFD (bytes that were not UTF-8, replaced when JSON Lines was "
                              "written), and the rules read it: relabel the CSV or Parquet output",
                              k == A_DEVNAME ? "device_name" : "device_type");
    if (iof__rw_cell_text(&c[A_DEVNAME], t->name, sizeof(t->name))) {
        a->has |= IOF_LBL_HAS_DEVICE_NAME;
        a->device_name = t->name;
    }
    if (iof__rw_cell_text(&c[A_DEVTYPE], t->type, sizeof(t->type))) {
        a->has |= IOF_LBL_HAS_DEVICE_TYPE;
        a->device_type = t->type;
    }
    return IOF_OK;
}

/* ---- counts ---------------------------------------------------------------------------------- */

static int add_value(iof__relabel_counts *cn, size_t k, const char *v, uint64_t n)
{
    size_t i = 0;
    while (i < cn->nvals[k] &&
           !(cn->vals[k][i].value == v || (v && cn->vals[k][i].value && strcmp(cn->vals[k][i].value, v) == 0)))
        i++;
    if (i == cn->nvals[k]) {
        IOF_TRY(iof__grow((void **)&cn->vals[k], &cn->capvals[k], i + 1, sizeof(*cn->vals[k]),
                          IOF_RULES_MAX_RULES + 2));
        cn->vals[k][i] = (struct iof__relabel_value){ v, 0 };
        cn->nvals[k]++;
    }
    cn->vals[k][i].n += n;
    return IOF_OK;
}

static int count_labels(iof__relabel_counts *cn, const iof__labeller *lb, const iof__lbl_result *res)
{
    cn->rows++;
    for (size_t k = 0; k < iof__labeller_nkeys(lb) && k < IOF_RULES_MAX_KEYS; k++)
        IOF_TRY(add_value(cn, k, res[k].value, 1));
    return IOF_OK;
}

int iof__relabel_counts_add(iof__relabel_counts *dst, const iof__relabel_counts *from)
{
    dst->rows += from->rows;
    for (size_t k = 0; k < IOF_RULES_MAX_KEYS; k++)
        for (size_t i = 0; i < from->nvals[k]; i++)
            IOF_TRY(add_value(dst, k, from->vals[k][i].value, from->vals[k][i].n));
    return IOF_OK;
}

void iof__relabel_counts_free(iof__relabel_counts *c)
{
    for (size_t k = 0; k < IOF_RULES_MAX_KEYS; k++)
        free(c->vals[k]);
    memset(c, 0, sizeof(*c));
}

/* ---- reading text inputs ------------------------------------------------------------------ */

/* Next non-empty line (no line break) into j->line: 1, 0 at the end, or an error. *crlf: it
 * ended in "\r\n". */
int iof__rl_next_line(job *j, size_t *len, bool *crlf)
{
    for (;;) {
        ssize_t n = getline(&j->line, &j->line_cap, j->fp);
        if (n < 0)
            return ferror(j->fp) ? iof__fail(j->err, j->errlen, IOF_E_IO, "%s: read error", j->in) : 0;
        j->s.line++;
        if ((size_t)n > IOF_DS_MAX_LINE)
            return iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s:%ld: line longer than %u bytes", j->in,
                             j->s.line, IOF_DS_MAX_LINE);
        *crlf = n >= 2 && j->line[n - 2] == '\r' && j->line[n - 1] == '\n';
        while (n && (j->line[n - 1] == '\n' || j->line[n - 1] == '\r'))
            j->line[--n] = '\0';
        if (memchr(j->line, '\0', (size_t)n))
            return iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s:%ld: NUL byte in a text row", j->in, j->s.line);
        if (n) {
            *len = (size_t)n;
            return 1;
        }
    }
}

int iof__rl_flush(job *j)
{
    if (j->tb.oom)
        return iof__fail(j->err, j->errlen, IOF_E_NOMEM, "%s: out of memory (row of %zu bytes)", j->out, j->tb.len);
    int rc = j->gz ? iof__gzout_write(j->gz, j->tb.p, j->tb.len) : iof__outfile_write(j->of, j->tb.p, j->tb.len);
    j->tb.len = 0;
    if (rc != IOF_OK)
        return iof__fail(j->err, j->errlen, rc, "%s", j->gz ? iof__gzout_errmsg(j->gz) : iof__outfile_errmsg(j->of));
    return IOF_OK;
}

/* The label cells of one row (or the header's names) in CSV or JSON. */
void iof__rl_put_labels(job *j, bool csv, bool header, bool *first)
{
    size_t nk = iof__labeller_nkeys(j->lb);
    for (size_t k = 0; k < nk; k++)
        for (int rule = 0; rule < 2; rule++) {
            char name[IOF_MAX_COLNAME];
            iof__lbl_col_name(name, iof__labeller_key(j->lb, k), rule);
            const char *v = rule ? j->res[k].rule : j->res[k].value;
            if (!*first)
                iof__tb_putc(&j->tb, ',');
            *first = false;
            if (csv) {
                const char *t = header ? name : v;
                if (t)
                    iof__tb_csv_str(&j->tb, (const uint8_t *)t, strlen(t));
                continue;
            }
            iof__tb_json_str(&j->tb, (const uint8_t *)name, strlen(name));
            iof__tb_putc(&j->tb, ':');
            if (v)
                iof__tb_json_str(&j->tb, (const uint8_t *)v, strlen(v));
            else
                iof__tb_put(&j->tb, "null", 4);
        }
}

void iof__rl_put_member(job *j, const iof__json_member *m, bool *first)
{
    if (!*first)
        iof__tb_putc(&j->tb, ',');
    *first = false;
    iof__tb_putc(&j->tb, '"');
    iof__tb_put(&j->tb, m->key, m->key_len);
    iof__tb_put(&j->tb, "\":", 2);
    if (m->type == IOF_JSON_STRING)
        iof__tb_putc(&j->tb, '"');
    iof__tb_put(&j->tb, m->val, m->val_len);
    if (m->type == IOF_JSON_STRING)
        iof__tb_putc(&j->tb, '"');
}

int iof__rl_eval(job *j, const iof__lbl_attrs *a)
{
    iof__labeller_eval(j->lb, a, j->res);
    if (count_labels(j->counts, j->lb, j->res) != IOF_OK)
        return iof__fail(j->err, j->errlen, IOF_E_NOMEM, "out of memory");
    return IOF_OK;
}

/* ---- the labels' operations -------------------------------------------------------------- */

static int lbl_row(job *j)
{
    iof__lbl_attrs a;
    row_text t;
    IOF_TRY(row_attrs(&j->s, &j->pl, &a, &t, j->err, j->errlen));
    IOF_TRY(iof__rl_eval(j, &a));
    memcpy(j->pq_row.lbl.res, j->res, sizeof(j->res));
    return IOF_OK;
}

static int lbl_plan(job *j, const name_span *names, size_t n, char *err, size_t errlen)
{
    return make_plan(&j->pl, names, n, j->lb, j->in, err, errlen);
}

static int lbl_pq_record(job *j, const char *rec)
{
    if (rec && strcmp(rec, "customflow") != 0)
        return iof__fail(j->err, j->errlen, IOF_E_INVAL,
                         "%s: a %s table: only custom-flow outputs are relabelled (label telemetry rows at "
                         "extraction: extract --table telemetry --rules)",
                         j->in, rec);
    const char *anon = iof__pq_reader_kv(j->s.pq, "iotflow.anonymise");
    j->pl.anon_off = anon && strcmp(anon, "false") == 0;
    return IOF_OK;
}

static void lbl_put_text(job *j, bool csv, bool header, bool *first)
{
    iof__rl_put_labels(j, csv, header, first);
}

static const iof__colgroup g_labels = { .name = "labels", .ops = { .get = iof__lbl_get },
                                        .row_off = offsetof(rw_pq_row, lbl) };

static int lbl_declare(job *j, iof__schema *out)
{
    for (size_t k = 0; k < iof__labeller_nkeys(j->lb); k++)
        for (int rule = 0; rule < 2; rule++) {
            char name[IOF_MAX_COLNAME];
            iof__lbl_col_name(name, iof__labeller_key(j->lb, k), rule);
            IOF_TRY(iof__schema_add(out, name, IOF_VT_STRING, true, false, (uint16_t)(2 * k + (size_t)rule), 0, NULL));
            out->cols[out->n - 1].group = &g_labels;
        }
    return IOF_OK;
}

static const rw_ops lbl_ops = { lbl_plan, lbl_pq_record, lbl_row, lbl_put_text, lbl_declare };

/* ---- the three formats, for any adder ---------------------------------------------------- */

/* The n fields of j->s (the header's names or a row's cells) with the labels in their place. */
static int put_csv_row(job *j, int n, bool header, const char *eol)
{
    bool first = true;
    for (int i = 0; i <= n; i++) {
        if ((size_t)i == j->pl.insert_at)
            j->ops->put_text(j, true, header, &first);
        if (i == n || j->pl.drop[i])
            continue;
        if (!first)
            iof__tb_putc(&j->tb, ',');
        first = false;
        iof__tb_csv_str(&j->tb, (const uint8_t *)j->s.f[i], j->s.flen[i]);
    }
    iof__tb_puts(&j->tb, eol);
    return iof__rl_flush(j);
}

static int do_csv(job *j)
{
    size_t len;
    bool crlf;
    int rc = iof__rl_next_line(j, &len, &crlf);
    if (rc <= 0)
        return rc < 0 ? rc : iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s: empty file (no CSV header)", j->in);
    const char *eol = crlf ? "\r\n" : "\n";
    int n = iof__csv_split(j->line, j->s.f, j->s.flen, RL_MAX_MEMBERS);
    if (n < 0)
        return iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s:1: malformed CSV header", j->in);
    name_span *names = malloc((size_t)n * sizeof(*names));
    if (!names)
        return iof__fail(j->err, j->errlen, IOF_E_NOMEM, "out of memory");
    for (int i = 0; i < n; i++)
        names[i] = (name_span){ j->s.f[i], j->s.flen[i] };
    rc = j->ops->plan(j, names, (size_t)n, j->err, j->errlen);
    free(names);
    if (rc != IOF_OK || !j->out)
        return rc;
    /* header: the same names, the added ones in their place */
    IOF_TRY(put_csv_row(j, n, true, eol));
    while ((rc = iof__rl_next_line(j, &len, &crlf)) > 0) {
        int nf = iof__csv_split(j->line, j->s.f, j->s.flen, RL_MAX_MEMBERS);
        if (nf < 0)
            return iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s:%ld: malformed CSV row", j->in, j->s.line);
        if (nf != n)
            return iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s:%ld: %d fields, the header has %d", j->in,
                             j->s.line, nf, n);
        IOF_TRY(j->ops->row(j));
        IOF_TRY(put_csv_row(j, n, false, eol));
    }
    return rc;
}

static int do_jsonl(job *j)
{
    size_t len;
    bool crlf;
    int rc;
    name_span *names = malloc(RL_MAX_MEMBERS * sizeof(*names));
    size_t *koff = malloc((RL_MAX_MEMBERS + 1) * sizeof(*koff)); /* the planned row's keys */
    iof__tbuf keys = { 0 };
    int nkeys = -1;
    if (!names || !koff) {
        free(names);
        free(koff);
        return iof__fail(j->err, j->errlen, IOF_E_NOMEM, "out of memory");
    }
    while ((rc = iof__rl_next_line(j, &len, &crlf)) > 0) {
        const char *why;
        size_t at;
        int nm = iof__json_object(j->line, len, j->s.m, RL_MAX_MEMBERS, &why, &at);
        if (nm < 0) {
            rc = iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s:%ld: column %zu: %s", j->in, j->s.line, at + 1, why);
            break;
        }
        /* a JSON object's members are named in each row: a row is planned again unless its keys
         * are the previous row's (what every row of a file we wrote does; a wide row has 3,000) */
        bool same = nm == nkeys;
        for (int i = 0; same && i < nm; i++) {
            size_t kl = j->s.m[i].key_len;
            same = kl == koff[i + 1] - koff[i] && (kl == 0 || memcmp(j->s.m[i].key, keys.p + koff[i], kl) == 0);
        }
        if (!same) {
            keys.len = 0;
            for (int i = 0; i < nm; i++) {
                names[i] = (name_span){ j->s.m[i].key, j->s.m[i].key_len };
                koff[i] = keys.len;
                iof__tb_put(&keys, j->s.m[i].key, j->s.m[i].key_len);
            }
            koff[nm] = keys.len;
            nkeys = keys.oom ? -1 : nm;
            char perr[1024];
            if ((rc = j->ops->plan(j, names, (size_t)nm, perr, sizeof(perr))) != IOF_OK) {
                size_t il = strlen(j->in);
                bool named = strncmp(perr, j->in, il) == 0 && perr[il] == ':' && perr[il + 1] == ' ';
                rc = iof__fail(j->err, j->errlen, rc == IOF_E_INVAL && j->out ? IOF_E_FORMAT : rc, "%s:%ld: %s",
                               j->in, j->s.line, named ? perr + il + 2 : perr);
                break;
            }
        }
        if (!j->out)
            break;
        if ((rc = j->ops->row(j)) != IOF_OK)
            break;
        iof__tb_putc(&j->tb, '{');
        bool first = true;
        for (int i = 0; i <= nm; i++) {
            if ((size_t)i == j->pl.insert_at)
                j->ops->put_text(j, false, false, &first);
            if (i == nm || j->pl.drop[i])
                continue;
            iof__rl_put_member(j, &j->s.m[i], &first);
        }
        iof__tb_put(&j->tb, "}\n", 2);
        if ((rc = iof__rl_flush(j)) != IOF_OK)
            break;
    }
    free(names);
    free(koff);
    iof__tb_free(&keys);
    return rc; /* an empty file (no rows) is copied empty */
}

/* Parquet: the input's columns read straight from the reader, the added ones from the job's
 * rw_pq_row through the adder's group. */

/* The schema's own accessor (the Parquet writer reads cells through it): the added columns'
 * group, or the reader. */
static void pass_get(const void *row, const iof__column *c, uint32_t k, iof__value *v)
{
    if (c->group)
        c->group->ops.get((const char *)row + c->group->row_off, c, k, v);
    else
        iof__pq_reader_get(((const rw_pq_row *)row)->r, c->index, k, v);
}

static uint32_t pass_count(const void *row, const iof__column *c)
{
    return c->group ? 1 : iof__pq_reader_count(((const rw_pq_row *)row)->r, c->index);
}

static int pq_schema(job *j, iof__schema *out)
{
    const iof__schema *in = iof__pq_reader_schema(j->s.pq);
    IOF_TRY(iof__schema_init(out, in->name, (iof__row_ops){ .get = pass_get, .count = pass_count }));
    for (size_t i = 0; i <= in->n; i++) {
        if (i == j->pl.insert_at)
            IOF_TRY(j->ops->declare(j, out));
        if (i < in->n && !j->pl.drop[i]) {
            iof__column c = in->cols[i];
            c.index = (uint32_t)i;
            c.group = NULL;
            IOF_TRY(iof__schema_add_column(out, &c));
        }
    }
    return IOF_OK;
}

static int do_parquet(job *j)
{
    int rc = iof__pq_reader_open(&j->s.pq, j->in, j->err, j->errlen);
    if (rc != IOF_OK)
        return rc;
    const iof__schema *in = iof__pq_reader_schema(j->s.pq);
    IOF_TRY(j->ops->pq_record(j, iof__pq_reader_kv(j->s.pq, "iotflow.record")));
    name_span *names = malloc((in->n ? in->n : 1) * sizeof(*names));
    if (!names)
        return iof__fail(j->err, j->errlen, IOF_E_NOMEM, "out of memory");
    for (size_t i = 0; i < in->n; i++)
        names[i] = (name_span){ in->cols[i].name, strlen(in->cols[i].name) };
    rc = j->ops->plan(j, names, in->n, j->err, j->errlen);
    free(names);
    if (rc != IOF_OK || !j->out)
        return rc;

    iof__schema s = { 0 };
    size_t nkv = iof__pq_reader_nkv(j->s.pq);
    iof__kv *kv = calloc(nkv + j->n_add_kv + 1, sizeof(*kv));
    iof__writer *w = NULL;
    if (!kv || (rc = pq_schema(j, &s)) != IOF_OK) {
        free(kv);
        iof__schema_free(&s);
        return iof__fail(j->err, j->errlen, rc == IOF_E_LIMIT ? rc : IOF_E_NOMEM, "%s: %s", j->out,
                         rc == IOF_E_LIMIT ? "too many columns" : "out of memory");
    }
    for (size_t i = 0; i < nkv; i++)
        iof__pq_reader_kv_at(j->s.pq, i, &kv[i].key, &kv[i].value);
    for (size_t i = 0; i < j->n_add_kv; i++) /* the adder's own, after the file's */
        kv[nkv + i] = j->add_kv[i];
    iof__writer_opts wo = { .codec = IOF_CODEC_ZSTD, .kv = kv, .n_kv = nkv + j->n_add_kv,
                            .threads = j->threads };
    rc = iof__writer_parquet.open(&w, j->of, &s, &wo, j->err, j->errlen);
    j->pq_row.r = j->s.pq;
    while (rc == IOF_OK) {
        int more = iof__pq_reader_next(j->s.pq);
        if (more < 0)
            rc = iof__fail(j->err, j->errlen, more, "%s: %s", j->in, iof__pq_reader_errmsg(j->s.pq));
        if (more <= 0)
            break;
        j->s.line++;
        if ((rc = j->ops->row(j)) != IOF_OK)
            break;
        if ((rc = iof__writer_parquet.write(w, &j->pq_row)) != IOF_OK)
            rc = iof__fail(j->err, j->errlen, rc, "%s: %s", j->out,
                           iof__outfile_errmsg(j->of)[0] ? iof__outfile_errmsg(j->of) : "cannot write");
    }
    char werr[512] = "";
    if (w && rc == IOF_OK && (rc = iof__writer_parquet.finish(w, werr, sizeof werr)) != IOF_OK)
        iof__fail(j->err, j->errlen, rc, "%s: %s", j->out,
                  iof__outfile_errmsg(j->of)[0] ? iof__outfile_errmsg(j->of) : werr[0] ? werr : "cannot write");
    else if (w && rc != IOF_OK)
        iof__writer_parquet.abort(w);
    iof__schema_free(&s);
    free(kv);
    return rc;
}

int iof__rw_run(job *j)
{
    j->s.fmt = iof__ds_format_of(j->in);
    j->s.path = j->in;
    j->pl.drop = malloc(RL_MAX_MEMBERS * sizeof(*j->pl.drop));
    if (!j->pl.drop)
        return iof__fail(j->err, j->errlen, IOF_E_NOMEM, "out of memory");
    if (iof__rl_is_joy(j->in)) {
        if (j->ops != &lbl_ops)
            return iof__fail(j->err, j->errlen, IOF_E_INVAL,
                             "%s: a Joy file: Joy flows carry no device, so they get no sensor context", j->in);
        if (j->out) {
            char oerr[1024];
            int rc = iof__gzout_open(&j->gz, j->out, false, 0, oerr, sizeof(oerr));
            if (rc != IOF_OK)
                return iof__fail(j->err, j->errlen, rc, "%s", oerr);
        }
        if (!(j->s.m = malloc(RL_MAX_MEMBERS * sizeof(*j->s.m))))
            return iof__fail(j->err, j->errlen, IOF_E_NOMEM, "out of memory");
        return iof__rl_do_joy(j);
    }
    if (j->s.fmt == IOF__DS_NONE)
        return iof__fail(j->err, j->errlen, IOF_E_FORMAT, "%s: not an iotflow output (.parquet, .csv, .jsonl)",
                         j->in);
    if (j->out) {
        char oerr[1024];
        int rc = iof__outfile_open(&j->of, j->out, oerr, sizeof(oerr));
        if (rc != IOF_OK)
            return iof__fail(j->err, j->errlen, rc, "%s", oerr);
    }
    if (j->s.fmt == IOF__DS_PARQUET)
        return do_parquet(j);
    if (!(j->fp = fopen(j->in, "r")))
        return iof__fail(j->err, j->errlen, IOF_E_IO, "%s: %s", j->in, strerror(errno));
    if (j->s.fmt == IOF__DS_CSV) {
        j->s.f = malloc(RL_MAX_MEMBERS * sizeof(*j->s.f));
        j->s.flen = malloc(RL_MAX_MEMBERS * sizeof(*j->s.flen));
        if (!j->s.f || !j->s.flen)
            return iof__fail(j->err, j->errlen, IOF_E_NOMEM, "out of memory");
        return do_csv(j);
    }
    if (!(j->s.m = malloc(RL_MAX_MEMBERS * sizeof(*j->s.m))))
        return iof__fail(j->err, j->errlen, IOF_E_NOMEM, "out of memory");
    return do_jsonl(j);
}

int iof__rw_end(job *j, int rc)
{
    if (j->gz) {
        if (rc == IOF_OK && (rc = iof__gzout_finish(j->gz)) != IOF_OK)
            iof__fail(j->err, j->errlen, rc, "%s", iof__gzout_errmsg(j->gz));
        if (rc == IOF_OK) {
            char cerr[1024];
            if ((rc = iof__gzout_publish(j->gz, cerr, sizeof(cerr))) != IOF_OK) /* frees it */
                iof__fail(j->err, j->errlen, rc, "%s", cerr);
        } else {
            iof__gzout_abort(j->gz);
        }
    }
    if (j->gzin)
        gzclose(j->gzin);
    if (j->of) {
        if (rc == IOF_OK) {
            char cerr[1024];
            if ((rc = iof__outfile_commit(j->of, cerr, sizeof(cerr))) != IOF_OK)
                iof__fail(j->err, j->errlen, rc, "%s", cerr);
        } else {
            iof__outfile_abort(j->of);
        }
    }
    iof__pq_reader_close(j->s.pq);
    if (j->fp)
        fclose(j->fp);
    free(j->line);
    free(j->s.f);
    free(j->s.flen);
    free(j->s.m);
    free(j->pl.drop);
    iof__tb_free(&j->tb);
    return rc;
}

int iof__relabel_check(const char *in, const iof__labeller *lb, char *err, size_t errlen)
{
    iof__relabel_counts cn = { 0 };
    job j = { .ops = &lbl_ops, .in = in, .lb = lb, .counts = &cn, .err = err, .errlen = errlen };
    j.pq_row.lbl.lb = lb;
    int rc = iof__rw_end(&j, iof__rw_run(&j));
    iof__relabel_counts_free(&cn);
    return rc;
}

int iof__relabel_file(const char *in, const char *out, const iof__labeller *lb, unsigned threads,
                      iof__relabel_counts *counts, char *err, size_t errlen)
{
    job j = { .ops = &lbl_ops, .in = in, .out = out, .lb = lb, .threads = threads, .counts = counts, .err = err,
              .errlen = errlen };
    j.pq_row.lbl.lb = lb;
    return iof__rw_end(&j, iof__rw_run(&j));
}
