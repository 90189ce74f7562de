/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Message-signalled interrupts. An MSI is a memory write the function
 * makes to an address and with data it was given (PCI Local Bus 3.0
 * §6.8): whoever programs those chooses where the function writes. So only
 * this server programs them, and only with what the IOMMU server supplies
 * (it owns interrupt remapping and gets the vectors from the kernel);
 * drivers cannot write the MSI or MSI-X capability (access.c) or map the
 * MSI-X table (grant.c).
 */
#include "pci_handlers.h"
#include "pci_state.h"

/* MSI and MSI-X off; MSI-X additionally masked as a whole (PCIe Base §7.7.2.2). */
void pci_msi_off(struct pci_server *s, struct pci_entry *e)
{
	const struct pci_caps *c = &e->dev.caps;
	uint32_t sbdf = e->dev.sbdf;

	if (c->msi != 0) {
		uint16_t f = pci_rd16(s, sbdf, (uint16_t)(c->msi + PCI_MSI_FLAGS));
		pci_wr16(s, sbdf, (uint16_t)(c->msi + PCI_MSI_FLAGS),
		         (uint16_t)(f & ~PCI_MSI_FLAGS_ENABLE));
	}
	if (c->msix != 0) {
		uint16_t f = pci_rd16(s, sbdf, (uint16_t)(c->msix + PCI_MSIX_FLAGS));
		pci_wr16(s, sbdf, (uint16_t)(c->msix + PCI_MSIX_FLAGS),
		         (uint16_t)((f & ~PCI_MSIX_FLAGS_ENABLE) | PCI_MSIX_FLAGS_MASKALL));
	}
	e->irq_mode = PCI_IRQ_OFF;
}

/* Checks shared by MSI_SET and MSIX_SET, in argument order. */
static enum ward_error pci_msi_common(struct ward_request *rq, uint64_t sbdf, bool msix,
                                      uint64_t address, struct pci_entry **out)
{
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, 0, true, &e)) != WARD_OK)
		return err;
	*out = e;
	if (e->platform)
		return ward_fail(rq, PCI_ERR_PROTECTED, 0, 0, 0);
	if ((msix ? e->dev.caps.msix : e->dev.caps.msi) == 0)
		return ward_fail(rq, PCI_ERR_UNSUPPORTED, 0, 0, 0);
	/* Message addresses are dword aligned (PCI Local Bus 3.0 §6.8.1.4-5). */
	if (address & 3)
		return ward_fail(rq, WARD_ERR_ALIGNMENT, 1, 4, 0);
	return WARD_OK;
}

enum ward_error pci_serve_msi_set(struct ward_request *rq, uint64_t sbdf, uint64_t address,
                                  uint64_t data, uint64_t count)
{
	struct pci_server *s = rq->ctx;
	struct pci_entry *e;
	enum ward_error err;
	uint16_t msi, flags, max;
	uint32_t f;

	if ((err = pci_msi_common(rq, sbdf, false, address, &e)) != WARD_OK)
		return err;
	f = e->dev.sbdf;
	msi = e->dev.caps.msi;
	flags = pci_rd16(s, f, msi + PCI_MSI_FLAGS);
	if (!(flags & PCI_MSI_FLAGS_64BIT) && address > UINT32_MAX)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 0, UINT32_MAX);
	if (data > 0xffff)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 2, 0, 0xffff);
	/* Multiple Message Capable: log2 of the vectors the function can use. */
	max = (uint16_t)(1u << PCI_FIELD(PCI_MSI_FLAGS_QMASK, flags));
	if (count == 0 || count > max || (count & (count - 1)) != 0)
		return ward_fail(rq, WARD_ERR_RANGE, 3, 1, max);
	if (e->irq_mode == PCI_IRQ_MSIX)
		return ward_fail(rq, PCI_ERR_IN_USE, 0, 0, 0);
	/* Change address and data only while MSI is off (PCI Local Bus 3.0 §6.8.3.5). */
	flags &= (uint16_t) ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	pci_wr16(s, f, msi + PCI_MSI_FLAGS, flags);
	pci_wr32(s, f, msi + PCI_MSI_ADDRESS_LO, (uint32_t)address);
	if (flags & PCI_MSI_FLAGS_64BIT) {
		pci_wr32(s, f, msi + PCI_MSI_ADDRESS_HI, (uint32_t)(address >> 32));
		pci_wr16(s, f, msi + PCI_MSI_DATA_64, (uint16_t)data);
	} else {
		pci_wr16(s, f, msi + PCI_MSI_DATA_32, (uint16_t)data);
	}
	flags |= (uint16_t)((__builtin_ctzll(count) << 4) & PCI_MSI_FLAGS_QSIZE);
	pci_wr16(s, f, msi + PCI_MSI_FLAGS, flags | PCI_MSI_FLAGS_ENABLE);
	e->irq_mode = PCI_IRQ_MSI;
	return WARD_OK;
}

/* Writes one MSI-X table entry, masked while it changes (PCIe Base §7.7.2, §6.1.4.6). */
static void pci_msix_entry_write(volatile uint8_t *entry, uint64_t address, uint64_t data,
                                 uint64_t masked)
{
	volatile uint32_t *w = (volatile uint32_t *)entry;

	w[PCI_MSIX_ENTRY_VECTOR_CTRL / 4] |= PCI_MSIX_ENTRY_CTRL_MASKBIT;
	w[PCI_MSIX_ENTRY_LOWER_ADDR / 4] = (uint32_t)address;
	w[PCI_MSIX_ENTRY_UPPER_ADDR / 4] = (uint32_t)(address >> 32);
	w[PCI_MSIX_ENTRY_DATA / 4] = (uint32_t)data;
	if (!masked)
		w[PCI_MSIX_ENTRY_VECTOR_CTRL / 4] &= ~PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

enum ward_error pci_serve_msix_set(struct ward_request *rq, uint64_t sbdf, uint64_t entry,
                                   uint64_t address, uint64_t data, uint64_t masked)
{
	struct pci_server *s = rq->ctx;
	volatile uint8_t *table;
	struct pci_entry *e;
	enum ward_error err;
	uint16_t msix, flags, n;
	uint32_t f, where;

	if ((err = pci_msi_common(rq, sbdf, true, address, &e)) != WARD_OK)
		return err;
	f = e->dev.sbdf;
	msix = e->dev.caps.msix;
	flags = pci_rd16(s, f, msix + PCI_MSIX_FLAGS);
	n = (uint16_t)((flags & PCI_MSIX_FLAGS_QSIZE) + 1);
	if (entry >= n)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 0, n - 1u);
	if (data > UINT32_MAX || masked > 1)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, data > UINT32_MAX ? 3 : 4, 0,
		                 data > UINT32_MAX ? UINT32_MAX : 1);
	if (e->irq_mode == PCI_IRQ_MSI)
		return ward_fail(rq, PCI_ERR_IN_USE, 0, 0, 0);
	where = pci_rd32(s, f, msix + PCI_MSIX_TABLE);
	if ((where & PCI_MSIX_TABLE_BIR) >= e->dev.nbars)
		return ward_fail(rq, PCI_ERR_UNSUPPORTED, 0, 0, 0);
	table = pci_map_own(s, e, where & PCI_MSIX_TABLE_BIR,
	                    (where & PCI_MSIX_TABLE_OFFSET) + entry * PCI_MSIX_ENTRY_SIZE);
	if (table == NULL)
		return ward_fail(rq, PCI_ERR_NO_RESOURCES, 0, 0, 0);
	pci_msix_entry_write(table, address, data, masked);
	flags = (uint16_t)((flags | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
	pci_wr16(s, f, msix + PCI_MSIX_FLAGS, flags);
	e->irq_mode = PCI_IRQ_MSIX;
	return WARD_OK;
}

enum ward_error pci_serve_irq_disable(struct ward_request *rq, uint64_t sbdf)
{
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, 0, true, &e)) != WARD_OK)
		return err;
	if (!e->platform)
		pci_msi_off(rq->ctx, e);
	return WARD_OK;
}
