/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The root task: the first user program, boot module 0. The kernel loads
 * its ELF image, gives it a stack and the boot information page, and
 * enters it in ring 3 with rdi = the boot information address.
 */
#include <kernel/elf.h>
#include <kernel/printf.h>
#include <kernel/root_task.h>
#include <kernel/thread.h>
#include "memory_layout.h"
#include "vspace.h"
#include "x86_regs.h"

static struct thread root_thread;

static uint64_t fresh_page(struct boot_memory *mem)
{
	uint64_t pa = boot_memory_alloc_page(mem);
	if (pa == 0)
		panic("root task: out of memory while loading");
	__builtin_memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static unsigned segment_rights(uint32_t flags)
{
	return VSPACE_READ | ((flags & ELF_PF_W) ? VSPACE_WRITE : 0) |
	       ((flags & ELF_PF_X) ? VSPACE_EXEC : 0);
}

/* Copies one PT_LOAD segment into fresh frames; bytes past filesz stay zero. */
static void load_segment(struct boot_memory *mem, uint64_t root, const uint8_t *image,
                         const struct elf64_phdr *p)
{
	uint64_t first = p->p_vaddr & ~(PAGE_SIZE - 1);

	for (uint64_t va = first; va < p->p_vaddr + p->p_memsz; va += PAGE_SIZE) {
		uint64_t pa = fresh_page(mem);
		uint8_t *dst = phys_to_virt(pa);
		for (uint64_t b = 0; b < PAGE_SIZE; b++) {
			uint64_t at = va + b;
			if (at >= p->p_vaddr && at - p->p_vaddr < p->p_filesz)
				dst[b] = image[p->p_offset + (at - p->p_vaddr)];
		}
		if (!vspace_map_user_page(mem, root, va, pa, segment_rights(p->p_flags)))
			panic("root task: cannot map %p", (void *)va);
	}
}

static uint64_t load_image(struct boot_memory *mem, uint64_t root, const struct ward_module *m)
{
	const uint8_t *image = phys_to_virt(m->phys_base);
	struct elf64_ehdr h;
	enum elf_error err =
	        elf_validate(image, m->size, ROOT_TASK_IMAGE_LOW, ROOT_TASK_IMAGE_HIGH);

	if (err != ELF_OK)
		panic("root task module '%s' refused: %s", m->name, elf_strerror(err));
	__builtin_memcpy(&h, image, sizeof(h));
	for (size_t i = 0; i < h.e_phnum; i++) {
		struct elf64_phdr p = elf_phdr(image, i);
		if (p.p_type == ELF_PT_LOAD && p.p_memsz != 0)
			load_segment(mem, root, image, &p);
	}
	return h.e_entry;
}

void root_task_start(struct boot_memory *mem, const struct ward_bootinfo *info)
{
	struct thread *t = &root_thread;
	uint64_t root = vspace_create(mem);
	uint64_t entry = load_image(mem, root, &info->modules[0]);

	for (unsigned i = 1; i <= ROOT_TASK_STACK_PAGES; i++)
		if (!vspace_map_user_page(mem, root, ROOT_TASK_STACK_TOP - i * PAGE_SIZE,
		                          fresh_page(mem), VSPACE_READ | VSPACE_WRITE))
			panic("root task: cannot map its stack");
	uint64_t info_pa = fresh_page(mem);
	__builtin_memcpy(phys_to_virt(info_pa), info, sizeof(*info));
	if (!vspace_map_user_page(mem, root, ROOT_TASK_BOOTINFO, info_pa, VSPACE_READ))
		panic("root task: cannot map boot information");

	t->vspace_root = root;
	t->is_root_task = true;
	console_line_init(&t->out, "root");
	t->ctx = (struct user_context){
	        .rip = entry,
	        .rsp = ROOT_TASK_STACK_TOP,
	        .rdi = ROOT_TASK_BOOTINFO,
	        .cs = SEL_USER_CODE,
	        .ss = SEL_USER_DATA,
	        .rflags = RFLAGS_IF | RFLAGS_RESERVED1,
	};
	kprintf("root task '%s': entry %p, %lu KiB of boot memory used", info->modules[0].name,
	        (void *)entry, mem->allocated / 1024);
	thread_run(t);
}
