/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The edu driver as a program: it finds its caps among the system
 * manifest's grants (ward_grant(), start information version 4), brings
 * its device up with the driver library (edu_dev.h) and serves the edu
 * protocol on its SERVE endpoint until that endpoint goes away, on a
 * thread of its own guarded by this one (guard.c: a move of the device
 * in the middle of an access is DEVICE_GONE, not a crash).
 *
 * Grants it expects, as the manifest names them (docs/manifest.md,
 * "What a program gets"; edu_client.h):
 *   DEVICE, the first  the IOMMU device cap of the edu's group, named as the
 *                      manifest names the device (`devices = ["edu0"]`);
 *                      `sbdf` names the edu
 *   DOMAIN "dma"       the program's domain, the group attached to it; the
 *                      program's `dma` quota pays for the buffers it lends
 *   SERVE  "edu"       the endpoint it receives on (`serves = ["edu"]`)
 * and memory of its own (`untyped=BITS` in its `args`: the notification,
 * the reply object, paging structures). It asks for nothing else and
 * holds nothing else: no PCI cap, no IRQControl. A missing grant ends it
 * with status 2 and a line naming the grant; a device it cannot bring up,
 * status 3. It serves until its endpoint goes away, so a manifest marks it
 * `server` (docs/userspace.md §6.5: the system ends when its clients do).
 */
#include <stdio.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/server.h>
#include <ward/startinfo.h>
#include <proc/slots.h>
#include <proc/untyped.h>

#include "edu_client.h"
#include "edu_dev.h"

#define EDU_DRIVER_VA 0x0000300000000000ULL /* free in a process's layout (ward/startinfo.h) */

static struct edu_dev dev;
static struct ward_server server;

static const struct ward_cap_grant *need(unsigned kind, const char *name, const char *what)
{
	const struct ward_cap_grant *g = ward_grant(kind, name);

	if (g == NULL)
		printf("edu: no %s grant named \"%s\" in the start information\n", what,
		       name != NULL ? name : "(any)");
	return g;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	const struct ward_cap_grant *device = need(WARD_GRANT_DEVICE, NULL, "DEVICE");
	const struct ward_cap_grant *domain = need(WARD_GRANT_DOMAIN, EDU_GRANT_DOMAIN, "DOMAIN");
	const struct ward_cap_grant *serve = need(WARD_GRANT_SERVE, EDU_GRANT_SERVE, "SERVE");
	struct edu_env env = {WARD_PROC_CAP_VSPACE, WARD_PROC_CAP_UNTYPED, EDU_DRIVER_VA};
	struct edu_caps caps;
	enum edu_open_step step;
	enum ward_error err;
	uint64_t reply;

	if (device == NULL || domain == NULL || serve == NULL)
		return 2;
	if (si->untyped_bits == 0) {
		printf("edu: no memory of its own (untyped=BITS)\n");
		return 2;
	}
	proc_slots_init(si->free_first, si->free_last);
	caps = (struct edu_caps){device->slot, domain->slot, device->sbdf};
	if ((err = edu_dev_open(&dev, &caps, &env, &step)) != WARD_OK ||
	    (err = proc_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_REPLY, 0, &reply)) != WARD_OK) {
		printf("edu %02x:%02x.%u: bring-up step %u failed: error %#x\n",
		       (caps.sbdf >> 8) & 0xff, (caps.sbdf >> 3) & 31, caps.sbdf & 7, step, err);
		return 3;
	}
	printf("edu %02x:%02x.%u (%s): serving \"%s\" (buffers at IOVA %#llx and %#llx)\n",
	       (caps.sbdf >> 8) & 0xff, (caps.sbdf >> 3) & 31, caps.sbdf & 7, device->name,
	       serve->name, (unsigned long long)dev.src.iova, (unsigned long long)dev.dst.iova);
	edu_server_init(&server, &dev, serve->slot, reply, proc_slot_alloc());
	err = (enum ward_error)edu_serve_guarded(&server, &dev, &env);
	printf("edu: the endpoint went (%#x); %llu requests served\n", err,
	       (unsigned long long)server.requests);
	return 0;
}
