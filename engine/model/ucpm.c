/* ucpm.c — the Union Civil Protection Mechanism chain: national units first, then request ->
 * ERCC relay -> offers -> acceptance -> mobilisation -> transit -> operation -> return; rescEU last.
 * Invariant: a unit serves one incident at a time; rate[n] of an incident is the sum of the rates of
 * the units operating on it (coverage is summed over the units when needed, never cached). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/io_api.h"
#include "model/hybrid.h"
#include "model/response.h"

static const char *ustate(int s) {
    switch (s) {
    case CXI_UNIT_AVAILABLE: return "available";
    case CXI_UNIT_OFFERED: return "offered";
    case CXI_UNIT_MOBILISING: return "mobilising";
    case CXI_UNIT_TRANSIT: return "transit";
    case CXI_UNIT_OPERATING: return "operating";
    case CXI_UNIT_RETURNING: return "returning";
    }
    return "";
}

static const char *rstate(int s) {
    static const char *const n[] = {"requested", "relayed", "covered", "lapsed", "closed"};
    return s >= 0 && s <= CXI_REQ_CLOSED ? n[s] : "";
}

double cxi_ucpm_factor(const cx_sim *sim) {
    return sim->resp->mode == CX_IPCR_FULL ? sim->sc->params.full_relay_factor : 1.0;
}

static cx_time sample(cx_sim *sim, const cxi_dist *d, double factor) {
    return cxi_sim_duration(cxi_dist_sample(d, sim->resp->rng) * factor);
}

static const cx_capacity *capof(const cx_sim *sim, const cxi_unit *U) {
    return &sim->sc->capacities[U->cap];
}

/* Need units the unit can still deliver in this deployment. */
static double contrib(const cx_sim *sim, const cxi_unit *U, cx_time t) {
    double left = U->endurance;
    if (U->state == CXI_UNIT_OPERATING) left -= (double)(t - U->op_start);
    double w = (double)sim->sc->params.cover_within;
    if (left > w) left = w;
    return left > 0 ? capof(sim, U)->rate / 3600.0 * left : 0;
}

double cxi_unit_contrib(const cx_sim *sim, uint32_t u, cx_time t) {
    return contrib(sim, &sim->resp->units[u], t);
}

static uint32_t home_region(const cx_sim *sim, const cxi_unit *U) {
    return U->station >= 0 ? (uint32_t)U->station : capof(sim, U)->owner;
}

static void where(const cx_sim *sim, const cxi_unit *U, double *lat, double *lon) {
    if (U->station >= 0) {
        *lat = sim->sc->regions[U->station].lat;
        *lon = sim->sc->regions[U->station].lon;
    } else {
        *lat = capof(sim, U)->lat;
        *lon = capof(sim, U)->lon;
    }
}

static double distance_s(const cx_sim *sim, const cxi_unit *U, uint32_t region) {
    double lat, lon;
    where(sim, U, &lat, &lon);
    const cx_region *g = &sim->sc->regions[region];
    return cxi_geo_km(lat, lon, g->lat, g->lon) / capof(sim, U)->speed_kmh * 3600.0;
}

static cx_time travel(cx_sim *sim, const cxi_unit *U, uint32_t region) {
    return cxi_sim_duration(distance_s(sim, U, region) +
                            cxi_dist_sample(&capof(sim, U)->handling, sim->resp->rng));
}

static cx_status unit_emit(cx_sim *sim, uint32_t u, cx_time t, uint32_t region, const char *text) {
    const cxi_unit *U = &sim->resp->units[u];
    const char *cause = U->req >= 0 ? sim->resp->req[U->req].id : "";
    cx_record r = {t, CX_REC_CAPACITY, U->name, sim->sc->regions[region].code,
                   cxi_need_name(capof(sim, U)->need), ustate(U->state), contrib(sim, U, t), cause,
                   0, 0, text};
    return cxi_sim_emit(sim, &r);
}

/* text: the uncovered amount of each requested need */
static cx_status req_emit(cx_sim *sim, uint32_t q, cx_time t, const char *cause) {
    const cxi_request *Q = &sim->resp->req[q];
    char text[400];
    size_t o = 0;
    text[0] = '\0';
    for (int n = 0; n < CX_NEED_COUNT && o < sizeof text; n++)
        if (Q->mask & (1u << n)) {
            int w = snprintf(text + o, sizeof text - o, "%s%s=%.4g", o ? "; " : "",
                             cxi_need_name(n), cxi_inc_uncovered(sim, Q->inc, n, t, 0));
            if (w < 0) break;
            o += (size_t)w;
        }
    cx_record r = {t, CX_REC_REQUEST, Q->id, sim->sc->regions[Q->region].code, "",
                   rstate(Q->state), cxi_inc_total(sim, Q->inc), cause ? cause : "", 0, 0, text};
    return cxi_sim_emit(sim, &r);
}

static int req_open(const cxi_request *Q) {
    return Q->state == CXI_REQ_RELAYED || Q->state == CXI_REQ_COVERED;
}

/* ---- contribution bookkeeping --------------------------------------------------------------- */

static void start_operating(cx_sim *sim, uint32_t u, cx_time t) {
    cxi_unit *U = &sim->resp->units[u];
    cxi_incident *I = &sim->resp->inc[U->inc];
    int n = capof(sim, U)->need;
    double r = capof(sim, U)->rate / 3600.0;
    U->state = CXI_UNIT_OPERATING;
    U->op_start = t;
    I->rate[n] += r;
}

static void stop_operating(cx_sim *sim, uint32_t u) {
    cxi_unit *U = &sim->resp->units[u];
    cxi_incident *I = &sim->resp->inc[U->inc];
    int n = capof(sim, U)->need;
    double r = capof(sim, U)->rate / 3600.0;
    I->rate[n] -= r;
    if (I->rate[n] < 1e-15) {
        I->rate[n] = 0;
    }
}

/* ---- requests ------------------------------------------------------------------------------- */

cx_status cxi_ucpm_request(cx_sim *sim, uint32_t i, uint32_t mask, const char *id, cx_time t,
                           const char *cause) {
    cxi_resp *R = sim->resp;
    if (R->nreq >= R->capreq) return cxi_sim_fail(sim, CX_ERUNTIME, "too many requests");
    uint32_t q = R->nreq++;
    cxi_request *Q = &R->req[q];
    memset(Q, 0, sizeof *Q);
    cxi_incident *I = &R->inc[i];
    if (!id) {
        char *np = R->names;
        R->names += (size_t)sprintf(np, "%s/request", I->id) + 1;
        id = np;
    }
    Q->id = id;
    Q->region = I->region;
    Q->inc = i;
    Q->mask = mask;
    Q->state = CXI_REQ_REQUESTED;
    Q->t_req = t;
    I->req = (int32_t)q;
    R->open_req[R->nopen_req++] = q;
    if (R->t_first_req < 0) R->t_first_req = t;
    cx_status st = req_emit(sim, q, t, cause);
    if (st != CX_OK) return st;
    const cx_params *P = &sim->sc->params;
    st = cxi_resp_schedule(sim, t, sample(sim, &P->ercc_relay_delay, cxi_ucpm_factor(sim)),
                           CXI_RE_RELAY, q, 0, NULL);
    if (st == CX_OK)
        st = cxi_resp_schedule(sim, t, P->request_lapse, CXI_RE_LAPSE, q, 0, &Q->lapse_ev);
    return st;
}

/* Offers of capacity c for whichever request wants them: schedules its offer event. */
static cx_status call_capacity(cx_sim *sim, uint32_t c, cx_time t, int now) {
    const cx_capacity *C = &sim->sc->capacities[c];
    cx_time d = now ? 0 : sample(sim, &C->offer_latency, 1.0);
    return cxi_resp_schedule(sim, t, d, CXI_RE_OFFER, 0, c, NULL);
}

static int capacity_has_free(const cx_sim *sim, uint32_t c) {
    const cxi_resp *R = sim->resp;
    for (uint32_t u = R->cap_first[c]; u < R->cap_first[c + 1]; u++)
        if (R->units[u].state == CXI_UNIT_AVAILABLE) return 1;
    return 0;
}

static int may_offer(const cx_sim *sim, const cx_capacity *C, const cxi_request *Q, int n) {
    if (!(Q->mask & (1u << n)) || !req_open(Q)) return 0;
    if (C->pool == CX_POOL_RESCUE) return Q->rescue_ok;
    if (C->national_only) return 0; /* offer_abroad = 0: serves its owner only */
    cx_region_kind k = sim->sc->regions[C->owner].kind;
    return C->owner != Q->region && (k == CX_REGION_MEMBER || k == CX_REGION_PARTICIPATING);
}

static cx_status on_relay(cx_sim *sim, uint32_t q, cx_time t) {
    cxi_request *Q = &sim->resp->req[q];
    if (Q->state != CXI_REQ_REQUESTED) return CX_OK;
    Q->state = CXI_REQ_RELAYED;
    Q->t_relay = t;
    cx_status st = req_emit(sim, q, t, "");
    for (uint32_t c = 0; c < sim->sc->ncapacities && st == CX_OK; c++) {
        const cx_capacity *C = &sim->sc->capacities[c];
        if (C->pool != CX_POOL_RESCUE && may_offer(sim, C, Q, C->need) && capacity_has_free(sim, c))
            st = call_capacity(sim, c, t, 0);
    }
    if (st == CX_OK)
        st = cxi_resp_schedule(sim, t, sample(sim, &sim->sc->params.rescue_after, 1.0),
                               CXI_RE_RESCUE, q, 0, NULL);
    return st;
}

static cx_status on_rescue(cx_sim *sim, uint32_t q, cx_time t) {
    cxi_request *Q = &sim->resp->req[q];
    if (!req_open(Q)) return CX_OK;
    int short_ = 0;
    for (int n = 0; n < CX_NEED_COUNT; n++)
        if ((Q->mask & (1u << n)) && cxi_inc_uncovered(sim, Q->inc, n, t, 1) > 0) short_ = 1;
    if (!short_) return CX_OK;
    Q->rescue_ok = 1;
    cx_status st = CX_OK;
    for (uint32_t c = 0; c < sim->sc->ncapacities && st == CX_OK; c++) {
        const cx_capacity *C = &sim->sc->capacities[c];
        if (C->pool == CX_POOL_RESCUE && may_offer(sim, C, Q, C->need) && capacity_has_free(sim, c))
            st = call_capacity(sim, c, t, 1);
    }
    return st;
}

static void close_open_req(cxi_resp *R, uint32_t q) {
    for (uint32_t k = 0; k < R->nopen_req; k++)
        if (R->open_req[k] == q) {
            R->open_req[k] = R->open_req[--R->nopen_req];
            return;
        }
}

static cx_status on_lapse(cx_sim *sim, uint32_t q, cx_time t) {
    cxi_request *Q = &sim->resp->req[q];
    Q->lapse_ev = CXI_EVENT_NONE;
    if (Q->state == CXI_REQ_LAPSED || Q->state == CXI_REQ_CLOSED) return CX_OK;
    Q->state = CXI_REQ_LAPSED;
    close_open_req(sim->resp, q);
    return req_emit(sim, q, t, "");
}

/* covered: every requested need is covered by committed units (reported once) */
static cx_status req_coverage(cx_sim *sim, uint32_t i, cx_time t) {
    cxi_resp *R = sim->resp;
    cx_status st = CX_OK;
    for (uint32_t k = 0; k < R->nopen_req && st == CX_OK; k++) {
        cxi_request *Q = &R->req[R->open_req[k]];
        if (Q->inc != i || Q->state != CXI_REQ_RELAYED) continue;
        int unc = 0;
        for (int n = 0; n < CX_NEED_COUNT; n++)
            if ((Q->mask & (1u << n)) && cxi_inc_uncovered(sim, i, n, t, 0) > 0) unc = 1;
        if (!unc) {
            Q->state = CXI_REQ_COVERED;
            st = req_emit(sim, R->open_req[k], t, "");
        }
    }
    return st;
}

/* ---- units ---------------------------------------------------------------------------------- */

/* t + d for the situation report (the event is only queued up to the horizon). */
static cx_time at_or_never(const cx_sim *sim, cx_time t, cx_time d) {
    return d > sim->horizon - t ? CX_TIME_NEVER : t + d;
}

static cx_status commit(cx_sim *sim, uint32_t u, uint32_t i, int32_t q, cx_time t) {
    cxi_resp *R = sim->resp;
    cxi_unit *U = &R->units[u];
    const cx_capacity *C = capof(sim, U);
    if (U->state != CXI_UNIT_OFFERED) /* an offered unit's endurance was drawn for the offer */
        U->endurance = cxi_dist_sample(&C->endurance, R->rng);
    U->inc = (int32_t)i;
    U->req = q;
    U->state = CXI_UNIT_MOBILISING;
    R->deployed_pool[C->pool]++;
    R->deployed_r[C->owner]++;
    cx_status st = unit_emit(sim, u, t, R->inc[i].region, R->inc[i].id);
    if (st != CX_OK) return st;
    /* a pre-positioned unit is already mobilised */
    cx_time d = U->station >= 0 ? 0 : sample(sim, &C->readiness, 1.0);
    U->t_depart = at_or_never(sim, t, d);
    return cxi_resp_schedule(sim, t, d, CXI_RE_READY, u, 0, &U->ev);
}

static cx_status go_home(cx_sim *sim, uint32_t u, cx_time t) {
    cxi_unit *U = &sim->resp->units[u];
    uint32_t from = sim->resp->inc[U->inc].region;
    U->state = CXI_UNIT_RETURNING;
    uint32_t home = home_region(sim, U);
    cx_status st = unit_emit(sim, u, t, home, sim->resp->inc[U->inc].id);
    if (st != CX_OK) return st;
    return cxi_resp_schedule(sim, t, travel(sim, U, from), CXI_RE_HOME, u, 0, &U->ev);
}

/* The allocation rule: the open incident/request with the most units of this kind still needed
 * (ceil(uncovered / unit contribution)), then the earliest, then the region code, then index. */
typedef struct {
    double need;
    cx_time t;
    const char *code;
    uint32_t idx;
} akey;

static int better(const akey *a, const akey *b) {
    if (a->need != b->need) return a->need > b->need;
    if (a->t != b->t) return a->t < b->t;
    int c = strcmp(a->code, b->code);
    if (c != 0) return c < 0;
    return a->idx < b->idx;
}

static double units_needed(double unc, double per_unit) {
    if (!(unc > 0)) return 0;
    if (!(per_unit > 0)) return 1;
    double k = ceil(unc / per_unit - 1e-9);
    return k < 1 ? 1 : k;
}

static double unit_per(const cx_sim *sim, const cx_capacity *C) {
    double e = cxi_dist_mean(&C->endurance), w = (double)sim->sc->params.cover_within;
    return C->rate / 3600.0 * (e < w ? e : w);
}

/* The open incident of region home, other than skip, that most needs units of capacity C by the
 * allocation rule; 0 when none needs any. */
static int best_incident(cx_sim *sim, const cx_capacity *C, uint32_t home, uint32_t skip,
                         cx_time t, akey *best) {
    cxi_resp *R = sim->resp;
    double per = unit_per(sim, C);
    int found = 0;
    for (uint32_t k = 0; k < R->nopen_inc; k++) {
        uint32_t i = R->open_inc[k];
        if (i == skip || R->inc[i].region != home) continue;
        akey a = {units_needed(cxi_inc_uncovered(sim, i, C->need, t, 0), per), R->inc[i].t_open,
                  "", i};
        if (a.need > 0 && (!found || better(&a, best))) {
            *best = a;
            found = 1;
        }
    }
    return found;
}

/* National use: u may serve incidents of its home (or station) region, best first. */
static cx_status national(cx_sim *sim, uint32_t u, cx_time t, int *done) {
    cxi_resp *R = sim->resp;
    cxi_unit *U = &R->units[u];
    const cx_capacity *C = capof(sim, U);
    *done = 0;
    if (C->pool == CX_POOL_RESCUE && U->station < 0) return CX_OK;
    uint32_t home = home_region(sim, U);
    if (!R->inc_open_r[home]) return CX_OK;
    akey best = {0, 0, "", 0};
    if (!best_incident(sim, C, home, UINT32_MAX, t, &best)) return CX_OK;
    *done = 1;
    cx_status st = commit(sim, u, best.idx, -1, t);
    if (st == CX_OK) st = req_coverage(sim, best.idx, t);
    if (st == CX_OK) st = cxi_inc_check(sim, best.idx, t);
    return st;
}

/* u just became available: national use first, else its capacity is called for open requests. */
static cx_status allocate(cx_sim *sim, uint32_t u, cx_time t) {
    cxi_resp *R = sim->resp;
    int done;
    cx_status st = national(sim, u, t, &done);
    if (st != CX_OK || done) return st;
    const cx_capacity *C = capof(sim, &R->units[u]);
    for (uint32_t k = 0; k < R->nopen_req; k++)
        if (may_offer(sim, C, &R->req[R->open_req[k]], C->need))
            return call_capacity(sim, R->units[u].cap, t, C->pool == CX_POOL_RESCUE);
    return CX_OK;
}

static cx_status on_offer(cx_sim *sim, uint32_t c, cx_time t) {
    cxi_resp *R = sim->resp;
    const cx_capacity *C = &sim->sc->capacities[c];
    const cx_params *P = &sim->sc->params;
    uint32_t nfree = 0;
    for (uint32_t u = R->cap_first[c]; u < R->cap_first[c + 1]; u++)
        if (R->units[u].state == CXI_UNIT_AVAILABLE) nfree++;
    uint32_t limit = nfree;
    if (C->pool != CX_POOL_RESCUE && R->inc_open_r[C->owner] > 0)
        limit = (uint32_t)floor(P->offer_share_own_crisis * nfree + 1e-9);
    cx_status st = CX_OK;
    for (uint32_t u = R->cap_first[c]; u < R->cap_first[c + 1] && limit > 0 && st == CX_OK; u++) {
        cxi_unit *U = &R->units[u];
        if (U->state != CXI_UNIT_AVAILABLE) continue;
        double per = unit_per(sim, C);
        akey best = {0, 0, "", 0};
        int found = 0;
        for (uint32_t k = 0; k < R->nopen_req; k++) {
            uint32_t q = R->open_req[k];
            const cxi_request *Q = &R->req[q];
            if (!may_offer(sim, C, Q, C->need)) continue;
            akey a = {units_needed(cxi_inc_uncovered(sim, Q->inc, C->need, t, 1), per), Q->t_req,
                      sim->sc->regions[Q->region].code, q};
            if (a.need > 0 && (!found || better(&a, &best))) {
                best = a;
                found = 1;
            }
        }
        if (!found) break;
        const cxi_request *Q = &R->req[best.idx];
        U->endurance = cxi_dist_sample(&C->endurance, R->rng);
        U->state = CXI_UNIT_OFFERED;
        U->req = (int32_t)best.idx;
        U->inc = (int32_t)Q->inc;
        if (R->t_first_offer < 0) R->t_first_offer = t;
        limit--;
        st = unit_emit(sim, u, t, Q->region, R->inc[Q->inc].id);
        if (st == CX_OK)
            st = cxi_resp_schedule(sim, t, sample(sim, &P->accept_delay, cxi_ucpm_factor(sim)),
                                   CXI_RE_ACCEPT, u, 0, &U->ev);
    }
    return st;
}

static cx_status on_accept(cx_sim *sim, uint32_t u, cx_time t) {
    cxi_resp *R = sim->resp;
    cxi_unit *U = &R->units[u];
    if (U->state != CXI_UNIT_OFFERED) return CX_OK;
    const cx_capacity *C = capof(sim, U);
    uint32_t i = (uint32_t)U->inc;
    const cxi_request *Q = &R->req[U->req];
    if (req_open(Q) && cxi_inc_uncovered(sim, i, C->need, t, 0) > 0) {
        cx_status st = commit(sim, u, i, U->req, t); /* moves it from offered to committed */
        if (st == CX_OK) st = req_coverage(sim, i, t);
        if (st == CX_OK) st = cxi_inc_check(sim, i, t);
        return st;
    }
    /* declined: the need is covered meanwhile, or the request is over */
    U->state = CXI_UNIT_AVAILABLE;
    cx_status st = unit_emit(sim, u, t, home_region(sim, U), "declined");
    U->inc = U->req = -1;
    return st != CX_OK ? st : allocate(sim, u, t);
}

static cx_status on_ready(cx_sim *sim, uint32_t u, cx_time t) {
    cxi_unit *U = &sim->resp->units[u];
    U->ev = CXI_EVENT_NONE;
    if (U->state != CXI_UNIT_MOBILISING) return CX_OK;
    U->state = CXI_UNIT_TRANSIT;
    uint32_t to = sim->resp->inc[U->inc].region;
    cx_status st = unit_emit(sim, u, t, to, sim->resp->inc[U->inc].id);
    if (st != CX_OK) return st;
    cx_time d = travel(sim, U, to);
    U->t_arrive = at_or_never(sim, t, d);
    return cxi_resp_schedule(sim, t, d, CXI_RE_ARRIVE, u, 0, &U->ev);
}

static cx_status on_arrive(cx_sim *sim, uint32_t u, cx_time t) {
    cxi_resp *R = sim->resp;
    cxi_unit *U = &R->units[u];
    U->ev = CXI_EVENT_NONE;
    if (U->state != CXI_UNIT_TRANSIT) return CX_OK;
    uint32_t i = (uint32_t)U->inc;
    int n = capof(sim, U)->need;
    cxi_inc_advance(sim, i, t);
    if (R->inc[i].state == CXI_INC_CLOSED || !(R->inc[i].a[n] > 0)) {
        return go_home(sim, u, t);
    }
    start_operating(sim, u, t);
    if (U->req >= 0 && R->t_first_arrival < 0) R->t_first_arrival = t;
    cx_status st = unit_emit(sim, u, t, R->inc[i].region, R->inc[i].id);
    const cx_capacity *C = capof(sim, U);
    /* a hybrid rapid response team at work is the HRRT countermeasure of that region */
    if (st == CX_OK && C->type && cxi_ieq(C->type, "hybrid_rrt"))
        st = cxi_hybrid_on_hrrt(sim, R->inc[i].region, t, U->name);
    if (st == CX_OK && C->repairs >= 0) /* generators, heavy machinery: repairs there go faster */
        st = cxi_infra_speed_repairs(sim, t, (int32_t)R->inc[i].region, C->repairs, -1,
                                     C->repair_factor, NULL);
    if (st == CX_OK) st = cxi_inc_reschedule(sim, i, n, t);
    if (st == CX_OK)
        st = cxi_resp_schedule(sim, t, cxi_sim_duration(U->endurance), CXI_RE_ENDURANCE, u, 0,
                               &U->ev);
    if (st == CX_OK) st = cxi_inc_check(sim, i, t);
    return st;
}

static cx_status on_endurance(cx_sim *sim, uint32_t u, cx_time t) {
    cxi_resp *R = sim->resp;
    cxi_unit *U = &R->units[u];
    U->ev = CXI_EVENT_NONE;
    if (U->state != CXI_UNIT_OPERATING) return CX_OK;
    uint32_t i = (uint32_t)U->inc;
    int n = capof(sim, U)->need;
    cxi_inc_advance(sim, i, t);
    stop_operating(sim, u);
    cx_status st = cxi_inc_reschedule(sim, i, n, t);
    if (st == CX_OK) st = go_home(sim, u, t);
    /* rotation: the need it leaves uncovered is served again */
    if (st == CX_OK) st = cxi_ucpm_reconsider(sim, i, t);
    if (st == CX_OK) st = cxi_inc_check(sim, i, t);
    return st;
}

static cx_status on_home(cx_sim *sim, uint32_t u, cx_time t) {
    cxi_unit *U = &sim->resp->units[u];
    U->ev = CXI_EVENT_NONE;
    if (U->state != CXI_UNIT_RETURNING) return CX_OK;
    U->state = CXI_UNIT_AVAILABLE;
    const char *from = sim->resp->inc[U->inc].id;
    U->req = -1;
    U->inc = -1;
    cx_status st = unit_emit(sim, u, t, home_region(sim, U), from);
    return st != CX_OK ? st : allocate(sim, u, t);
}

/* A national unit whose need is met moves straight on to the incident of its state with the most
 * units of its kind still needed (the allocation rule), with the endurance it has left, instead of
 * going home first; *moved = 0 when there is none. */
static cx_status move_national(cx_sim *sim, uint32_t u, cx_time t, int *moved) {
    cxi_resp *R = sim->resp;
    cxi_unit *U = &R->units[u];
    const cx_capacity *C = capof(sim, U);
    *moved = 0;
    double left = U->endurance - (double)(t - U->op_start);
    if (U->req >= 0 || U->inc < 0 || !(left > 0)) return CX_OK;
    uint32_t home = home_region(sim, U), from = (uint32_t)U->inc;
    akey best = {0, 0, "", 0};
    if (!best_incident(sim, C, home, from, t, &best)) return CX_OK;
    *moved = 1;
    const cx_region *a = &sim->sc->regions[R->inc[from].region];
    const cx_region *b = &sim->sc->regions[R->inc[best.idx].region];
    cx_time d = cxi_sim_duration(cxi_geo_km(a->lat, a->lon, b->lat, b->lon) / C->speed_kmh * 3600.0 +
                                 cxi_dist_sample(&C->handling, R->rng));
    U->inc = (int32_t)best.idx;
    U->endurance = left;
    U->state = CXI_UNIT_TRANSIT;
    U->t_arrive = at_or_never(sim, t, d);
    cx_status st = unit_emit(sim, u, t, R->inc[best.idx].region, R->inc[best.idx].id);
    if (st == CX_OK) st = cxi_resp_schedule(sim, t, d, CXI_RE_ARRIVE, u, 0, &U->ev);
    if (st == CX_OK) st = req_coverage(sim, best.idx, t);
    if (st == CX_OK) st = cxi_inc_check(sim, best.idx, t);
    return st;
}

cx_status cxi_ucpm_decide_offer(cx_sim *sim, cx_time t, const char *target, int accept,
                                const char *cause, uint32_t *n) {
    cxi_resp *R = sim->resp;
    cx_status st = CX_OK;
    *n = 0;
    for (uint32_t u = 0; u < R->nunits && st == CX_OK; u++) {
        cxi_unit *U = &R->units[u];
        if (U->state != CXI_UNIT_OFFERED) continue;
        const char *cid = capof(sim, U)->id;
        int match = !strcmp(U->name, target) || !strcmp(cid, target) ||
                    (U->req >= 0 && !strcmp(R->req[U->req].id, target));
        if (!match) continue;
        (*n)++;
        cxi_kernel_cancel(sim->k, U->ev);
        U->ev = CXI_EVENT_NONE;
        if (accept) {
            st = on_accept(sim, u, t);
            continue;
        }
        /* declined by the requesting state: available again, offered anew only on a later call */
        U->state = CXI_UNIT_AVAILABLE;
        cx_record r = {t, CX_REC_CAPACITY, U->name, sim->sc->regions[home_region(sim, U)].code,
                       cxi_need_name(capof(sim, U)->need), "available", 0, cause, 0, 0,
                       "declined"};
        U->inc = U->req = -1;
        st = cxi_sim_emit(sim, &r);
    }
    return st;
}

cx_status cxi_ucpm_need_done(cx_sim *sim, uint32_t i, int n, cx_time t) {
    cxi_resp *R = sim->resp;
    cx_status st = CX_OK;
    for (uint32_t u = 0; u < R->nunits && st == CX_OK; u++) {
        cxi_unit *U = &R->units[u];
        if (U->inc != (int32_t)i || capof(sim, U)->need != n) continue;
        if (U->state == CXI_UNIT_OPERATING) {
            stop_operating(sim, u);
            cxi_kernel_cancel(sim->k, U->ev);
            U->ev = CXI_EVENT_NONE;
            int moved = 0;
            st = move_national(sim, u, t, &moved);
            if (st == CX_OK && !moved) st = go_home(sim, u, t);
        } else if (U->state == CXI_UNIT_MOBILISING) {
            /* stood down before departure */
            cxi_kernel_cancel(sim->k, U->ev);
            U->ev = CXI_EVENT_NONE;
            U->state = CXI_UNIT_AVAILABLE;
            U->inc = U->req = -1;
            st = unit_emit(sim, u, t, home_region(sim, U), "stood down");
            if (st == CX_OK) st = allocate(sim, u, t);
        }
    }
    return st;
}

cx_status cxi_ucpm_reconsider(cx_sim *sim, uint32_t i, cx_time t) {
    cxi_resp *R = sim->resp;
    cxi_incident *I = &R->inc[i];
    cx_status st = CX_OK;
    int short_ = 0;
    for (int n = 0; n < CX_NEED_COUNT && st == CX_OK; n++) {
        /* national units of the region (or stationed there), nearest first */
        while (st == CX_OK && cxi_inc_uncovered(sim, i, n, t, 0) > 0) {
            int32_t best = -1;
            double bd = 0;
            for (uint32_t u = 0; u < R->nunits; u++) {
                const cxi_unit *U = &R->units[u];
                const cx_capacity *C = capof(sim, U);
                if (U->state != CXI_UNIT_AVAILABLE || C->need != n) continue;
                if (U->station >= 0 ? (uint32_t)U->station != I->region
                                    : (C->owner != I->region || C->pool == CX_POOL_RESCUE))
                    continue;
                double d = distance_s(sim, U, I->region);
                if (best < 0 || d < bd) {
                    best = (int32_t)u;
                    bd = d;
                }
            }
            if (best < 0) break;
            st = commit(sim, (uint32_t)best, i, -1, t);
        }
        if (cxi_inc_uncovered(sim, i, n, t, 0) > 0) short_ |= 1 << n;
    }
    if (st != CX_OK || !short_) return st;
    if (I->req >= 0 && req_open(&R->req[I->req])) {
        /* an open request: capacities with free units of the missing kinds are called again */
        for (uint32_t c = 0; c < sim->sc->ncapacities && st == CX_OK; c++) {
            const cx_capacity *C = &sim->sc->capacities[c];
            if ((short_ & (1 << C->need)) && may_offer(sim, C, &R->req[I->req], C->need) &&
                capacity_has_free(sim, c))
                st = call_capacity(sim, c, t, C->pool == CX_POOL_RESCUE);
        }
    } else if (sim->sc->params.ucpm_policy == CX_POLICY_AUTO && I->req < 0 && !I->req_pending) {
        I->req_pending = 1;
        st = cxi_resp_schedule(sim, t, sample(sim, &sim->sc->params.ucpm_request_delay, 1.0),
                               CXI_RE_REQ_SEND, i, 0, NULL);
    }
    return st;
}

static cx_status on_req_send(cx_sim *sim, uint32_t i, cx_time t) {
    cxi_incident *I = &sim->resp->inc[i];
    I->req_pending = 0;
    if (I->state == CXI_INC_CLOSED || I->req >= 0) return CX_OK;
    uint32_t mask = 0;
    for (int n = 0; n < CX_NEED_COUNT; n++)
        if (cxi_inc_uncovered(sim, i, n, t, 0) > 0) mask |= 1u << n;
    if (!mask) return CX_OK;
    return cxi_ucpm_request(sim, i, mask, NULL, t, I->id);
}

cx_status cxi_ucpm_preposition(cx_sim *sim, uint32_t cap, uint32_t region, cx_time t,
                               const char *cause) {
    cxi_resp *R = sim->resp;
    cx_status st = CX_OK;
    for (uint32_t u = R->cap_first[cap]; u < R->cap_first[cap + 1] && st == CX_OK; u++) {
        cxi_unit *U = &R->units[u];
        if (U->state != CXI_UNIT_AVAILABLE) continue;
        U->station = (int32_t)region;
        cx_record r = {t, CX_REC_CAPACITY, U->name, sim->sc->regions[region].code,
                       cxi_need_name(capof(sim, U)->need), "available", 0, cause, 0, 0,
                       "prepositioned"};
        st = cxi_sim_emit(sim, &r);
        if (st == CX_OK) st = allocate(sim, u, t);
    }
    return st;
}

cx_status cxi_ucpm_on_event(cx_sim *sim, cx_time t, const cxi_payload *p) {
    cxi_resp *R = sim->resp;
    int unit_ev = p->b == CXI_RE_ACCEPT || p->b == CXI_RE_READY || p->b == CXI_RE_ARRIVE ||
                  p->b == CXI_RE_ENDURANCE || p->b == CXI_RE_HOME;
    if (unit_ev && p->a >= R->nunits) return CX_OK;
    if ((p->b == CXI_RE_RELAY || p->b == CXI_RE_RESCUE || p->b == CXI_RE_LAPSE) && p->a >= R->nreq)
        return CX_OK;
    switch (p->b) {
    case CXI_RE_REQ_SEND: return p->a < R->ninc ? on_req_send(sim, p->a, t) : CX_OK;
    case CXI_RE_RELAY: return on_relay(sim, p->a, t);
    case CXI_RE_OFFER: return p->c < sim->sc->ncapacities ? on_offer(sim, p->c, t) : CX_OK;
    case CXI_RE_ACCEPT: return on_accept(sim, p->a, t);
    case CXI_RE_RESCUE: return on_rescue(sim, p->a, t);
    case CXI_RE_LAPSE: return on_lapse(sim, p->a, t);
    case CXI_RE_READY: return on_ready(sim, p->a, t);
    case CXI_RE_ARRIVE: return on_arrive(sim, p->a, t);
    case CXI_RE_ENDURANCE: return on_endurance(sim, p->a, t);
    case CXI_RE_HOME: return on_home(sim, p->a, t);
    default: return CX_OK;
    }
}
