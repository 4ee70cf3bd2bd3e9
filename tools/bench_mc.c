/* bench_mc.c — `crisim bench mc`: replicates per second of the Monte Carlo runner on the shipped
 * scenarios at 1 and 2 threads, and peak memory at two batch sizes (it must not grow with N).
 * Invariant: it measures the runner exactly as `crisim mc` uses it (cxi_batch_run, rows formatted
 * by the workers, written by the caller), writing to /dev/null instead of a file. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "bench_ext.h"
#include "commands.h"
#include "crisim.h"
#include "io/batch.h"
#include "mc_util.h"

#define CMD "bench mc"
#define MAX_DIRS 256
#define PATH_BUF 4096

static void usage(FILE *f) {
    fprintf(f,
            "usage: crisim bench mc [--scenarios DIR...] [-n N] [--reps R]\n"
            "\n"
            "For each scenario (default: every folder of ./scenarios, or of the scenarios folder\n"
            "beside the build folder, that holds a scenario.csv), runs N replicates through the\n"
            "Monte Carlo runner of 'crisim mc' (rows formatted as in replicates.csv, written to\n"
            "/dev/null) on 1 and on 2 threads, best of R runs each, and prints:\n"
            "  engine=crisim bench=mc scenario=S J=1 n=N reps_per_s=... ms_per_rep=... reps_per_cpu_s=...\n"
            "  engine=crisim bench=mc scenario=S J=2 n=N reps_per_s=... speedup=... target=1.80\n"
            "      reps_per_cpu_s=... cpu_efficiency=...\n"
            "(speedup: wall-clock rate at J=2 over J=1; cpu_efficiency: the same per CPU-second of\n"
            "all threads, which stays meaningful when other jobs take cores.)\n"
            "then, each in a fresh process, the peak resident memory of a 2-thread batch of N and of\n"
            "10 N replicates (it should not grow with N):\n"
            "  engine=crisim bench=mc scenario=S J=2 n=N peak_rss_mb=...\n"
            "\n"
            "  --scenarios DIR...  scenario folders, or folders of scenario folders\n"
            "  -n N                replicates per run (default: about 1 s of work on one thread,\n"
            "                      from 100 to 100000)\n"
            "  --reps R            runs per thread count, the fastest is kept (default 3)\n");
}

/* ---- scenario discovery ---------------------------------------------------------------------- */

static int has_scenario(const char *dir) {
    char p[PATH_BUF + 16];
    snprintf(p, sizeof p, "%s/scenario.csv", dir);
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Adds dir when it is a scenario, else its sub-folders that are (in name order). */
static int add_dirs(const char *dir, char **out, size_t *n) {
    if (has_scenario(dir)) {
        if (*n == MAX_DIRS) return -1;
        out[(*n)++] = strdup(dir);
        return out[*n - 1] ? 0 : -1;
    }
    struct dirent **list = NULL;
    int k = scandir(dir, &list, NULL, alphasort);
    if (k < 0) return -1;
    int rc = 0;
    for (int i = 0; i < k; i++) {
        char p[PATH_BUF];
        if (list[i]->d_name[0] != '.' && rc == 0) {
            snprintf(p, sizeof p, "%s/%s", dir, list[i]->d_name);
            if (is_dir(p) && has_scenario(p)) {
                if (*n == MAX_DIRS) rc = -1;
                else if (!(out[(*n)++] = strdup(p))) rc = -1;
            }
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

/* ./scenarios, else <folder of the executable>/../scenarios (a build folder inside the tree). */
static int default_root(char *buf, size_t n) {
    if (is_dir("scenarios")) {
        snprintf(buf, n, "scenarios");
        return 0;
    }
    char exe[PATH_BUF - 32];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) return -1;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return -1;
    *slash = '\0';
    snprintf(buf, n, "%s/../scenarios", exe);
    return is_dir(buf) ? 0 : -1;
}

/* ---- measurements ---------------------------------------------------------------------------- */

typedef struct {
    FILE *f;
    uint64_t seed;
    uint64_t rows;
} bench_sink;

static int sink(void *ud, uint64_t replicate, const double *values, size_t n, const char *line,
                size_t len) {
    bench_sink *b = ud;
    (void)replicate, (void)values, (void)n;
    b->rows++;
    return fwrite(line, 1, len, b->f) == len ? 0 : -1;
}

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One batch of n replicates on `threads` threads; wall seconds (and CPU seconds of all threads in
 * *cpu when not NULL), or -1 with a message printed. */
static double run_batch(const cx_scenario *sc, const cxi_batch_cols *cols, uint64_t n,
                        unsigned threads, FILE *devnull, double *cpu) {
    bench_sink b = {devnull, cx_scenario_seed(sc), 0};
    cxi_batch_config cfg = cxi_batch_config_default();
    cfg.sc = sc;
    cfg.cols = cols;
    cfg.seed = b.seed;
    cfg.n = n;
    cfg.threads = threads;
    cfg.line_sink = sink;
    cfg.ud = &b;
    cxi_batch_outcome oc;
    double t0 = mc_now(), c0 = cpu_now();
    cx_status st = cxi_batch_run(&cfg, &oc);
    fflush(devnull);
    double sec = mc_now() - t0;
    if (cpu) *cpu = cpu_now() - c0;
    if (st != CX_OK || b.rows != n) {
        fprintf(stderr, "crisim bench mc: %s: %s\n", cx_scenario_name(sc),
                oc.errmsg[0] ? oc.errmsg : cx_status_str(st));
        return -1;
    }
    return sec;
}

static int bench_one(const char *dir, uint64_t n_opt, unsigned reps) {
    cx_diags *d = NULL;
    cx_scenario *sc = NULL;
    if (cx_diags_create(&d) != CX_OK) return 1;
    cx_status st = cx_scenario_load(dir, NULL, &sc, d);
    if (st != CX_OK) {
        cli_print_diags(d);
        fprintf(stderr, "crisim bench mc: %s: cannot load: %s (skipped)\n", dir, cx_status_str(st));
        cx_diags_destroy(d);
        return 1;
    }
    cx_diags_destroy(d);
    cxi_batch_cols cols;
    char err[1024];
    if (cxi_batch_columns(sc, cx_scenario_seed(sc), &cols, err, sizeof err) != CX_OK) {
        fprintf(stderr, "crisim bench mc: %s: %s\n", dir, err);
        cx_scenario_destroy(sc);
        return 1;
    }
    FILE *devnull = fopen("/dev/null", "wb");
    if (!devnull) {
        cxi_batch_cols_free(&cols);
        cx_scenario_destroy(sc);
        return 1;
    }
    setvbuf(devnull, NULL, _IOFBF, 1 << 16);
    const char *name = cx_scenario_name(sc);
    int rc = 0;
    /* Warm-up (caches, page faults), which also sizes N for about 1 s on one thread. */
    uint64_t n = n_opt;
    double w = 0;
    uint64_t wn = 20;
    while (rc == 0 && w < 0.2 && wn <= 100000) {
        w = run_batch(sc, &cols, wn, 1, devnull, NULL);
        if (w < 0) rc = 1;
        else if (w < 0.2) wn *= 4;
    }
    if (rc == 0 && n == 0) {
        double rate = w > 0 ? (double)wn / w : 1e5;
        n = rate < 100 ? 100 : rate > 100000 ? 100000 : (uint64_t)rate;
    }
    /* best wall-clock rate, and the best rate per CPU-second (all threads): on a shared machine
     * the second shows whether threads add overhead even when they cannot all get a core */
    double best[3] = {0, 0, 0}, best_cpu[3] = {0, 0, 0};
    for (unsigned r = 0; r < reps && rc == 0; r++) {
        for (unsigned j = 1; j <= 2 && rc == 0; j++) {
            double cpu = 0;
            double s = run_batch(sc, &cols, n, j, devnull, &cpu);
            if (s < 0) rc = 1;
            if (s > 0 && (double)n / s > best[j]) best[j] = (double)n / s;
            if (s > 0 && cpu > 0 && (double)n / cpu > best_cpu[j]) best_cpu[j] = (double)n / cpu;
        }
    }
    if (rc == 0) {
        printf("engine=crisim bench=mc scenario=%s J=1 n=%" PRIu64 " metrics=%zu reps_per_s=%.1f "
               "ms_per_rep=%.4f reps_per_cpu_s=%.1f\n", name, n, cols.n, best[1], 1e3 / best[1],
               best_cpu[1]);
        printf("engine=crisim bench=mc scenario=%s J=2 n=%" PRIu64 " metrics=%zu reps_per_s=%.1f "
               "speedup=%.2f target=1.80 reps_per_cpu_s=%.1f cpu_efficiency=%.2f\n", name, n, cols.n,
               best[2], best[2] / best[1], best_cpu[2], best_cpu[2] / best_cpu[1]);
        fflush(stdout);
    }
    /* Memory at N and 10 N, each in a fresh child so the peak is that batch's own. */
    uint64_t sizes[2] = {n, 10 * n};
    for (int i = 0; i < 2 && rc == 0; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            rc = 1;
            break;
        }
        if (pid == 0) {
            double s = run_batch(sc, &cols, sizes[i], 2, devnull, NULL);
            if (s < 0) _exit(1);
            printf("engine=crisim bench=mc scenario=%s J=2 n=%" PRIu64 " peak_rss_mb=%.1f "
                   "reps_per_s=%.1f\n", name, sizes[i], mc_peak_rss_mb(), (double)sizes[i] / s);
            fflush(stdout);
            _exit(0);
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) rc = 1;
    }
    fclose(devnull);
    cxi_batch_cols_free(&cols);
    cx_scenario_destroy(sc);
    return rc;
}

int bench_mc(int argc, char **argv) {
    char *dirs[MAX_DIRS];
    size_t ndirs = 0;
    uint64_t n = 0, reps = 3;
    int given = 0, rc = 0;
    gsl_set_error_handler_off();
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            goto out;
        } else if (!strcmp(a, "-n") || !strcmp(a, "--reps")) {
            uint64_t v;
            if (i + 1 >= argc || mc_parse_u64(argv[i + 1], &v) != 0 || v == 0 ||
                v > (a[1] == 'n' ? UINT64_C(100000000) : UINT64_C(100))) {
                rc = cli_usage_error(CMD, "%s: expected a count (%s)", a,
                                     a[1] == 'n' ? "1 to 100000000" : "1 to 100");
                break;
            }
            if (a[1] == 'n') n = v;
            else reps = v;
            i++;
        } else if (!strcmp(a, "--scenarios")) {
            given = 1;
            int any = 0;
            while (i + 1 < argc && argv[i + 1][0] != '-') {
                any = 1;
                if (add_dirs(argv[++i], dirs, &ndirs) != 0) {
                    rc = cli_usage_error(CMD, "--scenarios: cannot read '%s' (or more than %d "
                                         "scenarios)", argv[i], MAX_DIRS);
                    break;
                }
            }
            if (!any && rc == 0) rc = cli_usage_error(CMD, "--scenarios needs at least one folder");
        } else {
            rc = cli_usage_error(CMD, "unknown argument '%s'", a);
        }
    }
    if (rc == 0 && !given) {
        char root[PATH_BUF];
        if (default_root(root, sizeof root) != 0 || add_dirs(root, dirs, &ndirs) != 0) {
            rc = cli_usage_error(CMD, "no ./scenarios folder found: pass --scenarios DIR...");
        }
    }
    if (rc == 0 && ndirs == 0) rc = cli_usage_error(CMD, "no scenario folder (with a scenario.csv) found");
    /* A scenario that fails is reported and the others still run; the status says so. */
    int failed = 0;
    for (size_t i = 0; i < ndirs && rc == 0; i++) failed |= bench_one(dirs[i], n, (unsigned)reps) != 0;
    if (rc == 0 && failed) rc = 1;
out:
    for (size_t i = 0; i < ndirs; i++) free(dirs[i]);
    return rc;
}
