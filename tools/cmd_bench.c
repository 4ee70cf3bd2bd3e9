/* cmd_bench.c — `crisim bench`: benchmarks of the engine, printed one result per line as key=value.
 * Invariant: every measurement goes through the real kernel API (schedule + handler dispatch),
 * never a stripped-down copy, so the figures are what a model sees. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_ext.h"
#include "commands.h"
#include "kernel/kernel_api.h"
#include "mc_util.h"

/* The hold model's random stream, identical to shared/bench/peers/rng.h (splitmix64 -> 53-bit
 * uniform in (0,1] -> Exp(1) = -log u), so crisim does the same model work as the peers. */
typedef struct {
    uint64_t s;
} bench_rng;

static inline uint64_t bench_rng_next(bench_rng *r) {
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static inline double bench_rng_exp(bench_rng *r) {
    double u = (double)((bench_rng_next(r) >> 11) + 1) * (1.0 / 9007199254740992.0);
    return -log(u);
}

/* crisim time is integer seconds: one model time unit of the hold model is 1e6 ticks, so Exp(1)
 * delays keep about 20 significant bits and ties stay as rare as in the peers' float times. */
#define HOLD_UNIT 1e6

typedef struct {
    cxi_kernel *k;
    bench_rng rng;
} hold_ctx;

static cx_status on_hold(void *ctx, cx_time t, const cxi_payload *p) {
    hold_ctx *h = ctx;
    cxi_payload next = *p;
    next.a++;
    return cxi_kernel_schedule(h->k, t + (cx_time)(bench_rng_exp(&h->rng) * HOLD_UNIT), &next, NULL);
}

static double now_sec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One hold-model measurement: N pending events, about M processed after a warm-up. */
static int hold_once(uint64_t n, uint64_t m) {
    hold_ctx h = {NULL, {12345}};
    uint32_t type = 0;
    cx_status st = cxi_kernel_create((size_t)n, &h.k);
    if (st == CX_OK) st = cxi_kernel_handler(h.k, on_hold, &h, &type);
    for (uint64_t i = 0; st == CX_OK && i < n; i++) {
        cxi_payload p = {type, (uint32_t)i, 0, 0, 0.0};
        st = cxi_kernel_schedule(h.k, (cx_time)(bench_rng_exp(&h.rng) * HOLD_UNIT), &p, NULL);
    }
    /* warm-up: two time units (about 2N events) grow every array to its steady size */
    cx_time warm = (cx_time)(2 * HOLD_UNIT);
    if (st == CX_OK) st = cxi_kernel_run_until(h.k, warm);
    /* in steady state N events are processed per time unit, so M events take M/N units */
    cx_time end = warm + (cx_time)((double)m / (double)n * HOLD_UNIT);
    uint64_t before = h.k ? cxi_kernel_processed(h.k) : 0;
    double t0 = now_sec();
    if (st == CX_OK) st = cxi_kernel_run_until(h.k, end);
    double sec = now_sec() - t0;
    if (st != CX_OK) {
        fprintf(stderr, "crisim bench: hold N=%llu failed: %s\n", (unsigned long long)n, cx_status_str(st));
        cxi_kernel_destroy(h.k);
        return 1;
    }
    uint64_t done = cxi_kernel_processed(h.k) - before;
    size_t pending = cxi_kernel_pending(h.k);
    cxi_kernel_destroy(h.k);
    if (pending != n || done == 0 || sec <= 0) {
        fprintf(stderr, "crisim bench: hold N=%llu: inconsistent run (pending %zu, processed %llu)\n",
                (unsigned long long)n, pending, (unsigned long long)done);
        return 1;
    }
    printf("engine=crisim N=%llu M=%llu ns_per_ev=%.1f ev_per_s=%.0f\n", (unsigned long long)n,
           (unsigned long long)done, 1e9 * sec / (double)done, (double)done / sec);
    fflush(stdout);
    return 0;
}

/* Events per run, sized for about 1-2 s each. */
static uint64_t default_events(uint64_t n) { return n >= 100000 ? 20000000 : 30000000; }

static int parse_count(const char *s, uint64_t lo, uint64_t hi, uint64_t *out) {
    uint64_t v;
    if (mc_parse_u64(s, &v) != 0 || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static void hold_usage(FILE *f) {
    fprintf(f,
            "usage: crisim bench hold [N ...] [--events M] [--reps R]\n\n"
            "Hold model through the kernel: N pending events; each processed event schedules one\n"
            "more at now + Exp(1) time units (1 unit = 1e6 s of simulation time), so N stays constant.\n"
            "Prints one line per measurement:\n"
            "  engine=crisim N=... M=<events timed> ns_per_ev=... ev_per_s=...\n\n"
            "  N            pending events (default: 10 1000 100000)\n"
            "  --events M   events to time per measurement (default: 30000000, 20000000 for N >= 100000)\n"
            "  --reps R     measurements per N (default 1)\n");
}

static int bench_hold(int argc, char **argv) {
    uint64_t ns[64];
    size_t nn = 0;
    uint64_t m = 0, reps = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            hold_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--events") || !strcmp(a, "--reps")) {
            uint64_t v = 0;
            int is_events = !strcmp(a, "--events");
            if (i + 1 >= argc) return cli_usage_error("bench hold", "%s needs a value", a);
            if (parse_count(argv[++i], 1, is_events ? UINT64_C(1000000000000) : 1000, &v) != 0)
                return cli_usage_error("bench hold", "%s: '%s' is not a count (expected %s)", a, argv[i],
                                       is_events ? "1 to 10^12" : "1 to 1000");
            if (is_events) m = v;
            else reps = v;
            continue;
        }
        if (a[0] == '-') return cli_usage_error("bench hold", "unknown option '%s'", a);
        if (nn == sizeof ns / sizeof ns[0]) return cli_usage_error("bench hold", "at most 64 values of N");
        if (parse_count(a, 1, 100000000, &ns[nn]) != 0)
            return cli_usage_error("bench hold", "N: '%s' is not a count (expected 1 to 100000000)", a);
        nn++;
    }
    if (nn == 0) {
        ns[0] = 10;
        ns[1] = 1000;
        ns[2] = 100000;
        nn = 3;
    }
    for (uint64_t r = 0; r < reps; r++)
        for (size_t i = 0; i < nn; i++)
            if (hold_once(ns[i], m ? m : default_events(ns[i])) != 0) return 1;
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} benches[] = {
    {"hold", bench_hold, "hold model of the event kernel (N pending events)"},
    {"mc", bench_mc, "Monte Carlo runner: replicates/s on 1 and 2 threads, memory"},
    {"scale", bench_scale, "generated scenarios of growing size: load and run times"},
    {"view", cmd_bench_view, "the viewer: open and seek in a large timeline"},
};

static void bench_usage(FILE *f) {
    fprintf(f, "usage: crisim bench BENCHMARK [OPTIONS]\n\nbenchmarks:\n");
    for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++)
        fprintf(f, "  %-8s %s\n", benches[i].name, benches[i].summary);
    fprintf(f, "\n'crisim bench BENCHMARK --help' describes each. docs/performance.md has results.\n");
}

int cmd_bench(int argc, char **argv) {
    if (argc < 2) {
        bench_usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        bench_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++)
        if (!strcmp(argv[1], benches[i].name)) return benches[i].fn(argc - 1, argv + 1);
    return cli_usage_error("bench", "unknown benchmark '%s' (expected hold, mc, scale or view)", argv[1]);
}
