/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Devices' interrupts (device_irq.c): what the ledger's irq-teardown step
 * and DUMP need of them. DEVICE_IRQ and DEVICE_IRQ_FREE themselves are
 * declared by the generated iommu_server.h. Server thread only.
 */
#ifndef IOMMU_DEVICE_IRQ_H
#define IOMMU_DEVICE_IRQ_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The ledger's LEDGER_STEP_IRQ_TEARDOWN for device index `device`: MSI
 * off, its remapping entry cleared and the invalidation waited for, every
 * copy of its IRQHandler revoked and the vector freed. Nothing to do is
 * 0; otherwise 0 or the first cause (a PCI or IOMMU error). Whatever
 * fails, the entry is cleared and the old owner's caps are gone.
 */
int device_irq_teardown(uint16_t device);

/*
 * DUMP: every interrupt the server handed out against the units' tables
 * (present, vector, destination, source check) and the ledger (its device
 * owned by a domain, never in quarantine), and every present entry against
 * the records. Prints the entries unless quiet; returns the disagreements.
 */
unsigned device_irq_check(bool quiet);

#endif /* IOMMU_DEVICE_IRQ_H */
