/* pcap / pcapng writer for tests and the synthetic generator.
 *
 * Output goes through the caller's stdio stream (the caller opens and closes fp), or through a
 * sink function (iof__pcapw_open_sink). Each record
 * is assembled (header + data + padding + trailer) in one scratch buffer and written with a
 * single fwrite_unlocked, so small frames cost one memcpy and one stdio call.
 * All functions return 0 (or an interface id) / a negative iof_err:
 *   IOF_E_OUTPUT  a write failed (fwrite short count, fflush or ferror);
 *   IOF_E_INVAL   bad argument (unknown interface, timestamp not representable, pcap-only call
 *                 on a pcapng writer or the reverse, caplen too large);
 *   IOF_E_NOMEM.
 * After an IOF_E_OUTPUT the writer is poisoned: every later call returns IOF_E_OUTPUT.
 */
#ifndef IOF_CAPTURE_PCAP_WRITE_H
#define IOF_CAPTURE_PCAP_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct iof__pcapw iof__pcapw;

typedef struct iof__pcapw_opts {
    bool pcapng;      /* false: classic pcap v2.4 */
    bool nanosecond;  /* pcap: a1b23c4d magic; pcapng: IDB 0 gets if_tsresol 9 */
    bool big_endian;  /* byte order of everything written */
    uint32_t linktype;
    uint32_t snaplen; /* 0 -> 262144 */
} iof__pcapw_opts;

/* Largest caplen the writer accepts (a pcapng block must stay below IOF_MAX_PCAPNG_BLOCK). */
#define IOF_PCAPW_MAX_CAPLEN ((16u << 20) - 64u)

/* Writes the file header (pcap: 24-byte header; pcapng: SHB + IDB 0). fp stays the caller's. */
int iof__pcapw_open(iof__pcapw **w, FILE *fp, const iof__pcapw_opts *o);

/* Receives every record (and the header) as one call; returns 0 or a negative iof_err, which
 * poisons the writer and is returned by the call that wrote. */
typedef int (*iof__pcapw_sink_fn)(void *ctx, const void *p, size_t n);
/* Same, writing through sink instead of stdio (e.g. into an atomic iof__outfile); close()
 * then only frees. */
int iof__pcapw_open_sink(iof__pcapw **w, iof__pcapw_sink_fn sink, void *ctx,
                         const iof__pcapw_opts *o);

/* pcapng only: appends an IDB; returns the new interface id (>= 1) or a negative iof_err. */
int iof__pcapw_add_interface(iof__pcapw *w, uint32_t linktype, bool nanosecond);

/* Writes one frame. pcap: ifindex must be 0, ts_ns in [0, 2^32 s). pcapng: EPB on ifindex,
 * ts_ns >= if_tsoffset. caplen may exceed wirelen (tests write damaged files on purpose). */
int iof__pcapw_write(iof__pcapw *w, uint32_t ifindex, int64_t ts_ns, const uint8_t *data,
                     uint32_t caplen, uint32_t wirelen);

/* Flushes (fflush), checks ferror, frees w (also on error). Returns 0 or IOF_E_OUTPUT. */
int iof__pcapw_close(iof__pcapw *w);

/* ---- extensions for format tests (pcapng only) --------------------------------------- */

/* IDB with an explicit if_tsresol byte (bit 7 set: 2^-n, else 10^-n; 6 = no option written)
 * and if_tsoffset in seconds (0 = no option written), and a snaplen (0 = writer's snaplen).
 * Returns the new interface id or a negative iof_err. */
int iof__pcapw_add_interface_ex(iof__pcapw *w, uint32_t linktype, uint32_t snaplen,
                                uint8_t tsresol, int64_t tsoffset_s);

/* Simple Packet Block (interface 0, no timestamp; the writer stores min(caplen, snaplen)
 * bytes, as the format requires). */
int iof__pcapw_write_spb(iof__pcapw *w, const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* Any block with the given type and body (padded to 4 bytes), e.g. NRB, ISB, custom. */
int iof__pcapw_write_block(iof__pcapw *w, uint32_t type, const uint8_t *body, uint32_t len);

/* Starts a new section (SHB in the given byte order) with its IDB 0 (linktype, nanosecond).
 * Interface ids restart at 0. */
int iof__pcapw_new_section(iof__pcapw *w, bool big_endian, uint32_t linktype, bool nanosecond);

#endif
