/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The checker of the nvme-offline scenario (offline.toml): the VF's
 * driver is started by the manifest but nobody brings its secondary
 * controller online (the PF's driver has no `vf=`). The VF's driver must
 * not wait for ever: within its bound (online_wait=400 ms) it gives up and
 * ends with status 3, having named what it waited for on the console. The
 * checker learns of its end from the root task (SUBSCRIBE_DEATHS, which
 * also reports deaths from before the subscription) and checks that the
 * PF's driver still serves: INFO, and a read of the runner's stamps.
 */
#include <ward/invoke.h>
#include <ward/manifest.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../iommu/iommu_test.h"
#include "../tap.h"
#include "block_stamp.h" /* servers/clients/nvme-demo/: PUT, HASH and the stamps */
#include "root.h"

enum { PF_DRIVER, VF_DRIVER };

int main(void)
{
	const struct ward_cap_grant *g = ward_grant(WARD_GRANT_ENDPOINT, "nvme-pf.block");
	uint64_t vf_pid = 0, running = 1, deaths, pid, reason = 0, code = 0, lost;
	uint64_t blocks = 0, bsize = 0, window = 0, writable = 0, hash = 0;
	bool ended = false, ok;

	t_ep = ward_startinfo->iommu_endpoint;
	t_pci = ward_startinfo->pci_endpoint;
	tap_plan(3);
	root_manifest_program(WARD_PROC_CAP_SERVICE, VF_DRIVER, &vf_pid, &running);
	deaths = t_notification();
	ok = g != NULL && vf_pid != 0 && deaths != 0 &&
	     root_subscribe_deaths(WARD_PROC_CAP_SERVICE, deaths) == WARD_OK;
	/* At most 30 s: the driver's bound is 400 ms of retries. */
	for (unsigned i = 0; ok && !ended && i < 1200; i++) {
		t_wait_signal(deaths, 25);
		do {
			pid = 0;
			root_next_death(WARD_PROC_CAP_SERVICE, &pid, &reason, &code, &lost);
			if (pid == vf_pid)
				ended = true;
		} while (pid != 0 && !ended);
	}
	tap_ok(ok && ended && reason == WARD_DEATH_EXIT && code == 3,
	       "the VF's driver, its controller never brought online, gave up within its bound "
	       "and exited with status 3 (reason %llu, code %llu)",
	       (unsigned long long)reason, (unsigned long long)code);
	root_manifest_program(WARD_PROC_CAP_SERVICE, VF_DRIVER, &pid, &running);
	tap_ok(ended && !running, "the root task says it no longer runs");
	ok = ok && block_info(g->slot, &blocks, &bsize, &window, &writable) == WARD_OK &&
	     block_read(g->slot, 100, 16) == WARD_OK &&
	     block_hash(g->slot, 0, 16 * STAMP_BLOCK, &hash) == WARD_OK &&
	     hash == stamps_hash(100, 16, false);
	tap_ok(ok, "the PF's driver serves on: INFO (%llu blocks), blocks 100-115 read byte-exact",
	       (unsigned long long)blocks);
	return tap_exit_status();
}
