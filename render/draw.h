/* draw.h — draws one frame of the viewer with an SDL_Renderer (a window's, or a software renderer
 * on a surface for PNGs) and runs the interactive window.
 * Invariant: a frame depends only on (view at its instant, layout, ui); drawing never seeks. */
#ifndef CXV_DRAW_H
#define CXV_DRAW_H

#include <SDL.h>

#include "geo.h"
#include "view.h"

/* Screen areas of a w x h frame. */
typedef struct {
    int w, h;
    double s;                 /* UI scale: 1 at 1280x720 */
    SDL_Rect title, map, panel, strip;
    int axis_x0, axis_x1;     /* the timeline axis, pixels */
    int axis_y;
} cxv_layout;
void cxv_layout_make(cxv_layout *L, int w, int h);
/* x of instant T on the timeline axis (clipped to the axis), and back. */
int cxv_layout_time_x(const cxv_layout *L, const cxv_view *v, int64_t T);
int64_t cxv_layout_x_time(const cxv_layout *L, const cxv_view *v, int x);

/* Interaction state that drawing reads. */
typedef struct {
    cxv_proj proj;
    int proj_w, proj_h;       /* layout the projection was fitted for (0: fit at next draw) */
    int help;                 /* show the help overlay */
    int playing;
    double speed;             /* simulated seconds per real second */
    int follow;               /* following a live timeline */
    char status[160];         /* a transient message ("saved shot-0001.png") */
    int layer_trust;          /* T: shade regions by public trust instead of people without service */
    int hide_response;        /* L: hide incidents and units on the map */
    cxv_sel sel;              /* the entity clicked on the map: its history replaces the panel */
    int input;                /* the go-to-time line (g or :) is open */
    char input_text[64];      /* what was typed into it (UTF-8) */
    char input_skip;          /* the key that opened it: its own text event is dropped */
} cxv_ui;
void cxv_ui_init(cxv_ui *ui);
/* Fits the projection to the scenario's extent in the layout's map area. */
void cxv_ui_fit(cxv_ui *ui, const cxv_view *v, const cxv_layout *L);
/* Screen position of scenario asset a under the ui's projection. */
void cxv_asset_screen(const cxv_ui *ui, const cxv_view *v, uint32_t a, float *x, float *y);

/* Radius in pixels of an incident's ring for its remaining need (UI scale s). */
float cxv_incident_radius(double need, double s);
/* Radius in pixels of asset markers (smaller when the scenario has many assets), without the border. */
float cxv_asset_radius(const cxv_view *v, double s);
/* Colour of the outline around the selected entity. */
SDL_Color cxv_select_color(void);

/* Colours used for asset markers by state (cxv_asset_state), exposed for tests. */
SDL_Color cxv_state_color(int st);

/* IPCR banner colour of a mode (inactive and closed grey, monitoring blue, information_sharing
 * amber, full red) and unit colour of a pool (cx_pool); exposed for tests. */
SDL_Color cxv_ipcr_color(const char *mode);
SDL_Color cxv_pool_color(int pool);
SDL_Color cxv_decision_color(void);
/* Height of the IPCR banner at the top of the map area (0 when no banner at the view's instant). */
int cxv_ipcr_banner_h(const cxv_layout *L);

/* Fonts for one renderer. */
typedef struct cxv_gfx cxv_gfx;
/* font_path NULL: DejaVuSans. Fails with a message naming the missing font file. */
cx_status cxv_gfx_open(SDL_Renderer *r, const char *font_path, cxv_gfx **out, char *err, size_t errn);
void cxv_gfx_close(cxv_gfx *g); /* NULL is a no-op */

/* Draws the frame at the view's current instant. */
cx_status cxv_draw_frame(cxv_gfx *g, cxv_view *v, const cxv_layout *L, cxv_ui *ui);

/* Headless: draws the frame at instant T into a w x h RGB888 surface and saves it as PNG (written
 * to a temporary name, then renamed). Inits no SDL subsystem. */
cx_status cxv_render_png(cxv_view *v, const char *font_path, int w, int h, int64_t T,
                         const char *png_path, char *err, size_t errn);
/* Headless: renders to a new surface (the caller frees it with SDL_FreeSurface); for tests. */
cx_status cxv_render_surface(cxv_view *v, const char *font_path, int w, int h, int64_t T,
                             cxv_ui *ui, SDL_Surface **out, char *err, size_t errn);

typedef struct {
    const char *font_path; /* NULL: DejaVuSans */
    int w, h;              /* initial window size */
    int64_t t0;            /* initial instant */
    int follow;            /* re-read appended rows every second */
    const char *shot_dir;  /* where S saves screenshots ("." when NULL) */
    int max_frames;        /* > 0: quit after this many drawn frames (tests) */
} cxv_window_opts;
/* Opens a resizable window and runs until the user quits. Needs SDL's video subsystem. */
cx_status cxv_window_run(cxv_view *v, const cxv_window_opts *o, char *err, size_t errn);

#endif
