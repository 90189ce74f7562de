/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hw.c's glue when the firmware describes no remapping unit (no DMAR DRHD,
 * no IVRS IVHD: QEMU's `bare` preset): the server still runs, so drivers
 * keep one code path, but DMA is UNPROTECTED. There is no unit, so every
 * hardware step of hw.c (context entries, invalidations, waits, fault
 * records, interrupt remapping) is a loop over zero units and does
 * nothing; a wait "completes" at once, which keeps the deferred free's
 * order (memory back only after a completed wait) trivially. A device
 * reaches physical memory directly, so buffer.c gives each mapping the
 * IOVA that equals the buffer's physical address (hw_bare()).
 *
 * Domains keep their I/O page tables in the format below as bookkeeping
 * only (no hardware reads them), so DUMP can still compare the server's
 * records with them. Quarantine is only bus mastering off (the PCI
 * server's step of every move); a device left with bus mastering on can
 * write anywhere.
 */
#include <ward/rt.h>

#include "hw.h"
#include "hw_unit.h"

/* The bookkeeping format: bit 0 present, bit 1 leaf, bits 2-3 rights, bits 12-51 address. */
#define BARE_PRESENT    (1ULL << 0)
#define BARE_LEAF       (1ULL << 1)
#define BARE_RIGHTS_POS 2
#define BARE_ADDR_MASK  0x000ffffffffff000ULL

static uint64_t make_leaf(uint64_t phys, unsigned level, unsigned rights)
{
	(void)level;
	return (phys & BARE_ADDR_MASK) | (uint64_t)(rights & IOMMU_RIGHTS_MASK) << BARE_RIGHTS_POS |
	       BARE_LEAF | BARE_PRESENT;
}

static uint64_t make_table(uint64_t table_phys, unsigned level)
{
	(void)level;
	return (table_phys & BARE_ADDR_MASK) | BARE_PRESENT;
}

static bool present(uint64_t pte)
{
	return (pte & BARE_PRESENT) != 0;
}

static bool is_leaf(uint64_t pte, unsigned level)
{
	return level == 1 || (pte & BARE_LEAF) != 0;
}

static uint64_t addr(uint64_t pte)
{
	return pte & BARE_ADDR_MASK;
}

static unsigned rights(uint64_t pte)
{
	return (unsigned)(pte >> BARE_RIGHTS_POS) & IOMMU_RIGHTS_MASK;
}

static const struct iommu_pte_ops bare_pte = {make_leaf, make_table, present,
                                              is_leaf,   addr,       rights};

/* What hw.c takes as the units' common capabilities: 39- and 48-bit domains, 2 MiB leaves. */
static void caps(const struct iommu_unit *u, struct iommu_caps *out)
{
	(void)u;
	*out = (struct iommu_caps){
	        .levels_mask = 1u << 3 | 1u << 4,
	        .max_width = 48,
	        .max_leaf_level = IOMMU_LEAF_2M,
	        .domain_ids = 1024,
	        .coherent_walk = true, /* nothing walks the tables: no flush needed */
	};
}

/* Only pte and caps: with no unit, hw.c never calls a unit operation. */
static const struct iommu_unit_ops bare_ops = {.pte = &bare_pte, .caps = caps};

static bool enable(struct iommu_unit *u)
{
	(void)u;
	return true;
}

static void print(unsigned i, const struct iommu_unit *u)
{
	(void)i;
	(void)u;
	ward_printf("no remapping unit: WARNING: DMA IS UNPROTECTED (IOVA = physical address; "
	            "quarantine is bus mastering off only)\n");
}

static bool context_get(const struct iommu_unit *u, uint16_t sid, uint64_t *table, unsigned *levels,
                        unsigned *did)
{
	(void)u, (void)sid, (void)table, (void)levels, (void)did;
	return false; /* every device reaches memory untranslated */
}

static void quarantine(const struct iommu_unit *u, uint64_t *table, unsigned *did)
{
	(void)u;
	*table = 0;
	*did = 0;
}

static void inject_timeout(struct iommu_unit *u)
{
	(void)u;
}

const struct hw_vendor hw_bare_vendor = {
        .name = "none",
        .window_kind = 0,
        .ops = &bare_ops,
        .flush_entries = NULL,
        .add = NULL,
        .enable = enable,
        .print = print,
        .context_get = context_get,
        .quarantine = quarantine,
        .inject_timeout = inject_timeout,
        .faults_pending = NULL,
};
