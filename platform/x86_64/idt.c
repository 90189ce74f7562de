/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IDT (SDM Vol. 3A §6.14.1): 256 interrupt gates into entry.S's stubs.
 * Gates are DPL 0, so `int n` from ring 3 is a #GP, except #BP (int3),
 * which user code may raise on purpose. Double fault and NMI use IST1.
 */
#include <stdint.h>
#include "idt.h"
#include "x86_regs.h"

extern const uint64_t isr_table[256];

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

static struct idt_gate idt[256];

static void set_gate(unsigned vec, uint64_t handler, unsigned dpl, unsigned ist)
{
	idt[vec] = (struct idt_gate){
	        .offset_lo = handler & 0xffff,
	        .selector = SEL_KERNEL_CODE,
	        .ist = ist,
	        .type_attr = 0x8e | (dpl << 5), /* present, 64-bit interrupt gate */
	        .offset_mid = (handler >> 16) & 0xffff,
	        .offset_hi = handler >> 32,
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, isr_table[v], 0, 0);
	set_gate(VEC_BREAKPOINT, isr_table[VEC_BREAKPOINT], 3, 0);
	set_gate(VEC_DOUBLE_FAULT, isr_table[VEC_DOUBLE_FAULT], 0, 1);
	set_gate(VEC_NMI, isr_table[VEC_NMI], 0, 1);
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" : : "m"(ptr));
}
