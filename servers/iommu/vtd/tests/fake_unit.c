/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The register model and environment of fake_unit.h. Only what the
 * backend uses is modelled; every other register reads 0 and ignores
 * writes.
 */
#include <stdlib.h>
#include <string.h>

#include "fake_unit.h"
#include "vtd_hw.h"

struct fake_unit fake;
uint64_t fake_clock_reads;

static _Alignas(4096) uint8_t pool[FAKE_PAGES][VTD_PAGE_SIZE];
static unsigned pool_used;
static uint8_t regs_window[FAKE_WINDOW];

static bool page_alloc(void *ctx, struct vtd_page *out)
{
	(void)ctx;
	if (pool_used == FAKE_PAGES)
		return false;
	memset(pool[pool_used], 0, VTD_PAGE_SIZE);
	out->va = pool[pool_used];
	out->pa = FAKE_PA_BASE + (uint64_t)pool_used * VTD_PAGE_SIZE;
	pool_used++;
	return true;
}

void *fake_va(uint64_t pa)
{
	if (pa < FAKE_PA_BASE || pa >= FAKE_PA_BASE + (uint64_t)FAKE_PAGES * VTD_PAGE_SIZE)
		return NULL;
	return &pool[(pa - FAKE_PA_BASE) / VTD_PAGE_SIZE][pa % VTD_PAGE_SIZE];
}

static void *page_va(void *ctx, uint64_t pa)
{
	(void)ctx;
	return fake_va(pa);
}

static uint64_t now_ns(void *ctx)
{
	(void)ctx;
	return ++fake_clock_reads * 1000;
}

static void no_flush(void *ctx, const void *va, size_t len)
{
	(void)ctx, (void)va, (void)len;
}

const struct vtd_env fake_env = {NULL, page_alloc, page_va, now_ns, no_flush};

struct ward_device_window fake_window(void)
{
	struct ward_device_window w = {0};

	w.kind = WARD_WINDOW_VTD;
	w.phys = 0xfed90000;
	w.vaddr = (uint64_t)(uintptr_t)regs_window;
	w.size = FAKE_WINDOW;
	w.flags = 1;
	return w;
}

void fake_reset(uint64_t cap, uint64_t ecap)
{
	memset(&fake, 0, sizeof(fake));
	pool_used = 0;
	fake_clock_reads = 0;
	fake.ver = 0x10;
	fake.cap = (cap & ~VTD_CAP_FRO_MASK) | ((uint64_t)(FAKE_FRO / 16) << VTD_CAP_FRO_SHIFT);
	fake.ecap = (ecap & ~VTD_ECAP_IRO_MASK) | ((uint64_t)(FAKE_IRO / 16) << VTD_ECAP_IRO_SHIFT);
	fake.fectl = VTD_FECTL_IM;
}

unsigned fake_count(uint64_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake.log_count; i++)
		n += (fake.log[i].lo & VTD_DESC_TYPE_MASK) == type;
	return n;
}

/* QEMU's checks (vtd_process_*_desc): false means IQE. */
static bool run_desc(struct vtd_desc d)
{
	switch (d.lo & VTD_DESC_TYPE_MASK) {
	case VTD_DESC_CC:
		return !(d.lo & VTD_CC_LO_RSVD) && d.hi == 0 && (d.lo & VTD_CC_G_DEVICE) != 0;
	case VTD_DESC_IOTLB:
		return !(d.lo & VTD_IOTLB_LO_RSVD) && !(d.hi & VTD_IOTLB_HI_RSVD) &&
		       (d.lo & VTD_IOTLB_G_PAGE) != 0;
	case VTD_DESC_IEC:
		return true;
	case VTD_DESC_WAIT:
		if ((d.lo & VTD_WAIT_SW) && (d.lo & VTD_WAIT_IF))
			fake.wait_sw_and_if = true;
		if (!(d.lo & VTD_WAIT_SW) || (d.hi & ~VTD_WAIT_ADDR_MASK))
			return false;
		uint32_t *status = fake_va(d.hi);
		if (status == NULL)
			return false;
		*status = (uint32_t)(d.lo >> VTD_WAIT_DATA_SHIFT);
		return true;
	default:
		return false;
	}
}

void fake_process_queue(void)
{
	uint32_t entries = VTD_IQ_ENTRIES(fake.iqa & VTD_IQA_QS_MASK);
	uint32_t head = VTD_IQ_INDEX(fake.iqh), tail = VTD_IQ_INDEX(fake.iqt);

	if (!(fake.gsts & VTD_GSTS_QIES) || (fake.fsts & VTD_FSTS_IQE))
		return;
	while (head != tail) {
		struct vtd_desc *d = fake_va((fake.iqa & VTD_PAGE_MASK) + head * sizeof(*d));

		if (d == NULL || !run_desc(*d)) {
			fake.fsts |= VTD_FSTS_IQE;
			break;
		}
		if (fake.log_count < FAKE_LOG_MAX)
			fake.log[fake.log_count++] = *d;
		head = (head + 1) % entries;
	}
	fake.iqh = VTD_IQ_REG(head);
}

static void gcmd_write(uint32_t val)
{
	uint32_t changed = (fake.gsts ^ val) & VTD_GSTS_PERSISTENT;

	if (fake.gcmd_count < FAKE_GCMD_MAX)
		fake.gcmd[fake.gcmd_count++] = val;
	if (fake.gsts_stuck)
		return;
	if (changed & VTD_GCMD_TE)
		fake.gsts ^= VTD_GSTS_TES;
	if (val & VTD_GCMD_SRTP)
		fake.gsts |= VTD_GSTS_RTPS;
	if (val & VTD_GCMD_SIRTP) {
		fake.gsts |= VTD_GSTS_IRTPS;
		fake.irta_latched = fake.irta;
	}
	if (changed & VTD_GCMD_IRE)
		fake.gsts ^= VTD_GSTS_IRES;
	if (changed & VTD_GCMD_CFI)
		fake.gsts ^= VTD_GSTS_CFIS;
	if ((changed & VTD_GCMD_QIE) && (val & VTD_GCMD_QIE))
		fake.gsts |= VTD_GSTS_QIES;
	if ((changed & VTD_GCMD_QIE) && !(val & VTD_GCMD_QIE) && fake.iqh == fake.iqt) {
		fake.gsts &= ~VTD_GSTS_QIES;
		fake.iqh = 0;
	}
}

static void update_ppf(void)
{
	fake.fsts &= ~VTD_FSTS_PPF;
	for (unsigned i = 0; i < FAKE_NFR_MAX; i++)
		if (fake.frcd[i][1] & VTD_FRCD_F)
			fake.fsts |= VTD_FSTS_PPF;
}

void fake_record_fault(unsigned index, uint16_t sid, uint8_t reason, bool read, uint64_t addr)
{
	if (!(fake.fsts & VTD_FSTS_PPF))
		fake.fsts = (fake.fsts & ~VTD_FSTS_FRI_MASK) | (index << VTD_FSTS_FRI_SHIFT);
	fake.frcd[index][0] = addr & VTD_FRCD_FI_MASK;
	fake.frcd[index][1] = VTD_FRCD_F | (read ? VTD_FRCD_T1 : 0) |
	                      ((uint64_t)reason << VTD_FRCD_FR_SHIFT) | sid;
	update_ppf();
}

static uint64_t *frcd_reg(uint32_t off)
{
	unsigned i = (off - FAKE_FRO) / VTD_FRCD_SIZE;

	if (off < FAKE_FRO || i >= VTD_CAP_NFR(fake.cap) || i >= FAKE_NFR_MAX)
		return NULL;
	return &fake.frcd[i][(off % VTD_FRCD_SIZE) / sizeof(uint64_t)];
}

uint64_t vtd_read64(const struct vtd_unit *u, uint32_t off)
{
	uint64_t *r;

	(void)u;
	switch (off) {
	case VTD_REG_CAP:
		return fake.cap;
	case VTD_REG_ECAP:
		return fake.ecap;
	case VTD_REG_RTADDR:
		return fake.rtaddr;
	case VTD_REG_IQH:
		return fake.iqh;
	case VTD_REG_IQT:
		return fake.iqt;
	case VTD_REG_IQA:
		return fake.iqa;
	case VTD_REG_IRTA:
		return fake.irta;
	}
	r = frcd_reg(off);
	return r ? *r : 0;
}

uint32_t vtd_read32(const struct vtd_unit *u, uint32_t off)
{
	(void)u;
	switch (off) {
	case VTD_REG_VER:
		return fake.ver;
	case VTD_REG_GSTS:
		return fake.gsts;
	case VTD_REG_FSTS:
		return fake.fsts;
	case VTD_REG_FECTL:
		return fake.fectl;
	case VTD_REG_PMEN:
		return fake.pmen;
	}
	return (uint32_t)vtd_read64(u, off);
}

void vtd_write64(struct vtd_unit *u, uint32_t off, uint64_t val)
{
	(void)u;
	fake.writes++;
	if (off == VTD_REG_RTADDR)
		fake.rtaddr = val;
	else if (off == VTD_REG_IQA)
		fake.iqa = val;
	else if (off == VTD_REG_IRTA)
		fake.irta = val;
	else if (off == VTD_REG_IQT) {
		fake.iqt = val & VTD_IQ_INDEX_MASK;
		fake.iqt_writes++;
		if (!fake.queue_stuck)
			fake_process_queue();
	}
}

void vtd_write32(struct vtd_unit *u, uint32_t off, uint32_t val)
{
	uint64_t *r = frcd_reg(off - sizeof(uint32_t));

	(void)u;
	fake.writes++;
	if (off == VTD_REG_GCMD)
		gcmd_write(val);
	else if (off == VTD_REG_FSTS)
		fake.fsts &= ~(val & VTD_FSTS_RW1C);
	else if (off == VTD_REG_FECTL)
		fake.fectl = val & VTD_FECTL_IM;
	else if (off == VTD_REG_FEDATA)
		fake.fedata = val;
	else if (off == VTD_REG_FEADDR)
		fake.feaddr = val;
	else if (off == VTD_REG_FEUADDR)
		fake.feuaddr = val;
	else if (off == VTD_REG_PMEN)
		fake.pmen = val;
	else if (r != NULL && ((off - FAKE_FRO) % VTD_FRCD_SIZE) == VTD_FRCD_F_OFF &&
	         (val & VTD_FRCD_F_DWORD)) {
		*r &= ~VTD_FRCD_F;
		update_ppf();
	}
}
