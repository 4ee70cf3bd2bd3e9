/* test_sitrep.c — the situation report of a small built scenario at a known time holds the expected
 * lines (outages by sector, population without service, repairs due, metrics), and is repeatable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/sitrep.h"
#include "model/response.h"
#include "scenario_builder.h"

#define T0_UNIX 1717372800 /* 2024-06-03T00:00:00Z */

/* AA: power plant (1000 people) feeding a water works (500 people); BB untouched.
 * The plant is destroyed at T+1h and repaired after fixed(12h). */
static cx_scenario *small(void) {
    cx_scenario *sc = sb_new("sitrep-small", 48 * 3600);
    sc->params.start_unix = T0_UNIX;
    uint32_t aa = sb_region(sc, "AA", 50, 4, 1e6);
    sb_region(sc, "BB", 51, 5, 1e6);
    uint32_t p = sb_asset(sc, "P1", CX_SECTOR_POWER, aa, 1000);
    uint32_t w = sb_asset(sc, "W1", CX_SECTOR_WATER, aa, 500);
    sb_link(sc, p, w, 0.5, 1, sb_fixed(0), sb_fixed(0));
    sb_on_asset(sc, "J1", 3600, CX_INJECT_DAMAGE, p, 1.0);
    sc->injects[0].move = 1;
    return sc;
}

static char *report(cx_sim *sim, int move, const char *heading) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(cxi_sitrep_write(sim, f, move, heading), CX_OK);
    fclose(f);
    return buf;
}

static void expect_line(const char *text, const char *line) {
    if (!strstr(text, line)) {
        print_error("missing line: '%s'\nin report:\n%s\n", line, text);
        fail();
    }
}

static void test_sitrep_reports_outages_population_and_repairs(void **state) {
    (void)state;
    cx_scenario *sc = small();
    cx_sim *sim = NULL;
    cx_sim_config cfg = cx_sim_config_default();
    assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
    assert_int_equal(cx_sim_run_until(sim, 2 * 3600), CX_OK);
    char *r = report(sim, 1, NULL);
    expect_line(r, "# Situation report\n");
    expect_line(r, "Time: **T+02:00 (2024-06-03 02:00Z)**, move 1\n");
    expect_line(r, "No response model in this scenario (IPCR is not simulated).");
    expect_line(r, "- **AA** (AA): 2 assets out\n");
    expect_line(r, "| power | 1 | 0 | 1 000 |\n");
    expect_line(r, "| water | 1 | 0 | 500 |\n");
    expect_line(r, "Population without service: **1 500**.\n");
    expect_line(r, "- P1 (power, AA): repairing, operability 0.00, repair due T+13:00 (2024-06-03 "
                   "13:00Z)\n");
    expect_line(r, "- W1 (water, AA): failed, operability 0.00\n");
    expect_line(r, "- pop_hours_without_service: 1500 person-hours\n");
    expect_line(r, "- peak_pop_without_service: 1500 persons\n");
    assert_null(strstr(r, "**BB**")); /* untouched regions are not listed */
    free(r);
    cx_sim_destroy(sim);
    cx_scenario_destroy(sc);
}

static void test_sitrep_after_repair_has_no_outage(void **state) {
    (void)state;
    cx_scenario *sc = small();
    cx_sim *sim = NULL;
    cx_sim_config cfg = cx_sim_config_default();
    assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
    assert_int_equal(cx_sim_run_until(sim, 20 * 3600), CX_OK);
    char *r = report(sim, 2, "Situation report: end of move 2");
    expect_line(r, "# Situation report: end of move 2\n");
    expect_line(r, "Time: **T+20:00 (2024-06-03 20:00Z)**, move 2\n");
    expect_line(r, "## Affected regions\n\nNone.\n");
    expect_line(r, "No infrastructure outage.\n");
    expect_line(r, "- pop_hours_without_service: 18000 person-hours\n"); /* 1500 x 12 h */
    free(r);
    cx_sim_destroy(sim);
    cx_scenario_destroy(sc);
}

static void test_sitrep_same_state_same_bytes(void **state) {
    (void)state;
    cx_scenario *sc = small();
    cx_sim *a = NULL, *b = NULL;
    cx_sim_config cfg = cx_sim_config_default();
    assert_int_equal(cx_sim_create(sc, &cfg, &a), CX_OK);
    assert_int_equal(cx_sim_create(sc, &cfg, &b), CX_OK);
    assert_int_equal(cx_sim_run_until(a, 5 * 3600), CX_OK);
    assert_int_equal(cx_sim_run_until(b, 5 * 3600), CX_OK);
    char *ra = report(a, -1, NULL), *rb = report(b, -1, NULL);
    assert_string_equal(ra, rb);
    assert_null(strstr(ra, ", move")); /* move < 0: not shown */
    free(ra);
    free(rb);
    cx_sim_destroy(a);
    cx_sim_destroy(b);
    cx_scenario_destroy(sc);
}

/* The UCPM chain of test_ucpm.c with fixed delays: request at T+6h, offer T+9h, accepted and
 * mobilising T+11h, departs T+14h (readiness 3 h), 60 km at 60 km/h + 30 min handling: on site
 * T+15:30. A second unit whose readiness ends after the horizon. */
static cx_scenario *deployment(void) {
    cx_scenario *sc = sb_new("sitrep-ucpm", 5 * 86400);
    sc->params.start_unix = T0_UNIX;
    sb_response_zero(sc);
    sc->params.ipcr_policy = CX_POLICY_MANUAL;
    sc->params.need_halflife[CX_NEED_USAR] = 0;
    sc->params.rescue_after = sb_fixed(1e7);
    sc->params.ucpm_request_delay = sb_fixed(6 * 3600);
    sc->params.ercc_relay_delay = sb_fixed(3600);
    sc->params.accept_delay = sb_fixed(2 * 3600);
    sb_region(sc, "A", 0, 0, 1000);
    sb_region(sc, "B", 0, 60.0 / (6371.0 * M_PI / 180.0), 1000); /* 60 km east of A */
    uint32_t c = sb_capacity(sc, "B-usar", 1, CX_NEED_USAR, 1);
    sc->capacities[c].pool = CX_POOL_ECPP;
    sc->capacities[c].type = "usar_heavy";
    sc->capacities[c].readiness = sb_fixed(3 * 3600);
    sc->capacities[c].offer_latency = sb_fixed(2 * 3600);
    sc->capacities[c].handling = sb_fixed(30 * 60);
    uint32_t s = sb_capacity(sc, "B-slow", 1, CX_NEED_MEDICAL, 1);
    sc->capacities[s].pool = CX_POOL_ECPP;
    sc->capacities[s].type = "medical_team";
    sc->capacities[s].readiness = sb_fixed(10 * 86400);
    sb_need_inject(sc, "quake", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 5);
    double *v = (double *)sc->injects[0].needs;
    v[CX_NEED_MEDICAL] = 5;
    return sc;
}

static void test_sitrep_gives_departure_arrival_and_on_site_times(void **state) {
    (void)state;
    cx_scenario *sc = deployment();
    cx_sim *sim = NULL;
    cx_sim_config cfg = cx_sim_config_default();
    assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
    assert_int_equal(cx_sim_run_until(sim, 12 * 3600), CX_OK);
    char *r = report(sim, 1, NULL);
    expect_line(r, "- Unit B-usar#1 (usar_heavy, B, ecpp): mobilising for A, departs T+14:00 "
                   "(2024-06-03 14:00Z)\n");
    expect_line(r, "- Unit B-slow#1 (medical_team, B, ecpp): mobilising for A, departs after the "
                   "end of the scenario\n");
    free(r);
    assert_int_equal(cx_sim_run_until(sim, 14 * 3600 + 60), CX_OK);
    r = report(sim, 1, NULL);
    expect_line(r, "- Unit B-usar#1 (usar_heavy, B, ecpp): in transit for A, expected on site "
                   "T+15:30 (2024-06-03 15:30Z)\n");
    free(r);
    assert_int_equal(cx_sim_run_until(sim, 16 * 3600), CX_OK);
    r = report(sim, 1, NULL);
    expect_line(r, "- Unit B-usar#1 (usar_heavy, B, ecpp): operating for A, on site since "
                   "T+15:30 (2024-06-03 15:30Z)\n");
    free(r);
    cx_sim_destroy(sim);
    cx_scenario_destroy(sc);
}

static void test_sitrep_rejects_null_arguments(void **state) {
    (void)state;
    assert_int_equal(cxi_sitrep_write(NULL, stdout, 0, NULL), CX_EINVAL);
}

static void test_sitrep_offset_and_clock_formats(void **state) {
    (void)state;
    char b[40];
    cxi_sitrep_offset(0, b, sizeof b);
    assert_string_equal(b, "T+00:00");
    cxi_sitrep_offset(3661, b, sizeof b);
    assert_string_equal(b, "T+01:01:01");
    cxi_sitrep_offset(168 * 3600 + 30 * 60, b, sizeof b);
    assert_string_equal(b, "T+168:30");
    cxi_sitrep_offset(-7200, b, sizeof b);
    assert_string_equal(b, "T-02:00");
    cxi_sitrep_clock(T0_UNIX + 6 * 3600, b, sizeof b);
    assert_string_equal(b, "2024-06-03 06:00Z");
    cxi_sitrep_clock(T0_UNIX + 5, b, sizeof b);
    assert_string_equal(b, "2024-06-03 00:00:05Z");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sitrep_reports_outages_population_and_repairs),
        cmocka_unit_test(test_sitrep_after_repair_has_no_outage),
        cmocka_unit_test(test_sitrep_same_state_same_bytes),
        cmocka_unit_test(test_sitrep_gives_departure_arrival_and_on_site_times),
        cmocka_unit_test(test_sitrep_rejects_null_arguments),
        cmocka_unit_test(test_sitrep_offset_and_clock_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
