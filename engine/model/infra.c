/* infra.c — the asset network: direct damage from injects, repairs, and cascades along links.
 * Invariant: an asset's q is recomputed only in refresh(), which never recurses (changes reach
 * dependents through update events at the same instant, one pending per asset), and the links
 * whose contribution is counted always form a DAG, so no loop feeds an asset's outage back. */
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "model/hybrid.h"
#include "model/sim_int.h"

static const char state_names[][10] = {"working", "degraded", "failed", "repairing"};
static const char inject_kind_names[][16] = {"message", "damage",  "disable", "restore",    "hazard",
                                             "request", "ipcr",    "art222",  "preposition",
                                             "cyber", "fimi", "hrrt", "pubcom", "platform_notice",
                                             "notify"};

const char *cxi_state_name(int state) {
    return state >= 0 && state <= CXI_STATE_REPAIRING ? state_names[state] : "";
}

const char *cxi_inject_kind_name(int kind) {
    return kind >= 0 && kind < CX_INJECT_KIND_COUNT ? inject_kind_names[kind] : "";
}

static double op_of(int32_t q) { return (double)(CXI_Q_FULL - q) / CXI_Q_FULL; }

double cxi_sim_asset_op(const cx_sim *sim, uint32_t a) {
    return a < sim->sc->nassets ? op_of(sim->as[a].q) : 1.0;
}

int cxi_sim_link_state(const cx_sim *sim, uint32_t link) {
    return link < sim->sc->nlinks ? sim->ls[sim->link_pos[link]].state : CXI_LINK_INACTIVE;
}

static int level_of(const cx_sim *sim, int32_t q) {
    if (q == 0) return CXI_LEVEL_WORKING;
    double op = op_of(q);
    if (op <= sim->sc->params.failed_below) return CXI_LEVEL_FAILED;
    if (op < sim->sc->params.degraded_below) return CXI_LEVEL_DEGRADED;
    return CXI_LEVEL_WORKING;
}

static int32_t permyriad(double x) {
    if (!(x > 0)) return 0;
    if (x >= 1) return CXI_Q_FULL;
    return (int32_t)floor(x * CXI_Q_FULL + 0.5);
}

/* CSR adjacency: for each key (supplier or dependent) the links in file order, and the asset at
 * the other end (kept beside the link so loop searches touch one array less). O(assets + links). */
static cx_status build_csr(const cx_scenario *sc, cxi_arena *arena, int by_dependent,
                           uint32_t **start_out, uint32_t **list_out, uint32_t **other_out) {
    uint32_t *start = cxi_arena_calloc(arena, (size_t)sc->nassets + 1, sizeof *start);
    uint32_t *list = cxi_arena_calloc(arena, sc->nlinks ? sc->nlinks : 1, sizeof *list);
    uint32_t *other = cxi_arena_calloc(arena, sc->nlinks ? sc->nlinks : 1, sizeof *other);
    uint32_t *fill = malloc(((size_t)sc->nassets + 1) * sizeof *fill);
    if (!start || !list || !other || !fill) {
        free(fill);
        return CX_ENOMEM;
    }
    for (uint32_t l = 0; l < sc->nlinks; l++)
        start[(by_dependent ? sc->links[l].dependent : sc->links[l].supplier) + 1]++;
    for (uint32_t a = 0; a < sc->nassets; a++) start[a + 1] += start[a];
    memcpy(fill, start, ((size_t)sc->nassets + 1) * sizeof *fill);
    for (uint32_t l = 0; l < sc->nlinks; l++) {
        uint32_t pos = fill[by_dependent ? sc->links[l].dependent : sc->links[l].supplier]++;
        list[pos] = l;
        other[pos] = by_dependent ? sc->links[l].supplier : sc->links[l].dependent;
    }
    free(fill);
    *start_out = start;
    *list_out = list;
    *other_out = other;
    return CX_OK;
}

/* Strongly connected components (iterative Tarjan, so a 100,000-asset chain cannot overflow the
 * stack). A cause chain can only lead back to an asset inside its own component, which bounds the
 * cycle check of refresh() by the component's size. */
static cx_status build_scc(const cx_scenario *sc, cxi_arena *arena, cxi_infra_prep *pr) {
    uint32_t n = sc->nassets;
    const uint32_t NONE = UINT32_MAX;
    pr->scc = cxi_arena_calloc(arena, n ? n : 1, sizeof *pr->scc);
    uint32_t *index = malloc((size_t)(n ? n : 1) * sizeof *index);
    uint32_t *low = malloc((size_t)(n ? n : 1) * sizeof *low);
    uint32_t *stack = malloc((size_t)(n ? n : 1) * sizeof *stack);
    uint32_t *call = malloc((size_t)(n ? n : 1) * sizeof *call);
    uint32_t *edge = malloc((size_t)(n ? n : 1) * sizeof *edge);
    uint8_t *on = calloc(n ? n : 1, 1);
    cx_status st = CX_OK;
    if (!pr->scc || !index || !low || !stack || !call || !edge || !on) {
        st = CX_ENOMEM;
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) index[i] = NONE;
    uint32_t next = 0, nstack = 0, ncomp = 0;
    for (uint32_t root = 0; root < n; root++) {
        if (index[root] != NONE) continue;
        uint32_t depth = 0;
        call[depth] = root;
        edge[depth++] = pr->out_start[root];
        index[root] = low[root] = next++;
        stack[nstack++] = root;
        on[root] = 1;
        while (depth > 0) {
            uint32_t u = call[depth - 1];
            if (edge[depth - 1] < pr->out_start[u + 1]) {
                uint32_t w = pr->out_dep[edge[depth - 1]++];
                if (index[w] == NONE) {
                    index[w] = low[w] = next++;
                    stack[nstack++] = w;
                    on[w] = 1;
                    call[depth] = w;
                    edge[depth++] = pr->out_start[w];
                } else if (on[w] && index[w] < low[u]) {
                    low[u] = index[w];
                }
                continue;
            }
            depth--;
            if (low[u] == index[u]) {
                uint32_t x;
                do {
                    x = stack[--nstack];
                    on[x] = 0;
                    pr->scc[x] = ncomp;
                } while (x != u);
                ncomp++;
            }
            if (depth > 0 && low[u] < low[call[depth - 1]]) low[call[depth - 1]] = low[u];
        }
    }
done:
    free(index);
    free(low);
    free(stack);
    free(call);
    free(edge);
    free(on);
    return st;
}

/* The smallest q at which op_of(q) < threshold (CXI_Q_FULL + 1 when none): op_of is monotone, so
 * comparing q with it decides exactly what comparing the operability with the threshold did. */
static int32_t qmin_of(double threshold) {
    double x = (1 - threshold) * CXI_Q_FULL; /* the boundary, up to rounding: then step to it */
    int32_t q = !(x > 0) ? 0 : x > CXI_Q_FULL ? CXI_Q_FULL + 1 : (int32_t)x;
    while (q > 0 && op_of(q - 1) < threshold) q--;
    while (q <= CXI_Q_FULL && !(op_of(q) < threshold)) q++;
    return q;
}

/* A fixed distribution draws no random number, so its duration can be computed once (by the
 * same function, which does not touch the generator then); -1 when it must be sampled. */
static int32_t fixed_seconds(const cxi_dist *d) {
    if (d->kind != CXI_DIST_FIXED) return -1;
    cx_time t = cxi_sim_duration(cxi_dist_sample(d, NULL));
    return t >= 0 && t <= INT32_MAX ? (int32_t)t : -1;
}

/* Duration of a link lag: the edge's precomputed value, or a sample (reads the cx_link). */
static cx_time lag(int32_t fixed, const cxi_dist *d, gsl_rng *r) {
    return fixed >= 0 ? fixed : cxi_sim_duration(cxi_dist_sample(d, r));
}

static cx_status prep_build(const cx_scenario *sc, cxi_arena *arena, cxi_infra_prep *pr) {
    size_t nl = sc->nlinks ? sc->nlinks : 1;
    cx_status st;
    memset(pr, 0, sizeof *pr);
    if ((st = build_csr(sc, arena, 1, &pr->in_start, &pr->in_links, &pr->in_sup)) != CX_OK)
        return st;
    if ((st = build_csr(sc, arena, 0, &pr->out_start, &pr->out_links, &pr->out_dep)) != CX_OK)
        return st;
    pr->link_pos = cxi_arena_calloc(arena, nl, sizeof *pr->link_pos);
    pr->ie = cxi_arena_calloc(arena, nl, sizeof *pr->ie);
    pr->oe = cxi_arena_calloc(arena, nl, sizeof *pr->oe);
    pr->p_dep = cxi_arena_calloc(arena, nl, sizeof *pr->p_dep);
    if (!pr->link_pos || !pr->ie || !pr->oe || !pr->p_dep) return CX_ENOMEM;
    for (uint32_t p = 0; p < sc->nlinks; p++) {
        const cx_link *L = &sc->links[pr->in_links[p]];
        pr->link_pos[pr->in_links[p]] = p;
        pr->ie[p].w = L->strength;
        pr->ie[p].sup = L->supplier;
        pr->p_dep[p] = L->dependent;
    }
    for (uint32_t e = 0; e < sc->nlinks; e++) {
        const cx_link *L = &sc->links[pr->out_links[e]];
        pr->oe[e].qmin = qmin_of(L->threshold);
        pr->oe[e].delay = fixed_seconds(&L->delay);
        pr->oe[e].recovery = fixed_seconds(&L->recovery);
        pr->oe[e].link = pr->out_links[e];
        pr->out_links[e] = pr->link_pos[pr->out_links[e]];
        pr->oe[e].p = pr->out_links[e];
        pr->oe[e].dep = pr->out_dep[e];
    }
    return build_scc(sc, arena, pr);
}

/* The scenario's shared prep, built by the first caller; the others wait for it (a few ms at
 * 100,000 assets, once per scenario). Only loaded scenarios come here: nothing else writes
 * their arena after loading, so the builder may allocate in it. */
static cx_status shared_prep(const cx_scenario *csc, const cxi_infra_prep **out) {
    cx_scenario *sc = (cx_scenario *)csc; /* only the cache fields are written */
    for (;;) {
        int state = atomic_load_explicit(&sc->infra_prep_state, memory_order_acquire);
        if (state == 2) break;
        int expect = 0;
        if (state == 0 && atomic_compare_exchange_strong_explicit(&sc->infra_prep_state, &expect,
                                                                  1, memory_order_acq_rel,
                                                                  memory_order_acquire)) {
            cxi_infra_prep *pr = cxi_arena_alloc(&sc->arena, sizeof *pr);
            cx_status st = pr ? prep_build(sc, &sc->arena, pr) : CX_ENOMEM;
            if (st != CX_OK) {
                atomic_store_explicit(&sc->infra_prep_state, 0, memory_order_release);
                return st;
            }
            sc->infra_prep = pr;
            atomic_store_explicit(&sc->infra_prep_state, 2, memory_order_release);
            break;
        }
        sched_yield();
    }
    *out = sc->infra_prep;
    return CX_OK;
}

/* Initial states: cx_sim_create and cx_sim_reset must agree on them, so both use these. */
static void asset_init(cxi_asset_state *s) {
    memset(s, 0, sizeof *s);
    s->cause_sup = -1;
    s->cause_inj = -1;
    s->repair_ev = CXI_EVENT_NONE;
}

static void link_init(cxi_link_state *L) {
    memset(L, 0, sizeof *L);
    L->ev = CXI_EVENT_NONE;
    L->excl = -1;
    L->flip_t = -1;
}

static void order_init(cxi_asset_order *o, uint32_t a) {
    o->ord = a;
    o->qver = 0;
    o->nout = 0;
}

/* Allocates the per-asset and per-link arrays in sim->keep and puts them in their initial state. */
static cx_status infra_alloc(cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    size_t na = sc->nassets ? sc->nassets : 1, nl = sc->nlinks ? sc->nlinks : 1;
    size_t nodes = (size_t)(sc->nregions ? sc->nregions : 1) * CX_SECTOR_COUNT;
    cxi_arena *k = &sim->keep;
    cx_status st;
    sim->as = cxi_arena_alloc(k, na * sizeof *sim->as);
    sim->upd = cxi_arena_calloc(k, na, sizeof *sim->upd);
    sim->qv = cxi_arena_calloc(k, na, sizeof *sim->qv);
    sim->ls = cxi_arena_alloc(k, nl * sizeof *sim->ls);
    sim->ao = cxi_arena_alloc(k, na * sizeof *sim->ao);
    sim->pair_nassets = cxi_arena_calloc(k, nodes, sizeof *sim->pair_nassets);
    /* scratch: read only where written first (mark: compared with a stamp that only grows) */
    sim->mark = cxi_arena_calloc(k, na, sizeof *sim->mark);
    sim->stk = cxi_arena_alloc(k, na * sizeof *sim->stk);
    sim->fset = cxi_arena_alloc(k, na * sizeof *sim->fset);
    sim->bset = cxi_arena_alloc(k, na * sizeof *sim->bset);
    sim->pool = cxi_arena_alloc(k, na * sizeof *sim->pool);
    sim->m.dirty = cxi_arena_alloc(k, na * sizeof *sim->m.dirty);
    sim->tlist = cxi_arena_alloc(k, na * sizeof *sim->tlist);
    if (!sim->as || !sim->upd || !sim->qv || !sim->ls || !sim->ao || !sim->pair_nassets ||
        !sim->mark || !sim->stk || !sim->fset || !sim->bset || !sim->pool || !sim->m.dirty ||
        !sim->tlist)
        return CX_ENOMEM;
    for (uint32_t a = 0; a < sc->nassets; a++) {
        asset_init(&sim->as[a]);
        order_init(&sim->ao[a], a);
        sim->pair_nassets[(size_t)sc->assets[a].region * CX_SECTOR_COUNT + sc->assets[a].sector]++;
    }
    for (uint32_t l = 0; l < sc->nlinks; l++) link_init(&sim->ls[l]);
    const cxi_infra_prep *pr;
    if (sc->asset_slots) {
        if ((st = shared_prep(sc, &pr)) != CX_OK) return st;
    } else {
        cxi_infra_prep *own = cxi_arena_alloc(k, sizeof *own);
        if (!own) return CX_ENOMEM;
        if ((st = prep_build(sc, k, own)) != CX_OK) return st;
        pr = own;
    }
    sim->in_start = pr->in_start;
    sim->in_links = pr->in_links;
    sim->in_sup = pr->in_sup;
    sim->out_start = pr->out_start;
    sim->out_links = pr->out_links;
    sim->out_dep = pr->out_dep;
    sim->link_pos = pr->link_pos;
    sim->ie = pr->ie;
    sim->oe = pr->oe;
    sim->p_dep = pr->p_dep;
    sim->scc = pr->scc;
    sim->infra_ready = 1;
    return CX_OK;
}

cx_status cxi_infra_init(cx_sim *sim) {
    const cx_scenario *sc = sim->sc;
    sim->links_on = sc->params.mode != CX_MODEL_IIM;
    if (!sim->infra_ready) {
        /* a fresh simulation, or a reset after a failed initialisation: start afresh */
        cxi_arena_free(&sim->keep);
        cxi_arena_init(&sim->keep);
        cx_status st = infra_alloc(sim);
        if (st != CX_OK) return st;
    }
    sim->ord_next = sc->nassets;
    /* Safety net: the loop rule and the per-instant freeze make every instant settle, so an
     * instant that needs more updates than this is a bug, reported rather than spun on. */
    sim->guard_max = 1000 * ((uint64_t)sc->nassets + sc->nlinks) + 100000;
    return CX_OK;
}

/* What a run can change, and why the touched list (the assets refresh or apply saw) covers it:
 * as[a], qv[a] and ao[a].ord/qver change only in refresh(a) and apply(a); ls[p] only for the
 * incoming links of a refreshed asset and the outgoing links of one whose q changed
 * (notify_links: a link may be left pending past the horizon, its dependent never refreshed).
 * The loop rule changes ao[x].nout and ao[x].ord only for the ends of counted links, and a
 * link counts only while its supplier's q is above 0, which only refresh(supplier) can make
 * it: both ends are touched. upd[] holds updates pending at the end: it is cleared whole. */
void cxi_infra_restore(cx_sim *sim) {
    if (!sim->infra_ready) return;
    for (uint32_t i = 0; i < sim->ntouched; i++) {
        uint32_t a = sim->tlist[i];
        asset_init(&sim->as[a]);
        order_init(&sim->ao[a], a);
        sim->qv[a] = 0;
        for (uint32_t p = sim->in_start[a]; p < sim->in_start[a + 1]; p++) link_init(&sim->ls[p]);
        for (uint32_t e = sim->out_start[a]; e < sim->out_start[a + 1]; e++)
            link_init(&sim->ls[sim->oe[e].p]);
    }
    sim->ntouched = 0;
    memset(sim->upd, 0, (size_t)(sim->sc->nassets ? sim->sc->nassets : 1) * sizeof *sim->upd);
}

void cxi_infra_keep(cx_sim *dst, const cx_sim *src) {
    dst->keep = src->keep;
    dst->infra_ready = src->infra_ready;
    dst->tlist = src->tlist;
    dst->ntouched = src->ntouched;
    dst->as = src->as;
    dst->upd = src->upd;
    dst->qv = src->qv;
    dst->ls = src->ls;
    dst->ao = src->ao;
    dst->pair_nassets = src->pair_nassets;
    dst->mark = src->mark;
    dst->stk = src->stk;
    dst->fset = src->fset;
    dst->bset = src->bset;
    dst->pool = src->pool;
    dst->stamp = src->stamp; /* mark[] holds older stamps: the stamp must only grow */
    dst->m.dirty = src->m.dirty;
    dst->in_start = src->in_start;
    dst->in_links = src->in_links;
    dst->in_sup = src->in_sup;
    dst->out_start = src->out_start;
    dst->out_links = src->out_links;
    dst->out_dep = src->out_dep;
    dst->link_pos = src->link_pos;
    dst->ie = src->ie;
    dst->oe = src->oe;
    dst->p_dep = src->p_dep;
    dst->scc = src->scc;
}

static int counted(const cx_sim *sim, uint32_t p) { return sim->ls[p].in; }

/* A link may enter or leave the counted set at most this many times per instant; then its status
 * is frozen until the next instant. C then stops changing, and updates over a fixed DAG always
 * settle: this is what guarantees that every instant ends. */
#define FLIPS_PER_INSTANT 4

static int frozen(const cx_sim *sim, uint32_t p, cx_time t) {
    return sim->ls[p].flip_t == t && sim->ls[p].flips >= FLIPS_PER_INSTANT;
}

static void flip(cx_sim *sim, uint32_t p, cx_time t) {
    cxi_link_state *L = &sim->ls[p];
    if (L->flip_t != t) {
        L->flip_t = t;
        L->flips = 0;
    }
    L->flips++;
}

/* Link p stops counting (its contribution fell to 0, or it deactivated); a frozen link stays in
 * C (contributing nothing) until a later instant. */
static void uncount(cx_sim *sim, uint32_t p, cx_time t) {
    sim->ls[p].count = 0;
    if (!sim->ls[p].in || frozen(sim, p, t)) return;
    sim->ls[p].in = 0;
    sim->ao[sim->ie[p].sup].nout--;
    flip(sim, p, t);
}

/* Sorts v[0..n) by ord (shell sort, Knuth's gaps: no allocation, no recursion). */
static void sort_by_ord(const cxi_asset_order *ao, uint32_t *v, uint32_t n) {
    uint32_t gap = 1;
    while (gap < n / 3) gap = 3 * gap + 1;
    for (; gap > 0; gap /= 3) {
        for (uint32_t i = gap; i < n; i++) {
            uint32_t x = v[i], j = i;
            while (j >= gap && ao[v[j - gap]].ord > ao[x].ord) {
                v[j] = v[j - gap];
                j -= gap;
            }
            v[j] = x;
        }
    }
}

/* A loop search visits at most this many assets; beyond, the link is treated as closing a loop.
 * Exact for loops of counted links smaller than this, conservative (link not counted) beyond, and
 * it bounds the cost of a check in a large tightly-coupled component. */
#define LOOP_SEARCH_BUDGET 32

/* Would counting link s -> a close a loop of counted links (does s already draw on a's outage)?
 * If not, the topological order is updated so that ord[s] < ord[a]
 * (Pearce & Kelly 2006: only nodes between ord[a] and ord[s] are searched and renumbered). Loops
 * only exist inside a strongly connected component, so links between components need nothing. */
static int closes_loop(cx_sim *sim, uint32_t s, uint32_t a) {
    const cx_scenario *sc = sim->sc;
    uint32_t comp = sim->scc[a];
    if (sim->scc[s] != comp) return 0;
    uint64_t lb = sim->ao[a].ord, ub = sim->ao[s].ord;
    if (ub < lb) return 0;
    if (++sim->stamp == 0) { /* wrapped: clear the marks once every 2^32 searches */
        memset(sim->mark, 0, (size_t)sc->nassets * sizeof *sim->mark);
        sim->stamp = 1;
    }
    uint32_t stamp = sim->stamp, sp = 0, nf = 0, nb = 0;
    /* forward from a through counted links, among nodes ordered before s */
    sim->stk[sp++] = a;
    sim->mark[a] = stamp;
    while (sp > 0) {
        uint32_t u = sim->stk[--sp];
        if (nf >= LOOP_SEARCH_BUDGET) return 1;
        sim->fset[nf++] = u;
        for (uint32_t e = sim->out_start[u]; e < sim->out_start[u + 1]; e++) {
            uint32_t w = sim->oe[e].dep;
            if (!counted(sim, sim->oe[e].p) || sim->scc[w] != comp) continue;
            if (w == s) return 1;
            if (sim->mark[w] != stamp && sim->ao[w].ord < ub) {
                sim->mark[w] = stamp;
                sim->stk[sp++] = w;
            }
        }
    }
    /* backward from s, among nodes ordered after a */
    sim->stk[sp++] = s;
    sim->mark[s] = stamp;
    while (sp > 0) {
        uint32_t u = sim->stk[--sp];
        if (nf + nb >= LOOP_SEARCH_BUDGET) return 1;
        sim->bset[nb++] = u;
        for (uint32_t e = sim->in_start[u]; e < sim->in_start[u + 1]; e++) {
            uint32_t w = sim->ie[e].sup;
            if (!counted(sim, e) || sim->scc[w] != comp) continue;
            if (sim->mark[w] != stamp && sim->ao[w].ord > lb) {
                sim->mark[w] = stamp;
                sim->stk[sp++] = w;
            }
        }
    }
    /* renumber: the backward set before the forward set, reusing their order numbers */
    sort_by_ord(sim->ao, sim->fset, nf);
    sort_by_ord(sim->ao, sim->bset, nb);
    uint32_t i = 0, j = 0, k = 0;
    while (i < nb || j < nf) {
        if (j >= nf || (i < nb && sim->ao[sim->bset[i]].ord < sim->ao[sim->fset[j]].ord))
            sim->pool[k++] = sim->ao[sim->bset[i++]].ord;
        else
            sim->pool[k++] = sim->ao[sim->fset[j++]].ord;
    }
    for (i = 0; i < nb; i++) sim->ao[sim->bset[i]].ord = sim->pool[i];
    for (j = 0; j < nf; j++) sim->ao[sim->fset[j]].ord = sim->pool[nb + j];
    return 0;
}

static cx_status schedule_update(cx_sim *sim, cx_time t, uint32_t a) {
    if (sim->upd[a]) return CX_OK;
    sim->upd[a] = 1;
    cxi_payload p = {sim->ev_update, a, 0, 0, 0};
    return cxi_sim_schedule_in(sim, t, 0, &p, NULL);
}

/* Supplier a's q changed: move each outgoing link through its life cycle and pass the change on
 * over the links that are active. */
static cx_status notify_links(cx_sim *sim, cx_time t, uint32_t a) {
    const cx_scenario *sc = sim->sc;
    int32_t q = sim->as[a].q;
    cx_status st = CX_OK;
    for (uint32_t e = sim->out_start[a]; e < sim->out_start[a + 1] && st == CX_OK; e++) {
        const cxi_out_edge *E = &sim->oe[e];
        uint32_t l = E->p, dep = E->dep;
        cxi_link_state *L = &sim->ls[l];
        int below = q >= E->qmin;
        switch (L->state) {
        case CXI_LINK_INACTIVE:
            if (below) {
                cx_time d = lag(E->delay, &sc->links[E->link].delay, sim->rng_delay);
                if (d == 0) {
                    L->state = CXI_LINK_ACTIVE;
                    st = schedule_update(sim, t, dep);
                } else {
                    L->state = CXI_LINK_PENDING_ON;
                    cxi_payload p = {sim->ev_link_on, l, 0, 0, 0};
                    st = cxi_sim_schedule_in(sim, t, d, &p, &L->ev);
                }
            }
            break;
        case CXI_LINK_PENDING_ON:
            if (!below) {
                cxi_kernel_cancel(sim->k, L->ev);
                L->ev = CXI_EVENT_NONE;
                L->state = CXI_LINK_INACTIVE;
            }
            break;
        case CXI_LINK_ACTIVE:
            if (below) { /* the change passes on */
                st = schedule_update(sim, t, dep);
                break;
            }
            cx_time r =
                lag(E->recovery, &sc->links[E->link].recovery, sim->rng_recovery);
            if (r == 0) {
                uncount(sim, l, t);
                L->state = CXI_LINK_INACTIVE;
                st = schedule_update(sim, t, dep);
            } else { /* count stays: the held value, so the dependent need not re-evaluate */
                L->state = CXI_LINK_PENDING_OFF;
                cxi_payload p = {sim->ev_link_off, l, 0, 0, 0};
                st = cxi_sim_schedule_in(sim, t, r, &p, &L->ev);
            }
            break;
        case CXI_LINK_PENDING_OFF:
            if (below) {
                cxi_kernel_cancel(sim->k, L->ev);
                L->ev = CXI_EVENT_NONE;
                L->state = CXI_LINK_ACTIVE;
                st = schedule_update(sim, t, dep);
            }
            break;
        default: break;
        }
    }
    return st;
}

/* Only the depth of a changed: the dependents whose cause is a re-evaluate theirs. */
static cx_status notify_depth(cx_sim *sim, cx_time t, uint32_t a) {
    cx_status st = CX_OK;
    for (uint32_t e = sim->out_start[a]; e < sim->out_start[a + 1] && st == CX_OK; e++) {
        uint32_t d = sim->oe[e].dep;
        if (sim->as[d].cause_sup == (int32_t)a) st = schedule_update(sim, t, d);
    }
    return st;
}

/* Recomputes q of asset a from its direct damage and its passing incoming links, emits a record
 * when q or the displayed state changed, and tells the dependents. */
static cx_status refresh(cx_sim *sim, cx_time t, uint32_t a) {
    const cx_scenario *sc = sim->sc;
    cxi_asset_state *s = &sim->as[a];
    cxi_infra_touch(sim, a);
    int64_t sum = s->d;
    int32_t best = s->d, top = -1;
    if (sim->links_on) {
        if (sim->ao[a].nout == 0) sim->ao[a].ord = ++sim->ord_next;
        /* per-link state is indexed by the position l in this CSR: a sequential walk */
        for (uint32_t l = sim->in_start[a]; l < sim->in_start[a + 1]; l++) {
            uint32_t sup = sim->ie[l].sup;
            cxi_link_state *L = &sim->ls[l];
            int32_t c;
            if (L->state == CXI_LINK_ACTIVE) {
                c = (int32_t)floor(sim->ie[l].w * sim->qv[sup] + 0.5);
            } else if (L->state == CXI_LINK_PENDING_OFF) {
                c = L->in ? L->count : 0; /* held through the recovery lag */
            } else {
                if (L->in) uncount(sim, l, t); /* left frozen in C earlier */
                continue;
            }
            if (c <= 0) {
                uncount(sim, l, t);
                continue;
            }
            if (!L->in) {
                /* loop rule: a link starts to count only if the supplier does not already
                 * draw, through counted links, on a's own outage; so a repaired asset in a
                 * loop restarts (black start) instead of locking in, and no outage is counted
                 * twice around a loop. An excluded link stays excluded for the rest of the
                 * instant and until its supplier's q changes: until then the supplier's outage
                 * still stems from a, even when the links that carried it have recovered
                 * meanwhile (else a failure wave could chase the recovery wave around a loop). */
                uint64_t ver = sim->ao[sup].qver;
                if (frozen(sim, l, t) || L->excl == t || (L->excl >= 0 && L->excl_ver == ver))
                    continue;
                if (closes_loop(sim, sup, a)) {
                    L->excl = t;
                    L->excl_ver = ver;
                    continue;
                }
                L->in = 1;
                sim->ao[sup].nout++;
                flip(sim, l, t);
            }
            L->count = c;
            sum += c;
            if (c > best) {
                best = c;
                top = (int32_t)sup;
            }
        }
    }
    int32_t q = sum > CXI_Q_FULL ? CXI_Q_FULL : (int32_t)sum;
    int32_t cause_sup = -1, depth = 0;
    if (q > 0 && top >= 0) {
        cause_sup = top;
        depth = sim->as[top].depth < INT32_MAX - 1 ? sim->as[top].depth + 1 : INT32_MAX - 1;
    }
    int level = level_of(sim, q);
    int state = s->d > 0 && s->repair_pending ? CXI_STATE_REPAIRING : level;
    int q_changed = q != s->q, state_changed = state != s->state;
    int cause_changed = cause_sup != s->cause_sup || depth != s->depth;
    int depth_changed = depth != s->depth;
    if (q_changed) {
        cxi_metrics_on_q(sim, a, t, s->q, q);
        sim->ao[a].qver++;
    }
    if (level != s->level) cxi_metrics_on_level(sim, s->level, level);
    s->q = q;
    sim->qv[a] = q;
    s->level = (uint8_t)level;
    s->state = (uint8_t)state;
    s->cause_sup = cause_sup;
    s->depth = depth;
    if (!q_changed && !state_changed && !cause_changed) return CX_OK;
    cxi_metrics_mark(sim, a);
    cx_status st = CX_OK;
    if (q_changed || state_changed) {
        const cx_asset *A = &sc->assets[a];
        const char *cause = "";
        int xb = 0;
        if (q > 0 && cause_sup >= 0) {
            cause = sc->assets[cause_sup].id;
            xb = sc->assets[cause_sup].region != A->region;
        } else if (q > 0 && s->cause_inj >= 0) {
            cause = sc->injects[s->cause_inj].id;
        }
        cx_record r = {t, CX_REC_ASSET, A->id, sc->regions[A->region].code,
                       cxi_sector_name(A->sector), state_names[state], op_of(q), cause, xb, depth,
                       ""};
        st = cxi_sim_emit(sim, &r);
    }
    if (st != CX_OK || !sim->links_on) return st;
    if (q_changed) return notify_links(sim, t, a);
    return depth_changed ? notify_depth(sim, t, a) : CX_OK;
}

cx_status cxi_infra_on_update(cx_sim *sim, cx_time t, uint32_t asset) {
    if (asset >= sim->sc->nassets) return CX_OK;
    sim->upd[asset] = 0;
    if (++sim->guard_n > sim->guard_max) {
        char when[32];
        cxi_offset_format(t, when, sizeof when);
        return cxi_sim_fail(sim, CX_ERUNTIME,
                            "internal error: propagation did not settle at %s after %llu updates "
                            "(asset '%s' still changing); please report it with the scenario",
                            when, (unsigned long long)sim->guard_n, sim->sc->assets[asset].id);
    }
    return refresh(sim, t, asset);
}

cx_status cxi_infra_on_repair(cx_sim *sim, cx_time t, uint32_t asset) {
    if (asset >= sim->sc->nassets) return CX_OK;
    cxi_asset_state *s = &sim->as[asset];
    s->repair_ev = CXI_EVENT_NONE;
    s->repair_pending = 0;
    s->d = 0;
    return refresh(sim, t, asset);
}

cx_status cxi_infra_on_link(cx_sim *sim, cx_time t, uint32_t link, int on) {
    if (link >= sim->sc->nlinks) return CX_OK;
    uint8_t expect = on ? CXI_LINK_PENDING_ON : CXI_LINK_PENDING_OFF;
    cxi_link_state *L = &sim->ls[link];
    if (L->state != expect) return CX_OK; /* superseded (cancel normally prevents this) */
    L->ev = CXI_EVENT_NONE;
    uncount(sim, link, t);
    L->state = on ? CXI_LINK_ACTIVE : CXI_LINK_INACTIVE;
    return schedule_update(sim, t, sim->p_dep[link]);
}

static void cancel_repair(cx_sim *sim, cxi_asset_state *s) {
    cxi_kernel_cancel(sim->k, s->repair_ev);
    s->repair_ev = CXI_EVENT_NONE;
    s->repair_pending = 0;
}

static cx_status apply(cx_sim *sim, cx_time t, uint32_t a, uint32_t inject) {
    const cx_inject *j = &sim->sc->injects[inject];
    cxi_asset_state *s = &sim->as[a];
    cxi_infra_touch(sim, a);
    switch (j->kind) {
    case CX_INJECT_CYBER:  /* repair counts from detection (hybrid.c) */
    case CX_INJECT_HAZARD: /* a targeted hazard damages like a damage inject */
    case CX_INJECT_DAMAGE: {
        if (s->disabled) return CX_OK; /* only a restore brings a disabled asset back */
        int32_t m = permyriad(j->magnitude);
        if (m > 0 && m >= s->d) {
            s->d = m;
            s->cause_inj = (int32_t)inject;
        }
        if (s->d > 0) {
            cancel_repair(sim, s);
            s->repair_pending = 1;
            cx_time r = cxi_sim_duration(cxi_dist_sample(&sim->sc->assets[a].repair, sim->rng_repair));
            if (j->kind == CX_INJECT_CYBER) r = cxi_hybrid_repair_after(sim, inject, t, r);
            cxi_payload p = {sim->ev_repair, a, 0, 0, 0};
            s->repair_due = r > CX_TIME_NEVER - t ? CX_TIME_NEVER : t + r;
            cx_status st = cxi_sim_schedule_in(sim, t, r, &p, &s->repair_ev);
            if (st != CX_OK) return st;
        }
        break;
    }
    case CX_INJECT_DISABLE:
        cancel_repair(sim, s);
        s->d = CXI_Q_FULL;
        s->cause_inj = (int32_t)inject;
        s->disabled = 1;
        break;
    case CX_INJECT_RESTORE:
        cancel_repair(sim, s);
        s->d = 0;
        s->disabled = 0;
        break;
    default: return CX_OK;
    }
    return refresh(sim, t, a);
}

/* Repair capacities and repair_priority decisions: pending repairs of the matching assets finish
 * after factor x their remaining time (the due time is kept with each pending repair). */
cx_status cxi_infra_speed_repairs(cx_sim *sim, cx_time t, int32_t region, int sector, int32_t asset,
                                  double factor, uint32_t *n) {
    const cx_scenario *sc = sim->sc;
    cx_status st = CX_OK;
    if (n) *n = 0;
    if (!(factor > 0) || factor > 1) return CX_OK;
    for (uint32_t a = 0; a < sc->nassets && st == CX_OK; a++) {
        cxi_asset_state *s = &sim->as[a];
        if ((asset >= 0 && a != (uint32_t)asset) ||
            (region >= 0 && sc->assets[a].region != (uint32_t)region) ||
            (sector >= 0 && sc->assets[a].sector != sector) || !s->repair_pending || s->disabled ||
            s->repair_due == CX_TIME_NEVER || s->repair_due <= t)
            continue;
        cx_time left = cxi_sim_duration((double)(s->repair_due - t) * factor);
        cxi_kernel_cancel(sim->k, s->repair_ev);
        s->repair_ev = CXI_EVENT_NONE;
        s->repair_due = t + left;
        cxi_payload p = {sim->ev_repair, a, 0, 0, 0};
        st = cxi_sim_schedule_in(sim, t, left, &p, &s->repair_ev);
        if (n) (*n)++;
    }
    return st;
}

cx_status cxi_infra_on_inject(cx_sim *sim, cx_time t, uint32_t inject) {
    return cxi_infra_fire_inject(sim, t, inject, "");
}

cx_status cxi_infra_fire_inject(cx_sim *sim, cx_time t, uint32_t inject, const char *cause) {
    const cx_scenario *sc = sim->sc;
    if (inject >= sc->ninjects) return CX_OK;
    const cx_inject *j = &sc->injects[inject];
    const char *region = "", *sector = "";
    switch (j->target_kind) {
    case CX_TARGET_ASSET:
        region = sc->regions[sc->assets[j->asset].region].code;
        sector = cxi_sector_name(sc->assets[j->asset].sector);
        break;
    case CX_TARGET_SECTOR:
        if (j->region >= 0) region = sc->regions[j->region].code;
        sector = cxi_sector_name(j->sector);
        break;
    case CX_TARGET_RADIUS: sector = cxi_sector_name(j->sector); break;
    default: break;
    }
    if (j->kind >= CX_INJECT_HAZARD && j->at_region >= 0 && (uint32_t)j->at_region < sc->nregions)
        region = sc->regions[j->at_region].code;
    cx_record r = {t, CX_REC_INJECT, j->id, region, sector, cxi_inject_kind_name(j->kind),
                   j->magnitude, cause ? cause : "", 0, 0, j->message ? j->message : ""};
    cx_status st = cxi_sim_emit(sim, &r);
    if (st != CX_OK || j->kind == CX_INJECT_MESSAGE) return st;
    switch (j->target_kind) {
    case CX_TARGET_ASSET: return apply(sim, t, j->asset, inject);
    case CX_TARGET_SECTOR:
        for (uint32_t a = 0; a < sc->nassets && st == CX_OK; a++) {
            const cx_asset *A = &sc->assets[a];
            if ((j->region < 0 || A->region == (uint32_t)j->region) &&
                (j->sector < 0 || A->sector == j->sector))
                st = apply(sim, t, a, inject);
        }
        cxi_sim_iim_inject(sim, j);
        return st;
    case CX_TARGET_RADIUS:
        for (uint32_t a = 0; a < sc->nassets && st == CX_OK; a++) {
            const cx_asset *A = &sc->assets[a];
            if ((j->sector < 0 || A->sector == j->sector) &&
                cxi_geo_km(j->lat, j->lon, A->lat, A->lon) <= j->radius_km)
                st = apply(sim, t, a, inject);
        }
        return st;
    default: return CX_OK;
    }
}
