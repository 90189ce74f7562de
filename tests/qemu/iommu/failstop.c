/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fail-stop rule (docs/iommu.md): when the IOMMU server ends, the root
 * task reports it and halts the system, reusing none of its memory. This
 * program is built twice: named `iommu` (so the root task gives it the
 * iommu role) it plays a server that dies, exiting with status 3 after its
 * TAP plan; named `iommu-bystander` it is a client that would report a
 * failure if it were still running two seconds later. The scenario
 * expects halt status 1 and every planned result.
 */
#include <stdio.h>
#include <string.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "iommu_test.h"

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;

	if (strcmp(si->name, "iommu") == 0) {
		t_sleep_ms(200); /* the bystander is running by now */
		printf("1..1\n");
		printf("ok 1 - the iommu role's process holds its DMA pool (%u MiB) and ends with "
		       "status 3\n",
		       si->dma_bits >= 20 ? 1U << (si->dma_bits - 20) : 0);
		return 3;
	}
	t_sleep_ms(2000);
	printf("not ok - the system kept running after the IOMMU server ended\n");
	return 1;
}
