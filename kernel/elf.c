/* SPDX-License-Identifier: BSD-2-Clause */
/* ELF64 validation for the root task image. Pure; host tested. */
#include <kernel/elf.h>

#define PAGE 4096ULL

static struct elf64_ehdr header(const void *image)
{
	struct elf64_ehdr h;
	__builtin_memcpy(&h, image, sizeof(h));
	return h;
}

struct elf64_phdr elf_phdr(const void *image, size_t i)
{
	struct elf64_ehdr h = header(image);
	struct elf64_phdr p;
	__builtin_memcpy(&p, (const uint8_t *)image + h.e_phoff + i * sizeof(p), sizeof(p));
	return p;
}

static enum elf_error check_header(const void *image, size_t size)
{
	struct elf64_ehdr h;

	if (size < sizeof(h))
		return ELF_ERR_TOO_SMALL;
	h = header(image);
	if (h.e_ident[0] != 0x7f || h.e_ident[1] != 'E' || h.e_ident[2] != 'L' ||
	    h.e_ident[3] != 'F' || h.e_ident[4] != ELF_CLASS64 || h.e_ident[5] != ELF_DATA_LSB ||
	    h.e_ident[6] != 1)
		return ELF_ERR_NOT_ELF64;
	if (h.e_type != ELF_TYPE_EXEC || h.e_machine != ELF_MACHINE_X86_64)
		return ELF_ERR_NOT_EXEC_X86_64;
	if (h.e_phentsize != sizeof(struct elf64_phdr) || h.e_phnum == 0 ||
	    h.e_phnum > ELF_MAX_PHDRS || h.e_phoff > size ||
	    (size - h.e_phoff) / sizeof(struct elf64_phdr) < h.e_phnum)
		return ELF_ERR_PHDRS;
	return ELF_OK;
}

static enum elf_error check_segment(const struct elf64_phdr *p, size_t size, uint64_t lo,
                                    uint64_t hi)
{
	if (p->p_offset > size || p->p_filesz > size - p->p_offset || p->p_filesz > p->p_memsz)
		return ELF_ERR_SEGMENT_FILE;
	if (p->p_vaddr < lo || p->p_memsz > hi - lo || p->p_vaddr - lo > hi - lo - p->p_memsz)
		return ELF_ERR_SEGMENT_ADDR;
	if ((p->p_vaddr % PAGE) != (p->p_offset % PAGE))
		return ELF_ERR_SEGMENT_ALIGN;
	return ELF_OK;
}

static bool pages_overlap(const struct elf64_phdr *a, const struct elf64_phdr *b)
{
	uint64_t a0 = a->p_vaddr & ~(PAGE - 1), a1 = a->p_vaddr + a->p_memsz;
	uint64_t b0 = b->p_vaddr & ~(PAGE - 1), b1 = b->p_vaddr + b->p_memsz;
	return a0 < b1 && b0 < a1;
}

enum elf_error elf_validate(const void *image, size_t size, uint64_t limit_low, uint64_t limit_high)
{
	enum elf_error err = check_header(image, size);
	struct elf64_ehdr h;
	bool entry_ok = false;
	size_t loads = 0;

	if (err != ELF_OK)
		return err;
	h = header(image);
	for (size_t i = 0; i < h.e_phnum; i++) {
		struct elf64_phdr p = elf_phdr(image, i);
		if (p.p_type != ELF_PT_LOAD || p.p_memsz == 0)
			continue;
		err = check_segment(&p, size, limit_low, limit_high);
		if (err != ELF_OK)
			return err;
		for (size_t j = 0; j < i; j++) {
			struct elf64_phdr q = elf_phdr(image, j);
			if (q.p_type == ELF_PT_LOAD && q.p_memsz != 0 && pages_overlap(&p, &q))
				return ELF_ERR_SEGMENT_OVERLAP;
		}
		if ((p.p_flags & ELF_PF_X) && h.e_entry >= p.p_vaddr &&
		    h.e_entry - p.p_vaddr < p.p_memsz)
			entry_ok = true;
		loads++;
	}
	if (loads == 0)
		return ELF_ERR_NO_SEGMENTS;
	return entry_ok ? ELF_OK : ELF_ERR_ENTRY;
}

const char *elf_strerror(enum elf_error err)
{
	static const char *const text[] = {
	        [ELF_OK] = "ok",
	        [ELF_ERR_TOO_SMALL] = "image is smaller than an ELF header",
	        [ELF_ERR_NOT_ELF64] = "not a little-endian ELF64 image",
	        [ELF_ERR_NOT_EXEC_X86_64] = "not an x86_64 executable (ET_EXEC, EM_X86_64)",
	        [ELF_ERR_PHDRS] = "program header table is outside the image or malformed",
	        [ELF_ERR_SEGMENT_FILE] = "a segment's file bytes lie outside the image",
	        [ELF_ERR_SEGMENT_ADDR] = "a segment lies outside the user address range",
	        [ELF_ERR_SEGMENT_ALIGN] = "a segment's address and offset differ modulo 4 KiB",
	        [ELF_ERR_SEGMENT_OVERLAP] = "two segments share a page",
	        [ELF_ERR_ENTRY] = "entry point is not in an executable segment",
	        [ELF_ERR_NO_SEGMENTS] = "no loadable segments",
	};
	if ((unsigned)err < sizeof(text) / sizeof(text[0]))
		return text[err];
	return "unknown ELF error";
}
