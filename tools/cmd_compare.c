/* cmd_compare.c — `crisim compare A B`: compares two Monte Carlo outputs metric by metric with
 * Welch's t-test (difference B - A, its 95 % CI and a two-sided p-value).
 * Invariant: reads only the replicates.csv of each folder; writes compare.csv only with --out. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "commands.h"
#include "crisim.h"
#include "io/batch.h"
#include "io/io_api.h"
#include "mc_util.h"

#define CMD "compare"
#define PATH_BUF 4096

static void usage(FILE *f) {
    fprintf(f,
            "usage: crisim compare A B [--out DIR] [--quiet]\n"
            "\n"
            "Compares two 'crisim mc' output folders (e.g. two courses of action, A the baseline):\n"
            "for every metric present in both replicates.csv, mean A, mean B, the difference B - A\n"
            "with its 95 %% confidence interval and the two-sided p-value of Welch's t-test\n"
            "(unequal variances); '*' marks p < 0.05. Replicates need not be paired, and the two\n"
            "folders may have different N.\n"
            "\n"
            "options:\n"
            "  -o, --out DIR   also write DIR/compare.csv:\n"
            "                  metric,n_a,mean_a,sd_a,n_b,mean_b,sd_b,diff,ci95_low,ci95_high,t,df,\n"
            "                  p_value,significant\n"
            "  -q, --quiet     no table on stdout (with --out)\n"
            "  -h, --help      this help\n"
            "Exit status: 0 success, 1 runtime failure, 2 bad input (missing folder, not a\n"
            "replicates.csv, no metric in common) or usage.\n");
}

typedef struct {
    cxi_batch_cols cols;
    cxi_stats_summary *sums;
    uint64_t rows;
} side;

static int load_side(const char *dir, side *s) {
    char path[PATH_BUF + 32], err[PATH_BUF + 512];
    snprintf(path, sizeof path, "%s/replicates.csv", dir);
    err[0] = '\0';
    cx_status st = cxi_batch_summarize(path, (size_t)64 << 20, &s->cols, &s->sums, &s->rows, err,
                                       sizeof err);
    if (st != CX_OK) {
        fprintf(stderr, "crisim compare: %s\n", err);
        return st == CX_ENOMEM ? 1 : 2;
    }
    return 0;
}

static void put(FILE *f, double v) {
    char buf[40];
    fputc(',', f);
    if (isnan(v)) return;
    cxi_batch_fmt(v, buf, sizeof buf);
    fputs(buf, f);
}

int cmd_compare(int argc, char **argv) {
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *outdir = NULL;
    int quiet = 0, c;
    gsl_set_error_handler_off();
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (!optarg[0]) return cli_usage_error(CMD, "--out: expected a folder name");
            outdir = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            return cli_usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_usage_error(CMD, "expected two mc output folders (crisim compare A B)");
    const char *da = argv[optind], *db = argv[optind + 1];

    side a = {{0, NULL}, NULL, 0}, b = {{0, NULL}, NULL, 0};
    int rc = load_side(da, &a);
    if (rc == 0) rc = load_side(db, &b);
    FILE *f = NULL;
    char path[PATH_BUF + 32], tmp[PATH_BUF + 64];
    size_t common = 0;
    if (rc != 0) goto done;
    for (size_t i = 0; i < a.cols.n; i++) common += cxi_batch_cols_find(&b.cols, a.cols.names[i]) >= 0;
    if (common == 0) {
        fprintf(stderr, "crisim compare: '%s' and '%s' have no metric in common\n", da, db);
        rc = 2;
        goto done;
    }
    if (outdir) {
        if (mc_mkdirs(outdir) != 0) {
            fprintf(stderr, "crisim compare: cannot create '%s': %s\n", outdir, strerror(errno));
            rc = 1;
            goto done;
        }
        snprintf(path, sizeof path, "%s/compare.csv", outdir);
        snprintf(tmp, sizeof tmp, "%s/compare.csv.tmp-%ld", outdir, (long)getpid());
        f = fopen(tmp, "wb");
        if (!f) {
            fprintf(stderr, "crisim compare: cannot create '%s': %s\n", tmp, strerror(errno));
            rc = 1;
            goto done;
        }
        fputs("metric,n_a,mean_a,sd_a,n_b,mean_b,sd_b,diff,ci95_low,ci95_high,t,df,p_value,"
              "significant\n", f);
    }
    size_t width = 6;
    for (size_t i = 0; i < a.cols.n; i++)
        if (cxi_batch_cols_find(&b.cols, a.cols.names[i]) >= 0 && strlen(a.cols.names[i]) > width)
            width = strlen(a.cols.names[i]);
    if (width > 48) width = 48;
    if (!quiet) {
        printf("A = %s (%" PRIu64 " replicates), B = %s (%" PRIu64 " replicates)\n", da, a.rows, db,
               b.rows);
        printf("%-*s %11s %11s %11s  %-25s %9s\n", (int)width, "metric", "mean A", "mean B", "B - A",
               "95% CI of B - A", "p");
    }
    size_t nsig = 0;
    for (size_t i = 0; i < a.cols.n; i++) {
        long j = cxi_batch_cols_find(&b.cols, a.cols.names[i]);
        if (j < 0) continue;
        const cxi_stats_summary *sa = &a.sums[i], *sb = &b.sums[j];
        cxi_stats_welch_result w;
        cx_status st = cxi_stats_welch(sb, sa, &w);
        int sig = st == CX_OK && w.p < 0.05;
        nsig += (size_t)sig;
        if (!quiet) {
            char ma[40], mb[40], d[40], lo[40], hi[40], ci[90], p[40];
            mc_fmt_value(sa->mean, ma, sizeof ma);
            mc_fmt_value(sb->mean, mb, sizeof mb);
            mc_fmt_value(w.diff, d, sizeof d);
            mc_fmt_value(w.ci95_low, lo, sizeof lo);
            mc_fmt_value(w.ci95_high, hi, sizeof hi);
            if (st == CX_OK) snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
            else snprintf(ci, sizeof ci, "(needs n >= 2)");
            if (st != CX_OK) snprintf(p, sizeof p, "-");
            else if (w.p < 1e-4) snprintf(p, sizeof p, "<1e-4");
            else snprintf(p, sizeof p, "%.4f", w.p);
            printf("%-*s %11s %11s %11s  %-25s %9s%s\n", (int)width, a.cols.names[i], ma, mb, d, ci, p,
                   sig ? " *" : "");
        }
        if (f) {
            cxi_csv_put(f, a.cols.names[i]);
            fprintf(f, ",%zu", sa->n);
            put(f, sa->mean);
            put(f, sa->sd);
            fprintf(f, ",%zu", sb->n);
            put(f, sb->mean);
            put(f, sb->sd);
            put(f, w.diff);
            put(f, w.ci95_low);
            put(f, w.ci95_high);
            put(f, w.t);
            put(f, w.df);
            put(f, w.p);
            fprintf(f, ",%s\n", st == CX_OK ? (sig ? "1" : "0") : "");
        }
    }
    if (!quiet) {
        printf("%zu of %zu common metrics differ at p < 0.05 (*); no correction for multiple "
               "comparisons\n", nsig, common);
        if (common < a.cols.n || common < b.cols.n)
            printf("(%zu metrics only in A, %zu only in B: not compared)\n", a.cols.n - common,
                   b.cols.n - common);
    }
    if (f) {
        int bad = ferror(f);
        if (fclose(f) != 0) bad = 1;
        f = NULL;
        if (bad || rename(tmp, path) != 0) {
            fprintf(stderr, "crisim compare: cannot write '%s'\n", path);
            remove(tmp);
            rc = 1;
            goto done;
        }
        if (!quiet) printf("wrote %s\n", path);
    }
    rc = 0;
done:
    if (f) {
        fclose(f);
        remove(tmp);
    }
    free(a.sums);
    free(b.sums);
    cxi_batch_cols_free(&a.cols);
    cxi_batch_cols_free(&b.cols);
    return rc;
}
