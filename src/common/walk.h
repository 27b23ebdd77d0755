/* The one directory walk: every regular file under a directory (recursively, symbolic links to
 * regular files followed, symbolic links to directories not), for the capture input list and
 * for the dataset reader. Entries that cannot be used (unreadable, another file type, nesting
 * deeper than IOF_MAX_DIR_DEPTH, a path longer than IOF_MAX_PATH_LEN, iotflow's own temporary
 * output files) are reported through `skipped` and the walk goes on. The caller orders what it
 * collects (input lists sort full paths byte-wise). */
#ifndef IOF_COMMON_WALK_H
#define IOF_COMMON_WALK_H

#include <stdbool.h>
#include <stddef.h>

#define IOF_MAX_DIR_DEPTH 64       /* nested directories followed */
#define IOF_MAX_PATH_LEN 4096

typedef void (*iof_skip_cb)(void *ctx, const char *path, const char *why);
/* Called for each regular file; a non-zero return stops the walk and is returned. */
typedef int (*iof__walk_fn)(void *ctx, const char *path);

/* Returns 0, the callback's non-zero return, or IOF_E_IO when `dir` itself cannot be read
 * (message in eb). */
int iof__walk(const char *dir, iof__walk_fn fn, iof_skip_cb skipped, void *ctx, char *eb,
              size_t el);

/* True for a name of iotflow's temporary output files (".NAME.tmp.PID.RAND", see
 * output/outfile.c): never an input. */
bool iof__is_temp_name(const char *base);

/* The part of a path after its last '/' (the whole path when it ends with '/' or has none):
 * the name inputs are recorded and sorted by, and output names are made from. */
const char *iof__base_name(const char *path);

#endif
