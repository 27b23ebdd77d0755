/* capture: input list expansion (files as given, directories recursively). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/source.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/walk.h"

typedef struct plist {
    char **v;
    size_t n, cap;
    size_t *arg, arg_cap; /* arg[i]: the input argument v[i] came from */
    const char *const *inputs;
    size_t cur;           /* the argument being expanded */
    iof_skip_cb skipped;
    void *ctx;
    char *eb;
    size_t el;
} plist;

static int plist_add(plist *l, const char *path)
{
    int rc = iof__grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v, IOF_MAX_LISTED_FILES);
    if (rc == IOF_OK)
        rc = iof__grow((void **)&l->arg, &l->arg_cap, l->n + 1, sizeof *l->arg, IOF_MAX_LISTED_FILES);
    if (rc == IOF_E_LIMIT)
        return iof__fail(l->eb, l->el, rc, "more than %u input files", IOF_MAX_LISTED_FILES);
    char *d = rc == IOF_OK ? strdup(path) : NULL;
    if (!d)
        return iof__fail(l->eb, l->el, IOF_E_NOMEM, "out of memory");
    l->arg[l->n] = l->cur;
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
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
        /* gzip: what it holds must be a capture too (a Joy .json.gz is gzip) */
        gzFile gz = gzopen(path, "rb");
        int got = gz ? gzread(gz, b, sizeof b) : -1;
        if (gz)
            gzclose(gz);
        if (got == (int)sizeof b && iof__capture_magic(b, sizeof b) && !(b[0] == 0x1f && b[1] == 0x8b))
            return NULL;
        if (got < 0)
            snprintf(why, wl, "gzip that cannot be read");
        else if (got < 4)
            snprintf(why, wl, "gzip of %d bytes: too short to be a capture", got);
        else
            snprintf(why, wl, "gzip of no capture (first bytes inside %02x %02x %02x %02x)", b[0], b[1], b[2], b[3]);
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

typedef struct file_id {
    dev_t dev;
    ino_t ino;
    size_t idx;
} file_id;

static int by_file_id(const void *a, const void *b)
{
    const file_id *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* How the input argument gave list entry i, for a message: "PATH" or "PATH (in directory D)". */
static void spelling(const plist *l, size_t i, char *buf, size_t bl)
{
    const char *a = l->inputs[l->arg[i]];
    if (strcmp(a, l->v[i]) == 0)
        snprintf(buf, bl, "%s", l->v[i]);
    else
        snprintf(buf, bl, "%s (in directory %s)", l->v[i], a);
}

/* One file listed twice (the same path twice, a file and a directory holding it, a symbolic or
 * hard link to it, "-" twice) would be read twice and every record counted double: refused,
 * naming both spellings (the pair whose second spelling comes first in the list). Files are
 * the same when stat() (links followed; fstat of standard input for "-") gives the same device
 * and inode; only equality is used, so the outcome does not depend on the machine's inode
 * numbers. A path stat() cannot read is left to opening it, which reports why. */
static int refuse_same_file(const plist *l)
{
    if (l->n < 2)
        return 0;
    file_id *v = malloc(l->n * sizeof *v);
    if (!v)
        return iof__fail(l->eb, l->el, IOF_E_NOMEM, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < l->n; i++) {
        struct stat st;
        if ((strcmp(l->v[i], "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(l->v[i], &st)) != 0)
            continue;
        v[m++] = (file_id){ .dev = st.st_dev, .ino = st.st_ino, .idx = i };
    }
    qsort(v, m, sizeof *v, by_file_id);
    size_t first = SIZE_MAX, second = SIZE_MAX;
    for (size_t i = 1; i < m; i++) {
        /* sorted by index within a file: v[i-1] and v[i] are its first two spellings */
        bool same = v[i].dev == v[i - 1].dev && v[i].ino == v[i - 1].ino;
        if (same && (i < 2 || v[i - 2].dev != v[i].dev || v[i - 2].ino != v[i].ino) && v[i].idx < second) {
            first = v[i - 1].idx;
            second = v[i].idx;
        }
    }
    free(v);
    if (second == SIZE_MAX)
        return 0;
    char a[IOF_MAX_PATH_LEN + 64], b[IOF_MAX_PATH_LEN + 64];
    spelling(l, first, a, sizeof a);
    spelling(l, second, b, sizeof b);
    return iof__fail(l->eb, l->el, IOF_E_INVAL,
                     "%s and %s are the same file: its packets would be read and counted twice; "
                     "give each capture once (a file listed twice, a file inside a directory also "
                     "given, or a link to it)",
                     a, b);
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
    plist l = { .skipped = skipped, .ctx = ctx, .eb = eb, .el = el, .inputs = inputs };
    int rc = 0;
    *out = NULL;
    *n_out = 0;
    for (size_t i = 0; i < n; i++) {
        const char *in = inputs[i];
        struct stat sb;
        l.cur = i;
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
    if ((rc = refuse_same_file(&l)) < 0)
        goto cleanup;
    free(l.arg);
    *out = l.v;
    *n_out = l.n;
    return 0;
cleanup:
    free(l.arg);
    iof__input_list_free(l.v, l.n);
    return rc;
}

typedef struct shard_item {
    size_t idx;
    uint64_t bytes;
    const char *path;
} shard_item;

/* Largest first; equal sizes by base name, then by the whole path (byte-wise): an order that
 * does not depend on the order the inputs were given in (shell globs sort by locale), nor on
 * where the captures are mounted unless two files share both size and name. */
static int by_size_desc(const void *a, const void *b)
{
    const shard_item *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    int c = strcmp(iof__base_name(x->path), iof__base_name(y->path));
    return c ? c : strcmp(x->path, y->path);
}

static bool lighter(const uint64_t *load, unsigned a, unsigned b)
{
    return load[a] < load[b] || (load[a] == load[b] && a < b);
}

int iof__input_list_shard(char **list, size_t *n, unsigned k, unsigned nshards, char *eb, size_t el)
{
    if (nshards == 0 || nshards > IOF_MAX_SHARDS || k == 0 || k > nshards)
        return iof__fail(eb, el, IOF_E_INVAL, "--shard K/N needs 1 <= K <= N <= %d", IOF_MAX_SHARDS);
    for (size_t i = 0; i < *n; i++)
        if (strcmp(list[i], "-") == 0)
            return iof__fail(eb, el, IOF_E_INVAL, "--shard splits files: standard input (-) cannot be shared out");
    shard_item *it = calloc(*n ? *n : 1, sizeof(*it));
    uint64_t *load = calloc(nshards, sizeof(*load));
    unsigned *heap = calloc(nshards, sizeof(*heap));
    unsigned char *mine = calloc(*n ? *n : 1, 1);
    if (!it || !load || !heap || !mine) {
        free(it), free(load), free(heap), free(mine);
        return iof__fail(eb, el, IOF_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < *n; i++) {
        struct stat st;
        /* a size we cannot read would change this machine's whole split: stop instead */
        if (stat(list[i], &st) != 0) {
            int e = errno;
            free(it), free(load), free(heap), free(mine);
            return iof__fail(eb, el, IOF_E_IO, "%s: cannot read its size for --shard: %s", list[i], strerror(e));
        }
        it[i].idx = i;
        it[i].bytes = (uint64_t)st.st_size;
        it[i].path = list[i];
    }
    qsort(it, *n, sizeof(*it), by_size_desc);
    /* heap[0] is the shard with the fewest bytes (ties: the lower shard): O(log N) per file */
    for (unsigned s = 0; s < nshards; s++)
        heap[s] = s;
    for (size_t i = 0; i < *n; i++) {
        unsigned best = heap[0];
        load[best] += it[i].bytes;
        mine[it[i].idx] = best == k - 1;
        for (unsigned h = 0;;) { /* sift the grown shard down */
            unsigned l = 2 * h + 1, r = l + 1, m = h;
            if (l < nshards && lighter(load, heap[l], heap[m]))
                m = l;
            if (r < nshards && lighter(load, heap[r], heap[m]))
                m = r;
            if (m == h)
                break;
            unsigned t = heap[h];
            heap[h] = heap[m];
            heap[m] = t;
            h = m;
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        if (mine[i])
            list[kept++] = list[i];
        else
            free(list[i]);
    }
    *n = kept;
    free(it), free(load), free(heap), free(mine);
    return IOF_OK;
}
