/* iotflow synth: synthetic smart-home traffic, sensor readings, attacks and ground truth.
 * The public calls (iotflow.h), the profiles, and one run from setup to the published files;
 * the parts are listed in synth_int.h. All randomness comes from xoshiro256** streams seeded
 * from the configured seed; nothing reads the clock except the stats timer. See docs/SYNTH.md
 * for the devices, couplings and attacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "synth/synth_int.h"

static const int home_cycle[] = {T_PLUG, T_MOTION, T_THERMO, T_CAMERA};
static const int small_cycle[] = {T_PLUG, T_MOTION, T_THERMO, T_PLUG, T_MOTION,
                                  T_VOICE, T_PLUG, T_MOTION, T_GATEWAY, T_CAMERA};
static const profile profiles[] = {
    [IOF_SYNTH_HOME] = {.name = "home", .devices = 8, .cycle = home_cycle, .ncycle = 4,
                        .nas_video = 1, .video_bps = 1.5e6, .video_per_scale = 1,
                        .voice_mean_s = 15.0, .voice_up = {700, 1.0, 100000},
                        .voice_down = {3000, 1.5, 3000000}, .setpoint_bytes = 20000,
                        .flood_gap_us = 2 * MS},
    [IOF_SYNTH_SMALL] = {.name = "small", .devices = 60, .cycle = small_cycle, .ncycle = 10,
                         .telemetry = 1, .timed_ticks = 1, .voice_mean_s = 60.0,
                         .voice_up = {300, 0.6, 4000}, .voice_down = {900, 0.8, 20000},
                         .setpoint_bytes = 2000, .flood_gap_us = 200 * MS,
                         .scan_burst_per_scale = 0.08},
    /* small plus encrypted bulk: heavy-tailed TLS downloads on the voice assistants and camera
     * video to the NAS at a bitrate that keeps the control traffic's records dominant */
    [IOF_SYNTH_DENSE] = {.name = "dense", .devices = 60, .cycle = small_cycle, .ncycle = 10,
                         .nas_video = 1, .video_bps = 600e3, .telemetry = 1, .timed_ticks = 1,
                         .voice_mean_s = 20.0, .voice_up = {600, 1.0, 100000},
                         .voice_down = {4000, 1.6, 2000000}, .setpoint_bytes = 20000,
                         .flood_gap_us = 200 * MS, .scan_burst_per_scale = 0.08},
};

/* The network, and the first events: device timers, sensor ticks, attack windows (an error
 * leaves g->err). */
static void setup(gen *g)
{
    iof__rng_seed(&g->rng, g->cfg->seed ^ 0x696f74666c6f77ull);
    g->bulk_key = iof__rng_next(&g->rng);
    iof__sy_network_init(g);
    iof__sy_devices_start(g);
    iof__sy_sensors_init(g);
    iof__sy_attacks_init(g);
}

void iof_synth_config_init(iof_synth_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 1;
    cfg->start_us = 1719165600LL * SEC; /* 2024-06-23T18:00:00Z */
    cfg->duration_s = 600;
    cfg->attack_ratio = 0.1;
    cfg->scale = 1;
}

iof_err iof_synth_profile_parse(const char *name, iof_synth_profile *out)
{
    for (size_t i = 0; name && i < sizeof profiles / sizeof profiles[0]; i++)
        if (!strcmp(name, profiles[i].name)) {
            *out = (iof_synth_profile)i;
            return IOF_OK;
        }
    return IOF_E_INVAL;
}

iof_err iof_synth_parse_time(const char *text, int64_t *us)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!text || !us)
        return IOF_E_INVAL;
    const char *p = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return IOF_E_INVAL;
    long frac = 0;
    if (*p == '.') {
        int digits = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
            if (digits < 6) {
                frac = frac * 10 + (*p - '0');
                digits++;
            }
            p++;
        }
        if (!digits)
            return IOF_E_INVAL;
        while (digits++ < 6)
            frac *= 10;
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
        return IOF_E_INVAL;
    time_t t = timegm(&tm);
    if (t < 0 || t > 4000000000LL)
        return IOF_E_INVAL;
    *us = (int64_t)t * SEC + frac;
    return IOF_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void gen_free(gen *g)
{
    for (size_t i = 0; i < g->nheap; i++) /* the events allocated for themselves */
        if (iof__sy_is_conv(g->heap[i].e) || iof__sy_is_delayed(g->heap[i].e))
            free(g->heap[i].e);
    iof__sy_convs_free(g);
    free(g->heap);
    iof__sy_truth_free(g);
    free(g->evs);
    iof__sy_tables_free(g);
}

/* A failed run: the message (unless a part already wrote it), no file left. */
static iof_err failed(gen *g, int rc, const char *what)
{
    if (!g->err_told)
        iof__fail(g->errbuf, g->errlen, rc, "synth: %s (%s)", what, iof_strerror(rc));
    iof__sy_files_abort(g);
    return (iof_err)rc;
}

static iof_err run(gen *g, double t_begin)
{
    int rc = iof__sy_tables_declare(g);
    if (rc < 0)
        return failed(g, rc, "cannot declare the tables");
    if ((rc = iof__sy_files_open(g)) < 0) {
        g->err_told = true;
        return failed(g, rc, "cannot create the output files");
    }
    setup(g);
    if (g->err)
        return failed(g, g->err, "setup failed");
    iof__sy_write_devices(g);
    const char *devices_csv = iof__sy_devices_complete(g);
    if (!devices_csv)
        return failed(g, g->err, "writing devices.csv failed");
    if ((rc = iof__sy_truth_init(g, devices_csv)) < 0) {
        g->err_told = true;
        return failed(g, rc, "cannot read devices.csv back");
    }
    for (int i = 0; i < g->ndev; i++)
        iof__sy_device_boot(g, &g->dev[i]);
    iof__sy_run_events(g);
    iof__sy_truth_finish(g);
    iof__sy_write_events(g);
    if (g->err)
        return failed(g, g->err, "generation failed");
    iof_synth_stats st;
    iof__sy_fill_stats(g, &st, now_s() - t_begin);
    if ((rc = iof__sy_files_close(g, &st)) < 0)
        return failed(g, rc, "writing the output failed");
    if (g->cfg->stats)
        iof__sy_fill_stats(g, g->cfg->stats, now_s() - t_begin);
    return IOF_OK;
}

iof_err iof_synth_run(const iof_synth_config *cfg, char *errbuf, size_t errlen)
{
    if (!cfg || !cfg->output_dir || !*cfg->output_dir)
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: an output directory is required");
    if (!(cfg->duration_s >= 10 && cfg->duration_s <= 30 * 86400.0))
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: duration must be 10 s .. 30 days");
    if (cfg->devices > MAX_DEV)
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: --devices must be 1..%d", MAX_DEV);
    if ((unsigned)cfg->profile >= sizeof profiles / sizeof profiles[0])
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: unknown profile");
    if (!(cfg->attack_ratio >= 0 && cfg->attack_ratio <= 0.5))
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: --attack-ratio must be 0..0.5");
    if (!(cfg->scale >= 0.1 && cfg->scale <= 10000))
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: --scale must be 0.1..10000");
    if (cfg->start_us < 0 || cfg->start_us / SEC + (int64_t)cfg->duration_s >= 4294967295LL)
        return iof__fail(errbuf, errlen, IOF_E_INVAL, "synth: start time out of pcap range");

    double t_begin = now_s();
    gen *g = calloc(1, sizeof *g);
    if (!g)
        return iof__fail(errbuf, errlen, IOF_E_NOMEM, "synth: out of memory");
    g->cfg = cfg;
    g->prof = &profiles[cfg->profile];
    g->errbuf = errbuf;
    g->errlen = errlen;
    g->t0 = cfg->start_us - cfg->start_us % SEC;
    g->tend = g->t0 + (int64_t)(cfg->duration_s * SEC);
    g->now = g->t0;
    g->scale = cfg->scale;
    iof_err rc = run(g, t_begin);
    gen_free(g);
    free(g);
    return rc;
}
