/* Output files: the temp-file registry a second signal empties (no fixed slot count: it had
 * 64 slots, and the 65th temporary file survived a hard exit), publication, abort. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iotflow/iotflow.h"
#include "output/outfile.h"
#include "test.h"

#define N_FILES 500

static char dir[256];

static size_t count_entries(const char *d, bool temps)
{
    DIR *dp = opendir(d);
    size_t n = 0;
    if (!dp)
        return 0;
    for (struct dirent *e; (e = readdir(dp));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        bool is_temp = e->d_name[0] == '.' && strstr(e->d_name, ".tmp.") != NULL;
        n += is_temp == temps;
    }
    closedir(dp);
    return n;
}

static void rm_dir(const char *d)
{
    DIR *dp = opendir(d);
    if (!dp)
        return;
    char p[512];
    for (struct dirent *e; (e = readdir(dp));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
        unlink(p);
    }
    closedir(dp);
    rmdir(d);
}

static void test_remove_temp_files_has_no_slot_limit(void)
{
    snprintf(dir, sizeof(dir), "/tmp/iof_test_output.%ld", (long)getpid());
    static iof__outfile *f[N_FILES];
    char err[256], path[512];
    for (int i = 0; i < N_FILES; i++) {
        snprintf(path, sizeof(path), "%s/f%03d.csv", dir, i);
        ASSERT_EQ_INT(iof__outfile_open(&f[i], path, err, sizeof(err)), 0);
        ASSERT_EQ_INT(iof__outfile_write(f[i], "x\n", 2), 0);
    }
    /* one of them published, one aborted: neither may be touched by the cleanup */
    ASSERT_EQ_INT(iof__outfile_commit(f[0], err, sizeof(err)), 0);
    iof__outfile_abort(f[1]);
    ASSERT_EQ_U64(count_entries(dir, true), N_FILES - 2);
    ASSERT_EQ_U64(iof_remove_temp_files(), N_FILES - 2);
    ASSERT_EQ_U64(count_entries(dir, true), 0);
    ASSERT_EQ_U64(count_entries(dir, false), 1); /* f000.csv, published */
    ASSERT_EQ_U64(iof_remove_temp_files(), 0);
    for (int i = 2; i < N_FILES; i++)
        iof__outfile_abort(f[i]); /* their temp files are gone already: abort still frees */
    /* slots freed by the aborts are reused: a new file registers and is removed again */
    snprintf(path, sizeof(path), "%s/again.csv", dir);
    iof__outfile *g;
    ASSERT_EQ_INT(iof__outfile_open(&g, path, err, sizeof(err)), 0);
    ASSERT_EQ_U64(iof_remove_temp_files(), 1);
    iof__outfile_abort(g);
    rm_dir(dir);
}

static const iof_test tests[] = {
    TEST(test_remove_temp_files_has_no_slot_limit),
    { 0 },
};

int main(void) { return iof_test_run(tests); }
