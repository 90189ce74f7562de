/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Start-up. A Ward program begins at _start (start.S) with rdi = the boot
 * information (the root task, from the kernel) or its start information
 * (every other process, from the root task: ward/startinfo.h). This file
 * gives the main thread its thread pointer, builds what a Linux kernel
 * would have left on the stack (argv, an empty environment, the auxiliary
 * vector) and hands over to musl's __libc_start_main, which initialises
 * the C library and calls main. musl's Linux system calls go to the
 * thread's fault handler: the root task answers them for its processes,
 * and a helper thread of the runtime answers the root task's own
 * (root_emulator.c), which must therefore exist before musl runs.
 */
#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ward/rt.h>
#include <ward/sys.h>
#include "rt_internal.h"

#define MAX_ARGS  16
#define AUX_PAIRS 12

int main(int argc, char **argv, char **envp);
int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*ldso)(void));
extern const Elf64_Ehdr __ehdr_start; /* the linker's symbol for the mapped ELF header */

const struct ward_bootinfo *ward_bootinfo;
const struct ward_startinfo *ward_startinfo;

static char arg_text[WARD_MODULE_NAME_LEN + WARD_MODULE_ARGS_LEN + 2];
/* argv[], NULL, envp[] = {NULL}, auxv pairs: the Linux stack layout musl expects. */
static uintptr_t start_vector[MAX_ARGS + 2 + 2 * AUX_PAIRS];
static unsigned char aux_random[16];

/* Copies name and args into arg_text and splits them at spaces into argv. */
static int split_args(const char *name, size_t name_len, const char *args, size_t args_len)
{
	size_t n = 0, len = 0;
	int argc = 0;

	for (; n < name_len && name[n] != '\0'; n++)
		arg_text[len++] = name[n];
	arg_text[len++] = '\0';
	start_vector[argc++] = (uintptr_t)arg_text;
	for (size_t i = 0; i < args_len && args[i] != '\0'; i++) {
		bool starts = args[i] != ' ' && (i == 0 || args[i - 1] == ' ');
		if (starts && argc < MAX_ARGS)
			start_vector[argc++] = (uintptr_t)&arg_text[len];
		arg_text[len++] = args[i] == ' ' ? '\0' : args[i];
	}
	arg_text[len] = '\0';
	return argc;
}

/* Not secret: TSC-derived bytes, for musl's stack-protector canary. */
static void fill_random(void)
{
	uint64_t x;
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	x = ((uint64_t)hi << 32 | lo) * 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < sizeof(aux_random); i++, x = x * 6364136223846793005ULL + 1)
		aux_random[i] = (unsigned char)(x >> 56);
}

static void put_aux(size_t *at, uintptr_t type, uintptr_t value)
{
	start_vector[(*at)++] = type;
	start_vector[(*at)++] = value;
}

/* Fills in envp and auxv after argv[0..argc-1]. */
static void build_aux(int argc)
{
	size_t at = (size_t)argc;

	start_vector[at++] = 0; /* argv terminator */
	start_vector[at++] = 0; /* empty environment */
	fill_random();
	put_aux(&at, AT_PHDR, (uintptr_t)&__ehdr_start + __ehdr_start.e_phoff);
	put_aux(&at, AT_PHENT, sizeof(Elf64_Phdr));
	put_aux(&at, AT_PHNUM, __ehdr_start.e_phnum);
	put_aux(&at, AT_PAGESZ, 4096);
	put_aux(&at, AT_UID, 0);
	put_aux(&at, AT_EUID, 0);
	put_aux(&at, AT_GID, 0);
	put_aux(&at, AT_EGID, 0);
	put_aux(&at, AT_SECURE, 0); /* musl then skips its poll() of fds 0-2 */
	put_aux(&at, AT_RANDOM, (uintptr_t)aux_random);
	put_aux(&at, AT_EXECFN, start_vector[0]);
	put_aux(&at, AT_NULL, 0);
}

static bool is_bootinfo(const void *info)
{
	const struct ward_bootinfo *bi = info;
	return bi != NULL && bi->magic == WARD_BOOTINFO_MAGIC &&
	       bi->version == WARD_BOOTINFO_VERSION;
}

static bool is_startinfo(const void *info)
{
	const struct ward_startinfo *si = info;
	return si != NULL && si->magic == WARD_STARTINFO_MAGIC &&
	       si->version == WARD_STARTINFO_VERSION;
}

__attribute__((noreturn)) void ward_rt_start(const void *info)
{
	struct ward_ipc_buffer *ipc;
	int argc;

	if (is_bootinfo(info)) {
		const struct ward_bootinfo *bi = ward_bootinfo = info;
		ipc = (struct ward_ipc_buffer *)bi->ipc_buffer;
		argc = split_args(bi->modules[0].name, sizeof(bi->modules[0].name),
		                  bi->modules[0].args, sizeof(bi->modules[0].args));
	} else if (is_startinfo(info)) {
		const struct ward_startinfo *si = ward_startinfo = info;
		ipc = (struct ward_ipc_buffer *)si->ipc_buffer;
		argc = split_args(si->name, sizeof(si->name), si->args, sizeof(si->args));
	} else {
		ward_rt_fatal("started without boot or start information");
	}
	ward_thread_block_init(ward_rt_main_block(), ipc);
	if (ward_set_tls_base((uintptr_t)ward_rt_main_block()) != WARD_OK)
		ward_rt_fatal("cannot set the thread pointer");
	if (ward_bootinfo != NULL)
		ward_rt_root_emulator_start(ward_bootinfo);
	build_aux(argc);
	__libc_start_main(main, argc, (char **)start_vector, NULL, NULL, NULL);
	ward_rt_fatal("__libc_start_main returned");
}

void ward_rt_fatal(const char *why)
{
	static const char prefix[] = "runtime: ";

	ward_debug_write(prefix, sizeof(prefix) - 1);
	ward_debug_write(why, strlen(why));
	ward_debug_write("\n", 1);
	if (ward_startinfo == NULL)
		ward_debug_halt(1); /* the root task, or a program nobody else can end */
	ward_syscall2(SYS_exit_group, 127, 0);
	for (;;)
		__asm__ volatile("ud2");
}

uint64_t ward_arg(const char *args, const char *name, uint64_t fallback)
{
	size_t n = strlen(name);

	for (const char *p = args; (p = strstr(p, name)) != NULL; p += n)
		if ((p == args || p[-1] == ' ') && p[n] == '=')
			return strtoull(p + n + 1, NULL, 0);
	return fallback;
}

const struct ward_cap_grant *ward_grant(unsigned kind, const char *name)
{
	const struct ward_startinfo *si = ward_startinfo;

	if (si == NULL)
		return NULL;
	for (uint32_t i = 0; i < si->grant_count && i < WARD_STARTINFO_GRANTS; i++) {
		const struct ward_cap_grant *g = &si->grants[i];
		if (g->kind == kind &&
		    (name == NULL || strncmp(g->name, name, sizeof(g->name)) == 0))
			return g;
	}
	return NULL;
}
