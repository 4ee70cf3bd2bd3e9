/* test_ucpm.c — the UCPM chain with fixed delays (exact times), national first, the allocation
 * rule under competition, request lapse, rescEU as last resort, rotation, determinism, the
 * own-crisis offer share, pre-positioning, and an M/M/c oracle (Erlang C waiting time). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include <gsl/gsl_randist.h>

#include "scenario_builder.h"

#define H SB_H
/* longitude step of 60 km on the equator (haversine, R = 6371 km): 1 h at 60 km/h */
#define LON60 (60.0 / (6371.0 * M_PI / 180.0))

static cx_scenario *base(cx_time horizon) {
    cx_scenario *sc = sb_new("ucpm", horizon);
    sb_response_zero(sc);
    sc->params.ipcr_policy = CX_POLICY_MANUAL;
    sc->params.need_halflife[CX_NEED_USAR] = 0;
    sc->params.rescue_after = sb_fixed(1e7);
    sb_region(sc, "A", 0, 0, 1000);
    sb_region(sc, "B", 0, LON60, 1000);
    sb_region(sc, "C", 0, 0, 1000);
    return sc;
}

static const sb_rec *find_state(const sb_log *l, cx_rec_kind k, const char *entity,
                                const char *state, size_t nth) {
    for (size_t i = 0; i < l->n; i++)
        if (l->r[i].kind == k && !strcmp(l->r[i].entity, entity) &&
            !strcmp(l->r[i].state, state) && nth-- == 0)
            return &l->r[i];
    return NULL;
}

static cx_time when(const sb_log *l, cx_rec_kind k, const char *entity, const char *state) {
    const sb_rec *r = find_state(l, k, entity, state, 0);
    return r ? r->t : -1;
}

static double metric(cx_sim *sim, const char *name, const char *sector) {
    const cx_metric *m;
    size_t n;
    assert_int_equal(cx_sim_metrics(sim, &m, &n), CX_OK);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(m[i].name, name) && !strcmp(m[i].sector, sector)) return m[i].value;
    fail_msg("no metric %s", name);
    return 0;
}

static void test_ucpm_chain_times_are_exact_with_fixed_delays(void **state) {
    (void)state;
    cx_scenario *sc = base(5 * 86400);
    sc->params.ucpm_request_delay = sb_fixed(6 * H);
    sc->params.ercc_relay_delay = sb_fixed(1 * H);
    sc->params.accept_delay = sb_fixed(2 * H);
    uint32_t c = sb_capacity(sc, "B-usar", 1, CX_NEED_USAR, 1);
    sc->capacities[c].readiness = sb_fixed(3 * H);
    sc->capacities[c].offer_latency = sb_fixed(2 * H);
    sc->capacities[c].handling = sb_fixed(30 * SB_MIN);
    sb_need_inject(sc, "quake", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 5);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(when(&log, CX_REC_INCIDENT, "quake", "open"), 0);
    assert_int_equal(when(&log, CX_REC_REQUEST, "quake/request", "requested"), 6 * H);
    assert_int_equal(when(&log, CX_REC_REQUEST, "quake/request", "relayed"), 7 * H);
    assert_int_equal(when(&log, CX_REC_CAPACITY, "B-usar#1", "offered"), 9 * H);
    assert_int_equal(when(&log, CX_REC_CAPACITY, "B-usar#1", "mobilising"), 11 * H);
    assert_int_equal(when(&log, CX_REC_REQUEST, "quake/request", "covered"), 11 * H);
    assert_int_equal(when(&log, CX_REC_CAPACITY, "B-usar#1", "transit"), 14 * H);
    assert_int_equal(when(&log, CX_REC_CAPACITY, "B-usar#1", "operating"), 15 * H + 30 * SB_MIN);
    /* 5 need units at 1 per unit-hour */
    assert_int_equal(when(&log, CX_REC_CAPACITY, "B-usar#1", "returning"), 20 * H + 30 * SB_MIN);
    assert_int_equal(when(&log, CX_REC_INCIDENT, "quake", "closed"), 20 * H + 30 * SB_MIN);
    assert_int_equal(when(&log, CX_REC_REQUEST, "quake/request", "closed"), 20 * H + 30 * SB_MIN);
    assert_int_equal(when(&log, CX_REC_CAPACITY, "B-usar#1", "available"), 22 * H);
    const sb_rec *op = find_state(&log, CX_REC_CAPACITY, "B-usar#1", "operating", 0);
    assert_string_equal(op->region, "A");
    assert_string_equal(op->cause, "quake/request");
    assert_true(metric(sim, "time_to_first_request", "") == 6);
    assert_true(metric(sim, "time_to_first_offer", "") == 9);
    assert_true(metric(sim, "time_to_first_arrival", "") == 15.5);
    assert_true(metric(sim, "time_to_first_arrival_censored", "") == 0);
    /* need 5 until 15.5 h, then down to 0 linearly over 5 h: 77.5 + 12.5 need-hours */
    assert_true(fabs(metric(sim, "unmet_need_hours", "usar") - 90.0) < 1e-6);
    assert_true(metric(sim, "capacities_deployed", "") == 1);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ucpm_national_units_deploy_first_and_no_request(void **state) {
    (void)state;
    cx_scenario *sc = base(86400);
    sb_capacity(sc, "A-usar", 0, CX_NEED_USAR, 2);
    sb_capacity(sc, "B-usar", 1, CX_NEED_USAR, 2);
    sb_need_inject(sc, "quake", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 30); /* 2 units of 24 */
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(when(&log, CX_REC_CAPACITY, "A-usar#1", "mobilising"), 0);
    assert_int_equal(when(&log, CX_REC_CAPACITY, "A-usar#2", "mobilising"), 0);
    assert_int_equal(sb_log_count(&log, CX_REC_REQUEST, NULL), 0);
    assert_null(find_state(&log, CX_REC_CAPACITY, "B-usar#1", "offered", 0));
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ucpm_national_shortfall_leads_to_a_request(void **state) {
    (void)state;
    cx_scenario *sc = base(86400);
    sb_capacity(sc, "A-usar", 0, CX_NEED_USAR, 1);
    sb_capacity(sc, "B-usar", 1, CX_NEED_USAR, 2);
    sb_need_inject(sc, "quake", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 30);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    const sb_rec *r = find_state(&log, CX_REC_REQUEST, "quake/request", "requested", 0);
    assert_non_null(r);
    assert_string_equal(r->text, "usar=6"); /* 30 - 24 covered nationally */
    /* one B unit suffices (6 < 24): the second is not offered */
    assert_non_null(find_state(&log, CX_REC_CAPACITY, "B-usar#1", "offered", 0));
    assert_null(find_state(&log, CX_REC_CAPACITY, "B-usar#2", "offered", 0));
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

/* Two requests, one unit: equal need in units -> the earlier request; more units -> that one. */
static void competition(double need_c, const char *winner) {
    cx_scenario *sc = base(86400);
    uint32_t c = sb_capacity(sc, "B-usar", 1, CX_NEED_USAR, 1);
    sc->capacities[c].offer_latency = sb_fixed(2 * H);
    sb_need_inject(sc, "inA", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 10);
    sb_need_inject(sc, "inC", 1 * H, CX_INJECT_HAZARD, 2, CX_NEED_USAR, need_c);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    const sb_rec *r = find_state(&log, CX_REC_CAPACITY, "B-usar#1", "offered", 0);
    assert_non_null(r);
    assert_int_equal(r->t, 2 * H);
    assert_string_equal(r->cause, winner);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ucpm_competition_tie_goes_to_the_earliest_request(void **state) {
    (void)state;
    competition(20, "inA/request"); /* both need 1 unit (24 per unit) */
}

static void test_ucpm_competition_goes_to_the_largest_uncovered_need(void **state) {
    (void)state;
    competition(30, "inC/request"); /* C needs 2 units, A 1 */
}

static void test_ucpm_request_lapses(void **state) {
    (void)state;
    cx_scenario *sc = base(86400);
    sc->params.request_lapse = 10 * H;
    sc->params.ucpm_request_delay = sb_fixed(1 * H);
    sb_capacity(sc, "C-fire", 2, CX_NEED_FIREFIGHTING, 1); /* nobody has USAR */
    sb_need_inject(sc, "quake", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 10);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(when(&log, CX_REC_REQUEST, "quake/request", "lapsed"), 11 * H);
    assert_true(metric(sim, "time_to_first_arrival_censored", "") == 1);
    assert_true(metric(sim, "time_to_first_arrival", "") == 24);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void rescue_case(double need, int offered) {
    cx_scenario *sc = base(3 * 86400);
    sc->params.rescue_after = sb_fixed(2 * H);
    sc->params.ercc_relay_delay = sb_fixed(1 * H);
    uint32_t e = sb_capacity(sc, "B-ecpp", 1, CX_NEED_USAR, 1);
    sc->capacities[e].pool = CX_POOL_ECPP;
    uint32_t r = sb_capacity(sc, "C-rescEU", 2, CX_NEED_USAR, 1);
    sc->capacities[r].pool = CX_POOL_RESCUE;
    sb_need_inject(sc, "quake", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, need);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(when(&log, CX_REC_CAPACITY, "B-ecpp#1", "offered"), 1 * H);
    if (offered)
        assert_int_equal(when(&log, CX_REC_CAPACITY, "C-rescEU#1", "offered"), 3 * H);
    else
        assert_null(find_state(&log, CX_REC_CAPACITY, "C-rescEU#1", "offered", 0));
    assert_true(metric(sim, "capacities_deployed_rescue", "") == offered);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ucpm_rescue_offered_only_as_last_resort(void **state) {
    (void)state;
    rescue_case(30, 1); /* at 3 h: 29 left, the ECPP unit covers 24 */
}

static void test_ucpm_rescue_not_offered_when_covered(void **state) {
    (void)state;
    rescue_case(10, 0);
}

static void test_ucpm_endurance_rotates_units(void **state) {
    (void)state;
    cx_scenario *sc = base(86400);
    uint32_t c = sb_capacity(sc, "B-usar", 1, CX_NEED_USAR, 2);
    sc->capacities[c].endurance = sb_fixed(2 * H);
    sb_need_inject(sc, "quake", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 5);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    /* both arrive at 1 h (60 km), work 2 h, return (1 h), are offered again and come back */
    assert_int_equal(when(&log, CX_REC_CAPACITY, "B-usar#1", "operating"), 1 * H);
    assert_int_equal(when(&log, CX_REC_CAPACITY, "B-usar#1", "returning"), 3 * H);
    const sb_rec *again = find_state(&log, CX_REC_CAPACITY, "B-usar#1", "operating", 1);
    assert_non_null(again);
    assert_int_equal(again->t, 5 * H);
    /* 4 need units done by 3 h; the last one needs one unit (2 per unit): 5 h to 6 h */
    assert_null(find_state(&log, CX_REC_CAPACITY, "B-usar#2", "operating", 1));
    assert_int_equal(when(&log, CX_REC_INCIDENT, "quake", "closed"), 6 * H);
    assert_true(metric(sim, "capacities_deployed", "") == 3);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_ucpm_runs_are_deterministic(void **state) {
    (void)state;
    cx_scenario *sc = base(10 * 86400);
    cxi_params_default(&sc->params); /* lognormal delays */
    sc->params.horizon = 10 * 86400;
    sb_capacity(sc, "B-usar", 1, CX_NEED_USAR, 3);
    sb_capacity(sc, "C-usar", 2, CX_NEED_USAR, 3);
    sb_need_inject(sc, "q1", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 60);
    sb_need_inject(sc, "q2", 5 * H, CX_INJECT_HAZARD, 1, CX_NEED_USAR, 40);
    sb_log a = {0}, b = {0};
    cx_status st;
    cx_sim *s1 = sb_run(sc, 7, &a, &st);
    assert_int_equal(st, CX_OK);
    cx_sim *s2 = sb_run(sc, 7, &b, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(a.n, b.n);
    assert_true(a.n > 10);
    for (size_t i = 0; i < a.n; i++) {
        assert_int_equal(a.r[i].t, b.r[i].t);
        assert_string_equal(a.r[i].entity, b.r[i].entity);
        assert_string_equal(a.r[i].state, b.r[i].state);
    }
    cx_sim_destroy(s1);
    cx_sim_destroy(s2);
    sb_log_free(&a);
    sb_log_free(&b);
    cx_scenario_destroy(sc);
}

/* ---- M/M/c oracle ----------------------------------------------------------------------------- */

static double erlang_c(int c, double a) {
    double term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double top = term * c / (c - a); /* term = a^c / c! */
    return top / (sum + top);
}

static void test_ucpm_waiting_time_matches_erlang_c(void **state) {
    (void)state;
    const int c = 3, N = 21000, warm = 1000, batches = 20;
    const double lambda = 2.1, mu = 1.0; /* per hour: rho = 0.7 */
    cx_scenario *sc = base(1);
    sc->params.cover_within = 1000 * 86400; /* one unit covers any single request */
    sc->params.request_lapse = 1000 * 86400;
    sc->regions[1].lon = 0; /* zero distance */
    sb_capacity(sc, "B-team", 1, CX_NEED_USAR, (uint32_t)c);
    gsl_rng *rng = cxi_rng_stream(2024, 0, 99);
    double t = 0;
    char id[32];
    /* injects are appended in time order: build them directly for speed */
    sc->injects = sb_alloc(sc, (size_t)N * sizeof *sc->injects);
    for (int k = 0; k < N; k++) {
        t += gsl_ran_exponential(rng, 3600.0 / lambda);
        snprintf(id, sizeof id, "h%d", k);
        double *v = sb_alloc(sc, CX_NEED_COUNT * sizeof *v);
        v[CX_NEED_USAR] = gsl_ran_exponential(rng, 1.0 / mu); /* need units at 1 per hour */
        cx_inject *j = &sc->injects[k];
        memset(j, 0, sizeof *j);
        j->id = sb_str(sc, id);
        j->t = (cx_time)llround(t);
        j->kind = CX_INJECT_HAZARD;
        j->region = -1;
        j->sector = -1;
        j->magnitude = 1;
        j->message = j->channel = j->from = j->to = j->expected_action = j->objective = "";
        j->trigger = "";
        j->at_region = 0;
        j->needs = v;
    }
    sc->ninjects = (uint32_t)N;
    sc->params.horizon = (cx_time)t + 1000 * H;
    gsl_rng_free(rng);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    double *req = calloc((size_t)N, sizeof *req), *arr = calloc((size_t)N, sizeof *arr);
    for (int k = 0; k < N; k++) req[k] = arr[k] = -1;
    for (size_t i = 0; i < log.n; i++) {
        const sb_rec *r = &log.r[i];
        int k;
        if (r->kind == CX_REC_REQUEST && !strcmp(r->state, "requested") &&
            sscanf(r->entity, "h%d", &k) == 1)
            req[k] = (double)r->t;
        if (r->kind == CX_REC_CAPACITY && !strcmp(r->state, "operating") &&
            sscanf(r->cause, "h%d", &k) == 1 && arr[k] < 0)
            arr[k] = (double)r->t;
    }
    double bm[20], mean = 0;
    int per = (N - warm) / batches;
    for (int b = 0; b < batches; b++) {
        double s = 0;
        for (int k = warm + b * per; k < warm + (b + 1) * per; k++) {
            assert_true(req[k] >= 0 && arr[k] >= req[k]);
            s += (arr[k] - req[k]) / 3600.0;
        }
        bm[b] = s / per;
        mean += bm[b] / batches;
    }
    double var = 0;
    for (int b = 0; b < batches; b++) var += (bm[b] - mean) * (bm[b] - mean) / (batches - 1);
    double half = 2.093 * sqrt(var / batches); /* t(0.975, 19) */
    double wq = erlang_c(c, lambda / mu) / (c * mu - lambda);
    print_message("Wq simulated %.4f h +- %.4f (95%% CI), Erlang C %.4f h\n", mean, half, wq);
    assert_true(fabs(mean - wq) <= half);
    free(req);
    free(arr);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static size_t offered_at(const sb_log *l, const char *cap_prefix, cx_time t) {
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->r[i].kind == CX_REC_CAPACITY && l->r[i].t == t &&
            !strncmp(l->r[i].entity, cap_prefix, strlen(cap_prefix)) &&
            !strcmp(l->r[i].state, "offered"))
            n++;
    return n;
}

/* B has 5 free USAR units; A asks for many. With B's own incident open (needing something B
 * cannot give) B offers floor(0.5 x 5) = 2 at once, without it all 5. */
static size_t own_crisis_offers(int b_in_crisis) {
    cx_scenario *sc = base(5 * 86400);
    sc->params.ucpm_request_delay = sb_fixed(6 * H);
    sc->params.ercc_relay_delay = sb_fixed(1 * H);
    sc->params.offer_share_own_crisis = 0.5;
    uint32_t c = sb_capacity(sc, "B-usar", 1, CX_NEED_USAR, 5);
    sc->capacities[c].offer_latency = sb_fixed(2 * H);
    sb_need_inject(sc, "quake", 0, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 1000);
    if (b_in_crisis) sb_need_inject(sc, "fire", 0, CX_INJECT_HAZARD, 1, CX_NEED_FIREFIGHTING, 50);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(when(&log, CX_REC_REQUEST, "quake/request", "relayed"), 7 * H);
    size_t n = offered_at(&log, "B-usar#", 9 * H);
    if (b_in_crisis) {
        assert_int_equal(when(&log, CX_REC_INCIDENT, "fire", "open"), 0);
        assert_non_null(find_state(&log, CX_REC_CAPACITY, "B-usar#2", "offered", 0));
        assert_null(find_state(&log, CX_REC_CAPACITY, "B-usar#3", "offered", 0));
    }
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
    return n;
}

static void test_ucpm_state_in_own_crisis_offers_only_its_share(void **state) {
    (void)state;
    assert_int_equal(own_crisis_offers(1), 2);
    assert_int_equal(own_crisis_offers(0), 5);
}

/* D-usar is based 600 km (10 h) east of A; stationed in B (60 km, 1 h from A) it skips its
 * readiness and travels from B. how: 0 = at home, 1 = prepositioned_at, 2 = preposition inject. */
static cx_time preposition_arrival(int how) {
    cx_scenario *sc = base(5 * 86400);
    uint32_t d = sb_region(sc, "D", 0, 10 * LON60, 1000);
    uint32_t c = sb_capacity(sc, "D-usar", d, CX_NEED_USAR, 1);
    sc->capacities[c].readiness = sb_fixed(3 * H);
    sc->capacities[c].handling = sb_fixed(30 * SB_MIN);
    if (how == 1) sc->capacities[c].prepositioned_at = 1;
    if (how == 2) {
        cx_inject *j = sb_inject(sc, "stage", 1 * H, CX_INJECT_PREPOSITION);
        j->capacity = c;
        j->at_region = 1;
    }
    sb_need_inject(sc, "quake", 2 * H, CX_INJECT_HAZARD, 0, CX_NEED_USAR, 5);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    if (how == 2) {
        const sb_rec *r = find_state(&log, CX_REC_CAPACITY, "D-usar#1", "available", 0);
        assert_non_null(r);
        assert_int_equal(r->t, 1 * H);
        assert_string_equal(r->region, "B");
        assert_string_equal(r->text, "prepositioned");
    }
    assert_int_equal(when(&log, CX_REC_CAPACITY, "D-usar#1", "offered"), 2 * H);
    const sb_rec *op = find_state(&log, CX_REC_CAPACITY, "D-usar#1", "operating", 0);
    assert_non_null(op);
    assert_string_equal(op->region, "A");
    cx_time t = op->t;
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
    return t;
}

static void test_ucpm_prepositioned_unit_travels_from_its_station(void **state) {
    (void)state;
    /* request, relay, offer and acceptance at 2 h; then readiness + transit + handling */
    assert_int_equal(preposition_arrival(0), 2 * H + 3 * H + 10 * H + 30 * SB_MIN);
    assert_int_equal(preposition_arrival(1), 2 * H + 1 * H + 30 * SB_MIN);
    assert_int_equal(preposition_arrival(2), 2 * H + 1 * H + 30 * SB_MIN);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ucpm_chain_times_are_exact_with_fixed_delays),
        cmocka_unit_test(test_ucpm_national_units_deploy_first_and_no_request),
        cmocka_unit_test(test_ucpm_national_shortfall_leads_to_a_request),
        cmocka_unit_test(test_ucpm_competition_tie_goes_to_the_earliest_request),
        cmocka_unit_test(test_ucpm_competition_goes_to_the_largest_uncovered_need),
        cmocka_unit_test(test_ucpm_request_lapses),
        cmocka_unit_test(test_ucpm_rescue_offered_only_as_last_resort),
        cmocka_unit_test(test_ucpm_rescue_not_offered_when_covered),
        cmocka_unit_test(test_ucpm_endurance_rotates_units),
        cmocka_unit_test(test_ucpm_runs_are_deterministic),
        cmocka_unit_test(test_ucpm_waiting_time_matches_erlang_c),
        cmocka_unit_test(test_ucpm_state_in_own_crisis_offers_only_its_share),
        cmocka_unit_test(test_ucpm_prepositioned_unit_travels_from_its_station),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
