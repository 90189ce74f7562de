/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The boot information page the kernel maps read-only into the root task.
 * Its address arrives in rdi at the root task's entry point. Layout and
 * field meanings are documented in docs/kernel.md; `magic` and `version` let
 * the root task refuse a page it does not understand.
 */
#ifndef WARD_BOOTINFO_H
#define WARD_BOOTINFO_H

#include <stdint.h>

#define WARD_BOOTINFO_MAGIC   0x5741524442494e46ULL /* "WARDBINF" */
#define WARD_BOOTINFO_VERSION 4
#define WARD_BOOTINFO_PAGES   2
#define WARD_MAX_MODULES      16
#define WARD_MODULE_NAME_LEN  32
#define WARD_MODULE_ARGS_LEN  64
#define WARD_MAX_MEM_REGIONS  32
#define WARD_MAX_UNTYPED      160
#define WARD_ROOT_CNODE_RADIX 12

/*
 * The root task's CSpace: one CNode of 2^12 slots whose guard makes a
 * capability address equal to its slot index. Fixed slots first; the
 * untyped caps and the free range follow (see struct ward_bootinfo).
 */
enum ward_root_slot {
	WARD_CAP_NULL = 0,
	WARD_CAP_INIT_TCB = 1,
	WARD_CAP_INIT_CNODE = 2,
	WARD_CAP_INIT_VSPACE = 3,
	WARD_CAP_IRQ_CONTROL = 4,
	WARD_CAP_IOPORT_CONTROL = 5,
	WARD_CAP_INIT_IPC_BUFFER = 6,
	/* 7: empty, the root task's runtime puts its system-call helper's CNode there */
	WARD_CAP_SYSTEM_CONTROL = 8,  /* DebugHalt's authority: the root task's alone */
	WARD_CAP_CONSOLE_RECEIVE = 9, /* the console UART's ports, read-only (In only) */
	WARD_CAP_FIRST_DYNAMIC = 10,
};

enum ward_mem_kind {
	WARD_MEM_FREE = 1,     /* RAM the kernel did not keep */
	WARD_MEM_RESERVED = 2, /* firmware, ACPI, MMIO holes: not RAM to use */
	WARD_MEM_KERNEL = 3,   /* kernel image, its tables and boot allocations */
	WARD_MEM_MODULE = 4,   /* a boot module's bytes */
};

struct ward_mem_region {
	uint64_t base;
	uint64_t size;
	uint32_t kind; /* enum ward_mem_kind */
	uint32_t reserved;
};

struct ward_module {
	uint64_t phys_base;
	uint64_t size;
	uint64_t vaddr; /* where the root task sees it, read-only (0: not mapped) */
	char name[WARD_MODULE_NAME_LEN]; /* basename of the module's path */
	char args[WARD_MODULE_ARGS_LEN]; /* text after the path, NUL-terminated */
};

struct ward_untyped_desc {
	uint64_t phys_base;
	uint8_t size_bits;
	uint8_t is_device; /* MMIO or firmware memory: only device frames */
	uint8_t padding[6];
};

struct ward_bootinfo {
	uint64_t magic;
	uint32_t version;
	uint32_t cpu_count;
	uint64_t acpi_rsdp;     /* physical address of the RSDP, 0 if not found */
	uint64_t ipc_buffer;    /* the root thread's IPC buffer (user virtual) */
	uint64_t tsc_hz;        /* TSC ticks per second, calibrated on the PIT at boot */
	uint32_t untyped_first; /* slot of the first untyped cap */
	uint32_t untyped_count;
	uint32_t empty_first; /* free slots: [empty_first, empty_last) */
	uint32_t empty_last;
	uint32_t module_count;
	uint32_t region_count;
	/*
	 * Version 4: the console UART's receive side (docs/kernel.md, "The
	 * console"). WARD_CAP_CONSOLE_RECEIVE reads ports [console_port,
	 * console_port + console_ports); its receive interrupt is enabled and
	 * arrives on IOAPIC GSI console_gsi (edge, active high) for whoever the
	 * root task issues that line to.
	 */
	uint16_t console_port;
	uint16_t console_ports;
	uint32_t console_gsi;
	struct ward_untyped_desc untyped[WARD_MAX_UNTYPED];
	struct ward_module modules[WARD_MAX_MODULES];
	struct ward_mem_region regions[WARD_MAX_MEM_REGIONS];
};

_Static_assert(sizeof(struct ward_bootinfo) <= WARD_BOOTINFO_PAGES * 4096,
               "boot info must fit its pages");

#endif
