/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TAP for programs the root task starts, printed through musl's stdout:
 * every line is a write() the root task emulates, so the output itself is
 * part of what these tests check. Exactly one program per boot prints a
 * plan (tools/ward_qemu.py compares it with the results of the whole boot).
 */
#ifndef WARD_TEST_PTAP_H
#define WARD_TEST_PTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned ptap_number, ptap_failed;

static inline void ptap_plan(unsigned n)
{
	printf("1..%u\n", n);
}

/* Reports one result; the name says what the system did. Returns `ok`. */
__attribute__((format(printf, 2, 3))) static inline bool ptap_ok(bool ok, const char *fmt, ...)
{
	va_list ap;

	ptap_number++;
	ptap_failed += !ok;
	printf("%s %u - ", ok ? "ok" : "not ok", ptap_number);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return ok;
}

/* The exit status for main: 0 only if every result was ok. */
static inline int ptap_exit_status(void)
{
	return ptap_failed == 0 ? 0 : 1;
}

#endif
