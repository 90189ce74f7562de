/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Start-up. A Ward program begins at _start (start.S) with rdi = its start-up
 * information. Before main runs, the thread pointer must point at a block
 * whose first word is its own address (System V x86_64 psABI, "Thread-Local
 * Storage": %fs:0 holds the thread pointer); musl reads errno and its other
 * per-thread fields relative to it.
 *
 * musl's own __libc_start_main is not used yet: its TLS set-up issues Linux
 * system calls (set_tid_address) that Ward answers only once processes have
 * a syscall emulator (docs/userspace.md). Until then programs use musl's
 * pure functions (string, formatting, conversion), not stdio's FILE output
 * or anything that reads the locale.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ward/rt.h>
#include <ward/sys.h>

int main(int argc, char **argv, char **envp);

const struct ward_bootinfo *ward_bootinfo;

/* The main thread's thread-pointer block: musl's struct pthread, then Ward's words. */
static uintptr_t main_thread_block[WARD_TLS_BLOCK_WORDS] __attribute__((aligned(64)));

__attribute__((noreturn)) void ward_rt_start(const struct ward_bootinfo *bi)
{
	static char name[WARD_MODULE_NAME_LEN] = "ward";
	char *argv[] = {name, NULL};
	char *envp[] = {NULL};

	bool root = bi != NULL && bi->magic == WARD_BOOTINFO_MAGIC;

	ward_thread_block_init(main_thread_block,
	                       root ? (struct ward_ipc_buffer *)bi->ipc_buffer : NULL);
	if (ward_set_tls_base((uintptr_t)main_thread_block) != WARD_OK)
		ward_debug_halt(1);
	if (root) {
		ward_bootinfo = bi;
		for (unsigned i = 0; i + 1 < sizeof(name) && bi->modules[0].name[i]; i++)
			name[i] = bi->modules[0].name[i];
	}
	ward_exit(main(1, argv, envp));
}

void ward_exit(int status)
{
	ward_debug_halt((unsigned)status & 0xff);
}

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
