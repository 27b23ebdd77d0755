/* How much memory this process may use: the machine's RAM, or less when a cgroup (container,
 * systemd slice, Slurm job) sets a lower limit. For defaults derived from the machine
 * (--max-memory), never for correctness. */
#ifndef IOF_COMMON_SYSMEM_H
#define IOF_COMMON_SYSMEM_H

#include <stdint.h>

/* Bytes: min(physical RAM, the memory limits of the process's cgroup and of its parents, v2
 * memory.max or v1 memory.limit_in_bytes); 0 when nothing could be read. */
uint64_t iof__sys_memory(void);

/* The smallest memory limit of the cgroups named in `proc_cgroup` (the text of
 * /proc/self/cgroup) and of their parents, under the cgroup file system mounted at `sysfs`
 * (v2 files in sysfs/PATH, v1 in sysfs/memory/PATH); 0: none. Separate for the tests. */
uint64_t iof__cgroup_limit_at(const char *sysfs, const char *proc_cgroup);

/* Parses the text of a cgroup memory limit file ("max" or a byte count, then a newline).
 * 0: no limit or unreadable. Separate for the tests. */
uint64_t iof__cgroup_limit_parse(const char *text);

#endif
