/* The network (router, phone, LAN attacker, the IoT devices and the NAS) and each device
 * type's behaviour: periodic sessions on deadlines, long-lived connections at boot. */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "synth/synth_int.h"

static const uint8_t type_oui[][3] = {{0xd0, 0xcf, 0x5e}, {0x74, 0xda, 0x38}, {0xf4, 0xf5, 0xd8},
                                      {0x64, 0x16, 0x66}, {0x50, 0xc7, 0xbf}, {0x00, 0x17, 0x88},
                                      {0x00, 0x11, 0x32}};

static int64_t per(gen *g, host *d, double sec, double jit)
{
    return iof__sy_jitter(&d->rng, (int64_t)(sec * SEC / g->scale), jit);
}

/* When the profile's device timers are deadline-driven: the earliest pending deadline (a slot
 * a device type does not use stays in the past and is skipped). */
static int64_t next_deadline(const gen *g, const host *d)
{
    int64_t next = g->now + SEC;
    for (int i = 0; i < 8; i++)
        if (d->nxt[i] > g->now && d->nxt[i] < next)
            next = d->nxt[i];
    return next;
}

static void device_tick(gen *g, ev *e)
{
    host *d = (host *)e;
    /* behaviours check their own deadlines every second (every 1/scale s when scaled up) */
    int64_t tick = (int64_t)(SEC / (g->scale > 1 ? g->scale : 1));
    int64_t next = g->now + (tick < 10 * MS ? 10 * MS : tick);
    int64_t *nx = d->nxt;
    switch (d->type) {
    case T_GATEWAY:
        if (g->now >= nx[0]) { /* TLS webhook to the cloud */
            int64_t dl = iof__sy_dns_lookup(g, d, H_IKEA_API);
            iof__sy_tls_heavy(g, d, H_IKEA_API, 443, (const double[3]){300, 0.8, 20000},
                              (const double[3]){900, 1.0, 200000}, dl);
            nx[0] = g->now + per(g, d, 60, 0.3);
        }
        if (g->now >= nx[1]) { /* firmware version check */
            int64_t dl = iof__sy_dns_lookup(g, d, H_IKEA_FW);
            iof__sy_http_session(g, d, H_IKEA_FW, "/version_info.json", 200,
                                 600 + (uint32_t)iof__rng_below(&d->rng, 400), dl);
            nx[1] = g->now + per(g, d, 600, 0.2);
        }
        if (g->now >= nx[2]) {
            iof__sy_coap_app_command(g, d);
            nx[2] = g->now + iof__sy_expo(&d->rng, 40.0 * SEC / g->scale);
        }
        if (g->now >= nx[3]) {
            iof__sy_igmp_report(g, d, mdns_mac, mdns_ip);
            nx[3] = g->now + per(g, d, 125, 0.1);
        }
        if (g->now >= nx[4]) {
            iof__sy_multicast(g, d, mdns_mac, mdns_ip, 5353, 5353, P_MDNS, 255);
            nx[4] = g->now + per(g, d, 120, 0.2);
        }
        break;
    case T_CAMERA:
        if (g->now >= nx[0]) { /* UDP heartbeat to 9765 every 20 s */
            iof__sy_udp_exchange(g, d, H_EDI_HB, 28844, 9765, P_HEARTBEAT, P_HEARTBEAT_R, 0);
            nx[0] = g->now + per(g, d, 20, 0.02);
        }
        if (g->now >= nx[1]) { /* HTTP connectivity test every 60 s */
            int64_t dl = iof__sy_dns_lookup(g, d, H_GOOGLE);
            iof__sy_http_session(g, d, H_GOOGLE, "/", 200,
                                 220 + (uint32_t)iof__rng_below(&d->rng, 40), dl);
            nx[1] = g->now + per(g, d, 60, 0.02);
        }
        if (g->now >= nx[2]) { /* TLS to myedimax.com:55443 */
            int64_t dl = iof__sy_dns_lookup(g, d, H_EDIMAX);
            iof__sy_tls_heavy(g, d, H_EDIMAX, 55443, (const double[3]){400, 0.7, 30000},
                              (const double[3]){600, 0.9, 60000}, dl);
            nx[2] = g->now + per(g, d, 90, 0.3);
        }
        if (g->now >= nx[3]) {
            iof__sy_multicast(g, d, ssdp_mac, ssdp_ip, 1900, 1900, P_SSDP_NOTIFY, 4);
            nx[3] = g->now + per(g, d, 60, 0.05);
        }
        if (g->now >= nx[4]) {
            iof__sy_multicast(g, d, ssdp_mac, ssdp_ip, iof__sy_eph_port(d), 1900, P_SSDP_MSEARCH,
                              4);
            nx[4] = g->now + per(g, d, 120, 0.1);
        }
        if (g->prof->nas_video && g->now >= nx[5]) { /* periodic snapshot upload to the NAS */
            iof__sy_smb_stream(g, d, 3 * SEC, 0);
            nx[5] = g->now + per(g, d, 300, 0.1);
        }
        if (g->now >= nx[6]) {
            iof__sy_igmp_report(g, d, ssdp_mac, ssdp_ip);
            nx[6] = g->now + per(g, d, 125, 0.1);
        }
        break;
    case T_VOICE:
        if (g->now >= nx[0]) { /* TLS 443 to several Google services */
            static const int svc[] = {H_WWWGOOGLE, H_CLIENTS4, H_PLAY};
            int h = svc[iof__rng_below(&d->rng, 3)];
            int64_t dl = iof__sy_dns_lookup(g, d, h);
            iof__sy_tls_heavy(g, d, h, 443, g->prof->voice_up, g->prof->voice_down, dl);
            nx[0] = g->now + iof__sy_expo(&d->rng, g->prof->voice_mean_s * SEC / g->scale);
        }
        if (g->now >= nx[1]) { /* HTTP connectivity check */
            int64_t dl = iof__sy_dns_lookup(g, d, H_CONNCHECK);
            iof__sy_http_session(g, d, H_CONNCHECK, "/generate_204", 204, 0, dl);
            nx[1] = g->now + per(g, d, 60, 0.1);
        }
        if (g->now >= nx[2]) { /* NTP */
            int64_t dl = iof__sy_dns_lookup(g, d, H_TIMEGOOGLE);
            iof__sy_udp_exchange(g, d, H_TIMEGOOGLE, 123, 123, P_NTPQ, P_NTPA, dl);
            nx[2] = g->now + per(g, d, 256, 0.05);
        }
        if (g->now >= nx[3]) {
            iof__sy_multicast(g, d, mdns_mac, mdns_ip, 5353, 5353, P_MDNS_Q, 255);
            iof__sy_mdns6(g, d);
            nx[3] = g->now + per(g, d, 90, 0.3);
        }
        if (g->now >= nx[4]) { /* ICMP echo to the router */
            iof__sy_icmp_ping(g, d, g->router_mac, g->router_ip, LBL_BENIGN, 64,
                              iof__sy_lan_rtt(g));
            nx[4] = g->now + per(g, d, 120, 0.2);
        }
        if (g->now >= nx[5]) {
            iof__sy_dhcp_exchange(g, d, 0);
            nx[5] = g->now + per(g, d, 1800, 0.05);
        }
        break;
    case T_THERMO:
        if (g->now >= nx[1]) {
            int64_t dl = iof__sy_dns_lookup(g, d, H_NEST_FD);
            iof__sy_tls_heavy(g, d, H_NEST_FD, 443, (const double[3]){500, 0.6, 8000},
                              (const double[3]){800, 0.6, 12000}, dl);
            nx[1] = g->now + per(g, d, 300, 0.2);
        }
        break;
    case T_PLUG:
        if (g->now >= nx[1]) {
            int64_t dl = iof__sy_dns_lookup(g, d, H_NTPPOOL);
            iof__sy_udp_exchange(g, d, H_NTPPOOL, 0, 123, P_NTPQ, P_NTPA, dl);
            nx[1] = g->now + per(g, d, 600, 0.1);
        }
        break;
    case T_MOTION:
        if (g->now >= nx[1]) { /* CoAP heartbeat to the gateway */
            iof__sy_coap_motion(g, d);
            nx[1] = g->now + per(g, d, 60, 0.05);
        }
        break;
    }
    if (g->prof->telemetry && (d->type == T_PLUG || d->type == T_MOTION || d->type == T_THERMO) &&
        g->now >= nx[7]) {
        iof__sy_coap_telemetry(g, d);
        nx[7] = g->now + per(g, d, 15, 0.2);
    }
    iof__sy_push(g, e, g->prof->timed_ticks ? next_deadline(g, d) : next);
}

/* Starts the long-lived connections of each device at boot. */
void iof__sy_device_boot(gen *g, host *d)
{
    conv *c = NULL;
    switch (d->type) {
    case T_VOICE:
        iof__sy_dhcp_exchange(g, d, 1);
        c = iof__sy_long_lived(g, d, H_MTALK, 5228, 0);
        iof__sy_start(g, c, g->now + 2 * SEC);
        break;
    case T_THERMO:
        c = iof__sy_long_lived(g, d, H_NEST_TR, 1883, 1);
        iof__sy_start(g, c, g->now + 1 * SEC);
        break;
    case T_PLUG:
        c = iof__sy_long_lived(g, d, H_MQTTPLUG, 1883, 1);
        iof__sy_start(g, c, g->now + 1 * SEC + (int64_t)iof__rng_below(&d->rng, SEC));
        break;
    default: break;
    }
}

static void make_host(gen *g, host *h, int type, int idx, const char *name, const uint8_t ip[4])
{
    memset(h, 0, sizeof *h);
    h->type = type;
    h->idx = idx;
    snprintf(h->name, sizeof h->name, "%s", name);
    memcpy(h->mac, type_oui[type], 3);
    uint64_t r = iof__rng_next(&g->rng);
    h->mac[3] = (uint8_t)(r >> 8);
    h->mac[4] = (uint8_t)(r >> 16);
    h->mac[5] = (uint8_t)idx;
    memcpy(h->ip, ip, 4);
    h->ip6[0] = 0xfe;
    h->ip6[1] = 0x80;
    memcpy(h->ip6 + 8, h->mac, 3);
    h->ip6[8] ^= 2;
    h->ip6[11] = 0xff;
    h->ip6[12] = 0xfe;
    memcpy(h->ip6 + 13, h->mac + 3, 3);
    h->ttl = type == T_GATEWAY ? 128 : 64;
    iof__rng_seed(&h->rng, iof__rng_next(&g->rng));
    h->ipid = (uint16_t)iof__rng_next(&h->rng);
    h->eph = (uint16_t)(32768 + iof__rng_below(&h->rng, 20000));
    h->temp = 21.0 + iof__rng_unit(&h->rng) * 2;
    h->hum = h->hum_base = 45.0 + iof__rng_unit(&h->rng) * 10;
    /* the surge stream: from the run seed and the device index alone (g->rng untouched) */
    uint64_t k = (g->cfg->seed ^ 0x68756d6964697479ull) + (uint64_t)idx * 0xd1b54a32d192ed03ull;
    k = (k ^ (k >> 31)) * 0x7fb5d329728ea185ull;
    iof__rng_seed(&h->surge_rng, k ^ (k >> 27));
    h->setpoint = 21.0;
    h->next_setpoint = g->t0 + 30 * SEC + iof__sy_expo(&h->rng, 120.0 * SEC);
    h->next_appliance = g->t0 + 10 * SEC + iof__sy_expo(&h->rng, 90.0 * SEC);
    for (int i = 0; i < 8; i++)
        h->nxt[i] = g->t0 + (int64_t)iof__rng_below(&h->rng, 20 * SEC);
}

host *iof__sy_find_host_ip(gen *g, const uint8_t ip[4])
{
    for (int i = 0; i <= g->ndev; i++)
        if (memcmp(g->dev[i].ip, ip, 4) == 0)
            return &g->dev[i];
    return NULL;
}


void iof__sy_network_init(gen *g)
{
    const iof_synth_config *cfg = g->cfg;
    static const uint8_t rmac[6] = {0xe0, 0x46, 0x9a, 0x00, 0x00, 0x01};
    memcpy(g->router_mac, rmac, 6);
    g->router_mac[4] = (uint8_t)iof__rng_next(&g->rng);
    const uint8_t rip[4] = {192, 168, 1, 1}, pip[4] = {192, 168, 1, 50}, aip[4] = {192, 168, 1, 66};
    memcpy(g->router_ip, rip, 4);
    memcpy(g->phone_ip, pip, 4);
    memcpy(g->atk_ip, aip, 4);
    const uint8_t pmac[6] = {0x3c, 0x2e, 0xff, 0x10, 0x20, 0x30},
                  amac[6] = {0x08, 0x00, 0x27, 0x66, 0x66, 0x66};
    memcpy(g->phone_mac, pmac, 6);
    memcpy(g->atk_mac, amac, 6);
    iof__sy_remotes_init(g);
    static const int order[] = {T_GATEWAY, T_CAMERA, T_VOICE, T_THERMO, T_PLUG, T_PLUG, T_MOTION,
                                T_MOTION};
    int count[7] = {0};
    g->ndev = (int)(cfg->devices ? cfg->devices : g->prof->devices);
    for (int i = 0; i < g->ndev; i++) {
        int t = i < 8 ? order[i] : g->prof->cycle[(i - 8) % g->prof->ncycle];
        char name[24];
        static const char *const base[] = {"gateway", "camera", "voice", "thermostat", "plug",
                                           "motion", "nas"};
        snprintf(name, sizeof name, "%s-%d", base[t], ++count[t]);
        uint8_t ip[4] = {192, 168, 1, (uint8_t)(100 + i)};
        make_host(g, &g->dev[i], t, i + 1, name, ip);
    }
    uint8_t nip[4] = {192, 168, 1, 5};
    make_host(g, &g->dev[g->ndev], T_NAS, 0xee, "nas-1", nip);
    g->nas = &g->dev[g->ndev];

    /* infected devices: the last plug (and the camera when there are 6+ devices) */
    host *plug = NULL, *cam = NULL;
    for (int i = 0; i < g->ndev; i++) {
        if (g->dev[i].type == T_PLUG)
            plug = &g->dev[i];
        if (g->dev[i].type == T_CAMERA && !cam)
            cam = &g->dev[i];
    }
    if (!plug)
        plug = &g->dev[g->ndev - 1];
    g->infected[g->ninfected++] = plug;
    if (cam && cam != plug && g->ndev >= 6)
        g->infected[g->ninfected++] = cam;
}

void iof__sy_devices_start(gen *g)
{
    for (int i = 0; i < g->ndev; i++) {
        host *d = &g->dev[i];
        d->tick.fire = device_tick;
        iof__sy_push(g, &d->tick, g->t0 + (int64_t)iof__rng_below(&d->rng, SEC));
    }
}
