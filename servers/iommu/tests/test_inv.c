/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Invalidation accounting against the mock unit, the figures the IOMMU
 * benchmark targets: a 4 KiB map at caching mode 0 writes one entry and
 * queues nothing; an unmap queues one page-selective invalidation and
 * pays one wait; a batch of 512 pages pays one wait. Also: caching mode,
 * the fall-back to domain-selective invalidation, and a timed-out wait
 * that releases nothing and makes the next flush global.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "domain_id.h"
#include "fixture.h"

#define IOVA_A      0x40000000ull
#define BATCH_PAGES 512u

static void caching_mode(struct iommu_caps *caps)
{
	caps->caching_mode = true;
}

static void no_psi(struct iommu_caps *caps)
{
	caps->page_selective = false;
}

static void small_mamv(struct iommu_caps *caps)
{
	caps->max_inv_order = 4;
}

static void test_order(void **state)
{
	(void)state;
	assert_int_equal(iommu_inv_order(IOVA_A, 4 * KIB), 0);
	assert_int_equal(iommu_inv_order(IOVA_A, 8 * KIB), 1);
	assert_int_equal(iommu_inv_order(IOVA_A + 4 * KIB, 8 * KIB), 2); /* straddles */
	assert_int_equal(iommu_inv_order(IOVA_A, 2 * MIB), 9);
	assert_int_equal(iommu_inv_order(IOVA_A, GIB), 18);
}

/* Map into a table that exists: one entry written, no invalidation, no wait. */
static void test_map_4k_cm0_costs_one_pte(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	mock_unit_reset_counters(&f->unit);
	assert_int_equal(iopt_map(&f->pt, IOVA_A + 4 * KIB, FIX_PHYS + 4 * KIB, 4 * KIB, FIX_RW,
	                          &f->changes),
	                 IOMMU_OK);
	assert_int_equal(f->changes.ptes_written, 1);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(mock_unit_invalidations(&f->unit), 0);
	assert_int_equal(f->unit.waits, 0);
	assert_true(fixture_maps(f, IOVA_A + 4 * KIB, FIX_PHYS + 4 * KIB, 4 * KIB, FIX_RW));
	assert_int_equal(fixture_free(f), 0);
}

static void test_map_cm1_invalidates(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, caching_mode);

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(f->unit.inv[MOCK_INV_IOTLB_PAGES], 1);
	assert_int_equal(mock_unit_invalidations(&f->unit), 1);
	assert_int_equal(f->unit.log[0].iova, IOVA_A);
	assert_int_equal(f->unit.log[0].order, 0);
	assert_int_equal(f->unit.log[0].domain_id, FIX_DOMAIN);
	assert_int_equal(f->unit.waits, 1);
	assert_int_equal(fixture_free(f), 0);
}

static void test_unmap_one_psi_one_wait(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 8 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	mock_unit_reset_counters(&f->unit);
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A + 4 * KIB, 4 * KIB, &f->changes), IOMMU_OK);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(f->unit.inv[MOCK_INV_IOTLB_PAGES], 1);
	assert_int_equal(mock_unit_invalidations(&f->unit), 1);
	assert_int_equal(f->unit.log[0].iova, IOVA_A + 4 * KIB);
	assert_int_equal(f->unit.log[0].order, 0);
	assert_int_equal(f->unit.waits, 1);
	assert_int_equal(fixture_free(f), 0);
}

/* 512 pages mapped then unmapped one call each, in one request: one invalidation, one wait. */
static void test_batch_512_one_wait(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);

	(void)state;
	for (unsigned i = 0; i < BATCH_PAGES; i++) {
		uint64_t off = (uint64_t)i * 4 * KIB;

		/* Odd physical pages: no merge, 512 separate leaves. */
		assert_int_equal(iopt_map(&f->pt, IOVA_A + off, FIX_PHYS + 2 * off, 4 * KIB, FIX_RW,
		                          &f->changes),
		                 IOMMU_OK);
	}
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(f->unit.waits, 0);
	for (unsigned i = 0; i < BATCH_PAGES; i++)
		assert_int_equal(
		        iopt_unmap(&f->pt, IOVA_A + (uint64_t)i * 4 * KIB, 4 * KIB, &f->changes),
		        IOMMU_OK);
	assert_int_equal(f->changes.inv_count, 1);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(f->unit.waits, 1);
	assert_int_equal(mock_unit_invalidations(&f->unit), 1);
	assert_int_equal(f->unit.log[0].order, 9);
	assert_true(fixture_unmapped(f, IOVA_A, 2 * MIB));
	assert_int_equal(fixture_free(f), 0);
}

/* Ranges beyond what page-selective invalidation can express invalidate the domain. */
static void test_domain_selective_fallbacks(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, no_psi);
	struct fixture *g = fixture_new(48, IOMMU_LEAF_1G, small_mamv);
	struct fixture *h = fixture_new(48, IOMMU_LEAF_1G, NULL);

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A, 4 * KIB, &f->changes), IOMMU_OK);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(f->unit.inv[MOCK_INV_IOTLB_DOMAIN], 1);
	assert_int_equal(mock_unit_invalidations(&f->unit), 1);
	assert_int_equal(iopt_map(&g->pt, IOVA_A, FIX_PHYS, 2 * MIB, FIX_RW, &g->changes),
	                 IOMMU_OK);
	assert_int_equal(iopt_unmap(&g->pt, IOVA_A, 2 * MIB, &g->changes), IOMMU_OK);
	assert_int_equal(fixture_flush(g), IOMMU_OK);
	assert_int_equal(g->unit.inv[MOCK_INV_IOTLB_DOMAIN], 1);
	assert_int_equal(g->unit.inv[MOCK_INV_IOTLB_PAGES], 0);
	/* More separate ranges than a report holds. */
	for (unsigned i = 0; i <= IOPT_INV_RANGES; i++) {
		uint64_t iova = IOVA_A + (uint64_t)i * 2 * MIB;

		assert_int_equal(iopt_map(&h->pt, iova, FIX_PHYS, 4 * KIB, FIX_RW, &h->changes),
		                 IOMMU_OK);
		assert_int_equal(iopt_unmap(&h->pt, iova, 4 * KIB, &h->changes), IOMMU_OK);
	}
	assert_true(h->changes.inv_all);
	assert_int_equal(fixture_flush(h), IOMMU_OK);
	assert_int_equal(h->unit.inv[MOCK_INV_IOTLB_DOMAIN], 1);
	assert_int_equal(mock_unit_invalidations(&h->unit), 1);
	assert_int_equal(fixture_free(f), 0);
	assert_int_equal(fixture_free(g), 0);
	assert_int_equal(fixture_free(h), 0);
}

/* XSA-373 and XSA-346: a timed-out wait frees nothing; the next flush is global. */
static void test_timeout_releases_nothing(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	unsigned pages;

	(void)state;
	assert_int_equal(
	        iopt_map(&f->pt, 0x7f0000000000ull, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	        IOMMU_OK);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	pages = f->mem.pages_live;
	assert_int_equal(iopt_unmap(&f->pt, 0x7f0000000000ull, 4 * KIB, &f->changes), IOMMU_OK);
	f->unit.wait_times_out = true;
	assert_int_equal(fixture_flush(f), IOMMU_ERR_TIMEOUT);
	assert_int_equal(f->mem.pages_live, pages);
	assert_int_equal(deferred_pending(&f->queue), 3);
	/* Still timing out: still nothing freed, even with nothing new to flush. */
	assert_int_equal(fixture_flush(f), IOMMU_ERR_TIMEOUT);
	assert_int_equal(f->mem.pages_live, pages);
	f->unit.wait_times_out = false;
	mock_unit_reset_counters(&f->unit);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(f->unit.inv[MOCK_INV_IOTLB_GLOBAL], 1);
	assert_int_equal(f->unit.inv[MOCK_INV_CONTEXT_GLOBAL], 1);
	assert_int_equal(f->mem.pages_live, pages - 3);
	assert_int_equal(deferred_pending(&f->queue), 0);
	assert_int_equal(fixture_free(f), 0);
}

/* A domain on two units: both invalidated and waited, once each. */
static void test_two_units(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	struct mock_unit *second = calloc(1, sizeof(*second));
	struct iommu_caps caps;
	struct iommu_unit_ref refs[2];

	(void)state;
	mock_unit_init(second, &f->mem, NULL);
	mock_unit_ops.caps(mock_unit_handle(second), &caps);
	refs[0] = f->ref;
	refs[1] = (struct iommu_unit_ref){&mock_unit_ops, mock_unit_handle(second), &caps};
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A, 4 * KIB, &f->changes), IOMMU_OK);
	assert_int_equal(iommu_inv_flush(&f->queue, refs, 2, FIX_DOMAIN, &f->changes), IOMMU_OK);
	assert_int_equal(f->unit.inv[MOCK_INV_IOTLB_PAGES], 1);
	assert_int_equal(second->inv[MOCK_INV_IOTLB_PAGES], 1);
	assert_int_equal(f->unit.waits, 1);
	assert_int_equal(second->waits, 1);
	/* One unit times out: the flush fails and nothing is released. */
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A, 4 * KIB, &f->changes), IOMMU_OK);
	second->wait_times_out = true;
	assert_int_equal(iommu_inv_flush(&f->queue, refs, 2, FIX_DOMAIN, &f->changes),
	                 IOMMU_ERR_TIMEOUT);
	assert_int_equal(f->unit.waits, 2); /* the other unit was still waited on */
	assert_int_equal(deferred_pending(&f->queue), 3);
	free(second);
	assert_int_equal(fixture_free(f), 0);
}

/*
 * Destroying a domain: its tables and its ID come back only after every
 * unit it was on invalidated the ID's context-cache and IOTLB entries.
 */
static void test_domain_gone(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	struct mock_unit *second = calloc(1, sizeof(*second));
	struct domain_id_alloc ids;
	struct iommu_caps caps;
	struct iommu_unit_ref refs[2];
	uint16_t id;

	(void)state;
	mock_unit_init(second, &f->mem, NULL);
	mock_unit_ops.caps(mock_unit_handle(second), &caps);
	refs[0] = f->ref;
	refs[1] = (struct iommu_unit_ref){&mock_unit_ops, mock_unit_handle(second), &caps};
	assert_int_equal(domain_id_init(&ids, 1, &f->queue, &f->mem.ops), IOMMU_OK);
	assert_int_equal(domain_id_alloc(&ids, &id), IOMMU_OK);
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	iopt_destroy(&f->pt, &f->changes);
	assert_int_equal(domain_id_free(&ids, id), IOMMU_OK);
	second->wait_times_out = true;
	assert_int_equal(iommu_inv_flush_domain_gone(&f->queue, refs, 2, id, &f->changes),
	                 IOMMU_ERR_TIMEOUT);
	assert_int_equal(f->unit.inv[MOCK_INV_CONTEXT_DOMAIN], 1);
	assert_int_equal(f->unit.inv[MOCK_INV_IOTLB_DOMAIN], 1);
	assert_int_equal(domain_id_alloc(&ids, &id), IOMMU_ERR_EXHAUSTED);
	assert_int_equal(f->mem.pages_live, 4); /* root and three tables, held */
	second->wait_times_out = false;
	assert_int_equal(iommu_inv_flush_domain_gone(&f->queue, refs, 2, id, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(second->inv[MOCK_INV_IOTLB_GLOBAL], 1); /* recovery is global */
	assert_int_equal(second->inv[MOCK_INV_CONTEXT_GLOBAL], 1);
	assert_int_equal(f->mem.pages_live, 0);
	assert_int_equal(domain_id_alloc(&ids, &id), IOMMU_OK);
	/* Without a failure: domain-selective context and IOTLB on each unit, one wait each. */
	mock_unit_reset_counters(&f->unit);
	mock_unit_reset_counters(second);
	assert_int_equal(domain_id_free(&ids, id), IOMMU_OK);
	assert_int_equal(iommu_inv_flush_domain_gone(&f->queue, refs, 2, id, &f->changes),
	                 IOMMU_OK);
	for (unsigned u = 0; u < 2; u++) {
		struct mock_unit *m = u ? second : &f->unit;

		assert_int_equal(m->inv[MOCK_INV_CONTEXT_DOMAIN], 1);
		assert_int_equal(m->inv[MOCK_INV_IOTLB_DOMAIN], 1);
		assert_int_equal(mock_unit_invalidations(m), 2);
		assert_int_equal(m->waits, 1);
	}
	assert_int_equal(domain_id_available(&ids), 1);
	domain_id_fini(&ids);
	free(second);
	assert_int_equal(fixture_free(f), 0);
}

/* What a device gets at iova: phys, or 0 when its DMA is blocked. */
static uint64_t dma(struct fixture *f, uint64_t iova)
{
	uint64_t phys;
	unsigned rights;

	return mock_dma(&f->unit, FIX_SOURCE, iova, &phys, &rights) == IOMMU_OK ? phys : 0;
}

/* The mock's IOTLB keeps a translation until the flush; the core's flush removes it. */
static void test_unmapped_page_stale_until_flush(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(dma(f, IOVA_A), FIX_PHYS);
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A, 4 * KIB, &f->changes), IOMMU_OK);
	assert_int_equal(dma(f, IOVA_A), FIX_PHYS); /* stale: not invalidated yet */
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(dma(f, IOVA_A), 0);
	assert_int_equal(fixture_free(f), 0);
}

/* A cached 2 MiB translation goes when one page of it is unmapped; the rest still works. */
static void test_split_drops_cached_superpage(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	uint64_t hole = IOVA_A + 300 * 4 * KIB;

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 2 * MIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(dma(f, IOVA_A), FIX_PHYS);
	assert_int_equal(iopt_unmap(&f->pt, hole, 4 * KIB, &f->changes), IOMMU_OK);
	assert_int_equal(dma(f, hole), FIX_PHYS + (hole - IOVA_A)); /* through the 2 MiB entry */
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(dma(f, hole), 0);
	assert_int_equal(dma(f, hole + 4 * KIB), FIX_PHYS + (hole - IOVA_A) + 4 * KIB);
	assert_int_equal(dma(f, IOVA_A), FIX_PHYS);
	assert_int_equal(fixture_free(f), 0);
}

/* Caching mode caches misses: a new mapping is invisible until the core invalidates it. */
static void test_caching_mode_miss_cached(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, caching_mode);
	struct fixture *g = fixture_new(48, IOMMU_LEAF_1G, NULL);

	(void)state;
	assert_int_equal(dma(f, IOVA_A), 0);
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(dma(f, IOVA_A), 0); /* the cached miss */
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(dma(f, IOVA_A), FIX_PHYS);
	/* Without caching mode a miss is not cached: no invalidation needed. */
	assert_int_equal(dma(g, IOVA_A), 0);
	assert_int_equal(iopt_map(&g->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &g->changes),
	                 IOMMU_OK);
	assert_int_equal(dma(g, IOVA_A), FIX_PHYS);
	assert_int_equal(fixture_free(f), 0);
	assert_int_equal(fixture_free(g), 0);
}

/* A timed-out wait may have done nothing: the translation stays until the global flush. */
static void test_timeout_leaves_stale_until_global(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(dma(f, IOVA_A), FIX_PHYS);
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A, 4 * KIB, &f->changes), IOMMU_OK);
	f->unit.wait_times_out = true;
	assert_int_equal(fixture_flush(f), IOMMU_ERR_TIMEOUT);
	assert_int_equal(dma(f, IOVA_A), FIX_PHYS);
	f->unit.wait_times_out = false;
	assert_int_equal(fixture_flush(f), IOMMU_OK); /* nothing new: global because poisoned */
	assert_int_equal(dma(f, IOVA_A), 0);
	assert_int_equal(fixture_free(f), 0);
}

/*
 * A merge frees a level-1 table that the unit may still hold a cached
 * pointer to: after the flush that releases the table, no walk may go
 * through it (XSA-346).
 */
static void test_merged_table_not_walked_after_release(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	uint64_t last = 2 * MIB - 4 * KIB;

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, last, FIX_RW, &f->changes), IOMMU_OK);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(dma(f, IOVA_A), FIX_PHYS); /* caches the pointer to the table */
	assert_int_equal(
	        iopt_map(&f->pt, IOVA_A + last, FIX_PHYS + last, 4 * KIB, FIX_RW, &f->changes),
	        IOMMU_OK);
	assert_int_equal(f->changes.freed.count, 1);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(deferred_pending(&f->queue), 0); /* the table is released */
	assert_int_equal(dma(f, IOVA_A + 5 * 4 * KIB), FIX_PHYS + 5 * 4 * KIB);
	assert_int_equal(f->unit.walk_errors, 0);
	assert_int_equal(fixture_free(f), 0);
}

/*
 * A domain ID reused for a new domain: the device's DMA never reaches the
 * old domain's memory through a translation cached under the same ID.
 */
static void test_reused_domain_id_no_stale(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	struct iopt_config cfg = f->pt.cfg;
	uint16_t id;

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(dma(f, IOVA_A), FIX_PHYS);
	for (unsigned i = 1; i < FIX_IDS; i++) /* hold every other ID: the next must be reused */
		assert_int_equal(domain_id_alloc(&f->ids, &id), IOMMU_OK);
	assert_int_equal(mock_unit_ops.block(f->ref.unit, FIX_SOURCE), IOMMU_OK);
	assert_int_equal(mock_unit_ops.wait(f->ref.unit), IOMMU_OK);
	iopt_destroy(&f->pt, &f->changes);
	assert_int_equal(domain_id_free(&f->ids, FIX_DOMAIN), IOMMU_OK);
	assert_int_equal(
	        iommu_inv_flush_domain_gone(&f->queue, &f->ref, 1, FIX_DOMAIN, &f->changes),
	        IOMMU_OK);
	assert_int_equal(domain_id_alloc(&f->ids, &id), IOMMU_OK);
	assert_int_equal(id, FIX_DOMAIN);
	assert_int_equal(iopt_init(&f->pt, &cfg), IOMMU_OK);
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS + GIB, 4 * KIB, IOMMU_READ, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(mock_unit_ops.attach(f->ref.unit, FIX_SOURCE, id, iopt_root_phys(&f->pt),
	                                      cfg.levels),
	                 IOMMU_OK);
	assert_int_equal(mock_unit_ops.wait(f->ref.unit), IOMMU_OK);
	assert_int_equal(dma(f, IOVA_A), FIX_PHYS + GIB);
	assert_int_equal(fixture_free(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_order),
	        cmocka_unit_test(test_map_4k_cm0_costs_one_pte),
	        cmocka_unit_test(test_map_cm1_invalidates),
	        cmocka_unit_test(test_unmap_one_psi_one_wait),
	        cmocka_unit_test(test_batch_512_one_wait),
	        cmocka_unit_test(test_domain_selective_fallbacks),
	        cmocka_unit_test(test_timeout_releases_nothing),
	        cmocka_unit_test(test_two_units),
	        cmocka_unit_test(test_domain_gone),
	        cmocka_unit_test(test_unmapped_page_stale_until_flush),
	        cmocka_unit_test(test_split_drops_cached_superpage),
	        cmocka_unit_test(test_caching_mode_miss_cached),
	        cmocka_unit_test(test_timeout_leaves_stale_until_global),
	        cmocka_unit_test(test_reused_domain_id_no_stale),
	        cmocka_unit_test(test_merged_table_not_walked_after_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
