/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Port I/O of 1, 2 or 4 bytes (SDM Vol. 1 §19.2), for I/O-port
 * capabilities. The caller has checked the width with ioport_width_valid()
 * and that the capability covers [port, port + width).
 */
#ifndef X86_IOPORT_H
#define X86_IOPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu.h"

static inline bool ioport_width_valid(unsigned width)
{
	return width == 1 || width == 2 || width == 4;
}

static inline uint32_t ioport_in(uint16_t port, unsigned width)
{
	if (width == 1)
		return inb(port);
	if (width == 2)
		return inw(port);
	return inl(port);
}

static inline void ioport_out(uint16_t port, unsigned width, uint32_t value)
{
	if (width == 1)
		outb(port, (uint8_t)value);
	else if (width == 2)
		outw(port, (uint16_t)value);
	else
		outl(port, value);
}

#endif
