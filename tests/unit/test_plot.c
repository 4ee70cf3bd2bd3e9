/* test_plot.c — the SVG charts of Monte Carlo metrics (engine/io/plot.c): binning, bar geometry,
 * markers, escaping, determinism and size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/plot.h"
#include "io/stats.h"

/* Renders x (any order) and returns the SVG text (malloc'd). */
static char *render(const double *x, size_t n, const char *title, const char *unit) {
    double *v = malloc((n ? n : 1) * sizeof *v);
    assert_non_null(v);
    memcpy(v, x, n * sizeof *v);
    cxi_stats_summary s;
    cxi_stats_summarize(v, n, &s);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    cxi_plot_labels lab = {title, unit, "test \xc2\xb7 6 replicates \xc2\xb7 seed 1"};
    assert_int_equal(cxi_plot_svg(f, v, s.n, n - s.n, &s, &lab), CX_OK);
    fclose(f);
    free(v);
    return buf;
}

typedef struct {
    double x, y, w, h;
} rect;

/* The bars, in document order. */
static size_t bars(const char *svg, rect *out, size_t max) {
    size_t n = 0;
    for (const char *p = svg; (p = strstr(p, "<rect class=\"bar\"")) != NULL && n < max; p++) {
        rect r;
        assert_int_equal(sscanf(p, "<rect class=\"bar\" x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\"",
                                &r.x, &r.y, &r.w, &r.h),
                         4);
        out[n++] = r;
    }
    return n;
}

static void test_plot_histogram_gives_whole_numbers_one_bin_each(void **state) {
    (void)state;
    const double x[] = {1, 2, 2, 3, 3, 3};
    cxi_plot_hist h;
    cxi_plot_histogram(x, 6, &h);
    assert_int_equal(h.discrete, 1);
    assert_int_equal(h.nbins, 3);
    assert_true(h.lo == 0.5 && h.width == 1.0);
    assert_int_equal(h.counts[0], 1);
    assert_int_equal(h.counts[1], 2);
    assert_int_equal(h.counts[2], 3);
}

static void test_plot_histogram_uses_nice_aligned_bins(void **state) {
    (void)state;
    double x[100];
    for (int i = 0; i < 100; i++) x[i] = i + 0.5;
    /* IQR 50, Freedman-Diaconis width 2 * 50 / 100^(1/3) = 21.5: 5 bins of 99 / 5 = 19.8,
     * rounded up to 20 and aligned on 0. */
    cxi_plot_hist h;
    cxi_plot_histogram(x, 100, &h);
    assert_int_equal(h.discrete, 0);
    assert_true(h.lo == 0.0);
    assert_true(h.width == 20.0);
    assert_int_equal(h.nbins, 5);
    for (int i = 0; i < 5; i++) assert_int_equal(h.counts[i], 20);

    /* the maximum on the upper edge of the last bin falls in it */
    const double y[] = {0.0, 0.1, 0.25, 0.5, 0.75, 1.0};
    cxi_plot_histogram(y, 6, &h);
    uint64_t total = 0;
    for (size_t i = 0; i < h.nbins; i++) total += h.counts[i];
    assert_int_equal(total, 6);
    assert_true(h.lo + (double)h.nbins * h.width >= 1.0);
    assert_true(h.counts[h.nbins - 1] >= 1);

    /* a constant that is not a whole number: one bin around it */
    const double z[] = {2.5, 2.5, 2.5};
    cxi_plot_histogram(z, 3, &h);
    assert_int_equal(h.nbins, 1);
    assert_int_equal(h.counts[0], 3);
    assert_true(h.lo < 2.5 && h.lo + h.width > 2.5);

    cxi_plot_histogram(z, 0, &h);
    assert_int_equal(h.nbins, 0);
}

static void test_plot_svg_bars_have_the_expected_heights_and_positions(void **state) {
    (void)state;
    const double x[] = {3, 1, 2, 3, 2, 3};
    char *svg = render(x, 6, "regions_affected", "regions");
    rect r[8];
    assert_int_equal(bars(svg, r, 8), 3);
    /* 3 bins padded to a view of 5 units, [-0.5, 4.5] over x 84..680 (119.2 px per unit), with a
     * half-pixel gap on each side; counts 1, 2, 3 under a y axis to 4 (3 + 5 % headroom, rounded
     * up to a whole step of 1) over 190 px from y 314. */
    const double want_x[3] = {203.7, 322.9, 442.1}, want_h[3] = {47.5, 95.0, 142.5};
    for (int i = 0; i < 3; i++) {
        assert_true(fabs(r[i].x - want_x[i]) < 0.011);
        assert_true(fabs(r[i].w - 118.2) < 0.011);
        assert_true(fabs(r[i].h - want_h[i]) < 0.011);
        assert_true(fabs(r[i].y + r[i].h - 314.0) < 0.011); /* bars stand on the axis */
    }
    assert_non_null(strstr(svg, "regions_affected (regions)"));
    assert_non_null(strstr(svg, "n = 6"));
    /* p5 1.25, mean 2.33, p50 2.5, p95 3: four labels */
    assert_non_null(strstr(svg, ">mean<"));
    assert_non_null(strstr(svg, ">p5<"));
    assert_non_null(strstr(svg, ">p50<"));
    assert_non_null(strstr(svg, ">p95<"));
    free(svg);
    /* a constant: the markers coincide and share one label */
    const double c[] = {4, 4, 4};
    svg = render(c, 3, "restored", "flag");
    assert_non_null(strstr(svg, ">p5/p50/mean/p95<"));
    free(svg);
}

static void test_plot_svg_marks_mean_ci_and_percentiles_deterministically(void **state) {
    (void)state;
    double x[500];
    uint64_t s = 9;
    for (int i = 0; i < 500; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        x[i] = (double)(s >> 11) / 9007199254740992.0 * 1e8;
    }
    char *a = render(x, 500, "pop_hours_without_service", "person-hours");
    char *b = render(x, 500, "pop_hours_without_service", "person-hours");
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "<rect class=\"ci\""));
    assert_non_null(strstr(a, "<path class=\"ecdf\""));
    assert_non_null(strstr(a, ">p5<"));
    assert_non_null(strstr(a, ">p50<"));
    assert_non_null(strstr(a, ">p95<"));
    assert_non_null(strstr(a, ">mean<"));
    assert_non_null(strstr(a, "unit: person-hours"));
    assert_true(strncmp(a, "<?xml", 5) == 0);
    assert_non_null(strstr(a, "</svg>\n"));
    rect r[CXI_PLOT_MAX_BINS + 1];
    size_t nb = bars(a, r, CXI_PLOT_MAX_BINS + 1);
    assert_true(nb >= 5 && nb <= 60);
    for (size_t i = 1; i < nb; i++) assert_true(r[i].x > r[i - 1].x); /* left to right */
    free(a);
    free(b);
}

static void test_plot_svg_escapes_text_and_reports_nonfinite_values(void **state) {
    (void)state;
    const double x[] = {1.5, NAN, 2.5, INFINITY};
    char *svg = render(x, 4, "a<b>&\"c\"", "");
    assert_null(strstr(svg, "a<b>"));
    assert_non_null(strstr(svg, "a&lt;b&gt;&amp;&quot;c&quot;"));
    assert_non_null(strstr(svg, "2 non-finite values left out"));
    free(svg);

    const double none[] = {NAN, NAN};
    svg = render(none, 2, "empty", "h");
    assert_non_null(strstr(svg, "no finite value in 2 replicates"));
    assert_null(strstr(svg, "class=\"bar\""));
    free(svg);
}

static void test_plot_ecdf_path_stays_small_for_many_replicates(void **state) {
    (void)state;
    size_t n = 200000;
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++) x[i] = sqrt((double)i);
    char *svg = render(x, n, "big", "");
    const char *p = strstr(svg, "<path class=\"ecdf\"");
    assert_non_null(p);
    const char *end = strstr(p, "/>");
    assert_non_null(end);
    /* about one step per tenth of a pixel at most over 612 px, whatever n */
    assert_true(end - p < 6200 * 20);
    assert_true(strlen(svg) < 250000);
    free(svg);
    free(x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plot_histogram_gives_whole_numbers_one_bin_each),
        cmocka_unit_test(test_plot_histogram_uses_nice_aligned_bins),
        cmocka_unit_test(test_plot_svg_bars_have_the_expected_heights_and_positions),
        cmocka_unit_test(test_plot_svg_marks_mean_ci_and_percentiles_deterministically),
        cmocka_unit_test(test_plot_svg_escapes_text_and_reports_nonfinite_values),
        cmocka_unit_test(test_plot_ecdf_path_stays_small_for_many_replicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
