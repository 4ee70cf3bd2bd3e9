/* plot.c — SVG histogram + empirical CDF of one Monte Carlo metric (see plot.h).
 * Invariant: every coordinate is printed with two decimals and every label from the data with a
 * fixed precision, so the file depends only on the values, the summary and the labels. */
#include "io/plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Canvas and panels (pixels). */
#define W 720.0
#define H 520.0
#define LEFT 84.0
#define RIGHT 680.0
#define HIST_TOP 124.0
#define HIST_BOTTOM 314.0
#define ECDF_TOP 338.0
#define ECDF_BOTTOM 438.0

#define C_BAR "#4e79a7"
#define C_CI "#e15759"
#define C_MEAN "#c0392b"
#define C_PCT "#333333"
#define C_GRID "#e6e6e6"
#define C_AXIS "#444444"
#define FONT "DejaVu Sans, Verdana, Arial, sans-serif"
#define SEP "  \xc2\xb7  " /* a middle dot between header items (SVG collapses plain spaces) */

/* The smallest of {1, 2, 2.5, 5} x 10^e (2.5 only when allowed) that is >= x > 0. */
static double nice_up(double x, int allow_25) {
    double e = floor(log10(x)), p = pow(10.0, e), f = x / p;
    double m = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : (allow_25 && f <= 2.5) ? 2.5 : f <= 5.0 ? 5.0 : 10.0;
    return m * p;
}

static int all_whole(const double *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!(fabs(x[i]) < 9007199254740992.0) || x[i] != floor(x[i])) return 0;
    return 1;
}

/* Bin index of v, clamped to the bins (also for values a rounding error puts just outside). */
static size_t bin_of(const cxi_plot_hist *h, double v) {
    double i = floor((v - h->lo) / h->width);
    if (!(i >= 0.0)) return 0; /* also NaN */
    if (i >= (double)h->nbins) return h->nbins - 1;
    return (size_t)i;
}

void cxi_plot_histogram(const double *x, size_t n, cxi_plot_hist *h) {
    memset(h, 0, sizeof *h);
    if (n == 0) return;
    double mn = x[0], mx = x[n - 1], range = mx - mn;
    if (all_whole(x, n) && range < (double)CXI_PLOT_MAX_BINS) {
        h->discrete = 1;
        h->nbins = (size_t)range + 1;
        h->lo = mn - 0.5;
        h->width = 1.0;
    } else if (!(range > 0.0) || !isfinite(range)) {
        /* one value (or a span too wide for a double): a single bin around it */
        h->nbins = 1;
        h->width = mn != 0.0 && isfinite(mn) ? nice_up(fabs(mn) * 0.1, 1) : 1.0;
        h->lo = (isfinite(mn) ? mn : 0.0) - h->width / 2.0;
    } else {
        double iqr = cxi_stats_quantile_sorted(x, n, 0.75) - cxi_stats_quantile_sorted(x, n, 0.25);
        double k = iqr > 0.0 ? ceil(range / (2.0 * iqr / cbrt((double)n)))
                             : ceil(log2((double)n)) + 1.0;
        if (!(k >= 5.0)) k = 5.0;
        if (k > 60.0) k = 60.0;
        h->width = nice_up(range / k, 1);
        h->lo = floor(mn / h->width) * h->width;
        double nb = ceil((mx - h->lo) / h->width);
        h->nbins = nb < 1.0 ? 1 : nb > (double)CXI_PLOT_MAX_BINS ? CXI_PLOT_MAX_BINS : (size_t)nb;
    }
    for (size_t i = 0; i < n; i++) h->counts[bin_of(h, x[i])]++;
}

/* ---- text ------------------------------------------------------------------------------------ */

static void put_text(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20) fputc(*s, f); /* no control characters in XML 1.0 */
        }
    }
}

/* A value for a label: 4 significant digits, scientific beyond 1e6 or below 1e-3. */
static void fmt_num(char *buf, size_t n, double v) {
    double a = fabs(v);
    if (isnan(v)) snprintf(buf, n, "nan");
    else if (isinf(v)) snprintf(buf, n, v > 0 ? "inf" : "-inf");
    else if (v == 0.0) snprintf(buf, n, "0");
    else if (a >= 1e6 || a < 1e-3) snprintf(buf, n, "%.4g", v);
    else if (a >= 1000.0) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "%.4g", v);
}

/* A tick label with just enough digits to tell ticks `step` apart. */
static void fmt_tick(char *buf, size_t n, double v, double step, double maxabs) {
    int d = (int)ceil(log10(maxabs / step)) + 1;
    if (d < 1) d = 1;
    if (d > 15) d = 15;
    if (fabs(v) < step * 1e-9) v = 0.0; /* 0, not 1e-17 */
    snprintf(buf, n, "%.*g", d, v);
}

static void text(FILE *f, double x, double y, const char *anchor, const char *style,
                 const char *s) {
    fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\"%s%s>", x, y, anchor,
            style[0] ? " " : "", style);
    put_text(f, s);
    fputs("</text>\n", f);
}

/* ---- chart ----------------------------------------------------------------------------------- */

typedef struct {
    double x0, x1; /* data range shown */
    int whole;     /* ticks on whole numbers only */
} xscale;

static double px(const xscale *s, double v) {
    double t = (v - s->x0) / (s->x1 - s->x0);
    if (!(t > -0.05)) t = -0.05; /* keeps marks of values outside the range (a CI) at the edge */
    if (t > 1.05) t = 1.05;
    return LEFT + t * (RIGHT - LEFT);
}

static void vline(FILE *f, double x, double y0, double y1, const char *color, double width,
                  const char *dash) {
    fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
               "stroke-width=\"%.1f\"%s%s%s/>\n",
            x, y0, x, y1, color, width, dash[0] ? " stroke-dasharray=\"" : "", dash,
            dash[0] ? "\"" : "");
}

static void hline(FILE *f, double x0, double x1, double y, const char *color, const char *dash) {
    fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
               "stroke-width=\"1.0\"%s%s%s/>\n",
            x0, y, x1, y, color, dash[0] ? " stroke-dasharray=\"" : "", dash, dash[0] ? "\"" : "");
}

static void x_axis(FILE *f, const xscale *xs, int labels) {
    double range = xs->x1 - xs->x0;
    double step = nice_up(range / 6.0, !xs->whole);
    if (xs->whole && step < 1.0) step = 1.0;
    double maxabs = fmax(fabs(xs->x0), fabs(xs->x1));
    double first = ceil(xs->x0 / step);
    for (int i = 0; i < 40; i++) {
        double v = (first + i) * step;
        if (v > xs->x1 + step * 1e-9) break;
        double x = px(xs, v);
        vline(f, x, HIST_TOP, HIST_BOTTOM, C_GRID, 1.0, "");
        vline(f, x, ECDF_TOP, ECDF_BOTTOM, C_GRID, 1.0, "");
        vline(f, x, HIST_BOTTOM, HIST_BOTTOM + 4, C_AXIS, 1.0, "");
        vline(f, x, ECDF_BOTTOM, ECDF_BOTTOM + 4, C_AXIS, 1.0, "");
        if (labels) {
            char buf[40];
            fmt_tick(buf, sizeof buf, v, step, maxabs);
            text(f, x, ECDF_BOTTOM + 17, "middle", "", buf);
        }
    }
}

/* Where the marker labels go: a second row when a label would overlap the previous one. */
typedef struct {
    double x;
    const char *name;
    double value;
    int order; /* ties keep this order, so the bytes do not depend on qsort */
} marker;

static int by_x(const void *a, const void *b) {
    const marker *p = a, *q = b;
    if (p->x != q->x) return (p->x > q->x) - (p->x < q->x);
    return p->order - q->order;
}

static void ecdf(FILE *f, const xscale *xs, const double *x, size_t n) {
    double h = ECDF_BOTTOM - ECDF_TOP;
    fprintf(f, "<path class=\"ecdf\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" d=\"M%.2f %.2f",
            C_BAR, LEFT, ECDF_BOTTOM);
    /* Steps at every distinct value, merged when they fall on the same tenth of a pixel: the
     * path stays small (about one step per pixel) whatever the number of replicates. */
    double pend_x = NAN, pend_y = NAN;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && x[i + 1] == x[i]) continue;
        double cx = floor(px(xs, x[i]) * 10.0 + 0.5) / 10.0;
        double cy = ECDF_BOTTOM - h * (double)(i + 1) / (double)n;
        if (cx != pend_x && !isnan(pend_x)) fprintf(f, " H%.2f V%.2f", pend_x, pend_y);
        pend_x = cx;
        pend_y = cy;
    }
    if (!isnan(pend_x)) fprintf(f, " H%.2f V%.2f", pend_x, pend_y);
    fprintf(f, " H%.2f\"/>\n", RIGHT);
}

cx_status cxi_plot_svg(FILE *f, const double *x, size_t n, uint64_t nonfinite,
                       const cxi_stats_summary *s, const cxi_plot_labels *lab) {
    char a[40], b[40], c[40], line[512];
    const char *title = lab && lab->title ? lab->title : "";
    const char *unit = lab && lab->unit ? lab->unit : "";
    const char *sub = lab && lab->subtitle ? lab->subtitle : "";
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"%s\" font-size=\"12\">\n",
            W, H, W, H, FONT);
    fputs("<title>", f);
    put_text(f, title);
    fputs("</title>\n", f);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", W, H);
    text(f, LEFT, 24, "start", "font-size=\"16\" font-weight=\"bold\"", title);
    if (sub[0]) text(f, LEFT, 42, "start", "fill=\"#555555\"", sub);

    if (n == 0) {
        snprintf(line, sizeof line, "no finite value in %llu replicates: nothing to plot",
                 (unsigned long long)nonfinite);
        text(f, W / 2, (HIST_TOP + ECDF_BOTTOM) / 2, "middle", "font-size=\"14\"", line);
        fputs("</svg>\n", f);
        return ferror(f) ? CX_EIO : CX_OK;
    }

    /* header: the numbers of summary.csv */
    fmt_num(a, sizeof a, s->mean);
    fmt_num(b, sizeof b, s->ci95_low);
    fmt_num(c, sizeof c, s->ci95_high);
    if (s->n >= 2)
        snprintf(line, sizeof line, "n = %zu" SEP "mean %s" SEP "95 %% CI of the mean [%s, %s]",
                 s->n, a, b, c);
    else
        snprintf(line, sizeof line, "n = %zu" SEP "mean %s", s->n, a);
    if (unit[0]) {
        size_t used = strlen(line);
        snprintf(line + used, sizeof line - used, SEP "unit: %s", unit);
    }
    text(f, LEFT, 60, "start", "", line);
    {
        char p5[40], p50[40], p95[40], mn[40], mx[40];
        fmt_num(p5, sizeof p5, s->p5);
        fmt_num(p50, sizeof p50, s->p50);
        fmt_num(p95, sizeof p95, s->p95);
        fmt_num(mn, sizeof mn, s->min);
        fmt_num(mx, sizeof mx, s->max);
        snprintf(line, sizeof line, "p5 %s" SEP "p50 %s" SEP "p95 %s" SEP "min %s" SEP "max %s",
                 p5, p50, p95, mn, mx);
        if (nonfinite) {
            size_t used = strlen(line);
            snprintf(line + used, sizeof line - used, SEP "%llu non-finite values left out",
                     (unsigned long long)nonfinite);
        }
        text(f, LEFT, 76, "start", "", line);
    }

    cxi_plot_hist hist;
    cxi_plot_histogram(x, n, &hist);
    xscale xs = {hist.lo, hist.lo + (double)hist.nbins * hist.width, hist.discrete};
    if (hist.discrete && hist.nbins < 5) { /* a lone bar should not fill the panel */
        double pad = floor((5.0 - (double)hist.nbins) / 2.0);
        xs.x0 -= pad;
        xs.x1 = xs.x0 + 5.0;
    }

    /* grid and x ticks under everything else */
    x_axis(f, &xs, 1);

    /* y axis of the histogram: replicates per bin */
    uint64_t cmax = 1;
    for (size_t i = 0; i < hist.nbins; i++)
        if (hist.counts[i] > cmax) cmax = hist.counts[i];
    double ystep = nice_up((double)cmax / 4.0, 0);
    if (ystep < 1.0) ystep = 1.0;
    double ymax = ceil((double)cmax * 1.05 / ystep) * ystep; /* headroom above the tallest bar */
    double hh = HIST_BOTTOM - HIST_TOP;
    for (double v = 0; v <= ymax + 0.5; v += ystep) {
        double y = HIST_BOTTOM - hh * v / ymax;
        hline(f, LEFT, RIGHT, y, C_GRID, "");
        snprintf(a, sizeof a, "%.0f", v);
        text(f, LEFT - 6, y + 4, "end", "", a);
    }
    for (double v = 0; v <= 1.0001; v += 0.25) {
        double y = ECDF_BOTTOM - (ECDF_BOTTOM - ECDF_TOP) * v;
        hline(f, LEFT, RIGHT, y, C_GRID, "");
        snprintf(a, sizeof a, "%.2g", v);
        text(f, LEFT - 6, y + 4, "end", "", a);
    }
    fprintf(f, "<text transform=\"translate(%.2f %.2f) rotate(-90)\" text-anchor=\"middle\">"
               "replicates</text>\n", LEFT - 52, (HIST_TOP + HIST_BOTTOM) / 2);
    fprintf(f, "<text transform=\"translate(%.2f %.2f) rotate(-90)\" text-anchor=\"middle\">"
               "share &#8804; x</text>\n", LEFT - 52, (ECDF_TOP + ECDF_BOTTOM) / 2);

    for (size_t i = 0; i < hist.nbins; i++) {
        if (!hist.counts[i]) continue;
        double lo = hist.lo + (double)i * hist.width, hi = lo + hist.width;
        double x0 = px(&xs, lo), x1 = px(&xs, hi);
        double bh = hh * (double)hist.counts[i] / ymax;
        double gap = x1 - x0 > 4.0 ? 0.5 : 0.0;
        fprintf(f, "<rect class=\"bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                   "fill=\"%s\">",
                x0 + gap, HIST_BOTTOM - bh, x1 - x0 - 2 * gap, bh, C_BAR);
        if (hist.discrete) fmt_num(a, sizeof a, lo + 0.5), snprintf(line, sizeof line, "%s", a);
        else fmt_num(a, sizeof a, lo), fmt_num(b, sizeof b, hi),
             snprintf(line, sizeof line, "[%s, %s)", a, b);
        fprintf(f, "<title>%s: %llu</title></rect>\n", line, (unsigned long long)hist.counts[i]);
    }
    ecdf(f, &xs, x, n);
    /* the CI band, translucent over the bars */
    if (s->n >= 2 && isfinite(s->ci95_low) && isfinite(s->ci95_high)) {
        double x0 = px(&xs, s->ci95_low), x1 = px(&xs, s->ci95_high);
        if (x1 - x0 < 2.0) x0 = (x0 + x1) / 2 - 1.0, x1 = x0 + 2.0; /* visible even when narrow */
        fprintf(f, "<rect class=\"ci\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                   "fill=\"%s\" fill-opacity=\"0.22\"/>\n",
                x0, HIST_TOP, x1 - x0, hh, C_CI);
    }

    /* markers over both panels, labels above the histogram */
    marker mk[4];
    size_t nm = 0;
    const marker all[4] = {{0, "p5", s->p5, 0}, {0, "p50", s->p50, 1}, {0, "mean", s->mean, 2},
                           {0, "p95", s->p95, 3}};
    for (size_t i = 0; i < 4; i++) {
        if (!isfinite(all[i].value)) continue;
        mk[nm] = all[i];
        mk[nm].x = px(&xs, all[i].value);
        nm++;
    }
    qsort(mk, nm, sizeof *mk, by_x);
    for (size_t i = 0; i < nm; i++) {
        int mean = !strcmp(mk[i].name, "mean");
        const char *color = mean ? C_MEAN : C_PCT;
        const char *dash = mean ? "" : "5 3";
        vline(f, mk[i].x, HIST_TOP, HIST_BOTTOM, color, mean ? 2.0 : 1.2, dash);
        vline(f, mk[i].x, ECDF_TOP, ECDF_BOTTOM, color, mean ? 2.0 : 1.2, dash);
    }
    /* Labels: markers within a pixel share one ("p5/p50"); a label too close to the previous one
     * on its row goes one row up (three rows). */
    double right[3] = {-1e9, -1e9, -1e9}; /* right end of the last label on each row */
    for (size_t i = 0; i < nm;) {
        char label[64] = "";
        int has_mean = 0;
        size_t j = i;
        for (; j < nm && mk[j].x - mk[i].x < 1.0; j++) {
            size_t used = strlen(label);
            snprintf(label + used, sizeof label - used, "%s%s", used ? "/" : "", mk[j].name);
            has_mean |= !strcmp(mk[j].name, "mean");
        }
        double half = 3.5 * (double)strlen(label); /* about 7 px per character at 12 px */
        int row = 0;
        while (row < 2 && mk[i].x - half < right[row] + 4.0) row++;
        right[row] = mk[i].x + half;
        snprintf(line, sizeof line, "fill=\"%s\"%s", has_mean ? C_MEAN : C_PCT,
                 has_mean ? " font-weight=\"bold\"" : "");
        text(f, mk[i].x, HIST_TOP - 6 - 13.0 * row, "middle", line, label);
        i = j;
    }
    /* frames */
    fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
               "stroke=\"%s\"/>\n", LEFT, HIST_TOP, RIGHT - LEFT, hh, C_AXIS);
    fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
               "stroke=\"%s\"/>\n", LEFT, ECDF_TOP, RIGHT - LEFT, ECDF_BOTTOM - ECDF_TOP, C_AXIS);
    if (unit[0] && strcmp(unit, title)) snprintf(line, sizeof line, "%s (%s)", title, unit);
    else snprintf(line, sizeof line, "%s", title);
    text(f, (LEFT + RIGHT) / 2, ECDF_BOTTOM + 38, "middle", "font-size=\"13\"", line);
    text(f, LEFT, H - 12, "start", "font-size=\"11\" fill=\"#555555\"",
         "Red band: 95 % confidence interval of the mean. Red line: mean. Dashed: p5, p50, p95.");
    fputs("</svg>\n", f);
    return ferror(f) ? CX_EIO : CX_OK;
}
