/* fuzz_scenario.c — libFuzzer target for the scenario loader: the input is split at lines "%%%%"
 * into up to 8 files (scenario regions assets links injects iim capacities decisions .csv; a
 * missing part is a missing file) in one temporary folder per process, loaded with small limits.
 * Invariant checked: a load succeeds, or fails with messages and no scenario; no crash/leak/UB. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crisim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {"scenario.csv",   "regions.csv",  "assets.csv",
                                    "links.csv",      "injects.csv",  "iim.csv",
                                    "capacities.csv", "decisions.csv"};
enum { NFILES = sizeof files / sizeof files[0] };
static const char separator[] = "%%%%\n"; /* a whole line */

/* The harness (not the engine) keeps its folder for the whole process: created once, reused. */
static char dir[4096];

static void path_of(char *buf, size_t n, const char *name) {
    if ((size_t)snprintf(buf, n, "%s/%s", dir, name) >= n) abort();
}

static void remove_dir(void) {
    char p[4200];
    for (size_t i = 0; i < NFILES; i++) {
        path_of(p, sizeof p, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* A RAM file system when there is one: on a disk, rewriting six files per input costs journal
 * waits that cut the executions per second by three or more. */
static const char *tmp_root(void) {
    const char *t = getenv("CRISIM_FUZZ_TMPDIR");
    if (t != NULL && t[0] != '\0') return t;
    if (access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
    t = getenv("TMPDIR");
    return t != NULL && t[0] != '\0' ? t : "/tmp";
}

static void make_dir(void) {
    if ((size_t)snprintf(dir, sizeof dir, "%s/crisim-fuzz-XXXXXX", tmp_root()) >= sizeof dir)
        abort();
    if (mkdtemp(dir) == NULL) {
        perror("fuzz_scenario: mkdtemp");
        abort();
    }
    atexit(remove_dir);
}

/* The first line "%%%%" at or after p, which starts a line. */
static const uint8_t *find_separator(const uint8_t *p, const uint8_t *end) {
    size_t k = sizeof separator - 1;
    for (const uint8_t *q = p; (size_t)(end - q) >= k; q++)
        if ((q == p || q[-1] == '\n') && memcmp(q, separator, k) == 0) return q;
    return NULL;
}

static void write_file(const char *name, const uint8_t *p, size_t n) {
    char path[4200];
    path_of(path, sizeof path, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || (n > 0 && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror("fuzz_scenario: write");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (dir[0] == '\0') make_dir();

    /* A part ends before its separator line (keeping its last newline); the last takes the rest. */
    const uint8_t *p = data, *end = data + size;
    size_t nparts = 0;
    for (; nparts < NFILES && p != NULL; nparts++) {
        const uint8_t *sep = nparts + 1 < NFILES ? find_separator(p, end) : NULL;
        size_t len = sep != NULL ? (size_t)(sep - p) : (size_t)(end - p);
        write_file(files[nparts], p, len);
        p = sep != NULL ? sep + sizeof separator - 1 : NULL;
    }
    for (size_t i = nparts; i < NFILES; i++) {
        char path[4200];
        path_of(path, sizeof path, files[i]);
        if (unlink(path) != 0 && errno != ENOENT) abort();
    }

    cx_diags *diags = NULL;
    if (cx_diags_create(&diags) != CX_OK) return 0;
    cx_load_opts opts = cx_load_opts_default();
    opts.max_file_bytes = 256 * 1024;
    opts.max_field_bytes = 4096;
    opts.max_rows = 2000;

    cx_scenario *const untouched = (cx_scenario *)(void *)&opts; /* any non-NULL address */
    cx_scenario *sc = untouched;
    cx_status st = cx_scenario_load(dir, &opts, &sc, diags);
    size_t nmsg = cx_diags_count(diags);
    for (size_t i = 0; i < nmsg; i++)
        if (cx_diags_get(diags, i) == NULL) abort();
    if (st == CX_OK) {
        if (sc == NULL || sc == untouched) abort();
        const char *hash = cx_scenario_hash(sc);
        if (hash == NULL || strlen(hash) != 16 || strspn(hash, "0123456789abcdefABCDEF") != 16)
            abort();
        if (cx_scenario_name(sc) == NULL || cx_scenario_name(sc)[0] == '\0') abort();
        if (cx_scenario_horizon(sc) <= 0) abort();
        (void)cx_scenario_count(sc);
        cx_scenario_destroy(sc);
    } else {
        if (sc != NULL) abort(); /* failure leaves no scenario behind */
        /* Bad input must say why. */
        if ((st == CX_EINPUT || st == CX_ELIMIT) && nmsg + cx_diags_dropped(diags) == 0) abort();
    }
    cx_diags_destroy(diags);
    return 0;
}
