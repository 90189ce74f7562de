/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Multiboot (v1) boot information, spec 0.6.96 §3.3. The loader's data is
 * untrusted input: multiboot_parse() validates every count, length and
 * string before copying it into Ward's own boot description.
 */
#ifndef X86_MULTIBOOT_H
#define X86_MULTIBOOT_H

#include <stdint.h>
#include <stddef.h>
#include <ward/bootinfo.h>

#define MULTIBOOT_LOADER_MAGIC 0x2BADB002

#define MB_INFO_MEMORY  (1U << 0)
#define MB_INFO_CMDLINE (1U << 2)
#define MB_INFO_MODS    (1U << 3)
#define MB_INFO_MMAP    (1U << 6)

/* §3.3 "Boot information format": the fields Ward reads. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
} __attribute__((packed));
_Static_assert(sizeof(struct mb_info) == 52, "multiboot info through mmap_addr");

struct mb_module {
	uint32_t mod_start;
	uint32_t mod_end; /* exclusive */
	uint32_t string;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mb_module) == 16, "multiboot module entry");

/* An mmap entry; `size` counts the bytes after itself (≥ 20). */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "multiboot mmap entry");

#define MB_MMAP_AVAILABLE 1

/* What Ward keeps of the loader's information. */
struct boot_description {
	struct ward_mem_region regions[WARD_MAX_MEM_REGIONS];
	size_t region_count;
	struct ward_module modules[WARD_MAX_MODULES];
	size_t module_count;
	uint64_t info_phys; /* the info structure itself, to keep while parsing */
};

enum multiboot_error {
	MB_OK = 0,
	MB_ERR_MAGIC,      /* eax was not the multiboot loader magic */
	MB_ERR_UNREADABLE, /* a structure lies outside readable memory */
	MB_ERR_NO_MMAP,    /* flags lack the memory map */
	MB_ERR_MMAP_ENTRY, /* an entry's size field is below 20 or runs past the map */
	MB_ERR_TOO_MANY_REGIONS,
	MB_ERR_NO_MODULES, /* no root task module */
	MB_ERR_TOO_MANY_MODULES,
	MB_ERR_MODULE_RANGE,  /* a module ends before it starts */
	MB_ERR_MODULE_STRING, /* a module string is unterminated or unreadable */
};

/* Maps [phys, phys + len) for reading; NULL if that range is not readable. */
typedef const void *(*mb_map_fn)(void *ctx, uint64_t phys, size_t len);

/*
 * Validates the multiboot information at `info_phys` and fills `out`.
 * On error, returns the reason; `out` is then unspecified and must not
 * be used.
 */
enum multiboot_error multiboot_parse(uint32_t magic, uint64_t info_phys, mb_map_fn map, void *ctx,
                                     struct boot_description *out);

const char *multiboot_strerror(enum multiboot_error err);

#endif
