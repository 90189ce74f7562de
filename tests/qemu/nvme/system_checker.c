/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The checker of the nvme-system scenario (system.toml): the NVMe PF's
 * driver and a VF's driver started by the manifest, and a demo client of
 * each. The runner stamped both images (disk.py make); the PF's demo
 * writes its stamps over blocks 64-95 of namespace 1, the VF's over blocks
 * 200-223 of namespace 2. The checker asks the IOMMU server (with the root
 * task's authority, `iommu-admin`) who owns PF and VF, waits until both
 * demos have ended, then, as a third client of each driver (its own badge,
 * its own window), reads both ranges on both namespaces: the demo's stamps
 * on its own namespace, the runner's on the other, so each write landed
 * on its driver's namespace and nowhere else. Malformed and out-of-range
 * requests get their errors; the blocks they aimed at keep the runner's
 * stamps, here and in the host check after QEMU exits. The demos' exit
 * statuses are the harness's halt-status check (the machine halts with
 * status 0 only if every program ended with 0).
 */
#include <ward/invoke.h>
#include <ward/manifest.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../iommu/iommu_test.h"
#include "../tap.h"
#include "pci_service.h"
#include "root.h"
#include "block_stamp.h" /* servers/clients/nvme-demo/: PUT, HASH and the stamps */

#define NVME_CLASS 0x010802u
/* The manifest's programs, in its order. */
enum { PF_DRIVER, VF_DRIVER, PF_DEMO, VF_DEMO, PROGRAMS };
#define PF_LBA   64 /* the demos' blocks (system.toml's args; the scenario's disk check) */
#define PF_COUNT 32
#define VF_LBA   200
#define VF_COUNT 24

static uint64_t owner_pid(uint64_t sbdf, uint64_t *pf)
{
	uint64_t owner, pid = 0, group, members, nalias, vfs, gen;

	if (iommu_query(t_ep, sbdf, &owner, &pid, &group, &members, &nalias, pf, &vfs, &gen) !=
	            WARD_OK ||
	    owner == 0)
		return 0;
	return pid;
}

/* Whether `count` blocks from lba read through `ep` hash as those stamps (zeroed window first). */
static bool reads_as(uint64_t ep, uint64_t lba, uint64_t count, bool written)
{
	uint64_t hash = 0;

	return window_clear(ep, count * STAMP_BLOCK) == WARD_OK &&
	       block_read(ep, lba, count) == WARD_OK &&
	       block_hash(ep, 0, count * STAMP_BLOCK, &hash) == WARD_OK &&
	       hash == stamps_hash(lba, count, written);
}

/* The demos ended (the root task says they do not run), within 60 s. */
static bool demos_ended(const uint64_t *pids)
{
	for (unsigned polls = 0; polls < 6000; polls++) {
		uint64_t pid, running_pf = 1, running_vf = 1;

		root_manifest_program(WARD_PROC_CAP_SERVICE, PF_DEMO, &pid, &running_pf);
		root_manifest_program(WARD_PROC_CAP_SERVICE, VF_DEMO, &pid, &running_vf);
		if (!running_pf && !running_vf)
			return pids[PF_DEMO] != 0 && pids[VF_DEMO] != 0;
		t_sleep_ms(10);
	}
	return false;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	const struct ward_cap_grant *gpf = ward_grant(WARD_GRANT_ENDPOINT, "nvme-pf.block");
	const struct ward_cap_grant *gvf = ward_grant(WARD_GRANT_ENDPOINT, "nvme-vf.block");
	uint64_t next, count = 0, s[PCI_LIST_BATCH] = {0}, vf = 0, pf_of_vf = 0, pf_of_pf = 0;
	uint64_t pids[PROGRAMS] = {0}, running, state = 0, errors = 1, programs = 0;
	uint64_t pf, vfe, blocks[2] = {0}, bsize[2] = {0}, window[2] = {0}, writable[2] = {0};
	bool ok;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	tap_plan(9);
	ok = root_manifest_status(WARD_PROC_CAP_SERVICE, &state, &errors, &programs) == WARD_OK &&
	     state == WARD_MANIFEST_STATE_APPLIED && errors == 0 && gpf != NULL && gvf != NULL;
	for (unsigned i = 0; i < PROGRAMS; i++)
		root_manifest_program(WARD_PROC_CAP_SERVICE, i, &pids[i], &running);
	tap_ok(ok, "the root task applied the manifest; the checker holds both drivers' endpoints");
	if (!ok)
		return tap_exit_status();
	pf = gpf->slot;
	vfe = gvf->slot;

	ok = pci_list(t_pci, 0, PCI_LIST_KEY(NVME_CLASS, 0, 0), PCI_LIST_KEY_CLASS_MASK, 0, 0,
	              &next, &count, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6],
	              &s[7]) == WARD_OK &&
	     count == 2 && pci_vf(t_pci, s[0], 0, &vf) == WARD_OK &&
	     owner_pid(s[0], &pf_of_pf) == pids[PF_DRIVER] && pids[PF_DRIVER] != 0 &&
	     owner_pid(vf, &pf_of_vf) == pids[VF_DRIVER] && pids[VF_DRIVER] != 0 &&
	     pf_of_vf == s[0];
	tap_ok(ok,
	       "the IOMMU server: the PF %#llx is nvme-pf's, its VF 1 %#llx (one VF enabled) "
	       "nvme-vf's",
	       (unsigned long long)s[0], (unsigned long long)vf);

	/* The VF's driver answers only once its controller is online and namespace 2 attached. */
	ok = block_info(pf, &blocks[0], &bsize[0], &window[0], &writable[0]) == WARD_OK &&
	     block_info(vfe, &blocks[1], &bsize[1], &window[1], &writable[1]) == WARD_OK;
	ok = ok && bsize[0] == STAMP_BLOCK && bsize[1] == STAMP_BLOCK && blocks[0] > 1024 &&
	     blocks[1] > 1024 && window[0] == 128 && window[1] == 128 && writable[0] && writable[1];
	tap_ok(ok,
	       "INFO from both drivers: %llu and %llu blocks of 512 bytes, a writable grant with a "
	       "window of 128 blocks each",
	       (unsigned long long)blocks[0], (unsigned long long)blocks[1]);

	tap_ok(demos_ended(pids), "both demo clients ran and ended");

	tap_ok(reads_as(pf, PF_LBA, PF_COUNT, true) && reads_as(pf, VF_LBA, VF_COUNT, false) &&
	               reads_as(pf, PF_LBA + PF_COUNT, 8, false),
	       "namespace 1 (PF): blocks %u-%u hold the PF demo's stamps, byte-exact; the VF "
	       "demo's "
	       "blocks and the next ones the runner's",
	       PF_LBA, PF_LBA + PF_COUNT - 1);
	tap_ok(reads_as(vfe, VF_LBA, VF_COUNT, true) && reads_as(vfe, PF_LBA, PF_COUNT, false) &&
	               reads_as(vfe, VF_LBA + VF_COUNT, 8, false),
	       "namespace 2 (VF): blocks %u-%u hold the VF demo's stamps, byte-exact; the PF "
	       "demo's "
	       "blocks and the next ones the runner's",
	       VF_LBA, VF_LBA + VF_COUNT - 1);

	/* Malformed and out-of-range requests, with the window full of a write's stamps. */
	ok = stamps_put(vfe, 0, 8, true) == WARD_OK &&
	     block_write(vfe, blocks[1] - 1, 2) == WARD_ERR_RANGE &&
	     block_write(vfe, ~0ULL, 2) == WARD_ERR_RANGE &&
	     block_write(vfe, 0, 0) == WARD_ERR_INVALID_ARGUMENT &&
	     block_write(vfe, 0, window[1] + 1) == WARD_ERR_INVALID_ARGUMENT &&
	     block_read(pf, blocks[0], 1) == WARD_ERR_RANGE &&
	     block_write(pf, blocks[0] - 4, 8) == WARD_ERR_RANGE;
	tap_ok(ok, "WRITE across and past the namespace's end, at LBA 2^64-1, of 0 blocks and of "
	           "more than the window: refused (RANGE, INVALID_ARGUMENT)");
	ok = block_put(vfe, 4, 1, (const uint64_t[]){0}) == WARD_ERR_INVALID_ARGUMENT &&
	     block_put(vfe, window[1] * STAMP_BLOCK - 8, 2, (const uint64_t[]){0, 0}) ==
	             WARD_ERR_RANGE &&
	     block_put(vfe, ~0ULL - 7, 1, (const uint64_t[]){0}) == WARD_ERR_RANGE &&
	     block_hash(vfe, 0, 0, &next) == WARD_ERR_RANGE &&
	     block_hash(vfe, 8, window[1] * STAMP_BLOCK, &next) == WARD_ERR_RANGE;
	tap_ok(ok,
	       "PUT unaligned and past the window, HASH of nothing and past the window: refused");
	tap_ok(reads_as(vfe, blocks[1] - 8, 8, false) && reads_as(pf, blocks[0] - 8, 8, false) &&
	               reads_as(vfe, 0, 8, false),
	       "the blocks the refused requests aimed at keep the runner's stamps");
	return tap_exit_status();
}
