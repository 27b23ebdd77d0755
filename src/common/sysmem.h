/* How much memory this process may use: the machine's RAM, or less when a cgroup (container,
 * systemd slice, Slurm job) sets a lower limit. For defaults derived from the machine
 * (--max-memory), never for correctness. */
#ifndef IOF_COMMON_SYSMEM_H
#define IOF_COMMON_SYSMEM_H

#include <stddef.h>
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

/* Asks the kernel to back [p + skip, p + n) of a large buffer that lives long and is filled
 * front to back with transparent huge pages (madvise MADV_HUGEPAGE, on the 2 MiB-aligned part
 * of that range; nothing elsewhere or when unsupported). Why: on this project's bench VM a
 * fresh 4 KiB page costs 15-25 us at its first touch (a paravirtual guest: a 128 MiB memset
 * takes 0.5-0.9 s on fresh pages, 0.01 s on touched ones), huge pages 0.01-0.4 s for the same
 * 128 MiB (2026-12-05, tests of one mmap each). `skip` keeps the
 * first part of a buffer in small pages, so a buffer that stays small costs no 2 MiB page. */
void iof__mem_hugepages(void *p, size_t n, size_t skip);

/* The page the prefault maps by (a larger page size only populates more per call) */
#define IOF_MEM_PAGE ((uintptr_t)4096)

/* Asks the kernel to map [p, p + n) now, written (madvise MADV_POPULATE_WRITE, on the whole
 * pages that range touches: they must be mapped memory of this process; nothing when
 * unsupported). Why: on this project's bench VM each first touch of a 4 KiB page costs an
 * exception of 15-25 us (above); one call for a run of pages costs a small part of that (-f joy
 * on dense: the flow table's slabs populated whole took 2.3 s of CPU instead of 3.1 s,
 * 2026-12-07). Only for pages that will be written anyway: each one becomes resident. */
void iof__mem_prefault(void *p, size_t n);

#endif
