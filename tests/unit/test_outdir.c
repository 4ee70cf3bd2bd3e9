/* test_outdir.c — atomic output folders: begin/commit/abort, replacing a previous output, refusing
 * to replace anything else, and leaving no temporary or old folder behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/io_api.h"

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int setup(void **state) {
    char *base = malloc(64);
    strcpy(base, "/tmp/cx_test_outdir.XXXXXX");
    if (!mkdtemp(base)) return -1;
    *state = base;
    return 0;
}

static int teardown(void **state) {
    nftw(*state, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
    free(*state);
    return 0;
}

static void write_file(const char *dir, const char *name, const char *text) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int exists(const char *dir, const char *name) {
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s%s%s", dir, name ? "/" : "", name ? name : "");
    return lstat(p, &st) == 0;
}

/* Entries of dir (excluding . and ..), names joined by spaces in sorted order. */
static void listing(const char *dir, char *buf, size_t n) {
    struct dirent **list;
    int k = scandir(dir, &list, NULL, alphasort);
    assert_true(k >= 0);
    buf[0] = '\0';
    for (int i = 0; i < k; i++) {
        if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..")) {
            size_t used = strlen(buf);
            snprintf(buf + used, n - used, "%s%s", used ? " " : "", list[i]->d_name);
        }
        free(list[i]);
    }
    free(list);
}

static void test_outdir_begin_creates_a_pid_tmp_folder_and_commit_renames_it(void **state) {
    const char *base = *state;
    char fin[256], tmp[300], want[300], err[512];
    snprintf(fin, sizeof fin, "%s/out", base);
    assert_int_equal(cxi_outdir_begin(fin, tmp, sizeof tmp, err, sizeof err), CX_OK);
    snprintf(want, sizeof want, "%s/out.tmp-%ld", base, (long)getpid());
    assert_string_equal(tmp, want);
    assert_true(exists(tmp, NULL));
    assert_false(exists(fin, NULL));
    write_file(tmp, "timeline.csv", "t\n");
    assert_int_equal(cxi_outdir_commit(tmp, fin, err, sizeof err), CX_OK);
    assert_true(exists(fin, "timeline.csv"));
    char ls[512];
    listing(base, ls, sizeof ls);
    assert_string_equal(ls, "out");
}

static void test_outdir_commit_replaces_a_previous_output_completely(void **state) {
    const char *base = *state;
    char fin[256], tmp[300], err[512], ls[512];
    snprintf(fin, sizeof fin, "%s/out", base);
    assert_int_equal(mkdir(fin, 0777), 0);
    write_file(fin, "manifest.csv", "key,value\nseed,1\n");
    write_file(fin, "stale.csv", "old\n");

    assert_int_equal(cxi_outdir_begin(fin, tmp, sizeof tmp, err, sizeof err), CX_OK);
    write_file(tmp, "manifest.csv", "key,value\nseed,2\n");
    assert_true(exists(fin, "stale.csv")); /* untouched while the run goes on */
    assert_int_equal(cxi_outdir_commit(tmp, fin, err, sizeof err), CX_OK);
    listing(fin, ls, sizeof ls);
    assert_string_equal(ls, "manifest.csv");
    listing(base, ls, sizeof ls);
    assert_string_equal(ls, "out"); /* no .tmp- nor .old- folder left */
}

static void test_outdir_abort_removes_the_tmp_folder_and_leaves_the_output_untouched(void **state) {
    const char *base = *state;
    char fin[256], tmp[300], err[512], ls[512], sub[400];
    snprintf(fin, sizeof fin, "%s/out", base);
    assert_int_equal(mkdir(fin, 0777), 0);
    write_file(fin, "manifest.csv", "key,value\n");
    assert_int_equal(cxi_outdir_begin(fin, tmp, sizeof tmp, err, sizeof err), CX_OK);
    write_file(tmp, "timeline.csv", "half a run");
    snprintf(sub, sizeof sub, "%s/nested", tmp);
    assert_int_equal(mkdir(sub, 0777), 0);
    write_file(sub, "x.csv", "x");
    cxi_outdir_abort(tmp);
    listing(base, ls, sizeof ls);
    assert_string_equal(ls, "out");
    listing(fin, ls, sizeof ls);
    assert_string_equal(ls, "manifest.csv");
    cxi_outdir_abort(tmp); /* twice, or on a missing folder: harmless */
    cxi_outdir_abort("");
    cxi_outdir_abort(NULL);
}

static void test_outdir_refuses_to_replace_a_folder_that_is_not_an_output(void **state) {
    const char *base = *state;
    char fin[256], tmp[300], err[512], ls[512];
    snprintf(fin, sizeof fin, "%s/home", base);
    assert_int_equal(mkdir(fin, 0777), 0);
    write_file(fin, "thesis.tex", "precious");
    assert_int_equal(cxi_outdir_begin(fin, tmp, sizeof tmp, err, sizeof err), CX_EINVAL);
    assert_non_null(strstr(err, "refusing to replace"));
    assert_non_null(strstr(err, fin));
    assert_string_equal(tmp, "");
    listing(base, ls, sizeof ls);
    assert_string_equal(ls, "home");
    listing(fin, ls, sizeof ls);
    assert_string_equal(ls, "thesis.tex");
}

static void test_outdir_refuses_a_regular_file_as_output(void **state) {
    const char *base = *state;
    char fin[256], tmp[300], err[512];
    write_file(base, "file", "x");
    snprintf(fin, sizeof fin, "%s/file", base);
    assert_int_equal(cxi_outdir_begin(fin, tmp, sizeof tmp, err, sizeof err), CX_EINVAL);
    assert_non_null(strstr(err, "not a folder"));
}

static void test_outdir_replaces_an_empty_folder(void **state) {
    const char *base = *state;
    char fin[256], tmp[300], err[512], ls[512];
    snprintf(fin, sizeof fin, "%s/empty", base);
    assert_int_equal(mkdir(fin, 0777), 0);
    assert_int_equal(cxi_outdir_begin(fin, tmp, sizeof tmp, err, sizeof err), CX_OK);
    write_file(tmp, "metrics.csv", "m\n");
    assert_int_equal(cxi_outdir_commit(tmp, fin, err, sizeof err), CX_OK);
    listing(fin, ls, sizeof ls);
    assert_string_equal(ls, "metrics.csv");
}

static void test_outdir_creates_parents_and_ignores_trailing_slashes(void **state) {
    const char *base = *state;
    char fin[256], clean[256], tmp[300], want[300], err[512];
    snprintf(fin, sizeof fin, "%s/a/b/c/out//", base);
    snprintf(clean, sizeof clean, "%s/a/b/c/out", base);
    assert_int_equal(cxi_outdir_begin(fin, tmp, sizeof tmp, err, sizeof err), CX_OK);
    snprintf(want, sizeof want, "%s.tmp-%ld", clean, (long)getpid());
    assert_string_equal(tmp, want);
    assert_int_equal(cxi_outdir_commit(tmp, fin, err, sizeof err), CX_OK);
    assert_true(exists(clean, NULL));
    assert_false(exists(want, NULL));
}

static void test_outdir_begin_clears_a_stale_tmp_folder_of_the_same_pid(void **state) {
    const char *base = *state;
    char fin[256], stale[300], tmp[300], err[512], ls[512];
    snprintf(fin, sizeof fin, "%s/out", base);
    snprintf(stale, sizeof stale, "%s.tmp-%ld", fin, (long)getpid());
    assert_int_equal(mkdir(stale, 0777), 0);
    write_file(stale, "junk.csv", "junk");
    assert_int_equal(cxi_outdir_begin(fin, tmp, sizeof tmp, err, sizeof err), CX_OK);
    listing(tmp, ls, sizeof ls);
    assert_string_equal(ls, "");
    cxi_outdir_abort(tmp);
}

/* A pid that surely names no process: a child that has exited and been reaped. */
static long dead_pid(void) {
    pid_t c = fork();
    assert_true(c >= 0);
    if (c == 0) _exit(0);
    assert_int_equal(waitpid(c, NULL, 0), c);
    return (long)c;
}

static int cmp_name(const void *a, const void *b) { return strcmp(a, b); }

/* Only "<out>.tmp-<pid>" folders of dead pids go: "<out>.tmp-<dead>" is absent from the listing. */
static void test_outdir_begin_removes_tmp_folders_of_dead_processes_only(void **state) {
    const char *base = *state;
    char fin[256], p[1024], tmp[300], err[512], ls[1024], want[1024];
    long dead = dead_pid(), live = (long)getppid(), me = (long)getpid();
    snprintf(fin, sizeof fin, "%s/out", base);
    /* the leftover of a killed run, with a file inside */
    char dd[300];
    snprintf(dd, sizeof dd, "%s.tmp-%ld", fin, dead);
    assert_int_equal(mkdir(dd, 0777), 0);
    write_file(dd, "timeline.csv", "time\n");
    /* a run that is still going */
    snprintf(p, sizeof p, "%s.tmp-%ld", fin, live);
    assert_int_equal(mkdir(p, 0777), 0);
    /* names that are not exactly "<out>.tmp-<pid>" (folders), and a file of the right name */
    char names[12][64];
    size_t k = 0;
    snprintf(names[k++], 64, "other.tmp-%ld", dead);
    snprintf(names[k++], 64, "out.old-%ld", dead);
    snprintf(names[k++], 64, "out.tmp-");
    snprintf(names[k++], 64, "out.tmp-+%ld", dead);
    snprintf(names[k++], 64, "out.tmp-0%ld", dead);
    snprintf(names[k++], 64, "out.tmp-12x");
    snprintf(names[k++], 64, "outx.tmp-%ld", dead);
    for (size_t i = 0; i < k; i++) {
        snprintf(p, sizeof p, "%s/%s", base, names[i]);
        assert_int_equal(mkdir(p, 0777), 0);
    }
    snprintf(names[k++], 64, "out.tmp-%ld", dead + 1000000);
    write_file(base, names[k - 1], "not a folder");

    assert_int_equal(cxi_outdir_begin(fin, tmp, sizeof tmp, err, sizeof err), CX_OK);
    listing(base, ls, sizeof ls);
    /* expected: all of the above, the live run's folder and ours (sorted as alphasort in C) */
    snprintf(names[k++], 64, "out.tmp-%ld", live);
    snprintf(names[k++], 64, "out.tmp-%ld", me);
    qsort(names, k, sizeof names[0], cmp_name);
    want[0] = '\0';
    for (size_t i = 0; i < k; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? " " : "", names[i]);
    assert_string_equal(ls, want);
    cxi_outdir_abort(tmp);
}

static void test_outdir_rejects_empty_names_and_tiny_buffers(void **state) {
    const char *base = *state;
    char fin[256], tmp[8], err[512], ls[512];
    assert_int_equal(cxi_outdir_begin("", tmp, sizeof tmp, err, sizeof err), CX_EINVAL);
    assert_int_equal(cxi_outdir_begin(NULL, tmp, sizeof tmp, err, sizeof err), CX_EINVAL);
    snprintf(fin, sizeof fin, "%s/out", base);
    assert_int_equal(cxi_outdir_begin(fin, tmp, sizeof tmp, err, sizeof err), CX_ELIMIT);
    listing(base, ls, sizeof ls);
    assert_string_equal(ls, "");
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_outdir_begin_creates_a_pid_tmp_folder_and_commit_renames_it),
        T(test_outdir_commit_replaces_a_previous_output_completely),
        T(test_outdir_abort_removes_the_tmp_folder_and_leaves_the_output_untouched),
        T(test_outdir_refuses_to_replace_a_folder_that_is_not_an_output),
        T(test_outdir_refuses_a_regular_file_as_output),
        T(test_outdir_replaces_an_empty_folder),
        T(test_outdir_creates_parents_and_ignores_trailing_slashes),
        T(test_outdir_begin_clears_a_stale_tmp_folder_of_the_same_pid),
        T(test_outdir_begin_removes_tmp_folders_of_dead_processes_only),
        T(test_outdir_rejects_empty_names_and_tiny_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
