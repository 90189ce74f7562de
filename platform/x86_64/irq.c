/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The platform half of interrupt and I/O-port capabilities: vectors from
 * the device range, MSI compatibility-format messages and IOAPIC routes,
 * all aimed at the boot CPU's LAPIC. Big kernel lock.
 */
#include <kernel/platform.h>
#include "ioapic.h"
#include "ioport.h"
#include "msi.h"
#include "percpu.h"

enum ward_error platform_irq_msi_alloc(unsigned *vector, uint64_t *address, uint32_t *data)
{
	enum ward_error err = msi_vector_alloc(vector);

	if (err != WARD_OK)
		return err;
	err = msi_compose(*vector, boot_cpu.apic_id, address, data);
	if (err != WARD_OK)
		msi_vector_free(*vector);
	return err;
}

enum ward_error platform_irq_ioapic_alloc(unsigned gsi, bool level, bool active_low,
                                          unsigned *vector)
{
	enum ward_error err = msi_vector_alloc(vector);

	if (err != WARD_OK)
		return err;
	err = ioapic_route(gsi, *vector, level, active_low, boot_cpu.apic_id);
	if (err != WARD_OK)
		msi_vector_free(*vector);
	return err;
}

void platform_irq_free(unsigned vector, bool ioapic, unsigned gsi)
{
	if (ioapic)
		ioapic_mask(gsi);
	msi_vector_free(vector);
}

void platform_irq_set_masked(unsigned gsi, bool masked)
{
	if (masked)
		ioapic_mask(gsi);
	else
		ioapic_unmask(gsi);
}

uint32_t platform_ioport_in(uint16_t port, unsigned width)
{
	return ioport_in(port, width);
}

void platform_ioport_out(uint16_t port, unsigned width, uint32_t value)
{
	ioport_out(port, width, value);
}
