/* Unit tests of the packet builder (src/synth/pkt.c) and the synthetic generator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iotflow/iotflow.h"
#include "synth/pkt.h"
#include "test.h"

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 1}, mac_b[6] = {0x02, 0, 0, 0, 0, 2};
static const uint8_t ip_a[4] = {192, 168, 1, 10}, ip_b[4] = {8, 8, 8, 8};
static const uint8_t ip6_a[16] = {0xfe, 0x80, [15] = 1}, ip6_b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

/* Sum over a region that includes its checksum field must fold to 0 (stored ~sum). */
static int csum_ok(const uint8_t *p, size_t n, uint64_t extra)
{
    return iof__csum_fold(iof__csum_partial(p, n, extra)) == 0;
}

static uint64_t pseudo4(const uint8_t *ip, unsigned proto, size_t l4len)
{
    return iof__csum_partial(ip + 12, 8, 0) + proto + l4len;
}

static void test_csum_reference(void)
{
    /* RFC 1071 example words: 0001 f203 f4f5 f6f7 -> sum ddf2 (after fold), checksum 220d */
    const uint8_t d[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    ASSERT_EQ_INT(iof__csum_fold(iof__csum_partial(d, 8, 0)), 0x220d);
    /* long buffers: native fast path equals the byte-wise definition */
    uint8_t big[1001];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 37 + 11);
    uint64_t ref = 0;
    for (size_t i = 0; i + 1 < sizeof big; i += 2)
        ref += (uint64_t)big[i] << 8 | big[i + 1];
    ref += (uint64_t)big[1000] << 8;
    for (size_t n = 0; n <= sizeof big; n += 7) {
        uint64_t r = 0;
        for (size_t i = 0; i + 1 < n; i += 2)
            r += (uint64_t)big[i] << 8 | big[i + 1];
        if (n & 1)
            r += (uint64_t)big[n - 1] << 8;
        ASSERT_EQ_INT(iof__csum_fold(iof__csum_partial(big, n, 0)), iof__csum_fold(r));
    }
    ASSERT_EQ_INT(iof__csum_fold(iof__csum_partial(big, sizeof big, 0)), iof__csum_fold(ref));
}

static void test_pkt_tcp4(void)
{
    uint8_t buf[2048];
    const uint8_t pl[] = "GET / HTTP/1.1\r\n\r\n";
    iof_pktspec s = {.src_mac = mac_a, .dst_mac = mac_b, .ipver = 4, .src_ip = ip_a,
                     .dst_ip = ip_b, .ttl = 64, .ip_id = 7, .proto = 6, .sport = 40000,
                     .dport = 80, .tcp_flags = IOF_TCP_PSH | IOF_TCP_ACK, .seq = 1000, .ack = 2000,
                     .win = 502, .payload = pl, .payload_len = sizeof pl - 1};
    size_t n = iof__pkt_build(buf, sizeof buf, &s);
    ASSERT_EQ_INT(n, 14 + 20 + 20 + sizeof pl - 1);
    ASSERT_EQ_INT(be16(buf + 12), 0x0800);
    ASSERT_TRUE(csum_ok(buf + 14, 20, 0));
    ASSERT_EQ_INT(be16(buf + 16), 20 + 20 + sizeof pl - 1);
    size_t l4 = 20 + sizeof pl - 1;
    ASSERT_TRUE(csum_ok(buf + 34, l4, pseudo4(buf + 14, 6, l4)));
    ASSERT_EQ_INT(be16(buf + 34), 40000);
    ASSERT_EQ_INT(buf[34 + 13], 0x18);
    ASSERT_EQ_INT(iof__pkt_build(buf, n - 1, &s), 0);
}

static void test_pkt_udp_vlan_pad(void)
{
    uint8_t buf[256];
    const uint8_t pl[3] = {1, 2, 3};
    iof_pktspec s = {.src_mac = mac_a, .dst_mac = mac_b, .vlan = {100, 200}, .n_vlan = 2,
                     .ipver = 4, .src_ip = ip_a, .dst_ip = ip_b, .ttl = 64, .proto = 17,
                     .sport = 5353, .dport = 5353, .payload = pl, .payload_len = 3};
    size_t n = iof__pkt_build(buf, sizeof buf, &s);
    ASSERT_EQ_INT(n, 22 + 20 + 8 + 3); /* 53: not padded? 53 < 60 -> padded */
}

static void test_pkt_udp_vlan_pad_real(void)
{
    uint8_t buf[256];
    const uint8_t pl[3] = {1, 2, 3};
    iof_pktspec s = {.src_mac = mac_a, .dst_mac = mac_b, .vlan = {100, 200}, .n_vlan = 2,
                     .ipver = 4, .src_ip = ip_a, .dst_ip = ip_b, .ttl = 64, .proto = 17,
                     .sport = 5353, .dport = 5353, .payload = pl, .payload_len = 3};
    size_t n = iof__pkt_build(buf, sizeof buf, &s);
    ASSERT_EQ_INT(n, 60);
    ASSERT_EQ_INT(be16(buf + 12), 0x88a8);
    ASSERT_EQ_INT(be16(buf + 14), 100);
    ASSERT_EQ_INT(be16(buf + 16), 0x8100);
    ASSERT_EQ_INT(be16(buf + 18), 200);
    ASSERT_EQ_INT(be16(buf + 20), 0x0800);
    ASSERT_EQ_INT(be16(buf + 24), 31);
    ASSERT_TRUE(csum_ok(buf + 42, 11, pseudo4(buf + 22, 17, 11)));
    ASSERT_EQ_INT(buf[53], 0);
    s.n_vlan = 1;
    n = iof__pkt_build(buf, sizeof buf, &s);
    ASSERT_EQ_INT(be16(buf + 12), 0x8100);
    ASSERT_EQ_INT(be16(buf + 16), 0x0800);
}

static void test_pkt_icmp6_igmp_arp(void)
{
    uint8_t buf[256];
    const uint8_t pl[5] = {9, 8, 7, 6, 5};
    iof_pktspec s = {.src_mac = mac_a, .dst_mac = mac_b, .ipver = 6, .src_ip = ip6_a,
                     .dst_ip = ip6_b, .ttl = 255, .proto = 58, .icmp_type = 128, .sport = 1,
                     .dport = 2, .payload = pl, .payload_len = 5};
    size_t n = iof__pkt_build(buf, sizeof buf, &s);
    ASSERT_EQ_INT(n, 14 + 40 + 8 + 5);
    ASSERT_EQ_INT(be16(buf + 12), 0x86dd);
    ASSERT_EQ_INT(be16(buf + 18), 13);
    uint64_t ph = iof__csum_partial(buf + 22, 32, 0) + 58 + 13;
    ASSERT_TRUE(csum_ok(buf + 54, 13, ph));
    ASSERT_EQ_INT(be16(buf + 58), 1);
    /* IGMPv2 report */
    const uint8_t ig[8] = {0x16, 0, 0xaa, 0xbb, 239, 255, 255, 250};
    const uint8_t grp[4] = {239, 255, 255, 250};
    iof_pktspec g = {.src_mac = mac_a, .dst_mac = mac_b, .ipver = 4, .src_ip = ip_a,
                     .dst_ip = grp, .ttl = 1, .proto = 2, .payload = ig, .payload_len = 8};
    n = iof__pkt_build(buf, sizeof buf, &g);
    ASSERT_EQ_INT(n, 60);
    ASSERT_TRUE(csum_ok(buf + 34, 8, 0));
    ASSERT_EQ_INT(buf[34], 0x16);
    /* ARP */
    const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, z[6] = {0};
    n = iof__pkt_build_arp(buf, sizeof buf, bc, 1, mac_a, ip_a, z, ip_b);
    ASSERT_EQ_INT(n, 60);
    ASSERT_EQ_INT(be16(buf + 12), 0x0806);
    ASSERT_EQ_INT(be16(buf + 20), 1);
    ASSERT_EQ_MEM(buf + 28, ip_a, 4);
}

static const iof_test tests[] = {
    TEST(test_csum_reference), TEST(test_pkt_tcp4), TEST(test_pkt_udp_vlan_pad_real),
    TEST(test_pkt_icmp6_igmp_arp), {0}};

int main(void) { (void)test_pkt_udp_vlan_pad; return iof_test_run(tests); }
