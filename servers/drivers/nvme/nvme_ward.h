/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NVMe driver on Ward's capabilities (nvme_ward.c): from a device cap
 * (the IOMMU server's, for the controller's group) and a domain cap, the
 * controller's registers mapped, bus mastering on, its MSI-X entry 0
 * remapped to a notification of the driver (DEVICE_IRQ_MSIX), and its
 * queues and data pages in memory the IOMMU server lends into the
 * domain. Slots and paging structures come from libs/proc (the caller has
 * set up proc_slots; tables are retyped from WARD_PROC_CAP_UNTYPED).
 */
#ifndef NVME_WARD_H
#define NVME_WARD_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/errors.h>

#include "nvme.h"

struct nvme_ward {
	/* Set by the caller. */
	uint32_t sbdf;
	uint64_t device; /* device cap (slot) of the controller's group */
	uint64_t domain; /* domain cap (slot): the controller's DMA goes here */
	uint64_t va;     /* free virtual address space for BAR, queues and data */
	uint32_t data_pages;
	bool use_irq; /* MSI-X through interrupt remapping; else completions are polled */

	/* Filled by nvme_ward_attach(). */
	struct nvme_ctrl ctrl;
	uint64_t ntfn, handler, vector, irq_index;
	uint64_t interrupts; /* signals taken from the notification */
	uint64_t control_buffer, data_buffer;
	struct nvme_dma data; /* data_pages pages, contiguous in both views */
	enum ward_error failed_step_error;
	const char *failed_step;
};

/* Maps the BAR, turns bus mastering on, takes the interrupt, lends the memory. */
enum ward_error nvme_ward_attach(struct nvme_ward *w);

/*
 * A buffer of `pages` lent into domain cap `domain` at IOVA `at` (or
 * IOMMU_IOVA_ANY), its frames mapped at va; *buffer its id, *iova where
 * the device sees it.
 */
enum ward_error nvme_ward_lend(uint64_t domain, uint32_t pages, uint64_t at, uint64_t va,
                               uint64_t *buffer, uint64_t *iova);

/* Milliseconds of the TSC (the start information's rate). */
uint64_t nvme_ward_now_ms(void);

#endif
