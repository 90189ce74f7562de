/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * I/O page tables against the mock unit: depth from SAGAW-style widths,
 * map with 4 KiB, 2 MiB and 1 GiB leaves, overlaps refused with nothing
 * changed, unmap with superpage splits, merges back into superpages,
 * empty tables handed back (not freed), entries flushed for a
 * non-coherent walk, and what each call reports for invalidation. Every
 * mapping is checked through the mock's own walk from the device's
 * context, as hardware would translate it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "fixture.h"

#define SAGAW_39     (1u << 1) /* VT-d CAP.SAGAW bit 1: 39-bit, 3-level */
#define SAGAW_48     (1u << 2) /* VT-d CAP.SAGAW bit 2: 48-bit, 4-level */
#define SAGAW_SHIFT  2u        /* SAGAW bit n means n + 2 levels */
#define IOVA_A       0x40000000ull
#define PAGES_PER_2M (2 * MIB / (4 * KIB))

static uint64_t page_size_at(struct fixture *f, uint64_t iova)
{
	uint64_t phys, size;
	unsigned rights;

	assert_int_equal(iopt_lookup(&f->pt, iova, &phys, &rights, &size), IOMMU_OK);
	return size;
}

static void test_levels_from_width(void **state)
{
	uint32_t both = (SAGAW_39 | SAGAW_48) << SAGAW_SHIFT;
	unsigned levels = 0;

	(void)state;
	assert_int_equal(iopt_levels_for_width(39, both, &levels), IOMMU_OK);
	assert_int_equal(levels, 3);
	assert_int_equal(iopt_levels_for_width(48, both, &levels), IOMMU_OK);
	assert_int_equal(levels, 4);
	assert_int_equal(iopt_levels_for_width(40, both, &levels), IOMMU_OK);
	assert_int_equal(levels, 4);
	assert_int_equal(iopt_levels_for_width(32, both, &levels), IOMMU_OK);
	assert_int_equal(levels, 3);
	/* aw-bits=39 hardware has no 4-level tables: a 48-bit domain is refused. */
	assert_int_equal(iopt_levels_for_width(48, SAGAW_39 << SAGAW_SHIFT, &levels),
	                 IOMMU_ERR_UNSUPPORTED);
	assert_int_equal(iopt_levels_for_width(57, both, &levels), IOMMU_ERR_UNSUPPORTED);
	assert_int_equal(iopt_levels_for_width(12, both, &levels), IOMMU_ERR_UNSUPPORTED);
}

static void five_levels(struct iommu_caps *caps)
{
	caps->levels_mask |= 1u << 5;
}

/* The depth is what the hardware walks: the top IOVA of the width maps, beyond is refused. */
static void check_depth(unsigned width, unsigned want_levels)
{
	struct fixture *f = fixture_new(width, IOMMU_LEAF_1G, five_levels);
	uint64_t top = (1ull << width) - IOMMU_PAGE_SIZE;

	assert_int_equal(f->pt.cfg.levels, want_levels);
	assert_int_equal(f->unit.ctx[0].levels, want_levels);
	assert_int_equal(iopt_map(&f->pt, top, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes), IOMMU_OK);
	assert_true(fixture_maps(f, top, FIX_PHYS, 4 * KIB, FIX_RW));
	assert_int_equal(f->pt.tables, want_levels); /* one table per level on the path */
	assert_int_equal(iopt_map(&f->pt, top + 4 * KIB, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_ERR_RANGE);
	assert_int_equal(fixture_free(f), 0);
}

static void test_depth_39_48_57(void **state)
{
	(void)state;
	check_depth(39, 3);
	check_depth(48, 4);
	check_depth(57, 5);
}

static void test_map_4k(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, IOMMU_READ, &f->changes),
	                 IOMMU_OK);
	assert_true(fixture_maps(f, IOVA_A, FIX_PHYS, 4 * KIB, IOMMU_READ));
	assert_false(fixture_maps(f, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW));
	assert_true(fixture_unmapped(f, IOVA_A - 4 * KIB, 4 * KIB));
	assert_true(fixture_unmapped(f, IOVA_A + 4 * KIB, 4 * KIB));
	assert_int_equal(page_size_at(f, IOVA_A), 4 * KIB);
	assert_int_equal(f->pt.mapped_bytes, 4 * KIB);
	assert_int_equal(f->unit.walk_errors, 0);
	assert_int_equal(fixture_free(f), 0);
}

static void test_map_superpages(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);

	(void)state;
	assert_int_equal(
	        iopt_map(&f->pt, 2 * GIB, FIX_PHYS, GIB + 2 * MIB + 4 * KIB, FIX_RW, &f->changes),
	        IOMMU_OK);
	assert_int_equal(page_size_at(f, 2 * GIB), GIB);
	assert_int_equal(page_size_at(f, 3 * GIB), 2 * MIB);
	assert_int_equal(page_size_at(f, 3 * GIB + 2 * MIB), 4 * KIB);
	assert_true(fixture_maps(f, 2 * GIB, FIX_PHYS, GIB + 2 * MIB + 4 * KIB, FIX_RW));
	assert_true(fixture_unmapped(f, 3 * GIB + 2 * MIB + 4 * KIB, 4 * KIB));
	assert_int_equal(f->unit.walk_errors, 0);
	assert_int_equal(fixture_free(f), 0);
}

static void test_map_honours_max_leaf(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_2M, NULL);
	struct fixture *g = fixture_new(39, IOMMU_LEAF_4K, NULL);

	(void)state;
	assert_int_equal(iopt_map(&f->pt, GIB, FIX_PHYS, GIB, FIX_RW, &f->changes), IOMMU_OK);
	assert_int_equal(page_size_at(f, GIB), 2 * MIB);
	assert_int_equal(page_size_at(f, 2 * GIB - 2 * MIB), 2 * MIB);
	assert_true(fixture_maps(f, GIB, FIX_PHYS, GIB, FIX_RW));
	assert_int_equal(iopt_map(&g->pt, 2 * MIB, FIX_PHYS, 2 * MIB, FIX_RW, &g->changes),
	                 IOMMU_OK);
	assert_int_equal(page_size_at(g, 2 * MIB), 4 * KIB);
	assert_true(fixture_maps(g, 2 * MIB, FIX_PHYS, 2 * MIB, FIX_RW));
	assert_int_equal(f->unit.walk_errors + g->unit.walk_errors, 0);
	assert_int_equal(fixture_free(f), 0);
	assert_int_equal(fixture_free(g), 0);
}

/* A 2 MiB-aligned IOVA onto a physical address that is not: 4 KiB leaves only. */
static void test_map_misaligned_phys(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);

	(void)state;
	assert_int_equal(
	        iopt_map(&f->pt, 2 * MIB, FIX_PHYS + 4 * KIB, 2 * MIB, FIX_RW, &f->changes),
	        IOMMU_OK);
	assert_int_equal(page_size_at(f, 2 * MIB), 4 * KIB);
	assert_true(fixture_maps(f, 2 * MIB, FIX_PHYS + 4 * KIB, 2 * MIB, FIX_RW));
	assert_int_equal(fixture_free(f), 0);
}

static void test_map_arguments(void **state)
{
	struct fixture *f = fixture_new(39, IOMMU_LEAF_1G, NULL);
	struct iopt_changes *c = &f->changes;

	(void)state;
	assert_int_equal(iopt_map(&f->pt, 0, FIX_PHYS, 4 * KIB, 0, c), IOMMU_ERR_INVAL);
	assert_int_equal(iopt_map(&f->pt, 0, FIX_PHYS, 4 * KIB, 1u << 5, c), IOMMU_ERR_INVAL);
	assert_int_equal(iopt_map(&f->pt, 0, FIX_PHYS, 0, FIX_RW, c), IOMMU_ERR_INVAL);
	assert_int_equal(iopt_map(&f->pt, KIB, FIX_PHYS, 4 * KIB, FIX_RW, c), IOMMU_ERR_ALIGNMENT);
	assert_int_equal(iopt_map(&f->pt, 0, FIX_PHYS + 1, 4 * KIB, FIX_RW, c),
	                 IOMMU_ERR_ALIGNMENT);
	assert_int_equal(iopt_map(&f->pt, 0, FIX_PHYS, KIB, FIX_RW, c), IOMMU_ERR_ALIGNMENT);
	assert_int_equal(iopt_map(&f->pt, 1ull << 39, FIX_PHYS, 4 * KIB, FIX_RW, c),
	                 IOMMU_ERR_RANGE);
	assert_int_equal(iopt_map(&f->pt, (1ull << 39) - 4 * KIB, FIX_PHYS, 8 * KIB, FIX_RW, c),
	                 IOMMU_ERR_RANGE);
	assert_int_equal(
	        iopt_map(&f->pt, 4 * KIB, FIX_PHYS, UINT64_MAX & ~(4 * KIB - 1), FIX_RW, c),
	        IOMMU_ERR_RANGE);
	assert_int_equal(f->pt.tables, 1);
	assert_int_equal(c->ptes_written, 0);
	assert_int_equal(fixture_free(f), 0);
}

/* Each overlap is refused and leaves the tree, the memory and the report as they were. */
static void test_map_overlap_changes_nothing(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	struct snapshot *before = malloc(sizeof(*before)), *after = malloc(sizeof(*after));
	const struct {
		uint64_t iova, size;
	} clash[] = {
	        {IOVA_A, 4 * KIB},                     /* the same page */
	        {IOVA_A - 4 * MIB, 8 * MIB},           /* covers it from outside */
	        {IOVA_A + 2 * MIB + 8 * KIB, 4 * KIB}, /* inside the 2 MiB leaf */
	        {IOVA_A + 2 * MIB - 4 * KIB, 8 * KIB}, /* straddles into the 2 MiB leaf */
	        {IOVA_A, 2 * MIB},                     /* whole span of a table in use */
	        {0, GIB * 2},                          /* whole span of a 1 GiB-level table */
	};

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(
	        iopt_map(&f->pt, IOVA_A + 2 * MIB, FIX_PHYS, 2 * MIB, IOMMU_READ, &f->changes),
	        IOMMU_OK);
	fixture_flush(f);
	snapshot_take(f, before);
	for (unsigned i = 0; i < sizeof(clash) / sizeof(clash[0]); i++) {
		assert_int_equal(iopt_map(&f->pt, clash[i].iova, FIX_PHYS, clash[i].size, FIX_RW,
		                          &f->changes),
		                 IOMMU_ERR_OVERLAP);
		snapshot_take(f, after);
		assert_true(snapshot_equal(before, after));
		assert_int_equal(f->changes.ptes_written, 0);
		assert_int_equal(f->changes.inv_count, 0);
	}
	assert_true(fixture_maps(f, IOVA_A + 2 * MIB, FIX_PHYS, 2 * MIB, IOMMU_READ));
	free(before);
	free(after);
	assert_int_equal(fixture_free(f), 0);
}

static void test_unmap_whole_and_empty_tables(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	unsigned pages;

	(void)state;
	assert_int_equal(
	        iopt_map(&f->pt, 0x7f0000000000ull, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	        IOMMU_OK);
	fixture_flush(f);
	assert_int_equal(f->pt.tables, 4);
	pages = f->mem.pages_live;
	assert_int_equal(iopt_unmap(&f->pt, 0x7f0000000000ull, 4 * KIB, &f->changes), IOMMU_OK);
	assert_true(fixture_unmapped(f, 0x7f0000000000ull, 4 * KIB));
	/* The three tables below the root left the tree but are not freed yet. */
	assert_int_equal(f->pt.tables, 1);
	assert_int_equal(f->changes.freed.count, 3);
	assert_int_equal(f->mem.pages_live, pages);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(f->mem.pages_live, pages - 3);
	assert_int_equal(f->mem.zero_frees, 3); /* emptied: the server need not clear them again */
	assert_int_equal(f->pt.mapped_bytes, 0);
	assert_int_equal(fixture_free(f), 0);
}

static void test_unmap_not_mapped_changes_nothing(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	struct snapshot *before = malloc(sizeof(*before)), *after = malloc(sizeof(*after));

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 2 * MIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	fixture_flush(f);
	snapshot_take(f, before);
	/* Mapped but for the last page, which would need a split. */
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A + 4 * KIB, 2 * MIB, &f->changes),
	                 IOMMU_ERR_NOT_MAPPED);
	assert_int_equal(iopt_unmap(&f->pt, 0, 4 * KIB, &f->changes), IOMMU_ERR_NOT_MAPPED);
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A, 0, &f->changes), IOMMU_ERR_INVAL);
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A + 1, 4 * KIB, &f->changes), IOMMU_ERR_ALIGNMENT);
	assert_int_equal(iopt_unmap(&f->pt, 1ull << 48, 4 * KIB, &f->changes), IOMMU_ERR_RANGE);
	snapshot_take(f, after);
	assert_true(snapshot_equal(before, after));
	assert_int_equal(f->changes.ptes_written + f->changes.inv_count, 0);
	free(before);
	free(after);
	assert_int_equal(fixture_free(f), 0);
}

/*
 * Ranges inside one existing table of 4 KiB leaves (iopt.c's short path):
 * the same checks, stores, invalidation ranges and table lifetimes as the
 * general path.
 */
static void test_inside_one_leaf_table(void **state)
{
	struct fixture *f = fixture_new(39, IOMMU_LEAF_2M, NULL);
	struct snapshot *before = malloc(sizeof(*before)), *after = malloc(sizeof(*after));

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	fixture_flush(f);
	assert_int_equal(iopt_map(&f->pt, IOVA_A + 8 * KIB, FIX_PHYS + 8 * KIB, 16 * KIB,
	                          IOMMU_READ, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(f->changes.ptes_written, 4);
	assert_int_equal(f->changes.inv_count, 0); /* no caching mode: nothing to invalidate */
	assert_true(fixture_maps(f, IOVA_A + 8 * KIB, FIX_PHYS + 8 * KIB, 16 * KIB, IOMMU_READ));
	assert_int_equal(f->pt.tables, 3);
	fixture_flush(f);
	snapshot_take(f, before);
	/* A run that meets the last mapped page: refused before any store. */
	assert_int_equal(
	        iopt_map(&f->pt, IOVA_A + 20 * KIB, FIX_PHYS, 8 * KIB, FIX_RW, &f->changes),
	        IOMMU_ERR_OVERLAP);
	/* A run over the hole at IOVA_A + 4 KiB: refused before any store. */
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A, 12 * KIB, &f->changes), IOMMU_ERR_NOT_MAPPED);
	snapshot_take(f, after);
	assert_true(snapshot_equal(before, after));
	assert_int_equal(f->changes.ptes_written + f->changes.inv_count, 0);
	/* Unmapping part keeps the table; the range is reported for invalidation. */
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A + 8 * KIB, 16 * KIB, &f->changes), IOMMU_OK);
	assert_int_equal(f->changes.inv_count, 1);
	assert_int_equal(f->changes.inv[0].start, IOVA_A + 8 * KIB);
	assert_int_equal(f->changes.freed.count, 0);
	assert_true(fixture_unmapped(f, IOVA_A + 8 * KIB, 16 * KIB));
	assert_true(fixture_maps(f, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW));
	assert_true(fixture_verify(f));
	fixture_flush(f);
	/* The last page: the table empties and leaves the tree (the general path). */
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A, 4 * KIB, &f->changes), IOMMU_OK);
	assert_int_equal(f->changes.freed.count, 2);
	assert_int_equal(f->pt.tables, 1);
	assert_true(fixture_verify(f));
	fixture_flush(f);
	/* 2 MiB leaves beside one in place: the same short path one level up. */
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 2 * MIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(iopt_map(&f->pt, IOVA_A + 4 * MIB, FIX_PHYS + 4 * MIB, 4 * MIB, FIX_RW,
	                          &f->changes),
	                 IOMMU_OK);
	assert_int_equal(page_size_at(f, IOVA_A + 6 * MIB), 2 * MIB);
	assert_true(fixture_maps(f, IOVA_A + 4 * MIB, FIX_PHYS + 4 * MIB, 4 * MIB, FIX_RW));
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A + 2 * MIB, 4 * MIB, &f->changes),
	                 IOMMU_ERR_NOT_MAPPED);
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A + 4 * MIB, 2 * MIB, &f->changes), IOMMU_OK);
	assert_true(fixture_unmapped(f, IOVA_A + 4 * MIB, 2 * MIB));
	assert_true(fixture_maps(f, IOVA_A + 6 * MIB, FIX_PHYS + 6 * MIB, 2 * MIB, FIX_RW));
	assert_int_equal(f->pt.tables, 2);
	assert_true(fixture_verify(f));
	free(before);
	free(after);
	assert_int_equal(fixture_free(f), 0);
}

/*
 * The short paths remember the table they found last; a table that leaves
 * the tree must be forgotten, or the next map would write into a page
 * already released (and the tree would not show the mapping).
 */
static void test_last_table_forgotten_when_freed(void **state)
{
	struct fixture *f = fixture_new(39, IOMMU_LEAF_2M, NULL);

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	/* Found by the short path, and remembered. */
	assert_int_equal(iopt_map(&f->pt, IOVA_A + 4 * KIB, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A + 4 * KIB, 4 * KIB, &f->changes), IOMMU_OK);
	/* The last page: the leaf table and the one above leave the tree and are released. */
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A, 4 * KIB, &f->changes), IOMMU_OK);
	assert_int_equal(f->changes.freed.count, 2);
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	assert_int_equal(iopt_map(&f->pt, IOVA_A + 8 * KIB, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(f->pt.tables, 3); /* built again */
	assert_true(fixture_maps(f, IOVA_A + 8 * KIB, FIX_PHYS, 4 * KIB, FIX_RW));
	assert_true(fixture_verify(f));
	assert_int_equal(fixture_free(f), 0);
}

/* Unmapping one 4 KiB page inside a 2 MiB leaf keeps the other 511 pages. */
static void test_unmap_splits_2m(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	uint64_t hole = IOVA_A + 100 * 4 * KIB;

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 2 * MIB, IOMMU_READ, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(iopt_unmap(&f->pt, hole, 4 * KIB, &f->changes), IOMMU_OK);
	assert_true(fixture_unmapped(f, hole, 4 * KIB));
	assert_true(fixture_maps(f, IOVA_A, FIX_PHYS, hole - IOVA_A, IOMMU_READ));
	assert_true(fixture_maps(f, hole + 4 * KIB, FIX_PHYS + (hole - IOVA_A) + 4 * KIB,
	                         IOVA_A + 2 * MIB - hole - 4 * KIB, IOMMU_READ));
	assert_int_equal(page_size_at(f, IOVA_A), 4 * KIB);
	assert_int_equal(f->pt.mapped_bytes, 2 * MIB - 4 * KIB);
	assert_int_equal(f->changes.inv_count, 1);
	assert_int_equal(f->changes.inv[0].start, hole);
	assert_int_equal(f->changes.inv[0].size, 4 * KIB);
	assert_int_equal(f->unit.walk_errors, 0);
	assert_int_equal(fixture_free(f), 0);
}

/* One page out of the middle of a 1 GiB leaf: split twice, everything else kept. */
static void test_unmap_splits_1g_twice(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	uint64_t hole = GIB + 300 * MIB + 12 * KIB;

	(void)state;
	assert_int_equal(iopt_map(&f->pt, GIB, FIX_PHYS, GIB, FIX_RW, &f->changes), IOMMU_OK);
	assert_int_equal(f->pt.tables, 2);
	assert_int_equal(iopt_unmap(&f->pt, hole, 4 * KIB, &f->changes), IOMMU_OK);
	assert_int_equal(f->pt.tables, 4);
	assert_true(fixture_unmapped(f, hole, 4 * KIB));
	assert_int_equal(page_size_at(f, GIB), 2 * MIB);
	assert_int_equal(page_size_at(f, hole - 4 * KIB), 4 * KIB);
	assert_true(fixture_maps(f, hole - 4 * MIB, FIX_PHYS + (hole - GIB) - 4 * MIB, 4 * MIB,
	                         FIX_RW));
	assert_true(fixture_maps(f, hole + 4 * KIB, FIX_PHYS + (hole - GIB) + 4 * KIB, 4 * MIB,
	                         FIX_RW));
	assert_true(fixture_maps(f, 2 * GIB - 2 * MIB, FIX_PHYS + GIB - 2 * MIB, 2 * MIB, FIX_RW));
	assert_int_equal(fixture_free(f), 0);
}

/* Pages mapped one by one fill a table; the last one merges it into a 2 MiB leaf. */
static void test_merge_2m(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);

	(void)state;
	for (unsigned i = 0; i < PAGES_PER_2M; i++) {
		uint64_t off = (uint64_t)i * 4 * KIB;

		assert_int_equal(iopt_map(&f->pt, IOVA_A + off, FIX_PHYS + off, 4 * KIB, FIX_RW,
		                          &f->changes),
		                 IOMMU_OK);
		if (i + 1 < PAGES_PER_2M)
			assert_int_equal(f->changes.freed.count, 0);
	}
	assert_int_equal(page_size_at(f, IOVA_A), 2 * MIB);
	assert_int_equal(f->changes.freed.count, 1);
	assert_int_equal(f->changes.inv_count, 1);
	assert_int_equal(f->changes.inv[0].start, IOVA_A);
	assert_int_equal(f->changes.inv[0].size, 2 * MIB);
	assert_true(fixture_maps(f, IOVA_A, FIX_PHYS, 2 * MIB, FIX_RW));
	assert_int_equal(f->unit.walk_errors, 0);
	assert_int_equal(fixture_free(f), 0);
}

/* Splitting then mapping the hole back merges all the way up to 1 GiB. */
static void test_merge_after_split_to_1g(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	uint64_t hole = GIB + 300 * MIB + 12 * KIB;

	(void)state;
	assert_int_equal(iopt_map(&f->pt, GIB, FIX_PHYS, GIB, FIX_RW, &f->changes), IOMMU_OK);
	assert_int_equal(iopt_unmap(&f->pt, hole, 4 * KIB, &f->changes), IOMMU_OK);
	fixture_flush(f);
	assert_int_equal(
	        iopt_map(&f->pt, hole, FIX_PHYS + (hole - GIB), 4 * KIB, FIX_RW, &f->changes),
	        IOMMU_OK);
	assert_int_equal(page_size_at(f, hole), GIB);
	assert_int_equal(f->pt.tables, 2);
	assert_int_equal(f->changes.freed.count, 2);
	assert_true(fixture_maps(f, GIB, FIX_PHYS, GIB, FIX_RW));
	assert_int_equal(fixture_free(f), 0);
}

/* No merge when rights differ, the pages are not contiguous, or the format forbids it. */
static void test_no_merge_when_not_uniform(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	struct fixture *g = fixture_new(48, IOMMU_LEAF_4K, NULL);
	uint64_t last = 2 * MIB - 4 * KIB;

	(void)state;
	/* Rights: the last page read-only. */
	assert_int_equal(iopt_map(&f->pt, 0, FIX_PHYS, last, FIX_RW, &f->changes), IOMMU_OK);
	assert_int_equal(iopt_map(&f->pt, last, FIX_PHYS + last, 4 * KIB, IOMMU_READ, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(page_size_at(f, 0), 4 * KIB);
	/* Contiguity: the last page elsewhere. */
	assert_int_equal(iopt_map(&f->pt, 2 * MIB, FIX_PHYS, last, FIX_RW, &f->changes), IOMMU_OK);
	assert_int_equal(iopt_map(&f->pt, 2 * MIB + last, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(page_size_at(f, 2 * MIB), 4 * KIB);
	assert_int_equal(f->changes.freed.count, 0);
	/* Format: 4 KiB leaves only. */
	assert_int_equal(iopt_map(&g->pt, 0, FIX_PHYS, last, FIX_RW, &g->changes), IOMMU_OK);
	assert_int_equal(iopt_map(&g->pt, last, FIX_PHYS + last, 4 * KIB, FIX_RW, &g->changes),
	                 IOMMU_OK);
	assert_int_equal(page_size_at(g, 0), 4 * KIB);
	assert_int_equal(fixture_free(f), 0);
	assert_int_equal(fixture_free(g), 0);
}

static void non_coherent(struct iommu_caps *caps)
{
	caps->coherent_walk = false;
}

/* A walk that does not snoop sees every mapping: the core flushed what it wrote. */
static void test_non_coherent_walk_sees_flushed_entries(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, non_coherent);
	uint64_t hole = GIB + 4 * MIB + 8 * KIB;

	(void)state;
	assert_int_equal(iopt_map(&f->pt, GIB, FIX_PHYS, GIB, FIX_RW, &f->changes), IOMMU_OK);
	assert_int_equal(iopt_unmap(&f->pt, hole, 4 * KIB, &f->changes), IOMMU_OK);
	assert_int_equal(
	        iopt_map(&f->pt, 8 * GIB + 4 * KIB, FIX_PHYS, 8 * KIB, IOMMU_READ, &f->changes),
	        IOMMU_OK);
	assert_true(f->unit.flushes > 0);
	assert_true(fixture_maps(f, GIB, FIX_PHYS, hole - GIB, FIX_RW));
	assert_true(fixture_unmapped(f, hole, 4 * KIB));
	assert_true(
	        fixture_maps(f, hole + 4 * KIB, FIX_PHYS + hole + 4 * KIB - GIB, 8 * MIB, FIX_RW));
	assert_true(fixture_maps(f, 8 * GIB + 4 * KIB, FIX_PHYS, 8 * KIB, IOMMU_READ));
	assert_int_equal(f->unit.walk_errors, 0);
	assert_int_equal(fixture_free(f), 0);
}

/* Written entries are flushed once per table and call, not once per entry. */
static void test_flushes_batched_per_table(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, non_coherent);

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	f->unit.flushes = 0;
	assert_int_equal(iopt_map(&f->pt, IOVA_A + 4 * KIB, FIX_PHYS + 4 * KIB, 4 * KIB, FIX_RW,
	                          &f->changes),
	                 IOMMU_OK);
	assert_int_equal(f->unit.flushes, 1);
	/* 512 pages into a new table: the table whole, then its parent's entry. */
	f->unit.flushes = 0;
	assert_int_equal(iopt_map(&f->pt, IOVA_A + 2 * MIB, FIX_PHYS + 4 * KIB, 2 * MIB, FIX_RW,
	                          &f->changes),
	                 IOMMU_OK);
	assert_int_equal(f->unit.flushes, 2);
	/* Emptying it: its entries, then the parent's entry. */
	f->unit.flushes = 0;
	assert_int_equal(iopt_unmap(&f->pt, IOVA_A + 2 * MIB, 2 * MIB, &f->changes), IOMMU_OK);
	assert_int_equal(f->unit.flushes, 2);
	assert_true(fixture_unmapped(f, IOVA_A + 2 * MIB, 2 * MIB));
	assert_true(fixture_maps(f, IOVA_A, FIX_PHYS, 8 * KIB, FIX_RW));
	assert_int_equal(fixture_free(f), 0);
}

/* The mock itself: without the flush hook, a non-coherent walk must not see the entries. */
static void test_mock_non_coherent_needs_flush(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, non_coherent);

	(void)state;
	f->pt.cfg.flush_entries = NULL;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 4 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_true(fixture_unmapped(f, IOVA_A, 4 * KIB));
	assert_int_equal(fixture_free(f), 0);
}

static bool count_leaf(void *ctx, uint64_t iova, uint64_t phys, uint64_t size, unsigned rights)
{
	unsigned *n = ctx;

	(void)iova;
	(void)phys;
	(void)size;
	(void)rights;
	return ++*n < 2; /* stop after the second */
}

static void test_lookup_and_walk(void **state)
{
	struct fixture *f = fixture_new(39, IOMMU_LEAF_1G, NULL);
	uint64_t phys, size;
	unsigned rights, n = 0;

	(void)state;
	assert_int_equal(iopt_map(&f->pt, 2 * MIB, FIX_PHYS, 2 * MIB, IOMMU_WRITE, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(iopt_map(&f->pt, GIB, FIX_PHYS, 4 * KIB, IOMMU_READ, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(iopt_map(&f->pt, 2 * GIB, FIX_PHYS, 4 * KIB, IOMMU_READ, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(iopt_lookup(&f->pt, 2 * MIB + 0x1234, &phys, &rights, &size), IOMMU_OK);
	assert_int_equal(phys, FIX_PHYS + 0x1234);
	assert_int_equal(rights, IOMMU_WRITE);
	assert_int_equal(size, 2 * MIB);
	assert_int_equal(iopt_lookup(&f->pt, 0, &phys, &rights, &size), IOMMU_ERR_NOT_MAPPED);
	assert_int_equal(iopt_lookup(&f->pt, 1ull << 39, &phys, &rights, &size), IOMMU_ERR_RANGE);
	assert_false(iopt_for_each_leaf(&f->pt, count_leaf, &n));
	assert_int_equal(n, 2);
	assert_int_equal(fixture_free(f), 0);
}

/* Each kind of disagreement between the tables in memory and the records is found. */
static void test_verify_detects_corruption(void **state)
{
	struct fixture *f = fixture_new(48, IOMMU_LEAF_1G, NULL);
	struct iopt_problem p;
	uint64_t *leaf, *table, *big, saved;

	(void)state;
	assert_int_equal(iopt_map(&f->pt, IOVA_A, FIX_PHYS, 8 * KIB, FIX_RW, &f->changes),
	                 IOMMU_OK);
	assert_int_equal(iopt_map(&f->pt, IOVA_A + 2 * MIB, FIX_PHYS + 2 * MIB, 2 * MIB, FIX_RW,
	                          &f->changes),
	                 IOMMU_OK);
	assert_true(fixture_verify(f));
	leaf = fixture_entry(f, IOVA_A, IOMMU_LEAF_4K);
	table = fixture_entry(f, IOVA_A, IOMMU_LEAF_2M);
	saved = *leaf;
	*leaf = 0;
	assert_false(iopt_verify(&f->pt, &p));
	assert_string_equal(p.what, "count of present entries is wrong");
	*leaf = saved & ~MOCK_PTE_P;
	assert_false(iopt_verify(&f->pt, &p));
	assert_string_equal(p.what, "entry neither present nor zero");
	*leaf = saved & ~(MOCK_PTE_R | MOCK_PTE_W);
	assert_false(iopt_verify(&f->pt, &p));
	assert_string_equal(p.what, "leaf without valid rights");
	assert_int_equal(p.iova, IOVA_A);
	*leaf = saved;
	big = fixture_entry(f, IOVA_A + 2 * MIB, IOMMU_LEAF_2M);
	saved = *big;
	*big = saved + 4 * KIB;
	assert_false(iopt_verify(&f->pt, &p));
	assert_string_equal(p.what, "leaf address not aligned to its size");
	assert_int_equal(p.iova, IOVA_A + 2 * MIB);
	*big = saved;
	saved = *table;
	*table = mock_pte_ops.make_table(FIX_PHYS, IOMMU_LEAF_2M);
	assert_false(iopt_verify(&f->pt, &p));
	assert_string_equal(p.what, "table entry disagrees with the record");
	assert_int_equal(p.level, IOMMU_LEAF_2M);
	*table = mock_pte_ops.make_leaf(FIX_PHYS, IOMMU_LEAF_2M, FIX_RW);
	assert_false(iopt_verify(&f->pt, &p));
	assert_string_equal(p.what, "leaf entry where the record has a table");
	*table = saved;
	assert_true(fixture_verify(f));
	f->pt.mapped_bytes += 4 * KIB;
	assert_false(iopt_verify(&f->pt, &p));
	assert_string_equal(p.what, "mapped bytes disagree with the leaves");
	f->pt.mapped_bytes -= 4 * KIB;
	assert_true(fixture_verify(f));
	assert_int_equal(fixture_free(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_levels_from_width),
	        cmocka_unit_test(test_depth_39_48_57),
	        cmocka_unit_test(test_map_4k),
	        cmocka_unit_test(test_map_superpages),
	        cmocka_unit_test(test_map_honours_max_leaf),
	        cmocka_unit_test(test_map_misaligned_phys),
	        cmocka_unit_test(test_map_arguments),
	        cmocka_unit_test(test_map_overlap_changes_nothing),
	        cmocka_unit_test(test_unmap_whole_and_empty_tables),
	        cmocka_unit_test(test_unmap_not_mapped_changes_nothing),
	        cmocka_unit_test(test_inside_one_leaf_table),
	        cmocka_unit_test(test_last_table_forgotten_when_freed),
	        cmocka_unit_test(test_unmap_splits_2m),
	        cmocka_unit_test(test_unmap_splits_1g_twice),
	        cmocka_unit_test(test_merge_2m),
	        cmocka_unit_test(test_merge_after_split_to_1g),
	        cmocka_unit_test(test_no_merge_when_not_uniform),
	        cmocka_unit_test(test_non_coherent_walk_sees_flushed_entries),
	        cmocka_unit_test(test_flushes_batched_per_table),
	        cmocka_unit_test(test_mock_non_coherent_needs_flush),
	        cmocka_unit_test(test_lookup_and_walk),
	        cmocka_unit_test(test_verify_detects_corruption),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
