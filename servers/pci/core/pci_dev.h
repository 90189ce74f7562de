/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The device record: everything the PCI server learns about one function
 * during enumeration, plus the IOMMU grouping computed from a table of
 * them. Tables are caller-provided arrays (the core never allocates);
 * indices into the table link a function to its upstream bridge.
 */
#ifndef PCI_DEV_H
#define PCI_DEV_H

#include "pci_bar.h"
#include "pci_cap.h"

/* Requester IDs a function's DMA may carry; more than this is an error. */
#define PCI_MAX_ALIASES 8u

#define PCI_IDX_NONE   UINT32_MAX /* no parent: the function sits on a root bus */
#define PCI_GROUP_NONE UINT32_MAX

struct pci_dev {
	uint32_t sbdf;
	uint16_t vendor_id;
	uint16_t device_id;
	uint32_t class_code; /* base class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint8_t header_type; /* PCI_HEADER_TYPE_MASK applied */
	bool multifunction;  /* function 0 of this device has header type bit 7 set */
	bool is_pcie;        /* has a PCI Express capability */
	uint8_t pcie_type;   /* PCI_EXP_TYPE_*, valid if is_pcie */

	/* Type 1 headers: bus numbers as firmware programmed them. */
	uint8_t sec_bus;
	uint8_t sub_bus;
	bool bus_range_bad; /* rejected by enumeration: subtree not scanned, not a parent */

	struct pci_caps caps;
	uint16_t acs_cap;  /* ACS Capability register, valid if caps.acs */
	uint16_t acs_ctrl; /* ACS Control register, valid if caps.acs */

	unsigned nbars;
	struct pci_bar bars[PCI_STD_NUM_BARS];
	struct pci_bar rom;
	bool bars_malformed; /* 64-bit BAR in the last slot */

	/* Set by pci_group_compute(). */
	uint32_t parent;                 /* table index of the upstream bridge, or PCI_IDX_NONE */
	uint32_t group;                  /* IOMMU group ID, dense from 0 in SBDF order */
	unsigned nalias;                 /* entries used in alias[] */
	uint32_t alias[PCI_MAX_ALIASES]; /* SBDFs the IOMMU may see for this function's DMA */
	bool alias_overflow;             /* more aliases than PCI_MAX_ALIASES */
	uint32_t uf_parent;              /* scratch for the union-find */
};

/* Sorts a table by SBDF (stable, in place). */
void pci_devs_sort(struct pci_dev *devs, size_t n);

#endif /* PCI_DEV_H */
