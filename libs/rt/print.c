/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Console output that needs no system-call emulation (straight to the
 * kernel's debug console), and ending a program from any thread.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <ward/rt.h>
#include <ward/sys.h>
#include "rt_internal.h"

int ward_vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return n;
	ward_debug_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

int ward_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = ward_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

static bool on_main_thread(void)
{
	uintptr_t tp;

	__asm__ volatile("movq %%fs:0, %0" : "=r"(tp));
	return tp == (uintptr_t)ward_rt_main_block();
}

/*
 * The main thread ends through musl's exit (atexit handlers, stdio
 * flushed). Another thread of the root task has no system-call emulator
 * behind it, so it stops the machine directly; one of another process
 * asks the root task with a raw exit_group.
 */
void ward_exit(int status)
{
	if (on_main_thread())
		exit(status);
	if (ward_bootinfo != NULL)
		ward_debug_halt((unsigned)status & 0xff);
	ward_syscall2(SYS_exit_group, status, 0);
	for (;;)
		__asm__ volatile("ud2");
}
