/* load_int.h — the loader's internal state and cell helpers, shared by load.c and load_response.c
 * (capacities.csv, response keys and inject kinds). Invariant: every helper reports its own errors
 * at path:line:col and returns -1 on a bad cell, leaving the default in *out. */
#ifndef CX_LOAD_INT_H
#define CX_LOAD_INT_H

#include "io/io_api.h"
#include "model/scenario.h"

/* Files in name order (the order of the content hash). */
enum { F_ASSETS, F_CAPACITIES, F_IIM, F_INJECTS, F_LINKS, F_REGIONS, F_SCENARIO, F_COUNT };

typedef struct {
    const char *path; /* dir joined with the file name, as shown in messages */
    int read_ok;      /* read without any error: its ids can be trusted for "unknown" checks */
    int usable;       /* header read and required columns present: rows are checked */
    cxi_table t;
} tab;

#define CXI_LD_MAX_RESP_KEYS 64

typedef struct {
    cx_scenario *sc;
    cxi_arena *A; /* &sc->arena */
    cx_diags *diags;
    const cx_load_opts *opts;
    cx_status st;  /* worst status of reading */
    size_t errors; /* semantic errors reported */
    tab f[F_COUNT];
    int have_start, have_horizon;
    int regions_ok, assets_ok; /* every region / asset row was accepted: "unknown" is reliable */
    const char **region_ids, **asset_ids; /* candidates for "did you mean" (malloc, lazily) */
    int capacities_ok;                    /* every capacity row was accepted */
    const char **cap_ids;                 /* candidates for "did you mean" (malloc, lazily) */
    unsigned resp_seen[CXI_LD_MAX_RESP_KEYS]; /* 1 + row of each response key in scenario.csv */
    unsigned hybrid_seen[16];                 /* 1 + row of each hybrid key (load_hybrid.c) */
} loader;

typedef struct {
    const char *name;
    const char *alias; /* or NULL */
    int required;
} colspec;

typedef struct {
    double lo, hi;
    int lo_open, hi_open;
    const char *expect;
} range;

/* load.c: the helpers of the other tables (see there). */
void cxi_ld_worst(loader *L, cx_status s);
const char *cxi_ld_cell(const tab *T, unsigned r, int c);
void cxi_ld_rowerr(loader *L, const tab *T, unsigned r, int c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
const char *cxi_ld_keep(loader *L, const char *s);
void *cxi_ld_zalloc(loader *L, size_t n);
/* known (a flag per column, for notes) may be NULL. */
int cxi_ld_resolve(loader *L, tab *T, const colspec *spec, size_t n, int *idx, unsigned char *known);
int cxi_ld_notes_begin(loader *L, const tab *T, const unsigned char *known, uint32_t nent,
                       cx_notes *nt, int *cols);
void cxi_ld_notes_row(loader *L, const tab *T, unsigned r, cx_notes *nt, const int *cols,
                      uint32_t ent);
int cxi_ld_get_num(loader *L, const tab *T, unsigned r, int c, int required, double dflt,
                   const range *rg, double *out);
int cxi_ld_get_dur(loader *L, const tab *T, unsigned r, int c, int required, int64_t dflt,
                   int positive, const char *expect, int64_t *out);
int cxi_ld_get_dist(loader *L, const tab *T, unsigned r, int c, const cxi_dist *dflt,
                    cxi_dist *out);
int cxi_ld_region_ref(loader *L, const tab *T, unsigned r, int c, int star, int32_t *out);
int cxi_ld_sector_cell(loader *L, const tab *T, unsigned r, int c, int *out);
/* An optional lat+lon pair of row r, else the point of region g; whose: "owner's", for messages. */
void cxi_ld_point(loader *L, const tab *T, unsigned r, int clat, int clon, uint32_t g,
                  const char *whose, double *lat, double *lon);

/* load_response.c */
/* A response key of scenario.csv (row r): 1 when k is one (handled, errors reported), 0 if not. */
int cxi_ld_response_key(loader *L, tab *T, unsigned r, int kc, int vc, const char *k,
                        const char *v);
/* The response key closest to k for "did you mean" (NULL when none is close). */
const char *cxi_ld_response_suggest(const char *k);
/* Reads capacities.csv (after regions.csv and scenario.csv). */
void cxi_ld_capacities(loader *L);
/* Capacity reference in a cell (preposition target). 0 ok, -1 error (reported). */
int cxi_ld_capacity_ref(loader *L, const tab *T, unsigned r, int c, uint32_t *out);
/* The 'needs' cell of row r ("usar=10; medical=4"): *out = CX_NEED_COUNT amounts in the arena,
 * or NULL when the cell is empty. 0 ok, -1 error (reported at the offending column). */
int cxi_ld_needs(loader *L, const tab *T, unsigned r, int c, const double **out);
/* Hazard names in CX_HAZARD_LIST order, for checks and did-you-mean. */
int cxi_ld_hazard(loader *L, const tab *T, unsigned r, int c, int *out);
/* IPCR mode in a cell (ipcr injects' value). */
int cxi_ld_ipcr_mode(loader *L, const tab *T, unsigned r, int c, int *out);

/* load_decisions.c */
/* The 'trigger' cell (column c) of inject row r: parsed into in->cond, errors at the cell. */
void cxi_ld_trigger(loader *L, const tab *T, unsigned r, int c, cx_inject *in);
/* Reads opts->decisions, else DIR/decisions.csv when present (after the injects). */
void cxi_ld_decisions(loader *L, const char *dir);

/* load_hybrid.c: hybrid-threat keys of scenario.csv and inject kinds (cyber, fimi, hrrt, pubcom,
 * platform_notice, notify). Column indexes are -1 when the table lacks the column. */
typedef struct {
    int target, region, sector, value, duration, detection, hazard, needs, kind, magnitude;
    int has_t, has_r, has_s, has_geo, tbad; /* target cells present / a reference was bad */
} cxi_ld_injcols;
int cxi_ld_hybrid_key(loader *L, tab *T, unsigned r, int kc, int vc, const char *k, const char *v);
const char *cxi_ld_hybrid_suggest(const char *k);
/* Row r of injects.csv once the common cells are read: for a hybrid kind, checks and fills the rest
 * of `in` and returns 1; for other kinds checks that hybrid-only cells are empty and returns 0. */
int cxi_ld_hybrid_inject(loader *L, const tab *T, unsigned r, int kind, cx_inject *in,
                         const cxi_ld_injcols *c);

#endif
