/* scenario.h — the in-memory scenario: plain data filled by engine/io, read by the models.
 * Invariant: after cx_scenario_load returns, nothing here changes; entities refer to each other by
 * 32-bit index into these arrays, and every string lives in the scenario's arena. */
#ifndef CX_SCENARIO_H
#define CX_SCENARIO_H

#include <stdint.h>

#include "crisim.h"
#include "kernel/kernel_api.h"

/* Sectors are a fixed, documented list (docs/scenario-format.md). X(enum, csv name) */
#define CX_SECTOR_LIST(X)            \
    X(CX_SECTOR_POWER, "power")      \
    X(CX_SECTOR_GAS, "gas")          \
    X(CX_SECTOR_OIL, "oil")          \
    X(CX_SECTOR_TELECOM, "telecom")  \
    X(CX_SECTOR_TRANSPORT, "transport") \
    X(CX_SECTOR_RAIL, "rail")        \
    X(CX_SECTOR_WATER, "water")      \
    X(CX_SECTOR_HEALTH, "health")    \
    X(CX_SECTOR_FINANCE, "finance")  \
    X(CX_SECTOR_GOVERNMENT, "government") \
    X(CX_SECTOR_ELECTION_IT, "election_it") \
    X(CX_SECTOR_MEDIA, "media")      \
    X(CX_SECTOR_FOOD, "food")        \
    X(CX_SECTOR_SPACE, "space")
typedef enum {
#define CX_SECTOR_ENUM(e, s) e,
    CX_SECTOR_LIST(CX_SECTOR_ENUM)
#undef CX_SECTOR_ENUM
    CX_SECTOR_COUNT
} cx_sector;
const char *cxi_sector_name(int sector);
int cxi_sector_parse(const char *s); /* -1 when unknown */

typedef enum { CX_REGION_MEMBER, CX_REGION_PARTICIPATING, CX_REGION_THIRD, CX_REGION_OTHER } cx_region_kind;

typedef struct {
    const char *code; /* ISO 3166 alpha-2 (or any id), unique */
    const char *name;
    cx_region_kind kind;
    double lat, lon;    /* representative point, degrees */
    double population;  /* people */
} cx_region;

typedef struct {
    const char *id;
    int sector;         /* cx_sector */
    uint32_t region;    /* index into regions */
    double lat, lon;
    double population;  /* people served */
    cxi_dist repair;    /* time to repair direct damage, seconds */
    const char *name;   /* optional display name ("" when absent) */
} cx_asset;

typedef struct {
    uint32_t supplier, dependent; /* asset indices; never equal */
    double threshold;  /* supplier operability below which the dependent is affected, (0,1] */
    double strength;   /* share of the supplier's inoperability passed on, [0,1] */
    cxi_dist delay;    /* lag before the dependent degrades (backup, buffers), seconds */
    cxi_dist recovery; /* lag before the dependent recovers once the supplier is back, seconds */
} cx_link;

typedef enum {
    CX_INJECT_MESSAGE,  /* narrative only */
    CX_INJECT_DAMAGE,   /* direct damage = magnitude (inoperability), repaired after asset's repair time */
    CX_INJECT_DISABLE,  /* direct damage 1, no automatic repair until a restore inject */
    CX_INJECT_RESTORE,  /* clears direct damage now */
} cx_inject_kind;

typedef enum {
    CX_TARGET_NONE,    /* message injects */
    CX_TARGET_ASSET,   /* target = asset id */
    CX_TARGET_SECTOR,  /* sector in region (region required; "*" region = all regions) */
    CX_TARGET_RADIUS,  /* all assets within radius_km of (lat, lon), optionally one sector */
} cx_target_kind;

typedef struct {
    const char *id;
    cx_time t;           /* seconds from T0 */
    int move;            /* exercise move number (0 when absent) */
    cx_inject_kind kind;
    cx_target_kind target_kind;
    uint32_t asset;      /* CX_TARGET_ASSET */
    int sector;          /* CX_TARGET_SECTOR / RADIUS: cx_sector, -1 = any */
    int32_t region;      /* CX_TARGET_SECTOR: region index, -1 = all */
    double lat, lon, radius_km;
    double magnitude;    /* damage in [0,1] */
    const char *message, *channel, *from, *to, *expected_action, *objective;
    uint32_t line;       /* line in injects.csv, for runtime messages */
} cx_inject;

/* Sector-level dynamic inoperability input-output model (DIIM). */
typedef struct {
    uint32_t sector, region;         /* the dependent (row of A*) */
    uint32_t on_sector, on_region;   /* the supplier (column of A*) */
    double coefficient;              /* a*_ij in [0,1) */
} cx_iim_coupling;

typedef enum { CX_MODEL_ASSETS, CX_MODEL_IIM, CX_MODEL_BOTH } cx_model_mode;

typedef struct {
    const char *name, *title;
    int64_t start_unix;       /* T0 */
    cx_time horizon;          /* seconds from T0 */
    uint64_t seed;
    cx_time turn;             /* exercise turn length */
    cx_model_mode mode;
    /* infrastructure model */
    double degraded_below;    /* operability below which an asset counts as degraded (default 0.999)*/
    double failed_below;      /* operability at or below which an asset counts as failed (default 0.2) */
    double service_restored;  /* share of affected population served again for time_to_restore (0.95) */
    /* input-output mode */
    cx_time iim_step;         /* default 1h */
    double iim_resilience[CX_SECTOR_COUNT]; /* K per sector, per step, (0,1] */
} cx_params;

/* Extra columns of a table, kept as notes: header names and per-row values. */
typedef struct {
    uint32_t ncols;
    const char **names;  /* ncols */
    const char **values; /* nrows * ncols, row-major; row i belongs to entity i of its array */
} cx_notes;

struct cx_scenario {
    cxi_arena arena;     /* owns every string and array below */
    const char *dir;
    char hash[17];
    cx_params params;
    cx_region *regions;  uint32_t nregions;
    cx_asset *assets;    uint32_t nassets;
    cx_link *links;      uint32_t nlinks;
    cx_inject *injects;  uint32_t ninjects;   /* sorted by (t, file order) */
    cx_iim_coupling *couplings; uint32_t ncouplings;
    cx_notes asset_notes, link_notes, inject_notes;
    /* Hash indexes behind cxi_scenario_*_index: open addressing on cxi_scenario_slot_hash, slot =
     * entity index + 1, 0 = empty, nslots a power of two. NULL/0 in hand-built scenarios (tests),
     * which are then searched linearly. */
    uint32_t *region_slots, *asset_slots;
    uint32_t region_nslots, asset_nslots;
};

/* Index of region/asset by id, -1 when absent (linear or hashed; fine at load time only). */
int32_t cxi_scenario_region_index(const cx_scenario *sc, const char *code);
int32_t cxi_scenario_asset_index(const cx_scenario *sc, const char *id);
uint32_t cxi_scenario_slot_hash(const char *id); /* hash used by region_slots / asset_slots */
/* Default parameters (used by the loader before reading scenario.csv, and by tests). */
void cxi_params_default(cx_params *p);

#endif
