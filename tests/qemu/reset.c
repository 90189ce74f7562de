/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A root task that resets the machine (the keyboard controller's reset
 * line, port 0x64 command 0xfe) instead of halting: under -no-reboot QEMU
 * then exits as if powered off. The harness must report that as a failure,
 * as it must a triple fault, which ends the same way.
 */
#include <ward/bootinfo.h>
#include <ward/invoke.h>
#include "tap.h"

#define KBC_COMMAND 0x64
#define KBC_RESET   0xfe

int main(void)
{
	const uint64_t port = WARD_CAP_FIRST_DYNAMIC + 200; /* an empty slot of the root CNode */

	tap_plan(2);
	tap_ok(ward_ioport_control_issue(WARD_CAP_IOPORT_CONTROL, WARD_CAP_INIT_CNODE, port, 64,
	                                 KBC_COMMAND, KBC_COMMAND) == WARD_OK,
	       "the keyboard controller's command port issued");
	ward_ioport_out(port, 1, KBC_COMMAND, KBC_RESET);
	for (;;)
		__asm__ volatile("pause");
}
