/* iim.c — sector-level dynamic inoperability input-output model (DIIM, Lian & Haimes 2006) on
 * (sector, region) nodes: q(t+Δ) = q(t) + K [A* q(t) + c*(t) − q(t)], stepped every iim_step.
 * Invariant: q stays in [0,1]; c* is sampled after a step and used by the next one, so a step at
 * t only uses what was known at the previous step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/sim_int.h"

/* Records are emitted when a node moved at least this much since its last record. */
#define IIM_EMIT_DELTA 1e-4

static double *dalloc(cxi_arena *a, size_t n) {
    double *p = cxi_arena_alloc(a, (n ? n : 1) * sizeof *p);
    if (p) memset(p, 0, (n ? n : 1) * sizeof *p);
    return p;
}

cx_status cxi_iim_init(cxi_iim *m, cxi_arena *arena, uint32_t n, size_t nnz, const uint32_t *rows,
                       const uint32_t *cols, const double *vals) {
    memset(m, 0, sizeof *m);
    for (size_t e = 0; e < nnz; e++)
        if (rows[e] >= n || cols[e] >= n || !isfinite(vals[e])) return CX_EINVAL;
    if (nnz > UINT32_MAX || n == UINT32_MAX) return CX_ELIMIT;
    m->n = n;
    m->row_start = cxi_arena_alloc(arena, ((size_t)n + 1) * sizeof *m->row_start);
    m->col = cxi_arena_alloc(arena, (nnz ? nnz : 1) * sizeof *m->col);
    m->val = dalloc(arena, nnz);
    m->k = dalloc(arena, n);
    m->q = dalloc(arena, n);
    m->c = dalloc(arena, n);
    m->tmp = dalloc(arena, n);
    if (!m->row_start || !m->col || !m->val || !m->k || !m->q || !m->c || !m->tmp) return CX_ENOMEM;
    memset(m->row_start, 0, ((size_t)n + 1) * sizeof *m->row_start);
    for (size_t e = 0; e < nnz; e++) m->row_start[rows[e] + 1]++;
    for (uint32_t i = 0; i < n; i++) m->row_start[i + 1] += m->row_start[i];
    /* rows keep the input order of their coefficients: tmp serves as the fill cursor */
    for (uint32_t i = 0; i < n; i++) m->tmp[i] = m->row_start[i];
    for (size_t e = 0; e < nnz; e++) {
        uint32_t pos = (uint32_t)m->tmp[rows[e]];
        m->tmp[rows[e]] = pos + 1.0;
        m->col[pos] = cols[e];
        m->val[pos] = vals[e];
    }
    memset(m->tmp, 0, (size_t)(n ? n : 1) * sizeof *m->tmp);
    for (uint32_t i = 0; i < n; i++) m->k[i] = 1.0;
    return CX_OK;
}

static double row_dot(const cxi_iim *m, uint32_t i, const double *x) {
    double s = 0;
    for (uint32_t e = m->row_start[i]; e < m->row_start[i + 1]; e++) s += m->val[e] * x[m->col[e]];
    return s;
}

/* The next q into out (distinct from m->q), clamped to [0,1]. */
static void step_into(const cxi_iim *m, double *out) {
    for (uint32_t i = 0; i < m->n; i++) {
        double v = m->q[i] + m->k[i] * (row_dot(m, i, m->q) + m->c[i] - m->q[i]);
        out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
}

void cxi_iim_step(cxi_iim *m) {
    step_into(m, m->tmp);
    memcpy(m->q, m->tmp, (size_t)m->n * sizeof *m->q);
}

cx_status cxi_iim_steady(cxi_iim *m, double tol, unsigned max_iter, double *out, unsigned *iters) {
    memcpy(out, m->c, (size_t)m->n * sizeof *out);
    for (unsigned it = 1; it <= max_iter; it++) {
        double diff = 0;
        for (uint32_t i = 0; i < m->n; i++) {
            m->tmp[i] = row_dot(m, i, out) + m->c[i];
            double d = fabs(m->tmp[i] - out[i]);
            if (d > diff) diff = d;
        }
        memcpy(out, m->tmp, (size_t)m->n * sizeof *out);
        if (!isfinite(diff)) break;
        if (diff < tol) {
            if (iters) *iters = it;
            return CX_OK;
        }
    }
    if (iters) *iters = max_iter;
    return CX_ERUNTIME;
}

/* ---- the sector model inside a simulation -------------------------------------------------- */

static uint32_t node_of(int sector, uint32_t region) {
    return region * CX_SECTOR_COUNT + (uint32_t)sector;
}

/* (sector, region) pairs a sector-level inject reaches: both may be "all" (-1). */
static void mark_targets(const cx_scenario *sc, const cx_inject *j, uint8_t *in_set) {
    for (uint32_t r = 0; r < sc->nregions; r++) {
        if (j->region >= 0 && (uint32_t)j->region != r) continue;
        for (int s = 0; s < CX_SECTOR_COUNT; s++)
            if (j->sector < 0 || j->sector == s) in_set[node_of(s, r)] = 1;
    }
}

cx_status cxi_sim_iim_init(cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    sim->iim_on = sc->params.mode != CX_MODEL_ASSETS;
    if (!sim->iim_on) return CX_OK;
    uint32_t n = sc->nregions * CX_SECTOR_COUNT;
    size_t nc = sc->ncouplings;
    uint32_t *rows = malloc((nc ? nc : 1) * sizeof *rows);
    uint32_t *cols = malloc((nc ? nc : 1) * sizeof *cols);
    double *vals = malloc((nc ? nc : 1) * sizeof *vals);
    cx_status st = CX_ENOMEM;
    if (rows && cols && vals) {
        for (size_t i = 0; i < nc; i++) {
            const cx_iim_coupling *c = &sc->couplings[i];
            rows[i] = node_of((int)c->sector, c->region);
            cols[i] = node_of((int)c->on_sector, c->on_region);
            vals[i] = c->coefficient;
        }
        st = cxi_iim_init(&sim->iim, &sim->arena, n, nc, rows, cols, vals);
    }
    free(rows);
    free(cols);
    free(vals);
    if (st != CX_OK) return st;
    sim->iim_extra = dalloc(&sim->arena, n);
    sim->iim_den = dalloc(&sim->arena, n);
    sim->iim_last = dalloc(&sim->arena, n);
    sim->iim_int = dalloc(&sim->arena, n);
    sim->iim_t = cxi_arena_alloc(&sim->arena, (n ? n : 1) * sizeof *sim->iim_t);
    sim->iim_in_set = cxi_arena_alloc(&sim->arena, n ? n : 1);
    if (!sim->iim_extra || !sim->iim_den || !sim->iim_last || !sim->iim_int || !sim->iim_t ||
        !sim->iim_in_set)
        return CX_ENOMEM;
    memset(sim->iim_t, 0, (n ? n : 1) * sizeof *sim->iim_t);
    memset(sim->iim_in_set, 0, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        sim->iim.k[i] = sc->params.iim_resilience[i % CX_SECTOR_COUNT];
        if (sim->pair_nassets[i]) sim->iim_in_set[i] = 1;
    }
    for (uint32_t a = 0; a < sc->nassets; a++)
        sim->iim_den[node_of(sc->assets[a].sector, sc->assets[a].region)] += sc->assets[a].population;
    for (uint32_t i = 0; i < n; i++) /* no population: unweighted mean */
        if (!(sim->iim_den[i] > 0)) sim->iim_den[i] = -(double)sim->pair_nassets[i];
    for (uint32_t i = 0; i < sc->ncouplings; i++) {
        const cx_iim_coupling *c = &sc->couplings[i];
        sim->iim_in_set[node_of((int)c->sector, c->region)] = 1;
        sim->iim_in_set[node_of((int)c->on_sector, c->on_region)] = 1;
    }
    for (uint32_t i = 0; i < sc->ninjects; i++)
        if (sc->injects[i].target_kind == CX_TARGET_SECTOR &&
            sc->injects[i].kind != CX_INJECT_MESSAGE)
            mark_targets(sc, &sc->injects[i], sim->iim_in_set);
    return CX_OK;
}

void cxi_sim_iim_inject(cx_sim *sim, const cx_inject *j) {
    const cx_scenario *sc = sim->sc;
    if (!sim->iim_on || j->target_kind != CX_TARGET_SECTOR) return;
    for (uint32_t r = 0; r < sc->nregions; r++) {
        if (j->region >= 0 && (uint32_t)j->region != r) continue;
        for (int s = 0; s < CX_SECTOR_COUNT; s++) {
            uint32_t i = node_of(s, r);
            if ((j->sector >= 0 && j->sector != s) || sim->pair_nassets[i]) continue;
            double m = j->magnitude < 0 ? 0 : j->magnitude > 1 ? 1 : j->magnitude;
            switch (j->kind) {
            case CX_INJECT_DAMAGE:
                if (m > sim->iim_extra[i]) sim->iim_extra[i] = m;
                break;
            case CX_INJECT_DISABLE: sim->iim_extra[i] = 1; break;
            case CX_INJECT_RESTORE: sim->iim_extra[i] = 0; break;
            default: break;
            }
        }
    }
}

/* c*(s,r): population-weighted mean direct damage of the pair's assets (unweighted when they
 * serve nobody), or the value held by sector-level injects when the pair has no assets. */
static void sample_c(cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    cxi_iim *m = &sim->iim;
    memcpy(m->c, sim->iim_extra, (size_t)m->n * sizeof *m->c);
    for (uint32_t a = 0; a < sc->nassets; a++) {
        if (sim->as[a].d == 0) continue;
        uint32_t i = node_of(sc->assets[a].sector, sc->assets[a].region);
        double den = sim->iim_den[i], d = (double)sim->as[a].d / CXI_Q_FULL;
        m->c[i] += den > 0 ? sc->assets[a].population * d / den : d / -den;
    }
}

cx_status cxi_sim_iim_on_step(cx_sim *sim, cx_time t) {
    const cx_scenario *sc = sim->sc;
    cxi_iim *m = &sim->iim;
    cx_status st = CX_OK;
    if (sim->iim_have_c) {
        step_into(m, m->tmp); /* not in place: the integrals need the old values */
        for (uint32_t i = 0; i < m->n && st == CX_OK; i++) {
            double q = m->tmp[i];
            if (q == m->q[i]) continue;
            cxi_metrics_on_iim(sim, i, t, m->q[i]);
            m->q[i] = q;
            double last = sim->iim_last[i];
            if (fabs(q - last) >= IIM_EMIT_DELTA || ((q == 0 || q == 1) && q != last)) {
                sim->iim_last[i] = q;
                int s = (int)(i % CX_SECTOR_COUNT);
                const char *sector = cxi_sector_name(s);
                cx_record r = {t, CX_REC_SECTOR, sector, sc->regions[i / CX_SECTOR_COUNT].code,
                               sector, "", q, "", 0, 0, ""};
                st = cxi_sim_emit(sim, &r);
            }
        }
        if (st != CX_OK) return st;
    }
    sample_c(sim);
    sim->iim_have_c = 1;
    cxi_payload p = {sim->ev_iim, 0, 0, 0, 0};
    return cxi_sim_schedule_in(sim, t, sc->params.iim_step, &p, NULL);
}

double cxi_sim_iim_q(const cx_sim *sim, int sector, uint32_t region) {
    if (!sim->iim_on || sector < 0 || sector >= CX_SECTOR_COUNT || region >= sim->sc->nregions)
        return 0;
    return sim->iim.q[node_of(sector, region)];
}
