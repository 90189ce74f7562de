/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef X86_SERIAL_H
#define X86_SERIAL_H

void serial_init(void);
void serial_putc(char c);

#endif
