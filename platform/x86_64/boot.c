/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86_64 bring-up, called by boot.S in long mode on the boot stack:
 * serial console, multiboot information, memory plan, kernel page tables,
 * GDT/TSS/IDT, LAPIC timer, ACPI (MADT), IOAPICs, the other CPUs, then the
 * root task. docs/boot.md walks through it.
 */
#include <kernel/boot_memory.h>
#include <kernel/printf.h>
#include <kernel/boot.h>
#include <kernel/irq.h>
#include <kernel/sched.h>
#include "acpi_boot.h"
#include "cpu.h"
#include "idt.h"
#include "ioapic.h"
#include "lock.h"
#include "lapic.h"
#include "memory_layout.h"
#include "multiboot.h"
#include "percpu.h"
#include "serial.h"
#include "smp.h"
#include "vspace.h"
#include "x86_regs.h"

#define BOOT_MAPPED_BYTES (1ULL << 30) /* what boot.S maps at PHYS_MAP_BASE */
#define LOW_MEMORY_END    0x100000ULL  /* BIOS data, EBDA, option ROMs */
#define ACPI_MAPPED_BYTES (4ULL << 30) /* paging_init() direct-maps at least this */

extern char boot_stack_top[];
extern char _bss_end_phys[];

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

static const void *map_acpi(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys >= ACPI_MAPPED_BYTES || len > ACPI_MAPPED_BYTES - phys)
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

/* Ports the kernel drives itself: never issued to anyone. */
static void reserve_kernel_ports(void)
{
	ioport_reserve(0x20, 0x21); /* 8259 PIC 1 */
	ioport_reserve(0x40, 0x43); /* 8254 PIT */
	ioport_reserve(0x61, 0x61); /* PIT gate */
	ioport_reserve(0xa0, 0xa1); /* 8259 PIC 2 */
	ioport_reserve(0xf4, 0xf7); /* isa-debug-exit */
	ioport_reserve(SERIAL_COM1, SERIAL_COM1 + SERIAL_PORTS - 1);
}

static void start_root_task(void)
{
	static struct boot_params params;

	params.mem = &boot_mem;
	params.info = &bootinfo;
	/* The LAPIC and IOAPIC pages belong to the kernel alone. */
	params.excluded[params.excluded_count++] = (struct phys_range){0xfee00000, 0xfef00000};
	for (unsigned i = 0;
	     i < platform_desc.ioapic_count && params.excluded_count < BOOT_MAX_EXCLUDED; i++) {
		uint64_t page = platform_desc.ioapics[i].phys & ~0xfffULL;
		params.excluded[params.excluded_count++] = (struct phys_range){page, page + 0x1000};
	}
	if (platform_desc.ioapic_count == 0) /* no MADT: keep the default IOAPIC page */
		params.excluded[params.excluded_count++] =
		        (struct phys_range){0xfec00000, 0xfec01000};
	params.device_top = 1ULL << 40;
	params.console_port = SERIAL_COM1;
	params.console_ports = SERIAL_PORTS;
	params.console_gsi = SERIAL_COM1_GSI;
	reserve_kernel_ports();
	kernel_lock_acquire();
	root_task_create(&params);
	sched_start_cpu();
}

static void fill_bootinfo(void)
{
	bootinfo.magic = WARD_BOOTINFO_MAGIC;
	bootinfo.version = WARD_BOOTINFO_VERSION;
	bootinfo.cpu_count = smp_cpu_count();
	bootinfo.tsc_hz = lapic_tsc_hz();
	bootinfo.acpi_rsdp = platform_desc.rsdp_phys;
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

	while (boot_cpu.timer_ticks < 2)
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	kprintf("LAPIC %u timer: vector 0x%x, %u Hz, ticking", lapic_id(), VEC_LAPIC_TIMER, hz);
}

/* A missing or bad MADT leaves the boot CPU alone, without IOAPICs. */
static void discover_platform(void)
{
	const struct acpi_map_ops ops = {.map = map_acpi};
	const struct platform_desc *p = &platform_desc;
	const char *why = acpi_boot_discover(&ops, lapic_id(), &platform_desc);

	if (why != NULL)
		kprintf("ACPI: %s: using the boot CPU only, no IOAPIC", why);
	else
		kprintf("ACPI: RSDP at %05lx; MADT: %u CPUs, %u IOAPICs, %u ISA overrides",
		        p->rsdp_phys, p->cpu_count, p->ioapic_count, p->override_count);
	if (p->entries_ignored != 0)
		kprintf("ACPI: %u MADT entries ignored (x2APIC IDs, duplicates, over the limits)",
		        p->entries_ignored);
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
	discover_platform();
	ioapic_init(boot_desc.regions, boot_desc.region_count);
	smp_start(&platform_desc, boot_desc.regions, boot_desc.region_count);
	fill_bootinfo();
	start_root_task();
}
