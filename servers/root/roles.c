/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Who gets which capabilities. A module's name decides its role:
 *
 *   everyone  the root service endpoint (WARD_PROC_CAP_SERVICE, badged with
 *             the pid; console output needs no cap: write() is emulated)
 *   pci       every ECAM window of the MCFG, mapped as device frames
 *   iommu     each remapping unit's registers (DMAR DRHD or IVRS IVHD),
 *             an MSI IRQHandler for its fault interrupt, and an untyped
 *             of IOMMU_UNTYPED_BITS (with its VSpace cap) for its tables
 *
 * and `untyped=BITS` in a module's arguments gives any process an untyped
 * of its own. Windows and interrupts are listed in the start information.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/startinfo.h>
#include <proc/devmem.h>
#include "root_task.h"

#define IOMMU_UNTYPED_BITS 22 /* 4 MiB for translation tables */
#define IOMMU_MEMORY_BITS  24
#define LARGE_BITS         21
#define MAX_WINDOW_FRAMES  256

static bool is_role(const struct root_proc *rp, const char *role)
{
	return strcmp(rp->proc.name, role) == 0;
}

void root_role_policy(const char *name, struct root_policy *policy)
{
	if (strcmp(name, "iommu") != 0)
		return;
	if (policy->untyped_bits == 0)
		policy->untyped_bits = IOMMU_UNTYPED_BITS;
	if (policy->memory_bits < IOMMU_MEMORY_BITS)
		policy->memory_bits = IOMMU_MEMORY_BITS;
}

/* Maps device memory [w->phys, +w->size) into the process and lists it. */
static bool map_window(struct proc *p, struct ward_device_window *w, const char **why)
{
	static uint64_t frames[MAX_WINDOW_FRAMES];
	unsigned bits = (w->phys | w->size) % (1ULL << LARGE_BITS) == 0 ? LARGE_BITS : 12;
	uint64_t size = 1ULL << bits, count = w->size >> bits;
	uint64_t va = (p->next_device_va + size - 1) & ~(size - 1);

	*why = "device window not mappable";
	if (p->info.window_count == WARD_STARTINFO_WINDOWS || count == 0 ||
	    count > MAX_WINDOW_FRAMES || w->size % 4096 != 0)
		return false;
	if (proc_dev_frames(w->phys, w->size, bits, frames) != WARD_OK) {
		*why = "device window is not device memory";
		return false;
	}
	for (uint64_t i = 0; i < count; i++)
		if (proc_map_device(p, frames[i], va + i * size) != WARD_OK)
			return false;
	w->vaddr = va;
	p->next_device_va = va + w->size + (2ULL << 20); /* an unmapped gap after each */
	p->info.windows[p->info.window_count++] = *w;
	return true;
}

static bool grant_pci(struct proc *p, const char **why)
{
	for (unsigned i = 0; i < root_platform.ecam_count; i++) {
		const struct root_ecam *e = &root_platform.ecam[i];
		struct ward_device_window w = {
		        .kind = WARD_WINDOW_ECAM,
		        .segment = e->segment,
		        .first_bus = e->first_bus,
		        .last_bus = e->last_bus,
		        .irq = WARD_WINDOW_NO_IRQ,
		        .phys = e->phys,
		        .size = (uint64_t)(e->last_bus - e->first_bus + 1) << 20,
		};
		if (!map_window(p, &w, why))
			return false;
	}
	return true;
}

static bool grant_irq(struct proc *p, uint8_t *index, const char **why)
{
	struct ward_irq_grant *g = &p->info.irqs[p->info.irq_count];

	*why = "no MSI vector for the fault interrupt";
	if (p->info.irq_count == WARD_STARTINFO_IRQS || p->next_role_slot >= p->info.free_last ||
	    proc_give_msi(p, p->next_role_slot, g) != WARD_OK)
		return false;
	p->next_role_slot++;
	*index = (uint8_t)p->info.irq_count++;
	return true;
}

static bool grant_iommu(struct proc *p, const char **why)
{
	for (unsigned i = 0; i < root_platform.unit_count; i++) {
		const struct root_iommu_unit *u = &root_platform.units[i];
		struct ward_device_window w = {
		        .kind = u->kind,
		        .segment = u->segment,
		        .flags = u->flags,
		        .unit_id = u->unit_id,
		        .phys = u->phys,
		        .size = u->size,
		};
		if (!grant_irq(p, &w.irq, why) || !map_window(p, &w, why))
			return false;
	}
	return true;
}

bool root_grant_role(struct root_proc *rp, const char **why)
{
	struct proc *p = &rp->proc;
	const uint64_t service_rights =
	        WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY;

	*why = "cannot give the service endpoint";
	if (proc_give_mint(p, WARD_PROC_CAP_SERVICE, root_endpoint, service_rights,
	                   ROOT_BADGE_SERVICE | p->pid) != WARD_OK)
		return false;
	*why = "cannot give its untyped";
	if (rp->policy.untyped_bits != 0 &&
	    proc_give_untyped(p, rp->policy.untyped_bits) != WARD_OK)
		return false;
	if (is_role(rp, "pci"))
		return grant_pci(p, why);
	if (is_role(rp, "iommu"))
		return grant_iommu(p, why);
	return true;
}
