/* test_trigger.c — contingency injects: the condition language (each operator, the state variables,
 * and/or/not/parentheses, the deadline form), firing once with cause "trigger", the time column as
 * "not before", and the exact located parse errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "msel_harness.h"

#define H 3600
#define HDR "id,time,kind,target,region,needs,value,message,trigger\n"
#define QUAKE "quake,T+0,hazard,,PL,usar=5,,,\n"

static void run_ok(mh_run *m, const char *injects) {
    cx_status st = mh_load(m, injects, "", NULL);
    for (size_t i = 0; i < cx_diags_count(m->diags); i++)
        fprintf(stderr, "%s\n", cx_diags_get(m->diags, i));
    assert_int_equal(st, CX_OK);
    assert_int_equal(mh_run_it(m), CX_OK);
}

static void test_trigger_fires_on_request_with_cause_trigger_and_not_for_other_region(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, HDR QUAKE "c1,T+0,message,,,,,help asked,requests(PL) >= 1\n"
                         "c2,T+0,message,,,,,never,requests(DE) >= 1\n");
    assert_int_equal(mh_fired(&m, "c1"), 6 * H); /* the auto request: ucpm_request_delay 6h */
    assert_string_equal(mh_find(&m, CX_REC_INJECT, "c1", NULL)->cause, "trigger");
    assert_string_equal(mh_find(&m, CX_REC_INJECT, "c1", NULL)->text, "help asked");
    assert_int_equal(mh_fired(&m, "c2"), -1);
    mh_free(&m);
}

static void test_trigger_each_comparison_operator(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, HDR "eq,0,message,,,,,x,t == T+5h\n"
                   "ne,0,message,,,,,x,t != 0\n"
                   "lt,0,message,,,,,x,t < 2h\n"
                   "le,T+1h,message,,,,,x,t <= 1h\n"
                   "gt,0,message,,,,,x,t > 3h\n"
                   "ge,0,message,,,,,x,t >= 3h\n"
                   "le2,T+2h,message,,,,,x,t <= 1h\n");
    assert_int_equal(mh_fired(&m, "eq"), 5 * H);
    assert_int_equal(mh_fired(&m, "ne"), 1);
    assert_int_equal(mh_fired(&m, "lt"), 0);
    assert_int_equal(mh_fired(&m, "le"), 1 * H);
    assert_int_equal(mh_fired(&m, "gt"), 3 * H + 1);
    assert_int_equal(mh_fired(&m, "ge"), 3 * H);
    assert_int_equal(mh_fired(&m, "le2"), -1); /* its time comes after the condition is over */
    mh_free(&m);
}

static void test_trigger_state_variables(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, HDR QUAKE "dmg,T+2h,damage,DE-P1,,,,,\n"
                         "full,T+4h,ipcr,,,,full,,\n"
                         "f1,0,message,,,,,x,failed_assets >= 1\n"
                         "f2,0,message,,,,,x,pop_without_service > 1500\n"
                         "f3,0,message,,,,,x,regions_affected == 2\n"
                         "f4,0,message,,,,,x,failed_assets == 0 and t > 3h\n"
                         "f5,T+5h,message,,,,,x,failed_assets >= 1\n"
                         "i1,0,message,,,,,x,incidents == 1\n"
                         "i2,0,message,,,,,x,ipcr_mode >= full\n"
                         "i3,0,message,,,,,x,ipcr_mode == monitoring\n"
                         "u1,0,message,,,,,x,unmet(usar) > 4\n"
                         "o1,0,message,,,,,x,offers(PL) >= 1\n"
                         "a1,0,message,,,,,x,arrivals(PL) >= 1\n");
    assert_int_equal(mh_fired(&m, "f1"), 2 * H);
    assert_int_equal(mh_fired(&m, "f2"), 2 * H);
    assert_int_equal(mh_fired(&m, "f3"), 2 * H);
    assert_int_equal(mh_fired(&m, "f4"), 12 * H); /* repaired after fixed(10h) */
    assert_int_equal(mh_fired(&m, "f5"), 5 * H);  /* time = not before */
    assert_int_equal(mh_fired(&m, "i1"), 0);
    assert_int_equal(mh_fired(&m, "i2"), 4 * H);
    assert_int_equal(mh_fired(&m, "i3"), -1);
    assert_int_equal(mh_fired(&m, "u1"), 0);
    /* request 6h, relay +30m (1h x full_relay_factor 0.5 under full IPCR), offer latency +1h */
    assert_int_equal(mh_fired(&m, "o1"), 7 * H + H / 2);
    const mh_rec *op = mh_find(&m, CX_REC_CAPACITY, "DE-USAR#1", "operating");
    assert_non_null(op);
    assert_int_equal(mh_fired(&m, "a1"), op->t);
    mh_free(&m);
}

static void test_trigger_and_or_not_parentheses(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, HDR QUAKE "b1,0,message,,,,,x,not (t < 2h) and (requests(PL) >= 1 or t >= 10h)\n"
                         "b2,0,message,,,,,x,t >= 10h or requests(DE) > 0\n"
                         "b3,0,message,,,,,x,not not t >= 1h\n"
                         "b4,0,message,,,,,x,t >= 1h and t < 1h\n"
                         "b5,0,message,,,,,x,(((t >= 7h)))\n");
    assert_int_equal(mh_fired(&m, "b1"), 6 * H);
    assert_int_equal(mh_fired(&m, "b2"), 10 * H);
    assert_int_equal(mh_fired(&m, "b3"), 1 * H);
    assert_int_equal(mh_fired(&m, "b4"), -1);
    assert_int_equal(mh_fired(&m, "b5"), 7 * H);
    mh_free(&m);
}

static void test_trigger_deadline_form(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, HDR QUAKE "d1,0,message,,,,,x,no request(PL) by T+12h\n"
                         "d2,0,message,,,,,x,no request(CZ) by T+12h\n"
                         "d3,0,message,,,,,x,no request(PL) by T+3h\n"
                         "d4,0,message,,,,,x,NO REQUEST(CZ) BY T+1h and t >= 2h\n");
    assert_int_equal(mh_fired(&m, "d1"), -1); /* PL requested at 6h */
    assert_int_equal(mh_fired(&m, "d2"), 12 * H);
    assert_int_equal(mh_fired(&m, "d3"), 3 * H); /* the request came after the deadline */
    assert_int_equal(mh_fired(&m, "d4"), 2 * H);
    mh_free(&m);
}

static void test_trigger_fires_at_most_once_and_acts_like_an_inject(void **s) {
    (void)s;
    mh_run m;
    run_ok(&m, HDR "once,0,message,,,,,x,t >= 1h\n"
                   "dmg,0,damage,PL-P1,,,,,t >= 2h\n"
                   "tick,T+3h,damage,PL-P2,,,,,\n");
    assert_int_equal(mh_count(&m, CX_REC_INJECT, "once", NULL), 1);
    assert_int_equal(mh_fired(&m, "dmg"), 2 * H);
    const mh_rec *a = mh_find(&m, CX_REC_ASSET, "PL-P1", NULL);
    assert_non_null(a);
    assert_int_equal(a->t, 2 * H); /* damaged by the triggered inject */
    assert_string_equal(a->cause, "dmg");
    mh_free(&m);
}

/* One bad trigger cell (line 2, 9th column): the exact message. */
static void expect_error(const char *cond, const char *msg) {
    char inj[512], want[768];
    mh_run m;
    snprintf(inj, sizeof inj, HDR "x,0,message,,,,,x,%s\n", cond);
    assert_int_equal(mh_load(&m, inj, "", NULL), CX_EINPUT);
    snprintf(want, sizeof want, "%s/injects.csv:2:9: column 'trigger': %s", m.dir, msg);
    assert_int_equal(cx_diags_count(m.diags), 1);
    assert_string_equal(cx_diags_get(m.diags, 0), want);
    mh_free(&m);
}

static void test_trigger_parse_errors_name_the_token_and_what_was_expected(void **s) {
    (void)s;
    expect_error("failed_assets 1", "unexpected '1' at character 15 (expected a comparison "
                 "operator: ==, !=, <, <=, > or >=)");
    expect_error("faild_assets > 0", "unknown variable 'faild_assets' at character 1 (did you "
                 "mean 'failed_assets'?)");
    expect_error("requests(PX) > 0", "unknown region 'PX' at character 10 (did you mean 'PL'?)");
    expect_error("(t > 1h", "unexpected end of the condition (expected ')' or 'and', 'or')");
    expect_error("t > 1h and", "unexpected end of the condition (expected a variable "
                 "(regions_affected, failed_assets, pop_without_service, ipcr_mode, requests(XX), "
                 "offers(XX), arrivals(XX), unmet(need), incidents, t), 'not', '(' or "
                 "'no request(XX) by T')");
    expect_error("ipcr_mode == fulll", "unknown IPCR mode 'fulll' at character 14 (expected "
                 "inactive, monitoring, information_sharing, full or closed)");
    expect_error("t > 1h t", "unexpected 't' at character 8 (expected 'and', 'or', ')' or the end "
                 "of the condition)");
    expect_error("no request(PL) T+1h", "unexpected 'T+1h' at character 16 (expected 'by' and a "
                 "deadline such as T+12h)");
    expect_error("unmet(usr) > 0", "unknown need type 'usr' at character 7 (expected a need type "
                 "such as usar or medical)");
    expect_error("failed_assets = 1", "unexpected '=' at character 15 (expected a comparison "
                 "operator: ==, !=, <, <=, > or >=)");
    expect_error("incidents > many", "'many' at character 13 is not a number (expected a number "
                 "to compare with)");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trigger_fires_on_request_with_cause_trigger_and_not_for_other_region),
        cmocka_unit_test(test_trigger_each_comparison_operator),
        cmocka_unit_test(test_trigger_state_variables),
        cmocka_unit_test(test_trigger_and_or_not_parentheses),
        cmocka_unit_test(test_trigger_deadline_form),
        cmocka_unit_test(test_trigger_fires_at_most_once_and_acts_like_an_inject),
        cmocka_unit_test(test_trigger_parse_errors_name_the_token_and_what_was_expected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
