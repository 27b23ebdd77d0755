/* pcapgen: captures with exactly known content, for golden and robustness tests.
 *
 *   pcapgen [OPTIONS] -o OUT SCRIPT       packets described one per line in SCRIPT ("-" = stdin)
 *   pcapgen [OPTIONS] -o OUT --flood N    N distinct UDP flows (device 10.x -> public), 1 packet each
 *   pcapgen [OPTIONS] -o OUT --one-flow N N packets of one TCP flow, caplen 64, wire length 1514
 *   pcapgen [OPTIONS] -o OUT --mix N [--flows K]  N small packets round-robin over K flows
 *
 * OPTIONS: --pcapng  --ns  --be  --link eth|raw|sll|null|nflog  --start UNIX_SECONDS (default
 *          1719165600 = 2024-06-23T18:00:00Z)
 *          nflog: header, PACKET_HDR, HWADDR (the frame's source MAC), PAYLOAD (the IP packet),
 *          padded; TLV length/type in the file's byte order (little-endian, big with --be)
 *
 * SCRIPT lines ('#' comments):  T SRC > DST PROTO [key=value ...]
 *   T      seconds (decimal) after --start; may go backwards
 *   SRC    [MAC/]IP[:PORT]   IPv6 as [addr]:port; MAC defaults to 02:00 + the IPv4 address
 *          (IPv6: 02:00 + its last 4 bytes); ports default to 0
 *   PROTO  tcp | udp | icmp | icmp6 | igmp | a protocol number
 *   keys   len=N        N payload bytes 0,1,2,... (mod 256)       hex=0a0b..  explicit payload
 *          flags=SA     TCP flags (F S R P A U)                     vlan=100 | vlan=100,200
 *          caplen=N     cut the captured frame to N bytes (wire length unchanged)
 *          frag=N       IPv4/IPv6: send the datagram as fragments of N payload bytes (multiple of 8)
 *          fragorder=reverse   emit fragments last-first          ttl=N  id=N
 *          wire=N       claim a wire length of N (>= caplen) in the record header
 *          mpls=L | mpls=L1,L2   MPLS label stack after the VLAN tags (--link eth, no frag=)
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcap_write.h"
#include "synth/pkt.h"

static iof__pcapw *W;
static int link_type = 1; /* LINKTYPE_ETHERNET */
static bool big_endian;    /* --be: also the byte order of NFLOG TLV headers */
static int64_t start_ns = 1719165600LL * 1000000000LL;
static unsigned long long written;

static void die(const char *msg, long line)
{
    if (line)
        fprintf(stderr, "pcapgen: line %ld: %s\n", line, msg);
    else
        fprintf(stderr, "pcapgen: %s\n", msg);
    exit(1);
}

/* NFLOG TLV header: length and type in the capturing host's byte order. */
static void nflog_tlv(uint8_t *b, uint32_t len, unsigned type)
{
    unsigned v[2] = { len, type };
    for (int i = 0; i < 2; i++) {
        b[2 * i + (big_endian ? 0 : 1)] = (uint8_t)(v[i] >> 8);
        b[2 * i + (big_endian ? 1 : 0)] = (uint8_t)v[i];
    }
}

/* Writes an Ethernet frame, re-encapsulated for the chosen link type. */
static void emit(int64_t ts_ns, const uint8_t *frame, uint32_t len, uint32_t caplen, uint32_t wire)
{
    uint8_t buf[IOF_PKT_MAX_FRAME + 64];
    const uint8_t *out = frame;
    uint32_t n = len;
    if (link_type != 1) {
        /* find the L3 start after Ethernet + VLAN tags */
        uint32_t off = 12;
        uint16_t et = (uint16_t)(frame[off] << 8 | frame[off + 1]);
        while (et == 0x8100 || et == 0x88a8) {
            off += 4;
            et = (uint16_t)(frame[off] << 8 | frame[off + 1]);
        }
        off += 2;
        /* strip Ethernet padding: IP length decides */
        uint32_t iplen = (frame[off] >> 4) == 4 ? (uint32_t)(frame[off + 2] << 8 | frame[off + 3])
                                                : 40u + (uint32_t)(frame[off + 4] << 8 | frame[off + 5]);
        uint32_t hl = 0;
        if (link_type == 101) {
            hl = 0;
        } else if (link_type == 113) { /* SLL: outgoing (4), ARPHRD_ETHER, 6-byte address */
            hl = 16;
            memset(buf, 0, 16);
            buf[1] = 4;
            buf[3] = 1;
            buf[5] = 6;
            memcpy(buf + 6, frame + 6, 6);
            buf[14] = (uint8_t)(et >> 8);
            buf[15] = (uint8_t)et;
        } else if (link_type == 239) { /* NFLOG, logged on FORWARD with the sender's MAC */
            hl = 4 + 8 + 16 + 4;
            memset(buf, 0, hl);
            buf[0] = (frame[off] >> 4) == 4 ? 2 : 10;
            nflog_tlv(buf + 4, 8, 1);
            buf[8] = (uint8_t)(et >> 8);
            buf[9] = (uint8_t)et;
            buf[10] = 2; /* hook: FORWARD */
            nflog_tlv(buf + 12, 16, 8);
            buf[17] = 6; /* address length, network order */
            memcpy(buf + 20, frame + 6, 6);
            nflog_tlv(buf + 28, 4 + iplen, 9);
        } else if (link_type == 0) { /* NULL: host-endian family */
            hl = 4;
            uint32_t fam = (frame[off] >> 4) == 4 ? 2 : 30;
            memcpy(buf, &fam, 4);
        }
        memcpy(buf + hl, frame + off, iplen);
        out = buf;
        n = hl + iplen;
        while (link_type == 239 && n % 4)
            buf[n++] = 0; /* TLV padding */
        if (caplen > n || caplen == len)
            caplen = n;
        if (wire == len)
            wire = n;
    }
    if (caplen > n)
        caplen = n;
    if (iof__pcapw_write(W, 0, ts_ns, out, caplen, wire < caplen ? caplen : wire) != 0)
        die("write failed", 0);
    written++;
}

static int parse_mac(const char *s, uint8_t m[6])
{
    unsigned v[6];
    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        m[i] = (uint8_t)v[i];
    return 0;
}

/* [MAC/]IP[:PORT] */
static int parse_ep(char *s, uint8_t mac[6], uint8_t ip[16], int *ver, uint16_t *port)
{
    char *slash = strchr(s, '/');
    bool have_mac = false;
    if (slash && strchr(s, ':') && strchr(s, ':') < slash) {
        *slash = '\0';
        if (parse_mac(s, mac))
            return -1;
        have_mac = true;
        s = slash + 1;
    }
    *port = 0;
    memset(ip, 0, 16);
    if (*s == '[') {
        char *e = strchr(s, ']');
        if (!e)
            return -1;
        *e = '\0';
        if (inet_pton(AF_INET6, s + 1, ip) != 1)
            return -1;
        *ver = 6;
        if (e[1] == ':')
            *port = (uint16_t)atoi(e + 2);
    } else {
        char *c = strchr(s, ':');
        if (c) {
            *c = '\0';
            *port = (uint16_t)atoi(c + 1);
        }
        if (inet_pton(AF_INET, s, ip) != 1)
            return -1;
        *ver = 4;
    }
    if (!have_mac) {
        mac[0] = 2;
        mac[1] = 0;
        memcpy(mac + 2, *ver == 4 ? ip : ip + 12, 4);
    }
    return 0;
}

static size_t hexdecode(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (s[0] && s[1] && n < cap) {
        unsigned v;
        if (sscanf(s, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

static uint16_t ip_csum(const uint8_t *h, size_t n)
{
    return iof__csum_fold(iof__csum_partial(h, n, 0));
}

/* Sends frame (Ethernet, L3 at l3) as fragments carrying `piece` bytes of IP payload each. */
static void fragment(int64_t ts, uint8_t *frame, uint32_t l3, bool reverse, uint32_t piece, int ver, long line)
{
    static uint8_t out[IOF_PKT_MAX_FRAME + 64];
    uint8_t *ip = frame + l3;
    uint32_t hl, total, plen;
    if (ver == 4) {
        hl = (uint32_t)(ip[0] & 15) * 4;
        total = (uint32_t)(ip[2] << 8 | ip[3]);
    } else {
        hl = 40;
        total = 40 + (uint32_t)(ip[4] << 8 | ip[5]);
    }
    plen = total - hl;
    if (piece == 0 || piece % 8)
        die("frag=N needs a multiple of 8", line);
    uint32_t nfr = (plen + piece - 1) / piece;
    for (uint32_t i = 0; i < nfr; i++) {
        uint32_t k = reverse ? nfr - 1 - i : i;
        uint32_t off = k * piece, n = plen - off < piece ? plen - off : piece;
        bool more = off + n < plen;
        uint32_t pos = 0;
        memcpy(out, frame, l3);
        pos = l3;
        if (ver == 4) {
            memcpy(out + pos, ip, hl);
            uint8_t *h = out + pos;
            uint32_t tl = hl + n;
            h[2] = (uint8_t)(tl >> 8);
            h[3] = (uint8_t)tl;
            uint16_t fo = (uint16_t)((off / 8) | (more ? 0x2000 : 0));
            h[6] = (uint8_t)(fo >> 8);
            h[7] = (uint8_t)fo;
            h[10] = h[11] = 0;
            uint16_t c = ip_csum(h, hl);
            h[10] = (uint8_t)(c >> 8);
            h[11] = (uint8_t)c;
            pos += hl;
        } else {
            memcpy(out + pos, ip, 40);
            uint8_t *h = out + pos;
            uint8_t nh = h[6];
            h[6] = 44;
            uint32_t pl = 8 + n;
            h[4] = (uint8_t)(pl >> 8);
            h[5] = (uint8_t)pl;
            pos += 40;
            uint8_t fh[8] = { nh, 0, (uint8_t)((off >> 8) & 0xff), (uint8_t)((off & 0xf8) | (more ? 1 : 0)),
                              0x12, 0x34, 0x56, 0x78 };
            memcpy(out + pos, fh, 8);
            pos += 8;
        }
        memcpy(out + pos, ip + hl + off, n);
        pos += n;
        while (pos < 60)
            out[pos++] = 0;
        emit(ts, out, pos, pos, pos);
    }
}

static void script(FILE *in)
{
    char line[8192];
    long ln = 0;
    static uint8_t payload[65536], frame[IOF_PKT_MAX_FRAME + 64];
    while (fgets(line, sizeof(line), in)) {
        ln++;
        char *h = strchr(line, '#');
        if (h)
            *h = '\0';
        char *tok[64];
        int nt = 0;
        for (char *save = NULL, *t = strtok_r(line, " \t\r\n", &save); t && nt < 64; t = strtok_r(NULL, " \t\r\n", &save))
            tok[nt++] = t;
        if (nt == 0)
            continue;
        if (nt < 5 || strcmp(tok[2], ">") != 0)
            die("expected: T SRC > DST PROTO [key=value...]", ln);
        int64_t ts = start_ns + (int64_t)(strtod(tok[0], NULL) * 1e9 + (tok[0][0] == '-' ? -0.5 : 0.5));
        uint8_t smac[6], dmac[6], sip[16], dip[16];
        int sv, dv;
        iof__pktspec s;
        memset(&s, 0, sizeof(s));
        if (parse_ep(tok[1], smac, sip, &sv, &s.sport) || parse_ep(tok[3], dmac, dip, &dv, &s.dport) || sv != dv)
            die("bad endpoint", ln);
        s.src_mac = smac;
        s.dst_mac = dmac;
        s.src_ip = sip;
        s.dst_ip = dip;
        s.ipver = sv;
        s.ttl = 64;
        s.win = 65535;
        const char *pr = tok[4];
        s.proto = strcmp(pr, "tcp") == 0 ? 6 : strcmp(pr, "udp") == 0 ? 17 : strcmp(pr, "icmp") == 0 ? 1
                : strcmp(pr, "icmp6") == 0 ? 58 : strcmp(pr, "igmp") == 0 ? 2 : (uint8_t)atoi(pr);
        if (s.proto == 1 || s.proto == 58) {
            s.icmp_type = s.proto == 1 ? 8 : 128;
            s.sport = s.dport = 0;
        }
        if (s.proto == 6)
            s.tcp_flags = IOF_TCP_ACK;
        size_t plen = 0;
        long caplen = -1, wire = -1, frag = 0;
        bool reverse = false;
        unsigned mpls[2];
        int n_mpls = 0;
        for (int i = 5; i < nt; i++) {
            char *eq = strchr(tok[i], '=');
            if (!eq)
                die("expected key=value", ln);
            *eq = '\0';
            const char *k = tok[i], *v = eq + 1;
            if (strcmp(k, "len") == 0) {
                plen = (size_t)atol(v);
                if (plen > 65000)
                    die("len too large", ln);
                for (size_t j = 0; j < plen; j++)
                    payload[j] = (uint8_t)j;
            } else if (strcmp(k, "hex") == 0) {
                plen = hexdecode(v, payload, sizeof(payload));
            } else if (strcmp(k, "flags") == 0) {
                s.tcp_flags = 0;
                for (const char *f = v; *f; f++)
                    s.tcp_flags |= (uint8_t)(*f == 'F' ? 1 : *f == 'S' ? 2 : *f == 'R' ? 4 : *f == 'P' ? 8
                                           : *f == 'A' ? 16 : *f == 'U' ? 32 : 0);
            } else if (strcmp(k, "vlan") == 0) {
                s.n_vlan = sscanf(v, "%hu,%hu", &s.vlan[0], &s.vlan[1]);
            } else if (strcmp(k, "mpls") == 0) {
                n_mpls = sscanf(v, "%u,%u", &mpls[0], &mpls[1]);
            } else if (strcmp(k, "caplen") == 0) {
                caplen = atol(v);
            } else if (strcmp(k, "wire") == 0) {
                wire = atol(v);
            } else if (strcmp(k, "frag") == 0) {
                frag = atol(v);
            } else if (strcmp(k, "fragorder") == 0) {
                reverse = strcmp(v, "reverse") == 0;
            } else if (strcmp(k, "ttl") == 0) {
                s.ttl = (uint8_t)atoi(v);
            } else if (strcmp(k, "id") == 0) {
                s.ip_id = (uint16_t)atoi(v);
            } else {
                die("unknown key", ln);
            }
        }
        if (s.proto == 2 && plen < 8) {
            static const uint8_t igmp[8] = { 0x16, 0, 0, 0, 224, 0, 0, 251 };
            memcpy(payload, igmp, 8);
            plen = 8;
        }
        s.payload = payload;
        s.payload_len = plen;
        size_t n = iof__pkt_build(frame, sizeof(frame), &s);
        if (!n)
            die("cannot build the packet", ln);
        if (n_mpls > 0) {
            if (link_type != 1 || frag)
                die("mpls= needs --link eth and no frag=", ln);
            size_t at = 14 + 4u * (size_t)s.n_vlan; /* after the last ethertype */
            frame[at - 2] = 0x88;
            frame[at - 1] = 0x47;
            memmove(frame + at + 4u * (size_t)n_mpls, frame + at, n - at);
            for (int j = 0; j < n_mpls; j++) {
                uint32_t e = (uint32_t)mpls[j] << 12 | (j == n_mpls - 1 ? 0x100u : 0) | 64;
                for (int b = 0; b < 4; b++)
                    frame[at + 4u * (size_t)j + (size_t)b] = (uint8_t)(e >> (24 - 8 * b));
            }
            n += 4u * (size_t)n_mpls;
        }
        if (frag) {
            uint32_t l3 = 14 + 4u * (uint32_t)s.n_vlan;
            fragment(ts, frame, l3, reverse, (uint32_t)frag, s.ipver, ln);
            continue;
        }
        uint32_t cl = caplen >= 0 && (size_t)caplen < n ? (uint32_t)caplen : (uint32_t)n;
        uint32_t wl = wire >= 0 ? (uint32_t)wire : (uint32_t)n;
        emit(ts, frame, (uint32_t)n, cl, wl);
    }
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* N distinct UDP five-tuples, one packet each (R2 flood). */
static void flood(unsigned long long nflows)
{
    uint8_t frame[128], payload[16] = { 0 };
    uint8_t smac[6] = { 2, 0, 0, 0, 0, 1 }, dmac[6] = { 2, 0, 0, 0, 0, 2 };
    for (unsigned long long i = 0; i < nflows; i++) {
        uint8_t sip[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
        uint64_t r = next_rand();
        uint8_t dip[4] = { (uint8_t)(11 + (r % 89)), /* public: 11..99 */ (uint8_t)(r >> 8), (uint8_t)(r >> 16), (uint8_t)(r >> 24) };
        iof__pktspec s = { .src_mac = smac, .dst_mac = dmac, .ipver = 4, .src_ip = sip, .dst_ip = dip, .ttl = 64,
                          .proto = 17, .sport = (uint16_t)(1024 + (i >> 24)), .dport = 53,
                          .payload = payload, .payload_len = sizeof(payload) };
        size_t n = iof__pkt_build(frame, sizeof(frame), &s);
        emit(start_ns + (int64_t)i * 1000, frame, (uint32_t)n, (uint32_t)n, (uint32_t)n);
    }
}

/* N packets spread round-robin over K flows (device 192.168.x -> public), both directions,
 * small payloads: the packet-rate benchmark shape (many packets per record). */
static void mix(unsigned long long npk, unsigned long long nflows)
{
    uint8_t frame[256], payload[64];
    for (int i = 0; i < 64; i++)
        payload[i] = (uint8_t)(i * 7);
    for (unsigned long long i = 0; i < npk; i++) {
        unsigned long long f = i % nflows;
        bool up = (i / nflows) % 2 == 0;
        uint8_t dev[4] = { 192, 168, (uint8_t)(f >> 8), (uint8_t)f }, rem[4] = { 52, (uint8_t)(f >> 16), (uint8_t)(f >> 8), (uint8_t)f };
        uint8_t dmac[6] = { 2, 0, 192, 168, (uint8_t)(f >> 8), (uint8_t)f }, rmac[6] = { 2, 0, 0, 0, 0, 1 };
        iof__pktspec s = { .src_mac = up ? dmac : rmac, .dst_mac = up ? rmac : dmac, .ipver = 4,
                          .src_ip = up ? dev : rem, .dst_ip = up ? rem : dev, .ttl = 64,
                          .proto = (f & 1) ? 17 : 6, .sport = up ? (uint16_t)(10000 + f % 50000) : 443,
                          .dport = up ? 443 : (uint16_t)(10000 + f % 50000), .tcp_flags = IOF_TCP_ACK,
                          .win = 1000, .payload = payload, .payload_len = (size_t)(i % 5) * 16 };
        size_t n = iof__pkt_build(frame, sizeof(frame), &s);
        emit(start_ns + (int64_t)i * 20000, frame, (uint32_t)n, (uint32_t)n, (uint32_t)n);
    }
}

/* One long TCP flow: caplen 64, wire 1514 (R9: 64-bit byte counters). */
static void one_flow(unsigned long long npk)
{
    static uint8_t frame[1600], payload[1460];
    uint8_t smac[6] = { 2, 0, 10, 0, 0, 1 }, dmac[6] = { 2, 0, 0, 0, 0, 2 };
    uint8_t sip[4] = { 10, 0, 0, 1 }, dip[4] = { 93, 184, 216, 34 };
    iof__pktspec s = { .src_mac = smac, .dst_mac = dmac, .ipver = 4, .src_ip = sip, .dst_ip = dip, .ttl = 64,
                      .proto = 6, .sport = 40000, .dport = 443, .tcp_flags = IOF_TCP_ACK, .win = 1000,
                      .payload = payload, .payload_len = sizeof(payload) };
    size_t n = iof__pkt_build(frame, sizeof(frame), &s);
    for (unsigned long long i = 0; i < npk; i++)
        emit(start_ns + (int64_t)i * 10000, frame, (uint32_t)n, 64, (uint32_t)n);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, 0, 'o' }, { "pcapng", no_argument, 0, 'g' },
        { "ns", no_argument, 0, 'n' }, { "be", no_argument, 0, 'b' }, { "link", required_argument, 0, 'l' },
        { "start", required_argument, 0, 's' }, { "flood", required_argument, 0, 'F' },
        { "one-flow", required_argument, 0, 'O' }, { "mix", required_argument, 0, 'M' },
        { "flows", required_argument, 0, 'K' }, { 0, 0, 0, 0 },
    };
    const char *out = NULL;
    iof__pcapw_opts o = { .pcapng = false, .nanosecond = false, .big_endian = false, .linktype = 1 };
    unsigned long long nflood = 0, nflow = 0, nmix = 0, kflows = 1000;
    int c;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'g': o.pcapng = true; break;
        case 'n': o.nanosecond = true; break;
        case 'b': o.big_endian = true; break;
        case 'l':
            link_type = strcmp(optarg, "raw") == 0 ? 101 : strcmp(optarg, "sll") == 0 ? 113
                      : strcmp(optarg, "null") == 0 ? 0 : strcmp(optarg, "nflog") == 0 ? 239 : 1;
            break;
        case 's': start_ns = (int64_t)(strtod(optarg, NULL) * 1e9); break;
        case 'F': nflood = strtoull(optarg, NULL, 10); break;
        case 'O': nflow = strtoull(optarg, NULL, 10); break;
        case 'M': nmix = strtoull(optarg, NULL, 10); break;
        case 'K': kflows = strtoull(optarg, NULL, 10); if (!kflows) kflows = 1; break;
        default: die("usage: pcapgen [--pcapng] [--ns] [--be] [--link L] [--start S] -o OUT (SCRIPT | --flood N | --one-flow N)", 0);
        }
    }
    if (!out)
        die("-o OUT is required", 0);
    o.linktype = (uint32_t)link_type;
    big_endian = o.big_endian;
    FILE *fp = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
    if (!fp)
        die("cannot open the output", 0);
    static char obuf[1 << 20];
    setvbuf(fp, obuf, _IOFBF, sizeof(obuf));
    if (iof__pcapw_open(&W, fp, &o) != 0)
        die("cannot write the header", 0);
    if (nflood)
        flood(nflood);
    else if (nflow)
        one_flow(nflow);
    else if (nmix)
        mix(nmix, kflows);
    else {
        if (optind >= argc)
            die("give a SCRIPT (or - for stdin), --flood N or --one-flow N", 0);
        FILE *in = strcmp(argv[optind], "-") == 0 ? stdin : fopen(argv[optind], "r");
        if (!in)
            die("cannot open the script", 0);
        script(in);
        if (in != stdin)
            fclose(in);
    }
    if (iof__pcapw_close(W) != 0 || (fp != stdout && fclose(fp) != 0) || (fp == stdout && fflush(fp) != 0))
        die("write failed", 0);
    fprintf(stderr, "pcapgen: %llu packets\n", written);
    return 0;
}
