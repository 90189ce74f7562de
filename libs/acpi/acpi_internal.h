/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers shared by the ACPI parser's translation units: bounds checks that
 * cannot overflow, the byte sum, and the reader for the type/length header
 * that starts every MADT entry, DMAR remapping structure and IVRS block.
 * Not part of the public API.
 */
#ifndef WARD_ACPI_INTERNAL_H
#define WARD_ACPI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "acpi.h"
#include "acpi_tables.h"

/* True when [off, off + len) lies within [0, end); never overflows. */
static inline bool acpi_fits(uint32_t off, uint32_t len, uint32_t end)
{
	return off <= end && len <= end - off;
}

/* Stores `off` in *err_off (if not NULL) and returns `status`. */
static inline enum acpi_status acpi_fail(uint32_t *err_off, uint32_t off, enum acpi_status status)
{
	if (err_off)
		*err_off = off;
	return status;
}

static inline void acpi_iter_init(struct acpi_iter *it, const uint8_t *base, uint32_t off,
                                  uint32_t end)
{
	it->base = base;
	it->off = off;
	it->end = end;
}

/* Returns the 8-bit sum of p[0..len). */
uint8_t acpi_sum(const void *p, size_t len);

/* Copies `n` bytes of a NUL-free-or-not string field and terminates it. */
void acpi_copy_str(char *dst, const char *src, size_t n);

/* The three sub-structure header shapes. */
enum acpi_sub_layout {
	ACPI_SUB_MADT, /* u8 type, u8 length */
	ACPI_SUB_DMAR, /* u16 type, u16 length */
	ACPI_SUB_IVRS, /* u8 type, u8 flags, u16 length */
};

struct acpi_sub {
	uint16_t type;
	uint16_t length;
};

/* Reads the header of the sub-structure at base + off, where off < end.
 * Returns ACPI_OK with *out filled when its length covers at least its own
 * header and the whole structure lies before `end`; ACPI_E_SUB_LENGTH for
 * a shorter (e.g. zero) length; ACPI_E_SUB_OVERRUN when the header or the
 * structure crosses `end`. *out is unchanged on error. */
enum acpi_status acpi_sub_read(const uint8_t *base, uint32_t off, uint32_t end,
                               enum acpi_sub_layout layout, struct acpi_sub *out);

#endif /* WARD_ACPI_INTERNAL_H */
