/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * BAR decoding and sizing. Sizing follows PCI Local Bus 3.0 §6.2.5.1 and
 * PCIe Base §7.5.1.2.1: turn decode off, write all-ones, read back,
 * restore the original value, turn decode back on. A 64-bit memory BAR
 * (type 10b) spans two slots and its upper half is sized the same way, so
 * BARs of 4 GiB and more are found. The walk and the arithmetic are
 * separate so the SR-IOV code can size VF BARs with the same functions.
 */
#include "pci_bar.h"

#define PCI_BAR_ALL_ONES    0xffffffffu
#define PCI_BAR_MEM_FLAGS   0xfu /* bits 3:0 of a memory BAR are not address bits */
#define PCI_BAR_IO_FLAGS    0x3u /* bits 1:0 of an I/O BAR are not address bits */
#define PCI_CMD_DECODE_BITS (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)
#define PCI_CB_BAR_COUNT    1u

uint64_t pci_bar_size_from_mask(uint32_t lo, uint32_t hi, bool is_io, bool is_64)
{
	uint64_t mask;

	if (is_io)
		mask = lo & ~PCI_BAR_IO_FLAGS;
	else if (is_64)
		mask = ((uint64_t)hi << 32) | (lo & ~PCI_BAR_MEM_FLAGS);
	else
		mask = lo & ~PCI_BAR_MEM_FLAGS;
	/* Lowest set bit: the address bits below it are hard-wired to zero. */
	return mask & (~mask + 1);
}

uint32_t pci_bar_flags(uint32_t lo)
{
	uint32_t flags = 0;

	if ((lo & PCI_BASE_ADDRESS_SPACE) == PCI_BASE_ADDRESS_SPACE_IO)
		return PCI_BAR_F_IO;
	if ((lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64)
		flags |= PCI_BAR_F_MEM64;
	if (lo & PCI_BASE_ADDRESS_MEM_PREFETCH)
		flags |= PCI_BAR_F_PREFETCH;
	return flags;
}

uint64_t pci_bar_base(uint32_t lo, uint32_t hi, uint32_t flags)
{
	if (flags & PCI_BAR_F_IO)
		return lo & ~PCI_BAR_IO_FLAGS;
	if (flags & PCI_BAR_F_MEM64)
		return ((uint64_t)hi << 32) | (lo & ~PCI_BAR_MEM_FLAGS);
	return lo & ~PCI_BAR_MEM_FLAGS;
}

unsigned pci_header_bar_count(uint8_t header_type)
{
	switch (header_type & PCI_HEADER_TYPE_MASK) {
	case PCI_HEADER_TYPE_NORMAL:
		return PCI_STD_NUM_BARS;
	case PCI_HEADER_TYPE_BRIDGE:
		/* Type 1: BAR0 and BAR1 only; 0x18 holds the bus numbers. */
		return (PCI_BASE_ADDRESS_2 - PCI_BASE_ADDRESS_0) / PCI_BAR_REG_SIZE;
	case PCI_HEADER_TYPE_CARDBUS:
		return PCI_CB_BAR_COUNT;
	default:
		return 0;
	}
}

/*
 * Writes `probe` to the register at off, returns what reads back and
 * restores the original value (returned through *orig).
 */
static uint32_t pci_bar_sample(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                               uint16_t off, uint32_t probe, uint32_t *orig)
{
	uint32_t val;

	*orig = pci_cfg_read32(ops, ctx, sbdf, off);
	pci_cfg_write32(ops, ctx, sbdf, off, probe);
	val = pci_cfg_read32(ops, ctx, sbdf, off);
	pci_cfg_write32(ops, ctx, sbdf, off, *orig);
	return val;
}

/* Sizes the BAR at off; returns the number of slots it consumes (1 or 2). */
static unsigned pci_bar_probe_one(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                  uint16_t off, bool last_slot, struct pci_bar *bar,
                                  enum pci_err *err)
{
	uint32_t lo, hi = 0, mask_lo, mask_hi = 0;
	uint32_t flags = pci_bar_flags(pci_cfg_read32(ops, ctx, sbdf, off));
	bool is_io = flags & PCI_BAR_F_IO, is_64 = flags & PCI_BAR_F_MEM64;

	bar->flags = flags;
	bar->base = 0;
	bar->size = 0;
	if (is_64 && last_slot) {
		/* The upper half would be outside the BAR array: never size it. */
		*err = PCI_ERR_MALFORMED_BAR;
		return 1;
	}
	mask_lo = pci_bar_sample(ops, ctx, sbdf, off, PCI_BAR_ALL_ONES, &lo);
	if (is_64)
		mask_hi = pci_bar_sample(ops, ctx, sbdf, (uint16_t)(off + PCI_BAR_REG_SIZE),
		                         PCI_BAR_ALL_ONES, &hi);
	bar->base = pci_bar_base(lo, hi, flags);
	bar->size = pci_bar_size_from_mask(mask_lo, mask_hi, is_io, is_64);
	return is_64 ? 2 : 1;
}

enum pci_err pci_bar_probe_slots(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                 uint16_t first_off, unsigned nslots, struct pci_bar *bars)
{
	enum pci_err err = PCI_OK;
	unsigned i = 0;

	while (i < nslots) {
		uint16_t off = (uint16_t)(first_off + i * PCI_BAR_REG_SIZE);
		unsigned used =
		        pci_bar_probe_one(ops, ctx, sbdf, off, i + 1 == nslots, &bars[i], &err);

		if (used == 2) {
			bars[i + 1].flags = PCI_BAR_F_UPPER;
			bars[i + 1].base = 0;
			bars[i + 1].size = 0;
		}
		i += used;
	}
	return err;
}

/* Clears memory and I/O decode; returns the original Command value. */
static uint16_t pci_decode_off(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf)
{
	uint16_t cmd = pci_cfg_read16(ops, ctx, sbdf, PCI_COMMAND);

	/* 16-bit write: a 32-bit write at 0x04 would clear RW1C Status bits. */
	if (cmd & PCI_CMD_DECODE_BITS)
		pci_cfg_write16(ops, ctx, sbdf, PCI_COMMAND, cmd & (uint16_t)~PCI_CMD_DECODE_BITS);
	return cmd;
}

static void pci_decode_restore(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                               uint16_t cmd)
{
	if (cmd & PCI_CMD_DECODE_BITS)
		pci_cfg_write16(ops, ctx, sbdf, PCI_COMMAND, cmd);
}

enum pci_err pci_bars_probe(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                            uint8_t header_type, struct pci_bar bars[PCI_STD_NUM_BARS],
                            unsigned *nbars)
{
	unsigned n = pci_header_bar_count(header_type);
	enum pci_err err = PCI_OK;
	uint16_t cmd;

	*nbars = n;
	if (n == 0)
		return PCI_OK;
	cmd = pci_decode_off(ops, ctx, sbdf);
	err = pci_bar_probe_slots(ops, ctx, sbdf, PCI_BASE_ADDRESS_0, n, bars);
	pci_decode_restore(ops, ctx, sbdf, cmd);
	return err;
}

enum pci_err pci_rom_probe(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                           uint8_t header_type, struct pci_bar *rom)
{
	uint16_t off, cmd;
	uint32_t orig, mask;

	rom->base = 0;
	rom->size = 0;
	rom->flags = PCI_BAR_F_ROM;
	switch (header_type & PCI_HEADER_TYPE_MASK) {
	case PCI_HEADER_TYPE_NORMAL:
		off = PCI_ROM_ADDRESS;
		break;
	case PCI_HEADER_TYPE_BRIDGE:
		off = PCI_ROM_ADDRESS1;
		break;
	default:
		rom->flags = 0;
		return PCI_ERR_NOT_FOUND;
	}
	cmd = pci_decode_off(ops, ctx, sbdf);
	/* Probe with the enable bit clear so the ROM is never decoded at ~0. */
	mask = pci_bar_sample(ops, ctx, sbdf, off, PCI_ROM_ADDRESS_MASK, &orig);
	pci_decode_restore(ops, ctx, sbdf, cmd);
	mask &= PCI_ROM_ADDRESS_MASK;
	rom->size = mask & (~mask + 1);
	rom->base = orig & PCI_ROM_ADDRESS_MASK;
	return PCI_OK;
}
