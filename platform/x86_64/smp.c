/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SMP bring-up: the boot CPU starts the APs one at a time with INIT-SIPI-
 * SIPI (SDM Vol. 3A §8.4.4.1; MultiProcessor Specification 1.4, Appendix
 * B.4). A starting AP shares two things with the boot CPU: the trampoline's
 * parameter block, written by the boot CPU before the IPIs, and the AP's
 * cpus[].online flag, set by the AP (release) once it takes interrupts and
 * read by the boot CPU (acquire). Past kernel_ap_entry(), the kernel lock
 * rules.
 */
#include <kernel/printf.h>
#include "acpi_boot.h"
#include "cpu.h"
#include "lapic.h"
#include "memory_layout.h"
#include "paging.h"
#include "percpu.h"
#include "smp.h"
#include "vspace.h"

#define AP_STACK_SIZE       16384
#define INIT_DELAY_US       10000 /* §8.4.4.1: wait 10 ms after INIT, */
#define SIPI_DELAY_US       200   /* and 200 us after each startup IPI */
#define AP_START_TIMEOUT_US 3000000

extern const char ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_params[];

static uint8_t ap_stacks[WARD_MAX_CPUS - 1][AP_STACK_SIZE] __attribute__((aligned(16)));

/*
 * The AP's first page tables: the low 2 MiB identity-mapped, where the
 * trampoline turns paging on, plus the kernel half. They are in the kernel
 * image, so below 4 GiB as the trampoline's 32-bit CR3 load needs.
 */
static pte_t ap_pml4[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static pte_t ap_pdpt[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static pte_t ap_pd[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));

static unsigned cpus_online = 1;

static struct ap_boot_params *trampoline_params(void)
{
	return (struct ap_boot_params *)((char *)phys_to_virt(AP_TRAMPOLINE_PHYS) +
	                                 (ap_trampoline_params - ap_trampoline_start));
}

static uint64_t ap_stack_top(unsigned index)
{
	return (uint64_t)(ap_stacks[index - 1] + AP_STACK_SIZE);
}

__attribute__((weak, noreturn)) void kernel_ap_entry(unsigned cpu_index)
{
	(void)cpu_index;
	for (;;)
		__asm__ volatile("sti; hlt");
}

/* The AP's first C code, called by the trampoline on the AP's stack. */
__attribute__((noreturn)) static void ap_main(unsigned index)
{
	struct cpu *c = &cpus[index];

	cpu_init(c, index, ap_stack_top(index));
	write_cr3(vspace_kernel_root()); /* GDT and IDT are in the kernel half now */
	lapic_init_ap();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	kernel_ap_entry(index);
}

/* Copies the trampoline to its page and builds the AP's first page tables. */
static bool install_trampoline(const struct ward_mem_region *r, size_t n)
{
	const pte_t *kernel_pml4 = phys_to_virt(vspace_kernel_root());
	size_t size = ap_trampoline_end - ap_trampoline_start;

	if (size > PAGE_SIZE)
		panic("the AP trampoline is %zu bytes, more than its page", size);
	if (!phys_range_touches(r, n, WARD_MEM_FREE, AP_TRAMPOLINE_PHYS, PAGE_SIZE) ||
	    phys_range_touches(r, n, WARD_MEM_RESERVED, AP_TRAMPOLINE_PHYS, PAGE_SIZE)) {
		kprintf("SMP: page %05x is not RAM in the memory map: no APs", AP_TRAMPOLINE_PHYS);
		return false;
	}
	__builtin_memcpy(phys_to_virt(AP_TRAMPOLINE_PHYS), ap_trampoline_start, size);
	ap_pd[0] = 0 | PTE_P | PTE_W | PTE_PS;
	ap_pdpt[0] = kernel_virt_to_phys(ap_pd) | PTE_P | PTE_W;
	ap_pml4[0] = kernel_virt_to_phys(ap_pdpt) | PTE_P | PTE_W;
	for (unsigned i = PML4_KERNEL_FIRST; i < PT_ENTRIES; i++)
		ap_pml4[i] = kernel_pml4[i];
	trampoline_params()->cr3 = kernel_virt_to_phys(ap_pml4);
	trampoline_params()->entry = (uint64_t)ap_main;
	return true;
}

/* INIT, 10 ms, SIPI, 200 us, SIPI, 200 us. A CPU already running ignores the second SIPI. */
static bool send_init_sipi_sipi(uint32_t apic_id)
{
	bool sent = lapic_send(lapic_icr(apic_id, LAPIC_ICR_INIT | LAPIC_ICR_ASSERT, 0));

	lapic_delay_us(INIT_DELAY_US);
	for (unsigned i = 0; i < 2 && sent; i++) {
		sent = lapic_send(lapic_icr(apic_id, LAPIC_ICR_STARTUP | LAPIC_ICR_ASSERT,
		                            AP_TRAMPOLINE_PHYS >> 12));
		lapic_delay_us(SIPI_DELAY_US);
	}
	return sent;
}

static bool start_ap(unsigned index, uint32_t apic_id)
{
	struct cpu *c = &cpus[index];

	c->apic_id = apic_id;
	trampoline_params()->stack_top = ap_stack_top(index);
	trampoline_params()->cpu_index = index;
	if (!send_init_sipi_sipi(apic_id)) {
		kprintf("CPU with APIC ID %u: the startup IPIs could not be sent: skipped",
		        apic_id);
		return false;
	}
	uint64_t deadline = lapic_deadline_us(AP_START_TIMEOUT_US);
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (rdtsc() > deadline) {
			/* Back to wait-for-SIPI: it must not wake on the next CPU's parameters. */
			lapic_send(lapic_icr(apic_id, LAPIC_ICR_INIT | LAPIC_ICR_ASSERT, 0));
			kprintf("CPU with APIC ID %u did not start within %u ms: skipped", apic_id,
			        AP_START_TIMEOUT_US / 1000);
			return false;
		}
		cpu_pause();
	}
	kprintf("CPU %u (APIC %u) online", index, apic_id);
	return true;
}

void smp_start(const struct platform_desc *p, const struct ward_mem_region *regions,
               size_t region_count)
{
	boot_cpu.apic_id = lapic_id();
	__atomic_store_n(&boot_cpu.online, true, __ATOMIC_RELEASE);
	if (p->cpu_count < 2 || !install_trampoline(regions, region_count))
		return;
	for (unsigned i = 1; i < p->cpu_count; i++) /* cpu_apic_ids[0] is this CPU */
		if (start_ap(cpus_online, p->cpu_apic_ids[i]))
			cpus_online++;
	kprintf("%u of %u CPUs online", cpus_online, p->cpu_count);
}

unsigned smp_cpu_count(void)
{
	return cpus_online;
}
