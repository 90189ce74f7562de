/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Primary fault logging (§7.2.1, §10.4.9, §10.4.14): the unit records a
 * faulting request in one of its NFR fault recording registers (at
 * 16 * CAP.FRO), sets F, sets FSTS.PPF and raises the fault event
 * interrupt programmed in FEDATA/FEADDR. Software reads the records from
 * FSTS.FRI on, wrapping over all NFR of them, and clears each by writing
 * F back; when every register is full the unit sets Primary
 * Fault Overflow and drops new faults. A unit raises no new interrupt
 * while PPF, PFO or IQE is still set (QEMU's model checks exactly that),
 * so the server drains until no record is pending.
 *
 * The work per call is bounded by the caller's array, so a fault storm
 * cannot keep the server thread from its requests.
 */
#include <stddef.h>

#include "vtd_hw.h"

const char *vtd_fault_reason_name(unsigned fr)
{
	static const char *const names[] = {
	        [VTD_FR_ROOT_P] = "root entry not present",
	        [VTD_FR_CTX_P] = "context entry not present",
	        [VTD_FR_CTX_INVALID] = "invalid context entry programming",
	        [VTD_FR_ADDR_WIDTH] = "address beyond the domain's width",
	        [VTD_FR_WRITE] = "write not permitted",
	        [VTD_FR_READ] = "read not permitted",
	        [VTD_FR_PTE_ACCESS] = "error accessing a paging entry",
	        [VTD_FR_ROOT_ACCESS] = "error accessing the root table",
	        [VTD_FR_CTX_ACCESS] = "error accessing a context table",
	        [VTD_FR_ROOT_RSVD] = "reserved bit in a root entry",
	        [VTD_FR_CTX_RSVD] = "reserved bit in a context entry",
	        [VTD_FR_PTE_RSVD] = "reserved bit in a paging entry",
	        [VTD_FR_CTX_TT] = "request blocked by translation type",
	        [VTD_FR_IR_REQ_RSVD] = "reserved field in an interrupt request",
	        [VTD_FR_IR_INDEX] = "interrupt index beyond the table",
	        [VTD_FR_IR_IRTE_P] = "interrupt entry not present",
	        [VTD_FR_IR_TABLE_ACCESS] = "error accessing the interrupt table",
	        [VTD_FR_IR_IRTE_RSVD] = "reserved field in an interrupt entry",
	        [VTD_FR_IR_COMPAT] = "compatibility-format interrupt blocked",
	        [VTD_FR_IR_SID] = "interrupt source-ID check failed",
	};

	if (fr < sizeof(names) / sizeof(names[0]) && names[fr] != NULL)
		return names[fr];
	return "unknown fault reason";
}

bool vtd_fault_decode(uint64_t lo, uint64_t hi, struct vtd_fault *out)
{
	struct vtd_fault f = {0};

	if (!(hi & VTD_FRCD_F))
		return false;
	f.sid = (uint16_t)(hi & VTD_FRCD_SID_MASK);
	f.reason = (uint8_t)((hi & VTD_FRCD_FR_MASK) >> VTD_FRCD_FR_SHIFT);
	f.write = !(hi & VTD_FRCD_T1);
	f.at = (uint8_t)((hi & VTD_FRCD_AT_MASK) >> VTD_FRCD_AT_SHIFT);
	f.interrupt = f.reason >= VTD_FR_IR_FIRST && f.reason <= VTD_FR_IR_LAST;
	if (f.interrupt)
		f.irq_index = (uint16_t)(lo >> VTD_FRCD_IR_IDX_SHIFT);
	else
		f.addr = lo & VTD_FRCD_FI_MASK;
	*out = f;
	return true;
}

enum vtd_status vtd_fault_irq_setup(struct vtd_unit *u, const struct ward_irq_grant *irq)
{
	if (u == NULL || irq == NULL)
		return VTD_E_ARG;
	if (u->state != VTD_UNIT_PREPARED && u->state != VTD_UNIT_ENABLED)
		return VTD_E_STATE;
	vtd_write32(u, VTD_REG_FECTL, VTD_FECTL_IM);
	vtd_write32(u, VTD_REG_FEDATA, irq->msi_data & VTD_FEDATA_MASK);
	vtd_write32(u, VTD_REG_FEADDR, (uint32_t)irq->msi_address & VTD_FEADDR_MASK);
	vtd_write32(u, VTD_REG_FEUADDR, (uint32_t)(irq->msi_address >> 32));
	vtd_write32(u, VTD_REG_FECTL, 0);
	return VTD_OK;
}

static uint32_t frcd_off(const struct vtd_unit *u, unsigned index)
{
	return u->caps.fro + index * VTD_FRCD_SIZE;
}

void vtd_fault_clear_all(struct vtd_unit *u)
{
	for (unsigned i = 0; i < u->caps.nfr; i++)
		vtd_write32(u, frcd_off(u, i) + VTD_FRCD_F_OFF, VTD_FRCD_F_DWORD);
	vtd_write32(u, VTD_REG_FSTS, VTD_FSTS_PFO | VTD_FSTS_AFO | VTD_FSTS_APF);
}

/* Reads the record at `index` into *f and clears it; false if its F bit is clear. */
static bool take_record(struct vtd_unit *u, unsigned index, struct vtd_fault *f)
{
	uint32_t off = frcd_off(u, index);
	uint64_t hi = vtd_read64(u, off + VTD_FRCD_HI_OFF);

	if (!vtd_fault_decode(vtd_read64(u, off + VTD_FRCD_LO_OFF), hi, f))
		return false;
	vtd_write32(u, off + VTD_FRCD_F_OFF, VTD_FRCD_F_DWORD);
	return true;
}

size_t vtd_fault_drain(struct vtd_unit *u, struct vtd_fault *out, size_t cap, bool *overflow,
                       bool *more)
{
	uint32_t fsts;
	unsigned index;
	size_t n = 0;

	if (u == NULL || (cap != 0 && out == NULL) || u->caps.nfr == 0 ||
	    (u->state != VTD_UNIT_PREPARED && u->state != VTD_UNIT_ENABLED))
		return 0;
	fsts = vtd_read32(u, VTD_REG_FSTS);
	index = VTD_FSTS_FRI(fsts) % u->caps.nfr;
	if (fsts & VTD_FSTS_PPF) {
		/* FRI is where the first pending fault went; after a partial drain
		 * it may name a cleared register, so look at every one once */
		for (unsigned i = 0; i < u->caps.nfr && n < cap; i++) {
			if (take_record(u, index, &out[n]))
				n++;
			index = (index + 1) % u->caps.nfr;
		}
	}
	if (fsts & VTD_FSTS_PFO) {
		vtd_write32(u, VTD_REG_FSTS, VTD_FSTS_PFO);
		u->fault_overflows++;
	}
	if (overflow != NULL)
		*overflow = (fsts & VTD_FSTS_PFO) != 0;
	if (more != NULL)
		*more = (vtd_read32(u, VTD_REG_FSTS) & VTD_FSTS_PPF) != 0;
	u->faults += n;
	return n;
}
