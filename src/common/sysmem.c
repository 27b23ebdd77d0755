#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static uint64_t cgroup_limit(const char *path)
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

uint64_t iof__sys_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    uint64_t mem = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize : 0;
    /* the process's own cgroup is usually the root of its namespace's view */
    static const char *const limits[] = { "/sys/fs/cgroup/memory.max",
                                          "/sys/fs/cgroup/memory/memory.limit_in_bytes" };
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        uint64_t l = cgroup_limit(limits[i]);
        if (l && (!mem || l < mem))
            mem = l;
    }
    return mem;
}
