/* How much memory this process may use: the machine's RAM, or less when a cgroup (container,
 * systemd slice, Slurm job) sets a lower limit. For defaults derived from the machine
 * (--max-memory), never for correctness. */
#ifndef IOF_COMMON_SYSMEM_H
#define IOF_COMMON_SYSMEM_H

#include <stdint.h>

/* Bytes: min(physical RAM, cgroup v2 memory.max, cgroup v1 memory.limit_in_bytes); 0 when
 * nothing could be read. */
uint64_t iof__sys_memory(void);

/* Parses the text of a cgroup memory limit file ("max" or a byte count, then a newline).
 * 0: no limit or unreadable. Separate for the tests. */
uint64_t iof__cgroup_limit_parse(const char *text);

#endif
