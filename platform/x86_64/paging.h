/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86_64 4-level paging entries (SDM Vol. 3A §4.5, Tables 4-14..4-20).
 * One format for PML4E/PDPTE/PDE/PTE; PTE_PS selects a large page at the
 * PDPT (1 GiB) and PD (2 MiB) levels.
 */
#ifndef X86_PAGING_H
#define X86_PAGING_H

#include <stdint.h>

#define PAGE_SIZE       4096ULL
#define LARGE_PAGE_SIZE (2ULL << 20)
#define PT_ENTRIES      512

#define PTE_P         (1ULL << 0)
#define PTE_W         (1ULL << 1)
#define PTE_U         (1ULL << 2)
#define PTE_PWT       (1ULL << 3)
#define PTE_PCD       (1ULL << 4)
#define PTE_A         (1ULL << 5)
#define PTE_D         (1ULL << 6)
#define PTE_PS        (1ULL << 7)
#define PTE_G         (1ULL << 8)
#define PTE_NX        (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* Frame address of a 2 MiB page in a PDE with PS (Table 4-18: bits 51:21; bit 12 is PAT). */
#define PTE_LARGE_ADDR_MASK 0x000fffffffe00000ULL
/* Frame address of a 1 GiB page in a PDPTE with PS (Table 4-16: bits 51:30). */
#define PTE_HUGE_ADDR_MASK  0x000fffffc0000000ULL

#define PML4_INDEX(va) (((uint64_t)(va) >> 39) & 0x1ff)
#define PDPT_INDEX(va) (((uint64_t)(va) >> 30) & 0x1ff)
#define PD_INDEX(va)   (((uint64_t)(va) >> 21) & 0x1ff)
#define PT_INDEX(va)   (((uint64_t)(va) >> 12) & 0x1ff)

/* PML4 slots 256..511 hold the kernel; every address space shares them. */
#define PML4_KERNEL_FIRST 256

typedef uint64_t pte_t;

#endif
