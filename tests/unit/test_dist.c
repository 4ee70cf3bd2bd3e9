/* test_dist.c — durations, datetimes, numbers and distributions in cells; sampling and means.
 * Invariant checked: every accepted form has its value, every rejected one names the offending
 * token with its column, and samples are >= 0 with the documented mean. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "kernel/kernel_api.h"

static void dur_ok(const char *s, int64_t want) {
    int64_t v = -12345;
    cxi_parse_err e = {0, ""};
    int r = cxi_duration_parse(s, &v, &e);
    if (r != 0) print_error("'%s': %s\n", s, e.msg);
    assert_int_equal(r, 0);
    assert_int_equal(v, want);
}

static void dur_bad(const char *s, int col, const char *msg) {
    int64_t v = 777;
    cxi_parse_err e = {0, ""};
    assert_int_equal(cxi_duration_parse(s, &v, &e), -1);
    assert_int_equal(v, 777);
    assert_string_equal(e.msg, msg);
    assert_int_equal(e.col, col);
}

static void test_dist_duration_forms(void **state) {
    (void)state;
    dur_ok("90s", 90);
    dur_ok("45m", 2700);
    dur_ok("6h", 21600);
    dur_ok("2d", 172800);
    dur_ok("1w", 604800);
    dur_ok("1d6h30m", 109800);
    dur_ok("1.5h", 5400);
    dur_ok("0.1h", 360);
    dur_ok("T+6h", 21600);
    dur_ok("T-72h", -259200);
    dur_ok("-3h", -10800);
    dur_ok("+2h", 7200);
    dur_ok("0", 0);
    dur_ok("3600", 3600);
    dur_ok("  1d 6h  ", 108000);
    dur_ok("T + 6 h", 21600);
    dur_ok("5 hours", 18000);
    dur_ok("10min", 600);
    dur_ok("6H", 21600);
}

static void test_dist_duration_errors_name_token_and_column(void **state) {
    (void)state;
    dur_bad("6x", 2, "unknown unit 'x' in '6x' (expected s, m, h, d or w)");
    dur_bad(" 1h 2y", 6, "unknown unit 'y' in '1h 2y' (expected s, m, h, d or w)");
    dur_bad("1h30", 3, "missing unit after '30' in '1h30' (expected s, m, h, d or w)");
    dur_bad("", 1, "empty duration (expected e.g. 6h, 90m or 1d6h)");
    dur_bad("abc", 1, "expected a number at 'a' in 'abc' (e.g. 6h, 90m or 1d6h)");
    dur_bad("T6h", 2, "expected '+' or '-' after 'T' in 'T6h' (e.g. T+6h)");
    dur_bad("T+", 3, "expected a number after the sign in 'T+'");
    dur_bad("6h!", 3, "unexpected '!' in '6h!' (expected e.g. 6h, 90m or 1d6h)");
    dur_bad("6000w", 1, "duration '6000w' out of range (at most 100 years)");
    dur_bad("101y", 4, "unknown unit 'y' in '101y' (expected s, m, h, d or w)");
    dur_bad("99999999999999999999h", 1, "duration '99999999999999999999h' out of range (at most 100 years)");
    dur_ok("5200w", 5200 * INT64_C(604800));
    dur_bad("5300w", 1, "duration '5300w' out of range (at most 100 years)");
}

static void test_dist_datetimes(void **state) {
    (void)state;
    int64_t u = 0;
    cxi_parse_err e = {0, ""};
    assert_int_equal(cxi_datetime_parse("2024-06-06T07:30Z", &u, &e), 0);
    assert_int_equal(u, 1717659000);
    assert_int_equal(cxi_datetime_parse("2024-06-06T07:30:15Z", &u, &e), 0);
    assert_int_equal(u, 1717659015);
    assert_int_equal(cxi_datetime_parse("2024-06-06 07:30", &u, &e), 0);
    assert_int_equal(u, 1717659000);
    assert_int_equal(cxi_datetime_parse("2024-06-06T07:30+02:00", &u, &e), 0);
    assert_int_equal(u, 1717651800);
    assert_int_equal(cxi_datetime_parse("2024-06-06", &u, &e), 0);
    assert_int_equal(u, 1717632000);
    assert_int_equal(cxi_datetime_parse("1970-01-01T00:00:00Z", &u, &e), 0);
    assert_int_equal(u, 0);
    assert_int_equal(cxi_datetime_parse("1969-12-31T23:59:59Z", &u, &e), 0);
    assert_int_equal(u, -1);
    assert_int_equal(cxi_datetime_parse("2000-02-29T00:00:00.000Z", &u, &e), 0);
    assert_int_equal(u, 951782400);

    assert_int_equal(cxi_datetime_parse("2023-02-29", &u, &e), -1);
    assert_string_equal(e.msg, "day 29 out of range in '2023-02-29' (month 02 has 28 days)");
    assert_int_equal(e.col, 9);
    assert_int_equal(cxi_datetime_parse("2024-13-01", &u, &e), -1);
    assert_int_equal(e.col, 6);
    assert_int_equal(cxi_datetime_parse("2024-06-06T24:00", &u, &e), -1);
    assert_int_equal(e.col, 12);
    assert_int_equal(cxi_datetime_parse("2024-06-06T07:30:00.5Z", &u, &e), -1);
    assert_int_equal(cxi_datetime_parse("06/06/2024", &u, &e), -1);
    assert_int_equal(cxi_datetime_parse("2024-06-06Tfoo", &u, &e), -1);
    assert_int_equal(cxi_datetime_parse("2024-06-06x", &u, &e), -1);
    assert_int_equal(e.col, 11);

    char buf[32];
    cxi_datetime_format(1717659015, buf, sizeof buf);
    assert_string_equal(buf, "2024-06-06T07:30:15Z");
    cxi_datetime_format(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    /* round trip over a few centuries, every 1,000,003 s */
    for (int64_t t = -5000000000; t < 5000000000; t += 1000003) {
        cxi_datetime_format(t, buf, sizeof buf);
        assert_int_equal(cxi_datetime_parse(buf, &u, &e), 0);
        assert_int_equal(u, t);
    }
}

static void test_dist_scenario_times_and_offsets(void **state) {
    (void)state;
    cx_time t = 0;
    cxi_parse_err e = {0, ""};
    int64_t t0 = 1717632000; /* 2024-06-06 */
    assert_int_equal(cxi_time_parse("2024-06-06T06:00Z", t0, &t, &e), 0);
    assert_int_equal(t, 21600);
    assert_int_equal(cxi_time_parse("2024-06-03", t0, &t, &e), 0);
    assert_int_equal(t, -259200);
    assert_int_equal(cxi_time_parse("T+6h", t0, &t, &e), 0);
    assert_int_equal(t, 21600);
    assert_int_equal(cxi_time_parse("6h", t0, &t, &e), 0);
    assert_int_equal(t, 21600);
    assert_int_equal(cxi_time_parse("T-72h", t0, &t, &e), 0);
    assert_int_equal(t, -259200);
    assert_int_equal(cxi_time_parse("2024-06-31", t0, &t, &e), -1);
    char buf[32];
    cxi_offset_format(109800, buf, sizeof buf);
    assert_string_equal(buf, "T+1d06:30:00");
    cxi_offset_format(-259200, buf, sizeof buf);
    assert_string_equal(buf, "T-3d00:00:00");
    cxi_offset_format(3661, buf, sizeof buf);
    assert_string_equal(buf, "T+01:01:01");
    cxi_offset_format(0, buf, sizeof buf);
    assert_string_equal(buf, "T+00:00:00");
    cxi_offset_format(INT64_MIN, buf, sizeof buf);
    assert_true(strlen(buf) > 0);
}

static void test_dist_numbers(void **state) {
    (void)state;
    double v = 0;
    cxi_parse_err e = {0, ""};
    assert_int_equal(cxi_number_parse("0.5", 0, &v, &e), 0);
    assert_true(v == 0.5);
    assert_int_equal(cxi_number_parse(" -1e3 ", 0, &v, &e), 0);
    assert_true(v == -1000);
    assert_int_equal(cxi_number_parse(".25", 0, &v, &e), 0);
    assert_true(v == 0.25);
    assert_int_equal(cxi_number_parse("0,5", 1, &v, &e), 0);
    assert_true(v == 0.5);
    assert_int_equal(cxi_number_parse("0,5", 0, &v, &e), -1);
    assert_int_equal(e.col, 2);
    const char *bad[] = {"", "0x10", "inf", "nan", "-inf", "1e", "1.2.3", "1e999", "abc", "5 5", "+", "."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        e.msg[0] = '\0';
        assert_int_equal(cxi_number_parse(bad[i], 1, &v, &e), -1);
        assert_true(strlen(e.msg) > 0);
    }
    assert_int_equal(cxi_number_parse("0x10", 0, &v, &e), -1);
    assert_string_equal(e.msg, "unexpected 'x' in number '0x10'");
    assert_int_equal(e.col, 2);
    assert_int_equal(cxi_number_parse("1e999", 0, &v, &e), -1);
    assert_string_equal(e.msg, "number '1e999' out of range");
}

static cxi_dist dist_ok(const char *s, int duration, cxi_dist_kind kind, double p0, double p1, double p2) {
    cxi_dist d;
    cxi_parse_err e = {0, ""};
    int r = cxi_dist_parse(s, duration, 1, &d, &e);
    if (r != 0) print_error("'%s': %s\n", s, e.msg);
    assert_int_equal(r, 0);
    assert_int_equal(d.kind, kind);
    assert_true(d.p[0] == p0);
    assert_true(d.p[1] == p1);
    assert_true(d.p[2] == p2);
    /* the canonical text reads back to the same distribution */
    char buf[160];
    cxi_dist_format(&d, buf, sizeof buf);
    cxi_dist d2;
    r = cxi_dist_parse(buf, duration, 0, &d2, &e);
    if (r != 0) print_error("'%s': %s\n", buf, e.msg);
    assert_int_equal(r, 0);
    assert_int_equal(d2.kind, d.kind);
    for (int i = 0; i < 3; i++) assert_true(d2.p[i] == d.p[i]);
    return d;
}

static void dist_bad(const char *s, int duration, int col, const char *msg) {
    cxi_dist d;
    cxi_parse_err e = {0, ""};
    assert_int_equal(cxi_dist_parse(s, duration, 0, &d, &e), -1);
    assert_string_equal(e.msg, msg);
    assert_int_equal(e.col, col);
}

static void test_dist_every_form(void **state) {
    (void)state;
    dist_ok("exp(6h)", 1, CXI_DIST_EXP, 21600, 0, 0);
    dist_ok("exp(mean=6h)", 1, CXI_DIST_EXP, 21600, 0, 0);
    dist_ok("exponential(90m)", 1, CXI_DIST_EXP, 5400, 0, 0);
    dist_ok("lognormal(median=6h, sigma=0.5)", 1, CXI_DIST_LOGNORMAL, 21600, 0.5, 0);
    dist_ok("lognormal(6h, 0.5)", 1, CXI_DIST_LOGNORMAL, 21600, 0.5, 0);
    dist_ok("lognormal(6h, sigma=0.5)", 1, CXI_DIST_LOGNORMAL, 21600, 0.5, 0);
    dist_ok("uniform(2h, 6h)", 1, CXI_DIST_UNIFORM, 7200, 21600, 0);
    dist_ok("uniform(high=6h, low=2h)", 1, CXI_DIST_UNIFORM, 7200, 21600, 0);
    dist_ok("triangular(1h, 2h, 6h)", 1, CXI_DIST_TRIANGULAR, 3600, 7200, 21600);
    dist_ok("triangular(low=1h, mode=2h, high=6h)", 1, CXI_DIST_TRIANGULAR, 3600, 7200, 21600);
    dist_ok("normal(mean=6h, sd=1h)", 1, CXI_DIST_NORMAL, 21600, 3600, 0);
    dist_ok("normal(6h, 1h)", 1, CXI_DIST_NORMAL, 21600, 3600, 0);
    dist_ok("fixed(3h)", 1, CXI_DIST_FIXED, 10800, 0, 0);
    dist_ok("3h", 1, CXI_DIST_FIXED, 10800, 0, 0);
    dist_ok("0s", 1, CXI_DIST_FIXED, 0, 0, 0);
    dist_ok("  Exp ( 6h )  ", 1, CXI_DIST_EXP, 21600, 0, 0);
    dist_ok("2.5", 0, CXI_DIST_FIXED, 2.5, 0, 0);
    dist_ok("0,5", 0, CXI_DIST_FIXED, 0.5, 0, 0);
    dist_ok("uniform(0,5; 1,5)", 0, CXI_DIST_UNIFORM, 0.5, 1.5, 0);
    dist_ok("uniform(0,5, 1,5)", 0, CXI_DIST_UNIFORM, 0.5, 1.5, 0);
    dist_ok("lognormal(2, 0.75)", 0, CXI_DIST_LOGNORMAL, 2, 0.75, 0);
    dist_ok("normal(0.3, 0.1)", 0, CXI_DIST_NORMAL, 0.3, 0.1, 0);
}

static void test_dist_malformed_forms_name_token_and_column(void **state) {
    (void)state;
    dist_bad("expo(6h)", 1, 1,
             "unknown distribution 'expo' (expected exp, lognormal, uniform, triangular, normal or fixed)");
    dist_bad("triangular(3h, 2h, 1h)", 1, 16, "triangular(a, b, c) needs a <= b <= c in 'triangular(3h, 2h, 1h)'");
    dist_bad("exp(6x)", 1, 6, "unknown unit 'x' in '6x' (expected s, m, h, d or w)");
    dist_bad("uniform(2h, 6x)", 1, 14, "unknown unit 'x' in '6x' (expected s, m, h, d or w)");
    dist_bad("exp(6h", 1, 7, "missing ')' in 'exp(6h'");
    dist_bad("exp(6h) x", 1, 9, "unexpected text after ')' in 'exp(6h) x'");
    dist_bad("exp()", 1, 5, "exp needs 1 argument (mean)");
    dist_bad("exp(rate=2)", 1, 5, "unknown parameter 'rate' of exp (expected mean)");
    dist_bad("exp(mean=1h, mean=2h)", 1, 14, "parameter 'mean' given twice in 'exp(mean=1h, mean=2h)'");
    dist_bad("lognormal(sigma=0.5, 6h)", 1, 22, "positional argument after a named one in 'lognormal(sigma=0.5, 6h)'");
    dist_bad("uniform(1h)", 1, 11, "uniform is missing its 'high' argument in 'uniform(1h)'");
    dist_bad("exp(1h, 2h)", 1, 9, "too many arguments to exp in 'exp(1h, 2h)' (expected 1)");
    dist_bad("exp 6h", 1, 5, "expected '(' after 'exp' in 'exp 6h'");
    dist_bad("exp(0s)", 1, 5, "exp(mean) needs mean > 0 in 'exp(0s)'");
    dist_bad("lognormal(6h, 0)", 1, 15, "lognormal(median, sigma) needs 0 < sigma <= 10 in 'lognormal(6h, 0)'");
    dist_bad("lognormal(6h, 1h)", 1, 16, "unexpected 'h' in number '1h'");
    dist_bad("uniform(6h, 2h)", 1, 13, "uniform(low, high) needs low <= high in 'uniform(6h, 2h)'");
    dist_bad("normal(6h, -1h)", 1, 12, "normal(mean, sd) needs sd >= 0 in 'normal(6h, -1h)'");
    dist_bad("normal(-1h, 1h)", 1, 8, "normal(mean, sd) needs mean >= 0 (it is truncated at 0) in 'normal(-1h, 1h)'");
    dist_bad("-3h", 1, 1, "a constant must be >= 0, got '-3h'");
    dist_bad("", 1, 1, "empty distribution (e.g. exp(6h), uniform(2h, 6h) or a constant)");
    dist_bad("uniform(1h,,2h)", 1, 12, "empty argument in 'uniform(1h,,2h)'");
    dist_bad("exp(nan)", 0, 5, "'nan' is not a number");
    dist_bad("0x1p3", 0, 2, "unexpected 'x' in number '0x1p3'");
    dist_bad("foo", 0, 1,
             "unknown distribution 'foo' (expected exp, lognormal, uniform, triangular, normal or fixed)");
}

static double sample_mean(const cxi_dist *d, gsl_rng *r, int n, double *minv) {
    double s = 0;
    *minv = INFINITY;
    for (int i = 0; i < n; i++) {
        double x = cxi_dist_sample(d, r);
        s += x;
        if (x < *minv) *minv = x;
    }
    return s / n;
}

static void test_dist_sample_means_match(void **state) {
    (void)state;
    const char *forms[] = {"exp(6h)", "lognormal(median=6h, sigma=0.5)", "uniform(2h, 6h)",
                           "triangular(1h, 2h, 6h)", "normal(mean=6h, sd=1h)", "fixed(3h)",
                           "normal(mean=1h, sd=2h)", "triangular(1h, 1h, 1h)", "uniform(0s, 0s)"};
    gsl_rng *r = cxi_rng_stream(7, 0, 99);
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        cxi_dist d;
        cxi_parse_err e;
        assert_int_equal(cxi_dist_parse(forms[i], 1, 0, &d, &e), 0);
        double minv, m = sample_mean(&d, r, 400000, &minv), want = cxi_dist_mean(&d);
        double tol = 0.01 * want + 1e-9;
        if (fabs(m - want) > tol) print_error("%s: sample mean %g, expected %g\n", forms[i], m, want);
        assert_true(fabs(m - want) <= tol);
        assert_true(minv >= 0);
    }
    gsl_rng_free(r);
}

static void test_dist_means_are_exact(void **state) {
    (void)state;
    cxi_dist d = {CXI_DIST_LOGNORMAL, {100, 0.5, 0}, 0};
    assert_true(fabs(cxi_dist_mean(&d) - 100 * exp(0.125)) < 1e-9);
    d = (cxi_dist){CXI_DIST_TRIANGULAR, {1, 2, 6}, 0};
    assert_true(fabs(cxi_dist_mean(&d) - 3) < 1e-12);
    d = (cxi_dist){CXI_DIST_NORMAL, {0, 1, 0}, 0};
    assert_true(fabs(cxi_dist_mean(&d) - sqrt(2 / M_PI)) < 1e-9); /* half-normal */
}

static void test_dist_truncated_normal_is_never_negative(void **state) {
    (void)state;
    cxi_dist d = {CXI_DIST_NORMAL, {0, 5, 0}, 1};
    gsl_rng *r = cxi_rng_stream(1, 2, 3);
    int zeros = 0;
    for (int i = 0; i < 200000; i++) {
        double x = cxi_dist_sample(&d, r);
        assert_true(x >= 0);
        zeros += x == 0;
    }
    assert_true(zeros < 10); /* resampled, not clamped */
    gsl_rng_free(r);
}

/* Random cells built from the characters the grammars use: nothing may crash, and whatever is
 * accepted must be sane. Run under ASan/UBSan in CI. */
static void test_dist_random_cells_never_crash(void **state) {
    (void)state;
    static const char alphabet[] = "0123456789.,;:=()+-eETtZz smhdwxy_lognrmalexpuifd\t";
    static const char *seeds[] = {"lognormal(median=6h, sigma=0.5)", "triangular(1h, 2h, 6h)",
                                  "2024-06-06T07:30:15+02:00", "T-1d6h30m", "uniform(0,5; 1,5)", "1e-3"};
    uint64_t x = 88172645463325252u;
    char cell[64];
    for (int iter = 0; iter < 200000; iter++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t n;
        if (iter % 2) {
            n = (size_t)(x % 40);
            for (size_t i = 0; i < n; i++) cell[i] = alphabet[(x >> (i % 50)) % (sizeof alphabet - 1)];
            cell[n] = '\0';
        } else {
            /* one mutation of a valid cell */
            const char *sd = seeds[(x >> 8) % 6];
            n = strlen(sd);
            memcpy(cell, sd, n + 1);
            size_t at = (size_t)((x >> 20) % n);
            switch ((x >> 40) % 3) {
            case 0: cell[at] = alphabet[(x >> 44) % (sizeof alphabet - 1)]; break;
            case 1: memmove(cell + at, cell + at + 1, n - at); break;
            default: cell[at] = '\0'; break;
            }
        }
        cxi_parse_err e;
        int64_t v;
        double d;
        cx_time t;
        cxi_dist dist;
        if (cxi_duration_parse(cell, &v, &e) == 0) assert_true(v >= -INT64_C(3155760000) && v <= INT64_C(3155760000));
        else assert_true(e.col >= 1 && e.msg[0] != '\0');
        if (cxi_datetime_parse(cell, &v, &e) != 0) assert_true(e.col >= 1 && e.msg[0] != '\0');
        if (cxi_number_parse(cell, (int)(x & 1), &d, &e) == 0) assert_true(isfinite(d));
        (void)cxi_time_parse(cell, 1717632000, &t, &e);
        if (cxi_dist_parse(cell, (int)(x >> 1 & 1), (int)(x >> 2 & 1), &dist, &e) == 0) {
            char buf[160];
            cxi_dist_format(&dist, buf, sizeof buf);
            assert_true(isfinite(cxi_dist_mean(&dist)) && cxi_dist_mean(&dist) >= 0);
        } else {
            assert_true(e.col >= 1 && e.col <= (int)strlen(cell) + 2 && e.msg[0] != '\0');
        }
    }
}

/* The summary lines of run and validate print durations with this; the parser must read them back. */
static void test_dist_duration_format_is_shortest_and_reads_back(void **state) {
    (void)state;
    static const struct {
        int64_t s;
        const char *want;
    } cases[] = {{0, "0s"}, {172800, "2d"}, {109800, "1d6h30m"}, {-10800, "-3h"}, {61, "1m1s"},
                 {3155760000, "36525d"}, {INT64_MIN, "-106751991167300d15h30m8s"}};
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cxi_duration_format(cases[i].s, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 10000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t v = (int64_t)(x % 6311520001u) - INT64_C(3155760000);
        int64_t back = 0;
        cxi_parse_err e;
        cxi_duration_format(v, buf, sizeof buf);
        assert_int_equal(cxi_duration_parse(buf, &back, &e), 0);
        assert_int_equal(back, v);
    }
    cxi_duration_format(109800, buf, 4); /* truncated, still a string */
    assert_string_equal(buf, "1d6");
}

int main(void) {
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dist_duration_forms),
        cmocka_unit_test(test_dist_duration_errors_name_token_and_column),
        cmocka_unit_test(test_dist_datetimes),
        cmocka_unit_test(test_dist_scenario_times_and_offsets),
        cmocka_unit_test(test_dist_numbers),
        cmocka_unit_test(test_dist_every_form),
        cmocka_unit_test(test_dist_malformed_forms_name_token_and_column),
        cmocka_unit_test(test_dist_sample_means_match),
        cmocka_unit_test(test_dist_means_are_exact),
        cmocka_unit_test(test_dist_truncated_normal_is_never_negative),
        cmocka_unit_test(test_dist_random_cells_never_crash),
        cmocka_unit_test(test_dist_duration_format_is_shortest_and_reads_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
