/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Device table entries (§2.2.2): which domain a DeviceID's DMA goes
 * through. An entry is 256 bits the unit may read at any moment, so a
 * change passes through the blocking state: quadword 0 is first made
 * blocking (V = 1, TV = 1, Mode 0, no IR/IW), then quadword 1 (the domain)
 * is written, then quadword 0 gets its final value. A walk therefore sees
 * the old translation, a blocked device, or the new translation, never an
 * old root tagged with a new domain.
 *
 * Quadword 2 (interrupts) belongs to whoever remaps the device's
 * interrupts: it is kept while it remaps (IntCtl 10b). Otherwise a
 * translating entry forwards interrupts unremapped (IV = 0, as a VT-d unit
 * without interrupt remapping does) and a blocking entry aborts them.
 */
#include "amdvi_hw.h"

static struct amdvi_dte *entry(const struct amdvi_unit *u, uint16_t devid)
{
	return &((struct amdvi_dte *)u->devtab.va)[devid];
}

static bool usable(const struct amdvi_unit *u)
{
	return u->state == AMDVI_UNIT_PREPARED || u->state == AMDVI_UNIT_ENABLED;
}

static bool remaps_interrupts(uint64_t q2)
{
	return (q2 & AMDVI_DTE_IV) &&
	       ((q2 & AMDVI_DTE_INT_CTL_MASK) >> AMDVI_DTE_INT_CTL_SHIFT) == AMDVI_INT_CTL_REMAP;
}

static void write_entry(struct amdvi_unit *u, uint16_t devid, const struct amdvi_dte *want,
                        struct amdvi_cmd inv[AMDVI_DTE_INV_MAX], size_t *ninv)
{
	volatile struct amdvi_dte *e = entry(u, devid);
	uint16_t old_domain = (uint16_t)(e->q[1] & AMDVI_DTE_DOMAIN_MASK);

	e->q[0] = AMDVI_DTE_V | AMDVI_DTE_TV;
	__asm__ volatile("" ::: "memory");
	e->q[1] = want->q[1];
	e->q[2] = want->q[2];
	__asm__ volatile("" ::: "memory");
	e->q[0] = want->q[0];
	amdvi_entries_written(u, (const void *)e, sizeof(*e));
	inv[0] = amdvi_cmd_inv_devtab(devid);
	inv[1] = amdvi_cmd_inv_domain(old_domain);
	*ninv = 2;
}

enum amdvi_status amdvi_dte_set(struct amdvi_unit *u, uint16_t devid, uint16_t domain,
                                uint64_t root, unsigned levels,
                                struct amdvi_cmd inv[AMDVI_DTE_INV_MAX], size_t *ninv)
{
	struct amdvi_dte want;

	if (u == NULL || inv == NULL || ninv == NULL)
		return AMDVI_E_ARG;
	*ninv = 0;
	if (!usable(u))
		return AMDVI_E_STATE;
	if (domain == AMDVI_QUARANTINE_DOMAIN || domain > AMDVI_DOMAIN_IDS || root == 0 ||
	    (root & ~AMDVI_DTE_PT_ROOT) != 0 || devid == u->devid)
		return AMDVI_E_ARG;
	if (levels < 1 || levels > u->max_levels || levels > AMDVI_LEVELS_MAX)
		return AMDVI_E_WIDTH;
	amdvi_dte_make_translate(&want, root, levels, domain);
	want.q[2] = remaps_interrupts(entry(u, devid)->q[2]) ? entry(u, devid)->q[2] : 0;
	write_entry(u, devid, &want, inv, ninv);
	return AMDVI_OK;
}

enum amdvi_status amdvi_dte_block(struct amdvi_unit *u, uint16_t devid,
                                  struct amdvi_cmd inv[AMDVI_DTE_INV_MAX], size_t *ninv)
{
	struct amdvi_dte want;
	uint64_t q2;

	if (u == NULL || inv == NULL || ninv == NULL)
		return AMDVI_E_ARG;
	*ninv = 0;
	if (!usable(u))
		return AMDVI_E_STATE;
	q2 = entry(u, devid)->q[2];
	amdvi_dte_make_block(&want, AMDVI_QUARANTINE_DOMAIN);
	want.q[2] = remaps_interrupts(q2) ? q2 : amdvi_dte_int_block();
	write_entry(u, devid, &want, inv, ninv);
	return AMDVI_OK;
}

enum amdvi_status amdvi_dte_set_interrupts(struct amdvi_unit *u, uint16_t devid, uint64_t q2)
{
	volatile struct amdvi_dte *e;

	if (u == NULL)
		return AMDVI_E_ARG;
	if (!usable(u))
		return AMDVI_E_STATE;
	e = entry(u, devid);
	e->q[2] = q2;
	amdvi_entries_written(u, (const void *)e, sizeof(*e));
	return AMDVI_OK;
}

enum amdvi_status amdvi_dte_read(const struct amdvi_unit *u, uint16_t devid, struct amdvi_dte *out)
{
	if (u == NULL || out == NULL || u->devtab.va == NULL)
		return AMDVI_E_ARG;
	*out = *entry(u, devid);
	return AMDVI_OK;
}
