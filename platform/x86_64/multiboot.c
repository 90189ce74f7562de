/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Multiboot information parsing (spec 0.6.96 §3.3). Pure: all memory is
 * reached through the caller's map function, so the host tests feed it
 * hand-built and corrupted structures.
 */
#include <stdbool.h>
#include "multiboot.h"

#define MB_MMAP_MAX_BYTES (64 * 1024)
#define MB_STRING_MAX     256

static enum multiboot_error parse_mmap(const struct mb_info *info, mb_map_fn map, void *ctx,
                                       struct boot_description *out)
{
	const uint8_t *p;
	uint32_t off = 0;

	if (!(info->flags & MB_INFO_MMAP))
		return MB_ERR_NO_MMAP;
	if (info->mmap_length == 0 || info->mmap_length > MB_MMAP_MAX_BYTES)
		return MB_ERR_MMAP_ENTRY;
	p = map(ctx, info->mmap_addr, info->mmap_length);
	if (p == NULL)
		return MB_ERR_UNREADABLE;
	while (off < info->mmap_length) {
		struct mb_mmap_entry e;
		if (info->mmap_length - off < sizeof(e))
			return MB_ERR_MMAP_ENTRY;
		__builtin_memcpy(&e, p + off, sizeof(e));
		if (e.size < sizeof(e) - 4 || e.size > info->mmap_length - off - 4)
			return MB_ERR_MMAP_ENTRY;
		if (e.length != 0) {
			if (out->region_count == WARD_MAX_MEM_REGIONS)
				return MB_ERR_TOO_MANY_REGIONS;
			out->regions[out->region_count++] = (struct ward_mem_region){
			        .base = e.base_addr,
			        .size = e.length,
			        .kind = e.type == MB_MMAP_AVAILABLE ? WARD_MEM_FREE
			                                            : WARD_MEM_RESERVED,
			};
		}
		off += e.size + 4;
	}
	return MB_OK;
}

/* Copies the module string: a path, then optional arguments after a space. */
static bool copy_module_string(const char *s, size_t max, struct ward_module *m)
{
	size_t len = 0, name_start = 0, i;

	while (len < max && s[len] != '\0')
		len++;
	if (len == max)
		return false;
	for (i = 0; i < len && s[i] != ' '; i++)
		if (s[i] == '/')
			name_start = i + 1;
	size_t name_len = i - name_start;
	if (name_len == 0 || name_len >= WARD_MODULE_NAME_LEN)
		return false;
	__builtin_memcpy(m->name, s + name_start, name_len);
	m->name[name_len] = '\0';
	while (i < len && s[i] == ' ')
		i++;
	size_t args_len = len - i;
	if (args_len >= WARD_MODULE_ARGS_LEN)
		return false;
	__builtin_memcpy(m->args, s + i, args_len);
	m->args[args_len] = '\0';
	return true;
}

/* The readable length of a string at phys: probe shrinking windows. */
static const char *map_string(mb_map_fn map, void *ctx, uint64_t phys, size_t *max)
{
	for (size_t len = MB_STRING_MAX; len >= 16; len /= 2) {
		const char *s = map(ctx, phys, len);
		if (s != NULL) {
			*max = len;
			return s;
		}
	}
	return NULL;
}

static enum multiboot_error parse_modules(const struct mb_info *info, mb_map_fn map, void *ctx,
                                          struct boot_description *out)
{
	const struct mb_module *mods;

	if (!(info->flags & MB_INFO_MODS) || info->mods_count == 0)
		return MB_ERR_NO_MODULES;
	if (info->mods_count > WARD_MAX_MODULES)
		return MB_ERR_TOO_MANY_MODULES;
	mods = map(ctx, info->mods_addr, info->mods_count * sizeof(*mods));
	if (mods == NULL)
		return MB_ERR_UNREADABLE;
	for (uint32_t i = 0; i < info->mods_count; i++) {
		struct mb_module mod;
		struct ward_module *m = &out->modules[i];
		size_t max;
		__builtin_memcpy(&mod, &mods[i], sizeof(mod));
		if (mod.mod_end <= mod.mod_start)
			return MB_ERR_MODULE_RANGE;
		const char *s = map_string(map, ctx, mod.string, &max);
		if (s == NULL || !copy_module_string(s, max, m))
			return MB_ERR_MODULE_STRING;
		m->phys_base = mod.mod_start;
		m->size = mod.mod_end - mod.mod_start;
	}
	out->module_count = info->mods_count;
	return MB_OK;
}

enum multiboot_error multiboot_parse(uint32_t magic, uint64_t info_phys, mb_map_fn map, void *ctx,
                                     struct boot_description *out)
{
	const struct mb_info *p;
	struct mb_info info;
	enum multiboot_error err;

	if (magic != MULTIBOOT_LOADER_MAGIC)
		return MB_ERR_MAGIC;
	p = map(ctx, info_phys, sizeof(info));
	if (p == NULL)
		return MB_ERR_UNREADABLE;
	__builtin_memcpy(&info, p, sizeof(info));
	out->region_count = 0;
	out->module_count = 0;
	out->info_phys = info_phys;
	err = parse_mmap(&info, map, ctx, out);
	if (err == MB_OK)
		err = parse_modules(&info, map, ctx, out);
	return err;
}

const char *multiboot_strerror(enum multiboot_error err)
{
	switch (err) {
	case MB_OK:
		return "ok";
	case MB_ERR_MAGIC:
		return "not booted by a multiboot loader (bad magic in eax)";
	case MB_ERR_UNREADABLE:
		return "boot information lies outside readable memory";
	case MB_ERR_NO_MMAP:
		return "loader gave no memory map (flags bit 6 clear)";
	case MB_ERR_MMAP_ENTRY:
		return "memory map entry is malformed (size field < 20 or runs past the map)";
	case MB_ERR_TOO_MANY_REGIONS:
		return "memory map has more regions than Ward keeps";
	case MB_ERR_NO_MODULES:
		return "no boot modules: the root task must be the first module";
	case MB_ERR_TOO_MANY_MODULES:
		return "more boot modules than Ward keeps";
	case MB_ERR_MODULE_RANGE:
		return "boot module ends before it starts";
	case MB_ERR_MODULE_STRING:
		return "boot module string is unterminated, unreadable or too long";
	}
	return "unknown multiboot error";
}
