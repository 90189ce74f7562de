/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel MSI vectors for remapped interrupts (irq.h). The kernel's GetMSI
 * answers with a vector and the compatibility-format message that would
 * reach it (what a device programmed without remapping would write); the
 * server keeps the vector and the destination APIC ID from it and never
 * hands that message to a device: with remapping on, the unit blocks
 * compatibility-format interrupts, and the device gets a remappable
 * message naming an entry instead (hw_irq_alloc()).
 *
 * Compatibility-format MSI address (Intel SDM vol. 3A §11.11.1, VT-d
 * §5.1.2.1): 0xFEE in bits 31:20, destination ID 19:12, redirection hint
 * bit 3, destination mode bit 2 (0: physical), interrupt format bit 4
 * clear; data: vector in bits 7:0, delivery mode 10:8 (0: fixed).
 */
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "irq.h"

#define MSI_ADDR_BASE_MASK  0xfff00000ULL
#define MSI_ADDR_BASE       0xfee00000ULL
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_ADDR_DEST_MASK  (0xffULL << 12)
#define MSI_ADDR_FORMAT     (1ULL << 4) /* set: remappable format */
#define MSI_ADDR_DM_LOGICAL (1ULL << 2)
#define MSI_DATA_VECTOR     0xffULL
#define MSI_DATA_DELIVERY   (7ULL << 8)

bool irq_vector_alloc(uint64_t dest_slot, unsigned *vector, unsigned *apic_id)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t v, address, data;

	if (si->irq_control == 0 ||
	    ward_irq_control_get_msi(si->irq_control, WARD_PROC_CAP_CNODE, dest_slot, 64, &v,
	                             &address, &data) != WARD_OK)
		return false;
	if ((address & MSI_ADDR_BASE_MASK) != MSI_ADDR_BASE ||
	    (address & (MSI_ADDR_FORMAT | MSI_ADDR_DM_LOGICAL)) != 0 ||
	    (data & MSI_DATA_DELIVERY) != 0 || (data & MSI_DATA_VECTOR) != v) {
		/* not a message Ward can remap: give the vector back */
		ward_cnode_delete(WARD_PROC_CAP_CNODE, dest_slot, 64);
		return false;
	}
	*vector = (unsigned)v;
	*apic_id = (unsigned)((address & MSI_ADDR_DEST_MASK) >> MSI_ADDR_DEST_SHIFT);
	return true;
}
