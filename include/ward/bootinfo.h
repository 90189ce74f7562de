/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The boot information page the kernel maps read-only into the root task.
 * Its address arrives in rdi at the root task's entry point. Layout and
 * field meanings are documented in docs/boot.md; `magic` and `version` let
 * the root task refuse a page it does not understand.
 */
#ifndef WARD_BOOTINFO_H
#define WARD_BOOTINFO_H

#include <stdint.h>

#define WARD_BOOTINFO_MAGIC   0x5741524442494e46ULL /* "WARDBINF" */
#define WARD_BOOTINFO_VERSION 1
#define WARD_MAX_MODULES      16
#define WARD_MODULE_NAME_LEN  32
#define WARD_MODULE_ARGS_LEN  96
#define WARD_MAX_MEM_REGIONS  64

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
	char name[WARD_MODULE_NAME_LEN]; /* basename of the module's path */
	char args[WARD_MODULE_ARGS_LEN]; /* text after the path, NUL-terminated */
};

struct ward_bootinfo {
	uint64_t magic;
	uint32_t version;
	uint32_t cpu_count;
	uint64_t acpi_rsdp; /* physical address of the RSDP, 0 if not found */
	uint32_t module_count;
	uint32_t region_count;
	struct ward_module modules[WARD_MAX_MODULES];
	struct ward_mem_region regions[WARD_MAX_MEM_REGIONS];
};

_Static_assert(sizeof(struct ward_bootinfo) <= 4096, "boot info must fit one page");

#endif
