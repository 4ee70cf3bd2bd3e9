/* response.c — units, their positions and the IPCR mode for the viewer's response layer.
 * Invariant: a unit's rows (urow) are in timeline order, so its state at T is its last row with
 * t <= T, found by binary search; nothing depends on how the instant was reached. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "response.h"

void cxv_resp_init(cxv_resp *R) { memset(R, 0, sizeof *R); }

void cxv_resp_free(cxv_resp *R) {
    free(R->uname);
    free(R->ucap);
    free(R->ufirst);
    free(R->urow);
    free(R->marks);
    cxv_resp_init(R);
}

static const cxv_timeline *sort_tl; /* qsort has no context argument; set just around the call */

static int by_name(const void *a, const void *b) {
    uint32_t x = cxv_timeline_entity(sort_tl, *(const uint32_t *)a)->name;
    uint32_t y = cxv_timeline_entity(sort_tl, *(const uint32_t *)b)->name;
    return x < y ? -1 : x > y;
}

static int32_t capacity_of(const cx_scenario *sc, const char *unit) {
    const char *h = strrchr(unit, '#');
    size_t n = h ? (size_t)(h - unit) : strlen(unit);
    for (uint32_t c = 0; c < sc->ncapacities; c++)
        if (strlen(sc->capacities[c].id) == n && !strncmp(sc->capacities[c].id, unit, n)) return (int32_t)c;
    return -1;
}

cx_status cxv_resp_update(cxv_resp *R, const cxv_view *v) {
    const cxv_timeline *tl = cxv_view_timeline(v);
    size_t rows = cxv_timeline_rows(tl), nent = cxv_timeline_entities(tl);
    if (R->tl == tl && R->rows == rows && R->ufirst) return CX_OK;
    cxv_resp_free(R);
    uint32_t *ents = malloc((nent ? nent : 1) * sizeof *ents);
    uint32_t *eunit = malloc((nent ? nent : 1) * sizeof *eunit);
    size_t ne = 0, nm = 0;
    if (!ents || !eunit) goto oom;
    for (size_t e = 0; e < nent; e++) {
        eunit[e] = UINT32_MAX;
        if (cxv_timeline_entity(tl, (uint32_t)e)->kind == CXV_KIND_CAPACITY) ents[ne++] = (uint32_t)e;
    }
    sort_tl = tl;
    qsort(ents, ne, sizeof *ents, by_name);
    sort_tl = NULL;
    size_t nu = 0;
    for (size_t i = 0; i < ne; i++) {
        if (i && cxv_timeline_entity(tl, ents[i])->name == cxv_timeline_entity(tl, ents[i - 1])->name)
            eunit[ents[i]] = (uint32_t)(nu - 1);
        else eunit[ents[i]] = (uint32_t)nu++;
    }
    R->uname = malloc((nu ? nu : 1) * sizeof *R->uname);
    R->ucap = malloc((nu ? nu : 1) * sizeof *R->ucap);
    R->ufirst = calloc(nu + 1, sizeof *R->ufirst);
    if (!R->uname || !R->ucap || !R->ufirst) goto oom;
    const cx_scenario *sc = cxv_view_scenario(v);
    for (size_t i = 0; i < ne; i++) {
        uint32_t u = eunit[ents[i]], name = cxv_timeline_entity(tl, ents[i])->name;
        R->uname[u] = name;
        R->ucap[u] = capacity_of(sc, cxv_str(tl, name));
    }
    size_t nr = 0;
    for (size_t i = 0; i < rows; i++) {
        const cxv_row *r = cxv_timeline_row(tl, i);
        unsigned k = cxv_timeline_entity(tl, r->entity)->kind;
        if (eunit[r->entity] != UINT32_MAX) {
            R->ufirst[eunit[r->entity] + 1]++;
            nr++;
        } else if (k == CXV_KIND_IPCR || k == CXV_KIND_DECISION) nm++;
    }
    for (size_t u = 0; u < nu; u++) R->ufirst[u + 1] += R->ufirst[u];
    R->urow = malloc((nr ? nr : 1) * sizeof *R->urow);
    R->marks = malloc((nm ? nm : 1) * sizeof *R->marks);
    uint32_t *fill = calloc(nu ? nu : 1, sizeof *fill);
    if (!R->urow || !R->marks || !fill) {
        free(fill);
        goto oom;
    }
    for (size_t i = 0; i < rows; i++) {
        const cxv_row *r = cxv_timeline_row(tl, i);
        unsigned k = cxv_timeline_entity(tl, r->entity)->kind;
        uint32_t u = eunit[r->entity];
        if (u != UINT32_MAX) R->urow[R->ufirst[u] + fill[u]++] = (uint32_t)i;
        else if (k == CXV_KIND_IPCR || k == CXV_KIND_DECISION) R->marks[R->nmarks++] = (uint32_t)i;
    }
    free(fill);
    free(ents);
    free(eunit);
    R->nunits = nu;
    R->tl = tl;
    R->rows = rows;
    return CX_OK;
oom:
    free(ents);
    free(eunit);
    cxv_resp_free(R);
    return CX_ENOMEM;
}

static int region_point(const cx_scenario *sc, const char *code, double *lon, double *lat) {
    int32_t r = cxi_scenario_region_index(sc, code);
    if (r < 0) return -1;
    *lon = sc->regions[r].lon;
    *lat = sc->regions[r].lat;
    return r;
}

static double km_between(double lon0, double lat0, double lon1, double lat1) {
    const double d = M_PI / 180;
    double a = sin((lat1 - lat0) * d / 2), b = sin((lon1 - lon0) * d / 2);
    double h = a * a + cos(lat0 * d) * cos(lat1 * d) * b * b;
    return 2 * 6371.0 * asin(sqrt(h < 1 ? h : 1));
}

void cxv_resp_unit(const cxv_resp *R, const cxv_view *v, size_t u, cxv_unit_pos *p) {
    memset(p, 0, sizeof *p);
    p->region = -1;
    if (u >= R->nunits) return;
    const cxv_timeline *tl = cxv_view_timeline(v);
    const cx_scenario *sc = cxv_view_scenario(v);
    const cx_capacity *cap = R->ucap[u] >= 0 ? &sc->capacities[R->ucap[u]] : NULL;
    p->pool = cap ? cap->pool : CX_POOL_NATIONAL;
    int64_t now = cxv_view_now(v);
    size_t lo = R->ufirst[u], hi = R->ufirst[u + 1];
    while (lo < hi) { /* first row with t > now */
        size_t mid = lo + (hi - lo) / 2;
        if (cxv_timeline_row(tl, R->urow[mid])->t <= now) lo = mid + 1;
        else hi = mid;
    }
    if (lo == R->ufirst[u]) return;
    size_t i = lo - 1;
    const cxv_row *r = cxv_timeline_row(tl, R->urow[i]);
    p->row = r;
    const char *st = cxv_str(tl, r->state), *reg = cxv_str(tl, cxv_timeline_entity(tl, r->entity)->region);
    double hlon = cap ? cap->lon : 0, hlat = cap ? cap->lat : 0;
    if (!strcmp(st, "operating")) {
        p->region = region_point(sc, reg, &p->lon0, &p->lat0);
        p->where = p->region >= 0 ? CXV_UNIT_ON_SITE : CXV_UNIT_HOME;
        return;
    }
    int ret = !strcmp(st, "returning");
    if (strcmp(st, "transit") && !ret) return;
    /* origin: the previous place when the unit was away from home, else home */
    p->lon0 = hlon;
    p->lat0 = hlat;
    if (i > R->ufirst[u]) {
        const cxv_row *q = cxv_timeline_row(tl, R->urow[i - 1]);
        const char *qs = cxv_str(tl, q->state);
        if (!strcmp(qs, "operating") || !strcmp(qs, "transit") ||
            !strcmp(cxv_row_text(tl, q), "prepositioned"))
            region_point(sc, cxv_str(tl, cxv_timeline_entity(tl, q->entity)->region), &p->lon0, &p->lat0);
    }
    int known = cap != NULL;
    if (i > R->ufirst[u]) known = known || p->lon0 != hlon || p->lat0 != hlat;
    if (ret) {
        p->lon1 = hlon;
        p->lat1 = hlat;
    } else {
        p->region = region_point(sc, reg, &p->lon1, &p->lat1);
        if (p->region < 0) return;
    }
    /* a unit of a capacity the scenario does not have: no home, so no line to draw */
    if (!cap && (ret || !known)) {
        if (!ret) {
            p->lon0 = p->lon1;
            p->lat0 = p->lat1;
            p->f = 1;
            p->where = CXV_UNIT_MOVING;
        }
        return;
    }
    double dur = 0;
    if (i + 1 < R->ufirst[u + 1]) dur = (double)(cxv_timeline_row(tl, R->urow[i + 1])->t - r->t);
    else if (cap && cap->speed_kmh > 0)
        dur = km_between(p->lon0, p->lat0, p->lon1, p->lat1) / cap->speed_kmh * 3600;
    double f = dur > 0 ? (double)(now - r->t) / dur : 1;
    p->f = f < 0 ? 0 : f > 1 ? 1 : f;
    p->where = CXV_UNIT_MOVING;
}

const char *cxv_resp_ipcr(const cxv_resp *R, const cxv_view *v, int64_t *since) {
    const cxv_timeline *tl = cxv_view_timeline(v);
    size_t upto = cxv_timeline_upto(tl, cxv_view_now(v));
    const char *mode = NULL;
    *since = 0;
    for (size_t k = R->nmarks; k > 0; k--) {
        if (R->marks[k - 1] >= upto) continue;
        const cxv_row *r = cxv_timeline_row(tl, R->marks[k - 1]);
        if (cxv_timeline_entity(tl, r->entity)->kind != CXV_KIND_IPCR) continue;
        const char *st = cxv_str(tl, r->state);
        if (mode && strcmp(st, mode)) break;
        mode = st;
        *since = r->t;
    }
    return mode;
}
