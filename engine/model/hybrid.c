/* hybrid.c — hybrid threats: cyber attacks detected after a delay, FIMI campaigns lowering a
 * region's public trust, countermeasures speeding its recovery, NIS2/CER notification clocks.
 * Invariant: trust moves linearly between hybrid events (slope = recovery x factors - campaign drops,
 * held at 0 and 1) and an event is queued at every bound crossing, so values are exact. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/hybrid.h"
#include "model/trigger.h"

#define DAY 86400.0

/* Hybrid event kinds (payload.b). */
enum { HE_DETECT, HE_DEADLINE, HE_TRUST, HE_FIMI_END };

static const char *const clock_names[CX_CLOCK_COUNT] = {
#define CX_CLOCK_NAME(e, s) s,
    CX_CLOCK_LIST(CX_CLOCK_NAME)
#undef CX_CLOCK_NAME
};

const char *cxi_clock_name(int clock) {
    return clock >= 0 && clock < CX_CLOCK_COUNT ? clock_names[clock] : "";
}

int cxi_clock_parse(const char *s) {
    for (int i = 0; i < CX_CLOCK_COUNT; i++) {
        const char *a = s, *b = clock_names[i];
        while (*a && *b && tolower((unsigned char)*a) == *b) a++, b++;
        if (!*a && !*b) return i;
    }
    return -1;
}

void cxi_hybrid_params_default(cx_hybrid_params *p) {
    /* DOMAIN.md: detection delay and trust rates are estimates (est.); deadlines from [6] */
    p->cyber_detection_delay = (cxi_dist){CXI_DIST_LOGNORMAL, {6 * 3600.0, 1, 0}, 1};
    p->trust_initial = 1;
    p->trust_recovery = 0.05;
    p->hrrt_factor = 2;
    p->pubcom_factor = 1.5;
    p->platform_factor = 1.5;
    p->trust_record_interval = 6 * 3600;
    p->deadline[CX_CLOCK_NIS2_EARLY] = 24 * 3600;
    p->deadline[CX_CLOCK_NIS2_NOTIF] = 72 * 3600;
    p->deadline[CX_CLOCK_NIS2_FINAL] = 30 * 86400;
    p->deadline[CX_CLOCK_CER_FIRST] = 24 * 3600;
}

/* NIS2 Annex I/II sectors as the brief lists them (media and food are not counted here). */
static int essential(int sector) {
    return sector != CX_SECTOR_MEDIA && sector != CX_SECTOR_FOOD && sector >= 0 &&
           sector < CX_SECTOR_COUNT;
}

/* CER Annex sectors: energy, transport, banking/finance, health, water, digital infrastructure,
 * public administration, space, food. */
static int critical(int sector) {
    return sector != CX_SECTOR_MEDIA && sector != CX_SECTOR_ELECTION_IT && sector >= 0 &&
           sector < CX_SECTOR_COUNT;
}

int cxi_hybrid_wanted(const cx_scenario *sc) {
    for (uint32_t i = 0; i < sc->ninjects; i++)
        if (CX_INJECT_IS_HYBRID(sc->injects[i].kind)) return 1;
    /* players' countermeasures and notices act on the model too, so they alone switch it on */
    for (uint32_t d = 0; d < sc->ndecisions; d++) {
        int k = sc->decisions[d].kind;
        if (k == CXI_DK_DEPLOY_HYBRID_TEAM || k == CXI_DK_PUBLIC_COMMUNICATION || k == CXI_DK_NOTIFY)
            return 1;
    }
    return 0;
}

static int damaging(int kind) {
    return kind == CX_INJECT_DAMAGE || kind == CX_INJECT_DISABLE || kind == CX_INJECT_HAZARD ||
           kind == CX_INJECT_CYBER;
}

/* Asset a is among the targets of inject j (the rule of infra.c). */
static int hits(const cx_scenario *sc, const cx_inject *j, uint32_t a) {
    const cx_asset *A = &sc->assets[a];
    switch (j->target_kind) {
    case CX_TARGET_ASSET: return j->asset == a;
    case CX_TARGET_SECTOR:
        return (j->region < 0 || A->region == (uint32_t)j->region) &&
               (j->sector < 0 || A->sector == j->sector);
    case CX_TARGET_RADIUS:
        return (j->sector < 0 || A->sector == j->sector) &&
               cxi_geo_km(j->lat, j->lon, A->lat, A->lon) <= j->radius_km;
    default: return 0;
    }
}

static cx_status schedule(cx_sim *sim, cx_time now, cx_time delay, int kind, uint32_t a,
                          uint32_t c, double x, cxi_event_id *id) {
    cxi_payload p = {sim->hyb->ev, a, (uint32_t)kind, c, x};
    return cxi_sim_schedule_in(sim, now, delay, &p, id);
}

/* ---- public trust ------------------------------------------------------------------------- */

static double factor(const cx_sim *sim, const cxi_trust *T) {
    const cx_hybrid_params *p = &sim->sc->params.hybrid;
    double f = 1;
    if (T->hrrt) f *= p->hrrt_factor;
    if (T->pubcom) f *= p->pubcom_factor;
    if (T->platform) f *= p->platform_factor;
    return f;
}

/* Slope per second at value v: zero when held at a bound. */
static double slope(const cx_sim *sim, const cxi_trust *T, double v) {
    double s = (sim->sc->params.hybrid.trust_recovery * factor(sim, T) - T->drop) / DAY;
    if ((s > 0 && v >= 1) || (s < 0 && v <= 0)) return 0;
    return s;
}

/* Trust and its loss integral at t >= T->t, without changing T. */
static void trust_at(const cx_sim *sim, const cxi_trust *T, cx_time t, double *v, double *integ) {
    double dt = (double)(t - T->t), s = slope(sim, T, T->v);
    double w = T->v + s * dt;
    if (w > 1) w = 1;
    if (w < 0) w = 0;
    double in = T->integ + dt * (1 - 0.5 * (T->v + w)); /* before *v: v may alias T->v */
    *v = w;
    if (integ) *integ = in;
}

static void advance(cx_sim *sim, cxi_trust *T, cx_time t) {
    if (t <= T->t) return;
    trust_at(sim, T, t, &T->v, &T->integ);
    T->t = t;
    if (T->v < T->low) T->low = T->v;
}

/* The slope may have changed at t: record, and queue the next bound crossing or periodic record. */
static cx_status retrend(cx_sim *sim, uint32_t r, cx_time t, const char *cause) {
    cxi_hyb *H = sim->hyb;
    cxi_trust *T = &H->trust[r];
    double s = slope(sim, T, T->v);
    if (T->v != T->last_v || s != T->last_s) {
        char text[96];
        snprintf(text, sizeof text, "%.4g per day; campaigns %u, countermeasure factor %.3g",
                 s * DAY, T->ncamp, factor(sim, T));
        const char *code = sim->sc->regions[r].code;
        cx_record rec = {t, CX_REC_HYBRID, code, code, "", "trust", T->v, cause, 0, 0, text};
        cx_status st = cxi_sim_emit(sim, &rec);
        if (st != CX_OK) return st;
        T->last_v = T->v;
        T->last_s = s;
    }
    T->gen++;
    if (s == 0) return CX_OK;
    double bound = s > 0 ? 1 : 0;
    double secs = ceil((bound - T->v) / s);
    cx_time next = sim->sc->params.hybrid.trust_record_interval;
    if (secs < (double)next) next = secs < 1 ? 1 : (cx_time)secs;
    return schedule(sim, t, next, HE_TRUST, r, T->gen, 0, NULL);
}

static cx_status on_trust_event(cx_sim *sim, cx_time t, uint32_t r, uint32_t gen) {
    cxi_trust *T = &sim->hyb->trust[r];
    if (gen != T->gen) return CX_OK;
    advance(sim, T, t);
    /* snap: the crossing time was rounded up to whole seconds */
    if (T->v < 1e-12) T->v = 0;
    if (T->v > 1 - 1e-12) T->v = 1;
    if (T->v < T->low) T->low = T->v;
    T->last_s = NAN; /* periodic record even when the slope is unchanged */
    return retrend(sim, r, t, "");
}

static cx_status countermeasure(cx_sim *sim, uint32_t region, cx_time t, const char *cause,
                                int which) {
    cxi_hyb *H = sim->hyb;
    if (!H || region >= sim->sc->nregions) return CX_OK;
    cxi_trust *T = &H->trust[region];
    advance(sim, T, t);
    uint8_t *flag = which == 0 ? &T->hrrt : which == 1 ? &T->pubcom : &T->platform;
    if (*flag) return CX_OK;
    *flag = 1;
    return retrend(sim, region, t, cause ? cause : "");
}

cx_status cxi_hybrid_on_hrrt(cx_sim *sim, uint32_t region, cx_time t, const char *cause) {
    return countermeasure(sim, region, t, cause, 0);
}
cx_status cxi_hybrid_on_pubcom(cx_sim *sim, uint32_t region, cx_time t, const char *cause) {
    return countermeasure(sim, region, t, cause, 1);
}
cx_status cxi_hybrid_on_platform_notice(cx_sim *sim, uint32_t region, cx_time t,
                                        const char *cause) {
    return countermeasure(sim, region, t, cause, 2);
}

double cxi_hybrid_trust(const cx_sim *sim, uint32_t r) {
    if (!sim->hyb || r >= sim->sc->nregions) return 1;
    double v;
    trust_at(sim, &sim->hyb->trust[r], cxi_kernel_now(sim->k), &v, NULL);
    return v;
}

/* ---- notification clocks ------------------------------------------------------------------ */

static cx_status clock_emit(cx_sim *sim, const cxi_clock *c, cx_time t, const char *state,
                            double hours, const char *cause) {
    char text[64];
    snprintf(text, sizeof text, "%s, deadline %.0f h", cxi_clock_name(c->kind),
             (double)(c->due - c->start) / 3600.0);
    cx_record rec = {t,     CX_REC_HYBRID, c->name, sim->sc->regions[c->region].code, "",
                     state, hours,         cause,   0,       0,                            text};
    return cxi_sim_emit(sim, &rec);
}

static cx_status clock_start(cx_sim *sim, int kind, uint32_t region, cx_time t, const char *cause) {
    cxi_hyb *H = sim->hyb;
    if (H->nclocks >= H->capclocks)
        return cxi_sim_fail(sim, CX_ERUNTIME, "too many notification clocks (%u)", H->capclocks);
    uint32_t i = H->nclocks++;
    cxi_clock *c = &H->clocks[i];
    char *name = H->names + (size_t)i * H->namelen;
    snprintf(name, H->namelen, "%s:%s#%u", sim->sc->regions[region].code, cxi_clock_name(kind),
             i + 1);
    c->kind = kind;
    c->region = region;
    c->state = CXI_CLOCK_STARTED;
    c->start = t;
    cx_time d = sim->sc->params.hybrid.deadline[kind];
    c->due = d > CX_TIME_NEVER - t ? CX_TIME_NEVER : t + d;
    c->name = name;
    cx_status st = clock_emit(sim, c, t, "started", (double)d / 3600.0, cause);
    if (st != CX_OK) return st;
    return schedule(sim, t, d, HE_DEADLINE, i, 0, 0, &c->ev);
}

cx_status cxi_hybrid_on_notify(cx_sim *sim, uint32_t region, int clock, cx_time t,
                               const char *cause) {
    cxi_hyb *H = sim->hyb;
    if (!H || region >= sim->sc->nregions || clock < 0 || clock >= CX_CLOCK_COUNT) return CX_OK;
    for (uint32_t i = 0; i < H->nclocks; i++) {
        cxi_clock *c = &H->clocks[i];
        if (c->state != CXI_CLOCK_STARTED || c->region != region || c->kind != clock) continue;
        cxi_kernel_cancel(sim->k, c->ev);
        c->ev = CXI_EVENT_NONE;
        c->state = CXI_CLOCK_MET;
        H->met++;
        return clock_emit(sim, c, t, "met", (double)(t - c->start) / 3600.0, cause ? cause : "");
    }
    return CX_OK; /* nothing to notify: the inject record shows the notification */
}

/* Starts clock kinds [k0, k1] in every region where inject j hits an asset for which pred holds. */
static cx_status clocks_for(cx_sim *sim, const cx_inject *j, int (*pred)(int), int k0, int k1,
                            cx_time t) {
    const cx_scenario *sc = sim->sc;
    cxi_hyb *H = sim->hyb;
    memset(H->scratch, 0, sc->nregions);
    for (uint32_t a = 0; a < sc->nassets; a++)
        if (pred(sc->assets[a].sector) && hits(sc, j, a)) H->scratch[sc->assets[a].region] = 1;
    for (uint32_t r = 0; r < sc->nregions; r++) {
        if (!H->scratch[r]) continue;
        for (int k = k0; k <= k1; k++) {
            cx_status st = clock_start(sim, k, r, t, j->id);
            if (st != CX_OK) return st;
        }
    }
    return CX_OK;
}

/* ---- cyber attacks ------------------------------------------------------------------------ */

static cx_time detect_at(cx_sim *sim, uint32_t inject, cx_time t) {
    cxi_hyb *H = sim->hyb;
    if (H->detect_at[inject] < 0) {
        const cx_inject *j = &sim->sc->injects[inject];
        const cxi_dist *d = j->detection.kind == CXI_DIST_FIXED && j->detection.p[0] < 0
                                ? &sim->sc->params.hybrid.cyber_detection_delay
                                : &j->detection;
        cx_time delay = cxi_sim_duration(cxi_dist_sample(d, H->rng));
        H->detect_at[inject] = delay > CX_TIME_NEVER - t ? CX_TIME_NEVER : t + delay;
    }
    return H->detect_at[inject];
}

cx_time cxi_hybrid_repair_after(cx_sim *sim, uint32_t inject, cx_time t, cx_time r) {
    if (!sim->hyb || inject >= sim->sc->ninjects) return r;
    cx_time d = detect_at(sim, inject, t) - t;
    if (d < 0) d = 0;
    return r > CX_TIME_NEVER - d ? CX_TIME_NEVER : r + d;
}

static cx_status on_detect(cx_sim *sim, cx_time t, uint32_t inject) {
    cxi_hyb *H = sim->hyb;
    const cx_scenario *sc = sim->sc;
    const cx_inject *j = &sc->injects[inject];
    cx_time attack = j->t < 0 ? 0 : j->t;
    double hours = (double)(t - attack) / 3600.0;
    H->cyber_detected++;
    H->delay_sum += (double)(t - attack);
    const char *region = "", *sector = "";
    if (j->target_kind == CX_TARGET_ASSET) {
        region = sc->regions[sc->assets[j->asset].region].code;
        sector = cxi_sector_name(sc->assets[j->asset].sector);
    } else {
        if (j->target_kind == CX_TARGET_SECTOR && j->region >= 0) region = sc->regions[j->region].code;
        if (j->sector >= 0) sector = cxi_sector_name(j->sector);
    }
    char text[96];
    snprintf(text, sizeof text, "cyber incident detected %.2f h after the attack", hours);
    cx_record rec = {t, CX_REC_HYBRID, j->id, region, sector, "cyber_detected", hours, j->id,
                     0, 0, text};
    cx_status st = cxi_sim_emit(sim, &rec);
    if (st != CX_OK) return st;
    return clocks_for(sim, j, essential, CX_CLOCK_NIS2_EARLY, CX_CLOCK_NIS2_FINAL, t);
}

/* ---- run ---------------------------------------------------------------------------------- */

static cx_status h_hybrid(void *ctx, cx_time t, const cxi_payload *p) {
    cx_sim *sim = ctx;
    cx_status st = cxi_metrics_advance(sim, t);
    sim->guard_n = 0;
    if (st != CX_OK) return st;
    cxi_hyb *H = sim->hyb;
    switch (p->b) {
    case HE_DETECT:
        return p->a < sim->sc->ninjects ? on_detect(sim, t, p->a) : CX_OK;
    case HE_DEADLINE: {
        if (p->a >= H->nclocks) return CX_OK;
        cxi_clock *c = &H->clocks[p->a];
        c->ev = CXI_EVENT_NONE;
        if (c->state != CXI_CLOCK_STARTED) return CX_OK;
        c->state = CXI_CLOCK_MISSED;
        H->missed++;
        return clock_emit(sim, c, t, "missed", (double)(c->due - c->start) / 3600.0, "");
    }
    case HE_TRUST:
        return p->a < sim->sc->nregions ? on_trust_event(sim, t, p->a, p->c) : CX_OK;
    case HE_FIMI_END: {
        if (p->a >= sim->sc->ninjects) return CX_OK;
        const cx_inject *j = &sim->sc->injects[p->a];
        cxi_trust *T = &H->trust[j->at_region];
        advance(sim, T, t);
        T->drop -= j->magnitude;
        if (--T->ncamp == 0 || T->drop < 0) T->drop = 0; /* no drift from rounding */
        return retrend(sim, (uint32_t)j->at_region, t, j->id);
    }
    default: return CX_OK;
    }
}

static int in_unit(double x) { return isfinite(x) && x >= 0 && x <= 1; }

cx_status cxi_hybrid_init(cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    const cx_hybrid_params *hp = &sc->params.hybrid;
    if (!in_unit(hp->trust_initial) || !(hp->trust_recovery >= 0) || !isfinite(hp->trust_recovery) ||
        !(hp->hrrt_factor > 0) || !(hp->pubcom_factor > 0) || !(hp->platform_factor > 0) ||
        !isfinite(hp->hrrt_factor * hp->pubcom_factor * hp->platform_factor) ||
        hp->trust_record_interval <= 0)
        return CX_EINVAL;
    for (int k = 0; k < CX_CLOCK_COUNT; k++)
        if (hp->deadline[k] < 0) return CX_EINVAL;
    uint64_t cap = 0;
    size_t maxcode = 0;
    for (uint32_t r = 0; r < sc->nregions; r++)
        if (strlen(sc->regions[r].code) > maxcode) maxcode = strlen(sc->regions[r].code);
    for (uint32_t i = 0; i < sc->ninjects; i++) {
        const cx_inject *j = &sc->injects[i];
        if (CX_INJECT_IS_HYBRID(j->kind) && j->kind != CX_INJECT_CYBER &&
            (j->at_region < 0 || (uint32_t)j->at_region >= sc->nregions))
            return CX_EINVAL;
        if (j->kind == CX_INJECT_FIMI && !(in_unit(j->magnitude)))
            return CX_EINVAL;
        if (!damaging(j->kind) || j->target_kind == CX_TARGET_NONE) continue;
        uint64_t regions = j->target_kind == CX_TARGET_ASSET ||
                                   (j->target_kind == CX_TARGET_SECTOR && j->region >= 0)
                               ? 1
                               : sc->nregions;
        cap += regions * (j->kind == CX_INJECT_CYBER ? 3 : 1);
    }
    if (cap > UINT32_MAX / 2) return CX_ELIMIT;
    cxi_arena *A = &sim->arena;
    cxi_hyb *H = cxi_arena_calloc(A, 1, sizeof *H);
    if (!H) return CX_ENOMEM;
    H->capclocks = (uint32_t)cap;
    H->namelen = maxcode + 32;
    H->detect_at = cxi_arena_calloc(A, sc->ninjects, sizeof *H->detect_at);
    H->trust = cxi_arena_calloc(A, sc->nregions, sizeof *H->trust);
    H->clocks = cxi_arena_calloc(A, H->capclocks, sizeof *H->clocks);
    H->names = cxi_arena_calloc(A, H->capclocks, H->namelen);
    H->scratch = cxi_arena_calloc(A, sc->nregions, 1);
    if (!H->detect_at || !H->trust || !H->clocks || !H->names || !H->scratch) return CX_ENOMEM;
    for (uint32_t i = 0; i < sc->ninjects; i++) H->detect_at[i] = -1;
    for (uint32_t r = 0; r < sc->nregions; r++) {
        cxi_trust *T = &H->trust[r];
        T->v = T->low = T->last_v = hp->trust_initial;
        T->last_s = 0;
    }
    for (uint32_t i = 0; i < sc->ninjects; i++)
        if (sc->injects[i].kind == CX_INJECT_FIMI) H->trust[sc->injects[i].at_region].used = 1;
    cx_status st = cxi_kernel_handler(sim->k, h_hybrid, sim, &H->ev);
    if (st != CX_OK) return st;
    H->rng = cxi_rng_stream(sim->seed, sim->replicate, CXI_STREAM_HYBRID);
    if (!H->rng) return CX_ENOMEM;
    sim->hyb = H;
    return CX_OK;
}

void cxi_hybrid_free(cx_sim *sim) {
    if (sim->hyb && sim->hyb->rng) gsl_rng_free(sim->hyb->rng);
    if (sim->hyb) sim->hyb->rng = NULL;
}

cx_status cxi_hybrid_on_inject(cx_sim *sim, cx_time t, uint32_t inject) {
    const cx_scenario *sc = sim->sc;
    if (!sim->hyb || inject >= sc->ninjects) return CX_OK;
    const cx_inject *j = &sc->injects[inject];
    uint32_t r = j->at_region >= 0 ? (uint32_t)j->at_region : 0;
    switch (j->kind) {
    case CX_INJECT_CYBER: {
        cx_time d = detect_at(sim, inject, t);
        return schedule(sim, t, d - t, HE_DETECT, inject, 0, 0, NULL);
    }
    case CX_INJECT_FIMI: {
        cxi_trust *T = &sim->hyb->trust[r];
        advance(sim, T, t);
        T->drop += j->magnitude;
        T->ncamp++;
        cx_status st = retrend(sim, r, t, j->id);
        if (st != CX_OK || j->duration <= 0) return st;
        return schedule(sim, t, j->duration, HE_FIMI_END, inject, 0, 0, NULL);
    }
    case CX_INJECT_HRRT: return cxi_hybrid_on_hrrt(sim, r, t, j->id);
    case CX_INJECT_PUBCOM: return cxi_hybrid_on_pubcom(sim, r, t, j->id);
    case CX_INJECT_PLATFORM_NOTICE: return cxi_hybrid_on_platform_notice(sim, r, t, j->id);
    case CX_INJECT_NOTIFY: return cxi_hybrid_on_notify(sim, r, j->clock, t, j->id);
    case CX_INJECT_DAMAGE:
    case CX_INJECT_DISABLE:
    case CX_INJECT_HAZARD:
        return clocks_for(sim, j, critical, CX_CLOCK_CER_FIRST, CX_CLOCK_CER_FIRST, t);
    default: return CX_OK;
    }
}

/* ---- metrics ------------------------------------------------------------------------------ */

static void add(cx_sim *sim, size_t *n, const char *name, const char *region, const char *unit) {
    if (sim->m.out) {
        cx_metric *m = &sim->m.out[*n];
        m->name = name;
        m->sector = "";
        m->region = region;
        m->unit = unit;
        m->value = 0;
    }
    (*n)++;
}

size_t cxi_hybrid_metrics_layout(cx_sim *sim, size_t n) {
    const cx_scenario *sc = sim->sc;
    add(sim, &n, "lowest_public_trust", "", "trust");
    for (uint32_t r = 0; r < sc->nregions; r++)
        if (sim->hyb->trust[r].used) add(sim, &n, "lowest_public_trust", sc->regions[r].code, "trust");
    add(sim, &n, "trust_hours_lost", "", "trust-hours");
    add(sim, &n, "cyber_incidents", "", "incidents");
    add(sim, &n, "detection_delay_mean_h", "", "h");
    add(sim, &n, "deadlines_met", "", "deadlines");
    add(sim, &n, "deadlines_missed", "", "deadlines");
    return n;
}

size_t cxi_hybrid_metrics_fill(cx_sim *sim, size_t i, cx_time now) {
    const cx_scenario *sc = sim->sc;
    cxi_hyb *H = sim->hyb;
    cx_metric *m = sim->m.out;
    size_t low_all = i++;
    double lowest = 1, lost = 0;
    for (uint32_t r = 0; r < sc->nregions; r++) {
        const cxi_trust *T = &H->trust[r];
        double v, integ;
        trust_at(sim, T, now < T->t ? T->t : now, &v, &integ);
        double low = v < T->low ? v : T->low;
        if (low < lowest) lowest = low;
        lost += integ / 3600.0;
        if (T->used) m[i++].value = low;
    }
    m[low_all].value = sc->nregions ? lowest : 1;
    m[i++].value = lost;
    m[i++].value = H->cyber_detected;
    m[i++].value = H->cyber_detected ? H->delay_sum / H->cyber_detected / 3600.0 : 0;
    m[i++].value = H->met;
    m[i++].value = H->missed;
    return i;
}
