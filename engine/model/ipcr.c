/* ipcr.c — EU Integrated Political Crisis Response: mode inactive -> monitoring ->
 * information_sharing -> full -> closed, set by ipcr/art222 injects or (policy auto) by rules on
 * member states affected, population without service, cross-border failures and the blueprint.
 * Invariant: a stale decision, close or cadence event carries an old generation and does nothing. */
#include <stdio.h>

#include "model/response.h"

/* Cross-border failures up to now: the settled count plus failures of the instant not yet settled
 * (the same test as the metric's settle step in metrics.c), so the rule needs no later event. */
static uint32_t xb_failures_now(const cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    uint32_t n = sim->m.xb_failures;
    for (uint32_t i = 0; i < sim->m.ndirty; i++) {
        uint32_t a = sim->m.dirty[i];
        const cxi_asset_state *s = &sim->as[a];
        if (s->level == CXI_LEVEL_FAILED && s->settled_level != CXI_LEVEL_FAILED &&
            s->cause_sup >= 0 && sc->assets[s->cause_sup].region != sc->assets[a].region)
            n++;
    }
    return n;
}

/* The mode the rules ask for, or -1 when nothing is affected. */
static int desired(const cx_sim *sim) {
    const cx_params *P = &sim->sc->params;
    const cxi_resp *R = sim->resp;
    double pop = sim->m.pop_out / CXI_Q_FULL;
    uint32_t m = R->n_affected;
    if (m == 0 && !(pop > 0)) return -1;
    if (R->art222 || m >= P->ipcr_full_at || (pop > 0 && pop >= P->ipcr_population_full) ||
        R->n_disrupted >= P->blueprint_ms)
        return CX_IPCR_FULL;
    if (m >= P->ipcr_info_sharing_at ||
        (P->ipcr_cross_border_at > 0 && xb_failures_now(sim) >= P->ipcr_cross_border_at))
        return CX_IPCR_INFO_SHARING;
    if (m >= P->ipcr_monitoring_at) return CX_IPCR_MONITORING;
    return -1;
}

static int active(int mode) { return mode >= CX_IPCR_MONITORING && mode <= CX_IPCR_FULL; }

static cx_status emit(cx_sim *sim, cx_time t, const char *region, const char *cause,
                      const char *text) {
    cx_record r = {t, CX_REC_IPCR, "IPCR", region ? region : "", "",
                   cxi_ipcr_mode_name(sim->resp->mode), (double)sim->resp->n_affected,
                   cause ? cause : "", 0, 0, text};
    return cxi_sim_emit(sim, &r);
}

static cx_status isaa(cx_sim *sim, cx_time t) {
    cxi_resp *R = sim->resp;
    const cx_params *P = &sim->sc->params;
    char text[32];
    snprintf(text, sizeof text, "ISAA report %u", ++R->isaa_n);
    cx_status st = emit(sim, t, "", "", text);
    cx_time every = R->mode == CX_IPCR_FULL ? P->isaa_interval_full : P->isaa_interval_info;
    if (st == CX_OK) st = cxi_resp_schedule(sim, t, every, CXI_RE_ISAA, 0, R->gen_isaa, NULL);
    return st;
}

static cx_status roundtable(cx_sim *sim, cx_time t) {
    cxi_resp *R = sim->resp;
    char text[32];
    snprintf(text, sizeof text, "roundtable %u", ++R->roundtable_n);
    cx_status st = emit(sim, t, "", "", text);
    if (st == CX_OK)
        st = cxi_resp_schedule(sim, t, sim->sc->params.roundtable_interval_full,
                               CXI_RE_ROUNDTABLE, 0, R->gen_rt, NULL);
    return st;
}

cx_status cxi_ipcr_set(cx_sim *sim, int mode, cx_time t, const char *region, const char *cause) {
    cxi_resp *R = sim->resp;
    R->ipcr_dirty = 1;
    if (mode == R->mode) return CX_OK;
    int old = R->mode;
    R->mode = mode;
    if (R->t_mode[mode] < 0) R->t_mode[mode] = t;
    if (mode == CX_IPCR_CLOSED || mode == CX_IPCR_INACTIVE) R->art222 = 0;
    cx_status st = emit(sim, t, region, cause, "");
    /* an ISAA report at once when information sharing starts or deepens, then the mode's cadence */
    if (st == CX_OK && (mode == CX_IPCR_INFO_SHARING || mode == CX_IPCR_FULL) &&
        !(old == CX_IPCR_FULL && mode == CX_IPCR_INFO_SHARING)) {
        R->gen_isaa++;
        st = isaa(sim, t);
    } else if (mode == CX_IPCR_INFO_SHARING) {
        R->gen_isaa++; /* de-escalated: the slower cadence from now */
        st = cxi_resp_schedule(sim, t, sim->sc->params.isaa_interval_info, CXI_RE_ISAA, 0,
                               R->gen_isaa, NULL);
    } else if (mode != CX_IPCR_FULL) {
        R->gen_isaa++;
    }
    R->gen_rt++;
    if (st == CX_OK && mode == CX_IPCR_FULL) st = roundtable(sim, t);
    return st;
}

cx_status cxi_ipcr_poll(cx_sim *sim, cx_time t) {
    cxi_resp *R = sim->resp;
    if (sim->sc->params.ipcr_cross_border_at > 0) {
        uint32_t xb = xb_failures_now(sim);
        if (xb != R->xb_seen) R->ipcr_dirty = 1;
        R->xb_seen = xb;
    }
    if (!R->ipcr_dirty) return CX_OK;
    R->ipcr_dirty = 0;
    if (sim->sc->params.ipcr_policy == CX_POLICY_MANUAL) return CX_OK;
    int d = desired(sim);
    if (d < 0) {
        if (R->decide_pending) {
            R->gen_decide++;
            R->decide_pending = 0;
        }
        if (active(R->mode) && !R->close_pending) {
            R->close_pending = 1;
            return cxi_resp_schedule(sim, t, sim->sc->params.ipcr_close_after, CXI_RE_IPCR_CLOSE,
                                     0, ++R->gen_close, NULL);
        }
        return CX_OK;
    }
    if (R->close_pending) {
        R->gen_close++;
        R->close_pending = 0;
    }
    if (d == R->mode) {
        if (R->decide_pending) {
            R->gen_decide++;
            R->decide_pending = 0;
        }
        return CX_OK;
    }
    if (R->art222 && d == CX_IPCR_FULL) return cxi_ipcr_set(sim, d, t, "", "art222");
    if (R->decide_pending) return CX_OK; /* the Presidency decides once on the situation then */
    R->decide_pending = 1;
    cx_time delay = cxi_sim_duration(
        cxi_dist_sample(&sim->sc->params.ipcr_decision_delay, R->rng_ipcr));
    return cxi_resp_schedule(sim, t, delay, CXI_RE_IPCR_DECIDE, 0, ++R->gen_decide, NULL);
}

cx_status cxi_ipcr_on_event(cx_sim *sim, cx_time t, const cxi_payload *p) {
    cxi_resp *R = sim->resp;
    switch (p->b) {
    case CXI_RE_IPCR_DECIDE: {
        if (p->c != R->gen_decide || !R->decide_pending) return CX_OK;
        R->decide_pending = 0;
        int d = desired(sim);
        if (d < 0 || d == R->mode || sim->sc->params.ipcr_policy == CX_POLICY_MANUAL) {
            R->ipcr_dirty = 1;
            return CX_OK;
        }
        return cxi_ipcr_set(sim, d, t, "", "");
    }
    case CXI_RE_IPCR_CLOSE:
        if (p->c != R->gen_close || !R->close_pending) return CX_OK;
        R->close_pending = 0;
        if (desired(sim) >= 0 || !active(R->mode)) return CX_OK;
        return cxi_ipcr_set(sim, CX_IPCR_CLOSED, t, "", "");
    case CXI_RE_ISAA:
        if (p->c != R->gen_isaa || (R->mode != CX_IPCR_INFO_SHARING && R->mode != CX_IPCR_FULL))
            return CX_OK;
        return isaa(sim, t);
    case CXI_RE_ROUNDTABLE:
        if (p->c != R->gen_rt || R->mode != CX_IPCR_FULL) return CX_OK;
        return roundtable(sim, t);
    default: return CX_OK;
    }
}
