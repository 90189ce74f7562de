/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * System-call decoding (ABI in include/ward/syscall.h). Every argument is
 * user input: buffers are copied through checked page-table walks, never
 * dereferenced directly.
 */
#include <kernel/printf.h>
#include <kernel/thread.h>
#include <ward/errors.h>
#include <ward/syscall.h>
#include "memory_layout.h"
#include "vspace.h"

#define DEBUG_WRITE_MAX 4096

static uint64_t sys_debug_write(struct thread *t, uint64_t va, uint64_t len)
{
	char chunk[128];

	if (len > DEBUG_WRITE_MAX)
		return WARD_ERR_RANGE;
	while (len > 0) {
		size_t n = len < sizeof(chunk) ? len : sizeof(chunk);
		if (!vspace_copy_from_user(t->vspace_root, chunk, va, n))
			return WARD_ERR_INVALID_ARGUMENT;
		console_line_write(&t->out, chunk, n);
		va += n;
		len -= n;
	}
	return WARD_OK;
}

static uint64_t sys_set_tls_base(struct thread *t, uint64_t base)
{
	if (base >= USER_TOP)
		return WARD_ERR_INVALID_ARGUMENT;
	t->ctx.fs_base = base;
	return WARD_OK;
}

static void unknown_syscall(struct thread *t)
{
	console_line_flush(&t->out);
	kprintf("unknown syscall %ld from thread 'root' at rip %016lx", (long)t->ctx.rax,
	        t->ctx.rip);
	thread_exit(t, WARD_HALT_USER_FAULT);
}

void syscall_from_user(struct user_context *c)
{
	struct thread *t = current_thread;

	switch ((int64_t)c->rax) {
	case WARD_SYS_DEBUG_WRITE:
		c->rax = sys_debug_write(t, c->rdi, c->rsi);
		break;
	case WARD_SYS_DEBUG_HALT:
		thread_exit(t, c->rdi > 0x7c ? 0x7c : (unsigned)c->rdi);
	case WARD_SYS_SET_TLS_BASE:
		c->rax = sys_set_tls_base(t, c->rdi);
		break;
	default:
		unknown_syscall(t);
	}
	thread_run(t);
}
