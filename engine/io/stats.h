/* stats.h — summary statistics of Monte Carlo outputs (mean, sd, Student-t CI, quantiles) and
 * Welch's two-sample t-test, on top of GSL.
 * Invariant: never triggers a GSL error (inputs are checked first); undefined results are NaN. */
#ifndef CX_STATS_H
#define CX_STATS_H

#include <stddef.h>

#include "crisim.h"

/* Summary of one metric over replicates. n counts the finite values used; every field is NaN when
 * it is undefined (no values; sd and the CI need n >= 2). */
typedef struct {
    size_t n;
    double mean, sd;             /* sd: sample standard deviation (divisor n - 1) */
    double ci95_low, ci95_high;  /* mean -+ t(0.975, n-1) * sd / sqrt(n) */
    double p5, p50, p95;         /* gsl_stats_quantile_from_sorted_data (linear interpolation) */
    double min, max;
} cxi_stats_summary;

/* Arithmetic mean in index order (GSL's running mean); NaN when n == 0. */
double cxi_stats_mean(const double *x, size_t n);
/* Sample standard deviation around `mean`; NaN when n < 2. */
double cxi_stats_sd(const double *x, size_t n, double mean);
/* Two-sided 95 % Student-t confidence interval of the mean; NaN bounds when n < 2. */
void cxi_stats_ci95(double mean, double sd, size_t n, double *low, double *high);
/* Quantile p in [0,1] of sorted data; NaN when n == 0 or p is outside [0,1]. */
double cxi_stats_quantile_sorted(const double *sorted, size_t n, double p);

/* Summarises x[0..n). REORDERS x: finite values are moved to the front (in their original order
 * for the mean and sd, so results do not depend on the sort), then sorted for the quantiles.
 * Non-finite values (NaN, +-inf) are left out and not counted. Never fails. */
void cxi_stats_summarize(double *x, size_t n, cxi_stats_summary *out);

/* Welch's unequal-variance t-test of mean(a) - mean(b). */
typedef struct {
    double diff;                /* mean_a - mean_b */
    double ci95_low, ci95_high; /* 95 % CI of the difference (Welch-Satterthwaite df) */
    double t, df;               /* statistic and degrees of freedom */
    double p;                   /* two-sided p-value */
} cxi_stats_welch_result;

/* From two summaries (uses n, mean, sd). Both n >= 2 are needed, else CX_EINVAL and every field NaN
 * except diff. When both standard deviations are 0: p = 1 if the means are equal, else 0, and the
 * CI is [diff, diff]. */
cx_status cxi_stats_welch(const cxi_stats_summary *a, const cxi_stats_summary *b,
                          cxi_stats_welch_result *out);

#endif
