/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The root task's view of the system manifest (docs/manifest.md): the
 * boot module's records decoded and checked (manifest.c), with every
 * string a pointer into the module that is known to end inside it. Pure
 * C, so the host's fuzzer and unit tests build it as it is.
 */
#ifndef ROOT_MANIFEST_H
#define ROOT_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <ward/manifest.h>

struct manifest_device {
	const char *name;
	uint16_t line, column;
	uint8_t match, flags;
	uint16_t index;
	uint32_t value, mask;
};

struct manifest_program {
	const char *name, *module, *args;
	uint16_t line, column;
	uint16_t priority, cpu, memory_mib, dma_mib;
	uint16_t grant_first, grant_count;
};

struct manifest_grant {
	const char *name;
	uint16_t kind, flags, target;
	uint16_t line, column;
};

struct manifest {
	const char *source; /* the manifest's file name */
	uint32_t dma_pool_mib;
	unsigned program_count, device_count, grant_count;
	struct manifest_program programs[WARD_MANIFEST_MAX_PROGRAMS];
	struct manifest_device devices[WARD_MANIFEST_MAX_DEVICES];
	struct manifest_grant grants[WARD_MANIFEST_MAX_GRANTS];
};

/*
 * Decodes the module [data, data + size) into *m. Returns 0, or -1 with
 * *why saying what is wrong and *offset where (a byte offset in the
 * module); *m is then unusable. Reads nothing outside the module.
 */
int manifest_decode(const void *data, size_t size, struct manifest *m, const char **why,
                    size_t *offset);

#endif
