/* test_rng.c — random streams: reproducible, distinct per replicate and purpose, usable by gsl_ran_*.
 * Invariant checked: derived seeds (and first outputs) never collide across replicates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "kernel/kernel_api.h"

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_rng_same_inputs_give_the_same_stream(void **state) {
    (void)state;
    gsl_rng *a = cxi_rng_stream(42, 3, 7), *b = cxi_rng_stream(42, 3, 7);
    assert_non_null(a);
    assert_non_null(b);
    for (int i = 0; i < 1000; i++) assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
    for (int i = 0; i < 1000; i++) assert_true(gsl_rng_uniform(a) == gsl_rng_uniform(b));
    gsl_rng_free(a);
    gsl_rng_free(b);
    assert_int_equal(cxi_rng_derive(1, 2, 3), cxi_rng_derive(1, 2, 3));
}

static void test_rng_replicates_and_purposes_differ(void **state) {
    (void)state;
    assert_true(cxi_rng_derive(1, 0, 0) != cxi_rng_derive(1, 1, 0));
    assert_true(cxi_rng_derive(1, 0, 0) != cxi_rng_derive(1, 0, 1));
    assert_true(cxi_rng_derive(1, 0, 0) != cxi_rng_derive(2, 0, 0));
    gsl_rng *a = cxi_rng_stream(1, 0, 0), *b = cxi_rng_stream(1, 1, 0), *c = cxi_rng_stream(1, 0, 1);
    int same_ab = 0, same_ac = 0;
    for (int i = 0; i < 100; i++) {
        unsigned long x = gsl_rng_get(a);
        same_ab += x == gsl_rng_get(b);
        same_ac += x == gsl_rng_get(c);
    }
    assert_true(same_ab < 3);
    assert_true(same_ac < 3);
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(c);
}

static void test_rng_no_collisions_across_100000_replicates(void **state) {
    (void)state;
    enum { N = 100000 };
    uint64_t *seeds = malloc(N * sizeof *seeds), *first = malloc(N * sizeof *first);
    assert_non_null(seeds);
    assert_non_null(first);
    gsl_rng *r = gsl_rng_alloc(cxi_rng_type());
    assert_non_null(r);
    for (uint64_t i = 0; i < N; i++) {
        seeds[i] = cxi_rng_derive(12345, i, 1);
        gsl_rng_set(r, (unsigned long)seeds[i]);
        /* 53 bits: 32-bit outputs would collide by the birthday bound, doubles should not */
        first[i] = (uint64_t)(gsl_rng_uniform(r) * 9007199254740992.0);
    }
    qsort(seeds, N, sizeof *seeds, cmp_u64);
    qsort(first, N, sizeof *first, cmp_u64);
    for (size_t i = 1; i < N; i++) {
        assert_true(seeds[i] != seeds[i - 1]);
        assert_true(first[i] != first[i - 1]);
    }
    gsl_rng_free(r);
    free(seeds);
    free(first);
}

static void test_rng_stream_uses_the_derived_seed(void **state) {
    (void)state;
    gsl_rng *a = cxi_rng_stream(9, 8, 7);
    gsl_rng *b = gsl_rng_alloc(cxi_rng_type());
    gsl_rng_set(b, (unsigned long)cxi_rng_derive(9, 8, 7));
    for (int i = 0; i < 100; i++) assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
    gsl_rng_free(a);
    gsl_rng_free(b);
    assert_string_equal(cxi_rng_type()->name, "xoshiro256**");
}

static void test_rng_works_with_gsl_distributions(void **state) {
    (void)state;
    gsl_rng *r = cxi_rng_stream(2024, 0, 3);
    const int n = 200000;
    double se = 0, sg = 0, sg2 = 0, su = 0;
    unsigned long counts[7] = {0};
    for (int i = 0; i < n; i++) {
        se += gsl_ran_exponential(r, 3.0);
        double g = gsl_ran_gaussian(r, 2.0);
        sg += g;
        sg2 += g * g;
        su += gsl_rng_uniform(r);
        unsigned long k = gsl_rng_uniform_int(r, 7);
        assert_true(k < 7);
        counts[k]++;
    }
    assert_true(fabs(se / n - 3.0) < 0.05);
    assert_true(fabs(sg / n) < 0.03);
    assert_true(fabs(sqrt(sg2 / n) - 2.0) < 0.03);
    assert_true(fabs(su / n - 0.5) < 0.005);
    for (int k = 0; k < 7; k++) assert_true(fabs((double)counts[k] / n - 1.0 / 7) < 0.005);
    for (int i = 0; i < 10000; i++) {
        double u = gsl_rng_uniform(r);
        assert_true(u >= 0 && u < 1);
        assert_true(gsl_rng_get(r) <= gsl_rng_max(r));
    }
    gsl_rng_free(r);
}

int main(void) {
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_same_inputs_give_the_same_stream),
        cmocka_unit_test(test_rng_replicates_and_purposes_differ),
        cmocka_unit_test(test_rng_no_collisions_across_100000_replicates),
        cmocka_unit_test(test_rng_stream_uses_the_derived_seed),
        cmocka_unit_test(test_rng_works_with_gsl_distributions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
