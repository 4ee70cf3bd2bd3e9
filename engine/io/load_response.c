/* load_response.c — the response part of a scenario: capacities.csv, the UCPM/needs/IPCR keys of
 * scenario.csv and the cells of the response inject kinds (needs, hazard, IPCR mode).
 * Invariant: defaults by capacity type come from one table (types[]), scenario-wide defaults from
 * the parameters read before (road_kmh, air_kmh, transit_handling), never from constants here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/load_int.h"
#include "model/response.h"

#define Q(buf, s) cxi_diag_quote(buf, sizeof buf, s)

/* ---- names ------------------------------------------------------------------------------- */

#define NEED_LIST                                                                                  \
    "usar, firefighting, pumping, rescue, water, medical, medevac, shelter, cbrn, coordination, "  \
    "heavy_machinery, dehumidification, power_supply, hybrid"
static const char need_list[] = NEED_LIST;

/* Reports s as an unknown <what>: the closest of names when one is close, else what is expected.
 * Returns -1. */
static int unknown_name(loader *L, const tab *T, unsigned r, int c, const char *s,
                        const char *const *names, size_t n, const char *what,
                        const char *expected) {
    char q[100];
    const char *best = cxi_suggest(s, names, n);
    if (best)
        cxi_ld_rowerr(L, T, r, c, "unknown %s '%s' (did you mean '%s'?)", what, Q(q, s), best);
    else
        cxi_ld_rowerr(L, T, r, c, "unknown %s '%s' (expected %s)", what, Q(q, s), expected);
    return -1;
}

/* Index of s among names (case-insensitive); -1 when it is none of them. */
static int find_name(const char *s, const char *const *names, int n) {
    for (int i = 0; i < n; i++)
        if (cxi_ieq(s, names[i])) return i;
    return -1;
}

/* ---- scenario.csv keys ------------------------------------------------------------------- */

enum { T_POLICY, T_DIST, T_DUR, T_SHARE, T_POS, T_COUNT, T_NONNEG, T_COUNT0 };
typedef struct {
    const char *name;
    int type;
    const char *expect;
} rkey;
enum {
    RK_UCPM_POLICY, RK_REQ_DELAY, RK_RELAY, RK_ACCEPT, RK_LAPSE, RK_RESCUE, RK_SHARE, RK_HANDLING,
    RK_ROAD, RK_AIR, RK_RECEDE, RK_IPCR_POLICY, RK_MON, RK_INFO, RK_FULL, RK_POP, RK_BLUEPRINT,
    RK_DECISION, RK_ISAA_INFO, RK_ISAA_FULL, RK_ROUNDTABLE, RK_FACTOR, RK_CLOSE, RK_COVER, RK_XB,
    RK_COUNT
};
static const rkey rkeys[RK_COUNT] = {
    {"ucpm_policy", T_POLICY, "auto or manual"},
    {"ucpm_request_delay", T_DIST, "a distribution of durations"},
    {"ercc_relay_delay", T_DIST, "a distribution of durations"},
    {"accept_delay", T_DIST, "a distribution of durations"},
    {"request_lapse", T_DUR, "a duration above zero such as 90d"},
    {"rescue_after", T_DIST, "a distribution of durations"},
    {"offer_share_own_crisis", T_SHARE, "a number from 0 to 1"},
    {"transit_handling", T_DIST, "a distribution of durations"},
    {"road_kmh", T_POS, "a speed in km/h above 0"},
    {"air_kmh", T_POS, "a speed in km/h above 0"},
    {"need_recede", T_DUR, "a duration above zero such as 10d"},
    {"ipcr_policy", T_POLICY, "auto or manual"},
    {"ipcr_monitoring_at", T_COUNT, "a whole number of member states >= 1"},
    {"ipcr_info_sharing_at", T_COUNT, "a whole number of member states >= 1"},
    {"ipcr_full_at", T_COUNT, "a whole number of member states >= 1"},
    {"ipcr_population_full", T_NONNEG, "a number of people >= 0"},
    {"blueprint_ms", T_COUNT, "a whole number of member states >= 1"},
    {"ipcr_decision_delay", T_DIST, "a distribution of durations"},
    {"isaa_interval_info", T_DUR, "a duration above zero such as 7d"},
    {"isaa_interval_full", T_DUR, "a duration above zero such as 3d12h"},
    {"roundtable_interval_full", T_DUR, "a duration above zero such as 2d"},
    {"full_relay_factor", T_POS, "a number above 0"},
    {"ipcr_close_after", T_DUR, "a duration above zero such as 7d"},
    {"cover_within", T_DUR, "a duration above zero such as 24h"},
    {"ipcr_cross_border_at", T_COUNT0, "a whole number of cross-border failures >= 0 (0 = off)"},
};
/* per-need keys: need_growth.<need> (seen slots RK_COUNT + need), need_decay.<need> (+ 14) */
#define RK_GROWTH_BASE RK_COUNT
#define RK_DECAY_BASE (RK_COUNT + CX_NEED_COUNT)

static const range R_SHARE = {0, 1, 0, 0, "a number from 0 to 1"};
static const range R_POS = {0, HUGE_VAL, 1, 0, "a number above 0"};
static const range R_NONNEG = {0, HUGE_VAL, 0, 0, "a number >= 0"};

const char *cxi_ld_response_suggest(const char *k) {
    const char *names[RK_COUNT + 2];
    for (int i = 0; i < RK_COUNT; i++) names[i] = rkeys[i].name;
    names[RK_COUNT] = "need_growth.firefighting";
    names[RK_COUNT + 1] = "need_decay.usar";
    return cxi_suggest(k, names, RK_COUNT + 2);
}

static int twice(loader *L, tab *T, unsigned r, int kc, unsigned slot, const char *k) {
    char q[100];
    if (L->resp_seen[slot]) {
        cxi_ld_rowerr(L, T, r, kc, "key '%s' is given twice (first on line %u; expected each key "
                      "once)", Q(q, k), T->t.row_line[L->resp_seen[slot] - 1]);
        return 1;
    }
    L->resp_seen[slot] = r + 1;
    return 0;
}

static int need_key(loader *L, tab *T, unsigned r, int kc, int vc, const char *k, const char *v,
                    size_t plen, int growth) {
    char q[100], q2[100];
    cx_params *p = &L->sc->params;
    int n = cxi_need_parse(k + plen);
    if (n < 0) {
        const char *best = cxi_suggest(k + plen, cxi_need_names, CX_NEED_COUNT);
        if (best)
            cxi_ld_rowerr(L, T, r, kc, "unknown need type '%s' in key '%s' (did you mean '%s'?)",
                          Q(q, k + plen), Q(q2, k), best);
        else
            cxi_ld_rowerr(L, T, r, kc, "unknown need type '%s' in key '%s' (expected one of: %s)",
                          Q(q, k + plen), Q(q2, k), need_list);
        return 1;
    }
    if (twice(L, T, r, kc, (unsigned)(growth ? RK_GROWTH_BASE : RK_DECAY_BASE) + (unsigned)n, k))
        return 1;
    if (!v[0]) return 1;
    if (growth)
        cxi_ld_get_num(L, T, r, vc, 0, p->need_growth[n], &R_NONNEG, &p->need_growth[n]);
    else
        cxi_ld_get_dur(L, T, r, vc, 0, p->need_halflife[n], 1,
                       "a half-life above zero such as 72h", &p->need_halflife[n]);
    return 1;
}

int cxi_ld_response_key(loader *L, tab *T, unsigned r, int kc, int vc, const char *k,
                        const char *v) {
    char q[100];
    cx_params *p = &L->sc->params;
    if (cxi_ieqn(k, "need_growth.", 12)) return need_key(L, T, r, kc, vc, k, v, 12, 1);
    if (cxi_ieqn(k, "need_decay.", 11)) return need_key(L, T, r, kc, vc, k, v, 11, 0);
    int key = -1;
    for (int i = 0; i < RK_COUNT; i++)
        if (cxi_ieq(k, rkeys[i].name)) key = i;
    if (key < 0) return 0;
    if (twice(L, T, r, kc, (unsigned)key, rkeys[key].name) || !v[0]) return 1;
    const rkey *K = &rkeys[key];
    cxi_dist *d = NULL;
    cx_time *dur = NULL;
    double *num = NULL;
    uint32_t *cnt = NULL;
    int *pol = NULL;
    switch (key) {
    case RK_UCPM_POLICY: pol = &p->ucpm_policy; break;
    case RK_IPCR_POLICY: pol = &p->ipcr_policy; break;
    case RK_REQ_DELAY: d = &p->ucpm_request_delay; break;
    case RK_RELAY: d = &p->ercc_relay_delay; break;
    case RK_ACCEPT: d = &p->accept_delay; break;
    case RK_RESCUE: d = &p->rescue_after; break;
    case RK_HANDLING: d = &p->transit_handling; break;
    case RK_DECISION: d = &p->ipcr_decision_delay; break;
    case RK_LAPSE: dur = &p->request_lapse; break;
    case RK_RECEDE: dur = &p->need_recede; break;
    case RK_ISAA_INFO: dur = &p->isaa_interval_info; break;
    case RK_ISAA_FULL: dur = &p->isaa_interval_full; break;
    case RK_ROUNDTABLE: dur = &p->roundtable_interval_full; break;
    case RK_CLOSE: dur = &p->ipcr_close_after; break;
    case RK_COVER: dur = &p->cover_within; break;
    case RK_SHARE: num = &p->offer_share_own_crisis; break;
    case RK_ROAD: num = &p->road_kmh; break;
    case RK_AIR: num = &p->air_kmh; break;
    case RK_FACTOR: num = &p->full_relay_factor; break;
    case RK_POP: num = &p->ipcr_population_full; break;
    case RK_MON: cnt = &p->ipcr_monitoring_at; break;
    case RK_INFO: cnt = &p->ipcr_info_sharing_at; break;
    case RK_FULL: cnt = &p->ipcr_full_at; break;
    case RK_BLUEPRINT: cnt = &p->blueprint_ms; break;
    case RK_XB: cnt = &p->ipcr_cross_border_at; break;
    default: break;
    }
    if (pol) {
        if (cxi_ieq(v, "auto"))
            *pol = CX_POLICY_AUTO;
        else if (cxi_ieq(v, "manual"))
            *pol = CX_POLICY_MANUAL;
        else
            cxi_ld_rowerr(L, T, r, vc, "unknown policy '%s' (expected %s)", Q(q, v), K->expect);
    } else if (d) {
        cxi_ld_get_dist(L, T, r, vc, d, d);
    } else if (dur) {
        cxi_ld_get_dur(L, T, r, vc, 0, *dur, 1, K->expect, dur);
    } else if (num) {
        const range *rg = K->type == T_SHARE ? &R_SHARE : K->type == T_POS ? &R_POS : &R_NONNEG;
        cxi_ld_get_num(L, T, r, vc, 0, *num, rg, num);
    } else if (cnt) {
        uint64_t x;
        uint64_t lo = K->type == T_COUNT0 ? 0 : 1;
        if (cxi_u64_parse(v, UINT32_MAX, &x) != 0 || x < lo)
            cxi_ld_rowerr(L, T, r, vc, "'%s' is not a whole number >= %u (expected %s)", Q(q, v),
                          (unsigned)lo, K->expect);
        else
            *cnt = (uint32_t)x;
    }
    return 1;
}

/* ---- capacities.csv ---------------------------------------------------------------------- */

typedef struct {
    const char *type;
    int need; /* -1: 'addresses' required */
    int air;
    double readiness_h, latency_h; /* latency_h 0: fixed(0s) */
} captype;

static const captype types[] = {
    {"usar_medium", CX_NEED_USAR, 0, 6, 6},
    {"usar_heavy", CX_NEED_USAR, 0, 6, 6},
    {"aerial_ff_plane", CX_NEED_FIREFIGHTING, 1, 3, 6},
    {"aerial_ff_helicopter", CX_NEED_FIREFIGHTING, 1, 3, 6},
    {"ground_ff", CX_NEED_FIREFIGHTING, 0, 3, 6},
    {"ground_ff_vehicles", CX_NEED_FIREFIGHTING, 0, 3, 6},
    {"pumping", CX_NEED_PUMPING, 0, 12, 12},
    {"flood_containment", CX_NEED_PUMPING, 0, 12, 12},
    {"flood_rescue", CX_NEED_RESCUE, 0, 12, 12},
    {"water_purification", CX_NEED_WATER, 0, 12, 12},
    {"amp", CX_NEED_MEDICAL, 0, 12, 12},
    {"amp_surgery", CX_NEED_MEDICAL, 0, 12, 12},
    {"field_hospital", CX_NEED_MEDICAL, 0, 12, 12},
    {"medevac", CX_NEED_MEDEVAC, 1, 12, 12},
    {"shelter", CX_NEED_SHELTER, 0, 24, 24},
    {"cbrn_detection", CX_NEED_CBRN, 0, 6, 6},
    {"cbrn_sar", CX_NEED_CBRN, 0, 6, 6},
    {"tast", CX_NEED_COORDINATION, 1, 6, 6},
    {"eucpt", CX_NEED_COORDINATION, 1, 6, 6},
    {"heavy_machinery", CX_NEED_HEAVY_MACHINERY, 0, 24, 24},
    {"dehumidifiers", CX_NEED_DEHUMIDIFICATION, 0, 24, 24},
    {"generators", CX_NEED_POWER_SUPPLY, 0, 12, 12},
    {"hybrid_rrt", CX_NEED_HYBRID, 1, 24, 24},
    {"national_team", -1, 0, 2, 0},
};
#define NTYPES (sizeof types / sizeof types[0])

static const char *cap_id_of(const cx_scenario *sc, uint32_t i) { return sc->capacities[i].id; }

int cxi_ld_capacity_ref(loader *L, const tab *T, unsigned r, int c, uint32_t *out) {
    const char *s = cxi_ld_cell(T, r, c);
    char q[100], q2[100];
    cx_scenario *sc = L->sc;
    *out = 0;
    for (uint32_t i = 0; i < sc->ncapacities; i++)
        if (!strcmp(cap_id_of(sc, i), s)) {
            *out = i;
            return 0;
        }
    if (!L->capacities_ok) {
        if (!L->f[F_CAPACITIES].t.ncols)
            cxi_ld_rowerr(L, T, r, c, "unknown capacity '%s' (expected an id from "
                          "capacities.csv, which is absent)", Q(q, s));
        return -1;
    }
    if (!L->cap_ids && sc->ncapacities) {
        L->cap_ids = malloc(sc->ncapacities * sizeof *L->cap_ids);
        if (L->cap_ids)
            for (uint32_t i = 0; i < sc->ncapacities; i++) L->cap_ids[i] = cap_id_of(sc, i);
    }
    const char *best = L->cap_ids ? cxi_suggest(s, L->cap_ids, sc->ncapacities) : NULL;
    if (best)
        cxi_ld_rowerr(L, T, r, c, "unknown capacity '%s' (did you mean '%s'?)", Q(q, s),
                      Q(q2, best));
    else
        cxi_ld_rowerr(L, T, r, c, "unknown capacity '%s' (expected an id from capacities.csv)",
                      Q(q, s));
    return -1;
}

static int need_cell(loader *L, const tab *T, unsigned r, int c, int *out) {
    const char *s = cxi_ld_cell(T, r, c);
    *out = cxi_need_parse(s);
    if (*out >= 0) return 0;
    return unknown_name(L, T, r, c, s, cxi_need_names, CX_NEED_COUNT, "need type",
                        "one of: " NEED_LIST);
}

void cxi_ld_capacities(loader *L) {
    tab *T = &L->f[F_CAPACITIES];
    cx_scenario *sc = L->sc;
    const cx_params *P = &sc->params;
    L->capacities_ok = 0;
    if (!T->usable) return;
    enum {
        C_ID, C_TYPE, C_OWNER, C_POOL, C_COUNT, C_READY, C_SPEED, C_HANDLING, C_ENDURANCE,
        C_ADDR, C_RATE, C_REPAIRS, C_RFACTOR, C_LATENCY, C_LAT, C_LON, C_PREPOS, C_NOTE,
        C_ABROAD, C_N
    };
    static const colspec spec[C_N] = {
        {"id", NULL, 1},           {"type", NULL, 1},          {"owner", NULL, 1},
        {"pool", NULL, 0},         {"count", NULL, 0},         {"readiness", NULL, 0},
        {"speed_kmh", NULL, 0},    {"handling", NULL, 0},      {"endurance", NULL, 0},
        {"addresses", NULL, 0},    {"rate", NULL, 0},          {"repairs", NULL, 0},
        {"repair_factor", NULL, 0}, {"offer_latency", NULL, 0}, {"lat", NULL, 0},
        {"lon", NULL, 0},          {"prepositioned_at", NULL, 0}, {"note", NULL, 0},
        {"offer_abroad", NULL, 0}};
    static const range R_RATE = {0, HUGE_VAL, 1, 0, "a rate above 0 (need units per unit-hour)"};
    static const range R_SPEED = {0, HUGE_VAL, 1, 0, "a speed in km/h above 0"};
    static const range R_FACTOR = {0, 1, 1, 0, "a number above 0 and at most 1"};
    int col[C_N];
    uint32_t n = T->t.nrows;
    unsigned char *kn = calloc(T->t.ncols ? T->t.ncols : 1, 1);
    int *ncols = malloc((T->t.ncols ? T->t.ncols : 1) * sizeof *ncols);
    uint32_t nslots = 8;
    while (nslots < 2 * (uint64_t)n && nslots < (UINT32_C(1) << 31)) nslots <<= 1;
    uint32_t *slots = calloc(nslots, sizeof *slots);
    int all = T->read_ok;
    char q[100], q2[100];
    if (!kn || !ncols || !slots) {
        cxi_ld_worst(L, CX_ENOMEM);
        goto done;
    }
    if (!cxi_ld_resolve(L, T, spec, C_N, col, kn)) {
        T->usable = 0;
        goto done;
    }
    sc->capacities = cxi_ld_zalloc(L, (size_t)n * sizeof *sc->capacities);
    if (!sc->capacities || cxi_ld_notes_begin(L, T, kn, n, &sc->capacity_notes, ncols)) goto done;
    const char *tnames[NTYPES];
    for (size_t i = 0; i < NTYPES; i++) tnames[i] = types[i].type;
    for (unsigned r = 0; r < n; r++) {
        const char *id = cxi_ld_cell(T, r, col[C_ID]);
        if (!id[0]) {
            cxi_ld_rowerr(L, T, r, col[C_ID], "missing value (expected a capacity id)");
            all = 0;
            continue;
        }
        if (strchr(id, '#')) {
            cxi_ld_rowerr(L, T, r, col[C_ID], "capacity id '%s' contains '#' (expected an id "
                          "without '#', which separates the unit number in 'id#k')", Q(q, id));
            all = 0;
            continue;
        }
        uint32_t mask = nslots - 1, h = cxi_scenario_slot_hash(id) & mask;
        int dupe = 0;
        for (; slots[h]; h = (h + 1) & mask)
            if (!strcmp(cxi_ld_cell(T, slots[h] - 1, col[C_ID]), id)) {
                cxi_ld_rowerr(L, T, r, col[C_ID], "duplicate capacity id '%s' (first on line %u; "
                              "expected each id once)", Q(q, id), T->t.row_line[slots[h] - 1]);
                dupe = 1;
                break;
            }
        if (dupe) continue;
        slots[h] = r + 1;
        cx_capacity *c = &sc->capacities[sc->ncapacities];
        c->id = cxi_ld_keep(L, id);
        c->type = cxi_ld_keep(L, cxi_ld_cell(T, r, col[C_TYPE]));
        c->note = cxi_ld_keep(L, cxi_ld_cell(T, r, col[C_NOTE]));
        c->repairs = -1;
        c->prepositioned_at = -1;
        c->count = 1;
        c->rate = 1;
        c->repair_factor = 0.5;
        const captype *ty = NULL;
        const char *ts = cxi_ld_cell(T, r, col[C_TYPE]);
        for (size_t i = 0; i < NTYPES; i++)
            if (cxi_ieq(ts, types[i].type)) ty = &types[i];
        if (!ts[0]) {
            cxi_ld_rowerr(L, T, r, col[C_TYPE], "missing value (expected a capacity type such as "
                          "usar_heavy, pumping or national_team)");
        } else if (!ty) {
            const char *best = cxi_suggest(ts, tnames, NTYPES);
            if (best)
                cxi_ld_rowerr(L, T, r, col[C_TYPE], "unknown capacity type '%s' (did you mean "
                              "'%s'?)", Q(q, ts), best);
            else
                cxi_ld_rowerr(L, T, r, col[C_TYPE], "unknown capacity type '%s' (expected one of "
                              "the types of docs/scenario-format.md, or national_team with "
                              "'addresses')", Q(q, ts));
        }
        int32_t owner = 0;
        if (!cxi_ld_cell(T, r, col[C_OWNER])[0])
            cxi_ld_rowerr(L, T, r, col[C_OWNER], "missing value (expected a code from "
                          "regions.csv)");
        else
            cxi_ld_region_ref(L, T, r, col[C_OWNER], 0, &owner);
        c->owner = (uint32_t)(owner >= 0 ? owner : 0);
        const char *ps = cxi_ld_cell(T, r, col[C_POOL]);
        c->pool = CX_POOL_NATIONAL;
        if (ps[0]) {
            if (cxi_ieq(ps, "national"))
                c->pool = CX_POOL_NATIONAL;
            else if (cxi_ieq(ps, "ecpp"))
                c->pool = CX_POOL_ECPP;
            else if (cxi_ieq(ps, "rescue") || cxi_ieq(ps, "rescEU"))
                c->pool = CX_POOL_RESCUE;
            else {
                static const char *const pools[] = {"national", "ecpp", "rescue", "rescEU"};
                const char *best = cxi_suggest(ps, pools, 4);
                if (best)
                    cxi_ld_rowerr(L, T, r, col[C_POOL], "unknown pool '%s' (did you mean '%s'?)",
                                  Q(q, ps), best);
                else
                    cxi_ld_rowerr(L, T, r, col[C_POOL], "unknown pool '%s' (expected national, "
                                  "ecpp or rescue)", Q(q, ps));
            }
        }
        const char *cs = cxi_ld_cell(T, r, col[C_COUNT]);
        if (cs[0]) {
            uint64_t x;
            if (cxi_u64_parse(cs, 100000, &x) != 0 || x < 1)
                cxi_ld_rowerr(L, T, r, col[C_COUNT], "'%s' is not a whole number from 1 to "
                              "100000 (expected the number of identical units)", Q(q2, cs));
            else
                c->count = (uint32_t)x;
        }
        int air = ty ? ty->air : 0;
        double ready_h = ty ? ty->readiness_h : 2, lat_h = ty ? ty->latency_h : 0;
        cxi_dist ready = {CXI_DIST_FIXED, {ready_h * 3600, 0, 0}, 1};
        cxi_dist lat = lat_h > 0 ? (cxi_dist){CXI_DIST_LOGNORMAL, {lat_h * 3600, 0.5, 0}, 1}
                                 : (cxi_dist){CXI_DIST_FIXED, {0, 0, 0}, 1};
        cxi_dist endur = {CXI_DIST_FIXED, {96 * 3600.0, 0, 0}, 1};
        cxi_ld_get_dist(L, T, r, col[C_READY], &ready, &c->readiness);
        cxi_ld_get_num(L, T, r, col[C_SPEED], 0, air ? P->air_kmh : P->road_kmh, &R_SPEED,
                       &c->speed_kmh);
        cxi_ld_get_dist(L, T, r, col[C_HANDLING], &P->transit_handling, &c->handling);
        cxi_ld_get_dist(L, T, r, col[C_ENDURANCE], &endur, &c->endurance);
        cxi_ld_get_dist(L, T, r, col[C_LATENCY], &lat, &c->offer_latency);
        c->need = ty ? ty->need : 0;
        if (cxi_ld_cell(T, r, col[C_ADDR])[0]) {
            int nd;
            if (need_cell(L, T, r, col[C_ADDR], &nd) == 0) c->need = nd;
        } else if (ty && ty->need < 0) {
            cxi_ld_rowerr(L, T, r, col[C_TYPE],
                          "a national_team needs 'addresses' (expected a need type: %s)",
                          need_list);
        }
        if (c->need < 0) c->need = 0;
        cxi_ld_get_num(L, T, r, col[C_RATE], 0, 1, &R_RATE, &c->rate);
        if (cxi_ld_cell(T, r, col[C_REPAIRS])[0] &&
            cxi_ld_sector_cell(L, T, r, col[C_REPAIRS], &c->repairs) != 0)
            c->repairs = -1;
        cxi_ld_get_num(L, T, r, col[C_RFACTOR], 0, 0.5, &R_FACTOR, &c->repair_factor);
        cxi_ld_point(L, T, r, col[C_LAT], col[C_LON], c->owner, "owner's", &c->lat, &c->lon);
        if (cxi_ld_cell(T, r, col[C_PREPOS])[0]) {
            int32_t g;
            if (cxi_ld_region_ref(L, T, r, col[C_PREPOS], 0, &g) == 0) c->prepositioned_at = g;
        }
        /* offer_abroad: national teams serve their owner only unless it says 1 (default by pool) */
        const char *oa = cxi_ld_cell(T, r, col[C_ABROAD]);
        c->national_only = c->pool == CX_POOL_NATIONAL;
        if (oa[0]) {
            if (!strcmp(oa, "1") || cxi_ieq(oa, "yes") || cxi_ieq(oa, "true"))
                c->national_only = 0;
            else if (!strcmp(oa, "0") || cxi_ieq(oa, "no") || cxi_ieq(oa, "false"))
                c->national_only = 1;
            else
                cxi_ld_rowerr(L, T, r, col[C_ABROAD], "'%s' is not 0 or 1 (expected 1: offered "
                              "to other states, 0: serves its owner only)", Q(q, oa));
        }
        cxi_ld_notes_row(L, T, r, &sc->capacity_notes, ncols, sc->ncapacities);
        sc->ncapacities++;
    }
    L->capacities_ok = all;
done:
    free(kn);
    free(ncols);
    free(slots);
}

/* ---- inject cells ------------------------------------------------------------------------ */

int cxi_ld_needs(loader *L, const tab *T, unsigned r, int c, const double **out) {
    const char *s = cxi_ld_cell(T, r, c);
    char q[100], q2[100], item[160];
    *out = NULL;
    if (!s[0]) return 0;
    double *v = cxi_ld_zalloc(L, CX_NEED_COUNT * sizeof *v);
    if (!v) return -1;
    int bad = 0, any = 0, k = 0;
    for (const char *p = s; *p;) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        k++;
        while (len && (*p == ' ' || *p == '\t')) p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
        if (len >= sizeof item) len = sizeof item - 1;
        memcpy(item, p, len);
        item[len] = '\0';
        p = e ? e + 1 : p + strlen(p);
        if (!item[0]) continue;
        char *eq = strchr(item, '=');
        if (!eq) {
            cxi_ld_rowerr(L, T, r, c, "item %d '%s' has no '=' (expected need=amount, e.g. "
                          "usar=10; medical=4)", k, Q(q, item));
            bad = 1;
            continue;
        }
        *eq = '\0';
        char *name = item, *amt = eq + 1;
        size_t nl = strlen(name);
        while (nl && (name[nl - 1] == ' ' || name[nl - 1] == '\t')) name[--nl] = '\0';
        while (*amt == ' ' || *amt == '\t') amt++;
        int nd = cxi_need_parse(name);
        if (nd < 0) {
            const char *best = cxi_suggest(name, cxi_need_names, CX_NEED_COUNT);
            if (best)
                cxi_ld_rowerr(L, T, r, c, "unknown need type '%s' in item %d (did you mean "
                              "'%s'?)", Q(q, name), k, best);
            else
                cxi_ld_rowerr(L, T, r, c, "unknown need type '%s' in item %d (expected one of: "
                              "%s)", Q(q, name), k, need_list);
            bad = 1;
            continue;
        }
        double a;
        cxi_parse_err pe = {0};
        if (cxi_number_parse(amt, T->t.decimal_comma, &a, &pe) != 0 || !(a > 0)) {
            cxi_ld_rowerr(L, T, r, c, "amount '%s' of need '%s' in item %d is not a number above "
                          "0 (expected need=amount, e.g. usar=10)", Q(q, amt), Q(q2, name), k);
            bad = 1;
            continue;
        }
        if (v[nd] > 0) {
            cxi_ld_rowerr(L, T, r, c, "need '%s' is given twice (item %d; expected each need "
                          "type once)", cxi_need_names[nd], k);
            bad = 1;
            continue;
        }
        v[nd] = a;
        any = 1;
    }
    if (!any && !bad) {
        cxi_ld_rowerr(L, T, r, c, "no need in '%s' (expected need=amount, e.g. usar=10)",
                      Q(q, s));
        bad = 1;
    }
    if (bad) return -1;
    *out = v;
    return 0;
}

int cxi_ld_hazard(loader *L, const tab *T, unsigned r, int c, int *out) {
    const char *s = cxi_ld_cell(T, r, c);
    int i = find_name(s, cxi_hazard_names, CX_HAZARD_COUNT);
    *out = i >= 0 ? i : CX_HAZARD_COUNT - 1;
    if (i >= 0) return 0;
    return unknown_name(L, T, r, c, s, cxi_hazard_names, CX_HAZARD_COUNT, "hazard",
                        "earthquake, flood, wildfire, storm, blackout, cyber, cbrn, drought, "
                        "epidemic or other");
}

int cxi_ld_ipcr_mode(loader *L, const tab *T, unsigned r, int c, int *out) {
    const char *s = cxi_ld_cell(T, r, c);
    int i = find_name(s, cxi_ipcr_names, CX_IPCR_CLOSED + 1);
    if (i < 0 && cxi_ieq(s, "info_sharing")) i = CX_IPCR_INFO_SHARING;
    if (i < 0)
        return unknown_name(L, T, r, c, s, cxi_ipcr_names, CX_IPCR_CLOSED + 1, "IPCR mode",
                            "inactive, monitoring, information_sharing, full or closed");
    *out = i;
    return 0;
}
