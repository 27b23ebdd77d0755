/* iotflow stats PATH...: the per-device and per-protocol tables of the run summary, for
 * captures (extracted in memory, nothing written) and for our own outputs (JSON Lines, CSV,
 * Parquet), so a dataset can be summarised without re-reading its captures. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/csv.h"
#include "common/err.h"
#include "output/outfile.h"
#include "output/parquet/pq_reader.h"
#include "pipeline/report.h"
#include "pipeline/run_int.h"

#define STATS_MAX_LINE (64u << 20)  /* longest JSON/CSV row accepted (a wide row is ~20 KB) */

typedef struct out_row {
    char device[48], name[64], type[64];
    long long proto, packets, bytes;
    bool has_name, has_type;
} out_row;

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int variant_of(const char *path) { return strstr(path, "unidirectional") ? 1 : 0; }

/* ---- JSON Lines: a bounded scanner for the top-level keys we need ------------------- */

/* Copies a JSON string starting at p (just after the opening quote) into out; returns the
 * position after the closing quote, or NULL. Escapes are kept minimal (\" \\ \/ and \uXXXX
 * replaced by '?'): the fields we read are MACs, IPs, names. */
static const char *json_str(const char *p, const char *end, char *out, size_t outlen)
{
    size_t n = 0;
    while (p < end && *p != '"') {
        char c = *p++;
        if (c == '\\' && p < end) {
            c = *p++;
            if (c == 'u') {
                p += (end - p >= 4) ? 4 : end - p;
                c = '?';
            }
        }
        if (n + 1 < outlen)
            out[n++] = c;
    }
    if (p >= end)
        return NULL;
    out[n] = '\0';
    return p + 1;
}

/* Skips one JSON value (string, number, literal, array, object) at p. */
static const char *json_skip(const char *p, const char *end)
{
    int depth = 0;
    bool in_str = false;
    for (; p < end; p++) {
        char c = *p;
        if (in_str) {
            if (c == '\\')
                p++;
            else if (c == '"')
                in_str = false;
            if (!in_str && depth == 0)
                return p + 1;
            continue;
        }
        if (c == '"') { in_str = true; continue; }
        if (c == '[' || c == '{') { depth++; continue; }
        if (c == ']' || c == '}') {
            if (depth == 0)
                return p;
            if (--depth == 0)
                return p + 1;
            continue;
        }
        if (depth == 0 && c == ',')
            return p;
    }
    return p;
}

static bool key_is(const char *k, const char *a, const char *b) { return strcmp(k, a) == 0 || strcmp(k, b) == 0; }

static bool parse_json_row(const char *p, const char *end, out_row *r)
{
    memset(r, 0, sizeof(*r));
    r->proto = -1;
    while (p < end && *p != '{')
        p++;
    if (p >= end)
        return false;
    p++;
    char key[64];
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ','))
            p++;
        if (p >= end || *p == '}')
            break;
        if (*p != '"' || !(p = json_str(p + 1, end, key, sizeof(key))))
            return false;
        while (p < end && (*p == ' ' || *p == ':'))
            p++;
        if (p >= end)
            return false;
        if (*p == '"' && (key_is(key, "device", "Device") || key_is(key, "device_name", "device_type"))) {
            char *dst = key_is(key, "device", "Device") ? r->device : strcmp(key, "device_name") == 0 ? r->name : r->type;
            size_t cap = dst == r->device ? sizeof(r->device) : sizeof(r->name);
            if (!(p = json_str(p + 1, end, dst, cap)))
                return false;
            if (dst == r->name) r->has_name = true;
            if (dst == r->type) r->has_type = true;
            continue;
        }
        if (key_is(key, "proto", "Proto"))
            r->proto = strtoll(p, NULL, 10);
        else if (key_is(key, "packets", "PacketCount"))
            r->packets = strtoll(p, NULL, 10);
        else if (key_is(key, "bytes", "TotalFlowSize"))
            r->bytes = strtoll(p, NULL, 10);
        p = json_skip(p, end);
    }
    return r->proto >= 0 && r->proto < 256;
}

/* ---- CSV (RFC 4180, one row per line) --------------------------------------------- */

typedef struct csv_cols { int device, proto, packets, bytes, name, type, n; } csv_cols;

static int col_index(char **f, int n, const char *a, const char *b)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f[i], a) == 0 || strcmp(f[i], b) == 0)
            return i;
    return -1;
}

static void add_row(iof__stats *st, const out_row *r, int variant)
{
    iof__stats_record(st, r->device[0] ? r->device : "(no mac)", r->has_name ? r->name : "",
                      r->has_type ? r->type : "", variant, (uint8_t)r->proto, (uint64_t)r->packets,
                      (uint64_t)r->bytes, variant == 0);
}

static int stats_text_file(iof__stats *st, const char *path, bool csv, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return iof__fail(err, errlen, IOF_E_IO, "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int variant = variant_of(path);
    csv_cols cc = { -1, -1, -1, -1, -1, -1, 0 };
    int rc = IOF_OK;
    enum { MAXF = IOF_MAX_COLUMNS };
    char **f = csv ? malloc(MAXF * sizeof(char *)) : NULL;
    if (csv && !f) {
        fclose(fp);
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    }
    while ((len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        if ((size_t)len > STATS_MAX_LINE) {
            rc = iof__fail(err, errlen, IOF_E_FORMAT, "%s:%ld: line too long", path, lineno);
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        out_row r;
        if (!csv) {
            if (!parse_json_row(line, line + len, &r)) {
                rc = iof__fail(err, errlen, IOF_E_FORMAT, "%s:%ld: not an iotflow JSON Lines record", path, lineno);
                break;
            }
            add_row(st, &r, variant);
            continue;
        }
        int n = iof__csv_split(line, f, NULL, MAXF);
        if (n < 0) {
            rc = iof__fail(err, errlen, IOF_E_FORMAT, "%s:%ld: malformed CSV row", path, lineno);
            break;
        }
        if (lineno == 1) {
            cc.device = col_index(f, n, "Device", "device");
            cc.proto = col_index(f, n, "Proto", "proto");
            cc.packets = col_index(f, n, "PacketCount", "packets");
            cc.bytes = col_index(f, n, "TotalFlowSize", "bytes");
            cc.name = col_index(f, n, "device_name", "device_name");
            cc.type = col_index(f, n, "device_type", "device_type");
            cc.n = n;
            if (cc.device < 0 || cc.proto < 0 || cc.packets < 0 || cc.bytes < 0) {
                rc = iof__fail(err, errlen, IOF_E_FORMAT, "%s: not an iotflow CSV (header lacks Device/Proto/PacketCount/TotalFlowSize)", path);
                break;
            }
            continue;
        }
        if (n != cc.n) {
            rc = iof__fail(err, errlen, IOF_E_FORMAT, "%s:%ld: %d fields, header has %d", path, lineno, n, cc.n);
            break;
        }
        memset(&r, 0, sizeof(r));
        snprintf(r.device, sizeof(r.device), "%s", f[cc.device]);
        r.proto = strtoll(f[cc.proto], NULL, 10);
        r.packets = strtoll(f[cc.packets], NULL, 10);
        r.bytes = strtoll(f[cc.bytes], NULL, 10);
        if (cc.name >= 0 && f[cc.name][0]) { snprintf(r.name, sizeof(r.name), "%s", f[cc.name]); r.has_name = true; }
        if (cc.type >= 0 && f[cc.type][0]) { snprintf(r.type, sizeof(r.type), "%s", f[cc.type]); r.has_type = true; }
        if (r.proto < 0 || r.proto > 255) {
            rc = iof__fail(err, errlen, IOF_E_FORMAT, "%s:%ld: bad Proto", path, lineno);
            break;
        }
        add_row(st, &r, variant);
    }
    if (rc == IOF_OK && ferror(fp))
        rc = iof__fail(err, errlen, IOF_E_IO, "%s: read error", path);
    free(f);
    free(line);
    fclose(fp);
    return rc;
}

static long pq_col(const iof_schema *s, const char *a, const char *b)
{
    long c = iof__schema_find(s, a);
    return c >= 0 ? c : iof__schema_find(s, b);
}

static void pq_str(const iof__pq_reader *r, long c, char *out, size_t cap, bool *has)
{
    iof_value v;
    out[0] = '\0';
    if (c < 0)
        return;
    iof__pq_reader_get(r, (size_t)c, 0, &v);
    if (v.null)
        return;
    size_t n = v.len < cap - 1 ? v.len : cap - 1;
    memcpy(out, v.p, n);
    out[n] = '\0';
    if (has)
        *has = true;
}

static int64_t pq_int(const iof__pq_reader *r, long c)
{
    iof_value v;
    iof__pq_reader_get(r, (size_t)c, 0, &v);
    return v.null ? 0 : v.i;
}

static int stats_parquet_file(iof__stats *st, const char *path, char *err, size_t errlen)
{
    iof__pq_reader *r;
    int rc = iof__pq_reader_open(&r, path, err, errlen);
    if (rc < 0)
        return rc;
    const iof_schema *s = iof__pq_reader_schema(r);
    long cd = pq_col(s, "Device", "device"), cp = pq_col(s, "Proto", "proto");
    long cpk = pq_col(s, "PacketCount", "packets"), cb = pq_col(s, "TotalFlowSize", "bytes");
    long cn = iof__schema_find(s, "device_name"), ct = iof__schema_find(s, "device_type");
    if (cd < 0 || cp < 0 || cpk < 0 || cb < 0) {
        iof__pq_reader_close(r);
        return iof__fail(err, errlen, IOF_E_FORMAT,
                         "%s: not an iotflow custom-flow file (no Device/Proto/PacketCount/TotalFlowSize)", path);
    }
    size_t want[6] = { (size_t)cd, (size_t)cp, (size_t)cpk, (size_t)cb }, nw = 4;
    if (cn >= 0)
        want[nw++] = (size_t)cn;
    if (ct >= 0)
        want[nw++] = (size_t)ct;
    if ((rc = iof__pq_reader_select(r, want, nw)) < 0) { /* a wide file: 3,000 columns not needed */
        rc = iof__fail(err, errlen, rc, "%s", iof__pq_reader_errmsg(r));
        iof__pq_reader_close(r);
        return rc;
    }
    /* the file says which variant it holds (iotflow >= 0.1: iotflow.variant; earlier files
     * only when the run wrote one variant); else the folder it is in */
    const char *kvv = iof__pq_reader_kv(r, "iotflow.variant");
    const char *kvrun = iof__pq_reader_kv(r, "iotflow.variants");
    int variant = kvv ? strcmp(kvv, "unidirectional") == 0
                : kvrun && strcmp(kvrun, "uni") == 0 ? 1
                : kvrun && strcmp(kvrun, "bi") == 0 ? 0 : variant_of(path);
    while ((rc = iof__pq_reader_next(r)) > 0) {
        out_row row;
        memset(&row, 0, sizeof(row));
        pq_str(r, cd, row.device, sizeof(row.device), NULL);
        pq_str(r, cn, row.name, sizeof(row.name), &row.has_name);
        pq_str(r, ct, row.type, sizeof(row.type), &row.has_type);
        row.proto = pq_int(r, cp);
        row.packets = pq_int(r, cpk);
        row.bytes = pq_int(r, cb);
        if (row.proto < 0 || row.proto > 255)
            continue;
        add_row(st, &row, variant);
    }
    if (rc < 0)
        rc = iof__fail(err, errlen, rc, "%s", iof__pq_reader_errmsg(r));
    iof__pq_reader_close(r);
    return rc < 0 ? rc : IOF_OK;
}

typedef struct path_list {
    char **v;
    size_t n, cap;
} path_list;

static int pl_add(path_list *l, const char *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return IOF_E_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(p)))
        return IOF_E_NOMEM;
    l->n++;
    return IOF_OK;
}

static void pl_free(path_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool is_output_name(const char *p)
{
    return ends_with(p, ".jsonl") || ends_with(p, ".csv") || ends_with(p, ".parquet");
}

static bool looks_like_capture(const char *path)
{
    unsigned char m[4];
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    size_t n = fread(m, 1, 4, fp);
    fclose(fp);
    if (n < 4)
        return false;
    uint32_t be = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
    uint32_t le = (uint32_t)m[3] << 24 | (uint32_t)m[2] << 16 | (uint32_t)m[1] << 8 | m[0];
    return be == 0xa1b2c3d4 || le == 0xa1b2c3d4 || be == 0xa1b23c4d || le == 0xa1b23c4d ||
           be == 0x0a0d0d0a || (m[0] == 0x1f && m[1] == 0x8b);
}

/* Directories: outputs by extension, captures by magic number; hidden (temp) files skipped. */
static int walk(const char *dir, path_list *outs, path_list *caps, int depth)
{
    if (depth > 32)
        return IOF_OK;
    DIR *d = opendir(dir);
    if (!d)
        return IOF_E_IO;
    path_list names = { 0 };
    struct dirent *e;
    int rc = IOF_OK;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if ((rc = pl_add(&names, p)) != IOF_OK)
            break;
    }
    closedir(d);
    if (names.n > 1)
        qsort(names.v, names.n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < names.n && rc == IOF_OK; i++) {
        struct stat sb;
        if (stat(names.v[i], &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            rc = walk(names.v[i], outs, caps, depth + 1);
        else if (S_ISREG(sb.st_mode) && is_output_name(names.v[i]))
            rc = pl_add(outs, names.v[i]);
        else if (S_ISREG(sb.st_mode) && looks_like_capture(names.v[i]))
            rc = pl_add(caps, names.v[i]);
    }
    pl_free(&names);
    return rc;
}

/* One dataset written in several formats (x.parquet, x.jsonl, x.csv side by side) is counted
 * once: Parquet is preferred, then JSON Lines, then CSV. */
static int ext_rank(const char *p)
{
    return ends_with(p, ".parquet") ? 0 : ends_with(p, ".jsonl") ? 1 : 2;
}

static size_t stem_len(const char *p) { return (size_t)(strrchr(p, '.') - p); }

static void drop_duplicate_formats(path_list *l)
{
    size_t w = 0;
    for (size_t i = 0; i < l->n; i++) {
        bool dup = false;
        for (size_t j = 0; j < l->n && !dup; j++)
            dup = j != i && stem_len(l->v[i]) == stem_len(l->v[j]) &&
                  strncmp(l->v[i], l->v[j], stem_len(l->v[i])) == 0 && ext_rank(l->v[j]) < ext_rank(l->v[i]);
        if (dup)
            free(l->v[i]);
        else
            l->v[w++] = l->v[i];
    }
    l->n = w;
}

static int write_json(const iof__stats *st, const path_list *outs, const path_list *caps,
                      uint64_t frames, const char *path, char *err, size_t errlen)
{
    iof_tbuf b = { 0 };
    iof__tb_puts(&b, "{\"iotflow_version\":");
    iof__tb_json_str(&b, (const uint8_t *)iof_version_string(), strlen(iof_version_string()));
    iof__tb_puts(&b, ",\"command\":\"stats\",\"inputs\":[");
    for (int k = 0; k < 2; k++) {
        const path_list *l = k ? caps : outs;
        for (size_t i = 0; i < l->n; i++) {
            if (b.len && b.p[b.len - 1] != '[')
                iof__tb_putc(&b, ',');
            iof__tb_puts(&b, k ? "{\"kind\":\"capture\",\"path\":" : "{\"kind\":\"output\",\"path\":");
            iof__tb_json_str(&b, (const uint8_t *)l->v[i], strlen(l->v[i]));
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

iof_err iof_stats_paths(const char *const *paths, size_t n, const char *devices_file, FILE *out,
                        const char *json_path, char *err, size_t errlen)
{
    iof__stats st;
    memset(&st, 0, sizeof(st));
    path_list outs = { 0 }, caps = { 0 };
    int rc = IOF_OK, first = IOF_OK;
    for (size_t i = 0; i < n && rc == IOF_OK; i++) {
        struct stat sb;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &sb) != 0) {
            rc = iof__fail(err, errlen, IOF_E_IO, "%s: %s", paths[i], strerror(errno));
            break;
        }
        if (strcmp(paths[i], "-") != 0 && S_ISDIR(sb.st_mode)) {
            path_list found = { 0 };
            rc = walk(paths[i], &found, &caps, 0);
            drop_duplicate_formats(&found);
            for (size_t k = 0; k < found.n && rc == IOF_OK; k++)
                rc = pl_add(&outs, found.v[k]);
            pl_free(&found);
        }
        else
            rc = pl_add(is_output_name(paths[i]) ? &outs : &caps, paths[i]);
    }
    if (rc != IOF_OK)
        goto done;
    for (size_t i = 0; i < outs.n; i++) {
        char e[1024];
        int frc = ends_with(outs.v[i], ".parquet") ? stats_parquet_file(&st, outs.v[i], e, sizeof(e))
                  : stats_text_file(&st, outs.v[i], ends_with(outs.v[i], ".csv"), e, sizeof(e));
        if (frc != IOF_OK) {
            fprintf(stderr, "iotflow stats: %s\n", e);
            if (first == IOF_OK) {
                first = frc;
                snprintf(err, errlen, "%s", e);
            }
        }
    }
    uint64_t frames = 0;
    if (caps.n) {
        iof_config cfg;
        iof_config_init(&cfg);
        cfg.inputs = (const char *const *)caps.v;
        cfg.n_inputs = caps.n;
        cfg.formats = 0;
        cfg.devices_file = devices_file;
        cfg.hash_seed = 1;
        iof_run *run;
        char e[1024];
        int crc = iof_run_create(&run, &cfg, e, sizeof(e));
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
    fprintf(out, "iotflow stats: %zu output file(s), %zu capture(s) (%" PRIu64 " packets)\n", outs.n,
            caps.n, frames);
    iof__print_tables(&st, out, true);
    uint64_t recs = 0;
    for (size_t i = 0; i < st.n_devs; i++)
        recs += st.devs[i].records[0] + st.devs[i].records[1];
    if (json_path) {
        char e[1024];
        int jrc = write_json(&st, &outs, &caps, frames, json_path, e, sizeof(e));
        if (jrc != IOF_OK && first == IOF_OK) {
            first = jrc;
            snprintf(err, errlen, "%s", e);
        }
    }
    fprintf(out, "\nverdict: %s: %zu device(s), %" PRIu64 " records\n",
            first == IOF_OK ? "OK" : "INCOMPLETE (see errors above)", st.n_devs, recs);
done:
    pl_free(&outs);
    pl_free(&caps);
    iof__stats_free(&st);
    return (iof_err)(rc != IOF_OK ? rc : first);
}
