/* test_view_render.c — the viewer's frames, headless (software renderer, dummy video driver):
 * pixels at known positions (asset markers by state, the timeline cursor, country fill), PNG
 * output, the window loop, and the text of event sentences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>

#include "draw.h"
#include "view.h"
#include "view_test_util.h"

static cxv_view *open_small(void) {
    return open_view(CX_TEST_DATA "/view-small/run/timeline.csv");
}

static int asset_index(cxv_view *v, const char *id) {
    const cx_scenario *sc = cxv_view_scenario(v);
    for (uint32_t a = 0; a < sc->nassets; a++)
        if (!strcmp(sc->assets[a].id, id)) return (int)a;
    fail_msg("no asset %s", id);
    return -1;
}

static void test_render_asset_marker_colour_follows_its_state(void **state) {
    (void)state;
    cxv_view *v = open_small();
    int a = asset_index(v, "DE-Ems");
    static const struct {
        int64_t t;
        int st;
    } cases[] = {{3600, CXV_ST_WORKING},    /* before the inject */
                 {4200, CXV_ST_FAILED},     /* I1 disables it at 22:10 */
                 {12000, CXV_ST_REPAIRING}, /* crew on site */
                 {14400, CXV_ST_WORKING}};  /* restored by I2 */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cxv_ui ui;
        cxv_ui_init(&ui);
        SDL_Surface *s = frame(v, cases[i].t, &ui);
        float x, y;
        cxv_asset_screen(&ui, v, (uint32_t)a, &x, &y);
        assert_true(x > 0 && x < W && y > 0 && y < H);
        assert_color(pixel(s, (int)(x + 0.5f), (int)(y + 0.5f)), cxv_state_color(cases[i].st));
        SDL_FreeSurface(s);
    }
    cxv_view_close(v);
}

static void test_render_cursor_is_drawn_at_the_x_of_its_instant(void **state) {
    (void)state;
    cxv_view *v = open_small();
    cxv_layout L;
    cxv_layout_make(&L, W, H);
    const SDL_Color cursor = {192, 57, 43, 255};
    /* span [0, 12h] over [axis_x0, axis_x1] */
    assert_int_equal(cxv_layout_time_x(&L, v, 0), L.axis_x0);
    assert_int_equal(cxv_layout_time_x(&L, v, 43200), L.axis_x1);
    assert_int_equal(cxv_layout_time_x(&L, v, 21600), (L.axis_x0 + L.axis_x1 + 1) / 2);
    assert_int_equal(cxv_layout_x_time(&L, v, cxv_layout_time_x(&L, v, 21600)), 21600);
    int64_t times[] = {21600, 30000};
    for (size_t i = 0; i < 2; i++) {
        cxv_ui ui;
        cxv_ui_init(&ui);
        SDL_Surface *s = frame(v, times[i], &ui);
        int x = cxv_layout_time_x(&L, v, times[i]);
        int y = L.strip.y + L.strip.h - 3;
        assert_color(pixel(s, x, y), cursor);
        assert_false(near(pixel(s, x - 12, y), cursor));
        assert_false(near(pixel(s, x + 12, L.strip.y + 3), cursor));
        SDL_FreeSurface(s);
    }
    cxv_view_close(v);
}

static void test_render_country_fill_darkens_when_people_lose_service(void **state) {
    (void)state;
    cxv_view *v = open_small();
    cxv_ui ui;
    cxv_ui_init(&ui);
    SDL_Surface *s0 = frame(v, 0, &ui);
    float x, y;
    cxv_proj_forward(&ui.proj, 10.8, 50.2, &x, &y); /* Thuringia: inside DE, away from labels */
    SDL_Color before = pixel(s0, (int)x, (int)y);
    assert_color(before, (SDL_Color){246, 241, 220, 255}); /* nobody cut: cream */
    SDL_FreeSurface(s0);
    SDL_Surface *s1 = frame(v, 4300, &ui);
    SDL_Color after = pixel(s1, (int)x, (int)y);
    SDL_FreeSurface(s1);
    /* 10 M of 83 M people cut: a darker, redder fill */
    assert_true(after.g + 20 < before.g);
    assert_true(after.b + 40 < before.b);
    assert_true(cxv_view_region_share(v, 0) > 0.11 && cxv_view_region_share(v, 0) < 0.13);
    cxv_view_close(v);
}

static void test_render_png_is_written_with_the_requested_size(void **state) {
    (void)state;
    cxv_view *v = open_small();
    char path[256], err[512] = "";
    snprintf(path, sizeof path, "/tmp/cx-test-view-%ld.png", (long)getpid());
    assert_int_equal(cxv_render_png(v, NULL, 640, 360, 4300, path, err, sizeof err), CX_OK);
    SDL_Surface *s = IMG_Load(path);
    assert_non_null(s);
    assert_int_equal(s->w, 640);
    assert_int_equal(s->h, 360);
    SDL_FreeSurface(s);
    remove(path);
    assert_int_equal(cxv_render_png(v, "/nonexistent/font.ttf", 640, 360, 0, path, err, sizeof err), CX_EIO);
    assert_non_null(strstr(err, "font not found: /nonexistent/font.ttf"));
    assert_int_equal(access(path, F_OK), -1);
    cxv_view_close(v);
}

static void test_window_draws_frames_with_the_dummy_driver(void **state) {
    (void)state;
    cxv_view *v = open_small();
    char err[512] = "";
    cxv_window_opts o = {NULL, 800, 450, 4300, 0, "/tmp", 3};
    cx_status st = cxv_window_run(v, &o, err, sizeof err);
    if (st != CX_OK) fail_msg("window: %s", err);
    assert_int_equal(cxv_view_now(v), 4300);
    cxv_view_close(v);
}

static void test_view_sentences_read_like_a_log(void **state) {
    (void)state;
    cxv_view *v = open_small();
    const cxv_timeline *tl = cxv_view_timeline(v);
    char buf[512];
    cxv_view_sentence(v, cxv_timeline_row(tl, 4), buf, sizeof buf);
    assert_string_equal(buf, "22:10:10 West grid failed (cascade from Ems 380 kV crossing)");
    cxv_view_sentence(v, cxv_timeline_row(tl, 5), buf, sizeof buf);
    assert_string_equal(buf, "22:10:30 North grid degraded to 36% (cascade from West grid, across the border)");
    cxv_view_sentence(v, cxv_timeline_row(tl, 2), buf, sizeof buf);
    assert_string_equal(buf, "22:10 Inject I1 (disable): Planned switch-off of the Ems crossing");
    cxv_view_sentence(v, cxv_timeline_row(tl, 7), buf, sizeof buf);
    assert_string_equal(buf, "05 Nov 00:20 Ems 380 kV crossing under repair (inject I1): crew on site");
    cxv_view_clock(v, 4210, buf, sizeof buf);
    assert_string_equal(buf, "Sat 04 Nov 2006 22:10:10 UTC");
    cxv_format_offset(4200, buf, sizeof buf);
    assert_string_equal(buf, "T+01:10");
    cxv_format_offset(-3 * 86400, buf, sizeof buf);
    assert_string_equal(buf, "T-3d 00:00");
    cxv_view_close(v);
}

static void test_view_parses_instants_as_offsets_or_iso_times(void **state) {
    (void)state;
    cxv_view *v = open_small();
    int64_t T = 0;
    assert_int_equal(cxv_view_parse_time(v, "2h", &T), 0);
    assert_int_equal(T, 7200);
    assert_int_equal(cxv_view_parse_time(v, "T+1h10m", &T), 0);
    assert_int_equal(T, 4200);
    assert_int_equal(cxv_view_parse_time(v, "2006-11-04T22:10Z", &T), 0);
    assert_int_equal(T, 4200);
    assert_int_equal(cxv_view_parse_time(v, "soon", &T), -1);
    cxv_view_close(v);
}

static void test_view_requires_a_scenario_when_there_is_no_manifest(void **state) {
    (void)state;
    char dir[256], path[300];
    snprintf(dir, sizeof dir, "/tmp/cx-test-view-nomani-%ld", (long)getpid());
    snprintf(path, sizeof path, "%s/timeline.csv", dir);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp %s %s", dir, CX_TEST_DATA "/view-small/run/timeline.csv", path);
    assert_int_equal(system(cmd), 0);
    cx_diags *d = NULL;
    cx_diags_create(&d);
    cxv_view *v = NULL;
    cxv_view_opts o = {path, NULL, NULL, 0};
    assert_int_equal(cxv_view_open(&o, &v, d), CX_EINPUT);
    assert_non_null(strstr(cx_diags_get(d, 0), "no manifest.csv beside the timeline; pass --scenario DIR"));
    cx_diags_destroy(d);
    o.scenario_dir = CX_TEST_DATA "/view-small";
    cx_diags_create(&d);
    assert_int_equal(cxv_view_open(&o, &v, d), CX_OK);
    cx_diags_destroy(d);
    cxv_view_close(v);
    snprintf(cmd, sizeof cmd, "rm -r %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_asset_marker_colour_follows_its_state),
        cmocka_unit_test(test_render_cursor_is_drawn_at_the_x_of_its_instant),
        cmocka_unit_test(test_render_country_fill_darkens_when_people_lose_service),
        cmocka_unit_test(test_render_png_is_written_with_the_requested_size),
        cmocka_unit_test(test_window_draws_frames_with_the_dummy_driver),
        cmocka_unit_test(test_view_sentences_read_like_a_log),
        cmocka_unit_test(test_view_parses_instants_as_offsets_or_iso_times),
        cmocka_unit_test(test_view_requires_a_scenario_when_there_is_no_manifest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
