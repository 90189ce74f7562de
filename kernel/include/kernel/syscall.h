/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>
#include <kernel/tcb.h>

/* Handles system call `number` for `t` (its registers saved in t->ctx). */
void syscall_dispatch(struct tcb *t, int64_t number);

/* Copies len bytes from user address va of t's VSpace; false if not all readable. */
bool syscall_copy_in(struct tcb *t, void *dst, uint64_t va, uint64_t len);

#endif
