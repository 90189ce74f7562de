/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which CPU runs the caller, for tests in the root task and in processes:
 * its initial APIC ID (CPUID leaf 1, EBX bits 31:24). The kernel numbers
 * CPUs boot CPU first, then in the MADT's order; QEMU boots CPU 0 and
 * lists APIC IDs 0, 1, 2, ... in order, so under QEMU CPU n has APIC ID n.
 */
#ifndef WARD_TEST_WCPU_H
#define WARD_TEST_WCPU_H

/* The initial APIC ID of the CPU running the caller (CPUID leaf 1). */
static inline unsigned wt_apic_id(void)
{
	unsigned a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return b >> 24;
}

/* The kernel's index of the CPU running the caller (QEMU's numbering: see above). */
static inline unsigned wt_cpu_index(void)
{
	return wt_apic_id();
}

#endif
