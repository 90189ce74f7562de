/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MADT (ACPI 5.2.12, signature "APIC"): validation of the interrupt
 * controller structure list and decoding of local APIC / x2APIC CPUs,
 * I/O APICs, interrupt source overrides, NMI sources and local APIC NMIs.
 * Unknown entry types (GIC, RINTC, ...) are skipped by their length.
 */
#include "acpi_internal.h"

/* Returns the defined size of MADT entry `type`, or 0 for a type this
 * parser does not decode. */
static uint8_t acpi_madt_min_length(uint8_t type)
{
	switch (type) {
	case ACPI_MADT_TYPE_LAPIC:
		return sizeof(struct acpi_raw_madt_lapic);
	case ACPI_MADT_TYPE_IOAPIC:
		return sizeof(struct acpi_raw_madt_ioapic);
	case ACPI_MADT_TYPE_ISO:
		return sizeof(struct acpi_raw_madt_iso);
	case ACPI_MADT_TYPE_NMI_SOURCE:
		return sizeof(struct acpi_raw_madt_nmi_source);
	case ACPI_MADT_TYPE_LAPIC_NMI:
		return sizeof(struct acpi_raw_madt_lapic_nmi);
	case ACPI_MADT_TYPE_LAPIC_OVERRIDE:
		return sizeof(struct acpi_raw_madt_lapic_override);
	case ACPI_MADT_TYPE_X2APIC:
		return sizeof(struct acpi_raw_madt_x2apic);
	case ACPI_MADT_TYPE_X2APIC_NMI:
		return sizeof(struct acpi_raw_madt_x2apic_nmi);
	default:
		return 0;
	}
}

static struct acpi_cpu acpi_madt_cpu(uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2apic)
{
	return (struct acpi_cpu){
	        .apic_id = apic_id,
	        .uid = uid,
	        .enabled = (flags & ACPI_MADT_CPU_ENABLED) != 0,
	        .online_capable = (flags & ACPI_MADT_CPU_ONLINE_CAPABLE) != 0,
	        .x2apic = x2apic,
	};
}

/* Decodes the known entry at p (its defined size is readable) into e->u. */
static void acpi_madt_decode_known(const uint8_t *p, struct acpi_madt_entry *e)
{
	if (e->type == ACPI_MADT_TYPE_LAPIC) {
		struct acpi_raw_madt_lapic r;
		memcpy(&r, p, sizeof(r));
		e->u.cpu = acpi_madt_cpu(r.apic_id, r.processor_uid, r.flags, false);
	} else if (e->type == ACPI_MADT_TYPE_X2APIC) {
		struct acpi_raw_madt_x2apic r;
		memcpy(&r, p, sizeof(r));
		e->u.cpu = acpi_madt_cpu(r.x2apic_id, r.processor_uid, r.flags, true);
	} else if (e->type == ACPI_MADT_TYPE_IOAPIC) {
		struct acpi_raw_madt_ioapic r;
		memcpy(&r, p, sizeof(r));
		e->u.ioapic = (struct acpi_ioapic){r.ioapic_id, r.address, r.gsi_base};
	} else if (e->type == ACPI_MADT_TYPE_ISO) {
		struct acpi_raw_madt_iso r;
		memcpy(&r, p, sizeof(r));
		e->u.iso = (struct acpi_iso){r.bus, r.source, r.gsi, r.flags};
	} else if (e->type == ACPI_MADT_TYPE_NMI_SOURCE) {
		struct acpi_raw_madt_nmi_source r;
		memcpy(&r, p, sizeof(r));
		e->u.nmi_source = (struct acpi_iso){0, 0, r.gsi, r.flags};
	} else if (e->type == ACPI_MADT_TYPE_LAPIC_NMI) {
		struct acpi_raw_madt_lapic_nmi r;
		memcpy(&r, p, sizeof(r));
		e->u.nmi = (struct acpi_lapic_nmi){r.processor_uid, r.flags, r.lint};
	} else if (e->type == ACPI_MADT_TYPE_X2APIC_NMI) {
		struct acpi_raw_madt_x2apic_nmi r;
		memcpy(&r, p, sizeof(r));
		e->u.nmi = (struct acpi_lapic_nmi){r.processor_uid, r.flags, r.lint};
	} else if (e->type == ACPI_MADT_TYPE_LAPIC_OVERRIDE) {
		struct acpi_raw_madt_lapic_override r;
		memcpy(&r, p, sizeof(r));
		e->u.lapic_address = r.address;
	}
}

enum acpi_status acpi_madt_parse(const struct acpi_table *t, struct acpi_madt *out,
                                 uint32_t *err_off)
{
	struct acpi_raw_madt m;
	struct acpi_sub sub;
	bool overridden = false;

	if (!t || !out)
		return ACPI_E_ARG;
	if (!acpi_table_is(t, "APIC"))
		return acpi_fail(err_off, 0, ACPI_E_SIGNATURE);
	if (t->length < sizeof(m))
		return acpi_fail(err_off, 0, ACPI_E_TABLE_LENGTH);
	memcpy(&m, t->data, sizeof(m));
	uint64_t lapic = m.lapic_address;
	for (uint32_t off = sizeof(m); off < t->length; off += sub.length) {
		enum acpi_status st = acpi_sub_read(t->data, off, t->length, ACPI_SUB_MADT, &sub);
		if (st != ACPI_OK)
			return acpi_fail(err_off, off, st);
		uint8_t min = acpi_madt_min_length((uint8_t)sub.type);
		if (min && sub.length < min)
			return acpi_fail(err_off, off, ACPI_E_SUB_LENGTH);
		if (sub.type == ACPI_MADT_TYPE_LAPIC_OVERRIDE) {
			struct acpi_raw_madt_lapic_override r;
			if (overridden)
				return acpi_fail(err_off, off, ACPI_E_MADT_DUPLICATE);
			memcpy(&r, t->data + off, sizeof(r));
			lapic = r.address;
			overridden = true;
		}
	}
	out->lapic_address = lapic;
	out->flags = m.flags;
	acpi_iter_init(&out->entries, t->data, sizeof(m), t->length);
	return ACPI_OK;
}

bool acpi_madt_next(struct acpi_iter *it, struct acpi_madt_entry *e)
{
	struct acpi_sub sub;

	if (!it || !e || it->off >= it->end)
		return false;
	if (acpi_sub_read(it->base, it->off, it->end, ACPI_SUB_MADT, &sub) != ACPI_OK)
		return false;
	uint8_t min = acpi_madt_min_length((uint8_t)sub.type);
	if (min && sub.length < min)
		return false;
	struct acpi_madt_entry x = {
	        .type = (uint8_t)sub.type,
	        .length = (uint8_t)sub.length,
	        .offset = it->off,
	        .known = min != 0,
	};
	if (x.known)
		acpi_madt_decode_known(it->base + it->off, &x);
	*e = x;
	it->off += sub.length;
	return true;
}

size_t acpi_madt_cpus(const struct acpi_madt *madt, struct acpi_cpu *out, size_t cap)
{
	struct acpi_madt_entry e;
	size_t n = 0;

	if (!madt)
		return 0;
	struct acpi_iter it = madt->entries;
	while (acpi_madt_next(&it, &e)) {
		if (e.type != ACPI_MADT_TYPE_LAPIC && e.type != ACPI_MADT_TYPE_X2APIC)
			continue;
		if (out && n < cap)
			out[n] = e.u.cpu;
		n++;
	}
	return n;
}

size_t acpi_madt_ioapics(const struct acpi_madt *madt, struct acpi_ioapic *out, size_t cap)
{
	struct acpi_madt_entry e;
	size_t n = 0;

	if (!madt)
		return 0;
	struct acpi_iter it = madt->entries;
	while (acpi_madt_next(&it, &e)) {
		if (e.type != ACPI_MADT_TYPE_IOAPIC)
			continue;
		if (out && n < cap)
			out[n] = e.u.ioapic;
		n++;
	}
	return n;
}
