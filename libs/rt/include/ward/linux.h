/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Linux system calls, emulated. musl issues Linux `syscall`s; Ward's kernel
 * turns each into an unknown-syscall fault for the thread's fault handler
 * (ward/object.h), which answers it here (seL4's muslcsys is the model).
 * The root task answers its own processes' calls (servers/root); libs/rt
 * answers the root task's (root_emulator.c). Both supply a host: how to
 * reach the caller's memory, its console, and its anonymous memory.
 *
 * Emulated: write, writev (fds 1 and 2, the console), ioctl TIOCGWINSZ on
 * fds 0-2 (they are a terminal of 80x24), brk, mmap (anonymous), munmap,
 * mprotect and madvise (accepted, no effect), clock_gettime (from the TSC),
 * getpid, gettid, set_tid_address, sched_yield, exit, exit_group. Every
 * other number returns -ENOSYS. Arguments are untrusted: bad ones give
 * the errno Linux would, and a call that fails changes nothing.
 */
#ifndef WARD_LINUX_H
#define WARD_LINUX_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/heap.h>

/* One call as the fault message carries it (ward/object.h, WARD_FAULT_UNKNOWN_SYSCALL). */
struct ward_linux_call {
	uint64_t nr;     /* rax */
	uint64_t arg[6]; /* rdi, rsi, rdx, r10, r8, r9 */
};

struct ward_linux_host {
	/* The caller's memory: false if any byte is not there (or not writable). */
	bool (*copy_in)(void *ctx, void *dst, uint64_t va, uint64_t len);
	bool (*copy_out)(void *ctx, uint64_t va, const void *src, uint64_t len);
	bool (*readable)(void *ctx, uint64_t va, uint64_t len);
	/* Console output of len bytes at va, as the caller: bytes written or -errno. */
	int64_t (*console)(void *ctx, uint64_t va, uint64_t len);
	struct ward_heap *heap;
	struct ward_heap_ops heap_ops;
	uint64_t pid;
	uint64_t tsc_hz;
	void *ctx;
};

enum ward_linux_outcome {
	WARD_LINUX_RETURN, /* answer the caller with the result */
	WARD_LINUX_EXIT,   /* the caller asked to end; the result is its exit status */
};

/* Emulates one call; *result is the value for rax (or the exit status). */
enum ward_linux_outcome ward_linux_syscall(const struct ward_linux_host *host,
                                           const struct ward_linux_call *call, int64_t *result);

/* Nanoseconds since boot from the TSC. */
uint64_t ward_linux_clock_ns(uint64_t tsc_hz);

#endif
