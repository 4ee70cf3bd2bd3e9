/* load.c — reads a scenario folder into a cx_scenario and validates it, reporting every error.
 * Invariant: all tables are read first (in file-name order, which is also the hash order), then
 * checked in dependency order; a table that could not be read is never used to report "unknown"
 * references, so one broken file does not bury the real errors under follow-on noise. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/io_api.h"
#include "io/load_int.h"
#include "model/scenario.h"

#if defined(__GNUC__)
#define PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF(a, b)
#endif

static const struct {
    const char *name;
    int required;
} files[F_COUNT] = {
    {"assets.csv", 1}, {"capacities.csv", 0}, {"iim.csv", 0},      {"injects.csv", 0},
    {"links.csv", 0},  {"regions.csv", 1},    {"scenario.csv", 1},
};

/* ---- small helpers ------------------------------------------------------------------------ */

static void worst(loader *L, cx_status s) {
    L->st = cxi_status_worse(L->st, s);
}

static int oom(const loader *L) { return L->st == CX_ENOMEM; }

static const char *cell(const tab *T, unsigned r, int c) {
    return c >= 0 ? T->t.rows[r][c].text : "";
}

/* Header text without surrounding blanks, as the user wrote it, for messages. */
static const char *colname(const tab *T, int c, char *buf, size_t n) {
    const char *h = T->t.header[c].text;
    while (*h == ' ' || *h == '\t') h++;
    char tmp[128];
    size_t l = strlen(h);
    while (l > 0 && (h[l - 1] == ' ' || h[l - 1] == '\t')) l--;
    if (l >= sizeof tmp) l = sizeof tmp - 1;
    memcpy(tmp, h, l);
    tmp[l] = '\0';
    return cxi_diag_quote(buf, n, tmp);
}

/* One error about row r: at the cell of column c, or at the row's line when c < 0. */
static void vrowerr(loader *L, const tab *T, unsigned r, int c, const char *fmt, va_list ap)
    PRINTF(5, 0);
static void vrowerr(loader *L, const tab *T, unsigned r, int c, const char *fmt, va_list ap) {
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    L->errors++;
    if (c >= 0 && T == &L->f[F_SCENARIO] && T->t.rows[r][c].line == 0 &&
        T->t.rows[r][c].col >= 1 && T->t.rows[r][c].col <= L->opts->noverrides) {
        /* a cell set by an override: line 0 marks it, col is 1 + the override's index */
        char q[100], o[300], where[320];
        const char *ov = L->opts->overrides[T->t.rows[r][c].col - 1];
        snprintf(where, sizeof where, "--set %s", cxi_diag_quote(o, sizeof o, ov ? ov : ""));
        cxi_diag_add(L->diags, where, 0, 0, "column '%s': %s", colname(T, c, q, sizeof q), msg);
    } else if (c >= 0) {
        char q[100];
        const cxi_cell *ce = &T->t.rows[r][c];
        cxi_diag_add(L->diags, T->path, ce->line, ce->col, "column '%s': %s",
                     colname(T, c, q, sizeof q), msg);
    } else {
        cxi_diag_add(L->diags, T->path, T->t.row_line[r], 0, "%s", msg);
    }
}

static void rowerr(loader *L, const tab *T, unsigned r, int c, const char *fmt, ...) PRINTF(5, 6);
static void rowerr(loader *L, const tab *T, unsigned r, int c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vrowerr(L, T, r, c, fmt, ap);
    va_end(ap);
}

/* An error about the file as a whole (its header, a missing key), at line:col. */
static void fileerr(loader *L, const tab *T, unsigned line, unsigned col, const char *fmt, ...)
    PRINTF(5, 6);
static void fileerr(loader *L, const tab *T, unsigned line, unsigned col, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    L->errors++;
    cxi_diag_add(L->diags, T->path, line, col, "%s", msg);
}

#define Q(buf, s) cxi_diag_quote(buf, sizeof buf, s)
/* Parser messages quote the cell, which may hold line breaks: escape them too. */
#define PMSG(e) cxi_diag_quote((char[256]){0}, 256, (e).msg)

static char *dup(loader *L, const char *s) {
    char *d = cxi_arena_strdup(L->A, s ? s : "");
    if (!d) worst(L, CX_ENOMEM);
    return d;
}

/* Table cells die with their table: what the scenario keeps is copied into its arena. Empty
 * strings share one literal to save 16 bytes per empty cell. */
static const char *keep(loader *L, const char *s) {
    if (!s || !s[0]) return "";
    const char *d = dup(L, s);
    return d ? d : "";
}

static void *zalloc(loader *L, size_t n) {
    void *p = cxi_arena_alloc(L->A, n ? n : 1);
    if (!p)
        worst(L, CX_ENOMEM);
    else
        memset(p, 0, n ? n : 1);
    return p;
}

/* The header's names for a message, cut with ", ..." when they do not fit in n bytes. */
static void header_list(const tab *T, char *buf, size_t n) {
    size_t w = 0;
    buf[0] = '\0';
    for (unsigned c = 0; c < T->t.ncols; c++) {
        if (!T->t.header[c].text[0]) continue;
        char q[64];
        colname(T, (int)c, q, sizeof q);
        size_t need = (w ? 2 : 0) + strlen(q);
        if (w + need + 6 > n) { /* room left for ", ..." and the NUL */
            snprintf(buf + w, n - w, "%s...", w ? ", " : "");
            return;
        }
        w += (size_t)snprintf(buf + w, n - w, "%s%s", w ? ", " : "", q);
    }
    if (!w) snprintf(buf, n, "no named columns");
}

/* Resolves the columns of a table; 0 when a required one is missing (reported on the header).
 * known (one flag per column, for notes) may be NULL when the table keeps no notes. */
static int resolve(loader *L, tab *T, const colspec *spec, size_t n, int *idx,
                   unsigned char *known) {
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        int a = cxi_table_col(&T->t, spec[i].name);
        int b = spec[i].alias ? cxi_table_col(&T->t, spec[i].alias) : -1;
        if (a >= 0 && b >= 0) {
            int later = a > b ? a : b;
            fileerr(L, T, T->t.header[later].line, (unsigned)later + 1,
                    "columns '%s' and '%s' mean the same (expected only one of them)",
                    spec[i].name, spec[i].alias);
            ok = 0;
        }
        idx[i] = a >= 0 ? a : b;
        if (idx[i] >= 0 && known) known[idx[i]] = 1;
        if (idx[i] < 0 && spec[i].required) {
            /* a near-miss header ("regoin") is the usual cause */
            int best = -1;
            for (unsigned c = 0; c < T->t.ncols && best < 0; c++) {
                const char *h = T->t.header[c].text;
                size_t lim = strlen(spec[i].name) / 3 ? strlen(spec[i].name) / 3 : 1;
                if (h[0] && cxi_edit_distance(h, spec[i].name, lim) <= lim) best = (int)c;
            }
            char q[100];
            if (best >= 0) {
                fileerr(L, T, T->t.header[best].line, (unsigned)best + 1,
                        "missing required column '%s' (did you mean '%s'?)", spec[i].name,
                        Q(q, T->t.header[best].text));
            } else {
                char have[160];
                header_list(T, have, sizeof have);
                fileerr(L, T, T->t.header[0].line, 1,
                        "missing required column '%s' (expected a header cell named '%s'; the "
                        "header has: %s)",
                        spec[i].name, spec[i].name, have);
            }
            ok = 0;
        }
    }
    return ok;
}

/* Columns not in the spec (and with a name) become notes, one value per entity. */
static int notes_begin(loader *L, const tab *T, const unsigned char *known, uint32_t nent,
                       cx_notes *nt, int *cols) {
    nt->ncols = 0;
    for (unsigned c = 0; c < T->t.ncols; c++)
        if (!known[c] && T->t.header[c].text[0]) cols[nt->ncols++] = (int)c;
    if (nt->ncols == 0) return 0;
    nt->names = zalloc(L, nt->ncols * sizeof *nt->names);
    nt->values = zalloc(L, (size_t)nent * nt->ncols * sizeof *nt->values);
    if (!nt->names || !nt->values) return -1;
    for (uint32_t j = 0; j < nt->ncols; j++) nt->names[j] = keep(L, T->t.header[cols[j]].text);
    return 0;
}

static void notes_row(loader *L, const tab *T, unsigned r, cx_notes *nt, const int *cols,
                      uint32_t ent) {
    for (uint32_t j = 0; j < nt->ncols; j++)
        nt->values[(size_t)ent * nt->ncols + j] = keep(L, T->t.rows[r][cols[j]].text);
}

static const range R_UNIT = {0, 1, 0, 0, "a number from 0 to 1"};
static const range R_UNIT_OPEN_LO = {0, 1, 1, 0, "a number above 0 and at most 1"};
static const range R_UNIT_OPEN_HI = {0, 1, 0, 1, "a number from 0 up to, not including, 1"};
static const range R_LAT = {-90, 90, 0, 0, "a latitude in degrees, from -90 to 90"};
static const range R_LON = {-180, 180, 0, 0, "a longitude in degrees, from -180 to 180"};
static const range R_NONNEG = {0, HUGE_VAL, 0, 0, "a number >= 0"};
static const range R_RADIUS = {0, HUGE_VAL, 1, 0, "a radius in km above 0"};

/* A number cell; empty gives dflt (or a "missing value" error when required). 0 ok, -1 error. */
static int get_num(loader *L, const tab *T, unsigned r, int c, int required, double dflt,
                   const range *rg, double *out) {
    const char *s = cell(T, r, c);
    char q[100];
    *out = dflt;
    if (!s[0]) {
        if (!required) return 0;
        if (c >= 0) rowerr(L, T, r, c, "missing value (expected %s)", rg->expect);
        return -1;
    }
    double v;
    cxi_parse_err e = {0};
    if (cxi_number_parse(s, T->t.decimal_comma, &v, &e) != 0) {
        rowerr(L, T, r, c, "%s (expected %s)", PMSG(e), rg->expect);
        return -1;
    }
    int low = rg->lo_open ? !(v > rg->lo) : !(v >= rg->lo);
    int high = rg->hi_open ? !(v < rg->hi) : !(v <= rg->hi);
    if (low || high) {
        if (rg->lo == 0 && !rg->lo_open && v < 0 && rg->hi == HUGE_VAL)
            rowerr(L, T, r, c, "'%s' is negative (expected %s)", Q(q, s), rg->expect);
        else
            rowerr(L, T, r, c, "'%s' is out of range (expected %s)", Q(q, s), rg->expect);
        return -1;
    }
    *out = v;
    return 0;
}

/* A duration cell; positive != 0 demands > 0. */
static int get_dur(loader *L, const tab *T, unsigned r, int c, int required, int64_t dflt,
                   int positive, const char *expect, int64_t *out) {
    const char *s = cell(T, r, c);
    char q[100];
    *out = dflt;
    if (!s[0]) {
        if (!required) return 0;
        if (c >= 0) rowerr(L, T, r, c, "missing value (expected %s)", expect);
        return -1;
    }
    int64_t v;
    cxi_parse_err e = {0};
    if (cxi_duration_parse(s, &v, &e) != 0) {
        rowerr(L, T, r, c, "bad duration: %s", PMSG(e));
        return -1;
    }
    if (positive && v <= 0) {
        rowerr(L, T, r, c, "'%s' is not above zero (expected %s)", Q(q, s), expect);
        return -1;
    }
    *out = v;
    return 0;
}

static int get_dist(loader *L, const tab *T, unsigned r, int c, const cxi_dist *dflt,
                    cxi_dist *out) {
    const char *s = cell(T, r, c);
    *out = *dflt;
    if (!s[0]) return 0;
    cxi_parse_err e = {0};
    if (cxi_dist_parse(s, 1, T->t.decimal_comma, out, &e) != 0) {
        *out = *dflt;
        rowerr(L, T, r, c, "bad distribution: %s", PMSG(e));
        return -1;
    }
    return 0;
}

/* An optional point of row r: lat and lon together, or neither for the point of region g (when it
 * was loaded); whose names that point in the message ("region's", "owner's"). */
static void point_cells(loader *L, const tab *T, unsigned r, int clat, int clon, uint32_t g,
                        const char *whose, double *lat, double *lon) {
    const cx_scenario *sc = L->sc;
    int has_lat = cell(T, r, clat)[0] != 0, has_lon = cell(T, r, clon)[0] != 0;
    if (has_lat != has_lon) {
        rowerr(L, T, r, has_lat ? clat : clon,
               "%s given without %s (expected both, or neither to use the %s point)",
               has_lat ? "lat" : "lon", has_lat ? "lon" : "lat", whose);
    } else if (has_lat) {
        get_num(L, T, r, clat, 1, 0, &R_LAT, lat);
        get_num(L, T, r, clon, 1, 0, &R_LON, lon);
    } else if (sc->nregions > g) {
        *lat = sc->regions[g].lat;
        *lon = sc->regions[g].lon;
    }
}

static uint32_t pow2_slots(uint32_t n) {
    uint32_t s = 8;
    while (s < 2 * (uint64_t)n && s < (UINT32_C(1) << 31)) s <<= 1;
    return s;
}

static void slot_put(uint32_t *slots, uint32_t nslots, const char *key, uint32_t index) {
    uint32_t mask = nslots - 1, h = cxi_scenario_slot_hash(key) & mask;
    while (slots[h]) h = (h + 1) & mask;
    slots[h] = index + 1;
}

static const char *const sector_list =
    "power, gas, oil, telecom, transport, rail, water, health, finance, government, election_it, "
    "media, food, space";

static int sector_cell(loader *L, const tab *T, unsigned r, int c, int *out) {
    const char *s = cell(T, r, c);
    *out = cxi_sector_parse(s);
    if (*out >= 0) return 0;
    const char *names[CX_SECTOR_COUNT];
    for (int i = 0; i < CX_SECTOR_COUNT; i++) names[i] = cxi_sector_name(i);
    const char *best = cxi_suggest(s, names, CX_SECTOR_COUNT);
    char q[100];
    if (best)
        rowerr(L, T, r, c, "unknown sector '%s' (did you mean '%s'?)", Q(q, s), best);
    else
        rowerr(L, T, r, c, "unknown sector '%s' (expected one of: %s)", Q(q, s), sector_list);
    return -1;
}

static const char *suggest_from(loader *L, const char ***ids, uint32_t n, int assets,
                                const char *s) {
    if (cxi_diags_full(L->diags)) return NULL; /* the message would be dropped anyway */
    if (!*ids && n) {
        *ids = malloc(n * sizeof **ids);
        if (!*ids) return NULL;
        for (uint32_t i = 0; i < n; i++)
            (*ids)[i] = assets ? L->sc->assets[i].id : L->sc->regions[i].code;
    }
    return cxi_suggest(s, *ids, n);
}

/* Region reference; `star` lets "*" mean every region (returns -1 then). 0 ok, -1 error. */
static int region_ref(loader *L, const tab *T, unsigned r, int c, int star, int32_t *out) {
    const char *s = cell(T, r, c);
    char q[100], q2[100];
    *out = -1;
    if (star && !strcmp(s, "*")) return 0;
    *out = cxi_scenario_region_index(L->sc, s);
    if (*out >= 0) return 0;
    *out = 0;
    if (!L->regions_ok) return -1; /* regions.csv has its own errors: do not guess */
    const char *best = suggest_from(L, &L->region_ids, L->sc->nregions, 0, s);
    if (best)
        rowerr(L, T, r, c, "unknown region '%s' (did you mean '%s'?)", Q(q, s), Q(q2, best));
    else
        rowerr(L, T, r, c, "unknown region '%s' (expected a code from regions.csv%s)", Q(q, s),
               star ? " or '*'" : "");
    return -1;
}

static int asset_ref(loader *L, const tab *T, unsigned r, int c, uint32_t *out) {
    const char *s = cell(T, r, c);
    char q[100], q2[100];
    int32_t i = cxi_scenario_asset_index(L->sc, s);
    *out = 0;
    if (i >= 0) {
        *out = (uint32_t)i;
        return 0;
    }
    if (!L->assets_ok) return -1;
    const char *best = suggest_from(L, &L->asset_ids, L->sc->nassets, 1, s);
    if (best)
        rowerr(L, T, r, c, "unknown asset '%s' (did you mean '%s'?)", Q(q, s), Q(q2, best));
    else
        rowerr(L, T, r, c, "unknown asset '%s' (expected an id from assets.csv)", Q(q, s));
    return -1;
}

/* ---- the same helpers for load_response.c (io/load_int.h) ------------------------------ */

void cxi_ld_worst(loader *L, cx_status s) { worst(L, s); }
const char *cxi_ld_cell(const tab *T, unsigned r, int c) { return cell(T, r, c); }
void cxi_ld_rowerr(loader *L, const tab *T, unsigned r, int c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vrowerr(L, T, r, c, fmt, ap);
    va_end(ap);
}
const char *cxi_ld_keep(loader *L, const char *s) { return keep(L, s); }
void *cxi_ld_zalloc(loader *L, size_t n) { return zalloc(L, n); }
int cxi_ld_resolve(loader *L, tab *T, const colspec *spec, size_t n, int *idx,
                   unsigned char *known) {
    return resolve(L, T, spec, n, idx, known);
}
int cxi_ld_notes_begin(loader *L, const tab *T, const unsigned char *known, uint32_t nent,
                       cx_notes *nt, int *cols) {
    return notes_begin(L, T, known, nent, nt, cols);
}
void cxi_ld_notes_row(loader *L, const tab *T, unsigned r, cx_notes *nt, const int *cols,
                      uint32_t ent) {
    notes_row(L, T, r, nt, cols, ent);
}
int cxi_ld_get_num(loader *L, const tab *T, unsigned r, int c, int required, double dflt,
                   const range *rg, double *out) {
    return get_num(L, T, r, c, required, dflt, rg, out);
}
int cxi_ld_get_dur(loader *L, const tab *T, unsigned r, int c, int required, int64_t dflt,
                   int positive, const char *expect, int64_t *out) {
    return get_dur(L, T, r, c, required, dflt, positive, expect, out);
}
int cxi_ld_get_dist(loader *L, const tab *T, unsigned r, int c, const cxi_dist *dflt,
                    cxi_dist *out) {
    return get_dist(L, T, r, c, dflt, out);
}
int cxi_ld_region_ref(loader *L, const tab *T, unsigned r, int c, int star, int32_t *out) {
    return region_ref(L, T, r, c, star, out);
}
int cxi_ld_sector_cell(loader *L, const tab *T, unsigned r, int c, int *out) {
    return sector_cell(L, T, r, c, out);
}
void cxi_ld_point(loader *L, const tab *T, unsigned r, int clat, int clon, uint32_t g,
                  const char *whose, double *lat, double *lon) {
    point_cells(L, T, r, clat, clon, g, whose, lat, lon);
}

/* ---- scenario.csv ------------------------------------------------------------------------- */

enum {
    K_NAME,
    K_TITLE,
    K_START,
    K_HORIZON,
    K_SEED,
    K_TURN,
    K_MODEL,
    K_DEGRADED,
    K_FAILED,
    K_RESTORED,
    K_IIM_STEP,
    K_IIM_RES,
    K_COUNT
};
static const char *const keys[K_COUNT] = {
    "name",  "title",          "start",        "horizon",          "seed",     "turn",
    "model", "degraded_below", "failed_below", "service_restored", "iim_step", "iim_resilience",
};
static const char *const key_expect[K_COUNT] = {
    "a name of letters, digits, '_' and '-'",
    "a title",
    "an ISO 8601 UTC datetime such as 2024-06-06T07:30Z",
    "a duration above zero such as 48h or 2d",
    "a whole number from 0 to 18446744073709551615",
    "a duration above zero such as 6h",
    "assets, iim or both",
    "a number above 0 and at most 1",
    "a number from 0 up to, not including, 1",
    "a number above 0 and at most 1",
    "a duration above zero such as 1h",
    "a number above 0 and at most 1",
};

/* The timeline prints start + t as a datetime: a 5-digit or negative year could not be read back
 * by cxi_datetime_parse, so the whole run must fit in years 0000..9999. */
#define LAST_UNIX INT64_C(253402300799)   /* 9999-12-31T23:59:59Z */
#define FIRST_UNIX INT64_C(-62167219200)  /* 0000-01-01T00:00:00Z */

static void check_time_range(loader *L, const tab *T, int vc, unsigned start_row,
                             unsigned horizon_row) {
    const cx_params *p = &L->sc->params;
    char a[40], b[40], m[40];
    if (!L->have_start) return;
    cxi_datetime_format(p->start_unix, a, sizeof a);
    if (p->start_unix > LAST_UNIX || p->start_unix < FIRST_UNIX) {
        rowerr(L, T, start_row - 1, vc,
               "start %s is outside years 0000 to 9999 (expected a start from "
               "0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z)",
               a);
        return;
    }
    if (L->have_horizon && p->horizon > LAST_UNIX - p->start_unix) {
        cxi_duration_format(p->horizon, b, sizeof b);
        cxi_duration_format(LAST_UNIX - p->start_unix, m, sizeof m);
        rowerr(L, T, horizon_row - 1, vc,
               "horizon %s from start %s ends after 9999-12-31T23:59:59Z (expected a horizon "
               "of at most %s, or an earlier start)",
               b, a, m);
    }
}

/* Puts each override into the table: its value replaces the value cell of the row with that key
 * (case-insensitive), else a new row is added. The cells it sets get line 0 and col 1 + its index so
 * that errors name the option. A string without '=' is an error here. -1 only on OOM. */
static int apply_overrides(loader *L, tab *T, int kc, int vc) {
    cxi_arena *A = &T->t.arena;
    for (size_t i = 0; i < L->opts->noverrides; i++) {
        const char *ov = L->opts->overrides[i] ? L->opts->overrides[i] : "";
        const char *eq = strchr(ov, '=');
        char q[300];
        if (!eq) {
            char where[320];
            snprintf(where, sizeof where, "--set %s", cxi_diag_quote(q, sizeof q, ov));
            L->errors++;
            cxi_diag_add(L->diags, where, 0, 0,
                         "missing '=' (expected key=value with a key of scenario.csv)");
            continue;
        }
        size_t kl = (size_t)(eq - ov);
        char *key = cxi_arena_alloc(A, kl + 1), *val = cxi_arena_strdup(A, eq + 1);
        if (!key || !val) {
            worst(L, CX_ENOMEM);
            return -1;
        }
        memcpy(key, ov, kl);
        key[kl] = '\0';
        cxi_cell mark = {val, 0, (unsigned)(i + 1)};
        unsigned r = 0;
        for (; r < T->t.nrows; r++)
            if (cxi_ieq(cell(T, r, kc), key)) break;
        if (r < T->t.nrows) {
            T->t.rows[r][vc] = mark;
            continue;
        }
        cxi_cell *row = cxi_arena_alloc(A, T->t.ncols * sizeof *row);
        cxi_cell **rows = cxi_arena_alloc(A, (T->t.nrows + 1) * sizeof *rows);
        unsigned *lines = cxi_arena_alloc(A, (T->t.nrows + 1) * sizeof *lines);
        if (!row || !rows || !lines) {
            worst(L, CX_ENOMEM);
            return -1;
        }
        for (unsigned c = 0; c < T->t.ncols; c++) row[c] = (cxi_cell){"", 0, (unsigned)(i + 1)};
        row[kc].text = key;
        row[vc] = mark;
        if (T->t.nrows) {
            memcpy(rows, T->t.rows, T->t.nrows * sizeof *rows);
            memcpy(lines, T->t.row_line, T->t.nrows * sizeof *lines);
        }
        rows[T->t.nrows] = row;
        lines[T->t.nrows] = 0;
        T->t.rows = rows;
        T->t.row_line = lines;
        T->t.nrows++;
    }
    return 0;
}

static void load_params(loader *L) {
    tab *T = &L->f[F_SCENARIO];
    cx_params *p = &L->sc->params;
    cxi_params_default(p);
    if (!T->usable) return;
    static const colspec spec[] = {{"key", NULL, 1}, {"value", NULL, 1}};
    int col[2];
    unsigned char *kn = calloc(T->t.ncols ? T->t.ncols : 1, 1);
    if (!kn) {
        worst(L, CX_ENOMEM);
        return;
    }
    int ok = resolve(L, T, spec, 2, col, kn);
    free(kn);
    if (!ok) {
        T->usable = 0;
        return;
    }
    int kc = col[0], vc = col[1];
    if (apply_overrides(L, T, kc, vc) != 0) return;
    unsigned seen[K_COUNT] = {0}; /* 1 + row of the key */
    unsigned seen_sector[CX_SECTOR_COUNT] = {0};
    double res_all = -1, res_sector[CX_SECTOR_COUNT];
    for (int i = 0; i < CX_SECTOR_COUNT; i++) res_sector[i] = -1;
    char q[100], q2[100];

    for (unsigned r = 0; r < T->t.nrows && !oom(L); r++) {
        const char *k = cell(T, r, kc), *v = cell(T, r, vc);
        if (!k[0]) {
            if (v[0])
                rowerr(L, T, r, kc,
                       "missing key for value '%s' (expected one of: name, title, "
                       "start, horizon, seed, turn, model, ...)",
                       Q(q, v));
            continue;
        }
        int key = -1, sector = -1;
        for (int i = 0; i < K_COUNT; i++)
            if (cxi_ieq(k, keys[i])) key = i;
        if (key < 0 && cxi_ieqn(k, "iim_resilience.", 15)) {
            sector = cxi_sector_parse(k + 15);
            if (sector < 0) {
                const char *names[CX_SECTOR_COUNT];
                for (int i = 0; i < CX_SECTOR_COUNT; i++) names[i] = cxi_sector_name(i);
                const char *best = cxi_suggest(k + 15, names, CX_SECTOR_COUNT);
                if (best)
                    rowerr(L, T, r, kc, "unknown sector '%s' in key '%s' (did you mean '%s'?)",
                           Q(q, k + 15), Q(q2, k), best);
                else
                    rowerr(L, T, r, kc, "unknown sector '%s' in key '%s' (expected one of: %s)",
                           Q(q, k + 15), Q(q2, k), sector_list);
                continue;
            }
            if (seen_sector[sector]) {
                rowerr(L, T, r, kc,
                       "key '%s' is given twice (first on line %u; expected each "
                       "key once)",
                       Q(q, k), T->t.row_line[seen_sector[sector] - 1]);
                continue;
            }
            seen_sector[sector] = r + 1;
            if (!v[0]) continue;
            get_num(L, T, r, vc, 0, -1, &R_UNIT_OPEN_LO, &res_sector[sector]);
            continue;
        }
        if (key < 0 && cxi_ld_response_key(L, T, r, kc, vc, k, v)) continue;
        if (key < 0 && cxi_ld_hybrid_key(L, T, r, kc, vc, k, v)) continue;
        if (key < 0) {
            const char *best = cxi_suggest(k, keys, K_COUNT);
            if (!best) best = cxi_ld_response_suggest(k);
            if (!best) best = cxi_ld_hybrid_suggest(k);
            if (best)
                rowerr(L, T, r, kc, "unknown key '%s' (did you mean '%s'?)", Q(q, k), best);
            else
                rowerr(L, T, r, kc,
                       "unknown key '%s' (expected one of: name, title, start, "
                       "horizon, seed, turn, model, degraded_below, failed_below, "
                       "service_restored, iim_step, iim_resilience, iim_resilience.<sector>, "
                       "or a response key of docs/scenario-format.md)",
                       Q(q, k));
            continue;
        }
        if (seen[key]) {
            rowerr(L, T, r, kc,
                   "key '%s' is given twice (first on line %u; expected each key once)", keys[key],
                   T->t.row_line[seen[key] - 1]);
            continue;
        }
        seen[key] = r + 1;
        if (!v[0]) {
            if (key == K_NAME || key == K_START || key == K_HORIZON)
                rowerr(L, T, r, vc, "missing value for key '%s' (expected %s)", keys[key],
                       key_expect[key]);
            continue;
        }
        switch (key) {
        case K_NAME: {
            const char *s = v;
            for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
                    break;
            if (*s)
                rowerr(L, T, r, vc,
                       "name '%s' has a character other than letters, digits, '_' "
                       "and '-' (expected %s; the name is used in output folder names)",
                       Q(q, v), key_expect[key]);
            else
                p->name = keep(L, v);
            break;
        }
        case K_TITLE: p->title = keep(L, v); break;
        case K_START: {
            cxi_parse_err e = {0};
            int64_t t0;
            if (cxi_datetime_parse(v, &t0, &e) != 0) {
                rowerr(L, T, r, vc, "bad datetime: %s", PMSG(e));
            } else {
                p->start_unix = t0;
                L->have_start = 1;
            }
            break;
        }
        case K_HORIZON:
            if (get_dur(L, T, r, vc, 1, 0, 1, key_expect[key], &p->horizon) == 0)
                L->have_horizon = 1;
            break;
        case K_TURN: get_dur(L, T, r, vc, 0, p->turn, 1, key_expect[key], &p->turn); break;
        case K_IIM_STEP:
            get_dur(L, T, r, vc, 0, p->iim_step, 1, key_expect[key], &p->iim_step);
            break;
        case K_SEED: {
            uint64_t sd;
            int e = cxi_u64_parse(v, UINT64_MAX, &sd);
            if (e == 0)
                p->seed = sd;
            else if (e == -2)
                rowerr(L, T, r, vc, "seed '%s' is too large (expected %s)", Q(q, v),
                       key_expect[key]);
            else
                rowerr(L, T, r, vc, "seed '%s' is not a whole number (expected %s)", Q(q, v),
                       key_expect[key]);
            break;
        }
        case K_MODEL:
            if (cxi_ieq(v, "assets"))
                p->mode = CX_MODEL_ASSETS;
            else if (cxi_ieq(v, "iim"))
                p->mode = CX_MODEL_IIM;
            else if (cxi_ieq(v, "both"))
                p->mode = CX_MODEL_BOTH;
            else
                rowerr(L, T, r, vc, "unknown model '%s' (expected %s)", Q(q, v), key_expect[key]);
            break;
        case K_DEGRADED:
            get_num(L, T, r, vc, 0, p->degraded_below, &R_UNIT_OPEN_LO, &p->degraded_below);
            break;
        case K_FAILED:
            get_num(L, T, r, vc, 0, p->failed_below, &R_UNIT_OPEN_HI, &p->failed_below);
            break;
        case K_RESTORED:
            get_num(L, T, r, vc, 0, p->service_restored, &R_UNIT_OPEN_LO, &p->service_restored);
            break;
        case K_IIM_RES: get_num(L, T, r, vc, 0, -1, &R_UNIT_OPEN_LO, &res_all); break;
        default: break;
        }
    }
    if (oom(L)) return;
    if (seen[K_FAILED] && p->failed_below >= p->degraded_below)
        rowerr(L, T, seen[K_FAILED] - 1, vc,
               "failed_below (%g) is not below degraded_below (%g) (expected failed_below < "
               "degraded_below)",
               p->failed_below, p->degraded_below);
    else if (seen[K_DEGRADED] && p->failed_below >= p->degraded_below)
        rowerr(L, T, seen[K_DEGRADED] - 1, vc,
               "degraded_below (%g) is not above failed_below (%g) (expected failed_below < "
               "degraded_below)",
               p->degraded_below, p->failed_below);
    check_time_range(L, T, vc, seen[K_START], seen[K_HORIZON]);
    if (res_all > 0)
        for (int i = 0; i < CX_SECTOR_COUNT; i++) p->iim_resilience[i] = res_all;
    for (int i = 0; i < CX_SECTOR_COUNT; i++)
        if (res_sector[i] > 0) p->iim_resilience[i] = res_sector[i];
    /* a row lost to a syntax error may hold the key: then its absence is not news */
    static const int required[] = {K_NAME, K_START, K_HORIZON};
    for (size_t i = 0; i < sizeof required / sizeof required[0] && T->read_ok; i++)
        if (!seen[required[i]])
            fileerr(L, T, T->t.header[0].line, 1,
                    "missing required key '%s' (expected a row 'key,value' with key '%s' and "
                    "value %s)",
                    keys[required[i]], keys[required[i]], key_expect[required[i]]);
}

/* ---- regions.csv -------------------------------------------------------------------------- */

/* The key column of a table whose entities are found by key (regions, assets). */
typedef struct {
    const char *expect;     /* what a missing key should have been */
    const char *what, *key; /* "region code", "code": for the duplicate message */
    int32_t (*index)(const cx_scenario *, const char *);
} keycol;

/* The key of row r when it is present and new; NULL (reported) when it is missing, which also
 * makes the table incomplete (*all = 0), or a duplicate of the entity on line line_of[index]. */
static const char *row_key(loader *L, const tab *T, unsigned r, int c, const keycol *k,
                           const unsigned *line_of, int *all) {
    const char *key = cell(T, r, c);
    if (!key[0]) {
        rowerr(L, T, r, c, "missing value (expected %s)", k->expect);
        *all = 0;
        return NULL;
    }
    int32_t prev = k->index(L->sc, key);
    if (prev >= 0) {
        char q[100];
        rowerr(L, T, r, c, "duplicate %s '%s' (first on line %u; expected each %s once)", k->what,
               Q(q, key), line_of[prev], k->key);
        return NULL;
    }
    return key;
}

static int parse_region_kind(const char *s, cx_region_kind *k) {
    static const struct {
        const char *name;
        cx_region_kind kind;
    } kinds[] = {
        {"member", CX_REGION_MEMBER},
        {"member state", CX_REGION_MEMBER},
        {"participating", CX_REGION_PARTICIPATING},
        {"participating state", CX_REGION_PARTICIPATING},
        {"third", CX_REGION_THIRD},
        {"third country", CX_REGION_THIRD},
        {"other", CX_REGION_OTHER},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (cxi_ieq(s, kinds[i].name)) {
            *k = kinds[i].kind;
            return 0;
        }
    return -1;
}

static void load_regions(loader *L) {
    tab *T = &L->f[F_REGIONS];
    cx_scenario *sc = L->sc;
    L->regions_ok = 0;
    if (!T->usable) return;
    enum { C_CODE, C_NAME, C_KIND, C_LAT, C_LON, C_POP, C_N };
    static const colspec spec[C_N] = {{"code", NULL, 1}, {"name", NULL, 0},
                                      {"kind", NULL, 0}, {"lat", NULL, 1},
                                      {"lon", NULL, 1},  {"population", NULL, 0}};
    int col[C_N];
    if (!resolve(L, T, spec, C_N, col, NULL)) {
        T->usable = 0;
        return;
    }
    uint32_t n = T->t.nrows;
    sc->regions = zalloc(L, n * sizeof *sc->regions);
    sc->region_nslots = pow2_slots(n);
    sc->region_slots = zalloc(L, sc->region_nslots * sizeof *sc->region_slots);
    if (!sc->regions || !sc->region_slots) return;
    unsigned *line_of = malloc((n ? n : 1) * sizeof *line_of); /* of each region, for messages */
    if (!line_of) {
        worst(L, CX_ENOMEM);
        return;
    }
    int all = T->read_ok;
    char q[100];
    static const keycol key = {"a region code such as AT", "region code", "code",
                               cxi_scenario_region_index};
    for (unsigned r = 0; r < n; r++) {
        const char *code = row_key(L, T, r, col[C_CODE], &key, line_of, &all);
        if (!code) continue;
        cx_region *g = &sc->regions[sc->nregions];
        g->code = keep(L, code);
        g->name = keep(L, cell(T, r, col[C_NAME]));
        g->kind = CX_REGION_MEMBER;
        const char *kind = cell(T, r, col[C_KIND]);
        if (kind[0] && parse_region_kind(kind, &g->kind) != 0)
            rowerr(L, T, r, col[C_KIND],
                   "unknown region kind '%s' (expected member, "
                   "participating, third or other)",
                   Q(q, kind));
        get_num(L, T, r, col[C_LAT], 1, 0, &R_LAT, &g->lat);
        get_num(L, T, r, col[C_LON], 1, 0, &R_LON, &g->lon);
        get_num(L, T, r, col[C_POP], 0, 0, &R_NONNEG, &g->population);
        line_of[sc->nregions] = T->t.row_line[r];
        slot_put(sc->region_slots, sc->region_nslots, code, sc->nregions);
        sc->nregions++;
    }
    free(line_of);
    L->regions_ok = all;
}

/* ---- assets.csv --------------------------------------------------------------------------- */

static void load_assets(loader *L) {
    tab *T = &L->f[F_ASSETS];
    cx_scenario *sc = L->sc;
    L->assets_ok = 0;
    if (!T->usable) return;
    enum { C_ID, C_NAME, C_SECTOR, C_REGION, C_LAT, C_LON, C_POP, C_REPAIR, C_N };
    static const colspec spec[C_N] = {{"id", NULL, 1},         {"name", NULL, 0},
                                      {"sector", NULL, 1},     {"region", "country", 1},
                                      {"lat", NULL, 0},        {"lon", NULL, 0},
                                      {"population", NULL, 0}, {"repair", NULL, 0}};
    int col[C_N];
    unsigned char *kn = calloc(T->t.ncols, 1);
    int *ncols = malloc(T->t.ncols * sizeof *ncols);
    if (!kn || !ncols) {
        free(kn);
        free(ncols);
        worst(L, CX_ENOMEM);
        return;
    }
    int ok = resolve(L, T, spec, C_N, col, kn);
    if (!ok) T->usable = 0;
    uint32_t n = T->t.nrows;
    if (ok) {
        sc->assets = zalloc(L, n * sizeof *sc->assets);
        sc->asset_nslots = pow2_slots(n);
        sc->asset_slots = zalloc(L, sc->asset_nslots * sizeof *sc->asset_slots);
        if (!sc->assets || !sc->asset_slots || notes_begin(L, T, kn, n, &sc->asset_notes, ncols))
            ok = 0;
    }
    free(kn);
    if (!ok) {
        free(ncols);
        return;
    }
    const cxi_dist repair_default = {CXI_DIST_EXP, {12 * 3600.0, 0, 0}, 1};
    unsigned *line_of = malloc((n ? n : 1) * sizeof *line_of); /* of each asset, for messages */
    if (!line_of) {
        free(ncols);
        worst(L, CX_ENOMEM);
        return;
    }
    int all = T->read_ok;
    static const keycol key = {"an asset id", "asset id", "id", cxi_scenario_asset_index};
    for (unsigned r = 0; r < n; r++) {
        const char *id = row_key(L, T, r, col[C_ID], &key, line_of, &all);
        if (!id) continue;
        cx_asset *a = &sc->assets[sc->nassets];
        a->id = keep(L, id);
        a->name = keep(L, cell(T, r, col[C_NAME]));
        if (!cell(T, r, col[C_SECTOR])[0])
            rowerr(L, T, r, col[C_SECTOR], "missing value (expected one of: %s)", sector_list);
        else
            sector_cell(L, T, r, col[C_SECTOR], &a->sector);
        if (a->sector < 0) a->sector = 0;
        int32_t reg = 0;
        if (!cell(T, r, col[C_REGION])[0])
            rowerr(L, T, r, col[C_REGION], "missing value (expected a code from regions.csv)");
        else
            region_ref(L, T, r, col[C_REGION], 0, &reg);
        a->region = (uint32_t)(reg >= 0 ? reg : 0);
        point_cells(L, T, r, col[C_LAT], col[C_LON], a->region, "region's", &a->lat, &a->lon);
        get_num(L, T, r, col[C_POP], 0, 0, &R_NONNEG, &a->population);
        get_dist(L, T, r, col[C_REPAIR], &repair_default, &a->repair);
        notes_row(L, T, r, &sc->asset_notes, ncols, sc->nassets);
        line_of[sc->nassets] = T->t.row_line[r];
        slot_put(sc->asset_slots, sc->asset_nslots, id, sc->nassets);
        sc->nassets++;
    }
    free(ncols);
    free(line_of);
    L->assets_ok = all;
}

/* ---- links.csv ---------------------------------------------------------------------------- */

typedef struct {
    uint32_t s, d, row;
} pairrow;

static int cmp_pair(const void *a, const void *b) {
    const pairrow *x = a, *y = b;
    if (x->s != y->s) return x->s < y->s ? -1 : 1;
    if (x->d != y->d) return x->d < y->d ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static void load_links(loader *L) {
    tab *T = &L->f[F_LINKS];
    cx_scenario *sc = L->sc;
    if (!T->usable) return;
    enum { C_SUP, C_DEP, C_THR, C_STR, C_DELAY, C_REC, C_N };
    static const colspec spec[C_N] = {{"supplier", NULL, 1},  {"dependent", NULL, 1},
                                      {"threshold", NULL, 0}, {"strength", NULL, 0},
                                      {"delay", NULL, 0},     {"recovery", NULL, 0}};
    int col[C_N];
    uint32_t n = T->t.nrows;
    unsigned char *kn = calloc(T->t.ncols, 1);
    int *ncols = malloc(T->t.ncols * sizeof *ncols);
    pairrow *pairs = malloc((n ? n : 1) * sizeof *pairs);
    uint32_t *first_of = calloc(n ? n : 1, sizeof *first_of); /* 1 + first row of a duplicate */
    if (!kn || !ncols || !pairs || !first_of) {
        worst(L, CX_ENOMEM);
        goto done;
    }
    if (!resolve(L, T, spec, C_N, col, kn)) {
        T->usable = 0;
        goto done;
    }
    sc->links = zalloc(L, n * sizeof *sc->links);
    if (!sc->links || notes_begin(L, T, kn, n, &sc->link_notes, ncols)) goto done;
    const cxi_dist zero = {CXI_DIST_FIXED, {0, 0, 0}, 1};
    uint32_t np = 0;
    char q[100], q2[100];
    for (unsigned r = 0; r < n; r++) {
        cx_link *k = &sc->links[sc->nlinks];
        int bad = 0;
        const char *s = cell(T, r, col[C_SUP]), *d = cell(T, r, col[C_DEP]);
        if (!s[0]) {
            rowerr(L, T, r, col[C_SUP], "missing value (expected an id from assets.csv)");
            bad = 1;
        } else if (asset_ref(L, T, r, col[C_SUP], &k->supplier) != 0) {
            bad = 1;
        }
        if (!d[0]) {
            rowerr(L, T, r, col[C_DEP], "missing value (expected an id from assets.csv)");
            bad = 1;
        } else if (asset_ref(L, T, r, col[C_DEP], &k->dependent) != 0) {
            bad = 1;
        }
        if (!bad && k->supplier == k->dependent) {
            rowerr(L, T, r, col[C_DEP], "link from '%s' to itself (expected two different assets)",
                   Q(q, s));
            bad = 1;
        }
        get_num(L, T, r, col[C_THR], 0, 0.5, &R_UNIT_OPEN_LO, &k->threshold);
        get_num(L, T, r, col[C_STR], 0, 1.0, &R_UNIT, &k->strength);
        get_dist(L, T, r, col[C_DELAY], &zero, &k->delay);
        get_dist(L, T, r, col[C_REC], &zero, &k->recovery);
        if (!bad) pairs[np++] = (pairrow){k->supplier, k->dependent, r};
        notes_row(L, T, r, &sc->link_notes, ncols, sc->nlinks);
        sc->nlinks++;
    }
    /* duplicates: sort by pair, then report in file order */
    qsort(pairs, np, sizeof *pairs, cmp_pair);
    for (uint32_t i = 1; i < np; i++)
        if (pairs[i].s == pairs[i - 1].s && pairs[i].d == pairs[i - 1].d)
            first_of[pairs[i].row] =
                first_of[pairs[i - 1].row] ? first_of[pairs[i - 1].row] : pairs[i - 1].row + 1;
    for (unsigned r = 0; r < n; r++)
        if (first_of[r])
            rowerr(L, T, r, col[C_DEP],
                   "duplicate link '%s' -> '%s' (first on line %u; expected each supplier, "
                   "dependent pair once)",
                   Q(q, cell(T, r, col[C_SUP])), Q(q2, cell(T, r, col[C_DEP])),
                   T->t.row_line[first_of[r] - 1]);
done:
    free(kn);
    free(ncols);
    free(pairs);
    free(first_of);
}

/* ---- injects.csv -------------------------------------------------------------------------- */

typedef struct {
    cx_inject in;
    uint32_t orig; /* file order */
} ordered;

static int cmp_inject(const void *a, const void *b) {
    const ordered *x = a, *y = b;
    if (x->in.t != y->in.t) return x->in.t < y->in.t ? -1 : 1;
    return x->orig < y->orig ? -1 : x->orig > y->orig;
}

static void load_injects(loader *L) {
    tab *T = &L->f[F_INJECTS];
    cx_scenario *sc = L->sc;
    if (!T->usable) return;
    enum {
        C_ID,
        C_MOVE,
        C_TIME,
        C_KIND,
        C_TARGET,
        C_REGION,
        C_SECTOR,
        C_LAT,
        C_LON,
        C_RADIUS,
        C_MAG,
        C_MSG,
        C_CHANNEL,
        C_FROM,
        C_TO,
        C_EXPECTED,
        C_OBJECTIVE,
        C_HAZARD,
        C_NEEDS,
        C_VALUE,
        C_DURATION,
        C_DETECTION,
        C_N
    };
    static const colspec spec[C_N] = {{"id", NULL, 1},         {"move", NULL, 0},
                                      {"time", "t_offset", 1}, {"kind", "type", 1},
                                      {"target", NULL, 0},     {"region", "country", 0},
                                      {"sector", NULL, 0},     {"lat", NULL, 0},
                                      {"lon", NULL, 0},        {"radius_km", NULL, 0},
                                      {"magnitude", NULL, 0},  {"message", NULL, 0},
                                      {"channel", NULL, 0},    {"from", NULL, 0},
                                      {"to", NULL, 0},         {"expected_action", NULL, 0},
                                      {"objective", NULL, 0},  {"hazard", NULL, 0},
                                      {"needs", NULL, 0},      {"value", NULL, 0},
                                      {"duration", NULL, 0},   {"detection", NULL, 0}};
    static const char *const kinds[CX_INJECT_KIND_COUNT] = {
        "message", "damage", "disable", "restore", "hazard",
        "request", "ipcr",   "art222",  "preposition", "cyber", "fimi", "hrrt", "pubcom",
        "platform_notice", "notify"};
    static const char kinds_expect[] =
        "message, damage, disable, restore, hazard, request, ipcr, art222, preposition, cyber, "
        "fimi, hrrt, pubcom, platform_notice or notify";
    int col[C_N];
    uint32_t n = T->t.nrows;
    unsigned char *kn = calloc(T->t.ncols, 1);
    int *ncols = malloc(T->t.ncols * sizeof *ncols);
    uint32_t nslots = pow2_slots(n);
    uint32_t *slots = calloc(nslots, sizeof *slots); /* inject ids seen: 1 + row */
    const char **notes_tmp = NULL;
    ordered *sorted = NULL;
    if (!kn || !ncols || !slots) {
        worst(L, CX_ENOMEM);
        goto done;
    }
    if (!resolve(L, T, spec, C_N, col, kn)) {
        T->usable = 0;
        goto done;
    }
    sc->injects = zalloc(L, n * sizeof *sc->injects);
    if (!sc->injects || notes_begin(L, T, kn, n, &sc->inject_notes, ncols)) goto done;
    int check_horizon = L->have_start && L->have_horizon;
    int64_t t0 = L->have_start ? sc->params.start_unix : 0;
    char q[100], q2[100];
    for (unsigned r = 0; r < n; r++) {
        const char *id = cell(T, r, col[C_ID]);
        if (!id[0]) {
            rowerr(L, T, r, col[C_ID], "missing value (expected an inject id)");
            continue;
        }
        uint32_t mask = nslots - 1, h = cxi_scenario_slot_hash(id) & mask;
        int dupe = 0;
        for (; slots[h]; h = (h + 1) & mask)
            if (!strcmp(cell(T, slots[h] - 1, col[C_ID]), id)) {
                rowerr(L, T, r, col[C_ID],
                       "duplicate inject id '%s' (first on line %u; expected each id once)",
                       Q(q, id), T->t.row_line[slots[h] - 1]);
                dupe = 1;
                break;
            }
        if (dupe) continue;
        slots[h] = r + 1;

        cx_inject *in = &sc->injects[sc->ninjects];
        in->id = keep(L, id);
        in->line = T->t.row_line[r];
        in->asset = 0;
        in->sector = -1;
        in->region = -1;
        in->magnitude = 1;
        const char *mv = cell(T, r, col[C_MOVE]);
        if (mv[0]) {
            uint64_t m;
            if (cxi_u64_parse(mv, INT32_MAX, &m) != 0)
                rowerr(L, T, r, col[C_MOVE],
                       "'%s' is not a whole number >= 0 (expected a move "
                       "number such as 1)",
                       Q(q, mv));
            else
                in->move = (int)m;
        }
        const char *ts = cell(T, r, col[C_TIME]);
        if (!ts[0]) {
            rowerr(L, T, r, col[C_TIME],
                   "missing value (expected a time such as T+6h or "
                   "2024-06-06T07:30Z)");
        } else {
            cxi_parse_err e = {0};
            if (cxi_time_parse(ts, t0, &in->t, &e) != 0) {
                rowerr(L, T, r, col[C_TIME], "bad time: %s", PMSG(e));
            } else if (check_horizon && in->t > sc->params.horizon) {
                char a[32], b[32];
                cxi_offset_format(in->t, a, sizeof a);
                cxi_offset_format(sc->params.horizon, b, sizeof b);
                rowerr(L, T, r, col[C_TIME],
                       "inject at %s is after the horizon %s (expected a "
                       "time up to the horizon, or a longer horizon in scenario.csv)",
                       a, b);
            }
        }
        const char *ks = cell(T, r, col[C_KIND]);
        int kind = -1;
        for (int i = 0; i < CX_INJECT_KIND_COUNT; i++)
            if (cxi_ieq(ks, kinds[i])) kind = i;
        if (!ks[0]) {
            rowerr(L, T, r, col[C_KIND], "missing value (expected %s)", kinds_expect);
        } else if (kind < 0) {
            const char *best = cxi_suggest(ks, kinds, CX_INJECT_KIND_COUNT);
            if (best)
                rowerr(L, T, r, col[C_KIND], "unknown inject kind '%s' (did you mean '%s'?)",
                       Q(q, ks), best);
            else
                rowerr(L, T, r, col[C_KIND], "unknown inject kind '%s' (expected %s)", Q(q, ks),
                       kinds_expect);
        }
        in->kind = kind >= 0 ? (cx_inject_kind)kind : CX_INJECT_MESSAGE;
        in->message = keep(L, cell(T, r, col[C_MSG]));
        in->channel = keep(L, cell(T, r, col[C_CHANNEL]));
        in->from = keep(L, cell(T, r, col[C_FROM]));
        in->to = keep(L, cell(T, r, col[C_TO]));
        in->expected_action = keep(L, cell(T, r, col[C_EXPECTED]));
        in->objective = keep(L, cell(T, r, col[C_OBJECTIVE]));

        /* target columns: references are checked whatever the kind, so typos never pass */
        const char *tg = cell(T, r, col[C_TARGET]), *rg = cell(T, r, col[C_REGION]),
                   *sec = cell(T, r, col[C_SECTOR]);
        int has_t = tg[0] != 0, has_r = rg[0] != 0, has_s = sec[0] != 0;
        int has_lat = cell(T, r, col[C_LAT])[0] != 0, has_lon = cell(T, r, col[C_LON])[0] != 0,
            has_rad = cell(T, r, col[C_RADIUS])[0] != 0;
        int has_geo = has_lat || has_lon || has_rad;
        int tbad = 0;
        if (has_t && kind == CX_INJECT_PREPOSITION) {
            if (cxi_ld_capacity_ref(L, T, r, col[C_TARGET], &in->capacity) != 0) tbad = 1;
        } else if (has_t && asset_ref(L, T, r, col[C_TARGET], &in->asset) != 0) {
            tbad = 1;
        }
        if (has_r && region_ref(L, T, r, col[C_REGION], 1, &in->region) != 0) tbad = 1;
        if (has_s && sector_cell(L, T, r, col[C_SECTOR], &in->sector) != 0) tbad = 1;
        if (has_geo) {
            if (get_num(L, T, r, col[C_LAT], 1, 0, &R_LAT, &in->lat) ||
                get_num(L, T, r, col[C_LON], 1, 0, &R_LON, &in->lon) ||
                get_num(L, T, r, col[C_RADIUS], 1, 0, &R_RADIUS, &in->radius_km))
                tbad = 1;
            if (col[C_LAT] < 0 || col[C_LON] < 0 || col[C_RADIUS] < 0) {
                rowerr(L, T, r, -1,
                       "inject '%s' has a position but the table lacks a 'lat', "
                       "'lon' or 'radius_km' column (expected all three)",
                       Q(q, id));
                tbad = 1;
            }
        }
        get_num(L, T, r, col[C_MAG], 0, 1, &R_UNIT, &in->magnitude);

        in->target_kind = CX_TARGET_NONE;
        in->at_region = -1;
        /* 'trigger' is reserved for contingency injects: kept as text, and as a note as before */
        in->trigger = keep(L, cell(T, r, cxi_table_col(&T->t, "trigger")));
        if (in->trigger[0]) cxi_ld_trigger(L, T, r, cxi_table_col(&T->t, "trigger"), in);
        const cxi_ld_injcols hc = {col[C_TARGET], col[C_REGION], col[C_SECTOR], col[C_VALUE],
                                   col[C_DURATION], col[C_DETECTION], col[C_HAZARD], col[C_NEEDS],
                                   col[C_KIND], col[C_MAG], has_t, has_r, has_s, has_geo, tbad};
        if (cxi_ld_hybrid_inject(L, T, r, kind, in, &hc)) {
            notes_row(L, T, r, &sc->inject_notes, ncols, sc->ninjects);
            sc->ninjects++;
            continue;
        }
        if (kind >= CX_INJECT_HAZARD) {
            /* response kinds: 'region' names the region concerned; a hazard damages assets only
             * through 'target', 'sector' (with its region) or a position */
            if (has_r && strcmp(rg, "*") != 0 && in->region >= 0) in->at_region = in->region;
            if (has_r && !strcmp(rg, "*"))
                rowerr(L, T, r, col[C_REGION],
                       "'*' is not allowed for a %s inject (expected one region code)",
                       kinds[kind]);
            has_r = has_r && has_s; /* a region alone is not a damage target here */
        }
        if (cell(T, r, col[C_HAZARD])[0]) {
            if (kind != CX_INJECT_HAZARD)
                rowerr(L, T, r, col[C_HAZARD], "'hazard' applies only to hazard injects (expected "
                       "an empty cell)");
            else
                cxi_ld_hazard(L, T, r, col[C_HAZARD], &in->hazard);
        } else if (kind == CX_INJECT_HAZARD) {
            in->hazard = CX_HAZARD_COUNT - 1; /* other */
        }
        if (cell(T, r, col[C_NEEDS])[0]) {
            if (kind != CX_INJECT_HAZARD && kind != CX_INJECT_REQUEST)
                rowerr(L, T, r, col[C_NEEDS], "'needs' applies only to hazard and request injects "
                       "(expected an empty cell)");
            else
                cxi_ld_needs(L, T, r, col[C_NEEDS], &in->needs);
        }
        if (cell(T, r, col[C_DURATION])[0]) {
            if (kind != CX_INJECT_HAZARD)
                rowerr(L, T, r, col[C_DURATION], "'duration' applies only to hazard injects "
                       "(expected an empty cell)");
            else
                get_dur(L, T, r, col[C_DURATION], 0, 0, 1, "a duration above zero such as 10d",
                        &in->duration);
        }
        if (cell(T, r, col[C_VALUE])[0]) {
            if (kind != CX_INJECT_IPCR)
                rowerr(L, T, r, col[C_VALUE], "'value' applies only to ipcr injects (expected "
                       "an empty cell)");
            else
                cxi_ld_ipcr_mode(L, T, r, col[C_VALUE], &in->ipcr_mode);
        } else if (kind == CX_INJECT_IPCR) {
            rowerr(L, T, r, col[C_KIND] >= 0 ? col[C_KIND] : -1,
                   "ipcr inject '%s' has no mode (expected 'value': inactive, monitoring, "
                   "information_sharing, full or closed)",
                   Q(q, id));
        }
        if ((kind == CX_INJECT_REQUEST || kind == CX_INJECT_ART222 ||
             kind == CX_INJECT_PREPOSITION) && in->at_region < 0 && !(rg[0] && tbad))
            rowerr(L, T, r, col[C_KIND], "%s inject '%s' has no region (expected a region code "
                   "in 'region')", kinds[kind], Q(q2, id));
        if (kind == CX_INJECT_REQUEST && !in->needs && !cell(T, r, col[C_NEEDS])[0])
            rowerr(L, T, r, col[C_KIND], "request inject '%s' has no needs (expected 'needs' "
                   "such as usar=2; medical=1)", Q(q2, id));
        if (kind == CX_INJECT_PREPOSITION && !has_t)
            rowerr(L, T, r, col[C_KIND], "preposition inject '%s' has no capacity (expected a "
                   "capacity id from capacities.csv in 'target')", Q(q2, id));
        if (kind == CX_INJECT_PREPOSITION || kind == CX_INJECT_REQUEST ||
            kind == CX_INJECT_ART222 || kind == CX_INJECT_IPCR) {
            if ((kind != CX_INJECT_PREPOSITION && has_t) || has_s || has_geo)
                rowerr(L, T, r, has_t && kind != CX_INJECT_PREPOSITION ? col[C_TARGET]
                                : has_s ? col[C_SECTOR] : -1,
                       "a %s inject takes no asset, sector or position target (expected "
                       "only 'region'%s)", kinds[kind],
                       kind == CX_INJECT_PREPOSITION ? " and a capacity in 'target'" : "");
        } else if (kind == CX_INJECT_HAZARD) {
            int groups = has_t + has_r + has_geo;
            if (groups > 1 || (has_t && has_s)) {
                rowerr(L, T, r, has_t ? col[C_TARGET] : col[C_SECTOR],
                       "hazard inject '%s' has more than one damage target (expected at most "
                       "one of: 'target', 'region' + 'sector', or 'lat'+'lon'+'radius_km')",
                       Q(q2, id));
            } else if (groups == 1 && !tbad) {
                in->target_kind = has_t   ? CX_TARGET_ASSET
                                  : has_r ? CX_TARGET_SECTOR
                                          : CX_TARGET_RADIUS;
            }
            if (in->at_region < 0 && !(rg[0] && tbad)) {
                if (has_t && !tbad) {
                    in->at_region = (int32_t)sc->assets[in->asset].region;
                } else if (has_geo && !tbad && sc->nregions) {
                    double best = HUGE_VAL;
                    for (uint32_t g = 0; g < sc->nregions; g++) {
                        double dk = cxi_geo_km(in->lat, in->lon, sc->regions[g].lat,
                                               sc->regions[g].lon);
                        if (dk < best) {
                            best = dk;
                            in->at_region = (int32_t)g;
                        }
                    }
                } else if (!tbad) {
                    rowerr(L, T, r, col[C_KIND], "hazard inject '%s' has no region (expected a "
                           "region code in 'region', an asset in 'target' or a position)",
                           Q(q2, id));
                }
            }
        } else if (kind == CX_INJECT_MESSAGE) {
            if (!in->message[0]) {
                if (col[C_MSG] >= 0)
                    rowerr(L, T, r, col[C_MSG],
                           "missing value (a message inject needs the text "
                           "the players receive)");
                else
                    rowerr(L, T, r, -1,
                           "message inject '%s' has no text (expected a 'message' "
                           "column)",
                           Q(q, id));
            }
        } else if (kind > 0 && kind <= CX_INJECT_RESTORE) {
            int groups = has_t + has_r + has_geo;
            if (groups == 0) {
                rowerr(L, T, r, col[C_KIND],
                       "%s inject '%s' has no target (expected an asset id "
                       "in 'target', a region code in 'region' (optionally with 'sector'), or "
                       "'lat', 'lon' and 'radius_km')",
                       kinds[kind], Q(q2, id));
            } else if (groups > 1) {
                char both[64];
                snprintf(both, sizeof both, "%s%s%s%s%s", has_t ? "'target'" : "",
                         has_t ? " and " : "", has_r ? "'region'" : "",
                         has_r && has_geo ? " and " : "", has_geo ? "a position" : "");
                rowerr(L, T, r, has_t ? col[C_TARGET] : col[C_REGION],
                       "%s inject '%s' has more than one target: %s (expected exactly one of: "
                       "'target', 'region' (+ 'sector'), or 'lat'+'lon'+'radius_km')",
                       kinds[kind], Q(q2, id), both);
            } else if (has_t && has_s) {
                rowerr(L, T, r, col[C_SECTOR],
                       "a sector does not apply to an asset target "
                       "(expected an empty sector, or a 'region' or radius target)");
            } else if (has_r && !strcmp(rg, "*") && !has_s) {
                rowerr(L, T, r, col[C_REGION],
                       "region '*' (every region) needs a sector "
                       "(expected one of: %s in 'sector')",
                       sector_list);
            } else if (!tbad) {
                in->target_kind = has_t   ? CX_TARGET_ASSET
                                  : has_r ? CX_TARGET_SECTOR
                                          : CX_TARGET_RADIUS;
            }
        }
        notes_row(L, T, r, &sc->inject_notes, ncols, sc->ninjects);
        sc->ninjects++;
    }
    /* stable order (time, file order); notes follow their inject */
    sorted = malloc((sc->ninjects ? sc->ninjects : 1) * sizeof *sorted);
    if (!sorted) {
        worst(L, CX_ENOMEM);
        goto done;
    }
    for (uint32_t i = 0; i < sc->ninjects; i++) sorted[i] = (ordered){sc->injects[i], i};
    qsort(sorted, sc->ninjects, sizeof *sorted, cmp_inject);
    for (uint32_t i = 0; i < sc->ninjects; i++) sc->injects[i] = sorted[i].in;
    uint32_t nc = sc->inject_notes.ncols;
    if (nc && sc->ninjects) {
        notes_tmp = malloc((size_t)sc->ninjects * nc * sizeof *notes_tmp);
        if (!notes_tmp) {
            worst(L, CX_ENOMEM);
            goto done;
        }
        memcpy(notes_tmp, sc->inject_notes.values, (size_t)sc->ninjects * nc * sizeof *notes_tmp);
        for (uint32_t i = 0; i < sc->ninjects; i++)
            memcpy(sc->inject_notes.values + (size_t)i * nc,
                   notes_tmp + (size_t)sorted[i].orig * nc, nc * sizeof *notes_tmp);
    }
done:
    free(sorted);
    free(notes_tmp);
    free(kn);
    free(ncols);
    free(slots);
}

/* ---- iim.csv ------------------------------------------------------------------------------ */

typedef struct {
    cx_iim_coupling c;
    uint32_t row;
    int specific; /* the row named its region (overrides a '*' row for the same pair) */
} expanded;

static int same_pair(const expanded *x, const expanded *y) {
    return x->c.sector == y->c.sector && x->c.region == y->c.region &&
           x->c.on_sector == y->c.on_sector && x->c.on_region == y->c.on_region;
}

static int cmp_expanded(const void *a, const void *b) {
    const expanded *x = a, *y = b;
    const uint32_t kx[4] = {x->c.sector, x->c.region, x->c.on_sector, x->c.on_region};
    const uint32_t ky[4] = {y->c.sector, y->c.region, y->c.on_sector, y->c.on_region};
    for (int i = 0; i < 4; i++)
        if (kx[i] != ky[i]) return kx[i] < ky[i] ? -1 : 1;
    if (x->specific != y->specific) return x->specific > y->specific ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static void load_iim(loader *L) {
    tab *T = &L->f[F_IIM];
    cx_scenario *sc = L->sc;
    if (!T->usable) return;
    enum { C_SEC, C_REG, C_ON, C_ONREG, C_COEF, C_N };
    static const colspec spec[C_N] = {{"sector", NULL, 1},
                                      {"region", "country", 0},
                                      {"depends_on", NULL, 1},
                                      {"depends_on_region", NULL, 0},
                                      {"coefficient", NULL, 1}};
    int col[C_N];
    uint32_t n = T->t.nrows;
    expanded *ex = NULL;
    size_t nex = 0, aex = 0;
    uint32_t *first_of = NULL;
    if (!resolve(L, T, spec, C_N, col, NULL)) {
        T->usable = 0;
        return;
    }
    first_of = calloc(n ? n : 1, sizeof *first_of);
    uint32_t *dup_of = calloc(n ? n : 1, sizeof *dup_of);
    if (!first_of || !dup_of) {
        free(first_of);
        free(dup_of);
        worst(L, CX_ENOMEM);
        return;
    }
    for (unsigned r = 0; r < n && !oom(L); r++) {
        int bad = 0, sec = -1, on = -1;
        int32_t reg = -1, onreg = -1;
        if (!cell(T, r, col[C_SEC])[0]) {
            rowerr(L, T, r, col[C_SEC], "missing value (expected one of: %s)", sector_list);
            bad = 1;
        } else if (sector_cell(L, T, r, col[C_SEC], &sec)) {
            bad = 1;
        }
        if (!cell(T, r, col[C_ON])[0]) {
            rowerr(L, T, r, col[C_ON], "missing value (expected one of: %s)", sector_list);
            bad = 1;
        } else if (sector_cell(L, T, r, col[C_ON], &on)) {
            bad = 1;
        }
        if (cell(T, r, col[C_REG])[0] && region_ref(L, T, r, col[C_REG], 1, &reg)) bad = 1;
        const char *ors = cell(T, r, col[C_ONREG]);
        if (!strcmp(ors, "*")) {
            rowerr(L, T, r, col[C_ONREG],
                   "'*' is not allowed here (expected a region code, or "
                   "empty for the dependent's own region)");
            bad = 1;
        } else if (ors[0] && region_ref(L, T, r, col[C_ONREG], 0, &onreg)) {
            bad = 1;
        }
        double coef;
        if (get_num(L, T, r, col[C_COEF], 1, 0, &R_UNIT_OPEN_HI, &coef)) bad = 1;
        if (bad) continue;
        uint32_t from = reg >= 0 ? (uint32_t)reg : 0,
                 to = reg >= 0 ? (uint32_t)reg + 1 : sc->nregions;
        for (uint32_t g = from; g < to; g++) {
            if (nex == aex) {
                size_t na = aex ? aex * 2 : 64;
                expanded *ne = realloc(ex, na * sizeof *ne);
                if (!ne) {
                    worst(L, CX_ENOMEM);
                    break;
                }
                ex = ne;
                aex = na;
            }
            expanded *e = &ex[nex++];
            e->c.sector = (uint32_t)sec;
            e->c.region = g;
            e->c.on_sector = (uint32_t)on;
            e->c.on_region = onreg >= 0 ? (uint32_t)onreg : g;
            e->c.coefficient = coef;
            e->row = r;
            e->specific = reg >= 0;
        }
    }
    if (!oom(L) && nex) {
        qsort(ex, nex, sizeof *ex, cmp_expanded);
        sc->couplings = zalloc(L, nex * sizeof *sc->couplings);
        for (size_t i = 0; i < nex && sc->couplings;) {
            size_t j = i + 1;
            while (j < nex && same_pair(&ex[i], &ex[j])) {
                if (ex[j].specific == ex[i].specific && !first_of[ex[j].row]) {
                    first_of[ex[j].row] = ex[i].row + 1;
                    dup_of[ex[j].row] = (uint32_t)j;
                }
                j++;
            }
            sc->couplings[sc->ncouplings++] = ex[i].c;
            i = j;
        }
        for (unsigned r = 0; r < n; r++) {
            if (!first_of[r]) continue;
            const cx_iim_coupling *c = &ex[dup_of[r]].c;
            char a[100], b[100];
            rowerr(L, T, r, col[C_ON],
                   "duplicate coupling: %s in %s depending on %s in %s (first on line %u; "
                   "expected each pair once)",
                   cxi_sector_name((int)c->sector), Q(a, sc->regions[c->region].code),
                   cxi_sector_name((int)c->on_sector), Q(b, sc->regions[c->on_region].code),
                   T->t.row_line[first_of[r] - 1]);
        }
    }
    free(ex);
    free(first_of);
    free(dup_of);
}

/* ---- the loader --------------------------------------------------------------------------- */

cx_load_opts cx_load_opts_default(void) {
    cx_load_opts o;
    o.max_file_bytes = (size_t)64 << 20;
    o.max_field_bytes = (size_t)64 << 10;
    o.max_rows = 5000000;
    o.decisions = NULL;
    o.overrides = NULL;
    o.noverrides = 0;
    return o;
}

static char *join(cxi_arena *A, const char *dir, const char *name) {
    size_t dl = strlen(dir), nl = strlen(name);
    int slash = dl > 0 && dir[dl - 1] != '/';
    char *p = cxi_arena_alloc(A, dl + (size_t)slash + nl + 1);
    if (!p) return NULL;
    memcpy(p, dir, dl);
    if (slash) p[dl] = '/';
    memcpy(p + dl + slash, name, nl + 1);
    return p;
}

static void read_tables(loader *L, const char *dir, uint64_t *hash) {
    for (int i = 0; i < F_COUNT && !oom(L); i++) {
        tab *T = &L->f[i];
        T->path = join(L->A, dir, files[i].name);
        if (!T->path) {
            worst(L, CX_ENOMEM);
            return;
        }
        struct stat sb;
        if (!files[i].required && stat(T->path, &sb) != 0 && errno == ENOENT) continue;
        *hash = cxi_fnv1a(*hash, files[i].name, strlen(files[i].name));
        cx_status st = cxi_table_read_hashed(T->path, L->opts, &T->t, L->diags, hash);
        worst(L, st);
        T->read_ok = st == CX_OK;
        /* a table cut short by a limit is not checked further: its errors would be noise */
        T->usable = T->t.ncols > 0 && st != CX_ENOMEM && st != CX_ELIMIT;
    }
}

static cx_status load(loader *L, const char *dir) {
    uint64_t hash = CXI_FNV_OFFSET;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        L->errors++;
        cxi_diag_add(L->diags, dir, 0, 0,
                     "%s (expected a scenario folder holding scenario.csv, "
                     "regions.csv and assets.csv)",
                     stat(dir, &sb) != 0 ? "no such folder" : "not a folder");
        worst(L, CX_EINPUT);
        return L->st;
    }
    read_tables(L, dir, &hash);
    for (size_t i = 0; i < L->opts->noverrides; i++) {
        const char *ov = L->opts->overrides[i] ? L->opts->overrides[i] : "";
        hash = cxi_fnv1a(hash, "--set", 6);
        hash = cxi_fnv1a(hash, ov, strlen(ov) + 1);
    }
    if (!oom(L)) load_params(L);
    if (!oom(L)) load_regions(L);
    if (!oom(L)) load_assets(L);
    if (!oom(L)) load_links(L);
    if (!oom(L)) cxi_ld_capacities(L);
    if (!oom(L)) load_injects(L);
    if (!oom(L)) cxi_ld_decisions(L, dir);
    if (!oom(L)) load_iim(L);
    snprintf(L->sc->hash, sizeof L->sc->hash, "%016" PRIx64, hash);
    if (L->errors) worst(L, CX_EINPUT);
    return L->st;
}

/* The scenario struct lives in its own arena: the arena header is moved into the struct right
 * after allocating it, so destroying the scenario is freeing that arena. */
cx_status cx_scenario_load(const char *dir, const cx_load_opts *opts, cx_scenario **out,
                           cx_diags *diags) {
    if (out) *out = NULL;
    if (!dir || !out) return CX_EINVAL;
    cx_load_opts defaults = cx_load_opts_default();
    if (!opts) opts = &defaults;
    cx_diags *own = NULL;
    if (!diags) {
        if (cx_diags_create(&own) != CX_OK) return CX_ENOMEM;
        diags = own;
    }
    cxi_arena arena;
    cxi_arena_init(&arena);
    cx_scenario *sc = cxi_arena_alloc(&arena, sizeof *sc);
    if (!sc) {
        cxi_arena_free(&arena);
        cx_diags_destroy(own);
        return CX_ENOMEM;
    }
    memset(sc, 0, sizeof *sc);
    sc->arena = arena;
    cxi_params_default(&sc->params);

    loader L;
    memset(&L, 0, sizeof L);
    L.sc = sc;
    L.A = &sc->arena;
    L.diags = diags;
    L.opts = opts;
    L.st = CX_OK;
    cx_status st = load(&L, dir);
    if (st == CX_OK) {
        sc->dir = dup(&L, dir);
        st = L.st;
    }
    for (int i = 0; i < F_COUNT; i++) cxi_table_free(&L.f[i].t);
    free(L.region_ids);
    free(L.asset_ids);
    free(L.cap_ids);
    cx_diags_destroy(own);
    if (st != CX_OK) {
        cx_scenario_destroy(sc);
        return st;
    }
    *out = sc;
    return CX_OK;
}

void cx_scenario_destroy(cx_scenario *sc) {
    if (!sc) return;
    cxi_arena a = sc->arena; /* sc itself lives in this arena */
    cxi_arena_free(&a);
}

cx_scenario_counts cx_scenario_count(const cx_scenario *sc) {
    cx_scenario_counts c = {0};
    if (!sc) return c;
    c.regions = sc->nregions;
    c.assets = sc->nassets;
    c.links = sc->nlinks;
    c.injects = sc->ninjects;
    for (uint32_t i = 0; i < sc->ninjects; i++) c.contingency += sc->injects[i].cond != NULL;
    c.capacities = sc->ncapacities;
    c.couplings = sc->ncouplings;
    c.decisions = sc->ndecisions;
    return c;
}

const char *cx_scenario_name(const cx_scenario *sc) { return sc ? sc->params.name : ""; }
const char *cx_scenario_title(const cx_scenario *sc) { return sc ? sc->params.title : ""; }
const char *cx_scenario_dir(const cx_scenario *sc) { return sc && sc->dir ? sc->dir : ""; }
const char *cx_scenario_hash(const cx_scenario *sc) { return sc ? sc->hash : ""; }
int64_t cx_scenario_start(const cx_scenario *sc) { return sc ? sc->params.start_unix : 0; }
cx_time cx_scenario_horizon(const cx_scenario *sc) { return sc ? sc->params.horizon : 0; }
uint64_t cx_scenario_seed(const cx_scenario *sc) { return sc ? sc->params.seed : 0; }
