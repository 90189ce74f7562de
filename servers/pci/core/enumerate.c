/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Depth-first enumeration of one PCI segment through the bus numbers
 * firmware programmed into the bridges (PCI-to-PCI Bridge Architecture
 * 1.2 §3.2.5.4-5: primary < secondary <= subordinate). The walk is
 * iterative with an explicit stack of at most 256 frames, each bus is
 * scanned at most once, and a bridge is followed only if its range lies
 * inside its parent's; hostile bridge registers can hide their own
 * subtree but cannot make the walk loop or leave the segment's range.
 * CardBus bridges and ARI (functions beyond 7 without bit 7 on the
 * device's function 0) are not followed; VFs do not answer the vendor-ID
 * probe and are derived from the SR-IOV capability instead.
 */
#include <string.h>

#include "pci_enum.h"

#ifndef PCI_HEADER_TYPE_MFD
#define PCI_HEADER_TYPE_MFD 0x80u /* multi-function device (header type bit 7) */
#endif

#define PCI_VENDOR_ABSENT  0xffffu /* master abort: nothing at this address */
#define PCI_VENDOR_INVALID 0x0000u /* never assigned; some bridges return it */
#define PCI_DEVFN_END      (PCI_DEVS_PER_BUS * PCI_FNS_PER_DEV)
#define PCI_NUM_BUSES      (PCI_MAX_BUS + 1u)
#define PCI_BITMAP_WORD    64u
#define PCI_CLASS_SHIFT    8 /* class code is bits 31:8 of PCI_CLASS_REVISION */
#define PCI_REVISION_MASK  0xffu
#define PCI_ID_SHIFT       16 /* device ID is bits 31:16 of the first dword */

static bool pci_vendor_present(uint16_t vendor)
{
	return vendor != PCI_VENDOR_ABSENT && vendor != PCI_VENDOR_INVALID;
}

static void pci_dev_probe_pcie(const struct pci_cfg_ops *ops, void *ctx, struct pci_dev *d)
{
	uint16_t flags;

	if (d->caps.pcie == 0)
		return;
	d->is_pcie = true;
	flags = pci_cfg_read16(ops, ctx, d->sbdf, (uint16_t)(d->caps.pcie + PCI_EXP_FLAGS));
	d->pcie_type = (uint8_t)PCI_FIELD(PCI_EXP_FLAGS_TYPE, flags);
	if (d->caps.acs == 0)
		return;
	d->acs_cap = pci_cfg_read16(ops, ctx, d->sbdf, (uint16_t)(d->caps.acs + PCI_ACS_CAP));
	d->acs_ctrl = pci_cfg_read16(ops, ctx, d->sbdf, (uint16_t)(d->caps.acs + PCI_ACS_CTRL));
}

enum pci_err pci_dev_probe(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                           struct pci_dev *d)
{
	uint32_t id = pci_cfg_read32(ops, ctx, sbdf, PCI_VENDOR_ID);
	uint32_t class_rev;
	uint8_t hdr;

	memset(d, 0, sizeof(*d));
	d->parent = PCI_IDX_NONE;
	d->group = PCI_GROUP_NONE;
	if (!pci_vendor_present((uint16_t)id))
		return PCI_ERR_NOT_FOUND;
	d->sbdf = sbdf;
	d->vendor_id = (uint16_t)id;
	d->device_id = (uint16_t)(id >> PCI_ID_SHIFT);
	class_rev = pci_cfg_read32(ops, ctx, sbdf, PCI_CLASS_REVISION);
	d->revision = (uint8_t)(class_rev & PCI_REVISION_MASK);
	d->class_code = class_rev >> PCI_CLASS_SHIFT;
	hdr = pci_cfg_read8(ops, ctx, sbdf, PCI_HEADER_TYPE);
	d->header_type = hdr & PCI_HEADER_TYPE_MASK;
	d->multifunction = hdr & PCI_HEADER_TYPE_MFD;

	/* A malformed list leaves its flags set; what was found is kept. */
	(void)pci_caps_scan(ops, ctx, sbdf, &d->caps);
	pci_dev_probe_pcie(ops, ctx, d);
	if (d->header_type == PCI_HEADER_TYPE_BRIDGE) {
		d->sec_bus = pci_cfg_read8(ops, ctx, sbdf, PCI_SECONDARY_BUS);
		d->sub_bus = pci_cfg_read8(ops, ctx, sbdf, PCI_SUBORDINATE_BUS);
	}
	d->bars_malformed = pci_bars_probe(ops, ctx, sbdf, d->header_type, d->bars, &d->nbars) ==
	                    PCI_ERR_MALFORMED_BAR;
	(void)pci_rom_probe(ops, ctx, sbdf, d->header_type, &d->rom);
	return PCI_OK;
}

struct pci_enum_frame {
	uint8_t bus;    /* bus being scanned */
	uint8_t limit;  /* last bus number this bus's parent range allows */
	uint16_t devfn; /* next devfn to probe; PCI_DEVFN_END when done */
	bool mf;        /* function 0 of the current device is multi-function */
};

struct pci_enum_state {
	const struct pci_cfg_ops *ops;
	void *ctx;
	uint16_t seg;
	struct pci_dev *devs;
	size_t cap;
	size_t count;
	enum pci_err err;
	unsigned depth;
	uint64_t scanned[PCI_NUM_BUSES / PCI_BITMAP_WORD];
	struct pci_enum_frame stack[PCI_NUM_BUSES];
};

static bool pci_enum_scanned(const struct pci_enum_state *s, uint8_t bus)
{
	return s->scanned[bus / PCI_BITMAP_WORD] & ((uint64_t)1 << (bus % PCI_BITMAP_WORD));
}

/* Starts scanning `bus`; each bus is pushed at most once, so depth <= 256. */
static void pci_enum_push(struct pci_enum_state *s, uint8_t bus, uint8_t limit)
{
	s->scanned[bus / PCI_BITMAP_WORD] |= (uint64_t)1 << (bus % PCI_BITMAP_WORD);
	s->stack[s->depth].bus = bus;
	s->stack[s->depth].limit = limit;
	s->stack[s->depth].devfn = 0;
	s->stack[s->depth].mf = false;
	s->depth++;
}

/* A bridge on a bus whose range ends at `limit` may be followed. */
static bool pci_enum_bridge_ok(const struct pci_enum_state *s, const struct pci_dev *b,
                               uint8_t limit)
{
	/* Bus numbers grow downstream; a secondary bus at or below its own loops. */
	if (b->sec_bus <= PCI_SBDF_BUS(b->sbdf))
		return false;
	if (b->sub_bus < b->sec_bus || b->sub_bus > limit)
		return false;
	/* Already scanned: a loop back or a range overlapping a sibling's. */
	return !pci_enum_scanned(s, b->sec_bus) && s->depth < PCI_NUM_BUSES;
}

/* Records a probed function and descends into it if it is a good bridge. */
static void pci_enum_record(struct pci_enum_state *s, struct pci_enum_frame *f, uint8_t fn)
{
	struct pci_dev *d = &s->devs[s->count++];
	uint8_t limit = f->limit;

	if (fn == 0)
		f->mf = d->multifunction;
	/* Bit 7 of function 0 speaks for the whole device. */
	d->multifunction = f->mf;
	if (d->header_type != PCI_HEADER_TYPE_BRIDGE)
		return;
	if (!pci_enum_bridge_ok(s, d, limit)) {
		d->bus_range_bad = true;
		s->err = PCI_ERR_BUS_TOPOLOGY;
		return;
	}
	pci_enum_push(s, d->sec_bus, d->sub_bus);
}

/* Probes the next function of the top frame; false when the table is full. */
static bool pci_enum_step(struct pci_enum_state *s)
{
	struct pci_enum_frame *f = &s->stack[s->depth - 1];
	uint8_t dev = (uint8_t)(f->devfn / PCI_FNS_PER_DEV);
	uint8_t fn = (uint8_t)(f->devfn % PCI_FNS_PER_DEV);
	uint32_t sbdf = PCI_SBDF(s->seg, f->bus, dev, fn);
	uint16_t next_slot = (uint16_t)((dev + 1u) * PCI_FNS_PER_DEV);

	/* Functions 1-7 exist only on multi-function devices. */
	if (fn != 0 && !f->mf) {
		f->devfn = next_slot;
		return true;
	}
	f->devfn++;
	if (!pci_vendor_present(pci_cfg_read16(s->ops, s->ctx, sbdf, PCI_VENDOR_ID))) {
		/* A device always implements function 0: none means no device. */
		if (fn == 0)
			f->devfn = next_slot;
		return true;
	}
	if (s->count == s->cap)
		return false;
	if (pci_dev_probe(s->ops, s->ctx, sbdf, &s->devs[s->count]) != PCI_OK) {
		if (fn == 0)
			f->devfn = next_slot;
		return true;
	}
	pci_enum_record(s, f, fn);
	return true;
}

enum pci_err pci_enumerate(const struct pci_cfg_ops *ops, void *ctx,
                           const struct pci_enum_params *p, struct pci_dev *devs, size_t cap,
                           size_t *count)
{
	struct pci_enum_state s;
	bool full = false;

	*count = 0;
	if (p->start_bus > p->end_bus || (devs == NULL && cap > 0))
		return PCI_ERR_INVAL;
	memset(&s, 0, sizeof(s));
	s.ops = ops;
	s.ctx = ctx;
	s.seg = p->segment;
	s.devs = devs;
	s.cap = cap;
	pci_enum_push(&s, p->start_bus, p->end_bus);
	while (s.depth > 0 && !full) {
		if (s.stack[s.depth - 1].devfn >= PCI_DEVFN_END)
			s.depth--;
		else
			full = !pci_enum_step(&s);
	}
	pci_devs_sort(devs, s.count);
	*count = s.count;
	return full ? PCI_ERR_TABLE_FULL : s.err;
}
