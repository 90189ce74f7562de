/* SPDX-License-Identifier: BSD-2-Clause */
/* Placeholder for the IOMMU server: it announces itself and exits. */
#include <ward/rt.h>

int main(void)
{
	ward_printf("iommu server: not implemented yet\n");
	return 0;
}
