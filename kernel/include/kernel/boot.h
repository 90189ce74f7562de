/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <kernel/boot_memory.h>
#include <ward/bootinfo.h>

/* User virtual addresses the kernel chooses for the root task. */
#define ROOT_TASK_STACK_TOP   0x00007fffffff0000ULL
#define ROOT_TASK_STACK_PAGES 16
#define ROOT_TASK_BOOTINFO    0x00007ffffff00000ULL
#define ROOT_TASK_IPC_BUFFER  0x00007fffffef0000ULL
#define ROOT_TASK_MODULES     0x0000100000000000ULL /* modules, read-only, 2 MiB apart at least */
#define ROOT_TASK_IMAGE_LOW   0x0000000000400000ULL
#define ROOT_TASK_IMAGE_HIGH  0x0000000080000000ULL

#define BOOT_MAX_EXCLUDED 8

/* What the platform hands the generic kernel to build the root task. */
struct boot_params {
	struct boot_memory *mem;
	struct ward_bootinfo *info; /* modules, regions, cpu_count, acpi_rsdp filled in */
	/* Physical ranges no user may map (LAPIC, IOAPICs): kept out of device untyped. */
	struct phys_range excluded[BOOT_MAX_EXCLUDED];
	unsigned excluded_count;
	uint64_t device_top; /* device untyped covers [0, device_top) minus RAM and exclusions */
	/* The console UART: its ports (reserved, handed over read-only) and receive GSI. */
	uint16_t console_port, console_ports;
	uint32_t console_gsi;
};

/*
 * Creates the root task from boot module 0: its CNode, TCB, VSpace, IPC
 * buffer, boot information, and caps to all remaining memory as untyped.
 * Makes it runnable on CPU 0. Panics with the reason on a bad module.
 */
void root_task_create(struct boot_params *p);

#endif
