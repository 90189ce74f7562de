/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Configuration reads and writes on behalf of clients, and the rules that
 * keep them from undoing what the server guarantees. Reads may cover the
 * function's whole configuration space. Writes may not touch:
 *  - the header outside Command, Status, Cache Line Size, Latency Timer and
 *    Interrupt Line: IDs, BARs, the ROM BAR, bus numbers, windows and
 *    bridge control (a moved BAR would decode another function's MMIO);
 *  - Bus Master Enable, which only BUS_MASTER changes (DMA is the IOMMU
 *    server's to allow);
 *  - the MSI and MSI-X capabilities: their address and data decide where
 *    the function writes when it interrupts (an MSI is a DMA write);
 *  - the SR-IOV capability: VFs come and go through SRIOV_ENABLE/DISABLE;
 *  - the ACS capability: it is what makes the groups hold;
 *  - ATS, PRI and PASID, which decide whether the IOMMU translates the
 *    function's requests, and the Resizable BAR capabilities;
 *  - Initiate Function Level Reset: a reset clears the BARs, which only
 *    RESET restores.
 * The same rules apply to the privileged badge: the IOMMU server has typed
 * requests for the protected registers. Every check runs before anything
 * is written, so a refused request changes nothing.
 */
#include "pci_handlers.h"
#include "pci_state.h"

#ifndef PCI_EXT_CAP_ID_VF_REBAR
#define PCI_EXT_CAP_ID_VF_REBAR 0x24 /* VF Resizable BAR (PCIe Base §9.3.7.5) */
#endif

struct pci_range {
	uint16_t lo, hi; /* inclusive */
};

enum {
	PCI_ARG_SBDF = 0,
	PCI_ARG_OFFSET = 1,
	PCI_ARG_WIDTH = 2,
	PCI_ARG_VALUE = 3,
};

enum ward_error pci_access_check(struct ward_request *rq, const struct pci_entry *e,
                                 uint64_t offset, uint64_t width)
{
	if (width != 1 && width != 2 && width != 4)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, PCI_ARG_WIDTH, 1, 4);
	if (offset >= e->cfg_size || offset + width > e->cfg_size)
		return ward_fail(rq, WARD_ERR_RANGE, PCI_ARG_OFFSET, 0, e->cfg_size - width);
	/* ECAM accesses are naturally aligned (PCIe Base §7.2.2). */
	if (offset % width != 0)
		return ward_fail(rq, WARD_ERR_ALIGNMENT, PCI_ARG_OFFSET, width, 0);
	return WARD_OK;
}

/* Header bytes a client may write: Command, Status, Cache Line, Latency, Interrupt Line. */
static bool pci_header_writable(unsigned off)
{
	return (off >= PCI_COMMAND && off < PCI_REVISION_ID) || off == PCI_CACHE_LINE_SIZE ||
	       off == PCI_LATENCY_TIMER || off == PCI_INTERRUPT_LINE;
}

/* Size of an MSI capability: 32/64-bit address, with or without per-vector masking. */
static unsigned pci_msi_size(uint16_t flags)
{
	bool is64 = flags & PCI_MSI_FLAGS_64BIT;

	if (flags & PCI_MSI_FLAGS_MASKBIT)
		return is64 ? PCI_MSI_PENDING_64 + 4 : PCI_MSI_PENDING_32 + 4;
	return is64 ? PCI_MSI_DATA_64 + 2 : PCI_MSI_DATA_32 + 2;
}

static unsigned pci_acs_size(struct pci_server *s, uint32_t sbdf, uint16_t acs)
{
	unsigned bits;

	if (!(pci_rd16(s, sbdf, (uint16_t)(acs + PCI_ACS_CAP)) & PCI_ACS_EC))
		return PCI_ACS_EGRESS_CTL_V;
	/* Egress Control Vector Size: 0 means 256 bits (PCIe Base §7.7.8.2). */
	bits = pci_rd8(s, sbdf, (uint16_t)(acs + PCI_ACS_EGRESS_BITS));
	if (bits == 0)
		bits = 256;
	return PCI_ACS_EGRESS_CTL_V + (bits + 31) / 32 * 4;
}

/*
 * Size of an extended capability no client may write, or 0 for one it may.
 * Besides SR-IOV and ACS: ATS, PRI and PASID, because a function that
 * translates its own addresses (ATS) sends requests the IOMMU does not
 * translate again, so they are the IOMMU server's to enable; and the
 * Resizable BAR capabilities, since resizing a BAR moves what it decodes.
 */
static unsigned pci_ext_protected_size(struct pci_server *s, uint32_t sbdf, uint16_t id,
                                       uint16_t off)
{
	uint32_t nbar;

	switch (id) {
	case PCI_EXT_CAP_ID_SRIOV:
		return PCI_EXT_CAP_SRIOV_SIZEOF;
	case PCI_EXT_CAP_ID_ACS:
		return pci_acs_size(s, sbdf, off);
	case PCI_EXT_CAP_ID_ATS:
		return PCI_EXT_CAP_ATS_SIZEOF;
	case PCI_EXT_CAP_ID_PRI:
		return PCI_EXT_CAP_PRI_SIZEOF;
	case PCI_EXT_CAP_ID_PASID:
		return PCI_EXT_CAP_PASID_SIZEOF;
	case PCI_EXT_CAP_ID_REBAR:
	case PCI_EXT_CAP_ID_VF_REBAR:
		/* A header, then a capability and a control register per BAR (§7.8.6). */
		nbar = PCI_FIELD(PCI_REBAR_CTRL_NBAR_MASK, pci_rd32(s, sbdf, off + PCI_REBAR_CTRL));
		return 4 + 8 * (nbar == 0 ? PCI_STD_NUM_BARS : nbar);
	default:
		return 0;
	}
}

#define PCI_PROTECTED_MAX 12

struct pci_protected {
	struct pci_server *s;
	uint32_t sbdf;
	unsigned n;
	struct pci_range r[PCI_PROTECTED_MAX];
};

static bool pci_protect_ext(void *arg, uint16_t id, uint16_t off)
{
	struct pci_protected *p = arg;
	unsigned size = pci_ext_protected_size(p->s, p->sbdf, id, off);

	if (size != 0)
		p->r[p->n++] = (struct pci_range){off, (uint16_t)(off + size - 1)};
	return p->n == PCI_PROTECTED_MAX - 1;
}

/* All of extended configuration space. */
static void pci_protect_all_ext(struct pci_protected *p)
{
	p->r[p->n++] = (struct pci_range){PCI_CFG_SPACE_SIZE, PCI_CFG_SPACE_EXP_SIZE - 1};
}

/*
 * The capability structures no client may write, as byte ranges. The
 * lists are walked afresh (bounded walks, servers/pci/core) rather than
 * trusted from start-up, so a capability the table does not record is
 * still found.
 */
static void pci_protected_caps(struct pci_server *s, const struct pci_entry *e,
                               struct pci_protected *p)
{
	const struct pci_caps *c = &e->dev.caps;

	p->s = s;
	p->sbdf = e->dev.sbdf;
	p->n = 0;
	if (c->msi != 0) {
		uint16_t flags = pci_rd16(s, p->sbdf, (uint16_t)(c->msi + PCI_MSI_FLAGS));
		p->r[p->n++] =
		        (struct pci_range){c->msi, (uint16_t)(c->msi + pci_msi_size(flags) - 1)};
	}
	if (c->msix != 0)
		p->r[p->n++] =
		        (struct pci_range){c->msix, (uint16_t)(c->msix + PCI_CAP_MSIX_SIZEOF - 1)};
	/* What start-up recorded stays protected whatever the list says now. */
	if (c->sriov != 0)
		pci_protect_ext(p, PCI_EXT_CAP_ID_SRIOV, c->sriov);
	if (c->acs != 0)
		pci_protect_ext(p, PCI_EXT_CAP_ID_ACS, c->acs);
	/* A list that is malformed or too long to follow protects everything after 0x100. */
	if (c->pcie != 0 &&
	    (pci_ext_cap_walk(&pci_ecam_ops, s, p->sbdf, pci_protect_ext, p) != PCI_OK ||
	     p->n == PCI_PROTECTED_MAX - 1))
		pci_protect_all_ext(p);
}

/* The byte of `value` that a write of `width` bytes at `off` puts at `at`. */
static uint8_t pci_byte_at(uint64_t value, unsigned off, unsigned at)
{
	return (uint8_t)(value >> (8 * (at - off)));
}

/* Bus Master Enable and Initiate FLR: single bits inside writable registers. */
static enum ward_error pci_check_bits(struct ward_request *rq, struct pci_server *s,
                                      const struct pci_entry *e, unsigned off, unsigned end,
                                      uint64_t value)
{
	unsigned devctl_hi = e->dev.caps.pcie + PCI_EXP_DEVCTL + 1;

	if (off <= PCI_COMMAND && PCI_COMMAND <= end &&
	    ((pci_byte_at(value, off, PCI_COMMAND) ^ pci_rd8(s, e->dev.sbdf, PCI_COMMAND)) &
	     PCI_COMMAND_MASTER))
		return ward_fail(rq, PCI_ERR_PROTECTED, PCI_ARG_OFFSET, PCI_COMMAND,
		                 PCI_COMMAND + 1);
	if (e->dev.caps.pcie != 0 && off <= devctl_hi && devctl_hi <= end &&
	    (pci_byte_at(value, off, devctl_hi) & (PCI_EXP_DEVCTL_BCR_FLR >> 8)))
		return ward_fail(rq, PCI_ERR_PROTECTED, PCI_ARG_OFFSET, devctl_hi - 1, devctl_hi);
	return WARD_OK;
}

enum ward_error pci_access_write_check(struct ward_request *rq, struct pci_server *s,
                                       const struct pci_entry *e, uint16_t offset, unsigned width,
                                       uint64_t value)
{
	unsigned end = offset + width - 1u;
	struct pci_protected p;

	if (value >> (8 * width) != 0)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, PCI_ARG_VALUE, 0,
		                 (1ULL << (8 * width)) - 1);
	for (unsigned b = offset; b <= end && b < PCI_STD_HEADER_SIZEOF; b++) {
		if (!pci_header_writable(b))
			return ward_fail(rq, PCI_ERR_PROTECTED, PCI_ARG_OFFSET, b, b);
	}
	pci_protected_caps(s, e, &p);
	for (unsigned i = 0; i < p.n; i++) {
		if (offset <= p.r[i].hi && p.r[i].lo <= end)
			return ward_fail(rq, PCI_ERR_PROTECTED, PCI_ARG_OFFSET, p.r[i].lo,
			                 p.r[i].hi);
	}
	return pci_check_bits(rq, s, e, offset, end, value);
}

enum ward_error pci_serve_config_read(struct ward_request *rq, uint64_t sbdf, uint64_t offset,
                                      uint64_t width, uint64_t *value)
{
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, PCI_ARG_SBDF, false, &e)) != WARD_OK ||
	    (err = pci_access_check(rq, e, offset, width)) != WARD_OK)
		return err;
	*value = pci_ecam_ops.read(rq->ctx, e->dev.sbdf, (uint16_t)offset, (int)width);
	return WARD_OK;
}

enum ward_error pci_serve_config_write(struct ward_request *rq, uint64_t sbdf, uint64_t offset,
                                       uint64_t width, uint64_t value)
{
	struct pci_server *s = rq->ctx;
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, PCI_ARG_SBDF, false, &e)) != WARD_OK ||
	    (err = pci_access_check(rq, e, offset, width)) != WARD_OK ||
	    (err = pci_access_write_check(rq, s, e, (uint16_t)offset, (unsigned)width, value)) !=
	            WARD_OK)
		return err;
	pci_ecam_ops.write(s, e->dev.sbdf, (uint16_t)offset, (uint32_t)value, (int)width);
	return WARD_OK;
}

/*
 * A bridge forwards its secondary side's memory requests (DMA, and MSIs,
 * which are memory writes) upstream only with its own Bus Master Enable
 * set (PCI-to-PCI Bridge 1.2 §3.2.2.3.3; PCIe Base §7.5.1.1.3), and
 * firmware need not have set it (SeaBIOS leaves QEMU's root ports with it
 * clear). So enabling a function enables the bridges above it, as Linux's
 * pci_enable_bridge() does. It is never cleared again: other functions
 * below may need it, and the bridge adds no authority of its own: what
 * the functions may reach is the IOMMU's to decide.
 */
static void pci_bridges_master_on(struct pci_server *s, const struct pci_entry *e)
{
	for (uint32_t p = e->parent; p != PCI_IDX_NONE; p = s->e[p].parent) {
		uint32_t b = s->e[p].dev.sbdf;
		uint16_t cmd = pci_rd16(s, b, PCI_COMMAND);

		if (!(cmd & PCI_COMMAND_MASTER))
			pci_wr16(s, b, PCI_COMMAND, cmd | PCI_COMMAND_MASTER);
	}
}

enum ward_error pci_serve_bus_master(struct ward_request *rq, uint64_t sbdf, uint64_t enable,
                                     uint64_t *command, uint64_t *before)
{
	struct pci_server *s = rq->ctx;
	struct pci_entry *e;
	enum ward_error err;
	uint16_t cmd;

	if ((err = pci_authorize(rq, sbdf, PCI_ARG_SBDF, true, &e)) != WARD_OK)
		return err;
	if (enable > 1)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 1, 0, 1);
	if (e->platform)
		return ward_fail(rq, PCI_ERR_PROTECTED, PCI_ARG_SBDF, 0, 0);
	if (enable)
		pci_bridges_master_on(s, e);
	cmd = pci_rd16(s, e->dev.sbdf, PCI_COMMAND);
	*before = cmd;
	cmd = enable ? (uint16_t)(cmd | PCI_COMMAND_MASTER) : (uint16_t)(cmd & ~PCI_COMMAND_MASTER);
	pci_wr16(s, e->dev.sbdf, PCI_COMMAND, cmd);
	*command = pci_rd16(s, e->dev.sbdf, PCI_COMMAND);
	return WARD_OK;
}
