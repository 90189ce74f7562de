/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NVMe driver process (docs/nvme.md). It finds what the system
 * manifest granted it by kind and name (ward_grant(), start information
 * version 4): the device cap of its controller's group ("nvme", with the
 * function's SBDF), its IOMMU domain ("dma") and the endpoint it serves
 * the block protocol on ("block"). It brings the controller up with its
 * interrupt remapped and its queues and data pages lent into the domain,
 * identifies namespace `nsid=N` (module argument, 1 by default) and
 * serves the whole namespace as grant 1: clients' endpoint caps carry
 * badge 1, and the window is the data pages, which whoever starts a
 * client maps for it. It ends with an error status when a grant is
 * missing or the controller does not come up, naming the step.
 */
#include <proc/slots.h>
#include <proc/untyped.h>
#include <stdlib.h>
#include <string.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "block_service.h"
#include "nvme_ward.h"

#define DATA_PAGES 64                    /* 256 KiB: the window, and the largest transfer */
#define DRIVER_VA  0x0000600000000000ULL /* free in a process (ward/startinfo.h) */

static uint32_t arg_nsid(const char *args)
{
	const char *p = strstr(args, "nsid=");

	return p != NULL ? (uint32_t)strtoul(p + 5, NULL, 0) : 1;
}

static int fail(const char *what, unsigned err)
{
	ward_printf("nvme: %s (error %#x)\n", what, err);
	return 1;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	const struct ward_cap_grant *device = ward_grant(WARD_GRANT_DEVICE, "nvme");
	const struct ward_cap_grant *domain = ward_grant(WARD_GRANT_DOMAIN, "dma");
	const struct ward_cap_grant *serve = ward_grant(WARD_GRANT_SERVE, "block");
	static struct nvme_ward w;
	static struct block_service b;
	enum nvme_err nerr;
	uint64_t reply;

	if (device == NULL || domain == NULL || serve == NULL || si->untyped_bits == 0)
		return fail("needs grants nvme (device), dma (domain), block (serve) and untyped",
		            0);
	proc_slots_init(si->free_first, si->free_last);
	w = (struct nvme_ward){.sbdf = device->sbdf,
	                       .device = device->slot,
	                       .domain = domain->slot,
	                       .va = DRIVER_VA,
	                       .data_pages = DATA_PAGES,
	                       .use_irq = true};
	if (nvme_ward_attach(&w) != WARD_OK)
		return fail(w.failed_step, w.failed_step_error);
	if ((nerr = nvme_start(&w.ctrl)) != NVME_OK ||
	    (nerr = nvme_namespace(&w.ctrl, arg_nsid(si->args))) != NVME_OK)
		return fail(nvme_err_name(nerr), nerr);
	b = (struct block_service){.ctrl = &w.ctrl, .data = w.data, .data_pages = DATA_PAGES};
	if (block_grant_add(&b, 0, w.ctrl.blocks, true, 0, DATA_PAGES) != 1 ||
	    proc_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_REPLY, 0, &reply) != WARD_OK)
		return fail("no grant or reply object", 0);
	ward_printf("nvme: %02x:%02x.%x controller %u, namespace %u: %llu blocks of %u bytes\n",
	            (w.sbdf >> 8) & 0xff, (w.sbdf >> 3) & 0x1f, w.sbdf & 7, w.ctrl.cntlid,
	            w.ctrl.nsid, (unsigned long long)w.ctrl.blocks, w.ctrl.block_size);
	return (int)block_serve(&b, serve->slot, reply);
}
