/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel interrupt vectors for devices' remapped interrupts. The root task
 * gives the IOMMU server a copy of its IRQControl cap (start information
 * `irq_control`), so the server, which owns the remapping tables, also
 * decides which CPU vector each entry delivers to: a client never names
 * a vector or an address, it gets an IRQHandler for the vector behind the
 * entry the server wrote for its device. Belongs to the server thread.
 */
#ifndef IOMMU_IRQ_H
#define IOMMU_IRQ_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Makes an IRQHandler for a fresh kernel MSI vector in the server's root
 * CNode slot `dest_slot` (empty) and says where the kernel delivers it:
 * *vector and *apic_id (physical xAPIC destination), which an interrupt
 * remapping entry then names. False (slot still empty) when the server
 * has no IRQControl cap, the kernel has no free vector, or the kernel's
 * message is not a physical-destination fixed interrupt.
 */
bool irq_vector_alloc(uint64_t dest_slot, unsigned *vector, unsigned *apic_id);

#endif /* IOMMU_IRQ_H */
