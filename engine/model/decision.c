/* decision.c — applies the players' decisions (decisions.csv) at their time, through the entry points
 * of the injects (IPCR, UCPM, repairs, hybrid countermeasures, notices), one DECISION record first.
 * Invariant: a decision that cannot act on the state (no response model, no open incident, no offer)
 * is still recorded, with the reason in the record's text, and changes nothing. */
#include <stdio.h>
#include <string.h>

#include "io/io_api.h"
#include "model/hybrid.h"
#include "model/response.h"
#include "model/trigger.h"

static const char *const kind_names[CXI_DK_COUNT] = {
#define CXI_DK_NAME(e, s) s,
    CXI_DECISION_LIST(CXI_DK_NAME)
#undef CXI_DK_NAME
};

const char *cxi_decision_kind_name(int kind) {
    return kind >= 0 && kind < CXI_DK_COUNT ? kind_names[kind] : "";
}

int cxi_decision_kind_parse(const char *s) {
    for (int i = 0; s && i < CXI_DK_COUNT; i++)
        if (cxi_ieq(s, kind_names[i])) return i;
    return -1;
}

static cx_status emit(cx_sim *sim, cx_time t, const cxi_decision *D, const char *text) {
    const cx_scenario *sc = sim->sc;
    const char *region = D->region >= 0 && (uint32_t)D->region < sc->nregions
                             ? sc->regions[D->region].code : "";
    cx_record r = {t, CX_REC_DECISION, D->id, region, "", cxi_decision_kind_name(D->kind), 0,
                   D->by ? D->by : "", 0, 0, text};
    return cxi_sim_emit(sim, &r);
}

/* The region's most recent open incident, -1 none. */
static int32_t open_incident_of(const cx_sim *sim, uint32_t region) {
    const cxi_resp *R = sim->resp;
    int32_t found = -1;
    for (uint32_t k = 0; k < R->ninc; k++)
        if (R->inc[k].region == region && R->inc[k].state != CXI_INC_CLOSED) found = (int32_t)k;
    return found;
}

static cx_status ucpm_request(cx_sim *sim, cx_time t, const cxi_decision *D) {
    cxi_resp *R = sim->resp;
    int32_t found = open_incident_of(sim, (uint32_t)D->region);
    char text[160];
    if (found < 0) {
        snprintf(text, sizeof text, "no open incident in %s: no request sent",
                 sim->sc->regions[D->region].code);
        return emit(sim, t, D, text);
    }
    if (R->nreq >= R->capreq) return emit(sim, t, D, "request limit reached: no request sent");
    uint32_t i = (uint32_t)found;
    cx_status st = emit(sim, t, D, D->text);
    if (st != CX_OK) return st;
    uint32_t mask = 0;
    cxi_inc_advance(sim, i, t);
    for (int n = 0; n < CX_NEED_COUNT && st == CX_OK; n++) {
        if (D->needs && D->needs[n] > 0) {
            mask |= 1u << n;
            if (D->needs[n] > R->inc[i].a[n]) {
                R->inc[i].a[n] = D->needs[n];
                if (D->needs[n] > R->inc[i].a0[n]) R->inc[i].a0[n] = D->needs[n];
                st = cxi_inc_reschedule(sim, i, n, t);
            }
        } else if (!D->needs && cxi_inc_uncovered(sim, i, n, t, 0) > 0) {
            mask |= 1u << n;
        }
    }
    if (st != CX_OK) return st;
    if (!mask) return CX_OK; /* nothing uncovered: the request would be covered at once */
    if ((st = cxi_ucpm_reconsider(sim, i, t)) != CX_OK) return st;
    if ((st = cxi_ucpm_request(sim, i, mask, D->id, t, D->id)) != CX_OK) return st;
    return cxi_inc_check(sim, i, t);
}

static int next_mode(int m, int up) {
    if (up) {
        if (m == CX_IPCR_INACTIVE || m == CX_IPCR_CLOSED) return CX_IPCR_MONITORING;
        return m < CX_IPCR_FULL ? m + 1 : CX_IPCR_FULL;
    }
    if (m == CX_IPCR_MONITORING) return CX_IPCR_CLOSED;
    if (m == CX_IPCR_INFO_SHARING || m == CX_IPCR_FULL) return m - 1;
    return m;
}

cx_status cxi_decision_apply(cx_sim *sim, cx_time t, uint32_t d) {
    const cx_scenario *sc = sim->sc;
    const cxi_decision *D = &sc->decisions[d];
    cxi_resp *R = sim->resp;
    int need_resp = D->kind == CXI_DK_IPCR_ESCALATE || D->kind == CXI_DK_IPCR_DEESCALATE ||
                    D->kind == CXI_DK_IPCR_SET || D->kind == CXI_DK_ART222 ||
                    D->kind == CXI_DK_UCPM_REQUEST || D->kind == CXI_DK_ACCEPT_OFFER ||
                    D->kind == CXI_DK_DECLINE_OFFER || D->kind == CXI_DK_PREPOSITION;
    int need_region = D->kind == CXI_DK_ART222 || D->kind == CXI_DK_UCPM_REQUEST ||
                      D->kind == CXI_DK_PREPOSITION;
    if ((need_resp && !R) || (need_region && (D->region < 0 || (uint32_t)D->region >= sc->nregions)))
        return emit(sim, t, D, "no response model in this scenario: recorded only");
    char text[200];
    cx_status st;
    switch (D->kind) {
    case CXI_DK_IPCR_ESCALATE:
    case CXI_DK_IPCR_DEESCALATE:
    case CXI_DK_IPCR_SET: {
        int m = D->kind == CXI_DK_IPCR_SET ? D->mode
                                           : next_mode(R->mode, D->kind == CXI_DK_IPCR_ESCALATE);
        if (m < 0 || m > CX_IPCR_CLOSED) m = R->mode;
        snprintf(text, sizeof text, "%s -> %s", cxi_ipcr_mode_name(R->mode), cxi_ipcr_mode_name(m));
        if ((st = emit(sim, t, D, D->text && D->text[0] ? D->text : text)) != CX_OK) return st;
        return cxi_ipcr_set(sim, m, t, D->region >= 0 ? sc->regions[D->region].code : "", D->id);
    }
    case CXI_DK_ART222:
        if ((st = emit(sim, t, D, D->text)) != CX_OK) return st;
        R->art222 = 1;
        return cxi_ipcr_set(sim, CX_IPCR_FULL, t, sc->regions[D->region].code, D->id);
    case CXI_DK_UCPM_REQUEST: return ucpm_request(sim, t, D);
    case CXI_DK_ACCEPT_OFFER:
    case CXI_DK_DECLINE_OFFER: {
        uint32_t n = 0;
        int acc = D->kind == CXI_DK_ACCEPT_OFFER;
        /* the record comes first; the units' own records follow it */
        snprintf(text, sizeof text, "%s offers of %s", acc ? "accepts" : "declines", D->target);
        if ((st = emit(sim, t, D, D->text && D->text[0] ? D->text : text)) != CX_OK) return st;
        st = cxi_ucpm_decide_offer(sim, t, D->target, acc, D->id, &n);
        if (st == CX_OK && n == 0) {
            snprintf(text, sizeof text, "no pending offer matches '%s'", D->target);
            cx_record r = {t, CX_REC_DECISION, D->id, "", "", "no_effect", 0, D->by, 0, 0, text};
            st = cxi_sim_emit(sim, &r);
        }
        return st;
    }
    case CXI_DK_PREPOSITION:
        if (D->capacity < 0 || (uint32_t)D->capacity >= sc->ncapacities)
            return emit(sim, t, D, "unknown capacity: recorded only");
        if ((st = emit(sim, t, D, D->text)) != CX_OK) return st;
        return cxi_ucpm_preposition(sim, (uint32_t)D->capacity, (uint32_t)D->region, t, D->id);
    case CXI_DK_REPAIR_PRIORITY: {
        uint32_t n = 0;
        st = cxi_infra_speed_repairs(sim, t, D->asset >= 0 ? -1 : D->region, D->sector, D->asset,
                                     D->factor, &n);
        if (st != CX_OK) return st;
        snprintf(text, sizeof text, "%u pending repair%s x %.3g", n, n == 1 ? "" : "s", D->factor);
        return emit(sim, t, D, D->text && D->text[0] ? D->text : text);
    }
    case CXI_DK_DEPLOY_HYBRID_TEAM:
    case CXI_DK_PUBLIC_COMMUNICATION: {
        int team = D->kind == CXI_DK_DEPLOY_HYBRID_TEAM;
        if (D->region < 0 || (uint32_t)D->region >= sc->nregions)
            return emit(sim, t, D, "no valid region: recorded only");
        const char *say = D->text && D->text[0] ? D->text : team ? "hybrid team deployed" : "";
        if ((st = emit(sim, t, D, say)) != CX_OK) return st;
        /* the countermeasure's trust record follows the decision record */
        return team ? cxi_hybrid_on_hrrt(sim, (uint32_t)D->region, t, D->id)
                    : cxi_hybrid_on_pubcom(sim, (uint32_t)D->region, t, D->id);
    }
    case CXI_DK_NOTIFY: {
        const char *val = D->value ? D->value : "", *tgt = D->target ? D->target : "";
        const char *name = val[0] ? val : tgt, *note = D->text ? D->text : "";
        int clock = cxi_clock_parse(name);
        if (clock < 0 && tgt[0]) clock = cxi_clock_parse(tgt);
        if (D->region < 0 || (uint32_t)D->region >= sc->nregions)
            snprintf(text, sizeof text, "%s: no valid region: recorded only", name);
        else if (clock < 0)
            snprintf(text, sizeof text, "unknown notification clock '%s': recorded only (expected "
                     "nis2_early_warning, nis2_notification, nis2_final_report or "
                     "cer_first_notice)", name);
        else
            snprintf(text, sizeof text, "%s%s%s", val, val[0] && note[0] ? ": " : "", note);
        if ((st = emit(sim, t, D, text)) != CX_OK) return st;
        if (clock < 0 || D->region < 0 || (uint32_t)D->region >= sc->nregions) return CX_OK;
        return cxi_hybrid_on_notify(sim, (uint32_t)D->region, clock, t, D->id);
    }
    default: return emit(sim, t, D, D->text);
    }
}

int cxi_decision_notified(const cx_sim *sim, const char *region, const char *clock, cx_time *when) {
    const cx_scenario *sc = sim->sc;
    cx_time now = cx_sim_now(sim);
    for (uint32_t d = 0; d < sc->ndecisions; d++) {
        const cxi_decision *D = &sc->decisions[d];
        if (D->kind != CXI_DK_NOTIFY || D->t > now) continue;
        const char *code = D->region >= 0 ? sc->regions[D->region].code : "";
        if (region && region[0] && strcmp(code, region) != 0) continue;
        if (!cxi_ieq(D->value, clock) && !cxi_ieq(D->target, clock)) continue;
        if (when) *when = D->t < 0 ? 0 : D->t;
        return 1;
    }
    return 0;
}
