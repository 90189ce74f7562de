/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bringing a remapping unit up: probe (read only), prepare (take it over
 * from firmware, install Ward's root table with everything blocked, turn
 * queued invalidation on, and with IR point the unit at Ward's interrupt
 * remapping table, every entry not present), enable (translation on,
 * then interrupt remapping). See vtd.h for the
 * states and docs/vtd.md for the take-over sequence.
 *
 * The order matters: translation is turned on only after every context
 * entry the server knows was written, and if firmware left translation
 * on it is never turned off, so no DMA ever passes untranslated. Every
 * hardware wait is bounded; a unit that does not answer in time is left
 * FAILED and reported, never half-driven further.
 */
#include <string.h>

#include "vtd_hw.h"

uint64_t vtd_deadline(const struct vtd_unit *u, uint64_t ns)
{
	return u->env->now_ns(u->env->ctx) + ns;
}

bool vtd_expired(const struct vtd_unit *u, uint64_t deadline)
{
	return u->env->now_ns(u->env->ctx) > deadline;
}

enum vtd_status vtd_gcmd(struct vtd_unit *u, uint32_t bit, bool on, uint32_t status, bool want)
{
	uint32_t cur = vtd_read32(u, VTD_REG_GSTS) & VTD_GSTS_PERSISTENT;
	uint64_t deadline;

	vtd_write32(u, VTD_REG_GCMD, on ? cur | bit : cur & ~bit);
	deadline = vtd_deadline(u, VTD_TIMEOUT_STATUS_NS);
	for (;;) {
		bool set = (vtd_read32(u, VTD_REG_GSTS) & status) != 0;

		if (set == want)
			return VTD_OK;
		if (vtd_expired(u, deadline))
			return VTD_E_TIMEOUT;
	}
}

enum vtd_status vtd_write_buffer_flush(struct vtd_unit *u)
{
	if (!u->caps.rwbf)
		return VTD_OK;
	/* §6.8: WBFS reads set while the flush is in progress */
	return vtd_gcmd(u, VTD_GCMD_WBF, true, VTD_GSTS_WBFS, false);
}

void vtd_entries_written(const struct vtd_unit *u, const void *va, size_t len)
{
	if (u->caps.coherent || len == 0)
		return;
	if (u->env->cache_flush) {
		u->env->cache_flush(u->env->ctx, va, len);
		return;
	}
	vtd_cache_writeback(va, len);
}

static enum vtd_status refuse(struct vtd_unit *u, enum vtd_status why)
{
	u->state = VTD_UNIT_REFUSED;
	u->refused = why;
	return why;
}

static enum vtd_status fail(struct vtd_unit *u, enum vtd_status why)
{
	u->state = VTD_UNIT_FAILED;
	u->refused = why;
	return why;
}

enum vtd_status vtd_unit_probe(struct vtd_unit *u, const struct ward_device_window *w,
                               const struct vtd_env *env)
{
	uint64_t cap, ecap;
	enum vtd_status st;

	if (u == NULL || w == NULL || env == NULL || env->page_alloc == NULL ||
	    env->now_ns == NULL || w->kind != WARD_WINDOW_VTD || w->vaddr == 0)
		return VTD_E_ARG;
	memset(u, 0, sizeof(*u));
	u->regs = (volatile uint8_t *)(uintptr_t)w->vaddr;
	u->window = w->size;
	u->phys = w->phys;
	u->segment = w->segment;
	u->drhd_flags = w->flags;
	u->env = env;
	u->qi_timeout_ns = VTD_TIMEOUT_QI_NS;
	if (w->size < VTD_REG_WINDOW_MIN)
		return refuse(u, VTD_E_WINDOW);
	cap = vtd_read64(u, VTD_REG_CAP);
	ecap = vtd_read64(u, VTD_REG_ECAP);
	if (cap == ~0ULL || ecap == ~0ULL)
		return refuse(u, VTD_E_WINDOW);
	vtd_caps_decode(vtd_read32(u, VTD_REG_VER), cap, ecap, &u->caps);
	if ((st = vtd_caps_check(&u->caps, u->window)) != VTD_OK)
		return refuse(u, st);
	u->gsts_found = vtd_read32(u, VTD_REG_GSTS);
	u->state = VTD_UNIT_PROBED;
	return VTD_OK;
}

/* Allocates what is not allocated yet, so a retry after VTD_E_NO_MEMORY reuses it. */
static enum vtd_status alloc_pages(struct vtd_unit *u)
{
	struct vtd_page *pages[] = {&u->root, &u->quarantine, &u->iq, &u->status, &u->irt};
	size_t count = sizeof(pages) / sizeof(pages[0]) - (u->caps.ir ? 0 : 1);

	for (size_t i = 0; i < count; i++) {
		if (pages[i]->pa != 0)
			continue;
		if (!u->env->page_alloc(u->env->ctx, pages[i]) || pages[i]->pa == 0 ||
		    (pages[i]->pa & ~VTD_PAGE_MASK) != 0) {
			pages[i]->pa = 0;
			return VTD_E_NO_MEMORY;
		}
	}
	/* zeroed by the CPU: the walk must see zeros too */
	vtd_entries_written(u, u->root.va, VTD_PAGE_SIZE);
	vtd_entries_written(u, u->quarantine.va, VTD_PAGE_SIZE);
	if (u->caps.ir)
		vtd_entries_written(u, u->irt.va, VTD_PAGE_SIZE);
	return VTD_OK;
}

/*
 * Firmware's queue lives in memory Ward does not own: wait for it to
 * drain, then turn it off (§10.4.4: QIE may be cleared only when the
 * queue is empty and the last descriptor was a wait).
 */
static enum vtd_status takeover_qi(struct vtd_unit *u)
{
	uint64_t deadline;

	if (!(vtd_read32(u, VTD_REG_GSTS) & VTD_GSTS_QIES))
		return VTD_OK;
	u->took_over = true;
	deadline = vtd_deadline(u, u->qi_timeout_ns);
	while (VTD_IQ_INDEX(vtd_read64(u, VTD_REG_IQH)) !=
	       VTD_IQ_INDEX(vtd_read64(u, VTD_REG_IQT))) {
		if ((vtd_read32(u, VTD_REG_FSTS) & VTD_FSTS_QI_ERRORS) || vtd_expired(u, deadline))
			return VTD_E_TAKEOVER;
	}
	if (vtd_gcmd(u, VTD_GCMD_QIE, false, VTD_GSTS_QIES, false) != VTD_OK)
		return VTD_E_TAKEOVER;
	return VTD_OK;
}

/* Everything cached from firmware's tables goes (§6.6: after SRTP, global invalidations). */
static enum vtd_status invalidate_all(struct vtd_unit *u)
{
	struct vtd_desc d[3];
	size_t n = 0;

	d[n++] = vtd_desc_cc_global();
	d[n++] = vtd_desc_iotlb_global(vtd_iotlb_drain(&u->caps));
	if (u->caps.ir)
		d[n++] = vtd_desc_iec_global();
	return vtd_qi_submit(u, d, n);
}

/* The smallest depth the unit walks: the quarantine table needs no more. */
static unsigned smallest_depth(const struct vtd_caps *c)
{
	for (unsigned l = VTD_LEVEL_MIN; l <= VTD_LEVEL_MAX; l++)
		if (c->levels & (1U << l))
			return l;
	return 0;
}

enum vtd_status vtd_unit_prepare(struct vtd_unit *u)
{
	enum vtd_status st;

	if (u == NULL)
		return VTD_E_ARG;
	if (u->state != VTD_UNIT_PROBED)
		return VTD_E_STATE;
	if ((st = alloc_pages(u)) != VTD_OK)
		return st;
	u->quarantine_levels = smallest_depth(&u->caps);
	u->quarantine_did = vtd_quarantine_did(&u->caps);
	vtd_write32(u, VTD_REG_FECTL, VTD_FECTL_IM);
	u->translating = (vtd_read32(u, VTD_REG_GSTS) & VTD_GSTS_TES) != 0;
	u->took_over = u->translating;
	if ((st = takeover_qi(u)) != VTD_OK)
		return fail(u, st);
	/* errors firmware left would stop Ward's queue before its first descriptor */
	vtd_write32(u, VTD_REG_FSTS, VTD_FSTS_QI_ERRORS);
	if ((st = vtd_qi_enable(u)) != VTD_OK)
		return fail(u, st);
	vtd_write64(u, VTD_REG_RTADDR, u->root.pa | VTD_RTADDR_TTM_LEGACY);
	if ((st = vtd_gcmd(u, VTD_GCMD_SRTP, true, VTD_GSTS_RTPS, true)) != VTD_OK)
		return fail(u, st);
	if (u->caps.ir && (st = vtd_ir_table_set(u)) != VTD_OK)
		return fail(u, st);
	if ((st = invalidate_all(u)) != VTD_OK)
		return fail(u, st);
	vtd_fault_clear_all(u);
	u->state = VTD_UNIT_PREPARED;
	return VTD_OK;
}

/*
 * Firmware's protected memory regions (§10.4.16) would keep blocking DMA
 * to their ranges next to translation; with translation on they protect
 * nothing Ward's tables do not.
 */
static enum vtd_status pmr_off(struct vtd_unit *u)
{
	uint64_t deadline;

	if (!(u->caps.cap & (VTD_CAP_PLMR | VTD_CAP_PHMR)) ||
	    !(vtd_read32(u, VTD_REG_PMEN) & VTD_PMEN_EPM))
		return VTD_OK;
	vtd_write32(u, VTD_REG_PMEN, 0);
	deadline = vtd_deadline(u, VTD_TIMEOUT_STATUS_NS);
	while (vtd_read32(u, VTD_REG_PMEN) & VTD_PMEN_PRS)
		if (vtd_expired(u, deadline))
			return VTD_E_TIMEOUT;
	return VTD_OK;
}

enum vtd_status vtd_unit_enable(struct vtd_unit *u)
{
	enum vtd_status st;

	if (u == NULL)
		return VTD_E_ARG;
	if (u->state != VTD_UNIT_PREPARED)
		return VTD_E_STATE;
	if ((st = vtd_write_buffer_flush(u)) != VTD_OK || (st = invalidate_all(u)) != VTD_OK)
		return fail(u, st);
	if (!u->translating) {
		if ((st = vtd_gcmd(u, VTD_GCMD_TE, true, VTD_GSTS_TES, true)) != VTD_OK)
			return fail(u, st);
		u->translating = true;
	}
	if (u->caps.ir && (st = vtd_ir_enable(u)) != VTD_OK)
		return fail(u, st);
	if ((st = pmr_off(u)) != VTD_OK)
		return fail(u, st);
	u->state = VTD_UNIT_ENABLED;
	return VTD_OK;
}
