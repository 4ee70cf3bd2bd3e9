/* test_view_cache.c — frames drawn through the viewer's caches (map layer, text textures) kept by
 * one renderer across frames are pixel-identical to frames drawn from scratch, after seeking away
 * and back, playing past the text cache's size, zooming, switching the map layer and resizing. */
#include "view_test_util.h"

#include <string.h>
#include <unistd.h>

#include "bench.h"

/* One renderer and its gfx kept across frames, as the window keeps them. */
typedef struct {
    SDL_Surface *s;
    SDL_Renderer *r;
    cxv_gfx *g;
    cxv_ui ui;
} persistent;

static void persistent_open(persistent *p) {
    char err[512] = "";
    p->s = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGB888);
    assert_non_null(p->s);
    p->r = SDL_CreateSoftwareRenderer(p->s);
    assert_non_null(p->r);
    if (cxv_gfx_open(p->r, NULL, &p->g, err, sizeof err) != CX_OK) fail_msg("gfx: %s", err);
    cxv_ui_init(&p->ui);
}

static void persistent_close(persistent *p) {
    cxv_gfx_close(p->g);
    SDL_DestroyRenderer(p->r);
    SDL_FreeSurface(p->s);
}

/* Draws instant T in a w x h frame (the top-left of the surface) through the kept caches. */
static void draw_at(persistent *p, cxv_view *v, int64_t T, int w, int h) {
    assert_int_equal(cxv_view_seek(v, T), CX_OK);
    cxv_layout L;
    cxv_layout_make(&L, w, h);
    assert_int_equal(cxv_draw_frame(p->g, v, &L, &p->ui), CX_OK);
    SDL_RenderPresent(p->r);
}

/* The kept renderer's w x h frame equals a frame drawn by a new renderer with a copy of its ui. */
static void assert_same_as_fresh(persistent *p, cxv_view *v, int64_t T, int w, int h) {
    cxv_ui ui = p->ui;
    char err[512] = "";
    SDL_Surface *f = NULL;
    if (cxv_render_surface(v, NULL, w, h, T, &ui, &f, err, sizeof err) != CX_OK) fail_msg("render: %s", err);
    size_t differ = 0;
    int fx = -1, fy = -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            Uint32 a = ((Uint32 *)((Uint8 *)p->s->pixels + (size_t)y * (size_t)p->s->pitch))[x];
            Uint32 b = ((Uint32 *)((Uint8 *)f->pixels + (size_t)y * (size_t)f->pitch))[x];
            if ((a & 0xffffff) != (b & 0xffffff) && differ++ == 0) fx = x, fy = y;
        }
    SDL_FreeSurface(f);
    if (differ)
        fail_msg("T=%lld %dx%d: %zu pixels differ from a fresh frame, the first at (%d,%d)", (long long)T, w, h,
                 differ, fx, fy);
}

/* Draws T through the kept caches and compares with a fresh frame. */
static void check_at(persistent *p, cxv_view *v, int64_t T, int w, int h) {
    draw_at(p, v, T, w, h);
    assert_same_as_fresh(p, v, T, w, h);
}

/* The fixture of each test: a view and a kept renderer. */
typedef struct {
    cxv_view *v;
    persistent p;
} fixture;

static int open_fixture(void **state, const char *timeline) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->v = open_view(timeline);
    persistent_open(&f->p);
    *state = f;
    return 0;
}

static int setup_small(void **state) { return open_fixture(state, CX_TEST_DATA "/view-small/run/timeline.csv"); }
static int setup_response(void **state) {
    return open_fixture(state, CX_TEST_DATA "/view-response/run/timeline.csv");
}

/* More than 2,000 assets: markers drawn as sprites. The bench's generated scenario and timeline. */
static int setup_many(void **state) {
    char dir[64], err[512] = "";
    snprintf(dir, sizeof dir, "/tmp/crisim-test-view-cache-%ld", (long)getpid());
    cxv_bench_opts o = cxv_bench_opts_default();
    o.rows = 3000;
    o.assets = 2700;
    o.seeks = 1;
    o.frame = 0;
    o.dir = dir;
    o.keep = 1;
    cxv_bench_result r;
    if (cxv_bench_run(&o, &r, err, sizeof err) != CX_OK) fail_msg("bench files: %s", err);
    char path[128];
    snprintf(path, sizeof path, "%s/run/timeline.csv", dir);
    int rc = open_fixture(state, path);
    static const char *const names[] = {"run/timeline.csv", "run/manifest.csv", "run", "scenario.csv",
                                        "regions.csv", "assets.csv", "links.csv", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    return rc;
}

static int teardown(void **state) {
    fixture *f = *state;
    persistent_close(&f->p);
    cxv_view_close(f->v);
    free(f);
    return 0;
}

static void test_cached_frame_equals_fresh_frame_after_seeking_away_and_back(void **state) {
    fixture *f = *state;
    check_at(&f->p, f->v, 4200, W, H);  /* builds the caches */
    check_at(&f->p, f->v, 14400, W, H); /* fills and texts change */
    check_at(&f->p, f->v, 4200, W, H);
}

static void test_cached_frame_equals_fresh_frame_after_playing_past_the_text_cache(void **state) {
    fixture *f = *state;
    persistent *p = &f->p;
    p->ui.playing = 1;
    int64_t b = cxv_view_t_begin(f->v), e = cxv_view_t_end(f->v);
    for (int i = 0; i <= 400; i++) /* 400 clock texts: more than the cache holds */
        draw_at(p, f->v, b + (e - b) * i / 400, W, H);
    assert_same_as_fresh(p, f->v, e, W, H);
    check_at(p, f->v, (b + e) / 2, W, H);
}

static void test_cached_frame_equals_fresh_frame_after_zoom_layer_switch_and_resize(void **state) {
    fixture *f = *state;
    persistent *p = &f->p;
    int64_t T = (cxv_view_t_begin(f->v) + cxv_view_t_end(f->v)) / 2;
    draw_at(p, f->v, T, W, H);
    cxv_proj fitted = p->ui.proj;
    cxv_proj_zoom(&p->ui.proj, 1.6, W / 3.0, H / 2.0);
    cxv_proj_pan(&p->ui.proj, 25, -10);
    check_at(p, f->v, T, W, H);
    p->ui.proj = fitted; /* back to the whole scenario */
    check_at(p, f->v, T, W, H);
    p->ui.layer_trust = 1; /* other fill colours over the same outlines */
    check_at(p, f->v, T, W, H);
    p->ui.layer_trust = 0;
    p->ui.proj_w = 0; /* a smaller window: refit, new layout */
    check_at(p, f->v, T, 800, 450);
    p->ui.proj_w = 0;
    check_at(p, f->v, T, W, H);
}

static void test_cached_frame_equals_fresh_frame_with_thousands_of_asset_sprites(void **state) {
    fixture *f = *state;
    int64_t e = cxv_view_t_end(f->v);
    check_at(&f->p, f->v, e / 3, W, H);
    check_at(&f->p, f->v, e / 2, W, H); /* other states: the network layer is redrawn */
    check_at(&f->p, f->v, e / 3, W, H);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cached_frame_equals_fresh_frame_after_seeking_away_and_back,
                                        setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_cached_frame_equals_fresh_frame_after_playing_past_the_text_cache,
                                        setup_response, teardown),
        cmocka_unit_test_setup_teardown(test_cached_frame_equals_fresh_frame_after_zoom_layer_switch_and_resize,
                                        setup_response, teardown),
        cmocka_unit_test_setup_teardown(test_cached_frame_equals_fresh_frame_with_thousands_of_asset_sprites,
                                        setup_many, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
