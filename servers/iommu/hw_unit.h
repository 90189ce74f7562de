/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What hw.c needs from a vendor's glue (hw_vtd.c, hw_amdvi.c) beyond the
 * core's unit operations: bringing a unit up from its register window,
 * and the few questions only the vendor's own structures answer (where a
 * device's entry points, what the quarantine is, the one-line state for
 * `dump`, the test hook). hw.c picks the vendor from the windows the root
 * task gave (DMAR DRHD: VT-d; IVRS IVHD: AMD-Vi) and from then on drives
 * every unit through struct iommu_unit_ops; each glue file includes its
 * own backend header, whose struct iommu_unit the other must not see.
 */
#ifndef IOMMU_HW_UNIT_H
#define IOMMU_HW_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ward/startinfo.h>

#include "backend.h"

struct hw_vendor {
	const char *name;
	uint32_t window_kind; /* enum ward_window_kind of its units' register windows */
	const struct iommu_unit_ops *ops;
	/* iopt_config.flush_entries for its tables (flush_ctx: a unit), when the walk does not
	 * snoop. */
	void (*flush_entries)(void *unit, const void *va, size_t len);
	/*
	 * Probes and prepares the unit of window w as slot `i` (< HW_MAX_UNITS),
	 * translation still off, every device blocked; `irq` is its fault or
	 * event interrupt (NULL: none). NULL (reported, unit left as firmware
	 * left it) when the unit is unusable.
	 */
	struct iommu_unit *(*add)(unsigned i, const struct ward_device_window *w,
	                          const struct ward_irq_grant *irq);
	/* Translation on, every cache invalidated. */
	bool (*enable)(struct iommu_unit *u);
	/* The unit's capabilities and state, one or two lines for `dump`. */
	void (*print)(unsigned i, const struct iommu_unit *u);
	/*
	 * The entry of requester `sid` as the hardware reads it: false when it
	 * lets DMA through untranslated or is absent; a blocked entry reads as
	 * the quarantine's table and domain ID.
	 */
	bool (*context_get)(const struct iommu_unit *u, uint16_t sid, uint64_t *table,
	                    unsigned *levels, unsigned *did);
	/* What a blocked entry holds (table 0 when blocking needs no table). */
	void (*quarantine)(const struct iommu_unit *u, uint64_t *table, unsigned *did);
	/* Test hook: the unit's next wait times out. */
	void (*inject_timeout)(struct iommu_unit *u);
	/*
	 * Whether records wait to be drained although no interrupt said so
	 * (NULL: the fault interrupt always does).
	 */
	bool (*faults_pending)(const struct iommu_unit *u);
};

#define HW_MAX_UNITS 8

extern const struct hw_vendor hw_vtd_vendor;
extern const struct hw_vendor hw_amdvi_vendor;
/* No remapping unit described (hw_bare.c): no units, DMA unprotected. */
extern const struct hw_vendor hw_bare_vendor;

#endif /* IOMMU_HW_UNIT_H */
