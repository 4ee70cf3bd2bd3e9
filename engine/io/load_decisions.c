/* load_decisions.c — the exercise-control inputs: decisions.csv (or the file of --decisions) and the
 * 'trigger' cells of injects.csv, checked with located errors like every other table.
 * Invariant: the decisions file has its own hash (the scenario hash stays that of the scenario
 * files), and decisions are kept sorted by (time, file order). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/load_int.h"
#include "model/trigger.h"

#define Q(buf, s) cxi_diag_quote(buf, sizeof buf, s)

void cxi_ld_trigger(loader *L, const tab *T, unsigned r, int c, cx_inject *in) {
    char err[600];
    unsigned col;
    int64_t t0 = L->have_start ? L->sc->params.start_unix : 0;
    if (cxi_cond_parse(in->trigger, L->sc, t0, L->A, &in->cond, err, sizeof err, &col) != 0) {
        in->cond = NULL;
        cxi_ld_rowerr(L, T, r, c, "%s", err);
    }
}

static const char kinds_expect[] =
    "ipcr_escalate, ipcr_deescalate, ipcr_set, art222, ucpm_request, accept_offer, "
    "decline_offer, preposition, repair_priority, deploy_hybrid_team, public_communication, "
    "notify or note";

typedef struct {
    cxi_decision d;
    uint32_t orig;
} ordered;

static int cmp_decision(const void *a, const void *b) {
    const ordered *x = a, *y = b;
    if (x->d.t != y->d.t) return x->d.t < y->d.t ? -1 : 1;
    return x->orig < y->orig ? -1 : x->orig > y->orig;
}

/* accept_offer / decline_offer: a unit "cap#k", a capacity id, or a request id (a request inject,
 * another decision, or "<hazard id>/request"). */
static int offer_target_known(const cx_scenario *sc, const tab *T, int idcol, const char *s) {
    for (uint32_t c = 0; c < sc->ncapacities; c++) {
        const char *id = sc->capacities[c].id;
        size_t l = strlen(id);
        if (!strcmp(id, s)) return 1;
        if (!strncmp(id, s, l) && s[l] == '#') {
            uint64_t k;
            if (cxi_u64_parse(s + l + 1, UINT32_MAX, &k) == 0 && k >= 1 &&
                k <= sc->capacities[c].count)
                return 1;
        }
    }
    for (uint32_t i = 0; i < sc->ninjects; i++) {
        const char *id = sc->injects[i].id;
        size_t l = strlen(id);
        if (sc->injects[i].kind == CX_INJECT_REQUEST && !strcmp(id, s)) return 1;
        if (sc->injects[i].kind == CX_INJECT_HAZARD && !strncmp(id, s, l) &&
            !strcmp(s + l, "/request"))
            return 1;
    }
    for (unsigned r = 0; r < T->t.nrows; r++) { /* a decision's id: its 'id' cell or D<line> */
        const char *id = cxi_ld_cell(T, r, idcol);
        char def[32];
        snprintf(def, sizeof def, "D%u", T->t.row_line[r]);
        if (!strcmp(id[0] ? id : def, s)) return 1;
    }
    return 0;
}

void cxi_ld_decisions(loader *L, const char *dir) {
    cx_scenario *sc = L->sc;
    const char *given = L->opts ? L->opts->decisions : NULL;
    char *path;
    tab Tv;
    tab *T = &Tv;
    memset(T, 0, sizeof *T);
    sc->decisions_path = "";
    sc->decisions_hash[0] = '\0';
    if (given && given[0]) {
        path = cxi_arena_strdup(L->A, given);
    } else {
        size_t dl = strlen(dir);
        path = cxi_arena_alloc(L->A, dl + 16);
        if (path) snprintf(path, dl + 16, "%s%sdecisions.csv", dir, dl && dir[dl - 1] == '/' ? "" : "/");
        struct stat sb;
        if (path && stat(path, &sb) != 0 && errno == ENOENT) return;
    }
    if (!path) {
        cxi_ld_worst(L, CX_ENOMEM);
        return;
    }
    T->path = path;
    uint64_t hash = CXI_FNV_OFFSET;
    cx_status rst = cxi_table_read_hashed(path, L->opts, &T->t, L->diags, &hash);
    cxi_ld_worst(L, rst);
    sc->decisions_path = path;
    snprintf(sc->decisions_hash, sizeof sc->decisions_hash, "%016" PRIx64, hash);
    ordered *sorted = NULL;
    if (T->t.ncols == 0 || rst == CX_ENOMEM || rst == CX_ELIMIT) goto done;
    enum { C_ID, C_TIME, C_KIND, C_REGION, C_TARGET, C_SECTOR, C_VALUE, C_NEEDS, C_TEXT, C_BY, C_N };
    static const colspec spec[C_N] = {
        {"id", NULL, 0},     {"time", "t_offset", 1}, {"kind", "type", 1}, {"region", "country", 0},
        {"target", NULL, 0}, {"sector", NULL, 0},     {"value", NULL, 0},  {"needs", NULL, 0},
        {"text", "message", 0}, {"by", NULL, 0}};
    static const range R_FACTOR = {0, 1, 1, 0, "a factor above 0 and at most 1"};
    int col[C_N];
    if (!cxi_ld_resolve(L, T, spec, C_N, col, NULL)) goto done;
    uint32_t n = T->t.nrows;
    sc->decisions = cxi_ld_zalloc(L, (size_t)(n ? n : 1) * sizeof *sc->decisions);
    if (!sc->decisions) goto done;
    int check_horizon = L->have_start && L->have_horizon;
    int64_t t0 = L->have_start ? sc->params.start_unix : 0;
    const char *knames[CXI_DK_COUNT];
    for (int i = 0; i < CXI_DK_COUNT; i++) knames[i] = cxi_decision_kind_name(i);
    char q[100], q2[100];
    for (unsigned r = 0; r < n; r++) {
        cxi_decision *D = &sc->decisions[sc->ndecisions];
        memset(D, 0, sizeof *D);
        D->line = T->t.row_line[r];
        D->region = D->asset = D->capacity = -1;
        D->sector = -1;
        D->factor = 0.5;
        const char *id = cxi_ld_cell(T, r, col[C_ID]);
        char defid[32];
        snprintf(defid, sizeof defid, "D%u", D->line);
        D->id = cxi_ld_keep(L, id[0] ? id : defid);
        D->target = cxi_ld_keep(L, cxi_ld_cell(T, r, col[C_TARGET]));
        D->value = cxi_ld_keep(L, cxi_ld_cell(T, r, col[C_VALUE]));
        D->text = cxi_ld_keep(L, cxi_ld_cell(T, r, col[C_TEXT]));
        D->by = cxi_ld_keep(L, cxi_ld_cell(T, r, col[C_BY]));
        const char *ts = cxi_ld_cell(T, r, col[C_TIME]);
        if (!ts[0]) {
            cxi_ld_rowerr(L, T, r, col[C_TIME], "missing value (expected a time such as T+6h or "
                          "2024-06-06T07:30Z)");
        } else {
            cxi_parse_err e = {0};
            if (cxi_time_parse(ts, t0, &D->t, &e) != 0) {
                cxi_ld_rowerr(L, T, r, col[C_TIME], "bad time: %s", Q(q, e.msg));
            } else if (check_horizon && D->t > sc->params.horizon) {
                char a[32], b[32];
                cxi_offset_format(D->t, a, sizeof a);
                cxi_offset_format(sc->params.horizon, b, sizeof b);
                cxi_ld_rowerr(L, T, r, col[C_TIME], "decision at %s is after the horizon %s "
                              "(expected a time up to the horizon)", a, b);
            }
        }
        const char *ks = cxi_ld_cell(T, r, col[C_KIND]);
        D->kind = cxi_decision_kind_parse(ks);
        if (!ks[0]) {
            cxi_ld_rowerr(L, T, r, col[C_KIND], "missing value (expected %s)", kinds_expect);
        } else if (D->kind < 0) {
            const char *best = cxi_suggest(ks, knames, CXI_DK_COUNT);
            if (best)
                cxi_ld_rowerr(L, T, r, col[C_KIND], "unknown decision kind '%s' (did you mean "
                              "'%s'?)", Q(q, ks), best);
            else
                cxi_ld_rowerr(L, T, r, col[C_KIND], "unknown decision kind '%s' (expected %s)",
                              Q(q, ks), kinds_expect);
        }
        int k = D->kind;
        const char *rg = cxi_ld_cell(T, r, col[C_REGION]);
        int rbad = 0;
        if (rg[0] && cxi_ld_region_ref(L, T, r, col[C_REGION], 0, &D->region) != 0) {
            D->region = -1;
            rbad = 1;
        }
        const char *kname = cxi_decision_kind_name(k);
        if ((k == CXI_DK_ART222 || k == CXI_DK_UCPM_REQUEST || k == CXI_DK_PREPOSITION ||
             k == CXI_DK_DEPLOY_HYBRID_TEAM || k == CXI_DK_PUBLIC_COMMUNICATION ||
             k == CXI_DK_NOTIFY) && !rg[0])
            cxi_ld_rowerr(L, T, r, col[C_KIND], "a %s decision needs a region (expected a region "
                          "code in 'region')", kname);
        if (cxi_ld_cell(T, r, col[C_NEEDS])[0]) {
            if (k != CXI_DK_UCPM_REQUEST)
                cxi_ld_rowerr(L, T, r, col[C_NEEDS], "'needs' applies only to ucpm_request "
                              "decisions (expected an empty cell)");
            else
                cxi_ld_needs(L, T, r, col[C_NEEDS], &D->needs);
        }
        const char *sec = cxi_ld_cell(T, r, col[C_SECTOR]);
        if (sec[0] && k != CXI_DK_REPAIR_PRIORITY)
            cxi_ld_rowerr(L, T, r, col[C_SECTOR], "'sector' applies only to repair_priority "
                          "decisions (expected an empty cell)");
        switch (k) {
        case CXI_DK_IPCR_SET:
            if (!D->value[0])
                cxi_ld_rowerr(L, T, r, col[C_KIND], "ipcr_set decision '%s' has no mode (expected "
                              "'value': inactive, monitoring, information_sharing, full or "
                              "closed)", Q(q, D->id));
            else
                cxi_ld_ipcr_mode(L, T, r, col[C_VALUE], &D->mode);
            break;
        case CXI_DK_ACCEPT_OFFER:
        case CXI_DK_DECLINE_OFFER:
            if (!D->target[0])
                cxi_ld_rowerr(L, T, r, col[C_KIND], "a %s decision needs a 'target' (expected a "
                              "unit such as DE-USAR#1, a capacity id or a request id)", kname);
            else if (L->capacities_ok && !offer_target_known(sc, T, col[C_ID], D->target))
                cxi_ld_rowerr(L, T, r, col[C_TARGET], "unknown offer target '%s' (expected a "
                              "unit 'capacity#k', a capacity id from capacities.csv or a request "
                              "id: a request inject, a ucpm_request decision or "
                              "'<hazard id>/request')", Q(q, D->target));
            break;
        case CXI_DK_PREPOSITION: {
            uint32_t c = 0;
            if (!D->target[0])
                cxi_ld_rowerr(L, T, r, col[C_KIND], "a preposition decision needs a 'target' "
                              "(expected a capacity id from capacities.csv)");
            else if (cxi_ld_capacity_ref(L, T, r, col[C_TARGET], &c) == 0)
                D->capacity = (int32_t)c;
            break;
        }
        case CXI_DK_REPAIR_PRIORITY: {
            int has_t = D->target[0] != 0;
            if (has_t) {
                int32_t a = cxi_scenario_asset_index(sc, D->target);
                if (a < 0) {
                    const char *cand[512];
                    uint32_t m = sc->nassets < 512 ? sc->nassets : 512;
                    for (uint32_t i = 0; i < m; i++) cand[i] = sc->assets[i].id;
                    const char *best = cxi_suggest(D->target, cand, m);
                    if (best)
                        cxi_ld_rowerr(L, T, r, col[C_TARGET], "unknown asset '%s' (did you mean "
                                      "'%s'?)", Q(q, D->target), Q(q2, best));
                    else
                        cxi_ld_rowerr(L, T, r, col[C_TARGET], "unknown asset '%s' (expected an "
                                      "id from assets.csv)", Q(q, D->target));
                }
                D->asset = a;
                if (rg[0] || sec[0])
                    cxi_ld_rowerr(L, T, r, col[C_TARGET], "repair_priority decision '%s' has "
                                  "both a target asset and a region/sector (expected one of "
                                  "them)", Q(q, D->id));
            } else if (!rg[0] || !sec[0]) {
                if (!rbad)
                    cxi_ld_rowerr(L, T, r, col[C_KIND], "repair_priority decision '%s' has no "
                                  "target (expected an asset in 'target', or 'region' and "
                                  "'sector')", Q(q, D->id));
            }
            if (sec[0] && cxi_ld_sector_cell(L, T, r, col[C_SECTOR], &D->sector) != 0)
                D->sector = -1;
            if (D->value[0]) cxi_ld_get_num(L, T, r, col[C_VALUE], 0, 0.5, &R_FACTOR, &D->factor);
            break;
        }
        case CXI_DK_PUBLIC_COMMUNICATION:
        case CXI_DK_NOTE:
            if (!D->text[0])
                cxi_ld_rowerr(L, T, r, col[C_TEXT] >= 0 ? col[C_TEXT] : col[C_KIND],
                              "missing text (a %s decision needs 'text')", kname);
            break;
        case CXI_DK_NOTIFY:
            if (!D->value[0] && !D->target[0])
                cxi_ld_rowerr(L, T, r, col[C_KIND], "notify decision '%s' names no notification "
                              "(expected 'value' such as nis2_early_warning, nis2_notification, "
                              "nis2_final_report or cer_first_notice)", Q(q, D->id));
            break;
        default: break;
        }
        sc->ndecisions++;
    }
    sorted = malloc((sc->ndecisions ? sc->ndecisions : 1) * sizeof *sorted);
    if (!sorted) {
        cxi_ld_worst(L, CX_ENOMEM);
        goto done;
    }
    for (uint32_t i = 0; i < sc->ndecisions; i++) sorted[i] = (ordered){sc->decisions[i], i};
    qsort(sorted, sc->ndecisions, sizeof *sorted, cmp_decision);
    for (uint32_t i = 0; i < sc->ndecisions; i++) sc->decisions[i] = sorted[i].d;
done:
    free(sorted);
    cxi_table_free(&T->t);
}

const char *cx_scenario_decisions_path(const cx_scenario *sc) {
    return sc && sc->decisions_path ? sc->decisions_path : "";
}
const char *cx_scenario_decisions_hash(const cx_scenario *sc) { return sc ? sc->decisions_hash : ""; }
size_t cx_scenario_decisions_count(const cx_scenario *sc) { return sc ? sc->ndecisions : 0; }
