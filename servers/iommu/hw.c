/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The server's adapter to the VT-d hardware (legacy translation mode): one
 * root table shared by every unit, context tables per bus, second-level
 * page tables per domain, queued invalidation with status-write waits, and
 * the fault recording registers. It stands in for the backend being
 * written in servers/iommu/vtd/ and keeps the same shape: the rest of the
 * server calls only the hw_* functions of iommu_state.h.
 *
 * Every unit gets the same root table: a requester ID reaches one unit, and
 * writing the same entries for all units keeps one record per device.
 * Translation is enabled on a unit only after every context entry of the
 * devices behind it points at quarantine (device.c runs before hw_enable).
 * A unit left enabled by firmware is first disabled (TE and QIE cleared),
 * then taken over as a fresh one. A unit whose capabilities the server
 * cannot honour (no queued invalidation, no 39- or 48-bit width in common)
 * is reported and left untouched.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "hw_vtd.h"
#include "iommu_state.h"

#define HW_MAX_UNITS 8
#define HW_WAIT_MS   100 /* an invalidation not done by then has timed out (XSA-373) */
#define HW_CMD_MS    100

struct hw_unit {
	volatile uint8_t *regs;
	uint64_t cap, ecap;
	uint64_t irq_slot; /* IRQHandler */
	struct iommu_page queue;
	unsigned tail;
	bool usable;
};

static struct hw_unit units[HW_MAX_UNITS];
static unsigned nunits;
static struct iommu_hw_caps caps;
static struct iommu_page root_table;
static struct iommu_page ctx_table[256];
static struct iommu_page status_page; /* wait descriptors write here */
static uint32_t wait_seq;
static uint64_t inv_descriptors, inv_waits;
static unsigned queued; /* descriptors since the last wait */

static uint32_t rd32(struct hw_unit *u, unsigned off)
{
	return *(volatile uint32_t *)(u->regs + off);
}

static uint64_t rd64(struct hw_unit *u, unsigned off)
{
	return *(volatile uint64_t *)(u->regs + off);
}

static void wr32(struct hw_unit *u, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(u->regs + off) = v;
}

static void wr64(struct hw_unit *u, unsigned off, uint64_t v)
{
	*(volatile uint64_t *)(u->regs + off) = v;
}

/* VT-d §10.4.4: sets or clears one command bit, keeping the settings, and waits for status. */
static bool gcmd(struct hw_unit *u, uint32_t bit, bool on)
{
	uint32_t sts = rd32(u, HW_VTD_REG_GSTS) & HW_VTD_GSTS_KEEP;
	uint64_t end = iommu_tsc() + iommu_tsc_hz / 1000 * HW_CMD_MS;

	wr32(u, HW_VTD_REG_GCMD, on ? sts | bit : sts & ~bit);
	while (((rd32(u, HW_VTD_REG_GSTS) & bit) != 0) != on)
		if (iommu_tsc() > end)
			return false;
	return true;
}

/* One-shot commands (SRTP, WBF): the status bit reports completion, then clears or sets. */
static bool gcmd_oneshot(struct hw_unit *u, uint32_t bit)
{
	uint32_t sts = rd32(u, HW_VTD_REG_GSTS) & HW_VTD_GSTS_KEEP;
	uint64_t end = iommu_tsc() + iommu_tsc_hz / 1000 * HW_CMD_MS;

	wr32(u, HW_VTD_REG_GCMD, sts | bit);
	if (bit == HW_VTD_GCMD_SRTP) {
		while (!(rd32(u, HW_VTD_REG_GSTS) & bit))
			if (iommu_tsc() > end)
				return false;
	} else {
		while (rd32(u, HW_VTD_REG_GSTS) & bit)
			if (iommu_tsc() > end)
				return false;
	}
	return true;
}

static bool unit_honourable(struct hw_unit *u, unsigned i)
{
	unsigned sagaw = HW_VTD_CAP_SAGAW(u->cap);

	if (!(u->ecap & HW_VTD_ECAP_QI) || (sagaw & 0x6) == 0 || !(HW_VTD_CAP_SLLPS(u->cap) & 1)) {
		ward_printf("unit %u: cap %#llx ecap %#llx: no queued invalidation, no 39/48-bit "
		            "width or no 2 MiB pages: left alone\n",
		            i, (unsigned long long)u->cap, (unsigned long long)u->ecap);
		return false;
	}
	return true;
}

/* Reads every unit's registers; the widths and caching mode all of them share. */
static bool units_probe(void)
{
	const struct ward_startinfo *si = ward_startinfo;

	caps.widths = 3;
	caps.coherent = true;
	caps.domain_ids = 1U << 16;
	for (unsigned i = 0; i < si->window_count && nunits < HW_MAX_UNITS; i++) {
		const struct ward_device_window *w = &si->windows[i];
		struct hw_unit *u = &units[nunits];

		if (w->kind != WARD_WINDOW_VTD || w->irq == WARD_WINDOW_NO_IRQ)
			continue;
		u->regs = (volatile uint8_t *)w->vaddr;
		u->cap = rd64(u, HW_VTD_REG_CAP);
		u->ecap = rd64(u, HW_VTD_REG_ECAP);
		u->irq_slot = si->irqs[w->irq].slot;
		if (!(u->usable = unit_honourable(u, nunits)))
			continue;
		caps.widths &= HW_VTD_CAP_SAGAW(u->cap) >> 1;
		caps.caching_mode |= (u->cap & HW_VTD_CAP_CM) != 0;
		caps.coherent &= (u->ecap & HW_VTD_ECAP_C) != 0;
		if ((1U << (4 + 2 * HW_VTD_CAP_ND(u->cap))) < caps.domain_ids)
			caps.domain_ids = 1U << (4 + 2 * HW_VTD_CAP_ND(u->cap));
		nunits++;
	}
	caps.units = nunits;
	return nunits > 0 && caps.widths != 0;
}

static void queue_put(struct hw_unit *u, uint64_t lo, uint64_t hi)
{
	uint64_t *d = (uint64_t *)u->queue.va + 2 * u->tail;

	d[0] = lo;
	d[1] = hi;
	mem_flush(d, 16);
	u->tail = (u->tail + 1) % HW_VTD_IQ_ENTRIES;
}

/* Queues one descriptor on every unit; the tail moves at the wait. */
static void queue_all(uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < nunits; i++)
		queue_put(&units[i], lo, hi);
	inv_descriptors++;
	queued++;
}

void hw_inv_context(void)
{
	queue_all(HW_VTD_INV_CC | HW_VTD_INV_G(1), 0);
}

void hw_inv_domain(unsigned did)
{
	queue_all(HW_VTD_INV_IOTLB | HW_VTD_INV_G(2) | HW_VTD_INV_DID(did) | HW_VTD_IOTLB_DR |
	                  HW_VTD_IOTLB_DW,
	          0);
}

void hw_inv_range(unsigned did, uint64_t iova, uint64_t size)
{
	unsigned am = 0;

	while ((IOMMU_PAGE << am) < size)
		am++;
	/* VT-d §6.5.2.3: the address mask hint needs a naturally aligned power-of-two range. */
	for (unsigned i = 0; i < nunits; i++)
		if (!(units[i].cap & HW_VTD_CAP_PSI) || am > HW_VTD_CAP_MAMV(units[i].cap) ||
		    (IOMMU_PAGE << am) != size || iova % size != 0) {
			hw_inv_domain(did);
			return;
		}
	queue_all(HW_VTD_INV_IOTLB | HW_VTD_INV_G(3) | HW_VTD_INV_DID(did) | HW_VTD_IOTLB_DR |
	                  HW_VTD_IOTLB_DW,
	          iova | am);
}

/* Submits the wait on every unit and polls the status words it writes. */
bool hw_inv_wait(void)
{
	volatile uint32_t *status = status_page.va;
	uint64_t end;
	bool ok = true;

	wait_seq++;
	for (unsigned i = 0; i < nunits; i++) {
		status[i] = 0;
		queue_put(&units[i],
		          HW_VTD_INV_WAIT | HW_VTD_WAIT_SW | HW_VTD_WAIT_FN |
		                  HW_VTD_WAIT_DATA(wait_seq),
		          status_page.phys + 4 * i);
		wr64(&units[i], HW_VTD_REG_IQT, (uint64_t)units[i].tail << HW_VTD_IQ_SHIFT);
	}
	inv_waits++;
	queued = 0;
	end = iommu_tsc() + iommu_tsc_hz / 1000 * HW_WAIT_MS;
	for (unsigned i = 0; i < nunits; i++) {
		while (status[i] != wait_seq && iommu_tsc() < end &&
		       !(rd32(&units[i], HW_VTD_REG_FSTS) & (HW_VTD_FSTS_IQE | HW_VTD_FSTS_ITE)))
			;
		if (status[i] != wait_seq) {
			ward_printf("unit %u: invalidation wait %u did not complete (fault status "
			            "%#x)\n",
			            i, wait_seq, rd32(&units[i], HW_VTD_REG_FSTS));
			ok = false;
		}
	}
	return ok;
}

void hw_inv_counts(uint64_t *descriptors, uint64_t *waits)
{
	*descriptors = inv_descriptors;
	*waits = inv_waits;
}

/* Takes over one unit: translation and queued invalidation off, then our tables and queue. */
static bool unit_start(struct hw_unit *u, unsigned i)
{
	const struct ward_startinfo *si = ward_startinfo;
	const struct ward_irq_grant *g = NULL;

	for (unsigned k = 0; k < si->irq_count; k++)
		if (si->irqs[k].slot == u->irq_slot)
			g = &si->irqs[k];
	if (rd32(u, HW_VTD_REG_GSTS) & HW_VTD_GCMD_TE)
		ward_printf("unit %u: firmware left translation on: turning it off first\n", i);
	if (!gcmd(u, HW_VTD_GCMD_TE, false) || !gcmd(u, HW_VTD_GCMD_QIE, false) ||
	    !mem_table_page(&u->queue))
		return false;
	wr64(u, HW_VTD_REG_RTADDR, root_table.phys);
	if (!gcmd_oneshot(u, HW_VTD_GCMD_SRTP))
		return false;
	if ((u->cap & HW_VTD_CAP_RWBF) && !gcmd_oneshot(u, HW_VTD_GCMD_WBF))
		return false;
	wr64(u, HW_VTD_REG_IQT, 0);
	wr64(u, HW_VTD_REG_IQA, u->queue.phys); /* 128-bit descriptors, one page */
	u->tail = 0;
	if (!gcmd(u, HW_VTD_GCMD_QIE, true))
		return false;
	wr32(u, HW_VTD_REG_FSTS, HW_VTD_FSTS_CLEAR);
	if (g != NULL) {
		wr32(u, HW_VTD_REG_FEDATA, g->msi_data);
		wr32(u, HW_VTD_REG_FEADDR, (uint32_t)g->msi_address);
		wr32(u, HW_VTD_REG_FEUADDR, (uint32_t)(g->msi_address >> 32));
		wr32(u, HW_VTD_REG_FECTL, 0);
	}
	return true;
}

bool hw_init(const struct iommu_hw_caps **out)
{
	if (!units_probe() || !mem_table_page(&root_table) || !mem_table_page(&status_page))
		return false;
	for (unsigned i = 0; i < nunits; i++)
		if (!unit_start(&units[i], i))
			return false;
	*out = &caps;
	return true;
}

/* Global invalidation, then translation on, on every unit (after every context entry is set). */
bool hw_enable(void)
{
	hw_inv_context();
	queue_all(HW_VTD_INV_IOTLB | HW_VTD_INV_G(1) | HW_VTD_IOTLB_DR | HW_VTD_IOTLB_DW, 0);
	queue_all(HW_VTD_INV_IEC, 0);
	if (!hw_inv_wait())
		return false;
	for (unsigned i = 0; i < nunits; i++)
		if (!gcmd(&units[i], HW_VTD_GCMD_TE, true))
			return false;
	return true;
}

/* --- second-level tables (VT-d §9.9, §3.7) ------------------------------ */

static unsigned level_index(uint64_t iova, unsigned level)
{
	return (unsigned)((iova >> (12 + 9 * (level - 1))) & 0x1ff);
}

/* The entry for iova at `level` (1: 4 KiB leaf, 2: 2 MiB), making tables on the way if asked. */
static uint64_t *walk(const struct iommu_page *root, unsigned levels, uint64_t iova, unsigned level,
                      bool make)
{
	uint64_t *table = root->va;

	for (unsigned l = levels; l > level; l--) {
		uint64_t *e = &table[level_index(iova, l)];
		struct iommu_page pg;

		if (*e & HW_VTD_SL_PS)
			return NULL;
		if (!(*e & (HW_VTD_SL_R | HW_VTD_SL_W))) {
			if (!make || !mem_table_page(&pg))
				return NULL;
			*e = pg.phys | HW_VTD_SL_R | HW_VTD_SL_W;
			mem_flush(e, 8);
		}
		table = mem_table_va(*e & HW_VTD_ADDR_MASK);
		if (table == NULL)
			return NULL;
	}
	return &table[level_index(iova, level)];
}

bool hw_map(struct iommu_page *root, unsigned levels, uint64_t iova, uint64_t phys, uint64_t size,
            unsigned rights)
{
	uint64_t *e = walk(root, levels, iova, size == IOMMU_LARGE ? 2 : 1, true);
	uint64_t v = phys | (rights & IOMMU_READ ? HW_VTD_SL_R : 0) |
	             (rights & IOMMU_WRITE ? HW_VTD_SL_W : 0) |
	             (size == IOMMU_LARGE ? HW_VTD_SL_PS : 0);

	if (e == NULL)
		return false;
	*e = v;
	mem_flush(e, 8);
	return true;
}

void hw_unmap_run(struct iommu_page *root, unsigned levels, uint64_t iova, unsigned n)
{
	while (n > 0) {
		unsigned first = level_index(iova, 1), k = 512 - first < n ? 512 - first : n;
		uint64_t *e = walk(root, levels, iova, 1, false);

		if (e != NULL) {
			for (unsigned i = 0; i < k; i++)
				e[i] = 0;
			mem_flush(e, 8ULL * k);
		}
		iova += (uint64_t)k * IOMMU_PAGE;
		n -= k;
	}
}

bool hw_map_run(struct iommu_page *root, unsigned levels, uint64_t iova, uint64_t phys, unsigned n,
                unsigned rights)
{
	uint64_t bits =
	        (rights & IOMMU_READ ? HW_VTD_SL_R : 0) | (rights & IOMMU_WRITE ? HW_VTD_SL_W : 0);
	uint64_t at = iova;
	unsigned left = n;

	while (left > 0) {
		unsigned first = level_index(at, 1), k = 512 - first < left ? 512 - first : left;
		uint64_t *e = walk(root, levels, at, 1, true);

		if (e == NULL) {
			hw_unmap_run(root, levels, iova, n - left);
			return false;
		}
		for (unsigned i = 0; i < k; i++)
			e[i] = (phys + (uint64_t)i * IOMMU_PAGE) | bits;
		mem_flush(e, 8ULL * k);
		at += (uint64_t)k * IOMMU_PAGE;
		phys += (uint64_t)k * IOMMU_PAGE;
		left -= k;
	}
	return true;
}

void hw_unmap(struct iommu_page *root, unsigned levels, uint64_t iova, uint64_t size)
{
	uint64_t *e = walk(root, levels, iova, size == IOMMU_LARGE ? 2 : 1, false);

	if (e != NULL) {
		*e = 0;
		mem_flush(e, 8);
	}
}

uint64_t hw_lookup(const struct iommu_page *root, unsigned levels, uint64_t iova, unsigned *rights,
                   uint64_t *size)
{
	const uint64_t *table = root->va;

	for (unsigned l = levels; l >= 1; l--) {
		uint64_t e = table[level_index(iova, l)];

		*rights = (e & HW_VTD_SL_R ? IOMMU_READ : 0) | (e & HW_VTD_SL_W ? IOMMU_WRITE : 0);
		if (*rights == 0)
			return 0;
		if (l == 1 || (e & HW_VTD_SL_PS)) {
			*size = IOMMU_PAGE << (9 * (l - 1));
			return (e & HW_VTD_ADDR_MASK) & ~(*size - 1);
		}
		if ((table = mem_table_va(e & HW_VTD_ADDR_MASK)) == NULL) {
			*rights = 0;
			return 0;
		}
	}
	*rights = 0;
	return 0;
}

bool hw_table_new(unsigned levels, struct iommu_page *root)
{
	(void)levels;
	return mem_table_page(root);
}

/* Frees the tables below `table` (a table of `level`), not the leaves' memory. */
static void table_free_below(uint64_t *table, unsigned level)
{
	for (unsigned i = 0; level > 1 && i < 512; i++) {
		uint64_t e = table[i];
		struct iommu_page pg = {mem_table_va(e & HW_VTD_ADDR_MASK), e & HW_VTD_ADDR_MASK};

		if (!(e & (HW_VTD_SL_R | HW_VTD_SL_W)) || (e & HW_VTD_SL_PS) || pg.va == NULL)
			continue;
		table_free_below(pg.va, level - 1);
		mem_table_page_free(&pg);
	}
}

void hw_table_free(struct iommu_page *root, unsigned levels)
{
	table_free_below(root->va, levels);
	mem_table_page_free(root);
}

static uint64_t leaves_below(const uint64_t *table, unsigned level)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < 512; i++) {
		uint64_t e = table[i];
		const uint64_t *next;

		if (!(e & (HW_VTD_SL_R | HW_VTD_SL_W)))
			continue;
		if (level == 1 || (e & HW_VTD_SL_PS))
			n++;
		else if ((next = mem_table_va(e & HW_VTD_ADDR_MASK)) != NULL)
			n += leaves_below(next, level - 1);
	}
	return n;
}

uint64_t hw_count_leaves(const struct iommu_page *root, unsigned levels)
{
	return leaves_below(root->va, levels);
}

/* --- root and context tables (VT-d §9.1, §9.3) --------------------------- */

static struct hw_vtd_entry *context_entry(uint16_t sid, bool make)
{
	struct hw_vtd_entry *root = root_table.va;
	unsigned bus = sid >> 8;

	if (ctx_table[bus].va == NULL) {
		if (!make || !mem_table_page(&ctx_table[bus]))
			return NULL;
		root[bus].hi = 0;
		root[bus].lo = ctx_table[bus].phys | HW_VTD_PRESENT;
		mem_flush(&root[bus], sizeof(root[bus]));
	}
	return (struct hw_vtd_entry *)ctx_table[bus].va + (sid & 0xff);
}

/*
 * VT-d §9.3: AW 1 is a 3-level table (39 bits), 2 a 4-level one (48 bits).
 * A present entry is changed through not-present: cleared, invalidated and
 * waited for, then written whole (hi before lo), so the hardware never
 * sees a mix of the old and the new entry. The caller invalidates after.
 */
bool hw_context_set(uint16_t sid, const struct iommu_page *root, unsigned levels, unsigned did)
{
	struct hw_vtd_entry *e = context_entry(sid, true);

	if (e == NULL)
		return false;
	if (e->lo & HW_VTD_PRESENT) {
		e->lo = 0;
		mem_flush(e, sizeof(*e));
		hw_inv_context();
		if (!hw_inv_wait())
			return false;
	}
	e->hi = HW_VTD_CTX_HI(levels - 2, did);
	mem_flush(e, sizeof(*e));
	e->lo = root->phys | HW_VTD_PRESENT;
	mem_flush(e, sizeof(*e));
	return true;
}

bool hw_context_get(uint16_t sid, uint64_t *table, unsigned *levels, unsigned *did)
{
	struct hw_vtd_entry *e = context_entry(sid, false);

	if (e == NULL || !(e->lo & HW_VTD_PRESENT))
		return false;
	*table = e->lo & HW_VTD_ADDR_MASK;
	*levels = HW_VTD_CTX_AW(e->hi) + 2;
	*did = HW_VTD_CTX_DID(e->hi);
	return true;
}

/* --- faults (VT-d §7.2, §10.4.14) ----------------------------------------- */

unsigned hw_fault_drain(unsigned unit, struct iommu_fault_record *out, unsigned max, bool *overflow)
{
	struct hw_unit *u = &units[unit];
	unsigned nfr = HW_VTD_CAP_NFR(u->cap), fro = HW_VTD_CAP_FRO(u->cap), n = 0;
	uint32_t fsts = rd32(u, HW_VTD_REG_FSTS);
	unsigned idx = HW_VTD_FSTS_FRI(fsts) % nfr;

	*overflow = (fsts & HW_VTD_FSTS_PFO) != 0;
	/* Every recording register once, from the one FRI names: bounded by NFR. */
	for (unsigned k = 0; k < nfr; k++, idx = (idx + 1) % nfr) {
		unsigned off = fro + 16 * idx;
		uint64_t hi = rd64(u, off + 8), lo;

		if (!(hi & HW_VTD_FRCD_F))
			continue;
		lo = rd64(u, off);
		if (n < max)
			out[n++] = (struct iommu_fault_record){
			        .sid = HW_VTD_FRCD_SID(hi),
			        .reason = (uint8_t)HW_VTD_FRCD_REASON(hi),
			        .read = (hi & HW_VTD_FRCD_READ) != 0,
			        .iova = lo & ~(IOMMU_PAGE - 1)};
		wr32(u, off + 12, (uint32_t)(HW_VTD_FRCD_F >> 32)); /* write 1 to clear F */
	}
	wr32(u, HW_VTD_REG_FSTS, HW_VTD_FSTS_PFO | HW_VTD_FSTS_PPF);
	return n;
}

unsigned hw_unit_count(void)
{
	return nunits;
}

bool hw_irq_bind(unsigned unit, uint64_t ntfn)
{
	return ward_irq_handler_set_notification(units[unit].irq_slot, ntfn) == WARD_OK;
}

void hw_fault_ack(unsigned unit)
{
	ward_irq_handler_ack(units[unit].irq_slot);
}

void hw_print(void)
{
	for (unsigned i = 0; i < nunits; i++) {
		struct hw_unit *u = &units[i];

		ward_printf("unit %u: version %#x cap %#llx ecap %#llx\n", i,
		            rd32(u, HW_VTD_REG_VER), (unsigned long long)u->cap,
		            (unsigned long long)u->ecap);
		ward_printf("  SAGAW %#x MGAW %u SLLPS %#x CM %u RWBF %u C %u PSI %u MAMV %u ND %u "
		            "(%u IDs) NFR %u FRO %#x QI %u IR %u\n",
		            HW_VTD_CAP_SAGAW(u->cap), HW_VTD_CAP_MGAW(u->cap),
		            HW_VTD_CAP_SLLPS(u->cap), !!(u->cap & HW_VTD_CAP_CM),
		            !!(u->cap & HW_VTD_CAP_RWBF), !!(u->ecap & HW_VTD_ECAP_C),
		            !!(u->cap & HW_VTD_CAP_PSI), HW_VTD_CAP_MAMV(u->cap),
		            HW_VTD_CAP_ND(u->cap), 1U << (4 + 2 * HW_VTD_CAP_ND(u->cap)),
		            HW_VTD_CAP_NFR(u->cap), HW_VTD_CAP_FRO(u->cap),
		            !!(u->ecap & HW_VTD_ECAP_QI), !!(u->ecap & HW_VTD_ECAP_IR));
	}
}
