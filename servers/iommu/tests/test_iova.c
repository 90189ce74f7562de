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
#include <string.h>

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

/* The range in the way of a refused claim: the allocation, or the reserved window. */
static void test_first_busy_names_the_range(void **state)
{
	struct ctx *c = *state;
	struct iova_space s;
	struct iova_range r;

	assert_int_equal(iova_init(&s, 39, &c->mem.ops), IOMMU_OK);
	assert_int_equal(iova_claim(&s, GIB, 2 * MIB), IOMMU_OK);
	assert_false(iova_first_busy(&s, GIB - 4 * KIB, 4 * KIB, &r));
	assert_false(iova_first_busy(&s, GIB + 2 * MIB, 4 * KIB, &r));
	assert_true(iova_first_busy(&s, GIB - 4 * KIB, 8 * KIB, &r));
	assert_true(r.start == GIB && r.size == 2 * MIB && !r.reserved);
	assert_true(iova_first_busy(&s, IOVA_MSI_WINDOW_START - 4 * KIB, 1 * GIB, &r));
	assert_true(r.start == IOVA_MSI_WINDOW_START && r.size == IOVA_MSI_WINDOW_SIZE &&
	            r.reserved);
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

#define MODEL_WIDTH 24u /* 16 MiB: 4096 pages */
#define MODEL_PAGES (1u << (MODEL_WIDTH - 12))
#define MODEL_OPS   20000u
#define MODEL_LIVE  64u
#define MODEL_SEED  0x2545f4914f6cdd1dull

enum page_state { PAGE_FREE, PAGE_ALLOCATED, PAGE_RESERVED };

struct iova_model {
	uint8_t page[MODEL_PAGES];
	struct iova_range live[MODEL_LIVE];
	unsigned live_count;
	uint64_t rng;
	unsigned exhausted, refused; /* outcomes the sequence must have exercised */
};

static uint64_t model_rnd(struct iova_model *m, uint64_t n)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng % n;
}

/* What every page holds, or false if [start, start+size) has any page not in state st. */
static bool model_all(const struct iova_model *m, uint64_t start, uint64_t size, uint8_t st)
{
	for (uint64_t p = start / (4 * KIB); p < (start + size) / (4 * KIB); p++) {
		if (m->page[p] != st)
			return false;
	}
	return true;
}

static bool model_any(const struct iova_model *m, uint64_t start, uint64_t size, uint8_t st)
{
	for (uint64_t p = start / (4 * KIB); p < (start + size) / (4 * KIB); p++) {
		if (m->page[p] == st)
			return true;
	}
	return false;
}

static void model_set(struct iova_model *m, uint64_t start, uint64_t size, uint8_t st)
{
	memset(&m->page[start / (4 * KIB)], st, size / (4 * KIB));
}

/* The lowest aligned free run the model has, or false. */
static bool model_first_fit(const struct iova_model *m, uint64_t size, uint64_t align, uint64_t *at)
{
	for (uint64_t a = 0; a + size <= (1ull << MODEL_WIDTH); a += align) {
		if (model_all(m, a, size, PAGE_FREE)) {
			*at = a;
			return true;
		}
	}
	return false;
}

static void model_step(struct iova_space *s, struct iova_model *m)
{
	uint64_t size = (1 + model_rnd(m, 8)) * 4 * KIB << model_rnd(m, 4);
	uint64_t align = 4 * KIB << model_rnd(m, 6), start, want, got;
	uint64_t r = model_rnd(m, 10);

	if (r < 4 && m->live_count < MODEL_LIVE) {
		bool fits = model_first_fit(m, size, align, &want);

		assert_int_equal(iova_alloc(s, size, align, &got),
		                 fits ? IOMMU_OK : IOMMU_ERR_EXHAUSTED);
		if (!fits) {
			m->exhausted++;
			return;
		}
		assert_int_equal(got, want);
		model_set(m, got, size, PAGE_ALLOCATED);
		m->live[m->live_count++] = (struct iova_range){got, size, false};
	} else if (r < 8 && m->live_count) {
		unsigned i = (unsigned)model_rnd(m, m->live_count);

		assert_int_equal(iova_free(s, m->live[i].start, m->live[i].size + 4 * KIB),
		                 IOMMU_ERR_NOT_ALLOCATED);
		assert_int_equal(iova_free(s, m->live[i].start, m->live[i].size), IOMMU_OK);
		model_set(m, m->live[i].start, m->live[i].size, PAGE_FREE);
		m->live[i] = m->live[--m->live_count];
	} else if (r < 9 && m->live_count < MODEL_LIVE) {
		start = model_rnd(m, MODEL_PAGES) * 4 * KIB;
		size = start + size > (1ull << MODEL_WIDTH) ? (1ull << MODEL_WIDTH) - start : size;
		if (model_all(m, start, size, PAGE_FREE)) {
			assert_int_equal(iova_claim(s, start, size), IOMMU_OK);
			model_set(m, start, size, PAGE_ALLOCATED);
			m->live[m->live_count++] = (struct iova_range){start, size, false};
		} else {
			assert_int_equal(iova_claim(s, start, size),
			                 model_any(m, start, size, PAGE_RESERVED)
			                         ? IOMMU_ERR_RESERVED
			                         : IOMMU_ERR_OVERLAP);
			m->refused++;
		}
	} else if (r == 9) {
		start = model_rnd(m, MODEL_PAGES) * 4 * KIB;
		size = 4 * KIB;
		bool clash = !model_all(m, start, size, PAGE_FREE) &&
		             !model_all(m, start, size, PAGE_RESERVED);

		assert_int_equal(iova_reserve(s, start, size),
		                 clash ? IOMMU_ERR_OVERLAP : IOMMU_OK);
		if (!clash)
			model_set(m, start, size, PAGE_RESERVED);
	}
}

/* Random allocations, claims, frees and reservations against a per-page model. */
static void test_against_model(void **state)
{
	struct ctx *c = *state;
	struct iova_space s;
	struct iova_model *m = test_calloc(1, sizeof(*m));

	m->rng = MODEL_SEED;
	assert_int_equal(iova_init(&s, MODEL_WIDTH, &c->mem.ops), IOMMU_OK);
	for (unsigned i = 0; i < MODEL_OPS; i++)
		model_step(&s, m);
	assert_true(m->exhausted > 0 && m->refused > 0);
	for (unsigned i = 0; i + 1 < s.count; i++)
		assert_true(s.busy[i].start + s.busy[i].size <= s.busy[i + 1].start);
	for (uint64_t p = 0; p < MODEL_PAGES; p++)
		assert_int_equal(iova_meets_reserved(&s, p * 4 * KIB, 4 * KIB),
		                 m->page[p] == PAGE_RESERVED);
	iova_fini(&s);
	test_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_alignment_and_lowest_first, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_interrupt_window_never_handed_out, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_rmrr_reserved, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_claim_overlap_and_range, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_first_busy_names_the_range, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_exhaustion_and_free, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_growth_fails_cleanly, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_against_model, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
