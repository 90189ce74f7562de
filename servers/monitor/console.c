/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The serial line's receive side: COM1 through the read-only port cap the
 * kernel made for it (ward/bootinfo.h), its received-data interrupt
 * through the IRQHandler the root task issued for its GSI. Each interrupt
 * drains the UART's FIFO into the line being typed (backspace edits it,
 * Enter or Return ends it, other control bytes are dropped), then acks
 * the handler and looks once more (below: an edge can be lost). Nothing is echoed as it is typed:
 * the kernel's console writes whole lines, each with its source, so the monitor shows the line once
 * it is entered. Register offsets: PC16550D datasheet.
 */
#include <ward/invoke.h>

#include "monitor.h"

#define UART_RBR    0 /* receive buffer (DLAB 0) */
#define UART_LSR    5
#define UART_LSR_DR 0x01 /* data ready */
#define BACKSPACE   0x08
#define DELETE      0x7f

static char typed[MONITOR_LINE_MAX + 1];
static unsigned typed_len;
static bool overlong;

static bool uart_byte(uint8_t *byte)
{
	uint32_t lsr = 0, value = 0;

	if (ward_ioport_in(monitor.console_ports, 1, monitor.console_port + UART_LSR, &lsr) !=
	            WARD_OK ||
	    !(lsr & UART_LSR_DR))
		return false;
	if (ward_ioport_in(monitor.console_ports, 1, monitor.console_port + UART_RBR, &value) !=
	    WARD_OK)
		return false;
	*byte = (uint8_t)value;
	return true;
}

/* One byte into the line; true when it ends the line. */
static bool take(uint8_t c, char line[MONITOR_LINE_MAX + 1])
{
	if (c == '\r' || c == '\n') {
		if (typed_len == 0 && !overlong)
			return false; /* the \n of a \r\n, or an empty line */
		typed[typed_len] = '\0';
		for (unsigned i = 0; i <= typed_len; i++)
			line[i] = typed[i];
		if (overlong)
			line[0] = '\0'; /* refused whole: the caller says so */
		overlong = false;
		typed_len = 0;
		return true;
	}
	if (c == BACKSPACE || c == DELETE) {
		if (typed_len > 0)
			typed_len--;
		return false;
	}
	if (c < 0x20 || c > 0x7e)
		return false;
	if (typed_len == MONITOR_LINE_MAX) {
		overlong = true;
		return false;
	}
	typed[typed_len++] = (char)c;
	return false;
}

static bool uart_ready(void)
{
	uint32_t lsr = 0;

	return ward_ioport_in(monitor.console_ports, 1, monitor.console_port + UART_LSR, &lsr) ==
	               WARD_OK &&
	       (lsr & UART_LSR_DR);
}

/*
 * An empty line means one longer than MONITOR_LINE_MAX (empty ones are
 * skipped). One line per call: bytes after it stay in the UART for the
 * next call. The UART's GSI is edge-triggered and the IOAPIC drops an edge
 * that comes while the kernel holds the line masked (from delivery to
 * Ack): a byte arriving after the FIFO was drained but before the Ack
 * raises the UART's line with no edge that arrives, and the line stays
 * high. So after each Ack the FIFO is looked at again, and drained again
 * if anything came meanwhile; only an empty FIFO after an Ack leaves the
 * line low, and the next byte's edge then finds the pin unmasked.
 */
bool console_read_line(char line[MONITOR_LINE_MAX + 1])
{
	uint8_t c;

	for (;;) {
		while (uart_byte(&c))
			if (take(c, line))
				return true;
		ward_irq_handler_ack(monitor.console_irq);
		if (!uart_ready())
			return false;
	}
}
