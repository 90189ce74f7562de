/* SPDX-License-Identifier: BSD-2-Clause */
/* Placeholder for the PCI server: it announces itself and exits. */
#include <ward/rt.h>

int main(void)
{
	ward_printf("pci server: not implemented yet\n");
	return 0;
}
