/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the IOMMU costs an NVMe driver per I/O (docs/performance.md), under
 * `qemu -icount shift=0` (the TSC counts guest instructions). The driver
 * library (servers/drivers/nvme) drives QEMU's nvme with completions
 * polled (the same in every configuration), one 4 KiB command at a time,
 * ROUNDS reads then ROUNDS writes over the disk:
 *
 *  - `mode=iommu` (intel-iommu present; the IOMMU and PCI servers run):
 *    (a) default: the controller in the driver's domain, queues and data
 *        lent once and mapped for good;
 *    (b) strict: the data page lent into a second domain of the driver
 *        and, around every command, MAP_BUFFER into the controller's
 *        domain and UNMAP_BUFFER (its IOTLB invalidation waited for), as
 *        Linux's intel_iommu=strict maps and unmaps each request;
 *  - `mode=bare` (no IOMMU; the IOMMU server in its bare mode): (c) the
 *    same driver path as (a), the server lending queues and data at
 *    IOVA = physical address. DMA is unprotected there; the server and
 *    the benchmark say so.
 *
 * Per row: guest instructions per command on the CPU, the time spent
 * waiting for the completion (QEMU's host-side block I/O, which -icount
 * does not make deterministic) left out; and IOPS over the batch in guest
 * time, waits included. tools/bench nvme runs both modes and the ratios.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../qemu/iommu/iommu_test.h"
#include "../qemu/lib/wtest.h"
#include "../qemu/nvme/nvme_test.h"
#include "bench.h"

#define ROUNDS          256
#define WARMUP          16
#define DRIVER_VA       0x0000610000000000ULL
#define DATA_VA         0x0000620000000000ULL
#define BLOCKS_PER_PAGE 8
#define STRICT_IOVA     0x3000000ULL /* where strict mode maps the data page for a command */

static struct nvme_ctrl *ctrl;
static uint64_t data_iova;
/* Strict: the data buffer and the two domains. */
static uint64_t strict_buf, dom_dev;
static bool strict;

static uint64_t ticks(void)
{
	return rdtsc();
}

static void yield(void *ctx)
{
	(void)ctx;
	ward_yield();
}

/* One 4 KiB command; strict: mapped into the controller's domain for it alone. */
static void one_io(bool write, uint64_t lba)
{
	uint64_t iova = data_iova;

	if (strict)
		check(iommu_map_buffer(dom_dev, strict_buf, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL,
		                       &iova),
		      "MAP_BUFFER");
	if (nvme_rw(ctrl, write, lba, BLOCKS_PER_PAGE, iova) != NVME_OK) {
		ward_printf("bench: nvme %s failed: %s (status %#x)\n", write ? "write" : "read",
		            nvme_err_name(NVME_E_STATUS), ctrl->last_status);
		ward_exit(1);
	}
	if (strict)
		check(iommu_unmap_buffer(dom_dev, strict_buf), "UNMAP_BUFFER");
}

/* ROUNDS commands: instructions per command without the waits, and IOPS in guest time. */
static void measure(const char *config, bool write)
{
	uint64_t t0, t1, waited, lba_span = ctrl->blocks / BLOCKS_PER_PAGE;

	for (int i = 0; i < WARMUP; i++)
		one_io(write, (uint64_t)(i % lba_span) * BLOCKS_PER_PAGE);
	ctrl->wait_ticks = 0;
	t0 = rdtsc();
	for (int i = 0; i < ROUNDS; i++)
		one_io(write, (uint64_t)((i * 7) % lba_span) * BLOCKS_PER_PAGE);
	t1 = rdtsc();
	waited = ctrl->wait_ticks;
	ward_printf("bench nvme: %-8s %-5s 4KiB  %8llu instructions  %8llu IOPS\n", config,
	            write ? "write" : "read", (unsigned long long)((t1 - t0 - waited) / ROUNDS),
	            (unsigned long long)(ward_startinfo->tsc_hz * ROUNDS / (t1 - t0)));
}

static void run(const char *config)
{
	measure(config, false);
	measure(config, true);
}

static void start(struct nvme_ctrl *c)
{
	enum nvme_err err;

	c->ticks = ticks;
	if ((err = nvme_start(c)) != NVME_OK || (err = nvme_namespace(c, 1)) != NVME_OK) {
		ward_printf("bench: controller: %s (status %#x, CSTS %#x)\n", nvme_err_name(err),
		            c->last_status, c->last_csts);
		ward_exit(1);
	}
	ctrl = c;
}

/* The controller in a domain of the driver, queues and data lent once: (a), or (c) when bare. */
static void attach(struct nt_fn *pf)
{
	static struct nvme_ward w;

	if (!nt_find_pf(pf) || (dom_dev = nt_domain()) == 0)
		check(WARD_ERR_FAILED_LOOKUP, "finding the nvme PF, making a domain");
	check(nt_assign(pf, dom_dev), "ASSIGN");
	w = (struct nvme_ward){.sbdf = (uint32_t)pf->sbdf,
	                       .device = pf->device,
	                       .domain = dom_dev,
	                       .va = DRIVER_VA,
	                       .data_pages = 1,
	                       .use_irq = false};
	check(nvme_ward_attach(&w), w.failed_step ? w.failed_step : "attach");
	w.ctrl.wait = yield;
	start(&w.ctrl);
	data_iova = w.data.iova;
}

static void with_iommu(void)
{
	uint64_t dom_home, va_strict = DATA_VA, iova;
	struct nt_fn pf;

	attach(&pf);
	run("default");
	/* Strict: a page whose home is another domain, mapped for each command. */
	check((dom_home = nt_domain()) != 0 ? WARD_OK : WARD_ERR_FAILED_LOOKUP, "a second domain");
	check(nvme_ward_lend(dom_home, 1, STRICT_IOVA, va_strict, &strict_buf, &iova),
	      "ALLOC_BUFFER (strict)");
	strict = true;
	run("strict");
}

/*
 * The same driver path as (a) on a machine without a remapping unit: the
 * IOMMU server's bare mode lends the memory with IOVA = physical address
 * and says DMA is unprotected.
 */
static void bare(void)
{
	struct nt_fn pf;

	ward_printf("bench nvme: WARNING: no IOMMU: DMA IS UNPROTECTED; the IOMMU server lends "
	            "memory at IOVA = physical address\n");
	attach(&pf);
	run("bare");
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	wt_init();
	if (strstr(si->args, "mode=bare") != NULL)
		bare();
	else
		with_iommu();
	return 0;
}
