/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * COM1, a 16550 UART at I/O port 0x3f8: 115200 baud, 8N1. The kernel
 * transmits, polled; the receive side belongs to user space: the
 * received-data interrupt is enabled here (IER bit 0, with OUT2, which
 * gates the UART's interrupt line on PCs) and the root task may hand the
 * read-only port cap and IRQ 4 to a console program (docs/kernel.md).
 * The kernel never reads the receive buffer; its reads of the line status
 * (to transmit) clear only LSR's error bits, never data-ready, so no input
 * is lost to them. Register offsets: PC16550D datasheet, "Register Summary".
 */
#include <stdint.h>
#include "cpu.h"
#include "serial.h"

#define COM1                  SERIAL_COM1
#define UART_DATA             0 /* with DLAB=0 */
#define UART_DLL              0 /* with DLAB=1 */
#define UART_IER              1
#define UART_DLM              1 /* with DLAB=1 */
#define UART_FCR              2
#define UART_LCR              3
#define UART_MCR              4
#define UART_LSR              5
#define UART_LCR_8N1          0x03
#define UART_LCR_DLAB         0x80
#define UART_LSR_THRE         0x20
#define UART_FCR_ENABLE_CLEAR 0x07
#define UART_MCR_DTR_RTS_OUT2 0x0b
#define UART_IER_RECEIVED     0x01

void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DLL, 1); /* divisor 1: 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, UART_LCR_8N1);
	outb(COM1 + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, UART_MCR_DTR_RTS_OUT2);
	outb(COM1 + UART_IER, UART_IER_RECEIVED);
}

void serial_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		cpu_pause();
	outb(COM1 + UART_DATA, (uint8_t)c);
}
