/* SPDX-License-Identifier: BSD-2-Clause */
/* Entering and leaving user threads on x86_64. */
#include <kernel/printf.h>
#include <kernel/platform.h>
#include <kernel/thread.h>
#include "cpu.h"
#include "percpu.h"
#include "x86_regs.h"

struct thread *current_thread;

void thread_run(struct thread *t)
{
	uint64_t frame_end = (uint64_t)&t->ctx + CONTEXT_FRAME_END;

	current_thread = t;
	boot_cpu.local.context_frame_end = frame_end;
	tss_set_rsp0(&boot_cpu.tables, frame_end);
	if (read_cr3() != t->vspace_root)
		write_cr3(t->vspace_root);
	wrmsr(MSR_FS_BASE, t->ctx.fs_base);
	context_restore(&t->ctx);
}

void thread_exit(struct thread *t, unsigned status)
{
	console_line_flush(&t->out);
	if (t->is_root_task) {
		kprintf("root task exited with status %u: halting", status);
		platform_halt(status);
	}
	panic("thread exit without a scheduler");
}
