/* Corpus test for src/decode: every capture under $IOF_SHARED/corpus (default /work/shared;
 * recursive; .gz and non-captures skipped; files libpcap refuses skipped with a message) is
 * read with libpcap and every frame decoded. Invariants are asserted per packet, a table of
 * drop reasons / notes is printed, and for a few IoT captures the per-packet (src ip, dst ip,
 * proto, ports) is cross-checked against tshark (skipped with a message when tshark is
 * missing). libpcap is fine here (tests only; the product reads files with its own reader).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "decode/decode.h"
#include "decode/frag.h"
#include "test.h"

#define MAX_FILES 1024
#define TSHARK_FILES 5
#define TSHARK_MAX_PKTS 30000

static char *files[MAX_FILES];
static int nfiles;

static uint64_t tot_drops[IOF_DROP__COUNT];
static uint64_t tot_notes[IOF_NOTE__COUNT];
static uint64_t tot_pkts, tot_files_read, tot_files_skipped;
static uint64_t tot_frag_resolved, tot_frag_orphans;

static bool is_capture(const char *path)
{
    size_t n = strlen(path);
    if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
        return false;
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    unsigned char m[4] = { 0 };
    size_t got = fread(m, 1, 4, f);
    fclose(f);
    if (got != 4)
        return false;
    uint32_t be = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
    return be == 0xa1b2c3d4 || be == 0xd4c3b2a1 || be == 0xa1b23c4d || be == 0x4d3cb2a1 ||
           be == 0x0a0d0d0a;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir, int depth)
{
    if (depth > 8)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && nfiles < MAX_FILES) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(len);
        if (!path)
            break;
        snprintf(path, len, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            walk(path, depth + 1);
            free(path);
        } else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && is_capture(path)) {
            files[nfiles++] = path;
        } else {
            free(path);
        }
    }
    closedir(d);
}

static const char *corpus_dir(void)
{
    static char buf[4096];
    const char *s = getenv("IOF_SHARED");
    snprintf(buf, sizeof buf, "%s/corpus", s && *s ? s : "/work/shared");
    return buf;
}

static void collect(void)
{
    if (nfiles)
        return;
    walk(corpus_dir(), 0);
    qsort(files, (size_t)nfiles, sizeof files[0], cmp_str);
}

/* Same invariants as tests/fuzz/fuzz_decode.c. Returns a description of the first violated
 * one, or NULL. */
static const char *violated(const iof__pkt *p, iof__drop d, uint32_t caplen_in)
{
    if ((unsigned)d >= IOF_DROP__COUNT) return "reason out of range";
    if (p->caplen > p->wirelen) return "caplen > wirelen";
    if (p->caplen > caplen_in) return "caplen grew";
    if ((uint64_t)p->payload_off + p->payload_caplen > p->caplen) return "payload beyond caplen";
    if (p->l3_off > p->caplen || p->l4_off > p->caplen) return "offset beyond caplen";
    if ((p->notes >> IOF_NOTE__COUNT) != 0) return "unknown note bit";
    if ((p->flags & IOF_PKT_HAS_PORTS) && d != IOF_DROP_OK) return "ports on a dropped packet";
    if (d != IOF_DROP_OK) return NULL;
    if (p->ipver != 4 && p->ipver != 6) return "OK without IP";
    if ((uint64_t)p->l3_off + p->ip_len > p->wirelen) return "ip_len beyond wire";
    if (p->payload_caplen > p->payload_len) return "payload_caplen > payload_len";
    if ((uint64_t)p->payload_len + p->l4_hlen + (p->l4_off - p->l3_off) > p->ip_len) return "payload beyond datagram";
    bool later = (p->flags & IOF_PKT_FRAGMENT) && !(p->flags & IOF_PKT_FIRST_FRAG);
    if (later && (p->flags & IOF_PKT_HAS_PORTS)) return "later fragment with ports";
    if (!later && (p->proto == 6 || p->proto == 17) && !(p->flags & IOF_PKT_HAS_PORTS))
        return "OK TCP/UDP without ports";
    return NULL;
}

static pcap_t *open_file(const char *path, char *errbuf)
{
    return pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
}

static void test_corpus_invariants(void)
{
    collect();
    if (nfiles == 0) {
        printf("  SKIPPED: no captures under %s\n", corpus_dir());
        return;
    }
    int bad = 0;
    for (int i = 0; i < nfiles; i++) {
        char errbuf[PCAP_ERRBUF_SIZE];
        pcap_t *pc = open_file(files[i], errbuf);
        if (!pc) {
            tot_files_skipped++;
            printf("  skip (libpcap: %s): %s\n", errbuf, files[i] + strlen(corpus_dir()) + 1);
            continue;
        }
        tot_files_read++;
        uint32_t lt = (uint32_t)pcap_datalink(pc);
        iof__fragtab *ft = iof__fragtab_create(1024, 30LL * 1000000000);
        ASSERT_TRUE(ft != NULL);
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc;
        uint64_t n = 0;
        while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
            /* exactly-sized copy: ASan catches reads past caplen */
            uint8_t *copy = malloc(h->caplen ? h->caplen : 1);
            ASSERT_TRUE(copy != NULL);
            memcpy(copy, data, h->caplen);
            int64_t ts = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
            iof__pkt p;
            iof__drop d = iof__decode(&p, lt, copy, h->caplen, h->len, ts);
            const char *why = violated(&p, d, h->caplen);
            if (why) {
                if (bad < 20)
                    fprintf(stderr, "  %s pkt %llu: %s (reason %s)\n", files[i],
                            (unsigned long long)n + 1, why, iof__drop_name(d));
                bad++;
            }
            volatile uint32_t sink = 0;
            for (uint32_t k = 0; k < p.payload_caplen; k++)
                sink += p.data[p.payload_off + k];
            (void)sink;
            if (d == IOF_DROP_OK) {
                iof__drop fd = iof__fragtab_resolve(ft, &p);
                if (fd == IOF_DROP_FRAG_ORPHAN)
                    d = fd;
                else if ((p.flags & IOF_PKT_FRAGMENT) && !(p.flags & IOF_PKT_FIRST_FRAG) &&
                         (p.flags & IOF_PKT_HAS_PORTS))
                    tot_frag_resolved++;
            }
            tot_drops[d]++;
            for (unsigned b = 0; b < IOF_NOTE__COUNT; b++)
                if (p.notes >> b & 1)
                    tot_notes[b]++;
            free(copy);
            n++;
        }
        iof__fragtab_stats st;
        iof__fragtab_get_stats(ft, &st);
        tot_frag_orphans += st.orphans;
        if (st.orphans)
            printf("  fragment orphans: %llu in %s (inserted %llu, resolved %llu)\n",
                   (unsigned long long)st.orphans, files[i] + strlen(corpus_dir()) + 1,
                   (unsigned long long)st.inserted, (unsigned long long)st.resolved);
        iof__fragtab_destroy(ft);
        tot_pkts += n;
        pcap_close(pc);
    }
    printf("  files read: %llu, skipped by libpcap: %llu, packets: %llu\n",
           (unsigned long long)tot_files_read, (unsigned long long)tot_files_skipped,
           (unsigned long long)tot_pkts);
    printf("  %-26s %10s\n", "drop reason", "packets");
    for (int i = 0; i < IOF_DROP__COUNT; i++)
        if (tot_drops[i])
            printf("  %-26s %10llu\n", iof__drop_name((iof__drop)i), (unsigned long long)tot_drops[i]);
    printf("  %-26s %10s\n", "note", "packets");
    for (unsigned i = 0; i < IOF_NOTE__COUNT; i++)
        if (tot_notes[i])
            printf("  %-26s %10llu\n", iof__note_name(i), (unsigned long long)tot_notes[i]);
    printf("  fragments: later fragments resolved %llu, orphans %llu\n",
           (unsigned long long)tot_frag_resolved, (unsigned long long)tot_frag_orphans);
    ASSERT_EQ_INT(bad, 0);
    ASSERT_TRUE(tot_pkts > 0);
    ASSERT_TRUE(tot_drops[IOF_DROP_OK] > tot_pkts / 2);
}

/* ------------------------------------------------------------------ tshark cross-check */

typedef struct {
    bool has4, has6;
    uint8_t src4[4], dst4[4], src6[16], dst6[16];
    int proto;
    long tsp, tdp, usp, udp_;
} tsh_row;

/* Splits a tab-separated line in place. */
static int split_tabs(char *s, char **f, int max)
{
    int n = 0;
    f[n++] = s;
    for (char *p = s; *p && n < max; p++)
        if (*p == '\t') {
            *p = 0;
            f[n++] = p + 1;
        }
    for (int i = 0; i < n; i++) {
        size_t l = strlen(f[i]);
        while (l && (f[i][l - 1] == '\n' || f[i][l - 1] == '\r'))
            f[i][--l] = 0;
    }
    return n;
}

static long num_or(const char *s, long dflt) { return *s ? strtol(s, NULL, 10) : dflt; }

static bool tshark_available(void)
{
    return system("command -v tshark >/dev/null 2>&1") == 0;
}

/* Compares one file; returns mismatches, adds compared packets to *compared. `strict`: a frame
 * tshark dissects as IPv4/IPv6 must not be dropped for any reason. */
static int cross_check(const char *path, uint64_t *compared, bool strict)
{
    if (strchr(path, '\'')) return 0;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "tshark -n -r '%s' -c %d -T fields -E separator=/t -E occurrence=f "
             "-e frame.number -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e ip.proto "
             "-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport 2>/dev/null",
             path, TSHARK_MAX_PKTS);
    FILE *ts = popen(cmd, "r");
    if (!ts)
        return 0;
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pc = open_file(path, errbuf);
    if (!pc) {
        pclose(ts);
        return 0;
    }
    uint32_t lt = (uint32_t)pcap_datalink(pc);
    int mism = 0;
    char line[4096];
    struct pcap_pkthdr *h;
    const u_char *data;
    long frame = 0;
    while (fgets(line, sizeof line, ts)) {
        char *f[10];
        if (split_tabs(line, f, 10) < 10)
            continue;
        long want = strtol(f[0], NULL, 10);
        int rc = 0;
        while (frame < want && (rc = pcap_next_ex(pc, &h, &data)) == 1)
            frame++;
        if (frame != want)
            break;
        iof__pkt p;
        iof__drop d = iof__decode(&p, lt, data, h->caplen, h->len, 0);
        tsh_row r = { 0 };
        r.has4 = *f[1] && inet_pton(AF_INET, f[1], r.src4) == 1 && inet_pton(AF_INET, f[2], r.dst4) == 1;
        r.has6 = *f[3] && inet_pton(AF_INET6, f[3], r.src6) == 1 && inet_pton(AF_INET6, f[4], r.dst6) == 1;
        r.proto = (int)num_or(f[5], -1);
        r.tsp = num_or(f[6], -1);
        r.tdp = num_or(f[7], -1);
        r.usp = num_or(f[8], -1);
        r.udp_ = num_or(f[9], -1);
        if (d != IOF_DROP_OK) {
            /* tshark saw an IPv4/IPv6 header with ports that we dropped: only acceptable for
             * a reason that says the packet is damaged or cut */
            if ((r.has4 || r.has6) &&
                (strict || ((r.tsp >= 0 || r.usp >= 0) &&
                            (d == IOF_DROP_NOT_IP || d == IOF_DROP_LINKTYPE_UNSUPPORTED ||
                             d == IOF_DROP_ARP)))) {
                if (mism < 10)
                    fprintf(stderr, "  %s frame %ld: tshark has IP+ports, we: %s\n", path, want,
                            iof__drop_name(d));
                mism++;
            }
            continue;
        }
        bool ok = true;
        if (p.ipver == 4 && r.has4)
            ok = memcmp(p.src_ip, r.src4, 4) == 0 && memcmp(p.dst_ip, r.dst4, 4) == 0;
        else if (p.ipver == 6 && r.has6 && !r.has4)
            ok = memcmp(p.src_ip, r.src6, 16) == 0 && memcmp(p.dst_ip, r.dst6, 16) == 0;
        else if (p.ipver == 4 || !r.has6)
            ok = false; /* we found IP where tshark did not (or another version) */
        if (ok && p.ipver == 4 && r.proto >= 0 && r.proto != p.proto)
            ok = false;
        if (ok && (p.flags & IOF_PKT_HAS_PORTS)) {
            long sp = p.proto == 6 ? r.tsp : r.usp, dp = p.proto == 6 ? r.tdp : r.udp_;
            if (sp >= 0 && (sp != p.sport || dp != p.dport))
                ok = false;
        }
        (*compared)++;
        if (!ok) {
            if (mism < 10)
                fprintf(stderr, "  %s frame %ld: tshark [%s %s %s %s proto %s tcp %s/%s udp %s/%s] "
                                "vs ours ipver %u proto %u ports %u/%u\n",
                        path, want, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], p.ipver,
                        p.proto, p.sport, p.dport);
            mism++;
        }
    }
    pclose(ts);
    pcap_close(pc);
    return mism;
}

static void test_tshark_cross_check(void)
{
    collect();
    if (!tshark_available()) {
        printf("  SKIPPED: tshark not found\n");
        return;
    }
    int done = 0, mism = 0;
    uint64_t compared = 0;
    for (int i = 0; i < nfiles && done < TSHARK_FILES; i++) {
        const char *base = strrchr(files[i], '/');
        base = base ? base + 1 : files[i];
        if (strncmp(base, "iot__", 5) != 0)
            continue;
        char errbuf[PCAP_ERRBUF_SIZE];
        pcap_t *pc = open_file(files[i], errbuf);
        if (!pc)
            continue;
        pcap_close(pc);
        uint64_t before = compared;
        int m = cross_check(files[i], &compared, false);
        printf("  tshark vs decode: %s: %llu packets compared, %d mismatches\n", base,
               (unsigned long long)(compared - before), m);
        mism += m;
        done++;
    }
    if (done == 0)
        printf("  SKIPPED: no iot__ captures found\n");
    ASSERT_EQ_INT(mism, 0);
}

/* ------------------------------------------------------------------ later link types */

/* Captures of the link types and encapsulations added after the first release (NFLOG, MPLS):
 * exact counts per file, and with tshark the same addresses, protocol and ports for every
 * frame, none of which may be dropped when tshark dissects it as IP. */
static const struct {
    const char *file;  /* under the corpus directory */
    uint64_t packets;
    uint64_t ok;       /* decoded */
    iof__drop other;    /* the reason of every other frame */
    uint64_t mpls;     /* frames noted mpls.labelled */
    uint64_t src_mac;  /* decoded frames with a source MAC */
    bool tshark;       /* compare with tshark (well-formed files) */
} added[] = {
    /* 4 DNS answers logged on INPUT: NFULA_HWADDR holds the upstream router's MAC */
    { "linktype-nflog__tcpdump__nflog.pcap", 4, 4, IOF_DROP_OK, 0, 4, true },
    /* first TLV: 256 bytes read little-endian, 1 byte big-endian, in a 12-byte frame */
    { "malformed/pkt__zeek-nflog-bad-tlv__nflog-bad-tlv-len.pcap", 1, 0, IOF_DROP_NFLOG_TLV_INVALID,
      0, 0, false },
    /* 802.1Q tag, then one label on frames 2 and 3 (frame 1 is plain IPv4 in the tag) */
    { "mpls__zeek-mpls-in-vlan__mpls-in-vlan.pcap", 3, 3, IOF_DROP_OK, 2, 3, true },
    /* one label, then an IPv4 header claiming 60 bytes of which 42 are captured */
    { "malformed/pkt__pcpp-ip4-bad-fragment__ip4_bad_fragment.pcap", 1, 0, IOF_DROP_IPV4_TRUNCATED,
      1, 0, false },
};

static void test_added_link_types(void)
{
    bool tshark = tshark_available();
    if (!tshark)
        printf("  tshark not found: counts only\n");
    int found = 0;
    for (size_t i = 0; i < sizeof added / sizeof added[0]; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", corpus_dir(), added[i].file);
        char errbuf[PCAP_ERRBUF_SIZE];
        pcap_t *pc = open_file(path, errbuf);
        if (!pc) {
            printf("  SKIPPED %s: %s\n", added[i].file, errbuf);
            continue;
        }
        found++;
        uint32_t lt = (uint32_t)pcap_datalink(pc);
        uint64_t n = 0, ok = 0, other = 0, mpls = 0, mac = 0;
        struct pcap_pkthdr *h;
        const u_char *data;
        while (pcap_next_ex(pc, &h, &data) == 1) {
            uint8_t *copy = malloc(h->caplen ? h->caplen : 1);
            ASSERT_TRUE(copy != NULL);
            memcpy(copy, data, h->caplen);
            iof__pkt p;
            iof__drop d = iof__decode(&p, lt, copy, h->caplen, h->len, 0);
            free(copy);
            const char *why = violated(&p, d, h->caplen);
            if (why)
                fprintf(stderr, "  %s pkt %llu: %s\n", added[i].file, (unsigned long long)n + 1, why);
            ASSERT_TRUE(why == NULL);
            n++;
            ok += d == IOF_DROP_OK;
            other += d != IOF_DROP_OK && d == added[i].other;
            mpls += (p.notes & IOF_NOTE(MPLS)) != 0;
            mac += d == IOF_DROP_OK && (p.flags & IOF_PKT_HAS_SRC_MAC);
        }
        pcap_close(pc);
        uint64_t compared = 0;
        int mism = added[i].tshark && tshark ? cross_check(path, &compared, true) : 0;
        printf("  %s: %llu packets, %llu decoded, %llu %s, %llu mpls.labelled, %llu with a source "
               "MAC; tshark: %llu compared, %d mismatches\n", added[i].file, (unsigned long long)n,
               (unsigned long long)ok, (unsigned long long)other, iof__drop_name(added[i].other),
               (unsigned long long)mpls, (unsigned long long)mac, (unsigned long long)compared, mism);
        ASSERT_EQ_U64(n, added[i].packets);
        ASSERT_EQ_U64(ok, added[i].ok);
        ASSERT_EQ_U64(ok + other, n);
        ASSERT_EQ_U64(mpls, added[i].mpls);
        ASSERT_EQ_U64(mac, added[i].src_mac);
        ASSERT_EQ_INT(mism, 0);
        if (added[i].tshark && tshark)
            ASSERT_EQ_U64(compared, added[i].packets);
    }
    if (found == 0)
        printf("  SKIPPED: none of the files under %s\n", corpus_dir());
}

/* Rough decode throughput on one in-memory capture (meaningful only in a release build). */
static void test_decode_rate(void)
{
    collect();
    const char *pick = NULL;
    for (int i = 0; i < nfiles && !pick; i++)
        if (strstr(files[i], "iot__xiaodu") || strstr(files[i], "iot__blink"))
            pick = files[i];
    if (!pick) {
        printf("  SKIPPED: no capture to time\n");
        return;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pc = open_file(pick, errbuf);
    ASSERT_TRUE(pc != NULL);
    uint32_t lt = (uint32_t)pcap_datalink(pc);
    enum { MAXP = 40000 };
    static uint8_t *bufs[MAXP];
    static uint32_t caps[MAXP], lens[MAXP];
    int n = 0;
    struct pcap_pkthdr *h;
    const u_char *data;
    while (n < MAXP && pcap_next_ex(pc, &h, &data) == 1) {
        bufs[n] = malloc(h->caplen ? h->caplen : 1);
        ASSERT_TRUE(bufs[n] != NULL);
        memcpy(bufs[n], data, h->caplen);
        caps[n] = h->caplen;
        lens[n] = h->len;
        n++;
    }
    pcap_close(pc);
    struct timespec a, b;
    uint64_t okc = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    const int rounds = 20;
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < n; i++) {
            iof__pkt p;
            okc += iof__decode(&p, lt, bufs[i], caps[i], lens[i], i) == IOF_DROP_OK;
        }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("  decode rate: %.1f M packets/s (%d packets x %d, %llu OK; sanitizer builds are slow)\n",
           (double)n * rounds / (s > 0 ? s : 1e-9) / 1e6, n, rounds, (unsigned long long)okc);
    for (int i = 0; i < n; i++)
        free(bufs[i]);
}

static const iof_test tests[] = {
    TEST(test_corpus_invariants),
    TEST(test_tshark_cross_check),
    TEST(test_added_link_types),
    TEST(test_decode_rate),
    { 0 },
};

int main(void)
{
    int rc = iof_test_run(tests);
    for (int i = 0; i < nfiles; i++)
        free(files[i]);
    return rc;
}
