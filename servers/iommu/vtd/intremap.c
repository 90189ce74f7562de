/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt remapping (§5.1): with IRE on, a device's interrupt request in
 * remappable format names an entry of the interrupt remapping table (its
 * handle, plus the subhandle in the data when SHV is set); the unit checks
 * the entry's source validation against the requester ID, and delivers
 * the entry's vector to the entry's destination, or blocks the request
 * (fault reasons 0x20-0x26) when the entry is not present, the index is
 * past the table, or the requester is not the one the entry names. So a
 * device can only raise the interrupts the server gave it, whatever it
 * writes to the interrupt address range.
 *
 * The table is one page of VTD_IRT_ENTRIES entries, all not present after
 * prepare, in xAPIC mode (IRTA.EIME clear: the kernel runs its LAPICs in
 * xAPIC mode, 8-bit APIC IDs). Compatibility-format interrupts (the
 * format the kernel composes for GetMSI) are blocked once IRE is on:
 * GCMD.CFI stays clear. The unit's own fault event interrupt is not
 * subject to remapping (§5.1), so the server still hears faults.
 *
 * If firmware left remapping on, it is never turned off (interrupts would
 * pass unremapped): SIRTP switches the unit to Ward's table, where every
 * entry is not present, and the global interrupt entry cache invalidation
 * that follows removes firmware's cached entries, as SRTP does for
 * translation.
 */
#include "vtd_hw.h"

enum vtd_status vtd_ir_table_set(struct vtd_unit *u)
{
	enum vtd_status st;

	u->irt_entries = 0;
	vtd_write64(u, VTD_REG_IRTA, VTD_IRTA(u->irt.pa, VTD_IRTA_S_256, false));
	if ((st = vtd_gcmd(u, VTD_GCMD_SIRTP, true, VTD_GSTS_IRTPS, true)) != VTD_OK)
		return st;
	if ((vtd_read32(u, VTD_REG_GSTS) & VTD_GSTS_CFIS) &&
	    (st = vtd_gcmd(u, VTD_GCMD_CFI, false, VTD_GSTS_CFIS, false)) != VTD_OK)
		return st;
	u->irt_entries = VTD_IRT_ENTRIES;
	u->remapping = (vtd_read32(u, VTD_REG_GSTS) & VTD_GSTS_IRES) != 0;
	return VTD_OK;
}

enum vtd_status vtd_ir_enable(struct vtd_unit *u)
{
	enum vtd_status st;

	if (u->irt_entries == 0)
		return VTD_OK;
	if (!u->remapping) {
		if ((st = vtd_gcmd(u, VTD_GCMD_IRE, true, VTD_GSTS_IRES, true)) != VTD_OK)
			return st;
		u->remapping = true;
	}
	return VTD_OK;
}

static struct vtd_irte *irte_at(const struct vtd_unit *u, uint16_t index)
{
	return &((struct vtd_irte *)u->irt.va)[index];
}

static enum vtd_status irte_check(const struct vtd_unit *u, uint16_t index)
{
	if (u == NULL || u->irt_entries == 0 || u->irt.va == NULL)
		return VTD_E_STATE;
	return index < u->irt_entries ? VTD_OK : VTD_E_ARG;
}

/* What a present remapped-format entry must not hold (xAPIC mode). */
static bool irte_valid(struct vtd_irte e)
{
	return (e.lo & VTD_IRTE_P) && !(e.lo & VTD_IRTE_IM) && !(e.lo & VTD_IRTE_LO_RSVD_XAPIC) &&
	       !(e.hi & VTD_IRTE_HI_RSVD) && vtd_irte_vector(e) >= VTD_IRT_MIN_VECTOR;
}

/* P clear, written back: from here the hardware reads a not-present entry. */
static void irte_unpresent(struct vtd_unit *u, struct vtd_irte *slot)
{
	if (!(slot->lo & VTD_IRTE_P))
		return;
	__atomic_store_n(&slot->lo, slot->lo & ~VTD_IRTE_P, __ATOMIC_RELEASE);
	vtd_entries_written(u, slot, sizeof(*slot));
}

enum vtd_status vtd_irte_set(struct vtd_unit *u, uint16_t index, struct vtd_irte e,
                             struct vtd_desc *inv)
{
	struct vtd_irte *slot;
	enum vtd_status st;

	if ((st = irte_check(u, index)) != VTD_OK)
		return st;
	if (!irte_valid(e) || inv == NULL)
		return VTD_E_ARG;
	slot = irte_at(u, index);
	irte_unpresent(u, slot);
	__atomic_store_n(&slot->hi, e.hi, __ATOMIC_RELEASE);
	__atomic_store_n(&slot->lo, e.lo, __ATOMIC_RELEASE);
	vtd_entries_written(u, slot, sizeof(*slot));
	*inv = vtd_desc_iec_index(index, 0);
	return vtd_write_buffer_flush(u);
}

enum vtd_status vtd_irte_clear(struct vtd_unit *u, uint16_t index, struct vtd_desc *inv)
{
	struct vtd_irte *slot;
	enum vtd_status st;

	if ((st = irte_check(u, index)) != VTD_OK)
		return st;
	if (inv == NULL)
		return VTD_E_ARG;
	slot = irte_at(u, index);
	irte_unpresent(u, slot);
	__atomic_store_n(&slot->hi, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&slot->lo, 0, __ATOMIC_RELEASE);
	vtd_entries_written(u, slot, sizeof(*slot));
	*inv = vtd_desc_iec_index(index, 0);
	return vtd_write_buffer_flush(u);
}

enum vtd_status vtd_irte_read(const struct vtd_unit *u, uint16_t index, struct vtd_irte *out)
{
	enum vtd_status st;

	if ((st = irte_check(u, index)) != VTD_OK)
		return st;
	if (out == NULL)
		return VTD_E_ARG;
	*out = *irte_at(u, index);
	return VTD_OK;
}
