/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bus enumeration. The server does not assign bus numbers: it follows the
 * secondary/subordinate numbers firmware programmed into each bridge,
 * depth-first from a root bus, and records every function it finds.
 * Bridge numbers are device-controlled input; ranges that loop, overlap
 * a bus already scanned or leave the parent's range are rejected.
 */
#ifndef PCI_ENUM_H
#define PCI_ENUM_H

#include "pci_dev.h"

struct pci_enum_params {
	uint16_t segment;
	uint8_t start_bus; /* root bus of the host bridge */
	uint8_t end_bus;   /* last bus number decoded below it (ECAM window end) */
};

/*
 * Probes one function into *d (fully overwritten): IDs, class, header
 * type, capabilities, PCIe port type, ACS registers, BARs and ROM (sized:
 * this briefly disables decode), bridge bus numbers. d->multifunction is
 * taken from this function's header type bit 7. Grouping fields are
 * cleared. Returns PCI_ERR_NOT_FOUND if no function responds (vendor ID
 * 0xffff or 0x0000), otherwise PCI_OK even when the capability list or a
 * BAR is malformed (see caps.*_malformed and bars_malformed).
 */
enum pci_err pci_dev_probe(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                           struct pci_dev *d);

/*
 * Enumerates p->segment from p->start_bus, descending depth-first into
 * every bridge whose secondary bus is above its own bus, not yet scanned,
 * and whose [secondary, subordinate] range lies within its parent's
 * range (the root range is [start_bus, end_bus]). Functions 1-7 are
 * scanned only if function 0 has header type bit 7 set; every function of
 * such a device gets multifunction = true.
 * Fills devs[0..*count-1], sorted by SBDF. Returns:
 *  PCI_OK;
 *  PCI_ERR_TABLE_FULL when more than cap functions exist: the scan stops,
 *    *count == cap and the records present are valid;
 *  PCI_ERR_BUS_TOPOLOGY when some bridge was rejected: the scan completed
 *    without its subtree and the bridge has bus_range_bad set;
 *  PCI_ERR_INVAL if start_bus > end_bus or devs is NULL with cap > 0
 *    (*count = 0).
 * Every bus scanned is at most once, so the walk is bounded by 256 buses
 * of 256 functions whatever the bridges claim.
 */
enum pci_err pci_enumerate(const struct pci_cfg_ops *ops, void *ctx,
                           const struct pci_enum_params *p, struct pci_dev *devs, size_t cap,
                           size_t *count);

#endif /* PCI_ENUM_H */
