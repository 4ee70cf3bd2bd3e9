/* cmd_mc.c — `crisim mc DIR -n N`: Monte Carlo batch on threads, with progress, resume and shards.
 * Invariant: work in progress lives in "<out>.partial/" (replicates.csv appended in replicate order,
 * synced every second); <out> appears only complete, byte-identical whatever -j, shard or resume. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "commands.h"
#include "crisim.h"
#include "io/batch.h"
#include "io/io_api.h"
#include "mc_mpi.h"
#include "mc_plots.h"
#include "mc_util.h"

#define CMD "mc"
#define PATH_BUF 4096
#define SUMMARY_MEM_BUDGET ((size_t)64 << 20) /* bytes of column data per summary pass */
#define MAX_KEEP 64

/* The signal that asked us to stop (0: none); polled by the batch runner. */
static volatile sig_atomic_t mc_signal;

static void on_signal(int sig) { mc_signal = sig; }

static void usage(FILE *f) {
    fprintf(f,
            "usage: crisim mc DIR -n N [-j THREADS] [--seed S] [--out DIR] [--quiet] [--resume]\n"
            "                 [--shard k/K] [--keep LIST] [--no-plots] [--set KEY=VALUE]...\n"
            "                 [--sweep FILE.csv]\n"
            "\n"
            "Runs replicates 0..N-1 of the scenario in folder DIR on THREADS threads and writes:\n"
            "  replicates.csv  replicate,seed,<one column per metric>: one row per replicate, in order\n"
            "  summary.csv     metric,n,mean,sd,ci95_low,ci95_high,p5,p50,p95,min,max\n"
            "  manifest.csv    version, scenario hash, seed, n, shard, command line\n"
            "  plots/          one SVG per metric: histogram + ECDF with the mean, its 95 %% CI\n"
            "                  and p5/p50/p95; plots/index.html shows them all\n"
            "Files are byte-identical whatever THREADS, sharding or resuming (docs/montecarlo.md).\n"
            "\n"
            "options:\n"
            "  -n, --replicates N   number of replicates (required, > 0)\n"
            "  -j, --threads J      worker threads, 1..256 (default: the number of CPUs)\n"
            "      --set KEY=VALUE  override a scenario.csv key (repeatable; changes the scenario hash)\n"
            "      --sweep FILE     one batch per row of FILE (header: scenario keys) into\n"
            "                       OUT/sweep-<row>/, and OUT/sweep.csv: point, metric, n, mean, CI, p50\n"
            "  -s, --seed S         master seed (unsigned 64-bit; default: the scenario's seed)\n"
            "  -o, --out DIR        output folder (default out/<scenario>-mc, or\n"
            "                       out/<scenario>-mc-<k>of<K> for a shard)\n"
            "  -q, --quiet          no progress and no final summary\n"
            "      --resume         continue an interrupted run from <out>.partial/ (same scenario,\n"
            "                       seed, N and shard); starts afresh when there is none, and does\n"
            "                       nothing when <out> already holds this batch\n"
            "      --shard k/K      run only replicates i with i %% K == k-1 (1 <= k <= K);\n"
            "                       combine the K folders with 'crisim mc-merge OUT DIR...'\n"
            "      --keep LIST      afterwards, write timelines/rep-<i>.csv for chosen replicates:\n"
            "                       comma-separated items median:METRIC, worst:METRIC (largest\n"
            "                       value), best:METRIC (smallest value) or a replicate number,\n"
            "                       e.g. --keep median:pop_hours_without_service,worst:pop_hours_without_service,3\n"
            "      --no-plots       do not write plots/\n"
            "      --mpi            start MPI even when no MPI launcher is detected\n"
            "  -h, --help           this help\n"
            "\n"
            "Progress goes to stderr. Ctrl-C (or SIGTERM) stops starting replicates, keeps what is\n"
            "done in <out>.partial/ and exits with status 130 (143 for SIGTERM); rerun with --resume.\n"
            "Exit status: 0 success, 1 runtime failure, 2 bad input or usage.\n");
    if (mc_mpi_compiled())
        fprintf(f, "\nMPI: built with MPI support. 'mpirun -np R crisim mc ...' spreads the replicates over\n"
                   "R ranks (rank r runs replicate positions p with p %% R == r, on -j threads; default:\n"
                   "the CPUs of a node shared by its ranks); rank 0 writes exactly the files of a run on\n"
                   "one process. Started by mpirun, mpiexec or srun, crisim mc uses MPI by itself.\n");
    else
        fprintf(f, "\nMPI: not built in (no MPI library found when crisim was configured, or\n"
                   "-DCRISIM_MPI=OFF); use --shard and 'crisim mc-merge' on clusters.\n");
}

/* ---- --keep ---------------------------------------------------------------------------------- */

enum { KEEP_REPLICATE, KEEP_MEDIAN, KEEP_WORST, KEEP_BEST };

typedef struct {
    int kind;
    uint64_t replicate; /* KEEP_REPLICATE, or the resolved choice */
    char metric[256];
    long col;           /* metric column, resolved against the scenario's metrics */
    char spec[300];     /* as written, for timelines/index.csv */
} keep_spec;

static int parse_keep(const char *list, keep_spec *ks, size_t *nk) {
    char buf[4096];
    if (strlen(list) >= sizeof buf) return cli_usage_error(CMD, "--keep: list too long");
    strcpy(buf, list);
    *nk = 0;
    char *p = buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (*nk == MAX_KEEP) return cli_usage_error(CMD, "--keep: at most %d items", MAX_KEEP);
        keep_spec *k = &ks[(*nk)++];
        memset(k, 0, sizeof *k);
        snprintf(k->spec, sizeof k->spec, "%.*s", (int)sizeof k->spec - 1, p); /* cut if long */
        char *colon = strchr(p, ':');
        if (!colon) {
            if (mc_parse_u64(p, &k->replicate) != 0)
                return cli_usage_error(CMD, "--keep: '%s' is neither a replicate number nor "
                                       "median:METRIC, worst:METRIC or best:METRIC", p);
            k->kind = KEEP_REPLICATE;
        } else {
            *colon = '\0';
            if (!strcmp(p, "median")) k->kind = KEEP_MEDIAN;
            else if (!strcmp(p, "worst")) k->kind = KEEP_WORST;
            else if (!strcmp(p, "best")) k->kind = KEEP_BEST;
            else
                return cli_usage_error(CMD, "--keep: unknown choice '%s' (expected median, worst "
                                       "or best, as in median:METRIC)", p);
            if (!colon[1] || strlen(colon + 1) >= sizeof k->metric)
                return cli_usage_error(CMD, "--keep: '%s:' needs a metric name", p);
            strcpy(k->metric, colon + 1);
        }
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

/* Row `pos` (0-based, after the header) of replicates.csv, which must be replicate `want`. */
static int read_row(const char *path, uint64_t pos, size_t ncols, uint64_t want, double *values,
                    char *err, size_t errn) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errn, "%s: cannot open", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = 0;
    int rc = -1;
    for (uint64_t i = 0; i <= pos + 1; i++)
        if ((len = getline(&line, &cap, f)) <= 0) break;
    if (len > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        uint64_t r = 0, s = 0;
        unsigned col;
        char msg[200];
        if (cxi_batch_row_parse(line, ncols, &r, &s, values, &col, msg, sizeof msg) == 0 && r == want)
            rc = 0;
    }
    if (rc != 0) snprintf(err, errn, "%s: row of replicate %" PRIu64 " not found", path, want);
    free(line);
    fclose(f);
    return rc;
}

static void append(char *buf, size_t n, const char *s) {
    size_t used = strlen(buf);
    if (used + 1 < n) snprintf(buf + used, n - used, "%s", s);
}

/* Re-runs the kept replicates with a timeline writer into dir/timelines/. Appends the files to
 * `files`. Returns 0, or 1 (runtime failure, message printed). */
static int write_keeps(const cx_scenario *sc, uint64_t seed, uint64_t n, const char *dir,
                       keep_spec *ks, size_t nk, const cxi_batch_cols *cols, char *files,
                       size_t filesn) {
    char reps_path[PATH_BUF + 32], path[PATH_BUF + 128], err[PATH_BUF + 256];
    snprintf(reps_path, sizeof reps_path, "%s/replicates.csv", dir);
    for (size_t i = 0; i < nk; i++) {
        keep_spec *k = &ks[i];
        if (k->kind == KEEP_REPLICATE) continue;
        size_t which = (size_t)k->col;
        double **data = NULL;
        uint64_t *reps = NULL, rows = 0;
        err[0] = '\0';
        if (cxi_batch_columns_load(reps_path, &which, 1, &data, &reps, &rows, err, sizeof err) !=
            CX_OK) {
            fprintf(stderr, "crisim mc: --keep: %s\n", err);
            return 1;
        }
        double *x = data[0];
        double target = NAN;
        if (k->kind == KEEP_MEDIAN) {
            double *sorted = malloc((rows ? rows : 1) * sizeof *sorted);
            if (!sorted) {
                free(x), free(data), free(reps);
                fprintf(stderr, "crisim mc: out of memory\n");
                return 1;
            }
            memcpy(sorted, x, rows * sizeof *sorted);
            cxi_stats_summary s;
            cxi_stats_summarize(sorted, (size_t)rows, &s);
            target = s.p50;
            free(sorted);
        }
        /* Lowest replicate index wins ties, so the choice is deterministic. */
        uint64_t best = UINT64_MAX;
        double bestv = NAN;
        for (uint64_t r = 0; r < rows; r++) {
            double v = x[r], score;
            if (!isfinite(v)) continue;
            if (k->kind == KEEP_MEDIAN) score = fabs(v - target);
            else if (k->kind == KEEP_WORST) score = -v;
            else score = v;
            if (best == UINT64_MAX || score < bestv) {
                best = reps[r];
                bestv = score;
            }
        }
        free(x);
        free(data);
        free(reps);
        if (best == UINT64_MAX) {
            fprintf(stderr, "crisim mc: --keep %s: the metric has no finite value; skipped\n",
                    k->spec);
            k->replicate = UINT64_MAX;
            continue;
        }
        k->replicate = best;
    }

    snprintf(path, sizeof path, "%s/timelines", dir);
    if (mc_mkdirs(path) != 0) {
        fprintf(stderr, "crisim mc: cannot create '%s'\n", path);
        return 1;
    }
    snprintf(path, sizeof path, "%s/timelines/index.csv", dir);
    FILE *idx = fopen(path, "wb");
    if (!idx) {
        fprintf(stderr, "crisim mc: cannot create '%s'\n", path);
        return 1;
    }
    fputs("replicate,why,file\n", idx);
    append(files, filesn, " timelines/index.csv");
    double *stored = malloc((cols->n ? cols->n : 1) * sizeof *stored);
    if (!stored) {
        fclose(idx);
        fprintf(stderr, "crisim mc: out of memory\n");
        return 1;
    }
    int rc = 0;
    /* Each replicate once, in increasing order, whatever the order of the specs. */
    uint64_t prev = UINT64_MAX;
    for (;;) {
        uint64_t rep = UINT64_MAX;
        for (size_t i = 0; i < nk; i++)
            if (ks[i].replicate < rep && (prev == UINT64_MAX || ks[i].replicate > prev))
                rep = ks[i].replicate;
        if (rep == UINT64_MAX || rep >= n) break;
        prev = rep;
        char why[1024] = "";
        for (size_t i = 0; i < nk; i++) {
            if (ks[i].replicate != rep) continue;
            int dup = 0;
            for (size_t j = 0; j < i; j++) dup |= ks[j].replicate == rep && !strcmp(ks[j].spec, ks[i].spec);
            if (dup) continue;
            size_t w = strlen(why);
            snprintf(why + w, sizeof why - w, "%s%s", w ? " " : "", ks[i].spec);
        }
        char rel[64];
        snprintf(rel, sizeof rel, "timelines/rep-%" PRIu64 ".csv", rep);
        snprintf(path, sizeof path, "%s/%s", dir, rel);

        cxi_timeline *tl = NULL;
        cx_sim *sim = NULL;
        cx_sim_config cfg = cx_sim_config_default();
        cfg.seed = seed;
        cfg.replicate = rep;
        cx_status st = cxi_timeline_open(path, cx_scenario_start(sc), &tl);
        if (st == CX_OK) st = cx_sim_create(sc, &cfg, &sim);
        cx_observer obs = cxi_timeline_observer(tl);
        if (st == CX_OK) st = cx_sim_subscribe(sim, &obs);
        if (st == CX_OK) st = cx_sim_run(sim);
        const cx_metric *m = NULL;
        size_t nm = 0;
        if (st == CX_OK) st = cx_sim_metrics(sim, &m, &nm);
        cx_status cst = cxi_timeline_close(tl);
        if (st == CX_OK) st = cst;
        if (st != CX_OK) {
            fprintf(stderr, "crisim mc: --keep: replicate %" PRIu64 ": %s\n", rep,
                    sim && cx_sim_errmsg(sim)[0] ? cx_sim_errmsg(sim) : cx_status_str(st));
            cx_sim_destroy(sim);
            rc = 1;
            break;
        }
        /* The re-run must reproduce the stored row exactly: a cheap end-to-end determinism check. */
        err[0] = '\0';
        if (read_row(reps_path, rep, cols->n, rep, stored, err, sizeof err) != 0 || nm != cols->n) {
            fprintf(stderr, "crisim mc: --keep: %s\n", err[0] ? err : "metric set changed");
            cx_sim_destroy(sim);
            rc = 1;
            break;
        }
        for (size_t j = 0; j < nm; j++) {
            char a[40], b[40];
            cxi_batch_fmt(m[j].value, a, sizeof a);
            cxi_batch_fmt(stored[j], b, sizeof b);
            if (strcmp(a, b)) {
                fprintf(stderr, "crisim mc: --keep: replicate %" PRIu64 " gave %s = %s on re-run but "
                        "%s in the batch: the simulation is not deterministic (a bug)\n",
                        rep, cols->names[j], a, b);
                rc = 1;
                break;
            }
        }
        cx_sim_destroy(sim);
        if (rc) break;
        fprintf(idx, "%" PRIu64 ",", rep);
        cxi_csv_put(idx, why);
        fprintf(idx, ",%s\n", rel);
        append(files, filesn, " ");
        append(files, filesn, rel);
    }
    free(stored);
    if (fclose(idx) != 0 && rc == 0) {
        fprintf(stderr, "crisim mc: cannot write timelines/index.csv\n");
        rc = 1;
    }
    return rc;
}

/* ---- progress and the sink ------------------------------------------------------------------- */

typedef struct {
    FILE *reps;
    uint64_t seed;
    int tty, quiet;
    uint64_t first;     /* positions already done when this session started */
    double t0, last_draw, last_sync, last_line;
    uint64_t last_tenth;
    int drawn;          /* a progress bar is on the terminal line */
    int write_error;
} mc_ctx;

/* Rows arrive formatted by the workers (cxi_batch_format_row): the writer only copies bytes. */
static int sink(void *ud, uint64_t replicate, const double *values, size_t n, const char *line,
                size_t len) {
    mc_ctx *c = ud;
    (void)replicate, (void)values, (void)n;
    if (fwrite(line, 1, len, c->reps) != len) {
        c->write_error = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

static void sync_file(mc_ctx *c) {
    if (fflush(c->reps) != 0 || fsync(fileno(c->reps)) != 0) c->write_error = errno ? errno : EIO;
}

static void progress(void *ud, uint64_t done, uint64_t total) {
    mc_ctx *c = ud;
    double now = mc_now();
    if (now - c->last_sync >= 1.0) {
        sync_file(c);
        c->last_sync = now;
    }
    if (c->quiet || total == 0) return;
    double el = now - c->t0;
    double rate = el > 0 ? (double)(done - c->first) / el : 0.0;
    double eta = rate > 0 ? (double)(total - done) / rate : NAN;
    char eta_s[32];
    mc_fmt_secs(eta, eta_s, sizeof eta_s);
    unsigned pct = (unsigned)(done * 100 / total);
    if (c->tty) {
        if (now - c->last_draw < 0.2 && done != total) return;
        char bar[26];
        unsigned fill = (unsigned)(done * 24 / total);
        for (unsigned i = 0; i < 24; i++) bar[i] = i < fill ? '#' : '.';
        bar[24] = '\0';
        fprintf(stderr, "\r%" PRIu64 "/%" PRIu64 " [%s] %3u%%  %.1f rep/s  ETA %s   ", done, total,
                bar, pct, rate, eta_s);
        fflush(stderr);
        c->drawn = 1;
        c->last_draw = now;
    } else {
        uint64_t tenth = done * 10 / total;
        if (el < 2.0) return; /* a short run needs no progress lines in a log */
        if (now - c->last_line < 5.0 && tenth == c->last_tenth) return;
        if (done == total && tenth == c->last_tenth) return;
        fprintf(stderr, "crisim mc: %" PRIu64 "/%" PRIu64 " replicates (%u%%), %.1f rep/s, ETA %s\n",
                done, total, pct, rate, eta_s);
        c->last_line = now;
        c->last_tenth = tenth;
    }
}

static int poll_stop(void *ud) {
    (void)ud;
    return mc_signal != 0;
}

static void clear_bar(mc_ctx *c) {
    if (c->drawn) {
        fprintf(stderr, "\r%*s\r", 78, "");
        c->drawn = 0;
    }
}

/* The whole-run metrics worth a line in the final summary. */
static size_t key_metrics(const cxi_batch_cols *cols, size_t *out, size_t max) {
    static const char *const preferred[] = {"pop_hours_without_service", "peak_pop_without_service",
                                            "time_to_restore"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof preferred / sizeof preferred[0] && n < max; i++) {
        long c = cxi_batch_cols_find(cols, preferred[i]);
        if (c >= 0) out[n++] = (size_t)c;
    }
    for (size_t i = 0; i < cols->n && n == 0; i++)
        if (!strchr(cols->names[i], '[')) {
            for (size_t j = i; j < cols->n && n < max; j++)
                if (!strchr(cols->names[j], '[')) out[n++] = j;
        }
    return n;
}

/* ---- the command ----------------------------------------------------------------------------- */

typedef struct {
    uint64_t n, seed;
    int have_seed, quiet, resume, no_plots;
    int threads_given, force_mpi;
    int mpi_rank, mpi_size; /* 0 and 1 unless started by an MPI launcher */
    int plan_sent;          /* rank 0 told the other ranks whether (and from where) to run */
    unsigned threads;
    uint32_t shard_k, shard_count;
    const char *out;
    const char *dir;
    keep_spec keeps[MAX_KEEP];
    size_t nkeep;
    const char *sets[MC_MAX_SETS]; /* --set, in order */
    size_t nsets;
    const char *sweep;             /* --sweep FILE or NULL */
    const char *const *cur_sets;   /* the overrides of the batch being run (manifest `set` rows) */
    size_t ncur_sets;
    char cmdline[8192]; /* as typed: getopt_long permutes argv */
} mc_opts;

static int parse_args(int argc, char **argv, mc_opts *o) {
    static const struct option opts[] = {
        {"replicates", required_argument, NULL, 'n'},
        {"threads", required_argument, NULL, 'j'},
        {"seed", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"resume", no_argument, NULL, 'R'},
        {"shard", required_argument, NULL, 'S'},
        {"keep", required_argument, NULL, 'k'},
        {"no-plots", no_argument, NULL, 'P'},
        {"mpi", no_argument, NULL, 'M'},
        {"set", required_argument, NULL, 'V'},
        {"sweep", required_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int have_n = 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = ncpu < 1 ? 1u : ncpu > (long)CXI_BATCH_MAX_THREADS ? CXI_BATCH_MAX_THREADS
                                                                     : (unsigned)ncpu;
    o->shard_k = o->shard_count = 1;
    optind = 0; /* glibc: full re-initialisation, in case getopt ran before */
    opterr = 0;
    int c;
    uint64_t v;
    while ((c = getopt_long(argc, argv, ":n:j:s:o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (mc_parse_u64(optarg, &o->n) != 0 || o->n == 0)
                return cli_usage_error(CMD, "-n '%s': expected a number of replicates > 0", optarg);
            have_n = 1;
            break;
        case 'j':
            if (mc_parse_u64(optarg, &v) != 0 || v == 0 || v > CXI_BATCH_MAX_THREADS)
                return cli_usage_error(CMD, "-j '%s': expected a thread count from 1 to %u", optarg,
                                       CXI_BATCH_MAX_THREADS);
            o->threads = (unsigned)v;
            o->threads_given = 1;
            break;
        case 's':
            if (mc_parse_u64(optarg, &o->seed) != 0)
                return cli_usage_error(CMD, "--seed '%s': expected an unsigned 64-bit integer", optarg);
            o->have_seed = 1;
            break;
        case 'o':
            if (!optarg[0]) return cli_usage_error(CMD, "--out: expected a folder name");
            o->out = optarg;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'R':
            o->resume = 1;
            break;
        case 'S':
            if (mc_parse_shard(optarg, &o->shard_k, &o->shard_count) != 0)
                return cli_usage_error(CMD, "--shard '%s': expected k/K with 1 <= k <= K <= 1000000 "
                                       "(e.g. 3/8)", optarg);
            break;
        case 'P':
            o->no_plots = 1;
            break;
        case 'M':
            o->force_mpi = 1;
            break;
        case 'V':
            if (o->nsets == MC_MAX_SETS)
                return cli_usage_error(CMD, "--set: at most %d overrides", MC_MAX_SETS);
            o->sets[o->nsets++] = optarg;
            break;
        case 'W':
            if (!optarg[0]) return cli_usage_error(CMD, "--sweep: expected a CSV file");
            o->sweep = optarg;
            break;
        case 'k': {
            int rc = parse_keep(optarg, o->keeps, &o->nkeep);
            if (rc) return rc;
            break;
        }
        case 'h':
            usage(stdout);
            return -1;
        case ':':
            return cli_usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt > 0 && optopt < 128 && argv[optind - 1][1] != '-')
                return cli_usage_error(CMD, "unknown option '-%c'", optopt);
            return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error(CMD, "missing the scenario folder (crisim mc DIR -n N)");
    if (optind + 1 < argc) return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind + 1]);
    if (!have_n) return cli_usage_error(CMD, "missing -n N (the number of replicates)");
    if (o->nkeep && o->shard_count > 1)
        return cli_usage_error(CMD, "--keep cannot be used with --shard: use it on a single run");
    for (size_t i = 0; i < o->nkeep; i++)
        if (o->keeps[i].kind == KEEP_REPLICATE && o->keeps[i].replicate >= o->n)
            return cli_usage_error(CMD, "--keep %s: there are only %" PRIu64 " replicates (0..%" PRIu64
                                   ")", o->keeps[i].spec, o->n, o->n - 1);
    if (o->sweep && (o->resume || o->shard_count > 1 || o->force_mpi))
        return cli_usage_error(CMD, "--sweep cannot be used with --resume, --shard or --mpi: run "
                               "one `crisim mc --set ...` per point for those");
    o->dir = argv[optind];
    return 0;
}

/* Opens dir/replicates.csv for appending, locked against a second writer. -1: message printed. */
static FILE *open_reps(const char *dir, int *busy) {
    char path[PATH_BUF + 32];
    snprintf(path, sizeof path, "%s/replicates.csv", dir);
    *busy = 0;
    int fd = open(path, O_WRONLY | O_CREAT, 0666);
    if (fd < 0) {
        fprintf(stderr, "crisim mc: cannot open '%s': %s\n", path, strerror(errno));
        return NULL;
    }
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        fprintf(stderr, "crisim mc: '%s' is being written by another crisim mc process\n", path);
        close(fd);
        *busy = 1;
        return NULL;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        fprintf(stderr, "crisim mc: cannot open '%s'\n", path);
    }
    return f;
}

/* The command line to continue: the given one with --resume added when absent. */
static void resume_hint(const mc_opts *o, char *buf, size_t n) {
    snprintf(buf, n, "%s", o->cmdline);
    if (o->resume) return;
    size_t used = strlen(buf);
    snprintf(buf + used, n - used, " --resume");
}

/* What rank 0 tells the other ranks before the batch (MPI only). */
typedef struct {
    int32_t go;     /* 1: run; 0: do not (rc says how rank 0 ends) */
    int32_t rc;
    uint64_t first; /* positions already done (--resume) */
} mc_plan;

static int run_batch(const cx_scenario *sc, mc_opts *o, const char *out) {
    char partial[PATH_BUF + 16], path[PATH_BUF + 64], err[PATH_BUF + 512];
    snprintf(partial, sizeof partial, "%s.partial", out);
    uint64_t seed = o->have_seed ? o->seed : cx_scenario_seed(sc);

    mc_manifest cur;
    memset(&cur, 0, sizeof cur);
    snprintf(cur.version, sizeof cur.version, "%s", cx_version());
    snprintf(cur.scenario, sizeof cur.scenario, "%s", cx_scenario_name(sc));
    snprintf(cur.scenario_dir, sizeof cur.scenario_dir, "%s", cx_scenario_dir(sc));
    snprintf(cur.hash, sizeof cur.hash, "%s", cx_scenario_hash(sc));
    cur.seed = seed;
    cur.n = o->n;
    cur.shard_k = o->shard_k;
    cur.shard_count = o->shard_count;
    cur.sets = o->cur_sets;
    cur.nsets = o->ncur_sets;
    snprintf(cur.command, sizeof cur.command, "%s", o->cmdline);

    cxi_batch_cols cols;
    err[0] = '\0';
    cx_status st = cxi_batch_columns(sc, seed, &cols, err, sizeof err);
    if (st != CX_OK) {
        fprintf(stderr, "crisim mc: %s: %s\n", cx_scenario_name(sc), err);
        return 1;
    }
    int rc = 1;
    FILE *reps = NULL;
    for (size_t i = 0; i < o->nkeep; i++) {
        keep_spec *k = &o->keeps[i];
        if (k->kind == KEEP_REPLICATE) continue;
        k->col = cxi_batch_cols_find(&cols, k->metric);
        if (k->col < 0) {
            fprintf(stderr, "crisim mc: --keep %s: unknown metric '%s'; this scenario has:", k->spec,
                    k->metric);
            for (size_t j = 0; j < cols.n; j++) fprintf(stderr, "%s%s", j ? ", " : " ", cols.names[j]);
            fprintf(stderr, "\n");
            rc = 2;
            goto done;
        }
    }
    if (!mc_replaceable(out)) {
        fprintf(stderr, "crisim mc: refusing to replace '%s': it is not a crisim output folder "
                "(no manifest.csv); choose another --out\n", out);
        rc = 2;
        goto done;
    }

    uint64_t total = cxi_batch_shard_size(o->n, o->shard_k, o->shard_count);
    uint64_t first = 0;
    int busy = 0;
    if (mc_exists(partial)) {
        if (!o->resume) {
            fprintf(stderr, "crisim mc: '%s' holds an interrupted run of this output folder: continue "
                    "it with --resume, or delete that folder to start again\n", partial);
            rc = 2;
            goto done;
        }
        mc_manifest old;
        if (mc_manifest_read(partial, &old, err, sizeof err) != 0) {
            fprintf(stderr, "crisim mc: cannot resume: %s\n", err);
            rc = 2;
            goto done;
        }
        char diff[512];
        mc_manifest_diff(&cur, &old, diff, sizeof diff);
        if (diff[0]) {
            fprintf(stderr, "crisim mc: cannot resume '%s': it holds a different batch (%s); use the "
                    "same scenario, --seed, -n and --shard, or delete it\n", partial, diff);
            rc = 2;
            goto done;
        }
        /* The batch is defined by the command that started it; keep that one. */
        snprintf(cur.command, sizeof cur.command, "%s", old.command);
        reps = open_reps(partial, &busy);
        if (!reps) {
            rc = busy ? 2 : 1;
            goto done;
        }
        snprintf(path, sizeof path, "%s/replicates.csv", partial);
        cxi_batch_scan scan;
        st = cxi_batch_scan_partial(path, &cols, seed, o->n, o->shard_k, o->shard_count, &scan, err,
                                    sizeof err);
        if (st != CX_OK) {
            fprintf(stderr, "crisim mc: cannot resume: %s\n", err);
            rc = st == CX_EINPUT ? 2 : 1;
            goto done;
        }
        if (ftruncate(fileno(reps), scan.header ? (off_t)scan.keep_bytes : 0) != 0 ||
            fseek(reps, 0, SEEK_END) != 0) {
            fprintf(stderr, "crisim mc: cannot truncate '%s': %s\n", path, strerror(errno));
            goto done;
        }
        if (!scan.header && cxi_batch_write_header(reps, &cols) != CX_OK) {
            fprintf(stderr, "crisim mc: cannot write '%s'\n", path);
            goto done;
        }
        first = scan.rows;
        if (!o->quiet)
            fprintf(stderr, "crisim mc: resuming %s: %" PRIu64 " of %" PRIu64 " replicates done%s\n",
                    partial, first, total, scan.torn ? " (an incomplete last row was dropped)" : "");
    } else {
        if (o->resume) {
            mc_manifest old;
            snprintf(path, sizeof path, "%s/replicates.csv", out);
            if (mc_manifest_read(out, &old, err, sizeof err) == 0 && mc_exists(path)) {
                char diff[512];
                mc_manifest_diff(&cur, &old, diff, sizeof diff);
                if (!diff[0]) {
                    if (!o->quiet) printf("crisim mc: %s already holds this batch; nothing to do\n", out);
                    rc = 0;
                    goto done;
                }
            }
        }
        if (mc_mkdirs(partial) != 0) {
            fprintf(stderr, "crisim mc: cannot create '%s': %s\n", partial, strerror(errno));
            goto done;
        }
        if (mc_manifest_write(partial, &cur, "replicates.csv summary.csv", 0) != CX_OK) {
            fprintf(stderr, "crisim mc: cannot write '%s/manifest.csv'\n", partial);
            goto done;
        }
        reps = open_reps(partial, &busy);
        if (!reps) {
            rc = busy ? 2 : 1;
            goto done;
        }
        if (ftruncate(fileno(reps), 0) != 0 || cxi_batch_write_header(reps, &cols) != CX_OK) {
            fprintf(stderr, "crisim mc: cannot write '%s/replicates.csv'\n", partial);
            goto done;
        }
    }
    setvbuf(reps, NULL, _IOFBF, 1 << 16);

    mc_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.reps = reps;
    ctx.seed = seed;
    ctx.tty = isatty(2);
    ctx.quiet = o->quiet;
    ctx.first = first;
    ctx.t0 = ctx.last_sync = ctx.last_line = mc_now();
    ctx.last_tenth = total ? first * 10 / total : 0;

    cxi_batch_config cfg = cxi_batch_config_default();
    cfg.sc = sc;
    cfg.cols = &cols;
    cfg.seed = seed;
    cfg.n = o->n;
    cfg.shard_k = o->shard_k;
    cfg.shard_count = o->shard_count;
    cfg.first = first;
    cfg.threads = o->threads;
    cfg.line_sink = sink;
    cfg.progress = progress;
    cfg.poll = poll_stop;
    cfg.ud = &ctx;
    cxi_batch_outcome oc;
    cli_set_stop_handlers(on_signal);
    if (o->mpi_size > 1) {
        /* the other ranks wait for this plan: go, and from which position */
        mc_plan plan = {1, 0, first};
        mc_mpi_bcast(&plan, sizeof plan);
        o->plan_sent = 1;
        if (!o->quiet)
            fprintf(stderr, "crisim mc: mpi ranks %d, %u thread%s per rank (%s)\n", o->mpi_size,
                    o->threads, o->threads == 1 ? "" : "s", mc_mpi_library());
        cfg.sink = NULL;
        st = mc_mpi_run_root(&cfg, o->mpi_size, &oc);
    } else {
        st = cxi_batch_run(&cfg, &oc);
    }
    double elapsed = mc_now() - ctx.t0;
    sync_file(&ctx);
    clear_bar(&ctx);
    if (ctx.write_error) {
        fprintf(stderr, "crisim mc: cannot write '%s/replicates.csv': %s\n", partial,
                strerror(ctx.write_error));
        goto done;
    }
    if (st != CX_OK) {
        fprintf(stderr, "crisim mc: %s: %s\n", cx_scenario_name(sc), oc.errmsg);
        if (oc.done > first || first > 0)
            fprintf(stderr, "crisim mc: the %" PRIu64 " replicates before it are in '%s'\n", oc.done,
                    partial);
        goto done;
    }
    if (oc.stopped || mc_signal) {
        char hint[8300];
        resume_hint(o, hint, sizeof hint);
        fprintf(stderr, "crisim mc: interrupted after %" PRIu64 " of %" PRIu64 " replicates; they are "
                "kept in '%s'. Continue with:\n  %s\n", oc.done, total, partial, hint);
        rc = mc_signal == SIGTERM ? 143 : 130;
        goto done;
    }

    /* Complete: summary (and plots, from the same pass), kept timelines, manifest, then the rename
     * that publishes it. */
    cxi_batch_cols scols;
    cxi_stats_summary *sums = NULL;
    uint64_t rows = 0;
    mc_plots plots;
    char **units = NULL;
    int with_plots = !o->no_plots;
    if (with_plots) {
        char sub[600];
        mc_plot_subtitle(cx_scenario_name(sc), o->n, seed, o->shard_k, o->shard_count, sub,
                         sizeof sub);
        if (cxi_batch_units(sc, seed, &cols, &units, err, sizeof err) != CX_OK) units = NULL;
        if (mc_plots_begin(&plots, partial, units, units ? cols.n : 0, sub) != 0) {
            fprintf(stderr, "crisim mc: %s\n", plots.err);
            cxi_batch_units_free(units, cols.n);
            goto done;
        }
        plots.cols = &scols;
    }
    snprintf(path, sizeof path, "%s/replicates.csv", partial);
    st = cxi_batch_summarize_each(path, SUMMARY_MEM_BUDGET, &scols, &sums, &rows,
                                  with_plots ? mc_plots_column : NULL, &plots, err, sizeof err);
    if (with_plots && st == CX_OK && mc_plots_end(&plots) != 0) {
        snprintf(err, sizeof err, "%s", plots.err);
        st = CX_EIO;
    } else if (with_plots && st != CX_OK && plots.err[0]) {
        snprintf(err, sizeof err, "%s", plots.err);
    }
    if (with_plots) {
        mc_plots_free(&plots);
        cxi_batch_units_free(units, cols.n);
    }
    if (st == CX_OK && rows != total) {
        snprintf(err, sizeof err, "%s: %" PRIu64 " rows instead of %" PRIu64, path, rows, total);
        st = CX_ERUNTIME;
    }
    if (st == CX_OK) {
        snprintf(path, sizeof path, "%s/summary.csv", partial);
        st = cxi_batch_summary_write(path, &scols, sums);
        if (st != CX_OK) snprintf(err, sizeof err, "cannot write '%s'", path);
    }
    if (st != CX_OK) {
        fprintf(stderr, "crisim mc: %s\n", err);
        free(sums);
        cxi_batch_cols_free(&scols);
        goto done;
    }
    char files[4096] = "replicates.csv summary.csv";
    if (with_plots) append(files, sizeof files, " plots/");
    if (o->nkeep && !mc_signal &&
        write_keeps(sc, seed, o->n, partial, o->keeps, o->nkeep, &cols, files, sizeof files) != 0) {
        free(sums);
        cxi_batch_cols_free(&scols);
        goto done;
    }
    if (mc_signal) {
        char hint[8300];
        resume_hint(o, hint, sizeof hint);
        fprintf(stderr, "crisim mc: interrupted after the last replicate; continue with:\n  %s\n", hint);
        free(sums);
        cxi_batch_cols_free(&scols);
        rc = mc_signal == SIGTERM ? 143 : 130;
        goto done;
    }
    if (mc_manifest_write(partial, &cur, files, 0) != CX_OK) {
        fprintf(stderr, "crisim mc: cannot write '%s/manifest.csv'\n", partial);
        free(sums);
        cxi_batch_cols_free(&scols);
        goto done;
    }
    fclose(reps);
    reps = NULL;
    if ((st = cxi_outdir_commit(partial, out, err, sizeof err)) != CX_OK) {
        fprintf(stderr, "crisim mc: %s\n", err[0] ? err : cx_status_str(st));
        free(sums);
        cxi_batch_cols_free(&scols);
        goto done;
    }
    if (!o->quiet) {
        uint64_t now_done = total - first;
        printf("crisim mc: %" PRIu64 " replicates of %s in %.2f s (%.1f rep/s on ", total,
               cx_scenario_name(sc), elapsed, elapsed > 0 ? (double)now_done / elapsed : 0.0);
        if (o->mpi_size > 1) printf("%d MPI ranks x ", o->mpi_size);
        printf("%u thread%s)", o->threads, o->threads == 1 ? "" : "s");
        if (first) printf(", %" PRIu64 " of them resumed", first);
        printf(" -> %s\n", out);
        size_t keys[3];
        size_t nkeys = key_metrics(&scols, keys, 3);
        for (size_t i = 0; i < nkeys; i++) {
            const cxi_stats_summary *s = &sums[keys[i]];
            char m[40], lo[40], hi[40];
            mc_fmt_value(s->mean, m, sizeof m);
            mc_fmt_value(s->ci95_low, lo, sizeof lo);
            mc_fmt_value(s->ci95_high, hi, sizeof hi);
            printf("  %-28s mean %s [95%% CI %s, %s]\n", scols.names[keys[i]], m, lo, hi);
        }
    }
    free(sums);
    cxi_batch_cols_free(&scols);
    rc = 0;
done:
    cli_set_stop_handlers(SIG_DFL);
    if (reps) fclose(reps);
    cxi_batch_cols_free(&cols);
    return rc;
}

/* A rank >= 1 of an MPI batch: waits for rank 0's plan, computes its share, ends as rank 0 does. */
static int run_worker(const cx_scenario *sc, mc_opts *o) {
    mc_plan plan;
    mc_mpi_bcast(&plan, sizeof plan);
    if (!plan.go) return plan.rc;
    uint64_t seed = o->have_seed ? o->seed : cx_scenario_seed(sc);
    cxi_batch_cols cols = {0, NULL};
    char err[512];
    cx_status st = cxi_batch_columns(sc, seed, &cols, err, sizeof err);
    cxi_batch_config cfg = cxi_batch_config_default();
    cfg.sc = sc;
    cfg.cols = st == CX_OK ? &cols : NULL; /* NULL: the run fails and says so to rank 0 */
    cfg.seed = seed;
    cfg.n = o->n;
    cfg.shard_k = o->shard_k;
    cfg.shard_count = o->shard_count;
    cfg.first = plan.first;
    cfg.threads = o->threads;
    cfg.poll = poll_stop;
    cxi_batch_outcome oc;
    cli_set_stop_handlers(on_signal);
    mc_mpi_run_worker(&cfg, o->mpi_rank, o->mpi_size, &oc);
    cli_set_stop_handlers(SIG_DFL);
    cxi_batch_cols_free(&cols);
    int32_t rc = 1;
    mc_mpi_bcast(&rc, sizeof rc);
    return rc;
}

/* Loads the scenario on every rank; with MPI, every rank must load it and see the same files. */
static cx_scenario *load_everywhere(const mc_opts *o, int *rc) {
    cx_diags *diags = NULL;
    cx_scenario *sc = NULL;
    cx_load_opts lo;
    (void)cli_load_opts(&lo); /* checked by main() */
    lo.overrides = o->sets;
    lo.noverrides = o->nsets;
    cx_status st = cx_diags_create(&diags);
    if (st == CX_OK) st = cx_scenario_load(o->dir, &lo, &sc, diags);
    if (st != CX_OK && (o->mpi_rank == 0 || o->mpi_size == 1)) {
        if (diags) cli_print_diags(diags);
        if (!diags || cx_diags_count(diags) == 0)
            fprintf(stderr, "crisim mc: %s: %s\n", o->dir, cx_status_str(st));
    } else if (st != CX_OK) {
        fprintf(stderr, "crisim mc: rank %d: cannot load '%s' (%s)\n", o->mpi_rank, o->dir,
                cx_status_str(st));
    }
    cx_diags_destroy(diags);
    *rc = st == CX_OK ? 0 : st == CX_EINPUT ? 2 : 1;
    if (o->mpi_size == 1) return sc;
    if (!mc_mpi_all_ok(st == CX_OK)) {
        cx_scenario_destroy(sc);
        if (*rc == 0) *rc = 2;
        return NULL;
    }
    char hash[64] = "";
    snprintf(hash, sizeof hash, "%s", cx_scenario_hash(sc));
    mc_mpi_bcast(hash, sizeof hash);
    int same = !strcmp(hash, cx_scenario_hash(sc));
    if (!same)
        fprintf(stderr, "crisim mc: rank %d reads other scenario files than rank 0 (hash %s, rank 0 "
                "%s): every rank must see the same folder\n", o->mpi_rank, cx_scenario_hash(sc), hash);
    if (!mc_mpi_all_ok(same)) {
        cx_scenario_destroy(sc);
        *rc = 2;
        return NULL;
    }
    return sc;
}

static int mc_main(mc_opts *o);
static int mc_sweep(mc_opts *o);

int cmd_mc(int argc, char **argv) {
    mc_opts o;
    memset(&o, 0, sizeof o);
    gsl_set_error_handler_off();
    cli_command_line(cli_argc, cli_argv, o.cmdline, sizeof o.cmdline);
    /* Under an MPI launcher every rank parses the same arguments: only rank 0 speaks. */
    int launch_rank = mc_mpi_launch_rank(), saved_out = -1, saved_err = -1;
    if (launch_rank > 0) {
        fflush(stdout);
        fflush(stderr);
        saved_out = dup(1);
        saved_err = dup(2);
        int nul = open("/dev/null", O_WRONLY);
        if (nul >= 0) {
            dup2(nul, 1);
            dup2(nul, 2);
            close(nul);
        }
    }
    int rc = parse_args(argc, argv, &o);
    if (launch_rank > 0) {
        fflush(stdout);
        fflush(stderr);
        if (saved_out >= 0) dup2(saved_out, 1), close(saved_out);
        if (saved_err >= 0) dup2(saved_err, 2), close(saved_err);
    }
    if (rc > 0 && launch_rank > 0) {
        /* A launcher tears the job down when any rank fails: give rank 0 the time to print the
         * usage error before this silent rank's failure can cut it off. */
        sleep(2);
    }
    if (rc != 0) return rc < 0 ? 0 : rc;
    char err[512];
    if (mc_mpi_begin(o.force_mpi, &o.mpi_rank, &o.mpi_size, err, sizeof err) != 0) {
        fprintf(stderr, "crisim mc: --mpi: %s\n", err);
        return 2;
    }
    if (o.mpi_size == 1 && (launch_rank >= 0 || o.force_mpi) && mc_mpi_compiled() && !o.quiet)
        fprintf(stderr, "crisim mc: mpi ranks 1: nothing to spread, a run on one process\n");
    if (o.mpi_size > 1) {
        int local = mc_mpi_local_size();
        if (!o.threads_given && local > 1) o.threads = o.threads / (unsigned)local ? o.threads / (unsigned)local : 1;
    }
    rc = mc_main(&o);
    mc_mpi_end();
    return rc;
}

static int mc_main(mc_opts *o) {
    int rc = 0;
    if (o->sweep) {
        if (o->mpi_size > 1) {
            fprintf(stderr, "crisim mc: --sweep cannot be used under an MPI launcher\n");
            return 2;
        }
        return mc_sweep(o);
    }
    o->cur_sets = o->sets;
    o->ncur_sets = o->nsets;
    cx_scenario *sc = load_everywhere(o, &rc);
    if (!sc) return rc;
    if (o->mpi_rank > 0) {
        rc = run_worker(sc, o);
        cx_scenario_destroy(sc);
        return rc;
    }

    char outbuf[PATH_BUF];
    const char *out = o->out;
    if (!out) {
        if (o->shard_count > 1)
            snprintf(outbuf, sizeof outbuf, "out/%s-mc-%" PRIu32 "of%" PRIu32, cx_scenario_name(sc),
                     o->shard_k, o->shard_count);
        else
            snprintf(outbuf, sizeof outbuf, "out/%s-mc", cx_scenario_name(sc));
        out = outbuf;
    } else {
        /* "x/" and "x" are the same folder; the partial folder is "x.partial", not "x/.partial". */
        size_t len = strlen(out);
        while (len > 1 && out[len - 1] == '/') len--;
        if (len >= sizeof outbuf) {
            rc = cli_usage_error(CMD, "--out: path too long");
            out = NULL;
        } else {
            memcpy(outbuf, out, len);
            outbuf[len] = '\0';
            out = outbuf;
        }
    }
    if (out) rc = run_batch(sc, o, out);
    if (o->mpi_size > 1) {
        /* the other ranks end as rank 0 does */
        if (!o->plan_sent) {
            mc_plan plan = {0, rc, 0};
            mc_mpi_bcast(&plan, sizeof plan);
        } else {
            int32_t final = rc;
            mc_mpi_bcast(&final, sizeof final);
        }
    }
    cx_scenario_destroy(sc);
    return rc;
}

/* ---- --sweep: one batch per parameter point ------------------------------------------------ */

#define SWEEP_MAX_POINTS 10000

/* One CSV field, quoted when it holds a delimiter, a quote or a line break (RFC 4180). */
static void put_field(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* The overrides of point r: --set first, then the row's "key=value" (the row wins). */
static int point_sets(const mc_opts *o, const cxi_table *t, unsigned r, char **owned,
                      const char **sets, size_t *n) {
    *n = 0;
    for (size_t i = 0; i < o->nsets; i++) sets[(*n)++] = o->sets[i];
    for (unsigned c = 0; c < t->ncols; c++) {
        const char *k = t->header[c].text, *v = t->rows[r][c].text;
        size_t len = strlen(k) + strlen(v) + 2;
        owned[c] = malloc(len);
        if (!owned[c]) return -1;
        snprintf(owned[c], len, "%s=%s", k, v);
        sets[(*n)++] = owned[c];
    }
    return 0;
}

/* Loads the scenario with point r's overrides into *sc (status in *st, messages in d, which may be
 * NULL); -1 when the overrides cannot be built. */
static int load_point(const mc_opts *o, const cxi_table *pts, unsigned r, char **owned,
                      const char **sets, size_t *nsets, cx_diags *d, cx_scenario **sc,
                      cx_status *st) {
    if (point_sets(o, pts, r, owned, sets, nsets) != 0) return -1;
    cx_load_opts lo;
    (void)cli_load_opts(&lo); /* checked by main() */
    lo.overrides = sets;
    lo.noverrides = *nsets;
    *st = cx_scenario_load(o->dir, &lo, sc, d);
    return 0;
}

static void free_owned(char **owned, unsigned n) {
    for (unsigned c = 0; c < n; c++) {
        free(owned[c]);
        owned[c] = NULL;
    }
}

/* Appends the rows of OUT/sweep-<r>/summary.csv to f, prefixed by the point's values. */
static int sweep_rows(FILE *f, const cxi_table *pts, unsigned r, const char *bdir) {
    char path[PATH_BUF + 64];
    snprintf(path, sizeof path, "%s/summary.csv", bdir);
    cx_diags *d = NULL;
    if (cx_diags_create(&d) != CX_OK) return -1;
    cxi_table t;
    memset(&t, 0, sizeof t);
    cx_status st = cxi_table_read(path, NULL, &t, d);
    int rc = st == CX_OK ? 0 : -1;
    static const char *const want[] = {"metric", "n", "mean", "ci95_low", "ci95_high", "p50"};
    int col[6];
    for (int i = 0; i < 6 && rc == 0; i++)
        if ((col[i] = cxi_table_col(&t, want[i])) < 0) rc = -1;
    for (unsigned i = 0; i < t.nrows && rc == 0; i++) {
        for (unsigned c = 0; c < pts->ncols; c++) {
            put_field(f, pts->rows[r][c].text);
            fputc(',', f);
        }
        for (int k = 0; k < 6; k++) {
            if (k) fputc(',', f);
            put_field(f, t.rows[i][col[k]].text);
        }
        fputc('\n', f);
    }
    if (rc != 0) fprintf(stderr, "crisim mc: cannot read '%s'\n", path);
    cxi_table_free(&t);
    cx_diags_destroy(d);
    return rc;
}

static int mc_sweep(mc_opts *o) {
    cx_diags *d = NULL;
    if (cx_diags_create(&d) != CX_OK) return 1;
    cxi_table pts;
    memset(&pts, 0, sizeof pts);
    cx_status st = cxi_table_read(o->sweep, NULL, &pts, d);
    int rc = 0;
    if (st != CX_OK) {
        cli_print_diags(d);
        if (cx_diags_count(d) == 0) fprintf(stderr, "crisim mc: --sweep %s: %s\n", o->sweep,
                                            cx_status_str(st));
        rc = st == CX_ENOMEM ? 1 : 2;
    } else if (pts.nrows == 0 || pts.ncols == 0) {
        fprintf(stderr, "%s:1:1: no parameter points (expected a header of scenario.csv keys and "
                "one row per point)\n", o->sweep);
        rc = 2;
    } else if (pts.nrows > SWEEP_MAX_POINTS) {
        fprintf(stderr, "%s: %u points (expected at most %d)\n", o->sweep, pts.nrows,
                SWEEP_MAX_POINTS);
        rc = 2;
    } else if (o->nsets + pts.ncols > MC_MAX_SETS) {
        fprintf(stderr, "%s:1:1: %u columns and %zu --set options (expected at most %d in all)\n",
                o->sweep, pts.ncols, o->nsets, MC_MAX_SETS);
        rc = 2;
    }
    cx_diags_destroy(d);
    d = NULL;
    char **owned = rc == 0 ? calloc(pts.ncols, sizeof *owned) : NULL;
    const char *sets[MC_MAX_SETS];
    size_t nsets = 0;
    if (rc == 0 && !owned) rc = 1;

    /* every point is loaded before anything is written: a bad row leaves no output behind */
    for (unsigned r = 0; r < pts.nrows && rc == 0; r++) {
        if (cx_diags_create(&d) != CX_OK) {
            rc = 1;
            break;
        }
        cx_scenario *sc = NULL;
        if (load_point(o, &pts, r, owned, sets, &nsets, d, &sc, &st) != 0) {
            cx_diags_destroy(d);
            d = NULL;
            rc = 1;
            break;
        }
        if (st != CX_OK) {
            for (size_t i = 0; i < cx_diags_count(d); i++) {
                /* located at the sweep file's cell when the message is about one of its values */
                const char *msg = cx_diags_get(d, i);
                unsigned line = pts.row_line[r], col = 0;
                for (unsigned c = 0; c < pts.ncols; c++) {
                    size_t l = strlen(owned[c]);
                    if (!strncmp(msg, "--set ", 6) && !strncmp(msg + 6, owned[c], l) &&
                        msg[6 + l] == ':') {
                        line = pts.rows[r][c].line;
                        col = pts.rows[r][c].col;
                    }
                }
                if (col)
                    fprintf(stderr, "%s:%u:%u: point %u: %s\n", o->sweep, line, col, r + 1, msg);
                else
                    fprintf(stderr, "%s:%u: point %u: %s\n", o->sweep, line, r + 1, msg);
            }
            if (cx_diags_count(d) == 0)
                fprintf(stderr, "%s:%u: point %u: %s\n", o->sweep, pts.row_line[r], r + 1,
                        cx_status_str(st));
            rc = st == CX_EINPUT ? 2 : 1;
        }
        cx_diags_destroy(d);
        d = NULL;
        cx_scenario_destroy(sc);
        free_owned(owned, pts.ncols);
    }

    char outbuf[PATH_BUF], bdir[PATH_BUF + 32], path[PATH_BUF + 32], tmp[PATH_BUF + 32];
    if (rc == 0) {
        if (o->out) {
            size_t len = strlen(o->out);
            while (len > 1 && o->out[len - 1] == '/') len--;
            if (len >= sizeof outbuf) {
                rc = cli_usage_error(CMD, "--out: path too long");
            } else {
                memcpy(outbuf, o->out, len);
                outbuf[len] = '\0';
            }
        } else {
            cx_scenario *sc = NULL;
            int lrc = 0;
            sc = load_everywhere(o, &lrc);
            snprintf(outbuf, sizeof outbuf, "out/%s-sweep", sc ? cx_scenario_name(sc) : "scenario");
            cx_scenario_destroy(sc);
        }
    }
    if (rc == 0 && mc_mkdirs(outbuf) != 0) {
        fprintf(stderr, "crisim mc: cannot create '%s': %s\n", outbuf, strerror(errno));
        rc = 1;
    }
    FILE *f = NULL;
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/sweep.csv", outbuf);
        snprintf(tmp, sizeof tmp, "%s/sweep.csv.tmp", outbuf);
        f = fopen(tmp, "w");
        if (!f) {
            fprintf(stderr, "crisim mc: cannot write '%s': %s\n", tmp, strerror(errno));
            rc = 1;
        }
    }
    if (f) {
        for (unsigned c = 0; c < pts.ncols; c++) {
            put_field(f, pts.header[c].text);
            fputc(',', f);
        }
        fputs("metric,n,mean,ci95_low,ci95_high,p50\n", f);
    }
    for (unsigned r = 0; r < pts.nrows && rc == 0; r++) {
        cx_scenario *sc = NULL;
        if (load_point(o, &pts, r, owned, sets, &nsets, NULL, &sc, &st) != 0) {
            rc = 1;
            break;
        }
        if (st != CX_OK) {
            fprintf(stderr, "crisim mc: %s: point %u: %s (the files changed during the sweep?)\n",
                    o->dir, r + 1, cx_status_str(st));
            rc = st == CX_EINPUT ? 2 : 1;
        } else {
            snprintf(bdir, sizeof bdir, "%s/sweep-%u", outbuf, r + 1);
            if (!o->quiet) fprintf(stderr, "crisim mc: point %u of %u -> %s\n", r + 1, pts.nrows, bdir);
            o->cur_sets = sets;
            o->ncur_sets = nsets;
            rc = run_batch(sc, o, bdir);
            if (rc == 0 && sweep_rows(f, &pts, r, bdir) != 0) rc = 1;
        }
        cx_scenario_destroy(sc);
        free_owned(owned, pts.ncols);
    }
    o->cur_sets = NULL;
    o->ncur_sets = 0;
    if (f) {
        int bad = ferror(f);
        if (fclose(f) != 0 || bad) {
            if (rc == 0) fprintf(stderr, "crisim mc: cannot write '%s'\n", tmp);
            if (rc == 0) rc = 1;
        }
        if (rc == 0 && rename(tmp, path) != 0) {
            fprintf(stderr, "crisim mc: cannot write '%s': %s\n", path, strerror(errno));
            rc = 1;
        }
        if (rc != 0) remove(tmp);
    }
    if (owned) free_owned(owned, pts.ncols);
    free(owned);
    cxi_table_free(&pts);
    return rc;
}
