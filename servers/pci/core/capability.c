/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bounded capability-list walks. The lists live in device-controlled
 * configuration space, so they are treated as untrusted input: each walk
 * keeps a bitmap of visited dwords (a revisit is a loop), checks every
 * pointer against its region and stops after one entry per dword. The
 * conventional list occupies 0x40-0xff (PCI Local Bus 3.0 §6.7), the
 * extended list 0x100-0xfff (PCIe Base §7.6.3).
 */
#include <string.h>

#include "pci_cap.h"

#define PCI_CAP_PTR_MASK    0xfcu /* low two pointer bits are reserved */
#define PCI_CAP_ID_ABSENT   0xffu /* all-ones read: nothing there */
#define PCI_CFG_ALL_ONES32  0xffffffffu
#define PCI_CFG_ALL_ONES16  0xffffu
#define PCI_CAP_HDR_ID(h)   ((h)&0xffu)
#define PCI_CAP_HDR_NEXT(h) (((h) >> 8) & 0xffu)
#define PCI_BITMAP_WORD     64u

static bool pci_bitmap_test_and_set(uint64_t *map, unsigned bit)
{
	uint64_t m = (uint64_t)1 << (bit % PCI_BITMAP_WORD);
	bool was = map[bit / PCI_BITMAP_WORD] & m;

	map[bit / PCI_BITMAP_WORD] |= m;
	return was;
}

enum pci_err pci_cap_walk(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                          pci_cap_visit_fn fn, void *arg)
{
	uint64_t visited[(PCI_CAP_LEGACY_MAX + PCI_BITMAP_WORD - 1) / PCI_BITMAP_WORD] = {0};
	uint16_t status = pci_cfg_read16(ops, ctx, sbdf, PCI_STATUS);
	uint16_t list_reg = PCI_CAPABILITY_LIST;
	unsigned n;
	uint8_t ptr;

	if (status == PCI_CFG_ALL_ONES16)
		return PCI_ERR_NOT_FOUND;
	if (!(status & PCI_STATUS_CAP_LIST))
		return PCI_OK;
	if ((pci_cfg_read8(ops, ctx, sbdf, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK) ==
	    PCI_HEADER_TYPE_CARDBUS)
		list_reg = PCI_CB_CAPABILITY_LIST;
	ptr = pci_cfg_read8(ops, ctx, sbdf, list_reg) & PCI_CAP_PTR_MASK;
	for (n = 0; ptr != 0; n++) {
		uint32_t hdr;

		/* The list may not point back into the standard header. */
		if (n >= PCI_CAP_LEGACY_MAX || ptr < PCI_STD_HEADER_SIZEOF)
			return PCI_ERR_MALFORMED_LIST;
		if (pci_bitmap_test_and_set(visited, (ptr - PCI_STD_HEADER_SIZEOF) / 4))
			return PCI_ERR_MALFORMED_LIST;
		hdr = pci_cfg_read32(ops, ctx, sbdf, ptr);
		if (PCI_CAP_HDR_ID(hdr) == PCI_CAP_ID_ABSENT)
			return PCI_ERR_MALFORMED_LIST;
		if (fn(arg, (uint16_t)PCI_CAP_HDR_ID(hdr), ptr))
			return PCI_OK;
		ptr = (uint8_t)(PCI_CAP_HDR_NEXT(hdr) & PCI_CAP_PTR_MASK);
	}
	return PCI_OK;
}

/*
 * Conventional functions reached through ECAM may decode only 8 address
 * bits, so 0x100-0x1ff mirrors 0x00-0xff. Like Linux's
 * pci_ext_cfg_is_aliased(), compare the whole first 256 bytes before
 * concluding so, since a real header could match the ID dword by chance.
 */
static bool pci_ext_space_aliased(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                  uint32_t hdr)
{
	uint16_t off;

	if (hdr != pci_cfg_read32(ops, ctx, sbdf, 0))
		return false;
	for (off = 4; off < PCI_CFG_SPACE_SIZE; off += 4) {
		if (pci_cfg_read32(ops, ctx, sbdf, (uint16_t)(PCI_CFG_SPACE_SIZE + off)) !=
		    pci_cfg_read32(ops, ctx, sbdf, off))
			return false;
	}
	return true;
}

enum pci_err pci_ext_cap_walk(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                              pci_cap_visit_fn fn, void *arg)
{
	uint64_t visited[(PCI_CAP_EXT_MAX + PCI_BITMAP_WORD - 1) / PCI_BITMAP_WORD] = {0};
	uint16_t off = PCI_CFG_SPACE_SIZE;
	uint32_t hdr = pci_cfg_read32(ops, ctx, sbdf, off);
	unsigned n;

	/* 0 or all-ones at 0x100: no extended capabilities (PCIe Base §7.6.3). */
	if (hdr == 0 || hdr == PCI_CFG_ALL_ONES32 || pci_ext_space_aliased(ops, ctx, sbdf, hdr))
		return PCI_OK;
	for (n = 0;; n++) {
		uint16_t next;

		if (n >= PCI_CAP_EXT_MAX || hdr == PCI_CFG_ALL_ONES32)
			return PCI_ERR_MALFORMED_LIST;
		if (pci_bitmap_test_and_set(visited, (off - PCI_CFG_SPACE_SIZE) / 4))
			return PCI_ERR_MALFORMED_LIST;
		if (fn(arg, (uint16_t)PCI_EXT_CAP_ID(hdr), off))
			return PCI_OK;
		/* Bits 31:20, low two bits masked; always < 0x1000 by construction. */
		next = (uint16_t)PCI_EXT_CAP_NEXT(hdr);
		if (next == 0)
			return PCI_OK;
		if (next < PCI_CFG_SPACE_SIZE)
			return PCI_ERR_MALFORMED_LIST;
		off = next;
		hdr = pci_cfg_read32(ops, ctx, sbdf, off);
	}
}

struct pci_cap_match {
	uint16_t id;
	uint16_t off;
	bool found;
};

static bool pci_cap_match_visit(void *arg, uint16_t cap_id, uint16_t off)
{
	struct pci_cap_match *m = arg;

	if (cap_id != m->id)
		return false;
	m->off = off;
	m->found = true;
	return true;
}

enum pci_err pci_find_capability(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                 uint8_t cap_id, uint8_t *off)
{
	struct pci_cap_match m = {.id = cap_id};
	enum pci_err err = pci_cap_walk(ops, ctx, sbdf, pci_cap_match_visit, &m);

	if (m.found) {
		*off = (uint8_t)m.off;
		return PCI_OK;
	}
	return err ? err : PCI_ERR_NOT_FOUND;
}

enum pci_err pci_find_ext_capability(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                     uint16_t cap_id, uint16_t *off)
{
	struct pci_cap_match m = {.id = cap_id};
	enum pci_err err = pci_ext_cap_walk(ops, ctx, sbdf, pci_cap_match_visit, &m);

	if (m.found) {
		*off = m.off;
		return PCI_OK;
	}
	return err ? err : PCI_ERR_NOT_FOUND;
}

static bool pci_caps_record_legacy(void *arg, uint16_t cap_id, uint16_t off)
{
	struct pci_caps *c = arg;
	uint8_t *slot;

	switch (cap_id) {
	case PCI_CAP_ID_PM:
		slot = &c->pm;
		break;
	case PCI_CAP_ID_MSI:
		slot = &c->msi;
		break;
	case PCI_CAP_ID_MSIX:
		slot = &c->msix;
		break;
	case PCI_CAP_ID_EXP:
		slot = &c->pcie;
		break;
	case PCI_CAP_ID_PCIX:
		slot = &c->pcix;
		break;
	default:
		return false;
	}
	if (*slot == 0)
		*slot = (uint8_t)off;
	return false;
}

static bool pci_caps_record_ext(void *arg, uint16_t cap_id, uint16_t off)
{
	struct pci_caps *c = arg;
	uint16_t *slot;

	switch (cap_id) {
	case PCI_EXT_CAP_ID_ERR:
		slot = &c->aer;
		break;
	case PCI_EXT_CAP_ID_ACS:
		slot = &c->acs;
		break;
	case PCI_EXT_CAP_ID_ARI:
		slot = &c->ari;
		break;
	case PCI_EXT_CAP_ID_ATS:
		slot = &c->ats;
		break;
	case PCI_EXT_CAP_ID_SRIOV:
		slot = &c->sriov;
		break;
	default:
		return false;
	}
	if (*slot == 0)
		*slot = off;
	return false;
}

enum pci_err pci_caps_scan(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                           struct pci_caps *caps)
{
	enum pci_err err;

	memset(caps, 0, sizeof(*caps));
	err = pci_cap_walk(ops, ctx, sbdf, pci_caps_record_legacy, caps);
	if (err == PCI_ERR_NOT_FOUND)
		return err;
	caps->legacy_malformed = err == PCI_ERR_MALFORMED_LIST;
	/*
	 * Extended space exists for PCIe functions (PCIe Base §7.2.2);
	 * PCI-X Mode 2 is not supported here.
	 */
	if (caps->pcie != 0)
		caps->ext_malformed = pci_ext_cap_walk(ops, ctx, sbdf, pci_caps_record_ext, caps) ==
		                      PCI_ERR_MALFORMED_LIST;
	if (caps->legacy_malformed || caps->ext_malformed)
		return PCI_ERR_MALFORMED_LIST;
	return PCI_OK;
}

uint16_t pci_acs_ctrl_wanted(uint16_t cap, uint16_t ctrl)
{
	return (uint16_t)(ctrl | (cap & PCI_ACS_ISOLATION_FLAGS));
}

enum pci_err pci_acs_enable(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                            uint16_t acs_off, uint16_t *cap, uint16_t *ctrl)
{
	uint16_t c, v;

	if (acs_off < PCI_CFG_SPACE_SIZE || acs_off % 4 != 0 ||
	    acs_off > PCI_CFG_SPACE_EXP_SIZE - PCI_ACS_EGRESS_CTL_V)
		return PCI_ERR_INVAL;
	c = pci_cfg_read16(ops, ctx, sbdf, (uint16_t)(acs_off + PCI_ACS_CAP));
	v = pci_cfg_read16(ops, ctx, sbdf, (uint16_t)(acs_off + PCI_ACS_CTRL));
	if (pci_acs_ctrl_wanted(c, v) != v)
		pci_cfg_write16(ops, ctx, sbdf, (uint16_t)(acs_off + PCI_ACS_CTRL),
		                pci_acs_ctrl_wanted(c, v));
	*cap = c;
	*ctrl = pci_cfg_read16(ops, ctx, sbdf, (uint16_t)(acs_off + PCI_ACS_CTRL));
	return PCI_OK;
}
