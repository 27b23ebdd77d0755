/* A gzip stream over an atomic output file (output/outfile.h): what is written is compressed
 * (libdeflate) into the temp file as a series of complete gzip members, one per MiB written (a
 * valid gzip file: readers see one stream); finish ends the last member and completes the file,
 * publish renames it. With `plain` the bytes pass through uncompressed (standard output). */
#ifndef IOF_OUTPUT_GZOUT_H
#define IOF_OUTPUT_GZOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "output/outfile.h"

typedef struct iof__gzout iof__gzout;

/* Helpers a writer uses beside its owner unless told to use none (--threads 1): two compress
 * as fast as one owner makes the dense capture's JSON (bench/README.md "libdeflate members"). */
#define IOF_GZ_HELPERS 2
#define IOF_GZ_MAX_HELPERS 4
/* helpers: compress members on that many helper threads (at most IOF_GZ_MAX_HELPERS; 0 inline;
 * fewer if they cannot start), the same bytes as without. Returns 0 or IOF_E_OUTPUT /
 * IOF_E_NOMEM (message in err). */
int iof__gzout_open(iof__gzout **out, const char *final_path, bool plain, unsigned helpers, char *err,
                    size_t errlen);
/* Returns 0, IOF_E_OUTPUT / IOF_E_NOMEM (see errmsg) or IOF_E_CLOSED (stdout's reader left); with
 * the helper, an error of an earlier batch may come back from a later write or finish. */
int iof__gzout_write(iof__gzout *g, const void *buf, size_t n);
/* Ends the gzip member, flushes and fsyncs (bytes stay under the temp name). On failure call
 * abort. */
int iof__gzout_finish(iof__gzout *g);
/* Renames over the final name; ALWAYS frees g. 0 or IOF_E_OUTPUT (message in err). */
int iof__gzout_publish(iof__gzout *g, char *err, size_t errlen);
/* Removes the temp file and frees g. NULL is a no-op. */
void iof__gzout_abort(iof__gzout *g);
const char *iof__gzout_errmsg(const iof__gzout *g);
const char *iof__gzout_path(const iof__gzout *g);

#endif
