/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SR-IOV arithmetic (PCIe Base §9.3.3). A Physical Function with NumVFs
 * Virtual Functions enabled places VF n (0-based here; the spec counts
 * from 1) at Routing ID PF RID + First VF Offset + n * VF Stride
 * (§9.3.3.9-10), which may spill onto bus numbers above the PF's. Each VF
 * BAR register describes one VF's aperture; VF n's copy starts at
 * VF BAR base + n * aperture size (§9.3.3.14). Everything here is pure
 * arithmetic except the register read and the VF BAR sizing helper.
 */
#ifndef PCI_SRIOV_H
#define PCI_SRIOV_H

#include "pci_bar.h"

struct pci_sriov_info {
	uint16_t ctrl;         /* SR-IOV Control */
	uint16_t initial_vfs;  /* InitialVFs */
	uint16_t total_vfs;    /* TotalVFs */
	uint16_t num_vfs;      /* NumVFs */
	uint16_t vf_offset;    /* First VF Offset */
	uint16_t vf_stride;    /* VF Stride */
	uint16_t vf_device_id; /* VF Device ID */
	uint32_t sup_pgsize;   /* Supported Page Sizes */
	uint32_t sys_pgsize;   /* System Page Size */
};

/*
 * Reads the SR-IOV capability at sriov_off into *info. Returns
 * PCI_ERR_INVAL (info untouched) if sriov_off is not a dword-aligned
 * extended-space offset leaving room for the capability.
 */
enum pci_err pci_sriov_read(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                            uint16_t sriov_off, struct pci_sriov_info *info);

/*
 * Routing ID of VF n (0-based) of a PF at pf_rid. max_bus is the last bus
 * number the PF's VFs may use: the subordinate bus of the bridge above the
 * PF (or the root bus range end). Returns PCI_ERR_RANGE if n >= num_vfs,
 * the RID exceeds bus 255 or its bus exceeds max_bus; PCI_ERR_INVAL if
 * vf_offset is 0 or vf_stride is 0 with more than one VF (VFs would alias
 * the PF or each other). *rid is written only on PCI_OK.
 */
enum pci_err pci_sriov_vf_rid(uint16_t pf_rid, uint16_t vf_offset, uint16_t vf_stride,
                              uint16_t num_vfs, uint16_t n, uint8_t max_bus, uint16_t *rid);

/* As pci_sriov_vf_rid() with SBDFs and the offsets from *info. */
enum pci_err pci_sriov_vf_sbdf(uint32_t pf_sbdf, const struct pci_sriov_info *info, uint16_t n,
                               uint8_t max_bus, uint32_t *vf_sbdf);

/*
 * Last bus number used by num_vfs VFs (the PF's own bus if num_vfs is 0),
 * for checking that the bridge above reserves enough buses. Returns
 * PCI_ERR_RANGE if the last VF's RID exceeds bus 255, PCI_ERR_INVAL as
 * pci_sriov_vf_rid(); *bus is written only on PCI_OK.
 */
enum pci_err pci_sriov_last_bus(uint16_t pf_rid, uint16_t vf_offset, uint16_t vf_stride,
                                uint16_t num_vfs, uint8_t *bus);

/*
 * Address of VF n's copy of a VF BAR (vf_bar as sized by
 * pci_sriov_vf_bars_probe()). Returns PCI_ERR_NOT_FOUND for an
 * unimplemented BAR or an upper-half slot, PCI_ERR_RANGE if n >= num_vfs
 * or VF n's aperture would wrap the 64-bit address space. *addr is written
 * only on PCI_OK.
 */
enum pci_err pci_sriov_vf_bar_addr(const struct pci_bar *vf_bar, uint16_t num_vfs, uint16_t n,
                                   uint64_t *addr);

/*
 * Sizes the six VF BARs of the SR-IOV capability at sriov_off with the
 * standard method; VF Memory Space Enable is cleared while sizing and
 * restored. VF BAR sizes depend on System Page Size (§9.3.3.13), so set
 * that first. Returns PCI_ERR_BUSY (nothing written) if VF Enable is set:
 * clearing it would destroy the live VFs, PCI_ERR_INVAL (nothing written)
 * for a bad sriov_off. Otherwise as pci_bar_probe_slots(); bars[] is
 * filled on PCI_OK and PCI_ERR_MALFORMED_BAR.
 */
enum pci_err pci_sriov_vf_bars_probe(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                     uint16_t sriov_off, struct pci_bar bars[PCI_SRIOV_NUM_BARS]);

#endif /* PCI_SRIOV_H */
