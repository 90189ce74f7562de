/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Loading a boot module's ELF image into a new process. The image is
 * untrusted: kernel/elf.c's elf_validate (the checks the kernel applies to
 * the root task) runs first, so every segment lies in [4 MiB, 2 GiB), page
 * congruent, without sharing pages, with its bytes inside the file. Each
 * page gets a fresh frame; file bytes are copied in before the process can
 * see them, the rest is zero.
 */
#include <kernel/elf.h>
#include <ward/invoke.h>
#include "proc_internal.h"

#define IMAGE_LOW  0x400000ULL
#define IMAGE_HIGH 0x80000000ULL

static uint64_t segment_pages(const struct elf64_phdr *ph)
{
	uint64_t first = ph->p_vaddr & ~(PROC_PAGE - 1);

	return (ph->p_vaddr + ph->p_memsz - first + PROC_PAGE - 1) / PROC_PAGE;
}

enum ward_error proc_image_pages(const void *image, uint64_t size, uint32_t *pages,
                                 const char **why)
{
	enum elf_error err = elf_validate(image, size, IMAGE_LOW, IMAGE_HIGH);
	struct elf64_ehdr h;
	uint64_t total = 0;

	if (err != ELF_OK) {
		*why = elf_strerror(err);
		return WARD_ERR_INVALID_ARGUMENT;
	}
	__builtin_memcpy(&h, image, sizeof(h));
	for (unsigned i = 0; i < h.e_phnum; i++) {
		struct elf64_phdr ph = elf_phdr(image, i);
		if (ph.p_type == ELF_PT_LOAD && ph.p_memsz != 0)
			total += segment_pages(&ph);
	}
	*pages = (uint32_t)total; /* < 2 GiB of pages: fits */
	return WARD_OK;
}

static uint64_t segment_rights(uint32_t flags)
{
	return WARD_RIGHT_READ | ((flags & ELF_PF_W) ? WARD_RIGHT_WRITE : 0) |
	       ((flags & ELF_PF_X) ? WARD_RIGHT_EXECUTE : 0);
}

/* Fills `page` as the page at va starts out; returns how many bytes of it came from the file. */
static uint64_t page_bytes(const uint8_t *image, const struct elf64_phdr *ph, uint64_t va,
                           uint8_t page[PROC_PAGE])
{
	uint64_t used = 0;

	for (uint64_t b = 0; b < PROC_PAGE; b++) {
		uint64_t at = va + b;
		page[b] = 0;
		if (at >= ph->p_vaddr && at - ph->p_vaddr < ph->p_filesz) {
			page[b] = image[ph->p_offset + (at - ph->p_vaddr)];
			used = b + 1;
		}
	}
	return used;
}

static enum ward_error load_segment(struct proc *p, const uint8_t *image,
                                    const struct elf64_phdr *ph)
{
	static uint8_t page[PROC_PAGE];
	struct proc_region *r = &p->regions[p->region_count];
	enum ward_error err;

	r->va = ph->p_vaddr & ~(PROC_PAGE - 1);
	r->pages = (uint32_t)segment_pages(ph);
	r->first = p->book_next;
	r->writable = (ph->p_flags & ELF_PF_W) != 0;
	p->book_next += r->pages; /* reserved first: tables made meanwhile go after them */
	p->region_count++;
	for (uint32_t i = 0; i < r->pages; i++) {
		uint64_t va = r->va + i * PROC_PAGE, used = page_bytes(image, ph, va, page);
		err = proc_book_frame(p, r->first + i, va, segment_rights(ph->p_flags), page, used);
		if (err != WARD_OK)
			return err;
	}
	return WARD_OK;
}

enum ward_error proc_load_image(struct proc *p, const void *image, uint64_t size, const char **why)
{
	struct elf64_ehdr h;
	uint32_t pages;
	enum ward_error err = proc_image_pages(image, size, &pages, why);

	if (err != WARD_OK)
		return err;
	__builtin_memcpy(&h, image, sizeof(h));
	for (unsigned i = 0; i < h.e_phnum; i++) {
		struct elf64_phdr ph = elf_phdr(image, i);
		if (ph.p_type != ELF_PT_LOAD || ph.p_memsz == 0)
			continue;
		if (p->region_count == PROC_MAX_REGIONS - 4) {
			*why = "too many loadable segments";
			return WARD_ERR_RANGE;
		}
		if ((err = load_segment(p, image, &ph)) != WARD_OK) {
			*why = "out of memory loading the image";
			return err;
		}
	}
	p->entry = h.e_entry;
	return WARD_OK;
}
