/* load_hybrid.c — the hybrid-threat part of a scenario: keys of scenario.csv (detection delay, trust,
 * countermeasure factors, notification deadlines) and the cells of the hybrid inject kinds.
 * Invariant: a cell that a kind does not use must be empty, so a misplaced value is never ignored. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/load_int.h"
#include "model/hybrid.h"

#define Q(buf, s) cxi_diag_quote(buf, sizeof buf, s)

enum {
    HK_DETECT, HK_TRUST0, HK_RECOVERY, HK_HRRT, HK_PUBCOM, HK_PLATFORM, HK_INTERVAL,
    HK_DEADLINE, /* + clock */
    HK_COUNT = HK_DEADLINE + CX_CLOCK_COUNT
};

static const char *const hkeys[HK_DEADLINE] = {
    "cyber_detection_delay", "trust_initial", "trust_recovery", "hrrt_factor",
    "pubcom_factor", "platform_notice_factor", "trust_record_interval"};

static const char clock_list[] =
    "nis2_early_warning, nis2_notification, nis2_final_report or cer_first_notice";

static const range R_UNIT = {0, 1, 0, 0, "a number from 0 to 1"};
static const range R_NONNEG = {0, HUGE_VAL, 0, 0, "a number >= 0"};
static const range R_POS = {0, HUGE_VAL, 1, 0, "a number above 0"};

const char *cxi_ld_hybrid_suggest(const char *k) {
    const char *names[HK_DEADLINE + 1];
    for (int i = 0; i < HK_DEADLINE; i++) names[i] = hkeys[i];
    names[HK_DEADLINE] = "deadline.nis2_early_warning";
    return cxi_suggest(k, names, HK_DEADLINE + 1);
}

int cxi_ld_hybrid_key(loader *L, tab *T, unsigned r, int kc, int vc, const char *k, const char *v) {
    char q[100], q2[100];
    cx_hybrid_params *p = &L->sc->params.hybrid;
    int key = -1;
    if (cxi_ieqn(k, "deadline.", 9)) {
        int c = cxi_clock_parse(k + 9);
        if (c < 0) {
            cxi_ld_rowerr(L, T, r, kc, "unknown clock '%s' in key '%s' (expected %s)",
                          Q(q, k + 9), Q(q2, k), clock_list);
            return 1;
        }
        key = HK_DEADLINE + c;
    } else {
        for (int i = 0; i < HK_DEADLINE; i++)
            if (cxi_ieq(k, hkeys[i])) key = i;
        if (key < 0) return 0;
    }
    unsigned *seen = &L->hybrid_seen[key];
    if (*seen) {
        cxi_ld_rowerr(L, T, r, kc, "key '%s' is given twice (first on line %u; expected each key "
                      "once)", Q(q, k), T->t.row_line[*seen - 1]);
        return 1;
    }
    *seen = r + 1;
    if (!v[0]) return 1;
    switch (key) {
    case HK_DETECT: cxi_ld_get_dist(L, T, r, vc, &p->cyber_detection_delay, &p->cyber_detection_delay); break;
    case HK_TRUST0: cxi_ld_get_num(L, T, r, vc, 0, p->trust_initial, &R_UNIT, &p->trust_initial); break;
    case HK_RECOVERY:
        cxi_ld_get_num(L, T, r, vc, 0, p->trust_recovery, &R_NONNEG, &p->trust_recovery);
        break;
    case HK_HRRT: cxi_ld_get_num(L, T, r, vc, 0, p->hrrt_factor, &R_POS, &p->hrrt_factor); break;
    case HK_PUBCOM: cxi_ld_get_num(L, T, r, vc, 0, p->pubcom_factor, &R_POS, &p->pubcom_factor); break;
    case HK_PLATFORM:
        cxi_ld_get_num(L, T, r, vc, 0, p->platform_factor, &R_POS, &p->platform_factor);
        break;
    case HK_INTERVAL:
        cxi_ld_get_dur(L, T, r, vc, 0, p->trust_record_interval, 1,
                       "a duration above zero such as 6h", &p->trust_record_interval);
        break;
    default:
        cxi_ld_get_dur(L, T, r, vc, 0, p->deadline[key - HK_DEADLINE], 1,
                       "a duration above zero such as 24h", &p->deadline[key - HK_DEADLINE]);
        break;
    }
    return 1;
}

static const char *kind_name(int kind) {
    static const char *const names[] = {"cyber", "fimi", "hrrt", "pubcom", "platform_notice",
                                        "notify"};
    return names[kind - CX_INJECT_CYBER];
}

/* A cell that kind does not use: error when it is filled. */
static void unused(loader *L, const tab *T, unsigned r, int c, const char *col, const char *applies) {
    if (c >= 0 && cxi_ld_cell(T, r, c)[0])
        cxi_ld_rowerr(L, T, r, c, "'%s' applies only to %s (expected an empty cell)", col, applies);
}

int cxi_ld_hybrid_inject(loader *L, const tab *T, unsigned r, int kind, cx_inject *in,
                         const cxi_ld_injcols *c) {
    char q[100];
    if (!CX_INJECT_IS_HYBRID(kind)) {
        unused(L, T, r, c->detection, "detection", "cyber injects");
        return 0;
    }
    const char *k = kind_name(kind);
    const char *rg = cxi_ld_cell(T, r, c->region);
    unused(L, T, r, c->hazard, "hazard", "hazard injects");
    unused(L, T, r, c->needs, "needs", "hazard and request injects");
    if (kind != CX_INJECT_CYBER) unused(L, T, r, c->detection, "detection", "cyber injects");
    if (kind != CX_INJECT_FIMI) unused(L, T, r, c->duration, "duration", "hazard and fimi injects");
    if (kind != CX_INJECT_NOTIFY)
        unused(L, T, r, c->value, "value", "ipcr and notify injects");
    in->target_kind = CX_TARGET_NONE;
    in->at_region = -1;
    if (kind == CX_INJECT_CYBER) {
        in->detection = (cxi_dist){CXI_DIST_FIXED, {-1, 0, 0}, 1}; /* scenario default */
        if (c->detection >= 0 && cxi_ld_cell(T, r, c->detection)[0]) {
            cxi_dist def = in->detection;
            cxi_ld_get_dist(L, T, r, c->detection, &def, &in->detection);
        }
        int groups = c->has_t + c->has_r + c->has_geo;
        if (groups == 0) {
            cxi_ld_rowerr(L, T, r, c->kind,
                          "cyber inject '%s' has no target (expected an asset id in 'target', a "
                          "region code in 'region' (optionally with 'sector'), or 'lat', 'lon' "
                          "and 'radius_km')",
                          Q(q, in->id));
        } else if (groups > 1) {
            cxi_ld_rowerr(L, T, r, c->has_t ? c->target : c->region,
                          "cyber inject '%s' has more than one target (expected exactly one of: "
                          "'target', 'region' (+ 'sector'), or 'lat'+'lon'+'radius_km')",
                          Q(q, in->id));
        } else if (c->has_t && c->has_s) {
            cxi_ld_rowerr(L, T, r, c->sector, "a sector does not apply to an asset target "
                          "(expected an empty sector, or a 'region' or radius target)");
        } else if (c->has_r && !strcmp(rg, "*") && !c->has_s) {
            cxi_ld_rowerr(L, T, r, c->region, "region '*' (every region) needs a sector "
                          "(expected a sector in 'sector')");
        } else if (!c->tbad) {
            in->target_kind = c->has_t   ? CX_TARGET_ASSET
                              : c->has_r ? CX_TARGET_SECTOR
                                         : CX_TARGET_RADIUS;
        }
        return 1;
    }
    /* the other kinds concern one region */
    if (c->has_t || c->has_s || c->has_geo)
        cxi_ld_rowerr(L, T, r, c->has_t ? c->target : c->has_s ? c->sector : -1,
                      "a %s inject takes no asset, sector or position target (expected only "
                      "'region')", k);
    if (c->has_r && !strcmp(rg, "*"))
        cxi_ld_rowerr(L, T, r, c->region,
                      "'*' is not allowed for a %s inject (expected one region code)", k);
    else if (c->has_r && in->region >= 0)
        in->at_region = in->region;
    else if (!c->has_r)
        cxi_ld_rowerr(L, T, r, c->kind, "%s inject '%s' has no region (expected a region code in "
                      "'region')", k, Q(q, in->id));
    in->region = -1;
    if (kind == CX_INJECT_FIMI) {
        if (c->magnitude < 0 || !cxi_ld_cell(T, r, c->magnitude)[0])
            cxi_ld_rowerr(L, T, r, c->kind, "fimi inject '%s' has no magnitude (expected the "
                          "trust drop per day in 'magnitude', a number from 0 to 1 such as 0.1)",
                          Q(q, in->id));
        if (c->duration >= 0 && cxi_ld_cell(T, r, c->duration)[0])
            cxi_ld_get_dur(L, T, r, c->duration, 0, 0, 1, "a duration above zero such as 3d",
                           &in->duration);
    }
    if (kind == CX_INJECT_NOTIFY) {
        const char *v = cxi_ld_cell(T, r, c->value);
        in->clock = cxi_clock_parse(v);
        if (!v[0]) {
            cxi_ld_rowerr(L, T, r, c->value >= 0 ? c->value : c->kind,
                          "notify inject '%s' has no clock (expected 'value': %s)", Q(q, in->id),
                          clock_list);
        } else if (in->clock < 0) {
            static const char *const names[CX_CLOCK_COUNT] = {
                "nis2_early_warning", "nis2_notification", "nis2_final_report",
                "cer_first_notice"};
            const char *best = cxi_suggest(v, names, CX_CLOCK_COUNT);
            if (best)
                cxi_ld_rowerr(L, T, r, c->value, "unknown clock '%s' (did you mean '%s'?)",
                              Q(q, v), best);
            else
                cxi_ld_rowerr(L, T, r, c->value, "unknown clock '%s' (expected %s)", Q(q, v),
                              clock_list);
            in->clock = 0;
        }
    }
    return 1;
}
