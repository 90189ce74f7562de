/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Message-signalled interrupts in the compatibility (non-remapped) format,
 * SDM Vol. 3A §10.11, and the allocator of device-interrupt vectors
 * (VEC_DEVICE_FIRST .. VEC_DEVICE_LAST) for MSIs and IOAPIC routes. Once
 * the IOMMU server turns on interrupt remapping it composes the remappable
 * format itself; this one is for machines and devices without it.
 */
#ifndef X86_MSI_H
#define X86_MSI_H

#include <stdint.h>
#include <ward/errors.h>

/* Message address, §10.11.1, Figure 10-24. */
#define MSI_ADDRESS_BASE       0xfee00000ULL /* bits 31:20 = 0FEEH */
#define MSI_ADDRESS_DEST_SHIFT 12            /* destination ID, bits 19:12 */
#define MSI_ADDRESS_RH         (1ULL << 3)   /* redirection hint: lowest priority */
#define MSI_ADDRESS_DM_LOGICAL (1ULL << 2)   /* destination mode; 0 = physical */
#define MSI_MAX_DEST_ID        0xff

/* Message data, §10.11.2, Figure 10-25. */
#define MSI_DATA_VECTOR_MASK    0xffU
#define MSI_DATA_DELIVERY_FIXED (0U << 8)
#define MSI_DATA_LEVEL_ASSERT   (1U << 14) /* ignored for edge */
#define MSI_DATA_TRIGGER_LEVEL  (1U << 15) /* 0 = edge */

/*
 * The address and data a device writes to raise `vector` on the CPU whose
 * APIC ID is `dest_apic_id`: physical destination, no redirection hint,
 * fixed delivery, edge triggered. WARD_ERR_INVALID_ARGUMENT if `vector` is
 * not a device vector, WARD_ERR_RANGE if the ID does not fit 8 bits.
 */
enum ward_error msi_compose(unsigned vector, unsigned dest_apic_id, uint64_t *address,
                            uint32_t *data);

/* Takes a free device vector: WARD_ERR_NOT_ENOUGH_MEMORY if none is left. */
enum ward_error msi_vector_alloc(unsigned *vector);

/* Returns `vector`: WARD_ERR_INVALID_ARGUMENT if it is not an allocated device vector. */
enum ward_error msi_vector_free(unsigned vector);

#endif
