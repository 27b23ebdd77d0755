/* Atomic output files: temp name in the same directory, checked writes, fsync + rename. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "output/outfile.h"

#define OUTFILE_BUF (256u * 1024u) /* one write(2) per 256 KiB: no per-row syscalls */

/* Temp files alive in this process, so a second SIGINT can remove them with nothing but
 * unlink(2) (async-signal-safe). Slots hold a pointer to the outfile's temp path; they live in
 * chunks of TEMP_CHUNK_SLOTS that are allocated when all slots are taken and never freed, so
 * the registry has no fixed size (it had 64 slots: the 65th temp file was left behind) and a
 * signal handler can walk it at any moment: a chunk is fully initialised before it is linked,
 * a slot's pointer is cleared before the path is freed. Slots and chunks are claimed with
 * compare-and-swap, so runs on several threads (two syntheses at once) register safely; the
 * handler runs on the thread signals are delivered to (helper threads block them). */
#define TEMP_CHUNK_SLOTS 64
typedef struct temp_chunk {
    const char *volatile path[TEMP_CHUNK_SLOTS];
    struct temp_chunk *volatile next;
} temp_chunk;
static temp_chunk temp_first;

/* Returns the slot that now holds path, or NULL (out of memory: the file is still written and
 * removed on every ordinary path, only a second signal could not remove it). */
static const char *volatile *temp_register(const char *path)
{
    temp_chunk *c = &temp_first;
    for (;;) {
        for (int i = 0; i < TEMP_CHUNK_SLOTS; i++) {
            const char *none = NULL;
            if (!__atomic_load_n(&c->path[i], __ATOMIC_RELAXED) &&
                __atomic_compare_exchange_n(&c->path[i], &none, path, false, __ATOMIC_RELEASE,
                                            __ATOMIC_RELAXED))
                return &c->path[i];
        }
        temp_chunk *next = __atomic_load_n(&c->next, __ATOMIC_ACQUIRE);
        if (!next) {
            temp_chunk *n = calloc(1, sizeof(*n));
            if (!n)
                return NULL;
            if (__atomic_compare_exchange_n(&c->next, &next, n, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE))
                next = n;
            else
                free(n); /* another thread linked one first: next is that one */
        }
        c = next;
    }
}

static void temp_forget(const char *volatile *slot)
{
    if (slot)
        __atomic_store_n(slot, NULL, __ATOMIC_RELEASE);
}

size_t iof_remove_temp_files(void)
{
    size_t n = 0;
    for (temp_chunk *c = &temp_first; c; c = __atomic_load_n(&c->next, __ATOMIC_ACQUIRE))
        for (int i = 0; i < TEMP_CHUNK_SLOTS; i++) {
            const char *p = __atomic_load_n(&c->path[i], __ATOMIC_ACQUIRE);
            if (p && unlink(p) == 0)
                n++;
        }
    return n;
}

struct iof__outfile {
    const char *volatile *temp_slot;
    int fd;
    bool is_stdout;
    uint64_t offset;       /* bytes accepted so far */
    size_t used;           /* bytes in buf */
    char *final_path;
    char *tmp_path;
    char errmsg[512];
    unsigned char buf[OUTFILE_BUF];
};

/* R6 test hook: IOF_TEST_FAIL_WRITE=N makes the N-th low-level write of the process fail. */
static atomic_long fail_write_at = -2; /* writes come from the writers' helper threads too */
static atomic_long write_calls;

static bool injected_failure(void)
{
    long at = atomic_load(&fail_write_at);
    if (at == -2) {
        const char *e = getenv("IOF_TEST_FAIL_WRITE");
        at = e ? strtol(e, NULL, 10) : -1;
        atomic_store(&fail_write_at, at);
    }
    return at > 0 && atomic_fetch_add(&write_calls, 1) + 1 == at;
}

static int mkdirs(const char *dir, char *err, size_t errlen)
{
    char tmp[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(tmp))
        return iof__fail(err, errlen, IOF_E_OUTPUT, "%s: path too long", dir);
    memcpy(tmp, dir, n + 1);
    for (char *p = tmp + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                return iof__fail(err, errlen, IOF_E_OUTPUT, "%s: cannot create directory: %s",
                                 tmp, strerror(errno));
            *p = c;
            if (c == '\0')
                break;
        }
    }
    return IOF_OK;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int iof__outfile_open(iof__outfile **out, const char *final_path, char *err, size_t errlen)
{
    *out = NULL;
    iof__outfile *f = calloc(1, sizeof(*f));
    if (!f)
        return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
    f->fd = -1;
    f->temp_slot = NULL;
    if (strcmp(final_path, "-") == 0) {
        f->is_stdout = true;
        f->fd = STDOUT_FILENO;
        f->final_path = strdup("(stdout)");
        if (!f->final_path) {
            free(f);
            return iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        }
        *out = f;
        return IOF_OK;
    }
    int rc = IOF_OK;
    char *dir = dir_of(final_path);
    f->final_path = strdup(final_path);
    if (!dir || !f->final_path) {
        rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = mkdirs(dir, err, errlen)) != IOF_OK)
        goto cleanup;
    const char *base = strrchr(final_path, '/');
    base = base ? base + 1 : final_path;
    /* Seeded per attempt from pid, time and address: only uniqueness matters here. */
    unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL) ^ (unsigned)(uintptr_t)f;
    for (int attempt = 0; attempt < 16; attempt++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = strlen(dir) + strlen(base) + 64;
        temp_forget(f->temp_slot); /* before the path it points at is freed */
        f->temp_slot = NULL;
        free(f->tmp_path);
        f->tmp_path = malloc(n);
        if (!f->tmp_path) {
            rc = iof__fail(err, errlen, IOF_E_NOMEM, "out of memory");
            goto cleanup;
        }
        snprintf(f->tmp_path, n, "%s/.%s.tmp.%ld.%08x", dir, base, (long)getpid(), seed);
        f->temp_slot = temp_register(f->tmp_path);
        f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (f->fd >= 0 || errno != EEXIST)
            break;
    }
    if (f->fd < 0) {
        rc = iof__fail(err, errlen, IOF_E_OUTPUT, "%s: cannot create temporary file: %s",
                       f->tmp_path, strerror(errno));
        goto cleanup;
    }
    free(dir);
    *out = f;
    return IOF_OK;
cleanup:
    temp_forget(f->temp_slot);
    free(dir);
    free(f->final_path);
    free(f->tmp_path);
    free(f);
    return rc;
}

static int write_all(iof__outfile *f, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w;
        if (injected_failure()) {
            errno = ENOSPC;
            w = -1;
        } else {
            w = write(f->fd, p, n);
        }
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE && f->is_stdout) /* `| head`: normal use, not a failure */
                return iof__fail(f->errmsg, sizeof(f->errmsg), IOF_E_CLOSED,
                                 "(stdout): closed by its reader");
            return iof__fail(f->errmsg, sizeof(f->errmsg), IOF_E_OUTPUT, "%s: write failed: %s",
                             f->is_stdout ? "(stdout)" : f->final_path, strerror(errno));
        }
        p += w;
        n -= (size_t)w;
    }
    return IOF_OK;
}

static int flush_buf(iof__outfile *f)
{
    if (f->used == 0)
        return IOF_OK;
    int rc = write_all(f, f->buf, f->used);
    f->used = 0;
    return rc;
}

int iof__outfile_write(iof__outfile *f, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    f->offset += n;
    if (n >= OUTFILE_BUF) {
        IOF_TRY(flush_buf(f));
        return write_all(f, p, n);
    }
    if (n > OUTFILE_BUF - f->used)
        IOF_TRY(flush_buf(f));
    memcpy(f->buf + f->used, p, n);
    f->used += n;
    return IOF_OK;
}

uint64_t iof__outfile_offset(const iof__outfile *f) { return f->offset; }
const char *iof__outfile_errmsg(const iof__outfile *f) { return f->errmsg; }
const char *iof__outfile_path(const iof__outfile *f) { return f->final_path; }
const char *iof__outfile_temp_path(const iof__outfile *f)
{
    return f->is_stdout ? f->final_path : f->tmp_path;
}

static void outfile_free(iof__outfile *f)
{
    temp_forget(f->temp_slot);
    free(f->final_path);
    free(f->tmp_path);
    free(f);
}

int iof__outfile_finish(iof__outfile *f)
{
    int rc = flush_buf(f);
    if (f->is_stdout || f->fd < 0)
        return rc;
    if (rc == IOF_OK && fsync(f->fd) != 0 && errno != EINVAL)
        rc = iof__fail(f->errmsg, sizeof(f->errmsg), IOF_E_OUTPUT, "%s: fsync failed: %s",
                       f->final_path, strerror(errno));
    if (close(f->fd) != 0 && rc == IOF_OK)
        rc = iof__fail(f->errmsg, sizeof(f->errmsg), IOF_E_OUTPUT, "%s: close failed: %s",
                       f->final_path, strerror(errno));
    f->fd = -1;
    return rc;
}

int iof__outfile_publish(iof__outfile *f, char *err, size_t errlen)
{
    if (f->is_stdout) {
        outfile_free(f);
        return IOF_OK;
    }
    if (rename(f->tmp_path, f->final_path) != 0) {
        int rc = iof__fail(err, errlen, IOF_E_OUTPUT, "%s: rename failed: %s", f->final_path,
                           strerror(errno));
        unlink(f->tmp_path);
        outfile_free(f);
        return rc;
    }
    char *dir = dir_of(f->final_path);
    if (dir) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd); /* best effort: some filesystems refuse directory fsync */
            close(dfd);
        }
        free(dir);
    }
    outfile_free(f);
    return IOF_OK;
}

int iof__outfile_commit(iof__outfile *f, char *err, size_t errlen)
{
    int rc = iof__outfile_finish(f);
    if (rc != IOF_OK) {
        iof__fail(err, errlen, rc, "%s", f->errmsg);
        iof__outfile_abort(f);
        return rc;
    }
    return iof__outfile_publish(f, err, errlen);
}

void iof__outfile_abort(iof__outfile *f)
{
    if (!f)
        return;
    if (!f->is_stdout) {
        if (f->fd >= 0)
            close(f->fd);
        if (f->tmp_path)
            unlink(f->tmp_path);
    }
    outfile_free(f);
}

bool iof__outfile_path_taken(const char *final_path)
{
    struct stat sb;
    return lstat(final_path, &sb) == 0 || errno != ENOENT;
}
