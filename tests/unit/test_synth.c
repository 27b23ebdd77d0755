/* Unit tests of the packet builder (src/synth/pkt.c) and the synthetic generator. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iotflow/iotflow.h"
#include "labels/rules.h"
#include "synth/pkt.h"
#include "synth/proto.h"
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
    iof__pktspec s = {.src_mac = mac_a, .dst_mac = mac_b, .ipver = 4, .src_ip = ip_a,
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

static void test_pkt_udp_vlan_pad_real(void)
{
    uint8_t buf[256];
    const uint8_t pl[3] = {1, 2, 3};
    iof__pktspec s = {.src_mac = mac_a, .dst_mac = mac_b, .vlan = {100, 200}, .n_vlan = 2,
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
    iof__pktspec s = {.src_mac = mac_a, .dst_mac = mac_b, .ipver = 6, .src_ip = ip6_a,
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
    iof__pktspec g = {.src_mac = mac_a, .dst_mac = mac_b, .ipver = 4, .src_ip = ip_a,
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

/* ---- generator ---------------------------------------------------------------------- */
/* Entries of dir that are temporary files of iof__outfile (".NAME.tmp.PID.RAND"). */
static int temp_files(const char *dir)
{
    DIR *dp = opendir(dir);
    int n = 0;
    if (!dp)
        return 0;
    for (struct dirent *e; (e = readdir(dp));)
        n += e->d_name[0] == '.' && strstr(e->d_name, ".tmp.") != NULL;
    closedir(dp);
    return n;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long sz = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *b = malloc((size_t)sz + 1);
    if (b && fread(b, 1, (size_t)sz, fp) != (size_t)sz) {
        free(b);
        b = NULL;
    }
    fclose(fp);
    if (b) {
        b[sz] = 0;
        *n = (size_t)sz;
    }
    return b;
}

static const char *const files[] = {"capture.pcap", "devices.csv", "sensors.csv", "events.csv",
                                    "truth.csv",    "labels.rules"};

/* Removes a run's files and its directory. */
static void rm_run(const char *dir)
{
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void run_synth(const char *dir, uint64_t seed, double ratio, iof_synth_stats *st)
{
    iof_synth_config c;
    char err[256];
    iof_synth_config_init(&c);
    c.output_dir = dir;
    c.seed = seed;
    c.duration_s = 300;
    c.attack_ratio = ratio;
    c.stats = st;
    ASSERT_EQ_INT(iof_synth_run(&c, err, sizeof err), IOF_OK);
}

static void test_synth_config_errors(void)
{
    iof_synth_config c;
    char err[256];
    iof_synth_config_init(&c);
    ASSERT_EQ_INT(c.devices, 0); /* the profile's default */
    ASSERT_EQ_INT(c.profile, IOF_SYNTH_HOME);
    ASSERT_EQ_INT(iof_synth_run(&c, err, sizeof err), IOF_E_INVAL); /* no output dir */
    c.output_dir = "/dev/null/sub"; /* parent is not a directory */
    c.devices = 101;
    ASSERT_EQ_INT(iof_synth_run(&c, err, sizeof err), IOF_E_INVAL);
    c.devices = 8;
    c.profile = (iof_synth_profile)3;
    ASSERT_EQ_INT(iof_synth_run(&c, err, sizeof err), IOF_E_INVAL);
    iof_synth_profile p = IOF_SYNTH_HOME;
    ASSERT_EQ_INT(iof_synth_profile_parse("small", &p), IOF_OK);
    ASSERT_EQ_INT(p, IOF_SYNTH_SMALL);
    ASSERT_EQ_INT(iof_synth_profile_parse("dense", &p), IOF_OK);
    ASSERT_EQ_INT(p, IOF_SYNTH_DENSE);
    ASSERT_EQ_INT(iof_synth_profile_parse("home", &p), IOF_OK);
    ASSERT_EQ_INT(p, IOF_SYNTH_HOME);
    ASSERT_EQ_INT(iof_synth_profile_parse("Small", &p), IOF_E_INVAL);
    ASSERT_EQ_INT(iof_synth_profile_parse(NULL, &p), IOF_E_INVAL);
    c.profile = IOF_SYNTH_HOME;
    c.attack_ratio = 0.9;
    ASSERT_EQ_INT(iof_synth_run(&c, err, sizeof err), IOF_E_INVAL);
    c.attack_ratio = 0.1;
    ASSERT_EQ_INT(iof_synth_run(&c, err, sizeof err), IOF_E_OUTPUT);
    int64_t us;
    ASSERT_EQ_INT(iof_synth_parse_time("2024-06-23T18:00:00Z", &us), IOF_OK);
    ASSERT_EQ_INT(us, 1719165600000000LL);
    ASSERT_EQ_INT(iof_synth_parse_time("2024-06-23T18:00:00.5Z", &us), IOF_OK);
    ASSERT_EQ_INT(us, 1719165600500000LL);
    ASSERT_EQ_INT(iof_synth_parse_time("2024-06-23 18:00", &us), IOF_E_INVAL);
}

static void test_synth_deterministic_and_ratio(void)
{
    char d1[] = "/tmp/iof_synth_a_XXXXXX", d2[] = "/tmp/iof_synth_b_XXXXXX",
         d3[] = "/tmp/iof_synth_c_XXXXXX";
    ASSERT_TRUE(mkdtemp(d1) && mkdtemp(d2) && mkdtemp(d3));
    iof_synth_stats s1, s2, s3;
    run_synth(d1, 42, 0.1, &s1);
    run_synth(d2, 42, 0.1, &s2);
    run_synth(d3, 43, 0.1, &s3);
    ASSERT_EQ_U64(s1.packets, s2.packets);
    ASSERT_TRUE(s1.packets > 1000);
    ASSERT_TRUE(s1.records > 100);
    double share = (double)s1.attack_records / (double)s1.records;
    ASSERT_TRUE(share > 0.09 && share < 0.11);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p1[256], p2[256], p3[256];
        size_t n1 = 0, n2 = 0, n3 = 0;
        snprintf(p1, sizeof p1, "%s/%s", d1, files[i]);
        snprintf(p2, sizeof p2, "%s/%s", d2, files[i]);
        snprintf(p3, sizeof p3, "%s/%s", d3, files[i]);
        char *a = slurp(p1, &n1), *b = slurp(p2, &n2), *c = slurp(p3, &n3);
        ASSERT_TRUE(a && b && c);
        ASSERT_EQ_U64(n1, n2);
        ASSERT_EQ_MEM(a, b, n1);
        ASSERT_TRUE(n1 != n3 || memcmp(a, c, n1) != 0);
        if (i == 4) {
            static const char hdr[] =
                "device,first_seen,remote_ip,proto,device_port,remote_port,label\n";
            ASSERT_TRUE(strncmp(a, hdr, sizeof hdr - 1) == 0);
        }
        if (i == 1)
            ASSERT_TRUE(strncmp(a, "mac,name,type,ip\n", 17) == 0);
        if (i == 5) { /* labels.rules loads without a warning: key label, a rule per attack */
            iof__ruleset *rs = NULL;
            char err[IOF_RULES_ERR_LEN];
            ASSERT_EQ_INT(iof__rules_load(p1, &rs, err, sizeof err), 0);
            ASSERT_EQ_U64(iof__rules_nwarnings(rs), 0);
            ASSERT_EQ_U64(iof__rules_nkeys(rs), 1);
            ASSERT_TRUE(strcmp(iof__rules_key_name(rs, 0), "label") == 0);
            ASSERT_TRUE(iof__rules_nrules(rs) >= 4);
            iof__rules_free(rs);
        }
        free(a);
        free(b);
        free(c);
        unlink(p1);
        unlink(p2);
        unlink(p3);
    }
    rmdir(d1);
    rmdir(d2);
    rmdir(d3);
}

static void test_synth_no_attacks(void)
{
    char d[] = "/tmp/iof_synth_n_XXXXXX";
    ASSERT_TRUE(mkdtemp(d));
    iof_synth_stats s;
    run_synth(d, 7, 0.0, &s);
    ASSERT_EQ_U64(s.attack_records, 0);
    ASSERT_TRUE(s.sensor_rows == 300 * 5); /* thermostat, 2 plugs, 2 motion sensors */
    rm_run(d);
}

/* coupling_alert_report (docs/SYNTH.md): a thermostat's humidity surges raise alert_flag
 * (humidity > 70) a few times an hour. A 3 h run (seed 3, the first four devices: one
 * thermostat) has at least 6 alert events; at each event's second the thermostat reads
 * alert_flag 1 and humidity > 70, the second before alert_flag 0, and every 0->1 of
 * sensors.csv is an event. (Before the surges the flag never rose: no event at all.) */
static void test_synth_alert_onsets(void)
{
    char d[] = "/tmp/iof_synth_al_XXXXXX";
    ASSERT_TRUE(mkdtemp(d));
    iof_synth_config c;
    char err[256], p[256];
    iof_synth_config_init(&c);
    c.output_dir = d;
    c.seed = 3;
    c.duration_s = 3 * 3600;
    c.devices = 4;
    c.attack_ratio = 0.0;
    ASSERT_EQ_INT(iof_synth_run(&c, err, sizeof err), IOF_OK);
    size_t n = 0;
    snprintf(p, sizeof p, "%s/sensors.csv", d);
    char *sens = slurp(p, &n);
    snprintf(p, sizeof p, "%s/events.csv", d);
    char *evs = slurp(p, &n);
    ASSERT_TRUE(sens && evs);
    /* the thermostat's rows, one a second: "2024-06-23T18:08:53Z,thermostat-1,T,H,P,,A" */
    enum { NROW = 3 * 3600 };
    static char ts[NROW][24];
    static double hum[NROW];
    static int flag[NROW];
    int nrow = 0, onsets = 0;
    for (char *l = sens; *l;) {
        char *nl = strchr(l, '\n');
        if (nl)
            *nl = 0;
        char *c1 = strchr(l, ',');
        if (c1 && strncmp(c1 + 1, "thermostat-1,", 13) == 0) {
            ASSERT_TRUE(nrow < NROW && c1 - l < 24);
            memcpy(ts[nrow], l, (size_t)(c1 - l));
            ts[nrow][c1 - l] = 0;
            char *f = c1 + 14;            /* temperature */
            f = strchr(f, ',') + 1;       /* humidity */
            hum[nrow] = strtod(f, NULL);
            flag[nrow] = l[strlen(l) - 1] == '1';
            onsets += nrow > 0 && flag[nrow] && !flag[nrow - 1];
            nrow++;
        }
        if (!nl)
            break;
        l = nl + 1;
    }
    ASSERT_EQ_INT(nrow, NROW);
    int events = 0;
    for (char *l = strstr(evs, "coupling_alert_report"); l;
         l = strstr(l + 1, "coupling_alert_report")) {
        char *bol = l;
        while (bol > evs && bol[-1] != '\n')
            bol--;
        /* start = "2024-06-23T18:08:53.000000Z": the row's timestamp is its first 19 + "Z" */
        char want[24];
        snprintf(want, sizeof want, "%.19sZ", bol);
        int k = 0;
        while (k < nrow && strcmp(ts[k], want) != 0)
            k++;
        ASSERT_TRUE(k > 0 && k < nrow);
        if (!flag[k] || flag[k - 1] || !(hum[k] > 70.0))
            fprintf(stderr, "  alert event %s: alert_flag %d (before %d), humidity %.1f\n", want,
                    flag[k], flag[k - 1], hum[k]);
        ASSERT_TRUE(flag[k] && !flag[k - 1] && hum[k] > 70.0);
        ASSERT_TRUE(strncmp(l, "coupling_alert_report,thermostat-1,", 35) == 0);
        events++;
    }
    ASSERT_TRUE(events >= 6);
    ASSERT_EQ_INT(events, onsets);
    free(sens);
    free(evs);
    rm_run(d);
}

/* The printf-free integer text of the payload builders. (Fixed decimals: iof__fmt_fixed,
 * tested in test_output.c.) */
static void test_put_int(void)
{
    char buf[32];
    *iof__put_int(buf, -1234567890123LL) = 0;
    ASSERT_EQ_STR(buf, "-1234567890123");
    *iof__put_dec(buf, 18446744073709551615ull) = 0;
    ASSERT_EQ_STR(buf, "18446744073709551615");
}

/* --profile small: 60 devices by default, small frames, the ratio, and the --stats JSON
 * published atomically (no temp file) with the configuration echo. */
static void test_synth_small_profile(void)
{
    char d[] = "/tmp/iof_synth_s_XXXXXX", js[300];
    ASSERT_TRUE(mkdtemp(d));
    snprintf(js, sizeof js, "%s/st/stats.json", d);
    iof_synth_config c;
    iof_synth_stats st;
    char err[256];
    iof_synth_config_init(&c);
    c.output_dir = d;
    c.profile = IOF_SYNTH_SMALL;
    c.seed = 5;
    c.duration_s = 120;
    c.scale = 3;
    c.stats = &st;
    c.stats_json = js;
    ASSERT_EQ_INT(iof_synth_run(&c, err, sizeof err), IOF_OK);
    ASSERT_EQ_INT(st.devices, 61);
    double avg = (double)(st.bytes - 24 - 16 * st.packets) / (double)st.packets;
    ASSERT_TRUE(avg > 100 && avg < 200);
    double share = (double)st.attack_records / (double)st.records;
    ASSERT_TRUE(share > 0.09 && share < 0.11);
    size_t n = 0;
    char *j = slurp(js, &n);
    ASSERT_TRUE(j && n > 0 && j[n - 1] == '\n');
    ASSERT_TRUE(strstr(j, "\"profile\":\"small\",\"seed\":5,\"start\":\"2024-06-23T18:00:00Z\","
                          "\"duration_s\":120,\"devices\":60,\"attack_ratio\":0.1,\"scale\":3}"));
    ASSERT_TRUE(strstr(j, "\"name\":\"nas-1\""));
    ASSERT_TRUE(strstr(j, "\"records_by_label\":{\"benign\":"));
    free(j);
    ASSERT_EQ_INT(temp_files(d), 0);
    unlink(js);
    snprintf(js, sizeof js, "%s/st", d);
    ASSERT_EQ_INT(temp_files(js), 0);
    rmdir(js);
    rm_run(d);
}

/* Two syntheses at once, in two threads, into two directories: each gives the bytes of the
 * same run alone (no process-wide state: buffers, tables, temporary names). */
typedef struct synth_job {
    iof_synth_config cfg;
    char dir[64];
    char err[256];
    iof_err rc;
} synth_job;

static void job_init(synth_job *j, const char *tag, iof_synth_profile prof, uint64_t seed)
{
    iof_synth_config_init(&j->cfg);
    snprintf(j->dir, sizeof j->dir, "/tmp/iof_synth_%s_%ld", tag, (long)getpid());
    j->cfg.output_dir = j->dir;
    j->cfg.profile = prof;
    j->cfg.seed = seed;
    j->cfg.duration_s = 150;
    j->cfg.scale = prof == IOF_SYNTH_SMALL ? 4 : 1;
    j->cfg.attack_ratio = 0.2;
}

static void *job_run(void *arg)
{
    synth_job *j = arg;
    j->rc = iof_synth_run(&j->cfg, j->err, sizeof j->err);
    return NULL;
}

static void same_files(const char *a, const char *b)
{
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char pa[128], pb[128];
        size_t na = 0, nb = 0;
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        char *x = slurp(pa, &na), *y = slurp(pb, &nb);
        ASSERT_TRUE(x && y);
        ASSERT_EQ_U64(na, nb);
        ASSERT_EQ_MEM(x, y, na);
        free(x);
        free(y);
    }
}

static void test_synth_two_threads(void)
{
    synth_job ref[2], par[2];
    job_init(&ref[0], "ref_home", IOF_SYNTH_HOME, 31);
    job_init(&ref[1], "ref_small", IOF_SYNTH_SMALL, 32);
    job_init(&par[0], "par_home", IOF_SYNTH_HOME, 31);
    job_init(&par[1], "par_small", IOF_SYNTH_SMALL, 32);
    for (int i = 0; i < 2; i++) { /* alone, one after the other */
        job_run(&ref[i]);
        ASSERT_EQ_INT(ref[i].rc, IOF_OK);
    }
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        ASSERT_EQ_INT(pthread_create(&th[i], NULL, job_run, &par[i]), 0);
    for (int i = 0; i < 2; i++)
        ASSERT_EQ_INT(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        if (par[i].rc != IOF_OK)
            fprintf(stderr, "  %s: %s\n", par[i].dir, par[i].err);
        ASSERT_EQ_INT(par[i].rc, IOF_OK);
        same_files(ref[i].dir, par[i].dir);
        ASSERT_EQ_INT(temp_files(par[i].dir), 0);
    }
    /* the same configuration twice at once, too */
    synth_job twin[2];
    job_init(&twin[0], "twin_a", IOF_SYNTH_SMALL, 32);
    job_init(&twin[1], "twin_b", IOF_SYNTH_SMALL, 32);
    for (int i = 0; i < 2; i++)
        ASSERT_EQ_INT(pthread_create(&th[i], NULL, job_run, &twin[i]), 0);
    for (int i = 0; i < 2; i++)
        ASSERT_EQ_INT(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        ASSERT_EQ_INT(twin[i].rc, IOF_OK);
        same_files(ref[1].dir, twin[i].dir);
    }
    for (int i = 0; i < 2; i++) {
        rm_run(ref[i].dir);
        rm_run(par[i].dir);
        rm_run(twin[i].dir);
    }
}

static const iof_test tests[] = {
    TEST(test_csum_reference), TEST(test_pkt_tcp4), TEST(test_pkt_udp_vlan_pad_real),
    TEST(test_pkt_icmp6_igmp_arp), TEST(test_put_int), TEST(test_synth_config_errors),
    TEST(test_synth_deterministic_and_ratio), TEST(test_synth_no_attacks),
    TEST(test_synth_small_profile), TEST(test_synth_two_threads), TEST(test_synth_alert_onsets),
    {0}};

int main(void) { return iof_test_run(tests); }
