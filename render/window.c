/* window.c — the interactive viewer: a resizable SDL window, keyboard and mouse, playback.
 * Invariant: a frame is drawn only when something changed (input, playback, new rows, resize);
 * between changes the loop blocks in SDL_WaitEvent(Timeout), so an idle viewer uses no CPU. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_image.h>

#include "draw.h"
#include "ui.h"

static const double speeds[] = {60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400,
                                2 * 86400, 7 * 86400};
#define NSPEEDS (sizeof speeds / sizeof speeds[0])
#define STATUS_MS 4000
#define FRAME_MS 16 /* while playing: 62.5 frames per second at most */
/* what Left/Right step through: sector rows come every model step and would drown the rest */
#define EVENTS ((1u << CXV_KIND_RUN) | (1u << CXV_KIND_INJECT) | (1u << CXV_KIND_ASSET) |               \
                (1u << CXV_KIND_INCIDENT) | (1u << CXV_KIND_REQUEST) | (1u << CXV_KIND_IPCR) |         \
                (1u << CXV_KIND_DECISION))

typedef struct {
    cxv_view *v;
    cxv_ui ui;
    cxv_layout L;
    SDL_Window *win;
    SDL_Renderer *r;
    double t;            /* current instant, fractional while playing */
    size_t speed_i;
    int dirty, quit;
    int drag_strip, drag_map, last_x, last_y;
    int press_x, press_y, moved; /* a press on the map that did not move is a click: it selects */
    cxv_resp resp;               /* unit positions for picking */
    Uint64 last_tick, status_until;
    const char *shot_dir;
} loop;

static void status(loop *L, const char *msg) {
    size_t n = strlen(msg);
    if (n >= sizeof L->ui.status) n = sizeof L->ui.status - 1; /* a long path is cut, not an error */
    memcpy(L->ui.status, msg, n);
    L->ui.status[n] = '\0';
    L->status_until = SDL_GetTicks64() + STATUS_MS;
    L->dirty = 1;
}

static void go(loop *L, double t) {
    double b = (double)cxv_view_t_begin(L->v), e = (double)cxv_view_t_end(L->v);
    if (t < b) t = b;
    if (t > e) t = e;
    L->t = t;
    cxv_view_seek(L->v, (int64_t)floor(t));
    L->dirty = 1;
}

static void screenshot(loop *L) {
    int w = 0, h = 0;
    char path[4200], msg[4300];
    if (SDL_GetRendererOutputSize(L->r, &w, &h) != 0) return;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    if (!s) return;
    if (SDL_RenderReadPixels(L->r, NULL, SDL_PIXELFORMAT_RGB888, s->pixels, s->pitch) != 0) {
        status(L, "screenshot failed: cannot read the window's pixels");
        SDL_FreeSurface(s);
        return;
    }
    for (int i = 1; i < 100000; i++) {
        snprintf(path, sizeof path, "%s/crisim-shot-%04d.png", L->shot_dir, i);
        if (access(path, F_OK) != 0) break;
    }
    if (IMG_SavePNG(s, path) == 0) snprintf(msg, sizeof msg, "saved %s", path);
    else snprintf(msg, sizeof msg, "screenshot failed: %s", IMG_GetError());
    status(L, msg);
    SDL_FreeSurface(s);
}

static int in_rect(const SDL_Rect *r, int x, int y) {
    return x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

static void key(loop *L, const SDL_KeyboardEvent *k) {
    const cxv_timeline *tl = cxv_view_timeline(L->v);
    int64_t now = cxv_view_now(L->v), t;
    SDL_Keycode c = k->keysym.sym;
    int shift = (k->keysym.mod & KMOD_SHIFT) != 0;
    switch (c) {
    case SDLK_q: L->quit = 1; break;
    case SDLK_ESCAPE: /* never quits: pressed twice in a room it would end the debrief */
        if (L->ui.help) L->ui.help = 0, L->dirty = 1;
        else if (L->ui.sel.kind != CXV_SEL_NONE) L->ui.sel.kind = CXV_SEL_NONE, L->dirty = 1;
        else if (SDL_GetWindowFlags(L->win) & SDL_WINDOW_FULLSCREEN_DESKTOP)
            SDL_SetWindowFullscreen(L->win, 0), L->dirty = 1;
        break;
    case SDLK_d:
        if (cxv_view_step(L->v, CXV_MARK_DECISION, shift ? -1 : 1, now, &t)) go(L, (double)t);
        else status(L, shift ? "no decision before this instant" : "no decision after this instant");
        break;
    case SDLK_i:
        if (cxv_view_step(L->v, CXV_MARK_IPCR, shift ? -1 : 1, now, &t)) go(L, (double)t);
        else status(L, shift ? "no IPCR mode change before this instant" : "no IPCR mode change after this instant");
        break;
    case SDLK_g: case SDLK_COLON: case SDLK_SEMICOLON:
        if (c == SDLK_SEMICOLON && !shift) break;
        cxv_input_open(&L->ui, c == SDLK_g ? 'g' : ':');
        SDL_StartTextInput();
        L->ui.status[0] = '\0';
        L->status_until = 0;
        L->dirty = 1;
        break;
    case SDLK_SPACE:
        L->ui.playing = !L->ui.playing;
        if (L->ui.playing && now >= cxv_view_t_end(L->v)) go(L, (double)cxv_view_t_begin(L->v));
        L->last_tick = SDL_GetTicks64();
        L->dirty = 1;
        break;
    case SDLK_PLUS: case SDLK_KP_PLUS: case SDLK_EQUALS:
        if (L->speed_i + 1 < NSPEEDS) L->speed_i++;
        L->ui.speed = speeds[L->speed_i];
        L->dirty = 1;
        break;
    case SDLK_MINUS: case SDLK_KP_MINUS:
        if (L->speed_i > 0) L->speed_i--;
        L->ui.speed = speeds[L->speed_i];
        L->dirty = 1;
        break;
    case SDLK_LEFT:
        if (cxv_timeline_prev(tl, now, EVENTS, &t)) go(L, (double)t);
        break;
    case SDLK_RIGHT:
        if (cxv_timeline_next(tl, now, EVENTS, &t)) go(L, (double)t);
        break;
    case SDLK_PAGEUP:
        if (cxv_timeline_prev(tl, now, 1u << CXV_KIND_INJECT, &t)) go(L, (double)t);
        break;
    case SDLK_PAGEDOWN:
        if (cxv_timeline_next(tl, now, 1u << CXV_KIND_INJECT, &t)) go(L, (double)t);
        break;
    case SDLK_HOME: go(L, (double)cxv_view_t_begin(L->v)); break;
    case SDLK_END: go(L, (double)cxv_view_t_end(L->v)); break;
    case SDLK_f: {
        Uint32 fs = SDL_GetWindowFlags(L->win) & SDL_WINDOW_FULLSCREEN_DESKTOP;
        SDL_SetWindowFullscreen(L->win, fs ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
        L->dirty = 1;
        break;
    }
    case SDLK_s: screenshot(L); break;
    case SDLK_t:
        L->ui.layer_trust = !L->ui.layer_trust;
        snprintf(L->ui.status, sizeof L->ui.status, "%s", L->ui.layer_trust ? "map: public trust" : "map: people without service");
        L->dirty = 1;
        break;
    case SDLK_l:
        L->ui.hide_response = !L->ui.hide_response;
        snprintf(L->ui.status, sizeof L->ui.status, "%s", L->ui.hide_response ? "incidents and units hidden" : "incidents and units shown");
        L->dirty = 1;
        break;
    case SDLK_F1: case SDLK_h: case SDLK_QUESTION:
        L->ui.help = !L->ui.help;
        L->dirty = 1;
        break;
    case SDLK_SLASH:
        if (shift) L->ui.help = !L->ui.help, L->dirty = 1;
        break;
    case SDLK_0: case SDLK_KP_0:
        L->ui.proj_w = 0; /* refit at the next frame */
        L->dirty = 1;
        break;
    default: break;
    }
}

/* The go-to-time line takes every key and text event while it is open. 1 when it took e. */
static int input_event(loop *L, const SDL_Event *e) {
    int64_t T = 0;
    char msg[160];
    switch (cxv_input_event(&L->ui, L->v, e, &T, msg, sizeof msg)) {
    case CXV_INPUT_IGNORED: return 0;
    case CXV_INPUT_SEEK:
        L->ui.status[0] = '\0';
        go(L, (double)T);
        break;
    case CXV_INPUT_BAD: status(L, msg); break;
    case CXV_INPUT_CANCEL: L->ui.status[0] = '\0'; break;
    case CXV_INPUT_EDITED: break;
    }
    L->dirty = 1;
    return 1;
}

static void event(loop *L, const SDL_Event *e) {
    if (L->ui.input && input_event(L, e)) return;
    switch (e->type) {
    case SDL_QUIT: L->quit = 1; break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) L->ui.proj_w = 0;
        L->dirty = 1;
        break;
    case SDL_KEYDOWN: key(L, &e->key); break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button != SDL_BUTTON_LEFT) break;
        if (L->ui.help) {
            L->ui.help = 0;
            L->dirty = 1;
        } else if (in_rect(&L->L.strip, e->button.x, e->button.y)) {
            L->drag_strip = 1;
            go(L, (double)cxv_layout_x_time(&L->L, L->v, e->button.x));
        } else if (in_rect(&L->L.map, e->button.x, e->button.y)) {
            L->drag_map = 1;
            L->last_x = L->press_x = e->button.x;
            L->last_y = L->press_y = e->button.y;
            L->moved = 0;
        }
        break;
    case SDL_MOUSEBUTTONUP:
        if (e->button.button == SDL_BUTTON_LEFT && L->drag_map && !L->moved) {
            /* a click: select what is under it, or clear the selection on the empty map */
            cxv_pick(&L->ui, L->v, &L->L, &L->resp, e->button.x, e->button.y, &L->ui.sel);
            L->dirty = 1;
        }
        L->drag_strip = L->drag_map = 0;
        break;
    case SDL_MOUSEMOTION:
        if (L->drag_strip) go(L, (double)cxv_layout_x_time(&L->L, L->v, e->motion.x));
        else if (L->drag_map) {
            if (abs(e->motion.x - L->press_x) + abs(e->motion.y - L->press_y) > 4) L->moved = 1;
            cxv_proj_pan(&L->ui.proj, e->motion.x - L->last_x, e->motion.y - L->last_y);
            L->last_x = e->motion.x;
            L->last_y = e->motion.y;
            L->dirty = 1;
        }
        break;
    case SDL_MOUSEWHEEL: {
        int mx, my;
        SDL_GetMouseState(&mx, &my);
        if (!in_rect(&L->L.map, mx, my) || e->wheel.y == 0) break;
        cxv_proj_zoom(&L->ui.proj, pow(1.2, e->wheel.y), mx, my);
        L->dirty = 1;
        break;
    }
    default: break;
    }
}

cx_status cxv_window_run(cxv_view *v, const cxv_window_opts *o, char *err, size_t errn) {
    loop L;
    memset(&L, 0, sizeof L);
    L.v = v;
    L.shot_dir = o->shot_dir ? o->shot_dir : ".";
    cxv_ui_init(&L.ui);
    L.ui.follow = o->follow;
    /* the whole run plays in about a minute at the default speed */
    double want = (double)(cxv_view_t_end(v) - cxv_view_t_begin(v)) / 60.0;
    for (size_t i = 0; i < NSPEEDS; i++)
        if (fabs(log(speeds[i] / want)) < fabs(log(speeds[L.speed_i] / want))) L.speed_i = i;
    L.ui.speed = speeds[L.speed_i];

    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errn, "cannot open a window: %s (no display? render PNGs with --png or --frames)",
                 SDL_GetError());
        return CX_ERUNTIME;
    }
    char title[300];
    snprintf(title, sizeof title, "crisim view — %s", cxv_view_title(v));
    L.win = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                             o->w > 0 ? o->w : 1280, o->h > 0 ? o->h : 720, SDL_WINDOW_RESIZABLE);
    if (L.win) {
        L.r = SDL_CreateRenderer(L.win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
        if (!L.r) L.r = SDL_CreateRenderer(L.win, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!L.win || !L.r) {
        snprintf(err, errn, "cannot open a window: %s", SDL_GetError());
        if (L.win) SDL_DestroyWindow(L.win);
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return CX_ERUNTIME;
    }
    SDL_SetWindowMinimumSize(L.win, 640, 400);
    cxv_gfx *g = NULL;
    cx_status st = cxv_gfx_open(L.r, o->font_path, &g, err, errn);
    int frames = 0;
    Uint64 next_follow = SDL_GetTicks64() + 1000;
    if (st == CX_OK) go(&L, (double)o->t0);
    Uint64 frame_at = 0; /* when the last frame began */
    while (st == CX_OK && !L.quit) {
        if (L.dirty) {
            frame_at = SDL_GetTicks64();
            int w = 0, h = 0;
            SDL_GetRendererOutputSize(L.r, &w, &h);
            cxv_layout_make(&L.L, w, h);
            cxv_draw_frame(g, v, &L.L, &L.ui);
            SDL_RenderPresent(L.r);
            L.dirty = 0;
            if (o->max_frames > 0 && ++frames >= o->max_frames) break;
        }
        Uint64 now = SDL_GetTicks64();
        int timeout = -1;
        /* playing: the next frame is due FRAME_MS after the last one began, so drawing time is
         * not added to the wait (15 ms of waiting plus a 5 ms frame would be 50 fps); with vsync,
         * SDL_RenderPresent already waited for the display and the wait is 0 */
        if (L.ui.playing) timeout = frame_at + FRAME_MS > now ? (int)(frame_at + FRAME_MS - now) : 0;
        if (o->follow) timeout = timeout < 0 || timeout > 1000 ? 1000 : timeout;
        if (L.status_until) {
            int left = L.status_until > now ? (int)(L.status_until - now) : 0;
            if (timeout < 0 || left < timeout) timeout = left;
        }
        if (o->max_frames > 0) { /* tests: no input comes, so redraw on a short timer */
            timeout = 20;
            L.dirty = 1;
        }
        SDL_Event e;
        int got = timeout < 0 ? SDL_WaitEvent(&e) : SDL_WaitEventTimeout(&e, timeout);
        if (got) {
            event(&L, &e);
            while (SDL_PollEvent(&e)) event(&L, &e);
        }
        now = SDL_GetTicks64();
        if (L.status_until && now >= L.status_until) {
            L.status_until = 0;
            L.ui.status[0] = '\0';
            L.dirty = 1;
        }
        if (L.ui.playing) {
            double dt = (double)(now - L.last_tick) / 1000.0;
            L.last_tick = now;
            double target = L.t + dt * L.ui.speed;
            if (target >= (double)cxv_view_t_end(v) && !o->follow) L.ui.playing = 0;
            go(&L, target);
        }
        if (o->follow && now >= next_follow) {
            next_follow = now + 1000;
            size_t added = 0;
            /* at the live edge (the newest row) the cursor moves on with the new rows */
            int at_edge = cxv_view_now(v) >= cxv_timeline_last_t(cxv_view_timeline(v));
            cx_diags *d = NULL;
            cx_diags_create(&d);
            unsigned reloads = cxv_view_reloads(v);
            cx_status fs = cxv_view_follow(v, &added, d);
            if (fs != CX_OK && d && cx_diags_count(d)) status(&L, cx_diags_get(d, 0));
            if (cxv_view_reloads(v) != reloads) { /* the exercise went back: indices start afresh */
                L.ui.sel.kind = CXV_SEL_NONE;
                status(&L, "the timeline was replaced (the exercise went back to a branch): reloaded");
            }
            cx_diags_destroy(d);
            if (added) {
                if (at_edge && !L.ui.playing) go(&L, (double)cxv_timeline_last_t(cxv_view_timeline(v)));
                else go(&L, L.t);
            }
        }
    }
    cxv_gfx_close(g);
    cxv_resp_free(&L.resp);
    SDL_DestroyRenderer(L.r);
    SDL_DestroyWindow(L.win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    return st;
}
