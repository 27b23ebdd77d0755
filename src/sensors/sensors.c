/* Sensor readings CSV -> per device, per column time-sorted series (docs/SENSORS.md). */
#include <inttypes.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/csv.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/hex.h"
#include "common/mix.h"
#include "common/timefmt.h"
#include "common/utf8.h"
#include "sensors/sensors.h"

#define NS_PER_S 1000000000LL
#define BLK 64 /* readings per summary block: an interval query scans at most 2 x 63 one by one */
#define MAX_FIELDS (IOF_MAX_SENSOR_COLS + 2)

typedef struct ser {
    int64_t *t;
    double *v;
    size_t n;
    size_t nb;         /* whole blocks */
    double *psum;      /* per block: the sum of its readings (psum[nb] = 0). Not prefix sums: a
                          difference of large prefixes cancels catastrophically (one reading of
                          1e15 made every later mean wrong), so a query adds the blocks it spans */
    uint64_t *pnz;     /* nb + 1 prefix counts of non-zero values */
    double *smin, *smax; /* sparse tables over blocks: level k at [k * nb], spans 2^k blocks */
} ser;

typedef struct sdev {
    iof__sensor_dev pub;
    int64_t last_t; /* newest time read so far (out-of-order count) */
} sdev;

typedef struct row {
    int64_t t;
    uint32_t dev, seq; /* seq: place in the file, the tie-break that makes "last row wins" */
} row;

typedef struct slot {
    char *key; /* a device_id as written, or an unresolved device's canonical id */
    uint32_t dev;
} slot;

typedef struct name_ent {
    const char *name;
    uint32_t inv;
} name_ent;

struct iof__sensors {
    iof__sensor_col *cols;
    size_t ncols;
    sdev *devs;
    size_t ndev, devcap;
    ser **ser; /* ndev * ncols, NULL for an empty series */
    slot *slots;
    size_t nslots, nkeys, nids;
    uint64_t seed;
    const iof__inventory *inv;
    name_ent *names; /* inventory names, sorted */
    size_t nnames;
    int32_t *inv_map; /* inventory index -> device, -1 */
    /* while reading */
    row *rows;
    size_t nrows, rowcap;
    double *cells; /* nrows x ncols, NaN = missing */
    size_t cellcap;
};

/* ---- device ids --------------------------------------------------------------------------- */

static uint64_t hash_str(const iof__sensors *s, const char *k)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a, then the seeded mixer */
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ULL;
    return iof__mix64(h ^ s->seed);
}

static long key_find(const iof__sensors *s, const char *k)
{
    if (!s->nslots)
        return -1;
    for (size_t i = hash_str(s, k) & (s->nslots - 1);; i = (i + 1) & (s->nslots - 1)) {
        if (!s->slots[i].key)
            return -1;
        if (strcmp(s->slots[i].key, k) == 0)
            return (long)s->slots[i].dev;
    }
}

static void key_place(iof__sensors *s, char *k, uint32_t d)
{
    size_t i = hash_str(s, k) & (s->nslots - 1);
    while (s->slots[i].key)
        i = (i + 1) & (s->nslots - 1);
    s->slots[i] = (slot){ k, d };
}

static int key_add(iof__sensors *s, const char *k, uint32_t d)
{
    if (2 * (s->nkeys + 1) > s->nslots) { /* load <= 1/2; rehash into twice the slots */
        size_t old = s->nslots, n = old ? old * 2 : 64;
        slot *was = s->slots;
        s->slots = calloc(n, sizeof *s->slots);
        if (!s->slots) {
            s->slots = was;
            return IOF_E_NOMEM;
        }
        s->nslots = n;
        for (size_t i = 0; i < old; i++)
            if (was[i].key)
                key_place(s, was[i].key, was[i].dev);
        free(was);
    }
    char *c = strdup(k);
    if (!c)
        return IOF_E_NOMEM;
    key_place(s, c, d);
    s->nkeys++;
    return IOF_OK;
}

static int cmp_name(const void *a, const void *b)
{
    const name_ent *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->inv > y->inv) - (x->inv < y->inv);
}

/* MAC forms: aa:bb:cc:dd:ee:ff, aa-bb-..., any case, or 12 hex digits */
static bool parse_mac_any(const char *id, size_t n, uint8_t mac[6])
{
    if (iof__parse_mac(id, n, mac))
        return true;
    if (n != 12)
        return false;
    for (int i = 0; i < 6; i++) {
        int hi = iof__hex_digit((unsigned char)id[2 * i]), lo = iof__hex_digit((unsigned char)id[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* Inventory index named `id`: >= 0, -1 none, -2 more than one device has that name. */
static long inv_by_name(const iof__sensors *s, const char *id)
{
    size_t lo = 0, hi = s->nnames;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(s->names[mid].name, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == s->nnames || strcmp(s->names[lo].name, id) != 0)
        return -1;
    if (lo + 1 < s->nnames && strcmp(s->names[lo + 1].name, id) == 0)
        return -2;
    return (long)s->names[lo].inv;
}

typedef struct resolved {
    long inv;        /* inventory index or -1 */
    bool has_mac;
    uint8_t mac[6];
    char canon[IOF_MAX_SENSOR_ID]; /* unresolved: MAC text or the id */
} resolved;

/* What device `id` names: -2 for an inventory name two devices share. */
static int resolve(const iof__sensors *s, const char *id, resolved *r)
{
    size_t n = strlen(id);
    memset(r, 0, sizeof *r);
    r->inv = -1;
    r->has_mac = parse_mac_any(id, n, r->mac);
    if (r->has_mac)
        r->inv = iof__inventory_find_mac(s->inv, r->mac);
    else if (s->inv) {
        r->inv = inv_by_name(s, id);
        if (r->inv == -2)
            return -2;
    }
    if (r->inv >= 0) {
        const iof__device *d = iof__inventory_get(s->inv, (size_t)r->inv);
        r->has_mac = true;
        memcpy(r->mac, d->mac, 6);
        if (d->name[0] && inv_by_name(s, d->name) == r->inv) /* a shared name would not find it again */
            snprintf(r->canon, sizeof r->canon, "%s", d->name);
        else
            iof__format_mac(d->mac, r->canon);
    } else if (r->has_mac) {
        iof__format_mac(r->mac, r->canon);
    } else {
        snprintf(r->canon, sizeof r->canon, "%s", id);
    }
    return 0;
}

static long find_resolved(const iof__sensors *s, const resolved *r)
{
    if (r->inv >= 0)
        return s->inv_map[r->inv];
    return key_find(s, r->canon);
}

long iof__sensors_find_inv(const iof__sensors *s, long inv_idx)
{
    if (!s || !s->inv_map || inv_idx < 0 || (size_t)inv_idx >= iof__inventory_count(s->inv))
        return -1;
    return s->inv_map[inv_idx];
}

long iof__sensors_find_mac(const iof__sensors *s, const uint8_t mac[6])
{
    char t[18];
    iof__format_mac(mac, t);
    return iof__sensors_find_id(s, t);
}

long iof__sensors_find_id(const iof__sensors *s, const char *id)
{
    if (!s || !id)
        return -1;
    long d = key_find(s, id);
    resolved r;
    if (d >= 0 || strlen(id) >= IOF_MAX_SENSOR_ID || resolve(s, id, &r) < 0)
        return d;
    return find_resolved(s, &r);
}

/* The device of a row's id, made on first sight. */
static int dev_of(iof__sensors *s, const char *id, uint32_t *out, const char *name, unsigned long line,
                  int col, char *err, size_t errlen)
{
    long d = key_find(s, id);
    if (d >= 0) {
        *out = (uint32_t)d;
        return IOF_OK;
    }
    if (s->nids >= IOF_MAX_SENSOR_DEVICES)
        return iof__fail(err, errlen, IOF_E_LIMIT,
                         "%s:%lu: column %d (device_id): more than %d distinct device ids (IOF_MAX_SENSOR_DEVICES)",
                         name, line, col, IOF_MAX_SENSOR_DEVICES);
    resolved r;
    if (resolve(s, id, &r) < 0)
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "%s:%lu: column %d (device_id): '%s' is the name of more than one inventory device; "
                         "write its MAC",
                         name, line, col, id);
    d = find_resolved(s, &r);
    if (d < 0) {
        IOF_TRY(iof__grow((void **)&s->devs, &s->devcap, s->ndev + 1, sizeof *s->devs, IOF_MAX_SENSOR_DEVICES));
        sdev *v = &s->devs[s->ndev];
        memset(v, 0, sizeof *v);
        memcpy(v->pub.id, r.canon, sizeof v->pub.id);
        v->pub.inv = r.inv;
        v->pub.has_mac = r.has_mac;
        memcpy(v->pub.mac, r.mac, 6);
        v->last_t = INT64_MIN;
        d = (long)s->ndev++;
        if (r.inv >= 0)
            s->inv_map[r.inv] = (int32_t)d;
        else if (strcmp(r.canon, id) != 0)
            IOF_TRY(key_add(s, r.canon, (uint32_t)d));
    }
    IOF_TRY(key_add(s, id, (uint32_t)d));
    s->nids++;
    *out = (uint32_t)d;
    return IOF_OK;
}

/* ---- lines -------------------------------------------------------------------------------- */

typedef struct lines {
    FILE *fp;
    char *buf; /* IOF_MAX_SENSOR_LINE + 2: a longest line, its '\n' (or NUL) */
    size_t start, end;
    bool eof;
} lines;

/* 1 and the line (NUL-terminated, '\n' removed; may hold NULs: len is its length), 0 at the end,
 * IOF_E_LIMIT for a line longer than IOF_MAX_SENSOR_LINE, IOF_E_IO. */
static int next_line(lines *L, char **line, size_t *len)
{
    const size_t cap = IOF_MAX_SENSOR_LINE + 2;
    for (;;) {
        char *nl = memchr(L->buf + L->start, '\n', L->end - L->start);
        size_t avail = L->end - L->start;
        if (nl || (L->eof && avail)) {
            size_t n = nl ? (size_t)(nl - (L->buf + L->start)) : avail;
            if (n > IOF_MAX_SENSOR_LINE)
                return IOF_E_LIMIT;
            *line = L->buf + L->start;
            (*line)[n] = '\0'; /* the '\n', or the spare byte after a last line */
            *len = n;
            L->start += nl ? n + 1 : n;
            return 1;
        }
        if (L->eof)
            return 0;
        if (avail > IOF_MAX_SENSOR_LINE)
            return IOF_E_LIMIT;
        memmove(L->buf, L->buf + L->start, avail);
        L->start = 0;
        L->end = avail;
        size_t got = fread(L->buf + L->end, 1, cap - 1 - L->end, L->fp);
        L->end += got;
        if (got == 0) {
            if (ferror(L->fp))
                return IOF_E_IO;
            L->eof = true;
        }
    }
}

/* ---- reading ------------------------------------------------------------------------------ */

typedef struct rd_ctx {
    iof__sensors *s;
    const iof__sensors_config *cfg;
    iof__sensors_stats *st;
    const char *name;
    unsigned long line;
    uint64_t problems;
    int nhdr, ts_col, dev_col;
    int vcol[MAX_FIELDS]; /* field -> value column, -1 */
    char *err;
    size_t errlen;
} rd_ctx;

/* A counted problem (a skipped row or a bad value): told to the caller's warn, first one kept.
 * col is 1-based (0: the row), colname names it (NULL: unnamed). */
static void problem(rd_ctx *c, uint64_t *counter, int col, const char *colname, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void problem(rd_ctx *c, uint64_t *counter, int col, const char *colname, const char *fmt, ...)
{
    (*counter)++;
    char msg[384], what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (col > 0 && colname)
        snprintf(msg, sizeof msg, "%s:%lu: column %d (%s): %s", c->name, c->line, col, colname, what);
    else if (col > 0)
        snprintf(msg, sizeof msg, "%s:%lu: column %d: %s", c->name, c->line, col, what);
    else
        snprintf(msg, sizeof msg, "%s:%lu: %s", c->name, c->line, what);
    if (!c->st->first_problem[0])
        snprintf(c->st->first_problem, sizeof c->st->first_problem, "%s", msg);
    if (c->problems++ < IOF_SENSORS_WARNINGS && c->cfg && c->cfg->warn)
        c->cfg->warn(c->cfg->warn_ctx, msg);
}

static bool has_ctl(const char *p)
{
    for (; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

static int header(rd_ctx *c, char *line, size_t len)
{
    iof__sensors *s = c->s;
    if ((unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB && (unsigned char)line[2] == 0xBF)
        line += 3, len -= 3; /* UTF-8 BOM */
    if (memchr(line, '\0', len))
        return iof__fail(c->err, c->errlen, IOF_E_INVAL, "%s:1: header: NUL byte (not a text file)", c->name);
    char *f[MAX_FIELDS];
    size_t fl[MAX_FIELDS];
    int nf = iof__csv_split(line, f, fl, MAX_FIELDS);
    if (nf < 0)
        return iof__fail(c->err, c->errlen, IOF_E_INVAL,
                         "%s:1: header: malformed CSV (an unbalanced quote) or more than %d columns "
                         "(timestamp, device_id and IOF_MAX_SENSOR_COLS = %d values)",
                         c->name, MAX_FIELDS, IOF_MAX_SENSOR_COLS);
    c->nhdr = nf;
    c->ts_col = c->dev_col = -1;
    s->cols = calloc((size_t)nf, sizeof *s->cols);
    if (!s->cols)
        return IOF_E_NOMEM;
    for (int i = 0; i < nf; i++) {
        c->vcol[i] = -1;
        int *key = strcasecmp(f[i], "timestamp") == 0 ? &c->ts_col
                   : strcasecmp(f[i], "device_id") == 0 ? &c->dev_col : NULL;
        if (key && *key >= 0)
            return iof__fail(c->err, c->errlen, IOF_E_INVAL, "%s:1: column %d: '%s' named twice (columns %d and %d)",
                             c->name, i + 1, f[i], *key + 1, i + 1);
        if (key) {
            *key = i;
            continue;
        }
        if (fl[i] == 0 || fl[i] >= IOF_MAX_SENSOR_NAME || has_ctl(f[i]))
            return iof__fail(c->err, c->errlen, IOF_E_INVAL,
                             "%s:1: column %d: a column name must be 1 to %d printable bytes", c->name, i + 1,
                             IOF_MAX_SENSOR_NAME - 1);
        size_t bad = iof__utf8_first_bad((const uint8_t *)f[i], fl[i]);
        if (bad < fl[i]) /* an output column's name: Parquet readers refuse one that is not UTF-8 */
            return iof__fail(c->err, c->errlen, IOF_E_INVAL,
                             "%s:1: column %d: the name is not UTF-8 (byte %zu is 0x%02x: a Windows code page, "
                             "as cp1252's degree sign?): save the file as UTF-8",
                             c->name, i + 1, bad + 1, (unsigned)(unsigned char)f[i][bad]);
        for (size_t k = 0; k < s->ncols; k++)
            if (strcasecmp(s->cols[k].name, f[i]) == 0)
                return iof__fail(c->err, c->errlen, IOF_E_INVAL, "%s:1: column %d: '%s' named twice", c->name,
                                 i + 1, f[i]);
        if (s->ncols == IOF_MAX_SENSOR_COLS)
            return iof__fail(c->err, c->errlen, IOF_E_LIMIT, "%s:1: more than %d value columns (IOF_MAX_SENSOR_COLS)",
                             c->name, IOF_MAX_SENSOR_COLS);
        memcpy(s->cols[s->ncols].name, f[i], fl[i] + 1);
        c->vcol[i] = (int)s->ncols++;
    }
    if (c->ts_col < 0 || c->dev_col < 0)
        return iof__fail(c->err, c->errlen, IOF_E_INVAL,
                         "%s:1: the header names no '%s' column (a sensor file starts with a header: "
                         "timestamp,device_id,<value columns>)",
                         c->name, c->ts_col < 0 ? "timestamp" : "device_id");
    return IOF_OK;
}

static bool is_missing(const char *v)
{
    static const char *const tok[] = { "", "na", "n/a", "nan", "null", "none" };
    for (size_t i = 0; i < sizeof tok / sizeof tok[0]; i++)
        if (strcasecmp(v, tok[i]) == 0)
            return true;
    return false;
}

/* A finite decimal number: [+-]digits[.digits][(e|E)[+-]digits], not hex, inf or nan.
 * *decimals: its digits after the point (IOF_SENSOR_MAX_DECIMALS with an exponent or beyond). */
static bool parse_num(const char *v, double *out, uint8_t *decimals)
{
    const char *p = v;
    bool dig = false;
    unsigned frac = 0;
    if (*p == '+' || *p == '-')
        p++;
    for (; *p >= '0' && *p <= '9'; p++)
        dig = true;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            dig = true, frac++;
    if (!dig)
        return false;
    if (*p == 'e' || *p == 'E') {
        frac = IOF_SENSOR_MAX_DECIMALS;
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return false;
    errno = 0;
    double d = strtod(v, NULL);
    if (!isfinite(d))
        return false;
    *out = d;
    *decimals = (uint8_t)(frac < IOF_SENSOR_MAX_DECIMALS ? frac : IOF_SENSOR_MAX_DECIMALS);
    return true;
}

/* The time of a row: 1 ok, 0 skipped (counted), < 0 fatal. */
static int row_time(rd_ctx *c, const char *v, size_t n, int64_t *t)
{
    int col = c->ts_col + 1;
    if (n == 0) {
        problem(c, &c->st->skipped_time, col, "timestamp", "empty");
        return 0;
    }
    bool iso = memchr(v, '-', n) || memchr(v, ':', n) || memchr(v, 'T', n);
    iof__time_parse_rc rc = iso ? iof__time_parse_iso(v, n, t) : iof__time_parse_epoch(v, n, t);
    switch (rc) {
    case IOF_TIME_OK:
        return 1;
    case IOF_TIME_NO_ZONE:
        return iof__fail(c->err, c->errlen, IOF_E_INVAL,
                         "%s:%lu: column %d (timestamp): '%.40s' has no zone: write Z or +hh:mm (a local time "
                         "is ambiguous), or epoch seconds",
                         c->name, c->line, col, v);
    case IOF_TIME_BAD_ZONE:
        return iof__fail(c->err, c->errlen, IOF_E_INVAL,
                         "%s:%lu: column %d (timestamp): '%.40s': unknown zone, expected Z, +hh:mm or -hh:mm",
                         c->name, c->line, col, v);
    case IOF_TIME_RANGE:
        if (!iso)
            return iof__fail(c->err, c->errlen, IOF_E_INVAL,
                             "%s:%lu: column %d (timestamp): '%.40s' is after 2261 as epoch seconds "
                             "(milliseconds?): expected seconds",
                             c->name, c->line, col, v);
        problem(c, &c->st->skipped_time, col, "timestamp", "'%.40s' is not a valid date and time in 1970..2261", v);
        return 0;
    case IOF_TIME_SYNTAX:
        break;
    }
    problem(c, &c->st->skipped_time, col, "timestamp",
            "expected an ISO 8601 time with a zone (2024-06-23T18:00:00Z) or epoch seconds, got '%.40s'", v);
    return 0;
}

/* One data row: stored, or skipped and counted; < 0 fatal. */
static int data_row(rd_ctx *c, char *line, size_t len)
{
    iof__sensors *s = c->s;
    iof__sensors_stats *st = c->st;
    const char *nul = memchr(line, '\0', len);
    if (nul) {
        int col = 1;
        for (const char *p = line; p < nul; p++)
            col += *p == ',';
        problem(c, &st->skipped_csv, col, NULL, "NUL byte (not a text line)");
        return IOF_OK;
    }
    char *f[MAX_FIELDS + 1];
    size_t fl[MAX_FIELDS + 1];
    int nf = iof__csv_split(line, f, fl, MAX_FIELDS + 1);
    if (nf < 0) {
        problem(c, &st->skipped_csv, 0, NULL, "malformed CSV row (an unbalanced quote or text after a closing quote)");
        return IOF_OK;
    }
    if (nf != c->nhdr) {
        problem(c, &st->skipped_fields, (nf > c->nhdr ? c->nhdr : nf) + 1, NULL, "%s%d fields, the header has %d",
                nf > MAX_FIELDS ? "more than " : "", nf > MAX_FIELDS ? MAX_FIELDS : nf, c->nhdr);
        return IOF_OK;
    }
    int64_t t;
    int rc = row_time(c, f[c->ts_col], fl[c->ts_col], &t);
    if (rc <= 0)
        return rc;
    const char *id = f[c->dev_col];
    int dcol = c->dev_col + 1;
    if (fl[c->dev_col] == 0 || fl[c->dev_col] >= IOF_MAX_SENSOR_ID || has_ctl(id)) {
        problem(c, &st->skipped_device, dcol, "device_id", "%s",
                fl[c->dev_col] == 0 ? "is empty"
                : fl[c->dev_col] >= IOF_MAX_SENSOR_ID ? "is longer than 127 bytes"
                                                       : "holds control characters");
        return IOF_OK;
    }
    if (s->nrows >= IOF_MAX_SENSOR_ROWS || (s->nrows + 1) * s->ncols > IOF_MAX_SENSOR_CELLS)
        return iof__fail(c->err, c->errlen, IOF_E_LIMIT,
                         "%s:%lu: more than %zu rows (IOF_MAX_SENSOR_ROWS = %u rows, IOF_MAX_SENSOR_CELLS = %u "
                         "values held while reading)",
                         c->name, c->line, s->nrows, IOF_MAX_SENSOR_ROWS, IOF_MAX_SENSOR_CELLS);
    uint32_t d = 0;
    if ((rc = dev_of(s, id, &d, c->name, c->line, dcol, c->err, c->errlen)) < 0)
        return rc == IOF_E_NOMEM ? iof__fail(c->err, c->errlen, rc, "out of memory") : rc;
    IOF_TRY(iof__grow((void **)&s->rows, &s->rowcap, s->nrows + 1, sizeof *s->rows, IOF_MAX_SENSOR_ROWS));
    if (s->ncols)
        IOF_TRY(iof__grow((void **)&s->cells, &s->cellcap, (s->nrows + 1) * s->ncols, sizeof *s->cells,
                          IOF_MAX_SENSOR_CELLS));
    double *cell = s->ncols ? s->cells + s->nrows * s->ncols : NULL; /* no value columns: no cells */
    for (int i = 0; i < nf; i++) {
        int k = c->vcol[i];
        if (k < 0)
            continue;
        cell[k] = NAN;
        while (fl[i] && (f[i][fl[i] - 1] == ' ' || f[i][fl[i] - 1] == '\t'))
            f[i][--fl[i]] = '\0'; /* a quoted " 7 " is 7 */
        while (*f[i] == ' ' || *f[i] == '\t')
            f[i]++, fl[i]--;
        if (is_missing(f[i]))
            continue;
        uint8_t dec = 0;
        if (!parse_num(f[i], &cell[k], &dec)) {
            s->cols[k].bad_values++;
            problem(c, &st->bad_values, i + 1, s->cols[k].name, "expected a number, got '%.40s' (read as missing)",
                    f[i]);
        } else if (dec > s->cols[k].decimals)
            s->cols[k].decimals = dec;
    }
    sdev *v = &s->devs[d];
    if (t < v->last_t)
        st->out_of_order++;
    else
        v->last_t = t;
    s->rows[s->nrows] = (row){ t, d, (uint32_t)s->nrows };
    s->nrows++;
    return IOF_OK;
}

/* ---- series ------------------------------------------------------------------------------- */

static int cmp_row(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static void ser_free(ser *z)
{
    if (!z)
        return;
    free(z->t);
    free(z->v);
    free(z->psum);
    free(z->pnz);
    free(z->smin);
    free(z->smax);
    free(z);
}

static int floor_log2(size_t n)
{
    int k = 0;
    while (n >>= 1)
        k++;
    return k;
}

/* Block summaries: prefix sums and non-zero counts, min/max sparse tables. */
static int ser_index(ser *z)
{
    z->nb = z->n / BLK;
    if (!z->nb)
        return IOF_OK;
    size_t nb = z->nb, levels = (size_t)floor_log2(nb) + 1;
    z->psum = malloc((nb + 1) * sizeof *z->psum);
    z->pnz = malloc((nb + 1) * sizeof *z->pnz);
    z->smin = malloc(levels * nb * sizeof *z->smin);
    z->smax = malloc(levels * nb * sizeof *z->smax);
    if (!z->psum || !z->pnz || !z->smin || !z->smax)
        return IOF_E_NOMEM;
    z->psum[0] = 0;
    z->pnz[0] = 0;
    for (size_t b = 0; b < nb; b++) {
        double sum = 0, mn = INFINITY, mx = -INFINITY;
        uint64_t nz = 0;
        for (size_t i = b * BLK; i < (b + 1) * BLK; i++) {
            double v = z->v[i];
            sum += v;
            nz += v != 0;
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
        z->psum[b] = sum;
        z->psum[b + 1] = 0;
        z->pnz[b + 1] = z->pnz[b] + nz;
        z->smin[b] = mn;
        z->smax[b] = mx;
    }
    for (size_t k = 1; k < levels; k++)
        for (size_t b = 0; b + ((size_t)1 << k) <= nb; b++) {
            size_t h = (size_t)1 << (k - 1);
            const double *pm = z->smin + (k - 1) * nb, *px = z->smax + (k - 1) * nb;
            z->smin[k * nb + b] = pm[b] < pm[b + h] ? pm[b] : pm[b + h];
            z->smax[k * nb + b] = px[b] > px[b + h] ? px[b] : px[b + h];
        }
    return IOF_OK;
}

/* The kept rows of device d, sorted rows [lo, hi), into its column series. */
static int build_device(iof__sensors *s, size_t d, const row *r, size_t lo, size_t hi)
{
    for (size_t k = 0; k < s->ncols; k++) {
        size_t n = 0;
        for (size_t i = lo; i < hi; i++)
            n += !isnan(s->cells[(size_t)r[i].seq * s->ncols + k]);
        s->cols[k].values += n;
        s->cols[k].missing += (hi - lo) - n;
        if (!n)
            continue;
        ser *z = calloc(1, sizeof *z);
        if (!z)
            return IOF_E_NOMEM;
        s->ser[d * s->ncols + k] = z;
        z->t = malloc(n * sizeof *z->t);
        z->v = malloc(n * sizeof *z->v);
        if (!z->t || !z->v)
            return IOF_E_NOMEM;
        for (size_t i = lo; i < hi; i++) {
            double v = s->cells[(size_t)r[i].seq * s->ncols + k];
            if (isnan(v))
                continue;
            z->t[z->n] = r[i].t;
            z->v[z->n++] = v;
            if (v != 0 && v != 1)
                s->cols[k].binary = false;
        }
        IOF_TRY(ser_index(z));
    }
    return IOF_OK;
}

/* Sorts by (device, time, file order), lets the last row of a (device, time) win, builds the
 * series and drops the reading buffers. */
static int finish(iof__sensors *s, iof__sensors_stats *st)
{
    row *r = s->rows;
    size_t n = s->nrows, kept = 0;
    if (n)
        qsort(r, n, sizeof *r, cmp_row);
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && r[i + 1].dev == r[i].dev && r[i + 1].t == r[i].t) {
            st->duplicates++;
            continue;
        }
        r[kept++] = r[i];
    }
    if (s->ndev && s->ncols) {
        s->ser = calloc(s->ndev * s->ncols, sizeof *s->ser);
        if (!s->ser)
            return IOF_E_NOMEM;
    }
    for (size_t k = 0; k < s->ncols; k++)
        s->cols[k].binary = true;
    for (size_t lo = 0, hi; lo < kept; lo = hi) {
        for (hi = lo; hi < kept && r[hi].dev == r[lo].dev; hi++)
            ;
        s->devs[r[lo].dev].pub.rows = hi - lo;
        IOF_TRY(build_device(s, r[lo].dev, r, lo, hi));
    }
    st->rows_kept = kept;
    for (size_t k = 0; k < s->ncols; k++) {
        st->values += s->cols[k].values;
        st->missing += s->cols[k].missing;
        if (!s->cols[k].values)
            s->cols[k].binary = false;
    }
    for (size_t i = 0; i < kept; i++) {
        if (i == 0 || r[i].t < st->t_min)
            st->t_min = r[i].t;
        if (i == 0 || r[i].t > st->t_max)
            st->t_max = r[i].t;
    }
    st->devices = s->ndev;
    for (size_t d = 0; d < s->ndev; d++)
        st->unresolved_devices += s->devs[d].pub.inv < 0;
    for (size_t i = 0; i < kept; i++)
        st->unresolved_rows += s->devs[r[i].dev].pub.inv < 0;
    free(s->rows);
    free(s->cells);
    s->rows = NULL;
    s->cells = NULL;
    return IOF_OK;
}

static int setup_inventory(iof__sensors *s, const iof__inventory *inv)
{
    s->inv = inv;
    size_t n = iof__inventory_count(inv);
    if (!n)
        return IOF_OK;
    s->inv_map = malloc(n * sizeof *s->inv_map);
    s->names = malloc(n * sizeof *s->names);
    if (!s->inv_map || !s->names)
        return IOF_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        s->inv_map[i] = -1;
        const iof__device *d = iof__inventory_get(inv, i);
        if (d->name[0])
            s->names[s->nnames++] = (name_ent){ d->name, (uint32_t)i };
    }
    qsort(s->names, s->nnames, sizeof *s->names, cmp_name);
    return IOF_OK;
}

int iof__sensors_read(FILE *fp, const char *name, const iof__sensors_config *cfg, iof__sensors **out,
                      iof__sensors_stats *st_out, char *err, size_t errlen)
{
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    iof__sensors_stats st_local, *st = st_out ? st_out : &st_local;
    memset(st, 0, sizeof *st);
    iof__sensors *s = calloc(1, sizeof *s);
    lines L = { .fp = fp, .buf = malloc(IOF_MAX_SENSOR_LINE + 2) };
    rd_ctx *c = calloc(1, sizeof *c);
    int rc = IOF_E_NOMEM;
    if (!s || !L.buf || !c)
        goto cleanup;
    s->seed = iof__mix64((uint64_t)(uintptr_t)s);
    *c = (rd_ctx){ .s = s, .cfg = cfg, .st = st, .name = name, .err = err, .errlen = errlen };
    if ((rc = setup_inventory(s, cfg ? cfg->inv : NULL)) < 0)
        goto cleanup;
    char *line;
    size_t len;
    while ((rc = next_line(&L, &line, &len)) == 1) {
        c->line = ++st->lines;
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (c->line == 1) {
            if ((rc = header(c, line, len)) < 0)
                goto cleanup;
            continue;
        }
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if ((size_t)(p - line) == len) {
            st->blank_lines++;
            continue;
        }
        if (*p == '#') {
            st->comment_lines++;
            continue;
        }
        st->rows++;
        if ((rc = data_row(c, line, len)) < 0)
            goto cleanup;
    }
    if (rc == IOF_E_LIMIT) {
        rc = iof__fail(err, errlen, rc, "%s:%lu: line longer than %d bytes (IOF_MAX_SENSOR_LINE)", name,
                       (unsigned long)st->lines + 1, IOF_MAX_SENSOR_LINE);
        goto cleanup;
    }
    if (rc == IOF_E_IO) {
        rc = iof__fail(err, errlen, rc, "%s: read error: %s", name, strerror(errno));
        goto cleanup;
    }
    if (st->lines == 0) {
        rc = iof__fail(err, errlen, IOF_E_INVAL, "%s: empty file: a sensor file starts with a header "
                       "(timestamp,device_id,<value columns>)", name);
        goto cleanup;
    }
    if ((rc = finish(s, st)) < 0)
        goto cleanup;
    *out = s;
    s = NULL;
    rc = IOF_OK;
cleanup:
    if (rc == IOF_E_NOMEM && err && errlen && !err[0])
        iof__fail(err, errlen, rc, "%s: out of memory reading sensor readings", name);
    else if (rc == IOF_E_LIMIT && err && errlen && !err[0])
        iof__fail(err, errlen, rc, "%s: a sensor-reading cap was reached", name);
    iof__sensors_free(s);
    free(L.buf);
    free(c);
    return rc;
}

int iof__sensors_load(const char *path, const iof__sensors_config *cfg, iof__sensors **out,
                      iof__sensors_stats *st, char *err, size_t errlen)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return iof__fail(err, errlen, IOF_E_IO, "%s: cannot open sensor readings: %s", path, strerror(errno));
    int rc = iof__sensors_read(fp, path, cfg, out, st, err, errlen);
    fclose(fp);
    return rc;
}

void iof__sensors_free(iof__sensors *s)
{
    if (!s)
        return;
    if (s->ser)
        for (size_t i = 0; i < s->ndev * s->ncols; i++)
            ser_free(s->ser[i]);
    for (size_t i = 0; i < s->nslots; i++)
        free(s->slots[i].key);
    free(s->slots);
    free(s->ser);
    free(s->devs);
    free(s->cols);
    free(s->names);
    free(s->inv_map);
    free(s->rows);
    free(s->cells);
    free(s);
}

/* ---- lookups ------------------------------------------------------------------------------ */

size_t iof__sensors_ncols(const iof__sensors *s) { return s ? s->ncols : 0; }
const iof__sensor_col *iof__sensors_col(const iof__sensors *s, size_t c)
{
    return s && c < s->ncols ? &s->cols[c] : NULL;
}
size_t iof__sensors_ndevices(const iof__sensors *s) { return s ? s->ndev : 0; }
const iof__sensor_dev *iof__sensors_dev(const iof__sensors *s, size_t d)
{
    return s && d < s->ndev ? &s->devs[d].pub : NULL;
}

long iof__sensors_col_find(const iof__sensors *s, const char *name)
{
    for (size_t k = 0; s && k < s->ncols; k++)
        if (strcasecmp(s->cols[k].name, name) == 0)
            return (long)k;
    return -1;
}

static const ser *get_ser(const iof__sensors *s, size_t d, size_t c)
{
    if (!s || !s->ser || d >= s->ndev || c >= s->ncols)
        return NULL;
    return s->ser[d * s->ncols + c];
}

iof__sensor_series iof__sensors_series(const iof__sensors *s, size_t dev, size_t col)
{
    const ser *z = get_ser(s, dev, col);
    return z ? (iof__sensor_series){ z->t, z->v, z->n } : (iof__sensor_series){ NULL, NULL, 0 };
}

/* First index with t[i] > x (upper) or >= x (!upper). */
static size_t bound(const int64_t *t, size_t n, int64_t x, bool upper)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid] < x || (upper && t[mid] == x))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool iof__sensors_asof(const iof__sensors *s, size_t dev, size_t col, int64_t t, int64_t tol, double *v,
                       int64_t *at)
{
    const ser *z = get_ser(s, dev, col);
    if (!z || tol < 0)
        return false;
    size_t i = bound(z->t, z->n, t, true);
    /* t - tol cannot overflow for the times a file holds; compare as a difference anyway */
    if (i == 0 || t - z->t[i - 1] > tol)
        return false;
    *v = z->v[i - 1];
    if (at)
        *at = z->t[i - 1];
    return true;
}

static void scan(const ser *z, size_t i, size_t j, double *sum, uint64_t *nz, double *mn, double *mx)
{
    for (; i < j; i++) {
        double v = z->v[i];
        *sum += v;
        *nz += v != 0;
        *mn = v < *mn ? v : *mn;
        *mx = v > *mx ? v : *mx;
    }
}

void iof__sensors_agg(const iof__sensors *s, size_t dev, size_t col, int64_t t0, int64_t t1, iof__sensor_agg *out)
{
    memset(out, 0, sizeof *out);
    const ser *z = get_ser(s, dev, col);
    if (!z || t1 < t0)
        return;
    size_t i = bound(z->t, z->n, t0, false), j = bound(z->t, z->n, t1, true);
    if (i >= j)
        return;
    double sum = 0, mn = INFINITY, mx = -INFINITY;
    uint64_t nz = 0;
    size_t bi = (i + BLK - 1) / BLK, bj = j / BLK;
    if (bi >= bj) {
        scan(z, i, j, &sum, &nz, &mn, &mx);
    } else {
        scan(z, i, bi * BLK, &sum, &nz, &mn, &mx);
        scan(z, bj * BLK, j, &sum, &nz, &mn, &mx);
        /* the whole blocks between: Neumaier-compensated, O(blocks spanned) */
        double c = 0;
        for (size_t b = bi; b < bj; b++) {
            double x = z->psum[b], t2 = sum + x;
            c += fabs(sum) >= fabs(x) ? (sum - t2) + x : (x - t2) + sum;
            sum = t2;
        }
        sum += c;
        nz += z->pnz[bj] - z->pnz[bi];
        int k = floor_log2(bj - bi);
        size_t o = (size_t)k * z->nb, b2 = bj - ((size_t)1 << k);
        double m1 = z->smin[o + bi] < z->smin[o + b2] ? z->smin[o + bi] : z->smin[o + b2];
        double x1 = z->smax[o + bi] > z->smax[o + b2] ? z->smax[o + bi] : z->smax[o + b2];
        mn = m1 < mn ? m1 : mn;
        mx = x1 > mx ? x1 : mx;
    }
    out->n = j - i;
    out->mean = sum / (double)out->n;
    if (mn == mx) {
        out->mean = mn; /* constant readings: exactly their value, not a rounded sum / n */
    } else if (!isfinite(out->mean)) {
        /* the sum overflowed (readings near 1e308): a running mean, O(readings), this case only */
        double m = 0;
        for (size_t k = i; k < j; k++)
            m += (z->v[k] - m) / (double)(k - i + 1);
        out->mean = m;
    }
    if (out->mean < mn) /* rounding never puts a mean outside its readings */
        out->mean = mn;
    if (out->mean > mx)
        out->mean = mx;
    out->min = mn;
    out->max = mx;
    out->any_nonzero = nz > 0;
}

void iof__sensors_level(const iof__sensors *s, size_t dev, size_t col, int64_t t0, size_t nsec, int64_t hold,
                        double *out)
{
    const ser *z = get_ser(s, dev, col);
    size_t p = 0;
    for (size_t k = 0; k < nsec; k++) {
        int64_t end = iof__sensors_second_end(t0 + (int64_t)k * NS_PER_S);
        while (z && p < z->n && z->t[p] <= end)
            p++;
        out[k] = z && p > 0 && hold >= 0 && end - z->t[p - 1] <= hold ? z->v[p - 1] : NAN;
    }
}

int64_t iof__sensors_tolerance_ns(double seconds)
{
    if (!(seconds >= 0 && seconds <= IOF_SENSORS_MAX_TOLERANCE_S))
        return -1;
    return (int64_t)llround(seconds * 1e9);
}

/* --sensors: what the reader kept, and every row it did not keep, by reason (SENSORS.md: rows ==
 * kept + skipped + duplicates) */
void iof__sensors_report(FILE *fp, const char *path, const iof__sensors *sens, const iof__sensors_stats *s)
{
    fprintf(fp, "  sensors: %s: %" PRIu64 " rows, kept %" PRIu64 ", skipped %" PRIu64, path, s->rows,
            s->rows_kept, iof__sensors_skipped(s));
    if (iof__sensors_skipped(s))
        fprintf(fp, " (csv=%" PRIu64 " fields=%" PRIu64 " time=%" PRIu64 " device=%" PRIu64 ")", s->skipped_csv,
                s->skipped_fields, s->skipped_time, s->skipped_device);
    fprintf(fp, ", duplicates replaced %" PRIu64 ", out of order %" PRIu64 " (kept, sorted)\n", s->duplicates,
            s->out_of_order);
    fprintf(fp, "    %zu value column(s), %" PRIu64 " values, %" PRIu64 " missing, %" PRIu64
                " bad (read as missing); %" PRIu64 " device(s), %" PRIu64 " of them not in the inventory (%" PRIu64
                " rows: such an id reaches a device only when it is a MAC)\n",
            iof__sensors_ncols(sens), s->values, s->missing, s->bad_values, s->devices, s->unresolved_devices,
            s->unresolved_rows);
    if (s->first_problem[0])
        fprintf(fp, "    first problem: %s\n", s->first_problem);
}
