/* capture: streaming pcap / pcapng file reader (plain, gzip, stdin, memory).
 *
 * The stream is read through one large buffer (read(2) into it, records parsed in place);
 * a record that straddles the end of the buffer is handled by moving the unread tail to the
 * front and refilling, and the buffer grows (up to IOF_MAX_PCAPNG_BLOCK + slack) for records
 * larger than it. There is no per-frame system call or allocation.
 *
 * Error policy (see source.h): a cut file -> IOF_E_TRUNCATED_INPUT "path: truncated record at
 * offset N (needed X bytes, got Y)" after every complete frame; a record or block that cannot
 * be valid (caplen > IOF_MAX_CAPLEN, bad block length, unknown interface, ...) ->
 * IOF_E_TRUNCATED_INPUT "path: damaged ... at offset N: why". Offsets are positions in the
 * (decompressed) capture stream. Errors are sticky.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/src_int.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/rd.h"

#define NS_PER_S 1000000000LL
#define PCAP_FILE_HDR 24u
#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_BOM 0x1A2B3C4Du

/* ---------------------------------------------------------------------------------------
 * Byte-order helpers over the bounded reader.
 */
static inline uint16_t get16(iof__rd *r, bool be) { return be ? rd_be16(r) : rd_le16(r); }
static inline uint32_t get32(iof__rd *r, bool be) { return be ? rd_be32(r) : rd_le32(r); }
static inline uint64_t get64(iof__rd *r, bool be) { return be ? rd_be64(r) : rd_le64(r); }

static const char *gz_note(const iof__source *s) { return s->gz ? " (uncompressed)" : ""; }

/* ---------------------------------------------------------------------------------------
 * Raw input (fd or memory) and the gzip layer.
 */

/* Reads up to n raw bytes. Returns bytes read (0 = EOF) or a negative iof_err. */
static ssize_t raw_read(iof__source *s, uint8_t *dst, size_t n)
{
    if (s->fd < 0) {
        size_t k = s->mem_len - s->mem_pos;
        if (k > n)
            k = n;
        if (k)
            memcpy(dst, s->mem + s->mem_pos, k);
        s->mem_pos += k;
        s->raw_consumed += k;
        return (ssize_t)k;
    }
    for (;;) {
        ssize_t r = read(s->fd, dst, n);
        if (r >= 0) {
            s->raw_consumed += (uint64_t)r;
            return r;
        }
        if (errno == EINTR) {
            if (s->stop)
                return iof__source_fail(s, IOF_E_INTERRUPTED, "%s: interrupted", s->path);
            continue;
        }
        return iof__source_fail(s, IOF_E_IO, "%s: read error: %s", s->path, strerror(errno));
    }
}

/* Gives zlib more compressed input. Returns 0, or a negative iof_err; sets raw_eof. */
static int gz_feed(iof__source *s)
{
    if (s->fd < 0) {
        s->zs.next_in = (Bytef *)(uintptr_t)(s->mem + s->mem_pos);
        size_t k = s->mem_len - s->mem_pos;
        if (k > UINT32_MAX)
            k = UINT32_MAX;
        s->zs.avail_in = (uInt)k;
        s->mem_pos += k;
        s->raw_consumed += k;
        if (k == 0)
            s->raw_eof = true;
        return 0;
    }
    ssize_t r = raw_read(s, s->zin, s->zin_cap < UINT32_MAX ? s->zin_cap : UINT32_MAX);
    if (r < 0)
        return (int)r;
    s->zs.next_in = s->zin;
    s->zs.avail_in = (uInt)r;
    if (r == 0)
        s->raw_eof = true;
    return 0;
}

/* Inflates up to n bytes into dst. Returns bytes produced (0 = end of stream) or an error.
 * An inflate error (a flipped byte, a bad CRC-32 or ISIZE trailer) met after some output of
 * this call keeps that output: it is returned first and the error only at the next call, so
 * every complete frame inflated before the damage is still read (the CLI promises that). */
static ssize_t gz_read(iof__source *s, uint8_t *dst, size_t n)
{
    if (s->gz_perr) {
        int code = s->gz_perr;
        s->gz_perr = 0;
        return iof__source_fail(s, code, "%s", s->gz_perrmsg);
    }
    if (n > UINT32_MAX)
        n = UINT32_MAX;
    s->zs.next_out = dst;
    s->zs.avail_out = (uInt)n;
    while (s->zs.avail_out == n) {
        if (s->zs.avail_in == 0) {
            if (s->raw_eof) {
                if (!s->gz_member_done)
                    s->gz_trunc = true;
                break;
            }
            IOF_TRY(gz_feed(s));
            continue;
        }
        if (s->gz_member_done) {
            /* More input after a complete member: another member, or trailing garbage
             * (ignored, as gzip -d does). */
            iof__rd z = rd_init(s->zs.next_in, s->zs.avail_in);
            if (rd_u8(&z) != 0x1f) {
                s->zs.avail_in = 0;
                s->raw_eof = true;
                break;
            }
            if (inflateReset(&s->zs) != Z_OK)
                return iof__source_fail(s, IOF_E_IO, "%s: inflateReset failed", s->path);
            s->gz_member_done = false;
            s->gz_member_raw = s->raw_consumed - s->zs.avail_in;
            s->gz_member_out = s->base_off + (uint64_t)(dst - s->own) + (n - s->zs.avail_out);
        }
        int zr = inflate(&s->zs, Z_NO_FLUSH);
        if (zr == Z_STREAM_END) {
            s->gz_member_done = true;
        } else if (zr == Z_BUF_ERROR) {
            if (s->zs.avail_in != 0)
                break; /* no output space; cannot happen while avail_out == n */
        } else if (zr != Z_OK) {
            size_t produced = n - s->zs.avail_out;
            int code = zr == Z_MEM_ERROR ? IOF_E_NOMEM : IOF_E_TRUNCATED_INPUT;
            const uint64_t raw_at = s->raw_consumed - s->zs.avail_in,
                           out_at = s->base_off + (uint64_t)(dst - s->own) + produced;
            /* zlib's words for a failed trailer: the member's CRC-32 or length (ISIZE), which
             * only its end carries, so the flipped byte is anywhere in the member */
            const bool check = s->zs.msg && (strcmp(s->zs.msg, "incorrect data check") == 0 ||
                                             strcmp(s->zs.msg, "incorrect length check") == 0);
            if (zr == Z_MEM_ERROR)
                snprintf(s->gz_perrmsg, sizeof s->gz_perrmsg, "%s: out of memory in zlib", s->path);
            else if (check) {
                s->st.gz_check_failed = true;
                snprintf(s->gz_perrmsg, sizeof s->gz_perrmsg,
                         "%s: corrupt gzip data: the member that begins at compressed offset %llu "
                         "fails its integrity check (%s) at its end, compressed offset %llu: the "
                         "damage is somewhere in uncompressed offsets %llu-%llu, whose packets were "
                         "read and may be wrong",
                         s->path, (unsigned long long)s->gz_member_raw, s->zs.msg,
                         (unsigned long long)raw_at, (unsigned long long)s->gz_member_out,
                         (unsigned long long)(out_at > s->gz_member_out ? out_at - 1 : out_at));
            } else
                snprintf(s->gz_perrmsg, sizeof s->gz_perrmsg,
                         "%s: corrupt gzip data near compressed offset %llu (uncompressed offset "
                         "%llu): %s",
                         s->path, (unsigned long long)raw_at, (unsigned long long)out_at,
                         s->zs.msg ? s->zs.msg : "inflate error");
            if (produced) {
                s->gz_perr = code;
                return (ssize_t)produced;
            }
            return iof__source_fail(s, code, "%s", s->gz_perrmsg);
        }
    }
    return (ssize_t)(n - s->zs.avail_out);
}

static ssize_t stream_read(iof__source *s, uint8_t *dst, size_t n)
{
    return s->gz ? gz_read(s, dst, n) : raw_read(s, dst, n);
}

/* Makes at least `need` unread bytes available if the stream has them. Returns 0 (check
 * len - pos afterwards: fewer means the stream ended) or a negative iof_err. */
static int fill(iof__source *s, size_t need)
{
    if (s->len - s->pos >= need || !s->own)
        return 0;
    if (s->pos) {
        size_t rest = s->len - s->pos;
        if (rest)
            memmove(s->own, s->own + s->pos, rest);
        s->base_off += s->pos;
        s->len = rest;
        s->pos = 0;
    }
    if (need > s->cap) { /* callers cap need at IOF_MAX_PCAPNG_BLOCK (pcap: hdr + IOF_MAX_CAPLEN) */
        if (iof__grow((void **)&s->own, &s->cap, need, 1, IOF_MAX_PCAPNG_BLOCK) != IOF_OK)
            return iof__source_fail(s, IOF_E_NOMEM, "%s: out of memory (%zu-byte record)",
                                    s->path, need);
        s->buf = s->own;
    }
    while (s->len < need && !s->eof) {
        ssize_t r = stream_read(s, s->own + s->len, s->cap - s->len);
        if (r < 0)
            return (int)r;
        if (r == 0)
            s->eof = true;
        s->len += (size_t)r;
    }
    return 0;
}

static int truncated(iof__source *s, size_t needed, size_t got)
{
    return iof__source_fail(s, IOF_E_TRUNCATED_INPUT,
                            "%s: truncated record at offset %llu%s (needed %zu bytes, got %zu)",
                            s->path, (unsigned long long)(s->base_off + s->pos), gz_note(s),
                            needed, got);
}

/* End of the stream on a record boundary. */
static int end_of_input(iof__source *s)
{
    if (s->gz_trunc)
        return iof__source_fail(s, IOF_E_TRUNCATED_INPUT,
                                "%s: gzip stream truncated (compressed input ends at offset %llu)",
                                s->path, (unsigned long long)s->raw_consumed);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Timestamps.
 */

/* sec + offset seconds + frac_ns -> ns since epoch, clamped to the int64 range. */
static int64_t ts_combine(iof__source *s, uint64_t sec, int64_t offset_s, uint64_t frac_ns)
{
    const int64_t max_s = INT64_MAX / NS_PER_S - 1;
    int64_t t;
    if (sec > (uint64_t)INT64_MAX || __builtin_add_overflow((int64_t)sec, offset_s, &t) ||
        t > max_s || t < -max_s) {
        s->st.ts_invalid++;
        return (sec > (uint64_t)INT64_MAX || offset_s >= 0 || t > 0) ? INT64_MAX : INT64_MIN;
    }
    return t * NS_PER_S + (int64_t)frac_ns;
}

static int64_t ng_ts(iof__source *s, const iof__src_if *i, uint64_t units)
{
    uint64_t sec, frac, frac_ns;
    if (i->pow2_shift) {
        unsigned n = i->pow2_shift;
        sec = units >> n;
        frac = units & ((UINT64_C(1) << n) - 1);
        if (n > 30) {
            frac >>= (n - 30);
            n = 30;
        }
        frac_ns = (frac * 1000000000u) >> n;
    } else {
        sec = units / i->rate;
        frac = units % i->rate;
        frac_ns = frac * i->frac_mul / i->frac_div;
    }
    return ts_combine(s, sec, i->offset_s, frac_ns);
}

/* Sets the timestamp resolution of an interface from an if_tsresol byte; false if invalid. */
static bool set_tsresol(iof__src_if *i, uint8_t v)
{
    unsigned n = v & 0x7Fu;
    i->pow2_shift = 0;
    i->frac_mul = 1;
    i->frac_div = 1;
    if (v & 0x80) {
        if (n > 63)
            return false;
        if (n == 0) {
            i->rate = 1;
            return true;
        }
        i->pow2_shift = (uint8_t)n;
        i->rate = UINT64_C(1) << n;
        return true;
    }
    if (n > 19)
        return false;
    i->rate = 1;
    for (unsigned k = 0; k < n; k++)
        i->rate *= 10;
    for (unsigned k = n; k < 9; k++)
        i->frac_mul *= 10;
    for (unsigned k = 9; k < n; k++)
        i->frac_div *= 10;
    return true;
}

/* ---------------------------------------------------------------------------------------
 * pcap
 */

static int pcap_parse_header(iof__source *s, char *eb, size_t el)
{
    iof__rd r = rd_init(s->buf + s->pos, PCAP_FILE_HDR);
    uint32_t magic = rd_le32(&r);
    s->be = false;
    s->rec_hdr = 16;
    s->frac_per_sec = 1000000;
    s->frac_mul = 1000;
    switch (magic) {
    case 0xA1B2C3D4u: break;
    case 0xD4C3B2A1u: s->be = true; break;
    case 0xA1B23C4Du: s->frac_per_sec = 1000000000; s->frac_mul = 1; break;
    case 0x4D3CB2A1u: s->be = true; s->frac_per_sec = 1000000000; s->frac_mul = 1; break;
    case 0xA1B2CD34u: s->rec_hdr = 24; break;
    case 0x34CDB2A1u: s->be = true; s->rec_hdr = 24; break;
    default: return iof__fail(eb, el, IOF_E_FORMAT, "%s: not a capture file", s->path);
    }
    uint16_t major = get16(&r, s->be);
    uint16_t minor = get16(&r, s->be);
    rd_skip(&r, 8); /* thiszone, sigfigs: unused (always 0 in practice) */
    uint32_t snaplen = get32(&r, s->be);
    uint32_t linktype = get32(&r, s->be);
    if (r.err)
        return iof__fail(eb, el, IOF_E_FORMAT, "%s: truncated pcap file header", s->path);
    /* libpcap accepts 2.0 .. 2.4 (and DG/UX's 543.0); before 2.3 caplen and len were in the
     * other order, and 2.3 files exist with either order. */
    if (major == 2 && minor <= 4)
        s->lengths_swapped = minor < 3 ? 1 : minor == 3 ? 2 : 0;
    else if (major == 543 && minor == 0)
        s->lengths_swapped = 1;
    else
        return iof__fail(eb, el, IOF_E_FORMAT,
                         "%s: unsupported pcap file version %u.%u (supported: 2.0 to 2.4)",
                         s->path, major, minor);
    /* The link-type field (offset 20): the link type in bits 0-15, bits 16-25 reserved (zero),
     * bit 26 "FCS length present", bits 28-31 the FCS length. Reserved bits set mean the file is
     * not a pcap file we know (Wireshark refuses it too); the FCS bits are ignored, as libpcap
     * does (bit 27, reserved in the IETF draft, is ignored with them, as libpcap and Wireshark
     * do). */
    if (linktype & 0x03FF0000u)
        return iof__fail(eb, el, IOF_E_FORMAT,
                         "%s: damaged pcap file header at offset 20: the link-type field 0x%08x has "
                         "reserved bits 16-25 set (0x%08x): not a pcap file iotflow knows",
                         s->path, linktype, linktype & 0x03FF0000u);
    s->ifs = calloc(1, sizeof *s->ifs);
    if (!s->ifs)
        return iof__fail(eb, el, IOF_E_NOMEM, "out of memory");
    s->n_if = 1;
    s->ifs[0].linktype = linktype & 0xFFFFu;
    s->ifs[0].snaplen = snaplen;
    s->format = IOF_SRC_PCAP;
    s->pos += PCAP_FILE_HDR;
    return 0;
}

static int pcap_next_frame(iof__source *s, iof__frame *f)
{
    const unsigned hdr = s->rec_hdr;
    for (;;) {
        size_t avail = s->len - s->pos;
        if (avail < hdr) {
            IOF_TRY(fill(s, hdr));
            avail = s->len - s->pos;
            if (avail == 0)
                return end_of_input(s);
            if (avail < hdr)
                return truncated(s, hdr, avail);
        }
        iof__rd r = rd_init(s->buf + s->pos, hdr);
        uint32_t sec, frac, caplen, wirelen;
        if (s->be) {
            sec = rd_be32(&r); frac = rd_be32(&r); caplen = rd_be32(&r); wirelen = rd_be32(&r);
        } else {
            sec = rd_le32(&r); frac = rd_le32(&r); caplen = rd_le32(&r); wirelen = rd_le32(&r);
        }
        if (s->lengths_swapped && (s->lengths_swapped == 1 || caplen > wirelen)) {
            uint32_t t = caplen;
            caplen = wirelen;
            wirelen = t;
        }
        if (caplen > IOF_MAX_CAPLEN)
            return iof__source_fail(s, IOF_E_TRUNCATED_INPUT,
                                    "%s: damaged record at offset %llu%s: captured length %u "
                                    "exceeds the maximum of %u",
                                    s->path, (unsigned long long)(s->base_off + s->pos),
                                    gz_note(s), caplen, IOF_MAX_CAPLEN);
        size_t need = (size_t)hdr + caplen;
        if (avail < need) {
            IOF_TRY(fill(s, need));
            avail = s->len - s->pos;
            if (avail < need)
                return truncated(s, need, avail);
        }
        f->data = s->buf + s->pos + hdr;
        s->pos += need;
        uint64_t sec64 = sec;
        if (frac >= s->frac_per_sec) { /* invalid fraction: keep the frame, carry into sec */
            s->st.ts_invalid++;
            sec64 += frac / s->frac_per_sec;
            frac %= s->frac_per_sec;
        }
        f->ts_ns = (int64_t)sec64 * NS_PER_S + (int64_t)frac * s->frac_mul;
        f->caplen = caplen;
        f->wirelen = wirelen;
        f->linktype = s->ifs[0].linktype;
        f->ifindex = 0;
        if (s->filter_expr && !iof__file_filter_match(s, f)) {
            s->filtered++;
            continue;
        }
        s->st.frames++;
        return 1;
    }
}

/* ---------------------------------------------------------------------------------------
 * pcapng
 */

/* Next option of a block: 1 (filled), 0 (end of options), -1 (malformed). */
static int opt_next(iof__rd *r, bool be, uint16_t *code, uint16_t *len, const uint8_t **val)
{
    if (rd_left(r) == 0)
        return 0;
    *code = get16(r, be);
    *len = get16(r, be);
    if (r->err)
        return -1;
    if (*code == 0)
        return 0; /* opt_endofopt */
    *val = rd_bytes(r, *len);
    if (!*val)
        return -1;
    size_t pad = (4u - (*len & 3u)) & 3u;
    rd_skip(r, pad < rd_left(r) ? pad : rd_left(r));
    return 1;
}

static int damaged(iof__source *s, uint64_t off, const char *what, const char *why)
{
    return iof__source_fail(s, IOF_E_TRUNCATED_INPUT, "%s: damaged %s at offset %llu%s: %s",
                            s->path, what, (unsigned long long)off, gz_note(s), why);
}

/* Validates an option list; returns NULL if fine, else a static reason. */
static const char *opts_check(iof__rd r, bool be)
{
    uint16_t code, len;
    const uint8_t *val;
    int k;
    while ((k = opt_next(&r, be, &code, &len, &val)) > 0)
        ;
    return k < 0 ? "option length exceeds the block" : NULL;
}

/* Parses an SHB body (after type and length). Returns NULL or a reason. */
static const char *shb_parse(iof__source *s, iof__rd body, bool be, bool *bad_version)
{
    *bad_version = false;
    rd_skip(&body, 4); /* byte-order magic, already checked */
    uint16_t major = get16(&body, be);
    uint16_t minor = get16(&body, be);
    rd_skip(&body, 8); /* section length: not used (we stream) */
    if (body.err)
        return "section header block too short";
    (void)minor;
    if (major != 1) {
        *bad_version = true;
        return "unsupported pcapng version";
    }
    const char *why = opts_check(body, be);
    if (why)
        return why;
    s->be = be;
    s->n_if = 0;
    s->sections++;
    return NULL;
}

static const char oom_reason[] = "out of memory for the interface table";

static const char *idb_parse(iof__source *s, iof__rd body)
{
    bool be = s->be;
    if (s->n_if >= IOF_MAX_INTERFACES)
        return "too many interfaces in one section";
    if (iof__grow((void **)&s->ifs, &s->if_cap, (size_t)s->n_if + 1, sizeof *s->ifs,
                  IOF_MAX_INTERFACES) != IOF_OK)
        return oom_reason;
    uint16_t lt = get16(&body, be);
    rd_skip(&body, 2);
    uint32_t snaplen = get32(&body, be);
    if (body.err)
        return "interface description block too short";
    iof__src_if i;
    memset(&i, 0, sizeof i);
    i.linktype = lt;
    i.snaplen = snaplen;
    set_tsresol(&i, 6);
    uint16_t code, len;
    const uint8_t *val;
    int k;
    while ((k = opt_next(&body, be, &code, &len, &val)) > 0) {
        if (code == 9) {
            if (len != 1)
                return "if_tsresol option length is not 1";
            iof__rd v = rd_init(val, len);
            if (!set_tsresol(&i, rd_u8(&v)))
                return "if_tsresol out of range";
        } else if (code == 14) {
            if (len != 8)
                return "if_tsoffset option length is not 8";
            iof__rd v = rd_init(val, 8);
            i.offset_s = (int64_t)get64(&v, be);
        }
    }
    if (k < 0)
        return "option length exceeds the block";
    s->ifs[s->n_if++] = i;
    return NULL;
}

/* Reads the block header at pos. Returns 1 with type/len set and the whole block buffered,
 * 0 at the clean end of the stream, or a negative iof_err. */
static int ng_block(iof__source *s, uint32_t *type, uint32_t *blen, bool *be)
{
    size_t avail = s->len - s->pos;
    if (avail < 12) {
        IOF_TRY(fill(s, 12));
        avail = s->len - s->pos;
        if (avail == 0)
            return end_of_input(s) < 0 ? s->err : 0;
        if (avail < 12)
            return truncated(s, 12, avail);
    }
    uint64_t off = s->base_off + s->pos;
    iof__rd r = rd_init(s->buf + s->pos, 12);
    *be = s->be;
    *type = get32(&r, *be);
    if (*type == PCAPNG_SHB) {
        iof__rd m = rd_init(s->buf + s->pos + 8, 4);
        uint32_t bom = rd_le32(&m);
        if (bom == PCAPNG_BOM)
            *be = false;
        else if (bom == 0x4D3C2B1Au)
            *be = true;
        else
            return damaged(s, off, "section header block", "bad byte-order magic");
    }
    *blen = get32(&r, *be);
    if (*blen < 12 || (*blen & 3u) || *blen > IOF_MAX_PCAPNG_BLOCK) {
        char why[80];
        snprintf(why, sizeof why, "invalid block total length %u", *blen);
        return damaged(s, off, "block", why);
    }
    if (avail < *blen) {
        IOF_TRY(fill(s, *blen));
        avail = s->len - s->pos;
        if (avail < *blen)
            return truncated(s, *blen, avail);
    }
    iof__rd t = rd_init(s->buf + s->pos + *blen - 4, 4);
    uint32_t trail = get32(&t, *be);
    if (trail != *blen) {
        char why[96];
        snprintf(why, sizeof why, "trailing block length %u differs from leading %u", trail, *blen);
        return damaged(s, off, "block", why);
    }
    return 1;
}

static int ng_next_frame(iof__source *s, iof__frame *f)
{
    for (;;) {
        uint32_t type, blen;
        bool be;
        int rc = ng_block(s, &type, &blen, &be);
        if (rc <= 0)
            return rc;
        uint64_t off = s->base_off + s->pos;
        iof__rd body = rd_init(s->buf + s->pos + 8, blen - 12);
        const char *why = NULL;
        bool frame = false;
        uint32_t ifid = 0, caplen = 0, wirelen = 0;
        uint64_t units = 0;
        bool have_ts = true;
        switch (type) {
        case PCAPNG_SHB: {
            bool badv;
            why = shb_parse(s, body, be, &badv);
            if (why)
                return damaged(s, off, "section header block", why);
            break;
        }
        case 1: /* IDB */
            why = idb_parse(s, body);
            if (why == oom_reason)
                return iof__source_fail(s, IOF_E_NOMEM, "%s: %s", s->path, why);
            if (why)
                return damaged(s, off, "interface description block", why);
            break;
        case 6:   /* EPB */
        case 2: { /* obsolete Packet Block */
            if (type == 6) {
                ifid = get32(&body, be);
            } else {
                ifid = get16(&body, be);
                rd_skip(&body, 2); /* drops count */
            }
            uint32_t hi = get32(&body, be);
            uint32_t lo = get32(&body, be);
            caplen = get32(&body, be);
            wirelen = get32(&body, be);
            if (body.err)
                return damaged(s, off, "packet block", "block too short");
            if (caplen > rd_left(&body))
                return damaged(s, off, "packet block", "captured length exceeds the block");
            units = (uint64_t)hi << 32 | lo;
            frame = true;
            break;
        }
        case 3: /* SPB */
            wirelen = get32(&body, be);
            if (body.err)
                return damaged(s, off, "simple packet block", "block too short");
            caplen = wirelen;
            if (caplen > rd_left(&body))
                caplen = (uint32_t)rd_left(&body);
            have_ts = false;
            frame = true;
            break;
        default: /* NRB (4), ISB (5), DSB (10), custom (0xBAD, 0x40000BAD), unknown */
            s->st.blocks_skipped++;
            break;
        }
        if (!frame) {
            s->pos += blen;
            continue;
        }
        if (ifid >= s->n_if) {
            char m[96];
            snprintf(m, sizeof m, "interface id %u but only %u interface(s) defined", ifid, s->n_if);
            return damaged(s, off, "packet block", m);
        }
        const iof__src_if *i = &s->ifs[ifid];
        if (!have_ts) {
            if (i->snaplen && caplen > i->snaplen)
                caplen = i->snaplen;
            f->ts_ns = s->last_ts;
        } else {
            f->ts_ns = ng_ts(s, i, units);
            s->last_ts = f->ts_ns;
        }
        f->data = body.p;
        f->caplen = caplen;
        f->wirelen = wirelen;
        f->linktype = i->linktype;
        f->ifindex = ifid;
        s->pos += blen;
        if (s->filter_expr && !iof__file_filter_match(s, f)) {
            s->filtered++;
            continue;
        }
        s->st.frames++;
        return 1;
    }
}

/* The first SHB, at open: any problem means "not a (readable) capture". */
static int ng_parse_first(iof__source *s, char *eb, size_t el)
{
    s->format = IOF_SRC_PCAPNG;
    uint32_t type, blen;
    bool be;
    int rc = ng_block(s, &type, &blen, &be);
    if (rc <= 0) {
        if (rc == 0 || s->err == IOF_E_TRUNCATED_INPUT)
            return rc == 0 ? iof__fail(eb, el, IOF_E_FORMAT, "%s: not a capture (empty)", s->path)
                           : iof__fail(eb, el, IOF_E_FORMAT, "%s (not a readable pcapng file)",
                                       s->errmsg);
        return iof__fail(eb, el, rc, "%s", s->errmsg);
    }
    bool badv;
    iof__rd body = rd_init(s->buf + s->pos + 8, blen - 12);
    const char *why = shb_parse(s, body, be, &badv);
    if (why) {
        if (badv) {
            iof__rd v = rd_init(s->buf + s->pos + 12, 4);
            uint16_t major = get16(&v, be), minor = get16(&v, be);
            return iof__fail(eb, el, IOF_E_FORMAT,
                             "%s: unsupported pcapng version %u.%u (supported: 1.x)", s->path,
                             major, minor);
        }
        return iof__fail(eb, el, IOF_E_FORMAT,
                         "%s: damaged section header block at offset 0: %s", s->path, why);
    }
    s->pos += blen;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Open / next / close
 */

static int setup_gzip(iof__source *s, char *eb, size_t el)
{
    s->gz = true;
    memset(&s->zs, 0, sizeof s->zs);
    if (s->fd >= 0) {
        /* The bytes already read (up to the whole stream buffer, 256 KiB) are compressed input:
         * the buffer that holds them becomes the compressed-input buffer as it is, and the
         * stream gets a new one. (Copying them into a fixed-size input buffer overflowed it
         * for any gzip file larger than that buffer.) */
        s->zin = s->own;
        s->zin_cap = s->cap;
        s->zs.next_in = s->zin;
        s->zs.avail_in = (uInt)s->len;
        s->cap = IOF_SRC_BUF_INIT;
        s->own = malloc(s->cap);
        s->buf = s->own;
        if (!s->own)
            return iof__fail(eb, el, IOF_E_NOMEM, "out of memory");
    } else {
        s->zs.next_in = (Bytef *)(uintptr_t)s->mem;
        size_t k = s->mem_len > UINT32_MAX ? UINT32_MAX : s->mem_len;
        s->zs.avail_in = (uInt)k;
        s->mem_pos = k;
        s->raw_consumed = k;
    }
    s->len = 0;
    s->pos = 0;
    s->eof = false;
    if (inflateInit2(&s->zs, 16 + MAX_WBITS) != Z_OK)
        return iof__fail(eb, el, IOF_E_NOMEM, "%s: zlib initialisation failed", s->path);
    s->gz_init = true;
    return 0;
}

static bool is_gzip(const uint8_t *p, size_t n)
{
    iof__rd r = rd_init(p, n);
    return rd_be16(&r) == 0x1f8b && !r.err;
}

/* Shared by every open: detects gzip, then pcap / pcapng. */
static int open_common(iof__source *s, char *eb, size_t el)
{
    int rc;
    bool is_gz;
    if (s->fd >= 0) {
        s->cap = IOF_SRC_BUF_INIT;
        s->own = malloc(s->cap);
        if (!s->own)
            return iof__fail(eb, el, IOF_E_NOMEM, "out of memory");
        s->buf = s->own;
        rc = fill(s, 4);
        if (rc < 0)
            return iof__fail(eb, el, rc, "%s", s->errmsg);
        is_gz = is_gzip(s->own, s->len);
    } else {
        is_gz = is_gzip(s->mem, s->mem_len);
        if (is_gz) {
            /* grows on demand (fill) up to the largest record */
            s->cap = IOF_SRC_MEM_GZ_BUF;
            s->own = malloc(s->cap);
            if (!s->own)
                return iof__fail(eb, el, IOF_E_NOMEM, "out of memory");
            s->buf = s->own;
        } else {
            /* plain memory image: parsed in place, no copy */
            s->buf = s->mem;
            s->len = s->mem_len;
            s->cap = s->mem_len;
            s->eof = true;
        }
    }
    if (is_gz)
        IOF_TRY(setup_gzip(s, eb, el));
    rc = fill(s, PCAP_FILE_HDR);
    if (rc < 0)
        return iof__fail(eb, el, rc == IOF_E_TRUNCATED_INPUT ? IOF_E_FORMAT : rc, "%s",
                         s->errmsg);
    size_t avail = s->len - s->pos;
    if (avail < 4)
        return iof__fail(eb, el, IOF_E_FORMAT, "%s: not a capture (%s%zu bytes)", s->path,
                         s->gz ? "decompressed data is " : "file is ", avail);
    iof__rd r = rd_init(s->buf + s->pos, 4);
    uint32_t magic = rd_le32(&r);
    switch (magic) {
    case 0xA1B2C3D4u: case 0xD4C3B2A1u: case 0xA1B23C4Du: case 0x4D3CB2A1u:
    case 0xA1B2CD34u: case 0x34CDB2A1u:
        if (avail < PCAP_FILE_HDR)
            return iof__fail(eb, el, IOF_E_FORMAT,
                             "%s: not a capture: truncated pcap file header (%zu of %u bytes)",
                             s->path, avail, PCAP_FILE_HDR);
        return pcap_parse_header(s, eb, el);
    case PCAPNG_SHB:
        return ng_parse_first(s, eb, el);
    default:
        return iof__fail(eb, el, IOF_E_FORMAT,
                         "%s: not a capture file (first bytes %02x %02x %02x %02x are not a "
                         "pcap, pcapng or gzip magic number)",
                         s->path, magic & 0xFFu, (magic >> 8) & 0xFFu, (magic >> 16) & 0xFFu,
                         magic >> 24);
    }
}

static int open_finish(iof__source *s, iof__source **out, char *eb, size_t el)
{
    int rc = open_common(s, eb, el);
    if (rc < 0) {
        iof__source_close(s);
        return rc;
    }
    s->err = 0;
    s->errmsg[0] = '\0';
    *out = s;
    return 0;
}

int iof__source_open_fd(iof__source **out, int fd, bool take_fd, const char *name, char *eb,
                        size_t el)
{
    *out = NULL;
    iof__source *s = iof__source_alloc(IOF__SRC_FILE, name ? name : "<fd>");
    if (!s) {
        if (take_fd)
            close(fd);
        return iof__fail(eb, el, IOF_E_NOMEM, "out of memory");
    }
    s->fd = fd;
    s->close_fd = take_fd;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
        s->file_size = (int64_t)sb.st_size;
    return open_finish(s, out, eb, el);
}

int iof__source_open_file(iof__source **out, const char *path, char *eb, size_t el)
{
    *out = NULL;
    if (!path)
        return iof__fail(eb, el, IOF_E_INVAL, "no input path");
    if (strcmp(path, "-") == 0)
        return iof__source_open_fd(out, STDIN_FILENO, false, "-", eb, el);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return iof__fail(eb, el, IOF_E_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        close(fd);
        return iof__fail(eb, el, IOF_E_IO, "%s: is a directory", path);
    }
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    return iof__source_open_fd(out, fd, true, path, eb, el);
}

int iof__source_open_mem(iof__source **out, const void *data, size_t len, const char *name,
                         char *eb, size_t el)
{
    *out = NULL;
    if (!data && len)
        return iof__fail(eb, el, IOF_E_INVAL, "no data");
    iof__source *s = iof__source_alloc(IOF__SRC_FILE, name ? name : "<memory>");
    if (!s)
        return iof__fail(eb, el, IOF_E_NOMEM, "out of memory");
    static const uint8_t empty[1];
    s->mem = data ? data : empty;
    s->mem_len = len;
    s->file_size = (int64_t)len;
    return open_finish(s, out, eb, el);
}

int iof__file_next(iof__source *s, iof__frame *f)
{
    if (s->err)
        return s->err;
    if (s->stop)
        return iof__source_fail(s, IOF_E_INTERRUPTED, "%s: interrupted", s->path);
    if (s->format == IOF_SRC_PCAP)
        return pcap_next_frame(s, f);
    return ng_next_frame(s, f);
}

void iof__file_close(iof__source *s)
{
    if (s->gz_init)
        inflateEnd(&s->zs);
    free(s->zin);
    free(s->own);
    free(s->ifs);
    if (s->close_fd && s->fd >= 0)
        close(s->fd);
}
