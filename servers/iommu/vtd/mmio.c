/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Register access for the Ward build: uncached loads and stores on the
 * window the root task mapped (docs/userspace.md §4.4). 64-bit registers
 * are accessed with one 64-bit access, as §10.2 allows; the host tests
 * replace this file with a model of the unit.
 */
#include "vtd_hw.h"

uint32_t vtd_read32(const struct vtd_unit *u, uint32_t off)
{
	return *(const volatile uint32_t *)(u->regs + off);
}

uint64_t vtd_read64(const struct vtd_unit *u, uint32_t off)
{
	return *(const volatile uint64_t *)(u->regs + off);
}

void vtd_write32(struct vtd_unit *u, uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(u->regs + off) = val;
}

void vtd_write64(struct vtd_unit *u, uint32_t off, uint64_t val)
{
	*(volatile uint64_t *)(u->regs + off) = val;
}
