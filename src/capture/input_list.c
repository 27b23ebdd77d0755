/* capture: input list expansion (files as given, directories recursively). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/source.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/walk.h"

typedef struct plist {
    char **v;
    size_t n, cap;
    iof_skip_cb skipped;
    void *ctx;
    char *eb;
    size_t el;
} plist;

static int plist_add(plist *l, const char *path)
{
    int rc = iof__grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v, IOF_MAX_LISTED_FILES);
    if (rc == IOF_E_LIMIT)
        return iof__fail(l->eb, l->el, rc, "more than %u input files", IOF_MAX_LISTED_FILES);
    char *d = rc == IOF_OK ? strdup(path) : NULL;
    if (!d)
        return iof__fail(l->eb, l->el, IOF_E_NOMEM, "out of memory");
    l->v[l->n++] = d;
    return 0;
}

static int cmp_bytes(const void *a, const void *b)
{
    const unsigned char *x = *(const unsigned char *const *)a;
    const unsigned char *y = *(const unsigned char *const *)b;
    return strcmp((const char *)x, (const char *)y); /* strcmp compares as unsigned char */
}

bool iof__capture_magic(const uint8_t *b, size_t n)
{
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return true; /* gzip */
    if (n < 4)
        return false;
    uint32_t m = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    switch (m) {
    case 0xA1B2C3D4u: case 0xD4C3B2A1u: case 0xA1B23C4Du: case 0x4D3CB2A1u:
    case 0xA1B2CD34u: case 0x34CDB2A1u: case 0x0A0D0D0Au:
        return true;
    default:
        return false;
    }
}

const char *iof__capture_sniff(const char *path, char *why, size_t wl)
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
    if (iof__capture_magic(b, (size_t)n))
        return NULL;
    if (n < 4)
        snprintf(why, wl, "too short to be a capture (%zd bytes)", n);
    else
        snprintf(why, wl, "not a capture (first bytes %02x %02x %02x %02x)", b[0], b[1], b[2], b[3]);
    return why;
}

/* A regular file found under a directory: kept if it is a capture. */
static int found(void *ctx, const char *path)
{
    plist *l = ctx;
    char why[128];
    const char *bad = iof__capture_sniff(path, why, sizeof why);
    if (bad) {
        if (l->skipped)
            l->skipped(l->ctx, path, bad);
        return 0;
    }
    return plist_add(l, path);
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
    plist l = { .skipped = skipped, .ctx = ctx, .eb = eb, .el = el };
    int rc = 0;
    *out = NULL;
    *n_out = 0;
    for (size_t i = 0; i < n; i++) {
        const char *in = inputs[i];
        struct stat sb;
        if (strcmp(in, "-") != 0 && stat(in, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            size_t first = l.n;
            rc = iof__walk(in, found, skipped, &l, eb, el);
            if (rc < 0)
                goto cleanup;
            if (l.n - first > 1)
                qsort(l.v + first, l.n - first, sizeof *l.v, cmp_bytes);
            continue;
        }
        /* a file named explicitly is never skipped: opening it reports any problem */
        rc = plist_add(&l, in);
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
