/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the tests of the Xen advisories' bug classes (xsa_*.c, one per
 * class of ../docs/iommu.md §13) share on top of iommu_test.h: a domain
 * with a buffer mapped for the CPU, a DMA started without waiting for it,
 * and the ledger's view of a device.
 */
#ifndef IOMMU_XSA_H
#define IOMMU_XSA_H

#include "iommu_test.h"

/* A client domain and one buffer of it, mapped for the CPU at va. */
struct xsa_domain {
	uint64_t cap, did, width;
};

struct xsa_buffer {
	uint64_t id, iova;
	volatile uint8_t *va;
};

/* Sets t_ep and t_pci from the start information. */
void xsa_init(void);
/* CREATE_DOMAIN of `width` (0: widest) into a new slot; false on error. */
bool xsa_domain(struct xsa_domain *d, uint64_t width);
/* A 4 KiB buffer at iova (IOMMU_IOVA_ANY: any), filled with `fill`. */
bool xsa_buffer(struct xsa_domain *d, uint64_t iova, uint64_t va, uint8_t fill,
                struct xsa_buffer *b);
/* Starts a DMA (edu's 100 ms timer) and returns at once. */
void xsa_dma_start(struct edu *e, uint64_t src, uint64_t dst, uint32_t count, bool to_ram);
/* Whether edu's DMA has not run yet (the command's start bit, cleared when it ran). */
bool xsa_dma_pending(struct edu *e);
/* Waits until the DMA ran (bounded: 5 s); false if it did not. */
bool xsa_dma_wait(struct edu *e);
/* QUERY's owner of the device (0: quarantine, else domain slot + 1); ~0 on error. */
uint64_t xsa_owner(const struct edu *e);
/* The server's fault records so far (STATS through d). */
uint64_t xsa_faults(const struct xsa_domain *d);
/* DUMP (quiet) agrees with the records. */
bool xsa_dump_ok(void);

#endif
