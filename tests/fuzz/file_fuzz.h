/* Shared by the fuzz targets of parsers that read a named file (fuzz_inventory, fuzz_oui): the
 * input written to a fresh temporary file, so the parser's own open/read path is what runs. */
#ifndef IOF_TESTS_FILE_FUZZ_H
#define IOF_TESTS_FILE_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
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

#endif
