/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers of the advisory tests (xsa.h): thin layers over the protocol
 * stubs and edu's DMA registers (QEMU's hw/misc/edu.c: the command's bit 0
 * stays set until the DMA timer ran the transfer).
 */
#include <string.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "xsa.h"

void xsa_init(void)
{
	t_ep = ward_startinfo->iommu_endpoint;
	t_pci = ward_startinfo->pci_endpoint;
}

bool xsa_domain(struct xsa_domain *d, uint64_t width)
{
	d->cap = t_slot();
	return d->cap != 0 && iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, d->cap, width,
	                                               &d->did, &d->width) == WARD_OK;
}

bool xsa_buffer(struct xsa_domain *d, uint64_t iova, uint64_t va, uint8_t fill,
                struct xsa_buffer *b)
{
	if (t_buffer(d->cap, 4096, iova, IOMMU_RIGHTS_ALL, va, &b->id, &b->iova, NULL) != WARD_OK)
		return false;
	b->va = (volatile uint8_t *)va;
	memset((void *)va, fill, 4096);
	return true;
}

void xsa_dma_start(struct edu *e, uint64_t src, uint64_t dst, uint32_t count, bool to_ram)
{
	*(volatile uint64_t *)(e->bar + EDU_DMA_SRC) = src;
	*(volatile uint64_t *)(e->bar + EDU_DMA_DST) = dst;
	*(volatile uint64_t *)(e->bar + EDU_DMA_COUNT) = count;
	*(volatile uint64_t *)(e->bar + EDU_DMA_CMD) =
	        EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0);
}

bool xsa_dma_pending(struct edu *e)
{
	return (*(volatile uint64_t *)(e->bar + EDU_DMA_CMD) & EDU_CMD_START) != 0;
}

bool xsa_dma_wait(struct edu *e)
{
	for (unsigned waited = 0; xsa_dma_pending(e); waited += 5) {
		if (waited >= 5000)
			return false;
		t_sleep_ms(5);
	}
	return true;
}

uint64_t xsa_owner(const struct edu *e)
{
	uint64_t owner, pid, group, members, nalias, pf, vfs, gen;

	if (iommu_query(t_ep, e->sbdf, &owner, &pid, &group, &members, &nalias, &pf, &vfs, &gen) !=
	    WARD_OK)
		return ~0ULL;
	return owner;
}

uint64_t xsa_faults(const struct xsa_domain *d)
{
	return t_faults_taken(d->cap);
}

bool xsa_dump_ok(void)
{
	uint64_t d, c, p;

	return t_dump(&d, &c, &p) == WARD_OK;
}
