/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A process that faults, differently each time the root task restarts it
 * (ward_startinfo->restarts): a read of address 0, an undefined opcode, a
 * division by zero. proc_watch checks that each death is announced.
 */
#include <stdio.h>
#include <ward/rt.h>

int main(void)
{
	static volatile int zero;
	int *volatile null = 0; /* volatile: the compiler must not turn the read into a trap */
	unsigned restarts = ward_startinfo->restarts;

	printf("# instance %u of the crashing process (pid %u) is about to fault\n", restarts,
	       ward_startinfo->pid);
	switch (restarts) {
	case 0:
		return *null;
	case 1:
		__asm__ volatile("ud2");
		break;
	default: {
		/* In assembly: the compiler may replace a C division by zero with anything. */
		unsigned quotient = 1, divisor = (unsigned)zero;
		__asm__ volatile("xorl %%edx, %%edx; divl %1"
		                 : "+a"(quotient)
		                 : "r"(divisor)
		                 : "rdx");
		return (int)quotient;
	}
	}
	return 0;
}
