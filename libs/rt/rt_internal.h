/* SPDX-License-Identifier: BSD-2-Clause */
/* What the runtime's own files share; not for programs. */
#ifndef WARD_RT_INTERNAL_H
#define WARD_RT_INTERNAL_H

#include <stdint.h>
#include <ward/bootinfo.h>

/* The main thread's thread-pointer block (tls.c). */
uintptr_t *ward_rt_main_block(void);

/*
 * Starts the root task's system-call helper (root_emulator.c): from then
 * on the main thread's Linux system calls are answered. Halts the machine
 * if it cannot.
 */
void ward_rt_root_emulator_start(const struct ward_bootinfo *bi);

/* Reports a start-up failure on the console and ends the program. */
__attribute__((noreturn)) void ward_rt_fatal(const char *why);

#endif
