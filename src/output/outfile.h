/* Atomic output files (RELIABILITY.md R6): bytes go to `<dir>/.<name>.tmp.<pid>.<rand>`
 * (O_CREAT|O_EXCL, same directory); commit = flush, fsync, rename over the final name, fsync
 * the directory; abort = unlink the temp file. Every write result is checked. "-" streams to
 * stdout (not atomic: write errors such as EPIPE/ENOSPC are still fatal).
 */
#ifndef IOF_OUTPUT_OUTFILE_H
#define IOF_OUTPUT_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct iof__outfile iof__outfile;

/* Creates missing parent directories. Returns 0 or IOF_E_OUTPUT / IOF_E_NOMEM (msg in err). */
int iof__outfile_open(iof__outfile **out, const char *final_path, char *err, size_t errlen);
/* Whether a final path is taken (anything there, or it cannot be checked): an earlier run's
 * file that --overwrite may replace and that is refused otherwise. */
bool iof__outfile_path_taken(const char *final_path);
/* Buffered write. Returns 0 or IOF_E_OUTPUT (the message names the path and errno text), or
 * IOF_E_CLOSED when standard output's reader went away (EPIPE). */
int iof__outfile_write(iof__outfile *f, const void *buf, size_t n);
/* Bytes written so far (the offset of the next byte). */
uint64_t iof__outfile_offset(const iof__outfile *f);
/* Two-phase completion, for runs that write several files and must publish all or none:
 * finish = flush, fsync, close (the bytes stay under the temp name; 0 or IOF_E_OUTPUT with
 * errmsg set; on failure call abort); publish = rename over the final name + fsync the
 * directory, ALWAYS frees f (0, or IOF_E_OUTPUT with the message in err). */
int iof__outfile_finish(iof__outfile *f);
int iof__outfile_publish(iof__outfile *f, char *err, size_t errlen);
/* finish + publish. Completes the file (flush, fsync, rename, fsync dir) and ALWAYS frees f. Returns 0, or
 * IOF_E_OUTPUT with the message copied to err (the temp file is removed). */
int iof__outfile_commit(iof__outfile *f, char *err, size_t errlen);
/* Removes the temp file and frees f. NULL is a no-op. */
void iof__outfile_abort(iof__outfile *f);
const char *iof__outfile_errmsg(const iof__outfile *f);
const char *iof__outfile_path(const iof__outfile *f);
/* The temporary name the bytes are under until publish ("(stdout)" for "-"): a finished file
 * can be read back there (the synthetic generator loads its devices.csv as an inventory). */
const char *iof__outfile_temp_path(const iof__outfile *f);

/* Test hook (R6 injection): when the environment variable IOF_TEST_FAIL_WRITE=N is set, the
 * N-th low-level write (1-based, counted over the process) fails with ENOSPC. */

#endif
