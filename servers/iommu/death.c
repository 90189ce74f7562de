/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Deaths of clients, from the root task's death notifications
 * (root.protocol). For each dead pid, in this order: its devices go to
 * quarantine (context entries rewritten, invalidated, waited for), then
 * its buffers are freed (unmapped, invalidated and waited for before the
 * memory is revoked, zeroed and reused), then its domains are destroyed.
 * The memory of a dead client is therefore never reachable by a device
 * when it is handed to anyone else.
 */
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "iommu_state.h"
#include "root.h"

void iommu_client_gone(uint32_t pid)
{
	for (unsigned i = 0; i < IOMMU_MAX_DOMAINS; i++)
		if (iommu_domains[i].used && iommu_domains[i].owner == pid)
			device_release_domain(i);
	buffer_client_gone(pid);
	domain_client_gone(pid);
}

bool death_init(uint64_t ntfn)
{
	return root_subscribe_deaths(WARD_PROC_CAP_SERVICE, ntfn) == WARD_OK;
}

void death_event(void)
{
	uint64_t pid, reason, code, lost;

	while (root_next_death(WARD_PROC_CAP_SERVICE, &pid, &reason, &code, &lost) == WARD_OK &&
	       pid != 0)
		iommu_client_gone((uint32_t)pid);
}
