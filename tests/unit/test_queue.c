/* test_queue.c — the event queue against a sorted-array oracle, ties, cancellation, sizes.
 * Invariant checked: pops come out in (time, insertion seq) order, cancelled events never pop. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_api.h"

static uint64_t rnd(uint64_t *s) {
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* The oracle: every event ever pushed, with its state; the next pop is the live one with the
 * smallest (time, seq), found by a linear scan. */
typedef struct {
    cx_time t;
    uint32_t seq;
    cxi_event_id id;
    int state; /* 0 pending, 1 popped, 2 cancelled */
} oracle_ev;

typedef struct {
    oracle_ev *ev;
    size_t n, cap, pending;
} oracle;

static void oracle_push(oracle *o, cx_time t, cxi_event_id id) {
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 256;
        o->ev = realloc(o->ev, o->cap * sizeof *o->ev);
        assert_non_null(o->ev);
    }
    o->ev[o->n] = (oracle_ev){t, (uint32_t)o->n, id, 0};
    o->n++;
    o->pending++;
}

static long oracle_min(const oracle *o) {
    long best = -1;
    for (size_t i = 0; i < o->n; i++) {
        if (o->ev[i].state != 0) continue;
        if (best < 0 || o->ev[i].t < o->ev[best].t) best = (long)i; /* ties: lower index = earlier seq */
    }
    return best;
}

/* Random mix of push/cancel/pop with times drawn from a narrow or a wide range (narrow: many ties;
 * wide: every radix level). `monotone`: pushes never go below the last popped time, as in the kernel. */
static void run_oracle_mix(uint64_t seed, int nops, int64_t spread, int monotone, int mixed) {
    cxi_queue *q = NULL;
    assert_int_equal(cxi_queue_create(0, &q), CX_OK);
    oracle o = {0};
    uint64_t s = seed;
    cx_time now = -(cx_time)(rnd(&s) % 1000);
    for (int op = 0; op < nops; op++) {
        uint64_t r = rnd(&s) % 100;
        if (r < 50) {
            cx_time back = monotone ? 0 : (cx_time)(rnd(&s) % (uint64_t)(spread + 1)) / 4;
            cx_time base = now >= INT64_MIN + back ? now - back : INT64_MIN;
            cx_time d = (cx_time)(rnd(&s) % (uint64_t)(spread + 1));
            if (mixed) {
                /* same-time bursts, short delays and rare far outliers, as a cascade model makes */
                uint64_t m = rnd(&s) % 10;
                d = m < 4 ? 0 : m < 9 ? (cx_time)(rnd(&s) % 100) : (cx_time)(rnd(&s) % (UINT64_C(1) << 50));
            }
            /* saturate near the top of the time range (the wide runs get there) */
            cx_time t = base <= INT64_MAX - d ? base + d : INT64_MAX - (cx_time)(rnd(&s) % 4);
            if (t < now && monotone) t = now;
            cxi_payload p = {0, (uint32_t)o.n, 0, 0, (double)t};
            cxi_event_id id = CXI_EVENT_NONE;
            assert_int_equal(cxi_queue_push(q, t, &p, &id), CX_OK);
            assert_true(id != CXI_EVENT_NONE);
            oracle_push(&o, t, id);
        } else if (r < 65) {
            if (o.n == 0) continue;
            size_t k = (size_t)(rnd(&s) % o.n);
            int expect = o.ev[k].state == 0;
            assert_int_equal(cxi_queue_cancel(q, o.ev[k].id), expect);
            if (expect) {
                o.ev[k].state = 2;
                o.pending--;
            }
        } else {
            long k = oracle_min(&o);
            cx_time t = 0;
            cxi_payload p;
            memset(&p, 0, sizeof p);
            if (k < 0) {
                assert_int_equal(cxi_queue_pop(q, &t, &p), 0);
                continue;
            }
            cx_time pt = 0;
            assert_int_equal(cxi_queue_peek(q, &pt), 1);
            assert_int_equal(pt, o.ev[k].t);
            assert_int_equal(cxi_queue_pop(q, &t, &p), 1);
            assert_int_equal(t, o.ev[k].t);
            assert_int_equal(p.a, o.ev[k].seq);
            o.ev[k].state = 1;
            o.pending--;
            now = t;
        }
        assert_int_equal(cxi_queue_size(q), o.pending);
    }
    /* drain */
    for (;;) {
        long k = oracle_min(&o);
        cx_time t = 0;
        cxi_payload p;
        if (k < 0) {
            assert_int_equal(cxi_queue_pop(q, &t, &p), 0);
            assert_int_equal(cxi_queue_peek(q, &t), 0);
            break;
        }
        assert_int_equal(cxi_queue_pop(q, &t, &p), 1);
        assert_int_equal(t, o.ev[k].t);
        assert_int_equal(p.a, o.ev[k].seq);
        o.ev[k].state = 1;
    }
    assert_int_equal(cxi_queue_size(q), 0);
    /* no id of the run can be cancelled any more */
    for (size_t i = 0; i < o.n; i++) assert_int_equal(cxi_queue_cancel(q, o.ev[i].id), 0);
    free(o.ev);
    cxi_queue_destroy(q);
}

static void run_oracle(uint64_t seed, int nops, int64_t spread, int monotone) {
    run_oracle_mix(seed, nops, spread, monotone, 0);
}

static void test_queue_matches_sorted_oracle_with_bursts_and_outliers(void **state) {
    (void)state;
    for (uint64_t seed = 41; seed <= 45; seed++) run_oracle_mix(seed, 5000, 0, 1, 1);
    run_oracle_mix(46, 5000, 0, 0, 1);
}

static void test_queue_same_time_burst_keeps_insertion_order(void **state) {
    (void)state;
    cxi_queue *q = NULL;
    assert_int_equal(cxi_queue_create(0, &q), CX_OK);
    cxi_payload p = {0};
    /* a window exists, then a large burst lands in its current bucket */
    for (uint32_t i = 0; i < 100; i++) {
        p.a = 1000000 + i;
        assert_int_equal(cxi_queue_push(q, 1000 + (cx_time)i * 10, &p, NULL), CX_OK);
    }
    cx_time t;
    assert_int_equal(cxi_queue_pop(q, &t, &p), 1);
    assert_int_equal(t, 1000);
    enum { B = 50000 };
    for (uint32_t i = 0; i < B; i++) {
        p.a = i;
        assert_int_equal(cxi_queue_push(q, 1000 + (i % 2) * 5, &p, NULL), CX_OK);
    }
    uint32_t even = 0, odd = 1;
    for (uint32_t i = 0; i < B; i++) {
        assert_int_equal(cxi_queue_pop(q, &t, &p), 1);
        if (i < B / 2) {
            assert_int_equal(t, 1000);
            assert_int_equal(p.a, even);
            even += 2;
        } else {
            assert_int_equal(t, 1005);
            assert_int_equal(p.a, odd);
            odd += 2;
        }
    }
    assert_int_equal(cxi_queue_pop(q, &t, &p), 1);
    assert_int_equal(t, 1010);
    assert_int_equal(p.a, 1000001);
    cxi_queue_destroy(q);
}

static void test_queue_refills_after_draining(void **state) {
    (void)state;
    cxi_queue *q = NULL;
    assert_int_equal(cxi_queue_create(0, &q), CX_OK);
    cxi_payload p = {0};
    cx_time t;
    for (int round = 0; round < 5; round++) {
        for (uint32_t i = 0; i < 300; i++) {
            p.a = i;
            assert_int_equal(cxi_queue_push(q, round * 100000 + (cx_time)(i * 7919 % 300) * 3, &p, NULL), CX_OK);
        }
        cx_time prev = INT64_MIN;
        for (uint32_t i = 0; i < 300; i++) {
            assert_int_equal(cxi_queue_pop(q, &t, &p), 1);
            assert_true(t >= prev);
            prev = t;
        }
        assert_int_equal(cxi_queue_pop(q, &t, &p), 0);
        assert_int_equal(cxi_queue_size(q), 0);
    }
    cxi_queue_destroy(q);
}

static void test_queue_matches_sorted_oracle_with_many_ties(void **state) {
    (void)state;
    for (uint64_t seed = 1; seed <= 5; seed++) run_oracle(seed, 4000, 20, 1);
}

static void test_queue_matches_sorted_oracle_with_wide_times(void **state) {
    (void)state;
    for (uint64_t seed = 11; seed <= 15; seed++) run_oracle(seed, 4000, INT64_C(1) << 40, 1);
    run_oracle(99, 4000, INT64_C(3) << 61, 1);
}

static void test_queue_matches_sorted_oracle_when_pushing_into_the_past(void **state) {
    (void)state;
    for (uint64_t seed = 21; seed <= 25; seed++) run_oracle(seed, 3000, 5000, 0);
    for (uint64_t seed = 31; seed <= 33; seed++) run_oracle(seed, 3000, INT64_C(1) << 33, 0);
}

static void test_queue_orders_ties_by_insertion(void **state) {
    (void)state;
    cxi_queue *q = NULL;
    assert_int_equal(cxi_queue_create(4, &q), CX_OK);
    /* interleave two times so equal-time events are not pushed back to back */
    for (uint32_t i = 0; i < 1000; i++) {
        cxi_payload p = {0, i, 0, 0, 0};
        assert_int_equal(cxi_queue_push(q, (i % 2) ? 500 : 100, &p, NULL), CX_OK);
    }
    cx_time t;
    cxi_payload p;
    for (uint32_t i = 0; i < 1000; i++) {
        assert_int_equal(cxi_queue_pop(q, &t, &p), 1);
        uint32_t want = i < 500 ? 2 * i : 2 * (i - 500) + 1;
        assert_int_equal(t, i < 500 ? 100 : 500);
        assert_int_equal(p.a, want);
    }
    assert_int_equal(cxi_queue_pop(q, &t, &p), 0);
    cxi_queue_destroy(q);
}

static void test_queue_cancel_of_fired_cancelled_or_none_returns_0(void **state) {
    (void)state;
    cxi_queue *q = NULL;
    assert_int_equal(cxi_queue_create(0, &q), CX_OK);
    cxi_payload p = {0, 1, 2, 3, 4.0};
    cxi_event_id a, b, c;
    assert_int_equal(cxi_queue_push(q, 10, &p, &a), CX_OK);
    assert_int_equal(cxi_queue_push(q, 20, &p, &b), CX_OK);
    assert_int_equal(cxi_queue_push(q, 30, &p, &c), CX_OK);
    assert_int_equal(cxi_queue_size(q), 3);
    assert_int_equal(cxi_queue_cancel(q, CXI_EVENT_NONE), 0);
    assert_int_equal(cxi_queue_cancel(q, b), 1);
    assert_int_equal(cxi_queue_cancel(q, b), 0);
    assert_int_equal(cxi_queue_size(q), 2);
    cx_time t;
    cxi_payload out;
    assert_int_equal(cxi_queue_pop(q, &t, &out), 1);
    assert_int_equal(t, 10);
    assert_int_equal(out.b, 2);
    assert_int_equal(cxi_queue_cancel(q, a), 0); /* fired */
    /* a's slot is reused by the next push: the old id must still not match */
    cxi_event_id d;
    assert_int_equal(cxi_queue_push(q, 40, &p, &d), CX_OK);
    assert_true(d != a);
    assert_int_equal(cxi_queue_cancel(q, a), 0);
    assert_int_equal(cxi_queue_cancel(q, UINT64_C(0xFFFFFFFF00001234)), 0); /* never issued */
    assert_int_equal(cxi_queue_pop(q, &t, &out), 1);
    assert_int_equal(t, 30); /* b was cancelled */
    assert_int_equal(cxi_queue_pop(q, &t, &out), 1);
    assert_int_equal(t, 40);
    assert_int_equal(cxi_queue_pop(q, &t, &out), 0);
    assert_int_equal(cxi_queue_size(q), 0);
    cxi_queue_destroy(q);
}

static void test_queue_pop_until_stops_at_the_limit(void **state) {
    (void)state;
    cxi_queue *q = NULL;
    assert_int_equal(cxi_queue_create(0, &q), CX_OK);
    cxi_payload p = {0};
    for (cx_time t = 0; t < 100; t += 10) assert_int_equal(cxi_queue_push(q, t * 1000, &p, NULL), CX_OK);
    cx_time t = -1;
    int n = 0;
    while (cxi_queue_pop_until(q, 45000, &t, NULL) == 1) n++;
    assert_int_equal(n, 5);
    assert_int_equal(cxi_queue_size(q), 5);
    /* a push between the limit and the next event still pops first */
    assert_int_equal(cxi_queue_push(q, 46000, &p, NULL), CX_OK);
    assert_int_equal(cxi_queue_pop(q, &t, NULL), 1);
    assert_int_equal(t, 46000);
    assert_int_equal(cxi_queue_pop(q, &t, NULL), 1);
    assert_int_equal(t, 50000);
    cxi_queue_destroy(q);
}

static void test_queue_handles_negative_and_extreme_times(void **state) {
    (void)state;
    cxi_queue *q = NULL;
    assert_int_equal(cxi_queue_create(0, &q), CX_OK);
    cx_time ts[] = {INT64_MAX, -5, INT64_MIN, 0, 7, -259200, INT64_MAX - 1, INT64_MIN + 1};
    cx_time sorted[] = {INT64_MIN, INT64_MIN + 1, -259200, -5, 0, 7, INT64_MAX - 1, INT64_MAX};
    cxi_payload p = {0};
    for (size_t i = 0; i < 8; i++) assert_int_equal(cxi_queue_push(q, ts[i], &p, NULL), CX_OK);
    for (size_t i = 0; i < 8; i++) {
        cx_time t;
        assert_int_equal(cxi_queue_pop(q, &t, NULL), 1);
        assert_int_equal(t, sorted[i]);
    }
    cxi_queue_destroy(q);
}

static void test_queue_mass_cancel_keeps_survivors_in_order(void **state) {
    (void)state;
    cxi_queue *q = NULL;
    assert_int_equal(cxi_queue_create(0, &q), CX_OK);
    enum { N = 20000 };
    cxi_event_id *ids = malloc(N * sizeof *ids);
    assert_non_null(ids);
    for (uint32_t i = 0; i < N; i++) {
        cxi_payload p = {0, i, 0, 0, 0};
        assert_int_equal(cxi_queue_push(q, (cx_time)(i / 3) * 977, &p, &ids[i]), CX_OK);
    }
    for (uint32_t i = 0; i < N; i++)
        if (i % 10 != 0) assert_int_equal(cxi_queue_cancel(q, ids[i]), 1);
    assert_int_equal(cxi_queue_size(q), N / 10);
    for (uint32_t i = 0; i < N; i += 10) {
        cx_time t;
        cxi_payload p;
        assert_int_equal(cxi_queue_pop(q, &t, &p), 1);
        assert_int_equal(p.a, i);
        assert_int_equal(t, (cx_time)(i / 3) * 977);
    }
    assert_int_equal(cxi_queue_pop(q, NULL, NULL), 0);
    free(ids);
    cxi_queue_destroy(q);
}

/* A random mix of pushes, cancels and pops that leaves events pending, as a trace of everything
 * the queue returned (ids, times, payloads, sizes). */
static size_t trace_mix(cxi_queue *q, uint64_t seed, uint64_t *out, size_t cap) {
    uint64_t s = seed;
    size_t n = 0;
    cxi_event_id ids[512];
    size_t nid = 0;
    cx_time now = 0;
    for (int op = 0; op < 3000 && n + 4 < cap; op++) {
        uint64_t r = rnd(&s) % 100;
        if (r < 55) {
            cx_time t = now + (cx_time)(rnd(&s) % 5000);
            cxi_payload p = {0, (uint32_t)op, 0, 0, 0.0};
            cxi_event_id id;
            assert_int_equal(cxi_queue_push(q, t, &p, &id), CX_OK);
            ids[nid++ % 512] = id;
            out[n++] = id;
        } else if (r < 65 && nid > 0) {
            out[n++] = (uint64_t)cxi_queue_cancel(q, ids[rnd(&s) % (nid < 512 ? nid : 512)]);
        } else {
            cx_time t = 0;
            cxi_payload p = {0, 0, 0, 0, 0.0};
            int got = cxi_queue_pop(q, &t, &p);
            out[n++] = (uint64_t)got;
            if (got) {
                out[n++] = (uint64_t)t;
                out[n++] = p.a;
                now = t;
            }
        }
        out[n++] = cxi_queue_size(q);
    }
    return n;
}

static void test_queue_clear_gives_a_new_queue(void **state) {
    (void)state;
    enum { CAP = 20000 };
    uint64_t *a = malloc(CAP * sizeof *a), *b = malloc(CAP * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        cxi_queue *fresh = NULL, *used = NULL;
        assert_int_equal(cxi_queue_create(0, &fresh), CX_OK);
        assert_int_equal(cxi_queue_create(0, &used), CX_OK);
        size_t na = trace_mix(fresh, seed, a, CAP);
        (void)trace_mix(used, seed + 100, b, CAP); /* leaves events pending and rungs built */
        assert_true(cxi_queue_size(used) > 0);
        cxi_queue_clear(used);
        assert_int_equal(cxi_queue_size(used), 0);
        cx_time t;
        assert_int_equal(cxi_queue_peek(used, &t), 0);
        size_t nb = trace_mix(used, seed, b, CAP);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na * sizeof *a); /* same pops, same ids */
        cxi_queue_destroy(fresh);
        cxi_queue_destroy(used);
    }
    free(a);
    free(b);
}

static void test_queue_destroy_null_is_a_no_op(void **state) {
    (void)state;
    cxi_queue_destroy(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_matches_sorted_oracle_with_many_ties),
        cmocka_unit_test(test_queue_matches_sorted_oracle_with_wide_times),
        cmocka_unit_test(test_queue_matches_sorted_oracle_when_pushing_into_the_past),
        cmocka_unit_test(test_queue_matches_sorted_oracle_with_bursts_and_outliers),
        cmocka_unit_test(test_queue_same_time_burst_keeps_insertion_order),
        cmocka_unit_test(test_queue_refills_after_draining),
        cmocka_unit_test(test_queue_orders_ties_by_insertion),
        cmocka_unit_test(test_queue_cancel_of_fired_cancelled_or_none_returns_0),
        cmocka_unit_test(test_queue_pop_until_stops_at_the_limit),
        cmocka_unit_test(test_queue_handles_negative_and_extreme_times),
        cmocka_unit_test(test_queue_mass_cancel_keeps_survivors_in_order),
        cmocka_unit_test(test_queue_clear_gives_a_new_queue),
        cmocka_unit_test(test_queue_destroy_null_is_a_no_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
