/* plot.h — SVG charts of Monte Carlo outputs: the histogram and the empirical CDF of one metric,
 * with the mean, its 95 % confidence interval and p5 / p50 / p95 marked.
 * Invariant: the bytes depend only on the data and the labels (fixed-precision numbers, no clock,
 * no locale-dependent text), so the same batch always gives the same files. */
#ifndef CX_PLOT_H
#define CX_PLOT_H

#include <stdint.h>
#include <stdio.h>

#include "crisim.h"
#include "io/stats.h"

#define CXI_PLOT_MAX_BINS 64u

/* Histogram of sorted values: bin i counts the values in [lo + i*width, lo + (i+1)*width); the
 * last bin also takes its upper edge. */
typedef struct {
    size_t nbins;    /* 1 .. CXI_PLOT_MAX_BINS; 0 when there is no value */
    double lo, width;
    int discrete;    /* 1: whole numbers, one bin per number (lo = min - 0.5, width = 1) */
    uint64_t counts[CXI_PLOT_MAX_BINS];
} cxi_plot_hist;

/* Bins x[0..n) (finite, increasing). Whole numbers spanning fewer than CXI_PLOT_MAX_BINS values get
 * one bin each; otherwise the Freedman-Diaconis width (Sturges' rule when the IQR is 0), at least 5
 * and at most 60 bins, rounded up to 1, 2, 2.5 or 5 times a power of ten and aligned on a multiple
 * of it. Never fails. */
void cxi_plot_histogram(const double *x, size_t n, cxi_plot_hist *out);

typedef struct {
    const char *title;    /* the metric column, e.g. "pop_hours_without_service[power.DE]" */
    const char *unit;     /* its unit (x axis), "" when unknown */
    const char *subtitle; /* e.g. "blackout-2006 - 1000 replicates - seed 1", may be "" */
} cxi_plot_labels;

/* Writes a 720 x 520 SVG: the histogram (replicates per bin) above the empirical CDF, on the same
 * x axis, with the 95 % CI of the mean as a band, the mean as a line, p5 / p50 / p95 as dashed
 * lines, and the summary numbers in the header. x[0..n) are the finite values, sorted; nonfinite
 * counts the values left out (said in the header); s is their summary (cxi_stats_summarize).
 * With n == 0 the chart says there is no finite value. Returns CX_OK, or CX_EIO on a write error. */
cx_status cxi_plot_svg(FILE *f, const double *x, size_t n, uint64_t nonfinite,
                       const cxi_stats_summary *s, const cxi_plot_labels *lab);

#endif
