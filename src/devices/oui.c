/* Vendor database (see oui.h). Entries are (prefix length, prefix) keys sorted once, looked up
 * by binary search for each prefix length present, longest first. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"
#include "common/hex.h"
#include "devices/oui.h"
#include "devices/text.h"
#include "flow/inventory.h"

typedef struct oui_ent {
    uint64_t key;  /* bits << 48 | prefix (the MAC's first `bits` bits, the rest zero) */
    uint32_t name; /* offset in names */
    uint32_t seq;  /* load order: the first file wins among equal keys */
} oui_ent;

struct iof__oui {
    oui_ent *e;
    size_t n, cap;
    char *names;
    size_t names_len, names_cap;
    uint32_t last_name; /* offset of the last name added (runs of one vendor share it) */
    uint64_t lens;      /* bit b set: some entry has a b-bit prefix (1..48) */
    bool sorted;
};

iof__oui *iof__oui_create(void)
{
    iof__oui *db = calloc(1, sizeof(*db));
    if (db)
        db->sorted = true;
    return db;
}

void iof__oui_free(iof__oui *db)
{
    if (!db)
        return;
    free(db->e);
    free(db->names);
    free(db);
}

size_t iof__oui_count(const iof__oui *db) { return db ? db->n : 0; }

static uint64_t mask_bits(unsigned bits) { return bits >= 48 ? 0xffffffffffffULL : (0xffffffffffffULL << (48 - bits)) & 0xffffffffffffULL; }

/* manuf prefix: 1-6 octets of 1-2 hex digits separated by ':', '-' or '.', then "/BITS". */
static bool parse_prefix(const char *s, uint64_t *prefix, unsigned *bits)
{
    uint64_t v = 0;
    unsigned octets = 0;
    const char *p = s;
    for (;;) {
        int hi = iof__hex_digit((unsigned char)p[0]);
        if (hi < 0 || octets == 6)
            return false;
        int lo = iof__hex_digit((unsigned char)p[1]);
        unsigned byte = lo < 0 ? (unsigned)hi : (unsigned)(hi << 4 | lo);
        p += lo < 0 ? 1 : 2;
        v |= (uint64_t)byte << (40 - 8 * octets);
        octets++;
        if (*p == ':' || *p == '-' || *p == '.') {
            p++;
            continue;
        }
        break;
    }
    unsigned b = octets * 8;
    if (*p == '/') {
        char *end;
        unsigned long x = strtoul(p + 1, &end, 10);
        if (end == p + 1 || *end || x < 1 || x > 48)
            return false;
        b = (unsigned)x;
    } else if (*p) {
        return false;
    }
    *bits = b;
    *prefix = v & mask_bits(b);
    return true;
}

static int add(iof__oui *db, uint64_t prefix, unsigned bits, const char *name, size_t nl, const char *path,
               long line, char *err, size_t errlen)
{
    if (db->n >= IOF_OUI_MAX_ENTRIES)
        return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: more than %d vendor entries", path, line,
                         IOF_OUI_MAX_ENTRIES);
    char clean[IOF_OUI_MAX_NAME];
    size_t cl = iof__dev_text(clean, sizeof clean, (const uint8_t *)name, nl);
    if (cl == 0)
        return 0; /* a prefix without a usable name adds nothing */
    if (iof__grow((void **)&db->e, &db->cap, db->n + 1, sizeof *db->e, IOF_OUI_MAX_ENTRIES) != IOF_OK)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    uint32_t off = db->last_name;
    if (!db->names || strcmp(db->names + off, clean) != 0) {
        /* at most one name per entry: the names stay below entries x IOF_OUI_MAX_NAME */
        if (iof__grow((void **)&db->names, &db->names_cap, db->names_len + cl + 1, 1,
                      (size_t)IOF_OUI_MAX_ENTRIES * IOF_OUI_MAX_NAME) != IOF_OK)
            return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        off = (uint32_t)db->names_len;
        memcpy(db->names + off, clean, cl + 1);
        db->names_len += cl + 1;
        db->last_name = off;
    }
    db->e[db->n].key = (uint64_t)bits << 48 | prefix;
    db->e[db->n].name = off;
    db->e[db->n].seq = (uint32_t)db->n;
    db->n++;
    db->lens |= 1ULL << bits;
    db->sorted = false;
    return 0;
}

static char *skip_blanks(char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static void rtrim(char *s, char *end)
{
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *end = '\0';
}

/* One manuf line (not blank, not a comment). */
static int manuf_line(iof__oui *db, char *s, const char *path, long line, char *err, size_t errlen)
{
    char *tok = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    char *tok_end = s;
    s = skip_blanks(s);
    *tok_end = '\0';
    uint64_t prefix;
    unsigned bits;
    if (!parse_prefix(tok, &prefix, &bits))
        return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: bad MAC prefix '%.40s'", path, line, tok);
    char *shortn = s;
    while (*s && *s != '\t')
        s++;
    char *short_end = s;
    char *longn = *s ? skip_blanks(s + 1) : s;
    rtrim(shortn, short_end);
    if (shortn[0] == '\0' || shortn[0] == '#')
        return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: MAC prefix without a vendor name", path, line);
    char *long_end = longn;
    while (*long_end && *long_end != '\t')
        long_end++;
    rtrim(longn, long_end);
    const char *name = longn[0] && longn[0] != '#' ? longn : shortn;
    return add(db, prefix, bits, name, strlen(name), path, line, err, errlen);
}

/* "XX-XX-XX   (hex)  Organization" */
static int ieee_hex_line(iof__oui *db, char *s, char *hex, const char *path, long line, char *err,
                         size_t errlen, size_t *pending)
{
    uint64_t v = 0;
    bool ok = true;
    for (int i = 0; i < 3 && ok; i++) {
        int hi = iof__hex_digit((unsigned char)s[i * 3]), lo = hi < 0 ? -1 : iof__hex_digit((unsigned char)s[i * 3 + 1]);
        ok = hi >= 0 && lo >= 0 && (i == 2 || s[i * 3 + 2] == '-');
        v = v << 8 | (uint64_t)(ok ? hi << 4 | lo : 0);
    }
    if (!ok || (s[8] != ' ' && s[8] != '\t'))
        return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: bad OUI before (hex): '%.20s'", path, line, s);
    char *name = skip_blanks(hex + 5);
    rtrim(name, name + strlen(name));
    size_t before = db->n;
    int rc = add(db, v << 24, 24, name, strlen(name), path, line, err, errlen);
    *pending = db->n > before ? db->n : 0; /* 1-based index of the entry a range line narrows */
    return rc;
}

/* "LLLLLL-HHHHHH   (base 16) ..." narrows the entry just added; "XXXXXX (base 16)" does not. */
static int ieee_range_line(iof__oui *db, const char *s, const char *path, long line, char *err, size_t errlen,
                           size_t pending)
{
    uint32_t lo = 0, hi = 0;
    int i = 0;
    for (; i < 6; i++) {
        int h = iof__hex_digit((unsigned char)s[i]);
        if (h < 0)
            break;
        lo = lo << 4 | (uint32_t)h;
    }
    if (i != 6)
        return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: bad (base 16) line '%.30s'", path, line, s);
    if (s[6] != '-')
        return 0; /* a whole OUI */
    for (i = 0; i < 6; i++) {
        int h = iof__hex_digit((unsigned char)s[7 + i]);
        if (h < 0)
            return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: bad range '%.30s'", path, line, s);
        hi = hi << 4 | (uint32_t)h;
    }
    uint32_t size = hi >= lo ? hi - lo + 1 : 0;
    unsigned wild = 0;
    while (wild < 24 && (1u << wild) < size)
        wild++;
    if (size == 0 || (1u << wild) != size || (lo & (size - 1)) != 0)
        return iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: range %06X-%06X is not an aligned power-of-two block",
                         path, line, lo, hi);
    if (pending == 0)
        return 0; /* the (hex) line had no usable name */
    oui_ent *e = &db->e[pending - 1];
    unsigned bits = 48 - wild;
    e->key = (uint64_t)bits << 48 | ((e->key & 0xffffffffffffULL) | lo);
    db->lens |= 1ULL << bits;
    return 0;
}

int iof__oui_add_file(iof__oui *db, const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return iof__fail(err, errlen, IOF_E_IO, "%s: cannot open vendor database: %s", path, strerror(errno));
    char buf[IOF_OUI_MAX_LINE + 2];
    long line = 0;
    int rc = 0, ieee = -1; /* -1: decided by the first line */
    size_t pending = 0;
    while (rc == 0 && fgets(buf, sizeof buf, fp)) {
        line++;
        size_t len = strlen(buf);
        if (len > IOF_OUI_MAX_LINE || (len == sizeof buf - 1 && buf[len - 1] != '\n' && !feof(fp))) {
            rc = iof__fail(err, errlen, IOF_E_INVAL, "%s:%ld: line longer than %d bytes", path, line,
                           IOF_OUI_MAX_LINE);
            break;
        }
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = '\0';
        char *s = skip_blanks(buf);
        if (*s == '#' && ieee != 1)
            continue; /* manuf comment */
        char *hex = strstr(s, "(hex)");
        if (ieee < 0 && *s)
            ieee = strncmp(s, "OUI", 3) == 0 || hex != NULL;
        if (ieee == 1) {
            if (hex) {
                rc = ieee_hex_line(db, s, hex, path, line, err, errlen, &pending);
            } else if (strstr(s, "(base 16)")) {
                rc = ieee_range_line(db, s, path, line, err, errlen, pending);
                pending = 0;
            }
            continue; /* headers, addresses, blank lines */
        }
        if (*s == '\0')
            continue;
        rc = manuf_line(db, s, path, line, err, errlen);
    }
    if (rc == 0 && ferror(fp))
        rc = iof__fail(err, errlen, IOF_E_IO, "%s: read error: %s", path, strerror(errno));
    fclose(fp);
    return rc;
}

static int cmp_ent(const void *a, const void *b)
{
    const oui_ent *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

const char *iof__oui_lookup(iof__oui *db, const uint8_t mac[6])
{
    if (!db || db->n == 0)
        return NULL;
    if (!db->sorted) {
        qsort(db->e, db->n, sizeof(*db->e), cmp_ent);
        size_t w = 0; /* keep the first of equal keys */
        for (size_t i = 0; i < db->n; i++)
            if (w == 0 || db->e[w - 1].key != db->e[i].key)
                db->e[w++] = db->e[i];
        db->n = w;
        db->sorted = true;
    }
    uint64_t m = 0;
    for (int i = 0; i < 6; i++)
        m = m << 8 | mac[i];
    for (unsigned bits = 48; bits >= 1; bits--) {
        if (!(db->lens >> bits & 1))
            continue;
        uint64_t key = (uint64_t)bits << 48 | (m & mask_bits(bits));
        size_t lo = 0, hi = db->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (db->e[mid].key < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < db->n && db->e[lo].key == key)
            return db->names + db->e[lo].name;
    }
    return NULL;
}
