/* capture internals shared by src/capture/ source files (not for other modules). */
#ifndef IOF_CAPTURE_SRC_INT_H
#define IOF_CAPTURE_SRC_INT_H

#include <pcap/pcap.h>
#include <signal.h>
#include <zlib.h>

#include "capture/source.h"

#define IOF_SRC_ERRLEN 512
/* read buffer: 256 KiB, grows for larger blocks. Why not 1 MiB (before 2026-12-07): the
 * records are parsed right after read(2) copied them, and a 256 KiB buffer can stay in the
 * core's L2 cache: `iotflow stats` on dense, 3 x 20 alternating pairs, median CPU
 * 0.96-0.97x (bench/README.md 2026-12-07 "The tail"). */
#define IOF_SRC_BUF_INIT (256u << 10)
#define IOF_SRC_MEM_GZ_BUF (64u << 10) /* initial buffer for gzip images in memory */
#define IOF_SRC_MAX_FILTERS 64          /* distinct link types with a compiled BPF program */

/* One pcapng interface (or the single pcap "interface"). */
typedef struct iof__src_if {
    uint32_t linktype;
    uint32_t snaplen;
    uint64_t rate;      /* timestamp units per second */
    uint64_t frac_mul;  /* ns = frac * frac_mul / frac_div (pow10) */
    uint64_t frac_div;
    uint8_t pow2_shift; /* > 0: power-of-2 resolution 2^-shift (frac_mul/div unused) */
    int64_t offset_s;   /* if_tsoffset */
} iof__src_if;

typedef struct iof__src_filter {
    uint32_t linktype;
    bool usable;        /* false: the expression cannot be compiled for this link type */
    struct bpf_program prog;
} iof__src_filter;

typedef enum iof__src_kind { IOF__SRC_FILE = 1, IOF__SRC_LIVE = 2 } iof__src_kind;

struct iof__source {
    iof__src_kind kind;
    iof__src_format format;
    char *path;
    char errmsg[IOF_SRC_ERRLEN];
    int err;                        /* sticky error returned by every later next() */
    volatile sig_atomic_t stop;
    iof__src_stats st;
    uint64_t filtered;

    /* filter */
    char *filter_expr;
    iof__src_filter *filters;       /* IOF_SRC_MAX_FILTERS entries when a filter is set */
    size_t n_filters;
    size_t last_filter;             /* cache: index used for the previous frame */

    /* ---- file reader ---- */
    int fd;                         /* -1 for memory sources */
    bool close_fd;
    int64_t file_size;              /* fstat size of a regular file, else -1 */
    const uint8_t *mem;             /* memory source (borrowed) */
    size_t mem_len, mem_pos;
    uint64_t raw_consumed;          /* compressed (raw) bytes read from fd / memory */
    bool raw_eof;

    const uint8_t *buf;             /* decompressed stream window [pos, len) */
    uint8_t *own;                   /* owned buffer (NULL when buf points into mem) */
    size_t cap, pos, len;
    uint64_t base_off;              /* stream offset of buf[0] */
    bool eof;                       /* no more stream bytes after len */

    bool gz;
    bool gz_init;
    bool gz_member_done;            /* between gzip members */
    bool gz_trunc;                  /* compressed input ended inside a member */
    uint64_t gz_member_raw, gz_member_out; /* where the member being inflated began: compressed
                                       and uncompressed stream offsets */
    z_stream zs;
    uint8_t *zin;                   /* compressed input read from fd (the stream buffer of
                                       the open, taken over when the stream is gzip) */
    size_t zin_cap;
    int gz_perr;                    /* inflate error met after some output: reported once the
                                       frames inflated before it are read */
    char gz_perrmsg[IOF_SRC_ERRLEN];

    /* pcap */
    bool be;                        /* byte order of the current pcap file / pcapng section */
    unsigned rec_hdr;               /* 16, or 24 for the Kuznetzov "patched" format */
    int lengths_swapped;            /* 0 no, 1 yes, 2 maybe (pcap 2.3) */
    uint32_t frac_per_sec;          /* 1e6 or 1e9 */
    uint32_t frac_mul;              /* 1000 or 1 */
    /* pcap uses ifs[0]; pcapng: one entry per IDB of the current section */
    iof__src_if *ifs;
    uint32_t n_if;
    size_t if_cap;                  /* entries allocated in ifs (grows to IOF_MAX_INTERFACES) */
    uint32_t sections;
    int64_t last_ts;                /* for Simple Packet Blocks */

    /* ---- live ---- */
    pcap_t *pcap;
    bool pcap_ns;
};

/* src_file.c */
void iof__file_close(iof__source *s);
int iof__file_next(iof__source *s, iof__frame *f);

/* src_live.c */
int iof__live_next(iof__source *s, iof__frame *f);
void iof__live_stats(iof__source *s);
void iof__live_close(iof__source *s);
int iof__live_set_filter(iof__source *s, const char *expr);

/* source.c */
iof__source *iof__source_alloc(iof__src_kind kind, const char *path);
/* Frame filter for files: returns true to keep the frame. */
bool iof__file_filter_match(iof__source *s, const iof__frame *f);
/* Formats s->errmsg and makes `code` sticky; returns code. */
int iof__source_fail(iof__source *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* LINKTYPE_* (file value) -> DLT_* (what pcap_open_dead/pcap_compile expect). */
int iof__linktype_to_dlt(uint32_t linktype);

#endif
