/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Base Address Registers. A BAR's size is discovered by writing all-ones
 * and reading back which address bits stuck (PCI Local Bus 3.0 §6.2.5.1;
 * PCIe Base §7.5.1.2.1): the lowest writable address bit is the size.
 * The arithmetic (decode, size from the read-back mask) is kept apart from
 * the configuration-space walk so it can be tested on its own and reused
 * for SR-IOV VF BARs, which are sized the same way (PCIe Base §9.3.3.14).
 */
#ifndef PCI_BAR_H
#define PCI_BAR_H

#include "pci_cfg.h"

#define PCI_BAR_F_IO       (1u << 0) /* I/O space; otherwise memory */
#define PCI_BAR_F_MEM64    (1u << 1) /* 64-bit memory BAR: consumes this slot and the next */
#define PCI_BAR_F_PREFETCH (1u << 2) /* prefetchable memory */
#define PCI_BAR_F_UPPER    (1u << 3) /* this slot is the upper half of the preceding BAR */
#define PCI_BAR_F_ROM      (1u << 4) /* expansion ROM BAR */

/* Size in bytes of one BAR register. */
#define PCI_BAR_REG_SIZE 4u

struct pci_bar {
	uint64_t base;  /* address as currently programmed (flag bits stripped) */
	uint64_t size;  /* decoded size in bytes; 0 if unimplemented */
	uint32_t flags; /* PCI_BAR_F_* */
};

/*
 * Size of a BAR from the values read back after writing all-ones: lo is
 * the low register, hi the upper register of a 64-bit BAR (ignored
 * otherwise). The lowest set address bit is the size; for I/O BARs bits
 * 1:0 are not address bits, for memory BARs bits 3:0. 16-bit I/O decoders
 * return zero in bits 31:16, which does not change the lowest set bit.
 * Returns 0 for an unimplemented BAR (no writable address bit).
 */
uint64_t pci_bar_size_from_mask(uint32_t lo, uint32_t hi, bool is_io, bool is_64);

/*
 * Decodes the type bits of a BAR register value into PCI_BAR_F_* flags.
 * Memory type 01b (below 1 MiB, obsolete) and the reserved 11b are treated
 * as 32-bit, as Linux does; only 10b is 64-bit.
 */
uint32_t pci_bar_flags(uint32_t lo);

/* Address programmed in a BAR, given its register value(s) and flags. */
uint64_t pci_bar_base(uint32_t lo, uint32_t hi, uint32_t flags);

/* Number of BAR slots in a header: 6 for type 0, 2 for type 1, 1 for CardBus. */
unsigned pci_header_bar_count(uint8_t header_type);

/*
 * Sizes `nslots` consecutive BAR registers starting at config offset
 * `first_off` (the header BARs or the SR-IOV VF BARs). The caller must have
 * disabled decoding for the duration (Command register or VF MSE); each
 * register is restored to its original value after sampling.
 * Fills bars[0..nslots-1]; the upper half of a 64-bit BAR gets only
 * PCI_BAR_F_UPPER. Returns PCI_ERR_MALFORMED_BAR if the last slot claims
 * to be 64-bit (that slot is then recorded with size 0 and never written);
 * all slots are filled in either case.
 */
enum pci_err pci_bar_probe_slots(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                 uint16_t first_off, unsigned nslots, struct pci_bar *bars);

/*
 * Sizes the header BARs of a function with header type `header_type`
 * (PCI_HEADER_TYPE_MASK applied). Memory and I/O decode are switched off
 * in the Command register while sizing, so a BAR holding all-ones is never
 * decoded, and the Command register is restored afterwards; it is written
 * as a 16-bit register so the RW1C Status bits are never touched.
 * Fills bars[0..*nbars-1] (at most PCI_STD_NUM_BARS). Returns PCI_OK or
 * PCI_ERR_MALFORMED_BAR (see pci_bar_probe_slots).
 */
enum pci_err pci_bars_probe(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                            uint8_t header_type, struct pci_bar bars[PCI_STD_NUM_BARS],
                            unsigned *nbars);

/*
 * Sizes the expansion ROM BAR (PCI_ROM_ADDRESS for type 0,
 * PCI_ROM_ADDRESS1 for type 1) with memory decode off and the ROM enable
 * bit clear while the probe value is in place; the register and Command
 * are restored. *rom gets size 0 if there is no ROM BAR. Returns
 * PCI_ERR_NOT_FOUND for other header types (*rom zeroed).
 */
enum pci_err pci_rom_probe(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                           uint8_t header_type, struct pci_bar *rom);

#endif /* PCI_BAR_H */
