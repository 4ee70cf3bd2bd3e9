/* scenario_builder.h — builds a cx_scenario in C for unit tests (no CSV files), and records what a
 * simulation emits. Invariant: as with the loader, the scenario struct and everything it points to
 * live in sc->arena (so cx_scenario_destroy frees it all); injects stay sorted by (t, order added).
 * Test helper: aborts on out-of-memory. */
#ifndef CX_SCENARIO_BUILDER_H
#define CX_SCENARIO_BUILDER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crisim.h"
#include "kernel/kernel_api.h"
#include "model/scenario.h"

static inline void *sb_alloc(cx_scenario *sc, size_t n) {
    void *p = cxi_arena_alloc(&sc->arena, n);
    if (!p) abort();
    memset(p, 0, n);
    return p;
}

static inline const char *sb_str(cx_scenario *sc, const char *s) {
    char *p = cxi_arena_strdup(&sc->arena, s ? s : "");
    if (!p) abort();
    return p;
}

/* A scenario named `name` with default parameters and the given horizon (seconds). */
static inline cx_scenario *sb_new(const char *name, cx_time horizon) {
    cxi_arena a;
    cxi_arena_init(&a);
    cx_scenario *sc = cxi_arena_alloc(&a, sizeof *sc);
    if (!sc) abort();
    memset(sc, 0, sizeof *sc);
    sc->arena = a; /* sc lives in its own arena, like the loader's */
    cxi_params_default(&sc->params);
    sc->params.name = sb_str(sc, name);
    sc->params.title = "";
    sc->params.horizon = horizon;
    sc->dir = "";
    memcpy(sc->hash, "0000000000000000", 17);
    return sc;
}

/* Arrays grow in the arena; the capacity is implied by the count (8, 16, 32, ...). */
static inline void *sb_grow(cx_scenario *sc, void *arr, uint32_t n, size_t size) {
    if (n != 0 && (n < 8 || (n & (n - 1)) != 0)) return arr;
    size_t cap = n == 0 ? 8 : 2 * (size_t)n;
    void *p = sb_alloc(sc, cap * size);
    if (n) memcpy(p, arr, (size_t)n * size);
    return p;
}

static inline cxi_dist sb_fixed(double seconds) {
    cxi_dist d = {CXI_DIST_FIXED, {seconds, 0, 0}, 1};
    return d;
}

static inline cxi_dist sb_exp(double mean_seconds) {
    cxi_dist d = {CXI_DIST_EXP, {mean_seconds, 0, 0}, 1};
    return d;
}

static inline uint32_t sb_region(cx_scenario *sc, const char *code, double lat, double lon,
                                 double population) {
    sc->regions = sb_grow(sc, sc->regions, sc->nregions, sizeof *sc->regions);
    cx_region *r = &sc->regions[sc->nregions];
    r->code = sb_str(sc, code);
    r->name = r->code;
    r->kind = CX_REGION_MEMBER;
    r->lat = lat;
    r->lon = lon;
    r->population = population;
    return sc->nregions++;
}

/* An asset at its region's point; repair time fixed(12h) unless changed afterwards. */
static inline uint32_t sb_asset(cx_scenario *sc, const char *id, int sector, uint32_t region,
                                double population) {
    sc->assets = sb_grow(sc, sc->assets, sc->nassets, sizeof *sc->assets);
    cx_asset *a = &sc->assets[sc->nassets];
    a->id = sb_str(sc, id);
    a->name = "";
    a->sector = sector;
    a->region = region;
    a->lat = region < sc->nregions ? sc->regions[region].lat : 0;
    a->lon = region < sc->nregions ? sc->regions[region].lon : 0;
    a->population = population;
    a->repair = sb_fixed(12 * 3600.0);
    return sc->nassets++;
}

static inline uint32_t sb_link(cx_scenario *sc, uint32_t supplier, uint32_t dependent,
                               double threshold, double strength, cxi_dist delay,
                               cxi_dist recovery) {
    sc->links = sb_grow(sc, sc->links, sc->nlinks, sizeof *sc->links);
    cx_link *l = &sc->links[sc->nlinks];
    l->supplier = supplier;
    l->dependent = dependent;
    l->threshold = threshold;
    l->strength = strength;
    l->delay = delay;
    l->recovery = recovery;
    return sc->nlinks++;
}

/* A message inject at t, inserted after every inject with time <= t; fill in its target after.
 * The pointer is valid until the next sb_inject call. */
static inline cx_inject *sb_inject(cx_scenario *sc, const char *id, cx_time t, cx_inject_kind kind) {
    sc->injects = sb_grow(sc, sc->injects, sc->ninjects, sizeof *sc->injects);
    uint32_t pos = sc->ninjects;
    while (pos > 0 && sc->injects[pos - 1].t > t) pos--;
    memmove(&sc->injects[pos + 1], &sc->injects[pos],
            (size_t)(sc->ninjects - pos) * sizeof *sc->injects);
    sc->ninjects++;
    cx_inject *j = &sc->injects[pos];
    memset(j, 0, sizeof *j);
    j->id = sb_str(sc, id);
    j->t = t;
    j->kind = kind;
    j->target_kind = CX_TARGET_NONE;
    j->sector = -1;
    j->region = -1;
    j->magnitude = 1;
    j->message = j->channel = j->from = j->to = j->expected_action = j->objective = "";
    j->line = sc->ninjects + 1;
    return j;
}

static inline void sb_on_asset(cx_scenario *sc, const char *id, cx_time t, cx_inject_kind kind,
                               uint32_t asset, double magnitude) {
    cx_inject *j = sb_inject(sc, id, t, kind);
    j->target_kind = CX_TARGET_ASSET;
    j->asset = asset;
    j->magnitude = magnitude;
}

/* Every asset of `sector` (-1 = all) in `region` (-1 = all regions). */
static inline void sb_on_sector(cx_scenario *sc, const char *id, cx_time t, cx_inject_kind kind,
                                int sector, int32_t region, double magnitude) {
    cx_inject *j = sb_inject(sc, id, t, kind);
    j->target_kind = CX_TARGET_SECTOR;
    j->sector = sector;
    j->region = region;
    j->magnitude = magnitude;
}

static inline void sb_on_radius(cx_scenario *sc, const char *id, cx_time t, cx_inject_kind kind,
                                double lat, double lon, double radius_km, int sector,
                                double magnitude) {
    cx_inject *j = sb_inject(sc, id, t, kind);
    j->target_kind = CX_TARGET_RADIUS;
    j->lat = lat;
    j->lon = lon;
    j->radius_km = radius_km;
    j->sector = sector;
    j->magnitude = magnitude;
}

static inline void sb_coupling(cx_scenario *sc, int sector, uint32_t region, int on_sector,
                               uint32_t on_region, double coefficient) {
    sc->couplings = sb_grow(sc, sc->couplings, sc->ncouplings, sizeof *sc->couplings);
    cx_iim_coupling *c = &sc->couplings[sc->ncouplings++];
    c->sector = (uint32_t)sector;
    c->region = region;
    c->on_sector = (uint32_t)on_sector;
    c->on_region = on_region;
    c->coefficient = coefficient;
}

/* ---- response: capacities, hazards, requests (additive) ------------------------------------ */

/* A capacity of `count` units of need `need` owned by `owner`, all delays fixed(0), rate 1/h,
 * endurance fixed(1000d), speed 60 km/h, at the owner's point; change fields afterwards. */
static inline uint32_t sb_capacity(cx_scenario *sc, const char *id, uint32_t owner, int need,
                                   uint32_t count) {
    sc->capacities = sb_grow(sc, sc->capacities, sc->ncapacities, sizeof *sc->capacities);
    cx_capacity *c = &sc->capacities[sc->ncapacities];
    memset(c, 0, sizeof *c);
    c->id = sb_str(sc, id);
    c->type = "national_team";
    c->owner = owner;
    c->pool = CX_POOL_NATIONAL;
    c->count = count;
    c->readiness = sb_fixed(0);
    c->speed_kmh = 60;
    c->handling = sb_fixed(0);
    c->endurance = sb_fixed(1000 * 86400.0);
    c->need = need;
    c->rate = 1;
    c->repairs = -1;
    c->repair_factor = 0.5;
    c->offer_latency = sb_fixed(0);
    c->lat = owner < sc->nregions ? sc->regions[owner].lat : 0;
    c->lon = owner < sc->nregions ? sc->regions[owner].lon : 0;
    c->prepositioned_at = -1;
    c->note = "";
    return sc->ncapacities++;
}

/* A hazard (or request) inject in `region` needing `amount` of `need`. */
static inline cx_inject *sb_need_inject(cx_scenario *sc, const char *id, cx_time t,
                                        cx_inject_kind kind, uint32_t region, int need,
                                        double amount) {
    double *v = sb_alloc(sc, CX_NEED_COUNT * sizeof *v);
    v[need] = amount;
    cx_inject *j = sb_inject(sc, id, t, kind);
    j->at_region = (int32_t)region;
    j->needs = v;
    j->hazard = CX_HAZARD_COUNT - 1;
    j->trigger = "";
    return j;
}

/* Every response delay of the scenario fixed(0) (tests then set the ones they look at). */
static inline void sb_response_zero(cx_scenario *sc) {
    cx_params *p = &sc->params;
    p->ucpm_request_delay = p->ercc_relay_delay = p->accept_delay = sb_fixed(0);
    p->transit_handling = sb_fixed(0);
    p->ipcr_decision_delay = sb_fixed(0);
}

/* ---- a recording observer ------------------------------------------------------------------- */

typedef struct {
    cx_time t;
    cx_rec_kind kind;
    char entity[64], region[16], sector[16], state[24], cause[64], text[96];
    double value;
    int cross_border, depth;
} sb_rec;

typedef struct {
    sb_rec *r;
    size_t n, cap;
    size_t abort_at; /* return non-zero on record number abort_at (1-based); 0 = never */
} sb_log;

static inline void sb_copy(char *dst, size_t n, const char *src) {
    snprintf(dst, n, "%s", src ? src : "(null)");
}

static inline int sb_log_record(void *ud, const cx_record *rec) {
    sb_log *l = ud;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->r = realloc(l->r, l->cap * sizeof *l->r);
        if (!l->r) abort();
    }
    sb_rec *r = &l->r[l->n++];
    r->t = rec->t;
    r->kind = rec->kind;
    sb_copy(r->entity, sizeof r->entity, rec->entity);
    sb_copy(r->region, sizeof r->region, rec->region);
    sb_copy(r->sector, sizeof r->sector, rec->sector);
    sb_copy(r->state, sizeof r->state, rec->state);
    sb_copy(r->cause, sizeof r->cause, rec->cause);
    sb_copy(r->text, sizeof r->text, rec->text);
    r->value = rec->value;
    r->cross_border = rec->cross_border;
    r->depth = rec->depth;
    return l->abort_at != 0 && l->n == l->abort_at;
}

static inline cx_observer sb_log_observer(sb_log *l) {
    cx_observer o = {l, sb_log_record};
    return o;
}

static inline void sb_log_free(sb_log *l) {
    free(l->r);
    memset(l, 0, sizeof *l);
}

/* The nth (0-based) record of `kind` about `entity`, or NULL. */
static inline const sb_rec *sb_log_find(const sb_log *l, cx_rec_kind kind, const char *entity,
                                        size_t nth) {
    for (size_t i = 0; i < l->n; i++)
        if (l->r[i].kind == kind && !strcmp(l->r[i].entity, entity) && nth-- == 0) return &l->r[i];
    return NULL;
}

static inline size_t sb_log_count(const sb_log *l, cx_rec_kind kind, const char *entity) {
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->r[i].kind == kind && (!entity || !strcmp(l->r[i].entity, entity))) n++;
    return n;
}

/* The last record about entity (NULL when none). */
static inline const sb_rec *sb_log_last(const sb_log *l, cx_rec_kind kind, const char *entity) {
    for (size_t i = l->n; i-- > 0;)
        if (l->r[i].kind == kind && !strcmp(l->r[i].entity, entity)) return &l->r[i];
    return NULL;
}

/* Creates a sim of sc (seed, replicate 0, scenario horizon), subscribes log (may be NULL) and runs
 * it to the end. Returns the sim (caller destroys; NULL if create failed); *st_out the status. */
static inline cx_sim *sb_run(const cx_scenario *sc, uint64_t seed, sb_log *log, cx_status *st_out) {
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = seed;
    cx_sim *sim = NULL;
    cx_status st = cx_sim_create(sc, &cfg, &sim);
    if (st == CX_OK && log) {
        cx_observer o = sb_log_observer(log);
        st = cx_sim_subscribe(sim, &o);
    }
    if (st == CX_OK) st = cx_sim_run(sim);
    if (st_out) *st_out = st;
    return sim;
}

#define SB_H 3600
#define SB_MIN 60

#endif
