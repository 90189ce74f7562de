/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The core's page-table builder (core/iopt.c) writing the VT-d format
 * (vtd_pte_ops), checked by walking the result as the hardware does
 * (vtd_translate): 4 KiB, 2 MiB and 1 GiB leaves with their rights, a
 * superpage split by a partial unmap and mapped whole again (the walk and
 * the core's lookup agree on every page, merged or not), and no
 * reserved bit ever set (the walk reports reason 0x0c otherwise). The
 * domain is attached through the backend to the register model. Built
 * twice: against the host's core, which reaches the format through
 * vtd_pte_ops, and (vtd_iopt_inline) with the core compiled as the server
 * compiles it, the format inline (IOPT_FORMAT_HEADER).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "fake_unit.h"
#include "iopt.h"
#include "vtd_backend.h"

#define QEMU_CAP_48 0x00d2008c222f0606ULL
#define QEMU_ECAP   0xf02ULL
#define SID_EDU     VTD_SID(0, VTD_DEVFN(3, 0))
#define MIB         0x100000ULL
#define GIB         0x40000000ULL

static struct iommu_unit iu;
static struct iopt pt;

static enum iommu_err alloc_page(void *ctx, struct iommu_page *out)
{
	struct vtd_page p;

	(void)ctx;
	if (!fake_env.page_alloc(NULL, &p))
		return IOMMU_ERR_NO_MEMORY;
	out->va = p.va;
	out->phys = p.pa;
	return IOMMU_OK;
}

static void free_page(void *ctx, struct iommu_page page)
{
	(void)ctx, (void)page;
}

static void *alloc_meta(void *ctx, size_t size)
{
	(void)ctx;
	return calloc(1, size);
}

static void free_meta(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static const struct iommu_mem_ops mem = {alloc_page, free_page, alloc_meta, free_meta, NULL};

static void setup_domain(void)
{
	struct ward_device_window w = fake_window();
	struct iommu_caps caps;
	struct iopt_config cfg = {0};

	fake_reset(QEMU_CAP_48, QEMU_ECAP);
	memset(&iu, 0, sizeof(iu));
	assert_int_equal(vtd_unit_probe(&iu.vtd, &w, &fake_env), VTD_OK);
	assert_int_equal(vtd_unit_prepare(&iu.vtd), VTD_OK);
	assert_int_equal(vtd_unit_enable(&iu.vtd), VTD_OK);
	vtd_unit_ops.caps(&iu, &caps);
	cfg.pte = vtd_unit_ops.pte;
	cfg.mem = &mem;
	cfg.width = 48;
	assert_int_equal(iopt_levels_for_width(48, caps.levels_mask, &cfg.levels), IOMMU_OK);
	assert_int_equal(cfg.levels, 4);
	cfg.max_leaf_level = caps.max_leaf_level;
	cfg.caching_mode = caps.caching_mode;
	cfg.flush_entries = vtd_iopt_flush;
	cfg.flush_ctx = &iu;
	assert_int_equal(iopt_init(&pt, &cfg), IOMMU_OK);
	assert_int_equal(vtd_unit_ops.attach(&iu, SID_EDU, 5, iopt_root_phys(&pt), 4), IOMMU_OK);
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_OK);
}

/* The hardware's view of iova must be phys with rights from a leaf of `leaf`. */
static void expect(uint64_t iova, uint64_t phys, uint64_t rights, unsigned leaf)
{
	struct vtd_walk w;

	assert_int_equal(vtd_translate(&iu.vtd, SID_EDU, iova, &w), VTD_OK);
	assert_int_equal(w.fault, 0);
	assert_int_equal(w.did, 5);
	assert_int_equal(w.pa, phys);
	assert_int_equal(w.rights, rights);
	assert_int_equal(w.leaf, leaf);
}

static void expect_blocked(uint64_t iova)
{
	struct vtd_walk w;

	assert_int_equal(vtd_translate(&iu.vtd, SID_EDU, iova, &w), VTD_OK);
	assert_int_equal(w.fault, VTD_FR_READ);
}

/* The hardware's walk and the core's lookup agree on iova. */
static void agree(uint64_t iova)
{
	uint64_t phys, size;
	unsigned rights;
	struct vtd_walk w;

	assert_int_equal(iopt_lookup(&pt, iova, &phys, &rights, &size), IOMMU_OK);
	assert_int_equal(vtd_translate(&iu.vtd, SID_EDU, iova, &w), VTD_OK);
	assert_int_equal(w.fault, 0);
	assert_int_equal(w.pa, phys);
	assert_int_equal(w.rights, ((rights & IOMMU_READ) ? VTD_PTE_R : 0) |
	                                   ((rights & IOMMU_WRITE) ? VTD_PTE_W : 0));
	assert_int_equal(1ULL << VTD_LEVEL_SHIFT(w.leaf), size);
}

static void test_leaves(void **state)
{
	struct iopt_changes c;
	struct iopt_problem p;

	(void)state;
	setup_domain();
	iopt_changes_init(&c);
	assert_int_equal(iopt_map(&pt, 0x1000, 0x7000, 0x1000, IOMMU_READ | IOMMU_WRITE, &c),
	                 IOMMU_OK);
	assert_int_equal(iopt_map(&pt, 2 * MIB, 4 * MIB, 2 * MIB, IOMMU_READ, &c), IOMMU_OK);
	assert_int_equal(iopt_map(&pt, GIB, 2 * GIB, GIB, IOMMU_WRITE, &c), IOMMU_OK);
	expect(0x1234, 0x7234, VTD_PTE_RW, 1);
	expect(2 * MIB + 0x12345, 4 * MIB + 0x12345, VTD_PTE_R, VTD_LEVEL_2M);
	expect(GIB + 0x123456, 2 * GIB + 0x123456, VTD_PTE_W, VTD_LEVEL_1G);
	expect_blocked(0x2000);
	expect_blocked(4 * MIB);
	assert_true(iopt_verify(&pt, &p));
}

static void test_split_and_merge(void **state)
{
	struct iopt_changes c;
	struct iopt_problem p;

	(void)state;
	setup_domain();
	iopt_changes_init(&c);
	assert_int_equal(iopt_map(&pt, 2 * MIB, 4 * MIB, 2 * MIB, IOMMU_READ, &c), IOMMU_OK);
	assert_int_equal(iopt_unmap(&pt, 2 * MIB + 0x1000, 0x1000, &c), IOMMU_OK);
	expect_blocked(2 * MIB + 0x1000);
	expect(2 * MIB, 4 * MIB, VTD_PTE_R, 1);
	expect(2 * MIB + 0x2000, 4 * MIB + 0x2000, VTD_PTE_R, 1);
	assert_int_equal(iopt_map(&pt, 2 * MIB + 0x1000, 4 * MIB + 0x1000, 0x1000, IOMMU_READ, &c),
	                 IOMMU_OK);
	for (uint64_t off = 0; off < 2 * MIB; off += 0x1000)
		agree(2 * MIB + off);
	assert_true(iopt_verify(&pt, &p));
}

static unsigned other_flushes, other_leaves;

static void other_flush(void *ctx, const void *va, size_t len)
{
	(void)ctx, (void)va, (void)len;
	other_flushes++;
}

static uint64_t other_make_leaf(uint64_t phys, unsigned level, unsigned rights)
{
	other_leaves++;
	return vtd_pte_ops.make_leaf(phys, level, rights);
}

/*
 * The core built with a preferred format (IOPT_FORMAT_HEADER, as the
 * server builds it) calls the VT-d encoders and flush directly when a
 * table's config names them, and refuses the VT-d encoders with a foreign
 * flush (it would call its own); any other format (the server's AMD-Vi
 * tables) goes through its ops and flush, as in the core built for every
 * format (the host's): a map calls the other format's make_leaf and flush.
 */
static void test_format_config(void **state)
{
	struct iommu_pte_ops other = vtd_pte_ops;
	struct iopt_changes c;
	struct iopt_config cfg;
	struct iopt t;

	(void)state;
	setup_domain();
	cfg = pt.cfg;
	other.make_leaf = other_make_leaf;
	cfg.pte = &other;
	cfg.flush_entries = other_flush;
	assert_int_equal(iopt_init(&t, &cfg), IOMMU_OK);
	iopt_changes_init(&c);
	other_flushes = other_leaves = 0;
	assert_int_equal(iopt_map(&t, 0x1000, 0x5000, 0x1000, IOMMU_READ, &c), IOMMU_OK);
	assert_int_equal(other_leaves, 1);
	assert_true(other_flushes > 0);
	iopt_destroy(&t, &c);
	cfg.pte = &vtd_pte_ops;
#ifdef IOPT_FORMAT_HEADER
	assert_int_equal(iopt_init(&t, &cfg), IOMMU_ERR_INVAL);
#else
	assert_int_equal(iopt_init(&t, &cfg), IOMMU_OK);
	iopt_destroy(&t, &c);
#endif
	cfg.flush_entries = NULL; /* a coherent walk */
	assert_int_equal(iopt_init(&t, &cfg), IOMMU_OK);
	iopt_destroy(&t, &c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_leaves),
	        cmocka_unit_test(test_split_and_merge),
	        cmocka_unit_test(test_format_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
