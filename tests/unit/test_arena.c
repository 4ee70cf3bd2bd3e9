/* test_arena.c — the bump allocator: alignment, big blocks, strings, reuse after free.
 * Invariant checked: allocations are 16-byte aligned, disjoint, and survive later allocations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kernel/kernel_api.h"

static void test_arena_allocations_are_aligned_and_disjoint(void **state) {
    (void)state;
    cxi_arena a;
    cxi_arena_init(&a);
    unsigned char *prev[500];
    size_t sizes[500];
    for (int i = 0; i < 500; i++) {
        sizes[i] = (size_t)(i * 37 % 300);
        prev[i] = cxi_arena_alloc(&a, sizes[i]);
        assert_non_null(prev[i]);
        assert_int_equal((uintptr_t)prev[i] % 16, 0);
        memset(prev[i], i & 0xff, sizes[i]);
    }
    for (int i = 0; i < 500; i++)
        for (size_t j = 0; j < sizes[i]; j++) assert_int_equal(prev[i][j], i & 0xff);
    assert_true(a.total >= 500 * 16);
    cxi_arena_free(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
}

static void test_arena_serves_requests_bigger_than_a_block(void **state) {
    (void)state;
    cxi_arena a;
    cxi_arena_init(&a);
    char *small = cxi_arena_alloc(&a, 10);
    char *big = cxi_arena_alloc(&a, 1 << 20);
    char *after = cxi_arena_alloc(&a, 10);
    assert_non_null(small);
    assert_non_null(big);
    assert_non_null(after);
    memset(big, 'x', 1 << 20);
    memcpy(small, "small", 6);
    memcpy(after, "after", 6);
    assert_string_equal(small, "small");
    assert_string_equal(after, "after");
    assert_int_equal(big[(1 << 20) - 1], 'x');
    assert_null(cxi_arena_alloc(&a, SIZE_MAX));
    cxi_arena_free(&a);
}

static void test_arena_copies_strings(void **state) {
    (void)state;
    cxi_arena a;
    cxi_arena_init(&a);
    char *s = cxi_arena_strdup(&a, "hello");
    char *t = cxi_arena_strndup(&a, "hello world", 5);
    char *u = cxi_arena_strndup(&a, "hi", 10);
    char *e = cxi_arena_strdup(&a, "");
    assert_string_equal(s, "hello");
    assert_string_equal(t, "hello");
    assert_string_equal(u, "hi");
    assert_string_equal(e, "");
    assert_ptr_not_equal(s, t);
    cxi_arena_free(&a);
    /* reusable after free */
    cxi_arena_init(&a);
    assert_string_equal(cxi_arena_strdup(&a, "again"), "again");
    cxi_arena_free(&a);
}

static void test_arena_zero_size_gives_distinct_pointers(void **state) {
    (void)state;
    cxi_arena a;
    cxi_arena_init(&a);
    void *p = cxi_arena_alloc(&a, 0), *q = cxi_arena_alloc(&a, 0);
    assert_non_null(p);
    assert_non_null(q);
    assert_ptr_not_equal(p, q);
    cxi_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_allocations_are_aligned_and_disjoint),
        cmocka_unit_test(test_arena_serves_requests_bigger_than_a_block),
        cmocka_unit_test(test_arena_copies_strings),
        cmocka_unit_test(test_arena_zero_size_gives_distinct_pointers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
