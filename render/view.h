/* view.h — what the viewer shows, without SDL: a timeline, its scenario and the map, the state at
 * the current instant, derived figures (people without service per region) and event sentences.
 * Invariant: every figure is a function of (timeline, scenario, instant) only, never of the path
 * taken to reach the instant, so seeking and playing show the same picture. */
#ifndef CXV_VIEW_H
#define CXV_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "crisim.h"
#include "geo.h"
#include "model/scenario.h"
#include "tlread.h"

typedef struct {
    const char *timeline;     /* path of timeline.csv */
    const char *scenario_dir; /* NULL: scenario_dir of manifest.csv beside the timeline */
    const char *map_path;     /* NULL: the built-in map of Europe */
    int follow;               /* the run may still be writing: keep reading appended rows */
} cxv_view_opts;

typedef struct cxv_view cxv_view;

/* Loads everything. CX_EINPUT / CX_EIO with messages in diags (timeline rows, scenario files,
 * manifest, map). Non-fatal problems become warnings (cxv_view_warning). */
cx_status cxv_view_open(const cxv_view_opts *o, cxv_view **out, cx_diags *diags);
void cxv_view_close(cxv_view *v); /* NULL is a no-op */

size_t cxv_view_warnings(const cxv_view *v);
const char *cxv_view_warning(const cxv_view *v, size_t i);

const cxv_timeline *cxv_view_timeline(const cxv_view *v);
const cx_scenario *cxv_view_scenario(const cxv_view *v);
const cxv_map *cxv_view_map(const cxv_view *v);
const char *cxv_view_title(const cxv_view *v);
int64_t cxv_view_start_unix(const cxv_view *v);
/* The span shown on the timeline strip: [min(0, first row), max(horizon, last row)]. */
int64_t cxv_view_t_begin(const cxv_view *v);
int64_t cxv_view_t_end(const cxv_view *v);

/* "2h", "T+1d6h", "90m", "4200" (seconds), an ISO datetime ("2006-11-04T22:10Z"), or a UTC clock
 * time "22:15" / "22:15:30" = its first occurrence at or after the start of the strip. 0 / -1. */
int cxv_view_parse_time(const cxv_view *v, const char *s, int64_t *T);

/* Moves to instant T (clipped to nothing: any T is allowed) and recomputes the figures. */
cx_status cxv_view_seek(cxv_view *v, int64_t T);
int64_t cxv_view_now(const cxv_view *v);
/* Reads rows appended to a followed timeline; *added rows. */
cx_status cxv_view_follow(cxv_view *v, size_t *added, cx_diags *diags);

/* State of scenario asset a at the current instant. */
typedef struct {
    double op;           /* operability, 1 when the asset has no row yet */
    int st;              /* cxv_asset_state */
    const cxv_row *row;  /* last row, or NULL */
} cxv_asset_view;
cxv_asset_view cxv_view_asset(const cxv_view *v, uint32_t a);
/* Last row of timeline entity e at the current instant, or NULL. */
const cxv_row *cxv_view_entity_row(const cxv_view *v, uint32_t e);

/* Share of a region's population without service at the current instant, in [0,1]: for each sector,
 * the people served by the region's assets times their inoperability, summed; the region's value is
 * the largest sector's (people lacking power and water are counted once) over its population (or,
 * when that is 0, over the people its assets serve). */
double cxv_view_region_share(const cxv_view *v, uint32_t region);
double cxv_view_region_people(const cxv_view *v, uint32_t region); /* people without service */
/* People without service (all regions) sampled at n evenly spaced instants of [t_begin, t_end];
 * computed on first use and after rows were appended. NULL on OOM. O(rows + n * assets). */
const double *cxv_view_profile(cxv_view *v, size_t *n);
/* Row indices of the inject rows, in time order (cached; rebuilt after rows were appended). */
const uint32_t *cxv_view_injects(cxv_view *v, size_t *n);
/* Counts of scenario assets per cxv_asset_state at the current instant (CXV_ST_OTHER unused). */
void cxv_view_counts(const cxv_view *v, size_t counts[5]);

/* A readable sentence for row r: "22:10 Ems 380 kV crossing failed (cascade from DE-West, across
 * the border)". The clock shows the day too when it is not T0's day. */
void cxv_view_sentence(const cxv_view *v, const cxv_row *r, char *buf, size_t n);
/* Clock text of instant T: "Sat 04 Nov 2006 22:10 UTC"; offset "T+1h10m" / "T+2d 03:00". */
void cxv_view_clock(const cxv_view *v, int64_t T, char *buf, size_t n);
void cxv_format_offset(int64_t T, char *buf, size_t n);
/* Display name of scenario asset a (its name, else its id). */
const char *cxv_view_asset_name(const cxv_view *v, uint32_t a);

#endif
