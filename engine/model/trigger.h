/* trigger.h — the exercise-control layer (MSEL): contingency conditions of injects ('trigger'),
 * decisions taken by the players (decisions.csv) and their run state (trigger.c, decision.c).
 * Invariant: conditions and decisions are parsed once at load time into the scenario's arena; a
 * run only counts what its records say and fires in (time, file order), so it stays deterministic. */
#ifndef CX_TRIGGER_H
#define CX_TRIGGER_H

#include <stddef.h>
#include <stdint.h>

#include "model/sim_int.h"

/* State variables of a condition (docs/scenario-format.md, "Trigger conditions"). */
enum {
    CXI_CV_REGIONS_AFFECTED, CXI_CV_FAILED_ASSETS, CXI_CV_POP, CXI_CV_IPCR_MODE, CXI_CV_REQUESTS,
    CXI_CV_OFFERS, CXI_CV_ARRIVALS, CXI_CV_UNMET, CXI_CV_INCIDENTS, CXI_CV_T, CXI_CV_COUNT
};
enum { CXI_CN_AND, CXI_CN_OR, CXI_CN_NOT, CXI_CN_CMP, CXI_CN_NO_REQUEST };
enum { CXI_OP_EQ, CXI_OP_NE, CXI_OP_LT, CXI_OP_LE, CXI_OP_GT, CXI_OP_GE };

typedef struct {
    uint8_t kind;   /* CXI_CN_* */
    uint8_t var;    /* CMP: CXI_CV_* */
    uint8_t op;     /* CMP: CXI_OP_* */
    int32_t arg;    /* CMP: region index (requests/offers/arrivals) or need (unmet); NO_REQUEST: region */
    double value;   /* CMP: right-hand side (seconds for t, mode for ipcr_mode); NO_REQUEST: deadline */
    int32_t a, b;   /* children (AND, OR: a and b; NOT: a) */
} cxi_cnode;

struct cxi_cond {
    const cxi_cnode *n;
    uint32_t nn, root;
    const cx_time *times; /* instants at which the value may change without an event (t, deadlines) */
    uint32_t ntimes;
};
typedef struct cxi_cond cxi_cond;

/* Parses a condition. Region codes resolve against sc; t0_unix converts ISO times. On error returns
 * -1 with a message naming the bad token and what was expected in err (at character *errcol). */
int cxi_cond_parse(const char *s, const cx_scenario *sc, int64_t t0_unix, cxi_arena *A,
                   const cxi_cond **out, char *err, size_t errn, unsigned *errcol);
/* Value of c on the current state of sim at t. */
int cxi_cond_eval(cx_sim *sim, const cxi_cond *c, cx_time t);

/* Decision kinds, X(enum, csv name). */
#define CXI_DECISION_LIST(X)                                                           \
    X(CXI_DK_IPCR_ESCALATE, "ipcr_escalate") X(CXI_DK_IPCR_DEESCALATE, "ipcr_deescalate") \
    X(CXI_DK_IPCR_SET, "ipcr_set") X(CXI_DK_ART222, "art222")                            \
    X(CXI_DK_UCPM_REQUEST, "ucpm_request") X(CXI_DK_ACCEPT_OFFER, "accept_offer")        \
    X(CXI_DK_DECLINE_OFFER, "decline_offer") X(CXI_DK_PREPOSITION, "preposition")        \
    X(CXI_DK_REPAIR_PRIORITY, "repair_priority")                                         \
    X(CXI_DK_DEPLOY_HYBRID_TEAM, "deploy_hybrid_team")                                   \
    X(CXI_DK_PUBLIC_COMMUNICATION, "public_communication") X(CXI_DK_NOTIFY, "notify")     \
    X(CXI_DK_NOTE, "note")
enum {
#define CXI_DK_ENUM(e, s) e,
    CXI_DECISION_LIST(CXI_DK_ENUM)
#undef CXI_DK_ENUM
    CXI_DK_COUNT
};
const char *cxi_decision_kind_name(int kind);
int cxi_decision_kind_parse(const char *s); /* -1 when unknown (case-insensitive) */

struct cxi_decision {
    const char *id;      /* 'id' column, or "D<line>" */
    cx_time t;
    int kind;            /* CXI_DK_* */
    int32_t region;      /* region index or -1 */
    const char *target;  /* as written ("" when absent) */
    int32_t asset;       /* repair_priority: asset index or -1 */
    int32_t capacity;    /* preposition: capacity index or -1 */
    int sector;          /* repair_priority with a region: the sector, -1 */
    int mode;            /* ipcr_set: cx_ipcr_mode */
    double factor;       /* repair_priority: multiplier on the remaining repair time */
    const char *value;   /* as written ("" when absent) */
    const double *needs; /* ucpm_request: CX_NEED_COUNT amounts or NULL */
    const char *text, *by;
    uint32_t line;
};
typedef struct cxi_decision cxi_decision;

/* Run state of triggers and decisions; NULL when the scenario has neither. */
typedef struct cxi_msel {
    uint32_t ev_check, ev_decision;
    uint32_t *pending;  /* triggered injects not fired yet, in (time, file order) */
    uint32_t npending;
    uint32_t *req_r, *offer_r, *arrival_r; /* per region, counted from the records */
    cx_time *first_req_r;                  /* per region, -1 none */
    int polling;
} cxi_msel;

/* trigger.c */
/* Sets up sim->msel when the scenario has decisions or triggered injects; schedules the decision
 * and check events (call after the injects are scheduled). */
cx_status cxi_msel_init(cx_sim *sim);
/* After each event: fires the triggered injects whose time has come and whose condition holds. */
cx_status cxi_trigger_poll(cx_sim *sim, cx_time t);
/* Every record passes here (counts requests, offers and arrivals per region). */
void cxi_msel_on_record(cx_sim *sim, const cx_record *rec);

/* decision.c */
cx_status cxi_decision_apply(cx_sim *sim, cx_time t, uint32_t d);
/* For the hybrid model: has a 'notify' decision for (region code, clock) been taken by now?
 * clock matches the decision's value or target (e.g. nis2_early_warning). 1 and *when, or 0. */
int cxi_decision_notified(const cx_sim *sim, const char *region, const char *clock, cx_time *when);

#endif
