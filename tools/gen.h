/* gen.h — synthetic scenarios of any size for tests and scale benchmarks (`crisim gen`).
 * Invariant: the files depend only on the options (same options, same bytes, on any machine), and
 * each appears under its final name only when complete (temporary file + rename). */
#ifndef CX_GEN_H
#define CX_GEN_H

#include <stddef.h>
#include <stdint.h>

#define GEN_MAX_ASSETS UINT64_C(10000000)
#define GEN_MAX_LINKS UINT64_C(100000000)
#define GEN_MAX_REGIONS 1000u
#define GEN_MAX_INJECTS UINT64_C(1000000)
#define GEN_MAX_LOCALITY UINT64_C(1000000)

typedef struct {
    uint64_t assets;   /* >= 1 (required) */
    uint64_t links;    /* UINT64_MAX: 3 per asset (capped at assets * (assets - 1)) */
    uint32_t regions;  /* 0: about sqrt(assets) / 6, between 2 and 60, at most assets */
    uint64_t injects;  /* UINT64_MAX: max(3, assets / 100) damage injects */
    uint64_t seed;     /* generator seed, also the scenario's master seed */
    double cross_border; /* share of links whose supplier is in another region, 0 to 1 (0.1) */
    uint64_t locality; /* assets per locality (a town and its surroundings), >= 1 (50) */
    int shuffle;       /* write assets.csv rows in a random order (same network, other indices) */
    const char *name;  /* scenario name; NULL: "gen-<assets>" */
    int force;         /* replace the tables of an existing scenario folder */
} gen_opts;
gen_opts gen_opts_default(void);

/* What was written. */
typedef struct {
    uint64_t assets, links, cross_border, injects;
    uint32_t regions;
} gen_counts;

/* Resolves the defaults of o into *out (assets/links/regions/injects all set) and checks limits.
 * Returns 0, or 2 with a message in err (bad option). */
int gen_resolve(const gen_opts *o, gen_opts *out, char *err, size_t errn);

/* Writes scenario.csv, regions.csv, assets.csv, links.csv and injects.csv into dir (created with
 * its parents when missing). Refuses (2) when dir already holds a scenario.csv, unless o->force.
 * Returns 0; 2 for bad options; 1 for an I/O or memory failure. err says what went wrong. */
int gen_write(const gen_opts *o, const char *dir, gen_counts *counts, char *err, size_t errn);

/* `crisim gen` (also declared in commands.h once it is in the command table). */
int cmd_gen(int argc, char **argv);

#endif
