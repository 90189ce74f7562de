/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Placeholder for the IOMMU server. It does not program any remapping unit
 * yet; the one thing it does is use the PCI server as the IOMMU server
 * will: through its privileged cap (start information `pci_endpoint`) it
 * lists every PCI function and describes each, then exits.
 */
#include <stdint.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "pci_service.h"

/* Prints one function as DESCRIBE reports it; false if the request failed. */
static bool show(uint64_t ep, uint64_t sbdf)
{
	uint64_t vendor, device, class_rev, header, type, flags, command, group, nalias, buses;

	if (pci_describe(ep, sbdf, &vendor, &device, &class_rev, &header, &type, &flags, &command,
	                 &group, &nalias, &buses) != WARD_OK)
		return false;
	ward_printf("iommu: %02x:%02x.%u %04llx:%04llx class %06llx group %02x:%02x.%u\n",
	            PCI_SBDF_BUS(sbdf), PCI_SBDF_DEV(sbdf), PCI_SBDF_FN(sbdf),
	            (unsigned long long)vendor, (unsigned long long)device,
	            (unsigned long long)(class_rev >> 8), PCI_SBDF_BUS(group), PCI_SBDF_DEV(group),
	            PCI_SBDF_FN(group));
	return true;
}

/* Walks LIST with no filter; returns the number of functions, or -1 on an error. */
static int list_all(uint64_t ep)
{
	uint64_t cursor = 0, next, count, s[PCI_LIST_BATCH];
	int total = 0;

	while (cursor != PCI_LIST_END) {
		if (pci_list(ep, cursor, 0, 0, 0, 0, &next, &count, &s[0], &s[1], &s[2], &s[3],
		             &s[4], &s[5], &s[6], &s[7]) != WARD_OK)
			return -1;
		for (uint64_t i = 0; i < count && i < PCI_LIST_BATCH; i++)
			if (!show(ep, s[i]))
				return -1;
		total += (int)count;
		cursor = next;
	}
	return total;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	int n;

	ward_printf("iommu server: not implemented yet\n");
	if (si == NULL || si->pci_endpoint == 0) {
		ward_printf("iommu: no PCI server to ask\n");
		return 0;
	}
	if ((n = list_all(si->pci_endpoint)) < 0) {
		ward_printf("iommu: the PCI server refused LIST or DESCRIBE\n");
		return 1;
	}
	ward_printf("iommu: the PCI server lists %d functions\n", n);
	return 0;
}
