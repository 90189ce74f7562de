/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef KERNEL_PRINTF_H
#define KERNEL_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Formats like snprintf for the subset the kernel uses: %c %s %d %i %u %x
 * %p %%, with '0' and '-' flags, a width, and the l/ll/z length modifiers.
 * Always NUL-terminates when size > 0; returns the length it wanted to write.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prints a line prefixed with "[kernel] " (the newline is added). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Stops the machine after printing the message; never returns. */
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
