/* test_table.c — CSV table reading: dialect detection, quoting, line numbers, errors and limits.
 * Each test writes the exact bytes it reads into a temporary file. */
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

typedef struct {
    char dir[64];
    char path[128];
    cxi_table t;
    cx_diags *d;
} fx;

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/cx_test_table_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/t.csv", f->dir);
    assert_int_equal(cx_diags_create(&f->d), CX_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    cxi_table_free(&f->t);
    cx_diags_destroy(f->d);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void put(fx *f, const char *bytes, size_t n) {
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, n, fp), n);
    fclose(fp);
}

/* Writes a C string (no NULs) and reads it with default options. */
static cx_status read_str(fx *f, const char *text) {
    put(f, text, strlen(text));
    return cxi_table_read(f->path, NULL, &f->t, f->d);
}

static void assert_msg(fx *f, size_t i, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void assert_msg(fx *f, size_t i, const char *fmt, ...) {
    char want[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(want, sizeof want, fmt, ap);
    va_end(ap);
    assert_true(i < cx_diags_count(f->d));
    assert_string_equal(cx_diags_get(f->d, i), want);
}

static void assert_cell(const cxi_table *t, unsigned r, unsigned c, const char *text,
                        unsigned line) {
    assert_true(r < t->nrows);
    assert_true(c < t->ncols);
    assert_string_equal(t->rows[r][c].text, text);
    assert_int_equal(t->rows[r][c].line, line);
    assert_int_equal(t->rows[r][c].col, c + 1);
}

static void test_table_reads_comma_file_with_positions(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "id,name\nA,Alpha\nB,Beta\n"), CX_OK);
    assert_int_equal(f->t.delim, ',');
    assert_int_equal(f->t.decimal_comma, 0);
    assert_int_equal(f->t.ncols, 2);
    assert_string_equal(f->t.header[1].text, "name");
    assert_int_equal(f->t.nrows, 2);
    assert_cell(&f->t, 0, 0, "A", 2);
    assert_cell(&f->t, 1, 1, "Beta", 3);
    assert_int_equal(f->t.row_line[1], 3);
    assert_int_equal(cx_diags_count(f->d), 0);
}

static void test_table_detects_semicolon_and_decimal_comma(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "code;lat;lon\nAT;47,5;14,5\n"), CX_OK);
    assert_int_equal(f->t.delim, ';');
    assert_int_equal(f->t.decimal_comma, 1);
    assert_int_equal(f->t.ncols, 3);
    assert_cell(&f->t, 0, 1, "47,5", 2);
}

static void test_table_delimiter_tie_means_comma(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "a;b,c\n1;2,3\n"), CX_OK);
    assert_int_equal(f->t.delim, ',');
    assert_int_equal(f->t.ncols, 2);
    assert_string_equal(f->t.header[0].text, "a;b");
}

static void test_table_delimiter_ignores_quoted_ones(void **state) {
    fx *f = *state;
    /* two commas inside quotes, two semicolons outside */
    assert_int_equal(read_str(f, "\"a,b,c\";d;e\n1;2;3\n"), CX_OK);
    assert_int_equal(f->t.delim, ';');
    assert_string_equal(f->t.header[0].text, "a,b,c");
}

static void test_table_strips_utf8_bom(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "\xEF\xBB\xBFid,name\nA,\xC3\x89tat\n"), CX_OK);
    assert_string_equal(f->t.header[0].text, "id");
    assert_int_equal(cxi_table_col(&f->t, "id"), 0);
    assert_cell(&f->t, 0, 1, "\xC3\x89tat", 2);
}

static void test_table_reads_crlf_with_exact_lines(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "id,v\r\nA,1\r\n\r\nB,2\r\n"), CX_OK);
    assert_int_equal(f->t.nrows, 2);
    assert_cell(&f->t, 0, 1, "1", 2);
    assert_cell(&f->t, 1, 0, "B", 4);
}

static void test_table_reads_lone_cr_line_ends(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "id,v\rA,1\rB,2"), CX_OK);
    assert_int_equal(f->t.nrows, 2);
    assert_cell(&f->t, 1, 1, "2", 3);
}

static void test_table_quoted_cells_keep_delimiters_quotes_and_newlines(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "id,msg,n\n"
                                 "A,\"one, two\",1\n"
                                 "B,\"say \"\"hi\"\"\",2\n"
                                 "C,\"line1\nline2\r\nline3\",3\n"
                                 "D,after,4\n"),
                     CX_OK);
    assert_int_equal(f->t.nrows, 4);
    assert_cell(&f->t, 0, 1, "one, two", 2);
    assert_cell(&f->t, 1, 1, "say \"hi\"", 3);
    /* CRLF inside the cell becomes LF; the cell starts on line 4 and spans 3 lines */
    assert_cell(&f->t, 2, 1, "line1\nline2\nline3", 4);
    assert_cell(&f->t, 2, 2, "3", 6);
    assert_cell(&f->t, 3, 0, "D", 7);
}

static void test_table_trims_unquoted_but_not_quoted_spaces(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, " id , name \n  A  ,\"  B  \"\n"), CX_OK);
    assert_int_equal(cxi_table_col(&f->t, "name"), 1);
    assert_cell(&f->t, 0, 0, "A", 2);
    assert_cell(&f->t, 0, 1, "  B  ", 2);
}

static void test_table_skips_blank_and_all_empty_rows(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "\n\nid,v\n\n,\n  \nA,1\n,,,\nB,\n"), CX_OK);
    assert_int_equal(f->t.header[0].line, 3);
    assert_int_equal(f->t.nrows, 2);
    assert_cell(&f->t, 0, 0, "A", 7);
    assert_cell(&f->t, 1, 0, "B", 9);
    assert_cell(&f->t, 1, 1, "", 9);
}

static void test_table_reads_last_row_without_newline(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "id,v\nA,1\nB,\"2\""), CX_OK);
    assert_int_equal(f->t.nrows, 2);
    assert_cell(&f->t, 1, 1, "2", 3);
}

static void test_table_col_is_case_insensitive(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "ID,Radius_KM,\" lat \"\n1,2,3\n"), CX_OK);
    assert_int_equal(cxi_table_col(&f->t, "id"), 0);
    assert_int_equal(cxi_table_col(&f->t, "radius_km"), 1);
    assert_int_equal(cxi_table_col(&f->t, "lat"), 2);
    assert_int_equal(cxi_table_col(&f->t, "lon"), -1);
}

static void test_table_reports_every_wrong_field_count_and_keeps_good_rows(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "a,b,c\n1,2,3\n1,2\n4,5,6\n1,2,3,4\n"), CX_EINPUT);
    assert_int_equal(cx_diags_count(f->d), 2);
    /* column: just after the last cell of a short row, the first surplus cell of a long one */
    assert_msg(f, 0,
               "%s:3:3: row has 2 fields, the header has 3 (expected 3 fields; a cell or its "
               "delimiter is missing)",
               f->path);
    assert_msg(f, 1,
               "%s:5:4: row has 4 fields, the header has 3 (expected 3 fields; quote cells that "
               "contain the delimiter)",
               f->path);
    assert_int_equal(f->t.nrows, 2);
    assert_cell(&f->t, 1, 2, "6", 4);
}

static void test_table_wrong_field_count_points_at_the_line_of_the_surplus_cell(void **state) {
    fx *f = *state;
    /* the row starts on line 2, its quoted cell spans a line, the surplus cell is on line 3 */
    assert_int_equal(read_str(f, "a;b\n\"x\ny\";2;3\nz\n"), CX_EINPUT);
    assert_int_equal(cx_diags_count(f->d), 2);
    assert_msg(f, 0,
               "%s:3:3: row has 3 fields, the header has 2 (expected 2 fields; quote cells that "
               "contain the delimiter)",
               f->path);
    assert_msg(f, 1,
               "%s:4:2: row has 1 field, the header has 2 (expected 2 fields; a cell or its "
               "delimiter is missing)",
               f->path);
}

static void test_table_reports_unterminated_quote_where_the_cell_starts(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "id,msg\nA,ok\nB,\"never closed\nC,x\n"), CX_EINPUT);
    assert_int_equal(cx_diags_count(f->d), 1);
    assert_msg(f, 0,
               "%s:3:2: unterminated quoted cell (expected a closing '\"'; the cell runs to "
               "the end of the file)",
               f->path);
    assert_int_equal(f->t.nrows, 1);
}

static void test_table_reports_quote_inside_unquoted_cell(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "id,msg\nA,ok\nB,say \"hi\"\n"), CX_EINPUT);
    assert_int_equal(cx_diags_count(f->d), 1);
    assert_msg(f, 0,
               "%s:3:2: quote inside an unquoted cell (expected the whole cell in quotes, "
               "with inner quotes doubled: \"say \"\"hi\"\"\")",
               f->path);
}

static void test_table_reports_text_after_closing_quote(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "id;msg\n\"A\"x;1\n"), CX_EINPUT);
    assert_msg(f, 0,
               "%s:2:1: 'x' after the closing quote of a quoted cell (expected ';' or the "
               "end of the line; a quote inside a quoted cell is written \"\")",
               f->path);
}

static void test_table_reports_empty_file(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, ""), CX_EINPUT);
    assert_msg(f, 0, "%s:1:1: empty file (expected a header row naming the columns)", f->path);
    cxi_table_free(&f->t);
    assert_int_equal(read_str(f, "\r\n  \n,,\n"), CX_EINPUT);
    assert_msg(f, 1, "%s:1:1: empty file (expected a header row naming the columns)", f->path);
    assert_int_equal(f->t.ncols, 0);
}

static void test_table_header_only_is_not_an_error(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "id,name"), CX_OK);
    assert_int_equal(f->t.ncols, 2);
    assert_int_equal(f->t.nrows, 0);
}

static void test_table_reports_missing_file(void **state) {
    fx *f = *state;
    char path[200];
    snprintf(path, sizeof path, "%s/nope.csv", f->dir);
    assert_int_equal(cxi_table_read(path, NULL, &f->t, f->d), CX_EINPUT);
    assert_msg(f, 0, "%s: missing file", path);
}

static void test_table_reports_invalid_utf8_with_position(void **state) {
    fx *f = *state;
    /* Latin-1 e-acute, a truncated 2-byte sequence, an overlong '/' and a surrogate */
    assert_int_equal(read_str(f, "id,name\nA,R\xE9seau\nB,ok\xC3\nC,\xC0\xAF\nD,\xED\xA0\x80\nE,"
                                 "\xF0\x9F\x98\x80\n"),
                     CX_EINPUT);
    assert_int_equal(cx_diags_count(f->d), 4);
    assert_msg(f, 0,
               "%s:2:2: column 'name': invalid UTF-8 byte 0xE9 at byte 2 of the cell "
               "(expected UTF-8 text: save the file as 'CSV UTF-8')",
               f->path);
    assert_msg(f, 1,
               "%s:3:2: column 'name': invalid UTF-8 byte 0xC3 at byte 3 of the cell "
               "(expected UTF-8 text: save the file as 'CSV UTF-8')",
               f->path);
    assert_msg(f, 2,
               "%s:4:2: column 'name': invalid UTF-8 byte 0xC0 at byte 1 of the cell "
               "(expected UTF-8 text: save the file as 'CSV UTF-8')",
               f->path);
    assert_msg(f, 3,
               "%s:5:2: column 'name': invalid UTF-8 byte 0xED at byte 1 of the cell "
               "(expected UTF-8 text: save the file as 'CSV UTF-8')",
               f->path);
    assert_int_equal(f->t.nrows, 5); /* the 4-byte emoji on line 6 is valid */
}

static void test_table_reports_utf16(void **state) {
    fx *f = *state;
    put(f, "\xFF\xFEi\0d\0", 6);
    assert_int_equal(cxi_table_read(f->path, NULL, &f->t, f->d), CX_EINPUT);
    assert_msg(f, 0, "%s:1:1: file is UTF-16 (expected UTF-8: save as 'CSV UTF-8')", f->path);
}

static void test_table_reports_nul_byte(void **state) {
    fx *f = *state;
    put(f, "id,v\nA,x\0y\n", 11);
    assert_int_equal(cxi_table_read(f->path, NULL, &f->t, f->d), CX_EINPUT);
    assert_msg(f, 0,
               "%s:2:2: column 'v': NUL byte in the cell (expected UTF-8 text; is the file "
               "UTF-16?)",
               f->path);
}

static void test_table_reports_duplicate_header(void **state) {
    fx *f = *state;
    assert_int_equal(read_str(f, "id,name,ID\n1,2,3\n"), CX_EINPUT);
    assert_msg(f, 0, "%s:1:3: column 'ID' appears twice (also column 1; expected each column once)",
               f->path);
}

static void test_table_limits_file_size_before_reading(void **state) {
    fx *f = *state;
    cx_load_opts o = cx_load_opts_default();
    o.max_file_bytes = 10;
    put(f, "id,name\nA,B\n", 12);
    assert_int_equal(cxi_table_read(f->path, &o, &f->t, f->d), CX_ELIMIT);
    assert_msg(f, 0, "%s: file is 12 bytes (the limit is 10 bytes per file)", f->path);
}

static void test_table_limits_field_size(void **state) {
    fx *f = *state;
    cx_load_opts o = cx_load_opts_default();
    o.max_field_bytes = 4;
    put(f, "id,name\nA,12345\nB,1234\n", 23);
    assert_int_equal(cxi_table_read(f->path, &o, &f->t, f->d), CX_ELIMIT);
    assert_int_equal(cx_diags_count(f->d), 1);
    assert_msg(f, 0, "%s:2:2: column 'name': cell is 5 bytes long (the limit is 4 bytes per cell)",
               f->path);
}

static void test_table_limits_rows_and_stops(void **state) {
    fx *f = *state;
    cx_load_opts o = cx_load_opts_default();
    o.max_rows = 2;
    put(f, "id\n1\n2\n3\n4\n", 11);
    assert_int_equal(cxi_table_read(f->path, &o, &f->t, f->d), CX_ELIMIT);
    assert_int_equal(cx_diags_count(f->d), 1);
    assert_msg(f, 0, "%s:4:1: more than 2 rows (the limit per table)", f->path);
    assert_int_equal(f->t.nrows, 2);
}

static void test_table_hash_chains_raw_bytes(void **state) {
    fx *f = *state;
    const char *text = "\xEF\xBB\xBFid\r\n1\r\n";
    put(f, text, strlen(text));
    uint64_t h = 7;
    assert_int_equal(cxi_table_read_hashed(f->path, NULL, &f->t, f->d, &h), CX_OK);
    assert_true(h == cxi_fnv1a(7, text, strlen(text)));
}

static void test_table_long_quoted_cell_across_chunks(void **state) {
    fx *f = *state;
    size_t n = 200000;
    char *text = malloc(n + 64);
    assert_non_null(text);
    strcpy(text, "id,msg\nA,\"");
    size_t k = strlen(text);
    for (size_t i = 0; i < n; i++) text[k++] = (i % 1000 == 999) ? '\n' : 'x';
    strcpy(text + k, "\"\nB,y\n");
    cx_load_opts o = cx_load_opts_default();
    o.max_field_bytes = n;
    put(f, text, strlen(text));
    assert_int_equal(cxi_table_read(f->path, &o, &f->t, f->d), CX_OK);
    free(text);
    assert_int_equal(f->t.nrows, 2);
    assert_int_equal(strlen(f->t.rows[0][1].text), n);
    assert_cell(&f->t, 1, 0, "B", 3 + (unsigned)(n / 1000));
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_table_reads_comma_file_with_positions),
        T(test_table_detects_semicolon_and_decimal_comma),
        T(test_table_delimiter_tie_means_comma),
        T(test_table_delimiter_ignores_quoted_ones),
        T(test_table_strips_utf8_bom),
        T(test_table_reads_crlf_with_exact_lines),
        T(test_table_reads_lone_cr_line_ends),
        T(test_table_quoted_cells_keep_delimiters_quotes_and_newlines),
        T(test_table_trims_unquoted_but_not_quoted_spaces),
        T(test_table_skips_blank_and_all_empty_rows),
        T(test_table_reads_last_row_without_newline),
        T(test_table_col_is_case_insensitive),
        T(test_table_reports_every_wrong_field_count_and_keeps_good_rows),
        T(test_table_wrong_field_count_points_at_the_line_of_the_surplus_cell),
        T(test_table_reports_unterminated_quote_where_the_cell_starts),
        T(test_table_reports_quote_inside_unquoted_cell),
        T(test_table_reports_text_after_closing_quote),
        T(test_table_reports_empty_file),
        T(test_table_header_only_is_not_an_error),
        T(test_table_reports_missing_file),
        T(test_table_reports_invalid_utf8_with_position),
        T(test_table_reports_utf16),
        T(test_table_reports_nul_byte),
        T(test_table_reports_duplicate_header),
        T(test_table_limits_file_size_before_reading),
        T(test_table_limits_field_size),
        T(test_table_limits_rows_and_stops),
        T(test_table_hash_chains_raw_bytes),
        T(test_table_long_quoted_cell_across_chunks),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
