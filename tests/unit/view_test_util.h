/* view_test_util.h — shared setup of the headless viewer tests: opening a run's timeline, rendering
 * one W x H frame, and comparing pixel colours within a small tolerance (renderers round). */
#ifndef CX_VIEW_TEST_UTIL_H
#define CX_VIEW_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include <SDL.h>

#include "draw.h"
#include "view.h"

#define W 960
#define H 540

/* Opens the view of a timeline, printing the loader's messages before failing on them. */
static inline cxv_view *open_view(const char *timeline) {
    cx_diags *d = NULL;
    cxv_view *v = NULL;
    assert_int_equal(cx_diags_create(&d), CX_OK);
    cxv_view_opts o = {timeline, NULL, NULL, 0};
    cx_status st = cxv_view_open(&o, &v, d);
    for (size_t i = 0; i < cx_diags_count(d); i++) fprintf(stderr, "%s\n", cx_diags_get(d, i));
    assert_int_equal(st, CX_OK);
    cx_diags_destroy(d);
    return v;
}

static inline SDL_Color pixel(SDL_Surface *s, int x, int y) {
    Uint32 p = ((Uint32 *)((Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch))[x];
    SDL_Color c;
    SDL_GetRGB(p, s->format, &c.r, &c.g, &c.b);
    c.a = 255;
    return c;
}

static inline int near(SDL_Color a, SDL_Color b) {
    return abs(a.r - b.r) <= 3 && abs(a.g - b.g) <= 3 && abs(a.b - b.b) <= 3;
}

static inline void assert_color(SDL_Color got, SDL_Color want) {
    if (!near(got, want))
        fail_msg("colour (%d,%d,%d), expected (%d,%d,%d)", got.r, got.g, got.b, want.r, want.g, want.b);
}

static inline SDL_Surface *frame(cxv_view *v, int64_t T, cxv_ui *ui) {
    char err[512] = "";
    SDL_Surface *s = NULL;
    cx_status st = cxv_render_surface(v, NULL, W, H, T, ui, &s, err, sizeof err);
    if (st != CX_OK) fail_msg("render failed: %s", err);
    return s;
}

#endif
