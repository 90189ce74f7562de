/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The interrupt remapping index allocator (irq_index.h): every index
 * handed out once, a freed index not reused until the flush it was
 * queued behind completed (never after a failed wait, only after the
 * global flush that follows), frees that name nothing refused without
 * a change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "irq_index.h"

#define COUNT 4

static struct irq_index_alloc a;
static struct deferred_queue q;

static void setup(void)
{
	deferred_init(&q, NULL);
	assert_int_equal(irq_index_init(&a, COUNT, &q), IOMMU_OK);
}

static void test_init_limits(void **state)
{
	(void)state;
	deferred_init(&q, NULL);
	assert_int_equal(irq_index_init(&a, 0, &q), IOMMU_ERR_INVAL);
	assert_int_equal(irq_index_init(&a, IRQ_INDEX_MAX + 1, &q), IOMMU_ERR_INVAL);
	assert_int_equal(irq_index_init(&a, IRQ_INDEX_MAX, &q), IOMMU_OK);
	assert_int_equal(irq_index_available(&a), IRQ_INDEX_MAX);
}

static void test_each_once_then_exhausted(void **state)
{
	uint32_t got[COUNT], extra = 99;

	(void)state;
	setup();
	for (unsigned i = 0; i < COUNT; i++) {
		assert_int_equal(irq_index_alloc(&a, &got[i]), IOMMU_OK);
		assert_int_equal(got[i], i);
		assert_int_equal(irq_index_state(&a, i), IRQ_INDEX_IN_USE);
	}
	assert_int_equal(irq_index_alloc(&a, &extra), IOMMU_ERR_EXHAUSTED);
	assert_int_equal(extra, 99);
}

/* A freed index waits for its flush: not before, not after a failed one. */
static void test_reuse_after_flush(void **state)
{
	uint32_t idx, again;
	uint64_t seq;
	bool global;

	(void)state;
	setup();
	for (unsigned i = 0; i < COUNT; i++)
		assert_int_equal(irq_index_alloc(&a, &idx), IOMMU_OK);
	assert_int_equal(irq_index_free(&a, 2), IOMMU_OK);
	assert_int_equal(irq_index_state(&a, 2), IRQ_INDEX_QUEUED);
	assert_int_equal(irq_index_available(&a), 0);
	assert_int_equal(irq_index_alloc(&a, &again), IOMMU_ERR_EXHAUSTED);
	/* the flush that covers it fails: still taken */
	seq = deferred_flush_begin(&q, &global);
	deferred_flush_failed(&q, seq);
	assert_int_equal(irq_index_alloc(&a, &again), IOMMU_ERR_EXHAUSTED);
	/* a later selective flush is not enough after a failure; the global one is */
	seq = deferred_flush_begin(&q, &global);
	assert_true(global);
	assert_int_equal(deferred_flush_done(&q, seq), 1);
	assert_int_equal(irq_index_state(&a, 2), IRQ_INDEX_FREE);
	assert_int_equal(irq_index_alloc(&a, &again), IOMMU_OK);
	assert_int_equal(again, 2);
}

/* Only the flush begun after the free covers it. */
static void test_free_after_flush_began(void **state)
{
	uint32_t idx;
	uint64_t first, second;
	bool global;

	(void)state;
	setup();
	for (unsigned i = 0; i < COUNT; i++)
		assert_int_equal(irq_index_alloc(&a, &idx), IOMMU_OK);
	first = deferred_flush_begin(&q, &global);
	assert_int_equal(irq_index_free(&a, 1), IOMMU_OK);
	assert_int_equal(deferred_flush_done(&q, first), 0);
	assert_int_equal(irq_index_state(&a, 1), IRQ_INDEX_QUEUED);
	second = deferred_flush_begin(&q, &global);
	assert_int_equal(deferred_flush_done(&q, second), 1);
	assert_int_equal(irq_index_state(&a, 1), IRQ_INDEX_FREE);
}

/* A released index comes back after the ones never used. */
static void test_reused_late(void **state)
{
	uint32_t idx;
	uint64_t seq;
	bool global;

	(void)state;
	setup();
	assert_int_equal(irq_index_alloc(&a, &idx), IOMMU_OK);
	assert_int_equal(idx, 0);
	assert_int_equal(irq_index_free(&a, 0), IOMMU_OK);
	seq = deferred_flush_begin(&q, &global);
	deferred_flush_done(&q, seq);
	assert_int_equal(irq_index_alloc(&a, &idx), IOMMU_OK);
	assert_int_equal(idx, 1);
}

static void test_bad_free_changes_nothing(void **state)
{
	uint32_t idx;

	(void)state;
	setup();
	assert_int_equal(irq_index_free(&a, 0), IOMMU_ERR_NOT_ALLOCATED);
	assert_int_equal(irq_index_free(&a, COUNT), IOMMU_ERR_RANGE);
	assert_int_equal(irq_index_alloc(&a, &idx), IOMMU_OK);
	assert_int_equal(irq_index_free(&a, idx), IOMMU_OK);
	assert_int_equal(irq_index_free(&a, idx), IOMMU_ERR_NOT_ALLOCATED); /* twice */
	assert_int_equal(deferred_pending(&q), 1);
	assert_int_equal(irq_index_available(&a), COUNT - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_init_limits),
	        cmocka_unit_test(test_each_once_then_exhausted),
	        cmocka_unit_test(test_reuse_after_flush),
	        cmocka_unit_test(test_free_after_flush_began),
	        cmocka_unit_test(test_reused_late),
	        cmocka_unit_test(test_bad_free_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
