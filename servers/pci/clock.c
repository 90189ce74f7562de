/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Time for the waits the PCI specifications mandate (100 ms after FLR or
 * VF Enable, 10 ms after D3hot -> D0, ...). The server has no timer: it
 * reads the TSC, whose rate its starter passes in (the boot information's
 * tsc_hz), and yields while it waits so that other threads of its
 * priority can run. The waits are short and rare (resets, SR-IOV changes)
 * and the server is one thread, so blocking every client meanwhile is the
 * simple and correct choice: no request may see a function mid-reset.
 */
#include "pci_state.h"

static uint64_t pci_rdtsc(void)
{
	uint32_t lo, hi;

	/* lfence: not before the configuration accesses issued ahead of it. */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t pci_clock_ms(const struct pci_server *s)
{
	return pci_rdtsc() / (s->cfg.tsc_hz / 1000);
}

void pci_delay_ms(const struct pci_server *s, unsigned ms)
{
	uint64_t end = pci_rdtsc() + s->cfg.tsc_hz / 1000 * ms;

	while (pci_rdtsc() < end)
		ward_yield();
}
