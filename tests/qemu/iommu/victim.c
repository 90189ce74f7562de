/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A client that dies with DMA in flight (tests/qemu/iommu/dma.c checks the
 * outcome): it takes the second edu device into a domain of its own, lends
 * a buffer, loads edu's buffer with 0x5a bytes, starts a device -> memory
 * DMA into its buffer and exits at once, before edu's 100 ms timer fires.
 * It prints no TAP: the boot's plan is dma.c's.
 */
#include <stdio.h>
#include <string.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "iommu_test.h"

#define BUF_VA 0x600000000000ULL

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t dom = t_slot(), did, width, buf, iova, frame;
	struct edu e;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	if (!t_edu(1, &e) ||
	    iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom, 0, &did, &width) != WARD_OK ||
	    t_attach(dom, &e, 0) != WARD_OK ||
	    t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, BUF_VA, &buf, &iova, &frame) !=
	            WARD_OK) {
		printf("victim: set-up failed\n");
		return 1;
	}
	memset((void *)BUF_VA, 0x5a, 4096);
	if (!t_edu_dma(&e, iova, EDU_BUFFER, EDU_XFER, false))
		return 1;
	/* The last DMA: device -> memory, still pending when this process is gone. */
	*(volatile uint64_t *)(e.bar + EDU_DMA_SRC) = EDU_BUFFER;
	*(volatile uint64_t *)(e.bar + EDU_DMA_DST) = iova;
	*(volatile uint64_t *)(e.bar + EDU_DMA_COUNT) = EDU_XFER;
	*(volatile uint64_t *)(e.bar + EDU_DMA_CMD) = EDU_CMD_START | EDU_CMD_TO_RAM;
	printf("victim: edu %02x:%02x.%u DMA into IOVA %#llx in flight; exiting\n",
	       (e.sbdf >> 8) & 0xff, (e.sbdf >> 3) & 31, e.sbdf & 7, (unsigned long long)iova);
	return 0;
}
