/* cmd_run.c — `crisim run DIR`: one replicate of a scenario; writes timeline, metrics and manifest.
 * Invariant: the output folder appears complete or not at all (bad input, runtime failure, Ctrl-C):
 * everything goes to "<out>.tmp-<pid>" first and is renamed when the run finished. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "commands.h"
#include "crisim.h"
#include "io/io_api.h"
#include "kernel/kernel_api.h"
#include "mc_util.h"
#include "model/scenario.h"

#define CMD "run"
#define PATH_BUF 4200

/* The signal that asked us to stop (0: none). Checked by an observer between records. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static int interrupt_observer(void *ud, const cx_record *rec) {
    (void)ud;
    (void)rec;
    return stop_signal != 0;
}

static void usage(FILE *f) {
    fprintf(
        f,
        "usage: crisim run DIR [--seed S] [--replicate R] [--out DIR] [--horizon T]\n"
        "                      [--decisions FILE] [--set KEY=VALUE]... [--quiet]\n"
        "\n"
        "Runs one replicate of the scenario in folder DIR and writes, into the output folder,\n"
        "  timeline.csv  one row per state change (docs/timeline-format.md)\n"
        "  metrics.csv   outcome measures (docs/model.md)\n"
        "  manifest.csv  version, scenario hash, seed, replicate, command line: how to reproduce\n"
        "\n"
        "options:\n"
        "  -s, --seed S        master seed (unsigned 64-bit; default: the scenario's seed)\n"
        "  -r, --replicate R   replicate index (default 0); streams derive from (seed, replicate)\n"
        "  -o, --out DIR       output folder (default out/<scenario name>; parents are created).\n"
        "                      An existing output folder is replaced; a folder that is not empty\n"
        "                      and holds no manifest.csv is never replaced.\n"
        "      --horizon T     simulated duration, e.g. 12h or 2d (default: the scenario's)\n"
        "      --decisions F   players' decisions (CSV, docs/scenario-format.md), replacing\n"
        "                      DIR/decisions.csv; the manifest records its path and hash\n"
        "      --set K=V       override key K of scenario.csv (repeatable; changes the hash)\n"
        "  -q, --quiet         print nothing on success\n"
        "  -h, --help          this help\n"
        "\n"
        "Outputs are written to <out>.tmp-<pid> and renamed when complete; on failure or\n"
        "interruption (Ctrl-C, SIGTERM) nothing is left behind and <out> is untouched.\n"
        "Same scenario, seed and replicate give byte-identical timeline.csv and metrics.csv.\n"
        "Exit status: 0 success, 1 runtime failure, 2 bad input or usage; when interrupted,\n"
        "crisim dies of the signal after cleaning up (so calling scripts stop too).\n");
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A whole-run metric (region "") of the given sector ("" = all), or NULL. */
static const cx_metric *metric_in(const cx_metric *m, size_t n, const char *name,
                                  const char *sector) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(m[i].name, name) && !strcmp(m[i].sector, sector) && !m[i].region[0])
            return &m[i];
    return NULL;
}

static const cx_metric *metric(const cx_metric *m, size_t n, const char *name) {
    return metric_in(m, n, name, "");
}

static void fmt_people(double v, char *buf, size_t n) {
    if (fabs(v) >= 1e6)
        snprintf(buf, n, "%.1f M", v / 1e6);
    else if (fabs(v) >= 1e4)
        snprintf(buf, n, "%.1f k", v / 1e3);
    else
        snprintf(buf, n, "%.0f", v);
}

/* 1.2e8 rather than 1.2e+08: shorter for a summary line. */
static void fmt_big(double v, char *buf, size_t n) {
    if (!isfinite(v) || fabs(v) < 1e5) {
        snprintf(buf, n, "%.0f", v);
        return;
    }
    int e = (int)floor(log10(fabs(v)));
    double mant = v / pow(10.0, e);
    if (fabs(mant) >= 9.95) {
        mant /= 10.0;
        e++;
    }
    snprintf(buf, n, "%.1fe%d", mant, e);
}

/* A time metric (unit s or h) in hours. */
static double metric_hours(const cx_metric *m) {
    if (!strcmp(m->unit, "h")) return m->value;
    if (!strcmp(m->unit, "d")) return m->value * 24.0;
    return m->value / 3600.0;
}

/* Appends "; "-separated fragments to a summary line. */
static void add(char *line, size_t n, const char *frag) {
    size_t used = strlen(line);
    snprintf(line + used, n - used, "%s%s", used ? "; " : "", frag);
}

static void print_summary(const cx_scenario *sc, uint64_t seed, uint64_t replicate, cx_time horizon,
                          uint64_t rows, double ms, const cx_metric *m, size_t n, const char *out) {
    char dur[64], line[512], frag[160], num[64];
    const cx_metric *x;
    cxi_duration_format(horizon, dur, sizeof dur);
    printf("crisim run: %s (seed %" PRIu64 ", replicate %" PRIu64 "): %s simulated, ",
           cx_scenario_name(sc), seed, replicate, dur);
    if ((x = metric(m, n, "events")) != NULL)
        printf("%.0f events", x->value);
    else
        printf("%" PRIu64 " timeline rows", rows);
    printf(" in %.1f ms\n", ms);

    line[0] = '\0';
    const cx_metric *peak = metric(m, n, "peak_pop_without_service");
    if (peak && peak->value > 0) {
        fmt_people(peak->value, num, sizeof num);
        snprintf(frag, sizeof frag, "peak population without service %s (summed over sectors)", num);
        add(line, sizeof line, frag);
    }
    if ((x = metric(m, n, "pop_hours_without_service")) != NULL && x->value > 0) {
        fmt_big(x->value, num, sizeof num);
        snprintf(frag, sizeof frag, "%s person-hours", num);
        add(line, sizeof line, frag);
    }
    if ((x = metric(m, n, "regions_affected")) != NULL) {
        snprintf(frag, sizeof frag, "%.0f region%s affected", x->value, x->value == 1.0 ? "" : "s");
        add(line, sizeof line, frag);
    }
    const cx_metric *ttr = metric(m, n, "time_to_restore"), *ok = metric(m, n, "restored");
    if (ttr && !(peak && peak->value <= 0)) {
        double pct = sc->params.service_restored * 100.0;
        if (ok && ok->value == 0.0)
            snprintf(frag, sizeof frag, "not restored (%.3g %%) by the horizon", pct);
        else
            snprintf(frag, sizeof frag, "restored (%.3g %%) after %.1f h", pct, metric_hours(ttr));
        add(line, sizeof line, frag);
    }
    if (line[0]) printf("  %s\n", line);

    line[0] = '\0';
    if ((x = metric(m, n, "longest_cascade_chain")) != NULL && x->value > 0) {
        snprintf(frag, sizeof frag, "longest cascade %.0f link%s", x->value,
                 x->value == 1.0 ? "" : "s");
        add(line, sizeof line, frag);
    }
    if ((x = metric(m, n, "cross_border_failures")) != NULL && line[0]) {
        snprintf(frag, sizeof frag, "%.0f cross-border failure%s", x->value,
                 x->value == 1.0 ? "" : "s");
        add(line, sizeof line, frag);
    }
    if (line[0]) printf("  %s\n", line);

    /* The response and hybrid models add their metrics only when a scenario uses them; their
     * times count from the first incident and are censored at the horizon (then not shown). */
    line[0] = '\0';
    static const struct {
        const char *name, *flag, *flag_sector, *label;
    } firsts[] = {{"time_to_first_request", "time_to_first_request_censored", "", "request"},
                  {"time_to_first_offer", "time_to_first_offer_censored", "", "offer"},
                  {"time_to_first_arrival", "time_to_first_arrival_censored", "", "arrival"},
                  {"ipcr_time_to_full", "ipcr_reached", "full", "IPCR full activation"}};
    for (size_t i = 0; i < sizeof firsts / sizeof firsts[0]; i++) {
        if ((x = metric(m, n, firsts[i].name)) == NULL) continue;
        const cx_metric *f = metric_in(m, n, firsts[i].flag, firsts[i].flag_sector);
        int happened = f && (firsts[i].flag_sector[0] ? f->value != 0.0 : f->value == 0.0);
        if (!happened) continue;
        snprintf(frag, sizeof frag, "%s%s %.1f h", line[0] ? "" : "from the first incident: ",
                 firsts[i].label, metric_hours(x));
        add(line, sizeof line, frag);
    }
    if ((x = metric(m, n, "capacities_deployed")) != NULL) {
        if (x->value > 0)
            snprintf(frag, sizeof frag, "%.0f units deployed", x->value);
        else
            snprintf(frag, sizeof frag, "no response units deployed");
        add(line, sizeof line, frag);
    }
    if (line[0]) printf("  %s\n", line);

    line[0] = '\0';
    if ((x = metric(m, n, "lowest_public_trust")) != NULL) {
        snprintf(frag, sizeof frag, "lowest public trust %.2f", x->value);
        add(line, sizeof line, frag);
    }
    if ((x = metric(m, n, "cyber_incidents")) != NULL) {
        snprintf(frag, sizeof frag, "%.0f cyber incident%s detected", x->value,
                 x->value == 1.0 ? "" : "s");
        add(line, sizeof line, frag);
    }
    const cx_metric *met = metric(m, n, "deadlines_met"), *missed = metric(m, n, "deadlines_missed");
    if (met && missed) {
        snprintf(frag, sizeof frag, "notification deadlines: %.0f met, %.0f missed", met->value,
                 missed->value);
        add(line, sizeof line, frag);
    }
    if (line[0]) printf("  %s\n", line);
    printf("  outputs: %s/{timeline.csv, metrics.csv, manifest.csv}\n", out);
}

/* Everything after a successful load: returns the exit status; out/tmp are cleaned on failure. */
static int run_loaded(const cx_scenario *sc, uint64_t seed, uint64_t replicate, cx_time horizon,
                      const char *out, int quiet, const char *cmdline) {
    char tmp[PATH_BUF], path[PATH_BUF + 32], err[PATH_BUF + 256];
    cxi_timeline *tl = NULL;
    cx_sim *sim = NULL;
    int rc = 1;

    /* Handlers first: a signal while the temporary folder is being made must still remove it. */
    cli_set_stop_handlers(on_signal);
    cx_status st = cxi_outdir_begin(out, tmp, sizeof tmp, err, sizeof err);
    if (st != CX_OK) {
        fprintf(stderr, "crisim run: %s\n", err[0] ? err : cx_status_str(st));
        if (st == CX_EINVAL) rc = 2;
        goto fail;
    }
    if (stop_signal) goto fail;

    snprintf(path, sizeof path, "%s/timeline.csv", tmp);
    st = cxi_timeline_open(path, cx_scenario_start(sc), &tl);
    if (st != CX_OK) {
        fprintf(stderr, "crisim run: cannot create '%s': %s\n", path, cx_status_str(st));
        goto fail;
    }
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = seed;
    cfg.replicate = replicate;
    cfg.horizon = horizon;
    st = cx_sim_create(sc, &cfg, &sim);
    if (st != CX_OK) {
        fprintf(stderr, "crisim run: cannot create the simulation: %s\n", cx_status_str(st));
        goto fail;
    }
    cx_observer stop = {NULL, interrupt_observer};
    cx_observer writer = cxi_timeline_observer(tl);
    if ((st = cx_sim_subscribe(sim, &stop)) != CX_OK ||
        (st = cx_sim_subscribe(sim, &writer)) != CX_OK) {
        fprintf(stderr, "crisim run: %s\n", cx_status_str(st));
        goto fail;
    }

    /* Event by event, so a signal is noticed even while events produce no record. */
    double t0 = now_ms();
    for (int stepped = 1; stepped && !stop_signal;)
        if ((st = cx_sim_step(sim, &stepped)) != CX_OK) break;
    if (!stop_signal && st == CX_OK) st = cx_sim_run(sim);
    double ms = now_ms() - t0;
    if (stop_signal) goto fail;
    if (st != CX_OK) {
        const char *msg = cx_sim_errmsg(sim);
        fprintf(stderr, "crisim run: %s: %s\n", cx_scenario_name(sc),
                msg && *msg    ? msg
                : st == CX_EIO ? "cannot write the timeline"
                               : cx_status_str(st));
        goto fail;
    }
    uint64_t rows = cxi_timeline_rows(tl);
    st = cxi_timeline_close(tl);
    tl = NULL;
    if (st != CX_OK) {
        fprintf(stderr, "crisim run: cannot write '%s/timeline.csv': %s\n", tmp, cx_status_str(st));
        goto fail;
    }

    const cx_metric *m = NULL;
    size_t nm = 0;
    if ((st = cx_sim_metrics(sim, &m, &nm)) != CX_OK) {
        fprintf(stderr, "crisim run: cannot compute the metrics: %s\n", cx_status_str(st));
        goto fail;
    }
    snprintf(path, sizeof path, "%s/metrics.csv", tmp);
    if ((st = cxi_metrics_write(path, m, nm)) != CX_OK) {
        fprintf(stderr, "crisim run: cannot write '%s': %s\n", path, cx_status_str(st));
        goto fail;
    }

    char seed_s[32], rep_s[32], hor_s[32], start_s[40];
    snprintf(seed_s, sizeof seed_s, "%" PRIu64, seed);
    snprintf(rep_s, sizeof rep_s, "%" PRIu64, replicate);
    snprintf(hor_s, sizeof hor_s, "%" PRId64, (int64_t)horizon);
    cxi_datetime_format(cx_scenario_start(sc), start_s, sizeof start_s);
    char cwd[PATH_BUF];
    if (!getcwd(cwd, sizeof cwd)) cwd[0] = '\0'; /* the viewer then searches for the scenario */
    const cxi_kv kv[] = {
        {"crisim_version", cx_version()},
        {"scenario", cx_scenario_name(sc)},
        {"scenario_dir", cx_scenario_dir(sc)},
        {"cwd", cwd},
        {"scenario_hash", cx_scenario_hash(sc)},
        {"seed", seed_s},
        {"replicate", rep_s},
        {"horizon_s", hor_s},
        {"start", start_s},
        {"command", cmdline},
        {"timeline", "timeline.csv"},
        {"metrics", "metrics.csv"},
        {"decisions", cx_scenario_decisions_path(sc)},
        {"decisions_hash", cx_scenario_decisions_hash(sc)},
    };
    snprintf(path, sizeof path, "%s/manifest.csv", tmp);
    if ((st = cxi_manifest_write(path, kv, sizeof kv / sizeof kv[0])) != CX_OK) {
        fprintf(stderr, "crisim run: cannot write '%s': %s\n", path, cx_status_str(st));
        goto fail;
    }
    if (stop_signal) goto fail;
    if ((st = cxi_outdir_commit(tmp, out, err, sizeof err)) != CX_OK) {
        fprintf(stderr, "crisim run: %s\n", err[0] ? err : cx_status_str(st));
        goto fail;
    }
    cli_set_stop_handlers(SIG_DFL);
    if (!quiet) print_summary(sc, seed, replicate, horizon, rows, ms, m, nm, out);
    cx_sim_destroy(sim);
    return 0;

fail:
    cxi_timeline_close(tl);
    cx_sim_destroy(sim);
    cxi_outdir_abort(tmp);
    cli_set_stop_handlers(SIG_DFL);
    if (stop_signal) {
        fprintf(stderr, "crisim run: interrupted (%s); nothing written\n",
                stop_signal == SIGINT    ? "SIGINT"
                : stop_signal == SIGTERM ? "SIGTERM"
                                         : "signal");
        rc = 128 + (int)stop_signal;
    }
    return rc;
}

int cmd_run(int argc, char **argv) {
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},
        {"replicate", required_argument, NULL, 'r'},
        {"out", required_argument, NULL, 'o'},
        {"horizon", required_argument, NULL, 'H'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"decisions", required_argument, NULL, 'D'},
        {"set", required_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *decisions = NULL;
    const char *sets[MC_MAX_SETS];
    size_t nsets = 0;
    uint64_t seed = 0, replicate = 0;
    int have_seed = 0, quiet = 0;
    cx_time horizon = -1;
    const char *out = NULL;

    gsl_set_error_handler_off();
    optind = 0; /* glibc: full re-initialisation, in case getopt ran before */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":s:r:o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (mc_parse_u64(optarg, &seed) != 0)
                return cli_usage_error(CMD, "--seed '%s': expected an unsigned 64-bit integer",
                                       optarg);
            have_seed = 1;
            break;
        case 'r':
            if (mc_parse_u64(optarg, &replicate) != 0)
                return cli_usage_error(CMD, "--replicate '%s': expected an unsigned 64-bit integer",
                                       optarg);
            break;
        case 'o':
            if (!optarg[0]) return cli_usage_error(CMD, "--out: expected a folder name");
            out = optarg;
            break;
        case 'H': {
            cxi_parse_err perr;
            int64_t v;
            if (cxi_duration_parse(optarg, &v, &perr) != 0)
                return cli_usage_error(CMD, "--horizon '%s': %s", optarg, perr.msg);
            if (v <= 0)
                return cli_usage_error(CMD,
                                       "--horizon '%s': expected a duration > 0 (e.g. 12h, 2d)",
                                       optarg);
            horizon = v;
            break;
        }
        case 'q': quiet = 1; break;
        case 'D':
            if (!optarg[0]) return cli_usage_error(CMD, "--decisions: expected a CSV file");
            decisions = optarg;
            break;
        case 'V':
            if (nsets == MC_MAX_SETS)
                return cli_usage_error(CMD, "--set: at most %d overrides", MC_MAX_SETS);
            sets[nsets++] = optarg;
            break;
        case 'h': usage(stdout); return 0;
        case ':': return cli_usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt > 0 && optopt < 128 && argv[optind - 1][1] != '-')
                return cli_usage_error(CMD, "unknown option '-%c'", optopt);
            return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error(CMD, "missing the scenario folder (crisim run DIR)");
    if (optind + 1 < argc)
        return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind + 1]);
    const char *dir = argv[optind];

    cx_diags *diags = NULL;
    cx_scenario *sc = NULL;
    if (cx_diags_create(&diags) != CX_OK) {
        fprintf(stderr, "crisim run: out of memory\n");
        return 1;
    }
    cx_load_opts lopts;
    (void)cli_load_opts(&lopts); /* checked by main() */
    lopts.decisions = decisions; /* replaces DIR/decisions.csv; its errors make the run a usage error */
    lopts.overrides = sets;
    lopts.noverrides = nsets;
    cx_status st = cx_scenario_load(dir, &lopts, &sc, diags);
    if (st != CX_OK) {
        cli_print_diags(diags);
        if (cx_diags_count(diags) == 0)
            fprintf(stderr, "crisim run: %s: %s\n", dir, cx_status_str(st));
        cx_diags_destroy(diags);
        return st == CX_EINPUT || st == CX_ELIMIT ? 2 : 1; /* as crisim validate */
    }
    cx_diags_destroy(diags);

    char outbuf[PATH_BUF];
    if (!out) {
        snprintf(outbuf, sizeof outbuf, "out/%s", cx_scenario_name(sc));
        out = outbuf;
    }
    if (!have_seed) seed = cx_scenario_seed(sc);
    if (horizon < 0) horizon = cx_scenario_horizon(sc);

    char cmdline[8192];
    cli_command_line(cli_argc, cli_argv, cmdline, sizeof cmdline);
    int rc = run_loaded(sc, seed, replicate, horizon, out, quiet, cmdline);
    cx_scenario_destroy(sc);
    if (rc > 128) {
        /* Die of the signal, as a shell expects of an interrupted child, so loops in scripts stop. */
        signal(rc - 128, SIG_DFL);
        raise(rc - 128);
        return 1;
    }
    return rc;
}
