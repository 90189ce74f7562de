/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The core's page-table builder (core/iopt.c) writing the AMD-Vi format
 * (amdvi_pte_ops), attached through the backend to the register model and
 * walked from the device table entry the way QEMU 7.2's amdvi_page_walk()
 * does: Mode from the DTE, then at each level PR and the IR/IW of every
 * non-leaf entry, the next table's level from NextLevel, a leaf when
 * NextLevel is 0 (its size from the level it sits in) or 7. A 39-bit
 * domain gets Mode 3 and refuses mappings beyond 2^39; a 48-bit one Mode
 * 4; 4 KiB, 2 MiB and 1 GiB leaves translate with their rights, and an
 * unmapped IOVA does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>

#include "amdvi_backend.h"
#include "fake_unit.h"
#include "iopt.h"

#define EDU 0x0018
#define MIB 0x100000ULL
#define GIB 0x40000000ULL

static struct iommu_unit iu;
static struct iopt pt;

static enum iommu_err alloc_page(void *ctx, struct iommu_page *out)
{
	struct amdvi_page p;

	(void)ctx;
	if (!fake_env.alloc(NULL, AMDVI_PAGE_SIZE, &p))
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

/* What the walk found: 0 rights means the access is refused. */
struct walk {
	uint64_t pa;
	uint64_t rights; /* AMDVI_PTE_IR / _IW of the leaf */
	unsigned leaf_level;
};

/* QEMU 7.2's amdvi_page_walk() for a read (IR) or write (IW) of iova by devid. */
static struct walk walk(uint16_t devid, uint64_t iova, uint64_t need)
{
	struct amdvi_dte d;
	struct walk w = {0, 0, 0};
	uint64_t pte, *table;
	unsigned level, old = 0;

	assert_int_equal(amdvi_dte_read(&iu.amd, devid, &d), AMDVI_OK);
	pte = d.q[0];
	level = (unsigned)amdvi_dte_mode(pte);
	if (!(pte & AMDVI_DTE_TV) || level == 0 || level >= 7)
		return w;
	while (level > 0 && level < 7) {
		if (!(pte & AMDVI_PTE_PR) || (pte & need) != need)
			return w; /* the model's amdvi_page_fault() */
		table = fake_va(pte & AMDVI_ADDR_MASK);
		assert_non_null(table);
		pte = table[iommu_level_index(iova, level)];
		if (pte == 0)
			return w;
		old = level;
		level = amdvi_pte_next(pte);
	}
	assert_int_not_equal(level, 7); /* the core never writes sized leaves */
	w.leaf_level = old;
	w.pa = (pte & AMDVI_ADDR_MASK & ~(iommu_level_size(old) - 1)) |
	       (iova & (iommu_level_size(old) - 1));
	w.rights = pte & AMDVI_PTE_RW;
	return w;
}

static void domain(unsigned width, unsigned want_levels)
{
	struct ward_device_window win = fake_window();
	struct iommu_caps caps;
	struct iopt_config cfg = {0};

	fake_reset(FAKE_EFR_QEMU);
	memset(&iu, 0, sizeof(iu));
	assert_int_equal(amdvi_unit_probe(&iu.amd, &win, &fake_env), AMDVI_OK);
	assert_int_equal(amdvi_unit_prepare(&iu.amd), AMDVI_OK);
	assert_int_equal(amdvi_unit_enable(&iu.amd), AMDVI_OK);
	amdvi_unit_ops.caps(&iu, &caps);
	cfg.pte = amdvi_unit_ops.pte;
	cfg.mem = &mem;
	cfg.width = width;
	assert_int_equal(iopt_levels_for_width(width, caps.levels_mask, &cfg.levels), IOMMU_OK);
	assert_int_equal(cfg.levels, want_levels);
	cfg.max_leaf_level = caps.max_leaf_level;
	cfg.caching_mode = caps.caching_mode;
	cfg.flush_entries = amdvi_iopt_flush;
	cfg.flush_ctx = &iu;
	assert_int_equal(iopt_init(&pt, &cfg), IOMMU_OK);
	assert_int_equal(amdvi_unit_ops.attach(&iu, EDU, 7, iopt_root_phys(&pt), cfg.levels),
	                 IOMMU_OK);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
}

/* The paging mode the device's entry holds. */
static unsigned mode(void)
{
	struct amdvi_dte d;

	assert_int_equal(amdvi_dte_read(&iu.amd, EDU, &d), AMDVI_OK);
	return (unsigned)amdvi_dte_mode(d.q[0]);
}

static void map(uint64_t iova, uint64_t pa, uint64_t size, unsigned rights)
{
	struct iopt_changes c;

	iopt_changes_init(&c);
	assert_int_equal(iopt_map(&pt, iova, pa, size, rights, &c), IOMMU_OK);
}

static void test_39_bits(void **state)
{
	struct iopt_changes c;
	struct walk w;

	(void)state;
	domain(39, 3);
	assert_int_equal(mode(), 3);
	map(0x1000, 0x7000000, 0x1000, IOMMU_READ | IOMMU_WRITE);
	map(0x200000, 0x8000000, 2 * MIB, IOMMU_READ);
	map(GIB, 0x80000000ULL, GIB, IOMMU_WRITE);
	w = walk(EDU, 0x1234, AMDVI_PTE_IW);
	assert_int_equal(w.pa, 0x7000234);
	assert_int_equal(w.leaf_level, 1);
	assert_int_equal(w.rights, AMDVI_PTE_RW);
	w = walk(EDU, 0x3ff123, AMDVI_PTE_IR);
	assert_int_equal(w.pa, 0x81ff123);
	assert_int_equal(w.leaf_level, 2); /* NextLevel 0 at level 2: a 2 MiB page */
	assert_int_equal(w.rights, AMDVI_PTE_IR);
	w = walk(EDU, GIB + 0x12345678, AMDVI_PTE_IW);
	assert_int_equal(w.pa, 0x92345678ULL);
	assert_int_equal(w.leaf_level, 3);
	assert_int_equal(w.rights, AMDVI_PTE_IW);
	assert_int_equal(walk(EDU, 0x5000, AMDVI_PTE_IR).rights, 0); /* unmapped */
	/* beyond 2^39 the 3-level domain refuses */
	iopt_changes_init(&c);
	assert_int_equal(iopt_map(&pt, 1ULL << 39, 0x1000, 0x1000, IOMMU_READ, &c),
	                 IOMMU_ERR_RANGE);
	/* unmapped: the walk ends */
	iopt_changes_init(&c);
	assert_int_equal(iopt_unmap(&pt, 0x1000, 0x1000, &c), IOMMU_OK);
	assert_int_equal(walk(EDU, 0x1234, AMDVI_PTE_IR).rights, 0);
}

static void test_48_bits(void **state)
{
	struct walk w;

	(void)state;
	domain(48, 4);
	assert_int_equal(mode(), 4);
	map(0x8000000000ULL, 0x6000000, 0x2000, IOMMU_READ | IOMMU_WRITE);
	map(0xfffffff000ULL, 0x6100000, 0x1000, IOMMU_READ);
	w = walk(EDU, 0x8000001010ULL, AMDVI_PTE_IW);
	assert_int_equal(w.pa, 0x6001010);
	w = walk(EDU, 0xfffffff800ULL, AMDVI_PTE_IR);
	assert_int_equal(w.pa, 0x6100800);
	assert_int_equal(walk(EDU, 0xfffffff800ULL, AMDVI_PTE_IW).rights & AMDVI_PTE_IW, 0);
	assert_int_equal(walk(EDU, 0x7ffffff000ULL, AMDVI_PTE_IR).rights, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_39_bits),
	        cmocka_unit_test(test_48_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
