/* Shared by the fuzz targets of parsers that read a named file (fuzz_inventory, fuzz_oui): the
 * input written to a fresh temporary file, so the parser's own open/read path is what runs. */
#ifndef IOF_TESTS_FILE_FUZZ_H
#define IOF_TESTS_FILE_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Fills path (a mkstemp template, e.g. "/tmp/iof-fuzz-x-XXXXXX") with the new file's name and
 * writes data there. False (nothing left behind) when the file cannot be made; the caller
 * unlinks it otherwise. */
static inline bool file_fuzz_write(char *path, const uint8_t *data, size_t size)
{
    int fd = mkstemp(path);
    if (fd < 0)
        return false;
    bool ok = write(fd, data, size) == (ssize_t)size;
    close(fd);
    if (!ok)
        unlink(path);
    return ok;
}

/* A rewrite target's files (fuzz_relabel, fuzz_fuse): a fresh directory holding the input as
 * in.EXT, and the names of the target's output and of the output rewritten again. */
typedef struct file_fuzz_job {
    char dir[64], in[128], out[128], again[128];
} file_fuzz_job;

/* name: a word for the directory ("relabel"). False (nothing left behind) when the directory or
 * the file cannot be made. */
static inline bool file_fuzz_job_open(file_fuzz_job *j, const char *name, const char *ext, const uint8_t *data,
                                      size_t size)
{
    snprintf(j->dir, sizeof j->dir, "/tmp/iof-fuzz-%s-XXXXXX", name);
    if (!mkdtemp(j->dir))
        return false;
    snprintf(j->in, sizeof j->in, "%s/in.%s", j->dir, ext);
    snprintf(j->out, sizeof j->out, "%s/out.%s", j->dir, ext);
    snprintf(j->again, sizeof j->again, "%s/again.%s", j->dir, ext);
    FILE *f = fopen(j->in, "wb");
    bool ok = f && fwrite(data, 1, size, f) == size;
    if (f)
        fclose(f);
    if (!ok) {
        unlink(j->in);
        rmdir(j->dir);
    }
    return ok;
}

static inline void file_fuzz_job_close(const file_fuzz_job *j)
{
    unlink(j->in);
    unlink(j->out);
    unlink(j->again);
    rmdir(j->dir);
}

#endif
