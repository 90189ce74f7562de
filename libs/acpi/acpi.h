/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ward's ACPI table parser: finds and validates the RSDP, walks the
 * RSDT/XSDT, and decodes the tables the platform servers need: MADT (CPUs,
 * IOAPICs, overrides), MCFG (ECAM windows), DMAR (Intel VT-d units, device
 * scopes, RMRRs) and IVRS (AMD IOMMUs and their device entries), plus the
 * FADT's pointers to DSDT and FACS.
 *
 * The library is freestanding apart from <string.h>: no allocation, no
 * I/O. Every table is validated in full (checksum, header length, each
 * sub-structure's length and bounds) before anything from it is returned;
 * a bad table yields an enum acpi_status naming the problem and the
 * offset of the offending structure, and nothing else.
 *
 * Results come as small structs plus iterators (struct acpi_iter) over the
 * validated table memory, or in caller-supplied arrays whose functions
 * return the total so the caller can see truncation. Pointers in results
 * point into the table buffer and live as long as it does.
 */
#ifndef WARD_ACPI_H
#define WARD_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi_tables.h" /* type codes and flags: ACPI_MADT_TYPE_*, ACPI_DMAR_* ... */

enum acpi_status {
	ACPI_OK = 0,
	ACPI_E_ARG,                /* NULL pointer or impossible argument */
	ACPI_E_NOT_FOUND,          /* no such RSDP / table / entry */
	ACPI_E_MAP,                /* the map callback could not map a range */
	ACPI_E_SHORT_BUFFER,       /* fewer bytes than the fixed header needs */
	ACPI_E_SIGNATURE,          /* not the expected signature */
	ACPI_E_CHECKSUM,           /* bytes do not sum to zero */
	ACPI_E_EXT_CHECKSUM,       /* RSDP 2.0 extended checksum wrong */
	ACPI_E_RSDP_LENGTH,        /* RSDP 2.0 length below 36 or past the buffer */
	ACPI_E_TABLE_LENGTH,       /* header length below the table's fixed part */
	ACPI_E_TABLE_TOO_LARGE,    /* header length above ACPI_TABLE_MAX_LENGTH */
	ACPI_E_TABLE_CHANGED,      /* length changed between two mappings */
	ACPI_E_LENGTH_PAST_BUFFER, /* header length larger than the bytes there */
	ACPI_E_ADDRESS_OVERFLOW,   /* physical address + length wraps around */
	ACPI_E_ROOT_ENTRIES,       /* RSDT/XSDT entries not whole 4/8-byte addresses */
	ACPI_E_SUB_LENGTH,         /* sub-structure length zero or below its minimum */
	ACPI_E_SUB_OVERRUN,        /* sub-structure runs past the end of its parent */
	ACPI_E_MCFG_PARTIAL,       /* MCFG ends with a partial allocation entry */
	ACPI_E_MCFG_BUS_RANGE,     /* MCFG start bus above end bus */
	ACPI_E_MADT_DUPLICATE,     /* two local APIC address override entries */
	ACPI_E_SCOPE_LENGTH,       /* DMAR device scope shorter than 8 or odd */
	ACPI_E_SCOPE_OVERRUN,      /* DMAR device scope past its remapping structure */
	ACPI_E_DMAR_REGISTER_BASE, /* DRHD/RHSA register base zero or not page aligned */
	ACPI_E_DMAR_RMRR_RANGE,    /* RMRR limit below base */
	ACPI_E_IVHD_ENTRY_OVERRUN, /* IVHD device entry past the end of its block */
	ACPI_E_IVHD_ENTRY_TYPE,    /* IVHD entry of a type whose length is unknown */
	ACPI_E_IVHD_RANGE,         /* start without end, end without start, end < start */
	ACPI_E_IVHD_IOMMU_BASE,    /* IVHD IOMMU base zero or not page aligned */
	ACPI_E_IVMD_RANGE,         /* IVMD start + length wraps, or bad device range */
	ACPI_E_COUNT               /* number of codes; not an error */
};

/* Returns a short constant English description of `status` ("checksum
 * mismatch", ...); never NULL, also for values outside the enum. */
const char *acpi_strerror(enum acpi_status status);

/* ---- Generic tables ------------------------------------------------------ */

/* A table whose header and checksum have been validated. */
struct acpi_table {
	const uint8_t *data; /* the table, header included */
	uint32_t length;     /* from the header; data[0..length) is readable */
	char signature[5];   /* NUL-terminated */
	uint8_t revision;
	char oem_id[7];       /* NUL-terminated */
	char oem_table_id[9]; /* NUL-terminated */
	uint32_t oem_revision;
	uint64_t phys; /* where it was mapped from; 0 for a plain buffer */
};

/* A cursor over validated sub-structures; `base` is the table start and
 * offsets are relative to it. Only the library's *_next() functions move it. */
struct acpi_iter {
	const uint8_t *base;
	uint32_t off;
	uint32_t end;
};

/* Checks that buf[0..len) starts with a table: at least a 36-byte header,
 * a header length in [36, len] and a zero byte sum over that length.
 * Returns ACPI_OK and fills *out; on error *out is unchanged. */
enum acpi_status acpi_table_check(const void *buf, size_t len, struct acpi_table *out);

/* True when `t` has signature `sig` (4 characters). */
bool acpi_table_is(const struct acpi_table *t, const char *sig);

/* Checks a FACS (ACPI 5.2.10), which has no checksum: signature "FACS",
 * length in [64, len]. Returns ACPI_OK and stores the length in *length
 * (may be NULL); on error *length is unchanged. */
enum acpi_status acpi_facs_check(const void *buf, size_t len, uint32_t *length);

/* ---- RSDP, RSDT/XSDT (ACPI 5.2.5, 5.2.7, 5.2.8) ------------------------- */

struct acpi_rsdp {
	uint8_t revision; /* 0: ACPI 1.0, 2: ACPI 2.0+ */
	char oem_id[7];
	uint32_t rsdt;   /* physical address, may be 0 on 2.0+ */
	uint64_t xsdt;   /* physical address; 0 for revision 0 */
	uint32_t length; /* bytes validated: 20 or the 2.0 length field */
};

/* Validates an RSDP at buf[0..len): signature, checksum over 20 bytes and,
 * for revision >= 2, the length field (>= 36, <= len) and the extended
 * checksum. Returns ACPI_OK and fills *out; on error *out is unchanged. */
enum acpi_status acpi_rsdp_parse(const void *buf, size_t len, struct acpi_rsdp *out);

/* Scans area[0..len) on 16-byte boundaries (the BIOS area 0xe0000-0xfffff
 * or the EBDA's first KiB, ACPI 5.2.5.1) for a valid RSDP. Returns ACPI_OK
 * with its offset in *offset, or ACPI_E_NOT_FOUND (*offset unchanged). */
enum acpi_status acpi_rsdp_find(const void *area, size_t len, size_t *offset);

struct acpi_root {
	const struct acpi_table *table; /* the RSDT or XSDT */
	uint32_t entry_size;            /* 4 (RSDT) or 8 (XSDT) */
	uint32_t count;                 /* number of table addresses */
};

/* Validates a checked RSDT or XSDT: the entry area must hold whole 4- or
 * 8-byte addresses. Returns ACPI_OK and fills *out (which keeps the `t`
 * pointer); on error *out is unchanged and *err_off (if not NULL) is set to
 * the offset of the offending bytes, as for every *_parse() below. */
enum acpi_status acpi_root_parse(const struct acpi_table *t, struct acpi_root *out,
                                 uint32_t *err_off);

/* Returns the physical address of entry `index`, or 0 if out of range. */
uint64_t acpi_root_entry(const struct acpi_root *root, uint32_t index);

/* ---- Walking tables in physical memory ---------------------------------- */

/* How the library reaches physical memory: map() returns a readable
 * pointer to [phys, phys + len) or NULL; unmap() (may be NULL) releases a
 * mapping that map() returned. */
struct acpi_map_ops {
	const void *(*map)(void *ctx, uint64_t phys, size_t len);
	void (*unmap)(void *ctx, const void *ptr, size_t len);
	void *ctx;
};

/* Largest table acpi_table_map() accepts (a sanity bound for the mapping). */
#define ACPI_TABLE_MAX_LENGTH (64u << 20)

/* Maps and checks the table at `phys`: maps its header, reads the length,
 * maps the whole table and validates it as acpi_table_check() does.
 * Returns ACPI_OK with *out describing the mapping (release it with
 * acpi_table_unmap()); on error nothing stays mapped, *out is unchanged. */
enum acpi_status acpi_table_map(const struct acpi_map_ops *ops, uint64_t phys,
                                struct acpi_table *out);

/* Releases a table that acpi_table_map() mapped. */
void acpi_table_unmap(const struct acpi_map_ops *ops, const struct acpi_table *t);

/* Called by acpi_walk() once per table reached: with status ACPI_OK and the
 * mapped table, or with the error and t == NULL for a table that failed
 * validation (it is skipped). The mapping is released after the call.
 * Return true to go on, false to stop the walk. */
typedef bool (*acpi_visit_fn)(void *arg, uint64_t phys, enum acpi_status status,
                              const struct acpi_table *t);

/* Walks every table reachable from the RSDP at `rsdp_phys`: the XSDT
 * (or, if the RSDP has none or it is invalid, the RSDT), each table it
 * lists (null entries are skipped), and after a FADT the DSDT it names.
 * Returns ACPI_OK if the RSDP and a root table were valid or `visit`
 * stopped the walk (bad tables are reported to `visit` only);
 * ACPI_E_NOT_FOUND if the RSDP names no root table; otherwise the error of
 * the RSDP or of the last root table tried. */
enum acpi_status acpi_walk(const struct acpi_map_ops *ops, uint64_t rsdp_phys, acpi_visit_fn visit,
                           void *arg);

/* Finds the `instance`-th (from 0) valid table with signature `sig` as
 * acpi_walk() would reach it, and returns it mapped in *out (release it
 * with acpi_table_unmap()). Returns ACPI_E_NOT_FOUND if there is none, or
 * the error that prevented the walk; *out is then unchanged. */
enum acpi_status acpi_find_table(const struct acpi_map_ops *ops, uint64_t rsdp_phys,
                                 const char *sig, uint32_t instance, struct acpi_table *out);

/* ---- FADT (ACPI 5.2.9, signature "FACP") -------------------------------- */

struct acpi_fadt {
	uint64_t dsdt;           /* X_DSDT if set, else DSDT; 0 if none */
	uint64_t facs;           /* X_FIRMWARE_CTRL if set, else FIRMWARE_CTRL */
	uint32_t flags;          /* fixed feature flags */
	uint16_t iapc_boot_arch; /* 0 for an ACPI 1.0 FADT */
	uint16_t sci_int;
};

#define ACPI_FADT_BOOT_LEGACY_DEVICES (1u << 0)
#define ACPI_FADT_BOOT_8042           (1u << 1)
#define ACPI_FADT_BOOT_NO_VGA         (1u << 2)
#define ACPI_FADT_BOOT_NO_MSI         (1u << 3)
#define ACPI_FADT_BOOT_NO_ASPM        (1u << 4)
#define ACPI_FADT_BOOT_NO_CMOS_RTC    (1u << 5)

/* Decodes a checked FADT of at least the ACPI 1.0 size (116 bytes). Fields
 * beyond the table's length read as 0. Returns ACPI_OK and fills *out; on
 * error *out is unchanged. */
enum acpi_status acpi_fadt_parse(const struct acpi_table *t, struct acpi_fadt *out,
                                 uint32_t *err_off);

/* ---- MADT (ACPI 5.2.12, signature "APIC") -------------------------------- */

struct acpi_madt {
	uint64_t lapic_address; /* from the override entry if present */
	uint32_t flags;         /* ACPI_MADT_PCAT_COMPAT */
	struct acpi_iter entries;
};

struct acpi_cpu {
	uint32_t apic_id;    /* local APIC or x2APIC ID */
	uint32_t uid;        /* ACPI processor UID */
	bool enabled;        /* usable now */
	bool online_capable; /* may be enabled at run time (ACPI 6.3+) */
	bool x2apic;         /* from a Processor Local x2APIC entry */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;
};

struct acpi_iso { /* Interrupt Source Override */
	uint8_t bus;
	uint8_t source;
	uint32_t gsi;
	uint16_t flags; /* polarity bits 1:0 (1 high, 3 low), trigger 3:2 (1 edge, 3 level) */
};

struct acpi_lapic_nmi { /* Local APIC / x2APIC NMI */
	uint32_t uid;   /* 0xff (LAPIC) or 0xffffffff (x2APIC): all processors */
	uint16_t flags;
	uint8_t lint;
};

struct acpi_madt_entry {
	uint8_t type; /* enum acpi_madt_type or another (unknown) type */
	uint8_t length;
	uint32_t offset; /* in the table */
	bool known;      /* false: skipped by length, only type/length valid */
	union {
		struct acpi_cpu cpu;        /* LAPIC, X2APIC */
		struct acpi_ioapic ioapic;  /* IOAPIC */
		struct acpi_iso iso;        /* ISO */
		struct acpi_iso nmi_source; /* NMI_SOURCE (bus/source zero) */
		struct acpi_lapic_nmi nmi;  /* LAPIC_NMI, X2APIC_NMI */
		uint64_t lapic_address;     /* LAPIC_OVERRIDE */
	} u;
};

/* Validates a checked MADT: each entry at least 2 bytes and inside the
 * table, known entries at least their defined size (longer is accepted),
 * at most one local APIC address override. Returns ACPI_OK and fills *out;
 * on error *out is unchanged. */
enum acpi_status acpi_madt_parse(const struct acpi_table *t, struct acpi_madt *out,
                                 uint32_t *err_off);

/* Decodes the next entry at *it into *e and advances; returns false (with
 * *e unchanged) at the end or on bytes that do not form an entry. */
bool acpi_madt_next(struct acpi_iter *it, struct acpi_madt_entry *e);

/* Stores up to `cap` CPUs (local APIC and x2APIC entries, in table order)
 * in out[] and returns how many the MADT lists; more than `cap` means the
 * array was too small. `out` may be NULL when `cap` is 0. */
size_t acpi_madt_cpus(const struct acpi_madt *madt, struct acpi_cpu *out, size_t cap);

/* As acpi_madt_cpus(), for I/O APICs. */
size_t acpi_madt_ioapics(const struct acpi_madt *madt, struct acpi_ioapic *out, size_t cap);

/* ---- MCFG (PCI Firmware Spec 4.1.2) -------------------------------------- */

struct acpi_mcfg_window {
	uint64_t base; /* ECAM address of bus start_bus */
	uint16_t segment;
	uint8_t start_bus;
	uint8_t end_bus;
};

/* Validates a checked MCFG (whole 16-byte entries, start bus <= end bus),
 * then stores up to `cap` windows in out[] and the number the table lists
 * in *count (more than `cap` means truncation). On error nothing is
 * stored. */
enum acpi_status acpi_mcfg_parse(const struct acpi_table *t, struct acpi_mcfg_window *out,
                                 size_t cap, size_t *count, uint32_t *err_off);

/* ---- DMAR (Intel VT-d chapter 8) ----------------------------------------- */

struct acpi_dmar {
	uint8_t host_address_width; /* bits of DMA address: the field + 1 */
	uint8_t flags;              /* ACPI_DMAR_FLAG_* */
	struct acpi_iter units;     /* remapping structures */
};

struct acpi_dmar_unit { /* one remapping structure */
	uint16_t type;  /* enum acpi_dmar_type or another (unknown) type */
	uint16_t length;
	uint32_t offset;
	bool known;
	uint8_t flags;              /* DRHD, ATSR, SATC */
	uint8_t size;               /* DRHD: register set of 2^size pages */
	uint16_t segment;           /* DRHD, RMRR, ATSR, SATC, SIDP */
	uint64_t base;              /* DRHD/RHSA register base, RMRR base */
	uint64_t limit;             /* RMRR limit (inclusive) */
	uint32_t proximity_domain;  /* RHSA */
	uint8_t acpi_device_number; /* ANDD */
	const char *name;           /* ANDD object name (not NUL-terminated) */
	uint32_t name_len;
	struct acpi_iter scopes; /* device scopes (empty if the type has none) */
};

#define ACPI_DMAR_PATH_MAX 124 /* (255 - 6) / 2 hops fit a scope */

struct acpi_pci_hop {
	uint8_t device;
	uint8_t function;
};

struct acpi_dmar_scope {
	uint8_t type; /* enum acpi_dmar_scope_type, or another value */
	uint8_t length;
	uint32_t offset;
	uint8_t enumeration_id;
	uint8_t start_bus;
	uint8_t path_len;
	struct acpi_pci_hop path[ACPI_DMAR_PATH_MAX];
};

/* Validates a checked DMAR: each remapping structure at least 4 bytes and
 * inside the table, known ones at least their defined size, DRHD and RHSA
 * register bases non-zero and 4 KiB aligned, RMRR limit >= base, each device
 * scope at least 8 bytes, even, inside its structure. Unknown structure
 * types are accepted (skipped by length). Returns ACPI_OK and fills *out;
 * on error *out is unchanged. */
enum acpi_status acpi_dmar_parse(const struct acpi_table *t, struct acpi_dmar *out,
                                 uint32_t *err_off);

/* Decodes the next remapping structure; false at the end (*u unchanged). */
bool acpi_dmar_next(struct acpi_iter *it, struct acpi_dmar_unit *u);

/* Decodes the next device scope of a unit (iterate u.scopes); false at the
 * end (*s unchanged). */
bool acpi_dmar_scope_next(struct acpi_iter *it, struct acpi_dmar_scope *s);

/* ---- IVRS (AMD IOMMU 48882, section 5.2) ---------------------------------- */

struct acpi_ivrs {
	uint32_t iv_info;
	struct acpi_iter blocks; /* IVHD and IVMD blocks */
};

struct acpi_ivrs_block {
	uint8_t type; /* enum acpi_ivrs_type or another (unknown) type */
	uint8_t flags;
	uint16_t length;
	uint32_t offset;
	bool known;
	bool is_ivhd;
	bool is_ivmd;
	uint16_t device_id; /* IVHD: the IOMMU's; IVMD: first device */
	/* IVHD */
	uint16_t capability_offset;
	uint64_t iommu_base;
	uint16_t segment;
	uint16_t iommu_info;
	uint32_t features;        /* 10h: feature reporting; 11h/40h: attributes */
	uint64_t efr_image;       /* 11h/40h */
	uint64_t efr2_image;      /* 11h/40h */
	struct acpi_iter entries; /* device entries (IVHD only) */
	/* IVMD */
	uint16_t last_device_id; /* 22h: end of range; 21h: == device_id */
	uint64_t start;
	uint64_t mem_length;
};

enum acpi_ivhd_kind {
	ACPI_IVHD_KIND_PAD,          /* padding (00h, 40h) */
	ACPI_IVHD_KIND_ALL,          /* 01h: every device ID */
	ACPI_IVHD_KIND_SELECT,       /* 02h: first == last */
	ACPI_IVHD_KIND_RANGE,        /* 03h + 04h */
	ACPI_IVHD_KIND_ALIAS_SELECT, /* 42h */
	ACPI_IVHD_KIND_ALIAS_RANGE,  /* 43h + 04h */
	ACPI_IVHD_KIND_EXT_SELECT,   /* 46h */
	ACPI_IVHD_KIND_EXT_RANGE,    /* 47h + 04h */
	ACPI_IVHD_KIND_SPECIAL,      /* 48h: IOAPIC or HPET */
	ACPI_IVHD_KIND_HID,          /* F0h: ACPI device */
	ACPI_IVHD_KIND_UNKNOWN,      /* reserved 4/8-byte type, skipped */
};

struct acpi_ivhd_entry {
	enum acpi_ivhd_kind kind;
	uint8_t type;    /* of the first entry */
	uint16_t length; /* bytes consumed (a range includes its 04h entry) */
	uint32_t offset;
	uint16_t first;     /* device IDs (bus << 8 | devfn) covered; for a */
	uint16_t last;      /* special entry both are its source_id */
	uint8_t data;       /* DTE setting */
	uint16_t source_id; /* alias: ID used instead; special: the ID it uses */
	uint32_t ext_data;  /* extended entries */
	uint8_t handle;     /* special: IOAPIC id / HPET number */
	uint8_t variety;    /* special: enum acpi_ivhd_variety */
	uint8_t hid[8];     /* HID entry: _HID, _CID as stored */
	uint8_t cid[8];
	uint8_t uid_format;
	uint8_t uid_length;
	const uint8_t *uid;
};

/* Validates a checked IVRS: each block at least 4 bytes and inside the
 * table; IVHD types 10h/11h/40h at least their header size with a non-zero
 * 4 KiB-aligned IOMMU base and every device entry inside the block (range
 * starts followed by an end entry with end >= start, no unknown variable-
 * length type); IVMD blocks at least 32 bytes with no address wrap.
 * Unknown block types are accepted (skipped by length). Returns ACPI_OK and
 * fills *out; on error *out is unchanged. */
enum acpi_status acpi_ivrs_parse(const struct acpi_table *t, struct acpi_ivrs *out,
                                 uint32_t *err_off);

/* Decodes the next block; false at the end (*b unchanged). */
bool acpi_ivrs_next(struct acpi_iter *it, struct acpi_ivrs_block *b);

/* Decodes the next device entry of an IVHD (iterate b.entries), joining a
 * range start with its end entry; false at the end (*e unchanged). */
bool acpi_ivhd_next(struct acpi_iter *it, struct acpi_ivhd_entry *e);

#endif /* WARD_ACPI_H */
