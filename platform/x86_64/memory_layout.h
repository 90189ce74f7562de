/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ward's x86_64 virtual memory layout (shared by the linker script, the boot
 * stub and C). The lower half belongs to the user; the kernel lives in the
 * upper half of every address space, supervisor-only.
 *
 *   0x0000000000001000 .. 0x00007fffffffffff  user
 *   0xffff800000000000 .. +64 GiB              direct map of physical memory
 *   0xffffffff80000000 .. +1 GiB               kernel image (phys 0 .. 1 GiB)
 *
 * Physical: the application processors start in real mode at
 * AP_TRAMPOLINE_PHYS (below 1 MiB, which the kernel keeps; smp.c).
 */
#ifndef X86_MEMORY_LAYOUT_H
#define X86_MEMORY_LAYOUT_H

#define KERNEL_PHYS_LOAD   0x100000
#define KERNEL_VIRT_BASE   0xffffffff80000000
#define PHYS_MAP_BASE      0xffff800000000000
#define PHYS_MAP_MAX_BYTES (64ULL << 30)
#define USER_TOP           0x0000800000000000
#define AP_TRAMPOLINE_PHYS 0x8000

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ward/bootinfo.h>

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(PHYS_MAP_BASE + pa);
}

static inline uint64_t kernel_virt_to_phys(const void *va)
{
	return (uint64_t)va - KERNEL_VIRT_BASE;
}

/* True if a region of `kind` in the firmware map overlaps [base, base + size). */
static inline bool phys_range_touches(const struct ward_mem_region *r, size_t n, uint32_t kind,
                                      uint64_t base, uint64_t size)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].kind == kind && r[i].base < base + size && base < r[i].base + r[i].size)
			return true;
	return false;
}
#endif

#endif
