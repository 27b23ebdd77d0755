/* The one directory walk (see walk.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/walk.h"

const char *iof__base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

bool iof__is_temp_name(const char *base)
{
    return base[0] == '.' && strstr(base, ".tmp.") != NULL;
}

static int walk(const char *dir, int depth, iof__walk_fn fn, iof_skip_cb skipped, void *ctx,
                char *eb, size_t el)
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
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno)
                rc = iof__fail(eb, el, IOF_E_IO, "%s: cannot read directory: %s", dir,
                               strerror(errno));
            break;
        }
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            iof__is_temp_name(e->d_name))
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
            rc = walk(path, depth + 1, fn, skipped, ctx, eb, el);
            if (rc != 0)
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
        if ((rc = fn(ctx, path)) != 0)
            break;
    }
    closedir(d);
    return rc;
}

int iof__walk(const char *dir, iof__walk_fn fn, iof_skip_cb skipped, void *ctx, char *eb,
              size_t el)
{
    return walk(dir, 0, fn, skipped, ctx, eb, el);
}
