/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IOMMU groups: the smallest sets of functions the IOMMU can isolate from
 * one another. Functions land in one group when the IOMMU cannot tell
 * their DMA apart (requester-ID aliasing behind PCIe-to-PCI bridges) or
 * when they can reach each other peer-to-peer without passing through the
 * IOMMU (no ACS). The rules follow Linux's pci_device_group(); see
 * group.c for the details and spec references.
 */
#ifndef PCI_GROUP_H
#define PCI_GROUP_H

#include "pci_dev.h"

/*
 * Linux's pci_acs_enabled(dev, PCI_ACS_ISOLATION_FLAGS) on a record: true
 * if the function isolates peer-to-peer traffic, either because ACS
 * SV/RR/CR/UF are enabled (as far as implemented) or because its type
 * gives no peer-to-peer path (single-function endpoints). Conventional PCI
 * functions, PCIe-to-PCI/PCI-X bridges and PCI/PCI-X-to-PCIe bridges and
 * event collectors never are.
 */
bool pci_acs_isolated(const struct pci_dev *d);

/*
 * Computes parent links, DMA aliases and IOMMU groups for devs[0..n-1].
 * The table is first sorted by SBDF, so results do not depend on input
 * order; group IDs are dense, starting at 0, assigned in order of each
 * group's lowest SBDF. Bridges marked bus_range_bad, or whose secondary
 * bus is not above their own, are never parents.
 * Sets parent, group, alias[], nalias, alias_overflow of every record and
 * *ngroups. Returns PCI_ERR_TABLE_FULL if some function has more than
 * PCI_MAX_ALIASES aliases (the groups are still complete and valid; that
 * function's alias list is truncated and flagged and must not be trusted
 * for DMA), PCI_ERR_INVAL for n >= PCI_IDX_NONE (table untouched).
 */
enum pci_err pci_group_compute(struct pci_dev *devs, size_t n, uint32_t *ngroups);

#endif /* PCI_GROUP_H */
