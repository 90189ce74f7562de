/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ECAM address arithmetic and error strings. ECAM maps each function's
 * 4 KiB configuration space at a fixed offset derived from its bus,
 * device and function numbers (PCIe Base §7.2.2); the
 * PCI server maps one window per MCFG entry and uses these helpers to
 * refuse any access outside it.
 */
#include "pci_cfg.h"

const char *pci_strerror(enum pci_err err)
{
	switch (err) {
	case PCI_OK:
		return "success";
	case PCI_ERR_NOT_FOUND:
		return "not present";
	case PCI_ERR_MALFORMED_LIST:
		return "malformed capability list";
	case PCI_ERR_MALFORMED_BAR:
		return "malformed BAR";
	case PCI_ERR_RANGE:
		return "out of range";
	case PCI_ERR_TABLE_FULL:
		return "table full";
	case PCI_ERR_BUS_TOPOLOGY:
		return "invalid bridge bus numbers";
	case PCI_ERR_BUSY:
		return "resource in use";
	case PCI_ERR_INVAL:
		return "invalid argument";
	}
	return "unknown error";
}

enum pci_err pci_ecam_window_span(const struct pci_ecam_window *w, uint64_t *phys, uint64_t *len)
{
	uint64_t start, size;

	if (w->end_bus < w->start_bus)
		return PCI_ERR_INVAL;
	start = (uint64_t)w->start_bus << PCI_ECAM_BUS_SHIFT;
	size = (uint64_t)(w->end_bus - w->start_bus + 1) << PCI_ECAM_BUS_SHIFT;
	if (w->base > UINT64_MAX - start || w->base + start > UINT64_MAX - (size - 1))
		return PCI_ERR_RANGE;
	*phys = w->base + start;
	*len = size;
	return PCI_OK;
}
