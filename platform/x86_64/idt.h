/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef X86_IDT_H
#define X86_IDT_H

void idt_init(void);
void idt_load(void);

#endif
