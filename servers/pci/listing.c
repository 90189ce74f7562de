/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An lspci-like listing of the device table, printed at start-up (if the
 * starter asks) and on LSPCI. One line per function: SBDF, IDs, class,
 * kind, bus range, IOMMU group, Command; then its BARs, its capabilities
 * and reset method, and its DMA aliases when there is more than itself.
 */
#include <stdio.h>
#include <ward/rt.h>

#include "pci_state.h"

static const char *pci_kind(const struct pci_dev *d)
{
	static const char *const pcie[] = {
	        [PCI_EXP_TYPE_ENDPOINT] = "endpoint",
	        [PCI_EXP_TYPE_LEG_END] = "legacy endpoint",
	        [PCI_EXP_TYPE_ROOT_PORT] = "root port",
	        [PCI_EXP_TYPE_UPSTREAM] = "upstream port",
	        [PCI_EXP_TYPE_DOWNSTREAM] = "downstream port",
	        [PCI_EXP_TYPE_PCI_BRIDGE] = "PCIe-to-PCI bridge",
	        [PCI_EXP_TYPE_PCIE_BRIDGE] = "PCI-to-PCIe bridge",
	        [PCI_EXP_TYPE_RC_END] = "RC endpoint",
	        [PCI_EXP_TYPE_RC_EC] = "RC event collector",
	};

	if (!d->is_pcie)
		return d->header_type == PCI_HEADER_TYPE_BRIDGE ? "PCI bridge" : "PCI";
	if (d->pcie_type < sizeof(pcie) / sizeof(pcie[0]) && pcie[d->pcie_type] != NULL)
		return pcie[d->pcie_type];
	return "PCIe";
}

/* Formats a size as 256, 4K, 1M, 2G. */
static const char *pci_size(uint64_t size, char buf[24])
{
	static const char units[] = " KMGTPE";
	unsigned u = 0;

	while (size >= 1024 && size % 1024 == 0 && u + 1 < sizeof(units) - 1) {
		size /= 1024;
		u++;
	}
	snprintf(buf, 24, "%llu%.*s", (unsigned long long)size, u != 0, &units[u]);
	return buf;
}

static void pci_print_bars(const struct pci_dev *d)
{
	char sz[24];

	for (unsigned i = 0; i < d->nbars; i++) {
		const struct pci_bar *b = &d->bars[i];

		if (b->size == 0)
			continue;
		ward_printf("    BAR%u %s%s 0x%llx [%s]\n", i,
		            b->flags & PCI_BAR_F_IO      ? "io"
		            : b->flags & PCI_BAR_F_MEM64 ? "mem64"
		                                         : "mem32",
		            b->flags & PCI_BAR_F_PREFETCH ? " prefetchable" : "",
		            (unsigned long long)b->base, pci_size(b->size, sz));
	}
	if (d->rom.size != 0)
		ward_printf("    ROM 0x%llx [%s]\n", (unsigned long long)d->rom.base,
		            pci_size(d->rom.size, sz));
}

static void pci_print_caps(const struct pci_entry *e)
{
	const struct pci_caps *c = &e->dev.caps;

	ward_printf("    caps%s%s%s%s%s%s%s%s%s%s; reset %s\n", c->pm ? " PM" : "",
	            c->msi ? " MSI" : "", c->msix ? " MSI-X" : "", c->pcie ? " PCIe" : "",
	            c->pcix ? " PCI-X" : "", c->aer ? " AER" : "", c->acs ? " ACS" : "",
	            c->ari ? " ARI" : "", c->ats ? " ATS" : "", c->sriov ? " SR-IOV" : "",
	            pci_reset_name(e->reset_method));
	if (c->acs != 0)
		ward_printf("    ACS cap 0x%04x ctrl 0x%04x\n", e->dev.acs_cap, e->dev.acs_ctrl);
	if (c->sriov != 0 && e->pf == PCI_IDX_NONE)
		ward_printf("    SR-IOV: %u of %u VFs, offset %u stride %u, VF device %04x\n",
		            e->vf_enabled, e->sriov.total_vfs, e->sriov.vf_offset,
		            e->sriov.vf_stride, e->sriov.vf_device_id);
}

static void pci_print_entry(struct pci_server *s, const struct pci_entry *e)
{
	const struct pci_dev *d = &e->dev;
	uint32_t f = d->sbdf;

	ward_printf("%04x:%02x:%02x.%u %04x:%04x class %06x %s%s%s group %02x:%02x.%u "
	            "cmd %04x\n",
	            PCI_SBDF_SEG(f), PCI_SBDF_BUS(f), PCI_SBDF_DEV(f), PCI_SBDF_FN(f), d->vendor_id,
	            d->device_id, d->class_code, pci_kind(d), e->pf != PCI_IDX_NONE ? " (VF)" : "",
	            e->platform ? " (platform)" : "", PCI_SBDF_BUS(e->group),
	            PCI_SBDF_DEV(e->group), PCI_SBDF_FN(e->group), pci_rd16(s, f, PCI_COMMAND));
	if (d->header_type == PCI_HEADER_TYPE_BRIDGE)
		ward_printf("    buses %02x-%02x%s\n", d->sec_bus, d->sub_bus,
		            d->bus_range_bad ? " (rejected)" : "");
	pci_print_bars(d);
	pci_print_caps(e);
	for (unsigned k = 0; d->nalias > 1 && k < d->nalias; k++)
		ward_printf("    DMA alias %02x:%02x.%u\n", PCI_SBDF_BUS(d->alias[k]),
		            PCI_SBDF_DEV(d->alias[k]), PCI_SBDF_FN(d->alias[k]));
}

void pci_listing_print(struct pci_server *s)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s->n; i++) {
		if (s->e[i].present) {
			pci_print_entry(s, &s->e[i]);
			n++;
		}
	}
	ward_printf("%u functions\n", n);
}
