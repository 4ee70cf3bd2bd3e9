/* rng.c — random streams: xoshiro256** wrapped as a gsl_rng_type, seeds derived per replicate/purpose.
 * Invariant: a stream's output depends only on (master, replicate, purpose); the type is a static
 * const table, so streams share no state and may live on different threads. */
#include <stdlib.h>

#include "kernel/kernel_api.h"

typedef struct {
    uint64_t s[4];
} xoshiro_state;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* The splitmix64 finaliser alone: a bijection of 64-bit words. */
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t xoshiro_next(xoshiro_state *st) {
    uint64_t *s = st->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static void seed_state(xoshiro_state *st, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) st->s[i] = splitmix64(&x);
    /* the all-zero state is a fixed point; splitmix64 never yields four zeros, but be explicit */
    if ((st->s[0] | st->s[1] | st->s[2] | st->s[3]) == 0) st->s[0] = 1;
}

static void xo_set(void *state, unsigned long seed) { seed_state(state, (uint64_t)seed); }

/* max is 2^32 - 1 so every gsl function, including gsl_rng_uniform_int and code that assumes a
 * 32-bit range, sees a full-range generator; get_double uses 53 fresh bits. */
static unsigned long xo_get(void *state) { return (unsigned long)(xoshiro_next(state) >> 32); }

static double xo_get_double(void *state) {
    return (double)(xoshiro_next(state) >> 11) * (1.0 / 9007199254740992.0);
}

static const gsl_rng_type xoshiro_type = {
    "xoshiro256**", 0xffffffffUL, 0, sizeof(xoshiro_state), xo_set, xo_get, xo_get_double,
};

const gsl_rng_type *cxi_rng_type(void) { return &xoshiro_type; }

uint64_t cxi_rng_derive(uint64_t master, uint64_t replicate, uint64_t purpose) {
    /* key depends on (master, purpose) only; adding it to the replicate and applying a bijective
     * mixer keeps replicate -> seed a bijection */
    uint64_t key = mix64(mix64(master ^ UINT64_C(0x6A09E667F3BCC909)) + purpose * UINT64_C(0x9E3779B97F4A7C15));
    return mix64(replicate + key);
}

gsl_rng *cxi_rng_stream(uint64_t master, uint64_t replicate, uint64_t purpose) {
    /* allocated by hand rather than gsl_rng_alloc, whose OOM path calls GSL's error handler
     * (abort by default); gsl_rng_free releases exactly these two blocks */
    gsl_rng *r = malloc(sizeof *r);
    if (!r) return NULL;
    r->state = malloc(sizeof(xoshiro_state));
    if (!r->state) {
        free(r);
        return NULL;
    }
    r->type = &xoshiro_type;
    seed_state(r->state, cxi_rng_derive(master, replicate, purpose));
    return r;
}
