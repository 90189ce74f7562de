/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Stopping the machine. QEMU's isa-debug-exit device (iobase 0xf4) ends
 * QEMU with exit code ((status + 1) << 1) | 1, which tools/ward_qemu.py
 * decodes; without it, ACPI S5 through the q35 PM1a control block (ICH9 PMBASE 0x600 as
 * SeaBIOS programs it; \_S5 SLP_TYP 0) powers off; failing both, halt.
 */
#include <kernel/platform.h>
#include "cpu.h"
#include "serial.h"

#define DEBUG_EXIT_PORT 0xf4
#define Q35_PM1A_CNT    0x604
#define PM1_SLP_EN      (1U << 13)

void platform_console_putc(char c)
{
	serial_putc(c);
}

void platform_halt(unsigned status)
{
	outl(DEBUG_EXIT_PORT, (status & 0x7f) + 1); /* never 0: QEMU itself exits 1 on errors */
	__asm__ volatile("outw %0, %1" : : "a"((uint16_t)PM1_SLP_EN), "Nd"((uint16_t)Q35_PM1A_CNT));
	cpu_halt_forever();
}
