/* trigger.c — contingency injects: the condition language (parser and evaluation) and the run state
 * that fires a triggered inject once, the first time its condition holds after its 'time'.
 * Invariant: conditions are checked after every event and at the instants they name (t, deadlines),
 * pending injects in (time, file order), each at most once: a run fires the same injects every time. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "io/io_api.h"
#include "model/response.h"
#include "model/trigger.h"

static const char *const var_names[CXI_CV_COUNT] = {
    "regions_affected", "failed_assets", "pop_without_service", "ipcr_mode", "requests",
    "offers",           "arrivals",      "unmet",               "incidents", "t"};
static const char var_expect[] =
    "a variable (regions_affected, failed_assets, pop_without_service, ipcr_mode, requests(XX), "
    "offers(XX), arrivals(XX), unmet(need), incidents, t), 'not', '(' or 'no request(XX) by T'";
static const char op_expect[] = "a comparison operator: ==, !=, <, <=, > or >=";
static const char next_expect[] = "'and', 'or', ')' or the end of the condition";

#define MAX_NODES 128
#define MAX_TIMES 64
#define MAX_DEPTH 32

typedef struct {
    const char *s;
    size_t pos;             /* start of the current token */
    size_t len;             /* its length (0 at the end) */
    const cx_scenario *sc;
    int64_t t0;
    cxi_cnode n[MAX_NODES];
    uint32_t nn;
    cx_time times[MAX_TIMES];
    uint32_t ntimes;
    char *err;
    size_t errn;
    unsigned errcol;
    int failed;
} parser;

static int special(char c) { return c == '(' || c == ')' || c == '<' || c == '>' || c == '=' || c == '!'; }
static int blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static void next(parser *P) {
    size_t i = P->pos + P->len;
    while (P->s[i] && blank(P->s[i])) i++;
    P->pos = i;
    if (!P->s[i]) {
        P->len = 0;
    } else if (P->s[i] == '(' || P->s[i] == ')') {
        P->len = 1;
    } else if (special(P->s[i])) {
        P->len = P->s[i + 1] == '=' ? 2 : 1;
    } else {
        size_t j = i;
        while (P->s[j] && !blank(P->s[j]) && !special(P->s[j])) j++;
        P->len = j - i;
    }
}

static int is(const parser *P, const char *w) {
    size_t l = strlen(w);
    return P->len == l && cxi_ieqn(P->s + P->pos, w, l);
}

static void tok(const parser *P, char *buf, size_t n) {
    size_t l = P->len < n - 1 ? P->len : n - 1;
    memcpy(buf, P->s + P->pos, l);
    buf[l] = '\0';
}

static int fail(parser *P, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int fail(parser *P, const char *fmt, ...) {
    if (P->failed) return -1;
    P->failed = 1;
    P->errcol = (unsigned)P->pos + 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(P->err, P->errn, fmt, ap);
    va_end(ap);
    return -1;
}

/* "unexpected 'x' at character N (expected ...)" or "unexpected end of the condition (...)" */
static int unexpected(parser *P, const char *expect) {
    char t[64], q[100];
    if (!P->len) {
        P->errcol = (unsigned)P->pos + 1;
        if (!P->failed) snprintf(P->err, P->errn, "unexpected end of the condition (expected %s)", expect);
        P->failed = 1;
        return -1;
    }
    tok(P, t, sizeof t);
    return fail(P, "unexpected '%s' at character %u (expected %s)", cxi_diag_quote(q, sizeof q, t),
                (unsigned)P->pos + 1, expect);
}

static int32_t node(parser *P, cxi_cnode v) {
    if (P->nn >= MAX_NODES) {
        fail(P, "condition too long at character %u (expected at most 128 terms)", (unsigned)P->pos + 1);
        return -1;
    }
    P->n[P->nn] = v;
    return (int32_t)P->nn++;
}

static void add_time(parser *P, cx_time t) {
    if (t < 0) t = 0;
    for (uint32_t i = 0; i < P->ntimes; i++)
        if (P->times[i] == t) return;
    if (P->ntimes < MAX_TIMES) P->times[P->ntimes++] = t;
}

/* a region code between parentheses, the current token being '(' */
static int region_arg(parser *P, int32_t *out) {
    char t[64], q[100], q2[100];
    if (!is(P, "(")) return unexpected(P, "'(' and a region code");
    next(P);
    if (!P->len || special(P->s[P->pos])) return unexpected(P, "a region code");
    tok(P, t, sizeof t);
    *out = cxi_scenario_region_index(P->sc, t);
    if (*out < 0) {
        const char *cand[256];
        uint32_t n = P->sc->nregions < 256 ? P->sc->nregions : 256;
        for (uint32_t i = 0; i < n; i++) cand[i] = P->sc->regions[i].code;
        const char *best = cxi_suggest(t, cand, n);
        if (best)
            return fail(P, "unknown region '%s' at character %u (did you mean '%s'?)",
                        cxi_diag_quote(q, sizeof q, t), (unsigned)P->pos + 1,
                        cxi_diag_quote(q2, sizeof q2, best));
        return fail(P, "unknown region '%s' at character %u (expected a code from regions.csv)",
                    cxi_diag_quote(q, sizeof q, t), (unsigned)P->pos + 1);
    }
    next(P);
    if (!is(P, ")")) return unexpected(P, "')'");
    next(P);
    return 0;
}

static int32_t disj(parser *P, int depth);

static int32_t cmp(parser *P) {
    char t[64], q[100], v[64];
    tok(P, t, sizeof t);
    int var = -1;
    for (int i = 0; i < CXI_CV_COUNT; i++)
        if (cxi_ieq(t, var_names[i])) var = i;
    if (cxi_ieq(t, "request")) var = CXI_CV_REQUESTS;
    if (cxi_ieq(t, "offer")) var = CXI_CV_OFFERS;
    if (cxi_ieq(t, "arrival")) var = CXI_CV_ARRIVALS;
    if (var < 0) {
        if (!P->len || special(P->s[P->pos]) || (t[0] >= '0' && t[0] <= '9'))
            return unexpected(P, var_expect);
        const char *best = cxi_suggest(t, var_names, CXI_CV_COUNT);
        if (best)
            return fail(P, "unknown variable '%s' at character %u (did you mean '%s'?)",
                        cxi_diag_quote(q, sizeof q, t), (unsigned)P->pos + 1, best);
        return fail(P, "unknown variable '%s' at character %u (expected %s)",
                    cxi_diag_quote(q, sizeof q, t), (unsigned)P->pos + 1, var_expect);
    }
    cxi_cnode c = {CXI_CN_CMP, (uint8_t)var, 0, -1, 0, -1, -1};
    next(P);
    if (var == CXI_CV_REQUESTS || var == CXI_CV_OFFERS || var == CXI_CV_ARRIVALS) {
        if (region_arg(P, &c.arg)) return -1;
    } else if (var == CXI_CV_UNMET) {
        if (!is(P, "(")) return unexpected(P, "'(' and a need type such as usar");
        next(P);
        tok(P, t, sizeof t);
        c.arg = cxi_need_parse(t);
        if (c.arg < 0) {
            if (!P->len || special(P->s[P->pos])) return unexpected(P, "a need type such as usar");
            return fail(P, "unknown need type '%s' at character %u (expected a need type such as "
                        "usar or medical)", cxi_diag_quote(q, sizeof q, t), (unsigned)P->pos + 1);
        }
        next(P);
        if (!is(P, ")")) return unexpected(P, "')'");
        next(P);
    }
    static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};
    int op = -1;
    for (int i = 0; i < 6; i++)
        if (is(P, ops[i])) op = i;
    if (op < 0) return unexpected(P, op_expect);
    c.op = (uint8_t)op;
    next(P);
    if (!P->len || special(P->s[P->pos]))
        return unexpected(P, var == CXI_CV_T ? "a time such as T+12h"
                             : var == CXI_CV_IPCR_MODE ? "an IPCR mode such as full"
                                                       : "a number");
    tok(P, v, sizeof v);
    cxi_parse_err e = {0};
    if (var == CXI_CV_T) {
        cx_time x;
        if (cxi_time_parse(v, P->t0, &x, &e) != 0)
            return fail(P, "bad time '%s' at character %u (expected a time such as T+12h, 12h or "
                        "an ISO datetime)", cxi_diag_quote(q, sizeof q, v), (unsigned)P->pos + 1);
        c.value = (double)x;
        add_time(P, x);
        add_time(P, x + 1);
    } else if (var == CXI_CV_IPCR_MODE) {
        int m = -1;
        for (int i = 0; i <= CX_IPCR_CLOSED; i++)
            if (cxi_ieq(v, cxi_ipcr_mode_name(i))) m = i;
        if (cxi_ieq(v, "info_sharing")) m = CX_IPCR_INFO_SHARING;
        if (m < 0)
            return fail(P, "unknown IPCR mode '%s' at character %u (expected inactive, monitoring, "
                        "information_sharing, full or closed)", cxi_diag_quote(q, sizeof q, v),
                        (unsigned)P->pos + 1);
        c.value = m;
    } else {
        double x;
        if (cxi_number_parse(v, 0, &x, &e) != 0)
            return fail(P, "'%s' at character %u is not a number (expected a number to compare with)",
                        cxi_diag_quote(q, sizeof q, v), (unsigned)P->pos + 1);
        c.value = x;
    }
    next(P);
    return node(P, c);
}

static int32_t unary(parser *P, int depth) {
    if (depth > MAX_DEPTH)
        return fail(P, "condition nested too deeply at character %u (expected at most 32 levels)",
                    (unsigned)P->pos + 1);
    if (is(P, "not")) {
        next(P);
        int32_t a = unary(P, depth + 1);
        if (a < 0) return -1;
        return node(P, (cxi_cnode){CXI_CN_NOT, 0, 0, -1, 0, a, -1});
    }
    if (is(P, "(")) {
        next(P);
        int32_t a = disj(P, depth + 1);
        if (a < 0) return -1;
        if (!is(P, ")")) return unexpected(P, "')' or 'and', 'or'");
        next(P);
        return a;
    }
    if (is(P, "no")) {
        next(P);
        if (!is(P, "request") && !is(P, "requests")) return unexpected(P, "'request'");
        next(P);
        cxi_cnode c = {CXI_CN_NO_REQUEST, 0, 0, -1, 0, -1, -1};
        if (region_arg(P, &c.arg)) return -1;
        if (!is(P, "by")) return unexpected(P, "'by' and a deadline such as T+12h");
        next(P);
        char v[64], q[100];
        if (!P->len || special(P->s[P->pos])) return unexpected(P, "a deadline such as T+12h");
        tok(P, v, sizeof v);
        cx_time x;
        cxi_parse_err e = {0};
        if (cxi_time_parse(v, P->t0, &x, &e) != 0)
            return fail(P, "bad deadline '%s' at character %u (expected a time such as T+12h or an "
                        "ISO datetime)", cxi_diag_quote(q, sizeof q, v), (unsigned)P->pos + 1);
        c.value = (double)x;
        add_time(P, x);
        next(P);
        return node(P, c);
    }
    if (!P->len) return unexpected(P, var_expect);
    return cmp(P);
}

static int32_t conj_(parser *P, int depth) {
    int32_t a = unary(P, depth);
    while (a >= 0 && is(P, "and")) {
        next(P);
        int32_t b = unary(P, depth);
        if (b < 0) return -1;
        a = node(P, (cxi_cnode){CXI_CN_AND, 0, 0, -1, 0, a, b});
    }
    return a;
}

static int32_t disj(parser *P, int depth) {
    int32_t a = conj_(P, depth);
    while (a >= 0 && is(P, "or")) {
        next(P);
        int32_t b = conj_(P, depth);
        if (b < 0) return -1;
        a = node(P, (cxi_cnode){CXI_CN_OR, 0, 0, -1, 0, a, b});
    }
    return a;
}

int cxi_cond_parse(const char *s, const cx_scenario *sc, int64_t t0_unix, cxi_arena *A,
                   const cxi_cond **out, char *err, size_t errn, unsigned *errcol) {
    parser *P = cxi_arena_alloc(A, sizeof *P); /* ~7 KB: kept off the stack */
    *out = NULL;
    if (errn) err[0] = '\0';
    if (errcol) *errcol = 1;
    if (!P) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    memset(P, 0, sizeof *P);
    P->s = s;
    P->sc = sc;
    P->t0 = t0_unix;
    P->err = err;
    P->errn = errn;
    next(P);
    int32_t root = disj(P, 0);
    if (root >= 0 && P->len) root = unexpected(P, next_expect);
    if (root < 0 || P->failed) {
        if (errcol) *errcol = P->errcol;
        return -1;
    }
    cxi_cond *c = cxi_arena_alloc(A, sizeof *c);
    cxi_cnode *n = cxi_arena_alloc(A, P->nn * sizeof *n);
    cx_time *tm = cxi_arena_alloc(A, (P->ntimes ? P->ntimes : 1) * sizeof *tm);
    if (!c || !n || !tm) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    memcpy(n, P->n, P->nn * sizeof *n);
    memcpy(tm, P->times, P->ntimes * sizeof *tm);
    c->n = n;
    c->nn = P->nn;
    c->root = (uint32_t)root;
    c->times = tm;
    c->ntimes = P->ntimes;
    *out = c;
    return 0;
}

/* ---- evaluation -------------------------------------------------------------------------- */

static double var_value(cx_sim *sim, const cxi_cnode *c, cx_time t) {
    const cx_scenario *sc = sim->sc;
    const cxi_resp *R = sim->resp;
    const cxi_msel *M = sim->msel;
    switch (c->var) {
    case CXI_CV_REGIONS_AFFECTED: {
        uint32_t n = 0;
        if (R) {
            for (uint32_t r = 0; r < sc->nregions; r++)
                if (R->assets_out_r[r] || R->inc_open_r[r]) n++;
            return n;
        }
        for (uint32_t r = 0; r < sc->nregions; r++) {
            int hit = 0;
            for (uint32_t a = 0; a < sc->nassets && !hit; a++)
                hit = sc->assets[a].region == r && sim->as[a].q > 0;
            n += (uint32_t)hit;
        }
        return n;
    }
    case CXI_CV_FAILED_ASSETS: return sim->m.n_failed;
    case CXI_CV_POP: return sim->m.pop_out / CXI_Q_FULL;
    case CXI_CV_IPCR_MODE: return R ? R->mode : CX_IPCR_INACTIVE;
    case CXI_CV_REQUESTS: return M->req_r[c->arg];
    case CXI_CV_OFFERS: return M->offer_r[c->arg];
    case CXI_CV_ARRIVALS: return M->arrival_r[c->arg];
    case CXI_CV_UNMET: {
        double s = 0;
        if (!R) return 0;
        for (uint32_t k = 0; k < R->nopen_inc; k++)
            s += cxi_inc_uncovered(sim, R->open_inc[k], c->arg, t, 0);
        return s;
    }
    case CXI_CV_INCIDENTS: return R ? R->nopen_inc : 0;
    case CXI_CV_T: return (double)t;
    default: return 0;
    }
}

static int eval(cx_sim *sim, const cxi_cond *c, uint32_t i, cx_time t) {
    const cxi_cnode *n = &c->n[i];
    switch (n->kind) {
    case CXI_CN_AND: return eval(sim, c, (uint32_t)n->a, t) && eval(sim, c, (uint32_t)n->b, t);
    case CXI_CN_OR: return eval(sim, c, (uint32_t)n->a, t) || eval(sim, c, (uint32_t)n->b, t);
    case CXI_CN_NOT: return !eval(sim, c, (uint32_t)n->a, t);
    case CXI_CN_NO_REQUEST: {
        cx_time d = (cx_time)n->value, first = sim->msel->first_req_r[n->arg];
        return t >= d && (first < 0 || first > d);
    }
    case CXI_CN_CMP: {
        double x = var_value(sim, n, t), v = n->value;
        switch (n->op) {
        case CXI_OP_EQ: return x == v;
        case CXI_OP_NE: return x != v;
        case CXI_OP_LT: return x < v;
        case CXI_OP_LE: return x <= v;
        case CXI_OP_GT: return x > v;
        case CXI_OP_GE: return x >= v;
        }
        return 0;
    }
    }
    return 0;
}

int cxi_cond_eval(cx_sim *sim, const cxi_cond *c, cx_time t) {
    return c && c->nn ? eval(sim, c, c->root, t) : 0;
}

/* ---- run state --------------------------------------------------------------------------- */

static cx_status fire(cx_sim *sim, cx_time t, uint32_t j) {
    cx_status st = cxi_infra_fire_inject(sim, t, j, "trigger");
    if (st == CX_OK && sim->resp && sim->sc->injects[j].kind >= CX_INJECT_HAZARD)
        st = cxi_resp_on_inject(sim, t, j);
    return st;
}

cx_status cxi_trigger_poll(cx_sim *sim, cx_time t) {
    cxi_msel *M = sim->msel;
    if (!M || M->polling || !M->npending) return CX_OK;
    M->polling = 1; /* a fired inject's records must not start a nested poll */
    cx_status st = CX_OK;
    for (int again = 1; again && st == CX_OK;) {
        again = 0;
        for (uint32_t k = 0; k < M->npending && st == CX_OK;) {
            uint32_t j = M->pending[k];
            const cx_inject *in = &sim->sc->injects[j];
            if (in->t <= t && cxi_cond_eval(sim, in->cond, t)) {
                memmove(M->pending + k, M->pending + k + 1, (M->npending - k - 1) * sizeof *M->pending);
                M->npending--;
                st = fire(sim, t, j);
                again = 1; /* its effects may make an earlier condition true */
                break;
            }
            k++;
        }
    }
    M->polling = 0;
    return st;
}

void cxi_msel_on_record(cx_sim *sim, const cx_record *rec) {
    cxi_msel *M = sim->msel;
    if (rec->kind != CX_REC_REQUEST && rec->kind != CX_REC_CAPACITY) return;
    int32_t r = cxi_scenario_region_index(sim->sc, rec->region);
    if (r < 0) return;
    if (rec->kind == CX_REC_REQUEST && !strcmp(rec->state, "requested")) {
        M->req_r[r]++;
        if (M->first_req_r[r] < 0) M->first_req_r[r] = rec->t;
    } else if (rec->kind == CX_REC_CAPACITY && !strcmp(rec->state, "offered")) {
        M->offer_r[r]++;
    } else if (rec->kind == CX_REC_CAPACITY && !strcmp(rec->state, "operating") && rec->cause[0]) {
        M->arrival_r[r]++;
    }
}

static cx_status settle(cx_sim *sim, cx_time t) {
    cx_status st = cxi_metrics_advance(sim, t);
    sim->guard_n = 0;
    return st;
}

static cx_status finish(cx_sim *sim, cx_time t, cx_status st) {
    if (st == CX_OK) st = cxi_trigger_poll(sim, t);
    if (st == CX_OK && sim->resp) st = cxi_ipcr_poll(sim, t);
    return st;
}

static cx_status h_check(void *ctx, cx_time t, const cxi_payload *p) {
    cx_sim *sim = ctx;
    (void)p;
    return finish(sim, t, settle(sim, t));
}

static cx_time decision_time(const cx_scenario *sc, uint32_t d) {
    return sc->decisions[d].t < 0 ? 0 : sc->decisions[d].t;
}

/* The decisions of one instant (a = the first; they are sorted by time) act on the state at the end
 * of that instant, which is what players saw when they took them: the event queues itself behind
 * the instant's other events (x = events processed when it did, c = 1) until none ran in between.
 * Events of the instant scheduled later can only come from events that ran in between, so this ends
 * with the cascade of the instant. */
static cx_status h_decision(void *ctx, cx_time t, const cxi_payload *p) {
    cx_sim *sim = ctx;
    uint64_t done = cxi_kernel_processed(sim->k);
    if (p->c == 0 || (uint64_t)p->x + 1 != done) {
        cxi_payload q = *p;
        q.c = 1;
        q.x = (double)done;
        return cxi_kernel_schedule(sim->k, t, &q, NULL);
    }
    cx_status st = settle(sim, t);
    const cx_scenario *sc = sim->sc;
    for (uint32_t d = p->a; st == CX_OK && d < sc->ndecisions && decision_time(sc, d) == t; d++) {
        st = cxi_decision_apply(sim, t, d);
        st = finish(sim, t, st);
    }
    return st;
}

cx_status cxi_msel_init(cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    uint32_t ntrig = 0;
    for (uint32_t i = 0; i < sc->ninjects; i++) ntrig += sc->injects[i].cond != NULL;
    if (!ntrig && !sc->ndecisions) return CX_OK;
    cxi_msel *M = cxi_arena_calloc(&sim->arena, 1, sizeof *M);
    if (!M) return CX_ENOMEM;
    M->pending = cxi_arena_calloc(&sim->arena, ntrig, sizeof *M->pending);
    M->req_r = cxi_arena_calloc(&sim->arena, sc->nregions, sizeof *M->req_r);
    M->offer_r = cxi_arena_calloc(&sim->arena, sc->nregions, sizeof *M->offer_r);
    M->arrival_r = cxi_arena_calloc(&sim->arena, sc->nregions, sizeof *M->arrival_r);
    M->first_req_r = cxi_arena_calloc(&sim->arena, sc->nregions, sizeof *M->first_req_r);
    if (!M->pending || !M->req_r || !M->offer_r || !M->arrival_r || !M->first_req_r)
        return CX_ENOMEM;
    for (uint32_t r = 0; r < sc->nregions; r++) M->first_req_r[r] = -1;
    sim->msel = M;
    cx_status st;
    if ((st = cxi_kernel_handler(sim->k, h_check, sim, &M->ev_check)) != CX_OK) return st;
    if ((st = cxi_kernel_handler(sim->k, h_decision, sim, &M->ev_decision)) != CX_OK) return st;
    for (uint32_t d = 0; d < sc->ndecisions; d++) {
        cx_time t = decision_time(sc, d);
        if (t > sim->horizon || (d > 0 && decision_time(sc, d - 1) == t)) continue;
        cxi_payload p = {M->ev_decision, d, 0, 0, 0};
        if ((st = cxi_kernel_schedule(sim->k, t, &p, NULL)) != CX_OK) return st;
    }
    for (uint32_t i = 0; i < sc->ninjects; i++) {
        const cx_inject *in = &sc->injects[i];
        if (!in->cond) continue;
        M->pending[M->npending++] = i;
        cx_time t0 = in->t < 0 ? 0 : in->t;
        cxi_payload p = {M->ev_check, i, 0, 0, 0};
        if (t0 <= sim->horizon && (st = cxi_kernel_schedule(sim->k, t0, &p, NULL)) != CX_OK)
            return st;
        for (uint32_t k = 0; k < in->cond->ntimes; k++) {
            cx_time x = in->cond->times[k];
            if (x <= t0 || x > sim->horizon) continue;
            if ((st = cxi_kernel_schedule(sim->k, x, &p, NULL)) != CX_OK) return st;
        }
    }
    return CX_OK;
}
