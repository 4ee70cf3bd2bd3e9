/* sim.c — the public simulation API: create/destroy, observers, run/step, and the kernel handlers
 * that hand each event to its model (infra.c, iim.c), after metrics.c has settled the instant.
 * Invariant: a sim only reads its scenario, and once a run failed every later call returns that
 * failure with the same message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/hybrid.h"
#include "model/response.h"
#include "model/sim_int.h"
#include "model/trigger.h"

const char *cx_rec_kind_name(cx_rec_kind k) {
    switch (k) {
    case CX_REC_RUN: return "run";
    case CX_REC_INJECT: return "inject";
    case CX_REC_ASSET: return "asset";
    case CX_REC_SECTOR: return "sector";
    case CX_REC_INCIDENT: return "incident";
    case CX_REC_REQUEST: return "request";
    case CX_REC_CAPACITY: return "capacity";
    case CX_REC_IPCR: return "ipcr";
    case CX_REC_HYBRID: return "hybrid";
    case CX_REC_DECISION: return "decision";
    }
    return "";
}

cx_sim_config cx_sim_config_default(void) {
    cx_sim_config c;
    c.seed = 0;
    c.replicate = 0;
    c.horizon = -1;
    return c;
}

cx_status cxi_sim_fail(cx_sim *sim, cx_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sim->errmsg, sizeof sim->errmsg, fmt, ap);
    va_end(ap);
    return st;
}

cx_status cxi_sim_emit(cx_sim *sim, const cx_record *rec) {
    if (sim->msel) cxi_msel_on_record(sim, rec);
    for (int i = 0; i < sim->nobs; i++) {
        if (sim->obs[i].on_record(sim->obs[i].ud, rec) != 0) {
            char when[32];
            cxi_offset_format(rec->t, when, sizeof when);
            return cxi_sim_fail(sim, CX_EIO, "observer %d stopped the run at %s (%s record '%s')",
                                i + 1, when, cx_rec_kind_name(rec->kind), rec->entity);
        }
    }
    return CX_OK;
}

cx_time cxi_sim_duration(double seconds) {
    if (!(seconds > 0)) return 0; /* also NaN */
    if (seconds >= 9.0e18) return CX_TIME_NEVER;
    return (cx_time)llround(seconds);
}

cx_status cxi_sim_schedule_in(cx_sim *sim, cx_time now, cx_time delay, const cxi_payload *p,
                              cxi_event_id *id) {
    if (id) *id = CXI_EVENT_NONE;
    /* events after the horizon can never fire: not queueing them keeps the queue small */
    if (delay < 0 || now > sim->horizon || delay > sim->horizon - now) return CX_OK;
    cx_status st = cxi_kernel_schedule(sim->k, now + delay, p, id);
    if (st != CX_OK) return cxi_sim_fail(sim, st, "cannot schedule an event: %s", cx_status_str(st));
    return CX_OK;
}

/* Continuation streams take purposes with the top bit set: ordinary purposes are small integers, so
 * a continuation never replays the draws of an ordinary replicate. */
#define CONTINUATION_DOMAIN UINT64_C(0x8000000000000000)

cx_status cxi_sim_reseed(cx_sim *sim, uint64_t stream_replicate) {
    if (!sim) return CX_EINVAL;
    if (sim->failed != CX_OK) return sim->failed;
    struct {
        gsl_rng *r;
        uint64_t purpose;
    } s[] = {
        {sim->rng_repair, CXI_STREAM_REPAIR},
        {sim->rng_delay, CXI_STREAM_DELAY},
        {sim->rng_recovery, CXI_STREAM_RECOVERY},
        {sim->resp ? sim->resp->rng : NULL, CXI_STREAM_RESPONSE},
        {sim->resp ? sim->resp->rng_ipcr : NULL, CXI_STREAM_IPCR},
        {sim->hyb ? sim->hyb->rng : NULL, CXI_STREAM_HYBRID},
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (s[i].r)
            gsl_rng_set(s[i].r, (unsigned long)cxi_rng_derive(sim->seed, stream_replicate,
                                                              s[i].purpose | CONTINUATION_DOMAIN));
    return CX_OK;
}

/* ---- kernel handlers: settle metrics up to t, then dispatch ---------------------------------- */

/* Every handler but the update one resets the same-instant update guard: a livelock is a run of
 * update events only. */
/* With response models, IPCR rules look at the state after every event. */
static cx_status after(cx_sim *sim, cx_time t, cx_status st) {
    if (st == CX_OK && sim->msel) st = cxi_trigger_poll(sim, t);
    if (st != CX_OK || !sim->resp) return st;
    return cxi_ipcr_poll(sim, t);
}

static cx_status h_inject(void *ctx, cx_time t, const cxi_payload *p) {
    cx_sim *sim = ctx;
    cx_status st = cxi_metrics_advance(sim, t);
    sim->guard_n = 0;
    if (st == CX_OK) st = cxi_infra_on_inject(sim, t, p->a);
    if (st == CX_OK && sim->resp && p->a < sim->sc->ninjects &&
        sim->sc->injects[p->a].kind >= CX_INJECT_HAZARD)
        st = cxi_resp_on_inject(sim, t, p->a);
    if (st == CX_OK && sim->hyb) st = cxi_hybrid_on_inject(sim, t, p->a);
    return after(sim, t, st);
}

static cx_status h_resp(void *ctx, cx_time t, const cxi_payload *p) {
    cx_sim *sim = ctx;
    cx_status st = cxi_metrics_advance(sim, t);
    sim->guard_n = 0;
    if (st == CX_OK && sim->resp) st = cxi_resp_on_event(sim, t, p);
    return after(sim, t, st);
}

static cx_status h_update(void *ctx, cx_time t, const cxi_payload *p) {
    cx_sim *sim = ctx;
    cx_status st = cxi_metrics_advance(sim, t);
    return after(sim, t, st != CX_OK ? st : cxi_infra_on_update(sim, t, p->a));
}

static cx_status h_repair(void *ctx, cx_time t, const cxi_payload *p) {
    cx_sim *sim = ctx;
    cx_status st = cxi_metrics_advance(sim, t);
    sim->guard_n = 0;
    return after(sim, t, st != CX_OK ? st : cxi_infra_on_repair(sim, t, p->a));
}

static cx_status h_link_on(void *ctx, cx_time t, const cxi_payload *p) {
    cx_sim *sim = ctx;
    cx_status st = cxi_metrics_advance(sim, t);
    sim->guard_n = 0;
    return after(sim, t, st != CX_OK ? st : cxi_infra_on_link(sim, t, p->a, 1));
}

static cx_status h_link_off(void *ctx, cx_time t, const cxi_payload *p) {
    cx_sim *sim = ctx;
    cx_status st = cxi_metrics_advance(sim, t);
    sim->guard_n = 0;
    return after(sim, t, st != CX_OK ? st : cxi_infra_on_link(sim, t, p->a, 0));
}

static cx_status h_iim(void *ctx, cx_time t, const cxi_payload *p) {
    cx_sim *sim = ctx;
    (void)p;
    cx_status st = cxi_metrics_advance(sim, t);
    sim->guard_n = 0;
    return st != CX_OK ? st : cxi_sim_iim_on_step(sim, t);
}

/* ---- create / destroy --------------------------------------------------------------------- */

static int finite_in(double x, double lo, double hi) { return isfinite(x) && x >= lo && x <= hi; }

/* The loader validates; this re-checks what would make the model read out of bounds or loop, so
 * hand-built scenarios cannot crash it. */
static cx_status check_scenario(const cx_scenario *sc) {
    const cx_params *p = &sc->params;
    if (!finite_in(p->degraded_below, 0, 1) || !finite_in(p->failed_below, 0, 1) ||
        !finite_in(p->service_restored, 0, 1) || p->horizon < 0)
        return CX_EINVAL;
    if (p->mode != CX_MODEL_ASSETS) {
        if (p->iim_step <= 0) return CX_EINVAL;
        for (int s = 0; s < CX_SECTOR_COUNT; s++)
            if (!finite_in(p->iim_resilience[s], 0, 1)) return CX_EINVAL;
    }
    if ((sc->nregions && !sc->regions) || (sc->nassets && !sc->assets) ||
        (sc->nlinks && !sc->links) || (sc->ninjects && !sc->injects) ||
        (sc->ncouplings && !sc->couplings))
        return CX_EINVAL;
    for (uint32_t i = 0; i < sc->nregions; i++)
        if (!sc->regions[i].code) return CX_EINVAL;
    for (uint32_t i = 0; i < sc->nassets; i++) {
        const cx_asset *a = &sc->assets[i];
        if (!a->id || a->region >= sc->nregions || a->sector < 0 || a->sector >= CX_SECTOR_COUNT ||
            !isfinite(a->population))
            return CX_EINVAL;
    }
    for (uint32_t i = 0; i < sc->nlinks; i++) {
        const cx_link *l = &sc->links[i];
        if (l->supplier >= sc->nassets || l->dependent >= sc->nassets ||
            !finite_in(l->strength, 0, 1) || !isfinite(l->threshold))
            return CX_EINVAL;
    }
    for (uint32_t i = 0; i < sc->ninjects; i++) {
        const cx_inject *j = &sc->injects[i];
        if (!j->id || (unsigned)j->kind >= CX_INJECT_KIND_COUNT || !isfinite(j->magnitude))
            return CX_EINVAL;
        if (j->kind >= CX_INJECT_HAZARD &&
            (j->at_region >= (int32_t)sc->nregions ||
             (j->kind == CX_INJECT_PREPOSITION && j->capacity >= sc->ncapacities) ||
             (j->kind == CX_INJECT_IPCR && (j->ipcr_mode < 0 || j->ipcr_mode > CX_IPCR_CLOSED))))
            return CX_EINVAL;
        if (j->needs)
            for (int n = 0; n < CX_NEED_COUNT; n++)
                if (!(j->needs[n] >= 0) || !isfinite(j->needs[n])) return CX_EINVAL;
        if (i > 0 && j->t < sc->injects[i - 1].t) return CX_EINVAL;
        switch (j->target_kind) {
        case CX_TARGET_NONE: break;
        case CX_TARGET_ASSET:
            if (j->asset >= sc->nassets) return CX_EINVAL;
            break;
        case CX_TARGET_SECTOR:
            if (j->region < -1 || (j->region >= 0 && (uint32_t)j->region >= sc->nregions))
                return CX_EINVAL;
            /* fall through */
        case CX_TARGET_RADIUS:
            if (j->sector < -1 || j->sector >= CX_SECTOR_COUNT) return CX_EINVAL;
            break;
        default: return CX_EINVAL;
        }
    }
    if (sc->ncapacities && !sc->capacities) return CX_EINVAL;
    for (uint32_t i = 0; i < sc->ncapacities; i++) {
        const cx_capacity *c = &sc->capacities[i];
        if (!c->id || c->owner >= sc->nregions || c->count < 1 || c->need < 0 ||
            c->need >= CX_NEED_COUNT || !(c->rate > 0) || !(c->speed_kmh > 0) ||
            c->pool < 0 || c->pool > CX_POOL_RESCUE || c->prepositioned_at >= (int32_t)sc->nregions)
            return CX_EINVAL;
    }
    for (uint32_t i = 0; i < sc->ncouplings; i++) {
        const cx_iim_coupling *c = &sc->couplings[i];
        if (c->sector >= CX_SECTOR_COUNT || c->on_sector >= CX_SECTOR_COUNT ||
            c->region >= sc->nregions || c->on_region >= sc->nregions ||
            !finite_in(c->coefficient, 0, 1))
            return CX_EINVAL;
    }
    return CX_OK;
}

static cx_status setup(cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    cx_status st;
    size_t hint = (size_t)sc->nassets + sc->nlinks + sc->ninjects + 64;
    if (sim->k) cxi_kernel_reset(sim->k); /* cx_sim_reset: its memory is kept */
    else if ((st = cxi_kernel_create(hint, &sim->k)) != CX_OK) return st;
    struct {
        cxi_handler fn;
        uint32_t *type;
    } hs[] = {{h_inject, &sim->ev_inject}, {h_update, &sim->ev_update},
              {h_repair, &sim->ev_repair}, {h_link_on, &sim->ev_link_on},
              {h_link_off, &sim->ev_link_off}, {h_iim, &sim->ev_iim},
              {h_resp, &sim->ev_resp}};
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
        if ((st = cxi_kernel_handler(sim->k, hs[i].fn, sim, hs[i].type)) != CX_OK) return st;
    sim->rng_repair = cxi_rng_stream(sim->seed, sim->replicate, CXI_STREAM_REPAIR);
    sim->rng_delay = cxi_rng_stream(sim->seed, sim->replicate, CXI_STREAM_DELAY);
    sim->rng_recovery = cxi_rng_stream(sim->seed, sim->replicate, CXI_STREAM_RECOVERY);
    if (!sim->rng_repair || !sim->rng_delay || !sim->rng_recovery) return CX_ENOMEM;
    if (cxi_resp_wanted(sc) && (st = cxi_resp_init(sim)) != CX_OK) return st;
    if (cxi_hybrid_wanted(sc) && (st = cxi_hybrid_init(sim)) != CX_OK) return st;
    if ((st = cxi_infra_init(sim)) != CX_OK) return st;
    if ((st = cxi_sim_iim_init(sim)) != CX_OK) return st;
    if ((st = cxi_metrics_init(sim)) != CX_OK) return st;
    /* Injects first, in (t, file order): at equal times they precede everything scheduled later.
     * The clock starts at T0, so injects dated before T0 fire at T0 (in file order). */
    for (uint32_t i = 0; i < sc->ninjects; i++) {
        cx_time t = sc->injects[i].t < 0 ? 0 : sc->injects[i].t;
        if (t > sim->horizon) break;
        if (sc->injects[i].cond) continue; /* contingency: fired by its condition (trigger.c) */
        cxi_payload p = {sim->ev_inject, i, 0, 0, 0};
        if ((st = cxi_kernel_schedule(sim->k, t, &p, NULL)) != CX_OK) return st;
    }
    if (sim->iim_on) {
        cxi_payload p = {sim->ev_iim, 0, 0, 0, 0};
        if ((st = cxi_kernel_schedule(sim->k, 0, &p, NULL)) != CX_OK) return st;
    }
    return cxi_msel_init(sim);
}

/* Fills a zeroed sim (but for what survives a reset: keep, the kernel) for a run of sc with cfg. */
static cx_status init(cx_sim *sim, const cx_scenario *sc, const cx_sim_config *cfg) {
    cxi_arena_init(&sim->arena);
    sim->sc = sc;
    sim->seed = cfg->seed;
    sim->replicate = cfg->replicate;
    sim->horizon = cfg->horizon < 0 ? sc->params.horizon : cfg->horizon;
    sim->failed = CX_OK;
    return setup(sim);
}

cx_status cx_sim_create(const cx_scenario *sc, const cx_sim_config *cfg, cx_sim **out) {
    if (!out) return CX_EINVAL;
    *out = NULL;
    if (!sc) return CX_EINVAL;
    cx_sim_config def = cx_sim_config_default();
    if (!cfg) cfg = &def;
    cx_status st = check_scenario(sc);
    if (st != CX_OK) return st;
    cx_sim *sim = calloc(1, sizeof *sim);
    if (!sim) return CX_ENOMEM;
    cxi_arena_init(&sim->keep);
    if ((st = init(sim, sc, cfg)) != CX_OK) {
        cx_sim_destroy(sim);
        return st;
    }
    *out = sim;
    return CX_OK;
}

/* Frees everything but sim itself, sim->keep and the kernel. */
static void release(cx_sim *sim) {
    if (sim->rng_repair) gsl_rng_free(sim->rng_repair);
    if (sim->rng_delay) gsl_rng_free(sim->rng_delay);
    if (sim->rng_recovery) gsl_rng_free(sim->rng_recovery);
    cxi_metrics_free(sim);
    cxi_resp_free(sim);
    cxi_hybrid_free(sim);
    cxi_arena_free(&sim->arena);
}

void cx_sim_destroy(cx_sim *sim) {
    if (!sim) return;
    release(sim);
    cxi_kernel_destroy(sim->k);
    cxi_arena_free(&sim->keep);
    free(sim);
}

cx_status cx_sim_reset(cx_sim *sim, const cx_sim_config *cfg) {
    if (!sim) return CX_EINVAL;
    cx_sim_config def = cx_sim_config_default();
    if (!cfg) cfg = &def;
    const cx_scenario *sc = sim->sc;
    cxi_infra_restore(sim);
    release(sim);
    cx_sim kept = *sim; /* about a kilobyte */
    memset(sim, 0, sizeof *sim);
    cxi_infra_keep(sim, &kept);
    sim->k = kept.k; /* reset by setup() */
    cx_status st = init(sim, sc, cfg);
    if (st != CX_OK) {
        sim->failed = st;
        if (!sim->errmsg[0])
            cxi_sim_fail(sim, st, "cannot reset the simulation: %s", cx_status_str(st));
    }
    return st;
}

const char *cx_sim_errmsg(const cx_sim *sim) { return sim ? sim->errmsg : ""; }

cx_status cx_sim_subscribe(cx_sim *sim, const cx_observer *obs) {
    if (!sim) return CX_EINVAL;
    if (!obs || !obs->on_record)
        return cxi_sim_fail(sim, CX_EINVAL, "observer without an on_record callback");
    if (sim->nobs >= CXI_MAX_OBSERVERS)
        return cxi_sim_fail(sim, CX_ELIMIT, "at most %d observers per simulation",
                            CXI_MAX_OBSERVERS);
    sim->obs[sim->nobs++] = *obs;
    return CX_OK;
}

cx_time cx_sim_now(const cx_sim *sim) { return sim ? cxi_kernel_now(sim->k) : 0; }

/* Every run entry point passes here: sticky failure, then the "start" record once. */
static cx_status begin(cx_sim *sim) {
    if (sim->failed != CX_OK) return sim->failed;
    if (sim->started) return CX_OK;
    sim->started = 1;
    const char *name = sim->sc->params.name ? sim->sc->params.name : "";
    cx_record r = {cxi_kernel_now(sim->k), CX_REC_RUN, name, "", "", "start", 0.0, "", 0, 0, name};
    cx_status st = cxi_sim_emit(sim, &r);
    if (st != CX_OK) sim->failed = st;
    return st;
}

/* A kernel status other than OK: keep the handler's message, or say what the kernel reported. */
static cx_status after_kernel(cx_sim *sim, cx_status st) {
    if (st == CX_OK) return CX_OK;
    if (!sim->errmsg[0]) cxi_sim_fail(sim, st, "event loop failed: %s", cx_status_str(st));
    sim->failed = st;
    return st;
}

cx_status cx_sim_run_until(cx_sim *sim, cx_time t) {
    if (!sim) return CX_EINVAL;
    cx_status st = begin(sim);
    if (st != CX_OK) return st;
    if (t > sim->horizon) t = sim->horizon;
    if (t < cxi_kernel_now(sim->k))
        return cxi_sim_fail(sim, CX_EINVAL, "cannot run back in time (to %lld s, now %lld s)",
                            (long long)t, (long long)cxi_kernel_now(sim->k));
    return after_kernel(sim, cxi_kernel_run_until(sim->k, t));
}

cx_status cx_sim_run(cx_sim *sim) {
    if (!sim) return CX_EINVAL;
    cx_status st = cx_sim_run_until(sim, sim->horizon);
    if (st != CX_OK || sim->ended) return st;
    sim->ended = 1;
    const char *name = sim->sc->params.name ? sim->sc->params.name : "";
    cx_record r = {sim->horizon, CX_REC_RUN, name, "", "", "end", 0.0, "", 0, 0, name};
    if ((st = cxi_sim_emit(sim, &r)) != CX_OK) sim->failed = st;
    return st;
}

cx_status cx_sim_step(cx_sim *sim, int *stepped) {
    if (stepped) *stepped = 0;
    if (!sim || !stepped) return CX_EINVAL;
    cx_status st = begin(sim);
    if (st != CX_OK) return st;
    return after_kernel(sim, cxi_kernel_step(sim->k, sim->horizon, stepped));
}
