/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TAP assertions about kernel answers, for the test program's own
 * translation unit (tap.h keeps its counters per file).
 */
#ifndef WARD_TEST_WCHECK_H
#define WARD_TEST_WCHECK_H

#include <stdarg.h>
#include <stdio.h>
#include "../tap.h"
#include "wtest.h"

/* ok if `got` is `want`; otherwise a diagnostic names both. */
__attribute__((format(printf, 3, 4))) static inline bool expect_err(uint64_t got, uint64_t want,
                                                                    const char *fmt, ...)
{
	char name[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (got != want)
		tap_diag("got %s (%llu), expected %s", wt_err_name(got), (unsigned long long)got,
		         wt_err_name(want));
	return tap_ok(got == want, "%s", name);
}

/* As expect_err, and the error detail (ward_last_error) must name argument `arg`. */
__attribute__((format(printf, 4, 5))) static inline bool
expect_err_arg(enum ward_error got, enum ward_error want, uint64_t arg, const char *fmt, ...)
{
	char name[200];
	va_list ap;
	struct ward_error_detail d = ward_last_error();
	bool ok = got == want && (want == WARD_OK || d.arg == arg);

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag(
		        "got %s (argument 0x%llx, range %llu..%llu), expected %s (argument 0x%llx)",
		        wt_err_name(got), (unsigned long long)d.arg, (unsigned long long)d.lo,
		        (unsigned long long)d.hi, wt_err_name(want), (unsigned long long)arg);
	return tap_ok(ok, "%s", name);
}

/* Records a failed precondition without counting a result. */
#define require(cond)                                                                           \
	do {                                                                                    \
		if (!(cond))                                                                    \
			tap_diag("precondition failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
