/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fault injection, after iommufd's fail_nth selftests: each scenario is
 * run with its Nth counted step failing (page and bookkeeping
 * allocations, queue operations, waits), N = 1, 2, ... until a run
 * completes without the failure firing. After each failed run the
 * invariants are checked: the call reported the failure, the tree and the
 * memory are exactly as before (nothing changed, nothing leaked, nothing
 * released early), and tearing the fixture down frees every page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "fixture.h"

#define MAX_SWEEP 64u
#define FAR_IOVA  0x7f00000000ull /* inside 39 bits, far from the rest */

struct scenario {
	void (*prepare)(struct fixture *f);
	enum iommu_err (*op)(struct fixture *f);
	void (*check_done)(struct fixture *f);
	enum iommu_err fail_err;     /* what the call returns when the failure fired */
	enum iommu_err fail_err_alt; /* or this (a queue operation rather than a wait) */
};

/* A domain configuration to sweep in. */
struct domain_cfg {
	unsigned width;
	unsigned max_leaf;
	void (*tweak)(struct iommu_caps *caps);
};

static void non_coherent(struct iommu_caps *caps)
{
	caps->coherent_walk = false;
}

static void caching_mode(struct iommu_caps *caps)
{
	caps->caching_mode = true;
}

static const struct domain_cfg base_cfg = {48, IOMMU_LEAF_1G, NULL};
static const struct domain_cfg other_cfgs[] = {
        {48, IOMMU_LEAF_1G, non_coherent},
        {39, IOMMU_LEAF_2M, caching_mode},
};

/* Runs the sweep; returns how many runs failed before one completed. */
static unsigned sweep_in(const struct scenario *s, const struct domain_cfg *cfg)
{
	struct snapshot *before = malloc(sizeof(*before)), *after = malloc(sizeof(*after));
	unsigned nth;

	for (nth = 1; nth < MAX_SWEEP; nth++) {
		struct fixture *f = fixture_new(cfg->width, cfg->max_leaf, cfg->tweak);
		enum iommu_err err;
		bool fired;

		s->prepare(f);
		snapshot_take(f, before);
		f->fail = (struct mock_fail){.nth = nth};
		err = s->op(f);
		fired = f->fail.fired;
		f->fail.nth = 0;
		assert_true(fixture_verify(f));
		assert_true(fixture_hw_agrees(f));
		if (!fired) {
			assert_int_equal(err, IOMMU_OK);
			s->check_done(f);
			assert_int_equal(fixture_free(f), 0);
			break;
		}
		assert_true(err == s->fail_err || err == s->fail_err_alt);
		snapshot_take(f, after);
		assert_true(snapshot_equal(before, after));
		assert_int_equal(f->unit.walk_errors, 0);
		assert_int_equal(fixture_free(f), 0);
	}
	if (nth >= MAX_SWEEP)
		print_message("sweep did not finish: width %u, max leaf %u\n", cfg->width,
		              cfg->max_leaf);
	assert_true(nth < MAX_SWEEP);
	free(before);
	free(after);
	return nth - 1;
}

/* The sweep in the base configuration (count returned) and in every other one. */
static unsigned sweep(const struct scenario *s)
{
	for (unsigned i = 0; i < sizeof(other_cfgs) / sizeof(other_cfgs[0]); i++)
		assert_true(sweep_in(s, &other_cfgs[i]) >= 1);
	return sweep_in(s, &base_cfg);
}

static void prepare_neighbour(struct fixture *f)
{
	assert_int_equal(iopt_map(&f->pt, 3 * GIB, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
}

#define MIXED_IOVA (GIB - 8 * KIB)
#define MIXED_SIZE (GIB + 2 * MIB + 24 * KIB)

/* 4 KiB, 1 GiB, 2 MiB and 4 KiB leaves across three 1 GiB-level entries. */
static enum iommu_err op_map_mixed(struct fixture *f)
{
	iopt_changes_init(&f->changes);
	return iopt_map(&f->pt, MIXED_IOVA, FIX_PHYS + MIXED_IOVA, MIXED_SIZE, FIX_RW, &f->changes);
}

static void check_map_mixed(struct fixture *f)
{
	assert_true(fixture_maps(f, MIXED_IOVA, FIX_PHYS + MIXED_IOVA, 8 * KIB, FIX_RW));
	assert_true(
	        fixture_maps(f, 2 * GIB - 4 * MIB, FIX_PHYS + 2 * GIB - 4 * MIB, 6 * MIB, FIX_RW));
	assert_true(fixture_maps(f, MIXED_IOVA + MIXED_SIZE - 16 * KIB,
	                         FIX_PHYS + MIXED_IOVA + MIXED_SIZE - 16 * KIB, 16 * KIB, FIX_RW));
	assert_true(fixture_unmapped(f, MIXED_IOVA + MIXED_SIZE, 4 * KIB));
	assert_true(fixture_maps(f, 3 * GIB, FIX_PHYS, 4 * KIB, FIX_RW));
}

static void prepare_two_gib(struct fixture *f)
{
	assert_int_equal(iopt_map(&f->pt, GIB, FIX_PHYS, 2 * GIB, FIX_RW, &f->changes), IOMMU_OK);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
}

/* Across the boundary of two 1 GiB leaves: each split twice. */
static enum iommu_err op_unmap_splits(struct fixture *f)
{
	iopt_changes_init(&f->changes);
	return iopt_unmap(&f->pt, 2 * GIB - 8 * KIB, 16 * KIB, &f->changes);
}

static void check_unmap_splits(struct fixture *f)
{
	assert_true(fixture_unmapped(f, 2 * GIB - 8 * KIB, 16 * KIB));
	assert_true(fixture_maps(f, 2 * GIB - 4 * MIB, FIX_PHYS + GIB - 4 * MIB, 4 * MIB - 8 * KIB,
	                         FIX_RW));
	assert_true(fixture_maps(f, 2 * GIB + 8 * KIB, FIX_PHYS + GIB + 8 * KIB, 4 * MIB, FIX_RW));
	if (f->pt.cfg.levels == 4 && f->pt.cfg.max_leaf_level == IOMMU_LEAF_1G)
		assert_int_equal(f->pt.tables, 6); /* root, level 3, two level-2, two level-1 */
}

/* Leaves three tables to free behind the next flush. */
static void prepare_freed_tables(struct fixture *f)
{
	assert_int_equal(iopt_map(&f->pt, FAR_IOVA, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(iopt_unmap(&f->pt, FAR_IOVA, 4 * KIB, &f->changes), IOMMU_OK);
}

static enum iommu_err op_flush(struct fixture *f)
{
	return fixture_flush(f);
}

static void check_flush(struct fixture *f)
{
	assert_int_equal(deferred_pending(&f->queue), 0);
	assert_int_equal(f->pt.tables, 1);
}

/* A destroyed domain: its tables and ID wait for the flush that ends it. */
static void prepare_domain_gone(struct fixture *f)
{
	assert_int_equal(iopt_map(&f->pt, FAR_IOVA, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	mock_unit_ops.block(f->ref.unit, FIX_SOURCE);
	assert_int_equal(mock_unit_ops.wait(f->ref.unit), IOMMU_OK);
	iopt_destroy(&f->pt, &f->changes);
	assert_int_equal(domain_id_free(&f->ids, FIX_DOMAIN), IOMMU_OK);
}

static enum iommu_err op_domain_gone(struct fixture *f)
{
	return iommu_inv_flush_domain_gone(&f->queue, &f->ref, 1, FIX_DOMAIN, &f->changes);
}

static void check_domain_gone(struct fixture *f)
{
	assert_int_equal(f->mem.pages_live, 0);
	assert_int_equal(domain_id_available(&f->ids), FIX_IDS);
}

static void test_sweep_map(void **state)
{
	const struct scenario s = {prepare_neighbour, op_map_mixed, check_map_mixed,
	                           IOMMU_ERR_NO_MEMORY, IOMMU_ERR_NO_MEMORY};

	(void)state;
	/* Tables for levels 2, 1, 2, 1 (level 3 exists): a record and a page each. */
	assert_int_equal(sweep(&s), 8);
}

static void test_sweep_unmap_split(void **state)
{
	const struct scenario s = {prepare_two_gib, op_unmap_splits, check_unmap_splits,
	                           IOMMU_ERR_NO_MEMORY, IOMMU_ERR_NO_MEMORY};

	(void)state;
	assert_int_equal(sweep(&s), 8);
}

/* Queue operations and waits fail in turn: never a release before a completed flush. */
static void test_sweep_flush(void **state)
{
	const struct scenario s = {prepare_freed_tables, op_flush, check_flush, IOMMU_ERR_TIMEOUT,
	                           IOMMU_ERR_HARDWARE};

	(void)state;
	assert_true(sweep(&s) >= 1);
}

/* Context and IOTLB invalidation of a dead domain's ID fail in turn: nothing comes back early. */
static void test_sweep_domain_gone(void **state)
{
	const struct scenario s = {prepare_domain_gone, op_domain_gone, check_domain_gone,
	                           IOMMU_ERR_TIMEOUT, IOMMU_ERR_HARDWARE};

	(void)state;
	assert_int_equal(sweep(&s), 3); /* context, IOTLB, wait */
}

static void test_sweep_init(void **state)
{
	(void)state;
	for (unsigned nth = 1;; nth++) {
		struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
		struct iopt pt;
		enum iommu_err err;

		f->fail = (struct mock_fail){.nth = nth};
		err = iopt_init(&pt, &f->pt.cfg);
		if (!f->fail.fired) {
			assert_int_equal(err, IOMMU_OK);
			iopt_destroy(&pt, &f->changes);
			assert_int_equal(nth, 3);
			assert_int_equal(fixture_free(f), 0);
			break;
		}
		assert_int_equal(err, IOMMU_ERR_NO_MEMORY);
		assert_int_equal(fixture_free(f), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sweep_map),   cmocka_unit_test(test_sweep_unmap_split),
	        cmocka_unit_test(test_sweep_flush), cmocka_unit_test(test_sweep_domain_gone),
	        cmocka_unit_test(test_sweep_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
