/* cmd_mc_merge.c — `crisim mc-merge OUT SHARD_DIR...`: joins the K shard folders of one batch into
 * the folder a single `crisim mc` run would have written.
 * Invariant: rows are copied in replicate order after checking each one, so replicates.csv and
 * summary.csv are byte-identical to an unsharded run; OUT appears only when complete. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <gsl/gsl_errno.h>

#include "commands.h"
#include "crisim.h"
#include "io/batch.h"
#include "io/io_api.h"
#include "mc_plots.h"
#include "mc_util.h"

#define CMD "mc-merge"
#define PATH_BUF 4096

static void usage(FILE *f) {
    fprintf(f,
            "usage: crisim mc-merge OUT SHARD_DIR... [--quiet] [--no-plots]\n"
            "\n"
            "Merges the output folders of 'crisim mc --shard k/K' (k = 1..K, same scenario, seed and\n"
            "N) into OUT: replicates.csv in replicate order, summary.csv and manifest.csv, exactly\n"
            "the replicates.csv and summary.csv one unsharded run would have written. Every shard\n"
            "must be present once; rows are checked (replicate index, seed, number of fields).\n"
            "OUT's manifest.csv records shard 1/1, the mc-merge command line and merged_shards = K.\n"
            "plots/ is written as by 'crisim mc' (the units on the axes come from the scenario\n"
            "folder named in the manifests, when it is readable and unchanged).\n"
            "\n"
            "options:\n"
            "  -q, --quiet   print nothing on success\n"
            "      --no-plots  do not write plots/\n"
            "  -h, --help    this help\n"
            "Exit status: 0 success, 1 runtime failure, 2 bad input or usage.\n");
}

typedef struct {
    const char *dir;
    mc_manifest man;
    FILE *f;
    unsigned line;
} shard;

/* Up to the hard limit of open files: a merge holds one file per shard open. */
static void raise_fd_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* The units of the columns, from the scenario folder of the manifest when it still loads with the
 * same hash (NULL otherwise: the plots then have no unit on their axes). */
static char **plots_units(const mc_manifest *m, const cxi_batch_cols *cols, int quiet) {
    cx_diags *d = NULL;
    cx_scenario *sc = NULL;
    char **units = NULL;
    char err[512];
    if (cx_diags_create(&d) != CX_OK) return NULL;
    if (cx_scenario_load(m->scenario_dir, NULL, &sc, d) == CX_OK &&
        !strcmp(cx_scenario_hash(sc), m->hash) &&
        cxi_batch_units(sc, m->seed, cols, &units, err, sizeof err) == CX_OK) {
        cx_scenario_destroy(sc);
        cx_diags_destroy(d);
        return units;
    }
    cx_scenario_destroy(sc);
    cx_diags_destroy(d);
    if (!quiet)
        fprintf(stderr, "crisim mc-merge: note: the scenario folder '%s' is not readable or has "
                "changed: the plots have no units\n", m->scenario_dir);
    return NULL;
}

static int same_cols(const cxi_batch_cols *a, const cxi_batch_cols *b) {
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->names[i], b->names[i])) return 0;
    return 1;
}

/* Copies every row in replicate order into out; returns 0, 1 (I/O) or 2 (bad input). */
static int merge_rows(shard **by_k, uint32_t K, uint64_t n, uint64_t seed, size_t ncols, FILE *out) {
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        shard *s = by_k[i % K];
        ssize_t len = getline(&line, &cap, s->f);
        s->line++;
        if (len <= 0 || line[len - 1] != '\n') {
            fprintf(stderr, "crisim mc-merge: %s/replicates.csv:%u: %s where replicate %" PRIu64
                    " was expected (is the shard complete?)\n", s->dir, s->line,
                    len <= 0 ? "end of file" : "incomplete last line", i);
            rc = 2;
            break;
        }
        line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r') line[--len] = '\0';
        uint64_t rep = 0, rseed = 0;
        unsigned col = 0;
        char msg[200];
        if (cxi_batch_row_parse(line, ncols, &rep, &rseed, NULL, &col, msg, sizeof msg) != 0) {
            fprintf(stderr, "crisim mc-merge: %s/replicates.csv:%u:%u: %s\n", s->dir, s->line, col, msg);
            rc = 2;
            break;
        }
        if (rep != i || rseed != seed) {
            fprintf(stderr, "crisim mc-merge: %s/replicates.csv:%u:1: replicate %" PRIu64 " seed %" PRIu64
                    " where replicate %" PRIu64 " seed %" PRIu64 " was expected\n", s->dir, s->line,
                    rep, rseed, i, seed);
            rc = 2;
            break;
        }
        fputs(line, out);
        fputc('\n', out);
        if (ferror(out)) rc = 1;
    }
    for (uint32_t k = 0; k < K && rc == 0; k++) {
        shard *s = by_k[k];
        int c;
        while ((c = fgetc(s->f)) == '\n' || c == '\r') {}
        if (c != EOF) {
            fprintf(stderr, "crisim mc-merge: %s/replicates.csv:%u: more rows than the shard's "
                    "replicates\n", s->dir, s->line + 1);
            rc = 2;
        }
    }
    free(line);
    return rc;
}

int cmd_mc_merge(int argc, char **argv) {
    static const struct option opts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"no-plots", no_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int quiet = 0, no_plots = 0, c;
    char cmdline[8192]; /* before getopt_long permutes argv */
    cli_command_line(cli_argc, cli_argv, cmdline, sizeof cmdline);
    gsl_set_error_handler_off();
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
        switch (c) {
        case 'q':
            quiet = 1;
            break;
        case 'P':
            no_plots = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind < 2)
        return cli_usage_error(CMD, "expected OUT and at least one shard folder");
    const char *out_arg = argv[optind];
    int nshards = argc - optind - 1;
    char **dirs = argv + optind + 1;

    char out[PATH_BUF], tmp[PATH_BUF + 32], path[PATH_BUF + 64], err[PATH_BUF + 512];
    size_t olen = strlen(out_arg);
    while (olen > 1 && out_arg[olen - 1] == '/') olen--;
    if (olen >= sizeof out) return cli_usage_error(CMD, "OUT: path too long");
    memcpy(out, out_arg, olen);
    out[olen] = '\0';

    raise_fd_limit();
    shard *sh = calloc((size_t)nshards, sizeof *sh);
    shard **by_k = NULL;
    cxi_batch_cols cols = {0, NULL};
    int rc = 2;
    tmp[0] = '\0';
    FILE *f = NULL;
    if (!sh) {
        fprintf(stderr, "crisim mc-merge: out of memory\n");
        return 1;
    }
    for (int i = 0; i < nshards; i++) {
        sh[i].dir = dirs[i];
        if (mc_manifest_read(dirs[i], &sh[i].man, err, sizeof err) != 0) {
            fprintf(stderr, "crisim mc-merge: %s\n", err);
            goto done;
        }
    }
    const mc_manifest *m0 = &sh[0].man;
    uint32_t K = m0->shard_count;
    for (int i = 1; i < nshards; i++) {
        mc_manifest probe = sh[i].man;
        probe.shard_k = m0->shard_k; /* compare everything but k */
        char diff[512];
        mc_manifest_diff(m0, &probe, diff, sizeof diff);
        if (diff[0]) {
            fprintf(stderr, "crisim mc-merge: '%s' and '%s' are not shards of the same batch: %s\n",
                    dirs[0], dirs[i], diff);
            goto done;
        }
    }
    by_k = calloc(K, sizeof *by_k);
    if (!by_k) {
        fprintf(stderr, "crisim mc-merge: out of memory\n");
        rc = 1;
        goto done;
    }
    for (int i = 0; i < nshards; i++) {
        uint32_t k = sh[i].man.shard_k;
        if (by_k[k - 1]) {
            fprintf(stderr, "crisim mc-merge: shard %" PRIu32 "/%" PRIu32 " is given twice: '%s' and "
                    "'%s'\n", k, K, by_k[k - 1]->dir, sh[i].dir);
            goto done;
        }
        by_k[k - 1] = &sh[i];
    }
    for (uint32_t k = 0; k < K; k++) {
        if (!by_k[k]) {
            fprintf(stderr, "crisim mc-merge: shard %" PRIu32 "/%" PRIu32 " is missing (%d of %" PRIu32
                    " shard folders given)\n", k + 1, K, nshards, K);
            goto done;
        }
    }
    for (int i = 0; i < nshards; i++) {
        cxi_batch_cols h;
        snprintf(path, sizeof path, "%s/replicates.csv", sh[i].dir);
        if (cxi_batch_header_read(path, &h, err, sizeof err) != CX_OK) {
            fprintf(stderr, "crisim mc-merge: %s\n", err);
            goto done;
        }
        if (i == 0) {
            cols = h;
        } else {
            int same = same_cols(&cols, &h);
            cxi_batch_cols_free(&h);
            if (!same) {
                fprintf(stderr, "crisim mc-merge: %s: the columns differ from those of '%s'\n", path,
                        dirs[0]);
                goto done;
            }
        }
        sh[i].f = fopen(path, "rb");
        if (!sh[i].f) {
            fprintf(stderr, "crisim mc-merge: cannot open '%s': %s\n", path, strerror(errno));
            rc = 1;
            goto done;
        }
        char *hdr = NULL;
        size_t hcap = 0;
        if (getline(&hdr, &hcap, sh[i].f) <= 0) {
            free(hdr);
            fprintf(stderr, "crisim mc-merge: %s: cannot read the header\n", path);
            goto done;
        }
        free(hdr);
        sh[i].line = 1;
    }

    cx_status st = cxi_outdir_begin(out, tmp, sizeof tmp, err, sizeof err);
    if (st != CX_OK) {
        fprintf(stderr, "crisim mc-merge: %s\n", err[0] ? err : cx_status_str(st));
        rc = st == CX_EINVAL ? 2 : 1;
        tmp[0] = '\0';
        goto done;
    }
    snprintf(path, sizeof path, "%s/replicates.csv", tmp);
    f = fopen(path, "wb");
    if (!f || cxi_batch_write_header(f, &cols) != CX_OK) {
        fprintf(stderr, "crisim mc-merge: cannot write '%s'\n", path);
        rc = 1;
        goto done;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    rc = merge_rows(by_k, K, m0->n, m0->seed, cols.n, f);
    int cerr = fclose(f) != 0;
    f = NULL;
    if (rc == 0 && cerr) {
        fprintf(stderr, "crisim mc-merge: cannot write '%s'\n", path);
        rc = 1;
    }
    if (rc != 0) goto done;

    cxi_batch_cols scols;
    cxi_stats_summary *sums = NULL;
    uint64_t rows = 0;
    rc = 1;
    mc_plots plots;
    char **units = plots_units(m0, &cols, quiet);
    if (!no_plots) {
        char sub[600];
        mc_plot_subtitle(m0->scenario, m0->n, m0->seed, 1, 1, sub, sizeof sub);
        if (mc_plots_begin(&plots, tmp, units, units ? cols.n : 0, sub) != 0) {
            fprintf(stderr, "crisim mc-merge: %s\n", plots.err);
            cxi_batch_units_free(units, cols.n);
            goto done;
        }
        plots.cols = &scols;
    }
    st = cxi_batch_summarize_each(path, (size_t)64 << 20, &scols, &sums, &rows,
                                  no_plots ? NULL : mc_plots_column, &plots, err, sizeof err);
    if (!no_plots && st == CX_OK && mc_plots_end(&plots) != 0) {
        snprintf(err, sizeof err, "%s", plots.err);
        free(sums);
        cxi_batch_cols_free(&scols);
        st = CX_EIO;
    } else if (!no_plots && st != CX_OK && plots.err[0]) {
        snprintf(err, sizeof err, "%s", plots.err);
    }
    if (!no_plots) mc_plots_free(&plots);
    cxi_batch_units_free(units, cols.n);
    if (st != CX_OK) {
        fprintf(stderr, "crisim mc-merge: %s\n", err);
        goto done;
    }
    snprintf(path, sizeof path, "%s/summary.csv", tmp);
    st = cxi_batch_summary_write(path, &scols, sums);
    free(sums);
    cxi_batch_cols_free(&scols);
    if (st != CX_OK) {
        fprintf(stderr, "crisim mc-merge: cannot write '%s'\n", path);
        goto done;
    }
    mc_manifest mm = *m0;
    mm.shard_k = mm.shard_count = 1;
    snprintf(mm.command, sizeof mm.command, "%s", cmdline);
    if (mc_manifest_write(tmp, &mm, no_plots ? "replicates.csv summary.csv"
                                             : "replicates.csv summary.csv plots/", K) != CX_OK) {
        fprintf(stderr, "crisim mc-merge: cannot write '%s/manifest.csv'\n", tmp);
        goto done;
    }
    if ((st = cxi_outdir_commit(tmp, out, err, sizeof err)) != CX_OK) {
        fprintf(stderr, "crisim mc-merge: %s\n", err[0] ? err : cx_status_str(st));
        goto done;
    }
    tmp[0] = '\0';
    if (!quiet)
        printf("crisim mc-merge: %" PRIu64 " replicates of %s from %" PRIu32 " shards -> %s\n", m0->n,
               m0->scenario, K, out);
    rc = 0;
done:
    if (f) fclose(f);
    if (tmp[0]) cxi_outdir_abort(tmp);
    for (int i = 0; i < nshards; i++)
        if (sh[i].f) fclose(sh[i].f);
    cxi_batch_cols_free(&cols);
    free(by_k);
    free(sh);
    return rc;
}
