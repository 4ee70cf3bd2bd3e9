/* ui.c — hit testing on the map and the go-to-time input line, without a window.
 * Invariant: the hit areas are the shapes draw.c draws (same positions and radii, plus a few pixels
 * of tolerance for a finger on a projector remote), tested topmost first. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

/* Grab tolerance in pixels around small symbols. */
#define SLOP 3.0f

static float dist(float x0, float y0, float x1, float y1) { return hypotf(x1 - x0, y1 - y0); }

static int pick_unit(const cxv_ui *ui, cxv_view *v, const cxv_layout *L, cxv_resp *R, float x, float y, cxv_sel *out) {
    float best = (float)(6 * L->s) + SLOP;
    int hit = 0;
    for (size_t u = 0; u < R->nunits; u++) {
        cxv_unit_pos p;
        cxv_resp_unit(R, v, u, &p);
        if (p.where != CXV_UNIT_MOVING) continue;
        float x0, y0, x1, y1;
        cxv_proj_forward(&ui->proj, p.lon0, p.lat0, &x0, &y0);
        cxv_proj_forward(&ui->proj, p.lon1, p.lat1, &x1, &y1);
        float d = dist(x, y, x0 + (float)p.f * (x1 - x0), y0 + (float)p.f * (y1 - y0));
        if (d <= best) { /* later units are drawn on top: they win ties */
            best = d;
            *out = (cxv_sel){CXV_SEL_UNIT, R->uname[u]};
            hit = 1;
        }
    }
    return hit;
}

static int pick_asset(const cxv_ui *ui, cxv_view *v, const cxv_layout *L, float x, float y, cxv_sel *out) {
    static const int order[4] = {CXV_ST_WORKING, CXV_ST_DEGRADED, CXV_ST_REPAIRING, CXV_ST_FAILED};
    const cx_scenario *sc = cxv_view_scenario(v);
    float best = cxv_asset_radius(v, L->s) + (float)(1.3 * L->s) + SLOP;
    int hit = 0;
    for (int o = 0; o < 4; o++) /* the drawing order: the last drawn is on top and wins ties */
        for (uint32_t a = 0; a < sc->nassets; a++) {
            if (cxv_view_asset(v, a).st != order[o]) continue;
            float ax, ay;
            cxv_asset_screen(ui, v, a, &ax, &ay);
            float d = dist(x, y, ax, ay);
            if (d <= best) {
                best = d;
                *out = (cxv_sel){CXV_SEL_ASSET, a};
                hit = 1;
            }
        }
    return hit;
}

size_t cxv_incidents_on_map(const cxv_ui *ui, cxv_view *v, double s, cxv_incident_pos **out) {
    const cxv_timeline *tl = cxv_view_timeline(v);
    const cx_scenario *sc = cxv_view_scenario(v);
    size_t n = 0, cap = 0;
    *out = NULL;
    uint32_t *per = calloc(sc->nregions ? sc->nregions : 1, sizeof *per);
    if (!per) return 0;
    for (size_t e = 0; e < cxv_timeline_entities(tl); e++) {
        const cxv_entity *en = cxv_timeline_entity(tl, (uint32_t)e);
        if (en->kind != CXV_KIND_INCIDENT) continue;
        const cxv_row *r = cxv_view_entity_row(v, (uint32_t)e);
        int32_t reg = cxi_scenario_region_index(sc, cxv_str(tl, en->region));
        if (!r || reg < 0) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            cxv_incident_pos *np = realloc(*out, cap * sizeof *np);
            if (!np) break;
            *out = np;
        }
        cxv_incident_pos *p = &(*out)[n++];
        p->entity = (uint32_t)e;
        p->row = r;
        cxv_proj_forward(&ui->proj, sc->regions[reg].lon, sc->regions[reg].lat, &p->x, &p->y);
        p->x -= (float)(per[reg]++ * 22 * s);
    }
    free(per);
    return n;
}

static int pick_incident(const cxv_ui *ui, cxv_view *v, const cxv_layout *L, float x, float y, cxv_sel *out) {
    cxv_incident_pos *inc = NULL;
    size_t n = cxv_incidents_on_map(ui, v, L->s, &inc);
    float best = 1e30f;
    int hit = 0;
    for (size_t k = 0; k < n; k++) {
        float d = dist(x, y, inc[k].x, inc[k].y);
        if (d <= cxv_incident_radius(inc[k].row->value, L->s) + (float)(1.3 * L->s) + SLOP && d <= best) {
            best = d; /* the later one is drawn on top: it wins ties */
            *out = (cxv_sel){CXV_SEL_INCIDENT, inc[k].entity};
            hit = 1;
        }
    }
    free(inc);
    return hit;
}

static int in_box(float x, float y, float x0, float y0, float x1, float y1) {
    return x >= x0 && x <= x1 && y >= y0 && y <= y1;
}

/* A region's point, its label below it and its on-site badges above-right (the label and badge
 * widths depend on the font: the boxes are generous). */
static int pick_region(const cxv_ui *ui, cxv_view *v, const cxv_layout *L, cxv_resp *R, float x, float y,
                       cxv_sel *out) {
    const cx_scenario *sc = cxv_view_scenario(v);
    double s = L->s;
    uint8_t *site = calloc(sc->nregions ? sc->nregions : 1, 1);
    if (!site) return 0;
    if (!ui->hide_response)
        for (size_t u = 0; u < R->nunits; u++) {
            cxv_unit_pos p;
            cxv_resp_unit(R, v, u, &p);
            if (p.where == CXV_UNIT_ON_SITE && p.region >= 0) site[p.region] = 1;
        }
    int hit = 0;
    float best = 1e30f;
    for (uint32_t r = 0; r < sc->nregions; r++) {
        float rx, ry;
        cxv_proj_forward(&ui->proj, sc->regions[r].lon, sc->regions[r].lat, &rx, &ry);
        float d = dist(x, y, rx, ry);
        int on = d <= (float)(10 * s) ||
                 in_box(x, y, rx - (float)(30 * s), ry + (float)(6 * s), rx + (float)(30 * s), ry + (float)(27 * s)) ||
                 (site[r] && in_box(x, y, rx + (float)(12 * s), ry - (float)(38 * s), rx + (float)(110 * s), ry - (float)(10 * s)));
        if (on && d < best) {
            best = d;
            *out = (cxv_sel){CXV_SEL_REGION, r};
            hit = 1;
        }
    }
    free(site);
    return hit;
}

/* Point in polygon (crossing number) on the projected outline of a scenario country. */
static int pick_country(const cxv_ui *ui, const cxv_view *v, float x, float y, cxv_sel *out) {
    const cxv_map *m = cxv_view_map(v);
    for (size_t c = 0; c < m->ncountries; c++) {
        const cxv_country *co = &m->countries[c];
        int reg = cxv_view_country_region(v, co->iso);
        if (reg < 0) continue;
        for (uint32_t k = 0; k < co->nrings; k++) {
            const cxv_ring *rg = &m->rings[co->ring_first + k];
            int inside = 0;
            float px, py;
            cxv_proj_forward(&ui->proj, m->lon[rg->first + rg->n - 1], m->lat[rg->first + rg->n - 1], &px, &py);
            for (uint32_t i = 0; i < rg->n; i++) {
                float qx, qy;
                cxv_proj_forward(&ui->proj, m->lon[rg->first + i], m->lat[rg->first + i], &qx, &qy);
                if ((qy > y) != (py > y) && x < px + (qx - px) * (y - py) / (qy - py)) inside = !inside;
                px = qx;
                py = qy;
            }
            if (inside) {
                *out = (cxv_sel){CXV_SEL_REGION, (uint32_t)reg};
                return 1;
            }
        }
    }
    return 0;
}

int cxv_pick(const cxv_ui *ui, cxv_view *v, const cxv_layout *L, cxv_resp *R, int x, int y, cxv_sel *out) {
    *out = (cxv_sel){CXV_SEL_NONE, 0};
    const SDL_Rect *M = &L->map;
    if (x < M->x || x >= M->x + M->w || y < M->y || y >= M->y + M->h) return 0;
    float fx = (float)x, fy = (float)y;
    int resp = !ui->hide_response && cxv_resp_update(R, v) == CX_OK;
    if (resp && pick_unit(ui, v, L, R, fx, fy, out)) return 1;
    if (pick_asset(ui, v, L, fx, fy, out)) return 1;
    if (resp && pick_incident(ui, v, L, fx, fy, out)) return 1;
    if (pick_region(ui, v, L, R, fx, fy, out)) return 1;
    return pick_country(ui, v, fx, fy, out);
}

int cxv_sel_screen(const cxv_ui *ui, cxv_view *v, double s, cxv_resp *R, const cxv_sel *sel, float *x, float *y,
                   float *rad) {
    const cx_scenario *sc = cxv_view_scenario(v);
    switch (sel->kind) {
    case CXV_SEL_ASSET:
        if (sel->index >= sc->nassets) return 0;
        cxv_asset_screen(ui, v, sel->index, x, y);
        *rad = cxv_asset_radius(v, s) + (float)(5 * s);
        return 1;
    case CXV_SEL_REGION:
        if (sel->index >= sc->nregions) return 0;
        cxv_proj_forward(&ui->proj, sc->regions[sel->index].lon, sc->regions[sel->index].lat, x, y);
        *rad = (float)(10 * s);
        return 1;
    case CXV_SEL_INCIDENT: {
        if (ui->hide_response) return 0;
        cxv_incident_pos *inc = NULL;
        size_t n = cxv_incidents_on_map(ui, v, s, &inc), k = 0;
        while (k < n && inc[k].entity != sel->index) k++;
        if (k < n) {
            *x = inc[k].x;
            *y = inc[k].y;
            *rad = cxv_incident_radius(inc[k].row->value, s) + (float)(5 * s);
        }
        free(inc);
        return k < n;
    }
    case CXV_SEL_UNIT:
        if (ui->hide_response || cxv_resp_update(R, v) != CX_OK) return 0;
        for (size_t u = 0; u < R->nunits; u++) {
            if (R->uname[u] != sel->index) continue;
            cxv_unit_pos p;
            cxv_resp_unit(R, v, u, &p);
            if (p.where == CXV_UNIT_HOME) return 0;
            float x0, y0, x1, y1;
            cxv_proj_forward(&ui->proj, p.lon0, p.lat0, &x0, &y0);
            cxv_proj_forward(&ui->proj, p.lon1, p.lat1, &x1, &y1);
            *x = p.where == CXV_UNIT_MOVING ? x0 + (float)p.f * (x1 - x0) : x0;
            *y = p.where == CXV_UNIT_MOVING ? y0 + (float)p.f * (y1 - y0) : y0;
            *rad = (float)((p.where == CXV_UNIT_MOVING ? 10 : 14) * s);
            return 1;
        }
        return 0;
    default: return 0;
    }
}

/* ---- go to a typed time ---------------------------------------------------------------------- */

void cxv_input_open(cxv_ui *ui, char opener) {
    ui->input = 1;
    ui->input_text[0] = '\0';
    ui->input_skip = opener;
}

cxv_input_action cxv_input_event(cxv_ui *ui, const cxv_view *v, const SDL_Event *e, int64_t *T, char *msg,
                                 size_t msgn) {
    if (!ui->input) return CXV_INPUT_IGNORED;
    if (e->type == SDL_TEXTINPUT) {
        const char *t = e->text.text;
        size_t l = strlen(ui->input_text), n = strlen(t);
        int opener = ui->input_skip && !l && t[0] == ui->input_skip && !t[1];
        ui->input_skip = 0;
        if (!opener && l + n < sizeof ui->input_text) memcpy(ui->input_text + l, t, n + 1);
        return CXV_INPUT_EDITED;
    }
    if (e->type != SDL_KEYDOWN) return CXV_INPUT_IGNORED;
    size_t l = strlen(ui->input_text);
    switch (e->key.keysym.sym) {
    case SDLK_ESCAPE:
        ui->input = 0;
        return CXV_INPUT_CANCEL;
    case SDLK_BACKSPACE:
        while (l > 0 && ((unsigned char)ui->input_text[l - 1] & 0xC0) == 0x80) l--; /* a whole UTF-8 character */
        if (l > 0) l--;
        ui->input_text[l] = '\0';
        return CXV_INPUT_EDITED;
    case SDLK_RETURN: case SDLK_KP_ENTER: {
        char buf[sizeof ui->input_text];
        const char *s = ui->input_text;
        while (*s == ' ') s++;
        snprintf(buf, sizeof buf, "%s", s);
        for (size_t k = strlen(buf); k > 0 && buf[k - 1] == ' '; k--) buf[k - 1] = '\0';
        if (buf[0] && cxv_view_parse_time(v, buf, T) == 0) {
            ui->input = 0;
            return CXV_INPUT_SEEK;
        }
        if (buf[0])
            snprintf(msg, msgn, "'%s' is not a time: type T+36h, 1d6h, 90m, 22:15 or 2024-06-03T06:00Z", buf);
        else snprintf(msg, msgn, "type a time first: T+36h, 1d6h, 90m, 22:15 or 2024-06-03T06:00Z");
        return CXV_INPUT_BAD;
    }
    default: return CXV_INPUT_EDITED; /* other keys do nothing while typing (no play, no quit) */
    }
}
