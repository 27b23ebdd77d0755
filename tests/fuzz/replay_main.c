/* Replay driver: a main() for fuzz targets built without libFuzzer (gcc, ctest).
 * Feeds every regular file of the directories (or files) named on the command line to
 * LLVMFuzzerTestOneInput, in name order, and prints "N passed, N failed". Missing
 * directories are reported and skipped; no inputs at all is a pass. A crash or sanitizer
 * report in the target ends the process (that is the failure ctest sees); "failed" counts
 * inputs that could not be read. (libpcap onefile.c / zstd regression_driver.c idea.)
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX_INPUT (64u << 20) /* larger inputs are not fuzz inputs: refuse, count failed */

static int run_file(const char *path, unsigned *passed, unsigned *failed)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        (*failed)++;
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > REPLAY_MAX_INPUT) {
        fprintf(stderr, "replay: %s: cannot size or too large\n", path);
        fclose(f);
        (*failed)++;
        return -1;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf || fread(buf, 1, n, f) != n) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        fclose(f);
        (*failed)++;
        return -1;
    }
    fclose(f);
    /* exactly-sized copy so over-reads past the input are caught */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        (*failed)++;
        return -1;
    }
    if (n)
        memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    (*passed)++;
    return 0;
}

static int skip_name(const struct dirent *e) { return e->d_name[0] != '.'; }

int main(int argc, char **argv)
{
    unsigned passed = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            printf("replay: %s: missing, skipped\n", argv[i]);
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            run_file(argv[i], &passed, &failed);
            continue;
        }
        struct dirent **names = NULL;
        int n = scandir(argv[i], &names, skip_name, alphasort);
        if (n < 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            failed++;
            continue;
        }
        unsigned before = passed;
        for (int k = 0; k < n; k++) {
            size_t len = strlen(argv[i]) + strlen(names[k]->d_name) + 2;
            char *path = malloc(len);
            if (path) {
                snprintf(path, len, "%s/%s", argv[i], names[k]->d_name);
                struct stat fs;
                if (stat(path, &fs) == 0 && S_ISREG(fs.st_mode))
                    run_file(path, &passed, &failed);
                free(path);
            } else {
                failed++;
            }
            free(names[k]);
        }
        free(names);
        printf("replay: %s: %u inputs\n", argv[i], passed - before);
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
