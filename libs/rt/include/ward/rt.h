/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Ward user runtime: start-up glue between the kernel's entry state and
 * musl, and console output that works before any system server exists.
 */
#ifndef WARD_RT_H
#define WARD_RT_H

#include <stdarg.h>
#include <ward/bootinfo.h>

/* The boot information page, for the root task (NULL elsewhere). */
extern const struct ward_bootinfo *ward_bootinfo;

/* Ends the program with `status`; for the root task, this stops the machine. */
__attribute__((noreturn)) void ward_exit(int status);

/* Formatted console output through the kernel's debug console. */
int ward_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ward_vprintf(const char *fmt, va_list ap);

#endif
