/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Starting the application processors (APs): INIT-SIPI-SIPI to each CPU
 * the MADT lists, through a real-mode trampoline (trampoline.S) at
 * AP_TRAMPOLINE_PHYS. The trampoline reads its parameters from the block
 * below, which smp.c fills before each start.
 */
#ifndef X86_SMP_H
#define X86_SMP_H

#define AP_PARAM_CR3   0x00 /* page tables for the switch (below 4 GiB) */
#define AP_PARAM_STACK 0x08 /* the AP's kernel stack top */
#define AP_PARAM_ENTRY 0x10 /* C entry, called with the CPU index */
#define AP_PARAM_CPU   0x18
#define AP_PARAM_BYTES 0x20

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>
#include <ward/bootinfo.h>

struct platform_desc;

struct ap_boot_params {
	uint64_t cr3;
	uint64_t stack_top;
	uint64_t entry;
	uint64_t cpu_index;
};
_Static_assert(offsetof(struct ap_boot_params, cr3) == AP_PARAM_CR3, "trampoline.S");
_Static_assert(offsetof(struct ap_boot_params, stack_top) == AP_PARAM_STACK, "trampoline.S");
_Static_assert(offsetof(struct ap_boot_params, entry) == AP_PARAM_ENTRY, "trampoline.S");
_Static_assert(offsetof(struct ap_boot_params, cpu_index) == AP_PARAM_CPU, "trampoline.S");
_Static_assert(sizeof(struct ap_boot_params) == AP_PARAM_BYTES, "trampoline.S");

/*
 * Boot CPU, after its cpu_init() and lapic_init(): marks itself online as
 * CPU 0 and starts every other CPU in `p`, one at a time, logging each.
 * A CPU that does not report within a bounded time is logged and left
 * parked. `regions` is the firmware memory map (the trampoline page must
 * be RAM).
 */
void smp_start(const struct platform_desc *p, const struct ward_mem_region *regions,
               size_t region_count);

/* CPUs online: cpus[0 .. smp_cpu_count()). */
unsigned smp_cpu_count(void);

/*
 * Where each AP goes once its GDT, TSS, IDT, SYSCALL MSRs and LAPIC timer
 * are set up: on its own kernel stack, interrupts off, without the kernel
 * lock. The scheduler provides it; the weak default idles.
 */
__attribute__((noreturn)) void kernel_ap_entry(unsigned cpu_index);
#endif

#endif
