/* test_sim.c — the simulation API: run records, observers, stepping, determinism by seed, a
 * 100,000-asset chain (no recursion), and the metrics computed by hand on small cases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "model/sim_int.h"
#include "model/trigger.h"
#include "scenario_builder.h"

static void test_rec_kind_names(void **state) {
    (void)state;
    assert_string_equal(cx_rec_kind_name(CX_REC_RUN), "run");
    assert_string_equal(cx_rec_kind_name(CX_REC_INJECT), "inject");
    assert_string_equal(cx_rec_kind_name(CX_REC_ASSET), "asset");
    assert_string_equal(cx_rec_kind_name(CX_REC_SECTOR), "sector");
    assert_string_equal(cx_rec_kind_name((cx_rec_kind)99), "");
}

static cx_scenario *small(void) {
    cx_scenario *sc = sb_new("small", 12 * SB_H);
    uint32_t de = sb_region(sc, "DE", 51, 10, 0);
    uint32_t a = sb_asset(sc, "a", CX_SECTOR_POWER, de, 10);
    sc->assets[a].repair = sb_fixed(2 * SB_H);
    cx_inject *m = sb_inject(sc, "note", 0, CX_INJECT_MESSAGE);
    m->message = "Storm warning for the North Sea coast";
    sb_on_asset(sc, "hit", SB_H, CX_INJECT_DAMAGE, a, 1);
    return sc;
}

static void test_run_emits_start_first_and_end_at_horizon(void **state) {
    (void)state;
    cx_scenario *sc = small();
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    assert_true(log.n >= 4);
    assert_int_equal(log.r[0].kind, CX_REC_RUN);
    assert_string_equal(log.r[0].state, "start");
    assert_string_equal(log.r[0].text, "small");
    assert_int_equal(log.r[0].t, 0);
    assert_true(log.r[0].value == 0);
    assert_int_equal(log.r[log.n - 1].kind, CX_REC_RUN);
    assert_string_equal(log.r[log.n - 1].state, "end");
    assert_int_equal(log.r[log.n - 1].t, 12 * SB_H);
    for (size_t i = 1; i < log.n; i++) assert_true(log.r[i].t >= log.r[i - 1].t);
    const sb_rec *m = sb_log_find(&log, CX_REC_INJECT, "note", 0);
    assert_non_null(m);
    assert_string_equal(m->state, "message");
    assert_string_equal(m->text, "Storm warning for the North Sea coast");
    assert_int_equal(cx_sim_now(sim), 12 * SB_H);
    /* a second run adds nothing */
    size_t n = log.n;
    assert_int_equal(cx_sim_run(sim), CX_OK);
    assert_int_equal(log.n, n);
    assert_string_equal(cx_sim_errmsg(sim), "");
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static int same_records(const sb_log *a, const sb_log *b) {
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        const sb_rec *x = &a->r[i], *y = &b->r[i];
        if (x->t != y->t || x->kind != y->kind || strcmp(x->entity, y->entity) ||
            strcmp(x->state, y->state) || x->value != y->value || strcmp(x->cause, y->cause) ||
            x->depth != y->depth || x->cross_border != y->cross_border)
            return 0;
    }
    return 1;
}

static void test_observer_abort_stops_run_with_eio(void **state) {
    (void)state;
    cx_scenario *sc = small();
    sb_log log = {0};
    log.abort_at = 3; /* start, note, then the "hit" inject */
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_EIO);
    assert_non_null(strstr(cx_sim_errmsg(sim), "observer 1"));
    assert_non_null(strstr(cx_sim_errmsg(sim), "hit"));
    assert_int_equal(log.n, 3);
    /* the failure is sticky */
    assert_int_equal(cx_sim_run(sim), CX_EIO);
    assert_int_equal(log.n, 3);
    /* until a reset: the observer is gone, the error too, and the run is a new simulation's */
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = 1;
    assert_int_equal(cx_sim_reset(sim, &cfg), CX_OK);
    assert_string_equal(cx_sim_errmsg(sim), "");
    sb_log again = {0}, fresh = {0};
    cx_observer o = sb_log_observer(&again);
    assert_int_equal(cx_sim_subscribe(sim, &o), CX_OK);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    cx_sim *ref = sb_run(sc, 1, &fresh, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(again.n, fresh.n);
    assert_true(again.n > 3);
    assert_true(same_records(&again, &fresh));
    cx_sim_destroy(ref);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    sb_log_free(&again);
    sb_log_free(&fresh);
    cx_scenario_destroy(sc);
}

static void test_step_and_run_until_process_events_in_order(void **state) {
    (void)state;
    cx_scenario *sc = small();
    cx_sim *sim = NULL;
    assert_int_equal(cx_sim_create(sc, NULL, &sim), CX_OK);
    sb_log log = {0};
    cx_observer o = sb_log_observer(&log);
    assert_int_equal(cx_sim_subscribe(sim, &o), CX_OK);
    int stepped = 0;
    assert_int_equal(cx_sim_step(sim, &stepped), CX_OK); /* start + the message at t = 0 */
    assert_int_equal(stepped, 1);
    assert_int_equal(log.n, 2);
    assert_int_equal(cx_sim_run_until(sim, 2 * SB_H), CX_OK);
    assert_int_equal(cx_sim_now(sim), 2 * SB_H);
    assert_true(cxi_sim_asset_op(sim, 0) == 0.0);
    assert_int_equal(cx_sim_run_until(sim, SB_H), CX_EINVAL); /* no going back */
    assert_int_equal(cx_sim_run_until(sim, 100 * SB_H), CX_OK); /* clipped to the horizon */
    assert_int_equal(cx_sim_now(sim), 12 * SB_H);
    assert_true(cxi_sim_asset_op(sim, 0) == 1.0);
    assert_int_equal(cx_sim_step(sim, &stepped), CX_OK);
    assert_int_equal(stepped, 0);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

static void test_api_misuse_is_rejected(void **state) {
    (void)state;
    cx_scenario *sc = small();
    cx_sim *sim = NULL;
    assert_int_equal(cx_sim_create(NULL, NULL, &sim), CX_EINVAL);
    assert_int_equal(cx_sim_create(sc, NULL, NULL), CX_EINVAL);
    sc->injects[1].asset = 7; /* out of range: refused, not read */
    assert_int_equal(cx_sim_create(sc, NULL, &sim), CX_EINVAL);
    assert_null(sim);
    sc->injects[1].asset = 0;
    assert_int_equal(cx_sim_create(sc, NULL, &sim), CX_OK);
    sb_log logs[9];
    memset(logs, 0, sizeof logs);
    for (int i = 0; i < 8; i++) {
        cx_observer o = sb_log_observer(&logs[i]);
        assert_int_equal(cx_sim_subscribe(sim, &o), CX_OK);
    }
    cx_observer o = sb_log_observer(&logs[8]);
    assert_int_equal(cx_sim_subscribe(sim, &o), CX_ELIMIT);
    cx_observer none = {NULL, NULL};
    assert_int_equal(cx_sim_subscribe(sim, &none), CX_EINVAL);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    assert_int_equal(logs[0].n, logs[7].n); /* every observer saw every record */
    for (int i = 0; i < 9; i++) sb_log_free(&logs[i]);
    cx_sim_destroy(sim);
    cx_sim_destroy(NULL);
    cx_scenario_destroy(sc);
}

/* Random repairs and delays on a small grid: the record sequence depends only on the seed. */
static cx_scenario *random_grid(void) {
    cx_scenario *sc = sb_new("grid", 72 * SB_H);
    uint32_t r[3] = {sb_region(sc, "DE", 51, 10, 0), sb_region(sc, "PL", 52, 19, 0),
                     sb_region(sc, "CZ", 50, 15, 0)};
    char id[16];
    for (uint32_t i = 0; i < 30; i++) {
        snprintf(id, sizeof id, "a%u", i);
        uint32_t a = sb_asset(sc, id, (int)(i % CX_SECTOR_COUNT), r[i % 3], 100.0 * (i + 1));
        sc->assets[a].repair = sb_exp(6 * SB_H);
    }
    for (uint32_t i = 1; i < 30; i++) {
        uint32_t sup = (uint32_t)((i * 2654435761u) >> 7) % i; /* an earlier asset */
        sb_link(sc, sup, i, 0.6, 0.8, sb_exp(SB_H), sb_exp(2 * SB_H));
        if (i % 4 == 0) sb_link(sc, i, i / 2, 0.5, 0.5, sb_exp(SB_H), sb_exp(SB_H)); /* loops */
    }
    sb_on_asset(sc, "h1", SB_H, CX_INJECT_DAMAGE, 0, 1);
    sb_on_asset(sc, "h2", 5 * SB_H, CX_INJECT_DAMAGE, 3, 0.9);
    sb_on_sector(sc, "h3", 20 * SB_H, CX_INJECT_DAMAGE, CX_SECTOR_POWER, -1, 0.7);
    return sc;
}

static void test_same_seed_same_records_other_seed_differs(void **state) {
    (void)state;
    cx_scenario *sc = random_grid();
    sb_log l1 = {0}, l2 = {0}, l3 = {0};
    cx_status st;
    cx_sim *s1 = sb_run(sc, 42, &l1, &st);
    assert_int_equal(st, CX_OK);
    cx_sim *s2 = sb_run(sc, 42, &l2, &st);
    assert_int_equal(st, CX_OK);
    cx_sim *s3 = sb_run(sc, 43, &l3, &st);
    assert_int_equal(st, CX_OK);
    assert_true(sb_log_count(&l1, CX_REC_ASSET, NULL) > 10);
    assert_true(same_records(&l1, &l2));
    assert_false(same_records(&l1, &l3));
    const cx_metric *m1, *m2;
    size_t n1, n2;
    assert_int_equal(cx_sim_metrics(s1, &m1, &n1), CX_OK);
    assert_int_equal(cx_sim_metrics(s2, &m2, &n2), CX_OK);
    assert_int_equal(n1, n2);
    for (size_t i = 0; i < n1; i++) assert_true(m1[i].value == m2[i].value);
    cx_sim_destroy(s1);
    cx_sim_destroy(s2);
    cx_sim_destroy(s3);
    sb_log_free(&l1);
    sb_log_free(&l2);
    sb_log_free(&l3);
    cx_scenario_destroy(sc);
}

static void test_replicates_differ_and_are_reproducible(void **state) {
    (void)state;
    cx_scenario *sc = random_grid();
    sb_log l[3];
    memset(l, 0, sizeof l);
    uint64_t reps[3] = {0, 1, 0};
    for (int i = 0; i < 3; i++) {
        cx_sim_config cfg = cx_sim_config_default();
        cfg.seed = 5;
        cfg.replicate = reps[i];
        cx_sim *sim = NULL;
        assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
        cx_observer o = sb_log_observer(&l[i]);
        assert_int_equal(cx_sim_subscribe(sim, &o), CX_OK);
        assert_int_equal(cx_sim_run(sim), CX_OK);
        cx_sim_destroy(sim);
    }
    assert_true(same_records(&l[0], &l[2]));
    assert_false(same_records(&l[0], &l[1]));
    for (int i = 0; i < 3; i++) sb_log_free(&l[i]);
    cx_scenario_destroy(sc);
}

/* The asset model's arrays of a and b are in the same state (padding aside). */
static void assert_same_infra(const cx_sim *a, const cx_sim *b) {
    const cx_scenario *sc = a->sc;
    assert_int_equal(memcmp(a->as, b->as, sc->nassets * sizeof *a->as), 0);
    assert_int_equal(memcmp(a->ls, b->ls, sc->nlinks * sizeof *a->ls), 0);
    assert_int_equal(memcmp(a->qv, b->qv, sc->nassets * sizeof *a->qv), 0);
    assert_int_equal(memcmp(a->upd, b->upd, sc->nassets * sizeof *a->upd), 0);
    for (uint32_t i = 0; i < sc->nassets; i++) {
        assert_true(a->ao[i].ord == b->ao[i].ord);
        assert_true(a->ao[i].qver == b->ao[i].qver);
        assert_int_equal(a->ao[i].nout, b->ao[i].nout);
    }
    assert_true(a->ord_next == b->ord_next);
    assert_int_equal(a->ntouched, 0);
}

/* Replicate `rep` of sc on a new simulation: its records and metrics. */
static void fresh_run(const cx_scenario *sc, uint64_t seed, uint64_t rep, sb_log *log,
                      double *mv, size_t *nm) {
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = seed;
    cfg.replicate = rep;
    cx_sim *sim = NULL;
    assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
    cx_observer o = sb_log_observer(log);
    assert_int_equal(cx_sim_subscribe(sim, &o), CX_OK);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    const cx_metric *m;
    assert_int_equal(cx_sim_metrics(sim, &m, nm), CX_OK);
    for (size_t i = 0; i < *nm; i++) mv[i] = m[i].value;
    cx_sim_destroy(sim);
}

/* One simulation reset between replicates (some stopped half-way, one run twice) gives what a
 * new simulation gives, record for record and metric for metric, and a reset puts the asset
 * model's arrays back exactly as cx_sim_create leaves them. */
static void check_reset(const cx_scenario *sc, uint64_t seed) {
    static const uint64_t reps[] = {3, 0, 7, 0, 1, 12};
    static const int half[] = {0, 1, 0, 0, 1, 0}; /* stop at half the horizon, then reset */
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = seed;
    cx_sim *sim = NULL;
    size_t nonempty = 0;
    for (size_t k = 0; k < sizeof reps / sizeof reps[0]; k++) {
        cfg.replicate = reps[k];
        if (!sim) {
            assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
        } else {
            assert_int_equal(cx_sim_reset(sim, &cfg), CX_OK);
            cx_sim *ref = NULL;
            assert_int_equal(cx_sim_create(sc, &cfg, &ref), CX_OK);
            assert_same_infra(sim, ref);
            cx_sim_destroy(ref);
        }
        if (half[k]) {
            assert_int_equal(cx_sim_run_until(sim, sim->horizon / 2), CX_OK);
            continue;
        }
        sb_log got = {0}, want = {0};
        cx_observer o = sb_log_observer(&got);
        assert_int_equal(cx_sim_subscribe(sim, &o), CX_OK);
        assert_int_equal(cx_sim_run(sim), CX_OK);
        const cx_metric *m;
        size_t nm = 0, nw = 0;
        assert_int_equal(cx_sim_metrics(sim, &m, &nm), CX_OK);
        double *mv = calloc(nm + 1, sizeof *mv);
        assert_non_null(mv);
        fresh_run(sc, seed, reps[k], &want, mv, &nw);
        assert_int_equal(nm, nw);
        for (size_t i = 0; i < nm; i++)
            assert_true(m[i].value == mv[i] || (isnan(m[i].value) && isnan(mv[i])));
        assert_true(same_records(&got, &want));
        nonempty += sb_log_count(&got, CX_REC_ASSET, NULL) > 0;
        free(mv);
        sb_log_free(&got);
        sb_log_free(&want);
    }
    assert_true(nonempty > 0); /* the check saw cascades, not empty runs */
    cx_sim_destroy(sim);
}

/* A cascade cut by the horizon: b's link is left pending and b is never refreshed. */
static cx_scenario *cut_short(void) {
    cx_scenario *sc = sb_new("cut", 5 * SB_H);
    uint32_t de = sb_region(sc, "DE", 51, 10, 0);
    uint32_t a = sb_asset(sc, "a", CX_SECTOR_POWER, de, 10);
    uint32_t b = sb_asset(sc, "b", CX_SECTOR_WATER, de, 10);
    uint32_t c = sb_asset(sc, "c", CX_SECTOR_HEALTH, de, 10);
    sc->assets[a].repair = sb_fixed(48 * SB_H);
    sb_link(sc, a, b, 0.5, 0.9, sb_fixed(10 * SB_H), sb_fixed(SB_H));
    sb_link(sc, a, c, 0.5, 0.9, sb_fixed(SB_H), sb_fixed(SB_H));
    sb_on_asset(sc, "hit", SB_H, CX_INJECT_DAMAGE, a, 1);
    return sc;
}

static void test_reset_gives_what_a_new_simulation_gives(void **state) {
    (void)state;
    cx_scenario *sc = random_grid();
    check_reset(sc, 5);
    cx_scenario_destroy(sc);
    sc = cut_short();
    check_reset(sc, 1);
    cx_scenario_destroy(sc);
    /* the shipped scenarios: response models, IPCR, hybrid threats, the sector model */
    static const char *const names[] = {"election-2024", "blackout-2006", "floods-2024",
                                        "wildfires-med", "earthquake-usar"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/scenarios/%s", CX_SOURCE_DIR, names[i]);
        cx_diags *d = NULL;
        assert_int_equal(cx_diags_create(&d), CX_OK);
        sc = NULL;
        assert_int_equal(cx_scenario_load(dir, NULL, &sc, d), CX_OK);
        cx_diags_destroy(d);
        check_reset(sc, cx_scenario_seed(sc));
        cx_scenario_destroy(sc);
    }
}

static int same_first(const sb_log *a, const sb_log *b, size_t n) {
    if (a->n < n || b->n < n) return 0;
    sb_log x = *a, y = *b;
    x.n = y.n = n;
    return same_records(&x, &y);
}

/* Continuation i of replicate 0 forked at `at`, its records into log; *before = records up to
 * the fork. */
static void fork_run(const cx_scenario *sc, cx_time at, uint64_t i, sb_log *log, size_t *before) {
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = 5;
    cx_sim *sim = NULL;
    assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
    cx_observer o = sb_log_observer(log);
    assert_int_equal(cx_sim_subscribe(sim, &o), CX_OK);
    assert_int_equal(cx_sim_run_until(sim, at), CX_OK);
    *before = log->n;
    assert_int_equal(cxi_sim_reseed(sim, i), CX_OK);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    cx_sim_destroy(sim);
}

static void test_reseed_keeps_the_past_and_varies_the_future(void **state) {
    (void)state;
    cx_scenario *sc = random_grid();
    const cx_time at = 22 * SB_H;
    sb_log live = {0}, f[4], again = {0}, at0 = {0}, rep1 = {0};
    memset(f, 0, sizeof f);
    cx_status st;
    cx_sim *sim = sb_run(sc, 5, &live, &st);
    assert_int_equal(st, CX_OK);
    cx_sim_destroy(sim);
    size_t past = 0;
    while (past < live.n && live.r[past].t <= at) past++;
    assert_true(past > 10 && past < live.n);
    int differ = 0;
    for (uint64_t i = 1; i <= 3; i++) {
        size_t before;
        fork_run(sc, at, i, &f[i], &before);
        /* up to the fork, every continuation is the live run, record for record */
        assert_int_equal(before, past);
        assert_true(same_first(&f[i], &live, past));
        for (size_t k = past; k < f[i].n; k++) assert_true(f[i].r[k].t > at);
        differ += !same_records(&f[i], &live);
    }
    /* after it they draw their own chance events */
    assert_true(differ >= 2);
    assert_false(same_records(&f[1], &f[2]));
    /* the same continuation twice is the same run */
    size_t before;
    fork_run(sc, at, 2, &again, &before);
    assert_true(same_records(&again, &f[2]));
    /* continuation streams are not those of ordinary replicates: forked before anything random
     * happened, continuation 1 is not replicate 1 */
    fork_run(sc, 0, 1, &at0, &before);
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = 5;
    cfg.replicate = 1;
    assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
    cx_observer o = sb_log_observer(&rep1);
    assert_int_equal(cx_sim_subscribe(sim, &o), CX_OK);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    cx_sim_destroy(sim);
    assert_false(same_records(&at0, &rep1));
    assert_int_equal(cxi_sim_reseed(NULL, 1), CX_EINVAL);
    sb_log_free(&live);
    sb_log_free(&again);
    sb_log_free(&at0);
    sb_log_free(&rep1);
    for (int i = 0; i < 4; i++) sb_log_free(&f[i]);
    cx_scenario_destroy(sc);
}

/* Two notes taken at T+1h, when an inject knocks out a plant whose water works fails in the same
 * instant (a zero-delay link: an event scheduled during the instant). */
static cx_scenario *decided(void) {
    cx_scenario *sc = sb_new("decided", 6 * SB_H);
    uint32_t de = sb_region(sc, "DE", 51, 10, 0);
    uint32_t p = sb_asset(sc, "plant", CX_SECTOR_POWER, de, 10);
    uint32_t w = sb_asset(sc, "water", CX_SECTOR_WATER, de, 10);
    sb_link(sc, p, w, 0.5, 1, sb_fixed(0), sb_fixed(0));
    sb_on_asset(sc, "hit", SB_H, CX_INJECT_DAMAGE, p, 1);
    cxi_decision *d = sb_alloc(sc, 2 * sizeof *d);
    memset(d, 0, 2 * sizeof *d);
    for (int i = 0; i < 2; i++) {
        d[i].id = i ? "N2" : "N1";
        d[i].t = SB_H;
        d[i].kind = CXI_DK_NOTE;
        d[i].region = d[i].asset = d[i].capacity = -1;
        d[i].sector = -1;
        d[i].factor = 1;
        d[i].target = d[i].value = d[i].by = "";
        d[i].text = "seen";
        d[i].line = (uint32_t)i + 2;
    }
    sc->decisions = d;
    sc->ndecisions = 2;
    return sc;
}

static void test_decisions_act_after_every_event_of_their_instant(void **state) {
    (void)state;
    cx_scenario *sc = decided();
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    size_t water = log.n, n1 = log.n, n2 = log.n;
    for (size_t i = 0; i < log.n; i++) {
        if (log.r[i].kind == CX_REC_ASSET && !strcmp(log.r[i].entity, "water") && water == log.n)
            water = i;
        if (log.r[i].kind == CX_REC_DECISION && !strcmp(log.r[i].entity, "N1")) n1 = i;
        if (log.r[i].kind == CX_REC_DECISION && !strcmp(log.r[i].entity, "N2")) n2 = i;
    }
    assert_true(water < log.n && n2 < log.n);
    assert_int_equal(log.r[water].t, SB_H);
    assert_int_equal(log.r[n1].t, SB_H);
    /* the cascade of the instant first (what the players saw), then the notes in file order */
    assert_true(water < n1);
    assert_int_equal(n2, n1 + 1);
    for (size_t i = n1; i < log.n; i++)
        assert_false(log.r[i].kind == CX_REC_ASSET && log.r[i].t == SB_H);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

/* Counts records and keeps the last record of the chain's tail. */
typedef struct {
    size_t n;
    const char *tail;
    cx_time tail_t;
    double tail_value;
    int tail_depth;
} chain_obs;

static int on_chain(void *ud, const cx_record *r) {
    chain_obs *c = ud;
    c->n++;
    if (r->kind == CX_REC_ASSET && !strcmp(r->entity, c->tail)) {
        c->tail_t = r->t;
        c->tail_value = r->value;
        c->tail_depth = r->depth;
    }
    return 0;
}

static void test_chain_of_100000_assets_runs_without_recursion(void **state) {
    (void)state;
    enum { N = 100000 };
    cx_scenario *sc = sb_new("chain", 24 * SB_H);
    uint32_t de = sb_region(sc, "DE", 51, 10, 0);
    char id[16];
    for (uint32_t i = 0; i < N; i++) {
        snprintf(id, sizeof id, "c%u", i);
        uint32_t a = sb_asset(sc, id, CX_SECTOR_POWER, de, 1);
        sc->assets[a].repair = sb_fixed(6 * SB_H);
        if (i > 0) sb_link(sc, i - 1, i, 0.5, 1.0, sb_fixed(0), sb_fixed(0));
    }
    sb_on_asset(sc, "root", SB_H, CX_INJECT_DAMAGE, 0, 1);
    chain_obs c = {0, "c99999", -1, -1, -1};
    cx_observer o = {&c, on_chain};
    cx_sim *sim = NULL;
    assert_int_equal(cx_sim_create(sc, NULL, &sim), CX_OK);
    assert_int_equal(cx_sim_subscribe(sim, &o), CX_OK);
    assert_int_equal(cx_sim_run_until(sim, 2 * SB_H), CX_OK);
    assert_int_equal(c.tail_t, SB_H);
    assert_true(c.tail_value == 0.0);
    assert_int_equal(c.tail_depth, N - 1);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    assert_int_equal(c.tail_t, 7 * SB_H); /* the whole chain came back with the root */
    assert_true(c.tail_value == 1.0);
    /* start, inject, N failures, N recoveries, end */
    assert_int_equal(c.n, 2 * (size_t)N + 3);
    const cx_metric *m;
    size_t n;
    assert_int_equal(cx_sim_metrics(sim, &m, &n), CX_OK);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(m[i].name, "longest_cascade_chain")) assert_true(m[i].value == N - 1);
        if (!strcmp(m[i].name, "assets_failed")) assert_true(m[i].value == N);
        if (!strcmp(m[i].name, "pop_hours_without_service") && !m[i].sector[0])
            assert_true(m[i].value == 6.0 * N);
    }
    cx_sim_destroy(sim);
    cx_scenario_destroy(sc);
}

static double metric(const cx_metric *m, size_t n, const char *name, const char *sector,
                     const char *region) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(m[i].name, name) && !strcmp(m[i].sector, sector) &&
            !strcmp(m[i].region, region))
            return m[i].value;
    fail_msg("metric %s/%s/%s missing", name, sector, region);
    return NAN;
}

/* DE power (1000 people) fails at 0 and is repaired at 4 h; FR telecom (500 people) draws 0.9 of
 * it from 1 h (delay) until the repair. Everything below is worked out by hand. */
static void test_metrics_match_hand_computation(void **state) {
    (void)state;
    cx_scenario *sc = sb_new("hand", 10 * SB_H);
    uint32_t de = sb_region(sc, "DE", 51, 10, 0), fr = sb_region(sc, "FR", 47, 2, 0);
    sb_region(sc, "NL", 52, 5, 0);
    uint32_t p = sb_asset(sc, "p", CX_SECTOR_POWER, de, 1000);
    uint32_t t = sb_asset(sc, "t", CX_SECTOR_TELECOM, fr, 500);
    sc->assets[p].repair = sb_fixed(4 * SB_H);
    sb_link(sc, p, t, 0.9, 0.9, sb_fixed(SB_H), sb_fixed(0));
    sb_on_asset(sc, "hit", 0, CX_INJECT_DAMAGE, p, 1);
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, NULL, &st);
    assert_int_equal(st, CX_OK);
    const cx_metric *m;
    size_t n;
    assert_int_equal(cx_sim_metrics(sim, &m, &n), CX_OK);
    /* 1000 x 1 x 4 h + 500 x 0.9 x 3 h */
    assert_true(metric(m, n, "pop_hours_without_service", "", "") == 5350.0);
    assert_true(metric(m, n, "pop_hours_without_service", "power", "DE") == 4000.0);
    assert_true(metric(m, n, "pop_hours_without_service", "telecom", "FR") == 1350.0);
    assert_true(metric(m, n, "peak_pop_without_service", "", "") == 1450.0);
    assert_true(metric(m, n, "regions_affected", "", "") == 2.0);
    assert_true(metric(m, n, "peak_failed_assets", "", "") == 2.0);
    assert_true(metric(m, n, "assets_failed", "", "") == 2.0);
    assert_true(metric(m, n, "time_to_restore", "", "") == 4.0);
    assert_true(metric(m, n, "restored", "", "") == 1.0);
    assert_true(metric(m, n, "longest_cascade_chain", "", "") == 1.0);
    assert_true(metric(m, n, "cross_border_failures", "", "") == 1.0);
    /* inject, link activation, repair, and one update of t at 1 h and at 4 h */
    assert_true(metric(m, n, "events", "", "") == 5.0);
    /* the set depends on the scenario only: 10 whole-run + 2 (sector, region) pairs */
    assert_int_equal(n, 12);
    assert_string_equal(m[0].name, "pop_hours_without_service");
    assert_string_equal(m[0].unit, "person-hours");
    cx_sim_destroy(sim);
    cx_scenario_destroy(sc);
}

static void test_time_to_restore_is_censored_when_service_stays_out(void **state) {
    (void)state;
    cx_scenario *sc = sb_new("censored", 10 * SB_H);
    uint32_t de = sb_region(sc, "DE", 51, 10, 0);
    uint32_t a = sb_asset(sc, "a", CX_SECTOR_WATER, de, 200);
    uint32_t b = sb_asset(sc, "b", CX_SECTOR_WATER, de, 800);
    sc->assets[b].repair = sb_fixed(SB_H);
    sb_on_asset(sc, "cut_a", 2 * SB_H, CX_INJECT_DISABLE, a, 1);
    sb_on_asset(sc, "hit_b", 2 * SB_H, CX_INJECT_DAMAGE, b, 1);
    cx_sim *sim = NULL;
    assert_int_equal(cx_sim_create(sc, NULL, &sim), CX_OK);
    const cx_metric *m;
    size_t n;
    /* metrics so far, before anything happened */
    assert_int_equal(cx_sim_metrics(sim, &m, &n), CX_OK);
    size_t n_before = n;
    assert_true(metric(m, n, "restored", "", "") == 1.0);
    assert_true(metric(m, n, "time_to_restore", "", "") == 0.0);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    assert_int_equal(cx_sim_metrics(sim, &m, &n), CX_OK);
    assert_int_equal(n, n_before);
    /* peak 1000 at 2 h, 200 from 3 h to the end: 200 > 5 % of 1000 */
    assert_true(metric(m, n, "peak_pop_without_service", "", "") == 1000.0);
    assert_true(metric(m, n, "restored", "", "") == 0.0);
    assert_true(metric(m, n, "time_to_restore", "", "") == 8.0);
    assert_true(metric(m, n, "pop_hours_without_service", "water", "DE") == 200.0 * 8 + 800.0);
    cx_sim_destroy(sim);

    /* with service_restored = 0.75 the 200 left count as restored at 3 h */
    sc->params.service_restored = 0.75;
    assert_int_equal(cx_sim_create(sc, NULL, &sim), CX_OK);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    assert_int_equal(cx_sim_metrics(sim, &m, &n), CX_OK);
    assert_true(metric(m, n, "restored", "", "") == 1.0);
    assert_true(metric(m, n, "time_to_restore", "", "") == 1.0);
    cx_sim_destroy(sim);
    cx_scenario_destroy(sc);
}

/* A transient state inside one instant (restore then damage at the same time) is in the timeline
 * but not in the settled metrics. */
static void test_metrics_ignore_zero_length_states(void **state) {
    (void)state;
    cx_scenario *sc = sb_new("transient", 10 * SB_H);
    uint32_t de = sb_region(sc, "DE", 51, 10, 0);
    uint32_t a = sb_asset(sc, "a", CX_SECTOR_POWER, de, 100);
    sc->assets[a].repair = sb_fixed(3 * SB_H);
    sb_on_asset(sc, "half", SB_H, CX_INJECT_DAMAGE, a, 0.5);
    sb_on_asset(sc, "full", 2 * SB_H, CX_INJECT_DISABLE, a, 1);
    sb_on_asset(sc, "back", 2 * SB_H, CX_INJECT_RESTORE, a, 1);
    sb_log log = {0};
    cx_status st;
    cx_sim *sim = sb_run(sc, 1, &log, &st);
    assert_int_equal(st, CX_OK);
    assert_int_equal(sb_log_count(&log, CX_REC_ASSET, "a"), 3); /* 0.5, 0 (failed), 1 */
    const cx_metric *m;
    size_t n;
    assert_int_equal(cx_sim_metrics(sim, &m, &n), CX_OK);
    assert_true(metric(m, n, "peak_failed_assets", "", "") == 0.0);
    assert_true(metric(m, n, "assets_failed", "", "") == 0.0);
    assert_true(metric(m, n, "peak_pop_without_service", "", "") == 50.0);
    assert_true(metric(m, n, "pop_hours_without_service", "", "") == 50.0);
    cx_sim_destroy(sim);
    sb_log_free(&log);
    cx_scenario_destroy(sc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rec_kind_names),
        cmocka_unit_test(test_run_emits_start_first_and_end_at_horizon),
        cmocka_unit_test(test_observer_abort_stops_run_with_eio),
        cmocka_unit_test(test_step_and_run_until_process_events_in_order),
        cmocka_unit_test(test_api_misuse_is_rejected),
        cmocka_unit_test(test_same_seed_same_records_other_seed_differs),
        cmocka_unit_test(test_replicates_differ_and_are_reproducible),
        cmocka_unit_test(test_reseed_keeps_the_past_and_varies_the_future),
        cmocka_unit_test(test_reset_gives_what_a_new_simulation_gives),
        cmocka_unit_test(test_decisions_act_after_every_event_of_their_instant),
        cmocka_unit_test(test_chain_of_100000_assets_runs_without_recursion),
        cmocka_unit_test(test_metrics_match_hand_computation),
        cmocka_unit_test(test_time_to_restore_is_censored_when_service_stays_out),
        cmocka_unit_test(test_metrics_ignore_zero_length_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
