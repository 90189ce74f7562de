/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Root and context tables in legacy mode (§3.4.2, §9.1, §9.3): which
 * second-stage table, depth and domain ID a requester's DMA goes
 * through. A bus gets its context table the first time one of its
 * devices is attached; until then its root entry is not present and DMA
 * from it faults (reason 0x01). A device the server knows is always
 * attached: to a domain or to quarantine (vtd_block()).
 *
 * Changing an entry: P is cleared first, then the high half and the low
 * half (with P) are written, so the walk sees either a not-present entry
 * or the whole new one, never old and new halves mixed; then the context
 * cache for the device and the IOTLB for the old domain are invalidated
 * with one wait (§6.5.3.3 in spirit: the old domain's cached
 * translations go with it). The walk below (vtd_translate) reads the
 * tables the way the hardware does, for `dump` to check them.
 */
#include <string.h>

#include "vtd_hw.h"

static volatile struct vtd_context_entry *ctx_slot(const struct vtd_unit *u, uint16_t sid)
{
	const struct vtd_page *t = &u->context[VTD_SID_BUS(sid)];

	if (t->pa == 0)
		return NULL;
	return (volatile struct vtd_context_entry *)t->va + VTD_SID_DEVFN(sid);
}

/* The context table of `bus`, allocated and hooked into the root table if needed. */
static enum vtd_status ctx_table(struct vtd_unit *u, uint8_t bus)
{
	volatile struct vtd_root_entry *re = (volatile struct vtd_root_entry *)u->root.va + bus;
	struct vtd_root_entry e;
	struct vtd_page page;

	if (u->context[bus].pa != 0)
		return VTD_OK;
	if (!u->env->page_alloc(u->env->ctx, &page) || page.pa == 0 ||
	    (page.pa & ~VTD_PAGE_MASK) != 0)
		return VTD_E_NO_MEMORY;
	vtd_entries_written(u, page.va, VTD_PAGE_SIZE);
	u->context[bus] = page;
	e = vtd_root_entry(page.pa);
	re->hi = e.hi;
	re->lo = e.lo;
	vtd_entries_written(u, (const void *)re, sizeof(*re));
	return VTD_OK;
}

/* Writes `e` into `slot` so that the walk never reads a mix of two entries. */
static void ctx_write(const struct vtd_unit *u, volatile struct vtd_context_entry *slot,
                      struct vtd_context_entry e)
{
	slot->lo = 0;
	vtd_entries_written(u, (const void *)slot, sizeof(*slot));
	slot->hi = e.hi;
	__asm__ volatile("" ::: "memory");
	slot->lo = e.lo;
	vtd_entries_written(u, (const void *)slot, sizeof(*slot));
}

/* The invalidations that make the hardware forget `old` for `sid` and see the new entry. */
static size_t ctx_invalidations(const struct vtd_unit *u, uint16_t sid,
                                struct vtd_context_entry old, uint16_t did, struct vtd_desc *d)
{
	uint64_t drain = vtd_iotlb_drain(&u->caps);
	size_t n = 0;

	if (old.lo & VTD_CTX_P) {
		d[n++] = vtd_desc_cc_device(VTD_CTX_DID(old.hi), sid);
		d[n++] = vtd_desc_iotlb_domain(VTD_CTX_DID(old.hi), drain);
	}
	if (u->caps.cm) {
		/* §6.1: a CM unit may cache not-present entries, tagged with domain 0 */
		d[n++] = vtd_desc_cc_device(VTD_DID_RESERVED, sid);
		d[n++] = vtd_desc_iotlb_domain(did, drain);
	}
	return n;
}

static enum vtd_status attach_check(const struct vtd_unit *u, uint16_t did, uint64_t table,
                                    unsigned levels)
{
	if (u->state != VTD_UNIT_PREPARED && u->state != VTD_UNIT_ENABLED)
		return VTD_E_STATE;
	if (did == VTD_DID_RESERVED || did >= u->caps.domains || table == 0 ||
	    (table & ~VTD_PTE_ADDR_MASK) != 0)
		return VTD_E_ARG;
	if (levels > VTD_LEVEL_MAX || !(u->caps.levels & (1U << levels)))
		return VTD_E_WIDTH;
	return VTD_OK;
}

enum vtd_status vtd_context_set(struct vtd_unit *u, uint16_t sid, uint16_t did, uint64_t table,
                                unsigned levels, struct vtd_desc inv[VTD_CTX_INV_MAX], size_t *ninv)
{
	volatile struct vtd_context_entry *slot;
	struct vtd_context_entry old;
	enum vtd_status st;

	if (u == NULL || inv == NULL || ninv == NULL)
		return VTD_E_ARG;
	*ninv = 0;
	if ((st = attach_check(u, did, table, levels)) != VTD_OK)
		return st;
	if ((st = ctx_table(u, VTD_SID_BUS(sid))) != VTD_OK)
		return st;
	slot = ctx_slot(u, sid);
	old.lo = slot->lo;
	old.hi = slot->hi;
	ctx_write(u, slot, vtd_context_entry(table, levels, did));
	if (u->translating)
		*ninv = ctx_invalidations(u, sid, old, did, inv);
	return vtd_write_buffer_flush(u);
}

enum vtd_status vtd_attach(struct vtd_unit *u, uint16_t sid, uint16_t did, uint64_t table,
                           unsigned levels)
{
	struct vtd_desc d[VTD_CTX_INV_MAX];
	enum vtd_status st;
	size_t n;

	if ((st = vtd_context_set(u, sid, did, table, levels, d, &n)) != VTD_OK)
		return st;
	return n ? vtd_qi_submit(u, d, n) : VTD_OK;
}

enum vtd_status vtd_block(struct vtd_unit *u, uint16_t sid)
{
	if (u == NULL)
		return VTD_E_ARG;
	return vtd_attach(u, sid, u->quarantine_did, u->quarantine.pa, u->quarantine_levels);
}

enum vtd_status vtd_context_read(const struct vtd_unit *u, uint16_t sid,
                                 struct vtd_context_entry *out)
{
	volatile const struct vtd_context_entry *slot;

	if (u == NULL || out == NULL)
		return VTD_E_ARG;
	if ((slot = ctx_slot(u, sid)) == NULL)
		return VTD_E_NOT_PRESENT;
	out->lo = slot->lo;
	out->hi = slot->hi;
	return VTD_OK;
}

/* The context entry the walk for `sid` reaches, or the fault it stops at. */
static enum vtd_status walk_context(const struct vtd_unit *u, uint16_t sid, struct vtd_walk *w,
                                    struct vtd_context_entry *ce)
{
	const struct vtd_root_entry *re;
	const struct vtd_context_entry *tbl;

	if (u->root.va == NULL)
		return VTD_E_STATE;
	re = (const struct vtd_root_entry *)u->root.va + VTD_SID_BUS(sid);
	if (!(re->lo & VTD_ROOT_P)) {
		w->fault = VTD_FR_ROOT_P;
		return VTD_OK;
	}
	if ((re->lo & VTD_ROOT_LO_RSVD) || (re->hi & VTD_ROOT_HI_RSVD)) {
		w->fault = VTD_FR_ROOT_RSVD;
		return VTD_OK;
	}
	tbl = u->env->page_va ? u->env->page_va(u->env->ctx, re->lo & VTD_ROOT_CTP_MASK) : NULL;
	if (tbl == NULL)
		return VTD_E_ARG;
	*ce = tbl[VTD_SID_DEVFN(sid)];
	if (!(ce->lo & VTD_CTX_P))
		w->fault = VTD_FR_CTX_P;
	else if ((ce->lo & VTD_CTX_LO_RSVD) || (ce->hi & VTD_CTX_HI_RSVD))
		w->fault = VTD_FR_CTX_RSVD;
	else if ((ce->lo & VTD_CTX_TT_MASK) != VTD_CTX_TT_UNTRANS ||
	         !(u->caps.levels & (1U << VTD_CTX_LEVELS(ce->hi))))
		w->fault = VTD_FR_CTX_INVALID;
	return VTD_OK;
}

/* One level of the second-stage walk; false when the walk ends here. */
static bool walk_step(struct vtd_walk *w, unsigned level, uint64_t pte)
{
	bool leaf;

	w->entry[w->levels - level] = pte;
	w->rights &= pte & VTD_PTE_RW;
	if (!vtd_pte_present(pte) || w->rights == 0) {
		w->fault = VTD_FR_READ;
		return false;
	}
	leaf = vtd_pte_is_leaf(pte, level);
	if (pte & vtd_pte_reserved(level, leaf, VTD_HAW_MAX)) {
		w->fault = VTD_FR_PTE_RSVD;
		return false;
	}
	if (leaf && level > VTD_LEVEL_1G) {
		w->fault = VTD_FR_PTE_RSVD;
		return false;
	}
	return !leaf;
}

enum vtd_status vtd_translate(const struct vtd_unit *u, uint16_t sid, uint64_t iova,
                              struct vtd_walk *out)
{
	struct vtd_context_entry ce;
	const uint64_t *table;
	enum vtd_status st;
	unsigned level, width;

	if (u == NULL || out == NULL)
		return VTD_E_ARG;
	memset(out, 0, sizeof(*out));
	if ((st = walk_context(u, sid, out, &ce)) != VTD_OK || out->fault)
		return st;
	out->did = VTD_CTX_DID(ce.hi);
	out->levels = VTD_CTX_LEVELS(ce.hi);
	out->rights = VTD_PTE_RW;
	width = VTD_LEVELS_WIDTH(out->levels);
	if (width > u->caps.mgaw)
		width = u->caps.mgaw;
	if ((iova >> width) != 0) {
		out->fault = VTD_FR_ADDR_WIDTH;
		return VTD_OK;
	}
	table = u->env->page_va(u->env->ctx, ce.lo & VTD_CTX_SLPTPTR);
	for (level = out->levels; table != NULL; level--) {
		uint64_t pte = table[VTD_LEVEL_INDEX(iova, level)];

		if (!walk_step(out, level, pte)) {
			uint64_t offset = (1ULL << VTD_LEVEL_SHIFT(level)) - 1;

			if (out->fault == 0) {
				out->leaf = level;
				out->pa = (vtd_pte_addr(pte) & ~offset) | (iova & offset);
			}
			return VTD_OK;
		}
		table = u->env->page_va(u->env->ctx, vtd_pte_addr(pte));
	}
	return VTD_E_ARG;
}
