/* arena.c — bump allocator: many small allocations, one free for all of them.
 * Invariant: every pointer handed out is 16-byte aligned and stays valid until cxi_arena_free. */
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_api.h"

struct cxi_arena_block {
    cxi_arena_block *next;
    size_t used, cap; /* bytes of data[] */
    unsigned char *data;
};

enum { ARENA_ALIGN = 16, ARENA_BLOCK = 64 * 1024 };

void cxi_arena_init(cxi_arena *a) {
    a->head = NULL;
    a->total = 0;
}

void cxi_arena_free(cxi_arena *a) {
    cxi_arena_block *b = a->head;
    while (b) {
        cxi_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

static cxi_arena_block *block_new(size_t need) {
    size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;
    size_t hdr = (sizeof(cxi_arena_block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (cap > SIZE_MAX - hdr - ARENA_ALIGN) return NULL;
    cxi_arena_block *b = malloc(hdr + cap + ARENA_ALIGN);
    if (!b) return NULL;
    /* align from the real address: malloc's guarantee may be weaker than 16 on some platforms */
    uintptr_t p = (uintptr_t)b + hdr;
    p = (p + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
    b->data = (unsigned char *)p;
    b->used = 0;
    b->cap = cap;
    b->next = NULL;
    return b;
}

void *cxi_arena_alloc(cxi_arena *a, size_t n) {
    if (n == 0) n = 1;
    if (n > SIZE_MAX - ARENA_ALIGN) return NULL;
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    cxi_arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        cxi_arena_block *nb = block_new(n);
        if (!nb) return NULL;
        if (b && n > ARENA_BLOCK / 4) {
            /* a big request gets its own block behind the current one, so the current block's
             * free space is not wasted */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->total += n;
    return p;
}

void *cxi_arena_calloc(cxi_arena *a, size_t n, size_t size) {
    if (n == 0) n = 1;
    if (size > SIZE_MAX / n) return NULL;
    void *p = cxi_arena_alloc(a, n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

char *cxi_arena_strndup(cxi_arena *a, const char *s, size_t n) {
    size_t len = 0;
    while (len < n && s[len]) len++;
    char *d = cxi_arena_alloc(a, len + 1);
    if (!d) return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *cxi_arena_strdup(cxi_arena *a, const char *s) { return cxi_arena_strndup(a, s, SIZE_MAX); }
