/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Configuration space through ECAM (PCIe Base §7.2.2): the starter maps
 * each MCFG window into the server's address space and this file turns
 * struct pci_cfg_ops accesses into loads and stores of the right width.
 * An access outside every window reads as all-ones and writes nothing, as
 * a configuration request to a missing function completes with
 * Unsupported Request; the core relies on exactly that.
 */
#include "pci_state.h"

static volatile uint8_t *pci_ecam_addr(struct pci_server *s, uint32_t sbdf, uint16_t off, int width)
{
	for (unsigned i = 0; i < s->cfg.necam; i++) {
		const struct pci_ecam_mapping *m = &s->cfg.ecam[i];
		uint64_t o;

		if (pci_ecam_offset(&m->window, sbdf, off, width, &o) == PCI_OK)
			return (volatile uint8_t *)m->va + o;
	}
	return NULL;
}

static uint32_t pci_ecam_read(void *ctx, uint32_t sbdf, uint16_t off, int width)
{
	volatile uint8_t *p = pci_ecam_addr(ctx, sbdf, off, width);

	if (p == NULL)
		return width == 4 ? PCI_CFG_ALL_ONES : (1u << (8 * width)) - 1;
	/* ECAM accesses must keep their width: one TLP per access (§7.2.2). */
	switch (width) {
	case 1:
		return *p;
	case 2:
		return *(volatile uint16_t *)p;
	default:
		return *(volatile uint32_t *)p;
	}
}

static void pci_ecam_write(void *ctx, uint32_t sbdf, uint16_t off, uint32_t val, int width)
{
	volatile uint8_t *p = pci_ecam_addr(ctx, sbdf, off, width);

	if (p == NULL)
		return;
	switch (width) {
	case 1:
		*p = (uint8_t)val;
		break;
	case 2:
		*(volatile uint16_t *)p = (uint16_t)val;
		break;
	default:
		*(volatile uint32_t *)p = val;
		break;
	}
}

const struct pci_cfg_ops pci_ecam_ops = {
        .read = pci_ecam_read,
        .write = pci_ecam_write,
};
