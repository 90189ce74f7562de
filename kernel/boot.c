/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Building the root task: the one place where the kernel creates objects
 * itself, from boot memory, before handing every remaining byte to the
 * root task as untyped memory. After this, the kernel allocates nothing.
 */
#include <stddef.h>
#include <kernel/boot.h>
#include <kernel/cspace.h>
#include <kernel/elf.h>
#include <kernel/printf.h>
#include <kernel/sched.h>
#include <kernel/tcb.h>
#include <kernel/vspace_objects.h>
#include "memory_layout.h"
#include "vspace.h"

static struct boot_params *bp;
static struct cte *root_cnode;

static uint64_t alloc_zeroed(unsigned size_bits)
{
	uint64_t pa = boot_memory_alloc(bp->mem, size_bits);

	if (pa == 0)
		panic("root task: out of boot memory (2^%u bytes wanted)", size_bits);
	__builtin_memset(phys_to_virt(pa), 0, 1ULL << size_bits);
	return pa;
}

static void map(uint64_t root_phys, uint64_t va, uint64_t pa, unsigned rights)
{
	if (!vspace_map_user_page(bp->mem, root_phys, va, pa, rights))
		panic("root task: cannot map %p", (void *)va);
}

static unsigned segment_rights(uint32_t flags)
{
	return VSPACE_READ | ((flags & ELF_PF_W) ? VSPACE_WRITE : 0) |
	       ((flags & ELF_PF_X) ? VSPACE_EXEC : 0);
}

static void load_segment(uint64_t root, const uint8_t *image, const struct elf64_phdr *p)
{
	for (uint64_t va = p->p_vaddr & ~(PAGE_SIZE - 1); va < p->p_vaddr + p->p_memsz;
	     va += PAGE_SIZE) {
		uint64_t pa = alloc_zeroed(12);
		uint8_t *dst = phys_to_virt(pa);
		for (uint64_t b = 0; b < PAGE_SIZE; b++) {
			uint64_t at = va + b;
			if (at >= p->p_vaddr && at - p->p_vaddr < p->p_filesz)
				dst[b] = image[p->p_offset + (at - p->p_vaddr)];
		}
		map(root, va, pa, segment_rights(p->p_flags));
	}
}

static uint64_t load_image(uint64_t root, const struct ward_module *m)
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
			load_segment(root, image, &p);
	}
	return h.e_entry;
}

/* Maps every module read-only, each on its own 2 MiB-aligned window. */
static void map_modules(uint64_t root)
{
	uint64_t va = ROOT_TASK_MODULES;

	for (uint32_t i = 0; i < bp->info->module_count; i++) {
		struct ward_module *m = &bp->info->modules[i];
		uint64_t first = m->phys_base & ~(PAGE_SIZE - 1);
		for (uint64_t pa = first; pa < m->phys_base + m->size; pa += PAGE_SIZE)
			map(root, va + (pa - first), pa, VSPACE_READ);
		m->vaddr = va + (m->phys_base - first);
		va += (m->size + (m->phys_base - first) + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
	}
}

static struct cte *slot(unsigned i)
{
	return &root_cnode[i];
}

static void give(unsigned i, struct cap c)
{
	cspace_insert(NULL, slot(i), c, MDB_REVOCABLE | MDB_FIRST_BADGED);
}

static void copy_to_tcb(struct tcb *t, enum tcb_slot s, unsigned from)
{
	struct cap c;

	if (!cap_derive(&slot(from)->cap, &c))
		panic("root task: cap %u cannot be copied", from);
	cspace_insert(slot(from), &t->slots[s], c, 0);
}

/* Untyped caps for [base, end): RAM if !device. Returns the next free slot. */
static unsigned give_untyped(unsigned next, uint64_t base, uint64_t end, bool device)
{
	struct ward_untyped_desc blocks[64];
	struct ward_bootinfo *info = bp->info;
	size_t n = boot_untyped_blocks(base, end, device ? 12 : WARD_UNTYPED_MIN_BITS, device,
	                               blocks, 64);

	for (size_t i = 0; i < n && i < 64; i++) {
		if (info->untyped_count == WARD_MAX_UNTYPED ||
		    next == (1U << WARD_ROOT_CNODE_RADIX)) {
			kprintf("untyped table full: %016lx-%016lx not given", blocks[i].phys_base,
			        end);
			return next;
		}
		info->untyped[info->untyped_count++] = blocks[i];
		give(next++, (struct cap){.type = WARD_OBJ_UNTYPED,
		                          .rights = WARD_RIGHTS_ALL,
		                          .bits = blocks[i].size_bits,
		                          .flags = device ? CAP_FLAG_DEVICE : 0,
		                          .obj = (uint64_t)phys_to_virt(blocks[i].phys_base)});
	}
	return next;
}

/* Device untyped: [0, device_top) minus firmware-reported RAM and exclusions. */
static unsigned give_device_memory(unsigned next)
{
	uint64_t at = 0;

	while (at < bp->device_top) {
		uint64_t end = bp->device_top, skip_to = 0;
		for (uint32_t i = 0; i < bp->info->region_count; i++) {
			const struct ward_mem_region *r = &bp->info->regions[i];
			uint64_t rb = r->base & ~(PAGE_SIZE - 1),
			         re = (r->base + r->size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
			if (r->kind != WARD_MEM_FREE)
				continue;
			if (rb <= at && re > at && re > skip_to)
				skip_to = re;
			else if (rb > at && rb < end)
				end = rb;
		}
		for (unsigned i = 0; i < bp->excluded_count; i++) {
			const struct phys_range *x = &bp->excluded[i];
			if (x->base <= at && x->end > at && x->end > skip_to)
				skip_to = x->end;
			else if (x->base > at && x->base < end)
				end = x->base;
		}
		if (skip_to > at) {
			at = skip_to;
			continue;
		}
		next = give_untyped(next, at, end, true);
		at = end;
	}
	return next;
}

static void fill_thread(struct tcb *t, uint64_t entry)
{
	t->ctx.rip = entry;
	t->ctx.rsp = ROOT_TASK_STACK_TOP;
	t->ctx.rdi = ROOT_TASK_BOOTINFO;
	t->priority = WARD_MAX_PRIORITY;
	t->max_priority = WARD_MAX_PRIORITY;
	t->cpu = 0;
	t->is_root_task = 1;
	t->ipc_buffer_va = ROOT_TASK_IPC_BUFFER;
	__builtin_memcpy(t->name, "root", 5);
	console_line_init(&t->out, "root");
}

void root_task_create(struct boot_params *p)
{
	struct ward_bootinfo *info = p->info;
	uint64_t root, ipcbuf, bootinfo_pa;
	struct tcb *t;
	unsigned next = WARD_CAP_FIRST_DYNAMIC;

	bp = p;
	root_cnode = phys_to_virt(alloc_zeroed(WARD_ROOT_CNODE_RADIX + WARD_CNODE_SLOT_SIZE_BITS));
	t = phys_to_virt(alloc_zeroed(WARD_TCB_SIZE_BITS));
	tcb_init(t);
	root = vspace_create(p->mem);
	uint64_t entry = load_image(root, &info->modules[0]);
	for (unsigned i = 1; i <= ROOT_TASK_STACK_PAGES; i++)
		map(root, ROOT_TASK_STACK_TOP - i * PAGE_SIZE, alloc_zeroed(12),
		    VSPACE_READ | VSPACE_WRITE);
	ipcbuf = alloc_zeroed(12);
	map(root, ROOT_TASK_IPC_BUFFER, ipcbuf, VSPACE_READ | VSPACE_WRITE);
	map_modules(root);
	bootinfo_pa = alloc_zeroed(13);
	map(root, ROOT_TASK_BOOTINFO, bootinfo_pa, VSPACE_READ);
	map(root, ROOT_TASK_BOOTINFO + PAGE_SIZE, bootinfo_pa + PAGE_SIZE, VSPACE_READ);

	/* The fixed slots (ward/bootinfo.h). A guard of 52 bits makes cptr == slot index. */
	give(WARD_CAP_INIT_CNODE, (struct cap){.type = WARD_OBJ_CNODE,
	                                       .rights = WARD_RIGHTS_ALL,
	                                       .bits = WARD_ROOT_CNODE_RADIX,
	                                       .guard_bits = 64 - WARD_ROOT_CNODE_RADIX,
	                                       .flags = CAP_FLAG_FLAT_CNODE,
	                                       .obj = (uint64_t)root_cnode});
	give(WARD_CAP_INIT_TCB,
	     (struct cap){.type = WARD_OBJ_TCB, .rights = WARD_RIGHTS_ALL, .obj = (uint64_t)t});
	struct cap vs = {.type = WARD_OBJ_PML4,
	                 .rights = WARD_RIGHTS_ALL,
	                 .obj = (uint64_t)phys_to_virt(root)};
	vspace_assign_asid(&vs);
	give(WARD_CAP_INIT_VSPACE, vs);
	give(WARD_CAP_IRQ_CONTROL,
	     (struct cap){.type = WARD_OBJ_IRQ_CONTROL, .rights = WARD_RIGHTS_ALL});
	give(WARD_CAP_SYSTEM_CONTROL,
	     (struct cap){.type = WARD_OBJ_SYSTEM_CONTROL, .rights = WARD_RIGHTS_ALL});
	give(WARD_CAP_IOPORT_CONTROL, (struct cap){.type = WARD_OBJ_IOPORT_CONTROL,
	                                           .rights = WARD_RIGHTS_ALL,
	                                           .word2 = 0xffff});
	/* Read-only: In works, Out is refused, so the console program cannot
	 * transmit over the kernel's lines or reprogram the UART. */
	give(WARD_CAP_CONSOLE_RECEIVE,
	     (struct cap){.type = WARD_OBJ_IOPORT,
	                  .rights = WARD_RIGHT_READ,
	                  .word1 = p->console_port,
	                  .word2 = p->console_port + p->console_ports - 1u});
	info->console_port = p->console_port;
	info->console_ports = p->console_ports;
	info->console_gsi = p->console_gsi;
	give(WARD_CAP_INIT_IPC_BUFFER, (struct cap){.type = WARD_OBJ_FRAME,
	                                            .rights = WARD_RIGHTS_ALL,
	                                            .bits = WARD_FRAME_SIZE_BITS,
	                                            .obj = (uint64_t)phys_to_virt(ipcbuf),
	                                            .word1 = vs.word1,
	                                            .word2 = ROOT_TASK_IPC_BUFFER});
	copy_to_tcb(t, TCB_SLOT_CSPACE, WARD_CAP_INIT_CNODE);
	copy_to_tcb(t, TCB_SLOT_VSPACE, WARD_CAP_INIT_VSPACE);
	copy_to_tcb(t, TCB_SLOT_IPC_BUFFER, WARD_CAP_INIT_IPC_BUFFER);
	fill_thread(t, entry);

	/* Everything left: RAM as untyped, then device memory. */
	info->untyped_first = next;
	for (size_t i = 0; i < p->mem->free_count; i++)
		next = give_untyped(next, p->mem->free[i].base, p->mem->free[i].end, false);
	p->mem->free_count = 0; /* nothing more for the kernel: it allocates no more */
	next = give_device_memory(next);
	info->empty_first = next;
	info->empty_last = 1U << WARD_ROOT_CNODE_RADIX;
	info->ipc_buffer = ROOT_TASK_IPC_BUFFER;
	__builtin_memcpy(phys_to_virt(bootinfo_pa), info, sizeof(*info));
	kprintf("root task '%s': entry %p, %u untyped caps, %lu KiB of boot memory used",
	        info->modules[0].name, (void *)entry, info->untyped_count,
	        p->mem->allocated / 1024);
	sched_wake(t);
}
