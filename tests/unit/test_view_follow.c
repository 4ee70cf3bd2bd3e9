/* test_view_follow.c — `crisim view --follow` on a timeline that grows, is replaced (a live exercise
 * going back to a branch renames a new file over it) or is truncated in place: the view ends up with
 * exactly the rows of the file on disk, whatever the writer did. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "view.h"

#define SRC CX_TEST_DATA "/view-small/run/timeline.csv"

typedef struct {
    char dir[256], path[300];
    char *lines[64]; /* the source timeline, header first, each with its newline */
    size_t n;
} fixture;

static void load_lines(fixture *fx) {
    FILE *f = fopen(SRC, "r");
    assert_non_null(f);
    char buf[4096];
    while (fx->n < 64 && fgets(buf, sizeof buf, f)) fx->lines[fx->n++] = strdup(buf);
    fclose(f);
    assert_true(fx->n >= 10);
}

/* Writes lines [0, upto) to path: in place (same file) or as a new file renamed over it. */
static void write_lines(const fixture *fx, size_t upto, int replace) {
    char tmp[320];
    snprintf(tmp, sizeof tmp, "%s.new", fx->path);
    FILE *f = fopen(replace ? tmp : fx->path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < upto; i++) fputs(fx->lines[i], f);
    assert_int_equal(fclose(f), 0);
    if (replace) assert_int_equal(rename(tmp, fx->path), 0);
}

static void append_lines(const fixture *fx, size_t from, size_t upto) {
    FILE *f = fopen(fx->path, "a");
    assert_non_null(f);
    for (size_t i = from; i < upto; i++) fputs(fx->lines[i], f);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state) {
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/cx-test-view-follow-%ld", (long)getpid());
    snprintf(fx->path, sizeof fx->path, "%s/timeline.csv", fx->dir);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", fx->dir);
    if (system(cmd) != 0) return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fixture *fx = *state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    int rc = system(cmd);
    for (size_t i = 0; i < fx->n; i++) free(fx->lines[i]);
    free(fx);
    return rc == 0 ? 0 : -1;
}

static cxv_view *open_following(const fixture *fx) {
    cx_diags *d = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cxv_view_opts o = {fx->path, CX_TEST_DATA "/view-small", NULL, 1};
    cxv_view *v = NULL;
    cx_status st = cxv_view_open(&o, &v, d);
    for (size_t i = 0; i < cx_diags_count(d); i++) fprintf(stderr, "%s\n", cx_diags_get(d, i));
    assert_int_equal(st, CX_OK);
    cx_diags_destroy(d);
    return v;
}

static size_t follow(cxv_view *v) {
    cx_diags *d = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    size_t added = 0;
    assert_int_equal(cxv_view_follow(v, &added, d), CX_OK);
    cx_diags_destroy(d);
    return added;
}

static size_t rows(const cxv_view *v) { return cxv_timeline_rows(cxv_view_timeline(v)); }

/* The t (first column) of data line i of the source. */
static int64_t t_of(const fixture *fx, size_t i) { return strtoll(fx->lines[i], NULL, 10); }

static void test_follow_reads_rows_appended_to_the_timeline(void **state) {
    fixture *fx = *state;
    load_lines(fx);
    write_lines(fx, 5, 0); /* header + 4 rows */
    cxv_view *v = open_following(fx);
    assert_int_equal(rows(v), 4);
    assert_int_equal(follow(v), 0);
    append_lines(fx, 5, fx->n);
    assert_int_equal(follow(v), fx->n - 5);
    assert_int_equal(rows(v), fx->n - 1);
    assert_int_equal(cxv_view_t_end(v) >= t_of(fx, fx->n - 1), 1);
    cxv_view_close(v);
}

static void test_follow_reloads_a_timeline_replaced_by_a_new_file(void **state) {
    fixture *fx = *state;
    load_lines(fx);
    write_lines(fx, fx->n, 0);
    cxv_view *v = open_following(fx);
    assert_int_equal(rows(v), fx->n - 1);
    assert_int_equal(cxv_view_seek(v, t_of(fx, fx->n - 1)), CX_OK);
    /* the exercise goes back to a branch: a shorter file takes the old one's name */
    write_lines(fx, 4, 1);
    assert_int_equal(cxv_view_reloads(v), 0);
    assert_true(follow(v) > 0);
    assert_int_equal(cxv_view_reloads(v), 1);
    assert_int_equal(rows(v), 3);
    assert_true(cxv_view_now(v) <= cxv_view_t_end(v)); /* the instant shown is within the new run */
    /* and it goes on growing from there */
    append_lines(fx, 4, 7);
    assert_int_equal(follow(v), 3);
    assert_int_equal(rows(v), 6);
    cxv_view_close(v);
}

static void test_follow_reloads_a_timeline_truncated_in_place(void **state) {
    fixture *fx = *state;
    load_lines(fx);
    write_lines(fx, fx->n, 0);
    cxv_view *v = open_following(fx);
    assert_int_equal(rows(v), fx->n - 1);
    write_lines(fx, 3, 0); /* same file, shorter than what the view has read */
    assert_true(follow(v) > 0);
    assert_int_equal(rows(v), 2);
    cxv_view_close(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_follow_reads_rows_appended_to_the_timeline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follow_reloads_a_timeline_replaced_by_a_new_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follow_reloads_a_timeline_truncated_in_place, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
