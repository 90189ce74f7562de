/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Who gets which capabilities. A module's name decides its role:
 *
 *   everyone  the root service endpoint (WARD_PROC_CAP_SERVICE, badged with
 *             the pid; console output needs no cap: write() is emulated)
 *   pci       every ECAM window of the MCFG, mapped as device frames; the
 *             PCI endpoint, unbadged with all rights; the device untyped
 *             of the PCI MMIO window (below); an untyped of
 *             PCI_UNTYPED_BITS (with its VSpace cap) for its reply object
 *             and the page tables of its MSI-X mappings
 *   iommu     each remapping unit's registers (DMAR DRHD or IVRS IVHD),
 *             an MSI IRQHandler for its fault interrupt, an untyped of
 *             IOMMU_UNTYPED_BITS (with its VSpace cap) for its tables, the
 *             PCI endpoint badged PCI_BADGE_PRIVILEGED, the IOMMU endpoint
 *             unbadged, the DMA pool (an untyped of `dma=MiB`, default
 *             IOMMU_DMA_DEFAULT_BITS) it lends DMA buffers from, a copy
 *             of IRQControl (the vectors of remapped interrupts), and a
 *             copy of the DMAR or IVRS table
 *   others    if there is an iommu module, the IOMMU endpoint badged with
 *             their pid (privileged for a module with the word iommu-admin)
 *
 * and `untyped=BITS` in a module's arguments gives any process an untyped
 * of its own. Windows, interrupts, device untyped and the PCI endpoint are
 * listed in the start information.
 *
 * The PCI endpoint is made once, if there is a pci module, and the root
 * task keeps the unbadged original: every cap to it is a copy or mint of
 * that one, and it outlives a restart of pci, so the IOMMU server's cap
 * keeps working.
 *
 * The IOMMU server is fail-stop: the hardware walks tables in its memory
 * and devices write into the buffers it lent, so if it ends the root task
 * reports it and halts the system without tearing it down or reusing any
 * of its memory (root_role_fail_stop).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/startinfo.h>
#include <ward/rt.h>
#include <proc/devmem.h>
#include <proc/untyped.h>
#include "iommu_badge.h"
#include "pci_service.h"
#include "root_task.h"

#define IOMMU_UNTYPED_BITS     22 /* 4 MiB for translation tables */
#define IOMMU_MEMORY_BITS      24
#define PCI_UNTYPED_BITS       20 /* 1 MiB */
#define PCI_PRIV_RIGHTS        (WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY)
#define IOMMU_CLIENT_RIGHTS    (WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY)
#define IOMMU_DMA_DEFAULT_BITS 24 /* 16 MiB of lent DMA memory */
#define IOMMU_DMA_MAX_BITS     27 /* dma= is clamped to 128 MiB */

/*
 * The PCI MMIO window: where firmware placed the 32-bit BARs. On q35
 * under SeaBIOS that is the hole between the top of low RAM and the ECAM
 * window (below 0xc0000000) and the IOAPIC at 0xfec00000. The device
 * untyped pieces of the boot information lying wholly inside it go to the
 * PCI server; a BAR outside it (a 64-bit window above 4 GiB, a hole that
 * starts lower on another machine) cannot be mapped by the server.
 */
#define PCI_MMIO_LO       0xc0000000ULL
#define PCI_MMIO_HI       0xfec00000ULL
#define LARGE_BITS        21
#define MAX_WINDOW_FRAMES 256

static uint64_t pci_ep;   /* the PCI endpoint's unbadged original; 0: no pci module */
static uint64_t iommu_ep; /* the IOMMU endpoint's unbadged original; 0: no iommu module */
static struct proc_dev_block pci_mmio[WARD_STARTINFO_DEVMEM];
static unsigned pci_mmio_count;

static bool is_role(const struct root_proc *rp, const char *role)
{
	return strcmp(rp->proc.name, role) == 0;
}

void root_roles_init(void)
{
	const struct ward_bootinfo *bi = ward_bootinfo;
	bool has_pci = false, has_iommu = false;

	for (uint32_t i = 1; i < bi->module_count; i++) {
		has_pci |= strcmp(bi->modules[i].name, "pci") == 0;
		has_iommu |= strcmp(bi->modules[i].name, "iommu") == 0;
	}
	if (has_iommu && proc_object(WARD_OBJ_ENDPOINT, 0, &iommu_ep) != WARD_OK) {
		printf("cannot make the IOMMU endpoint: iommu will not serve\n");
		iommu_ep = 0;
	}
	if (!has_pci)
		return;
	if (proc_object(WARD_OBJ_ENDPOINT, 0, &pci_ep) != WARD_OK) {
		printf("cannot make the PCI endpoint: pci will not serve\n");
		pci_ep = 0;
		return;
	}
	/* Kept out of the root task's own carving, to be handed on whole. */
	pci_mmio_count = proc_dev_take(PCI_MMIO_LO, PCI_MMIO_HI, pci_mmio, WARD_STARTINFO_DEVMEM);
	printf("PCI MMIO window [0x%llx, 0x%llx): %u device untyped for pci\n",
	       (unsigned long long)PCI_MMIO_LO, (unsigned long long)PCI_MMIO_HI, pci_mmio_count);
}

void root_role_policy(const char *name, struct root_policy *policy)
{
	unsigned untyped_bits = 0, memory_bits = 0;

	if (strcmp(name, "iommu") == 0) {
		untyped_bits = IOMMU_UNTYPED_BITS;
		memory_bits = IOMMU_MEMORY_BITS;
	} else if (strcmp(name, "pci") == 0) {
		untyped_bits = PCI_UNTYPED_BITS;
	}
	if (policy->untyped_bits == 0)
		policy->untyped_bits = untyped_bits;
	if (policy->memory_bits < memory_bits)
		policy->memory_bits = memory_bits;
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

/* The next role slot of the process's CSpace, or 0 if none is left. */
static uint64_t role_slot(struct proc *p)
{
	return p->next_role_slot < p->info.free_last ? p->next_role_slot++ : 0;
}

/*
 * The MMIO window's device untyped, as fresh children of the root task's
 * pieces: revoking a piece (here, and when pci ends) takes back the child
 * and every frame made from it, wherever its copies went, so the next
 * instance gets the same memory whole.
 */
static bool grant_pci_mmio(struct proc *p, const char **why)
{
	*why = "cannot give the PCI MMIO window";
	for (unsigned i = 0; i < pci_mmio_count; i++) {
		const struct proc_dev_block *b = &pci_mmio[i];
		uint64_t slot = role_slot(p);

		ward_cnode_revoke(WARD_CAP_INIT_CNODE, b->slot, 64);
		if (slot == 0 || ward_untyped_retype(b->slot, WARD_OBJ_UNTYPED, b->bits, p->cnode,
		                                     0, 0, slot, 1) != WARD_OK)
			return false;
		p->info.devmem[p->info.devmem_count++] =
		        (struct ward_devmem_grant){(uint32_t)slot, b->bits, b->phys};
	}
	return true;
}

/* The PCI endpoint: rights and badge say what the process may do with it. */
static bool grant_pci_endpoint(struct proc *p, uint64_t rights, uint64_t badge, const char **why)
{
	uint64_t slot;

	if (pci_ep == 0)
		return true;
	*why = "cannot give the PCI endpoint";
	if ((slot = role_slot(p)) == 0 ||
	    (badge == 0 ? proc_give_copy(p, slot, pci_ep, rights)
	                : proc_give_mint(p, slot, pci_ep, rights, badge)) != WARD_OK)
		return false;
	p->info.pci_endpoint = (uint32_t)slot;
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
	return grant_pci_endpoint(p, WARD_RIGHTS_ALL, 0, why) && grant_pci_mmio(p, why);
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

/* The IOMMU endpoint: unbadged for the server, badged with the pid for everyone else. */
static bool grant_iommu_endpoint(struct proc *p, uint64_t badge, const char **why)
{
	uint64_t slot;

	if (iommu_ep == 0)
		return true;
	*why = "cannot give the IOMMU endpoint";
	if ((slot = role_slot(p)) == 0 ||
	    (badge == 0 ? proc_give_copy(p, slot, iommu_ep, WARD_RIGHTS_ALL)
	                : proc_give_mint(p, slot, iommu_ep, IOMMU_CLIENT_RIGHTS, badge)) != WARD_OK)
		return false;
	p->info.iommu_endpoint = (uint32_t)slot;
	return true;
}

/* The word `dma=MiB` among the arguments, as log2 bytes; the default without it. */
static unsigned dma_pool_bits(const char *args)
{
	const char *at = strstr(args, "dma=");
	unsigned long mib = at != NULL ? strtoul(at + 4, NULL, 10) : 0;
	unsigned bits = 20;

	if (mib == 0)
		return IOMMU_DMA_DEFAULT_BITS;
	while ((1UL << (bits - 20)) < mib && bits < IOMMU_DMA_MAX_BITS)
		bits++;
	return bits;
}

/*
 * The DMA pool: RAM of its own, outside the process's untyped, handed over
 * as one child untyped. It is never given back (fail-stop, above).
 */
static bool grant_dma_pool(struct proc *p, const char **why)
{
	unsigned bits = dma_pool_bits(p->info.args);
	uint64_t pool, slot;

	*why = "no memory for the DMA pool";
	if ((slot = role_slot(p)) == 0 || proc_untyped_alloc(bits, &pool) != WARD_OK ||
	    ward_untyped_retype(pool, WARD_OBJ_UNTYPED, bits, p->cnode, 0, 0, slot, 1) != WARD_OK)
		return false;
	p->info.dma_untyped = (uint32_t)slot;
	p->info.dma_bits = bits;
	return true;
}

/* A copy of IRQControl: the vectors its interrupt remapping entries deliver to. */
static bool grant_irq_control(struct proc *p, const char **why)
{
	uint64_t slot;

	*why = "cannot give IRQControl";
	if ((slot = role_slot(p)) == 0 ||
	    proc_give_copy(p, slot, WARD_CAP_IRQ_CONTROL, WARD_RIGHTS_ALL) != WARD_OK)
		return false;
	p->info.irq_control = (uint32_t)slot;
	return true;
}

/* Its own TCB, so that it can bind the notification its interrupts and deaths arrive on. */
static bool grant_own_tcb(struct proc *p, const char **why)
{
	uint64_t slot;

	*why = "cannot give its TCB";
	if ((slot = role_slot(p)) == 0 ||
	    proc_give_copy(p, slot, p->tcb, WARD_RIGHTS_ALL) != WARD_OK)
		return false;
	p->info.tcb = (uint32_t)slot;
	return true;
}

static bool grant_tables(struct proc *p)
{
	if (root_platform.dmar_length <= sizeof(p->info.dmar)) {
		memcpy(p->info.dmar, root_platform.dmar, root_platform.dmar_length);
		p->info.dmar_length = root_platform.dmar_length;
	}
	if (root_platform.ivrs_length <= sizeof(p->info.ivrs)) {
		memcpy(p->info.ivrs, root_platform.ivrs, root_platform.ivrs_length);
		p->info.ivrs_length = root_platform.ivrs_length;
	}
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
	return grant_pci_endpoint(p, PCI_PRIV_RIGHTS, PCI_BADGE_PRIVILEGED, why) &&
	       grant_iommu_endpoint(p, 0, why) && grant_dma_pool(p, why) && grant_own_tcb(p, why) &&
	       grant_irq_control(p, why) && grant_tables(p);
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
	/*
	 * iommu-admin: the root task's authority over the IOMMU and PCI servers,
	 * lent to a test program or device manager (attach, detach, dump, BARs).
	 */
	if (strstr(p->info.args, "iommu-admin") != NULL)
		return grant_iommu_endpoint(p, iommu_badge_client(p->pid, true), why) &&
		       grant_pci_endpoint(p, PCI_PRIV_RIGHTS, PCI_BADGE_PRIVILEGED, why);
	return grant_iommu_endpoint(p, iommu_badge_client(p->pid, false), why);
}

void root_role_fail_stop(struct root_proc *rp, unsigned reason, uint64_t code, bool all_ok)
{
	if (!is_role(rp, "iommu"))
		return;
	printf("the IOMMU server (pid %u) ended (reason %u, code %llu): its tables and lent "
	       "memory may still be in use by devices; halting without reusing them\n",
	       (unsigned)rp->proc.pid, reason, (unsigned long long)code);
	/* Success only for a test playing the role that ended last and as expected. */
	ward_debug_halt(all_ok ? WARD_HALT_OK : 1);
}

void root_role_ended(struct root_proc *rp)
{
	if (!is_role(rp, "pci"))
		return;
	/* BAR frames it handed to drivers go with it. */
	for (unsigned i = 0; i < pci_mmio_count; i++)
		ward_cnode_revoke(WARD_CAP_INIT_CNODE, pci_mmio[i].slot, 64);
}

enum ward_error root_mint_pci(uint64_t slot, uint64_t badge)
{
	if (pci_ep == 0)
		return WARD_ERR_INVALID_CAPABILITY;
	return ward_cnode_mint(WARD_CAP_INIT_CNODE, slot, 64, WARD_CAP_INIT_CNODE, pci_ep, 64,
	                       PCI_PRIV_RIGHTS, badge);
}

enum ward_error root_mint_iommu(uint64_t slot, uint64_t badge)
{
	if (iommu_ep == 0)
		return WARD_ERR_INVALID_CAPABILITY;
	return ward_cnode_mint(WARD_CAP_INIT_CNODE, slot, 64, WARD_CAP_INIT_CNODE, iommu_ep, 64,
	                       IOMMU_CLIENT_RIGHTS, badge);
}
