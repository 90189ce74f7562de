/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef X86_VSPACE_H
#define X86_VSPACE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <kernel/boot_memory.h>
#include "paging.h"

/* Page rights for user mappings. */
#define VSPACE_READ  0x1
#define VSPACE_WRITE 0x2
#define VSPACE_EXEC  0x4

/*
 * Builds the kernel's page tables (direct map of RAM and the low 4 GiB,
 * the kernel image) from boot memory and switches to them. The identity
 * map of the boot stub is gone afterwards. `ram_regions` tells which 2 MiB
 * pages are RAM (write-back) and which are MMIO (uncached).
 */
void paging_init(struct boot_memory *mem, const struct ward_mem_region *ram_regions,
                 size_t region_count);

/* A new address space sharing the kernel half; its PML4's physical address, or 0. */
uint64_t vspace_create(struct boot_memory *mem);

/* Maps one 4 KiB user page; false if out of memory or already mapped. */
bool vspace_map_user_page(struct boot_memory *mem, uint64_t root, uint64_t va, uint64_t pa,
                          unsigned rights);

/*
 * Copies len bytes from user address va into dst, checking that every page
 * is mapped user-readable in `root`. Returns false (dst partly written) if not.
 */
bool vspace_copy_from_user(uint64_t root, void *dst, uint64_t va, size_t len);

/* The kernel's own PML4 (physical). */
uint64_t vspace_kernel_root(void);

#endif
