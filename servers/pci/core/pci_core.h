/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hardware-independent core of the PCI server: configuration-space
 * access through caller callbacks, BAR sizing, capability walks, bus
 * enumeration, SR-IOV arithmetic and IOMMU group computation. No
 * allocation, no libc beyond <string.h>; every table is caller-provided.
 */
#ifndef PCI_CORE_H
#define PCI_CORE_H

#include "pci_err.h"
#include "pci_cfg.h"
#include "pci_bar.h"
#include "pci_cap.h"
#include "pci_dev.h"
#include "pci_enum.h"
#include "pci_group.h"
#include "pci_sriov.h"

#endif /* PCI_CORE_H */
