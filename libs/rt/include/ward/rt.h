/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Ward user runtime: start-up glue between the entry state the kernel
 * or the root task leaves and musl (docs/userspace.md), and console output
 * that works before, or without, Linux system-call emulation.
 */
#ifndef WARD_RT_H
#define WARD_RT_H

#include <stdarg.h>
#include <stdint.h>
#include <ward/bootinfo.h>
#include <ward/startinfo.h>

/* The boot information page, for the root task (NULL elsewhere). */
extern const struct ward_bootinfo *ward_bootinfo;

/* The start information page, for processes the root task started (NULL in the root task). */
extern const struct ward_startinfo *ward_startinfo;

/*
 * The manifest's grant of `kind` named `name` (NULL: any name), NULL if
 * the program has none; a program refuses to run without what it needs.
 */
const struct ward_cap_grant *ward_grant(unsigned kind, const char *name);

/*
 * The number after `name=` in `args`, space-separated words such as a
 * program's arguments (decimal, or 0x hexadecimal: strtoull base 0), or
 * `fallback` if no word starts with `name=`.
 */
uint64_t ward_arg(const char *args, const char *name, uint64_t fallback);

/*
 * Ends the program with `status`: from the main thread through musl's
 * exit(); for the root task this stops the machine (from any thread).
 */
__attribute__((noreturn)) void ward_exit(int status);

/* Formatted output straight to the kernel's debug console (no stdio buffering). */
int ward_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ward_vprintf(const char *fmt, va_list ap);

#endif
