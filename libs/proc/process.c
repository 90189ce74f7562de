/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Making, starting and ending processes (proc/process.h). The layout of a
 * process's address space and CSpace is ward/startinfo.h's; its
 * bookkeeping CNode holds, in order: the image's pages, the stack, the IPC
 * buffer, the start information, the heap's pages (reserved, filled as the
 * heap grows) and the misc area (paging structures, device frames).
 */
#include <string.h>
#include <ward/invoke.h>
#include <proc/devmem.h>
#include <proc/slots.h>
#include <proc/untyped.h>
#include "proc_internal.h"

#define RW (WARD_RIGHT_READ | WARD_RIGHT_WRITE)

static const struct ward_bootinfo *boot;

enum ward_error proc_init(const struct ward_bootinfo *bi)
{
	boot = bi;
	proc_slots_init(bi->empty_first, bi->empty_last);
	proc_untyped_init(bi);
	proc_dev_init(bi);
	return proc_book_init();
}

static unsigned radix_for(uint64_t slots)
{
	unsigned radix = 1;

	while ((1ULL << radix) < slots)
		radix++;
	return radix;
}

/* The bookkeeping CNode, the process's CNode (with its guard), VSpace and TCB. */
static enum ward_error make_objects(struct proc *p, unsigned radix)
{
	const uint64_t cn = WARD_CAP_INIT_CNODE, ut = p->untyped;
	uint64_t first = proc_slots_alloc(4);
	enum ward_error err;

	if (first == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	p->book = first;
	p->cnode = first + 1;
	p->vspace = first + 2;
	p->tcb = first + 3;
	p->book_radix = radix;
	p->book_end = 1U << radix;
	/* Largest first: every object is aligned to its size within the untyped. */
	if ((err = ward_untyped_retype(ut, WARD_OBJ_CNODE, radix, cn, 0, 0, p->book, 1)) ||
	    (err = ward_untyped_retype(ut, WARD_OBJ_CNODE, WARD_PROC_CNODE_RADIX, cn, 0, 0,
	                               proc_scratch_work, 1)) ||
	    (err = ward_cnode_mutate(cn, p->cnode, 64, cn, proc_scratch_work, 64,
	                             64 - WARD_PROC_CNODE_RADIX)) ||
	    (err = ward_untyped_retype(ut, WARD_OBJ_PML4, 0, cn, 0, 0, p->vspace, 1)) ||
	    (err = ward_untyped_retype(ut, WARD_OBJ_TCB, 0, cn, 0, 0, p->tcb, 1)))
		return err;
	return ward_cnode_copy(p->cnode, WARD_PROC_CAP_CNODE, 64, cn, p->cnode, 64,
	                       WARD_RIGHTS_ALL);
}

/* A region of fresh zeroed pages the root task can read and write. */
static enum ward_error add_region(struct proc *p, uint64_t va, uint32_t pages, uint64_t rights,
                                  uint32_t *first)
{
	struct proc_region *r = &p->regions[p->region_count++];
	enum ward_error err;

	*r = (struct proc_region){va, pages, p->book_next, (rights & WARD_RIGHT_WRITE) != 0};
	*first = p->book_next;
	p->book_next += pages;
	for (uint32_t i = 0; i < pages; i++)
		if ((err = proc_book_frame(p, r->first + i, va + i * PROC_PAGE, rights, NULL, 0)))
			return err;
	return WARD_OK;
}

static enum ward_error make_pages(struct proc *p, uint64_t heap_pages)
{
	const uint64_t stack = WARD_PROC_STACK_TOP - PROC_STACK_PAGES * PROC_PAGE;
	uint32_t first;
	enum ward_error err;

	if ((err = add_region(p, stack, PROC_STACK_PAGES, RW, &first)) ||
	    (err = add_region(p, WARD_PROC_IPC_BUFFER, 1, RW, &p->ipc_slot)) ||
	    (err = add_region(p, WARD_STARTINFO_ADDR, 1, WARD_RIGHT_READ, &p->info_slot)))
		return err;
	p->heap_first = p->book_next;
	p->book_next += (uint32_t)heap_pages;
	ward_heap_init(&p->heap, WARD_PROC_HEAP_BASE, heap_pages);
	return WARD_OK;
}

static void copy_string(char *dst, size_t size, const char *src)
{
	size_t n = src != NULL ? strnlen(src, size - 1) : 0;

	memcpy(dst, src, n);
	memset(dst + n, 0, size - n);
}

static void fill_info(struct proc *p, const struct proc_config *c)
{
	struct ward_startinfo *si = &p->info;

	si->magic = WARD_STARTINFO_MAGIC;
	si->version = WARD_STARTINFO_VERSION;
	si->pid = c->pid;
	si->restarts = c->restarts;
	si->cpu_count = boot->cpu_count;
	copy_string(si->name, sizeof(si->name), c->name);
	copy_string(si->args, sizeof(si->args), c->args);
	si->ipc_buffer = WARD_PROC_IPC_BUFFER;
	si->stack_top = WARD_PROC_STACK_TOP;
	si->stack_size = PROC_STACK_PAGES * PROC_PAGE;
	si->heap_base = p->heap.base;
	si->heap_size = p->heap.pages * PROC_PAGE;
	si->tsc_hz = boot->tsc_hz;
	si->free_last = 1U << WARD_PROC_CNODE_RADIX;
	p->next_role_slot = WARD_PROC_CAP_FIRST_ROLE;
	p->next_device_va = WARD_PROC_DEVICE_BASE;
}

enum ward_error proc_create(struct proc *p, const struct proc_config *c, const char **why)
{
	uint64_t heap_pages =
	        c->heap_pages < WARD_HEAP_MAX_PAGES ? c->heap_pages : WARD_HEAP_MAX_PAGES;
	uint32_t image_pages;
	unsigned radix;
	enum ward_error err;

	memset(p, 0, sizeof(*p));
	p->pid = c->pid;
	copy_string(p->name, sizeof(p->name), c->name);
	p->untyped = c->untyped;
	p->untyped_bits = c->untyped_bits;
	p->cpu = c->cpu;
	if ((err = proc_image_pages(c->image, c->image_size, &image_pages, why)) != WARD_OK)
		return err;
	radix = radix_for(image_pages + PROC_STACK_PAGES + 2 + heap_pages + PROC_MISC_SLOTS);
	if (radix > WARD_CNODE_MAX_RADIX) {
		*why = "image and heap too large for the bookkeeping CNode";
		return WARD_ERR_RANGE;
	}
	*why = "out of memory or slots for the process's objects";
	if ((err = make_objects(p, radix)) == WARD_OK &&
	    (err = proc_load_image(p, c->image, c->image_size, why)) == WARD_OK) {
		*why = "out of memory for the stack, IPC buffer or start information";
		err = make_pages(p, heap_pages);
	}
	if (err != WARD_OK) {
		proc_destroy(p);
		return err;
	}
	fill_info(p, c);
	*why = NULL;
	return WARD_OK;
}

/* The fault endpoint, badged with the pid: the root task learns whose fault it is. */
static enum ward_error set_fault_handler(struct proc *p, uint64_t fault_ep)
{
	const uint64_t cn = WARD_CAP_INIT_CNODE;
	enum ward_error err = ward_cnode_mint(cn, proc_scratch_work, 64, cn, fault_ep, 64,
	                                      WARD_RIGHT_WRITE, p->pid);

	if (err == WARD_OK)
		err = ward_tcb_set_fault_handler(p->tcb, proc_scratch_work);
	ward_cnode_delete(cn, proc_scratch_work, 64); /* the TCB keeps its own copy */
	return err;
}

static enum ward_error configure(struct proc *p)
{
	enum ward_error err = proc_book_take(p, p->ipc_slot, proc_scratch_work);

	if (err != WARD_OK)
		return err;
	err = ward_tcb_configure(p->tcb, p->cnode, p->vspace, proc_scratch_work,
	                         WARD_PROC_IPC_BUFFER);
	proc_book_put(p, p->ipc_slot, proc_scratch_work);
	return err;
}

enum ward_error proc_start(struct proc *p, uint64_t fault_ep, unsigned priority)
{
	uint64_t regs[WARD_REG_RDI + 1] = {0};
	char name[16];
	enum ward_error err;

	p->info.free_first = p->next_role_slot;
	if (!proc_poke(p, WARD_STARTINFO_ADDR, &p->info, sizeof(p->info)))
		return WARD_ERR_INVALID_ARGUMENT;
	/* Before the thread resumes (below): its first instruction runs on that CPU. */
	if ((err = ward_tcb_set_affinity(p->tcb, p->cpu)) ||
	    (err = set_fault_handler(p, fault_ep)) || (err = configure(p)) ||
	    (err = ward_tcb_set_priority(p->tcb, WARD_CAP_INIT_TCB, priority)))
		return err;
	copy_string(name, sizeof(name), p->name); /* the console shows 15 characters */
	ward_debug_name(p->tcb, name);
	regs[WARD_REG_RIP] = p->entry;
	regs[WARD_REG_RSP] = WARD_PROC_STACK_TOP;
	regs[WARD_REG_RDI] = WARD_STARTINFO_ADDR;
	return ward_tcb_write_registers(p->tcb, 1, WARD_REG_RDI + 1, regs);
}

bool proc_destroy(struct proc *p)
{
	const uint64_t cn = WARD_CAP_INIT_CNODE;
	bool whole;

	if (p->tcb != 0)
		ward_tcb_suspend(p->tcb);
	ward_cnode_revoke(cn, p->untyped, 64);
	/* Proof that nothing survived: the untyped is whole again, so it retypes entire. */
	whole = ward_untyped_retype(p->untyped, WARD_OBJ_UNTYPED, p->untyped_bits, cn, 0, 0,
	                            proc_scratch_work, 1) == WARD_OK;
	ward_cnode_delete(cn, proc_scratch_work, 64);
	if (p->book != 0)
		proc_slots_free(p->book, 4);
	p->book = p->cnode = p->vspace = p->tcb = 0;
	return whole;
}
