/* Capture reader tests: captures written with our writer in every mode are read back and
 * compared frame by frame (ts, caplen, wirelen, linktype, ifindex, bytes); gzip, stdin/pipe,
 * cut-file sweeps, damaged records/blocks, directory expansion, BPF filters, live errors. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/pcap_write.h"
#include "capture/source.h"
#include "common/err.h"
#include "test.h"

#define MAX_EXP 600
#define NS INT64_C(1000000000)

typedef struct exp_frame {
    int64_t ts;
    uint32_t caplen, wirelen, linktype, ifindex;
    uint8_t data[256];
} exp_frame;

static exp_frame exp_v[MAX_EXP];
static size_t n_exp;

/* Boundaries of records in the image being built: offset after each block/record, and the
 * number of frames complete at that offset. */
static long bound_off[2 * MAX_EXP];
static size_t bound_frames[2 * MAX_EXP];
static size_t n_bound;

static char *img;
static size_t img_len;
static FILE *img_fp;

static void img_begin(void)
{
    free(img);
    img = NULL;
    img_len = 0;
    img_fp = open_memstream(&img, &img_len);
    ASSERT_TRUE(img_fp != NULL);
    n_exp = 0;
    n_bound = 0;
}

static void mark(void)
{
    bound_off[n_bound] = ftell(img_fp);
    bound_frames[n_bound] = n_exp;
    n_bound++;
}

static void img_end(iof__pcapw *w)
{
    ASSERT_EQ_INT(iof__pcapw_close(w), 0);
    ASSERT_EQ_INT(fclose(img_fp), 0);
    img_fp = NULL;
}

static void fill_bytes(uint8_t *d, uint32_t n, unsigned seed)
{
    for (uint32_t k = 0; k < n; k++)
        d[k] = (uint8_t)(seed * 131u + k * 7u + (k >> 3));
}

/* Writes one EPB / pcap record and remembers what the reader must return. */
static void put_frame(iof__pcapw *w, uint32_t ifx, uint32_t linktype, int64_t ts, uint32_t caplen,
                      uint32_t wirelen)
{
    ASSERT_TRUE(n_exp < MAX_EXP && caplen <= 256);
    exp_frame *e = &exp_v[n_exp];
    e->ts = ts;
    e->caplen = caplen;
    e->wirelen = wirelen;
    e->linktype = linktype;
    e->ifindex = ifx;
    fill_bytes(e->data, caplen, (unsigned)n_exp);
    ASSERT_EQ_INT(iof__pcapw_write(w, ifx, ts, e->data, caplen, wirelen), 0);
    n_exp++;
    mark();
}

static void put_spb(iof__pcapw *w, uint32_t linktype, int64_t last_ts, uint32_t caplen,
                    uint32_t wirelen)
{
    exp_frame *e = &exp_v[n_exp];
    e->ts = last_ts;
    e->caplen = caplen;
    e->wirelen = wirelen;
    e->linktype = linktype;
    e->ifindex = 0;
    fill_bytes(e->data, caplen, (unsigned)n_exp);
    ASSERT_EQ_INT(iof__pcapw_write_spb(w, e->data, caplen, wirelen), 0);
    n_exp++;
    mark();
}

static void check_frame(const iof__frame *f, const exp_frame *e, size_t i)
{
    if (f->ts_ns != e->ts || f->caplen != e->caplen || f->wirelen != e->wirelen ||
        f->linktype != e->linktype || f->ifindex != e->ifindex)
        fprintf(stderr, "  frame %zu: ts %lld/%lld caplen %u/%u wirelen %u/%u lt %u/%u if %u/%u\n",
                i, (long long)f->ts_ns, (long long)e->ts, f->caplen, e->caplen, f->wirelen,
                e->wirelen, f->linktype, e->linktype, f->ifindex, e->ifindex);
    ASSERT_EQ_INT(f->ts_ns, e->ts);
    ASSERT_EQ_INT(f->caplen, e->caplen);
    ASSERT_EQ_INT(f->wirelen, e->wirelen);
    ASSERT_EQ_INT(f->linktype, e->linktype);
    ASSERT_EQ_INT(f->ifindex, e->ifindex);
    ASSERT_EQ_MEM(f->data, e->data, e->caplen);
}

/* Reads every frame of s and compares with exp_v; expects end rc `want_rc`. */
static void read_all_check(iof__source *s, int want_rc)
{
    iof__frame f;
    int rc;
    size_t i = 0;
    while ((rc = iof__source_next(s, &f)) == 1) {
        ASSERT_TRUE(i < n_exp);
        check_frame(&f, &exp_v[i], i);
        i++;
    }
    if (rc != want_rc)
        fprintf(stderr, "  rc %d (%s): %s\n", rc, iof_errname(rc), iof__source_errmsg(s));
    ASSERT_EQ_INT(rc, want_rc);
    ASSERT_EQ_INT(i, n_exp);
    /* errors are sticky; end is stable */
    ASSERT_EQ_INT(iof__source_next(s, &f), want_rc);
}

static char tmpl[64];

static const char *write_tmp(const void *data, size_t len)
{
    strcpy(tmpl, "/tmp/iof_cap_XXXXXX");
    int fd = mkstemp(tmpl);
    ASSERT_TRUE(fd >= 0);
    ASSERT_EQ_INT(write(fd, data, len), (long long)len);
    ASSERT_EQ_INT(close(fd), 0);
    return tmpl;
}

/* Reads the image through the path API, the memory API (exact-size heap copy), and checks. */
static void check_image_all_ways(int want_rc)
{
    char eb[512];
    iof__source *s = NULL;
    const char *p = write_tmp(img, img_len);
    ASSERT_EQ_INT(iof__source_open_file(&s, p, eb, sizeof eb), 0);
    read_all_check(s, want_rc);
    ASSERT_EQ_INT(iof__source_size(s), (long long)img_len);
    if (want_rc == 0) {
        ASSERT_EQ_U64(iof__source_progress(s), img_len);
        iof__src_stats st;
        uint64_t filt;
        iof__source_stats(s, &st, &filt);
        ASSERT_EQ_U64(st.frames, n_exp);
        ASSERT_EQ_U64(st.bytes_read, img_len);
        ASSERT_EQ_U64(filt, 0);
    }
    iof__source_close(s);
    unlink(p);

    uint8_t *copy = malloc(img_len ? img_len : 1);
    ASSERT_TRUE(copy != NULL);
    memcpy(copy, img, img_len);
    ASSERT_EQ_INT(iof__source_open_mem(&s, copy, img_len, "mem", eb, sizeof eb), 0);
    read_all_check(s, want_rc);
    iof__source_close(s);
    free(copy);
}

/* ---------------------------------------------------------------------------------------- */

static void build_pcap(bool ns, bool be, int n)
{
    img_begin();
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .nanosecond = ns, .big_endian = be, .linktype = 113, .snaplen = 200 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, img_fp, &o), 0);
    mark();
    for (int i = 0; i < n; i++) {
        int64_t ts = INT64_C(1600000000) * NS + (int64_t)i * 987654321;
        if (!ns)
            ts = ts / 1000 * 1000;
        if (i == n - 1)
            ts = INT64_C(4294967295) * NS + (ns ? 999999999 : 999999000); /* last pcap second */
        uint32_t caplen = (uint32_t)((i * 37) % 250);
        put_frame(w, 0, 113, ts, caplen, caplen + (uint32_t)(i % 4) * 500);
    }
    img_end(w);
}

static void test_pcap_modes(void)
{
    for (int m = 0; m < 4; m++) {
        build_pcap(m & 1, m & 2, 60);
        check_image_all_ways(0);
    }
}

/* pcapng: 2 sections (LE then BE), 3+1 interfaces of different link types and resolutions,
 * if_tsoffset, a Simple Packet Block, obsolete Packet Block, skipped blocks. */
static int64_t ng_last_ts;

static void build_pcapng(bool be)
{
    img_begin();
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .pcapng = true, .big_endian = be, .linktype = 1, .snaplen = 120 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, img_fp, &o), 0);
    mark();
    ASSERT_EQ_INT(iof__pcapw_add_interface(w, 101, true), 1);                  /* ns */
    mark();
    ASSERT_EQ_INT(iof__pcapw_add_interface_ex(w, 0, 0, 0x80 | 20, 1000), 2);   /* 2^-20, +1000 s */
    mark();
    ASSERT_EQ_INT(iof__pcapw_add_interface_ex(w, 228, 0, 3, -5), 3);          /* ms, -5 s */
    mark();
    ASSERT_EQ_INT(iof__pcapw_add_interface_ex(w, 147, 64, 0x80 | 32, 0), 4);   /* 2^-32 */
    mark();
    const uint8_t nrb[12] = { 1, 0, 4, 0, 10, 0, 0, 1, 'a', 0, 0, 0 };
    ASSERT_EQ_INT(iof__pcapw_write_block(w, 4, nrb, sizeof nrb), 0);
    mark();
    int64_t base = INT64_C(1700000000) * NS;
    for (int i = 0; i < 40; i++) {
        uint32_t ifx = (uint32_t)(i % 5);
        static const uint32_t lts[5] = { 1, 101, 0, 228, 147 };
        int64_t ts;
        switch (ifx) {
        case 0: ts = base + i * INT64_C(1000001000); break;            /* whole us */
        case 1: ts = base + i * INT64_C(1000000007); break;            /* ns */
        case 2: ts = base + i * INT64_C(1953125); break;               /* 2^-9 s steps: exact */
        case 3: ts = base + i * INT64_C(3000000); break;               /* ms */
        default: ts = base + i * INT64_C(1953125) * 3; break;
        }
        uint32_t caplen = (uint32_t)((i * 13) % 120);
        put_frame(w, ifx, lts[ifx], ts, caplen, caplen + (uint32_t)i);
        ng_last_ts = ts;
        if (i == 10) {
            put_spb(w, 1, ng_last_ts, 50, 50);
            put_spb(w, 1, ng_last_ts, 120, 300); /* SPB: caplen = min(snaplen, len) */
        }
        if (i == 20) {
            const uint8_t isb[20] = { 0 };
            ASSERT_EQ_INT(iof__pcapw_write_block(w, 5, isb, sizeof isb), 0);
            mark();
            const uint8_t custom[8] = { 0x7e, 0x7e, 0, 0, 1, 2, 3, 4 };
            ASSERT_EQ_INT(iof__pcapw_write_block(w, 0x40000BAD, custom, sizeof custom), 0);
            mark();
            ASSERT_EQ_INT(iof__pcapw_write_block(w, 0x12345678, NULL, 0), 0);
            mark();
        }
    }
    /* second section, other byte order, new interface list */
    ASSERT_EQ_INT(iof__pcapw_new_section(w, !be, 276, true), 0);
    /* SHB and IDB come from one call: the SHB ends 32 bytes (IDB with if_tsresol) earlier */
    bound_off[n_bound] = ftell(img_fp) - 32;
    bound_frames[n_bound++] = n_exp;
    mark();
    for (int i = 0; i < 10; i++) {
        int64_t ts = INT64_C(5000000000) * NS + i; /* after 2106 */
        put_frame(w, 0, 276, ts, (uint32_t)i * 11, (uint32_t)i * 11 + 4);
    }
    img_end(w);
}

static void test_pcapng_modes(void)
{
    build_pcapng(false);
    check_image_all_ways(0);
    build_pcapng(true);
    check_image_all_ways(0);

    char eb[512];
    iof__source *s;
    ASSERT_EQ_INT(iof__source_open_mem(&s, img, img_len, "m", eb, sizeof eb), 0);
    iof__frame f;
    while (iof__source_next(s, &f) == 1)
        ;
    iof__src_stats st;
    iof__source_stats(s, &st, NULL);
    ASSERT_EQ_U64(st.blocks_skipped, 4); /* NRB, ISB, custom, unknown */
    ASSERT_EQ_INT(iof__source_format(s), IOF_SRC_PCAPNG);
    iof__source_close(s);
}

/* Obsolete Packet Block (type 2): hand-built. */
static void test_pcapng_obsolete_packet_block(void)
{
    img_begin();
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .pcapng = true, .linktype = 1 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, img_fp, &o), 0);
    uint8_t body[20 + 8];
    memset(body, 0, sizeof body);
    body[0] = 0;                       /* interface id (16 bit) */
    body[2] = 7;                       /* drops */
    body[4] = 0; body[8] = 0x40; body[9] = 0x42; body[10] = 0x0f; /* ts = 1000000 us */
    body[12] = 6; body[16] = 60;       /* caplen 6, len 60 */
    memcpy(body + 20, "abcdef", 6);
    ASSERT_EQ_INT(iof__pcapw_write_block(w, 2, body, sizeof body), 0);
    img_end(w);
    n_exp = 1;
    exp_v[0].ts = NS;
    exp_v[0].caplen = 6;
    exp_v[0].wirelen = 60;
    exp_v[0].linktype = 1;
    exp_v[0].ifindex = 0;
    memcpy(exp_v[0].data, "abcdef", 6);
    check_image_all_ways(0);
}

/* ---------------------------------------------------------------------------------------- */

/* Reads the first k bytes (exact-size heap copy) and checks the cut-file contract. */
static void sweep(size_t header)
{
    for (size_t k = 0; k <= img_len; k++) {
        uint8_t *copy = malloc(k ? k : 1);
        ASSERT_TRUE(copy != NULL);
        memcpy(copy, img, k);
        char eb[512] = "";
        iof__source *s = NULL;
        int rc = iof__source_open_mem(&s, copy, k, "cut", eb, sizeof eb);
        if (k < header) {
            if (rc != IOF_E_FORMAT)
                fprintf(stderr, "  k=%zu rc=%d %s\n", k, rc, eb);
            ASSERT_EQ_INT(rc, IOF_E_FORMAT);
            ASSERT_TRUE(s == NULL);
            free(copy);
            continue;
        }
        if (rc != 0)
            fprintf(stderr, "  k=%zu: %s\n", k, eb);
        ASSERT_EQ_INT(rc, 0);
        size_t want = 0, last = header;
        bool on_boundary = (k == header);
        for (size_t b = 0; b < n_bound; b++) {
            if ((size_t)bound_off[b] <= k) {
                want = bound_frames[b];
                last = (size_t)bound_off[b];
                if ((size_t)bound_off[b] == k)
                    on_boundary = true;
            }
        }
        iof__frame f;
        size_t got = 0;
        while ((rc = iof__source_next(s, &f)) == 1) {
            check_frame(&f, &exp_v[got], got);
            got++;
        }
        if (got != want || rc != (on_boundary ? 0 : IOF_E_TRUNCATED_INPUT))
            fprintf(stderr, "  k=%zu got %zu want %zu rc %d: %s\n", k, got, want, rc,
                    iof__source_errmsg(s));
        ASSERT_EQ_INT(got, want);
        if (on_boundary) {
            ASSERT_EQ_INT(rc, 0);
        } else {
            ASSERT_EQ_INT(rc, IOF_E_TRUNCATED_INPUT);
            char needle[64];
            snprintf(needle, sizeof needle, "cut: truncated record at offset %zu ", last);
            if (!strstr(iof__source_errmsg(s), needle))
                fprintf(stderr, "  k=%zu: '%s' lacks '%s'\n", k, iof__source_errmsg(s), needle);
            ASSERT_TRUE(strstr(iof__source_errmsg(s), needle) != NULL);
        }
        iof__source_close(s);
        free(copy);
    }
}

static void test_cut_sweep_pcap(void)
{
    build_pcap(false, false, 50);
    sweep(24);
    build_pcap(true, true, 20);
    sweep(24);
}

static void test_cut_sweep_pcapng(void)
{
    build_pcapng(false);
    sweep(28);
    build_pcapng(true);
    sweep(28);
}

/* The current capture image (img) as one gzip member; caller frees. */
static uint8_t *gzip_img(size_t *zlen)
{
    uLongf zcap = compressBound((uLong)img_len) + 64;
    uint8_t *z = malloc(zcap);
    ASSERT_TRUE(z != NULL);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    ASSERT_EQ_INT(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)img;
    zs.avail_in = (uInt)img_len;
    zs.next_out = z;
    zs.avail_out = (uInt)zcap;
    ASSERT_EQ_INT(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *zlen = zs.total_out;
    deflateEnd(&zs);
    return z;
}

/* gzip: every prefix of a compressed capture returns a prefix of the frames and then an
 * error (never a crash, never extra frames); the full file returns all frames and 0. */
static void test_cut_sweep_gzip(void)
{
    build_pcap(false, false, 30);
    size_t zlen;
    uint8_t *z = gzip_img(&zlen);
    for (size_t k = 0; k <= zlen; k++) {
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, z, k);
        char eb[512];
        iof__source *s = NULL;
        int rc = iof__source_open_mem(&s, copy, k, "gz", eb, sizeof eb);
        if (rc == 0) {
            iof__frame f;
            size_t got = 0;
            while ((rc = iof__source_next(s, &f)) == 1) {
                ASSERT_TRUE(got < n_exp);
                check_frame(&f, &exp_v[got], got);
                got++;
            }
            if (k == zlen) {
                ASSERT_EQ_INT(rc, 0);
                ASSERT_EQ_INT(got, n_exp);
            } else {
                ASSERT_EQ_INT(rc, IOF_E_TRUNCATED_INPUT);
            }
            iof__source_close(s);
        } else {
            ASSERT_TRUE(k < zlen);
            ASSERT_TRUE(rc == IOF_E_FORMAT);
        }
        free(copy);
    }
    free(z);
}

/* ---------------------------------------------------------------------------------------- */

static void test_gzip_file_multi_member(void)
{
    build_pcapng(false);
    strcpy(tmpl, "/tmp/iof_capgz_XXXXXX");
    int fd = mkstemp(tmpl);
    ASSERT_TRUE(fd >= 0);
    close(fd);
    size_t half = img_len / 2;
    gzFile g = gzopen(tmpl, "wb");
    ASSERT_TRUE(g != NULL);
    ASSERT_EQ_INT(gzwrite(g, img, (unsigned)half), (long long)half);
    ASSERT_EQ_INT(gzclose(g), Z_OK);
    g = gzopen(tmpl, "ab"); /* second gzip member */
    ASSERT_TRUE(g != NULL);
    ASSERT_EQ_INT(gzwrite(g, img + half, (unsigned)(img_len - half)), (long long)(img_len - half));
    ASSERT_EQ_INT(gzclose(g), Z_OK);
    char eb[512];
    iof__source *s = NULL;
    ASSERT_EQ_INT(iof__source_open_file(&s, tmpl, eb, sizeof eb), 0);
    read_all_check(s, 0);
    struct stat sb;
    ASSERT_EQ_INT(stat(tmpl, &sb), 0);
    ASSERT_EQ_U64(iof__source_progress(s), (uint64_t)sb.st_size);
    iof__src_stats st;
    iof__source_stats(s, &st, NULL);
    ASSERT_EQ_U64(st.bytes_read, img_len);
    iof__source_close(s);

    /* corrupt the deflate data: a clean error, not a crash */
    FILE *fp = fopen(tmpl, "r+b");
    ASSERT_TRUE(fp != NULL);
    ASSERT_EQ_INT(fseek(fp, 40, SEEK_SET), 0);
    const char junk[32] = "this is not deflate data at all";
    ASSERT_EQ_INT(fwrite(junk, 1, sizeof junk, fp), sizeof junk);
    ASSERT_EQ_INT(fclose(fp), 0);
    int rc = iof__source_open_file(&s, tmpl, eb, sizeof eb);
    if (rc == 0) {
        iof__frame f;
        while ((rc = iof__source_next(s, &f)) == 1)
            ;
        ASSERT_EQ_INT(rc, IOF_E_TRUNCATED_INPUT);
        iof__source_close(s);
    } else {
        ASSERT_TRUE(rc == IOF_E_FORMAT || rc == IOF_E_TRUNCATED_INPUT);
    }
    unlink(tmpl);
}

/* Feeds the image into a pipe in small pieces from a child process. */
static pid_t spawn_writer(int fd_w, int fd_r)
{
    pid_t pid = fork();
    ASSERT_TRUE(pid >= 0);
    if (pid == 0) {
        close(fd_r);
        size_t off = 0;
        while (off < img_len) {
            size_t n = img_len - off < 1013 ? img_len - off : 1013;
            ssize_t w = write(fd_w, img + off, n);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(fd_w);
    return pid;
}

static void test_stdin_pipe(void)
{
    build_pcap(true, false, 200);
    int p[2];
    ASSERT_EQ_INT(pipe(p), 0);
    pid_t pid = spawn_writer(p[1], p[0]);
    int saved = dup(STDIN_FILENO);
    ASSERT_TRUE(saved >= 0);
    ASSERT_EQ_INT(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
    close(p[0]);
    char eb[512];
    iof__source *s = NULL;
    int rc = iof__source_open_file(&s, "-", eb, sizeof eb);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(iof__source_size(s), -1);
    read_all_check(s, 0);
    iof__source_close(s);
    ASSERT_EQ_INT(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    int status;
    ASSERT_EQ_INT(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* gzip through a pipe */
    build_pcap(false, true, 100);
    size_t zlen;
    uint8_t *z = gzip_img(&zlen);
    char *plain = img;
    size_t plain_len = img_len;
    img = (char *)z; /* spawn_writer sends img */
    img_len = zlen;
    ASSERT_EQ_INT(pipe(p), 0);
    pid = spawn_writer(p[1], p[0]);
    img = plain;
    img_len = plain_len;
    ASSERT_EQ_INT(iof__source_open_fd(&s, p[0], true, "gzpipe", eb, sizeof eb), 0);
    read_all_check(s, 0);
    ASSERT_EQ_U64(iof__source_progress(s), zlen);
    iof__source_close(s);
    ASSERT_EQ_INT(waitpid(pid, &status, 0), pid);
    free(z);

    /* fd API with a pcapng through a pipe */
    build_pcapng(true);
    ASSERT_EQ_INT(pipe(p), 0);
    pid = spawn_writer(p[1], p[0]);
    ASSERT_EQ_INT(iof__source_open_fd(&s, p[0], true, "pipe", eb, sizeof eb), 0);
    read_all_check(s, 0);
    iof__source_close(s);
    ASSERT_EQ_INT(waitpid(pid, &status, 0), pid);
}

/* ---------------------------------------------------------------------------------------- */

static void open_mem_expect(const void *d, size_t n, int want, const char *needle)
{
    char eb[512] = "";
    iof__source *s = NULL;
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, d, n);
    int rc = iof__source_open_mem(&s, copy, n, "x", eb, sizeof eb);
    if (rc != want || (needle && !strstr(eb, needle)))
        fprintf(stderr, "  rc %d: %s\n", rc, eb);
    ASSERT_EQ_INT(rc, want);
    if (needle)
        ASSERT_TRUE(strstr(eb, needle) != NULL);
    iof__source_close(s);
    free(copy);
}

static void test_not_a_capture(void)
{
    open_mem_expect("", 0, IOF_E_FORMAT, "not a capture");
    open_mem_expect("\xd4\xc3\xb2", 3, IOF_E_FORMAT, "not a capture");
    open_mem_expect("hello world, not a capture file", 31, IOF_E_FORMAT, "68 65 6c 6c");
    /* pcap version 3.0 */
    const uint8_t v3[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                             0xff, 0xff, 0, 0, 1, 0, 0, 0 };
    open_mem_expect(v3, sizeof v3, IOF_E_FORMAT, "unsupported pcap file version 3.0");
    /* header-only pcap: a valid empty capture */
    const uint8_t ok[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                             0xff, 0xff, 0, 0, 1, 0, 0, 0 };
    open_mem_expect(ok, sizeof ok, 0, NULL);
    /* the link-type field's reserved bits 16-25 set (libpcap's own test file has 0x00300000):
     * refused naming offset 20; bit 16 and bit 25 alone too. The FCS bits 26-31 are not reserved
     * (test_pcap_damaged_records reads a header with them). */
    static const uint32_t reserved[] = { 0x00300000u, 0x00010000u, 0x02000000u, 0x14300001u };
    for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++) {
        uint8_t h[24];
        memcpy(h, ok, sizeof h);
        for (int b = 0; b < 4; b++)
            h[20 + b] = (uint8_t)(reserved[k] >> (8 * b));
        open_mem_expect(h, sizeof h, IOF_E_FORMAT, "damaged pcap file header at offset 20");
    }
    /* bits 26-31 (FCS present, bit 27, FCS length) are ignored as libpcap does */
    {
        uint8_t h[24];
        memcpy(h, ok, sizeof h);
        h[23] = 0xfc;
        open_mem_expect(h, sizeof h, 0, NULL);
    }
    /* the same bits in a big-endian header */
    const uint8_t be[24] = { 0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
                             0, 0, 0xff, 0xff, 0, 0x30, 0, 1 };
    open_mem_expect(be, sizeof be, IOF_E_FORMAT, "reserved bits 16-25 set (0x00300000)");
    char eb[512];
    iof__source *s = NULL;
    ASSERT_EQ_INT(iof__source_open_file(&s, "/nonexistent/iof.pcap", eb, sizeof eb), IOF_E_IO);
    ASSERT_TRUE(strstr(eb, "/nonexistent/iof.pcap") != NULL);
    ASSERT_EQ_INT(iof__source_open_file(&s, "/tmp", eb, sizeof eb), IOF_E_IO);
    /* gzip of a text file */
    uint8_t z[128];
    uLongf zl = sizeof z;
    ASSERT_EQ_INT(compress2(z, &zl, (const Bytef *)"plain text", 10, 6), Z_OK); /* zlib, not gzip */
    open_mem_expect(z, zl, IOF_E_FORMAT, NULL);
}

static void test_pcap_damaged_records(void)
{
    /* header (LE us, linktype with the FCS bits set: F and an FCS length of 1, ignored) + records */
    uint8_t b[24 + 16 + 4 + 16];
    memset(b, 0, sizeof b);
    const uint8_t hdr[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                              0x40, 0, 0, 0, 1, 0, 0, 0x14 };
    memcpy(b, hdr, 24);
    /* record 1: usec = 1500000 (invalid fraction) caplen 4 */
    uint8_t *r = b + 24;
    r[0] = 10; r[4] = 0x60; r[5] = 0xe3; r[6] = 0x16; /* 1500000 */
    r[8] = 4; r[12] = 4;
    memcpy(r + 16, "WXYZ", 4);
    /* record 2: caplen 0x10000000 (damaged) */
    r = b + 24 + 20;
    r[11] = 0x10; r[12] = 1;
    char eb[512];
    iof__source *s = NULL;
    ASSERT_EQ_INT(iof__source_open_mem(&s, b, sizeof b, "d.pcap", eb, sizeof eb), 0);
    iof__frame f;
    ASSERT_EQ_INT(iof__source_next(s, &f), 1);
    ASSERT_EQ_INT(f.ts_ns, 11 * NS + 500000 * 1000);
    ASSERT_EQ_INT(f.linktype, 1);
    ASSERT_EQ_INT(f.caplen, 4);
    ASSERT_EQ_INT(iof__source_next(s, &f), IOF_E_TRUNCATED_INPUT);
    ASSERT_TRUE(strstr(iof__source_errmsg(s), "d.pcap: damaged record at offset 44") != NULL);
    iof__src_stats st;
    iof__source_stats(s, &st, NULL);
    ASSERT_EQ_U64(st.ts_invalid, 1);
    ASSERT_EQ_U64(st.frames, 1);
    iof__source_close(s);
}

/* Records larger than the 1 MiB read buffer can hold at once, straddling refills. */
static void test_large_records(void)
{
    const uint32_t big = IOF_MAX_CAPLEN; /* 256 KiB */
    uint8_t *d = malloc(big);
    fill_bytes(d, big, 5);
    strcpy(tmpl, "/tmp/iof_capbig_XXXXXX");
    int fd = mkstemp(tmpl);
    FILE *fp = fdopen(fd, "wb");
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .linktype = 1 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, fp, &o), 0);
    for (int i = 0; i < 13; i++)
        ASSERT_EQ_INT(iof__pcapw_write(w, 0, i * NS, d, big - (uint32_t)i, big), 0);
    ASSERT_EQ_INT(iof__pcapw_close(w), 0);
    ASSERT_EQ_INT(fclose(fp), 0);
    char eb[512];
    iof__source *s = NULL;
    ASSERT_EQ_INT(iof__source_open_file(&s, tmpl, eb, sizeof eb), 0);
    iof__frame f;
    for (int i = 0; i < 13; i++) {
        ASSERT_EQ_INT(iof__source_next(s, &f), 1);
        ASSERT_EQ_INT(f.caplen, big - (uint32_t)i);
        ASSERT_EQ_MEM(f.data, d, f.caplen);
    }
    ASSERT_EQ_INT(iof__source_next(s, &f), 0);
    iof__source_close(s);
    unlink(tmpl);

    /* pcapng block of 3 MiB (bigger than the initial buffer) */
    uint32_t huge = 3u << 20;
    uint8_t *h = malloc(huge);
    fill_bytes(h, huge, 9);
    fd = mkstemp(strcpy(tmpl, "/tmp/iof_capbig_XXXXXX"));
    fp = fdopen(fd, "wb");
    iof__pcapw_opts o2 = { .pcapng = true, .linktype = 1 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, fp, &o2), 0);
    ASSERT_EQ_INT(iof__pcapw_write(w, 0, NS, d, 100, 100), 0);
    ASSERT_EQ_INT(iof__pcapw_write(w, 0, NS, h, huge, huge), 0);
    ASSERT_EQ_INT(iof__pcapw_write(w, 0, NS, d, 100, 100), 0);
    ASSERT_EQ_INT(iof__pcapw_close(w), 0);
    ASSERT_EQ_INT(fclose(fp), 0);
    ASSERT_EQ_INT(iof__source_open_file(&s, tmpl, eb, sizeof eb), 0);
    ASSERT_EQ_INT(iof__source_next(s, &f), 1);
    ASSERT_EQ_INT(iof__source_next(s, &f), 1);
    ASSERT_EQ_INT(f.caplen, huge);
    ASSERT_EQ_MEM(f.data, h, huge);
    ASSERT_EQ_INT(iof__source_next(s, &f), 1);
    ASSERT_EQ_INT(iof__source_next(s, &f), 0);
    iof__source_close(s);
    unlink(tmpl);
    free(h);
    free(d);
}

/* Builds SHB + IDB, then appends raw bytes; expects the first frame error message. */
static void ng_damage(const uint8_t *tail, size_t n, const char *needle)
{
    img_begin();
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .pcapng = true, .linktype = 1 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, img_fp, &o), 0);
    ASSERT_EQ_INT(iof__pcapw_close(w), 0);
    ASSERT_EQ_INT(fwrite(tail, 1, n, img_fp), n);
    ASSERT_EQ_INT(fclose(img_fp), 0);
    char eb[512];
    iof__source *s = NULL;
    uint8_t *copy = malloc(img_len);
    memcpy(copy, img, img_len);
    ASSERT_EQ_INT(iof__source_open_mem(&s, copy, img_len, "ng", eb, sizeof eb), 0);
    iof__frame f;
    int rc = iof__source_next(s, &f);
    if (rc != IOF_E_TRUNCATED_INPUT || !strstr(iof__source_errmsg(s), needle))
        fprintf(stderr, "  rc %d: '%s' (want '%s')\n", rc, iof__source_errmsg(s), needle);
    ASSERT_EQ_INT(rc, IOF_E_TRUNCATED_INPUT);
    ASSERT_TRUE(strstr(iof__source_errmsg(s), needle) != NULL);
    iof__source_close(s);
    free(copy);
}

static void test_pcapng_damaged_blocks(void)
{
    /* SHB 28 + IDB 20 = offset 48 */
    const uint8_t len13[16] = { 6, 0, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0, 13, 0, 0, 0 };
    ng_damage(len13, sizeof len13, "damaged block at offset 48: invalid block total length 13");
    const uint8_t len8[16] = { 6, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0 };
    ng_damage(len8, sizeof len8, "invalid block total length 8");
    const uint8_t lenbig[16] = { 6, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0 };
    ng_damage(lenbig, sizeof lenbig, "invalid block total length 1073741824");
    const uint8_t trail[16] = { 4, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0 };
    ng_damage(trail, sizeof trail, "trailing block length 20 differs from leading 16");
    uint8_t epb[32];
    memset(epb, 0, sizeof epb);
    epb[0] = 6; epb[4] = 32; epb[28] = 32;
    epb[8] = 1; /* interface 1: only 0 exists */
    ng_damage(epb, sizeof epb, "interface id 1 but only 1 interface(s) defined");
    epb[8] = 0;
    epb[20] = 5; /* caplen 5 > 0 bytes of data */
    ng_damage(epb, sizeof epb, "captured length exceeds the block");
    uint8_t idb[24];
    memset(idb, 0, sizeof idb);
    idb[0] = 1; idb[4] = 24; idb[20] = 24;
    idb[16] = 9; idb[18] = 8; /* if_tsresol with length 8 running past the block */
    ng_damage(idb, sizeof idb, "damaged interface description block at offset 48");
}

/* A Simple Packet Block needs interface 0; a section without IDBs cannot have one. */
static void test_pcapng_spb_without_idb(void)
{
    const uint8_t f[] = {
        0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
        3, 0, 0, 0, 20, 0, 0, 0, 4, 0, 0, 0, 1, 2, 3, 4, 20, 0, 0, 0 };
    char eb[512];
    iof__source *s = NULL;
    ASSERT_EQ_INT(iof__source_open_mem(&s, f, sizeof f, "spb", eb, sizeof eb), 0);
    iof__frame fr;
    ASSERT_EQ_INT(iof__source_next(s, &fr), IOF_E_TRUNCATED_INPUT);
    ASSERT_TRUE(strstr(iof__source_errmsg(s), "offset 28") != NULL);
    ASSERT_TRUE(strstr(iof__source_errmsg(s), "interface id 0 but only 0") != NULL);
    iof__source_close(s);
}

static void test_pcapng_too_many_interfaces(void)
{
    img_begin();
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .pcapng = true, .linktype = 1 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, img_fp, &o), 0);
    for (int i = 1; i < IOF_MAX_INTERFACES; i++)
        ASSERT_EQ_INT(iof__pcapw_add_interface(w, 1, false), i);
    ASSERT_EQ_INT(iof__pcapw_write(w, IOF_MAX_INTERFACES - 1, NS, (const uint8_t *)"a", 1, 1), 0);
    ASSERT_EQ_INT(iof__pcapw_close(w), 0);
    const uint8_t idb[20] = { 1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0 };
    ASSERT_EQ_INT(fwrite(idb, 1, sizeof idb, img_fp), sizeof idb);
    ASSERT_EQ_INT(fclose(img_fp), 0);
    char eb[512];
    iof__source *s = NULL;
    ASSERT_EQ_INT(iof__source_open_mem(&s, img, img_len, "ng", eb, sizeof eb), 0);
    iof__frame f;
    ASSERT_EQ_INT(iof__source_next(s, &f), 1);
    ASSERT_EQ_INT(f.ifindex, IOF_MAX_INTERFACES - 1);
    ASSERT_EQ_INT(iof__source_next(s, &f), IOF_E_TRUNCATED_INPUT);
    ASSERT_TRUE(strstr(iof__source_errmsg(s), "too many interfaces") != NULL);
    iof__source_close(s);
}

static void test_timestamps_extreme(void)
{
    img_begin();
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .pcapng = true, .linktype = 1 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, img_fp, &o), 0);
    ASSERT_EQ_INT(iof__pcapw_close(w), 0);
    /* EPB with ts units = 2^64-1 us: beyond int64 ns -> clamped, counted */
    uint8_t epb[32] = { 6, 0, 0, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
                        0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0 };
    ASSERT_EQ_INT(fwrite(epb, 1, sizeof epb, img_fp), sizeof epb);
    /* EPB 2106-02-07 06:28:16 + 1 s = 4294967297 s in us */
    uint64_t u = UINT64_C(4294967297) * 1000000u + 5;
    epb[12] = (uint8_t)(u >> 32); epb[13] = (uint8_t)(u >> 40); epb[14] = (uint8_t)(u >> 48);
    epb[15] = (uint8_t)(u >> 56);
    epb[16] = (uint8_t)u; epb[17] = (uint8_t)(u >> 8); epb[18] = (uint8_t)(u >> 16);
    epb[19] = (uint8_t)(u >> 24);
    ASSERT_EQ_INT(fwrite(epb, 1, sizeof epb, img_fp), sizeof epb);
    ASSERT_EQ_INT(fclose(img_fp), 0);
    char eb[512];
    iof__source *s = NULL;
    ASSERT_EQ_INT(iof__source_open_mem(&s, img, img_len, "ts", eb, sizeof eb), 0);
    iof__frame f;
    ASSERT_EQ_INT(iof__source_next(s, &f), 1);
    ASSERT_EQ_INT(f.ts_ns, INT64_MAX);
    ASSERT_EQ_INT(iof__source_next(s, &f), 1);
    ASSERT_EQ_INT(f.ts_ns, INT64_C(4294967297) * NS + 5000);
    ASSERT_EQ_INT(iof__source_next(s, &f), 0);
    iof__src_stats st;
    iof__source_stats(s, &st, NULL);
    ASSERT_EQ_U64(st.ts_invalid, 1);
    iof__source_close(s);
}

/* ---------------------------------------------------------------------------------------- */

/* Ethernet or raw IPv4 + UDP frame; returns its length. */
static uint32_t udp_frame(uint8_t *b, bool eth, uint16_t sport, uint16_t dport)
{
    uint32_t o = 0;
    if (eth) {
        memset(b, 0x11, 12);
        b[12] = 0x08;
        b[13] = 0x00;
        o = 14;
    }
    uint8_t *ip = b + o;
    memset(ip, 0, 28);
    ip[0] = 0x45;
    ip[3] = 28 + 4;
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 10; ip[15] = 1;
    ip[16] = 10; ip[19] = 2;
    ip[20] = (uint8_t)(sport >> 8); ip[21] = (uint8_t)sport;
    ip[22] = (uint8_t)(dport >> 8); ip[23] = (uint8_t)dport;
    ip[25] = 12;
    memcpy(ip + 28, "dns!", 4);
    return o + 32;
}

static void test_filter_two_linktypes(void)
{
    img_begin();
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .pcapng = true, .linktype = 1 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, img_fp, &o), 0);
    ASSERT_EQ_INT(iof__pcapw_add_interface(w, 101, false), 1);  /* LINKTYPE_RAW */
    ASSERT_EQ_INT(iof__pcapw_add_interface(w, 147, false), 2);  /* USER0: filter cannot apply */
    uint8_t b[64];
    int want = 0;
    for (int i = 0; i < 40; i++) {
        bool eth = (i % 2) == 0;
        uint16_t dport = (i % 3 == 0) ? 53 : (uint16_t)(1000 + i);
        uint32_t n = udp_frame(b, eth, 40000, dport);
        ASSERT_EQ_INT(iof__pcapw_write(w, eth ? 0 : 1, i * NS, b, n, n), 0);
        if (dport == 53)
            want++;
    }
    ASSERT_EQ_INT(iof__pcapw_write(w, 2, 0, b, 10, 10), 0);
    img_end(w);

    char eb[512];
    iof__source *s = NULL;
    ASSERT_EQ_INT(iof__source_open_mem(&s, img, img_len, "f", eb, sizeof eb), 0);
    ASSERT_EQ_INT(iof__source_set_filter(s, "udp port 53"), 0);
    iof__frame f;
    int got = 0, rc, eth_seen = 0, raw_seen = 0;
    while ((rc = iof__source_next(s, &f)) == 1) {
        got++;
        eth_seen += f.linktype == 1;
        raw_seen += f.linktype == 101;
    }
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(got, want);
    ASSERT_TRUE(eth_seen > 0 && raw_seen > 0);
    iof__src_stats st;
    uint64_t filtered;
    iof__source_stats(s, &st, &filtered);
    ASSERT_EQ_U64(filtered, 41 - want);
    ASSERT_EQ_U64(st.frames, want);
    ASSERT_EQ_U64(st.filter_unsupported, 1);
    iof__source_close(s);

    ASSERT_EQ_INT(iof__source_open_mem(&s, img, img_len, "f", eb, sizeof eb), 0);
    ASSERT_EQ_INT(iof__source_set_filter(s, "udp port"), IOF_E_INVAL);
    ASSERT_TRUE(strstr(iof__source_errmsg(s), "udp port") != NULL);
    iof__source_close(s);

    /* classic pcap, raw IP link type */
    build_pcap(false, false, 1);
    img_begin();
    iof__pcapw_opts o2 = { .linktype = 101 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, img_fp, &o2), 0);
    for (int i = 0; i < 10; i++) {
        uint32_t n = udp_frame(b, false, 53, (uint16_t)(7 + i));
        ASSERT_EQ_INT(iof__pcapw_write(w, 0, i * NS, b, n, n), 0);
    }
    img_end(w);
    ASSERT_EQ_INT(iof__source_open_mem(&s, img, img_len, "f", eb, sizeof eb), 0);
    ASSERT_EQ_INT(iof__source_set_filter(s, "udp src port 53 and udp dst port 9"), 0);
    got = 0;
    while ((rc = iof__source_next(s, &f)) == 1)
        got++;
    ASSERT_EQ_INT(got, 1);
    iof__source_close(s);
}

static void test_stop(void)
{
    build_pcap(false, false, 10);
    char eb[512];
    iof__source *s = NULL;
    ASSERT_EQ_INT(iof__source_open_mem(&s, img, img_len, "stop", eb, sizeof eb), 0);
    iof__frame f;
    ASSERT_EQ_INT(iof__source_next(s, &f), 1);
    iof__source_stop(s);
    ASSERT_EQ_INT(iof__source_next(s, &f), IOF_E_INTERRUPTED);
    iof__source_close(s);
}

/* ---------------------------------------------------------------------------------------- */

static char skipped_log[4096];

static void on_skip(void *ctx, const char *path, const char *why)
{
    (void)why;
    int *n = ctx;
    (*n)++;
    strncat(skipped_log, path, sizeof skipped_log - strlen(skipped_log) - 2);
    strcat(skipped_log, ";");
}

static void put_file(const char *path, const void *d, size_t n)
{
    FILE *fp = fopen(path, "wb");
    ASSERT_TRUE(fp != NULL);
    ASSERT_EQ_INT(fwrite(d, 1, n, fp), n);
    ASSERT_EQ_INT(fclose(fp), 0);
}

static void test_input_list(void)
{
    char dir[] = "/tmp/iof_dir_XXXXXX";
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    char p[256];
    const uint8_t pcap_magic[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
    const uint8_t ng_magic[4] = { 0x0a, 0x0d, 0x0d, 0x0a };
    const uint8_t gz_magic[4] = { 0x1f, 0x8b, 8, 0 };
    snprintf(p, sizeof p, "%s/a", dir); ASSERT_EQ_INT(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/a/deep", dir); ASSERT_EQ_INT(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/b.pcap", dir); put_file(p, pcap_magic, 24);
    snprintf(p, sizeof p, "%s/a-c.pcap", dir); put_file(p, pcap_magic, 24);
    snprintf(p, sizeof p, "%s/a/z.pcapng", dir); put_file(p, ng_magic, 4);
    snprintf(p, sizeof p, "%s/a/deep/Q.gz", dir);
    gzFile gz = gzopen(p, "wb"); /* a gzip'ed capture */
    ASSERT_TRUE(gz != NULL);
    ASSERT_EQ_INT(gzwrite(gz, pcap_magic, 24), 24);
    ASSERT_EQ_INT(gzclose(gz), Z_OK);
    snprintf(p, sizeof p, "%s/a/flows.json.gz", dir); /* gzip of no capture (a Joy file) */
    ASSERT_TRUE((gz = gzopen(p, "wb")) != NULL);
    ASSERT_EQ_INT(gzwrite(gz, "{\"version\":\"3.0.3\"}\n", 21), 21);
    ASSERT_EQ_INT(gzclose(gz), Z_OK);
    snprintf(p, sizeof p, "%s/a/cut.gz", dir); put_file(p, gz_magic, 4); /* gzip cut short */
    snprintf(p, sizeof p, "%s/notes.txt", dir); put_file(p, "hello", 5);
    snprintf(p, sizeof p, "%s/tiny", dir); put_file(p, "\xd4\xc3", 2);
    snprintf(p, sizeof p, "%s/\xc3\xa9.pcap", dir); put_file(p, pcap_magic, 24); /* non-ASCII */
    char explicit_txt[256];
    snprintf(explicit_txt, sizeof explicit_txt, "%s/notes.txt", dir);
    const char *in[3] = { explicit_txt, dir, "-" };
    char **out = NULL;
    size_t n = 0;
    int nskip = 0;
    char eb[256];
    skipped_log[0] = '\0';
    ASSERT_EQ_INT(iof__input_list_expand(in, 3, &out, &n, on_skip, &nskip, eb, sizeof eb), 0);
    const char *want[] = { "notes.txt", "a-c.pcap", "a/deep/Q.gz", "a/z.pcapng", "b.pcap",
                           "\xc3\xa9.pcap" };
    ASSERT_EQ_INT(n, 7);
    for (size_t i = 0; i < 6; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, want[i]);
        ASSERT_EQ_STR(out[i], p);
    }
    ASSERT_EQ_STR(out[6], "-");
    ASSERT_EQ_INT(nskip, 4);
    ASSERT_TRUE(strstr(skipped_log, "notes.txt") && strstr(skipped_log, "tiny"));
    ASSERT_TRUE(strstr(skipped_log, "flows.json.gz"));
    ASSERT_TRUE(strstr(skipped_log, "cut.gz"));
    iof__input_list_free(out, n);

    const char *bad[1] = { "/nonexistent/dir/x" };
    ASSERT_EQ_INT(iof__input_list_expand(bad, 1, &out, &n, NULL, NULL, eb, sizeof eb), 0);
    ASSERT_EQ_INT(n, 1); /* kept: opening it reports the problem */
    iof__input_list_free(out, n);

    const char *cleanup[] = { "a/deep/Q.gz", "a/z.pcapng", "b.pcap", "a-c.pcap", "notes.txt",
                              "tiny", "\xc3\xa9.pcap", "a/flows.json.gz", "a/cut.gz" };
    for (size_t i = 0; i < 9; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, cleanup[i]);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/a/deep", dir); rmdir(p);
    snprintf(p, sizeof p, "%s/a", dir); rmdir(p);
    rmdir(dir);
}

/* One file listed twice, in any spelling, is refused naming both spellings (its records
 * would be counted twice); files that only look alike (same name elsewhere, same bytes) are
 * not the same file. */
static void expect_same(const char *const *in, size_t n_in, const char *s1, const char *s2)
{
    char **out = NULL;
    size_t n = 0;
    char eb[1024] = "";
    ASSERT_EQ_INT(iof__input_list_expand(in, n_in, &out, &n, NULL, NULL, eb, sizeof eb), IOF_E_INVAL);
    ASSERT_TRUE(out == NULL && n == 0);
    char want[1024];
    snprintf(want, sizeof want, "%s and %s are the same file", s1, s2);
    if (!strstr(eb, want))
        fprintf(stderr, "  got: %s\n  want: %s\n", eb, want);
    ASSERT_TRUE(strstr(eb, want) != NULL);
}

static void test_input_list_same_file(void)
{
    char dir[] = "/tmp/iof_same_XXXXXX";
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    const uint8_t pcap_magic[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
    char a[256], b[256], sub[256], c[256], sym[256], hard[256], in_sub[600];
    snprintf(a, sizeof a, "%s/a.pcap", dir);
    snprintf(b, sizeof b, "%s/b.pcap", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(c, sizeof c, "%s/sub/a.pcap", dir); /* same name and bytes as a.pcap: another file */
    snprintf(sym, sizeof sym, "%s/link.pcap", dir);
    snprintf(hard, sizeof hard, "%s/hard.pcap", dir);
    put_file(a, pcap_magic, 24);
    put_file(b, pcap_magic, 24);
    ASSERT_EQ_INT(mkdir(sub, 0700), 0);
    put_file(c, pcap_magic, 24);

    /* different files, the copy included: accepted */
    const char *ok[] = { a, b, sub };
    char **out = NULL;
    size_t n = 0;
    char eb[1024];
    ASSERT_EQ_INT(iof__input_list_expand(ok, 3, &out, &n, NULL, NULL, eb, sizeof eb), 0);
    ASSERT_EQ_INT(n, 3);
    iof__input_list_free(out, n);

    const char *twice[] = { a, b, a };
    expect_same(twice, 3, a, a);
    /* a file and the directory holding it (either order): the walk's spelling says where */
    snprintf(in_sub, sizeof in_sub, "%s (in directory %s)", c, sub);
    const char *file_dir[] = { c, sub };
    expect_same(file_dir, 2, c, in_sub);
    const char *dir_file[] = { sub, b, c };
    expect_same(dir_file, 3, in_sub, c);
    /* another spelling of the path, a symbolic link, a hard link */
    char dotted[600];
    snprintf(dotted, sizeof dotted, "%s/./a.pcap", dir);
    const char *spelled[] = { dotted, a };
    expect_same(spelled, 2, dotted, a);
    ASSERT_EQ_INT(symlink(a, sym), 0);
    const char *linked[] = { b, sym, a };
    expect_same(linked, 3, sym, a);
    ASSERT_EQ_INT(link(b, hard), 0);
    const char *hardl[] = { hard, b };
    expect_same(hardl, 2, hard, b);
    /* a link inside a walked directory to a file of that directory */
    const char *whole[] = { dir };
    char in_dir_b[600], in_dir_hard[600];
    snprintf(in_dir_b, sizeof in_dir_b, "%s (in directory %s)", b, dir);
    snprintf(in_dir_hard, sizeof in_dir_hard, "%s (in directory %s)", hard, dir);
    expect_same(whole, 1, in_dir_b, in_dir_hard);
    /* the first pair in list order is named when several files are given twice */
    const char *two[] = { b, a, sym, hard };
    expect_same(two, 4, a, sym);

    unlink(sym), unlink(hard), unlink(c), unlink(a), unlink(b);
    rmdir(sub);
    rmdir(dir);
}

/* ---------------------------------------------------------------------------------------- */

static iof__source *volatile live_src;

static void on_alarm(int sig)
{
    (void)sig;
    if (live_src)
        iof__source_stop(live_src);
}

static void test_live(void)
{
    char eb[512] = "";
    iof__source *s = NULL;
    int rc = iof__source_open_live(&s, "iofnosuchif0", 128, 0, eb, sizeof eb);
    ASSERT_TRUE(rc < 0);
    ASSERT_TRUE(s == NULL);
    ASSERT_TRUE(strstr(eb, "iofnosuchif0") != NULL);
    printf("  no such interface: %s\n", eb);
    rc = iof__source_open_live(&s, "lo", 128, 64, eb, sizeof eb);
    if (rc < 0) {
        printf("  lo: %s\n", eb);
        if (strstr(eb, "ermission") || strstr(eb, "not permitted"))
            ASSERT_TRUE(strstr(eb, "CAP_NET_RAW") != NULL);
        return;
    }
    ASSERT_EQ_INT(iof__source_set_filter(s, "no such thing"), IOF_E_INVAL);
    ASSERT_EQ_INT(iof__source_set_filter(s, "udp dst port 9"), 0);
    /* a datagram to the discard port on lo */
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_TRUE(sock >= 0);
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timespec t0;
    clock_gettime(CLOCK_REALTIME, &t0);
    ASSERT_EQ_INT(sendto(sock, "iotflow", 7, 0, (struct sockaddr *)&to, sizeof to), 7);
    close(sock);
    /* a signal handler stops the source if nothing arrives (no SA_RESTART, as the CLI does) */
    live_src = s;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    ASSERT_EQ_INT(sigaction(SIGALRM, &sa, &old), 0);
    alarm(5);
    iof__frame f;
    rc = iof__source_next(s, &f);
    ASSERT_EQ_INT(rc, 1);
    ASSERT_EQ_INT(f.linktype, 1); /* Linux lo is DLT_EN10MB */
    ASSERT_EQ_INT(f.wirelen, 14 + 20 + 8 + 7);
    int64_t now_ns = (int64_t)t0.tv_sec * NS + t0.tv_nsec;
    ASSERT_TRUE(f.ts_ns > now_ns - 5 * NS && f.ts_ns < now_ns + 5 * NS);
    /* the next read has nothing to return: the alarm's stop must end it */
    alarm(0);
    alarm(1);
    rc = iof__source_next(s, &f);
    alarm(0);
    sigaction(SIGALRM, &old, NULL);
    ASSERT_EQ_INT(rc, IOF_E_INTERRUPTED);
    iof__src_stats st;
    iof__source_stats(s, &st, NULL);
    ASSERT_TRUE(st.live_stats_ok);
    ASSERT_TRUE(st.ps_recv >= 1);
    ASSERT_EQ_U64(st.frames, 1);
    iof__source_close(s);
    live_src = NULL;
}

static const iof_test tests[] = {
    TEST(test_pcap_modes),
    TEST(test_pcapng_modes),
    TEST(test_pcapng_obsolete_packet_block),
    TEST(test_cut_sweep_pcap),
    TEST(test_cut_sweep_pcapng),
    TEST(test_cut_sweep_gzip),
    TEST(test_gzip_file_multi_member),
    TEST(test_stdin_pipe),
    TEST(test_not_a_capture),
    TEST(test_pcap_damaged_records),
    TEST(test_large_records),
    TEST(test_pcapng_damaged_blocks),
    TEST(test_pcapng_spb_without_idb),
    TEST(test_pcapng_too_many_interfaces),
    TEST(test_timestamps_extreme),
    TEST(test_filter_two_linktypes),
    TEST(test_stop),
    TEST(test_input_list),
    TEST(test_input_list_same_file),
    TEST(test_live),
    { 0 }
};

int main(void)
{
    int rc = iof_test_run(tests);
    free(img);
    return rc;
}
