/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef X86_GDT_H
#define X86_GDT_H

#include <stdint.h>
#include "x86_regs.h"

/* 64-bit TSS, SDM Vol. 3A §7.7, Figure 7-11. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "64-bit TSS");

struct cpu_tables {
	uint64_t gdt[GDT_ENTRIES];
	struct tss tss;
};

void gdt_init(struct cpu_tables *t, uint64_t ist_top);

#endif
