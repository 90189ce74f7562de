/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reproduction: TCB_Configure must refuse a device frame as IPC buffer
 * (docs/kernel.md, TCB Configure: INVALID_CAPABILITY (X0+2) "not a frame,
 * or a device frame"). The kernel reaches an IPC buffer through its direct
 * map of physical memory, which covers RAM and the first 4 GiB only: a
 * device frame above that, accepted as IPC buffer, makes the kernel fault
 * the first time it writes a message register there.
 *
 * A thread gets such a frame as IPC buffer and calls ReadRegisters for all
 * 19 registers, whose results MR4..MR18 the kernel writes into the
 * caller's IPC buffer. Expected: Configure fails; if it does not, the
 * kernel must at least survive the call.
 */
#include <stdint.h>
#include "lib/wcheck.h"

static void read_many(struct wt_thread *self)
{
	uint64_t regs[WARD_REG_COUNT];

	self->word[0] = ward_tcb_read_registers(self->tcb, WARD_REG_COUNT, regs);
}

int main(void)
{
	static struct wt_thread t;
	const struct ward_bootinfo *bi;
	uint64_t high = 0, frame, regs[WARD_REG_COUNT];
	enum ward_error e;

	wt_init();
	bi = wt_bi;
	tap_plan(3);
	for (unsigned i = 0; i < bi->untyped_count && high == 0; i++)
		if (bi->untyped[i].is_device && bi->untyped[i].phys_base >= (8ULL << 30))
			high = bi->untyped_first + i;
	frame = high != 0 ? wt_obj_from(high, WARD_OBJ_FRAME, 0) : 0;
	tap_ok(frame != 0, "a device frame above 8 GiB (outside the kernel's direct map)");
	require(wt_thread_new(&t, "devbuf", read_many, NULL, 100));
	e = ward_tcb_configure(t.tcb, WARD_CAP_INIT_CNODE, WARD_CAP_INIT_VSPACE, frame,
	                       (uint64_t)t.ipc);
	expect_err_arg(e, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0 + 2,
	               "TCB_Configure with that device frame as IPC buffer: INVALID_CAPABILITY");
	/* The thread keeps its TLS block in its own (RAM) page; only the kernel uses the frame. */
	wt_thread_initial_regs(&t, regs);
	ward_tcb_write_registers(t.tcb, 1, WARD_REG_COUNT, regs);
	wt_thread_join(&t);
	tap_ok(t.finished, "a thread with it as IPC buffer called ReadRegisters; the kernel is up");
	return tap_exit_status();
}
