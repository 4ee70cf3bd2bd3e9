/* geo.h — country outlines for the viewer's map (scenarios/geo/europe.csv, built into the binary)
 * and the map projection. Invariant: every outline ring is triangulated once at load, so a frame
 * only projects points; the projection is Lambert azimuthal equal-area (areas compare fairly). */
#ifndef CXV_GEO_H
#define CXV_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "crisim.h"

typedef struct {
    uint32_t first, n;        /* points of the ring: lon[first .. first+n) */
    uint32_t tri_first, ntri; /* triangles: tri[3*tri_first ..], indices relative to `first` */
    uint32_t country;
} cxv_ring;

typedef struct {
    char iso[8];              /* ISO 3166-1 alpha-2 */
    uint32_t ring_first, nrings;
    int has_marker;           /* small state: draw a dot at (mlon, mlat) when the outline is tiny */
    double mlon, mlat;
    double lon0, lat0, lon1, lat1; /* bounding box of the outline (or the marker) */
} cxv_country;

typedef struct {
    cxv_country *countries;
    size_t ncountries;
    cxv_ring *rings;
    size_t nrings;
    double *lon, *lat;  /* npoints */
    size_t npoints;
    uint32_t *tri;      /* 3 * ntri indices */
    size_t ntri;
} cxv_map;

/* The map built into the viewer (a copy of scenarios/geo/europe.csv at build time). */
extern const unsigned char cxv_builtin_map_csv[];
extern const size_t cxv_builtin_map_csv_len;

/* Parses map CSV text (iso,part,lon,lat). `path` names it in messages. CX_EINPUT with
 * "path:line:col: column 'x': ..." in diags on bad rows; CX_ENOMEM. */
cx_status cxv_map_parse(const char *text, size_t n, const char *path, cxv_map *out, cx_diags *diags);
/* Reads and parses a map file (CX_EIO when unreadable). */
cx_status cxv_map_load(const char *path, cxv_map *out, cx_diags *diags);
void cxv_map_free(cxv_map *m);
/* Index of the country with this ISO code (case-insensitive), -1 when absent. */
int cxv_map_country(const cxv_map *m, const char *iso);

/* Ear-clipping triangulation of a simple polygon (n >= 3 points, either orientation). Writes
 * 3*(n-2) indices into tri (0-based into the ring). Never fails: degenerate rings still produce
 * n-2 triangles (some may be slivers). */
void cxv_triangulate(const double *x, const double *y, size_t n, uint32_t *tri);

/* Projection onto a screen rectangle. */
typedef struct {
    double lon0, lat0;  /* centre of the projection, degrees */
    double cx, cy;      /* projected point shown at the rectangle's centre (Earth radii) */
    double scale;       /* pixels per Earth radius */
    double ox, oy, w, h; /* screen rectangle */
} cxv_proj;

/* Fits the box [lon0,lon1]x[lat0,lat1] into the rectangle with `margin` (share of the size, e.g.
 * 0.08) around it. */
void cxv_proj_fit(cxv_proj *p, double lon0, double lat0, double lon1, double lat1, double ox,
                  double oy, double w, double h, double margin);
void cxv_proj_forward(const cxv_proj *p, double lon, double lat, float *sx, float *sy);
/* Zooms by `factor` keeping the screen point (sx, sy) fixed. */
void cxv_proj_zoom(cxv_proj *p, double factor, double sx, double sy);
void cxv_proj_pan(cxv_proj *p, double dx_px, double dy_px);

#endif
