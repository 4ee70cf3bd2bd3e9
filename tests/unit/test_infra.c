/* test_infra.c — the asset network model: cascades over links (threshold, strength, delay,
 * recovery), repair, disable/restore, inject targets and dependency cycles, on hand-built scenarios
 * with fixed distributions so every time and value is known exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "model/sim_int.h"
#include "scenario_builder.h"

/* DE power plant -> FR telecom exchange (cross-border), both with population. */
typedef struct {
    cx_scenario *sc;
    uint32_t de, fr, power, telecom, link;
} pair_fixture;

static pair_fixture two_assets(double threshold, double strength, cxi_dist delay, cxi_dist recovery) {
    pair_fixture f;
    f.sc = sb_new("pair", 48 * SB_H);
    f.de = sb_region(f.sc, "DE", 51.0, 10.0, 83e6);
    f.fr = sb_region(f.sc, "FR", 47.0, 2.0, 68e6);
    f.power = sb_asset(f.sc, "de_power", CX_SECTOR_POWER, f.de, 1000);
    f.telecom = sb_asset(f.sc, "fr_telecom", CX_SECTOR_TELECOM, f.fr, 500);
    f.link = sb_link(f.sc, f.power, f.telecom, threshold, strength, delay, recovery);
    return f;
}

static void expect_asset(const sb_rec *r, cx_time t, const char *state, double op, const char *cause,
                         int xb, int depth) {
    assert_non_null(r);
    assert_int_equal(r->t, t);
    assert_string_equal(r->state, state);
    assert_true(fabs(r->value - op) < 1e-12);
    assert_string_equal(r->cause, cause);
    assert_int_equal(r->cross_border, xb);
    assert_int_equal(r->depth, depth);
}

static void test_cascade_crosses_border_after_exact_delay(void **state) {
    (void)state;
    pair_fixture f = two_assets(0.5, 1.0, sb_fixed(2 * SB_H), sb_fixed(0));
    sb_on_asset(f.sc, "blackout", 1 * SB_H, CX_INJECT_DISABLE, f.power, 1);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(f.sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    const sb_rec *inj = sb_log_find(&log, CX_REC_INJECT, "blackout", 0);
    assert_non_null(inj);
    assert_int_equal(inj->t, 1 * SB_H);
    assert_string_equal(inj->state, "disable");
    assert_string_equal(inj->region, "DE");
    assert_string_equal(inj->sector, "power");
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 0), 1 * SB_H, "failed", 0.0, "blackout",
                 0, 0);
    /* the dependent degrades exactly after the delay, and only then */
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "fr_telecom"), 1);
    const sb_rec *tel = sb_log_find(&log, CX_REC_ASSET, "fr_telecom", 0);
    expect_asset(tel, 3 * SB_H, "failed", 0.0, "de_power", 1, 1);
    assert_string_equal(tel->region, "FR");
    assert_string_equal(tel->sector, "telecom");
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(f.sc);
}

static void test_supplier_above_threshold_causes_no_cascade(void **state) {
    (void)state;
    pair_fixture f = two_assets(0.5, 1.0, sb_fixed(0), sb_fixed(0));
    f.sc->assets[f.power].repair = sb_fixed(4 * SB_H);
    sb_on_asset(f.sc, "hit", 0, CX_INJECT_DAMAGE, f.power, 0.3); /* op 0.7 >= 0.5 */
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(f.sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 0), 0, "repairing", 0.7, "hit", 0, 0);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 1), 4 * SB_H, "working", 1.0, "", 0, 0);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "fr_telecom"), 0);
    assert_int_equal(cxi_sim_link_state(sim, f.link), CXI_LINK_INACTIVE);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(f.sc);
}

static void test_strength_scales_passed_inoperability(void **state) {
    (void)state;
    pair_fixture f = two_assets(0.5, 0.5, sb_fixed(0), sb_fixed(0));
    sb_on_asset(f.sc, "cut", 0, CX_INJECT_DISABLE, f.power, 1);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(f.sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    expect_asset(sb_log_last(&log, CX_REC_ASSET, "fr_telecom"), 0, "degraded", 0.5, "de_power", 1, 1);
    assert_true(fabs(cxi_sim_asset_op(sim, f.telecom) - 0.5) < 1e-12);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(f.sc);
}

static void test_active_link_passes_supplier_changes_at_once(void **state) {
    (void)state;
    pair_fixture f = two_assets(0.9, 1.0, sb_fixed(SB_H), sb_fixed(0));
    f.sc->assets[f.power].repair = sb_fixed(100 * SB_H);
    sb_on_asset(f.sc, "first", 0, CX_INJECT_DAMAGE, f.power, 0.4);
    sb_on_asset(f.sc, "second", 3 * SB_H, CX_INJECT_DAMAGE, f.power, 0.7);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(f.sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "fr_telecom", 0), SB_H, "degraded", 0.6, "de_power",
                 1, 1);
    /* no second delay: the link is active, the change arrives at the same instant */
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "fr_telecom", 1), 3 * SB_H, "degraded", 0.3,
                 "de_power", 1, 1);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(f.sc);
}

static void test_repair_then_recovery_after_lag(void **state) {
    (void)state;
    pair_fixture f = two_assets(0.5, 1.0, sb_fixed(SB_H), sb_fixed(2 * SB_H));
    f.sc->assets[f.power].repair = sb_fixed(4 * SB_H);
    sb_on_asset(f.sc, "storm", SB_H, CX_INJECT_DAMAGE, f.power, 1);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(f.sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 0), SB_H, "repairing", 0.0, "storm", 0, 0);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 1), 5 * SB_H, "working", 1.0, "", 0, 0);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "de_power"), 2);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "fr_telecom", 0), 2 * SB_H, "failed", 0.0, "de_power",
                 1, 1);
    /* the dependent stays down through the recovery lag, then comes back */
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "fr_telecom", 1), 7 * SB_H, "working", 1.0, "", 0, 0);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "fr_telecom"), 2);
    assert_int_equal(cxi_sim_link_state(sim, f.link), CXI_LINK_INACTIVE);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(f.sc);
}

/* During the recovery lag the link holds what the dependent drew, even when the dependent is
 * re-evaluated for another reason (here a small direct hit on it). */
static void test_recovery_lag_holds_through_other_changes(void **state) {
    (void)state;
    pair_fixture f = two_assets(0.5, 0.7, sb_fixed(0), sb_fixed(3 * SB_H));
    f.sc->assets[f.power].repair = sb_fixed(2 * SB_H);
    f.sc->assets[f.telecom].repair = sb_fixed(10 * SB_H);
    sb_on_asset(f.sc, "storm", 0, CX_INJECT_DAMAGE, f.power, 1);
    sb_on_asset(f.sc, "spark", 3 * SB_H, CX_INJECT_DAMAGE, f.telecom, 0.05);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(f.sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "fr_telecom", 0), 0, "degraded", 0.3, "de_power", 1,
                 1);
    /* 3 h: 0.7 held + 0.05 direct; the supplier has been back since 2 h */
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "fr_telecom", 1), 3 * SB_H, "repairing", 0.25,
                 "de_power", 1, 1);
    /* 5 h: the lag is over, only the direct damage is left */
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "fr_telecom", 2), 5 * SB_H, "repairing", 0.95, "spark",
                 0, 0);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "fr_telecom", 3), 13 * SB_H, "working", 1.0, "", 0, 0);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(f.sc);
}

static void test_quick_repair_cancels_pending_activation(void **state) {
    (void)state;
    pair_fixture f = two_assets(0.5, 1.0, sb_fixed(2 * SB_H), sb_fixed(0));
    f.sc->assets[f.power].repair = sb_fixed(30 * SB_MIN); /* back before the 2 h buffer runs out */
    sb_on_asset(f.sc, "trip", 0, CX_INJECT_DAMAGE, f.power, 1);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(f.sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "de_power"), 2);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "fr_telecom"), 0);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(f.sc);
}

static void test_disable_holds_until_restore(void **state) {
    (void)state;
    pair_fixture f = two_assets(0.5, 1.0, sb_fixed(0), sb_fixed(0));
    f.sc->assets[f.power].repair = sb_fixed(SB_H);
    sb_on_asset(f.sc, "off", SB_H, CX_INJECT_DISABLE, f.power, 1);
    sb_on_asset(f.sc, "hit", 2 * SB_H, CX_INJECT_DAMAGE, f.power, 0.5); /* no repair while disabled */
    sb_on_asset(f.sc, "on", 10 * SB_H, CX_INJECT_RESTORE, f.power, 1);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(f.sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 0), SB_H, "failed", 0.0, "off", 0, 0);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 1), 10 * SB_H, "working", 1.0, "", 0, 0);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "de_power"), 2);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "fr_telecom", 0), SB_H, "failed", 0.0, "de_power", 1,
                 1);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "fr_telecom", 1), 10 * SB_H, "working", 1.0, "", 0, 0);
    const sb_rec *r = sb_log_find(&log, CX_REC_INJECT, "on", 0);
    assert_non_null(r);
    assert_string_equal(r->state, "restore");
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(f.sc);
}

static void test_restore_cancels_pending_repair(void **state) {
    (void)state;
    pair_fixture f = two_assets(0.5, 1.0, sb_fixed(0), sb_fixed(0));
    f.sc->assets[f.power].repair = sb_fixed(5 * SB_H);
    sb_on_asset(f.sc, "hit", 0, CX_INJECT_DAMAGE, f.power, 1);
    sb_on_asset(f.sc, "fix", 2 * SB_H, CX_INJECT_RESTORE, f.power, 1);
    sb_on_asset(f.sc, "hit2", 3 * SB_H, CX_INJECT_DAMAGE, f.power, 0.6);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(f.sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 1), 2 * SB_H, "working", 1.0, "", 0, 0);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 2), 3 * SB_H, "repairing", 0.4, "hit2",
                 0, 0);
    /* the first repair (due at 5 h) was cancelled: the second completes at 3 h + 5 h */
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 3), 8 * SB_H, "working", 1.0, "", 0, 0);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "de_power"), 4);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(f.sc);
}

static void test_damage_keeps_the_larger_and_reschedules_repair(void **state) {
    (void)state;
    pair_fixture f = two_assets(0.5, 1.0, sb_fixed(0), sb_fixed(0));
    f.sc->assets[f.power].repair = sb_fixed(4 * SB_H);
    sb_on_asset(f.sc, "big", 0, CX_INJECT_DAMAGE, f.power, 0.8);
    sb_on_asset(f.sc, "small", 2 * SB_H, CX_INJECT_DAMAGE, f.power, 0.3);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(f.sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 0), 0, "repairing", 0.2, "big", 0, 0);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_power", 1), 6 * SB_H, "working", 1.0, "", 0, 0);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "de_power"), 2);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(f.sc);
}

static void test_sector_target_hits_sector_in_region_or_everywhere(void **state) {
    (void)state;
    cx_scenario *sc = sb_new("sector", 24 * SB_H);
    uint32_t de = sb_region(sc, "DE", 51, 10, 0), fr = sb_region(sc, "FR", 47, 2, 0);
    sb_asset(sc, "de_p1", CX_SECTOR_POWER, de, 0);
    sb_asset(sc, "de_p2", CX_SECTOR_POWER, de, 0);
    sb_asset(sc, "de_w", CX_SECTOR_WATER, de, 0);
    sb_asset(sc, "fr_p", CX_SECTOR_POWER, fr, 0);
    sb_on_sector(sc, "de_grid", SB_H, CX_INJECT_DISABLE, CX_SECTOR_POWER, (int32_t)de, 1);
    sb_on_sector(sc, "all_grid", 5 * SB_H, CX_INJECT_DAMAGE, CX_SECTOR_POWER, -1, 0.5);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_p1", 0), SB_H, "failed", 0.0, "de_grid", 0, 0);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "de_p2", 0), SB_H, "failed", 0.0, "de_grid", 0, 0);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "de_w"), 0);
    /* region "all": FR power too; disabled DE assets ignore the damage */
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "fr_p", 0), 5 * SB_H, "repairing", 0.5, "all_grid", 0,
                 0);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "de_p1"), 1);
    const sb_rec *r = sb_log_find(&log, CX_REC_INJECT, "de_grid", 0);
    assert_string_equal(r->region, "DE");
    assert_string_equal(r->sector, "power");
    r = sb_log_find(&log, CX_REC_INJECT, "all_grid", 0);
    assert_string_equal(r->region, "");
    assert_true(fabs(r->value - 0.5) < 1e-12);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_radius_target_hits_assets_within_distance(void **state) {
    (void)state;
    cx_scenario *sc = sb_new("radius", 24 * SB_H);
    uint32_t be = sb_region(sc, "BE", 50.85, 4.35, 0);
    uint32_t near = sb_asset(sc, "near", CX_SECTOR_WATER, be, 0); /* at the centre */
    uint32_t mid = sb_asset(sc, "mid", CX_SECTOR_POWER, be, 0);
    uint32_t far = sb_asset(sc, "far", CX_SECTOR_WATER, be, 0);
    sc->assets[near].lat = 50.85;
    sc->assets[mid].lat = 51.05; /* ~22 km north */
    sc->assets[far].lat = 51.35; /* ~56 km north */
    double dmid = cxi_geo_km(50.85, 4.35, 51.05, 4.35), dfar = cxi_geo_km(50.85, 4.35, 51.35, 4.35);
    assert_true(dmid < 30 && dfar > 30);
    sb_on_radius(sc, "flood", SB_H, CX_INJECT_DISABLE, 50.85, 4.35, 30, -1, 1);
    sb_on_radius(sc, "wide", 2 * SB_H, CX_INJECT_DISABLE, 50.85, 4.35, 100, CX_SECTOR_WATER, 1);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(sb_log_find(&log, CX_REC_ASSET, "near", 0)->t, SB_H);
    assert_int_equal(sb_log_find(&log, CX_REC_ASSET, "mid", 0)->t, SB_H);
    assert_int_equal(sb_log_find(&log, CX_REC_ASSET, "far", 0)->t, 2 * SB_H); /* water only */
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "mid"), 1);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

/* A <-> B, each fully dependent on the other: both fail; repairing A brings both back. */
static void run_cycle(cxi_dist recovery, cx_time a_back, cx_time b_back) {
    cx_scenario *sc = sb_new("cycle", 48 * SB_H);
    uint32_t de = sb_region(sc, "DE", 51, 10, 0), fr = sb_region(sc, "FR", 47, 2, 0);
    uint32_t a = sb_asset(sc, "A", CX_SECTOR_POWER, de, 100);
    uint32_t b = sb_asset(sc, "B", CX_SECTOR_TELECOM, fr, 100);
    sc->assets[a].repair = sb_fixed(5 * SB_H);
    sb_link(sc, a, b, 0.5, 1.0, sb_fixed(0), recovery);
    sb_link(sc, b, a, 0.5, 1.0, sb_fixed(0), recovery);
    sb_on_asset(sc, "hit", SB_H, CX_INJECT_DAMAGE, a, 1);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "A", 0), SB_H, "repairing", 0.0, "hit", 0, 0);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "B", 0), SB_H, "failed", 0.0, "A", 1, 1);
    const sb_rec *ra = sb_log_last(&log, CX_REC_ASSET, "A"), *rb = sb_log_last(&log, CX_REC_ASSET, "B");
    expect_asset(ra, a_back, "working", 1.0, "", 0, 0);
    expect_asset(rb, b_back, "working", 1.0, "", 0, 0);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "A"), 2);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "B"), 2);
    assert_true(cxi_sim_asset_op(sim, a) == 1.0 && cxi_sim_asset_op(sim, b) == 1.0);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_cycle_recovers_when_one_side_is_repaired(void **state) {
    (void)state;
    run_cycle(sb_fixed(0), 6 * SB_H, 6 * SB_H);
}

static void test_cycle_with_recovery_lag_does_not_lock_in(void **state) {
    (void)state;
    run_cycle(sb_fixed(2 * SB_H), 6 * SB_H, 8 * SB_H);
}

/* A three-asset loop with partial strengths and an outside driver settles (integer q) and clears
 * once the driver is repaired. */
static void test_partial_loop_settles_and_clears(void **state) {
    (void)state;
    cx_scenario *sc = sb_new("loop3", 48 * SB_H);
    uint32_t de = sb_region(sc, "DE", 51, 10, 0);
    uint32_t d = sb_asset(sc, "driver", CX_SECTOR_GAS, de, 0);
    uint32_t x = sb_asset(sc, "x", CX_SECTOR_POWER, de, 0);
    uint32_t y = sb_asset(sc, "y", CX_SECTOR_TELECOM, de, 0);
    uint32_t z = sb_asset(sc, "z", CX_SECTOR_WATER, de, 0);
    sc->assets[d].repair = sb_fixed(3 * SB_H);
    sb_link(sc, d, x, 1.0, 0.6, sb_fixed(0), sb_fixed(0));
    sb_link(sc, x, y, 1.0, 0.9, sb_fixed(0), sb_fixed(0));
    sb_link(sc, y, z, 1.0, 0.9, sb_fixed(0), sb_fixed(0));
    sb_link(sc, z, x, 1.0, 0.9, sb_fixed(0), sb_fixed(0));
    sb_on_asset(sc, "hit", SB_H, CX_INJECT_DAMAGE, d, 1);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    /* x = 0.6 from the driver; z's share does not come back to x, because z's inoperability
     * comes from x (cause chain z -> y -> x) */
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "x", 0), SB_H, "degraded", 0.4, "driver", 0, 1);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "y", 0), SB_H, "degraded", 0.46, "x", 0, 2);
    expect_asset(sb_log_find(&log, CX_REC_ASSET, "z", 0), SB_H, "degraded", 0.514, "y", 0, 3);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "x"), 2);
    const sb_rec *lx = sb_log_last(&log, CX_REC_ASSET, "x");
    assert_int_equal(lx->t, 4 * SB_H);
    assert_true(cxi_sim_asset_op(sim, x) == 1.0 && cxi_sim_asset_op(sim, y) == 1.0 &&
                cxi_sim_asset_op(sim, z) == 1.0);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

/* Dense random loops with zero delays, partial and full strengths and threshold 1: every instant
 * must settle (these networks used to chase waves around loops, or churn, until the guard hit). */
static void test_dense_zero_delay_loops_always_settle(void **state) {
    (void)state;
    uint64_t x = 12345;
#define RND() (x = x * 6364136223846793005ULL + 1442695040888963407ULL, (uint32_t)(x >> 33))
    for (int variant = 0; variant < 2; variant++) {
        cx_scenario *sc = sb_new("dense", 48 * SB_H);
        char id[16];
        for (uint32_t r = 0; r < 20; r++) {
            snprintf(id, sizeof id, "R%u", r);
            sb_region(sc, id, 45 + r % 10, 5 + r / 10, 0);
        }
        for (uint32_t i = 0; i < 20; i++) {
            snprintf(id, sizeof id, "a%u", i);
            uint32_t region = RND() % 20;
            int sector = (int)(RND() % CX_SECTOR_COUNT);
            uint32_t a = sb_asset(sc, id, sector, region, 100);
            sc->assets[a].repair = sb_exp(12 * SB_H);
        }
        for (uint32_t l = 0; l < 120; l++) {
            uint32_t s = RND() % 20;
            uint32_t d = RND() % 20;
            if (s == d) d = (d + 1) % 20;
            sb_link(sc, s, d, 1.0, variant ? 1.0 : 0.3 + (RND() % 70) / 100.0, sb_fixed(0),
                    sb_fixed(0));
        }
        for (uint32_t j = 0; j < 10; j++) {
            snprintf(id, sizeof id, "i%u", j);
            sb_on_asset(sc, id, (cx_time)j * 3 * SB_H, CX_INJECT_DAMAGE, RND() % 20, 1);
        }
        sb_on_sector(sc, "grid", 6 * SB_H, CX_INJECT_DAMAGE, CX_SECTOR_POWER, 0, 1);
        for (uint64_t rep = 0; rep < 100; rep++) {
            cx_sim_config cfg = cx_sim_config_default();
            cfg.seed = 1;
            cfg.replicate = rep;
            cx_sim *sim = NULL;
            assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
            cx_status st = cx_sim_run(sim);
            if (st != CX_OK) fail_msg("variant %d replicate %u: %s", variant, (unsigned)rep,
                                      cx_sim_errmsg(sim));
            /* no loop keeps itself down: every outage traces back (cause by cause) to an asset
             * with direct damage (there are no recovery lags here to hold anything) */
            for (uint32_t a = 0; a < sc->nassets; a++) {
                int32_t c = (int32_t)a;
                for (int hop = 0; hop < 20 && sim->as[c].cause_sup >= 0; hop++)
                    c = sim->as[c].cause_sup;
                assert_int_equal(sim->as[c].cause_sup, -1);
                if (sim->as[a].q > 0) assert_true(sim->as[c].d > 0);
            }
            cx_sim_destroy(sim);
        }
        cx_scenario_destroy(sc);
    }
#undef RND
}

static void test_iim_mode_ignores_links(void **state) {
    (void)state;
    pair_fixture f = two_assets(0.5, 1.0, sb_fixed(0), sb_fixed(0));
    f.sc->params.mode = CX_MODEL_IIM;
    sb_on_asset(f.sc, "cut", 0, CX_INJECT_DISABLE, f.power, 1);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(f.sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "de_power"), 1);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "fr_telecom"), 0);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(f.sc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cascade_crosses_border_after_exact_delay),
        cmocka_unit_test(test_supplier_above_threshold_causes_no_cascade),
        cmocka_unit_test(test_strength_scales_passed_inoperability),
        cmocka_unit_test(test_active_link_passes_supplier_changes_at_once),
        cmocka_unit_test(test_repair_then_recovery_after_lag),
        cmocka_unit_test(test_recovery_lag_holds_through_other_changes),
        cmocka_unit_test(test_quick_repair_cancels_pending_activation),
        cmocka_unit_test(test_disable_holds_until_restore),
        cmocka_unit_test(test_restore_cancels_pending_repair),
        cmocka_unit_test(test_damage_keeps_the_larger_and_reschedules_repair),
        cmocka_unit_test(test_sector_target_hits_sector_in_region_or_everywhere),
        cmocka_unit_test(test_radius_target_hits_assets_within_distance),
        cmocka_unit_test(test_cycle_recovers_when_one_side_is_repaired),
        cmocka_unit_test(test_cycle_with_recovery_lag_does_not_lock_in),
        cmocka_unit_test(test_partial_loop_settles_and_clears),
        cmocka_unit_test(test_dense_zero_delay_loops_always_settle),
        cmocka_unit_test(test_iim_mode_ignores_links),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
