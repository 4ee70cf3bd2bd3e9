/* metrics.c — outcome measures of a run (docs/model.md lists names, units and definitions).
 * Invariant: integrals are exact for the piecewise-constant state (updated at every change);
 * peaks, counts and the restore curve use the state at the end of each instant ("settled"), so
 * states that last zero seconds inside a same-time cascade do not count. */
#include <stdlib.h>
#include <string.h>

#include "model/hybrid.h"
#include "model/response.h"
#include "model/sim_int.h"

static uint32_t nnodes(const cx_sim *sim) { return sim->sc->nregions * CX_SECTOR_COUNT; }

static void add(cx_sim *sim, size_t *n, const char *name, const char *sector, const char *region,
                const char *unit) {
    if (sim->m.out) {
        cx_metric *m = &sim->m.out[*n];
        m->name = name;
        m->sector = sector;
        m->region = region;
        m->unit = unit;
        m->value = 0;
    }
    (*n)++;
}

/* The list of metrics: its size and order depend only on the scenario. Run twice: count, fill. */
static size_t layout(cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    size_t n = 0;
    add(sim, &n, "pop_hours_without_service", "", "", "person-hours");
    for (uint32_t r = 0; r < sc->nregions; r++)
        for (int s = 0; s < CX_SECTOR_COUNT; s++)
            if (sim->pair_nassets[r * CX_SECTOR_COUNT + (uint32_t)s])
                add(sim, &n, "pop_hours_without_service", cxi_sector_name(s), sc->regions[r].code,
                    "person-hours");
    add(sim, &n, "peak_pop_without_service", "", "", "persons");
    add(sim, &n, "regions_affected", "", "", "regions");
    add(sim, &n, "peak_failed_assets", "", "", "assets");
    add(sim, &n, "assets_failed", "", "", "assets");
    add(sim, &n, "time_to_restore", "", "", "h");
    add(sim, &n, "restored", "", "", "flag");
    add(sim, &n, "longest_cascade_chain", "", "", "links");
    add(sim, &n, "cross_border_failures", "", "", "failures");
    add(sim, &n, "events", "", "", "events");
    if (sim->iim_on) {
        add(sim, &n, "inoperability_hours", "", "", "inoperability-hours");
        for (uint32_t r = 0; r < sc->nregions; r++)
            for (int s = 0; s < CX_SECTOR_COUNT; s++)
                if (sim->iim_in_set[r * CX_SECTOR_COUNT + (uint32_t)s])
                    add(sim, &n, "inoperability_hours", cxi_sector_name(s), sc->regions[r].code,
                        "inoperability-hours");
    }
    if (sim->resp) n = cxi_resp_metrics_layout(sim, n);
    if (sim->hyb) n = cxi_hybrid_metrics_layout(sim, n);
    return n;
}

cx_status cxi_metrics_init(cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    uint32_t n = nnodes(sim);
    sim->m.pair_out = cxi_arena_calloc(&sim->arena, n, sizeof(double));
    sim->m.pair_int = cxi_arena_calloc(&sim->arena, n, sizeof(double));
    sim->m.pair_t = cxi_arena_calloc(&sim->arena, n, sizeof(cx_time));
    sim->m.region_hit = cxi_arena_calloc(&sim->arena, sc->nregions, 1);
    /* m.dirty (nassets) is allocated with the asset model's arrays (cxi_infra_init) */
    if (!sim->m.pair_out || !sim->m.pair_int || !sim->m.pair_t || !sim->m.region_hit ||
        !sim->m.dirty)
        return CX_ENOMEM;
    sim->m.t_first = -1;
    sim->m.nout = layout(sim);
    sim->m.out = cxi_arena_calloc(&sim->arena, sim->m.nout, sizeof(cx_metric));
    if (!sim->m.out) return CX_ENOMEM;
    layout(sim);
    return CX_OK;
}

void cxi_metrics_free(cx_sim *sim) {
    free(sim->m.segs);
    sim->m.segs = NULL;
    sim->m.nsegs = sim->m.capsegs = 0;
}

void cxi_metrics_on_q(cx_sim *sim, uint32_t a, cx_time t, int32_t q_old, int32_t q_new) {
    const cx_asset *A = &sim->sc->assets[a];
    double pop = A->population, dq = (double)q_new - (double)q_old;
    uint32_t p = A->region * CX_SECTOR_COUNT + (uint32_t)A->sector;
    sim->m.pop_int += sim->m.pop_out * (double)(t - sim->m.pop_t);
    sim->m.pop_t = t;
    sim->m.pop_out += pop * dq;
    if (q_old == 0 && q_new > 0) sim->m.n_out++;
    if (q_old > 0 && q_new == 0) sim->m.n_out--;
    if (sim->m.n_out == 0) sim->m.pop_out = 0; /* no rounding residue when everything is back */
    sim->m.pair_int[p] += sim->m.pair_out[p] * (double)(t - sim->m.pair_t[p]);
    sim->m.pair_t[p] = t;
    sim->m.pair_out[p] += pop * dq;
    if (sim->resp) cxi_resp_on_q(sim, a, q_old, q_new);
}

void cxi_metrics_on_level(cx_sim *sim, int old_level, int new_level) {
    if (old_level == CXI_LEVEL_FAILED) sim->m.n_failed--;
    if (new_level == CXI_LEVEL_FAILED) sim->m.n_failed++;
}

void cxi_metrics_mark(cx_sim *sim, uint32_t a) {
    if (sim->as[a].dirty) return;
    sim->as[a].dirty = 1;
    sim->m.dirty[sim->m.ndirty++] = a;
}

void cxi_metrics_on_iim(cx_sim *sim, uint32_t node, cx_time t, double q_old) {
    sim->iim_int[node] += q_old * (double)(t - sim->iim_t[node]);
    sim->iim_t[node] = t;
}

/* Closes the restore-curve segment of value v that ends at t. Entries whose value is <= v can
 * never be the last time above a threshold (v is later and at least as high), so they go. */
static cx_status push_segment(cx_sim *sim, double v, cx_time t) {
    if (!(v > 0)) return CX_OK; /* never above a threshold >= 0 */
    while (sim->m.nsegs > 0 && sim->m.segs[sim->m.nsegs - 1].v <= v) sim->m.nsegs--;
    if (sim->m.nsegs == sim->m.capsegs) {
        size_t cap = sim->m.capsegs ? 2 * sim->m.capsegs : 64;
        cxi_seg *s = realloc(sim->m.segs, cap * sizeof *s);
        if (!s) return cxi_sim_fail(sim, CX_ENOMEM, "out of memory for the restore curve");
        sim->m.segs = s;
        sim->m.capsegs = cap;
    }
    sim->m.segs[sim->m.nsegs].v = v;
    sim->m.segs[sim->m.nsegs].end = t;
    sim->m.nsegs++;
    return CX_OK;
}

/* The current state is the settled state of instant t_cur. Idempotent. */
static cx_status settle(cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    for (uint32_t i = 0; i < sim->m.ndirty; i++) {
        uint32_t a = sim->m.dirty[i];
        cxi_asset_state *s = &sim->as[a];
        s->dirty = 0;
        if (s->level != CXI_LEVEL_WORKING) {
            sim->m.region_hit[sc->assets[a].region] = 1;
            if (s->depth > sim->m.longest) sim->m.longest = s->depth;
        }
        if (s->level == CXI_LEVEL_FAILED) {
            if (!s->ever_failed) {
                s->ever_failed = 1;
                sim->m.n_ever_failed++;
            }
            if (s->settled_level != CXI_LEVEL_FAILED && s->cause_sup >= 0 &&
                sc->assets[s->cause_sup].region != sc->assets[a].region)
                sim->m.xb_failures++;
        }
        s->settled_level = s->level;
    }
    sim->m.ndirty = 0;
    if (sim->m.n_failed > sim->m.peak_failed) sim->m.peak_failed = sim->m.n_failed;
    double v = sim->m.pop_out;
    if (v > sim->m.peak_pop) sim->m.peak_pop = v;
    if (v > 0 && sim->m.t_first < 0) sim->m.t_first = sim->m.t_cur;
    if (v != sim->m.seg_v) {
        cx_status st = push_segment(sim, sim->m.seg_v, sim->m.t_cur);
        if (st != CX_OK) return st;
        sim->m.seg_v = v;
    }
    return CX_OK;
}

cx_status cxi_metrics_advance(cx_sim *sim, cx_time t) {
    if (t <= sim->m.t_cur) return CX_OK;
    cx_status st = settle(sim);
    sim->m.t_cur = t;
    return st;
}

cx_status cx_sim_metrics(cx_sim *sim, const cx_metric **out, size_t *n) {
    if (out) *out = NULL;
    if (n) *n = 0;
    if (!sim || !out || !n) return CX_EINVAL;
    const cx_scenario *sc = sim->sc;
    cx_time now = cxi_kernel_now(sim->k);
    cx_status st = cxi_metrics_advance(sim, now);
    if (st == CX_OK) st = settle(sim);
    if (st != CX_OK) return st;
    cx_metric *m = sim->m.out;
    size_t i = 0;
    const double ph = 1.0 / (3600.0 * CXI_Q_FULL); /* person-permyriad-seconds -> person-hours */
    m[i++].value = (sim->m.pop_int + sim->m.pop_out * (double)(now - sim->m.pop_t)) * ph;
    uint32_t nodes = nnodes(sim);
    for (uint32_t p = 0; p < nodes; p++)
        if (sim->pair_nassets[p])
            m[i++].value =
                (sim->m.pair_int[p] + sim->m.pair_out[p] * (double)(now - sim->m.pair_t[p])) * ph;
    m[i++].value = sim->m.peak_pop / CXI_Q_FULL;
    double regions = 0;
    for (uint32_t r = 0; r < sc->nregions; r++) regions += sim->m.region_hit[r];
    m[i++].value = regions;
    m[i++].value = sim->m.peak_failed;
    m[i++].value = sim->m.n_ever_failed;
    /* time_to_restore: last moment the settled curve was above (1 - service_restored) x peak */
    double ttr = 0, restored = 1;
    if (sim->m.t_first >= 0) {
        double thr = (1.0 - sc->params.service_restored) * sim->m.peak_pop;
        if (sim->m.seg_v > thr) {
            ttr = (double)(now - sim->m.t_first) / 3600.0;
            restored = 0;
        } else {
            for (size_t k = sim->m.nsegs; k-- > 0;) {
                if (sim->m.segs[k].v > thr) {
                    ttr = (double)(sim->m.segs[k].end - sim->m.t_first) / 3600.0;
                    break;
                }
            }
        }
    }
    m[i++].value = ttr;
    m[i++].value = restored;
    m[i++].value = sim->m.longest;
    m[i++].value = sim->m.xb_failures;
    m[i++].value = (double)cxi_kernel_processed(sim->k);
    if (sim->iim_on) {
        size_t total = i++;
        double sum = 0;
        for (uint32_t p = 0; p < nodes; p++) {
            double v = (sim->iim_int[p] + sim->iim.q[p] * (double)(now - sim->iim_t[p])) / 3600.0;
            sum += v;
            if (sim->iim_in_set[p]) m[i++].value = v;
        }
        m[total].value = sum;
    }
    if (sim->resp) i = cxi_resp_metrics_fill(sim, i, now);
    if (sim->hyb) i = cxi_hybrid_metrics_fill(sim, i, now);
    *out = m;
    *n = i;
    return CX_OK;
}

/* ---- response metrics (only when the scenario has response models) ------------------------ */

static const char *const time_names[] = {"time_to_first_request", "time_to_first_offer",
                                         "time_to_first_arrival"};
static const char *const time_flags[] = {"time_to_first_request_censored",
                                         "time_to_first_offer_censored",
                                         "time_to_first_arrival_censored"};
static const char *const pool_metric[] = {"capacities_deployed_national", "capacities_deployed_ecpp",
                                          "capacities_deployed_rescue"};
static const char *const ipcr_metric[] = {"ipcr_time_to_monitoring",
                                          "ipcr_time_to_information_sharing", "ipcr_time_to_full"};

size_t cxi_resp_metrics_layout(cx_sim *sim, size_t n) {
    const cx_scenario *sc = sim->sc;
    const cxi_resp *R = sim->resp;
    for (int k = 0; k < 3; k++) {
        add(sim, &n, time_names[k], "", "", "h");
        add(sim, &n, time_flags[k], "", "", "flag");
    }
    for (int d = 0; d < CX_NEED_COUNT; d++)
        if (R->need_used[d]) add(sim, &n, "unmet_need_hours", cxi_need_name(d), "", "need-hours");
    add(sim, &n, "capacities_deployed", "", "", "deployments");
    for (int k = 0; k < 3; k++) add(sim, &n, pool_metric[k], "", "", "deployments");
    for (uint32_t r = 0; r < sc->nregions; r++)
        if (R->owner_r[r]) add(sim, &n, "capacities_deployed", "", sc->regions[r].code, "deployments");
    for (int k = 0; k < 3; k++) {
        add(sim, &n, ipcr_metric[k], "", "", "h");
        add(sim, &n, "ipcr_reached", cxi_ipcr_mode_name(k + 1), "", "flag");
    }
    add(sim, &n, "isaa_reports", "", "", "reports");
    add(sim, &n, "roundtables", "", "", "meetings");
    add(sim, &n, "peak_need_coverage", "", "", "share");
    return n;
}

size_t cxi_resp_metrics_fill(cx_sim *sim, size_t i, cx_time now) {
    const cx_scenario *sc = sim->sc;
    cxi_resp *R = sim->resp;
    cx_metric *m = sim->m.out;
    /* times from the first incident (T0 when none); never reached: censored at now */
    cx_time origin = R->t_first_inc >= 0 ? R->t_first_inc : 0;
    const cx_time firsts[3] = {R->t_first_req, R->t_first_offer, R->t_first_arrival};
    for (int k = 0; k < 3; k++) {
        cx_time t = firsts[k] >= 0 ? firsts[k] : now;
        m[i++].value = (double)(t - origin) / 3600.0;
        m[i++].value = firsts[k] < 0;
    }
    for (int d = 0; d < CX_NEED_COUNT; d++) {
        if (!R->need_used[d]) continue;
        double v = R->unmet[d];
        for (uint32_t k = 0; k < R->nopen_inc; k++) {
            cxi_inc_advance(sim, R->open_inc[k], now);
            v += R->inc[R->open_inc[k]].integ[d];
        }
        m[i++].value = v / 3600.0;
    }
    m[i++].value = R->deployed_pool[0] + R->deployed_pool[1] + R->deployed_pool[2];
    for (int k = 0; k < 3; k++) m[i++].value = R->deployed_pool[k];
    for (uint32_t r = 0; r < sc->nregions; r++)
        if (R->owner_r[r]) m[i++].value = R->deployed_r[r];
    for (int k = 0; k < 3; k++) {
        cx_time t = R->t_mode[k + 1];
        m[i++].value = (double)((t >= 0 ? t : now) - origin) / 3600.0;
        m[i++].value = t >= 0;
    }
    m[i++].value = R->isaa_n;
    m[i++].value = R->roundtable_n;
    m[i++].value = R->peak_coverage;
    return i;
}
