/* scenario.h — the in-memory scenario: plain data filled by engine/io, read by the models.
 * Invariant: after cx_scenario_load returns, nothing here changes (but the cache infra_prep, built
 * once, atomically); entities refer to each other by 32-bit index, every string lives in the arena. */
#ifndef CX_SCENARIO_H
#define CX_SCENARIO_H

#include <stdatomic.h>
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
    CX_INJECT_HAZARD,   /* opens an incident in at_region with needs; damages like DAMAGE when targeted */
    CX_INJECT_REQUEST,  /* a UCPM request by at_region for needs */
    CX_INJECT_IPCR,     /* sets the IPCR mode (ipcr_mode) */
    CX_INJECT_ART222,   /* at_region invokes the solidarity clause: IPCR full at once */
    CX_INJECT_PREPOSITION, /* capacity `capacity` is stationed in at_region */
    /* hybrid threats (model/hybrid.c) */
    CX_INJECT_CYBER,    /* availability loss = magnitude at t, detected after `detection` */
    CX_INJECT_FIMI,     /* trust in at_region drops by magnitude per day for `duration` */
    CX_INJECT_HRRT,     /* a hybrid rapid response team works in at_region (faster trust recovery) */
    CX_INJECT_PUBCOM,   /* public communication campaign in at_region */
    CX_INJECT_PLATFORM_NOTICE, /* notice to online platforms (DSA) about at_region's campaign */
    CX_INJECT_NOTIFY,   /* at_region sends the notification `clock` (meets its deadline) */
} cx_inject_kind;
#define CX_INJECT_KIND_COUNT 15
#define CX_INJECT_IS_HYBRID(k) ((k) >= CX_INJECT_CYBER && (k) <= CX_INJECT_NOTIFY)

/* Need types of incidents and capacities (docs/scenario-format.md). X(enum, csv name) */
#define CX_NEED_LIST(X)                         \
    X(CX_NEED_USAR, "usar")                     \
    X(CX_NEED_FIREFIGHTING, "firefighting")     \
    X(CX_NEED_PUMPING, "pumping")               \
    X(CX_NEED_RESCUE, "rescue")                 \
    X(CX_NEED_WATER, "water")                   \
    X(CX_NEED_MEDICAL, "medical")               \
    X(CX_NEED_MEDEVAC, "medevac")               \
    X(CX_NEED_SHELTER, "shelter")               \
    X(CX_NEED_CBRN, "cbrn")                     \
    X(CX_NEED_COORDINATION, "coordination")     \
    X(CX_NEED_HEAVY_MACHINERY, "heavy_machinery") \
    X(CX_NEED_DEHUMIDIFICATION, "dehumidification") \
    X(CX_NEED_POWER_SUPPLY, "power_supply")     \
    X(CX_NEED_HYBRID, "hybrid")
typedef enum {
#define CX_NEED_ENUM(e, s) e,
    CX_NEED_LIST(CX_NEED_ENUM)
#undef CX_NEED_ENUM
    CX_NEED_COUNT
} cx_need;
const char *cxi_need_name(int need);
int cxi_need_parse(const char *s); /* -1 when unknown (case-insensitive) */

#define CX_HAZARD_LIST(X) \
    X("earthquake") X("flood") X("wildfire") X("storm") X("blackout") X("cyber") X("cbrn") \
    X("drought") X("epidemic") X("other")
#define CX_HAZARD_COUNT 10
const char *cxi_hazard_name(int hazard);

/* IPCR modes in escalation order. */
typedef enum {
    CX_IPCR_INACTIVE,
    CX_IPCR_MONITORING,
    CX_IPCR_INFO_SHARING,
    CX_IPCR_FULL,
    CX_IPCR_CLOSED
} cx_ipcr_mode;
const char *cxi_ipcr_mode_name(int mode); /* inactive, monitoring, information_sharing, full, closed */

typedef enum { CX_POOL_NATIONAL, CX_POOL_ECPP, CX_POOL_RESCUE } cx_pool;
const char *cxi_pool_name(int pool); /* national, ecpp, rescue */
typedef enum { CX_POLICY_AUTO, CX_POLICY_MANUAL } cx_policy;

/* A response capacity (capacities.csv): `count` identical units, unit k named "<id>#<k>" (k from 1). */
typedef struct {
    const char *id, *type;
    uint32_t owner;        /* region index */
    int pool;              /* cx_pool */
    uint32_t count;        /* >= 1 */
    cxi_dist readiness;    /* acceptance -> departure, seconds */
    double speed_kmh;      /* > 0 */
    cxi_dist handling;     /* added to each trip, seconds */
    cxi_dist endurance;    /* on site before rotation, seconds */
    int need;              /* cx_need it addresses */
    double rate;           /* need units per unit-hour, > 0 */
    int repairs;           /* sector whose repairs it speeds up on site, -1 none */
    double repair_factor;  /* multiplier on remaining repair time, (0,1] */
    cxi_dist offer_latency;/* ERCC relay -> offer, seconds */
    double lat, lon;       /* home base */
    int32_t prepositioned_at; /* region index or -1 */
    int national_only;     /* offer_abroad = 0: serves only its owner (0 in hand-built tests) */
    const char *note;
} cx_capacity;

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
    /* response kinds (zero for the others) */
    int32_t at_region;   /* hazard/request/art222/preposition: the region concerned */
    int hazard;          /* hazard: index in CX_HAZARD_LIST */
    const double *needs; /* hazard/request: CX_NEED_COUNT amounts (0 = none), or NULL */
    int ipcr_mode;       /* ipcr: cx_ipcr_mode */
    cx_time duration;    /* hazard: time until the water has receded, 0 = need_recede */
    uint32_t capacity;   /* preposition: capacity index */
    const char *trigger; /* contingency condition as written ("" when absent) */
    const struct cxi_cond *cond; /* trigger parsed (model/trigger.h), NULL when absent */
    cxi_dist detection;  /* cyber: attack -> detection; kind FIXED with p[0] < 0 = scenario default */
    int clock;           /* notify: cx_hybrid_clock */
} cx_inject;

/* Sector-level dynamic inoperability input-output model (DIIM). */
typedef struct {
    uint32_t sector, region;         /* the dependent (row of A*) */
    uint32_t on_sector, on_region;   /* the supplier (column of A*) */
    double coefficient;              /* a*_ij in [0,1) */
} cx_iim_coupling;

typedef enum { CX_MODEL_ASSETS, CX_MODEL_IIM, CX_MODEL_BOTH } cx_model_mode;

/* Notification clocks (NIS2 Art. 23, CER Art. 15). X(enum, name) */
#define CX_CLOCK_LIST(X)                               \
    X(CX_CLOCK_NIS2_EARLY, "nis2_early_warning")       \
    X(CX_CLOCK_NIS2_NOTIF, "nis2_notification")        \
    X(CX_CLOCK_NIS2_FINAL, "nis2_final_report")        \
    X(CX_CLOCK_CER_FIRST, "cer_first_notice")
typedef enum {
#define CX_CLOCK_ENUM(e, s) e,
    CX_CLOCK_LIST(CX_CLOCK_ENUM)
#undef CX_CLOCK_ENUM
    CX_CLOCK_COUNT
} cx_hybrid_clock;

/* Hybrid-threat parameters (scenario.csv keys of the same names). */
typedef struct {
    cxi_dist cyber_detection_delay; /* attack -> detection (lognormal(median=6h, sigma=1)) */
    double trust_initial;           /* public trust at T0 in [0,1] (1) */
    double trust_recovery;          /* per day towards 1 (0.05) */
    double hrrt_factor, pubcom_factor, platform_factor; /* recovery multipliers (2, 1.5, 1.5) */
    cx_time trust_record_interval;  /* trust records at least this often while it moves (6h) */
    cx_time deadline[CX_CLOCK_COUNT]; /* 24h, 72h, 30d, 24h */
} cx_hybrid_params;
void cxi_hybrid_params_default(cx_hybrid_params *p);

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
    /* response: UCPM chain, needs dynamics, IPCR (docs/model.md, section Response) */
    int ucpm_policy;          /* cx_policy */
    cxi_dist ucpm_request_delay, ercc_relay_delay, accept_delay, rescue_after, transit_handling;
    cx_time request_lapse;
    cx_time cover_within;     /* a unit covers rate x min(endurance left, cover_within) of a need */
    double offer_share_own_crisis, road_kmh, air_kmh;
    double need_growth[CX_NEED_COUNT];   /* relative growth per hour while unmet */
    cx_time need_halflife[CX_NEED_COUNT]; /* 0 = no decay */
    cx_time need_recede;                  /* pumping needs recede linearly over this (default) */
    int ipcr_policy;          /* cx_policy */
    uint32_t ipcr_monitoring_at, ipcr_info_sharing_at, ipcr_full_at, blueprint_ms;
    double ipcr_population_full;
    uint32_t ipcr_cross_border_at; /* 0 = off; else settled cross-border failures -> info sharing */
    cxi_dist ipcr_decision_delay;
    cx_time isaa_interval_info, isaa_interval_full, roundtable_interval_full, ipcr_close_after;
    double full_relay_factor;
    cx_hybrid_params hybrid; /* hybrid threats (model/hybrid.c, docs/model.md) */
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
    cx_capacity *capacities; uint32_t ncapacities;
    struct cxi_decision *decisions; uint32_t ndecisions; /* model/trigger.h, sorted by (t, line) */
    const char *decisions_path; /* "" when none */
    char decisions_hash[17];    /* FNV-1a of the decisions file, "" when none */
    cx_notes asset_notes, link_notes, inject_notes, capacity_notes;
    /* Hash indexes behind cxi_scenario_*_index: open addressing on cxi_scenario_slot_hash, slot =
     * entity index + 1, 0 = empty, nslots a power of two. NULL/0 in hand-built scenarios (tests),
     * which are then searched linearly. */
    uint32_t *region_slots, *asset_slots;
    uint32_t region_nslots, asset_nslots;
    /* What the asset model derives from assets and links alone (adjacency, components: model/
     * sim_int.h), built by the first cx_sim_create of a loaded scenario (asset_slots != NULL) and
     * shared read-only by every later simulation, also across threads: infra_prep_state goes
     * 0 (none) -> 1 (one thread building, in the arena) -> 2 (ready). Hand-built scenarios may
     * still change between simulations, so each of their simulations builds its own copy. */
    struct cxi_infra_prep *infra_prep;
    atomic_int infra_prep_state;
};

/* Index of region/asset by id, -1 when absent (linear or hashed; fine at load time only). */
int32_t cxi_scenario_region_index(const cx_scenario *sc, const char *code);
int32_t cxi_scenario_asset_index(const cx_scenario *sc, const char *id);
uint32_t cxi_scenario_slot_hash(const char *id); /* hash used by region_slots / asset_slots */
/* Default parameters (used by the loader before reading scenario.csv, and by tests). */
void cxi_params_default(cx_params *p);
/* The response part of the defaults (called by cxi_params_default). */
void cxi_response_params_default(cx_params *p);

#endif
