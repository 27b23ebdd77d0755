/* Attacks: windows as fractions of the duration, units (a scan target, a flood connection, a
 * brute-force attempt) that each open a key no benign traffic uses, and the ratio control that
 * starts a unit only while the attack share of truth records stays at --attack-ratio. At the
 * end, labels.rules: each attack that started a unit as a label rule (its actors and its time
 * window, from the first unit to the last frame) that labels its records as truth.csv does. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/timefmt.h"
#include "synth/synth_int.h"

/* The attacks, in g->atk in this order (attacks_init). */
enum { A_RECON, A_BRUTE, A_SCAN, A_SYN, A_UDP, A_HTTP };

static int udpflood_refill(gen *g, conv *c);
static int c2_refill(gen *g, conv *c);

static double attack_target(const gen *g)
{
    double R = g->cfg->attack_ratio;
    return R / (1 - R) * (double)(g->rows - g->rows_atk);
}

/* Projected total attack records for the whole capture (linear extrapolation). */
static double attack_projection(const gen *g)
{
    double el = (double)(g->now - g->t0), tot = (double)(g->tend - g->t0);
    if (el < tot * 0.05)
        el = tot * 0.05;
    return attack_target(g) * tot / el;
}

/* A unit was started (c: its conversation, whose frames then count for a->last_frame). */
static void attack_unit_note(gen *g, attack *a, conv *c, const char *devs, const char *details)
{
    c->atk = (uint8_t)(a - g->atk + 1);
    if (a->evrow < 0) {
        a->first = g->now;
        a->evrow = iof__sy_add_event(g, g->now, g->now, a->kind, devs, details);
    }
    a->last = g->now;
    if (g->pending_t != g->now) {
        g->pending_t = g->now;
        g->pending = 0;
    }
    g->pending++; /* its first packet fires right after this tick, at the same time */
    if (a->evrow >= 0)
        g->evs[a->evrow].end = g->now;
    a->made++;
}

static int attack_allowed(gen *g, attack *a, int filler)
{
    double have = (double)g->rows_atk + (g->pending_t == g->now ? (double)g->pending : 0);
    if (filler)
        return have + 1 <= attack_target(g) + 0.5;
    return (double)a->made < a->quota * attack_projection(g) && have + 1 <= attack_target(g) + 0.5;
}

static const uint16_t scan_ports[] = {21, 22, 23, 25, 53, 80, 81, 110, 135, 139, 143, 443, 445,
                                      554, 1883, 1900, 2323, 3389, 5000, 5353, 5683, 8000, 8008,
                                      8009, 8080, 8443, 8883, 9000, 49152, 55443};

static int port_open(int type, uint16_t p)
{
    switch (type) {
    case T_CAMERA: return p == 80 || p == 554 || p == 55443;
    case T_VOICE: return p == 8008 || p == 8009 || p == 8443;
    case T_GATEWAY: return p == 80;
    case T_NAS: return p == 139 || p == 445 || p == 22 || p == 5000;
    case T_PLUG: return p == 23 || p == 80;
    default: return 0;
    }
}

static void recon_tick(gen *g, ev *e)
{
    attack *a = (attack *)(void *)((char *)e - offsetof(attack, tick)); /* container_of */
    if (g->now >= a->to)
        return;
    int64_t step_us = 20 * MS;
    /* phase 0: ARP sweep of the /24 (no records); phase 1: ping sweep of the devices that
     * answered; phase 2: SYN scan of every live device over the port list */
    if (a->cursor < 254) {
        int hostn = ++a->cursor;
        uint8_t tip[4] = {192, 168, 1, (uint8_t)hostn};
        conv *c = iof__sy_conv_lan(g, NULL, g->atk_mac, g->atk_ip, 0, 64, bcast_mac, tip, 0, 64, 0,
                                   LBL_RECON);
        if (c) {
            iof__sy_add_step(c, S_ARP, 0, P_NONE, 0, 0);
            host *h = iof__sy_find_host_ip(g, tip);
            if (h) {
                c->side[1].mac = h->mac;
                iof__sy_add_step(c, S_ARP, 1, P_NONE, 0, 400);
            } else if (memcmp(tip, g->router_ip, 4) == 0) {
                c->side[1].mac = g->router_mac;
                iof__sy_add_step(c, S_ARP, 1, P_NONE, 0, 400);
            }
            iof__sy_start(g, c, g->now);
        }
        if (a->evrow < 0) {
            a->first = g->now;
            a->evrow = iof__sy_add_event(g, g->now, g->now, a->kind, "attacker 192.168.1.66",
                                         "ARP sweep 192.168.1.1-254, ping sweep, SYN port scan");
        }
        iof__sy_push(g, e, g->now + 2 * MS);
        return;
    }
    int ndev = g->ndev + 1;
    int i = a->cursor - 254;
    if (i < ndev) { /* ping sweep */
        if (attack_allowed(g, a, 0)) {
            host *h = &g->dev[i];
            conv *c = iof__sy_conv_lan(g, h, g->atk_mac, g->atk_ip, 0, 64, h->mac, h->ip, 0, h->ttl,
                                       1, LBL_RECON);
            if (c) {
                iof__sy_use_host_ipid(c, 1, h);
                c->aux = (uint32_t)(0x4d00 + i) | 1u << 16;
                iof__sy_add_step(c, S_ICMP, 0, P_NONE, 0, 0);
                c->st[0].aux = 8;
                iof__sy_add_step(c, S_ICMP, 1, P_NONE, 0, 600);
                c->st[1].aux = 0;
                iof__sy_start(g, c, g->now);
                attack_unit_note(g, a, c, "attacker 192.168.1.66", "");
            }
        }
        a->cursor++;
        iof__sy_push(g, e, g->now + step_us);
        return;
    }
    int j = i - ndev;
    int np = (int)(sizeof scan_ports / sizeof scan_ports[0]);
    if (j >= ndev * np)
        return;
    if (attack_allowed(g, a, 0)) {
        host *h = &g->dev[j % ndev];
        uint16_t port = scan_ports[j / ndev];
        conv *c = iof__sy_conv_lan(g, h, g->atk_mac, g->atk_ip, a->sport, 64, h->mac, h->ip, port,
                                   h->ttl, 6, LBL_RECON);
        if (c) {
            iof__sy_use_host_ipid(c, 1, h);
            c->side[0].win = 1024;
            iof__sy_add_step(c, S_SYN, 0, P_NONE, 0, 0);
            if (port_open(h->type, port)) {
                iof__sy_add_step(c, S_SYNACK, 1, P_NONE, 0, 400);
                iof__sy_add_step(c, S_RST, 0, P_NONE, 0, 300);
            } else {
                iof__sy_add_step(c, S_RST, 1, P_NONE, 0, 400);
                c->st[1].flags = IOF_TCP_RST | IOF_TCP_ACK;
                c->side[1].seq = 0;
            }
            iof__sy_start(g, c, g->now);
            attack_unit_note(g, a, c, "attacker 192.168.1.66", "");
        }
    }
    a->cursor++;
    iof__sy_push(g, e, g->now + 5 * MS);
}

static const uint8_t brute_ip[4] = {185, 244, 25, 146}; /* the brute-force attacker */

static const char *const creds[][2] = {{"root", "xc3511"}, {"admin", "admin"}, {"root", "vizxv"},
                                       {"root", "888888"}, {"support", "support"},
                                       {"root", "default"}, {"admin", "1234"}, {"root", "54321"}};

static void bruteforce_tick(gen *g, ev *e)
{
    attack *a = (attack *)(void *)((char *)e - offsetof(attack, tick)); /* container_of */
    host *v = g->infected[0];
    if (!v || g->now >= a->to)
        return;
    int last = a->cursor >= 7 || g->now + 4 * SEC >= a->to;
    if (attack_allowed(g, a, 0) || last) {
        int k = a->cursor % 8;
        conv *c = iof__sy_conv_lan(g, v, g->router_mac, brute_ip,
                                   (uint16_t)(40000 + iof__rng_below(&g->rng, 20000)), 49, v->mac,
                                   v->ip, 23, v->ttl, 6, LBL_MIRAI);
        if (c) {
            iof__sy_use_host_ipid(c, 1, v);
            c->half_rtt = 40 * MS;
            iof__sy_tcp_open(c, 80 * MS);
            iof__sy_add_step(c, S_DATA, 1, P_TELNET_NEG, 0, 5 * MS);
            iof__sy_add_step(c, S_DATA, 1, P_TELNET, 0, 100 * MS);
            c->st[c->nst - 1].text = "\r\nlogin: ";
            iof__sy_add_step(c, S_DATA, 0, P_TELNET, 0, 200 * MS);
            c->st[c->nst - 1].text = creds[k][0];
            iof__sy_add_step(c, S_DATA, 1, P_TELNET, 0, 50 * MS);
            c->st[c->nst - 1].text = "\r\nPassword: ";
            iof__sy_add_step(c, S_DATA, 0, P_TELNET, 0, 200 * MS);
            c->st[c->nst - 1].text = creds[k][1];
            iof__sy_add_step(c, S_DATA, 1, P_TELNET, 0, 300 * MS);
            c->st[c->nst - 1].text = last ? "\r\n# " : "\r\nLogin incorrect\r\n";
            if (last) {
                iof__sy_add_step(c, S_DATA, 0, P_TELNET, 0, 200 * MS);
                c->st[c->nst - 1].text =
                    "enable\r\nsystem\r\nshell\r\nsh\r\n/bin/busybox MIRAI\r\n";
                iof__sy_add_step(c, S_DATA, 1, P_TELNET, 0, 100 * MS);
                c->st[c->nst - 1].text = "MIRAI: applet not found\r\n# ";
            }
            iof__sy_tcp_close(c, 100 * MS);
            iof__sy_start(g, c, g->now);
            char devs[64];
            snprintf(devs, sizeof devs, "%s", v->name);
            attack_unit_note(g, a, c, devs, "telnet credential brute force from 185.244.25.146 to "
                                            "port 23; last attempt succeeds (infection)");
        }
        if (last) {
            for (int i = 0; i < g->ninfected; i++)
                g->infected[i]->infected = 1;
            return;
        }
    }
    a->cursor++;
    iof__sy_push(g, e, g->now + 1500 * MS);
}

static const uint8_t c2_ip[4] = {45, 95, 168, 97};
static const uint8_t victim_ip[4] = {93, 184, 216, 34};

static void scan_tick(gen *g, ev *e)
{
    attack *a = (attack *)(void *)((char *)e - offsetof(attack, tick)); /* container_of */
    if (g->now >= a->to || g->now >= g->tend)
        return;
    for (int i = 0; i < 1; i++) { /* the first infected device holds the C2 connection */
        host *d = g->infected[i];
        if (!d->infected)
            continue;
        if (!g->c2[i]) { /* C2 connection (port 23), beacons every 60 s */
            conv *c = iof__sy_conv_lan(g, d, d->mac, d->ip, iof__sy_eph_port(d), d->ttl,
                                       g->router_mac, c2_ip, 23, 51, 6, LBL_MIRAI);
            if (c) {
                iof__sy_use_host_ipid(c, 0, d);
                c->half_rtt = 35 * MS;
                iof__sy_tcp_open(c, 70 * MS);
                c->refill = c2_refill;
                iof__sy_start(g, c, g->now);
                g->c2[i] = c;
                attack_unit_note(g, a, c, d->name, "");
            }
        }
    }
    int burst = 0, max_burst = 8 + (int)(g->prof->scan_burst_per_scale * g->scale);
    while (burst < max_burst && attack_allowed(g, a, 1)) {
        host *d = g->infected[burst % g->ninfected];
        if (!d->infected)
            break;
        uint8_t tip[4];
        iof__sy_random_public(&g->rng, tip);
        uint16_t dport = iof__rng_below(&g->rng, 10) == 0 ? 2323 : 23;
        conv *c =
            iof__sy_conv_lan(g, d, d->mac, d->ip, (uint16_t)(1024 + iof__rng_below(&g->rng, 64000)),
                             d->ttl, g->router_mac, tip, dport, 50, 6, LBL_MIRAI);
        if (!c)
            break;
        iof__sy_use_host_ipid(c, 0, d);
        c->side[0].seq =
            (uint32_t)tip[0] << 24 | (uint32_t)tip[1] << 16 | (uint32_t)tip[2] << 8 | tip[3];
        c->side[0].win = (uint16_t)(iof__rng_next(&g->rng) | 1);
        iof__sy_add_step(c, S_SYN, 0, P_NONE, 0, 0);
        uint64_t r = iof__rng_below(&g->rng, 100);
        if (r < 12) {
            iof__sy_add_step(c, S_RST, 1, P_NONE, 0, iof__sy_wan_rtt(g));
            c->st[1].flags = IOF_TCP_RST | IOF_TCP_ACK;
            c->side[1].seq = 0;
        } else if (r < 15) {
            iof__sy_add_step(c, S_SYNACK, 1, P_NONE, 0, iof__sy_wan_rtt(g));
            iof__sy_add_step(c, S_RST, 0, P_NONE, 0, 200);
        }
        iof__sy_start(g, c, g->now);
        attack_unit_note(g, a, c, d->name, "");
        burst++;
    }
    iof__sy_push(g, e, g->now + 25 * MS);
}

static void ddos_tick(gen *g, ev *e)
{
    attack *a = (attack *)(void *)((char *)e - offsetof(attack, tick)); /* container_of */
    if (g->now >= a->to)
        return;
    int64_t next = g->now + 50 * MS;
    for (int i = 0; i < g->ninfected; i++) {
        host *d = g->infected[i];
        if (!d->infected)
            continue;
        if (!strcmp(a->kind, "ddos_syn")) {
            for (int k = 0; k < 4 && attack_allowed(g, a, 0); k++) {
                conv *c = iof__sy_conv_lan(g, d, d->mac, d->ip,
                                           (uint16_t)(1024 + iof__rng_below(&g->rng, 64000)),
                                           d->ttl, g->router_mac, victim_ip, 80, 53, 6, LBL_DDOS);
                if (!c)
                    break;
                iof__sy_use_host_ipid(c, 0, d);
                iof__sy_add_step(c, S_SYN, 0, P_NONE, 0, 0);
                if (iof__rng_below(&g->rng, 3) == 0) {
                    iof__sy_add_step(c, S_SYNACK, 1, P_NONE, 0, iof__sy_wan_rtt(g));
                    iof__sy_add_step(c, S_RST, 0, P_NONE, 0, 100);
                }
                iof__sy_start(g, c, g->now);
                attack_unit_note(g, a, c, d->name, "SYN flood to 93.184.216.34:80");
            }
        } else if (!strcmp(a->kind, "ddos_udp")) {
            /* bursts of 20 s with a fixed (sport, dport); one unit per burst */
            if (a->made == 0 || g->now >= a->last + 20 * SEC) {
                if (!attack_allowed(g, a, 0) && a->made)
                    break;
                /* the destination port is drawn first: the order the generator has always had
                 * (as two call arguments, the order was the compiler's) */
                uint16_t dport = (uint16_t)(40000 + iof__rng_below(&g->rng, 10000));
                uint16_t sport = (uint16_t)(1024 + iof__rng_below(&g->rng, 64000));
                conv *c = iof__sy_conv_lan(g, d, d->mac, d->ip, sport, d->ttl, g->router_mac,
                                           victim_ip, dport, 53, 17, LBL_DDOS);
                if (!c)
                    break;
                iof__sy_use_host_ipid(c, 0, d);
                int n = (int)(300 * g->scale);
                if (n > MAX_STEP)
                    n = MAX_STEP;
                c->until = g->now + 19 * SEC;
                for (int k = 0; k < n; k++) {
                    iof__sy_add_step(c, S_UDP, 0, P_UDPFLOOD, 512,
                                     k ? (int64_t)g->prof->flood_gap_us : 0);
                }
                c->refill = udpflood_refill;
                iof__sy_start(g, c, g->now);
                attack_unit_note(g, a, c, d->name,
                                 "UDP flood (512-byte datagrams) to 93.184.216.34");
            }
        } else { /* ddos_http */
            for (int k = 0; k < 2 && attack_allowed(g, a, 0); k++) {
                conv *c = iof__sy_conv_lan(g, d, d->mac, d->ip, iof__sy_eph_port(d), d->ttl,
                                           g->router_mac, victim_ip, 80, 53, 6, LBL_DDOS);
                if (!c)
                    break;
                iof__sy_use_host_ipid(c, 0, d);
                c->host_name = "www.example-victim.com";
                iof__sy_tcp_open(c, iof__sy_wan_rtt(g));
                iof__sy_add_step(c, S_DATA, 0, P_HTTPGET, 0, 100);
                iof__sy_add_step(c, S_DATA, 1, P_HTMLRESP, 0, c->half_rtt + 2 * MS);
                iof__sy_tcp_close(c, 1 * MS);
                iof__sy_start(g, c, g->now);
                attack_unit_note(g, a, c, d->name, "HTTP GET flood to 93.184.216.34:80");
            }
        }
    }
    iof__sy_push(g, e, next);
}

/* UDP flood conversations refill themselves until their 'until' time (one key per burst). */
static int udpflood_refill(gen *g, conv *c)
{
    if (g->now >= c->until || g->now >= g->tend)
        return 0;
    int64_t gap = (int64_t)(g->prof->flood_gap_us / g->scale);
    if (gap < 20)
        gap = 20;
    for (int k = 0; k < MAX_STEP; k++)
        iof__sy_add_step(c, S_UDP, 0, P_UDPFLOOD, 512, gap);
    return 1;
}

static int c2_refill(gen *g, conv *c)
{
    if (g->now >= g->tend)
        return 0;
    iof__sy_add_step(c, S_DATA, 0, P_C2, 0, (int64_t)(60 * SEC / g->scale));
    return 1;
}

void iof__sy_attacks_init(gen *g)
{
    if (!(g->cfg->attack_ratio > 0))
        return;
    int64_t T = g->tend - g->t0;
    struct { const char *kind; int label; double f0, f1, quota; fire_fn fn; } plan[] = {
        [A_RECON] = {"recon_scan", LBL_RECON, 0.10, 0.22, 0.15, recon_tick},
        [A_BRUTE] = {"mirai_bruteforce", LBL_MIRAI, 0.24, 0.30, 0.04, bruteforce_tick},
        [A_SCAN] = {"mirai_scan_c2", LBL_MIRAI, 0.30, 1.01, 1.0, scan_tick},
        [A_SYN] = {"ddos_syn", LBL_DDOS, 0.45, 0.50, 0.10, ddos_tick},
        [A_UDP] = {"ddos_udp", LBL_DDOS, 0.60, 0.66, 0.02, ddos_tick},
        [A_HTTP] = {"ddos_http", LBL_DDOS, 0.78, 0.83, 0.08, ddos_tick},
    };
    for (size_t i = 0; i < sizeof plan / sizeof plan[0]; i++) {
        attack *a = &g->atk[g->natk++];
        a->kind = plan[i].kind;
        a->label = plan[i].label;
        a->from = g->t0 + (int64_t)(plan[i].f0 * (double)T);
        a->to = g->t0 + (int64_t)(plan[i].f1 * (double)T);
        a->quota = plan[i].quota;
        a->evrow = -1;
        a->sport = (uint16_t)(40000 + iof__rng_below(&g->rng, 20000));
        a->tick.fire = plan[i].fn;
        iof__sy_push(g, &a->tick, a->from);
    }
}

/* ---- labels.rules --------------------------------------------------------------------- */

#define AND "\n    and " /* a rule's condition: one term per line */

static void put_ip(iof__tbuf *b, const uint8_t ip[4])
{
    iof__sy_tb_printf(b, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
}

/* "device.addr A" or "device.addr {A, B}": the devices attack traffic leaves from. */
static void put_infected(const gen *g, iof__tbuf *b)
{
    iof__tb_puts(b, g->ninfected > 1 ? "device.addr {" : "device.addr ");
    for (int i = 0; i < g->ninfected; i++) {
        iof__tb_puts(b, i ? ", " : "");
        put_ip(b, g->infected[i]->ip);
    }
    iof__tb_puts(b, g->ninfected > 1 ? "}" : "");
}

/* "plug-2 (192.168.1.105) and camera-1 (192.168.1.101)" */
static void put_infected_names(const gen *g, iof__tbuf *b)
{
    for (int i = 0; i < g->ninfected; i++) {
        iof__sy_tb_printf(b, "%s%s (", i ? " and " : "", g->infected[i]->name);
        put_ip(b, g->infected[i]->ip);
        iof__tb_putc(b, ')');
    }
}

/* `rule "KIND": label = "LABEL" if (` */
static void put_rule_head(iof__tbuf *b, const attack *a)
{
    iof__sy_tb_printf(b, "rule \"%s\": label = \"%s\" if (", a->kind, lbl_name[a->label]);
}

/* The records of an attack start from its first unit's first frame up to its last frame (a
 * unidirectional record starts at the device's first packet: a reply to a scan or a brute-force
 * connection), both included. Closes the condition. */
static void put_window(iof__tbuf *b, const attack *a)
{
    char from[IOF_UTC_TEXT], to[IOF_UTC_TEXT];
    iof__utc_text(from, sizeof from, a->first, true);
    iof__utc_text(to, sizeof to, a->last_frame, true);
    iof__sy_tb_printf(b, AND "time in [%s, %s])\n", from, to);
}

/* One attack: what it is (comment), then its rule. */
static void attack_rule(const gen *g, const attack *a, iof__tbuf *b)
{
    const host *v = g->infected[0];
    long id = a - g->atk;
    double span = (double)(g->tend - g->t0);
    iof__sy_tb_printf(b, "\n# %s: planned for %.0f-%.0f %% of the capture", a->kind,
                      100.0 * (double)(a->from - g->t0) / span,
                      id == A_SCAN ? 100.0 : 100.0 * (double)(a->to - g->t0) / span);
    if (!a->made) {
        iof__tb_puts(b, a->evrow >= 0 ? "; its ARP sweep ran (events.csv), but the ratio\n"
                                        "# control started no ping or scan: no record, no rule\n"
                                      : "; the ratio control started no unit:\n"
                                        "# no record, no rule\n");
        return;
    }
    switch (id) {
    case A_RECON:
        iof__tb_puts(b, ". The LAN attacker ");
        put_ip(b, g->atk_ip);
        iof__sy_tb_printf(b, " (not in the\n# inventory) pings the devices, then SYN-scans %zu "
                             "ports of each from source port %u;\n# its ARP sweep opens no "
                             "record.\n",
                          sizeof scan_ports / sizeof scan_ports[0], a->sport);
        put_rule_head(b, a);
        iof__tb_puts(b, "remote.addr ");
        put_ip(b, g->atk_ip);
        iof__sy_tb_printf(b, AND "(proto icmp or (proto tcp and remote.port %u and device.port {",
                          a->sport);
        for (size_t i = 0; i < sizeof scan_ports / sizeof scan_ports[0]; i++)
            iof__sy_tb_printf(b, "%s%u", i ? ", " : "", scan_ports[i]);
        iof__tb_puts(b, "}))");
        break;
    case A_BRUTE:
        iof__tb_puts(b, ".\n# ");
        put_ip(b, brute_ip);
        iof__sy_tb_printf(b, " tries Mirai's telnet credentials on %s, one pair per connection;"
                             "\n# the last attempt succeeds and infects ",
                          v->name);
        put_infected_names(g, b);
        iof__tb_puts(b, ".\n");
        put_rule_head(b, a);
        iof__tb_puts(b, "proto tcp" AND "remote.addr ");
        put_ip(b, brute_ip);
        iof__tb_puts(b, AND "device.addr ");
        put_ip(b, v->ip);
        iof__tb_puts(b, AND "device.port 23");
        break;
    case A_SCAN:
        iof__tb_puts(b, ".\n# Infected: ");
        put_infected_names(g, b);
        iof__sy_tb_printf(b, ". SYN scans of random public\n# addresses on telnet ports 23 and "
                             "2323; %s also holds a C2 connection to ",
                          v->name);
        put_ip(b, c2_ip);
        iof__tb_puts(b, ":23\n# (one record per 60 s window, beacons up to the end of the "
                        "capture).\n");
        put_rule_head(b, a);
        iof__tb_puts(b, "proto tcp" AND);
        put_infected(g, b);
        iof__tb_puts(b, AND "remote.port {23, 2323}");
        break;
    default: /* the floods */
        iof__tb_puts(b, id == A_SYN   ? ".\n# SYN flood, random source ports,"
                        : id == A_UDP ? ".\n# UDP flood, 20 s bursts of 512-byte datagrams "
                                        "(random ports per burst),\n#"
                                      : ".\n# HTTP GET flood (full connections, GET /),");
        iof__tb_puts(b, " from the infected devices to ");
        put_ip(b, victim_ip);
        iof__tb_puts(b, id == A_UDP ? ".\n" : ":80.\n");
        put_rule_head(b, a);
        iof__tb_puts(b, id == A_UDP ? "proto udp" AND : "proto tcp" AND);
        put_infected(g, b);
        iof__tb_puts(b, AND "remote.addr ");
        put_ip(b, victim_ip);
        if (id != A_UDP)
            iof__tb_puts(b, AND "remote.port 80");
        break;
    }
    put_window(b, a);
}

void iof__sy_attack_rules(const gen *g, iof__tbuf *b)
{
    const iof_synth_config *cfg = g->cfg;
    char start[IOF_UTC_TEXT];
    iof__utc_text(start, sizeof start, g->t0, false);
    iof__sy_tb_printf(
        b,
        "# labels.rules: the attacks of this capture as label rules (docs/LABELS.md, SYNTH.md),\n"
        "# generated by: iotflow synth --profile %s --seed %llu --start %s\n"
        "#   --duration %.15g --devices %d --attack-ratio %.15g --scale %.15g\n"
        "# `iotflow extract --devices devices.csv --rules labels.rules capture.pcap` gives every\n"
        "# bidirectional record the label truth.csv gives it, and every unidirectional record the\n"
        "# label of the bidirectional record of its key whose window holds it. Each rule is named\n"
        "# after its attack (events.csv). Time windows are UTC, from the attack's first unit to\n"
        "# its last packet, both included; addresses are real (rules see remote addresses before\n"
        "# they are anonymised to 0.0.0.0).\n"
        "key label default \"%s\"\n",
        g->prof->name, (unsigned long long)cfg->seed, start, cfg->duration_s, g->ndev,
        cfg->attack_ratio, g->scale, lbl_name[LBL_BENIGN]);
    if (!g->natk)
        iof__tb_puts(b, "\n# --attack-ratio 0: no attack, every record is benign\n");
    for (int i = 0; i < g->natk; i++)
        attack_rule(g, &g->atk[i], b);
}
