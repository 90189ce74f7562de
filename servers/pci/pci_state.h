/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PCI server's own state, shared by its files: the device table (one
 * struct pci_entry per function, PFs' VF reservations included), the
 * configuration-space accessors over the mapped ECAM windows, the slot and
 * device-memory allocators, and the helpers every request handler uses.
 * Table indices are stable for the life of the server: a device badge
 * names one, so VFs get entries reserved behind their PF at start-up and
 * nothing is ever moved or sorted afterwards.
 */
#ifndef PCI_STATE_H
#define PCI_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/protocol.h>

#include "pci_core.h"
#include "pci_service.h"

#define PCI_PAGE_BITS       12
#define PCI_LARGE_PAGE_BITS 21
#define PCI_BAR_MAX_FRAMES  256 /* frames per BAR: one Retype, and a bound on slots */
#define PCI_DEVMEM_NODES    512 /* untyped caps the carving may create */
#define PCI_SLOTS_MAX       4096
#define PCI_CFG_ALL_ONES    0xffffffffu

#ifndef PCI_HEADER_TYPE_MFD
#define PCI_HEADER_TYPE_MFD 0x80u /* multi-function device (header type bit 7) */
#endif

/* The interrupt mode the server last programmed. */
enum pci_irq_mode {
	PCI_IRQ_OFF = 0, /* INTx disabled, MSI and MSI-X disabled */
	PCI_IRQ_MSI,
	PCI_IRQ_MSIX,
};

/* The device frames made for one BAR (slots first .. first + count - 1). */
struct pci_bar_frames {
	uint64_t ut;        /* the untyped exactly covering the BAR; 0: none made */
	uint64_t first;     /* slot of the frame at BAR offset 0 */
	uint16_t count;     /* frames */
	uint8_t frame_bits; /* 12 (Frame) or 21 (LargeFrame) */
};

struct pci_entry {
	struct pci_dev dev; /* the core's record: IDs, caps, BARs, aliases */
	bool present;       /* false: a VF reservation not (or no longer) enabled */
	bool platform;      /* host bridge or IOMMU function: left alone */
	uint32_t generation;
	uint32_t parent;   /* table index of the upstream bridge, or PCI_IDX_NONE */
	uint32_t group;    /* IOMMU group: the lowest SBDF in it */
	uint16_t cfg_size; /* 4096 for PCIe functions, 256 otherwise */
	uint8_t reset_method;
	uint8_t irq_mode;

	/* SR-IOV: a PF's capability and VF bookkeeping, or a VF's link to its PF. */
	uint32_t pf;          /* VF: table index of its PF; else PCI_IDX_NONE */
	uint16_t vf_index;    /* VF: its number, 0-based */
	uint16_t vf_reserved; /* PF: table entries reserved for VFs, from first_vf */
	uint16_t vf_enabled;  /* PF: VFs currently enabled */
	uint32_t first_vf;    /* PF: table index of VF 0 */
	struct pci_sriov_info sriov;
	struct pci_bar vf_bars[PCI_SRIOV_NUM_BARS];

	/* What the server handed out for this function. */
	uint64_t device_cap; /* slot of the DEVICE_CAP original; 0: none */
	struct pci_bar_frames frames[PCI_STD_NUM_BARS];
	uint64_t msix_frame; /* slot of the server's own mapping of the MSI-X table page */
	uint64_t msix_phys;  /* which page it maps */
};

/* One node of the device-memory buddy tree (devmem.c). */
struct pci_ut {
	uint64_t cap;
	uint64_t base;
	uint8_t bits;
	uint8_t state; /* PCI_UT_FREE, PCI_UT_SPLIT or PCI_UT_USED */
};

struct pci_server {
	struct pci_server_config cfg;
	struct pci_entry e[PCI_TABLE_MAX];
	unsigned n; /* entries used, reservations included */
	/*
	 * Where segment 0's requester ID was last found in e[] (index + 1, 0:
	 * not yet): a lookup checks the entry and scans only on a miss, so a
	 * request costs the same with 8 functions or 256 (VFs come and go;
	 * a stale hint is simply not believed).
	 */
	uint16_t hint[1u << 16];

	struct pci_dev scratch[PCI_TABLE_MAX]; /* enumeration and group computation */
	uint64_t slot_used[PCI_SLOTS_MAX / 64];
	struct pci_ut ut[PCI_DEVMEM_NODES];
	unsigned nut;

	uint64_t reply_cap; /* a cap the current reply carries (0: none) */
	uint64_t in[WARD_MSG_MAX_LENGTH];
	struct ward_reply out;
};

/* --- configuration space (ecam.c) ---------------------------------------- */

extern const struct pci_cfg_ops pci_ecam_ops;

static inline uint8_t pci_rd8(struct pci_server *s, uint32_t sbdf, uint16_t off)
{
	return pci_cfg_read8(&pci_ecam_ops, s, sbdf, off);
}

static inline uint16_t pci_rd16(struct pci_server *s, uint32_t sbdf, uint16_t off)
{
	return pci_cfg_read16(&pci_ecam_ops, s, sbdf, off);
}

static inline uint32_t pci_rd32(struct pci_server *s, uint32_t sbdf, uint16_t off)
{
	return pci_cfg_read32(&pci_ecam_ops, s, sbdf, off);
}

static inline void pci_wr8(struct pci_server *s, uint32_t sbdf, uint16_t off, uint8_t v)
{
	pci_ecam_ops.write(s, sbdf, off, v, 1);
}

static inline void pci_wr16(struct pci_server *s, uint32_t sbdf, uint16_t off, uint16_t v)
{
	pci_cfg_write16(&pci_ecam_ops, s, sbdf, off, v);
}

static inline void pci_wr32(struct pci_server *s, uint32_t sbdf, uint16_t off, uint32_t v)
{
	pci_cfg_write32(&pci_ecam_ops, s, sbdf, off, v);
}

/* --- the device table (table.c) ------------------------------------------ */

enum ward_error pci_table_build(struct pci_server *s);
struct pci_entry *pci_table_find(struct pci_server *s, uint64_t sbdf);
uint32_t pci_table_index(const struct pci_server *s, const struct pci_entry *e);
void pci_table_regroup(struct pci_server *s);
void pci_entry_quiesce(struct pci_server *s, struct pci_entry *e);
bool pci_entry_in_subtree(const struct pci_server *s, const struct pci_entry *e, uint32_t bridge);
void pci_entry_revoke(struct pci_server *s, struct pci_entry *e);
uint64_t pci_entry_badge(const struct pci_server *s, const struct pci_entry *e);

/* --- requests: badges and register rules (server.c, access.c) ------------ */

/*
 * Finds the function a request may act on: `sbdf`, its argument `arg`,
 * as the request's badge allows (privileged_only: device badges refused).
 * Returns WARD_OK and *out, or the error already recorded in rq's reply.
 */
enum ward_error pci_authorize(struct ward_request *rq, uint64_t sbdf, unsigned arg,
                              bool privileged_only, struct pci_entry **out);
enum ward_error pci_access_check(struct ward_request *rq, const struct pci_entry *e,
                                 uint64_t offset, uint64_t width);
enum ward_error pci_access_write_check(struct ward_request *rq, struct pci_server *s,
                                       const struct pci_entry *e, uint16_t offset, unsigned width,
                                       uint64_t value);

/* --- slots, device memory, BAR frames, own mappings (devmem.c) ----------- */

bool pci_devmem_init(struct pci_server *s);
uint64_t pci_slot_alloc(struct pci_server *s, unsigned count);
void pci_slot_free(struct pci_server *s, uint64_t slot, unsigned count);
enum ward_error pci_bar_frames_get(struct pci_server *s, struct pci_entry *e, unsigned bar,
                                   struct pci_bar_frames **out);
void pci_bar_frames_revoke(struct pci_server *s, struct pci_entry *e);
volatile uint8_t *pci_map_own(struct pci_server *s, struct pci_entry *e, unsigned bar,
                              uint64_t offset);

/* --- SR-IOV (sriov.c), reset (reset.c), MSI (msi.c), listing (listing.c) - */

void pci_sriov_setup(struct pci_server *s, struct pci_entry *pf);
void pci_reset_choose(struct pci_server *s, struct pci_entry *e);
void pci_msi_off(struct pci_server *s, struct pci_entry *e);
void pci_listing_print(struct pci_server *s);
const char *pci_reset_name(unsigned method);

/* --- time (clock.c) ------------------------------------------------------ */

uint64_t pci_clock_ms(const struct pci_server *s);
void pci_delay_ms(const struct pci_server *s, unsigned ms);

#endif /* PCI_STATE_H */
