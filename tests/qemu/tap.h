/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TAP output for in-guest tests. Lines go to the console prefixed with the
 * program name; tools/ward_qemu.py strips the prefix and hands Meson the
 * TAP stream, adding its own checks (plan complete, clean halt).
 */
#ifndef WARD_TEST_TAP_H
#define WARD_TEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <ward/rt.h>

static unsigned tap_number, tap_failed;

static inline void tap_plan(unsigned n)
{
	ward_printf("1..%u\n", n);
}

/* Reports one result; the name says what the system did. Returns `ok`. */
__attribute__((format(printf, 2, 3))) static inline bool tap_ok(bool ok, const char *fmt, ...)
{
	char name[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	tap_number++;
	tap_failed += !ok;
	ward_printf("%s %u - %s\n", ok ? "ok" : "not ok", tap_number, name);
	return ok;
}

static inline void tap_diag(const char *fmt, ...)
{
	char text[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ward_printf("# %s\n", text);
}

/* The exit status for main: 0 only if every result was ok. */
static inline int tap_exit_status(void)
{
	return tap_failed == 0 ? 0 : 1;
}

#endif
