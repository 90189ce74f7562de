/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VT-d backend behind the core's interface (core/backend.h): the
 * second-stage entry format as struct iommu_pte_ops, and one
 * struct iommu_unit per remapping unit whose operations queue
 * descriptors in memory and submit them, with one invalidation wait, when
 * the core calls wait(). The server brings each unit up with vtd.h
 * (probe, prepare, block every device, enable) and then hands the core
 * &unit->vtd's wrapper and vtd_unit_ops.
 *
 * Domain IDs: the core's allocator gets count = caps.domain_ids, which is
 * vtd_domain_ids() (1 .. domains - 2); the quarantine domain keeps the
 * highest ID and ID 0 stays unused.
 */
#ifndef WARD_VTD_BACKEND_H
#define WARD_VTD_BACKEND_H

#include "backend.h"
#include "vtd.h"

/* Room for queued descriptors: past it, wait() invalidates everything instead. */
#define VTD_BACKEND_PENDING VTD_QI_MAX_BATCH

/* The backend's state for one unit; the server allocates it (statically). */
struct iommu_unit {
	struct vtd_unit vtd;
	struct vtd_desc pending[VTD_BACKEND_PENDING];
	unsigned npending;
	bool overflowed; /* descriptors were dropped: wait() flushes every cache */
};

extern const struct iommu_pte_ops vtd_pte_ops;
extern const struct iommu_unit_ops vtd_unit_ops;

/* iopt_config.flush_entries for a domain on this unit: flush_ctx is the struct iommu_unit. */
void vtd_iopt_flush(void *unit, const void *va, size_t len);

/* The core's error for a backend status (timeouts and a wedged queue: IOMMU_ERR_TIMEOUT). */
enum iommu_err vtd_iommu_err(enum vtd_status s);

#endif /* WARD_VTD_BACKEND_H */
