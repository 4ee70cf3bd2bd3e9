/* kernel.c — the event loop (clock + handlers) and its pending-event queue, a ladder queue.
 * Invariant: events pop in (time, insertion seq) order and now never decreases. Events with equal
 * times always share one container (run, bucket or top), and every container keeps insertion order. */
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_api.h"

/* The queue is a ladder queue (Tang, Goh & Thng 2005) on integer times. Events live in a node pool;
 * a node is in exactly one of
 *  - top: an unsorted array of events at or after the end of rung 0 (pushing is an append);
 *  - a rung: K buckets of 2^w ticks from S, each a LIFO list (pushing is two stores), with a cursor
 *    `cur`; rung d+1 spans exactly bucket `cur` of rung d;
 *  - the run: the sorted list of bucket `cur` of the innermost rung, popped from its head.
 * When the run is empty the innermost cursor moves to the next non-empty bucket, which is reversed
 * and sorted into the run (or, holding over RUN_MAX events, spread over a new finer rung); a used-up
 * rung is dropped; when no rung is left, rung 0 is rebuilt from top with a few buckets per event
 * over top's keys, and RUNG0_REACH times as many buckets of that width (up to 1 MiB of heads),
 * so that rung 0 reaches far past its keys: a push to top is a branch the predictor gets wrong
 * (about 1 push in 8 in a hold model when rung 0 ended at the last key). Each event is thus moved
 * about once and buckets adapt to any time scale.
 * A run that grows past RUN_MAX through pushes is spread over a finer rung too, so bursts of
 * events close in time never make insertion quadratic. Queue and loop share this file so the hot
 * path (pop, dispatch, schedule, push) has no calls between layers. push first tests a window of
 * keys kept up to date when rung 0's cursor moves (one compare for "a later bucket of rung 0").
 * Cancelled events stay where they are, flagged, and are dropped when they reach the front, or by a
 * compaction once they outnumber live ones. A push before the innermost cursor (possible only after
 * a pop_until looked ahead past the caller's clock) moves everything back to top: O(n), rare. */

#define SIGN_BIT UINT64_C(0x8000000000000000)
#define NIL UINT32_C(0xFFFFFFFF)
#define MAX_NODES UINT32_C(0xFFFFFFF0)
#define ST_LIVE 1u
#define ST_CANCELLED 2u
#define MIN_BUCKETS 16u
#define MAX_BUCKETS (UINT32_C(1) << 21)
#define BUCKETS_PER_EVENT 4u /* at the front of a hold model this leaves about 2 events per bucket */
#define RUN_MAX 48u /* a longer run is spread over a finer rung */
#define RANK_MAX 6u /* buckets up to this size are sorted by rank (branch-free) */
#define RUNG0_REACH 8u /* rung 0 has this many times the buckets its keys need (a power of 2) */
#define REACH_MAX_BUCKETS (UINT32_C(1) << 18) /* ... while that stays within 1 MiB of heads */
#define MAX_RUNGS 64 /* each rung is at least 2x finer than its parent: 64 suffice for 64-bit keys */

#if defined(__GNUC__)
#define COLD __attribute__((noinline, cold))
#define NOINLINE __attribute__((noinline))
#define HOT_INLINE inline __attribute__((always_inline))
#define LIKELY(x) __builtin_expect(!!(x), 1)
/* The hot functions start on a cache line: otherwise the hold benchmark moved by up to 20 % with
 * the size of unrelated code linked before them (branch prediction and fetch depend on layout). */
#define HOT_ALIGN __attribute__((aligned(64)))
#else
#define COLD
#define NOINLINE
#define HOT_INLINE inline
#define LIKELY(x) (x)
#define HOT_ALIGN
#endif

typedef struct {
    uint64_t key;  /* time with the sign bit flipped, so unsigned order = time order */
    cxi_payload p;
    uint32_t next; /* link in its bucket, the run or the free list */
    uint32_t state; /* ST_LIVE or ST_CANCELLED while stored; stale once released (gen tells) */
    uint32_t gen;  /* bumped on every release, so stale ids stop matching; never 0 */
    uint32_t pad;
} qnode;

typedef struct {
    uint64_t key;
    uint64_t node;
} qent;

typedef struct {
    uint64_t S;     /* start of bucket 0 */
    int w;          /* buckets are 2^w ticks wide */
    uint32_t K, cur;
    uint32_t *head; /* head[i], cur < i < K: LIFO list of bucket i (NIL = empty) */
    uint32_t caphead;
} qrung;

struct cxi_queue {
    qnode *nodes;
    uint32_t nnodes, capnodes, free_head;
    int depth;      /* rungs in use; 0: everything is in top */
    uint32_t run;   /* bucket cur of the innermost rung, sorted by (key, insertion) */
    uint32_t hint;  /* a node of the run after which same-key pushes go, or NIL; valid only while
                     * its gen is hint_gen, so pops need not clear it (a released node's gen moves
                     * on) */
    uint32_t runlen; /* not next to run, so that a pop updates both with plain scalar stores */
    uint32_t hint_gen;
    qent *top;      /* keys beyond rung 0, in insertion order */
    uint32_t ntop, captop;
    uint64_t top_min; /* <= every key in top (cancelled ones included) */
    size_t live, dead; /* pending events; cancelled events still stored */
    /* push's window, kept by set_window and move_window: keys in [lo0, lo0 + span0) go to a bucket
     * of rung 0 after its cursor, keys > last0 to top; without rungs the window is empty and last0
     * the largest key, so that every push takes push_slow */
    uint64_t lo0, span0, last0;
    uint32_t nb0; /* buckets of rung 0 holding keys: fewer than K if it reaches past the largest */
    qrung r[MAX_RUNGS];
};

static inline uint64_t to_key(cx_time t) { return (uint64_t)t ^ SIGN_BIT; }
static inline cx_time from_key(uint64_t k) { return (cx_time)(k ^ SIGN_BIT); }

/* Moves push's window to the buckets after j, the new cursor of rung 0. */
static inline void move_window(cxi_queue *q, uint32_t j) {
    const qrung *g = &q->r[0];
    uint64_t lo = g->S + ((uint64_t)(j + 1) << g->w); /* cannot overflow when j + 1 < nb0 */
    q->lo0 = lo;
    q->span0 = j + 1 < q->nb0 ? q->last0 - lo + 1 : 0;
}

/* Recomputes push's window after the rungs changed. Rung 0 may reach past the largest key; its
 * buckets are then clipped to the one that holds UINT64_MAX (and nothing goes to top). */
static void set_window(cxi_queue *q) {
    const qrung *g = &q->r[0];
    q->lo0 = UINT64_MAX;
    q->span0 = 0;
    q->last0 = UINT64_MAX;
    q->nb0 = 0;
    if (q->depth == 0) return;
    uint64_t lastb = (UINT64_MAX - g->S) >> g->w; /* the bucket of UINT64_MAX */
    if ((uint64_t)g->K - 1 < lastb) {
        q->nb0 = g->K;
        q->last0 = g->S + ((uint64_t)g->K << g->w) - 1;
    } else {
        q->nb0 = (uint32_t)lastb + 1;
    }
    move_window(q, g->cur);
}

cx_status cxi_queue_create(size_t capacity_hint, cxi_queue **out) {
    *out = NULL;
    cxi_queue *q = calloc(1, sizeof *q);
    if (!q) return CX_ENOMEM;
    q->free_head = NIL;
    q->run = q->hint = NIL;
    q->top_min = UINT64_MAX;
    set_window(q);
    if (capacity_hint > 0) {
        if (capacity_hint > MAX_NODES) capacity_hint = MAX_NODES;
        q->nodes = malloc(capacity_hint * sizeof *q->nodes);
        if (!q->nodes) {
            free(q);
            return CX_ENOMEM;
        }
        q->capnodes = (uint32_t)capacity_hint;
    }
    *out = q;
    return CX_OK;
}

void cxi_queue_destroy(cxi_queue *q) {
    if (!q) return;
    free(q->nodes);
    for (int d = 0; d < MAX_RUNGS; d++) free(q->r[d].head);
    free(q->top);
    free(q);
}

void cxi_queue_clear(cxi_queue *q) {
    /* nodes are handed out from index 0 again, each with gen 1 (node_new), as in a new queue;
     * rung heads are filled when a rung is built, so the arrays need no clearing */
    q->nnodes = 0;
    q->free_head = NIL;
    q->depth = 0;
    q->run = q->hint = NIL;
    q->runlen = 0;
    q->hint_gen = 0;
    q->ntop = 0;
    q->top_min = UINT64_MAX;
    q->live = q->dead = 0;
    set_window(q);
}

static inline void node_release(cxi_queue *q, uint32_t s) {
    qnode *n = &q->nodes[s];
    n->gen = n->gen + 1 ? n->gen + 1 : 1; /* a free node needs no state: no id matches its gen */
    n->next = q->free_head;
    q->free_head = s;
}

static COLD int top_grow(cxi_queue *q, size_t need) {
    if (need > MAX_NODES) return -1;
    size_t cap = q->captop ? (size_t)q->captop * 2 : 64;
    while (cap < need) cap *= 2;
    if (cap > MAX_NODES) cap = MAX_NODES;
    qent *t = realloc(q->top, cap * sizeof *t);
    if (!t) return -1;
    q->top = t;
    q->captop = (uint32_t)cap;
    return 0;
}

static COLD int rung_reserve(qrung *g, uint32_t K) {
    if (K <= g->caphead) return 0;
    uint32_t *h = realloc(g->head, (size_t)K * sizeof *h);
    if (!h) return -1;
    g->head = h;
    g->caphead = K;
    return 0;
}

/* A node never used before: the free list was empty. */
static COLD cx_status node_new(cxi_queue *q, uint32_t *out) {
    if (q->nnodes == q->capnodes) {
        if (q->nnodes >= MAX_NODES) return CX_ELIMIT;
        size_t cap = q->capnodes ? (size_t)q->capnodes * 2 : 64;
        if (cap > MAX_NODES) cap = MAX_NODES;
        qnode *nn = realloc(q->nodes, cap * sizeof *nn);
        if (!nn) return CX_ENOMEM;
        q->nodes = nn;
        q->capnodes = (uint32_t)cap;
    }
    *out = q->nnodes++;
    q->nodes[*out].gen = 1;
    return CX_OK;
}

/* Reverses a list: bucket lists are LIFO, the run wants insertion order. */
static inline uint32_t list_reverse(qnode *nd, uint32_t l, uint32_t *count) {
    uint32_t r = NIL, c = 0;
    while (l != NIL) {
        uint32_t nx = nd[l].next;
        nd[l].next = r;
        r = l;
        l = nx;
        c++;
    }
    *count = c;
    return r;
}

/* Stable merge of two sorted lists: on equal keys a's node (earlier) comes first. */
static uint32_t list_merge(qnode *nd, uint32_t a, uint32_t b) {
    uint32_t h = NIL, *tail = &h;
    while (a != NIL && b != NIL) {
        if (nd[b].key < nd[a].key) {
            *tail = b;
            tail = &nd[b].next;
            b = nd[b].next;
        } else {
            *tail = a;
            tail = &nd[a].next;
            a = nd[a].next;
        }
    }
    *tail = a != NIL ? a : b;
    return h;
}

/* Stable sort of a list of n nodes: insertion for short lists (the usual case), merge sort else. */
static uint32_t list_sort(qnode *nd, uint32_t l, uint32_t n) {
    if (n <= 1) return l;
    if (n > 24) {
        uint32_t mid = l;
        for (uint32_t i = 1; i < n / 2; i++) mid = nd[mid].next;
        uint32_t second = nd[mid].next;
        nd[mid].next = NIL;
        uint32_t a = list_sort(nd, l, n / 2), b = list_sort(nd, second, n - n / 2);
        return list_merge(nd, a, b);
    }
    uint32_t sorted = l, tail = l;
    l = nd[l].next;
    nd[tail].next = NIL;
    while (l != NIL) {
        uint32_t x = l;
        l = nd[l].next;
        uint64_t k = nd[x].key;
        if (k >= nd[tail].key) { /* keys often arrive in order: append */
            nd[tail].next = x;
            nd[x].next = NIL;
            tail = x;
        } else if (k < nd[sorted].key) {
            nd[x].next = sorted;
            sorted = x;
        } else {
            uint32_t p = sorted;
            while (nd[nd[p].next].key <= k) p = nd[p].next;
            nd[x].next = nd[p].next;
            nd[p].next = x;
        }
    }
    return sorted;
}

static inline void activate(cxi_queue *q, int d, uint32_t j);

/* Spreads list l (n nodes, equal keys in insertion order) over a new rung d+1 spanning
 * [start, start + 2^w) and makes it the innermost. Returns 0, or -1 when no rung can be made (the
 * caller then keeps the list as one sorted run: slower, still correct). */
static NOINLINE int spawn(cxi_queue *q, int d, uint32_t l, uint32_t n, uint64_t start, int w) {
    if (d + 1 >= MAX_RUNGS || w == 0) return -1;
    int bits = 4;
    while (bits < 22 && (UINT32_C(1) << bits) < n) bits++;
    if (bits > w) bits = w;
    uint32_t K = UINT32_C(1) << bits;
    qrung *g = &q->r[d + 1];
    if (rung_reserve(g, K) != 0) return -1;
    memset(g->head, 0xFF, (size_t)K * sizeof *g->head);
    g->S = start;
    g->w = w - bits;
    g->K = K;
    qnode *nd = q->nodes;
    while (l != NIL) {
        uint32_t s = l;
        l = nd[s].next;
        uint32_t i = (uint32_t)((nd[s].key - start) >> g->w);
        nd[s].next = g->head[i];
        g->head[i] = s;
    }
    q->depth = d + 2;
    q->run = q->hint = NIL;
    q->runlen = 0;
    activate(q, d + 1, 0);
    return 0;
}

/* Makes bucket j of rung d the current one: its list becomes the sorted run. */
static HOT_INLINE void activate(cxi_queue *q, int d, uint32_t j) {
    qrung *g = &q->r[d];
    qnode *nd = q->nodes;
    uint32_t n, l = g->head[j];
    g->head[j] = NIL;
    g->cur = j;
    if (d == 0) move_window(q, j);
    q->hint = NIL;
#if defined(__GNUC__)
    /* the next buckets' first events are needed soon; with 100k events they are not in cache
     * (with few buckets they are, and the prefetches would only cost instructions) */
    if (g->K >= 65536 && j + 2 < g->K) {
        if (g->head[j + 1] != NIL) __builtin_prefetch(&nd[g->head[j + 1]]);
        if (g->head[j + 2] != NIL) __builtin_prefetch(&nd[g->head[j + 2]]);
    }
#endif
    /* one or two events are the usual bucket: no loops for them */
    if (l == NIL || nd[l].next == NIL) {
        q->run = l;
        q->runlen = l != NIL;
        return;
    }
    uint32_t a = nd[l].next; /* older than l */
    if (nd[a].next == NIL) { /* without a branch on the keys: it would mispredict half the time */
        int older_first = nd[a].key <= nd[l].key;
        uint32_t first = older_first ? a : l, second = older_first ? l : a;
        nd[first].next = second;
        nd[second].next = NIL;
        q->run = first;
        q->runlen = 2;
        return;
    }
    /* Small buckets, the usual case, are sorted by rank: each node's place is the number of
     * nodes before it in (key, insertion) order, counted without branches. An insertion sort
     * mispredicts about one branch per node on such keys, which costs more than the counting. */
    uint32_t idx[RANK_MAX], out[RANK_MAX];
    uint64_t key[RANK_MAX];
    uint32_t m = 0, x = l;
    do {
        idx[m] = x;
        key[m] = nd[x].key;
        m++;
        x = nd[x].next;
    } while (x != NIL && m < RANK_MAX);
    if (x == NIL) { /* idx[0] is the newest node: idx[j] is older than idx[i] when j > i */
        for (uint32_t i = 0; i < m; i++) {
            uint32_t r = 0;
            for (uint32_t jj = 0; jj < m; jj++) r += (key[jj] < key[i]) | ((key[jj] == key[i]) & (jj > i));
            out[r] = idx[i];
        }
        for (uint32_t i = 0; i + 1 < m; i++) nd[out[i]].next = out[i + 1];
        nd[out[m - 1]].next = NIL;
        q->run = out[0];
        q->runlen = m;
        return;
    }
    l = list_reverse(nd, l, &n);
    if (n >= RUN_MAX && spawn(q, d, l, n, g->S + ((uint64_t)j << g->w), g->w) == 0) return;
    q->run = list_sort(q->nodes, l, n);
    q->runlen = n;
    q->hint = NIL;
}

/* Inserts node s into the run after every node with a key <= its own. */
static void run_insert(cxi_queue *q, uint32_t s) {
    qnode *nd = q->nodes;
    uint64_t k = nd[s].key;
    q->runlen++;
    if (q->run == NIL || k < nd[q->run].key) {
        nd[s].next = q->run;
        q->run = s;
        q->hint = s;
        q->hint_gen = nd[s].gen;
        return;
    }
    uint32_t h = q->hint;
    uint32_t p = h != NIL && nd[h].gen == q->hint_gen && nd[h].key <= k ? h : q->run;
    while (nd[p].next != NIL && nd[nd[p].next].key <= k) p = nd[p].next;
    nd[s].next = nd[p].next;
    nd[p].next = s;
    q->hint = s;
    q->hint_gen = nd[s].gen;
}

/* Moves every stored event back to top, in an order that keeps equal keys in insertion order
 * (they all sit in one container), and drops the rungs. O(n); only for pushes into the past. */
static COLD int refile_all(cxi_queue *q) {
    if (q->depth == 0) return 0;
    size_t inwin = q->live + q->dead - q->ntop;
    if (q->ntop + inwin > q->captop && top_grow(q, q->ntop + inwin) != 0) return -1;
    memmove(q->top + inwin, q->top, (size_t)q->ntop * sizeof *q->top);
    size_t k = 0;
    qnode *nd = q->nodes;
    for (uint32_t s = q->run; s != NIL; s = nd[s].next) q->top[k++] = (qent){nd[s].key, s};
    for (int d = q->depth - 1; d >= 0; d--) {
        qrung *g = &q->r[d];
        for (uint32_t i = g->cur + 1; i < g->K; i++) {
            uint32_t n;
            uint32_t l = list_reverse(nd, g->head[i], &n);
            g->head[i] = NIL;
            for (uint32_t s = l; s != NIL; s = nd[s].next) q->top[k++] = (qent){nd[s].key, s};
        }
    }
    q->ntop += (uint32_t)k;
    for (size_t j = 0; j < k; j++)
        if (q->top[j].key < q->top_min) q->top_min = q->top[j].key;
    q->depth = 0;
    q->run = q->hint = NIL;
    q->runlen = 0;
    set_window(q);
    return 0;
}

/* Builds rung 0 over top: K ~ 4n buckets spanning top's keys. -1 on OOM (queue unchanged). */
static NOINLINE int build(cxi_queue *q) {
    uint32_t n = q->ntop;
    uint64_t lo = q->top_min, hi = 0;
    for (uint32_t j = 0; j < n; j++)
        if (q->top[j].key > hi) hi = q->top[j].key;
    uint32_t K = MIN_BUCKETS;
    /* with few events, skipping empty buckets costs more than sorting fuller ones */
    uint64_t want = n >= 128 ? (uint64_t)n * BUCKETS_PER_EVENT : n;
    while (K < want && K < MAX_BUCKETS) K *= 2;
    qrung *g = &q->r[0];
    int w = 0;
    uint64_t S = lo;
    for (; w < 63; w++) {
        S = lo & ~((UINT64_C(1) << w) - 1);
        if (((hi - S) >> w) < K) break;
    }
    if (w == 63) S = lo & SIGN_BIT;
    /* reach past the keys (see the top comment); the width stays the one chosen above */
    for (uint32_t f = 1; f < RUNG0_REACH && K < REACH_MAX_BUCKETS; f *= 2) K *= 2;
    if (rung_reserve(g, K) != 0) return -1;
    memset(g->head, 0xFF, (size_t)K * sizeof *g->head);
    qnode *nd = q->nodes;
    for (uint32_t j = 0; j < n; j++) {
#if defined(__GNUC__)
        if (j + 8 < n) __builtin_prefetch(&nd[q->top[j + 8].node], 1);
#endif
        uint32_t s = (uint32_t)q->top[j].node;
        if (nd[s].state != ST_LIVE) {
            node_release(q, s);
            q->dead--;
            continue;
        }
        uint32_t i = (uint32_t)((q->top[j].key - S) >> w);
        nd[s].next = g->head[i];
        g->head[i] = s;
    }
    q->ntop = 0;
    q->top_min = UINT64_MAX;
    g->S = S;
    g->w = w;
    g->K = K;
    q->depth = 1;
    set_window(q);
    activate(q, 0, 0);
    return 0;
}

/* Every push that the fast path below does not take: the run, deeper rungs, growth, the past. */
static NOINLINE cx_status push_slow(cxi_queue *q, uint64_t key, const cxi_payload *p, cxi_event_id *id_out) {
    int dest; /* 0 top, 1 bucket i of rung d, 2 run */
    int d = 0;
    uint32_t i = 0;
route:
    dest = 0;
    if (q->depth > 0) {
        qrung *g = &q->r[0];
        uint64_t x = (key - g->S) >> g->w;
        if (key < g->S) goto past;
        if (x >= g->K) goto routed; /* beyond rung 0: top */
        for (d = 0;;) {
            if (LIKELY(x > g->cur)) {
                i = (uint32_t)x;
                dest = 1;
                break;
            }
            if (x < g->cur) goto past;
            if (d + 1 == q->depth) {
                dest = 2;
                break;
            }
            g = &q->r[++d];
            x = (key - g->S) >> g->w; /* key lies within this rung: its parent's current bucket */
        }
        if (dest == 2 && q->runlen >= RUN_MAX) {
            /* spread the run over a finer rung, then file the new event in it */
            qrung *in = &q->r[q->depth - 1];
            if (spawn(q, q->depth - 1, q->run, q->runlen, in->S + ((uint64_t)in->cur << in->w), in->w) == 0)
                goto route;
            /* no finer rung possible (all keys equal, or out of memory): insert into the run */
        }
    }
    goto routed;
past:
    if (refile_all(q) != 0) return CX_ENOMEM;
    dest = 0;
routed:
    if (dest == 0 && q->ntop == q->captop && top_grow(q, (size_t)q->ntop + 1) != 0) return CX_ENOMEM;
    uint32_t s = q->free_head;
    if (LIKELY(s != NIL)) {
        q->free_head = q->nodes[s].next;
    } else {
        cx_status st = node_new(q, &s);
        if (st != CX_OK) return st;
    }
    qnode *n = &q->nodes[s];
    n->key = key;
    n->p = *p;
    n->state = ST_LIVE;
    if (LIKELY(dest == 1)) {
        qrung *g = &q->r[d];
        n->next = g->head[i];
        g->head[i] = s;
    } else if (dest == 2) {
        run_insert(q, s);
    } else {
        q->top[q->ntop++] = (qent){key, s};
        if (key < q->top_min) q->top_min = key;
    }
    q->live++;
    if (id_out) *id_out = ((uint64_t)n->gen << 32) | s;
    return CX_OK;
}

/* The common pushes: into a later bucket of rung 0, or onto top, with a free node at hand. */
static HOT_INLINE cx_status push(cxi_queue *q, cx_time t, const cxi_payload *p, cxi_event_id *id_out) {
    uint64_t key = to_key(t);
    uint32_t s = q->free_head;
    int to_bucket = key - q->lo0 < q->span0;
    if (LIKELY((to_bucket || (key > q->last0 && q->ntop < q->captop)) && s != NIL)) {
        qnode *n = &q->nodes[s];
        q->free_head = n->next;
        n->key = key;
        n->p = *p;
        n->state = ST_LIVE;
        if (LIKELY(to_bucket)) {
            qrung *g = &q->r[0];
            uint64_t x = (key - g->S) >> g->w;
            n->next = g->head[x];
            g->head[x] = s;
        } else {
            q->top[q->ntop++] = (qent){key, s};
            if (key < q->top_min) q->top_min = key;
        }
        q->live++;
        if (id_out) *id_out = ((uint64_t)n->gen << 32) | s;
        return CX_OK;
    }
    return push_slow(q, key, p, id_out);
}

cx_status cxi_queue_push(cxi_queue *q, cx_time t, const cxi_payload *p, cxi_event_id *id_out) {
    return push(q, t, p, id_out);
}

/* Pops the earliest live event if its key is <= ulimit: 1 popped, 0 none, -1 out of memory. */
static NOINLINE HOT_ALIGN int pop_slow(cxi_queue *q, uint64_t ulimit, cx_time *t, cxi_payload *p) {
    for (;;) {
        uint32_t s = q->run;
        if (LIKELY(s != NIL)) {
            qnode *n = &q->nodes[s];
            if (n->key > ulimit) return 0;
            q->run = n->next;
            q->runlen--;
            int live = n->state == ST_LIVE;
            if (LIKELY(live)) {
                if (t) *t = from_key(n->key);
                if (p) *p = n->p;
            }
            node_release(q, s);
            if (LIKELY(live)) {
                q->live--;
                return 1;
            }
            q->dead--;
            continue;
        }
        if (q->depth > 0) {
            int d = q->depth - 1;
            qrung *g = &q->r[d];
            uint32_t j = g->cur + 1;
            while (j < g->K && g->head[j] == NIL) j++;
            if (j < g->K) {
                /* moving the cursor past the caller's clock would turn its next pushes into
                 * pushes into the past */
                if (g->S + ((uint64_t)j << g->w) > ulimit) return 0;
                activate(q, d, j);
                continue;
            }
            q->depth = d; /* this rung is used up; its parent's current bucket with it */
            if (d == 0) set_window(q);
            continue;
        }
        if (q->ntop == 0 || q->top_min > ulimit) return 0;
        if (build(q) != 0) return -1;
    }
}

/* The common pop: the head of the run is live and due. 1 popped, 0 left for pop_slow. */
static HOT_INLINE int pop_head(cxi_queue *q, uint64_t ulimit, cx_time *t, cxi_payload *p) {
    uint32_t s = q->run;
    if (LIKELY(s != NIL)) {
        qnode *n = &q->nodes[s];
        if (LIKELY(n->key <= ulimit && n->state == ST_LIVE)) {
            q->run = n->next;
            q->runlen--;
            if (t) *t = from_key(n->key);
            if (p) *p = n->p;
            node_release(q, s);
            q->live--;
            return 1;
        }
    }
    return 0;
}

static HOT_INLINE int pop(cxi_queue *q, uint64_t ulimit, cx_time *t, cxi_payload *p) {
    if (LIKELY(pop_head(q, ulimit, t, p))) return 1;
    return pop_slow(q, ulimit, t, p);
}

int cxi_queue_pop_until(cxi_queue *q, cx_time limit, cx_time *t, cxi_payload *p) {
    return pop(q, to_key(limit), t, p);
}

int cxi_queue_pop(cxi_queue *q, cx_time *t, cxi_payload *p) { return pop(q, UINT64_MAX, t, p); }

int cxi_queue_peek(cxi_queue *q, cx_time *t) {
    /* Read-only apart from dropping cancelled heads of the run: moving a cursor here could move it
     * past the caller's clock. O(size of one bucket, or of top). */
    qnode *nd = q->nodes;
    while (q->run != NIL && nd[q->run].state != ST_LIVE) {
        uint32_t s = q->run;
        q->run = nd[s].next;
        q->runlen--;
        node_release(q, s);
        q->dead--;
    }
    if (q->run != NIL) {
        if (t) *t = from_key(nd[q->run].key);
        return 1;
    }
    for (int d = q->depth - 1; d >= 0; d--) {
        const qrung *g = &q->r[d];
        for (uint32_t j = g->cur + 1; j < g->K; j++) {
            uint64_t m = UINT64_MAX;
            int found = 0;
            for (uint32_t s = g->head[j]; s != NIL; s = nd[s].next)
                if (nd[s].state == ST_LIVE && nd[s].key <= m) {
                    m = nd[s].key;
                    found = 1;
                }
            if (found) {
                if (t) *t = from_key(m);
                return 1;
            }
        }
    }
    uint64_t m = UINT64_MAX;
    int found = 0;
    for (uint32_t j = 0; j < q->ntop; j++)
        if (nd[q->top[j].node].state == ST_LIVE && q->top[j].key <= m) {
            m = q->top[j].key;
            found = 1;
        }
    if (found && t) *t = from_key(m);
    return found;
}

static void drop_cancelled(cxi_queue *q, uint32_t *link, uint32_t *count) {
    qnode *nd = q->nodes;
    while (*link != NIL) {
        uint32_t s = *link;
        if (nd[s].state != ST_LIVE) {
            *link = nd[s].next;
            node_release(q, s);
            if (count) (*count)--;
        } else {
            link = &nd[s].next;
        }
    }
}

/* Drops every cancelled event, keeping the order of the others. O(n + buckets); it runs when
 * cancelled events outnumber live ones, so it costs O(1) amortised per cancel. */
static COLD void compact(cxi_queue *q) {
    drop_cancelled(q, &q->run, &q->runlen);
    for (int d = 0; d < q->depth; d++) {
        qrung *g = &q->r[d];
        for (uint32_t i = g->cur + 1; i < g->K; i++) drop_cancelled(q, &g->head[i], NULL);
    }
    uint32_t k = 0;
    for (uint32_t j = 0; j < q->ntop; j++) {
        uint32_t s = (uint32_t)q->top[j].node;
        if (q->nodes[s].state != ST_LIVE) {
            node_release(q, s);
            continue;
        }
        q->top[k++] = q->top[j];
    }
    q->ntop = k;
    q->hint = NIL;
    q->dead = 0;
}

int cxi_queue_cancel(cxi_queue *q, cxi_event_id id) {
    uint32_t s = (uint32_t)id, gen = (uint32_t)(id >> 32);
    if (id == CXI_EVENT_NONE || s >= q->nnodes) return 0;
    qnode *n = &q->nodes[s];
    if (n->gen != gen || n->state != ST_LIVE) return 0;
    n->state = ST_CANCELLED;
    q->live--;
    q->dead++;
    if (q->dead > q->live + 64) compact(q);
    return 1;
}

size_t cxi_queue_size(const cxi_queue *q) { return q->live; }

/* ---- the event loop ------------------------------------------------------------------------ */

enum { MAX_HANDLERS = 64 };

struct cxi_kernel {
    cxi_queue *q;
    cx_time now;
    uint64_t processed;
    uint32_t nhandlers;
    struct {
        cxi_handler fn;
        void *ctx;
    } h[MAX_HANDLERS];
};

cx_status cxi_kernel_create(size_t capacity_hint, cxi_kernel **out) {
    *out = NULL;
    cxi_kernel *k = calloc(1, sizeof *k);
    if (!k) return CX_ENOMEM;
    cx_status st = cxi_queue_create(capacity_hint, &k->q);
    if (st != CX_OK) {
        free(k);
        return st;
    }
    *out = k;
    return CX_OK;
}

void cxi_kernel_destroy(cxi_kernel *k) {
    if (!k) return;
    cxi_queue_destroy(k->q);
    free(k);
}

void cxi_kernel_reset(cxi_kernel *k) {
    cxi_queue_clear(k->q);
    k->now = 0;
    k->processed = 0;
    k->nhandlers = 0;
}

cx_status cxi_kernel_handler(cxi_kernel *k, cxi_handler fn, void *ctx, uint32_t *type_out) {
    if (!fn || !type_out) return CX_EINVAL;
    if (k->nhandlers >= MAX_HANDLERS) return CX_ELIMIT;
    k->h[k->nhandlers].fn = fn;
    k->h[k->nhandlers].ctx = ctx;
    *type_out = k->nhandlers++;
    return CX_OK;
}

cx_time cxi_kernel_now(const cxi_kernel *k) { return k->now; }

HOT_ALIGN cx_status cxi_kernel_schedule(cxi_kernel *k, cx_time t, const cxi_payload *p,
                                        cxi_event_id *id_out) {
    if (t < k->now || !p || p->type >= k->nhandlers) return CX_EINVAL;
    return push(k->q, t, p, id_out);
}

int cxi_kernel_cancel(cxi_kernel *k, cxi_event_id id) { return cxi_queue_cancel(k->q, id); }

/* Dispatches the event just popped into t, p; returns from the caller on a handler's error. */
#define DISPATCH()                                                \
    do {                                                          \
        k->now = t;                                               \
        k->processed++;                                           \
        cx_status st_ = k->h[p.type].fn(k->h[p.type].ctx, t, &p); \
        if (st_ != CX_OK) return st_;                             \
    } while (0)

HOT_ALIGN cx_status cxi_kernel_run_until(cxi_kernel *k, cx_time until) {
    if (until < k->now) return CX_EINVAL;
    cxi_queue *q = k->q;
    uint64_t ulimit = to_key(until);
    cx_time t;
    cxi_payload p;
    for (;;) {
        uint32_t rest = 0;
        if (!pop_head(q, ulimit, &t, &p)) {
            int r = pop_slow(q, ulimit, &t, &p);
            if (r == 0) break;
            if (r < 0) return CX_ENOMEM;
            rest = q->runlen;
        }
        /* After pop_slow sorted a new bucket into the run, the rest of the run is popped by
         * straight-line code picked by one switch on its length, rather than by a loop whose
         * run-empty check has a random outcome once per bucket (bucket sizes are random): the
         * switch's target goes with the size branches activate just took. Each pop_head here
         * still checks (handlers may cancel or insert events), but predictably. */
        switch (rest < 5 ? rest : 5) {
        case 5:
            DISPATCH();
            if (!pop_head(q, ulimit, &t, &p)) continue;
            /* fall through */
        case 4:
            DISPATCH();
            if (!pop_head(q, ulimit, &t, &p)) continue;
            /* fall through */
        case 3:
            DISPATCH();
            if (!pop_head(q, ulimit, &t, &p)) continue;
            /* fall through */
        case 2:
            DISPATCH();
            if (!pop_head(q, ulimit, &t, &p)) continue;
            /* fall through */
        case 1:
            DISPATCH();
            if (!pop_head(q, ulimit, &t, &p)) continue;
            /* fall through */
        default:
            DISPATCH();
        }
    }
    k->now = until;
    return CX_OK;
}

#undef DISPATCH

cx_status cxi_kernel_step(cxi_kernel *k, cx_time until, int *stepped) {
    *stepped = 0;
    if (until < k->now) return CX_OK;
    cx_time t;
    cxi_payload p;
    int r = pop(k->q, to_key(until), &t, &p);
    if (r == 0) return CX_OK;
    if (r < 0) return CX_ENOMEM;
    *stepped = 1;
    k->now = t;
    k->processed++;
    return k->h[p.type].fn(k->h[p.type].ctx, t, &p);
}

size_t cxi_kernel_pending(const cxi_kernel *k) { return cxi_queue_size(k->q); }

uint64_t cxi_kernel_processed(const cxi_kernel *k) { return k->processed; }
