/* Sensor readings (one sensors.csv row per second per sensor device) and the cyber-physical
 * couplings: a sensor-side trigger schedules its traffic reaction after a lag (an events.csv
 * row each). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/err.h"
#include "synth/synth_int.h"

typedef struct delayed {
    ev e;
    host *d;
    int what;
} delayed;

enum { DL_CAM_STREAM, DL_THERMO_BURST, DL_PLUG_REPORT, DL_ALERT, DL_MOTION_COAP };

static void delayed_fire(gen *g, ev *e)
{
    delayed *x = (delayed *)e;
    host *d = x->d;
    switch (x->what) {
    case DL_CAM_STREAM: {
        if (!g->prof->nas_video) { /* control only: a small TLS event notification */
            iof__sy_tls_heavy(g, d, H_EDIMAX, 55443, (const double[3]){600, 0.5, 4000},
                              (const double[3]){300, 0.5, 2000}, 0);
            break;
        }
        int64_t dur = g->stream_until - g->now;
        if (dur < 5 * SEC)
            dur = 5 * SEC;
        iof__sy_smb_stream(g, d, dur, 0);
        break;
    }
    case DL_THERMO_BURST: {
        uint32_t b = g->prof->setpoint_bytes;
        /* the download size is drawn first (see iof__sy_tls_heavy) */
        uint32_t down = b / 2 * 3 + (uint32_t)iof__rng_below(&d->rng, 2 * b);
        uint32_t up = b + (uint32_t)iof__rng_below(&d->rng, b);
        iof__sy_tls_session(g, d, H_NEST_FD, 443, up, down, 0);
        break;
    }
    case DL_PLUG_REPORT: iof__sy_mqtt_burst(g, d, H_MQTTPLUG); break;
    case DL_ALERT: iof__sy_mqtt_burst(g, d, H_NEST_TR); break;
    case DL_MOTION_COAP: iof__sy_coap_motion(g, d); break;
    }
    free(x);
}

bool iof__sy_is_delayed(const ev *e) { return e->fire == delayed_fire; }

static void later(gen *g, host *d, int what, int64_t t)
{
    delayed *x = calloc(1, sizeof *x);
    if (!x) {
        g->err = IOF_E_NOMEM;
        return;
    }
    x->e.fire = delayed_fire;
    x->d = d;
    x->what = what;
    iof__sy_push(g, &x->e, t);
}

/* A thermostat's humidity surge (a shower or cooking nearby), one step a second, drawn from
 * the device's own surge stream: while no surge is rising or holding, an onset has the
 * probability 1/240 a second (one surge every ~9 min on average); the offset then rises
 * linearly within 30-90 s to a peak of 20-30 points, holds it 2-6 min, and decays
 * exponentially (time constant 150 s) until a new onset or until it is below 0.05. */
enum { SURGE_IDLE, SURGE_RISE, SURGE_HOLD, SURGE_DECAY };

static void surge_step(host *d)
{
    iof__rng *r = &d->surge_rng;
    switch (d->surge_phase) {
    case SURGE_IDLE:
    case SURGE_DECAY:
        if (iof__rng_below(r, 240) == 0) {
            d->surge_peak = 20.0 + iof__rng_unit(r) * 10.0;
            d->surge_left = 30 + (int)iof__rng_below(r, 61);
            d->surge_step = (d->surge_peak - d->surge) / d->surge_left;
            d->surge_phase = SURGE_RISE;
            d->surge += d->surge_step;
            d->surge_left--;
        } else if (d->surge_phase == SURGE_DECAY) {
            d->surge *= 0.993355506255; /* exp(-1/150) */
            if (d->surge < 0.05) {
                d->surge = 0.0;
                d->surge_phase = SURGE_IDLE;
            }
        }
        break;
    case SURGE_RISE:
        if (--d->surge_left > 0) {
            d->surge += d->surge_step;
        } else {
            d->surge = d->surge_peak;
            d->surge_phase = SURGE_HOLD;
            d->surge_left = 120 + (int)iof__rng_below(r, 241);
        }
        break;
    case SURGE_HOLD:
        if (--d->surge_left <= 0)
            d->surge_phase = SURGE_DECAY;
        break;
    }
}

static void sensor_tick(gen *g, ev *e)
{
    char det[160];
    double hour = fmod((double)(g->now / SEC) / 3600.0, 24.0);
    double daily = sin((hour - 9.0) / 24.0 * 6.283185307179586); /* warmest mid-afternoon */
    host *cam = NULL;
    for (int i = 0; i < g->ndev; i++)
        if (g->dev[i].type == T_CAMERA && !cam)
            cam = &g->dev[i];
    for (int i = 0; i < g->ndev; i++) {
        host *d = &g->dev[i];
        iof__rng *r = &d->rng;
        int was_alert = d->alert;
        unsigned has; /* the sensors.csv columns the device measures */
        switch (d->type) {
        case T_THERMO: {
            if (g->now >= d->next_setpoint) {
                double old = d->setpoint;
                d->setpoint = 19.0 + (double)iof__rng_below(r, 9) * 0.5;
                if (d->setpoint == old)
                    d->setpoint += 1.0;
                later(g, d, DL_THERMO_BURST, g->now + 2 * SEC);
                snprintf(det, sizeof det,
                         "setpoint %.1f->%.1f C; TLS burst to %s:443 lag_s=2; "
                         "HVAC power rise lag_s=5",
                         old, d->setpoint, g->hosts[H_NEST_FD].name);
                iof__sy_add_event(g, g->now, g->now + 2 * SEC, "coupling_setpoint_burst", d->name,
                                  det);
                d->appliance = 5; /* HVAC starts in 5 s */
                d->next_setpoint = g->now + iof__sy_expo(r, 240.0 * SEC);
            }
            if (d->appliance > 0 && --d->appliance == 0)
                d->appliance = -1; /* running */
            int hvac = d->appliance < 0 && fabs(d->temp - d->setpoint) > 0.2;
            if (d->appliance < 0 && !hvac)
                d->appliance = 0;
            double target = hvac ? d->setpoint : 22.0 + 2.5 * daily;
            d->temp += (target - d->temp) * (hvac ? 0.004 : 0.0008) + iof__sy_gauss(r) * 0.02;
            d->hum_base += (50.0 - 8.0 * daily - d->hum_base) * 0.002 + iof__sy_gauss(r) * 0.15;
            surge_step(d);
            d->hum = d->hum_base + d->surge; /* the same value as hum_base without a surge */
            d->power = (hvac ? 1450.0 : 4.5) + iof__sy_gauss(r) * (hvac ? 25.0 : 0.3);
            /* on the readings as sensors.csv writes them (%.2f, %.1f): temperature > 27.00 or
               < 16.00, humidity > 70.0; the humidity alert clears when it reads below 68.0
               (hysteresis: the noise does not flap the flag while a surge passes 70) */
            d->hum_alarm = d->hum > 70.05 || (d->hum_alarm && d->hum >= 67.95);
            d->alert = d->temp > 27.005 || d->temp < 15.995 || d->hum_alarm;
            has = SY_HAS_TEMP | SY_HAS_HUM | SY_HAS_POWER;
            break;
        }
        case T_PLUG: {
            if (g->now >= d->next_appliance) {
                d->appliance = !d->appliance;
                d->base_power = d->appliance ? 60.0 + (double)iof__rng_below(r, 1900) : 0.0;
                d->next_appliance = g->now + iof__sy_expo(r, 180.0 * SEC);
                later(g, d, DL_PLUG_REPORT, g->now + 1 * SEC);
                snprintf(det, sizeof det, "power step to %.0f W; MQTT publish to %s:1883 lag_s=1",
                         d->base_power, g->hosts[H_MQTTPLUG].name);
                iof__sy_add_event(g, g->now, g->now + 1 * SEC, "coupling_power_report", d->name,
                                  det);
            }
            d->power = d->appliance ? d->base_power + iof__sy_gauss(r) * d->base_power * 0.01
                                    : 0.3 + fabs(iof__sy_gauss(r)) * 0.05;
            d->alert = d->power > 1800.0;
            has = SY_HAS_POWER;
            break;
        }
        case T_MOTION: {
            if (d->motion) {
                if (--d->motion_left <= 0)
                    d->motion = 0;
            } else if (iof__rng_below(r, 150) == 0) {
                d->motion = 1;
                d->motion_left = 5 + (int)iof__rng_below(r, 35);
                later(g, d, DL_MOTION_COAP, g->now + 300 * MS);
                if (cam && g->nas) {
                    int64_t until = g->now + (int64_t)d->motion_left * SEC + 10 * SEC;
                    if (g->now >= g->stream_until) {
                        g->stream_until = until;
                        later(g, cam, DL_CAM_STREAM, g->now + 1 * SEC);
                        char devs[96];
                        if (g->prof->nas_video) {
                            snprintf(det, sizeof det, "motion onset; CoAP POST to gateway lag_s=0 "
                                     "(0.3 s); %s SMB stream to NAS:445 lag_s=1 until motion "
                                     "end+10 s", cam->name);
                            snprintf(devs, sizeof devs, "%s;%s;%s", d->name, cam->name,
                                     g->nas->name);
                        } else {
                            snprintf(det, sizeof det, "motion onset; CoAP POST to gateway lag_s=0 "
                                     "(0.3 s); %s TLS event notification to %s:55443 lag_s=1",
                                     cam->name, g->hosts[H_EDIMAX].name);
                            snprintf(devs, sizeof devs, "%s;%s", d->name, cam->name);
                        }
                        iof__sy_add_event(g, g->now, g->prof->nas_video ? until : g->now + 1 * SEC,
                                          "coupling_motion_camera", devs, det);
                    } else if (until > g->stream_until) {
                        g->stream_until = until; /* stream already running: extend it */
                    }
                }
            }
            d->temp += (21.5 + 2.0 * daily - d->temp) * 0.001 + iof__sy_gauss(r) * 0.01;
            d->alert = 0;
            has = SY_HAS_TEMP | SY_HAS_MOTION;
            break;
        }
        default: continue;
        }
        iof__sy_write_sensor(g, &(sy_sensor_row){.ts = g->now, .d = d, .has = has});
        g->sensor_rows++;
        if (d->alert && !was_alert && d->type == T_THERMO) {
            later(g, d, DL_ALERT, g->now + 1 * SEC);
            iof__sy_add_event(g, g->now, g->now + 1 * SEC, "coupling_alert_report", d->name,
                              "alert_flag 0->1; MQTT publish to broker lag_s=1");
        }
    }
    iof__sy_push(g, e, g->now + SEC);
}

void iof__sy_sensors_init(gen *g)
{
    g->sensor_tick.fire = sensor_tick;
    iof__sy_push(g, &g->sensor_tick, g->t0);
}
