/* test_view_response.c — the viewer's response layer, headless: the IPCR banner's colour per mode,
 * a unit in transit drawn halfway between origin and destination at mid-time, the decision marker
 * on the timeline strip, and the sentences of the new record kinds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>

#include "draw.h"
#include "response.h"
#include "view.h"
#include "view_test_util.h"

static cxv_view *open_response(void) {
    return open_view(CX_TEST_DATA "/view-response/run/timeline.csv");
}

static void test_ipcr_banner_takes_the_colour_of_the_mode(void **state) {
    (void)state;
    cxv_view *v = open_response();
    cxv_layout L;
    cxv_layout_make(&L, W, H);
    static const struct {
        int64_t t;
        const char *mode;
    } cases[] = {{5000, "monitoring"}, {15000, "information_sharing"}, {20000, "full"}, {33000, "closed"}};
    SDL_Color seen[4];
    for (size_t i = 0; i < 4; i++) {
        cxv_ui ui;
        cxv_ui_init(&ui);
        SDL_Surface *s = frame(v, cases[i].t, &ui);
        seen[i] = pixel(s, L.map.x + 3, L.map.y + 3);
        assert_color(seen[i], cxv_ipcr_color(cases[i].mode));
        SDL_FreeSurface(s);
    }
    /* the four modes are told apart, except closed which is grey like inactive */
    assert_false(near(seen[0], seen[1]));
    assert_false(near(seen[1], seen[2]));
    assert_false(near(seen[0], seen[2]));
    /* before the first ipcr row there is no banner */
    cxv_ui ui;
    cxv_ui_init(&ui);
    SDL_Surface *s = frame(v, 1000, &ui);
    for (size_t i = 0; i < 4; i++) assert_false(near(pixel(s, L.map.x + 3, L.map.y + 3), seen[i]));
    SDL_FreeSurface(s);
    cxv_view_close(v);
}

static void test_unit_in_transit_is_drawn_halfway_at_mid_time(void **state) {
    (void)state;
    cxv_view *v = open_response();
    const cx_scenario *sc = cxv_view_scenario(v);
    /* transit row at 10800, operating row at 25200: halfway at 18000 */
    assert_int_equal(cxv_view_seek(v, 18000), CX_OK);
    cxv_resp R;
    cxv_resp_init(&R);
    assert_int_equal(cxv_resp_update(&R, v), CX_OK);
    assert_int_equal(R.nunits, 1);
    cxv_unit_pos p;
    cxv_resp_unit(&R, v, 0, &p);
    assert_int_equal(p.where, CXV_UNIT_MOVING);
    assert_true(fabs(p.f - 0.5) < 1e-9);
    assert_true(fabs(p.lat0 - 51.0) < 1e-9 && fabs(p.lon0 - 10.0) < 1e-9); /* home: DE's point */
    assert_true(fabs(p.lat1 - 42.0) < 1e-9 && fabs(p.lon1 - 12.5) < 1e-9); /* IT */
    assert_int_equal(p.pool, CX_POOL_ECPP);
    /* before the transit: at home; after arrival: on site in IT */
    assert_int_equal(cxv_view_seek(v, 9000), CX_OK);
    cxv_resp_unit(&R, v, 0, &p);
    assert_int_equal(p.where, CXV_UNIT_HOME);
    assert_int_equal(cxv_view_seek(v, 26000), CX_OK);
    cxv_resp_unit(&R, v, 0, &p);
    assert_int_equal(p.where, CXV_UNIT_ON_SITE);
    assert_int_equal(p.region, 1);
    cxv_resp_free(&R);

    /* the marker's pixel: halfway between the projected points, in the ECPP colour */
    cxv_ui ui;
    cxv_ui_init(&ui);
    SDL_Surface *s = frame(v, 18000, &ui);
    float x0, y0, x1, y1;
    cxv_proj_forward(&ui.proj, sc->regions[0].lon, sc->regions[0].lat, &x0, &y0);
    cxv_proj_forward(&ui.proj, sc->regions[1].lon, sc->regions[1].lat, &x1, &y1);
    int mx = (int)lroundf((x0 + x1) / 2), my = (int)lroundf((y0 + y1) / 2);
    assert_color(pixel(s, mx, my), cxv_pool_color(CX_POOL_ECPP));
    SDL_FreeSurface(s);
    /* a quarter of the way at 14400: the halfway point is no longer the marker */
    s = frame(v, 14400, &ui);
    assert_false(near(pixel(s, mx, my), cxv_pool_color(CX_POOL_ECPP)));
    SDL_FreeSurface(s);
    cxv_view_close(v);
}

static void test_decision_marker_is_on_the_strip_at_its_instant(void **state) {
    (void)state;
    cxv_view *v = open_response();
    cxv_layout L;
    cxv_layout_make(&L, W, H);
    cxv_ui ui;
    cxv_ui_init(&ui);
    SDL_Surface *s = frame(v, 34000, &ui);
    int x = cxv_layout_time_x(&L, v, 18000), y = L.axis_y - (int)lround(16 * L.s);
    assert_color(pixel(s, x, y), cxv_decision_color());
    /* nothing of that colour an hour earlier on the strip */
    int x2 = cxv_layout_time_x(&L, v, 14400);
    assert_false(near(pixel(s, x2, y), cxv_decision_color()));
    SDL_FreeSurface(s);
    cxv_view_close(v);
}

static void test_trust_layer_and_hidden_response_change_the_map(void **state) {
    (void)state;
    cxv_view *v = open_response();
    const cx_scenario *sc = cxv_view_scenario(v);
    cxv_ui ui;
    cxv_ui_init(&ui);
    SDL_Surface *s = frame(v, 26000, &ui);
    float x, y;
    cxv_proj_forward(&ui.proj, sc->regions[1].lon, sc->regions[1].lat, &x, &y);
    SDL_Color shown = pixel(s, (int)lroundf(x), (int)lroundf(y)); /* the incident's centre dot */
    SDL_FreeSurface(s);
    ui.hide_response = 1;
    s = frame(v, 26000, &ui);
    assert_false(near(pixel(s, (int)lroundf(x), (int)lroundf(y)), shown));
    SDL_FreeSurface(s);
    /* T: Greece (trust 0.3 since 02:00) is shaded by trust; without it, cream (nobody cut off) */
    float gx, gy;
    cxv_proj_forward(&ui.proj, sc->regions[2].lon, sc->regions[2].lat, &gx, &gy);
    int px = (int)lroundf(gx), py = (int)lroundf(gy) - 6;
    s = frame(v, 26000, &ui);
    SDL_Color service = pixel(s, px, py);
    assert_color(service, (SDL_Color){246, 241, 220, 255});
    SDL_FreeSurface(s);
    ui.layer_trust = 1;
    s = frame(v, 26000, &ui);
    SDL_Color trust = pixel(s, px, py);
    assert_false(near(trust, service));
    assert_true(trust.r < 150 && trust.b > trust.g); /* a darker purple for low trust */
    SDL_FreeSurface(s);
    cxv_view_close(v);
}

static void test_response_sentences_read_like_a_log(void **state) {
    (void)state;
    cxv_view *v = open_response();
    const cxv_timeline *tl = cxv_view_timeline(v);
    char buf[600];
    int seen = 0;
    for (size_t i = 0; i < cxv_timeline_rows(tl); i++) {
        const cxv_row *r = cxv_timeline_row(tl, i);
        cxv_view_sentence(v, r, buf, sizeof buf);
        unsigned k = cxv_timeline_entity(tl, r->entity)->kind;
        if (k == CXV_KIND_INCIDENT && r->t == 7200) {
            assert_string_equal(buf, "02:00 Incident INC1 in IT open, needs: usar=500");
            seen++;
        }
        if (k == CXV_KIND_DECISION) {
            assert_string_equal(buf, "05:00 Decision D1 (ipcr_set, by Presidency): information_sharing -> full");
            seen++;
        }
        if (k == CXV_KIND_IPCR && r->t == 3600) {
            assert_string_equal(buf, "01:00 IPCR mode: monitoring, by X1");
            seen++;
        }
    }
    assert_int_equal(seen, 3);
    cxv_view_close(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipcr_banner_takes_the_colour_of_the_mode),
        cmocka_unit_test(test_unit_in_transit_is_drawn_halfway_at_mid_time),
        cmocka_unit_test(test_decision_marker_is_on_the_strip_at_its_instant),
        cmocka_unit_test(test_trust_layer_and_hidden_response_change_the_map),
        cmocka_unit_test(test_response_sentences_read_like_a_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
