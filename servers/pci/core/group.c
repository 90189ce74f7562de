/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IOMMU group computation over a device table, following Linux's
 * drivers/iommu/iommu.c pci_device_group() with drivers/pci/search.c
 * pci_for_each_dma_alias() and drivers/pci/pci.c pci_acs_enabled() /
 * pci_acs_path_enabled(); device-specific ACS quirks are not applied.
 *
 * For each function F:
 *  1. DMA aliases: walking towards the root, a bridge that takes
 *     ownership of F's transactions makes the IOMMU see its ID instead of
 *     F's. Every such bridge joins F's group; the topmost one is where
 *     step 2 starts.
 *  2. ACS: from there, climb while the bridge above is not isolated all
 *     the way to the root (ACS Source Validation, P2P Request Redirect,
 *     P2P Completion Redirect, Upstream Forwarding; PCIe Base §6.12).
 *     Each bridge climbed over joins the group, and with it every other
 *     function that climbs to it: all functions below a non-isolating port
 *     share a group with that port.
 *  3. Multi-function: if the function reached is part of a multi-function
 *     device and is not isolated, it shares a group with every
 *     non-isolated function of the same device (PCIe Base §6.12.1.2).
 * Groups are the connected components of these relations (union-find),
 * numbered in SBDF order so the result does not depend on table order.
 *
 * Root-complex integrated endpoints and functions on a root bus have no
 * bridge above them: they get their own group unless rule 3 applies.
 * Root ports count as isolating only with ACS enabled in their ACS
 * Control register (QEMU's pcie-root-port implements ACS but resets the
 * control bits to 0, so the server must enable them before grouping, see
 * pci_acs_enable()); a root port without it shares a group with
 * everything below it.
 */
#include <string.h>

#include "pci_group.h"

#define PCI_SLOT_MASK (~(uint32_t)PCI_SBDF_FN_MASK)
#define PCI_NUM_BUSES (PCI_MAX_BUS + 1u)

/* Linux's pci_acs_flags_enabled(): controls not implemented count as enabled. */
static bool pci_acs_flags_enabled(const struct pci_dev *d)
{
	uint16_t req;

	if (d->caps.acs == 0)
		return false;
	/*
	 * An ACS control a function does not implement is not applicable to
	 * it (e.g. no peer-to-peer path to redirect), so only implemented
	 * ones are required (PCIe Base §6.12; Linux masks with the ACS
	 * Capability register the same way).
	 */
	req = (uint16_t)(PCI_ACS_ISOLATION_FLAGS & d->acs_cap);
	return (d->acs_ctrl & req) == req;
}

bool pci_acs_isolated(const struct pci_dev *d)
{
	/* Conventional PCI/PCI-X is a shared bus: any agent can see any DMA. */
	if (!d->is_pcie)
		return false;
	switch (d->pcie_type) {
	case PCI_EXP_TYPE_PCIE_BRIDGE:
		/* Primary side is PCI/PCI-X: treated like a conventional device. */
	case PCI_EXP_TYPE_PCI_BRIDGE:
	case PCI_EXP_TYPE_RC_EC:
		/* ACS is never applicable to these (PCIe Base §6.12.1). */
		return false;
	case PCI_EXP_TYPE_DOWNSTREAM:
	case PCI_EXP_TYPE_ROOT_PORT:
		/* Ports should implement ACS to show they block P2P (§6.12.1.1). */
		return pci_acs_flags_enabled(d);
	case PCI_EXP_TYPE_ENDPOINT:
	case PCI_EXP_TYPE_UPSTREAM:
	case PCI_EXP_TYPE_LEG_END:
	case PCI_EXP_TYPE_RC_END:
		/* Only multi-function devices have internal P2P (§6.12.1.2). */
		if (!d->multifunction)
			return true;
		return pci_acs_flags_enabled(d);
	default:
		return true;
	}
}

void pci_devs_sort(struct pci_dev *devs, size_t n)
{
	size_t i, j;

	/* Insertion sort: tables are small and usually already in order. */
	for (i = 1; i < n; i++) {
		struct pci_dev tmp;

		if (devs[i - 1].sbdf <= devs[i].sbdf)
			continue;
		tmp = devs[i];
		for (j = i; j > 0 && devs[j - 1].sbdf > tmp.sbdf; j--)
			devs[j] = devs[j - 1];
		devs[j] = tmp;
	}
}

/*
 * A bridge may be a parent only if its secondary bus lies strictly above
 * its own bus: then every parent link decreases the bus number, so the
 * links cannot form a cycle however the table was filled.
 */
static bool pci_is_parent_bridge(const struct pci_dev *b)
{
	return b->header_type == PCI_HEADER_TYPE_BRIDGE && !b->bus_range_bad &&
	       b->sec_bus > PCI_SBDF_BUS(b->sbdf) && b->sub_bus >= b->sec_bus;
}

/* Links every function to the bridge whose secondary bus it sits on. */
static void pci_group_link_parents(struct pci_dev *devs, size_t n)
{
	uint32_t by_bus[PCI_NUM_BUSES];
	size_t start = 0, end, i;

	/* The table is sorted, so each segment is one contiguous run. */
	while (start < n) {
		uint16_t seg = PCI_SBDF_SEG(devs[start].sbdf);

		for (end = start; end < n && PCI_SBDF_SEG(devs[end].sbdf) == seg; end++)
			;
		for (i = 0; i < PCI_NUM_BUSES; i++)
			by_bus[i] = PCI_IDX_NONE;
		/* Lowest SBDF wins if two bridges claim a bus. */
		for (i = start; i < end; i++) {
			if (pci_is_parent_bridge(&devs[i]) &&
			    by_bus[devs[i].sec_bus] == PCI_IDX_NONE)
				by_bus[devs[i].sec_bus] = (uint32_t)i;
		}
		for (i = start; i < end; i++)
			devs[i].parent = by_bus[PCI_SBDF_BUS(devs[i].sbdf)];
		start = end;
	}
}

static uint32_t pci_uf_find(struct pci_dev *devs, uint32_t i)
{
	while (devs[i].uf_parent != i) {
		devs[i].uf_parent = devs[devs[i].uf_parent].uf_parent; /* path halving */
		i = devs[i].uf_parent;
	}
	return i;
}

static void pci_uf_union(struct pci_dev *devs, uint32_t a, uint32_t b)
{
	uint32_t ra = pci_uf_find(devs, a), rb = pci_uf_find(devs, b);

	if (ra < rb)
		devs[rb].uf_parent = ra;
	else if (rb < ra)
		devs[ra].uf_parent = rb;
}

static void pci_alias_add(struct pci_dev *d, uint32_t sbdf)
{
	unsigned k;

	for (k = 0; k < d->nalias; k++) {
		if (d->alias[k] == sbdf)
			return;
	}
	if (d->nalias == PCI_MAX_ALIASES) {
		d->alias_overflow = true;
		return;
	}
	d->alias[d->nalias++] = sbdf;
}

/*
 * Records the IDs bridge b may put on d's DMA; returns true if b takes
 * ownership of d's transactions.
 */
static bool pci_bridge_aliases(struct pci_dev *d, const struct pci_dev *b)
{
	if (!b->is_pcie) {
		/* Conventional/PCI-X bridge: ownership passes to the bridge's ID. */
		pci_alias_add(d, b->sbdf);
		return true;
	}
	switch (b->pcie_type) {
	case PCI_EXP_TYPE_PCI_BRIDGE:
		/*
		 * PCIe-to-PCI/PCI-X bridges forward conventional requests with
		 * ID (secondary bus, devfn 0) (PCI Express to PCI/PCI-X Bridge
		 * spec r1.0 §2.3); some implementations use their own ID, so
		 * both are recorded, as Linux's IOMMU drivers end up doing.
		 */
		pci_alias_add(d, PCI_SBDF(PCI_SBDF_SEG(b->sbdf), b->sec_bus, 0, 0));
		pci_alias_add(d, b->sbdf);
		return true;
	case PCI_EXP_TYPE_PCIE_BRIDGE:
		pci_alias_add(d, b->sbdf);
		return true;
	default:
		/* Root and switch ports forward requester IDs unchanged (§2.2.6.2). */
		return false;
	}
}

/* Step 1; returns the topmost function whose ID may carry i's DMA. */
static uint32_t pci_group_dma_aliases(struct pci_dev *devs, uint32_t i)
{
	uint32_t top = i, p;

	pci_alias_add(&devs[i], devs[i].sbdf);
	for (p = devs[i].parent; p != PCI_IDX_NONE; p = devs[p].parent) {
		if (!pci_bridge_aliases(&devs[i], &devs[p]))
			continue;
		pci_uf_union(devs, i, p);
		top = p;
	}
	return top;
}

/* Linux's pci_acs_path_enabled(p, NULL, ...): p and every bridge above it. */
static bool pci_acs_path_isolated(const struct pci_dev *devs, uint32_t p)
{
	for (; p != PCI_IDX_NONE; p = devs[p].parent) {
		if (!pci_acs_isolated(&devs[p]))
			return false;
	}
	return true;
}

/* Step 2; returns the function where the climb stopped. */
static uint32_t pci_group_climb(struct pci_dev *devs, uint32_t i, uint32_t x)
{
	uint32_t p;

	for (p = devs[x].parent; p != PCI_IDX_NONE; p = devs[p].parent) {
		if (pci_acs_path_isolated(devs, p))
			break;
		pci_uf_union(devs, i, p);
		x = p;
	}
	return x;
}

/* Step 3: join x with the non-isolated functions of its device. */
static void pci_group_functions(struct pci_dev *devs, size_t n, uint32_t x)
{
	uint32_t slot = devs[x].sbdf & PCI_SLOT_MASK;
	uint32_t j = x;

	if (!devs[x].multifunction || pci_acs_isolated(&devs[x]))
		return;
	while (j > 0 && (devs[j - 1].sbdf & PCI_SLOT_MASK) == slot)
		j--;
	for (; j < n && (devs[j].sbdf & PCI_SLOT_MASK) == slot; j++) {
		if (j != x && !pci_acs_isolated(&devs[j]))
			pci_uf_union(devs, x, j);
	}
}

/* Numbers the components densely in order of their lowest SBDF. */
static uint32_t pci_group_number(struct pci_dev *devs, size_t n)
{
	uint32_t next = 0, i;

	for (i = 0; i < n; i++)
		devs[i].group = PCI_GROUP_NONE;
	for (i = 0; i < n; i++) {
		uint32_t r = pci_uf_find(devs, i);

		if (devs[r].group == PCI_GROUP_NONE)
			devs[r].group = next++;
		devs[i].group = devs[r].group;
	}
	return next;
}

enum pci_err pci_group_compute(struct pci_dev *devs, size_t n, uint32_t *ngroups)
{
	enum pci_err err = PCI_OK;
	uint32_t i;

	if (n >= PCI_IDX_NONE)
		return PCI_ERR_INVAL;
	pci_devs_sort(devs, n);
	pci_group_link_parents(devs, n);
	for (i = 0; i < n; i++) {
		devs[i].uf_parent = i;
		devs[i].nalias = 0;
		devs[i].alias_overflow = false;
		memset(devs[i].alias, 0, sizeof(devs[i].alias));
	}
	for (i = 0; i < n; i++) {
		uint32_t x = pci_group_climb(devs, i, pci_group_dma_aliases(devs, i));

		pci_group_functions(devs, n, x);
		if (devs[i].alias_overflow)
			err = PCI_ERR_TABLE_FULL;
	}
	*ngroups = pci_group_number(devs, n);
	return err;
}
