/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VT-d second-stage entry format (§9.8, vtd_regs.h) as the core's
 * struct iommu_pte_ops, inline, and the flush of written entries. The
 * backend's vtd_pte_ops and vtd_iopt_flush() are made of these; the core
 * built for the server, which has no other format, includes this header
 * as its IOPT_FORMAT_HEADER (core/iopt.c) and calls them directly, so the
 * map path pays no indirect call and no spill around one. The host tests
 * build the core without it and reach the same functions through the ops.
 */
#ifndef WARD_VTD_IOPT_FORMAT_H
#define WARD_VTD_IOPT_FORMAT_H

#include "vtd_backend.h"

static inline uint64_t vtd_format_rights(unsigned rights)
{
	return ((rights & IOMMU_READ) ? VTD_PTE_R : 0) | ((rights & IOMMU_WRITE) ? VTD_PTE_W : 0);
}

static inline uint64_t vtd_format_make_leaf(uint64_t phys, unsigned level, unsigned rights)
{
	return vtd_pte_leaf(phys, level, vtd_format_rights(rights));
}

static inline uint64_t vtd_format_make_table(uint64_t table_phys, unsigned level)
{
	(void)level;
	return vtd_pte_table(table_phys);
}

static inline unsigned vtd_format_leaf_rights(uint64_t pte)
{
	return ((pte & VTD_PTE_R) ? IOMMU_READ : 0) | ((pte & VTD_PTE_W) ? IOMMU_WRITE : 0);
}

/* The initializer of vtd_pte_ops. */
#define VTD_FORMAT_OPS                                                                        \
	{                                                                                     \
		.make_leaf = vtd_format_make_leaf, .make_table = vtd_format_make_table,       \
		.present = vtd_pte_present, .is_leaf = vtd_pte_is_leaf, .addr = vtd_pte_addr, \
		.rights = vtd_format_leaf_rights,                                             \
	}

/*
 * vtd_iopt_flush(): entries out of the CPU cache unless the walk is
 * coherent, and the write buffer flushed if RWBF (§6.8). The common case,
 * the backend's own clflush loop, inline; an env hook or RWBF out of line.
 */
static inline void vtd_format_flush(void *unit, const void *va, size_t len)
{
	const struct iommu_unit *u = unit;

	if (u->vtd.env->cache_flush != NULL || u->vtd.caps.rwbf)
		vtd_iopt_flush(unit, va, len);
	else if (!u->vtd.caps.coherent && len != 0)
		vtd_cache_writeback(va, len);
}

/* What core/iopt.c's one-format build takes (IOPT_FORMAT_HEADER). */
#define IOPT_FORMAT_OPS        vtd_pte_ops /* the ops and flush these stand for */
#define IOPT_FORMAT_FLUSH      vtd_iopt_flush
#define iopt_format_make_leaf  vtd_format_make_leaf
#define iopt_format_make_table vtd_format_make_table
#define iopt_format_present    vtd_pte_present
#define iopt_format_is_leaf    vtd_pte_is_leaf
#define iopt_format_addr       vtd_pte_addr
#define iopt_format_rights     vtd_format_leaf_rights
#define iopt_format_flush      vtd_format_flush

#endif
