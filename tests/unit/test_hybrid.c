/* test_hybrid.c — hybrid threats: cyber degradation and detection timing, the closed-form trust curve
 * with and without countermeasures, NIS2/CER clocks met and missed, metrics, and the loader's messages
 * for the hybrid kinds, columns and keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "model/hybrid.h"
#include "scenario_builder.h"

#define D (24 * SB_H)

static double metric(cx_sim *sim, const char *name, const char *region) {
    const cx_metric *m;
    size_t n;
    assert_int_equal(cx_sim_metrics(sim, &m, &n), CX_OK);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(m[i].name, name) && !strcmp(m[i].region, region) && !m[i].sector[0])
            return m[i].value;
    fail_msg("no metric %s/%s", name, region);
    return NAN;
}

static cx_inject *region_inject(cx_scenario *sc, const char *id, cx_time t, cx_inject_kind kind,
                                uint32_t region, double magnitude) {
    cx_inject *j = sb_inject(sc, id, t, kind);
    j->at_region = (int32_t)region;
    j->magnitude = magnitude;
    j->trigger = "";
    return j;
}

/* A state record of asset `id` at time t (NULL when none). */
static const sb_rec *asset_at(const sb_log *l, const char *id, cx_time t) {
    for (size_t i = 0; i < l->n; i++)
        if (l->r[i].kind == CX_REC_ASSET && !strcmp(l->r[i].entity, id) && l->r[i].t == t)
            return &l->r[i];
    return NULL;
}

static const sb_rec *hybrid_state(const sb_log *l, const char *entity, const char *state) {
    for (size_t i = 0; i < l->n; i++)
        if (l->r[i].kind == CX_REC_HYBRID && !strcmp(l->r[i].entity, entity) &&
            !strcmp(l->r[i].state, state))
            return &l->r[i];
    return NULL;
}

static void test_hybrid_cyber_degrades_at_attack_and_repairs_after_detection_plus_repair(void **s) {
    (void)s;
    cx_scenario *sc = sb_new("cyber", 4 * D);
    uint32_t nl = sb_region(sc, "NL", 52, 5, 1e6);
    uint32_t site = sb_asset(sc, "results", CX_SECTOR_ELECTION_IT, nl, 0);
    sc->assets[site].repair = sb_fixed(4 * SB_H);
    sb_on_asset(sc, "ddos", 2 * SB_H, CX_INJECT_CYBER, site, 0.7);
    sc->injects[0].detection = sb_fixed(3 * SB_H);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    const sb_rec *down = asset_at(&log, "results", 2 * SB_H);
    assert_non_null(down);
    assert_true(fabs(down->value - 0.3) < 1e-9);
    const sb_rec *det = hybrid_state(&log, "ddos", "cyber_detected");
    assert_non_null(det);
    assert_int_equal(det->t, 5 * SB_H);
    assert_true(det->value == 3.0);
    assert_string_equal(det->region, "NL");
    assert_string_equal(det->sector, "election_it");
    /* repair counted from detection: 5h + 4h */
    const sb_rec *up = asset_at(&log, "results", 9 * SB_H);
    assert_non_null(up);
    assert_true(up->value == 1.0);
    assert_null(asset_at(&log, "results", 6 * SB_H));
    /* election_it is essential: three NIS2 clocks from detection; none notified -> 2 missed */
    const sb_rec *ew = hybrid_state(&log, "NL:nis2_early_warning#1", "started");
    assert_non_null(ew);
    assert_int_equal(ew->t, 5 * SB_H);
    const sb_rec *miss = hybrid_state(&log, "NL:nis2_early_warning#1", "missed");
    assert_non_null(miss);
    assert_int_equal(miss->t, 29 * SB_H);
    assert_non_null(hybrid_state(&log, "NL:nis2_notification#2", "missed"));
    assert_null(hybrid_state(&log, "NL:nis2_final_report#3", "missed")); /* due after horizon */
    assert_true(metric(sim, "cyber_incidents", "") == 1);
    assert_true(metric(sim, "detection_delay_mean_h", "") == 3);
    assert_true(metric(sim, "deadlines_missed", "") == 2);
    assert_true(metric(sim, "deadlines_met", "") == 0);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_hybrid_cyber_uses_scenario_detection_default(void **s) {
    (void)s;
    cx_scenario *sc = sb_new("cyberdef", 2 * D);
    uint32_t nl = sb_region(sc, "NL", 52, 5, 1e6);
    uint32_t site = sb_asset(sc, "party", CX_SECTOR_MEDIA, nl, 0);
    sb_on_asset(sc, "ddos", 0, CX_INJECT_CYBER, site, 1);
    sc->injects[0].detection = (cxi_dist){CXI_DIST_FIXED, {-1, 0, 0}, 1};
    sc->params.hybrid.cyber_detection_delay = sb_fixed(90 * SB_MIN);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    const sb_rec *det = hybrid_state(&log, "ddos", "cyber_detected");
    assert_non_null(det);
    assert_int_equal(det->t, 90 * SB_MIN);
    /* media is not an essential sector: no clock */
    assert_null(hybrid_state(&log, "NL:nis2_early_warning#1", "started"));
    assert_true(metric(sim, "detection_delay_mean_h", "") == 1.5);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

/* FIMI 0.2/day for 2 days, recovery 0.05/day: net -0.15/day -> 0.7 at T+2d, then +0.05/day to 1 at
 * T+8d. Trust-hours lost: triangle 0.3 x 8 d / 2 = 1.2 trust-days = 28.8 trust-hours. */
static void test_hybrid_trust_closed_form_without_countermeasures(void **s) {
    (void)s;
    cx_scenario *sc = sb_new("fimi", 10 * D);
    uint32_t fr = sb_region(sc, "FR", 46, 2, 6.8e7);
    sb_region(sc, "DE", 51, 10, 8.4e7);
    cx_inject *j = region_inject(sc, "surge", 0, CX_INJECT_FIMI, fr, 0.2);
    j->duration = 2 * D;
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = NULL;
    cx_sim_config cfg = cx_sim_config_default();
    assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
    cx_observer o = sb_log_observer(&log);
    assert_int_equal(cx_sim_subscribe(sim, &o), CX_OK);
    assert_int_equal(cx_sim_run_until(sim, D), CX_OK);
    assert_true(fabs(cxi_hybrid_trust(sim, fr) - 0.85) < 1e-12);
    assert_int_equal(cx_sim_run_until(sim, 2 * D), CX_OK);
    assert_true(fabs(cxi_hybrid_trust(sim, fr) - 0.7) < 1e-12);
    assert_int_equal(cx_sim_run_until(sim, 5 * D), CX_OK);
    assert_true(fabs(cxi_hybrid_trust(sim, fr) - 0.85) < 1e-12);
    st = cx_sim_run(sim);
    assert_int_equal(st, CX_OK);
    assert_true(cxi_hybrid_trust(sim, fr) == 1.0);
    /* the record at the bound: trust back to exactly 1 at T+8d */
    const sb_rec *last = sb_log_last(&log, CX_REC_HYBRID, "FR");
    assert_non_null(last);
    assert_int_equal(last->t, 8 * D);
    assert_true(last->value == 1.0);
    /* slope changes at 0 and 2d are recorded; periodic records every 6h in between */
    const sb_rec *first = sb_log_find(&log, CX_REC_HYBRID, "FR", 0);
    assert_int_equal(first->t, 0);
    assert_string_equal(first->state, "trust");
    assert_string_equal(first->cause, "surge");
    const sb_rec *second = sb_log_find(&log, CX_REC_HYBRID, "FR", 1);
    assert_int_equal(second->t, 6 * SB_H);
    assert_int_equal(sb_log_count(&log, CX_REC_HYBRID, "DE"), 0);
    assert_true(fabs(metric(sim, "lowest_public_trust", "FR") - 0.7) < 1e-12);
    assert_true(fabs(metric(sim, "lowest_public_trust", "") - 0.7) < 1e-12);
    assert_true(fabs(metric(sim, "trust_hours_lost", "") - 28.8) < 1e-6);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

/* Same campaign; an HRRT at T+1d (x2) and public communication at T+2d (x1.5): recovery 0.1/day
 * during day 2 (net -0.1), 0.15/day afterwards. 0.85 -> 0.75 at 2d -> 1 at 2d + 0.25/0.15 d. */
static void test_hybrid_trust_closed_form_with_countermeasures(void **s) {
    (void)s;
    cx_scenario *sc = sb_new("fimi2", 10 * D);
    uint32_t fr = sb_region(sc, "FR", 46, 2, 6.8e7);
    cx_inject *j = region_inject(sc, "surge", 0, CX_INJECT_FIMI, fr, 0.2);
    j->duration = 2 * D;
    region_inject(sc, "team", D, CX_INJECT_HRRT, fr, 1);
    region_inject(sc, "talk", 2 * D, CX_INJECT_PUBCOM, fr, 1);
    cx_sim *sim = NULL;
    cx_sim_config cfg = cx_sim_config_default();
    assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
    assert_int_equal(cx_sim_run_until(sim, 2 * D), CX_OK);
    assert_true(fabs(cxi_hybrid_trust(sim, fr) - 0.75) < 1e-12);
    assert_int_equal(cx_sim_run_until(sim, 3 * D), CX_OK);
    assert_true(fabs(cxi_hybrid_trust(sim, fr) - 0.90) < 1e-12);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    assert_true(fabs(metric(sim, "lowest_public_trust", "FR") - 0.75) < 1e-12);
    /* loss: 0.15x1d/2 + (0.15+0.25)x1d/2 + 0.25 x (5/3) d / 2 = 0.075 + 0.2 + 0.208333 trust-days */
    double expect = (0.075 + 0.2 + 0.25 * (5.0 / 3.0) / 2) * 24;
    /* bound crossings are rounded up to whole seconds: within 1e-4 trust-hours */
    assert_true(fabs(metric(sim, "trust_hours_lost", "") - expect) < 1e-4);
    cx_sim_destroy(sim);
    cx_scenario_destroy(sc);
}

static void test_hybrid_trust_held_at_zero(void **s) {
    (void)s;
    cx_scenario *sc = sb_new("fimi0", 4 * D);
    uint32_t ro = sb_region(sc, "RO", 45, 25, 1.9e7);
    sc->params.hybrid.trust_recovery = 0;
    region_inject(sc, "flood", 0, CX_INJECT_FIMI, ro, 1); /* no duration: until the end */
    cx_sim *sim = NULL;
    cx_sim_config cfg = cx_sim_config_default();
    assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
    assert_int_equal(cx_sim_run_until(sim, D / 2), CX_OK);
    assert_true(fabs(cxi_hybrid_trust(sim, ro) - 0.5) < 1e-12);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    assert_true(cxi_hybrid_trust(sim, ro) == 0.0);
    assert_true(metric(sim, "lowest_public_trust", "RO") == 0.0);
    /* 0 at T+1d: 1 d at mean loss 0.5 + 3 d at 1 = 3.5 trust-days */
    assert_true(fabs(metric(sim, "trust_hours_lost", "") - 3.5 * 24) < 1e-6);
    cx_sim_destroy(sim);
    cx_scenario_destroy(sc);
}

static void test_hybrid_clocks_met_by_notify_and_cer_on_damage(void **s) {
    (void)s;
    cx_scenario *sc = sb_new("clocks", 4 * D);
    uint32_t de = sb_region(sc, "DE", 51, 10, 8.4e7);
    uint32_t grid = sb_asset(sc, "grid", CX_SECTOR_POWER, de, 1e6);
    uint32_t press = sb_asset(sc, "press", CX_SECTOR_MEDIA, de, 0);
    sb_on_asset(sc, "hack", 0, CX_INJECT_CYBER, grid, 1);
    sc->injects[0].detection = sb_fixed(SB_H);
    sb_on_asset(sc, "storm", 2 * SB_H, CX_INJECT_DAMAGE, grid, 0.5);
    sb_on_asset(sc, "leak", 2 * SB_H, CX_INJECT_DAMAGE, press, 0.5); /* media: no CER clock */
    cx_inject *n1 = region_inject(sc, "ew", 10 * SB_H, CX_INJECT_NOTIFY, de, 1);
    n1->clock = CX_CLOCK_NIS2_EARLY;
    cx_inject *n2 = region_inject(sc, "cer", 30 * SB_H, CX_INJECT_NOTIFY, de, 1);
    n2->clock = CX_CLOCK_CER_FIRST; /* too late: missed at 26h, nothing left to meet */
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    const sb_rec *met = hybrid_state(&log, "DE:nis2_early_warning#1", "met");
    assert_non_null(met);
    assert_int_equal(met->t, 10 * SB_H);
    assert_true(met->value == 9.0);
    assert_string_equal(met->cause, "ew");
    assert_null(hybrid_state(&log, "DE:nis2_early_warning#1", "missed"));
    const sb_rec *cer = hybrid_state(&log, "DE:cer_first_notice#4", "started");
    assert_non_null(cer);
    assert_int_equal(cer->t, 2 * SB_H);
    assert_string_equal(cer->cause, "storm");
    const sb_rec *cmiss = hybrid_state(&log, "DE:cer_first_notice#4", "missed");
    assert_non_null(cmiss);
    assert_int_equal(cmiss->t, 26 * SB_H);
    assert_null(hybrid_state(&log, "DE:cer_first_notice#5", "started"));
    const sb_rec *nmiss = hybrid_state(&log, "DE:nis2_notification#2", "missed");
    assert_non_null(nmiss);
    assert_int_equal(nmiss->t, 73 * SB_H);
    assert_true(metric(sim, "deadlines_met", "") == 1);
    assert_true(metric(sim, "deadlines_missed", "") == 2);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_hybrid_no_metrics_without_hybrid_injects(void **s) {
    (void)s;
    cx_scenario *sc = sb_new("plain", D);
    uint32_t de = sb_region(sc, "DE", 51, 10, 8.4e7);
    uint32_t grid = sb_asset(sc, "grid", CX_SECTOR_POWER, de, 1e6);
    sb_on_asset(sc, "storm", 0, CX_INJECT_DAMAGE, grid, 0.5);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    const cx_metric *m;
    size_t n;
    assert_int_equal(cx_sim_metrics(sim, &m, &n), CX_OK);
    for (size_t i = 0; i < n; i++) assert_string_not_equal(m[i].name, "deadlines_missed");
    assert_int_equal(sb_log_count(&log, CX_REC_HYBRID, NULL), 0);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

/* ---- loader ------------------------------------------------------------------------------- */

#define DATA CX_TEST_DATA "/hybrid"

static void test_hybrid_load_good(void **s) {
    (void)s;
    cx_diags *d;
    cx_scenario *sc = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cx_status st = cx_scenario_load(DATA "/good", NULL, &sc, d);
    for (size_t i = 0; i < cx_diags_count(d); i++) print_message("%s\n", cx_diags_get(d, i));
    assert_int_equal(st, CX_OK);
    const cx_hybrid_params *p = &sc->params.hybrid;
    assert_int_equal(p->cyber_detection_delay.kind, CXI_DIST_FIXED);
    assert_true(p->cyber_detection_delay.p[0] == 2 * 3600.0);
    assert_true(p->trust_recovery == 0.1);
    assert_true(p->hrrt_factor == 3);
    assert_int_equal(p->deadline[CX_CLOCK_NIS2_EARLY], 12 * 3600);
    assert_int_equal(p->deadline[CX_CLOCK_NIS2_NOTIF], 72 * 3600); /* default */
    assert_true(p->trust_initial == 1 && p->pubcom_factor == 1.5);
    assert_int_equal(sc->ninjects, 6);
    const cx_inject *c = &sc->injects[0];
    assert_string_equal(c->id, "ddos");
    assert_int_equal(c->kind, CX_INJECT_CYBER);
    assert_int_equal(c->target_kind, CX_TARGET_ASSET);
    assert_int_equal(c->detection.kind, CXI_DIST_FIXED);
    assert_true(c->detection.p[0] == 1800.0);
    const cx_inject *c2 = &sc->injects[1];
    assert_int_equal(c2->kind, CX_INJECT_CYBER);
    assert_int_equal(c2->target_kind, CX_TARGET_SECTOR);
    assert_true(c2->detection.p[0] < 0); /* scenario default */
    const cx_inject *f = &sc->injects[2];
    assert_int_equal(f->kind, CX_INJECT_FIMI);
    assert_int_equal(f->at_region, 1);
    assert_true(f->magnitude == 0.1);
    assert_int_equal(f->duration, 2 * 86400);
    assert_int_equal(sc->injects[3].kind, CX_INJECT_HRRT);
    assert_int_equal(sc->injects[4].kind, CX_INJECT_PLATFORM_NOTICE);
    assert_int_equal(sc->injects[5].kind, CX_INJECT_NOTIFY);
    assert_int_equal(sc->injects[5].clock, CX_CLOCK_NIS2_EARLY);
    cx_scenario_destroy(sc);
    cx_diags_destroy(d);
}

static void test_hybrid_load_bad_messages(void **s) {
    (void)s;
    cx_diags *d;
    cx_scenario *sc = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    assert_int_equal(cx_scenario_load(DATA "/bad", NULL, &sc, d), CX_EINPUT);
    assert_null(sc);
    static const char *const want[] = {
        DATA "/bad/injects.csv:2:9: column 'detection': bad distribution: ",
        DATA "/bad/injects.csv:3:3: column 'kind': cyber inject 'c2' has no target (expected an "
             "asset id in 'target', a region code in 'region' (optionally with 'sector'), or "
             "'lat', 'lon' and 'radius_km')",
        DATA "/bad/injects.csv:4:3: column 'kind': fimi inject 'f1' has no magnitude (expected the "
             "trust drop per day in 'magnitude', a number from 0 to 1 such as 0.1)",
        DATA "/bad/injects.csv:5:3: column 'kind': hrrt inject 'h1' has no region (expected a "
             "region code in 'region')",
        DATA "/bad/injects.csv:6:10: column 'value': unknown clock 'nis2_early_warnin' (did you "
             "mean 'nis2_early_warning'?)",
        DATA "/bad/injects.csv:7:9: column 'detection': 'detection' applies only to cyber injects "
             "(expected an empty cell)",
        DATA "/bad/injects.csv:8:4: column 'target': a pubcom inject takes no asset, sector or "
             "position target (expected only 'region')",
        DATA "/bad/injects.csv:9:10: column 'value': notify inject 'n2' has no clock (expected "
             "'value': nis2_early_warning, nis2_notification, nis2_final_report or "
             "cer_first_notice)",
        DATA "/bad/scenario.csv:6:2: column 'value': '1.5' is out of range (expected a number from 0 "
             "to 1)",
        DATA "/bad/scenario.csv:7:1: column 'key': unknown clock 'nis3_early' in key "
             "'deadline.nis3_early' (expected nis2_early_warning, nis2_notification, "
             "nis2_final_report or cer_first_notice)",
        DATA "/bad/scenario.csv:8:1: column 'key': unknown key 'trust_recovry' (did you mean "
             "'trust_recovery'?)",
    };
    size_t n = cx_diags_count(d);
    for (size_t i = 0; i < n; i++) print_message("%s\n", cx_diags_get(d, i));
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = !strncmp(cx_diags_get(d, i), want[w], strlen(want[w]));
        if (!found) fail_msg("missing message: %s", want[w]);
    }
    assert_int_equal(n, sizeof want / sizeof want[0]);
    cx_diags_destroy(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hybrid_cyber_degrades_at_attack_and_repairs_after_detection_plus_repair),
        cmocka_unit_test(test_hybrid_cyber_uses_scenario_detection_default),
        cmocka_unit_test(test_hybrid_trust_closed_form_without_countermeasures),
        cmocka_unit_test(test_hybrid_trust_closed_form_with_countermeasures),
        cmocka_unit_test(test_hybrid_trust_held_at_zero),
        cmocka_unit_test(test_hybrid_clocks_met_by_notify_and_cer_on_damage),
        cmocka_unit_test(test_hybrid_no_metrics_without_hybrid_injects),
        cmocka_unit_test(test_hybrid_load_good),
        cmocka_unit_test(test_hybrid_load_bad_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
