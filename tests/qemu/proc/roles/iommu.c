/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Started as the module "iommu", this program checks what the root task
 * gives the IOMMU server: each remapping unit's registers (DMAR or IVRS)
 * mapped as device memory, an MSI IRQHandler per unit, an untyped of 4 MiB
 * with its own VSpace cap to build tables from, and the death notification
 * service it needs to learn when a driver dies. Prints TAP.
 */
#include <stdint.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include "../ptap.h"
#include "root.h"

#define PLAN       6
#define VTD_VER    0x00 /* VT-d 11.4.1 Version Register */
#define AMDVI_EFR  0x30 /* AMD IOMMU 3.4.1.1 Extended Feature Register */
#define SCRATCH_VA 0x0000300000000000ULL

static uint64_t reg64(const struct ward_device_window *w, unsigned off)
{
	return *(volatile uint64_t *)(w->vaddr + off);
}

static bool registers_answer(const struct ward_startinfo *si)
{
	for (unsigned i = 0; i < si->window_count; i++) {
		const struct ward_device_window *w = &si->windows[i];
		if (w->kind == WARD_WINDOW_VTD && (reg64(w, VTD_VER) & 0xf0) == 0)
			return false; /* major version 0: not a VT-d unit */
		if (w->kind == WARD_WINDOW_AMDVI && reg64(w, AMDVI_EFR) == 0)
			return false;
		if (w->kind != WARD_WINDOW_VTD && w->kind != WARD_WINDOW_AMDVI)
			return false;
	}
	return si->window_count > 0;
}

static bool interrupts_given(const struct ward_startinfo *si)
{
	if (si->irq_count != si->window_count)
		return false;
	for (unsigned i = 0; i < si->irq_count; i++) {
		const struct ward_irq_grant *g = &si->irqs[i];
		if (ward_debug_cap_type(g->slot) != WARD_OBJ_IRQ_HANDLER ||
		    (g->msi_address >> 20) != 0xfee || si->windows[i].irq != i)
			return false;
	}
	return true;
}

/* Makes a frame from its untyped and maps it with its VSpace cap, making the missing tables. */
static bool builds_memory(uint64_t slot)
{
	static const unsigned level_type[4] = {0, WARD_OBJ_PT, WARD_OBJ_PD, WARD_OBJ_PDPT};
	uint64_t table = slot + 1;
	enum ward_error err = WARD_ERR_FAILED_LOOKUP;

	if (ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_FRAME, 0, WARD_PROC_CAP_CNODE, 0, 0,
	                        slot, 1) != WARD_OK)
		return false;
	for (int attempt = 0; attempt < 4 && err == WARD_ERR_FAILED_LOOKUP; attempt++) {
		err = ward_frame_map(slot, WARD_PROC_CAP_VSPACE, SCRATCH_VA,
		                     WARD_RIGHT_READ | WARD_RIGHT_WRITE);
		uint64_t level = ward_last_error().lo;
		if (err != WARD_ERR_FAILED_LOOKUP)
			break;
		if (level < 1 || level > 3 ||
		    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, level_type[level], 0,
		                        WARD_PROC_CAP_CNODE, 0, 0, table, 1) != WARD_OK ||
		    ward_page_table_map(table, WARD_PROC_CAP_VSPACE, SCRATCH_VA) != WARD_OK)
			return false;
		table++;
	}
	if (err != WARD_OK)
		return false;
	volatile uint64_t *p = (volatile uint64_t *)SCRATCH_VA;
	*p = 0x1234;
	return *p == 0x1234;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t slot = si->free_first;

	ptap_plan(PLAN);
	ptap_ok(registers_answer(si), "%u remapping unit(s) mapped; the first is %s at 0x%llx",
	        si->window_count, si->windows[0].kind == WARD_WINDOW_VTD ? "VT-d" : "AMD-Vi",
	        (unsigned long long)si->windows[0].phys);
	ptap_ok(interrupts_given(si), "one MSI IRQHandler per unit, its address and data listed");
	ptap_ok(si->untyped_bits == 22 &&
	                ward_debug_cap_type(WARD_PROC_CAP_UNTYPED) == WARD_OBJ_UNTYPED &&
	                ward_debug_cap_type(WARD_PROC_CAP_VSPACE) == WARD_OBJ_PML4,
	        "a 4 MiB untyped and its VSpace cap");
	ptap_ok(builds_memory(slot), "a frame made from that untyped maps and holds data");
	ptap_ok(ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_NOTIFICATION, 0,
	                            WARD_PROC_CAP_CNODE, 0, 0, slot + 8, 1) == WARD_OK &&
	                root_subscribe_deaths(WARD_PROC_CAP_SERVICE, slot + 8) == WARD_OK,
	        "subscribed to death notifications");
	ptap_ok(si->free_first > WARD_PROC_CAP_FIRST_ROLE &&
	                si->free_last == 1U << WARD_PROC_CNODE_RADIX,
	        "free slots [%u, %u) after its role caps", si->free_first, si->free_last);
	return ptap_exit_status();
}
