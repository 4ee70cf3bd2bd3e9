/* view.c — the viewer's model: timeline + scenario + map, state at the current instant, figures.
 * Invariant: asset_ent maps every scenario asset to its timeline entity (or -1), and the figures
 * are recomputed from the state at each seek, never updated incrementally; what depends on the rows
 * only (the units-on-site curve, decision and IPCR marks, history chains) grows with appended rows. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "io/io_api.h"
#include "kernel/kernel_api.h"
#include "view.h"

#define PROFILE_N 480

struct cxv_view {
    unsigned reloads; /* times follow mode reopened a replaced or truncated timeline */
    cxv_timeline *tl;
    cx_scenario *sc;
    cxv_map map;
    cxv_state st;
    char **warn;
    size_t nwarn;
    int64_t start;
    int64_t t_begin, t_end, now;
    int32_t *asset_ent;   /* [nassets] timeline entity of each scenario asset, -1 when none */
    size_t ents_mapped;   /* timeline entities already looked at */
    double *acc;          /* [nregions * CX_SECTOR_COUNT] people without service, scratch */
    double *served_max;   /* [nregions] largest sector's served population */
    double *people;       /* [nregions] */
    double *share;        /* [nregions] */
    double *profile;      /* [PROFILE_N] people without service over time, NULL until asked */
    size_t profile_rows;  /* rows the profile was computed from */
    uint32_t *injects;    /* row indices of inject rows */
    size_t ninjects, injects_rows;
    /* history: prev_row[i] = the previous row of row i's entity (CXV_NONE), built on first use and
     * extended with appended rows; ent_last[e] = the newest row of entity e seen so far */
    uint32_t *prev_row, *ent_last;
    size_t prev_rows, prev_cap, ent_cap;
    /* units deployed over the run, swept once through the rows and extended when rows are appended */
    double *deployed;     /* [PROFILE_N]; samples before dep_next are final */
    uint8_t *dep_on;      /* [dep_on_cap] by name string id: the unit's latest row is `operating` */
    size_t dep_on_cap, dep_rows, dep_next, dep_count;
    int64_t dep_b, dep_e; /* the span the samples were taken over */
    uint32_t *name_best;  /* [name_cap] scratch by name string id, all 0 between calls */
    size_t name_cap;
    /* decision rows and IPCR transitions, extended when rows are appended */
    uint32_t *mk[2];
    size_t nmk[2], mk_cap[2], mk_rows;
    uint32_t ipcr_mode;   /* string id of the last ipcr row's mode, CXV_NONE before the first */
    char title[256];
};

static void warnf(cxv_view *v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void warnf(cxv_view *v, const char *fmt, ...) {
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **nw = realloc(v->warn, (v->nwarn + 1) * sizeof *nw);
    if (!nw) return;
    v->warn = nw;
    if ((v->warn[v->nwarn] = strdup(buf)) != NULL) v->nwarn++;
}

size_t cxv_view_warnings(const cxv_view *v) { return v->nwarn; }
const char *cxv_view_warning(const cxv_view *v, size_t i) { return i < v->nwarn ? v->warn[i] : ""; }
const cxv_timeline *cxv_view_timeline(const cxv_view *v) { return v->tl; }
const cx_scenario *cxv_view_scenario(const cxv_view *v) { return v->sc; }
const cxv_map *cxv_view_map(const cxv_view *v) { return &v->map; }
const char *cxv_view_title(const cxv_view *v) { return v->title; }
int64_t cxv_view_start_unix(const cxv_view *v) { return v->start; }
int64_t cxv_view_t_begin(const cxv_view *v) { return v->t_begin; }
int64_t cxv_view_t_end(const cxv_view *v) { return v->t_end; }
int64_t cxv_view_now(const cxv_view *v) { return v->now; }

static int is_dir_with_scenario(const char *dir) {
    char p[4096];
    struct stat sb;
    snprintf(p, sizeof p, "%s/scenario.csv", dir);
    return stat(p, &sb) == 0;
}

static void dirname_of(const char *path, char *out, size_t n) {
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(out, n, ".");
    else if (slash == path) snprintf(out, n, "/");
    else snprintf(out, n, "%.*s", (int)(slash - path), path);
}

/* Where a manifest's relative scenario_dir is: the run's working folder is not recorded, so try the
 * current folder, the manifest's `cwd` key when present, then the timeline's folder and up to four
 * of its parents (out/<name>/timeline.csv written from the project root is found two levels up). */
static int resolve_scenario_dir(const char *val, const char *tdir, const char *cwd, char *dir, size_t dirn) {
    char base[4096];
    if (val[0] == '/' || is_dir_with_scenario(val)) {
        int n = snprintf(dir, dirn, "%s", val);
        return n >= 0 && (size_t)n < dirn;
    }
    if (cwd[0]) {
        int n = snprintf(dir, dirn, "%s/%s", cwd, val);
        if (n >= 0 && (size_t)n < dirn && is_dir_with_scenario(dir)) return 1;
    }
    snprintf(base, sizeof base, "%s", tdir);
    for (int up = 0; up <= 4; up++) {
        int n = snprintf(dir, dirn, "%s/%s", base, val);
        if (n >= 0 && (size_t)n < dirn && is_dir_with_scenario(dir)) return 1;
        size_t l = strlen(base);
        if (l + 3 >= sizeof base) break;
        memcpy(base + l, "/..", 4);
    }
    dir[0] = '\0';
    return 0;
}

/* manifest.csv beside the timeline: key,value rows. Missing file: *found = 0, CX_OK. */
static cx_status read_manifest(const char *timeline, char *dir, size_t dirn, char *hash, size_t hashn,
                               int *found, cx_diags *diags) {
    char tdir[4096], path[4200], val[4096] = "", cwd[4096] = "";
    struct stat sb;
    dirname_of(timeline, tdir, sizeof tdir);
    snprintf(path, sizeof path, "%s/manifest.csv", tdir);
    *found = 0;
    dir[0] = hash[0] = '\0';
    if (stat(path, &sb) != 0) return CX_OK;
    cxi_table t;
    cx_status st = cxi_table_read(path, NULL, &t, diags);
    if (st != CX_OK) return st;
    *found = 1;
    int ck = cxi_table_col(&t, "key"), cv = cxi_table_col(&t, "value");
    if (ck < 0 || cv < 0) {
        cxi_diag_add(diags, path, 1, 1, "column '%s': missing (expected a key,value manifest)",
                     ck < 0 ? "key" : "value");
        cxi_table_free(&t);
        return CX_EINPUT;
    }
    unsigned line = 0;
    for (unsigned r = 0; r < t.nrows; r++) {
        const char *k = t.rows[r][ck].text, *x = t.rows[r][cv].text;
        if (!strcmp(k, "scenario_dir")) {
            snprintf(val, sizeof val, "%s", x);
            line = t.rows[r][cv].line;
        } else if (!strcmp(k, "cwd")) {
            snprintf(cwd, sizeof cwd, "%s", x);
        } else if (!strcmp(k, "scenario_hash")) {
            snprintf(hash, hashn, "%s", x);
        }
    }
    cxi_table_free(&t);
    if (val[0] && !resolve_scenario_dir(val, tdir, cwd, dir, dirn)) {
        cxi_diag_add(diags, path, line, 2 + (unsigned)strlen("scenario_dir"),
                     "column 'value': scenario_dir '%s' not found (looked in the current folder and "
                     "in the timeline's folder and its parents); pass --scenario DIR", val);
        return CX_EINPUT;
    }
    return CX_OK;
}

static cx_status map_entities(cxv_view *v) {
    size_t n = cxv_timeline_entities(v->tl), unknown = 0;
    const char *example = NULL;
    for (size_t e = v->ents_mapped; e < n; e++) {
        const cxv_entity *en = cxv_timeline_entity(v->tl, (uint32_t)e);
        if (en->kind != CXV_KIND_ASSET) continue;
        const char *id = cxv_str(v->tl, en->name);
        int32_t a = cxi_scenario_asset_index(v->sc, id);
        if (a < 0) {
            if (!unknown++) example = id;
            continue;
        }
        v->asset_ent[a] = (int32_t)e;
    }
    v->ents_mapped = n;
    if (unknown)
        warnf(v, "%zu asset(s) of the timeline are not in the scenario (e.g. '%s'): not drawn",
              unknown, example);
    return CX_OK;
}

static void compute_span(cxv_view *v) {
    int64_t first = cxv_timeline_first_t(v->tl), last = cxv_timeline_last_t(v->tl);
    v->t_begin = first < 0 ? first : 0;
    v->t_end = v->sc->params.horizon;
    if (last > v->t_end) v->t_end = last;
    if (v->t_end <= v->t_begin) v->t_end = v->t_begin + 3600;
}

cx_status cxv_view_open(const cxv_view_opts *o, cxv_view **out, cx_diags *diags) {
    if (!o || !o->timeline || !out) return CX_EINVAL;
    *out = NULL;
    cxv_view *v = calloc(1, sizeof *v);
    if (!v) return CX_ENOMEM;
    cxv_state_init(&v->st);
    v->ipcr_mode = CXV_NONE;
    cxv_open_opts topts = cxv_open_opts_default();
    topts.follow = o->follow;
    cx_status st = cxv_timeline_open(o->timeline, &topts, &v->tl, diags);
    if (st != CX_OK) goto fail;
    if (cxv_timeline_warning(v->tl)[0]) warnf(v, "%s", cxv_timeline_warning(v->tl));

    char dir[4096], hash[64];
    int have_manifest = 0;
    if (o->scenario_dir) {
        /* the manifest only gives the run's hash here; a broken one must not stop --scenario */
        cx_diags *ignored = NULL;
        if (cx_diags_create(&ignored) == CX_OK)
            read_manifest(o->timeline, dir, sizeof dir, hash, sizeof hash, &have_manifest, ignored);
        cx_diags_destroy(ignored);
        snprintf(dir, sizeof dir, "%s", o->scenario_dir);
    } else {
        st = read_manifest(o->timeline, dir, sizeof dir, hash, sizeof hash, &have_manifest, diags);
        if (st != CX_OK) goto fail;
    }
    if (!dir[0]) {
        cxi_diag_add(diags, o->timeline, 0, 0,
                     "%s; pass --scenario DIR (the scenario gives the map positions)",
                     have_manifest ? "manifest.csv beside the timeline has no scenario_dir"
                                   : "no manifest.csv beside the timeline");
        st = CX_EINPUT;
        goto fail;
    }
    st = cx_scenario_load(dir, NULL, &v->sc, diags);
    if (st != CX_OK) goto fail;
    if (hash[0] && strcmp(hash, cx_scenario_hash(v->sc)) != 0)
        warnf(v, "the scenario in %s changed since the run (hash %s, the run's %s): positions and "
                 "names may not match",
              dir, cx_scenario_hash(v->sc), hash);

    if (o->map_path) st = cxv_map_load(o->map_path, &v->map, diags);
    else st = cxv_map_parse((const char *)cxv_builtin_map_csv, cxv_builtin_map_csv_len,
                            "built-in map (scenarios/geo/europe.csv)", &v->map, diags);
    if (st != CX_OK) goto fail;

    const cx_scenario *sc = v->sc;
    size_t nr = sc->nregions ? sc->nregions : 1, na = sc->nassets ? sc->nassets : 1;
    v->asset_ent = malloc(na * sizeof *v->asset_ent);
    v->acc = calloc(nr * CX_SECTOR_COUNT, sizeof *v->acc);
    v->served_max = calloc(nr, sizeof *v->served_max);
    v->people = calloc(nr, sizeof *v->people);
    v->share = calloc(nr, sizeof *v->share);
    if (!v->asset_ent || !v->acc || !v->served_max || !v->people || !v->share) {
        st = CX_ENOMEM;
        goto fail;
    }
    for (size_t a = 0; a < sc->nassets; a++) {
        v->asset_ent[a] = -1;
        v->acc[sc->assets[a].region * CX_SECTOR_COUNT + (size_t)sc->assets[a].sector] +=
            sc->assets[a].population;
    }
    for (size_t r = 0; r < sc->nregions; r++)
        for (size_t s = 0; s < CX_SECTOR_COUNT; s++)
            if (v->acc[r * CX_SECTOR_COUNT + s] > v->served_max[r])
                v->served_max[r] = v->acc[r * CX_SECTOR_COUNT + s];
    map_entities(v);

    int known = 0;
    int64_t tstart = cxv_timeline_start(v->tl, &known);
    v->start = sc->params.start_unix;
    if (known && tstart != v->start)
        warnf(v, "the timeline's T0 differs from the scenario's start by %" PRId64 " s; using the "
                 "scenario's", tstart - v->start);
    snprintf(v->title, sizeof v->title, "%s",
             sc->params.title && sc->params.title[0] ? sc->params.title : sc->params.name);
    compute_span(v);
    st = cxv_view_seek(v, v->t_begin);
    if (st != CX_OK) goto fail;
    *out = v;
    return CX_OK;
fail:
    cxv_view_close(v);
    return st;
}

void cxv_view_close(cxv_view *v) {
    if (!v) return;
    cxv_timeline_close(v->tl);
    cx_scenario_destroy(v->sc);
    cxv_map_free(&v->map);
    cxv_state_free(&v->st);
    for (size_t i = 0; i < v->nwarn; i++) free(v->warn[i]);
    free(v->warn);
    free(v->asset_ent);
    free(v->acc);
    free(v->served_max);
    free(v->people);
    free(v->share);
    free(v->profile);
    free(v->injects);
    free(v->prev_row);
    free(v->ent_last);
    free(v->deployed);
    free(v->dep_on);
    free(v->name_best);
    free(v->mk[0]);
    free(v->mk[1]);
    free(v);
}

/* A followed timeline replaced or truncated by its writer (`crisim exercise` going back to a
 * branch): the view is opened again from scratch (so no cache keyed on rows survives) and takes the
 * place of the old one; the map loaded at first stays. */
static cx_status follow_reload(cxv_view *v, size_t *added, cx_diags *diags) {
    char path[4096], dir[4096];
    snprintf(path, sizeof path, "%s", cxv_timeline_path(v->tl));
    snprintf(dir, sizeof dir, "%s", cx_scenario_dir(v->sc));
    cxv_view_opts o;
    memset(&o, 0, sizeof o);
    o.timeline = path;
    o.scenario_dir = dir;
    o.follow = 1;
    cxv_view *nv = NULL;
    cx_status st = cxv_view_open(&o, &nv, diags);
    if (st != CX_OK) return st;
    int64_t now = v->now;
    cxv_map map = v->map;
    v->map = nv->map;
    nv->map = map;
    cxv_view old = *v;
    *v = *nv;
    *nv = old;
    v->reloads = old.reloads + 1;
    cxv_view_close(nv);
    if (added) *added = cxv_timeline_rows(v->tl) ? cxv_timeline_rows(v->tl) : 1;
    return cxv_view_seek(v, now < v->t_end ? now : v->t_end);
}

unsigned cxv_view_reloads(const cxv_view *v) { return v->reloads; }

cx_status cxv_view_follow(cxv_view *v, size_t *added, cx_diags *diags) {
    if (cxv_timeline_replaced(v->tl)) return follow_reload(v, added, diags);
    cx_status st = cxv_timeline_follow(v->tl, added, diags);
    if (added && *added) {
        map_entities(v);
        compute_span(v);
    }
    return st;
}

int cxv_view_parse_time(const cxv_view *v, const char *s, int64_t *T) {
    cxi_parse_err pe;
    cx_time t;
    unsigned hh, mm, ss = 0;
    int n = 0;
    if (!s || !*s) return -1;
    if ((sscanf(s, "%2u:%2u%n", &hh, &mm, &n) == 2 && s[n] == '\0') ||
        (sscanf(s, "%2u:%2u:%2u%n", &hh, &mm, &ss, &n) == 3 && s[n] == '\0')) {
        if (hh > 23 || mm > 59 || ss > 59) return -1;
        int64_t clock = (int64_t)hh * 3600 + mm * 60 + ss;
        int64_t from = v->start + v->t_begin;      /* Unix time of the strip's start */
        int64_t day = from - ((from % 86400) + 86400) % 86400;
        int64_t u = day + clock;
        if (u < from) u += 86400;
        *T = u - v->start;
        return 0;
    }
    if (cxi_time_parse(s, v->start, &t, &pe) != 0) return -1;
    *T = t;
    return 0;
}

static cxv_asset_view asset_at(const cxv_view *v, const cxv_state *st, uint32_t a) {
    cxv_asset_view av = {1.0, CXV_ST_WORKING, NULL};
    if (a >= v->sc->nassets || v->asset_ent[a] < 0) return av;
    const cxv_row *r = cxv_state_row(st, v->tl, (uint32_t)v->asset_ent[a]);
    if (!r) return av;
    av.row = r;
    av.op = r->value < 0 ? 0 : r->value > 1 ? 1 : r->value;
    av.st = r->st;
    if (av.st == CXV_ST_OTHER)
        av.st = av.op <= v->sc->params.failed_below     ? CXV_ST_FAILED
                : av.op < v->sc->params.degraded_below ? CXV_ST_DEGRADED
                                                       : CXV_ST_WORKING;
    return av;
}

cxv_asset_view cxv_view_asset(const cxv_view *v, uint32_t a) { return asset_at(v, &v->st, a); }

const cxv_row *cxv_view_entity_row(const cxv_view *v, uint32_t e) { return cxv_state_row(&v->st, v->tl, e); }

/* Fills people[] and share[] (either may be NULL) from state st; returns the total people. */
static double figures(const cxv_view *v, const cxv_state *st, double *acc, double *people, double *share) {
    const cx_scenario *sc = v->sc;
    double total = 0;
    memset(acc, 0, (size_t)sc->nregions * CX_SECTOR_COUNT * sizeof *acc);
    for (uint32_t a = 0; a < sc->nassets; a++) {
        if (v->asset_ent[a] < 0) continue;
        cxv_asset_view av = asset_at(v, st, a);
        acc[sc->assets[a].region * CX_SECTOR_COUNT + (size_t)sc->assets[a].sector] +=
            sc->assets[a].population * (1.0 - av.op);
    }
    for (size_t r = 0; r < sc->nregions; r++) {
        double worst = 0;
        for (size_t s = 0; s < CX_SECTOR_COUNT; s++)
            if (acc[r * CX_SECTOR_COUNT + s] > worst) worst = acc[r * CX_SECTOR_COUNT + s];
        double denom = sc->regions[r].population > 0 ? sc->regions[r].population : v->served_max[r];
        if (people) people[r] = worst;
        if (share) share[r] = denom > 0 ? (worst / denom > 1 ? 1 : worst / denom) : 0;
        total += worst;
    }
    return total;
}

const uint32_t *cxv_view_injects(cxv_view *v, size_t *n) {
    size_t rows = cxv_timeline_rows(v->tl);
    if (v->injects_rows != rows || !v->injects) {
        size_t k = 0;
        for (size_t i = 0; i < rows; i++)
            if (cxv_timeline_entity(v->tl, cxv_timeline_row(v->tl, i)->entity)->kind == CXV_KIND_INJECT) k++;
        uint32_t *p = malloc((k ? k : 1) * sizeof *p);
        if (!p) {
            *n = 0;
            return NULL;
        }
        k = 0;
        for (size_t i = 0; i < rows; i++)
            if (cxv_timeline_entity(v->tl, cxv_timeline_row(v->tl, i)->entity)->kind == CXV_KIND_INJECT)
                p[k++] = (uint32_t)i;
        free(v->injects);
        v->injects = p;
        v->ninjects = k;
        v->injects_rows = rows;
    }
    *n = v->ninjects;
    return v->injects;
}

int64_t cxv_view_sample_t(const cxv_view *v, size_t i, size_t n) {
    if (n < 2) return v->t_begin;
    return v->t_begin + (int64_t)((double)(v->t_end - v->t_begin) * (double)i / (double)(n - 1));
}

const double *cxv_view_profile(cxv_view *v, size_t *n) {
    *n = PROFILE_N;
    if (v->profile && v->profile_rows == cxv_timeline_rows(v->tl)) return v->profile;
    double *p = v->profile ? v->profile : malloc(PROFILE_N * sizeof *p);
    double *acc = malloc(((size_t)v->sc->nregions * CX_SECTOR_COUNT + 1) * sizeof *acc);
    cxv_state st;
    cxv_state_init(&st);
    if (!p || !acc) {
        if (p != v->profile) free(p);
        free(acc);
        return NULL;
    }
    for (size_t i = 0; i < PROFILE_N; i++) {
        int64_t T = cxv_view_sample_t(v, i, PROFILE_N);
        if (cxv_state_seek(&st, v->tl, T) != CX_OK) {
            p[i] = 0;
            continue;
        }
        p[i] = figures(v, &st, acc, NULL, NULL);
    }
    cxv_state_free(&st);
    free(acc);
    v->profile = p;
    v->profile_rows = cxv_timeline_rows(v->tl);
    return p;
}

cx_status cxv_view_seek(cxv_view *v, int64_t T) {
    cx_status st = cxv_state_seek(&v->st, v->tl, T);
    if (st != CX_OK) return st;
    v->now = T;
    figures(v, &v->st, v->acc, v->people, v->share);
    return CX_OK;
}

double cxv_view_region_share(const cxv_view *v, uint32_t region) {
    return region < v->sc->nregions ? v->share[region] : 0;
}
double cxv_view_region_people(const cxv_view *v, uint32_t region) {
    return region < v->sc->nregions ? v->people[region] : 0;
}

void cxv_view_counts(const cxv_view *v, size_t counts[5]) {
    for (int i = 0; i < 5; i++) counts[i] = 0;
    for (uint32_t a = 0; a < v->sc->nassets; a++) {
        int s = cxv_view_asset(v, a).st;
        counts[s >= 0 && s < 5 ? s : CXV_ST_OTHER]++;
    }
}

const char *cxv_view_asset_name(const cxv_view *v, uint32_t a) {
    if (a >= v->sc->nassets) return "";
    const cx_asset *as = &v->sc->assets[a];
    return as->name && as->name[0] ? as->name : as->id;
}

/* ---- text ------------------------------------------------------------------------------------ */

void cxv_format_offset(int64_t T, char *buf, size_t n) {
    char sign = T < 0 ? '-' : '+';
    uint64_t a = T < 0 ? (uint64_t)(-(T + 1)) + 1 : (uint64_t)T;
    uint64_t d = a / 86400, h = a % 86400 / 3600, m = a % 3600 / 60, s = a % 60;
    if (d && s) snprintf(buf, n, "T%c%" PRIu64 "d %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, sign, d, h, m, s);
    else if (d) snprintf(buf, n, "T%c%" PRIu64 "d %02" PRIu64 ":%02" PRIu64, sign, d, h, m);
    else if (s) snprintf(buf, n, "T%c%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, sign, h, m, s);
    else snprintf(buf, n, "T%c%02" PRIu64 ":%02" PRIu64, sign, h, m);
}

void cxv_view_clock(const cxv_view *v, int64_t T, char *buf, size_t n) {
    time_t u = (time_t)(v->start + T);
    struct tm tm;
    if (!gmtime_r(&u, &tm)) {
        snprintf(buf, n, "?");
        return;
    }
    if (tm.tm_sec) strftime(buf, n, "%a %d %b %Y %H:%M:%S UTC", &tm);
    else strftime(buf, n, "%a %d %b %Y %H:%M UTC", &tm);
}

static void short_clock(const cxv_view *v, int64_t T, char *buf, size_t n) {
    time_t u = (time_t)(v->start + T), u0 = (time_t)v->start;
    struct tm tm, tm0;
    if (!gmtime_r(&u, &tm) || !gmtime_r(&u0, &tm0)) {
        snprintf(buf, n, "?");
        return;
    }
    int same_day = tm.tm_year == tm0.tm_year && tm.tm_yday == tm0.tm_yday;
    if (same_day && tm.tm_sec) strftime(buf, n, "%H:%M:%S", &tm);
    else if (same_day) strftime(buf, n, "%H:%M", &tm);
    else if (tm.tm_sec) strftime(buf, n, "%d %b %H:%M:%S", &tm);
    else strftime(buf, n, "%d %b %H:%M", &tm);
}

static const char *entity_display(const cxv_view *v, const char *id) {
    int32_t a = cxi_scenario_asset_index(v->sc, id);
    return a >= 0 ? cxv_view_asset_name(v, (uint32_t)a) : id;
}

void cxv_view_sentence(const cxv_view *v, const cxv_row *r, char *buf, size_t n) {
    char when[48], what[512];
    const cxv_entity *en = cxv_timeline_entity(v->tl, r->entity);
    const char *id = cxv_str(v->tl, en->name), *state = cxv_str(v->tl, r->state);
    const char *cause = cxv_str(v->tl, r->cause), *text = cxv_row_text(v->tl, r);
    short_clock(v, r->t, when, sizeof when);
    switch (en->kind) {
    case CXV_KIND_RUN:
        snprintf(what, sizeof what, "%s", !strcmp(state, "start") ? "Run started"
                                          : !strcmp(state, "end") ? "Run ended" : state);
        break;
    case CXV_KIND_INJECT:
        if (!strcmp(state, "message")) snprintf(what, sizeof what, "Message %s", id);
        else snprintf(what, sizeof what, "Inject %s (%s)", id, state);
        break;
    case CXV_KIND_SECTOR:
        snprintf(what, sizeof what, "%s in %s %.0f%% inoperable", id, cxv_str(v->tl, en->region),
                 100.0 * r->value);
        break;
    case CXV_KIND_INCIDENT:
        snprintf(what, sizeof what, "Incident %s in %s %s", id, cxv_str(v->tl, en->region),
                 !strcmp(state, "contained") ? "contained (every need covered)"
                 : !strcmp(state, "closed") ? "closed (every need met)" : state);
        if (text[0]) {
            size_t l = strlen(what);
            snprintf(what + l, sizeof what - l, ", needs");
        }
        break;
    case CXV_KIND_REQUEST:
        snprintf(what, sizeof what, "UCPM request %s from %s %s", id, cxv_str(v->tl, en->region),
                 !strcmp(state, "relayed") ? "relayed by the ERCC" : state);
        if (text[0]) {
            size_t l = strlen(what);
            snprintf(what + l, sizeof what - l, ", uncovered");
        }
        break;
    case CXV_KIND_CAPACITY:
        snprintf(what, sizeof what, "Unit %s %s (%s)", id, state, cxv_str(v->tl, en->region));
        break;
    case CXV_KIND_IPCR:
        if (text[0]) snprintf(what, sizeof what, "IPCR");
        else snprintf(what, sizeof what, "IPCR mode: %s%s%s", state, cause[0] ? ", by " : "", cause);
        break;
    case CXV_KIND_HYBRID:
        if (!strcmp(state, "trust"))
            snprintf(what, sizeof what, "Public trust in %s %.0f%%", id, 100.0 * r->value);
        else snprintf(what, sizeof what, "%s %s", id, state);
        break;
    case CXV_KIND_DECISION:
        snprintf(what, sizeof what, "Decision %s (%s%s%s)", id, state, cause[0] ? ", by " : "", cause);
        break;
    default: {
        const char *name = entity_display(v, id);
        char why[200] = "";
        if (cause[0]) {
            /* the cause is a supplier asset (a cascade) or an inject; the id says which */
            int32_t ca = cxi_scenario_asset_index(v->sc, cause);
            const char *xb = r->cross_border ? ", across the border" : "";
            if (ca < 0) snprintf(why, sizeof why, " (inject %s)", cause);
            else if (r->st == CXV_ST_WORKING)
                snprintf(why, sizeof why, " (%s back%s)", cxv_view_asset_name(v, (uint32_t)ca), xb);
            else snprintf(why, sizeof why, " (cascade from %s%s)", cxv_view_asset_name(v, (uint32_t)ca), xb);
        }
        switch (r->st) {
        case CXV_ST_FAILED: snprintf(what, sizeof what, "%s failed%s", name, why); break;
        case CXV_ST_DEGRADED:
            snprintf(what, sizeof what, "%s degraded to %.0f%%%s", name, 100.0 * r->value, why);
            break;
        case CXV_ST_REPAIRING: snprintf(what, sizeof what, "%s under repair%s", name, why); break;
        case CXV_ST_WORKING: snprintf(what, sizeof what, "%s back in service%s", name, why); break;
        default: snprintf(what, sizeof what, "%s %s%s", name, state, why); break;
        }
    }
    }
    if (text[0] && en->kind != CXV_KIND_RUN) snprintf(buf, n, "%s %s: %s", when, what, text);
    else if (text[0]) snprintf(buf, n, "%s %s (%s)", when, what, text);
    else snprintf(buf, n, "%s %s", when, what);
}

/* ---- selection, history, marks, units deployed ----------------------------------------------- */

/* Grows *p (elements of `elem` bytes) to hold `need`, zero-filling the new part. -1 on OOM. */
static int grow_zero(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < need) nc *= 2;
    unsigned char *np = realloc(*p, nc * elem);
    if (!np) return -1;
    memset(np + *cap * elem, 0, (nc - *cap) * elem);
    *p = np;
    *cap = nc;
    return 0;
}

int cxv_view_listed(const cxv_view *v, const cxv_row *r) {
    unsigned k = cxv_timeline_entity(v->tl, r->entity)->kind;
    if (k == CXV_KIND_SECTOR || k == CXV_KIND_CAPACITY) return 0;
    if (k == CXV_KIND_HYBRID && !strcmp(cxv_str(v->tl, r->state), "trust") && !cxv_str(v->tl, r->cause)[0])
        return 0;
    return 1;
}

int cxv_view_country_region(const cxv_view *v, const char *iso) {
    for (uint32_t r = 0; r < v->sc->nregions; r++) {
        const char *code = v->sc->regions[r].code;
        if (!strcasecmp(code, iso)) return (int)r;
        if (!strcasecmp(iso, "GR") && !strcasecmp(code, "EL")) return (int)r;
        if (!strcasecmp(iso, "GB") && !strcasecmp(code, "UK")) return (int)r;
    }
    return -1;
}

static int is_operating(const cxv_view *v, const cxv_row *r) { return !strcmp(cxv_str(v->tl, r->state), "operating"); }

const double *cxv_view_deployed(cxv_view *v, size_t *n) {
    *n = PROFILE_N;
    if (!v->deployed || v->dep_b != v->t_begin || v->dep_e != v->t_end) { /* new span: sweep again */
        if (!v->deployed && !(v->deployed = malloc(PROFILE_N * sizeof *v->deployed))) return NULL;
        if (v->dep_on) memset(v->dep_on, 0, v->dep_on_cap);
        v->dep_rows = v->dep_next = v->dep_count = 0;
        v->dep_b = v->t_begin;
        v->dep_e = v->t_end;
    }
    size_t rows = cxv_timeline_rows(v->tl);
    for (; v->dep_rows < rows; v->dep_rows++) {
        const cxv_row *r = cxv_timeline_row(v->tl, v->dep_rows);
        /* rows come in time order: a sample before this row has seen every row it will ever see */
        while (v->dep_next < PROFILE_N && cxv_view_sample_t(v, v->dep_next, PROFILE_N) < r->t)
            v->deployed[v->dep_next++] = (double)v->dep_count;
        const cxv_entity *en = cxv_timeline_entity(v->tl, r->entity);
        if (en->kind != CXV_KIND_CAPACITY) continue;
        if (grow_zero((void **)&v->dep_on, &v->dep_on_cap, (size_t)en->name + 1, 1)) return NULL;
        int on = is_operating(v, r);
        v->dep_count = v->dep_count + (size_t)on - v->dep_on[en->name];
        v->dep_on[en->name] = (uint8_t)on;
    }
    for (size_t i = v->dep_next; i < PROFILE_N; i++) v->deployed[i] = (double)v->dep_count;
    return v->deployed;
}

/* Row index of the latest row, at the current instant, of the unit named `name` over all its
 * entities (one per region it named), using name_best as scratch; CXV_NONE when none. */
static size_t units_prepare(cxv_view *v) {
    size_t nent = cxv_timeline_entities(v->tl), k = 0;
    for (size_t e = 0; e < nent; e++) {
        const cxv_entity *en = cxv_timeline_entity(v->tl, (uint32_t)e);
        if (en->kind != CXV_KIND_CAPACITY || e >= v->st.nent || v->st.last[e] == CXV_NONE) continue;
        if (grow_zero((void **)&v->name_best, &v->name_cap, (size_t)en->name + 1, sizeof *v->name_best)) return 0;
        if (v->st.last[e] + 1 > v->name_best[en->name]) v->name_best[en->name] = v->st.last[e] + 1;
        k++;
    }
    return k;
}

static void units_reset(cxv_view *v) {
    size_t nent = cxv_timeline_entities(v->tl);
    for (size_t e = 0; e < nent; e++) {
        const cxv_entity *en = cxv_timeline_entity(v->tl, (uint32_t)e);
        if (en->kind == CXV_KIND_CAPACITY && en->name < v->name_cap) v->name_best[en->name] = 0;
    }
}

size_t cxv_view_units_operating(cxv_view *v, const char *region) {
    if (!units_prepare(v)) return 0;
    size_t n = 0, nent = cxv_timeline_entities(v->tl);
    for (size_t e = 0; e < nent; e++) {
        const cxv_entity *en = cxv_timeline_entity(v->tl, (uint32_t)e);
        if (en->kind != CXV_KIND_CAPACITY || e >= v->st.nent || v->st.last[e] == CXV_NONE) continue;
        if (en->name >= v->name_cap || v->name_best[en->name] != v->st.last[e] + 1) continue;
        const cxv_row *r = cxv_timeline_row(v->tl, v->st.last[e]);
        if (is_operating(v, r) && (!region || !strcmp(cxv_str(v->tl, en->region), region))) n++;
    }
    units_reset(v);
    return n;
}

static void marks_update(cxv_view *v) {
    size_t rows = cxv_timeline_rows(v->tl);
    for (; v->mk_rows < rows; v->mk_rows++) {
        const cxv_row *r = cxv_timeline_row(v->tl, v->mk_rows);
        unsigned k = cxv_timeline_entity(v->tl, r->entity)->kind;
        int m = -1;
        if (k == CXV_KIND_DECISION) m = 0;
        else if (k == CXV_KIND_IPCR) {
            int changed = v->ipcr_mode == CXV_NONE ? strcmp(cxv_str(v->tl, r->state), "inactive") != 0
                                                   : strcmp(cxv_str(v->tl, r->state), cxv_str(v->tl, v->ipcr_mode)) != 0;
            v->ipcr_mode = r->state;
            if (changed) m = 1;
        }
        if (m < 0) continue;
        if (grow_zero((void **)&v->mk[m], &v->mk_cap[m], v->nmk[m] + 1, sizeof *v->mk[m])) return;
        v->mk[m][v->nmk[m]++] = (uint32_t)v->mk_rows;
    }
}

const uint32_t *cxv_view_marks(cxv_view *v, cxv_mark m, size_t *n) {
    if (m == CXV_MARK_INJECT) return cxv_view_injects(v, n);
    marks_update(v);
    int i = m == CXV_MARK_DECISION ? 0 : 1;
    *n = v->nmk[i];
    return v->mk[i];
}

int cxv_view_step(cxv_view *v, cxv_mark m, int dir, int64_t T, int64_t *out) {
    size_t n = 0;
    const uint32_t *rows = cxv_view_marks(v, m, &n);
    if (!rows || !n) return 0;
    size_t lo = 0, hi = n; /* first mark with t > T (dir > 0) or t >= T (dir < 0) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t t = cxv_timeline_row(v->tl, rows[mid])->t;
        if (dir > 0 ? t <= T : t < T) lo = mid + 1;
        else hi = mid;
    }
    if (dir > 0) {
        if (lo == n) return 0;
        *out = cxv_timeline_row(v->tl, rows[lo])->t;
    } else {
        if (lo == 0) return 0;
        *out = cxv_timeline_row(v->tl, rows[lo - 1])->t;
    }
    return 1;
}

static int prev_update(cxv_view *v) {
    size_t rows = cxv_timeline_rows(v->tl), nent = cxv_timeline_entities(v->tl);
    size_t old = v->ent_cap;
    if (grow_zero((void **)&v->prev_row, &v->prev_cap, rows ? rows : 1, sizeof *v->prev_row) ||
        grow_zero((void **)&v->ent_last, &v->ent_cap, nent ? nent : 1, sizeof *v->ent_last))
        return -1;
    for (size_t e = old; e < v->ent_cap; e++) v->ent_last[e] = CXV_NONE;
    for (; v->prev_rows < rows; v->prev_rows++) {
        uint32_t e = cxv_timeline_row(v->tl, v->prev_rows)->entity;
        v->prev_row[v->prev_rows] = v->ent_last[e];
        v->ent_last[e] = (uint32_t)v->prev_rows;
    }
    return 0;
}

/* Whether timeline entity e belongs to the selection, and whether row r of it is shown. */
static int sel_has(const cxv_view *v, const cxv_sel *sel, uint32_t e) {
    const cxv_entity *en = cxv_timeline_entity(v->tl, e);
    switch (sel->kind) {
    case CXV_SEL_ASSET: return sel->index < v->sc->nassets && v->asset_ent[sel->index] == (int32_t)e;
    case CXV_SEL_INCIDENT: return sel->index == e;
    case CXV_SEL_UNIT: return en->kind == CXV_KIND_CAPACITY && en->name == sel->index;
    case CXV_SEL_REGION:
        return sel->index < v->sc->nregions && en->kind != CXV_KIND_SECTOR && en->kind != CXV_KIND_CAPACITY &&
               en->kind != CXV_KIND_RUN && !strcmp(cxv_str(v->tl, en->region), v->sc->regions[sel->index].code);
    default: return 0;
    }
}

size_t cxv_view_history(cxv_view *v, const cxv_sel *sel, uint32_t *rows, size_t max) {
    if (sel->kind == CXV_SEL_NONE || !max) return 0;
    if (prev_update(v)) return (size_t)-1;
    size_t nent = cxv_timeline_entities(v->tl), k = 0, cap = 0, out = 0;
    uint32_t *head = NULL;
    for (size_t e = 0; e < nent && e < v->st.nent; e++) {
        if (v->st.last[e] == CXV_NONE || !sel_has(v, sel, (uint32_t)e)) continue;
        if (grow_zero((void **)&head, &cap, k + 1, sizeof *head)) {
            free(head);
            return (size_t)-1;
        }
        head[k++] = v->st.last[e];
    }
    /* a merge of the entities' row chains, newest first: O(k) per row, k is 1 except for regions */
    while (out < max) {
        size_t best = k;
        for (size_t i = 0; i < k; i++)
            if (head[i] != CXV_NONE && (best == k || head[i] > head[best])) best = i;
        if (best == k) break;
        uint32_t i = head[best];
        head[best] = v->prev_row[i];
        if (sel->kind != CXV_SEL_REGION || cxv_view_listed(v, cxv_timeline_row(v->tl, i))) rows[out++] = i;
    }
    free(head);
    return out;
}

void cxv_format_people(double p, char *buf, size_t n) {
    if (p >= 1e6) snprintf(buf, n, "%.1f M", p / 1e6);
    else if (p >= 1e3) snprintf(buf, n, "%.0f k", p / 1e3);
    else snprintf(buf, n, "%.0f", p);
}

static const cx_capacity *unit_capacity(const cxv_view *v, const char *unit) {
    const char *h = strrchr(unit, '#');
    size_t n = h ? (size_t)(h - unit) : strlen(unit);
    for (uint32_t c = 0; c < v->sc->ncapacities; c++)
        if (strlen(v->sc->capacities[c].id) == n && !strncmp(v->sc->capacities[c].id, unit, n))
            return &v->sc->capacities[c];
    return NULL;
}

void cxv_view_sel_title(const cxv_view *v, const cxv_sel *sel, char *name, size_t nn, char *what, size_t nw) {
    const cx_scenario *sc = v->sc;
    char ppl[32];
    name[0] = what[0] = '\0';
    if (sel->kind == CXV_SEL_ASSET && sel->index < sc->nassets) {
        const cx_asset *a = &sc->assets[sel->index];
        if (a->name && a->name[0] && strcmp(a->name, a->id)) snprintf(name, nn, "%s (%s)", a->name, a->id);
        else snprintf(name, nn, "%s", a->id);
        cxv_format_people(a->population, ppl, sizeof ppl);
        snprintf(what, nw, "%s asset in %s%s%s%s", cxi_sector_name(a->sector), sc->regions[a->region].code,
                 a->population > 0 ? ", serves " : "", a->population > 0 ? ppl : "", a->population > 0 ? " people" : "");
    } else if (sel->kind == CXV_SEL_REGION && sel->index < sc->nregions) {
        const cx_region *r = &sc->regions[sel->index];
        snprintf(name, nn, "%s (%s)", r->name && r->name[0] ? r->name : r->code, r->code);
        cxv_format_people(r->population, ppl, sizeof ppl);
        snprintf(what, nw, "region, population %s", ppl);
    } else if (sel->kind == CXV_SEL_INCIDENT && sel->index < cxv_timeline_entities(v->tl)) {
        const cxv_entity *en = cxv_timeline_entity(v->tl, sel->index);
        snprintf(name, nn, "Incident %s", cxv_str(v->tl, en->name));
        snprintf(what, nw, "incident in %s", cxv_str(v->tl, en->region));
    } else if (sel->kind == CXV_SEL_UNIT) {
        const char *id = cxv_str(v->tl, sel->index);
        const cx_capacity *c = unit_capacity(v, id);
        snprintf(name, nn, "Unit %s", id);
        if (c) snprintf(what, nw, "%s, %s pool, home %s", c->type, cxi_pool_name(c->pool), sc->regions[c->owner].code);
        else snprintf(what, nw, "unit of a capacity the scenario does not have");
    }
}

void cxv_view_sel_state(cxv_view *v, const cxv_sel *sel, char *buf, size_t n) {
    static const char *const names[5] = {"working", "degraded", "failed", "under repair", "other"};
    char when[48] = "", ppl[32];
    uint32_t last = CXV_NONE;
    const cxv_row *r = NULL;
    buf[0] = '\0';
    switch (sel->kind) {
    case CXV_SEL_ASSET: {
        cxv_asset_view av = cxv_view_asset(v, sel->index);
        size_t l = (size_t)snprintf(buf, n, "Now: %s, operability %.0f%%", names[av.st >= 0 && av.st < 5 ? av.st : 4],
                                    100.0 * av.op);
        if (av.row && l < n) {
            short_clock(v, av.row->t, when, sizeof when);
            snprintf(buf + l, n - l, " (since %s)", when);
        }
        return;
    }
    case CXV_SEL_REGION: {
        if (sel->index >= v->sc->nregions) return;
        const char *code = v->sc->regions[sel->index].code;
        cxv_format_people(cxv_view_region_people(v, sel->index), ppl, sizeof ppl);
        size_t l = (size_t)snprintf(buf, n, "Now: %.0f%% without service (%s people)",
                                    100.0 * cxv_view_region_share(v, sel->index) + 0.4999, ppl);
        int64_t te = cxv_timeline_find(v->tl, CXV_KIND_HYBRID, code, code);
        const cxv_row *tr = te >= 0 ? cxv_view_entity_row(v, (uint32_t)te) : NULL;
        if (tr && !strcmp(cxv_str(v->tl, tr->state), "trust") && l < n)
            l += (size_t)snprintf(buf + l, n - l, ", public trust %.0f%%", 100.0 * tr->value);
        size_t open = 0;
        for (size_t e = 0; e < cxv_timeline_entities(v->tl); e++) {
            const cxv_entity *en = cxv_timeline_entity(v->tl, (uint32_t)e);
            if (en->kind != CXV_KIND_INCIDENT || strcmp(cxv_str(v->tl, en->region), code)) continue;
            const cxv_row *ir = cxv_view_entity_row(v, (uint32_t)e);
            if (ir && strcmp(cxv_str(v->tl, ir->state), "closed")) open++;
        }
        if (open && l < n) l += (size_t)snprintf(buf + l, n - l, ", %zu open incident%s", open, open > 1 ? "s" : "");
        size_t on = cxv_view_units_operating(v, code);
        if (on && l < n) snprintf(buf + l, n - l, ", %zu unit%s on site", on, on > 1 ? "s" : "");
        return;
    }
    case CXV_SEL_INCIDENT:
        if (sel->index >= cxv_timeline_entities(v->tl) || !(r = cxv_view_entity_row(v, sel->index))) break;
        short_clock(v, r->t, when, sizeof when);
        snprintf(buf, n, "Now: %s, remaining need %.0f%s%s (since %s)", cxv_str(v->tl, r->state), r->value,
                 cxv_row_text(v->tl, r)[0] ? ": " : "", cxv_row_text(v->tl, r), when);
        return;
    case CXV_SEL_UNIT:
        if (cxv_view_history(v, sel, &last, 1) != 1) break;
        r = cxv_timeline_row(v->tl, last);
        short_clock(v, r->t, when, sizeof when);
        {
            const char *st = cxv_str(v->tl, r->state), *reg = cxv_str(v->tl, cxv_timeline_entity(v->tl, r->entity)->region);
            const char *txt = cxv_row_text(v->tl, r);
            int to = !strcmp(st, "transit"), in = !strcmp(st, "operating");
            int inc = txt[0] && cxv_timeline_find(v->tl, CXV_KIND_INCIDENT, txt, NULL) >= 0;
            snprintf(buf, n, "Now: %s %s%s%s (since %s)%s%s", st, to ? "to " : in ? "in " : "(", reg,
                     to || in ? "" : ")", when, inc ? ", for incident " : txt[0] ? ", " : "", txt);
        }
        return;
    default: return;
    }
    snprintf(buf, n, "Now: nothing recorded yet");
}
