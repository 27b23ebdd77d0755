#include <arpa/inet.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/csv.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/hex.h"
#include "common/macidx.h"
#include "common/utf8.h"
#include "flow/inventory.h"

#define INV_MAX_LINE 4096  /* bytes in a row (an `iotflow devices` row is < 2.5 KB) */
#define INV_MAX_FIELDS 64  /* fields in a row (header-named columns, or mac,name,type + IPs) */

struct iof__inventory {
    iof__device *dev;
    size_t n, cap;
    bool has_ips;
    iof__macidx idx; /* MAC -> device */
};

bool iof__parse_mac(const char *s, size_t n, uint8_t mac[6])
{
    if (n != 17)
        return false;
    for (int i = 0; i < 6; i++) {
        int hi = iof__hex_digit((unsigned char)s[i * 3]), lo = iof__hex_digit((unsigned char)s[i * 3 + 1]);
        if (hi < 0 || lo < 0)
            return false;
        if (i < 5 && s[i * 3 + 2] != ':' && s[i * 3 + 2] != '-')
            return false;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

void iof__format_mac(const uint8_t m[6], char out[18])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        out[i * 3] = hx[m[i] >> 4];
        out[i * 3 + 1] = hx[m[i] & 15];
        out[i * 3 + 2] = i < 5 ? ':' : '\0';
    }
}

static iof__macrows dev_rows(const iof__inventory *inv)
{
    return (iof__macrows){ inv->dev, sizeof *inv->dev, offsetof(iof__device, mac) };
}

long iof__inventory_find_mac(const iof__inventory *inv, const uint8_t mac[6])
{
    return inv ? iof__macidx_find(&inv->idx, dev_rows(inv), mac) : -1;
}

long iof__inventory_find_ip(const iof__inventory *inv, uint8_t ipver, const uint8_t ip[16])
{
    if (!inv || !inv->has_ips)
        return -1;
    size_t len = ipver == 4 ? 4 : 16;
    for (size_t i = 0; i < inv->n; i++)
        for (unsigned k = 0; k < inv->dev[i].n_ips; k++)
            if (inv->dev[i].ip_ver[k] == ipver && memcmp(inv->dev[i].ips[k], ip, len) == 0)
                return (long)i;
    return -1;
}

bool iof__inventory_has_ips(const iof__inventory *inv) { return inv && inv->has_ips; }
size_t iof__inventory_count(const iof__inventory *inv) { return inv ? inv->n : 0; }
const iof__device *iof__inventory_get(const iof__inventory *inv, size_t i) { return &inv->dev[i]; }

void iof__inventory_free(iof__inventory *inv)
{
    if (!inv)
        return;
    free(inv->dev);
    iof__macidx_free(&inv->idx);
    free(inv);
}

/* Where the columns are: a header row names them (any order, any case; unknown columns are
 * ignored), else they are positional: mac,name,type,ip... */
typedef struct colmap {
    bool header;
    int n;                           /* header fields */
    int mac, name, type, ip;         /* column index or -1 */
} colmap;

static const char *const known_cols[] = { "mac", "name", "type", "ip" };

/* The first data row is a header when none of its fields is a MAC and one of them is "mac". */
static int read_header(colmap *m, char **f, const size_t *fl, int nf, const char *path, long line,
                       char *err, size_t errlen)
{
    uint8_t mac[6];
    bool has_mac_name = false;
    for (int i = 0; i < nf; i++) {
        if (iof__parse_mac(f[i], fl[i], mac))
            return 0;
        if (strcasecmp(f[i], "mac") == 0)
            has_mac_name = true;
    }
    if (!has_mac_name)
        return 0;
    int *slot[] = { &m->mac, &m->name, &m->type, &m->ip };
    m->header = true;
    m->n = nf;
    m->mac = m->name = m->type = m->ip = -1;
    for (int i = 0; i < nf; i++)
        for (size_t k = 0; k < sizeof(known_cols) / sizeof(known_cols[0]); k++) {
            if (strcasecmp(f[i], known_cols[k]) != 0)
                continue;
            if (*slot[k] >= 0)
                return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: column '%s' named twice (columns %d and %d)",
                                 path, line, known_cols[k], *slot[k] + 1, i + 1);
            *slot[k] = i;
        }
    return 1;
}

/* Adds the addresses of one field ("a;b c"). */
static int add_ips(iof__device *d, const char *s, size_t n, int col, const char *path, long line, char *err,
                   size_t errlen)
{
    const char *p = s, *e = s + n;
    while (p < e) {
        const char *q = p;
        while (q < e && *q != ';' && *q != ' ')
            q++;
        size_t len = (size_t)(q - p);
        if (len) {
            char buf[64];
            uint8_t a[16] = { 0 };
            int ver = 0;
            if (len < sizeof(buf)) {
                memcpy(buf, p, len);
                buf[len] = '\0';
                ver = inet_pton(AF_INET, buf, a) == 1 ? 4 : inet_pton(AF_INET6, buf, a) == 1 ? 6 : 0;
            }
            if (!ver)
                return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: column %d (ip): bad IP address '%.*s'", path,
                                 line, col + 1, (int)(len > 60 ? 60 : len), p);
            if (d->n_ips == IOF_MAX_DEVICE_IPS)
                return iof__fail(err, errlen, IOF_E_INVAL,
                                 "%s:%ld: more than %d IP addresses for one device (the inventory's cap, "
                                 "IOF_MAX_DEVICE_IPS): list at most %d",
                                 path, line, IOF_MAX_DEVICE_IPS, IOF_MAX_DEVICE_IPS);
            d->ip_ver[d->n_ips] = (uint8_t)ver;
            memcpy(d->ips[d->n_ips++], a, 16);
        }
        p = q + 1;
    }
    return IOF_OK;
}

static int copy_field(char *dst, char **f, const size_t *fl, int nf, int col, const char *what, const char *path,
                      long line, char *err, size_t errlen)
{
    if (col < 0 || col >= nf)
        return IOF_OK;
    if (fl[col] >= IOF_MAX_DEVICE_FIELD)
        return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: column %d (%s) longer than %d bytes", path, line,
                         col + 1, what, IOF_MAX_DEVICE_FIELD - 1);
    size_t bad = iof__utf8_first_bad((const uint8_t *)f[col], fl[col]);
    if (bad < fl[col]) /* it becomes output text (device_name, rules on device.name): UTF-8 */
        return iof__fail(err, errlen, IOF_E_INVAL,
                         "%s:%ld: column %d (%s) is not UTF-8 (byte %zu is 0x%02x): save the file as UTF-8", path,
                         line, col + 1, what, bad + 1, (unsigned)(unsigned char)f[col][bad]);
    memcpy(dst, f[col], fl[col]);
    return IOF_OK;
}

/* One data row into d. */
static int parse_row(iof__device *d, const colmap *m, char **f, const size_t *fl, int nf, const char *path,
                     long line, char *err, size_t errlen)
{
    memset(d, 0, sizeof(*d));
    int mac = m->header ? m->mac : 0, name = m->header ? m->name : 1, type = m->header ? m->type : 2;
    int ip_first = m->header ? m->ip : 3, ip_last = nf - 1;
    if (m->header) {
        /* as in the headerless format, fields past a last "ip" column hold more addresses */
        bool ip_is_last = m->ip >= 0 && m->ip == m->n - 1;
        if (nf > m->n && !ip_is_last)
            return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: %d fields, the header has %d", path, line, nf,
                             m->n);
        if (!ip_is_last)
            ip_last = ip_first;
    }
    if (mac >= nf || fl[mac] == 0)
        return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: column %d (mac) is empty", path, line, mac + 1);
    if (!iof__parse_mac(f[mac], fl[mac], d->mac))
        return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: column %d (mac): bad MAC address '%.*s'", path, line,
                         mac + 1, (int)(fl[mac] > 40 ? 40 : fl[mac]), f[mac]);
    IOF_TRY(copy_field(d->name, f, fl, nf, name, "name", path, line, err, errlen));
    IOF_TRY(copy_field(d->type, f, fl, nf, type, "type", path, line, err, errlen));
    for (int k = ip_first; k >= 0 && k <= ip_last && k < nf; k++)
        IOF_TRY(add_ips(d, f[k], fl[k], k, path, line, err, errlen));
    return IOF_OK;
}

/* One listed address, for the check that no address is two devices' */
typedef struct ip_at {
    uint8_t ver;
    uint8_t a[16];
    size_t dev;
} ip_at;

static int cmp_ip_at(const void *x, const void *y)
{
    const ip_at *p = x, *q = y;
    if (p->ver != q->ver)
        return p->ver < q->ver ? -1 : 1;
    int c = memcmp(p->a, q->a, 16);
    return c ? c : (p->dev > q->dev) - (p->dev < q->dev);
}

/* An address listed for two devices is refused: traffic without MACs would go to the first one
 * silently. Addresses are compared as parsed (IPv6 spelled differently collides); one device
 * listing an address twice is harmless. Sorted, neighbours compared; the message names the
 * earliest row that repeats another's address. line[i]: device i's line. */
static int ips_unique(const iof__inventory *inv, const long *line, const char *path, char *err, size_t errlen)
{
    size_t n = 0;
    for (size_t i = 0; i < inv->n; i++)
        n += inv->dev[i].n_ips;
    if (n < 2)
        return IOF_OK;
    ip_at *v = malloc(n * sizeof(*v));
    if (!v)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < inv->n; i++)
        for (unsigned j = 0; j < inv->dev[i].n_ips; j++) {
            v[k] = (ip_at){ .ver = inv->dev[i].ip_ver[j], .dev = i };
            memcpy(v[k++].a, inv->dev[i].ips[j], 16);
        }
    qsort(v, n, sizeof(*v), cmp_ip_at);
    const ip_at *first = NULL, *again = NULL;
    for (size_t g = 0, e; g < n; g = e) {
        for (e = g + 1; e < n && v[e].ver == v[g].ver && memcmp(v[e].a, v[g].a, 16) == 0; e++)
            if (v[e].dev != v[g].dev && (!again || v[e].dev < again->dev)) {
                first = &v[g];
                again = &v[e];
            }
    }
    int rc = IOF_OK;
    if (again) {
        char t[INET6_ADDRSTRLEN];
        if (!inet_ntop(again->ver == 4 ? AF_INET : AF_INET6, again->a, t, sizeof(t)))
            snprintf(t, sizeof(t), "?");
        rc = iof__fail(err, errlen, IOF_E_INVAL,
                       "%s:%ld: duplicate IP %s (first on line %ld): traffic without MACs could not tell the two "
                       "devices apart",
                       path, line[again->dev], t, line[first->dev]);
    }
    free(v);
    return rc;
}

int iof__inventory_load(iof__inventory **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return iof__fail(err, errlen, IOF_E_IO, "%s: cannot open device inventory: %s", path,
                         strerror(errno));
    int rc = IOF_OK;
    iof__inventory *inv = calloc(1, sizeof(*inv));
    char *line = malloc(INV_MAX_LINE + 2);
    long *dev_line = NULL; /* each device's line (messages) */
    size_t dev_line_cap = 0;
    if (!inv || !line) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        goto cleanup;
    }
    colmap map = { 0 };
    bool first = true;
    long lineno = 0;
    while (fgets(line, INV_MAX_LINE + 2, fp)) {
        lineno++;
        size_t len = strlen(line);
        if (len > INV_MAX_LINE) {
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: line longer than %d bytes", path,
                           lineno, INV_MAX_LINE);
            goto cleanup;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char *s = line;
        if (lineno == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s += 3; /* UTF-8 BOM */
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        char *f[INV_MAX_FIELDS];
        size_t fl[INV_MAX_FIELDS];
        int nf = iof__csv_split(s, f, fl, INV_MAX_FIELDS);
        if (nf < 0) {
            rc = iof__fail(err, errlen, IOF_E_INVAL,
                           "%s:%ld: malformed CSV row (an unbalanced quote, or more than %d fields)", path,
                           lineno, INV_MAX_FIELDS);
            goto cleanup;
        }
        if (first) {
            first = false;
            if ((rc = read_header(&map, f, fl, nf, path, lineno, err, errlen)) != 0) {
                if (rc < 0)
                    goto cleanup;
                rc = IOF_OK;
                continue;
            }
        }
        if (inv->n >= IOF_MAX_DEVICES) {
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: more than %d devices", path, lineno,
                           IOF_MAX_DEVICES);
            goto cleanup;
        }
        if (iof__grow((void **)&inv->dev, &inv->cap, inv->n + 1, sizeof *inv->dev, IOF_MAX_DEVICES) != IOF_OK) {
            rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
            goto cleanup;
        }
        iof__device *d = &inv->dev[inv->n];
        if ((rc = parse_row(d, &map, f, fl, nf, path, lineno, err, errlen)) != IOF_OK)
            goto cleanup;
        if (d->n_ips)
            inv->has_ips = true;
        if (iof__inventory_find_mac(inv, d->mac) >= 0) {
            char m[18];
            iof__format_mac(d->mac, m);
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: duplicate MAC %s", path, lineno, m);
            goto cleanup;
        }
        if (iof__grow((void **)&dev_line, &dev_line_cap, inv->n + 1, sizeof *dev_line, IOF_MAX_DEVICES) != IOF_OK) {
            rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
            goto cleanup;
        }
        dev_line[inv->n] = lineno;
        inv->n++;
        if ((rc = iof__macidx_add(&inv->idx, dev_rows(inv), inv->n - 1)) != IOF_OK) {
            rc = iof__fail(err, errlen, rc, "out of memory");
            goto cleanup;
        }
    }
    if (ferror(fp)) {
        rc = iof__fail(err, errlen, IOF_E_IO, "%s: read error: %s", path, strerror(errno));
        goto cleanup;
    }
    if (inv->n == 0) { /* a typo'd or truncated file would give an unattributed dataset */
        rc = iof__fail(err, errlen, IOF_E_INVAL, "%s: has no devices (%s): list at least one MAC", path,
                       lineno == 0 ? "the file is empty"
                       : map.header ? "a header row and no device rows"
                                    : "only comments and blank lines");
        goto cleanup;
    }
    if ((rc = ips_unique(inv, dev_line, path, err, errlen)) != IOF_OK)
        goto cleanup;
    fclose(fp);
    free(line);
    free(dev_line);
    *out = inv;
    return IOF_OK;
cleanup:
    fclose(fp);
    free(line);
    free(dev_line);
    iof__inventory_free(inv);
    return rc;
}
