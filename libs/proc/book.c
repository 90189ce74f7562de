/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A process's bookkeeping CNode: where the root task keeps the caps of the
 * process's frames and paging structures (proc/process.h). Its slots are
 * reached by index with depth = its radix (it has no guard); a cap is
 * invoked only from a root slot, so it is moved out for that and back.
 */
#include <stddef.h>
#include <string.h>
#include <ward/invoke.h>
#include <proc/slots.h>
#include "proc_internal.h"

uint64_t proc_scratch_work, proc_scratch_table, proc_scratch_view;

enum ward_error proc_book_init(void)
{
	uint64_t first = proc_slots_alloc(3);

	if (first == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	proc_scratch_work = first;
	proc_scratch_table = first + 1;
	proc_scratch_view = first + 2;
	return WARD_OK;
}

enum ward_error proc_book_take(const struct proc *p, uint32_t index, uint64_t root_slot)
{
	return ward_cnode_move(WARD_CAP_INIT_CNODE, root_slot, 64, p->book, index, p->book_radix);
}

enum ward_error proc_book_put(const struct proc *p, uint32_t index, uint64_t root_slot)
{
	return ward_cnode_move(p->book, index, p->book_radix, WARD_CAP_INIT_CNODE, root_slot, 64);
}

enum ward_error proc_book_misc(struct proc *p, uint32_t *index)
{
	if (p->book_next >= p->book_end)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	*index = p->book_next++;
	return WARD_OK;
}

static enum ward_error table_make(void *ctx, unsigned type, uint64_t *slot)
{
	struct proc *p = ctx;

	*slot = proc_scratch_table;
	return ward_untyped_retype(p->untyped, type, 0, WARD_CAP_INIT_CNODE, 0, 0, *slot, 1);
}

static enum ward_error table_keep(void *ctx, uint64_t slot)
{
	struct proc *p = ctx;
	uint32_t index;
	enum ward_error err = proc_book_misc(p, &index);

	return err != WARD_OK ? err : proc_book_put(p, index, slot);
}

struct proc_tables proc_book_tables(struct proc *p)
{
	return (struct proc_tables){p->vspace, table_make, table_keep, p};
}

/* Copies `len` bytes into the frame in proc_scratch_work through a root mapping. */
static enum ward_error fill_frame(const void *src, uint64_t len)
{
	enum ward_error err = proc_map_root(proc_scratch_work, PROC_SCRATCH_VA,
	                                    WARD_RIGHT_READ | WARD_RIGHT_WRITE);

	if (err != WARD_OK)
		return err;
	memcpy((void *)PROC_SCRATCH_VA, src, len);
	return ward_frame_unmap(proc_scratch_work);
}

enum ward_error proc_book_frame(struct proc *p, uint32_t index, uint64_t va, uint64_t rights,
                                const void *fill, uint64_t fill_len)
{
	const struct proc_tables t = proc_book_tables(p);
	enum ward_error err = ward_untyped_retype(p->untyped, WARD_OBJ_FRAME, 0,
	                                          WARD_CAP_INIT_CNODE, 0, 0, proc_scratch_work, 1);

	if (err != WARD_OK)
		return err;
	if (fill_len > PROC_PAGE)
		fill_len = PROC_PAGE;
	if ((fill_len == 0 || (err = fill_frame(fill, fill_len)) == WARD_OK) &&
	    (err = proc_map_frame(&t, proc_scratch_work, va, rights)) == WARD_OK &&
	    (err = proc_book_put(p, index, proc_scratch_work)) == WARD_OK)
		return WARD_OK;
	ward_cnode_delete(WARD_CAP_INIT_CNODE, proc_scratch_work, 64);
	return err;
}

void *proc_view(const struct proc *p, uint32_t index)
{
	if (ward_cnode_copy(WARD_CAP_INIT_CNODE, proc_scratch_view, 64, p->book, index,
	                    p->book_radix, WARD_RIGHTS_ALL) != WARD_OK)
		return NULL;
	if (proc_map_root(proc_scratch_view, PROC_SCRATCH_VA, WARD_RIGHT_READ | WARD_RIGHT_WRITE) !=
	    WARD_OK) {
		proc_unview();
		return NULL;
	}
	return (void *)PROC_SCRATCH_VA;
}

/* Deleting the copy removes its mapping too. */
void proc_unview(void)
{
	ward_cnode_delete(WARD_CAP_INIT_CNODE, proc_scratch_view, 64);
}
