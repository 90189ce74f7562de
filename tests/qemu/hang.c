/* SPDX-License-Identifier: BSD-2-Clause */
/* A root task that never finishes: the harness must report a timeout. */
#include "tap.h"

int main(void)
{
	tap_plan(1);
	for (;;)
		__asm__ volatile("pause");
}
