/* sim_int.h — body of cx_sim and the internal interfaces of the infrastructure model (infra.c),
 * the sector input-output model (iim.c) and the outcome metrics (metrics.c).
 * Invariant: all state of one run hangs off its cx_sim; arrays are sized at create (from the
 * scenario's arena-owned data) so the event loop never allocates, except the restore-curve stack. */
#ifndef CX_SIM_INT_H
#define CX_SIM_INT_H

#include <stdarg.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "crisim.h"
#include "kernel/kernel_api.h"
#include "model/scenario.h"

/* Inoperability is an integer in permyriad (0 = fully working, 10000 = out), so propagation around
 * dependency cycles reaches an exact fixed point and the timeline is exact. */
#define CXI_Q_FULL 10000

/* Random-stream purposes: one stream per purpose, so a new model never shifts the others. */
enum {
    CXI_STREAM_REPAIR = 1,   /* asset repair times */
    CXI_STREAM_DELAY = 2,    /* link activation delays */
    CXI_STREAM_RECOVERY = 3, /* link recovery delays */
};

/* Operability level of an asset (from its operability and the scenario thresholds). */
enum { CXI_LEVEL_WORKING, CXI_LEVEL_DEGRADED, CXI_LEVEL_FAILED };
/* Displayed state: a level, or repairing (direct damage with a repair pending). */
enum { CXI_STATE_WORKING, CXI_STATE_DEGRADED, CXI_STATE_FAILED, CXI_STATE_REPAIRING };

/* Link life cycle: inactive -> pending_on (delay running) -> active -> pending_off (recovery
 * running) -> inactive. Active passes the supplier's inoperability on as it changes; pending_off
 * holds what the dependent last drew, so the dependent recovers only when the lag is over. */
enum { CXI_LINK_INACTIVE, CXI_LINK_PENDING_ON, CXI_LINK_ACTIVE, CXI_LINK_PENDING_OFF };

typedef struct {
    int32_t q;          /* inoperability, permyriad */
    int32_t d;          /* direct damage, permyriad */
    int32_t cause_sup;  /* supplier asset with the largest counted contribution, -1 direct/none */
    int32_t cause_inj;  /* inject that set d (-1 none) */
    int32_t depth;      /* 0 direct, cause supplier's depth + 1 when cascaded */
    uint8_t level;      /* CXI_LEVEL_* of q */
    uint8_t state;      /* CXI_STATE_* last emitted */
    uint8_t repair_pending; /* a repair will complete (maybe after the horizon: no event then) */
    uint8_t disabled;       /* disable inject: no repair until restore */
    uint8_t dirty;          /* changed since the last metrics settle */
    uint8_t settled_level;  /* level at the last settle */
    uint8_t ever_failed;
    uint8_t touched;        /* on the touched list: cx_sim_reset puts it back (infra.c) */
    cxi_event_id repair_ev;
    cx_time repair_due;     /* when the pending repair completes (repair_pending) */
} cxi_asset_state;

/* Sector input-output model (DIIM) on n nodes; A* in CSR form. Memory from the owner's arena. */
typedef struct {
    uint32_t n;
    uint32_t *row_start; /* n + 1 */
    uint32_t *col;       /* row_start[n] */
    double *val;         /* a*_ij */
    double *k;           /* resilience per node, per step, in (0,1] */
    double *q;           /* inoperability in [0,1] */
    double *c;           /* demand perturbation c* used by the next step */
    double *tmp;         /* scratch, n */
} cxi_iim;

/* Restore curve: settled population without service, kept as a stack of (value, end time) with
 * strictly decreasing values, which is all time_to_restore needs once the final peak is known. */
typedef struct {
    double v;
    cx_time end;
} cxi_seg;

#define CXI_MAX_OBSERVERS 8

/* Per-scenario data of the asset model (infra.c): depends only on assets and links, so it is built
 * once per loaded scenario (see cx_scenario.infra_prep) and only read by simulations. Link
 * positions p: the dependent-side CSR order (in_links[p] is the scenario's link); edges e: the
 * supplier-side CSR order. The hot loop reads the compact per-edge arrays, never cx_link, except
 * to sample a delay or recovery. */
typedef struct {
    double w;     /* strength */
    uint32_t sup; /* supplier asset */
} cxi_in_edge;    /* link p, for the dependent's refresh */
typedef struct {
    uint32_t p, dep; /* the link's position, its dependent */
    int32_t qmin;    /* the supplier is below the link's threshold iff its q >= qmin */
    int32_t delay, recovery; /* seconds when the distribution is fixed, else -1: sample it */
    uint32_t link;           /* the scenario's link, whose delay/recovery is sampled otherwise */
} cxi_out_edge;      /* edge e, for the supplier's notifications */
/* Per-simulation state of link p, in one record rather than one array per field: a cascade
 * step reads or writes several fields of the same link, and at 100,000 assets and more each
 * separate array was one more cache miss per link. */
typedef struct {
    uint8_t state;        /* CXI_LINK_* */
    uint8_t in;           /* the link is in the counted set C (a DAG) */
    uint8_t flips;        /* entries/exits of C in the instant flip_t */
    int32_t count;        /* contribution the dependent last counted (active), or the value
                           * held during the recovery lag (pending_off) */
    cx_time flip_t;       /* instant of the last entry/exit of C */
    cx_time excl;         /* instant at which the loop rule excluded the link (-1) */
    uint64_t excl_ver;    /* supplier's qver when the link was excluded */
    cxi_event_id ev;      /* pending activation/deactivation */
} cxi_link_state;
/* Per-simulation loop-rule state of an asset (see cx_sim.ao). */
typedef struct {
    uint64_t ord;  /* position in the topological order of the counted links */
    uint64_t qver; /* number of q changes; an excluded link is examined again only after its
                    * supplier's q changed */
    uint32_t nout; /* counted outgoing links */
} cxi_asset_order;
typedef struct cxi_infra_prep {
    uint32_t *in_start, *in_links, *in_sup;   /* CSR: links into each asset, and their suppliers */
    uint32_t *out_start, *out_links, *out_dep; /* CSR: links (as p) out of each asset, dependents */
    uint32_t *link_pos;  /* scenario link -> p */
    cxi_in_edge *ie;     /* link p: what refresh() reads, in one place */
    cxi_out_edge *oe;    /* edge e: what notify_links() reads, in one place */
    uint32_t *p_dep;     /* dependent asset of link p */
    uint32_t *scc;       /* strongly connected component of each asset */
} cxi_infra_prep;

struct cx_sim {
    const cx_scenario *sc;
    uint64_t seed, replicate;
    cx_time horizon;
    cxi_arena arena; /* owns every array below, except those of `keep` */
    /* The per-asset and per-link arrays of the asset model (as .. pool, m.dirty, tlist) live in
     * `keep`, which survives cx_sim_reset: a reset puts back in their initial state only the
     * entries the run touched (tlist: the assets whose state changed; their links and their
     * suppliers' order with them), so a replicate of a batch costs what it simulates rather than
     * O(assets + links). infra_ready: the arrays are allocated and initialised. */
    cxi_arena keep;
    int infra_ready;
    uint32_t *tlist, ntouched;
    cxi_kernel *k;
    gsl_rng *rng_repair, *rng_delay, *rng_recovery;
    cx_observer obs[CXI_MAX_OBSERVERS];
    int nobs;
    int started, ended;
    cx_status failed; /* sticky: a failed run cannot continue */
    char errmsg[320];

    /* event types registered with the kernel */
    uint32_t ev_inject, ev_update, ev_repair, ev_link_on, ev_link_off, ev_iim, ev_resp;
    struct cxi_resp *resp; /* response models (model/response.h); NULL when the scenario has none */
    struct cxi_hyb *hyb;   /* hybrid threats (model/hybrid.h); NULL when the scenario has none */
    struct cxi_msel *msel; /* decisions and triggers (model/trigger.h); NULL when none */

    /* infrastructure model */
    int links_on; /* asset cascades (mode assets or both) */
    cxi_asset_state *as;      /* nassets */
    /* Per-link state is indexed by the link's position p in the dependent-side CSR (in_links[p]
     * is the scenario's link), so refresh() walks an asset's incoming links sequentially. */
    const uint32_t *link_pos; /* scenario link -> p */
    const cxi_in_edge *ie;    /* link p (see cxi_infra_prep) */
    const cxi_out_edge *oe;   /* edge e */
    const uint32_t *p_dep;    /* dependent asset of link p */
    int32_t *qv;              /* nassets: as[].q again, compact, for the suppliers' reads */
    uint8_t *upd;             /* nassets: an update event is queued (dedupe), kept apart from
                               * as[] so the cascade's random accesses touch one byte */
    cxi_link_state *ls;       /* nlinks, by position p: all of a link's state in one record */
    /* from the cxi_infra_prep (the scenario's, or the sim's own for a hand-built scenario) */
    const uint32_t *in_start, *in_links, *in_sup;
    const uint32_t *out_start, *out_links, *out_dep;
    const uint32_t *scc;
    /* Counted links (ls[].in) form a DAG; ao[].ord is a topological order of it
     * inside each component, kept by Pearce-Kelly. An asset that counts for nobody (nout == 0)
     * moves to the end of the order (ord_next) before it draws on suppliers, so links that follow
     * a cascade need no search. mark/stk/fset/bset: scratch, nassets each. */
    cxi_asset_order *ao;      /* nassets: ord, qver, nout */
    uint64_t *pool, ord_next;
    uint32_t *mark, *stk, *fset, *bset;
    uint32_t stamp;
    cx_time guard_t;          /* same-instant update guard: time and count */
    uint64_t guard_n, guard_max;

    /* sector model (DIIM): node = region * CX_SECTOR_COUNT + sector */
    int iim_on;
    cxi_iim iim;
    double *iim_extra;   /* c* held by sector-level injects on (sector, region) without assets */
    double *iim_den;     /* per node: total weight of its assets (population, or count) */
    int iim_have_c;      /* c was sampled at the previous step */
    double *iim_last;    /* last emitted value per node */
    double *iim_int;     /* integral of q (node-seconds) up to iim_t */
    cx_time *iim_t;
    uint32_t *pair_nassets; /* assets per node */
    uint8_t *iim_in_set;    /* node reported in metrics */

    /* metrics (metrics.c) */
    struct {
        cx_time t_cur;        /* instant whose state is being built */
        double pop_out;       /* sum of population * q (person-permyriad) */
        uint32_t n_out;       /* assets with q > 0: pop_out is reset to exactly 0 when none */
        double pop_int;       /* integral of pop_out up to pop_t (person-permyriad-seconds) */
        cx_time pop_t;
        double *pair_out, *pair_int; /* per node, like pop_out/pop_int */
        cx_time *pair_t;
        uint32_t n_failed, peak_failed, n_ever_failed, xb_failures;
        int32_t longest;
        double peak_pop;      /* settled, person-permyriad */
        cx_time t_first;      /* first settled instant with pop_out > 0, -1 none */
        double seg_v;         /* open segment of the restore curve */
        cxi_seg *segs;        /* malloc'd, grows by doubling */
        size_t nsegs, capsegs;
        uint8_t *region_hit;  /* nregions */
        uint32_t *dirty;      /* list of dirty assets */
        uint32_t ndirty;
        cx_metric *out;       /* the array cx_sim_metrics returns */
        size_t nout;
    } m;
};

/* ---- sim.c --------------------------------------------------------------------------------- */
/* Records the error message on the handle and returns st: every runtime failure passes here. */
cx_status cxi_sim_fail(cx_sim *sim, cx_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Sends rec to every observer; CX_EIO (with message) when one aborts. */
cx_status cxi_sim_emit(cx_sim *sim, const cx_record *rec);
/* Time in seconds from a distribution sample (rounded; negative/NaN -> 0, huge -> CX_TIME_NEVER). */
cx_time cxi_sim_duration(double seconds);
/* Schedules p at now + delay when that is <= the horizon; *id = CXI_EVENT_NONE otherwise. */
cx_status cxi_sim_schedule_in(cx_sim *sim, cx_time now, cx_time delay, const cxi_payload *p,
                              cxi_event_id *id);
/* Forks the run: re-seeds every random stream of sim (infrastructure, response, IPCR, hybrid) with
 * the stream of (seed, stream_replicate, purpose) in the continuation domain, which no ordinary
 * replicate uses. Everything else stays, pending events with their already sampled times included,
 * so running sim on gives continuation `stream_replicate` of the state reached so far (what-if).
 * CX_EINVAL for NULL; a failed run keeps its status. */
cx_status cxi_sim_reseed(cx_sim *sim, uint64_t stream_replicate);

/* ---- infra.c: assets, links, injects ------------------------------------------------------- */
/* Builds the adjacency (CSR), components and state arrays. */
cx_status cxi_infra_init(cx_sim *sim);
/* Puts every entry of the asset model's arrays that the run touched back in its initial state. */
void cxi_infra_restore(cx_sim *sim);
/* Copies into dst (zeroed) the fields of src that survive a reset (see cx_sim.keep). */
void cxi_infra_keep(cx_sim *dst, const cx_sim *src);
/* Asset a's state is about to change: put it on the touched list (once per run). */
static inline void cxi_infra_touch(cx_sim *sim, uint32_t a) {
    if (sim->as[a].touched) return;
    sim->as[a].touched = 1;
    sim->tlist[sim->ntouched++] = a;
}
cx_status cxi_infra_on_inject(cx_sim *sim, cx_time t, uint32_t inject);
/* As cxi_infra_on_inject, with the INJECT record's cause (e.g. "trigger" for contingency injects). */
cx_status cxi_infra_fire_inject(cx_sim *sim, cx_time t, uint32_t inject, const char *cause);
/* Pending repairs of assets matching (region, sector, asset; -1 = any) now finish after factor x
 * their remaining time; *n (may be NULL) = repairs rescheduled. */
cx_status cxi_infra_speed_repairs(cx_sim *sim, cx_time t, int32_t region, int sector, int32_t asset,
                                  double factor, uint32_t *n);
cx_status cxi_infra_on_update(cx_sim *sim, cx_time t, uint32_t asset);
cx_status cxi_infra_on_repair(cx_sim *sim, cx_time t, uint32_t asset);
/* link: position p in the dependent-side CSR (as carried by the link events). */
cx_status cxi_infra_on_link(cx_sim *sim, cx_time t, uint32_t link, int on);
const char *cxi_state_name(int state);
const char *cxi_inject_kind_name(int kind);
/* Operability of asset a now, in [0,1] (for tests and tools). */
double cxi_sim_asset_op(const cx_sim *sim, uint32_t a);
/* State (CXI_LINK_*) of the scenario's link `link`, for tests. */
int cxi_sim_link_state(const cx_sim *sim, uint32_t link);

/* ---- iim.c: sector input-output model ------------------------------------------------------- */
/* Sets up m with n nodes and nnz coefficients (rows[i], cols[i], vals[i]; duplicates add up);
 * k = 1, q = c = 0. Memory from arena. CX_ENOMEM / CX_EINVAL (index out of range). */
cx_status cxi_iim_init(cxi_iim *m, cxi_arena *arena, uint32_t n, size_t nnz, const uint32_t *rows,
                       const uint32_t *cols, const double *vals);
/* One DIIM step: q <- q + K (A* q + c - q), clamped to [0,1]. */
void cxi_iim_step(cxi_iim *m);
/* Steady state q = A* q + c by fixed-point iteration, until the largest change is < tol.
 * out has n entries; *iters (may be NULL) receives the iteration count. CX_ERUNTIME when it does
 * not converge in max_iter (spectral radius of A* >= 1). Uses m->tmp as scratch. */
cx_status cxi_iim_steady(cxi_iim *m, double tol, unsigned max_iter, double *out,
                         unsigned *iters);
cx_status cxi_sim_iim_init(cx_sim *sim);
cx_status cxi_sim_iim_on_step(cx_sim *sim, cx_time t);
/* Sector-level injects on (sector, region) pairs without assets hold their magnitude in c*. */
void cxi_sim_iim_inject(cx_sim *sim, const cx_inject *inj);
/* Inoperability of (sector, region) in the sector model now. */
double cxi_sim_iim_q(const cx_sim *sim, int sector, uint32_t region);

/* ---- metrics.c ------------------------------------------------------------------------------ */
cx_status cxi_metrics_init(cx_sim *sim);
void cxi_metrics_free(cx_sim *sim);
/* Called before each event: when t moves past the current instant, the instant is settled.
 * CX_ENOMEM (with message) when the restore curve cannot grow. */
cx_status cxi_metrics_advance(cx_sim *sim, cx_time t);
/* Asset a changed q (old -> new) at t; keeps the population integrals exact. */
void cxi_metrics_on_q(cx_sim *sim, uint32_t a, cx_time t, int32_t q_old, int32_t q_new);
void cxi_metrics_on_level(cx_sim *sim, int old_level, int new_level);
void cxi_metrics_mark(cx_sim *sim, uint32_t a);
/* Node i of the sector model changed from q_old at t. */
void cxi_metrics_on_iim(cx_sim *sim, uint32_t node, cx_time t, double q_old);

#endif
