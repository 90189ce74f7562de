/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SR-IOV (PCIe Base §9). At start-up each PF gets its VF BARs sized and
 * table entries reserved for TotalVFs VFs right behind the enumerated
 * functions, so a VF keeps one table index (and device badges stay
 * meaningful) across enables. SRIOV_ENABLE writes NumVFs, checks the VFs'
 * routing IDs fit under the bridge above, places the VF BARs if firmware
 * did not (QEMU's SeaBIOS does not), sets VF Enable and VF MSE, waits the
 * 100 ms VFs may take to become ready (§9.3.3.3.1), and fills the VF
 * entries: a VF's IDs are its PF's vendor and VF Device ID (a VF reads
 * 0xffff there, §9.3.4.1.1-2), its BARs its share of the PF's VF BARs
 * (§9.3.3.14). VFs are enumerated, not started: making QEMU's NVMe VFs work
 * also needs their secondary controllers online, which is the PF driver's
 * business (NVMe Virtualization Management).
 */
#include <string.h>
#include <ward/rt.h>

#include "pci_handlers.h"
#include "pci_state.h"

#define PCI_VF_READY_MS    100  /* after VF Enable, §9.3.3.3.1 */
#define PCI_VF_TEARDOWN_MS 1000 /* after clearing VF Enable, as Linux's sriov_disable */
#define PCI_SYS_PAGE_4K    1u   /* System Page Size: bit n means 2^(n+12) bytes */

/*
 * Sizes the VF BARs (VF Enable must be off: the core refuses otherwise)
 * with a 4 KiB System Page Size, the x86 page, which sets the VF BAR
 * granularity (§9.3.3.13), and reserves the VF entries.
 */
void pci_sriov_setup(struct pci_server *s, struct pci_entry *pf)
{
	uint16_t cap = pf->dev.caps.sriov, ctrl;
	uint32_t f = pf->dev.sbdf;
	unsigned want;

	ctrl = pci_rd16(s, f, cap + PCI_SRIOV_CTRL);
	if (ctrl & PCI_SRIOV_CTRL_VFE) {
		/* VFs nobody enumerated could be doing DMA: tear them down first. */
		pci_wr16(s, f, cap + PCI_SRIOV_CTRL,
		         ctrl & (uint16_t) ~(PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE));
		pci_delay_ms(s, PCI_VF_TEARDOWN_MS);
	}
	pci_wr16(s, f, cap + PCI_SRIOV_NUM_VF, 0);
	pci_wr32(s, f, cap + PCI_SRIOV_SYS_PGSIZE, PCI_SYS_PAGE_4K);
	pci_sriov_read(&pci_ecam_ops, s, f, cap, &pf->sriov);
	if (pci_sriov_vf_bars_probe(&pci_ecam_ops, s, f, cap, pf->vf_bars) != PCI_OK)
		memset(pf->vf_bars, 0, sizeof(pf->vf_bars));
	want = pf->sriov.total_vfs;
	if (want > PCI_TABLE_MAX - s->n)
		want = PCI_TABLE_MAX - s->n;
	pf->first_vf = s->n;
	pf->vf_reserved = (uint16_t)want;
	for (unsigned k = 0; k < want; k++) {
		struct pci_entry *vf = &s->e[s->n++];

		memset(vf, 0, sizeof(*vf));
		vf->generation = 1;
		vf->parent = PCI_IDX_NONE;
		vf->pf = pci_table_index(s, pf);
		vf->vf_index = (uint16_t)k;
		vf->first_vf = PCI_IDX_NONE;
		vf->dev.sbdf = (uint32_t)PCI_NO_SBDF;
	}
}

/* A bridge's memory window (prefetchable or not); false if it is closed. */
static bool pci_bridge_window(struct pci_server *s, uint32_t b, bool pref, uint64_t *lo,
                              uint64_t *hi)
{
	uint16_t base, limit;

	if (!pref) {
		base = pci_rd16(s, b, PCI_MEMORY_BASE) & PCI_MEMORY_RANGE_MASK;
		limit = pci_rd16(s, b, PCI_MEMORY_LIMIT) & PCI_MEMORY_RANGE_MASK;
		*lo = (uint64_t)base << 16;
		*hi = ((uint64_t)limit << 16) | 0xfffff;
		return *lo <= *hi;
	}
	base = pci_rd16(s, b, PCI_PREF_MEMORY_BASE);
	limit = pci_rd16(s, b, PCI_PREF_MEMORY_LIMIT);
	*lo = (uint64_t)(base & PCI_PREF_RANGE_MASK) << 16;
	*hi = ((uint64_t)(limit & PCI_PREF_RANGE_MASK) << 16) | 0xfffff;
	if ((base & PCI_PREF_RANGE_TYPE_MASK) == PCI_PREF_RANGE_TYPE_64) {
		*lo |= (uint64_t)pci_rd32(s, b, PCI_PREF_BASE_UPPER32) << 32;
		*hi |= (uint64_t)pci_rd32(s, b, PCI_PREF_LIMIT_UPPER32) << 32;
	}
	return *lo <= *hi;
}

/*
 * Where [lo, hi] collides with what already decodes on the PF's bus: the
 * BARs and windows of the PF's siblings (the PF included) and the VF BARs
 * there other than the PF's VF BAR `self`, being placed. Returns the end
 * of the first collision, or 0 if the range is free.
 */
static uint64_t pci_bus_busy(struct pci_server *s, const struct pci_entry *pf, unsigned self,
                             uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct pci_entry *x = &s->e[i];
		uint64_t wlo, whi;

		if (!x->present || x->parent != pf->parent)
			continue;
		for (unsigned b = 0; b < x->dev.nbars; b++) {
			const struct pci_bar *r = &x->dev.bars[b];
			if (!(r->flags & PCI_BAR_F_IO) && r->size != 0 && r->base <= hi &&
			    lo <= r->base + r->size - 1)
				return r->base + r->size - 1;
		}
		for (unsigned w = 0; x->dev.header_type == PCI_HEADER_TYPE_BRIDGE && w < 2; w++) {
			if (pci_bridge_window(s, x->dev.sbdf, w, &wlo, &whi) && wlo <= hi &&
			    lo <= whi)
				return whi;
		}
		for (unsigned b = 0; x->dev.caps.sriov != 0 && b < PCI_SRIOV_NUM_BARS; b++) {
			const struct pci_bar *r = &x->vf_bars[b];
			uint64_t end = r->base + r->size * x->sriov.total_vfs - 1;
			if ((x != pf || b != self) && r->base != 0 && r->size != 0 &&
			    r->base <= hi && lo <= end)
				return end;
		}
	}
	return 0;
}

/* Places VF BAR i (room for TotalVFs VFs) in the bridge window above the PF. */
static bool pci_vf_bar_place(struct pci_server *s, struct pci_entry *pf, unsigned i)
{
	struct pci_bar *r = &pf->vf_bars[i];
	uint64_t need = r->size * pf->sriov.total_vfs, lo, hi, cand, busy;
	uint32_t bridge, off = pf->dev.caps.sriov + PCI_SRIOV_BAR + 4 * i;
	bool pref = r->flags & PCI_BAR_F_PREFETCH;

	if (pf->parent == PCI_IDX_NONE)
		return false;
	bridge = s->e[pf->parent].dev.sbdf;
	/* A prefetchable BAR may sit in either window; a 32-bit one only below 4 GiB. */
	if (!(pref && pci_bridge_window(s, bridge, true, &lo, &hi) &&
	      ((r->flags & PCI_BAR_F_MEM64) || hi <= UINT32_MAX)) &&
	    !pci_bridge_window(s, bridge, false, &lo, &hi))
		return false;
	for (cand = (lo + r->size - 1) & ~(r->size - 1);
	     cand >= lo && cand <= hi && hi - cand >= need - 1;
	     cand = (busy + r->size) & ~(r->size - 1)) {
		if ((busy = pci_bus_busy(s, pf, i, cand, cand + need - 1)) != 0)
			continue;
		r->base = cand;
		pci_wr32(s, pf->dev.sbdf, (uint16_t)off, (uint32_t)cand);
		if (r->flags & PCI_BAR_F_MEM64)
			pci_wr32(s, pf->dev.sbdf, (uint16_t)(off + 4), (uint32_t)(cand >> 32));
		return true;
	}
	return false;
}

/* VF BARs firmware left unassigned (base 0) get addresses; false if one does not fit. */
static bool pci_vf_bars_assign(struct pci_server *s, struct pci_entry *pf)
{
	for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS; i++) {
		struct pci_bar *r = &pf->vf_bars[i];

		if (r->size == 0 || r->flags & (PCI_BAR_F_UPPER | PCI_BAR_F_IO) || r->base != 0)
			continue;
		if (!pci_vf_bar_place(s, pf, i))
			return false;
	}
	return true;
}

/* The last bus number the PF's VFs may use: what the bridge above reserves. */
static uint8_t pci_vf_max_bus(struct pci_server *s, const struct pci_entry *pf)
{
	uint16_t seg = PCI_SBDF_SEG(pf->dev.sbdf);

	if (pf->parent != PCI_IDX_NONE)
		return s->e[pf->parent].dev.sub_bus;
	for (unsigned i = 0; i < s->cfg.necam; i++) {
		if (s->cfg.ecam[i].window.segment == seg)
			return s->cfg.ecam[i].window.end_bus;
	}
	return PCI_SBDF_BUS(pf->dev.sbdf);
}

/*
 * Writes NumVFs and rereads First VF Offset and VF Stride, which may
 * change with it (§9.3.3.9-10); false (NumVFs back to 0) if the VFs' routing
 * IDs would leave the bus range of the bridge above.
 */
static bool pci_vfs_layout(struct pci_server *s, struct pci_entry *pf, uint16_t num_vfs)
{
	uint16_t cap = pf->dev.caps.sriov;
	uint8_t last;

	pci_wr16(s, pf->dev.sbdf, cap + PCI_SRIOV_NUM_VF, num_vfs);
	pci_sriov_read(&pci_ecam_ops, s, pf->dev.sbdf, cap, &pf->sriov);
	if (pci_sriov_last_bus(PCI_SBDF_RID(pf->dev.sbdf), pf->sriov.vf_offset, pf->sriov.vf_stride,
	                       num_vfs, &last) == PCI_OK &&
	    last <= pci_vf_max_bus(s, pf))
		return true;
	pci_wr16(s, pf->dev.sbdf, cap + PCI_SRIOV_NUM_VF, 0);
	pf->sriov.num_vfs = 0;
	return false;
}

/* Fills VF k's record from its own configuration space and its PF's. */
static void pci_vf_probe(struct pci_server *s, const struct pci_entry *pf, uint16_t k,
                         uint32_t sbdf, struct pci_dev *d)
{
	uint32_t class_rev = pci_rd32(s, sbdf, PCI_CLASS_REVISION);
	uint8_t hdr = pci_rd8(s, sbdf, PCI_HEADER_TYPE);

	memset(d, 0, sizeof(*d));
	d->sbdf = sbdf;
	d->vendor_id = pf->dev.vendor_id;
	d->device_id = pf->sriov.vf_device_id;
	d->class_code = class_rev >> 8;
	d->revision = (uint8_t)class_rev;
	d->header_type = hdr & PCI_HEADER_TYPE_MASK;
	d->multifunction = hdr & PCI_HEADER_TYPE_MFD;
	d->parent = PCI_IDX_NONE;
	d->group = PCI_GROUP_NONE;
	(void)pci_caps_scan(&pci_ecam_ops, s, sbdf, &d->caps);
	if (d->caps.pcie != 0) {
		d->is_pcie = true;
		d->pcie_type = (uint8_t)PCI_FIELD(PCI_EXP_FLAGS_TYPE,
		                                  pci_rd16(s, sbdf, d->caps.pcie + PCI_EXP_FLAGS));
	}
	d->nbars = PCI_SRIOV_NUM_BARS;
	for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS; i++) {
		const struct pci_bar *r = &pf->vf_bars[i];
		uint64_t addr;

		d->bars[i].flags = r->flags;
		if (pci_sriov_vf_bar_addr(r, pf->sriov.num_vfs, k, &addr) == PCI_OK) {
			d->bars[i].base = addr;
			d->bars[i].size = r->size;
		}
	}
}

/*
 * A VF's Command register Memory Space Enable is read-only zero: the PF's
 * VF MSE governs its BARs (PCIe Base §9.3.4.1.3). QEMU 7.2 emulates the
 * bit as writable and decodes a VF's BARs only when it is set, so it is
 * set here too; on hardware the write changes nothing.
 */
static void pci_vf_memory_decode(struct pci_server *s, uint32_t sbdf)
{
	pci_wr16(s, sbdf, PCI_COMMAND, pci_rd16(s, sbdf, PCI_COMMAND) | PCI_COMMAND_MEMORY);
}

static void pci_vf_add(struct pci_server *s, struct pci_entry *pf, uint16_t k)
{
	struct pci_entry *vf = &s->e[pf->first_vf + k];
	uint32_t sbdf;

	/* pci_vfs_layout() checked every VF's RID against the bus range. */
	pci_sriov_vf_sbdf(pf->dev.sbdf, &pf->sriov, k, pci_vf_max_bus(s, pf), &sbdf);
	pci_vf_probe(s, pf, k, sbdf, &vf->dev);
	vf->present = true;
	vf->cfg_size = vf->dev.is_pcie ? PCI_CFG_SPACE_EXP_SIZE : PCI_CFG_SPACE_SIZE;
	vf->group = sbdf;
	pci_vf_memory_decode(s, sbdf);
	pci_entry_quiesce(s, vf);
}

/* Checks SRIOV_ENABLE's arguments against the PF; *e on success. */
static enum ward_error pci_sriov_check(struct ward_request *rq, uint64_t sbdf, struct pci_entry **e)
{
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, 0, true, e)) != WARD_OK)
		return err;
	if ((*e)->dev.caps.sriov == 0 || (*e)->pf != PCI_IDX_NONE)
		return ward_fail(rq, PCI_ERR_UNSUPPORTED, 0, 0, 0);
	return WARD_OK;
}

enum ward_error pci_serve_sriov_enable(struct ward_request *rq, uint64_t sbdf, uint64_t num_vfs,
                                       uint64_t *first_vf)
{
	struct pci_server *s = rq->ctx;
	struct pci_entry *pf;
	enum ward_error err;
	uint16_t ctrl, max;

	if ((err = pci_sriov_check(rq, sbdf, &pf)) != WARD_OK)
		return err;
	if (pf->vf_enabled != 0)
		return ward_fail(rq, PCI_ERR_IN_USE, 0, 0, 0);
	max = pf->sriov.total_vfs < pf->vf_reserved ? pf->sriov.total_vfs : pf->vf_reserved;
	if (num_vfs == 0 || num_vfs > max)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 1, max);
	if (!pci_vfs_layout(s, pf, (uint16_t)num_vfs))
		return ward_fail(rq, PCI_ERR_NO_RESOURCES, 1, 0, 0);
	if (!pci_vf_bars_assign(s, pf)) {
		pci_wr16(s, pf->dev.sbdf, pf->dev.caps.sriov + PCI_SRIOV_NUM_VF, 0);
		return ward_fail(rq, PCI_ERR_NO_RESOURCES, 0, 0, 0);
	}
	ctrl = pci_rd16(s, pf->dev.sbdf, pf->dev.caps.sriov + PCI_SRIOV_CTRL);
	pci_wr16(s, pf->dev.sbdf, pf->dev.caps.sriov + PCI_SRIOV_CTRL,
	         ctrl | PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	pci_delay_ms(s, PCI_VF_READY_MS);
	for (uint16_t k = 0; k < num_vfs; k++)
		pci_vf_add(s, pf, k);
	pf->vf_enabled = (uint16_t)num_vfs;
	pci_table_regroup(s);
	*first_vf = s->e[pf->first_vf].dev.sbdf;
	return WARD_OK;
}

enum ward_error pci_serve_sriov_disable(struct ward_request *rq, uint64_t sbdf)
{
	struct pci_server *s = rq->ctx;
	struct pci_entry *pf;
	enum ward_error err;
	uint16_t cap, ctrl;

	if ((err = pci_sriov_check(rq, sbdf, &pf)) != WARD_OK)
		return err;
	if (pf->vf_enabled == 0)
		return WARD_OK;
	for (unsigned k = 0; k < pf->vf_enabled; k++) {
		struct pci_entry *vf = &s->e[pf->first_vf + k];

		pci_entry_revoke(s, vf);
		vf->present = false;
	}
	cap = pf->dev.caps.sriov;
	ctrl = pci_rd16(s, pf->dev.sbdf, cap + PCI_SRIOV_CTRL);
	pci_wr16(s, pf->dev.sbdf, cap + PCI_SRIOV_CTRL,
	         ctrl & (uint16_t) ~(PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE));
	pci_delay_ms(s, PCI_VF_TEARDOWN_MS);
	pci_wr16(s, pf->dev.sbdf, cap + PCI_SRIOV_NUM_VF, 0);
	pf->sriov.num_vfs = 0;
	pf->vf_enabled = 0;
	pci_table_regroup(s);
	return WARD_OK;
}

enum ward_error pci_serve_sriov_info(struct ward_request *rq, uint64_t sbdf, uint64_t *pf,
                                     uint64_t *vf_index, uint64_t *total_vfs, uint64_t *num_vfs,
                                     uint64_t *first_vf, uint64_t *vf_stride)
{
	struct pci_server *s = rq->ctx;
	const struct pci_entry *p;
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, 0, false, &e)) != WARD_OK)
		return err;
	if (e->pf != PCI_IDX_NONE) {
		p = &s->e[e->pf];
		*vf_index = e->vf_index;
	} else if (e->dev.caps.sriov != 0) {
		p = e;
		*vf_index = PCI_LIST_END;
	} else {
		return ward_fail(rq, PCI_ERR_UNSUPPORTED, 0, 0, 0);
	}
	*pf = p->dev.sbdf;
	*total_vfs = p->sriov.total_vfs;
	*num_vfs = p->vf_enabled;
	*first_vf = p->vf_enabled != 0 ? s->e[p->first_vf].dev.sbdf : PCI_NO_SBDF;
	*vf_stride = p->sriov.vf_stride;
	return WARD_OK;
}

enum ward_error pci_serve_vf(struct ward_request *rq, uint64_t pf_sbdf, uint64_t index,
                             uint64_t *vf_sbdf)
{
	struct pci_server *s = rq->ctx;
	struct pci_entry *pf;
	enum ward_error err;

	if ((err = pci_sriov_check(rq, pf_sbdf, &pf)) != WARD_OK)
		return err;
	if (index >= pf->vf_enabled)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 0, pf->vf_enabled);
	*vf_sbdf = s->e[pf->first_vf + index].dev.sbdf;
	return WARD_OK;
}
