/* draw.c — one frame of the viewer: map, links, assets, title bar, side panel, timeline strip,
 * legend and help, drawn with SDL_Renderer primitives (triangles for fills) and SDL_ttf text.
 * Invariant: layout geometry is a pure function of the frame size, so tests can predict pixels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <SDL_image.h>
#include <SDL_ttf.h>

#include "draw.h"
#include "response.h"
#include "ui.h"

/* What a frame reuses from the previous ones, all held by cxv_gfx (one set per renderer): the map
 * layer (countries rasterised to labels once per projection and frame size, recoloured only when a
 * region's fill changes), rendered strings (cached_text, least recently used replaced) and asset
 * marker sprites. Each holds exactly what drawing from scratch would produce, so a frame from the
 * caches is pixel-identical to a fresh one (tests/unit/test_view_cache.c). */
typedef struct {
    SDL_Texture *t;
    int w, h;
} text_tex; /* a rendered string (cached_text) */

/* What a layer was drawn for; it is drawn again when any of it changed. No padding: compared
 * with memcmp. */
typedef struct {
    const cx_scenario *sc;
    const cxv_map *m;
    int w, h;
    double s;
    SDL_Rect rect; /* the map area */
    cxv_proj proj;
} layer_key;

static layer_key layer_key_of(const cxv_view *v, const cxv_ui *ui, const cxv_layout *L) {
    layer_key k;
    memset(&k, 0, sizeof k);
    k.sc = cxv_view_scenario(v);
    k.m = cxv_view_map(v);
    k.w = L->w;
    k.h = L->h;
    k.s = L->s;
    k.rect = L->map;
    k.proj = ui->proj;
    return k;
}

typedef struct {
    SDL_Texture *tex;      /* the map area: sea, country fills, borders (streaming, RGB888) */
    uint16_t *lab;         /* rect.w x rect.h labels */
    Uint32 *pal;           /* nl colours the texture holds now */
    int *reg;              /* region of each map country, -1 when none */
    size_t nl;
    int fresh;             /* labels not yet coloured into tex */
    layer_key key;         /* what the labels were made for */
} map_layer;

/* An asset marker (a dark ring around a state-coloured disc) drawn once into a texture: thousands
 * of markers then cost one small copy each instead of two dozen triangles. Only beyond MANY_ASSETS
 * (small markers): a sprite sits on whole pixels, up to half a pixel from the marker's point. */
#define MANY_ASSETS 2000
#define MAX_SPRITES 16
typedef struct {
    SDL_Texture *t;
    int size, c;        /* size x size pixels; the centre is at (c, c) */
    float rout, rin;
    SDL_Color outer, inner;
} marker_sprite;

/* The network layer: links and asset markers (see draw_network). */
typedef struct {
    SDL_Texture *tex;      /* frame-sized render target, ARGB8888, blended when copied */
    uint8_t *sig, *cur;    /* what tex shows / what this frame shows: link active flags, then asset
                            * states */
    size_t nsig, sig_cap, cur_cap;
    layer_key key;         /* and the rest of what tex was drawn for */
} net_layer;

static void net_layer_free(net_layer *nl) {
    if (nl->tex) SDL_DestroyTexture(nl->tex);
    free(nl->sig);
    free(nl->cur);
    memset(nl, 0, sizeof *nl);
}

static void map_layer_free(map_layer *ml) {
    if (ml->tex) SDL_DestroyTexture(ml->tex);
    free(ml->lab);
    free(ml->pal);
    free(ml->reg);
    memset(ml, 0, sizeof *ml);
}

struct cxv_gfx {
    SDL_Rect alabel[12]; /* this frame's asset name labels and unit-count badges (the first 48), */
    int nalabel;         /* which region labels keep clear of */
    SDL_Rect badge[48];
    int nbadge;
    SDL_Renderer *r;
    TTF_Font *body, *small, *bold, *title;
    int size_body; /* point size the fonts are set to */
    SDL_Vertex *mv; /* scratch: projected map points */
    size_t mv_cap;
    int *mi;        /* scratch: triangle indices */
    size_t mi_cap;
    SDL_FPoint *pts;
    size_t pts_cap;
    /* geometry batch: thousands of markers and links cost one SDL_RenderGeometry call */
    SDL_Vertex *bv;
    size_t bnv, bv_cap;
    int *bi;
    size_t bni, bi_cap;
    int batching;
    cxv_resp resp; /* units and IPCR rows, rebuilt when the timeline grows */
    struct text_entry *tc; /* the text cache (cached_text), TEXT_CACHE entries */
    size_t ntc;
    uint64_t frame;        /* frames drawn: the cache's clock */
    map_layer ml;
    marker_sprite sprites[MAX_SPRITES]; /* asset markers, one per (state colour, size) */
    size_t nsprites;
    net_layer net;
    int straight;          /* drawing into the network layer: no blending */
};

typedef struct {
    Uint8 r, g, b;
} rgb;

/* Palette: light theme that prints well in after-action reports and reads on a projector. */
static const SDL_Color C_SEA = {207, 221, 232, 255};
static const SDL_Color C_LAND = {228, 228, 223, 255};
static const SDL_Color C_BORDER = {175, 178, 175, 255};
static const SDL_Color C_BORDER_SC = {120, 124, 128, 255};
static const SDL_Color C_TITLE_BG = {29, 43, 58, 255};
static const SDL_Color C_WHITE = {255, 255, 255, 255};
static const SDL_Color C_TEXT = {33, 37, 41, 255};
static const SDL_Color C_MUTED = {108, 117, 125, 255};
static const SDL_Color C_PANEL = {250, 250, 248, 255};
static const SDL_Color C_STRIP = {238, 240, 242, 255};
static const SDL_Color C_RULE = {206, 212, 218, 255};
static const SDL_Color C_INJECT = {230, 126, 34, 255};
static const SDL_Color C_CURSOR = {192, 57, 43, 255};
static const SDL_Color C_LINK = {110, 120, 130, 170};
static const SDL_Color C_LINK_XB = {123, 63, 160, 210};
static const SDL_Color C_LINK_ACTIVE = {215, 38, 61, 230};
static const SDL_Color C_PROFILE = {215, 38, 61, 70};
static const SDL_Color C_WARN = {170, 80, 0, 255};
static const SDL_Color C_HILITE = {255, 243, 205, 255};
static const SDL_Color C_SELECT = {214, 0, 160, 255};    /* magenta: no other symbol uses it */
static const SDL_Color C_DEPLOYED = {0, 92, 158, 255};   /* the units-on-site curve of the strip */

static const SDL_Color state_colors[5] = {
    {46, 158, 68, 255},   /* working */
    {240, 163, 10, 255},  /* degraded */
    {215, 38, 61, 255},   /* failed */
    {31, 111, 209, 255},  /* repairing */
    {128, 128, 128, 255}, /* other */
};

SDL_Color cxv_state_color(int st) { return state_colors[st >= 0 && st < 5 ? st : 4]; }

static int iround(double x);

static const SDL_Color C_DECISION = {41, 98, 255, 255};
static const SDL_Color C_ISAA = {0, 137, 123, 255};

SDL_Color cxv_decision_color(void) { return C_DECISION; }
SDL_Color cxv_select_color(void) { return C_SELECT; }

SDL_Color cxv_ipcr_color(const char *mode) {
    if (mode && !strcmp(mode, "monitoring")) return (SDL_Color){31, 97, 170, 255};
    if (mode && !strcmp(mode, "information_sharing")) return (SDL_Color){230, 145, 0, 255};
    if (mode && !strcmp(mode, "full")) return (SDL_Color){192, 32, 38, 255};
    return (SDL_Color){120, 126, 132, 255};
}

SDL_Color cxv_pool_color(int pool) {
    if (pool == CX_POOL_ECPP) return (SDL_Color){0, 51, 153, 255};      /* EU blue */
    if (pool == CX_POOL_RESCUE) return (SDL_Color){142, 36, 170, 255};  /* purple */
    return (SDL_Color){0, 128, 96, 255};                                /* national: green */
}

int cxv_ipcr_banner_h(const cxv_layout *L) { return iround(30 * L->s); }

/* Public trust in [0,1] -> fill colour (dark purple = none, pale = full). */
static SDL_Color trust_color(double t) {
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    return (SDL_Color){(Uint8)(84 + t * (236 - 84)), (Uint8)(39 + t * (240 - 39)), (Uint8)(143 + t * (247 - 143)), 255};
}

/* Share without service -> fill colour (cream, yellow, orange, red, dark red). */
static SDL_Color share_color(double s) {
    static const struct {
        double at;
        rgb c;
    } stops[] = {{0.0, {246, 241, 220}}, {0.02, {254, 224, 144}}, {0.15, {253, 174, 97}},
                 {0.40, {244, 109, 67}}, {0.70, {215, 48, 39}},   {1.0, {165, 0, 38}}};
    if (!(s > 0)) s = 0;
    if (s > 1) s = 1;
    size_t i = 0;
    while (i + 2 < sizeof stops / sizeof stops[0] && s > stops[i + 1].at) i++;
    double f = (s - stops[i].at) / (stops[i + 1].at - stops[i].at);
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    SDL_Color c = {(Uint8)(stops[i].c.r + f * (stops[i + 1].c.r - stops[i].c.r)),
                   (Uint8)(stops[i].c.g + f * (stops[i + 1].c.g - stops[i].c.g)),
                   (Uint8)(stops[i].c.b + f * (stops[i + 1].c.b - stops[i].c.b)), 255};
    return c;
}

/* ---- layout ---------------------------------------------------------------------------------- */

static int iround(double x) { return (int)lround(x); }

void cxv_layout_make(cxv_layout *L, int w, int h) {
    memset(L, 0, sizeof *L);
    if (w < 320) w = 320;
    if (h < 240) h = 240;
    L->w = w;
    L->h = h;
    double s = fmin(w / 1280.0, h / 720.0);
    if (s < 0.75) s = 0.75;
    if (s > 2.5) s = 2.5;
    L->s = s;
    int th = iround(46 * s), sh = iround(84 * s);
    int pw = iround(w * 0.3);
    if (pw < iround(250 * s)) pw = iround(250 * s);
    if (pw > iround(440 * s)) pw = iround(440 * s);
    if (pw > w / 2) pw = w / 2;
    L->title = (SDL_Rect){0, 0, w, th};
    L->strip = (SDL_Rect){0, h - sh, w, sh};
    L->panel = (SDL_Rect){w - pw, th, pw, h - th - sh};
    L->map = (SDL_Rect){0, th, w - pw, h - th - sh};
    L->axis_x0 = iround(24 * s);
    L->axis_x1 = w - iround(24 * s);
    L->axis_y = L->strip.y + iround(56 * s);
}

int cxv_layout_time_x(const cxv_layout *L, const cxv_view *v, int64_t T) {
    int64_t b = cxv_view_t_begin(v), e = cxv_view_t_end(v);
    if (T < b) T = b;
    if (T > e) T = e;
    double f = e > b ? (double)(T - b) / (double)(e - b) : 0;
    return L->axis_x0 + iround(f * (L->axis_x1 - L->axis_x0));
}

int64_t cxv_layout_x_time(const cxv_layout *L, const cxv_view *v, int x) {
    int64_t b = cxv_view_t_begin(v), e = cxv_view_t_end(v);
    if (x <= L->axis_x0) return b;
    if (x >= L->axis_x1) return e;
    double f = (double)(x - L->axis_x0) / (double)(L->axis_x1 - L->axis_x0);
    return b + (int64_t)llround(f * (double)(e - b));
}

void cxv_ui_init(cxv_ui *ui) {
    memset(ui, 0, sizeof *ui);
    ui->speed = 3600;
}

/* Grows the box [lon0, lon1] x [lat0, lat1] (b[0..3]) to hold the point. */
static void box_add(double b[4], double lon, double lat) {
    if (lon < b[0]) b[0] = lon;
    if (lon > b[1]) b[1] = lon;
    if (lat < b[2]) b[2] = lat;
    if (lat > b[3]) b[3] = lat;
}

void cxv_ui_fit(cxv_ui *ui, const cxv_view *v, const cxv_layout *L) {
    const cx_scenario *sc = cxv_view_scenario(v);
    double box[4] = {1e9, -1e9, 1e9, -1e9};
    for (size_t i = 0; i < sc->nassets; i++) box_add(box, sc->assets[i].lon, sc->assets[i].lat);
    for (size_t i = 0; i < sc->nregions; i++) box_add(box, sc->regions[i].lon, sc->regions[i].lat);
    double lon0 = box[0], lon1 = box[1], lat0 = box[2], lat1 = box[3];
    if (lon0 > lon1) { /* nothing placed: the whole of Europe */
        lon0 = -11;
        lon1 = 32;
        lat0 = 35;
        lat1 = 66;
    }
    /* a degree of surroundings, and at least ~8 x 5 degrees, so borders and a one-city scenario
     * still show their context */
    lon0 -= 1.5;
    lon1 += 1.5;
    lat0 -= 1;
    lat1 += 1;
    if (lon1 - lon0 < 8) {
        double c = (lon0 + lon1) / 2;
        lon0 = c - 4;
        lon1 = c + 4;
    }
    if (lat1 - lat0 < 5) {
        double c = (lat0 + lat1) / 2;
        lat0 = c - 2.5;
        lat1 = c + 2.5;
    }
    cxv_proj_fit(&ui->proj, lon0, lat0, lon1, lat1, L->map.x, L->map.y, L->map.w, L->map.h, 0.04);
    ui->proj_w = L->w;
    ui->proj_h = L->h;
}

void cxv_asset_screen(const cxv_ui *ui, const cxv_view *v, uint32_t a, float *x, float *y) {
    const cx_scenario *sc = cxv_view_scenario(v);
    if (a >= sc->nassets) {
        *x = *y = -1;
        return;
    }
    cxv_proj_forward(&ui->proj, sc->assets[a].lon, sc->assets[a].lat, x, y);
}

/* ---- fonts and text -------------------------------------------------------------------------- */

static int file_exists(const char *p) { return access(p, R_OK) == 0; }

cx_status cxv_gfx_open(SDL_Renderer *r, const char *font_path, cxv_gfx **out, char *err, size_t errn) {
    *out = NULL;
    const char *reg = font_path ? font_path : CXV_DEFAULT_FONT;
    const char *bold = font_path ? font_path : CXV_DEFAULT_BOLD_FONT;
    if (!file_exists(reg)) {
        snprintf(err, errn, "font not found: %s (install the fonts-dejavu-core package, or pass "
                            "--font FILE.ttf)", reg);
        return CX_EIO;
    }
    if (!file_exists(bold)) bold = reg;
    if (TTF_Init() != 0) { /* counted: each gfx_close's TTF_Quit undoes its own */
        snprintf(err, errn, "SDL_ttf: %s", TTF_GetError());
        return CX_ERUNTIME;
    }
    cxv_gfx *g = calloc(1, sizeof *g);
    if (!g) {
        TTF_Quit();
        return CX_ENOMEM;
    }
    g->r = r;
    g->body = TTF_OpenFont(reg, 13);
    g->small = TTF_OpenFont(reg, 11);
    g->bold = TTF_OpenFont(bold, 13);
    g->title = TTF_OpenFont(bold, 17);
    if (!g->body || !g->small || !g->bold || !g->title) {
        snprintf(err, errn, "cannot open font %s: %s", reg, TTF_GetError());
        cxv_gfx_close(g);
        return CX_EIO;
    }
    g->size_body = 13;
    *out = g;
    return CX_OK;
}

static void text_cache_clear(cxv_gfx *g);
static void sprites_clear(cxv_gfx *g);

void cxv_gfx_close(cxv_gfx *g) {
    if (!g) return;
    text_cache_clear(g);
    free(g->tc);
    map_layer_free(&g->ml);
    net_layer_free(&g->net);
    sprites_clear(g);
    if (g->body) TTF_CloseFont(g->body);
    if (g->small) TTF_CloseFont(g->small);
    if (g->bold) TTF_CloseFont(g->bold);
    if (g->title) TTF_CloseFont(g->title);
    free(g->mv);
    free(g->mi);
    free(g->pts);
    free(g->bv);
    free(g->bi);
    cxv_resp_free(&g->resp);
    free(g);
    TTF_Quit();
}

static void gfx_scale(cxv_gfx *g, double s) {
    int body = iround(13 * s);
    if (body == g->size_body) return;
    TTF_SetFontSize(g->body, body);
    TTF_SetFontSize(g->bold, body);
    TTF_SetFontSize(g->small, iround(11 * s));
    TTF_SetFontSize(g->title, iround(17 * s));
    g->size_body = body;
    text_cache_clear(g);
}

enum { LEFT, CENTER, RIGHT };

/* The text cache: rendering a string with SDL_ttf (shaping, rasterising, a new texture) costs more
 * than the rest of a frame, yet most strings of a frame were drawn in the previous one. Textures
 * are kept by (font, colour, wrap width, text) and the least recently used one is replaced; the
 * fonts' size is part of the font, so a new UI scale empties the cache. A cached texture is the
 * very texture a fresh render would make, so a frame is pixel-identical with or without it. */
#define TEXT_CACHE 256
typedef struct text_entry {
    uint64_t key, used; /* hash of everything below; frame of the last use */
    TTF_Font *f;
    SDL_Color c;
    int wrap;           /* 0: one line */
    char *s;            /* owned */
    text_tex out;
} text_entry;

static void text_cache_clear(cxv_gfx *g) {
    for (size_t i = 0; i < g->ntc; i++) {
        SDL_DestroyTexture(g->tc[i].out.t);
        free(g->tc[i].s);
    }
    g->ntc = 0;
}

static uint64_t text_key(const TTF_Font *f, SDL_Color c, int wrap, const char *s) {
    uint64_t h = UINT64_C(14695981039346656037);
    uint64_t parts[3] = {(uint64_t)(uintptr_t)f, (uint64_t)c.r << 24 | (uint64_t)c.g << 16 | (uint64_t)c.b << 8 | c.a,
                         (uint64_t)(unsigned)wrap};
    for (int i = 0; i < 3; i++) h = (h ^ parts[i]) * UINT64_C(1099511628211);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) h = (h ^ *p) * UINT64_C(1099511628211);
    return h;
}

/* The texture of s drawn in font f and colour c, wrapped at `wrap` pixels (0: one line), from the
 * cache or rendered now; owned by the cache and valid until the next cached_text call. NULL for an
 * empty text or on failure. */
static const text_tex *cached_text(cxv_gfx *g, TTF_Font *f, const char *s, SDL_Color c, int wrap) {
    if (!s || !*s || wrap < 0 || (wrap > 0 && wrap < 20)) return NULL;
    uint64_t key = text_key(f, c, wrap, s);
    for (size_t i = 0; i < g->ntc; i++) {
        text_entry *e = &g->tc[i];
        if (e->key == key && e->f == f && e->wrap == wrap && !memcmp(&e->c, &c, sizeof c) && !strcmp(e->s, s)) {
            e->used = g->frame;
            return &e->out;
        }
    }
    if (!g->tc && !(g->tc = calloc(TEXT_CACHE, sizeof *g->tc))) return NULL;
    SDL_Surface *surf = wrap ? TTF_RenderUTF8_Blended_Wrapped(f, s, c, (Uint32)wrap) : TTF_RenderUTF8_Blended(f, s, c);
    if (!surf) return NULL;
    SDL_Texture *t = SDL_CreateTextureFromSurface(g->r, surf);
    int w = surf->w, h = surf->h;
    SDL_FreeSurface(surf);
    char *copy = t ? strdup(s) : NULL;
    if (!copy) {
        if (t) SDL_DestroyTexture(t);
        return NULL;
    }
    size_t slot = g->ntc;
    if (g->ntc < TEXT_CACHE) g->ntc++;
    else { /* the least recently used entry goes */
        slot = 0;
        for (size_t i = 1; i < g->ntc; i++)
            if (g->tc[i].used < g->tc[slot].used) slot = i;
        SDL_DestroyTexture(g->tc[slot].out.t);
        free(g->tc[slot].s);
    }
    g->tc[slot] = (text_entry){key, g->frame, f, c, wrap, copy, {t, w, h}};
    return &g->tc[slot].out;
}

/* Draws text with its top at y; returns its width (0 on failure or empty text). */
static int text(cxv_gfx *g, TTF_Font *f, const char *s, int x, int y, SDL_Color c, int align) {
    const text_tex *ct = cached_text(g, f, s, c, 0);
    if (!ct) return 0;
    int w = ct->w;
    SDL_Rect d = {align == CENTER ? x - w / 2 : align == RIGHT ? x - w : x, y, w, ct->h};
    SDL_RenderCopy(g->r, ct->t, NULL, &d);
    return w;
}

/* Wrapped text; returns the height used. */
static int text_wrapped(cxv_gfx *g, TTF_Font *f, const char *s, int x, int y, int wrap, SDL_Color c) {
    if (wrap < 20) return 0;
    const text_tex *ct = cached_text(g, f, s, c, wrap);
    if (!ct) return 0;
    SDL_RenderCopy(g->r, ct->t, NULL, &(SDL_Rect){x, y, ct->w, ct->h});
    return ct->h;
}

static int text_w(TTF_Font *f, const char *s) {
    int w = 0, h = 0;
    if (TTF_SizeUTF8(f, s, &w, &h) != 0) return 0;
    return w;
}

/* ---- primitives ------------------------------------------------------------------------------ */

static void set_color(SDL_Renderer *r, SDL_Color c) { SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a); }

static void fill_rect(SDL_Renderer *r, SDL_Rect rc, SDL_Color c) {
    set_color(r, c);
    if (c.a == 255) SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE); /* a fill, not a blend */
    SDL_RenderFillRect(r, &rc);
    if (c.a == 255) SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
}

static SDL_Vertex vert(float x, float y, SDL_Color c) {
    SDL_Vertex v;
    v.position.x = x;
    v.position.y = y;
    v.color = c;
    v.tex_coord.x = v.tex_coord.y = 0;
    return v;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem);

/* Opaque triangles are drawn without blending: the same pixels, but the software renderer then
 * writes each triangle in place instead of blending it through a scratch surface the size of its
 * bounding box (most of a frame's time before). A batch goes out as runs of opaque and translucent
 * triangles, in order. idx NULL: the vertices taken three by three. */
static void geometry(SDL_Renderer *r, const SDL_Vertex *v, int nv, const int *idx, int ni, int straight) {
    if (straight) { /* into the network layer: colour and alpha written as they are */
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
        SDL_RenderGeometry(r, NULL, v, nv, idx, idx ? ni : 0);
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        return;
    }
    if (!idx) {
        int opaque = 1;
        for (int i = 0; i < nv && opaque; i++) opaque = v[i].color.a == 255;
        if (opaque) SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
        SDL_RenderGeometry(r, NULL, v, nv, NULL, 0);
        if (opaque) SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        return;
    }
    for (int from = 0; from + 2 < ni;) {
        int opaque = v[idx[from]].color.a == 255 && v[idx[from + 1]].color.a == 255 && v[idx[from + 2]].color.a == 255;
        int to = from + 3;
        while (to + 2 < ni && opaque == (v[idx[to]].color.a == 255 && v[idx[to + 1]].color.a == 255 &&
                                         v[idx[to + 2]].color.a == 255))
            to += 3;
        if (opaque) SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
        SDL_RenderGeometry(r, NULL, v, nv, idx + from, to - from);
        if (opaque) SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        from = to;
    }
}

static void flush(cxv_gfx *g) {
    if (g->bni) geometry(g->r, g->bv, (int)g->bnv, g->bi, (int)g->bni, g->straight);
    g->bnv = g->bni = 0;
}

/* Between begin and end, shapes accumulate and are drawn in one call (in order). */
static void batch_begin(cxv_gfx *g) { g->batching = 1; }
static void batch_end(cxv_gfx *g) {
    flush(g);
    g->batching = 0;
}

/* Room for nv vertices and ni indices; returns the index of the first new vertex, -1 on OOM. */
static int batch_room(cxv_gfx *g, size_t nv, size_t ni) {
    if (g->bnv + nv > (size_t)1 << 20) flush(g);
    if (grow((void **)&g->bv, &g->bv_cap, g->bnv + nv, sizeof *g->bv) ||
        grow((void **)&g->bi, &g->bi_cap, g->bni + ni, sizeof *g->bi))
        return -1;
    return (int)g->bnv;
}

static void batch_done(cxv_gfx *g) {
    if (!g->batching) flush(g);
}

static void fill_circle(cxv_gfx *g, float cx, float cy, float rad, SDL_Color c) {
    int seg = (int)(rad * 2.5f);
    if (seg < 8) seg = 8;
    if (seg > 24) seg = 24;
    int b = batch_room(g, (size_t)seg + 1, 3 * (size_t)seg);
    if (b < 0) return;
    g->bv[g->bnv++] = vert(cx, cy, c);
    for (int i = 0; i < seg; i++) {
        double a = 2 * M_PI * i / seg;
        g->bv[g->bnv++] = vert(cx + rad * (float)cos(a), cy + rad * (float)sin(a), c);
        g->bi[g->bni++] = b;
        g->bi[g->bni++] = b + 1 + i;
        g->bi[g->bni++] = b + 1 + (i + 1) % seg;
    }
    batch_done(g);
}

static void thick_line(cxv_gfx *g, float x0, float y0, float x1, float y1, float w, SDL_Color c) {
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 0.01f) return;
    float nx = -dy / len * w / 2, ny = dx / len * w / 2;
    int b = batch_room(g, 4, 6);
    if (b < 0) return;
    g->bv[g->bnv++] = vert(x0 + nx, y0 + ny, c);
    g->bv[g->bnv++] = vert(x1 + nx, y1 + ny, c);
    g->bv[g->bnv++] = vert(x1 - nx, y1 - ny, c);
    g->bv[g->bnv++] = vert(x0 - nx, y0 - ny, c);
    static const int q[6] = {0, 1, 2, 0, 2, 3};
    for (int i = 0; i < 6; i++) g->bi[g->bni++] = b + q[i];
    batch_done(g);
}

static void dashed_line(cxv_gfx *g, float x0, float y0, float x1, float y1, float w, float dash,
                        SDL_Color c) {
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 0.01f) return;
    int was = g->batching;
    g->batching = 1;
    for (float d = 0; d < len; d += 2 * dash) {
        float e = d + dash < len ? d + dash : len;
        thick_line(g, x0 + dx * d / len, y0 + dy * d / len, x0 + dx * e / len, y0 + dy * e / len, w, c);
    }
    g->batching = was;
    batch_done(g);
}

static void triangle(SDL_Renderer *r, float x0, float y0, float x1, float y1, float x2, float y2, SDL_Color c) {
    SDL_Vertex v[3] = {vert(x0, y0, c), vert(x1, y1, c), vert(x2, y2, c)};
    geometry(r, v, 3, NULL, 0, 0);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 256;
    while (nc < need) nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np) return -1;
    *p = np;
    *cap = nc;
    return 0;
}

/* ---- map ------------------------------------------------------------------------------------- */

/* Region of the scenario drawn on map country c: same code, or the EU's EL/UK for ISO GR/GB. */
static int region_for_country(const cx_scenario *sc, const char *iso) {
    for (uint32_t r = 0; r < sc->nregions; r++) {
        const char *code = sc->regions[r].code;
        if (!strcasecmp(code, iso)) return (int)r;
        if (!strcasecmp(iso, "GR") && !strcasecmp(code, "EL")) return (int)r;
        if (!strcasecmp(iso, "GB") && !strcasecmp(code, "UK")) return (int)r;
    }
    return -1;
}

/* Public trust of a region at the view's instant (its last `hybrid` trust row), -1 when none. */
static double region_trust(const cxv_view *v, const char *code) {
    const cxv_timeline *tl = cxv_view_timeline(v);
    int64_t e = cxv_timeline_find(tl, CXV_KIND_HYBRID, code, code);
    if (e < 0) return -1;
    const cxv_row *r = cxv_view_entity_row(v, (uint32_t)e);
    if (!r || strcmp(cxv_str(tl, r->state), "trust")) return -1;
    return r->value;
}

static SDL_Color region_fill(const cxv_view *v, const cxv_ui *ui, int reg) {
    if (reg < 0) return C_LAND;
    if (ui->layer_trust) {
        double t = region_trust(v, cxv_view_scenario(v)->regions[reg].code);
        return t >= 0 ? trust_color(t) : C_LAND;
    }
    return share_color(cxv_view_region_share(v, (uint32_t)reg));
}

/* Fills and borders of the map's countries onto r: country c in fill[c], borders in border[0]
 * (outside the scenario) and border[1] (its regions, drawn last). reg[c]: region of country c. */
static void map_shapes(cxv_gfx *g, SDL_Renderer *r, const cxv_map *m, const cxv_ui *ui, const SDL_Color *fill,
                       const SDL_Color border[2], const int *reg) {
    if (grow((void **)&g->mv, &g->mv_cap, m->npoints, sizeof *g->mv) ||
        grow((void **)&g->mi, &g->mi_cap, 3 * m->ntri, sizeof *g->mi) ||
        grow((void **)&g->pts, &g->pts_cap, m->npoints + 1, sizeof *g->pts))
        return;
    for (size_t c = 0; c < m->ncountries; c++) {
        const cxv_country *co = &m->countries[c];
        for (uint32_t k = 0; k < co->nrings; k++) {
            const cxv_ring *rg = &m->rings[co->ring_first + k];
            for (uint32_t i = 0; i < rg->n; i++) {
                float x, y;
                cxv_proj_forward(&ui->proj, m->lon[rg->first + i], m->lat[rg->first + i], &x, &y);
                g->mv[rg->first + i] = vert(x, y, fill[c]);
            }
        }
    }
    size_t ni = 0;
    for (size_t k = 0; k < m->nrings; k++) {
        const cxv_ring *rg = &m->rings[k];
        for (uint32_t t = 0; t < 3 * rg->ntri; t++)
            g->mi[ni++] = (int)(rg->first + m->tri[3 * rg->tri_first + t]);
    }
    geometry(r, g->mv, (int)m->npoints, g->mi, (int)ni, 0);
    for (int pass = 0; pass < 2; pass++)
        for (size_t c = 0; c < m->ncountries; c++) {
            const cxv_country *co = &m->countries[c];
            if ((reg[c] >= 0) != pass) continue;
            set_color(r, border[pass]);
            for (uint32_t k = 0; k < co->nrings; k++) {
                const cxv_ring *rg = &m->rings[co->ring_first + k];
                for (uint32_t i = 0; i < rg->n; i++) g->pts[i] = g->mv[rg->first + i].position;
                g->pts[rg->n] = g->pts[0];
                SDL_RenderDrawLinesF(r, g->pts, (int)rg->n + 1);
            }
        }
}

static SDL_Color label_color(size_t lab) { return (SDL_Color){(Uint8)(lab & 255), (Uint8)(lab >> 8), 0, 255}; }

/* The map layer: the countries' outlines are rasterised once per (projection, frame size) into a
 * label image (0 sea, 1 + c country c, then the two border kinds) by a software renderer with the
 * frame's own coordinates and clip, so each pixel is the one a direct drawing would cover. A frame
 * then only maps labels to the current fill colours (when a colour changed) into a streaming
 * texture and copies it. Returns 0 when the layer is ready for this frame. */
static int map_layer_build(cxv_gfx *g, const cxv_view *v, const cxv_ui *ui, const cxv_layout *L) {
    const cxv_map *m = cxv_view_map(v);
    const cx_scenario *sc = cxv_view_scenario(v);
    map_layer *ml = &g->ml;
    layer_key key = layer_key_of(v, ui, L);
    if (ml->tex && !memcmp(&ml->key, &key, sizeof key)) return 0;
    map_layer_free(ml);
    size_t nl = m->ncountries + 3;
    if (nl > 65536 || L->map.w <= 0 || L->map.h <= 0) return -1;
    ml->reg = malloc(m->ncountries * sizeof *ml->reg + 1);
    ml->pal = calloc(nl, sizeof *ml->pal);
    ml->lab = malloc((size_t)L->map.w * (size_t)L->map.h * sizeof *ml->lab);
    SDL_Color *fill = malloc(m->ncountries * sizeof *fill + 1);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, L->w, L->h, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    int ok = ml->reg && ml->pal && ml->lab && fill && r;
    if (ok) {
        for (size_t c = 0; c < m->ncountries; c++) {
            ml->reg[c] = region_for_country(sc, m->countries[c].iso);
            fill[c] = label_color(1 + c);
        }
        SDL_Color border[2] = {label_color(nl - 2), label_color(nl - 1)};
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND); /* as the frame's renderer */
        set_color(r, label_color(0));
        SDL_RenderClear(r);
        SDL_RenderSetClipRect(r, &L->map);
        map_shapes(g, r, m, ui, fill, border, ml->reg);
        SDL_RenderFlush(r);
        for (int y = 0; y < L->map.h; y++) {
            const Uint32 *px = (const Uint32 *)((const Uint8 *)surf->pixels + (size_t)(L->map.y + y) * (size_t)surf->pitch) + L->map.x;
            uint16_t *out = ml->lab + (size_t)y * (size_t)L->map.w;
            for (int x = 0; x < L->map.w; x++) {
                Uint32 lab = (px[x] >> 16 & 255) | (px[x] >> 8 & 255) << 8;
                out[x] = (uint16_t)(lab < nl ? lab : 0);
            }
        }
        ml->tex = SDL_CreateTexture(g->r, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING, L->map.w, L->map.h);
        ok = ml->tex && SDL_SetTextureBlendMode(ml->tex, SDL_BLENDMODE_NONE) == 0;
    }
    free(fill);
    if (r) SDL_DestroyRenderer(r);
    if (surf) SDL_FreeSurface(surf);
    if (!ok) {
        map_layer_free(ml);
        return -1;
    }
    ml->key = key;
    ml->nl = nl;
    ml->fresh = 1;
    return 0;
}

static void draw_map(cxv_gfx *g, const cxv_view *v, const cxv_ui *ui, const cxv_layout *L) {
    const cxv_map *m = cxv_view_map(v);
    const cx_scenario *sc = cxv_view_scenario(v);
    double s = L->s;
    if (!m->npoints) return;
    map_layer *ml = &g->ml;
    if (map_layer_build(g, v, ui, L) == 0) {
        /* labels to colours, only when a colour changed (region fills change at events) */
        int changed = ml->fresh;
        for (size_t lab = 0; lab < ml->nl; lab++) {
            SDL_Color c = lab == 0            ? C_SEA
                          : lab == ml->nl - 2 ? C_BORDER
                          : lab == ml->nl - 1 ? C_BORDER_SC
                                              : region_fill(v, ui, ml->reg[lab - 1]);
            Uint32 px = (Uint32)c.r << 16 | (Uint32)c.g << 8 | c.b;
            if (px != ml->pal[lab]) changed = 1;
            ml->pal[lab] = px;
        }
        void *pixels;
        int pitch;
        if (changed && SDL_LockTexture(ml->tex, NULL, &pixels, &pitch) == 0) {
            for (int y = 0; y < ml->key.rect.h; y++) {
                Uint32 *out = (Uint32 *)((Uint8 *)pixels + (size_t)y * (size_t)pitch);
                const uint16_t *in = ml->lab + (size_t)y * (size_t)ml->key.rect.w;
                for (int x = 0; x < ml->key.rect.w; x++) out[x] = ml->pal[in[x]];
            }
            SDL_UnlockTexture(ml->tex);
            ml->fresh = 0;
        }
        SDL_RenderCopy(g->r, ml->tex, NULL, &L->map);
    } else { /* no memory for the layer: draw the shapes themselves */
        int *reg = malloc(m->ncountries * sizeof *reg + 1);
        SDL_Color *fill = malloc(m->ncountries * sizeof *fill + 1);
        if (reg && fill) {
            for (size_t c = 0; c < m->ncountries; c++) {
                reg[c] = region_for_country(sc, m->countries[c].iso);
                fill[c] = region_fill(v, ui, reg[c]);
            }
            map_shapes(g, g->r, m, ui, fill, (SDL_Color[2]){C_BORDER, C_BORDER_SC}, reg);
        }
        free(reg);
        free(fill);
    }
    /* small states: a dot where the outline is absent or only a few pixels wide */
    batch_begin(g);
    for (size_t c = 0; c < m->ncountries; c++) {
        const cxv_country *co = &m->countries[c];
        if (!co->has_marker) continue;
        float x0, y0, x1, y1;
        cxv_proj_forward(&ui->proj, co->lon0, co->lat0, &x0, &y0);
        cxv_proj_forward(&ui->proj, co->lon1, co->lat1, &x1, &y1);
        if (co->nrings && fabsf(x1 - x0) > 8 * s && fabsf(y1 - y0) > 8 * s) continue;
        int reg = ml->reg ? ml->reg[c] : region_for_country(sc, co->iso);
        SDL_Color fill = region_fill(v, ui, reg);
        float x, y;
        cxv_proj_forward(&ui->proj, co->mlon, co->mlat, &x, &y);
        fill_circle(g, x, y, (float)(4.2 * s), reg >= 0 ? C_BORDER_SC : C_BORDER);
        fill_circle(g, x, y, (float)(3.0 * s), fill);
    }
    batch_end(g);
}

/* Whether a shape with this screen bounding box can touch the map area (the rest is skipped). */
static int visible(const cxv_ui *ui, float x0, float y0, float x1, float y1, float pad) {
    const cxv_proj *p = &ui->proj;
    if (x0 > x1) { float t = x0; x0 = x1; x1 = t; }
    if (y0 > y1) { float t = y0; y0 = y1; y1 = t; }
    return x1 + pad >= p->ox && x0 - pad <= p->ox + p->w && y1 + pad >= p->oy && y0 - pad <= p->oy + p->h;
}

/* Whether link k carries a failure now: its dependent is not working because of its supplier. */
static int link_active(const cxv_view *v, uint32_t k) {
    const cx_scenario *sc = cxv_view_scenario(v);
    const cx_link *lk = &sc->links[k];
    cxv_asset_view dv = cxv_view_asset(v, lk->dependent);
    return dv.st != CXV_ST_WORKING && dv.row &&
           !strcmp(cxv_str(cxv_view_timeline(v), dv.row->cause), sc->assets[lk->supplier].id);
}

static void draw_links(cxv_gfx *g, const cxv_view *v, const cxv_ui *ui, double s) {
    const cx_scenario *sc = cxv_view_scenario(v);
    batch_begin(g);
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t k = 0; k < sc->nlinks; k++) {
            const cx_link *lk = &sc->links[k];
            const cx_asset *a = &sc->assets[lk->supplier], *b = &sc->assets[lk->dependent];
            int active = link_active(v, k);
            if (active != pass) continue;
            float x0, y0, x1, y1;
            cxv_proj_forward(&ui->proj, a->lon, a->lat, &x0, &y0);
            cxv_proj_forward(&ui->proj, b->lon, b->lat, &x1, &y1);
            if (!visible(ui, x0, y0, x1, y1, 4)) continue;
            int xb = a->region != b->region;
            float w = (float)((active ? 2.6 : xb ? 1.8 : 1.4) * s);
            SDL_Color c = active ? C_LINK_ACTIVE : xb ? C_LINK_XB : C_LINK;
            if (xb) dashed_line(g, x0, y0, x1, y1, w, (float)(6 * s), c);
            else thick_line(g, x0, y0, x1, y1, w, c);
        }
    batch_end(g);
}

static void label_box(cxv_gfx *g, TTF_Font *f, const char *s, int x, int y, SDL_Color fg) {
    int w = text_w(f, s), h = TTF_FontHeight(f);
    SDL_Rect bg = {x - 3, y - 1, w + 6, h + 2};
    fill_rect(g->r, bg, (SDL_Color){255, 255, 255, 235});
    text(g, f, s, x, y, fg, LEFT);
}

float cxv_asset_radius(const cxv_view *v, double s) {
    return (float)((cxv_view_scenario(v)->nassets > MANY_ASSETS ? 2.6 : 5.0) * s);
}

static void sprites_clear(cxv_gfx *g) {
    for (size_t i = 0; i < g->nsprites; i++) SDL_DestroyTexture(g->sprites[i].t);
    g->nsprites = 0;
}

/* The sprite of a marker, drawn with the same circles as fill_circle; NULL on failure or when the
 * cache is full. Call outside a batch. */
static const marker_sprite *sprite(cxv_gfx *g, float rout, SDL_Color outer, float rin, SDL_Color inner) {
    for (size_t i = 0; i < g->nsprites; i++) {
        const marker_sprite *m = &g->sprites[i];
        if (m->rout == rout && m->rin == rin && !memcmp(&m->outer, &outer, sizeof outer) &&
            !memcmp(&m->inner, &inner, sizeof inner))
            return m;
    }
    if (g->nsprites == MAX_SPRITES) return NULL;
    int c = (int)ceilf(rout) + 1, size = 2 * c;
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, size, size, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    SDL_Texture *t = NULL;
    if (r) {
        SDL_SetRenderDrawColor(r, 0, 0, 0, 0);
        SDL_RenderClear(r);
        SDL_Renderer *frame = g->r;
        g->r = r;
        fill_circle(g, (float)c, (float)c, rout, outer);
        fill_circle(g, (float)c, (float)c, rin, inner);
        g->r = frame;
        SDL_RenderFlush(r);
        t = SDL_CreateTextureFromSurface(g->r, surf);
    }
    if (r) SDL_DestroyRenderer(r);
    if (surf) SDL_FreeSurface(surf);
    if (!t || SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND) != 0) {
        if (t) SDL_DestroyTexture(t);
        return NULL;
    }
    g->sprites[g->nsprites] = (marker_sprite){t, size, c, rout, rin, outer, inner};
    return &g->sprites[g->nsprites++];
}

static void draw_markers(cxv_gfx *g, const cxv_view *v, const cxv_ui *ui, double s) {
    const cx_scenario *sc = cxv_view_scenario(v);
    float rad = cxv_asset_radius(v, s);
    static const int order[4] = {CXV_ST_WORKING, CXV_ST_DEGRADED, CXV_ST_REPAIRING, CXV_ST_FAILED};
    const marker_sprite *spr[4] = {NULL, NULL, NULL, NULL};
    if (g->nsprites + 4 > MAX_SPRITES) sprites_clear(g); /* the UI scale changed many times */
    for (int o = 0; o < 4 && sc->nassets > MANY_ASSETS; o++)
        spr[o] = sprite(g, rad + (float)(1.3 * s), (SDL_Color){32, 32, 32, 255}, rad, cxv_state_color(order[o]));
    batch_begin(g);
    for (int o = 0; o < 4; o++)
        for (uint32_t a = 0; a < sc->nassets; a++) {
            cxv_asset_view av = cxv_view_asset(v, a);
            if (av.st != order[o]) continue;
            float x, y;
            cxv_asset_screen(ui, v, a, &x, &y);
            if (!visible(ui, x, y, x, y, rad + 2)) continue;
            if (spr[o]) { /* centred on the nearest pixel corner: at most half a pixel off */
                const marker_sprite *m = spr[o];
                SDL_RenderCopy(g->r, m->t, NULL, &(SDL_Rect){(int)lroundf(x) - m->c, (int)lroundf(y) - m->c, m->size, m->size});
                continue;
            }
            fill_circle(g, x, y, rad + (float)(1.3 * s), (SDL_Color){32, 32, 32, 255});
            fill_circle(g, x, y, rad, cxv_state_color(av.st));
        }
    batch_end(g);
}

/* Names of the assets that are not working, when there are a few. */
static void draw_asset_labels(cxv_gfx *g, const cxv_view *v, const cxv_ui *ui, double s) {
    const cx_scenario *sc = cxv_view_scenario(v);
    float rad = cxv_asset_radius(v, s);
    size_t affected = 0;
    g->nalabel = 0;
    for (uint32_t a = 0; a < sc->nassets && affected <= 12; a++) affected += cxv_view_asset(v, a).st != CXV_ST_WORKING;
    if (affected == 0 || affected > 12) return;
    for (uint32_t a = 0; a < sc->nassets; a++) {
        cxv_asset_view av = cxv_view_asset(v, a);
        if (av.st == CXV_ST_WORKING) continue;
        float x, y;
        cxv_asset_screen(ui, v, a, &x, &y);
        const char *name = cxv_view_asset_name(v, a);
        int lx = (int)(x + rad + 5 * s), ly = (int)(y - TTF_FontHeight(g->small) / 2);
        label_box(g, g->small, name, lx, ly, C_TEXT);
        if (g->nalabel < 12)
            g->alabel[g->nalabel++] = (SDL_Rect){lx - 3, ly - 1, text_w(g->small, name) + 6, TTF_FontHeight(g->small) + 2};
    }
}

/* Links and asset markers change only at events but are most of a frame's triangles, so they are
 * drawn into a frame-sized render target (the network layer), redrawn only when the projection,
 * the layout, or a link's activity or an asset's state changed, and copied over the map. In the
 * layer shapes are written without blending: a translucent link keeps its colour and alpha and is
 * blended with the map once, when the layer is copied, which gives the pixels of drawing it on the
 * map directly, except where two translucent links overlap (the later one shows, not a mix). Copying
 * the layer costs about as much as drawing a few hundred shapes, so smaller networks are drawn
 * directly. */
#define NET_LAYER_MIN 1000 /* links + assets */
static void draw_network_direct(cxv_gfx *g, const cxv_view *v, const cxv_ui *ui, double s) {
    draw_links(g, v, ui, s);
    draw_markers(g, v, ui, s);
}

static void draw_network(cxv_gfx *g, const cxv_view *v, const cxv_ui *ui, const cxv_layout *L) {
    const cx_scenario *sc = cxv_view_scenario(v);
    net_layer *nl = &g->net;
    size_t n = sc->nlinks + sc->nassets;
    if (!n) return;
    if (n < NET_LAYER_MIN || !SDL_RenderTargetSupported(g->r) || grow((void **)&nl->cur, &nl->cur_cap, n, 1) != 0) {
        draw_network_direct(g, v, ui, L->s);
        return;
    }
    for (uint32_t k = 0; k < sc->nlinks; k++) nl->cur[k] = (uint8_t)link_active(v, k);
    for (uint32_t a = 0; a < sc->nassets; a++) nl->cur[sc->nlinks + a] = (uint8_t)cxv_view_asset(v, a).st;
    layer_key key = layer_key_of(v, ui, L);
    int same = nl->tex && !memcmp(&nl->key, &key, sizeof key) && nl->nsig == n && !memcmp(nl->sig, nl->cur, n);
    if (!same) {
        if (nl->tex && (nl->key.w != L->w || nl->key.h != L->h)) {
            SDL_DestroyTexture(nl->tex);
            nl->tex = NULL;
        }
        if (!nl->tex) {
            nl->tex = SDL_CreateTexture(g->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, L->w, L->h);
            if (nl->tex) SDL_SetTextureBlendMode(nl->tex, SDL_BLENDMODE_BLEND);
        }
        if (!nl->tex || SDL_SetRenderTarget(g->r, nl->tex) != 0) {
            nl->nsig = 0;
            draw_network_direct(g, v, ui, L->s);
            return;
        }
        SDL_SetRenderDrawColor(g->r, 0, 0, 0, 0);
        SDL_RenderClear(g->r);
        SDL_RenderSetClipRect(g->r, &L->map);
        g->straight = 1;
        draw_network_direct(g, v, ui, L->s);
        g->straight = 0;
        SDL_SetRenderTarget(g->r, NULL);
        SDL_RenderSetClipRect(g->r, &L->map);
        uint8_t *t = nl->sig;
        size_t cap = nl->sig_cap;
        nl->sig = nl->cur;
        nl->sig_cap = nl->cur_cap;
        nl->cur = t;
        nl->cur_cap = cap;
        nl->nsig = n;
        nl->key = key;
    }
    SDL_RenderCopy(g->r, nl->tex, &L->map, &L->map);
}

static void people_text(double p, char *buf, size_t n) { cxv_format_people(p, buf, n); }

/* Region labels sit just below the region's point, where assets placed at the point (the default
 * position) and small-state dots stay visible above them. */
/* Region labels are placed hardest hit first (then most populous), each below its point or, when
 * that box would overlap a label already placed, above, right or left of it; a label that fits
 * nowhere goes below anyway when its region has people without service, and is left out otherwise
 * (its country's fill still shows it). Beyond MAX_PLACED labels no overlap is checked. */
#define MAX_PLACED 256

static int rect_overlap(const SDL_Rect *a, const SDL_Rect *b) {
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static SDL_Rect legend_box(const cxv_gfx *g, const cxv_layout *L, const cxv_ui *ui);

static void draw_region_labels(cxv_gfx *g, const cxv_view *v, const cxv_ui *ui, const cxv_layout *L) {
    const cx_scenario *sc = cxv_view_scenario(v);
    double s = L->s;
    uint32_t order[MAX_PLACED];
    double share[MAX_PLACED];
    uint32_t n = sc->nregions < MAX_PLACED ? sc->nregions : MAX_PLACED;
    for (uint32_t r = 0; r < n; r++) { /* insertion sort: a few dozen regions */
        share[r] = cxv_view_region_share(v, r);
        uint32_t i = r;
        while (i > 0) {
            uint32_t o = order[i - 1];
            int before = share[r] > share[o] ||
                         (share[r] == share[o] && sc->regions[r].population > sc->regions[o].population);
            if (!before) break;
            order[i] = o;
            i--;
        }
        order[i] = r;
    }
    SDL_Rect placed[MAX_PLACED + 61];
    uint32_t np = 0;
    placed[np++] = legend_box(g, L, ui); /* drawn later, over the map */
    for (int i = 0; i < g->nalabel; i++) placed[np++] = g->alabel[i];
    for (int i = 0; i < g->nbadge; i++) placed[np++] = g->badge[i];
    int h = TTF_FontHeight(g->bold), gap = iround(8 * s);
    for (uint32_t k = 0; k < sc->nregions; k++) {
        uint32_t r = k < n ? order[k] : k;
        double sh = k < n ? share[r] : cxv_view_region_share(v, r);
        char buf[64];
        if (sh >= 0.0005) snprintf(buf, sizeof buf, "%s %.0f%%", sc->regions[r].code, 100 * sh + 0.4999);
        else snprintf(buf, sizeof buf, "%s", sc->regions[r].code);
        float x, y;
        cxv_proj_forward(&ui->proj, sc->regions[r].lon, sc->regions[r].lat, &x, &y);
        int w = text_w(g->bold, buf), cx = (int)x, cy = (int)y;
        const int at[4][2] = {{cx - w / 2, cy + gap},
                              {cx - w / 2, cy - gap - h},
                              {cx + gap, cy - h / 2},
                              {cx - gap - w, cy - h / 2}};
        int chosen = -1;
        for (int c = 0; c < 4 && chosen < 0 && k < n; c++) {
            SDL_Rect box = {at[c][0] - 3, at[c][1] - 1, w + 6, h + 2};
            int free_ = 1;
            for (uint32_t j = 0; j < np && free_; j++) free_ = !rect_overlap(&box, &placed[j]);
            if (free_) chosen = c;
        }
        if (chosen < 0) {
            if (k < n && sh < 0.0005) continue;
            chosen = 0;
        }
        if (k < n) placed[np++] = (SDL_Rect){at[chosen][0] - 3, at[chosen][1] - 1, w + 6, h + 2};
        label_box(g, g->bold, buf, at[chosen][0], at[chosen][1], C_TEXT);
    }
}

/* ---- response layer: incidents, units, IPCR banner ------------------------------------------ */

static void ring(cxv_gfx *g, float cx, float cy, float rad, float w, SDL_Color c) {
    const int n = 28;
    for (int i = 0; i < n; i++) {
        double a0 = 2 * M_PI * i / n, a1 = 2 * M_PI * (i + 1) / n;
        thick_line(g, cx + rad * (float)cos(a0), cy + rad * (float)sin(a0), cx + rad * (float)cos(a1),
                   cy + rad * (float)sin(a1), w, c);
    }
}

static SDL_Color incident_color(const char *state) {
    if (!strcmp(state, "contained")) return (SDL_Color){240, 163, 10, 255};
    if (!strcmp(state, "closed")) return (SDL_Color){150, 150, 150, 255};
    return (SDL_Color){200, 30, 45, 255};
}

/* Radius of an incident symbol: grows with the log of the unmet need, so 10 and 500,000 both read. */
float cxv_incident_radius(double need, double s) {
    double r = 8 + 3 * log10(1 + (need > 0 ? need : 0));
    return (float)((r > 28 ? 28 : r) * s);
}

static void draw_response(cxv_gfx *g, cxv_view *v, const cxv_ui *ui, double s) {
    g->nbadge = 0;
    if (ui->hide_response) return;
    const cxv_timeline *tl = cxv_view_timeline(v);
    const cx_scenario *sc = cxv_view_scenario(v);
    if (cxv_resp_update(&g->resp, v) != CX_OK) return;
    /* incidents: a ring per incident at its region's point, several in one region side by side */
    cxv_incident_pos *inc = NULL;
    size_t ninc = cxv_incidents_on_map(ui, v, s, &inc);
    batch_begin(g);
    for (size_t k = 0; k < ninc; k++) {
        const char *st = cxv_str(tl, inc[k].row->state);
        float x = inc[k].x, y = inc[k].y, rad = cxv_incident_radius(inc[k].row->value, s);
        SDL_Color c = incident_color(st), f = c;
        f.a = strcmp(st, "closed") ? 70 : 30;
        fill_circle(g, x, y, rad, f);
        ring(g, x, y, rad, (float)(2.6 * s), c);
        fill_circle(g, x, y, (float)(3 * s), c);
    }
    batch_end(g);
    free(inc);
    /* units: moving ones on their line, those on site counted per (region, pool) */
    size_t nr = sc->nregions ? sc->nregions : 1;
    uint32_t *site = calloc(nr * 3, sizeof *site);
    if (!site) return;
    batch_begin(g);
    for (size_t u = 0; u < g->resp.nunits; u++) {
        cxv_unit_pos p;
        cxv_resp_unit(&g->resp, v, u, &p);
        int pool = p.pool >= 0 && p.pool < 3 ? p.pool : 0;
        if (p.where == CXV_UNIT_ON_SITE && p.region >= 0) site[(size_t)p.region * 3 + (size_t)pool]++;
        if (p.where != CXV_UNIT_MOVING) continue;
        float x0, y0, x1, y1;
        cxv_proj_forward(&ui->proj, p.lon0, p.lat0, &x0, &y0);
        cxv_proj_forward(&ui->proj, p.lon1, p.lat1, &x1, &y1);
        SDL_Color c = cxv_pool_color(pool), faint = c;
        faint.a = 90;
        dashed_line(g, x0, y0, x1, y1, (float)(1.4 * s), (float)(6 * s), faint);
        float x = x0 + (float)p.f * (x1 - x0), y = y0 + (float)p.f * (y1 - y0);
        fill_circle(g, x, y, (float)(6 * s), C_WHITE);
        fill_circle(g, x, y, (float)(4.5 * s), c);
    }
    batch_end(g);
    for (uint32_t reg = 0; reg < sc->nregions; reg++) {
        float x, y;
        cxv_proj_forward(&ui->proj, sc->regions[reg].lon, sc->regions[reg].lat, &x, &y);
        float bx = x + (float)(14 * s); /* above-right: the region's label stays readable below */
        for (int pool = 0; pool < 3; pool++) {
            uint32_t n = site[(size_t)reg * 3 + (size_t)pool];
            if (!n) continue;
            char buf[16];
            snprintf(buf, sizeof buf, "%u", n);
            int tw = text_w(g->bold, buf), h = TTF_FontHeight(g->bold);
            SDL_Rect rc = {(int)bx, (int)y - h - iround(16 * s), tw + iround(12 * s), h + iround(4 * s)};
            fill_rect(g->r, (SDL_Rect){rc.x - 1, rc.y - 1, rc.w + 2, rc.h + 2}, C_WHITE);
            fill_rect(g->r, rc, cxv_pool_color(pool));
            text(g, g->bold, buf, rc.x + iround(6 * s), rc.y + iround(2 * s), C_WHITE, LEFT);
            if (g->nbadge < 48) g->badge[g->nbadge++] = rc;
            bx += (float)(rc.w + iround(4 * s));
        }
    }
    free(site);
}

static const char *ipcr_mode_text(const char *mode) {
    if (!strcmp(mode, "full")) return "FULL ACTIVATION";
    if (!strcmp(mode, "information_sharing")) return "INFORMATION SHARING";
    if (!strcmp(mode, "monitoring")) return "MONITORING";
    if (!strcmp(mode, "closed")) return "CLOSED";
    return mode;
}

static void draw_ipcr_banner(cxv_gfx *g, cxv_view *v, const cxv_layout *L) {
    if (cxv_resp_update(&g->resp, v) != CX_OK) return;
    int64_t since;
    const char *mode = cxv_resp_ipcr(&g->resp, v, &since);
    if (!mode || !strcmp(mode, "inactive")) return;
    double s = L->s;
    SDL_Rect b = {L->map.x, L->map.y, L->map.w, cxv_ipcr_banner_h(L)};
    fill_rect(g->r, b, cxv_ipcr_color(mode));
    char buf[160], when[32] = "";
    time_t u = (time_t)(cxv_view_start_unix(v) + since);
    struct tm tm;
    if (gmtime_r(&u, &tm)) strftime(when, sizeof when, "%d %b %H:%M", &tm);
    snprintf(buf, sizeof buf, "IPCR: %s since %s", ipcr_mode_text(mode), when);
    int y = b.y + (b.h - TTF_FontHeight(g->bold)) / 2;
    text(g, g->bold, buf, b.x + iround(12 * s), y, C_WHITE, LEFT);
    /* the latest ISAA report / roundtable */
    const cxv_timeline *tl = cxv_view_timeline(v);
    size_t upto = cxv_timeline_upto(tl, cxv_view_now(v));
    for (size_t k = g->resp.nmarks; k > 0; k--) {
        if (g->resp.marks[k - 1] >= upto) continue;
        const cxv_row *r = cxv_timeline_row(tl, g->resp.marks[k - 1]);
        const char *t = cxv_row_text(tl, r);
        if (cxv_timeline_entity(tl, r->entity)->kind != CXV_KIND_IPCR || !t[0]) continue;
        char last[128], at[32] = "";
        u = (time_t)(cxv_view_start_unix(v) + r->t);
        if (gmtime_r(&u, &tm)) strftime(at, sizeof at, "%d %b %H:%M", &tm);
        snprintf(last, sizeof last, "latest: %s, %s", t, at);
        text(g, g->body, last, b.x + b.w - iround(12 * s), y, C_WHITE, RIGHT);
        break;
    }
}

/* Where the legend goes: the lower left corner of the map (region labels keep clear of it). */
static SDL_Rect legend_box(const cxv_gfx *g, const cxv_layout *L, const cxv_ui *ui) {
    double s = L->s;
    int lh = TTF_FontLineSkip(g->small);
    int resp = !ui->hide_response && g->resp.nunits;
    int pad = iround(8 * s), w = iround(214 * s), h = pad * 2 + lh * (4 + 2 * resp) + iround(30 * s);
    return (SDL_Rect){L->map.x + iround(10 * s), L->map.y + L->map.h - h - iround(10 * s), w, h};
}

static void draw_legend(cxv_gfx *g, const cxv_layout *L, const cxv_ui *ui) {
    double s = L->s;
    static const char *const names[4] = {"working", "degraded", "failed", "repairing"};
    int lh = TTF_FontLineSkip(g->small);
    int resp = !ui->hide_response && g->resp.nunits, trust = ui->layer_trust;
    int pad = iround(8 * s);
    SDL_Rect box = legend_box(g, L, ui);
    fill_rect(g->r, box, (SDL_Color){255, 255, 255, 215});
    int x = box.x + pad, y = box.y + pad;
    for (int i = 0; i < 4; i++) {
        int cx = x + (i % 2) * iround(92 * s), cy = y + (i / 2) * lh;
        fill_circle(g, (float)cx + 5 * (float)s, (float)cy + lh / 2.0f, 5 * (float)s, cxv_state_color(i));
        text(g, g->small, names[i], cx + iround(14 * s), cy, C_TEXT, LEFT);
    }
    y += 2 * lh;
    thick_line(g, (float)x, y + lh / 2.0f, x + 22 * (float)s, y + lh / 2.0f, 1.6f * (float)s, C_LINK);
    text(g, g->small, "link", x + iround(28 * s), y, C_TEXT, LEFT);
    dashed_line(g, x + 92 * (float)s, y + lh / 2.0f, x + 114 * (float)s, y + lh / 2.0f, 1.8f * (float)s,
                5 * (float)s, C_LINK_XB);
    text(g, g->small, "cross-border", x + iround(120 * s), y, C_TEXT, LEFT);
    y += lh;
    if (resp) {
        static const char *const pools[3] = {"national", "ECPP", "rescEU"};
        for (int i = 0; i < 3; i++) {
            int cx = x + i * iround(66 * s);
            fill_circle(g, (float)cx + 5 * (float)s, y + lh / 2.0f, 4.5f * (float)s, cxv_pool_color(i));
            text(g, g->small, pools[i], cx + iround(13 * s), y, C_TEXT, LEFT);
        }
        y += lh;
        ring(g, x + 5 * (float)s, y + lh / 2.0f, 5 * (float)s, 1.6f * (float)s, incident_color("open"));
        text(g, g->small, "incident (size: unmet need)", x + iround(14 * s), y, C_TEXT, LEFT);
        y += lh;
    }
    text(g, g->small, trust ? "public trust (T)" : "people without service", x, y, C_TEXT, LEFT);
    y += lh + iround(2 * s);
    int bw = box.w - 2 * pad, bh = iround(9 * s);
    for (int i = 0; i < bw; i++) {
        double f = (double)i / (bw - 1);
        set_color(g->r, trust ? trust_color(f) : share_color(f));
        SDL_RenderDrawLine(g->r, x + i, y, x + i, y + bh);
    }
    y += bh + 1;
    text(g, g->small, "0%", x, y, C_MUTED, LEFT);
    text(g, g->small, "50%", x + bw / 2, y, C_MUTED, CENTER);
    text(g, g->small, "100%", x + bw, y, C_MUTED, RIGHT);
}

/* ---- title, panel, strip --------------------------------------------------------------------- */

static void speed_text(double sp, char *buf, size_t n) {
    if (sp >= 86400) snprintf(buf, n, "%gd/s", sp / 86400);
    else if (sp >= 3600) snprintf(buf, n, "%gh/s", sp / 3600);
    else snprintf(buf, n, "%gmin/s", sp / 60);
}

static void draw_title(cxv_gfx *g, const cxv_view *v, const cxv_layout *L, const cxv_ui *ui) {
    double s = L->s;
    fill_rect(g->r, L->title, C_TITLE_BG);
    int y = L->title.y + (L->title.h - TTF_FontHeight(g->title)) / 2;
    char clock[96], off[48], right[200];
    cxv_view_clock(v, cxv_view_now(v), clock, sizeof clock);
    cxv_format_offset(cxv_view_now(v), off, sizeof off);
    snprintf(right, sizeof right, "%s   %s", clock, off);
    int rw = text(g, g->title, right, L->w - iround(16 * s), y, C_WHITE, RIGHT);
    /* the title gets what the clock leaves */
    char title[256];
    snprintf(title, sizeof title, "%s", cxv_view_title(v));
    int room = L->w - rw - iround(48 * s);
    while (strlen(title) > 4 && text_w(g->title, title) > room) {
        size_t n = strlen(title);
        /* cut a whole UTF-8 character and end with an ellipsis */
        size_t cut = n - 4;
        while (cut > 0 && ((unsigned char)title[cut] & 0xC0) == 0x80) cut--;
        snprintf(title + cut, sizeof title - cut, "…");
    }
    text(g, g->title, title, iround(16 * s), y, C_WHITE, LEFT);
    if (ui->playing || ui->follow || ui->status[0]) {
        char st[256], sp[32];
        speed_text(ui->speed, sp, sizeof sp);
        snprintf(st, sizeof st, "%s%s%s%s", ui->playing ? "▶ " : "", ui->playing ? sp : "",
                 ui->follow ? "  following" : "", ui->status[0] ? "  " : "");
        size_t l = strlen(st);
        snprintf(st + l, sizeof st - l, "%s", ui->status);
        text(g, g->small, st, L->w - iround(16 * s), L->title.y + L->title.h - TTF_FontHeight(g->small),
             (SDL_Color){190, 205, 220, 255}, RIGHT);
    }
}

static SDL_Color row_color(const cxv_view *v, const cxv_row *r) {
    const cxv_entity *en = cxv_timeline_entity(cxv_view_timeline(v), r->entity);
    if (en->kind == CXV_KIND_INJECT) return C_INJECT;
    if (en->kind == CXV_KIND_RUN) return C_MUTED;
    if (en->kind == CXV_KIND_SECTOR) return share_color(r->value);
    if (en->kind == CXV_KIND_DECISION) return C_DECISION;
    if (en->kind == CXV_KIND_IPCR) return cxv_ipcr_color(cxv_str(cxv_view_timeline(v), r->state));
    if (en->kind == CXV_KIND_INCIDENT) return incident_color(cxv_str(cxv_view_timeline(v), r->state));
    if (en->kind == CXV_KIND_REQUEST) return cxv_pool_color(CX_POOL_ECPP);
    if (en->kind == CXV_KIND_HYBRID || en->kind == CXV_KIND_CAPACITY) return C_MUTED;
    return cxv_state_color(r->st);
}

/* One event of the panel as a wrapped sentence with its kind's colour bar, highlighted (the rows of
 * the newest instant) or not; returns the height used. */
static int event_row(cxv_gfx *g, const cxv_view *v, const cxv_layout *L, const cxv_row *r, int x, int y, int w,
                     int hilite) {
    double s = L->s;
    char sent[1400];
    cxv_view_sentence(v, r, sent, sizeof sent);
    const text_tex *t = cached_text(g, g->body, sent, C_TEXT, w - iround(10 * s));
    if (!t) return 0;
    if (hilite) fill_rect(g->r, (SDL_Rect){L->panel.x + 1, y - 1, L->panel.w - 1, t->h + 2}, C_HILITE);
    fill_rect(g->r, (SDL_Rect){x, y + 1, iround(4 * s), t->h - 2}, row_color(v, r));
    SDL_RenderCopy(g->r, t->t, NULL, &(SDL_Rect){x + iround(10 * s), y, t->w, t->h});
    return t->h + iround(5 * s);
}

/* The side panel of a selection: what it is, its state now, and its rows up to now, newest first
 * (the rows at the newest row's instant highlighted), as many as fit. */
static void draw_history(cxv_gfx *g, cxv_view *v, const cxv_layout *L, const cxv_ui *ui) {
    double s = L->s;
    const SDL_Rect P = L->panel;
    int pad = iround(14 * s), x = P.x + pad, y = P.y + iround(10 * s), w = P.w - 2 * pad;
    int bottom = P.y + P.h - iround(8 * s);
    char name[256], what[256], now[600];
    cxv_view_sel_title(v, &ui->sel, name, sizeof name, what, sizeof what);
    cxv_view_sel_state(v, &ui->sel, now, sizeof now);
    y += text_wrapped(g, g->small, "Selected on the map (Esc, or a click on the empty map: back)", x, y, w, C_MUTED);
    y += iround(4 * s);
    fill_rect(g->r, (SDL_Rect){x - iround(8 * s), y, iround(4 * s), TTF_FontLineSkip(g->title)}, C_SELECT);
    y += text_wrapped(g, g->title, name, x, y, w, C_TEXT);
    y += text_wrapped(g, g->body, what, x, y, w, C_MUTED) + iround(4 * s);
    y += text_wrapped(g, g->bold, now, x, y, w, C_TEXT) + iround(6 * s);
    set_color(g->r, C_RULE);
    SDL_RenderDrawLine(g->r, x, y, x + w, y);
    y += iround(8 * s);
    uint32_t rows[256];
    size_t n = cxv_view_history(v, &ui->sel, rows, sizeof rows / sizeof rows[0]);
    char hdr[96];
    if (n == sizeof rows / sizeof rows[0]) snprintf(hdr, sizeof hdr, "History, newest first (%zu+ rows)", n);
    else if (n && n != (size_t)-1) snprintf(hdr, sizeof hdr, "History, newest first (%zu row%s)", n, n > 1 ? "s" : "");
    else snprintf(hdr, sizeof hdr, "History");
    text(g, g->bold, hdr, x, y, C_TEXT, LEFT);
    y += TTF_FontLineSkip(g->body) + iround(4 * s);
    if (n == 0 || n == (size_t)-1) {
        text_wrapped(g, g->small, "Nothing recorded for it up to this instant. Play on, or press End.", x, y, w, C_MUTED);
        return;
    }
    int64_t newest = cxv_timeline_row(cxv_view_timeline(v), rows[0])->t;
    SDL_RenderSetClipRect(g->r, &(SDL_Rect){P.x, y, P.w, bottom - y});
    for (size_t i = 0; i < n && y < bottom; i++) {
        const cxv_row *r = cxv_timeline_row(cxv_view_timeline(v), rows[i]);
        y += event_row(g, v, L, r, x, y, w, r->t == newest);
    }
    SDL_RenderSetClipRect(g->r, NULL);
}

static void draw_panel(cxv_gfx *g, cxv_view *v, const cxv_layout *L, const cxv_ui *ui) {
    double s = L->s;
    const SDL_Rect P = L->panel;
    fill_rect(g->r, P, C_PANEL);
    set_color(g->r, C_RULE);
    SDL_RenderDrawLine(g->r, P.x, P.y, P.x, P.y + P.h);
    if (ui->sel.kind != CXV_SEL_NONE) {
        draw_history(g, v, L, ui);
        return;
    }
    int pad = iround(14 * s), x = P.x + pad, y = P.y + iround(10 * s), w = P.w - 2 * pad;
    int lh = TTF_FontLineSkip(g->body);
    const cx_scenario *sc = cxv_view_scenario(v);

    text(g, g->bold, "Situation", x, y, C_TEXT, LEFT);
    y += lh + iround(4 * s);
    size_t counts[5];
    cxv_view_counts(v, counts);
    static const char *const names[4] = {"working", "degraded", "failed", "repairing"};
    for (int i = 0; i < 4; i++) {
        char buf[64];
        int cx = x + (i % 2) * (w / 2), cy = y + (i / 2) * lh;
        snprintf(buf, sizeof buf, "%zu %s", counts[i], names[i]);
        fill_circle(g, cx + 5 * (float)s, cy + lh / 2.0f, 5 * (float)s, cxv_state_color(i));
        text(g, g->body, buf, cx + iround(15 * s), cy, C_TEXT, LEFT);
    }
    y += 2 * lh + iround(4 * s);
    double total = 0;
    for (uint32_t r = 0; r < sc->nregions; r++) total += cxv_view_region_people(v, r);
    char buf[512], ppl[32];
    people_text(total, ppl, sizeof ppl);
    snprintf(buf, sizeof buf, "Without service: %s people", ppl);
    text(g, g->body, buf, x, y, C_TEXT, LEFT);
    y += lh;
    /* the three regions hit hardest */
    int top[3] = {-1, -1, -1};
    for (uint32_t r = 0; r < sc->nregions; r++) {
        double sh = cxv_view_region_share(v, r);
        if (sh < 0.0005) continue;
        for (int k = 0; k < 3; k++)
            if (top[k] < 0 || sh > cxv_view_region_share(v, (uint32_t)top[k])) {
                for (int j = 2; j > k; j--) top[j] = top[j - 1];
                top[k] = (int)r;
                break;
            }
    }
    if (top[0] >= 0) {
        size_t l = (size_t)snprintf(buf, sizeof buf, "Worst hit:");
        for (int k = 0; k < 3 && top[k] >= 0 && l < sizeof buf; k++)
            l += (size_t)snprintf(buf + l, sizeof buf - l, "%s %s %.0f%%", k ? "," : "",
                                  sc->regions[top[k]].code,
                                  100 * cxv_view_region_share(v, (uint32_t)top[k]) + 0.4999);
        text(g, g->body, buf, x, y, C_TEXT, LEFT);
        y += lh;
    }
    /* sector-level (input-output) inoperability: the three worst (sector, region) pairs */
    const cxv_timeline *tl = cxv_view_timeline(v);
    const cxv_row *worst[3] = {NULL, NULL, NULL};
    for (size_t e = 0; e < cxv_timeline_entities(tl); e++) {
        if (cxv_timeline_entity(tl, (uint32_t)e)->kind != CXV_KIND_SECTOR) continue;
        const cxv_row *r = cxv_view_entity_row(v, (uint32_t)e);
        if (!r || r->value < 0.005f) continue;
        for (int k = 0; k < 3; k++)
            if (!worst[k] || r->value > worst[k]->value) {
                for (int j = 2; j > k; j--) worst[j] = worst[j - 1];
                worst[k] = r;
                break;
            }
    }
    if (worst[0]) {
        size_t l = (size_t)snprintf(buf, sizeof buf, "Sectors:");
        for (int k = 0; k < 3 && worst[k] && l < sizeof buf; k++) {
            const cxv_entity *en = cxv_timeline_entity(tl, worst[k]->entity);
            l += (size_t)snprintf(buf + l, sizeof buf - l, "%s %s %s %.0f%%", k ? "," : "",
                                  cxv_str(tl, en->name), cxv_str(tl, en->region),
                                  100.0 * worst[k]->value + 0.4999);
        }
        y += text_wrapped(g, g->body, buf, x, y, w, C_TEXT);
    }
    /* response: units by where they are, and the open incidents with their remaining needs */
    if (cxv_resp_update(&g->resp, v) == CX_OK && g->resp.nunits) {
        size_t n[3] = {0, 0, 0};
        for (size_t u = 0; u < g->resp.nunits; u++) {
            cxv_unit_pos p;
            cxv_resp_unit(&g->resp, v, u, &p);
            n[p.where]++;
        }
        snprintf(buf, sizeof buf, "Units: %zu on site, %zu moving, %zu at home", n[CXV_UNIT_ON_SITE],
                 n[CXV_UNIT_MOVING], n[CXV_UNIT_HOME]);
        text(g, g->body, buf, x, y, C_TEXT, LEFT);
        y += lh;
    }
    int shown = 0;
    for (size_t e = 0; e < cxv_timeline_entities(tl) && shown < 3; e++) {
        const cxv_entity *en = cxv_timeline_entity(tl, (uint32_t)e);
        if (en->kind != CXV_KIND_INCIDENT) continue;
        const cxv_row *r = cxv_view_entity_row(v, (uint32_t)e);
        if (!r || !strcmp(cxv_str(tl, r->state), "closed")) continue;
        snprintf(buf, sizeof buf, "Incident %s (%s, %s): %s", cxv_str(tl, en->name), cxv_str(tl, en->region),
                 cxv_str(tl, r->state), cxv_row_text(tl, r));
        fill_rect(g->r, (SDL_Rect){x, y + 2, iround(4 * s), lh - 4}, incident_color(cxv_str(tl, r->state)));
        y += text_wrapped(g, g->small, buf, x + iround(10 * s), y, w - iround(10 * s), C_TEXT);
        shown++;
    }
    y += iround(6 * s);
    set_color(g->r, C_RULE);
    SDL_RenderDrawLine(g->r, x, y, x + w, y);
    y += iround(8 * s);
    text(g, g->bold, "Latest events", x, y, C_TEXT, LEFT);
    y += lh + iround(4 * s);

    /* warnings take the bottom of the panel */
    int bottom = P.y + P.h - iround(8 * s);
    size_t nw = cxv_view_warnings(v);
    for (size_t i = nw; i > 0 && i + 2 > nw; i--) {
        char wb[700];
        snprintf(wb, sizeof wb, "⚠ %s", cxv_view_warning(v, i - 1));
        SDL_Surface *probe = TTF_RenderUTF8_Blended_Wrapped(g->small, wb, C_WARN, (Uint32)w);
        if (!probe) continue;
        int h = probe->h;
        SDL_FreeSurface(probe);
        if (bottom - h < y + 3 * lh) break;
        bottom -= h + iround(4 * s);
        text_wrapped(g, g->small, wb, x, bottom, w, C_WARN);
    }

    /* sector rows come every model step: they are summarised above, not listed */
    size_t upto = cxv_timeline_upto(tl, cxv_view_now(v));
    int64_t newest = INT64_MIN;
    for (size_t i = upto; i > 0 && upto - i < 100000; i--) { /* bounded: a frame stays cheap */
        const cxv_row *r = cxv_timeline_row(tl, i - 1);
        if (cxv_view_listed(v, r)) {
            newest = r->t;
            break;
        }
    }
    if (newest == INT64_MIN) {
        text_wrapped(g, g->small, "Nothing has happened yet. Press Space to play, or click the timeline.",
                     x, y, w, C_MUTED);
        return;
    }
    SDL_RenderSetClipRect(g->r, &(SDL_Rect){P.x, y, P.w, bottom - y});
    for (size_t i = upto; i > 0 && y < bottom && upto - i < 100000; i--) {
        const cxv_row *r = cxv_timeline_row(tl, i - 1);
        if (cxv_view_listed(v, r)) y += event_row(g, v, L, r, x, y, w, r->t == newest);
    }
    SDL_RenderSetClipRect(g->r, NULL);
}

static void draw_strip(cxv_gfx *g, cxv_view *v, const cxv_layout *L) {
    double s = L->s;
    const SDL_Rect S = L->strip;
    fill_rect(g->r, S, C_STRIP);
    set_color(g->r, C_RULE);
    SDL_RenderDrawLine(g->r, S.x, S.y, S.x + S.w, S.y);
    int64_t b = cxv_view_t_begin(v), e = cxv_view_t_end(v), start = cxv_view_start_unix(v);
    int top = S.y + iround(16 * s), ay = L->axis_y;

    /* people without service over the run, as a filled profile */
    int right_used = iround(120 * s); /* the labels in the top right corner, which inject ids avoid */
    size_t np = 0;
    const double *prof = cxv_view_profile(v, &np);
    if (prof && np > 1) {
        double mx = 0;
        for (size_t i = 0; i < np; i++)
            if (prof[i] > mx) mx = prof[i];
        if (mx > 0) {
            int span = L->axis_x1 - L->axis_x0;
            for (int px = 0; px <= span; px++) {
                double f = (double)px / span * (double)(np - 1);
                size_t i = (size_t)f;
                double val = i + 1 < np ? prof[i] + (f - (double)i) * (prof[i + 1] - prof[i]) : prof[np - 1];
                int hgt = iround(val / mx * (ay - top - 2));
                if (hgt <= 0) continue;
                set_color(g->r, C_PROFILE);
                SDL_RenderDrawLine(g->r, L->axis_x0 + px, ay - 1, L->axis_x0 + px, ay - 1 - hgt);
            }
            char buf[64], ppl[32];
            people_text(mx, ppl, sizeof ppl);
            snprintf(buf, sizeof buf, "peak %s without service", ppl);
            right_used = text(g, g->small, buf, L->axis_x1, S.y + iround(2 * s), C_MUTED, RIGHT) + iround(16 * s);
        }
    }

    /* units on site over the run: a line on its own scale (0 to its peak), labelled on the left */
    size_t nd = 0;
    const double *dep = cxv_view_deployed(v, &nd);
    double dmax = 0;
    for (size_t i = 0; dep && i < nd; i++)
        if (dep[i] > dmax) dmax = dep[i];
    float dep_y = -1; /* the curve's y at the cursor */
    if (dmax > 0 && nd > 1) {
        float span = (float)(L->axis_x1 - L->axis_x0), hgt = (float)(ay - top - 2);
        float px = 0, py = 0;
        batch_begin(g);
        for (size_t i = 0; i < nd; i++) {
            float x = (float)L->axis_x0 + span * (float)i / (float)(nd - 1);
            float y = (float)(ay - 1) - (float)(dep[i] / dmax) * hgt;
            if (i) thick_line(g, px, py, x, y, (float)(2 * s), C_DEPLOYED);
            px = x;
            py = y;
        }
        batch_end(g);
        double f = (double)(cxv_view_now(v) - b) / (double)(e - b) * (double)(nd - 1);
        f = f < 0 ? 0 : f > (double)(nd - 1) ? (double)(nd - 1) : f;
        size_t i = (size_t)f;
        double val = i + 1 < nd ? dep[i] + (f - (double)i) * (dep[i + 1] - dep[i]) : dep[nd - 1];
        dep_y = (float)(ay - 1) - (float)(val / dmax) * hgt;
        char buf[96];
        snprintf(buf, sizeof buf, "units on site: %zu now, peak %.0f", cxv_view_units_operating(v, NULL), dmax);
        int ux = L->axis_x1 - right_used, uw = text(g, g->small, buf, ux, S.y + iround(2 * s), C_DEPLOYED, RIGHT);
        float ly = (float)S.y + (float)iround(2 * s) + (float)TTF_FontHeight(g->small) / 2.0f;
        thick_line(g, (float)(ux - uw) - 22 * (float)s, ly, (float)(ux - uw) - 6 * (float)s, ly, (float)(2 * s), C_DEPLOYED);
        right_used += uw + iround(28 * s);
    }

    /* axis and ticks on clock boundaries (UTC) */
    set_color(g->r, C_MUTED);
    SDL_RenderDrawLine(g->r, L->axis_x0, ay, L->axis_x1, ay);
    static const int64_t steps[] = {60,        300,       900,       1800,      3600,
                                    2 * 3600,  3 * 3600,  6 * 3600,  12 * 3600, 86400,
                                    2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400};
    double pps = (double)(L->axis_x1 - L->axis_x0) / (double)(e - b);
    int64_t step = steps[sizeof steps / sizeof steps[0] - 1];
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] * pps >= 64 * s) {
            step = steps[i];
            break;
        }
    int64_t first = b + start;
    int64_t t0 = (first / step) * step;
    if (t0 < first) t0 += step;
    for (int64_t u = t0; u - start <= e; u += step) {
        int x = cxv_layout_time_x(L, v, u - start);
        time_t tt = (time_t)u;
        struct tm tm;
        char lab[32] = "";
        int day = u % 86400 == 0;
        if (gmtime_r(&tt, &tm)) {
            if (day) strftime(lab, sizeof lab, "%d %b", &tm);
            else strftime(lab, sizeof lab, "%H:%M", &tm);
        }
        set_color(g->r, C_MUTED);
        SDL_RenderDrawLine(g->r, x, ay, x, ay + iround((day ? 7 : 4) * s));
        TTF_Font *f = day ? g->bold : g->small;
        int lw = text_w(f, lab), lx = x - lw / 2;
        if (lx < S.x + 2) lx = S.x + 2; /* the first and last labels stay inside the frame */
        if (lx + lw > S.x + S.w - 2) lx = S.x + S.w - 2 - lw;
        text(g, f, lab, lx, ay + iround(8 * s), day ? C_TEXT : C_MUTED, LEFT);
    }

    /* injects: a triangle and a tick each, with their id where there is room */
    const cxv_timeline *tl = cxv_view_timeline(v);
    int last_label = -100000, last_x = -100000;
    size_t ninj = 0;
    const uint32_t *inj = cxv_view_injects(v, &ninj);
    for (size_t i = 0; i < ninj; i++) {
        const cxv_row *r = cxv_timeline_row(tl, inj[i]);
        const cxv_entity *en = cxv_timeline_entity(tl, r->entity);
        int x = cxv_layout_time_x(L, v, r->t);
        if (x == last_x) continue; /* thousands of injects share a few hundred pixels */
        last_x = x;
        set_color(g->r, C_INJECT);
        SDL_RenderDrawLine(g->r, x, top, x, ay);
        float hs = 5 * (float)s;
        triangle(g->r, x - hs, (float)top - hs, x + hs, (float)top - hs, (float)x, (float)top + hs * 0.6f, C_INJECT);
        if (x - last_label < iround(30 * s)) continue;
        const char *id = cxv_str(tl, en->name);
        int w = text_w(g->small, id);
        if (x - last_label > w + iround(10 * s) && x + 4 + w < L->axis_x1 - right_used) {
            text(g, g->small, id, x + iround(7 * s), top - iround(2 * s), C_INJECT, LEFT);
            last_label = x;
        }
    }

    /* IPCR: the mode as a band on the axis; ISAA reports and roundtables as teal dots; decisions
     * as blue diamonds (distinct from the orange inject triangles) */
    if (cxv_resp_update(&g->resp, v) == CX_OK && g->resp.nmarks) {
        const char *mode = NULL;
        int64_t from = 0;
        int bh = iround(4 * s) < 2 ? 2 : iround(4 * s);
        for (size_t k = 0; k <= g->resp.nmarks; k++) {
            const cxv_row *r = k < g->resp.nmarks ? cxv_timeline_row(tl, g->resp.marks[k]) : NULL;
            if (r && cxv_timeline_entity(tl, r->entity)->kind != CXV_KIND_IPCR) continue;
            const char *st = r ? cxv_str(tl, r->state) : NULL;
            if (st && mode && !strcmp(st, mode)) continue;
            if (mode && strcmp(mode, "inactive")) {
                int x0 = cxv_layout_time_x(L, v, from), x1 = cxv_layout_time_x(L, v, r ? r->t : e);
                fill_rect(g->r, (SDL_Rect){x0, ay - bh, x1 - x0 + 1, bh}, cxv_ipcr_color(mode));
            }
            mode = st;
            from = r ? r->t : e;
        }
        /* each change of mode: a tick across the band in the new mode's colour */
        size_t nch = 0;
        const uint32_t *ch = cxv_view_marks(v, CXV_MARK_IPCR, &nch);
        for (size_t k = 0; ch && k < nch; k++) {
            const cxv_row *r = cxv_timeline_row(tl, ch[k]);
            int x = cxv_layout_time_x(L, v, r->t);
            fill_rect(g->r, (SDL_Rect){x - bh / 2, ay - 3 * bh, bh, 3 * bh}, cxv_ipcr_color(cxv_str(tl, r->state)));
        }
        batch_begin(g);
        for (size_t k = 0; k < g->resp.nmarks; k++) {
            const cxv_row *r = cxv_timeline_row(tl, g->resp.marks[k]);
            unsigned kind = cxv_timeline_entity(tl, r->entity)->kind;
            float x = (float)cxv_layout_time_x(L, v, r->t);
            if (kind == CXV_KIND_IPCR && cxv_row_text(tl, r)[0])
                fill_circle(g, x, (float)(ay - iround(30 * s)), 3.5f * (float)s, C_ISAA);
        }
        batch_end(g);
        for (size_t k = 0; k < g->resp.nmarks; k++) {
            const cxv_row *r = cxv_timeline_row(tl, g->resp.marks[k]);
            if (cxv_timeline_entity(tl, r->entity)->kind != CXV_KIND_DECISION) continue;
            float x = (float)cxv_layout_time_x(L, v, r->t), y = (float)(ay - iround(16 * s));
            float d = 6 * (float)s;
            triangle(g->r, x - d, y, x + d, y, x, y - d, C_DECISION);
            triangle(g->r, x - d, y, x + d, y, x, y + d, C_DECISION);
        }
    }

    /* cursor */
    int cx = cxv_layout_time_x(L, v, cxv_view_now(v));
    int cw = iround(2.4 * s) < 2 ? 2 : iround(2.4 * s); /* integer rect: the pixel at cx is exact */
    fill_rect(g->r, (SDL_Rect){cx - cw / 2, S.y + 1, cw, S.h - 1}, C_CURSOR);
    fill_circle(g, (float)cx, (float)ay, 5.5f * (float)s, C_CURSOR);
    if (dep_y >= 0) {
        fill_circle(g, (float)cx, dep_y, 4.5f * (float)s, C_WHITE);
        fill_circle(g, (float)cx, dep_y, 3.2f * (float)s, C_DEPLOYED);
    }
    char off[48];
    cxv_format_offset(cxv_view_now(v), off, sizeof off);
    int w = text_w(g->bold, off), lx = cx + iround(8 * s);
    if (lx + w > S.x + S.w - 4) lx = cx - iround(8 * s) - w;
    int ly = ay - TTF_FontHeight(g->bold) - iround(4 * s);
    fill_rect(g->r, (SDL_Rect){lx - 4, ly - 1, w + 8, TTF_FontHeight(g->bold) + 2}, C_CURSOR);
    text(g, g->bold, off, lx, ly, C_WHITE, LEFT);
}

static void draw_help(cxv_gfx *g, const cxv_layout *L) {
    double s = L->s;
    static const char *const keys[][2] = {
        {"Space", "play / pause"},
        {"+ / -", "faster / slower (1 minute to 7 days per second)"},
        {"← / →", "previous / next event"},
        {"PgUp / PgDn", "previous / next inject"},
        {"D / Shift+D", "next / previous decision"},
        {"I / Shift+I", "next / previous IPCR mode change"},
        {"G or :", "go to a time: T+36h, 1d6h, 22:15, 2024-06-03T06:00Z"},
        {"Home / End", "start / end of the run"},
        {"Click, drag", "on the timeline: go to that instant"},
        {"Click on the map", "an asset, region, incident or unit: its history"},
        {"Esc", "close the help, clear the selection, leave fullscreen (never quits)"},
        {"Wheel, drag", "on the map: zoom, pan   (0: whole scenario)"},
        {"T", "map: public trust instead of people without service"},
        {"L", "map: show / hide incidents and units"},
        {"F", "fullscreen on / off"},
        {"S", "screenshot (PNG in the current folder)"},
        {"? or F1", "this help"},
        {"Q", "quit"},
    };
    size_t n = sizeof keys / sizeof keys[0];
    int lh = TTF_FontLineSkip(g->body) + iround(4 * s);
    int w = iround(580 * s), h = iround(64 * s) + (int)n * lh;
    SDL_Rect box = {(L->w - w) / 2, (L->h - h) / 2, w, h};
    fill_rect(g->r, (SDL_Rect){0, 0, L->w, L->h}, (SDL_Color){0, 0, 0, 90});
    fill_rect(g->r, box, (SDL_Color){29, 43, 58, 240});
    int x = box.x + iround(24 * s), y = box.y + iround(18 * s);
    text(g, g->title, "Keys and mouse", x, y, C_WHITE, LEFT);
    y += iround(34 * s);
    for (size_t i = 0; i < n; i++) {
        text(g, g->bold, keys[i][0], x, y, (SDL_Color){255, 214, 153, 255}, LEFT);
        text(g, g->body, keys[i][1], x + iround(130 * s), y, C_WHITE, LEFT);
        y += lh;
    }
}

/* The selected entity outlined in magenta over a white halo (it reads on every fill); a region's
 * country outline is traced too. */
static void draw_selected(cxv_gfx *g, cxv_view *v, const cxv_ui *ui, double s) {
    float x, y, rad;
    if (!cxv_sel_screen(ui, v, s, &g->resp, &ui->sel, &x, &y, &rad)) return;
    batch_begin(g);
    if (ui->sel.kind == CXV_SEL_REGION) {
        const cxv_map *m = cxv_view_map(v);
        for (size_t c = 0; c < m->ncountries; c++) {
            if (cxv_view_country_region(v, m->countries[c].iso) != (int)ui->sel.index) continue;
            for (uint32_t k = 0; k < m->countries[c].nrings; k++) {
                const cxv_ring *rg = &m->rings[m->countries[c].ring_first + k];
                float px, py;
                cxv_proj_forward(&ui->proj, m->lon[rg->first + rg->n - 1], m->lat[rg->first + rg->n - 1], &px, &py);
                for (uint32_t i = 0; i < rg->n; i++) {
                    float qx, qy;
                    cxv_proj_forward(&ui->proj, m->lon[rg->first + i], m->lat[rg->first + i], &qx, &qy);
                    thick_line(g, px, py, qx, qy, (float)(3 * s), C_SELECT);
                    px = qx;
                    py = qy;
                }
            }
        }
    }
    ring(g, x, y, rad, (float)(6 * s), C_WHITE);
    ring(g, x, y, rad, (float)(3 * s), C_SELECT);
    batch_end(g);
}

/* The go-to-time line, over the top of the map; a bad time's message replaces the hint. */
static void draw_input(cxv_gfx *g, const cxv_layout *L, const cxv_ui *ui) {
    double s = L->s;
    int lh = TTF_FontLineSkip(g->body), pad = iround(12 * s);
    int w = iround(520 * s) < L->map.w - 2 * pad ? iround(520 * s) : L->map.w - 2 * pad;
    SDL_Rect box = {L->map.x + (L->map.w - w) / 2, L->map.y + iround(40 * s), w, 2 * pad + 2 * lh + iround(14 * s)};
    fill_rect(g->r, box, (SDL_Color){29, 43, 58, 240});
    int x = box.x + pad, y = box.y + pad;
    int lw = text(g, g->bold, "Go to time:", x, y + iround(4 * s), C_WHITE, LEFT) + iround(10 * s);
    SDL_Rect field = {x + lw, y, box.w - 2 * pad - lw, lh + iround(8 * s)};
    fill_rect(g->r, field, C_WHITE);
    int tw = text(g, g->body, ui->input_text, field.x + iround(6 * s), y + iround(4 * s), C_TEXT, LEFT);
    fill_rect(g->r, (SDL_Rect){field.x + iround(7 * s) + tw, y + iround(4 * s), iround(2 * s) < 1 ? 1 : iround(2 * s), lh},
              C_TEXT); /* the caret */
    y += field.h + iround(6 * s);
    if (ui->status[0]) text(g, g->small, ui->status, x, y, (SDL_Color){255, 190, 110, 255}, LEFT);
    else text(g, g->small, "Enter: go   Esc: cancel   e.g. T+36h, 1d6h, 90m, 22:15, 2024-06-03T06:00Z", x, y,
              (SDL_Color){190, 205, 220, 255}, LEFT);
}

cx_status cxv_draw_frame(cxv_gfx *g, cxv_view *v, const cxv_layout *L, cxv_ui *ui) {
    g->frame++;
    gfx_scale(g, L->s);
    if (ui->proj_w != L->w || ui->proj_h != L->h) cxv_ui_fit(ui, v, L);
    SDL_SetRenderDrawBlendMode(g->r, SDL_BLENDMODE_BLEND);
    set_color(g->r, C_SEA);
    SDL_RenderClear(g->r);
    SDL_RenderSetClipRect(g->r, &L->map);
    draw_map(g, v, ui, L);
    draw_network(g, v, ui, L);
    draw_asset_labels(g, v, ui, L->s);
    draw_response(g, v, ui, L->s);
    draw_region_labels(g, v, ui, L);
    draw_selected(g, v, ui, L->s);
    draw_legend(g, L, ui);
    draw_ipcr_banner(g, v, L);
    SDL_RenderSetClipRect(g->r, NULL);
    draw_title(g, v, L, ui);
    draw_panel(g, v, L, ui);
    draw_strip(g, v, L);
    if (ui->input) draw_input(g, L, ui);
    if (ui->help) draw_help(g, L);
    return CX_OK;
}

/* ---- headless -------------------------------------------------------------------------------- */

cx_status cxv_render_surface(cxv_view *v, const char *font_path, int w, int h, int64_t T,
                             cxv_ui *ui, SDL_Surface **out, char *err, size_t errn) {
    *out = NULL;
    if (w < 320 || h < 240 || w > 16384 || h > 16384) {
        snprintf(err, errn, "size %dx%d out of range (320x240 to 16384x16384)", w, h);
        return CX_EINVAL;
    }
    cx_status st = cxv_view_seek(v, T);
    if (st != CX_OK) {
        snprintf(err, errn, "cannot seek: %s", cx_status_str(st));
        return st;
    }
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    if (!surf) {
        snprintf(err, errn, "cannot create a %dx%d surface: %s", w, h, SDL_GetError());
        return CX_ENOMEM;
    }
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(surf);
    if (!r) {
        snprintf(err, errn, "cannot create a software renderer: %s", SDL_GetError());
        SDL_FreeSurface(surf);
        return CX_ERUNTIME;
    }
    cxv_gfx *g = NULL;
    st = cxv_gfx_open(r, font_path, &g, err, errn);
    if (st == CX_OK) {
        cxv_layout L;
        cxv_layout_make(&L, w, h);
        st = cxv_draw_frame(g, v, &L, ui);
        SDL_RenderPresent(r);
    }
    cxv_gfx_close(g);
    SDL_DestroyRenderer(r);
    if (st != CX_OK) {
        SDL_FreeSurface(surf);
        return st;
    }
    *out = surf;
    return CX_OK;
}

cx_status cxv_render_png(cxv_view *v, const char *font_path, int w, int h, int64_t T,
                         const char *png_path, char *err, size_t errn) {
    cxv_ui ui;
    cxv_ui_init(&ui);
    SDL_Surface *surf = NULL;
    cx_status st = cxv_render_surface(v, font_path, w, h, T, &ui, &surf, err, errn);
    if (st != CX_OK) return st;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", png_path, (long)getpid());
    if (IMG_SavePNG(surf, tmp) != 0) {
        snprintf(err, errn, "cannot write %s: %s", png_path, IMG_GetError());
        remove(tmp);
        st = CX_EIO;
    } else if (rename(tmp, png_path) != 0) {
        snprintf(err, errn, "cannot rename %s to %s", tmp, png_path);
        remove(tmp);
        st = CX_EIO;
    }
    SDL_FreeSurface(surf);
    return st;
}
