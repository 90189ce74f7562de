/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PCI server as a library: what its starter hands it (struct
 * pci_server_config), how its endpoint badges are encoded, and the
 * constants its replies use. The protocol itself (labels, arguments,
 * errors, client stubs) is generated from pci.protocol into "pci.h";
 * docs/pci.md describes the whole design.
 *
 * The server is the only program that touches PCI configuration space. It
 * runs as one thread, answers requests on one endpoint, and takes its
 * authority from nothing but the badge a request arrives with:
 *
 *   bit 63       never set (WARD_SERVER_EVENT, ward/server.h)
 *   bit 62       PCI_BADGE_DEVICE: a device badge, else
 *   == 1         PCI_BADGE_PRIVILEGED: the IOMMU server, all requests
 *   bits 47..16  device badge: the function's generation
 *   bits 15..0   device badge: the function's device-table index
 *
 * Any other badge is refused (PCI_ERR_DENIED). A device badge whose index
 * names no function, or whose generation is not the function's current
 * one, is refused as PCI_ERR_STALE: REVOKE moves a function to a new
 * generation, so a cap minted with an old badge stops working even if
 * nobody deleted it.
 */
#ifndef PCI_SERVICE_H
#define PCI_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/sys.h>

#include "pci.h"
#include "pci_bar.h" /* PCI_BAR_F_*: BAR_INFO flags; pci_cfg.h: SBDFs, ECAM windows */

#define PCI_BADGE_PRIVILEGED 1ULL
#define PCI_BADGE_DEVICE     (1ULL << 62)
#define PCI_BADGE_GEN_SHIFT  16
#define PCI_BADGE_GEN_MASK   0xffffffffULL
#define PCI_BADGE_INDEX_MASK 0xffffULL
#define PCI_BADGE_DEVICE_BITS \
	(PCI_BADGE_DEVICE | (PCI_BADGE_GEN_MASK << PCI_BADGE_GEN_SHIFT) | PCI_BADGE_INDEX_MASK)

static inline uint64_t pci_badge_device(uint32_t index, uint32_t generation)
{
	return PCI_BADGE_DEVICE | ((uint64_t)generation << PCI_BADGE_GEN_SHIFT) |
	       (index & PCI_BADGE_INDEX_MASK);
}

static inline bool pci_badge_is_device(uint64_t badge)
{
	return (badge & ~PCI_BADGE_DEVICE_BITS) == 0 && (badge & PCI_BADGE_DEVICE);
}

static inline uint32_t pci_badge_index(uint64_t badge)
{
	return (uint32_t)(badge & PCI_BADGE_INDEX_MASK);
}

static inline uint32_t pci_badge_generation(uint64_t badge)
{
	return (uint32_t)((badge >> PCI_BADGE_GEN_SHIFT) & PCI_BADGE_GEN_MASK);
}

/* LIST: the key a filter matches, and the cursor value after the last function. */
#define PCI_LIST_KEY(class_code, device, vendor) \
	(((uint64_t)(class_code) << 32) | ((uint64_t)(device) << 16) | (uint64_t)(vendor))
#define PCI_LIST_KEY_CLASS_MASK PCI_LIST_KEY(0xffffffu, 0, 0)
#define PCI_LIST_KEY_ID_MASK    PCI_LIST_KEY(0, 0xffffu, 0xffffu)
#define PCI_LIST_BATCH          8
#define PCI_LIST_END            (~0ULL)
#define PCI_NO_SBDF             0xffffffffULL

/* DESCRIBE: flags. */
#define PCI_DESC_MULTIFUNCTION  (1u << 0)  /* function 0 has header type bit 7 */
#define PCI_DESC_PCIE           (1u << 1)  /* has a PCI Express capability */
#define PCI_DESC_VF             (1u << 2)  /* an SR-IOV Virtual Function */
#define PCI_DESC_PF             (1u << 3)  /* has an SR-IOV capability */
#define PCI_DESC_PLATFORM       (1u << 4)  /* host bridge or IOMMU: never quiesced or handed out */
#define PCI_DESC_CAPS_MALFORMED (1u << 5)  /* a capability list loops or leaves its region */
#define PCI_DESC_BARS_MALFORMED (1u << 6)  /* a 64-bit BAR in the last slot */
#define PCI_DESC_BUS_RANGE_BAD  (1u << 7)  /* bridge bus numbers rejected; subtree unscanned */
#define PCI_DESC_ALIAS_OVERFLOW (1u << 8)  /* more DMA aliases than the table holds */
#define PCI_DESC_MSI_ON         (1u << 9)  /* MSI programmed and enabled by MSI_SET */
#define PCI_DESC_MSIX_ON        (1u << 10) /* MSI-X programmed and enabled by MSIX_SET */
#define PCI_DESC_DEVICE_CAP     (1u << 11) /* a DEVICE_CAP original is outstanding */

/* CAPABILITIES: `present` bits. */
#define PCI_CAPF_PM    (1u << 0)
#define PCI_CAPF_MSI   (1u << 1)
#define PCI_CAPF_MSIX  (1u << 2)
#define PCI_CAPF_PCIE  (1u << 3)
#define PCI_CAPF_AER   (1u << 4)
#define PCI_CAPF_ACS   (1u << 5)
#define PCI_CAPF_ARI   (1u << 6)
#define PCI_CAPF_SRIOV (1u << 7)
#define PCI_CAPF_ATS   (1u << 8)
#define PCI_CAPF_FLR   (1u << 9) /* PCIe Device Capabilities: Function Level Reset */

/* RESET: methods, in order of preference (docs/pci.md). */
enum pci_reset_method {
	PCI_RESET_NONE = 0,
	PCI_RESET_FLR = 1, /* Function Level Reset, PCIe Base §6.6.2 */
	PCI_RESET_PM = 2,  /* D3hot -> D0 without No_Soft_Reset, PCI PM 1.2 §5.6.1 */
	PCI_RESET_BUS =
	        3, /* secondary bus reset of the bridge above, PCI-to-PCI Bridge 1.2 §3.2.5.17 */
};

#define PCI_BAR_ROM 6 /* BAR_INFO: the expansion ROM */

/* Limits of the library's tables. */
#define PCI_TABLE_MAX  256 /* functions, VF reservations included */
#define PCI_ECAM_MAX   4   /* MCFG windows */
#define PCI_DEVMEM_MAX 32  /* device untyped caps handed to the server */

/* A device untyped cap the starter hands over, covering PCI MMIO space. */
struct pci_devmem_region {
	uint64_t cap;  /* cptr in the server's CSpace */
	uint64_t base; /* physical address */
	unsigned bits; /* size 2^bits */
};

/* An ECAM window, mapped by the starter. */
struct pci_ecam_mapping {
	struct pci_ecam_window window; /* from MCFG */
	volatile void *va;             /* where bus window.start_bus begins */
};

struct pci_server_config {
	/* Caps, as cptrs (depth 64) in the server thread's CSpace. */
	uint64_t cspace;      /* its CSpace root CNode: retype destination, CNode operations */
	uint64_t endpoint;    /* unbadged, all rights: received on, device caps minted from */
	uint64_t reply;       /* a reply object */
	uint64_t vspace;      /* its PML4: the MSI-X table pages are mapped in it */
	uint64_t ram_untyped; /* RAM for the paging structures those mappings need */
	uint64_t slot_first;  /* free slots [slot_first, slot_first + slot_count) */
	unsigned slot_count;
	uint64_t va_base; /* 2 MiB aligned, PCI_TABLE_MAX * 2 MiB of free address space */

	unsigned necam;
	struct pci_ecam_mapping ecam[PCI_ECAM_MAX];
	unsigned ndevmem;
	struct pci_devmem_region devmem[PCI_DEVMEM_MAX];

	uint64_t tsc_hz;    /* TSC ticks per second (boot info / start info) */
	bool print_listing; /* print the device table once it is built */
};

struct pci_server;

/*
 * Builds the device table (enumeration, BAR sizing, capabilities), quiets
 * every endpoint, enables ACS on root and downstream ports and computes the
 * IOMMU groups. Returns the server, or NULL (with a console message) if the
 * configuration is unusable. One server per program.
 */
struct pci_server *pci_server_init(const struct pci_server_config *cfg);

/*
 * Serves requests until the endpoint's unbadged cap asks it to stop
 * (badge 0, as libs/ipc's server loop) or Recv fails; returns that label.
 * Unlike ward_server_run, a reply may carry one capability (MAP_BAR,
 * DEVICE_CAP).
 */
uint64_t pci_server_run(struct pci_server *s);

/*
 * Client helpers for the two requests whose reply carries a cap: they arm
 * the calling thread's receive slot (cnode, slot at depth 64) around the
 * generated stub. The endpoint cap used needs WARD_RIGHT_GRANT; a reply
 * whose cap did not arrive is WARD_ERR_INVALID_CAPABILITY.
 */
static inline void pci_arm_receive(uint64_t cnode, uint64_t slot)
{
	struct ward_ipc_buffer *buf = ward_ipc_buffer();

	buf->receive_cnode = cnode;
	buf->receive_index = slot;
	buf->receive_depth = cnode != 0 ? 64 : 0;
	if (cnode != 0)
		buf->caps_or_badges[0] = 0; /* the kernel writes a received cap's type here */
}

/*
 * The reply said WARD_OK; did its cap arrive (GRANT on the Call's cap, an
 * empty slot)? The kernel reports the type of a cap it transferred in the
 * receiver's caps_or_badges[0], which pci_arm_receive() cleared.
 */
static inline enum ward_error pci_reply_cap_arrived(enum ward_error err, uint64_t slot)
{
	(void)slot;
	if (err == WARD_OK && ward_ipc_buffer()->caps_or_badges[0] == WARD_OBJ_NULL)
		return WARD_ERR_INVALID_CAPABILITY;
	return err;
}

static inline enum ward_error pci_map_bar_into(uint64_t ep, uint64_t cnode, uint64_t slot,
                                               uint64_t sbdf, uint64_t bar, uint64_t offset,
                                               uint64_t *phys, uint64_t *size)
{
	enum ward_error err;

	pci_arm_receive(cnode, slot);
	err = pci_map_bar(ep, sbdf, bar, offset, phys, size);
	pci_arm_receive(0, 0);
	return pci_reply_cap_arrived(err, slot);
}

static inline enum ward_error pci_device_cap_into(uint64_t ep, uint64_t cnode, uint64_t slot,
                                                  uint64_t sbdf, uint64_t *badge)
{
	enum ward_error err;

	pci_arm_receive(cnode, slot);
	err = pci_device_cap(ep, sbdf, badge);
	pci_arm_receive(0, 0);
	return pci_reply_cap_arrived(err, slot);
}

#endif /* PCI_SERVICE_H */
