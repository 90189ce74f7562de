/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IOAPIC redirection entries. The IOREGSEL/IOWIN pair is not atomic, so
 * everything here runs on the boot CPU before the others start or under
 * the kernel lock. The IOAPICs themselves are described by platform_desc
 * (acpi_boot.c); ioapic_init() fills in their entry counts.
 */
#include <kernel/printf.h>
#include "acpi_boot.h"
#include "ioapic.h"
#include "memory_layout.h"
#include "paging.h"
#include "x86_regs.h"

static uint32_t ioapic_read(const struct platform_ioapic *io, unsigned reg)
{
	volatile uint32_t *regs = phys_to_virt(io->phys);

	regs[IOAPIC_IOREGSEL / 4] = reg;
	return regs[IOAPIC_IOWIN / 4];
}

static void ioapic_write(const struct platform_ioapic *io, unsigned reg, uint32_t v)
{
	volatile uint32_t *regs = phys_to_virt(io->phys);

	regs[IOAPIC_IOREGSEL / 4] = reg;
	regs[IOAPIC_IOWIN / 4] = v;
}

/* The IOAPIC with `gsi` and the GSI's entry index in it; NULL if none. */
static const struct platform_ioapic *ioapic_of(unsigned gsi, unsigned *entry)
{
	for (unsigned i = 0; i < platform_desc.ioapic_count; i++) {
		const struct platform_ioapic *io = &platform_desc.ioapics[i];
		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->entries) {
			*entry = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

static bool gsis_taken(unsigned first, unsigned count)
{
	for (unsigned i = 0; i < platform_desc.ioapic_count; i++) {
		const struct platform_ioapic *io = &platform_desc.ioapics[i];
		if (io->entries != 0 && first < io->gsi_base + io->entries &&
		    io->gsi_base < first + count)
			return true;
	}
	return false;
}

void ioapic_init(const struct ward_mem_region *regions, size_t region_count)
{
	for (unsigned i = 0; i < platform_desc.ioapic_count; i++) {
		struct platform_ioapic *io = &platform_desc.ioapics[i];
		if (phys_range_touches(regions, region_count, WARD_MEM_FREE,
		                       io->phys & ~(PAGE_SIZE - 1), PAGE_SIZE)) {
			kprintf("IOAPIC %u at %08x lies in RAM: ignored", io->id, io->phys);
			continue;
		}
		unsigned entries = IOAPIC_VER_MAX_ENTRY(ioapic_read(io, IOAPIC_REG_VER)) + 1;
		if (gsis_taken(io->gsi_base, entries)) {
			kprintf("IOAPIC %u: GSIs %u-%u overlap another IOAPIC's: ignored", io->id,
			        io->gsi_base, io->gsi_base + entries - 1);
			continue;
		}
		for (unsigned e = 0; e < entries; e++) {
			ioapic_write(io, IOAPIC_REG_REDTBL_LO(e), IOAPIC_RTE_MASKED);
			ioapic_write(io, IOAPIC_REG_REDTBL_HI(e), 0);
		}
		io->entries = entries;
		kprintf("IOAPIC %u at %08x: GSIs %u-%u, all masked", io->id, io->phys, io->gsi_base,
		        io->gsi_base + entries - 1);
	}
}

enum ward_error ioapic_route(unsigned gsi, unsigned vector, bool level_triggered, bool active_low,
                             unsigned dest_apic_id)
{
	unsigned entry;
	const struct platform_ioapic *io = ioapic_of(gsi, &entry);

	if (io == NULL || dest_apic_id > IOAPIC_MAX_DEST_ID)
		return WARD_ERR_RANGE;
	if (vector < VEC_DEVICE_FIRST || vector > VEC_DEVICE_LAST)
		return WARD_ERR_INVALID_ARGUMENT;
	uint64_t rte = ioapic_rte(vector, level_triggered, active_low, dest_apic_id);
	/* Low half first: its mask bit covers the moment the halves disagree. */
	ioapic_write(io, IOAPIC_REG_REDTBL_LO(entry), (uint32_t)(rte | IOAPIC_RTE_MASKED));
	ioapic_write(io, IOAPIC_REG_REDTBL_HI(entry), rte >> 32);
	return WARD_OK;
}

static enum ward_error set_mask(unsigned gsi, bool masked)
{
	unsigned entry;
	const struct platform_ioapic *io = ioapic_of(gsi, &entry);

	if (io == NULL)
		return WARD_ERR_RANGE;
	uint32_t lo = ioapic_read(io, IOAPIC_REG_REDTBL_LO(entry));
	if (!masked && (lo & IOAPIC_RTE_VECTOR_MASK) < VEC_DEVICE_FIRST)
		return WARD_ERR_INVALID_ARGUMENT;
	lo = masked ? lo | IOAPIC_RTE_MASKED : lo & ~IOAPIC_RTE_MASKED;
	ioapic_write(io, IOAPIC_REG_REDTBL_LO(entry), lo);
	return WARD_OK;
}

enum ward_error ioapic_mask(unsigned gsi)
{
	return set_mask(gsi, true);
}

enum ward_error ioapic_unmask(unsigned gsi)
{
	return set_mask(gsi, false);
}

enum ward_error ioapic_isa_to_gsi(unsigned irq, uint32_t *gsi, bool *level, bool *active_low)
{
	return acpi_boot_isa_irq(&platform_desc, irq, gsi, level, active_low);
}
