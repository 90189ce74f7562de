/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * I/O APICs (Intel 82093AA datasheet, §3; later IOAPICs keep its layout):
 * each owns the GSIs [gsi_base, gsi_base + entries) of platform_desc. Every
 * redirection entry is masked at boot; a route leaves its entry masked
 * until ioapic_unmask().
 */
#ifndef X86_IOAPIC_H
#define X86_IOAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ward/bootinfo.h>
#include <ward/errors.h>

/* Registers, reached by writing the index to IOREGSEL and then using IOWIN (§3.1, §3.2). */
#define IOAPIC_IOREGSEL         0x00
#define IOAPIC_IOWIN            0x10
#define IOAPIC_REG_VER          0x01
#define IOAPIC_VER_MAX_ENTRY(v) (((v) >> 16) & 0xff) /* the last entry's index */
#define IOAPIC_REG_REDTBL_LO(n) (0x10 + 2 * (n))
#define IOAPIC_REG_REDTBL_HI(n) (0x11 + 2 * (n))

/* Redirection table entry (§3.2.4). */
#define IOAPIC_RTE_VECTOR_MASK    0xffULL
#define IOAPIC_RTE_DELIVERY_FIXED (0ULL << 8)
#define IOAPIC_RTE_DEST_PHYSICAL  (0ULL << 11)
#define IOAPIC_RTE_ACTIVE_LOW     (1ULL << 13)
#define IOAPIC_RTE_LEVEL          (1ULL << 15)
#define IOAPIC_RTE_MASKED         (1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT     56
#define IOAPIC_MAX_DEST_ID        0xff

/* The unmasked entry delivering `vector` (fixed, physical) to `dest_apic_id`. */
static inline uint64_t ioapic_rte(unsigned vector, bool level, bool active_low,
                                  unsigned dest_apic_id)
{
	return ((uint64_t)dest_apic_id << IOAPIC_RTE_DEST_SHIFT) | IOAPIC_RTE_DEST_PHYSICAL |
	       IOAPIC_RTE_DELIVERY_FIXED | (level ? IOAPIC_RTE_LEVEL : 0) |
	       (active_low ? IOAPIC_RTE_ACTIVE_LOW : 0) | (vector & IOAPIC_RTE_VECTOR_MASK);
}

/*
 * Reads each IOAPIC's entry count and masks every entry. Skips (and logs)
 * an IOAPIC whose registers would lie in RAM or whose GSIs overlap one
 * before it: a bad MADT must not make the kernel write to memory.
 */
void ioapic_init(const struct ward_mem_region *regions, size_t region_count);

/*
 * Programs `gsi` to deliver `vector` (a device vector) to `dest_apic_id`,
 * masked. WARD_ERR_RANGE if no IOAPIC has the GSI or the ID is too wide,
 * WARD_ERR_INVALID_ARGUMENT if the vector is not a device vector.
 */
enum ward_error ioapic_route(unsigned gsi, unsigned vector, bool level_triggered, bool active_low,
                             unsigned dest_apic_id);

/* WARD_ERR_RANGE if no IOAPIC has the GSI; unmask also refuses a GSI never
 * routed (WARD_ERR_INVALID_ARGUMENT), which would raise vector 0. */
enum ward_error ioapic_mask(unsigned gsi);
enum ward_error ioapic_unmask(unsigned gsi);

/* ISA IRQ -> GSI through the MADT's overrides; see acpi_boot_isa_irq(). */
enum ward_error ioapic_isa_to_gsi(unsigned irq, uint32_t *gsi, bool *level, bool *active_low);

#endif
