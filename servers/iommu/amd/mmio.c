/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Register access for the Ward build: uncached 64-bit loads and stores on
 * the window the root task mapped (docs/userspace.md §4.4). The host tests
 * replace this file with a model of the IOMMU.
 */
#include "amdvi_hw.h"

uint64_t amdvi_read64(const struct amdvi_unit *u, uint32_t off)
{
	return *(const volatile uint64_t *)(u->regs + off);
}

void amdvi_write64(struct amdvi_unit *u, uint32_t off, uint64_t val)
{
	*(volatile uint64_t *)(u->regs + off) = val;
}
