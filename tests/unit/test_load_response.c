/* test_load_response.c — capacities.csv, the response keys of scenario.csv and the response inject
 * kinds: values and defaults of a good folder, and the exact located messages of a bad one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "io/io_api.h"
#include "model/scenario.h"

#define DATA CX_TEST_DATA "/response"

static const cx_inject *inject(const cx_scenario *sc, const char *id) {
    for (uint32_t i = 0; i < sc->ninjects; i++)
        if (!strcmp(sc->injects[i].id, id)) return &sc->injects[i];
    fail_msg("no inject %s", id);
    return NULL;
}

static void test_load_response_good_values_and_defaults(void **state) {
    (void)state;
    cx_diags *d;
    cx_scenario *sc = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cx_status st = cx_scenario_load(DATA "/good", NULL, &sc, d);
    for (size_t i = 0; i < cx_diags_count(d); i++) print_message("%s\n", cx_diags_get(d, i));
    assert_int_equal(st, CX_OK);
    const cx_params *p = &sc->params;
    assert_int_equal(p->ucpm_policy, CX_POLICY_MANUAL);
    assert_int_equal(p->accept_delay.kind, CXI_DIST_FIXED);
    assert_true(p->accept_delay.p[0] == 3 * 3600.0);
    assert_int_equal(p->request_lapse, 30 * 86400);
    assert_true(p->need_growth[CX_NEED_FIREFIGHTING] == 0.05);
    assert_int_equal(p->need_halflife[CX_NEED_USAR], 48 * 3600);
    assert_int_equal(p->ipcr_full_at, 4);
    assert_true(p->full_relay_factor == 0.25);
    assert_int_equal(p->cover_within, 12 * 3600);
    /* defaults */
    assert_int_equal(p->ercc_relay_delay.kind, CXI_DIST_FIXED);
    assert_true(p->ercc_relay_delay.p[0] == 3600.0);
    assert_int_equal(p->ucpm_request_delay.kind, CXI_DIST_LOGNORMAL);
    assert_true(p->ucpm_request_delay.p[0] == 6 * 3600.0 && p->ucpm_request_delay.p[1] == 0.5);
    assert_true(p->offer_share_own_crisis == 0.5 && p->road_kmh == 60 && p->air_kmh == 500);
    assert_int_equal(p->need_recede, 10 * 86400);
    assert_int_equal(p->ipcr_policy, CX_POLICY_AUTO);
    assert_int_equal(p->ipcr_monitoring_at, 1);
    assert_int_equal(p->blueprint_ms, 6);
    assert_true(p->ipcr_population_full == 1e6);
    assert_int_equal(p->isaa_interval_full, 3 * 86400 + 12 * 3600);
    assert_int_equal(p->ipcr_close_after, 7 * 86400);

    assert_int_equal(sc->ncapacities, 3);
    const cx_capacity *h = &sc->capacities[0], *u = &sc->capacities[1], *t = &sc->capacities[2];
    assert_string_equal(h->id, "DE-HCP");
    assert_int_equal(h->pool, CX_POOL_ECPP);
    assert_int_equal(h->count, 2);
    assert_int_equal(h->need, CX_NEED_PUMPING);
    assert_true(h->rate == 0.1 && h->speed_kmh == 60 && h->repair_factor == 0.5);
    assert_int_equal(h->readiness.kind, CXI_DIST_FIXED);
    assert_true(h->readiness.p[0] == 12 * 3600.0);
    assert_int_equal(h->offer_latency.kind, CXI_DIST_LOGNORMAL);
    assert_true(h->offer_latency.p[0] == 12 * 3600.0);
    assert_true(h->endurance.p[0] == 96 * 3600.0);
    assert_true(h->handling.p[0] == 2 * 3600.0);
    assert_true(h->lat == 50.7 && h->lon == 7.1);
    assert_int_equal(h->prepositioned_at, -1);
    assert_int_equal(h->repairs, -1);
    assert_int_equal(u->pool, CX_POOL_RESCUE); /* "rescEU" */
    assert_int_equal(u->need, CX_NEED_USAR);
    assert_int_equal(u->prepositioned_at, 0);
    assert_int_equal(t->need, CX_NEED_RESCUE);
    assert_true(t->speed_kmh == 40 && t->rate == 5);
    assert_true(t->offer_latency.kind == CXI_DIST_FIXED && t->offer_latency.p[0] == 0);
    assert_int_equal(sc->capacity_notes.ncols, 1);
    assert_string_equal(sc->capacity_notes.values[2], "x3");

    const cx_inject *h1 = inject(sc, "h1");
    assert_int_equal(h1->kind, CX_INJECT_HAZARD);
    assert_int_equal(h1->target_kind, CX_TARGET_NONE); /* a region alone does not damage */
    assert_int_equal(h1->at_region, 0);
    assert_string_equal(cxi_hazard_name(h1->hazard), "flood");
    assert_true(h1->needs[CX_NEED_PUMPING] == 40 && h1->needs[CX_NEED_RESCUE] == 1500);
    assert_true(h1->needs[CX_NEED_USAR] == 0);
    assert_int_equal(h1->duration, 6 * 86400);
    const cx_inject *h2 = inject(sc, "h2");
    assert_int_equal(h2->target_kind, CX_TARGET_ASSET);
    assert_int_equal(h2->at_region, 0); /* the asset's region */
    assert_true(h2->magnitude == 0.5);
    const cx_inject *r1 = inject(sc, "r1");
    assert_true(r1->needs[CX_NEED_DEHUMIDIFICATION] == 3.5);
    assert_int_equal(inject(sc, "i1")->ipcr_mode, CX_IPCR_INFO_SHARING);
    assert_int_equal(inject(sc, "a1")->at_region, 0);
    const cx_inject *p1 = inject(sc, "p1");
    assert_int_equal(p1->capacity, 0);
    assert_int_equal(p1->at_region, 0);
    cx_scenario_destroy(sc);
    cx_diags_destroy(d);
}

static void test_load_response_bad_folder_messages(void **state) {
    (void)state;
    static const char *const want[] = {
        "/scenario.csv:5:1: column 'key': unknown key 'ucpm_polcy' (did you mean 'ucpm_policy'?)",
        "/scenario.csv:6:2: column 'value': unknown policy 'sometimes' (expected auto or manual)",
        "/scenario.csv:7:1: column 'key': unknown need type 'fire' in key 'need_growth.fire' (expected one of: usar, firefighting, pumping, rescue, water, medical, medevac, shelter, cbrn, coordination, heavy_machinery, dehumidification, power_supply, hybrid)",
        "/scenario.csv:8:2: column 'value': '1.5' is out of range (expected a number from 0 to 1)",
        "/scenario.csv:9:2: column 'value': '0' is not a whole number >= 1 (expected a whole number of member states >= 1)",
        "/capacities.csv:2:2: column 'type': unknown capacity type 'pumpin' (did you mean 'pumping'?)",
        "/capacities.csv:2:4: column 'pool': unknown pool 'ecp' (did you mean 'ecpp'?)",
        "/capacities.csv:2:5: column 'count': '0' is not a whole number from 1 to 100000 (expected the number of identical units)",
        "/capacities.csv:2:7: column 'rate': '0' is out of range (expected a rate above 0 (need units per unit-hour))",
        "/capacities.csv:2:8: column 'prepositioned_at': unknown region 'CZZ' (did you mean 'CZ'?)",
        "/capacities.csv:3:1: column 'id': duplicate capacity id 'DE-HCP' (first on line 2; expected each id once)",
        "/capacities.csv:4:2: column 'type': a national_team needs 'addresses' (expected a need type: usar, firefighting, pumping, rescue, water, medical, medevac, shelter, cbrn, coordination, heavy_machinery, dehumidification, power_supply, hybrid)",
        "/injects.csv:2:8: column 'hazard': unknown hazard 'flod' (did you mean 'flood'?)",
        "/injects.csv:2:9: column 'needs': unknown need type 'pumpin' in item 1 (did you mean 'pumping'?)",
        "/injects.csv:2:9: column 'needs': amount 'x' of need 'rescue' in item 2 is not a number above 0 (expected need=amount, e.g. usar=10)",
        "/injects.csv:2:9: column 'needs': item 3 'usar' has no '=' (expected need=amount, e.g. usar=10; medical=4)",
        "/injects.csv:3:3: column 'kind': request inject 'r1' has no region (expected a region code in 'region')",
        "/injects.csv:4:11: column 'value': unknown IPCR mode 'fulll' (did you mean 'full'?)",
        "/injects.csv:5:4: column 'target': unknown capacity 'DE-HCPP' (did you mean 'DE-HCP'?)",
        "/injects.csv:6:9: column 'needs': 'needs' applies only to hazard and request injects (expected an empty cell)",
    };
    cx_diags *d;
    cx_scenario *sc = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    assert_int_equal(cx_scenario_load(DATA "/bad", NULL, &sc, d), CX_EINPUT);
    assert_null(sc);
    size_t n = sizeof want / sizeof want[0];
    for (size_t i = 0; i < cx_diags_count(d); i++) print_message("%s\n", cx_diags_get(d, i));
    assert_int_equal(cx_diags_count(d), n);
    for (size_t i = 0; i < n; i++) {
        const char *m = cx_diags_get(d, i);
        assert_true(strlen(m) > strlen(DATA "/bad"));
        assert_string_equal(m + strlen(DATA "/bad"), want[i]);
    }
    cx_diags_destroy(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_response_good_values_and_defaults),
        cmocka_unit_test(test_load_response_bad_folder_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
