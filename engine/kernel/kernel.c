/* kernel.c — the event loop (clock + handlers) and its pending-event queue, a two-tier calendar.
 * Invariant: events pop in (time, insertion seq) order and now never decreases. Events with equal
 * times always share one container (run, bucket or top), and every container keeps insertion order. */
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_api.h"

/* The queue is a ladder queue with one rung. Events live in a node pool; a node is in exactly one of
 *  - top: an unsorted array of events at or after the end of the window (pushing is an append);
 *  - the window: K buckets of 2^w ticks from S; a bucket is a LIFO list, so pushing is two stores;
 *  - run: the sorted list of the current bucket `cur`, popped from its head.
 * When the run is empty the cursor moves to the next non-empty bucket, which is reversed and sorted
 * into the run; when the window is used up, it is rebuilt from top with K ~ n buckets spanning top's
 * keys, so a bucket holds about one event. Each event is thus moved about once, and the buckets adapt
 * to any time scale (seconds or years). Pushes into the current bucket insert into the sorted run
 * (O(1) for same-time bursts thanks to a hint). Queue and loop share this file so the hot path
 * (pop, dispatch, schedule, push) has no calls between layers.
 * Cancelled events stay where they are, flagged, and are dropped when they reach the front, or by a
 * compaction once they outnumber live ones. A push before the current bucket (possible only after a
 * pop_until looked ahead past the caller's clock) moves everything back to top: O(n), rare. */

#define SIGN_BIT UINT64_C(0x8000000000000000)
#define NIL UINT32_C(0xFFFFFFFF)
#define MAX_NODES UINT32_C(0xFFFFFFF0)
#define ST_FREE 0u
#define ST_LIVE 1u
#define ST_CANCELLED 2u
#define MIN_BUCKETS 16u
#define MAX_BUCKETS (UINT32_C(1) << 22)

#if defined(__GNUC__)
#define COLD __attribute__((noinline, cold))
#define HOT_INLINE inline __attribute__((always_inline))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define COLD
#define HOT_INLINE inline
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

typedef struct {
    uint64_t key;  /* time with the sign bit flipped, so unsigned order = time order */
    cxi_payload p;
    uint32_t next; /* link in its bucket, the run or the free list */
    uint32_t gen;  /* bumped on every release, so stale ids stop matching; never 0 */
    uint32_t state;
    uint32_t pad;
} qnode;

typedef struct {
    uint64_t key;
    uint64_t node;
} qent;

struct cxi_queue {
    qnode *nodes;
    uint32_t nnodes, capnodes, free_head;
    int window;     /* 1: S, w, K, cur, head and run are in use */
    uint64_t S;     /* start of bucket 0 */
    int w;          /* bucket width 2^w ticks */
    uint32_t K, cur;
    uint32_t *head; /* head[i], cur < i < K: LIFO list of bucket i (NIL = empty) */
    uint32_t caphead;
    uint32_t run;   /* bucket cur, sorted by (key, insertion) */
    uint32_t hint;  /* a node of the run after which same-key pushes go, or NIL */
    qent *top;      /* keys beyond the window, in insertion order */
    uint32_t ntop, captop;
    uint64_t top_min; /* <= every key in top (cancelled ones included) */
    size_t live, dead; /* pending events; cancelled events still stored */
};

static inline uint64_t to_key(cx_time t) { return (uint64_t)t ^ SIGN_BIT; }
static inline cx_time from_key(uint64_t k) { return (cx_time)(k ^ SIGN_BIT); }

cx_status cxi_queue_create(size_t capacity_hint, cxi_queue **out) {
    *out = NULL;
    cxi_queue *q = calloc(1, sizeof *q);
    if (!q) return CX_ENOMEM;
    q->free_head = NIL;
    q->run = q->hint = NIL;
    q->top_min = UINT64_MAX;
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
    free(q->head);
    free(q->top);
    free(q);
}

static inline void node_release(cxi_queue *q, uint32_t s) {
    qnode *n = &q->nodes[s];
    n->gen = n->gen + 1 ? n->gen + 1 : 1;
    n->state = ST_FREE;
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
        if (k >= nd[tail].key) { /* keys mostly arrive in order: append */
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

/* Makes bucket j the current one: its list becomes the sorted run. */
static inline void activate(cxi_queue *q, uint32_t j) {
    uint32_t n;
    uint32_t l = list_reverse(q->nodes, q->head[j], &n);
    q->head[j] = NIL;
    q->cur = j;
    q->run = list_sort(q->nodes, l, n);
    q->hint = NIL;
}

/* Inserts node s into the run after every node with a key <= its own. */
static void run_insert(cxi_queue *q, uint32_t s) {
    qnode *nd = q->nodes;
    uint64_t k = nd[s].key;
    uint32_t p;
    if (q->run == NIL || k < nd[q->run].key) {
        nd[s].next = q->run;
        q->run = s;
        q->hint = s;
        return;
    }
    p = q->hint != NIL && nd[q->hint].key <= k ? q->hint : q->run;
    while (nd[p].next != NIL && nd[nd[p].next].key <= k) p = nd[p].next;
    nd[s].next = nd[p].next;
    nd[p].next = s;
    q->hint = s;
}

/* Moves every stored event back to top, in an order that keeps equal keys in insertion order
 * (they all sit in one container), and drops the window. O(n); only for pushes into the past. */
static COLD int refile_all(cxi_queue *q) {
    if (!q->window) return 0;
    size_t inwin = q->live + q->dead - q->ntop;
    if (q->ntop + inwin > q->captop && top_grow(q, q->ntop + inwin) != 0) return -1;
    memmove(q->top + inwin, q->top, (size_t)q->ntop * sizeof *q->top);
    size_t k = 0;
    qnode *nd = q->nodes;
    for (uint32_t s = q->run; s != NIL; s = nd[s].next) q->top[k++] = (qent){nd[s].key, s};
    for (uint32_t i = q->cur + 1; i < q->K; i++) {
        uint32_t n;
        uint32_t l = list_reverse(nd, q->head[i], &n);
        q->head[i] = NIL;
        for (uint32_t s = l; s != NIL; s = nd[s].next) q->top[k++] = (qent){nd[s].key, s};
    }
    q->ntop += (uint32_t)k;
    for (size_t j = 0; j < k; j++)
        if (q->top[j].key < q->top_min) q->top_min = q->top[j].key;
    q->window = 0;
    q->run = q->hint = NIL;
    return 0;
}

/* Builds a window over top: K ~ n buckets spanning top's keys. -1 on OOM (queue unchanged). */
static COLD int build(cxi_queue *q) {
    uint32_t n = q->ntop;
    uint64_t lo = q->top_min, hi = 0;
    for (uint32_t j = 0; j < n; j++)
        if (q->top[j].key > hi) hi = q->top[j].key;
    uint32_t K = MIN_BUCKETS;
    while (K < n && K < MAX_BUCKETS) K *= 2;
    if (K > q->caphead) {
        uint32_t *h = realloc(q->head, (size_t)K * sizeof *h);
        if (!h) return -1;
        q->head = h;
        q->caphead = K;
    }
    int w = 0;
    uint64_t S = lo;
    for (; w < 63; w++) {
        S = lo & ~((UINT64_C(1) << w) - 1);
        if (((hi - S) >> w) < K) break;
    }
    if (w == 63) S = lo & ~((UINT64_C(1) << 63) - 1);
    memset(q->head, 0xFF, (size_t)K * sizeof *q->head);
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
        nd[s].next = q->head[i];
        q->head[i] = s;
    }
    q->ntop = 0;
    q->top_min = UINT64_MAX;
    q->window = 1;
    q->S = S;
    q->w = w;
    q->K = K;
    activate(q, 0);
    return 0;
}

static HOT_INLINE cx_status push(cxi_queue *q, cx_time t, const cxi_payload *p, cxi_event_id *id_out) {
    uint64_t key = to_key(t);
    uint32_t i = 0;
    int dest = 0; /* 0 top, 1 bucket i, 2 run */
    if (q->window) {
        uint64_t d = (key - q->S) >> q->w;
        if (LIKELY(key >= q->S && d > q->cur)) {
            if (d < q->K) {
                i = (uint32_t)d;
                dest = 1;
            }
        } else if (key >= q->S && d == q->cur) {
            dest = 2;
        } else if (refile_all(q) != 0) {
            return CX_ENOMEM;
        }
    }
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
    if (dest == 1) {
        n->next = q->head[i];
        q->head[i] = s;
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

cx_status cxi_queue_push(cxi_queue *q, cx_time t, const cxi_payload *p, cxi_event_id *id_out) {
    return push(q, t, p, id_out);
}

/* Pops the earliest live event if its key is <= ulimit: 1 popped, 0 none, -1 out of memory. */
static HOT_INLINE int pop(cxi_queue *q, uint64_t ulimit, cx_time *t, cxi_payload *p) {
    for (;;) {
        uint32_t s = q->run;
        if (LIKELY(s != NIL)) {
            qnode *n = &q->nodes[s];
            if (n->key > ulimit) return 0;
            q->run = n->next;
            if (s == q->hint) q->hint = NIL;
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
        if (q->window) {
            uint32_t j = q->cur + 1;
            while (j < q->K && q->head[j] == NIL) j++;
            if (j < q->K) {
                /* moving the cursor past the caller's clock would turn its next pushes into
                 * pushes into the past */
                if (q->S + ((uint64_t)j << q->w) > ulimit) return 0;
                activate(q, j);
                continue;
            }
            q->window = 0;
        }
        if (q->ntop == 0 || q->top_min > ulimit) return 0;
        if (build(q) != 0) return -1;
    }
}

int cxi_queue_pop_until(cxi_queue *q, cx_time limit, cx_time *t, cxi_payload *p) {
    return pop(q, to_key(limit), t, p);
}

int cxi_queue_pop(cxi_queue *q, cx_time *t, cxi_payload *p) { return pop(q, UINT64_MAX, t, p); }

int cxi_queue_peek(cxi_queue *q, cx_time *t) {
    /* Read-only apart from dropping cancelled heads of the run: advancing the cursor here could
     * move it past the caller's clock. O(size of one bucket or of top). */
    qnode *nd = q->nodes;
    while (q->run != NIL && nd[q->run].state != ST_LIVE) {
        uint32_t s = q->run;
        q->run = nd[s].next;
        if (s == q->hint) q->hint = NIL;
        node_release(q, s);
        q->dead--;
    }
    if (q->run != NIL) {
        if (t) *t = from_key(nd[q->run].key);
        return 1;
    }
    if (q->window)
        for (uint32_t j = q->cur + 1; j < q->K; j++) {
            uint64_t m = UINT64_MAX;
            int found = 0;
            for (uint32_t s = q->head[j]; s != NIL; s = nd[s].next)
                if (nd[s].state == ST_LIVE && nd[s].key <= m) {
                    m = nd[s].key;
                    found = 1;
                }
            if (found) {
                if (t) *t = from_key(m);
                return 1;
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

/* Drops every cancelled event, keeping the order of the others. O(n + K); it runs when cancelled
 * events outnumber live ones, so it costs O(1) amortised per cancel. */
static COLD void compact(cxi_queue *q) {
    qnode *nd = q->nodes;
    uint32_t *link = &q->run;
    while (*link != NIL) {
        uint32_t s = *link;
        if (nd[s].state != ST_LIVE) {
            *link = nd[s].next;
            node_release(q, s);
        } else {
            link = &nd[s].next;
        }
    }
    if (q->window)
        for (uint32_t i = q->cur + 1; i < q->K; i++) {
            link = &q->head[i];
            while (*link != NIL) {
                uint32_t s = *link;
                if (nd[s].state != ST_LIVE) {
                    *link = nd[s].next;
                    node_release(q, s);
                } else {
                    link = &nd[s].next;
                }
            }
        }
    uint32_t k = 0;
    for (uint32_t j = 0; j < q->ntop; j++) {
        uint32_t s = (uint32_t)q->top[j].node;
        if (nd[s].state != ST_LIVE) {
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

cx_status cxi_kernel_handler(cxi_kernel *k, cxi_handler fn, void *ctx, uint32_t *type_out) {
    if (!fn || !type_out) return CX_EINVAL;
    if (k->nhandlers >= MAX_HANDLERS) return CX_ELIMIT;
    k->h[k->nhandlers].fn = fn;
    k->h[k->nhandlers].ctx = ctx;
    *type_out = k->nhandlers++;
    return CX_OK;
}

cx_time cxi_kernel_now(const cxi_kernel *k) { return k->now; }

cx_status cxi_kernel_schedule(cxi_kernel *k, cx_time t, const cxi_payload *p, cxi_event_id *id_out) {
    if (t < k->now || !p || p->type >= k->nhandlers) return CX_EINVAL;
    return push(k->q, t, p, id_out);
}

int cxi_kernel_cancel(cxi_kernel *k, cxi_event_id id) { return cxi_queue_cancel(k->q, id); }

cx_status cxi_kernel_run_until(cxi_kernel *k, cx_time until) {
    if (until < k->now) return CX_EINVAL;
    uint64_t ulimit = to_key(until);
    cx_time t;
    cxi_payload p;
    for (;;) {
        int r = pop(k->q, ulimit, &t, &p);
        if (r == 0) break;
        if (r < 0) return CX_ENOMEM;
        k->now = t;
        k->processed++;
        cx_status st = k->h[p.type].fn(k->h[p.type].ctx, t, &p);
        if (st != CX_OK) return st;
    }
    k->now = until;
    return CX_OK;
}

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
