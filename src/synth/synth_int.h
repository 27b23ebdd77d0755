/* Private to src/synth/: the generator's state and what its parts call in each other.
 *
 *   synth.c     public API (iof_synth_*), profiles, one run from setup to publication
 *   engine.c    the event heap: (time, creation order) scheduling; random distributions
 *   conv.c      conversations: scripts of steps (TCP handshake, segmented messages, teardown,
 *               datagrams, ARP) firing one frame each; message heads; bulk payload bytes
 *   sessions.c  protocol sessions built from conversations (DNS, TLS, HTTP, MQTT, CoAP, DHCP,
 *               NTP, SMB, mDNS, SSDP, IGMP, ICMP) and the cloud remotes
 *   devices.c   the network (router, devices, NAS) and each device type's behaviour
 *   sensors.c   sensor readings (sensors.csv) and the cyber-physical couplings
 *   attacks.c   attack windows, units and the ratio control; labels.rules (the attacks as
 *               label rules)
 *   truth.c     truth.csv: every frame through the extraction's attribution and record rule
 *   tables.c    the four CSV tables as record kinds: columns declared once, row accessors
 *   files.c     the output files (atomic, published together) and the --stats JSON
 *   proto.c     application payload builders; pkt.c frame builder with checksums
 *
 * Everything a run owns lives in one `gen` (no static mutable state): two runs in one process,
 * or in two threads, do not interfere. See docs/SYNTH.md for the behaviour. */
#ifndef IOF_SYNTH_SYNTH_INT_H
#define IOF_SYNTH_SYNTH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/pcap_write.h"
#include "iotflow/iotflow.h"
#include "output/outfile.h"
#include "output/textbuf.h"
#include "common/schema.h"
#include "output/writer.h"
#include "synth/pkt.h"
#include "synth/proto.h"

#define SEC 1000000LL
#define MS 1000LL
#define MSS 1460u
#define MAX_DEV 100           /* --devices cap: device IPs are 192.168.1.100 + i */
#define MAX_STEP 16           /* steps queued per conversation (long ones refill) */
#define HDR_MAX 1024          /* literal head of one message (ClientHello, HTTP head...) */
#define MAX_HOSTS 32
#define MAX_CONVS (1u << 22)  /* live conversations cap (memory bound) */
#define SY_MAX_PENDING (MAX_CONVS + (1u << 22)) /* scheduled events: the live conversations, the
                                   devices' timers and delayed reactions (24 B each) */
#define SY_MAX_EVENTS (1u << 22) /* events.csv rows (attack phases, alerts): held until the end */

enum { LBL_BENIGN, LBL_MIRAI, LBL_DDOS, LBL_RECON };
static const char *const lbl_name[] = {"benign", "mirai", "ddos", "recon"};

enum dtype { T_GATEWAY, T_CAMERA, T_VOICE, T_THERMO, T_PLUG, T_MOTION, T_NAS };
static const char *const type_name[] = {"gateway", "camera", "voice_assistant", "thermostat",
                                        "smart_plug", "motion_sensor", "nas"};

/* A traffic profile (docs/SYNTH.md "Profiles"): the device mix and the knobs that differ. */
typedef struct profile {
    const char *name;
    unsigned devices;      /* default --devices */
    const int *cycle;      /* device types after the first eight, cyclically */
    int ncycle;
    int nas_video;         /* camera SMB snapshots and motion streams to the NAS */
    double video_bps;      /* their bitrate (at scale 1 when video_per_scale) */
    int video_per_scale;   /* the bitrate is multiplied by the scale (the snapshots' rate
                              always is: the volume grows with the scale squared) */
    int telemetry;         /* sensor-class devices post CoAP telemetry to the cloud */
    int timed_ticks;       /* device timers wake at their next deadline (no 1 s polling) */
    double voice_mean_s;   /* voice assistant TLS sessions: mean interval */
    double voice_up[3], voice_down[3]; /* heavy(median, sigma, cap) sizes */
    uint32_t setpoint_bytes; /* set-point burst: up B..2B, down 1.5B..3.5B */
    double flood_gap_us;   /* UDP flood datagram spacing at scale 1 */
    double scan_burst_per_scale; /* extra Mirai scan units per tick per unit of scale */
} profile;

typedef struct gen gen;
typedef struct sy_truth sy_truth;
typedef struct ev ev;
typedef void (*fire_fn)(gen *g, ev *e);
struct ev {
    int64_t t;
    uint64_t order;
    fire_fn fire;
};
/* A heap slot holds its event's sort key: sifting compares without touching the events. */
typedef struct hslot {
    int64_t t;
    uint64_t order;
    ev *e;
} hslot;

typedef struct host {
    ev tick;               /* the device's behaviour timer */
    int type, idx;
    char name[24];
    uint8_t mac[6], ip[4], ip6[16];
    uint8_t ttl;           /* TTL of packets it sends */
    uint16_t ipid, eph;    /* IP id counter, next ephemeral port */
    int64_t dns_exp[MAX_HOSTS];
    iof__rng rng;
    /* sensor state */
    double temp, hum, power, setpoint, base_power;
    int motion, motion_left, alert, appliance;
    int64_t next_setpoint, next_appliance;
    /* thermostat humidity surges (a shower, cooking): hum = hum_base + surge; the surge draws
       come from their own stream, so rng (set-points, noise) is the same with or without them */
    iof__rng surge_rng;
    double hum_base, surge, surge_peak, surge_step;
    int surge_phase, surge_left, hum_alarm;
    /* periodic behaviour deadlines */
    int64_t nxt[8];
    uint16_t coap_mid;
    int infected;
    uint64_t pkts, recs;   /* frames from or to it; truth rows it opened (--stats) */
} host;

typedef struct remote {
    const char *name;
    uint8_t ip[4];
} remote;

/* The cloud names (sessions.c resolves them per seed). */
enum { H_IKEA_FW, H_IKEA_API, H_EDIMAX, H_GOOGLE, H_WWWGOOGLE, H_CLIENTS4, H_PLAY, H_MTALK,
       H_CONNCHECK, H_TIMEGOOGLE, H_NEST_FD, H_NEST_TR, H_MQTTPLUG, H_NTPPOOL, H_EDI_HB,
       H_TELEMETRY };

/* Addresses every part uses. */
static const uint8_t mdns_mac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
static const uint8_t mdns_ip[4] = {224, 0, 0, 251};
static const uint8_t ssdp_mac[6] = {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa};
static const uint8_t ssdp_ip[4] = {239, 255, 255, 250};
static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t bcast_ip[4] = {255, 255, 255, 255};

enum stype { S_SYN, S_SYNACK, S_ACK3, S_DATA, S_ACK, S_FIN, S_RST, S_UDP, S_ICMP, S_IGMP,
             S_ARP };
/* payload kinds */
enum ptype { P_NONE, P_CH, P_SH, P_TLSAPP, P_HTTPGET, P_HTTPRESP, P_DNSQ, P_DNSA, P_NTPQ,
             P_NTPA, P_COAP_CON, P_COAP_ACK, P_DTLS, P_MQTT_CONN, P_MQTT_CONNACK, P_MQTT_PUB,
             P_MQTT_PING, P_MQTT_PONG, P_SSDP_NOTIFY, P_SSDP_MSEARCH, P_SSDP_REPLY, P_MDNS,
             P_MDNS_Q, P_DHCP, P_HEARTBEAT, P_HEARTBEAT_R, P_NBSS_REQ, P_NBSS_POS, P_SMB_WREQ,
             P_SMB_WRESP, P_TELNET_NEG, P_TELNET, P_C2, P_UDPFLOOD, P_ECHO, P_HTMLRESP, P_IGMP,
             P_COAP_TELEM };

typedef struct step {
    uint8_t type, dir, ptype, flags;
    uint32_t bulk; /* bytes after the literal head (random or TLS-framed) */
    uint32_t aux;  /* per-payload parameter */
    int64_t gap;   /* delay before this step */
    const char *text;
} step;

typedef struct ep {
    const uint8_t *mac;
    uint8_t ip[16];
    uint16_t port;
    uint8_t ttl;
    uint16_t *ipid;
    uint16_t ipid_own;
    uint32_t seq;
    uint16_t win;
} ep;

typedef struct conv conv;
typedef int (*refill_fn)(gen *g, conv *c);
struct conv {
    ev e;
    uint8_t proto, ipver, label, need_ack, bulk_tls;
    ep side[2]; /* 0 = client (initiator), 1 = server */
    host *dev;
    const char *host_name;
    step st[MAX_STEP];
    int nst, cur, segs;
    uint32_t off, total, hdr_len;
    uint64_t bulk_pos; /* where this conversation's next bulk bytes start in the bulk stream */
    int64_t half_rtt, seg_gap;
    refill_fn refill;
    host *inv[2];          /* inventoried device at each side (looked up at the first packet) */
    int64_t rec_until[2];  /* until then the truth record of that side's view stays as it is */
    uint8_t view_sides[2]; /* per direction: bit 2 known, bit 0/1 sender/receiver has a view */
    uint8_t inv_done;
    uint8_t atk;           /* 1 + the index in g->atk of the attack that started it; 0: none */
    int64_t until;
    uint64_t aux64;
    uint32_t aux;
    conv *next_free;
    uint8_t hdr[HDR_MAX];
};

/* A truth.csv row (truth.c). */
typedef struct trow {
    int64_t first;
    const char *device; /* its device's MAC as text (17 bytes, lower-case: sorts as the MAC) */
    uint8_t proto, label;
    uint16_t dport, rport;
    char rem[48];   /* as extract writes it (iof__cf_format_remip) */
} trow;

typedef struct evrow {
    int64_t start, end;
    char kind[32];
    char devices[96];
    char details[160];
} evrow;

/* A sensors.csv row: a device's readings at ts; the columns it does not measure are empty. */
enum { SY_HAS_TEMP = 1, SY_HAS_HUM = 2, SY_HAS_POWER = 4, SY_HAS_MOTION = 8 };
typedef struct sy_sensor_row {
    int64_t ts;           /* µs, whole seconds */
    const host *d;
    unsigned has;         /* SY_HAS_*: the columns d measures */
} sy_sensor_row;

/* The output tables (tables.c declares them, files.c opens and publishes them). */
enum { SY_T_DEVICES, SY_T_SENSORS, SY_T_EVENTS, SY_T_TRUTH, SY_NTABLES };
typedef struct sy_table {
    const char *file;     /* name in the output directory */
    iof__schema schema;
    iof__outfile *f;
    iof__writer *w;       /* the CSV writer */
} sy_table;

typedef struct attack {
    int label;
    const char *kind;
    int64_t from, to, first, last;
    int64_t last_frame; /* its traffic's last frame (a reply, a C2 beacon...): labels.rules */
    double quota; /* share of the projected attack records */
    uint64_t made;
    ev tick;
    uint16_t sport;
    int cursor;
    int evrow; /* index into events, -1 before first unit */
} attack;

struct gen {
    const iof_synth_config *cfg;
    const profile *prof;
    char *errbuf;
    size_t errlen;
    int err;
    bool err_told;      /* errbuf already says what failed */
    iof__rng rng;
    int64_t t0, tend, now;
    double scale;
    uint64_t order;
    /* heap */
    hslot *heap;
    size_t nheap, capheap;
    ev *firing;         /* the event being fired: it stays at heap[0] meanwhile */
    int refired;        /* it rescheduled itself, to refire_at */
    hslot refire_at;
    /* conversations */
    conv *free_convs;
    size_t nconvs;
    /* network */
    host dev[MAX_DEV + 1];
    int ndev; /* IoT devices; dev[ndev] is the NAS */
    host *nas;
    uint8_t router_mac[6], router_ip[4], phone_mac[6], phone_ip[4], atk_mac[6], atk_ip[4];
    remote hosts[MAX_HOSTS];
    int nhosts;
    uint64_t bulk_key; /* keys the endless stream of bulk payload bytes (bulk_bytes) */
    /* output */
    sy_table tables[SY_NTABLES];
    iof__outfile *fcap, *frules, *fstats;
    iof__pcapw *pw;
    uint8_t frame[IOF_PKT_MAX_FRAME];
    uint64_t packets, bytes;
    /* truth */
    sy_truth *truth;
    uint64_t rows, rows_atk, rows_lbl[4]; /* records opened so far (the ratio control reads them) */
    /* events */
    evrow *evs;
    size_t nevs, capevs;
    /* attacks */
    attack atk[8];
    int natk;
    host *infected[2];
    int ninfected;
    conv *c2[2];
    ev sensor_tick;
    uint64_t sensor_rows;
    int64_t pending_t;
    uint64_t pending;
    int64_t stream_until;
};

/* ---- engine.c ----------------------------------------------------------------------- */
/* Schedules e at t (not before now). */
void iof__sy_push(gen *g, ev *e, int64_t t);
/* Fires the events in (time, order) until the end of the capture or an error. */
void iof__sy_run_events(gen *g);
/* base ± frac (uniform), at least 1 */
int64_t iof__sy_jitter(iof__rng *r, int64_t base, double frac);
/* exponential with this mean, at least 1 */
int64_t iof__sy_expo(iof__rng *r, double mean_us);
/* lognormal-ish heavy tail: most values small, a few large (capped) */
uint32_t iof__sy_heavy(iof__rng *r, double median, double sigma, uint32_t cap);
/* standard normal */
double iof__sy_gauss(iof__rng *r);

/* ---- conv.c ------------------------------------------------------------------------- */
conv *iof__sy_conv_new(gen *g, host *dev, int label, uint8_t proto, int ipver);
/* Frees the pooled conversations (end of the run; the scheduled ones are heap events). */
void iof__sy_convs_free(gen *g);
/* The heap's events that were allocated for themselves: conversations, delayed reactions. */
bool iof__sy_is_conv(const ev *e);
void iof__sy_ep_host(ep *e, host *h, uint16_t port, int ipver);
void iof__sy_ep_raw(gen *g, ep *e, const uint8_t *mac, const uint8_t *ip, uint16_t port,
                    uint8_t ttl);
uint16_t iof__sy_eph_port(host *h);
void iof__sy_add_step(conv *c, int type, int dir, int ptype, uint32_t bulk, int64_t gap);
void iof__sy_tcp_open(conv *c, int64_t rtt);
void iof__sy_tcp_close(conv *c, int64_t gap);
/* Schedules c's first step at t (c may be NULL: nothing happens). */
void iof__sy_start(gen *g, conv *c, int64_t t);

/* ---- sessions.c --------------------------------------------------------------------- */
/* The cloud names and their per-seed addresses. */
void iof__sy_remotes_init(gen *g);
void iof__sy_random_public(iof__rng *r, uint8_t ip[4]);
int64_t iof__sy_lan_rtt(gen *g);
int64_t iof__sy_wan_rtt(gen *g);
conv *iof__sy_conv_cloud(gen *g, host *d, int hid, uint8_t proto, uint16_t dport, int label);
conv *iof__sy_conv_lan(gen *g, host *d, const uint8_t *cmac, const uint8_t *cip, uint16_t cport,
                       uint8_t cttl, const uint8_t *smac, const uint8_t *sip, uint16_t sport,
                       uint8_t sttl, uint8_t proto, int label);
void iof__sy_use_host_ipid(conv *c, int side, host *h);
int64_t iof__sy_dns_lookup(gen *g, host *d, int hid);
void iof__sy_tls_session(gen *g, host *d, int hid, uint16_t port, uint32_t up, uint32_t down,
                         int64_t delay);
/* A TLS session of heavy-tailed sizes: {median, sigma, cap} up and down (iof__sy_heavy). */
void iof__sy_tls_heavy(gen *g, host *d, int hid, uint16_t port, const double up[3],
                       const double down[3], int64_t delay);
void iof__sy_http_session(gen *g, host *d, int hid, const char *path, int code, uint32_t body,
                          int64_t delay);
void iof__sy_udp_exchange(gen *g, host *d, int hid, uint16_t sport, uint16_t dport, int pq,
                          int pa, int64_t delay);
void iof__sy_multicast(gen *g, host *d, const uint8_t gmac[6], const uint8_t gip[4],
                       uint16_t sport, uint16_t dport, int ptype, uint8_t ttl);
void iof__sy_mdns6(gen *g, host *d);
void iof__sy_igmp_report(gen *g, host *d, const uint8_t gmac[6], const uint8_t gip[4]);
void iof__sy_dhcp_exchange(gen *g, host *d, int full);
void iof__sy_smb_stream(gen *g, host *cam, int64_t dur, int64_t delay);
conv *iof__sy_long_lived(gen *g, host *d, int hid, uint16_t port, int mqtt);
void iof__sy_coap_app_command(gen *g, host *gw);
void iof__sy_icmp_ping(gen *g, host *d, const uint8_t *dmac, const uint8_t *dip, int label,
                       uint8_t reply_ttl, int64_t rtt);
void iof__sy_coap_motion(gen *g, host *d);
void iof__sy_coap_telemetry(gen *g, host *d);
void iof__sy_mqtt_burst(gen *g, host *d, int hid);

/* ---- devices.c ---------------------------------------------------------------------- */
/* Router, phone, attacker, the IoT devices and the NAS (inventory order), infected devices;
 * the cloud remotes. */
void iof__sy_network_init(gen *g);
/* Schedules every device's behaviour timer. */
void iof__sy_devices_start(gen *g);
/* Starts the long-lived connections of each device at boot. */
void iof__sy_device_boot(gen *g, host *d);
host *iof__sy_find_host_ip(gen *g, const uint8_t ip[4]);

/* ---- sensors.c ---------------------------------------------------------------------- */
/* Schedules the once-a-second sensor readings (and their couplings) from t0. */
void iof__sy_sensors_init(gen *g);
bool iof__sy_is_delayed(const ev *e);

/* ---- attacks.c ---------------------------------------------------------------------- */
/* Schedules the attack windows (none with attack_ratio 0). */
void iof__sy_attacks_init(gen *g);
/* labels.rules: the run's attacks as label rules (docs/LABELS.md) that give every record of
 * `iotflow extract --devices devices.csv` the label truth.csv gives it (end of the run). */
void iof__sy_attack_rules(const gen *g, iof__tbuf *b);

/* ---- truth.c ------------------------------------------------------------------------ */
/* Loads the published-to-be devices.csv (complete, under its temporary name) as the inventory
 * and creates the record table. Message in g->errbuf. */
int iof__sy_truth_init(gen *g, const char *devices_csv);
/* Accounts conversation c's frame in g->frame (n bytes) sent by side dir. */
void iof__sy_truth_frame(gen *g, conv *c, int dir, size_t n);
/* An ARP frame (n bytes in g->frame): counted for its devices (--stats); extract makes no
 * record of it. */
void iof__sy_truth_arp(gen *g, int label, size_t n, const uint8_t *eth_dst, const uint8_t *sha);
/* Emits the records still in the table and writes the rows still held (end of the run). */
void iof__sy_truth_finish(gen *g);
void iof__sy_truth_free(gen *g);

/* ---- tables.c ----------------------------------------------------------------------- */
/* Declares the four tables' schemas (g->tables). */
int iof__sy_tables_declare(gen *g);
void iof__sy_tables_free(gen *g);
/* Rows through the tables' writers; an output error sets g->err. */
void iof__sy_write_devices(gen *g);
void iof__sy_write_sensor(gen *g, const sy_sensor_row *r);
/* An events.csv row, kept until the end (sorted by start, kind); returns its index, -1 when out
 * of memory (g->err set). */
int iof__sy_add_event(gen *g, int64_t start, int64_t end, const char *kind, const char *devs,
                      const char *details);
void iof__sy_write_events(gen *g);
void iof__sy_write_truth(gen *g, const trow *r);

/* ---- files.c ------------------------------------------------------------------------ */
/* Creates every output file under its temporary name (and missing directories), the pcap and
 * CSV writers (headers). Message in g->errbuf. */
int iof__sy_files_open(gen *g);
/* Completes devices.csv (it is read back as the inventory: truth.c) and returns where its
 * bytes are until publication; NULL on an error (g->err, message in g->errbuf). */
const char *iof__sy_devices_complete(gen *g);
/* printf into a text buffer (b->oom set when it cannot grow). */
void iof__sy_tb_printf(iof__tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records an output error of f (g->err, message in g->errbuf). */
void iof__sy_output_failed(gen *g, const iof__outfile *f, int rc);
void iof__sy_fill_stats(const gen *g, iof_synth_stats *s, double seconds);
/* Completes every file (st: the --stats JSON) and publishes them together. */
int iof__sy_files_close(gen *g, const iof_synth_stats *st);
/* Removes the temporary files of a failed run. */
void iof__sy_files_abort(gen *g);

#endif
