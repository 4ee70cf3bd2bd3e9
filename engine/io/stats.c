/* stats.c — summary statistics and Welch's t-test for Monte Carlo outputs.
 * Invariant: every GSL call gets arguments inside its domain, so no GSL error handler ever runs
 * (the engine cannot rely on gsl_set_error_handler_off having been called). */
#include "io/stats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

double cxi_stats_mean(const double *x, size_t n) {
    if (n == 0) return NAN;
    return gsl_stats_mean(x, 1, n);
}

double cxi_stats_sd(const double *x, size_t n, double mean) {
    if (n < 2 || !isfinite(mean)) return NAN;
    return gsl_stats_sd_m(x, 1, n, mean);
}

void cxi_stats_ci95(double mean, double sd, size_t n, double *low, double *high) {
    *low = *high = NAN;
    if (n < 2 || !isfinite(mean) || !isfinite(sd)) return;
    double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
    *low = mean - half;
    *high = mean + half;
}

double cxi_stats_quantile_sorted(const double *sorted, size_t n, double p) {
    if (n == 0 || !(p >= 0.0 && p <= 1.0)) return NAN;
    return gsl_stats_quantile_from_sorted_data(sorted, 1, n, p);
}

void cxi_stats_summarize(double *x, size_t n, cxi_stats_summary *out) {
    size_t m = 0;
    /* Stable compaction: the mean is a running sum, so keeping the original order keeps it
     * identical to a computation over the finite values in file order. */
    for (size_t i = 0; i < n; i++) {
        if (isfinite(x[i])) {
            double v = x[i];
            x[i] = x[m];
            x[m++] = v;
        }
    }
    out->n = m;
    out->mean = cxi_stats_mean(x, m);
    out->sd = cxi_stats_sd(x, m, out->mean);
    cxi_stats_ci95(out->mean, out->sd, m, &out->ci95_low, &out->ci95_high);
    if (m > 0) gsl_sort(x, 1, m);
    out->p5 = cxi_stats_quantile_sorted(x, m, 0.05);
    out->p50 = cxi_stats_quantile_sorted(x, m, 0.50);
    out->p95 = cxi_stats_quantile_sorted(x, m, 0.95);
    out->min = m > 0 ? x[0] : NAN;
    out->max = m > 0 ? x[m - 1] : NAN;
}

cx_status cxi_stats_welch(const cxi_stats_summary *a, const cxi_stats_summary *b,
                          cxi_stats_welch_result *out) {
    out->diff = a->mean - b->mean;
    out->ci95_low = out->ci95_high = out->t = out->df = out->p = NAN;
    if (a->n < 2 || b->n < 2 || !isfinite(a->sd) || !isfinite(b->sd) || !isfinite(out->diff))
        return CX_EINVAL;
    double na = (double)a->n, nb = (double)b->n;
    /* Standard errors scaled by the larger one: squaring raw variances underflows below sd ~ 1e-77
     * and overflows above ~ 1e77, and the resulting NaN df would reach GSL. */
    double ea = a->sd / sqrt(na), eb = b->sd / sqrt(nb);
    double scale = ea > eb ? ea : eb;
    if (!(scale > 0.0)) {
        /* Both samples constant: the difference is known exactly. */
        out->ci95_low = out->ci95_high = out->diff;
        out->df = na + nb - 2.0;
        out->t = out->diff == 0.0 ? 0.0 : (out->diff > 0.0 ? INFINITY : -INFINITY);
        out->p = out->diff == 0.0 ? 1.0 : 0.0;
        return CX_OK;
    }
    double ra = ea / scale, rb = eb / scale; /* in [0, 1], one of them 1 */
    double r2 = ra * ra + rb * rb;
    double se = scale * sqrt(r2); /* may be inf: then t = 0 and p = 1, which is what it means */
    double df = r2 * r2 / (ra * ra * ra * ra / (na - 1.0) + rb * rb * rb * rb / (nb - 1.0));
    out->df = df;
    out->t = out->diff / se;
    double half = gsl_cdf_tdist_Pinv(0.975, df) * se;
    out->ci95_low = out->diff - half;
    out->ci95_high = out->diff + half;
    double p = 2.0 * gsl_cdf_tdist_Q(fabs(out->t), df);
    out->p = p > 1.0 ? 1.0 : p;
    return CX_OK;
}
