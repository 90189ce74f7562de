/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ELF64 executables as boot modules (System V gABI, "ELF-64 Object File
 * Format" 1.5). The kernel loads only the root task this way; the image is
 * untrusted: elf_validate() checks every field the loader will use.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header");

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header");

#define ELF_CLASS64        2
#define ELF_DATA_LSB       1
#define ELF_TYPE_EXEC      2
#define ELF_MACHINE_X86_64 62
#define ELF_PT_LOAD        1
#define ELF_PF_X           0x1
#define ELF_PF_W           0x2
#define ELF_PF_R           0x4
#define ELF_MAX_PHDRS      32

enum elf_error {
	ELF_OK = 0,
	ELF_ERR_TOO_SMALL, /* shorter than an ELF header */
	ELF_ERR_NOT_ELF64, /* magic, class, data or version wrong */
	ELF_ERR_NOT_EXEC_X86_64,
	ELF_ERR_PHDRS,         /* program header table outside the file, or bad size/count */
	ELF_ERR_SEGMENT_FILE,  /* a segment's bytes lie outside the file, or filesz > memsz */
	ELF_ERR_SEGMENT_ADDR,  /* a segment lies outside [limit_low, limit_high) or overflows */
	ELF_ERR_SEGMENT_ALIGN, /* vaddr and offset disagree modulo the page size */
	ELF_ERR_SEGMENT_OVERLAP,
	ELF_ERR_ENTRY, /* the entry point is not inside an executable segment */
	ELF_ERR_NO_SEGMENTS,
};

/*
 * Checks that `image` (size bytes) is an x86_64 executable whose loadable
 * segments all lie in [limit_low, limit_high), page-congruent, without
 * overlapping pages, with the entry in an executable segment.
 */
enum elf_error elf_validate(const void *image, size_t size, uint64_t limit_low,
                            uint64_t limit_high);

/* The i-th program header of a validated image (copied out; may be unaligned). */
struct elf64_phdr elf_phdr(const void *image, size_t i);

const char *elf_strerror(enum elf_error err);

#endif
