/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef KERNEL_FASTPATH_H
#define KERNEL_FASTPATH_H

#include <stdint.h>
#include <kernel/tcb.h>

/*
 * 0 builds a kernel that sends every system call down the general path
 * (ward-kernel-nofastpath, on which the kernel IPC tests run as well, so
 * that both paths are held to the same results).
 */
#ifndef WARD_FASTPATH
#define WARD_FASTPATH 1
#endif

/*
 * The IPC fast path (seL4's): a Call to a waiting server, or a ReplyRecv
 * answering a waiting client, with a short message, no capabilities and
 * nothing else for the scheduler to decide. Runs it for `t`, the current
 * thread of CPU `cpu`, and enters the thread it switches to; returns
 * (nothing changed) only if the general path must handle the call.
 */
void fastpath_try(struct tcb *t, int64_t number, unsigned cpu);

#endif
