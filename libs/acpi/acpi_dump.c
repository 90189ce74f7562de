/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * acpi-dump: host tool that decodes raw ACPI table files, one table per
 * file as `acpixtract -a` writes them (or as tools/acpi/capture-qemu-tables
 * captures them), with the Ward ACPI library. Each file is identified by
 * its signature ("RSD PTR " for an RSDP); MADT, MCFG, DMAR, IVRS, FADT,
 * RSDT/XSDT are decoded, other tables only checked. A table that fails
 * validation is reported with the library's error and the offset of the
 * offending structure.
 *
 * Usage: acpi-dump FILE...   Exit status: 0 all tables valid, 1 some table
 * bad or unreadable, 2 usage error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "acpi_tables.h"

#define DUMP_MAX_FILE (64u << 20)

/* Prints a PCI requestor ID (bus << 8 | devfn) as bb:dd.f. */
static void print_bdf(uint16_t id)
{
	printf("%02x:%02x.%x", id >> 8, (id >> 3) & 0x1f, id & 7);
}

static bool report(const char *name, const char *what, enum acpi_status st, uint32_t off)
{
	printf("%s: %s: error: %s (at offset 0x%" PRIx32 ")\n", name, what, acpi_strerror(st), off);
	return false;
}

static void print_cpu(const struct acpi_cpu *c)
{
	printf("  CPU: %s ID %" PRIu32 ", UID %" PRIu32 ", %s\n", c->x2apic ? "x2APIC" : "APIC",
	       c->apic_id, c->uid,
	       c->enabled          ? "enabled"
	       : c->online_capable ? "online-capable"
	                           : "disabled");
}

static void print_madt_entry(const struct acpi_madt_entry *e)
{
	switch (e->known ? e->type : 0xff) {
	case ACPI_MADT_TYPE_LAPIC:
	case ACPI_MADT_TYPE_X2APIC:
		print_cpu(&e->u.cpu);
		break;
	case ACPI_MADT_TYPE_IOAPIC:
		printf("  IOAPIC: ID %u, address 0x%08" PRIx32 ", GSI base %" PRIu32 "\n",
		       e->u.ioapic.id, e->u.ioapic.address, e->u.ioapic.gsi_base);
		break;
	case ACPI_MADT_TYPE_ISO:
		printf("  override: bus %u IRQ %u -> GSI %" PRIu32 ", flags 0x%x\n", e->u.iso.bus,
		       e->u.iso.source, e->u.iso.gsi, e->u.iso.flags);
		break;
	case ACPI_MADT_TYPE_NMI_SOURCE:
		printf("  NMI source: GSI %" PRIu32 ", flags 0x%x\n", e->u.nmi_source.gsi,
		       e->u.nmi_source.flags);
		break;
	case ACPI_MADT_TYPE_LAPIC_NMI:
	case ACPI_MADT_TYPE_X2APIC_NMI:
		printf("  local APIC NMI: UID 0x%" PRIx32 ", LINT%u, flags 0x%x\n", e->u.nmi.uid,
		       e->u.nmi.lint, e->u.nmi.flags);
		break;
	case ACPI_MADT_TYPE_LAPIC_OVERRIDE:
		printf("  local APIC address override: 0x%" PRIx64 "\n", e->u.lapic_address);
		break;
	default:
		printf("  unknown entry type 0x%02x, %u bytes (skipped)\n", e->type, e->length);
		break;
	}
}

static bool dump_madt(const char *name, const struct acpi_table *t)
{
	struct acpi_madt madt;
	struct acpi_madt_entry e;
	uint32_t off = 0;
	enum acpi_status st = acpi_madt_parse(t, &madt, &off);

	if (st != ACPI_OK)
		return report(name, "MADT", st, off);
	printf("  local APIC address 0x%08" PRIx64 ", flags 0x%" PRIx32 "%s\n", madt.lapic_address,
	       madt.flags, madt.flags & ACPI_MADT_PCAT_COMPAT ? " (PC-AT 8259s)" : "");
	struct acpi_iter it = madt.entries;
	while (acpi_madt_next(&it, &e))
		print_madt_entry(&e);
	printf("  %zu CPUs, %zu IOAPICs\n", acpi_madt_cpus(&madt, NULL, 0),
	       acpi_madt_ioapics(&madt, NULL, 0));
	return true;
}

static bool dump_mcfg(const char *name, const struct acpi_table *t)
{
	struct acpi_mcfg_window w[16];
	size_t n = 0;
	uint32_t off = 0;
	enum acpi_status st = acpi_mcfg_parse(t, w, 16, &n, &off);

	if (st != ACPI_OK)
		return report(name, "MCFG", st, off);
	for (size_t i = 0; i < n && i < 16; i++)
		printf("  ECAM: segment %u, buses %02x-%02x, base 0x%016" PRIx64 " (%u MiB)\n",
		       w[i].segment, w[i].start_bus, w[i].end_bus, w[i].base,
		       w[i].end_bus - w[i].start_bus + 1);
	if (n > 16)
		printf("  ... %zu more windows\n", n - 16);
	printf("  %zu ECAM windows\n", n);
	return true;
}

static const char *scope_type_name(uint8_t type)
{
	switch (type) {
	case ACPI_DMAR_SCOPE_ENDPOINT:
		return "PCI endpoint";
	case ACPI_DMAR_SCOPE_BRIDGE:
		return "PCI bridge";
	case ACPI_DMAR_SCOPE_IOAPIC:
		return "IOAPIC";
	case ACPI_DMAR_SCOPE_HPET:
		return "HPET";
	case ACPI_DMAR_SCOPE_NAMESPACE:
		return "ACPI namespace device";
	default:
		return "unknown scope type";
	}
}

static void print_scopes(struct acpi_iter it)
{
	struct acpi_dmar_scope s;

	while (acpi_dmar_scope_next(&it, &s)) {
		printf("    scope: %s (type %u), enumeration ID %u, bus %02x, path ",
		       scope_type_name(s.type), s.type, s.enumeration_id, s.start_bus);
		for (unsigned i = 0; i < s.path_len; i++)
			printf("%s%02x.%x", i ? "/" : "", s.path[i].device, s.path[i].function);
		printf("\n");
	}
}

static void print_dmar_unit(const struct acpi_dmar_unit *u)
{
	switch (u->known ? u->type : 0xffff) {
	case ACPI_DMAR_TYPE_DRHD:
		printf("  DRHD: segment %u, register base 0x%" PRIx64 ", flags 0x%x%s\n",
		       u->segment, u->base, u->flags,
		       u->flags & ACPI_DMAR_DRHD_INCLUDE_PCI_ALL ? " (INCLUDE_PCI_ALL)" : "");
		break;
	case ACPI_DMAR_TYPE_RMRR:
		printf("  RMRR: segment %u, 0x%" PRIx64 "-0x%" PRIx64 "\n", u->segment, u->base,
		       u->limit);
		break;
	case ACPI_DMAR_TYPE_ATSR:
	case ACPI_DMAR_TYPE_SATC:
		printf("  %s: segment %u, flags 0x%x%s\n",
		       u->type == ACPI_DMAR_TYPE_ATSR ? "ATSR" : "SATC", u->segment, u->flags,
		       u->type == ACPI_DMAR_TYPE_ATSR && (u->flags & ACPI_DMAR_ATSR_ALL_PORTS)
		               ? " (ALL_PORTS)"
		               : "");
		break;
	case ACPI_DMAR_TYPE_RHSA:
		printf("  RHSA: register base 0x%" PRIx64 ", proximity domain %" PRIu32 "\n",
		       u->base, u->proximity_domain);
		break;
	case ACPI_DMAR_TYPE_ANDD:
		printf("  ANDD: ACPI device number %u, name \"%.*s\"\n", u->acpi_device_number,
		       (int)u->name_len, u->name);
		break;
	case ACPI_DMAR_TYPE_SIDP:
		printf("  SIDP: segment %u\n", u->segment);
		break;
	default:
		printf("  unknown remapping structure type %u, %u bytes (skipped)\n", u->type,
		       u->length);
		break;
	}
}

static bool dump_dmar(const char *name, const struct acpi_table *t)
{
	struct acpi_dmar dmar;
	struct acpi_dmar_unit u;
	uint32_t off = 0;
	enum acpi_status st = acpi_dmar_parse(t, &dmar, &off);

	if (st != ACPI_OK)
		return report(name, "DMAR", st, off);
	printf("  host address width %u, flags 0x%x%s%s%s\n", dmar.host_address_width, dmar.flags,
	       dmar.flags & ACPI_DMAR_FLAG_INTR_REMAP ? " (INTR_REMAP)" : "",
	       dmar.flags & ACPI_DMAR_FLAG_X2APIC_OPT_OUT ? " (X2APIC_OPT_OUT)" : "",
	       dmar.flags & ACPI_DMAR_FLAG_DMA_CTRL_OPT_IN ? " (DMA_CTRL_PLATFORM_OPT_IN)" : "");
	struct acpi_iter it = dmar.units;
	while (acpi_dmar_next(&it, &u)) {
		print_dmar_unit(&u);
		print_scopes(u.scopes);
	}
	return true;
}

/* Prints an 8-byte HID/CID field: as text if printable, else as a number. */
static void print_hid(const uint8_t id[8])
{
	bool text = true;

	for (int i = 0; i < 8 && id[i]; i++)
		text = text && id[i] >= 0x20 && id[i] < 0x7f;
	if (text && id[0]) {
		printf("\"%.8s\"", (const char *)id);
	} else {
		uint64_t v;
		memcpy(&v, id, sizeof(v));
		printf("0x%" PRIx64, v);
	}
}

/* Prints an ACPI HID entry's UID: format 1 is an integer, 2 a string. */
static void print_uid(const struct acpi_ivhd_entry *e)
{
	uint64_t v = 0;

	if (e->uid_format == 2) {
		printf(", UID \"%.*s\"", e->uid_length, (const char *)e->uid);
	} else if (e->uid_format == 1 && e->uid_length <= sizeof(v)) {
		memcpy(&v, e->uid, e->uid_length);
		printf(", UID %" PRIu64, v);
	} else if (e->uid_length) {
		printf(", UID of %u bytes (format %u)", e->uid_length, e->uid_format);
	}
}

static void print_range(const char *what, const struct acpi_ivhd_entry *e)
{
	printf("    %s ", what);
	print_bdf(e->first);
	if (e->last != e->first) {
		printf("-");
		print_bdf(e->last);
	}
}

static void print_ivhd_entry(const struct acpi_ivhd_entry *e)
{
	switch (e->kind) {
	case ACPI_IVHD_KIND_PAD:
		printf("    padding\n");
		return;
	case ACPI_IVHD_KIND_ALL:
		printf("    all devices");
		break;
	case ACPI_IVHD_KIND_SELECT:
	case ACPI_IVHD_KIND_RANGE:
		print_range(e->kind == ACPI_IVHD_KIND_SELECT ? "select" : "range", e);
		break;
	case ACPI_IVHD_KIND_ALIAS_SELECT:
	case ACPI_IVHD_KIND_ALIAS_RANGE:
		print_range(e->kind == ACPI_IVHD_KIND_ALIAS_SELECT ? "alias select" : "alias range",
		            e);
		printf(" as ");
		print_bdf(e->source_id);
		break;
	case ACPI_IVHD_KIND_EXT_SELECT:
	case ACPI_IVHD_KIND_EXT_RANGE:
		print_range(e->kind == ACPI_IVHD_KIND_EXT_SELECT ? "ext select" : "ext range", e);
		printf(", ext data 0x%" PRIx32, e->ext_data);
		break;
	case ACPI_IVHD_KIND_SPECIAL:
		printf("    special %s handle %u, device ",
		       e->variety == ACPI_IVHD_VARIETY_IOAPIC ? "IOAPIC"
		       : e->variety == ACPI_IVHD_VARIETY_HPET ? "HPET"
		                                              : "(unknown variety)",
		       e->handle);
		print_bdf(e->source_id);
		break;
	case ACPI_IVHD_KIND_HID:
		print_range("ACPI device", e);
		printf(", HID ");
		print_hid(e->hid);
		printf(", CID ");
		print_hid(e->cid);
		print_uid(e);
		break;
	default:
		printf("    unknown entry type 0x%02x, %u bytes (skipped)\n", e->type, e->length);
		return;
	}
	printf(", data 0x%02x\n", e->data);
}

static void print_ivrs_block(const struct acpi_ivrs_block *b)
{
	struct acpi_ivhd_entry e;

	if (b->is_ivhd) {
		printf("  IVHD type 0x%02x: IOMMU ", b->type);
		print_bdf(b->device_id);
		printf(", segment %u, base 0x%" PRIx64 ", capability 0x%x, flags 0x%02x, "
		       "info 0x%x, features 0x%" PRIx32,
		       b->segment, b->iommu_base, b->capability_offset, b->flags, b->iommu_info,
		       b->features);
		if (b->type != ACPI_IVRS_TYPE_IVHD_10)
			printf(", EFR 0x%" PRIx64, b->efr_image);
		printf("\n");
		struct acpi_iter it = b->entries;
		while (acpi_ivhd_next(&it, &e))
			print_ivhd_entry(&e);
	} else if (b->is_ivmd) {
		printf("  IVMD type 0x%02x: devices ", b->type);
		print_bdf(b->device_id);
		printf("-");
		print_bdf(b->last_device_id);
		printf(", 0x%" PRIx64 " + 0x%" PRIx64 ", flags 0x%02x\n", b->start, b->mem_length,
		       b->flags);
	} else {
		printf("  unknown block type 0x%02x, %u bytes (skipped)\n", b->type, b->length);
	}
}

static bool dump_ivrs(const char *name, const struct acpi_table *t)
{
	struct acpi_ivrs ivrs;
	struct acpi_ivrs_block b;
	uint32_t off = 0;
	enum acpi_status st = acpi_ivrs_parse(t, &ivrs, &off);

	if (st != ACPI_OK)
		return report(name, "IVRS", st, off);
	printf("  IVinfo 0x%08" PRIx32 " (PA size %u, VA size %u, GVA size code %u)\n",
	       ivrs.iv_info, (ivrs.iv_info >> 8) & 0x7f, (ivrs.iv_info >> 15) & 0x7f,
	       (ivrs.iv_info >> 5) & 7);
	struct acpi_iter it = ivrs.blocks;
	while (acpi_ivrs_next(&it, &b))
		print_ivrs_block(&b);
	return true;
}

static bool dump_fadt(const char *name, const struct acpi_table *t)
{
	struct acpi_fadt f;
	uint32_t off = 0;
	enum acpi_status st = acpi_fadt_parse(t, &f, &off);

	if (st != ACPI_OK)
		return report(name, "FACP", st, off);
	printf("  DSDT 0x%" PRIx64 ", FACS 0x%" PRIx64 ", SCI %u, flags 0x%" PRIx32
	       ", boot arch 0x%x%s%s\n",
	       f.dsdt, f.facs, f.sci_int, f.flags, f.iapc_boot_arch,
	       f.iapc_boot_arch & ACPI_FADT_BOOT_NO_MSI ? " (MSI not supported)" : "",
	       f.iapc_boot_arch & ACPI_FADT_BOOT_8042 ? " (8042)" : "");
	return true;
}

static bool dump_root(const char *name, const struct acpi_table *t)
{
	struct acpi_root root;
	uint32_t off = 0;
	enum acpi_status st = acpi_root_parse(t, &root, &off);

	if (st != ACPI_OK)
		return report(name, t->signature, st, off);
	printf("  %" PRIu32 " entries:", root.count);
	for (uint32_t i = 0; i < root.count; i++)
		printf(" 0x%" PRIx64, acpi_root_entry(&root, i));
	printf("\n");
	return true;
}

static bool dump_rsdp(const char *name, const uint8_t *buf, size_t len)
{
	struct acpi_rsdp r;
	enum acpi_status st = acpi_rsdp_parse(buf, len, &r);

	if (st != ACPI_OK)
		return report(name, "RSDP", st, 0);
	printf("%s: RSDP revision %u (ACPI %s), OEM \"%s\", RSDT 0x%08" PRIx32, name, r.revision,
	       r.revision >= 2 ? "2.0+" : "1.0", r.oem_id, r.rsdt);
	if (r.revision >= 2)
		printf(", XSDT 0x%016" PRIx64, r.xsdt);
	printf("\n");
	return true;
}

/* Returns the first four bytes as text if they look like a signature,
 * else "table". */
static const char *signature_label(const uint8_t *buf, size_t len)
{
	static char sig[5];

	if (len < 4)
		return "table";
	for (int i = 0; i < 4; i++) {
		if (buf[i] < 0x20 || buf[i] >= 0x7f)
			return "table";
		sig[i] = (char)buf[i];
	}
	return sig;
}

/* Identifies and dumps one file's bytes; returns false if it is bad. */
static bool dump_buffer(const char *name, const uint8_t *buf, size_t len)
{
	struct acpi_table t;
	uint32_t facs_len;

	if (len >= 8 && memcmp(buf, ACPI_RSDP_SIGNATURE, 8) == 0)
		return dump_rsdp(name, buf, len);
	if (len >= 4 && memcmp(buf, "FACS", 4) == 0) {
		enum acpi_status st = acpi_facs_check(buf, len, &facs_len);
		if (st != ACPI_OK)
			return report(name, "FACS", st, 0);
		printf("%s: FACS, %" PRIu32 " bytes (has no checksum)\n", name, facs_len);
		return true;
	}
	enum acpi_status st = acpi_table_check(buf, len, &t);
	if (st != ACPI_OK)
		return report(name, signature_label(buf, len), st, 0);
	printf("%s: %s revision %u, %" PRIu32 " bytes, OEM \"%s\" \"%s\", checksum ok\n", name,
	       t.signature, t.revision, t.length, t.oem_id, t.oem_table_id);
	if (acpi_table_is(&t, "APIC"))
		return dump_madt(name, &t);
	if (acpi_table_is(&t, "MCFG"))
		return dump_mcfg(name, &t);
	if (acpi_table_is(&t, "DMAR"))
		return dump_dmar(name, &t);
	if (acpi_table_is(&t, "IVRS"))
		return dump_ivrs(name, &t);
	if (acpi_table_is(&t, "FACP"))
		return dump_fadt(name, &t);
	if (acpi_table_is(&t, "RSDT") || acpi_table_is(&t, "XSDT"))
		return dump_root(name, &t);
	printf("  (contents not decoded)\n");
	return true;
}

/* Reads a whole file into a malloc()ed buffer; returns NULL on failure. */
static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0;

	if (!f)
		return NULL;
	buf = malloc(DUMP_MAX_FILE);
	if (buf)
		n = fread(buf, 1, DUMP_MAX_FILE, f);
	if (buf && (ferror(f) || n == DUMP_MAX_FILE)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr,
		        "usage: %s FILE...\n"
		        "Decodes raw ACPI tables (one per file, as acpixtract -a "
		        "writes them).\n",
		        argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		size_t len = 0;
		uint8_t *buf = read_file(argv[i], &len);
		if (!buf) {
			printf("%s: error: cannot read the file\n", argv[i]);
			bad = 1;
			continue;
		}
		if (!dump_buffer(argv[i], buf, len))
			bad = 1;
		free(buf);
	}
	return bad;
}
