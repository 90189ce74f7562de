/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Configuration-space access model. The core never touches hardware: it
 * reads and writes configuration space through a caller-supplied pair of
 * callbacks addressed by SBDF (segment:bus:device.function) and a register
 * offset. On Ward the callbacks are backed by a mapped ECAM window; in the
 * unit tests by a synthetic config space.
 *
 * Accesses issued by the core are always naturally aligned, of width 1, 2
 * or 4 bytes, and below PCI_CFG_SPACE_EXP_SIZE (4 KiB per function).
 * A read of an absent function must return all-ones, as the Root Complex
 * does when a configuration request completes with Unsupported Request.
 */
#ifndef PCI_CFG_H
#define PCI_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pci_regs.h>

#include "pci_err.h"

struct pci_cfg_ops {
	/* Returns the register value zero-extended to 32 bits. */
	uint32_t (*read)(void *ctx, uint32_t sbdf, uint16_t off, int width);
	/* Writes the low `width` bytes of val. */
	void (*write)(void *ctx, uint32_t sbdf, uint16_t off, uint32_t val, int width);
};

/*
 * SBDF layout: segment in bits 31:16, bus 15:8, device 7:3, function 2:0.
 * The low 16 bits are the Routing/Requester ID that appears in TLPs
 * (PCIe Base §2.2.4.2) and that the IOMMU uses as its source ID.
 */
#define PCI_SBDF_SEG_SHIFT  16
#define PCI_SBDF_BUS_SHIFT  8
#define PCI_SBDF_DEV_SHIFT  3
#define PCI_SBDF_SEG_MASK   0xffffu
#define PCI_SBDF_BUS_MASK   0xffu
#define PCI_SBDF_DEV_MASK   0x1fu
#define PCI_SBDF_FN_MASK    0x7u
#define PCI_SBDF_RID_MASK   0xffffu
#define PCI_SBDF_DEVFN_MASK 0xffu

#define PCI_MAX_BUS      0xffu
#define PCI_DEVS_PER_BUS 32u
#define PCI_FNS_PER_DEV  8u

#define PCI_SBDF(seg, bus, dev, fn)                                               \
	((uint32_t)((((uint32_t)(seg)&PCI_SBDF_SEG_MASK) << PCI_SBDF_SEG_SHIFT) | \
	            (((uint32_t)(bus)&PCI_SBDF_BUS_MASK) << PCI_SBDF_BUS_SHIFT) | \
	            (((uint32_t)(dev)&PCI_SBDF_DEV_MASK) << PCI_SBDF_DEV_SHIFT) | \
	            ((uint32_t)(fn)&PCI_SBDF_FN_MASK)))
#define PCI_SBDF_FROM_RID(seg, rid)                                               \
	((uint32_t)((((uint32_t)(seg)&PCI_SBDF_SEG_MASK) << PCI_SBDF_SEG_SHIFT) | \
	            ((uint32_t)(rid)&PCI_SBDF_RID_MASK)))

#define PCI_SBDF_SEG(sbdf)   ((uint16_t)(((sbdf) >> PCI_SBDF_SEG_SHIFT) & PCI_SBDF_SEG_MASK))
#define PCI_SBDF_BUS(sbdf)   ((uint8_t)(((sbdf) >> PCI_SBDF_BUS_SHIFT) & PCI_SBDF_BUS_MASK))
#define PCI_SBDF_DEV(sbdf)   ((uint8_t)(((sbdf) >> PCI_SBDF_DEV_SHIFT) & PCI_SBDF_DEV_MASK))
#define PCI_SBDF_FN(sbdf)    ((uint8_t)((sbdf)&PCI_SBDF_FN_MASK))
#define PCI_SBDF_DEVFN(sbdf) ((uint8_t)((sbdf)&PCI_SBDF_DEVFN_MASK))
#define PCI_SBDF_RID(sbdf)   ((uint16_t)((sbdf)&PCI_SBDF_RID_MASK))

/* Extract a register field given its mask, e.g. PCI_FIELD(PCI_EXP_FLAGS_TYPE, flags). */
#define PCI_FIELD(mask, val) (((val) & (mask)) / ((mask) & -(mask)))

static inline uint8_t pci_cfg_read8(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                    uint16_t off)
{
	return (uint8_t)ops->read(ctx, sbdf, off, 1);
}

static inline uint16_t pci_cfg_read16(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                      uint16_t off)
{
	return (uint16_t)ops->read(ctx, sbdf, off, 2);
}

static inline uint32_t pci_cfg_read32(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                      uint16_t off)
{
	return ops->read(ctx, sbdf, off, 4);
}

static inline void pci_cfg_write16(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                   uint16_t off, uint16_t val)
{
	ops->write(ctx, sbdf, off, val, 2);
}

static inline void pci_cfg_write32(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                   uint16_t off, uint32_t val)
{
	ops->write(ctx, sbdf, off, val, 4);
}

/*
 * ECAM (Enhanced Configuration Access Mechanism, PCIe Base §7.2.2;
 * PCI Firmware 3.3 §4.1.2 "MCFG"). Each function owns 4 KiB at
 * bus << 20 | dev << 15 | fn << 12 from the MCFG base address, which is
 * the address of bus 0 even when the window starts at a later bus.
 */
#define PCI_ECAM_BUS_SHIFT 20
#define PCI_ECAM_DEV_SHIFT 15
#define PCI_ECAM_FN_SHIFT  12

struct pci_ecam_window {
	uint64_t base;     /* MCFG base address: where bus 0 would be */
	uint16_t segment;  /* PCI segment group */
	uint8_t start_bus; /* first decoded bus */
	uint8_t end_bus;   /* last decoded bus, inclusive */
};

/*
 * Computes the byte offset of register `reg` of `sbdf` from the start of
 * the window's mapping (its first byte is bus start_bus). Returns
 * PCI_ERR_RANGE if the segment differs, the bus lies outside
 * [start_bus, end_bus], or reg + width exceeds 4 KiB; PCI_ERR_INVAL for a
 * width other than 1, 2 or 4, a misaligned reg or a window with
 * end_bus < start_bus. *off is written only on PCI_OK. Inline: every
 * configuration access of the server passes here.
 */
static inline enum pci_err pci_ecam_offset(const struct pci_ecam_window *w, uint32_t sbdf,
                                           uint16_t reg, int width, uint64_t *off)
{
	uint8_t bus = PCI_SBDF_BUS(sbdf);

	if (w->end_bus < w->start_bus)
		return PCI_ERR_INVAL;
	if (width != 1 && width != 2 && width != 4)
		return PCI_ERR_INVAL;
	/* ECAM accesses must be naturally aligned (PCIe Base §7.2.2). */
	if ((reg & (width - 1)) != 0)
		return PCI_ERR_INVAL;
	if (PCI_SBDF_SEG(sbdf) != w->segment)
		return PCI_ERR_RANGE;
	if (bus < w->start_bus || bus > w->end_bus)
		return PCI_ERR_RANGE;
	if ((uint32_t)reg + (uint32_t)width > PCI_CFG_SPACE_EXP_SIZE)
		return PCI_ERR_RANGE;

	*off = ((uint64_t)(bus - w->start_bus) << PCI_ECAM_BUS_SHIFT) |
	       ((uint64_t)PCI_SBDF_DEV(sbdf) << PCI_ECAM_DEV_SHIFT) |
	       ((uint64_t)PCI_SBDF_FN(sbdf) << PCI_ECAM_FN_SHIFT) | reg;
	return PCI_OK;
}

/*
 * Computes the physical span of the window: *phys = base + start_bus MiB,
 * *len = (end_bus - start_bus + 1) MiB. Returns PCI_ERR_INVAL if
 * end_bus < start_bus, PCI_ERR_RANGE if the span wraps the 64-bit address
 * space; outputs are written only on PCI_OK.
 */
enum pci_err pci_ecam_window_span(const struct pci_ecam_window *w, uint64_t *phys, uint64_t *len);

#endif /* PCI_CFG_H */
