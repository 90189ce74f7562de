/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hw.c's AMD-Vi glue (hw_unit.h, docs/amdvi.md): each IVRS IVHD's IOMMU
 * brought up with amdvi.h (probe; prepare: a device table in which every
 * DeviceID is valid and blocking, the command buffer and event log;
 * enable), and the device table entry read back for `dump`. The device
 * table is 2 MiB of contiguous memory, one chunk of the DMA pool kept for
 * good (mem_table_block); everything else is a 4 KiB table page.
 *
 * Blocking needs no table on AMD-Vi (Mode 0 with IR = IW = 0 aborts every
 * DMA), so the quarantine reads as table 0, DomainID 0. The event log's
 * interrupt is the IOMMU function's own MSI capability, in configuration
 * space the PCI server owns; it is not programmed, so hw.c asks
 * faults_pending() after every wait and on every fault event instead.
 */
#include <ward/rt.h>

#include "amdvi.h"
#include "amdvi_backend.h"
#include "hw.h"
#include "hw_unit.h"

#define DEVTAB_BYTES (2ULL << 20)

static struct iommu_unit units[HW_MAX_UNITS];

static bool env_alloc(void *ctx, size_t bytes, struct amdvi_page *out)
{
	struct mem_page pg;

	(void)ctx;
	if (bytes == IOMMU_PAGE_SIZE ? !mem_table_page(&pg)
	                             : bytes != DEVTAB_BYTES || !mem_table_block(&pg))
		return false;
	*out = (struct amdvi_page){pg.va, pg.phys};
	return true;
}

static uint64_t env_now_ns(void *ctx)
{
	(void)ctx;
	return iommu_tsc() / (iommu_tsc_hz / 1000000) * 1000;
}

static const struct amdvi_env env = {NULL, env_alloc, env_now_ns, NULL};

static struct iommu_unit *add(unsigned i, const struct ward_device_window *w,
                              const struct ward_irq_grant *irq)
{
	struct iommu_unit *u = &units[i];
	enum amdvi_status st;

	(void)irq; /* the event log's MSI lives in the function's configuration space */
	if ((st = amdvi_unit_probe(&u->amd, w, &env)) != AMDVI_OK ||
	    (st = amdvi_unit_prepare(&u->amd)) != AMDVI_OK) {
		ward_printf("AMD-Vi unit at %#llx left alone: %s\n", (unsigned long long)w->phys,
		            amdvi_strerror(st));
		return NULL;
	}
	return u;
}

static bool enable(struct iommu_unit *u)
{
	return amdvi_unit_enable(&u->amd) == AMDVI_OK;
}

static void print(unsigned i, const struct iommu_unit *u)
{
	char line[256];

	amdvi_unit_describe(&u->amd, line, sizeof(line));
	ward_printf("unit %u: %s\n", i, line);
}

/* §2.2.2: V = 0 passes DMA through; Mode 0 with IR = IW = 0 is Ward's blocked entry. */
static bool context_get(const struct iommu_unit *u, uint16_t sid, uint64_t *table, unsigned *levels,
                        unsigned *did)
{
	struct amdvi_dte e;
	unsigned mode;

	if (amdvi_dte_read(&u->amd, sid, &e) != AMDVI_OK || !(e.q[0] & AMDVI_DTE_V) ||
	    !(e.q[0] & AMDVI_DTE_TV))
		return false;
	mode = (unsigned)amdvi_dte_mode(e.q[0]);
	if (mode == 0 && (e.q[0] & (AMDVI_DTE_IR | AMDVI_DTE_IW)) != 0)
		return false;
	*table = mode == 0 ? 0 : e.q[0] & AMDVI_DTE_PT_ROOT;
	*levels = mode;
	*did = (unsigned)(e.q[1] & AMDVI_DTE_DOMAIN_MASK);
	return true;
}

static void quarantine(const struct iommu_unit *u, uint64_t *table, unsigned *did)
{
	(void)u;
	*table = 0;
	*did = AMDVI_QUARANTINE_DOMAIN;
}

static void inject_timeout(struct iommu_unit *u)
{
	amdvi_cmd_inject(&u->amd, AMDVI_INJECT_TIMEOUT);
}

static bool faults_pending(const struct iommu_unit *u)
{
	return amdvi_event_pending(&u->amd);
}

const struct hw_vendor hw_amdvi_vendor = {
        .name = "AMD-Vi",
        .window_kind = WARD_WINDOW_AMDVI,
        .ops = &amdvi_unit_ops,
        .flush_entries = amdvi_iopt_flush,
        .add = add,
        .enable = enable,
        .print = print,
        .context_get = context_get,
        .quarantine = quarantine,
        .inject_timeout = inject_timeout,
        .faults_pending = faults_pending,
};
