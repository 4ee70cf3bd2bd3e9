/* bench_scale.c — `crisim bench scale`: generates scenarios of growing size (tools/gen.c), loads
 * each and runs one replicate, printing one key=value line per size, then how run time grew.
 * Invariant: each size is loaded and run in a fresh child process, so peak_rss_mb is that size's. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_ext.h"
#include "commands.h"
#include "crisim.h"
#include "gen.h"
#include "mc_util.h"

#define CMD "bench scale"
#define MAX_SIZES 32

static void usage(FILE *f) {
    fprintf(f,
            "usage: crisim bench scale [--sizes N1,N2,...] [--links-per-asset L] [--seed S]\n"
            "                          [--reps R] [--shuffle] [--cold] [--dir DIR]\n"
            "\n"
            "For each size N: writes a scenario of N assets and L*N links with 'crisim gen' (into a\n"
            "temporary folder under DIR, removed afterwards), then, in a fresh process, loads it and\n"
            "runs replicate 0 to the horizon R times: first on a new simulation (cx_sim_create),\n"
            "then on the same one reset (cx_sim_reset), as each thread of 'crisim mc' does.\n"
            "Prints one line per size:\n"
            "  engine=crisim bench=scale assets=N links=M regions=R injects=K gen_ms=... load_ms=...\n"
            "  run_ms=... reset_ms=... fresh_run_ms=... create_ms=... events=... assets_failed=...\n"
            "  peak_rss_mb=... load_us_per_asset=... run_us_per_asset=... events_per_asset=...\n"
            "  ns_per_event=...\n"
            "run_ms is the cost of a replicate in a batch: resetting the simulation (reset_ms),\n"
            "running it to the horizon and reading its metrics, the fastest of runs 2..R.\n"
            "fresh_run_ms is the same for the first run, which creates the simulation (create_ms)\n"
            "instead, as 'crisim run' does. ns_per_event is (run_ms - reset_ms) per event\n"
            "processed. A last line compares consecutive sizes A and B, as growth per tenfold\n"
            "increase in assets ((B/A)^(1/log10(B/A)) of each; 10 means linear in assets,\n"
            "ns_per_event 1 flat):\n"
            "  engine=crisim bench=scale summary=per_decade run=A-B:x,... fresh_run=A-B:x,...\n"
            "  events=A-B:x,... ns_per_event=A-B:x,...\n"
            "\n"
            "  --sizes LIST          comma-separated asset counts (default 1000,10000,100000)\n"
            "  --links-per-asset L   links per asset, 0 to 100 (default 3)\n"
            "  --seed S              generator seed (default 1)\n"
            "  --reps R              runs of the replicate per size (default 3; with 1, run_ms\n"
            "                        is the first run's)\n"
            "  --shuffle             assets.csv in a random order (crisim gen --shuffle):\n"
            "                        the same network, without the locality of the file\n"
            "  --cold                before each run, write over 256 MiB (not timed), so\n"
            "                        small sizes start with cold caches too (peak_rss_mb\n"
            "                        then counts these 256 MiB)\n"
            "  --dir DIR             where to write the scenarios (default $TMPDIR or /tmp)\n");
}

static int parse_sizes(const char *s, uint64_t *out, size_t *n) {
    char buf[1024];
    if (strlen(s) >= sizeof buf) return -1;
    strcpy(buf, s);
    *n = 0;
    for (char *p = buf;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (*n == MAX_SIZES || mc_parse_u64(p, &out[*n]) != 0 || out[*n] == 0 ||
            out[*n] > GEN_MAX_ASSETS)
            return -1;
        (*n)++;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

static void remove_scenario(const char *dir) {
    static const char *const names[] = {"scenario.csv", "regions.csv", "assets.csv", "links.csv",
                                        "injects.csv"};
    char path[4400];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static double metric(const cx_metric *m, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(m[i].name, name) && !m[i].sector[0] && !m[i].region[0]) return m[i].value;
    return NAN;
}

/* What a child measured, sent to the parent through a pipe for the summary line. */
typedef struct {
    double run_ms, reset_ms, fresh_ms, create_ms, events;
} size_result;

/* The child: load + one replicate; prints the line and writes its size_result to fd. Returns the
 * exit status. */
static int load_and_run(const char *dir, const gen_counts *c, double gen_ms, unsigned reps, int fd,
                        int cold) {
    cx_diags *d = NULL;
    cx_scenario *sc = NULL;
    if (cx_diags_create(&d) != CX_OK) return 1;
    cx_load_opts lo = cx_load_opts_default();
    lo.max_file_bytes = (size_t)1 << 32; /* 1,000,000 assets + 3,000,000 links is about 200 MB */
    lo.max_rows = 200000000;
    double t0 = mc_now();
    cx_status st = cx_scenario_load(dir, &lo, &sc, d);
    double t1 = mc_now();
    if (st != CX_OK) {
        cli_print_diags(d);
        fprintf(stderr, "crisim bench scale: %s: cannot load: %s\n", dir, cx_status_str(st));
        cx_diags_destroy(d);
        return 1;
    }
    cx_diags_destroy(d);
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = cx_scenario_seed(sc);
    cx_sim *sim = NULL;
    const cx_metric *m = NULL;
    size_t nm = 0;
    /* The same replicate `reps` times: the first on a new simulation, the others on the same
     * one reset, the fastest of which is kept (the others were slowed by the machine, not by the
     * work, which is identical). */
    double run_ms = INFINITY, reset_ms = INFINITY, fresh_ms = 0, create_ms = 0;
    size_t flush_n = (size_t)256 << 20;
    unsigned char *flush = cold ? malloc(flush_n) : NULL;
    for (unsigned r = 0; r < reps; r++) {
        if (flush) memset(flush, (int)r + 1, flush_n); /* evicts the scenario from every cache */
        double t2 = mc_now();
        st = r == 0 ? cx_sim_create(sc, &cfg, &sim) : cx_sim_reset(sim, &cfg);
        double t2b = mc_now();
        if (st == CX_OK) st = cx_sim_run(sim);
        if (st == CX_OK) st = cx_sim_metrics(sim, &m, &nm);
        double t3 = mc_now();
        if (st != CX_OK) {
            fprintf(stderr, "crisim bench scale: %s: replicate 0 failed: %s\n", dir,
                    sim && cx_sim_errmsg(sim)[0] ? cx_sim_errmsg(sim) : cx_status_str(st));
            free(flush);
            cx_sim_destroy(sim);
            cx_scenario_destroy(sc);
            return 1;
        }
        if (r == 0) {
            fresh_ms = 1e3 * (t3 - t2);
            create_ms = 1e3 * (t2b - t2);
        } else if (1e3 * (t3 - t2) < run_ms) {
            run_ms = 1e3 * (t3 - t2);
            reset_ms = 1e3 * (t2b - t2);
        }
    }
    if (reps == 1) {
        run_ms = fresh_ms;
        reset_ms = create_ms;
    }
    free(flush);
    double load_ms = 1e3 * (t1 - t0);
    double events = metric(m, nm, "events");
    printf("engine=crisim bench=scale assets=%" PRIu64 " links=%" PRIu64 " regions=%" PRIu32
           " injects=%" PRIu64 " gen_ms=%.0f load_ms=%.1f run_ms=%.3f reset_ms=%.3f"
           " fresh_run_ms=%.3f create_ms=%.3f events=%.0f assets_failed=%.0f peak_rss_mb=%.1f"
           " load_us_per_asset=%.2f run_us_per_asset=%.3f events_per_asset=%.3f"
           " ns_per_event=%.0f\n",
           c->assets, c->links, c->regions, c->injects, gen_ms, load_ms, run_ms, reset_ms, fresh_ms,
           create_ms, events, metric(m, nm, "assets_failed"), mc_peak_rss_mb(),
           1e3 * load_ms / (double)c->assets, 1e3 * run_ms / (double)c->assets,
           events / (double)c->assets, events > 0 ? 1e6 * (run_ms - reset_ms) / events : 0.0);
    fflush(stdout);
    size_result res = {run_ms, reset_ms, fresh_ms, create_ms, events};
    if (write(fd, &res, sizeof res) != (ssize_t)sizeof res) {
        fprintf(stderr, "crisim bench scale: cannot pass the result to the parent: %s\n",
                strerror(errno));
        cx_sim_destroy(sim);
        cx_scenario_destroy(sc);
        return 1;
    }
    cx_sim_destroy(sim);
    cx_scenario_destroy(sc);
    return 0;
}

static double per_decade(double a, double b, uint64_t na, uint64_t nb) {
    return pow(b / a, 1.0 / log10((double)nb / (double)na));
}

/* The last line: each quantity's growth per tenfold increase in assets, size to next size. */
static void print_summary(const uint64_t *sizes, const size_result *r, size_t n) {
    static const char *const names[] = {"run", "fresh_run", "events", "ns_per_event"};
    printf("engine=crisim bench=scale summary=per_decade");
    for (int q = 0; q < 4; q++) {
        printf(" %s=", names[q]);
        for (size_t i = 1; i < n; i++) {
            double v[2];
            for (int k = 0; k < 2; k++) {
                const size_result *x = &r[i - 1 + (size_t)k];
                double per_event = (x->run_ms - x->reset_ms) / x->events;
                v[k] = q == 0 ? x->run_ms : q == 1 ? x->fresh_ms : q == 2 ? x->events : per_event;
            }
            int ok = sizes[i] > sizes[i - 1] && v[0] > 0 && v[1] > 0;
            printf("%s%" PRIu64 "-%" PRIu64 ":%.2f", i > 1 ? "," : "", sizes[i - 1], sizes[i],
                   ok ? per_decade(v[0], v[1], sizes[i - 1], sizes[i]) : NAN);
        }
    }
    printf("\n");
}

int bench_scale(int argc, char **argv) {
    uint64_t sizes[MAX_SIZES] = {1000, 10000, 100000};
    size_t nsizes = 3;
    uint64_t lpa = 3, seed = 1, reps = 3;
    int shuffle = 0, cold = 0;
    size_result results[MAX_SIZES];
    const char *base = getenv("TMPDIR");
    if (!base || !base[0]) base = "/tmp";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--shuffle")) {
            shuffle = 1;
            continue;
        }
        if (!strcmp(a, "--cold")) {
            cold = 1;
            continue;
        }
        if (!strcmp(a, "--sizes") || !strcmp(a, "--links-per-asset") || !strcmp(a, "--seed") ||
            !strcmp(a, "--dir") || !strcmp(a, "--reps")) {
            if (i + 1 >= argc) return cli_usage_error(CMD, "%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--sizes")) {
                if (parse_sizes(v, sizes, &nsizes) != 0)
                    return cli_usage_error(CMD, "--sizes '%s': expected up to %d comma-separated "
                                           "counts from 1 to %" PRIu64, v, MAX_SIZES, GEN_MAX_ASSETS);
            } else if (!strcmp(a, "--links-per-asset")) {
                if (mc_parse_u64(v, &lpa) != 0 || lpa > 100)
                    return cli_usage_error(CMD, "--links-per-asset '%s': expected 0 to 100", v);
            } else if (!strcmp(a, "--reps")) {
                if (mc_parse_u64(v, &reps) != 0 || reps == 0 || reps > 100)
                    return cli_usage_error(CMD, "--reps '%s': expected 1 to 100", v);
            } else if (!strcmp(a, "--seed")) {
                if (mc_parse_u64(v, &seed) != 0)
                    return cli_usage_error(CMD, "--seed '%s': expected an unsigned 64-bit integer", v);
            } else {
                base = v;
            }
            continue;
        }
        return cli_usage_error(CMD, "unknown argument '%s'", a);
    }
    char tmpl[4200];
    snprintf(tmpl, sizeof tmpl, "%s/crisim-scale.XXXXXX", base);
    char *top = mkdtemp(tmpl);
    if (!top) {
        fprintf(stderr, "crisim bench scale: cannot create a folder in '%s': %s\n", base,
                strerror(errno));
        return 1;
    }
    int rc = 0;
    for (size_t i = 0; i < nsizes && rc == 0; i++) {
        char dir[4300], err[4400];
        snprintf(dir, sizeof dir, "%s/gen-%" PRIu64, top, sizes[i]);
        gen_opts o = gen_opts_default();
        o.assets = sizes[i];
        uint64_t pairs = sizes[i] * (sizes[i] - 1);
        o.links = lpa * sizes[i] < pairs ? lpa * sizes[i] : pairs;
        o.seed = seed;
        o.shuffle = shuffle;
        gen_counts c;
        double t0 = mc_now();
        int g = gen_write(&o, dir, &c, err, sizeof err);
        double gen_ms = 1e3 * (mc_now() - t0);
        if (g != 0) {
            fprintf(stderr, "crisim bench scale: %s\n", err);
            remove_scenario(dir);
            rc = 1;
            break;
        }
        /* The generator's memory is freed; the child starts from this small process. */
        fflush(stdout);
        int fds[2] = {-1, -1};
        pid_t pid = pipe(fds) == 0 ? fork() : -1;
        if (pid < 0) {
            fprintf(stderr, "crisim bench scale: pipe or fork: %s\n", strerror(errno));
            if (fds[0] >= 0) close(fds[0]), close(fds[1]);
            rc = 1;
        } else if (pid == 0) {
            close(fds[0]);
            _exit(load_and_run(dir, &c, gen_ms, (unsigned)reps, fds[1], cold));
        } else {
            close(fds[1]);
            /* The result is one small write (below PIPE_BUF): read it whole, then reap. */
            ssize_t got;
            while ((got = read(fds[0], &results[i], sizeof results[i])) < 0 && errno == EINTR) {}
            close(fds[0]);
            int status = 0;
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
            int done = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (!done || got != (ssize_t)sizeof results[i]) {
                fprintf(stderr, "crisim bench scale: size %" PRIu64 " failed (%s %d)\n", sizes[i],
                        WIFEXITED(status) ? "exit status" : "signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
                rc = 1;
            }
        }
        remove_scenario(dir);
    }
    rmdir(top);
    if (rc == 0 && nsizes > 1) print_summary(sizes, results, nsizes);
    return rc;
}
