/* test_incident.c — needs dynamics of an incident in closed form: firefighting grows while nobody
 * works on it, USAR need decays with its half-life, pumping recedes linearly over the duration. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "scenario_builder.h"

#define H SB_H

static double unmet(const cx_scenario *sc, const char *need, sb_log *log) {
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, log, &st);
    assert_int_equal(st, CX_OK);
    const cx_metric *m;
    size_t n;
    assert_int_equal(cx_sim_metrics(sim, &m, &n), CX_OK);
    double v = NAN;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(m[i].name, "unmet_need_hours") && !strcmp(m[i].sector, need)) v = m[i].value;
    cx_sim_destroy(sim);
    return v;
}

static cx_scenario *base(cx_time horizon) {
    cx_scenario *sc = sb_new("incident", horizon);
    sc->params.ucpm_policy = CX_POLICY_MANUAL;
    sc->params.ipcr_policy = CX_POLICY_MANUAL;
    sb_region(sc, "A", 0, 0, 0);
    return sc;
}

static void test_incident_firefighting_grows_while_unmet(void **state) {
    (void)state;
    cx_scenario *sc = base(10 * H);
    sb_need_inject(sc, "fire", 0, CX_INJECT_HAZARD, 0, CX_NEED_FIREFIGHTING, 10);
    sb_log log = {0};
    double v = unmet(sc, "firefighting", &log);
    assert_true(fabs(v - 10 * (exp(0.2) - 1) / 0.02) < 1e-6);
    assert_int_equal(sb_log_count(&log, CX_REC_INCIDENT, "fire"), 1);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_incident_usar_need_decays_with_half_life(void **state) {
    (void)state;
    cx_scenario *sc = base(72 * H);
    sb_need_inject(sc, "quake", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 8);
    sb_log log = {0};
    double v = unmet(sc, "usar", &log);
    assert_true(fabs(v - 8 * 72 / M_LN2 * 0.5) < 1e-6);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_incident_pumping_recedes_over_the_duration(void **state) {
    (void)state;
    cx_scenario *sc = base(20 * H);
    cx_inject *j = sb_need_inject(sc, "flood", 0, CX_INJECT_HAZARD, 0, CX_NEED_PUMPING, 10);
    j->duration = 10 * H;
    sb_log log = {0};
    double v = unmet(sc, "pumping", &log);
    assert_true(fabs(v - 50) < 1e-6);
    const sb_rec *r = sb_log_last(&log, CX_REC_INCIDENT, "flood");
    assert_string_equal(r->state, "closed");
    assert_int_equal(r->t, 10 * H);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_incident_hazard_with_target_damages_the_asset(void **state) {
    (void)state;
    cx_scenario *sc = base(5 * H);
    uint32_t a = sb_asset(sc, "grid", CX_SECTOR_POWER, 0, 100);
    cx_inject *j = sb_need_inject(sc, "storm", H, CX_INJECT_HAZARD, 0, CX_NEED_POWER_SUPPLY, 1);
    j->target_kind = CX_TARGET_ASSET;
    j->asset = a;
    j->magnitude = 0.5;
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    const sb_rec *r = sb_log_find(&log, CX_REC_ASSET, "grid", 0);
    assert_non_null(r);
    assert_int_equal(r->t, H);
    assert_true(fabs(r->value - 0.5) < 1e-9);
    const sb_rec *in = sb_log_find(&log, CX_REC_INJECT, "storm", 0);
    assert_string_equal(in->state, "hazard");
    assert_string_equal(in->region, "A");
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incident_firefighting_grows_while_unmet),
        cmocka_unit_test(test_incident_usar_need_decays_with_half_life),
        cmocka_unit_test(test_incident_pumping_recedes_over_the_duration),
        cmocka_unit_test(test_incident_hazard_with_target_damages_the_asset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
