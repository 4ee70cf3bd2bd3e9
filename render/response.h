/* response.h — the response layer of the viewer, without SDL: units (capacity rows grouped by unit
 * across the regions they name), where each unit is at the current instant, and the IPCR mode.
 * Invariant: everything is a function of (timeline, scenario, instant); caches follow row count. */
#ifndef CXV_RESPONSE_H
#define CXV_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include "view.h"

typedef struct {
    const cxv_timeline *tl;
    size_t rows;        /* timeline rows the caches were built from */
    size_t nunits;
    uint32_t *uname;    /* [nunits] string id of the unit ("<capacity id>#<k>") */
    int32_t *ucap;      /* [nunits] scenario capacity index, -1 when unknown */
    uint32_t *ufirst;   /* [nunits + 1] into urow */
    uint32_t *urow;     /* row indices of each unit's rows, in time order */
    uint32_t *marks;    /* row indices of ipcr and decision rows */
    size_t nmarks;
} cxv_resp;

void cxv_resp_init(cxv_resp *R);
void cxv_resp_free(cxv_resp *R);
/* Rebuilds the caches when the timeline has new rows. CX_ENOMEM. */
cx_status cxv_resp_update(cxv_resp *R, const cxv_view *v);

enum { CXV_UNIT_HOME, CXV_UNIT_MOVING, CXV_UNIT_ON_SITE };
typedef struct {
    int where;               /* CXV_UNIT_* */
    double lon0, lat0;       /* moving: from; on site: the place */
    double lon1, lat1;       /* moving: to */
    double f;                /* moving: share of the trip done at the current instant, [0,1] */
    int32_t region;          /* on site / heading to: region index or -1 */
    int pool;                /* cx_pool, national when the capacity is unknown */
    const cxv_row *row;      /* the unit's last row, or NULL */
} cxv_unit_pos;
/* Where unit u is at the view's instant. A unit in transit (or returning) moves from where it was
 * to its destination, linearly in time between its transit row and its next row (or, when there
 * is no next row, over distance / speed). */
void cxv_resp_unit(const cxv_resp *R, const cxv_view *v, size_t u, cxv_unit_pos *p);
/* IPCR mode at the view's instant (NULL: no ipcr row yet); *since = when that mode began. */
const char *cxv_resp_ipcr(const cxv_resp *R, const cxv_view *v, int64_t *since);

#endif
