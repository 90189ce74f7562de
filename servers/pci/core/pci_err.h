/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Error codes of the PCI core. Every fallible function returns an
 * enum pci_err; PCI_OK is zero so callers may test `if (err)`.
 * "Not present" and "present but malformed" are distinct on purpose:
 * a device whose capability list loops is hostile or broken and must not
 * be treated like one that simply lacks the capability.
 */
#ifndef PCI_ERR_H
#define PCI_ERR_H

enum pci_err {
	PCI_OK = 0,
	PCI_ERR_NOT_FOUND,      /* capability, BAR or function not present */
	PCI_ERR_MALFORMED_LIST, /* capability list loops, leaves its range or reads all-ones */
	PCI_ERR_MALFORMED_BAR,  /* 64-bit BAR in the last BAR slot */
	PCI_ERR_RANGE,          /* bus, offset, index or address out of range */
	PCI_ERR_TABLE_FULL,     /* a caller-provided table or alias list is too small */
	PCI_ERR_BUS_TOPOLOGY,   /* bridge bus numbers loop or leave the parent's range */
	PCI_ERR_BUSY,           /* refused: the resource is live (e.g. VFs enabled) */
	PCI_ERR_INVAL,          /* invalid argument */
};

/* Returns a static, human-readable description; never NULL. */
const char *pci_strerror(enum pci_err err);

#endif /* PCI_ERR_H */
