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
/* How many times cxv_view_follow reopened the timeline because its writer replaced or truncated
 * it (rows, entities and their indices start afresh then). */
unsigned cxv_view_reloads(const cxv_view *v);

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

/* Whether "Latest events" lists row r: sector rows (every model step), unit moves (thousands) and
 * periodic trust rows are summarised or drawn instead. */
int cxv_view_listed(const cxv_view *v, const cxv_row *r);

/* The scenario region drawn on map country `iso` (same code, or EL/UK for ISO GR/GB); -1 none. */
int cxv_view_country_region(const cxv_view *v, const char *iso);

/* Sample instant i of n evenly spaced over [t_begin, t_end] (the instants of the strip's curves). */
int64_t cxv_view_sample_t(const cxv_view *v, size_t i, size_t n);
/* Units deployed on site (a unit's latest capacity row is `operating`) at the same n instants as
 * cxv_view_profile. Computed once, then extended with appended rows (the samples after the newest
 * row are provisional until rows reach them). NULL on OOM. */
const double *cxv_view_deployed(cxv_view *v, size_t *n);
/* Units on site at the current instant, in `region` (a code) or everywhere (NULL). O(entities). */
size_t cxv_view_units_operating(cxv_view *v, const char *region);

/* Marks to step through with the keyboard. */
typedef enum { CXV_MARK_INJECT, CXV_MARK_DECISION, CXV_MARK_IPCR } cxv_mark;
/* Row indices, in time order, of the decision rows (CXV_MARK_DECISION) or of the IPCR transitions
 * (CXV_MARK_IPCR: the ipcr rows whose mode differs from the previous ipcr row's; the first is
 * compared with inactive; ISAA reports and roundtables in the same mode are not transitions).
 * Cached and extended when rows are appended. NULL with *n = 0 on OOM. */
const uint32_t *cxv_view_marks(cxv_view *v, cxv_mark m, size_t *n);
/* The time of the first mark after T (dir > 0) or the last before T (dir < 0): 1, or 0 if none. */
int cxv_view_step(cxv_view *v, cxv_mark m, int dir, int64_t T, int64_t *out);

/* A selected entity (click on the map). */
typedef enum { CXV_SEL_NONE, CXV_SEL_ASSET, CXV_SEL_REGION, CXV_SEL_INCIDENT, CXV_SEL_UNIT } cxv_sel_kind;
typedef struct {
    int kind;       /* cxv_sel_kind */
    uint32_t index; /* asset: scenario asset; region: scenario region; incident: timeline entity;
                     * unit: string id (cxv_str) of the unit's name "<capacity>#<k>" */
} cxv_sel;
/* History of the selection at the current instant: indices of its rows with t <= now, newest first
 * (file order breaks ties), at most max. A region's history holds the rows of its assets, injects,
 * incidents, requests, decisions and hybrid records that cxv_view_listed lists; a unit's all its
 * capacity rows. Returns the number written; (size_t)-1 on OOM. Cost: O(written x entities merged). */
size_t cxv_view_history(cxv_view *v, const cxv_sel *sel, uint32_t *rows, size_t max);
/* Heading of the selection ("Central Italy grid (IT-grid)") and what it is ("power asset in IT"). */
void cxv_view_sel_title(const cxv_view *v, const cxv_sel *sel, char *name, size_t nn, char *what, size_t nw);
/* Its state at the current instant: "Now: failed, operability 0% (since 05 Feb 03:00)". */
void cxv_view_sel_state(cxv_view *v, const cxv_sel *sel, char *buf, size_t n);

/* A readable sentence for row r: "22:10 Ems 380 kV crossing failed (cascade from DE-West, across
 * the border)". The clock shows the day too when it is not T0's day. */
void cxv_view_sentence(const cxv_view *v, const cxv_row *r, char *buf, size_t n);
/* Clock text of instant T: "Sat 04 Nov 2006 22:10 UTC"; offset "T+1h10m" / "T+2d 03:00". */
void cxv_view_clock(const cxv_view *v, int64_t T, char *buf, size_t n);
void cxv_format_offset(int64_t T, char *buf, size_t n);
/* People as shown: "1.2 M", "830 k", "412". */
void cxv_format_people(double p, char *buf, size_t n);
/* Display name of scenario asset a (its name, else its id). */
const char *cxv_view_asset_name(const cxv_view *v, uint32_t a);

#endif
