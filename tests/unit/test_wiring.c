/* test_wiring.c — players' decisions and UCPM units reaching the hybrid model: deploy_hybrid_team
 * and public_communication as countermeasures, notify meeting a NIS2 clock, a hybrid_rrt unit at
 * work raising trust recovery. Trust values are checked against the closed form of docs/model.md. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "msel_harness.h"
#include "model/hybrid.h"

#define H 3600
#define DAY (24 * H)
/* PL: FIMI 0.2/day for 2 days against recovery 0.05/day (defaults): 0.85 at 1d, 0.7 at 2d */
#define FIMI "surge,T+0,fimi,PL,0.2,2d,\n"
#define IHDR "id,time,kind,region,magnitude,duration,needs\n"
#define DHDR "time,kind,region,value,text\n"
#define CHDR "id,type,owner,pool,count,readiness,handling,offer_latency,endurance\n"

/* Loads the folder (see msel_harness.h), creates a sim recording into m. */
static cx_sim *start(mh_run *m, const char *inj, const char *dec, const char *cap) {
    cx_status st = mh_load(m, inj, dec, cap);
    for (size_t i = 0; i < cx_diags_count(m->diags); i++)
        fprintf(stderr, "%s\n", cx_diags_get(m->diags, i));
    assert_int_equal(st, CX_OK);
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = 1;
    cx_sim *sim = NULL;
    assert_int_equal(cx_sim_create(m->sc, &cfg, &sim), CX_OK);
    cx_observer o = {m, mh_on_record};
    assert_int_equal(cx_sim_subscribe(sim, &o), CX_OK);
    return sim;
}

/* Trust of PL (region 0) at 1d, 2d and 3d. */
static void trust_curve(cx_sim *sim, double v[3]) {
    for (int k = 0; k < 3; k++) {
        assert_int_equal(cx_sim_run_until(sim, (cx_time)(k + 1) * DAY), CX_OK);
        v[k] = cxi_hybrid_trust(sim, 0);
    }
}

static double metric(cx_sim *sim, const char *name) {
    const cx_metric *m;
    size_t n;
    assert_int_equal(cx_sim_metrics(sim, &m, &n), CX_OK);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(m[i].name, name) && !m[i].region[0] && !m[i].sector[0]) return m[i].value;
    return NAN;
}

static size_t index_of(const mh_run *m, const mh_rec *r) { return (size_t)(r - m->r); }

static void test_wiring_deploy_hybrid_team_decision_equals_the_hrrt_inject(void **s) {
    (void)s;
    mh_run a, b;
    double va[3], vb[3];
    cx_sim *sa = start(&a, IHDR FIMI "team,T+1d,hrrt,PL,,,\n", "", "");
    trust_curve(sa, va);
    cx_sim *sb = start(&b, IHDR FIMI, DHDR "T+1d,deploy_hybrid_team,PL,,EU HRRT to PL\n", "");
    trust_curve(sb, vb);
    /* closed form: x2 recovery from 1d: 0.85 - 0.1 = 0.75 at 2d, then +0.1/day -> 0.85 at 3d */
    const double want[3] = {0.85, 0.75, 0.85};
    for (int k = 0; k < 3; k++) {
        assert_true(fabs(va[k] - want[k]) < 1e-12);
        assert_true(fabs(vb[k] - want[k]) < 1e-12);
    }
    const mh_rec *d = mh_find(&b, CX_REC_DECISION, "D2", "deploy_hybrid_team");
    assert_non_null(d);
    assert_int_equal(d->t, DAY);
    assert_string_equal(d->text, "EU HRRT to PL");
    const mh_rec *tr = NULL;
    for (size_t i = 0; i < b.n; i++)
        if (b.r[i].kind == CX_REC_HYBRID && !strcmp(b.r[i].cause, "D2")) tr = &b.r[i];
    assert_non_null(tr);
    assert_int_equal(tr->t, DAY);
    assert_string_equal(tr->entity, "PL");
    assert_true(index_of(&b, tr) > index_of(&b, d)); /* the decision record comes first */
    cx_sim_destroy(sa);
    cx_sim_destroy(sb);
    mh_free(&a);
    mh_free(&b);
}

static void test_wiring_public_communication_decision_multiplies_recovery(void **s) {
    (void)s;
    mh_run m;
    double v[3];
    cx_sim *sim = start(&m, IHDR FIMI, DHDR "T+1d,public_communication,PL,,Pre-bunking\n", "");
    trust_curve(sim, v);
    /* x1.5 from 1d: 0.85 - 0.125 at 2d, then +0.075/day */
    assert_true(fabs(v[0] - 0.85) < 1e-12);
    assert_true(fabs(v[1] - 0.725) < 1e-12);
    assert_true(fabs(v[2] - 0.8) < 1e-12);
    cx_sim_destroy(sim);
    mh_free(&m);
}

static void test_wiring_notify_decision_meets_the_nis2_clock(void **s) {
    (void)s;
    mh_run m;
    cx_sim *sim = start(&m, "id,time,kind,target,magnitude,detection\n"
                            "hack,T+0,cyber,PL-P1,1,fixed(1h)\n",
                        DHDR "T+5h,notify,PL,nis2_early_warning,CSIRT notified\n"
                             "T+6h,notify,PL,nis2_early,typo\n",
                        "");
    assert_int_equal(cx_sim_run(sim), CX_OK);
    const mh_rec *d = mh_find(&m, CX_REC_DECISION, "D2", "notify");
    assert_non_null(d);
    assert_string_equal(d->text, "nis2_early_warning: CSIRT notified");
    const mh_rec *met = mh_find(&m, CX_REC_HYBRID, "PL:nis2_early_warning#1", "met");
    assert_non_null(met);
    assert_int_equal(met->t, 5 * H);
    assert_string_equal(met->cause, "D2");
    assert_true(index_of(&m, met) > index_of(&m, d));
    assert_null(mh_find(&m, CX_REC_HYBRID, "PL:nis2_early_warning#1", "missed"));
    /* an unknown clock: recorded, with the reason, and nothing met */
    const mh_rec *bad = mh_find(&m, CX_REC_DECISION, "D3", "notify");
    assert_non_null(bad);
    assert_int_equal(strncmp(bad->text, "unknown notification clock 'nis2_early': recorded only",
                             strlen("unknown notification clock 'nis2_early': recorded only")),
                     0);
    assert_int_equal(mh_count(&m, CX_REC_HYBRID, NULL, "met"), 1);
    /* horizon 3d: the 72 h notification (due at 73h) is still running */
    assert_true(metric(sim, "deadlines_met") == 1);
    assert_true(metric(sim, "deadlines_missed") == 0);
    cx_sim_destroy(sim);
    mh_free(&m);
}

static void test_wiring_hybrid_decisions_alone_switch_the_model_on(void **s) {
    (void)s;
    mh_run m;
    cx_sim *sim = start(&m, "", DHDR "T+1h,notify,PL,nis2_early_warning,nothing to meet\n", "");
    assert_int_equal(cx_sim_run(sim), CX_OK);
    assert_non_null(mh_find(&m, CX_REC_DECISION, "D2", "notify"));
    assert_true(metric(sim, "deadlines_met") == 0); /* the hybrid metrics are there */
    assert_true(metric(sim, "lowest_public_trust") == 1);
    cx_sim_destroy(sim);
    mh_free(&m);
    sim = start(&m, "", DHDR "T+1h,note,,,just a note\n", "");
    assert_int_equal(cx_sim_run(sim), CX_OK);
    assert_true(isnan(metric(sim, "deadlines_met"))); /* no hybrid model */
    cx_sim_destroy(sim);
    mh_free(&m);
}

static void test_wiring_hybrid_rrt_unit_operating_raises_recovery(void **s) {
    (void)s;
    mh_run a, b;
    double va[3], vb[3];
    const char *inj = IHDR FIMI "hz,T+1d,hazard,PL,,,hybrid=100\n";
    cx_sim *sa = start(&a, inj, "", "");
    trust_curve(sa, va);
    cx_sim *sb = start(&b, inj, "",
                       CHDR "PL-HRRT,hybrid_rrt,PL,national,1,fixed(0s),fixed(0s),fixed(0s),"
                            "fixed(10d)\n");
    trust_curve(sb, vb);
    const mh_rec *op = mh_find(&b, CX_REC_CAPACITY, "PL-HRRT#1", "operating");
    assert_non_null(op);
    assert_int_equal(op->t, DAY);
    /* without the unit: 0.7 at 2d and 0.75 at 3d; with it, as the hrrt inject at 1d */
    assert_true(fabs(va[1] - 0.7) < 1e-12);
    assert_true(fabs(va[2] - 0.75) < 1e-12);
    assert_true(fabs(vb[0] - 0.85) < 1e-12);
    assert_true(fabs(vb[1] - 0.75) < 1e-12);
    assert_true(fabs(vb[2] - 0.85) < 1e-12);
    const mh_rec *tr = NULL;
    for (size_t i = 0; i < b.n; i++)
        if (b.r[i].kind == CX_REC_HYBRID && !strcmp(b.r[i].cause, "PL-HRRT#1")) tr = &b.r[i];
    assert_non_null(tr);
    assert_int_equal(tr->t, DAY);
    cx_sim_destroy(sa);
    cx_sim_destroy(sb);
    mh_free(&a);
    mh_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wiring_deploy_hybrid_team_decision_equals_the_hrrt_inject),
        cmocka_unit_test(test_wiring_public_communication_decision_multiplies_recovery),
        cmocka_unit_test(test_wiring_notify_decision_meets_the_nis2_clock),
        cmocka_unit_test(test_wiring_hybrid_decisions_alone_switch_the_model_on),
        cmocka_unit_test(test_wiring_hybrid_rrt_unit_operating_raises_recovery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
