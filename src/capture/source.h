/* capture: sources of raw frames (ts, caplen, wirelen, linktype, bytes).
 *
 * Files: our own streaming pcap / pcapng reader (format from the magic number, gzip detected
 * from its magic and inflated with zlib, "-" = stdin). We do not use pcap_open_offline for
 * files because libpcap 1.10 refuses pcapng files whose interfaces have different link types
 * and cannot tell the byte offset of damage; see docs/ARCHITECTURE.md.
 * Live: libpcap (pcap_create/activate), the only place that includes <pcap/pcap.h>.
 *
 * Frame bytes are borrowed: valid until the next iof__source_next() call.
 */
#ifndef IOF_CAPTURE_SOURCE_H
#define IOF_CAPTURE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/walk.h"

#define IOF_MAX_CAPLEN (256u * 1024u)     /* largest record accepted (libpcap's max snaplen) */
#define IOF_MAX_PCAPNG_BLOCK (16u << 20)  /* largest pcapng block accepted */
#define IOF_MAX_INTERFACES 1024           /* pcapng IDBs per section */

typedef struct iof__frame {
    int64_t ts_ns;        /* ns since epoch (pcapng if_tsresol / if_tsoffset applied) */
    uint32_t caplen;      /* bytes in data */
    uint32_t wirelen;     /* original length (may be < caplen in damaged files: decoder clamps) */
    uint32_t linktype;    /* LINKTYPE_* of the interface the frame came from */
    uint32_t ifindex;     /* pcapng interface id within its section; 0 for pcap / live */
    const uint8_t *data;
} iof__frame;

typedef enum iof__src_format {
    IOF_SRC_PCAP = 1, IOF_SRC_PCAPNG = 2, IOF_SRC_LIVE = 3
} iof__src_format;

/* Counters a source keeps (all 64-bit). */
typedef struct iof__src_stats {
    uint64_t frames;          /* frames returned */
    uint64_t bytes_read;      /* bytes consumed from the (decompressed) stream */
    uint64_t blocks_skipped;  /* pcapng blocks ignored (NRB, ISB, DSB, unknown types, ...) */
    uint64_t ts_invalid;      /* pcap: ts fraction >= 1 s (kept, normalised); pcapng: timestamp
                                 outside the int64 ns range (kept, clamped) */
    uint64_t filter_unsupported; /* files: frames dropped because the BPF filter cannot be
                                    compiled for their link type (also counted in filtered) */
    bool gz_check_failed;     /* a gzip member failed its CRC-32 or length check, which its end
                                 carries: the damage is somewhere in the member, whose frames
                                 were read (the input's error message gives the range) */
    /* live only (libpcap pcap_stats; semantics are platform-specific, reported raw) */
    bool live_stats_ok;
    uint64_t ps_recv, ps_drop, ps_ifdrop;
} iof__src_stats;

typedef struct iof__source iof__source;

/* Opens a capture file ("-" = stdin). Detects gzip, then pcap/pcapng by magic number.
 * Returns 0, or IOF_E_IO (cannot open/read), IOF_E_FORMAT (not a capture: message says what
 * the first bytes were), IOF_E_NOMEM. On error *out is NULL and errbuf holds the message. */
int iof__source_open_file(iof__source **out, const char *path, char *errbuf, size_t errlen);

/* Same, reading a capture image from memory (fuzzing, tests). data stays owned by the caller
 * and must outlive the source; name is used in messages (NULL -> "<memory>"). */
int iof__source_open_mem(iof__source **out, const void *data, size_t len, const char *name,
                         char *errbuf, size_t errlen);

/* Same, reading from an open descriptor (pipes, sockets; no seeking). The source closes fd
 * when take_fd is true. name is used in messages. */
int iof__source_open_fd(iof__source **out, int fd, bool take_fd, const char *name,
                        char *errbuf, size_t errlen);

/* Opens a live interface with libpcap. snaplen, promisc, buffer size (KiB, 0 = default),
 * read timeout 100 ms so stop requests are seen. */
int iof__source_open_live(iof__source **out, const char *ifname, int snaplen, int buffer_kib,
                          char *errbuf, size_t errlen);

/* Applies a BPF filter (libpcap pcap_compile). For files the filter is compiled per link type
 * on first use (pcap_open_dead) and frames that do not match are skipped (counted in
 * stats->filtered). Returns 0 or IOF_E_INVAL (message names the expression).
 * Files: the expression is checked at once against the pcap file's link type (pcapng:
 * against Ethernet); a link type met later for which it does not compile (e.g. "udp" on
 * 802.15.4) has its frames dropped and counted in stats.filter_unsupported. */
int iof__source_set_filter(iof__source *s, const char *expr);

/* Next frame: returns 1 (frame filled), 0 (end of input), or a negative iof_err:
 * IOF_E_TRUNCATED_INPUT (file cut or a record/block is damaged: message names file + offset;
 * every frame before it was returned), IOF_E_IO, IOF_E_INTERRUPTED (live: stop requested). */
int iof__source_next(iof__source *s, iof__frame *f);

/* Async-signal-safe stop request (live: pcap_breakloop; files: next() returns INTERRUPTED). */
void iof__source_stop(iof__source *s);

const char *iof__source_errmsg(const iof__source *s);
const char *iof__source_path(const iof__source *s);
iof__src_format iof__source_format(const iof__source *s);
/* Size of the file on disk if known (for progress), else -1; and compressed bytes consumed. */
int64_t iof__source_size(const iof__source *s);
uint64_t iof__source_progress(const iof__source *s);
/* Fills stats (for live sources, refreshes pcap_stats). Frames skipped by the filter: */
void iof__source_stats(iof__source *s, iof__src_stats *st, uint64_t *filtered);
void iof__source_close(iof__source *s);

#define IOF_MAX_LISTED_FILES (1u << 20) /* files one run may expand to (memory stays small) */

/* Expands inputs: a directory becomes every regular file inside (recursively, in byte-wise
 * name order; files whose first bytes are not a capture or gzip are skipped and reported via
 * the skipped callback). One file must not be listed twice (a path given twice, a file and a
 * directory holding it, a link to it, "-" twice: the same device and inode after following links):
 * IOF_E_INVAL naming both spellings, as its records would be counted twice. Every command that
 * reads captures expands its inputs here, and --shard splits the expanded list, so no shard
 * reads a file twice. Returns 0 or IOF_E_INVAL/IOF_E_IO/IOF_E_NOMEM with errbuf. *out is a
 * malloc'd array of malloc'd strings (free with iof__input_list_free). */
int iof__input_list_expand(const char *const *inputs, size_t n, char ***out, size_t *n_out,
                           iof_skip_cb skipped, void *ctx, char *errbuf, size_t errlen);
void iof__input_list_free(char **list, size_t n);

#define IOF_MAX_SHARDS 65536 /* --shard K/N: N at most this */

/* --shard K/N (1 <= k <= nshards): keeps in *list (in order) only shard k's share of an expanded
 * list and frees the rest. The split depends on the files only: largest first, each to the
 * shard with the fewest bytes so far (ties: the lower shard; equal sizes: by base name, then
 * path), so every machine that sees the same files computes the same split whatever the order
 * they were given in, and shards get similar amounts of work. "-" cannot be split
 * (IOF_E_INVAL); a file whose size cannot be read stops the run (IOF_E_IO): it would change
 * this machine's split. */
int iof__input_list_shard(char **list, size_t *n, unsigned k, unsigned nshards, char *errbuf, size_t errlen);

/* Capture detection by magic number (pcap in every byte order and resolution, the Kuznetzov
 * "patched" format, pcapng, gzip): the one test every directory walk uses. */
bool iof__capture_magic(const uint8_t *b, size_t n);
/* NULL if the file's first bytes are a capture's (for a gzip file: the first bytes it holds),
 * else why not (written into why). */
const char *iof__capture_sniff(const char *path, char *why, size_t wl);

#endif
