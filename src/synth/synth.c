/* iotflow synth: synthetic smart-home traffic, sensor readings, attacks and ground truth.
 * The public calls (iotflow.h), the profiles, and one run from setup to the published files;
 * the parts are listed in synth_int.h. All randomness comes from xoshiro256** streams seeded
 * from the configured seed; nothing reads the clock except the stats timer. See docs/SYNTH.md
 * for the devices, couplings and attacks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "synth/synth_int.h"

static const int home_cycle[] = {T_PLUG, T_MOTION, T_THERMO, T_CAMERA};
static const int small_cycle[] = {T_PLUG, T_MOTION, T_THERMO, T_PLUG, T_MOTION,
                                  T_VOICE, T_PLUG, T_MOTION, T_GATEWAY, T_CAMERA};
static const profile profiles[] = {
    [IOF_SYNTH_HOME] = {.name = "home", .devices = 8, .cycle = home_cycle, .ncycle = 4,
                        .nas_video = 1, .voice_mean_s = 15.0, .voice_up = {700, 1.0, 100000},
                        .voice_down = {3000, 1.5, 3000000}, .setpoint_bytes = 20000,
                        .flood_gap_us = 2 * MS},
    [IOF_SYNTH_SMALL] = {.name = "small", .devices = 60, .cycle = small_cycle, .ncycle = 10,
                         .telemetry = 1, .timed_ticks = 1, .voice_mean_s = 60.0,
                         .voice_up = {300, 0.6, 4000}, .voice_down = {900, 0.8, 20000},
                         .setpoint_bytes = 2000, .flood_gap_us = 200 * MS,
                         .scan_burst_per_scale = 0.08},
};

static int setup(gen *g)
{
    iof__rng_seed(&g->rng, g->cfg->seed ^ 0x696f74666c6f77ull);
    g->bulk_key = iof__rng_next(&g->rng);
    iof__sy_network_init(g);
    IOF_TRY(iof__sy_truth_init(g));
    iof__sy_devices_start(g);
    iof__sy_sensors_init(g);
    iof__sy_attacks_init(g);
    return 0;
}

static const char *const fnames[] = {"capture.pcap", "devices.csv", "sensors.csv", "events.csv",
                                     "truth.csv", "stats"};
enum { F_PCAP, F_DEV, F_SENS, F_EV, F_TRUTH, F_STATS, F_N };

/* Path of output file f (F_STATS: cfg->stats_json); 0 when the run does not write f. */
static int path_of(char *buf, size_t n, const iof_synth_config *cfg, int f, int tmp)
{
    if (f == F_STATS) {
        if (!cfg->stats_json)
            return 0;
        snprintf(buf, n, "%s%s", cfg->stats_json, tmp ? ".tmp" : "");
    } else {
        snprintf(buf, n, "%s/%s%s", cfg->output_dir, fnames[f], tmp ? ".tmp" : "");
    }
    return 1;
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

/* mkdir -p: creates the missing parents too. */
static int mkdir_p(const char *dir)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != 0)
            continue;
        char c = p[i];
        p[i] = 0;
        if (mkdir(p, 0777) < 0 && errno != EEXIST)
            return -1;
        p[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static void gen_free(gen *g)
{
    for (size_t i = 0; i < g->nheap; i++)
        if (iof__sy_is_delayed(g->heap[i].e))
            free(g->heap[i].e);
    iof__sy_convs_free(g);
    free(g->heap);
    iof__sy_truth_free(g);
    free(g->evs);
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
    if (mkdir_p(cfg->output_dir) < 0)
        return iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: cannot create %s: %s",
                         cfg->output_dir, strerror(errno));
    const char *slash = cfg->stats_json ? strrchr(cfg->stats_json, '/') : NULL;
    if (slash && slash > cfg->stats_json) { /* the --stats file's directory */
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - cfg->stats_json), cfg->stats_json);
        if (mkdir_p(dir) < 0)
            return iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: cannot create %s: %s", dir,
                             strerror(errno));
    }
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

    FILE *fps[F_N] = {0};
    char path[4096], path2[4096];
    int rc = 0;
    for (int f = 0; f < F_N; f++) {
        if (!path_of(path, sizeof path, cfg, f, 1))
            continue;
        fps[f] = fopen(path, "wb");
        if (!fps[f]) {
            rc = iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: cannot create %s: %s", path,
                           strerror(errno));
            goto cleanup;
        }
    }
    static char iobuf[1 << 20];
    setvbuf(fps[F_PCAP], iobuf, _IOFBF, sizeof iobuf);
    g->fpcap = fps[F_PCAP];
    g->fsens = fps[F_SENS];
    g->fev = fps[F_EV];
    g->ftruth = fps[F_TRUTH];
    iof__pcapw_opts po = {.pcapng = false, .nanosecond = false, .big_endian = false,
                          .linktype = 1, .snaplen = 262144};
    rc = iof__pcapw_open(&g->pw, g->fpcap, &po);
    if (rc < 0) {
        iof__fail(errbuf, errlen, rc, "synth: cannot start the capture file");
        goto cleanup;
    }
    g->bytes = 24;
    fprintf(g->fsens, "timestamp,device_id,temperature,humidity,power,motion,alert_flag\n");
    fprintf(g->ftruth, "device,first_seen,remote_ip,proto,device_port,remote_port,label\n");
    rc = setup(g);
    if (rc < 0) {
        iof__fail(errbuf, errlen, rc, "synth: out of memory");
        goto cleanup;
    }
    iof__sy_write_devices(g, fps[F_DEV]);
    for (int i = 0; i < g->ndev; i++)
        iof__sy_device_boot(g, &g->dev[i]);

    iof__sy_run_events(g);
    iof__sy_truth_finish(g);
    iof__sy_write_events(g);
    if (g->err) {
        rc = g->err;
        iof__fail(errbuf, errlen, rc, "synth: generation failed (%s)", iof_strerror(rc));
        goto cleanup;
    }
    rc = iof__pcapw_close(g->pw);
    g->pw = NULL;
    if (rc < 0) {
        iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: writing %s/capture.pcap failed",
                  cfg->output_dir);
        goto cleanup;
    }
    iof_synth_stats st;
    iof__sy_fill_stats(g, &st, now_s() - t_begin);
    if (fps[F_STATS])
        iof__sy_write_stats_json(g, &st, fps[F_STATS]);
    for (int f = 0; f < F_N; f++) {
        if (!fps[f])
            continue;
        int bad = ferror(fps[f]) != 0;
        bad |= fclose(fps[f]) != 0;
        fps[f] = NULL;
        if (bad) {
            path_of(path, sizeof path, cfg, f, 0);
            rc = iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: writing %s failed", path);
            goto cleanup;
        }
    }
    for (int f = 0; f < F_N; f++) {
        if (!path_of(path, sizeof path, cfg, f, 1))
            continue;
        path_of(path2, sizeof path2, cfg, f, 0);
        if (rename(path, path2) < 0) {
            rc = iof__fail(errbuf, errlen, IOF_E_OUTPUT, "synth: rename %s: %s", path,
                           strerror(errno));
            goto cleanup;
        }
    }
    if (cfg->stats)
        iof__sy_fill_stats(g, cfg->stats, now_s() - t_begin);
    rc = 0;
cleanup:
    if (g->pw)
        iof__pcapw_close(g->pw);
    for (int f = 0; f < F_N; f++) {
        if (fps[f])
            fclose(fps[f]);
        if ((fps[f] || rc < 0) && path_of(path, sizeof path, cfg, f, 1))
            unlink(path);
    }
    gen_free(g);
    free(g);
    return (iof_err)rc;
}
