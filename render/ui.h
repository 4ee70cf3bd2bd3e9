/* ui.h — the viewer's interaction logic without a window: what a click on the map hits, and the
 * go-to-time input line fed with SDL events. Invariant: pure functions of (view, layout, ui, input),
 * so tests drive them with synthetic events and screen positions. */
#ifndef CXV_UI_H
#define CXV_UI_H

#include <SDL.h>

#include "draw.h"
#include "response.h"

/* What is under screen point (x, y) of the map, topmost first: a moving unit, an asset marker, an
 * incident ring, a region's point / label / on-site badge, then the inside of a scenario country's
 * outline. Incidents and units are skipped while the response layer is hidden (L). R holds the
 * unit positions (updated here from v; it may be a fresh cxv_resp_init'ed one). Writes *out
 * (kind CXV_SEL_NONE on a miss, outside the map area included) and returns 1 on a hit, else 0. */
int cxv_pick(const cxv_ui *ui, cxv_view *v, const cxv_layout *L, cxv_resp *R, int x, int y, cxv_sel *out);

/* The incidents drawn at the current instant, in drawing order (timeline entity order): each at its
 * region's point, several in one region side by side (22 px x s apart, leftwards). *out is a new
 * array the caller frees (NULL when none or on OOM); returns the count. */
typedef struct {
    uint32_t entity;     /* timeline entity */
    const cxv_row *row;  /* its row at the current instant */
    float x, y;          /* centre on screen */
} cxv_incident_pos;
size_t cxv_incidents_on_map(const cxv_ui *ui, cxv_view *v, double s, cxv_incident_pos **out);

/* Where the selection is drawn now: its centre on screen and the radius an outline ring takes.
 * 0 when it is not on the map at this instant (an incident with no row yet, a unit at home, the
 * response layer hidden); regions are always on it (their point). */
int cxv_sel_screen(const cxv_ui *ui, cxv_view *v, double s, cxv_resp *R, const cxv_sel *sel, float *x, float *y,
                   float *rad);

/* The go-to-time line. cxv_input_open starts it (opener: the character of the key that opened it,
 * whose text event is dropped). cxv_input_event handles one SDL event while it is open. */
typedef enum {
    CXV_INPUT_IGNORED, /* not an event for the line */
    CXV_INPUT_EDITED,  /* the text changed (or a key was swallowed): redraw */
    CXV_INPUT_SEEK,    /* Enter on a valid time: *T set, the line is closed */
    CXV_INPUT_CANCEL,  /* Escape: the line is closed */
    CXV_INPUT_BAD      /* Enter on text that is not a time: msg says why, the text is kept */
} cxv_input_action;
void cxv_input_open(cxv_ui *ui, char opener);
cxv_input_action cxv_input_event(cxv_ui *ui, const cxv_view *v, const SDL_Event *e, int64_t *T, char *msg,
                                 size_t msgn);

#endif
