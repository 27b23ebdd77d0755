/* capture: input list expansion (files as given, directories recursively). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/source.h"
#include "common/err.h"

#define IOF_MAX_LISTED_FILES (1u << 20) /* files one run may expand to (memory stays small) */
#define IOF_MAX_DIR_DEPTH 64            /* nested directories followed */
#define IOF_MAX_PATH_LEN 4096

typedef struct plist {
    char **v;
    size_t n, cap;
} plist;

static int plist_add(plist *l, const char *path, char *eb, size_t el)
{
    if (l->n >= IOF_MAX_LISTED_FILES)
        return iof__fail(eb, el, IOF_E_LIMIT, "more than %u input files", IOF_MAX_LISTED_FILES);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return iof__fail(eb, el, IOF_E_NOMEM, "out of memory");
        l->v = nv;
        l->cap = cap;
    }
    char *d = strdup(path);
    if (!d)
        return iof__fail(eb, el, IOF_E_NOMEM, "out of memory");
    l->v[l->n++] = d;
    return 0;
}

static int cmp_bytes(const void *a, const void *b)
{
    const unsigned char *x = *(const unsigned char *const *)a;
    const unsigned char *y = *(const unsigned char *const *)b;
    return strcmp((const char *)x, (const char *)y); /* strcmp compares as unsigned char */
}

/* Why a file inside a directory is not a capture, or NULL if it looks like one. */
static const char *sniff(const char *path, char *why, size_t wl)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(why, wl, "cannot open: %s", strerror(errno));
        return why;
    }
    unsigned char b[4];
    ssize_t n;
    do
        n = read(fd, b, sizeof b);
    while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    if (n < 0) {
        snprintf(why, wl, "cannot read: %s", strerror(saved));
        return why;
    }
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return NULL; /* gzip */
    if (n < 4) {
        snprintf(why, wl, "too short to be a capture (%zd bytes)", n);
        return why;
    }
    uint32_t m = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    switch (m) {
    case 0xA1B2C3D4u: case 0xD4C3B2A1u: case 0xA1B23C4Du: case 0x4D3CB2A1u:
    case 0xA1B2CD34u: case 0x34CDB2A1u: case 0x0A0D0D0Au:
        return NULL;
    default:
        snprintf(why, wl, "not a capture (first bytes %02x %02x %02x %02x)", b[0], b[1], b[2], b[3]);
        return why;
    }
}

/* Collects regular files under dir (not following symlinked directories). */
static int walk(const char *dir, int depth, plist *out, iof_skip_cb skipped, void *ctx, char *eb,
                size_t el)
{
    if (depth > IOF_MAX_DIR_DEPTH) {
        if (skipped)
            skipped(ctx, dir, "directory nesting too deep");
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d)
        return iof__fail(eb, el, IOF_E_IO, "%s: cannot open directory: %s", dir, strerror(errno));
    int rc = 0;
    char path[IOF_MAX_PATH_LEN];
    char why[128];
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno)
                rc = iof__fail(eb, el, IOF_E_IO, "%s: cannot read directory: %s", dir,
                               strerror(errno));
            break;
        }
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int pl = snprintf(path, sizeof path, "%s%s%s", dir,
                          dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        if (pl < 0 || (size_t)pl >= sizeof path) {
            if (skipped)
                skipped(ctx, dir, "path too long");
            continue;
        }
        struct stat lsb, sb;
        if (lstat(path, &lsb) != 0) {
            if (skipped)
                skipped(ctx, path, strerror(errno));
            continue;
        }
        if (S_ISDIR(lsb.st_mode)) {
            rc = walk(path, depth + 1, out, skipped, ctx, eb, el);
            if (rc < 0)
                break;
            continue;
        }
        if (S_ISLNK(lsb.st_mode)) {
            if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
                if (skipped)
                    skipped(ctx, path, "symbolic link to something other than a regular file");
                continue;
            }
        } else if (!S_ISREG(lsb.st_mode)) {
            if (skipped)
                skipped(ctx, path, "not a regular file");
            continue;
        }
        const char *bad = sniff(path, why, sizeof why);
        if (bad) {
            if (skipped)
                skipped(ctx, path, bad);
            continue;
        }
        rc = plist_add(out, path, eb, el);
        if (rc < 0)
            break;
    }
    closedir(d);
    return rc;
}

void iof__input_list_free(char **list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

int iof__input_list_expand(const char *const *inputs, size_t n, char ***out, size_t *n_out,
                           iof_skip_cb skipped, void *ctx, char *eb, size_t el)
{
    plist l = { 0 };
    int rc = 0;
    *out = NULL;
    *n_out = 0;
    for (size_t i = 0; i < n; i++) {
        const char *in = inputs[i];
        struct stat sb;
        if (strcmp(in, "-") != 0 && stat(in, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            size_t first = l.n;
            rc = walk(in, 0, &l, skipped, ctx, eb, el);
            if (rc < 0)
                goto cleanup;
            if (l.n - first > 1)
                qsort(l.v + first, l.n - first, sizeof *l.v, cmp_bytes);
            continue;
        }
        /* a file named explicitly is never skipped: opening it reports any problem */
        rc = plist_add(&l, in, eb, el);
        if (rc < 0)
            goto cleanup;
    }
    *out = l.v;
    *n_out = l.n;
    return 0;
cleanup:
    iof__input_list_free(l.v, l.n);
    return rc;
}
