/* test_view_ui.c — the viewer's interaction, headless: what a click on the map selects, the history
 * of a selection (exact rows), decision and IPCR steps, the units-on-site curve of the strip (also
 * while following a growing file), the go-to-time line fed with SDL events, and a frame with a
 * selection (outline on the map, history in the panel). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>

#include "draw.h"
#include "response.h"
#include "ui.h"
#include "view.h"
#include "view_test_util.h"

static cxv_view *open_with(const char *timeline, const char *scenario, int follow) {
    cx_diags *d = NULL;
    cxv_view *v = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cxv_view_opts o = {timeline, scenario, NULL, follow};
    cx_status st = cxv_view_open(&o, &v, d);
    for (size_t i = 0; i < cx_diags_count(d); i++) fprintf(stderr, "%s\n", cx_diags_get(d, i));
    assert_int_equal(st, CX_OK);
    cx_diags_destroy(d);
    return v;
}

static cxv_view *open_response(void) { return open_view(CX_TEST_DATA "/view-response/run/timeline.csv"); }

/* A W x H layout and a ui fitted to the scenario, as the first frame of a window has them. */
static cxv_view *fitted(cxv_view *v, cxv_layout *L, cxv_ui *ui) {
    cxv_layout_make(L, W, H);
    cxv_ui_init(ui);
    cxv_ui_fit(ui, v, L);
    return v;
}

static cxv_sel pick_at(const cxv_ui *ui, cxv_view *v, const cxv_layout *L, float x, float y, int *hit) {
    cxv_resp R;
    cxv_resp_init(&R);
    cxv_sel sel = {CXV_SEL_ASSET, 12345};
    *hit = cxv_pick(ui, v, L, &R, (int)lroundf(x), (int)lroundf(y), &sel);
    cxv_resp_free(&R);
    return sel;
}

static void test_pick_selects_the_asset_at_its_screen_position(void **state) {
    (void)state;
    cxv_layout L;
    cxv_ui ui;
    cxv_view *v = fitted(open_response(), &L, &ui);
    float x, y;
    cxv_asset_screen(&ui, v, 0, &x, &y);
    int64_t when[] = {1000, 20000}; /* before the incident, and inside its ring: the asset is on top */
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(cxv_view_seek(v, when[i]), CX_OK);
        int hit = 0;
        cxv_sel s = pick_at(&ui, v, &L, x + 2, y - 1, &hit);
        assert_int_equal(hit, 1);
        assert_int_equal(s.kind, CXV_SEL_ASSET);
        assert_int_equal(s.index, 0);
    }
    cxv_view_close(v);
}

static void test_pick_misses_in_the_empty_sea_and_outside_the_map(void **state) {
    (void)state;
    cxv_layout L;
    cxv_ui ui;
    cxv_view *v = fitted(open_response(), &L, &ui);
    float x, y;
    cxv_proj_forward(&ui.proj, 11.5, 39.3, &x, &y); /* Tyrrhenian Sea */
    assert_true(x > L.map.x && x < L.map.x + L.map.w && y > L.map.y && y < L.map.y + L.map.h);
    int hit = 1;
    cxv_sel s = pick_at(&ui, v, &L, x, y, &hit);
    assert_int_equal(hit, 0);
    assert_int_equal(s.kind, CXV_SEL_NONE);
    /* in France: land, but not a region of the scenario */
    cxv_proj_forward(&ui.proj, 2.5, 46.5, &x, &y);
    if (x > L.map.x) {
        s = pick_at(&ui, v, &L, x, y, &hit);
        assert_int_equal(s.kind, CXV_SEL_NONE);
    }
    /* the panel is not the map */
    s = pick_at(&ui, v, &L, (float)(L.panel.x + 20), (float)(L.panel.y + 100), &hit);
    assert_int_equal(hit, 0);
    assert_int_equal(s.kind, CXV_SEL_NONE);
    cxv_view_close(v);
}

static void test_pick_selects_a_region_inside_its_outline_and_at_its_label(void **state) {
    (void)state;
    cxv_layout L;
    cxv_ui ui;
    cxv_view *v = fitted(open_response(), &L, &ui);
    int hit = 0;
    float x, y;
    cxv_proj_forward(&ui.proj, 12.5, 52.5, &x, &y); /* Berlin area: inside Germany, far from its point */
    cxv_sel s = pick_at(&ui, v, &L, x, y, &hit);
    assert_int_equal(hit, 1);
    assert_int_equal(s.kind, CXV_SEL_REGION);
    assert_string_equal(cxv_view_scenario(v)->regions[s.index].code, "DE");
    cxv_proj_forward(&ui.proj, 22.0, 39.0, &x, &y); /* GR's label, just below its point */
    s = pick_at(&ui, v, &L, x, y + (float)(14 * L.s), &hit);
    assert_int_equal(s.kind, CXV_SEL_REGION);
    assert_string_equal(cxv_view_scenario(v)->regions[s.index].code, "GR");
    cxv_view_close(v);
}

static void test_pick_selects_an_incident_ring_and_a_moving_unit(void **state) {
    (void)state;
    cxv_view *v = open_response();
    const cxv_timeline *tl = cxv_view_timeline(v);
    cxv_layout L;
    cxv_ui ui;
    fitted(v, &L, &ui);
    /* T+5h: the unit is halfway from DE to IT, INC1 is open in IT */
    assert_int_equal(cxv_view_seek(v, 18000), CX_OK);
    float x0, y0, x1, y1, ix, iy;
    cxv_proj_forward(&ui.proj, 10.0, 51.0, &x0, &y0);
    cxv_proj_forward(&ui.proj, 12.5, 42.0, &x1, &y1);
    int hit = 0;
    cxv_sel s = pick_at(&ui, v, &L, (x0 + x1) / 2, (y0 + y1) / 2, &hit);
    assert_int_equal(s.kind, CXV_SEL_UNIT);
    assert_string_equal(cxv_str(tl, s.index), "DE-USAR#1");
    /* the left part of INC1's ring (the asset sits to the upper right of IT's point) */
    cxv_proj_forward(&ui.proj, 12.5, 42.0, &ix, &iy);
    float rad = cxv_incident_radius(500, L.s);
    s = pick_at(&ui, v, &L, ix - rad * 0.8f, iy, &hit);
    assert_int_equal(s.kind, CXV_SEL_INCIDENT);
    assert_int_equal(s.index, (uint32_t)cxv_timeline_find(tl, CXV_KIND_INCIDENT, "INC1", "IT"));
    /* with the response layer hidden (L), neither is picked */
    ui.hide_response = 1;
    s = pick_at(&ui, v, &L, (x0 + x1) / 2, (y0 + y1) / 2, &hit);
    assert_int_not_equal(s.kind, CXV_SEL_UNIT);
    s = pick_at(&ui, v, &L, ix - rad * 0.8f, iy, &hit);
    assert_int_not_equal(s.kind, CXV_SEL_INCIDENT);
    cxv_view_close(v);
}

static void assert_history(cxv_view *v, const cxv_sel *sel, const uint32_t *want, size_t nwant) {
    uint32_t got[32];
    size_t n = cxv_view_history(v, sel, got, 32);
    if (n != nwant) fail_msg("history has %zu rows, expected %zu", n, nwant);
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) fail_msg("history row %zu is row %u, expected row %u", i, got[i], want[i]);
}

static void test_history_of_an_asset_and_a_region_are_their_rows_up_to_now_newest_first(void **state) {
    (void)state;
    cxv_view *v = open_view(CX_TEST_DATA "/view-small/run/timeline.csv");
    /* rows (0 = first data row): 2 I1 (DE), 3 DE-Ems failed, 4 DE-West failed, 7 DE-Ems repairing,
     * 8 I2 (DE), 9 DE-Ems working, 10 DE-West working (at 16200) */
    cxv_sel ems = {CXV_SEL_ASSET, 0}, de = {CXV_SEL_REGION, 0};
    assert_int_equal(cxv_view_seek(v, 4199), CX_OK);
    assert_history(v, &ems, NULL, 0);
    assert_int_equal(cxv_view_seek(v, 13000), CX_OK);
    assert_history(v, &ems, (const uint32_t[]){7, 3}, 2);
    assert_int_equal(cxv_view_seek(v, 14400), CX_OK);
    assert_history(v, &ems, (const uint32_t[]){9, 7, 3}, 3);
    assert_history(v, &de, (const uint32_t[]){9, 8, 7, 4, 3, 2}, 6);
    uint32_t one[1];
    assert_int_equal(cxv_view_history(v, &de, one, 1), 1);
    assert_int_equal(one[0], 9);
    char name[128], what[128], now[256];
    cxv_view_sel_title(v, &ems, name, sizeof name, what, sizeof what);
    assert_string_equal(name, "Ems 380 kV crossing (DE-Ems)");
    assert_string_equal(what, "power asset in DE, serves 2.0 M people");
    assert_int_equal(cxv_view_seek(v, 13000), CX_OK);
    cxv_view_sel_state(v, &ems, now, sizeof now);
    assert_string_equal(now, "Now: under repair, operability 0% (since 05 Nov 00:20)"); /* T0: 04 Nov 21:00 */
    cxv_view_close(v);
}

static void test_history_of_a_unit_and_an_incident(void **state) {
    (void)state;
    cxv_view *v = open_response();
    const cxv_timeline *tl = cxv_view_timeline(v);
    /* rows: 2 INC1 open, 3 unit mobilising (DE), 5 transit (IT), 10 operating (IT), 11 INC1 contained */
    int64_t inc = cxv_timeline_find(tl, CXV_KIND_INCIDENT, "INC1", "IT");
    cxv_sel unit = {CXV_SEL_UNIT, cxv_timeline_entity(tl, (uint32_t)cxv_timeline_find(tl, CXV_KIND_CAPACITY, "DE-USAR#1", "DE"))->name};
    cxv_sel incident = {CXV_SEL_INCIDENT, (uint32_t)inc};
    cxv_sel it = {CXV_SEL_REGION, 1}, gr = {CXV_SEL_REGION, 2};
    assert_int_equal(cxv_view_seek(v, 9000), CX_OK);
    assert_history(v, &unit, (const uint32_t[]){3}, 1);
    assert_int_equal(cxv_view_seek(v, 30000), CX_OK);
    assert_history(v, &unit, (const uint32_t[]){10, 5, 3}, 3);
    assert_history(v, &incident, (const uint32_t[]){11, 2}, 2);
    assert_history(v, &it, (const uint32_t[]){11, 2}, 2); /* unit moves are not a region's history */
    assert_history(v, &gr, (const uint32_t[]){4}, 1);
    char buf[256];
    cxv_view_sel_state(v, &incident, buf, sizeof buf);
    assert_string_equal(buf, "Now: contained, remaining need 400: usar=400 (since 07:00)");
    cxv_view_sel_state(v, &it, buf, sizeof buf);
    assert_string_equal(buf, "Now: 0% without service (0 people), 1 open incident, 1 unit on site");
    assert_int_equal(cxv_view_seek(v, 18000), CX_OK);
    cxv_view_sel_state(v, &unit, buf, sizeof buf);
    assert_string_equal(buf, "Now: transit to IT (since 03:00), for incident INC1");
    cxv_view_close(v);
}

static void test_decision_and_ipcr_steps_on_the_election_run(void **state) {
    (void)state;
    cxv_view *v = open_with(CX_TEST_DATA "/view-ui/election-timeline.csv", CX_SOURCE_DIR "/scenarios/election-2024", 0);
    /* decisions D1..D5 of tests/data/view-ui/election-decisions.csv as the run recorded them */
    static const int64_t dec[] = {43200, 111600, 378000, 432000, 518400};
    int64_t t = 0, T = 0;
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(cxv_view_step(v, CXV_MARK_DECISION, 1, T, &t), 1);
        assert_int_equal(t, dec[i]);
        T = t;
    }
    assert_int_equal(cxv_view_step(v, CXV_MARK_DECISION, 1, T, &t), 0);
    T = cxv_view_t_end(v);
    for (size_t i = 5; i > 0; i--) {
        assert_int_equal(cxv_view_step(v, CXV_MARK_DECISION, -1, T, &t), 1);
        assert_int_equal(t, dec[i - 1]);
        T = t;
    }
    assert_int_equal(cxv_view_step(v, CXV_MARK_DECISION, -1, T, &t), 0);
    /* IPCR: information sharing at T0 (inject M1-01), full by D3, back by D4; ISAA reports and
     * roundtables in the same mode are not changes */
    size_t n = 0;
    const uint32_t *ch = cxv_view_marks(v, CXV_MARK_IPCR, &n);
    assert_int_equal(n, 3);
    static const int64_t ipcr[] = {0, 378000, 432000};
    for (size_t i = 0; i < 3; i++) assert_int_equal(cxv_timeline_row(cxv_view_timeline(v), ch[i])->t, ipcr[i]);
    assert_int_equal(cxv_view_step(v, CXV_MARK_IPCR, 1, 0, &t), 1);
    assert_int_equal(t, 378000);
    assert_int_equal(cxv_view_step(v, CXV_MARK_IPCR, 1, 378000, &t), 1);
    assert_int_equal(t, 432000);
    assert_int_equal(cxv_view_step(v, CXV_MARK_IPCR, 1, 432000, &t), 0);
    assert_int_equal(cxv_view_step(v, CXV_MARK_IPCR, -1, 400000, &t), 1);
    assert_int_equal(t, 378000);
    assert_int_equal(cxv_view_step(v, CXV_MARK_IPCR, -1, 378000, &t), 1);
    assert_int_equal(t, 0);
    cxv_view_close(v);
}

static void test_units_on_site_over_the_earthquake_run(void **state) {
    (void)state;
    cxv_view *v = open_with(CX_TEST_DATA "/golden/earthquake-usar/timeline.csv", CX_SOURCE_DIR "/scenarios/earthquake-usar", 0);
    /* counted from the timeline with a script: units whose last capacity row at T is operating */
    static const struct {
        size_t i;
        int64_t t;
        double on_site;
    } want[] = {{0, 0, 0},          {20, 36075, 53},    {40, 72150, 298},   {80, 144300, 327},
                {120, 216450, 348}, {200, 360751, 352}, {300, 541127, 298}, {479, 864000, 12}};
    size_t n = 0;
    const double *d = cxv_view_deployed(v, &n);
    assert_non_null(d);
    assert_int_equal(n, 480);
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        assert_int_equal(cxv_view_sample_t(v, want[k].i, n), want[k].t);
        if (d[want[k].i] != want[k].on_site)
            fail_msg("sample %zu (t=%lld): %g units on site, expected %g", want[k].i, (long long)want[k].t,
                     d[want[k].i], want[k].on_site);
        assert_int_equal(cxv_view_seek(v, want[k].t), CX_OK);
        assert_int_equal(cxv_view_units_operating(v, NULL), (size_t)want[k].on_site);
    }
    cxv_view_close(v);
}

/* Copies the first `lines` lines of src to dst (all when lines is 0); appends when `append`. */
static void copy_lines(const char *src, const char *dst, int from, int to, int append) {
    FILE *in = fopen(src, "r"), *out = fopen(dst, append ? "a" : "w");
    assert_non_null(in);
    assert_non_null(out);
    char line[4096];
    for (int k = 0; fgets(line, sizeof line, in); k++)
        if (k >= from && (to < 0 || k < to)) fputs(line, out);
    fclose(in);
    fclose(out);
}

static void test_units_on_site_curve_is_extended_while_following(void **state) {
    (void)state;
    const char *src = CX_TEST_DATA "/view-response/run/timeline.csv";
    char path[256];
    snprintf(path, sizeof path, "/tmp/cx_test_view_ui_%ld.csv", (long)getpid());
    copy_lines(src, path, 0, 9, 0); /* header + rows up to T+5h */
    cxv_view *v = open_with(path, CX_TEST_DATA "/view-response", 1);
    size_t n = 0;
    const double *d = cxv_view_deployed(v, &n);
    for (size_t i = 0; i < n; i++) assert_true(d[i] == 0);
    copy_lines(src, path, 9, -1, 1);
    cx_diags *dg = NULL;
    assert_int_equal(cx_diags_create(&dg), CX_OK);
    size_t added = 0;
    assert_int_equal(cxv_view_follow(v, &added, dg), CX_OK);
    cx_diags_destroy(dg);
    assert_int_equal(added, 6);
    d = cxv_view_deployed(v, &n);
    cxv_view *full = open_response();
    size_t n2 = 0;
    const double *d2 = cxv_view_deployed(full, &n2);
    assert_int_equal(n, n2);
    size_t ones = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] != d2[i]) fail_msg("sample %zu: %g while following, %g read at once", i, d[i], d2[i]);
        ones += d[i] == 1;
        /* the unit is on site from T+7h (25200) to the end */
        assert_true(d[i] == (cxv_view_sample_t(v, i, n) >= 25200 ? 1 : 0));
    }
    assert_true(ones > 100);
    cxv_view_close(full);
    cxv_view_close(v);
    remove(path);
}

static cxv_input_action key(cxv_ui *ui, cxv_view *v, SDL_Keycode k, int64_t *T, char *msg) {
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    return cxv_input_event(ui, v, &e, T, msg, 200);
}

static void type(cxv_ui *ui, cxv_view *v, const char *s) {
    for (; *s; s++) {
        SDL_Event e;
        memset(&e, 0, sizeof e);
        e.type = SDL_TEXTINPUT;
        e.text.text[0] = *s;
        int64_t T;
        char msg[200];
        assert_int_equal(cxv_input_event(ui, v, &e, &T, msg, sizeof msg), CXV_INPUT_EDITED);
    }
}

static void test_go_to_time_line_seeks_on_enter_and_keeps_a_bad_time(void **state) {
    (void)state;
    cxv_view *v = open_response(); /* T0 = 2023-02-06T00:00Z */
    cxv_ui ui;
    cxv_ui_init(&ui);
    int64_t T = -1;
    char msg[200] = "";
    assert_int_equal(key(&ui, v, SDLK_RETURN, &T, msg), CXV_INPUT_IGNORED); /* closed: not its event */
    static const struct {
        const char *typed;
        int64_t t;
    } ok[] = {{"36h", 129600}, {"T+1d6h", 108000}, {" 2023-02-06T06:00Z ", 21600}, {"90m", 5400}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cxv_input_open(&ui, 'g');
        type(&ui, v, "g"); /* the opening key's own text event is dropped */
        type(&ui, v, ok[i].typed);
        assert_int_equal(key(&ui, v, SDLK_q, &T, msg), CXV_INPUT_EDITED); /* swallowed: no quit */
        assert_int_equal(key(&ui, v, SDLK_RETURN, &T, msg), CXV_INPUT_SEEK);
        assert_int_equal(T, ok[i].t);
        assert_int_equal(ui.input, 0);
    }
    cxv_input_open(&ui, ':');
    type(&ui, v, ":soon");
    assert_string_equal(ui.input_text, "soon");
    assert_int_equal(key(&ui, v, SDLK_RETURN, &T, msg), CXV_INPUT_BAD);
    assert_non_null(strstr(msg, "'soon' is not a time"));
    assert_int_equal(ui.input, 1);
    assert_string_equal(ui.input_text, "soon");
    assert_int_equal(key(&ui, v, SDLK_BACKSPACE, &T, msg), CXV_INPUT_EDITED);
    assert_string_equal(ui.input_text, "soo");
    assert_int_equal(key(&ui, v, SDLK_ESCAPE, &T, msg), CXV_INPUT_CANCEL);
    assert_int_equal(ui.input, 0);
    cxv_view_close(v);
}

/* Whether a pixel of colour c lies in the box [x0,x1] x [y0,y1] of s. */
static int has_color(SDL_Surface *s, int x0, int y0, int x1, int y1, SDL_Color c) {
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            if (x >= 0 && y >= 0 && x < s->w && y < s->h && near(pixel(s, x, y), c)) return 1;
    return 0;
}

static void test_frame_with_a_selection_outlines_it_and_shows_its_history(void **state) {
    (void)state;
    cxv_layout L;
    cxv_ui ui;
    cxv_view *v = fitted(open_view(CX_TEST_DATA "/view-small/run/timeline.csv"), &L, &ui);
    float x, y;
    cxv_asset_screen(&ui, v, 0, &x, &y);
    int r = (int)lroundf(cxv_asset_radius(v, L.s) + (float)(5 * L.s));
    int px = L.panel.x + (int)lround(14 * L.s) - (int)lround(8 * L.s);
    SDL_Color sel = cxv_select_color();
    SDL_Surface *plain = frame(v, 13000, &ui);
    assert_false(has_color(plain, (int)x + r - 2, (int)y - 1, (int)x + r + 2, (int)y + 1, sel));
    assert_false(has_color(plain, px, L.panel.y, px + 2, L.panel.y + L.panel.h / 2, sel));
    SDL_FreeSurface(plain);
    ui.sel = (cxv_sel){CXV_SEL_ASSET, 0};
    SDL_Surface *s = frame(v, 13000, &ui);
    /* the magenta ring around the marker, and the magenta bar beside the name in the panel */
    assert_true(has_color(s, (int)x + r - 2, (int)y - 1, (int)x + r + 2, (int)y + 1, sel));
    assert_true(has_color(s, (int)x - 1, (int)y - r - 2, (int)x + 1, (int)y - r + 2, sel));
    assert_true(has_color(s, px, L.panel.y, px + 2, L.panel.y + L.panel.h / 2, sel));
    SDL_FreeSurface(s);
    cxv_view_close(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick_selects_the_asset_at_its_screen_position),
        cmocka_unit_test(test_pick_misses_in_the_empty_sea_and_outside_the_map),
        cmocka_unit_test(test_pick_selects_a_region_inside_its_outline_and_at_its_label),
        cmocka_unit_test(test_pick_selects_an_incident_ring_and_a_moving_unit),
        cmocka_unit_test(test_history_of_an_asset_and_a_region_are_their_rows_up_to_now_newest_first),
        cmocka_unit_test(test_history_of_a_unit_and_an_incident),
        cmocka_unit_test(test_decision_and_ipcr_steps_on_the_election_run),
        cmocka_unit_test(test_units_on_site_over_the_earthquake_run),
        cmocka_unit_test(test_units_on_site_curve_is_extended_while_following),
        cmocka_unit_test(test_go_to_time_line_seeks_on_enter_and_keeps_a_bad_time),
        cmocka_unit_test(test_frame_with_a_selection_outlines_it_and_shows_its_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
