/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capability lists. Conventional configuration space (0x40-0xff) holds a
 * singly linked list of capabilities starting at the Capabilities Pointer
 * (PCI Local Bus 3.0 §6.7); extended configuration space (0x100-0xfff)
 * holds a second list starting at 0x100 (PCIe Base §7.6). Both lists
 * are device-controlled data, so every walk is bounded, rejects pointers
 * outside the list's region and detects revisits: a hostile function can
 * make a walk fail, never hang or leave the function's config space.
 */
#ifndef PCI_CAP_H
#define PCI_CAP_H

#include "pci_cfg.h"

/* Upper bounds on list length: one entry per dword of each region. */
#define PCI_CAP_LEGACY_MAX ((PCI_CFG_SPACE_SIZE - PCI_STD_HEADER_SIZEOF) / 4)
#define PCI_CAP_EXT_MAX    ((PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 4)

/* ACS controls that make a port or function isolated (see group.c). */
#define PCI_ACS_ISOLATION_FLAGS (PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

/*
 * Walk callback: called with each capability's ID and offset, in list
 * order. Return true to stop the walk early.
 */
typedef bool (*pci_cap_visit_fn)(void *arg, uint16_t cap_id, uint16_t off);

/* Offsets of the capabilities the server cares about; 0 means absent. */
struct pci_caps {
	uint8_t pm;            /* PCI_CAP_ID_PM */
	uint8_t msi;           /* PCI_CAP_ID_MSI */
	uint8_t msix;          /* PCI_CAP_ID_MSIX */
	uint8_t pcie;          /* PCI_CAP_ID_EXP */
	uint8_t pcix;          /* PCI_CAP_ID_PCIX */
	uint16_t aer;          /* PCI_EXT_CAP_ID_ERR */
	uint16_t acs;          /* PCI_EXT_CAP_ID_ACS */
	uint16_t ari;          /* PCI_EXT_CAP_ID_ARI */
	uint16_t ats;          /* PCI_EXT_CAP_ID_ATS */
	uint16_t sriov;        /* PCI_EXT_CAP_ID_SRIOV */
	bool legacy_malformed; /* the conventional list was malformed */
	bool ext_malformed;    /* the extended list was malformed */
};

/*
 * Walks the conventional capability list of sbdf. Pointers have their low
 * two bits masked (they are reserved, PCI 3.0 §6.7); a pointer below 0x40,
 * a revisited entry, more than PCI_CAP_LEGACY_MAX entries or an entry
 * reading as ID 0xff (all-ones) make the list malformed.
 * Returns PCI_OK when the list ended or fn stopped the walk (including an
 * absent list: Status.Capabilities List clear), PCI_ERR_NOT_FOUND if the
 * function does not respond (Status reads all-ones), and
 * PCI_ERR_MALFORMED_LIST on a defect; entries before the defect have
 * already been passed to fn.
 */
enum pci_err pci_cap_walk(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                          pci_cap_visit_fn fn, void *arg);

/*
 * Walks the extended capability list from 0x100. A first header of 0 or
 * all-ones, or extended space that merely aliases the first 256 bytes
 * (seen on conventional functions behind ECAM), means no list: PCI_OK with
 * no visits. Next pointers are bits 31:20 with the low two bits masked
 * (PCIe Base §7.6.3); a non-zero next below 0x100, a revisit, an
 * all-ones header after the first or more than PCI_CAP_EXT_MAX entries
 * make the list malformed. Returns as pci_cap_walk, without the
 * PCI_ERR_NOT_FOUND case. Only meaningful for functions with extended
 * configuration space (PCIe, PCI-X Mode 2).
 */
enum pci_err pci_ext_cap_walk(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                              pci_cap_visit_fn fn, void *arg);

/*
 * Finds the first conventional capability with ID cap_id. Returns PCI_OK
 * and sets *off, PCI_ERR_NOT_FOUND if absent (or the function does not
 * respond), or PCI_ERR_MALFORMED_LIST if the list is malformed before a
 * match. *off is unchanged unless PCI_OK.
 */
enum pci_err pci_find_capability(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                 uint8_t cap_id, uint8_t *off);

/* As pci_find_capability for the extended list. */
enum pci_err pci_find_ext_capability(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                     uint16_t cap_id, uint16_t *off);

/*
 * Records the offsets of PM, MSI, MSI-X, PCIe and PCI-X and, for functions
 * with a PCIe capability, of AER, ACS, ARI, ATS and SR-IOV (first instance
 * of each) into *caps, which is fully overwritten. Walks both lists even
 * if the first is malformed. Returns PCI_OK, PCI_ERR_NOT_FOUND if the
 * function does not respond, or PCI_ERR_MALFORMED_LIST if either list is
 * malformed (see the *_malformed flags; what was found before the defect
 * is kept).
 */
enum pci_err pci_caps_scan(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                           struct pci_caps *caps);

/*
 * ACS Control value that enables every isolation feature the function
 * implements (PCI_ACS_ISOLATION_FLAGS & cap), keeping the other bits.
 * Mirrors what Linux's pci_std_enable_acs() programs.
 */
uint16_t pci_acs_ctrl_wanted(uint16_t cap, uint16_t ctrl);

/*
 * Enables ACS Source Validation, P2P Request/Completion Redirect and
 * Upstream Forwarding, as far as implemented, in the ACS capability at
 * acs_off (PCIe Base §6.12), then reads the registers back into
 * *cap and *ctrl (what the hardware accepted). Returns PCI_ERR_INVAL if
 * acs_off is not a dword-aligned extended-space offset; nothing is
 * written then.
 */
enum pci_err pci_acs_enable(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                            uint16_t acs_off, uint16_t *cap, uint16_t *ctrl);

#endif /* PCI_CAP_H */
