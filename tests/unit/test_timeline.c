/* test_timeline.c — the timeline writer: exact bytes of rows, RFC 4180 quoting, flushing, errors.
 * Records are built by hand, so these tests do not depend on the model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/io_api.h"

#define T0 INT64_C(1162678200) /* 2006-11-04T22:10:00Z */
#define HEADER "t,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text\n"

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static cx_record rec(cx_time t, cx_rec_kind kind, const char *entity, const char *state, double v) {
    cx_record r = {t, kind, entity, "", "", state, v, "", 0, 0, ""};
    return r;
}

static void tmp_path(char *dir, char *path, size_t n) {
    strcpy(dir, "/tmp/cx_test_timeline.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, n, "%s/timeline.csv", dir);
}

static void cleanup(const char *dir, const char *path) {
    unlink(path);
    rmdir(dir);
}

/* Builds the expected line with the kind name the engine uses, so only our format is under test. */
static void expect_line(char *buf, size_t n, const char *before_kind, cx_rec_kind k,
                        const char *after) {
    snprintf(buf, n, "%s%s%s", before_kind, cx_rec_kind_name(k), after);
}

static void test_timeline_writes_header_and_exact_rows(void **state) {
    (void)state;
    char dir[64], path[128];
    tmp_path(dir, path, sizeof path);
    cxi_timeline *tl = NULL;
    assert_int_equal(cxi_timeline_open(path, T0, &tl), CX_OK);
    cx_observer o = cxi_timeline_observer(tl);

    cx_record r0 = rec(0, CX_REC_RUN, "blackout", "start", 0.0);
    cx_record r1 = {3600, CX_REC_ASSET, "DE-GRID-1", "DE", "power", "degraded",
                    0.25, "NL-LINE-2",  1,           2,    ""};
    cx_record r2 = {90061,
                    CX_REC_INJECT,
                    "I1",
                    "FR",
                    "",
                    "message",
                    0.0,
                    "",
                    0,
                    0,
                    "Grid split, \"3 islands\"\nact now"};
    assert_int_equal(o.on_record(o.ud, &r0), 0);
    assert_int_equal(o.on_record(o.ud, &r1), 0);
    assert_int_equal(o.on_record(o.ud, &r2), 0);
    assert_int_equal(cxi_timeline_rows(tl), 3);
    assert_int_equal(cxi_timeline_close(tl), CX_OK);

    char l0[256], l1[256], l2[256], want[1024];
    expect_line(l0, sizeof l0, "0,2006-11-04T22:10:00Z,", CX_REC_RUN,
                ",blackout,,,start,0.0000,,0,0,\n");
    expect_line(l1, sizeof l1, "3600,2006-11-04T23:10:00Z,", CX_REC_ASSET,
                ",DE-GRID-1,DE,power,degraded,0.2500,NL-LINE-2,1,2,\n");
    expect_line(l2, sizeof l2, "90061,2006-11-05T23:11:01Z,", CX_REC_INJECT,
                ",I1,FR,,message,0.0000,,0,0,\"Grid split, \"\"3 islands\"\"\nact now\"\n");
    snprintf(want, sizeof want, "%s%s%s%s", HEADER, l0, l1, l2);
    char *got = slurp(path);
    assert_string_equal(got, want);
    free(got);
    cleanup(dir, path);
}

static void test_timeline_kind_names_are_documented_words(void **state) {
    (void)state;
    assert_string_equal(cx_rec_kind_name(CX_REC_RUN), "run");
    assert_string_equal(cx_rec_kind_name(CX_REC_INJECT), "inject");
    assert_string_equal(cx_rec_kind_name(CX_REC_ASSET), "asset");
    assert_string_equal(cx_rec_kind_name(CX_REC_SECTOR), "sector");
}

static void test_timeline_prints_values_with_four_decimals_and_no_negative_zero(void **state) {
    (void)state;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    cx_record r = rec(7, CX_REC_SECTOR, "water", "", -0.0);
    cxi_timeline_put(f, T0, &r);
    r.value = 0.123456;
    r.t = -3600; /* before T0: pre-scenario injects */
    cxi_timeline_put(f, T0, &r);
    r.value = 1.0;
    r.t = 0;
    r.entity = NULL; /* NULL strings are written as empty cells, never crash */
    r.text = NULL;
    cxi_timeline_put(f, T0, &r);
    fclose(f);
    char want[512];
    const char *k = cx_rec_kind_name(CX_REC_SECTOR);
    snprintf(want, sizeof want,
             "7,2006-11-04T22:10:07Z,%s,water,,,,0.0000,,0,0,\n"
             "-3600,2006-11-04T21:10:00Z,%s,water,,,,0.1235,,0,0,\n"
             "0,2006-11-04T22:10:00Z,%s,,,,,1.0000,,0,0,\n",
             k, k, k);
    assert_string_equal(buf, want);
    free(buf);
}

static void test_csv_put_quotes_only_when_needed(void **state) {
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"", ""},
        {"a,b", "\"a,b\""},
        {"a;b", "\"a;b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\rlf", "\"cr\rlf\""},
        {" lead", "\" lead\""},
        {"trail\t", "\"trail\t\""},
        {"in side", "in side"},
        {"Zürich", "Zürich"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        assert_non_null(f);
        cxi_csv_put(f, cases[i].in);
        fclose(f);
        assert_string_equal(buf, cases[i].out);
        free(buf);
    }
}

static void test_timeline_rows_reach_the_file_before_close(void **state) {
    (void)state;
    char dir[64], path[128];
    tmp_path(dir, path, sizeof path);
    cxi_timeline *tl = NULL;
    assert_int_equal(cxi_timeline_open(path, T0, &tl), CX_OK);
    char *got = slurp(path);
    assert_string_equal(got, HEADER); /* header is visible at once */
    free(got);

    /* Flushing on every row: each row is in the file as soon as the observer returns. (Counts
     * above 1 are not asserted exactly: the 0.5 s wall-clock rule may flush earlier.) */
    cxi_timeline_set_flush(tl, 1);
    cx_observer o = cxi_timeline_observer(tl);
    cx_record r = rec(60, CX_REC_ASSET, "A1", "failed", 0.0);
    const char *row = "60,2006-11-04T22:11:00Z,asset,A1,,,failed,0.0000,,0,0,\n";
    for (size_t k = 1; k <= 2; k++) {
        assert_int_equal(o.on_record(o.ud, &r), 0);
        got = slurp(path);
        assert_int_equal(strlen(got), strlen(HEADER) + k * strlen(row));
        free(got);
    }
    /* An explicit flush writes what is buffered whatever the row count. */
    cxi_timeline_set_flush(tl, 1000000);
    assert_int_equal(o.on_record(o.ud, &r), 0);
    assert_int_equal(cxi_timeline_flush(tl), CX_OK);
    got = slurp(path);
    assert_int_equal(strlen(got), strlen(HEADER) + 3 * strlen(row));
    free(got);
    assert_int_equal(cxi_timeline_close(tl), CX_OK);
    cleanup(dir, path);
}

static void test_timeline_write_error_stops_the_run_and_fails_close(void **state) {
    (void)state;
    if (access("/dev/full", W_OK) != 0) skip();
    cxi_timeline *tl = NULL;
    assert_int_equal(cxi_timeline_open("/dev/full", T0, &tl), CX_OK);
    cxi_timeline_set_flush(tl, 1);
    cx_observer o = cxi_timeline_observer(tl);
    cx_record r = rec(1, CX_REC_RUN, "x", "start", 0.0);
    assert_int_not_equal(o.on_record(o.ud, &r), 0);
    assert_int_equal(cxi_timeline_close(tl), CX_EIO);
}

static void test_timeline_open_fails_cleanly_on_a_missing_folder(void **state) {
    (void)state;
    cxi_timeline *tl = (cxi_timeline *)&tl;
    assert_int_equal(cxi_timeline_open("/nonexistent-cx-dir/timeline.csv", T0, &tl), CX_EIO);
    assert_null(tl);
    assert_int_equal(cxi_timeline_close(NULL), CX_OK);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeline_writes_header_and_exact_rows),
        cmocka_unit_test(test_timeline_kind_names_are_documented_words),
        cmocka_unit_test(test_timeline_prints_values_with_four_decimals_and_no_negative_zero),
        cmocka_unit_test(test_csv_put_quotes_only_when_needed),
        cmocka_unit_test(test_timeline_rows_reach_the_file_before_close),
        cmocka_unit_test(test_timeline_write_error_stops_the_run_and_fails_close),
        cmocka_unit_test(test_timeline_open_fails_cleanly_on_a_missing_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
