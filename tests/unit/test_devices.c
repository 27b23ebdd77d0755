/* Device discovery (src/devices/): the table fed with frames built by the synth packet builder
 * and decoded as the pipeline does, role guesses and their evidence, caps and what they drop,
 * the inventory CSV read back by the --devices loader (hostile strings included), the vendor
 * database (manuf and IEEE formats, /28 and /36 blocks, errors with file:line), text cleaning. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode/decode.h"
#include "devices/devcsv.h"
#include "devices/devtab.h"
#include "devices/oui.h"
#include "devices/text.h"
#include "flow/inventory.h"
#include "output/outfile.h"
#include "synth/pkt.h"
#include "test.h"

static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t CAM[6] = { 0xb0, 0xc5, 0x54, 0x25, 0x5b, 0x0e };
static const uint8_t GW[6] = { 0x00, 0xb5, 0x6d, 0x06, 0x08, 0xba };
static const uint8_t PHONE[6] = { 0x4c, 0x6a, 0xf6, 0x9f, 0xf6, 0x27 };

static int64_t now_ns = 1460733254000000000LL;

/* One UDP/TCP frame through the decoder into the table. */
static void feed(iof__devtab *t, const uint8_t *smac, const uint8_t *dmac, const char *sip, const char *dip,
                 uint8_t ttl, uint8_t proto, uint16_t sport, uint16_t dport, const void *payload, size_t n)
{
    uint8_t s[16] = { 0 }, d[16] = { 0 };
    int ver = strchr(sip, ':') ? 6 : 4;
    ASSERT_TRUE(inet_pton(ver == 4 ? AF_INET : AF_INET6, sip, s) == 1);
    ASSERT_TRUE(inet_pton(ver == 4 ? AF_INET : AF_INET6, dip, d) == 1);
    iof__pktspec sp = { .src_mac = smac, .dst_mac = dmac, .ipver = ver, .src_ip = s, .dst_ip = d,
                       .ttl = ttl, .proto = proto, .sport = sport, .dport = dport,
                       .tcp_flags = IOF_TCP_ACK, .payload = payload, .payload_len = n };
    static uint8_t frame[IOF_PKT_MAX_FRAME];
    size_t len = iof__pkt_build(frame, sizeof frame, &sp);
    ASSERT_TRUE(len > 0);
    iof__pkt p;
    ASSERT_EQ_INT(iof__decode(&p, IOF_LINKTYPE_ETHERNET, frame, (uint32_t)len, (uint32_t)len, now_ns), IOF_DROP_OK);
    now_ns += 1000000;
    iof__devtab_packet(t, &p);
}

/* A DHCP message: op, type (option 53), chaddr, then options given as raw bytes. */
static size_t dhcp_msg(uint8_t *b, unsigned op, unsigned type, const uint8_t chaddr[6], const void *opts, size_t n)
{
    memset(b, 0, 240);
    b[0] = (uint8_t)op;
    b[1] = 1;
    b[2] = 6;
    memcpy(b + 28, chaddr, 6);
    memcpy(b + 236, "\x63\x82\x53\x63", 4);
    b[240] = 53;
    b[241] = 1;
    b[242] = (uint8_t)type;
    memcpy(b + 243, opts, n);
    b[243 + n] = 255;
    return 244 + n;
}

static const iof__devrow *row(const iof__devtab *t, const uint8_t mac[6])
{
    for (size_t i = 0; i < iof__devtab_count(t); i++)
        if (memcmp(iof__devtab_row(t, i)->mac, mac, 6) == 0)
            return iof__devtab_row(t, i);
    return NULL;
}

/* A camera's DHCP from 0.0.0.0, the router's offer, then Internet traffic through the router. */
static void home(iof__devtab *t)
{
    uint8_t m[600];
    now_ns = 1460733254000000000LL; /* 2016-04-15T15:14:14Z */
    static const char copts[] = "\x0c\x05" "cam-1" "\x3c\x0c" "udhcp 1.22.1";
    feed(t, CAM, BCAST, "0.0.0.0", "255.255.255.255", 64, 17, 68, 67, m,
         dhcp_msg(m, 1, 1, CAM, copts, sizeof copts - 1));
    static const char sopts[] = "\x36\x04\xc0\xa8\x01\x01" "\x03\x04\xc0\xa8\x01\x01";
    feed(t, GW, BCAST, "192.168.1.1", "255.255.255.255", 64, 17, 67, 68, m,
         dhcp_msg(m, 2, 2, CAM, sopts, sizeof sopts - 1));
    feed(t, CAM, GW, "192.168.1.37", "52.1.2.3", 64, 6, 40000, 443, "hello", 5);
    feed(t, GW, CAM, "52.1.2.3", "192.168.1.37", 47, 6, 443, 40000, "world!", 6);
    /* the phone: DHCP vendor class, and its own link-local address */
    static const char popts[] = "\x3c\x0e" "android-dhcp-9";
    feed(t, PHONE, BCAST, "0.0.0.0", "255.255.255.255", 64, 17, 68, 67, m,
         dhcp_msg(m, 1, 3, PHONE, popts, sizeof popts - 1));
    feed(t, PHONE, GW, "fe80::4e6a:f6ff:fe9f:f627", "fe80::1", 255, 17, 5000, 53, "q", 1);
}

static void test_dhcp_and_roles(void)
{
    iof__devtab *t = iof__devtab_create();
    home(t);
    ASSERT_EQ_INT(iof__devtab_count(t), 3); /* broadcast destinations make no row */
    const iof__devrow *cam = row(t, CAM), *gw = row(t, GW), *ph = row(t, PHONE);
    ASSERT_TRUE(cam && gw && ph);
    ASSERT_EQ_STR(cam->dhcp_host, "cam-1");
    ASSERT_EQ_STR(cam->dhcp_vc, "udhcp 1.22.1");
    ASSERT_EQ_INT(cam->n_local, 1); /* 0.0.0.0 is nobody's address */
    ASSERT_EQ_INT(cam->local[0].a[3], 37);
    ASSERT_EQ_INT(cam->pkts_sent, 2);
    ASSERT_EQ_INT(cam->pkts_recv, 1); /* the offer went to broadcast */
    ASSERT_EQ_INT(gw->dhcp_replies, 1);
    ASSERT_EQ_INT(gw->dhcp_clients, 1);
    ASSERT_EQ_INT(gw->forwarded, 1); /* TTL 47: crossed routers */
    ASSERT_TRUE(iof__devrow_is_next_hop(gw));
    ASSERT_TRUE(!iof__devrow_is_next_hop(cam));
    char ev[IOF_DEV_EVIDENCE];
    ASSERT_EQ_INT(iof__dev_guess_role(t, gw, ev, sizeof ev), IOF_ROLE_ROUTER);
    ASSERT_TRUE(strstr(ev, "DHCP server (offers to 1 client)") != NULL);
    ASSERT_TRUE(strstr(ev, "L2 next hop for 1 public address") != NULL);
    ASSERT_TRUE(strstr(ev, "gateway 192.168.1.1 in DHCP offers (option 3)") != NULL);
    ASSERT_EQ_INT(iof__dev_guess_role(t, cam, ev, sizeof ev), IOF_ROLE_DEVICE);
    ASSERT_TRUE(strstr(ev, "udhcp") != NULL);
    ASSERT_EQ_INT(iof__dev_guess_role(t, ph, ev, sizeof ev), IOF_ROLE_PHONE_PC);
    ASSERT_EQ_STR(ev, "DHCP vendor class android-dhcp-9");
    iof__devtab_stats st;
    iof__devtab_get_stats(t, &st);
    ASSERT_EQ_INT(st.dhcp, 3);
    ASSERT_EQ_INT(st.packets, 6);
    iof__devtab_free(t);
}

static void test_group_and_zero_macs(void)
{
    iof__devtab *t = iof__devtab_create();
    static const uint8_t MCAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb }, ZERO[6] = { 0 };
    feed(t, MCAST, CAM, "192.168.1.9", "192.168.1.37", 64, 17, 1, 2, "x", 1);
    feed(t, ZERO, BCAST, "192.168.1.9", "192.168.1.255", 64, 17, 1, 2, "x", 1);
    feed(t, BCAST, ZERO, "192.168.1.9", "192.168.1.3", 64, 17, 1, 2, "x", 1);
    ASSERT_EQ_INT(iof__devtab_count(t), 1); /* CAM, as a receiver only */
    ASSERT_TRUE(!row(t, CAM)->sent);
    ASSERT_TRUE(!iof__mac_is_device(MCAST) && !iof__mac_is_device(ZERO) && !iof__mac_is_device(BCAST));
    iof__devtab_free(t);
}

static void test_next_hop_by_count(void)
{
    iof__devtab *t = iof__devtab_create();
    static const uint8_t HOST[6] = { 0x00, 0x13, 0x72, 0x16, 0x8a, 0x32 };
    /* a host with its own public address (initial TTL): not a next hop, the address is its own */
    feed(t, HOST, GW, "59.120.208.212", "8.8.8.8", 64, 17, 5000, 53, "q", 1);
    feed(t, HOST, GW, "59.120.208.212", "1.1.1.1", 64, 17, 5000, 53, "q", 1);
    /* the router forwards with initial TTLs (one hop from the capture): the count decides */
    const char *remote[] = { "8.8.8.8", "1.1.1.1", "9.9.9.9" };
    for (int i = 0; i < 3; i++) {
        feed(t, GW, HOST, remote[i], "59.120.208.212", 64, 17, 53, 5000, "a", 1);
        ASSERT_EQ_INT(iof__devrow_is_next_hop(row(t, GW)), i == 2);
    }
    ASSERT_TRUE(!iof__devrow_is_next_hop(row(t, HOST)));
    ASSERT_EQ_INT(row(t, HOST)->n_public, 1);
    ASSERT_EQ_INT(row(t, GW)->side_v4, 3); /* 8.8.8.8 and 1.1.1.1 were on its side before too */
    iof__devtab_free(t);
}

/* mDNS response from 192.168.1.37: A cam.local = 192.168.1.37, SRV "Cam._http._tcp.local"; the
 * A record's address is patched by the caller. */
static size_t mdns_response(uint8_t *b, uint8_t last_octet)
{
    static const uint8_t msg[] = {
        0, 0, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0,
        3, 'c', 'a', 'm', 5, 'l', 'o', 'c', 'a', 'l', 0, 0, 1, 0x80, 1, 0, 0, 0, 120, 0, 4, 192, 168, 1, 37,
        3, 'C', 'a', 'm', 5, '_', 'h', 't', 't', 'p', 4, '_', 't', 'c', 'p', 0xc0, 16,
        0, 33, 0, 1, 0, 0, 0, 120, 0, 8, 0, 0, 0, 0, 0, 80, 0xc0, 12,
    };
    memcpy(b, msg, sizeof msg);
    b[36] = last_octet;
    return sizeof msg;
}

static void test_mdns(void)
{
    iof__devtab *t = iof__devtab_create();
    uint8_t m[128];
    feed(t, CAM, BCAST, "192.168.1.37", "224.0.0.251", 255, 17, 5353, 5353, m, mdns_response(m, 37));
    const iof__devrow *cam = row(t, CAM);
    ASSERT_EQ_INT(cam->n_mdns, 2);
    ASSERT_EQ_STR(cam->mdns[0], "cam.local");
    ASSERT_EQ_INT(cam->mdns_host & 1, 1);
    ASSERT_EQ_STR(cam->mdns[1], "Cam._http._tcp.local");
    /* a reflector repeats another host's answer from its own address: not its names */
    feed(t, GW, BCAST, "192.168.1.1", "224.0.0.251", 255, 17, 5353, 5353, m, mdns_response(m, 37));
    ASSERT_EQ_INT(row(t, GW)->n_mdns, 0);
    ASSERT_EQ_INT(row(t, GW)->mdns_foreign, 1);
    /* a query is not an announcement */
    mdns_response(m, 37);
    m[2] = 0;
    feed(t, PHONE, BCAST, "192.168.1.40", "224.0.0.251", 255, 17, 5353, 5353, m, 71);
    ASSERT_EQ_INT(row(t, PHONE)->n_mdns, 0);
    /* the same message sent over IPv6 from the link-local address: the A record is the
     * sender's own IPv4 address, seen before as a source */
    feed(t, CAM, BCAST, "fe80::1", "ff02::fb", 255, 17, 5353, 5353, m, mdns_response(m, 37));
    ASSERT_EQ_INT(row(t, CAM)->mdns_foreign, 0);
    iof__devtab_stats st;
    iof__devtab_get_stats(t, &st);
    ASSERT_EQ_INT(st.mdns, 3);
    iof__devtab_free(t);
}

static void test_ssdp(void)
{
    iof__devtab *t = iof__devtab_create();
    static const char notify[] = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                                 "SERVER: Linux, UPnP/1.0 DCS-935L/1.0\r\nLOCATION: http://192.168.1.37:55430/\r\n\r\n";
    static const char search[] = "M-SEARCH * HTTP/1.1\r\nUSER-AGENT: x\r\nSERVER: not a server\r\n\r\n";
    feed(t, PHONE, BCAST, "192.168.1.40", "239.255.255.250", 4, 17, 40000, 1900, search, sizeof search - 1);
    feed(t, CAM, BCAST, "192.168.1.37", "239.255.255.250", 4, 17, 40000, 1900, notify, sizeof notify - 1);
    ASSERT_EQ_STR(row(t, CAM)->ssdp_server, "Linux, UPnP/1.0 DCS-935L/1.0");
    ASSERT_EQ_STR(row(t, CAM)->ssdp_location, "http://192.168.1.37:55430/");
    ASSERT_EQ_STR(row(t, PHONE)->ssdp_server, "");
    iof__devtab_free(t);
}

static void test_caps(void)
{
    iof__devtab *t = iof__devtab_create();
    char ip[32];
    for (int i = 1; i <= IOF_DEV_MAX_IPS + 3; i++) {
        snprintf(ip, sizeof ip, "10.0.0.%d", i);
        feed(t, CAM, GW, ip, "10.0.0.254", 64, 17, 1, 2, "x", 1);
    }
    ASSERT_EQ_INT(row(t, CAM)->n_local, IOF_DEV_MAX_IPS);
    ASSERT_EQ_INT(row(t, CAM)->local_total, IOF_DEV_MAX_IPS + 3);
    /* rows: the table holds IOF_DEVTAB_MAX_DEVICES MACs, later ones are counted */
    uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
    for (long i = 0; i < IOF_DEVTAB_MAX_DEVICES + 5; i++) {
        mac[3] = (uint8_t)(i >> 16);
        mac[4] = (uint8_t)(i >> 8);
        mac[5] = (uint8_t)i;
        feed(t, mac, GW, "10.1.0.1", "10.0.0.254", 64, 17, 1, 2, "x", 1);
    }
    ASSERT_EQ_INT(iof__devtab_count(t), IOF_DEVTAB_MAX_DEVICES);
    iof__devtab_stats st;
    iof__devtab_get_stats(t, &st);
    ASSERT_EQ_INT(st.rows_dropped, 7); /* CAM and GW were there: 7 of the new MACs found it full */
    /* facts: public sources behind GW until the fact set is full; counting stops, nothing grows */
    uint32_t before = 0;
    for (uint32_t i = 0; i < IOF_DEV_MAX_FACTS; i++) {
        snprintf(ip, sizeof ip, "%u.%u.%u.%u", 20 + (i >> 16), (i >> 8) & 255, i & 255, 1);
        feed(t, GW, CAM, ip, "10.0.0.1", 50, 17, 1, 2, "x", 1);
        iof__devtab_get_stats(t, &st);
        if (st.facts_dropped) {
            before = row(t, GW)->side_v4;
            break;
        }
    }
    ASSERT_TRUE(st.facts_dropped > 0);
    feed(t, GW, CAM, "99.1.1.1", "10.0.0.1", 50, 17, 1, 2, "x", 1);
    ASSERT_EQ_INT(row(t, GW)->side_v4, before);
    ASSERT_TRUE(!iof__devtab_nomem(t));
    iof__devtab_free(t);
}

static size_t slurp(const char *p, char *buf, size_t cap)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return n;
}

static char *write_tmp(const char *text)
{
    static char p[64];
    snprintf(p, sizeof p, "/tmp/iof-test-oui-XXXXXX");
    int fd = mkstemp(p);
    if (fd < 0)
        return NULL;
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        close(fd);
        return NULL;
    }
    close(fd);
    return p;
}

/* Hostile strings survive the CSV and come back through the inventory loader. */
/* an output file at a fresh temporary name (out: a mkstemp template) */
static iof__outfile *open_out(char *out)
{
    int fd = mkstemp(out);
    ASSERT_TRUE(fd >= 0);
    close(fd);
    iof__outfile *f;
    char err[512];
    ASSERT_EQ_INT(iof__outfile_open(&f, out, err, sizeof err), 0);
    return f;
}

static void test_csv_roundtrip(void)
{
    iof__devtab *t = iof__devtab_create();
    home(t);
    uint8_t m[600];
    /* a host name with CSV and control characters, invalid UTF-8, a leading '=' */
    static const char h1[] = "\x0c\x14" "=x,\"y\"\r\nz\x01\xff\xc3\xa9" "end\0zz";
    static const uint8_t EVIL[6] = { 0x02, 0, 0, 0, 0, 0x66 };
    feed(t, EVIL, BCAST, "0.0.0.0", "255.255.255.255", 64, 17, 68, 67, m, dhcp_msg(m, 1, 1, EVIL, h1, sizeof h1 - 1));
    /* a 200-byte vendor class and SSDP server: cut to the row's caps */
    char big[300] = "\x3c\xc8";
    memset(big + 2, 'v', 200);
    static const uint8_t BIG[6] = { 0x02, 0, 0, 0, 0, 0x77 };
    feed(t, BIG, BCAST, "0.0.0.0", "255.255.255.255", 64, 17, 68, 67, m, dhcp_msg(m, 1, 1, BIG, big, 202));
    char out[] = "/tmp/iof-test-devcsv-XXXXXX", err[512];
    iof__outfile *f = open_out(out);
    /* vendors: a place name before the vendor's own word ("foo" is short: "foo-tech"); no
     * vendor for a locally administered MAC even where a registry line covers it */
    iof__oui *oui = iof__oui_create();
    char *op = write_tmp("00:B5:6D\tShenzhe\tShenzhen Foo Tech Co.\n02:00:00\tLocal\tLocal Corp\n");
    ASSERT_EQ_INT(iof__oui_add_file(oui, op, err, sizeof err), 0);
    unlink(op);
    iof__devcsv_stats cs;
    ASSERT_EQ_INT(iof__devcsv_write(t, oui, f, &cs, err, sizeof err), 0);
    iof__oui_free(oui);
    ASSERT_EQ_INT(iof__outfile_commit(f, err, sizeof err), 0);
    ASSERT_EQ_INT(cs.rows, 5);
    static char text[65536];
    ASSERT_TRUE(slurp(out, text, sizeof text) > 0);
    /* the header, then rows in MAC order; every line well under the loader's 4096 bytes */
    ASSERT_TRUE(strncmp(text, "mac,name,type,ip,ip_count,vendor,first_seen,", 44) == 0);
    for (char *l = text, *e; *l; l = e + 1) {
        e = strchr(l, '\n');
        ASSERT_TRUE(e != NULL);
        ASSERT_TRUE(e - l < 1024);
    }
    ASSERT_TRUE(strstr(text, "\n00:b5:6d:06:08:ba,foo-tech-1,router,192.168.1.1,1,Shenzhen Foo Tech Co.,2016-04-15T15:14:14Z,") != NULL);
    ASSERT_TRUE(strstr(text, "\n02:00:00:00:00:77,unknown-1,device,,0,,") != NULL);
    ASSERT_TRUE(strstr(text, "\nb0:c5:54:25:5b:0e,cam-1,device,192.168.1.37,1,,") != NULL);
    iof__inventory *inv;
    ASSERT_EQ_INT(iof__inventory_load(&inv, out, err, sizeof err), 0);
    ASSERT_EQ_INT(iof__inventory_count(inv), 5);
    const iof__device *d = iof__inventory_get(inv, (size_t)iof__inventory_find_mac(inv, EVIL));
    ASSERT_EQ_STR(d->name, "'=x,\"y\"  z ?\xc3\xa9" "end");
    ASSERT_EQ_STR(d->type, "device");
    d = iof__inventory_get(inv, (size_t)iof__inventory_find_mac(inv, PHONE));
    ASSERT_EQ_STR(d->type, "phone/pc");
    ASSERT_EQ_INT(d->n_ips, 1);
    ASSERT_EQ_INT(d->ip_ver[0], 6);
    d = iof__inventory_get(inv, (size_t)iof__inventory_find_mac(inv, BIG));
    ASSERT_EQ_STR(d->name, "unknown-1");
    iof__inventory_free(inv);
    unlink(out);
    iof__devtab_free(t);
}


/* devices announcing one host name (any case): the later ones in MAC order get the first free
 * -k (a name another device has is skipped), so the inventory's names are one device's each */
static void test_unique_names(void)
{
    iof__devtab *t = iof__devtab_create();
    now_ns = 1460733254000000000LL;
    static const char *host[] = { "plug", "plug", "Plug", "plug-2", "plug", "cam" };
    uint8_t m[600];
    for (int i = 0; i < 6; i++) {
        uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) };
        char opts[32];
        size_t hl = strlen(host[i]);
        opts[0] = 12;
        opts[1] = (char)hl;
        memcpy(opts + 2, host[i], hl);
        feed(t, mac, BCAST, "0.0.0.0", "255.255.255.255", 64, 17, 68, 67, m, dhcp_msg(m, 1, 1, mac, opts, hl + 2));
    }
    char out[] = "/tmp/iof-test-devcsv-XXXXXX", err[512];
    iof__outfile *f = open_out(out);
    iof__devcsv_stats cs;
    ASSERT_EQ_INT(iof__devcsv_write(t, NULL, f, &cs, err, sizeof err), 0);
    ASSERT_EQ_INT(iof__outfile_commit(f, err, sizeof err), 0);
    iof__inventory *inv;
    ASSERT_EQ_INT(iof__inventory_load(&inv, out, err, sizeof err), 0);
    static const char *want[] = { "plug", "plug-3", "Plug-4", "plug-2", "plug-5", "cam" };
    for (int i = 0; i < 6; i++) {
        uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) };
        long k = iof__inventory_find_mac(inv, mac);
        ASSERT_TRUE(k >= 0);
        ASSERT_EQ_STR(iof__inventory_get(inv, (size_t)k)->name, want[i]);
    }
    iof__inventory_free(inv);
    unlink(out);
    iof__devtab_free(t);
}

/* an address two devices sent (the camera's lease handed on to a plug): listed for neither, the
 * evidence names the other MAC, the summary counts it — and extract --devices loads the file
 * (it refuses an address listed for two devices) */
static void test_shared_ip(void)
{
    iof__devtab *t = iof__devtab_create();
    home(t);
    static const uint8_t PLUG[6] = { 0x02, 0, 0, 0, 0, 0x42 };
    feed(t, PLUG, GW, "192.168.1.37", "52.1.2.3", 64, 6, 40001, 443, "x", 1);
    feed(t, PLUG, GW, "192.168.1.38", "52.1.2.3", 64, 6, 40002, 443, "y", 1);
    char out[] = "/tmp/iof-test-devcsv-XXXXXX", err[512];
    iof__outfile *f = open_out(out);
    iof__devcsv_stats cs;
    ASSERT_EQ_INT(iof__devcsv_write(t, NULL, f, &cs, err, sizeof err), 0);
    ASSERT_EQ_INT(iof__outfile_commit(f, err, sizeof err), 0);
    ASSERT_EQ_INT(cs.ips_shared, 1); /* one address (two rows) */
    ASSERT_EQ_INT(cs.values_dropped, 0);
    static char text[65536];
    ASSERT_TRUE(slurp(out, text, sizeof text) > 0);
    ASSERT_TRUE(strstr(text, "\nb0:c5:54:25:5b:0e,cam-1,device,,1,") != NULL); /* ip_count still counts it */
    ASSERT_TRUE(strstr(text, "\n02:00:00:00:00:42,unknown-2,device,192.168.1.38,2,") != NULL);
    ASSERT_TRUE(strstr(text, "192.168.1.37 also sent by 02:00:00:00:00:42 (left out of ip") != NULL);
    ASSERT_TRUE(strstr(text, "192.168.1.37 also sent by b0:c5:54:25:5b:0e (left out of ip") != NULL);
    iof__inventory *inv;
    ASSERT_EQ_INT(iof__inventory_load(&inv, out, err, sizeof err), 0);
    ASSERT_EQ_INT(iof__inventory_count(inv), 4);
    iof__inventory_free(inv);
    unlink(out);
    iof__devtab_free(t);
}

/* many addresses both sent: the evidence (400 bytes) holds whole notes and then their count,
 * never a note cut short; the summary counts each address once */
static void test_shared_ips_many(void)
{
    iof__devtab *t = iof__devtab_create();
    home(t);
    static const uint8_t PLUG[6] = { 0x02, 0, 0, 0, 0, 0x42 };
    char ip[32];
    for (int k = 0; k < 6; k++) {
        snprintf(ip, sizeof ip, "192.168.1.%d", 100 + k);
        feed(t, CAM, GW, ip, "52.1.2.3", 64, 6, (uint16_t)(41000 + k), 443, "x", 1);
        feed(t, PLUG, GW, ip, "52.1.2.3", 64, 6, (uint16_t)(42000 + k), 443, "y", 1);
    }
    char out[] = "/tmp/iof-test-devcsv-XXXXXX", err[512];
    iof__outfile *f = open_out(out);
    iof__devcsv_stats cs;
    ASSERT_EQ_INT(iof__devcsv_write(t, NULL, f, &cs, err, sizeof err), 0);
    ASSERT_EQ_INT(iof__outfile_commit(f, err, sizeof err), 0);
    ASSERT_EQ_INT(cs.ips_shared, 6);
    static char text[65536];
    ASSERT_TRUE(slurp(out, text, sizeof text) > 0);
    ASSERT_TRUE(strstr(text, "more address(es) also sent by other MACs, left out of ip") != NULL);
    for (const char *p = text; (p = strstr(p, " also sent by 0")) != NULL; p++) {
        const char *end = strstr(p, "could be either's)");
        const char *nl = strchr(p, '\n');
        ASSERT_TRUE(end != NULL && (!nl || end < nl)); /* a whole note */
    }
    unlink(out);
    iof__devtab_free(t);
}

static void test_oui(void)
{
    iof__oui *db = iof__oui_create();
    char err[512];
    char *p = write_tmp("# manuf\n"
                        "00:1B:C5\tIEEERegi\tIEEE Registration Authority\n"
                        "00:1B:C5:00:10:00/36\tOpenRBco\tOpenRB.com, Direct SIA\t# a comment\n"
                        "5C-CF-7F\tEspressi\n"
                        "70.B3.D5.F0.00.00/28\tTelePlat\tTELEPLATFORMS\n"
                        "\n");
    ASSERT_EQ_INT(iof__oui_add_file(db, p, err, sizeof err), 0);
    unlink(p);
    p = write_tmp("OUI/MA-L                Organization\r\n"
                  "company_id              Organization\r\n"
                  "\r\n"
                  "5C-CF-7F   (hex)\t\tEspressif Inc. (second file loses)\r\n"
                  "5CCF7F     (base 16)\t\tEspressif Inc.\r\n"
                  "\t\t\t\tShanghai\r\n"
                  "\r\n"
                  "B0-C5-54   (hex)\t\tD-Link International\r\n"
                  "B0C554     (base 16)\t\tD-Link International\r\n"
                  "\r\n"
                  "8C-1F-64   (hex)\t\tSmall Block\r\n"
                  "ABC000-ABCFFF     (base 16)\t\tSmall Block\r\n");
    ASSERT_EQ_INT(iof__oui_add_file(db, p, err, sizeof err), 0);
    unlink(p);
    ASSERT_EQ_INT(iof__oui_count(db), 7);
    static const struct { uint8_t mac[6]; const char *vendor; } cases[] = {
        { { 0x00, 0x1b, 0xc5, 0x00, 0x10, 0x42 }, "OpenRB.com, Direct SIA" }, /* /36 beats /24 */
        { { 0x00, 0x1b, 0xc5, 0x00, 0x20, 0x00 }, "IEEE Registration Authority" },
        { { 0x5c, 0xcf, 0x7f, 0x07, 0xae, 0xfb }, "Espressi" },             /* short name, first file */
        { { 0x70, 0xb3, 0xd5, 0xf2, 0xff, 0xff }, "TELEPLATFORMS" },        /* /28: 70:b3:d5:f */
        { { 0x70, 0xb3, 0xd5, 0xe3, 0x00, 0x00 }, NULL },
        { { 0xb0, 0xc5, 0x54, 0x25, 0x5b, 0x0e }, "D-Link International" },
        { { 0x8c, 0x1f, 0x64, 0xab, 0xcf, 0x12 }, "Small Block" },          /* IEEE /36 range */
        { { 0x8c, 0x1f, 0x64, 0xab, 0xd0, 0x00 }, NULL },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *v = iof__oui_lookup(db, cases[i].mac);
        if (cases[i].vendor)
            ASSERT_EQ_STR(v, cases[i].vendor);
        else
            ASSERT_TRUE(v == NULL);
    }
    iof__oui_free(db);
    /* errors name file:line */
    static const struct { const char *text; int line; const char *what; } bad[] = {
        { "# x\n00:1G:C5\tX\n", 2, "bad MAC prefix '00:1G:C5'" },
        { "00:1B:C5:00:00:00/49\tX\n", 1, "bad MAC prefix" },
        { "00:1B:C5:00:00:00:11\tX\n", 1, "bad MAC prefix" },
        { "00:1B:C5\n", 1, "without a vendor name" },
        { "00:1B:C5\t# only a comment\n", 1, "without a vendor name" },
        { "OUI\n8C-1F-64   (hex)\t\tX\nABC000-ABCFFE     (base 16)\t\tX\n", 3, "not an aligned power-of-two block" },
        { "OUI\n8C-1F-6   (hex)\t\tX\n", 2, "bad OUI before (hex)" },
        { "OUI\n8C-1F-64   (hex)\t\tX\nABC0Z0     (base 16)\t\tX\n", 3, "bad (base 16) line" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        db = iof__oui_create();
        p = write_tmp(bad[i].text);
        err[0] = '\0';
        ASSERT_EQ_INT(iof__oui_add_file(db, p, err, sizeof err), IOF_E_INVAL);
        char want[96];
        snprintf(want, sizeof want, "%s:%d: ", p, bad[i].line);
        if (!strstr(err, want) || !strstr(err, bad[i].what))
            fprintf(stderr, "  case %zu: %s\n", i, err);
        ASSERT_TRUE(strstr(err, want) != NULL && strstr(err, bad[i].what) != NULL);
        unlink(p);
        iof__oui_free(db);
    }
    static char longline[3000];
    memset(longline, 'A', 2000);
    db = iof__oui_create();
    p = write_tmp(longline);
    ASSERT_EQ_INT(iof__oui_add_file(db, p, err, sizeof err), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, ":1: line longer than 1024 bytes") != NULL);
    unlink(p);
    ASSERT_EQ_INT(iof__oui_add_file(db, "/nonexistent/manuf", err, sizeof err), IOF_E_IO);
    iof__oui_free(db);
}

static void test_text(void)
{
    char out[16];
    ASSERT_EQ_INT(iof__dev_text(out, sizeof out, (const uint8_t *)"  a\tb\x01" "c  ", 9), 5);
    ASSERT_EQ_STR(out, "a b c");
    iof__dev_text(out, sizeof out, (const uint8_t *)"ab\0cd", 5);
    ASSERT_EQ_STR(out, "ab");
    iof__dev_text(out, sizeof out, (const uint8_t *)"x\xff\xc3", 3);
    ASSERT_EQ_STR(out, "x??");
    /* cut at a character boundary: 14 bytes of 'a' then a 3-byte character do not fit 15 */
    iof__dev_text(out, sizeof out, (const uint8_t *)"aaaaaaaaaaaaaa\xe2\x80\x99", 17);
    ASSERT_EQ_STR(out, "aaaaaaaaaaaaaa");
    ASSERT_EQ_INT(iof__dev_text(out, 1, (const uint8_t *)"abc", 3), 0);
    ASSERT_EQ_STR(out, "");
}

static const iof_test tests[] = {
    TEST(test_dhcp_and_roles), TEST(test_group_and_zero_macs), TEST(test_next_hop_by_count), TEST(test_mdns),
    TEST(test_ssdp), TEST(test_caps), TEST(test_csv_roundtrip), TEST(test_unique_names), TEST(test_shared_ip), TEST(test_shared_ips_many), TEST(test_oui), TEST(test_text), { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
