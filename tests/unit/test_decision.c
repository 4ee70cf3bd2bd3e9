/* test_decision.c — decisions.csv: records and effects of each kind (IPCR, UCPM request, offers,
 * repairs, notify lookup), located loader errors, determinism; and the UCPM fixes: offer_abroad,
 * national units moving between their state's incidents, repair speed-up by capacities on site. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "msel_harness.h"
#include "model/trigger.h"

#define H 3600
#define DHDR "time,kind,region,target,sector,value,needs,text,by\n"
#define IHDR "id,time,kind,target,region,needs,value,message,trigger\n"
#define QUAKE "quake,T+0,hazard,,PL,usar=5,,,\n"
#define CHDR "id,type,owner,pool,count,readiness,handling,offer_latency,endurance,addresses,rate,repairs,repair_factor,offer_abroad\n"

static void run_ok(mh_run *m, const char *inj, const char *dec, const char *cap) {
    cx_status st = mh_load(m, inj, dec, cap);
    for (size_t i = 0; i < cx_diags_count(m->diags); i++)
        fprintf(stderr, "%s\n", cx_diags_get(m->diags, i));
    assert_int_equal(st, CX_OK);
    assert_int_equal(mh_run_it(m), CX_OK);
}

static void test_decision_records_then_applies_ipcr_request_and_note(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, NULL, NULL, NULL); /* tests/data/msel/base */
    const mh_rec *d = mh_find(&m, CX_REC_DECISION, "D2", "ipcr_set");
    assert_non_null(d);
    assert_int_equal(d->t, 1 * H);
    assert_string_equal(d->cause, "Presidency");
    assert_string_equal(d->text, "inactive -> monitoring");
    const mh_rec *ip = mh_find(&m, CX_REC_IPCR, "IPCR", "monitoring");
    assert_non_null(ip);
    assert_int_equal(ip->t, 1 * H);
    assert_string_equal(ip->cause, "D2");
    assert_true(ip > d); /* the decision record comes first */
    const mh_rec *q = mh_find(&m, CX_REC_REQUEST, "D3", "requested");
    assert_non_null(q);
    assert_int_equal(q->t, 2 * H);
    assert_string_equal(q->text, "usar=8");
    assert_null(mh_find(&m, CX_REC_REQUEST, "quake/request", NULL)); /* no second, auto request */
    assert_int_equal(mh_find(&m, CX_REC_DECISION, "D5", "note")->t, 4 * H);
    assert_string_equal(mh_find(&m, CX_REC_DECISION, "D5", "note")->text, "Roundtable convened");
    assert_int_equal(cx_scenario_decisions_count(m.sc), 4);
    assert_int_equal(strlen(cx_scenario_decisions_hash(m.sc)), 16);
    mh_free(&m);
}

static void test_decision_ipcr_escalate_deescalate_art222(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, IHDR QUAKE, DHDR "T+1h,ipcr_escalate,,,,,,,\nT+2h,ipcr_escalate,,,,,,,\n"
                                "T+3h,ipcr_deescalate,,,,,,,\nT+4h,art222,PL,,,,,,PL\n", NULL);
    const char *want[] = {"monitoring", "information_sharing", "monitoring", "full"};
    size_t k = 0;
    for (size_t i = 0; i < m.n && k < 4; i++)
        if (m.r[i].kind == CX_REC_IPCR && !m.r[i].text[0]) {
            assert_string_equal(m.r[i].state, want[k]);
            assert_int_equal(m.r[i].t, (cx_time)(k + 1) * H);
            k++;
        }
    assert_int_equal(k, 4);
    mh_free(&m);
}

static void test_decision_accept_offer_cuts_the_acceptance_delay(void **s) {
    (void)s;
    mh_run m;
    /* request 2h, relay 3h, offer 4h; accept_delay would make it 6h */
    run_ok(&m, IHDR QUAKE, DHDR "T+2h,ucpm_request,PL,,,,usar=5,,\nT+4h30m,accept_offer,,DE-USAR#1,,,,,PL\n",
           NULL);
    assert_int_equal(mh_find(&m, CX_REC_CAPACITY, "DE-USAR#1", "offered")->t, 4 * H);
    assert_int_equal(mh_find(&m, CX_REC_CAPACITY, "DE-USAR#1", "mobilising")->t, 4 * H + H / 2);
    mh_free(&m);
}

static void test_decision_decline_offer_returns_the_unit(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, IHDR QUAKE, DHDR "T+2h,ucpm_request,PL,,,,usar=5,,\nT+4h30m,decline_offer,,D2,,,,,PL\n",
           NULL);
    const mh_rec *r = mh_find(&m, CX_REC_CAPACITY, "DE-USAR#1", "available");
    assert_non_null(r);
    assert_int_equal(r->t, 4 * H + H / 2);
    assert_string_equal(r->text, "declined");
    assert_null(mh_find(&m, CX_REC_CAPACITY, "DE-USAR#1", "mobilising"));
    mh_free(&m);
}

static void test_decision_repair_priority_halves_the_remaining_time(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, IHDR "d1,0,damage,PL-P1,,,,,\nd2,0,damage,PL-P2,,,,,\nd3,0,damage,DE-P1,,,,,\n",
           DHDR "T+2h,repair_priority,,PL-P1,,,,,\nT+2h,repair_priority,PL,,power,0.25,,,\n", NULL);
    /* PL-P1: 8h left x 0.5 = 4h, then (as a PL power asset) x 0.25 = 1h -> 3h */
    const mh_rec *r = NULL;
    for (size_t i = 0; i < m.n; i++)
        if (m.r[i].kind == CX_REC_ASSET && !strcmp(m.r[i].state, "working")) {
            r = &m.r[i];
            if (!strcmp(r->entity, "PL-P1")) assert_int_equal(r->t, 3 * H);
            if (!strcmp(r->entity, "PL-P2")) assert_int_equal(r->t, 4 * H); /* 8h x 0.25 */
            if (!strcmp(r->entity, "DE-P1")) assert_int_equal(r->t, 10 * H);
        }
    assert_non_null(r);
    assert_int_equal(mh_count(&m, CX_REC_ASSET, NULL, "working"), 3);
    assert_string_equal(mh_find(&m, CX_REC_DECISION, "D2", NULL)->text, "1 pending repair x 0.5");
    mh_free(&m);
}

static void test_decision_notify_lookup_for_the_hybrid_model(void **s) {
    (void)s;
    mh_run m;
    assert_int_equal(mh_load(&m, NULL, NULL, NULL), CX_OK);
    cx_sim *sim;
    assert_int_equal(cx_sim_create(m.sc, NULL, &sim), CX_OK);
    cx_time when = -1;
    assert_int_equal(cx_sim_run_until(sim, 2 * H), CX_OK);
    assert_int_equal(cxi_decision_notified(sim, "PL", "nis2_early_warning", &when), 0);
    assert_int_equal(cx_sim_run_until(sim, 3 * H), CX_OK);
    assert_int_equal(cxi_decision_notified(sim, "PL", "nis2_early_warning", &when), 1);
    assert_int_equal(when, 3 * H);
    assert_int_equal(cxi_decision_notified(sim, "DE", "nis2_early_warning", &when), 0);
    assert_int_equal(cxi_decision_notified(sim, "PL", "cer_first_notice", &when), 0);
    cx_sim_destroy(sim);
    mh_free(&m);
}

static void test_decision_runs_are_deterministic(void **s) {
    (void)s;
    mh_run a, b;
    run_ok(&a, NULL, NULL, NULL);
    run_ok(&b, NULL, NULL, NULL);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_int_equal(a.r[i].t, b.r[i].t);
        assert_string_equal(a.r[i].entity, b.r[i].entity);
        assert_string_equal(a.r[i].state, b.r[i].state);
    }
    mh_free(&a);
    mh_free(&b);
}

static void expect_errors(const char *dec, const char *const *msgs, size_t n) {
    mh_run m;
    assert_int_equal(mh_load(&m, NULL, dec, NULL), CX_EINPUT);
    assert_int_equal(cx_diags_count(m.diags), n);
    for (size_t i = 0; i < n; i++) {
        char want[600];
        snprintf(want, sizeof want, "%s/decisions.csv:%s", m.dir, msgs[i]);
        assert_string_equal(cx_diags_get(m.diags, i), want);
    }
    mh_free(&m);
}

static void test_decision_loader_errors_are_located(void **s) {
    (void)s;
    const char *m1[] = {
        "2:2: column 'kind': unknown decision kind 'ipcr_escalte' (did you mean 'ipcr_escalate'?)",
        "3:2: column 'kind': a ucpm_request decision needs a region (expected a region code in "
        "'region')",
        "4:3: column 'region': unknown region 'PLL' (did you mean 'PL'?)",
        "5:4: column 'target': unknown offer target 'XX#1' (expected a unit 'capacity#k', a "
        "capacity id from capacities.csv or a request id: a request inject, a ucpm_request "
        "decision or '<hazard id>/request')",
        "6:1: column 'time': decision at T+4d00:00:00 is after the horizon T+3d00:00:00 (expected "
        "a time up to the horizon)",
        "7:6: column 'value': unknown IPCR mode 'ful' (did you mean 'full'?)",
    };
    expect_errors(DHDR "T+1h,ipcr_escalte,,,,,,,\nT+1h,ucpm_request,,,,,,,\n"
                       "T+1h,art222,PLL,,,,,,\nT+1h,accept_offer,,XX#1,,,,,\n"
                       "T+4d,note,,,,,,x,\nT+1h,ipcr_set,,,,ful,,,\n",
                  m1, sizeof m1 / sizeof m1[0]);
}

static void test_decision_file_from_options_replaces_the_folder_one(void **s) {
    (void)s;
    mh_run m;
    assert_int_equal(mh_load(&m, NULL, NULL, NULL), CX_OK);
    char path[128];
    snprintf(path, sizeof path, "%s/other.csv", m.dir);
    mh_write(m.dir, "other.csv", DHDR "T+1h,note,,,,,,from the option,\n");
    cx_load_opts o = cx_load_opts_default();
    o.decisions = path;
    cx_scenario *sc = NULL;
    assert_int_equal(cx_scenario_load(m.dir, &o, &sc, m.diags), CX_OK);
    assert_int_equal(cx_scenario_decisions_count(sc), 1);
    assert_string_equal(cx_scenario_decisions_path(sc), path);
    cx_scenario_destroy(sc);
    o.decisions = "/nonexistent/decisions.csv";
    assert_int_not_equal(cx_scenario_load(m.dir, &o, &sc, m.diags), CX_OK);
    assert_null(sc);
    unlink(path);
    mh_free(&m);
}

/* ---- UCPM fixes ----------------------------------------------------------------------------- */

static void test_ucpm_national_units_are_not_offered_abroad_unless_offer_abroad(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, IHDR QUAKE, "", CHDR "DE-NAT,national_team,DE,national,1,0s,0s,0s,10d,usar,1,,,\n");
    assert_null(mh_find(&m, CX_REC_CAPACITY, "DE-NAT#1", "offered"));
    mh_free(&m);
    run_ok(&m, IHDR QUAKE, "", CHDR "DE-NAT,national_team,DE,national,1,0s,0s,0s,10d,usar,1,,,1\n");
    assert_non_null(mh_find(&m, CX_REC_CAPACITY, "DE-NAT#1", "offered"));
    mh_free(&m);
    /* ecpp default: offered; offer_abroad 0 keeps it home */
    run_ok(&m, IHDR QUAKE, "", CHDR "DE-E,usar_heavy,DE,ecpp,1,0s,0s,0s,10d,,1,,,0\n");
    assert_null(mh_find(&m, CX_REC_CAPACITY, "DE-E#1", "offered"));
    mh_free(&m);
    assert_int_equal(mh_load(&m, IHDR QUAKE, "", CHDR "X,national_team,DE,,1,,,,,usar,1,,,maybe\n"),
                     CX_EINPUT);
    char want[300];
    snprintf(want, sizeof want, "%s/capacities.csv:2:14: column 'offer_abroad': 'maybe' is not 0 "
             "or 1 (expected 1: offered to other states, 0: serves its owner only)", m.dir);
    assert_string_equal(cx_diags_get(m.diags, 0), want);
    mh_free(&m);
}

static void test_ucpm_national_unit_moves_on_to_the_next_incident_of_its_state(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, IHDR "q1,T+0,hazard,,PL,usar=2,,,\nq2,T+1h,hazard,,PL,usar=3,,,\n", "",
           CHDR "PL-NAT,national_team,PL,national,1,0s,0s,0s,10d,usar,1,,,\n");
    /* q1 done just before 2h (2 units at 1/h; the USAR need decays with its 72h half-life): the
     * unit goes straight on to q2 (same state: 0 km, 0s handling) instead of going home */
    const mh_rec *tr = NULL, *q1 = NULL, *q2 = NULL;
    for (size_t i = 0; i < m.n; i++) {
        const mh_rec *r = &m.r[i];
        if (r->kind == CX_REC_CAPACITY && !strcmp(r->state, "transit") && !strcmp(r->text, "q2"))
            tr = r;
        if (r->kind == CX_REC_INCIDENT && !strcmp(r->state, "closed"))
            *(!strcmp(r->entity, "q1") ? &q1 : &q2) = r;
    }
    assert_non_null(tr);
    assert_non_null(q1);
    assert_non_null(q2);
    assert_int_equal(tr->t, q1->t);
    assert_true(tr->t > 2 * H - 5 * 60 && tr->t <= 2 * H);
    const mh_rec *ret = mh_find(&m, CX_REC_CAPACITY, "PL-NAT#1", "returning");
    assert_true(ret == NULL || ret > tr);
    assert_true(q2->t > tr->t + 3 * H - 10 * 60 && q2->t <= tr->t + 3 * H); /* 3 units from there */
    mh_free(&m);
}

static void test_ucpm_repair_capacity_on_site_shortens_repairs_of_its_sector(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, IHDR "storm,T+0,hazard,PL-P1,,power_supply=10,,,\nd2,0,damage,DE-P1,,,,,\n", "",
           CHDR "PL-GEN,generators,PL,national,1,0s,0s,0s,10d,,1,power,0.5,\n");
    cx_time p1 = -1, de = -1;
    for (size_t i = 0; i < m.n; i++)
        if (m.r[i].kind == CX_REC_ASSET && !strcmp(m.r[i].state, "working")) {
            if (!strcmp(m.r[i].entity, "PL-P1")) p1 = m.r[i].t;
            if (!strcmp(m.r[i].entity, "DE-P1")) de = m.r[i].t;
        }
    assert_int_equal(p1, 5 * H); /* 10h x 0.5 from the arrival at 0 */
    assert_int_equal(de, 10 * H); /* another region: unchanged */
    mh_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decision_records_then_applies_ipcr_request_and_note),
        cmocka_unit_test(test_decision_ipcr_escalate_deescalate_art222),
        cmocka_unit_test(test_decision_accept_offer_cuts_the_acceptance_delay),
        cmocka_unit_test(test_decision_decline_offer_returns_the_unit),
        cmocka_unit_test(test_decision_repair_priority_halves_the_remaining_time),
        cmocka_unit_test(test_decision_notify_lookup_for_the_hybrid_model),
        cmocka_unit_test(test_decision_runs_are_deterministic),
        cmocka_unit_test(test_decision_loader_errors_are_located),
        cmocka_unit_test(test_decision_file_from_options_replaces_the_folder_one),
        cmocka_unit_test(test_ucpm_national_units_are_not_offered_abroad_unless_offer_abroad),
        cmocka_unit_test(test_ucpm_national_unit_moves_on_to_the_next_incident_of_its_state),
        cmocka_unit_test(test_ucpm_repair_capacity_on_site_shortens_repairs_of_its_sector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
