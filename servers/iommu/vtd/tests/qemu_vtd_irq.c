/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt remapping on QEMU's intel-iommu (intremap=on), checked by what
 * arrives: a kernel MSI vector (GetMSI on the IRQControl the root task
 * gives the iommu role) is bound to a notification, an IRTE points at it,
 * and edu's MSI (one vector; register 0x60 raises it, 0x64 acknowledges,
 * QEMU docs/specs/edu.rst) is programmed by the PCI server in remappable
 * format naming that entry. Then:
 *
 *  - the entry with edu's exact requester ID delivers it;
 *  - the same entry naming another requester blocks it (SVT 01b);
 *  - a bus range holding edu's bus delivers it (SVT 10b);
 *  - the entry cleared and its cache entry invalidated: nothing arrives,
 *    and a fault the unit records must be 0x22 for that index (QEMU 7.2
 *    records none: docs/vtd.md).
 *
 * "Nothing arrives" is a bounded number of polls after edu's MSI write
 * completed (QEMU remaps it synchronously within that write): not a
 * measure of speed. A delivery between two blocked cases proves the path
 * still works. Part of qemu_vtd.c's program, after qemu_vtd_dma.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "pci.h"
#include "qemu_vtd.h"

#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE  0x60
#define EDU_IRQ_ACK    0x64
#define EDU_IRQ_BIT    0x1
#define IRQ_BADGE      2
#define IRQ_INDEX      3
#define WAIT_NS        1000000000ULL /* at most, for an interrupt that must come */
#define QUIET_POLLS    20000         /* polls that must all find nothing */

static uint64_t handler, ntfn;
static unsigned vector, apic_id;
static uint64_t compat_address, compat_data;

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ok(bool cond, const char *fmt, ...)
{
	char name[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	qemu_vtd_ok(cond, name);
}

/* A kernel MSI vector whose IRQHandler signals `ntfn` with IRQ_BADGE. */
static bool vector_setup(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t h = qemu_vtd_slot(), n = qemu_vtd_slot(), badged = qemu_vtd_slot(), v;

	if (si->irq_control == 0 || h == 0 || n == 0 || badged == 0 ||
	    ward_irq_control_get_msi(si->irq_control, WARD_PROC_CAP_CNODE, h, 64, &v,
	                             &compat_address, &compat_data) != WARD_OK ||
	    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_NOTIFICATION, 0,
	                        WARD_PROC_CAP_CNODE, 0, 0, n, 1) != WARD_OK ||
	    ward_cnode_mint(WARD_PROC_CAP_CNODE, badged, 64, WARD_PROC_CAP_CNODE, n, 64,
	                    WARD_RIGHT_READ | WARD_RIGHT_WRITE, IRQ_BADGE) != WARD_OK ||
	    ward_irq_handler_set_notification(h, badged) != WARD_OK)
		return false;
	handler = h;
	ntfn = n;
	vector = (unsigned)v;
	apic_id = (unsigned)((compat_address >> 12) & 0xff); /* compatibility format, 19:12 */
	return true;
}

/* Raises edu's interrupt once and acknowledges it at edu (edu sends the MSI on the raise). */
static void edu_raise(volatile uint8_t *edu)
{
	*(volatile uint32_t *)(edu + EDU_IRQ_RAISE) = EDU_IRQ_BIT;
	(void)*(volatile uint32_t *)(edu + EDU_IRQ_STATUS); /* the write has completed */
	*(volatile uint32_t *)(edu + EDU_IRQ_ACK) = EDU_IRQ_BIT;
}

/* Whether the vector's notification came (waiting up to WAIT_NS, or QUIET_POLLS polls). */
static bool arrived(bool expect)
{
	uint64_t end = qemu_vtd_now() + WAIT_NS, badge = 0;
	unsigned polls = 0;

	do {
		ward_poll(ntfn, &badge);
		polls++;
	} while (!(badge & IRQ_BADGE) && (expect ? qemu_vtd_now() < end : polls < QUIET_POLLS));
	if (badge & IRQ_BADGE)
		ward_irq_handler_ack(handler);
	return (badge & IRQ_BADGE) != 0;
}

/* Writes IRTE IRQ_INDEX (or clears it) and invalidates its cache entry (one wait). */
static bool irte(struct vtd_unit *u, bool present, uint64_t svt_sid)
{
	struct vtd_desc d;
	enum vtd_status st =
	        present ? vtd_irte_set(
	                          u, IRQ_INDEX,
	                          vtd_irte_remapped((uint8_t)vector, (uint8_t)apic_id, svt_sid), &d)
	                : vtd_irte_clear(u, IRQ_INDEX, &d);

	return st == VTD_OK && vtd_qi_submit(u, &d, 1) == VTD_OK;
}

static bool is_remapping(const struct vtd_unit *u)
{
	uint32_t gsts = *(volatile uint32_t *)(u->regs + VTD_REG_GSTS);
	uint64_t irta = *(volatile uint64_t *)(u->regs + VTD_REG_IRTA);

	return u->remapping && (gsts & VTD_GSTS_IRES) && !(gsts & VTD_GSTS_CFIS) &&
	       irta == (u->irt.pa | VTD_IRTA_S_256);
}

void qemu_vtd_irq(struct vtd_unit *u)
{
	volatile uint8_t *edu;
	uint64_t sbdf, ep = ward_startinfo->pci_endpoint;
	uint16_t sid;
	struct vtd_fault f;
	size_t faults;
	bool ready, got;

	ready = is_remapping(u) && qemu_vtd_edu(&edu, &sbdf) && vector_setup() &&
	        irte(u, true, vtd_irte_sid_exact((uint16_t)sbdf)) &&
	        pci_msi_set(ep, sbdf, vtd_msi_remap_address(IRQ_INDEX), 0, 1) == WARD_OK;
	sid = (uint16_t)sbdf;
	ok(ready,
	   "remapping on (IRTA = table, 256 entries, xAPIC; IRES set, CFIS clear); edu's MSI "
	   "programmed with handle %u, IRTE -> vector %#x, APIC %u",
	   IRQ_INDEX, vector, apic_id);
	if (!ready) {
		for (unsigned i = 1; i < QEMU_VTD_IRQ_TESTS; i++)
			ok(false, "no interrupt remapping set-up: nothing to test");
		return;
	}
	edu_raise(edu);
	ok(arrived(true), "edu's remappable MSI reached vector %#x through IRTE %u (SID %04x)",
	   vector, IRQ_INDEX, sid);

	got = irte(u, true, vtd_irte_sid_exact((uint16_t)(sid ^ 1))) && (edu_raise(edu), true) &&
	      arrived(false);
	ok(!got, "an IRTE naming requester %04x blocks edu's (%04x) MSI: nothing arrived", sid ^ 1,
	   sid);

	ok(irte(u, true, vtd_irte_sid_bus(VTD_SID_BUS(sid), VTD_SID_BUS(sid))) &&
	           (edu_raise(edu), arrived(true)),
	   "an IRTE admitting bus %u (SVT 10b) delivers edu's MSI again", VTD_SID_BUS(sid));

	vtd_fault_drain(u, &f, 1, NULL, NULL);
	got = !irte(u, false, 0) || (edu_raise(edu), arrived(false));
	faults = vtd_fault_drain(u, &f, 1, NULL, NULL);
	ok(!got && (faults == 0 || (f.interrupt && f.reason == VTD_FR_IR_IRTE_P &&
	                            f.irq_index == IRQ_INDEX && f.sid == sid)),
	   "IRTE %u cleared and invalidated: edu's MSI delivers nothing; %s", IRQ_INDEX,
	   faults == 0 ? "no fault recorded (QEMU 7.2 records no interrupt-remapping fault)"
	               : "fault 0x22 (entry not present) recorded for it");

	/* What the model does with a compatibility-format MSI while CFI is clear (a note). */
	pci_msi_set(ep, sbdf, compat_address, compat_data, 1);
	edu_raise(edu);
	qemu_vtd_note(arrived(false) ? "a compatibility-format MSI still arrived with CFI clear: "
	                               "the model ignores GCMD.CFI"
	                             : "a compatibility-format MSI was blocked (CFI clear)");
	pci_irq_disable(ep, sbdf);
}
