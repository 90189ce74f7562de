/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A synthetic configuration space for the PCI core tests: 4 KiB per
 * function addressed by SBDF, like an ECAM window. Each byte has a write
 * mask (bits software may change) and an RW1C mask, so BARs behave like
 * hardware: writing all-ones to a BAR reads back its size mask with the
 * read-only type bits intact. Absent functions read as all-ones. The fake
 * also watches the access pattern and records protocol violations.
 */
#ifndef FAKE_CFG_H
#define FAKE_CFG_H

#include "pci_core.h"

#define FAKE_MAX_FNS 32

struct fake_fn {
	uint32_t sbdf;
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	uint8_t wmask[PCI_CFG_SPACE_EXP_SIZE];
	uint8_t w1c[PCI_CFG_SPACE_EXP_SIZE];
	uint16_t nwrites[PCI_CFG_SPACE_EXP_SIZE]; /* writes starting at each offset */
	uint16_t sriov; /* SR-IOV capability offset, for VF BAR checks; 0 if none */
};

struct fake_cfg {
	struct fake_fn fns[FAKE_MAX_FNS];
	unsigned nfns;
	unsigned reads;
	unsigned writes;
	bool bad_access;     /* misaligned, wrong width or beyond 4 KiB */
	bool sized_decoding; /* all-ones written to a BAR while it was decoded */
	bool status_written; /* a write overlapped the Status register */
	bool vfe_cleared;    /* SR-IOV VF Enable was cleared by a write */
};

extern const struct pci_cfg_ops fake_cfg_ops;

/* Allocates a zeroed fake; aborts on allocation failure. */
struct fake_cfg *fake_new(void);
void fake_free(struct fake_cfg *f);

/*
 * Adds a function with the given IDs, header type (bit 7 = multi-function)
 * and 24-bit class code. The Command register's I/O, Memory and Bus
 * Master bits are writable; Status bits 15:8 are RW1C.
 */
struct fake_fn *fake_add(struct fake_cfg *f, uint32_t sbdf, uint16_t vendor, uint16_t device,
                         uint8_t header_type, uint32_t class_code);
struct fake_fn *fake_find(struct fake_cfg *f, uint32_t sbdf);

void fake_set(struct fake_fn *fn, uint16_t off, uint32_t val, int width);
uint32_t fake_get(const struct fake_fn *fn, uint16_t off, int width);
void fake_set_wmask(struct fake_fn *fn, uint16_t off, uint32_t mask, int width);

/*
 * Defines a BAR register at config offset `off` with the given size and
 * type bits (PCI_BASE_ADDRESS_*), programmed to `base`. A 64-bit memory
 * BAR also defines the upper register at off + 4. size 0 leaves the
 * register(s) unimplemented (read-only zero).
 */
void fake_bar(struct fake_fn *fn, uint16_t off, uint64_t size, uint32_t type, uint64_t base);

/* Adds a conventional capability at off with the given next pointer. */
void fake_cap(struct fake_fn *fn, uint8_t off, uint8_t id, uint8_t next);
/* Sets the Capabilities Pointer and Status.Capabilities List. */
void fake_cap_start(struct fake_fn *fn, uint8_t first);
/* Adds an extended capability header at off (version 1). */
void fake_ext_cap(struct fake_fn *fn, uint16_t off, uint16_t id, uint16_t next);

/* Adds a PCIe capability of the given port type at off, linked to next. */
void fake_pcie_cap(struct fake_fn *fn, uint8_t off, uint8_t type, uint8_t next);
/* Bridge bus numbers (type 1 header). */
void fake_bridge_buses(struct fake_fn *fn, uint8_t pri, uint8_t sec, uint8_t sub);

#endif /* FAKE_CFG_H */
