/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The AMD-Vi backend behind the core's interface (core/backend.h): the
 * host I/O page-table format as struct iommu_pte_ops, and one struct
 * iommu_unit per IOMMU whose operations collect commands and submit them,
 * ended by one COMPLETION_WAIT per batch, when the core calls wait(). The
 * server brings each unit up with amdvi.h (probe, prepare, enable: every
 * DeviceID starts blocked) and then hands the core the wrapper and
 * amdvi_unit_ops.
 *
 * Domain IDs: the core's allocator gets caps.domain_ids = AMDVI_DOMAIN_IDS
 * and hands out 1..255; 0 tags blocked entries.
 *
 * Interrupt remapping: index i of the interface is entry i of the table of
 * the DeviceID irq_set() names (IOMMU_IRQ_CHECK_SOURCE); the MSI is
 * address 0xfee00000, data i. IOMMU_IRQ_CHECK_BUSES has no AMD-Vi
 * equivalent (a table belongs to one DeviceID; devices behind a
 * PCIe-to-PCI bridge reach the unit under the alias IVRS names) and is
 * refused with IOMMU_ERR_UNSUPPORTED: the caller names the alias instead.
 */
#ifndef WARD_AMDVI_BACKEND_H
#define WARD_AMDVI_BACKEND_H

#include "amdvi.h"
#include "backend.h"

/* Room for queued commands; wait() submits them in batches of AMDVI_CMD_MAX_BATCH. */
#define AMDVI_BACKEND_PENDING 512

struct iommu_unit {
	struct amdvi_unit amd;
	struct amdvi_cmd pending[AMDVI_BACKEND_PENDING];
	unsigned npending;
	bool flush_all; /* commands were dropped, or a global one asked: wait() flushes every cache
	                 */
	/*
	 * Set by the server when the PCI capability header's NpCache bit (in
	 * configuration space, which the backend does not read) is clear. While
	 * it is false, not-present entries are assumed cached (caps.caching_mode,
	 * QEMU's setting), which only costs invalidations.
	 */
	bool no_np_cache;
	/*
	 * Set by the server when the unit cannot remap interrupts: QEMU's
	 * amd-iommu without intremap=on drops every MSI of a device whose
	 * entry has IV set, and nothing in its registers or IVRS says so.
	 * While false, caps.irq_entries is AMDVI_IRQ_ENTRIES.
	 */
	bool no_intremap;
};

extern const struct iommu_pte_ops amdvi_pte_ops;
extern const struct iommu_unit_ops amdvi_unit_ops;

/* iopt_config.flush_entries for a domain on this unit: flush_ctx is the struct iommu_unit. */
void amdvi_iopt_flush(void *unit, const void *va, size_t len);

/* The core's error for a backend status. */
enum iommu_err amdvi_iommu_err(enum amdvi_status s);

/*
 * How the backend reports an event as a struct iommu_fault: source_id is
 * the DeviceID (0 for the command events, which name none), iova the
 * address the record holds aligned down to its page, write the RW flag,
 * reason the event code itself (AMDVI_EVT_*: 1 illegal device table
 * entry, 2 I/O page fault, 3 device table hardware error, 4 page table
 * hardware error, 5 illegal command, 6 command hardware error, 7 IOTLB
 * invalidation timeout, 8 invalid device request), pasid when GN. Pure.
 */
struct iommu_fault amdvi_fault_from_event(const struct amdvi_event *e);

#endif /* WARD_AMDVI_BACKEND_H */
