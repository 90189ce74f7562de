/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Read-only requests about one function: what the device table knows of
 * it. These accept a device badge for its own function, so a driver can
 * learn its BARs and capabilities without the IOMMU server's help.
 */
#include "pci_handlers.h"
#include "pci_state.h"

static uint64_t pci_describe_flags(const struct pci_entry *e)
{
	const struct pci_dev *d = &e->dev;
	uint64_t f = 0;

	f |= d->multifunction ? PCI_DESC_MULTIFUNCTION : 0;
	f |= d->is_pcie ? PCI_DESC_PCIE : 0;
	f |= e->pf != PCI_IDX_NONE ? PCI_DESC_VF : 0;
	f |= d->caps.sriov != 0 && e->pf == PCI_IDX_NONE ? PCI_DESC_PF : 0;
	f |= e->platform ? PCI_DESC_PLATFORM : 0;
	f |= d->caps.legacy_malformed || d->caps.ext_malformed ? PCI_DESC_CAPS_MALFORMED : 0;
	f |= d->bars_malformed ? PCI_DESC_BARS_MALFORMED : 0;
	f |= d->bus_range_bad ? PCI_DESC_BUS_RANGE_BAD : 0;
	f |= d->alias_overflow ? PCI_DESC_ALIAS_OVERFLOW : 0;
	f |= e->irq_mode == PCI_IRQ_MSI ? PCI_DESC_MSI_ON : 0;
	f |= e->irq_mode == PCI_IRQ_MSIX ? PCI_DESC_MSIX_ON : 0;
	f |= e->device_cap != 0 ? PCI_DESC_DEVICE_CAP : 0;
	return f;
}

enum ward_error pci_serve_describe(struct ward_request *rq, uint64_t sbdf, uint64_t *vendor,
                                   uint64_t *device, uint64_t *class_rev, uint64_t *header,
                                   uint64_t *pcie_type, uint64_t *flags, uint64_t *command,
                                   uint64_t *group, uint64_t *nalias, uint64_t *buses)
{
	struct pci_server *s = rq->ctx;
	const struct pci_dev *d;
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, 0, false, &e)) != WARD_OK)
		return err;
	d = &e->dev;
	*vendor = d->vendor_id;
	*device = d->device_id;
	*class_rev = (uint64_t)d->class_code << 8 | d->revision;
	*header = d->header_type;
	*pcie_type = d->is_pcie ? d->pcie_type : 0;
	*flags = pci_describe_flags(e);
	*command = pci_rd32(s, d->sbdf, PCI_COMMAND);
	*group = e->group;
	*nalias = d->nalias;
	*buses = 0;
	if (d->header_type == PCI_HEADER_TYPE_BRIDGE)
		*buses = PCI_SBDF_BUS(d->sbdf) | (uint64_t)d->sec_bus << 8 |
		         (uint64_t)d->sub_bus << 16;
	return WARD_OK;
}

static uint64_t pci_present_caps(struct pci_server *s, const struct pci_entry *e)
{
	const struct pci_caps *c = &e->dev.caps;
	uint64_t p = 0;

	p |= c->pm ? PCI_CAPF_PM : 0;
	p |= c->msi ? PCI_CAPF_MSI : 0;
	p |= c->msix ? PCI_CAPF_MSIX : 0;
	p |= c->pcie ? PCI_CAPF_PCIE : 0;
	p |= c->aer ? PCI_CAPF_AER : 0;
	p |= c->acs ? PCI_CAPF_ACS : 0;
	p |= c->ari ? PCI_CAPF_ARI : 0;
	p |= c->sriov ? PCI_CAPF_SRIOV : 0;
	p |= c->ats ? PCI_CAPF_ATS : 0;
	if (c->pcie != 0 &&
	    (pci_rd32(s, e->dev.sbdf, (uint16_t)(c->pcie + PCI_EXP_DEVCAP)) & PCI_EXP_DEVCAP_FLR))
		p |= PCI_CAPF_FLR;
	return p;
}

enum ward_error pci_serve_capabilities(struct ward_request *rq, uint64_t sbdf, uint64_t *present,
                                       uint64_t *reset_method, uint64_t *pm, uint64_t *msi,
                                       uint64_t *msix, uint64_t *pcie, uint64_t *aer, uint64_t *acs,
                                       uint64_t *ari, uint64_t *sriov)
{
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, 0, false, &e)) != WARD_OK)
		return err;
	*present = pci_present_caps(rq->ctx, e);
	*reset_method = e->reset_method;
	*pm = e->dev.caps.pm;
	*msi = e->dev.caps.msi;
	*msix = e->dev.caps.msix;
	*pcie = e->dev.caps.pcie;
	*aer = e->dev.caps.aer;
	*acs = e->dev.caps.acs;
	*ari = e->dev.caps.ari;
	*sriov = e->dev.caps.sriov;
	return WARD_OK;
}

enum ward_error pci_serve_bar_info(struct ward_request *rq, uint64_t sbdf, uint64_t bar,
                                   uint64_t *base, uint64_t *size, uint64_t *flags)
{
	static const struct pci_bar none;
	const struct pci_bar *b = &none;
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, 0, false, &e)) != WARD_OK)
		return err;
	if (bar > PCI_BAR_ROM)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 0, PCI_BAR_ROM);
	if (bar == PCI_BAR_ROM)
		b = &e->dev.rom;
	else if (bar < e->dev.nbars)
		b = &e->dev.bars[bar];
	*base = b->base;
	*size = b->size;
	*flags = b->flags;
	return WARD_OK;
}

enum ward_error pci_serve_alias(struct ward_request *rq, uint64_t sbdf, uint64_t index,
                                uint64_t *alias_sbdf)
{
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, 0, false, &e)) != WARD_OK)
		return err;
	if (index >= e->dev.nalias)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 0, e->dev.nalias - 1ULL);
	*alias_sbdf = e->dev.alias[index];
	return WARD_OK;
}
