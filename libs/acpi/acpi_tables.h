/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * On-the-wire layouts of the firmware tables the ACPI library parses, as
 * packed little-endian structs with their sizes pinned by _Static_assert.
 * Parsers never dereference these over table memory: they bounds-check an
 * offset first and then memcpy() the bytes into a local struct, so neither
 * alignment nor a short buffer can fault.
 *
 * Sources: ACPI 6.5 chapter 5.2 (RSDP, SDT header, RSDT, XSDT, FADT, FACS,
 * MADT); PCI Firmware Specification 3.3 section 4.1.2 (MCFG); Intel VT-d
 * Architecture Specification chapter 8 "BIOS Considerations" (DMAR); AMD
 * I/O Virtualization Technology (IOMMU) Specification 48882, section 5.2
 * "ACPI Tables" (IVRS).
 */
#ifndef WARD_ACPI_TABLES_H
#define WARD_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the ACPI table layouts below assume a little-endian machine"
#endif

#define ACPI_PACKED __attribute__((packed))

/* ---- ACPI 5.2.5.3: Root System Description Pointer ---------------------- */

#define ACPI_RSDP_SIGNATURE "RSD PTR "
#define ACPI_RSDP_ALIGN     16 /* 5.2.5.1: on a 16-byte boundary */

struct acpi_raw_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;      /* 0: ACPI 1.0 (20 bytes); 2: ACPI 2.0+ */
	uint32_t rsdt_address; /* physical */
	/* ACPI 2.0+ (revision >= 2) */
	uint32_t length;       /* of the whole structure, >= 36 */
	uint64_t xsdt_address; /* physical */
	uint8_t ext_checksum;  /* over `length` bytes */
	uint8_t reserved[3];
} ACPI_PACKED;

#define ACPI_RSDP_V1_SIZE 20
#define ACPI_RSDP_V2_SIZE 36
_Static_assert(offsetof(struct acpi_raw_rsdp, length) == ACPI_RSDP_V1_SIZE, "RSDP v1 size");
_Static_assert(sizeof(struct acpi_raw_rsdp) == ACPI_RSDP_V2_SIZE, "RSDP v2 size");

/* ---- ACPI 5.2.6: System Description Table header ------------------------ */

struct acpi_raw_header {
	char signature[4];
	uint32_t length; /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum; /* all `length` bytes sum to zero */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_header) == 36, "SDT header size");

/* ACPI 5.2.7 (RSDT) and 5.2.8 (XSDT): the header, then 4- or 8-byte
 * physical addresses of the other tables. */
#define ACPI_RSDT_ENTRY_SIZE 4
#define ACPI_XSDT_ENTRY_SIZE 8

/* ---- ACPI 5.2.9: Fixed ACPI Description Table (FACP) --------------------- */

struct acpi_raw_gas { /* ACPI 5.2.3.2 Generic Address Structure */
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_gas) == 12, "GAS size");

/* The FADT up to X_DSDT; later fields (X_PM1a_EVT_BLK...) are not used. */
struct acpi_raw_fadt {
	struct acpi_raw_header header;
	uint32_t firmware_ctrl; /* FACS, 32-bit */
	uint32_t dsdt;          /* DSDT, 32-bit */
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch; /* ACPI 2.0+ */
	uint8_t reserved1;
	uint32_t flags; /* end of the ACPI 1.0 FADT (116 bytes) */
	struct acpi_raw_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t fadt_minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
} ACPI_PACKED;
#define ACPI_FADT_V1_SIZE 116
_Static_assert(offsetof(struct acpi_raw_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH");
_Static_assert(offsetof(struct acpi_raw_fadt, reset_reg) == ACPI_FADT_V1_SIZE, "FADT 1.0 size");
_Static_assert(offsetof(struct acpi_raw_fadt, x_firmware_ctrl) == 132, "FADT X_FIRMWARE_CTRL");
_Static_assert(sizeof(struct acpi_raw_fadt) == 148, "FADT prefix size");

/* ---- ACPI 5.2.10: Firmware ACPI Control Structure (no checksum) ---------- */

struct acpi_raw_facs {
	char signature[4]; /* "FACS" */
	uint32_t length;   /* >= 64 */
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;
	uint8_t reserved[31];
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_facs) == 64, "FACS size");

/* ---- ACPI 5.2.12: Multiple APIC Description Table (signature "APIC") ----- */

struct acpi_raw_madt {
	struct acpi_raw_header header;
	uint32_t lapic_address;
	uint32_t flags; /* bit 0: PCAT_COMPAT (dual 8259s present) */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_madt) == 44, "MADT size");

struct acpi_raw_madt_entry { /* 5.2.12: every interrupt controller structure */
	uint8_t type;
	uint8_t length;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_madt_entry) == 2, "MADT entry header size");

enum acpi_madt_type {
	ACPI_MADT_TYPE_LAPIC = 0,
	ACPI_MADT_TYPE_IOAPIC = 1,
	ACPI_MADT_TYPE_ISO = 2,
	ACPI_MADT_TYPE_NMI_SOURCE = 3,
	ACPI_MADT_TYPE_LAPIC_NMI = 4,
	ACPI_MADT_TYPE_LAPIC_OVERRIDE = 5,
	ACPI_MADT_TYPE_X2APIC = 9,
	ACPI_MADT_TYPE_X2APIC_NMI = 10,
};

/* Local APIC and x2APIC flags (5.2.12.2, Table 5.23). */
#define ACPI_MADT_CPU_ENABLED        (1u << 0)
#define ACPI_MADT_CPU_ONLINE_CAPABLE (1u << 1)
#define ACPI_MADT_PCAT_COMPAT        (1u << 0)

struct acpi_raw_madt_lapic { /* 5.2.12.2 Processor Local APIC */
	uint8_t type;
	uint8_t length; /* 8 */
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_madt_lapic) == 8, "MADT LAPIC size");

struct acpi_raw_madt_ioapic { /* 5.2.12.3 I/O APIC */
	uint8_t type;
	uint8_t length; /* 12 */
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_madt_ioapic) == 12, "MADT IOAPIC size");

struct acpi_raw_madt_iso { /* 5.2.12.5 Interrupt Source Override */
	uint8_t type;
	uint8_t length; /* 10 */
	uint8_t bus;    /* 0: ISA */
	uint8_t source; /* bus-relative IRQ */
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity bits 1:0, trigger bits 3:2 */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_madt_iso) == 10, "MADT ISO size");

struct acpi_raw_madt_nmi_source { /* 5.2.12.6 NMI Source */
	uint8_t type;
	uint8_t length; /* 8 */
	uint16_t flags;
	uint32_t gsi;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_madt_nmi_source) == 8, "MADT NMI source size");

struct acpi_raw_madt_lapic_nmi { /* 5.2.12.7 Local APIC NMI */
	uint8_t type;
	uint8_t length;        /* 6 */
	uint8_t processor_uid; /* 0xff: all processors */
	uint16_t flags;
	uint8_t lint; /* LINTn input */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_madt_lapic_nmi) == 6, "MADT LAPIC NMI size");

struct acpi_raw_madt_lapic_override { /* 5.2.12.8 Local APIC Address Override */
	uint8_t type;
	uint8_t length; /* 12 */
	uint16_t reserved;
	uint64_t address;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_madt_lapic_override) == 12, "MADT LAPIC override size");

struct acpi_raw_madt_x2apic { /* 5.2.12.12 Processor Local x2APIC */
	uint8_t type;
	uint8_t length; /* 16 */
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags; /* as for the local APIC */
	uint32_t processor_uid;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_madt_x2apic) == 16, "MADT x2APIC size");

struct acpi_raw_madt_x2apic_nmi { /* 5.2.12.13 Local x2APIC NMI */
	uint8_t type;
	uint8_t length; /* 12 */
	uint16_t flags;
	uint32_t processor_uid; /* 0xffffffff: all processors */
	uint8_t lint;
	uint8_t reserved[3];
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_madt_x2apic_nmi) == 12, "MADT x2APIC NMI size");

/* ---- PCI Firmware Spec 4.1.2: MCFG (ECAM windows) ------------------------ */

struct acpi_raw_mcfg {
	struct acpi_raw_header header;
	uint8_t reserved[8];
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_mcfg) == 44, "MCFG size");

struct acpi_raw_mcfg_alloc { /* Table 4-3: one ECAM window */
	uint64_t base;       /* ECAM address of (start_bus, 0, 0) */
	uint16_t segment;
	uint8_t start_bus;
	uint8_t end_bus;
	uint32_t reserved;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_mcfg_alloc) == 16, "MCFG allocation size");

/* ---- Intel VT-d chapter 8: DMA Remapping Reporting table (DMAR) ---------- */

struct acpi_raw_dmar { /* VT-d 8.1 */
	struct acpi_raw_header header;
	uint8_t host_address_width; /* N means N+1 address bits */
	uint8_t flags;
	uint8_t reserved[10];
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_dmar) == 48, "DMAR size");

#define ACPI_DMAR_FLAG_INTR_REMAP      (1u << 0)
#define ACPI_DMAR_FLAG_X2APIC_OPT_OUT  (1u << 1)
#define ACPI_DMAR_FLAG_DMA_CTRL_OPT_IN (1u << 2)

struct acpi_raw_dmar_remap { /* VT-d 8.2: every remapping structure */
	uint16_t type;
	uint16_t length;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_dmar_remap) == 4, "DMAR remapping header size");

enum acpi_dmar_type {
	ACPI_DMAR_TYPE_DRHD = 0, /* 8.3 DMA Remapping Hardware Unit Definition */
	ACPI_DMAR_TYPE_RMRR = 1, /* 8.4 Reserved Memory Region Reporting */
	ACPI_DMAR_TYPE_ATSR = 2, /* 8.5 Root Port ATS Capability Reporting */
	ACPI_DMAR_TYPE_RHSA = 3, /* 8.6 Remapping Hardware Static Affinity */
	ACPI_DMAR_TYPE_ANDD = 4, /* 8.7 ACPI Name-space Device Declaration */
	ACPI_DMAR_TYPE_SATC = 5, /* 8.8 SoC Integrated Address Translation Cache */
	ACPI_DMAR_TYPE_SIDP = 6, /* SoC Integrated Device Property (VT-d 4.1) */
};

#define ACPI_DMAR_DRHD_INCLUDE_PCI_ALL (1u << 0)
#define ACPI_DMAR_ATSR_ALL_PORTS       (1u << 0)
#define ACPI_DMAR_SATC_ATC_REQUIRED    (1u << 0)

struct acpi_raw_dmar_drhd { /* VT-d 8.3 */
	uint16_t type;
	uint16_t length;
	uint8_t flags;
	uint8_t size; /* bits 3:0: register set is 2^N 4 KiB pages (VT-d 3.x+) */
	uint16_t segment;
	uint64_t register_base;
	/* device scope structures follow */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_dmar_drhd) == 16, "DRHD size");

struct acpi_raw_dmar_rmrr { /* VT-d 8.4 */
	uint16_t type;
	uint16_t length;
	uint16_t reserved;
	uint16_t segment;
	uint64_t base;  /* 4 KiB aligned */
	uint64_t limit; /* inclusive; limit + 1 is 4 KiB aligned */
	                /* device scope structures follow */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_dmar_rmrr) == 24, "RMRR size");

struct acpi_raw_dmar_atsr { /* VT-d 8.5; SATC (8.8) has the same layout */
	uint16_t type;
	uint16_t length;
	uint8_t flags;
	uint8_t reserved;
	uint16_t segment;
	/* device scope structures follow */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_dmar_atsr) == 8, "ATSR size");

struct acpi_raw_dmar_rhsa { /* VT-d 8.6 */
	uint16_t type;
	uint16_t length;
	uint32_t reserved;
	uint64_t register_base;
	uint32_t proximity_domain;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_dmar_rhsa) == 20, "RHSA size");

struct acpi_raw_dmar_andd { /* VT-d 8.7 */
	uint16_t type;
	uint16_t length;
	uint8_t reserved[3];
	uint8_t acpi_device_number;
	/* NUL-terminated ACPI object name follows */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_dmar_andd) == 8, "ANDD size");

struct acpi_raw_dmar_sidp { /* VT-d 4.1 SoC Integrated Device Property */
	uint16_t type;
	uint16_t length;
	uint16_t reserved;
	uint16_t segment;
	/* device scope structures follow */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_dmar_sidp) == 8, "SIDP size");

struct acpi_raw_dmar_scope { /* VT-d 8.3.1 Device Scope Structure */
	uint8_t type;
	uint8_t length; /* 6 + 2 * path entries */
	uint16_t reserved;
	uint8_t enumeration_id; /* IOAPIC/HPET id, ACPI device number */
	uint8_t start_bus;
	/* struct acpi_raw_dmar_path path[] follows */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_dmar_scope) == 6, "device scope size");

struct acpi_raw_dmar_path { /* one hop of a device scope path */
	uint8_t device;
	uint8_t function;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_dmar_path) == 2, "device scope path size");

enum acpi_dmar_scope_type {
	ACPI_DMAR_SCOPE_ENDPOINT = 1, /* PCI endpoint device */
	ACPI_DMAR_SCOPE_BRIDGE = 2,   /* PCI sub-hierarchy */
	ACPI_DMAR_SCOPE_IOAPIC = 3,
	ACPI_DMAR_SCOPE_HPET = 4,      /* MSI-capable HPET */
	ACPI_DMAR_SCOPE_NAMESPACE = 5, /* ACPI name-space device */
};

/* ---- AMD 48882 section 5.2: I/O Virtualization Reporting Structure ------- */

struct acpi_raw_ivrs {
	struct acpi_raw_header header;
	uint32_t iv_info; /* bits 14:8 PA size, 21:15 VA size, 7:5 GVA size */
	uint64_t reserved;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_ivrs) == 48, "IVRS size");

struct acpi_raw_ivrs_block { /* every IVHD/IVMD block starts so */
	uint8_t type;
	uint8_t flags;
	uint16_t length;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_ivrs_block) == 4, "IVRS block header size");

enum acpi_ivrs_type {
	ACPI_IVRS_TYPE_IVHD_10 = 0x10,     /* IVHD, legacy (feature reporting) */
	ACPI_IVRS_TYPE_IVHD_11 = 0x11,     /* IVHD with EFR image */
	ACPI_IVRS_TYPE_IVHD_40 = 0x40,     /* IVHD with EFR image, ACPI HID entries */
	ACPI_IVRS_TYPE_IVMD_ALL = 0x20,    /* IVMD for all peripherals */
	ACPI_IVRS_TYPE_IVMD_SELECT = 0x21, /* IVMD for one device ID */
	ACPI_IVRS_TYPE_IVMD_RANGE = 0x22,  /* IVMD for a device ID range */
};

struct acpi_raw_ivhd_10 { /* IVHD block type 10h */
	uint8_t type;
	uint8_t flags;
	uint16_t length;
	uint16_t device_id; /* of the IOMMU itself */
	uint16_t capability_offset;
	uint64_t iommu_base;
	uint16_t segment;
	uint16_t iommu_info;
	uint32_t feature_reporting;
	/* device entries follow */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_ivhd_10) == 24, "IVHD type 10h size");

struct acpi_raw_ivhd_11 { /* IVHD block types 11h and 40h */
	uint8_t type;
	uint8_t flags;
	uint16_t length;
	uint16_t device_id;
	uint16_t capability_offset;
	uint64_t iommu_base;
	uint16_t segment;
	uint16_t iommu_info;
	uint32_t iommu_attributes;
	uint64_t efr_image;  /* Extended Feature Register image */
	uint64_t efr2_image; /* reserved in older revisions */
	                     /* device entries follow */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_ivhd_11) == 40, "IVHD type 11h/40h size");

struct acpi_raw_ivmd { /* IVMD block types 20h, 21h, 22h */
	uint8_t type;
	uint8_t flags; /* bit 0 unity, 1 read, 2 write, 3 exclusion range */
	uint16_t length;
	uint16_t device_id;
	uint16_t aux_data; /* type 22h: last device ID of the range */
	uint64_t reserved;
	uint64_t start;
	uint64_t mem_length;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_ivmd) == 32, "IVMD size");

/* IVHD device entry type codes. Types 00h-3Fh are 4 bytes long, 40h-7Fh are
 * 8 bytes; of the types from 80h only F0h (ACPI HID device, 22 bytes plus
 * its UID) has a defined length. */
enum acpi_ivhd_type {
	ACPI_IVHD_PAD4 = 0x00,
	ACPI_IVHD_ALL = 0x01,
	ACPI_IVHD_SELECT = 0x02,
	ACPI_IVHD_START = 0x03,
	ACPI_IVHD_END = 0x04,
	ACPI_IVHD_PAD8 = 0x40,
	ACPI_IVHD_ALIAS_SELECT = 0x42,
	ACPI_IVHD_ALIAS_START = 0x43,
	ACPI_IVHD_EXT_SELECT = 0x46,
	ACPI_IVHD_EXT_START = 0x47,
	ACPI_IVHD_SPECIAL = 0x48,
	ACPI_IVHD_HID = 0xf0,
};
#define ACPI_IVHD_LEN4_LAST 0x3f /* last type of a 4-byte entry */
#define ACPI_IVHD_LEN8_LAST 0x7f /* last type of an 8-byte entry */

enum acpi_ivhd_variety { /* special entry (48h) variety */
	                 ACPI_IVHD_VARIETY_IOAPIC = 1,
	                 ACPI_IVHD_VARIETY_HPET = 2,
};

struct acpi_raw_ivhd_dev4 { /* types 00h-3Fh */
	uint8_t type;
	uint16_t device_id;
	uint8_t data; /* DTE setting */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_ivhd_dev4) == 4, "IVHD 4-byte entry size");

struct acpi_raw_ivhd_dev8 { /* types 40h-7Fh */
	uint8_t type;
	uint16_t device_id;
	uint8_t data;
	union {
		struct {
			uint8_t reserved;
			uint16_t source_id; /* requestor ID the device uses */
			uint8_t reserved2;
		} ACPI_PACKED alias; /* 42h, 43h */
		uint32_t ext_data;   /* 46h, 47h */
		struct {
			uint8_t handle;     /* IOAPIC id or HPET number */
			uint16_t source_id; /* requestor ID the device uses */
			uint8_t variety;
		} ACPI_PACKED special; /* 48h */
	} u;
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_ivhd_dev8) == 8, "IVHD 8-byte entry size");

struct acpi_raw_ivhd_hid { /* type F0h: ACPI HID device */
	uint8_t type;
	uint16_t device_id;
	uint8_t data;
	uint8_t hid[8];
	uint8_t cid[8];
	uint8_t uid_format;
	uint8_t uid_length;
	/* uid_length bytes of UID follow */
} ACPI_PACKED;
_Static_assert(sizeof(struct acpi_raw_ivhd_hid) == 22, "IVHD HID entry size");

#endif /* WARD_ACPI_TABLES_H */
