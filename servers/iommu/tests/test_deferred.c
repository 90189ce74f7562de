/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The deferred-free queue: an item is released only after the flush begun
 * after it was queued has been reported complete, in queue order; a flush
 * that completes says nothing about items queued after it began; a failed
 * wait releases nothing and makes the next flush global, and only that
 * global flush releases what was queued before the failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "deferred.h"

#define ITEMS 4u

struct rec {
	struct deferred_item item;
	unsigned id;
	unsigned order; /* release position, 0 while held */
};

static unsigned released;

static void rec_release(struct deferred_item *item, void *ctx)
{
	struct rec *r = (struct rec *)item;

	assert_ptr_equal(ctx, &released);
	r->order = ++released;
}

static void recs_init(struct rec *r, unsigned n)
{
	released = 0;
	for (unsigned i = 0; i < n; i++)
		r[i] = (struct rec){.item.release = rec_release, .id = i};
}

static void test_never_before_completion(void **state)
{
	struct deferred_queue q;
	struct rec r[ITEMS];
	bool global;
	uint64_t s1, s2;

	(void)state;
	recs_init(r, ITEMS);
	deferred_init(&q, &released);
	deferred_add(&q, &r[0].item);
	deferred_add(&q, &r[1].item);
	s1 = deferred_flush_begin(&q, &global);
	assert_false(global);
	/* Queued after flush s1 began: s1 does not cover it. */
	deferred_add(&q, &r[2].item);
	assert_int_equal(released, 0);
	assert_int_equal(deferred_flush_done(&q, s1), 2);
	assert_int_equal(r[0].order, 1);
	assert_int_equal(r[1].order, 2);
	assert_int_equal(r[2].order, 0);
	assert_int_equal(deferred_pending(&q), 1);
	s2 = deferred_flush_begin(&q, &global);
	/* Reporting an old or unknown flush again releases nothing. */
	assert_int_equal(deferred_flush_done(&q, s1), 0);
	assert_int_equal(deferred_flush_done(&q, s2 + 1), 0);
	assert_int_equal(r[2].order, 0);
	assert_int_equal(deferred_flush_done(&q, s2), 1);
	assert_int_equal(r[2].order, 3);
	assert_int_equal(deferred_pending(&q), 0);
}

static void test_failed_wait_holds_until_global(void **state)
{
	struct deferred_queue q;
	struct rec r[ITEMS];
	bool global;
	uint64_t s1, s2, s3;

	(void)state;
	recs_init(r, ITEMS);
	deferred_init(&q, &released);
	deferred_add(&q, &r[0].item);
	s1 = deferred_flush_begin(&q, &global);
	deferred_flush_failed(&q, s1);
	assert_int_equal(released, 0);
	/* A flush begun after the failure must be global. */
	deferred_add(&q, &r[1].item);
	s2 = deferred_flush_begin(&q, &global);
	assert_true(global);
	s3 = deferred_flush_begin(&q, &global);
	assert_true(global);
	/* The global one asked for last is the one that clears the failure. */
	assert_int_equal(deferred_flush_done(&q, s2), 0);
	assert_int_equal(released, 0);
	assert_int_equal(deferred_flush_done(&q, s3), 2);
	assert_int_equal(r[0].order, 1);
	assert_int_equal(r[1].order, 2);
	s1 = deferred_flush_begin(&q, &global);
	assert_false(global);
}

static void test_list_splice(void **state)
{
	struct deferred_queue q;
	struct deferred_list l;
	struct rec r[ITEMS];
	bool global;

	(void)state;
	recs_init(r, ITEMS);
	deferred_init(&q, &released);
	deferred_list_init(&l);
	for (unsigned i = 0; i < ITEMS; i++)
		deferred_list_push(&l, &r[i].item);
	assert_int_equal(l.count, ITEMS);
	deferred_add_list(&q, &l);
	assert_int_equal(l.count, 0);
	assert_null(l.head);
	assert_int_equal(deferred_pending(&q), ITEMS);
	assert_int_equal(deferred_flush_done(&q, deferred_flush_begin(&q, &global)), ITEMS);
	for (unsigned i = 0; i < ITEMS; i++)
		assert_int_equal(r[i].order, i + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_never_before_completion),
	        cmocka_unit_test(test_failed_wait_holds_until_global),
	        cmocka_unit_test(test_list_splice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
