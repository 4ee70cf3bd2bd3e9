/* test_iim.c — the sector input-output model against its closed forms: steady state
 * q = (I − A*)⁻¹ c* (solved with GSL's LU), one DIIM step, geometric recovery (1 − K)^(t/Δ), and the
 * same inside a simulation (sector-level injects, population-weighted c*). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "model/sim_int.h"
#include "scenario_builder.h"

/* Solves (I − A) x = c densely with GSL LU: the oracle. A given as triplets. */
static void lu_solve(uint32_t n, size_t nnz, const uint32_t *rows, const uint32_t *cols,
                     const double *vals, const double *c, double *x) {
    gsl_matrix *m = gsl_matrix_alloc(n, n);
    gsl_vector *b = gsl_vector_alloc(n), *sol = gsl_vector_alloc(n);
    gsl_permutation *perm = gsl_permutation_alloc(n);
    int sign;
    gsl_matrix_set_identity(m);
    for (size_t e = 0; e < nnz; e++)
        gsl_matrix_set(m, rows[e], cols[e], gsl_matrix_get(m, rows[e], cols[e]) - vals[e]);
    for (uint32_t i = 0; i < n; i++) gsl_vector_set(b, i, c[i]);
    assert_int_equal(gsl_linalg_LU_decomp(m, perm, &sign), 0);
    assert_int_equal(gsl_linalg_LU_solve(m, perm, b, sol), 0);
    for (uint32_t i = 0; i < n; i++) x[i] = gsl_vector_get(sol, i);
    gsl_permutation_free(perm);
    gsl_vector_free(b);
    gsl_vector_free(sol);
    gsl_matrix_free(m);
}

static void test_steady_state_matches_lu_solution(void **state) {
    (void)state;
    /* 6 sectors, row sums <= 0.75, with a cycle (0 -> 1 -> 2 -> 0) and a duplicate entry */
    const uint32_t rows[] = {1, 2, 0, 3, 3, 4, 5, 5, 5, 1};
    const uint32_t cols[] = {0, 1, 2, 0, 4, 3, 0, 1, 2, 0};
    const double vals[] = {0.4, 0.5, 0.3, 0.2, 0.35, 0.6, 0.25, 0.25, 0.2, 0.1};
    const double c[] = {0.3, 0.0, 0.1, 0.0, 0.05, 0.2};
    const size_t nnz = sizeof vals / sizeof vals[0];
    cxi_arena arena;
    cxi_arena_init(&arena);
    cxi_iim m;
    assert_int_equal(cxi_iim_init(&m, &arena, 6, nnz, rows, cols, vals), CX_OK);
    memcpy(m.c, c, sizeof c);
    double got[6], want[6];
    unsigned iters = 0;
    assert_int_equal(cxi_iim_steady(&m, 1e-13, 100000, got, &iters), CX_OK);
    lu_solve(6, nnz, rows, cols, vals, c, want);
    for (int i = 0; i < 6; i++) {
        assert_true(fabs(got[i] - want[i]) < 1e-6);
        assert_true(fabs(got[i] - want[i]) < 1e-10); /* in fact far closer */
    }
    assert_true(want[0] > c[0]); /* the loop amplifies */
    assert_true(iters > 1);
    cxi_arena_free(&arena);
}

static void test_steady_state_reports_divergence(void **state) {
    (void)state;
    const uint32_t rows[] = {0, 1}, cols[] = {1, 0};
    const double vals[] = {1.0, 1.0}; /* spectral radius 1: no steady state */
    cxi_arena arena;
    cxi_arena_init(&arena);
    cxi_iim m;
    assert_int_equal(cxi_iim_init(&m, &arena, 2, 2, rows, cols, vals), CX_OK);
    m.c[0] = 0.1;
    double out[2];
    assert_int_equal(cxi_iim_steady(&m, 1e-12, 1000, out, NULL), CX_ERUNTIME);
    const uint32_t bad_rows[] = {2};
    assert_int_equal(cxi_iim_init(&m, &arena, 2, 1, bad_rows, cols, vals), CX_EINVAL);
    cxi_arena_free(&arena);
}

static void test_one_step_follows_diim_formula(void **state) {
    (void)state;
    const uint32_t rows[] = {1}, cols[] = {0};
    const double vals[] = {0.5};
    cxi_arena arena;
    cxi_arena_init(&arena);
    cxi_iim m;
    assert_int_equal(cxi_iim_init(&m, &arena, 2, 1, rows, cols, vals), CX_OK);
    m.k[0] = 0.2;
    m.k[1] = 0.4;
    m.q[0] = 0.5;
    m.q[1] = 0.1;
    m.c[0] = 1.0;
    cxi_iim_step(&m);
    assert_true(fabs(m.q[0] - (0.5 + 0.2 * (1.0 - 0.5))) < 1e-15);
    assert_true(fabs(m.q[1] - (0.1 + 0.4 * (0.5 * 0.5 - 0.1))) < 1e-15);
    cxi_arena_free(&arena);
}

static void test_recovery_decays_geometrically(void **state) {
    (void)state;
    cxi_arena arena;
    cxi_arena_init(&arena);
    cxi_iim m;
    assert_int_equal(cxi_iim_init(&m, &arena, 1, 0, NULL, NULL, NULL), CX_OK);
    const double k = 0.15, q0 = 0.8;
    m.k[0] = k;
    m.q[0] = q0;
    for (int step = 1; step <= 40; step++) {
        cxi_iim_step(&m);
        assert_true(fabs(m.q[0] - q0 * pow(1 - k, step)) < 1e-12);
    }
    /* DOMAIN: recovery rate k = ln(q(0)/q(T)) / T, here per step: -ln(1 - K) */
    assert_true(fabs(log(q0 / m.q[0]) / 40 - (-log(1 - k))) < 1e-12);
    cxi_arena_free(&arena);
}

/* ---- inside a simulation --------------------------------------------------------------------- */

static const sb_rec *last_sector(const sb_log *l, const char *sector, const char *region) {
    for (size_t i = l->n; i-- > 0;)
        if (l->r[i].kind == CX_REC_SECTOR && !strcmp(l->r[i].entity, sector) &&
            !strcmp(l->r[i].region, region))
            return &l->r[i];
    return NULL;
}

static void test_sim_converges_to_steady_state(void **state) {
    (void)state;
    cx_scenario *sc = sb_new("iim", 600 * SB_H);
    sc->params.mode = CX_MODEL_IIM;
    for (int s = 0; s < CX_SECTOR_COUNT; s++) sc->params.iim_resilience[s] = 0.3;
    uint32_t de = sb_region(sc, "DE", 51, 10, 0), fr = sb_region(sc, "FR", 47, 2, 0);
    sb_asset(sc, "fr_power", CX_SECTOR_POWER, fr, 1000); /* an undamaged asset: c* = 0 there */
    sb_coupling(sc, CX_SECTOR_TELECOM, de, CX_SECTOR_POWER, de, 0.4);
    sb_coupling(sc, CX_SECTOR_WATER, de, CX_SECTOR_POWER, de, 0.3);
    sb_coupling(sc, CX_SECTOR_POWER, de, CX_SECTOR_TELECOM, de, 0.2);
    sb_coupling(sc, CX_SECTOR_POWER, fr, CX_SECTOR_POWER, de, 0.25);
    sb_coupling(sc, CX_SECTOR_WATER, de, CX_SECTOR_WATER, de, 0.1);
    /* DE has no power asset: the sector-level inject holds c* = 0.6 there until a restore */
    sb_on_sector(sc, "de_grid", 0, CX_INJECT_DAMAGE, CX_SECTOR_POWER, (int32_t)de, 0.6);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    /* oracle over the 28 (sector, region) nodes */
    uint32_t n = 2 * CX_SECTOR_COUNT;
    uint32_t rows[8], cols[8];
    double vals[8], c[2 * CX_SECTOR_COUNT] = {0}, want[2 * CX_SECTOR_COUNT];
    for (uint32_t i = 0; i < sc->ncouplings; i++) {
        rows[i] = sc->couplings[i].region * CX_SECTOR_COUNT + sc->couplings[i].sector;
        cols[i] = sc->couplings[i].on_region * CX_SECTOR_COUNT + sc->couplings[i].on_sector;
        vals[i] = sc->couplings[i].coefficient;
    }
    c[de * CX_SECTOR_COUNT + CX_SECTOR_POWER] = 0.6;
    lu_solve(n, sc->ncouplings, rows, cols, vals, c, want);
    for (uint32_t i = 0; i < n; i++) {
        double got = cxi_sim_iim_q(sim, (int)(i % CX_SECTOR_COUNT), i / CX_SECTOR_COUNT);
        assert_true(fabs(got - want[i]) < 1e-6);
    }
    assert_true(want[de * CX_SECTOR_COUNT + CX_SECTOR_TELECOM] > 0.2);
    /* records follow within the emission step (1e-4) */
    const sb_rec *r = last_sector(&log, "telecom", "DE");
    assert_non_null(r);
    assert_string_equal(r->sector, "telecom");
    assert_true(fabs(r->value - want[de * CX_SECTOR_COUNT + CX_SECTOR_TELECOM]) < 1e-4);
    assert_null(last_sector(&log, "health", "DE"));
    /* metrics: inoperability_hours per pair in the model (couplings, assets, inject targets) */
    const cx_metric *mt;
    size_t nm;
    assert_int_equal(cx_sim_metrics(sim, &mt, &nm), CX_OK);
    size_t pairs = 0;
    double sum = 0, total = -1;
    for (size_t i = 0; i < nm; i++) {
        if (strcmp(mt[i].name, "inoperability_hours")) continue;
        if (!mt[i].sector[0]) total = mt[i].value;
        else pairs++, sum += mt[i].value;
        assert_string_equal(mt[i].unit, "inoperability-hours");
    }
    assert_int_equal(pairs, 4); /* DE power, telecom, water; FR power */
    assert_true(total > 0 && fabs(total - sum) < 1e-9 * total);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_sim_recovery_follows_closed_form(void **state) {
    (void)state;
    const double K = 0.2;
    cx_scenario *sc = sb_new("decay", 40 * SB_H);
    sc->params.mode = CX_MODEL_BOTH;
    sc->params.iim_resilience[CX_SECTOR_GAS] = K;
    uint32_t at = sb_region(sc, "AT", 47.5, 14.5, 0);
    sb_on_sector(sc, "gas_cut", 0, CX_INJECT_DISABLE, CX_SECTOR_GAS, (int32_t)at, 1);
    sb_on_sector(sc, "gas_back", 10 * SB_H, CX_INJECT_RESTORE, CX_SECTOR_GAS, (int32_t)at, 1);
    cx_sim *sim = NULL;
    cx_sim_config cfg = cx_sim_config_default();
    assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
    /* build-up: c* = 1 from t = 0, so q(jΔ) = 1 − (1 − K)^j */
    for (int j = 0; j <= 10; j++) {
        assert_int_equal(cx_sim_run_until(sim, j * SB_H), CX_OK);
        assert_true(fabs(cxi_sim_iim_q(sim, CX_SECTOR_GAS, at) - (1 - pow(1 - K, j))) < 1e-12);
    }
    double qT = cxi_sim_iim_q(sim, CX_SECTOR_GAS, at);
    /* recovery: c* = 0 from 10 h, so q(10h + jΔ) = q(10h) (1 − K)^j */
    for (int j = 1; j <= 30; j++) {
        assert_int_equal(cx_sim_run_until(sim, (10 + j) * SB_H), CX_OK);
        assert_true(fabs(cxi_sim_iim_q(sim, CX_SECTOR_GAS, at) - qT * pow(1 - K, j)) < 1e-12);
    }
    double q40 = cxi_sim_iim_q(sim, CX_SECTOR_GAS, at);
    double rate = log(qT / q40) / (30.0 * SB_H); /* k = ln(q(0)/q(T)) / T, per second */
    assert_true(fabs(rate - (-log(1 - K) / SB_H)) < 1e-15);
    cx_sim_destroy(sim);
    cx_scenario_destroy(sc);
}

static void test_sim_c_star_is_population_weighted_asset_damage(void **state) {
    (void)state;
    for (int weighted = 0; weighted <= 1; weighted++) {
        cx_scenario *sc = sb_new("weights", 3 * SB_H);
        sc->params.mode = CX_MODEL_IIM;
        sc->params.iim_resilience[CX_SECTOR_WATER] = 1.0; /* q(t+Δ) = c*(t) */
        uint32_t nl = sb_region(sc, "NL", 52, 5, 0);
        uint32_t big = sb_asset(sc, "big", CX_SECTOR_WATER, nl, weighted ? 3000 : 0);
        sb_asset(sc, "small", CX_SECTOR_WATER, nl, weighted ? 1000 : 0);
        sc->assets[big].repair = sb_fixed(100 * SB_H);
        sb_on_asset(sc, "pump", 0, CX_INJECT_DAMAGE, big, 0.8);
        cx_sim *sim = NULL;
        assert_int_equal(cx_sim_create(sc, NULL, &sim), CX_OK);
        assert_int_equal(cx_sim_run_until(sim, SB_H), CX_OK);
        double want = weighted ? 0.8 * 3000 / 4000 : 0.8 / 2;
        assert_true(fabs(cxi_sim_iim_q(sim, CX_SECTOR_WATER, nl) - want) < 1e-12);
        cx_sim_destroy(sim);
        cx_scenario_destroy(sc);
    }
}

static void test_assets_mode_has_no_sector_model(void **state) {
    (void)state;
    cx_scenario *sc = sb_new("assets_only", 5 * SB_H);
    uint32_t at = sb_region(sc, "AT", 47.5, 14.5, 0);
    sb_coupling(sc, CX_SECTOR_WATER, at, CX_SECTOR_GAS, at, 0.5);
    sb_on_sector(sc, "gas_cut", 0, CX_INJECT_DISABLE, CX_SECTOR_GAS, (int32_t)at, 1);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(sb_log_count(&log, CX_REC_SECTOR, NULL), 0);
    const cx_metric *mt;
    size_t nm;
    assert_int_equal(cx_sim_metrics(sim, &mt, &nm), CX_OK);
    for (size_t i = 0; i < nm; i++) assert_string_not_equal(mt[i].name, "inoperability_hours");
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

int main(void) {
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steady_state_matches_lu_solution),
        cmocka_unit_test(test_steady_state_reports_divergence),
        cmocka_unit_test(test_one_step_follows_diim_formula),
        cmocka_unit_test(test_recovery_decays_geometrically),
        cmocka_unit_test(test_sim_converges_to_steady_state),
        cmocka_unit_test(test_sim_recovery_follows_closed_form),
        cmocka_unit_test(test_sim_c_star_is_population_weighted_asset_damage),
        cmocka_unit_test(test_assets_mode_has_no_sector_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
