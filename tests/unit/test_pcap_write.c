/* Writer tests: every mode is read back with libpcap (an independent reader), byte layout
 * spot checks, and write errors (/dev/full) reported as IOF_E_OUTPUT. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/pcap_write.h"
#include "common/err.h"
#include "test.h"

#define N_FRAMES 40

static char tmp_path[64];

static FILE *tmp_open(void)
{
    strcpy(tmp_path, "/tmp/iof_pcapw_XXXXXX");
    int fd = mkstemp(tmp_path);
    ASSERT_TRUE(fd >= 0);
    FILE *fp = fdopen(fd, "w+b");
    ASSERT_TRUE(fp != NULL);
    return fp;
}

static void frame_bytes(int i, uint8_t *buf, uint32_t *caplen, uint32_t *wirelen)
{
    *caplen = (uint32_t)(i * 7 % 90);          /* includes 0 and sizes not multiple of 4 */
    *wirelen = *caplen + (uint32_t)(i % 3) * 100;
    for (uint32_t k = 0; k < *caplen; k++)
        buf[k] = (uint8_t)(i * 31 + (int)k);
}

static int64_t frame_ts(int i) { return 1700000000LL * 1000000000LL + (int64_t)i * 1234567891LL; }

/* Writes N_FRAMES with the given options and checks them with pcap_open_offline. */
static void roundtrip_libpcap(bool pcapng, bool ns, bool be)
{
    FILE *fp = tmp_open();
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .pcapng = pcapng, .nanosecond = ns, .big_endian = be, .linktype = 1 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, fp, &o), 0);
    int second = -1;
    if (pcapng) {
        second = iof__pcapw_add_interface(w, 1, !ns);
        ASSERT_EQ_INT(second, 1);
    }
    uint8_t buf[128];
    for (int i = 0; i < N_FRAMES; i++) {
        uint32_t cl, wl;
        frame_bytes(i, buf, &cl, &wl);
        uint32_t ifx = (pcapng && (i & 1)) ? 1u : 0u;
        ASSERT_EQ_INT(iof__pcapw_write(w, ifx, frame_ts(i), buf, cl, wl), 0);
    }
    ASSERT_EQ_INT(iof__pcapw_close(w), 0);
    ASSERT_EQ_INT(fclose(fp), 0);

    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(tmp_path, PCAP_TSTAMP_PRECISION_NANO, eb);
    if (!p)
        fprintf(stderr, "  libpcap: %s\n", eb);
    ASSERT_TRUE(p != NULL);
    ASSERT_EQ_INT(pcap_datalink(p), 1);
    struct pcap_pkthdr *h;
    const u_char *d;
    for (int i = 0; i < N_FRAMES; i++) {
        ASSERT_EQ_INT(pcap_next_ex(p, &h, &d), 1);
        uint32_t cl, wl;
        frame_bytes(i, buf, &cl, &wl);
        ASSERT_EQ_INT(h->caplen, cl);
        ASSERT_EQ_INT(h->len, wl);
        ASSERT_EQ_MEM(d, buf, cl);
        int64_t want = frame_ts(i);
        bool frame_ns = pcapng ? ((i & 1) ? !ns : ns) : ns;
        if (!frame_ns)
            want = want / 1000 * 1000;
        ASSERT_EQ_INT((int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec, want);
    }
    ASSERT_EQ_INT(pcap_next_ex(p, &h, &d), PCAP_ERROR_BREAK);
    pcap_close(p);
    unlink(tmp_path);
}

static void test_pcap_us_le(void) { roundtrip_libpcap(false, false, false); }
static void test_pcap_ns_le(void) { roundtrip_libpcap(false, true, false); }
static void test_pcap_us_be(void) { roundtrip_libpcap(false, false, true); }
static void test_pcap_ns_be(void) { roundtrip_libpcap(false, true, true); }
static void test_pcapng_le(void) { roundtrip_libpcap(true, false, false); }
static void test_pcapng_be(void) { roundtrip_libpcap(true, true, true); }

static void test_pcap_header_bytes(void)
{
    FILE *fp = tmp_open();
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .nanosecond = true, .big_endian = true, .linktype = 101, .snaplen = 0 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, fp, &o), 0);
    const uint8_t d[3] = { 1, 2, 3 };
    ASSERT_EQ_INT(iof__pcapw_write(w, 0, 5000000007LL, d, 3, 60), 0);
    ASSERT_EQ_INT(iof__pcapw_close(w), 0);
    ASSERT_EQ_INT(fseek(fp, 0, SEEK_SET), 0);
    uint8_t got[64];
    ASSERT_EQ_INT(fread(got, 1, sizeof got, fp), 24 + 16 + 3);
    const uint8_t want[] = { 0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
                             0, 4, 0, 0, 0, 0, 0, 101, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 3,
                             0, 0, 0, 60, 1, 2, 3 };
    ASSERT_EQ_MEM(got, want, sizeof want);
    fclose(fp);
    unlink(tmp_path);
}

static void test_pcapng_block_layout(void)
{
    FILE *fp = tmp_open();
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .pcapng = true, .linktype = 1 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, fp, &o), 0);
    const uint8_t d[5] = { 9, 8, 7, 6, 5 };
    ASSERT_EQ_INT(iof__pcapw_write(w, 0, 1000000LL, d, 5, 5), 0);
    ASSERT_EQ_INT(iof__pcapw_close(w), 0);
    long size = ftell(fp);
    /* SHB 28 + IDB 20 (no options) + EPB 32 + 8 (5 bytes padded) */
    ASSERT_EQ_INT(size, 28 + 20 + 40);
    ASSERT_EQ_INT(fseek(fp, 48, SEEK_SET), 0);
    uint8_t epb[40];
    ASSERT_EQ_INT(fread(epb, 1, sizeof epb, fp), 40);
    ASSERT_EQ_INT(epb[0], 6);
    ASSERT_EQ_INT(epb[4], 40);
    ASSERT_EQ_INT(epb[16], 0xe8); /* 1000 us = 0x3e8 */
    ASSERT_EQ_INT(epb[17], 0x03);
    ASSERT_EQ_INT(epb[36], 40);
    fclose(fp);
    unlink(tmp_path);
}

static void test_invalid_args(void)
{
    FILE *fp = tmp_open();
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .linktype = 1 };
    ASSERT_EQ_INT(iof__pcapw_open(&w, fp, &o), 0);
    const uint8_t d[1] = { 0 };
    ASSERT_EQ_INT(iof__pcapw_add_interface(w, 1, false), IOF_E_INVAL); /* pcap: no IDBs */
    ASSERT_EQ_INT(iof__pcapw_write(w, 1, 0, d, 1, 1), IOF_E_INVAL);
    ASSERT_EQ_INT(iof__pcapw_write(w, 0, -1, d, 1, 1), IOF_E_INVAL);
    ASSERT_EQ_INT(iof__pcapw_write(w, 0, (INT64_C(1) << 32) * 1000000000, d, 1, 1), IOF_E_INVAL);
    ASSERT_EQ_INT(iof__pcapw_close(w), 0);
    fclose(fp);
    unlink(tmp_path);
    ASSERT_EQ_INT(iof__pcapw_close(NULL), 0);
}

static void test_write_error_dev_full(void)
{
    FILE *fp = fopen("/dev/full", "wb");
    if (!fp) {
        printf("  (skipped: /dev/full not available)\n");
        return;
    }
    setvbuf(fp, NULL, _IOFBF, 4096);
    iof__pcapw *w = NULL;
    iof__pcapw_opts o = { .pcapng = true, .linktype = 1 };
    int rc = iof__pcapw_open(&w, fp, &o);
    uint8_t buf[1500] = { 0 };
    for (int i = 0; rc == 0 && i < 100; i++)
        rc = iof__pcapw_write(w, 0, 0, buf, sizeof buf, sizeof buf);
    /* Either a write already failed, or the final flush must. */
    if (rc == 0)
        rc = iof__pcapw_close(w);
    else
        ASSERT_EQ_INT(iof__pcapw_close(w), IOF_E_OUTPUT);
    ASSERT_EQ_INT(rc, IOF_E_OUTPUT);
    fclose(fp);
}

static const iof_test tests[] = {
    TEST(test_pcap_us_le), TEST(test_pcap_ns_le), TEST(test_pcap_us_be), TEST(test_pcap_ns_be),
    TEST(test_pcapng_le), TEST(test_pcapng_be), TEST(test_pcap_header_bytes),
    TEST(test_pcapng_block_layout), TEST(test_invalid_args), TEST(test_write_error_dev_full),
    { 0 }
};

int main(void) { return iof_test_run(tests); }
