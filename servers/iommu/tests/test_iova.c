/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IOVA allocator: alignment, lowest fit first, the interrupt window
 * and RMRR ranges never handed out nor claimable, fixed claims, overlaps,
 * exhaustion, exact frees, and growth of the range array under failing
 * allocations (nothing changes when it fails).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "iova.h"
#include "mock_backend.h"

#define KIB       0x400ull
#define MIB       0x100000ull
#define GIB       0x40000000ull
#define RMRR      0x7d000000ull /* a firmware range, as a DMAR RMRR would name */
#define RMRR_SIZE (64 * KIB)

struct ctx {
	struct mock_fail fail;
	struct mock_mem mem;
};

static int setup(void **state)
{
	struct ctx *c = test_calloc(1, sizeof(*c));

	mock_mem_init(&c->mem, &c->fail);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(mock_mem_fini(&c->mem), 0);
	test_free(c);
	return 0;
}

static void test_alignment_and_lowest_first(void **state)
{
	struct ctx *c = *state;
	struct iova_space s;
	uint64_t a, b, d;

	assert_int_equal(iova_init(&s, 39, &c->mem.ops), IOMMU_OK);
	assert_int_equal(iova_alloc(&s, 4 * KIB, 4 * KIB, &a), IOMMU_OK);
	assert_int_equal(a, 0);
	assert_int_equal(iova_alloc(&s, 8 * KIB, 2 * MIB, &b), IOMMU_OK);
	assert_int_equal(b, 2 * MIB);
	assert_int_equal(iova_alloc(&s, 4 * KIB, 4 * KIB, &d), IOMMU_OK);
	assert_int_equal(d, 4 * KIB); /* the gap below b */
	assert_int_equal(iova_alloc(&s, GIB, GIB, &d), IOMMU_OK);
	assert_int_equal(d, GIB);
	assert_int_equal(iova_alloc(&s, 0, 4 * KIB, &d), IOMMU_ERR_INVAL);
	assert_int_equal(iova_alloc(&s, 4 * KIB, 3 * KIB, &d), IOMMU_ERR_INVAL);
	assert_int_equal(iova_alloc(&s, 4 * KIB, 12 * KIB, &d), IOMMU_ERR_INVAL);
	assert_int_equal(iova_alloc(&s, 6 * KIB, 4 * KIB, &d), IOMMU_ERR_ALIGNMENT);
	iova_fini(&s);
}

/* A 32-bit space filled with 1 MiB blocks: none is the interrupt window. */
static void test_interrupt_window_never_handed_out(void **state)
{
	struct ctx *c = *state;
	struct iova_space s;
	uint64_t a, n = 0;

	assert_int_equal(iova_init(&s, 32, &c->mem.ops), IOMMU_OK);
	while (iova_alloc(&s, MIB, MIB, &a) == IOMMU_OK) {
		assert_true(a + MIB <= IOVA_MSI_WINDOW_START ||
		            a >= IOVA_MSI_WINDOW_START + IOVA_MSI_WINDOW_SIZE);
		n++;
	}
	assert_int_equal(n, (1ull << 32) / MIB - 1);
	assert_true(iova_meets_reserved(&s, IOVA_MSI_WINDOW_START + 4 * KIB, 4 * KIB));
	iova_fini(&s);
	assert_int_equal(iova_init(&s, 32, &c->mem.ops), IOMMU_OK);
	assert_int_equal(iova_claim(&s, IOVA_MSI_WINDOW_START - 4 * KIB, 8 * KIB),
	                 IOMMU_ERR_RESERVED);
	assert_int_equal(iova_claim(&s, IOVA_MSI_WINDOW_START - 4 * KIB, 4 * KIB), IOMMU_OK);
	iova_fini(&s);
}

static void test_rmrr_reserved(void **state)
{
	struct ctx *c = *state;
	struct iova_space s;
	uint64_t a;

	assert_int_equal(iova_init(&s, 31, &c->mem.ops), IOMMU_OK);
	assert_false(iova_meets_reserved(&s, RMRR, RMRR_SIZE));
	assert_int_equal(iova_reserve(&s, RMRR, RMRR_SIZE), IOMMU_OK);
	/* Reserved ranges that meet are merged into one. */
	assert_int_equal(iova_reserve(&s, RMRR + RMRR_SIZE - 4 * KIB, 8 * KIB), IOMMU_OK);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.busy[0].size, RMRR_SIZE + 4 * KIB);
	assert_int_equal(iova_claim(&s, RMRR + 4 * KIB, 4 * KIB), IOMMU_ERR_RESERVED);
	assert_int_equal(iova_claim(&s, RMRR + RMRR_SIZE, 4 * KIB), IOMMU_ERR_RESERVED);
	assert_int_equal(iova_claim(&s, RMRR - 4 * KIB, 4 * KIB), IOMMU_OK);
	/* Allocations skip it: ask for what only fits across it. */
	assert_int_equal(iova_alloc(&s, RMRR - 4 * KIB, 4 * KIB, &a), IOMMU_OK);
	assert_int_equal(a, 0);
	assert_int_equal(iova_alloc(&s, 4 * KIB, 4 * KIB, &a), IOMMU_OK);
	assert_int_equal(a, RMRR + RMRR_SIZE + 4 * KIB);
	/* A reservation may not take an allocated range away. */
	assert_int_equal(iova_reserve(&s, 0, 8 * KIB), IOMMU_ERR_OVERLAP);
	assert_int_equal(iova_reserve(&s, RMRR, 3 * KIB), IOMMU_ERR_ALIGNMENT);
	iova_fini(&s);
}

static void test_claim_overlap_and_range(void **state)
{
	struct ctx *c = *state;
	struct iova_space s;

	assert_int_equal(iova_init(&s, 39, &c->mem.ops), IOMMU_OK);
	assert_int_equal(iova_claim(&s, GIB, 2 * MIB), IOMMU_OK);
	assert_int_equal(iova_claim(&s, GIB + 2 * MIB - 4 * KIB, 8 * KIB), IOMMU_ERR_OVERLAP);
	assert_int_equal(iova_claim(&s, GIB - 4 * KIB, 8 * KIB), IOMMU_ERR_OVERLAP);
	assert_int_equal(iova_claim(&s, GIB - 4 * KIB, 4 * KIB), IOMMU_OK);
	assert_int_equal(iova_claim(&s, 1ull << 39, 4 * KIB), IOMMU_ERR_RANGE);
	assert_int_equal(iova_claim(&s, (1ull << 39) - 4 * KIB, 8 * KIB), IOMMU_ERR_RANGE);
	assert_int_equal(iova_claim(&s, (1ull << 39) - 4 * KIB, 4 * KIB), IOMMU_OK);
	assert_int_equal(iova_claim(&s, 4 * KIB + 1, 4 * KIB), IOMMU_ERR_ALIGNMENT);
	assert_int_equal(iova_claim(&s, 4 * KIB, 0), IOMMU_ERR_INVAL);
	iova_fini(&s);
}

static void test_exhaustion_and_free(void **state)
{
	struct ctx *c = *state;
	struct iova_space s;
	uint64_t a, pages = (1ull << 20) / (4 * KIB);

	assert_int_equal(iova_init(&s, 20, &c->mem.ops), IOMMU_OK);
	for (uint64_t i = 0; i < pages; i++) {
		assert_int_equal(iova_alloc(&s, 4 * KIB, 4 * KIB, &a), IOMMU_OK);
		assert_int_equal(a, i * 4 * KIB);
	}
	assert_int_equal(iova_alloc(&s, 4 * KIB, 4 * KIB, &a), IOMMU_ERR_EXHAUSTED);
	assert_int_equal(iova_free(&s, 8 * KIB, 8 * KIB), IOMMU_ERR_NOT_ALLOCATED);
	assert_int_equal(iova_free(&s, 12 * KIB, 4 * KIB), IOMMU_OK);
	assert_int_equal(iova_free(&s, 12 * KIB, 4 * KIB), IOMMU_ERR_NOT_ALLOCATED);
	assert_int_equal(iova_alloc(&s, 8 * KIB, 4 * KIB, &a), IOMMU_ERR_EXHAUSTED);
	assert_int_equal(iova_alloc(&s, 4 * KIB, 4 * KIB, &a), IOMMU_OK);
	assert_int_equal(a, 12 * KIB);
	iova_fini(&s);
	/* A 4 GiB space minus the window cannot hold 4 GiB. */
	assert_int_equal(iova_init(&s, 32, &c->mem.ops), IOMMU_OK);
	assert_int_equal(iova_alloc(&s, 1ull << 31, 1ull << 31, &a), IOMMU_OK);
	assert_int_equal(iova_alloc(&s, 1ull << 31, 4 * KIB, &a), IOMMU_ERR_EXHAUSTED);
	iova_fini(&s);
	assert_int_equal(iova_init(&s, 12, &c->mem.ops), IOMMU_ERR_INVAL);
	assert_int_equal(iova_init(&s, 64, &c->mem.ops), IOMMU_ERR_INVAL);
}

/* Each time the range array must grow, its allocation fails first: nothing changes then. */
static void test_growth_fails_cleanly(void **state)
{
	struct ctx *c = *state;
	struct iova_space s;
	uint64_t a;

	assert_int_equal(iova_init(&s, 39, &c->mem.ops), IOMMU_OK);
	for (uint64_t i = 0; i < 100; i++) {
		if (s.count == s.capacity) {
			c->fail = (struct mock_fail){.nth = 1};
			assert_int_equal(iova_alloc(&s, 4 * KIB, 4 * KIB, &a), IOMMU_ERR_NO_MEMORY);
			c->fail = (struct mock_fail){.nth = 1};
			assert_int_equal(iova_claim(&s, GIB, 4 * KIB), IOMMU_ERR_NO_MEMORY);
			c->fail = (struct mock_fail){.nth = 1};
			assert_int_equal(iova_reserve(&s, 2 * GIB, 4 * KIB), IOMMU_ERR_NO_MEMORY);
			assert_int_equal(s.count, i + 1); /* and the interrupt window */
			c->fail.nth = 0;
		}
		assert_int_equal(iova_alloc(&s, 4 * KIB, 4 * KIB, &a), IOMMU_OK);
		assert_int_equal(a, i * 4 * KIB);
	}
	for (uint64_t i = 0; i < 100; i++)
		assert_int_equal(iova_free(&s, i * 4 * KIB, 4 * KIB), IOMMU_OK);
	assert_int_equal(s.count, 1);
	iova_fini(&s);
	c->fail = (struct mock_fail){.nth = 1};
	assert_int_equal(iova_init(&s, 32, &c->mem.ops), IOMMU_ERR_NO_MEMORY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_alignment_and_lowest_first, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_interrupt_window_never_handed_out, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_rmrr_reserved, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_claim_overlap_and_range, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_exhaustion_and_free, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_growth_fails_cleanly, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
