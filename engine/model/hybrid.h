/* hybrid.h — run state and interfaces of the hybrid-threat model (hybrid.c): cyber attacks with a
 * detection delay, FIMI campaigns against a region's public trust, countermeasures, notification clocks.
 * Invariant: trust is piecewise linear between events and computed in closed form; every array is
 * sized at create from the scenario, so nothing grows during a run. */
#ifndef CX_HYBRID_H
#define CX_HYBRID_H

#include "model/sim_int.h"

enum { CXI_STREAM_HYBRID = 12 };

enum { CXI_CLOCK_STARTED, CXI_CLOCK_MET, CXI_CLOCK_MISSED };

typedef struct {
    double v;          /* trust at t, in [0,1] */
    cx_time t;
    double drop;       /* sum of the magnitudes of the running campaigns, per day */
    uint32_t ncamp;    /* running campaigns */
    uint8_t hrrt, pubcom, platform; /* countermeasures in place */
    double integ;      /* integral of (1 - v) up to t, trust-seconds */
    double low;        /* lowest value so far */
    double last_v, last_s; /* value and slope of the last record (no duplicate records) */
    uint32_t gen;      /* generation of the pending trust event (older ones are stale) */
    uint8_t used;      /* a fimi inject targets the region: reported in metrics */
} cxi_trust;

typedef struct {
    int kind;          /* cx_hybrid_clock */
    uint32_t region;
    uint8_t state;     /* CXI_CLOCK_* */
    cx_time start, due;
    const char *name;  /* "<region>:<clock>#<n>" */
    cxi_event_id ev;
} cxi_clock;

typedef struct cxi_hyb {
    uint32_t ev;            /* kernel event type of hybrid events */
    gsl_rng *rng;
    cx_time *detect_at;     /* per inject: detection time of a cyber inject, -1 not yet sampled */
    cxi_trust *trust;       /* per region */
    cxi_clock *clocks;      uint32_t nclocks, capclocks;
    char *names;            size_t namelen; /* capclocks slots of namelen bytes */
    uint8_t *scratch;       /* per region */
    uint32_t cyber_detected;
    double delay_sum;       /* seconds, over detected incidents */
    uint32_t met, missed;
} cxi_hyb;

/* The scenario has hybrid injects (or keys that need the model). */
int cxi_hybrid_wanted(const cx_scenario *sc);
/* Allocates the run state in sim->arena and registers the event handler. */
cx_status cxi_hybrid_init(cx_sim *sim);
void cxi_hybrid_free(cx_sim *sim); /* the random stream; the rest lives in the arena */
/* Every inject, after the infrastructure model: hybrid kinds, and CER clocks for damage. */
cx_status cxi_hybrid_on_inject(cx_sim *sim, cx_time t, uint32_t inject);
/* Repair delay r (from the attack at t) of an asset hit by cyber inject `inject`: counted from
 * detection, so the detection delay is added (sampled once per inject). */
cx_time cxi_hybrid_repair_after(cx_sim *sim, uint32_t inject, cx_time t, cx_time r);

/* Countermeasures and notifications, from injects or player decisions (decision.c). cause: the
 * inject/decision id ("" allowed). No-ops (CX_OK) when the scenario has no hybrid model. */
cx_status cxi_hybrid_on_hrrt(cx_sim *sim, uint32_t region, cx_time t, const char *cause);
cx_status cxi_hybrid_on_pubcom(cx_sim *sim, uint32_t region, cx_time t, const char *cause);
cx_status cxi_hybrid_on_platform_notice(cx_sim *sim, uint32_t region, cx_time t, const char *cause);
/* Meets the oldest running clock `clock` (cx_hybrid_clock) of region. */
cx_status cxi_hybrid_on_notify(cx_sim *sim, uint32_t region, int clock, cx_time t, const char *cause);

/* Public trust of region r at the current time (for tests and tools). */
double cxi_hybrid_trust(const cx_sim *sim, uint32_t r);
const char *cxi_clock_name(int clock); /* "" when out of range */
int cxi_clock_parse(const char *s);    /* -1 when unknown (case-insensitive) */

/* metrics (called from metrics.c) */
size_t cxi_hybrid_metrics_layout(cx_sim *sim, size_t n);
size_t cxi_hybrid_metrics_fill(cx_sim *sim, size_t i, cx_time now);

#endif
