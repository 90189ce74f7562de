/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A program of the manifest-assign scenario (assign.toml): it finds its
 * caps only through the start information's grants (ward_grant), proves
 * they are what the manifest wrote by using them, and then answers the
 * checker on the endpoint it serves. What it checks, as bits of its
 * answer: 1, its grants are exactly a domain "dma", one device and the
 * endpoint "probe"; 2, the IOMMU server, asked through its device cap,
 * says the device's owner is this process; 4, the device really DMAs
 * through its domain: edu copies a pattern from a buffer lent in the
 * domain into its own memory and back into another part of the buffer.
 * (not with `nodma`, for a device that is no edu); 8, its untyped is the
 * 2^B bytes its `untyped=B` asks, whatever its memory (owner-b's, 2^23 in
 * the manifest's `memory = 16`, does not fit the default 8 MiB): the
 * start information says B and one untyped of 2^B is retyped from it,
 * before anything else is made from it. PROBE_ASK answers
 * (pid, bits); PROBE_EXIT answers and ends the program (status 0 only if
 * every bit it checks was set).
 */
#include <stdlib.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../iommu/iommu_test.h"
#include "../lib/wtest.h"
#include "probe.h"

#define BUFFER_VA 0x600000000000ULL
#define BAR_VA    0x610000000000ULL

static const struct ward_cap_grant *domain, *device, *serve;

static bool grants_as_written(void)
{
	const struct ward_startinfo *si = ward_startinfo;

	domain = ward_grant(WARD_GRANT_DOMAIN, "dma");
	device = ward_grant(WARD_GRANT_DEVICE, NULL);
	serve = ward_grant(WARD_GRANT_SERVE, "probe");
	return si->grant_count == 3 && domain != NULL && device != NULL && serve != NULL &&
	       device->sbdf != 0 && device->count == 1 &&
	       ward_grant(WARD_GRANT_ASSIGNMENT, NULL) == NULL &&
	       ward_grant(WARD_GRANT_ENDPOINT, NULL) == NULL;
}

static bool untyped_as_asked(void)
{
	const char *v = strstr(ward_startinfo->args, "untyped=");
	unsigned long bits = v != NULL ? strtoul(v + strlen("untyped="), NULL, 10) : 0;
	uint64_t slot;
	bool made;

	/* Without an untyped the slot allocator (wtest) would end the program. */
	if (bits == 0 || ward_startinfo->untyped_bits != bits || (slot = t_slot()) == 0)
		return false;
	made = ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_UNTYPED, bits,
	                           WARD_PROC_CAP_CNODE, 0, 0, slot, 1) == WARD_OK;
	/* Its only child gone, the untyped is whole again for what follows. */
	return ward_cnode_delete(WARD_PROC_CAP_CNODE, slot, 64) == WARD_OK && made;
}

static bool owned_by_me(void)
{
	uint64_t owner, pid, group, members, nalias, pf, vfs, gen;

	return iommu_query(device->slot, device->sbdf, &owner, &pid, &group, &members, &nalias, &pf,
	                   &vfs, &gen) == WARD_OK &&
	       owner != 0 && pid == ward_startinfo->pid && group == device->sbdf;
}

static bool dma_through_domain(void)
{
	struct edu e = {.sbdf = device->sbdf, .bar = (volatile uint8_t *)BAR_VA, .frame = t_slot()};
	uint64_t phys, size, cmd, buf, iova, frame;
	volatile uint8_t *mem = (volatile uint8_t *)BUFFER_VA;

	if (e.frame == 0 ||
	    iommu_device_bar_into(device->slot, WARD_PROC_CAP_CNODE, e.frame, e.sbdf, 0, 0, &phys,
	                          &size) != WARD_OK ||
	    !t_map(e.frame, BAR_VA) ||
	    iommu_device_bus_master(device->slot, e.sbdf, 1, &cmd) != WARD_OK ||
	    (*(volatile uint32_t *)(e.bar + EDU_ID) & 0xff) != 0xed)
		return false;
	if (t_buffer(domain->slot, 8192, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, BUFFER_VA, &buf, &iova,
	             &frame) != WARD_OK)
		return false;
	for (unsigned i = 0; i < EDU_XFER; i++)
		mem[i] = 0x5a;
	return t_edu_dma(&e, iova, EDU_BUFFER, EDU_XFER, false) &&
	       t_edu_dma(&e, EDU_BUFFER, iova + 4096, EDU_XFER, true) &&
	       t_bytes_are((const void *)(BUFFER_VA + 4096), 0x5a, EDU_XFER);
}

int main(void)
{
	uint64_t bits = 0, badge, mr[4] = {0}, reply;
	ward_msginfo_t info;

	if (untyped_as_asked())
		bits |= PROBE_UNTYPED;
	if (grants_as_written())
		bits |= PROBE_GRANTS;
	if (bits & PROBE_GRANTS && owned_by_me())
		bits |= PROBE_OWNER;
	/*
	 * `nodma`: a device that is no edu (the VF scenario's NVMe PF and VF).
	 * Without an untyped nothing can be made: say so below and end.
	 */
	if (bits & PROBE_GRANTS && strstr(ward_startinfo->args, "nodma") == NULL &&
	    ward_startinfo->untyped_bits != 0 && dma_through_domain())
		bits |= PROBE_DMA;
	ward_printf(
	        "%s: untyped %s (2^%u bytes), grants %s, owner %s, DMA %s\n", ward_startinfo->name,
	        bits & PROBE_UNTYPED ? "ok" : "WRONG", (unsigned)ward_startinfo->untyped_bits,
	        bits & PROBE_GRANTS ? "ok" : "WRONG", bits & PROBE_OWNER ? "ok" : "WRONG",
	        bits & PROBE_DMA ? "ok"
	                         : (strstr(ward_startinfo->args, "nodma") ? "not tried" : "WRONG"));
	if (serve == NULL || ward_startinfo->untyped_bits == 0 || (reply = t_slot()) == 0 ||
	    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_REPLY, 0, WARD_PROC_CAP_CNODE, 0, 0,
	                        reply, 1) != WARD_OK)
		return 1;
	info = ward_recv(serve->slot, reply, &badge, mr);
	while (ward_msginfo_label(info) == PROBE_ASK) {
		mr[0] = ward_startinfo->pid;
		mr[1] = bits;
		info = ward_reply_recv(serve->slot, reply, ward_msginfo(0, 0, 0, 2), &badge, mr);
	}
	ward_reply(reply, ward_msginfo(0, 0, 0, 0), mr);
	return (bits | (strstr(ward_startinfo->args, "nodma") ? PROBE_DMA : 0)) == PROBE_ALL ? 0
	                                                                                     : 1;
}
