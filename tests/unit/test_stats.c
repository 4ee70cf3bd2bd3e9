/* test_stats.c — summary statistics and Welch's test against hand-computed values and GSL.
 * Reference values: sample data worked by hand; the Welch example is Wikipedia's "Welch's t-test"
 * example 1 (t = -2.46, df = 24.99, p = 0.021), recomputed to more digits by numeric integration. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_statistics_double.h>

#include "io/stats.h"

#define assert_near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void test_stats_mean_sd_ci_match_hand_computation(void **state) {
    (void)state;
    double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    cxi_stats_summary s;
    cxi_stats_summarize(x, 8, &s);
    assert_int_equal(s.n, 8);
    assert_near(s.mean, 5.0, 1e-15);
    /* sum of squared deviations = 32, divisor n - 1 = 7 */
    assert_near(s.sd, sqrt(32.0 / 7.0), 1e-14);
    /* t(0.975, 7) = 2.364624251592785 from tables */
    double half = 2.364624251592785 * sqrt(32.0 / 7.0) / sqrt(8.0);
    assert_near(s.ci95_low, 5.0 - half, 1e-12);
    assert_near(s.ci95_high, 5.0 + half, 1e-12);
    assert_near(s.min, 2.0, 0);
    assert_near(s.max, 9.0, 0);
}

static void test_stats_quantiles_interpolate_like_gsl(void **state) {
    (void)state;
    double x[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}; /* unsorted on purpose */
    cxi_stats_summary s;
    cxi_stats_summarize(x, 10, &s);
    /* (n-1) p = 0.45, 4.5, 8.55 -> linear interpolation between neighbours */
    assert_near(s.p5, 1.45, 1e-12);
    assert_near(s.p50, 5.5, 1e-12);
    assert_near(s.p95, 9.55, 1e-12);
    double sorted[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_near(s.p95, gsl_stats_quantile_from_sorted_data(sorted, 1, 10, 0.95), 0);
    assert_near(cxi_stats_quantile_sorted(sorted, 10, 0.0), 1.0, 0);
    assert_near(cxi_stats_quantile_sorted(sorted, 10, 1.0), 10.0, 0);
    assert_true(isnan(cxi_stats_quantile_sorted(sorted, 10, 1.5)));
    assert_true(isnan(cxi_stats_quantile_sorted(sorted, 0, 0.5)));
}

static void test_stats_ci_matches_gsl_tdist(void **state) {
    (void)state;
    double lo, hi;
    cxi_stats_ci95(10.0, 2.0, 30, &lo, &hi);
    double half = gsl_cdf_tdist_Pinv(0.975, 29.0) * 2.0 / sqrt(30.0);
    assert_near(lo, 10.0 - half, 1e-12);
    assert_near(hi, 10.0 + half, 1e-12);
    /* t(0.975, 29) = 2.045229642132703 from tables */
    assert_near(half, 2.045229642132703 * 2.0 / sqrt(30.0), 1e-12);
}

static void test_stats_skips_nonfinite_values_and_counts_the_rest(void **state) {
    (void)state;
    double x[] = {NAN, 3.0, INFINITY, 1.0, -INFINITY, 2.0};
    cxi_stats_summary s;
    cxi_stats_summarize(x, 6, &s);
    assert_int_equal(s.n, 3);
    assert_near(s.mean, 2.0, 1e-15);
    assert_near(s.sd, 1.0, 1e-15);
    assert_near(s.min, 1.0, 0);
    assert_near(s.max, 3.0, 0);
    assert_near(s.p50, 2.0, 0);
}

static void test_stats_mean_uses_original_order_before_sorting(void **state) {
    (void)state;
    /* The running mean depends on order in the last bits; summarize must equal the plain mean of
     * the finite values in their original order (so merged and single runs agree). */
    double x[] = {1e16, 1.0, -1e16, 3.0, 0.1, NAN, 7.5};
    double finite[] = {1e16, 1.0, -1e16, 3.0, 0.1, 7.5};
    double want = gsl_stats_mean(finite, 1, 6);
    cxi_stats_summary s;
    cxi_stats_summarize(x, 7, &s);
    assert_true(s.mean == want);
}

static void test_stats_small_samples_give_nan_not_errors(void **state) {
    (void)state;
    cxi_stats_summary s;
    cxi_stats_summarize(NULL, 0, &s);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean) && isnan(s.sd) && isnan(s.ci95_low) && isnan(s.p50) && isnan(s.min));
    double one[] = {4.25};
    cxi_stats_summarize(one, 1, &s);
    assert_int_equal(s.n, 1);
    assert_near(s.mean, 4.25, 0);
    assert_true(isnan(s.sd) && isnan(s.ci95_low) && isnan(s.ci95_high));
    assert_near(s.p5, 4.25, 0);
    assert_near(s.p95, 4.25, 0);
    double same[] = {2.0, 2.0, 2.0};
    cxi_stats_summarize(same, 3, &s);
    assert_near(s.sd, 0.0, 0);
    assert_near(s.ci95_low, 2.0, 0);
    assert_near(s.ci95_high, 2.0, 0);
}

static void summary_of(const double *x, size_t n, cxi_stats_summary *s) {
    double buf[64];
    memcpy(buf, x, n * sizeof *x);
    cxi_stats_summarize(buf, n, s);
}

static void test_stats_welch_matches_wikipedia_example(void **state) {
    (void)state;
    const double a1[] = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
                         21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
    const double a2[] = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
                         24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};
    cxi_stats_summary s1, s2;
    summary_of(a1, 15, &s1);
    summary_of(a2, 15, &s2);
    cxi_stats_welch_result w;
    assert_int_equal(cxi_stats_welch(&s1, &s2, &w), CX_OK);
    assert_near(w.diff, 20.82 - 22.986666666666668, 1e-12);
    assert_near(w.t, -2.45535639828601, 1e-10);
    assert_near(w.df, 24.98852929023142, 1e-9);
    assert_near(w.p, 0.021378001462863, 1e-7);
    assert_near(w.ci95_low, -3.9840962671410782, 1e-7);
    assert_near(w.ci95_high, -0.3492370661922646, 1e-7);
    /* symmetric */
    cxi_stats_welch_result r;
    assert_int_equal(cxi_stats_welch(&s2, &s1, &r), CX_OK);
    assert_near(r.t, -w.t, 1e-12);
    assert_near(r.p, w.p, 1e-15);
}

static void test_stats_welch_identical_samples_give_p_one(void **state) {
    (void)state;
    const double a[] = {1, 2, 3, 4, 5};
    cxi_stats_summary s;
    summary_of(a, 5, &s);
    cxi_stats_welch_result w;
    assert_int_equal(cxi_stats_welch(&s, &s, &w), CX_OK);
    assert_near(w.diff, 0.0, 0);
    assert_near(w.p, 1.0, 1e-12);
    assert_near(w.df, 8.0, 1e-12); /* equal variances and sizes: df = 2n - 2 */
}

static void test_stats_welch_constant_samples_and_small_n(void **state) {
    (void)state;
    const double a[] = {3, 3, 3}, b[] = {5, 5}, c[] = {7};
    cxi_stats_summary sa, sb, sc;
    summary_of(a, 3, &sa);
    summary_of(b, 2, &sb);
    summary_of(c, 1, &sc);
    cxi_stats_welch_result w;
    assert_int_equal(cxi_stats_welch(&sb, &sa, &w), CX_OK);
    assert_near(w.diff, 2.0, 0);
    assert_near(w.p, 0.0, 0);
    assert_near(w.ci95_low, 2.0, 0);
    assert_near(w.ci95_high, 2.0, 0);
    assert_int_equal(cxi_stats_welch(&sa, &sa, &w), CX_OK);
    assert_near(w.p, 1.0, 0);
    assert_int_equal(cxi_stats_welch(&sa, &sc, &w), CX_EINVAL);
    assert_near(w.diff, -4.0, 0);
    assert_true(isnan(w.p) && isnan(w.ci95_low));
}

/* Variances near the ends of the double range: df = se^4 / sum(v^2 / (n - 1)) computed naively
 * underflows (0/0) or overflows (inf/inf) there, and NaN degrees of freedom reach GSL. */
static void test_stats_welch_survives_tiny_and_huge_variances(void **state) {
    (void)state;
    const double sds[] = {1e-155, 1e-300, 1e160, 1e300};
    for (size_t i = 0; i < sizeof sds / sizeof sds[0]; i++) {
        cxi_stats_summary a = {.n = 10, .mean = 1.0, .sd = sds[i]};
        cxi_stats_summary b = {.n = 20, .mean = 1.0 + sds[i], .sd = sds[i]};
        cxi_stats_welch_result w;
        assert_int_equal(cxi_stats_welch(&a, &b, &w), CX_OK);
        /* equal sds: df = (1/10 + 1/20)^2 / (1/(100*9) + 1/(400*19)) */
        double want = pow(0.15, 2) / (1.0 / 900.0 + 1.0 / 7600.0);
        assert_near(w.df, want, 1e-9 * want);
        assert_true(w.p >= 0.0 && w.p <= 1.0);
        assert_false(isnan(w.ci95_low) || isnan(w.ci95_high) || isnan(w.t));
        assert_true(w.ci95_low <= w.diff && w.diff <= w.ci95_high);
    }
}

int main(void) {
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_mean_sd_ci_match_hand_computation),
        cmocka_unit_test(test_stats_quantiles_interpolate_like_gsl),
        cmocka_unit_test(test_stats_ci_matches_gsl_tdist),
        cmocka_unit_test(test_stats_skips_nonfinite_values_and_counts_the_rest),
        cmocka_unit_test(test_stats_mean_uses_original_order_before_sorting),
        cmocka_unit_test(test_stats_small_samples_give_nan_not_errors),
        cmocka_unit_test(test_stats_welch_matches_wikipedia_example),
        cmocka_unit_test(test_stats_welch_identical_samples_give_p_one),
        cmocka_unit_test(test_stats_welch_constant_samples_and_small_n),
        cmocka_unit_test(test_stats_welch_survives_tiny_and_huge_variances),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
