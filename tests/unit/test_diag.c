/* test_diag.c — diagnostics list (format, cap, dropped count) and "did you mean" suggestions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "io/io_api.h"

static void test_diag_formats_location_variants(void **state) {
    (void)state;
    cx_diags *d;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cxi_diag_add(d, "x/assets.csv", 14, 3, "column '%s': unknown region '%s'", "region", "XX");
    cxi_diag_add(d, "x/assets.csv", 1, 0, "missing required column '%s'", "id");
    cxi_diag_add(d, "x/links.csv", 0, 0, "missing file");
    assert_int_equal(cx_diags_count(d), 3);
    assert_string_equal(cx_diags_get(d, 0),
                        "x/assets.csv:14:3: column 'region': unknown region 'XX'");
    assert_string_equal(cx_diags_get(d, 1), "x/assets.csv:1: missing required column 'id'");
    assert_string_equal(cx_diags_get(d, 2), "x/links.csv: missing file");
    assert_null(cx_diags_get(d, 3));
    assert_int_equal(cx_diags_dropped(d), 0);
    cx_diags_destroy(d);
    cx_diags_destroy(NULL);
}

static void test_diag_caps_at_50_and_counts_the_rest(void **state) {
    (void)state;
    cx_diags *d;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    for (int i = 0; i < 57; i++) cxi_diag_add(d, "f.csv", (unsigned)i + 2, 1, "error %d", i);
    assert_int_equal(cx_diags_count(d), 50);
    assert_int_equal(cx_diags_dropped(d), 7);
    assert_int_equal(cxi_diags_total(d), 57);
    assert_true(cxi_diags_full(d));
    assert_string_equal(cx_diags_get(d, 49), "f.csv:51:1: error 49");
    cx_diags_destroy(d);
}

static void test_diag_set_cap_drops_excess_messages(void **state) {
    (void)state;
    cx_diags *d;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    for (int i = 0; i < 5; i++) cxi_diag_add(d, "f.csv", 1, 1, "e%d", i);
    cx_diags_set_cap(d, 2);
    assert_int_equal(cx_diags_count(d), 2);
    assert_int_equal(cx_diags_dropped(d), 3);
    assert_string_equal(cx_diags_get(d, 1), "f.csv:1:1: e1");
    cxi_diag_add(d, "f.csv", 1, 1, "later");
    assert_int_equal(cx_diags_count(d), 2);
    assert_int_equal(cx_diags_dropped(d), 4);
    cx_diags_set_cap(d, 10);
    cxi_diag_add(d, "f.csv", 1, 1, "kept");
    assert_string_equal(cx_diags_get(d, 2), "f.csv:1:1: kept");
    cx_diags_destroy(d);
}

static void test_diag_keeps_long_messages_whole(void **state) {
    (void)state;
    cx_diags *d;
    char big[3000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cxi_diag_add(d, "p", 2, 5, "%s", big);
    assert_int_equal(strlen(cx_diags_get(d, 0)), strlen("p:2:5: ") + sizeof big - 1);
    cx_diags_destroy(d);
}

static void test_edit_distance_is_levenshtein_case_insensitive(void **state) {
    (void)state;
    assert_int_equal(cxi_edit_distance("kitten", "sitting", 10), 3);
    assert_int_equal(cxi_edit_distance("AT", "at", 10), 0);
    assert_int_equal(cxi_edit_distance("", "abc", 10), 3);
    assert_int_equal(cxi_edit_distance("horizn", "horizon", 10), 1);
    assert_int_equal(cxi_edit_distance("power", "rewop", 10), 4);
}

static void test_edit_distance_stops_above_cap(void **state) {
    (void)state;
    assert_true(cxi_edit_distance("kitten", "sitting", 2) > 2);
    assert_true(cxi_edit_distance("a", "abcdefgh", 3) > 3);
    assert_int_equal(cxi_edit_distance("kitten", "sitting", 3), 3);
}

static void test_edit_distance_handles_long_strings(void **state) {
    (void)state;
    char a[400], b[400];
    memset(a, 'x', sizeof a - 1);
    a[sizeof a - 1] = '\0';
    memcpy(b, a, sizeof a);
    b[200] = 'y';
    assert_int_equal(cxi_edit_distance(a, b, 5), 1);
}

static void test_suggest_picks_closest_within_a_third(void **state) {
    (void)state;
    const char *const regions[] = {"DE", "AT", "FR", "BE"};
    assert_string_equal(cxi_suggest("AX", regions, 4), "AT"); /* first of the distance-1 ties */
    assert_string_equal(cxi_suggest("fr", regions, 4), "FR");
    const char *const keys[] = {"name", "start", "horizon", "seed"};
    assert_string_equal(cxi_suggest("horizn", keys, 4), "horizon");
    assert_null(cxi_suggest("duration", keys, 4));
    assert_null(cxi_suggest("x", keys, 0));
    const char *const sectors[] = {"power", "gas", "telecom"};
    assert_string_equal(cxi_suggest("telecomm", sectors, 3), "telecom");
    assert_null(cxi_suggest("pow", sectors, 3)); /* distance 2 > max(1, 3/3) */
}

static void test_diag_quote_escapes_and_cuts_on_character_boundary(void **state) {
    (void)state;
    char buf[16];
    assert_string_equal(cxi_diag_quote(buf, sizeof buf, "a\nb\tc"), "a\\nb\\tc");
    assert_string_equal(cxi_diag_quote(buf, sizeof buf, "\x01"), "\\x01");
    /* 12 bytes of room before "...": a character cut in two is dropped, a whole one kept */
    assert_string_equal(cxi_diag_quote(buf, sizeof buf, "abcdefghijk\xC3\xA9xyz"),
                        "abcdefghijk...");
    assert_string_equal(cxi_diag_quote(buf, sizeof buf, "abcdefghij\xC3\xA9xyz"),
                        "abcdefghij\xC3\xA9...");
    assert_string_equal(cxi_diag_quote(buf, sizeof buf, "short"), "short");
}

static void test_ieq_is_ascii_case_insensitive(void **state) {
    (void)state;
    assert_true(cxi_ieq("Radius_KM", "radius_km"));
    assert_false(cxi_ieq("radius", "radius_km"));
    assert_true(cxi_ieqn("IIM_Resilience.power", "iim_resilience.", 15));
    assert_false(cxi_ieq("\xC3\x89", "\xC3\xA9")); /* no Unicode folding */
}

static void test_status_worse_orders_ok_input_limit_io_then_memory(void **state) {
    (void)state;
    static const cx_status order[] = {CX_OK, CX_EINPUT, CX_ELIMIT, CX_EIO, CX_ENOMEM};
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 5; j++) {
            cx_status want = order[i > j ? i : j];
            assert_int_equal(cxi_status_worse(order[i], order[j]), want);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diag_formats_location_variants),
        cmocka_unit_test(test_diag_caps_at_50_and_counts_the_rest),
        cmocka_unit_test(test_diag_set_cap_drops_excess_messages),
        cmocka_unit_test(test_diag_keeps_long_messages_whole),
        cmocka_unit_test(test_edit_distance_is_levenshtein_case_insensitive),
        cmocka_unit_test(test_edit_distance_stops_above_cap),
        cmocka_unit_test(test_edit_distance_handles_long_strings),
        cmocka_unit_test(test_suggest_picks_closest_within_a_third),
        cmocka_unit_test(test_diag_quote_escapes_and_cuts_on_character_boundary),
        cmocka_unit_test(test_ieq_is_ascii_case_insensitive),
        cmocka_unit_test(test_status_worse_orders_ok_input_limit_io_then_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
