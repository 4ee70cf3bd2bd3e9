/* test_ipcr.c — IPCR modes: Art. 222 at once, the member-state, population and blueprint rules
 * after the decision delay, manual policy ignoring rules, closing when nothing is affected, the
 * ISAA / roundtable cadence and the opt-in cross-border failure rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "scenario_builder.h"

#define H SB_H
#define D (24 * SB_H)

static cx_scenario *base(int policy) {
    cx_scenario *sc = sb_new("ipcr", 30 * D);
    sb_response_zero(sc);
    sc->params.ipcr_policy = policy;
    sc->params.ipcr_decision_delay = sb_fixed(5 * H);
    sc->params.ucpm_policy = CX_POLICY_MANUAL;
    for (int i = 0; i < 4; i++) {
        char code[4] = {(char)('A' + i), 0};
        sb_region(sc, code, 0, i, 1000);
    }
    return sc;
}

static const sb_rec *ipcr_rec(const sb_log *l, const char *state, const char *text, size_t nth) {
    for (size_t i = 0; i < l->n; i++)
        if (l->r[i].kind == CX_REC_IPCR && !strcmp(l->r[i].state, state) &&
            !strcmp(l->r[i].text, text) && nth-- == 0)
            return &l->r[i];
    return NULL;
}

static cx_time at(const sb_log *l, const char *state, const char *text, size_t nth) {
    const sb_rec *r = ipcr_rec(l, state, text, nth);
    return r ? r->t : -1;
}

static sb_log run(cx_scenario *sc) {
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    cx_sim_destroy(sim);
    if (getenv("IPCR_DEBUG"))
        for (size_t i = 0; i < log.n; i++)
            print_message("%lld %d %s %s %s %s\n", (long long)log.r[i].t, (int)log.r[i].kind,
                          log.r[i].entity, log.r[i].state, log.r[i].region, log.r[i].text);
    return log;
}

static void test_ipcr_art222_is_full_at_once_with_cadence(void **state) {
    (void)state;
    cx_scenario *sc = base(CX_POLICY_MANUAL);
    cx_inject *j = sb_inject(sc, "art", 5 * H, CX_INJECT_ART222);
    j->at_region = 1;
    sb_log log = run(sc);
    assert_int_equal(at(&log, "full", "", 0), 5 * H);
    assert_string_equal(ipcr_rec(&log, "full", "", 0)->region, "B");
    assert_int_equal(at(&log, "full", "ISAA report 1", 0), 5 * H);
    assert_int_equal(at(&log, "full", "ISAA report 2", 0), 5 * H + 3 * D + 12 * H);
    assert_int_equal(at(&log, "full", "ISAA report 3", 0), 5 * H + 7 * D);
    assert_int_equal(at(&log, "full", "roundtable 1", 0), 5 * H);
    assert_int_equal(at(&log, "full", "roundtable 2", 0), 5 * H + 2 * D);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ipcr_manual_policy_ignores_rules(void **state) {
    (void)state;
    cx_scenario *sc = base(CX_POLICY_MANUAL);
    for (uint32_t r = 0; r < 3; r++) {
        char id[8] = {'h', (char)('0' + r), 0};
        sb_need_inject(sc, id, 0, CX_INJECT_HAZARD, r, CX_NEED_USAR, 100);
    }
    sb_log log = run(sc);
    assert_int_equal(sb_log_count(&log, CX_REC_IPCR, NULL), 0);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ipcr_ipcr_inject_sets_the_mode(void **state) {
    (void)state;
    cx_scenario *sc = base(CX_POLICY_MANUAL);
    cx_inject *j = sb_inject(sc, "pres", 2 * H, CX_INJECT_IPCR);
    j->ipcr_mode = CX_IPCR_INFO_SHARING;
    j->at_region = -1;
    sb_log log = run(sc);
    assert_int_equal(at(&log, "information_sharing", "", 0), 2 * H);
    assert_int_equal(at(&log, "information_sharing", "ISAA report 1", 0), 2 * H);
    assert_int_equal(at(&log, "information_sharing", "ISAA report 2", 0), 2 * H + 7 * D);
    assert_null(ipcr_rec(&log, "information_sharing", "roundtable 1", 0));
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ipcr_member_states_affected_escalate_after_decision_delay(void **state) {
    (void)state;
    cx_scenario *sc = base(CX_POLICY_AUTO);
    sb_need_inject(sc, "h0", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 100);
    sb_need_inject(sc, "h1", 10 * H, CX_INJECT_HAZARD, 1, CX_NEED_USAR, 100);
    sb_need_inject(sc, "h2", 20 * H, CX_INJECT_HAZARD, 2, CX_NEED_USAR, 100);
    sb_log log = run(sc);
    assert_int_equal(at(&log, "monitoring", "", 0), 5 * H);
    assert_int_equal(at(&log, "information_sharing", "", 0), 15 * H);
    assert_int_equal(at(&log, "full", "", 0), 25 * H);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ipcr_third_countries_do_not_count(void **state) {
    (void)state;
    cx_scenario *sc = base(CX_POLICY_AUTO);
    sc->regions[0].kind = CX_REGION_THIRD;
    sb_need_inject(sc, "h0", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 100);
    sb_log log = run(sc);
    assert_int_equal(sb_log_count(&log, CX_REC_IPCR, NULL), 0);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ipcr_population_without_service_triggers_full(void **state) {
    (void)state;
    cx_scenario *sc = base(CX_POLICY_AUTO);
    sc->regions[0].kind = CX_REGION_THIRD; /* the outage alone, not the member count, decides */
    uint32_t a = sb_asset(sc, "grid", CX_SECTOR_POWER, 0, 2e6);
    sb_capacity(sc, "B-x", 1, CX_NEED_USAR, 1); /* switches the response models on */
    sb_on_asset(sc, "cut", 1 * H, CX_INJECT_DISABLE, a, 1);
    sb_log log = run(sc);
    assert_int_equal(at(&log, "full", "", 0), 6 * H);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ipcr_blueprint_trigger(void **state) {
    (void)state;
    cx_scenario *sc = base(CX_POLICY_AUTO);
    sc->params.blueprint_ms = 2;
    sc->params.ipcr_monitoring_at = sc->params.ipcr_info_sharing_at = sc->params.ipcr_full_at = 10;
    uint32_t a0 = sb_asset(sc, "g0", CX_SECTOR_POWER, 0, 10);
    uint32_t a1 = sb_asset(sc, "g1", CX_SECTOR_POWER, 1, 10);
    sb_capacity(sc, "B-x", 1, CX_NEED_USAR, 1);
    sb_on_asset(sc, "c0", 0, CX_INJECT_DISABLE, a0, 1);
    sb_on_asset(sc, "c1", 2 * H, CX_INJECT_DISABLE, a1, 1);
    sb_log log = run(sc);
    assert_int_equal(at(&log, "full", "", 0), 7 * H);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ipcr_deescalates_and_closes(void **state) {
    (void)state;
    cx_scenario *sc = base(CX_POLICY_AUTO);
    sc->params.ipcr_close_after = 2 * D;
    uint32_t a0 = sb_asset(sc, "g0", CX_SECTOR_POWER, 0, 10);
    uint32_t a1 = sb_asset(sc, "g1", CX_SECTOR_POWER, 1, 10);
    sb_capacity(sc, "B-x", 1, CX_NEED_USAR, 1);
    sb_on_asset(sc, "c0", 0, CX_INJECT_DISABLE, a0, 1);
    sb_on_asset(sc, "c1", 0, CX_INJECT_DISABLE, a1, 1);
    sb_on_asset(sc, "r1", 1 * D, CX_INJECT_RESTORE, a1, 1);
    sb_on_asset(sc, "r0", 2 * D, CX_INJECT_RESTORE, a0, 1);
    sb_log log = run(sc);
    assert_int_equal(at(&log, "information_sharing", "", 0), 5 * H);
    assert_int_equal(at(&log, "monitoring", "", 0), 1 * D + 5 * H);
    assert_int_equal(at(&log, "closed", "", 0), 4 * D);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

/* A in region A feeds B in region B: B fails 1h after A is cut, a cross-border failure. */
static sb_log cross_border_run(uint32_t xb_at) {
    cx_scenario *sc = base(CX_POLICY_AUTO);
    sc->params.ipcr_info_sharing_at = sc->params.ipcr_full_at = sc->params.blueprint_ms = 10;
    sc->params.ipcr_cross_border_at = xb_at;
    uint32_t a0 = sb_asset(sc, "g0", CX_SECTOR_POWER, 0, 10);
    uint32_t a1 = sb_asset(sc, "g1", CX_SECTOR_POWER, 1, 10);
    sb_link(sc, a0, a1, 0.5, 1, sb_fixed(1 * H), sb_fixed(0));
    sb_capacity(sc, "B-x", 1, CX_NEED_USAR, 1);
    sb_need_inject(sc, "h2", 0, CX_INJECT_HAZARD, 2, CX_NEED_USAR, 100);
    sb_on_asset(sc, "c0", 10 * H, CX_INJECT_DISABLE, a0, 1);
    sb_log log = run(sc);
    cx_scenario_destroy(sc);
    return log;
}

static void test_ipcr_cross_border_failures_escalate_to_information_sharing(void **state) {
    (void)state;
    sb_log log = cross_border_run(1);
    assert_int_equal(at(&log, "monitoring", "", 0), 5 * H);
    assert_int_equal(at(&log, "information_sharing", "", 0), 11 * H + 5 * H);
    assert_null(ipcr_rec(&log, "full", "", 0));
    sb_log_free(&log);
}

static void test_ipcr_cross_border_rule_is_off_by_default_and_counts(void **state) {
    (void)state;
    sb_log off = cross_border_run(0), two = cross_border_run(2);
    assert_int_equal(at(&off, "monitoring", "", 0), 5 * H);
    assert_null(ipcr_rec(&off, "information_sharing", "", 0));
    assert_int_equal(at(&two, "monitoring", "", 0), 5 * H);
    assert_null(ipcr_rec(&two, "information_sharing", "", 0)); /* one failure is below 2 */
    sb_log_free(&off);
    sb_log_free(&two);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipcr_art222_is_full_at_once_with_cadence),
        cmocka_unit_test(test_ipcr_manual_policy_ignores_rules),
        cmocka_unit_test(test_ipcr_ipcr_inject_sets_the_mode),
        cmocka_unit_test(test_ipcr_member_states_affected_escalate_after_decision_delay),
        cmocka_unit_test(test_ipcr_third_countries_do_not_count),
        cmocka_unit_test(test_ipcr_population_without_service_triggers_full),
        cmocka_unit_test(test_ipcr_blueprint_trigger),
        cmocka_unit_test(test_ipcr_deescalates_and_closes),
        cmocka_unit_test(test_ipcr_cross_border_failures_escalate_to_information_sharing),
        cmocka_unit_test(test_ipcr_cross_border_rule_is_off_by_default_and_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
