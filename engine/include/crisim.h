/* crisim.h — the whole public API of libcrisim.
 * Invariant: every object hangs off an opaque handle; nothing is global, so scenarios can be shared
 * read-only between threads and each simulation (cx_sim) is used by one thread at a time.
 * Functions that can fail return cx_status; results come back through out-parameters. */
#ifndef CRISIM_H
#define CRISIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CRISIM_VERSION_STRING
#define CRISIM_VERSION_STRING "0.0.0"
#endif
const char *cx_version(void);

/* Simulation time: integer seconds from the scenario's start T0 (UTC). */
typedef int64_t cx_time;
#define CX_TIME_NEVER INT64_MAX

/* Status codes: name, value, message. One list generates the enum and cx_status_str(). */
#define CX_STATUS_LIST(X)                                              \
    X(CX_OK, 0, "ok")                                                  \
    X(CX_EINPUT, 1, "bad input")                                       \
    X(CX_ENOMEM, 2, "out of memory")                                   \
    X(CX_EIO, 3, "input/output error")                                 \
    X(CX_ELIMIT, 4, "a size limit was exceeded")                       \
    X(CX_EINVAL, 5, "invalid argument (API misuse)")                   \
    X(CX_ERUNTIME, 6, "runtime failure")
typedef enum {
#define CX_STATUS_ENUM(name, value, msg) name = value,
    CX_STATUS_LIST(CX_STATUS_ENUM)
#undef CX_STATUS_ENUM
} cx_status;
const char *cx_status_str(cx_status st);

/* ---- diagnostics: located messages about input (file:line:col) ---------------------------- */

/* A list of error messages, each already formatted "path:line:col: column 'x': what (expected)".
 * Collects at most `cap` messages (default 50) and counts the rest. Not thread-safe. */
typedef struct cx_diags cx_diags;
cx_status cx_diags_create(cx_diags **out);
void cx_diags_destroy(cx_diags *d); /* NULL is a no-op */
size_t cx_diags_count(const cx_diags *d);      /* messages kept */
size_t cx_diags_dropped(const cx_diags *d);    /* messages beyond the cap, counted only */
const char *cx_diags_get(const cx_diags *d, size_t i);
void cx_diags_set_cap(cx_diags *d, size_t cap);

/* ---- scenarios ------------------------------------------------------------------------------ */

/* A loaded, validated scenario. Immutable after load: may be shared by simulations on threads. */
typedef struct cx_scenario cx_scenario;

typedef struct {
    size_t max_file_bytes; /* per CSV file; default 64 MiB */
    size_t max_field_bytes; /* per cell; default 64 KiB */
    size_t max_rows; /* per table; default 5,000,000 */
    const char *decisions; /* decisions file replacing DIR/decisions.csv; NULL = none */
    /* "key=value" strings applied to scenario.csv as if its row held them (a later one wins);
     * errors name the option ("--set key=value: column 'value': ..."). They are chained, in order,
     * into the scenario hash, so batches with other overrides have another hash. */
    const char *const *overrides;
    size_t noverrides;
} cx_load_opts;
cx_load_opts cx_load_opts_default(void);

/* Reads and validates the scenario folder `dir`. On bad input returns CX_EINPUT with every error of
 * the run appended to `diags` (all errors of a file in one pass) and *out == NULL. opts may be NULL. */
cx_status cx_scenario_load(const char *dir, const cx_load_opts *opts, cx_scenario **out,
                           cx_diags *diags);
void cx_scenario_destroy(cx_scenario *sc); /* NULL is a no-op */

typedef struct {
    size_t regions, assets, links, injects;
    size_t contingency; /* injects with a trigger condition (counted in injects too) */
    size_t capacities, couplings, decisions; /* capacities.csv, iim.csv, a decisions file */
} cx_scenario_counts;
cx_scenario_counts cx_scenario_count(const cx_scenario *sc);
const char *cx_scenario_name(const cx_scenario *sc);
const char *cx_scenario_title(const cx_scenario *sc);
const char *cx_scenario_dir(const cx_scenario *sc);
/* 64-bit FNV-1a hash of the scenario's CSV files (names and bytes, in name order), as 16 hex chars. */
const char *cx_scenario_hash(const cx_scenario *sc);
int64_t cx_scenario_start(const cx_scenario *sc);  /* T0 as Unix seconds, UTC */
cx_time cx_scenario_horizon(const cx_scenario *sc); /* seconds from T0 */
uint64_t cx_scenario_seed(const cx_scenario *sc);   /* default master seed from scenario.csv */
/* The decisions file read with the scenario ("" when none) and its FNV-1a hash (16 hex chars). */
const char *cx_scenario_decisions_path(const cx_scenario *sc);
const char *cx_scenario_decisions_hash(const cx_scenario *sc);
size_t cx_scenario_decisions_count(const cx_scenario *sc);

/* ---- timeline records: what observers receive ------------------------------------------------ */

typedef enum {
    CX_REC_RUN,     /* run start (state "start") and end (state "end") */
    CX_REC_INJECT,  /* an inject fired; state = inject kind, text = message */
    CX_REC_ASSET,   /* an asset changed operability or state */
    CX_REC_SECTOR,  /* input-output mode: inoperability of (sector, region) changed */
    CX_REC_INCIDENT, /* an incident opened/was contained/closed; value = total remaining need */
    CX_REC_REQUEST,  /* a UCPM request: requested|relayed|covered|lapsed|closed */
    CX_REC_CAPACITY, /* a response unit changed state; entity "capacity#k" */
    CX_REC_IPCR,     /* IPCR mode change, ISAA report or roundtable; value = member states affected */
    CX_REC_HYBRID,   /* hybrid threats: cyber incident detected, public trust of a region,
                      * notification clock started|met|missed (docs/timeline-format.md) */
    CX_REC_DECISION, /* a decision of decisions.csv was applied; state = its kind, cause = by */
} cx_rec_kind;
const char *cx_rec_kind_name(cx_rec_kind k);

/* One state change. Strings are owned by the engine and valid only during the callback.
 * Empty strings, never NULL. */
typedef struct {
    cx_time t;
    cx_rec_kind kind;
    const char *entity; /* asset id, inject id, or sector for CX_REC_SECTOR */
    const char *region; /* region code */
    const char *sector; /* sector name, or "" */
    const char *state;  /* asset: working|degraded|failed|repairing; inject: its kind */
    double value;       /* asset: operability in [0,1]; sector: inoperability in [0,1] */
    const char *cause;  /* id of the inject or supplier asset that caused the change, or "" */
    int cross_border;   /* 1 when caused by a supplier in another region */
    int depth;          /* cascade depth: 0 direct, 1 via one link, ... */
    const char *text;   /* narrative message or note, or "" */
} cx_record;

typedef struct {
    void *ud;
    /* Called for every record, in timeline order. Return non-zero to abort the run (CX_EIO). */
    int (*on_record)(void *ud, const cx_record *rec);
} cx_observer;

/* ---- simulations ---------------------------------------------------------------------------- */

typedef struct cx_sim cx_sim;

typedef struct {
    uint64_t seed;      /* master seed */
    uint64_t replicate; /* replicate index; streams derive from (seed, replicate, purpose) */
    cx_time horizon;    /* < 0: the scenario's horizon */
} cx_sim_config;
/* Defaults: seed 0 (callers usually pass cx_scenario_seed()), replicate 0, horizon -1. */
cx_sim_config cx_sim_config_default(void);

/* Creates a simulation of `sc` (which must outlive it). Events of the scenario are scheduled. */
cx_status cx_sim_create(const cx_scenario *sc, const cx_sim_config *cfg, cx_sim **out);
void cx_sim_destroy(cx_sim *sim); /* NULL is a no-op */
/* Puts sim back at T0 of its scenario as cx_sim_create(sc, cfg) would (same outputs, byte for
 * byte), keeping its memory: what the last run touched is put back, which costs in proportion to
 * that run rather than to the scenario's size. Observers are dropped. Works after a failed or
 * unfinished run. On failure sim can only be destroyed. For batches of replicates on one thread.
 * The scenario must not have been modified since cx_sim_create: what depends only on it is kept. */
cx_status cx_sim_reset(cx_sim *sim, const cx_sim_config *cfg);
/* Message of the last failure on this handle ("" when none). */
const char *cx_sim_errmsg(const cx_sim *sim);

/* At most 8 observers; they are called in subscription order. */
cx_status cx_sim_subscribe(cx_sim *sim, const cx_observer *obs);

cx_time cx_sim_now(const cx_sim *sim);
/* Processes every event with time <= t (t clipped to the horizon); then now = t. */
cx_status cx_sim_run_until(cx_sim *sim, cx_time t);
/* Runs to the horizon and emits the final CX_REC_RUN "end" record. */
cx_status cx_sim_run(cx_sim *sim);
/* Processes one event; *stepped = 0 when none is left before the horizon. */
cx_status cx_sim_step(cx_sim *sim, int *stepped);

/* ---- metrics -------------------------------------------------------------------------------- */

/* One outcome measure. name is stable (docs/model.md lists them); sector/region "" = all. */
typedef struct {
    const char *name;
    const char *sector;
    const char *region;
    const char *unit;
    double value;
} cx_metric;

/* Metrics of the run so far (final after cx_sim_run). The array is owned by the sim and valid until
 * the next call on it. The set of metrics and their order depend only on the scenario. */
cx_status cx_sim_metrics(cx_sim *sim, const cx_metric **out, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
