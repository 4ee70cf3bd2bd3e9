/* geo.c — map outlines (parse + triangulate) and the Lambert azimuthal equal-area projection.
 * Invariant: rings of one country are consecutive rows with the same (iso, part); part 0 is a
 * marker point; triangles index points of their own ring. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "geo.h"
#include "io/io_api.h"

#define DEG (3.14159265358979323846 / 180.0)

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need) nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np) return -1;
    *p = np;
    *cap = nc;
    return 0;
}

/* ---- triangulation ------------------------------------------------------------------------- */

static double cross3(const double *x, const double *y, uint32_t a, uint32_t b, uint32_t c) {
    return (x[b] - x[a]) * (y[c] - y[a]) - (y[b] - y[a]) * (x[c] - x[a]);
}

static int inside(const double *x, const double *y, uint32_t a, uint32_t b, uint32_t c, uint32_t p) {
    /* strictly inside or on an edge of the counter-clockwise triangle abc */
    return cross3(x, y, a, b, p) >= 0 && cross3(x, y, b, c, p) >= 0 && cross3(x, y, c, a, p) >= 0;
}

void cxv_triangulate(const double *x, const double *y, size_t n, uint32_t *tri) {
    if (n < 3) return;
    uint32_t stackbuf[512];
    uint32_t *v = n <= 512 ? stackbuf : malloc(n * sizeof *v);
    size_t out = 0;
    if (!v) { /* no memory: a fan still covers convex rings and never overruns tri */
        for (size_t i = 1; i + 1 < n; i++) {
            tri[out++] = 0;
            tri[out++] = (uint32_t)i;
            tri[out++] = (uint32_t)(i + 1);
        }
        return;
    }
    double area = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = (i + 1) % n;
        area += x[i] * y[j] - x[j] * y[i];
    }
    for (size_t i = 0; i < n; i++) v[i] = (uint32_t)(area >= 0 ? i : n - 1 - i);
    size_t count = n, k = 0, misses = 0;
    while (count > 3) {
        uint32_t a = v[(k + count - 1) % count], b = v[k % count], c = v[(k + 1) % count];
        int ear = cross3(x, y, a, b, c) > 0;
        for (size_t i = 0; ear && i < count; i++) {
            uint32_t p = v[i];
            if (p == a || p == b || p == c) continue;
            if ((x[p] == x[a] && y[p] == y[a]) || (x[p] == x[b] && y[p] == y[b]) ||
                (x[p] == x[c] && y[p] == y[c]))
                continue;
            if (inside(x, y, a, b, c, p)) ear = 0;
        }
        /* after a full round without an ear the ring is degenerate here: clip anyway */
        if (ear || misses >= count) {
            tri[out++] = a;
            tri[out++] = b;
            tri[out++] = c;
            size_t at = k % count;
            memmove(v + at, v + at + 1, (count - at - 1) * sizeof *v);
            count--;
            misses = 0;
            k = at == 0 ? 0 : at - 1;
        } else {
            k = (k + 1) % count;
            misses++;
        }
    }
    tri[out++] = v[0];
    tri[out++] = v[1];
    tri[out++] = v[2];
    if (v != stackbuf) free(v);
}

/* ---- parsing --------------------------------------------------------------------------------- */

void cxv_map_free(cxv_map *m) {
    if (!m) return;
    free(m->countries);
    free(m->rings);
    free(m->lon);
    free(m->lat);
    free(m->tri);
    memset(m, 0, sizeof *m);
}

int cxv_map_country(const cxv_map *m, const char *iso) {
    for (size_t i = 0; i < m->ncountries; i++)
        if (!strcasecmp(m->countries[i].iso, iso)) return (int)i;
    return -1;
}

static int parse_num(const char *s, size_t n, double *out) {
    char buf[48];
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return cxi_number_parse(buf, 0, out, NULL);
}

typedef struct {
    size_t ccap, rcap, pcap, qcap, tcap;
} caps;

static int finish_ring(cxv_map *m, caps *cp) {
    if (m->nrings == 0) return 0;
    cxv_ring *r = &m->rings[m->nrings - 1];
    if (r->n < 3) return 0;
    size_t nt = r->n - 2;
    if (grow((void **)&m->tri, &cp->tcap, 3 * (m->ntri + nt), sizeof *m->tri)) return -1;
    r->tri_first = (uint32_t)m->ntri;
    r->ntri = (uint32_t)nt;
    cxv_triangulate(m->lon + r->first, m->lat + r->first, r->n, m->tri + 3 * m->ntri);
    m->ntri += nt;
    return 0;
}

cx_status cxv_map_parse(const char *text, size_t n, const char *path, cxv_map *out, cx_diags *diags) {
    cxv_map m;
    caps cp = {0, 0, 0, 0, 0};
    memset(&m, 0, sizeof m);
    size_t pos = 0, errors = 0;
    unsigned line = 0;
    char prev_iso[8] = "";
    long prev_part = -1;
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) pos = 3;
    while (pos < n) {
        size_t end = pos;
        while (end < n && text[end] != '\n') end++;
        size_t len = end - pos;
        if (len && text[pos + len - 1] == '\r') len--;
        const char *s = text + pos;
        line++;
        pos = end + 1;
        if (len == 0) continue;
        if (line == 1) {
            if (len < 16 || strncasecmp(s, "iso,part,lon,lat", 16) != 0) {
                cxi_diag_add(diags, path, 1, 1, "column 'iso': header is not iso,part,lon,lat");
                cxv_map_free(&m);
                return CX_EINPUT;
            }
            continue;
        }
        const char *f[4];
        size_t fl[4], nf = 0, start = 0;
        for (size_t i = 0; i <= len && nf < 4; i++)
            if (i == len || s[i] == ',') {
                f[nf] = s + start;
                fl[nf++] = i - start;
                start = i + 1;
            }
        static const char *const names[4] = {"iso", "part", "lon", "lat"};
        double part = 0, lon = 0, lat = 0;
        int bad = -1;
        if (nf < 4) bad = (int)nf;
        else if (fl[0] == 0 || fl[0] >= sizeof prev_iso) bad = 0;
        else if (parse_num(f[1], fl[1], &part) || part < 0 || part != floor(part) || part > 1e6) bad = 1;
        else if (parse_num(f[2], fl[2], &lon) || lon < -180 || lon > 180) bad = 2;
        else if (parse_num(f[3], fl[3], &lat) || lat < -90 || lat > 90) bad = 3;
        if (bad >= 0) {
            unsigned col = bad < (int)nf ? (unsigned)(f[bad] - s) + 1 : (unsigned)len + 1;
            cxi_diag_add(diags, path, line, col, "column '%s': %s", names[bad],
                         bad == 0   ? "expected an ISO code"
                         : bad == 1 ? "expected a ring number >= 0 (0 = marker)"
                         : bad == 2 ? "expected a longitude in [-180, 180]"
                                    : "expected a latitude in [-90, 90]");
            errors++;
            continue;
        }
        char iso[8];
        memcpy(iso, f[0], fl[0]);
        iso[fl[0]] = '\0';
        int ci = strcmp(iso, prev_iso) == 0 && m.ncountries ? (int)m.ncountries - 1 : cxv_map_country(&m, iso);
        if (ci < 0) {
            if (grow((void **)&m.countries, &cp.ccap, m.ncountries + 1, sizeof *m.countries)) goto oom;
            cxv_country *c = &m.countries[m.ncountries];
            memset(c, 0, sizeof *c);
            memcpy(c->iso, iso, sizeof iso);
            c->ring_first = (uint32_t)m.nrings;
            c->lon0 = c->lat0 = 1e9;
            c->lon1 = c->lat1 = -1e9;
            ci = (int)m.ncountries++;
        }
        cxv_country *c = &m.countries[ci];
        if (lon < c->lon0) c->lon0 = lon;
        if (lon > c->lon1) c->lon1 = lon;
        if (lat < c->lat0) c->lat0 = lat;
        if (lat > c->lat1) c->lat1 = lat;
        if (part == 0) {
            c->has_marker = 1;
            c->mlon = lon;
            c->mlat = lat;
        } else {
            int new_ring = strcmp(iso, prev_iso) != 0 || (long)part != prev_part;
            if (new_ring) {
                if (finish_ring(&m, &cp)) goto oom;
                if (c->nrings && c->ring_first + c->nrings != m.nrings) {
                    cxi_diag_add(diags, path, line, 1, "column 'iso': rows of '%s' are not consecutive", iso);
                    errors++;
                    continue;
                }
                if (grow((void **)&m.rings, &cp.rcap, m.nrings + 1, sizeof *m.rings)) goto oom;
                cxv_ring *r = &m.rings[m.nrings++];
                memset(r, 0, sizeof *r);
                r->first = (uint32_t)m.npoints;
                r->country = (uint32_t)ci;
                if (!c->nrings) c->ring_first = (uint32_t)(m.nrings - 1);
                c->nrings++;
            }
            if (grow((void **)&m.lon, &cp.pcap, m.npoints + 1, sizeof *m.lon) ||
                grow((void **)&m.lat, &cp.qcap, m.npoints + 1, sizeof *m.lat))
                goto oom;
            m.lon[m.npoints] = lon;
            m.lat[m.npoints] = lat;
            m.npoints++;
            m.rings[m.nrings - 1].n++;
        }
        memcpy(prev_iso, iso, sizeof iso);
        prev_part = (long)part;
    }
    if (finish_ring(&m, &cp)) goto oom;
    if (errors) {
        cxv_map_free(&m);
        return CX_EINPUT;
    }
    *out = m;
    return CX_OK;
oom:
    cxv_map_free(&m);
    return CX_ENOMEM;
}

cx_status cxv_map_load(const char *path, cxv_map *out, cx_diags *diags) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        cxi_diag_add(diags, path, 0, 0, "cannot open the map file");
        return CX_EIO;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (grow((void **)&buf, &cap, n + 65536, 1)) {
            free(buf);
            fclose(f);
            return CX_ENOMEM;
        }
        size_t got = fread(buf + n, 1, 65536, f);
        n += got;
        if (got < 65536) break;
        if (n > (size_t)64 << 20) {
            free(buf);
            fclose(f);
            cxi_diag_add(diags, path, 0, 0, "map file larger than 64 MiB");
            return CX_ELIMIT;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        cxi_diag_add(diags, path, 0, 0, "read error");
        return CX_EIO;
    }
    cx_status st = cxv_map_parse(buf, n, path, out, diags);
    free(buf);
    return st;
}

/* ---- projection ------------------------------------------------------------------------------ */

static void laea(double lon0, double lat0, double lon, double lat, double *x, double *y) {
    double l = (lon - lon0) * DEG, p = lat * DEG, p0 = lat0 * DEG;
    double cosc = sin(p0) * sin(p) + cos(p0) * cos(p) * cos(l);
    double k = cosc > -0.999 ? sqrt(2.0 / (1.0 + cosc)) : sqrt(2.0 / 0.001);
    *x = k * cos(p) * sin(l);
    *y = k * (cos(p0) * sin(p) - sin(p0) * cos(p) * cos(l));
}

void cxv_proj_fit(cxv_proj *p, double lon0, double lat0, double lon1, double lat1, double ox,
                  double oy, double w, double h, double margin) {
    if (lon1 - lon0 < 1e-6) { lon0 -= 1; lon1 += 1; }
    if (lat1 - lat0 < 1e-6) { lat0 -= 1; lat1 += 1; }
    p->lon0 = (lon0 + lon1) / 2;
    p->lat0 = (lat0 + lat1) / 2;
    double xmin = 1e9, xmax = -1e9, ymin = 1e9, ymax = -1e9;
    for (int i = 0; i <= 8; i++)
        for (int j = 0; j <= 8; j++) {
            double x, y;
            laea(p->lon0, p->lat0, lon0 + (lon1 - lon0) * i / 8, lat0 + (lat1 - lat0) * j / 8, &x, &y);
            if (x < xmin) xmin = x;
            if (x > xmax) xmax = x;
            if (y < ymin) ymin = y;
            if (y > ymax) ymax = y;
        }
    p->cx = (xmin + xmax) / 2;
    p->cy = (ymin + ymax) / 2;
    p->ox = ox;
    p->oy = oy;
    p->w = w;
    p->h = h;
    double sx = w * (1 - 2 * margin) / (xmax - xmin), sy = h * (1 - 2 * margin) / (ymax - ymin);
    p->scale = sx < sy ? sx : sy;
    if (!(p->scale > 0)) p->scale = 1;
}

void cxv_proj_forward(const cxv_proj *p, double lon, double lat, float *sx, float *sy) {
    double x, y;
    laea(p->lon0, p->lat0, lon, lat, &x, &y);
    *sx = (float)(p->ox + p->w / 2 + (x - p->cx) * p->scale);
    *sy = (float)(p->oy + p->h / 2 - (y - p->cy) * p->scale);
}

void cxv_proj_zoom(cxv_proj *p, double factor, double sx, double sy) {
    /* the projected point under (sx, sy) stays there */
    double x = p->cx + (sx - p->ox - p->w / 2) / p->scale;
    double y = p->cy - (sy - p->oy - p->h / 2) / p->scale;
    p->scale *= factor;
    p->cx = x - (sx - p->ox - p->w / 2) / p->scale;
    p->cy = y + (sy - p->oy - p->h / 2) / p->scale;
}

void cxv_proj_pan(cxv_proj *p, double dx_px, double dy_px) {
    p->cx -= dx_px / p->scale;
    p->cy += dy_px / p->scale;
}
