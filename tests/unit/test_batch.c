/* test_batch.c — the Monte Carlo runner: in-order delivery whatever the thread count, shards,
 * stop / failure handling, replicates.csv round trips, resume scanning and summaries.
 * The engine-backed tests run the mc-small fixture; the others use a synthetic computation. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "io/batch.h"
#include "model/sim_int.h"

#define NCOLS 3

/* ---- synthetic computation: values depend only on the replicate; durations vary to shuffle the
 * completion order between threads. */
typedef struct {
    uint64_t fail_at; /* UINT64_MAX: never */
} fake;

static uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

static cx_status fake_compute(void *ud, uint64_t rep, double *v, size_t n, char *err, size_t errn) {
    const fake *f = ud;
    assert_int_equal(n, NCOLS);
    uint64_t h = mix(rep);
    struct timespec ts = {0, (long)(h % 200000u)}; /* 0 - 0.2 ms */
    nanosleep(&ts, NULL);
    if (rep == f->fail_at) {
        snprintf(err, errn, "replicate %llu: synthetic failure", (unsigned long long)rep);
        return CX_ERUNTIME;
    }
    v[0] = (double)rep;
    v[1] = (double)(h >> 11) / 9007199254740992.0;
    v[2] = v[1] * 1e6 + 0.1;
    return CX_OK;
}

typedef struct {
    uint64_t reps[4096];
    double vals[4096][NCOLS];
    size_t n;
    size_t stop_after; /* poll says stop once this many were delivered (0: never) */
    int fail_sink_at;  /* sink fails on this delivery (-1: never) */
    unsigned progress_calls;
} collector;

static int collect(void *ud, uint64_t rep, const double *v, size_t n) {
    collector *c = ud;
    assert_int_equal(n, NCOLS);
    if (c->fail_sink_at >= 0 && (size_t)c->fail_sink_at == c->n) return -1;
    c->reps[c->n] = rep;
    memcpy(c->vals[c->n], v, sizeof c->vals[0]);
    c->n++;
    return 0;
}

static void on_progress(void *ud, uint64_t done, uint64_t total) {
    collector *c = ud;
    assert_true(done <= total);
    c->progress_calls++;
}

static int poll_stop(void *ud) {
    const collector *c = ud;
    return c->stop_after && c->n >= c->stop_after;
}

static cxi_batch_config fake_config(fake *f, collector *c, uint64_t n, unsigned threads) {
    cxi_batch_config cfg = cxi_batch_config_default();
    cfg.n = n;
    cfg.threads = threads;
    cfg.compute = fake_compute;
    cfg.compute_ud = f;
    cfg.sink = collect;
    cfg.progress = on_progress;
    cfg.poll = poll_stop;
    cfg.ud = c;
    cfg.poll_ms = 5;
    return cfg;
}

/* cols with NCOLS entries for the synthetic runs (only n is used by the runner then) */
static cxi_batch_cols fake_cols(void) {
    static char a[] = "a", b[] = "b", c[] = "c";
    static char *names[NCOLS] = {a, b, c};
    cxi_batch_cols cols = {NCOLS, names};
    return cols;
}

static void test_batch_delivers_in_replicate_order_for_any_thread_count(void **state) {
    (void)state;
    static collector ref, got;
    fake f = {UINT64_MAX};
    cxi_batch_cols cols = fake_cols();
    const unsigned threads[] = {1, 2, 4, 8, 33};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        collector *c = t == 0 ? &ref : &got;
        memset(c, 0, sizeof *c);
        c->fail_sink_at = -1;
        cxi_batch_config cfg = fake_config(&f, c, 700, threads[t]);
        cfg.cols = &cols;
        cxi_batch_outcome oc;
        assert_int_equal(cxi_batch_run(&cfg, &oc), CX_OK);
        assert_int_equal(oc.done, 700);
        assert_int_equal(oc.stopped, 0);
        assert_int_equal(c->n, 700);
        for (size_t i = 0; i < c->n; i++) assert_int_equal(c->reps[i], i);
        if (t > 0) assert_memory_equal(ref.vals, got.vals, 700 * sizeof ref.vals[0]);
        assert_true(c->progress_calls >= 1);
    }
}

static void test_batch_shard_runs_its_replicates_from_first_position(void **state) {
    (void)state;
    static collector c;
    memset(&c, 0, sizeof c);
    c.fail_sink_at = -1;
    fake f = {UINT64_MAX};
    cxi_batch_cols cols = fake_cols();
    assert_int_equal(cxi_batch_shard_size(10, 1, 3), 4); /* 0 3 6 9 */
    assert_int_equal(cxi_batch_shard_size(10, 2, 3), 3); /* 1 4 7 */
    assert_int_equal(cxi_batch_shard_size(10, 3, 3), 3); /* 2 5 8 */
    assert_int_equal(cxi_batch_shard_size(2, 3, 3), 0);
    assert_int_equal(cxi_batch_shard_size(10, 4, 3), 0);
    cxi_batch_config cfg = fake_config(&f, &c, 100, 3);
    cfg.cols = &cols;
    cfg.shard_k = 2;
    cfg.shard_count = 7;
    cfg.first = 4; /* positions 0..3 (replicates 1, 8, 15, 22) are taken as done */
    cxi_batch_outcome oc;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_OK);
    assert_int_equal(oc.done, 15); /* replicates 1, 8, ..., 99 */
    assert_int_equal(c.n, 11);
    for (size_t i = 0; i < c.n; i++) assert_int_equal(c.reps[i], 1 + (i + 4) * 7);
}

static void test_batch_failure_stops_after_delivering_earlier_replicates(void **state) {
    (void)state;
    static collector c;
    memset(&c, 0, sizeof c);
    c.fail_sink_at = -1;
    fake f = {37};
    cxi_batch_cols cols = fake_cols();
    cxi_batch_config cfg = fake_config(&f, &c, 500, 4);
    cfg.cols = &cols;
    cxi_batch_outcome oc;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_ERUNTIME);
    assert_int_equal(oc.failed_replicate, 37);
    assert_int_equal(oc.done, 37);
    assert_int_equal(c.n, 37);
    assert_non_null(strstr(oc.errmsg, "replicate 37: synthetic failure"));
}

static void test_batch_poll_stop_keeps_a_contiguous_prefix(void **state) {
    (void)state;
    static collector c;
    memset(&c, 0, sizeof c);
    c.fail_sink_at = -1;
    c.stop_after = 50;
    fake f = {UINT64_MAX};
    cxi_batch_cols cols = fake_cols();
    cxi_batch_config cfg = fake_config(&f, &c, 4000, 4);
    cfg.cols = &cols;
    cxi_batch_outcome oc;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_OK);
    assert_int_equal(oc.stopped, 1);
    assert_true(oc.done >= 50 && oc.done < 4000);
    assert_int_equal(c.n, oc.done);
    for (size_t i = 0; i < c.n; i++) assert_int_equal(c.reps[i], i);
}

static void test_batch_sink_error_is_eio_and_bad_config_is_einval(void **state) {
    (void)state;
    static collector c;
    memset(&c, 0, sizeof c);
    c.fail_sink_at = 10;
    fake f = {UINT64_MAX};
    cxi_batch_cols cols = fake_cols();
    cxi_batch_config cfg = fake_config(&f, &c, 100, 2);
    cfg.cols = &cols;
    cxi_batch_outcome oc;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_EIO);
    assert_int_equal(c.n, 10);
    cfg.threads = 0;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_EINVAL);
    cfg.threads = CXI_BATCH_MAX_THREADS + 1;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_EINVAL);
    cfg.threads = 1;
    cfg.shard_k = 3;
    cfg.shard_count = 2;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_EINVAL);
    cfg.shard_k = 1;
    cfg.shard_count = 1;
    cfg.first = 101;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_EINVAL);
    cfg.first = 100; /* everything done already */
    c.n = 0;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_OK);
    assert_int_equal(oc.done, 100);
    assert_int_equal(c.n, 0);
}

/* ---- replicates.csv format ------------------------------------------------------------------- */

static void test_batch_fmt_round_trips_and_is_short(void **state) {
    (void)state;
    char buf[40];
    cxi_batch_fmt(0.1, buf, sizeof buf);
    assert_string_equal(buf, "0.1");
    cxi_batch_fmt(3.0, buf, sizeof buf);
    assert_string_equal(buf, "3");
    cxi_batch_fmt(0.1 + 0.2, buf, sizeof buf);
    assert_string_equal(buf, "0.30000000000000004");
    cxi_batch_fmt(NAN, buf, sizeof buf);
    assert_string_equal(buf, "nan");
    cxi_batch_fmt(-INFINITY, buf, sizeof buf);
    assert_string_equal(buf, "-inf");
    uint64_t s = 1;
    for (int i = 0; i < 20000; i++) {
        s = mix(s);
        double v;
        uint64_t bits = s;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v)) continue;
        cxi_batch_fmt(v, buf, sizeof buf);
        assert_true(strtod(buf, NULL) == v);
        double w = (double)(s >> 11) / 9007199254740992.0 * 1e8;
        cxi_batch_fmt(w, buf, sizeof buf);
        assert_true(strtod(buf, NULL) == w);
    }
}

/* The definition of the format: the shortest of %.15g, %.16g, %.17g that reads back exactly. */
static void ref_fmt(double v, char *buf, size_t n) {
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

static void test_batch_fmt_whole_numbers_print_as_printf_does(void **state) {
    (void)state;
    char buf[40], want[40];
    const double fixed[] = {0.0, -0.0, 1.0, -1.0, 10.0, 100.0, 123456789.0, 999999999999999.0,
                            -999999999999999.0, 1e15, -1e15, 1e16, 4503599627370496.0};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        cxi_batch_fmt(fixed[i], buf, sizeof buf);
        ref_fmt(fixed[i], want, sizeof want);
        assert_string_equal(buf, want);
    }
    uint64_t s = 7;
    for (int i = 0; i < 20000; i++) {
        s = mix(s);
        double v = (double)(int64_t)(s % 2000000000000000u) - 1e15;
        cxi_batch_fmt(v, buf, sizeof buf);
        ref_fmt(v, want, sizeof want);
        assert_string_equal(buf, want);
    }
}

static void test_batch_format_row_equals_write_row(void **state) {
    (void)state;
    double v[64];
    uint64_t s = 3;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < 64; i++) {
            s = mix(s);
            uint64_t bits = s;
            switch (i % 4) {
            case 0: memcpy(&v[i], &bits, sizeof v[i]); break; /* any double, NaN and inf too */
            case 1: v[i] = (double)(s % 1000); break;
            case 2: v[i] = (double)(s >> 11) / 9007199254740992.0 * 1e6; break;
            default: v[i] = -(double)(s >> 40); break;
            }
        }
        char *mem = NULL;
        size_t memlen = 0;
        FILE *f = open_memstream(&mem, &memlen);
        assert_non_null(f);
        assert_int_equal(cxi_batch_write_row(f, UINT64_MAX - (uint64_t)round, s, v, 64), CX_OK);
        fclose(f);
        char line[CXI_BATCH_ROW_MAX(64)];
        size_t len = cxi_batch_format_row(line, UINT64_MAX - (uint64_t)round, s, v, 64);
        assert_int_equal(len, memlen);
        assert_int_equal(strlen(line), len);
        assert_memory_equal(line, mem, len);
        free(mem);
    }
}

static void test_batch_row_parse_reports_the_bad_column(void **state) {
    (void)state;
    uint64_t rep = 0, seed = 0;
    double v[2];
    unsigned col = 0;
    char msg[200];
    assert_int_equal(cxi_batch_row_parse("7,42,1.5,nan", 2, &rep, &seed, v, &col, msg, sizeof msg), 0);
    assert_int_equal(rep, 7);
    assert_int_equal(seed, 42);
    assert_true(v[0] == 1.5 && isnan(v[1]));
    assert_int_equal(cxi_batch_row_parse("7,42,1.5,x", 2, &rep, &seed, v, &col, msg, sizeof msg), -1);
    assert_int_equal(col, 10);
    assert_non_null(strstr(msg, "'x' is not a number"));
    assert_int_equal(cxi_batch_row_parse("7,42,1.5", 2, &rep, &seed, v, &col, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "3 fields instead of 4"));
    assert_int_equal(cxi_batch_row_parse("7,42,1,2,3", 2, &rep, &seed, v, &col, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "5 fields instead of 4"));
    assert_int_equal(cxi_batch_row_parse("-7,42,1,2", 2, &rep, &seed, v, &col, msg, sizeof msg), -1);
    assert_int_equal(col, 1);
    assert_int_equal(cxi_batch_row_parse("7,42,,2", 2, &rep, &seed, v, &col, msg, sizeof msg), -1);
    assert_int_equal(col, 6);
}

static char tmpdir[256];

static int make_tmpdir(void **state) {
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_batch-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state) {
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_batch_scan_partial_drops_a_torn_last_line(void **state) {
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/replicates.csv", tmpdir);
    const char *head = "replicate,seed,x,\"y,z\"\n";
    const char *rows = "0,9,1,2\n1,9,1.5,2\n2,9,3,4\n";
    char text[256];
    snprintf(text, sizeof text, "%s%s3,9,7.2", head, rows);
    write_file(path, text);
    char n0[] = "x", n1[] = "y,z";
    char *names[] = {n0, n1};
    cxi_batch_cols cols = {2, names};
    cxi_batch_scan sc;
    char err[512];
    assert_int_equal(cxi_batch_scan_partial(path, &cols, 9, 10, 1, 1, &sc, err, sizeof err), CX_OK);
    assert_int_equal(sc.header, 1);
    assert_int_equal(sc.rows, 3);
    assert_int_equal(sc.torn, 1);
    assert_int_equal(sc.keep_bytes, strlen(head) + strlen(rows));

    /* complete file: no torn line */
    snprintf(text, sizeof text, "%s%s", head, rows);
    write_file(path, text);
    assert_int_equal(cxi_batch_scan_partial(path, &cols, 9, 10, 1, 1, &sc, err, sizeof err), CX_OK);
    assert_int_equal(sc.rows, 3);
    assert_int_equal(sc.torn, 0);

    /* a torn header: nothing to keep */
    write_file(path, "replicate,se");
    assert_int_equal(cxi_batch_scan_partial(path, &cols, 9, 10, 1, 1, &sc, err, sizeof err), CX_OK);
    assert_int_equal(sc.header, 0);
    assert_int_equal(sc.keep_bytes, 0);

    /* wrong seed, gap, other columns, too many rows: refused with a location */
    snprintf(text, sizeof text, "%s0,9,1,2\n1,8,1,2\n", head);
    write_file(path, text);
    assert_int_equal(cxi_batch_scan_partial(path, &cols, 9, 10, 1, 1, &sc, err, sizeof err), CX_EINPUT);
    assert_non_null(strstr(err, "replicates.csv:3:1:"));
    snprintf(text, sizeof text, "%s0,9,1,2\n2,9,1,2\n", head);
    write_file(path, text);
    assert_int_equal(cxi_batch_scan_partial(path, &cols, 9, 10, 1, 1, &sc, err, sizeof err), CX_EINPUT);
    write_file(path, "replicate,seed,x,w\n");
    assert_int_equal(cxi_batch_scan_partial(path, &cols, 9, 10, 1, 1, &sc, err, sizeof err), CX_EINPUT);
    assert_non_null(strstr(err, "columns differ"));
    snprintf(text, sizeof text, "%s%s", head, rows);
    write_file(path, text);
    assert_int_equal(cxi_batch_scan_partial(path, &cols, 9, 2, 1, 1, &sc, err, sizeof err), CX_EINPUT);

    /* shard 2/3 holds replicates 1, 4, 7 ... */
    snprintf(text, sizeof text, "%s1,9,1,2\n4,9,1,2\n7,9", head);
    write_file(path, text);
    assert_int_equal(cxi_batch_scan_partial(path, &cols, 9, 10, 2, 3, &sc, err, sizeof err), CX_OK);
    assert_int_equal(sc.rows, 2);
    assert_int_equal(sc.torn, 1);

    /* no file yet */
    remove(path);
    assert_int_equal(cxi_batch_scan_partial(path, &cols, 9, 10, 1, 1, &sc, err, sizeof err), CX_OK);
    assert_int_equal(sc.header, 0);
    assert_int_equal(sc.rows, 0);
}

static void test_batch_summary_is_the_same_whatever_the_memory_budget(void **state) {
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/sum.csv", tmpdir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    char a[] = "alpha", b[] = "beta", c[] = "gamma";
    char *names[] = {a, b, c};
    cxi_batch_cols cols = {3, names};
    assert_int_equal(cxi_batch_write_header(f, &cols), CX_OK);
    for (uint64_t i = 0; i < 1000; i++) {
        double v[3] = {(double)i, (double)(mix(i) >> 11) / 9007199254740992.0, i % 7 ? 1.0 : NAN};
        assert_int_equal(cxi_batch_write_row(f, i, 5, v, 3), CX_OK);
    }
    fclose(f);
    cxi_batch_cols c1, c2;
    cxi_stats_summary *s1, *s2;
    uint64_t n1, n2;
    char err[512];
    assert_int_equal(cxi_batch_summarize(path, 1 << 20, &c1, &s1, &n1, err, sizeof err), CX_OK);
    assert_int_equal(cxi_batch_summarize(path, 1, &c2, &s2, &n2, err, sizeof err), CX_OK);
    assert_int_equal(n1, 1000);
    assert_int_equal(n2, 1000);
    assert_int_equal(c1.n, 3);
    assert_string_equal(c1.names[1], "beta");
    assert_memory_equal(s1, s2, 3 * sizeof *s1);
    assert_true(s1[0].mean == 499.5);
    assert_true(s1[0].min == 0.0 && s1[0].max == 999.0);
    assert_int_equal(s1[2].n, 1000 - 143); /* i % 7 == 0 for 143 values of 0..999 are NaN */
    char out[300];
    snprintf(out, sizeof out, "%s/summary.csv", tmpdir);
    assert_int_equal(cxi_batch_summary_write(out, &c1, s1), CX_OK);
    f = fopen(out, "rb");
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "metric,n,mean,sd,ci95_low,ci95_high,p5,p50,p95,min,max\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_true(!strncmp(line, "alpha,1000,499.5,", 17));
    fclose(f);
    free(s1);
    free(s2);
    cxi_batch_cols_free(&c1);
    cxi_batch_cols_free(&c2);

    /* a bad row is reported with its line and column */
    write_file(path, "replicate,seed,x\n0,1,2\n1,1,oops\n");
    assert_int_equal(cxi_batch_summarize(path, 1 << 20, &c1, &s1, &n1, err, sizeof err), CX_EINPUT);
    assert_non_null(strstr(err, "sum.csv:3:5:"));
    write_file(path, "rep,seed,x\n");
    assert_int_equal(cxi_batch_header_read(path, &c1, err, sizeof err), CX_EINPUT);
}

/* ---- with the engine -------------------------------------------------------------------------- */

typedef struct {
    FILE *f;
    uint64_t seed;
} file_sink;

static int to_file(void *ud, uint64_t rep, const double *v, size_t n) {
    file_sink *s = ud;
    return cxi_batch_write_row(s->f, rep, s->seed, v, n) == CX_OK ? 0 : -1;
}

static int to_file_lines(void *ud, uint64_t rep, const double *v, size_t n, const char *line,
                         size_t len) {
    file_sink *s = ud;
    (void)rep, (void)v, (void)n;
    return fwrite(line, 1, len, s->f) == len ? 0 : -1;
}

static char *run_engine_lines(const cx_scenario *sc, const cxi_batch_cols *cols, unsigned threads,
                              size_t *len) {
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    file_sink s = {f, 77};
    cxi_batch_config cfg = cxi_batch_config_default();
    cfg.sc = sc;
    cfg.cols = cols;
    cfg.seed = 77;
    cfg.n = 60;
    cfg.threads = threads;
    cfg.line_sink = to_file_lines;
    cfg.ud = &s;
    cxi_batch_outcome oc;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_OK);
    assert_int_equal(oc.done, 60);
    fclose(f);
    return buf;
}

static char *run_engine(const cx_scenario *sc, const cxi_batch_cols *cols, unsigned threads,
                        uint32_t k, uint32_t count, size_t *len) {
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    file_sink s = {f, 77};
    cxi_batch_config cfg = cxi_batch_config_default();
    cfg.sc = sc;
    cfg.cols = cols;
    cfg.seed = 77;
    cfg.n = 60;
    cfg.threads = threads;
    cfg.shard_k = k;
    cfg.shard_count = count;
    cfg.sink = to_file;
    cfg.ud = &s;
    cxi_batch_outcome oc;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_OK);
    assert_int_equal(oc.done, cxi_batch_shard_size(60, k, count));
    fclose(f);
    return buf;
}

static void test_batch_engine_rows_identical_for_1_2_4_threads(void **state) {
    (void)state;
    cx_scenario *sc = NULL;
    cx_diags *d = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cx_status st = cx_scenario_load(CX_TEST_DATA "/mc-small", NULL, &sc, d);
    for (size_t i = 0; i < cx_diags_count(d); i++) print_error("%s\n", cx_diags_get(d, i));
    assert_int_equal(st, CX_OK);
    cx_diags_destroy(d);
    cxi_batch_cols cols;
    char err[512];
    assert_int_equal(cxi_batch_columns(sc, 77, &cols, err, sizeof err), CX_OK);
    assert_true(cols.n > 0);

    size_t l1, l2, l4;
    char *b1 = run_engine(sc, &cols, 1, 1, 1, &l1);
    char *b2 = run_engine(sc, &cols, 2, 1, 1, &l2);
    char *b4 = run_engine(sc, &cols, 4, 1, 1, &l4);
    assert_int_equal(l1, l2);
    assert_int_equal(l1, l4);
    assert_memory_equal(b1, b2, l1);
    assert_memory_equal(b1, b4, l1);
    /* rows formatted by the workers (line_sink) are the same bytes */
    for (unsigned j = 1; j <= 3; j++) {
        size_t ll;
        char *bl = run_engine_lines(sc, &cols, j, &ll);
        assert_int_equal(ll, l1);
        assert_memory_equal(bl, b1, l1);
        free(bl);
    }

    /* replicates differ from each other (the streams depend on the replicate) */
    const char *m0 = strchr(strchr(b1, ',') + 1, ',');
    const char *row1 = strchr(b1, '\n') + 1;
    const char *m1 = strchr(strchr(row1, ',') + 1, ',');
    size_t len0 = (size_t)(strchr(m0, '\n') - m0), len1 = (size_t)(strchr(m1, '\n') - m1);
    assert_true(len0 != len1 || memcmp(m0, m1, len0) != 0);

    /* replicate 5 equals a standalone simulation with the same (seed, replicate) */
    cx_sim_config cfg = cx_sim_config_default();
    cfg.seed = 77;
    cfg.replicate = 5;
    cx_sim *sim = NULL;
    assert_int_equal(cx_sim_create(sc, &cfg, &sim), CX_OK);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    const cx_metric *m;
    size_t nm;
    assert_int_equal(cx_sim_metrics(sim, &m, &nm), CX_OK);
    assert_int_equal(nm, cols.n);
    double *v = calloc(nm, sizeof *v);
    for (size_t i = 0; i < nm; i++) v[i] = m[i].value;
    char *row = NULL;
    size_t rowlen;
    FILE *rf = open_memstream(&row, &rowlen);
    cxi_batch_write_row(rf, 5, 77, v, nm);
    fclose(rf);
    assert_non_null(strstr(b1, row));
    const char *p = b1;
    for (int i = 0; i < 5; i++) p = strchr(p, '\n') + 1;
    assert_memory_equal(p, row, rowlen);
    cx_sim_destroy(sim);

    /* shards 1/3, 2/3, 3/3 interleaved give the single run's rows */
    size_t ls[3];
    char *sh[3];
    for (uint32_t k = 1; k <= 3; k++) sh[k - 1] = run_engine(sc, &cols, 2, k, 3, &ls[k - 1]);
    assert_int_equal(ls[0] + ls[1] + ls[2], l1);
    char *pos[3] = {sh[0], sh[1], sh[2]};
    const char *q = b1;
    for (int i = 0; i < 60; i++) {
        char *end = strchr(pos[i % 3], '\n') + 1;
        size_t len = (size_t)(end - pos[i % 3]);
        assert_memory_equal(q, pos[i % 3], len);
        q += len;
        pos[i % 3] = end;
    }
    for (int k = 0; k < 3; k++) free(sh[k]);
    free(row);
    free(v);
    free(b1);
    free(b2);
    free(b4);
    cxi_batch_cols_free(&cols);
    cx_scenario_destroy(sc);
}

typedef struct {
    double *v; /* n x ncols by replicate */
    size_t ncols;
} array_sink;

static int to_array(void *ud, uint64_t rep, const double *v, size_t n) {
    array_sink *a = ud;
    memcpy(a->v + rep * a->ncols, v, n * sizeof *v);
    return 0;
}

/* Continuations 0..n-1 of replicate 0 forked at `at`, on `threads` threads: n x cols->n values. */
static double *run_forks(const cx_scenario *sc, const cxi_batch_cols *cols, cx_time at,
                         uint64_t n, unsigned threads) {
    array_sink a = {calloc(n * cols->n, sizeof(double)), cols->n};
    assert_non_null(a.v);
    cxi_batch_config cfg = cxi_batch_config_default();
    assert_true(cfg.fork_at < 0);
    cfg.sc = sc;
    cfg.cols = cols;
    cfg.seed = 77;
    cfg.n = n;
    cfg.threads = threads;
    cfg.sink = to_array;
    cfg.ud = &a;
    cfg.fork_at = at;
    cfg.fork_replicate = 0;
    cxi_batch_outcome oc;
    assert_int_equal(cxi_batch_run(&cfg, &oc), CX_OK);
    assert_int_equal(oc.done, n);
    return a.v;
}

static void test_batch_fork_continues_replicate_0_from_the_fork(void **state) {
    (void)state;
    cx_scenario *sc = NULL;
    cx_diags *d = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    assert_int_equal(cx_scenario_load(CX_TEST_DATA "/mc-small", NULL, &sc, d), CX_OK);
    cx_diags_destroy(d);
    cxi_batch_cols cols;
    char err[512];
    assert_int_equal(cxi_batch_columns(sc, 77, &cols, err, sizeof err), CX_OK);
    const size_t nc = cols.n;
    const uint64_t n = 12;
    const cx_time at = 6 * 3600;

    /* forked at the horizon, every continuation is replicate 0: zero spread on every metric */
    cx_sim_config sc0 = cx_sim_config_default();
    sc0.seed = 77;
    cx_sim *sim = NULL;
    const cx_metric *m;
    size_t nm;
    assert_int_equal(cx_sim_create(sc, &sc0, &sim), CX_OK);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    assert_int_equal(cx_sim_metrics(sim, &m, &nm), CX_OK);
    assert_int_equal(nm, nc);
    double *end = run_forks(sc, &cols, 4 * 86400, n, 2);
    for (uint64_t i = 0; i < n; i++)
        for (size_t c = 0; c < nc; c++) assert_true(end[i * nc + c] == m[c].value);
    cx_sim_destroy(sim);

    /* forked mid-run: the same values whatever the thread count, continuations differ, and
     * continuation 4 is replicate 0 run to the fork, reseeded with 4, run to the end */
    double *a = run_forks(sc, &cols, at, n, 1), *b = run_forks(sc, &cols, at, n, 3);
    assert_memory_equal(a, b, n * nc * sizeof *a);
    size_t distinct = 0;
    for (uint64_t i = 1; i < n; i++)
        distinct += memcmp(a + i * nc, a, nc * sizeof *a) != 0;
    assert_true(distinct >= n / 2);
    assert_int_equal(cx_sim_create(sc, &sc0, &sim), CX_OK);
    assert_int_equal(cx_sim_run_until(sim, at), CX_OK);
    assert_int_equal(cxi_sim_reseed(sim, 4), CX_OK);
    assert_int_equal(cx_sim_run(sim), CX_OK);
    assert_int_equal(cx_sim_metrics(sim, &m, &nm), CX_OK);
    for (size_t c = 0; c < nc; c++) assert_true(a[4 * nc + c] == m[c].value);
    cx_sim_destroy(sim);
    free(end);
    free(a);
    free(b);
    cxi_batch_cols_free(&cols);
    cx_scenario_destroy(sc);
}

int main(void) {
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_delivers_in_replicate_order_for_any_thread_count),
        cmocka_unit_test(test_batch_shard_runs_its_replicates_from_first_position),
        cmocka_unit_test(test_batch_failure_stops_after_delivering_earlier_replicates),
        cmocka_unit_test(test_batch_poll_stop_keeps_a_contiguous_prefix),
        cmocka_unit_test(test_batch_sink_error_is_eio_and_bad_config_is_einval),
        cmocka_unit_test(test_batch_fmt_round_trips_and_is_short),
        cmocka_unit_test(test_batch_fmt_whole_numbers_print_as_printf_does),
        cmocka_unit_test(test_batch_format_row_equals_write_row),
        cmocka_unit_test(test_batch_row_parse_reports_the_bad_column),
        cmocka_unit_test_setup_teardown(test_batch_scan_partial_drops_a_torn_last_line,
                                        make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_batch_summary_is_the_same_whatever_the_memory_budget,
                                        make_tmpdir, remove_tmpdir),
        cmocka_unit_test(test_batch_engine_rows_identical_for_1_2_4_threads),
        cmocka_unit_test(test_batch_fork_continues_replicate_0_from_the_fork),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
