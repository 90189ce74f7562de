/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hw.c's VT-d glue (hw_unit.h): each DMAR DRHD's unit brought up with
 * vtd.h (probe, prepare: root and context tables with every device on
 * the quarantine domain, queued invalidation on; its fault event
 * interrupt programmed with the vector the root task granted), and the
 * context entry read back for `dump`. Table pages come from the server's
 * table memory (mem.c).
 */
#include <ward/rt.h>

#include "hw.h"
#include "hw_unit.h"
#include "vtd.h"
#include "vtd_backend.h"

static struct iommu_unit units[HW_MAX_UNITS];

static bool env_page_alloc(void *ctx, struct vtd_page *out)
{
	struct mem_page pg;

	(void)ctx;
	if (!mem_table_page(&pg))
		return false;
	*out = (struct vtd_page){pg.va, pg.phys};
	return true;
}

static void *env_page_va(void *ctx, uint64_t pa)
{
	(void)ctx;
	return mem_table_va(pa);
}

static uint64_t env_now_ns(void *ctx)
{
	(void)ctx;
	return iommu_tsc() / (iommu_tsc_hz / 1000000) * 1000;
}

/* No cache_flush hook: the backend's own clflush loop, which the core's map path inlines. */
static const struct vtd_env env = {NULL, env_page_alloc, env_page_va, env_now_ns, NULL};

static struct iommu_unit *add(unsigned i, const struct ward_device_window *w,
                              const struct ward_irq_grant *irq)
{
	struct iommu_unit *u = &units[i];
	enum vtd_status st;

	if ((st = vtd_unit_probe(&u->vtd, w, &env)) != VTD_OK ||
	    (st = vtd_unit_prepare(&u->vtd)) != VTD_OK) {
		ward_printf("VT-d unit at %#llx left alone: %s\n", (unsigned long long)w->phys,
		            vtd_strerror(st));
		return NULL;
	}
	if (irq != NULL)
		vtd_fault_irq_setup(&u->vtd, irq);
	return u;
}

static bool enable(struct iommu_unit *u)
{
	return vtd_unit_enable(&u->vtd) == VTD_OK;
}

static void print(unsigned i, const struct iommu_unit *u)
{
	char line[256];

	vtd_caps_describe(&u->vtd.caps, line, sizeof(line));
	ward_printf("unit %u: %s\n", i, line);
	vtd_unit_describe(&u->vtd, line, sizeof(line));
	ward_printf("unit %u: %s\n", i, line);
}

static bool context_get(const struct iommu_unit *u, uint16_t sid, uint64_t *table, unsigned *levels,
                        unsigned *did)
{
	struct vtd_context_entry e;

	if (vtd_context_read(&u->vtd, sid, &e) != VTD_OK || !(e.lo & VTD_CTX_P))
		return false;
	*table = e.lo & VTD_CTX_SLPTPTR;
	*levels = VTD_CTX_LEVELS(e.hi);
	*did = VTD_CTX_DID(e.hi);
	return true;
}

static void quarantine(const struct iommu_unit *u, uint64_t *table, unsigned *did)
{
	*table = u->vtd.quarantine.pa;
	*did = u->vtd.quarantine_did;
}

static void inject_timeout(struct iommu_unit *u)
{
	vtd_qi_inject(&u->vtd, VTD_INJECT_TIMEOUT);
}

const struct hw_vendor hw_vtd_vendor = {
        .name = "VT-d",
        .window_kind = WARD_WINDOW_VTD,
        .ops = &vtd_unit_ops,
        .flush_entries = vtd_iopt_flush,
        .add = add,
        .enable = enable,
        .print = print,
        .context_get = context_get,
        .quarantine = quarantine,
        .inject_timeout = inject_timeout,
        .faults_pending = NULL,
};
