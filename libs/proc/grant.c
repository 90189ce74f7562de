/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capabilities a process gets for its role (proc/process.h): copies and
 * badged mints of the root task's caps, memory of its own to make objects
 * from, interrupts, device frames mapped into its address space. All of
 * them live in objects made from the process's untyped, or in its CNode,
 * so ending the process takes them back.
 */
#include <ward/invoke.h>
#include "proc_internal.h"

enum ward_error proc_give_copy(struct proc *p, uint64_t slot, uint64_t root_cap, uint64_t rights)
{
	return ward_cnode_copy(p->cnode, slot, 64, WARD_CAP_INIT_CNODE, root_cap, 64, rights);
}

enum ward_error proc_give_mint(struct proc *p, uint64_t slot, uint64_t root_cap, uint64_t rights,
                               uint64_t badge)
{
	return ward_cnode_mint(p->cnode, slot, 64, WARD_CAP_INIT_CNODE, root_cap, 64, rights,
	                       badge);
}

enum ward_error proc_give_untyped(struct proc *p, unsigned bits)
{
	enum ward_error err = ward_untyped_retype(p->untyped, WARD_OBJ_UNTYPED, bits, p->cnode, 0,
	                                          0, WARD_PROC_CAP_UNTYPED, 1);

	if (err == WARD_OK)
		err = proc_give_copy(p, WARD_PROC_CAP_VSPACE, p->vspace, WARD_RIGHTS_ALL);
	if (err == WARD_OK)
		p->info.untyped_bits = bits;
	return err;
}

enum ward_error proc_give_msi(struct proc *p, uint64_t slot, struct ward_irq_grant *grant)
{
	uint64_t vector, address, data;
	enum ward_error err = ward_irq_control_get_msi(WARD_CAP_IRQ_CONTROL, p->cnode, slot, 64,
	                                               &vector, &address, &data);

	if (err == WARD_OK)
		*grant = (struct ward_irq_grant){(uint32_t)slot, (uint32_t)vector, address,
		                                 (uint32_t)data, 0};
	return err;
}

enum ward_error proc_map_device(struct proc *p, uint64_t frame, uint64_t va)
{
	const struct proc_tables t = proc_book_tables(p);
	uint32_t index;
	enum ward_error err = proc_book_misc(p, &index);

	if (err != WARD_OK)
		return err;
	err = ward_cnode_copy(WARD_CAP_INIT_CNODE, proc_scratch_work, 64, WARD_CAP_INIT_CNODE,
	                      frame, 64, WARD_RIGHT_READ | WARD_RIGHT_WRITE);
	if (err == WARD_OK && (err = proc_map_frame(&t, proc_scratch_work, va,
	                                            WARD_RIGHT_READ | WARD_RIGHT_WRITE)) == WARD_OK)
		return proc_book_put(p, index, proc_scratch_work);
	ward_cnode_delete(WARD_CAP_INIT_CNODE, proc_scratch_work, 64);
	return err;
}
