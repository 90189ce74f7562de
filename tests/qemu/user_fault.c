/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A root task that dereferences NULL after its first result. The kernel
 * must print a readable fault report and halt with the user-fault status;
 * tests/qemu/harness_selftest.py checks that the harness calls this a
 * failure.
 */
#include <stdint.h>
#include "tap.h"

int main(void)
{
	tap_plan(2);
	tap_ok(1, "about to read address 0 from ring 3");
	volatile uint64_t *null = (volatile uint64_t *)0;
	tap_ok(*null == 0, "read of address 0 returned (it must not)");
	return 0;
}
