/* test_view_tlread.c — the viewer's timeline reader: parsing, located errors, truncated files,
 * following a growing file, and the oracle test: the state at T by seek == by playing from start. */
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
#include "tlread.h"

#define HEADER "t,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text\n"

static char *tmp_write(const char *content) {
    static int n;
    char *path = malloc(256);
    snprintf(path, 256, "/tmp/cx-test-tlread-%ld-%d.csv", (long)getpid(), n++);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return path;
}

static void tmp_append(const char *path, const char *content) {
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static cxv_timeline *open_ok(const char *path, const cxv_open_opts *o) {
    cx_diags *d = NULL;
    cxv_timeline *tl = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cx_status st = cxv_timeline_open(path, o, &tl, d);
    for (size_t i = 0; i < cx_diags_count(d); i++) fprintf(stderr, "%s\n", cx_diags_get(d, i));
    assert_int_equal(st, CX_OK);
    cx_diags_destroy(d);
    return tl;
}

/* Opens a file expected to fail; returns the first message (malloc'd). */
static char *open_fail(const char *path, cx_status want) {
    cx_diags *d = NULL;
    cxv_timeline *tl = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    assert_int_equal(cxv_timeline_open(path, NULL, &tl, d), want);
    assert_null(tl);
    assert_true(cx_diags_count(d) >= 1);
    char *msg = strdup(cx_diags_get(d, 0));
    cx_diags_destroy(d);
    return msg;
}

static void test_tlread_loads_the_small_timeline(void **state) {
    (void)state;
    cxv_timeline *tl = open_ok(CX_TEST_DATA "/view-small/run/timeline.csv", NULL);
    assert_int_equal(cxv_timeline_rows(tl), 14);
    assert_string_equal(cxv_timeline_warning(tl), "");
    int known = 0;
    assert_int_equal(cxv_timeline_start(tl, &known), 1162674000); /* 2006-11-04T21:00Z */
    assert_int_equal(known, 1);
    const cxv_row *r = cxv_timeline_row(tl, 1);
    assert_string_equal(cxv_row_text(tl, r), "Operators warn of high load, \"tight\" margins");
    r = cxv_timeline_row(tl, 5);
    const cxv_entity *en = cxv_timeline_entity(tl, r->entity);
    assert_int_equal(en->kind, CXV_KIND_ASSET);
    assert_string_equal(cxv_str(tl, en->name), "NL-North");
    assert_string_equal(cxv_str(tl, en->region), "NL");
    assert_int_equal(r->st, CXV_ST_DEGRADED);
    assert_true(r->value > 0.3599f && r->value < 0.3601f);
    assert_int_equal(r->cross_border, 1);
    assert_int_equal(r->depth, 2);
    assert_string_equal(cxv_str(tl, r->cause), "DE-West");
    assert_true(cxv_timeline_find(tl, CXV_KIND_ASSET, "DE-Ems", "DE") >= 0);
    assert_int_equal(cxv_timeline_find(tl, CXV_KIND_ASSET, "nope", NULL), -1);
    cxv_timeline_close(tl);
}

static void test_tlread_next_and_prev_find_events_and_injects(void **state) {
    (void)state;
    cxv_timeline *tl = open_ok(CX_TEST_DATA "/view-small/run/timeline.csv", NULL);
    int64_t t = -1;
    assert_true(cxv_timeline_next(tl, 1800, 0, &t));
    assert_int_equal(t, 4200);
    assert_true(cxv_timeline_next(tl, 4200, 0, &t));
    assert_int_equal(t, 4210);
    assert_true(cxv_timeline_prev(tl, 4210, 0, &t));
    assert_int_equal(t, 4200);
    assert_true(cxv_timeline_next(tl, 4200, 1u << CXV_KIND_INJECT, &t));
    assert_int_equal(t, 14400);
    assert_true(cxv_timeline_prev(tl, 14400, 1u << CXV_KIND_INJECT, &t));
    assert_int_equal(t, 4200);
    assert_false(cxv_timeline_prev(tl, 1800, 1u << CXV_KIND_INJECT, &t));
    assert_false(cxv_timeline_next(tl, 43200, 0, &t));
    assert_int_equal(cxv_timeline_upto(tl, 4200), 4);
    assert_int_equal(cxv_timeline_upto(tl, -1), 0);
    cxv_timeline_close(tl);
}

/* Deterministic random timeline: nent assets, nrows rows, several rows per instant. */
static char *random_timeline(unsigned nent, unsigned nrows, uint64_t seed) {
    size_t cap = (size_t)nrows * 96 + 256, len = 0;
    char *buf = malloc(cap);
    static const char *const states[4] = {"working", "degraded", "failed", "repairing"};
    len += (size_t)snprintf(buf + len, cap - len, HEADER);
    int64_t t = 0;
    uint64_t x = seed;
    for (unsigned i = 0; i < nrows; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned r = (unsigned)(x >> 33);
        if (r % 3 == 0) t += r % 600;
        unsigned e = r % nent, s = (r >> 8) % 4;
        len += (size_t)snprintf(buf + len, cap - len, "%lld,,asset,A%u,R%u,power,%s,%.4f,,0,0,\n",
                                (long long)t, e, e % 7, states[s], (double)((r >> 4) % 1000) / 1000.0);
    }
    return buf;
}

static void test_tlread_seek_equals_play_at_every_instant(void **state) {
    (void)state;
    char *content = random_timeline(50, 5000, 42);
    char *path = tmp_write(content);
    cxv_open_opts o = cxv_open_opts_default();
    o.snapshot_min = 64; /* many snapshots for 5000 rows */
    cxv_timeline *tl = open_ok(path, &o);
    assert_int_equal(cxv_timeline_rows(tl), 5000);
    assert_int_equal(cxv_timeline_snapshot_every(tl), 64);
    cxv_state seek, play;
    cxv_state_init(&seek);
    cxv_state_init(&play);
    int64_t last = cxv_timeline_last_t(tl);
    uint64_t x = 7;
    for (int i = 0; i < 400; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        /* random jumps both ways, plus small forward steps, plus instants outside the run */
        int64_t T = i % 3 == 0 ? seek.t + (int64_t)((x >> 40) % 50)
                               : (int64_t)((x >> 20) % (uint64_t)(last + 200)) - 100;
        assert_int_equal(cxv_state_seek(&seek, tl, T), CX_OK);
        assert_int_equal(cxv_state_play(&play, tl, T), CX_OK);
        assert_int_equal(seek.nent, play.nent);
        assert_int_equal(seek.applied, play.applied);
        assert_memory_equal(seek.last, play.last, seek.nent * sizeof *seek.last);
    }
    cxv_state_free(&seek);
    cxv_state_free(&play);
    cxv_timeline_close(tl);
    remove(path);
    free(path);
    free(content);
}

static void test_tlread_truncated_last_line_is_a_warning(void **state) {
    (void)state;
    char *path = tmp_write(HEADER "0,,run,x,,,start,0,,0,0,\n"
                                  "10,,asset,A,DE,power,failed,0.0000,I1,0,0,\n"
                                  "20,,asset,B,DE,pow");
    cxv_timeline *tl = open_ok(path, NULL);
    assert_int_equal(cxv_timeline_rows(tl), 2);
    const char *w = cxv_timeline_warning(tl);
    assert_non_null(strstr(w, ":4: last line is incomplete"));
    cxv_timeline_close(tl);
    remove(path);
    free(path);
}

static void test_tlread_unterminated_quote_at_end_is_a_warning(void **state) {
    (void)state;
    char *path = tmp_write(HEADER "0,,run,x,,,start,0,,0,0,\n"
                                  "10,,inject,I1,DE,,message,0,,0,0,\"a message cut");
    cxv_timeline *tl = open_ok(path, NULL);
    assert_int_equal(cxv_timeline_rows(tl), 1);
    assert_non_null(strstr(cxv_timeline_warning(tl), ":3: last line ends inside a quoted field"));
    cxv_timeline_close(tl);
    remove(path);
    free(path);
}

static void test_tlread_last_line_without_newline_is_kept_when_complete(void **state) {
    (void)state;
    char *path = tmp_write(HEADER "0,,run,x,,,start,0,,0,0,\n10,,asset,A,DE,power,failed,0,I1,0,0,");
    cxv_timeline *tl = open_ok(path, NULL);
    assert_int_equal(cxv_timeline_rows(tl), 2);
    assert_string_equal(cxv_timeline_warning(tl), "");
    cxv_timeline_close(tl);
    remove(path);
    free(path);
}

/* Asserts the reader's warning for path is exactly "path" + rest. */
static void assert_warning(const cxv_timeline *tl, const char *path, const char *rest) {
    char want[1024];
    snprintf(want, sizeof want, "%s%s", path, rest);
    assert_string_equal(cxv_timeline_warning(tl), want);
}

static void assert_message(const char *msg, const char *path, const char *rest) {
    char want[1024];
    snprintf(want, sizeof want, "%s%s", path, rest);
    assert_string_equal(msg, want);
}

/* content loads with `rows` rows and exactly the warning "path" + rest. */
static void expect_warning(const char *content, size_t rows, const char *rest) {
    char *path = tmp_write(content);
    cxv_timeline *tl = open_ok(path, NULL);
    assert_int_equal(cxv_timeline_rows(tl), rows);
    assert_warning(tl, path, rest);
    cxv_timeline_close(tl);
    remove(path);
    free(path);
}

/* content does not load; the first message is exactly "path" + rest. */
static void expect_error(const char *content, const char *rest) {
    char *path = tmp_write(content);
    char *msg = open_fail(path, CX_EINPUT);
    assert_message(msg, path, rest);
    free(msg);
    remove(path);
    free(path);
}

static void test_tlread_corrupt_row_keeps_the_rows_before_it_with_a_warning(void **state) {
    (void)state;
    /* 'value' starts at column 1 + len("10,,asset,A,DE,power,failed,") */
    expect_warning(HEADER "0,,run,x,,,start,0,,0,0,\n"
                          "5,,asset,A,DE,power,degraded,0.5,,0,0,\n"
                          "10,,asset,A,DE,power,failed,zero,,0,0,\n"
                          "abc,,asset,A,DE,power,failed,0,,0,0,\n"
                          "20,,asset,A,DE,power,working,1,,0,0,\n",
                   2, ":4:29: column 'value': 'zero' is not a number (expected operability in "
                      "[0,1]); reading stopped there: the 2 rows before it are shown");
}

static void test_tlread_corrupt_first_row_is_an_error(void **state) {
    (void)state;
    char *path = tmp_write(HEADER "abc,,asset,A,DE,power,failed,0,,0,0,\n"
                                  "10,,asset,A,DE,power,failed,zero,,0,0,\n");
    cx_diags *d = NULL;
    cxv_timeline *tl = NULL;
    cx_diags_create(&d);
    assert_int_equal(cxv_timeline_open(path, NULL, &tl, d), CX_EINPUT);
    assert_null(tl);
    assert_int_equal(cx_diags_count(d), 1); /* reading stops at the first error */
    assert_message(cx_diags_get(d, 0), path,
                   ":2:1: column 't': 'abc' is not an integer (expected seconds from T0)");
    cx_diags_destroy(d);
    remove(path);
    free(path);
}

static void test_tlread_rows_out_of_time_order_stop_the_reading(void **state) {
    (void)state;
    expect_warning(HEADER "10,,asset,A,DE,power,failed,0,,0,0,\n5,,asset,A,DE,power,working,1,,0,0,\n",
                   1, ":3:1: column 't': 5 is earlier than the previous row's 10 (expected rows "
                      "in time order); reading stopped there: the 1 row before it is shown");
}

/* Binary junk in a cell: the message quotes at most 40 bytes, control bytes as '?'. */
static void test_tlread_messages_quote_junk_cells_short_and_printable(void **state) {
    (void)state;
    char content[512];
    snprintf(content, sizeof content, HEADER "\x01\x7f%s\x1b,,asset,A,DE,power,failed,0,,0,0,\n",
             "0123456789012345678901234567890123456789");
    expect_error(content, ":2:1: column 't': '??01234567890123456789012345678901234567...' is not "
                          "an integer (expected seconds from T0)");
    /* a cut never splits a UTF-8 character: 39 ASCII bytes, then a 2-byte 'é' across byte 40 */
    snprintf(content, sizeof content, HEADER "0,,asset,A,DE,power,failed,%s\xC3\xA9x,,0,0,\n",
             "012345678901234567890123456789012345678");
    expect_error(content, ":2:28: column 'value': '012345678901234567890123456789012345678...' is "
                          "not a number (expected operability in [0,1])");
}

static void test_tlread_broken_quoting_is_located_at_its_byte(void **state) {
    (void)state;
    expect_warning(HEADER "0,,run,x,,,start,0,,0,0,\n"
                          "10,,asset,A,DE,power,failed,0,,0,0,\"multi\nline\"x\n",
                   1, ":4:6: malformed quoting (a quote inside an unquoted field, or text after "
                      "a closing quote; expected RFC 4180 CSV); reading stopped there: the 1 "
                      "row before it is shown");
    expect_error(HEADER "10,,asset,A,D\"E,power,failed,0,,0,0,\n",
                 ":2:14: malformed quoting (a quote inside an unquoted field, or text after "
                 "a closing quote; expected RFC 4180 CSV)");
}

static void test_tlread_binary_junk_is_an_error_naming_the_header(void **state) {
    (void)state;
    static const char junk[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01";
    char path[256];
    snprintf(path, sizeof path, "/tmp/cx-test-tlread-junk-%ld.csv", (long)getpid());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(junk, 1, sizeof junk - 1, f);
    fclose(f);
    char *msg = open_fail(path, CX_EINPUT);
    assert_message(msg, path, ":1:1: column 't': missing from the header, and so are 'kind', 'entity', "
                              "'state', 'value' (expected a crisim timeline: t,time,kind,entity,region,"
                              "sector,state,value,cause,cross_border,depth,text)");
    free(msg);
    remove(path);
}

/* From memory, the same bytes give the same rows and the same messages as from a file. */
static void test_tlread_open_mem_reads_like_a_file(void **state) {
    (void)state;
    const char *src = CX_TEST_DATA "/view-small/run/timeline.csv";
    FILE *f = fopen(src, "rb");
    assert_non_null(f);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 0 && n < sizeof buf);
    cxv_timeline *a = open_ok(src, NULL), *b = NULL;
    cx_diags *d = NULL;
    cx_diags_create(&d);
    assert_int_equal(cxv_timeline_open_mem("mem.csv", buf, n, NULL, &b, d), CX_OK);
    assert_int_equal(cxv_timeline_rows(b), cxv_timeline_rows(a));
    for (size_t i = 0; i < cxv_timeline_rows(a); i++) {
        assert_int_equal(cxv_timeline_row(b, i)->t, cxv_timeline_row(a, i)->t);
        assert_string_equal(cxv_row_text(b, cxv_timeline_row(b, i)), cxv_row_text(a, cxv_timeline_row(a, i)));
    }
    size_t added = 9;
    assert_int_equal(cxv_timeline_follow(b, &added, d), CX_OK); /* nothing to follow */
    assert_int_equal(added, 0);
    cxv_timeline_close(a);
    cxv_timeline_close(b);
    static const char bad[] = "t,kind,entity,state,value\n1,asset,A,failed,x\n";
    assert_int_equal(cxv_timeline_open_mem("mem.csv", bad, sizeof bad - 1, NULL, &b, d), CX_EINPUT);
    assert_null(b);
    assert_string_equal(cx_diags_get(d, 0), "mem.csv:2:18: column 'value': 'x' is not a number "
                                            "(expected operability in [0,1])");
    cx_diags_destroy(d);
}

static void test_tlread_rejects_a_file_that_is_not_a_timeline(void **state) {
    (void)state;
    char *path = tmp_write("id,name,sector\nA,x,power\n");
    char *msg = open_fail(path, CX_EINPUT);
    assert_non_null(strstr(msg, ":1:1: column 't': missing from the header, and so are 'kind', 'entity', 'state', 'value'"));
    free(msg);
    remove(path);
    free(path);
    path = tmp_write("");
    msg = open_fail(path, CX_EINPUT);
    assert_non_null(strstr(msg, "empty file"));
    free(msg);
    remove(path);
    free(path);
}

static void test_tlread_counts_lines_across_bom_crlf_and_quoted_newlines(void **state) {
    (void)state;
    char *path = tmp_write("\xEF\xBB\xBFt,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text\r\n"
                           "0,,inject,M1,,,message,0,,0,0,\"two\r\nlines\"\r\n"
                           "\r\n"
                           "5,,asset,A,DE,power,failed,0,,2,0,\r\n");
    cxv_timeline *tl = open_ok(path, NULL);
    assert_int_equal(cxv_timeline_rows(tl), 1);
    /* header 1, inject 2-3, blank 4, bad cross_border on line 5 at column 31 */
    assert_warning(tl, path, ":5:31: column 'cross_border': '2' is not 0 or 1; reading stopped "
                             "there: the 1 row before it is shown");
    cxv_timeline_close(tl);
    remove(path);
    free(path);
}

static void test_tlread_accepts_semicolons_and_reordered_columns(void **state) {
    (void)state;
    char *path = tmp_write("kind;t;entity;state;value;region;note\nasset;7;A;degraded;0,5;DE;x\n");
    cxv_timeline *tl = open_ok(path, NULL);
    assert_int_equal(cxv_timeline_rows(tl), 1);
    const cxv_row *r = cxv_timeline_row(tl, 0);
    assert_int_equal(r->t, 7);
    assert_true(r->value > 0.49f && r->value < 0.51f);
    cxv_timeline_close(tl);
    remove(path);
    free(path);
}

static void test_tlread_follow_reads_rows_appended_later(void **state) {
    (void)state;
    char *path = tmp_write(HEADER "0,,run,x,,,start,0,,0,0,\n10,,asset,A,DE,power,fai");
    cxv_open_opts o = cxv_open_opts_default();
    o.follow = 1;
    cxv_timeline *tl = open_ok(path, &o);
    assert_int_equal(cxv_timeline_rows(tl), 1);
    assert_string_equal(cxv_timeline_warning(tl), "");
    size_t added = 99;
    assert_int_equal(cxv_timeline_follow(tl, &added, NULL), CX_OK);
    assert_int_equal(added, 0);
    tmp_append(path, "led,0,I1,0,0,\n20,,asset,B,NL,power,degraded,0.5,A,1,1,\"multi\nline\"\n30,,asset,C");
    assert_int_equal(cxv_timeline_follow(tl, &added, NULL), CX_OK);
    assert_int_equal(added, 2);
    assert_int_equal(cxv_timeline_rows(tl), 3);
    assert_string_equal(cxv_row_text(tl, cxv_timeline_row(tl, 2)), "multi\nline");
    cxv_state st;
    cxv_state_init(&st);
    assert_int_equal(cxv_state_seek(&st, tl, 25), CX_OK);
    assert_int_equal(st.nent, 3);
    int64_t b = cxv_timeline_find(tl, CXV_KIND_ASSET, "B", "NL");
    assert_true(b >= 0);
    assert_int_equal(cxv_state_row(&st, tl, (uint32_t)b)->t, 20);
    tmp_append(path, ",DE,power,failed,0,B,1,2,\n");
    assert_int_equal(cxv_timeline_follow(tl, &added, NULL), CX_OK);
    assert_int_equal(added, 1);
    assert_int_equal(cxv_timeline_last_t(tl), 30);
    /* the run renames its folder when it ends: rows written after that are still read */
    char moved[300];
    snprintf(moved, sizeof moved, "%s.moved", path);
    assert_int_equal(rename(path, moved), 0);
    tmp_append(moved, "40,,run,x,,,end,0,,0,0,\n");
    assert_int_equal(cxv_timeline_follow(tl, &added, NULL), CX_OK);
    assert_int_equal(added, 1);
    assert_int_equal(cxv_timeline_last_t(tl), 40);
    cxv_state_free(&st);
    cxv_timeline_close(tl);
    remove(moved);
    free(path);
}

/* Lines ended by CR alone (libcsv ends records there): following reads them as a whole read does
 * (found by fuzz_timeline: following read none, waiting for a LF). */
static void test_tlread_cr_only_lines_are_followed_like_a_whole_read(void **state) {
    (void)state;
    static const char rows[] = "t,kind,entity,state,value\r0,run,x,start,0\r10,asset,A,failed,0\r";
    char *path = tmp_write(rows);
    cxv_timeline *whole = open_ok(path, NULL);
    assert_int_equal(cxv_timeline_rows(whole), 2);
    cxv_timeline_close(whole);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(rows, 1, 30, f); /* the header and half of the first row */
    fclose(f);
    cxv_open_opts o = cxv_open_opts_default();
    o.follow = 1;
    cxv_timeline *tl = open_ok(path, &o);
    assert_int_equal(cxv_timeline_rows(tl), 0);
    tmp_append(path, rows + 30);
    size_t added = 0;
    assert_int_equal(cxv_timeline_follow(tl, &added, NULL), CX_OK);
    assert_int_equal(added, 2);
    assert_int_equal(cxv_timeline_last_t(tl), 10);
    cxv_timeline_close(tl);
    remove(path);
    free(path);
}

static void test_tlread_follow_rebuilds_snapshots_when_entities_multiply(void **state) {
    (void)state;
    char *path = tmp_write(HEADER "0,,asset,A0,R,power,failed,0,,0,0,\n1,,asset,A1,R,power,failed,0,,0,0,\n");
    cxv_open_opts o = cxv_open_opts_default();
    o.follow = 1;
    o.snapshot_min = 4;
    cxv_timeline *tl = open_ok(path, &o);
    assert_int_equal(cxv_timeline_snapshot_every(tl), 4);
    char *more = random_timeline(40, 600, 9); /* 40 entities, t from 0: shift past the first rows */
    char *body = strchr(more, '\n') + 1, line[200];
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    for (char *p = body; *p;) {
        char *nl = strchr(p, '\n');
        long long t = strtoll(p, NULL, 10);
        snprintf(line, sizeof line, "%lld%.*s\n", t + 10, (int)(nl - strchr(p, ',')), strchr(p, ','));
        fputs(line, f);
        p = nl + 1;
    }
    fclose(f);
    size_t added = 0;
    assert_int_equal(cxv_timeline_follow(tl, &added, NULL), CX_OK);
    assert_int_equal(added, 600);
    assert_int_equal(cxv_timeline_snapshot_every(tl), cxv_timeline_entities(tl));
    cxv_state seek, play;
    cxv_state_init(&seek);
    cxv_state_init(&play);
    for (int64_t T = -1; T <= cxv_timeline_last_t(tl) + 1; T += 37) {
        assert_int_equal(cxv_state_seek(&seek, tl, T), CX_OK);
        assert_int_equal(cxv_state_play(&play, tl, T), CX_OK);
        assert_memory_equal(seek.last, play.last, seek.nent * sizeof *seek.last);
    }
    cxv_state_free(&seek);
    cxv_state_free(&play);
    cxv_timeline_close(tl);
    remove(path);
    free(path);
    free(more);
}

static void test_tlread_missing_file_is_an_io_error(void **state) {
    (void)state;
    char *msg = open_fail("/nonexistent/timeline.csv", CX_EIO);
    assert_non_null(strstr(msg, "/nonexistent/timeline.csv: cannot open the timeline"));
    free(msg);
}

/* Whatever text the engine writes, the viewer reads back byte for byte: quotes, both delimiters,
 * line breaks (LF, CR, CRLF) inside cells, leading spaces, a lone quote, UTF-8. */
static void test_tlread_reads_back_every_text_the_writer_quotes(void **state) {
    (void)state;
    static const char *const texts[] = {
        "plain", "say \"hi\"", "a,b;c", "two\nlines", "cr\ronly", "crlf\r\nin cell", " lead",
        "trail ", "\"", "\"\"", "Zürich — Genève", ",", "",
    };
    enum { N = sizeof texts / sizeof texts[0] };
    char path[256];
    snprintf(path, sizeof path, "/tmp/cx-test-tlread-rt-%ld.csv", (long)getpid());
    cxi_timeline *w = NULL;
    assert_int_equal(cxi_timeline_open(path, 1162674000, &w), CX_OK);
    cx_observer o = cxi_timeline_observer(w);
    for (int i = 0; i < N; i++) {
        char id[16];
        snprintf(id, sizeof id, "M%d", i);
        cx_record r = {.t = 60 * i, .kind = CX_REC_INJECT, .entity = id, .region = "DE",
                       .sector = "", .state = "message", .cause = texts[i], .text = texts[i]};
        assert_int_equal(o.on_record(o.ud, &r), 0);
    }
    assert_int_equal(cxi_timeline_close(w), CX_OK);

    cxv_timeline *tl = open_ok(path, NULL);
    assert_int_equal(cxv_timeline_rows(tl), N);
    for (int i = 0; i < N; i++) {
        const cxv_row *r = cxv_timeline_row(tl, (size_t)i);
        assert_int_equal(r->t, 60 * i);
        assert_string_equal(cxv_row_text(tl, r), texts[i]);
        assert_string_equal(cxv_str(tl, r->cause), texts[i]);
    }
    cxv_timeline_close(tl);
    unlink(path);
}

/* The value column follows the timeline format (decimal, point or comma), not strtod: hex floats,
 * inf and nan are corrupt rows, whatever the C library would accept. */
static void test_tlread_rejects_values_that_only_strtod_reads(void **state) {
    (void)state;
    static const char *const bad[] = {"0x1p-1", "0X10", "infinity", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char content[256], want[64];
        snprintf(content, sizeof content, HEADER "0,,asset,A,DE,power,degraded,%s,,0,0,\n", bad[i]);
        char *path = tmp_write(content);
        char *msg = open_fail(path, CX_EINPUT);
        snprintf(want, sizeof want, "column 'value': '%s' is not a number", bad[i]);
        assert_non_null(strstr(msg, want));
        free(msg);
        remove(path);
        free(path);
    }
    char *path = tmp_write(HEADER "0,,asset,A,DE,power,degraded,.5,,0,0,\n");
    cxv_timeline *tl = open_ok(path, NULL);
    assert_true(cxv_timeline_row(tl, 0)->value == 0.5f);
    cxv_timeline_close(tl);
    remove(path);
    free(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tlread_loads_the_small_timeline),
        cmocka_unit_test(test_tlread_next_and_prev_find_events_and_injects),
        cmocka_unit_test(test_tlread_seek_equals_play_at_every_instant),
        cmocka_unit_test(test_tlread_truncated_last_line_is_a_warning),
        cmocka_unit_test(test_tlread_unterminated_quote_at_end_is_a_warning),
        cmocka_unit_test(test_tlread_last_line_without_newline_is_kept_when_complete),
        cmocka_unit_test(test_tlread_corrupt_row_keeps_the_rows_before_it_with_a_warning),
        cmocka_unit_test(test_tlread_corrupt_first_row_is_an_error),
        cmocka_unit_test(test_tlread_rows_out_of_time_order_stop_the_reading),
        cmocka_unit_test(test_tlread_messages_quote_junk_cells_short_and_printable),
        cmocka_unit_test(test_tlread_broken_quoting_is_located_at_its_byte),
        cmocka_unit_test(test_tlread_binary_junk_is_an_error_naming_the_header),
        cmocka_unit_test(test_tlread_open_mem_reads_like_a_file),
        cmocka_unit_test(test_tlread_rejects_a_file_that_is_not_a_timeline),
        cmocka_unit_test(test_tlread_counts_lines_across_bom_crlf_and_quoted_newlines),
        cmocka_unit_test(test_tlread_accepts_semicolons_and_reordered_columns),
        cmocka_unit_test(test_tlread_follow_reads_rows_appended_later),
        cmocka_unit_test(test_tlread_cr_only_lines_are_followed_like_a_whole_read),
        cmocka_unit_test(test_tlread_follow_rebuilds_snapshots_when_entities_multiply),
        cmocka_unit_test(test_tlread_missing_file_is_an_io_error),
        cmocka_unit_test(test_tlread_reads_back_every_text_the_writer_quotes),
        cmocka_unit_test(test_tlread_rejects_values_that_only_strtod_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
