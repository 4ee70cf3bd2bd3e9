/* test_load.c — scenario loading: the good folders load with the documented values and defaults,
 * and every bad folder yields exactly the expected located messages and status. */
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
#include "model/scenario.h"

#define DATA CX_TEST_DATA

static cx_scenario *load_ok(const char *dir) {
    cx_diags *d;
    cx_scenario *sc = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cx_status st = cx_scenario_load(dir, NULL, &sc, d);
    for (size_t i = 0; i < cx_diags_count(d); i++) print_message("%s\n", cx_diags_get(d, i));
    assert_int_equal(st, CX_OK);
    assert_int_equal(cx_diags_count(d), 0);
    assert_non_null(sc);
    cx_diags_destroy(d);
    return sc;
}

static const cx_inject *inject(const cx_scenario *sc, const char *id) {
    for (uint32_t i = 0; i < sc->ninjects; i++)
        if (!strcmp(sc->injects[i].id, id)) return &sc->injects[i];
    fail_msg("no inject %s", id);
    return NULL;
}

static void test_load_minimal_scenario_values_and_defaults(void **state) {
    (void)state;
    cx_scenario *sc = load_ok(DATA "/good/minimal");
    cx_scenario_counts n = cx_scenario_count(sc);
    assert_int_equal(n.regions, 3);
    assert_int_equal(n.assets, 5);
    assert_int_equal(n.links, 4);
    assert_int_equal(n.injects, 6);
    assert_string_equal(cx_scenario_name(sc), "minimal");
    assert_string_equal(cx_scenario_title(sc), "Minimal cross-border blackout");
    assert_string_equal(cx_scenario_dir(sc), DATA "/good/minimal");
    assert_int_equal(cx_scenario_start(sc), 1162674000); /* 2006-11-04T21:00Z */
    assert_int_equal(cx_scenario_horizon(sc), 2 * 86400);
    assert_int_equal(cx_scenario_seed(sc), 42);
    const cx_params *p = &sc->params;
    assert_int_equal(p->turn, 6 * 3600);
    assert_int_equal(p->mode, CX_MODEL_BOTH);
    assert_true(p->degraded_below == 0.999 && p->failed_below == 0.2);
    assert_true(p->service_restored == 0.95);
    assert_int_equal(p->iim_step, 3600);
    assert_true(p->iim_resilience[CX_SECTOR_POWER] == 0.5);
    assert_true(p->iim_resilience[CX_SECTOR_WATER] == 0.2);

    /* regions */
    int32_t ch = cxi_scenario_region_index(sc, "CH");
    assert_int_equal(ch, 2);
    assert_int_equal(sc->regions[ch].kind, CX_REGION_THIRD);
    assert_int_equal(sc->regions[0].kind, CX_REGION_MEMBER);
    assert_true(sc->regions[1].population == 68000000);
    assert_int_equal(cxi_scenario_region_index(sc, "de"), -1); /* codes are case-sensitive */

    /* assets: position defaults to the region's point, repair to exp(12h) */
    int32_t t1 = cxi_scenario_asset_index(sc, "DE-T1");
    assert_int_equal(t1, 1);
    const cx_asset *a = &sc->assets[t1];
    assert_int_equal(a->sector, CX_SECTOR_TELECOM);
    assert_int_equal(a->region, 0);
    assert_true(a->lat == 51.1657 && a->lon == 10.4515);
    assert_int_equal(a->repair.kind, CXI_DIST_EXP);
    assert_true(a->repair.p[0] == 12 * 3600.0);
    const cx_asset *fr = &sc->assets[cxi_scenario_asset_index(sc, "FR-P1")];
    assert_int_equal(fr->repair.kind, CXI_DIST_LOGNORMAL);
    assert_true(fr->repair.p[0] == 4 * 3600.0 && fr->repair.p[1] == 0.5);
    assert_string_equal(fr->name, "Grid Paris");
    assert_int_equal(cxi_scenario_asset_index(sc, "XX"), -1);

    /* extra columns are notes */
    assert_int_equal(sc->asset_notes.ncols, 1);
    assert_string_equal(sc->asset_notes.names[0], "owner");
    assert_string_equal(sc->asset_notes.values[2], "RTE");
    assert_int_equal(sc->link_notes.ncols, 1);
    assert_string_equal(sc->link_notes.values[1], "battery backup");

    /* links: defaults threshold 0.5, strength 1, delay/recovery 0 */
    const cx_link *k = &sc->links[1];
    assert_int_equal(k->supplier, 0);
    assert_int_equal(k->dependent, 1);
    assert_true(k->threshold == 0.5 && k->strength == 1.0);
    assert_int_equal(k->delay.kind, CXI_DIST_EXP);
    assert_int_equal(sc->links[3].recovery.kind, CXI_DIST_FIXED);
    assert_true(sc->links[3].recovery.p[0] == 0);
    assert_true(sc->links[0].recovery.p[0] == 600);

    /* injects: sorted by (time, file order), aliases t_offset/type/country */
    static const char *const order[] = {"I0", "I1", "I2", "I3", "I4", "I5"};
    static const cx_time times[] = {-7200, 0, 0, 21600, 43200, 86400};
    for (int i = 0; i < 6; i++) {
        assert_string_equal(sc->injects[i].id, order[i]);
        assert_int_equal(sc->injects[i].t, times[i]);
    }
    const cx_inject *i2 = inject(sc, "I2");
    assert_int_equal(i2->kind, CX_INJECT_MESSAGE);
    assert_int_equal(i2->target_kind, CX_TARGET_NONE);
    assert_string_equal(i2->message, "Grid operator: \"load shedding\" in progress, stand by");
    assert_string_equal(i2->channel, "phone");
    assert_string_equal(i2->expected_action, "Convene roundtable");
    assert_int_equal(i2->line, 4);
    const cx_inject *i3 = inject(sc, "I3");
    assert_int_equal(i3->target_kind, CX_TARGET_SECTOR);
    assert_int_equal(i3->region, 0);
    assert_int_equal(i3->sector, CX_SECTOR_TELECOM);
    assert_true(i3->magnitude == 0.5);
    const cx_inject *i1 = inject(sc, "I1");
    assert_int_equal(i1->target_kind, CX_TARGET_ASSET);
    assert_int_equal(i1->asset, 0);
    assert_true(i1->magnitude == 1.0);
    const cx_inject *i4 = inject(sc, "I4");
    assert_int_equal(i4->kind, CX_INJECT_DISABLE);
    assert_int_equal(i4->target_kind, CX_TARGET_RADIUS);
    assert_int_equal(i4->sector, -1);
    assert_true(i4->radius_km == 50 && i4->lat == 48.85);
    const cx_inject *i5 = inject(sc, "I5");
    assert_int_equal(i5->kind, CX_INJECT_RESTORE);
    assert_int_equal(i5->region, -1);
    assert_int_equal(i5->sector, CX_SECTOR_POWER);
    assert_int_equal(i5->move, 2);
    /* inject notes follow the sort */
    assert_int_equal(sc->inject_notes.ncols, 1);
    assert_string_equal(sc->inject_notes.names[0], "trigger");
    assert_string_equal(sc->inject_notes.values[5], "failed_assets > 0");
    assert_string_equal(sc->inject_notes.values[0], "");

    /* iim: '*' expands per region, a row naming the region overrides it */
    assert_int_equal(sc->ncouplings, 5);
    int found = 0;
    for (uint32_t i = 0; i < sc->ncouplings; i++) {
        const cx_iim_coupling *c = &sc->couplings[i];
        if (c->sector == CX_SECTOR_TELECOM && c->region == 0) {
            assert_true(c->coefficient == 0.5);
            found++;
        }
        if (c->sector == CX_SECTOR_TELECOM && c->region == 2) {
            assert_int_equal(c->on_region, 2);
            assert_true(c->coefficient == 0.4);
            found++;
        }
        if (c->sector == CX_SECTOR_POWER) {
            assert_int_equal(c->region, 1);
            assert_int_equal(c->on_region, 0);
            found++;
        }
    }
    assert_int_equal(found, 3);
    cx_scenario_destroy(sc);
}

/* FNV-1a over (file name, bytes) of the present CSV files in name order. */
static void test_load_hash_covers_names_and_bytes_in_name_order(void **state) {
    (void)state;
    static const char *const names[] = {"assets.csv", "iim.csv",     "injects.csv",
                                        "links.csv",  "regions.csv", "scenario.csv"};
    uint64_t h = CXI_FNV_OFFSET;
    for (int i = 0; i < 6; i++) {
        char path[512], buf[8192];
        snprintf(path, sizeof path, "%s/good/minimal/%s", DATA, names[i]);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        h = cxi_fnv1a(h, names[i], strlen(names[i]));
        h = cxi_fnv1a(h, buf, n);
    }
    char want[17];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)h);
    cx_scenario *sc = load_ok(DATA "/good/minimal/");
    assert_string_equal(cx_scenario_hash(sc), want);
    assert_int_equal(strlen(cx_scenario_hash(sc)), 16);
    cx_scenario_destroy(sc);
}

static void test_load_semicolon_bom_crlf_decimal_comma(void **state) {
    (void)state;
    cx_scenario *sc = load_ok(DATA "/good/semicolon");
    assert_string_equal(cx_scenario_title(sc), "Blackout; the \"Ems\" variant");
    assert_int_equal(cx_scenario_start(sc), 1162678200); /* 2006-11-04 22:10 UTC */
    assert_int_equal(cx_scenario_horizon(sc), 48 * 3600);
    assert_true(sc->params.degraded_below == 0.99 && sc->params.failed_below == 0.25);
    assert_int_equal(sc->regions[1].kind, CX_REGION_PARTICIPATING);
    assert_true(sc->regions[0].lat == 51.1657);
    assert_string_equal(sc->assets[1].name, "R\xC3\xA9seau; Paris");
    assert_int_equal(sc->assets[1].sector, CX_SECTOR_POWER);
    assert_int_equal(sc->assets[1].repair.kind, CXI_DIST_UNIFORM);
    assert_true(sc->links[0].threshold == 0.8 && sc->links[0].strength == 0.6);
    assert_string_equal(sc->injects[0].message, "Line one;\nline \"two\"");
    assert_int_equal(sc->injects[1].line, 4); /* X1 spans lines 2-3 */
    assert_int_equal(sc->injects[1].target_kind, CX_TARGET_ASSET);
    cx_scenario_destroy(sc);
}

typedef struct {
    const char *dir; /* under DATA/bad */
    cx_status st;
    size_t n;
    const char *msgs[4]; /* each after DATA/bad/<dir> */
} bad_case;

static const bad_case bad_cases[] = {
    {"missing_file", CX_EINPUT, 1, {"/assets.csv: missing file"}},
    {"missing_column",
     CX_EINPUT,
     1,
     {"/assets.csv:1:3: missing required column 'sector' (did you mean 'sektor'?)"}},
    {"field_count",
     CX_EINPUT,
     1,
     {"/assets.csv:3:10: row has 11 fields, the header has 9 (expected 9 fields; quote cells "
      "that contain the delimiter)"}},
    {"unterminated_quote",
     CX_EINPUT,
     1,
     {"/injects.csv:8:12: unterminated quoted cell (expected a closing '\"'; the cell runs to "
      "the end of the file)"}},
    {"stray_quote",
     CX_EINPUT,
     1,
     {"/regions.csv:3:2: '(' after the closing quote of a quoted cell (expected ',' or the end "
      "of the line; a quote inside a quoted cell is written \"\")"}},
    {"empty_file",
     CX_EINPUT,
     1,
     {"/links.csv:1:1: empty file (expected a header row naming the columns)"}},
    {"bad_number",
     CX_EINPUT,
     1,
     {"/regions.csv:3:4: column 'lat': 'fifty' is not a number (expected a latitude in "
      "degrees, from -90 to 90)"}},
    {"bad_duration",
     CX_EINPUT,
     1,
     {"/scenario.csv:5:2: column 'value': bad duration: unknown unit 'x' in '2x' (expected s, "
      "m, h, d or w)"}},
    {"bad_time",
     CX_EINPUT,
     1,
     {"/injects.csv:2:3: column 't_offset': bad time: unknown unit 'y' in 'T+6y' (expected s, "
      "m, h, d or w)"}},
    {"bad_distribution",
     CX_EINPUT,
     1,
     {"/assets.csv:2:8: column 'repair': bad distribution: unknown distribution 'expo' "
      "(expected exp, lognormal, uniform, triangular, normal or fixed)"}},
    {"negative",
     CX_EINPUT,
     1,
     {"/regions.csv:4:6: column 'population': '-5' is negative (expected a number >= 0)"}},
    {"duplicate_id",
     CX_EINPUT,
     1,
     {"/assets.csv:7:1: column 'id': duplicate asset id 'DE-T1' (first on line 3; expected "
      "each id once)"}},
    {"unknown_reference",
     CX_EINPUT,
     1,
     {"/assets.csv:3:4: column 'region': unknown region 'DX' (did you mean 'DE'?)"}},
    {"self_link",
     CX_EINPUT,
     1,
     {"/links.csv:5:2: column 'dependent': link from 'CH-P1' to itself (expected two "
      "different assets)"}},
    {"duplicate_link",
     CX_EINPUT,
     1,
     {"/links.csv:6:2: column 'dependent': duplicate link 'DE-P1' -> 'FR-P1' (first on line "
      "2; expected each supplier, dependent pair once)"}},
    {"out_of_range",
     CX_EINPUT,
     2,
     {"/regions.csv:4:4: column 'lat': '96.8182' is out of range (expected a latitude in "
      "degrees, from -90 to 90)",
      "/links.csv:2:3: column 'threshold': '1.5' is out of range (expected a number above 0 "
      "and at most 1)"}},
    {"inject_after_horizon",
     CX_EINPUT,
     1,
     {"/injects.csv:6:3: column 't_offset': inject at T+3d00:00:00 is after the horizon "
      "T+2d00:00:00 (expected a time up to the horizon, or a longer horizon in scenario.csv)"}},
    {"inject_target",
     CX_EINPUT,
     3,
     {"/injects.csv:2:5: column 'target': damage inject 'I3' has more than one target: "
      "'target' and 'region' (expected exactly one of: 'target', 'region' (+ 'sector'), or "
      "'lat'+'lon'+'radius_km')",
      "/injects.csv:3:4: column 'type': damage inject 'I1' has no target (expected an asset id "
      "in 'target', a region code in 'region' (optionally with 'sector'), or 'lat', 'lon' and "
      "'radius_km')",
      "/injects.csv:6:6: column 'country': region '*' (every region) needs a sector (expected "
      "one of: power, gas, oil, telecom, transport, rail, water, health, finance, government, "
      "election_it, media, food, space in 'sector')"}},
    {"unknown_key",
     CX_EINPUT,
     2,
     {"/scenario.csv:5:1: column 'key': unknown key 'horizn' (did you mean 'horizon'?)",
      "/scenario.csv:1:1: missing required key 'horizon' (expected a row 'key,value' with key "
      "'horizon' and value a duration above zero such as 48h or 2d)"}},
    {"unknown_sector",
     CX_EINPUT,
     1,
     {"/assets.csv:3:3: column 'sector': unknown sector 'telecomm' (did you mean 'telecom'?)"}},
    {"invalid_utf8",
     CX_EINPUT,
     1,
     {"/assets.csv:4:2: column 'name': invalid UTF-8 byte 0xE9 at byte 2 of the cell "
      "(expected UTF-8 text: save the file as 'CSV UTF-8')"}},
    {"three_bad_rows",
     CX_EINPUT,
     3,
     {"/links.csv:6:1: column 'supplier': unknown asset 'XX-1' (expected an id from "
      "assets.csv)",
      "/links.csv:7:2: column 'dependent': unknown asset 'YY-2' (expected an id from "
      "assets.csv)",
      "/links.csv:8:3: column 'threshold': '0' is out of range (expected a number above 0 and "
      "at most 1)"}},
    {"several_files",
     CX_EINPUT,
     3,
     {"/scenario.csv:6:2: column 'value': seed '-42' is not a whole number (expected a whole "
      "number from 0 to 18446744073709551615)",
      "/regions.csv:3:4: column 'lat': 'fifty' is not a number (expected a latitude in "
      "degrees, from -90 to 90)",
      "/links.csv:5:2: column 'dependent': link from 'CH-P1' to itself (expected two "
      "different assets)"}},
};

static void test_load_bad_folders_give_exact_messages(void **state) {
    (void)state;
    for (size_t c = 0; c < sizeof bad_cases / sizeof bad_cases[0]; c++) {
        const bad_case *bc = &bad_cases[c];
        char dir[512];
        snprintf(dir, sizeof dir, "%s/bad/%s", DATA, bc->dir);
        cx_diags *d;
        assert_int_equal(cx_diags_create(&d), CX_OK);
        cx_scenario *sc = (cx_scenario *)&sc; /* must be reset to NULL */
        cx_status st = cx_scenario_load(dir, NULL, &sc, d);
        if (st != bc->st || cx_diags_count(d) != bc->n) {
            for (size_t i = 0; i < cx_diags_count(d); i++) print_error("%s\n", cx_diags_get(d, i));
            fail_msg("case %s: status %d, %zu messages", bc->dir, st, cx_diags_count(d));
        }
        assert_null(sc);
        for (size_t i = 0; i < bc->n; i++) {
            char want[1024];
            snprintf(want, sizeof want, "%s%s", dir, bc->msgs[i]);
            assert_string_equal(cx_diags_get(d, i), want);
        }
        assert_int_equal(cx_diags_dropped(d), 0);
        cx_diags_destroy(d);
    }
}

static void test_load_caps_messages_and_counts_the_rest(void **state) {
    (void)state;
    cx_diags *d;
    cx_scenario *sc = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    assert_int_equal(cx_scenario_load(DATA "/bad/many_errors", NULL, &sc, d), CX_EINPUT);
    assert_int_equal(cx_diags_count(d), 50);
    assert_int_equal(cx_diags_dropped(d), 10);
    assert_string_equal(cx_diags_get(d, 49),
                        DATA "/bad/many_errors/links.csv:51:1: column 'supplier': unknown asset "
                             "'NOPE-49' (expected an id from assets.csv)");
    cx_diags_destroy(d);
}

static void test_load_missing_folder(void **state) {
    (void)state;
    cx_diags *d;
    cx_scenario *sc = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    assert_int_equal(cx_scenario_load(DATA "/bad/no_such_dir", NULL, &sc, d), CX_EINPUT);
    assert_int_equal(cx_diags_count(d), 1);
    assert_string_equal(cx_diags_get(d, 0),
                        DATA "/bad/no_such_dir: no such folder (expected a scenario folder holding "
                             "scenario.csv, regions.csv and assets.csv)");
    cx_diags_destroy(d);
    /* diags may be NULL; the status still says what happened */
    assert_int_equal(cx_scenario_load(DATA "/bad/bad_number", NULL, &sc, NULL), CX_EINPUT);
    assert_null(sc);
    assert_int_equal(cx_scenario_load(NULL, NULL, &sc, NULL), CX_EINVAL);
}

static void test_load_limits_give_elimit(void **state) {
    (void)state;
    cx_diags *d;
    cx_scenario *sc = NULL;
    cx_load_opts o = cx_load_opts_default();
    assert_true(o.max_file_bytes == (size_t)64 << 20 && o.max_field_bytes == (size_t)64 << 10 &&
                o.max_rows == 5000000);

    o.max_rows = 5;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    assert_int_equal(cx_scenario_load(DATA "/good/minimal", &o, &sc, d), CX_ELIMIT);
    assert_null(sc);
    assert_int_equal(cx_diags_count(d), 2); /* injects.csv and scenario.csv have more rows */
    assert_string_equal(cx_diags_get(d, 0), DATA "/good/minimal/injects.csv:7:1: more than 5 rows "
                                                 "(the limit per table)");
    cx_diags_destroy(d);

    o = cx_load_opts_default();
    o.max_file_bytes = 250;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    assert_int_equal(cx_scenario_load(DATA "/good/minimal", &o, &sc, d), CX_ELIMIT);
    assert_string_equal(cx_diags_get(d, 0), DATA "/good/minimal/assets.csv: file is 340 bytes "
                                                 "(the limit is 250 bytes per file)");
    cx_diags_destroy(d);

    o = cx_load_opts_default();
    o.max_field_bytes = 40;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    assert_int_equal(cx_scenario_load(DATA "/good/minimal", &o, &sc, d), CX_ELIMIT);
    assert_int_equal(cx_diags_count(d), 1);
    assert_string_equal(cx_diags_get(d, 0), DATA "/good/minimal/injects.csv:4:12: column "
                                                 "'message': cell is 52 bytes long (the limit is "
                                                 "40 bytes per cell)");
    cx_diags_destroy(d);
}

/* Variants of good/minimal with one file replaced, for rules without their own folder. */
static char tmpdir[64];

static void variant(const char *file, const char *text) {
    static const char *const names[] = {"assets.csv", "iim.csv",     "injects.csv",
                                        "links.csv",  "regions.csv", "scenario.csv"};
    strcpy(tmpdir, "/tmp/cx_test_load_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    for (int i = 0; i < 6; i++) {
        char src[512], dst[512], buf[8192];
        snprintf(dst, sizeof dst, "%s/%s", tmpdir, names[i]);
        FILE *out = fopen(dst, "wb");
        assert_non_null(out);
        if (!strcmp(names[i], file)) {
            fputs(text, out);
        } else {
            snprintf(src, sizeof src, "%s/good/minimal/%s", DATA, names[i]);
            FILE *in = fopen(src, "rb");
            assert_non_null(in);
            size_t n = fread(buf, 1, sizeof buf, in);
            fclose(in);
            assert_int_equal(fwrite(buf, 1, n, out), n);
        }
        fclose(out);
    }
}

static void variant_cleanup(void) {
    static const char *const names[] = {"assets.csv", "iim.csv",     "injects.csv",
                                        "links.csv",  "regions.csv", "scenario.csv"};
    for (int i = 0; i < 6; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

/* Loads a variant and checks its messages (each after "<tmpdir>/<file>"). */
static void expect_variant(const char *file, const char *text, size_t n, ...) {
    variant(file, text);
    cx_diags *d;
    cx_scenario *sc = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cx_status st = cx_scenario_load(tmpdir, NULL, &sc, d);
    if (cx_diags_count(d) != n) {
        for (size_t i = 0; i < cx_diags_count(d); i++) print_error("%s\n", cx_diags_get(d, i));
        fail_msg("%zu messages, expected %zu", cx_diags_count(d), n);
    }
    assert_int_equal(st, n ? CX_EINPUT : CX_OK);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        char want[1024];
        snprintf(want, sizeof want, "%s/%s%s", tmpdir, file, va_arg(ap, const char *));
        assert_string_equal(cx_diags_get(d, i), want);
    }
    va_end(ap);
    cx_scenario_destroy(sc);
    cx_diags_destroy(d);
    variant_cleanup();
}

static void test_load_scenario_keys(void **state) {
    (void)state;
    expect_variant("scenario.csv",
                   "key,value\nname,has space\nstart,2024-06-06T07:30Z\nhorizon,0s\nmodel,agents\n"
                   "failed_below,0.5\ndegraded_below,0.4\niim_resilience.pwer,0.3\nstart,x\n"
                   "seed,18446744073709551616\n",
                   7,
                   ":2:2: column 'value': name 'has space' has a character other than letters, "
                   "digits, '_' and '-' (expected a name of letters, digits, '_' and '-'; the name "
                   "is used in output folder names)",
                   ":4:2: column 'value': '0s' is not above zero (expected a duration above zero "
                   "such as 48h or 2d)",
                   ":5:2: column 'value': unknown model 'agents' (expected assets, iim or both)",
                   ":8:1: column 'key': unknown sector 'pwer' in key 'iim_resilience.pwer' (did "
                   "you "
                   "mean 'power'?)",
                   ":9:1: column 'key': key 'start' is given twice (first on line 3; expected each "
                   "key once)",
                   ":10:2: column 'value': seed '18446744073709551616' is too large (expected a "
                   "whole number from 0 to 18446744073709551615)",
                   ":6:2: column 'value': failed_below (0.5) is not below degraded_below (0.4) "
                   "(expected failed_below < degraded_below)");
}

static void test_load_run_must_end_by_year_9999(void **state) {
    (void)state;
    /* the timeline prints start + t: a year past 9999 could not be read back */
    expect_variant("scenario.csv", "key,value\nname,late\nstart,9999-12-31T00:00Z\nhorizon,2d\n",
                   1,
                   ":4:2: column 'value': horizon 2d from start 9999-12-31T00:00:00Z ends after "
                   "9999-12-31T23:59:59Z (expected a horizon of at most 23h59m59s, or an earlier "
                   "start)");
    expect_variant("scenario.csv",
                   "key,value\nname,late\nstart,9999-12-31T23:00-02:00\nhorizon,2d\n", 1,
                   ":3:2: column 'value': start 10000-01-01T01:00:00Z is outside years 0000 to "
                   "9999 (expected a start from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z)");
    expect_variant("scenario.csv",
                   "key,value\nname,late\nstart,9999-12-29T23:59:59Z\nhorizon,2d\n", 0);
}

static void test_load_regions_rules(void **state) {
    (void)state;
    expect_variant(
        "regions.csv",
        "code,name,kind,lat,lon,population\nDE,Germany,member state,51,10,1\n"
        "FR,France,candidate,46,2,1\nCH,Swiss,third,46,,1\n,Nowhere,,1,1,\n"
        "DE,Again,,1,1,\n",
        4,
        ":3:3: column 'kind': unknown region kind 'candidate' (expected member, "
        "participating, third or other)",
        ":4:5: column 'lon': missing value (expected a longitude in degrees, from -180 to "
        "180)",
        ":5:1: column 'code': missing value (expected a region code such as AT)",
        ":6:1: column 'code': duplicate region code 'DE' (first on line 2; expected each "
        "code once)");
}

static void test_load_assets_position_rules(void **state) {
    (void)state;
    expect_variant("assets.csv",
                   "id,sector,region,lat,lon\nDE-P1,power,DE,53,\nDE-T1,telecom,DE,,\n"
                   "FR-P1,power,FR,,\nFR-W1,water,FR,,\nCH-P1,power,,,\n",
                   2,
                   ":2:4: column 'lat': lat given without lon (expected both, or neither to use "
                   "the "
                   "region's point)",
                   ":6:3: column 'region': missing value (expected a code from regions.csv)");
}

static void test_load_inject_rules(void **state) {
    (void)state;
    expect_variant(
        "injects.csv",
        "id,time,kind,target,region,sector,lat,lon,radius_km,magnitude,message\n"
        "A,1h,message,,,,,,,,\n"
        "B,1h,damage,,,,48,2,,,\n"
        "C,1h,damage,DE-P1,,power,,,,1.5,\n"
        "D,1h,damage,,DE,,,,,,\n"
        "D,2h,message,,,,,,,,hello\n"
        "E,2h,damag,,,,,,,,\n"
        "F,,restore,DE-P1,,,,,,,\n"
        "G,1h,disable,,XX,,,,,,\n",
        8,
        ":2:11: column 'message': missing value (a message inject needs the text the "
        "players receive)",
        ":3:9: column 'radius_km': missing value (expected a radius in km above 0)",
        ":4:10: column 'magnitude': '1.5' is out of range (expected a number from 0 to 1)",
        ":4:6: column 'sector': a sector does not apply to an asset target (expected an "
        "empty sector, or a 'region' or radius target)",
        ":6:1: column 'id': duplicate inject id 'D' (first on line 5; expected each id "
        "once)",
        ":7:3: column 'kind': unknown inject kind 'damag' (did you mean 'damage'?)",
        ":8:2: column 'time': missing value (expected a time such as T+6h or "
        "2024-06-06T07:30Z)",
        ":9:5: column 'region': unknown region 'XX' (expected a code from regions.csv or "
        "'*')");
}

static void test_load_column_alias_conflict_and_missing_columns(void **state) {
    (void)state;
    expect_variant("injects.csv", "id,time,t_offset,kind\nA,1h,1h,message\n", 1,
                   ":1:3: columns 'time' and 't_offset' mean the same (expected only one of "
                   "them)");
    expect_variant("links.csv", "from,to\n", 2,
                   ":1:1: missing required column 'supplier' (expected a header cell named "
                   "'supplier'; the header has: from, to)",
                   ":1:1: missing required column 'dependent' (expected a header cell named "
                   "'dependent'; the header has: from, to)");
    /* a long header is cut with "..." */
    expect_variant("links.csv",
                   "a_rather_long_column_name_1,a_rather_long_column_name_2,"
                   "a_rather_long_column_name_3,a_rather_long_column_name_4,"
                   "a_rather_long_column_name_5,a_rather_long_column_name_6,dependent\n",
                   1,
                   ":1:1: missing required column 'supplier' (expected a header cell named "
                   "'supplier'; the header has: a_rather_long_column_name_1, "
                   "a_rather_long_column_name_2, a_rather_long_column_name_3, "
                   "a_rather_long_column_name_4, a_rather_long_column_name_5, ...)");
}

static void test_load_iim_rules(void **state) {
    (void)state;
    expect_variant("iim.csv",
                   "sector,region,depends_on,depends_on_region,coefficient\n"
                   "power,*,gas,,0.2\n"
                   "power,*,gas,,0.3\n"
                   "water,DE,power,*,0.1\n"
                   "water,DE,power,,1\n",
                   3,
                   ":4:4: column 'depends_on_region': '*' is not allowed here (expected a region "
                   "code, or empty for the dependent's own region)",
                   ":5:5: column 'coefficient': '1' is out of range (expected a number from 0 up "
                   "to, not including, 1)",
                   ":3:3: column 'depends_on': duplicate coupling: power in DE depending on gas in "
                   "DE (first on line 2; "
                   "expected each pair once)");
}

static void test_load_unknown_asset_suggestion_and_broken_reference_table(void **state) {
    (void)state;
    expect_variant("links.csv", "supplier,dependent\nDE-P2,FR-P1\n", 1,
                   ":2:1: column 'supplier': unknown asset 'DE-P2' (did you mean 'DE-P1'?)");
    /* when assets.csv has its own errors, references into it are not reported as unknown */
    expect_variant("assets.csv", "id,sector,region\nDE-P1,power,DE\nDE-T1,telecom,DE,extra\n", 1,
                   ":3:4: row has 4 fields, the header has 3 (expected 3 fields; quote cells "
                   "that contain the delimiter)");
}

/* --set: an override replaces a scenario.csv value or adds a key, its errors name the option, and
 * the hash covers the override strings (so batches with other overrides differ). */
static void test_load_overrides_change_values_errors_and_hash(void **state) {
    (void)state;
    cx_scenario *base = load_ok(DATA "/good/minimal");
    const char *ok[] = {"SEED=99", "turn=2h", "seed=123"};
    cx_load_opts lo = cx_load_opts_default();
    lo.overrides = ok;
    lo.noverrides = 3;
    cx_diags *d;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cx_scenario *sc = NULL;
    assert_int_equal(cx_scenario_load(DATA "/good/minimal", &lo, &sc, d), CX_OK);
    assert_int_equal(cx_scenario_seed(sc), 123); /* the later override wins */
    assert_int_equal(sc->params.turn, 7200);
    assert_string_not_equal(cx_scenario_hash(sc), cx_scenario_hash(base));
    cx_scenario *again = NULL;
    lo.noverrides = 2; /* other overrides, other hash */
    assert_int_equal(cx_scenario_load(DATA "/good/minimal", &lo, &again, d), CX_OK);
    assert_string_not_equal(cx_scenario_hash(again), cx_scenario_hash(sc));
    assert_int_equal(cx_scenario_seed(again), 99);
    cx_scenario_destroy(again);
    cx_scenario_destroy(sc);
    lo.noverrides = 0; /* no overrides: the plain hash */
    assert_int_equal(cx_scenario_load(DATA "/good/minimal", &lo, &sc, d), CX_OK);
    assert_string_equal(cx_scenario_hash(sc), cx_scenario_hash(base));
    cx_scenario_destroy(sc);
    assert_int_equal(cx_diags_count(d), 0);

    const char *bad[] = {"seed=x", "sed=1", "horizon"};
    lo.overrides = bad;
    lo.noverrides = 3;
    sc = (cx_scenario *)&sc;
    assert_int_equal(cx_scenario_load(DATA "/good/minimal", &lo, &sc, d), CX_EINPUT);
    assert_null(sc);
    assert_int_equal(cx_diags_count(d), 3);
    assert_string_equal(cx_diags_get(d, 0),
                        "--set horizon: missing '=' (expected key=value with a key of scenario.csv)");
    assert_string_equal(cx_diags_get(d, 1),
                        "--set seed=x: column 'value': seed 'x' is not a whole number (expected a "
                        "whole number from 0 to 18446744073709551615)");
    assert_string_equal(cx_diags_get(d, 2),
                        "--set sed=1: column 'key': unknown key 'sed' (did you mean 'seed'?)");
    cx_diags_destroy(d);
    cx_scenario_destroy(base);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_minimal_scenario_values_and_defaults),
        cmocka_unit_test(test_load_overrides_change_values_errors_and_hash),
        cmocka_unit_test(test_load_hash_covers_names_and_bytes_in_name_order),
        cmocka_unit_test(test_load_semicolon_bom_crlf_decimal_comma),
        cmocka_unit_test(test_load_bad_folders_give_exact_messages),
        cmocka_unit_test(test_load_caps_messages_and_counts_the_rest),
        cmocka_unit_test(test_load_missing_folder),
        cmocka_unit_test(test_load_limits_give_elimit),
        cmocka_unit_test(test_load_scenario_keys),
        cmocka_unit_test(test_load_run_must_end_by_year_9999),
        cmocka_unit_test(test_load_regions_rules),
        cmocka_unit_test(test_load_assets_position_rules),
        cmocka_unit_test(test_load_inject_rules),
        cmocka_unit_test(test_load_column_alias_conflict_and_missing_columns),
        cmocka_unit_test(test_load_iim_rules),
        cmocka_unit_test(test_load_unknown_asset_suggestion_and_broken_reference_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
