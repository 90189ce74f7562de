/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Userspace wrappers for Ward system calls (ABI: include/ward/syscall.h).
 */
#ifndef WARD_SYS_H
#define WARD_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <ward/errors.h>
#include <ward/syscall.h>

static inline long ward_syscall2(long number, long a0, long a1)
{
	long ret;
	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(number), "D"(a0), "S"(a1)
	                 : "rcx", "r11", "memory");
	return ret;
}

/* Writes len bytes to the console, whole lines prefixed with this thread's name. */
static inline enum ward_error ward_debug_write(const void *buf, size_t len)
{
	return (enum ward_error)ward_syscall2(WARD_SYS_DEBUG_WRITE, (long)buf, (long)len);
}

/* Stops the machine with `status` (0 = success); does not return. */
__attribute__((noreturn)) static inline void ward_debug_halt(unsigned status)
{
	ward_syscall2(WARD_SYS_DEBUG_HALT, status, 0);
	__builtin_unreachable();
}

static inline enum ward_error ward_set_tls_base(uintptr_t base)
{
	return (enum ward_error)ward_syscall2(WARD_SYS_SET_TLS_BASE, (long)base, 0);
}

#endif
