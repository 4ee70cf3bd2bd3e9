/* view.c — the viewer's model: timeline + scenario + map, state at the current instant, figures.
 * Invariant: asset_ent maps every scenario asset to its timeline entity (or -1), and the figures
 * are recomputed from the state at each seek, never updated incrementally. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "io/io_api.h"
#include "kernel/kernel_api.h"
#include "view.h"

#define PROFILE_N 480

struct cxv_view {
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
    free(v);
}

cx_status cxv_view_follow(cxv_view *v, size_t *added, cx_diags *diags) {
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
        int64_t T = v->t_begin + (int64_t)((double)(v->t_end - v->t_begin) * (double)i / (PROFILE_N - 1));
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
