#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/sysmem.h"

uint64_t iof__cgroup_limit_parse(const char *text)
{
    if (!text || strncmp(text, "max", 3) == 0)
        return 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || (*end && *end != '\n'))
        return 0;
    /* cgroup v1 writes "no limit" as a page-rounded LLONG_MAX: treat anything >= 2^62 alike */
    return v >= (1ULL << 62) ? 0 : (uint64_t)v;
}

static uint64_t limit_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char buf[64];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return iof__cgroup_limit_parse(buf);
}

static uint64_t min_limit(uint64_t a, uint64_t b) { return !a ? b : !b ? a : a < b ? a : b; }

/* The smallest limit in `file` at dir/cg and at each of its parents up to dir itself. */
static uint64_t walk_up(const char *dir, const char *cg, const char *file)
{
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s%s", dir, cg);
    if (n < 0 || (size_t)n >= sizeof(path))
        return 0;
    size_t root = strlen(dir);
    uint64_t lim = 0;
    for (;;) {
        size_t len = strlen(path);
        while (len > root && path[len - 1] == '/')
            path[--len] = '\0';
        char f[4200];
        snprintf(f, sizeof(f), "%s/%s", path, file);
        lim = min_limit(lim, limit_file(f));
        char *slash = strrchr(path, '/');
        if (len <= root || !slash || (size_t)(slash - path) < root)
            break;
        *slash = '\0';
    }
    return lim;
}

uint64_t iof__cgroup_limit_at(const char *sysfs, const char *proc_cgroup)
{
    uint64_t lim = 0;
    char v1[4200], v2[4200];
    snprintf(v1, sizeof(v1), "%s/memory", sysfs);
    snprintf(v2, sizeof(v2), "%s", sysfs);
    for (const char *line = proc_cgroup; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        char buf[4096];
        if (len < sizeof(buf)) {
            memcpy(buf, line, len);
            buf[len] = '\0';
            /* "ID:CONTROLLERS:PATH": v2 is "0::PATH"; v1's memory line lists "memory" */
            char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
            if (c2 && c2[1] == '/') {
                *c2 = '\0';
                const char *ctl = c1 + 1, *cg = c2 + 1;
                if (!*ctl)
                    lim = min_limit(lim, walk_up(v2, cg, "memory.max"));
                else
                    for (const char *p = ctl; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
                        if (strncmp(p, "memory", 6) == 0 && (p[6] == ',' || p[6] == '\0'))
                            lim = min_limit(lim, walk_up(v1, cg, "memory.limit_in_bytes"));
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    return lim;
}

uint64_t iof__sys_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    uint64_t mem = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize : 0;
    /* the limits of the process's own cgroup and its parents (a Slurm job, a systemd unit, a
     * container without its own cgroup namespace), not only the hierarchy's root */
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (f) {
        char text[16384];
        size_t n = fread(text, 1, sizeof(text) - 1, f);
        fclose(f);
        text[n] = '\0';
        mem = min_limit(mem, iof__cgroup_limit_at("/sys/fs/cgroup", text));
    }
    return mem;
}

void iof__mem_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    if (!p || !n)
        return;
    uintptr_t a = (uintptr_t)p & ~(IOF_MEM_PAGE - 1), e = ((uintptr_t)p + n + IOF_MEM_PAGE - 1) & ~(IOF_MEM_PAGE - 1);
    (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE); /* advice only: an old kernel says no */
#else
    (void)p, (void)n;
#endif
}

void iof__mem_hugepages(void *p, size_t n, size_t skip)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (!p || n <= skip)
        return;
    uintptr_t a = ((uintptr_t)p + skip + huge - 1) & ~(huge - 1), e = ((uintptr_t)p + n) & ~(huge - 1);
    if (a < e)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE); /* advice only: a kernel without THP says no */
#else
    (void)p, (void)n, (void)skip;
#endif
}
