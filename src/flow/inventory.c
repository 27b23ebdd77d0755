#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"
#include "common/err.h"
#include "flow/inventory.h"

#define INV_MAX_LINE 4096

struct iof__inventory {
    iof_device *dev;
    size_t n, cap;
    bool has_ips;
    /* open-addressing index MAC -> device (power-of-two size, 2x rows) */
    int32_t *idx;
    size_t idx_mask;
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool iof__parse_mac(const char *s, size_t n, uint8_t mac[6])
{
    if (n != 17)
        return false;
    for (int i = 0; i < 6; i++) {
        int hi = hexval((unsigned char)s[i * 3]), lo = hexval((unsigned char)s[i * 3 + 1]);
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

static uint64_t mac_hash(const uint8_t m[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | m[i];
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    return v;
}

long iof__inventory_find_mac(const iof__inventory *inv, const uint8_t mac[6])
{
    if (!inv || !inv->idx)
        return -1;
    for (size_t h = mac_hash(mac) & inv->idx_mask;; h = (h + 1) & inv->idx_mask) {
        int32_t i = inv->idx[h];
        if (i < 0)
            return -1;
        if (memcmp(inv->dev[i].mac, mac, 6) == 0)
            return i;
    }
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
const iof_device *iof__inventory_get(const iof__inventory *inv, size_t i) { return &inv->dev[i]; }

void iof__inventory_free(iof__inventory *inv)
{
    if (!inv)
        return;
    free(inv->dev);
    free(inv->idx);
    free(inv);
}

static int add_ip(iof_device *d, const char *s, size_t n)
{
    char buf[64];
    if (n == 0)
        return 0;
    if (n >= sizeof(buf) || d->n_ips >= IOF_MAX_DEVICE_IPS)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    uint8_t a[16] = {0};
    if (inet_pton(AF_INET, buf, a) == 1) {
        d->ip_ver[d->n_ips] = 4;
    } else if (inet_pton(AF_INET6, buf, a) == 1) {
        d->ip_ver[d->n_ips] = 6;
    } else {
        return -1;
    }
    memcpy(d->ips[d->n_ips++], a, 16);
    return 0;
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
    if (!inv || !line) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        goto cleanup;
    }
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
        char *f[3 + IOF_MAX_DEVICE_IPS];
        size_t fl[3 + IOF_MAX_DEVICE_IPS];
        int nf = iof__csv_split(s, f, fl, 3 + IOF_MAX_DEVICE_IPS);
        if (nf < 0) {
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: malformed CSV row", path, lineno);
            goto cleanup;
        }
        if (inv->n == 0 && nf >= 1 && fl[0] == 3 && strncasecmp(f[0], "mac", 3) == 0)
            continue; /* header */
        if (nf < 3) {
            rc = iof__fail(err, errlen, IOF_E_INVAL,
                           "%s:%ld: expected mac,name,type[,ip], got %d field(s)", path, lineno, nf);
            goto cleanup;
        }
        if (inv->n >= IOF_MAX_DEVICES) {
            rc = iof__fail(err, errlen, IOF_E_LIMIT, "%s:%ld: more than %d devices", path, lineno,
                           IOF_MAX_DEVICES);
            goto cleanup;
        }
        if (inv->n == inv->cap) {
            size_t cap = inv->cap ? inv->cap * 2 : 64;
            iof_device *d = realloc(inv->dev, cap * sizeof(*d));
            if (!d) {
                rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
                goto cleanup;
            }
            inv->dev = d;
            inv->cap = cap;
        }
        iof_device *d = &inv->dev[inv->n];
        memset(d, 0, sizeof(*d));
        if (!iof__parse_mac(f[0], fl[0], d->mac)) {
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: bad MAC address '%.*s'", path, lineno,
                           (int)(fl[0] > 40 ? 40 : fl[0]), f[0]);
            goto cleanup;
        }
        if (fl[1] >= IOF_MAX_DEVICE_FIELD || fl[2] >= IOF_MAX_DEVICE_FIELD) {
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: name or type longer than %d bytes",
                           path, lineno, IOF_MAX_DEVICE_FIELD - 1);
            goto cleanup;
        }
        memcpy(d->name, f[1], fl[1]);
        memcpy(d->type, f[2], fl[2]);
        for (int k = 3; k < nf; k++) {
            /* an ip field may itself hold several addresses separated by ';' or ' ' */
            const char *p = f[k], *e = f[k] + fl[k];
            while (p < e) {
                const char *q = p;
                while (q < e && *q != ';' && *q != ' ')
                    q++;
                if (add_ip(d, p, (size_t)(q - p)) != 0) {
                    rc = iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: bad IP address '%.*s'", path,
                                   lineno, (int)((q - p) > 60 ? 60 : (q - p)), p);
                    goto cleanup;
                }
                p = q + 1;
            }
        }
        if (d->n_ips)
            inv->has_ips = true;
        if (iof__inventory_find_mac(inv, d->mac) >= 0) {
            char m[18];
            iof__format_mac(d->mac, m);
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: duplicate MAC %s", path, lineno, m);
            goto cleanup;
        }
        inv->n++;
        /* (re)build the index when it gets half full */
        if (inv->n * 2 > inv->idx_mask) {
            size_t size = 16;
            while (size < inv->n * 4)
                size *= 2;
            int32_t *idx = malloc(size * sizeof(*idx));
            if (!idx) {
                rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
                goto cleanup;
            }
            free(inv->idx);
            inv->idx = idx;
            inv->idx_mask = size - 1;
            for (size_t i = 0; i < size; i++)
                idx[i] = -1;
            for (size_t i = 0; i < inv->n; i++) {
                size_t h = mac_hash(inv->dev[i].mac) & inv->idx_mask;
                while (idx[h] >= 0)
                    h = (h + 1) & inv->idx_mask;
                idx[h] = (int32_t)i;
            }
        } else {
            size_t h = mac_hash(d->mac) & inv->idx_mask;
            while (inv->idx[h] >= 0)
                h = (h + 1) & inv->idx_mask;
            inv->idx[h] = (int32_t)(inv->n - 1);
        }
    }
    if (ferror(fp)) {
        rc = iof__fail(err, errlen, IOF_E_IO, "%s: read error: %s", path, strerror(errno));
        goto cleanup;
    }
    fclose(fp);
    free(line);
    *out = inv;
    return IOF_OK;
cleanup:
    fclose(fp);
    free(line);
    iof__inventory_free(inv);
    return rc;
}
