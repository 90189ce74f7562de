/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NVMe driver process (docs/nvme.md §3, §4). It finds what the system
 * manifest granted it by kind and name (ward_grant(), start information
 * version 4): the device cap of its controller's group (the first DEVICE
 * grant: the manifest's device name, with the function's SBDF), its IOMMU
 * domain ("dma") and the endpoint it serves the block protocol on
 * ("block"). It brings the controller up with its interrupt remapped and
 * its queues and data pages lent into the domain, identifies namespace
 * `nsid=N` (module argument, 1 by default) and serves it: each client (a
 * badge the manifest minted, the client's pid) gets the whole namespace
 * and a window of 16 data pages of its own on its first request, so four
 * clients at most.
 *
 * The PF's driver, given `vf=N:M` (or a list, `vf=1:2,2:3`), then brings
 * VF N's secondary controller online (NVMe §8.5: 2 queue and 1 interrupt
 * resources, Virtualization Management) and attaches namespace M to it.
 * The VF's driver (or a guest: docs/vmm.md), started by the same manifest
 * at the same time, finds
 * its controller offline (QEMU 7.2: CAP reads 0, CSTS.CFS is set, CC.EN
 * is answered with CSTS.CFS) or its namespace not attached yet (Identify
 * Namespace all zeroes): it retries every 50 ms, for at most `online_wait=MS`
 * (10,000 by default) milliseconds, then gives up naming what it waited
 * for. The driver ends with status 2 when a grant is missing and 3 when
 * the controller does not come up, naming the step; else it serves until
 * the machine halts (`server`).
 */
#include <proc/slots.h>
#include <proc/untyped.h>
#include <stdlib.h>
#include <string.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "block_client.h"
#include "block_service.h"
#include "nvme_ward.h"

#define DATA_PAGES   64 /* 256 KiB: four clients' windows */
#define CLIENT_PAGES 16 /* a client's window, the largest transfer: 64 KiB */
#define RETRY_MS     50
#define DRIVER_VA    0x0000600000000000ULL /* free in a process (ward/startinfo.h) */

static int fail(int status, const char *what, unsigned err)
{
	ward_printf("nvme: %s (error %#x)\n", what, err);
	return status;
}

static void sleep_ms(uint64_t ms)
{
	uint64_t start = nvme_ward_now_ms();

	while (nvme_ward_now_ms() - start < ms)
		ward_yield();
}

/*
 * The controller up and namespace nsid identified, retrying while the
 * controller is not online (a VF whose secondary controller the PF's
 * driver has not brought online: CAP reads 0, or CC.EN is answered with
 * CSTS.CFS) or the namespace is not attached, for at most wait_ms. Any
 * other error ends it at once.
 */
static enum nvme_err bring_up(struct nvme_ctrl *c, uint32_t nsid, uint64_t wait_ms,
                              const char **waited)
{
	uint64_t start = nvme_ward_now_ms();
	bool started = false, said = false;
	enum nvme_err err;

	for (;;) {
		if (!started)
			started = (err = nvme_start(c)) == NVME_OK;
		if (started && (err = nvme_namespace(c, nsid)) == NVME_OK)
			return NVME_OK;
		if (!nvme_not_yet(c, err)) {
			*waited = NULL; /* an error of its own, not a wait */
			return err;
		}
		*waited = started ? "namespace not attached" : "controller not online";
		if (nvme_ward_now_ms() - start >= wait_ms)
			return err;
		if (!said)
			ward_printf(
			        "nvme: %s yet: waiting (at most %llu ms; CAP %#llx, CSTS %#x)\n",
			        *waited, (unsigned long long)wait_ms, (unsigned long long)c->cap,
			        c->last_csts);
		said = true;
		sleep_ms(RETRY_MS);
	}
}

/* The PF's part of a VF's bring-up: its secondary controller online, namespace nsid attached. */
static enum nvme_err vf_online(struct nvme_ctrl *c, uint16_t vf, uint32_t nsid, uint16_t *scid)
{
	bool online = false;
	enum nvme_err err;

	if ((err = nvme_secondary_of_vf(c, vf, scid, &online)) != NVME_OK)
		return err;
	if (!online && (err = nvme_secondary_online(c, *scid, 2, 1)) != NVME_OK)
		return err;
	return nvme_ns_attach(c, nsid, *scid, true);
}

/* Every VF of `vf=N:M[,N:M]...` online with its namespace; 0, or the status to end with. */
static int vfs_online(struct nvme_ctrl *c, const char *args)
{
	const char *p = args;
	enum nvme_err nerr;

	while ((p = strstr(p, "vf=")) != NULL && p != args && p[-1] != ' ')
		p += 3;
	for (p = p != NULL ? p + 3 : NULL; p != NULL && *p != '\0' && *p != ' '; p++) {
		char *end;
		uint64_t vf = strtoull(p, &end, 0), nsid = 0;
		uint16_t scid = 0;

		if (*end == ':')
			nsid = strtoull(end + 1, &end, 0);
		if (vf == 0 || vf > UINT16_MAX || nsid == 0 || nsid > UINT32_MAX ||
		    (*end != ',' && *end != ' ' && *end != '\0')) {
			ward_printf("nvme: vf=%.20s: want vf=VF:NSID[,VF:NSID]...\n", p);
			return 2;
		}
		nerr = vf_online(c, (uint16_t)vf, (uint32_t)nsid, &scid);
		if (nerr != NVME_OK) {
			ward_printf("nvme: VF %llu: secondary controller %u not brought online or "
			            "namespace %llu not attached: %s (status %#x: %s)\n",
			            (unsigned long long)vf, scid, (unsigned long long)nsid,
			            nvme_err_name(nerr), c->last_status,
			            nvme_status_name(c->last_status));
			return 3;
		}
		ward_printf(
		        "nvme: VF %llu: secondary controller %u online (2 queues, 1 interrupt), "
		        "namespace %llu attached\n",
		        (unsigned long long)vf, scid, (unsigned long long)nsid);
		p = end;
		if (*p != ',')
			break;
	}
	return 0;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	const struct ward_cap_grant *device = ward_grant(WARD_GRANT_DEVICE, NULL);
	const struct ward_cap_grant *domain = ward_grant(WARD_GRANT_DOMAIN, "dma");
	const struct ward_cap_grant *serve = ward_grant(WARD_GRANT_SERVE, BLOCK_ENDPOINT);
	uint32_t nsid = (uint32_t)ward_arg(si->args, "nsid", 1);
	uint64_t wait_ms = ward_arg(si->args, "online_wait", 10000);
	const char *waited = NULL;
	static struct nvme_ward w;
	static struct block_service b;
	enum nvme_err nerr;
	uint64_t reply;
	int status;

	if (device == NULL || domain == NULL || serve == NULL || si->untyped_bits == 0)
		return fail(2, "needs a device grant, dma (domain), block (serve) and untyped=", 0);
	proc_slots_init(si->free_first, si->free_last);
	w = (struct nvme_ward){.sbdf = device->sbdf,
	                       .device = device->slot,
	                       .domain = domain->slot,
	                       .va = DRIVER_VA,
	                       .data_pages = DATA_PAGES,
	                       .use_irq = true};
	if (nvme_ward_attach(&w) != WARD_OK)
		return fail(3, w.failed_step, w.failed_step_error);
	nerr = bring_up(&w.ctrl, nsid, wait_ms, &waited);
	if (nerr != NVME_OK && waited != NULL) {
		ward_printf("nvme: %02x:%02x.%x: %s (namespace %u) within %llu ms: giving up (last "
		            "%s, CAP %#llx, CSTS %#x)\n",
		            (w.sbdf >> 8) & 0xff, (w.sbdf >> 3) & 0x1f, w.sbdf & 7, waited, nsid,
		            (unsigned long long)wait_ms, nvme_err_name(nerr),
		            (unsigned long long)w.ctrl.cap, w.ctrl.last_csts);
		return 3;
	}
	if (nerr != NVME_OK) {
		ward_printf("nvme: %02x:%02x.%x: controller or namespace %u not up: %s (CSTS %#x, "
		            "status %#x)\n",
		            (w.sbdf >> 8) & 0xff, (w.sbdf >> 3) & 0x1f, w.sbdf & 7, nsid,
		            nvme_err_name(nerr), w.ctrl.last_csts, w.ctrl.last_status);
		return 3;
	}
	b = (struct block_service){.ctrl = &w.ctrl, .data = w.data, .data_pages = DATA_PAGES};
	block_clients(&b, CLIENT_PAGES, true);
	if (proc_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_REPLY, 0, &reply) != WARD_OK)
		return fail(3, "no reply object", 0);
	ward_printf("nvme: %02x:%02x.%x controller %u, namespace %u: %llu blocks of %u bytes\n",
	            (w.sbdf >> 8) & 0xff, (w.sbdf >> 3) & 0x1f, w.sbdf & 7, w.ctrl.cntlid,
	            w.ctrl.nsid, (unsigned long long)w.ctrl.blocks, w.ctrl.block_size);
	if ((status = vfs_online(&w.ctrl, si->args)) != 0)
		return status;
	return (int)block_serve(&b, serve->slot, reply);
}
