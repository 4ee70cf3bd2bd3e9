/* kernel_api.h — internal interfaces of the kernel (queue, random streams, distributions, arena).
 * The kernel knows no crisis words. Internal non-static functions carry the prefix cxi_.
 * Invariant: events with equal time pop in insertion order (time, seq). */
#ifndef CX_KERNEL_API_H
#define CX_KERNEL_API_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "crisim.h"

/* ---- arena: bump allocator for memory that lives as long as its owner (scenario, run) ------- */
typedef struct cxi_arena_block cxi_arena_block;
typedef struct {
    cxi_arena_block *head;
    size_t total; /* bytes handed out */
} cxi_arena;
void cxi_arena_init(cxi_arena *a);
void cxi_arena_free(cxi_arena *a); /* frees every block; the arena can be reused after init */
void *cxi_arena_alloc(cxi_arena *a, size_t n);           /* 16-byte aligned; NULL on OOM */
/* n zeroed elements of `size` bytes (n == 0 counts as 1, so an empty array is never NULL);
 * NULL on OOM or when n * size overflows. */
void *cxi_arena_calloc(cxi_arena *a, size_t n, size_t size);
char *cxi_arena_strdup(cxi_arena *a, const char *s);     /* NULL on OOM */
char *cxi_arena_strndup(cxi_arena *a, const char *s, size_t n);

/* ---- event queue --------------------------------------------------------------------------- */

/* What an event carries: a handler type (registered by a model) and a small payload. */
typedef struct {
    uint32_t type; /* handler index */
    uint32_t a, b; /* entity ids (asset, link, inject ...) */
    uint32_t c;    /* spare: generation, flags */
    double x;      /* a value (level, magnitude) */
} cxi_payload;

/* Handle of a pending event; stays valid (cancel returns 0) after the event fired or was cancelled. */
typedef uint64_t cxi_event_id;
#define CXI_EVENT_NONE UINT64_C(0)

/* A ladder queue (kernel.c): O(1) amortised push and pop, O(1) cancel (lazy), no malloc once its
 * arrays have grown. Ids are generation-tagged slots: at most ~4e9 pending events, and an id is only
 * reused after its slot was released 2^32 times. Not thread-safe. */
typedef struct cxi_queue cxi_queue; /* body in kernel.c */
cx_status cxi_queue_create(size_t capacity_hint, cxi_queue **out);
void cxi_queue_destroy(cxi_queue *q); /* NULL is a no-op */
/* Empties q, keeping its memory: it then behaves exactly as a new queue (same ids too). */
void cxi_queue_clear(cxi_queue *q);
/* Schedules an event at time t. id_out may be NULL. CX_ENOMEM / CX_ELIMIT on failure. */
cx_status cxi_queue_push(cxi_queue *q, cx_time t, const cxi_payload *p, cxi_event_id *id_out);
/* Cancels a pending event: 1 if it was pending, 0 if it already fired, was cancelled or is NONE. */
int cxi_queue_cancel(cxi_queue *q, cxi_event_id id);
/* Removes the earliest event by (time, seq). Returns 0 when the queue is empty, -1 when memory ran
 * out while reorganising (the queue is unchanged). t and p may be NULL.
 * Any time may be pushed; one earlier than the last popped (or looked-ahead) time costs O(n). */
int cxi_queue_pop(cxi_queue *q, cx_time *t, cxi_payload *p);
/* As cxi_queue_pop, but only an event with time <= limit; 0 when there is none. */
int cxi_queue_pop_until(cxi_queue *q, cx_time limit, cx_time *t, cxi_payload *p);
/* Time of the earliest pending event; returns 0 when empty. */
int cxi_queue_peek(cxi_queue *q, cx_time *t);
size_t cxi_queue_size(const cxi_queue *q); /* pending (not cancelled) events */

/* ---- the event loop: queue + clock + handlers registered by the models ------------------- */

/* A handler processes one event at time t. A status other than CX_OK stops the run and is returned
 * by cxi_kernel_run_until / cxi_kernel_step. Handlers may schedule and cancel events. */
typedef cx_status (*cxi_handler)(void *ctx, cx_time t, const cxi_payload *p);

typedef struct cxi_kernel cxi_kernel; /* body in kernel.c; not thread-safe, one per simulation */
cx_status cxi_kernel_create(size_t capacity_hint, cxi_kernel **out);
void cxi_kernel_destroy(cxi_kernel *k); /* NULL is a no-op */
/* Back to a new kernel's state (no events, no handlers, now 0), keeping its memory. */
void cxi_kernel_reset(cxi_kernel *k);
/* Registers a handler; *type_out is the value to put in cxi_payload.type. At most 64 handlers. */
cx_status cxi_kernel_handler(cxi_kernel *k, cxi_handler fn, void *ctx, uint32_t *type_out);
cx_time cxi_kernel_now(const cxi_kernel *k);
/* Schedules p at absolute time t >= now (CX_EINVAL when t < now or p->type is unregistered). */
cx_status cxi_kernel_schedule(cxi_kernel *k, cx_time t, const cxi_payload *p, cxi_event_id *id_out);
int cxi_kernel_cancel(cxi_kernel *k, cxi_event_id id); /* as cxi_queue_cancel */
/* Processes every event with time <= until in (time, seq) order, then sets now = until.
 * CX_EINVAL when until < now; CX_ENOMEM if the queue could not reorganise. */
cx_status cxi_kernel_run_until(cxi_kernel *k, cx_time until);
/* Processes the next event if its time <= until; *stepped = 0 otherwise (now unchanged). */
cx_status cxi_kernel_step(cxi_kernel *k, cx_time until, int *stepped);
size_t cxi_kernel_pending(const cxi_kernel *k);
uint64_t cxi_kernel_processed(const cxi_kernel *k); /* events handled so far */

/* ---- random streams ------------------------------------------------------------------------ */

/* xoshiro256** as a gsl_rng_type, seeded with a full 64-bit seed through splitmix64, so it works
 * with every gsl_ran_* function. gsl_rng_set(r, seed) uses all 64 bits (unsigned long on LP64). */
const gsl_rng_type *cxi_rng_type(void);
/* Seed of the stream for (master seed, replicate, purpose). For a fixed master and purpose the map
 * replicate -> seed is a bijection, so replicate seeds never collide. */
uint64_t cxi_rng_derive(uint64_t master, uint64_t replicate, uint64_t purpose);
/* Allocates a stream seeded with cxi_rng_derive(master, replicate, purpose); NULL on OOM. */
gsl_rng *cxi_rng_stream(uint64_t master, uint64_t replicate, uint64_t purpose);

/* ---- durations, times and distributions in CSV cells ---------------------------------------- */

typedef struct {
    int col;        /* 1-based offset in the cell of the offending token (1 when unknown) */
    char msg[200];  /* e.g. "unknown unit 'x' in '6x' (expected s, m, h, d or w)" */
} cxi_parse_err;

/* "90s", "45m", "6h", "2d", "1w", "1d6h30m", "T+6h", "T-72h", "-3h", "0", "1.5h" -> seconds.
 * A bare number is seconds. Returns 0 on success, -1 with *err filled. */
int cxi_duration_parse(const char *s, int64_t *out, cxi_parse_err *err);
/* ISO 8601 UTC datetime: "2024-06-06T07:30Z", "2024-06-06T07:30:15Z", "2024-06-06 07:30",
 * "2024-06-06T07:30+02:00", "2024-06-06" -> Unix seconds. Returns 0 / -1. */
int cxi_datetime_parse(const char *s, int64_t *unix_out, cxi_parse_err *err);
/* A scenario time: an ISO datetime (converted relative to t0_unix) or a duration offset. */
int cxi_time_parse(const char *s, int64_t t0_unix, cx_time *out, cxi_parse_err *err);
/* Formats Unix seconds as "2024-06-06T07:30:00Z" into buf (>= 21 bytes). */
void cxi_datetime_format(int64_t unix_s, char *buf, size_t n);
/* Formats seconds as "T+1d06:30:00" style offset into buf (>= 24 bytes). */
void cxi_offset_format(cx_time t, char *buf, size_t n);
/* Formats seconds as the shortest duration cxi_duration_parse reads back: "2d", "1d6h30m", "-3h",
 * "0s" into buf (>= 32 bytes holds any int64). */
void cxi_duration_format(int64_t s, char *buf, size_t n);
/* A whole decimal number without sign or spaces, at most max.
 * Returns 0, -1 when not a number, -2 when above max. */
int cxi_u64_parse(const char *s, uint64_t max, uint64_t *out);
/* A finite real number; decimal_comma accepts "0,5". Returns 0 / -1. */
int cxi_number_parse(const char *s, int decimal_comma, double *out, cxi_parse_err *err);

typedef enum {
    CXI_DIST_FIXED,      /* p0 = value */
    CXI_DIST_EXP,        /* p0 = mean */
    CXI_DIST_LOGNORMAL,  /* p0 = median, p1 = sigma */
    CXI_DIST_UNIFORM,    /* p0 = low, p1 = high */
    CXI_DIST_TRIANGULAR, /* p0 = low, p1 = mode, p2 = high */
    CXI_DIST_NORMAL      /* p0 = mean, p1 = sd; truncated at 0 by resampling */
} cxi_dist_kind;

typedef struct {
    cxi_dist_kind kind;
    double p[3];
    int duration; /* 1: location/scale parameters are seconds (cxi_dist_format appends "s"); 0 = plain */
} cxi_dist;

/* A distribution cell: "exp(6h)", "lognormal(median=6h, sigma=0.5)", "uniform(2h, 6h)",
 * "triangular(1h, 2h, 6h)", "normal(mean=6h, sd=1h)", "fixed(3h)" or a plain constant ("3h", "2.5").
 * duration != 0: location/scale arguments are durations (seconds); otherwise plain numbers.
 * Checks parameter sanity (low <= mode <= high, sigma > 0, mean > 0 ...). Returns 0 / -1. */
int cxi_dist_parse(const char *s, int duration, int decimal_comma, cxi_dist *out, cxi_parse_err *err);
/* Draws one value (>= 0 for every kind). */
double cxi_dist_sample(const cxi_dist *d, gsl_rng *r);
double cxi_dist_mean(const cxi_dist *d);
/* Canonical text of d, e.g. "lognormal(median=21600s, sigma=0.5)". */
void cxi_dist_format(const cxi_dist *d, char *buf, size_t n);

/* ---- small helpers ------------------------------------------------------------------------- */
/* 64-bit FNV-1a, chainable: pass the previous hash (start with CXI_FNV_OFFSET). */
#define CXI_FNV_OFFSET UINT64_C(0xcbf29ce484222325)
uint64_t cxi_fnv1a(uint64_t h, const void *data, size_t n);
/* Great-circle distance in km between two WGS84 points (degrees), haversine on R = 6371 km. */
double cxi_geo_km(double lat1, double lon1, double lat2, double lon2);

#endif
