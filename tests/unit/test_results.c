/* test_results.c — result files: exact bytes of metrics.csv and manifest.csv, number formatting.
 * Metrics are built by hand, so these tests do not depend on the model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/io_api.h"

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_metrics_write_exact_bytes(void **state) {
    (void)state;
    char dir[] = "/tmp/cx_test_results.XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    const cx_metric m[] = {
        {"peak_population_unserved", "", "", "people", 12300000.0},
        {"person_hours_unserved", "", "", "person-h", 123456789.3},
        {"time_to_restore", "power", "DE", "s", 22320.0},
        {"share", "", "", "", 1.0 / 3.0},
        {"zero", "", "", "", -0.0},
        {"odd, name", "", "", "", 0.5},
    };
    assert_int_equal(cxi_metrics_write(path, m, sizeof m / sizeof m[0]), CX_OK);
    char *got = slurp(path);
    assert_string_equal(got, "metric,sector,region,unit,value\n"
                             "peak_population_unserved,,,people,12300000\n"
                             "person_hours_unserved,,,person-h,123456789.3\n"
                             "time_to_restore,power,DE,s,22320\n"
                             "share,,,,0.3333333333\n"
                             "zero,,,,0\n"
                             "\"odd, name\",,,,0.5\n");
    free(got);
    unlink(path);
    rmdir(dir);
}

static void test_metrics_write_fails_on_a_missing_folder(void **state) {
    (void)state;
    const cx_metric m[] = {{"x", "", "", "", 1.0}};
    assert_int_equal(cxi_metrics_write("/nonexistent-cx-dir/metrics.csv", m, 1), CX_EIO);
    assert_int_equal(cxi_metrics_write(NULL, m, 1), CX_EINVAL);
}

static void test_metrics_write_reports_a_full_disk(void **state) {
    (void)state;
    if (access("/dev/full", W_OK) != 0) skip();
    const cx_metric m[] = {{"x", "", "", "", 1.0}};
    assert_int_equal(cxi_metrics_write("/dev/full", m, 1), CX_EIO);
}

static void test_numbers_print_deterministically_including_non_finite(void **state) {
    (void)state;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    const double v[] = {0.0, -0.0, 1e-7, 2.5e20, NAN, -NAN, INFINITY, -INFINITY, 42.0};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        cxi_csv_put_number(f, v[i]);
        fputc(' ', f);
    }
    fclose(f);
    assert_string_equal(buf, "0 0 1e-07 2.5e+20 nan nan inf -inf 42 ");
    free(buf);
}

static void test_manifest_write_keeps_order_and_quotes_values(void **state) {
    (void)state;
    char dir[] = "/tmp/cx_test_results.XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/manifest.csv", dir);
    const cxi_kv kv[] = {
        {"crisim_version", "0.1.0"},
        {"scenario_hash", "0123456789abcdef"},
        {"seed", "18446744073709551615"},
        {"command", "crisim run 'my dir' --out \"x,y\""},
    };
    assert_int_equal(cxi_manifest_write(path, kv, 4), CX_OK);
    char *got = slurp(path);
    assert_string_equal(got, "key,value\n"
                             "crisim_version,0.1.0\n"
                             "scenario_hash,0123456789abcdef\n"
                             "seed,18446744073709551615\n"
                             "command,\"crisim run 'my dir' --out \"\"x,y\"\"\"\n");
    free(got);
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_write_exact_bytes),
        cmocka_unit_test(test_metrics_write_fails_on_a_missing_folder),
        cmocka_unit_test(test_metrics_write_reports_a_full_disk),
        cmocka_unit_test(test_numbers_print_deterministically_including_non_finite),
        cmocka_unit_test(test_manifest_write_keeps_order_and_quotes_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
