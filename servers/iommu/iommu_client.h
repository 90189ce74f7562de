/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a client of the IOMMU server needs beside the generated stubs
 * ("iommu.h", from iommu.protocol): the constants of the protocol's
 * arguments and results, and helpers for the requests whose reply carries
 * a capability (CREATE_DOMAIN: the domain cap; BUFFER_FRAME: a frame cap;
 * BUFFER_CNODE: a CNode of frame caps).
 * docs/iommu.md describes the protocol.
 */
#ifndef IOMMU_CLIENT_H
#define IOMMU_CLIENT_H

#include <stdint.h>
#include <ward/invoke.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "iommu.h"

/* Rights of a mapping: what the device may do. */
#define IOMMU_READ        1u /* the device reads memory (memory -> device) */
#define IOMMU_WRITE       2u /* the device writes memory (device -> memory) */
#define IOMMU_RIGHTS_ALL  (IOMMU_READ | IOMMU_WRITE)
/* ALLOC_BUFFER: 4 KiB frames even for a buffer of 2 MiB multiples. */
#define IOMMU_ALLOC_SMALL 4u

#define IOMMU_IOVA_ANY (~0ULL) /* ALLOC_BUFFER, MAP_BUFFER: the server chooses */

/* ASSIGN, RELEASE: move every member of the device's group. */
#define IOMMU_ASSIGN_GROUP 1u

/* FAULT flags. */
#define IOMMU_FAULT_READ 1u /* the faulting request was a read */

/*
 * The name of a VT-d fault reason number (VT-d §7.1.3: the non-
 * recoverable fault reasons of DMA remapping), as FAULT returns it.
 */
static inline const char *iommu_fault_reason_name(uint64_t reason)
{
	static const char *const names[] = {
	        [0x1] = "root entry not present",
	        [0x2] = "context entry not present",
	        [0x3] = "context entry invalid",
	        [0x4] = "address beyond the domain's width",
	        [0x5] = "write without write permission",
	        [0x6] = "read without read permission",
	        [0x7] = "second-level entry inaccessible",
	        [0x8] = "root table inaccessible",
	        [0x9] = "context table inaccessible",
	        [0xa] = "root entry reserved bits",
	        [0xb] = "context entry reserved bits",
	        [0xc] = "second-level entry reserved bits",
	        [0xd] = "translation type not allowed",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason] != NULL)
		return names[reason];
	return "other";
}

/* DUMP flags. */
#define IOMMU_DUMP_QUIET          1u /* check only, print nothing */
#define IOMMU_DUMP_INJECT_TIMEOUT 2u /* tests (server option `inject`): the next wait times out */
/* Results 3 and 4 become: table pages free for reuse, items waiting for an invalidation. */
#define IOMMU_DUMP_PAGES          4u

/* The interrupt window, never mappable (VT-d §3.14: interrupt requests). */
#define IOMMU_MSI_BASE 0xfee00000ULL
#define IOMMU_MSI_END  0xfeefffffULL

static inline void iommu_arm_receive(uint64_t cnode, uint64_t slot)
{
	struct ward_ipc_buffer *buf = ward_ipc_buffer();

	buf->receive_cnode = cnode;
	buf->receive_index = slot;
	buf->receive_depth = cnode != 0 ? 64 : 0;
}

static inline enum ward_error iommu_cap_arrived(enum ward_error err, uint64_t slot)
{
	if (err == WARD_OK && ward_debug_cap_type(slot) == 0)
		return WARD_ERR_INVALID_CAPABILITY;
	return err;
}

/* Runs `call` (a generated stub) with the reply's cap received into (cnode, slot). */
#define IOMMU_CALL_INTO(cnode, slot, call)      \
	({                                      \
		enum ward_error err_;           \
		iommu_arm_receive(cnode, slot); \
		err_ = (call);                  \
		iommu_arm_receive(0, 0);        \
		iommu_cap_arrived(err_, slot);  \
	})

/* CREATE_DOMAIN with the domain cap received into (cnode, slot). */
static inline enum ward_error iommu_create_domain_into(uint64_t ep, uint64_t cnode, uint64_t slot,
                                                       uint64_t width, uint64_t *domain,
                                                       uint64_t *width_used)
{
	return IOMMU_CALL_INTO(cnode, slot, iommu_create_domain(ep, width, domain, width_used));
}

/* BUFFER_FRAME with the frame cap received into (cnode, slot). */
static inline enum ward_error iommu_buffer_frame_into(uint64_t ep, uint64_t cnode, uint64_t slot,
                                                      uint64_t buffer, uint64_t index,
                                                      uint64_t *phys, uint64_t *size)
{
	return IOMMU_CALL_INTO(cnode, slot, iommu_buffer_frame(ep, buffer, index, phys, size));
}

/* BUFFER_CNODE with the CNode received into (cnode, slot). */
static inline enum ward_error iommu_buffer_cnode_into(uint64_t ep, uint64_t cnode, uint64_t slot,
                                                      uint64_t buffer, uint64_t *frames,
                                                      uint64_t *frame_size, uint64_t *radix)
{
	return IOMMU_CALL_INTO(cnode, slot,
	                       iommu_buffer_cnode(ep, buffer, frames, frame_size, radix));
}

/* ASSIGNMENT with the group's assignment cap received into (cnode, slot). */
static inline enum ward_error iommu_assignment_into(uint64_t ep, uint64_t cnode, uint64_t slot,
                                                    uint64_t sbdf, uint64_t *group,
                                                    uint64_t *members)
{
	return IOMMU_CALL_INTO(cnode, slot, iommu_assignment(ep, sbdf, group, members));
}

/* ASSIGN through assignment cap `assign`, domain cap `domain`; the device cap into (cnode, slot).
 */
static inline enum ward_error iommu_assign_into(uint64_t assign, uint64_t cnode, uint64_t slot,
                                                uint64_t sbdf, uint64_t flags, uint64_t domain,
                                                uint64_t *moved, uint64_t *generation)
{
	return IOMMU_CALL_INTO(cnode, slot,
	                       iommu_assign(assign, sbdf, flags, domain, moved, generation));
}

/* DEVICE_BAR with the BAR frame cap received into (cnode, slot). */
static inline enum ward_error iommu_device_bar_into(uint64_t device, uint64_t cnode, uint64_t slot,
                                                    uint64_t sbdf, uint64_t bar, uint64_t offset,
                                                    uint64_t *phys, uint64_t *size)
{
	return IOMMU_CALL_INTO(cnode, slot,
	                       iommu_device_bar(device, sbdf, bar, offset, phys, size));
}

/* DEVICE_IRQ with the interrupt's IRQHandler received into (cnode, slot). */
static inline enum ward_error iommu_device_irq_into(uint64_t device, uint64_t cnode, uint64_t slot,
                                                    uint64_t sbdf, uint64_t *vector,
                                                    uint64_t *index)
{
	return IOMMU_CALL_INTO(cnode, slot, iommu_device_irq(device, sbdf, vector, index));
}

/* DEVICE_IRQ_MSIX (MSI-X table entry `entry`) with the IRQHandler received into (cnode, slot). */
static inline enum ward_error iommu_device_irq_msix_into(uint64_t device, uint64_t cnode,
                                                         uint64_t slot, uint64_t sbdf,
                                                         uint64_t entry, uint64_t *vector,
                                                         uint64_t *index)
{
	return IOMMU_CALL_INTO(cnode, slot,
	                       iommu_device_irq_msix(device, sbdf, entry, vector, index));
}

/*
 * Copies frame `index` out of a lent CNode (at root cptr `lent`, `radix`
 * bits) into root slot `slot`: a cap the client can map. It descends from
 * the server's original, so it vanishes when the buffer is freed.
 */
static inline enum ward_error iommu_frame_from_cnode(uint64_t lent, uint64_t radix, uint64_t index,
                                                     uint64_t slot)
{
	return ward_cnode_copy(WARD_PROC_CAP_CNODE, slot, 64, lent, index, radix,
	                       WARD_RIGHT_READ | WARD_RIGHT_WRITE);
}

#endif /* IOMMU_CLIENT_H */
