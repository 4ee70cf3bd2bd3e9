/* test_kernel.c — the event loop: handler dispatch, run_until boundaries, step, errors.
 * Invariant checked: events run once each, in (time, seq) order, and now never goes back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/kernel_api.h"

typedef struct {
    cxi_kernel *k;
    uint32_t type;
    int n;
    cx_time t[64];
    uint32_t a[64];
    int fail_at;  /* return CX_ERUNTIME when a == fail_at */
    int chain;    /* schedule a follow-up this far ahead, while a < 10 */
} rec;

static cx_status on_event(void *ctx, cx_time t, const cxi_payload *p) {
    rec *r = ctx;
    assert_int_equal(cxi_kernel_now(r->k), t);
    if (r->n < 64) {
        r->t[r->n] = t;
        r->a[r->n] = p->a;
    }
    r->n++;
    if ((int)p->a == r->fail_at) return CX_ERUNTIME;
    if (r->chain >= 0 && p->a < 10) {
        cxi_payload next = *p;
        next.a = p->a + 1;
        return cxi_kernel_schedule(r->k, t + r->chain, &next, NULL);
    }
    return CX_OK;
}

static cxi_kernel *make(rec *r) {
    cxi_kernel *k = NULL;
    assert_int_equal(cxi_kernel_create(16, &k), CX_OK);
    *r = (rec){0};
    r->k = k;
    r->fail_at = -1;
    r->chain = -1;
    assert_int_equal(cxi_kernel_handler(k, on_event, r, &r->type), CX_OK);
    return k;
}

static void sched(rec *r, cx_time t, uint32_t a) {
    cxi_payload p = {r->type, a, 0, 0, 0};
    assert_int_equal(cxi_kernel_schedule(r->k, t, &p, NULL), CX_OK);
}

static void test_kernel_runs_events_in_time_then_insertion_order(void **state) {
    (void)state;
    rec r;
    cxi_kernel *k = make(&r);
    sched(&r, 30, 1);
    sched(&r, 10, 2);
    sched(&r, 30, 3);
    sched(&r, 20, 4);
    sched(&r, 10, 5);
    assert_int_equal(cxi_kernel_pending(k), 5);
    assert_int_equal(cxi_kernel_run_until(k, 100), CX_OK);
    assert_int_equal(r.n, 5);
    uint32_t want[] = {2, 5, 4, 1, 3};
    cx_time wt[] = {10, 10, 20, 30, 30};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(r.a[i], want[i]);
        assert_int_equal(r.t[i], wt[i]);
    }
    assert_int_equal(cxi_kernel_now(k), 100);
    assert_int_equal(cxi_kernel_processed(k), 5);
    assert_int_equal(cxi_kernel_pending(k), 0);
    cxi_kernel_destroy(k);
}

static void test_kernel_run_until_includes_events_at_until(void **state) {
    (void)state;
    rec r;
    cxi_kernel *k = make(&r);
    sched(&r, 50, 1);
    sched(&r, 51, 2);
    assert_int_equal(cxi_kernel_run_until(k, 49), CX_OK);
    assert_int_equal(r.n, 0);
    assert_int_equal(cxi_kernel_now(k), 49);
    assert_int_equal(cxi_kernel_run_until(k, 50), CX_OK);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0], 1);
    assert_int_equal(cxi_kernel_now(k), 50);
    /* scheduling at now is allowed and runs in the next pass */
    sched(&r, 50, 3);
    assert_int_equal(cxi_kernel_run_until(k, 50), CX_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.a[1], 3);
    assert_int_equal(cxi_kernel_pending(k), 1);
    cxi_kernel_destroy(k);
}

static void test_kernel_events_scheduled_by_handlers_run_in_the_same_pass(void **state) {
    (void)state;
    rec r;
    cxi_kernel *k = make(&r);
    r.chain = 5;
    sched(&r, 0, 0);
    assert_int_equal(cxi_kernel_run_until(k, 20), CX_OK);
    assert_int_equal(r.n, 5); /* at 0, 5, 10, 15, 20 */
    assert_int_equal(r.t[4], 20);
    assert_int_equal(cxi_kernel_pending(k), 1);
    r.chain = 0; /* same-time follow-ups */
    assert_int_equal(cxi_kernel_run_until(k, 25), CX_OK);
    assert_int_equal(r.n, 11);
    assert_int_equal(r.t[10], 25);
    assert_int_equal(r.a[10], 10);
    cxi_kernel_destroy(k);
}

static void test_kernel_step_processes_one_event_at_a_time(void **state) {
    (void)state;
    rec r;
    cxi_kernel *k = make(&r);
    sched(&r, 5, 1);
    sched(&r, 7, 2);
    int stepped = -1;
    assert_int_equal(cxi_kernel_step(k, 6, &stepped), CX_OK);
    assert_int_equal(stepped, 1);
    assert_int_equal(cxi_kernel_now(k), 5);
    assert_int_equal(cxi_kernel_step(k, 6, &stepped), CX_OK);
    assert_int_equal(stepped, 0);
    assert_int_equal(cxi_kernel_now(k), 5); /* unchanged */
    /* a schedule between now and the next event after a fruitless step still comes first */
    sched(&r, 6, 3);
    assert_int_equal(cxi_kernel_step(k, 100, &stepped), CX_OK);
    assert_int_equal(stepped, 1);
    assert_int_equal(r.a[1], 3);
    assert_int_equal(cxi_kernel_step(k, 100, &stepped), CX_OK);
    assert_int_equal(r.a[2], 2);
    assert_int_equal(cxi_kernel_now(k), 7);
    assert_int_equal(cxi_kernel_step(k, 100, &stepped), CX_OK);
    assert_int_equal(stepped, 0);
    cxi_kernel_destroy(k);
}

static void test_kernel_rejects_scheduling_in_the_past_and_unknown_types(void **state) {
    (void)state;
    rec r;
    cxi_kernel *k = make(&r);
    assert_int_equal(cxi_kernel_run_until(k, 100), CX_OK);
    cxi_payload p = {r.type, 0, 0, 0, 0};
    assert_int_equal(cxi_kernel_schedule(k, 99, &p, NULL), CX_EINVAL);
    assert_int_equal(cxi_kernel_schedule(k, 100, &p, NULL), CX_OK);
    p.type = r.type + 1;
    assert_int_equal(cxi_kernel_schedule(k, 200, &p, NULL), CX_EINVAL);
    assert_int_equal(cxi_kernel_run_until(k, 50), CX_EINVAL);
    assert_int_equal(cxi_kernel_pending(k), 1);
    cxi_kernel_destroy(k);
}

static void test_kernel_handler_error_stops_the_run(void **state) {
    (void)state;
    rec r;
    cxi_kernel *k = make(&r);
    r.fail_at = 2;
    sched(&r, 1, 1);
    sched(&r, 2, 2);
    sched(&r, 3, 3);
    assert_int_equal(cxi_kernel_run_until(k, 10), CX_ERUNTIME);
    assert_int_equal(r.n, 2);
    assert_int_equal(cxi_kernel_now(k), 2);
    assert_int_equal(cxi_kernel_pending(k), 1);
    /* the run can go on afterwards */
    assert_int_equal(cxi_kernel_run_until(k, 10), CX_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.a[2], 3);
    cxi_kernel_destroy(k);
}

static void test_kernel_cancelled_events_do_not_run(void **state) {
    (void)state;
    rec r;
    cxi_kernel *k = make(&r);
    cxi_payload p = {r.type, 1, 0, 0, 0};
    cxi_event_id id = CXI_EVENT_NONE;
    assert_int_equal(cxi_kernel_schedule(k, 10, &p, &id), CX_OK);
    sched(&r, 20, 2);
    assert_int_equal(cxi_kernel_cancel(k, id), 1);
    assert_int_equal(cxi_kernel_cancel(k, id), 0);
    assert_int_equal(cxi_kernel_pending(k), 1);
    assert_int_equal(cxi_kernel_run_until(k, 30), CX_OK);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.a[0], 2);
    cxi_kernel_destroy(k);
}

static cx_status on_noop(void *ctx, cx_time t, const cxi_payload *p) {
    (void)ctx;
    (void)t;
    (void)p;
    return CX_OK;
}

static void test_kernel_accepts_at_most_64_handlers(void **state) {
    (void)state;
    cxi_kernel *k = NULL;
    assert_int_equal(cxi_kernel_create(0, &k), CX_OK);
    uint32_t type = 99;
    for (uint32_t i = 0; i < 64; i++) {
        assert_int_equal(cxi_kernel_handler(k, on_noop, NULL, &type), CX_OK);
        assert_int_equal(type, i);
    }
    assert_int_equal(cxi_kernel_handler(k, on_noop, NULL, &type), CX_ELIMIT);
    assert_int_equal(cxi_kernel_handler(k, NULL, NULL, &type), CX_EINVAL);
    cxi_kernel_destroy(k);
    cxi_kernel_destroy(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_runs_events_in_time_then_insertion_order),
        cmocka_unit_test(test_kernel_run_until_includes_events_at_until),
        cmocka_unit_test(test_kernel_events_scheduled_by_handlers_run_in_the_same_pass),
        cmocka_unit_test(test_kernel_step_processes_one_event_at_a_time),
        cmocka_unit_test(test_kernel_rejects_scheduling_in_the_past_and_unknown_types),
        cmocka_unit_test(test_kernel_handler_error_stops_the_run),
        cmocka_unit_test(test_kernel_cancelled_events_do_not_run),
        cmocka_unit_test(test_kernel_accepts_at_most_64_handlers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
