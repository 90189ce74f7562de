/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Domain IDs: never-used IDs first, in order; exhaustion is
 * IOMMU_ERR_EXHAUSTED; a freed ID is not handed out until the flush after
 * its free completed; then IDs come back least recently freed first; a
 * lowered limit forces reuse; freeing an ID not in use is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain_id.h"
#include "mock_backend.h"

#define SMALL_LIMIT 3u

struct ctx {
	struct mock_mem mem;
	struct deferred_queue q;
	struct domain_id_alloc a;
};

static int setup(void **state)
{
	struct ctx *c = test_calloc(1, sizeof(*c));

	mock_mem_init(&c->mem, NULL);
	deferred_init(&c->q, NULL);
	assert_int_equal(domain_id_init(&c->a, SMALL_LIMIT, &c->q, &c->mem.ops), IOMMU_OK);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	domain_id_fini(&c->a);
	assert_int_equal(mock_mem_fini(&c->mem), 0);
	test_free(c);
	return 0;
}

static void complete_flush(struct deferred_queue *q)
{
	bool global;

	deferred_flush_done(q, deferred_flush_begin(q, &global));
}

static void test_fresh_then_exhausted(void **state)
{
	struct ctx *c = *state;
	uint16_t id;

	for (unsigned want = 1; want <= SMALL_LIMIT; want++) {
		assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_OK);
		assert_int_equal(id, want);
	}
	assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_ERR_EXHAUSTED);
	assert_int_equal(domain_id_available(&c->a), 0);
}

static void test_reuse_only_after_flush_lru_first(void **state)
{
	struct ctx *c = *state;
	uint16_t id;

	for (unsigned i = 0; i < SMALL_LIMIT; i++)
		assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_OK);
	assert_int_equal(domain_id_free(&c->a, 2), IOMMU_OK);
	assert_int_equal(domain_id_free(&c->a, 1), IOMMU_OK);
	/* Freed, but the flush that removes their cached entries has not completed. */
	assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_ERR_EXHAUSTED);
	assert_int_equal(domain_id_available(&c->a), 0);
	complete_flush(&c->q);
	assert_int_equal(domain_id_available(&c->a), 2);
	assert_int_equal(domain_id_free(&c->a, 3), IOMMU_OK);
	assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_OK);
	assert_int_equal(id, 2); /* freed first */
	assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_OK);
	assert_int_equal(id, 1);
	/* 3 was freed after the last flush began: still held. */
	assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_ERR_EXHAUSTED);
	complete_flush(&c->q);
	assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_OK);
	assert_int_equal(id, 3);
}

static void test_failed_flush_holds_ids(void **state)
{
	struct ctx *c = *state;
	uint16_t id;
	bool global;
	uint64_t seq;

	assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_OK);
	assert_int_equal(domain_id_free(&c->a, id), IOMMU_OK);
	for (unsigned i = 1; i < SMALL_LIMIT; i++)
		assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_OK);
	seq = deferred_flush_begin(&c->q, &global);
	deferred_flush_failed(&c->q, seq);
	assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_ERR_EXHAUSTED);
	complete_flush(&c->q); /* the global recovery flush */
	assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_OK);
	assert_int_equal(id, 1);
}

static void test_free_errors(void **state)
{
	struct ctx *c = *state;
	uint16_t id;

	assert_int_equal(domain_id_free(&c->a, 1), IOMMU_ERR_NOT_ALLOCATED);
	assert_int_equal(domain_id_free(&c->a, 0), IOMMU_ERR_NOT_ALLOCATED);
	assert_int_equal(domain_id_free(&c->a, SMALL_LIMIT + 1), IOMMU_ERR_NOT_ALLOCATED);
	assert_int_equal(domain_id_alloc(&c->a, &id), IOMMU_OK);
	assert_int_equal(domain_id_free(&c->a, id), IOMMU_OK);
	assert_int_equal(domain_id_free(&c->a, id), IOMMU_ERR_NOT_ALLOCATED);
	assert_int_equal(deferred_pending(&c->q), 1);
	complete_flush(&c->q);
}

static void test_init_limits(void **state)
{
	struct ctx *c = *state;
	struct domain_id_alloc a;
	struct mock_fail fail = {.nth = 1};
	struct mock_mem mem;

	assert_int_equal(domain_id_init(&a, 0, &c->q, &c->mem.ops), IOMMU_ERR_INVAL);
	assert_int_equal(domain_id_init(&a, DOMAIN_ID_MAX + 1, &c->q, &c->mem.ops),
	                 IOMMU_ERR_INVAL);
	mock_mem_init(&mem, &fail);
	assert_int_equal(domain_id_init(&a, DOMAIN_ID_MAX, &c->q, &mem.ops), IOMMU_ERR_NO_MEMORY);
	assert_int_equal(mock_mem_fini(&mem), 0);
	assert_int_equal(domain_id_init(&a, DOMAIN_ID_MAX, &c->q, &c->mem.ops), IOMMU_OK);
	assert_int_equal(domain_id_available(&a), DOMAIN_ID_MAX);
	domain_id_fini(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_fresh_then_exhausted, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_reuse_only_after_flush_lru_first, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_failed_flush_holds_ids, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_free_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_init_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
