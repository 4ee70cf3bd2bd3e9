/* incident.c — response names and defaults, the run state of the response models, and incidents:
 * a hazard opens one in its region with an amount per need type, which then evolves in closed form
 * (growth while nobody works on it, half-life decay, linear recession, minus the units' rates).
 * Invariant: a[n] and integ[n] are exact at t_upd; every change of rate first advances to now. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/response.h"
#include "model/trigger.h"

static int ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y) return 0;
    }
    return *a == *b;
}

const char *const cxi_need_names[CX_NEED_COUNT] = {
#define CX_NEED_NAME(e, s) s,
    CX_NEED_LIST(CX_NEED_NAME)
#undef CX_NEED_NAME
};
const char *const cxi_hazard_names[CX_HAZARD_COUNT] = {
#define CX_HAZARD_NAME(s) s,
    CX_HAZARD_LIST(CX_HAZARD_NAME)
#undef CX_HAZARD_NAME
};
const char *const cxi_ipcr_names[CX_IPCR_CLOSED + 1] = {"inactive", "monitoring",
                                                        "information_sharing", "full", "closed"};
static const char *const pool_names[] = {"national", "ecpp", "rescue"};

const char *cxi_need_name(int need) {
    return need >= 0 && need < CX_NEED_COUNT ? cxi_need_names[need] : "";
}
int cxi_need_parse(const char *s) {
    for (int i = 0; s && i < CX_NEED_COUNT; i++)
        if (ieq(s, cxi_need_names[i])) return i;
    return -1;
}
const char *cxi_hazard_name(int h) { return h >= 0 && h < CX_HAZARD_COUNT ? cxi_hazard_names[h] : ""; }
const char *cxi_ipcr_mode_name(int m) { return m >= 0 && m <= CX_IPCR_CLOSED ? cxi_ipcr_names[m] : ""; }
const char *cxi_pool_name(int p) { return p >= 0 && p <= CX_POOL_RESCUE ? pool_names[p] : ""; }


/* ---- defaults ---------------------------------------------------------------------------- */

void cxi_response_params_default(cx_params *p) {
    const double h = 3600.0;
    p->ucpm_policy = CX_POLICY_AUTO;
    p->ucpm_request_delay = (cxi_dist){CXI_DIST_LOGNORMAL, {6 * h, 0.5, 0}, 1};
    p->ercc_relay_delay = (cxi_dist){CXI_DIST_FIXED, {1 * h, 0, 0}, 1};
    p->accept_delay = (cxi_dist){CXI_DIST_LOGNORMAL, {2 * h, 0.5, 0}, 1};
    p->rescue_after = (cxi_dist){CXI_DIST_FIXED, {24 * h, 0, 0}, 1};
    p->transit_handling = (cxi_dist){CXI_DIST_FIXED, {2 * h, 0, 0}, 1};
    p->request_lapse = 90 * 86400;
    p->cover_within = 24 * 3600;
    p->offer_share_own_crisis = 0.5;
    p->road_kmh = 60;
    p->air_kmh = 500;
    for (int i = 0; i < CX_NEED_COUNT; i++) {
        p->need_growth[i] = 0;
        p->need_halflife[i] = 0;
    }
    p->need_growth[CX_NEED_FIREFIGHTING] = 0.02;
    p->need_halflife[CX_NEED_USAR] = 72 * 3600;
    p->need_recede = 10 * 86400;
    p->ipcr_policy = CX_POLICY_AUTO;
    p->ipcr_monitoring_at = 1;
    p->ipcr_info_sharing_at = 2;
    p->ipcr_full_at = 3;
    p->ipcr_population_full = 1e6;
    p->blueprint_ms = 6;
    p->ipcr_decision_delay = (cxi_dist){CXI_DIST_LOGNORMAL, {86400, 0.8, 0}, 1};
    p->isaa_interval_info = 7 * 86400;
    p->isaa_interval_full = 3 * 86400 + 12 * 3600;
    p->roundtable_interval_full = 2 * 86400;
    p->ipcr_close_after = 7 * 86400;
    p->full_relay_factor = 0.5;
}

/* ---- run state ----------------------------------------------------------------------------- */

int cxi_resp_wanted(const cx_scenario *sc) {
    if (sc->ncapacities) return 1;
    for (uint32_t d = 0; d < sc->ndecisions; d++) /* IPCR and UCPM decisions (trigger.h order) */
        if (sc->decisions[d].kind <= CXI_DK_PREPOSITION) return 1;
    for (uint32_t i = 0; i < sc->ninjects; i++)
        if (sc->injects[i].kind >= CX_INJECT_HAZARD) return 1;
    return 0;
}

cx_status cxi_resp_init(cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    cxi_arena *A = &sim->arena;
    cxi_resp *R = cxi_arena_calloc(A, 1, sizeof *R);
    if (!R) return CX_ENOMEM;
    sim->resp = R;
    uint64_t nu = 0;
    size_t namebytes = 0;
    for (uint32_t c = 0; c < sc->ncapacities; c++) {
        nu += sc->capacities[c].count;
        namebytes += (strlen(sc->capacities[c].id) + 12) * (size_t)sc->capacities[c].count;
    }
    if (nu > UINT32_MAX / 2) return CX_ELIMIT;
    uint32_t nhaz = 0, nreqinj = 0;
    /* auto requests are named "<incident id>/request"; at most one per incident */
    for (uint32_t i = 0; i < sc->ninjects; i++) {
        if (sc->injects[i].kind == CX_INJECT_HAZARD || sc->injects[i].kind == CX_INJECT_REQUEST)
            namebytes += strlen(sc->injects[i].id) + 10;
        if (sc->injects[i].kind == CX_INJECT_HAZARD) nhaz++;
        if (sc->injects[i].kind == CX_INJECT_REQUEST) nreqinj++;
    }
    R->nunits = (uint32_t)nu;
    R->capinc = nhaz + nreqinj;
    R->capreq = R->capinc + nreqinj;
    for (uint32_t d = 0; d < sc->ndecisions; d++)
        R->capreq += sc->decisions[d].kind == CXI_DK_UCPM_REQUEST;
    R->units = cxi_arena_calloc(A, R->nunits, sizeof *R->units);
    R->cap_first = cxi_arena_calloc(A, (size_t)sc->ncapacities + 1, sizeof *R->cap_first);
    R->inc = cxi_arena_calloc(A, R->capinc, sizeof *R->inc);
    R->req = cxi_arena_calloc(A, R->capreq, sizeof *R->req);
    R->open_req = cxi_arena_calloc(A, R->capreq, sizeof *R->open_req);
    R->open_inc = cxi_arena_calloc(A, R->capinc, sizeof *R->open_inc);
    R->inc_open_r = cxi_arena_calloc(A, sc->nregions, sizeof *R->inc_open_r);
    R->assets_out_r = cxi_arena_calloc(A, sc->nregions, sizeof *R->assets_out_r);
    R->deployed_r = cxi_arena_calloc(A, sc->nregions, sizeof *R->deployed_r);
    R->owner_r = cxi_arena_calloc(A, sc->nregions, 1);
    R->names = cxi_arena_calloc(A, namebytes + 1, 1);
    R->rng = cxi_rng_stream(sim->seed, sim->replicate, CXI_STREAM_RESPONSE);
    R->rng_ipcr = cxi_rng_stream(sim->seed, sim->replicate, CXI_STREAM_IPCR);
    if (!R->units || !R->cap_first || !R->inc || !R->req || !R->open_req || !R->open_inc ||
        !R->inc_open_r || !R->assets_out_r || !R->deployed_r || !R->owner_r || !R->names ||
        !R->rng || !R->rng_ipcr)
        return CX_ENOMEM;
    char *np = R->names;
    uint32_t u = 0;
    for (uint32_t c = 0; c < sc->ncapacities; c++) {
        const cx_capacity *C = &sc->capacities[c];
        R->cap_first[c] = u;
        R->owner_r[C->owner] = 1;
        for (uint32_t k = 1; k <= C->count; k++, u++) {
            cxi_unit *U = &R->units[u];
            U->cap = c;
            U->name = np;
            np += (size_t)sprintf(np, "%s#%u", C->id, k) + 1;
            U->state = CXI_UNIT_AVAILABLE;
            U->station = C->prepositioned_at;
            U->inc = U->req = -1;
        }
    }
    R->cap_first[sc->ncapacities] = u;
    R->names = np; /* the rest is for incident and request names */
    R->t_first_inc = R->t_first_req = R->t_first_offer = R->t_first_arrival = -1;
    for (int m = 0; m <= CX_IPCR_CLOSED; m++) R->t_mode[m] = -1;
    for (uint32_t i = 0; i < sc->ninjects; i++)
        if (sc->injects[i].needs)
            for (int n = 0; n < CX_NEED_COUNT; n++)
                if (sc->injects[i].needs[n] > 0) R->need_used[n] = 1;
    R->mode = CX_IPCR_INACTIVE;
    return CX_OK;
}

void cxi_resp_free(cx_sim *sim) {
    if (!sim->resp) return;
    if (sim->resp->rng) gsl_rng_free(sim->resp->rng);
    if (sim->resp->rng_ipcr) gsl_rng_free(sim->resp->rng_ipcr);
    sim->resp->rng = sim->resp->rng_ipcr = NULL;
}

cx_status cxi_resp_schedule(cx_sim *sim, cx_time t, cx_time delay, int kind, uint32_t a,
                            uint32_t c, cxi_event_id *id) {
    cxi_payload p = {sim->ev_resp, a, (uint32_t)kind, c, 0};
    return cxi_sim_schedule_in(sim, t, delay, &p, id);
}

/* ---- region counts for IPCR ----------------------------------------------------------------- */

int cxi_resp_region_affected(const cx_sim *sim, uint32_t r) {
    return sim->sc->regions[r].kind == CX_REGION_MEMBER &&
           (sim->resp->inc_open_r[r] > 0 || sim->resp->assets_out_r[r] > 0);
}
int cxi_resp_region_disrupted(const cx_sim *sim, uint32_t r) {
    return sim->sc->regions[r].kind == CX_REGION_MEMBER && sim->resp->assets_out_r[r] > 0;
}

void cxi_resp_region_changed(cx_sim *sim, uint32_t r, int was_aff, int was_dis) {
    cxi_resp *R = sim->resp;
    int aff = cxi_resp_region_affected(sim, r), dis = cxi_resp_region_disrupted(sim, r);
    R->n_affected += (uint32_t)aff - (uint32_t)was_aff;
    R->n_disrupted += (uint32_t)dis - (uint32_t)was_dis;
    if (aff != was_aff || dis != was_dis) R->ipcr_dirty = 1;
}

void cxi_resp_on_q(cx_sim *sim, uint32_t a, int32_t q_old, int32_t q_new) {
    if ((q_old > 0) == (q_new > 0)) {
        sim->resp->ipcr_dirty = 1; /* population without service changed */
        return;
    }
    uint32_t r = sim->sc->assets[a].region;
    int wa = cxi_resp_region_affected(sim, r), wd = cxi_resp_region_disrupted(sim, r);
    if (q_new > 0)
        sim->resp->assets_out_r[r]++;
    else
        sim->resp->assets_out_r[r]--;
    cxi_resp_region_changed(sim, r, wa, wd);
    sim->resp->ipcr_dirty = 1;
}

/* ---- needs dynamics ------------------------------------------------------------------------- */

static double halflife_k(const cx_sim *sim, int n) {
    cx_time h = sim->sc->params.need_halflife[n];
    return h > 0 ? log(2.0) / (double)h : 0;
}

/* Linear decrease per second (units' rates plus recession of pumping needs). */
static double slope(const cxi_incident *I, int n) {
    double s = I->rate[n];
    if (n == CX_NEED_PUMPING && I->recede > 0) s += I->a0[n] / (double)I->recede;
    return s;
}

void cxi_inc_advance(cx_sim *sim, uint32_t i, cx_time t) {
    cxi_incident *I = &sim->resp->inc[i];
    double dt = (double)(t - I->t_upd);
    if (dt <= 0 || I->state == CXI_INC_CLOSED) {
        if (t > I->t_upd) I->t_upd = t;
        return;
    }
    for (int n = 0; n < CX_NEED_COUNT; n++) {
        double a = I->a[n];
        if (!(a > 0)) continue;
        double g = sim->sc->params.need_growth[n] / 3600.0, k = halflife_k(sim, n);
        double R = I->rate[n];
        if (R == 0 && g > 0) {
            double e = exp(g * dt);
            I->integ[n] += a * (e - 1) / g;
            a *= e;
        } else if (k > 0) {
            double c = R / k;
            double tau = R > 0 ? log(1 + a * k / R) / k : HUGE_VAL;
            double d = dt < tau ? dt : tau;
            I->integ[n] += (a + c) * (1 - exp(-k * d)) / k - c * d;
            a = d < tau ? (a + c) * exp(-k * d) - c : 0;
        } else {
            double s = slope(I, n);
            double tau = s > 0 ? a / s : HUGE_VAL;
            double d = dt < tau ? dt : tau;
            I->integ[n] += a * d - s * d * d / 2;
            a = d < tau ? a - s * d : 0;
        }
        I->a[n] = a > 1e-9 ? a : 0;
    }
    I->t_upd = t;
}

cx_status cxi_inc_reschedule(cx_sim *sim, uint32_t i, int n, cx_time t) {
    cxi_incident *I = &sim->resp->inc[i];
    cxi_kernel_cancel(sim->k, I->done_ev[n]);
    I->done_ev[n] = CXI_EVENT_NONE;
    double a = I->a[n];
    if (!(a > 0)) return CX_OK;
    double g = sim->sc->params.need_growth[n], k = halflife_k(sim, n), R = I->rate[n];
    double tau = HUGE_VAL;
    if (R == 0 && g > 0)
        tau = HUGE_VAL;
    else if (k > 0)
        tau = R > 0 ? log(1 + a * k / R) / k : HUGE_VAL;
    else if (slope(I, n) > 0)
        tau = a / slope(I, n);
    if (!(tau < 9e18)) return CX_OK;
    cx_time d = (cx_time)ceil(tau - 1e-6);
    return cxi_resp_schedule(sim, t, d < 0 ? 0 : d, CXI_RE_NEED_DONE, i, (uint32_t)n,
                             &I->done_ev[n]);
}

double cxi_inc_uncovered(cx_sim *sim, uint32_t i, int n, cx_time t, int with_offers) {
    cxi_inc_advance(sim, i, t);
    const cxi_resp *R = sim->resp;
    const cxi_incident *I = &R->inc[i];
    if (I->state == CXI_INC_CLOSED || !(I->a[n] > 0)) return 0;
    double committed = 0;
    for (uint32_t u = 0; u < R->nunits; u++) {
        const cxi_unit *U = &R->units[u];
        if (U->inc != (int32_t)i || U->state == CXI_UNIT_AVAILABLE ||
            U->state == CXI_UNIT_RETURNING || sim->sc->capacities[U->cap].need != n)
            continue;
        if (U->state == CXI_UNIT_OFFERED && !with_offers) continue;
        committed += cxi_unit_contrib(sim, u, t);
    }
    double u = I->a[n] - committed;
    return u > 1e-9 ? u : 0;
}

double cxi_inc_total(const cx_sim *sim, uint32_t i) {
    double s = 0;
    for (int n = 0; n < CX_NEED_COUNT; n++) s += sim->resp->inc[i].a[n];
    return s;
}

static const char *inc_state_name(int s) {
    return s == CXI_INC_OPEN ? "open" : s == CXI_INC_CONTAINED ? "contained" : "closed";
}

/* "usar=10; medical=4" of the remaining needs (or of v when given). */
static void needs_text(const double *v, uint32_t mask, char *buf, size_t n) {
    size_t o = 0;
    buf[0] = '\0';
    for (int k = 0; k < CX_NEED_COUNT && o < n; k++) {
        if (mask && !(mask & (1u << k))) continue;
        if (!(v[k] > 0) && !mask) continue;
        int w = snprintf(buf + o, n - o, "%s%s=%.4g", o ? "; " : "", cxi_need_name(k), v[k]);
        if (w < 0) break;
        o += (size_t)w;
    }
}

cx_status cxi_inc_emit(cx_sim *sim, uint32_t i, cx_time t, const char *cause) {
    const cxi_incident *I = &sim->resp->inc[i];
    char text[400];
    needs_text(I->a, 0, text, sizeof text);
    cx_record r = {t, CX_REC_INCIDENT, I->id, sim->sc->regions[I->region].code, "",
                   inc_state_name(I->state), cxi_inc_total(sim, i), cause ? cause : "", 0, 0,
                   text};
    return cxi_sim_emit(sim, &r);
}

/* Coverage of every open incident: share of the remaining need covered by committed units. */
static void track_coverage(cx_sim *sim, cx_time t) {
    cxi_resp *R = sim->resp;
    double need = 0, unc = 0;
    for (uint32_t k = 0; k < R->nopen_inc; k++) {
        uint32_t i = R->open_inc[k];
        for (int n = 0; n < CX_NEED_COUNT; n++) {
            if (!(R->inc[i].a[n] > 0)) continue;
            need += R->inc[i].a[n];
            unc += cxi_inc_uncovered(sim, i, n, t, 0);
        }
    }
    if (need > 0) {
        double c = 1 - unc / need;
        if (c > R->peak_coverage) R->peak_coverage = c;
    }
}

cx_status cxi_inc_check(cx_sim *sim, uint32_t i, cx_time t) {
    cxi_resp *R = sim->resp;
    cxi_incident *I = &R->inc[i];
    if (I->state == CXI_INC_CLOSED) return CX_OK;
    cxi_inc_advance(sim, i, t);
    int any = 0, unc = 0;
    for (int n = 0; n < CX_NEED_COUNT; n++) {
        if (I->a[n] > 0) any = 1;
        if (cxi_inc_uncovered(sim, i, n, t, 0) > 0) unc = 1;
    }
    cx_status st = CX_OK;
    if (!any) {
        I->state = CXI_INC_CLOSED;
        for (int n = 0; n < CX_NEED_COUNT; n++) {
            R->unmet[n] += I->integ[n];
            I->integ[n] = 0;
            cxi_kernel_cancel(sim->k, I->done_ev[n]);
        }
        for (uint32_t k = 0; k < R->nopen_inc; k++)
            if (R->open_inc[k] == i) {
                R->open_inc[k] = R->open_inc[--R->nopen_inc];
                break;
            }
        int wa = cxi_resp_region_affected(sim, I->region),
            wd = cxi_resp_region_disrupted(sim, I->region);
        R->inc_open_r[I->region]--;
        cxi_resp_region_changed(sim, I->region, wa, wd);
        st = cxi_inc_emit(sim, i, t, "");
        /* its requests are over */
        for (uint32_t k = 0; k < R->nopen_req && st == CX_OK;) {
            cxi_request *Q = &R->req[R->open_req[k]];
            if (Q->inc == i) {
                Q->state = CXI_REQ_CLOSED;
                cxi_kernel_cancel(sim->k, Q->lapse_ev);
                char text[400];
                double zero[CX_NEED_COUNT] = {0};
                needs_text(zero, Q->mask, text, sizeof text);
                cx_record r = {t, CX_REC_REQUEST, Q->id, sim->sc->regions[Q->region].code, "",
                               "closed", 0, I->id, 0, 0, text};
                st = cxi_sim_emit(sim, &r);
                R->open_req[k] = R->open_req[--R->nopen_req];
            } else {
                k++;
            }
        }
    } else if (I->state == CXI_INC_OPEN && !unc) {
        I->state = CXI_INC_CONTAINED;
        st = cxi_inc_emit(sim, i, t, "");
    } else if (I->state == CXI_INC_CONTAINED && unc) {
        I->state = CXI_INC_OPEN;
        st = cxi_inc_emit(sim, i, t, "");
    }
    if (st == CX_OK) track_coverage(sim, t);
    return st;
}

/* ---- injects -------------------------------------------------------------------------------- */

static cx_status open_incident(cx_sim *sim, cx_time t, uint32_t inject, uint32_t region,
                               const double *needs, uint32_t *out) {
    cxi_resp *R = sim->resp;
    const cx_inject *j = &sim->sc->injects[inject];
    if (R->ninc >= R->capinc)
        return cxi_sim_fail(sim, CX_ERUNTIME, "too many incidents (inject '%s')", j->id);
    uint32_t i = R->ninc++;
    cxi_incident *I = &R->inc[i];
    memset(I, 0, sizeof *I);
    I->id = j->id;
    I->region = region;
    I->inject = inject;
    I->req = -1;
    I->state = CXI_INC_OPEN;
    I->t_open = I->t_upd = t;
    I->recede = j->kind == CX_INJECT_HAZARD && j->duration > 0 ? j->duration
                                                               : sim->sc->params.need_recede;
    for (int n = 0; n < CX_NEED_COUNT; n++) I->a[n] = I->a0[n] = needs ? needs[n] : 0;
    R->open_inc[R->nopen_inc++] = i;
    int wa = cxi_resp_region_affected(sim, region), wd = cxi_resp_region_disrupted(sim, region);
    R->inc_open_r[region]++;
    cxi_resp_region_changed(sim, region, wa, wd);
    if (R->t_first_inc < 0) R->t_first_inc = t;
    *out = i;
    cx_status st = cxi_inc_emit(sim, i, t, j->id);
    for (int n = 0; n < CX_NEED_COUNT && st == CX_OK; n++) st = cxi_inc_reschedule(sim, i, n, t);
    return st;
}

cx_status cxi_resp_on_inject(cx_sim *sim, cx_time t, uint32_t inject) {
    const cx_scenario *sc = sim->sc;
    const cx_inject *j = &sc->injects[inject];
    cxi_resp *R = sim->resp;
    cx_status st = CX_OK;
    uint32_t i;
    switch (j->kind) {
    case CX_INJECT_HAZARD:
        if (j->at_region < 0 || (uint32_t)j->at_region >= sc->nregions) return CX_OK;
        st = open_incident(sim, t, inject, (uint32_t)j->at_region, j->needs, &i);
        if (st == CX_OK) st = cxi_ucpm_reconsider(sim, i, t);
        if (st == CX_OK) st = cxi_inc_check(sim, i, t);
        return st;
    case CX_INJECT_REQUEST: {
        if (j->at_region < 0 || (uint32_t)j->at_region >= sc->nregions || !j->needs) return CX_OK;
        /* the region's most recent open incident; the request states the need as the requesting
         * state sees it, so it raises the incident's amounts to at least the requested ones */
        int32_t found = -1;
        for (uint32_t k = 0; k < R->ninc; k++)
            if (R->inc[k].region == (uint32_t)j->at_region && R->inc[k].state != CXI_INC_CLOSED)
                found = (int32_t)k;
        if (found < 0) {
            st = open_incident(sim, t, inject, (uint32_t)j->at_region, j->needs, &i);
        } else {
            i = (uint32_t)found;
            cxi_inc_advance(sim, i, t);
            for (int n = 0; n < CX_NEED_COUNT; n++)
                if (j->needs[n] > R->inc[i].a[n]) {
                    R->inc[i].a[n] = j->needs[n];
                    if (j->needs[n] > R->inc[i].a0[n]) R->inc[i].a0[n] = j->needs[n];
                    if ((st = cxi_inc_reschedule(sim, i, n, t)) != CX_OK) return st;
                }
        }
        if (st != CX_OK) return st;
        uint32_t mask = 0;
        for (int n = 0; n < CX_NEED_COUNT; n++)
            if (j->needs[n] > 0) mask |= 1u << n;
        if ((st = cxi_ucpm_reconsider(sim, i, t)) != CX_OK) return st;
        if ((st = cxi_ucpm_request(sim, i, mask, j->id, t, j->id)) != CX_OK) return st;
        return cxi_inc_check(sim, i, t);
    }
    case CX_INJECT_IPCR: {
        const char *reg = j->at_region >= 0 ? sc->regions[j->at_region].code : "";
        return cxi_ipcr_set(sim, j->ipcr_mode, t, reg, j->id);
    }
    case CX_INJECT_ART222:
        R->art222 = 1;
        return cxi_ipcr_set(sim, CX_IPCR_FULL, t,
                            j->at_region >= 0 ? sc->regions[j->at_region].code : "", j->id);
    case CX_INJECT_PREPOSITION:
        if (j->at_region < 0 || j->capacity >= sc->ncapacities) return CX_OK;
        return cxi_ucpm_preposition(sim, j->capacity, (uint32_t)j->at_region, t, j->id);
    default: return CX_OK;
    }
}

cx_status cxi_resp_on_event(cx_sim *sim, cx_time t, const cxi_payload *p) {
    cx_status st;
    if (p->b >= CXI_RE_IPCR_DECIDE)
        st = cxi_ipcr_on_event(sim, t, p);
    else if (p->b == CXI_RE_NEED_DONE) {
        if (p->a >= sim->resp->ninc || p->c >= CX_NEED_COUNT) return CX_OK;
        cxi_incident *I = &sim->resp->inc[p->a];
        I->done_ev[p->c] = CXI_EVENT_NONE;
        cxi_inc_advance(sim, p->a, t);
        I->a[p->c] = 0; /* the event time was rounded to whole seconds */
        st = cxi_ucpm_need_done(sim, p->a, (int)p->c, t);
        if (st == CX_OK) st = cxi_inc_check(sim, p->a, t);
    } else {
        st = cxi_ucpm_on_event(sim, t, p);
    }
    return st;
}
