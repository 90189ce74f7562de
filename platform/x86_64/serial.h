/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef X86_SERIAL_H
#define X86_SERIAL_H

/* COM1: eight ports; ISA IRQ 4, which QEMU's q35 firmware routes to GSI 4 unchanged. */
#define SERIAL_COM1     0x3f8
#define SERIAL_PORTS    8
#define SERIAL_COM1_GSI 4

void serial_init(void);
void serial_putc(char c);

#endif
