/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPIs through the local APIC (SDM Vol. 3A §10.6) and TLB shootdown
 * (§4.10.5: software must tell other processors to invalidate).
 *
 * Only a holder of the kernel lock starts a shootdown, so one request is in
 * flight at a time: the initiator writes `request`, then raises each
 * target's tlb_flush_pending (release) and sends the IPI; a target reads
 * `request` after seeing its flag (acquire), invalidates and clears the
 * flag, which is the acknowledgement. Targets run this from the IPI handler
 * or from the kernel lock's spin loop, without the lock.
 */
#include <kernel/printf.h>
#include "cpu.h"
#include "ipi.h"
#include "lapic.h"
#include "lock.h"
#include "paging.h"
#include "percpu.h"
#include "vspace.h"
#include "x86_regs.h"

#define SHOOTDOWN_TIMEOUT_US 5000000 /* far beyond any live CPU: a wedged target panics */

static struct {
	uint64_t root;
	uint64_t va;
	bool all;
	bool leave; /* a CPU on `root` switches to the kernel's root: the space is going */
} request;

void ipi_send(unsigned cpu_index, unsigned vector)
{
	if (cpu_index >= WARD_MAX_CPUS ||
	    !__atomic_load_n(&cpus[cpu_index].online, __ATOMIC_ACQUIRE))
		panic("IPI 0x%x to CPU %u, which is not online", vector, cpu_index);
	uint32_t dest = cpus[cpu_index].apic_id;
	if (!lapic_send(lapic_icr(dest, LAPIC_ICR_FIXED | LAPIC_ICR_ASSERT, vector)))
		panic("IPI 0x%x to CPU %u: the ICR stays busy", vector, cpu_index);
}

/*
 * Without PCIDs a CPU caches non-global translations of the loaded address
 * space only (a CR3 write drops the rest, SDM Vol. 3A §4.10.4.1), so a CPU
 * on another space has nothing to drop.
 */
static void invalidate_local(uint64_t root, uint64_t va, bool all, bool leave)
{
	if (root != TLB_KERNEL_SPACE && (read_cr3() & PTE_ADDR_MASK) != root)
		return;
	if (leave) {
		write_cr3(vspace_kernel_root()); /* drops every non-global translation too */
	} else if (!all) {
		invlpg(va);
	} else if (root != TLB_KERNEL_SPACE) {
		write_cr3(read_cr3());
	} else {
		uint64_t cr4 = read_cr4(); /* toggling PGE drops global entries too */
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	}
}

void ipi_poll(void)
{
	struct cpu *me = this_cpu();

	if (!__atomic_load_n(&me->tlb_flush_pending, __ATOMIC_ACQUIRE))
		return;
	invalidate_local(request.root, request.va, request.all, request.leave);
	__atomic_store_n(&me->tlb_flush_pending, false, __ATOMIC_RELEASE);
}

void ipi_handle(unsigned vector)
{
	if (vector == VEC_IPI_RESCHEDULE)
		this_cpu()->reschedule_pending = true;
	else if (vector == VEC_IPI_TLB_SHOOTDOWN)
		ipi_poll(); /* may find nothing: the lock's spin loop got there first */
	lapic_eoi();
}

static void wait_for_acks(uint64_t waiting)
{
	uint64_t deadline = lapic_deadline_us(SHOOTDOWN_TIMEOUT_US);

	for (unsigned i = 0; i < WARD_MAX_CPUS; i++) {
		if (!(waiting & (1ULL << i)))
			continue;
		while (__atomic_load_n(&cpus[i].tlb_flush_pending, __ATOMIC_ACQUIRE)) {
			if (rdtsc() > deadline)
				panic("TLB shootdown: CPU %u never acknowledged", i);
			cpu_pause();
		}
	}
}

/* noipa, as the lock (lock.c): the caller's page-table writes must stay before it. */
static __attribute__((noipa)) void shootdown(uint64_t cpu_mask, uint64_t vspace_root_phys,
                                             uint64_t va, bool all, bool leave)
{
	struct cpu *me = this_cpu();
	uint64_t waiting = 0;

	if (!kernel_lock_held())
		panic("TLB shootdown without the kernel lock");
	request.root = vspace_root_phys;
	request.va = va;
	request.all = all;
	request.leave = leave;
	for (unsigned i = 0; i < WARD_MAX_CPUS; i++) {
		struct cpu *c = &cpus[i];
		if (c == me || !(cpu_mask & (1ULL << i)) ||
		    !__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			continue;
		__atomic_store_n(&c->tlb_flush_pending, true, __ATOMIC_RELEASE);
		ipi_send(i, VEC_IPI_TLB_SHOOTDOWN); /* UC write: not passed by the stores above */
		waiting |= 1ULL << i;
	}
	invalidate_local(vspace_root_phys, va, all, leave);
	wait_for_acks(waiting);
}

void tlb_shootdown(uint64_t cpu_mask, uint64_t vspace_root_phys, uint64_t va, bool all)
{
	shootdown(cpu_mask, vspace_root_phys, va, all, false);
}

void tlb_leave_vspace(uint64_t cpu_mask, uint64_t vspace_root_phys)
{
	shootdown(cpu_mask, vspace_root_phys, 0, true, true);
}
