/* response.h — run state and internal interfaces of the response models: incidents and their needs
 * (incident.c), the UCPM chain of requests, offers and units (ucpm.c) and IPCR (ipcr.c).
 * Invariant: all arrays are sized at create from the scenario (units = sum of counts, incidents
 * <= hazard + request injects, requests <= incidents + request injects); nothing grows in a run. */
#ifndef CX_RESPONSE_H
#define CX_RESPONSE_H

#include "model/sim_int.h"

enum { CXI_STREAM_RESPONSE = 4, CXI_STREAM_IPCR = 5 };

enum { CXI_INC_OPEN, CXI_INC_CONTAINED, CXI_INC_CLOSED };
enum { CXI_REQ_REQUESTED, CXI_REQ_RELAYED, CXI_REQ_COVERED, CXI_REQ_LAPSED, CXI_REQ_CLOSED };
enum {
    CXI_UNIT_AVAILABLE, CXI_UNIT_OFFERED, CXI_UNIT_MOBILISING, CXI_UNIT_TRANSIT,
    CXI_UNIT_OPERATING, CXI_UNIT_RETURNING
};

/* Response event kinds (payload.b); payload.a is the entity, payload.c a second index. */
enum {
    CXI_RE_REQ_SEND,  /* a = incident: the auto request is due */
    CXI_RE_RELAY,     /* a = request */
    CXI_RE_OFFER,     /* c = capacity: its available units are offered */
    CXI_RE_ACCEPT,    /* a = unit */
    CXI_RE_RESCUE,    /* a = request: rescEU check */
    CXI_RE_LAPSE,     /* a = request */
    CXI_RE_READY,     /* a = unit: mobilised, departs */
    CXI_RE_ARRIVE,    /* a = unit */
    CXI_RE_ENDURANCE, /* a = unit: rotates out */
    CXI_RE_HOME,      /* a = unit: back, available */
    CXI_RE_NEED_DONE, /* a = incident, c = need */
    CXI_RE_IPCR_DECIDE, /* c = generation */
    CXI_RE_IPCR_CLOSE,  /* c = generation */
    CXI_RE_ISAA,        /* c = generation */
    CXI_RE_ROUNDTABLE,  /* c = generation */
};

typedef struct {
    uint32_t cap;         /* capacity index */
    const char *name;     /* "<capacity id>#<k>" */
    uint8_t state;        /* CXI_UNIT_* */
    int32_t station;      /* region where it is stationed (prepositioned), -1 = home base */
    int32_t inc, req;     /* incident served and request it came under (-1 national) */
    double endurance;     /* seconds, sampled for the current deployment */
    cx_time op_start;     /* operating since */
    cx_time t_depart;     /* mobilising: when it departs; CX_TIME_NEVER after the horizon */
    cx_time t_arrive;     /* in transit: when it arrives; CX_TIME_NEVER after the horizon */
    cxi_event_id ev;      /* the pending ready/arrive/endurance/home/accept event */
} cxi_unit;

typedef struct {
    const char *id;        /* the hazard (or request) inject id */
    uint32_t region, inject;
    uint8_t state;         /* CXI_INC_* */
    uint8_t req_pending;   /* an auto request is scheduled */
    int32_t req;           /* latest request for it, -1 none */
    cx_time t_open, t_upd, recede; /* recede: pumping needs reach 0 by t_open + recede */
    double a[CX_NEED_COUNT];   /* remaining need at t_upd */
    double a0[CX_NEED_COUNT];  /* need at opening (recession slope) */
    double integ[CX_NEED_COUNT]; /* integral of a (need-seconds) up to t_upd */
    double rate[CX_NEED_COUNT];  /* sum of rates of operating units, per second */
    cxi_event_id done_ev[CX_NEED_COUNT];
} cxi_incident;

typedef struct {
    const char *id;
    uint32_t region, inc;
    uint8_t state;        /* CXI_REQ_* */
    uint8_t rescue_ok;    /* rescEU may be offered */
    uint8_t was_covered;
    uint32_t mask;        /* need types requested */
    cx_time t_req, t_relay;
    cxi_event_id lapse_ev;
} cxi_request;

typedef struct cxi_resp {
    cxi_unit *units;        uint32_t nunits;
    uint32_t *cap_first;    /* ncapacities + 1: units of capacity c are cap_first[c] .. [c+1]-1 */
    cxi_incident *inc;      uint32_t ninc, capinc;
    cxi_request *req;       uint32_t nreq, capreq;
    uint32_t *open_req;     uint32_t nopen_req; /* requests requested/relayed/covered */
    uint32_t *open_inc;     uint32_t nopen_inc; /* incidents not closed */
    uint32_t *inc_open_r;   /* per region: open incidents */
    uint32_t *assets_out_r; /* per region: assets with q > 0 */
    uint32_t n_affected;    /* member regions with an open incident or an asset out */
    uint32_t n_disrupted;   /* member regions with an asset out */
    gsl_rng *rng, *rng_ipcr;
    char *names;            /* unit and request names */
    /* IPCR */
    int mode, art222, ipcr_dirty;
    uint32_t gen_decide, gen_close, gen_isaa, gen_rt;
    int decide_pending, close_pending;
    uint32_t isaa_n, roundtable_n;
    uint32_t xb_seen;       /* cross-border failures the IPCR rules last saw */
    /* metrics */
    cx_time t_first_inc, t_first_req, t_first_offer, t_first_arrival;
    cx_time t_mode[CX_IPCR_CLOSED + 1];
    double unmet[CX_NEED_COUNT]; /* need-seconds of closed-out integrals */
    uint8_t need_used[CX_NEED_COUNT];
    uint32_t deployed_pool[3];
    uint32_t *deployed_r;   /* per owner region */
    uint8_t *owner_r;       /* region owns capacities */
    double peak_coverage;
} cxi_resp;

/* incident.c */
/* Names by enum value, as written in scenarios and outputs: the one table the loader reads too. */
extern const char *const cxi_need_names[CX_NEED_COUNT];
extern const char *const cxi_hazard_names[CX_HAZARD_COUNT];
extern const char *const cxi_ipcr_names[CX_IPCR_CLOSED + 1];
int cxi_resp_wanted(const cx_scenario *sc); /* the scenario has capacities or response injects */
cx_status cxi_resp_init(cx_sim *sim);
void cxi_resp_free(cx_sim *sim);
/* A response inject fired (hazard, request, ipcr, art222, preposition). */
cx_status cxi_resp_on_inject(cx_sim *sim, cx_time t, uint32_t inject);
cx_status cxi_resp_on_event(cx_sim *sim, cx_time t, const cxi_payload *p);
/* Brings need amounts and integrals of incident i up to t. */
void cxi_inc_advance(cx_sim *sim, uint32_t i, cx_time t);
/* Reschedules the completion of need n of incident i (after a rate change). */
cx_status cxi_inc_reschedule(cx_sim *sim, uint32_t i, int n, cx_time t);
/* Need of type n not covered by committed units (with_offers: nor by pending offers), at t. */
double cxi_inc_uncovered(cx_sim *sim, uint32_t i, int n, cx_time t, int with_offers);
cx_status cxi_inc_emit(cx_sim *sim, uint32_t i, cx_time t, const char *cause);
double cxi_inc_total(const cx_sim *sim, uint32_t i);
/* Incident state may have changed (needs met / covered): records and closures. */
cx_status cxi_inc_check(cx_sim *sim, uint32_t i, cx_time t);
cx_status cxi_resp_schedule(cx_sim *sim, cx_time t, cx_time delay, int kind, uint32_t a,
                            uint32_t c, cxi_event_id *id);
/* Hook from metrics.c: asset a changed q (for the IPCR counts). */
void cxi_resp_on_q(cx_sim *sim, uint32_t a, int32_t q_old, int32_t q_new);
void cxi_resp_region_changed(cx_sim *sim, uint32_t region, int was_affected, int was_disrupted);
int cxi_resp_region_affected(const cx_sim *sim, uint32_t r);
int cxi_resp_region_disrupted(const cx_sim *sim, uint32_t r);

/* ucpm.c */
/* Need units unit u covers from t: rate x min(endurance left, cover_within). */
double cxi_unit_contrib(const cx_sim *sim, uint32_t u, cx_time t);
/* Incident i opened or its coverage dropped: national units first, then an auto request. */
cx_status cxi_ucpm_reconsider(cx_sim *sim, uint32_t i, cx_time t);
cx_status cxi_ucpm_request(cx_sim *sim, uint32_t i, uint32_t mask, const char *id, cx_time t,
                           const char *cause);
cx_status cxi_ucpm_on_event(cx_sim *sim, cx_time t, const cxi_payload *p);
cx_status cxi_ucpm_need_done(cx_sim *sim, uint32_t i, int n, cx_time t);
cx_status cxi_ucpm_preposition(cx_sim *sim, uint32_t cap, uint32_t region, cx_time t,
                               const char *cause);
/* accept_offer / decline_offer decisions: offered units whose name, capacity id or request id is
 * target are accepted at once (the acceptance delay cut short) or declined; *n = units matched. */
cx_status cxi_ucpm_decide_offer(cx_sim *sim, cx_time t, const char *target, int accept,
                                const char *cause, uint32_t *n);
/* Relay and acceptance delays are multiplied by this (full IPCR activation). */
double cxi_ucpm_factor(const cx_sim *sim);

/* ipcr.c */
cx_status cxi_ipcr_poll(cx_sim *sim, cx_time t);
cx_status cxi_ipcr_set(cx_sim *sim, int mode, cx_time t, const char *region, const char *cause);
cx_status cxi_ipcr_on_event(cx_sim *sim, cx_time t, const cxi_payload *p);

/* metrics.c */
size_t cxi_resp_metrics_layout(cx_sim *sim, size_t n);
size_t cxi_resp_metrics_fill(cx_sim *sim, size_t i, cx_time now);

#endif
