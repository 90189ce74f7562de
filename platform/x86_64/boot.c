/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86_64 bring-up, called by boot.S in long mode on the boot stack:
 * serial console, multiboot information, memory plan, kernel page tables,
 * GDT/TSS/IDT, LAPIC timer, then the root task. docs/boot.md walks through it.
 */
#include <kernel/boot_memory.h>
#include <kernel/printf.h>
#include <kernel/root_task.h>
#include "cpu.h"
#include "idt.h"
#include "lapic.h"
#include "memory_layout.h"
#include "multiboot.h"
#include "percpu.h"
#include "serial.h"
#include "vspace.h"
#include "x86_regs.h"

#define BOOT_MAPPED_BYTES (1ULL << 30) /* what boot.S maps at PHYS_MAP_BASE */
#define LOW_MEMORY_END    0x100000ULL  /* BIOS data, EBDA, option ROMs */

extern char boot_stack_top[];
extern char _bss_end_phys[];
uint64_t timer_ticks(void);

static struct boot_description boot_desc;
static struct boot_memory boot_mem;
static struct ward_bootinfo bootinfo;

static const void *map_boot(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys >= BOOT_MAPPED_BYTES || len > BOOT_MAPPED_BYTES - phys)
		return NULL;
	return phys_to_virt(phys);
}

static void plan_memory(void)
{
	struct phys_range keep[1 + WARD_MAX_MODULES];
	size_t n = 0;
	enum boot_memory_error err;

	keep[n++] = (struct phys_range){0, (uint64_t)_bss_end_phys};
	for (size_t i = 0; i < boot_desc.module_count; i++) {
		const struct ward_module *m = &boot_desc.modules[i];
		keep[n++] = (struct phys_range){m->phys_base, m->phys_base + m->size};
	}
	err = boot_memory_plan(boot_desc.regions, boot_desc.region_count, keep, n, &boot_mem);
	if (err == BOOT_MEMORY_TOO_MANY_RANGES)
		panic("memory map splits into more than %d free ranges", BOOT_MEMORY_MAX_RANGES);
	if (err == BOOT_MEMORY_NO_RAM)
		panic("memory map leaves no free RAM above 1 MiB");
	for (size_t i = 0; i < boot_mem.free_count; i++)
		kprintf("free RAM %016lx-%016lx (%lu KiB)", boot_mem.free[i].base,
		        boot_mem.free[i].end - 1,
		        (boot_mem.free[i].end - boot_mem.free[i].base) / 1024);
}

static void fill_bootinfo(void)
{
	bootinfo.magic = WARD_BOOTINFO_MAGIC;
	bootinfo.version = WARD_BOOTINFO_VERSION;
	bootinfo.cpu_count = 1;
	bootinfo.module_count = boot_desc.module_count;
	for (size_t i = 0; i < boot_desc.module_count; i++)
		bootinfo.modules[i] = boot_desc.modules[i];
	bootinfo.region_count = boot_desc.region_count;
	for (size_t i = 0; i < boot_desc.region_count; i++)
		bootinfo.regions[i] = boot_desc.regions[i];
}

/* Proves the timer interrupts before any user code depends on them. */
static void start_timer(void)
{
	uint64_t apic_base = rdmsr(MSR_APIC_BASE);
	unsigned hz = lapic_init(apic_base & MSR_APIC_BASE_ADDR);

	while (timer_ticks() < 2)
		__asm__ volatile("sti; hlt; cli");
	kprintf("LAPIC %u timer: vector 0x%x, %u Hz, ticking", lapic_id(), VEC_LAPIC_TIMER, hz);
}

void x86_boot_main(uint32_t magic, uint32_t info_phys)
{
	enum multiboot_error err;

	serial_init();
	kprintf("Ward kernel 0.1 (x86_64) booting");
	err = multiboot_parse(magic, info_phys, map_boot, NULL, &boot_desc);
	if (err != MB_OK)
		panic("multiboot information refused: %s", multiboot_strerror(err));
	for (size_t i = 0; i < boot_desc.module_count; i++)
		kprintf("module %zu: %s at %016lx, %lu bytes%s%s", i, boot_desc.modules[i].name,
		        boot_desc.modules[i].phys_base, boot_desc.modules[i].size,
		        boot_desc.modules[i].args[0] ? ", args: " : "", boot_desc.modules[i].args);
	plan_memory();
	paging_init(&boot_mem, boot_desc.regions, boot_desc.region_count);
	idt_init();
	cpu_init(&boot_cpu, 0, (uint64_t)boot_stack_top);
	start_timer();
	fill_bootinfo();
	root_task_start(&boot_mem, &bootinfo);
}
