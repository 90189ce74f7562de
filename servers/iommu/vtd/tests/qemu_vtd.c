/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VT-d backend on QEMU's intel-iommu, without the rest of the server:
 * booted as the module named `iommu` (so the root task grants it the
 * units' registers, their fault interrupts and an untyped), it probes
 * each unit, prepares it, puts every function of bus 0 in quarantine,
 * turns translation on, and then exercises what only the real model can
 * confirm: every descriptor type accepted with one status-write wait, an
 * injected queue error and an injected timeout each reported and the
 * queue working again afterwards (XSA-373), the take-over of a unit left
 * translating with queued invalidation on, and the fault interrupt
 * programmed. With the argument `dma` (and a `pci` module, preset `edu`)
 * it also runs qemu_vtd_dma.c's DMA tests, and with `irq` as well (on
 * `intremap=on`) qemu_vtd_irq.c's interrupt-remapping tests. Prints TAP (tests/qemu/tap.h).
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "qemu_vtd.h"
#include "tap.h"

#define PAGES       64
#define PAGE_VA     0x300000000000ULL
#define PT_MAX      8
#define IRQ_BADGE   1
#define IRQ_WAIT_NS 1000000000ULL
#define LARGE_VA    0x320000000000ULL
#define LARGE_SIZE  (1ULL << VTD_LEVEL_SHIFT(VTD_LEVEL_2M))

static struct vtd_page pages[PAGES];
static unsigned npages;
static uint64_t next_slot;
static unsigned tables;

uint64_t qemu_vtd_slot(void)
{
	return next_slot < ward_startinfo->free_last ? next_slot++ : 0;
}

bool qemu_vtd_map(uint64_t frame, uint64_t va)
{
	static const unsigned type[4] = {0, WARD_OBJ_PT, WARD_OBJ_PD, WARD_OBJ_PDPT};
	enum ward_error err;

	while ((err = ward_frame_map(frame, WARD_PROC_CAP_VSPACE, va,
	                             WARD_RIGHT_READ | WARD_RIGHT_WRITE)) ==
	       WARD_ERR_FAILED_LOOKUP) {
		uint64_t level = ward_last_error().lo, slot = qemu_vtd_slot();

		if (level < 1 || level > 3 || slot == 0 || ++tables > PT_MAX ||
		    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, type[level], 0, WARD_PROC_CAP_CNODE,
		                        0, 0, slot, 1) != WARD_OK ||
		    ward_page_table_map(slot, WARD_PROC_CAP_VSPACE, va) != WARD_OK)
			return false;
	}
	return err == WARD_OK;
}

static bool page_alloc(void *ctx, struct vtd_page *out)
{
	uint64_t slot = qemu_vtd_slot(), va = PAGE_VA + (uint64_t)npages * VTD_PAGE_SIZE, pa;

	(void)ctx;
	if (npages == PAGES || slot == 0 ||
	    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_FRAME, 0, WARD_PROC_CAP_CNODE, 0, 0,
	                        slot, 1) != WARD_OK ||
	    !qemu_vtd_map(slot, va) || ward_frame_get_address(slot, &pa) != WARD_OK)
		return false;
	memset((void *)(uintptr_t)va, 0, VTD_PAGE_SIZE);
	out->va = (void *)(uintptr_t)va;
	out->pa = pa;
	pages[npages++] = *out;
	return true;
}

static struct vtd_page large;

/*
 * The large frame comes first out of the untyped (the program's first
 * retype), where a 2 MiB boundary is free: the untyped hands out memory
 * upwards and would have no room below its end for tables after it.
 */
static bool large_alloc(void)
{
	uint64_t slot = qemu_vtd_slot(), pa;

	if (slot == 0 ||
	    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_LARGE_FRAME, 0, WARD_PROC_CAP_CNODE,
	                        0, 0, slot, 1) != WARD_OK ||
	    !qemu_vtd_map(slot, LARGE_VA) || ward_frame_get_address(slot, &pa) != WARD_OK)
		return false;
	memset((void *)(uintptr_t)LARGE_VA, 0, LARGE_SIZE);
	large.va = (void *)(uintptr_t)LARGE_VA;
	large.pa = pa;
	return true;
}

bool qemu_vtd_large(struct vtd_page *out)
{
	*out = large;
	return large.pa != 0;
}

static void *page_va(void *ctx, uint64_t pa)
{
	(void)ctx;
	for (unsigned i = 0; i < npages; i++)
		if (pages[i].pa == (pa & VTD_PAGE_MASK))
			return (uint8_t *)pages[i].va + (pa & ~VTD_PAGE_MASK);
	return NULL;
}

uint64_t qemu_vtd_now(void)
{
	uint32_t lo, hi;
	uint64_t tsc;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	tsc = ((uint64_t)hi << 32) | lo;
	return (uint64_t)((unsigned __int128)tsc * 1000000000u / ward_startinfo->tsc_hz);
}

static uint64_t now_ns(void *ctx)
{
	(void)ctx;
	return qemu_vtd_now();
}

bool qemu_vtd_page(struct vtd_page *out)
{
	return page_alloc(NULL, out);
}

void qemu_vtd_ok(bool ok, const char *name)
{
	tap_ok(ok, "%s", name);
}

void qemu_vtd_note(const char *text)
{
	tap_diag("%s", text);
}

static const struct vtd_env env = {NULL, page_alloc, page_va, now_ns, NULL};

static struct vtd_unit unit, again;

/* One descriptor of each kind, each its own submission (one wait each). */
static void descriptors(struct vtd_unit *u)
{
	const struct vtd_desc d[] = {
	        vtd_desc_cc_global(),
	        vtd_desc_cc_domain(3),
	        vtd_desc_cc_device(3, VTD_SID(0, VTD_DEVFN(3, 0))),
	        vtd_desc_iotlb_global(vtd_iotlb_drain(&u->caps)),
	        vtd_desc_iotlb_domain(3, vtd_iotlb_drain(&u->caps)),
	        vtd_iotlb_range(&u->caps, 3, 0x200000, 0x200000, true),
	        vtd_desc_iec_global(),
	};
	uint64_t before = u->qi_stats.submits;
	unsigned ok = 0;

	for (unsigned i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		ok += vtd_qi_submit(u, &d[i], 1) == VTD_OK;
	tap_ok(ok == sizeof(d) / sizeof(d[0]) && u->qi_stats.submits - before == ok,
	       "context-cache, IOTLB (global, domain, page AM 9) and IEC descriptors each "
	       "completed "
	       "with one status-write wait (%u of %zu)",
	       ok, sizeof(d) / sizeof(d[0]));
}

static void errors(struct vtd_unit *u)
{
	struct vtd_desc d = vtd_desc_iotlb_global(0);
	enum vtd_status st;

	vtd_qi_inject(u, VTD_INJECT_QUEUE_ERROR);
	st = vtd_qi_submit(u, &d, 1);
	tap_ok(st == VTD_E_QUEUE_ERROR &&
	               !(*(volatile uint32_t *)(u->regs + VTD_REG_FSTS) & VTD_FSTS_IQE),
	       "a refused descriptor is reported as a queue error (%s) and FSTS.IQE cleared",
	       vtd_strerror(st));
	tap_ok(vtd_qi_submit(u, &d, 1) == VTD_OK && u->qi_stats.recovered == 1,
	       "the queue works again after the queue error");
	vtd_qi_inject(u, VTD_INJECT_TIMEOUT);
	st = vtd_qi_submit(u, &d, 1);
	tap_ok(st == VTD_E_TIMEOUT, "a wait whose status never arrives times out (%s), no hang",
	       vtd_strerror(st));
	tap_ok(vtd_qi_submit(u, &d, 1) == VTD_OK && !u->iq_wedged,
	       "the queue works again after the timeout");
}

static uint64_t irq_handler, irq_ntfn;

/* Polls the fault notification for at most a second; acknowledges what came. */
bool qemu_vtd_irq_wait(void)
{
	uint64_t end = qemu_vtd_now() + IRQ_WAIT_NS, badge = 0;

	do
		ward_poll(irq_ntfn, &badge);
	while (!(badge & IRQ_BADGE) && qemu_vtd_now() < end);
	ward_irq_handler_ack(irq_handler);
	return (badge & IRQ_BADGE) != 0;
}

/*
 * Binds the unit's IRQHandler to a notification and programs the fault
 * event interrupt. Unmasking delivers what the earlier queue errors left
 * pending (FECTL.IP): that one is taken and acknowledged here.
 */
static void fault_irq(struct vtd_unit *u, const struct ward_irq_grant *g)
{
	uint64_t n = qemu_vtd_slot(), badged = qemu_vtd_slot();
	bool ok = g != NULL && n != 0 && badged != 0 &&
	          ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_NOTIFICATION, 0,
	                              WARD_PROC_CAP_CNODE, 0, 0, n, 1) == WARD_OK &&
	          ward_cnode_mint(WARD_PROC_CAP_CNODE, badged, 64, WARD_PROC_CAP_CNODE, n, 64,
	                          WARD_RIGHT_READ | WARD_RIGHT_WRITE, IRQ_BADGE) == WARD_OK &&
	          ward_irq_handler_set_notification(g->slot, badged) == WARD_OK;

	if (ok) {
		irq_handler = g->slot;
		irq_ntfn = n;
	}
	ok = ok && vtd_fault_irq_setup(u, g) == VTD_OK &&
	     *(volatile uint32_t *)(u->regs + VTD_REG_FEDATA) == (g->msi_data & VTD_FEDATA_MASK);
	tap_ok(ok,
	       "fault event interrupt programmed from the granted MSI (vector %#x) and unmasked",
	       g ? g->vector : 0);
	if (ok)
		qemu_vtd_irq_wait();
}

/* Brings a unit up with every function of bus 0 in quarantine. */
static enum vtd_status bring_up(struct vtd_unit *u, const struct ward_device_window *w)
{
	enum vtd_status st;

	if ((st = vtd_unit_probe(u, w, &env)) != VTD_OK || (st = vtd_unit_prepare(u)) != VTD_OK)
		return st;
	for (unsigned devfn = 0; devfn < VTD_CONTEXT_ENTRIES; devfn++)
		if ((st = vtd_block(u, VTD_SID(0, devfn))) != VTD_OK)
			return st;
	return vtd_unit_enable(u);
}

static void quarantine(struct vtd_unit *u)
{
	struct vtd_walk w;

	vtd_translate(u, VTD_SID(0, VTD_DEVFN(3, 0)), 0x1000, &w);
	tap_ok(w.fault == VTD_FR_READ && w.did == u->quarantine_did,
	       "bus 0 walks to quarantine (domain %u): DMA would fault, reason %#x (%s)", w.did,
	       w.fault, vtd_fault_reason_name(w.fault));
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	const struct ward_device_window *w = NULL;
	bool dma = strstr(si->args, "dma") != NULL, irq = dma && strstr(si->args, "irq") != NULL;
	char caps[200];
	enum vtd_status st;

	tap_plan(10 + (dma ? QEMU_VTD_DMA_TESTS : 0) + (irq ? QEMU_VTD_IRQ_TESTS : 0));
	next_slot = si->free_first;
	if (dma)
		large_alloc();
	for (unsigned i = 0; i < si->window_count; i++)
		if (si->windows[i].kind == WARD_WINDOW_VTD && w == NULL)
			w = &si->windows[i];
	if (!tap_ok(w != NULL, "the root task granted a VT-d register window"))
		return tap_exit_status();
	st = bring_up(&unit, w);
	vtd_caps_describe(&unit.caps, caps, sizeof(caps));
	tap_diag("unit at %#llx: %s", (unsigned long long)w->phys, caps);
	tap_ok(st == VTD_OK && (*(volatile uint32_t *)(unit.regs + VTD_REG_GSTS) & VTD_GSTS_TES),
	       "unit probed, prepared, bus 0 quarantined, translation on (%s)", vtd_strerror(st));
	quarantine(&unit);
	descriptors(&unit);
	errors(&unit);
	fault_irq(&unit, w->irq != WARD_WINDOW_NO_IRQ ? &si->irqs[w->irq] : NULL);
	if (dma)
		qemu_vtd_dma(&unit);
	if (irq)
		qemu_vtd_irq(&unit);
	vtd_unit_describe(&unit, caps, sizeof(caps));
	tap_diag("%s", caps);
	st = bring_up(&again, w);
	tap_ok(st == VTD_OK && again.took_over && again.translating,
	       "a unit left translating with QI on is taken over without turning translation off "
	       "(%s)",
	       vtd_strerror(st));
	return tap_exit_status();
}
