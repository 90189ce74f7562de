/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A user thread: its saved registers, its address space and its console
 * line. Touched only with the big kernel lock held (the kernel runs with
 * interrupts off, one CPU at a time).
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdint.h>
#include <stdbool.h>
#include <kernel/console.h>
#include "context.h"

struct thread {
	struct user_context ctx;
	uint64_t vspace_root; /* physical address of the PML4 */
	struct console_line out;
	bool is_root_task;
};

/* The thread whose registers the next kernel exit restores. */
extern struct thread *current_thread;

/* Switches to `t` and enters user mode; never returns. */
__attribute__((noreturn)) void thread_run(struct thread *t);

/* Ends `t` after a fatal fault or exit; never returns. */
__attribute__((noreturn)) void thread_exit(struct thread *t, unsigned status);

#endif
